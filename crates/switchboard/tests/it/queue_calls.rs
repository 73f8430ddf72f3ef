//! Queues in the call engine over real HTTP, on the instant clock: callers
//! `<Enqueue>`d (their wait documents requested from a loopback receiver),
//! listed as Members, one bridged to an agent's `<Dial><Queue>`, one
//! redirected by a Members update, one hung up, a full queue and `<Leave>`.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use switchboard_types::AccountType;

use crate::openapi::call;
use crate::queues::{MEMBER, MEMBERS, create, sid};
use crate::receiver::{Received, Receiver};
use crate::sandbox::{created, creds, path, sandbox_mode};
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};
use crate::telephony::buy;
use crate::voice_calls::{ended, place, requests_to};

/// The queue's members, front first, once there are `n`.
async fn members(s: &TestServer, c: &Creds, queue: &str, n: usize) -> Vec<Value> {
    let path = format!("{}/Queues/{queue}/Members.json", base(c));
    for _ in 0..400 {
        let (status, page) = call(s, c, Method::GET, &path, MEMBERS, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let found = page["queue_members"].as_array().unwrap().clone();
        if found.len() == n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path} never had {n} members");
}

/// The queue named `name` of the account, once there is one.
async fn queue_named(s: &TestServer, c: &Creds, name: &str) -> Value {
    for _ in 0..400 {
        let (status, page) = s.get(c, &format!("{}/Queues.json", base(c))).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let found = page["queues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["friendly_name"] == name)
            .cloned();
        if let Some(q) = found {
            return q;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no queue {name}");
}

fn param(r: &Received, name: &str) -> String {
    r.param(name).unwrap_or_default()
}

/// The one request to `path` about `call`.
async fn request_about(receiver: &Receiver, path: &str, call: &str) -> Received {
    for _ in 0..400 {
        if let Some(r) = receiver.received().into_iter().find(|r| {
            r.path_and_query.split('?').next() == Some(path) && param(r, "CallSid") == call
        }) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "{path} never got a request about {call}: {:?}",
        receiver.received()
    );
}

server_test!(callers_wait_in_a_queue_and_leave_it_every_way, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/caller",
        "<Response><Enqueue waitUrl=\"/wait\" action=\"/after\">support</Enqueue></Response>",
    );
    receiver.answer_twiml("/wait", "<Response><Say>Please hold</Say></Response>");
    receiver.answer_twiml("/after", "<Response><Say>Thanks</Say></Response>");
    receiver.answer_twiml(
        "/agent",
        "<Response><Dial action=\"/dialed\"><Queue>support</Queue></Dial></Response>",
    );
    receiver.answer_twiml("/dialed", "<Response><Hangup/></Response>");
    receiver.answer_twiml("/redirected", "<Response><Say>Moved</Say></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let caller = receiver.url("/caller");

    // Three callers join, in order; each requests its wait document once.
    let mut callers = Vec::new();
    for i in 0..3 {
        let placed = place(&s, &c, &from, &[("Url", caller.as_str())]).await;
        callers.push(sid(&placed));
        requests_to(&receiver, "/wait", i + 1).await;
    }
    let queue = queue_named(&s, &c, "support").await;
    let qu = sid(&queue);
    assert_eq!(queue["max_size"], 100, "{queue}");
    assert_eq!(queue["current_size"], 3, "{queue}");
    let listed = members(&s, &c, &qu, 3).await;
    for (i, m) in listed.iter().enumerate() {
        assert_eq!(m["call_sid"], callers[i].as_str(), "{m}");
        assert_eq!(m["position"], i + 1, "{m}");
        assert_eq!(m["queue_sid"], qu.as_str(), "{m}");
    }
    let third = request_about(&receiver, "/wait", &callers[2]).await;
    assert_eq!(param(&third, "QueueSid"), qu);
    assert_eq!(param(&third, "QueuePosition"), "3");
    assert_eq!(param(&third, "CurrentQueueSize"), "3");
    assert_eq!(param(&third, "MaxQueueSize"), "100");
    assert_eq!(param(&third, "QueueTime"), "0");
    assert!(third.param("AvgQueueTime").is_some(), "{third:?}");
    // The wait document is requested once on the instant clock.
    assert_eq!(requests_to(&receiver, "/wait", 3).await.len(), 3);
    let front = format!("{}/Queues/{qu}/Members/Front.json", base(&c));
    let (status, got) = call(&s, &c, Method::GET, &front, MEMBER, &[]).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["call_sid"], callers[0].as_str());
    // A queue calls wait in is not deleted.
    let item = format!("{}/Queues/{qu}.json", base(&c));
    let (status, body) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
    assert_twilio_error(status, &body, 400, 20001);

    // An agent's <Dial><Queue> takes the front caller.
    let agent_url = receiver.url("/agent");
    let agent = place(&s, &c, &from, &[("Url", agent_url.as_str())]).await;
    let dialed = request_about(&receiver, "/dialed", agent["sid"].as_str().unwrap()).await;
    assert_eq!(param(&dialed, "DialCallStatus"), "completed");
    assert_eq!(param(&dialed, "DialCallSid"), callers[0]);
    let after = request_about(&receiver, "/after", &callers[0]).await;
    assert_eq!(param(&after, "QueueResult"), "bridged");
    assert_eq!(param(&after, "QueueSid"), qu);
    assert!(after.param("QueueTime").is_some(), "{after:?}");
    let done = ended(&s, &c, &serde_json::json!({ "sid": callers[0] })).await;
    assert_eq!(done["status"], "completed", "{done}");
    let left = members(&s, &c, &qu, 2).await;
    assert_eq!(left[0]["call_sid"], callers[1].as_str());
    assert_eq!(left[0]["position"], 1);

    // A Members update redirects the next one.
    let redirected = receiver.url("/redirected");
    let path = format!("{}/Queues/{qu}/Members/{}.json", base(&c), callers[1]);
    let (status, body) = call(
        &s,
        &c,
        Method::POST,
        &path,
        MEMBER,
        &[("Url", redirected.as_str()), ("Method", "POST")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["call_sid"], callers[1].as_str());
    request_about(&receiver, "/redirected", &callers[1]).await;
    let told = request_about(&receiver, "/after", &callers[1]).await;
    assert_eq!(param(&told, "QueueResult"), "redirected");
    let (status, body) = s.post(&c, &path, &[("Url", redirected.as_str())]).await;
    assert_twilio_error(status, &body, 404, 20404);
    // A member's new document must be named.
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Queues/{qu}/Members/Front.json", base(&c)),
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 400, 20001);

    // The last one hangs up.
    let (status, body) = s
        .post(
            &c,
            &format!("{}/Calls/{}.json", base(&c), callers[2]),
            &[("Status", "completed")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let told = request_about(&receiver, "/after", &callers[2]).await;
    assert_eq!(param(&told, "QueueResult"), "hangup");
    members(&s, &c, &qu, 0).await;
    let (status, _) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
});

server_test!(a_full_queue_an_empty_one_and_leave, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/join",
        "<Response><Enqueue action=\"/result\">tiny</Enqueue></Response>",
    );
    receiver.answer_twiml("/result", "<Response><Hangup/></Response>");
    receiver.answer_twiml(
        "/leaver",
        "<Response><Enqueue waitUrl=\"/go\" action=\"/result\">lobby</Enqueue></Response>",
    );
    receiver.answer_twiml(
        "/falls-through",
        "<Response><Enqueue waitUrl=\"/go\">lobby</Enqueue><Say>After the queue</Say></Response>",
    );
    receiver.answer_twiml("/go", "<Response><Leave/></Response>");
    receiver.answer_twiml(
        "/empty",
        "<Response><Dial action=\"/dialed\" timeout=\"5\"><Queue>tiny</Queue></Dial></Response>",
    );
    receiver.answer_twiml(
        "/nowhere",
        "<Response><Dial action=\"/dialed\"><Queue>no such queue</Queue></Dial></Response>",
    );
    receiver.answer_twiml("/dialed", "<Response><Hangup/></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    create(&s, &c, &[("FriendlyName", "tiny"), ("MaxSize", "1")]).await;

    // A <Dial><Queue> on an empty queue waits out its timeout.
    let url = receiver.url("/empty");
    let agent = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let dialed = request_about(&receiver, "/dialed", agent["sid"].as_str().unwrap()).await;
    assert_eq!(param(&dialed, "DialCallStatus"), "no-answer");
    // On a queue that does not exist it fails.
    let url = receiver.url("/nowhere");
    let agent = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let dialed = request_about(&receiver, "/dialed", agent["sid"].as_str().unwrap()).await;
    assert_eq!(param(&dialed, "DialCallStatus"), "failed");

    // One caller fills the queue; the next is told at once.
    let url = receiver.url("/join");
    let first = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let qu = sid(&queue_named(&s, &c, "tiny").await);
    members(&s, &c, &qu, 1).await;
    let second = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let told = request_about(&receiver, "/result", second["sid"].as_str().unwrap()).await;
    assert_eq!(param(&told, "QueueResult"), "queue-full");
    assert!(told.param("QueueSid").is_none(), "{told:?}");
    assert_eq!(ended(&s, &c, &second).await["status"], "completed");
    let listed = members(&s, &c, &qu, 1).await;
    assert_eq!(listed[0]["call_sid"], first["sid"]);

    // <Leave> in the wait document: the action follows, or the next verb.
    let url = receiver.url("/leaver");
    let leaver = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let told = request_about(&receiver, "/result", leaver["sid"].as_str().unwrap()).await;
    assert_eq!(param(&told, "QueueResult"), "leave");
    assert!(
        told.param("QueueSid").unwrap().starts_with("QU"),
        "{told:?}"
    );
    assert_eq!(ended(&s, &c, &leaver).await["status"], "completed");
    let url = receiver.url("/falls-through");
    let through = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let done = ended(&s, &c, &through).await;
    assert_eq!(done["status"], "completed", "{done}");
    let lobby = queue_named(&s, &c, "lobby").await;
    assert_eq!(lobby["current_size"], 0, "{lobby}");
});

server_test!(a_whisper_plays_to_the_caller_before_the_bridge, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/caller",
        "<Response><Enqueue action=\"/after\">desk</Enqueue></Response>",
    );
    receiver.answer_twiml("/after", "<Response><Hangup/></Response>");
    receiver.answer_twiml(
        "/agent",
        "<Response><Dial action=\"/dialed\"><Queue url=\"/whisper\">desk</Queue></Dial></Response>",
    );
    receiver.answer_twiml(
        "/whisper",
        "<Response><Say>An agent is here</Say></Response>",
    );
    receiver.answer_twiml("/dialed", "<Response><Hangup/></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let url = receiver.url("/caller");
    let caller = sid(&place(&s, &c, &from, &[("Url", url.as_str())]).await);
    let qu = sid(&queue_named(&s, &c, "desk").await);
    members(&s, &c, &qu, 1).await;

    let url = receiver.url("/agent");
    let agent = sid(&place(&s, &c, &from, &[("Url", url.as_str())]).await);
    let whisper = request_about(&receiver, "/whisper", &caller).await;
    assert_eq!(param(&whisper, "DequeingCallSid"), agent);
    assert_eq!(param(&whisper, "QueueSid"), qu);
    assert!(whisper.param("QueueTime").is_some(), "{whisper:?}");
    let dialed = request_about(&receiver, "/dialed", &agent).await;
    assert_eq!(param(&dialed, "DialCallStatus"), "completed");
    assert_eq!(param(&dialed, "DialCallSid"), caller);
    let after = request_about(&receiver, "/after", &caller).await;
    assert_eq!(param(&after, "QueueResult"), "bridged");
    members(&s, &c, &qu, 0).await;
    let done = ended(&s, &c, &json!({ "sid": caller })).await;
    assert_eq!(done["status"], "completed", "{done}");
});

// Queues and their members are rows of an account: a sandbox's reset and
// delete clear them with its world.
server_test!(
    a_sandbox_reset_clears_queues_and_members,
    settings = sandbox_mode,
    |s| {
        let sandbox = created(&s, &json!({"accounts": {"bob": {"type": "Full"}}})).await;
        let bob = creds(&sandbox["accounts"]["bob"]);
        create(&s, &bob, &[("FriendlyName", "empty")]).await;
        let from = buy(&s, &bob, "415").await;
        let twiml = "<Response><Enqueue>line</Enqueue></Response>";
        place(&s, &bob, &from, &[("Twiml", twiml)]).await;
        let qu = sid(&queue_named(&s, &bob, "line").await);
        members(&s, &bob, &qu, 1).await;

        let (status, reset) = s.post(&bob, &path(&sandbox, "/Reset.json"), &[]).await;
        assert_eq!(status, StatusCode::OK, "{reset}");
        let (status, page) = s.get(&bob, &format!("{}/Queues.json", base(&bob))).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["queues"], json!([]), "{page}");
        let (status, body) = s
            .call(Some(&bob), Method::DELETE, &path(&sandbox, ".json"), &[])
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
);
