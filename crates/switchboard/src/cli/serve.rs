//! `switchboard serve`.

use std::net::SocketAddr;

use clap::Args;
use switchboard_domain::delivery::worker::CallbackSettings;
use switchboard_domain::telephony::{SimSpeed, TelephonySettings};
use switchboard_domain::{IpNet, Settings};
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

    /// Ask for the account's credentials (HTTP Basic) before serving a
    /// message's media content at …/Messages/{Sid}/Media/{Sid} or a
    /// recording's audio at …/Recordings/{Sid}; without it the URL alone is
    /// enough, as with Twilio's default (see docs/messaging.md, docs/telephony.md).
    #[arg(long, env = "SWITCHBOARD_MEDIA_REQUIRES_AUTH")]
    media_requires_auth: bool,

    /// How long a client has to send a request's line and headers, counted from
    /// when it connects (or from the first byte of a later request on a kept-alive
    /// connection); a slower one is disconnected. E.g. 10s, 500ms.
    #[arg(long, env = "SWITCHBOARD_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = positive_duration)]
    header_read_timeout: std::time::Duration,

    /// How long a kept-alive connection may wait for its next request (or a
    /// client take to read an answer) before it is closed. Behind a load
    /// balancer, set it above the balancer's own idle timeout.
    #[arg(long, env = "SWITCHBOARD_IDLE_TIMEOUT", default_value = "30s", value_parser = positive_duration)]
    idle_timeout: std::time::Duration,

    /// Connections open at once. Beyond it, a new connection is answered 503
    /// (with Retry-After: 1) and closed; open ones are not affected. Keep it
    /// under the file descriptor limit (`ulimit -n`) less about 100.
    #[arg(long, env = "SWITCHBOARD_MAX_CONNECTIONS", default_value = "512", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,

    /// Reverse proxies in front of Switchboard, as addresses or CIDR blocks,
    /// comma-separated (e.g. 10.0.0.0/8,192.0.2.1). A request from one of them
    /// is from the client its X-Forwarded-For names (the rightmost address that
    /// is not a trusted proxy); from anyone else the header is ignored. The
    /// client address is what sign-in throttling and the audit log use.
    #[arg(long, env = "SWITCHBOARD_TRUSTED_PROXY", value_name = "CIDR", value_delimiter = ',', value_parser = trusted_proxy)]
    trusted_proxy: Vec<IpNet>,

    /// Serve Prometheus metrics at http://ADDR/metrics, on this separate
    /// listener so they are never exposed with the API (off unless given;
    /// port 0 picks a free one). Requests by route and status, latency,
    /// the webhook outbox, delivery attempts, simulated calls and messages in
    /// flight, database connections.
    #[arg(long, env = "SWITCHBOARD_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,

    /// Sandbox mode: turn on the sandbox control plane under
    /// /switchboard/v1/Sandboxes (isolated worlds made from a seed, reset,
    /// recorded webhooks; see docs/sandbox.md). Anyone who can reach the
    /// server can create a sandbox: for tests and local development only,
    /// never for a shared deployment.
    #[arg(long, env = "SWITCHBOARD_SANDBOX")]
    sandbox: bool,
}

fn positive_duration(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("must be more than zero".to_owned()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

fn server_settings(args: &ServeArgs) -> switchboard_http::ServerSettings {
    switchboard_http::ServerSettings {
        header_read_timeout: args.header_read_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: args.max_connections,
        ..switchboard_http::ServerSettings::default()
    }
}

/// A CIDR block, or one address (a /32 or /128).
fn trusted_proxy(value: &str) -> Result<IpNet, String> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{value:?} is not an IP address or CIDR block (such as 10.0.0.0/8)"))
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
        media_requires_auth: args.media_requires_auth,
    })
}

/// SIGINT or SIGTERM. Both are caught from this call on, not from the first
/// poll: a signal sent as soon as "listening" is printed still stops the
/// process gracefully instead of killing it.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let caught = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let recv = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let (interrupt, terminate) = caught;
            tokio::select! {
                () = recv(interrupt) => {},
                () = recv(terminate) => {},
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    }
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
        trusted_proxies: args.trusted_proxy.clone(),
        sandbox: args.sandbox,
    };
    let server = server_settings(&args);
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
    let stop = shutdown_signal();
    println!("Switchboard listening on http://{addr}");
    if let Some(at) = metrics.as_ref().and_then(|l| l.local_addr().ok()) {
        println!("Metrics at http://{at}/metrics");
    }
    tracing::info!(%addr, %public_url, backend = ?sb.store().backend(), "serving");
    serve_until(sb, listener, server, metrics, stop).await
}

/// Serves the API, pages and background deliveries (and metrics, on their own
/// listener, when given one) until `shutdown` completes.
pub async fn serve_until(
    sb: switchboard_domain::Switchboard,
    listener: TcpListener,
    server: switchboard_http::ServerSettings,
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
    let housekeeping = tokio::spawn(sb.clone().run_housekeeping(
        switchboard_domain::housekeeping::HOUSEKEEPING_INTERVAL,
        stopped(stop_rx.clone()),
    ));
    let mut app = switchboard_http::App::new(sb.clone());
    let metrics_server = metrics_listener.map(|metrics_listener| {
        tokio::spawn(switchboard_http::metrics::enable(
            &mut app,
            metrics_listener,
            stopped(stop_rx.clone()),
        ))
    });
    let served = switchboard_http::serve(listener, app, server, shutdown).await;
    let _ = stop_tx.send(true);
    let _ = deliveries.await;
    let _ = simulator.await;
    let _ = housekeeping.await;
    if let Some(metrics_server) = metrics_server {
        let _ = metrics_server.await;
    }
    served.map_err(|e| format!("server failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_blocks_or_single_addresses() {
        assert_eq!(
            trusted_proxy(" 10.0.0.0/8").unwrap(),
            "10.0.0.0/8".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            trusted_proxy("192.0.2.1").unwrap(),
            "192.0.2.1/32".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            trusted_proxy("2001:db8::1").unwrap(),
            "2001:db8::1/128".parse::<IpNet>().unwrap()
        );
        for bad in ["", "10.0.0.0/33", "proxy.example", "10.0.0.0/8/8"] {
            assert!(trusted_proxy(bad).is_err(), "{bad:?}");
        }
    }
}
