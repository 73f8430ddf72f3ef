//! Usage records (`…/Usage/Records…`) and balances (`…/Balance.json`), read
//! from the per-day roll-up that every charge adds to.

use chrono::{Datelike, Days, Months, NaiveDate};
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_store::usage::{self, Period, UsageRow, UsageScope};
use switchboard_types::{AccountSid, Timestamp, UsageCategory};

use crate::Switchboard;
use crate::access::{Access, Reader, Resource};
use crate::error::{DomainResult, Problem, UsageField, invalid};

/// A category a report can show: leaves are charged directly, the others add
/// leaves up.
struct Category {
    name: &'static str,
    description: &'static str,
    count_unit: &'static str,
    usage_unit: &'static str,
    /// The leaf categories it sums; empty for `totalprice` (every leaf's price).
    leaves: &'static [UsageCategory],
}

const CATEGORIES: &[Category] = &[
    Category {
        name: "calls",
        description: "Voice Minutes",
        count_unit: "calls",
        usage_unit: "minutes",
        leaves: &[UsageCategory::CallsInbound, UsageCategory::CallsOutbound],
    },
    Category {
        name: "calls-inbound",
        description: "Inbound Voice Minutes",
        count_unit: "calls",
        usage_unit: "minutes",
        leaves: &[UsageCategory::CallsInbound],
    },
    Category {
        name: "calls-outbound",
        description: "Outbound Voice Minutes",
        count_unit: "calls",
        usage_unit: "minutes",
        leaves: &[UsageCategory::CallsOutbound],
    },
    Category {
        name: "phonenumbers",
        description: "Phone Numbers",
        count_unit: "phone-numbers",
        usage_unit: "phone-numbers",
        leaves: &[UsageCategory::PhoneNumbers],
    },
    Category {
        name: "recordings",
        description: "Recording Minutes",
        count_unit: "recordings",
        usage_unit: "minutes",
        leaves: &[UsageCategory::Recordings],
    },
    Category {
        name: "sms",
        description: "SMS Messages",
        count_unit: "messages",
        usage_unit: "segments",
        leaves: &[UsageCategory::SmsInbound, UsageCategory::SmsOutbound],
    },
    Category {
        name: "sms-inbound",
        description: "Inbound SMS Messages",
        count_unit: "messages",
        usage_unit: "segments",
        leaves: &[UsageCategory::SmsInbound],
    },
    Category {
        name: "sms-outbound",
        description: "Outbound SMS Messages",
        count_unit: "messages",
        usage_unit: "segments",
        leaves: &[UsageCategory::SmsOutbound],
    },
    Category {
        name: "transcriptions",
        description: "Voice Transcription Minutes",
        count_unit: "transcriptions",
        usage_unit: "minutes",
        leaves: &[UsageCategory::Transcriptions],
    },
    Category {
        name: "totalprice",
        description: "Total Price",
        count_unit: "",
        usage_unit: "usd",
        leaves: &[],
    },
];

/// The categories Switchboard reports, for error messages and docs.
pub fn category_names() -> Vec<&'static str> {
    CATEGORIES.iter().map(|c| c.name).collect()
}

/// The leaf categories a reported category adds up (empty for `totalprice`:
/// every leaf's price), or `None` for a category Switchboard does not report.
pub(crate) fn leaves_of(name: &str) -> Option<&'static [UsageCategory]> {
    CATEGORIES.iter().find(|c| c.name == name).map(|c| c.leaves)
}

/// Which `Usage/Records` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageList {
    All,
    Daily,
    Monthly,
    Yearly,
    AllTime,
    Today,
    Yesterday,
    ThisMonth,
    LastMonth,
}

impl UsageList {
    /// From the path segment after `Records/` (`None`: the bare list).
    pub fn from_segment(segment: Option<&str>) -> Option<UsageList> {
        Some(match segment {
            None => UsageList::All,
            Some("Daily") => UsageList::Daily,
            Some("Monthly") => UsageList::Monthly,
            Some("Yearly") => UsageList::Yearly,
            Some("AllTime") => UsageList::AllTime,
            Some("Today") => UsageList::Today,
            Some("Yesterday") => UsageList::Yesterday,
            Some("ThisMonth") => UsageList::ThisMonth,
            Some("LastMonth") => UsageList::LastMonth,
            Some(_) => return None,
        })
    }

