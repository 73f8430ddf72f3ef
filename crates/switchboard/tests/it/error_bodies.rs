//! The exact error answers (status and JSON body, byte for byte) of a
//! representative set of bad requests, for every resource whose input the
//! domain refuses, checked against `error_bodies.txt`. Clients match on these
//! codes and messages, so any change to one must be deliberate: run with
//! `SWITCHBOARD_BLESS_ERRORS=1` to rewrite the file, and review the diff.
//!
//! What differs between runs (SIDs, bought numbers) is replaced by a name in
//! braces before comparing.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_types::AccountType;

use crate::conferences::conference_with;
use crate::server_test;
use crate::support::{Creds, TestServer, base, basic, item_under, list_under};
use crate::voice_calls::place;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/error_bodies.txt");

/// Collects answers, each as one line, with run-specific values named.
struct Transcript {
    lines: Vec<String>,
    names: Vec<(String, String)>,
}

impl Transcript {
    fn name(&mut self, value: &str, name: &str) {
        self.names.push((value.to_owned(), format!("{{{name}}}")));
    }

    fn record(&mut self, label: &str, status: StatusCode, body: &str) {
        let mut body = body.to_owned();
        // Longest first, so a SID is never half-replaced by a shorter value.
        let mut names = self.names.clone();
        names.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        for (value, name) in &names {
            body = body.replace(value.as_str(), name);
        }
        self.lines
            .push(format!("{label}\n  {} {body}", status.as_u16()));
    }
}

