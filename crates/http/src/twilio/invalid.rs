//! Twilio's words for a refused value: the one place a domain [`Invalid`]
//! becomes a Twilio parameter name, error code and message.
//!
//! Where does a code come from? Find the field in [`code`]: a resource's
//! fields get its codes (a call's `To` that is no phone number is 21211), and
//! anything not listed there is 20001, Twilio's "invalid parameter". The
//! message is [`sentence`], with the field called by its parameter name
//! ([`param`]).

use switchboard_domain::error::{
    AccountField, AddressField, AppField, ApplicationField, CallField, CallerIdField, CodeField,
    CodeRefusal, ConferenceField, Field, Invalid, MessageField, NumberField, Problem, QueueField,
    RealtimeTranscriptionField, RecordingField, ServiceField, ShortCodeField, UrlFault, UsageField,
    UsageTriggerField,
};
use switchboard_types::AddressRequirement;

/// Twilio's generic code for a missing or wrong parameter.
pub const INVALID_PARAMETER: u32 = 20001;
/// A phone number (or its SID) that is not valid, or not the account's.
pub const INVALID_NUMBER: u32 = 21421;
/// "Phone Number Requires an Address": a number bought or kept without an
/// address that meets its country's requirement.
pub const ADDRESS_REQUIRED: u32 = 21631;
/// "Address Validation Error": a parameter of an address that is wrong.
pub const ADDRESS_INVALID: u32 = 21238;

