//! `…/Keys.json`, `…/Keys/{Sid}.json`, `…/SigningKeys.json` and
//! `…/SigningKeys/{Sid}.json`: API keys in Twilio's 2010 shape. The two
//! resources hold keys of their own kind; either kind's secret
//! authenticates (docs/api.md).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::api_keys::{ApiKey, NewApiKey};
use switchboard_types::{ApiKeyKind, ApiKeySid};

use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json};

/// A key as Twilio writes it (`api.v2010.account.key`, `…signing_key`).
#[derive(Serialize)]
pub struct KeyJson {
    sid: ApiKeySid,
    friendly_name: Option<String>,
    date_created: String,
    date_updated: String,
}

impl From<ApiKey> for KeyJson {
    fn from(k: ApiKey) -> Self {
        KeyJson {
            sid: k.sid,
            friendly_name: k.friendly_name,
            date_created: k.date_created.rfc2822(),
            date_updated: k.date_updated.rfc2822(),
        }
    }
}

/// A key just made, with its secret (`api.v2010.account.new_key`,
/// `…new_signing_key`): the only answer that ever shows it.
#[derive(Serialize)]
pub struct NewKeyJson {
    #[serde(flatten)]
    key: KeyJson,
    secret: String,
}

impl From<NewApiKey> for NewKeyJson {
    fn from(k: NewApiKey) -> Self {
        NewKeyJson {
            key: k.key.into(),
            secret: k.secret,
        }
    }
}

/// Which resource a path is: its kind and the list's key in Twilio's envelope.
fn kind_of(call: &AccountScope) -> (ApiKeyKind, &'static str) {
    if call.path().contains("/SigningKeys") {
        (ApiKeyKind::Signing, "signing_keys")
    } else {
        (ApiKeyKind::Standard, "keys")
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<KeyJson>>, ApiError> {
    let (kind, key) = kind_of(&call);
    let read = call.read(&app, Resource::ApiKeys).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .api_keys()
        .list((&read.request).into(), kind, &paging.at, paging.size)
        .await?;
    read.envelope(key, &paging, page, KeyJson::from)
}

pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<NewKeyJson>), ApiError> {
    let (kind, _) = kind_of(&call);
    let granted = call.authorize(&app, Resource::ApiKeys).await?;
    let name = call.form()?.get("FriendlyName");
    let created = app
        .sb
        .api_keys()
        .create(&granted.access, kind, name)
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

pub async fn fetch(State(app): State<App>, call: AccountScope) -> Result<Json<KeyJson>, ApiError> {
    let (kind, _) = kind_of(&call);
    let read = call.read(&app, Resource::ApiKeys).await?;
    let sid = read.item("sid", ApiKeySid::parse).await?;
    let found = app
        .sb
        .api_keys()
        .get((&read.request).into(), kind, &sid)
        .await?;
    Ok(Json(found.into()))
}

pub async fn update(State(app): State<App>, call: AccountScope) -> Result<Json<KeyJson>, ApiError> {
    let (kind, _) = kind_of(&call);
    let granted = call.authorize(&app, Resource::ApiKeys).await?;
    let sid = granted.item("sid", ApiKeySid::parse)?;
    let name = call.form()?.get("FriendlyName");
    let updated = app
        .sb
        .api_keys()
        .update(&granted.access, kind, &sid, name)
        .await?;
    Ok(Json(updated.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let (kind, _) = kind_of(&call);
    let granted = call.authorize(&app, Resource::ApiKeys).await?;
    let sid = granted.item("sid", ApiKeySid::parse)?;
    app.sb
        .api_keys()
        .delete(&granted.access, kind, &sid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
