//! Voice's schema: what the answer to a call's webhook may say.
//!
//! Only reading happens here. How long each verb takes, where an `action`
//! goes when it is absent (the document's own URL, for `<Gather>` and
//! `<Record>`) and what a caller's input does are the call engine's, which
//! holds these typed verbs.

use switchboard_types::HookMethod;

use crate::document::{self, Body, Element, trim_xml_space};
use crate::error::{TwimlError, TwimlWarning, bounded, codes};
use crate::messaging::RedirectVerb;
use crate::schema::{Checker, Counting};

/// A voice answer, checked: the verbs to execute in order, and the warnings
/// to record (each about something skipped or defaulted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceResponse {
    /// The verbs to execute, in document order. Nothing follows a verb that
    /// never returns ([`VoiceVerb::ends_document`]): Twilio never reaches
    /// verbs after `<Redirect>`, `<Hangup>` or `<Reject>`.
    pub verbs: Vec<VoiceVerb>,
    /// Warnings about the document, in document order.
    pub warnings: Vec<TwimlWarning>,
}

/// One verb of a voice answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoiceVerb {
    Say(SayVerb),
    Play(PlayVerb),
    Pause(PauseVerb),
    Gather(GatherVerb),
    Dial(DialVerb),
    Record(RecordVerb),
    /// `<Redirect>`: fetch the next document and execute it instead.
    Redirect(RedirectVerb),
    /// `<Hangup>`: end the call.
    Hangup,
    /// `<Reject>`: refuse the call without answering it (only meaningful as
    /// an inbound call's first verb; otherwise it hangs up).
    Reject(RejectReason),
    /// `<Enqueue>`: put the call in a queue, where it waits.
    Enqueue(EnqueueVerb),
    /// `<Leave>`: a call waiting in a queue leaves it (in its `waitUrl`
    /// document); elsewhere nothing happens.
    Leave,
}

/// `<Enqueue>`: the call joins the queue it names (made on first use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnqueueVerb {
    /// The queue's name, 1 to 64 characters, whitespace trimmed.
    pub name: String,
    /// `action`, trimmed, as written: requested when the call leaves the
    /// queue, with `QueueResult`. Without it the document goes on.
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: HookMethod,
    /// `waitUrl`, trimmed, as written: the document the call runs while it
    /// waits. Without it the call waits in silence.
    pub wait_url: Option<String>,
    /// `waitUrlMethod`.
    pub wait_url_method: HookMethod,
}

/// `<Dial><Queue>`: connect to the call at the front of a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialQueue {
    /// The queue's name, 1 to 64 characters, whitespace trimmed.
    pub name: String,
    /// `url`, trimmed, as written: a document played to the dequeued call
    /// (a whisper) before the two are connected.
    pub url: Option<String>,
    /// `method` for `url`.
    pub method: HookMethod,
}

impl VoiceVerb {
    /// Whether the document ends with this verb, whatever happens in it.
    pub fn ends_document(&self) -> bool {
        matches!(
            self,
            VoiceVerb::Redirect(_) | VoiceVerb::Hangup | VoiceVerb::Reject(_)
        )
    }
}

/// `<Say>`: speak text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SayVerb {
    /// The text, SSML elements' text included, whitespace runs collapsed.
    pub text: String,
    /// `voice`, as written (`man`, `woman`, `Polly.Joanna`…).
    pub voice: Option<String>,
    /// `language`, as written (`en-US`…).
    pub language: Option<String>,
    /// `loop`: how many times; 0 repeats until the call ends (see
    /// [`LOOP_FOREVER`]).
    pub loops: u32,
}

/// What `loop="0"` means: Twilio repeats up to 1,000 times.
pub const LOOP_FOREVER: u32 = 1000;

/// What `<Play>` plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audio {
    /// A URL, trimmed, as written (relative or absolute).
    Url(String),
    /// The answer itself: the webhook answered with an audio file.
    Answer,
}

/// `<Play>`: play an audio file, or DTMF tones (`digits`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayVerb {
    /// `None` when only `digits` are played.
    pub audio: Option<Audio>,
    /// `digits`: DTMF tones (`0`–`9`, `*`, `#`) and half-second waits (`w`).
    pub digits: Option<String>,
    /// `loop`: 0 repeats until the call ends.
    pub loops: u32,
}

/// `<Pause>`: silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PauseVerb {
    /// `length` in seconds; 1 unless given.
    pub length_secs: u32,
}

/// What `<Gather>` says or plays while it listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    Say(SayVerb),
    Play(PlayVerb),
    Pause(PauseVerb),
}

/// `<Gather>`'s `speechTimeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeechTimeout {
    /// `auto`: speech ends when the caller stops talking.
    Auto,
    /// Seconds of silence that end speech.
    Secs(u32),
}

/// `<Gather>`: collect digits or speech and post them to `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatherVerb {
    /// `input` has `dtmf` (the default).
    pub dtmf: bool,
    /// `input` has `speech`.
    pub speech: bool,
    /// `timeout`: seconds to wait for the first digit (and between digits);
    /// 5 unless given.
    pub timeout_secs: u32,
    /// `speechTimeout`; without it speech ends after `timeout`.
    pub speech_timeout: Option<SpeechTimeout>,
    /// `numDigits`: digits that complete the input.
    pub num_digits: Option<u32>,
    /// `finishOnKey`: the key that ends the input (`#` unless given); `None`
    /// when given empty, so no key ends it.
    pub finish_on_key: Option<char>,
    /// `action`, trimmed, as written; `None` posts to the document's URL.
    pub action: Option<String>,
    /// `method` for `action`; `POST` unless `GET` is given.
    pub method: HookMethod,
    /// `actionOnEmptyResult`: post to `action` even without input.
    pub action_on_empty_result: bool,
    /// The nested `<Say>`, `<Play>` and `<Pause>`, in order.
    pub prompts: Vec<Prompt>,
}

