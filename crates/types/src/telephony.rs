//! The closed sets of Twilio's telephony resources: statuses and directions of
//! calls, messages and recordings, and the events a call reports.
//!
//! Each value is held as an enum from the request or row it was read in, and is
//! written back as exactly the string Twilio uses (`as_str`, `Display`,
//! `Serialize`): the database keeps those strings, so no migration goes with
//! these types.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ParseEnumError;

/// Defines an enum of Twilio strings: `as_str`, `ALL`, `parse`/`FromStr`
/// (refusing anything else with a [`ParseEnumError`] naming the parameter),
/// `Display`, `Serialize` and `Deserialize`, all from one list.
macro_rules! twilio_enum {
    (
        $(#[$doc:meta])*
        $name:ident, $what:literal {
            $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in Twilio's documented order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's Twilio string.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses Twilio's string for a value (exactly, as Twilio
            /// compares them).
            pub fn parse(value: &str) -> Result<Self, ParseEnumError> {
                match value {
                    $($text => Ok($name::$variant),)+
                    other => Err(ParseEnumError {
                        what: $what,
                        // Bounded so a huge value does not end up in an error message.
                        value: other.chars().take(64).collect(),
                        expected: twilio_enum!(@join $($text),+),
                    }),
                }
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
    (@join $first:literal $(, $rest:literal)*) => {
        concat!($first $(, ", ", $rest)*)
    };
}

twilio_enum!(
    /// Which of Twilio's two key resources an API key was made through:
    /// `Keys` or `SigningKeys`. Each lists, fetches and deletes only its own;
    /// either kind's secret authenticates.
    ApiKeyKind, "Kind" {
        Standard => "standard",
        Signing => "signing",
    }
);

twilio_enum!(
    /// A call's `status`.
    CallStatus, "Status" {
        Queued => "queued",
        Ringing => "ringing",
        InProgress => "in-progress",
        Completed => "completed",
        Busy => "busy",
        Failed => "failed",
        NoAnswer => "no-answer",
        Canceled => "canceled",
    }
);

/// Where a call is in its course: what may still happen to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStage {
    Queued,
    Ringing,
    InProgress,
    Ended,
}

impl CallStatus {
    pub const fn stage(self) -> CallStage {
        match self {
            CallStatus::Queued => CallStage::Queued,
            CallStatus::Ringing => CallStage::Ringing,
            CallStatus::InProgress => CallStage::InProgress,
            CallStatus::Completed
            | CallStatus::Busy
            | CallStatus::Failed
            | CallStatus::NoAnswer
            | CallStatus::Canceled => CallStage::Ended,
        }
    }

    /// The call is over: its status will not change again.
    pub const fn is_final(self) -> bool {
        matches!(self.stage(), CallStage::Ended)
    }
}

twilio_enum!(
    /// A call's `direction`.
    CallDirection, "Direction" {
        Inbound => "inbound",
        OutboundApi => "outbound-api",
        OutboundDial => "outbound-dial",
        TrunkingTerminating => "trunking-terminating",
        TrunkingOriginating => "trunking-originating",
    }
);

twilio_enum!(
    /// The progress events a call's `StatusCallbackEvent` may subscribe to.
    CallEvent, "StatusCallbackEvent" {
        Initiated => "initiated",
        Ringing => "ringing",
        Answered => "answered",
        Completed => "completed",
    }
);

impl CallEvent {
    /// The `SequenceNumber` Twilio posts with the event.
    pub const fn sequence_number(self) -> u32 {
        match self {
            CallEvent::Initiated => 0,
            CallEvent::Ringing => 1,
            CallEvent::Answered => 2,
            CallEvent::Completed => 3,
        }
    }
}

/// The progress events a call reports: a set, held as the space-separated
/// text the store keeps (`initiated ringing answered completed`), in
/// Twilio's order whatever order they were asked for in.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CallEvents(u8);

impl CallEvents {
    pub const fn empty() -> Self {
        CallEvents(0)
    }

    const fn bit(event: CallEvent) -> u8 {
        1 << event.sequence_number()
    }

    pub const fn with(self, event: CallEvent) -> Self {
        CallEvents(self.0 | Self::bit(event))
    }

    pub const fn contains(self, event: CallEvent) -> bool {
        self.0 & Self::bit(event) != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = CallEvent> {
        CallEvent::ALL
            .iter()
            .copied()
            .filter(move |e| self.contains(*e))
    }

    /// The events, space-separated, in Twilio's order.
    pub fn as_str(self) -> &'static str {
        // Sixteen sets in all: written once, so a set is a byte and its text
        // borrows nothing.
        static TEXTS: std::sync::LazyLock<[String; 16]> = std::sync::LazyLock::new(|| {
            std::array::from_fn(|bits| {
                CallEvents(bits as u8)
                    .iter()
                    .map(CallEvent::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        });
        &TEXTS[usize::from(self.0)]
    }

    /// Reads the stored text: events separated by spaces, each one of
    /// [`CallEvent`]'s strings.
    pub fn parse(value: &str) -> Result<Self, ParseEnumError> {
        value
            .split(' ')
            .filter(|e| !e.is_empty())
            .try_fold(CallEvents::empty(), |set, e| {
                Ok(set.with(CallEvent::parse(e)?))
            })
    }
}

impl FromIterator<CallEvent> for CallEvents {
    fn from_iter<I: IntoIterator<Item = CallEvent>>(events: I) -> Self {
        events
            .into_iter()
            .fold(CallEvents::empty(), CallEvents::with)
    }
}

impl fmt::Debug for CallEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for CallEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

twilio_enum!(
    /// A message's `status`.
    MessageStatus, "Status" {
        Queued => "queued",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
        Delivered => "delivered",
        Undelivered => "undelivered",
        Receiving => "receiving",
        Received => "received",
        Accepted => "accepted",
        Scheduled => "scheduled",
        Read => "read",
        PartiallyDelivered => "partially_delivered",
        Canceled => "canceled",
    }
);

twilio_enum!(
    /// A message's `direction`.
    MessageDirection, "Direction" {
        Inbound => "inbound",
        OutboundApi => "outbound-api",
        OutboundCall => "outbound-call",
        OutboundReply => "outbound-reply",
    }
);

twilio_enum!(
    /// A notification's `log`: how serious it is. Twilio writes the level as
    /// a number in a string, and reads the `Log` filter the same way.
    NotificationLevel, "Log" {
        Error => "0",
        Warning => "1",
    }
);

twilio_enum!(
    /// A recording's `status`.
    RecordingStatus, "Status" {
        InProgress => "in-progress",
        Paused => "paused",
        Stopped => "stopped",
        Processing => "processing",
        Completed => "completed",
        Absent => "absent",
        Deleted => "deleted",
    }
);

twilio_enum!(
    /// A recording's `source`: what started it.
    RecordingSource, "Source" {
        DialVerb => "DialVerb",
        Conference => "Conference",
        OutboundApi => "OutboundAPI",
        Trunking => "Trunking",
        RecordVerb => "RecordVerb",
        StartCallRecordingApi => "StartCallRecordingAPI",
        StartConferenceRecordingApi => "StartConferenceRecordingAPI",
    }
);

twilio_enum!(
    /// The audio a recording started on a live call takes
    /// (`RecordingTrack`): what Twilio receives, what it sends, or both.
    RecordingTrack, "RecordingTrack" {
        Inbound => "inbound",
        Outbound => "outbound",
        Both => "both",
    }
);

twilio_enum!(
    /// What a paused recording holds for the pause (`PauseBehavior`):
    /// nothing (`skip`), or silence as long as the pause.
    PauseBehavior, "PauseBehavior" {
        Skip => "skip",
        Silence => "silence",
    }
);

twilio_enum!(
    /// A transcription's `status`.
    TranscriptionStatus, "Status" {
        InProgress => "in-progress",
        Completed => "completed",
        Failed => "failed",
    }
);

twilio_enum!(
    /// A real-time transcription's `status`.
    RealtimeTranscriptionStatus, "Status" {
        InProgress => "in-progress",
        Stopped => "stopped",
    }
);

twilio_enum!(
    /// The audio a real-time transcription hears (`Track`): the caller's
    /// (what Twilio receives), what the call plays, or both.
    TranscriptionTrack, "Track" {
        Inbound => "inbound_track",
        Outbound => "outbound_track",
        Both => "both_tracks",
    }
);

twilio_enum!(
    /// A call's `answered_by`: what answering machine detection found.
    AnsweredBy, "AnsweredBy" {
        Human => "human",
        MachineStart => "machine_start",
        MachineEndBeep => "machine_end_beep",
        MachineEndSilence => "machine_end_silence",
        MachineEndOther => "machine_end_other",
        Fax => "fax",
        Unknown => "unknown",
    }
);

twilio_enum!(
    /// A call's `MachineDetection`: answering machine detection that
    /// reports as soon as it knows (`Enable`), or waits for a machine's
    /// greeting to end (`DetectMessageEnd`).
    MachineDetection, "MachineDetection" {
        Enable => "Enable",
        DetectMessageEnd => "DetectMessageEnd",
    }
);

twilio_enum!(
    /// The HTTP method a webhook is requested with (`Method`,
    /// `StatusCallbackMethod`, `VoiceMethod`…).
    HookMethod, "Method" {
        Get => "GET",
        Post => "POST",
    }
);

twilio_enum!(
    /// The kind of a phone number, as price lists and stored numbers name it:
    /// the lists of Twilio's `AvailablePhoneNumbers/{Country}/{Type}`.
    NumberType, "Type" {
        Local => "local",
        TollFree => "tollfree",
        Mobile => "mobile",
        /// Non-geographic numbers reached at a national rate.
        National => "national",
        /// Numbers whose calls the caller and the owner pay a part of.
        SharedCost => "sharedcost",
        Voip => "voip",
        /// Numbers for devices (SMS and data), not people.
        MachineToMachine => "machinetomachine",
    }
);

impl NumberType {
    pub const fn all() -> [NumberType; 7] {
        [
            NumberType::Local,
            NumberType::TollFree,
            NumberType::Mobile,
            NumberType::National,
            NumberType::SharedCost,
            NumberType::Voip,
            NumberType::MachineToMachine,
        ]
    }

    /// The segment in `/AvailablePhoneNumbers/{Country}/{Type}` (and, for
    /// the types that have one, `/IncomingPhoneNumbers/{Type}`).
    pub const fn path_segment(self) -> &'static str {
        match self {
            NumberType::Local => "Local",
            NumberType::TollFree => "TollFree",
            NumberType::Mobile => "Mobile",
            NumberType::National => "National",
            NumberType::SharedCost => "SharedCost",
            NumberType::Voip => "Voip",
            NumberType::MachineToMachine => "MachineToMachine",
        }
    }

    /// Exact match, as Twilio's routes are case-sensitive.
    pub fn parse_path_segment(s: &str) -> Option<NumberType> {
        NumberType::all()
            .into_iter()
            .find(|t| t.path_segment() == s)
    }

    /// The typed lists of `IncomingPhoneNumbers`: Twilio's 2010 API has
    /// `Local`, `TollFree` and `Mobile` only (numbers of the other types are
    /// bought through `IncomingPhoneNumbers.json`).
    pub fn parse_incoming_segment(s: &str) -> Option<NumberType> {
        [NumberType::Local, NumberType::TollFree, NumberType::Mobile]
            .into_iter()
            .find(|t| t.path_segment() == s)
    }
}

twilio_enum!(
    /// Whether a number needs an Address on file to be bought
    /// (`address_requirements`): none, any, one in the number's country
    /// (`local`), or one outside it (`foreign`).
    AddressRequirement, "AddressRequirements" {
        None => "none",
        Any => "any",
        Local => "local",
        Foreign => "foreign",
    }
);

twilio_enum!(
    /// The usage categories Switchboard charges under: the leaves its reports
    /// add up (`calls` sums `calls-inbound` and `calls-outbound`,
    /// `totalprice` every price).
    UsageCategory, "Category" {
        CallsInbound => "calls-inbound",
        CallsOutbound => "calls-outbound",
        SmsOutbound => "sms-outbound",
        SmsInbound => "sms-inbound",
        PhoneNumbers => "phonenumbers",
        Recordings => "recordings",
        Transcriptions => "transcriptions",
    }
);

twilio_enum!(
    /// How often a usage trigger may fire (`Recurring`): once a day, month or
    /// year (UTC periods of the account's clock), or once ever (`alltime`,
    /// which Twilio also takes for an empty `Recurring`).
    TriggerRecurring, "Recurring" {
        Daily => "daily",
        Monthly => "monthly",
        Yearly => "yearly",
        AllTime => "alltime",
    }
);

twilio_enum!(
    /// The field of a usage record a trigger watches (`TriggerBy`).
    TriggerField, "TriggerBy" {
        Count => "count",
        Usage => "usage",
        Price => "price",
    }
);

twilio_enum!(
    /// Whether the recipient of a message sent with `ProvideFeedback=true`
    /// is known to have acted on it (a Message Feedback's `Outcome`).
    FeedbackOutcome, "Outcome" {
        Confirmed => "confirmed",
        Unconfirmed => "unconfirmed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant's Twilio string reads back as the same variant, no two
    /// variants share a string, and the error lists every string.
    fn round_trips<T>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Result<T, ParseEnumError>,
    ) where
        T: Copy + PartialEq + fmt::Debug + fmt::Display + Serialize + serde::de::DeserializeOwned,
    {
        let mut seen = std::collections::HashSet::new();
        for &v in all {
            let text = as_str(v);
            assert!(seen.insert(text), "{text} is used twice");
            assert_eq!(parse(text), Ok(v));
            assert_eq!(v.to_string(), text);
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{text}\""));
            assert_eq!(
                serde_json::from_str::<T>(&format!("\"{text}\"")).unwrap(),
                v
            );
        }
        let err = parse("not-a-value").unwrap_err();
        for &v in all {
            assert!(err.expected.contains(as_str(v)), "{err} omits {v}");
        }
    }

    /// Strings close to a valid one are refused: Twilio compares exactly.
    fn refuses<T: fmt::Debug>(parse: fn(&str) -> Result<T, ParseEnumError>, bad: &[&str]) {
        for b in ["", " ", "unknown", "null"].iter().chain(bad) {
            assert!(parse(b).is_err(), "{b:?} was accepted");
        }
    }

    #[test]
    fn call_statuses_round_trip_and_refuse_others() {
        round_trips(CallStatus::ALL, CallStatus::as_str, CallStatus::parse);
        assert_eq!(CallStatus::ALL.len(), 8);
        refuses(
            CallStatus::parse,
            &["Completed", "in_progress", "completed ", "no answer"],
        );
    }

    #[test]
    fn call_directions_round_trip_and_refuse_others() {
        round_trips(
            CallDirection::ALL,
            CallDirection::as_str,
            CallDirection::parse,
        );
        refuses(
            CallDirection::parse,
            &["outbound", "Inbound", "outbound_api"],
        );
    }

    #[test]
    fn call_events_round_trip_and_refuse_others() {
        round_trips(CallEvent::ALL, CallEvent::as_str, CallEvent::parse);
        refuses(CallEvent::parse, &["queued", "Answered"]);
        let numbers: Vec<u32> = CallEvent::ALL.iter().map(|e| e.sequence_number()).collect();
        assert_eq!(numbers, [0, 1, 2, 3]);
    }

    #[test]
    fn call_event_sets_are_read_back_as_written() {
        for bits in 0..16u8 {
            let set: CallEvents = CallEvent::ALL
                .iter()
                .copied()
                .filter(|e| bits & (1 << e.sequence_number()) != 0)
                .collect();
            assert_eq!(CallEvents::parse(set.as_str()), Ok(set), "{set:?}");
            assert_eq!(set.iter().count(), bits.count_ones() as usize);
        }
        let asked = CallEvents::parse("completed ringing completed").unwrap();
        assert_eq!(asked.as_str(), "ringing completed");
        assert!(asked.contains(CallEvent::Ringing));
        assert!(!asked.contains(CallEvent::Answered));
        assert_eq!(CallEvents::parse(""), Ok(CallEvents::empty()));
        for bad in ["queued", "completed,ringing", "Completed", "ringing x"] {
            assert!(CallEvents::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn notification_levels_are_twilios_numbers() {
        round_trips(
            NotificationLevel::ALL,
            NotificationLevel::as_str,
            NotificationLevel::parse,
        );
        assert_eq!(NotificationLevel::Error.as_str(), "0");
        assert_eq!(NotificationLevel::Warning.as_str(), "1");
        refuses(NotificationLevel::parse, &["2", "-1", "error", "00", " 0"]);
    }

    #[test]
    fn message_statuses_round_trip_and_refuse_others() {
        round_trips(
            MessageStatus::ALL,
            MessageStatus::as_str,
            MessageStatus::parse,
        );
        refuses(
            MessageStatus::parse,
            &["partially-delivered", "Sent", "in-progress"],
        );
    }

    #[test]
    fn message_directions_round_trip_and_refuse_others() {
        round_trips(
            MessageDirection::ALL,
            MessageDirection::as_str,
            MessageDirection::parse,
        );
        refuses(MessageDirection::parse, &["outbound", "outbound-dial"]);
    }

    #[test]
    fn recording_statuses_and_sources_round_trip_and_refuse_others() {
        round_trips(
            RecordingStatus::ALL,
            RecordingStatus::as_str,
            RecordingStatus::parse,
        );
        refuses(RecordingStatus::parse, &["done", "Completed"]);
        round_trips(
            RecordingSource::ALL,
            RecordingSource::as_str,
            RecordingSource::parse,
        );
        refuses(RecordingSource::parse, &["OutboundApi", "outboundapi"]);
    }

    #[test]
    fn hook_methods_round_trip_and_refuse_others() {
        round_trips(HookMethod::ALL, HookMethod::as_str, HookMethod::parse);
        refuses(HookMethod::parse, &["PUT", "post", "DELETE"]);
        round_trips(
            TriggerRecurring::ALL,
            TriggerRecurring::as_str,
            TriggerRecurring::parse,
        );
        refuses(TriggerRecurring::parse, &["Daily", "weekly"]);
        round_trips(TriggerField::ALL, TriggerField::as_str, TriggerField::parse);
        refuses(TriggerField::parse, &["Price", "cost"]);
        round_trips(
            FeedbackOutcome::ALL,
            FeedbackOutcome::as_str,
            FeedbackOutcome::parse,
        );
        refuses(FeedbackOutcome::parse, &["Confirmed", "delivered", ""]);
    }

    #[test]
    fn number_types_round_trip_and_refuse_others() {
        round_trips(NumberType::ALL, NumberType::as_str, NumberType::parse);
        assert_eq!(NumberType::ALL, NumberType::all());
        refuses(NumberType::parse, &["Local", "toll-free", "TollFree"]);
        for t in NumberType::all() {
            assert_eq!(NumberType::parse_path_segment(t.path_segment()), Some(t));
        }
        assert_eq!(NumberType::parse_path_segment("local"), None);
        assert_eq!(
            NumberType::parse_path_segment("Voip"),
            Some(NumberType::Voip)
        );
        assert!(serde_json::from_str::<NumberType>("\"landline\"").is_err());
        // Twilio's IncomingPhoneNumbers has three typed lists, not seven.
        assert_eq!(
            NumberType::parse_incoming_segment("Mobile"),
            Some(NumberType::Mobile)
        );
        assert_eq!(NumberType::parse_incoming_segment("National"), None);
        assert_eq!(NumberType::parse_incoming_segment("Voip"), None);
    }

    #[test]
    fn address_requirements_round_trip_and_refuse_others() {
        round_trips(
            AddressRequirement::ALL,
            AddressRequirement::as_str,
            AddressRequirement::parse,
        );
        refuses(AddressRequirement::parse, &["None", "all", ""]);
    }

    #[test]
    fn usage_categories_round_trip_and_refuse_others() {
        round_trips(
            UsageCategory::ALL,
            UsageCategory::as_str,
            UsageCategory::parse,
        );
        // Report categories that add leaves up are not leaves.
        refuses(
            UsageCategory::parse,
            &["calls", "sms", "totalprice", "phone-numbers"],
        );
    }

    #[test]
    fn only_queued_ringing_and_in_progress_calls_are_live() {
        let live: Vec<CallStatus> = CallStatus::ALL
            .iter()
            .copied()
            .filter(|s| !s.is_final())
            .collect();
        assert_eq!(
            live,
            [
                CallStatus::Queued,
                CallStatus::Ringing,
                CallStatus::InProgress
            ]
        );
    }

    #[test]
    fn the_error_names_the_parameter_and_is_bounded() {
        let err = CallStatus::parse(&"x".repeat(10_000)).unwrap_err();
        assert_eq!(err.what, "Status");
        assert!(err.to_string().len() < 400, "{err}");
    }
}
