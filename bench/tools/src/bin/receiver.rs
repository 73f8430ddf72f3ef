//! `bench-receiver [ADDR]`: a webhook receiver that answers 200 to everything and
//! counts deliveries by their `I-Twilio-Idempotency-Token` (the same on every retry
//! of one delivery), so "all delivered, none twice" can be checked. A request
//! to a path under `/sms` is a number's messaging webhook: it is answered with
//! a TwiML document sending one reply (`<Message>`).
//!
//! Prints `receiver listening on http://ADDR`; `GET /_stats` answers
//! `{"received", "unique", "duplicates", "first_ms", "last_ms"}` (Unix ms of the
//! first and last delivery).

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

async fn receive(
    State(counts): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
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
    *c.seen.entry(key).or_default() += 1;
    drop(c);
    if uri.path().starts_with("/sms") {
        ([(header::CONTENT_TYPE, "text/xml")], REPLY).into_response()
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