/// `<Dial record>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialRecording {
    DoNotRecord,
    FromAnswer,
    FromRinging,
    FromAnswerDual,
    FromRingingDual,
}

/// Whom `<Dial>` calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialNumber {
    /// The number, trimmed, as written (the engine checks it: 13224).
    pub number: String,
    /// `sendDigits`: DTMF played once the number answers.
    pub send_digits: Option<String>,
    /// `url`: a document played to the called party before connecting.
    pub url: Option<String>,
    /// `method` for `url`.
    pub method: HookMethod,
    /// `statusCallback` for the dialled leg.
    pub status_callback: Option<String>,
    /// `statusCallbackMethod`.
    pub status_callback_method: HookMethod,
    /// `statusCallbackEvent`, split on spaces (`initiated ringing answered
    /// completed`); empty means `completed` only.
    pub status_callback_events: Vec<String>,
}

/// `<Dial><Conference>`: join the account's conference of that name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialConference {
    /// The conference's friendly name, trimmed.
    pub name: String,
    /// `muted`: joins unable to speak.
    pub muted: bool,
    /// `beep`: `true`, `false`, `onEnter` or `onExit` (`true` unless given).
    pub beep: String,
    /// `startConferenceOnEnter` (`true` unless given).
    pub start_conference_on_enter: bool,
    /// `endConferenceOnExit`.
    pub end_conference_on_exit: bool,
    /// `waitUrl`: `None` for Twilio's default hold music, `Some("")` for
    /// silence, else the document played while the conference waits.
    pub wait_url: Option<String>,
    /// `waitMethod` (`POST` unless given).
    pub wait_method: HookMethod,
    /// `maxParticipants`: 1 to 250 (250 unless given).
    pub max_participants: u32,
    /// `record="record-from-start"`.
    pub record: bool,
    /// `statusCallback` for the conference's events.
    pub status_callback: Option<String>,
    /// `statusCallbackMethod`.
    pub status_callback_method: HookMethod,
    /// `statusCallbackEvent`, split on spaces (`start end join leave mute
    /// hold modify speaker announcement`).
    pub status_callback_events: Vec<String>,
    /// `coach`: the SID of the call this participant coaches.
    pub coach: Option<String>,
    /// `participantLabel`.
    pub participant_label: Option<String>,
    /// `recordingStatusCallback`.
    pub recording_status_callback: Option<String>,
    /// `recordingStatusCallbackMethod`.
    pub recording_status_callback_method: HookMethod,
    /// `recordingStatusCallbackEvent`, split on spaces (`in-progress
    /// completed absent`); empty means `completed`.
    pub recording_status_callback_events: Vec<String>,
}

/// `<Dial>`: call numbers and connect the caller to the first that answers,
/// or join a conference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialVerb {
    /// `<Number>` nouns, or the number written directly inside `<Dial>`.
    pub numbers: Vec<DialNumber>,
    /// `<Conference>`: when given, the `<Dial>` joins it (and has no
    /// numbers).
    pub conference: Option<Box<DialConference>>,
    /// `callerId`, as written; the call's own caller ID unless given.
    pub caller_id: Option<String>,
    /// `timeout`: seconds to ring; 30 unless given.
    pub timeout_secs: u32,
    /// `timeLimit`: the longest the dialled call lasts; 14,400 unless given.
    pub time_limit_secs: u32,
    /// `action`, trimmed, as written: where `DialCallStatus` goes when the
    /// dialled call ends. Without it the document goes on after `<Dial>`.
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: HookMethod,
    /// `hangupOnStar`.
    pub hangup_on_star: bool,
    /// `record`.
    pub record: DialRecording,
    /// `recordingStatusCallback`.
    pub recording_status_callback: Option<String>,
    /// `recordingStatusCallbackMethod`.
    pub recording_status_callback_method: HookMethod,
    /// `recordingStatusCallbackEvent`, split on spaces; empty means
    /// `completed` only.
    pub recording_status_callback_events: Vec<String>,
    /// `<Queue>`: the call at the front of this queue is the one connected
    /// (then `numbers` is empty: a `<Queue>` is dialled alone).
    pub queue: Option<DialQueue>,
}

