//! A deterministic inventory of numbers for sale: the same search gives the same
//! numbers, in the same order, on every machine and every run.

mod blocks;
mod country;
mod pattern;
mod places;
#[cfg(test)]
mod tests;

use crate::magic::VALID_FROM;
use crate::phone::PhoneNumber;
use blocks::{BLOCKS, Block, MAX_DIGITS, PER_BLOCK};
use pattern::Pattern;

pub use country::{Country, NumberType, ParseError};
pub use switchboard_types::AddressRequirement;

/// What a number can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities {
    pub voice: bool,
    pub sms: bool,
    pub mms: bool,
    pub fax: bool,
}

/// The types of number `country` sells, in Twilio's order (`Local`,
/// `TollFree`, `Mobile`, then the rest): the lists its `AvailablePhoneNumbers`
/// country names. The other types' lists are empty.
pub fn types_in(country: Country) -> Vec<NumberType> {
    NumberType::all()
        .into_iter()
        .filter(|t| blocks::offer(country, *t).is_some())
        .collect()
}

/// One number for sale, with what Twilio's AvailablePhoneNumbers resource shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableNumber {
    pub phone_number: PhoneNumber,
    pub friendly_name: String,
    pub lata: Option<String>,
    pub locality: Option<String>,
    pub rate_center: Option<String>,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub iso_country: Country,
    pub address_requirements: AddressRequirement,
    pub beta: bool,
    pub capabilities: Capabilities,
    pub number_type: NumberType,
}

impl AvailableNumber {
    fn from_block(block: &Block, i: u64) -> AvailableNumber {
        let phone_number = PhoneNumber::from_valid_digits(&block.digits(i));
        let place = block.place;
        let field = |f: fn(&places::Place) -> &'static str| place.map(|p| f(p).to_owned());
        AvailableNumber {
            friendly_name: phone_number.formatted(),
            phone_number,
            lata: place.and_then(|p| p.lata).map(str::to_owned),
            locality: field(|p| p.locality),
            rate_center: field(|p| p.rate_center),
            latitude: field(|p| p.latitude),
            longitude: field(|p| p.longitude),
            region: field(|p| p.region),
            postal_code: field(|p| p.postal_code),
            iso_country: block.country,
            address_requirements: block.address_requirements,
            beta: false,
            capabilities: block.capabilities,
            number_type: block.number_type,
        }
    }

    /// Twilio's magic From number, for sale so that it can be owned like any other.
    fn magic_valid_from() -> AvailableNumber {
        let phone_number = PhoneNumber::from_valid_digits(&VALID_FROM[1..]);
        AvailableNumber {
            friendly_name: phone_number.formatted(),
            phone_number,
            lata: None,
            locality: None,
            rate_center: None,
            latitude: None,
            longitude: None,
            region: None,
            postal_code: None,
            iso_country: Country::Us,
            address_requirements: AddressRequirement::None,
            beta: false,
            capabilities: Capabilities {
                voice: true,
                sms: true,
                mms: true,
                fax: true,
            },
            number_type: NumberType::Local,
        }
    }
}

/// The filters of an AvailablePhoneNumbers search. A capability filter set to
/// `Some(v)` keeps only numbers whose capability equals `v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub country: Country,
    pub number_type: NumberType,
    pub area_code: Option<String>,
    /// Digits, keypad letters (`A`–`Z`, as on a phone) and `*` (any one digit),
    /// matched anywhere in the number's digits; a leading `+` is ignored. Any
    /// other character makes the search match nothing.
    pub contains: Option<String>,
    /// A region code such as `CA` or `NY`, any case.
    pub in_region: Option<String>,
    /// A locality (`InLocality`), postal code (`InPostalCode`), rate center
    /// (`InRateCenter`) or LATA (`InLata`), compared without regard to case:
    /// only numbers of a locality have them.
    pub in_locality: Option<String>,
    pub in_postal_code: Option<String>,
    pub in_rate_center: Option<String>,
    pub in_lata: Option<String>,
    pub sms_enabled: Option<bool>,
    pub voice_enabled: Option<bool>,
    pub mms_enabled: Option<bool>,
    pub fax_enabled: Option<bool>,
    /// `ExcludeAllAddressRequired`: leave out numbers that need any address.
    pub exclude_all_address_required: bool,
    /// `ExcludeLocalAddressRequired`: leave out numbers that need an address
    /// in their country.
    pub exclude_local_address_required: bool,
    /// `ExcludeForeignAddressRequired`: leave out numbers that need an
    /// address outside their country.
    pub exclude_foreign_address_required: bool,
}

