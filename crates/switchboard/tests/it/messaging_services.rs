//! Messaging Services on the messaging host's paths (`/v1/Services…`): the
//! services, their sender pools, sending through them, who may do what, and
//! every answer checked against Twilio's `twilio_messaging_v1.json`.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::call_messaging as call;
use crate::receiver::Receiver;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error};

const SERVICES: &str = "/v1/Services";
const SERVICE: &str = "/v1/Services/{Sid}";
const NUMBERS: &str = "/v1/Services/{ServiceSid}/PhoneNumbers";
const NUMBER: &str = "/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}";

async fn create_service(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> Value {
    let (status, body) = call(s, c, Method::POST, SERVICES, SERVICES, form).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// Buys a local number; returns its SID and number.
async fn buy(s: &TestServer, c: &Creds, area: &str) -> (String, String) {
    let (status, body) = s
        .post(
            c,
            &format!("/2010-04-01/Accounts/{}/IncomingPhoneNumbers.json", c.sid),
            &[("AreaCode", area)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["sid"].as_str().unwrap().to_owned(),
        body["phone_number"].as_str().unwrap().to_owned(),
    )
}

async fn add(s: &TestServer, c: &Creds, service: &str, number: &str) -> (StatusCode, Value) {
    call(
        s,
        c,
        Method::POST,
        &format!("{SERVICES}/{service}/PhoneNumbers"),
        NUMBERS,
        &[("PhoneNumberSid", number)],
    )
    .await
}

async fn send(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> (StatusCode, Value) {
    s.post(
        c,
        &format!("/2010-04-01/Accounts/{}/Messages.json", c.sid),
        form,
    )
    .await
}

fn sid(v: &Value) -> String {
    v["sid"].as_str().unwrap().to_owned()
}

/// The part of an absolute URL this server answers at.
fn path_of(s: &TestServer, url: &str) -> String {
    url.strip_prefix(&s.url(""))
        .unwrap_or_else(|| panic!("{url} is not at {}", s.url("")))
        .to_owned()
}

server_test!(services_are_created_read_updated_and_deleted, |s| {
    let c = s.main_account(AccountType::Full).await;
    let created = create_service(&s, &c, &[("FriendlyName", "Reminders")]).await;
    let mg = sid(&created);
    assert!(mg.starts_with("MG"), "{created}");
    assert_eq!(created["account_sid"], c.sid.as_str());
    assert_eq!(created["friendly_name"], "Reminders");
    // Twilio's defaults.
    assert_eq!(created["inbound_request_url"], Value::Null);
    assert_eq!(created["inbound_method"], "POST");
    assert_eq!(created["fallback_url"], Value::Null);
    assert_eq!(created["fallback_method"], "POST");
    assert_eq!(created["status_callback"], Value::Null);
    assert_eq!(created["sticky_sender"], true);
    assert_eq!(created["use_inbound_webhook_on_number"], false);
    assert_eq!(created["usecase"], "undeclared");
    assert_eq!(created["validity_period"], 36000);
    assert_eq!(created["url"], s.url(&format!("{SERVICES}/{mg}")));
    assert_eq!(
        created["links"]["phone_numbers"],
        s.url(&format!("{SERVICES}/{mg}/PhoneNumbers"))
    );

    let path = format!("{SERVICES}/{mg}");
    let (status, fetched) = call(&s, &c, Method::GET, &path, SERVICE, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, created);

    let (status, updated) = call(
        &s,
        &c,
        Method::POST,
        &path,
        SERVICE,
        &[
            ("FriendlyName", "Reminders (EU)"),
            ("InboundRequestUrl", "https://app.example.com/sms"),
            ("InboundMethod", "GET"),
            ("FallbackUrl", "https://app.example.com/fallback"),
            ("StatusCallback", "https://app.example.com/status"),
            ("StickySender", "false"),
            ("UseInboundWebhookOnNumber", "true"),
            ("Usecase", "notifications"),
            ("ValidityPeriod", "600"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["friendly_name"], "Reminders (EU)");
    assert_eq!(
        updated["inbound_request_url"],
        "https://app.example.com/sms"
    );
    assert_eq!(updated["inbound_method"], "GET");
    assert_eq!(updated["fallback_url"], "https://app.example.com/fallback");
    assert_eq!(updated["fallback_method"], "POST");
    assert_eq!(updated["status_callback"], "https://app.example.com/status");
    assert_eq!(updated["sticky_sender"], false);
    assert_eq!(updated["use_inbound_webhook_on_number"], true);
    assert_eq!(updated["usecase"], "notifications");
    assert_eq!(updated["validity_period"], 600);
    // An empty URL clears it; what the update leaves out stays.
    let (_, cleared) = call(&s, &c, Method::POST, &path, SERVICE, &[("FallbackUrl", "")]).await;
    assert_eq!(cleared["fallback_url"], Value::Null);
    assert_eq!(
        cleared["inbound_request_url"],
        "https://app.example.com/sms"
    );

    // Bad input is Twilio's 400.
    for form in [
        vec![],
        vec![("FriendlyName", "")],
        vec![("FriendlyName", "x"), ("InboundMethod", "PUT")],
        vec![("FriendlyName", "x"), ("InboundRequestUrl", "not a url")],
        vec![("FriendlyName", "x"), ("StickySender", "maybe")],
        vec![("FriendlyName", "x"), ("ValidityPeriod", "0")],
        vec![("FriendlyName", "x"), ("ValidityPeriod", "36001")],
        vec![("FriendlyName", "x"), ("ValidityPeriod", "soon")],
        vec![("FriendlyName", "x"), ("Usecase", "spam")],
        vec![("FriendlyName", &"x".repeat(65))],
    ] {
        let (status, body) = s.post(&c, SERVICES, &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}: {body}");
        assert_eq!(body["status"], 400, "{body}");
    }

    let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s.get(&c, &path).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(services_are_listed_in_twilios_v1_pages, |s| {
    let c = s.main_account(AccountType::Full).await;
    let mut made = Vec::new();
    for name in ["one", "two", "three"] {
        made.push(sid(&create_service(&s, &c, &[("FriendlyName", name)]).await));
    }
    let (status, page) = call(
        &s,
        &c,
        Method::GET,
        &format!("{SERVICES}?PageSize=2"),
        SERVICES,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let meta = &page["meta"];
    assert_eq!(meta["key"], "services");
    assert_eq!(meta["page"], 0);
    assert_eq!(meta["page_size"], 2);
    assert_eq!(
        meta["first_page_url"],
        s.url(&format!("{SERVICES}?PageSize=2&Page=0"))
    );
    assert_eq!(meta["url"], meta["first_page_url"]);
    assert_eq!(meta["previous_page_url"], Value::Null);
    let listed: Vec<String> = page["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(sid)
        .collect();
    assert_eq!(listed, made[..2]);

    let next = path_of(&s, meta["next_page_url"].as_str().unwrap());
    let (status, second) = call(&s, &c, Method::GET, &next, SERVICES, &[]).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let listed: Vec<String> = second["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(sid)
        .collect();
    assert_eq!(listed, made[2..]);
    assert_eq!(second["meta"]["page"], 1);
    assert_eq!(second["meta"]["next_page_url"], Value::Null);
    assert!(second["meta"]["previous_page_url"].is_string(), "{second}");

    // Another account sees none of them.
    let other = s.main_account(AccountType::Full).await;
    let (status, page) = call(&s, &other, Method::GET, SERVICES, SERVICES, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["services"], Value::Array(vec![]));
    let (status, body) = s.get(&other, &format!("{SERVICES}/{}", made[0])).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s
        .post(
            &other,
            &format!("{SERVICES}/{}", made[0]),
            &[("FriendlyName", "mine")],
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(a_number_is_in_at_most_one_pool, |s| {
    let c = s.main_account(AccountType::Full).await;
    let a = sid(&create_service(&s, &c, &[("FriendlyName", "A")]).await);
    let b = sid(&create_service(&s, &c, &[("FriendlyName", "B")]).await);
    let (pn, number) = buy(&s, &c, "415").await;

    let (status, added) = add(&s, &c, &a, &pn).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["sid"], pn.as_str());
    assert_eq!(added["service_sid"], a.as_str());
    assert_eq!(added["account_sid"], c.sid.as_str());
    assert_eq!(added["phone_number"], number.as_str());
    assert_eq!(added["country_code"], "US");
    assert!(
        added["capabilities"]
            .as_array()
            .unwrap()
            .contains(&Value::from("SMS")),
        "{added}"
    );
    assert_eq!(
        added["url"],
        s.url(&format!("{SERVICES}/{a}/PhoneNumbers/{pn}"))
    );

    let (status, body) = add(&s, &c, &a, &pn).await;
    assert_twilio_error(status, &body, 400, 21710);
    let (status, body) = add(&s, &c, &b, &pn).await;
    assert_twilio_error(status, &body, 400, 21712);
    // Not this account's number, or no number at all.
    let other = s.main_account(AccountType::Full).await;
    let (theirs, _) = buy(&s, &other, "212").await;
    let (status, body) = add(&s, &c, &a, &theirs).await;
    assert_twilio_error(status, &body, 400, 21421);
    let (status, body) = add(&s, &c, &a, "PN123").await;
    assert_twilio_error(status, &body, 400, 21421);
    let (status, body) = s
        .post(&c, &format!("{SERVICES}/{a}/PhoneNumbers"), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let one = format!("{SERVICES}/{a}/PhoneNumbers/{pn}");
    let (status, fetched) = call(&s, &c, Method::GET, &one, NUMBER, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, added);
    let list = format!("{SERVICES}/{a}/PhoneNumbers");
    let (status, page) = call(&s, &c, Method::GET, &list, NUMBERS, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["meta"]["key"], "phone_numbers");
    assert_eq!(page["phone_numbers"], Value::Array(vec![added.clone()]));
    // Another account reaches neither the pool nor the number in it.
    let (status, body) = s.get(&other, &list).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.get(&other, &one).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.call(Some(&other), Method::DELETE, &one, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    // The number is in A, not B.
    let (status, body) = s
        .get(&c, &format!("{SERVICES}/{b}/PhoneNumbers/{pn}"))
        .await;
    assert_twilio_error(status, &body, 404, 20404);

    // Removed, it may join B; it stays the account's.
    let (status, _) = s.call(Some(&c), Method::DELETE, &one, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&c, &one).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = add(&s, &c, &b, &pn).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Deleting B frees it again.
    let (status, _) = s
        .call(Some(&c), Method::DELETE, &format!("{SERVICES}/{b}"), &[])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = add(&s, &c, &a, &pn).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Releasing the number takes it out of the pool.
    let (status, _) = s
        .call(
            Some(&c),
            Method::DELETE,
            &format!(
                "/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{pn}.json",
                c.sid
            ),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page) = call(&s, &c, Method::GET, &list, NUMBERS, &[]).await;
    assert_eq!(page["phone_numbers"], Value::Array(vec![]));

    // Every change is in the main account's audit log, in its transaction.
    let log =
        s.sb.log_of(&c.sid, &PageAt::First, 100)
            .await
            .unwrap()
            .items;
    let actions: Vec<&str> = log
        .iter()
        .rev()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("messaging_service."))
        .collect();
    assert_eq!(
        actions,
        [
            "messaging_service.create",
            "messaging_service.create",
            "messaging_service.number_add",
            "messaging_service.number_remove",
            "messaging_service.number_add",
            "messaging_service.delete",
            "messaging_service.number_add",
        ]
    );
    let actor = format!("api:{}", c.sid);
    assert!(
        log.iter()
            .filter(|e| e.action.starts_with("messaging_service."))
            .all(|e| e.actor == actor),
        "{log:?}"
    );
});

server_test!(messages_sent_through_a_service_pick_a_sticky_sender, |s| {
    let c = s.main_account(AccountType::Full).await;
    let mg = sid(&create_service(&s, &c, &[("FriendlyName", "Alerts")]).await);
    let to = "+14155550111";
    let form = vec![
        ("To", to),
        ("Body", "hello"),
        ("MessagingServiceSid", mg.as_str()),
    ];

    // An empty pool, an unknown service.
    let (status, body) = send(&s, &c, &form).await;
    assert_twilio_error(status, &body, 400, 21704);
    let unknown = "MG00000000000000000000000000000000";
    let (status, body) = send(
        &s,
        &c,
        &[("To", to), ("Body", "x"), ("MessagingServiceSid", unknown)],
    )
    .await;
    assert_twilio_error(status, &body, 400, 21701);

    let mut pool = Vec::new();
    for area in ["415", "212", "415"] {
        let (pn, number) = buy(&s, &c, area).await;
        assert_eq!(add(&s, &c, &mg, &pn).await.0, StatusCode::CREATED);
        pool.push(number);
    }
    let (status, first) = send(&s, &c, &form).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["messaging_service_sid"], mg.as_str());
    let sender = first["from"].as_str().unwrap().to_owned();
    assert!(pool.contains(&sender), "{first}");
    // Sticky: the same sender for the same recipient, every time.
    for _ in 0..5 {
        let (status, again) = send(&s, &c, &form).await;
        assert_eq!(status, StatusCode::CREATED, "{again}");
        assert_eq!(again["from"], sender.as_str());
    }
    let (_, fetched) = s
        .get(
            &c,
            &format!(
                "/2010-04-01/Accounts/{}/Messages/{}.json",
                c.sid,
                sid(&first)
            ),
        )
        .await;
    assert_eq!(fetched["messaging_service_sid"], mg.as_str());

    // With From: it must be in the pool.
    let (_, outside_number) = buy(&s, &c, "212").await;
    let mut with_from = form.clone();
    with_from.push(("From", &outside_number));
    let (status, body) = send(&s, &c, &with_from).await;
    assert_twilio_error(status, &body, 400, 21711);
    let other_sender = pool.iter().find(|n| **n != sender).unwrap().clone();
    let mut with_from = form.clone();
    with_from.push(("From", &other_sender));
    let (status, body) = send(&s, &c, &with_from).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["from"], other_sender.as_str());
    assert_eq!(body["messaging_service_sid"], mg.as_str());

    // Without a service, as before: no messaging_service_sid.
    let (status, plain) = send(
        &s,
        &c,
        &[("To", to), ("From", &outside_number), ("Body", "direct")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{plain}");
    assert_eq!(plain["messaging_service_sid"], Value::Null);
    // Another account's service is unknown here.
    let other = s.main_account(AccountType::Full).await;
    let (status, body) = send(&s, &other, &form).await;
    assert_twilio_error(status, &body, 400, 21701);
    let (status, body) = send(
        &s,
        &c,
        &[("To", to), ("Body", "x"), ("MessagingServiceSid", "MG1")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
});

server_test!(the_inbound_engineers_lookup_finds_a_numbers_service, |s| {
    let c = s.main_account(AccountType::Full).await;
    let mg = create_service(
        &s,
        &c,
        &[
            ("FriendlyName", "Inbound"),
            ("InboundRequestUrl", "https://app.example.com/in"),
            ("InboundMethod", "GET"),
        ],
    )
    .await;
    let (pn, _) = buy(&s, &c, "415").await;
    let (alone, _) = buy(&s, &c, "415").await;
    assert_eq!(add(&s, &c, &sid(&mg), &pn).await.0, StatusCode::CREATED);
    let services = s.sb.messaging_services();
    let pn = switchboard_types::PhoneNumberSid::parse(&pn).unwrap();
    let found = services.service_of_number(&pn).await.unwrap().unwrap();
    assert_eq!(found.sid.as_str(), sid(&mg));
    assert_eq!(
        found.inbound_request_url.as_deref(),
        Some("https://app.example.com/in")
    );
    assert_eq!(found.inbound_method.as_str(), "GET");
    assert!(!found.use_inbound_webhook_on_number);
    let alone = switchboard_types::PhoneNumberSid::parse(&alone).unwrap();
    assert!(services.service_of_number(&alone).await.unwrap().is_none());
});

/// A Connect App's principal: its dedicated subaccount, the owner's token.
fn as_app(sub: &AccountSid, owner_token: &str) -> Creds {
    Creds {
        sid: sub.clone(),
        token: owner_token.to_owned(),
    }
}

server_test!(
    connect_apps_manage_services_in_their_subaccount_with_post_all,
    |s| {
        let owner = app_owner(&s, &["post-all"]).await;
        let mut cust = customer(&s, true).await;
        let sub = authorize(&mut cust.browser, &owner.app).await;
        let app = as_app(&sub, &owner.creds.token);

        let created = create_service(&s, &app, &[("FriendlyName", "App's")]).await;
        let mg = sid(&created);
        assert_eq!(created["account_sid"], sub.as_str());
        let (pn, _) = buy(&s, &app, "415").await;
        let (status, body) = add(&s, &app, &mg, &pn).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = send(
            &s,
            &app,
            &[
                ("To", "+14155550123"),
                ("Body", "hi"),
                ("MessagingServiceSid", &mg),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["messaging_service_sid"], mg.as_str());
        let (status, page) = call(&s, &app, Method::GET, SERVICES, SERVICES, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["services"].as_array().unwrap().len(), 1);
        let (status, _) = s
            .post(
                &app,
                &format!("{SERVICES}/{mg}"),
                &[("FriendlyName", "renamed")],
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        // The app's changes are audited in the customer's log, naming the app.
        let log =
            s.sb.log_of(&cust.account, &PageAt::First, 100)
                .await
                .unwrap()
                .items;
        let create = log
            .iter()
            .find(|e| e.action == "messaging_service.create")
            .expect("the app's create in the customer's log");
        assert_eq!(create.actor, format!("api:{sub}"));
        assert_eq!(create.connect_app_sid.as_deref(), Some(owner.app.as_str()));
        assert_eq!(create.subject_sid.as_deref(), Some(mg.as_str()));

        let (status, _) = s
            .call(Some(&app), Method::DELETE, &format!("{SERVICES}/{mg}"), &[])
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
);

server_test!(a_get_all_app_reads_services_but_cannot_change_them, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);
    // Someone else's service is not found.
    let stranger = s.main_account(AccountType::Full).await;
    let theirs = sid(&create_service(&s, &stranger, &[("FriendlyName", "Theirs")]).await);
    let (status, body) = s.get(&app, &format!("{SERVICES}/{theirs}")).await;
    assert_twilio_error(status, &body, 404, 20404);

    let (status, page) = call(&s, &app, Method::GET, SERVICES, SERVICES, &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, body) = s.post(&app, SERVICES, &[("FriendlyName", "nope")]).await;
    assert_twilio_error(status, &body, 403, 20403);
    assert!(
        body["message"].as_str().unwrap().contains("post-all"),
        "{body}"
    );
});

server_test!(strangers_and_bad_credentials_reach_nothing, |s| {
    let c = s.main_account(AccountType::Full).await;
    let mg = sid(&create_service(&s, &c, &[("FriendlyName", "Mine")]).await);
    // No credentials, a wrong token: 401, whatever the path.
    for path in [
        SERVICES.to_owned(),
        format!("{SERVICES}/{mg}"),
        format!("{SERVICES}/{mg}/PhoneNumbers"),
        format!("{SERVICES}/nonsense"),
    ] {
        let (status, body) = s.call(None, Method::GET, &path, &[]).await;
        assert_twilio_error(status, &body, 401, 20003);
        let wrong = Creds {
            sid: c.sid.clone(),
            token: "0".repeat(32),
        };
        let (status, body) = s.get(&wrong, &path).await;
        assert_twilio_error(status, &body, 401, 20003);
    }
    // Paths the messaging host has and Switchboard does not: Twilio's 404.
    for path in [
        "/v1/Services/Usecases",
        "/v1/Services/nonsense/PhoneNumbers",
        "/v1/Services/PreregisteredUsa2p",
        "/v1/a2p/BrandRegistrations",
        "/v1/LinkShortening/Domains",
    ] {
        let (status, body) = s.get(&c, path).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
    let (status, body) = s
        .call(Some(&c), Method::PUT, &format!("{SERVICES}/{mg}"), &[])
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
});

server_test!(a_services_status_callback_serves_its_messages, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    let callback = receiver.url("/service-status");
    let mg = sid(&create_service(
        &s,
        &c,
        &[("FriendlyName", "Hooks"), ("StatusCallback", &callback)],
    )
    .await);
    let (pn, number) = buy(&s, &c, "415").await;
    assert_eq!(add(&s, &c, &mg, &pn).await.0, StatusCode::CREATED);
    let (status, m) = send(
        &s,
        &c,
        &[
            ("To", "+14155550100"),
            ("Body", "hi"),
            ("MessagingServiceSid", &mg),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    // Without its own StatusCallback, the message reports to the service's.
    let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
    for h in &hooks {
        assert_eq!(h.param("MessageSid").as_deref(), m["sid"].as_str());
        assert_eq!(h.param("MessagingServiceSid").as_deref(), Some(mg.as_str()));
        assert_eq!(h.param("From").as_deref(), Some(number.as_str()));
    }
});
