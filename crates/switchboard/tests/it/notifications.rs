//! The debugger's log (Twilio's 2010 Notifications resource): notifications
//! recorded through the domain, as the webhook and TwiML workers record them,
//! then listed, filtered, fetched and deleted over the API in Twilio's JSON
//! (checked against Twilio's OpenAPI document),
//! reached only by those the policy lets in, and shown escaped in the
//! console's Debugger.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_domain::accounts::NewMainAccount;
use switchboard_domain::notifications::{self, NewNotification};
use switchboard_types::{AccountSid, AccountType, CallSid, NotificationLevel, Timestamp};

use crate::browser::Browser;
use crate::connect::{PASSWORD, app_owner, authorize, customer};
use crate::openapi;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error, base, basic, rand_id};

/// 2026-11-01, -02 and -03 at 10:00 UTC.
const NOV_1: i64 = 1_793_527_200;
const NOV_2: i64 = 1_793_613_600;
const NOV_3: i64 = 1_793_700_000;

struct Problem<'a> {
    call: Option<&'a CallSid>,
    about: Option<&'a str>,
    code: u32,
    level: NotificationLevel,
    text: &'a str,
    body: Option<&'a str>,
    at: i64,
}

impl Default for Problem<'_> {
    fn default() -> Self {
        Problem {
            call: None,
            about: Some("SM0123456789abcdef0123456789abcdef"),
            code: notifications::codes::HTTP_RETRIEVAL_FAILURE,
            level: NotificationLevel::Error,
            text: "Got HTTP 500 from the SmsUrl",
            body: Some("<h1>Internal Server Error</h1>"),
            at: NOV_1,
        }
    }
}

