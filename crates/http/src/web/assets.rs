//! Files Switchboard serves itself (it may run offline: no CDN, no web fonts),
//! and Connect App logos.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use switchboard_domain::DomainError;
use switchboard_types::ConnectAppSid;

use crate::App;

const STYLESHEET: &str = include_str!("../../assets/switchboard.css");
const CONNECT_BUTTON: &str = include_str!("../../assets/connect-button.svg");
const SCRIPT: &str = include_str!("../../assets/console.js");
const PHONE_SCRIPT: &str = include_str!("../../assets/phone.js");

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", STYLESHEET)
}

/// Small enhancements only (copying the button snippet, previewing a logo
/// before upload); every page works without it.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// The Phone page's live thread and sending without leaving the page; the
/// page works without it.
pub async fn phone_script() -> Response {
    asset("text/javascript; charset=utf-8", PHONE_SCRIPT)
}

pub async fn connect_button() -> Response {
    let mut response = asset("image/svg+xml", CONNECT_BUTTON);
    // Allowed on other sites (it is their Connect button) but inert.
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// A Connect App's logo. The content type is the one recognised from the bytes
/// when it was uploaded, and the browser is told not to second-guess it.
pub async fn logo(State(app): State<App>, Path(sid): Path<String>) -> Response {
    let Ok(sid) = ConnectAppSid::parse(&sid) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match app.sb.connect_app_logo(&sid).await {
        Ok((content_type, bytes)) => {
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'"),
            );
            response
        }
        Err(DomainError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a logo failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
