//! Prometheus metrics, served on their own listener (`serve --metrics-listen`)
//! so they are never exposed with the API by accident.
//!
//! Requests are counted by route template, method and status, and timed, by a
//! layer that is only there when metrics are on: without it a request pays
//! nothing. The template is found by matching the path against the routes'
//! templates (`crate::routes`); a path no route matches counts as `other`, so
//! made-up paths cannot grow the number of series. Everything else is read
//! from the domain when `/metrics` is scraped.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics::{SharedString, counter, gauge, histogram};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use switchboard_domain::Switchboard;
use switchboard_domain::ops::OpsSnapshot;
use tokio::net::TcpListener;

use crate::App;

const REQUESTS: &str = "switchboard_http_requests_total";
const LATENCY: &str = "switchboard_http_request_duration_seconds";
const OUTBOX: &str = "switchboard_outbox_deliveries";
const ATTEMPTS: &str = "switchboard_delivery_attempts_total";
const FAILURES: &str = "switchboard_delivery_failures_total";
const IN_FLIGHT: &str = "switchboard_simulated_in_flight";
const POOL_CONNECTIONS: &str = "switchboard_db_pool_connections";
const POOL_IN_USE: &str = "switchboard_db_pool_in_use";
const POOL_WAITING: &str = "switchboard_db_pool_waiting";

/// Latency buckets, in seconds: from the cheapest request to a slow one.
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// This server's metrics: a recorder of its own (not the process-wide one, so
/// two servers in one process, as in the tests, keep theirs apart).
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    routes: matchit::Router<SharedString>,
}

/// The label of a path no route matches.
const OTHER: &str = "other";

impl Metrics {
    /// Metrics labelled by these route templates ([`crate::route_templates`]).
    pub fn new(templates: Vec<String>) -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let mut routes = matchit::Router::new();
        for template in templates {
            let label = SharedString::from(Arc::<str>::from(template.as_str()));
            // axum accepted these templates with this matchit; a conflict
            // cannot happen, and would only leave that route labelled `other`.
            let _ = routes.insert(template, label);
        }
        let metrics = Metrics {
            recorder,
            handle,
            routes,
        };
        metrics.describe();
        metrics
    }

    fn describe(&self) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::describe_counter!(
                REQUESTS,
                "HTTP requests answered, by route template, method and status."
            );
            metrics::describe_histogram!(
                LATENCY,
                metrics::Unit::Seconds,
                "Time to answer an HTTP request (to its headers), by route template and method."
            );
            metrics::describe_gauge!(
                OUTBOX,
                "Pending webhook deliveries (every node's), by state: due, sending (claimed by a worker), scheduled (waiting for a retry)."
            );
            metrics::describe_counter!(
                ATTEMPTS,
                "Webhook attempts this node made, by outcome: delivered (2xx), failed (another answer, an error or a timeout), refused (a non-public address)."
            );
            metrics::describe_counter!(
                FAILURES,
                "Webhook attempts this node made that did not deliver (failed or refused)."
            );
            metrics::describe_gauge!(
                IN_FLIGHT,
                "Simulated calls and messages not yet in a final state (every node's), by kind."
            );
            metrics::describe_gauge!(
                POOL_CONNECTIONS,
                "Connections open for transactions (SQLite: its one writer; PostgreSQL: the pool)."
            );
            metrics::describe_gauge!(POOL_IN_USE, "Transaction connections in use.");
            metrics::describe_gauge!(POOL_WAITING, "Transactions waiting for a connection.");
        });
    }

    fn route_of(&self, path: &str) -> SharedString {
        self.routes
            .at(path)
            .map_or(SharedString::const_str(OTHER), |m| m.value.clone())
    }

    fn record_request(
        &self,
        method: &Method,
        route: SharedString,
        status: StatusCode,
        took: Duration,
    ) {
        let method = method_label(method);
        metrics::with_local_recorder(&self.recorder, || {
            counter!(REQUESTS, "method" => method, "route" => route.clone(), "status" => status_label(status))
                .increment(1);
            histogram!(LATENCY, "method" => method, "route" => route).record(took.as_secs_f64());
        });
    }

    /// The exposition, with the gauges and counters read from `ops` first.
    pub fn render(&self, ops: &OpsSnapshot) -> String {
        metrics::with_local_recorder(&self.recorder, || {
            let outbox = [
                ("due", ops.outbox.due),
                ("sending", ops.outbox.sending),
                ("scheduled", ops.outbox.scheduled),
            ];
            for (state, n) in outbox {
                gauge!(OUTBOX, "state" => state).set(n as f64);
            }
            let mut failures = 0;
            for (outcome, n) in &ops.attempts {
                counter!(ATTEMPTS, "outcome" => outcome.as_str()).absolute(*n);
                if *outcome != switchboard_domain::ops::AttemptOutcome::Delivered {
                    failures += n;
                }
            }
            counter!(FAILURES).absolute(failures);
            gauge!(IN_FLIGHT, "kind" => "call").set(ops.calls_in_flight as f64);
            gauge!(IN_FLIGHT, "kind" => "message").set(ops.messages_in_flight as f64);
            gauge!(POOL_CONNECTIONS).set(ops.pool.connections as f64);
            gauge!(POOL_IN_USE).set(ops.pool.in_use as f64);
            gauge!(POOL_WAITING).set(ops.pool.waiting as f64);
        });
        self.handle.run_upkeep();
        self.handle.render()
    }
}

fn method_label(method: &Method) -> &'static str {
    // A closed set: a made-up method must not make a new series.
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

fn status_label(status: StatusCode) -> SharedString {
    SharedString::from(status.as_str().to_owned())
}

/// The request layer for [`crate::serve`], when `app` has metrics.
pub fn layer(app: &App) -> Option<MetricsLayer> {
    app.metrics.clone().map(MetricsLayer)
}

#[derive(Clone)]
pub struct MetricsLayer(Arc<Metrics>);

impl<S> tower::Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MetricsService {
            inner,
            metrics: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct MetricsService<S> {
    inner: S,
    metrics: Arc<Metrics>,
}

impl<S, B, R> tower::Service<axum::http::Request<B>> for MetricsService<S>
where
    S: tower::Service<axum::http::Request<B>, Response = axum::http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: axum::http::Request<B>) -> Self::Future {
        let started = Instant::now();
        let method = req.method().clone();
        let route = self.metrics.route_of(req.uri().path());
        let metrics = self.metrics.clone();
        let answer = self.inner.call(req);
        Box::pin(async move {
            let response = answer.await?;
            metrics.record_request(&method, route, response.status(), started.elapsed());
            Ok(response)
        })
    }
}

/// Turns metrics on for `app` and returns the server of `GET /metrics` on
/// `listener`, which runs until `shutdown` completes. It goes through the same
/// accept loop as the API, so a slow or silent client cannot hold the
/// operator's listener either.
pub fn enable(
    app: &mut App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> impl Future<Output = std::io::Result<()>> + Send + 'static {
    let metrics = Arc::new(Metrics::new(crate::route_templates()));
    app.metrics = Some(metrics.clone());
    let router = axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state((app.sb.clone(), metrics));
    crate::server::run(listener, router, crate::ServerSettings::default(), shutdown)
}

async fn scrape(State((sb, metrics)): State<(Switchboard, Arc<Metrics>)>) -> Response {
    match sb.ops_snapshot().await {
        Ok(ops) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            metrics.render(&ops),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading metrics failed");
            (StatusCode::SERVICE_UNAVAILABLE, "reading metrics failed\n").into_response()
        }
    }
}
