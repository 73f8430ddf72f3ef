//! Read models of the console's pages that have no API resource of their
//! own: a tree's calls and messages logs and its spend. Each takes the
//! [`Access`] the policy granted the console user, like every operation.

use chrono::{Duration, Utc};
use switchboard_store::calls::{self, CallFilter, CallRecord};
use switchboard_store::messages::{self, MessageFilter, MessageRecord};
use switchboard_store::page::{Page, PageAt};
use switchboard_store::usage::{self, Period, UsageScope};

use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::DomainResult;

/// Spend of one category over a period.
pub struct CategorySpend {
    pub category: String,
    pub count: i64,
    pub usage: i64,
    pub price_micros: i64,
}

/// Spend over a window of days, for the usage page.
pub struct UsageSummary {
    pub first_day: String,
    pub last_day: String,
    /// Every day of the window, oldest first, with what it cost.
    pub days: Vec<(String, i64)>,
    pub categories: Vec<CategorySpend>,
    pub balance_micros: i64,
}

impl Switchboard {
    /// Calls of the account the access names (`Resource::Calls`).
    pub async fn console_calls(
        &self,
        access: &Access,
        filter: &CallFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<CallRecord>> {
        access.require(Action::Read, Resource::Calls)?;
        let (query, shape) = calls::list(&access.target_account()?.sid, filter, at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }

    /// Messages of the account the access names (`Resource::Messages`).
    pub async fn console_messages(
        &self,
        access: &Access,
        filter: &MessageFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<MessageRecord>> {
        access.require(Action::Read, Resource::Messages)?;
        let (query, shape) = messages::list(&access.target_account()?.sid, filter, at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }

    /// Spend of the whole tree of the main account the access names over the
    /// last `days` days (UTC), and the balance (`Resource::Usage`).
    pub async fn console_usage(&self, access: &Access, days: u32) -> DomainResult<UsageSummary> {
        access.require(Action::Read, Resource::Usage)?;
        let main = &access.target_account()?.sid;
        let today = Utc::now().date_naive();
        let first = today - Duration::days(i64::from(days.max(1)) - 1);
        let first_day = first.format("%Y-%m-%d").to_string();
        let last_day = today.format("%Y-%m-%d").to_string();
        let rows = self
            .store()
            .all(usage::summed(
                UsageScope::Tree(main),
                &first_day,
                &last_day,
                Period::Day,
            ))
            .await?;
        let mut per_day: std::collections::BTreeMap<String, i64> =
            std::collections::BTreeMap::new();
        let mut d = first;
        while d <= today {
            per_day.insert(d.format("%Y-%m-%d").to_string(), 0);
            d += Duration::days(1);
        }
        let mut categories: Vec<CategorySpend> = Vec::new();
        for r in rows {
            *per_day.entry(r.period.clone()).or_default() += r.price_micros;
            match categories
                .iter_mut()
                .find(|c| c.category == r.category.as_str())
            {
                Some(c) => {
                    c.count += r.count;
                    c.usage += r.usage;
                    c.price_micros += r.price_micros;
                }
                None => categories.push(CategorySpend {
                    category: r.category.as_str().to_owned(),
                    count: r.count,
                    usage: r.usage,
                    price_micros: r.price_micros,
                }),
            }
        }
        categories.sort_by_key(|c| std::cmp::Reverse(c.price_micros));
        let balance_micros = self.store().one(usage::balance(main)).await?;
        Ok(UsageSummary {
            first_day,
            last_day,
            days: per_day.into_iter().collect(),
            categories,
            balance_micros,
        })
    }
}
