//! A bare axum handler returning a fixed body: what every benchmark throughput is
//! divided by. Same axum, same tokio (multi-threaded, all cores), same loopback,
//! so the ratio is what Switchboard costs beyond the HTTP server it runs on.
//!
//! `bench-baseline [ADDR]` (default 127.0.0.1:0) prints
//! `baseline listening on http://ADDR` and serves every path.

#![forbid(unsafe_code)]

use axum::Router;
use axum::routing::get;

const BODY: &str = r#"{"ok":true}"#;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("baseline listening on http://{}", listener.local_addr()?);
    let app = Router::new().fallback(get(|| async {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            BODY,
        )
    }));
    axum::serve(listener, app).await
}
