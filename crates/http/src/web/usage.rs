//! Spend per category and per day of the signed-in account tree, with a chart
//! drawn by the server (SVG, no script), and the balance: read through the
//! API's usage records and balance, with the console user's access.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use switchboard_domain::access::{Access, Action, Resource};
use switchboard_domain::telephony::usage::{UsageList, UsageRecord, UsageRequest};
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, Timestamp, UsageCategory};

use super::chrome::Chrome;
use super::error::PageResult;
use super::kit::{dollars, own_access};
use super::page::Page;
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/usage";
const WINDOWS: [u32; 4] = [7, 30, 90, 365];

pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub title: String,
}

pub struct Tick {
    pub y: String,
    pub label: String,
}

pub struct XLabel {
    pub x: String,
    pub label: String,
}

/// The chart's geometry, computed here so the template only places shapes.
pub struct Chart {
    pub width: u32,
    pub height: u32,
    pub plot_left: u32,
    pub plot_right: u32,
    pub plot_bottom: u32,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    pub x_labels: Vec<XLabel>,
}

pub struct CategoryRow {
    pub category: &'static str,
    pub count: i64,
    /// Minutes, segments or numbers, as the API's usage records write them.
    pub usage: String,
    pub price: String,
    pub share: String,
}

pub struct DayRow {
    pub day: String,
    pub price: String,
}

#[derive(Template)]
#[template(path = "usage.html")]
struct UsagePage {
    chrome: Chrome,
    windows: Vec<(u32, bool)>,
    days: u32,
    first_day: String,
    last_day: String,
    balance: String,
    negative_balance: bool,
    total: String,
    categories: Vec<CategoryRow>,
    chart: Chart,
    day_rows: Vec<DayRow>,
}

#[derive(Deserialize)]
pub struct UsageQuery {
    /// Text, so that a bad value shows the default window instead of an error.
    days: Option<String>,
}

/// A round number at or above `max` for the chart's top line.
fn nice_ceiling(max: i64) -> i64 {
    if max <= 0 {
        return 1_000_000;
    }
    let mut step = 10_000i64; // one cent
    loop {
        for m in [1, 2, 5] {
            if step * m >= max {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn chart(days: &[(String, i64)]) -> Chart {
    let (width, height) = (720u32, 260u32);
    let (left, right, top, bottom) = (64u32, 710u32, 12u32, 220u32);
    let plot_w = f64::from(right - left);
    let plot_h = f64::from(bottom - top);
    let top_value = nice_ceiling(days.iter().map(|d| d.1).max().unwrap_or(0));
    let n = days.len().max(1) as f64;
    let slot = plot_w / n;
    let bar_w = (slot * 0.75).max(1.0);
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, (day, micros))| {
            let h = (*micros as f64 / top_value as f64 * plot_h).max(0.0);
            Bar {
                x: format!(
                    "{:.1}",
                    f64::from(left) + slot * i as f64 + (slot - bar_w) / 2.0
                ),
                y: format!("{:.1}", f64::from(bottom) - h),
                width: format!("{bar_w:.1}"),
                height: format!("{h:.1}"),
                title: format!("{day}: {}", dollars(*micros)),
            }
        })
        .collect();
    let ticks = (0..=4i32)
        .map(|i| {
            let value = top_value * i64::from(i) / 4;
            Tick {
                y: format!("{:.1}", f64::from(bottom) - plot_h * f64::from(i) / 4.0),
                label: dollars(value),
            }
        })
        .collect();
    let every = (days.len() / 6).max(1);
    let x_labels = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, (day, _))| XLabel {
            x: format!("{:.1}", f64::from(left) + slot * i as f64 + slot / 2.0),
            label: day.get(5..).unwrap_or(day).to_owned(),
        })
        .collect();
    Chart {
        width,
        height,
        plot_left: left,
        plot_right: right,
        plot_bottom: bottom,
        bars,
        ticks,
        x_labels,
    }
}

/// A usage report of the signed-in account's whole tree from `first` to
/// `last`, through the same front door as the API's usage records.
async fn report(
    app: &App,
    access: &Access,
    account: &AccountSid,
    (list, category): (UsageList, Option<&str>),
    (first, last): (NaiveDate, NaiveDate),
) -> PageResult<Vec<UsageRecord>> {
    let report = UsageRequest {
        list,
        category: category.map(str::to_owned),
        start_date: Some(first),
        end_date: Some(last),
        include_subaccounts: true,
    };
    // Every day of the longest window, or every category, fits on one page.
    let size = WINDOWS[WINDOWS.len() - 1] + 1;
    let sb = &app.sb;
    let page = sb.usage_records(access, account, &report, &PageAt::First, size);
    Ok(page.await?.items)
}

pub async fn page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<UsageQuery>,
) -> PageResult {
    let days = q
        .days
        .and_then(|d| d.parse().ok())
        .filter(|d| WINDOWS.contains(d))
        .unwrap_or(30);
    let reading = own_access(&app, &session, None, Action::Read, Resource::Usage).await?;
    let account = &session.account_sid;
    let last = Timestamp::now().to_datetime().date_naive();
    let first = last - Duration::days(i64::from(days) - 1);
    let window = (first, last);
    let per_day = (UsageList::Daily, Some("totalprice"));
    let days_spent: Vec<(String, i64)> = report(&app, &reading, account, per_day, window)
        .await?
        .into_iter()
        .map(|r| (r.start_date.format("%Y-%m-%d").to_string(), r.price_micros))
        .collect();
    // The leaf categories (what was charged), not the sums Twilio adds.
    let mut categories: Vec<UsageRecord> =
        report(&app, &reading, account, (UsageList::All, None), window)
            .await?
            .into_iter()
            .filter(|r| UsageCategory::parse(r.category).is_ok())
            .filter(|r| r.count != 0 || r.price_micros != 0)
            .collect();
    categories.sort_by_key(|c| std::cmp::Reverse(c.price_micros));
    let balance = own_access(&app, &session, None, Action::Read, Resource::Balance).await?;
    let (_, balance_micros) = app.sb.balance(&balance).await?;
    let total: i64 = categories.iter().map(|c| c.price_micros).sum();
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(Page::render(&UsagePage {
        chrome: Chrome::for_session(Some(&session), PATH),
        windows: WINDOWS.iter().map(|w| (*w, *w == days)).collect(),
        days,
        first_day: day(first),
        last_day: day(last),
        balance: dollars(balance_micros),
        negative_balance: balance_micros < 0,
        total: dollars(total),
        categories: categories
            .into_iter()
            .map(|c| CategoryRow {
                category: c.category,
                count: c.count,
                share: if total > 0 {
                    format!("{:.0}%", c.price_micros as f64 * 100.0 / total as f64)
                } else {
                    "—".into()
                },
                price: dollars(c.price_micros),
                usage: c.usage,
            })
            .collect(),
        chart: chart(&days_spent),
        day_rows: days_spent
            .iter()
            .rev()
            .filter(|d| d.1 != 0)
            .map(|(day, micros)| DayRow {
                day: day.clone(),
                price: dollars(*micros),
            })
            .collect(),
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_top_is_a_round_number_above_the_highest_day() {
        assert_eq!(nice_ceiling(0), 1_000_000);
        assert_eq!(nice_ceiling(15_000), 20_000);
        assert_eq!(nice_ceiling(3_400_000), 5_000_000);
        let c = chart(&[("2026-01-01".into(), 1_000_000), ("2026-01-02".into(), 0)]);
        assert_eq!(c.bars.len(), 2);
        assert_eq!(c.bars[1].height, "0.0");
    }
}
