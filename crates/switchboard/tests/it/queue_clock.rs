//! Queues on a timed clock: a caller who joins a queue a `<Dial><Queue>`
//! already waits on is bridged at once (ten times real time); a wait
//! document that takes time is requested again while its caller waits, one
//! that takes none is not (played by advancing a sandbox's clock, so nothing
//! depends on how fast the machine is).

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard_domain::Settings;
use switchboard_types::AccountType;

use crate::queues::{MEMBERS, sid};
use crate::receiver::{Received, Receiver};
use crate::sandbox::{created, creds, path};
use crate::server_test;
use crate::support::{Creds, TestServer, base};
use crate::telephony::buy;
use crate::voice_calls::{ended, place, requests_to, ten_times_faster};

/// Sandbox mode on a clock ten times slower than the dates (a simulated
/// second takes ten on the sandbox's clock): nothing moves on by itself
/// while a test runs, only through an advance.
fn slow_sandbox(settings: &mut Settings) {
    settings.sandbox = true;
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(0.1);
    settings.callbacks.retry_base = std::time::Duration::from_secs(600);
}

async fn advance(s: &TestServer, c: &Creds, sandbox: &Value, by: &str) {
    let (status, clock) = s
        .post(c, &path(sandbox, "/Clock.json"), &[("Advance", by)])
        .await;
    assert_eq!(status, StatusCode::OK, "{clock}");
}

