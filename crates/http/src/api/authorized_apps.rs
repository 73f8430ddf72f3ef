//! `/2010-04-01/Accounts/{AccountSid}/AuthorizedConnectApps…`: the Connect Apps a
//! customer has authorized, with the permissions they granted.

use crate::twilio::Json;
use axum::extract::State;
use switchboard_domain::access::Resource;
use switchboard_types::ConnectAppSid;

use super::json::AuthorizedConnectAppJson;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope};

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<AuthorizedConnectAppJson>>, ApiError> {
    let read = call.read(&app, Resource::AuthorizedConnectApps).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .grants()
        .list((&read.request).into(), &paging.at, paging.size)
        .await?;
    read.envelope("authorized_connect_apps", &paging, page, |item| {
        AuthorizedConnectAppJson::new(item, read.account.as_str())
    })
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<AuthorizedConnectAppJson>, ApiError> {
    let read = call.read(&app, Resource::AuthorizedConnectApps).await?;
    let app_sid = read.item("sid", ConnectAppSid::parse).await?;
    let item = app
        .sb
        .grants()
        .get((&read.request).into(), &app_sid)
        .await?;
    Ok(Json(AuthorizedConnectAppJson::new(
        item,
        read.account.as_str(),
    )))
}

/// `DELETE …/AuthorizedConnectApps/{ConnectAppSid}.json`: the customer revokes an
/// app (an extension; Twilio's API is read-only here).
pub async fn revoke(
    State(app): State<App>,
    call: AccountScope,
) -> Result<axum::http::StatusCode, ApiError> {
    let granted = call
        .authorize(&app, Resource::AuthorizedConnectApps)
        .await?;
    let app_sid = granted.item("sid", ConnectAppSid::parse)?;
    app.sb.grants().revoke(&granted.access, &app_sid).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
