//! Usage triggers (`/2010-04-01/Accounts/{Sid}/Usage/Triggers`), reached by
//! [`Switchboard::usage_triggers`]: a callback sent when the account's usage
//! of a category crosses a value, at most once per period (`Recurring`:
//! a day, month or year of the account's world's clock, in UTC; `alltime`
//! fires once ever).
//!
//! Triggers are checked by every charge ([`fire_crossed`], called by
//! `billing::charge` in the change's transaction): one indexed look-up of
//! the triggers of the charged account (and of its main account, whose
//! triggers watch the whole tree, as its usage records do) armed on the
//! charge's day, and nothing more when there are none. A trigger that fires
//! moves its `armed_from` to the start of its next period, writes
//! `date_fired` and `current_value` and puts its callback in the outbox, all
//! in that transaction: it fires once, on every node and across restarts.

use chrono::{Datelike, Days, Months, NaiveDate};
use switchboard_store::Tx;
use switchboard_store::page::{Page, PageAt};
use switchboard_store::usage::UsageScope;
use switchboard_store::usage_triggers::{self as store, NEVER_AGAIN};
use switchboard_types::{
    AccountSid, HookMethod, Timestamp, TriggerField, TriggerRecurring, UsageCategory,
    UsageTriggerSid,
};

use crate::access::{Access, Reader, Resource};
use crate::audit;
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::{DomainError, DomainResult, Problem, UsageTriggerField as F, invalid};
use crate::telephony::usage::{category_names, format_dollars, leaves_of};
use crate::telephony::{callback_signer, day_of, method_param, url_param};
use crate::{Switchboard, validate};

pub use switchboard_store::usage_triggers::UsageTriggerRecord as UsageTrigger;

/// The API version triggers are made with.
const API_VERSION: &str = "2010-04-01";

/// What a create names (`None`: not given; Twilio's default where it has
/// one).
#[derive(Debug, Default, Clone)]
pub struct NewUsageTrigger {
    pub callback_url: Option<String>,
    pub callback_method: Option<String>,
    pub friendly_name: Option<String>,
    /// A positive number, or `+N`: N more than the current value.
    pub trigger_value: Option<String>,
    pub usage_category: Option<String>,
    pub recurring: Option<String>,
    pub trigger_by: Option<String>,
}

/// What an update may change; `None` leaves it as it is.
#[derive(Debug, Default, Clone)]
pub struct UsageTriggerChanges {
    pub callback_url: Option<String>,
    pub callback_method: Option<String>,
    pub friendly_name: Option<String>,
}

/// The filters of a list.
#[derive(Debug, Default, Clone, Copy)]
pub struct TriggerFilter<'a> {
    pub recurring: Option<TriggerRecurring>,
    pub trigger_by: Option<TriggerField>,
    pub usage_category: Option<&'a str>,
}

impl Switchboard {
    /// Usage triggers, in the account an access names.
    pub fn usage_triggers(&self) -> UsageTriggers<'_> {
        UsageTriggers { sb: self }
    }
}

/// The usage triggers of the account an access names
/// (`Resource::UsageTriggers`).
pub struct UsageTriggers<'a> {
    sb: &'a Switchboard,
}

fn described(t: &UsageTrigger) -> String {
    format!(
        "{} {} {} {}{}",
        t.usage_category,
        t.trigger_by,
        t.trigger_value,
        t.recurring,
        t.friendly_name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    )
}

/// `Recurring` as given: empty (or absent) is a trigger that fires once.
pub fn parse_recurring(value: Option<&str>) -> DomainResult<TriggerRecurring> {
    match value.map(str::trim) {
        None | Some("") => Ok(TriggerRecurring::AllTime),
        Some(v) => TriggerRecurring::parse(v).map_err(|_| {
            invalid(
                F::Recurring,
                Problem::NotOneOf {
                    allowed: TriggerRecurring::ALL.iter().map(|r| r.as_str()).collect(),
                    given: v.to_owned(),
                },
            )
        }),
    }
}

/// `TriggerBy` as given (Twilio's default: `usage`).
pub fn parse_trigger_by(value: Option<&str>) -> DomainResult<TriggerField> {
    match value.map(str::trim) {
        None | Some("") => Ok(TriggerField::Usage),
        Some(v) => TriggerField::parse(v).map_err(|_| {
            invalid(
                F::TriggerBy,
                Problem::NotOneOf {
                    allowed: TriggerField::ALL.iter().map(|r| r.as_str()).collect(),
                    given: v.to_owned(),
                },
            )
        }),
    }
}