impl Search {
    /// A search with no filters besides country and type.
    pub fn new(country: Country, number_type: NumberType) -> Search {
        Search {
            country,
            number_type,
            area_code: None,
            contains: None,
            in_region: None,
            in_locality: None,
            in_postal_code: None,
            in_rate_center: None,
            in_lata: None,
            sms_enabled: None,
            voice_enabled: None,
            mms_enabled: None,
            fax_enabled: None,
            exclude_all_address_required: false,
            exclude_local_address_required: false,
            exclude_foreign_address_required: false,
        }
    }

    fn admits(&self, block: &Block) -> bool {
        let caps = block.capabilities;
        let wants = |filter: Option<bool>, has: bool| filter.is_none_or(|f| f == has);
        let place_is = |filter: &Option<String>, field: fn(&places::Place) -> Option<&str>| {
            filter.as_deref().is_none_or(|want| {
                block
                    .place
                    .and_then(field)
                    .is_some_and(|v| v.eq_ignore_ascii_case(want.trim()))
            })
        };
        let excluded = match block.address_requirements {
            AddressRequirement::None => false,
            AddressRequirement::Any => self.exclude_all_address_required,
            AddressRequirement::Local => {
                self.exclude_all_address_required || self.exclude_local_address_required
            }
            AddressRequirement::Foreign => {
                self.exclude_all_address_required || self.exclude_foreign_address_required
            }
        };
        block.country == self.country
            && block.number_type == self.number_type
            && !excluded
            && self
                .area_code
                .as_deref()
                .is_none_or(|a| block.area_code == Some(a.trim()))
            && place_is(&self.in_region, |p| Some(p.region))
            && place_is(&self.in_locality, |p| Some(p.locality))
            && place_is(&self.in_postal_code, |p| Some(p.postal_code))
            && place_is(&self.in_rate_center, |p| Some(p.rate_center))
            && place_is(&self.in_lata, |p| p.lata)
            && wants(self.sms_enabled, caps.sms)
            && wants(self.voice_enabled, caps.voice)
            && wants(self.mms_enabled, caps.mms)
            && wants(self.fax_enabled, caps.fax)
    }
}

/// Numbers matching the search, in a fixed order that takes one number from each
/// matching block in turn, so the first page shows several localities. The caller
/// skips numbers already bought and takes what it needs. Finite: a search matching
/// nothing ends after scanning at most `PER_BLOCK` numbers per block.
pub fn search(s: &Search) -> impl Iterator<Item = AvailableNumber> + use<> {
    let blocks: Vec<&'static Block> = BLOCKS.iter().filter(|b| s.admits(b)).collect();
    let pattern = Pattern::parse(s.contains.as_deref());
    SearchIter {
        blocks: if pattern.can_match() {
            blocks
        } else {
            Vec::new()
        },
        pattern,
        i: 0,
        next_block: 0,
    }
}

struct SearchIter {
    blocks: Vec<&'static Block>,
    pattern: Pattern,
    i: u64,
    next_block: usize,
}

impl Iterator for SearchIter {
    type Item = AvailableNumber;

    fn next(&mut self) -> Option<AvailableNumber> {
        let mut buf = [0; MAX_DIGITS];
        while self.i < PER_BLOCK && !self.blocks.is_empty() {
            let block = self.blocks[self.next_block];
            let i = self.i;
            self.next_block += 1;
            if self.next_block == self.blocks.len() {
                self.next_block = 0;
                self.i += 1;
            }
            let len = block.digits_into(i, &mut buf);
            if self.pattern.matches(&buf[..len]) {
                return Some(AvailableNumber::from_block(block, i));
            }
        }
        None
    }
}

/// The inventory entry of a number, for buying by `PhoneNumber`. Includes
/// `+15005550006` (a US local number with every capability).
pub fn lookup(n: &PhoneNumber) -> Option<AvailableNumber> {
    if n.as_str() == VALID_FROM {
        return Some(AvailableNumber::magic_valid_from());
    }
    BLOCKS.iter().find_map(|block| {
        block
            .index_of(n.digits())
            .map(|i| AvailableNumber::from_block(block, i))
    })
}

/// The first local US or Canadian number in `area_code` that `is_taken` does not
/// reject, in search order (buying by `AreaCode`). `None` when the area code is not
/// in the inventory or all its numbers are taken.
pub fn first_for_area_code(
    area_code: &str,
    mut is_taken: impl FnMut(&PhoneNumber) -> bool,
) -> Option<AvailableNumber> {
    [Country::Us, Country::Ca].into_iter().find_map(|country| {
        let mut s = Search::new(country, NumberType::Local);
        s.area_code = Some(area_code.to_owned());
        search(&s).find(|n| !is_taken(&n.phone_number))
    })
}
