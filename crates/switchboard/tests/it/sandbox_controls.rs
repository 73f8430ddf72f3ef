//! The sandbox's controls over real HTTP, on both databases: forced outcomes
//! of calls and messages, and an app owner's view of the callbacks its
//! Connect App caused.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_domain::Settings;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType, ConnectAppSid, Permission, Permissions};

use crate::receiver::{Received, Receiver};
use crate::revocation::{assert_signed, owner_with_callback};
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error, base};
use crate::telephony::buy;

/// Sandbox mode, on a clock so slow that nothing placed moves on by itself
/// while a test runs (a step of a second takes over a minute).
fn sandbox_slow(settings: &mut Settings) {
    settings.sandbox = true;
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(0.01);
}

fn sandbox_instant(settings: &mut Settings) {
    settings.sandbox = true;
}

async fn place_call(s: &TestServer, c: &Creds, from: &str, callback: &str) -> Value {
    let (status, call) = s
        .post(
            c,
            &format!("{}/Calls.json", base(c)),
            &[
                ("To", "+14155550100"),
                ("From", from),
                ("Url", "https://app.example.com/twiml"),
                ("StatusCallback", callback),
                ("StatusCallbackEvent", "initiated"),
                ("StatusCallbackEvent", "ringing"),
                ("StatusCallbackEvent", "answered"),
                ("StatusCallbackEvent", "completed"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    assert_eq!(call["status"], "queued");
    call
}

async fn send_message(s: &TestServer, c: &Creds, from: &str, callback: &str) -> Value {
    let (status, m) = s
        .post(
            c,
            &format!("{}/Messages.json", base(c)),
            &[
                ("To", "+14155550100"),
                ("From", from),
                ("Body", "hello"),
                ("StatusCallback", callback),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(m["status"], "queued");
    m
}

fn outcome_path(c: &Creds, kind: &str, sid: &Value) -> String {
    format!(
        "/switchboard/v1/Accounts/{}/{kind}/{}/Outcome.json",
        c.sid,
        sid.as_str().unwrap()
    )
}

/// The callbacks to `path`, by the order the simulator made them.
fn hooks_to<'a>(all: &'a [Received], query: &str) -> Vec<&'a Received> {
    let mut hooks: Vec<&Received> = all
        .iter()
        .filter(|h| h.path_and_query.ends_with(query))
        .collect();
    hooks.sort_by_key(|h| {
        h.param("SequenceNumber")
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    hooks
}

server_test!(
    calls_end_as_the_test_says_with_the_simulators_callbacks,
    settings = sandbox_slow,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "212").await;
        let outcomes = [
            ("busy", &["initiated", "ringing", "busy"][..]),
            ("no-answer", &["initiated", "ringing", "no-answer"][..]),
            ("failed", &["initiated", "failed"][..]),
            ("canceled", &["initiated", "canceled"][..]),
        ];
        let mut calls = Vec::new();
        for (i, (outcome, _)) in outcomes.iter().enumerate() {
            let call = place_call(&s, &c, &from, &receiver.url(&format!("/call?n={i}"))).await;
            let mut form = vec![("Status", *outcome)];
            if *outcome == "failed" {
                form.push(("ErrorCode", "31005"));
            }
            let (status, ended) = s
                .post(&c, &outcome_path(&c, "Calls", &call["sid"]), &form)
                .await;
            assert_eq!(status, StatusCode::OK, "{ended}");
            assert_eq!(ended["status"], *outcome);
            assert_eq!(ended["duration"], "0");
            assert!(ended["end_time"].is_string(), "{ended}");
            let (_, fetched) = s.get(&c, call["uri"].as_str().unwrap()).await;
            assert_eq!(fetched["status"], *outcome, "{fetched}");
            calls.push(call);
        }
        let want: usize = outcomes.iter().map(|(_, hooks)| hooks.len()).sum();
        let all = receiver.wait_for(want, Duration::from_secs(10)).await;
        for (i, (outcome, statuses)) in outcomes.iter().enumerate() {
            let hooks = hooks_to(&all, &format!("/call?n={i}"));
            let got: Vec<String> = hooks
                .iter()
                .map(|h| h.param("CallStatus").unwrap())
                .collect();
            assert_eq!(got, *statuses, "{outcome}");
            for h in &hooks {
                assert_signed(h, &receiver, &c.token);
                assert_eq!(h.param("CallSid").as_deref(), calls[i]["sid"].as_str());
            }
            let last = hooks.last().unwrap();
            assert_eq!(last.param("CallDuration").as_deref(), Some("0"));
            let code = last.param("ErrorCode");
            assert_eq!(code.as_deref(), (*outcome == "failed").then_some("31005"));
        }
        // Nothing answered, nothing charged.
        let (_, usage) = s
            .get(
                &c,
                &format!("{}/Usage/Records/Today.json?Category=calls", base(&c)),
            )
            .await;
        let count = usage["usage_records"][0]["count"].as_str().unwrap_or("0");
        assert_eq!(count, "0", "{usage}");

        // A call that has ended cannot be ended again.
        let (status, body) = s
            .post(
                &c,
                &outcome_path(&c, "Calls", &calls[0]["sid"]),
                &[("Status", "failed")],
            )
            .await;
        assert_twilio_error(status, &body, 409, 20409);
        assert!(
            body["message"].as_str().unwrap().contains("already ended"),
            "{body}"
        );
    }
);

server_test!(
    bad_outcome_requests_are_clear_4xx_and_change_nothing,
    settings = sandbox_slow,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "212").await;
        let call = place_call(&s, &c, &from, "https://app.example.com/status").await;
        let path = outcome_path(&c, "Calls", &call["sid"]);
        for form in [
            &[][..],
            &[("Status", "completed")][..],
            &[("Status", "in-progress")][..],
            &[("Status", "BUSY")][..],
            &[("Status", "busy"), ("ErrorCode", "12")][..],
            &[("Status", "busy"), ("ErrorCode", "abc")][..],
        ] {
            let (status, body) = s.post(&c, &path, form).await;
            assert_twilio_error(status, &body, 400, 20001);
        }
        let (_, fetched) = s.get(&c, call["uri"].as_str().unwrap()).await;
        assert_eq!(fetched["status"], "queued");
        // Messages take their own statuses.
        let m = send_message(&s, &c, &from, "https://app.example.com/sms").await;
        let mpath = outcome_path(&c, "Messages", &m["sid"]);
        for status_value in ["busy", "delivered", "sent", ""] {
            let (status, body) = s.post(&c, &mpath, &[("Status", status_value)]).await;
            assert_twilio_error(status, &body, 400, 20001);
        }
        // Nobody else's call; no such call; strangers.
        let other = s.main_account(AccountType::Full).await;
        let (status, body) = s.post(&other, &path, &[("Status", "busy")]).await;
        assert_twilio_error(status, &body, 404, 20404);
        let missing = format!(
            "/switchboard/v1/Accounts/{}/Calls/CA{}/Outcome.json",
            c.sid,
            "0".repeat(32)
        );
        let (status, body) = s.post(&c, &missing, &[("Status", "busy")]).await;
        assert_twilio_error(status, &body, 404, 20404);
        let nonsense = format!("/switchboard/v1/Accounts/{}/Calls/nope/Outcome.json", c.sid);
        let (status, body) = s.post(&c, &nonsense, &[("Status", "busy")]).await;
        assert_twilio_error(status, &body, 404, 20404);
        let (status, body) = s
            .call(None, Method::POST, &path, &[("Status", "busy")])
            .await;
        assert_twilio_error(status, &body, 401, 20003);
        let (status, body) = s.get(&c, &path).await;
        assert_twilio_error(status, &body, 405, 20004);
        let (_, fetched) = s.get(&c, call["uri"].as_str().unwrap()).await;
        assert_eq!(fetched["status"], "queued");
    }
);

server_test!(
    messages_end_undelivered_or_failed_charged_as_the_simulator_does,
    settings = sandbox_slow,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "617").await;
        let undelivered = send_message(&s, &c, &from, &receiver.url("/sms?m=u")).await;
        let (status, m) = s
            .post(
                &c,
                &outcome_path(&c, "Messages", &undelivered["sid"]),
                &[("Status", "undelivered")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(m["status"], "undelivered");
        assert_eq!(m["error_code"], 30003);
        assert_eq!(m["error_message"], "Unreachable destination handset");
        // It was sent first: sent, priced and charged, as the simulator does.
        assert_eq!(m["price"], "-0.00790", "{m}");
        assert!(m["date_sent"].is_string(), "{m}");

        let failed = send_message(&s, &c, &from, &receiver.url("/sms?m=f")).await;
        let (status, m) = s
            .post(
                &c,
                &outcome_path(&c, "Messages", &failed["sid"]),
                &[("Status", "failed"), ("ErrorCode", "30007")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(m["status"], "failed");
        assert_eq!(m["error_code"], 30007);
        assert_eq!(m["error_message"], "Message filtered");
        assert!(m["price"].is_null(), "a failed message never left: {m}");

        let all = receiver.wait_for(3, Duration::from_secs(10)).await;
        let u: Vec<&Received> = all
            .iter()
            .filter(|h| h.path_and_query.ends_with("m=u"))
            .collect();
        let mut statuses: Vec<String> = u
            .iter()
            .map(|h| h.param("MessageStatus").unwrap())
            .collect();
        statuses.sort();
        assert_eq!(statuses, ["sent", "undelivered"]);
        let code = u.iter().find_map(|h| h.param("ErrorCode"));
        assert_eq!(code.as_deref(), Some("30003"));
        let f: Vec<&Received> = all
            .iter()
            .filter(|h| h.path_and_query.ends_with("m=f"))
            .collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].param("MessageStatus").as_deref(), Some("failed"));
        assert_eq!(f[0].param("ErrorCode").as_deref(), Some("30007"));
        for h in &all {
            assert_signed(h, &receiver, &c.token);
        }
        let (_, sms) = s
            .get(&c, &format!("{}/Usage/Records.json?Category=sms", base(&c)))
            .await;
        assert_eq!(
            sms["usage_records"][0]["count"], "1",
            "only the one sent: {sms}"
        );

        // Finished messages are a conflict.
        let (status, body) = s
            .post(
                &c,
                &outcome_path(&c, "Messages", &failed["sid"]),
                &[("Status", "undelivered")],
            )
            .await;
        assert_twilio_error(status, &body, 409, 20409);
    }
);

server_test!(
    a_connect_app_forces_outcomes_only_with_post_all_in_its_subaccount,
    settings = sandbox_slow,
    |s| {
        let owner = s.main_account(AccountType::Full).await;
        let customer = s.main_account(AccountType::Full).await;
        let mut apps = Vec::new();
        for perms in [&[Permission::GetAll][..], &[Permission::PostAll][..]] {
            let fields = switchboard_domain::connect_apps::ConnectAppFields {
                friendly_name: Some("Analytics".into()),
                company_name: Some("Rossum".into()),
                authorize_redirect_url: Some("https://app.example.com/a".into()),
                permissions: Some(Permissions::of(perms)),
                ..Default::default()
            };
            let app = s.sb.new_connect_app(&owner.sid, &fields).await.unwrap();
            let granted = Permissions::of(perms);
            s.sb.approve_for(&customer.sid, &app.sid, granted)
                .await
                .unwrap();
            let grant =
                s.sb.grants_of(&customer.sid, &PageAt::First, 10)
                    .await
                    .unwrap();
            let sub = grant
                .items
                .iter()
                .find(|g| g.grant.connect_app_sid == app.sid)
                .unwrap()
                .grant
                .subaccount_sid
                .clone();
            apps.push(Creds {
                sid: sub,
                token: owner.token.clone(),
            });
        }
        let (get_only, post_all) = (&apps[0], &apps[1]);
        // The customer places a call in each dedicated subaccount.
        let as_customer = |sub: &Creds| Creds {
            sid: sub.sid.clone(),
            token: customer.token.clone(),
        };
        let mut calls = Vec::new();
        for app in [get_only, post_all] {
            let creds = as_customer(app);
            let from = buy(&s, &creds, "212").await;
            calls.push(place_call(&s, &creds, &from, "https://app.example.com/s").await);
        }
        let (status, body) = s
            .post(
                get_only,
                &outcome_path(get_only, "Calls", &calls[0]["sid"]),
                &[("Status", "busy")],
            )
            .await;
        assert_twilio_error(status, &body, 403, 20403);
        let (status, body) = s
            .post(
                post_all,
                &outcome_path(post_all, "Calls", &calls[1]["sid"]),
                &[("Status", "busy")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "busy");
        // Not in the customer's main account.
        let in_main = Creds {
            sid: customer.sid.clone(),
            token: owner.token.clone(),
        };
        let (status, _) = s
            .post(
                &in_main,
                &outcome_path(&in_main, "Calls", &calls[0]["sid"]),
                &[("Status", "busy")],
            )
            .await;
        assert!(status.is_client_error(), "{status}");
    }
);

server_test!(outcomes_are_not_found_outside_sandbox_mode, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "212").await;
    let call = place_call(&s, &c, &from, "https://app.example.com/s").await;
    let m = send_message(&s, &c, &from, "https://app.example.com/s").await;
    for (kind, sid, status_value) in [
        ("Calls", &call["sid"], "busy"),
        ("Messages", &m["sid"], "failed"),
    ] {
        let path = outcome_path(&c, kind, sid);
        let (status, body) = s.post(&c, &path, &[("Status", status_value)]).await;
        assert_twilio_error(status, &body, 404, 20404);
        // Not even a stranger learns more.
        let (status, body) = s.call(None, Method::POST, &path, &[]).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
});

server_test!(
    sandbox_mode_on_the_instant_clock_still_refuses_finished_calls,
    settings = sandbox_instant,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "212").await;
        let call = place_call(&s, &c, &from, "https://app.example.com/s").await;
        let path = call["uri"].as_str().unwrap().to_owned();
        for _ in 0..200 {
            let (_, b) = s.get(&c, &path).await;
            if b["status"] == "completed" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let (status, body) = s
            .post(
                &c,
                &outcome_path(&c, "Calls", &call["sid"]),
                &[("Status", "busy")],
            )
            .await;
        assert_twilio_error(status, &body, 409, 20409);
    }
);

