//! `<Record>` and answering machine detection over real HTTP: the call's
//! TwiML, its `action`, its recording status callbacks and its AMD callback
//! are requested from a real receiver on loopback, through the outbox,
//! signed.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::receiver::Receiver;
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base, item_under, list_under};
use crate::telephony::buy;
use crate::voice_calls::{
    ANSWERS, codes, duration, ended, input_path, notifications_of, place, requests_to,
    ten_times_faster,
};

/// 30 characters: two seconds of talk at the speaking rate.
const MESSAGE: &str = "Call me back at five, please.!";
/// 60 characters: four seconds of talk.
const LONG_MESSAGE: &str = "I am calling about the order I placed on Monday, number 4471";

/// Queues the caller's input on a call whose first document is still being
/// requested (the receiver answers slowly), so its `<Record>` finds it.
async fn say(s: &TestServer, c: &Creds, call: &Value, form: &[(&str, &str)]) {
    let (status, body) = s.post(c, &input_path(c, call), form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub(crate) async fn recordings_of(s: &TestServer, c: &Creds, call: &Value) -> Vec<Value> {
    let (status, body) = s.get(c, &list_under(call, "Recordings")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["recordings"].as_array().unwrap().clone()
}

server_test!(
    record_posts_the_recording_to_action_and_makes_a_recording,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
            "/leave",
            "<Response><Say>Leave a message</Say><Record action=\"/saved\" maxLength=\"30\" \
             recordingStatusCallback=\"/rec-status\"/><Say>Never said</Say></Response>",
        );
        receiver.answer_twiml("/saved", "<Response><Hangup/></Response>");
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        let leave = receiver.url("/leave");

        receiver.delay_answers(Duration::from_millis(300));
        let call = place(&s, &c, &from, &[("Url", leave.as_str())]).await;
        say(&s, &c, &call, &[("SpeechResult", MESSAGE), ("Digits", "#")]).await;
        let done = ended(&s, &c, &call).await;
        // "Leave a message" (1 s), the beep (1 s), two seconds of talk.
        assert_eq!(duration(&done), 4, "{done}");
        let price: f64 = done["price"].as_str().unwrap().parse().unwrap();
        assert!((price + 0.014).abs() < 1e-9, "{done}");

        let saved = requests_to(&receiver, "/saved", 1).await;
        let r = &saved[0];
        assert_eq!(r.method, "POST");
        assert_signed(r, &receiver, &c.token);
        let sid = r.param("RecordingSid").unwrap();
        assert!(sid.starts_with("RE") && sid.len() == 34, "{r:?}");
        let url = r.param("RecordingUrl").unwrap();
        assert!(
            url.ends_with(&format!("/2010-04-01/Accounts/{}/Recordings/{sid}", c.sid)),
            "{url}"
        );
        assert_eq!(r.param("RecordingDuration").as_deref(), Some("2"));
        assert_eq!(r.param("Digits").as_deref(), Some("#"));
        assert_eq!(r.param("CallSid").as_deref(), call["sid"].as_str());
        assert_eq!(r.param("CallStatus").as_deref(), Some("in-progress"));
        assert_eq!(r.param("To").as_deref(), Some(ANSWERS));

        // A Recording of the call, as the Recordings resource lists it.
        let found = recordings_of(&s, &c, &call).await;
        assert_eq!(found.len(), 1, "{found:?}");
        let rec = &found[0];
        assert_eq!(rec["sid"], sid.as_str());
        assert_eq!(rec["duration"], "2");
        assert_eq!(rec["source"], "RecordVerb");
        assert_eq!(rec["status"], "completed");
        assert_eq!(rec["channels"], 1);
        assert_eq!(rec["call_sid"], call["sid"]);
        let (status, one) = s
            .get(&c, &format!("{}/Recordings/{sid}.json", base(&c)))
            .await;
        assert_eq!(status, StatusCode::OK, "{one}");
        assert_eq!(one["media_url"], url.as_str());

        // Its status callback: `completed` only (the default), signed.
        let hooks = requests_to(&receiver, "/rec-status", 1).await;
        let h = &hooks[0];
        assert_eq!(h.method, "POST");
        assert_signed(h, &receiver, &c.token);
        for (name, want) in [
            ("AccountSid", c.sid.as_str()),
            ("CallSid", call["sid"].as_str().unwrap()),
            ("RecordingSid", sid.as_str()),
            ("RecordingUrl", url.as_str()),
            ("RecordingStatus", "completed"),
            ("RecordingDuration", "2"),
            ("RecordingChannels", "1"),
            ("RecordingSource", "RecordVerb"),
            ("ErrorCode", "0"),
        ] {
            assert_eq!(h.param(name).as_deref(), Some(want), "{name} in {h:?}");
        }
        assert!(h.param("RecordingStartTime").is_some(), "{h:?}");

        // Charged as usage (a minute of recordings), like Record=true.
        let (_, usage) = s
            .get(
                &c,
                &format!("{}/Usage/Records/Today.json?Category=recordings", base(&c)),
            )
            .await;
        assert_eq!(usage["usage_records"][0]["count"], "1", "{usage}");
        assert_eq!(usage["usage_records"][0]["usage"], "1", "{usage}");
        assert!(notifications_of(&s, &c, &call).await.is_empty());
        // The recording status callback went through the one pipeline.
        let kinds = s.delivery_kinds(&c).await;
        assert!(kinds.iter().any(|k| k == "recording-status"), "{kinds:?}");
        assert_eq!(receiver.received().len(), 3, "{:?}", receiver.received());
    }
);

server_test!(silence_max_length_trim_and_empty_recordings, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/silent",
        "<Response><Record timeout=\"3\" action=\"/never\" recordingStatusCallback=\"/rs\" \
         recordingStatusCallbackMethod=\"GET\" recordingStatusCallbackEvent=\"in-progress absent\"/>\
         <Say>No message</Say></Response>",
    );
    receiver.answer_twiml(
        "/untrimmed",
        "<Response><Record timeout=\"2\" trim=\"do-not-trim\" playBeep=\"false\" action=\"/got\" \
         method=\"GET\"/></Response>",
    );
    receiver.answer_twiml(
        "/short",
        "<Response><Record maxLength=\"3\" action=\"/got\"/></Response>",
    );
    receiver.answer_twiml(
        "/endless",
        "<Response><Record timeout=\"0\" maxLength=\"10\" finishOnKey=\"*\" action=\"/got\"/></Response>",
    );
    receiver.answer_twiml("/got", "<Response/>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "212").await;

    // Nothing said: the beep, three seconds of silence, and an empty
    // recording: no Recording, no action, the document goes on.
    let silent = receiver.url("/silent");
    let call = place(&s, &c, &from, &[("Url", silent.as_str())]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 1 + 3 + 1, "{done}");
    assert!(recordings_of(&s, &c, &call).await.is_empty());
    let hooks = requests_to(&receiver, "/rs", 2).await;
    let statuses: Vec<_> = hooks
        .iter()
        .map(|h| h.param("RecordingStatus").unwrap())
        .collect();
    assert!(
        statuses.contains(&"in-progress".to_owned()) && statuses.contains(&"absent".to_owned()),
        "{hooks:?}"
    );
    assert!(hooks.iter().all(|h| h.method == "GET"), "{hooks:?}");
    assert_eq!(
        hooks[0].param("RecordingSid"),
        hooks[1].param("RecordingSid")
    );

    receiver.delay_answers(Duration::from_millis(300));
    // do-not-trim keeps the silence; no beep; GET; no key: no Digits.
    let untrimmed = receiver.url("/untrimmed");
    let call = place(&s, &c, &from, &[("Url", untrimmed.as_str())]).await;
    say(&s, &c, &call, &[("SpeechResult", LONG_MESSAGE)]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 4 + 2, "{done}");
    let got = requests_to(&receiver, "/got", 1).await;
    assert_eq!(got[0].method, "GET");
    assert_eq!(got[0].param("RecordingDuration").as_deref(), Some("6"));
    assert!(got[0].param("Digits").is_none(), "{:?}", got[0]);
    assert_eq!(recordings_of(&s, &c, &call).await[0]["duration"], "6");

    // maxLength cuts the caller off before the key they would press.
    let short = receiver.url("/short");
    let call = place(&s, &c, &from, &[("Url", short.as_str())]).await;
    say(
        &s,
        &c,
        &call,
        &[("SpeechResult", LONG_MESSAGE), ("Digits", "#")],
    )
    .await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 1 + 3, "{done}");
    let got = requests_to(&receiver, "/got", 2).await;
    assert_eq!(got[1].param("RecordingDuration").as_deref(), Some("3"));
    assert!(got[1].param("Digits").is_none(), "{:?}", got[1]);

    // timeout 0: silence never ends it, maxLength does; trimmed to the
    // talk. A key not in finishOnKey does not end it.
    let endless = receiver.url("/endless");
    let call = place(&s, &c, &from, &[("Url", endless.as_str())]).await;
    say(&s, &c, &call, &[("SpeechResult", "Hello"), ("Digits", "#")]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 1 + 10, "{done}");
    let got = requests_to(&receiver, "/got", 3).await;
    assert_eq!(got[2].param("RecordingDuration").as_deref(), Some("1"));

    // finishOnKey="*": the star ends it and is the Digits.
    let call = place(&s, &c, &from, &[("Url", endless.as_str())]).await;
    say(
        &s,
        &c,
        &call,
        &[("SpeechResult", MESSAGE), ("Digits", "5*")],
    )
    .await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 1 + 2, "{done}");
    let got = requests_to(&receiver, "/got", 4).await;
    assert_eq!(got[3].param("Digits").as_deref(), Some("*"));
    assert_eq!(got[3].param("RecordingDuration").as_deref(), Some("2"));

    // An inline document without an action goes on after <Record>.
    let call = place(
        &s,
        &c,
        &from,
        &[(
            "Twiml",
            "<Response><Record playBeep=\"false\" trim=\"do-not-trim\" timeout=\"2\"/><Say>Bye</Say></Response>",
        )],
    )
    .await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 2 + 1, "{done}");
    let found = recordings_of(&s, &c, &call).await;
    assert_eq!(found[0]["duration"], "2", "{found:?}");
});