/// The sandbox's recorded webhooks of `kind` about `call`, oldest first.
async fn webhooks(
    s: &TestServer,
    c: &Creds,
    sandbox: &Value,
    kind: &str,
    call: &str,
) -> Vec<Value> {
    let (status, page) = s
        .get(
            c,
            &path(
                sandbox,
                &format!("/Webhooks.json?PageSize=100&Kind={kind}&RelatedSid={call}"),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["webhooks"].as_array().unwrap().clone()
}

/// Seconds since the epoch of an RFC 2822 date.
fn secs(date: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc2822(date.as_str().unwrap_or_else(|| panic!("{date}")))
        .unwrap()
        .timestamp()
}

async fn fetch(s: &TestServer, c: &Creds, call: &Value) -> Value {
    let (status, body) = s.get(c, call["uri"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn about<'a>(got: &'a [Received], path: &str, call: &str) -> Vec<&'a Received> {
    got.iter()
        .filter(|r| {
            r.path_and_query.split('?').next() == Some(path)
                && r.param("CallSid").as_deref() == Some(call)
        })
        .collect()
}

async fn queue_named(s: &TestServer, c: &Creds, name: &str) -> Value {
    let (status, page) = s.get(c, &format!("{}/Queues.json", base(c))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["friendly_name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no queue {name}: {page}"))
}

async fn members(s: &TestServer, c: &Creds, queue: &str) -> Vec<Value> {
    let path = format!("{}/Queues/{queue}/Members.json", base(c));
    let (status, page) =
        crate::openapi::call(s, c, reqwest::Method::GET, &path, MEMBERS, &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["queue_members"].as_array().unwrap().clone()
}

server_test!(
    a_caller_who_joins_a_queue_a_dial_waits_on_is_bridged_at_once,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        // The agent waits up to sixty simulated seconds (six real ones) for
        // a caller, and talks at most five.
        receiver.answer_twiml(
            "/agent",
            "<Response><Dial action=\"/dialed\" timeout=\"60\" timeLimit=\"5\">\
             <Queue>desk</Queue></Dial></Response>",
        );
        receiver.answer_twiml("/dialed", "<Response><Hangup/></Response>");
        receiver.answer_twiml(
            "/caller",
            "<Response><Enqueue action=\"/after\" waitUrl=\"/wait\">desk</Enqueue></Response>",
        );
        receiver.answer_twiml("/wait", "<Response><Say>Please hold</Say></Response>");
        receiver.answer_twiml("/after", "<Response><Hangup/></Response>");
        let bob = s.main_account(AccountType::Full).await;
        let from = buy(&s, &bob, "415").await;
        crate::queues::create(&s, &bob, &[("FriendlyName", "desk")]).await;

        // The agent answers and its <Dial> waits on the empty queue.
        let agent = place(&s, &bob, &from, &[("Url", &receiver.url("/agent"))]).await;
        let agent_ca = sid(&agent);
        requests_to(&receiver, "/agent", 1).await;
        // Its answer is read at once; the <Dial> then waits six seconds.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(fetch(&s, &bob, &agent).await["status"], "in-progress");
        assert!(about(&receiver.received(), "/dialed", &agent_ca).is_empty());

        // A caller joins: bridged at once, without waiting or a whisper.
        let caller = place(&s, &bob, &from, &[("Url", &receiver.url("/caller"))]).await;
        let ca = sid(&caller);
        requests_to(&receiver, "/after", 1).await;
        requests_to(&receiver, "/dialed", 1).await;
        let got = receiver.received();
        let dialed = about(&got, "/dialed", &agent_ca);
        assert_eq!(dialed.len(), 1, "{got:?}");
        assert_eq!(
            dialed[0].param("DialCallStatus").as_deref(),
            Some("completed")
        );
        assert_eq!(dialed[0].param("DialCallSid").as_deref(), Some(ca.as_str()));
        let talked: i64 = dialed[0]
            .param("DialCallDuration")
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=5).contains(&talked), "{:?}", dialed[0]);
        let after = about(&got, "/after", &ca);
        assert_eq!(after.len(), 1, "{got:?}");
        assert_eq!(after[0].param("QueueResult").as_deref(), Some("bridged"));
        let qu = sid(&queue_named(&s, &bob, "desk").await);
        assert_eq!(after[0].param("QueueSid").as_deref(), Some(qu.as_str()));
        assert_eq!(after[0].param("QueueTime").as_deref(), Some("0"));
        // It never waited: no wait document was requested.
        assert!(about(&got, "/wait", &ca).is_empty(), "{got:?}");
        assert!(members(&s, &bob, &qu).await.is_empty());
        for call in [&agent, &caller] {
            let done = ended(&s, &bob, call).await;
            assert_eq!(done["status"], "completed", "{done}");
        }
    }
);

server_test!(
    a_wait_document_that_takes_time_is_requested_again_while_the_caller_waits,
    settings = slow_sandbox,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
            "/caller",
            "<Response><Enqueue waitUrl=\"/wait\">line</Enqueue></Response>",
        );
        // Three simulated seconds: thirty on the sandbox's clock.
        receiver.answer_twiml("/wait", "<Response><Pause length=\"3\"/></Response>");
        receiver.answer_twiml(
            "/quiet",
            "<Response><Enqueue waitUrl=\"/nothing\">hush</Enqueue></Response>",
        );
        receiver.answer_twiml("/nothing", "<Response/>");
        let sandbox = created(&s, &json!({"accounts": {"bob": {"type": "Full"}}})).await;
        let bob = creds(&sandbox["accounts"]["bob"]);
        let from = buy(&s, &bob, "415").await;
        let caller = place(&s, &bob, &from, &[("Url", &receiver.url("/caller"))]).await;
        let ca = sid(&caller);
        let quiet = place(&s, &bob, &from, &[("Url", &receiver.url("/quiet"))]).await;
        let quiet_ca = sid(&quiet);

        // Answered within seventy seconds of the clock (queued for one
        // simulated second, ringing two to six), then in the queue.
        advance(&s, &bob, &sandbox, "2m").await;
        requests_to(&receiver, "/nothing", 1).await;
        let first = webhooks(&s, &bob, &sandbox, "queue-wait", &ca).await;
        assert!(!first.is_empty(), "no wait document yet");
        advance(&s, &bob, &sandbox, "3m").await;

        // Requested again each time the last one's pause was over.
        let hooks = webhooks(&s, &bob, &sandbox, "queue-wait", &ca).await;
        assert!(
            hooks.len() >= first.len() + 5,
            "three minutes of thirty-second documents: {hooks:?}"
        );
        for pair in hooks.windows(2) {
            let apart = secs(&pair[1]["date_created"]) - secs(&pair[0]["date_created"]);
            assert!((29..=31).contains(&apart), "{apart} s apart: {pair:?}");
        }
        for h in &hooks {
            assert_eq!(h["status"], 200, "{h}");
            assert_eq!(h["attempt"], 1, "{h}");
        }
        // Each tells the caller where it is, three simulated seconds on.
        let got = receiver.received();
        let asked = about(&got, "/wait", &ca);
        assert_eq!(asked.len(), hooks.len(), "{asked:?}");
        let qu = sid(&queue_named(&s, &bob, "line").await);
        for (i, r) in asked.iter().enumerate() {
            assert_eq!(r.param("QueueSid").as_deref(), Some(qu.as_str()), "{r:?}");
            assert_eq!(r.param("QueuePosition").as_deref(), Some("1"), "{r:?}");
            assert_eq!(r.param("CurrentQueueSize").as_deref(), Some("1"), "{r:?}");
            let waited: i64 = r.param("QueueTime").unwrap().parse().unwrap();
            assert!(
                (3 * i as i64 - 1..=3 * i as i64 + 1).contains(&waited),
                "request {i} after {waited} s: {r:?}"
            );
        }
        // Still waiting, still in progress.
        let listed = members(&s, &bob, &qu).await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["call_sid"], ca.as_str());
        assert_eq!(fetch(&s, &bob, &caller).await["status"], "in-progress");

        // A wait document that took no time is not requested again: the
        // caller waits in silence.
        assert_eq!(about(&got, "/nothing", &quiet_ca).len(), 1, "{got:?}");
        assert_eq!(
            webhooks(&s, &bob, &sandbox, "queue-wait", &quiet_ca)
                .await
                .len(),
            1
        );
        let hush = sid(&queue_named(&s, &bob, "hush").await);
        assert_eq!(members(&s, &bob, &hush).await.len(), 1);
        assert_eq!(fetch(&s, &bob, &quiet).await["status"], "in-progress");

        // Hung up, the caller is out and nothing more is requested.
        for call in [&caller, &quiet] {
            let (status, body) = s
                .post(
                    &bob,
                    call["uri"].as_str().unwrap(),
                    &[("Status", "completed")],
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let before = webhooks(&s, &bob, &sandbox, "queue-wait", &ca).await.len();
        advance(&s, &bob, &sandbox, "2m").await;
        assert_eq!(
            webhooks(&s, &bob, &sandbox, "queue-wait", &ca).await.len(),
            before
        );
        assert!(members(&s, &bob, &qu).await.is_empty());
    }
);
