//! The vocabulary every layer of Switchboard shares.
//!
//! Values here are parsed once, at the edge, and carried as types from then on: a
//! function that takes an [`AccountSid`] never has to wonder whether it got a Connect
//! App SID or a user's typo.

#![forbid(unsafe_code)]

mod account;
mod permission;
mod sid;
mod telephony;
mod time;

pub use account::{AccountStatus, AccountType, ParseEnumError};
pub use permission::{Permission, Permissions, UnknownPermission};
pub use sid::{
    AccountSid, AddressSid, ApiKeySid, ApplicationSid, CallSid, ConferenceSid, ConnectAppSid,
    DeliverySid, MediaSid, MessageSid, MessagingServiceSid, NotificationSid, OutgoingCallerIdSid,
    PhoneNumberSid, QueueSid, RealtimeTranscriptionSid, RecordingSid, SandboxSid, ShortCodeSid,
    SidError, TranscriptionSid, UsageTriggerSid, Username,
};
pub use telephony::{
    AddressRequirement, AnsweredBy, ApiKeyKind, CallDirection, CallEvent, CallEvents, CallStage,
    CallStatus, FeedbackOutcome, HookMethod, MachineDetection, MessageDirection, MessageStatus,
    NotificationLevel, NumberType, PauseBehavior, RealtimeTranscriptionStatus, RecordingSource,
    RecordingStatus, RecordingTrack, TranscriptionStatus, TranscriptionTrack, TriggerField,
    TriggerRecurring, UsageCategory,
};
pub use time::Timestamp;
