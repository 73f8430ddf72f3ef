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
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error};
use crate::telephony::buy;

fn base(c: &Creds) -> String {
    format!("/2010-04-01/Accounts/{}", c.sid)
}

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
