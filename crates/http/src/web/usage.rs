//! Spend per category and per day of the signed-in account tree, with a chart
//! drawn by the server (SVG, no script), and the balance: read through the
//! API's usage records and balance, with the console user's access.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;
use switchboard_domain::access::{Access, Action, Resource};
use switchboard_domain::telephony::usage::{UsageList, UsageRecord, UsageRequest};
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, UsageCategory};

use super::chrome::Chrome;
use super::error::PageResult;
use super::kit::{self, LOW_BALANCE_MICROS, money, own_access};
use super::page::Page;
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/usage";
const WINDOWS: [u32; 4] = [7, 30, 90, 365];

/// A day's bar: `x` and `width` in percent of the plot's width, `y` and
/// `height` in pixels.
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

/// A day named under the plot: `x` in percent of its width, anchored at the
/// start, middle or end so that no label sticks out of the plot.
pub struct XLabel {
    pub x: String,
    pub anchor: &'static str,
    pub label: String,
}

/// The chart's geometry, computed here so the template only places shapes.
/// The plot is as wide as the card (its horizontal positions are percents)
/// and a fixed height in pixels, so its text is never scaled down.
pub struct Chart {
    pub plot_top: u32,
    pub plot_bottom: u32,
    pub label_y: u32,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    pub x_labels: Vec<XLabel>,
}

pub struct CategoryRow {
    /// In words (`Outbound calls`).
    pub name: &'static str,
    /// As the API's usage records name it (`calls-outbound`).
    pub category: &'static str,
    /// With its unit (`12 calls`).
    pub count: String,
    /// Minutes, segments or numbers, with the unit.
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
    low_balance: bool,
    low_balance_threshold: String,
    total: String,
    categories: Vec<CategoryRow>,
    chart: Chart,
    /// What a bar is: `day` or `week`.
    per: &'static str,
    day_rows: Vec<DayRow>,
}

#[derive(Deserialize)]
pub struct UsageQuery {
    /// Text, so that a bad value shows the default window instead of an error.
    days: Option<String>,
}

/// A usage category as people say it.
fn category_name(category: UsageCategory) -> &'static str {
    match category {
        UsageCategory::CallsInbound => "Inbound calls",
        UsageCategory::CallsOutbound => "Outbound calls",
        UsageCategory::SmsOutbound => "Outbound SMS",
        UsageCategory::SmsInbound => "Inbound SMS",
        UsageCategory::PhoneNumbers => "Phone numbers",
        UsageCategory::Recordings => "Recordings",
        UsageCategory::Transcriptions => "Transcriptions",
    }
}

