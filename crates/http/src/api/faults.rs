//! Fault rules (sandbox mode): `POST|GET|DELETE
//! /switchboard/v1/Sandboxes/{Sid}/Faults.json`, and the layer that applies
//! them to the API requests made with a sandbox's credentials.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_domain::Switchboard;
use switchboard_domain::faults::{FaultError, FaultRule, METHODS, NewFault, PathPattern};

use crate::App;
use crate::twilio::{ApiError, Params, auth};

/// The longest a rule may make a request wait.
pub const MAX_DELAY_MS: u64 = 60_000;
/// The most requests one rule may apply to.
pub const MAX_COUNT: u32 = 10_000;

/// A rule, as the API shows it.
#[derive(Serialize)]
pub struct FaultJson {
    sid: String,
    sandbox_sid: String,
    method: String,
    path: String,
    status: Option<u16>,
    code: Option<u32>,
    message: Option<String>,
    count: u32,
    remaining: u32,
    delay_ms: u64,
    date_created: String,
}

impl From<FaultRule> for FaultJson {
    fn from(r: FaultRule) -> Self {
        FaultJson {
            sid: r.sid,
            sandbox_sid: r.sandbox_sid,
            method: r.method,
            path: r.path,
            status: r.error.as_ref().map(|e| e.status),
            code: r.error.as_ref().map(|e| e.code),
            message: r.error.and_then(|e| e.message),
            count: r.count,
            remaining: r.remaining,
            delay_ms: u64::try_from(r.delay.as_millis()).unwrap_or(u64::MAX),
            date_created: r.date_created.rfc2822(),
        }
    }
}

fn bad(name: &str, message: impl Into<String>) -> ApiError {
    ApiError::bad_request(Some(name), message)
}

fn whole<T>(
    form: &Params,
    name: &'static str,
    range: std::ops::RangeInclusive<T>,
) -> Result<Option<T>, ApiError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    form.optional(name, |v| {
        v.trim()
            .parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                format!(
                    "{name} must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                )
            })
    })
}

/// `Method`, `Path`, `Status`, `Code`, `Message`, `Count`, `DelayMs`.
pub fn new_fault(form: &Params) -> Result<NewFault, ApiError> {
    let method = form.require("Method")?;
    let method = METHODS
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .ok_or_else(|| {
            bad(
                "Method",
                format!("Method must be one of {}", METHODS.join(", ")),
            )
        })?;
    let path = PathPattern::parse(form.require("Path")?).map_err(|e| bad("Path", e))?;
    let status = whole::<u16>(form, "Status", 400..=599)?;
    let code = whole::<u32>(form, "Code", 10_000..=99_999)?;
    let message = form.get("Message").filter(|m| !m.is_empty());
    if message.is_some_and(|m| m.chars().count() > 1024) {
        return Err(bad(
            "Message",
            "Message must be at most 1024 characters long",
        ));
    }
    let delay_ms = whole::<u64>(form, "DelayMs", 0..=MAX_DELAY_MS)?.unwrap_or(0);
    let count = whole::<u32>(form, "Count", 1..=MAX_COUNT)?.unwrap_or(1);
    let error = match (status, code) {
        (Some(status), Some(code)) => Some(FaultError {
            status,
            code,
            message: message.map(str::to_owned),
        }),
        (None, None) if message.is_none() => None,
        (None, None) => return Err(bad("Status", "Message needs a Status and a Code")),
        (Some(_), None) => return Err(bad("Code", "Status needs a Code (a Twilio error code)")),
        (None, Some(_)) => return Err(bad("Status", "Code needs a Status (an HTTP status)")),
    };
    if error.is_none() && delay_ms == 0 {
        return Err(bad(
            "Status",
            "A fault needs a Status and a Code, a DelayMs, or both",
        ));
    }
    Ok(NewFault {
        method,
        path,
        error,
        count,
        delay: std::time::Duration::from_millis(delay_ms),
    })
}

/// The answer of a request that met a rule with an error.
fn fault_response(error: FaultError) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = error
        .message
        .unwrap_or_else(|| format!("Fault injected by the sandbox (error {})", error.code));
    ApiError::new(status, error.code, message).into_response()
}

/// Whether a request is one a rule may apply to: the API's, not the
/// sandbox's own controls (a test can always clear its rules), nor the
/// console's pages.
fn subject(path: &str) -> bool {
    let api = path.starts_with("/2010-04-01/")
        || path.starts_with("/v1/")
        || path.starts_with("/switchboard/v1/");
    api && !path.starts_with("/switchboard/v1/Sandboxes")
}

