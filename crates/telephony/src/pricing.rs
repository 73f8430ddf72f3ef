//! What calls, messages and numbers cost, and the balances accounts start with.

mod money;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::inventory::{Country, NumberType};
use crate::phone::PhoneNumber;

pub use money::{Money, MoneyError};

/// The credit every main account starts with, in USD, as a Twilio trial does.
/// (The store's migration sets the same default.)
pub const TRIAL_CREDIT: Money = Money(15_500_000);

/// Prices per destination country and per number type. In JSON, every key is
/// optional and overrides only the prices it names, amounts are decimal strings:
///
/// ```json
/// {"currency": "USD",
///  "voice_per_minute": {"US": "0.0140", "CA": "0.0140", "GB": "0.0200"},
///  "voice_inbound_per_minute": {"US": "0.0085", "CA": "0.0085", "GB": "0.0100"},
///  "sms_per_segment": {"US": "0.0079", "CA": "0.0079", "GB": "0.0400"},
///  "sms_inbound_per_segment": {"US": "0.0079", "CA": "0.0079", "GB": "0.0000"},
///  "number_monthly": {"local": "1.15", "tollfree": "2.15", "mobile": "1.00",
///                     "national": "1.50", "sharedcost": "2.00", "voip": "1.00",
///                     "machinetomachine": "0.50"}}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawPriceList")]
pub struct PriceList {
    currency: String,
    voice_per_minute: BTreeMap<Country, Money>,
    /// Received calls, by the receiving number's country.
    voice_inbound_per_minute: BTreeMap<Country, Money>,
    sms_per_segment: BTreeMap<Country, Money>,
    /// Received messages, by the receiving number's country.
    sms_inbound_per_segment: BTreeMap<Country, Money>,
    number_monthly: BTreeMap<NumberType, Money>,
}

/// A price list file as written: absent tables and entries keep their defaults.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawPriceList {
    currency: Option<String>,
    voice_per_minute: BTreeMap<Country, Money>,
    /// Received calls, by the receiving number's country.
    voice_inbound_per_minute: BTreeMap<Country, Money>,
    sms_per_segment: BTreeMap<Country, Money>,
    /// Received messages, by the receiving number's country.
    sms_inbound_per_segment: BTreeMap<Country, Money>,
    number_monthly: BTreeMap<NumberType, Money>,
}

#[derive(thiserror::Error, Debug)]
pub enum PriceListError {
    #[error("invalid price list: {0}")]
    Json(#[from] serde_json::Error),
}

impl TryFrom<RawPriceList> for PriceList {
    type Error = String;

    fn try_from(raw: RawPriceList) -> Result<PriceList, String> {
        let mut list = PriceList::default();
        if let Some(currency) = raw.currency {
            if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!(
                    "currency '{}' is not an ISO 4217 code such as \"USD\"",
                    currency.chars().take(16).collect::<String>()
                ));
            }
            list.currency = currency;
        }
        let prices = raw
            .voice_per_minute
            .values()
            .chain(raw.voice_inbound_per_minute.values())
            .chain(raw.sms_per_segment.values())
            .chain(raw.sms_inbound_per_segment.values())
            .chain(raw.number_monthly.values());
        if let Some(negative) = prices.into_iter().find(|m| m.is_negative()) {
            return Err(format!("price {negative} is negative"));
        }
        list.voice_per_minute.extend(raw.voice_per_minute);
        list.voice_inbound_per_minute
            .extend(raw.voice_inbound_per_minute);
        list.sms_per_segment.extend(raw.sms_per_segment);
        list.sms_inbound_per_segment
            .extend(raw.sms_inbound_per_segment);
        list.number_monthly.extend(raw.number_monthly);
        Ok(list)
    }
}

impl Default for PriceList {
    fn default() -> PriceList {
        use Country::{Ca, Gb, Us};
        PriceList {
            currency: "USD".to_owned(),
            voice_per_minute: BTreeMap::from([
                (Us, Money(14_000)),
                (Ca, Money(14_000)),
                (Gb, Money(20_000)),
            ]),
            // Twilio's rates for receiving a call on a local number.
            voice_inbound_per_minute: BTreeMap::from([
                (Us, Money(8_500)),
                (Ca, Money(8_500)),
                (Gb, Money(10_000)),
            ]),
            sms_per_segment: BTreeMap::from([
                (Us, Money(7_900)),
                (Ca, Money(7_900)),
                (Gb, Money(40_000)),
            ]),
            // Twilio charges received SMS in the US and Canada; UK numbers
            // receive for free.
            sms_inbound_per_segment: BTreeMap::from([
                (Us, Money(7_900)),
                (Ca, Money(7_900)),
                (Gb, Money::ZERO),
            ]),
            number_monthly: BTreeMap::from([
                (NumberType::Local, Money(1_150_000)),
                (NumberType::TollFree, Money(2_150_000)),
                (NumberType::Mobile, Money(1_000_000)),
                (NumberType::National, Money(1_500_000)),
                (NumberType::SharedCost, Money(2_000_000)),
                (NumberType::Voip, Money(1_000_000)),
                (NumberType::MachineToMachine, Money(500_000)),
            ]),
        }
    }
}

impl PriceList {
    pub fn from_json(s: &str) -> Result<PriceList, PriceListError> {
        Ok(serde_json::from_str(s)?)
    }

    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// A call's cost: every started minute is billed whole, as carriers bill.
    pub fn call(&self, to: &PhoneNumber, duration_secs: u32) -> Money {
        let minutes = duration_secs.div_ceil(60);
        rate(&self.voice_per_minute, to).times(minutes)
    }

    /// A received call's cost, by the country of the number `at` that
    /// received it; every started minute is billed whole.
    pub fn inbound_call(&self, at: &PhoneNumber, duration_secs: u32) -> Money {
        rate(&self.voice_inbound_per_minute, at).times(duration_secs.div_ceil(60))
    }

    pub fn message(&self, to: &PhoneNumber, segments: u32) -> Money {
        rate(&self.sms_per_segment, to).times(segments)
    }

    /// A received message's cost, by the country of the number `at` that
    /// received it.
    pub fn inbound_message(&self, at: &PhoneNumber, segments: u32) -> Money {
        rate(&self.sms_inbound_per_segment, at).times(segments)
    }

    /// A number's monthly rent, also charged when it is bought.
    pub fn number(&self, t: NumberType) -> Money {
        self.number_monthly.get(&t).copied().unwrap_or(Money::ZERO)
    }

    pub fn voice_per_minute(&self, country: Country) -> Money {
        rate_for(&self.voice_per_minute, Some(country))
    }

    pub fn sms_per_segment(&self, country: Country) -> Money {
        rate_for(&self.sms_per_segment, Some(country))
    }
}

/// Destinations outside the simulated countries pay the US rate: Switchboard
/// connects nowhere, so a per-country table for the world would be make-believe.
fn rate(table: &BTreeMap<Country, Money>, to: &PhoneNumber) -> Money {
    rate_for(table, to.country())
}

fn rate_for(table: &BTreeMap<Country, Money>, country: Option<Country>) -> Money {
    // The US has an entry: tables start from the defaults and are only ever
    // extended. A country without one of its own (a price list may name any
    // of the inventory's) pays the US rate.
    country
        .and_then(|c| table.get(&c))
        .or_else(|| table.get(&Country::Us))
        .copied()
        .unwrap_or(Money::ZERO)
}
