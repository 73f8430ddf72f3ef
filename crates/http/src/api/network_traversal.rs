//! `POST …/Tokens.json`: a Network Traversal token in Twilio's 2010 shape
//! (`api.v2010.account.token`). The servers are placeholders (docs/api.md).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::network_traversal::TraversalToken;
use switchboard_types::AccountSid;

use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Json};

#[derive(Serialize)]
struct IceServerJson {
    credential: String,
    username: String,
    url: &'static str,
    urls: &'static str,
}

#[derive(Serialize)]
pub struct TokenJson {
    account_sid: AccountSid,
    date_created: String,
    date_updated: String,
    ice_servers: Vec<IceServerJson>,
    password: String,
    ttl: String,
    username: String,
}

impl From<TraversalToken> for TokenJson {
    fn from(t: TraversalToken) -> Self {
        TokenJson {
            ice_servers: t
                .ice_servers
                .iter()
                .map(|url| IceServerJson {
                    credential: t.password.clone(),
                    username: t.username.clone(),
                    url,
                    urls: url,
                })
                .collect(),
            account_sid: t.account_sid,
            date_created: t.date_created.rfc2822(),
            date_updated: t.date_created.rfc2822(),
            password: t.password,
            ttl: t.ttl.to_string(),
            username: t.username,
        }
    }
}

pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<TokenJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Tokens).await?;
    let ttl = match call.form()?.get("Ttl") {
        None => None,
        Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
            ApiError::bad_request(Some("Ttl"), "Ttl must be a whole number of seconds")
        })?),
    };
    let token = app
        .sb
        .network_traversal()
        .create(&granted.access, ttl)
        .await?;
    Ok((StatusCode::CREATED, Json(token.into())))
}
