//! One API request as handlers see it: its path, credentials and parameters.
//!
//! Problems found while reading the request are kept, not raised, so each handler
//! reports them in Twilio's order: authentication first, then bad input.

use axum::body::{Body, HttpBody};
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{Method, Uri, header};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use switchboard_domain::access::{Action, ApiRequest, Credentials, RequestTarget, Resource};

use super::auth;
use super::error::ApiError;
use super::form::Params;

/// Large enough for any Twilio parameter set (a 1,600-character message body with
/// ten media URLs is a few kilobytes).
pub const MAX_BODY: usize = 64 * 1024;

/// Bodies that carry a file (a Connect App's logo, at most 512 KB).
pub const MAX_UPLOAD: usize = 640 * 1024;

/// How much of an oversized body is read and thrown away so the client, still
/// sending, gets to read the 413 instead of a broken connection. Past this the
/// connection is simply closed.
const DRAIN_LIMIT: usize = 32 * 1024 * 1024;

/// Reads the body up to `limit` bytes.
async fn read_body(mut body: Body, limit: usize) -> Result<Bytes, ApiError> {
    // Most API requests are GETs, whose body is known to be empty without
    // polling it.
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let mut buf = BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(ApiError::bad_request(
                None,
                "The request body could not be read",
            ));
        };
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            if seen > DRAIN_LIMIT {
                break;
            }
            if seen <= limit {
                buf.extend_from_slice(&data);
            }
        }
    }
    if seen > limit {
        return Err(ApiError::too_large(limit));
    }
    Ok(buf.freeze())
}

pub struct ApiCall {
    pub method: Method,
    uri: Uri,
    credentials: Result<Credentials, ApiError>,
    query: Result<Params, ApiError>,
    form: Result<Params, ApiError>,
    body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for ApiCall {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        ApiCall::read(parts, body).await
    }
}

impl ApiCall {
    /// Reads the request (for extractors that first look at its parts).
    pub async fn read(parts: Parts, body: Body) -> Result<Self, ApiError> {
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        // Uploads (PUT) may be larger than forms.
        let limit = if parts.method == Method::PUT {
            MAX_UPLOAD
        } else {
            MAX_BODY
        };
        if declared.is_some_and(|n| n > DRAIN_LIMIT) {
            return Err(ApiError::too_large(limit));
        }
        let bytes = read_body(body, limit).await?;
        Ok(ApiCall {
            credentials: auth::credentials(&parts.headers),
            query: Params::parse(parts.uri.query().unwrap_or("").as_bytes()),
            form: if parts.method == Method::PUT {
                Ok(Params::default())
            } else {
                Params::parse(&bytes)
            },
            method: parts.method,
            uri: parts.uri,
            body: bytes,
        })
    }

    /// The request's path, which errors and paging links name.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    pub fn credentials(&self) -> Result<&Credentials, ApiError> {
        self.credentials.as_ref().map_err(Clone::clone)
    }

    /// Query-string parameters (filters, paging).
    pub fn query(&self) -> Result<&Params, ApiError> {
        self.query.as_ref().map_err(Clone::clone)
    }

    /// Body parameters.
    pub fn form(&self) -> Result<&Params, ApiError> {
        self.form.as_ref().map_err(Clone::clone)
    }

    /// The body as sent (uploads).
    pub fn raw_body(&self) -> &[u8] {
        &self.body
    }

    /// The request as the policy sees it.
    pub fn request<'a>(
        &'a self,
        target: RequestTarget<'a>,
        resource: Resource,
    ) -> Result<ApiRequest<'a>, ApiError> {
        let action = if self.method == Method::GET || self.method == Method::HEAD {
            Action::Read
        } else {
            Action::Write
        };
        Ok(ApiRequest {
            credentials: self.credentials()?,
            action,
            target,
            resource,
        })
    }
}
