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
//! `(415) 555-0100`, others in E.164. `+1` numbers are Canadian when their area
//! code is Canadian, otherwise US; `+44` numbers are British.
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
//! The inventory is fixed: each locality (8 per country: in the US 415, 212, 512,
//! 312, 206, 617, 303, 305; in Canada 416, 604, 514, 403, 613, 902, 780, 204; in
//! the UK 20, 161, 121, 131, 141, 113, 117, 151) and each toll-free or mobile prefix
//! offers 10,000 numbers in a fixed scattered order, and searches interleave the
//! matching blocks. Toll-free: US and Canada 800, 833, 844, 855, 866, 877, 888; UK
//! 800 and 808. Mobile: UK only (+4474, +4475, +4477, +4478, +4479); US and
//! Canadian mobile searches find nothing. Capabilities: US and Canadian local
//! numbers voice, SMS and MMS; toll-free and UK mobile voice and SMS; UK local
//! voice only. `Contains` takes digits, keypad letters and `*` for any one digit.
//!
//! # Prices (USD, configurable)
//!
//! | | US | CA | GB |
//! | --- | --- | --- | --- |
//! | call, per started minute | 0.0140 | 0.0140 | 0.0200 |
//! | SMS, per segment | 0.0079 | 0.0079 | 0.0400 |
//!
//! Other destinations pay the US rate. Numbers cost per month: local 1.15, toll-free
//! 2.15, mobile 1.00. Every main account starts with a credit of 15.50.

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
