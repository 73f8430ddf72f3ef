//! Seeding an account with a history of finished calls and messages: for demos,
//! for tests of scale, and for the benchmarks. Rows go in many at a time, each
//! batch in one transaction with its charges, so a million calls take seconds
//! and the account's usage and balance agree with what it holds.

use std::collections::BTreeMap;

use switchboard_store::accounts;
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::messages::{self, MessageRecord};
use switchboard_telephony::outcome::{self, CallEnd, MessageEnd};
use switchboard_telephony::phone::PhoneNumber;
use switchboard_telephony::segments::count_segments;
use switchboard_types::{
    AccountSid, CallDirection, CallEvent, CallEvents, CallSid, HookMethod, MessageDirection,
    MessageSid, Timestamp, UsageCategory,
};

use super::billing::{self, Cost};
use super::day_of;
use crate::Switchboard;
use crate::error::{DomainError, DomainResult};

/// Rows per statement: within both databases' limits on bound parameters.
const BATCH: usize = 500;

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedPlan {
    pub account: AccountSid,
    pub calls: u64,
    pub messages: u64,
    /// The history is spread evenly over this many days before now.
    pub days: u32,
}

const BODIES: [&str; 4] = [
    "Your appointment is confirmed for tomorrow at 10:00.",
    "Ihre Bestellung wurde versandt. Vielen Dank!",
    "Thanks for calling! Rate us 👍 or 👎",
    "Reminder: your invoice is due on Friday. Reply STOP to opt out.",
];

/// A destination for the n-th row: a few hundred distinct numbers, so lists
/// filtered by `To` have something to find.
fn destination(n: u64) -> PhoneNumber {
    let line = 1000 + (n * 7919) % 400;
    PhoneNumber::parse(&format!("+1415555{line:04}"))
        .expect("eleven digits after a plus are an E.164 number")
}

type DayTotals = BTreeMap<(String, UsageCategory), (i64, i64, i64)>;

