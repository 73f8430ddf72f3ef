//! Probes for orchestrators and load balancers: `GET /healthz` (the process
//! answers) and `GET /readyz` (it can do its work). No credentials, and nothing
//! in the answers an operator would keep secret.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use switchboard_domain::health::{DatabaseState, Readiness};

use crate::App;
use crate::routes::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Probes must see the state of now, never a cached answer.
const NO_STORE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-store");

async fn healthz() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            NO_STORE,
        ],
        "ok\n",
    )
        .into_response()
}

/// 200 when the database answers with the schema this build migrates to and
/// the delivery worker and simulator run on this node; 503 otherwise, with
/// each check's state in the body.
async fn readyz(State(app): State<App>) -> Response {
    let readiness = app.sb.readiness().await;
    let status = if readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json"), NO_STORE],
        body(&readiness),
    )
        .into_response()
}

fn body(r: &Readiness) -> String {
    let database = match r.database {
        DatabaseState::Ready => "ok".to_owned(),
        DatabaseState::Unreachable => "unreachable".to_owned(),
        DatabaseState::MigrationsPending { applied, known } => {
            format!("migrations pending: {applied} of {known} applied")
        }
        DatabaseState::SchemaNewer { newest, known } => {
            format!("schema {newest} is newer than this build's {known}")
        }
    };
    let worker = |running: bool| if running { "running" } else { "stopped" };
    serde_json::json!({
        "status": if r.is_ready() { "ready" } else { "unavailable" },
        "checks": {
            "database": database,
            "deliveries": worker(r.deliveries_running),
            "simulator": worker(r.simulator_running),
        }
    })
    .to_string()
}