/// The API parameter a field is read from.
pub fn param(field: Field) -> &'static str {
    match field {
        Field::Account(f) => match f {
            AccountField::Name => "FriendlyName",
            AccountField::Email => "Email",
            AccountField::Password => "Password",
            AccountField::Status => "Status",
            AccountField::Account => "AccountSid",
        },
        Field::AuthToken => "AuthToken",
        Field::ApiKey => "FriendlyName",
        Field::Ttl => "Ttl",
        Field::ConnectApp(f) => match f {
            AppField::Name => "FriendlyName",
            AppField::CompanyName => "CompanyName",
            AppField::Description => "Description",
            AppField::HomepageUrl => "HomepageUrl",
            AppField::TermsOfServiceUrl => "TermsOfServiceUrl",
            AppField::AuthorizeRedirectUrl => "AuthorizeRedirectUrl",
            AppField::DeauthorizeCallbackUrl => "DeauthorizeCallbackUrl",
            AppField::DeauthorizeCallbackMethod => "DeauthorizeCallbackMethod",
            AppField::AuthorizeCallbackUrl => "AuthorizeCallbackUrl",
            AppField::AuthorizeCallbackMethod => "AuthorizeCallbackMethod",
            AppField::Logo => "Logo",
        },
        Field::Call(f) => match f {
            CallField::To => "To",
            CallField::From => "From",
            CallField::Url => "Url",
            CallField::Twiml => "Twiml",
            CallField::Application => "ApplicationSid",
            CallField::Method => "Method",
            CallField::FallbackUrl => "FallbackUrl",
            CallField::FallbackMethod => "FallbackMethod",
            CallField::StatusCallback => "StatusCallback",
            CallField::StatusCallbackMethod => "StatusCallbackMethod",
            CallField::StatusCallbackEvent => "StatusCallbackEvent",
            CallField::Timeout => "Timeout",
            CallField::Record => "Record",
            CallField::Status => "Status",
            CallField::Input => "Digits",
            CallField::MachineDetection => "MachineDetection",
            CallField::MachineDetectionTimeout => "MachineDetectionTimeout",
            CallField::AsyncAmd => "AsyncAmd",
            CallField::AsyncAmdStatusCallback => "AsyncAmdStatusCallback",
            CallField::AsyncAmdStatusCallbackMethod => "AsyncAmdStatusCallbackMethod",
        },
        Field::Message(f) => match f {
            MessageField::To => "To",
            MessageField::From => "From",
            MessageField::Body => "Body",
            MessageField::Media => "MediaUrl",
            MessageField::StatusCallback => "StatusCallback",
            MessageField::Service => "MessagingServiceSid",
            MessageField::ProvideFeedback => "ProvideFeedback",
            MessageField::FeedbackOutcome => "Outcome",
        },
        Field::Number(f) => match f {
            NumberField::Number => "PhoneNumber",
            NumberField::AreaCode => "AreaCode",
            NumberField::Name => "FriendlyName",
            NumberField::VoiceUrl => "VoiceUrl",
            NumberField::VoiceMethod => "VoiceMethod",
            NumberField::VoiceFallbackUrl => "VoiceFallbackUrl",
            NumberField::VoiceFallbackMethod => "VoiceFallbackMethod",
            NumberField::SmsUrl => "SmsUrl",
            NumberField::SmsMethod => "SmsMethod",
            NumberField::SmsFallbackUrl => "SmsFallbackUrl",
            NumberField::SmsFallbackMethod => "SmsFallbackMethod",
            NumberField::StatusCallback => "StatusCallback",
            NumberField::StatusCallbackMethod => "StatusCallbackMethod",
            NumberField::VoiceApplication => "VoiceApplicationSid",
            NumberField::SmsApplication => "SmsApplicationSid",
            NumberField::Address => "AddressSid",
        },
        Field::Application(f) => match f {
            ApplicationField::Name => "FriendlyName",
            ApplicationField::ApiVersion => "ApiVersion",
            ApplicationField::VoiceUrl => "VoiceUrl",
            ApplicationField::VoiceMethod => "VoiceMethod",
            ApplicationField::VoiceFallbackUrl => "VoiceFallbackUrl",
            ApplicationField::VoiceFallbackMethod => "VoiceFallbackMethod",
            ApplicationField::StatusCallback => "StatusCallback",
            ApplicationField::StatusCallbackMethod => "StatusCallbackMethod",
            ApplicationField::SmsUrl => "SmsUrl",
            ApplicationField::SmsMethod => "SmsMethod",
            ApplicationField::SmsFallbackUrl => "SmsFallbackUrl",
            ApplicationField::SmsFallbackMethod => "SmsFallbackMethod",
            ApplicationField::SmsStatusCallback => "SmsStatusCallback",
            ApplicationField::MessageStatusCallback => "MessageStatusCallback",
        },
        Field::Service(f) => match f {
            ServiceField::Name => "FriendlyName",
            ServiceField::InboundRequestUrl => "InboundRequestUrl",
            ServiceField::InboundMethod => "InboundMethod",
            ServiceField::FallbackUrl => "FallbackUrl",
            ServiceField::FallbackMethod => "FallbackMethod",
            ServiceField::StatusCallback => "StatusCallback",
            ServiceField::ScanMessageContent => "ScanMessageContent",
            ServiceField::Usecase => "Usecase",
            ServiceField::ValidityPeriod => "ValidityPeriod",
            ServiceField::Number => "PhoneNumberSid",
        },
        Field::Usage(f) => match f {
            UsageField::Category => "Category",
            UsageField::StartDate => "StartDate",
            UsageField::EndDate => "EndDate",
        },
        Field::ConnectCode(f) => match f {
            CodeField::Code => "Code",
            CodeField::CodeVerifier => "CodeVerifier",
        },
        Field::UsageTrigger(f) => match f {
            UsageTriggerField::Name => "FriendlyName",
            UsageTriggerField::CallbackUrl => "CallbackUrl",
            UsageTriggerField::CallbackMethod => "CallbackMethod",
            UsageTriggerField::TriggerValue => "TriggerValue",
            UsageTriggerField::UsageCategory => "UsageCategory",
            UsageTriggerField::Recurring => "Recurring",
            UsageTriggerField::TriggerBy => "TriggerBy",
        },
        Field::Address(f) => match f {
            AddressField::CustomerName => "CustomerName",
            AddressField::Name => "FriendlyName",
            AddressField::Street => "Street",
            AddressField::StreetSecondary => "StreetSecondary",
            AddressField::City => "City",
            AddressField::Region => "Region",
            AddressField::PostalCode => "PostalCode",
            AddressField::IsoCountry => "IsoCountry",
            AddressField::Address => "Sid",
        },
        Field::Recording(f) => match f {
            RecordingField::Call => "CallSid",
            RecordingField::Channels => "RecordingChannels",
            RecordingField::StatusCallback => "RecordingStatusCallback",
            RecordingField::StatusCallbackMethod => "RecordingStatusCallbackMethod",
            RecordingField::StatusCallbackEvent => "RecordingStatusCallbackEvent",
            RecordingField::Trim => "Trim",
            RecordingField::Track => "RecordingTrack",
            RecordingField::Status => "Status",
            RecordingField::PauseBehavior => "PauseBehavior",
        },
        Field::RealtimeTranscription(f) => match f {
            RealtimeTranscriptionField::Call => "CallSid",
            RealtimeTranscriptionField::Name => "Name",
            RealtimeTranscriptionField::Track => "Track",
            RealtimeTranscriptionField::StatusCallbackUrl => "StatusCallbackUrl",
            RealtimeTranscriptionField::StatusCallbackMethod => "StatusCallbackMethod",
            RealtimeTranscriptionField::LanguageCode => "LanguageCode",
            RealtimeTranscriptionField::PartialResults => "PartialResults",
            RealtimeTranscriptionField::ProfanityFilter => "ProfanityFilter",
            RealtimeTranscriptionField::EnableAutomaticPunctuation => "EnableAutomaticPunctuation",
            RealtimeTranscriptionField::EnableProviderData => "EnableProviderData",
            RealtimeTranscriptionField::TranscriptionEngine => "TranscriptionEngine",
            RealtimeTranscriptionField::Status => "Status",
        },
        Field::CallerId(f) => match f {
            CallerIdField::Number => "PhoneNumber",
            CallerIdField::Name => "FriendlyName",
            CallerIdField::CallDelay => "CallDelay",
            CallerIdField::Extension => "Extension",
            CallerIdField::StatusCallback => "StatusCallback",
            CallerIdField::StatusCallbackMethod => "StatusCallbackMethod",
        },
        Field::ShortCode(f) => match f {
            ShortCodeField::Code => "ShortCode",
            ShortCodeField::Name => "FriendlyName",
            ShortCodeField::ApiVersion => "ApiVersion",
            ShortCodeField::SmsUrl => "SmsUrl",
            ShortCodeField::SmsMethod => "SmsMethod",
            ShortCodeField::SmsFallbackUrl => "SmsFallbackUrl",
            ShortCodeField::SmsFallbackMethod => "SmsFallbackMethod",
        },
        Field::Queue(f) => match f {
            QueueField::Name => "FriendlyName",
            QueueField::MaxSize => "MaxSize",
            QueueField::Queue => "Sid",
            QueueField::Url => "Url",
            QueueField::Method => "Method",
        },
        Field::Conference(f) => match f {
            ConferenceField::Status => "Status",
            ConferenceField::AnnounceUrl => "AnnounceUrl",
            ConferenceField::AnnounceMethod => "AnnounceMethod",
            ConferenceField::Muted => "Muted",
            ConferenceField::Hold => "Hold",
            ConferenceField::HoldUrl => "HoldUrl",
            ConferenceField::HoldMethod => "HoldMethod",
            ConferenceField::WaitUrl => "WaitUrl",
            ConferenceField::WaitMethod => "WaitMethod",
            ConferenceField::BeepOnExit => "BeepOnExit",
            ConferenceField::EndConferenceOnExit => "EndConferenceOnExit",
            ConferenceField::Coaching => "Coaching",
            ConferenceField::CallSidToCoach => "CallSidToCoach",
            ConferenceField::StartConferenceOnEnter => "StartConferenceOnEnter",
            ConferenceField::EarlyMedia => "EarlyMedia",
            ConferenceField::ConferenceRecord => "ConferenceRecord",
            ConferenceField::MaxParticipants => "MaxParticipants",
            ConferenceField::Beep => "Beep",
            ConferenceField::ConferenceStatusCallback => "ConferenceStatusCallback",
            ConferenceField::ConferenceStatusCallbackMethod => "ConferenceStatusCallbackMethod",
            ConferenceField::ConferenceRecordingStatusCallback => {
                "ConferenceRecordingStatusCallback"
            }
            ConferenceField::ConferenceRecordingStatusCallbackMethod => {
                "ConferenceRecordingStatusCallbackMethod"
            }
        },
    }
}

