//! The consent page: `GET /authorize/{ConnectAppSid}` shows what an app asks for;
//! the Authorize or Deny button posts back and the browser is sent to the app's
//! registered authorize URL, and nowhere else (a `cb` the link names is only
//! that URL with another query; the domain decides).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use switchboard_domain::DomainError;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::console::ConsoleSession;
use switchboard_domain::grants::{self, Approval, ConsentProblem};
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_types::{AccountType, ConnectAppSid, Permission, Permissions};

use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::csrf::CsrfForm;
use super::error::PageError;
use super::page::{Page, message, see_other};
use super::session::{Viewer, signin_url};
use crate::App;

/// `state` is the app's own value, carried through untouched; bounded so the
/// redirect stays a sane length.
const MAX_STATE: usize = 2048;

/// A longer `cb` is not the app's URL with a sane query: it is ignored.
const MAX_CB: usize = 2048;

#[derive(Deserialize)]
pub struct ConsentQuery {
    state: Option<String>,
    cb: Option<String>,
}

/// The link's `cb`, carried (and later checked by the domain) only when it
/// could be a URL at all.
fn usable_cb(cb: Option<&str>) -> Option<&str> {
    cb.filter(|c| !c.is_empty() && c.len() <= MAX_CB)
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    chrome: Chrome,
    app: ConnectAppRecord,
    initial: String,
    permissions: Vec<&'static str>,
    /// The permissions shown, sent back with the decision (`get-all,post-all`):
    /// the grant holds exactly these, or nothing if the app changed meanwhile.
    shown: String,
    /// Why the page is shown again instead of the approval going through.
    notice: Option<&'static str>,
    account_name: String,
    email: String,
    csrf_token: String,
    state: Option<String>,
    cb: Option<String>,
    trial: bool,
}

fn no_such_app(viewer: Option<&ConsoleSession>) -> Response {
    message(
        StatusCode::NOT_FOUND,
        Chrome::for_session(viewer, "").narrow(),
        "No such Connect App",
        "The Connect App this link names does not exist. The link may be mistyped, or the app may have been deleted by its developer.",
        None,
    )
    .into_response()
}

fn problem_page(problem: ConsentProblem, viewer: Option<&ConsoleSession>) -> Response {
    match problem {
        ConsentProblem::UnknownApp => no_such_app(viewer),
        ConsentProblem::NoAuthorizeUrl => message(
            StatusCode::BAD_REQUEST,
            Chrome::for_session(viewer, "").narrow(),
            "This Connect App is not ready",
            "The app has no authorize URL set, so there is nowhere to send you after you decide. Contact the app's developer.",
            None,
        )
        .into_response(),
    }
}

/// Why the consent page is shown again instead of an approval going through.
#[derive(Clone, Copy)]
enum Notice {
    /// The app's permissions changed between showing the page and the
    /// customer pressing Authorize.
    PermissionsChanged,
    /// The form did not say which permissions it showed (a page from before
    /// this check, or a hand-made request).
    PermissionsUnknown,
}

impl Notice {
    fn status(self) -> StatusCode {
        match self {
            Notice::PermissionsChanged => StatusCode::CONFLICT,
            Notice::PermissionsUnknown => StatusCode::BAD_REQUEST,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Notice::PermissionsChanged => {
                "The permissions this app asks for changed since this page was shown. \
                 Nothing was authorized: read them again below, then choose."
            }
            Notice::PermissionsUnknown => {
                "This form did not say which permissions it showed. \
                 Nothing was authorized: read them below, then choose."
            }
        }
    }
}

fn state_too_long() -> Response {
    (StatusCode::BAD_REQUEST, "The state parameter is too long").into_response()
}

/// The consent URL with its `state` and `cb`, to come back to after signing
/// in (or up).
fn consent_path(sid: &str, state: Option<&str>, cb: Option<&str>) -> String {
    let query: Vec<String> = [("state", state), ("cb", cb)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC))))
        .collect();
    match query.is_empty() {
        true => format!("/authorize/{sid}"),
        false => format!("/authorize/{sid}?{}", query.join("&")),
    }
}

pub async fn page(
    State(app): State<App>,
    Path(sid): Path<String>,
    Viewer(viewer): Viewer,
    Query(query): Query<ConsentQuery>,
) -> Response {
    let Ok(sid) = ConnectAppSid::parse(&sid) else {
        return no_such_app(viewer.as_ref());
    };
    if query.state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
        return state_too_long();
    }
    let record = match app.sb.grants().consent_app(&sid).await {
        Ok(Ok(record)) => record,
        Ok(Err(problem)) => return problem_page(problem, viewer.as_ref()),
        Err(e) => return PageError::Internal(e).into_response(),
    };
    let cb = usable_cb(query.cb.as_deref()).map(str::to_owned);
    let Some(session) = viewer else {
        return see_other(
            &signin_url(&consent_path(
                sid.as_str(),
                query.state.as_deref(),
                cb.as_deref(),
            )),
            Vec::new(),
        );
    };
    consent_page(&session, record, Carried::new(query.state, cb), None)
}

