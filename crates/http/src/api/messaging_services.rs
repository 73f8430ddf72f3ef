//! Messaging Services on Twilio's messaging host (`messaging.twilio.com/v1`):
//! `/v1/Services…` and their sender pools, `/v1/Services/{MG}/PhoneNumbers…`.
//! The paths name no account: the credentials' username is the account
//! (a Connect App's: its dedicated subaccount).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::{Access, ApiRequest, RequestTarget, Resource};
use switchboard_domain::messaging_services::{MessagingService, ServiceFields, ServicePhoneNumber};
use switchboard_types::{AccountSid, HookMethod, MessagingServiceSid, PhoneNumberSid, Username};

use super::list;
use crate::App;
use crate::twilio::error::codes;
use crate::twilio::{ApiCall, ApiError, Json, MetaEnvelope, Params};

const SERVICES: &str = "/v1/Services";

#[derive(Serialize)]
pub struct ServiceJson {
    account_sid: AccountSid,
    area_code_geomatch: bool,
    date_created: String,
    date_updated: String,
    fallback_method: HookMethod,
    fallback_to_long_code: bool,
    fallback_url: Option<String>,
    friendly_name: String,
    inbound_method: HookMethod,
    inbound_request_url: Option<String>,
    links: BTreeMap<&'static str, String>,
    mms_converter: bool,
    scan_message_content: String,
    sid: MessagingServiceSid,
    smart_encoding: bool,
    status_callback: Option<String>,
    sticky_sender: bool,
    synchronous_validation: bool,
    url: String,
    us_app_to_person_registered: bool,
    use_inbound_webhook_on_number: bool,
    usecase: String,
    validity_period: i64,
}

impl ServiceJson {
    fn new(s: MessagingService, public_url: &str) -> Self {
        let url = format!("{public_url}{SERVICES}/{}", s.sid);
        let links = [
            ("phone_numbers", "PhoneNumbers"),
            ("short_codes", "ShortCodes"),
            ("alpha_senders", "AlphaSenders"),
            ("messages", "Messages"),
            ("us_app_to_person", "Compliance/Usa2p"),
            ("us_app_to_person_usecases", "Compliance/Usa2p/Usecases"),
            ("channel_senders", "ChannelSenders"),
            ("destination_alpha_senders", "DestinationAlphaSenders"),
        ]
        .into_iter()
        .map(|(k, p)| (k, format!("{url}/{p}")))
        .collect();
        ServiceJson {
            account_sid: s.account_sid,
            area_code_geomatch: s.area_code_geomatch,
            date_created: s.date_created.iso8601(),
            date_updated: s.date_updated.iso8601(),
            fallback_method: s.fallback_method,
            fallback_to_long_code: s.fallback_to_long_code,
            fallback_url: s.fallback_url,
            friendly_name: s.friendly_name,
            inbound_method: s.inbound_method,
            inbound_request_url: s.inbound_request_url,
            links,
            mms_converter: s.mms_converter,
            scan_message_content: s.scan_message_content,
            sid: s.sid,
            smart_encoding: s.smart_encoding,
            status_callback: s.status_callback,
            sticky_sender: s.sticky_sender,
            synchronous_validation: s.synchronous_validation,
            url,
            us_app_to_person_registered: false,
            use_inbound_webhook_on_number: s.use_inbound_webhook_on_number,
            usecase: s.usecase,
            validity_period: s.validity_period,
        }
    }
}

#[derive(Serialize)]
pub struct ServicePhoneNumberJson {
    account_sid: AccountSid,
    capabilities: Vec<&'static str>,
    country_code: String,
    date_created: String,
    date_updated: String,
    phone_number: String,
    service_sid: MessagingServiceSid,
    sid: PhoneNumberSid,
    url: String,
}

