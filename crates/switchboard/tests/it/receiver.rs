//! A webhook receiver for tests: records every request and answers as scripted.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Path and query, as sent.
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Form parameters: from the body (POST) or the query string (GET).
    pub fn params(&self) -> Vec<(String, String)> {
        let raw = if self.method == "GET" {
            self.path_and_query
                .split_once('?')
                .map_or("", |(_, q)| q)
                .to_owned()
        } else {
            self.body.clone()
        };
        url::form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect()
    }

    pub fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

#[derive(Default)]
struct Script {
    received: Vec<Received>,
    /// Status codes for the next requests, in order; then 200.
    answers: Vec<u16>,
    delay: Duration,
    /// After this many requests, answers are withheld (the request hangs), so a
    /// test can stop a sender with deliveries certainly in flight.
    hang_after: Option<usize>,
    /// Bodies to answer with, by path: (content type, body).
    documents: Vec<(String, (String, String))>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    script: Arc<Mutex<Script>>,
}

async fn record(
    State(script): State<Arc<Mutex<Script>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (status, delay, document) = {
        let mut s = script.lock().unwrap();
        s.received.push(Received {
            method: method.to_string(),
            path_and_query: uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let status = if s.answers.is_empty() {
            200
        } else {
            s.answers.remove(0)
        };
        let delay = match s.hang_after {
            Some(n) if s.received.len() > n => Duration::from_secs(600),
            _ => s.delay,
        };
        let document = s
            .documents
            .iter()
            .find(|(path, _)| *path == uri.path())
            .map(|(_, d)| d.clone());
        (status, delay, document)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let status = StatusCode::from_u16(status).unwrap();
    match document {
        Some((content_type, body)) => {
            (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
        }
        None => status.into_response(),
    }
}

impl Receiver {
    pub async fn start() -> Receiver {
        let script = Arc::new(Mutex::new(Script::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = axum::Router::new()
            .fallback(record)
            .with_state(script.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Receiver { addr, script }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The next requests get these statuses, in order.
    pub fn answer_with(&self, statuses: &[u16]) {
        self.script.lock().unwrap().answers = statuses.to_vec();
    }

    /// Answers requests to `path` with this body (TwiML, say).
    pub fn answer_document(&self, path: &str, content_type: &str, body: &str) {
        let mut s = self.script.lock().unwrap();
        s.documents.retain(|(p, _)| p != path);
        s.documents
            .push((path.to_owned(), (content_type.to_owned(), body.to_owned())));
    }

    /// Answers requests to `path` with a TwiML document.
    pub fn answer_twiml(&self, path: &str, twiml: &str) {
        self.answer_document(path, "text/xml", twiml);
    }

    /// Answers the first `n` requests, then leaves every later one hanging.
    pub fn hang_after(&self, n: usize) {
        self.script.lock().unwrap().hang_after = Some(n);
    }

    /// Answers every request again.
    pub fn stop_hanging(&self) {
        self.script.lock().unwrap().hang_after = None;
    }

    pub fn delay_answers(&self, delay: Duration) {
        self.script.lock().unwrap().delay = delay;
    }

    pub fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }

    /// Waits until `n` requests arrived (or panics after `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited {within:?} for {n} requests, got {}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
