//! Exact amounts of money.

use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount in millionths of the currency unit (micro-dollars for USD). Integer so
/// that balances never drift: Twilio prices have at most 5 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

const MICROS: i64 = 1_000_000;

/// A decimal string that is not an amount of money.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("'{0}' is not an amount of money (a decimal with at most 6 decimals, such as \"0.0079\")")]
pub struct MoneyError(String);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_micros(micros: i64) -> Money {
        Money(micros)
    }

    pub const fn micros(&self) -> i64 {
        self.0
    }

    pub const fn negated(&self) -> Money {
        Money(-self.0)
    }

    pub const fn is_negative(&self) -> bool {
        self.0 < 0
    }

    /// Parses `"1.15"`, `"-0.0140"`, `"20"` exactly; no floating point on the way.
    pub fn parse_decimal(s: &str) -> Result<Money, MoneyError> {
        let err = || MoneyError(s.chars().take(32).collect());
        let (negative, unsigned) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 6 {
            return Err(err());
        }
        if unsigned.contains('.') && fraction.is_empty() {
            return Err(err());
        }
        let whole: i64 = whole.parse().map_err(|_| err())?;
        let fraction: i64 = format!("{fraction:0<6}").parse().map_err(|_| err())?;
        let micros = whole
            .checked_mul(MICROS)
            .and_then(|w| w.checked_add(fraction))
            .ok_or_else(err)?;
        Ok(Money(if negative { -micros } else { micros }))
    }

    /// The amount with exactly `places` decimals (at most 6), rounded half away
    /// from zero: `Money(1_150_000).decimal(2)` is `"1.15"`.
    pub fn decimal(&self, places: u32) -> String {
        let places = places.min(6);
        let unit = 10i64.pow(6 - places);
        let magnitude = self.0.unsigned_abs();
        let rounded = (magnitude + (unit as u64) / 2) / unit as u64;
        let scale = 10u64.pow(places);
        let sign = if self.0 < 0 && rounded != 0 { "-" } else { "" };
        if places == 0 {
            format!("{sign}{rounded}")
        } else {
            format!(
                "{sign}{}.{:0width$}",
                rounded / scale,
                rounded % scale,
                width = places as usize
            )
        }
    }

    /// A cost as Twilio's `price` fields show it: negative (a charge), 5 decimals,
    /// `"0.00000"` for free. `Money(14_000).twilio_price()` is `"-0.01400"`.
    pub fn twilio_price(&self) -> String {
        self.negated().decimal(5)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_mul(self, n: u32) -> Option<Money> {
        self.0.checked_mul(i64::from(n)).map(Money)
    }

    /// `self * n`, saturating: a price times a count never realistically overflows,
    /// and saturating keeps a wild input from panicking a request.
    pub fn times(self, n: u32) -> Money {
        Money(self.0.saturating_mul(i64::from(n)))
    }
}

/// The shortest exact form with at least 2 decimals: `15.50`, `0.0079`, `-0.014`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = self.decimal(6);
        let trimmed = full.trim_end_matches('0');
        let decimals = trimmed.len() - trimmed.find('.').map_or(trimmed.len(), |p| p + 1);
        if decimals >= 2 {
            f.write_str(trimmed)
        } else {
            f.write_str(&full[..full.len() - (6 - 2)])
        }
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        self.negated()
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// As a decimal string: JSON numbers would pass through floating point.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        let s = String::deserialize(deserializer)?;
        Money::parse_decimal(&s).map_err(serde::de::Error::custom)
    }
}
