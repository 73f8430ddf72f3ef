//! Errors of page handlers. A handler returns `Result<_, PageError>` and uses
//! `?` on domain results: a [`DomainError`] becomes the page that answers it
//! here, in one place. The page is dressed in the signed-in user's chrome by
//! [`dressed`], which every page route passes (through `csrf::guard`), so a
//! handler needs no session in hand to fail.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use switchboard_domain::DomainError;

use super::chrome::{Chrome, NAV};
use super::page::message;
use super::session;
use crate::App;

/// Why a page could not be shown or a form could not be done.
#[derive(Debug)]
pub enum PageError {
    /// Nothing there, or nothing the user may know exists: the same answer,
    /// so it says nothing about other accounts.
    NotFound,
    /// The domain refused what the user asked, and says why in words.
    Refused(String),
    /// Something failed that the user cannot fix; it is logged.
    Internal(DomainError),
}

pub type PageResult<T = Response> = Result<T, PageError>;

impl From<DomainError> for PageError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::NotFound => PageError::NotFound,
            DomainError::Invalid(i) => PageError::Refused(super::invalid::say(&i)),
            DomainError::Invalids(all) => PageError::Refused(
                all.iter()
                    .map(super::invalid::say)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            DomainError::Forbidden(m)
            | DomainError::Conflict(m)
            | DomainError::Lost(m)
            | DomainError::AccountNotActive(m) => PageError::Refused(m),
            e @ DomainError::Seed { .. } => PageError::Refused(e.to_string()),
            other => PageError::Internal(other),
        }
    }
}

/// A failure page before it is dressed: what [`dressed`] renders again in the
/// user's chrome.
#[derive(Clone)]
struct Failure {
    status: StatusCode,
    heading: &'static str,
    body: String,
}

impl PageError {
    fn failure(self) -> Failure {
        match self {
            PageError::NotFound => Failure {
                status: StatusCode::NOT_FOUND,
                heading: "Page not found",
                body: "There is nothing at this address in your account.".to_owned(),
            },
            PageError::Refused(why) => Failure {
                status: StatusCode::BAD_REQUEST,
                heading: "That did not work",
                body: super::invalid::sentence_end(why),
            },
            PageError::Internal(e) => {
                tracing::error!(error = %e, "a page failed");
                Failure {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    heading: "Something went wrong",
                    body: "Switchboard could not finish this request. It has been logged; please try again."
                        .to_owned(),
                }
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let failure = self.failure();
        let mut response = render(&failure, Chrome::anonymous(), "/console");
        response.extensions_mut().insert(failure);
        response
    }
}

fn render(failure: &Failure, chrome: Chrome, back: &str) -> Response {
    message(
        failure.status,
        chrome,
        failure.heading,
        &failure.body,
        Some((back, "Back")),
    )
    .into_response()
}

/// The console section a path is in (its navigation entry), for the way back.
fn section(path: &str) -> &'static str {
    NAV.iter()
        .map(|(href, _)| *href)
        .filter(|href| {
            path.strip_prefix(href)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|href| href.len())
        .unwrap_or("/console")
}

/// Runs a page's handler and renders its [`PageError`], if any, in the chrome
/// of whoever is signed in, with a way back to the section it came from.
pub async fn dressed(app: &App, request: Request, next: Next) -> Response {
    let cookie = request.headers().get(header::COOKIE).cloned();
    let back = section(request.uri().path());
    let mut response = next.run(request).await;
    let Some(failure) = response.extensions_mut().remove::<Failure>() else {
        return response;
    };
    let mut headers = axum::http::HeaderMap::new();
    if let Some(cookie) = cookie {
        headers.insert(header::COOKIE, cookie);
    }
    let viewer = session::from_headers(&headers, app).await;
    render(&failure, Chrome::for_session(viewer.as_ref(), back), back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_go_back_to_their_section() {
        assert_eq!(section("/console/apps/CN1/delete"), "/console/apps");
        assert_eq!(section("/console/apps"), "/console/apps");
        assert_eq!(
            section("/console/authorized-apps/CN1"),
            "/console/authorized-apps"
        );
        assert_eq!(section("/console/appsx"), "/console");
        assert_eq!(section("/console/tokens/promote"), "/console");
        assert_eq!(section("/authorize/CN1"), "/console");
    }
}
