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
        self.to_datetime()
            .format("%a, %d %b %Y %H:%M:%S +0000")
            .to_string()
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
}
