//! Outgoing caller IDs (`…/OutgoingCallerIds`) over real HTTP: a validation
//! request places a real (free) verification call, whose end verifies the
//! number and posts the signed status callback; the verified number is a
//! `From` for calls (not for messages); a number ending 0489 (or a call not
//! answered) fails; Twilio's codes for bad input; who may do what. Answers
//! are checked against `twilio_api_v2010.json`.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_store::page::PageAt;
use switchboard_types::AccountType;

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::call;
use crate::receiver::Receiver;
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error, base};

const LIST: &str = "/2010-04-01/Accounts/{AccountSid}/OutgoingCallerIds.json";
const ITEM: &str = "/2010-04-01/Accounts/{AccountSid}/OutgoingCallerIds/{Sid}.json";
const CALL: &str = "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json";
const VERIFIER: &str = "+15005550010";

/// A validation request; its answer.
async fn validate(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> Value {
    let path = format!("{}/OutgoingCallerIds.json", base(c));
    let (status, body) = call(s, c, Method::POST, &path, LIST, form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn list(s: &TestServer, c: &Creds, query: &str) -> Vec<Value> {
    let path = format!("{}/OutgoingCallerIds.json{query}", base(c));
    let (status, page) = call(s, c, Method::GET, &path, LIST, &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["outgoing_caller_ids"].as_array().unwrap().clone()
}

/// The call, once it has ended.
async fn ended_call(s: &TestServer, c: &Creds, ca: &str) -> Value {
    let path = format!("{}/Calls/{ca}.json", base(c));
    for _ in 0..200 {
        let (status, body) = call(s, c, Method::GET, &path, CALL, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["end_time"] != Value::Null {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{ca} never ended");
}

server_test!(a_verified_number_becomes_a_caller_id_for_calls, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    let hook = receiver.url("/verified");
    let asked = validate(
        &s,
        &c,
        &[
            ("PhoneNumber", "+14155550123"),
            ("FriendlyName", "Front desk"),
            ("StatusCallback", &hook),
            ("CallDelay", "5"),
            ("Extension", "12w#"),
        ],
    )
    .await;
    assert_eq!(asked["account_sid"], c.sid.as_str());
    assert_eq!(asked["phone_number"], "+14155550123");
    assert_eq!(asked["friendly_name"], "Front desk");
    let code = asked["validation_code"].as_str().unwrap();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{asked}"
    );
    let ca = asked["call_sid"].as_str().unwrap();

    // The verification call is a call of the account, and free.
    let placed = ended_call(&s, &c, ca).await;
    assert_eq!(placed["from"], VERIFIER);
    assert_eq!(placed["to"], "+14155550123");
    assert_eq!(placed["direction"], "outbound-api");
    assert_eq!(placed["status"], "completed");
    let price: f64 = placed["price"].as_str().unwrap().parse().unwrap();
    assert_eq!(price, 0.0, "{placed}");

    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    let got = &hooks[0];
    assert_eq!(got.path_and_query, "/verified");
    assert_signed(got, &receiver, &c.token);
    let pn = got
        .param("OutgoingCallerIdSid")
        .expect("OutgoingCallerIdSid");
    assert!(pn.starts_with("PN"), "{pn}");
    for (name, want) in [
        ("AccountSid", c.sid.as_str()),
        ("CallSid", ca),
        ("CallStatus", "completed"),
        ("VerificationStatus", "success"),
        ("To", "+14155550123"),
        ("From", VERIFIER),
        ("Direction", "outbound-api"),
    ] {
        assert_eq!(got.param(name).as_deref(), Some(want), "{name}");
    }

    let listed = list(&s, &c, "").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["sid"], pn.as_str());
    assert_eq!(listed[0]["phone_number"], "+14155550123");
    assert_eq!(listed[0]["friendly_name"], "Front desk");
    let item = format!("{}/OutgoingCallerIds/{pn}.json", base(&c));
    assert_eq!(listed[0]["uri"], item.as_str());
    assert_eq!(list(&s, &c, "?PhoneNumber=%2B14155550123").await.len(), 1);
    assert_eq!(list(&s, &c, "?PhoneNumber=%2B14155550199").await.len(), 0);
    assert_eq!(list(&s, &c, "?FriendlyName=Front%20desk").await.len(), 1);
    let (status, fetched) = call(&s, &c, Method::GET, &item, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    assert_eq!(fetched, listed[0]);

    // Calls may come from it, naming it; messages may not.
    let (status, placed) = s
        .post(
            &c,
            &format!("{}/Calls.json", base(&c)),
            &[
                ("From", "+14155550123"),
                ("To", "+14155550100"),
                ("Url", "https://demo.twilio.com/docs/voice.xml"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert_eq!(placed["phone_number_sid"], pn.as_str());
    assert_eq!(placed["from"], "+14155550123");
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Messages.json", base(&c)),
            &[
                ("From", "+14155550123"),
                ("To", "+14155550100"),
                ("Body", "x"),
            ],
        )
        .await;
    assert_twilio_error(status, &body, 400, 21606);

    // Asking again is refused: it is verified already.
    let (status, body) = s
        .post(
            &c,
            &format!("{}/OutgoingCallerIds.json", base(&c)),
            &[("PhoneNumber", "+14155550123")],
        )
        .await;
    assert_twilio_error(status, &body, 400, 21450);

    let (status, renamed) = call(
        &s,
        &c,
        Method::POST,
        &item,
        ITEM,
        &[("FriendlyName", "Reception")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["friendly_name"], "Reception");
    assert_eq!(renamed["date_created"], fetched["date_created"]);

    let (status, _) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&c, &item).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Calls.json", base(&c)),
            &[
                ("From", "+14155550123"),
                ("To", "+14155550100"),
                ("Url", "https://demo.twilio.com/docs/voice.xml"),
            ],
        )
        .await;
    assert_twilio_error(status, &body, 400, 21210);

    // Audited: the request, the verification (the simulator's), the changes.
    let log =
        s.sb.log_of(&c.sid, &PageAt::First, 100)
            .await
            .unwrap()
            .items;
    for action in [
        "outgoing-caller-id.validate",
        "outgoing-caller-id.verify",
        "outgoing-caller-id.rename",
        "outgoing-caller-id.delete",
    ] {
        assert!(log.iter().any(|e| e.action == action), "{action}: {log:?}");
    }
    let verify = log
        .iter()
        .find(|e| e.action == "outgoing-caller-id.verify")
        .unwrap();
    assert_eq!(verify.actor, "simulator");
    assert_eq!(verify.subject_sid.as_deref(), Some(pn.as_str()));
});

server_test!(a_verification_the_person_does_not_complete_fails, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    // 0489: answered, but the wrong code is entered.
    let wrong = validate(
        &s,
        &c,
        &[
            ("PhoneNumber", "+14155550489"),
            ("StatusCallback", &receiver.url("/wrong")),
            ("StatusCallbackMethod", "GET"),
        ],
    )
    .await;
    // Twilio's default name: the number, formatted.
    assert_eq!(wrong["friendly_name"], "(415) 555-0489");
    // 0486: busy, so nobody answers.
    let busy = validate(
        &s,
        &c,
        &[
            ("PhoneNumber", "+14155550486"),
            ("StatusCallback", &receiver.url("/busy")),
        ],
    )
    .await;
    let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
    let of = |path: &str| {
        hooks
            .iter()
            .find(|h| h.path_and_query.starts_with(path))
            .unwrap()
    };
    let w = of("/wrong");
    assert_eq!(w.method, "GET");
    assert_signed(w, &receiver, &c.token);
    assert_eq!(w.param("VerificationStatus").as_deref(), Some("failed"));
    assert_eq!(w.param("CallStatus").as_deref(), Some("completed"));
    assert_eq!(w.param("OutgoingCallerIdSid"), None);
    assert_eq!(w.param("CallSid").as_deref(), wrong["call_sid"].as_str());
    let b = of("/busy");
    assert_eq!(b.param("VerificationStatus").as_deref(), Some("failed"));
    assert_eq!(b.param("CallStatus").as_deref(), Some("busy"));
    assert_eq!(b.param("CallSid").as_deref(), busy["call_sid"].as_str());
    assert!(list(&s, &c, "").await.is_empty());
    // A failed number may be asked for again.
    validate(&s, &c, &[("PhoneNumber", "+14155550486")]).await;
});

server_test!(bad_validation_requests_get_twilios_codes, |s| {
    let c = s.main_account(AccountType::Full).await;
    let path = format!("{}/OutgoingCallerIds.json", base(&c));
    let (status, number) = s
        .post(
            &c,
            &format!("{}/IncomingPhoneNumbers.json", base(&c)),
            &[("AreaCode", "415")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{number}");
    let own = number["phone_number"].as_str().unwrap();
    let long_name = "n".repeat(65);
    for (form, code, says) in [
        (vec![], 20001, "PhoneNumber"),
        (vec![("PhoneNumber", "not a number")], 21421, ""),
        (vec![("PhoneNumber", own)], 21449, own),
        (vec![("PhoneNumber", VERIFIER)], 21449, VERIFIER),
        (
            vec![("PhoneNumber", "+14155550123"), ("CallDelay", "61")],
            20001,
            "CallDelay",
        ),
        (
            vec![("PhoneNumber", "+14155550123"), ("CallDelay", "soon")],
            20001,
            "CallDelay",
        ),
        (
            vec![("PhoneNumber", "+14155550123"), ("Extension", "12a")],
            20001,
            "Extension",
        ),
        (
            vec![("PhoneNumber", "+14155550123"), ("StatusCallback", "nope")],
            21609,
            "StatusCallback",
        ),
        (
            vec![
                ("PhoneNumber", "+14155550123"),
                ("StatusCallbackMethod", "PUT"),
            ],
            21209,
            "StatusCallbackMethod",
        ),
        (
            vec![
                ("PhoneNumber", "+14155550123"),
                ("FriendlyName", &long_name),
            ],
            20001,
            "FriendlyName",
        ),
    ] {
        let (status, body) = s.post(&c, &path, &form).await;
        assert_twilio_error(status, &body, 400, code);
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{form:?}: {body}"
        );
    }
    // Nothing was placed, nothing verified.
    let (_, calls) = s.get(&c, &format!("{}/Calls.json", base(&c))).await;
    assert_eq!(calls["calls"].as_array().unwrap().len(), 0, "{calls}");
    let missing = format!("{}/OutgoingCallerIds/PN{}.json", base(&c), "0".repeat(32));
    let (status, body) = s.get(&c, &missing).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.post(&c, &missing, &[("FriendlyName", "x")]).await;
    assert_twilio_error(status, &body, 404, 20404);
});

/// A clock that runs: the number is verified only once its call is over.
fn slow_clock(settings: &mut switchboard_domain::Settings) {
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(5.0);
}

server_test!(
    the_number_is_verified_when_its_call_ends,
    settings = slow_clock,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let asked = validate(
            &s,
            &c,
            &[
                ("PhoneNumber", "+14155550123"),
                ("StatusCallback", &receiver.url("/v")),
            ],
        )
        .await;
        assert!(
            list(&s, &c, "").await.is_empty(),
            "verified before its call"
        );
        let (_, placed) = s
            .get(
                &c,
                &format!(
                    "{}/Calls/{}.json",
                    base(&c),
                    asked["call_sid"].as_str().unwrap()
                ),
            )
            .await;
        assert_ne!(placed["status"], "completed", "{placed}");
        let hooks = receiver.wait_for(1, Duration::from_secs(15)).await;
        assert_eq!(
            hooks[0].param("VerificationStatus").as_deref(),
            Some("success")
        );
        assert_eq!(list(&s, &c, "").await.len(), 1);
    }
);

/// A Connect App's principal: its dedicated subaccount, the owner's token.
fn as_app(sub: &switchboard_types::AccountSid, owner_token: &str) -> Creds {
    Creds {
        sid: sub.clone(),
        token: owner_token.to_owned(),
    }
}

server_test!(connect_apps_verify_caller_ids_in_their_subaccount, |s| {
    let receiver = Receiver::start().await;
    let owner = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);
    let asked = validate(
        &s,
        &app,
        &[
            ("PhoneNumber", "+14155550123"),
            ("StatusCallback", &receiver.url("/app")),
        ],
    )
    .await;
    assert_eq!(asked["account_sid"], sub.as_str());
    // Signed with the app owner's token: the app knows no other.
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_signed(&hooks[0], &receiver, &owner.creds.token);
    let verified = list(&s, &app, "").await;
    assert_eq!(verified.len(), 1);
    // Not in the customer's main account.
    let main = Creds {
        sid: cust.account.clone(),
        token: String::new(),
    };
    let (status, body) = s
        .post(
            &app,
            &format!("{}/OutgoingCallerIds.json", base(&main)),
            &[("PhoneNumber", "+14155550124")],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);

    // get-all reads them, changes nothing.
    let reader = app_owner(&s, &["get-all"]).await;
    let reader_sub = authorize(&mut cust.browser, &reader.app).await;
    let as_reader = as_app(&reader_sub, &reader.creds.token);
    assert_eq!(list(&s, &as_reader, "").await.len(), 0);
    let theirs = format!(
        "{}/OutgoingCallerIds/{}.json",
        base(&app),
        verified[0]["sid"].as_str().unwrap()
    );
    let (status, fetched) = call(&s, &as_reader, Method::GET, &theirs, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    let (status, body) = s.post(&as_reader, &theirs, &[("FriendlyName", "x")]).await;
    assert_twilio_error(status, &body, 403, 20403);
    let (status, body) = s.call(Some(&as_reader), Method::DELETE, &theirs, &[]).await;
    assert_twilio_error(status, &body, 403, 20403);
    // A stranger finds nothing.
    let stranger = s.main_account(AccountType::Full).await;
    let (status, body) = s.get(&stranger, &theirs).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
});