    /// The key of the list in Twilio's JSON.
    pub fn json_key(self) -> &'static str {
        "usage_records"
    }
}

#[derive(Debug, Clone)]
pub struct UsageRequest {
    pub list: UsageList,
    pub category: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub include_subaccounts: bool,
}

/// One usage record as Twilio shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    pub account_sid: AccountSid,
    pub category: &'static str,
    pub description: &'static str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub count: i64,
    pub count_unit: &'static str,
    /// Decimal text: minutes, segments, numbers, or dollars for `totalprice`.
    pub usage: String,
    pub usage_unit: &'static str,
    pub price_micros: i64,
    pub as_of: Timestamp,
    /// Where the record sits in its report (reports are built whole, then paged).
    pub position: i64,
}

impl Keyed for UsageRecord {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.position,
            sid: self.category.to_owned(),
        }
    }
}

/// The longest report by day Switchboard builds, in days.
const MAX_DAYS: i64 = 3660;

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The periods of a report between two days, each as `(first, last, prefix)`.
fn periods(period: Period, start: NaiveDate, end: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut at = start;
    while at <= end {
        let next = match period {
            Period::Day => at.checked_add_days(Days::new(1)),
            Period::Month => month_start(at).checked_add_months(Months::new(1)),
            Period::Year => NaiveDate::from_ymd_opt(at.year() + 1, 1, 1),
            Period::All => None,
        };
        let last = next.and_then(|n| n.pred_opt()).map_or(end, |l| l.min(end));
        out.push((at, last));
        match next {
            Some(n) => at = n,
            None => break,
        }
    }
    out
}

fn usage_text(category: &Category, usage: i64, price_micros: i64) -> String {
    if category.leaves.is_empty() {
        format_dollars(price_micros)
    } else {
        usage.to_string()
    }
}

/// Micro-dollars as dollars with two decimals or more, as Twilio writes them.
pub fn format_dollars(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let whole = abs / 1_000_000;
    let frac = abs % 1_000_000;
    let mut frac_text = format!("{frac:06}");
    while frac_text.len() > 2 && frac_text.ends_with('0') {
        frac_text.pop();
    }
    format!("{sign}{whole}.{frac_text}")
}