/// A usage category Switchboard reports (and so can watch).
fn category(value: &str) -> DomainResult<(String, &'static [UsageCategory])> {
    let v = value.trim();
    leaves_of(v).map(|l| (v.to_owned(), l)).ok_or_else(|| {
        invalid(
            F::UsageCategory,
            Problem::NotOneOf {
                allowed: category_names(),
                given: v.to_owned(),
            },
        )
    })
}

/// Millionths of a positive decimal number (at most six decimals).
fn parse_micros(text: &str) -> Option<i64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 6
        || whole.len() > 12
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<6}").parse().ok()?;
    Some(whole * 1_000_000 + frac).filter(|m| *m > 0)
}

/// Millionths as the shortest decimal: `30`, `0.5`, `1.25`.
fn decimal(micros: i64) -> String {
    let whole = micros / 1_000_000;
    let frac = micros % 1_000_000;
    if frac == 0 {
        return whole.to_string();
    }
    let mut f = format!("{frac:06}");
    while f.ends_with('0') {
        f.pop();
    }
    format!("{whole}.{f}")
}

/// The first day of the period `day` is in, and the first day of the next
/// one (`''` and never for `alltime`).
fn period(recurring: TriggerRecurring, day: NaiveDate) -> (String, String) {
    let ymd = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let month = day.with_day(1).unwrap_or(day);
    let year = day.with_ordinal(1).unwrap_or(day);
    let never = || NEVER_AGAIN.to_owned();
    match recurring {
        TriggerRecurring::Daily => (
            ymd(day),
            day.checked_add_days(Days::new(1)).map_or_else(never, ymd),
        ),
        TriggerRecurring::Monthly => (
            ymd(month),
            month
                .checked_add_months(Months::new(1))
                .map_or_else(never, ymd),
        ),
        TriggerRecurring::Yearly => (
            ymd(year),
            year.checked_add_months(Months::new(12))
                .map_or_else(never, ymd),
        ),
        TriggerRecurring::AllTime => (String::new(), never()),
    }
}

/// What a trigger watches, over the period `day` is in: millionths (to
/// compare with its value) and the text Twilio shows.
async fn watched(
    tx: &mut Tx,
    trigger: &UsageTrigger,
    is_main: bool,
    leaves: &'static [UsageCategory],
    day: NaiveDate,
) -> DomainResult<(i64, String)> {
    let (first, _) = period(trigger.recurring, day);
    let last = day.format("%Y-%m-%d").to_string();
    let scope = if is_main {
        UsageScope::Tree(&trigger.account_sid)
    } else {
        UsageScope::Account(&trigger.account_sid)
    };
    let which = (!leaves.is_empty()).then_some(leaves);
    let (count, usage, price) = tx.one(store::totals(scope, which, &first, &last)).await?;
    let whole = |n: i64| (n.saturating_mul(1_000_000), n.to_string());
    Ok(match (trigger.trigger_by, leaves.is_empty()) {
        // `totalprice` counts nothing; its usage is its price, in dollars.
        (TriggerField::Count, true) => whole(0),
        (TriggerField::Count, false) => whole(count),
        (TriggerField::Usage, false) => whole(usage),
        (TriggerField::Price, _) | (TriggerField::Usage, true) => (price, format_dollars(price)),
    })
}

fn date_of(t: Timestamp) -> NaiveDate {
    t.to_datetime().date_naive()
}