/// The layer for [`crate::serve`]: only in sandbox mode, so outside it no
/// request pays anything.
pub fn layer(app: &App) -> Option<FaultLayer> {
    app.sb
        .settings()
        .sandbox
        .then(|| FaultLayer(app.sb.clone()))
}

#[derive(Clone)]
pub struct FaultLayer(Switchboard);

impl<S> tower::Layer<S> for FaultLayer {
    type Service = FaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FaultService {
            inner,
            sb: self.0.clone(),
        }
    }
}

/// Applies the rules after authentication (the credentials say which
/// sandbox's rules apply) and before anything is read or written: a request
/// that meets a rule with an error never reaches its handler.
#[derive(Clone)]
pub struct FaultService<S> {
    inner: S,
    sb: Switchboard,
}

impl<S, B> tower::Service<Request<B>> for FaultService<S>
where
    S: tower::Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let credentials = subject(req.uri().path())
            .then(|| auth::credentials(req.headers()).ok())
            .flatten();
        let Some(credentials) = credentials else {
            return Box::pin(self.inner.call(req));
        };
        // The service that was made ready answers this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let sb = self.sb.clone();
        Box::pin(async move {
            let hit = sb
                .faults()
                .hit(&credentials, req.method().as_str(), req.uri().path())
                .await;
            match hit {
                Ok(Some(hit)) => {
                    if !hit.delay.is_zero() {
                        tokio::time::sleep(hit.delay).await;
                    }
                    if let Some(error) = hit.error {
                        // Read the request to its end first: a server that
                        // answers before the body is read closes a kept-alive
                        // connection, and the client's next request on it
                        // fails. A body over the API's limit is not read.
                        let body = axum::body::Body::new(req.into_body());
                        let _ = axum::body::to_bytes(body, crate::twilio::call::MAX_BODY).await;
                        return Ok(fault_response(error));
                    }
                }
                Ok(None) => {}
                // The request is answered as if there were no rules.
                Err(e) => tracing::error!(error = %e, "reading fault rules failed"),
            }
            inner.call(req).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(raw: &str) -> Params {
        Params::parse(raw.as_bytes()).unwrap()
    }

    #[test]
    fn rules_are_read_strictly() {
        let ok = new_fault(&form(
            "Method=post&Path=/2010-04-01/Accounts/*/Messages.json&Status=503&Code=20503&Count=2&DelayMs=10",
        ))
        .unwrap();
        assert_eq!(ok.method, "POST");
        assert_eq!(ok.count, 2);
        assert_eq!(ok.error.unwrap().status, 503);
        let delay_only = new_fault(&form("Method=*&Path=/x&DelayMs=5")).unwrap();
        assert!(delay_only.error.is_none());
        assert_eq!(delay_only.count, 1);
        for bad in [
            "Path=/x&Status=500&Code=20500",
            "Method=FETCH&Path=/x&Status=500&Code=20500",
            "Method=GET&Status=500&Code=20500",
            "Method=GET&Path=x&Status=500&Code=20500",
            "Method=GET&Path=/x&Status=200&Code=20500",
            "Method=GET&Path=/x&Status=600&Code=20500",
            "Method=GET&Path=/x&Status=500",
            "Method=GET&Path=/x&Code=20500",
            "Method=GET&Path=/x&Status=500&Code=1",
            "Method=GET&Path=/x&Status=500&Code=20500&Count=0",
            "Method=GET&Path=/x&Status=500&Code=20500&Count=-1",
            "Method=GET&Path=/x&Status=500&Code=20500&DelayMs=60001",
            "Method=GET&Path=/x&Status=500&Code=20500&DelayMs=soon",
            "Method=GET&Path=/x",
            "Method=GET&Path=/x&Message=hi",
        ] {
            let err = new_fault(&form(bad)).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn only_api_requests_outside_the_controls_are_subject() {
        assert!(subject("/2010-04-01/Accounts/AC1/Messages.json"));
        assert!(subject("/v1/Services"));
        assert!(subject("/switchboard/v1/Accounts/AC1/Deliveries.json"));
        assert!(!subject("/switchboard/v1/Sandboxes/SB1/Faults.json"));
        assert!(!subject("/console"));
        assert!(!subject("/authorize/CN1"));
    }
}