/// A bad request: what it tries, and how.
type Case<'a> = (&'a str, Method, String, Vec<(&'a str, String)>);

async fn raw(
    s: &TestServer,
    c: &Creds,
    method: Method,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut req = s
        .http
        .request(method, s.url(path))
        .header("Authorization", basic(c.sid.as_str(), &c.token));
    if !form.is_empty() {
        req = req.form(form);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn ok(s: &TestServer, c: &Creds, path: &str, form: &[(&str, &str)]) -> Value {
    let (status, body) = s.post(c, path, form).await;
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn sid(v: &Value) -> String {
    v["sid"].as_str().unwrap().to_owned()
}

/// `form` with each of `extra`'s parameters in place of its own (added
/// when it had none).
fn with(
    mut form: Vec<(&'static str, String)>,
    extra: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    for (k, v) in extra {
        form.retain(|(key, _)| key != k);
        form.push((k, (*v).to_owned()));
    }
    form
}

/// SIDs of the right shape that name nothing.
const UNKNOWN_CA: &str = "CA0123456789abcdef0123456789abcdef";
const UNKNOWN_CF: &str = "CF0123456789abcdef0123456789abcdef";
const UNKNOWN_QU: &str = "QU0123456789abcdef0123456789abcdef";
const UNKNOWN_RE: &str = "RE0123456789abcdef0123456789abcdef";
const UNKNOWN_TR: &str = "TR0123456789abcdef0123456789abcdef";

/// Waits until the call `call` is a member of the queue `queue`.
async fn member_of(s: &TestServer, c: &Creds, queue: &str, call: &str) {
    let path = format!("{}/Queues/{queue}/Members/{call}.json", base(c));
    for _ in 0..400 {
        if s.get(c, &path).await.0 == StatusCode::OK {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{call} never waited in {queue}");
}

server_test!(error_bodies_stay_byte_for_byte_the_same, |s| {
    let c = s.main_account(AccountType::Full).await;
    let a = format!("/2010-04-01/Accounts/{}", c.sid);
    let ext = format!("/switchboard/v1/Accounts/{}", c.sid);
    let mut t = Transcript {
        lines: Vec::new(),
        names: Vec::new(),
    };
    t.name(c.sid.as_str(), "AC");

    // What the bad requests need: numbers, a subaccount, a service, an app.
    let numbers = format!("{a}/IncomingPhoneNumbers.json");
    let owned = ok(&s, &c, &numbers, &[("AreaCode", "415")]).await;
    let number = owned["phone_number"].as_str().unwrap().to_owned();
    t.name(&number, "NUMBER");
    t.name(&sid(&owned), "PN");
    let pooled = ok(&s, &c, &numbers, &[("AreaCode", "415")]).await;
    let pooled_number = pooled["phone_number"].as_str().unwrap().to_owned();
    t.name(&pooled_number, "POOLED_NUMBER");
    t.name(&sid(&pooled), "POOLED_PN");
    let sub = ok(&s, &c, "/2010-04-01/Accounts.json", &[]).await;
    t.name(&sid(&sub), "SUB");
    let closed = ok(&s, &c, "/2010-04-01/Accounts.json", &[]).await;
    t.name(&sid(&closed), "CLOSED");
    let closed_path = format!("/2010-04-01/Accounts/{}.json", sid(&closed));
    ok(&s, &c, &closed_path, &[("Status", "closed")]).await;
    let service = ok(&s, &c, "/v1/Services", &[("FriendlyName", "Pool")]).await;
    let mg = sid(&service);
    t.name(&mg, "MG");
    let empty = ok(&s, &c, "/v1/Services", &[("FriendlyName", "Empty")]).await;
    let empty_mg = sid(&empty);
    t.name(&empty_mg, "EMPTY_MG");
    ok(
        &s,
        &c,
        &format!("/v1/Services/{mg}/PhoneNumbers"),
        &[("PhoneNumberSid", &sid(&pooled))],
    )
    .await;
    let app = ok(
        &s,
        &c,
        &format!("{a}/ConnectApps.json"),
        &[("FriendlyName", "Charts"), ("CompanyName", "Rossum")],
    )
    .await;
    let cn = sid(&app);
    t.name(&cn, "CN");
    let sent = ok(
        &s,
        &c,
        &format!("{a}/Messages.json"),
        &[("To", "+14155550100"), ("From", &number), ("Body", "hi")],
    )
    .await;
    t.name(&sid(&sent), "SM");
    let call = ok(
        &s,
        &c,
        &format!("{a}/Calls.json"),
        &[
            ("To", "+14155550100"),
            ("From", &number),
            ("Url", "https://example.com/voice"),
        ],
    )
    .await;
    t.name(&sid(&call), "CA");
    let call_path = format!("{a}/Calls/{}.json", sid(&call));
    // Ended: canceled now, or already played out by the simulator.
    let (status, body) = s.post(&c, &call_path, &[("Status", "canceled")]).await;
    assert!(status.is_success() || body["code"] == 21220, "{body}");
    // A handset that answered STOP to the first number.
    ok(
        &s,
        &c,
        &format!("{ext}/InboundMessages"),
        &[("From", "+14155550199"), ("To", &number), ("Body", "STOP")],
    )
    .await;
    t.name("+14155550199", "HANDSET");
    // Calls that stay in progress on the instant clock: one in a
    // conference, one waiting in a queue.
    let room = place(
        &s,
        &c,
        &number,
        &[(
            "Twiml",
            "<Response><Dial><Conference>Errors</Conference></Dial></Response>",
        )],
    )
    .await;
    t.name(&sid(&room), "LIVE_CA");
    let conf = conference_with(&s, &c, "Errors", 1).await;
    t.name(&sid(&conf), "CF");
    let queue = ok(
        &s,
        &c,
        &format!("{a}/Queues.json"),
        &[("FriendlyName", "Errors")],
    )
    .await;
    let qu = sid(&queue);
    t.name(&qu, "QU");
    let other_queue = ok(
        &s,
        &c,
        &format!("{a}/Queues.json"),
        &[("FriendlyName", "Other")],
    )
    .await;
    t.name(&sid(&other_queue), "OTHER_QU");
    let waiting = place(
        &s,
        &c,
        &number,
        &[("Twiml", "<Response><Enqueue>Errors</Enqueue></Response>")],
    )
    .await;
    t.name(&sid(&waiting), "QUEUED_CA");
    member_of(&s, &c, &qu, &sid(&waiting)).await;
    // A recording of the live call that was stopped, and one being made.
    let stopped = ok(&s, &c, &list_under(&room, "Recordings"), &[]).await;
    let stopped_re = sid(&stopped);
    t.name(&stopped_re, "RE");
    ok(
        &s,
        &c,
        &item_under(&room, "Recordings", &stopped_re),
        &[("Status", "stopped")],
    )
    .await;
    let recording = ok(&s, &c, &list_under(&room, "Recordings"), &[]).await;
    let live_re = sid(&recording);
    t.name(&live_re, "LIVE_RE");

    let long = "x".repeat(65);
    let long_body = "x".repeat(1601);
    let long_twiml = format!("<Response><Say>{}</Say></Response>", "x".repeat(4000));
    let control = "a\u{1}b";
    let post = Method::POST;
    let get = Method::GET;
    let calls = format!("{a}/Calls.json");
    let messages = format!("{a}/Messages.json");
    let message_path = format!("{a}/Messages/{}.json", sid(&sent));
    let number_path = format!("{a}/IncomingPhoneNumbers/{}.json", sid(&owned));
    let service_numbers = format!("/v1/Services/{mg}/PhoneNumbers");
    let app_path = format!("{a}/ConnectApps/{cn}.json");
    let inbound = format!("{ext}/InboundMessages");
    let sub_path = format!("/2010-04-01/Accounts/{}.json", sid(&sub));
    let usage = format!("{a}/Usage/Records.json");
    // A good request's form, with `extra`'s parameters in place of its own.
    let to_and_from = || vec![("To", "+14155550100".to_owned()), ("From", number.clone())];
    let calling = |extra: &[(&'static str, &str)]| {
        let mut form = to_and_from();
        form.push(("Url", "https://example.com/voice".to_owned()));
        with(form, extra)
    };
    let texting = |extra: &[(&'static str, &str)]| {
        let mut form = to_and_from();
        form.push(("Body", "hi".to_owned()));
        with(form, extra)
    };
    let participants = format!("{a}/Conferences/{}/Participants.json", sid(&conf));
    let participant = format!(
        "{a}/Conferences/{}/Participants/{}.json",
        sid(&conf),
        sid(&room)
    );
    let joining = |extra: &[(&'static str, &str)]| with(to_and_from(), extra);
    let mut media = vec![("MediaUrl", "https://example.com/a.png".to_owned()); 11];
    media.extend(texting(&[("Body", "")]));

    let cases: Vec<Case> = vec![
        // Accounts
        (
            "account: name too long",
            post.clone(),
            sub_path.clone(),
            vec![("FriendlyName", long.clone())],
        ),
        (
            "account: name empty",
            post.clone(),
            sub_path.clone(),
            vec![("FriendlyName", " ".into())],
        ),
        (
            "account: name with control",
            post.clone(),
            sub_path.clone(),
            vec![("FriendlyName", control.into())],
        ),
        (
            "account: create with long name",
            post.clone(),
            "/2010-04-01/Accounts.json".into(),
            vec![("FriendlyName", long.clone())],
        ),
        (
            "account: closed",
            post.clone(),
            closed_path.clone(),
            vec![("FriendlyName", "New".into())],
        ),
        // Tokens
        (
            "tokens: nothing to promote",
            post.clone(),
            "/v1/AuthTokens/Promote".into(),
            vec![],
        ),
        // Connect apps
        (
            "app: no name",
            post.clone(),
            format!("{a}/ConnectApps.json"),
            vec![("CompanyName", "Rossum".into())],
        ),
        (
            "app: no company",
            post.clone(),
            format!("{a}/ConnectApps.json"),
            vec![("FriendlyName", "Charts".into())],
        ),
        (
            "app: name too long",
            post.clone(),
            app_path.clone(),
            vec![("FriendlyName", long.clone())],
        ),
        (
            "app: description too long",
            post.clone(),
            app_path.clone(),
            vec![("Description", "x".repeat(2000))],
        ),
        (
            "app: homepage not a url",
            post.clone(),
            app_path.clone(),
            vec![("HomepageUrl", "example.com".into())],
        ),
        (
            "app: homepage ftp",
            post.clone(),
            app_path.clone(),
            vec![("HomepageUrl", "ftp://example.com/".into())],
        ),
        (
            "app: redirect with password",
            post.clone(),
            app_path.clone(),
            vec![("AuthorizeRedirectUrl", "https://u:p@example.com/".into())],
        ),
        (
            "app: redirect too long",
            post.clone(),
            app_path.clone(),
            vec![(
                "AuthorizeRedirectUrl",
                format!("https://example.com/{}", "x".repeat(3000)),
            )],
        ),
        (
            "app: method",
            post.clone(),
            app_path.clone(),
            vec![("DeauthorizeCallbackMethod", "PUT".into())],
        ),
        // Calls
        (
            "call: no To",
            post.clone(),
            calls.clone(),
            calling(&[("To", "")]),
        ),
        (
            "call: bad To",
            post.clone(),
            calls.clone(),
            calling(&[("To", "abc")]),
        ),
        (
            "call: magic To 0001",
            post.clone(),
            calls.clone(),
            calling(&[("To", "+15005550001")]),
        ),
        (
            "call: magic To 0002",
            post.clone(),
            calls.clone(),
            calling(&[("To", "+15005550002")]),
        ),
        (
            "call: magic To 0003",
            post.clone(),
            calls.clone(),
            calling(&[("To", "+15005550003")]),
        ),
        (
            "call: magic To 0004",
            post.clone(),
            calls.clone(),
            calling(&[("To", "+15005550004")]),
        ),
        (
            "call: no From",
            post.clone(),
            calls.clone(),
            calling(&[("From", "")]),
        ),
        (
            "call: bad From",
            post.clone(),
            calls.clone(),
            calling(&[("From", "abc")]),
        ),
        (
            "call: magic From 0001",
            post.clone(),
            calls.clone(),
            calling(&[("From", "+15005550001")]),
        ),
        (
            "call: magic From 0007",
            post.clone(),
            calls.clone(),
            calling(&[("From", "+15005550007")]),
        ),
        (
            "call: From not owned",
            post.clone(),
            calls.clone(),
            calling(&[("From", "+14155550123")]),
        ),
        (
            "call: nothing to do",
            post.clone(),
            calls.clone(),
            calling(&[("Url", "")]),
        ),
        (
            "call: bad Url",
            post.clone(),
            calls.clone(),
            calling(&[("Url", "/voice")]),
        ),
        ("call: Twiml too long", post.clone(), calls.clone(), {
            let mut f = calling(&[("Url", "")]);
            f.push(("Twiml", long_twiml.clone()));
            f
        }),
        (
            "call: bad ApplicationSid",
            post.clone(),
            calls.clone(),
            calling(&[("ApplicationSid", "AP1")]),
        ),
        (
            "call: bad Method",
            post.clone(),
            calls.clone(),
            calling(&[("Method", "PUT")]),
        ),
        (
            "call: bad StatusCallback",
            post.clone(),
            calls.clone(),
            calling(&[("StatusCallback", "nope")]),
        ),
        (
            "call: bad StatusCallbackMethod",
            post.clone(),
            calls.clone(),
            calling(&[("StatusCallbackMethod", "DELETE")]),
        ),
        (
            "call: bad StatusCallbackEvent",
            post.clone(),
            calls.clone(),
            calling(&[("StatusCallbackEvent", "exploded")]),
        ),
        (
            "call: bad Timeout",
            post.clone(),
            calls.clone(),
            calling(&[("Timeout", "0")]),
        ),
        (
            "call: bad Record",
            post.clone(),
            calls.clone(),
            calling(&[("Record", "maybe")]),
        ),
        (
            "call: set Status busy",
            post.clone(),
            call_path.clone(),
            vec![("Status", "busy".into())],
        ),
        (
            "call: redirect ended",
            post.clone(),
            call_path.clone(),
            vec![("Url", "https://example.com/next".into())],
        ),
        (
            "call: cancel ended",
            post.clone(),
            call_path.clone(),
            vec![("Status", "completed".into())],
        ),
        (
            "call: update bad Url",
            post.clone(),
            call_path.clone(),
            vec![("Url", "nope".into())],
        ),
        // Messages
        (
            "message: no To",
            post.clone(),
            messages.clone(),
            texting(&[("To", "")]),
        ),
        (
            "message: bad To",
            post.clone(),
            messages.clone(),
            texting(&[("To", "abc")]),
        ),
        (
            "message: magic To 0001",
            post.clone(),
            messages.clone(),
            texting(&[("To", "+15005550001")]),
        ),
        (
            "message: magic To 0002",
            post.clone(),
            messages.clone(),
            texting(&[("To", "+15005550002")]),
        ),
        (
            "message: magic To 0003",
            post.clone(),
            messages.clone(),
            texting(&[("To", "+15005550003")]),
        ),
        (
            "message: magic To 0004",
            post.clone(),
            messages.clone(),
            texting(&[("To", "+15005550004")]),
        ),
        (
            "message: magic To 0009",
            post.clone(),
            messages.clone(),
            texting(&[("To", "+15005550009")]),
        ),
        (
            "message: no From",
            post.clone(),
            messages.clone(),
            texting(&[("From", "")]),
        ),
        (
            "message: bad From",
            post.clone(),
            messages.clone(),
            texting(&[("From", "abc")]),
        ),
        (
            "message: magic From 0001",
            post.clone(),
            messages.clone(),
            texting(&[("From", "+15005550001")]),
        ),
        (
            "message: magic From 0007",
            post.clone(),
            messages.clone(),
            texting(&[("From", "+15005550007")]),
        ),
        (
            "message: magic From 0008",
            post.clone(),
            messages.clone(),
            texting(&[("From", "+15005550008")]),
        ),
        (
            "message: From not owned",
            post.clone(),
            messages.clone(),
            texting(&[("From", "+14155550123")]),
        ),
        (
            "message: no Body",
            post.clone(),
            messages.clone(),
            texting(&[("Body", "")]),
        ),
        (
            "message: Body too long",
            post.clone(),
            messages.clone(),
            texting(&[("Body", &long_body)]),
        ),
        (
            "message: too many media",
            post.clone(),
            messages.clone(),
            media,
        ),
        (
            "message: bad MediaUrl",
            post.clone(),
            messages.clone(),
            texting(&[("MediaUrl", "nope")]),
        ),
        (
            "message: bad StatusCallback",
            post.clone(),
            messages.clone(),
            texting(&[("StatusCallback", "nope")]),
        ),
        (
            "message: opted out",
            post.clone(),
            messages.clone(),
            texting(&[("To", "+14155550199")]),
        ),
        (
            "message: unknown service",
            post.clone(),
            messages.clone(),
            texting(&[("MessagingServiceSid", "MG00000000000000000000000000000000")]),
        ),
        (
            "message: empty service",
            post.clone(),
            messages.clone(),
            texting(&[("MessagingServiceSid", &empty_mg), ("From", "")]),
        ),
        (
            "message: From not in service",
            post.clone(),
            messages.clone(),
            texting(&[("MessagingServiceSid", &mg)]),
        ),
        (
            "message: service with bad From",
            post.clone(),
            messages.clone(),
            texting(&[("MessagingServiceSid", &mg), ("From", "abc")]),
        ),
        (
            "message: redact with text",
            post.clone(),
            message_path.clone(),
            vec![("Body", "new".into())],
        ),
        // Inbound messages (a simulated handset)
        (
            "inbound: no From",
            post.clone(),
            inbound.clone(),
            vec![("To", number.clone()), ("Body", "hi".into())],
        ),
        (
            "inbound: bad From",
            post.clone(),
            inbound.clone(),
            vec![
                ("From", "abc".into()),
                ("To", number.clone()),
                ("Body", "hi".into()),
            ],
        ),
        (
            "inbound: no To",
            post.clone(),
            inbound.clone(),
            vec![("From", "+14155550188".into()), ("Body", "hi".into())],
        ),
        (
            "inbound: To not ours",
            post.clone(),
            inbound.clone(),
            vec![
                ("From", "+14155550188".into()),
                ("To", "+14155550177".into()),
                ("Body", "hi".into()),
            ],
        ),
        (
            "inbound: no Body",
            post.clone(),
            inbound.clone(),
            vec![("From", "+14155550188".into()), ("To", number.clone())],
        ),
        // Numbers
        (
            "number: nothing asked",
            post.clone(),
            numbers.clone(),
            vec![],
        ),
        (
            "number: bad PhoneNumber",
            post.clone(),
            numbers.clone(),
            vec![("PhoneNumber", "abc".into())],
        ),
        (
            "number: magic 0000",
            post.clone(),
            numbers.clone(),
            vec![("PhoneNumber", "+15005550000".into())],
        ),
        (
            "number: magic 0001",
            post.clone(),
            numbers.clone(),
            vec![("PhoneNumber", "+15005550001".into())],
        ),
        (
            "number: already owned",
            post.clone(),
            numbers.clone(),
            vec![("PhoneNumber", number.clone())],
        ),
        (
            "number: no area code",
            post.clone(),
            numbers.clone(),
            vec![("AreaCode", "999".into())],
        ),
        (
            "number: wrong type",
            post.clone(),
            format!("{a}/IncomingPhoneNumbers/TollFree.json"),
            vec![("PhoneNumber", number.clone())],
        ),
        (
            "number: bad VoiceUrl",
            post.clone(),
            number_path.clone(),
            vec![("VoiceUrl", "nope".into())],
        ),
        (
            "number: bad SmsMethod",
            post.clone(),
            number_path.clone(),
            vec![("SmsMethod", "PUT".into())],
        ),
        (
            "number: name too long",
            post.clone(),
            number_path.clone(),
            vec![("FriendlyName", long.clone())],
        ),
        // Usage
        (
            "usage: category",
            get.clone(),
            format!("{usage}?Category=nope"),
            vec![],
        ),
        (
            "usage: end before start",
            get.clone(),
            format!("{usage}?StartDate=2024-02-01&EndDate=2024-01-01"),
            vec![],
        ),
        (
            "usage: daily too long",
            get.clone(),
            format!("{a}/Usage/Records/Daily.json?StartDate=2000-01-01&EndDate=2024-01-01"),
            vec![],
        ),
        // Messaging services
        (
            "service: no name",
            post.clone(),
            "/v1/Services".into(),
            vec![],
        ),
        (
            "service: name too long",
            post.clone(),
            "/v1/Services".into(),
            vec![("FriendlyName", long.clone())],
        ),
        (
            "service: usecase",
            post.clone(),
            "/v1/Services".into(),
            vec![("FriendlyName", "S".into()), ("Usecase", "spam".into())],
        ),
        (
            "service: scan",
            post.clone(),
            format!("/v1/Services/{mg}"),
            vec![("ScanMessageContent", "maybe".into())],
        ),
        (
            "service: validity",
            post.clone(),
            format!("/v1/Services/{mg}"),
            vec![("ValidityPeriod", "0".into())],
        ),
        (
            "service: inbound url",
            post.clone(),
            format!("/v1/Services/{mg}"),
            vec![("InboundRequestUrl", "nope".into())],
        ),
        (
            "service: inbound method",
            post.clone(),
            format!("/v1/Services/{mg}"),
            vec![("InboundMethod", "PUT".into())],
        ),
        (
            "service: number not ours",
            post.clone(),
            service_numbers.clone(),
            vec![(
                "PhoneNumberSid",
                "PN00000000000000000000000000000000".into(),
            )],
        ),
        (
            "service: number already here",
            post.clone(),
            service_numbers.clone(),
            vec![("PhoneNumberSid", sid(&pooled))],
        ),
        (
            "service: number in another",
            post.clone(),
            format!("/v1/Services/{empty_mg}/PhoneNumbers"),
            vec![("PhoneNumberSid", sid(&pooled))],
        ),
        // Live call recordings
        (
            "call recording: call not in progress",
            post.clone(),
            list_under(&call, "Recordings"),
            vec![],
        ),
        (
            "call recording: unknown call",
            post.clone(),
            format!("{a}/Calls/{UNKNOWN_CA}/Recordings.json"),
            vec![],
        ),
        (
            "call recording: bad RecordingChannels",
            post.clone(),
            list_under(&room, "Recordings"),
            vec![("RecordingChannels", "stereo".into())],
        ),
        (
            "call recording: bad RecordingTrack",
            post.clone(),
            list_under(&room, "Recordings"),
            vec![("RecordingTrack", "sideways".into())],
        ),
        (
            "call recording: bad Trim",
            post.clone(),
            list_under(&room, "Recordings"),
            vec![("Trim", "some".into())],
        ),
        (
            "call recording: bad RecordingStatusCallback",
            post.clone(),
            list_under(&room, "Recordings"),
            vec![("RecordingStatusCallback", "nope".into())],
        ),
        (
            "call recording: bad RecordingStatusCallbackMethod",
            post.clone(),
            list_under(&room, "Recordings"),
            vec![("RecordingStatusCallbackMethod", "PUT".into())],
        ),
        (
            "call recording: bad RecordingStatusCallbackEvent",
            post.clone(),
            list_under(&room, "Recordings"),
            vec![("RecordingStatusCallbackEvent", "paused".into())],
        ),
        (
            "call recording: pause a stopped one",
            post.clone(),
            item_under(&room, "Recordings", &stopped_re),
            vec![("Status", "paused".into())],
        ),
        (
            "call recording: resume a stopped one",
            post.clone(),
            item_under(&room, "Recordings", &stopped_re),
            vec![("Status", "in-progress".into())],
        ),
        (
            "call recording: no Status",
            post.clone(),
            item_under(&room, "Recordings", &live_re),
            vec![],
        ),
        (
            "call recording: bad Status",
            post.clone(),
            item_under(&room, "Recordings", &live_re),
            vec![("Status", "completed".into())],
        ),
        (
            "call recording: bad PauseBehavior",
            post.clone(),
            item_under(&room, "Recordings", &live_re),
            vec![
                ("Status", "paused".into()),
                ("PauseBehavior", "later".into()),
            ],
        ),
        (
            "call recording: Twilio.CURRENT with none live",
            post.clone(),
            item_under(&call, "Recordings", "Twilio.CURRENT"),
            vec![("Status", "paused".into())],
        ),
        (
            "call recording: unknown SID",
            post.clone(),
            item_under(&room, "Recordings", UNKNOWN_RE),
            vec![("Status", "paused".into())],
        ),
        (
            "call recording: another call's",
            post.clone(),
            item_under(&waiting, "Recordings", &live_re),
            vec![("Status", "paused".into())],
        ),
        (
            "call recording: not a SID",
            post.clone(),
            item_under(&room, "Recordings", "current"),
            vec![("Status", "paused".into())],
        ),
        (
            "call recording: delete one being made",
            Method::DELETE,
            item_under(&room, "Recordings", &live_re),
            vec![],
        ),
        // Conference recordings
        (
            "conference recording: Twilio.CURRENT with none live",
            post.clone(),
            format!(
                "{a}/Conferences/{}/Recordings/Twilio.CURRENT.json",
                sid(&conf)
            ),
            vec![("Status", "paused".into())],
        ),
        (
            "conference recording: a call's recording",
            post.clone(),
            format!("{a}/Conferences/{}/Recordings/{live_re}.json", sid(&conf)),
            vec![("Status", "paused".into())],
        ),
        (
            "conference recording: bad Status",
            post.clone(),
            format!(
                "{a}/Conferences/{}/Recordings/Twilio.CURRENT.json",
                sid(&conf)
            ),
            vec![("Status", "rewound".into())],
        ),
        (
            "conference recording: fetch a call's recording",
            get.clone(),
            format!("{a}/Conferences/{}/Recordings/{live_re}.json", sid(&conf)),
            vec![],
        ),
        (
            "conference recording: unknown conference",
            get.clone(),
            format!("{a}/Conferences/{UNKNOWN_CF}/Recordings/{live_re}.json"),
            vec![],
        ),
        // Recordings' transcriptions
        (
            "transcription: fetch unknown",
            get.clone(),
            format!("{a}/Transcriptions/{UNKNOWN_TR}.json"),
            vec![],
        ),
        (
            "transcription: delete unknown",
            Method::DELETE,
            format!("{a}/Transcriptions/{UNKNOWN_TR}.json"),
            vec![],
        ),
        (
            "transcription: fetch unknown of a recording",
            get.clone(),
            format!("{a}/Recordings/{stopped_re}/Transcriptions/{UNKNOWN_TR}.json"),
            vec![],
        ),
        // Real-time transcriptions
        (
            "realtime transcription: call not in progress",
            post.clone(),
            list_under(&call, "Transcriptions"),
            vec![],
        ),
        (
            "realtime transcription: unknown call",
            post.clone(),
            format!("{a}/Calls/{UNKNOWN_CA}/Transcriptions.json"),
            vec![],
        ),
        (
            "realtime transcription: Name too long",
            post.clone(),
            list_under(&room, "Transcriptions"),
            vec![("Name", "x".repeat(300))],
        ),
        (
            "realtime transcription: bad Track",
            post.clone(),
            list_under(&room, "Transcriptions"),
            vec![("Track", "sideways".into())],
        ),
        (
            "realtime transcription: bad StatusCallbackUrl",
            post.clone(),
            list_under(&room, "Transcriptions"),
            vec![("StatusCallbackUrl", "nope".into())],
        ),
        (
            "realtime transcription: bad StatusCallbackMethod",
            post.clone(),
            list_under(&room, "Transcriptions"),
            vec![("StatusCallbackMethod", "PUT".into())],
        ),
        (
            "realtime transcription: bad PartialResults",
            post.clone(),
            list_under(&room, "Transcriptions"),
            vec![("PartialResults", "maybe".into())],
        ),
        (
            "realtime transcription: stop with no Status",
            post.clone(),
            item_under(&room, "Transcriptions", "support"),
            vec![],
        ),
        (
            "realtime transcription: bad Status",
            post.clone(),
            item_under(&room, "Transcriptions", "support"),
            vec![("Status", "paused".into())],
        ),
        (
            "realtime transcription: stop unknown",
            post.clone(),
            item_under(&room, "Transcriptions", "support"),
            vec![("Status", "stopped".into())],
        ),
        (
            "realtime transcription: stop on unknown call",
            post.clone(),
            format!("{a}/Calls/{UNKNOWN_CA}/Transcriptions/support.json"),
            vec![("Status", "stopped".into())],
        ),
        // Queues and their members
        (
            "queue: no FriendlyName",
            post.clone(),
            format!("{a}/Queues.json"),
            vec![],
        ),
        (
            "queue: FriendlyName too long",
            post.clone(),
            format!("{a}/Queues.json"),
            vec![("FriendlyName", long.clone())],
        ),
        (
            "queue: duplicate FriendlyName",
            post.clone(),
            format!("{a}/Queues.json"),
            vec![("FriendlyName", "Errors".into())],
        ),
        (
            "queue: MaxSize 0",
            post.clone(),
            format!("{a}/Queues.json"),
            vec![("FriendlyName", "New".into()), ("MaxSize", "0".into())],
        ),
        (
            "queue: MaxSize too large",
            post.clone(),
            format!("{a}/Queues.json"),
            vec![("FriendlyName", "New".into()), ("MaxSize", "5001".into())],
        ),
        (
            "queue: MaxSize not a number",
            post.clone(),
            format!("{a}/Queues.json"),
            vec![("FriendlyName", "New".into()), ("MaxSize", "ten".into())],
        ),
        (
            "queue: rename to a taken name",
            post.clone(),
            format!("{a}/Queues/{}.json", sid(&other_queue)),
            vec![("FriendlyName", "Errors".into())],
        ),
        (
            "queue: update bad MaxSize",
            post.clone(),
            format!("{a}/Queues/{qu}.json"),
            vec![("MaxSize", "-1".into())],
        ),
        (
            "queue: fetch unknown",
            get.clone(),
            format!("{a}/Queues/{UNKNOWN_QU}.json"),
            vec![],
        ),
        (
            "queue: delete with calls waiting",
            Method::DELETE,
            format!("{a}/Queues/{qu}.json"),
            vec![],
        ),
        (
            "member: dequeue with no Url",
            post.clone(),
            format!("{a}/Queues/{qu}/Members/Front.json"),
            vec![],
        ),
        (
            "member: dequeue bad Url",
            post.clone(),
            format!("{a}/Queues/{qu}/Members/Front.json"),
            vec![("Url", "/next".into())],
        ),
        (
            "member: dequeue bad Method",
            post.clone(),
            format!("{a}/Queues/{qu}/Members/Front.json"),
            vec![
                ("Url", "https://example.com/next".into()),
                ("Method", "PUT".into()),
            ],
        ),
        (
            "member: dequeue front of an empty queue",
            post.clone(),
            format!("{a}/Queues/{}/Members/Front.json", sid(&other_queue)),
            vec![("Url", "https://example.com/next".into())],
        ),
        (
            "member: fetch a call not waiting",
            get.clone(),
            format!("{a}/Queues/{qu}/Members/{}.json", sid(&room)),
            vec![],
        ),
        (
            "member: not a SID",
            get.clone(),
            format!("{a}/Queues/{qu}/Members/back.json"),
            vec![],
        ),
        // Conferences and their participants
        (
            "conference: bad Status",
            post.clone(),
            format!("{a}/Conferences/{}.json", sid(&conf)),
            vec![("Status", "paused".into())],
        ),
        (
            "conference: bad AnnounceUrl",
            post.clone(),
            format!("{a}/Conferences/{}.json", sid(&conf)),
            vec![("AnnounceUrl", "nope".into())],
        ),
        (
            "conference: bad AnnounceMethod",
            post.clone(),
            format!("{a}/Conferences/{}.json", sid(&conf)),
            vec![("AnnounceMethod", "PUT".into())],
        ),
        (
            "conference: fetch unknown",
            get.clone(),
            format!("{a}/Conferences/{UNKNOWN_CF}.json"),
            vec![],
        ),
        (
            "conference: update unknown",
            post.clone(),
            format!("{a}/Conferences/{UNKNOWN_CF}.json"),
            vec![("Status", "completed".into())],
        ),
        (
            "participant: no From",
            post.clone(),
            participants.clone(),
            vec![("To", "+14155550100".into())],
        ),
        (
            "participant: no To",
            post.clone(),
            participants.clone(),
            vec![("From", number.clone())],
        ),
        (
            "participant: bad From",
            post.clone(),
            participants.clone(),
            joining(&[("From", "abc")]),
        ),
        (
            "participant: bad To",
            post.clone(),
            participants.clone(),
            joining(&[("To", "abc")]),
        ),
        (
            "participant: From not owned",
            post.clone(),
            participants.clone(),
            joining(&[("From", "+14155550123")]),
        ),
        (
            "participant: bad Muted",
            post.clone(),
            participants.clone(),
            joining(&[("Muted", "maybe")]),
        ),
        (
            "participant: bad Beep",
            post.clone(),
            participants.clone(),
            joining(&[("Beep", "loud")]),
        ),
        (
            "participant: bad MaxParticipants",
            post.clone(),
            participants.clone(),
            joining(&[("MaxParticipants", "1")]),
        ),
        (
            "participant: bad ConferenceRecord",
            post.clone(),
            participants.clone(),
            joining(&[("ConferenceRecord", "maybe")]),
        ),
        (
            "participant: Coaching with no CallSidToCoach",
            post.clone(),
            participants.clone(),
            joining(&[("Coaching", "true")]),
        ),
        (
            "participant: bad CallSidToCoach",
            post.clone(),
            participants.clone(),
            joining(&[("CallSidToCoach", "CA1")]),
        ),
        (
            "participant: bad WaitUrl",
            post.clone(),
            participants.clone(),
            joining(&[("WaitUrl", "nope")]),
        ),
        (
            "participant: bad ConferenceStatusCallbackMethod",
            post.clone(),
            participants.clone(),
            joining(&[("ConferenceStatusCallbackMethod", "PUT")]),
        ),
        (
            "participant: unknown conference",
            post.clone(),
            format!("{a}/Conferences/{UNKNOWN_CF}/Participants.json"),
            joining(&[]),
        ),
        (
            "participant: update bad Hold",
            post.clone(),
            participant.clone(),
            vec![("Hold", "maybe".into())],
        ),
        (
            "participant: update bad HoldUrl",
            post.clone(),
            participant.clone(),
            vec![("Hold", "true".into()), ("HoldUrl", "nope".into())],
        ),
        (
            "participant: update bad HoldMethod",
            post.clone(),
            participant.clone(),
            vec![("Hold", "true".into()), ("HoldMethod", "PUT".into())],
        ),
        (
            "participant: update bad AnnounceUrl",
            post.clone(),
            participant.clone(),
            vec![("AnnounceUrl", "nope".into())],
        ),
        (
            "participant: update bad Muted",
            post.clone(),
            participant.clone(),
            vec![("Muted", "maybe".into())],
        ),
        (
            "participant: update Coaching with no CallSidToCoach",
            post.clone(),
            participant.clone(),
            vec![("Coaching", "true".into())],
        ),
        (
            "participant: update unknown",
            post.clone(),
            format!(
                "{a}/Conferences/{}/Participants/{UNKNOWN_CA}.json",
                sid(&conf)
            ),
            vec![("Muted", "true".into())],
        ),
        (
            "participant: fetch unknown label",
            get.clone(),
            format!("{a}/Conferences/{}/Participants/nobody.json", sid(&conf)),
            vec![],
        ),
        (
            "participant: remove unknown",
            Method::DELETE,
            format!(
                "{a}/Conferences/{}/Participants/{UNKNOWN_CA}.json",
                sid(&conf)
            ),
            vec![],
        ),
    ];
    for (label, method, path, form) in &cases {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, body) = raw(&s, &c, method.clone(), path, &form).await;
        t.record(label, status, &body);
    }
    // Logos: one that is no image, one too large.
    for (label, body) in [
        ("app: logo not an image", b"not an image".to_vec()),
        ("app: logo too large", vec![0x89; 600 * 1024]),
    ] {
        let resp = s
            .http
            .put(s.url(&format!("{ext}/ConnectApps/{cn}/Logo")))
            .header("Authorization", basic(c.sid.as_str(), &c.token))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        t.record(label, status, &resp.text().await.unwrap());
    }

    let got = t.lines.join("\n") + "\n";
    if std::env::var_os("SWITCHBOARD_BLESS_ERRORS").is_some() {
        std::fs::write(GOLDEN, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(GOLDEN).unwrap();
    for (got, want) in got.lines().zip(want.lines()) {
        assert_eq!(got, want, "an error answer changed");
    }
    assert_eq!(got, want, "the list of error answers changed");
});
