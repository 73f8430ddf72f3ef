//! `switchboard serve`.

use std::net::SocketAddr;

use clap::Args;
use switchboard_domain::Settings;
use switchboard_domain::delivery::worker::CallbackSettings;
use switchboard_domain::telephony::{SimSpeed, TelephonySettings};
use switchboard_telephony::PriceList;
use tokio::net::TcpListener;

#[derive(Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,

    /// Let Trial accounts upgrade themselves to Full from the console (a sandbox
    /// setting; otherwise an operator runs `switchboard accounts upgrade`).
    #[arg(long, env = "SWITCHBOARD_ALLOW_SELF_UPGRADE")]
    allow_self_upgrade: bool,

    /// Delay before the first retry of a failed webhook; later retries double it,
    /// up to 720× (an hour for 5s), for 17,280× (a day for 5s). E.g. 5s, 200ms.
    #[arg(long, env = "SWITCHBOARD_CALLBACK_RETRY_BASE", default_value = "5s", value_parser = humantime::parse_duration)]
    callback_retry_base: std::time::Duration,

    /// How long one webhook attempt may take before it counts as failed.
    #[arg(long, env = "SWITCHBOARD_CALLBACK_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    callback_timeout: std::time::Duration,

    /// Allow webhooks to loopback and private addresses (local development,
    /// tests); refused otherwise.
    #[arg(long, env = "SWITCHBOARD_ALLOW_PRIVATE_CALLBACKS")]
    allow_private_callbacks: bool,

    /// How fast simulated calls and messages run: simulated seconds per real
    /// second (1 is real time, 60 makes a minute-long call take a second), or
    /// `instant` to play every step at once.
    #[arg(long, env = "SWITCHBOARD_SIM_SPEED", default_value = "1", value_parser = SimSpeed::parse)]
    sim_speed: SimSpeed,

    /// A JSON price list that replaces the default prices it names (see
    /// docs/telephony.md).
    #[arg(long, env = "SWITCHBOARD_PRICE_LIST")]
    price_list: Option<std::path::PathBuf>,

    /// Serve Prometheus metrics at http://ADDR/metrics, on this separate
    /// listener so they are never exposed with the API (off unless given;
    /// port 0 picks a free one). Requests by route and status, latency,
    /// the webhook outbox, delivery attempts, simulated calls and messages in
    /// flight, database connections.
    #[arg(long, env = "SWITCHBOARD_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
}

fn telephony(args: &ServeArgs) -> Result<TelephonySettings, String> {
    let prices = match &args.price_list {
        None => PriceList::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the price list {}: {e}", path.display()))?;
            PriceList::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    Ok(TelephonySettings {
        speed: args.sim_speed,
        prices,
    })
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// `public_url` is the global `--public-url`; when it was not given, the address
/// actually listened on is used.
pub async fn run(
    database_url: &str,
    public_url: Option<&str>,
    args: ServeArgs,
) -> Result<(), String> {
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let public_url = public_url
        .map_or_else(|| format!("http://{addr}"), str::to_owned)
        .trim_end_matches('/')
        .to_owned();
    let settings = Settings {
        public_url: public_url.clone(),
        allow_self_upgrade: args.allow_self_upgrade,
        callbacks: CallbackSettings {
            retry_base: args.callback_retry_base,
            timeout: args.callback_timeout,
            allow_private: args.allow_private_callbacks,
            ..CallbackSettings::default()
        },
        telephony: telephony(&args)?,
    };
    let metrics = match args.metrics_listen {
        None => None,
        Some(at) => Some(
            TcpListener::bind(at)
                .await
                .map_err(|e| format!("cannot listen on {at} for metrics: {e}"))?,
        ),
    };
    let sb = super::open(database_url, settings).await?;
    // The first line on stdout says where to go; scripts and tests read it.
    println!("Switchboard listening on http://{addr}");
    if let Some(at) = metrics.as_ref().and_then(|l| l.local_addr().ok()) {
        println!("Metrics at http://{at}/metrics");
    }
    tracing::info!(%addr, %public_url, backend = ?sb.store().backend(), "serving");
    serve_until(sb, listener, metrics, shutdown_signal()).await
}

/// Serves the API, pages and background deliveries (and metrics, on their own
/// listener, when given one) until `shutdown` completes.
pub async fn serve_until(
    sb: switchboard_domain::Switchboard,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    // Background work stops when the server does.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let deliveries = tokio::spawn(sb.clone().run_deliveries(stopped(stop_rx.clone())));
    let simulator = tokio::spawn(sb.clone().run_simulator(stopped(stop_rx.clone())));
    let mut app = switchboard_http::App::new(sb.clone());
    let metrics_server = metrics_listener.map(|metrics_listener| {
        let metrics = std::sync::Arc::new(switchboard_http::metrics::Metrics::new(
            switchboard_http::route_templates(),
        ));
        app.metrics = Some(metrics.clone());
        tokio::spawn(switchboard_http::metrics::serve_metrics(
            metrics_listener,
            sb,
            metrics,
            stopped(stop_rx.clone()),
        ))
    });
    let served = switchboard_http::serve(listener, app, shutdown).await;
    let _ = stop_tx.send(true);
    let _ = deliveries.await;
    let _ = simulator.await;
    if let Some(metrics_server) = metrics_server {
        let _ = metrics_server.await;
    }
    served.map_err(|e| format!("server failed: {e}"))
}
