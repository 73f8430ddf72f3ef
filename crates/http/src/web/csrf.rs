//! CSRF protection by construction. Every request to a page that is not a
//! `GET` or `HEAD` passes [`guard`] before routing reaches a handler: the guard
//! reads the form (URL-encoded or multipart), checks its `csrf_token` (the
//! session's, or for the forms filled in before signing in, the anonymous
//! token of `forms.rs`), and answers `403` itself when it is missing or wrong.
//! The handler gets the form only through [`CsrfForm`], [`CsrfMultipart`] or
//! [`AnonymousForm`], which take what the guard checked; the body the handler
//! could read is empty. So a state-changing page handler cannot skip the
//! check, however it is written, and a route added later is covered without
//! anyone remembering to (`console_pages::every_state_changing_page_route_needs_the_token`
//! walks the route table to prove it).

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use switchboard_domain::connect_apps::MAX_LOGO_BYTES;
use switchboard_domain::console::ConsoleSession;

use super::chrome::Chrome;
use super::error;
use super::forms::anonymous_token_valid;
use super::multipart::{self, Multipart};
use super::page::{message, see_other};
use super::session::{self, signin_url};
use crate::App;
use crate::twilio::Params;

/// The largest URL-encoded form a page takes.
const MAX_FORM: usize = 64 * 1024;
/// The largest multipart form: the logo, the token and the form's framing.
const MAX_UPLOAD: usize = MAX_LOGO_BYTES + 16 * 1024;

/// The forms filled in before signing in, checked with the anonymous token.
const ANONYMOUS_FORMS: [&str; 2] = ["/signin", "/signup"];

/// A form body the guard read.
#[derive(Clone)]
enum Form {
    Url(Params),
    Multipart(Multipart),
}

impl Form {
    fn text(&self, name: &str) -> Option<&str> {
        match self {
            Form::Url(p) => p.get(name),
            Form::Multipart(m) => m.text(name),
        }
    }
}

/// What the guard checked, handed to the handler's extractor. Only this module
/// makes one.
#[derive(Clone)]
struct Checked {
    session: Option<ConsoleSession>,
    form: Form,
}

/// Checks every state-changing request to a page (see the module's comment),
/// and dresses the page errors of every request in the signed-in chrome.
pub async fn guard(State(app): State<App>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return error::dressed(&app, request, next).await;
    }
    let (mut parts, body) = request.into_parts();
    let multipart = is_multipart(&parts.headers);
    let limit = if multipart { MAX_UPLOAD } else { MAX_FORM };
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return too_large();
    };
    let form = if multipart {
        multipart::parse(&parts.headers, &bytes).map(Form::Multipart)
    } else {
        Params::parse(&bytes).ok().map(Form::Url)
    };
    let token = form.as_ref().and_then(|f| f.text("csrf_token"));
    let session = if ANONYMOUS_FORMS.contains(&parts.uri.path()) {
        if !anonymous_token_valid(app.sb.keys(), &parts.headers, token) {
            return expired(None);
        }
        None
    } else {
        let Some(session) = session::load(&parts, &app).await else {
            return see_other(&signin_url(&return_to(&parts, form.as_ref())), Vec::new());
        };
        if !token.is_some_and(|t| session.csrf_matches(t)) {
            return expired(Some(&session));
        }
        Some(session)
    };
    let Some(form) = form else {
        return expired(session.as_ref());
    };
    parts.extensions.insert(Checked { session, form });
    error::dressed(&app, Request::from_parts(parts, Body::empty()), next).await
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
        })
}

/// Where a signed-out form returns after signing in: its page, with the
/// app's `state` and the link's `cb` when it is the consent form.
fn return_to(parts: &Parts, form: Option<&Form>) -> String {
    let path = parts.uri.path();
    let query: Vec<String> = ["state", "cb"]
        .into_iter()
        .chain(super::consent::CODE_PARAMS)
        .filter_map(|name| {
            let value = form.and_then(|f| f.text(name)).filter(|v| !v.is_empty())?;
            Some(format!(
                "{name}={}",
                utf8_percent_encode(value, NON_ALPHANUMERIC)
            ))
        })
        .collect();
    match query.is_empty() {
        true => path.to_owned(),
        false => format!("{path}?{}", query.join("&")),
    }
}

/// The answer to a form without the right token: nothing changed.
fn expired(session: Option<&ConsoleSession>) -> Response {
    let (body, link) = match session {
        Some(_) => (
            "The form was not sent from your Switchboard session. Nothing was changed. Go back, reload the page and try again.",
            ("/console", "Back to the console"),
        ),
        None => (
            "The form was not sent from this Switchboard page, or it is too old. Go back, reload the page and try again. Nothing was changed.",
            ("/signin", "Sign in"),
        ),
    };
    message(
        StatusCode::FORBIDDEN,
        Chrome::for_session(session, ""),
        "This form has expired",
        body,
        Some(link),
    )
    .into_response()
}

fn too_large() -> Response {
    message(
        StatusCode::PAYLOAD_TOO_LARGE,
        Chrome::anonymous(),
        "This form is too large",
        &format!(
            "Nothing was changed. A form may be at most {} KB, an uploaded logo at most {} KB.",
            MAX_FORM / 1024,
            MAX_LOGO_BYTES / 1024
        ),
        Some(("/console", "Back to the console")),
    )
    .into_response()
}

/// The checked form of a signed-in user; anything else (a `GET` handler
/// asking for a form, or an anonymous form) is refused as an expired form.
fn signed_in(parts: &mut Parts) -> Option<(ConsoleSession, Form)> {
    match parts.extensions.remove::<Checked>()? {
        Checked {
            session: Some(session),
            form,
        } => Some((session, form)),
        _ => None,
    }
}

/// A URL-encoded form of the signed-in user whose CSRF token the guard
/// checked, with the session.
pub struct CsrfForm(pub ConsoleSession, pub Params);

impl<S: Send + Sync> FromRequestParts<S> for CsrfForm {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match signed_in(parts).ok_or_else(|| expired(None))? {
            (session, Form::Url(form)) => Ok(CsrfForm(session, form)),
            (session, Form::Multipart(_)) => Err(expired(Some(&session))),
        }
    }
}

/// A multipart form (the logo upload) of the signed-in user whose CSRF token
/// the guard checked, with the session.
pub struct CsrfMultipart(pub ConsoleSession, pub Multipart);

impl<S: Send + Sync> FromRequestParts<S> for CsrfMultipart {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match signed_in(parts).ok_or_else(|| expired(None))? {
            (session, Form::Multipart(form)) => Ok(CsrfMultipart(session, form)),
            (session, Form::Url(_)) => Err(expired(Some(&session))),
        }
    }
}

/// A form filled in before signing in (sign-in, sign-up) whose anonymous
/// token the guard checked.
pub struct AnonymousForm(pub Params);

impl<S: Send + Sync> FromRequestParts<S> for AnonymousForm {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.remove::<Checked>() {
            Some(Checked {
                session: None,
                form: Form::Url(form),
            }) => Ok(AnonymousForm(form)),
            _ => Err(expired(None)),
        }
    }
}
