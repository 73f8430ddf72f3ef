//! Message feedback (`POST …/Messages/{Sid}/Feedback.json`) over real HTTP:
//! a message sent with `ProvideFeedback=true` has it, `unconfirmed` until
//! posted; one sent without it (or received) has none; answers checked
//! against Twilio's document; who may post it.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_types::AccountType;

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::{self, assert_answer};
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};

const FEEDBACK: &str = "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Feedback.json";

/// Sends a message from Twilio's magic valid From.
async fn send(s: &TestServer, c: &Creds, extra: &[(&str, &str)]) -> Value {
    let mut form = vec![
        ("To", "+14155550100"),
        ("From", "+15005550006"),
        ("Body", "Your code is 123456"),
    ];
    form.extend_from_slice(extra);
    let (status, body) = s
        .post(c, &format!("{}/Messages.json", base(c)), &form)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn post_feedback(
    s: &TestServer,
    c: &Creds,
    account: &Creds,
    sm: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let path = format!("{}/Messages/{sm}/Feedback.json", base(account));
    let (status, body) = s.call(Some(c), Method::POST, &path, form).await;
    if status.is_success() {
        assert_answer(
            openapi::api_2010(),
            FEEDBACK,
            "post",
            status.as_u16(),
            &body,
        );
    }
    (status, body)
}

server_test!(
    a_message_sent_with_provide_feedback_takes_its_outcome,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let sent = send(&s, &c, &[("ProvideFeedback", "True")]).await;
        let sm = sent["sid"].as_str().unwrap();

        // Twilio's default outcome is `confirmed`, and the answer is 200.
        let (status, confirmed) = post_feedback(&s, &c, &c, sm, &[]).await;
        assert_eq!(status, StatusCode::OK, "{confirmed}");
        assert_eq!(confirmed["outcome"], "confirmed");
        assert_eq!(confirmed["account_sid"], c.sid.as_str());
        assert_eq!(confirmed["message_sid"], sm);
        // It exists from the message's creation on.
        assert_eq!(confirmed["date_created"], sent["date_created"]);
        assert_eq!(
            confirmed["uri"],
            format!("{}/Messages/{sm}/Feedback.json", base(&c)).as_str()
        );

        let (status, back) = post_feedback(&s, &c, &c, sm, &[("Outcome", "unconfirmed")]).await;
        assert_eq!(status, StatusCode::OK, "{back}");
        assert_eq!(back["outcome"], "unconfirmed");
        assert_eq!(back["date_created"], sent["date_created"]);

        let (status, body) = post_feedback(&s, &c, &c, sm, &[("Outcome", "delivered")]).await;
        assert_twilio_error(status, &body, 400, 20001);
        assert!(
            body["message"].as_str().unwrap().contains("Outcome"),
            "{body}"
        );

        // The message is deleted with its feedback once it has finished.
        let path = format!("{}/Messages/{sm}.json", base(&c));
        for _ in 0..100 {
            let (_, m) = s.get(&c, &path).await;
            if m["status"] == "delivered" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, body) = post_feedback(&s, &c, &c, sm, &[]).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
);

server_test!(a_message_without_provide_feedback_has_no_feedback, |s| {
    let c = s.main_account(AccountType::Full).await;
    let plain = send(&s, &c, &[]).await;
    let (status, body) = post_feedback(&s, &c, &c, plain["sid"].as_str().unwrap(), &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    let explicit = send(&s, &c, &[("ProvideFeedback", "false")]).await;
    let (status, body) = post_feedback(&s, &c, &c, explicit["sid"].as_str().unwrap(), &[]).await;
    assert_twilio_error(status, &body, 404, 20404);

    // A message that never was, or is another account's.
    let (status, body) = post_feedback(&s, &c, &c, &format!("SM{}", "0".repeat(32)), &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    let other = s.main_account(AccountType::Full).await;
    let theirs = send(&s, &other, &[("ProvideFeedback", "true")]).await;
    let (status, body) = post_feedback(&s, &c, &c, theirs["sid"].as_str().unwrap(), &[]).await;
    assert_twilio_error(status, &body, 404, 20404);

    // An inbound message was sent by no API request of the account.
    let (status, number) = s
        .post(
            &c,
            &format!("{}/IncomingPhoneNumbers.json", base(&c)),
            &[("AreaCode", "415")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{number}");
    let (status, inbound) = s
        .post(
            &c,
            &format!("/switchboard/v1/Accounts/{}/InboundMessages.json", c.sid),
            &[
                ("From", "+14155550123"),
                ("To", number["phone_number"].as_str().unwrap()),
                ("Body", "hi"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inbound}");
    let (status, body) = post_feedback(&s, &c, &c, inbound["sid"].as_str().unwrap(), &[]).await;
    assert_twilio_error(status, &body, 404, 20404);

    // A ProvideFeedback that is no boolean is refused, and nothing is sent.
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Messages.json", base(&c)),
            &[
                ("To", "+14155550100"),
                ("From", "+15005550006"),
                ("Body", "x"),
                ("ProvideFeedback", "yes"),
            ],
        )
        .await;
    assert_twilio_error(status, &body, 400, 20001);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("ProvideFeedback"),
        "{body}"
    );
});

server_test!(connect_apps_post_feedback_as_they_send_messages, |s| {
    let owner = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = Creds {
        sid: sub.clone(),
        token: owner.creds.token.clone(),
    };
    let sent = send(&s, &app, &[("ProvideFeedback", "true")]).await;
    let sm = sent["sid"].as_str().unwrap();
    let (status, body) = post_feedback(&s, &app, &app, sm, &[("Outcome", "confirmed")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["account_sid"], sub.as_str());

    // An app with get-all alone reads the message but posts no feedback.
    let reader = app_owner(&s, &["get-all"]).await;
    let reader_sub = authorize(&mut cust.browser, &reader.app).await;
    let as_reader = Creds {
        sid: reader_sub,
        token: reader.creds.token.clone(),
    };
    let (status, body) = s
        .get(&as_reader, &format!("{}/Messages/{sm}.json", base(&app)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post_feedback(&s, &as_reader, &app, sm, &[]).await;
    assert_twilio_error(status, &body, 403, 20403);
});
