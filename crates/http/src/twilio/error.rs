//! Twilio's error body, and the one place domain errors become HTTP answers.
//!
//! # Not found, and the path it names
//!
//! Twilio's 404 names the path that was asked for ("The requested resource
//! /2010-04-01/Accounts/AC…/Calls/CA….json was not found"), but a handler's
//! error does not know its request: `?` turns a [`DomainError::NotFound`] into
//! an [`ApiError`] through `From`, with no path at hand. So a "not found" made
//! without a path ([`ApiError::not_found`]) stays unnamed: its response is an
//! empty 404 marked with [`UnnamedNotFound`], and [`NamePaths`], the service
//! around the whole router, writes Twilio's body for the request it answers.
//!
//! The only cost on the success path is what [`NamePaths`] keeps while the
//! handler runs: a clone of the request's `Uri`, which shares the bytes the
//! server already read (a reference count, no allocation, no copy), and one
//! comparison of the answer's status. Everything else happens only for 404s.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{HeaderValue, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_domain::DomainError;

use super::invalid;

/// Twilio's error codes for what is not about one parameter; the codes of
/// refused values are in [`invalid`].
pub mod codes {
    /// A parameter is missing or has a value that is not allowed.
    pub const INVALID_PARAMETER: u32 = super::invalid::INVALID_PARAMETER;
    pub const AUTHENTICATE: u32 = 20003;
    pub const ACCOUNT_NOT_ACTIVE: u32 = 20005;
    pub const FORBIDDEN: u32 = 20403;
    pub const NOT_FOUND: u32 = 20404;
    pub const CONFLICT: u32 = 20409;
    pub const TOO_MANY_REQUESTS: u32 = 20429;
    pub const INTERNAL: u32 = 20500;
}

/// An error answer of the API: `{code, message, more_info, status}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    retry_after: Option<u64>,
    /// A "not found" whose message, naming the request path, [`NamePaths`]
    /// writes.
    unnamed: bool,
}

/// Marks the response of an unnamed "not found" for [`NamePaths`].
#[derive(Clone, Copy)]
struct UnnamedNotFound;

#[derive(Serialize)]
struct Body<'a> {
    code: u32,
    message: &'a str,
    more_info: String,
    status: u16,
}

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            unnamed: false,
        }
    }

    pub fn bad_request(_param: Option<&str>, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, codes::INVALID_PARAMETER, message)
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            codes::AUTHENTICATE,
            "Authenticate",
        )
    }

    /// "Not found", for this request: the message names its path (see the
    /// module's documentation).
    pub fn not_found() -> Self {
        ApiError {
            unnamed: true,
            ..ApiError::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, String::new())
        }
    }

    /// Twilio names the path that was not found.
    fn not_found_at(path: &str) -> Self {
        let shown: String = path.chars().take(200).collect();
        ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!("The requested resource {shown} was not found"),
        )
    }

    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        let shown: String = path.chars().take(200).collect();
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            20004,
            format!("Method {method} is not allowed on {shown}"),
        )
    }

    pub fn too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::INVALID_PARAMETER,
            format!("The request body is larger than {limit} bytes"),
        )
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL,
            "An internal error occurred; it has been logged",
        )
    }
}

/// What a request that kept colliding with others in the database is told.
pub const RETRY_MESSAGE: &str =
    "The request collided with others changing the same resources and changed nothing; try again";