impl ServicePhoneNumberJson {
    fn new(n: ServicePhoneNumber, public_url: &str) -> Self {
        let capabilities = [
            (n.mms_capable, "MMS"),
            (n.sms_capable, "SMS"),
            (n.voice_capable, "Voice"),
        ]
        .into_iter()
        .filter_map(|(has, name)| has.then_some(name))
        .collect();
        ServicePhoneNumberJson {
            url: format!(
                "{public_url}{SERVICES}/{}/PhoneNumbers/{}",
                n.service_sid, n.sid
            ),
            account_sid: n.account_sid,
            capabilities,
            country_code: n.iso_country,
            date_created: n.date_created.iso8601(),
            date_updated: n.date_updated.iso8601(),
            phone_number: n.phone_number,
            service_sid: n.service_sid,
            sid: n.sid,
        }
    }
}

/// Reads the settings a create or update may carry.
fn fields(form: &Params) -> Result<ServiceFields, ApiError> {
    let text = |name: &str| form.get(name).map(str::to_owned);
    let validity_period = match form.get("ValidityPeriod") {
        None | Some("") => None,
        Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
            ApiError::bad_request(
                Some("ValidityPeriod"),
                "ValidityPeriod must be a whole number of seconds",
            )
        })?),
    };
    Ok(ServiceFields {
        friendly_name: text("FriendlyName"),
        inbound_request_url: text("InboundRequestUrl"),
        inbound_method: text("InboundMethod"),
        fallback_url: text("FallbackUrl"),
        fallback_method: text("FallbackMethod"),
        status_callback: text("StatusCallback"),
        sticky_sender: form.boolean("StickySender")?,
        mms_converter: form.boolean("MmsConverter")?,
        smart_encoding: form.boolean("SmartEncoding")?,
        scan_message_content: text("ScanMessageContent"),
        fallback_to_long_code: form.boolean("FallbackToLongCode")?,
        area_code_geomatch: form.boolean("AreaCodeGeomatch")?,
        validity_period,
        synchronous_validation: form.boolean("SynchronousValidation")?,
        usecase: text("Usecase"),
        use_inbound_webhook_on_number: form.boolean("UseInboundWebhookOnNumber")?,
    })
}

/// The request on the credentials' own account (the username).
fn request(call: &ApiCall) -> Result<ApiRequest<'_>, ApiError> {
    let Username::Account(username) = &call.credentials()?.username else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "Switchboard does not accept API keys on the Messaging Services paths yet; \
             use the account's SID and auth token",
        ));
    };
    call.request(
        RequestTarget::Account(username),
        Resource::MessagingServices,
    )
}

async fn authorized(app: &App, call: &ApiCall) -> Result<Access, ApiError> {
    Ok(app.sb.authorize(&request(call)?).await?)
}

