//! The call engine over real HTTP: an answered call requests its TwiML from a
//! real receiver on loopback (signed, through the outbox), executes it on
//! the simulated clock, and reports what the app got wrong as notifications.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::receiver::{Received, Receiver};
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};
use crate::telephony::buy;

/// A number that answers every call (see docs/telephony.md).
pub(crate) const ANSWERS: &str = "+14155550100";

/// Places a call from `from` with `form` beside `To` and `From`.
pub(crate) async fn place(s: &TestServer, c: &Creds, from: &str, form: &[(&str, &str)]) -> Value {
    let mut all = vec![("To", ANSWERS), ("From", from)];
    all.extend_from_slice(form);
    let (status, call) = s.post(c, &format!("{}/Calls.json", base(c)), &all).await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    call
}

/// Fetches the call until it has ended.
pub(crate) async fn ended(s: &TestServer, c: &Creds, call: &Value) -> Value {
    ended_sid(s, c, call["sid"].as_str().unwrap()).await
}

/// [`ended`] for a call of `c` known by its SID.
pub(crate) async fn ended_sid(s: &TestServer, c: &Creds, sid: &str) -> Value {
    let path = &format!("{}/Calls/{sid}.json", base(c));
    // Ten seconds, as `requests_to` waits.
    for _ in 0..400 {
        let (status, body) = s.get(c, path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["end_time"].is_string() {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path} never ended");
}

pub(crate) fn duration(call: &Value) -> i64 {
    call["duration"].as_str().unwrap().parse().unwrap()
}

/// The requests to `path` the receiver got, once there are `n`.
pub(crate) async fn requests_to(receiver: &Receiver, path: &str, n: usize) -> Vec<Received> {
    // Ten seconds: a loaded machine runs both databases' tests at once.
    for _ in 0..400 {
        let got: Vec<Received> = receiver
            .received()
            .into_iter()
            .filter(|r| r.path_and_query.split('?').next() == Some(path))
            .collect();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path} never got {n} requests: {:?}", receiver.received());
}

/// The account's notifications about `call`, oldest first: (code, log, text).
pub(crate) async fn notifications_of(
    s: &TestServer,
    c: &Creds,
    call: &Value,
) -> Vec<(String, String, String)> {
    let (status, list) = s
        .get(c, &format!("{}/Notifications.json?PageSize=100", base(c)))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let mut found: Vec<(String, String, String)> = list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["call_sid"] == call["sid"])
        .map(|n| {
            (
                n["error_code"].as_str().unwrap().to_owned(),
                n["log"].as_str().unwrap().to_owned(),
                n["message_text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.reverse();
    found
}

pub(crate) fn codes(found: &[(String, String, String)]) -> Vec<&str> {
    found.iter().map(|(code, _, _)| code.as_str()).collect()
}

server_test!(
    an_answered_call_requests_its_url_and_executes_the_answer,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
            "/voice",
            "<Response><Say>Hello there, welcome.</Say><Pause length=\"3\"/>\
         <Play>https://cdn.example.com/a.mp3</Play><Play digits=\"1234\"/>\
         <Hangup/><Say>Never said</Say></Response>",
        );
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        let voice = receiver.url("/voice?x=1");
        let status = receiver.url("/status");
        let call = place(
            &s,
            &c,
            &from,
            &[("Url", &voice), ("StatusCallback", &status)],
        )
        .await;
        let done = ended(&s, &c, &call).await;
        assert_eq!(done["status"], "completed", "{done}");
        // 21 characters said (2 s), a 3 s pause, a play (5 s), four tones (2 s).
        assert_eq!(duration(&done), 12, "{done}");
        let price: f64 = done["price"].as_str().unwrap().parse().unwrap();
        assert!((price + 0.014).abs() < 1e-9, "{done}");

        let asked = requests_to(&receiver, "/voice", 1).await;
        let r = &asked[0];
        assert_eq!(r.method, "POST");
        assert_signed(r, &receiver, &c.token);
        assert!(!r.header("i-twilio-idempotency-token").is_empty());
        let sid = call["sid"].as_str().unwrap();
        for (name, want) in [
            ("CallSid", sid),
            ("AccountSid", c.sid.as_str()),
            ("From", from.as_str()),
            ("Caller", from.as_str()),
            ("To", ANSWERS),
            ("Called", ANSWERS),
            ("CallStatus", "in-progress"),
            ("Direction", "outbound-api"),
            ("ApiVersion", "2010-04-01"),
            ("ToCountry", "US"),
            ("CalledCountry", "US"),
            ("FromCountry", "US"),
        ] {
            assert_eq!(r.param(name).as_deref(), Some(want), "{name} in {r:?}");
        }
        for name in ["FromCity", "FromState", "FromZip", "ToCity", "CallerZip"] {
            assert!(r.param(name).is_some(), "{name} in {r:?}");
        }
        assert!(r.param("ParentCallSid").is_none());

        let completed = requests_to(&receiver, "/status", 1).await;
        assert_eq!(
            completed[0].param("CallStatus").as_deref(),
            Some("completed")
        );
        assert_eq!(completed[0].param("CallDuration").as_deref(), Some("12"));
        assert!(notifications_of(&s, &c, &call).await.is_empty());

        // The deliveries are the pipeline's, kind and all.
        let kinds = s.delivery_kinds(&c).await;
        assert!(kinds.iter().any(|k| k == "voice-answer"), "{kinds:?}");
    }
);

server_test!(inline_twiml_and_applications_run_too, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/app", "<Response><Say loop=\"3\">Hi</Say></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "212").await;

    let inline = place(
        &s,
        &c,
        &from,
        &[(
            "Twiml",
            "<Response><Say>Hi</Say><Pause length=\"4\"/></Response>",
        )],
    )
    .await;
    let done = ended(&s, &c, &inline).await;
    assert_eq!(
        (done["status"].as_str(), duration(&done)),
        (Some("completed"), 5)
    );

    let app_url = receiver.url("/app");
    let (status, app) = s
        .post(
            &c,
            &format!("{}/Applications.json", base(&c)),
            &[("VoiceUrl", app_url.as_str()), ("VoiceMethod", "GET")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let call = place(
        &s,
        &c,
        &from,
        &[("ApplicationSid", app["sid"].as_str().unwrap())],
    )
    .await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 3, "{done}");
    let asked = requests_to(&receiver, "/app", 1).await;
    assert_eq!(asked[0].method, "GET");
    assert_eq!(asked[0].param("CallSid").as_deref(), call["sid"].as_str());
    assert_signed(&asked[0], &receiver, &c.token);

    // A documentation URL is never requested: the call talks as planned.
    let planned = place(&s, &c, &from, &[("Url", "https://app.example.com/twiml")]).await;
    let done = ended(&s, &c, &planned).await;
    assert!((30..300).contains(&duration(&done)), "{done}");
});

server_test!(a_failed_answer_turns_to_the_fallback_url, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/fallback", "<Response><Pause length=\"7\"/></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "303").await;
    let broken = receiver.url("/missing");
    receiver.answer_with(&[500]);
    let fallback = receiver.url("/fallback");
    let call = place(
        &s,
        &c,
        &from,
        &[
            ("Url", broken.as_str()),
            ("FallbackUrl", fallback.as_str()),
            ("FallbackMethod", "GET"),
        ],
    )
    .await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 7, "{done}");
    let again = requests_to(&receiver, "/fallback", 1).await;
    assert_eq!(again[0].method, "GET");
    assert_eq!(again[0].param("CallSid").as_deref(), call["sid"].as_str());
    let found = notifications_of(&s, &c, &call).await;
    assert_eq!(codes(&found), ["11200"], "{found:?}");

    // No fallback: the call ends at once, answered for a second.
    receiver.answer_with(&[503]);
    let call = place(&s, &c, &from, &[("Url", broken.as_str())]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(
        (done["status"].as_str(), duration(&done)),
        (Some("completed"), 1)
    );
    assert_eq!(codes(&notifications_of(&s, &c, &call).await), ["11200"]);
});

server_test!(bad_documents_are_notifications_never_a_stuck_call, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/broken", "<Response><Say>unclosed");
    receiver.answer_document("/text", "text/plain", "Hello");
    receiver.answer_twiml(
        "/unsimulated",
        "<Response><Pay/><Echo/><Say>After</Say></Response>",
    );
    receiver.answer_document("/audio", "audio/mpeg", "ID3");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "512").await;

    for (path, code) in [("/broken", "12100"), ("/text", "12300")] {
        let url = receiver.url(path);
        let call = place(&s, &c, &from, &[("Url", url.as_str())]).await;
        let done = ended(&s, &c, &call).await;
        assert_eq!(done["status"], "completed", "{done}");
        assert_eq!(duration(&done), 1, "{done}");
        assert_eq!(
            codes(&notifications_of(&s, &c, &call).await),
            [code],
            "{path}"
        );
    }

    let url = receiver.url("/unsimulated");
    let call = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 1, "{done}");
    let found = notifications_of(&s, &c, &call).await;
    assert_eq!(codes(&found), ["12200", "12200"], "{found:?}");
    assert!(found.iter().all(|(_, log, _)| log == "1"), "{found:?}");
    for verb in ["Pay", "Echo"] {
        assert!(found.iter().any(|(_, _, t)| t.contains(verb)), "{found:?}");
    }

    // An audio answer is played.
    let url = receiver.url("/audio");
    let call = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    assert_eq!(duration(&ended(&s, &c, &call).await), 5);
});

