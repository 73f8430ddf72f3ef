//! Usage triggers (`…/Usage/Triggers`) over real HTTP: the resource and its
//! 2010 pages checked against `twilio_api_v2010.json`, Twilio's codes for bad
//! input, a trigger firing once per period through the outbox to a real
//! receiver (signed, with Twilio's parameters), and who may do what.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::call;
use crate::receiver::Receiver;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error, base};
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::usage_triggers::NewUsageTrigger;

const LIST: &str = "/2010-04-01/Accounts/{AccountSid}/Usage/Triggers.json";
const ITEM: &str = "/2010-04-01/Accounts/{AccountSid}/Usage/Triggers/{Sid}.json";

async fn create(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> Value {
    let path = format!("{}/Usage/Triggers.json", base(c));
    let (status, body) = call(s, c, Method::POST, &path, LIST, form).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn fetch(s: &TestServer, c: &Creds, ut: &str) -> Value {
    let path = format!("{}/Usage/Triggers/{ut}.json", base(c));
    let (status, body) = call(s, c, Method::GET, &path, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn sid(v: &Value) -> String {
    v["sid"].as_str().unwrap().to_owned()
}

async fn buy(s: &TestServer, c: &Creds) {
    let (status, body) = s
        .post(
            c,
            &format!("{}/IncomingPhoneNumbers.json", base(c)),
            &[("AreaCode", "415")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

server_test!(usage_triggers_are_created_read_updated_and_deleted, |s| {
    let c = s.main_account(AccountType::Full).await;
    let created = create(
        &s,
        &c,
        &[
            ("CallbackUrl", "https://example.com/usage"),
            ("TriggerValue", "10.50"),
            ("UsageCategory", "sms"),
        ],
    )
    .await;
    let ut = sid(&created);
    assert!(ut.starts_with("UT"), "{created}");
    // Twilio's defaults.
    assert_eq!(created["account_sid"], c.sid.as_str());
    assert_eq!(created["api_version"], "2010-04-01");
    assert_eq!(created["callback_method"], "POST");
    assert_eq!(created["callback_url"], "https://example.com/usage");
    assert_eq!(created["trigger_by"], "usage");
    assert_eq!(created["recurring"], "alltime");
    assert_eq!(created["trigger_value"], "10.5");
    assert_eq!(created["usage_category"], "sms");
    assert_eq!(created["friendly_name"], Value::Null);
    assert_eq!(created["date_fired"], Value::Null);
    assert_eq!(created["current_value"], Value::Null);
    let path = format!("{}/Usage/Triggers/{ut}.json", base(&c));
    assert_eq!(created["uri"], path.as_str());
    assert_eq!(
        created["usage_record_uri"],
        format!("{}/Usage/Records/AllTime.json?Category=sms", base(&c)).as_str()
    );
    assert_eq!(fetch(&s, &c, &ut).await, created);

    let (status, updated) = call(
        &s,
        &c,
        Method::POST,
        &path,
        ITEM,
        &[
            ("FriendlyName", "Budget"),
            ("CallbackUrl", "https://example.com/other"),
            ("CallbackMethod", "GET"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["friendly_name"], "Budget");
    assert_eq!(updated["callback_url"], "https://example.com/other");
    assert_eq!(updated["callback_method"], "GET");
    assert_eq!(updated["trigger_value"], "10.5");
    assert_eq!(fetch(&s, &c, &ut).await, updated);

    let (status, _) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.call(Some(&c), Method::GET, &path, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(usage_triggers_are_listed_filtered_and_paged, |s| {
    let c = s.main_account(AccountType::Full).await;
    let url = "https://example.com/u";
    let daily = create(
        &s,
        &c,
        &[
            ("CallbackUrl", url),
            ("TriggerValue", "5"),
            ("UsageCategory", "sms"),
            ("Recurring", "daily"),
            ("TriggerBy", "count"),
        ],
    )
    .await;
    let monthly = create(
        &s,
        &c,
        &[
            ("CallbackUrl", url),
            ("TriggerValue", "1.25"),
            ("UsageCategory", "totalprice"),
            ("Recurring", "monthly"),
            ("TriggerBy", "price"),
        ],
    )
    .await;
    let once = create(
        &s,
        &c,
        &[
            ("CallbackUrl", url),
            ("TriggerValue", "3"),
            ("UsageCategory", "calls"),
            ("Recurring", ""),
        ],
    )
    .await;
    let list = |q: &str| format!("{}/Usage/Triggers.json{q}", base(&c));
    let sids = |page: &Value| -> Vec<String> {
        page["usage_triggers"]
            .as_array()
            .unwrap()
            .iter()
            .map(sid)
            .collect()
    };
    let (status, page) = call(&s, &c, Method::GET, &list(""), LIST, &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(sids(&page), [sid(&daily), sid(&monthly), sid(&once)]);
    for (q, want) in [
        ("?Recurring=daily", vec![sid(&daily)]),
        ("?Recurring=alltime", vec![sid(&once)]),
        ("?TriggerBy=price", vec![sid(&monthly)]),
        ("?TriggerBy=usage", vec![sid(&once)]),
        ("?UsageCategory=sms", vec![sid(&daily)]),
        ("?UsageCategory=recordings", vec![]),
    ] {
        let (status, page) = call(&s, &c, Method::GET, &list(q), LIST, &[]).await;
        assert_eq!(status, StatusCode::OK, "{q}: {page}");
        assert_eq!(sids(&page), want, "{q}");
    }
    let (status, first) = call(&s, &c, Method::GET, &list("?PageSize=2"), LIST, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sids(&first), [sid(&daily), sid(&monthly)]);
    let next = first["next_page_uri"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let (status, second) = call(&s, &c, Method::GET, &next, LIST, &[]).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(sids(&second), [sid(&once)]);
    assert_eq!(second["next_page_uri"], Value::Null);

    let (status, body) = s.get(&c, &list("?Recurring=weekly")).await;
    assert_twilio_error(status, &body, 400, 20001);
    let (status, body) = s.get(&c, &list("?TriggerBy=cost")).await;
    assert_twilio_error(status, &body, 400, 20001);
});

server_test!(bad_input_gets_twilios_codes, |s| {
    let c = s.main_account(AccountType::Full).await;
    let path = format!("{}/Usage/Triggers.json", base(&c));
    let good = [
        ("CallbackUrl", "https://example.com/u"),
        ("TriggerValue", "5"),
        ("UsageCategory", "sms"),
    ];
    let with = |name: &str, value: Option<&'static str>| -> Vec<(String, String)> {
        let mut form: Vec<(String, String)> = good
            .iter()
            .filter(|(k, _)| *k != name)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(v) = value {
            form.push((name.to_owned(), v.to_owned()));
        }
        form
    };
    for (name, value, code, says) in [
        ("CallbackUrl", None, 20001, "CallbackUrl"),
        ("CallbackUrl", Some("not a url"), 21502, "CallbackUrl"),
        ("TriggerValue", None, 20001, "TriggerValue"),
        ("TriggerValue", Some("-5"), 20001, "TriggerValue"),
        ("TriggerValue", Some("0"), 20001, "TriggerValue"),
        ("TriggerValue", Some("ten"), 20001, "TriggerValue"),
        ("TriggerValue", Some("+x"), 20001, "TriggerValue"),
        ("UsageCategory", None, 20001, "UsageCategory"),
        ("UsageCategory", Some("sms-mms-fax"), 20001, "UsageCategory"),
        ("Recurring", Some("weekly"), 20001, "Recurring"),
        ("TriggerBy", Some("cost"), 20001, "TriggerBy"),
        ("CallbackMethod", Some("PUT"), 21403, "CallbackMethod"),
        ("FriendlyName", Some("\u{7}"), 20001, "FriendlyName"),
    ] {
        let form = with(name, value);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, body) = s.post(&c, &path, &form).await;
        assert_twilio_error(status, &body, 400, code);
        assert!(
            body["message"].as_str().unwrap().contains(says),
            "{name}={value:?}: {body}"
        );
    }
    let (status, body) = s
        .get(&c, &format!("{}/Usage/Triggers/UTnot.json", base(&c)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // Nothing was made.
    let (_, page) = s.get(&c, &path).await;
    assert_eq!(page["usage_triggers"].as_array().unwrap().len(), 0);
});

server_test!(a_trigger_fires_once_when_usage_crosses_its_value, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    let url = receiver.url("/usage");
    let counted = create(
        &s,
        &c,
        &[
            ("CallbackUrl", &url),
            ("TriggerValue", "2"),
            ("UsageCategory", "phonenumbers"),
            ("TriggerBy", "count"),
            ("FriendlyName", "Two numbers"),
        ],
    )
    .await;
    // Messages do not count towards numbers.
    let other = create(
        &s,
        &c,
        &[
            ("CallbackUrl", &receiver.url("/sms")),
            ("TriggerValue", "1"),
            ("UsageCategory", "sms"),
            ("TriggerBy", "count"),
        ],
    )
    .await;
    buy(&s, &c).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(receiver.received().is_empty(), "fired below its value");
    assert_eq!(
        fetch(&s, &c, &sid(&counted)).await["date_fired"],
        Value::Null
    );

    buy(&s, &c).await;
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    let hook = &hooks[0];
    assert_eq!(hook.path_and_query, "/usage");
    let ut = sid(&counted);
    for (name, want) in [
        ("AccountSid", c.sid.as_str()),
        ("UsageTriggerSid", ut.as_str()),
        ("Recurring", "alltime"),
        ("UsageCategory", "phonenumbers"),
        ("TriggerBy", "count"),
        ("TriggerValue", "2"),
        ("CurrentValue", "2"),
    ] {
        assert_eq!(hook.param(name).as_deref(), Some(want), "{name}");
    }
    assert_eq!(
        hook.param("UsageRecordUri").unwrap(),
        format!(
            "{}/Usage/Records/AllTime.json?Category=phonenumbers",
            base(&c)
        )
    );
    let token = hook.param("IdempotencyToken").unwrap();
    assert_eq!(token, format!("{ut}-alltime"));
    assert_eq!(hook.header("I-Twilio-Idempotency-Token"), token);
    assert!(!hook.header("X-Twilio-Signature").is_empty());
    let fired = fetch(&s, &c, &ut).await;
    assert_eq!(fired["current_value"], "2");
    assert_eq!(
        fired["date_fired"],
        hook.param("DateFired").unwrap().as_str()
    );

    // A third number: an `alltime` trigger has fired for good.
    buy(&s, &c).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.received().len(), 1, "fired twice");
    assert_eq!(fetch(&s, &c, &ut).await["current_value"], "2");
    assert_eq!(fetch(&s, &c, &sid(&other)).await["date_fired"], Value::Null);

    // The delivery is the outbox's, and audited changes name the trigger.
    let log =
        s.sb.log_of(&c.sid, &PageAt::First, 100)
            .await
            .unwrap()
            .items;
    assert!(log.iter().any(
        |e| e.action == "usage-trigger.create" && e.subject_sid.as_deref() == Some(ut.as_str())
    ));
});

server_test!(an_offset_counts_from_the_current_value, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    buy(&s, &c).await;
    let created = create(
        &s,
        &c,
        &[
            ("CallbackUrl", &receiver.url("/usage")),
            ("TriggerValue", "+1"),
            ("UsageCategory", "phonenumbers"),
            ("TriggerBy", "count"),
            ("Recurring", "monthly"),
        ],
    )
    .await;
    assert_eq!(created["trigger_value"], "2");
    buy(&s, &c).await;
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(hooks[0].param("CurrentValue").as_deref(), Some("2"));
    assert_eq!(hooks[0].param("Recurring").as_deref(), Some("monthly"));
});

server_test!(a_main_accounts_trigger_watches_its_subaccounts_usage, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    create(
        &s,
        &c,
        &[
            ("CallbackUrl", &receiver.url("/tree")),
            ("TriggerValue", "1"),
            ("UsageCategory", "totalprice"),
            ("TriggerBy", "price"),
            ("Recurring", "daily"),
        ],
    )
    .await;
    let (status, sub) = s
        .post(&c, "/2010-04-01/Accounts.json", &[("FriendlyName", "Sub")])
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    let sub = Creds {
        sid: AccountSid::parse(sub["sid"].as_str().unwrap()).unwrap(),
        token: sub["auth_token"].as_str().unwrap().to_owned(),
    };
    buy(&s, &sub).await;
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(
        hooks[0].param("AccountSid").as_deref(),
        Some(c.sid.as_str())
    );
    assert_eq!(
        hooks[0].param("UsageCategory").as_deref(),
        Some("totalprice")
    );
});

/// A Connect App's principal: its dedicated subaccount, the owner's token.
fn as_app(sub: &AccountSid, owner_token: &str) -> Creds {
    Creds {
        sid: sub.clone(),
        token: owner_token.to_owned(),
    }
}

server_test!(connect_apps_manage_triggers_in_their_subaccount, |s| {
    let receiver = Receiver::start().await;
    let owner = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);

    let created = create(
        &s,
        &app,
        &[
            ("CallbackUrl", &receiver.url("/app")),
            ("TriggerValue", "1"),
            ("UsageCategory", "phonenumbers"),
            ("TriggerBy", "count"),
        ],
    )
    .await;
    let ut = sid(&created);
    assert_eq!(created["account_sid"], sub.as_str());
    fetch(&s, &app, &ut).await;
    // Not in the customer's main account.
    let main = Creds {
        sid: cust.account.clone(),
        token: owner.creds.token.clone(),
    };
    let (status, body) = s
        .post(&app, &format!("{}/Usage/Triggers.json", base(&main)), &[])
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    // Audited in the customer's log, naming the app.
    let log =
        s.sb.log_of(&cust.account, &PageAt::First, 100)
            .await
            .unwrap()
            .items;
    let entry = log
        .iter()
        .find(|e| e.action == "usage-trigger.create")
        .expect("the app's create in the customer's log");
    assert_eq!(entry.connect_app_sid.as_deref(), Some(owner.app.as_str()));

    // It fires on the app's usage, signed with the app owner's token.
    let (status, body) = s
        .post(
            &app,
            &format!("{}/IncomingPhoneNumbers.json", base(&app)),
            &[("AreaCode", "415")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(
        hooks[0].param("UsageTriggerSid").as_deref(),
        Some(ut.as_str())
    );

    let (status, _) = s
        .call(
            Some(&app),
            Method::DELETE,
            &format!("{}/Usage/Triggers/{ut}.json", base(&app)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
});

server_test!(a_get_all_app_reads_triggers_but_cannot_change_them, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut cust = customer(&s, true).await;
    // The customer's own trigger, set up as the operator would.
    let access =
        s.sb.operator_access(
            RequestTarget::Account(&cust.account),
            Action::Write,
            Resource::UsageTriggers,
        )
        .await
        .unwrap();
    let made =
        s.sb.usage_triggers()
            .create(
                &access,
                &NewUsageTrigger {
                    callback_url: Some("https://example.com/u".into()),
                    trigger_value: Some("1".into()),
                    usage_category: Some("sms".into()),
                    ..NewUsageTrigger::default()
                },
            )
            .await
            .unwrap();
    let made = serde_json::json!({ "sid": made.sid.to_string() });
    let customer_creds = Creds {
        sid: cust.account.clone(),
        token: String::new(),
    };
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);
    // get-all reads the customer's triggers anywhere in its tree: here, in
    // the customer's main account, with the app's own credentials.
    let customers = format!(
        "{}/Usage/Triggers/{}.json",
        base(&customer_creds),
        sid(&made)
    );
    let (status, fetched) = call(&s, &app, Method::GET, &customers, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    assert_eq!(fetched["sid"], made["sid"]);
    let (status, page) = call(
        &s,
        &app,
        Method::GET,
        &format!("{}/Usage/Triggers.json", base(&app)),
        LIST,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // But writes nothing.
    let (status, body) = s
        .post(&app, &format!("{}/Usage/Triggers.json", base(&app)), &[])
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    let (status, body) = s.call(Some(&app), Method::DELETE, &customers, &[]).await;
    assert_twilio_error(status, &body, 403, 20403);
    // Another account's trigger is not found, for the app and for strangers.
    let stranger = s.main_account(AccountType::Full).await;
    let (status, body) = s
        .get(
            &stranger,
            &format!(
                "{}/Usage/Triggers/{}.json",
                base(&customer_creds),
                sid(&made)
            ),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
});

/// Sandbox mode on the `instant` clock, so a sandbox's clock can be advanced.
fn sandbox_mode(settings: &mut switchboard_domain::Settings) {
    settings.sandbox = true;
}

server_test!(
    a_daily_trigger_fires_again_on_the_next_day_of_the_sandboxs_clock,
    settings = sandbox_mode,
    |s| {
        let receiver = Receiver::start().await;
        let seed = serde_json::json!({"accounts": {"bob": {"type": "Full", "balance": "20.00"}}});
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
        let bob = &sandbox["accounts"]["bob"];
        let c = Creds {
            sid: AccountSid::parse(bob["sid"].as_str().unwrap()).unwrap(),
            token: bob["auth_token"].as_str().unwrap().to_owned(),
        };
        let ut = sid(&create(
            &s,
            &c,
            &[
                ("CallbackUrl", &receiver.url("/daily")),
                ("TriggerValue", "1"),
                ("UsageCategory", "phonenumbers"),
                ("TriggerBy", "count"),
                ("Recurring", "daily"),
            ],
        )
        .await);
        buy(&s, &c).await;
        let first = receiver.wait_for(1, Duration::from_secs(10)).await;
        buy(&s, &c).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(receiver.received().len(), 1, "fired twice in a day");

        let clock = format!(
            "/switchboard/v1/Sandboxes/{}/Clock.json",
            sandbox["sid"].as_str().unwrap()
        );
        let (status, body) = s.post(&c, &clock, &[("Advance", "24h")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        buy(&s, &c).await;
        let both = receiver.wait_for(2, Duration::from_secs(10)).await;
        assert_eq!(
            both[1].param("UsageTriggerSid").as_deref(),
            Some(ut.as_str())
        );
        assert_eq!(both[1].param("CurrentValue").as_deref(), Some("1"));
        let (a, b) = (
            first[0].param("IdempotencyToken").unwrap(),
            both[1].param("IdempotencyToken").unwrap(),
        );
        assert_ne!(a, b, "each day's firing is its own event");
        assert_ne!(first[0].param("DateFired"), both[1].param("DateFired"));
        let fired = fetch(&s, &c, &ut).await;
        assert_eq!(
            fired["date_fired"],
            both[1].param("DateFired").unwrap().as_str()
        );
    }
);
