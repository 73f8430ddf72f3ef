//! Switchboard's own `/switchboard/v1/` paths answer JSON only, so each answers
//! the same with and without `.json` (Twilio's 2010 paths keep theirs: without
//! it Twilio answers XML, which Switchboard does not offer).

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::connect::{authorize, customer};
use crate::receiver::Receiver;
use crate::revocation::{owner_with_callback, wait_for_status};
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, basic};

/// `path` spelled with `.json` and without it.
fn spellings(path: &str) -> [String; 2] {
    let bare = path.strip_suffix(".json").expect("written with .json");
    [path.to_owned(), bare.to_owned()]
}

async fn send(
    s: &TestServer,
    creds: &Creds,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> (StatusCode, Value) {
    match body {
        None => s.call(Some(creds), method, path, &[]).await,
        Some(bytes) => {
            let resp = s
                .http
                .request(method, s.url(path))
                .header("Authorization", basic(creds.sid.as_str(), &creds.token))
                .body(bytes)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            (status, resp.json().await.unwrap_or(Value::Null))
        }
    }
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(256, 0);
    bytes
}

server_test!(every_extension_path_answers_with_and_without_json, |s| {
    let receiver = Receiver::start().await;
    let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
    let o = &owner.sid;
    // Two customers: one grant is revoked with each spelling.
    let mut first = customer(&s, true).await;
    let first_sub = authorize(&mut first.browser, &app).await;
    let mut second = customer(&s, true).await;
    let second_sub = authorize(&mut second.browser, &app).await;
    let revoke = |sub: &switchboard_types::AccountSid| {
        format!("/switchboard/v1/Accounts/{o}/ConnectApps/{app}/Authorizations/{sub}.json")
    };
    let [revoke_first, _] = spellings(&revoke(&first_sub));
    let [_, revoke_second] = spellings(&revoke(&second_sub));
    for path in [&revoke_first, &revoke_second] {
        let (status, body) = send(&s, &owner, Method::DELETE, path, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "DELETE {path}: {body}");
    }
    let deliveries = format!("/switchboard/v1/Accounts/{o}/Deliveries.json");
    let list = wait_for_status(&s, &owner, &deliveries, "delivered").await;
    let delivery = list["deliveries"][0]["uri"].as_str().unwrap().to_owned();
    let replay = delivery.replace(".json", "/Replay.json");
    let app_path = format!("/switchboard/v1/Accounts/{o}/ConnectApps/{app}.json");
    let logo = format!("/switchboard/v1/Accounts/{o}/ConnectApps/{app}/Logo.json");

    // Every /switchboard/v1/ route (crates/http/src/api/mod.rs), each method.
    let walk: Vec<(Method, String, Option<Vec<u8>>, StatusCode)> = vec![
        (
            Method::GET,
            "/switchboard/v1/Principal.json".into(),
            None,
            StatusCode::OK,
        ),
        (Method::GET, app_path.clone(), None, StatusCode::OK),
        (Method::POST, app_path.clone(), None, StatusCode::OK),
        (Method::PUT, logo.clone(), Some(png()), StatusCode::OK),
        (Method::DELETE, logo.clone(), None, StatusCode::NO_CONTENT),
        (Method::GET, deliveries.clone(), None, StatusCode::OK),
        (Method::GET, delivery.clone(), None, StatusCode::OK),
        (Method::POST, replay.clone(), None, StatusCode::OK),
    ];
    for (method, path, body, want) in walk {
        let mut answers = Vec::new();
        for spelling in spellings(&path) {
            let (status, json) = send(&s, &owner, method.clone(), &spelling, body.clone()).await;
            assert_eq!(status, want, "{method} {spelling}: {json}");
            answers.push(json);
        }
        if method == Method::GET && !path.contains("Deliveries") {
            assert_eq!(
                answers[0], answers[1],
                "GET {path}: the same answer both ways"
            );
        }
        if method == Method::GET && path.ends_with("Deliveries.json") {
            assert_eq!(
                answers[0]["deliveries"], answers[1]["deliveries"],
                "GET {path}"
            );
        }
    }
    // Revoked, whichever spelling: a second revoke finds nothing.
    for path in [&revoke_first, &revoke_second] {
        let (status, body) = send(&s, &owner, Method::DELETE, path, None).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
});

server_test!(an_owner_revoke_without_json_stops_the_app_at_once, |s| {
    let receiver = Receiver::start().await;
    let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
    let mut c = customer(&s, true).await;
    let sub = authorize(&mut c.browser, &app).await;
    let as_app = Creds {
        sid: sub.clone(),
        token: owner.token.clone(),
    };
    s.assert_alive(&as_app).await;
    let path = format!(
        "/switchboard/v1/Accounts/{}/ConnectApps/{app}/Authorizations/{sub}",
        owner.sid
    );
    let (status, body) = s.call(Some(&owner), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s.get(&as_app, "/2010-04-01/Accounts.json").await;
    assert_twilio_error(status, &body, 401, 20003);
});