// ---------------------------------------------------------------------------
// The owner's view of what its Connect App caused.

/// A customer (Full) who authorized the owner's app; the dedicated subaccount.
async fn authorized_customer(s: &TestServer, app: &str) -> (Creds, AccountSid) {
    let customer = s.main_account(AccountType::Full).await;
    let app = ConnectAppSid::parse(app).unwrap();
    let perms = Permissions::of(&[Permission::GetAll]);
    s.sb.approve_for(&customer.sid, &app, perms).await.unwrap();
    let grants =
        s.sb.grants_of(&customer.sid, &PageAt::First, 10)
            .await
            .unwrap();
    let sub = grants.items[0].grant.subaccount_sid.clone();
    (customer, sub)
}

fn app_deliveries(owner: &Creds, app: &str) -> String {
    format!(
        "/switchboard/v1/Accounts/{}/ConnectApps/{app}/Deliveries.json",
        owner.sid
    )
}

async fn wait_for_deliveries(s: &TestServer, c: &Creds, path: &str, n: usize) -> Value {
    for _ in 0..200 {
        let (status, list) = s.get(c, path).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        if list["deliveries"].as_array().is_some_and(|d| d.len() >= n) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path} never listed {n} deliveries");
}

server_test!(
    an_app_owner_sees_every_callback_its_app_caused_and_nobody_else_does,
    |s| {
        let receiver = Receiver::start().await;
        let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauthorize").await;
        let (customer, sub) = authorized_customer(&s, &app).await;
        let (other_customer, other_sub) = authorized_customer(&s, &app).await;
        // Traffic in the customers' dedicated subaccounts, with callbacks.
        for (c, sub) in [(&customer, &sub), (&other_customer, &other_sub)] {
            let in_sub = Creds {
                sid: sub.clone(),
                token: c.token.clone(),
            };
            let from = buy(&s, &in_sub, "617").await;
            send_message(&s, &in_sub, &from, &receiver.url("/sms")).await;
        }
        // Traffic the app did not cause: the customer's own main account.
        let from = buy(&s, &customer, "212").await;
        send_message(&s, &customer, &from, &receiver.url("/own")).await;
        // The other customer revokes: a deauthorize callback, under the owner.
        let other_app = ConnectAppSid::parse(&app).unwrap();
        s.sb.revoke_as_customer(&other_customer.sid, &other_app)
            .await
            .unwrap();

        // sent + delivered for each message in a subaccount, and the deauthorize.
        let path = app_deliveries(&owner, &app);
        let list = wait_for_deliveries(&s, &owner, &path, 5).await;
        let items = list["deliveries"].as_array().unwrap();
        assert_eq!(items.len(), 5, "{list}");
        let accounts: Vec<&str> = items
            .iter()
            .map(|d| d["account_sid"].as_str().unwrap())
            .collect();
        assert_eq!(accounts.iter().filter(|a| **a == sub.as_str()).count(), 2);
        assert_eq!(
            accounts
                .iter()
                .filter(|a| **a == other_sub.as_str())
                .count(),
            2
        );
        let deauth: Vec<&Value> = items
            .iter()
            .filter(|d| d["kind"] == "deauthorize")
            .collect();
        assert_eq!(deauth.len(), 1);
        assert_eq!(deauth[0]["account_sid"], owner.sid.as_str());
        assert_eq!(deauth[0]["parameters"]["AccountSid"], other_sub.as_str());
        assert!(
            items.iter().all(|d| d["url"] != receiver.url("/own")),
            "{list}"
        );
        // Oldest first, in the same shape as Deliveries.json.
        let (_, own) = s
            .get(
                &owner,
                &format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid),
            )
            .await;
        let same_keys = |a: &Value, b: &Value| {
            let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
            keys(a) == keys(b)
        };
        assert!(
            same_keys(&own["deliveries"][0], deauth[0]),
            "{own} / {list}"
        );
        // Each message's `sent` callback was queued before its `delivered` one.
        for sub in [&sub, &other_sub] {
            let statuses: Vec<&str> = items
                .iter()
                .filter(|d| d["account_sid"] == sub.as_str())
                .map(|d| d["parameters"]["MessageStatus"].as_str().unwrap())
                .collect();
            assert_eq!(statuses, ["sent", "delivered"], "oldest first: {list}");
        }
        // Paged.
        let (_, first) = s.get(&owner, &format!("{path}?PageSize=2")).await;
        assert_eq!(first["deliveries"].as_array().unwrap().len(), 2);
        let mut seen: Vec<String> = Vec::new();
        let mut next = Some(format!("{path}?PageSize=2"));
        while let Some(page) = next {
            let (status, body) = s.get(&owner, &page).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            seen.extend(
                body["deliveries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["sid"].as_str().unwrap().to_owned()),
            );
            next = body["next_page_uri"].as_str().map(str::to_owned);
        }
        let all: Vec<String> = items
            .iter()
            .map(|d| d["sid"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(seen, all);
        // Without .json too.
        let (status, _) = s.get(&owner, path.trim_end_matches(".json")).await;
        assert_eq!(status, StatusCode::OK);

        // The app's principal, the customers, strangers: not theirs.
        let as_app = Creds {
            sid: sub.clone(),
            token: owner.token.clone(),
        };
        let (status, body) = s.get(&as_app, &path).await;
        assert_twilio_error(status, &body, 404, 20404);
        let in_owner = Creds {
            sid: owner.sid.clone(),
            token: owner.token.clone(),
        };
        let via_customer_path = app_deliveries(
            &Creds {
                sid: customer.sid.clone(),
                ..in_owner
            },
            &app,
        );
        let (status, body) = s.get(&as_app, &via_customer_path).await;
        assert_twilio_error(status, &body, 403, 20403);
        for stranger in [&customer, &s.main_account(AccountType::Full).await] {
            let (status, body) = s.get(stranger, &path).await;
            assert_twilio_error(status, &body, 404, 20404);
        }
        // The customer, on its own account, has no such app.
        let (status, body) = s.get(&customer, &via_customer_path).await;
        assert_twilio_error(status, &body, 404, 20404);
        // Another owner's app through this owner's path: not found.
        let (other_owner, other_owners_app) =
            owner_with_callback(&s, &receiver, "POST", "/d2").await;
        let (status, body) = s
            .get(&owner, &app_deliveries(&owner, &other_owners_app))
            .await;
        assert_twilio_error(status, &body, 404, 20404);
        let (status, body) = s
            .get(
                &other_owner,
                &app_deliveries(&other_owner, &other_owners_app),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["deliveries"].as_array().unwrap().len(), 0);
        // Read only; strangers without credentials are 401.
        let (status, body) = s.post(&owner, &path, &[]).await;
        assert_twilio_error(status, &body, 405, 20004);
        let (status, body) = s.call(None, Method::GET, &path, &[]).await;
        assert_twilio_error(status, &body, 401, 20003);
        // A path that names no app.
        let bad = format!(
            "/switchboard/v1/Accounts/{}/ConnectApps/nope/Deliveries.json",
            owner.sid
        );
        let (status, body) = s.get(&owner, &bad).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
);

// ---------------------------------------------------------------------------
// Sandboxes made from a seed, for the controls that live under them.

const SEED: &str = r#"{
  "accounts": {
    "owner": {"type": "Full", "connect_apps": {"analytics": {
      "friendly_name": "Call Analytics", "company_name": "Rossum",
      "authorize_redirect_url": "https://app.example.test/twilio/authorize?tenant=7",
      "deauthorize_callback_url": "https://app.example.test/twilio/deauthorize",
      "deauthorize_callback_method": "POST", "permissions": ["get-all", "post-all"]}}},
    "bob": {"type": "Full"},
    "carol": {"type": "Trial"},
    "dave": {"type": "Full"}
  },
  "authorizations": [{"customer": "dave", "connect_app": "analytics", "permissions": ["get-all", "post-all"]}]
}"#;

/// A sandbox world like [`SEED`] makes, answered in the shape of `POST
/// /switchboard/v1/Sandboxes.json` (`sid`, `accounts.{name}.sid` and
/// `auth_token`, `connect_apps.analytics.sid`, `authorizations[0].account_sid`).
/// Built through the domain and the store, so these tests do not depend on
/// the seed's parser (sandbox-core's).
async fn sandbox(s: &TestServer) -> Value {
    use switchboard_store::sandboxes::{self, SandboxRecord};
    use switchboard_store::{Statement, Value as Bind};
    use switchboard_types::{SandboxSid, Timestamp};
    let sid = SandboxSid::generate();
    let now = Timestamp::now();
    let record = SandboxRecord {
        sid: sid.clone(),
        seed: SEED.to_owned(),
        resolved_sealed: Vec::new(),
        date_created: now,
        date_updated: now,
    };
    s.sb.store().run(sandboxes::insert(&record)).await.unwrap();
    let owner = s.main_account(AccountType::Full).await;
    let bob = s.main_account(AccountType::Full).await;
    let carol = s.main_account(AccountType::Trial).await;
    let dave = s.main_account(AccountType::Full).await;
    let both = Permissions::of(&[Permission::GetAll, Permission::PostAll]);
    let fields = switchboard_domain::connect_apps::ConnectAppFields {
        friendly_name: Some("Call Analytics".into()),
        company_name: Some("Rossum".into()),
        authorize_redirect_url: Some("https://app.example.test/twilio/authorize?tenant=7".into()),
        deauthorize_callback_url: Some("https://app.example.test/twilio/deauthorize".into()),
        deauthorize_callback_method: Some("POST".into()),
        permissions: Some(both),
        ..Default::default()
    };
    let app = s.sb.new_connect_app(&owner.sid, &fields).await.unwrap();
    s.sb.approve_for(&dave.sid, &app.sid, both).await.unwrap();
    let grants = s.sb.grants_of(&dave.sid, &PageAt::First, 10).await.unwrap();
    let dedicated = grants.items[0].grant.subaccount_sid.clone();
    for main in [&owner, &bob, &carol, &dave] {
        let moved = Statement::new(
            "UPDATE accounts SET sandbox_sid = $1 WHERE owner_account_sid = $2",
            vec![Bind::from(&sid), Bind::from(&main.sid)],
        );
        s.sb.store().run(moved).await.unwrap();
    }
    let account = |c: &Creds| serde_json::json!({"sid": c.sid.as_str(), "auth_token": c.token});
    serde_json::json!({
        "sid": sid.as_str(),
        "accounts": {
            "owner": account(&owner),
            "bob": account(&bob),
            "carol": account(&carol),
            "dave": account(&dave),
        },
        "connect_apps": {"analytics": {"sid": app.sid.as_str()}},
        "authorizations": [{"customer": "dave", "connect_app": "analytics",
                            "account_sid": dedicated.as_str()}],
    })
}

fn creds_of(sandbox: &Value, name: &str) -> Creds {
    let a = &sandbox["accounts"][name];
    Creds {
        sid: AccountSid::parse(a["sid"].as_str().unwrap()).unwrap(),
        token: a["auth_token"].as_str().unwrap().to_owned(),
    }
}

fn sandbox_path(sandbox: &Value, rest: &str) -> String {
    format!(
        "/switchboard/v1/Sandboxes/{}/{rest}",
        sandbox["sid"].as_str().unwrap()
    )
}

async fn add_fault(s: &TestServer, c: &Creds, sb: &Value, form: &[(&str, &str)]) -> Value {
    let (status, rule) = s.post(c, &sandbox_path(sb, "Faults.json"), form).await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    rule
}

async fn numbers_of(s: &TestServer, c: &Creds) -> usize {
    let (status, list) = s
        .get(c, &format!("{}/IncomingPhoneNumbers.json", base(c)))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["incoming_phone_numbers"].as_array().unwrap().len()
}

async fn try_buy(s: &TestServer, c: &Creds) -> (StatusCode, Value) {
    s.post(
        c,
        &format!("{}/IncomingPhoneNumbers.json", base(c)),
        &[("AreaCode", "212")],
    )
    .await
}

server_test!(
    the_consent_page_keeps_a_sandbox_app_from_other_worlds,
    settings = sandbox_instant,
    |s| {
        let a = sandbox(&s).await;
        let app = a["connect_apps"]["analytics"]["sid"].as_str().unwrap();
        // A customer of the default world, signed in to the console, follows
        // the sandbox app's Connect link.
        let mut outsider = crate::connect::customer(&s, true).await;
        let answer =
            crate::connect::decide(&mut outsider.browser, app, Some("s1"), "authorize").await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
        let grants =
            s.sb.grants_of(&outsider.account, &PageAt::First, 10)
                .await
                .unwrap();
        assert!(grants.items.is_empty(), "nothing is granted");
    }
);

server_test!(
    a_faulted_request_keeps_its_connection_for_the_next_one,
    settings = sandbox_instant,
    |s| {
        use tokio::io::AsyncWriteExt;
        let a = sandbox(&s).await;
        let owner = creds_of(&a, "owner");
        add_fault(
            &s,
            &owner,
            &a,
            &[
                ("Method", "POST"),
                ("Path", "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json"),
                ("Status", "503"),
                ("Code", "20503"),
            ],
        )
        .await;
        let auth = crate::support::basic(owner.sid.as_str(), &owner.token);
        let body = "AreaCode=212&FriendlyName=kept";
        let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        // The head first and the body a moment later: an answer that does
        // not wait for the body leaves it unread, and the connection with it.
        let head = format!(
            "POST {}/IncomingPhoneNumbers.json HTTP/1.1\r\nHost: switchboard\r\n\
             Authorization: {auth}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n",
            base(&owner),
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        stream.write_all(body.as_bytes()).await.unwrap();
        let faulted = crate::connections::read_answer(&mut stream).await;
        assert!(faulted.starts_with("HTTP/1.1 503"), "{faulted}");
        let next = format!(
            "GET {}/IncomingPhoneNumbers.json HTTP/1.1\r\nHost: switchboard\r\n\
             Authorization: {auth}\r\n\r\n",
            base(&owner)
        );
        stream.write_all(next.as_bytes()).await.unwrap();
        let answered = crate::connections::read_answer(&mut stream).await;
        assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    }
);

server_test!(
    faults_fail_matching_requests_of_their_sandbox_only_and_write_nothing,
    settings = sandbox_instant,
    |s| {
        let a = sandbox(&s).await;
        let b = sandbox(&s).await;
        let (owner, bob) = (creds_of(&a, "owner"), creds_of(&a, "bob"));
        let rule = add_fault(
            &s,
            &owner,
            &a,
            &[
                ("Method", "POST"),
                ("Path", "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json"),
                ("Status", "503"),
                ("Code", "20503"),
                ("Message", "Numbers are down <b>today</b>"),
                ("Count", "2"),
            ],
        )
        .await;
        assert!(rule["sid"].as_str().unwrap().starts_with("FR"), "{rule}");
        assert_eq!(rule["remaining"], 2);
        assert_eq!(rule["status"], 503);
        let (_, listed) = s.get(&bob, &sandbox_path(&a, "Faults.json")).await;
        assert_eq!(listed["faults"][0]["sid"], rule["sid"], "{listed}");

        // Twice: Twilio's error shape, and nothing bought.
        for _ in 0..2 {
            let (status, body) = try_buy(&s, &bob).await;
            assert_twilio_error(status, &body, 503, 20503);
            assert_eq!(body["message"], "Numbers are down <b>today</b>");
        }
        assert_eq!(numbers_of(&s, &bob).await, 0, "nothing was written");
        // Spent: the third goes through, and the rule is listed no more.
        let (status, body) = try_buy(&s, &bob).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, listed) = s.get(&owner, &sandbox_path(&a, "Faults.json")).await;
        assert_eq!(listed["faults"].as_array().unwrap().len(), 0, "{listed}");

        // Another method or path does not match.
        add_fault(
            &s,
            &owner,
            &a,
            &[
                ("Method", "POST"),
                ("Path", "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json"),
                ("Status", "500"),
                ("Code", "20500"),
                ("Count", "100"),
            ],
        )
        .await;
        assert_eq!(numbers_of(&s, &bob).await, 1, "a GET does not match");
        let (status, _) = s.get(&bob, &format!("{}.json", base(&bob))).await;
        assert_eq!(status, StatusCode::OK);
        // Every account of the sandbox meets it, subaccounts and Connect
        // Apps acting in its dedicated subaccounts included.
        let (status, sub) = s
            .post(
                &bob,
                "/2010-04-01/Accounts.json",
                &[("FriendlyName", "sub")],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sub}");
        let sub = Creds {
            sid: AccountSid::parse(sub["sid"].as_str().unwrap()).unwrap(),
            token: sub["auth_token"].as_str().unwrap().to_owned(),
        };
        let dedicated = a["authorizations"][0]["account_sid"].as_str().unwrap();
        let as_app = Creds {
            sid: AccountSid::parse(dedicated).unwrap(),
            token: owner.token.clone(),
        };
        for c in [&owner, &bob, &sub, &as_app] {
            let (status, body) = try_buy(&s, c).await;
            assert_twilio_error(status, &body, 500, 20500);
        }
        // The other sandbox, made from the same seed, and the default world:
        // untouched.
        for c in [
            &creds_of(&b, "bob"),
            &s.main_account(AccountType::Full).await,
        ] {
            let (status, body) = try_buy(&s, c).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        // Wrong credentials meet no rule: they are refused as always.
        let wrong = Creds {
            sid: bob.sid.clone(),
            token: "not-the-token".into(),
        };
        let (status, body) = try_buy(&s, &wrong).await;
        assert_twilio_error(status, &body, 401, 20003);

        // Cleared: everything goes through again.
        let (status, _) = s
            .call(
                Some(&bob),
                Method::DELETE,
                &sandbox_path(&a, "Faults.json"),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body) = try_buy(&s, &bob).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
);

server_test!(
    faults_delay_with_or_without_an_error,
    settings = sandbox_instant,
    |s| {
        let a = sandbox(&s).await;
        let bob = creds_of(&a, "bob");
        let account = format!("{}.json", base(&bob));
        add_fault(
            &s,
            &bob,
            &a,
            &[
                ("Method", "GET"),
                ("Path", "/2010-04-01/Accounts/*.json"),
                ("DelayMs", "300"),
            ],
        )
        .await;
        let started = std::time::Instant::now();
        let (status, body) = s.get(&bob, &account).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "a delay alone lets it through: {body}"
        );
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
        add_fault(
            &s,
            &bob,
            &a,
            &[
                ("Method", "*"),
                ("Path", "/2010-04-01/Accounts/*.json"),
                ("Status", "429"),
                ("Code", "20429"),
                ("DelayMs", "200"),
            ],
        )
        .await;
        let started = std::time::Instant::now();
        let (status, body) = s.get(&bob, &account).await;
        assert_twilio_error(status, &body, 429, 20429);
        assert!(started.elapsed() >= Duration::from_millis(200));
        let (status, _) = s.get(&bob, &account).await;
        assert_eq!(status, StatusCode::OK);
    }
);

server_test!(
    bad_fault_requests_are_clear_4xx,
    settings = sandbox_instant,
    |s| {
        let a = sandbox(&s).await;
        let b = sandbox(&s).await;
        let bob = creds_of(&a, "bob");
        let path = sandbox_path(&a, "Faults.json");
        let ok = [
            ("Method", "POST"),
            ("Path", "/2010-04-01/Accounts/*/Messages.json"),
            ("Status", "500"),
            ("Code", "20500"),
        ];
        for (drop, replace) in [
            (Some("Method"), None),
            (Some("Path"), None),
            (None, Some(("Method", "FETCH"))),
            (None, Some(("Path", "no-slash"))),
            (None, Some(("Path", "/a?b=c"))),
            (None, Some(("Status", "200"))),
            (None, Some(("Status", "five hundred"))),
            (Some("Code"), None),
            (None, Some(("Code", "7"))),
            (None, Some(("Count", "0"))),
            (None, Some(("DelayMs", "-5"))),
            (None, Some(("DelayMs", "600000"))),
        ] {
            let mut form: Vec<(&str, &str)> = ok
                .iter()
                .filter(|(k, _)| Some(*k) != drop && Some(*k) != replace.map(|r| r.0))
                .copied()
                .collect();
            form.extend(replace);
            let (status, body) = s.post(&bob, &path, &form).await;
            assert_twilio_error(status, &body, 400, 20001);
        }
        let (_, listed) = s.get(&bob, &path).await;
        assert_eq!(listed["faults"].as_array().unwrap().len(), 0, "{listed}");
        // Another sandbox's credentials, nobody's, and wrong methods.
        let (status, _) = s.post(&creds_of(&b, "bob"), &path, &ok).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{status}"
        );
        let (status, body) = s.call(None, Method::POST, &path, &ok).await;
        assert_twilio_error(status, &body, 401, 20003);
        let (status, body) = s.call(Some(&bob), Method::PUT, &path, &[]).await;
        assert_twilio_error(status, &body, 405, 20004);
    }
);

server_test!(sandbox_controls_are_not_found_outside_sandbox_mode, |s| {
    let c = s.main_account(AccountType::Full).await;
    let sandbox = format!("SB{}", "0".repeat(32));
    let routes = [
        (
            "Faults.json",
            &[Method::GET, Method::POST, Method::DELETE][..],
        ),
        ("Authorizations.json", &[Method::POST][..]),
    ];
    for (rest, methods) in routes {
        let path = format!("/switchboard/v1/Sandboxes/{sandbox}/{rest}");
        for method in methods.iter().cloned() {
            let (status, body) = s.call(Some(&c), method, &path, &[]).await;
            assert_twilio_error(status, &body, 404, 20404);
        }
    }
});

// ---------------------------------------------------------------------------
// Headless consent.

async fn consent(
    s: &TestServer,
    c: &Creds,
    sb: &Value,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    s.post(c, &sandbox_path(sb, "Authorizations.json"), form)
        .await
}

async fn decide(
    s: &TestServer,
    c: &Creds,
    sb: &Value,
    form: Vec<(&'static str, String)>,
) -> (StatusCode, Value) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    consent(s, c, sb, &pairs).await
}

server_test!(
    headless_consent_is_the_consent_page_without_a_browser,
    settings = sandbox_instant,
    |s| {
        let a = sandbox(&s).await;
        let owner = creds_of(&a, "owner");
        let bob = creds_of(&a, "bob");
        let app = a["connect_apps"]["analytics"]["sid"]
            .as_str()
            .unwrap()
            .to_owned();
        let form = |customer: &Creds, decision: &'static str| {
            vec![
                ("ConnectAppSid", app.clone()),
                ("Customer", customer.sid.to_string()),
                ("Decision", decision.to_owned()),
                ("State", "s&AccountSid=ACevil 1".to_owned()),
            ]
        };
        let (status, body) = decide(&s, &owner, &a, form(&bob, "authorize")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let url = url::Url::parse(body["redirect_url"].as_str().unwrap()).unwrap();
        assert_eq!(url.host_str(), Some("app.example.test"));
        assert_eq!(url.path(), "/twilio/authorize");
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| {
            q.iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("tenant"), ["7"]);
        assert_eq!(get("state"), ["s&AccountSid=ACevil 1"]);
        let sub = body["account_sid"].as_str().unwrap().to_owned();
        assert_eq!(get("AccountSid"), [sub.as_str()], "{body}");
        let sub = AccountSid::parse(&sub).unwrap();
        assert_eq!(
            s.sb.read_account(&sub).await.unwrap().owner_account_sid,
            bob.sid
        );
        // The app works in the dedicated subaccount at once.
        let as_app = Creds {
            sid: sub.clone(),
            token: owner.token.clone(),
        };
        s.assert_alive(&as_app).await;

        // Again: the same subaccount.
        let (status, again) = decide(&s, &owner, &a, form(&bob, "authorize")).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["account_sid"], sub.as_str());

        // Deny: error=unauthorized_client with the state, no account.
        let (status, denied) = decide(&s, &owner, &a, form(&bob, "deny")).await;
        assert_eq!(status, StatusCode::OK, "{denied}");
        let url = url::Url::parse(denied["redirect_url"].as_str().unwrap()).unwrap();
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(
            q.contains(&("error".into(), "unauthorized_client".into())),
            "{denied}"
        );
        assert!(q.contains(&("state".into(), "s&AccountSid=ACevil 1".into())));
        assert!(!q.iter().any(|(k, _)| k == "AccountSid"), "{denied}");
        assert!(denied["account_sid"].is_null());

        // The same audit events as the page.
        let log = s.sb.log_of(&bob.sid, &PageAt::First, 20).await.unwrap();
        let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions
                .iter()
                .filter(|a| **a == "connect.authorize")
                .count(),
            2,
            "{actions:?}"
        );
        assert_eq!(
            actions.iter().filter(|a| **a == "connect.deny").count(),
            1,
            "{actions:?}"
        );

        // Trial customers are refused, and nothing is granted.
        let carol = creds_of(&a, "carol");
        let (status, body) = decide(&s, &owner, &a, form(&carol, "authorize")).await;
        assert_twilio_error(status, &body, 403, 20403);
        let grants =
            s.sb.grants_of(&carol.sid, &PageAt::First, 10)
                .await
                .unwrap();
        assert!(grants.items.is_empty());

        // Permissions other than what the app asks for now: nothing granted.
        let mut other = form(&bob, "authorize");
        other.push(("Permissions", "get-all".to_owned()));
        let (status, body) = decide(&s, &owner, &a, other).await;
        assert_twilio_error(status, &body, 409, 20409);
        let mut same = form(&bob, "authorize");
        same.push(("Permissions", "get-all".to_owned()));
        same.push(("Permissions", "post-all".to_owned()));
        let (status, body) = decide(&s, &owner, &a, same).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
);

server_test!(
    headless_consent_stays_inside_its_sandbox_and_refuses_bad_requests,
    settings = sandbox_instant,
    |s| {
        let a = sandbox(&s).await;
        let b = sandbox(&s).await;
        let owner = creds_of(&a, "owner");
        let bob = creds_of(&a, "bob");
        let app = a["connect_apps"]["analytics"]["sid"].as_str().unwrap();
        let other_app = b["connect_apps"]["analytics"]["sid"].as_str().unwrap();
        let stranger = s.main_account(AccountType::Full).await;
        let bob_sid = bob.sid.to_string();
        let other_bob = creds_of(&b, "bob").sid.to_string();
        let stranger_sid = stranger.sid.to_string();
        let good = [
            ("ConnectAppSid", app),
            ("Customer", bob_sid.as_str()),
            ("Decision", "authorize"),
        ];
        // Missing or malformed parameters.
        for drop in ["ConnectAppSid", "Customer", "Decision"] {
            let form: Vec<(&str, &str)> =
                good.iter().filter(|(k, _)| *k != drop).copied().collect();
            let (status, body) = consent(&s, &owner, &a, &form).await;
            assert_twilio_error(status, &body, 400, 20001);
        }
        let long_state = "x".repeat(2049);
        for (k, v) in [
            ("ConnectAppSid", "CNnope"),
            ("Customer", "ACnope"),
            ("Decision", "maybe"),
            ("Permissions", "read-all"),
            ("State", long_state.as_str()),
        ] {
            let mut form: Vec<(&str, &str)> =
                good.iter().filter(|(n, _)| *n != k).copied().collect();
            form.push((k, v));
            let (status, body) = consent(&s, &owner, &a, &form).await;
            assert_twilio_error(status, &body, 400, 20001);
        }
        // The app and the customer must both be of this sandbox.
        for (app, customer) in [
            (other_app, bob_sid.as_str()),
            (app, other_bob.as_str()),
            (app, stranger_sid.as_str()),
        ] {
            let form = [
                ("ConnectAppSid", app),
                ("Customer", customer),
                ("Decision", "authorize"),
            ];
            let (status, body) = consent(&s, &owner, &a, &form).await;
            assert_twilio_error(status, &body, 404, 20404);
        }
        // A subaccount is no customer.
        let dedicated = a["authorizations"][0]["account_sid"].as_str().unwrap();
        let form = [
            ("ConnectAppSid", app),
            ("Customer", dedicated),
            ("Decision", "authorize"),
        ];
        let (status, body) = consent(&s, &owner, &a, &form).await;
        assert_twilio_error(status, &body, 404, 20404);
        // Other credentials: another sandbox's, a stranger's, nobody's.
        let (status, _) = consent(&s, &creds_of(&b, "owner"), &a, &good).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{status}"
        );
        let (status, _) = consent(&s, &stranger, &a, &good).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{status}"
        );
        let (status, body) = s
            .call(
                None,
                Method::POST,
                &sandbox_path(&a, "Authorizations.json"),
                &good,
            )
            .await;
        assert_twilio_error(status, &body, 401, 20003);
        // Nothing was granted by any of it.
        let grants = s.sb.grants_of(&bob.sid, &PageAt::First, 10).await.unwrap();
        assert!(grants.items.is_empty());
    }
);