impl Switchboard {
    /// Seeds `plan`, reporting rows written to `progress` after each batch.
    pub async fn seed_history(
        &self,
        plan: &SeedPlan,
        mut progress: impl FnMut(u64),
    ) -> DomainResult<()> {
        let account = self
            .store()
            .opt(accounts::by_sid(&plan.account))
            .await?
            .ok_or(DomainError::NotFound)?;
        let main = account.owner_account_sid.clone();
        let from = "+15005550006".to_owned();
        let now = Timestamp::now().micros();
        let span = i64::from(plan.days.max(1)) * 86_400_000_000;
        let total = plan.calls + plan.messages;
        // Evenly spaced, oldest first, so rows keep their creation order.
        let at = |i: u64, n: u64| {
            Timestamp::from_micros(now - span + (span / n.max(1) as i64) * i as i64)
        };
        let prices = &self.settings().telephony.prices;
        let mut done = 0;
        let mut i = 0;
        while i < plan.calls {
            let end = (i + BATCH as u64).min(plan.calls);
            let mut totals = DayTotals::new();
            let batch: Vec<CallRecord> = (i..end)
                .map(|n| {
                    let to = destination(n);
                    let plan_call = outcome::plan_call(&to, 60);
                    let created = at(n, plan.calls);
                    let answered = plan_call.end == CallEnd::Completed;
                    let talk = if answered {
                        i64::from(plan_call.talk_secs)
                    } else {
                        0
                    };
                    let start = created.plus_micros(1_000_000);
                    let finish =
                        start.plus_micros((i64::from(plan_call.ring_secs) + talk) * 1_000_000);
                    let price = if talk > 0 {
                        prices.call(&to, talk as u32).micros()
                    } else {
                        0
                    };
                    if answered {
                        let e = totals
                            .entry((day_of(finish), UsageCategory::CallsOutbound))
                            .or_default();
                        *e = (e.0 + 1, e.1 + (talk + 59) / 60, e.2 + price);
                    }
                    CallRecord {
                        sid: CallSid::generate(),
                        account_sid: plan.account.clone(),
                        parent_call_sid: None,
                        to_number: to.as_str().to_owned(),
                        from_number: from.clone(),
                        phone_number_sid: None,
                        status: plan_call.end.status(),
                        direction: CallDirection::OutboundApi,
                        url: Some("https://demo.example/twiml".to_owned()),
                        twiml: None,
                        application_sid: None,
                        method: HookMethod::Post,
                        status_callback: None,
                        status_callback_method: HookMethod::Post,
                        status_callback_events: CallEvents::empty().with(CallEvent::Completed),
                        callback_signer_sid: plan.account.clone(),
                        timeout_secs: 60,
                        record: false,
                        end_status: plan_call.end.status(),
                        ring_secs: i64::from(plan_call.ring_secs),
                        talk_secs: talk,
                        next_transition_at: None,
                        start_time: Some(start),
                        end_time: Some(finish),
                        duration: Some(talk),
                        price_micros: Some(price),
                        date_created: created,
                        date_updated: finish,
                        machine_detection: None,
                        answered_by: None,
                        peer_call_sid: None,
                    }
                })
                .collect();
            let mut tx = self.store().begin().await?;
            tx.run(calls::insert_many(&batch)).await?;
            charge_totals(&mut tx, &plan.account, &main, totals).await?;
            tx.commit().await?;
            done += batch.len() as u64;
            progress(done);
            i = end;
        }
        let mut i = 0;
        while i < plan.messages {
            let end = (i + BATCH as u64).min(plan.messages);
            let mut totals = DayTotals::new();
            let batch: Vec<MessageRecord> = (i..end)
                .map(|n| {
                    let to = destination(n + 17);
                    let body = BODIES[(n % BODIES.len() as u64) as usize].to_owned();
                    let segments = count_segments(&body).count;
                    let ending = outcome::plan_message(&to);
                    let created = at(n, plan.messages);
                    let sent = created.plus_micros(2_000_000);
                    let (price, date_sent) = if ending == MessageEnd::Failed {
                        (0, None)
                    } else {
                        (prices.message(&to, segments).micros(), Some(sent))
                    };
                    if date_sent.is_some() {
                        let e = totals
                            .entry((day_of(sent), UsageCategory::SmsOutbound))
                            .or_default();
                        *e = (e.0 + 1, e.1 + i64::from(segments), e.2 + price);
                    }
                    let error = ending.error_code();
                    MessageRecord {
                        sid: MessageSid::generate(),
                        account_sid: plan.account.clone(),
                        to_number: to.as_str().to_owned(),
                        from_number: from.clone(),
                        body,
                        num_segments: i64::from(segments),
                        media_urls: String::new(),
                        status: ending.status(),
                        direction: MessageDirection::OutboundApi,
                        status_callback: None,
                        callback_signer_sid: plan.account.clone(),
                        end_status: ending.status(),
                        next_transition_at: None,
                        error_code: error.map(|(c, _)| i64::from(c)),
                        error_message: error.map(|(_, m)| m.to_owned()),
                        date_sent,
                        price_micros: Some(price),
                        date_created: created,
                        date_updated: sent,
                        messaging_service_sid: None,
                    }
                })
                .collect();
            let mut tx = self.store().begin().await?;
            tx.run(messages::insert_many(&batch)).await?;
            charge_totals(&mut tx, &plan.account, &main, totals).await?;
            tx.commit().await?;
            done += batch.len() as u64;
            progress(done);
            i = end;
        }
        tracing::info!(account = %plan.account, rows = total, "seeded history");
        Ok(())
    }
}

async fn charge_totals(
    tx: &mut switchboard_store::Tx,
    account: &AccountSid,
    main: &AccountSid,
    totals: DayTotals,
) -> DomainResult<()> {
    for ((day, category), (count, usage, price_micros)) in totals {
        let at = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map_or_else(Timestamp::now, |d| {
                Timestamp::from_micros(d.and_utc().timestamp_micros())
            });
        billing::charge(
            tx,
            account,
            main,
            Cost {
                category,
                count,
                usage,
                price_micros,
            },
            at,
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_valid_numbers() {
        for n in [0, 1, 399, 400, 1_000_000] {
            assert!(destination(n).as_str().starts_with("+1415555"));
        }
    }
}
