//! Twilio's date filters: `StartTime=2026-11-30` (that day), `StartTime<`
//! (on or before) and `StartTime>` (on or after), with a date or a full
//! date-time, as the SDKs send them.

use chrono::{DateTime, NaiveDate};
use switchboard_store::calls::Range;
use switchboard_types::Timestamp;

use super::error::ApiError;
use super::form::Params;

const DAY_MICROS: i64 = 86_400_000_000;

/// An instant, or a whole day: `(first instant, first instant after)`.
fn parse(name: &str, value: &str) -> Result<(Timestamp, Timestamp), ApiError> {
    let value = value.trim();
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        let start = day
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_micros())
            .unwrap_or_default();
        return Ok((
            Timestamp::from_micros(start),
            Timestamp::from_micros(start + DAY_MICROS),
        ));
    }
    let instant = DateTime::parse_from_rfc3339(value)
        .or_else(|_| DateTime::parse_from_rfc2822(value))
        .map_err(|_| {
            ApiError::bad_request(
                Some(name),
                format!(
                    "{name} must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM:SSZ), not '{}'",
                    value.chars().take(40).collect::<String>()
                ),
            )
        })?
        .timestamp_micros();
    Ok((
        Timestamp::from_micros(instant),
        Timestamp::from_micros(instant + 1),
    ))
}

/// The range a request's `name`, `name<` and `name>` parameters select.
pub fn range(params: &Params, name: &str) -> Result<Range, ApiError> {
    let mut range = Range::default();
    let mut narrow = |from: Option<Timestamp>, until: Option<Timestamp>| {
        if let Some(f) = from {
            range.from = Some(range.from.map_or(f, |r| r.max(f)));
        }
        if let Some(u) = until {
            range.until = Some(range.until.map_or(u, |r| r.min(u)));
        }
    };
    if let Some(v) = params.get(name).filter(|v| !v.is_empty()) {
        let (from, until) = parse(name, v)?;
        narrow(Some(from), Some(until));
    }
    let before = format!("{name}<");
    if let Some(v) = params.get(&before).filter(|v| !v.is_empty()) {
        let (_, until) = parse(&before, v)?;
        narrow(None, Some(until));
    }
    let after = format!("{name}>");
    if let Some(v) = params.get(&after).filter(|v| !v.is_empty()) {
        let (from, _) = parse(&after, v)?;
        narrow(Some(from), None);
    }
    Ok(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        Params::parse(q.as_bytes()).unwrap()
    }

    #[test]
    fn a_day_covers_the_whole_day_and_bounds_combine() {
        let r = range(&params("StartTime=2026-11-30"), "StartTime").unwrap();
        assert_eq!(
            r.until.unwrap().micros() - r.from.unwrap().micros(),
            DAY_MICROS
        );
        let r = range(
            &params("StartTime%3E=2026-11-01&StartTime%3C=2026-11-30T12:00:00Z"),
            "StartTime",
        )
        .unwrap();
        assert_eq!(
            r.from.unwrap().to_datetime().to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert!(r.until.unwrap() > r.from.unwrap());
    }

    #[test]
    fn malformed_dates_are_refused() {
        assert!(range(&params("StartTime=yesterday"), "StartTime").is_err());
        assert!(range(&params("DateSent%3C=2026-13-01"), "DateSent").is_err());
    }
}
