//! Who is signed in, read from the session cookie.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use switchboard_domain::console::ConsoleSession;

use super::{cookies, page};
use crate::App;

/// The signed-in user, if any.
pub struct Viewer(pub Option<ConsoleSession>);

/// The session a request's cookie names, if it is live.
pub async fn load(parts: &Parts, app: &App) -> Option<ConsoleSession> {
    from_headers(&parts.headers, app).await
}

pub async fn from_headers(headers: &HeaderMap, app: &App) -> Option<ConsoleSession> {
    let value = cookies::get(headers, cookies::SESSION)?;
    match app.sb.session(value).await {
        Ok(session) => session,
        Err(e) => {
            tracing::error!(error = %e, "reading a session failed");
            None
        }
    }
}

impl FromRequestParts<App> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(Viewer(load(parts, app).await))
    }
}

/// A signed-in user; anyone else is sent to sign in and brought back.
pub struct SignedIn(pub ConsoleSession);

/// The sign-in page that returns to `path_and_query` afterwards.
pub fn signin_url(path_and_query: &str) -> String {
    format!(
        "/signin?next={}",
        utf8_percent_encode(path_and_query, NON_ALPHANUMERIC)
    )
}

impl FromRequestParts<App> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match load(parts, app).await {
            Some(session) => Ok(SignedIn(session)),
            None => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map_or("/console", |p| p.as_str());
                Err(page::see_other(&signin_url(here), Vec::new()).into_response())
            }
        }
    }
}