server_test!(bad_record_attributes_are_warnings_and_defaults, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/bad",
        "<Response><Record maxLength=\"0\" timeout=\"x\" finishOnKey=\"q\" method=\"PUT\" \
         trim=\"maybe\" action=\"/after\"/></Response>",
    );
    receiver.answer_twiml("/after", "<Response/>");
    receiver.answer_twiml(
        "/no-url",
        "<Response><Record action=\"http://[::1\"/></Response>",
    );
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "303").await;

    receiver.delay_answers(Duration::from_millis(300));
    let bad = receiver.url("/bad");
    let call = place(&s, &c, &from, &[("Url", bad.as_str())]).await;
    say(&s, &c, &call, &[("SpeechResult", MESSAGE), ("Digits", "9")]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(done["status"], "completed", "{done}");
    let found = notifications_of(&s, &c, &call).await;
    let mut got = codes(&found);
    got.sort_unstable();
    assert_eq!(
        got,
        ["12200", "13610", "13611", "13612", "13613"],
        "{found:?}"
    );
    assert!(found.iter().all(|(_, log, _)| log == "1"), "{found:?}");
    // The defaults stand in: POST, any key ends it.
    let after = requests_to(&receiver, "/after", 1).await;
    assert_eq!(after[0].method, "POST");
    assert_eq!(after[0].param("Digits").as_deref(), Some("9"));
    assert_eq!(after[0].param("RecordingDuration").as_deref(), Some("2"));

    // An action that is not a URL: error 11100, and the call ends.
    let no_url = receiver.url("/no-url");
    let call = place(&s, &c, &from, &[("Url", no_url.as_str())]).await;
    say(&s, &c, &call, &[("SpeechResult", MESSAGE), ("Digits", "#")]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(codes(&notifications_of(&s, &c, &call).await), ["11100"]);
});

