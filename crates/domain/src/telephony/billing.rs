//! Charging: every cost is a usage record of the account that owns the
//! resource, rolled up to its main account, and lowers the main account's
//! balance, in the transaction of the change that costs money. A Connect App's
//! calls and messages live in the customer's dedicated subaccount, so the
//! customer pays, never the app owner.
//!
//! A charge also fires the usage triggers it makes cross their value
//! ([`crate::usage_triggers::fire_crossed`]), in the same transaction: one
//! indexed look-up of the account's armed triggers, nothing more when it has
//! none.

use switchboard_store::Tx;
use switchboard_store::usage::{self, Charge};
use switchboard_types::{AccountSid, Timestamp, UsageCategory};

use crate::error::DomainResult;

/// One thing that costs (or counts).
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub category: UsageCategory,
    pub count: i64,
    /// In the category's unit: minutes, segments, numbers.
    pub usage: i64,
    pub price_micros: i64,
}

pub async fn charge(
    tx: &mut Tx,
    account: &AccountSid,
    main: &AccountSid,
    cost: Cost,
    at: Timestamp,
) -> DomainResult<()> {
    let day = super::day_of(at);
    let charge = Charge {
        account_sid: account,
        main_account_sid: main,
        category: cost.category,
        day: &day,
        count: cost.count,
        usage: cost.usage,
        price_micros: cost.price_micros,
    };
    tx.run(usage::add(&charge)).await?;
    if cost.price_micros != 0 {
        tx.run(usage::debit(&charge)).await?;
    }
    crate::usage_triggers::fire_crossed(
        tx,
        account,
        main,
        cost.category,
        cost.price_micros != 0,
        at,
    )
    .await?;
    Ok(())
}
