//! TwiML Applications (`…/Applications`) over real HTTP: the resource and its
//! 2010 pages, Twilio's codes for bad input, who may do what, calls placed
//! with an `ApplicationSid`, and numbers whose `SmsApplicationSid` routes
//! inbound messages to the application's `SmsUrl`. Every answer is checked
//! against `twilio_api_v2010.json`.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::{self, assert_answer};
use crate::receiver::Receiver;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error, base};

const LIST: &str = "/2010-04-01/Accounts/{AccountSid}/Applications.json";
const ITEM: &str = "/2010-04-01/Accounts/{AccountSid}/Applications/{Sid}.json";
const HANDSET: &str = "+14155550123";

/// Sends a request and checks a successful JSON answer against the spec's
/// `template` path (the 2010 pages' relative URIs included, as Twilio writes
/// them).
async fn call(
    s: &TestServer,
    c: &Creds,
    method: Method,
    path: &str,
    template: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (status, body) = s.call(Some(c), method.clone(), path, form).await;
    if status.is_success() && status != StatusCode::NO_CONTENT {
        if template == LIST {
            for key in [
                "uri",
                "first_page_uri",
                "next_page_uri",
                "previous_page_uri",
            ] {
                if let Some(uri) = body[key].as_str() {
                    assert!(uri.starts_with("/2010-04-01/Accounts/"), "{key}: {body}");
                }
            }
        }
        let m = method.as_str().to_ascii_lowercase();
        assert_answer(openapi::api_2010(), template, &m, status.as_u16(), &body);
    }
    (status, body)
}