impl UsageTriggers<'_> {
    /// Creates a trigger. A `TriggerValue` of `+N` is N more than what it
    /// watches now.
    pub async fn create(
        &self,
        access: &Access,
        new: &NewUsageTrigger,
    ) -> DomainResult<UsageTrigger> {
        let (account, log) = access.write_target(Resource::UsageTriggers)?;
        let is_main = account == log;
        let callback_url = url_param(F::CallbackUrl, new.callback_url.as_deref())?
            .ok_or_else(|| invalid(F::CallbackUrl, Problem::Missing))?;
        let callback_method = method_param(
            F::CallbackMethod,
            new.callback_method.as_deref(),
            HookMethod::Post,
        )?;
        let friendly_name = match new.friendly_name.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(validate::friendly_name(F::Name, v)?),
        };
        let value_text = match new.trigger_value.as_deref().map(str::trim) {
            None | Some("") => return Err(invalid(F::TriggerValue, Problem::Missing)),
            Some(v) => v.to_owned(),
        };
        let (usage_category, leaves) = match new.usage_category.as_deref().map(str::trim) {
            None | Some("") => return Err(invalid(F::UsageCategory, Problem::Missing)),
            Some(v) => category(v)?,
        };
        let recurring = parse_recurring(new.recurring.as_deref())?;
        let trigger_by = parse_trigger_by(new.trigger_by.as_deref())?;
        let not_number = || invalid(F::TriggerValue, Problem::NotPositiveNumber);
        let (offset, micros) = match value_text.strip_prefix('+') {
            Some(rest) => (true, parse_micros(rest).ok_or_else(not_number)?),
            None => (false, parse_micros(&value_text).ok_or_else(not_number)?),
        };
        let now = self.sb.now_for(access).await?;
        let mut trigger = UsageTrigger {
            sid: UsageTriggerSid::generate(),
            account_sid: account.clone(),
            friendly_name,
            api_version: API_VERSION.to_owned(),
            usage_category,
            trigger_by,
            trigger_value: decimal(micros),
            recurring,
            callback_url,
            callback_method,
            callback_signer_sid: callback_signer(access)?,
            current_value: None,
            date_fired: None,
            armed_from: String::new(),
            date_created: now,
            date_updated: now,
        };
        let mut tx = self.sb.store().begin().await?;
        if offset {
            let (current, _) = watched(&mut tx, &trigger, is_main, leaves, date_of(now)).await?;
            trigger.trigger_value = decimal(current.saturating_add(micros));
        }
        tx.run(store::insert(&trigger)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "usage-trigger.create",
            &trigger.sid,
            described(&trigger),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(account = %account, trigger = %trigger.sid, "created a usage trigger");
        Ok(trigger)
    }

    /// The triggers of the account, oldest first (authorised and read in one
    /// round trip for an API request).
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        filter: TriggerFilter<'a>,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<UsageTrigger>> {
        self.sb
            .read_page(reader, Resource::UsageTriggers, |account| {
                store::list(
                    account,
                    filter.recurring,
                    filter.trigger_by,
                    filter.usage_category,
                    at,
                    size,
                )
            })
            .await
    }

    /// One trigger of the account; anyone else's is not found.
    pub async fn get<'a>(
        &self,
        reader: Reader<'a>,
        sid: &'a UsageTriggerSid,
    ) -> DomainResult<UsageTrigger> {
        self.sb
            .read_one(reader, Resource::UsageTriggers, |account| {
                store::of_account(account, sid)
            })
            .await
    }

    /// Changes a trigger's name or callback (what it watches is fixed, as
    /// Twilio's). Whoever sets the callback signs it from then on.
    pub async fn update(
        &self,
        access: &Access,
        sid: &UsageTriggerSid,
        changes: &UsageTriggerChanges,
    ) -> DomainResult<UsageTrigger> {
        let (account, log) = access.write_target(Resource::UsageTriggers)?;
        let mut tx = self.sb.store().begin().await?;
        let mut trigger = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if let Some(v) = &changes.friendly_name {
            trigger.friendly_name = match v.trim() {
                "" => None,
                _ => Some(validate::friendly_name(F::Name, v)?),
            };
        }
        if let Some(v) = &changes.callback_url {
            trigger.callback_url = url_param(F::CallbackUrl, Some(v))?
                .ok_or_else(|| invalid(F::CallbackUrl, Problem::Blank))?;
            trigger.callback_signer_sid = callback_signer(access)?;
        }
        if changes.callback_method.is_some() {
            trigger.callback_method = method_param(
                F::CallbackMethod,
                changes.callback_method.as_deref(),
                trigger.callback_method,
            )?;
        }
        trigger.date_updated = self.sb.now_for(access).await?;
        tx.run(store::update(&trigger)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "usage-trigger.update",
            sid,
            described(&trigger),
        )
        .await?;
        tx.commit().await?;
        Ok(trigger)
    }

    pub async fn delete(&self, access: &Access, sid: &UsageTriggerSid) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::UsageTriggers)?;
        let mut tx = self.sb.store().begin().await?;
        let trigger = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        tx.run(store::delete(account, sid)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "usage-trigger.delete",
            sid,
            described(&trigger),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(trigger = %sid, "deleted a usage trigger");
        Ok(())
    }
}

