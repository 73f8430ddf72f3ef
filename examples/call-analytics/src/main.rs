#![forbid(unsafe_code)]

use clap::Parser;

/// Call Analytics: an example Connect App for Switchboard.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    config: call_analytics::Config,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CALL_ANALYTICS_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let listener = tokio::net::TcpListener::bind(cli.config.listen).await?;
    println!(
        "Call Analytics listening on http://{}",
        listener.local_addr()?
    );
    call_analytics::serve(cli.config, listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
