//! `bench-receiver [ADDR]`: a webhook receiver that answers 200 to everything and
//! counts deliveries by their `I-Twilio-Idempotency-Token` (the same on every retry
//! of one delivery), so "all delivered, none twice" can be checked. A request
//! to a path under `/sms` is a number's messaging webhook: it is answered with
//! a TwiML document sending one reply (`<Message>`). Under `/voice` it is a
//! call's application: `/voice` answers a `<Say>` and a one-key `<Gather>`
//! whose `action` is `/voice/action`, which answers `<Hangup>`. Under
//! `/conference` it is a conference's status callback: counted by its
//! `StatusCallbackEvent` (each delivery once, not its retries).
//!
//! Prints `receiver listening on http://ADDR`; `GET /_stats` answers
//! `{"received", "unique", "duplicates", "first_ms", "last_ms", "voice_answers",
//! "voice_actions", "voice_digits"}` (Unix ms of the first and last delivery;
//! requests for a call's answer, for its gather's action, and actions that
//! carried the key pressed, `Digits=1`), and `"conference": {event: {"count",
//! "last_ms"}}`.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

#[derive(Default)]
struct Counts {
    seen: HashMap<String, u32>,
    received: u64,
    first_ms: u128,
    last_ms: u128,
    voice_answers: u64,
    voice_actions: u64,
    voice_digits: u64,
    /// Conference status callbacks by `StatusCallbackEvent`: how many, and
    /// when the last arrived (Unix ms).
    conference: HashMap<String, (u64, u128)>,
}

type Shared = Arc<Mutex<Counts>>;

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

/// The app's answer to an inbound message: one reply.
const REPLY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>Thanks, see you at 3</Message></Response>";

/// A call's answer: a greeting, then a menu waiting for one key.
const VOICE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>Thanks for calling the bench line.</Say><Gather numDigits=\"1\" action=\"/voice/action\"><Say>Press one for sales.</Say></Gather></Response>";

/// The menu's action: the caller chose, the call ends.
const HANGUP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>";

/// A request of a call's application.
#[derive(Clone, Copy)]
enum Voice {
    Answer,
    Action { digits: bool },
}

/// Whether a form body carries `name=value` as one of its pairs.
fn has_pair(body: &str, pair: &str) -> bool {
    body.split('&').any(|p| p == pair)
}

/// The value of `name` in a form body (event names need no decoding).
fn value_of<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.split('&')
        .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
}

async fn receive(
    State(counts): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let path = uri.path();
    let voice = if path.starts_with("/voice/action") {
        Some(Voice::Action {
            digits: has_pair(&body, "Digits=1"),
        })
    } else if path.starts_with("/voice") {
        Some(Voice::Answer)
    } else {
        None
    };
    let event = path.starts_with("/conference").then(|| {
        value_of(&body, "StatusCallbackEvent")
            .unwrap_or("")
            .to_owned()
    });
    let key = headers
        .get("i-twilio-idempotency-token")
        .and_then(|v| v.to_str().ok())
        .map_or(body, str::to_owned);
    let now = now_ms();
    let mut c = counts.lock().unwrap();
    if c.received == 0 {
        c.first_ms = now;
    }
    c.received += 1;
    c.last_ms = now;
    let seen = c.seen.entry(key).or_default();
    *seen += 1;
    let first = *seen == 1;
    if let Some(event) = event.filter(|_| first) {
        let (count, last) = c.conference.entry(event).or_default();
        *count += 1;
        *last = now;
    }
    match voice {
        Some(Voice::Action { digits }) => {
            c.voice_actions += 1;
            c.voice_digits += u64::from(digits);
        }
        Some(Voice::Answer) => c.voice_answers += 1,
        None => {}
    }
    drop(c);
    let twiml = |document: &'static str| ([(header::CONTENT_TYPE, "text/xml")], document);
    if let Some(voice) = voice {
        let document = match voice {
            Voice::Answer => VOICE,
            Voice::Action { .. } => HANGUP,
        };
        twiml(document).into_response()
    } else if path.starts_with("/sms") {
        twiml(REPLY).into_response()
    } else {
        "ok".into_response()
    }
}

async fn stats(State(counts): State<Shared>) -> String {
    let c = counts.lock().unwrap();
    let unique = c.seen.len();
    json!({
        "received": c.received,
        "unique": unique,
        "duplicates": c.received - unique as u64,
        "first_ms": c.first_ms,
        "last_ms": c.last_ms,
        "voice_answers": c.voice_answers,
        "voice_actions": c.voice_actions,
        "voice_digits": c.voice_digits,
        "conference": c.conference.iter()
            .map(|(event, (count, last))| (event.clone(), json!({"count": count, "last_ms": last})))
            .collect::<serde_json::Map<_, _>>(),
    })
    .to_string()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("receiver listening on http://{}", listener.local_addr()?);
    let counts: Shared = Arc::default();
    let app = Router::new()
        .route("/_stats", get(stats))
        .fallback(receive)
        .with_state(counts);
    axum::serve(listener, app).await
}
