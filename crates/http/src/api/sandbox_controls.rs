//! The controls under a sandbox (sandbox mode): `POST
//! /switchboard/v1/Sandboxes/{Sid}/Authorizations.json` (headless consent) and
//! `POST|GET|DELETE …/Faults.json`. Each takes the HTTP Basic credentials of a
//! main account of that sandbox.

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::{Access, RequestTarget, Resource};
use switchboard_domain::grants::{Approval, ResponseType, Return};
use switchboard_types::{AccountSid, ConnectAppSid, Permissions, SandboxSid};

use super::faults::{FaultJson, new_fault};
use super::outcomes::sandbox_only;
use crate::App;
use crate::twilio::{ApiCall, ApiError, Json, path};

/// A request on a path under `/switchboard/v1/Sandboxes/{sandbox}/`.
pub struct SandboxCall {
    call: ApiCall,
    /// `None` when the segment is not a Sandbox SID: it names nothing.
    sandbox: Option<SandboxSid>,
}

impl<S: Send + Sync> FromRequest<S> for SandboxCall {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let params = RawPathParams::from_request_parts(&mut parts, state)
            .await
            .ok();
        let sandbox = params.as_ref().and_then(|p| {
            p.iter()
                .find(|(n, _)| *n == "sandbox")
                .and_then(|(_, v)| SandboxSid::parse(path::extension_segment(v)).ok())
        });
        Ok(SandboxCall {
            call: ApiCall::read(parts, body).await?,
            sandbox,
        })
    }
}

impl SandboxCall {
    /// The policy's access to the sandbox (a 404 outside sandbox mode, for
    /// strangers a 401, for another sandbox's or the default world's
    /// credentials a 404).
    async fn authorize(&self, app: &App) -> Result<Access, ApiError> {
        sandbox_only(app)?;
        let target = self
            .sandbox
            .as_ref()
            .map_or(RequestTarget::Missing, RequestTarget::Sandbox);
        let request = self.call.request(target, Resource::Sandbox)?;
        Ok(app.sb.authorize(&request).await?)
    }
}

/// `state`, as on the consent page.
const MAX_STATE: usize = 2048;

#[derive(Serialize)]
pub struct ConsentJson {
    redirect_url: String,
    /// The dedicated subaccount, when authorized (and the redirect carries it).
    account_sid: Option<AccountSid>,
    /// The one-time code, when authorized with `ResponseType=code`.
    code: Option<String>,
}

fn sid<T>(
    form: &crate::twilio::Params,
    name: &'static str,
    parse: impl FnOnce(&str) -> Result<T, switchboard_types::SidError>,
) -> Result<T, ApiError> {
    parse(form.require(name)?).map_err(|e| ApiError::bad_request(Some(name), e.to_string()))
}

/// The `AccountSid` the redirect carries: the last one, which the consent
/// flow appended after any the app's own URL had.
fn granted_subaccount(location: &str) -> Option<AccountSid> {
    last_param(location, "AccountSid").and_then(|v| AccountSid::parse(&v).ok())
}

/// The last `name` parameter of a redirect: the one the consent flow appended.
fn last_param(location: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(location).ok()?;
    url.query_pairs()
        .filter(|(k, _)| k == name)
        .last()
        .map(|(_, v)| v.into_owned())
}

/// Headless consent: what the consent page's Authorize or Deny does, for a
/// customer of the sandbox, answered with where the browser would go.
pub async fn consent(
    State(app): State<App>,
    call: SandboxCall,
) -> Result<Json<ConsentJson>, ApiError> {
    let control = call.authorize(&app).await?;
    let form = call.call.form()?;
    let connect_app = sid(form, "ConnectAppSid", ConnectAppSid::parse)?;
    let customer = sid(form, "Customer", AccountSid::parse)?;
    let authorize = match form.require("Decision")? {
        "authorize" => true,
        "deny" => false,
        _ => {
            return Err(ApiError::bad_request(
                Some("Decision"),
                "Decision must be authorize or deny",
            ));
        }
    };
    let state = form.get("State").filter(|s| !s.is_empty());
    if state.is_some_and(|s| s.len() > MAX_STATE) {
        return Err(ApiError::bad_request(
            Some("State"),
            format!("State must be at most {MAX_STATE} bytes long"),
        ));
    }
    let response = ResponseType::from_link(
        form.get("ResponseType"),
        form.get("CodeChallenge"),
        form.get("CodeChallengeMethod"),
    )
    .map_err(|p| {
        ApiError::bad_request(
            Some("ResponseType"),
            crate::web::consent::link_problem_text(p),
        )
    })?;
    let back = Return {
        response,
        ..Return::with_state(state)
    };
    let shown: Vec<&str> = form.get_all("Permissions").collect();
    let shown = match shown.is_empty() {
        true => None,
        false => Some(
            Permissions::parse_all(shown)
                .map_err(|e| ApiError::bad_request(Some("Permissions"), e.to_string()))?,
        ),
    };
    let access = app
        .sb
        .sandbox_customer_access(&control, &customer, &connect_app)
        .await?;
    let record = match app.sb.grants().consent_app(&connect_app).await? {
        Ok(record) => record,
        Err(switchboard_domain::grants::ConsentProblem::UnknownApp) => {
            return Err(ApiError::not_found());
        }
        Err(switchboard_domain::grants::ConsentProblem::NoAuthorizeUrl) => {
            return Err(ApiError::bad_request(
                Some("ConnectAppSid"),
                "This Connect App has no authorize URL: there is nowhere to send the customer",
            ));
        }
    };
    if !authorize {
        let location = app.sb.grants().deny(&access, &connect_app, back).await?;
        return Ok(Json(ConsentJson {
            redirect_url: location,
            account_sid: None,
            code: None,
        }));
    }
    let shown = shown.unwrap_or(record.permissions);
    match app
        .sb
        .grants()
        .approve(&access, &connect_app, shown, back)
        .await?
    {
        Approval::Granted(location) => Ok(Json(ConsentJson {
            account_sid: granted_subaccount(&location),
            code: match response {
                ResponseType::Code { .. } => last_param(&location, "code"),
                ResponseType::AccountSid => None,
            },
            redirect_url: location,
        })),
        Approval::PermissionsChanged(now) => Err(ApiError::new(
            StatusCode::CONFLICT,
            crate::twilio::error::codes::CONFLICT,
            format!(
                "The app asks for {}, not {shown}: nothing was authorized",
                now.permissions
            ),
        )),
    }
}

#[derive(Serialize)]
pub struct FaultListJson {
    faults: Vec<FaultJson>,
}

pub async fn add_fault(
    State(app): State<App>,
    call: SandboxCall,
) -> Result<(StatusCode, Json<FaultJson>), ApiError> {
    let access = call.authorize(&app).await?;
    let new = new_fault(call.call.form()?)?;
    let rule = app.sb.faults().create(&access, new).await?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

pub async fn list_faults(
    State(app): State<App>,
    call: SandboxCall,
) -> Result<Json<FaultListJson>, ApiError> {
    let access = call.authorize(&app).await?;
    let rules = app.sb.faults().list(&access).await?;
    Ok(Json(FaultListJson {
        faults: rules.into_iter().map(FaultJson::from).collect(),
    }))
}

pub async fn clear_faults(
    State(app): State<App>,
    call: SandboxCall,
) -> Result<StatusCode, ApiError> {
    let access = call.authorize(&app).await?;
    app.sb.faults().clear(&access).await?;
    Ok(StatusCode::NO_CONTENT)
}
