//! Twilio's magic test numbers (<https://www.twilio.com/docs/iam/test-credentials>).
//!
//! Twilio honours them only for test credentials; Switchboard applies them to every
//! request, so any client's error handling can be exercised against it. They all live
//! in +1500555xxxx, which no real subscriber or inventory number uses.

use crate::phone::PhoneNumber;

#[cfg(test)]
mod tests;

/// A request Twilio would refuse, with its error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: u32,
    pub message: String,
}

impl Refusal {
    fn new(code: u32, message: String) -> Refusal {
        Refusal { code, message }
    }
}

/// What is being sent: Twilio's codes differ between calls and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Voice,
    Sms,
}

/// The number Twilio's docs use as a From that works without owning it.
pub const VALID_FROM: &str = "+15005550006";

fn is(n: &PhoneNumber, last: &str) -> bool {
    n.as_str()
        .strip_prefix("+1500555")
        .is_some_and(|tail| tail == last)
}

/// `+15005550006` is a valid From even though nobody owns it.
pub fn is_magic_valid_from(n: &PhoneNumber) -> bool {
    n.as_str() == VALID_FROM
}

/// The refusal a magic From number triggers, if it is one.
pub fn check_from(n: &PhoneNumber, channel: Channel) -> Option<Refusal> {
    if is(n, "0001") {
        return Some(Refusal::new(
            21212,
            format!(
                "The 'From' number {n} is not a valid phone number, shortcode, or alphanumeric sender ID."
            ),
        ));
    }
    if is(n, "0007") {
        return Some(match channel {
            Channel::Sms => Refusal::new(
                21606,
                format!(
                    "The 'From' phone number provided ({n}) is not a valid message-capable Twilio phone number for this destination."
                ),
            ),
            Channel::Voice => Refusal::new(
                21210,
                format!(
                    "The source phone number provided, {n}, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio."
                ),
            ),
        });
    }
    if is(n, "0008") && channel == Channel::Sms {
        return Some(Refusal::new(
            21611,
            format!("This 'From' number {n} has exceeded the maximum number of queued messages."),
        ));
    }
    None
}

/// The refusal a magic To number triggers, if it is one. Calls get Twilio's voice
/// codes (212xx), messages its messaging codes, as Twilio's test-call table does.
pub fn check_to(n: &PhoneNumber, channel: Channel) -> Option<Refusal> {
    let sms = channel == Channel::Sms;
    let refusal = if is(n, "0001") {
        if sms {
            Refusal::new(21211, format!("Invalid 'To' Phone Number: {n}"))
        } else {
            Refusal::new(
                21217,
                format!("The phone number you are attempting to call, {n}, is not valid."),
            )
        }
    } else if is(n, "0002") {
        if sms {
            Refusal::new(
                21612,
                format!("The 'To' phone number: {n}, is not currently reachable via SMS."),
            )
        } else {
            Refusal::new(21214, format!("'To' phone number cannot be reached: {n}"))
        }
    } else if is(n, "0003") {
        if sms {
            Refusal::new(
                21408,
                format!(
                    "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {n}."
                ),
            )
        } else {
            Refusal::new(
                21215,
                format!(
                    "Account not authorized to call {n}. Perhaps you need to enable some international permissions."
                ),
            )
        }
    } else if is(n, "0004") {
        if sms {
            Refusal::new(
                21610,
                format!("Attempt to send to unsubscribed recipient {n}."),
            )
        } else {
            Refusal::new(21216, format!("Account not allowed to call {n}."))
        }
    } else if is(n, "0009") && sms {
        Refusal::new(
            21614,
            format!("'To' number {n} is not a valid mobile number."),
        )
    } else {
        return None;
    };
    Some(refusal)
}

/// The refusal buying a magic number triggers, if it is one.
pub fn check_purchase(n: &PhoneNumber) -> Option<Refusal> {
    if is(n, "0000") {
        return Some(Refusal::new(
            21422,
            format!("The phone number {n} is not available."),
        ));
    }
    if is(n, "0001") {
        return Some(Refusal::new(21421, format!("PhoneNumber {n} is invalid.")));
    }
    None
}