/// What the consent form carries back: the app's `state` and the link's `cb`.
struct Carried {
    state: Option<String>,
    cb: Option<String>,
}

impl Carried {
    fn new(state: Option<String>, cb: Option<String>) -> Self {
        Carried { state, cb }
    }

    fn of(state: Option<&str>, cb: Option<&str>) -> Self {
        Carried::new(state.map(str::to_owned), cb.map(str::to_owned))
    }
}

/// The consent page for `record` as it is now; `notice` says why it is shown
/// again after an Authorize that did not go through.
fn consent_page(
    session: &ConsoleSession,
    record: ConnectAppRecord,
    back: Carried,
    notice: Option<Notice>,
) -> Response {
    let page = ConsentPage {
        chrome: Chrome::for_session(Some(session), "").narrow(),
        initial: record
            .friendly_name
            .chars()
            .next()
            .unwrap_or('?')
            .to_uppercase()
            .to_string(),
        permissions: record
            .permissions
            .iter()
            .map(Permission::describe)
            .collect(),
        shown: record.permissions.to_string(),
        notice: notice.map(Notice::text),
        account_name: session.account_name.clone(),
        email: session.email.clone(),
        csrf_token: session.csrf_token.clone(),
        state: back.state,
        cb: back.cb,
        trial: session.account_type != AccountType::Full,
        app: record,
    };
    let status = notice.map_or(StatusCode::OK, Notice::status);
    let mut response = Page::render(&page).status(status).into_response();
    // Said twice on purpose: older browsers only know X-Frame-Options.
    response
        .headers_mut()
        .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The Authorize or Deny button. Signed out, the form is sent to sign in
/// and back to the consent page with its `state` (by `csrf::guard`).
pub async fn decide(
    State(app): State<App>,
    Path(sid): Path<String>,
    client: ClientAddr,
    CsrfForm(session, form): CsrfForm,
) -> Response {
    let Ok(sid) = ConnectAppSid::parse(&sid) else {
        return no_such_app(Some(&session));
    };
    let state = form.get("state").filter(|s| !s.is_empty());
    if state.is_some_and(|s| s.len() > MAX_STATE) {
        return state_too_long();
    }
    let cb = usable_cb(form.get("cb"));
    let back = grants::Return { state, cb };
    let record = match app.sb.grants().consent_app(&sid).await {
        Ok(Ok(record)) => record,
        Ok(Err(problem)) => return problem_page(problem, Some(&session)),
        Err(e) => return PageError::Internal(e).into_response(),
    };
    let ip = client.to_string();
    let deciding = app
        .sb
        .console_access(
            &session,
            Some(&ip),
            RequestTarget::Account(&session.account_sid),
            Action::Write,
            Resource::AuthorizedConnectApps,
        )
        .await;
    let customer = match deciding {
        Ok(access) => access,
        Err(e) => return PageError::Internal(e).into_response(),
    };
    let outcome = match form.get("decision") {
        Some("authorize") => {
            // What the page showed; an unreadable value is as good as none.
            let shown = form
                .get("permissions")
                .and_then(|p| Permissions::parse_all([p]).ok());
            let Some(shown) = shown else {
                return consent_page(
                    &session,
                    record,
                    Carried::of(state, cb),
                    Some(Notice::PermissionsUnknown),
                );
            };
            match app.sb.grants().approve(&customer, &sid, shown, back).await {
                Ok(Approval::Granted(location)) => Ok(location),
                Ok(Approval::PermissionsChanged(now)) => {
                    return consent_page(
                        &session,
                        *now,
                        Carried::of(state, cb),
                        Some(Notice::PermissionsChanged),
                    );
                }
                Err(e) => Err(e),
            }
        }
        Some("deny") => app.sb.grants().deny(&customer, &sid, back).await,
        _ => return (StatusCode::BAD_REQUEST, "Choose Authorize or Deny").into_response(),
    };
    match outcome {
        // Only ever the app's registered authorize URL, its query aside
        // (built by the domain).
        Ok(location) => found(&location),
        Err(DomainError::Forbidden(reason)) => message(
            StatusCode::FORBIDDEN,
            Chrome::for_session(Some(&session), "").narrow(),
            "You cannot authorize this app yet",
            &reason,
            Some(("/console/upgrade", "Upgrade your account")),
        )
        .into_response(),
        Err(DomainError::NotFound) => no_such_app(Some(&session)),
        Err(e) => PageError::Internal(e).into_response(),
    }
}

/// `302 Found`, as Twilio answers the consent form.
fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
