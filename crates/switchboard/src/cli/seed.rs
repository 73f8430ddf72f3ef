//! `switchboard seed`: a history of finished calls and messages for an account.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use switchboard_domain::Settings;
use switchboard_domain::telephony::seed::SeedPlan;
use switchboard_types::AccountSid;

#[derive(Args)]
pub struct SeedArgs {
    /// The account (AC…) that made the calls and sent the messages.
    #[arg(long)]
    account: String,
    /// How many finished calls to add.
    #[arg(long, default_value_t = 0)]
    calls: u64,
    /// How many finished messages to add.
    #[arg(long, default_value_t = 0)]
    messages: u64,
    /// Spread the history evenly over this many days before now.
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// No progress bar (for scripts).
    #[arg(long)]
    quiet: bool,
}

pub async fn run(database_url: &str, args: SeedArgs) -> Result<(), String> {
    let account = AccountSid::parse(&args.account).map_err(|e| e.to_string())?;
    if args.calls == 0 && args.messages == 0 {
        return Err("nothing to seed: give --calls N and/or --messages N".into());
    }
    let sb = super::open(database_url, Settings::default()).await?;
    let plan = SeedPlan {
        account,
        calls: args.calls,
        messages: args.messages,
        days: args.days,
    };
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(args.calls + args.messages)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {bar:40} {human_pos}/{human_len} rows  {per_sec}  eta {eta}",
        )
        .map_err(|e| e.to_string())?,
    );
    sb.seed_history(&plan, |done| bar.set_position(done))
        .await
        .map_err(|e| format!("seeding failed: {e}"))?;
    bar.finish();
    eprintln!(
        "seeded {} calls and {} messages into {}",
        plan.calls, plan.messages, plan.account
    );
    Ok(())
}
