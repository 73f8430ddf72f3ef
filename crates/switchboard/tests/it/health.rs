//! `GET /healthz` and `GET /readyz`: no credentials, no secrets.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_store::Statement;

use crate::server_test;
use crate::support::TestServer;

async fn probe(s: &TestServer, path: &str) -> (StatusCode, String, Value) {
    let resp = s.http.get(s.url(path)).send().await.unwrap();
    let status = resp.status();
    let cache = resp
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(cache, "no-store", "{path} must not be cached");
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, cache, body)
}

/// The workers start in tasks of their own: readiness follows within moments.
async fn until_ready(s: &TestServer) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _, body) = probe(s, "/readyz").await;
        if status == StatusCode::OK {
            return body;
        }
        assert!(Instant::now() < deadline, "never ready: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

server_test!(healthz_and_readyz_answer_without_credentials, |s| {
    let (status, _, body) = probe(&s, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, Value::String("ok\n".into()));

    let body = until_ready(&s).await;
    assert_eq!(
        body,
        serde_json::json!({
            "status": "ready",
            "checks": {"database": "ok", "deliveries": "running", "simulator": "running"}
        })
    );
});

server_test!(readyz_is_503_once_the_delivery_worker_stopped, |s| {
    let mut s = s;
    until_ready(&s).await;
    s.stop_deliveries().await;
    let (status, _, body) = probe(&s, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["deliveries"], "stopped");
    assert_eq!(body["checks"]["simulator"], "running");
    assert_eq!(body["checks"]["database"], "ok");
    // The process itself is up.
    assert_eq!(probe(&s, "/healthz").await.0, StatusCode::OK);
});

server_test!(readyz_is_503_while_a_migration_is_missing, |s| {
    until_ready(&s).await;
    s.sb.store()
        .run(Statement::new(
            "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)",
            vec![],
        ))
        .await
        .unwrap();
    let (status, _, body) = probe(&s, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["status"], "unavailable");
    let database = body["checks"]["database"].as_str().unwrap();
    assert!(database.starts_with("migrations pending"), "{body}");
});

server_test!(readyz_is_503_when_the_database_fails, |s| {
    until_ready(&s).await;
    s.sb.store()
        .run(Statement::new("DROP TABLE schema_migrations", vec![]))
        .await
        .unwrap();
    let (status, _, body) = probe(&s, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    // What failed is logged, not shown to whoever asked.
    assert_eq!(body["checks"]["database"], "unreachable", "{body}");
});
