use switchboard_types::HookMethod;

use crate::*;

const XML: Option<&str> = Some("text/xml");

fn parse(xml: &str) -> VoiceResponse {
    parse_voice(xml.as_bytes(), XML).unwrap_or_else(|error| panic!("{xml}: {error}"))
}

fn codes(response: &VoiceResponse) -> Vec<u32> {
    response.warnings.iter().map(|w| w.code).collect()
}

/// The only verb of a document that must parse without warnings.
fn only(xml: &str) -> VoiceVerb {
    let response = parse(xml);
    assert!(
        response.warnings.is_empty(),
        "{xml}: {:?}",
        response.warnings
    );
    match response.verbs.as_slice() {
        [verb] => verb.clone(),
        other => panic!("{xml}: expected one verb, got {other:?}"),
    }
}

/// The only verb of a document, and the codes of its warnings.
fn with_warnings(xml: &str) -> (Option<VoiceVerb>, Vec<u32>) {
    let response = parse(xml);
    assert!(response.verbs.len() <= 1, "{xml}: {:?}", response.verbs);
    (response.verbs.first().cloned(), codes(&response))
}

fn say_of(verb: Option<VoiceVerb>) -> SayVerb {
    match verb {
        Some(VoiceVerb::Say(say)) => say,
        other => panic!("expected <Say>, got {other:?}"),
    }
}

fn gather_of(verb: Option<VoiceVerb>) -> GatherVerb {
    match verb {
        Some(VoiceVerb::Gather(gather)) => gather,
        other => panic!("expected <Gather>, got {other:?}"),
    }
}

fn dial_of(verb: Option<VoiceVerb>) -> DialVerb {
    match verb {
        Some(VoiceVerb::Dial(dial)) => dial,
        other => panic!("expected <Dial>, got {other:?}"),
    }
}

fn record_of(verb: Option<VoiceVerb>) -> RecordVerb {
    match verb {
        Some(VoiceVerb::Record(record)) => record,
        other => panic!("expected <Record>, got {other:?}"),
    }
}

// --- the answer's body --------------------------------------------------------

#[test]
fn empty_answer_has_no_verbs() {
    for body in ["", "  \n", "<Response/>", "<Response></Response>"] {
        assert_eq!(parse(body), VoiceResponse::default(), "{body:?}");
    }
}

#[test]
fn audio_is_played_whatever_its_size() {
    let mp3 = vec![0xffu8; 200 * 1024];
    for content_type in ["audio/mpeg", "audio/wav; charset=binary", "AUDIO/X-WAV"] {
        let response = parse_voice(&mp3, Some(content_type)).unwrap();
        assert_eq!(
            response.verbs,
            vec![VoiceVerb::Play(PlayVerb {
                audio: Some(Audio::Answer),
                digits: None,
                loops: 1,
            })],
            "{content_type}"
        );
    }
}

#[test]
fn plain_text_and_other_types_are_12300() {
    for content_type in [Some("text/plain"), Some("application/json"), None] {
        let error = parse_voice(b"Hello", content_type).unwrap_err();
        assert_eq!(error.code(), 12300, "{content_type:?}");
    }
}

#[test]
fn documents_are_checked_like_messaging_ones() {
    assert_eq!(
        parse_voice(b"<Response><Say>", XML).unwrap_err().code(),
        12100
    );
    assert_eq!(
        parse_voice(b"<response><Say>Hi</Say></response>", XML)
            .unwrap_err()
            .code(),
        12102
    );
    let huge = format!("<Response><Say>{}</Say></Response>", "a".repeat(70_000));
    assert_eq!(parse_voice(huge.as_bytes(), XML).unwrap_err().code(), 11750);
}

// --- <Say> -------------------------------------------------------------------

#[test]
fn say_reads_text_voice_language_and_loop() {
    assert_eq!(
        only(
            r#"<Response><Say voice="Polly.Joanna" language="en-US" loop="3"> Hello   there
            caller </Say></Response>"#
        ),
        VoiceVerb::Say(SayVerb {
            text: "Hello there caller".to_owned(),
            voice: Some("Polly.Joanna".to_owned()),
            language: Some("en-US".to_owned()),
            loops: 3,
        })
    );
}