/// `<Record>`: record the caller and post the recording to `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVerb {
    /// `action`, trimmed, as written; `None` posts to the document's URL.
    pub action: Option<String>,
    /// `method` for `action`.
    pub method: HookMethod,
    /// `timeout`: seconds of silence that end the recording; 5 unless
    /// given; 0 never ends it on silence.
    pub timeout_secs: u32,
    /// `finishOnKey`: keys that end the recording (`1234567890*#` unless
    /// given); empty when none does.
    pub finish_on_key: String,
    /// `maxLength`: the longest recording in seconds; 3,600 unless given.
    pub max_length_secs: u32,
    /// `playBeep`; true unless given.
    pub play_beep: bool,
    /// `recordingStatusCallback`.
    pub recording_status_callback: Option<String>,
    /// `recordingStatusCallbackMethod`.
    pub recording_status_callback_method: HookMethod,
    /// `recordingStatusCallbackEvent`, split on spaces (`in-progress
    /// completed absent`); empty means `completed` only.
    pub recording_status_callback_events: Vec<String>,
    /// `trim`: whether silence at the start and end is cut from the
    /// recording (`trim-silence`, the default) or kept (`do-not-trim`).
    pub trim_silence: bool,
    /// `transcribe`.
    pub transcribe: bool,
    /// `transcribeCallback`.
    pub transcribe_callback: Option<String>,
}

/// `<Reject reason>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// `rejected` (the default): the caller hears that the number is not in
    /// service.
    Rejected,
    /// `busy`: the caller hears a busy signal.
    Busy,
}

/// Twilio's warning codes for voice verbs' attributes and nesting.
pub mod voice_codes {
    pub const DIAL_METHOD: u32 = 13210;
    pub const DIAL_TIMEOUT: u32 = 13212;
    pub const DIAL_CALLER_ID: u32 = 13214;
    pub const DIAL_NESTED: u32 = 13215;
    pub const DIAL_TIME_LIMIT: u32 = 13216;
    pub const DIAL_RECORD: u32 = 13217;
    pub const DIAL_NUMBER_METHOD: u32 = 13221;
    pub const GATHER_FINISH_ON_KEY: u32 = 13310;
    pub const GATHER_METHOD: u32 = 13312;
    pub const GATHER_TIMEOUT: u32 = 13313;
    pub const GATHER_NUM_DIGITS: u32 = 13314;
    pub const GATHER_NESTED: u32 = 13320;
    pub const GATHER_SAY_LOOP: u32 = 13322;
    pub const GATHER_SPEECH_TIMEOUT: u32 = 13327;
    pub const GATHER_ACTION_ON_EMPTY_RESULT: u32 = 13338;
    pub const PLAY_LOOP: u32 = 13410;
    pub const SAY_LOOP: u32 = 13510;
    pub const SAY_TEXT: u32 = 13520;
    pub const RECORD_METHOD: u32 = 13610;
    pub const RECORD_TIMEOUT: u32 = 13611;
    pub const RECORD_MAX_LENGTH: u32 = 13612;
    pub const RECORD_FINISH_ON_KEY: u32 = 13613;
    pub const REDIRECT_METHOD: u32 = 13710;
    pub const PAUSE_LENGTH: u32 = 13910;
    pub const ENQUEUE_NAME_SHORT: u32 = 14204;
    pub const ENQUEUE_NAME_LONG: u32 = 14205;
    pub const DIAL_QUEUE_NAME_SHORT: u32 = 14212;
    pub const DIAL_QUEUE_NAME_LONG: u32 = 14213;
}

use voice_codes as vc;

/// Voice verbs Twilio has and Switchboard does not simulate yet: skipped
/// with a warning.
pub(crate) const UNSIMULATED_VERBS: &[&str] = &["Connect", "Echo", "Pay", "Refer", "Start", "Stop"];

/// Every voice verb, for the messaging schema's 14110 and case hints.
pub(crate) const VOICE_VERBS: &[&str] = &[
    "Connect", "Dial", "Echo", "Enqueue", "Gather", "Hangup", "Leave", "Pause", "Pay", "Play",
    "Record", "Redirect", "Refer", "Reject", "Say", "Start", "Stop",
];

/// SSML elements `<Say>` may hold; their text is spoken.
const SSML: &[&str] = &[
    "break",
    "emphasis",
    "lang",
    "p",
    "phoneme",
    "prosody",
    "s",
    "say-as",
    "sub",
    "w",
    "amazon:domain",
    "amazon:effect",
];

/// Reads the answer to a call's webhook (its `Url`, a number's `VoiceUrl`,
/// an application's voice URL, a `<Redirect>`'s or an `action`'s URL).
///
/// - An empty or whitespace-only body has no verbs: the call hangs up.
/// - `text/xml`, `application/xml` and `text/html` are TwiML.
/// - `audio/*` is played, as one `<Play>` of the answer itself.
/// - Anything else (`text/plain` too), or a body without a `Content-Type`,
///   is refused (12300).
///
/// See `docs/twiml.md` for every rule.
pub fn parse_voice(body: &[u8], content_type: Option<&str>) -> Result<VoiceResponse, TwimlError> {
    let accepts = document::Accepts {
        plain_text: false,
        audio: true,
    };
    match document::classify(body, content_type, accepts)? {
        Body::Empty => Ok(VoiceResponse::default()),
        Body::Audio => Ok(VoiceResponse {
            verbs: vec![VoiceVerb::Play(PlayVerb {
                audio: Some(Audio::Answer),
                digits: None,
                loops: 1,
            })],
            warnings: Vec::new(),
        }),
        // Not accepted above, so never returned.
        Body::PlainText(_) => Ok(VoiceResponse::default()),
        Body::Xml(text) => Ok(check(&document::parse_response(text)?)),
    }
}