/// Records a notification as a worker does: in a transaction of its own here.
async fn record(s: &TestServer, account: &AccountSid, p: Problem<'_>) -> String {
    let mut tx = s.sb.store().begin().await.unwrap();
    let sid = notifications::record(
        &mut tx,
        &NewNotification {
            account,
            call_sid: p.call,
            resource_sid: p.about,
            error_code: p.code,
            level: p.level,
            message_text: p.text.to_owned(),
            request_url: Some("https://app.example.com/sms?tenant=7"),
            request_method: Some("POST"),
            request_variables: Some("From=%2B15005550006&Body=hello"),
            response_headers: Some("Content-Type=text%2Fhtml".to_owned()),
            response_body: p.body.map(str::to_owned),
        },
        Timestamp::from_seconds(p.at),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sid.to_string()
}

/// Every exchange a test had, for Twilio's OpenAPI document to judge.
#[derive(Default)]
struct Recorded {
    exchanges: Vec<Exchange>,
}

/// One answer as received.
struct Exchange {
    method: Method,
    url: String,
    status: StatusCode,
    content_type: Option<String>,
    body: String,
}

impl Recorded {
    /// Sends a request and keeps the raw answer; returns the status and JSON.
    async fn call(
        &mut self,
        s: &TestServer,
        creds: Option<&Creds>,
        method: Method,
        path: &str,
    ) -> (StatusCode, Value) {
        let mut req = s.http.request(method.clone(), s.url(path));
        if let Some(c) = creds {
            req = req.header("Authorization", basic(c.sid.as_str(), &c.token));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        self.exchanges.push(Exchange {
            method,
            url: s.url(path),
            status,
            content_type,
            body: text,
        });
        (status, body)
    }

    async fn get(&mut self, s: &TestServer, c: &Creds, path: &str) -> (StatusCode, Value) {
        self.call(s, Some(c), Method::GET, path).await
    }

    /// Holds every exchange to Twilio's 2010 OpenAPI document, strictly
    /// (every declared field present, nothing else; see `openapi.rs`).
    fn validate_against_twilios_document(&self) {
        assert!(!self.exchanges.is_empty(), "nothing was recorded");
        for e in &self.exchanges {
            openapi::assert_exchange(
                openapi::api_2010(),
                e.method.as_str(),
                &e.url,
                e.status.as_u16(),
                e.content_type.as_deref(),
                &e.body,
            );
        }
    }
}

/// A call of `c`'s (it need not end).
async fn placed_call(s: &TestServer, c: &Creds) -> CallSid {
    let from = crate::telephony::buy(s, c, "415").await;
    let (status, call) = s
        .post(
            c,
            &format!("{}/Calls.json", base(c)),
            &[
                ("To", "+14155550100"),
                ("From", from.as_str()),
                ("Twiml", "<Response/>"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    CallSid::parse(call["sid"].as_str().unwrap()).unwrap()
}

fn sids(list: &Value) -> Vec<String> {
    list["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|n| n["sid"].as_str().unwrap().to_owned())
        .collect()
}

server_test!(listed_filtered_fetched_and_deleted_in_twilios_json, |s| {
    let owner = s.main_account(AccountType::Full).await;
    let call = placed_call(&s, &owner).await;
    let first = record(&s, &owner.sid, Problem::default()).await;
    let warning = record(
        &s,
        &owner.sid,
        Problem {
            code: notifications::codes::SCHEMA_VALIDATION,
            level: NotificationLevel::Warning,
            text: "Unknown verb <Dance>",
            at: NOV_2,
            ..Problem::default()
        },
    )
    .await;
    let on_call = record(
        &s,
        &owner.sid,
        Problem {
            call: Some(&call),
            about: None,
            code: notifications::codes::DOCUMENT_PARSE_FAILURE,
            text: "The TwiML could not be parsed",
            body: None,
            at: NOV_3,
            ..Problem::default()
        },
    )
    .await;
    let b = base(&owner);
    let mut r = Recorded::default();

    // Newest first; lists leave out the request's variables and the response.
    let (status, list) = r.get(&s, &owner, &format!("{b}/Notifications.json")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        sids(&list),
        vec![on_call.clone(), warning.clone(), first.clone()]
    );
    let item = &list["notifications"][2];
    assert_eq!(item["error_code"], "11200");
    assert_eq!(item["log"], "0");
    for omitted in ["request_variables", "response_body", "response_headers"] {
        assert!(item.get(omitted).is_none(), "{omitted} in a list: {item}");
    }
    assert_eq!(list["page_size"], 50);

    // Log and MessageDate filters.
    let filtered = async |r: &mut Recorded, query: &str| {
        let (status, list) = r
            .get(&s, &owner, &format!("{b}/Notifications.json?{query}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {list}");
        sids(&list)
    };
    assert_eq!(filtered(&mut r, "Log=1").await, vec![warning.clone()]);
    assert_eq!(
        filtered(&mut r, "Log=0").await,
        vec![on_call.clone(), first.clone()]
    );
    assert_eq!(
        filtered(&mut r, "MessageDate=2026-11-02").await,
        vec![warning.clone()]
    );
    assert_eq!(
        filtered(&mut r, "MessageDate%3E=2026-11-02").await,
        vec![on_call.clone(), warning.clone()]
    );
    assert_eq!(
        filtered(&mut r, "MessageDate%3C=2026-11-02").await,
        vec![warning.clone(), first.clone()]
    );
    assert_eq!(
        filtered(&mut r, "Log=0&MessageDate%3C=2026-11-02").await,
        vec![first.clone()]
    );
    assert!(filtered(&mut r, "MessageDate=2026-10-31").await.is_empty());
    let (status, body) = r
        .get(&s, &owner, &format!("{b}/Notifications.json?Log=2"))
        .await;
    assert_twilio_error(status, &body, 400, 20001);
    let (status, body) = r
        .get(
            &s,
            &owner,
            &format!("{b}/Notifications.json?MessageDate=soon"),
        )
        .await;
    assert_twilio_error(status, &body, 400, 20001);

    // Paged by key.
    let (_, page) = r
        .get(&s, &owner, &format!("{b}/Notifications.json?PageSize=2"))
        .await;
    assert_eq!(sids(&page), vec![on_call.clone(), warning.clone()]);
    let next = page["next_page_uri"].as_str().unwrap().to_owned();
    let (_, page) = r.get(&s, &owner, &next).await;
    assert_eq!(sids(&page), vec![first.clone()]);
    assert!(page["next_page_uri"].is_null(), "{page}");

    // Fetching one shows everything, exactly.
    let (status, one) = r
        .get(&s, &owner, &format!("{b}/Notifications/{first}.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(
        one,
        json!({
            "account_sid": owner.sid.as_str(),
            "api_version": "2010-04-01",
            "call_sid": null,
            "date_created": "Sun, 01 Nov 2026 10:00:00 +0000",
            "date_updated": "Sun, 01 Nov 2026 10:00:00 +0000",
            "error_code": "11200",
            "log": "0",
            "message_date": "Sun, 01 Nov 2026 10:00:00 +0000",
            "message_text": "Msg=Got+HTTP+500+from+the+SmsUrl&ErrorCode=11200&LogLevel=ERROR&url=https%3A%2F%2Fapp.example.com%2Fsms%3Ftenant%3D7",
            "more_info": "https://www.twilio.com/docs/errors/11200",
            "request_method": "POST",
            "request_url": "https://app.example.com/sms?tenant=7",
            "request_variables": "From=%2B15005550006&Body=hello",
            "response_body": "<h1>Internal Server Error</h1>",
            "response_headers": "Content-Type=text%2Fhtml",
            "sid": first,
            "uri": format!("{b}/Notifications/{first}.json"),
        })
    );
    let (_, one) = r
        .get(&s, &owner, &format!("{b}/Notifications/{on_call}.json"))
        .await;
    assert_eq!(one["call_sid"], call.as_str());
    assert_eq!(one["response_body"], "", "no body recorded: {one}");
    assert_eq!(one["log"], "0");

    // Under the call.
    let (status, of_call) = r
        .get(&s, &owner, &format!("{b}/Calls/{call}/Notifications.json"))
        .await;
    assert_eq!(status, StatusCode::OK, "{of_call}");
    assert_eq!(sids(&of_call), vec![on_call.clone()]);
    assert_eq!(
        of_call["notifications"][0]["uri"],
        format!("{b}/Calls/{call}/Notifications/{on_call}.json")
    );
    let (status, _) = r
        .get(
            &s,
            &owner,
            &format!("{b}/Calls/{call}/Notifications/{on_call}.json"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let other_call = CallSid::generate();
    let (status, body) = r
        .get(
            &s,
            &owner,
            &format!("{b}/Calls/{other_call}/Notifications/{on_call}.json"),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    // A call the account does not have is not found, rather than an empty
    // list.
    let (status, body) = r
        .get(
            &s,
            &owner,
            &format!("{b}/Calls/{other_call}/Notifications.json"),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);

    // Not found: a malformed SID, an unknown one, a malformed call.
    for path in [
        format!("{b}/Notifications/NOnope.json"),
        format!("{b}/Notifications/NO0123456789abcdef0123456789abcdef.json"),
        format!("{b}/Calls/CAnope/Notifications.json"),
    ] {
        let (status, body) = r.get(&s, &owner, &path).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
    // Strangers are asked to authenticate.
    let (status, body) = r
        .call(&s, None, Method::GET, &format!("{b}/Notifications.json"))
        .await;
    assert_twilio_error(status, &body, 401, 20003);
    r.validate_against_twilios_document();

    // Deleting (the 2010 API's DELETE, which Twilio's document no longer lists).
    let path = format!("{b}/Notifications/{warning}.json");
    let (status, body) = s.call(Some(&owner), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s.get(&owner, &path).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.call(Some(&owner), Method::DELETE, &path, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (_, list) = s.get(&owner, &format!("{b}/Notifications.json")).await;
    assert_eq!(sids(&list), vec![on_call.clone(), first.clone()]);
    // Nothing else is written.
    let (status, body) = s
        .post(&owner, &format!("{b}/Notifications/{first}.json"), &[])
        .await;
    assert_twilio_error(status, &body, 405, 20004);
});

fn as_app(owner: &Creds, subaccount: &AccountSid) -> Creds {
    Creds {
        sid: subaccount.clone(),
        token: owner.token.clone(),
    }
}

server_test!(
    connect_apps_read_with_get_all_and_delete_with_post_all,
    |s| {
        let reader = app_owner(&s, &["get-all"]).await;
        let charger = app_owner(&s, &["post-all"]).await;
        let mut c = customer(&s, true).await;
        let reader_sub = authorize(&mut c.browser, &reader.app).await;
        let charger_sub = authorize(&mut c.browser, &charger.app).await;
        let get_all = as_app(&reader.creds, &reader_sub);
        let post_all = as_app(&charger.creds, &charger_sub);
        let stranger = s.main_account(AccountType::Full).await;

        let on_main = record(&s, &c.account, Problem::default()).await;
        let in_charger_sub = record(&s, &charger_sub, Problem::default()).await;
        let in_charger_sub_2 = record(&s, &charger_sub, Problem::default()).await;
        let in_reader_sub = record(&s, &reader_sub, Problem::default()).await;
        let at = |account: &AccountSid, sid: &str| {
            format!("/2010-04-01/Accounts/{account}/Notifications/{sid}.json")
        };
        let list =
            |account: &AccountSid| format!("/2010-04-01/Accounts/{account}/Notifications.json");

        // get-all reads every account of the customer's, and deletes nothing.
        let (status, body) = s.get(&get_all, &list(&c.account)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(sids(&body), vec![on_main.clone()]);
        let (status, body) = s.get(&get_all, &at(&charger_sub, &in_charger_sub)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let path = at(&reader_sub, &in_reader_sub);
        let (status, body) = s.call(Some(&get_all), Method::DELETE, &path, &[]).await;
        assert_twilio_error(status, &body, 403, 20403);

        // post-all reads its own subaccount only, and deletes there only.
        let (status, body) = s.get(&post_all, &list(&charger_sub)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(sids(&body).len(), 2);
        let (status, body) = s.get(&post_all, &list(&c.account)).await;
        assert_twilio_error(status, &body, 403, 20403);
        let (status, body) = s.get(&post_all, &at(&c.account, &on_main)).await;
        assert_twilio_error(status, &body, 403, 20403);
        let path = at(&charger_sub, &in_charger_sub);
        let (status, body) = s.call(Some(&post_all), Method::DELETE, &path, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let path = at(&c.account, &on_main);
        let (status, body) = s.call(Some(&post_all), Method::DELETE, &path, &[]).await;
        assert_twilio_error(status, &body, 403, 20403);
        // A SID of its subaccount's, asked for under another account: not found.
        let path = at(&reader_sub, &in_charger_sub_2);
        let (status, body) = s.get(&get_all, &path).await;
        assert_twilio_error(status, &body, 404, 20404);

        // Nobody else reaches any of it, nor learns it exists.
        let (status, body) = s.get(&stranger, &list(&c.account)).await;
        assert_twilio_error(status, &body, 404, 20404);
        for path in [
            at(&c.account, &on_main),
            at(&charger_sub, &in_charger_sub_2),
        ] {
            let (status, body) = s.get(&stranger, &path).await;
            assert_twilio_error(status, &body, 404, 20404);
            let (status, body) = s.call(Some(&stranger), Method::DELETE, &path, &[]).await;
            assert_twilio_error(status, &body, 404, 20404);
        }
        // What was refused is still there.
        let (_, body) = s.get(&get_all, &list(&charger_sub)).await;
        assert_eq!(sids(&body), vec![in_charger_sub_2.clone()]);
        let (_, body) = s.get(&get_all, &list(&c.account)).await;
        assert_eq!(sids(&body), vec![on_main.clone()]);
    }
);

server_test!(
    the_debugger_page_lists_the_tree_and_escapes_what_apps_said,
    |s| {
        let email = format!("debug{}@example.com", rand_id());
        let created =
            s.sb.new_main_account(NewMainAccount {
                email: email.clone(),
                password: PASSWORD.into(),
                friendly_name: "Debug Co".into(),
                account_type: AccountType::Full,
            })
            .await
            .unwrap();
        let main = created.account.sid;
        let owner = Creds {
            sid: main.clone(),
            token: created.auth_token,
        };
        let (status, sub) = s
            .post(
                &owner,
                "/2010-04-01/Accounts.json",
                &[("FriendlyName", "Staging")],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sub}");
        let sub = AccountSid::parse(sub["sid"].as_str().unwrap()).unwrap();
        let scripted = record(
            &s,
            &main,
            Problem {
                text: "Bad <b>TwiML</b>",
                body: Some("<script>alert('x')</script><Response><Dance/></Response>"),
                code: notifications::codes::SCHEMA_VALIDATION,
                at: NOV_1,
                ..Problem::default()
            },
        )
        .await;
        let in_sub = record(
            &s,
            &sub,
            Problem {
                code: notifications::codes::INVALID_CONTENT_TYPE,
                level: NotificationLevel::Warning,
                at: NOV_2,
                ..Problem::default()
            },
        )
        .await;
        let stranger = s.main_account(AccountType::Full).await;
        let elsewhere = record(&s, &stranger.sid, Problem::default()).await;

        let mut browser = Browser::new(&s);
        let answer = browser.sign_in(&email, PASSWORD, "/console").await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let dashboard = browser.get("/console").await;
        assert!(
            dashboard.body.contains("href=\"/console/debugger\""),
            "the console links the debugger"
        );

        let page = browser.get("/console/debugger").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let (sub_at, main_at) = (
            page.body
                .find(&in_sub)
                .expect("the subaccount's notification"),
            page.body.find(&scripted).expect("the main account's"),
        );
        assert!(sub_at < main_at, "newest first");
        assert!(!page.body.contains(&elsewhere), "another customer's");
        assert!(
            page.body
                .contains("https://www.twilio.com/docs/errors/12200")
        );
        assert!(
            page.body
                .contains("https://www.twilio.com/docs/errors/12300")
        );
        assert!(
            page.body.contains("Bad &#60;b&#62;TwiML&#60;/b&#62;"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("<b>TwiML"));
        assert!(page.body.contains("https://app.example.com/sms?tenant=7"));

        let detail = browser.get(&format!("/console/debugger/{scripted}")).await;
        assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
        assert!(!detail.body.contains("<script>alert"), "{}", detail.body);
        assert!(
            detail
                .body
                .contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#60;Response&#62;"),
            "{}",
            detail.body
        );
        // The request's parameters, decoded.
        assert!(detail.body.contains("+15005550006"), "{}", detail.body);
        let detail = browser.get(&format!("/console/debugger/{in_sub}")).await;
        assert_eq!(detail.status, StatusCode::OK);

        for path in [
            format!("/console/debugger/{elsewhere}"),
            "/console/debugger/NOnope".to_owned(),
        ] {
            let answer = browser.get(&path).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        }
    }
);
