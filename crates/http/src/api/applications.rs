//! `…/Applications.json` and `…/Applications/{Sid}.json`: TwiML
//! Applications in Twilio's 2010 shape.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::applications::{Application, ApplicationFields};
use switchboard_types::{AccountSid, ApplicationSid, HookMethod};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json, Params};

/// An application as Twilio writes it: every field of the spec's
/// `api.v2010.account.application`, dates in RFC 2822, `uri` relative.
#[derive(Serialize)]
pub struct ApplicationJson {
    account_sid: AccountSid,
    api_version: String,
    date_created: String,
    date_updated: String,
    friendly_name: Option<String>,
    message_status_callback: Option<String>,
    sid: ApplicationSid,
    sms_fallback_method: HookMethod,
    sms_fallback_url: Option<String>,
    sms_method: HookMethod,
    sms_status_callback: Option<String>,
    sms_url: Option<String>,
    status_callback: Option<String>,
    status_callback_method: HookMethod,
    uri: String,
    voice_caller_id_lookup: bool,
    voice_fallback_method: HookMethod,
    voice_fallback_url: Option<String>,
    voice_method: HookMethod,
    voice_url: Option<String>,
    public_application_connect_enabled: bool,
}

impl From<Application> for ApplicationJson {
    fn from(a: Application) -> Self {
        ApplicationJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Applications/{}.json",
                a.account_sid, a.sid
            ),
            account_sid: a.account_sid,
            api_version: a.api_version,
            date_created: a.date_created.rfc2822(),
            date_updated: a.date_updated.rfc2822(),
            friendly_name: a.friendly_name,
            message_status_callback: a.message_status_callback,
            sid: a.sid,
            sms_fallback_method: a.sms_fallback_method,
            sms_fallback_url: a.sms_fallback_url,
            sms_method: a.sms_method,
            sms_status_callback: a.sms_status_callback,
            sms_url: a.sms_url,
            status_callback: a.status_callback,
            status_callback_method: a.status_callback_method,
            voice_caller_id_lookup: a.voice_caller_id_lookup,
            voice_fallback_method: a.voice_fallback_method,
            voice_fallback_url: a.voice_fallback_url,
            voice_method: a.voice_method,
            voice_url: a.voice_url,
            public_application_connect_enabled: a.public_application_connect_enabled,
        }
    }
}

/// Reads the settings a create or update may carry, in Twilio's names.
fn fields(form: &Params) -> Result<ApplicationFields, ApiError> {
    let text = |name: &str| form.get(name).map(str::to_owned);
    Ok(ApplicationFields {
        friendly_name: text("FriendlyName"),
        api_version: text("ApiVersion"),
        voice_url: text("VoiceUrl"),
        voice_method: text("VoiceMethod"),
        voice_fallback_url: text("VoiceFallbackUrl"),
        voice_fallback_method: text("VoiceFallbackMethod"),
        status_callback: text("StatusCallback"),
        status_callback_method: text("StatusCallbackMethod"),
        voice_caller_id_lookup: form.boolean("VoiceCallerIdLookup")?,
        sms_url: text("SmsUrl"),
        sms_method: text("SmsMethod"),
        sms_fallback_url: text("SmsFallbackUrl"),
        sms_fallback_method: text("SmsFallbackMethod"),
        sms_status_callback: text("SmsStatusCallback"),
        message_status_callback: text("MessageStatusCallback"),
        public_application_connect_enabled: form.boolean("PublicApplicationConnectEnabled")?,
    })
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<ApplicationJson>>, ApiError> {
    let read = call.read(&app, Resource::Applications).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let page = app
        .sb
        .applications()
        .list(
            (&read.request).into(),
            params.get("FriendlyName"),
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("applications", &paging, page, ApplicationJson::from)
}

pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<ApplicationJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Applications).await?;
    let fields = fields(call.form()?)?;
    let created = app
        .sb
        .applications()
        .create(&granted.access, &fields)
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ApplicationJson>, ApiError> {
    let read = call.read(&app, Resource::Applications).await?;
    let sid = read.item("sid", ApplicationSid::parse).await?;
    let found = app
        .sb
        .applications()
        .get((&read.request).into(), &sid)
        .await?;
    Ok(Json(found.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ApplicationJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Applications).await?;
    let sid = granted.item("sid", ApplicationSid::parse)?;
    let fields = fields(call.form()?)?;
    let updated = app
        .sb
        .applications()
        .update(&granted.access, &sid, &fields)
        .await?;
    Ok(Json(updated.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Applications).await?;
    let sid = granted.item("sid", ApplicationSid::parse)?;
    app.sb.applications().delete(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
