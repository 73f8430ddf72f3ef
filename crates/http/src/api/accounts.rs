//! `/2010-04-01/Accounts.json` and `/2010-04-01/Accounts/{Sid}.json`.

use crate::twilio::Json;
use axum::extract::State;
use axum::http::StatusCode;
use switchboard_domain::access::{RequestTarget, Resource};
use switchboard_domain::accounts::AccountChanges;
use switchboard_store::accounts::AccountFilter;
use switchboard_types::AccountStatus;

use super::json::AccountJson;
use super::list;
use super::scope::TheAccount;
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope};

pub async fn list(
    State(app): State<App>,
    call: ApiCall,
) -> Result<Json<Envelope<AccountJson>>, ApiError> {
    let request = call.request(RequestTarget::AccountList, Resource::AccountList)?;
    let access = app.sb.authorize(&request).await?;
    let params = call.query()?;
    let filter = AccountFilter {
        friendly_name: params.get("FriendlyName").map(str::to_owned),
        status: params
            .get("Status")
            .map(AccountStatus::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request(Some("Status"), e.to_string()))?,
    };
    let paging = list::paging(&app, &call)?;
    let page = app
        .sb
        .accounts()
        .list(&access, &filter, &paging.at, paging.size)
        .await?;
    list::envelope(&app, &call, "accounts", &paging, page, AccountJson::from)
}

pub async fn create(
    State(app): State<App>,
    call: ApiCall,
) -> Result<(StatusCode, Json<AccountJson>), ApiError> {
    let request = call.request(RequestTarget::AccountList, Resource::AccountList)?;
    let access = app.sb.authorize(&request).await?;
    let form = call.form()?;
    let view = app
        .sb
        .accounts()
        .create_subaccount(&access, form.get("FriendlyName"))
        .await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

pub async fn fetch(
    State(app): State<App>,
    TheAccount(call): TheAccount,
) -> Result<Json<AccountJson>, ApiError> {
    let read = call.read(&app, Resource::Account).await?;
    let view = app.sb.accounts().fetch(&read.request, read.account).await?;
    Ok(Json(view.into()))
}

pub async fn update(
    State(app): State<App>,
    TheAccount(call): TheAccount,
) -> Result<Json<AccountJson>, ApiError> {
    // A status change is its own permission; a form that does not parse is
    // authorised as a rename and then refused for its content.
    let changes_status = call.form().map(|f| f.contains("Status")).unwrap_or(false);
    let resource = if changes_status {
        Resource::AccountStatus
    } else {
        Resource::Account
    };
    let granted = call.authorize(&app, resource).await?;
    let form = call.form()?;
    let changes = AccountChanges {
        friendly_name: form.get("FriendlyName").map(str::to_owned),
        status: form
            .get("Status")
            .map(AccountStatus::parse)
            .transpose()
            .map_err(|e| ApiError::bad_request(Some("Status"), e.to_string()))?,
    };
    let view = app.sb.accounts().update(&granted.access, &changes).await?;
    Ok(Json(view.into()))
}
