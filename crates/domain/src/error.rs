//! What can go wrong in the domain, in the domain's own terms.
//!
//! A refused value is an [`Invalid`]: *which* field of *which* resource, and
//! *what* is wrong with it, as typed data. The domain never words it for a
//! client and knows no Twilio parameter name or error code: the API
//! (`crates/http/src/twilio/invalid.rs`) maps each field and problem to
//! Twilio's parameter, code and message, in one place; the console
//! (`crates/http/src/web/invalid.rs`) to its own labels.

use std::fmt;

use switchboard_store::StoreError;
use switchboard_telephony::magic::Refusal;
use switchboard_telephony::phone::PhoneError;
use switchboard_types::{AccountSid, AddressRequirement, ApplicationSid, MessagingServiceSid};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum DomainError {
    /// The credentials do not identify anyone (HTTP 401).
    #[error("Authenticate")]
    Unauthenticated,
    /// Someone known asked for something they may not do (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing there, or nothing this caller may know exists (HTTP 404).
    #[error("The requested resource was not found")]
    NotFound,
    /// A value the caller gave is wrong (HTTP 400).
    #[error("{0}")]
    Invalid(Invalid),
    /// Several values the caller gave are wrong, each named (HTTP 400): what
    /// an operation that checks every field before refusing returns when
    /// more than one is (see [`Checks`]). The API answers with the first,
    /// as Twilio names one parameter; the console shows each next to its
    /// field.
    #[error("{}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalids(Vec<Invalid>),
    /// The account the request acts on is suspended or closed.
    #[error("{0}")]
    AccountNotActive(String),
    /// The request conflicts with the current state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// A row this change read was changed by another transaction before it
    /// could write: nothing of it may land, and running the whole
    /// transaction again reads the change. The transaction runners
    /// (`Switchboard::guarded`, `Switchboard::retrying`) do; one that
    /// escapes them is answered as a conflict (HTTP 409).
    #[error("{0}")]
    Lost(String),
    /// A sandbox's seed document is wrong (HTTP 400): `path` names the bad
    /// field the way the JSON spells it (`accounts.owner.connect_apps.analytics.permissions[1]`).
    #[error("Invalid seed at {path}: {message}")]
    Seed { path: String, message: String },
    /// Too many failed attempts; try again later (HTTP 429).
    #[error("Too many attempts; try again in {retry_after_seconds} seconds")]
    TooManyAttempts { retry_after_seconds: u64 },
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type DomainResult<T> = Result<T, DomainError>;

/// The error for `field` with `problem`:
/// `return Err(invalid(CallField::To, Problem::Missing))`.
pub fn invalid(field: impl Into<Field>, problem: Problem) -> DomainError {
    DomainError::Invalid(Invalid {
        field: field.into(),
        problem,
    })
}

impl DomainError {
    /// Whether the transaction this ended was given up for another one
    /// ([`DomainError::Lost`], or the database's deadlock or serialization
    /// failure), so that running it again from the start may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            DomainError::Lost(_) => true,
            DomainError::Store(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// Every refused value this error names, in the order they were found
    /// (none when it is not about values).
    pub fn problems(&self) -> &[Invalid] {
        match self {
            DomainError::Invalid(i) => std::slice::from_ref(i),
            DomainError::Invalids(all) => all,
            _ => &[],
        }
    }

    /// The first refused value, for a client that names one (the API).
    pub fn first_problem(self) -> Self {
        match self {
            DomainError::Invalids(mut all) if !all.is_empty() => {
                DomainError::Invalid(all.remove(0))
            }
            other => other,
        }
    }
}

/// Checks every value of a request before refusing it, so that a form can
/// show each mistake at once: `checks.check(validate::email(v))` keeps the
/// value or notes the problem (the first one per field), and `done` refuses
/// with all of them.
#[derive(Debug, Default)]
pub struct Checks(Vec<Invalid>);

impl Checks {
    /// `result`'s value, or `None` with its problem noted; an error that is not
    /// about a value is passed on.
    pub fn check<T>(&mut self, result: DomainResult<T>) -> DomainResult<Option<T>> {
        match result {
            Ok(v) => Ok(Some(v)),
            Err(e @ (DomainError::Invalid(_) | DomainError::Invalids(_))) => {
                for i in e.problems() {
                    self.note(i.clone());
                }
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Notes a problem, unless its field already has one.
    pub fn note(&mut self, invalid: Invalid) {
        if !self.0.iter().any(|i| i.field == invalid.field) {
            self.0.push(invalid);
        }
    }

    /// Whether `field` has a problem already.
    pub fn flagged(&self, field: impl Into<Field>) -> bool {
        let field = field.into();
        self.0.iter().any(|i| i.field == field)
    }

    /// The problems noted, in order.
    pub fn into_problems(self) -> Vec<Invalid> {
        self.0
    }

    /// `Ok` when nothing was wrong; the one problem, or all of them.
    pub fn done(mut self) -> DomainResult<()> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(DomainError::Invalid(self.0.remove(0))),
            _ => Err(DomainError::Invalids(self.0)),
        }
    }
}

/// A refused value: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: Field,
    pub problem: Problem,
}

/// For logs only: clients get the API's or the console's words.
impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {:?}: {:?}", self.field, self.problem)
    }
}

