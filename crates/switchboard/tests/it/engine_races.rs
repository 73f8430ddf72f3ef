//! The API changing a call while the engine steps it, over real HTTP, many
//! rounds on each database: the call ends exactly once and no request is
//! answered 500.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::receiver::Receiver;
use crate::server_test;
use crate::support::{Creds, TestServer, base};
use crate::telephony::buy;
use crate::voice_calls::{ended, place};

/// A hundred simulated seconds a second: a one-second `<Pause>` is a step
/// every ten milliseconds.
fn fast_clock(settings: &mut switchboard_domain::Settings) {
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(100.0);
}

/// A call in progress, stepping through `<Pause>`s (a second and a half of
/// them; Twilio takes up to 4000 characters of `Twiml`).
async fn pausing_call(s: &TestServer, c: &Creds, from: &str, status: &str) -> Value {
    let twiml = format!(
        "<Response>{}</Response>",
        "<Pause length=\"1\"/>".repeat(150)
    );
    let call = place(s, c, from, &[("Twiml", &twiml), ("StatusCallback", status)]).await;
    let path = format!("{}/Calls/{}.json", base(c), call["sid"].as_str().unwrap());
    for _ in 0..400 {
        let (got, body) = s.get(c, &path).await;
        assert_eq!(got, StatusCode::OK, "{body}");
        if body["status"] == "in-progress" {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{path} was never answered");
}

/// Hangs the call `call` up and ends the conference `conf`, at once, over
/// the API: the answers to both.
pub async fn hang_up_and_end(
    s: &TestServer,
    c: &Creds,
    call: &str,
    conf: &Value,
) -> ((StatusCode, Value), (StatusCode, Value)) {
    let hang_up = format!("{}/Calls/{call}.json", base(c));
    let end = format!(
        "{}/Conferences/{}.json",
        base(c),
        conf["sid"].as_str().unwrap()
    );
    let completed = [("Status", "completed")];
    tokio::join!(s.post(c, &hang_up, &completed), s.post(c, &end, &completed))
}

/// An answer to a change of a call: done, or refused because the call had
/// already ended (Twilio's 21220); never a 500.
fn done_or_over(round: usize, status: StatusCode, body: &Value) {
    let over = status == StatusCode::BAD_REQUEST && body["code"] == 21220;
    assert!(
        status == StatusCode::OK || over,
        "round {round}: {status} {body}"
    );
}

// The API's hang-up (and its redirect to a document that hangs up) claims
// the call's engine row, as the engine's steps do; a step under way and the
// API's change are played one after the other, whichever comes first. Two
// API requests race each other and the steps each round.
server_test!(
    hanging_up_a_call_the_engine_is_stepping_ends_it_once,
    settings = fast_clock,
    |s| {
        let receiver = Receiver::start().await;
        let status = receiver.url("/status");
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        let mut calls = Vec::new();
        for round in 0..12 {
            let call = pausing_call(&s, &c, &from, &status).await;
            let path = format!("{}/Calls/{}.json", base(&c), call["sid"].as_str().unwrap());
            // Let a few steps pass, differently each round.
            tokio::time::sleep(Duration::from_millis((round % 4) as u64 * 7)).await;
            let hang_up = [("Status", "completed")];
            let redirect = [("Twiml", "<Response><Hangup/></Response>")];
            let second: &[(&str, &str)] = if round % 2 == 0 { &hang_up } else { &redirect };
            let ((a, a_body), (b, b_body)) =
                tokio::join!(s.post(&c, &path, &hang_up), s.post(&c, &path, second));
            done_or_over(round, a, &a_body);
            done_or_over(round, b, &b_body);
            let done = ended(&s, &c, &call).await;
            assert_eq!(done["status"], "completed", "round {round}: {done}");
            calls.push(done["sid"].as_str().unwrap().to_owned());
        }
        // Every call's one status callback, and no second one.
        receiver
            .wait_for(calls.len(), Duration::from_secs(10))
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let got = receiver.received();
        for sid in &calls {
            let completed: Vec<_> = got
                .iter()
                .filter(|r| r.param("CallSid").as_deref() == Some(sid.as_str()))
                .map(|r| r.param("CallStatus"))
                .collect();
            assert_eq!(
                completed,
                vec![Some("completed".to_owned())],
                "{sid}: {completed:?}"
            );
        }
        assert_eq!(got.len(), calls.len(), "{got:?}");
    }
);

/// The SIDs of the conference's participants' calls.
async fn participant_calls(s: &TestServer, c: &Creds, conf: &Value) -> Vec<String> {
    let path = format!(
        "{}/Conferences/{}/Participants.json",
        base(c),
        conf["sid"].as_str().unwrap()
    );
    let (status, list) = s.get(c, &path).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["call_sid"].as_str().unwrap().to_owned())
        .collect()
}

// A call between two numbers here whose answering side is in a conference:
// ending the conference ends that side, and so its caller (the other side,
// no participant); hanging the caller up ends the answering side, which
// leaves the conference. Both at once take the conference's lock first
// (the caller's update locks its other side's conference too), so neither
// waits for the other's call while holding its own.
server_test!(
    ending_a_room_while_the_other_side_of_a_participant_hangs_up,
    settings = crate::voice_calls::ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        let mut numbers = Vec::new();
        for round in 0..6 {
            let path = format!("/room{round}");
            receiver.answer_twiml(
                &path,
                &format!("<Response><Dial><Conference>peer{round}</Conference></Dial></Response>"),
            );
            let voice = receiver.url(&path);
            let (status, body) = s
                .post(
                    &c,
                    &format!("{}/IncomingPhoneNumbers.json", base(&c)),
                    &[("AreaCode", "212"), ("VoiceUrl", voice.as_str())],
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            numbers.push(body["phone_number"].as_str().unwrap().to_owned());
        }
        for (round, to) in numbers.iter().enumerate() {
            // The caller talks (ten minutes) while the other side is in
            // the conference.
            let (status, caller) = s
                .post(
                    &c,
                    &format!("{}/Calls.json", base(&c)),
                    &[
                        ("To", to.as_str()),
                        ("From", from.as_str()),
                        ("Twiml", "<Response><Pause length=\"600\"/></Response>"),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{caller}");
            let conf =
                crate::conferences::conference_with(&s, &c, &format!("peer{round}"), 1).await;
            let answering = participant_calls(&s, &c, &conf).await;
            assert_eq!(answering.len(), 1, "{answering:?}");
            assert_ne!(answering[0], caller["sid"].as_str().unwrap());
            let ((hung, hung_body), (ended_status, end_body)) =
                hang_up_and_end(&s, &c, caller["sid"].as_str().unwrap(), &conf).await;
            done_or_over(round, hung, &hung_body);
            assert_eq!(ended_status, StatusCode::OK, "round {round}: {end_body}");
            ended(&s, &c, &caller).await;
            crate::voice_calls::ended_sid(&s, &c, &answering[0]).await;
        }
    }
);

// A call joining a room (its `<Dial><Conference>` step under way) while
// the API hangs it up and ends the room: the hang-up claims the call's
// engine row and, when the call joined after the hang-up locked no
// conference, reads it again with the room locked first.
server_test!(hanging_up_a_caller_as_it_joins_a_room_that_ends, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    for round in 0..8 {
        let name = format!("join{round}");
        let twiml = format!("<Response><Dial><Conference>{name}</Conference></Dial></Response>");
        let first = place(&s, &c, &from, &[("Twiml", &twiml)]).await;
        let conf = crate::conferences::conference_with(&s, &c, &name, 1).await;
        let joining = place(&s, &c, &from, &[("Twiml", &twiml)]).await;
        let ((hung, hung_body), (ended_status, end_body)) =
            hang_up_and_end(&s, &c, joining["sid"].as_str().unwrap(), &conf).await;
        done_or_over(round, hung, &hung_body);
        assert_eq!(ended_status, StatusCode::OK, "round {round}: {end_body}");
        ended(&s, &c, &first).await;
        ended(&s, &c, &joining).await;
    }
});
