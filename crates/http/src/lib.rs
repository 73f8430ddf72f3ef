//! Switchboard's wire layer: HTTP handlers for the Twilio REST API (and, later, the
//! consent flow and console), Twilio's JSON and form formats, and the server.

#![forbid(unsafe_code)]

pub mod api;
pub mod health;
pub mod metrics;
pub mod routes;
mod server;
pub mod twilio;
pub mod web;

pub use server::ServerSettings;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Response};
use switchboard_domain::Switchboard;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    pub sb: Switchboard,
    /// Request metrics, when the operator asked for them (`--metrics-listen`).
    pub metrics: Option<std::sync::Arc<metrics::Metrics>>,
}

impl App {
    pub fn new(sb: Switchboard) -> App {
        App { sb, metrics: None }
    }
}

/// The templates of every route, as the metrics label requests.
pub fn route_templates() -> Vec<String> {
    all_routes().into_parts().1
}

fn all_routes() -> routes::Routes {
    api::routes().merge(web::routes()).merge(health::routes())
}

/// The whole HTTP surface, without the layers around it (see [`serve`]); API
/// "not found" answers name the request path ([`twilio::error::NamePaths`]).
pub fn router(app: App) -> twilio::error::NamePaths<Router> {
    let (routes, _) = api::routes().merge(health::routes()).into_parts();
    twilio::error::NamePaths(
        routes
            .merge(web::router(&app))
            .route("/2010-04-01/{*rest}", axum::routing::any(api::not_found))
            .route("/v1/{*rest}", axum::routing::any(api::not_found))
            .route("/switchboard/{*rest}", axum::routing::any(api::not_found))
            .fallback(web::page::not_found)
            .with_state(app),
    )
}

/// Serves until `shutdown` completes, then finishes in-flight requests (waiting at
/// most `settings.shutdown_grace`). `settings` bound how long a connection may
/// take to send a request or sit idle, and how many may be open (see
/// [`ServerSettings`]).
///
/// The layers wrap the whole router, not each route through `Router::layer`,
/// which cloned and boxed the wrapped route and its future on every request:
/// allocations that were a measurable part of the cheapest requests
/// (docs/benchmarks.md, finding 14).
pub async fn serve(
    listener: TcpListener,
    app: App,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The per-request line is a debug event. The layer that writes it costs about
    // 0.3 µs a request even when nothing is logged (it times every response), a
    // few percent of the cheapest requests (docs/benchmarks.md), so it is only
    // there when debug logging is on for this crate.
    let trace = tracing::enabled!(tracing::Level::DEBUG).then(|| {
        ServiceBuilder::new()
            // The same body type with the layer as without it.
            .map_response(|response: Response<_>| response.map(Body::new))
            // Method, path and status only: never headers (Authorization) or
            // query strings (tokens).
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(|req: &Request| {
                        tracing::debug_span!("request", method = %req.method(), path = %req.uri().path())
                    })
                    .on_request(())
                    .on_response(
                        tower_http::trace::DefaultOnResponse::new().level(tracing::Level::DEBUG),
                    ),
            )
    });
    let service = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .option_layer(trace)
        .option_layer(metrics::layer(&app))
        // Sandbox mode only: fault rules, after credentials, before handlers.
        .option_layer(api::faults::layer(&app))
        .service(router(app));
    server::run(listener, service, settings, shutdown).await
}

/// How long a graceful shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
