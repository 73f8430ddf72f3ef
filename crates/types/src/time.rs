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
        // Written digit by digit from one conversion: every resource carries two
        // to four dates, and both chrono's `format` (which parses its pattern on
        // each call) and `write!` with one `Datelike` call per field (each
        // converting the instant again) were a visible share of a call fetch
        // (docs/benchmarks.md).
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        use chrono::{Datelike, Timelike};
        let t = self.to_datetime().naive_utc();
        let (date, time) = (t.date(), t.time());
        let mut out = String::with_capacity(31);
        out.push_str(DAYS[date.weekday().num_days_from_monday() as usize]);
        out.push_str(", ");
        push_two_digits(&mut out, date.day());
        out.push(' ');
        out.push_str(MONTHS[date.month0() as usize]);
        out.push(' ');
        match u32::try_from(date.year()) {
            Ok(year) if year <= 9999 => {
                push_two_digits(&mut out, year / 100);
                push_two_digits(&mut out, year % 100);
            }
            _ => {
                use std::fmt::Write;
                let _ = write!(out, "{:04}", date.year());
            }
        }
        out.push(' ');
        push_two_digits(&mut out, time.hour());
        out.push(':');
        push_two_digits(&mut out, time.minute());
        out.push(':');
        push_two_digits(&mut out, time.second());
        out.push_str(" +0000");
        out
    }

    /// `2015-07-30T20:00:00Z`, as Twilio's newer (v1) APIs write dates.
    pub fn iso8601(self) -> String {
        self.to_datetime().format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// `n` (below 100) as two digits.
fn push_two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
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
        // From the year 1 (one- to three-digit years are zero-padded) to 2223.
        let mut seconds = -62_135_596_800i64;
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