fn check(response: &Element) -> VoiceResponse {
    let mut checker = Checker::default();
    checker.attributes(response, &[]);
    checker.no_text(response);
    let mut verbs = Vec::new();
    // Verbs after one that ends the document are still checked, so their
    // warnings show, but never run.
    let mut reachable = true;
    for element in response.child_elements() {
        let verb = match element.name.as_str() {
            "Say" => say(&mut checker, element, vc::SAY_LOOP).map(VoiceVerb::Say),
            "Play" => play(&mut checker, element).map(VoiceVerb::Play),
            "Pause" => Some(VoiceVerb::Pause(pause(&mut checker, element))),
            "Gather" => Some(VoiceVerb::Gather(gather(&mut checker, element))),
            "Dial" => dial(&mut checker, element).map(VoiceVerb::Dial),
            "Record" => Some(VoiceVerb::Record(record(&mut checker, element))),
            "Redirect" => redirect(&mut checker, element).map(VoiceVerb::Redirect),
            "Hangup" => {
                checker.attributes(element, &[]);
                checker.no_text(element);
                checker.no_children(element);
                Some(VoiceVerb::Hangup)
            }
            "Reject" => Some(VoiceVerb::Reject(reject(&mut checker, element))),
            "Enqueue" => enqueue(&mut checker, element).map(VoiceVerb::Enqueue),
            "Leave" => {
                checker.attributes(element, &[]);
                checker.no_text(element);
                checker.no_children(element);
                Some(VoiceVerb::Leave)
            }
            name if UNSIMULATED_VERBS.contains(&name) => {
                checker.warn(
                    codes::SCHEMA,
                    element.line,
                    format!("<{name}> is not simulated by Switchboard yet and is skipped"),
                );
                None
            }
            name @ ("Message" | "Sms") => {
                checker.warn(
                    codes::SCHEMA,
                    element.line,
                    format!(
                        "<{name}> is a messaging verb and is skipped: send a message from a call with the Messages API"
                    ),
                );
                None
            }
            name => {
                checker.warn(
                    codes::SCHEMA,
                    element.line,
                    format!(
                        "unknown verb <{}> is skipped{}",
                        bounded(name),
                        crate::messaging::case_hint(name)
                    ),
                );
                None
            }
        };
        if let Some(verb) = verb
            && reachable
        {
            reachable = !verb.ends_document();
            verbs.push(verb);
        }
    }
    VoiceResponse {
        verbs,
        warnings: checker.warnings,
    }
}

/// The text of an element and its descendants, in order, with runs of
/// whitespace made one space, trimmed.
fn spoken_text(element: &Element, checker: &mut Checker) -> String {
    fn collect(element: &Element, checker: &mut Checker, out: &mut String) {
        for node in &element.children {
            match node {
                document::Node::Text(text) => out.push_str(text),
                document::Node::Element(child) => {
                    if !SSML.contains(&child.name.as_str()) {
                        checker.warn(
                            codes::SCHEMA,
                            child.line,
                            format!(
                                "<{}> is not an SSML element <Say> takes; its text is spoken as is",
                                bounded(&child.name)
                            ),
                        );
                    }
                    out.push(' ');
                    collect(child, checker, out);
                    out.push(' ');
                }
            }
        }
    }
    let mut raw = String::new();
    collect(element, checker, &mut raw);
    raw.split(|c: char| c.is_ascii() && document::is_xml_space(c as u8))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn say(checker: &mut Checker, element: &Element, loop_code: u32) -> Option<SayVerb> {
    let attributes = checker.attributes(element, &["voice", "language", "loop"]);
    let loops = checker.number(&attributes, "loop", (Counting::Natural, 1), loop_code);
    let text = spoken_text(element, checker);
    if text.is_empty() {
        checker.warn(
            vc::SAY_TEXT,
            element.line,
            "<Say> has no text and is skipped",
        );
        return None;
    }
    Some(SayVerb {
        text,
        voice: attributes.get("voice").map(str::to_owned),
        language: attributes.get("language").map(str::to_owned),
        loops,
    })
}

fn play(checker: &mut Checker, element: &Element) -> Option<PlayVerb> {
    let attributes = checker.attributes(element, &["loop", "digits"]);
    checker.no_children(element);
    let loops = checker.number(&attributes, "loop", (Counting::Natural, 1), vc::PLAY_LOOP);
    let digits = attributes.get("digits").and_then(|digits| {
        if digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'w' | 'W'))
        {
            Some(digits.to_owned())
        } else {
            checker.warn(
                codes::SCHEMA,
                element.line,
                format!(
                    "digits {:?} on <Play> may hold only 0-9, *, # and w; they are not played",
                    bounded(digits)
                ),
            );
            None
        }
    });
    let url = element.own_text();
    let url = trim_xml_space(&url);
    let audio = (!url.is_empty()).then(|| Audio::Url(url.to_owned()));
    if audio.is_none() && digits.is_none() {
        checker.warn(
            codes::SCHEMA,
            element.line,
            "<Play> has neither a URL nor digits and is skipped",
        );
        return None;
    }
    Some(PlayVerb {
        audio,
        digits,
        loops,
    })
}

fn pause(checker: &mut Checker, element: &Element) -> PauseVerb {
    let attributes = checker.attributes(element, &["length"]);
    checker.no_text(element);
    checker.no_children(element);
    PauseVerb {
        length_secs: checker.number(
            &attributes,
            "length",
            (Counting::Positive, 1),
            vc::PAUSE_LENGTH,
        ),
    }
}

