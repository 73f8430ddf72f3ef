//! Switchboard's telephony simulation rules, as pure functions.
//!
//! Switchboard connects no real calls and sends no real messages; these rules decide
//! what would have happened, the same way on every machine, so clients can be
//! tested against it. The same rules hold for every account and credential.
//!
//! # Phone numbers
//!
//! Numbers are E.164: `+` and 8 to 15 digits, the first not `0`. Spaces, `-`, `.`,
//! `(` and `)` are ignored on input. NANP (+1) numbers are shown as
//! `(415) 555-0100`, others in E.164. A number's country is its calling code's;
//! `+1` numbers are Canadian when libphonenumber's metadata gives their area
//! code to Canada, otherwise US.
//!
//! # Magic numbers
//!
//! Twilio's test numbers (<https://www.twilio.com/docs/iam/test-credentials>) work
//! everywhere in Switchboard:
//!
//! | number | as | message | call |
//! | --- | --- | --- | --- |
//! | `+15005550006` | From | accepted although nobody owns it | accepted although nobody owns it |
//! | `+15005550001` | From | 21212 invalid From | 21212 invalid From |
//! | `+15005550007` | From | 21606 not owned / not SMS-capable | 21210 caller ID not verified |
//! | `+15005550008` | From | 21611 message queue full | — |
//! | `+15005550001` | To | 21211 invalid To | 21217 invalid number to call |
//! | `+15005550002` | To | 21612 cannot route | 21214 cannot be reached |
//! | `+15005550003` | To | 21408 no permission for the region | 21215 no geo permission |
//! | `+15005550004` | To | 21610 unsubscribed recipient | 21216 blocked |
//! | `+15005550009` | To | 21614 not a mobile number | — |
//! | `+15005550000` | buying | 21422 number unavailable | |
//! | `+15005550001` | buying | 21421 invalid number | |
//! | `+15005550006` | buying | bought like any number (US local, every capability) | |
//!
//! # Outcomes
//!
//! How a call or message ends depends on the last four digits of its To number:
//!
//! | ending | call | message |
//! | --- | --- | --- |
//! | `0486` | `busy` | `undelivered`, error 30003 |
//! | `0487` | `no-answer` (rings for the whole timeout) | `delivered` |
//! | `0488` | `failed` | `failed`, error 30008 |
//! | other | `completed` | `delivered` |
//!
//! A call to `+15005550002` fails. A completed call rings 2–6 s and talks 30–299 s,
//! both fixed by a hash of the number's digits; if it would ring as long as the
//! call's timeout (Twilio's default: 60 s), it is `no-answer` instead.
//!
//! # SMS segments
//!
//! Bodies count as carriers count them. A body wholly in the GSM 03.38 basic and
//! extension tables is GSM-7: 160 septets fit one segment, 153 each part of a
//! longer message, and extension characters (`^ { } \ [ ~ ] | €` and form feed)
//! take 2 septets. Any other character makes the body UCS-2: 70 UTF-16 units in
//! one segment, 67 per part, emoji taking 2. A character is never split between
//! parts. An empty body (a media-only message) is one segment.
//!
//! # Numbers for sale
//!
//! The inventory is fixed: 14 countries (US, CA, GB, AU, DE, FR, ES, IT, NL, SE,
//! IE, BR, MX, JP), each selling some of Twilio's seven types (local, toll-free,
//! mobile, national, shared cost, VoIP, machine-to-machine) from ranges of its
//! real numbering plan, which libphonenumber's metadata validates in the tests.
//! Each locality and each non-geographic prefix offers 10,000 numbers in a
//! fixed scattered order, and searches interleave the matching blocks. What a
//! type can do and whether it needs an address on file (`address_requirements`)
//! is the country's offer (docs/telephony.md lists them). `Contains` takes
//! digits, keypad letters and `*` for any one digit.
//!
//! # Prices (USD, configurable)
//!
//! | | US | CA | GB |
//! | --- | --- | --- | --- |
//! | call, per started minute | 0.0140 | 0.0140 | 0.0200 |
//! | SMS, per segment | 0.0079 | 0.0079 | 0.0400 |
//!
//! Other destinations pay the US rate. Numbers cost per month: local 1.15, toll-free
//! 2.15, mobile 1.00, national 1.50, shared cost 2.00, VoIP 1.00,
//! machine-to-machine 0.50. Every main account starts with a credit of 15.50.

#![forbid(unsafe_code)]

pub mod audio;
mod hash;
pub mod inventory;
pub mod magic;
pub mod outcome;
pub mod phone;
pub mod pricing;
pub mod segments;

pub use inventory::{AvailableNumber, Capabilities, Country, NumberType, Search};
pub use magic::{Channel, Refusal};
pub use outcome::{CallEnd, CallPlan, MessageEnd};
pub use phone::{PhoneError, PhoneNumber};
pub use pricing::{Money, PriceList, PriceListError, TRIAL_CREDIT};
pub use segments::{Encoding, Segments};
