//! `switchboard messages …`: messages from simulated handsets.

use clap::{Args, Subcommand};
use serde::Serialize;
use switchboard_domain::Settings;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::inbound::IncomingMessage;

use super::output;

#[derive(Subcommand)]
pub enum MessagesCommand {
    /// A handset (any number not on this Switchboard) texts one of its
    /// numbers: the message is stored in the number's account and its
    /// messaging webhook is called by the running server.
    Receive(ReceiveArgs),
}

#[derive(Args)]
pub struct ReceiveArgs {
    /// The number of this Switchboard that receives it (E.164, +1…).
    #[arg(long)]
    to: String,
    /// The handset that sends it (E.164).
    #[arg(long)]
    from: String,
    /// The text.
    #[arg(long, default_value = "")]
    body: String,
    /// The sandbox (SB…) whose number receives it: a sandbox's numbers are
    /// its own (the same number may be owned in several). Without it, the
    /// number is one of the default world's.
    #[arg(long)]
    sandbox: Option<String>,
    /// A picture or other media the handset attaches (repeat for more).
    #[arg(long = "media-url")]
    media_urls: Vec<String>,
    /// Print the message as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Received {
    sid: String,
    account_sid: String,
    from: String,
    to: String,
    body: String,
    status: String,
}

pub async fn run(database_url: &str, cmd: MessagesCommand) -> Result<(), String> {
    let MessagesCommand::Receive(args) = cmd;
    let world = super::world_of(args.sandbox.as_deref())?;
    let sb = super::open(database_url, Settings::default()).await?;
    let access =
        super::number_owner_access(&sb, world.as_ref(), &args.to, Resource::Messages).await?;
    let new = IncomingMessage {
        from: Some(args.from),
        to: Some(args.to),
        body: Some(args.body),
        media_urls: args.media_urls,
    };
    let m = sb
        .receive_message(&access, &new)
        .await
        .map_err(super::say)?;
    let received = Received {
        sid: m.sid.to_string(),
        account_sid: m.account_sid.to_string(),
        from: m.from,
        to: m.to,
        body: m.body,
        status: m.status.as_str().to_owned(),
    };
    if args.json {
        return output::json(&received);
    }
    println!(
        "{} received {} from {} in {} (the server sends its webhook)",
        received.to, received.sid, received.from, received.account_sid
    );
    Ok(())
}