const GATHER_ATTRIBUTES: &[&str] = &[
    "action",
    "actionOnEmptyResult",
    "bargeIn",
    "debug",
    "enhanced",
    "finishOnKey",
    "hints",
    "input",
    "language",
    "maxSpeechTime",
    "method",
    "numDigits",
    "partialResultCallback",
    "partialResultCallbackMethod",
    "profanityFilter",
    "speechModel",
    "speechTimeout",
    "timeout",
];

fn gather(checker: &mut Checker, element: &Element) -> GatherVerb {
    let attributes = checker.attributes(element, GATHER_ATTRIBUTES);
    checker.no_text(element);
    let (mut dtmf, mut speech) = (true, false);
    if let Some(input) = attributes.get("input") {
        let words: Vec<&str> = input.split_whitespace().collect();
        if !words.is_empty() && words.iter().all(|w| matches!(*w, "dtmf" | "speech")) {
            dtmf = words.contains(&"dtmf");
            speech = words.contains(&"speech");
        } else {
            checker.warn(
                codes::SCHEMA,
                element.line,
                format!(
                    "input {:?} on <Gather> is not dtmf, speech or \"dtmf speech\"; dtmf is used",
                    bounded(input)
                ),
            );
        }
    }
    let timeout_secs = checker.number(
        &attributes,
        "timeout",
        (Counting::Positive, 5),
        vc::GATHER_TIMEOUT,
    );
    let speech_timeout = match attributes.get("speechTimeout") {
        None => None,
        Some("auto") => Some(SpeechTimeout::Auto),
        Some(_) => Some(SpeechTimeout::Secs(checker.number(
            &attributes,
            "speechTimeout",
            (Counting::Positive, timeout_secs),
            vc::GATHER_SPEECH_TIMEOUT,
        ))),
    };
    let num_digits = attributes.get("numDigits").map(|_| {
        checker.number(
            &attributes,
            "numDigits",
            (Counting::Positive, 1),
            vc::GATHER_NUM_DIGITS,
        )
    });
    let finish_on_key = match attributes.given("finishOnKey") {
        None => Some('#'),
        Some("") => None,
        Some(value) => {
            let mut chars = value.chars();
            match (chars.next(), chars.next()) {
                (Some(key), None) if key.is_ascii_digit() || key == '*' || key == '#' => Some(key),
                _ => {
                    checker.warn(
                        vc::GATHER_FINISH_ON_KEY,
                        element.line,
                        format!(
                            "finishOnKey {:?} on <Gather> is not one of 0-9, * or #; # is used",
                            bounded(value)
                        ),
                    );
                    Some('#')
                }
            }
        }
    };
    let method = checker.method(element, attributes.get("method"), vc::GATHER_METHOD);
    let action_on_empty_result = checker.boolean(
        &attributes,
        "actionOnEmptyResult",
        false,
        vc::GATHER_ACTION_ON_EMPTY_RESULT,
    );
    let mut prompts = Vec::new();
    for child in element.child_elements() {
        match child.name.as_str() {
            "Say" => prompts.extend(say(checker, child, vc::GATHER_SAY_LOOP).map(Prompt::Say)),
            "Play" => prompts.extend(play(checker, child).map(Prompt::Play)),
            "Pause" => prompts.push(Prompt::Pause(pause(checker, child))),
            name => checker.warn(
                vc::GATHER_NESTED,
                child.line,
                format!(
                    "<{}> is not allowed inside <Gather> and is skipped; it holds <Say>, <Play> and <Pause>",
                    bounded(name)
                ),
            ),
        }
    }
    GatherVerb {
        dtmf,
        speech,
        timeout_secs,
        speech_timeout,
        num_digits,
        finish_on_key,
        action: attributes.get("action").map(str::to_owned),
        method,
        action_on_empty_result,
        prompts,
    }
}

const DIAL_ATTRIBUTES: &[&str] = &[
    "action",
    "answerOnBridge",
    "callerId",
    "callReason",
    "events",
    "hangupOnStar",
    "method",
    "record",
    "recordingStatusCallback",
    "recordingStatusCallbackEvent",
    "recordingStatusCallbackMethod",
    "recordingTrack",
    "referMethod",
    "referUrl",
    "ringTone",
    "sequential",
    "timeLimit",
    "timeout",
    "trim",
];

const NUMBER_ATTRIBUTES: &[&str] = &[
    "amdStatusCallback",
    "amdStatusCallbackMethod",
    "byoc",
    "machineDetection",
    "machineDetectionSilenceTimeout",
    "machineDetectionSpeechEndThreshold",
    "machineDetectionSpeechThreshold",
    "machineDetectionTimeout",
    "method",
    "sendDigits",
    "statusCallback",
    "statusCallbackEvent",
    "statusCallbackMethod",
    "url",
];

const CONFERENCE_ATTRIBUTES: &[&str] = &[
    "beep",
    "coach",
    "endConferenceOnExit",
    "eventCallbackUrl",
    "jitterBufferSize",
    "maxParticipants",
    "muted",
    "participantLabel",
    "record",
    "recordingStatusCallback",
    "recordingStatusCallbackEvent",
    "recordingStatusCallbackMethod",
    "region",
    "startConferenceOnEnter",
    "statusCallback",
    "statusCallbackEvent",
    "statusCallbackMethod",
    "trim",
    "waitMethod",
    "waitUrl",
];

