//! Number blocks: each yields a fixed, finite run of numbers, the same on every
//! machine, and can tell in O(1) whether a number is one of its own.

use std::sync::LazyLock;

use super::places::{PLACES, Place};
use super::{Country, NumberType};
use crate::hash::fnv1a;

/// Numbers a block offers: enough that an account never runs out, few enough that
/// a search matching nothing scans the whole inventory quickly.
pub(super) const PER_BLOCK: u64 = 10_000;

/// Walks the subscriber range in a scattered order. Coprime with every span below
/// (their prime factors are 2, 3 and 5), so the walk never repeats a number.
const STRIDE: u64 = 1_234_577;

pub(super) struct Block {
    pub country: Country,
    pub number_type: NumberType,
    /// What the `AreaCode` filter matches; mobile blocks have none.
    pub area_code: Option<&'static str>,
    pub place: Option<&'static Place>,
    /// Digits (after `+`) every number of the block starts with.
    prefix: String,
    /// Subscriber numbers are `low..low + span`, zero-padded to `width` digits.
    low: u64,
    span: u64,
    width: usize,
    offset: u64,
    stride_inverse: u64,
}

/// Longest E.164 number in digits.
pub(super) const MAX_DIGITS: usize = 15;

impl Block {
    fn new(
        country: Country,
        number_type: NumberType,
        area_code: Option<&'static str>,
        place: Option<&'static Place>,
        prefix: String,
        (low, span, width): (u64, u64, usize),
    ) -> Block {
        assert!(low + span <= 10u64.pow(width as u32));
        assert!(prefix.len() + width <= MAX_DIGITS);
        let offset = fnv1a(prefix.as_bytes()) % span;
        let stride_inverse = inverse(STRIDE % span, span);
        Block {
            country,
            number_type,
            area_code,
            place,
            prefix,
            low,
            span,
            width,
            offset,
            stride_inverse,
        }
    }

    fn subscriber(&self, i: u64) -> u64 {
        self.low + (STRIDE * i + self.offset) % self.span
    }

    /// Writes the `i`th number's digits into `buf`, returning how many there are;
    /// searches test their patterns on this without allocating.
    pub fn digits_into(&self, i: u64, buf: &mut [u8; MAX_DIGITS]) -> usize {
        let p = self.prefix.len();
        buf[..p].copy_from_slice(self.prefix.as_bytes());
        let mut sub = self.subscriber(i);
        for slot in buf[p..p + self.width].iter_mut().rev() {
            *slot = b'0' + (sub % 10) as u8;
            sub /= 10;
        }
        p + self.width
    }

    pub fn digits(&self, i: u64) -> String {
        let mut buf = [0; MAX_DIGITS];
        let len = self.digits_into(i, &mut buf);
        String::from_utf8_lossy(&buf[..len]).into_owned()
    }

    /// The position of `digits` in this block, if the block offers it.
    pub fn index_of(&self, digits: &str) -> Option<u64> {
        let rest = digits.strip_prefix(self.prefix.as_str())?;
        if rest.len() != self.width || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let sub: u64 = rest.parse().ok()?;
        let step = sub.checked_sub(self.low).filter(|s| *s < self.span)?;
        let i = (step + self.span - self.offset) % self.span * self.stride_inverse % self.span;
        (i < PER_BLOCK).then_some(i)
    }
}

/// The inverse of `a` modulo `m` (they are coprime).
fn inverse(a: u64, m: u64) -> u64 {
    let (mut r0, mut r1) = (m as i128, a as i128);
    let (mut t0, mut t1) = (0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    assert_eq!(r0, 1, "stride shares a factor with span {m}");
    t0.rem_euclid(m as i128) as u64
}

const NANP_TOLL_FREE: &[&str] = &["800", "833", "844", "855", "866", "877", "888"];
const GB_TOLL_FREE: &[&str] = &["800", "808"];
const GB_MOBILE: &[&str] = &["74", "75", "77", "78", "79"];

/// Every block, local ones first (a search interleaves blocks, so this order only
/// decides which locality leads each round).
pub(super) static BLOCKS: LazyLock<Vec<Block>> = LazyLock::new(|| {
    use Country::{Ca, Gb, Us};
    let mut blocks = Vec::new();
    for place in PLACES {
        let dial = place.country.dial_code();
        // NANP exchanges and UK subscriber numbers do not start with 0 or 1.
        let range = match (place.country, place.area_code.len()) {
            (Gb, 2) => (20_000_000, 80_000_000, 8),
            _ => (2_000_000, 8_000_000, 7),
        };
        blocks.push(Block::new(
            place.country,
            NumberType::Local,
            Some(place.area_code),
            Some(place),
            format!("{dial}{}", place.area_code),
            range,
        ));
    }
    for code in NANP_TOLL_FREE {
        // The US and Canada share toll-free codes; halving the exchanges keeps
        // their inventories apart so a number belongs to one country.
        for (country, low) in [(Us, 2_000_000), (Ca, 6_000_000)] {
            blocks.push(Block::new(
                country,
                NumberType::TollFree,
                Some(code),
                None,
                format!("1{code}"),
                (low, 4_000_000, 7),
            ));
        }
    }
    for code in GB_TOLL_FREE {
        blocks.push(Block::new(
            Gb,
            NumberType::TollFree,
            Some(code),
            None,
            format!("44{code}"),
            (1_000_000, 9_000_000, 7),
        ));
    }
    for code in GB_MOBILE {
        blocks.push(Block::new(
            Gb,
            NumberType::Mobile,
            None,
            None,
            format!("44{code}"),
            (0, 100_000_000, 8),
        ));
    }
    blocks
});