server_test!(
    on_a_running_clock_a_finish_key_ends_the_recording,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        // A minute of silence would take six real seconds at this speed.
        receiver.answer_twiml(
            "/long",
            "<Response><Record timeout=\"60\" trim=\"do-not-trim\" action=\"/done\"/></Response>",
        );
        receiver.answer_twiml("/done", "<Response><Hangup/></Response>");
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "617").await;
        let long = receiver.url("/long");
        let call = place(&s, &c, &from, &[("Url", long.as_str())]).await;
        requests_to(&receiver, "/long", 1).await;
        let started = std::time::Instant::now();
        // About fifteen simulated seconds of talk, then the key.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        say(&s, &c, &call, &[("Digits", "5")]).await;
        let got = requests_to(&receiver, "/done", 1).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(got[0].param("Digits").as_deref(), Some("5"));
        let recorded: i64 = got[0].param("RecordingDuration").unwrap().parse().unwrap();
        assert!((5..40).contains(&recorded), "{:?}", got[0]);
        let done = ended(&s, &c, &call).await;
        assert!(duration(&done) > recorded && duration(&done) < 60, "{done}");
    }
);

server_test!(answering_machine_detection_reports_who_answered, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/amd-voice", "<Response><Say>Hi</Say></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let voice = receiver.url("/amd-voice");
    let calls = format!("{}/Calls.json", base(&c));

    // Synchronous: AnsweredBy on the request for the TwiML, which waits
    // for the detection (1.5 s for a human: 2 s on the call).
    let call = place(
        &s,
        &c,
        &from,
        &[("Url", voice.as_str()), ("MachineDetection", "Enable")],
    )
    .await;
    assert!(call["answered_by"].is_null(), "{call}");
    let done = ended(&s, &c, &call).await;
    assert_eq!(done["answered_by"], "human", "{done}");
    assert_eq!(duration(&done), 2 + 1, "{done}");
    let asked = requests_to(&receiver, "/amd-voice", 1).await;
    assert_eq!(asked[0].param("AnsweredBy").as_deref(), Some("human"));
    assert_eq!(
        asked[0].param("MachineDetectionDuration").as_deref(),
        Some("1500")
    );

    // The test numbers for the other outcomes, under both modes.
    for (to, mode, want) in [
        ("+14155550490", "DetectMessageEnd", "machine_end_beep"),
        ("+14155550491", "DetectMessageEnd", "machine_end_silence"),
        ("+14155550492", "DetectMessageEnd", "machine_end_other"),
        ("+14155550490", "Enable", "machine_start"),
        ("+14155550493", "Enable", "fax"),
        ("+14155550494", "DetectMessageEnd", "unknown"),
    ] {
        let (status, call) = s
            .post(
                &c,
                &calls,
                &[
                    ("To", to),
                    ("From", from.as_str()),
                    ("Url", voice.as_str()),
                    ("MachineDetection", mode),
                    ("MachineDetectionTimeout", "10"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{call}");
        let done = ended(&s, &c, &call).await;
        assert_eq!(done["answered_by"], want, "{to} {mode}: {done}");
        let asked = requests_to(&receiver, "/amd-voice", 1).await;
        let mine = asked
            .iter()
            .find(|r| r.param("CallSid").as_deref() == call["sid"].as_str())
            .unwrap_or_else(|| panic!("{to}: {asked:?}"));
        assert_eq!(mine.param("AnsweredBy").as_deref(), Some(want));
    }
    // `unknown` takes the whole MachineDetectionTimeout.
    let asked = requests_to(&receiver, "/amd-voice", 7).await;
    assert_eq!(
        asked
            .last()
            .and_then(|r| r.param("MachineDetectionDuration"))
            .as_deref(),
        Some("10000")
    );

    // Asynchronous: the TwiML runs at once, the callback says who answered.
    let amd = receiver.url("/amd");
    let (status, call) = s
        .post(
            &c,
            &calls,
            &[
                ("To", "+14155550493"),
                ("From", from.as_str()),
                ("Url", voice.as_str()),
                ("MachineDetection", "Enable"),
                ("AsyncAmd", "true"),
                ("AsyncAmdStatusCallback", amd.as_str()),
                ("AsyncAmdStatusCallbackMethod", "POST"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let done = ended(&s, &c, &call).await;
    assert_eq!(done["answered_by"], "fax", "{done}");
    assert_eq!(duration(&done), 1, "{done}");
    let hooks = requests_to(&receiver, "/amd", 1).await;
    let h = &hooks[0];
    assert_signed(h, &receiver, &c.token);
    assert_eq!(h.param("AnsweredBy").as_deref(), Some("fax"));
    assert_eq!(h.param("CallSid").as_deref(), call["sid"].as_str());
    assert_eq!(h.param("AccountSid").as_deref(), Some(c.sid.as_str()));
    assert_eq!(h.param("MachineDetectionDuration").as_deref(), Some("3000"));
    let asked = requests_to(&receiver, "/amd-voice", 8).await;
    assert!(
        asked
            .iter()
            .filter(|r| r.param("CallSid").as_deref() == call["sid"].as_str())
            .all(|r| r.param("AnsweredBy").is_none()),
        "{asked:?}"
    );

    // Asynchronous without a callback: warning 21262.
    let call = place(
        &s,
        &c,
        &from,
        &[
            ("Url", voice.as_str()),
            ("MachineDetection", "Enable"),
            ("AsyncAmd", "true"),
        ],
    )
    .await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(done["answered_by"], "human", "{done}");
    assert_eq!(codes(&notifications_of(&s, &c, &call).await), ["21262"]);

    // A call that runs no TwiML is detected too; one without detection
    // has no answered_by.
    let call = place(
        &s,
        &c,
        &from,
        &[
            ("Url", "https://app.example.com/twiml"),
            ("MachineDetection", "Enable"),
        ],
    )
    .await;
    assert_eq!(ended(&s, &c, &call).await["answered_by"], "human");
    let call = place(&s, &c, &from, &[("Url", voice.as_str())]).await;
    assert!(ended(&s, &c, &call).await["answered_by"].is_null());

    // Bad input: Twilio's 400s, and nothing placed.
    for (name, value, code) in [
        ("MachineDetection", "Maybe", 20001),
        ("MachineDetectionTimeout", "2", 20001),
        ("MachineDetectionTimeout", "abc", 20001),
        ("AsyncAmd", "sometimes", 20001),
        ("AsyncAmdStatusCallback", "not a url", 21609),
        ("AsyncAmdStatusCallbackMethod", "PUT", 21209),
    ] {
        let mut form = vec![
            ("To", ANSWERS),
            ("From", from.as_str()),
            ("Url", voice.as_str()),
        ];
        if name != "MachineDetection" {
            form.push(("MachineDetection", "Enable"));
        }
        form.push((name, value));
        let (status, body) = s.post(&c, &calls, &form).await;
        assert_twilio_error(status, &body, 400, code);
    }
});

server_test!(dial_record_makes_a_recording_of_the_leg, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/dial-rec",
        "<Response><Dial record=\"record-from-answer-dual\" action=\"/dialled\" \
         recordingStatusCallback=\"/dial-rs\"><Number>+14155550101</Number></Dial></Response>",
    );
    receiver.answer_twiml("/dialled", "<Response/>");
    receiver.answer_twiml(
        "/ringing",
        "<Response><Dial record=\"record-from-ringing\">+14155550102</Dial>\
         <Dial record=\"record-from-answer\">+14155550486</Dial></Response>",
    );
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;

    let url = receiver.url("/dial-rec");
    let call = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    ended(&s, &c, &call).await;
    let action = requests_to(&receiver, "/dialled", 1).await;
    let r = &action[0];
    let talked = r.param("DialCallDuration").unwrap();
    assert_eq!(r.param("RecordingDuration"), Some(talked.clone()), "{r:?}");
    let sid = r.param("RecordingSid").unwrap();
    assert!(r.param("RecordingUrl").unwrap().ends_with(&sid), "{r:?}");
    let found = recordings_of(&s, &c, &call).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["sid"], sid.as_str());
    assert_eq!(found[0]["source"], "DialVerb");
    assert_eq!(found[0]["channels"], 2);
    assert_eq!(found[0]["duration"], talked.as_str());
    let hooks = requests_to(&receiver, "/dial-rs", 1).await;
    let h = &hooks[0];
    assert_signed(h, &receiver, &c.token);
    assert_eq!(h.param("RecordingSource").as_deref(), Some("DialVerb"));
    assert_eq!(h.param("RecordingChannels").as_deref(), Some("2"));
    assert_eq!(h.param("RecordingStatus").as_deref(), Some("completed"));
    assert_eq!(h.param("RecordingSid"), Some(sid));
    assert_eq!(h.param("CallSid").as_deref(), call["sid"].as_str());

    // From the ringing: the leg's ringing (2-6 s) and talk; without an
    // action too. A busy leg records nothing.
    let url = receiver.url("/ringing");
    let call = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    ended(&s, &c, &call).await;
    let (_, legs) = s
        .get(
            &c,
            &format!(
                "{}/Calls.json?ParentCallSid={}&To=%2B14155550102",
                base(&c),
                call["sid"].as_str().unwrap()
            ),
        )
        .await;
    let leg_talk: i64 = legs["calls"][0]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let found = recordings_of(&s, &c, &call).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let recorded: i64 = found[0]["duration"].as_str().unwrap().parse().unwrap();
    assert!(
        (leg_talk + 2..=leg_talk + 6).contains(&recorded),
        "{recorded} vs {leg_talk}"
    );
    assert_eq!(found[0]["channels"], 1);
});

server_test!(a_finished_recording_is_deleted_by_its_account, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/leave", "<Response><Record maxLength=\"30\"/></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let leave = receiver.url("/leave");
    receiver.delay_answers(Duration::from_millis(300));
    let call = place(&s, &c, &from, &[("Url", leave.as_str())]).await;
    say(&s, &c, &call, &[("SpeechResult", MESSAGE), ("Digits", "#")]).await;
    ended(&s, &c, &call).await;
    let found = recordings_of(&s, &c, &call).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let sid = found[0]["sid"].as_str().unwrap().to_owned();
    let top = format!("{}/Recordings/{sid}.json", base(&c));
    let of_call = item_under(&call, "Recordings", &sid);
    let delete = |path: String, who: Creds| {
        let s = &s;
        async move {
            s.call(Some(&who), reqwest::Method::DELETE, &path, &[])
                .await
        }
    };

    // Another account, and another call's path, find nothing to delete.
    let stranger = s.main_account(AccountType::Full).await;
    let (status, body) = delete(top.replace(c.sid.as_str(), stranger.sid.as_str()), stranger).await;
    assert_twilio_error(status, &body, 404, 20404);
    let other_call = of_call.replace(
        call["sid"].as_str().unwrap(),
        "CA0123456789abcdef0123456789abcdef",
    );
    let (status, body) = delete(other_call, c.clone()).await;
    assert_twilio_error(status, &body, 404, 20404);

    // Its own account deletes it, by its call's path; then it is gone.
    let (status, body) = delete(of_call, c.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s.get(&c, &top).await;
    assert_twilio_error(status, &body, 404, 20404);
    assert!(recordings_of(&s, &c, &call).await.is_empty());
    let (status, body) = delete(top, c.clone()).await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(a_calls_recordings_are_read_in_twilios_shapes, |s| {
    use crate::openapi::{self, assert_answer};
    let c = s.main_account(AccountType::Full).await;
    let (status, call) = s
        .post(
            &c,
            &format!("{}/Calls.json", base(&c)),
            &[
                ("To", "+14155550100"),
                ("From", "+15005550006"),
                ("Url", "https://demo.twilio.com/docs/voice.xml"),
                ("Record", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    ended(&s, &c, &call).await;
    let found = recordings_of(&s, &c, &call).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let sid = found[0]["sid"].as_str().unwrap();
    let ca = call["sid"].as_str().unwrap();
    // Through the call: Twilio's call_recording (track, a uri under the
    // call, no media_url or subresource_uris).
    let list = format!("{}/Calls/{ca}/Recordings.json", base(&c));
    let (status, page) = s.get(&c, &list).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let calls_list = "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json";
    assert_answer(openapi::api_2010(), calls_list, "get", 200, &page);
    let item = format!("{}/Calls/{ca}/Recordings/{sid}.json", base(&c));
    let (status, one) = s.get(&c, &item).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    let calls_item = "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid}.json";
    assert_answer(openapi::api_2010(), calls_item, "get", 200, &one);
    assert_eq!(one["uri"], item.as_str());
    assert_eq!(one["track"], "both");
    assert_eq!(page["recordings"][0], one);
    // Through the account: Twilio's recording.
    let top = format!("{}/Recordings/{sid}.json", base(&c));
    let (status, account_view) = s.get(&c, &top).await;
    assert_eq!(status, StatusCode::OK, "{account_view}");
    let account_item = "/2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json";
    assert_answer(openapi::api_2010(), account_item, "get", 200, &account_view);
    assert_eq!(account_view["uri"], top.as_str());
    let (status, all) = s.get(&c, &format!("{}/Recordings.json", base(&c))).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let account_list = "/2010-04-01/Accounts/{AccountSid}/Recordings.json";
    assert_answer(openapi::api_2010(), account_list, "get", 200, &all);
});
