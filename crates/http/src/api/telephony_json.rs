//! JSON shapes of the telephony resources, in Twilio's field names. Every field
//! of the spec's schema is present; those Switchboard does not simulate are
//! `null`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};
use switchboard_domain::telephony::transcriptions::{self, Transcription};
use switchboard_domain::telephony::usage::{UsageRecord, format_dollars};
use switchboard_domain::telephony::{Call, IncomingPhoneNumber, Message, Recording};
use switchboard_telephony::inventory::{
    self, AddressRequirement, AvailableNumber, Country, NumberType,
};
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{
    AccountSid, AddressSid, ApplicationSid, CallDirection, CallSid, CallStatus, ConferenceSid,
    HookMethod, MessageDirection, MessageSid, MessageStatus, MessagingServiceSid, PhoneNumberSid,
    RecordingSid, RecordingSource, RecordingStatus, RecordingTrack, Timestamp, TranscriptionSid,
    TranscriptionStatus,
};

use super::json::{API_PREFIX, SubresourceUris};

const API_VERSION: &str = "2010-04-01";

/// A charge as Twilio writes it: negative, five decimals.
fn price(micros: Option<i64>) -> Option<String> {
    micros.map(|m| switchboard_telephony::pricing::Money(m).twilio_price())
}

fn date(t: Option<Timestamp>) -> Option<String> {
    t.map(Timestamp::rfc2822)
}

fn formatted(number: &str) -> String {
    PhoneNumber::parse(number).map_or_else(|_| number.to_owned(), |n| n.formatted())
}

fn decimal(v: &Option<String>) -> Value {
    v.as_deref()
        .and_then(|s| s.parse::<f64>().ok())
        .map_or(Value::Null, |f| json!(f))
}

#[derive(Serialize)]
pub struct AvailableNumberJson {
    pub friendly_name: String,
    pub phone_number: String,
    pub lata: Option<String>,
    pub locality: Option<String>,
    pub rate_center: Option<String>,
    pub latitude: Value,
    pub longitude: Value,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub iso_country: &'static str,
    pub address_requirements: AddressRequirement,
    pub beta: bool,
    pub capabilities: Value,
}

impl From<AvailableNumber> for AvailableNumberJson {
    fn from(n: AvailableNumber) -> Self {
        AvailableNumberJson {
            friendly_name: n.friendly_name,
            phone_number: n.phone_number.as_str().to_owned(),
            latitude: decimal(&n.latitude),
            longitude: decimal(&n.longitude),
            lata: n.lata,
            locality: n.locality,
            rate_center: n.rate_center,
            region: n.region,
            postal_code: n.postal_code,
            iso_country: n.iso_country.iso(),
            address_requirements: n.address_requirements,
            beta: n.beta,
            capabilities: json!({
                "voice": n.capabilities.voice,
                "sms": n.capabilities.sms,
                "mms": n.capabilities.mms,
                "fax": n.capabilities.fax,
            }),
        }
    }
}

#[derive(Serialize)]
pub struct AvailableCountryJson {
    pub country_code: &'static str,
    pub country: &'static str,
    pub uri: String,
    pub beta: bool,
    pub subresource_uris: BTreeMap<&'static str, String>,
}

