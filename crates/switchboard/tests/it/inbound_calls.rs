//! Calls that arrive, over real HTTP: a call placed (or a `<Dial>` leg) to
//! a number of this Switchboard rings that number's voice webhook as an
//! inbound call in its owner's account; a simulated handset calls with
//! `InboundCalls.json`; `<Dial>` rings several numbers, whispers, sends
//! digits, and lets the caller hang up the leg with `*`.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_types::{AccountSid, AccountType};

use crate::connect::{app_owner, authorize, customer};
use crate::receiver::{Received, Receiver};
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};
use crate::telephony::buy;
use crate::voice_calls::{codes, duration, ended_sid as ended, notifications_of, requests_to};

const HANDSET: &str = "+14155550123";
/// A URL no app answers: the call talks as planned (or, calling a number
/// here, as long as the other side does).
const NOWHERE: &str = "https://app.example.com/twiml";

fn inbound_path(c: &Creds) -> String {
    format!("/switchboard/v1/Accounts/{}/InboundCalls.json", c.sid)
}

/// Buys a number in `area` with these voice settings; returns it.
async fn number_with(s: &TestServer, c: &Creds, area: &str, settings: &[(&str, &str)]) -> String {
    let mut form = vec![("AreaCode", area)];
    form.extend_from_slice(settings);
    let (status, body) = s
        .post(c, &format!("{}/IncomingPhoneNumbers.json", base(c)), &form)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["phone_number"].as_str().unwrap().to_owned()
}

