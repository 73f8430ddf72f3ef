//! Twilio SIDs: a two-letter prefix naming the kind of resource and 32 hex digits.
//!
//! Held inline (34 bytes), not as a `String`: SIDs are parsed from every request
//! and every row and copied into every principal and response, and a heap
//! allocation for each was a measurable share of an API request's cost
//! (docs/benchmarks.md, finding 14).

use std::fmt;

use arrayvec::ArrayString;
use rand::RngCore;
use serde::{Serialize, Serializer};

/// Why a string is not a SID of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SidError {
    #[error(
        "'{value}' is not a valid {kind} SID: expected {prefix} followed by 32 hexadecimal digits"
    )]
    Malformed {
        kind: &'static str,
        prefix: &'static str,
        value: String,
    },
}

const HEX_LEN: usize = 32;

/// Every SID's length: a two-letter prefix and the hex digits.
const SID_LEN: usize = 2 + HEX_LEN;

type Inline = ArrayString<SID_LEN>;

fn parse_sid(value: &str, prefix: &'static str, kind: &'static str) -> Result<Inline, SidError> {
    let well_formed = prefix.len() == 2
        && value.len() == SID_LEN
        && value.starts_with(prefix)
        && value[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit());
    if well_formed {
        // Twilio hands out lower-case hex; accepting either case and storing one means
        // a SID typed in upper case still finds its resource.
        let mut sid = Inline::from(value).expect("a well-formed SID is SID_LEN bytes");
        sid.as_mut_str()[prefix.len()..].make_ascii_lowercase();
        Ok(sid)
    } else {
        Err(SidError::Malformed {
            kind,
            prefix,
            // Bounded so a 10 MB "SID" does not end up in an error message.
            value: value.chars().take(64).collect(),
        })
    }
}

fn random_sid(prefix: &str) -> Inline {
    let mut bytes = [0u8; HEX_LEN / 2];
    rand::rng().fill_bytes(&mut bytes);
    let mut digits = [0u8; HEX_LEN];
    hex::encode_to_slice(bytes, &mut digits).expect("16 bytes are 32 hex digits");
    let mut sid = Inline::new();
    sid.push_str(prefix);
    sid.push_str(std::str::from_utf8(&digits).expect("hex digits are ASCII"));
    sid
}

