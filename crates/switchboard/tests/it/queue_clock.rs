//! Queues on a running clock (ten times real time): a caller who joins a
//! queue a `<Dial><Queue>` already waits on is bridged at once.

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::queues::{MEMBERS, sid};
use crate::receiver::{Received, Receiver};
use crate::server_test;
use crate::support::{Creds, TestServer, base};
use crate::telephony::buy;
use crate::voice_calls::{ended, place, requests_to, ten_times_faster};

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