async fn create(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> Value {
    let (status, body) = call(
        s,
        c,
        Method::POST,
        &format!("{}/Applications.json", base(c)),
        LIST,
        form,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn sid(v: &Value) -> String {
    v["sid"].as_str().unwrap().to_owned()
}

/// Buys a local number with `form` as its settings; returns its JSON.
async fn buy_with(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut all = vec![("AreaCode", "415")];
    all.extend_from_slice(form);
    s.post(c, &format!("{}/IncomingPhoneNumbers.json", base(c)), &all)
        .await
}

server_test!(applications_are_created_read_updated_and_deleted, |s| {
    let c = s.main_account(AccountType::Full).await;
    let created = create(&s, &c, &[]).await;
    let ap = sid(&created);
    assert!(ap.starts_with("AP"), "{created}");
    // Twilio's defaults.
    assert_eq!(created["account_sid"], c.sid.as_str());
    assert_eq!(created["friendly_name"], Value::Null);
    assert_eq!(created["api_version"], "2010-04-01");
    for url in [
        "voice_url",
        "voice_fallback_url",
        "status_callback",
        "sms_url",
        "sms_fallback_url",
        "sms_status_callback",
        "message_status_callback",
    ] {
        assert_eq!(created[url], Value::Null, "{url}");
    }
    for method in [
        "voice_method",
        "voice_fallback_method",
        "status_callback_method",
        "sms_method",
        "sms_fallback_method",
    ] {
        assert_eq!(created[method], "POST", "{method}");
    }
    assert_eq!(created["voice_caller_id_lookup"], false);
    assert_eq!(created["public_application_connect_enabled"], true);
    let path = format!("{}/Applications/{ap}.json", base(&c));
    assert_eq!(created["uri"], path.as_str());
    assert!(
        created["date_created"]
            .as_str()
            .unwrap()
            .ends_with(" +0000"),
        "RFC 2822: {created}"
    );

    let (status, fetched) = call(&s, &c, Method::GET, &path, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, created);

    let every_field = [
        ("FriendlyName", "Front desk"),
        ("ApiVersion", "2008-08-01"),
        ("VoiceUrl", "https://app.example.com/voice"),
        ("VoiceMethod", "get"),
        ("VoiceFallbackUrl", "https://app.example.com/voice-fallback"),
        ("VoiceFallbackMethod", "GET"),
        ("StatusCallback", "https://app.example.com/status"),
        ("StatusCallbackMethod", "GET"),
        ("VoiceCallerIdLookup", "true"),
        ("SmsUrl", "https://app.example.com/sms"),
        ("SmsMethod", "GET"),
        ("SmsFallbackUrl", "https://app.example.com/sms-fallback"),
        ("SmsFallbackMethod", "GET"),
        ("SmsStatusCallback", "https://app.example.com/sms-status"),
        (
            "MessageStatusCallback",
            "https://app.example.com/msg-status",
        ),
        ("PublicApplicationConnectEnabled", "false"),
    ];
    let (status, updated) = call(&s, &c, Method::POST, &path, ITEM, &every_field).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    for (field, want) in [
        ("friendly_name", "Front desk"),
        ("api_version", "2008-08-01"),
        ("voice_url", "https://app.example.com/voice"),
        ("voice_method", "GET"),
        (
            "voice_fallback_url",
            "https://app.example.com/voice-fallback",
        ),
        ("voice_fallback_method", "GET"),
        ("status_callback", "https://app.example.com/status"),
        ("status_callback_method", "GET"),
        ("sms_url", "https://app.example.com/sms"),
        ("sms_method", "GET"),
        ("sms_fallback_url", "https://app.example.com/sms-fallback"),
        ("sms_fallback_method", "GET"),
        ("sms_status_callback", "https://app.example.com/sms-status"),
        (
            "message_status_callback",
            "https://app.example.com/msg-status",
        ),
    ] {
        assert_eq!(updated[field], want, "{field}: {updated}");
    }
    assert_eq!(updated["voice_caller_id_lookup"], true);
    assert_eq!(updated["public_application_connect_enabled"], false);
    assert_eq!(updated["date_created"], created["date_created"]);

    // What an update leaves out stays; an empty URL clears one.
    let (status, again) = call(
        &s,
        &c,
        Method::POST,
        &path,
        ITEM,
        &[("SmsUrl", ""), ("FriendlyName", "Front desk 2")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["sms_url"], Value::Null);
    assert_eq!(again["friendly_name"], "Front desk 2");
    assert_eq!(again["voice_url"], "https://app.example.com/voice");
    assert_eq!(again["sms_method"], "GET");

    let (status, _) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&c, &path).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);

    // Every change is in the main account's audit log, by these credentials.
    let log =
        s.sb.log_of(&c.sid, &PageAt::First, 100)
            .await
            .unwrap()
            .items;
    let actions: Vec<&str> = log
        .iter()
        .rev()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("application."))
        .collect();
    assert_eq!(
        actions,
        [
            "application.create",
            "application.update",
            "application.update",
            "application.delete"
        ]
    );
    let actor = format!("api:{}", c.sid);
    assert!(
        log.iter()
            .filter(|e| e.action.starts_with("application."))
            .all(|e| e.actor == actor && e.subject_sid.as_deref() == Some(ap.as_str())),
        "{log:?}"
    );
});

server_test!(applications_are_listed_in_twilios_2010_pages, |s| {
    let c = s.main_account(AccountType::Full).await;
    let other = s.main_account(AccountType::Full).await;
    let mut made = Vec::new();
    for name in ["Desk", "Sales", "Desk"] {
        made.push(sid(&create(&s, &c, &[("FriendlyName", name)]).await));
    }
    create(&s, &other, &[("FriendlyName", "Desk")]).await;

    let list = format!("{}/Applications.json", base(&c));
    let (status, page) = call(&s, &c, Method::GET, &list, LIST, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let sids: Vec<String> = page["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(sid)
        .collect();
    assert_eq!(sids, made, "oldest first, this account's only");
    assert_eq!(page["page"], 0);
    assert_eq!(page["start"], 0);
    assert_eq!(page["end"], 2);
    assert_eq!(page["next_page_uri"], Value::Null);

    // FriendlyName filters, and the filter is kept in the page's URIs.
    let (status, desks) = call(
        &s,
        &c,
        Method::GET,
        &format!("{list}?FriendlyName=Desk&PageSize=1"),
        LIST,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(desks["page_size"], 1);
    assert_eq!(sid(&desks["applications"][0]), made[0]);
    let next = desks["next_page_uri"].as_str().unwrap().to_owned();
    assert!(next.contains("FriendlyName=Desk"), "{next}");
    let (status, second) = call(&s, &c, Method::GET, &next, LIST, &[]).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(sid(&second["applications"][0]), made[2]);
    assert_eq!(second["page"], 1);

    // Another account's application is not found here.
    let theirs = sid(&create(&s, &other, &[]).await);
    let (status, body) = s
        .get(&c, &format!("{}/Applications/{theirs}.json", base(&c)))
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Applications/{theirs}.json", base(&c)),
            &[("FriendlyName", "mine now")],
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(bad_input_gets_twilios_codes, |s| {
    let c = s.main_account(AccountType::Full).await;
    let list = format!("{}/Applications.json", base(&c));
    for (form, code) in [
        (("VoiceUrl", "not a url"), 21502),
        (("SmsFallbackUrl", "ftp://app.example.com/x"), 21502),
        (("StatusCallback", "/relative"), 21502),
        (("MessageStatusCallback", "javascript:alert(1)"), 21502),
        (("VoiceMethod", "PUT"), 21403),
        (("SmsMethod", "DELETE"), 21403),
        (("StatusCallbackMethod", "x"), 21403),
        (("ApiVersion", "2020-01-01"), 20001),
        (("VoiceCallerIdLookup", "maybe"), 20001),
        (("PublicApplicationConnectEnabled", "yes"), 20001),
    ] {
        let (status, body) = s.post(&c, &list, &[form]).await;
        assert_twilio_error(status, &body, 400, code);
    }
    let long = "x".repeat(65);
    let (status, body) = s.post(&c, &list, &[("FriendlyName", &long)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // A bad update changes nothing.
    let ap = sid(&create(&s, &c, &[("VoiceUrl", "https://a.example.com/v")]).await);
    let path = format!("{}/Applications/{ap}.json", base(&c));
    let (status, body) = s
        .post(
            &c,
            &path,
            &[
                ("VoiceUrl", "https://b.example.com/v"),
                ("VoiceMethod", "PUT"),
            ],
        )
        .await;
    assert_twilio_error(status, &body, 400, 21403);
    let (_, now) = s.get(&c, &path).await;
    assert_eq!(now["voice_url"], "https://a.example.com/v");

    // Paths that name no application.
    for bad in ["AP123", "PN00000000000000000000000000000000", "x"] {
        let (status, body) = s
            .get(&c, &format!("{}/Applications/{bad}.json", base(&c)))
            .await;
        assert_twilio_error(status, &body, 404, 20404);
    }
    let (status, body) = s
        .call(
            Some(&c),
            Method::PUT,
            &format!("{}/Applications/{ap}.json", base(&c)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    // Strangers learn nothing.
    let (status, _) = s.call(None, Method::GET, &path, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
});

server_test!(a_call_placed_with_an_application_uses_its_urls, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    let (status, number) = buy_with(&s, &c, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{number}");
    let from = number["phone_number"].as_str().unwrap().to_owned();
    let calls = format!("{}/Calls.json", base(&c));
    let place = |app: String, extra: Vec<(&'static str, String)>| {
        let mut form: Vec<(&str, String)> = vec![
            ("To", "+14155550100".to_owned()),
            ("From", from.clone()),
            ("ApplicationSid", app),
        ];
        form.extend(extra);
        form
    };
    let post = |form: Vec<(&'static str, String)>| {
        let s = &s;
        let c = &c;
        let calls = calls.clone();
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            s.post(c, &calls, &form).await
        }
    };

    // Unknown, malformed, or another account's: Twilio's 21218.
    let (status, body) = post(place("AP00000000000000000000000000000000".into(), vec![])).await;
    assert_twilio_error(status, &body, 400, 21218);
    let (status, body) = post(place("AP1".into(), vec![])).await;
    assert_twilio_error(status, &body, 400, 21218);
    let other = s.main_account(AccountType::Full).await;
    let theirs = sid(&create(&s, &other, &[("VoiceUrl", "https://x.example.com/")]).await);
    let (status, body) = post(place(theirs, vec![])).await;
    assert_twilio_error(status, &body, 400, 21218);

    // The application's status callback is used, not the one passed.
    let app = create(
        &s,
        &c,
        &[
            ("VoiceUrl", "https://app.example.com/voice"),
            ("StatusCallback", &receiver.url("/app-status")),
        ],
    )
    .await;
    let (status, placed) = post(place(
        sid(&app),
        vec![("StatusCallback", receiver.url("/ignored"))],
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert!(
        hooks.iter().all(|h| h.path_and_query == "/app-status"),
        "{hooks:?}"
    );
    assert_eq!(hooks[0].param("CallSid").as_deref(), placed["sid"].as_str());
    // The call is the application's, stored with its voice URL.
    let sid_of_call = switchboard_types::CallSid::parse(placed["sid"].as_str().unwrap()).unwrap();
    let stored =
        s.sb.store()
            .opt(switchboard_store::calls::of_account(&c.sid, &sid_of_call))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(stored.url.as_deref(), Some("https://app.example.com/voice"));
    assert_eq!(
        stored.application_sid.map(|a| a.to_string()),
        Some(sid(&app))
    );
});

server_test!(numbers_name_applications_of_their_account, |s| {
    let c = s.main_account(AccountType::Full).await;
    let other = s.main_account(AccountType::Full).await;
    let voice = sid(&create(&s, &c, &[("VoiceUrl", "https://app.example.com/v")]).await);
    let sms = sid(&create(&s, &c, &[("SmsUrl", "https://app.example.com/s")]).await);
    let theirs = sid(&create(&s, &other, &[]).await);

    for (param, value) in [
        ("VoiceApplicationSid", theirs.as_str()),
        ("SmsApplicationSid", "AP00000000000000000000000000000000"),
        ("SmsApplicationSid", "AP1"),
        ("VoiceApplicationSid", "PN00000000000000000000000000000000"),
    ] {
        let (status, body) = buy_with(&s, &c, &[(param, value)]).await;
        assert_twilio_error(status, &body, 400, 21420);
    }
    let (status, number) = buy_with(
        &s,
        &c,
        &[("VoiceApplicationSid", &voice), ("SmsApplicationSid", &sms)],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{number}");
    assert_eq!(number["voice_application_sid"], voice.as_str());
    assert_eq!(number["sms_application_sid"], sms.as_str());
    let path = number["uri"].as_str().unwrap().to_owned();

    let (status, body) = s
        .post(&c, &path, &[("SmsApplicationSid", theirs.as_str())])
        .await;
    assert_twilio_error(status, &body, 400, 21420);
    let (status, updated) = s.post(&c, &path, &[("SmsApplicationSid", "")]).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["sms_application_sid"], Value::Null);
    assert_eq!(updated["voice_application_sid"], voice.as_str());
    let (status, updated) = s
        .post(&c, &path, &[("SmsApplicationSid", sms.as_str())])
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");

    // Deleting an application takes it off the numbers that used it.
    let (status, _) = s
        .call(
            Some(&c),
            Method::DELETE,
            &format!("{}/Applications/{voice}.json", base(&c)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, now) = s.get(&c, &path).await;
    assert_eq!(now["voice_application_sid"], Value::Null, "{now}");
    assert_eq!(now["sms_application_sid"], sms.as_str());
    let log =
        s.sb.log_of(&c.sid, &PageAt::First, 100)
            .await
            .unwrap()
            .items;
    let delete = log
        .iter()
        .find(|e| e.action == "application.delete")
        .unwrap();
    assert!(
        delete.detail.as_deref().unwrap_or("").contains("1 number"),
        "{delete:?}"
    );
});

/// Texts `to` from the handset.
async fn receive(s: &TestServer, c: &Creds, to: &str, body: &str) {
    let (status, m) = s
        .post(
            c,
            &format!("/switchboard/v1/Accounts/{}/InboundMessages.json", c.sid),
            &[("From", HANDSET), ("To", to), ("Body", body)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
}

server_test!(an_inbound_message_reaches_the_sms_applications_url, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    let app = sid(&create(
        &s,
        &c,
        &[
            ("SmsUrl", &receiver.url("/app-sms?x=1")),
            ("SmsMethod", "GET"),
            ("SmsFallbackUrl", &receiver.url("/app-fallback")),
        ],
    )
    .await);
    // The number's own URL is ignored while it has an application.
    let (status, number) = buy_with(
        &s,
        &c,
        &[
            ("SmsUrl", &receiver.url("/number-sms")),
            ("SmsApplicationSid", &app),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{number}");
    let to = number["phone_number"].as_str().unwrap().to_owned();

    // The application's URL fails: its fallback is asked.
    receiver.answer_with(&[500]);
    receive(&s, &c, &to, "hello app").await;
    let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(hooks[0].method, "GET");
    assert!(
        hooks[0].path_and_query.starts_with("/app-sms?x=1&"),
        "{}",
        hooks[0].path_and_query
    );
    assert_eq!(hooks[0].param("Body").as_deref(), Some("hello app"));
    assert_eq!(
        hooks[0].param("AccountSid").as_deref(),
        Some(c.sid.as_str())
    );
    crate::revocation::assert_signed(&hooks[0], &receiver, &c.token);
    assert_eq!(hooks[1].method, "POST");
    assert_eq!(hooks[1].path_and_query, "/app-fallback");

    // Without the application, the number's own URL again.
    let path = number["uri"].as_str().unwrap();
    let (status, _) = s.post(&c, path, &[("SmsApplicationSid", "")]).await;
    assert_eq!(status, StatusCode::OK);
    receive(&s, &c, &to, "hello number").await;
    let hooks = receiver.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(hooks[2].path_and_query, "/number-sms");
    assert_eq!(hooks[2].param("Body").as_deref(), Some("hello number"));
});

server_test!(
    a_messaging_service_comes_before_the_numbers_application,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let app = sid(&create(&s, &c, &[("SmsUrl", &receiver.url("/app-sms"))]).await);
        let (status, number) = buy_with(&s, &c, &[("SmsApplicationSid", &app)]).await;
        assert_eq!(status, StatusCode::CREATED, "{number}");
        let to = number["phone_number"].as_str().unwrap().to_owned();
        let (status, service) = s
            .post(
                &c,
                "/v1/Services",
                &[
                    ("FriendlyName", "Pool"),
                    ("InboundRequestUrl", &receiver.url("/service-sms")),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{service}");
        let mg = sid(&service);
        let (status, body) = s
            .post(
                &c,
                &format!("/v1/Services/{mg}/PhoneNumbers"),
                &[("PhoneNumberSid", &sid(&number))],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        receive(&s, &c, &to, "to the service").await;
        let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(hooks[0].path_and_query, "/service-sms");

        // A service that defers to its numbers: the number's application.
        let (status, _) = s
            .post(
                &c,
                &format!("/v1/Services/{mg}"),
                &[("UseInboundWebhookOnNumber", "true")],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        receive(&s, &c, &to, "to the app").await;
        let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
        assert_eq!(hooks[1].path_and_query, "/app-sms");
        assert_eq!(hooks[1].param("Body").as_deref(), Some("to the app"));
    }
);

/// A Connect App's principal: its dedicated subaccount, the owner's token.
fn as_app(sub: &AccountSid, owner_token: &str) -> Creds {
    Creds {
        sid: sub.clone(),
        token: owner_token.to_owned(),
    }
}

server_test!(connect_apps_manage_applications_in_their_subaccount, |s| {
    let owner = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);

    let created = create(&s, &app, &[("FriendlyName", "App's")]).await;
    let ap = sid(&created);
    assert_eq!(created["account_sid"], sub.as_str());
    let (status, number) = buy_with(&s, &app, &[("VoiceApplicationSid", &ap)]).await;
    assert_eq!(status, StatusCode::CREATED, "{number}");
    let list = format!("{}/Applications.json", base(&app));
    let (status, page) = call(&s, &app, Method::GET, &list, LIST, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["applications"].as_array().unwrap().len(), 1);

    // Not in the customer's main account.
    let main = Creds {
        sid: cust.account.clone(),
        token: owner.creds.token.clone(),
    };
    let (status, body) = s
        .post(&app, &format!("{}/Applications.json", base(&main)), &[])
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
        .find(|e| e.action == "application.create")
        .expect("the app's create in the customer's log");
    assert_eq!(entry.actor, format!("api:{sub}"));
    assert_eq!(entry.connect_app_sid.as_deref(), Some(owner.app.as_str()));

    let (status, _) = s
        .call(
            Some(&app),
            Method::DELETE,
            &format!("{}/Applications/{ap}.json", base(&app)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
});

server_test!(
    a_get_all_app_reads_applications_but_cannot_change_them,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let mut cust = customer(&s, true).await;
        let sub = authorize(&mut cust.browser, &owner.app).await;
        let app = as_app(&sub, &owner.creds.token);
        let (status, page) = call(
            &s,
            &app,
            Method::GET,
            &format!("{}/Applications.json", base(&app)),
            LIST,
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let (status, body) = s
            .post(&app, &format!("{}/Applications.json", base(&app)), &[])
            .await;
        assert_twilio_error(status, &body, 403, 20403);
    }
);
