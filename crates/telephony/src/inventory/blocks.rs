//! Number blocks: each yields a fixed, finite run of numbers, the same on every
//! machine, and can tell in O(1) whether a number is one of its own.

use std::sync::LazyLock;

use switchboard_types::AddressRequirement;

use super::places::{PLACES, Place, Subscribers};
use super::{Capabilities, Country, NumberType};
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
    pub capabilities: Capabilities,
    pub address_requirements: AddressRequirement,
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
        (country, number_type): (Country, NumberType),
        area_code: Option<&'static str>,
        place: Option<&'static Place>,
        prefix: String,
        (low, span, width): Subscribers,
    ) -> Block {
        assert!(low + span <= 10u64.pow(width as u32));
        assert!(prefix.len() + width <= MAX_DIGITS);
        let offer = offer(country, number_type)
            .unwrap_or_else(|| panic!("no offer of {country} {number_type}"));
        let offset = fnv1a(prefix.as_bytes()) % span;
        let stride_inverse = inverse(STRIDE % span, span);
        Block {
            country,
            number_type,
            area_code,
            place,
            capabilities: offer.capabilities,
            address_requirements: offer.address_requirements,
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

/// What a country's numbers of one type can do, and what a buyer needs.
pub(super) struct Offer {
    pub country: Country,
    pub number_type: NumberType,
    pub capabilities: Capabilities,
    pub address_requirements: AddressRequirement,
}

const fn offer_of(
    country: Country,
    number_type: NumberType,
    (voice, sms, mms): (bool, bool, bool),
    address_requirements: AddressRequirement,
) -> Offer {
    Offer {
        country,
        number_type,
        capabilities: Capabilities {
            voice,
            sms,
            mms,
            fax: false,
        },
        address_requirements,
    }
}

const V: (bool, bool, bool) = (true, false, false);
const VS: (bool, bool, bool) = (true, true, false);
const VSM: (bool, bool, bool) = (true, true, true);
const S: (bool, bool, bool) = (false, true, false);

/// Every country and type Switchboard sells. A type a country lacks is an
/// empty list (Twilio's answer), never a 404.
#[rustfmt::skip]
pub(super) static OFFERS: &[Offer] = {
    use AddressRequirement as A;
    use Country::{Au, Br, Ca, De, Es, Fr, Gb, Ie, It, Jp, Mx, Nl, Se, Us};
    use NumberType::{Local, MachineToMachine, Mobile, National, SharedCost, TollFree, Voip};
    &[
        offer_of(Us, Local, VSM, A::None),
        offer_of(Us, TollFree, VS, A::None),
        offer_of(Ca, Local, VSM, A::None),
        offer_of(Ca, TollFree, VS, A::None),
        offer_of(Gb, Local, V, A::None),
        offer_of(Gb, TollFree, VS, A::None),
        offer_of(Gb, Mobile, VS, A::None),
        offer_of(Gb, National, V, A::None),
        offer_of(Gb, Voip, V, A::None),
        offer_of(Au, Local, V, A::Any),
        offer_of(Au, Mobile, VS, A::Any),
        offer_of(Au, TollFree, V, A::None),
        offer_of(Au, SharedCost, V, A::Any),
        offer_of(De, Local, V, A::Local),
        offer_of(De, Mobile, VS, A::Any),
        offer_of(De, TollFree, V, A::Any),
        offer_of(De, National, V, A::Any),
        offer_of(Fr, Local, V, A::Local),
        offer_of(Fr, Mobile, VS, A::Any),
        offer_of(Fr, TollFree, V, A::Any),
        offer_of(Fr, SharedCost, V, A::Any),
        offer_of(Fr, National, V, A::Any),
        offer_of(Fr, Voip, V, A::Any),
        offer_of(Es, Local, V, A::Local),
        offer_of(Es, Mobile, VS, A::Any),
        offer_of(Es, TollFree, V, A::Any),
        offer_of(Es, SharedCost, V, A::Any),
        offer_of(It, Local, V, A::Local),
        offer_of(It, Mobile, VS, A::Any),
        offer_of(It, TollFree, V, A::Any),
        offer_of(Nl, Local, V, A::Local),
        offer_of(Nl, Mobile, VS, A::Any),
        offer_of(Nl, TollFree, V, A::Any),
        offer_of(Nl, National, V, A::Any),
        offer_of(Nl, Voip, V, A::Any),
        offer_of(Nl, MachineToMachine, S, A::Any),
        offer_of(Se, Local, V, A::Any),
        offer_of(Se, Mobile, VS, A::Any),
        offer_of(Se, TollFree, V, A::None),
        offer_of(Ie, Local, V, A::Local),
        offer_of(Ie, Mobile, VS, A::Any),
        offer_of(Ie, TollFree, V, A::Any),
        offer_of(Br, Local, V, A::Local),
        offer_of(Br, TollFree, V, A::Any),
        offer_of(Mx, Local, VS, A::Any),
        offer_of(Mx, TollFree, V, A::None),
        offer_of(Jp, Local, V, A::Local),
        offer_of(Jp, TollFree, V, A::Any),
        offer_of(Jp, National, V, A::Any),
    ]
};

/// What `country` offers of `number_type`, if it sells that type.
pub(super) fn offer(country: Country, number_type: NumberType) -> Option<&'static Offer> {
    OFFERS
        .iter()
        .find(|o| o.country == country && o.number_type == number_type)
}

const NANP_TOLL_FREE: &[&str] = &["800", "833", "844", "855", "866", "877", "888"];
const GB_TOLL_FREE: &[&str] = &["800", "808"];
/// UK mobile prefixes, each with the subscriber numbers libphonenumber gives
/// as assigned.
const GB_MOBILE: &[(&str, Subscribers)] = &[
    ("74", (0, 100_000_000, 8)),
    ("75", (30_000_000, 60_000_000, 8)),
    ("77", (10_000_000, 60_000_000, 8)),
    ("78", (40_000_000, 60_000_000, 8)),
    ("79", (0, 100_000_000, 8)),
];

/// Numbers of no locality, after the UK's mobiles: country, type, national
/// prefix and subscriber numbers, each range one libphonenumber gives that
/// type (the inventory's tests check every number offered).
#[rustfmt::skip]
const RANGES: &[(Country, NumberType, &str, Subscribers)] = {
    use Country::{Au, Br, De, Es, Fr, Gb, Ie, It, Jp, Mx, Nl, Se};
    use NumberType::{MachineToMachine, Mobile, National, SharedCost, TollFree, Voip};
    &[
        // UK 03 (national rate) and 056 (VoIP).
        (Gb, National, "33", (0, 100_000_000, 8)),
        (Gb, Voip, "56", (0, 100_000_000, 8)),
        (Au, Mobile, "4", (0, 40_000_000, 8)),
        (Au, TollFree, "1800", (0, 1_000_000, 6)),
        (Au, SharedCost, "1300", (0, 1_000_000, 6)),
        (De, Mobile, "176", (0, 100_000_000, 8)),
        (De, TollFree, "800", (1_000_000, 9_000_000, 7)),
        // 032: Germany's numbers of no locality.
        (De, National, "32", (100_000_000, 900_000_000, 9)),
        (Fr, Mobile, "6", (0, 30_000_000, 8)),
        (Fr, TollFree, "800", (0, 1_000_000, 6)),
        (Fr, SharedCost, "810", (0, 1_000_000, 6)),
        (Fr, National, "809", (0, 1_000_000, 6)),
        (Fr, Voip, "9", (0, 100_000_000, 8)),
        (Es, Mobile, "6", (0, 100_000_000, 8)),
        (Es, TollFree, "900", (0, 1_000_000, 6)),
        (Es, SharedCost, "901", (0, 1_000_000, 6)),
        (It, Mobile, "34", (0, 100_000_000, 8)),
        (It, TollFree, "800", (0, 1_000_000, 6)),
        (Nl, Mobile, "6", (10_000_000, 50_000_000, 8)),
        (Nl, TollFree, "800", (1_000_000, 9_000_000, 7)),
        (Nl, National, "88", (0, 10_000_000, 7)),
        (Nl, Voip, "85", (0, 10_000_000, 7)),
        // 097: the Netherlands' machine-to-machine range (longer numbers).
        (Nl, MachineToMachine, "970", (0, 100_000_000, 8)),
        (Se, Mobile, "70", (0, 10_000_000, 7)),
        (Se, TollFree, "20", (0, 1_000_000, 6)),
        (Ie, Mobile, "87", (0, 10_000_000, 7)),
        (Ie, TollFree, "1800", (0, 1_000_000, 6)),
        (Br, TollFree, "800", (0, 10_000_000, 7)),
        (Mx, TollFree, "800", (0, 10_000_000, 7)),
        (Jp, TollFree, "120", (0, 1_000_000, 6)),
        // 050: Japan's numbers of no locality, over IP.
        (Jp, National, "50", (10_000_000, 90_000_000, 8)),
    ]
};

/// Every block, local ones first (a search interleaves blocks, so this order only
/// decides which locality leads each round).
pub(super) static BLOCKS: LazyLock<Vec<Block>> = LazyLock::new(|| {
    use Country::{Ca, Gb, Us};
    let mut blocks = Vec::new();
    for place in PLACES {
        let dial = place.country.dial_code();
        blocks.push(Block::new(
            (place.country, NumberType::Local),
            Some(place.area_code),
            Some(place),
            format!("{dial}{}", place.area_code),
            place.subscribers,
        ));
    }
    for code in NANP_TOLL_FREE {
        // The US and Canada share toll-free codes; halving the exchanges keeps
        // their inventories apart so a number belongs to one country.
        for (country, low) in [(Us, 2_000_000), (Ca, 6_000_000)] {
            blocks.push(Block::new(
                (country, NumberType::TollFree),
                Some(code),
                None,
                format!("1{code}"),
                (low, 4_000_000, 7),
            ));
        }
    }
    for code in GB_TOLL_FREE {
        blocks.push(Block::new(
            (Gb, NumberType::TollFree),
            Some(code),
            None,
            format!("44{code}"),
            (1_000_000, 9_000_000, 7),
        ));
    }
    for (code, subscribers) in GB_MOBILE {
        blocks.push(Block::new(
            (Gb, NumberType::Mobile),
            None,
            None,
            format!("44{code}"),
            *subscribers,
        ));
    }
    for &(country, number_type, prefix, subscribers) in RANGES {
        // Mobile and machine numbers have no area code to filter by.
        let area_code = match number_type {
            NumberType::Mobile | NumberType::MachineToMachine => None,
            _ => Some(prefix),
        };
        blocks.push(Block::new(
            (country, number_type),
            area_code,
            None,
            format!("{}{prefix}", country.dial_code()),
            subscribers,
        ));
    }
    blocks
});
