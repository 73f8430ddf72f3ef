//! Slow and idle clients, and the cap on open connections (issue 18, finding 2):
//! raw TCP, so the tests control every byte and see when the server closes.

use std::time::{Duration, Instant};

use switchboard_http::ServerSettings;
use switchboard_store::testing::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::TestServer;

const REQUEST: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: switchboard\r\n\r\n";

async fn server(settings: ServerSettings) -> TestServer {
    TestServer::start_serving(TestDb::sqlite(), |_| {}, settings).await
}

/// Short limits, so that a test sees them pass.
fn short(max_connections: u32) -> ServerSettings {
    ServerSettings {
        header_read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(600),
        max_connections,
        ..ServerSettings::default()
    }
}

/// Reads one answer: its head and `content-length` bytes of body.
pub(crate) async fn read_answer(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if bytes.len() >= end + 4 + length {
                return String::from_utf8_lossy(&bytes[..end + 4 + length]).into_owned();
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
            .await
            .expect("an answer within 5s")
            .expect("read the answer");
        assert!(
            n > 0,
            "closed before a whole answer: {:?}",
            String::from_utf8_lossy(&bytes)
        );
        bytes.extend_from_slice(&chunk[..n]);
    }
}

async fn ask(stream: &mut TcpStream) -> String {
    stream.write_all(REQUEST).await.unwrap();
    read_answer(stream).await
}

/// Whether the server has closed this connection: a read ends (EOF or reset)
/// instead of waiting.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    let mut byte = [0u8; 1];
    match tokio::time::timeout(within, stream.read(&mut byte)).await {
        Ok(Ok(0) | Err(_)) => true,
        Ok(Ok(_)) => panic!("the server sent bytes nobody asked for"),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_dripping_clients_are_closed_while_others_are_answered() {
    let s = server(short(512)).await;
    let mut silent = Vec::new();
    for _ in 0..200 {
        silent.push(TcpStream::connect(s.addr).await.unwrap());
    }
    // Headers dripped a byte at a time, each in time for an idle limit but the
    // whole far slower than the header limit.
    let addr = s.addr;
    let dripper = tokio::spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let started = Instant::now();
        for byte in b"GET /healthz HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa" {
            if stream.write_all(&[*byte]).await.is_err() {
                return started.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the server read dripped headers for {:?}",
            started.elapsed()
        );
    });

    // While they are all open, a normal request is answered at once.
    let mut normal = TcpStream::connect(s.addr).await.unwrap();
    let answer = ask(&mut normal).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    for stream in &mut silent {
        assert!(
            closed_by_server(stream, Duration::from_secs(3)).await,
            "a silent connection is still open after 3s"
        );
    }
    let dripped_for = dripper.await.unwrap();
    assert!(
        dripped_for < Duration::from_secs(2),
        "the dripping client was cut off only after {dripped_for:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_is_closed_after_the_idle_timeout_not_before() {
    let s = server(ServerSettings {
        header_read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(1500),
        ..ServerSettings::default()
    })
    .await;
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    assert!(ask(&mut stream).await.starts_with("HTTP/1.1 200"));
    // Longer than the header limit between requests: the idle limit applies.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let answer = ask(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let idle_from = Instant::now();
    assert!(
        closed_by_server(&mut stream, Duration::from_secs(5)).await,
        "an idle kept-alive connection is still open after 5s"
    );
    let idled = idle_from.elapsed();
    assert!(
        idled >= Duration::from_millis(1300),
        "closed after {idled:?} idle, before the idle limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_over_the_cap_is_refused_cleanly_and_open_ones_still_work() {
    let s = server(ServerSettings {
        max_connections: 4,
        ..ServerSettings::default()
    })
    .await;
    let mut open = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(s.addr).await.unwrap();
        assert!(ask(&mut stream).await.starts_with("HTTP/1.1 200"));
        open.push(stream);
    }

    let mut over = TcpStream::connect(s.addr).await.unwrap();
    let refusal = ask(&mut over).await;
    let head = refusal.to_lowercase();
    assert!(refusal.starts_with("HTTP/1.1 503 "), "{refusal}");
    assert!(head.contains("\r\nretry-after: 1\r\n"), "{refusal}");
    assert!(head.contains("\r\nconnection: close\r\n"), "{refusal}");
    let body: serde_json::Value =
        serde_json::from_str(&refusal[refusal.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    crate::support::assert_twilio_error(
        reqwest::StatusCode::SERVICE_UNAVAILABLE,
        &body,
        503,
        20503,
    );
    assert!(closed_by_server(&mut over, Duration::from_secs(3)).await);

    // The open connections were not disturbed.
    for stream in &mut open {
        let answer = ask(stream).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    // A closed connection frees its place.
    drop(open.pop());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut stream = TcpStream::connect(s.addr).await.unwrap();
        let answer = ask(&mut stream).await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "no place freed: {answer}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
