//! `/switchboard/v1/Sandboxes…` (sandbox mode only; 404 otherwise): creating a
//! sandbox from a seed, reading, resetting and deleting it, and the webhooks
//! it recorded. See docs/sandbox.md.
//!
//! Creating takes no credentials. Every other route takes a [`SandboxScope`]:
//! HTTP Basic with the SID and token of one of the sandbox's own main
//! accounts, decided by the policy like every request (strangers get 401, a
//! sandbox out of the caller's reach is "not found").

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_domain::access::{Access, Action, RequestTarget, Resource};
use switchboard_domain::delivery::decode_params;
use switchboard_domain::sandbox::clock::{ClockView, MAX_ADVANCE};
use switchboard_domain::sandbox::seed::SeedDocument;
use switchboard_domain::sandbox::{RecordedWebhookFilter, SandboxView};
use switchboard_store::sandboxes::RecordedWebhook;
use switchboard_types::{AccountSid, ConnectAppSid, PhoneNumberSid, SandboxSid};

use super::list;
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, Json, path};

pub const PREFIX: &str = "/switchboard/v1/Sandboxes";

/// An API request on `/switchboard/v1/Sandboxes/{sandbox}…`.
pub struct SandboxScope {
    call: ApiCall,
    sandbox: Option<SandboxSid>,
}

impl<S: Send + Sync> FromRequest<S> for SandboxScope {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let params = RawPathParams::from_request_parts(&mut parts, state)
            .await
            .ok();
        let sandbox = params.as_ref().and_then(|p| {
            p.iter()
                .find_map(|(n, v)| (n == "sandbox").then_some(v))
                .and_then(|v| SandboxSid::parse(path::extension_segment(v)).ok())
        });
        Ok(SandboxScope {
            call: ApiCall::read(parts, body).await?,
            sandbox,
        })
    }
}

impl std::ops::Deref for SandboxScope {
    type Target = ApiCall;

    fn deref(&self) -> &ApiCall {
        &self.call
    }
}

impl SandboxScope {
    /// The policy's access to the sandbox the path names, for its own main
    /// accounts' credentials. Outside sandbox mode, not found for anyone.
    pub async fn authorize(&self, app: &App) -> Result<Access, ApiError> {
        if !app.sb.settings().sandbox {
            return Err(ApiError::not_found());
        }
        let target = self
            .sandbox
            .as_ref()
            .map_or(RequestTarget::Missing, RequestTarget::Sandbox);
        Ok(app
            .sb
            .authorize(&self.call.request(target, Resource::Sandbox)?)
            .await?)
    }
}

#[derive(Serialize)]
pub struct SubaccountJson {
    sid: AccountSid,
    auth_token: String,
}

#[derive(Serialize)]
pub struct AccountJson {
    sid: AccountSid,
    auth_token: String,
    #[serde(rename = "type")]
    account_type: &'static str,
    email: Option<String>,
    password: Option<String>,
    subaccounts: BTreeMap<String, SubaccountJson>,
}

#[derive(Serialize)]
pub struct AppJson {
    sid: ConnectAppSid,
    owner: String,
    connect_url: String,
}

#[derive(Serialize)]
pub struct GrantJson {
    customer: String,
    connect_app: String,
    connect_app_sid: ConnectAppSid,
    account_sid: AccountSid,
}

#[derive(Serialize)]
pub struct NumberJson {
    sid: PhoneNumberSid,
    account_sid: AccountSid,
}

/// A sandbox, mirroring its seed by name.
#[derive(Serialize)]
pub struct SandboxJson {
    sid: SandboxSid,
    accounts: BTreeMap<String, AccountJson>,
    connect_apps: BTreeMap<String, AppJson>,
    authorizations: Vec<GrantJson>,
    phone_numbers: BTreeMap<String, NumberJson>,
    date_created: String,
    date_updated: String,
    url: String,
    links: BTreeMap<&'static str, String>,
}