#[test]
fn say_loop_zero_means_until_the_call_ends() {
    let say = say_of(Some(only(r#"<Response><Say loop="0">Hi</Say></Response>"#)));
    assert_eq!(say.loops, 0);
    assert_eq!(LOOP_FOREVER, 1000);
}

#[test]
fn say_bad_loop_is_13510_and_once() {
    for value in ["-1", "two", "1.5", ""] {
        let xml = format!(r#"<Response><Say loop="{value}">Hi</Say></Response>"#);
        let (verb, codes) = with_warnings(&xml);
        // A blank value is as if absent.
        let expected: Vec<u32> = if value.is_empty() {
            vec![]
        } else {
            vec![13510]
        };
        assert_eq!(codes, expected, "{value:?}");
        assert_eq!(say_of(verb).loops, 1, "{value:?}");
    }
}

#[test]
fn say_speaks_ssml_text_and_warns_about_other_elements() {
    let (verb, codes) = with_warnings(
        r#"<Response><Say>Hello <emphasis level="strong">there</emphasis><break time="1s"/>friend<b>!</b></Say></Response>"#,
    );
    assert_eq!(say_of(verb).text, "Hello there friend !");
    assert_eq!(codes, vec![12200]);
}

#[test]
fn say_without_text_is_13520_and_skipped() {
    assert_eq!(
        with_warnings("<Response><Say>   </Say></Response>"),
        (None, vec![13520])
    );
}

// --- <Play> and <Pause> ------------------------------------------------------

#[test]
fn play_reads_url_loop_and_digits() {
    assert_eq!(
        only(r#"<Response><Play loop="2"> https://example.test/a.mp3 </Play></Response>"#),
        VoiceVerb::Play(PlayVerb {
            audio: Some(Audio::Url("https://example.test/a.mp3".to_owned())),
            digits: None,
            loops: 2,
        })
    );
    assert_eq!(
        only(r##"<Response><Play digits="wwww3#"></Play></Response>"##),
        VoiceVerb::Play(PlayVerb {
            audio: None,
            digits: Some("wwww3#".to_owned()),
            loops: 1,
        })
    );
}

#[test]
fn play_faults_are_warned() {
    assert_eq!(
        with_warnings("<Response><Play/></Response>"),
        (None, vec![12200])
    );
    let (verb, codes) = with_warnings(r#"<Response><Play loop="x">a.mp3</Play></Response>"#);
    assert_eq!(codes, vec![13410]);
    assert!(matches!(
        verb,
        Some(VoiceVerb::Play(PlayVerb { loops: 1, .. }))
    ));
    assert_eq!(
        with_warnings(r#"<Response><Play digits="12a"/></Response>"#),
        (None, vec![12200, 12200])
    );
}

#[test]
fn pause_length_defaults_to_one_second() {
    assert_eq!(
        only("<Response><Pause/></Response>"),
        VoiceVerb::Pause(PauseVerb { length_secs: 1 })
    );
    assert_eq!(
        only(r#"<Response><Pause length="7"/></Response>"#),
        VoiceVerb::Pause(PauseVerb { length_secs: 7 })
    );
    for value in ["0", "-3", "soon"] {
        let xml = format!(r#"<Response><Pause length="{value}"/></Response>"#);
        assert_eq!(
            with_warnings(&xml),
            (
                Some(VoiceVerb::Pause(PauseVerb { length_secs: 1 })),
                vec![13910]
            ),
            "{value}"
        );
    }
}

// --- <Gather> ----------------------------------------------------------------

#[test]
fn gather_defaults() {
    assert_eq!(
        only("<Response><Gather/></Response>"),
        VoiceVerb::Gather(GatherVerb {
            dtmf: true,
            speech: false,
            timeout_secs: 5,
            speech_timeout: None,
            num_digits: None,
            finish_on_key: Some('#'),
            action: None,
            method: HookMethod::Post,
            action_on_empty_result: false,
            prompts: Vec::new(),
        })
    );
}

#[test]
fn gather_reads_every_attribute_and_its_prompts() {
    let gather = gather_of(Some(only(
        r#"<Response><Gather input="speech dtmf" timeout="3" speechTimeout="auto" numDigits="4"
            finishOnKey="*" action="/next" method="GET" actionOnEmptyResult="true" hints="yes, no">
            <Say loop="2">Enter your PIN</Say><Pause length="2"/><Play>beep.mp3</Play>
        </Gather></Response>"#,
    )));
    assert!(gather.dtmf && gather.speech);
    assert_eq!(gather.timeout_secs, 3);
    assert_eq!(gather.speech_timeout, Some(SpeechTimeout::Auto));
    assert_eq!(gather.num_digits, Some(4));
    assert_eq!(gather.finish_on_key, Some('*'));
    assert_eq!(gather.action.as_deref(), Some("/next"));
    assert_eq!(gather.method, HookMethod::Get);
    assert!(gather.action_on_empty_result);
    assert_eq!(gather.prompts.len(), 3);
    assert!(
        matches!(&gather.prompts[0], Prompt::Say(say) if say.loops == 2 && say.text == "Enter your PIN")
    );
    assert!(matches!(
        gather.prompts[1],
        Prompt::Pause(PauseVerb { length_secs: 2 })
    ));
    assert!(matches!(&gather.prompts[2], Prompt::Play(_)));
}

#[test]
fn gather_empty_finish_on_key_disables_it() {
    let gather = gather_of(Some(only(
        r#"<Response><Gather finishOnKey=""/></Response>"#,
    )));
    assert_eq!(gather.finish_on_key, None);
}

#[test]
fn gather_attribute_faults_have_their_codes() {
    let cases = [
        (r#"timeout="0""#, 13313),
        (r#"numDigits="none""#, 13314),
        (r#"finishOnKey="ab""#, 13310),
        (r#"method="PUT""#, 13312),
        (r#"speechTimeout="later""#, 13327),
        (r#"actionOnEmptyResult="yes""#, 13338),
        (r#"input="keys""#, 12200),
    ];
    for (attribute, code) in cases {
        let xml = format!("<Response><Gather {attribute}/></Response>");
        let (verb, codes) = with_warnings(&xml);
        assert_eq!(codes, vec![code], "{attribute}");
        let gather = gather_of(verb);
        assert!(gather.dtmf && !gather.speech, "{attribute}");
        assert_eq!(gather.timeout_secs, 5, "{attribute}");
        assert_eq!(gather.finish_on_key, Some('#'), "{attribute}");
        assert_eq!(gather.method, HookMethod::Post, "{attribute}");
    }
}

#[test]
fn gather_nests_only_say_play_and_pause() {
    let (verb, codes) = with_warnings(
        r#"<Response><Gather><Dial>+15005550006</Dial><Say loop="x">Hi</Say></Gather></Response>"#,
    );
    assert_eq!(codes, vec![13320, 13322]);
    assert_eq!(gather_of(verb).prompts.len(), 1);
}

// --- <Dial> ------------------------------------------------------------------

#[test]
fn dial_reads_a_number_written_inside() {
    let dial = dial_of(Some(only(
        "<Response><Dial> +14155550100 </Dial></Response>",
    )));
    assert_eq!(dial.numbers.len(), 1);
    assert_eq!(dial.numbers[0].number, "+14155550100");
    assert_eq!(dial.timeout_secs, 30);
    assert_eq!(dial.time_limit_secs, 14_400);
    assert_eq!(dial.record, DialRecording::DoNotRecord);
    assert_eq!(dial.action, None);
}

#[test]
fn dial_reads_its_attributes_and_number_nouns() {
    let dial = dial_of(Some(only(
        r#"<Response><Dial callerId="+14155550199" timeout="10" timeLimit="60" action="dialed"
            method="GET" hangupOnStar="true" record="record-from-answer-dual"
            recordingStatusCallback="/rec" answerOnBridge="true">
            <Number sendDigits="ww12" url="/whisper" method="GET" statusCallback="/leg"
                statusCallbackEvent="initiated ringing answered completed">+14155550100</Number>
            <Number>+14155550101</Number>
        </Dial></Response>"#,
    )));
    assert_eq!(dial.caller_id.as_deref(), Some("+14155550199"));
    assert_eq!(dial.timeout_secs, 10);
    assert_eq!(dial.time_limit_secs, 60);
    assert_eq!(dial.action.as_deref(), Some("dialed"));
    assert_eq!(dial.method, HookMethod::Get);
    assert!(dial.hangup_on_star);
    assert_eq!(dial.record, DialRecording::FromAnswerDual);
    assert_eq!(dial.recording_status_callback.as_deref(), Some("/rec"));
    assert_eq!(
        dial.numbers[0],
        DialNumber {
            number: "+14155550100".to_owned(),
            send_digits: Some("ww12".to_owned()),
            url: Some("/whisper".to_owned()),
            method: HookMethod::Get,
            status_callback: Some("/leg".to_owned()),
            status_callback_method: HookMethod::Post,
            status_callback_events: ["initiated", "ringing", "answered", "completed"]
                .map(str::to_owned)
                .to_vec(),
        }
    );
    assert_eq!(dial.numbers[1].number, "+14155550101");
}

#[test]
fn dial_attribute_faults_have_their_codes() {
    let cases = [
        (r#"timeout="-1""#, 13212),
        (r#"timeLimit="0""#, 13216),
        (r#"method="DELETE""#, 13210),
        (r#"record="always""#, 13217),
    ];
    for (attribute, code) in cases {
        let xml = format!("<Response><Dial {attribute}>+14155550100</Dial></Response>");
        let (verb, codes) = with_warnings(&xml);
        assert_eq!(codes, vec![code], "{attribute}");
        let dial = dial_of(verb);
        assert_eq!(
            (dial.timeout_secs, dial.time_limit_secs, dial.method),
            (30, 14_400, HookMethod::Post)
        );
    }
    let long = "1".repeat(256);
    let (verb, codes) = with_warnings(&format!(
        r#"<Response><Dial callerId="{long}">+14155550100</Dial></Response>"#
    ));
    assert_eq!(codes, vec![13214]);
    assert_eq!(dial_of(verb).caller_id, None);
    let (_, codes) = with_warnings(
        r#"<Response><Dial><Number method="PATCH">+14155550100</Number></Dial></Response>"#,
    );
    assert_eq!(codes, vec![13221]);
}

#[test]
fn dial_skips_nouns_it_does_not_simulate() {
    let (verb, codes) = with_warnings(
        "<Response><Dial><Client>alice</Client><Sip>sip:a@b.c</Sip><Number>+14155550100</Number><Say>hi</Say></Dial></Response>",
    );
    assert_eq!(codes, vec![12200, 12200, 13215]);
    assert_eq!(dial_of(verb).numbers.len(), 1);
    assert_eq!(
        with_warnings("<Response><Dial><Client>alice</Client></Dial></Response>"),
        (None, vec![12200, 12200])
    );
    assert_eq!(
        with_warnings("<Response><Dial/></Response>"),
        (None, vec![12200])
    );
}

// --- <Record> ----------------------------------------------------------------

#[test]
fn record_defaults_and_attributes() {
    let record = record_of(Some(only("<Response><Record/></Response>")));
    assert_eq!(
        (
            record.timeout_secs,
            record.max_length_secs,
            record.finish_on_key.as_str(),
            record.play_beep,
            record.transcribe,
            record.action.as_deref()
        ),
        (5, 3600, "1234567890*#", true, false, None)
    );
    let record = record_of(Some(only(
        r##"<Response><Record action="/done" method="GET" timeout="0" maxLength="20" finishOnKey="#"
            playBeep="false" recordingStatusCallback="/rs" transcribe="true" transcribeCallback="/tc" trim="trim-silence"/></Response>"##,
    )));
    assert_eq!(record.action.as_deref(), Some("/done"));
    assert_eq!(record.method, HookMethod::Get);
    assert_eq!(record.timeout_secs, 0);
    assert_eq!(record.max_length_secs, 20);
    assert_eq!(record.finish_on_key, "#");
    assert!(!record.play_beep && record.transcribe);
    assert_eq!(record.recording_status_callback.as_deref(), Some("/rs"));
    assert_eq!(record.transcribe_callback.as_deref(), Some("/tc"));
    assert!(record.trim_silence);
    let record = record_of(Some(only(
        r#"<Response><Record trim="do-not-trim" recordingStatusCallbackEvent="in-progress completed absent"/></Response>"#,
    )));
    assert!(!record.trim_silence);
    assert_eq!(
        record.recording_status_callback_events,
        ["in-progress", "completed", "absent"]
    );
    let (verb, codes) = with_warnings(r#"<Response><Record trim="yes"/></Response>"#);
    assert_eq!(codes, vec![12200]);
    assert!(record_of(verb).trim_silence);
}

#[test]
fn record_attribute_faults_have_their_codes() {
    let cases = [
        (r#"timeout="x""#, 13611),
        (r#"maxLength="0""#, 13612),
        (r#"finishOnKey="q""#, 13613),
        (r#"method="PUT""#, 13610),
    ];
    for (attribute, code) in cases {
        let xml = format!("<Response><Record {attribute}/></Response>");
        let (verb, codes) = with_warnings(&xml);
        assert_eq!(codes, vec![code], "{attribute}");
        let record = record_of(verb);
        assert_eq!(
            (
                record.timeout_secs,
                record.max_length_secs,
                record.finish_on_key.as_str()
            ),
            (5, 3600, "1234567890*#")
        );
    }
}

// --- <Redirect>, <Hangup>, <Reject> and the end of a document ----------------

#[test]
fn redirect_hangup_and_reject() {
    assert_eq!(
        only(r#"<Response><Redirect method="GET">/again</Redirect></Response>"#),
        VoiceVerb::Redirect(RedirectVerb {
            url: "/again".to_owned(),
            method: HookMethod::Get,
        })
    );
    assert_eq!(
        with_warnings(r#"<Response><Redirect method="PUT">/again</Redirect></Response>"#).1,
        vec![13710]
    );
    assert_eq!(only("<Response><Hangup/></Response>"), VoiceVerb::Hangup);
    assert_eq!(
        only("<Response><Reject/></Response>"),
        VoiceVerb::Reject(RejectReason::Rejected)
    );
    assert_eq!(
        only(r#"<Response><Reject reason="busy"/></Response>"#),
        VoiceVerb::Reject(RejectReason::Busy)
    );
    assert_eq!(
        with_warnings(r#"<Response><Reject reason="nope"/></Response>"#),
        (Some(VoiceVerb::Reject(RejectReason::Rejected)), vec![12200])
    );
}

#[test]
fn verbs_after_the_end_are_checked_but_never_run() {
    for end in ["<Hangup/>", "<Reject/>", "<Redirect>/x</Redirect>"] {
        let xml =
            format!(r#"<Response><Say>one</Say>{end}<Say>two</Say><Pause length="x"/></Response>"#);
        let response = parse(&xml);
        assert_eq!(response.verbs.len(), 2, "{end}");
        assert!(response.verbs[1].ends_document(), "{end}");
        assert_eq!(codes(&response), vec![13910], "{end}");
    }
}

#[test]
fn other_verbs_are_skipped_with_a_warning() {
    let response = parse(
        "<Response><Echo/><Message>hi</Message><say>hello</say><Say>still here</Say></Response>",
    );
    assert_eq!(codes(&response), vec![12200, 12200, 12200]);
    assert!(response.warnings[2].message.contains("did you mean <Say>"));
    assert_eq!(response.verbs.len(), 1);
}

#[test]
fn unknown_attributes_are_warned_with_their_line() {
    let response = parse("<Response>\n<Say colour=\"red\">Hi</Say>\n</Response>");
    assert_eq!(codes(&response), vec![12200]);
    assert_eq!(response.warnings[0].line, 2);
    assert_eq!(response.verbs.len(), 1);
}

#[test]
fn enqueue_names_a_queue_and_leave_stands_alone() {
    let verb = only(
        r#"<Response><Enqueue action="/after" method="GET" waitUrl="/wait" waitUrlMethod="GET" workflowSid="WW1"> support </Enqueue></Response>"#,
    );
    let VoiceVerb::Enqueue(e) = verb else {
        panic!("expected <Enqueue>, got {verb:?}");
    };
    assert_eq!(e.name, "support");
    assert_eq!(e.action.as_deref(), Some("/after"));
    assert_eq!(e.method, HookMethod::Get);
    assert_eq!(e.wait_url.as_deref(), Some("/wait"));
    assert_eq!(e.wait_url_method, HookMethod::Get);
    assert_eq!(only("<Response><Leave/></Response>"), VoiceVerb::Leave);
    // No name, or one over 64 characters: skipped with Twilio's codes.
    let response = parse("<Response><Enqueue> </Enqueue></Response>");
    assert_eq!((codes(&response), response.verbs.len()), (vec![14204], 0));
    let long = format!("<Response><Enqueue>{}</Enqueue></Response>", "q".repeat(65));
    let response = parse(&long);
    assert_eq!((codes(&response), response.verbs.len()), (vec![14205], 0));
}

#[test]
fn dial_queue_is_dialled_alone() {
    let dial = dial_of(Some(only(
        r#"<Response><Dial timeout="10"><Queue url="/whisper" method="GET">support</Queue></Dial></Response>"#,
    )));
    let queue = dial.queue.expect("a queue");
    assert_eq!(queue.name, "support");
    assert_eq!(queue.url.as_deref(), Some("/whisper"));
    assert_eq!(queue.method, HookMethod::Get);
    assert!(dial.numbers.is_empty());
    let response =
        parse("<Response><Dial><Number>+14155550100</Number><Queue>q</Queue></Dial></Response>");
    assert_eq!(codes(&response), vec![13215]);
    let dial = dial_of(response.verbs.first().cloned());
    assert!(dial.numbers.is_empty() && dial.queue.is_some());
    let response = parse("<Response><Dial><Queue></Queue></Dial></Response>");
    assert_eq!(codes(&response), vec![14212, 12200]);
    assert!(response.verbs.is_empty());
}

#[test]
fn dial_conference_reads_its_attributes() {
    let (verb, codes) = with_warnings(
        "<Response><Dial action=\"/after\"><Conference muted=\"true\" beep=\"onEnter\" startConferenceOnEnter=\"false\" endConferenceOnExit=\"true\" waitUrl=\"\" maxParticipants=\"300\" record=\"record-from-start\" statusCallback=\"/events\" statusCallbackEvent=\"start end join\" participantLabel=\"host\"> room 1 </Conference><Number>+14155550100</Number></Dial></Response>",
    );
    // maxParticipants over 250; a <Number> beside the conference.
    assert_eq!(codes, vec![12200, 13215]);
    let d = dial_of(verb);
    assert!(d.numbers.is_empty());
    let c = d.conference.expect("a conference");
    assert_eq!(c.name, "room 1");
    assert!(c.muted && !c.start_conference_on_enter && c.end_conference_on_exit && c.record);
    assert_eq!(c.beep, "onEnter");
    assert_eq!(c.wait_url.as_deref(), Some(""));
    assert_eq!(c.max_participants, 250);
    assert_eq!(c.status_callback_events, vec!["start", "end", "join"]);
    assert_eq!(c.participant_label.as_deref(), Some("host"));
    let (verb, codes) =
        with_warnings("<Response><Dial><Conference>r</Conference></Dial></Response>");
    assert!(codes.is_empty());
    let c = dial_of(verb).conference.expect("a conference");
    assert!(c.start_conference_on_enter && !c.muted && !c.record);
    assert_eq!((c.wait_url, c.max_participants), (None, 250));
}
