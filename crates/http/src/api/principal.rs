//! `GET /switchboard/v1/Principal.json` (an extension): who the credentials
//! stand for. It authenticates and asks the policy like every other request but
//! reads no resource, so it is also the cheapest authenticated request there is
//! (the benchmarks' "authentication and permission check alone").

use crate::twilio::Json;
use axum::extract::State;
use serde::Serialize;
use switchboard_domain::access::{Principal, RequestTarget, Resource};

use crate::App;
use crate::twilio::{ApiCall, ApiError};

#[derive(Serialize)]
pub struct PrincipalJson {
    /// The account the Basic username names.
    account_sid: String,
    /// The main account whose data the caller acts on (the customer's, for a
    /// Connect App).
    main_account_sid: String,
    /// `account` (its own credentials), `parent` (a subaccount addressed with its
    /// parent's credentials) or `connect` (a Connect App in a customer's account).
    kind: &'static str,
    connect_app_sid: Option<String>,
    /// What a Connect App may do now (what it asks ∩ what the customer granted);
    /// empty for owners, whom Connect permissions do not limit.
    permissions: Vec<&'static str>,
    url: &'static str,
}

pub const PATH: &str = "/switchboard/v1/Principal.json";

pub async fn fetch(State(app): State<App>, call: ApiCall) -> Result<Json<PrincipalJson>, ApiError> {
    let access = app
        .sb
        .authorize(&call.request(RequestTarget::Own, Resource::Identity)?)
        .await
        .map_err(|e| call.fail(e))?;
    let principal = access.principal();
    let (kind, connect_app_sid, permissions) = match principal {
        Principal::Account { .. } => ("account", None, Vec::new()),
        Principal::Parent { .. } => ("parent", None, Vec::new()),
        Principal::Connect(c) => (
            "connect",
            Some(c.app.to_string()),
            c.permissions.to_strings(),
        ),
    };
    Ok(Json(PrincipalJson {
        account_sid: principal.username().to_string(),
        main_account_sid: principal.acting_main().to_string(),
        kind,
        connect_app_sid,
        permissions,
        url: PATH,
    }))
}
