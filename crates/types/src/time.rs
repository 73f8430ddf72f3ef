//! Instants as Switchboard stores them (microseconds since the Unix epoch) and the
//! two ways the wire shows them.

use chrono::{DateTime, TimeZone, Utc};

/// Microseconds since the Unix epoch, UTC. Microseconds keep the order of rows
/// created within the same second, which keyset paging relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(Utc::now().timestamp_micros())
    }

    pub fn from_micros(micros: i64) -> Self {
        Timestamp(micros)
    }

    pub fn from_seconds(seconds: i64) -> Self {
        Timestamp(seconds.saturating_mul(1_000_000))
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn seconds(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    pub fn plus_micros(self, micros: i64) -> Self {
        Timestamp(self.0.saturating_add(micros))
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_micros(self.0).single().unwrap_or_default()
    }

    /// `Thu, 30 Jul 2015 20:00:00 +0000`, as the 2010-04-01 API writes dates.
    pub fn rfc2822(self) -> String {
        // Written field by field: every resource carries two to four dates, and
        // chrono's `format` parses its pattern again on each call (about 4% of a
        // call fetch's CPU, see docs/benchmarks.md).
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        use chrono::{Datelike, Timelike};
        use std::fmt::Write;
        let t = self.to_datetime();
        let mut out = String::with_capacity(31);
        let _ = write!(
            out,
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
            DAYS[t.weekday().num_days_from_monday() as usize],
            t.day(),
            MONTHS[t.month0() as usize],
            t.year(),
            t.hour(),
            t.minute(),
            t.second()
        );
        out
    }

    /// `2015-07-30T20:00:00Z`, as Twilio's newer (v1) APIs write dates.
    pub fn iso8601(self) -> String {
        self.to_datetime().format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_twilio() {
        let t = Timestamp::from_seconds(1_438_286_400);
        assert_eq!(t.rfc2822(), "Thu, 30 Jul 2015 20:00:00 +0000");
        assert_eq!(t.iso8601(), "2015-07-30T20:00:00Z");
    }

    #[test]
    fn the_hand_written_date_matches_chrono_over_centuries() {
        let mut seconds = 0i64;
        while seconds < 8_000_000_000 {
            let t = Timestamp::from_micros(seconds * 1_000_000 + 999_999);
            let expected = t
                .to_datetime()
                .format("%a, %d %b %Y %H:%M:%S +0000")
                .to_string();
            assert_eq!(t.rfc2822(), expected);
            seconds += 7_919_993; // a prime step: every weekday, month and hour
        }
    }
}
