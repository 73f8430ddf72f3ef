//! Twilio's `Contains` filter.

use super::blocks::MAX_DIGITS;

/// A compiled `Contains` value: `None` entries match any digit.
pub(super) enum Pattern {
    Any,
    Never,
    Digits(Vec<Option<u8>>),
}

/// Letters as printed on a phone keypad, so `Contains=STORE` finds vanity numbers.
fn keypad(c: char) -> Option<u8> {
    let digit = match c.to_ascii_uppercase() {
        'A'..='C' => b'2',
        'D'..='F' => b'3',
        'G'..='I' => b'4',
        'J'..='L' => b'5',
        'M'..='O' => b'6',
        'P'..='S' => b'7',
        'T'..='V' => b'8',
        'W'..='Z' => b'9',
        _ => return None,
    };
    Some(digit)
}

impl Pattern {
    pub fn parse(contains: Option<&str>) -> Pattern {
        let Some(raw) = contains.map(str::trim) else {
            return Pattern::Any;
        };
        let raw = raw.strip_prefix('+').unwrap_or(raw);
        if raw.is_empty() {
            return Pattern::Any;
        }
        let mut digits = Vec::with_capacity(raw.len());
        for c in raw.chars() {
            let d = match c {
                '0'..='9' => Some(c as u8),
                '*' => None,
                _ => match keypad(c) {
                    Some(d) => Some(d),
                    None => return Pattern::Never,
                },
            };
            digits.push(d);
        }
        if digits.len() > MAX_DIGITS {
            return Pattern::Never;
        }
        Pattern::Digits(digits)
    }

    pub fn can_match(&self) -> bool {
        !matches!(self, Pattern::Never)
    }

    pub fn matches(&self, number: &[u8]) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Never => false,
            Pattern::Digits(p) => {
                // Plain loops: this runs for every number a search scans, and
                // iterator adapters are slow in unoptimised test builds.
                let (p, n) = (p.as_slice(), number);
                if p.len() > n.len() {
                    return false;
                }
                'start: for start in 0..=n.len() - p.len() {
                    for k in 0..p.len() {
                        if let Some(want) = p[k]
                            && n[start + k] != want
                        {
                            continue 'start;
                        }
                    }
                    return true;
                }
                false
            }
        }
    }
}