/// Switchboard's own codes for a Connect authorization code that is not
/// exchanged (`POST /switchboard/v1/ConnectApps/{Sid}/Tokens.json`). Twilio has
/// no such endpoint, so these are not Twilio's; they sit in a range Twilio's
/// catalogue does not use (docs/connect.md lists them).
pub fn code_refusal(refusal: CodeRefusal) -> u32 {
    match refusal {
        CodeRefusal::Unknown => 97001,
        CodeRefusal::Used => 97002,
        CodeRefusal::Expired => 97003,
        CodeRefusal::OtherApp => 97004,
        CodeRefusal::Revoked => 97005,
        CodeRefusal::VerifierMismatch => 97006,
        CodeRefusal::VerifierMissing => 97007,
        CodeRefusal::VerifierUnexpected => 97008,
    }
}

/// Twilio's error code for a refused value.
pub fn code(invalid: &Invalid) -> u32 {
    use Problem as P;
    let problem = &invalid.problem;
    if let P::Magic(refusal) = problem {
        return refusal.code;
    }
    if let P::CodeRefused(refusal) = problem {
        return code_refusal(*refusal);
    }
    match invalid.field {
        Field::Call(f) => match (f, problem) {
            (CallField::To, P::Missing) => 21201,
            (CallField::To, _) => 21211,
            (CallField::From, P::Missing) => 21213,
            (CallField::From, P::NotOwned { .. }) => 21210,
            (CallField::From, _) => 21212,
            (
                CallField::Status | CallField::Url | CallField::Input,
                P::NotInProgress | P::InProgress,
            ) => 21220,
            (CallField::Application, P::NotSid | P::UnknownApplication { .. }) => 21218,
            (CallField::Url | CallField::Twiml | CallField::Application, _) => 21205,
            (
                CallField::Method
                | CallField::StatusCallbackMethod
                | CallField::FallbackMethod
                | CallField::AsyncAmdStatusCallbackMethod,
                _,
            ) => 21209,
            (CallField::FallbackUrl, _) => 21205,
            (CallField::StatusCallback | CallField::AsyncAmdStatusCallback, _) => 21609,
            _ => INVALID_PARAMETER,
        },
        Field::Message(f) => match (f, problem) {
            (MessageField::To, P::Missing) => 21604,
            (MessageField::To, P::OptedOut { .. }) => 21610,
            (MessageField::To, _) => 21211,
            (MessageField::From, P::Missing) => 21603,
            (MessageField::From, P::NotOwned { .. }) => 21606,
            (MessageField::From, P::NotInService { .. }) => 21711,
            (MessageField::From, P::NotOwnShortCode { .. }) => 21606,
            (MessageField::From, _) => 21212,
            (MessageField::Body, P::Missing) => 21602,
            (MessageField::Body, P::TooLong { .. }) => 21617,
            (MessageField::Media, P::TooMany { .. }) => 21623,
            (MessageField::Media, _) => 21620,
            (MessageField::StatusCallback, _) => 21609,
            (MessageField::Service, P::UnknownService { .. }) => 21701,
            (MessageField::Service, P::NoSenders { .. }) => 21704,
            _ => INVALID_PARAMETER,
        },
        Field::Number(f) => match (f, problem) {
            (NumberField::Number, P::Missing) => 21451,
            (NumberField::Number, P::Unavailable { .. } | P::WrongType { .. }) => 21422,
            (NumberField::Number, _) => INVALID_NUMBER,
            (NumberField::AreaCode, _) => 21452,
            (NumberField::Name, _) => INVALID_PARAMETER,
            // "ApplicationSid is not accessible".
            (NumberField::VoiceApplication | NumberField::SmsApplication, _) => 21420,
            (NumberField::Address, _) => ADDRESS_REQUIRED,
            (_, P::NotMethod { .. }) => 21209,
            _ => 21502,
        },
        Field::Service(f) => match (f, problem) {
            (ServiceField::Number, P::NotOwned { .. }) => INVALID_NUMBER,
            (ServiceField::Number, P::NotMessagingCapable { .. }) => 21715,
            (ServiceField::Number, P::AlreadyInService { .. }) => 21710,
            (ServiceField::Number, P::InAnotherService { .. } | P::TakenMeanwhile { .. }) => 21712,
            (ServiceField::Number, P::PoolFull { .. }) => 21714,
            (_, P::NotUrl(_)) => 11100,
            _ => INVALID_PARAMETER,
        },
        // An application's URLs and methods are a number's configuration.
        Field::Application(_) => match problem {
            P::NotUrl(_) => 21502,
            P::NotMethod { .. } => 21403,
            _ => INVALID_PARAMETER,
        },
        // Twilio documents no codes of its own for a trigger's parameters:
        // a callback's URL and method are refused as a number's are, the
        // rest as an invalid parameter.
        Field::UsageTrigger(f) => match (f, problem) {
            (UsageTriggerField::CallbackUrl, P::NotUrl(_)) => 21502,
            (UsageTriggerField::CallbackMethod, P::NotMethod { .. }) => 21403,
            _ => INVALID_PARAMETER,
        },
        // Twilio answers a wrong address parameter with its "Address
        // Validation Error"; a missing one, as any missing parameter. An
        // address numbers use stays, as they require it.
        Field::Address(_) => match problem {
            P::Missing => INVALID_PARAMETER,
            P::AddressInUse { .. } => ADDRESS_REQUIRED,
            _ => ADDRESS_INVALID,
        },
        // A validation request: Twilio's codes for a number already
        // verified (21450) or already the account's (21449); a bad number
        // as a number's (21421); callbacks as a call's.
        Field::CallerId(f) => match (f, problem) {
            (CallerIdField::Number, P::AlreadyVerified { .. }) => 21450,
            (CallerIdField::Number, P::OwnNumber { .. }) => 21449,
            (CallerIdField::Number, P::NotPhoneNumber(_)) => INVALID_NUMBER,
            (CallerIdField::StatusCallback, P::NotUrl(_)) => 21609,
            (CallerIdField::StatusCallbackMethod, P::NotMethod { .. }) => 21209,
            _ => INVALID_PARAMETER,
        },
        // A recording of a call that is not in progress, or one that has
        // ended, is Twilio's "invalid call state"; callbacks as a call's.
        Field::Recording(f) => match (f, problem) {
            (_, P::NotInProgress) => 21220,
            (RecordingField::StatusCallback, P::NotUrl(_)) => 21609,
            (RecordingField::StatusCallbackMethod, P::NotMethod { .. }) => 21209,
            _ => INVALID_PARAMETER,
        },
        // A call not in progress, as for a live recording; callbacks as a
        // call's.
        Field::RealtimeTranscription(f) => match (f, problem) {
            (_, P::NotInProgress) => 21220,
            (RealtimeTranscriptionField::StatusCallbackUrl, P::NotUrl(_)) => 21609,
            (RealtimeTranscriptionField::StatusCallbackMethod, P::NotMethod { .. }) => 21209,
            _ => INVALID_PARAMETER,
        },
        // A short code's URLs and methods are a number's configuration.
        Field::ShortCode(f) => match (f, problem) {
            (_, P::NotUrl(_)) => 21502,
            (_, P::NotMethod { .. }) => 21403,
            _ => INVALID_PARAMETER,
        },
        // Twilio documents no codes for a queue's parameters: a member's new
        // document is a call's (21205 for its URL, 21403 for its method);
        // anything else, a duplicate name or a queue calls wait in included,
        // is the generic invalid parameter.
        Field::Queue(f) => match (f, problem) {
            (QueueField::Url, P::NotUrl(_)) => 21205,
            (QueueField::Method, P::NotMethod { .. }) => 21403,
            _ => INVALID_PARAMETER,
        },
        Field::Conference(_) => match problem {
            P::NotUrl(_) => 21502,
            P::NotMethod { .. } => 21403,
            _ => INVALID_PARAMETER,
        },
        Field::Account(_)
        | Field::AuthToken
        | Field::ConnectApp(_)
        | Field::Usage(_)
        | Field::ConnectCode(_)
        | Field::ApiKey
        | Field::Ttl => INVALID_PARAMETER,
    }
}