server_test!(redirects_follow_and_a_loop_stops_at_the_limit, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/first",
        "<Response><Say>One</Say><Redirect method=\"GET\">next?step=2</Redirect><Say>never</Say></Response>",
    );
    receiver.answer_twiml("/next", "<Response><Pause length=\"2\"/></Response>");
    receiver.answer_twiml("/loop", "<Response><Redirect>/loop</Redirect></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "206").await;

    let first = receiver.url("/first");
    let call = place(&s, &c, &from, &[("Url", first.as_str())]).await;
    assert_eq!(duration(&ended(&s, &c, &call).await), 3);
    let next = requests_to(&receiver, "/next", 1).await;
    assert_eq!(next[0].method, "GET");
    assert_eq!(
        next[0]
            .path_and_query
            .split('?')
            .nth(1)
            .map(|q| q.starts_with("step=2")),
        Some(true)
    );
    assert_eq!(next[0].param("CallSid").as_deref(), call["sid"].as_str());

    let looping = receiver.url("/loop");
    let call = place(&s, &c, &from, &[("Url", looping.as_str())]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(requests_to(&receiver, "/loop", 50).await.len(), 50);
    let found = notifications_of(&s, &c, &call).await;
    assert_eq!(codes(&found), ["11215"], "{found:?}");
});

