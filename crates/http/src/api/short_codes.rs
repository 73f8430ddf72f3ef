//! `…/SMS/ShortCodes.json` and `…/SMS/ShortCodes/{Sid}.json`: the short
//! codes the operator provisioned, in Twilio's 2010 shape.

use axum::extract::State;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::short_codes::{ShortCode, ShortCodeChanges};
use switchboard_types::{AccountSid, HookMethod, ShortCodeSid};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json};

/// A short code as Twilio writes it: every field of the spec's
/// `api.v2010.account.short_code`.
#[derive(Serialize)]
pub struct ShortCodeJson {
    account_sid: AccountSid,
    api_version: String,
    date_created: String,
    date_updated: String,
    friendly_name: String,
    short_code: String,
    sid: ShortCodeSid,
    sms_fallback_method: HookMethod,
    sms_fallback_url: Option<String>,
    sms_method: HookMethod,
    sms_url: Option<String>,
    uri: String,
}

impl From<ShortCode> for ShortCodeJson {
    fn from(c: ShortCode) -> Self {
        ShortCodeJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/SMS/ShortCodes/{}.json",
                c.account_sid, c.sid
            ),
            account_sid: c.account_sid,
            api_version: c.api_version,
            date_created: c.date_created.rfc2822(),
            date_updated: c.date_updated.rfc2822(),
            friendly_name: c.friendly_name,
            short_code: c.short_code,
            sid: c.sid,
            sms_fallback_method: c.sms_fallback_method,
            sms_fallback_url: c.sms_fallback_url,
            sms_method: c.sms_method,
            sms_url: c.sms_url,
        }
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<ShortCodeJson>>, ApiError> {
    let read = call.read(&app, Resource::ShortCodes).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let given = |name: &str| params.get(name).filter(|v| !v.is_empty());
    let page = app
        .sb
        .short_codes()
        .list(
            (&read.request).into(),
            (given("FriendlyName"), given("ShortCode")),
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("short_codes", &paging, page, ShortCodeJson::from)
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ShortCodeJson>, ApiError> {
    let read = call.read(&app, Resource::ShortCodes).await?;
    let sid = read.item("sid", ShortCodeSid::parse).await?;
    let found = app
        .sb
        .short_codes()
        .get((&read.request).into(), &sid)
        .await?;
    Ok(Json(found.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ShortCodeJson>, ApiError> {
    let granted = call.authorize(&app, Resource::ShortCodes).await?;
    let sid = granted.item("sid", ShortCodeSid::parse)?;
    let form = call.form()?;
    let changes = ShortCodeChanges {
        friendly_name: form.owned("FriendlyName"),
        api_version: form.owned("ApiVersion"),
        sms_url: form.owned("SmsUrl"),
        sms_method: form.owned("SmsMethod"),
        sms_fallback_url: form.owned("SmsFallbackUrl"),
        sms_fallback_method: form.owned("SmsFallbackMethod"),
    };
    let updated = app
        .sb
        .short_codes()
        .update(&granted.access, &sid, &changes)
        .await?;
    Ok(Json(updated.into()))
}