/// Twilio's message for a refused value.
pub fn message(invalid: &Invalid) -> String {
    sentence(invalid, param(invalid.field))
}

/// Twilio's message for a refused value, with the field called `name` where
/// the message names it (the console passes its own labels).
pub fn sentence(invalid: &Invalid, name: &str) -> String {
    use Problem as P;
    let field = invalid.field;
    match &invalid.problem {
        P::Missing => match field {
            Field::Call(CallField::To) => "No 'To' number is specified".to_owned(),
            Field::Call(CallField::From) => "No 'From' number is specified".to_owned(),
            Field::Call(CallField::Url) => {
                "One of Url, Twiml or ApplicationSid is required to tell the call what to do"
                    .to_owned()
            }
            Field::Message(MessageField::To | MessageField::From) => {
                format!("A '{name}' phone number is required")
            }
            Field::Call(CallField::Input) => {
                "Digits or SpeechResult is required: the caller's input".to_owned()
            }
            Field::Message(MessageField::Body) => "Message body is required".to_owned(),
            Field::Number(NumberField::Number) => {
                "A PhoneNumber or an AreaCode is required".to_owned()
            }
            Field::Service(ServiceField::Name) => {
                format!("Required parameter {name} is missing")
            }
            Field::ConnectApp(AppField::AuthorizeRedirectUrl) => {
                "This Connect App has no authorize URL".to_owned()
            }
            Field::AuthToken => {
                "There is no secondary auth token to promote; create one first".to_owned()
            }
            _ => format!("{name} is required"),
        },
        P::Blank => format!("{name} must not be empty"),
        P::TooLong { max } => match field {
            Field::Message(MessageField::Body) => {
                format!("The concatenated message body exceeds the {max} character limit")
            }
            _ => format!("{name} must be at most {max} characters long"),
        },
        P::TooShort { min } => format!("{name} must be at least {min} characters long"),
        P::TooMany { max } => match field {
            Field::Application(_) => format!("An account holds at most {max} applications"),
            Field::ApiKey => format!("An account holds at most {max} API keys"),
            _ => format!("At most {max} {name} values may be sent"),
        },
        P::ControlCharacters => format!("{name} must not contain control characters"),
        P::NotEmail => "Enter a valid email address, like name@example.com".to_owned(),
        P::NotUrl(fault) => {
            let why = match fault {
                UrlFault::NotHttp => String::new(),
                UrlFault::TooLong { max } => format!(" of at most {max} characters"),
                UrlFault::Credentials => " without a user name or password in it".to_owned(),
            };
            format!("{name} must be an absolute http or https URL{why}")
        }
        P::NotMethod { given } => match field {
            Field::ConnectApp(_) => format!("{name} must be GET or POST"),
            _ => format!("{name} must be GET or POST, not '{}'", cut(given, 16)),
        },
        P::NotBoolean => format!("{name} must be true or false"),
        P::NotOneOf { allowed, given } => {
            let allowed = allowed.join(", ");
            match field {
                Field::Call(_) => {
                    format!("{name} must be one of {allowed}; not '{}'", cut(given, 16))
                }
                Field::Usage(_) | Field::UsageTrigger(UsageTriggerField::UsageCategory) => {
                    format!("{name} must be one of {allowed}")
                }
                _ => format!("{name} must be one of {allowed}, not '{}'", cut(given, 32)),
            }
        }
        P::OutOfRange { min, max } => match field {
            Field::Call(CallField::Timeout) => {
                format!("{name} must be a whole number of seconds from {min} to {max}")
            }
            Field::Call(CallField::Input) => {
                format!("Confidence must be a number from {min} to {max}")
            }
            Field::Queue(QueueField::MaxSize)
            | Field::Conference(ConferenceField::MaxParticipants) => {
                format!("{name} must be a whole number from {min} to {max}")
            }
            _ => format!("{name} must be from {min} to {max} seconds"),
        },
        P::NotSid => match field {
            Field::Number(NumberField::Address) => {
                format!("{name} must be an Address SID (AD followed by 32 hex digits)")
            }
            Field::Conference(ConferenceField::CallSidToCoach) => {
                format!("{name} must be a Call SID (CA followed by 32 hex digits)")
            }
            _ => format!("{name} must be an Application SID (AP followed by 32 hex digits)"),
        },
        P::TooManyBytes { max } => format!("{name} must be at most {max} bytes of UTF-8"),
        P::NotCountry { given } => format!(
            "{name} must be an ISO 3166-1 alpha-2 country code such as US or DE, not '{}'",
            cut(given, 16)
        ),
        P::AddressRequired {
            number,
            requirement,
            country,
        } => format!(
            "Phone Number Requires an Address: {number} requires {}; create one with \
             Addresses and pass its AddressSid",
            needed(*requirement, country)
        ),
        P::UnsuitableAddress {
            address,
            account,
            requirement,
            country,
        } => match requirement {
            AddressRequirement::None => format!(
                "Could not find Address with sid {} for account {account}",
                cut(address, 34)
            ),
            r => format!(
                "Could not find Address with sid {} for account {account} to satisfy {} \
                 Address requirement ({})",
                cut(address, 34),
                titled(*r),
                needed(*r, country)
            ),
        },
        P::QueueNameTaken { name } => format!(
            "A queue named '{}' already exists in this account",
            cut(name, 64)
        ),
        P::QueueNotEmpty { members } => format!(
            "This queue cannot be deleted: {members} call(s) wait in it; dequeue them first"
        ),
        P::AddressInUse { numbers } => format!(
            "This address cannot be deleted: {numbers} phone number(s) use it (its \
             DependentPhoneNumbers); release them or give them another AddressSid first"
        ),
        P::NotPhoneNumber(e) => e.to_string(),
        P::TooLarge { max_bytes } => format!("The logo must be at most {} KB", max_bytes / 1024),
        P::NotImage => "The logo must be a PNG, JPEG, GIF or WebP image".to_owned(),
        P::BeforeStart => "EndDate must not be before StartDate".to_owned(),
        P::NotPositiveNumber => format!(
            "{name} must be a positive number (at most 6 decimals), or an offset from the \
             current value such as +30"
        ),
        P::SpanTooLong { max_days } => {
            format!("A daily report covers at most {max_days} days; narrow StartDate and EndDate")
        }
        P::Magic(refusal) => refusal.message.clone(),
        P::CodeRefused(refusal) => match refusal {
            CodeRefusal::Unknown => {
                "This Code was not issued by this Switchboard; send the code the redirect carried"
            }
            CodeRefusal::Used => {
                "This Code was exchanged already; a code is good for one exchange. Send the customer \
                 through the Connect link again"
            }
            CodeRefusal::Expired => {
                "This Code expired: exchange a code within 60 seconds of the redirect. Send the \
                 customer through the Connect link again"
            }
            CodeRefusal::OtherApp => "This Code was issued to another Connect App",
            CodeRefusal::Revoked => {
                "The authorization this Code stood for was revoked before the exchange"
            }
            CodeRefusal::VerifierMismatch => {
                "CodeVerifier does not match the link's code_challenge; the code is used up"
            }
            CodeRefusal::VerifierMissing => {
                "The Connect link had a code_challenge: send its CodeVerifier; the code is used up"
            }
            CodeRefusal::VerifierUnexpected => {
                "The Connect link had no code_challenge, so no CodeVerifier is expected; the code \
                 is used up"
            }
        }
        .to_owned(),
        P::NotOwned { number, account } => match field {
            Field::Call(CallField::To) | Field::Message(MessageField::To) => {
                format!("The '{name}' number {number} is not a phone number of account {account}")
            }
            Field::Call(_) => format!(
                "The source phone number provided, {number}, is not yet verified for your \
                 account. You may only make calls from phone numbers that you've verified or \
                 purchased."
            ),
            Field::Message(_) => format!(
                "The '{name}' number {number} is not a valid, SMS-capable inbound phone number \
                 for your account"
            ),
            _ => format!("Phone Number {number} is not a phone number of this account"),
        },
        P::OptedOut { to, from } => {
            format!("Attempt to send to unsubscribed recipient: {to} replied STOP to {from}")
        }
        P::Unavailable { number } => format!("The phone number {number} is not available"),
        P::WrongType { number, kind } => format!("{number} is not a {kind} number"),
        P::NoneInAreaCode { area_code } => format!(
            "No phone numbers are available in area code '{}'",
            cut(area_code, 8)
        ),
        P::NotMessagingCapable { number } => {
            format!("Phone Number {number} can neither send SMS nor MMS")
        }
        P::UnknownApplication {
            application,
            account,
        } => format!("{name} {application} is not an application of account {account}"),
        P::UnknownService { service } => format!("The Messaging Service {service} does not exist"),
        P::NoSenders { service } => {
            format!("The Messaging Service {service} contains no phone numbers")
        }
        P::NotInService { number, service } => format!(
            "The '{name}' number {number} is not in the sender pool of the Messaging Service \
             {service}"
        ),
        P::AlreadyInService { number } => {
            format!("Phone Number {number} is already in this Messaging Service")
        }
        P::InAnotherService { number } => format!(
            "Phone Number {number} is associated with another Messaging Service; remove it \
             from there first"
        ),
        P::TakenMeanwhile { number } => {
            format!("Phone Number {number} is already in a Messaging Service")
        }
        P::PoolFull { max } => format!("A Messaging Service holds at most {max} numbers"),
        P::NotKeys { max } => format!(
            "{name} must be at most {max} keys to dial: digits, *, # and w (a half-second wait)"
        ),
        P::NotShortCode => format!("{name} must be a short code: 3 to 8 digits"),
        P::AlreadyVerified { number } => {
            format!("Phone number {number} is already validated on your account")
        }
        P::OwnNumber { number } => format!(
            "Phone number {number} is a number of your account: it can already be used for \
             outgoing calls and messages"
        ),
        P::ShortCodeTaken { code } => format!("The short code {code} is already provisioned"),
        P::NotOwnShortCode { code, account } => {
            format!("The '{name}' short code {code} is not a short code of account {account}")
        }
        P::NotSettable => match field {
            Field::Message(_) => {
                format!("A message's {name} can only be set to the empty string, which redacts it")
            }
            _ => format!("{name} can only be set to canceled or completed"),
        },
        P::NotInProgress => match field {
            Field::Recording(RecordingField::Call) => {
                "Call is not in-progress. Cannot start a recording.".to_owned()
            }
            Field::RealtimeTranscription(_) => {
                "Call is not in-progress. Cannot start a transcription.".to_owned()
            }
            Field::Recording(_) => {
                "The recording has ended: only a recording in progress or paused can change"
                    .to_owned()
            }
            _ => "Call is not in-progress. Cannot redirect.".to_owned(),
        },
        P::InProgress => {
            "A call in progress cannot be canceled; set Status=completed to hang up".to_owned()
        }
        P::Closed => "A closed account cannot be changed".to_owned(),
        P::Subaccount { account, main } => {
            format!("{account} is a subaccount; upgrade its main account {main}")
        }
    }
}

