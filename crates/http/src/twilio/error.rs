//! Twilio's error body, and the one place domain errors become HTTP answers.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_domain::DomainError;
use switchboard_domain::error::codes;

/// An error answer of the API: `{code, message, more_info, status}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    retry_after: Option<u64>,
}

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

    /// Twilio names the path that was not found.
    pub fn not_found(path: &str) -> Self {
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

    /// Maps a domain error. `path` fills Twilio's "not found" message.
    pub fn from_domain(err: DomainError, path: &str) -> Self {
        match err {
            DomainError::Unauthenticated => ApiError::unauthenticated(),
            DomainError::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, message)
            }
            DomainError::NotFound => ApiError::not_found(path),
            DomainError::Invalid { code, message, .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, code, message)
            }
            DomainError::AccountNotActive(message) => {
                ApiError::new(StatusCode::FORBIDDEN, codes::ACCOUNT_NOT_ACTIVE, message)
            }
            DomainError::Conflict(message) => {
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
