//! `/2010-04-01/Accounts/{AccountSid}/AuthorizedConnectApps…`: the Connect Apps a
//! customer has authorized, with the permissions they granted.

use crate::twilio::Json;
use axum::extract::{Path, State};
use switchboard_domain::access::{RequestTarget, Resource};
use switchboard_types::{AccountSid, ConnectAppSid};

use super::json::AuthorizedConnectAppJson;
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, PageRequest, path};

pub async fn list(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<Json<Envelope<AuthorizedConnectAppJson>>, ApiError> {
    let account = AccountSid::parse(&account_segment).ok();
    let request = call.request(
        account
            .as_ref()
            .map_or(RequestTarget::Missing, RequestTarget::Account),
        Resource::AuthorizedConnectApps,
    )?;
    let Some(account) = &account else {
        app.sb.authorize(&request).await.map_err(|e| call.fail(e))?;
        return Err(ApiError::not_found(call.path()));
    };
    let params = call.query()?;
    let paging = PageRequest::parse(params, call.path(), app.sb.keys())?;
    let page = app
        .sb
        .grants()
        .list((&request).into(), &paging.at, paging.size)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(Envelope::new(
        "authorized_connect_apps",
        call.path(),
        params,
        &paging,
        page,
        app.sb.keys(),
        |item| AuthorizedConnectAppJson::new(item, account.as_str()),
    )))
}

pub async fn fetch(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<AuthorizedConnectAppJson>, ApiError> {
    let app_segment = path::json_segment(&app_segment, call.path())?;
    let account = AccountSid::parse(&account_segment).ok();
    let app_sid = ConnectAppSid::parse(app_segment).ok();
    let request = call.request(
        account
            .as_ref()
            .map_or(RequestTarget::Missing, RequestTarget::Account),
        Resource::AuthorizedConnectApps,
    )?;
    let (Some(account), Some(app_sid)) = (&account, &app_sid) else {
        app.sb.authorize(&request).await.map_err(|e| call.fail(e))?;
        return Err(ApiError::not_found(call.path()));
    };
    let item = app
        .sb
        .grants()
        .get((&request).into(), app_sid)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(AuthorizedConnectAppJson::new(item, account.as_str())))
}

/// `DELETE …/AuthorizedConnectApps/{ConnectAppSid}.json`: the customer revokes an
/// app (an extension; Twilio's API is read-only here).
pub async fn revoke(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<axum::http::StatusCode, ApiError> {
    let app_segment = path::json_segment(&app_segment, call.path())?;
    let account = AccountSid::parse(&account_segment).ok();
    let request = call.request(
        account
            .as_ref()
            .map_or(RequestTarget::Missing, RequestTarget::Account),
        Resource::AuthorizedConnectApps,
    )?;
    let access = app.sb.authorize(&request).await.map_err(|e| call.fail(e))?;
    let app_sid =
        ConnectAppSid::parse(app_segment).map_err(|_| ApiError::not_found(call.path()))?;
    app.sb
        .grants()
        .revoke(&access, &app_sid)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
