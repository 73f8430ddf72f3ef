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