/// A field of a request, by the resource it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Account(AccountField),
    /// The account's auth tokens (promoting the secondary one).
    AuthToken,
    ConnectApp(AppField),
    Call(CallField),
    /// A message sent, or one a simulated handset sends.
    Message(MessageField),
    Number(NumberField),
    /// A Messaging Service.
    Service(ServiceField),
    /// A TwiML Application.
    Application(ApplicationField),
    Usage(UsageField),
    /// Exchanging a Connect authorization's one-time code.
    ConnectCode(CodeField),
    /// An API key's friendly name.
    ApiKey,
    /// A Network Traversal token's lifetime.
    Ttl,
    /// A usage trigger.
    UsageTrigger(UsageTriggerField),
    /// An address (`…/Addresses`).
    Address(AddressField),
    /// A validation request, or the outgoing caller ID it verifies.
    CallerId(CallerIdField),
    /// A short code's settings, or the operator provisioning one.
    ShortCode(ShortCodeField),
    /// A call queue (`…/Queues`) or one of its members.
    Queue(QueueField),
    /// A recording started or changed on a live call.
    Recording(RecordingField),
    /// A conference's or a participant's settings.
    Conference(ConferenceField),
    /// A real-time transcription started or stopped on a live call.
    RealtimeTranscription(RealtimeTranscriptionField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RealtimeTranscriptionField {
    /// The call transcribed (which must be in progress).
    Call,
    Name,
    Track,
    StatusCallbackUrl,
    StatusCallbackMethod,
    LanguageCode,
    PartialResults,
    ProfanityFilter,
    EnableAutomaticPunctuation,
    EnableProviderData,
    TranscriptionEngine,
    /// A transcription's new status (or the transcription, which must be
    /// in progress).
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueField {
    Name,
    MaxSize,
    /// The queue itself (deleting one calls wait in).
    Queue,
    /// A member's new document (`Url`, `Method`).
    Url,
    Method,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordingField {
    /// The call recorded (which must be in progress).
    Call,
    Channels,
    StatusCallback,
    StatusCallbackMethod,
    StatusCallbackEvent,
    Trim,
    Track,
    /// A recording's new status (or the recording, which must be live).
    Status,
    PauseBehavior,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConferenceField {
    Status,
    AnnounceUrl,
    AnnounceMethod,
    Muted,
    Hold,
    HoldUrl,
    HoldMethod,
    WaitUrl,
    WaitMethod,
    BeepOnExit,
    EndConferenceOnExit,
    Coaching,
    CallSidToCoach,
    StartConferenceOnEnter,
    EarlyMedia,
    ConferenceRecord,
    MaxParticipants,
    Beep,
    ConferenceStatusCallback,
    ConferenceStatusCallbackMethod,
    ConferenceRecordingStatusCallback,
    ConferenceRecordingStatusCallbackMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerIdField {
    /// The number to verify.
    Number,
    Name,
    CallDelay,
    Extension,
    StatusCallback,
    StatusCallbackMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShortCodeField {
    /// The digits (provisioning) or a message's `From`.
    Code,
    Name,
    ApiVersion,
    SmsUrl,
    SmsMethod,
    SmsFallbackUrl,
    SmsFallbackMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeField {
    Code,
    /// PKCE's `code_verifier`.
    CodeVerifier,
}

/// Why a Connect authorization's code was not exchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeRefusal {
    /// No code like it was ever issued.
    Unknown,
    /// Issued to another Connect App.
    OtherApp,
    /// Exchanged already: a code is good once.
    Used,
    /// Older than its lifetime.
    Expired,
    /// The grant it stood for ended before the exchange.
    Revoked,
    /// The link had a PKCE challenge and no verifier came.
    VerifierMissing,
    /// The verifier does not hash to the link's challenge.
    VerifierMismatch,
    /// A verifier came for a code whose link had no challenge.
    VerifierUnexpected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountField {
    Name,
    Email,
    Password,
    Status,
    /// The account an operation names (upgrading: it must be a main account).
    Account,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppField {
    Name,
    CompanyName,
    Description,
    HomepageUrl,
    TermsOfServiceUrl,
    AuthorizeRedirectUrl,
    DeauthorizeCallbackUrl,
    DeauthorizeCallbackMethod,
    AuthorizeCallbackUrl,
    AuthorizeCallbackMethod,
    Logo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallField {
    To,
    From,
    Url,
    Twiml,
    Application,
    Method,
    FallbackUrl,
    FallbackMethod,
    StatusCallback,
    StatusCallbackMethod,
    StatusCallbackEvent,
    Timeout,
    Record,
    Status,
    /// Caller input (`Digits`, `SpeechResult`) for a call's `<Gather>`.
    Input,
    MachineDetection,
    MachineDetectionTimeout,
    AsyncAmd,
    AsyncAmdStatusCallback,
    AsyncAmdStatusCallbackMethod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageField {
    To,
    From,
    Body,
    Media,
    StatusCallback,
    /// The Messaging Service to send through.
    Service,
    /// Whether the message gets a Feedback resource (`ProvideFeedback`).
    ProvideFeedback,
    /// A message feedback's `Outcome`.
    FeedbackOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberField {
    /// The number to buy.
    Number,
    AreaCode,
    Name,
    VoiceUrl,
    VoiceMethod,
    VoiceFallbackUrl,
    VoiceFallbackMethod,
    SmsUrl,
    SmsMethod,
    SmsFallbackUrl,
    SmsFallbackMethod,
    StatusCallback,
    StatusCallbackMethod,
    /// The application that answers the number's calls.
    VoiceApplication,
    /// The application that answers the number's messages.
    SmsApplication,
    /// The address the number is bought (or kept) with.
    Address,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationField {
    Name,
    ApiVersion,
    VoiceUrl,
    VoiceMethod,
    VoiceFallbackUrl,
    VoiceFallbackMethod,
    StatusCallback,
    StatusCallbackMethod,
    SmsUrl,
    SmsMethod,
    SmsFallbackUrl,
    SmsFallbackMethod,
    SmsStatusCallback,
    MessageStatusCallback,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceField {
    Name,
    InboundRequestUrl,
    InboundMethod,
    FallbackUrl,
    FallbackMethod,
    StatusCallback,
    ScanMessageContent,
    Usecase,
    ValidityPeriod,
    /// A number of the pool.
    Number,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UsageTriggerField {
    Name,
    CallbackUrl,
    CallbackMethod,
    TriggerValue,
    UsageCategory,
    Recurring,
    TriggerBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressField {
    CustomerName,
    Name,
    Street,
    StreetSecondary,
    City,
    Region,
    PostalCode,
    IsoCountry,
    /// The address itself (deleting one that numbers use).
    Address,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UsageField {
    Category,
    StartDate,
    EndDate,
}

macro_rules! into_field {
    ($($t:ident => $v:ident),*) => {$(
        impl From<$t> for Field {
            fn from(f: $t) -> Field {
                Field::$v(f)
            }
        }
    )*};
}
into_field!(
    AccountField => Account,
    AppField => ConnectApp,
    CallField => Call,
    MessageField => Message,
    NumberField => Number,
    ServiceField => Service,
    ApplicationField => Application,
    UsageField => Usage,
    CodeField => ConnectCode,
    UsageTriggerField => UsageTrigger,
    AddressField => Address,
    CallerIdField => CallerId,
    ShortCodeField => ShortCode,
    QueueField => Queue,
    RecordingField => Recording,
    ConferenceField => Conference,
    RealtimeTranscriptionField => RealtimeTranscription
);

/// What is wrong with a value. The data is what a message about it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    // Shapes: the value alone is wrong.
    /// Not given (or only blanks) where one is needed; for a setting of a
    /// resource, the resource has none.
    Missing,
    /// Given, but only blanks.
    Blank,
    TooLong {
        max: usize,
    },
    /// More bytes of UTF-8 than allowed (a field whose limit is in bytes).
    TooManyBytes {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    /// More values than allowed.
    TooMany {
        max: usize,
    },
    ControlCharacters,
    NotEmail,
    NotUrl(UrlFault),
    /// Neither `GET` nor `POST`.
    NotMethod {
        given: String,
    },
    NotBoolean,
    NotOneOf {
        allowed: Vec<&'static str>,
        given: String,
    },
    /// A whole number outside these bounds.
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// Not a SID of the kind the field holds.
    NotSid,
    NotPhoneNumber(PhoneError),
    /// Not an ISO 3166-1 alpha-2 country code.
    NotCountry {
        given: String,
    },
    /// Bytes larger than allowed.
    TooLarge {
        max_bytes: usize,
    },
    NotImage,
    /// Before the start of the range it ends.
    BeforeStart,
    /// Not a positive decimal number (with at most six decimals), or an
    /// offset from the current value (`+30`).
    NotPositiveNumber,
    /// A range of more days than a report covers.
    SpanTooLong {
        max_days: i64,
    },
    /// One of Twilio's magic test numbers, refused as Twilio refuses it.
    Magic(Refusal),
    /// A Connect authorization's code that cannot be exchanged.
    CodeRefused(CodeRefusal),

    // States: the value is fine, the world is not.
    /// A number the account does not own (or has not verified).
    NotOwned {
        number: String,
        account: AccountSid,
    },
    /// The recipient answered STOP to this sender.
    OptedOut {
        to: String,
        from: String,
    },
    /// The number is not for sale (sold, or none such).
    Unavailable {
        number: String,
    },
    /// The number's country requires an address on file, and none was
    /// given (`requirement` is not `none`; `country` is the number's).
    AddressRequired {
        number: String,
        requirement: AddressRequirement,
        country: String,
    },
    /// The address named is not one of the account's, or does not meet the
    /// number's requirement (`local`: in `country`; `foreign`: outside it).
    UnsuitableAddress {
        address: String,
        account: AccountSid,
        requirement: AddressRequirement,
        country: String,
    },
    /// Phone numbers still use the address.
    AddressInUse {
        numbers: i64,
    },
    /// Another queue of the account has this name.
    QueueNameTaken {
        name: String,
    },
    /// Calls still wait in the queue.
    QueueNotEmpty {
        members: i64,
    },
    /// The number is for sale, but not of the kind asked for.
    WrongType {
        number: String,
        kind: &'static str,
    },
    NoneInAreaCode {
        area_code: String,
    },
    NotMessagingCapable {
        number: String,
    },
    /// The account has no such TwiML Application.
    UnknownApplication {
        application: ApplicationSid,
        account: AccountSid,
    },
    /// The account has no such Messaging Service.
    UnknownService {
        service: MessagingServiceSid,
    },
    NoSenders {
        service: MessagingServiceSid,
    },
    NotInService {
        number: String,
        service: MessagingServiceSid,
    },
    AlreadyInService {
        number: String,
    },
    /// In another service's pool: it must leave that first.
    InAnotherService {
        number: String,
    },
    /// Added to another pool while this request was adding it.
    TakenMeanwhile {
        number: String,
    },
    PoolFull {
        max: usize,
    },
    /// Not keys a phone dials: digits, `*`, `#` and `w` (a half-second
    /// wait), at most `max` of them.
    NotKeys {
        max: usize,
    },
    /// Not a short code: 3 to 8 digits.
    NotShortCode,
    /// The account verified this number already.
    AlreadyVerified {
        number: String,
    },
    /// The account owns this number: it calls from it without verifying.
    OwnNumber {
        number: String,
    },
    /// The short code is another account's in this world, or this one's.
    ShortCodeTaken {
        code: String,
    },
    /// A short code the account does not have.
    NotOwnShortCode {
        code: String,
        account: AccountSid,
    },
    /// The field can only be set to certain values through this operation.
    NotSettable,
    /// The call has ended, or was not answered yet.
    NotInProgress,
    /// The call is in progress (so it cannot be canceled).
    InProgress,
    /// The account is closed, and cannot be changed any more.
    Closed,
    /// A subaccount, where a main account is needed.
    Subaccount {
        account: AccountSid,
        main: AccountSid,
    },
}

/// Why a value is not an absolute `http(s)` URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlFault {
    /// Not a URL, relative, or of another scheme.
    NotHttp,
    TooLong {
        max: usize,
    },
    /// With a user name or password in it.
    Credentials,
}