/// A SID from the path; one that cannot be is "not found", once the caller
/// is known to be someone.
async fn sid_or_not_found<T, E>(
    app: &App,
    call: &ApiCall,
    segment: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, ApiError> {
    match parse(segment) {
        Ok(sid) => Ok(sid),
        Err(_) => {
            authorized(app, call).await?;
            Err(ApiError::not_found())
        }
    }
}

fn public_url(app: &App) -> &str {
    &app.sb.settings().public_url
}

pub async fn list(
    State(app): State<App>,
    call: ApiCall,
) -> Result<Json<MetaEnvelope<ServiceJson>>, ApiError> {
    let request = request(&call)?;
    let paging = list::paging(&app, &call)?;
    let page = app
        .sb
        .messaging_services()
        .list((&request).into(), &paging.at, paging.size)
        .await?;
    let base = public_url(&app);
    list::meta_envelope(&app, &call, "services", &paging, page, |s| {
        ServiceJson::new(s, base)
    })
}

pub async fn create(
    State(app): State<App>,
    call: ApiCall,
) -> Result<(StatusCode, Json<ServiceJson>), ApiError> {
    let access = authorized(&app, &call).await?;
    let fields = fields(call.form()?)?;
    let created = app.sb.messaging_services().create(&access, &fields).await?;
    Ok((
        StatusCode::CREATED,
        Json(ServiceJson::new(created, public_url(&app))),
    ))
}

pub async fn fetch(
    State(app): State<App>,
    Path(segment): Path<String>,
    call: ApiCall,
) -> Result<Json<ServiceJson>, ApiError> {
    let request = request(&call)?;
    let sid = sid_or_not_found(&app, &call, &segment, MessagingServiceSid::parse).await?;
    let service = app
        .sb
        .messaging_services()
        .get((&request).into(), &sid)
        .await?;
    Ok(Json(ServiceJson::new(service, public_url(&app))))
}

pub async fn update(
    State(app): State<App>,
    Path(segment): Path<String>,
    call: ApiCall,
) -> Result<Json<ServiceJson>, ApiError> {
    let sid = sid_or_not_found(&app, &call, &segment, MessagingServiceSid::parse).await?;
    let access = authorized(&app, &call).await?;
    let fields = fields(call.form()?)?;
    let service = app
        .sb
        .messaging_services()
        .update(&access, &sid, &fields)
        .await?;
    Ok(Json(ServiceJson::new(service, public_url(&app))))
}

pub async fn delete(
    State(app): State<App>,
    Path(segment): Path<String>,
    call: ApiCall,
) -> Result<StatusCode, ApiError> {
    let sid = sid_or_not_found(&app, &call, &segment, MessagingServiceSid::parse).await?;
    let access = authorized(&app, &call).await?;
    app.sb.messaging_services().delete(&access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_numbers(
    State(app): State<App>,
    Path(segment): Path<String>,
    call: ApiCall,
) -> Result<Json<MetaEnvelope<ServicePhoneNumberJson>>, ApiError> {
    let request = request(&call)?;
    let service = sid_or_not_found(&app, &call, &segment, MessagingServiceSid::parse).await?;
    let paging = list::paging(&app, &call)?;
    let page = app
        .sb
        .messaging_services()
        .numbers((&request).into(), &service, &paging.at, paging.size)
        .await?;
    let base = public_url(&app);
    list::meta_envelope(&app, &call, "phone_numbers", &paging, page, |n| {
        ServicePhoneNumberJson::new(n, base)
    })
}

pub async fn add_number(
    State(app): State<App>,
    Path(segment): Path<String>,
    call: ApiCall,
) -> Result<(StatusCode, Json<ServicePhoneNumberJson>), ApiError> {
    let service = sid_or_not_found(&app, &call, &segment, MessagingServiceSid::parse).await?;
    let access = authorized(&app, &call).await?;
    let form = call.form()?;
    let number = form.require("PhoneNumberSid")?;
    let number = PhoneNumberSid::parse(number).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            crate::twilio::invalid::INVALID_NUMBER,
            e.to_string(),
        )
    })?;
    let added = app
        .sb
        .messaging_services()
        .add_number(&access, &service, &number)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ServicePhoneNumberJson::new(added, public_url(&app))),
    ))
}

pub async fn fetch_number(
    State(app): State<App>,
    Path((service, number)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<ServicePhoneNumberJson>, ApiError> {
    let request = request(&call)?;
    let service = sid_or_not_found(&app, &call, &service, MessagingServiceSid::parse).await?;
    let number = sid_or_not_found(&app, &call, &number, PhoneNumberSid::parse).await?;
    let found = app
        .sb
        .messaging_services()
        .number((&request).into(), &service, &number)
        .await?;
    Ok(Json(ServicePhoneNumberJson::new(found, public_url(&app))))
}

pub async fn remove_number(
    State(app): State<App>,
    Path((service, number)): Path<(String, String)>,
    call: ApiCall,
) -> Result<StatusCode, ApiError> {
    let service = sid_or_not_found(&app, &call, &service, MessagingServiceSid::parse).await?;
    let number = sid_or_not_found(&app, &call, &number, PhoneNumberSid::parse).await?;
    let access = authorized(&app, &call).await?;
    app.sb
        .messaging_services()
        .remove_number(&access, &service, &number)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
