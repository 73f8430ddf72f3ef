//! `…/Usage/Triggers.json` and `…/Usage/Triggers/{Sid}.json`: usage triggers
//! in Twilio's 2010 shape.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::usage_triggers::{
    NewUsageTrigger, TriggerFilter, UsageTrigger, UsageTriggerChanges, parse_recurring,
    parse_trigger_by, usage_record_uri,
};
use switchboard_types::{AccountSid, HookMethod, TriggerField, TriggerRecurring, UsageTriggerSid};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json};

/// A trigger as Twilio writes it: every field of the spec's
/// `api.v2010.account.usage.usage_trigger`, dates in RFC 2822, URIs relative.
#[derive(Serialize)]
pub struct UsageTriggerJson {
    account_sid: AccountSid,
    api_version: String,
    callback_method: HookMethod,
    callback_url: String,
    current_value: Option<String>,
    date_created: String,
    date_fired: Option<String>,
    date_updated: String,
    friendly_name: Option<String>,
    recurring: TriggerRecurring,
    sid: UsageTriggerSid,
    trigger_by: TriggerField,
    trigger_value: String,
    uri: String,
    usage_category: String,
    usage_record_uri: String,
}

impl From<UsageTrigger> for UsageTriggerJson {
    fn from(t: UsageTrigger) -> Self {
        UsageTriggerJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Usage/Triggers/{}.json",
                t.account_sid, t.sid
            ),
            usage_record_uri: usage_record_uri(&t),
            account_sid: t.account_sid,
            api_version: t.api_version,
            callback_method: t.callback_method,
            callback_url: t.callback_url,
            current_value: t.current_value,
            date_created: t.date_created.rfc2822(),
            date_fired: t.date_fired.map(|d| d.rfc2822()),
            date_updated: t.date_updated.rfc2822(),
            friendly_name: t.friendly_name,
            recurring: t.recurring,
            sid: t.sid,
            trigger_by: t.trigger_by,
            trigger_value: t.trigger_value,
            usage_category: t.usage_category,
        }
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<UsageTriggerJson>>, ApiError> {
    let read = call.read(&app, Resource::UsageTriggers).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let given = |name: &str| params.get(name).filter(|v| !v.is_empty());
    let filter = TriggerFilter {
        recurring: given("Recurring")
            .map(|v| parse_recurring(Some(v)))
            .transpose()?,
        trigger_by: given("TriggerBy")
            .map(|v| parse_trigger_by(Some(v)))
            .transpose()?,
        usage_category: given("UsageCategory"),
    };
    let page = app
        .sb
        .usage_triggers()
        .list((&read.request).into(), filter, &paging.at, paging.size)
        .await?;
    read.envelope("usage_triggers", &paging, page, UsageTriggerJson::from)
}

pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<UsageTriggerJson>), ApiError> {
    let granted = call.authorize(&app, Resource::UsageTriggers).await?;
    let form = call.form()?;
    let new = NewUsageTrigger {
        callback_url: form.owned("CallbackUrl"),
        callback_method: form.owned("CallbackMethod"),
        friendly_name: form.owned("FriendlyName"),
        trigger_value: form.owned("TriggerValue"),
        usage_category: form.owned("UsageCategory"),
        recurring: form.owned("Recurring"),
        trigger_by: form.owned("TriggerBy"),
    };
    let created = app
        .sb
        .usage_triggers()
        .create(&granted.access, &new)
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<UsageTriggerJson>, ApiError> {
    let read = call.read(&app, Resource::UsageTriggers).await?;
    let sid = read.item("sid", UsageTriggerSid::parse).await?;
    let found = app
        .sb
        .usage_triggers()
        .get((&read.request).into(), &sid)
        .await?;
    Ok(Json(found.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<UsageTriggerJson>, ApiError> {
    let granted = call.authorize(&app, Resource::UsageTriggers).await?;
    let sid = granted.item("sid", UsageTriggerSid::parse)?;
    let form = call.form()?;
    let changes = UsageTriggerChanges {
        callback_url: form.owned("CallbackUrl"),
        callback_method: form.owned("CallbackMethod"),
        friendly_name: form.owned("FriendlyName"),
    };
    let updated = app
        .sb
        .usage_triggers()
        .update(&granted.access, &sid, &changes)
        .await?;
    Ok(Json(updated.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::UsageTriggers).await?;
    let sid = granted.item("sid", UsageTriggerSid::parse)?;
    app.sb
        .usage_triggers()
        .delete(&granted.access, &sid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