macro_rules! define_sid {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Inline);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// Parses a SID received from outside (a URL, a form, a database row).
            pub fn parse(value: &str) -> Result<Self, SidError> {
                parse_sid(value, $prefix, $kind).map(Self)
            }

            /// A fresh, random SID.
            pub fn generate() -> Self {
                Self(random_sid($prefix))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = SidError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

define_sid!(
    /// An account or subaccount (`AC…`).
    AccountSid, "AC", "Account"
);
define_sid!(
    /// A Connect App (`CN…`).
    ConnectAppSid, "CN", "ConnectApp"
);
define_sid!(
    /// A call (`CA…`).
    CallSid, "CA", "Call"
);
define_sid!(
    /// A message (`SM…`).
    MessageSid, "SM", "Message"
);
define_sid!(
    /// A media item of a message (`ME…`).
    MediaSid, "ME", "Media"
);
define_sid!(
    /// An incoming phone number (`PN…`).
    PhoneNumberSid, "PN", "IncomingPhoneNumber"
);
define_sid!(
    /// A verified outgoing caller ID (`PN…`, as Twilio writes it: a number the
    /// account may call from without owning it). Its own type, though its
    /// prefix is an incoming number's: a call placed from it names it in
    /// `phone_number_sid` ([`OutgoingCallerIdSid::as_phone_number_sid`]).
    OutgoingCallerIdSid, "PN", "OutgoingCallerId"
);
define_sid!(
    /// A short code (`SC…`) the operator provisioned to an account.
    ShortCodeSid, "SC", "ShortCode"
);

impl OutgoingCallerIdSid {
    /// The same SID where Twilio's fields hold any `PN…` (a call's
    /// `phone_number_sid`: the number it was placed from).
    pub fn as_phone_number_sid(&self) -> PhoneNumberSid {
        PhoneNumberSid(self.0)
    }
}

define_sid!(
    /// A call recording (`RE…`).
    RecordingSid, "RE", "Recording"
);
define_sid!(
    /// A conference (`CF…`): calls joined by `<Dial><Conference>` or the
    /// Participants resource.
    ConferenceSid, "CF", "Conference"
);
define_sid!(
    /// A call queue (`QU…`): calls waiting after `<Enqueue>` until dequeued.
    QueueSid, "QU", "Queue"
);
define_sid!(
    /// A recording's transcription (`TR…`), made by `<Record transcribe>`.
    TranscriptionSid, "TR", "Transcription"
);
define_sid!(
    /// A real-time transcription of a live call (`GT…`), started with
    /// `POST …/Calls/{CallSid}/Transcriptions.json`.
    RealtimeTranscriptionSid, "GT", "RealtimeTranscription"
);
define_sid!(
    /// A TwiML application (`AP…`), which a call may be told to run.
    ApplicationSid, "AP", "Application"
);
define_sid!(
    /// A usage trigger (`UT…`): a webhook sent when an account's usage of a
    /// category crosses a value.
    UsageTriggerSid, "UT", "UsageTrigger"
);
define_sid!(
    /// An address (`AD…`): where the user of a phone number is, which some
    /// countries require before a number is bought.
    AddressSid, "AD", "Address"
);
define_sid!(
    /// A Messaging Service (`MG…`): a pool of senders with shared settings.
    MessagingServiceSid, "MG", "Service"
);
define_sid!(
    /// An outgoing webhook delivery (`WD…`), a Switchboard extension.
    DeliverySid, "WD", "Delivery"
);
define_sid!(
    /// A notification, an entry of the debugger's error log (`NO…`).
    NotificationSid, "NO", "Notification"
);
define_sid!(
    /// An API key (`SK…`): a key and secret that authenticate as its account
    /// (the `Keys` and `SigningKeys` resources).
    ApiKeySid, "SK", "Key"
);
define_sid!(
    /// A sandbox (`SB…`), a Switchboard extension: an isolated world of
    /// accounts made from a seed, in sandbox mode.
    SandboxSid, "SB", "Sandbox"
);

/// What the username of HTTP Basic credentials names: an account (whose
/// password is an auth token) or an API key (whose password is its secret).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Username {
    Account(AccountSid),
    Key(ApiKeySid),
}

impl Username {
    /// An Account SID or an API key's SID; anything else is no username.
    pub fn parse(value: &str) -> Result<Username, SidError> {
        if value.starts_with(ApiKeySid::PREFIX) {
            ApiKeySid::parse(value).map(Username::Key)
        } else {
            AccountSid::parse(value).map(Username::Account)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Username::Account(sid) => sid.as_str(),
            Username::Key(sid) => sid.as_str(),
        }
    }

    /// The account, when the username is one.
    pub fn account(&self) -> Option<&AccountSid> {
        match self {
            Username::Account(sid) => Some(sid),
            Username::Key(_) => None,
        }
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_well_formed_sid_and_normalises_case() {
        let sid = AccountSid::parse("AC0123456789ABCDEF0123456789abcdef").unwrap();
        assert_eq!(sid.as_str(), "AC0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn rejects_wrong_prefix_length_and_digits() {
        for bad in [
            "",
            "AC",
            "CN0123456789abcdef0123456789abcdef",
            "ac0123456789abcdef0123456789abcdef",
            "AC0123456789abcdef0123456789abcde",
            "AC0123456789abcdef0123456789abcdef0",
            "AC0123456789abcdef0123456789abcdeg",
            "AC0123456789abcdef0123456789abcdé",
        ] {
            assert!(AccountSid::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn generated_sids_parse_and_differ() {
        let a = ConnectAppSid::generate();
        let b = ConnectAppSid::generate();
        assert_ne!(a, b);
        assert_eq!(ConnectAppSid::parse(a.as_str()).unwrap(), a);
        assert!(a.as_str().starts_with("CN"));
    }

    #[test]
    fn error_message_is_bounded() {
        let huge = "A".repeat(10_000);
        let err = AccountSid::parse(&huge).unwrap_err();
        assert!(err.to_string().len() < 200);
    }
}