async fn place(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> Value {
    let (status, call) = s.post(c, &format!("{}/Calls.json", base(c)), form).await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    call
}

/// The account's calls, newest first, once there are `n`.
async fn calls_of(s: &TestServer, c: &Creds, query: &str, n: usize) -> Vec<Value> {
    let path = format!("{}/Calls.json?PageSize=100{query}", base(c));
    for _ in 0..400 {
        let (status, body) = s.get(c, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list = body["calls"].as_array().unwrap().clone();
        if list.len() >= n {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path} never listed {n} calls");
}

fn price(call: &Value) -> f64 {
    call["price"].as_str().unwrap().parse().unwrap()
}

/// The one usage record of `category` today, as (count, usage).
async fn usage(s: &TestServer, c: &Creds, category: &str) -> (String, String) {
    let (status, body) = s
        .get(
            c,
            &format!("{}/Usage/Records/Today.json?Category={category}", base(c)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = &body["usage_records"][0];
    (
        r["count"].as_str().unwrap_or_default().to_owned(),
        r["usage"].as_str().unwrap_or_default().to_owned(),
    )
}

server_test!(a_call_to_a_number_here_rings_its_voice_url, |s| {
    let receiver = Receiver::start().await;
    // 14 characters (1 s), a 3 s pause.
    receiver.answer_twiml(
        "/b-voice",
        "<Response><Say>Hello from b.</Say><Pause length=\"3\"/></Response>",
    );
    let a = s.main_account(AccountType::Full).await;
    let b = s.main_account(AccountType::Full).await;
    let from = buy(&s, &a, "617").await;
    let b_voice = receiver.url("/b-voice");
    let to = number_with(&s, &b, "212", &[("VoiceUrl", b_voice.as_str())]).await;
    let status = receiver.url("/a-status");
    let call = place(
        &s,
        &a,
        &[
            ("To", to.as_str()),
            ("From", from.as_str()),
            ("Url", NOWHERE),
            ("StatusCallback", status.as_str()),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
        ],
    )
    .await;
    let done = ended(&s, &a, call["sid"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed", "{done}");
    // The caller talked as long as the other side's document ran.
    assert_eq!(duration(&done), 4, "{done}");

    let asked = requests_to(&receiver, "/b-voice", 1).await;
    let r = &asked[0];
    assert_signed(r, &receiver, &b.token);
    for (name, want) in [
        ("AccountSid", b.sid.as_str()),
        ("From", from.as_str()),
        ("Caller", from.as_str()),
        ("To", to.as_str()),
        ("Called", to.as_str()),
        ("Direction", "inbound"),
        ("CallStatus", "ringing"),
    ] {
        assert_eq!(r.param(name).as_deref(), Some(want), "{name} in {r:?}");
    }
    let theirs = calls_of(&s, &b, "", 1).await;
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    let inbound = ended(&s, &b, theirs[0]["sid"].as_str().unwrap()).await;
    assert_eq!(r.param("CallSid").as_deref(), inbound["sid"].as_str());
    assert_eq!(inbound["direction"], "inbound");
    assert_eq!(inbound["status"], "completed");
    assert_eq!(inbound["from"], from.as_str());
    assert_eq!(inbound["to"], to.as_str());
    assert_eq!(duration(&inbound), 4, "{inbound}");
    assert!(inbound["parent_call_sid"].is_null(), "{inbound}");
    // Received calls cost the receiving number's inbound rate.
    assert!((price(&inbound) + 0.0085).abs() < 1e-9, "{inbound}");
    assert!((price(&done) + 0.014).abs() < 1e-9, "{done}");
    assert_eq!(
        usage(&s, &b, "calls-inbound").await,
        ("1".into(), "1".into())
    );
    assert_eq!(usage(&s, &b, "calls-outbound").await.0, "0");
    assert_eq!(
        usage(&s, &a, "calls-outbound").await,
        ("1".into(), "1".into())
    );
    // The caller's side was answered when the inbound document answered.
    let events = requests_to(&receiver, "/a-status", 2).await;
    let statuses: Vec<String> = events
        .iter()
        .filter_map(|e| e.param("CallStatus"))
        .collect();
    assert!(statuses.contains(&"in-progress".to_owned()), "{statuses:?}");
    assert!(statuses.contains(&"completed".to_owned()), "{statuses:?}");
    // The caller's account holds only its own call.
    assert_eq!(calls_of(&s, &a, "", 1).await.len(), 1);

    // Answering machine detection tells who answered, as on any call.
    let amd = receiver.url("/amd");
    let call = place(
        &s,
        &a,
        &[
            ("To", to.as_str()),
            ("From", from.as_str()),
            ("Url", NOWHERE),
            ("MachineDetection", "Enable"),
            ("AsyncAmd", "true"),
            ("AsyncAmdStatusCallback", amd.as_str()),
        ],
    )
    .await;
    let done = ended(&s, &a, call["sid"].as_str().unwrap()).await;
    assert_eq!(done["answered_by"], "human", "{done}");
    let hooks = requests_to(&receiver, "/amd", 1).await;
    assert_eq!(hooks[0].param("AnsweredBy").as_deref(), Some("human"));
    assert_eq!(hooks[0].param("CallSid").as_deref(), call["sid"].as_str());
});

server_test!(reject_a_number_without_voice_url_and_applications, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/busy", "<Response><Reject reason=\"busy\"/></Response>");
    receiver.answer_twiml("/rejected", "<Response><Reject/></Response>");
    receiver.answer_twiml("/app", "<Response><Say>App</Say></Response>");
    let a = s.main_account(AccountType::Full).await;
    let b = s.main_account(AccountType::Full).await;
    let from = buy(&s, &a, "617").await;
    let busy_url = receiver.url("/busy");
    let busy = number_with(&s, &b, "212", &[("VoiceUrl", busy_url.as_str())]).await;
    let rejected_url = receiver.url("/rejected");
    let rejected = number_with(&s, &b, "303", &[("VoiceUrl", rejected_url.as_str())]).await;
    let silent = number_with(&s, &b, "415", &[]).await;
    let app_url = receiver.url("/app");
    let (status, app) = s
        .post(
            &b,
            &format!("{}/Applications.json", base(&b)),
            &[("VoiceUrl", app_url.as_str()), ("VoiceMethod", "GET")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let with_app = number_with(
        &s,
        &b,
        "512",
        &[("VoiceApplicationSid", app["sid"].as_str().unwrap())],
    )
    .await;

    for (to, want) in [
        (&busy, "busy"),
        (&rejected, "no-answer"),
        (&silent, "no-answer"),
    ] {
        let call = place(
            &s,
            &a,
            &[
                ("To", to.as_str()),
                ("From", from.as_str()),
                ("Url", NOWHERE),
            ],
        )
        .await;
        let done = ended(&s, &a, call["sid"].as_str().unwrap()).await;
        assert_eq!(done["status"], want, "{to}: {done}");
        assert_eq!(duration(&done), 0, "{done}");
        assert_eq!(done["price"], "0.00000", "{done}");
        let theirs = calls_of(&s, &b, &format!("&To={}", to.replace('+', "%2B")), 1).await;
        let inbound = ended(&s, &b, theirs[0]["sid"].as_str().unwrap()).await;
        assert_eq!(inbound["status"], want, "{to}: {inbound}");
        assert_eq!(inbound["price"], "0.00000", "{inbound}");
    }
    // Nothing was billed as received.
    assert_eq!(usage(&s, &b, "calls-inbound").await.0, "0");

    // A number's voice application answers in its place.
    let call = place(
        &s,
        &a,
        &[
            ("To", with_app.as_str()),
            ("From", from.as_str()),
            ("Url", NOWHERE),
        ],
    )
    .await;
    let done = ended(&s, &a, call["sid"].as_str().unwrap()).await;
    assert_eq!(
        (done["status"].as_str(), duration(&done)),
        (Some("completed"), 1)
    );
    let asked = requests_to(&receiver, "/app", 1).await;
    assert_eq!(asked[0].method, "GET");
    assert_eq!(asked[0].param("Direction").as_deref(), Some("inbound"));
    assert_signed(&asked[0], &receiver, &b.token);
});

server_test!(a_handset_calls_a_number_with_keys_queued, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/menu",
        "<Response><Gather numDigits=\"2\" action=\"/chosen\"><Say>Pick</Say></Gather></Response>",
    );
    receiver.answer_twiml("/chosen", "<Response><Say>Thanks</Say></Response>");
    let c = s.main_account(AccountType::Full).await;
    let menu = receiver.url("/menu");
    let number = number_with(&s, &c, "415", &[("VoiceUrl", menu.as_str())]).await;
    let (status, call) = s
        .post(
            &c,
            &inbound_path(&c),
            &[("From", HANDSET), ("To", number.as_str()), ("Digits", "42")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    assert_eq!(call["direction"], "inbound");
    assert_eq!(call["status"], "ringing");
    assert_eq!(call["from"], HANDSET);
    assert_eq!(call["to"], number.as_str());
    assert_eq!(call["account_sid"], c.sid.as_str());
    crate::openapi::assert_answer(
        crate::openapi::api_2010(),
        "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json",
        "get",
        200,
        &call,
    );
    let chosen = requests_to(&receiver, "/chosen", 1).await;
    assert_eq!(chosen[0].param("Digits").as_deref(), Some("42"));
    assert_eq!(chosen[0].param("Direction").as_deref(), Some("inbound"));
    let done = ended(&s, &c, call["sid"].as_str().unwrap()).await;
    // "Pick" (1 s), then "Thanks" (1 s).
    assert_eq!(
        (done["status"].as_str(), duration(&done)),
        (Some("completed"), 2)
    );

    // Refused: no From, a bad From, no To, a number of another account,
    // keys that are not keys. Nothing is stored.
    let other = s.main_account(AccountType::Full).await;
    let theirs = buy(&s, &other, "212").await;
    for form in [
        vec![("To", number.as_str())],
        vec![("From", "nope"), ("To", number.as_str())],
        vec![("From", HANDSET)],
        vec![("From", HANDSET), ("To", theirs.as_str())],
        vec![("From", HANDSET), ("To", number.as_str()), ("Digits", "1x")],
    ] {
        let (status, body) = s.post(&c, &inbound_path(&c), &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}: {body}");
        assert!(body["code"].is_u64(), "{body}");
    }
    assert_eq!(calls_of(&s, &c, "", 1).await.len(), 1);
    // Another account cannot ring this one's numbers through its path.
    let (status, _) = s
        .post(
            &other,
            &inbound_path(&c),
            &[("From", HANDSET), ("To", number.as_str())],
        )
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    let (status, _) = s
        .call(
            None,
            reqwest::Method::POST,
            &inbound_path(&c),
            &[("From", HANDSET), ("To", number.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(calls_of(&s, &other, "", 0).await.len(), 0);
});

server_test!(a_connect_app_with_post_all_rings_its_subaccount, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/app-voice", "<Response><Hangup/></Response>");
    let full = app_owner(&s, &["get-all", "post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &full.app).await;
    let app = Creds {
        sid: sub,
        token: full.creds.token.clone(),
    };
    let voice = receiver.url("/app-voice");
    let number = number_with(&s, &app, "305", &[("VoiceUrl", voice.as_str())]).await;
    let (status, call) = s
        .post(
            &app,
            &inbound_path(&app),
            &[("From", HANDSET), ("To", number.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let asked = requests_to(&receiver, "/app-voice", 1).await;
    // The app knows only its owner's token, which signs it.
    assert_signed(&asked[0], &receiver, &full.creds.token);

    // With get-all only, an app reads but cannot make calls arrive.
    let reader = app_owner(&s, &["get-all"]).await;
    let mut cust2 = customer(&s, true).await;
    let sub2 = authorize(&mut cust2.browser, &reader.app).await;
    let read_only = Creds {
        sid: sub2,
        token: reader.creds.token.clone(),
    };
    let (status, body) = s
        .post(
            &read_only,
            &inbound_path(&read_only),
            &[("From", HANDSET), ("To", number.as_str())],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
});

server_test!(
    dial_rings_every_number_and_connects_the_first_to_answer,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
            "/dial",
            "<Response><Dial action=\"/dialled\"><Number>+14155550486</Number>\
             <Number>+14155550101</Number><Number>+14155550102</Number></Dial></Response>",
        );
        receiver.answer_twiml("/dialled", "<Response/>");
        receiver.answer_twiml(
            "/nobody",
            "<Response><Dial action=\"/dialled\"><Number>+14155550486</Number>\
             <Number>+14155550487</Number></Dial></Response>",
        );
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        let dial = receiver.url("/dial");
        let call = place(
            &s,
            &c,
            &[("To", "+14155550100"), ("From", &from), ("Url", &dial)],
        )
        .await;
        let sid = call["sid"].as_str().unwrap();
        ended(&s, &c, sid).await;
        let action = requests_to(&receiver, "/dialled", 1).await;
        assert_eq!(
            action[0].param("DialCallStatus").as_deref(),
            Some("completed")
        );
        let winner = action[0].param("DialCallSid").unwrap();
        let legs = calls_of(&s, &c, &format!("&ParentCallSid={sid}"), 3).await;
        assert_eq!(legs.len(), 3, "{legs:?}");
        let mut statuses: Vec<(String, String)> = legs
            .iter()
            .map(|l| {
                (
                    l["to"].as_str().unwrap().to_owned(),
                    l["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        statuses.sort();
        // The busy number is busy (or canceled, if another answered before
        // it said so); of the two that answer, the one that rings shorter
        // is connected and the other canceled (or rang out).
        assert_eq!(statuses[2].0, "+14155550486");
        assert!(
            ["busy", "canceled"].contains(&statuses[2].1.as_str()),
            "{statuses:?}"
        );
        let completed: Vec<&Value> = legs.iter().filter(|l| l["status"] == "completed").collect();
        assert_eq!(completed.len(), 1, "{legs:?}");
        assert_eq!(completed[0]["sid"], winner.as_str());
        assert!(
            legs.iter()
                .filter(|l| l["sid"] != winner.as_str() && l["to"] != "+14155550486")
                .all(|l| l["status"] == "canceled" || l["status"] == "no-answer"),
            "{legs:?}"
        );

        // No one answers: busy and no-answer make no-answer.
        let nobody = receiver.url("/nobody");
        let call = place(
            &s,
            &c,
            &[("To", "+14155550100"), ("From", &from), ("Url", &nobody)],
        )
        .await;
        ended(&s, &c, call["sid"].as_str().unwrap()).await;
        let action = requests_to(&receiver, "/dialled", 2).await;
        assert_eq!(
            action[1].param("DialCallStatus").as_deref(),
            Some("no-answer")
        );
    }
);

server_test!(
    dial_to_a_number_here_whispers_sends_digits_and_uses_caller_id,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
            "/b-voice",
            "<Response><Gather numDigits=\"2\" action=\"/b-got\"/></Response>",
        );
        // Two simulated seconds of pause (two real): the leg's whisper is
        // over by then.
        receiver.answer_twiml(
            "/b-got",
            "<Response><Say>Thanks</Say><Pause length=\"20\"/></Response>",
        );
        receiver.answer_twiml("/whisper", "<Response><Say>A call for you</Say></Response>");
        let a = s.main_account(AccountType::Full).await;
        let b = s.main_account(AccountType::Full).await;
        let from = buy(&s, &a, "617").await;
        let caller_id = buy(&s, &a, "303").await;
        let b_voice = receiver.url("/b-voice");
        let b_number = number_with(&s, &b, "212", &[("VoiceUrl", b_voice.as_str())]).await;
        let twiml = format!(
            "<Response><Dial callerId=\"{caller_id}\" action=\"{}\"><Number url=\"{}\" method=\"GET\" sendDigits=\"1w2\">{b_number}</Number></Dial></Response>",
            receiver.url("/a-dialled"),
            receiver.url("/whisper"),
        );
        receiver.answer_twiml("/a-dialled", "<Response/>");
        let call = place(
            &s,
            &a,
            &[("To", "+14155550100"), ("From", &from), ("Twiml", &twiml)],
        )
        .await;
        let sid = call["sid"].as_str().unwrap();
        ended(&s, &a, sid).await;
        // The number's own webhook got the keys the leg sent.
        let got = requests_to(&receiver, "/b-got", 1).await;
        assert_eq!(got[0].param("Digits").as_deref(), Some("12"));
        assert_eq!(got[0].param("From").as_deref(), Some(caller_id.as_str()));
        let whisper = requests_to(&receiver, "/whisper", 1).await;
        assert_eq!(whisper[0].method, "GET");
        assert_eq!(whisper[0].param("ParentCallSid").as_deref(), Some(sid));
        assert_eq!(
            whisper[0].param("Direction").as_deref(),
            Some("outbound-dial")
        );
        let dialled = requests_to(&receiver, "/a-dialled", 1).await;
        assert_eq!(
            dialled[0].param("DialCallStatus").as_deref(),
            Some("completed")
        );
        let legs = calls_of(&s, &a, &format!("&ParentCallSid={sid}"), 1).await;
        let leg = ended(&s, &a, legs[0]["sid"].as_str().unwrap()).await;
        assert_eq!(leg["from"], caller_id.as_str());
        assert_eq!(leg["to"], b_number.as_str());
        assert_eq!(leg["status"], "completed");
        let inbound = calls_of(&s, &b, "", 1).await;
        let inbound = ended(&s, &b, inbound[0]["sid"].as_str().unwrap()).await;
        assert_eq!(inbound["direction"], "inbound");
        assert_eq!(inbound["status"], "completed");
        assert_eq!(inbound["from"], caller_id.as_str());
    }
);

server_test!(a_dial_in_a_whisper_is_error_13201_and_skipped, |s| {
    let receiver = Receiver::start().await;
    // The whisper tries to dial on: Twilio refuses ("Cannot Dial out from
    // a Dial Call Segment"), and the leg is connected when its document ends.
    receiver.answer_twiml(
        "/whisper",
        "<Response><Dial>+14155550101</Dial><Say>Connecting</Say></Response>",
    );
    receiver.answer_twiml("/dialled", "<Response/>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let twiml = format!(
        "<Response><Dial action=\"{}\"><Number url=\"{}\">+14155550100</Number></Dial></Response>",
        receiver.url("/dialled"),
        receiver.url("/whisper"),
    );
    let call = place(
        &s,
        &c,
        &[("To", "+14155550100"), ("From", &from), ("Twiml", &twiml)],
    )
    .await;
    let sid = call["sid"].as_str().unwrap();
    ended(&s, &c, sid).await;
    let dialled = requests_to(&receiver, "/dialled", 1).await;
    assert_eq!(
        dialled[0].param("DialCallStatus").as_deref(),
        Some("completed")
    );
    let legs = calls_of(&s, &c, &format!("&ParentCallSid={sid}"), 1).await;
    assert_eq!(legs.len(), 1, "{legs:?}");
    let leg = ended(&s, &c, legs[0]["sid"].as_str().unwrap()).await;
    assert_eq!(leg["status"], "completed");
    let nested = calls_of(
        &s,
        &c,
        &format!("&ParentCallSid={}", leg["sid"].as_str().unwrap()),
        0,
    )
    .await;
    assert!(nested.is_empty(), "the whisper dialled: {nested:?}");
    let found = notifications_of(&s, &c, &leg).await;
    assert_eq!(codes(&found), ["13201"], "{found:?}");
    assert_eq!(found[0].1, "0", "an error, not a warning: {found:?}");
});

fn ten_times_faster(settings: &mut switchboard_domain::Settings) {
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(10.0);
}

/// The first leg of `parent`, once it is in progress.
async fn leg_in_progress(s: &TestServer, c: &Creds, parent: &str) -> Value {
    for _ in 0..400 {
        let legs = calls_of(s, c, &format!("&ParentCallSid={parent}"), 0).await;
        if let Some(leg) = legs.first()
            && leg["status"] == "in-progress"
        {
            return leg.clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{parent}'s leg never answered");
}

server_test!(
    star_and_the_parent_hanging_up_end_the_leg,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
            "/star",
            "<Response><Dial hangupOnStar=\"true\" action=\"/after\">+14155550101</Dial></Response>",
        );
        receiver.answer_twiml("/after", "<Response><Hangup/></Response>");
        receiver.answer_twiml("/long", "<Response><Dial>+14155550101</Dial></Response>");
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        let star = receiver.url("/star");
        let call = place(
            &s,
            &c,
            &[("To", "+14155550100"), ("From", &from), ("Url", &star)],
        )
        .await;
        let sid = call["sid"].as_str().unwrap();
        let leg = leg_in_progress(&s, &c, sid).await;
        let started = std::time::Instant::now();
        let input = format!("/switchboard/v1/Accounts/{}/Calls/{sid}/Input.json", c.sid);
        let (status, body) = s.post(&c, &input, &[("Digits", "*")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let after = requests_to(&receiver, "/after", 1).await;
        assert_eq!(
            after[0].param("DialCallStatus").as_deref(),
            Some("completed")
        );
        assert_eq!(
            after[0].param("DialCallSid").as_deref(),
            leg["sid"].as_str()
        );
        let leg = ended(&s, &c, leg["sid"].as_str().unwrap()).await;
        assert_eq!(leg["status"], "completed");
        // Well before the 30 s (3 real seconds) it planned to talk at least.
        assert!(started.elapsed() < Duration::from_secs(3));
        ended(&s, &c, sid).await;

        // The parent hangs up: its leg hangs up with it.
        let long = receiver.url("/long");
        let call = place(
            &s,
            &c,
            &[("To", "+14155550100"), ("From", &from), ("Url", &long)],
        )
        .await;
        let sid = call["sid"].as_str().unwrap();
        let leg = leg_in_progress(&s, &c, sid).await;
        let (status, body) = s
            .post(
                &c,
                call["uri"].as_str().unwrap(),
                &[("Status", "completed")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let leg = ended(&s, &c, leg["sid"].as_str().unwrap()).await;
        assert_eq!(leg["status"], "completed", "{leg}");
        assert!(duration(&leg) < 30, "{leg}");
    }
);

fn sandbox_mode(s: &mut switchboard_domain::Settings) {
    s.sandbox = true;
}

server_test!(
    a_number_in_another_world_is_never_rung,
    settings = sandbox_mode,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml("/default", "<Response><Say>Default world</Say></Response>");
        receiver.answer_twiml("/bob", "<Response><Say>Bob</Say></Response>");
        // The default world's number, and the sandbox's bob, at their own URLs.
        let here = s.main_account(AccountType::Full).await;
        let default_url = receiver.url("/default");
        let default_number =
            number_with(&s, &here, "415", &[("VoiceUrl", default_url.as_str())]).await;
        let seed = json!({"accounts": {
            "alice": {"phone_numbers": [{"phone_number": "+14155550177"}]},
            "bob": {"phone_numbers": [{"phone_number": "+14155550188",
                "voice_url": receiver.url("/bob")}]}}});
        let resp = s
            .http
            .post(s.url("/switchboard/v1/Sandboxes.json"))
            .header("Content-Type", "application/json")
            .body(seed.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let sandbox: Value = resp.json().await.unwrap();
        let creds = |name: &str| Creds {
            sid: AccountSid::parse(sandbox["accounts"][name]["sid"].as_str().unwrap()).unwrap(),
            token: sandbox["accounts"][name]["auth_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        };
        let (alice, bob) = (creds("alice"), creds("bob"));
        // Alice calls the default world's number: not hers to ring.
        let call = place(
            &s,
            &alice,
            &[
                ("To", default_number.as_str()),
                ("From", "+14155550177"),
                ("Url", NOWHERE),
            ],
        )
        .await;
        let done = ended(&s, &alice, call["sid"].as_str().unwrap()).await;
        assert!((30..300).contains(&duration(&done)), "{done}");
        // Her own world's bob is rung.
        let call = place(
            &s,
            &alice,
            &[
                ("To", "+14155550188"),
                ("From", "+14155550177"),
                ("Url", NOWHERE),
            ],
        )
        .await;
        let done = ended(&s, &alice, call["sid"].as_str().unwrap()).await;
        assert_eq!(duration(&done), 1, "{done}");
        let asked = requests_to(&receiver, "/bob", 1).await;
        assert_eq!(
            asked[0].param("AccountSid").as_deref(),
            Some(bob.sid.as_str())
        );
        // The default world's account calling bob's number rings nobody.
        let from = buy(&s, &here, "212").await;
        let call = place(
            &s,
            &here,
            &[
                ("To", "+14155550188"),
                ("From", from.as_str()),
                ("Url", NOWHERE),
            ],
        )
        .await;
        let done = ended(&s, &here, call["sid"].as_str().unwrap()).await;
        assert!((30..300).contains(&duration(&done)), "{done}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        let received = receiver.received();
        assert!(
            received.iter().all(|r| r.path_and_query != "/default"),
            "{received:?}"
        );
        assert_eq!(
            received
                .iter()
                .filter(|r| r.path_and_query == "/bob")
                .count(),
            1,
            "{received:?}"
        );
        assert!(
            calls_of(&s, &here, "", 1)
                .await
                .iter()
                .all(|c| c["direction"] != "inbound")
        );
    }
);

server_test!(
    numbers_dialling_each_other_stop_at_the_depth_limit,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let (x_url, y_url) = (receiver.url("/x"), receiver.url("/y"));
        let x = number_with(&s, &c, "415", &[("VoiceUrl", x_url.as_str())]).await;
        let y = number_with(&s, &c, "212", &[("VoiceUrl", y_url.as_str())]).await;
        // Each number's TwiML dials the other.
        receiver.answer_twiml(
            "/x",
            &format!("<Response><Dial action=\"/dialled\">{y}</Dial></Response>"),
        );
        receiver.answer_twiml(
            "/y",
            &format!("<Response><Dial action=\"/dialled\">{x}</Dial></Response>"),
        );
        receiver.answer_twiml("/dialled", "<Response/>");
        let (status, first) = s
            .post(
                &c,
                &inbound_path(&c),
                &[("From", HANDSET), ("To", x.as_str())],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        // The handset's call ends last: its <Dial> waits for all the rest.
        ended(&s, &c, first["sid"].as_str().unwrap()).await;

        // 10 legs, each ringing the next inbound call; the 11th inbound
        // call's <Dial> is refused, and the chain unwinds.
        let dialled = requests_to(&receiver, "/dialled", 11).await;
        assert_eq!(dialled.len(), 11, "{dialled:?}");
        let failed: Vec<&Received> = dialled
            .iter()
            .filter(|r| r.param("DialCallStatus").as_deref() == Some("failed"))
            .collect();
        assert_eq!(failed.len(), 1, "{dialled:?}");
        assert_eq!(failed[0].param("DialCallSid"), None);
        assert!(
            dialled
                .iter()
                .filter(|r| r.param("DialCallStatus").as_deref() != Some("failed"))
                .all(|r| r.param("DialCallStatus").as_deref() == Some("completed")),
            "{dialled:?}"
        );
        let calls = calls_of(&s, &c, "", 21).await;
        let count = |direction: &str| calls.iter().filter(|c| c["direction"] == direction).count();
        assert_eq!(
            (calls.len(), count("inbound"), count("outbound-dial")),
            (21, 11, 10),
            "{calls:?}"
        );
        let deepest = failed[0].param("CallSid").unwrap();
        let deepest = calls.iter().find(|c| c["sid"] == deepest.as_str()).unwrap();
        assert_eq!(deepest["direction"], "inbound");
        for call in &calls {
            ended(&s, &c, call["sid"].as_str().unwrap()).await;
        }
        let notes = crate::voice_calls::notifications_of(&s, &c, deepest).await;
        assert_eq!(crate::voice_calls::codes(&notes), ["11215"], "{notes:?}");
        // message_text is form-encoded, as at Twilio.
        assert!(
            notes[0].2.contains("already+10+%3CDial%3E+legs+deep"),
            "{notes:?}"
        );
    }
);