/// An amount with its unit in words, from the unit the API's usage records
/// name (`calls`, `minutes`, `segments`, `phone-numbers`…): `1 call`,
/// `12.5 minutes`.
fn with_unit(amount: &str, unit: &str) -> String {
    let plural = match unit {
        "phone-numbers" => "numbers",
        "" => return amount.to_owned(),
        other => other,
    };
    let one = amount == "1";
    let word = if one {
        plural.strip_suffix('s').unwrap_or(plural)
    } else {
        plural
    };
    format!("{amount} {word}")
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

/// How many days the axis names, at most: they stay apart on a phone.
const X_LABELS: usize = 4;

/// Windows longer than this many days are charted per week: a year of daily
/// bars would be slivers.
const DAILY_UP_TO: usize = 90;

/// The spend per week (weeks start on Monday; the first and last may be
/// partial), each under its first day in the window.
fn per_week(days: &[(NaiveDate, i64)]) -> Vec<(NaiveDate, i64)> {
    let mut weeks: Vec<(NaiveDate, i64)> = Vec::new();
    for (day, micros) in days {
        match weeks.last_mut() {
            Some(week) if day.weekday() != chrono::Weekday::Mon => week.1 += micros,
            _ => weeks.push((*day, *micros)),
        }
    }
    weeks
}

fn chart(days: &[(NaiveDate, i64)], weekly: bool) -> Chart {
    // Matches the stylesheet: `.chart-y` is 200 px high, 8 px down.
    let (top, bottom) = (8u32, 208u32);
    let plot_w = 100.0;
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
                x: format!("{:.3}", slot * i as f64 + (slot - bar_w) / 2.0),
                y: format!("{:.1}", f64::from(bottom) - h),
                width: format!("{bar_w:.3}"),
                height: format!("{h:.1}"),
                title: if weekly {
                    format!("Week of {}: {}", kit::day(*day), money(*micros))
                } else {
                    format!("{}: {}", kit::day(*day), money(*micros))
                },
            }
        })
        .collect();
    let ticks = (0..=4i32)
        .map(|i| {
            let value = top_value * i64::from(i) / 4;
            Tick {
                y: format!("{:.1}", f64::from(bottom) - plot_h * f64::from(i) / 4.0),
                label: money(value),
            }
        })
        .collect();
    // Evenly spread: the middle of each quarter of the plot.
    let shown = X_LABELS.min(days.len());
    let mut x_labels: Vec<XLabel> = (0..shown)
        .map(|k| ((2 * k + 1) * days.len()) / (2 * shown))
        .map(|i| {
            let centre = slot * i as f64 + slot / 2.0;
            let (x, anchor) = if centre < 12.0 {
                (slot * i as f64, "start")
            } else if centre > 88.0 {
                (slot * (i + 1) as f64, "end")
            } else {
                (centre, "middle")
            };
            XLabel {
                x: format!("{x:.3}"),
                anchor,
                label: days[i].0.format("%-d %b").to_string(),
            }
        })
        .collect();
    x_labels.dedup_by(|a, b| a.x == b.x);
    Chart {
        plot_top: top,
        plot_bottom: bottom,
        label_y: bottom + 20,
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
    // A sandbox account's today is its sandbox clock's.
    let last = app.sb.now_for(&reading).await?.to_datetime().date_naive();
    let first = last - Duration::days(i64::from(days) - 1);
    let window = (first, last);
    let per_day = (UsageList::Daily, Some("totalprice"));
    let days_spent: Vec<(NaiveDate, i64)> = report(&app, &reading, account, per_day, window)
        .await?
        .into_iter()
        .map(|r| (r.start_date, r.price_micros))
        .collect();
    // The leaf categories (what was charged), not the sums Twilio adds.
    let mut categories: Vec<(UsageCategory, UsageRecord)> =
        report(&app, &reading, account, (UsageList::All, None), window)
            .await?
            .into_iter()
            .filter(|r| r.count != 0 || r.price_micros != 0)
            .filter_map(|r| Some((UsageCategory::parse(r.category).ok()?, r)))
            .collect();
    categories.sort_by_key(|(_, c)| std::cmp::Reverse(c.price_micros));
    let balance = own_access(&app, &session, None, Action::Read, Resource::Balance).await?;
    let (_, balance_micros) = app.sb.balance(&balance).await?;
    let total: i64 = categories.iter().map(|(_, c)| c.price_micros).sum();
    let day = kit::day;
    let weekly = days_spent.len() > DAILY_UP_TO;
    Ok(Page::render(&UsagePage {
        chrome: Chrome::for_session(Some(&session), PATH),
        windows: WINDOWS.iter().map(|w| (*w, *w == days)).collect(),
        days,
        first_day: day(first),
        last_day: day(last),
        balance: money(balance_micros),
        negative_balance: balance_micros < 0,
        low_balance: balance_micros < LOW_BALANCE_MICROS,
        low_balance_threshold: money(LOW_BALANCE_MICROS),
        total: money(total),
        categories: categories
            .into_iter()
            .map(|(category, c)| CategoryRow {
                name: category_name(category),
                category: c.category,
                count: with_unit(&c.count.to_string(), c.count_unit),
                share: if total > 0 {
                    format!("{:.0}%", c.price_micros as f64 * 100.0 / total as f64)
                } else {
                    "—".into()
                },
                price: money(c.price_micros),
                usage: with_unit(&c.usage, c.usage_unit),
            })
            .collect(),
        chart: if weekly {
            chart(&per_week(&days_spent), true)
        } else {
            chart(&days_spent, false)
        },
        per: if weekly { "week" } else { "day" },
        day_rows: days_spent
            .iter()
            .rev()
            .filter(|d| d.1 != 0)
            .map(|(d, micros)| DayRow {
                day: day(*d),
                price: money(*micros),
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
        let jan = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let c = chart(&[(jan(1), 1_000_000), (jan(2), 0)], false);
        assert_eq!(c.bars.len(), 2);
        assert_eq!(c.bars[1].height, "0.0");
    }

    #[test]
    fn a_long_window_is_charted_per_week_from_monday() {
        // 2026-01-01 is a Thursday: a partial first week, then Mondays.
        let days: Vec<(NaiveDate, i64)> = (0..12)
            .map(|i| {
                (
                    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(i),
                    1,
                )
            })
            .collect();
        let weeks = per_week(&days);
        let starts: Vec<String> = weeks.iter().map(|w| kit::day(w.0)).collect();
        assert_eq!(starts, ["2026-01-01", "2026-01-05", "2026-01-12"]);
        assert_eq!(weeks.iter().map(|w| w.1).collect::<Vec<_>>(), [4, 7, 1]);
    }

    #[test]
    fn categories_read_in_words_with_units() {
        assert_eq!(
            category_name(UsageCategory::CallsOutbound),
            "Outbound calls"
        );
        assert_eq!(with_unit("1", "calls"), "1 call");
        assert_eq!(with_unit("12.5", "minutes"), "12.5 minutes");
        assert_eq!(with_unit("2", "phone-numbers"), "2 numbers");
        assert_eq!(with_unit("1", "phone-numbers"), "1 number");
        assert_eq!(with_unit("3", ""), "3");
    }

    #[test]
    fn the_axis_names_four_days_at_most_inside_the_plot() {
        let days: Vec<(NaiveDate, i64)> = (0..30)
            .map(|i| {
                (
                    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(i),
                    0,
                )
            })
            .collect();
        let c = chart(&days, false);
        let labels: Vec<&str> = c.x_labels.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["4 Jan", "12 Jan", "19 Jan", "27 Jan"]);
        let week = chart(&days[..7], false);
        assert_eq!(week.x_labels.len(), 4);
        assert_eq!(week.x_labels[0].anchor, "start");
        assert_eq!(week.x_labels[3].anchor, "end");
    }
}