/// Maps a domain error; a "not found" is named by [`NamePaths`].
impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        // Twilio names one parameter: the first refused one.
        match err.first_problem() {
            DomainError::Unauthenticated => ApiError::unauthenticated(),
            DomainError::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, message)
            }
            DomainError::NotFound => ApiError::not_found(),
            DomainError::Invalid(i) => ApiError::new(
                StatusCode::BAD_REQUEST,
                invalid::code(&i),
                invalid::message(&i),
            ),
            // Only an empty list is left here (`first_problem`).
            e @ (DomainError::Seed { .. } | DomainError::Invalids(_)) => ApiError::new(
                StatusCode::BAD_REQUEST,
                codes::INVALID_PARAMETER,
                e.to_string(),
            ),
            DomainError::AccountNotActive(message) => {
                ApiError::new(StatusCode::FORBIDDEN, codes::ACCOUNT_NOT_ACTIVE, message)
            }
            DomainError::Conflict(message) | DomainError::Lost(message) => {
                ApiError::new(StatusCode::CONFLICT, codes::CONFLICT, message)
            }
            DomainError::TooManyAttempts {
                retry_after_seconds,
            } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    codes::TOO_MANY_REQUESTS,
                    format!("Too many attempts; try again in {retry_after_seconds} seconds"),
                );
                e.retry_after = Some(retry_after_seconds);
                e
            }
            // Given up for another transaction more often than the domain
            // tries again: the request changed nothing, and may be sent again.
            DomainError::Store(e) if e.is_retryable() => {
                tracing::warn!(error = %e, "a transaction kept losing to others");
                ApiError::new(StatusCode::CONFLICT, codes::CONFLICT, RETRY_MESSAGE)
            }
            DomainError::Store(e) => {
                tracing::error!(error = %e, "storage error");
                ApiError::internal()
            }
            DomainError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.unnamed {
            let mut response = StatusCode::NOT_FOUND.into_response();
            response.extensions_mut().insert(UnnamedNotFound);
            return response;
        }
        let body = Body {
            code: self.code,
            message: &self.message,
            more_info: format!("https://www.twilio.com/docs/errors/{}", self.code),
            status: self.status.as_u16(),
        };
        let mut response = (self.status, super::Json(body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Switchboard API\""),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Wraps the whole router (not `Router::layer`, which boxes every route's
/// future) and names the request path in an unnamed "not found" (see the
/// module's documentation).
#[derive(Clone)]
pub struct NamePaths<S>(pub S);

impl<S, B> tower::Service<Request<B>> for NamePaths<S>
where
    S: tower::Service<Request<B>, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Named<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        Named {
            uri: req.uri().clone(),
            answer: self.0.call(req),
        }
    }
}

/// The answer of [`NamePaths`]' router, and the path it may need.
pub struct Named<F> {
    uri: Uri,
    answer: F,
}

impl<F> Future for Named<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = std::task::ready!(Pin::new(&mut self.answer).poll(cx))?;
        if response.status() == StatusCode::NOT_FOUND
            && response.extensions().get::<UnnamedNotFound>().is_some()
        {
            return Poll::Ready(Ok(ApiError::not_found_at(self.uri.path()).into_response()));
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use axum::routing::get;
    use tower::ServiceExt;

    async fn answer(path: &str) -> (StatusCode, String) {
        let router = axum::Router::new()
            .route(
                "/domain/{x}",
                get(|| async { ApiError::from(DomainError::NotFound) }),
            )
            .route(
                "/page",
                get(|| async { (StatusCode::NOT_FOUND, "no such page") }),
            )
            .route("/ok", get(|| async { "fine" }));
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = NamePaths(router).oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn names_the_path_of_an_unnamed_not_found_only() {
        let (status, body) = answer("/domain/CA1.json?x=1").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            body,
            "{\"code\":20404,\"message\":\"The requested resource /domain/CA1.json was not \
             found\",\"more_info\":\"https://www.twilio.com/docs/errors/20404\",\"status\":404}"
        );
        assert_eq!(
            answer("/page").await,
            (StatusCode::NOT_FOUND, "no such page".to_owned())
        );
        assert_eq!(answer("/ok").await, (StatusCode::OK, "fine".to_owned()));
    }

    // A change that lost a race deep inside (and kept losing) is the
    // client's to send again, never a server error.
    #[test]
    fn a_lost_race_is_a_conflict() {
        let e = ApiError::from(DomainError::Lost("The call changed; try again".into()));
        assert_eq!(
            (e.status, e.code, e.message.as_str()),
            (
                StatusCode::CONFLICT,
                codes::CONFLICT,
                "The call changed; try again"
            )
        );
    }
}