impl Switchboard {
    /// A usage report for the target account (and its subaccounts, when it is
    /// a main account and `include_subaccounts`), paged in memory.
    pub async fn usage_records<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        report: &UsageRequest,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<UsageRecord>> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let access = self.reader_access(reader, Resource::Usage).await?;
        let target = access.target_account()?;
        let scope = if report.include_subaccounts && target.is_main() {
            UsageScope::Tree(account)
        } else {
            UsageScope::Account(account)
        };
        let categories: Vec<&Category> = match &report.category {
            None => CATEGORIES.iter().collect(),
            Some(name) => vec![CATEGORIES.iter().find(|c| c.name == name).ok_or_else(|| {
                invalid(
                    UsageField::Category,
                    Problem::NotOneOf {
                        allowed: category_names(),
                        given: name.clone(),
                    },
                )
            })?],
        };
        let now = self.now_for(&access).await?;
        let today = now.to_datetime().date_naive();
        let first_used = self
            .store()
            .one(usage::first_day(scope))
            .await?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .unwrap_or(today);
        let (period, default_start, default_end) = match report.list {
            UsageList::All => (Period::All, first_used, today),
            UsageList::AllTime => (Period::All, first_used.min(today), today),
            UsageList::Daily => (Period::Day, first_used, today),
            UsageList::Monthly => (Period::Month, month_start(first_used), today),
            UsageList::Yearly => (
                Period::Year,
                first_used.with_ordinal(1).unwrap_or(first_used),
                today,
            ),
            UsageList::Today => (Period::All, today, today),
            UsageList::Yesterday => {
                let y = today.pred_opt().unwrap_or(today);
                (Period::All, y, y)
            }
            UsageList::ThisMonth => (Period::All, month_start(today), today),
            UsageList::LastMonth => {
                let last = month_start(today).pred_opt().unwrap_or(today);
                (Period::All, month_start(last), last)
            }
        };
        let fixed = matches!(
            report.list,
            UsageList::AllTime
                | UsageList::Today
                | UsageList::Yesterday
                | UsageList::ThisMonth
                | UsageList::LastMonth
        );
        let (start, end) = if fixed {
            (default_start, default_end)
        } else {
            (
                report.start_date.unwrap_or(default_start),
                report.end_date.unwrap_or(default_end),
            )
        };
        if end < start {
            return Err(invalid(UsageField::EndDate, Problem::BeforeStart));
        }
        if period == Period::Day && (end - start).num_days() > MAX_DAYS {
            return Err(invalid(
                UsageField::StartDate,
                Problem::SpanTooLong { max_days: MAX_DAYS },
            ));
        }
        let (first, last) = (day(start), day(end));
        let rows = self
            .store()
            .all(usage::summed(scope, &first, &last, period))
            .await?;
        let mut records = Vec::new();
        for category in categories {
            for (from, to) in periods(period, start, end) {
                let prefix = &day(from)[..period.prefix_len()];
                let in_period = |r: &&UsageRow| {
                    r.period == prefix
                        && (category.leaves.is_empty() || category.leaves.contains(&r.category))
                };
                let (count, used, price) = rows
                    .iter()
                    .filter(in_period)
                    .fold((0, 0, 0), |(c, u, p), r| {
                        (c + r.count, u + r.usage, p + r.price_micros)
                    });
                records.push(UsageRecord {
                    account_sid: account.clone(),
                    category: category.name,
                    description: category.description,
                    start_date: from,
                    end_date: to,
                    count: if category.leaves.is_empty() { 0 } else { count },
                    count_unit: category.count_unit,
                    usage: usage_text(category, used, price),
                    usage_unit: category.usage_unit,
                    price_micros: price,
                    as_of: now,
                    position: records.len() as i64,
                });
            }
        }
        Ok(page_in_memory(records, at, size))
    }

    /// `GET …/Balance.json`: what the account's main account has left.
    pub async fn balance<'r>(&self, reader: impl Into<Reader<'r>>) -> DomainResult<(Access, i64)> {
        let access = self.reader_access(reader.into(), Resource::Balance).await?;
        let main = access.target_account()?.owner_account_sid.clone();
        let micros = self.store().one(usage::balance(&main)).await?;
        Ok((access, micros))
    }
}

fn page_in_memory(records: Vec<UsageRecord>, at: &PageAt, size: u32) -> Page<UsageRecord> {
    let size = size as usize;
    let (start, end) = match at {
        PageAt::First => (0, size.min(records.len())),
        PageAt::After(c) => {
            let s = usize::try_from(c.key + 1).unwrap_or(0).min(records.len());
            (s, (s + size).min(records.len()))
        }
        PageAt::Before(c) => {
            let e = usize::try_from(c.key).unwrap_or(0).min(records.len());
            (e.saturating_sub(size), e)
        }
    };
    let has_next = end < records.len();
    let has_previous = start > 0;
    let items = records.into_iter().skip(start).take(end - start).collect();
    Page {
        items,
        has_next,
        has_previous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_are_cut_at_the_range() {
        let p = periods(Period::Month, d("2026-01-15"), d("2026-03-02"));
        assert_eq!(
            p,
            vec![
                (d("2026-01-15"), d("2026-01-31")),
                (d("2026-02-01"), d("2026-02-28")),
                (d("2026-03-01"), d("2026-03-02")),
            ]
        );
        assert_eq!(
            periods(Period::All, d("2026-01-15"), d("2026-03-02")).len(),
            1
        );
        assert_eq!(
            periods(Period::Day, d("2026-02-27"), d("2026-03-01")).len(),
            3
        );
    }

    #[test]
    fn dollars_keep_significant_digits() {
        assert_eq!(format_dollars(0), "0.00");
        assert_eq!(format_dollars(1_150_000), "1.15");
        assert_eq!(format_dollars(7_900), "0.0079");
        assert_eq!(format_dollars(-14_000), "-0.014");
    }
}
