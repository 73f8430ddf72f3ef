//! `GET /switchboard/v1/Principal.json` (an extension): who the credentials
//! stand for. It authenticates and asks the policy like every other request but
//! reads no resource, so it is also the cheapest authenticated request there is
//! (the benchmarks' "authentication and permission check alone").

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_domain::access::{Principal, RequestTarget, Resource};
use switchboard_types::{AccountSid, ConnectAppSid, Permissions};

use crate::App;
use crate::twilio::{ApiCall, ApiError, Json};

/// Borrows from the principal: this is the cheapest authenticated request, and
/// copying its SIDs into strings was a visible part of its cost.
#[derive(Serialize)]
pub struct PrincipalJson<'a> {
    /// The account the Basic username names.
    account_sid: &'a AccountSid,
    /// The main account whose data the caller acts on (the customer's, for a
    /// Connect App).
    main_account_sid: &'a AccountSid,
    /// `account` (its own credentials), `parent` (a subaccount addressed with its
    /// parent's credentials), `connect` (a Connect App in a customer's account)
    /// or `key` (an API key of the account).
    kind: &'static str,
    connect_app_sid: Option<&'a ConnectAppSid>,
    /// What a Connect App may do now (what it asks ∩ what the customer granted);
    /// empty for owners, whom Connect permissions do not limit.
    permissions: Permissions,
    url: &'static str,
}

pub const PATH: &str = "/switchboard/v1/Principal.json";

pub async fn fetch(State(app): State<App>, call: ApiCall) -> Result<Response, ApiError> {
    let access = app
        .sb
        .authorize(&call.request(RequestTarget::Own, Resource::Identity)?)
        .await?;
    // An access granted to credentials always has a principal.
    let Some(principal) = access.principal() else {
        return Err(ApiError::unauthenticated());
    };
    let (kind, connect_app_sid, permissions) = match principal {
        Principal::Account { .. } => ("account", None, Permissions::NONE),
        Principal::Parent { .. } => ("parent", None, Permissions::NONE),
        Principal::Connect(c) => ("connect", Some(&c.app), c.permissions),
        Principal::Key(_) => ("key", None, Permissions::NONE),
    };
    Ok(Json(PrincipalJson {
        account_sid: principal.username(),
        main_account_sid: principal.acting_main(),
        kind,
        connect_app_sid,
        permissions,
        url: PATH,
    })
    .into_response())
}
