//! Call Analytics, the Connect App of Twilio's Connect quickstart, working
//! against Switchboard: its users connect their Switchboard account with the
//! Connect button, and it reads their calls and messages with the customer's
//! Account SID and its own auth token. `switchboard demo` runs it in-process.

#![forbid(unsafe_code)]

pub mod analytics;
pub mod api;
pub mod config;
pub mod signature;
pub mod web;

use std::future::Future;

pub use config::Config;
use tokio::net::TcpListener;

/// reqwest is built without a default TLS backend; this picks ring's, once.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Serves the app on `listener` until `shutdown` completes.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    install_crypto();
    let bound = listener.local_addr()?;
    let state = web::AppState::new(
        config.public_url(bound),
        config.switchboard_url.clone(),
        config.connect_app_sid.clone(),
        config.owner_auth_token.clone(),
        config.user_list(),
    );
    axum::serve(listener, web::router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