impl From<SandboxView> for SandboxJson {
    fn from(v: SandboxView) -> Self {
        let url = format!("{PREFIX}/{}.json", v.sid);
        let links = BTreeMap::from([
            ("reset", format!("{PREFIX}/{}/Reset.json", v.sid)),
            ("webhooks", format!("{PREFIX}/{}/Webhooks.json", v.sid)),
            ("clock", format!("{PREFIX}/{}/Clock.json", v.sid)),
        ]);
        SandboxJson {
            accounts: v
                .accounts
                .into_iter()
                .map(|a| {
                    (
                        a.name,
                        AccountJson {
                            sid: a.sid,
                            auth_token: a.auth_token,
                            account_type: a.account_type.as_str(),
                            email: a.email,
                            password: a.password,
                            subaccounts: a
                                .subaccounts
                                .into_iter()
                                .map(|s| {
                                    (
                                        s.name,
                                        SubaccountJson {
                                            sid: s.sid,
                                            auth_token: s.auth_token,
                                        },
                                    )
                                })
                                .collect(),
                        },
                    )
                })
                .collect(),
            connect_apps: v
                .connect_apps
                .into_iter()
                .map(|a| {
                    (
                        a.name,
                        AppJson {
                            sid: a.sid,
                            owner: a.owner,
                            connect_url: a.connect_url,
                        },
                    )
                })
                .collect(),
            authorizations: v
                .authorizations
                .into_iter()
                .map(|g| GrantJson {
                    customer: g.customer,
                    connect_app: g.connect_app,
                    connect_app_sid: g.connect_app_sid,
                    account_sid: g.account_sid,
                })
                .collect(),
            phone_numbers: v
                .phone_numbers
                .into_iter()
                .map(|n| {
                    (
                        n.phone_number,
                        NumberJson {
                            sid: n.sid,
                            account_sid: n.account_sid,
                        },
                    )
                })
                .collect(),
            date_created: v.date_created.rfc2822(),
            date_updated: v.date_updated.rfc2822(),
            sid: v.sid,
            url,
            links,
        }
    }
}

/// `POST /switchboard/v1/Sandboxes.json`: a JSON seed document as the body,
/// no credentials → `201` with the sandbox.
pub async fn create(State(app): State<App>, call: ApiCall) -> Result<Response, ApiError> {
    if !app.sb.settings().sandbox {
        return Err(ApiError::not_found());
    }
    let access = app
        .sb
        .anonymous_access(RequestTarget::Sandboxes, Action::Write, Resource::Sandbox)
        .await?;
    let text = std::str::from_utf8(call.raw_body())
        .map_err(|_| ApiError::bad_request(None, "The seed must be a JSON document in UTF-8"))?;
    // An empty body is the empty seed: a sandbox with nothing in it.
    let text = if text.trim().is_empty() { "{}" } else { text };
    let document = SeedDocument::from_json(text)?;
    let view = app.sb.sandboxes().create(&access, &document, text).await?;
    Ok((StatusCode::CREATED, Json(SandboxJson::from(view))).into_response())
}

/// `GET /switchboard/v1/Sandboxes/{Sid}.json`.
pub async fn fetch(
    State(app): State<App>,
    scope: SandboxScope,
) -> Result<Json<SandboxJson>, ApiError> {
    let access = scope.authorize(&app).await?;
    Ok(Json(app.sb.sandboxes().get(&access).await?.into()))
}

/// `POST /switchboard/v1/Sandboxes/{Sid}/Reset.json`: back to the seed, same
/// SIDs and tokens.
pub async fn reset(
    State(app): State<App>,
    scope: SandboxScope,
) -> Result<Json<SandboxJson>, ApiError> {
    let access = scope.authorize(&app).await?;
    Ok(Json(app.sb.sandboxes().reset(&access).await?.into()))
}

