//! A sandbox's own clock over real HTTP, on both databases (issue 22,
//! "Clock"): reading it, advancing it through what falls due (a call's and a
//! message's steps with their callbacks, a failed webhook's retry, a
//! number's monthly rent), usage dates on the sandbox's clock, isolation
//! from another sandbox of the same seed, reset, bad values, and the route
//! being absent outside sandbox mode.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_domain::Settings;
use switchboard_types::{AccountSid, AccountType, Timestamp};

use crate::receiver::Receiver;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};

/// Sandbox mode on a clock ten times slower than the dates (a simulated
/// second takes ten), with retries after ten minutes: nothing placed moves
/// on, and nothing failed is retried, by itself while a test runs.
fn slow_sandbox(settings: &mut Settings) {
    settings.sandbox = true;
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(0.1);
    settings.callbacks.retry_base = std::time::Duration::from_secs(600);
}

/// Sandbox mode on the `instant` clock (`switchboard sandbox`'s).
fn instant_sandbox(settings: &mut Settings) {
    settings.sandbox = true;
}

const NUMBER: &str = "+14155550100";
/// Answers after 2–6 s and talks 30–299 s, like every plain number.
const CALLEE: &str = "+14155550123";

fn seed() -> Value {
    json!({"accounts": {
        "bob": {"type": "Full", "balance": "20.00",
                "phone_numbers": [{"phone_number": NUMBER}]},
        "eve": {"type": "Full"}}})
}