/// `<Dial>`'s nouns Switchboard does not simulate yet.
const UNSIMULATED_NOUNS: &[&str] = &["Application", "Client", "Sim", "Sip", "WhatsApp"];

fn dial(checker: &mut Checker, element: &Element) -> Option<DialVerb> {
    let attributes = checker.attributes(element, DIAL_ATTRIBUTES);
    let method = checker.method(element, attributes.get("method"), vc::DIAL_METHOD);
    let timeout_secs = checker.number(
        &attributes,
        "timeout",
        (Counting::Positive, 30),
        vc::DIAL_TIMEOUT,
    );
    let time_limit_secs = checker.number(
        &attributes,
        "timeLimit",
        (Counting::Positive, 14_400),
        vc::DIAL_TIME_LIMIT,
    );
    let hangup_on_star = checker.boolean(&attributes, "hangupOnStar", false, codes::SCHEMA);
    let record = match attributes.get("record") {
        None | Some("do-not-record" | "false") => DialRecording::DoNotRecord,
        Some("record-from-answer" | "true") => DialRecording::FromAnswer,
        Some("record-from-ringing") => DialRecording::FromRinging,
        Some("record-from-answer-dual") => DialRecording::FromAnswerDual,
        Some("record-from-ringing-dual") => DialRecording::FromRingingDual,
        Some(value) => {
            checker.warn(
                vc::DIAL_RECORD,
                element.line,
                format!(
                    "record {:?} on <Dial> is not do-not-record, record-from-answer, record-from-ringing, record-from-answer-dual or record-from-ringing-dual; the call is not recorded",
                    bounded(value)
                ),
            );
            DialRecording::DoNotRecord
        }
    };
    let caller_id = attributes.get("callerId").and_then(|value| {
        if value.chars().count() > 255 {
            checker.warn(
                vc::DIAL_CALLER_ID,
                element.line,
                "callerId on <Dial> is longer than 255 characters; the call's own caller ID is used",
            );
            None
        } else {
            Some(value.to_owned())
        }
    });
    let recording_status_callback_method = checker.method(
        element,
        attributes.get("recordingStatusCallbackMethod"),
        codes::SCHEMA,
    );

    let mut numbers = Vec::new();
    let mut queue = None;
    let mut conference_noun = None;
    let direct = element.own_text();
    let direct = trim_xml_space(&direct);
    for child in element.child_elements() {
        match child.name.as_str() {
            "Number" if conference_noun.is_some() => checker.warn(
                vc::DIAL_NESTED,
                child.line,
                "<Number> beside <Conference> in one <Dial> is skipped",
            ),
            "Number" => numbers.extend(number(checker, child)),
            "Queue" if queue.is_some() || conference_noun.is_some() => checker.warn(
                vc::DIAL_NESTED,
                child.line,
                "<Dial> dials one <Queue> or <Conference>; this one is skipped",
            ),
            "Queue" => queue = dial_queue(checker, child),
            "Conference" if conference_noun.is_some() || queue.is_some() || !numbers.is_empty() => {
                checker.warn(
                    vc::DIAL_NESTED,
                    child.line,
                    "<Conference> beside another noun in one <Dial> is skipped",
                )
            }
            "Conference" => conference_noun = conference(checker, child).map(Box::new),
            name if UNSIMULATED_NOUNS.contains(&name) => checker.warn(
                codes::SCHEMA,
                child.line,
                format!("<Dial><{name}> is not simulated by Switchboard yet and is skipped"),
            ),
            name => checker.warn(
                vc::DIAL_NESTED,
                child.line,
                format!(
                    "<{}> is not allowed inside <Dial> and is skipped",
                    bounded(name)
                ),
            ),
        }
    }
    if queue.is_some() && (!numbers.is_empty() || !direct.is_empty()) {
        checker.warn(
            vc::DIAL_NESTED,
            element.line,
            "<Dial><Queue> is dialled alone; the numbers beside it are skipped",
        );
        numbers.clear();
    } else if !direct.is_empty() && conference_noun.is_none() {
        if numbers.is_empty() {
            numbers.push(DialNumber {
                number: direct.to_owned(),
                send_digits: None,
                url: None,
                method: HookMethod::Post,
                status_callback: None,
                status_callback_method: HookMethod::Post,
                status_callback_events: Vec::new(),
            });
        } else {
            checker.warn(
                codes::SCHEMA,
                element.line,
                "text directly inside <Dial> beside <Number> is ignored",
            );
        }
    }
    if numbers.is_empty() && queue.is_none() && conference_noun.is_none() {
        checker.warn(
            codes::SCHEMA,
            element.line,
            "<Dial> has no number Switchboard can call and is skipped",
        );
        return None;
    }
    Some(DialVerb {
        numbers,
        conference: conference_noun,
        caller_id,
        timeout_secs,
        time_limit_secs,
        action: attributes.get("action").map(str::to_owned),
        method,
        hangup_on_star,
        record,
        recording_status_callback: attributes.get("recordingStatusCallback").map(str::to_owned),
        recording_status_callback_method,
        recording_status_callback_events: attributes
            .get("recordingStatusCallbackEvent")
            .map(|events| events.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        queue,
    })
}

/// A queue's name as `<Enqueue>` or `<Dial><Queue>` writes it: 1 to 64
/// characters (`short`, `long`: the codes when it is not).
fn queue_name(
    checker: &mut Checker,
    element: &Element,
    (short, long): (u32, u32),
) -> Option<String> {
    let text = element.own_text();
    let name = trim_xml_space(&text);
    let verb = if element.name == "Queue" {
        "<Dial><Queue>"
    } else {
        "<Enqueue>"
    };
    if name.is_empty() {
        checker.warn(
            short,
            element.line,
            format!("{verb} names no queue and is skipped"),
        );
        return None;
    }
    if name.chars().count() > 64 {
        checker.warn(
            long,
            element.line,
            format!("{verb}'s queue name is longer than 64 characters; it is skipped"),
        );
        return None;
    }
    Some(name.to_owned())
}

const ENQUEUE_ATTRIBUTES: &[&str] = &[
    "action",
    "maxQueueSize",
    "method",
    "waitUrl",
    "waitUrlMethod",
    "workflowSid",
];

fn enqueue(checker: &mut Checker, element: &Element) -> Option<EnqueueVerb> {
    let attributes = checker.attributes(element, ENQUEUE_ATTRIBUTES);
    for child in element.child_elements() {
        checker.warn(
            codes::SCHEMA,
            child.line,
            format!(
                "<{}> inside <Enqueue> is not simulated by Switchboard (TaskRouter) and is skipped",
                bounded(&child.name)
            ),
        );
    }
    let method = checker.method(element, attributes.get("method"), codes::SCHEMA);
    let wait_url_method = checker.method(element, attributes.get("waitUrlMethod"), codes::SCHEMA);
    let name = queue_name(
        checker,
        element,
        (vc::ENQUEUE_NAME_SHORT, vc::ENQUEUE_NAME_LONG),
    )?;
    Some(EnqueueVerb {
        name,
        action: attributes.get("action").map(str::to_owned),
        method,
        wait_url: attributes.get("waitUrl").map(str::to_owned),
        wait_url_method,
    })
}

fn dial_queue(checker: &mut Checker, element: &Element) -> Option<DialQueue> {
    let attributes = checker.attributes(
        element,
        &["method", "postWorkActivitySid", "reservationSid", "url"],
    );
    checker.no_children(element);
    let method = checker.method(element, attributes.get("method"), codes::SCHEMA);
    let name = queue_name(
        checker,
        element,
        (vc::DIAL_QUEUE_NAME_SHORT, vc::DIAL_QUEUE_NAME_LONG),
    )?;
    Some(DialQueue {
        name,
        url: attributes.get("url").map(str::to_owned),
        method,
    })
}

fn conference(checker: &mut Checker, element: &Element) -> Option<DialConference> {
    let attributes = checker.attributes(element, CONFERENCE_ATTRIBUTES);
    checker.no_children(element);
    let text = element.own_text();
    let name = trim_xml_space(&text);
    if name.is_empty() {
        checker.warn(
            codes::SCHEMA,
            element.line,
            "<Conference> without a name is skipped",
        );
        return None;
    }
    let beep = match attributes.get("beep") {
        None => "true".to_owned(),
        Some(v @ ("true" | "false" | "onEnter" | "onExit")) => v.to_owned(),
        Some(v) => {
            checker.warn(
                codes::SCHEMA,
                element.line,
                format!(
                    "beep {:?} on <Conference> is not true, false, onEnter or onExit; true is used",
                    bounded(v)
                ),
            );
            "true".to_owned()
        }
    };
    let record = match attributes.get("record") {
        None | Some("do-not-record") => false,
        Some("record-from-start") => true,
        Some(v) => {
            checker.warn(
                codes::SCHEMA,
                element.line,
                format!(
                    "record {:?} on <Conference> is not do-not-record or record-from-start; the conference is not recorded",
                    bounded(v)
                ),
            );
            false
        }
    };
    let mut max_participants = checker.number(
        &attributes,
        "maxParticipants",
        (Counting::Positive, MAX_CONFERENCE_PARTICIPANTS),
        codes::SCHEMA,
    );
    if max_participants > MAX_CONFERENCE_PARTICIPANTS {
        checker.warn(
            codes::SCHEMA,
            element.line,
            format!(
                "maxParticipants on <Conference> is more than {MAX_CONFERENCE_PARTICIPANTS}; {MAX_CONFERENCE_PARTICIPANTS} is used"
            ),
        );
        max_participants = MAX_CONFERENCE_PARTICIPANTS;
    }
    Some(DialConference {
        name: name.to_owned(),
        muted: checker.boolean(&attributes, "muted", false, codes::SCHEMA),
        beep,
        start_conference_on_enter: checker.boolean(
            &attributes,
            "startConferenceOnEnter",
            true,
            codes::SCHEMA,
        ),
        end_conference_on_exit: checker.boolean(
            &attributes,
            "endConferenceOnExit",
            false,
            codes::SCHEMA,
        ),
        wait_url: attributes.given("waitUrl").map(str::to_owned),
        wait_method: checker.method(element, attributes.get("waitMethod"), codes::SCHEMA),
        max_participants,
        record,
        status_callback: attributes.get("statusCallback").map(str::to_owned),
        status_callback_method: checker.method(
            element,
            attributes.get("statusCallbackMethod"),
            codes::SCHEMA,
        ),
        status_callback_events: attributes
            .get("statusCallbackEvent")
            .map(|events| events.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        coach: attributes.get("coach").map(|c| c.trim().to_owned()),
        participant_label: attributes
            .get("participantLabel")
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty()),
        recording_status_callback: attributes.get("recordingStatusCallback").map(str::to_owned),
        recording_status_callback_method: checker.method(
            element,
            attributes.get("recordingStatusCallbackMethod"),
            codes::SCHEMA,
        ),
        recording_status_callback_events: attributes
            .get("recordingStatusCallbackEvent")
            .map(|events| events.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

/// The most participants a conference holds (Twilio's Global Conference).
pub const MAX_CONFERENCE_PARTICIPANTS: u32 = 250;

fn number(checker: &mut Checker, element: &Element) -> Option<DialNumber> {
    let attributes = checker.attributes(element, NUMBER_ATTRIBUTES);
    checker.no_children(element);
    let text = element.own_text();
    let text = trim_xml_space(&text);
    if text.is_empty() {
        checker.warn(
            codes::SCHEMA,
            element.line,
            "<Number> without a number is skipped",
        );
        return None;
    }
    let method = checker.method(element, attributes.get("method"), vc::DIAL_NUMBER_METHOD);
    let status_callback_method = checker.method(
        element,
        attributes.get("statusCallbackMethod"),
        codes::SCHEMA,
    );
    Some(DialNumber {
        number: text.to_owned(),
        send_digits: attributes.get("sendDigits").map(str::to_owned),
        url: attributes.get("url").map(str::to_owned),
        method,
        status_callback: attributes.get("statusCallback").map(str::to_owned),
        status_callback_method,
        status_callback_events: attributes
            .get("statusCallbackEvent")
            .map(|events| events.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

const RECORD_ATTRIBUTES: &[&str] = &[
    "action",
    "finishOnKey",
    "maxLength",
    "method",
    "playBeep",
    "recordingChannels",
    "recordingStatusCallback",
    "recordingStatusCallbackEvent",
    "recordingStatusCallbackMethod",
    "storageUrl",
    "storageUrlMethod",
    "timeout",
    "transcribe",
    "transcribeCallback",
    "trim",
];

fn record(checker: &mut Checker, element: &Element) -> RecordVerb {
    let attributes = checker.attributes(element, RECORD_ATTRIBUTES);
    checker.no_text(element);
    checker.no_children(element);
    let method = checker.method(element, attributes.get("method"), vc::RECORD_METHOD);
    // 0 is allowed here: the recording never ends on silence.
    let timeout_secs = checker.number(
        &attributes,
        "timeout",
        (Counting::Natural, 5),
        vc::RECORD_TIMEOUT,
    );
    let max_length_secs = checker.number(
        &attributes,
        "maxLength",
        (Counting::Positive, 3600),
        vc::RECORD_MAX_LENGTH,
    );
    const ALL_KEYS: &str = "1234567890*#";
    let finish_on_key = match attributes.given("finishOnKey") {
        None => ALL_KEYS.to_owned(),
        Some(value) if value.chars().all(|c| ALL_KEYS.contains(c)) => value.to_owned(),
        Some(value) => {
            checker.warn(
                vc::RECORD_FINISH_ON_KEY,
                element.line,
                format!(
                    "finishOnKey {:?} on <Record> may hold only 0-9, * and #; any of them is used",
                    bounded(value)
                ),
            );
            ALL_KEYS.to_owned()
        }
    };
    let play_beep = checker.boolean(&attributes, "playBeep", true, codes::SCHEMA);
    let transcribe = checker.boolean(&attributes, "transcribe", false, codes::SCHEMA);
    let recording_status_callback_method = checker.method(
        element,
        attributes.get("recordingStatusCallbackMethod"),
        codes::SCHEMA,
    );
    let trim_silence = match attributes.get("trim") {
        None | Some("trim-silence") => true,
        Some("do-not-trim") => false,
        Some(value) => {
            checker.warn(
                codes::SCHEMA,
                element.line,
                format!(
                    "trim {:?} on <Record> is not trim-silence or do-not-trim; silence is trimmed",
                    bounded(value)
                ),
            );
            true
        }
    };
    RecordVerb {
        action: attributes.get("action").map(str::to_owned),
        method,
        timeout_secs,
        finish_on_key,
        max_length_secs,
        play_beep,
        recording_status_callback: attributes.get("recordingStatusCallback").map(str::to_owned),
        recording_status_callback_method,
        recording_status_callback_events: attributes
            .get("recordingStatusCallbackEvent")
            .map(|events| events.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        trim_silence,
        transcribe,
        transcribe_callback: attributes.get("transcribeCallback").map(str::to_owned),
    }
}

fn redirect(checker: &mut Checker, element: &Element) -> Option<RedirectVerb> {
    crate::messaging::redirect_with(checker, element, vc::REDIRECT_METHOD)
}

fn reject(checker: &mut Checker, element: &Element) -> RejectReason {
    let attributes = checker.attributes(element, &["reason"]);
    checker.no_text(element);
    checker.no_children(element);
    match attributes.get("reason") {
        None | Some("rejected") => RejectReason::Rejected,
        Some("busy") => RejectReason::Busy,
        Some(value) => {
            checker.warn(
                codes::SCHEMA,
                element.line,
                format!(
                    "reason {:?} on <Reject> is not rejected or busy; rejected is used",
                    bounded(value)
                ),
            );
            RejectReason::Rejected
        }
    }
}