impl AvailableCountryJson {
    pub fn new(account: &str, country: Country) -> Self {
        let base = format!(
            "{API_PREFIX}/Accounts/{account}/AvailablePhoneNumbers/{}",
            country.iso()
        );
        AvailableCountryJson {
            country_code: country.iso(),
            country: country.name(),
            uri: format!("{base}.json"),
            beta: false,
            // The lists of the types the country sells; the others answer
            // empty lists, as Twilio's do.
            subresource_uris: inventory::types_in(country)
                .into_iter()
                .map(|t| {
                    let key = match t {
                        NumberType::Local => "local",
                        NumberType::TollFree => "toll_free",
                        NumberType::Mobile => "mobile",
                        NumberType::National => "national",
                        NumberType::SharedCost => "shared_cost",
                        NumberType::Voip => "voip",
                        NumberType::MachineToMachine => "machine_to_machine",
                    };
                    (key, format!("{base}/{}.json", t.path_segment()))
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct IncomingNumberJson {
    pub account_sid: AccountSid,
    pub address_sid: Option<AddressSid>,
    pub address_requirements: AddressRequirement,
    pub api_version: &'static str,
    pub beta: bool,
    pub capabilities: Value,
    pub date_created: String,
    pub date_updated: String,
    pub friendly_name: String,
    pub identity_sid: Option<String>,
    pub phone_number: String,
    pub origin: &'static str,
    pub sid: PhoneNumberSid,
    pub sms_application_sid: Option<ApplicationSid>,
    pub sms_fallback_method: HookMethod,
    pub sms_fallback_url: Option<String>,
    pub sms_method: HookMethod,
    pub sms_url: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: HookMethod,
    pub trunk_sid: Option<String>,
    pub uri: String,
    pub voice_receive_mode: &'static str,
    pub voice_application_sid: Option<ApplicationSid>,
    pub voice_caller_id_lookup: bool,
    pub voice_fallback_method: HookMethod,
    pub voice_fallback_url: Option<String>,
    pub voice_method: HookMethod,
    pub voice_url: Option<String>,
    pub emergency_status: &'static str,
    pub emergency_address_sid: Option<String>,
    pub emergency_address_status: &'static str,
    pub bundle_sid: Option<String>,
    pub status: &'static str,
    #[serde(rename = "type")]
    pub number_type: NumberType,
}

impl From<IncomingPhoneNumber> for IncomingNumberJson {
    fn from(n: IncomingPhoneNumber) -> Self {
        let h = n.hooks;
        IncomingNumberJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/IncomingPhoneNumbers/{}.json",
                n.account_sid, n.sid
            ),
            account_sid: n.account_sid,
            address_sid: n.address_sid,
            address_requirements: n.address_requirements,
            api_version: API_VERSION,
            beta: false,
            capabilities: json!({
                "voice": n.capabilities.voice,
                "sms": n.capabilities.sms,
                "mms": n.capabilities.mms,
                "fax": n.capabilities.fax,
            }),
            date_created: n.date_created.rfc2822(),
            date_updated: n.date_updated.rfc2822(),
            friendly_name: n.friendly_name,
            identity_sid: None,
            phone_number: n.phone_number,
            origin: "twilio",
            sid: n.sid,
            sms_application_sid: h.sms_application_sid,
            sms_fallback_method: h.sms_fallback_method,
            sms_fallback_url: h.sms_fallback_url,
            sms_method: h.sms_method,
            sms_url: h.sms_url,
            status_callback: h.status_callback,
            status_callback_method: h.status_callback_method,
            trunk_sid: None,
            voice_receive_mode: "voice",
            voice_application_sid: h.voice_application_sid,
            voice_caller_id_lookup: false,
            voice_fallback_method: h.voice_fallback_method,
            voice_fallback_url: h.voice_fallback_url,
            voice_method: h.voice_method,
            voice_url: h.voice_url,
            emergency_status: "Inactive",
            emergency_address_sid: None,
            emergency_address_status: "unregistered",
            bundle_sid: None,
            status: "in-use",
            number_type: n.number_type,
        }
    }
}

#[derive(Serialize)]
pub struct CallJson {
    pub sid: CallSid,
    pub date_created: String,
    pub date_updated: String,
    pub parent_call_sid: Option<CallSid>,
    pub account_sid: AccountSid,
    pub to: String,
    pub to_formatted: String,
    pub from: String,
    pub from_formatted: String,
    pub phone_number_sid: Option<PhoneNumberSid>,
    pub status: CallStatus,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub duration: Option<String>,
    pub price: Option<String>,
    pub price_unit: &'static str,
    pub direction: CallDirection,
    pub answered_by: Option<String>,
    pub api_version: &'static str,
    pub forwarded_from: Option<String>,
    pub group_sid: Option<String>,
    pub caller_name: Option<String>,
    pub queue_time: String,
    pub trunk_sid: Option<String>,
    pub uri: String,
    pub subresource_uris: SubresourceUris,
}

const CALL_SUBRESOURCES: &[(&str, &str)] = &[
    ("events", "Events"),
    ("notifications", "Notifications"),
    ("payments", "Payments"),
    ("recordings", "Recordings"),
    ("siprec", "Siprec"),
    ("streams", "Streams"),
    (
        "user_defined_message_subscriptions",
        "UserDefinedMessageSubscriptions",
    ),
    ("user_defined_messages", "UserDefinedMessages"),
];

impl From<Call> for CallJson {
    fn from(c: Call) -> Self {
        let subresource_uris = SubresourceUris::new(
            [
                API_PREFIX,
                "/Accounts/",
                c.account_sid.as_str(),
                "/Calls/",
                c.sid.as_str(),
            ]
            .concat(),
            CALL_SUBRESOURCES,
        );
        let queue_ms = c
            .start_time
            .map_or(0, |s| (s.micros() - c.date_created.micros()).max(0) / 1000);
        CallJson {
            uri: subresource_uris.uri(),
            subresource_uris,
            sid: c.sid,
            date_created: c.date_created.rfc2822(),
            date_updated: c.date_updated.rfc2822(),
            parent_call_sid: c.parent_call_sid,
            account_sid: c.account_sid,
            to_formatted: formatted(&c.to),
            to: c.to,
            from_formatted: formatted(&c.from),
            from: c.from,
            phone_number_sid: c.phone_number_sid,
            status: c.status,
            start_time: date(c.start_time),
            end_time: date(c.end_time),
            duration: c.duration.map(|d| d.to_string()),
            price: price(c.price_micros),
            price_unit: "USD",
            direction: c.direction,
            answered_by: c.answered_by.map(|a| a.as_str().to_owned()),
            api_version: API_VERSION,
            forwarded_from: None,
            group_sid: None,
            caller_name: None,
            queue_time: queue_ms.to_string(),
            trunk_sid: None,
        }
    }
}

#[derive(Serialize)]
pub struct MessageJson {
    pub body: String,
    pub num_segments: String,
    pub direction: MessageDirection,
    pub from: String,
    pub to: String,
    pub date_updated: String,
    pub price: Option<String>,
    pub error_message: Option<String>,
    pub uri: String,
    pub account_sid: AccountSid,
    pub num_media: String,
    pub status: MessageStatus,
    pub messaging_service_sid: Option<MessagingServiceSid>,
    pub sid: MessageSid,
    pub date_sent: Option<String>,
    pub date_created: String,
    pub error_code: Option<i64>,
    pub price_unit: &'static str,
    pub api_version: &'static str,
    pub subresource_uris: SubresourceUris,
}

impl From<Message> for MessageJson {
    fn from(m: Message) -> Self {
        let subresource_uris = SubresourceUris::new(
            format!("{API_PREFIX}/Accounts/{}/Messages/{}", m.account_sid, m.sid),
            &[("feedback", "Feedback"), ("media", "Media")],
        );
        let num_media = m.media_urls.len();
        MessageJson {
            uri: subresource_uris.uri(),
            subresource_uris,
            body: m.body,
            num_segments: m.num_segments.to_string(),
            direction: m.direction,
            from: m.from,
            to: m.to,
            date_updated: m.date_updated.rfc2822(),
            price: price(m.price_micros),
            error_message: m.error_message,
            account_sid: m.account_sid,
            num_media: num_media.to_string(),
            status: m.status,
            messaging_service_sid: m.messaging_service_sid,
            sid: m.sid,
            date_sent: date(m.date_sent),
            date_created: m.date_created.rfc2822(),
            error_code: m.error_code,
            price_unit: "USD",
            api_version: API_VERSION,
        }
    }
}

/// A recording as Twilio writes it, in the shape of the path it was read
/// through: the account's (`…/Recordings…`, Twilio's `recording`, with
/// `media_url` and `subresource_uris`), a call's (`…/Calls/{CallSid}/
/// Recordings…`, `call_recording`, with `track` and a `uri` under the call)
/// or a conference's (`…/Conferences/{ConferenceSid}/Recordings…`,
/// `conference_recording`, with a `uri` under the conference). Each has
/// every field of its schema and nothing else.
#[derive(Serialize)]
pub struct RecordingJson {
    pub account_sid: AccountSid,
    pub api_version: &'static str,
    pub call_sid: Option<CallSid>,
    pub conference_sid: Option<ConferenceSid>,
    pub date_created: String,
    pub date_updated: String,
    pub start_time: String,
    pub duration: String,
    pub sid: RecordingSid,
    pub price: Option<String>,
    pub price_unit: &'static str,
    pub status: RecordingStatus,
    pub channels: i64,
    pub source: RecordingSource,
    pub error_code: Option<i64>,
    pub uri: String,
    pub encryption_details: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subresource_uris: Option<SubresourceUris>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
    /// Both sides, mixed (or one a channel with `-dual`), unless a
    /// recording started through the API asked for one (`RecordingTrack`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<RecordingTrack>,
}

impl RecordingJson {
    /// Read through the account's `…/Recordings…`.
    pub fn of_account(r: Recording, public_url: &str) -> Self {
        let path = format!(
            "{API_PREFIX}/Accounts/{}/Recordings/{}",
            r.account_sid, r.sid
        );
        let media_url = format!("{public_url}{path}");
        let subresource_uris = SubresourceUris::new(
            path,
            &[
                ("add_on_results", "AddOnResults"),
                ("transcriptions", "Transcriptions"),
            ],
        );
        let uri = subresource_uris.uri();
        RecordingJson {
            media_url: Some(media_url),
            subresource_uris: Some(subresource_uris),
            ..RecordingJson::with_uri(uri, r)
        }
    }

    /// Read through `…/Calls/{CallSid}/Recordings…`.
    pub fn of_call(r: Recording) -> Self {
        let track = r.track;
        let uri = format!(
            "{API_PREFIX}/Accounts/{}/Calls/{}/Recordings/{}.json",
            r.account_sid,
            r.call_sid.as_ref().map_or("", |c| c.as_str()),
            r.sid
        );
        RecordingJson {
            track: Some(track),
            ..RecordingJson::with_uri(uri, r)
        }
    }

    /// Read through `…/Conferences/{ConferenceSid}/Recordings…`.
    pub fn of_conference(r: Recording) -> Self {
        let uri = format!(
            "{API_PREFIX}/Accounts/{}/Conferences/{}/Recordings/{}.json",
            r.account_sid,
            r.conference_sid.as_ref().map_or("", |c| c.as_str()),
            r.sid
        );
        RecordingJson::with_uri(uri, r)
    }

    /// The call's shape when read through a call's path, else the account's.
    pub fn through(r: Recording, public_url: &str, through_call: bool) -> Self {
        if through_call {
            RecordingJson::of_call(r)
        } else {
            RecordingJson::of_account(r, public_url)
        }
    }

    /// The fields every shape has.
    fn with_uri(uri: String, r: Recording) -> Self {
        RecordingJson {
            uri,
            account_sid: r.account_sid,
            api_version: API_VERSION,
            call_sid: r.call_sid,
            conference_sid: r.conference_sid,
            date_created: r.date_created.rfc2822(),
            date_updated: r.date_updated.rfc2822(),
            start_time: r.start_time.rfc2822(),
            duration: r.duration.to_string(),
            sid: r.sid,
            price: Some("0.00000".to_owned()),
            price_unit: "USD",
            status: r.status,
            channels: r.channels,
            source: r.source,
            error_code: None,
            encryption_details: None,
            subresource_uris: None,
            media_url: None,
            track: None,
        }
    }
}

/// A transcription as Twilio writes it: every field of the spec's
/// `api.v2010.account.transcription` (a recording's have the same shape and
/// `uri`).
#[derive(Serialize)]
pub struct TranscriptionJson {
    pub account_sid: AccountSid,
    pub api_version: &'static str,
    pub date_created: String,
    pub date_updated: String,
    pub duration: String,
    pub price: Option<String>,
    pub price_unit: &'static str,
    pub recording_sid: RecordingSid,
    pub sid: TranscriptionSid,
    pub status: TranscriptionStatus,
    pub transcription_text: Option<String>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub uri: String,
}

impl From<Transcription> for TranscriptionJson {
    fn from(t: Transcription) -> Self {
        TranscriptionJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Transcriptions/{}.json",
                t.account_sid, t.sid
            ),
            account_sid: t.account_sid,
            api_version: API_VERSION,
            date_created: t.date_created.rfc2822(),
            date_updated: t.date_updated.rfc2822(),
            duration: t.duration.to_string(),
            price: price(Some(t.price_micros)),
            price_unit: "USD",
            recording_sid: t.recording_sid,
            sid: t.sid,
            status: t.status,
            transcription_text: t.transcription_text,
            kind: transcriptions::TYPE,
        }
    }
}

#[derive(Serialize)]
pub struct UsageRecordJson {
    pub account_sid: AccountSid,
    pub api_version: &'static str,
    pub as_of: String,
    pub category: &'static str,
    pub count: String,
    pub count_unit: &'static str,
    pub description: &'static str,
    pub end_date: String,
    pub price: String,
    pub price_unit: &'static str,
    pub start_date: String,
    pub subresource_uris: BTreeMap<&'static str, String>,
    pub uri: String,
    pub usage: String,
    pub usage_unit: &'static str,
}

impl From<UsageRecord> for UsageRecordJson {
    fn from(r: UsageRecord) -> Self {
        let base = format!("{API_PREFIX}/Accounts/{}/Usage/Records", r.account_sid);
        let (start, end) = (
            r.start_date.format("%Y-%m-%d").to_string(),
            r.end_date.format("%Y-%m-%d").to_string(),
        );
        UsageRecordJson {
            subresource_uris: [
                "all_time",
                "today",
                "yesterday",
                "this_month",
                "last_month",
                "daily",
                "monthly",
                "yearly",
            ]
            .into_iter()
            .map(|k| {
                let segment: String = k
                    .split('_')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next().map_or(String::new(), |f| {
                            f.to_ascii_uppercase().to_string() + c.as_str()
                        })
                    })
                    .collect();
                (k, format!("{base}/{segment}.json?Category={}", r.category))
            })
            .collect(),
            uri: format!(
                "{base}.json?Category={}&StartDate={start}&EndDate={end}",
                r.category
            ),
            account_sid: r.account_sid,
            api_version: API_VERSION,
            as_of: r.as_of.iso8601(),
            category: r.category,
            count: r.count.to_string(),
            count_unit: r.count_unit,
            description: r.description,
            end_date: end,
            price: format_dollars(r.price_micros),
            price_unit: "usd",
            start_date: start,
            usage: r.usage,
            usage_unit: r.usage_unit,
        }
    }
}

#[derive(Serialize)]
pub struct BalanceJson {
    pub account_sid: String,
    pub balance: String,
    pub currency: String,
}