/// What a requirement asks for, in words.
fn needed(requirement: AddressRequirement, country: &str) -> String {
    match requirement {
        AddressRequirement::None => "no address".to_owned(),
        AddressRequirement::Any => "an address".to_owned(),
        AddressRequirement::Local => format!("an address in {country}"),
        AddressRequirement::Foreign => format!("an address outside {country}"),
    }
}

/// A requirement as Twilio's messages name it (`Local Address requirement`).
fn titled(requirement: AddressRequirement) -> &'static str {
    match requirement {
        AddressRequirement::None => "No",
        AddressRequirement::Any => "Any",
        AddressRequirement::Local => "Local",
        AddressRequirement::Foreign => "Foreign",
    }
}

/// At most `max` characters of what the caller sent.
fn cut(given: &str, max: usize) -> String {
    given.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(field: impl Into<Field>, problem: Problem) -> Invalid {
        Invalid {
            field: field.into(),
            problem,
        }
    }

    #[test]
    fn codes_follow_the_resource_and_the_problem() {
        let missing = |f: Field| code(&invalid(f, Problem::Missing));
        assert_eq!(missing(CallField::To.into()), 21201);
        assert_eq!(missing(MessageField::To.into()), 21604);
        assert_eq!(missing(NumberField::Number.into()), 21451);
        assert_eq!(missing(AppField::Name.into()), INVALID_PARAMETER);
        let not_url = |f: Field| code(&invalid(f, Problem::NotUrl(UrlFault::NotHttp)));
        assert_eq!(not_url(CallField::Url.into()), 21205);
        assert_eq!(not_url(CallField::StatusCallback.into()), 21609);
        assert_eq!(not_url(MessageField::Media.into()), 21620);
        assert_eq!(not_url(NumberField::SmsUrl.into()), 21502);
        assert_eq!(not_url(ServiceField::FallbackUrl.into()), 11100);
        assert_eq!(not_url(AppField::HomepageUrl.into()), INVALID_PARAMETER);
        assert_eq!(not_url(ApplicationField::SmsUrl.into()), 21502);
        let not_sid = |f: Field| code(&invalid(f, Problem::NotSid));
        assert_eq!(not_sid(CallField::Application.into()), 21218);
        assert_eq!(not_sid(NumberField::SmsApplication.into()), 21420);
        assert_eq!(not_sid(NumberField::Address.into()), 21631);
        assert_eq!(missing(AddressField::Street.into()), INVALID_PARAMETER);
        let country = invalid(
            AddressField::IsoCountry,
            Problem::NotCountry { given: "ZZ".into() },
        );
        assert_eq!(code(&country), 21238);
        assert_eq!(
            code(&invalid(
                AddressField::Address,
                Problem::AddressInUse { numbers: 2 }
            )),
            21631
        );
    }
}