server_test!(reject_ends_a_call_unanswered_only_as_its_first_verb, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "617").await;
    for (twiml, status, talked) in [
        ("<Response><Reject reason=\"busy\"/></Response>", "busy", 0),
        ("<Response><Reject/></Response>", "no-answer", 0),
        (
            "<Response><Say>Bye</Say><Reject/></Response>",
            "completed",
            1,
        ),
    ] {
        let call = place(&s, &c, &from, &[("Twiml", twiml)]).await;
        let done = ended(&s, &c, &call).await;
        assert_eq!(done["status"], status, "{twiml}: {done}");
        assert_eq!(duration(&done), talked, "{twiml}: {done}");
        if talked == 0 {
            assert_eq!(done["price"], "0.00000", "{done}");
        }
    }
});

pub(crate) fn input_path(c: &Creds, call: &Value) -> String {
    format!(
        "/switchboard/v1/Accounts/{}/Calls/{}/Input.json",
        c.sid,
        call["sid"].as_str().unwrap()
    )
}

server_test!(
    gather_takes_input_queued_before_it_and_posts_it_to_action,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
            "/menu",
            "<Response><Gather numDigits=\"1\" action=\"/chosen\"><Say>Press one</Say></Gather>\
         <Say>We did not get that</Say></Response>",
        );
        receiver.answer_twiml("/chosen", "<Response><Say>Thanks</Say></Response>");
        receiver.answer_twiml(
            "/speech",
            "<Response><Gather input=\"speech\" action=\"/chosen\" method=\"GET\"/></Response>",
        );
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        let menu = receiver.url("/menu");

        // The answer is slow, so the input is queued before the <Gather> runs.
        receiver.delay_answers(Duration::from_millis(300));
        let call = place(&s, &c, &from, &[("Url", menu.as_str())]).await;
        let (status, body) = s
            .post(&c, &input_path(&c, &call), &[("Digits", "17")])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["sid"], call["sid"]);
        let done = ended(&s, &c, &call).await;
        // "Press one" (1 s), then "Thanks" (1 s).
        assert_eq!(duration(&done), 2, "{done}");
        let chosen = requests_to(&receiver, "/chosen", 1).await;
        assert_eq!(chosen[0].param("Digits").as_deref(), Some("1"));
        assert_eq!(chosen[0].param("CallSid").as_deref(), call["sid"].as_str());
        assert_eq!(
            chosen[0].param("CallStatus").as_deref(),
            Some("in-progress")
        );
        assert!(chosen[0].param("FinishedOnKey").is_none());
        assert_signed(&chosen[0], &receiver, &c.token);

        // No input: the gather times out and the document goes on.
        receiver.delay_answers(Duration::ZERO);
        let call = place(&s, &c, &from, &[("Url", menu.as_str())]).await;
        let done = ended(&s, &c, &call).await;
        // "Press one" (1 s), the 5 s timeout, "We did not get that" (2 s).
        assert_eq!(duration(&done), 8, "{done}");
        assert_eq!(requests_to(&receiver, "/chosen", 1).await.len(), 1);

        // Speech, to a gather that listens for it.
        receiver.delay_answers(Duration::from_millis(300));
        let speech = receiver.url("/speech");
        let call = place(&s, &c, &from, &[("Url", speech.as_str())]).await;
        let (status, body) = s
            .post(
                &c,
                &input_path(&c, &call),
                &[("SpeechResult", "talk to sales"), ("Confidence", "0.75")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ended(&s, &c, &call).await;
        let chosen = requests_to(&receiver, "/chosen", 2).await;
        let said = &chosen[1];
        assert_eq!(said.method, "GET");
        assert_eq!(said.param("SpeechResult").as_deref(), Some("talk to sales"));
        assert_eq!(said.param("Confidence").as_deref(), Some("0.75"));

        // Input for a call that has ended, or that is not input: Twilio's 400s.
        let (status, body) = s.post(&c, &input_path(&c, &call), &[("Digits", "1")]).await;
        assert_twilio_error(status, &body, 400, 21220);
        let (status, body) = s
            .post(&c, &input_path(&c, &call), &[("Digits", "12a")])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = s.post(&c, &input_path(&c, &call), &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        // Someone else's call is not found; strangers are not let in.
        let other = s.main_account(AccountType::Full).await;
        let theirs = format!(
            "/switchboard/v1/Accounts/{}/Calls/{}/Input.json",
            other.sid,
            call["sid"].as_str().unwrap()
        );
        let (status, _) = s.post(&other, &theirs, &[("Digits", "1")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = s
            .call(
                None,
                reqwest::Method::POST,
                &input_path(&c, &call),
                &[("Digits", "1")],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
);

server_test!(gather_finish_keys_and_empty_results, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/pin",
        "<Response><Gather action=\"/pin-done\" timeout=\"3\"/><Gather action=\"/pin-done\" actionOnEmptyResult=\"true\" timeout=\"2\"/></Response>",
    );
    receiver.answer_twiml("/pin-done", "<Response/>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "212").await;
    let pin = receiver.url("/pin");

    receiver.delay_answers(Duration::from_millis(300));
    let call = place(&s, &c, &from, &[("Url", pin.as_str())]).await;
    let (status, body) = s
        .post(&c, &input_path(&c, &call), &[("Digits", "4321#")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ended(&s, &c, &call).await;
    let done = requests_to(&receiver, "/pin-done", 1).await;
    assert_eq!(done[0].param("Digits").as_deref(), Some("4321"));
    assert_eq!(done[0].param("FinishedOnKey").as_deref(), Some("#"));

    // Nothing pressed: the first gather falls through, the second posts
    // an empty result.
    receiver.delay_answers(Duration::ZERO);
    let call = place(&s, &c, &from, &[("Url", pin.as_str())]).await;
    let ended_call = ended(&s, &c, &call).await;
    assert_eq!(duration(&ended_call), 5, "{ended_call}");
    let done = requests_to(&receiver, "/pin-done", 2).await;
    assert_eq!(done[1].param("Digits").as_deref(), Some(""));
    assert_eq!(done[1].param("CallSid").as_deref(), call["sid"].as_str());
});

server_test!(
    a_call_hung_up_during_a_long_pause_talked_only_so_far,
    settings = ten_times_faster,
    |s| {
        // Ten minutes of pause; the call is hung up a few simulated seconds
        // in. Its duration is what it talked, not the whole pause.
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        let call = place(
            &s,
            &c,
            &from,
            &[("Twiml", "<Response><Pause length=\"600\"/></Response>")],
        )
        .await;
        let path = call["uri"].as_str().unwrap();
        for _ in 0..400 {
            let (_, now) = s.get(&c, path).await;
            if now["status"] == "in-progress" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (status, body) = s.post(&c, path, &[("Status", "completed")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let done = ended(&s, &c, &call).await;
        assert_eq!(done["status"], "completed", "{done}");
        let talked = duration(&done);
        assert!((1..120).contains(&talked), "{done}");
    }
);

pub(crate) fn ten_times_faster(settings: &mut switchboard_domain::Settings) {
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(10.0);
}

server_test!(
    on_a_running_clock_input_feeds_the_waiting_gather,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        // A minute of simulated waiting: six real seconds at this speed.
        receiver.answer_twiml(
            "/wait",
            "<Response><Gather timeout=\"60\" numDigits=\"2\" action=\"/got\"/></Response>",
        );
        receiver.answer_twiml("/got", "<Response><Hangup/></Response>");
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "303").await;
        let wait = receiver.url("/wait");
        let call = place(&s, &c, &from, &[("Url", wait.as_str())]).await;
        requests_to(&receiver, "/wait", 1).await;
        let started = std::time::Instant::now();
        for key in ["4", "2"] {
            let (status, body) = s.post(&c, &input_path(&c, &call), &[("Digits", key)]).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let got = requests_to(&receiver, "/got", 1).await;
        assert_eq!(got[0].param("Digits").as_deref(), Some("42"));
        let done = ended(&s, &c, &call).await;
        assert!(started.elapsed() < Duration::from_secs(4), "{done}");
        assert!(duration(&done) < 60, "{done}");
    }
);

server_test!(
    dial_calls_a_child_leg_and_posts_its_outcome_to_action,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
        "/dial",
        "<Response><Dial action=\"/dialled\" timeout=\"20\"><Number>+14155550101</Number></Dial></Response>",
    );
        receiver.answer_twiml("/dialled", "<Response><Say>Bye</Say></Response>");
        receiver.answer_twiml(
            "/busy",
            "<Response><Dial>+14155550486</Dial><Say>They are busy</Say></Response>",
        );
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;

        let dial = receiver.url("/dial");
        let call = place(&s, &c, &from, &[("Url", dial.as_str())]).await;
        let done = ended(&s, &c, &call).await;
        assert_eq!(done["status"], "completed", "{done}");
        let action = requests_to(&receiver, "/dialled", 1).await;
        let r = &action[0];
        assert_eq!(r.param("DialCallStatus").as_deref(), Some("completed"));
        let leg_sid = r.param("DialCallSid").unwrap();
        let leg_duration: i64 = r.param("DialCallDuration").unwrap().parse().unwrap();
        assert!((30..300).contains(&leg_duration), "{r:?}");
        // The leg is a call of its own, child of the first.
        let (status, leg) = s
            .get(&c, &format!("{}/Calls/{leg_sid}.json", base(&c)))
            .await;
        assert_eq!(status, StatusCode::OK, "{leg}");
        assert_eq!(leg["direction"], "outbound-dial");
        assert_eq!(leg["parent_call_sid"], call["sid"]);
        assert_eq!(leg["to"], "+14155550101");
        assert_eq!(leg["from"], from.as_str());
        assert_eq!(leg["duration"], leg_duration.to_string());
        // The parent talked while the leg rang and talked, then said "Bye".
        assert!(duration(&done) > leg_duration, "{done}");
        let (_, children) = s
            .get(
                &c,
                &format!(
                    "{}/Calls.json?ParentCallSid={}",
                    base(&c),
                    call["sid"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(children["calls"].as_array().unwrap().len(), 1, "{children}");

        // Without an action the document goes on after <Dial>.
        let busy = receiver.url("/busy");
        let call = place(&s, &c, &from, &[("Url", busy.as_str())]).await;
        let done = ended(&s, &c, &call).await;
        assert_eq!(done["status"], "completed", "{done}");
        let (_, children) = s
            .get(
                &c,
                &format!(
                    "{}/Calls.json?ParentCallSid={}",
                    base(&c),
                    call["sid"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(children["calls"][0]["status"], "busy", "{children}");
    }
);

server_test!(
    a_live_call_runs_the_new_document_it_is_given,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        // Ten simulated minutes of waiting: a minute of real time.
        receiver.answer_twiml(
            "/hold",
            "<Response><Gather action=\"/never\" timeout=\"600\"/></Response>",
        );
        receiver.answer_twiml("/new", "<Response><Say>Moved</Say></Response>");
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "212").await;
        let hold = receiver.url("/hold");
        let call = place(&s, &c, &from, &[("Url", hold.as_str())]).await;
        requests_to(&receiver, "/hold", 1).await;
        let new = receiver.url("/new");
        let path = call["uri"].as_str().unwrap();
        let (status, body) = s
            .post(&c, path, &[("Url", new.as_str()), ("Method", "GET")])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let got = requests_to(&receiver, "/new", 1).await;
        assert_eq!(got[0].method, "GET");
        assert_eq!(got[0].param("CallSid").as_deref(), call["sid"].as_str());
        let done = ended(&s, &c, &call).await;
        assert_eq!(done["status"], "completed", "{done}");
        assert!(duration(&done) < 600, "{done}");
        assert!(
            receiver
                .received()
                .iter()
                .all(|r| !r.path_and_query.starts_with("/never")),
            "the interrupted <Gather> posted"
        );

        // Inline TwiML, on a call that talked as planned until then.
        let planned = place(&s, &c, &from, &[("Url", "https://app.example.com/twiml")]).await;
        let path = planned["uri"].as_str().unwrap();
        let mut moved = false;
        for _ in 0..200 {
            let (status, _) = s
                .post(&c, path, &[("Twiml", "<Response><Hangup/></Response>")])
                .await;
            if status == StatusCode::OK {
                moved = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(moved, "the call never answered");
        let done = ended(&s, &c, &planned).await;
        assert_eq!(done["status"], "completed", "{done}");
        // Hung up at once: well before the 30 s it was planned to talk at
        // least.
        assert!(duration(&done) < 30, "{done}");
    }
);

server_test!(a_connect_apps_calls_are_signed_with_its_owners_token, |s| {
    use crate::connect::{app_owner, authorize, customer};
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/app-voice",
        "<Response><Gather numDigits=\"1\" action=\"/app-menu\"><Say>Hi</Say></Gather></Response>",
    );
    receiver.answer_twiml("/app-menu", "<Response><Hangup/></Response>");
    let owner = app_owner(&s, &["get-all", "post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = Creds {
        sid: sub,
        token: owner.creds.token.clone(),
    };
    let from = buy(&s, &app, "305").await;
    let voice = receiver.url("/app-voice");
    receiver.delay_answers(Duration::from_millis(300));
    let call = place(&s, &app, &from, &[("Url", voice.as_str())]).await;
    // An app the customer let only read gives no input: 403 before any
    // call is looked up (unchecked, this call would be a 404 there).
    let reader = app_owner(&s, &["get-all"]).await;
    let reader = Creds {
        sid: authorize(&mut cust.browser, &reader.app).await,
        token: reader.creds.token.clone(),
    };
    let (status, body) = s
        .post(&reader, &input_path(&reader, &call), &[("Digits", "9")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // The app gives the caller's input in its customer's subaccount.
    let (status, body) = s
        .post(&app, &input_path(&app, &call), &[("Digits", "3")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ended(&s, &app, &call).await;
    let asked = requests_to(&receiver, "/app-voice", 1).await;
    assert_signed(&asked[0], &receiver, &owner.creds.token);
    assert_eq!(
        asked[0].param("AccountSid").as_deref(),
        Some(app.sid.as_str())
    );
    let menu = requests_to(&receiver, "/app-menu", 1).await;
    assert_eq!(menu[0].param("Digits").as_deref(), Some("3"));
    assert_signed(&menu[0], &receiver, &owner.creds.token);
});
