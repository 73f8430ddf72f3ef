//! What the analytics page shows: counts, total call time, spend, and calls per
//! day, computed from the customer's calls and messages.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use serde_json::Value;

#[derive(Debug, Default, PartialEq)]
pub struct Report {
    pub accounts: usize,
    pub calls: usize,
    pub messages: usize,
    pub call_seconds: u64,
    /// What the customer paid, in `price_unit` (Twilio reports prices as negative strings).
    pub spend: f64,
    pub price_unit: String,
    pub calls_per_day: BTreeMap<NaiveDate, usize>,
}

fn price(item: &Value) -> f64 {
    match &item["price"] {
        Value::String(s) => s.parse::<f64>().map(f64::abs).unwrap_or(0.0),
        Value::Number(n) => n.as_f64().map(f64::abs).unwrap_or(0.0),
        _ => 0.0,
    }
}

impl Report {
    pub fn new(accounts: usize, calls: &[Value], messages: &[Value]) -> Report {
        let mut report = Report {
            accounts,
            calls: calls.len(),
            messages: messages.len(),
            price_unit: "USD".into(),
            ..Report::default()
        };
        for call in calls {
            report.call_seconds += match &call["duration"] {
                Value::String(s) => s.parse().unwrap_or(0),
                Value::Number(n) => n.as_u64().unwrap_or(0),
                _ => 0,
            };
            report.spend += price(call);
            if let Some(day) = call["start_time"]
                .as_str()
                .or(call["date_created"].as_str())
                .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
            {
                *report.calls_per_day.entry(day.date_naive()).or_default() += 1;
            }
        }
        report.spend += messages.iter().map(price).sum::<f64>();
        if let Some(unit) = calls
            .iter()
            .chain(messages)
            .find_map(|i| i["price_unit"].as_str())
        {
            report.price_unit = unit.to_owned();
        }
        report
    }

    pub fn call_time(&self) -> String {
        let (h, m, s) = (
            self.call_seconds / 3600,
            self.call_seconds / 60 % 60,
            self.call_seconds % 60,
        );
        format!("{h}h {m:02}m {s:02}s")
    }

    pub fn spend_text(&self) -> String {
        format!("{:.2} {}", self.spend, self.price_unit)
    }

    /// Calls per day as an SVG bar chart (drawn here: no script, no CDN).
    pub fn chart_svg(&self) -> String {
        let days: Vec<(&NaiveDate, &usize)> = self.calls_per_day.iter().collect();
        if days.is_empty() {
            return String::new();
        }
        let (width, height, pad) = (640.0_f64, 200.0_f64, 24.0_f64);
        let most = days.iter().map(|(_, n)| **n).max().unwrap_or(1).max(1) as f64;
        let slot = (width - 2.0 * pad) / days.len() as f64;
        let mut svg = format!(
            r#"<svg role="img" aria-label="Calls per day" viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">"#
        );
        for (i, (day, n)) in days.iter().enumerate() {
            let h = (height - 2.0 * pad) * (**n as f64) / most;
            let x = pad + slot * i as f64;
            let y = height - pad - h;
            svg.push_str(&format!(
                r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="#2f6fdf"><title>{day}: {n} calls</title></rect>"##,
                (slot * 0.8).max(1.0)
            ));
        }
        let (first, last) = (days[0].0, days[days.len() - 1].0);
        svg.push_str(&format!(
            r#"<text x="{pad}" y="{}" font-size="11">{first}</text><text x="{}" y="{}" font-size="11" text-anchor="end">{last}</text><text x="{pad}" y="14" font-size="11">max {most} per day</text></svg>"#,
            height - 6.0,
            width - pad,
            height - 6.0
        ));
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sums_durations_prices_and_days() {
        let calls = vec![
            json!({"duration": "61", "price": "-0.02600", "price_unit": "USD", "start_time": "Mon, 02 Nov 2026 10:00:00 +0000"}),
            json!({"duration": "5", "price": "-0.01300", "price_unit": "USD", "start_time": "Mon, 02 Nov 2026 11:00:00 +0000"}),
            json!({"duration": null, "price": null, "start_time": null, "date_created": "Tue, 03 Nov 2026 09:00:00 +0000"}),
        ];
        let messages = vec![json!({"price": "-0.00790", "price_unit": "USD"})];
        let r = Report::new(2, &calls, &messages);
        assert_eq!((r.calls, r.messages, r.call_seconds), (3, 1, 66));
        assert_eq!(r.spend_text(), "0.05 USD");
        assert_eq!(r.call_time(), "0h 01m 06s");
        assert_eq!(
            r.calls_per_day.values().copied().collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert!(r.chart_svg().contains("2026-11-02: 2 calls"));
    }
}