async fn create(s: &TestServer) -> Value {
    let resp = s
        .http
        .post(s.url("/switchboard/v1/Sandboxes.json"))
        .header("Content-Type", "application/json")
        .body(seed().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    resp.json().await.unwrap()
}

fn creds(sandbox: &Value, name: &str) -> Creds {
    let a = &sandbox["accounts"][name];
    Creds {
        sid: AccountSid::parse(a["sid"].as_str().unwrap()).unwrap(),
        token: a["auth_token"].as_str().unwrap().to_owned(),
    }
}

fn clock_path(sandbox: &Value) -> String {
    format!(
        "/switchboard/v1/Sandboxes/{}/Clock.json",
        sandbox["sid"].as_str().unwrap()
    )
}

/// Seconds since the epoch of an RFC 2822 date.
fn secs(date: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc2822(date.as_str().unwrap_or_else(|| panic!("{date}")))
        .unwrap()
        .timestamp()
}

fn real_now() -> i64 {
    Timestamp::now().micros() / 1_000_000
}

async fn advance(s: &TestServer, c: &Creds, sandbox: &Value, by: &str) -> Value {
    let (status, clock) = s.post(c, &clock_path(sandbox), &[("Advance", by)]).await;
    assert_eq!(status, StatusCode::OK, "{clock}");
    clock
}

async fn read_clock(s: &TestServer, c: &Creds, sandbox: &Value) -> Value {
    let (status, clock) = s.get(c, &clock_path(sandbox)).await;
    assert_eq!(status, StatusCode::OK, "{clock}");
    clock
}

async fn place_call(s: &TestServer, c: &Creds, callback: &str) -> Value {
    let (status, call) = s
        .post(
            c,
            &format!("{}/Calls.json", base(c)),
            &[
                ("To", CALLEE),
                ("From", NUMBER),
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
    call
}

async fn send_message(s: &TestServer, c: &Creds, callback: &str) -> Value {
    let (status, m) = s
        .post(
            c,
            &format!("{}/Messages.json", base(c)),
            &[
                ("To", CALLEE),
                ("From", NUMBER),
                ("Body", "hello"),
                ("StatusCallback", callback),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    m
}

async fn fetch(s: &TestServer, c: &Creds, resource: &Value) -> Value {
    let (status, body) = s.get(c, resource["uri"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn webhooks(s: &TestServer, c: &Creds, sandbox: &Value, query: &str) -> Vec<Value> {
    let path = format!(
        "/switchboard/v1/Sandboxes/{}/Webhooks.json?PageSize=100&{query}",
        sandbox["sid"].as_str().unwrap()
    );
    let (status, page) = s.get(c, &path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["webhooks"].as_array().unwrap().clone()
}

async fn usage(s: &TestServer, c: &Creds, list: &str, category: &str) -> Value {
    let (status, body) = s
        .get(
            c,
            &format!("{}/Usage/Records/{list}.json?Category={category}", base(c)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["usage_records"][0].clone()
}

fn day_of(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

server_test!(
    an_advance_plays_a_call_and_a_message_out_on_the_sandboxs_clock,
    settings = slow_sandbox,
    |s| {
        let receiver = Receiver::start().await;
        let sandbox = create(&s).await;
        let bob = creds(&sandbox, "bob");

        let clock = read_clock(&s, &bob, &sandbox).await;
        assert_eq!(clock["offset"], 0, "{clock}");
        assert_eq!(clock["played"], 0, "{clock}");
        assert_eq!(clock["sandbox_sid"], sandbox["sid"]);
        assert!((secs(&clock["now"]) - real_now()).abs() <= 2, "{clock}");

        let call = place_call(&s, &bob, &receiver.url("/call")).await;
        let message = send_message(&s, &bob, &receiver.url("/message")).await;
        let placed = secs(&call["date_created"]);

        let clock = advance(&s, &bob, &sandbox, "1h").await;
        let now = secs(&clock["now"]);
        assert!((now - real_now() - 3600).abs() <= 2, "{clock}");
        assert!(
            (clock["offset"].as_i64().unwrap() - 3600).abs() <= 1,
            "{clock}"
        );
        assert!(clock["played"].as_u64().unwrap() >= 6, "{clock}");

        // Queued, ringing, answered and hung up, all inside the hour: a
        // simulated second is ten on this clock.
        let call = fetch(&s, &bob, &call).await;
        assert_eq!(call["status"], "completed", "{call}");
        let talked: i64 = call["duration"].as_str().unwrap().parse().unwrap();
        assert!((30..300).contains(&talked), "{call}");
        let (start, end) = (secs(&call["start_time"]), secs(&call["end_time"]));
        assert!(start >= placed + 10, "queued for ten seconds: {call}");
        assert!(end - start >= 10 * (2 + talked) - 1, "{call}");
        assert!(end <= now, "{call}");
        assert_eq!(secs(&call["date_updated"]), end);

        let message = fetch(&s, &bob, &message).await;
        assert_eq!(message["status"], "delivered", "{message}");
        assert!(secs(&message["date_sent"]) >= placed + 20, "{message}");
        assert!(secs(&message["date_updated"]) >= placed + 40, "{message}");

        // Every callback was sent during the advance, when it happened.
        let hooks = webhooks(&s, &bob, &sandbox, "Kind=call-status").await;
        let statuses: Vec<&str> = hooks
            .iter()
            .map(|h| h["parameters"]["CallStatus"].as_str().unwrap())
            .collect();
        assert_eq!(
            statuses,
            ["initiated", "ringing", "in-progress", "completed"],
            "{hooks:?}"
        );
        for h in &hooks {
            assert_eq!(h["status"], 200, "{h}");
        }
        let completed = &hooks[3];
        // Sent as it happened (the attempt a moment after the step).
        assert!(
            (secs(&completed["date_created"]) - end).abs() <= 1,
            "{completed}"
        );
        assert_eq!(
            secs(&json!(completed["parameters"]["Timestamp"])),
            end,
            "{completed}"
        );
        assert!(secs(&hooks[1]["date_created"]) >= placed + 10);
        let hooks = webhooks(&s, &bob, &sandbox, "Kind=message-status").await;
        let statuses: Vec<&str> = hooks
            .iter()
            .map(|h| h["parameters"]["MessageStatus"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["sent", "delivered"], "{hooks:?}");
        assert!(secs(&hooks[1]["date_created"]) >= placed + 40, "{hooks:?}");
        let got = receiver.received();
        assert_eq!(got.len(), 6, "the receiver got each callback once");

        // Usage is filed under the sandbox's days: two days on, today is
        // the sandbox's, and the call is the day before yesterday's.
        let clock = advance(&s, &bob, &sandbox, "2d").await;
        let today = usage(&s, &bob, "Today", "calls").await;
        assert_eq!(today["start_date"], day_of(secs(&clock["now"])), "{today}");
        assert_ne!(today["start_date"], day_of(real_now()), "{today}");
        assert_eq!(today["count"], "0", "{today}");
        let all = usage(&s, &bob, "AllTime", "calls").await;
        assert_eq!(all["count"], "1", "{all}");
        assert_eq!(all["end_date"], today["start_date"], "{all}");
        // What is made now is dated on the sandbox's clock too.
        let later = send_message(&s, &bob, &receiver.url("/later")).await;
        assert!(
            (secs(&later["date_created"]) - secs(&clock["now"])).abs() <= 2,
            "{later}"
        );
    }
);

server_test!(
    a_failed_webhooks_retry_falls_due_on_an_advance,
    settings = slow_sandbox,
    |s| {
        let receiver = Receiver::start().await;
        let sandbox = create(&s).await;
        let bob = creds(&sandbox, "bob");
        // The first callback (`sent`) fails; its retry is due five to seven
        // minutes later on the sandbox's clock.
        receiver.answer_with(&[500]);
        let message = send_message(&s, &bob, &receiver.url("/message")).await;
        advance(&s, &bob, &sandbox, "2m").await;
        let sid = message["sid"].as_str().unwrap();
        let hooks = webhooks(&s, &bob, &sandbox, &format!("RelatedSid={sid}")).await;
        let attempts: Vec<(i64, i64)> = hooks
            .iter()
            .map(|h| {
                (
                    h["attempt"].as_i64().unwrap(),
                    h["status"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(attempts, [(1, 500), (1, 200)], "not retried yet: {hooks:?}");

        advance(&s, &bob, &sandbox, "15m").await;
        let hooks = webhooks(&s, &bob, &sandbox, &format!("RelatedSid={sid}")).await;
        let failed = hooks[0]["delivery_sid"].clone();
        let retries: Vec<&Value> = hooks
            .iter()
            .filter(|h| h["delivery_sid"] == failed)
            .collect();
        assert_eq!(retries.len(), 2, "{hooks:?}");
        assert_eq!(retries[1]["attempt"], 2);
        assert_eq!(retries[1]["status"], 200);
        assert_eq!(retries[1]["parameters"]["MessageStatus"], "sent");
        let waited = secs(&retries[1]["date_created"]) - secs(&retries[0]["date_created"]);
        assert!((470..=730).contains(&waited), "retried after {waited} s");
        assert_eq!(
            retries[0]["request_headers"]["I-Twilio-Idempotency-Token"],
            retries[1]["request_headers"]["I-Twilio-Idempotency-Token"]
        );
        assert_eq!(receiver.received().len(), 3);
    }
);

server_test!(
    a_month_on_the_instant_clock_charges_a_numbers_rent,
    settings = instant_sandbox,
    |s| {
        let sandbox = create(&s).await;
        let bob = creds(&sandbox, "bob");
        let rents = |u: &Value| u["count"].as_str().unwrap().parse::<i64>().unwrap();
        let before = rents(&usage(&s, &bob, "AllTime", "phonenumbers").await);
        let (_, balance) = s.get(&bob, &format!("{}/Balance.json", base(&bob))).await;
        advance(&s, &bob, &sandbox, "29d").await;
        assert_eq!(
            rents(&usage(&s, &bob, "AllTime", "phonenumbers").await),
            before
        );
        advance(&s, &bob, &sandbox, "2d").await;
        let month = usage(&s, &bob, "ThisMonth", "phonenumbers").await;
        assert_eq!(
            rents(&usage(&s, &bob, "AllTime", "phonenumbers").await),
            before + 1,
            "{month}"
        );
        let (_, after) = s.get(&bob, &format!("{}/Balance.json", base(&bob))).await;
        let dollars = |b: &Value| b["balance"].as_str().unwrap().parse::<f64>().unwrap();
        assert!(dollars(&after) < dollars(&balance), "{balance} {after}");
        // Sixty days on: two months more.
        advance(&s, &bob, &sandbox, "60d").await;
        assert_eq!(
            rents(&usage(&s, &bob, "AllTime", "phonenumbers").await),
            before + 3
        );
    }
);

server_test!(
    two_sandboxes_of_one_seed_keep_their_own_time,
    settings = slow_sandbox,
    |s| {
        let one = create(&s).await;
        let two = create(&s).await;
        let (bob1, bob2) = (creds(&one, "bob"), creds(&two, "bob"));
        let m1 = send_message(&s, &bob1, "https://app.example.test/one").await;
        let m2 = send_message(&s, &bob2, "https://app.example.test/two").await;
        let began = std::time::Instant::now();
        let clock = advance(&s, &bob1, &one, "3d").await;
        // The clock ends 3 days ahead of where it began: real time spent
        // playing the advance is part of those 3 days, not added to them.
        let took = i64::try_from(began.elapsed().as_secs()).unwrap() + 1;
        let offset = clock["offset"].as_i64().unwrap();
        assert!(
            (3 * 86_400 - took..=3 * 86_400).contains(&offset),
            "{clock} after {took} s"
        );

        assert_eq!(fetch(&s, &bob1, &m1).await["status"], "delivered");
        let m2 = fetch(&s, &bob2, &m2).await;
        assert_eq!(
            m2["status"], "queued",
            "the other sandbox did not move: {m2}"
        );
        let other = read_clock(&s, &bob2, &two).await;
        assert_eq!(other["offset"], 0, "{other}");
        assert!((secs(&other["now"]) - real_now()).abs() <= 2, "{other}");
        let today = usage(&s, &bob2, "Today", "sms").await;
        assert_eq!(today["start_date"], day_of(real_now()), "{today}");
        let today = usage(&s, &bob1, "Today", "sms").await;
        assert_eq!(today["start_date"], day_of(secs(&clock["now"])), "{today}");

        // The default world keeps real time.
        let c = s.main_account(AccountType::Full).await;
        let (_, account) = s.get(&c, &format!("{}.json", base(&c))).await;
        assert!((secs(&account["date_created"]) - real_now()).abs() <= 2);
        let today = usage(&s, &c, "Today", "sms").await;
        assert_eq!(today["start_date"], day_of(real_now()), "{today}");

        // One sandbox's credentials do not reach the other's clock.
        let (status, body) = s.get(&bob1, &clock_path(&two)).await;
        assert_twilio_error(status, &body, 404, 20404);
        let (status, body) = s.post(&bob1, &clock_path(&two), &[("Advance", "1h")]).await;
        assert_twilio_error(status, &body, 404, 20404);
        assert_eq!(read_clock(&s, &bob2, &two).await["offset"], 0);

        // A reset puts the clock back to real time.
        let (status, body) = s
            .post(
                &bob1,
                &format!(
                    "/switchboard/v1/Sandboxes/{}/Reset.json",
                    one["sid"].as_str().unwrap()
                ),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let clock = read_clock(&s, &bob1, &one).await;
        assert_eq!(clock["offset"], 0, "{clock}");
        assert!((secs(&clock["now"]) - real_now()).abs() <= 2, "{clock}");
        let m = send_message(&s, &bob1, "https://app.example.test/one").await;
        assert!((secs(&m["date_created"]) - real_now()).abs() <= 2, "{m}");
    }
);

server_test!(
    bad_advances_are_twilio_400s_and_move_nothing,
    settings = slow_sandbox,
    |s| {
        let sandbox = create(&s).await;
        let bob = creds(&sandbox, "bob");
        let path = clock_path(&sandbox);
        for bad in [
            "",
            "soon",
            "-1h",
            "1.5h",
            "2w",
            "1h30",
            "99999999999999999999",
            "4000d",
        ] {
            let (status, body) = s.post(&bob, &path, &[("Advance", bad)]).await;
            assert_twilio_error(status, &body, 400, 20001);
            assert!(
                body["message"].as_str().unwrap().contains("Advance"),
                "{bad}: {body}"
            );
        }
        let (status, body) = s.post(&bob, &path, &[]).await;
        assert_twilio_error(status, &body, 400, 20001);
        assert_eq!(read_clock(&s, &bob, &sandbox).await["offset"], 0);
        // Strangers are told to authenticate; a sandbox that is not there
        // is not found.
        let (status, body) = s.call(None, Method::GET, &path, &[]).await;
        assert_twilio_error(status, &body, 401, 20003);
        let missing = "/switchboard/v1/Sandboxes/SB0123456789abcdef0123456789abcdef/Clock.json";
        let (status, body) = s.get(&bob, missing).await;
        assert_twilio_error(status, &body, 404, 20404);
        // Plain seconds work, and without `.json` too.
        let (status, clock) = s
            .post(&bob, path.trim_end_matches(".json"), &[("Advance", "90")])
            .await;
        assert_eq!(status, StatusCode::OK, "{clock}");
        assert_eq!(clock["offset"], 90, "{clock}");
    }
);

server_test!(the_clock_is_not_found_outside_sandbox_mode, |s| {
    let c = s.main_account(AccountType::Full).await;
    let path = "/switchboard/v1/Sandboxes/SB0123456789abcdef0123456789abcdef/Clock.json";
    for who in [None, Some(&c)] {
        for (method, form) in [
            (Method::GET, &[][..]),
            (Method::POST, &[("Advance", "1h")][..]),
        ] {
            let (status, body) = s.call(who, method, path, form).await;
            assert_twilio_error(status, &body, 404, 20404);
        }
    }
});

server_test!(
    the_consoles_usage_page_ends_on_the_sandbox_clocks_today,
    settings = instant_sandbox,
    |s| {
        let sandbox = {
            let resp = s
                .http
                .post(s.url("/switchboard/v1/Sandboxes.json"))
                .header("Content-Type", "application/json")
                .body(
                    json!({"accounts": {"bob": {"type": "Full",
                        "email": "bob@example.test", "password": "correct horse battery"}}})
                    .to_string(),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::CREATED);
            resp.json::<Value>().await.unwrap()
        };
        let bob = creds(&sandbox, "bob");
        let clock = advance(&s, &bob, &sandbox, "40d").await;
        let today = chrono::DateTime::parse_from_rfc2822(clock["now"].as_str().unwrap())
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        let real_today = Timestamp::now()
            .to_datetime()
            .format("%Y-%m-%d")
            .to_string();
        let mut browser = crate::browser::Browser::new(&s);
        browser
            .sign_in("bob@example.test", "correct horse battery", "/console")
            .await;
        let page = browser.get("/console/usage").await;
        assert!(
            page.body.contains(&format!("to {today} (UTC)")),
            "the window ends on the sandbox's {today}, not the real {real_today}: {}",
            page.body
        );
    }
);
