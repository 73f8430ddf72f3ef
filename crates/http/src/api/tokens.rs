//! Auth token rotation on Twilio's Accounts v1 paths (`/v1/AuthTokens/…`), so
//! the SDKs' `accounts.v1.secondary_auth_token` and `auth_token_promotion` work
//! when pointed here.

use crate::twilio::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::{RequestTarget, Resource};
use switchboard_domain::tokens::TokenInfo;

use crate::App;
use crate::twilio::{ApiCall, ApiError};

#[derive(Serialize)]
pub struct SecondaryTokenJson {
    account_sid: String,
    date_created: String,
    date_updated: String,
    secondary_auth_token: String,
    url: String,
}

#[derive(Serialize)]
pub struct PromotedTokenJson {
    account_sid: String,
    auth_token: String,
    date_created: String,
    date_updated: String,
    url: String,
}

fn url(app: &App, path: &str) -> String {
    format!("{}{path}", app.sb.settings().public_url)
}

pub async fn create_secondary(
    State(app): State<App>,
    call: ApiCall,
) -> Result<(StatusCode, Json<SecondaryTokenJson>), ApiError> {
    let access = app
        .sb
        .authorize(&call.request(RequestTarget::Own, Resource::AuthTokens)?)
        .await?;
    let TokenInfo {
        account_sid,
        token,
        date_created,
        date_updated,
    } = app.sb.auth_tokens().create_secondary(&access).await?;
    Ok((
        StatusCode::CREATED,
        Json(SecondaryTokenJson {
            account_sid: account_sid.to_string(),
            date_created: date_created.iso8601(),
            date_updated: date_updated.iso8601(),
            secondary_auth_token: token,
            url: url(&app, call.path()),
        }),
    ))
}

pub async fn delete_secondary(
    State(app): State<App>,
    call: ApiCall,
) -> Result<StatusCode, ApiError> {
    let access = app
        .sb
        .authorize(&call.request(RequestTarget::Own, Resource::AuthTokens)?)
        .await?;
    app.sb.auth_tokens().delete_secondary(&access).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn promote(
    State(app): State<App>,
    call: ApiCall,
) -> Result<Json<PromotedTokenJson>, ApiError> {
    let access = app
        .sb
        .authorize(&call.request(RequestTarget::Own, Resource::AuthTokens)?)
        .await?;
    let info = app.sb.auth_tokens().promote(&access).await?;
    Ok(Json(PromotedTokenJson {
        account_sid: info.account_sid.to_string(),
        auth_token: info.token,
        date_created: info.date_created.iso8601(),
        date_updated: info.date_updated.iso8601(),
        url: url(&app, call.path()),
    }))
}