/// `DELETE /switchboard/v1/Sandboxes/{Sid}.json` → `204`.
pub async fn delete(State(app): State<App>, scope: SandboxScope) -> Result<Response, ApiError> {
    let access = scope.authorize(&app).await?;
    app.sb.sandboxes().delete(&access).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// One request Switchboard made for the sandbox.
#[derive(Serialize)]
pub struct WebhookJson {
    kind: String,
    related_sid: Option<String>,
    account_sid: AccountSid,
    delivery_sid: String,
    attempt: i64,
    method: String,
    url: String,
    parameters: BTreeMap<String, String>,
    request_headers: BTreeMap<&'static str, String>,
    /// The response's HTTP status; `null` when none came (refused, failed to
    /// connect, timed out: see `error`).
    status: Option<i64>,
    /// The first 64 KB of the response's body.
    body: Option<String>,
    error: Option<String>,
    duration_ms: Option<i64>,
    date_created: String,
}

impl From<RecordedWebhook> for WebhookJson {
    fn from(w: RecordedWebhook) -> Self {
        let mut headers = BTreeMap::from([("I-Twilio-Idempotency-Token", w.idempotency_token)]);
        if let Some(signature) = w.signature {
            headers.insert("X-Twilio-Signature", signature);
        }
        WebhookJson {
            kind: w.kind,
            related_sid: w.related_sid,
            account_sid: w.account_sid,
            delivery_sid: w.delivery_sid,
            attempt: w.attempt,
            method: w.method,
            url: w.url,
            parameters: decode_params(&w.params).into_iter().collect(),
            request_headers: headers,
            status: w.status_code,
            body: w.response_body,
            error: w.error,
            duration_ms: w.latency_ms,
            date_created: w.at.rfc2822(),
        }
    }
}

/// `GET /switchboard/v1/Sandboxes/{Sid}/Webhooks.json`: oldest first, paged;
/// filters `Kind`, `RelatedSid`, `Url`.
pub async fn webhooks(
    State(app): State<App>,
    scope: SandboxScope,
) -> Result<Json<Envelope<WebhookJson>>, ApiError> {
    let access = scope.authorize(&app).await?;
    let params = scope.query()?;
    let paging = list::paging(&app, &scope)?;
    let filter = RecordedWebhookFilter {
        kind: params.get("Kind").map(str::to_owned),
        related_sid: params.get("RelatedSid").map(str::to_owned),
        url: params.get("Url").map(str::to_owned),
    };
    let page = app
        .sb
        .sandboxes()
        .webhooks(&access, &filter, &paging.at, paging.size)
        .await?;
    list::envelope(&app, &scope, "webhooks", &paging, page, WebhookJson::from)
}

/// A sandbox's clock.
#[derive(Serialize)]
pub struct ClockJson {
    sandbox_sid: SandboxSid,
    /// Now in the sandbox's world.
    now: String,
    /// Whole seconds the world runs ahead of real time.
    offset: i64,
    /// What the advance played (steps, renewals, webhook attempts); 0 for a
    /// read.
    played: usize,
    url: String,
}

impl From<ClockView> for ClockJson {
    fn from(v: ClockView) -> Self {
        ClockJson {
            url: format!("{PREFIX}/{}/Clock.json", v.sandbox),
            sandbox_sid: v.sandbox,
            now: v.now.rfc2822(),
            offset: (v.offset_micros + 500_000) / 1_000_000,
            played: v.played,
        }
    }
}

/// `Advance`: whole seconds (`3600`), or one or more amounts with a unit
/// (`30d`, `2h`, `90m`, `45s`, `1d12h`), at most [`MAX_ADVANCE`].
pub fn parse_advance(value: &str) -> Result<Duration, String> {
    let wrong = || {
        format!(
            "Advance must be a whole number of seconds or a duration such as 30d, 2h, 90m or 45s, not '{value}'"
        )
    };
    let value_trimmed = value.trim();
    if value_trimmed.is_empty() {
        return Err(wrong());
    }
    let mut secs: u64 = 0;
    let mut digits = String::new();
    let mut units = 0;
    for c in value_trimmed.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: u64 = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(wrong()),
        };
        let n: u64 = digits.parse().map_err(|_| wrong())?;
        digits.clear();
        units += 1;
        secs = n
            .checked_mul(unit)
            .and_then(|s| s.checked_add(secs))
            .ok_or_else(wrong)?;
    }
    if !digits.is_empty() {
        if units > 0 {
            return Err(wrong());
        }
        secs = digits.parse().map_err(|_| wrong())?;
    }
    let by = Duration::from_secs(secs);
    if by > MAX_ADVANCE {
        return Err(format!(
            "Advance must be at most {} days",
            MAX_ADVANCE.as_secs() / 86_400
        ));
    }
    Ok(by)
}

/// `GET /switchboard/v1/Sandboxes/{Sid}/Clock.json`: the sandbox's `now`.
pub async fn clock(
    State(app): State<App>,
    scope: SandboxScope,
) -> Result<Json<ClockJson>, ApiError> {
    let access = scope.authorize(&app).await?;
    Ok(Json(app.sb.sandboxes().clock(&access).await?.into()))
}

/// `POST /switchboard/v1/Sandboxes/{Sid}/Clock.json` with `Advance`: moves
/// the clock on, playing what falls due on the way, and answers once it is
/// all done.
pub async fn advance_clock(
    State(app): State<App>,
    scope: SandboxScope,
) -> Result<Json<ClockJson>, ApiError> {
    let access = scope.authorize(&app).await?;
    let given = scope.form()?.require("Advance")?;
    let by = parse_advance(given).map_err(|e| ApiError::bad_request(Some("Advance"), e))?;
    Ok(Json(
        app.sb.sandboxes().advance_clock(&access, by).await?.into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_read_seconds_and_units() {
        let secs = |v: &str| parse_advance(v).map(|d| d.as_secs());
        assert_eq!(secs("3600"), Ok(3600));
        assert_eq!(secs("0"), Ok(0));
        assert_eq!(secs("30d"), Ok(30 * 86_400));
        assert_eq!(secs("2h"), Ok(7_200));
        assert_eq!(secs("90m"), Ok(5_400));
        assert_eq!(secs("45s"), Ok(45));
        assert_eq!(secs("1d12h"), Ok(129_600));
        for bad in [
            "",
            " ",
            "-5",
            "1.5",
            "1.5h",
            "h",
            "2w",
            "1h30",
            "abc",
            "1e3",
            "99999999999999999999",
            "3700d",
            "+5",
        ] {
            assert!(parse_advance(bad).is_err(), "{bad:?}");
        }
    }
}
