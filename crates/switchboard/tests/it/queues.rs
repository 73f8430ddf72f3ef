//! Call queues (`…/Queues`, `…/Queues/{Sid}/Members`) over real HTTP: the
//! resources checked against `twilio_api_v2010.json`, Twilio's refusals, and
//! who may do what.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::telephony::queues::NewQueue;
use switchboard_types::{AccountSid, AccountType};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::call;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};

pub const LIST: &str = "/2010-04-01/Accounts/{AccountSid}/Queues.json";
pub const ITEM: &str = "/2010-04-01/Accounts/{AccountSid}/Queues/{Sid}.json";
pub const MEMBERS: &str = "/2010-04-01/Accounts/{AccountSid}/Queues/{QueueSid}/Members.json";
pub const MEMBER: &str =
    "/2010-04-01/Accounts/{AccountSid}/Queues/{QueueSid}/Members/{CallSid}.json";

pub async fn create(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> Value {
    let path = format!("{}/Queues.json", base(c));
    let (status, body) = call(s, c, Method::POST, &path, LIST, form).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

pub fn sid(v: &Value) -> String {
    v["sid"].as_str().unwrap().to_owned()
}

server_test!(queues_are_created_read_updated_and_deleted, |s| {
    let c = s.main_account(AccountType::Full).await;
    let created = create(&s, &c, &[("FriendlyName", " support ")]).await;
    let qu = sid(&created);
    assert!(qu.starts_with("QU"), "{created}");
    assert_eq!(created["friendly_name"], "support");
    assert_eq!(created["max_size"], 100);
    assert_eq!(created["current_size"], 0);
    assert_eq!(created["average_wait_time"], 0);
    assert_eq!(created["account_sid"], c.sid.as_str());
    let item = format!("{}/Queues/{qu}.json", base(&c));
    assert_eq!(created["uri"], item.as_str());
    let second = create(&s, &c, &[("FriendlyName", "sales"), ("MaxSize", "5000")]).await;
    assert_eq!(second["max_size"], 5000);

    let (status, fetched) = call(&s, &c, Method::GET, &item, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    assert_eq!(fetched["sid"], qu.as_str());

    let list = format!("{}/Queues.json", base(&c));
    let (status, page) = call(&s, &c, Method::GET, &list, LIST, &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let names: Vec<&str> = page["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["friendly_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["support", "sales"]);
    // Paged by the official SDKs' rules.
    let (status, page) = call(
        &s,
        &c,
        Method::GET,
        &format!("{list}?PageSize=1"),
        LIST,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["queues"].as_array().unwrap().len(), 1);
    assert!(page["next_page_uri"].is_string(), "{page}");

    let (status, updated) = call(
        &s,
        &c,
        Method::POST,
        &item,
        ITEM,
        &[("FriendlyName", "help desk"), ("MaxSize", "7")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["friendly_name"], "help desk");
    assert_eq!(updated["max_size"], 7);
    // Keeping its own name is no conflict.
    let (status, body) = s.post(&c, &item, &[("FriendlyName", "help desk")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // An empty queue has no members, and no front.
    let members = format!("{}/Queues/{qu}/Members.json", base(&c));
    let (status, page) = call(&s, &c, Method::GET, &members, MEMBERS, &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["queue_members"], serde_json::json!([]));
    let front = format!("{}/Queues/{qu}/Members/Front.json", base(&c));
    let (status, body) = s.get(&c, &front).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.post(&c, &front, &[("Url", "http://127.0.0.1:9/x")]).await;
    assert_twilio_error(status, &body, 404, 20404);
    let stray = format!("{}/Queues/{qu}/Members/CA{}.json", base(&c), "0".repeat(32));
    let (status, body) = s.get(&c, &stray).await;
    assert_twilio_error(status, &body, 404, 20404);

    let (status, _) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&c, &item).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    // Its name is free again.
    create(&s, &c, &[("FriendlyName", "help desk")]).await;
});

server_test!(queues_refuse_what_twilio_refuses, |s| {
    let c = s.main_account(AccountType::Full).await;
    let list = format!("{}/Queues.json", base(&c));
    for form in [
        vec![],
        vec![("FriendlyName", "  ")],
        vec![("MaxSize", "10")],
    ] {
        let (status, body) = s.post(&c, &list, &form).await;
        assert_twilio_error(status, &body, 400, 20001);
        assert!(
            body["message"].as_str().unwrap().contains("FriendlyName"),
            "{body}"
        );
    }
    let long = "q".repeat(65);
    let (status, body) = s.post(&c, &list, &[("FriendlyName", &long)]).await;
    assert_twilio_error(status, &body, 400, 20001);
    for bad in ["0", "5001", "-1", "many", "2.5"] {
        let (status, body) = s
            .post(&c, &list, &[("FriendlyName", "q"), ("MaxSize", bad)])
            .await;
        assert_twilio_error(status, &body, 400, 20001);
        assert!(
            body["message"].as_str().unwrap().contains("MaxSize"),
            "{bad}: {body}"
        );
    }
    // Names are unique in an account, not across accounts.
    let q = create(&s, &c, &[("FriendlyName", "support")]).await;
    let (status, body) = s.post(&c, &list, &[("FriendlyName", "support")]).await;
    assert_twilio_error(status, &body, 400, 20001);
    assert!(
        body["message"].as_str().unwrap().contains("already exists"),
        "{body}"
    );
    let other = create(&s, &c, &[("FriendlyName", "other")]).await;
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Queues/{}.json", base(&c), sid(&other)),
            &[("FriendlyName", "support")],
        )
        .await;
    assert_twilio_error(status, &body, 400, 20001);
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Queues/{}.json", base(&c), sid(&q)),
            &[("MaxSize", "0")],
        )
        .await;
    assert_twilio_error(status, &body, 400, 20001);
    let d = s.main_account(AccountType::Full).await;
    create(&s, &d, &[("FriendlyName", "support")]).await;
    // Another account's queue is not found.
    let theirs = format!("{}/Queues/{}.json", base(&c), sid(&q));
    let (status, body) = s.get(&d, &theirs).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.get(&d, &format!("{}/Queues/QU123.json", base(&d))).await;
    assert_twilio_error(status, &body, 404, 20404);
});

/// A Connect App's principal: its dedicated subaccount, the owner's token.
fn as_app(sub: &AccountSid, owner_token: &str) -> Creds {
    Creds {
        sid: sub.clone(),
        token: owner_token.to_owned(),
    }
}

server_test!(connect_apps_make_queues_in_their_subaccount, |s| {
    let owner = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);
    let created = create(&s, &app, &[("FriendlyName", "support")]).await;
    assert_eq!(created["account_sid"], sub.as_str());
    let main = Creds {
        sid: cust.account.clone(),
        token: owner.creds.token.clone(),
    };
    let (status, body) = s
        .post(
            &app,
            &format!("{}/Queues.json", base(&main)),
            &[("FriendlyName", "x")],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    let item = format!("{}/Queues/{}.json", base(&app), sid(&created));
    let (status, _) = s.call(Some(&app), Method::DELETE, &item, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
});

server_test!(a_get_all_app_reads_queues_but_cannot_change_them, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut cust = customer(&s, true).await;
    let access =
        s.sb.operator_access(
            RequestTarget::Account(&cust.account),
            Action::Write,
            Resource::Queues,
        )
        .await
        .unwrap();
    let made =
        s.sb.queues()
            .create(
                &access,
                &NewQueue {
                    friendly_name: Some("customer queue".into()),
                    max_size: None,
                },
            )
            .await
            .unwrap();
    let customer_creds = Creds {
        sid: cust.account.clone(),
        token: String::new(),
    };
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);
    let theirs = format!("{}/Queues/{}.json", base(&customer_creds), made.sid);
    let (status, fetched) = call(&s, &app, Method::GET, &theirs, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    let members = format!("{}/Queues/{}/Members.json", base(&customer_creds), made.sid);
    let (status, body) = call(&s, &app, Method::GET, &members, MEMBERS, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s
        .post(
            &app,
            &format!("{}/Queues.json", base(&app)),
            &[("FriendlyName", "x")],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    let (status, body) = s.call(Some(&app), Method::DELETE, &theirs, &[]).await;
    assert_twilio_error(status, &body, 403, 20403);
    let front = format!(
        "{}/Queues/{}/Members/Front.json",
        base(&customer_creds),
        made.sid
    );
    let (status, body) = s
        .post(&app, &front, &[("Url", "http://127.0.0.1:9/x")])
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    let stranger = s.main_account(AccountType::Full).await;
    let (status, body) = s.get(&stranger, &theirs).await;
    assert_twilio_error(status, &body, 404, 20404);
});
