//! A call's events (`…/Calls/{CallSid}/Events.json`) and notifications
//! (`…/Calls/{CallSid}/Notifications.json`) over real HTTP, with a real
//! webhook receiver, on both databases: the requests sent about the call, in
//! Twilio's shape (checked against its OpenAPI document), paged, reached by
//! those the policy lets in, and not found for a call the account does not
//! have.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_domain::notifications::{self, NewNotification};
use switchboard_types::{AccountSid, AccountType, CallSid, NotificationLevel, Timestamp};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi;
use crate::receiver::Receiver;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, basic};
use crate::telephony::buy;

fn base(account: &AccountSid) -> String {
    format!("/2010-04-01/Accounts/{account}")
}

/// Places a call from a number of `c`'s; waits until it has ended.
async fn finished_call(s: &TestServer, c: &Creds, extra: &[(&str, &str)]) -> CallSid {
    let from = buy(s, c, "415").await;
    let mut form = vec![
        ("To", "+14155550100"),
        ("From", from.as_str()),
        ("Twiml", "<Response><Say>Hi</Say></Response>"),
    ];
    form.extend_from_slice(extra);
    let (status, call) = s
        .post(c, &format!("{}/Calls.json", base(&c.sid)), &form)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let path = call["uri"].as_str().unwrap().to_owned();
    for _ in 0..200 {
        let (_, now) = s.get(c, &path).await;
        if now["status"] == "completed" {
            return CallSid::parse(call["sid"].as_str().unwrap()).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the call never ended");
}

/// GETs `path`, holding the answer to Twilio's 2010 OpenAPI document.
async fn checked_get(s: &TestServer, c: &Creds, path: &str) -> (StatusCode, Value) {
    let resp = s
        .http
        .get(s.url(path))
        .header("Authorization", basic(c.sid.as_str(), &c.token))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = resp.text().await.unwrap();
    openapi::assert_exchange(
        openapi::api_2010(),
        "GET",
        &s.url(path),
        status.as_u16(),
        content_type.as_deref(),
        &text,
    );
    (status, serde_json::from_str(&text).unwrap())
}

fn events(list: &Value) -> Vec<Value> {
    list["events"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .clone()
}

/// Reads a call's events until `n` are recorded (an attempt is recorded
/// just after its answer arrives).
async fn wait_for_events(s: &TestServer, c: &Creds, path: &str, n: usize) -> Value {
    for _ in 0..200 {
        let (status, list) = checked_get(s, c, path).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        if events(&list).len() >= n {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path}: fewer than {n} events");
}

server_test!(a_calls_requests_are_its_events_in_twilios_shape, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    // The completed callback fails once (HTTP 500), then is answered.
    receiver.answer_with(&[500]);
    let callback = receiver.url("/status?tenant=7");
    let hooked = format!("{callback}#rc=0");
    let call = finished_call(&s, &c, &[("StatusCallback", hooked.as_str())]).await;
    let quiet = finished_call(&s, &c, &[]).await;
    let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(hooks[0].param("CallStatus").as_deref(), Some("completed"));

    let path = format!("{}/Calls/{call}/Events.json", base(&c.sid));
    let list = wait_for_events(&s, &c, &path, 2).await;
    let all = events(&list);
    assert_eq!(all.len(), 2, "{list}");
    // Oldest first: the failed attempt, then the retry.
    assert_eq!(all[0]["response"]["response_code"], 500, "{list}");
    assert_eq!(all[1]["response"]["response_code"], 200, "{list}");
    for e in &all {
        let request = &e["request"];
        assert_eq!(request["method"], "POST");
        // Without the connection overrides: they are Switchboard's, not the app's.
        assert_eq!(request["url"], callback.as_str());
        let p = &request["parameters"];
        assert_eq!(p["call_sid"], call.as_str(), "{e}");
        assert_eq!(p["account_sid"], c.sid.as_str());
        assert_eq!(p["call_status"], "completed");
        assert_eq!(p["api_version"], "2010-04-01");
        assert!(p.get("CallSid").is_none(), "{e}");
        let response = &e["response"];
        assert!(response["request_duration"].is_i64(), "{e}");
        let date = response["date_created"].as_str().unwrap();
        assert!(date.ends_with(" +0000"), "{date}");
        // A status callback's answer is acknowledged, not read (outside
        // sandbox mode).
        assert!(response["response_body"].is_null(), "{e}");
    }
    assert_eq!(list["page_size"], 50);
    assert!(list["next_page_uri"].is_null(), "{list}");

    // Paged by key, oldest first.
    let (_, page) = checked_get(&s, &c, &format!("{path}?PageSize=1")).await;
    assert_eq!(events(&page), vec![all[0].clone()]);
    let next = page["next_page_uri"].as_str().unwrap().to_owned();
    let (_, page) = checked_get(&s, &c, &next).await;
    assert_eq!(events(&page), vec![all[1].clone()]);
    assert!(page["next_page_uri"].is_null(), "{page}");
    let previous = page["previous_page_uri"].as_str().unwrap().to_owned();
    let (_, page) = checked_get(&s, &c, &previous).await;
    assert_eq!(events(&page), vec![all[0].clone()]);

    // Another call's requests are its own: a call with no callback has none.
    let (status, none) = checked_get(
        &s,
        &c,
        &format!("{}/Calls/{quiet}/Events.json", base(&c.sid)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{none}");
    assert!(events(&none).is_empty(), "{none}");

    // Not found: an unknown call, a malformed one, another account's call.
    let other = s.main_account(AccountType::Full).await;
    for path in [
        format!("{}/Calls/{}/Events.json", base(&c.sid), CallSid::generate()),
        format!("{}/Calls/CAnope/Events.json", base(&c.sid)),
        format!("{}/Calls/{call}/Events.json", base(&other.sid)),
    ] {
        let (status, body) = s.get(&c, &path).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
    let (status, body) = s
        .get(
            &other,
            &format!("{}/Calls/{call}/Events.json", base(&other.sid)),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    // Read only.
    let (status, body) = s.post(&c, &path, &[]).await;
    assert_twilio_error(status, &body, 405, 20004);
    // Strangers are asked to authenticate.
    let resp = s.http.get(s.url(&path)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // A deleted call's events go with it.
    let (status, _) = s
        .call(
            Some(&c),
            reqwest::Method::DELETE,
            &format!("{}/Calls/{call}.json", base(&c.sid)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&c, &path).await;
    assert_twilio_error(status, &body, 404, 20404);
});

/// Records a notification about `call` as a worker does.
async fn notify(s: &TestServer, account: &AccountSid, call: &CallSid, text: &str) -> String {
    let mut tx = s.sb.store().begin().await.unwrap();
    let sid = notifications::record(
        &mut tx,
        &NewNotification {
            account,
            call_sid: Some(call),
            resource_sid: None,
            error_code: notifications::codes::DOCUMENT_PARSE_FAILURE,
            level: NotificationLevel::Error,
            message_text: text.to_owned(),
            request_url: Some("https://app.example.com/voice"),
            request_method: Some("POST"),
            request_variables: Some("CallSid=x"),
            response_headers: None,
            response_body: Some("<Response".to_owned()),
        },
        Timestamp::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sid.to_string()
}

fn sids(list: &Value) -> Vec<String> {
    list["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|n| n["sid"].as_str().unwrap().to_owned())
        .collect()
}

server_test!(a_calls_notifications_are_its_own, |s| {
    let c = s.main_account(AccountType::Full).await;
    let one = finished_call(&s, &c, &[]).await;
    let two = finished_call(&s, &c, &[]).await;
    let first = notify(&s, &c.sid, &one, "The TwiML could not be parsed").await;
    let second = notify(&s, &c.sid, &one, "Again").await;
    let elsewhere = notify(&s, &c.sid, &two, "The other call's").await;
    let b = base(&c.sid);

    let (status, list) = checked_get(&s, &c, &format!("{b}/Calls/{one}/Notifications.json")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(sids(&list), vec![second.clone(), first.clone()]);
    assert_eq!(
        list["notifications"][0]["uri"],
        format!("{b}/Calls/{one}/Notifications/{second}.json")
    );
    let (_, list) = checked_get(&s, &c, &format!("{b}/Calls/{two}/Notifications.json")).await;
    assert_eq!(sids(&list), vec![elsewhere.clone()]);
    // The account's list has them all.
    let (_, list) = checked_get(&s, &c, &format!("{b}/Notifications.json")).await;
    assert_eq!(sids(&list).len(), 3);
    // Filters and paging as the account's.
    let (_, page) = checked_get(
        &s,
        &c,
        &format!("{b}/Calls/{one}/Notifications.json?Log=0&PageSize=1"),
    )
    .await;
    assert_eq!(sids(&page), vec![second.clone()]);
    let next = page["next_page_uri"].as_str().unwrap().to_owned();
    assert!(next.contains("Log=0"), "{next}");
    let (_, page) = checked_get(&s, &c, &next).await;
    assert_eq!(sids(&page), vec![first.clone()]);
    let (_, none) = checked_get(&s, &c, &format!("{b}/Calls/{one}/Notifications.json?Log=1")).await;
    assert!(sids(&none).is_empty());

    // One of them, under its call only.
    let (status, item) = checked_get(
        &s,
        &c,
        &format!("{b}/Calls/{one}/Notifications/{first}.json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(item["call_sid"], one.as_str());
    assert_eq!(item["response_body"], "<Response");
    let (status, body) = s
        .get(&c, &format!("{b}/Calls/{two}/Notifications/{first}.json"))
        .await;
    assert_twilio_error(status, &body, 404, 20404);

    // A call the account does not have is not found.
    let other = s.main_account(AccountType::Full).await;
    for (who, path) in [
        (
            &c,
            format!("{b}/Calls/{}/Notifications.json", CallSid::generate()),
        ),
        (
            &other,
            format!("{}/Calls/{one}/Notifications.json", base(&other.sid)),
        ),
        (
            &other,
            format!(
                "{}/Calls/{one}/Notifications/{first}.json",
                base(&other.sid)
            ),
        ),
    ] {
        let (status, body) = s.get(who, &path).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
    // Twilio's current document lists no DELETE under a call.
    let (status, body) = s
        .call(
            Some(&c),
            reqwest::Method::DELETE,
            &format!("{b}/Calls/{one}/Notifications/{first}.json"),
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 405, 20004);
});

server_test!(connect_apps_read_a_calls_events_with_get_all, |s| {
    let charger = app_owner(&s, &["post-all"]).await;
    let reader = app_owner(&s, &["get-all"]).await;
    let mut cust = customer(&s, true).await;
    let charger_sub = authorize(&mut cust.browser, &charger.app).await;
    let reader_sub = authorize(&mut cust.browser, &reader.app).await;
    let post_all = Creds {
        sid: charger_sub.clone(),
        token: charger.creds.token.clone(),
    };
    let get_all = Creds {
        sid: reader_sub.clone(),
        token: reader.creds.token.clone(),
    };
    let receiver = Receiver::start().await;
    let callback = receiver.url("/app-status");
    // The post-all app calls in its dedicated subaccount.
    let call = finished_call(&s, &post_all, &[("StatusCallback", callback.as_str())]).await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    let events_path = format!("{}/Calls/{call}/Events.json", base(&charger_sub));
    let notes_path = format!("{}/Calls/{call}/Notifications.json", base(&charger_sub));

    // Its own subaccount's calls: post-all reads them, get-all too.
    for app in [&post_all, &get_all] {
        let list = wait_for_events(&s, app, &events_path, 1).await;
        assert_eq!(events(&list).len(), 1, "{list}");
        let (status, body) = s.get(app, &notes_path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Another subaccount of the customer's: get-all only.
    let (status, body) = s
        .get(
            &post_all,
            &format!(
                "{}/Calls/{}/Events.json",
                base(&reader_sub),
                CallSid::generate()
            ),
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    let (status, body) = s
        .get(
            &get_all,
            &format!(
                "{}/Calls/{}/Events.json",
                base(&reader_sub),
                CallSid::generate()
            ),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    // Nobody writes them.
    for app in [&post_all, &get_all] {
        let (status, body) = s.post(app, &events_path, &[]).await;
        assert_twilio_error(status, &body, 405, 20004);
    }
});