/// Fires, inside a charge's transaction, the triggers the charge made cross
/// their value: those of the charged `account` and of its `main` account
/// that watch `leaf` (or `totalprice`, when the charge cost something) and
/// have not fired in the period `at` is in. Returns how many fired.
pub(crate) async fn fire_crossed(
    tx: &mut Tx,
    account: &AccountSid,
    main: &AccountSid,
    leaf: UsageCategory,
    priced: bool,
    at: Timestamp,
) -> DomainResult<usize> {
    let day_text = day_of(at);
    let armed = tx.all(store::armed(account, main, &day_text)).await?;
    if armed.is_empty() {
        return Ok(0);
    }
    let day = date_of(at);
    let mut fired = 0;
    for mut trigger in armed {
        let Some(leaves) = leaves_of(&trigger.usage_category) else {
            continue;
        };
        let watches = if leaves.is_empty() {
            priced
        } else {
            leaves.contains(&leaf)
        };
        let Some(threshold) = parse_micros(&trigger.trigger_value) else {
            continue;
        };
        if !watches {
            continue;
        }
        let is_main = trigger.account_sid == *main;
        let (current, current_text) = watched(tx, &trigger, is_main, leaves, day).await?;
        if current < threshold {
            continue;
        }
        let (first, next) = period(trigger.recurring, day);
        let armed_was = std::mem::replace(&mut trigger.armed_from, next);
        if tx
            .run(store::fire(&trigger, &armed_was, &current_text, at))
            .await?
            == 0
        {
            // Another transaction fired it first.
            continue;
        }
        let period_key = if first.is_empty() {
            "alltime"
        } else {
            first.as_str()
        };
        let token = format!("{}-{period_key}", trigger.sid);
        let params = [
            ("AccountSid", trigger.account_sid.to_string()),
            ("UsageTriggerSid", trigger.sid.to_string()),
            ("DateFired", at.rfc2822()),
            ("Recurring", trigger.recurring.as_str().to_owned()),
            ("UsageCategory", trigger.usage_category.clone()),
            ("TriggerBy", trigger.trigger_by.as_str().to_owned()),
            ("TriggerValue", trigger.trigger_value.clone()),
            ("CurrentValue", current_text),
            ("UsageRecordUri", usage_record_uri(&trigger)),
            ("IdempotencyToken", token.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let hook = Webhook::notice(
            WebhookKind::UsageTrigger,
            (
                trigger.account_sid.clone(),
                trigger.callback_signer_sid.clone(),
            ),
            Some(trigger.sid.to_string()),
            (trigger.callback_method, trigger.callback_url.clone()),
            params,
        );
        delivery::enqueue_with_token(tx, &hook, at, token).await?;
        tracing::info!(trigger = %trigger.sid, account = %trigger.account_sid, "a usage trigger fired");
        fired += 1;
    }
    Ok(fired)
}

/// The usage records of the period a trigger watches, relative to Twilio's
/// host (`Yearly` lists each year: the last one is the current year's).
pub fn usage_record_uri(t: &UsageTrigger) -> String {
    let list = match t.recurring {
        TriggerRecurring::Daily => "Today",
        TriggerRecurring::Monthly => "ThisMonth",
        TriggerRecurring::Yearly => "Yearly",
        TriggerRecurring::AllTime => "AllTime",
    };
    format!(
        "/{API_VERSION}/Accounts/{}/Usage/Records/{list}.json?Category={}",
        t.account_sid, t.usage_category
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn values_are_positive_decimals() {
        assert_eq!(parse_micros("30"), Some(30_000_000));
        assert_eq!(parse_micros("0.5"), Some(500_000));
        assert_eq!(parse_micros(".25"), Some(250_000));
        assert_eq!(parse_micros("1.000001"), Some(1_000_001));
        for bad in [
            "",
            ".",
            "0",
            "0.0",
            "-1",
            "1e3",
            "1.0000001",
            "abc",
            " 1",
            "1,5",
        ] {
            assert_eq!(parse_micros(bad), None, "{bad:?}");
        }
        assert_eq!(decimal(30_000_000), "30");
        assert_eq!(decimal(1_250_000), "1.25");
        assert_eq!(decimal(500), "0.0005");
    }

    #[test]
    fn periods_start_and_end_in_utc_calendar_units() {
        let day = d("2026-12-31");
        assert_eq!(
            period(TriggerRecurring::Daily, day),
            ("2026-12-31".into(), "2027-01-01".into())
        );
        assert_eq!(
            period(TriggerRecurring::Monthly, day),
            ("2026-12-01".into(), "2027-01-01".into())
        );
        assert_eq!(
            period(TriggerRecurring::Yearly, d("2026-03-04")),
            ("2026-01-01".into(), "2027-01-01".into())
        );
        assert_eq!(
            period(TriggerRecurring::AllTime, day),
            (String::new(), NEVER_AGAIN.to_owned())
        );
    }
}
