//! `switchboard calls …`: calls from simulated handsets.

use clap::{Args, Subcommand};
use serde::Serialize;
use switchboard_domain::Settings;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::voice::{IncomingCall, check_input};

use super::output;

#[derive(Subcommand)]
pub enum CallsCommand {
    /// A handset (any number not on this Switchboard) calls one of its
    /// numbers: an inbound call rings in the number's account and the
    /// running server requests the number's voice URL and runs its TwiML.
    Receive(ReceiveArgs),
}

#[derive(Args)]
pub struct ReceiveArgs {
    /// The number of this Switchboard that is called (E.164, +1…).
    #[arg(long)]
    to: String,
    /// The handset that calls (E.164).
    #[arg(long)]
    from: String,
    /// Keys the caller presses at once (0-9, * and #), queued for the
    /// call's first <Gather>.
    #[arg(long)]
    digits: Option<String>,
    /// The sandbox (SB…) whose number is called: a sandbox's numbers are its
    /// own (the same number may be owned in several). Without it, the
    /// number is one of the default world's.
    #[arg(long)]
    sandbox: Option<String>,
    /// Print the call as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Received {
    sid: String,
    account_sid: String,
    from: String,
    to: String,
    direction: String,
    status: String,
}

pub async fn run(database_url: &str, cmd: CallsCommand) -> Result<(), String> {
    let CallsCommand::Receive(args) = cmd;
    let world = super::world_of(args.sandbox.as_deref())?;
    let digits = args
        .digits
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| check_input(Some(d), None, None))
        .transpose()
        .map_err(super::say)?;
    let sb = super::open(database_url, Settings::default()).await?;
    let access = super::number_owner_access(&sb, world.as_ref(), &args.to, Resource::Calls).await?;
    let new = IncomingCall {
        from: Some(args.from),
        to: Some(args.to),
        digits,
    };
    let c = sb.receive_call(&access, &new).await.map_err(super::say)?;
    let received = Received {
        sid: c.sid.to_string(),
        account_sid: c.account_sid.to_string(),
        from: c.from,
        to: c.to,
        direction: c.direction.as_str().to_owned(),
        status: c.status.as_str().to_owned(),
    };
    if args.json {
        return output::json(&received);
    }
    println!(
        "{} is ringing with {} from {} in {} (the server requests its voice URL)",
        received.to, received.sid, received.from, received.account_sid
    );
    Ok(())
}
