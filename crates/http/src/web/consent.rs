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
use switchboard_domain::grants::{self, Approval, ConsentProblem, LinkProblem, ResponseType};
use switchboard_store::authorizations::AuthorizationRecord;
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_types::{AccountType, ConnectAppSid, Permission, Permissions};

use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::csrf::CsrfForm;
use super::error::PageError;
use super::kit::when;
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
    /// Set when the customer comes back from upgrading their account.
    upgraded: Option<String>,
    response_type: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// The link's parameters carried from the consent link through the sign-in
/// and sign-up detours and the consent form, beside `state` and `cb`.
pub const CODE_PARAMS: [&str; 3] = ["response_type", "code_challenge", "code_challenge_method"];

/// The code parameters `get` finds (by name), those not empty: what the
/// consent page, its form and a return path carry.
fn code_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Vec<(&'static str, String)> {
    CODE_PARAMS
        .into_iter()
        .filter_map(|k| get(k).filter(|v| !v.is_empty()).map(|v| (k, v.to_owned())))
        .collect()
}

impl ConsentQuery {
    fn code_param(&self, name: &str) -> Option<&str> {
        match name {
            "response_type" => self.response_type.as_deref(),
            "code_challenge" => self.code_challenge.as_deref(),
            "code_challenge_method" => self.code_challenge_method.as_deref(),
            _ => None,
        }
    }
}

/// What a link's `response_type` and PKCE parameters are worth: the words for
/// a link the flow cannot honour (the domain says what is wrong).
fn link_problem(problem: LinkProblem, viewer: Option<&ConsoleSession>) -> Response {
    message(
        StatusCode::BAD_REQUEST,
        Chrome::for_session(viewer, "").narrow(),
        "This Connect link cannot be used",
        &format!(
            "{} Contact the app's developer.",
            link_problem_text(problem)
        ),
        None,
    )
    .into_response()
}

/// Why a link's `response_type` or PKCE parameters cannot be used, in words
/// (the consent page's and the sandbox's headless consent's).
pub fn link_problem_text(problem: LinkProblem) -> &'static str {
    match problem {
        LinkProblem::UnsupportedResponseType => {
            "The link asks for a response_type this server does not offer: only response_type=code \
             (a one-time code), or none (the AccountSid, as Twilio sends it)."
        }
        LinkProblem::ChallengeWithoutCode => {
            "The link has a code_challenge but no response_type=code: a PKCE challenge only \
             protects a code."
        }
        LinkProblem::PlainChallenge => {
            "The link's code_challenge_method is plain (or missing, which means plain): only \
             S256 is accepted. Send code_challenge_method=S256 with the base64url SHA-256 of the \
             verifier."
        }
        LinkProblem::UnsupportedChallengeMethod => {
            "The link's code_challenge_method is not one this server accepts: only S256."
        }
        LinkProblem::MethodWithoutChallenge => {
            "The link has a code_challenge_method but no code_challenge."
        }
        LinkProblem::MalformedChallenge => {
            "The link's code_challenge is not an S256 challenge: 43 characters of base64url \
             (the SHA-256 of the verifier, without padding)."
        }
    }
}

/// The link's `cb`, carried (and later checked by the domain) only when it
/// could be a URL at all.
fn usable_cb(cb: Option<&str>) -> Option<&str> {
    cb.filter(|c| !c.is_empty() && c.len() <= MAX_CB)
}

/// One permission the app asks for, in plain words; `new` when the customer
/// authorized the app before without it.
pub struct Asked {
    pub name: &'static str,
    pub words: &'static str,
    pub new: bool,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    chrome: Chrome,
    app: ConnectAppRecord,
    initial: String,
    permissions: Vec<Asked>,
    /// When the customer authorized the app before (its grant is active).
    authorized_before: Option<String>,
    /// Whether the app asks for more than the customer granted before.
    asks_for_more: bool,
    /// The app may spend the customer's money (`post-all`).
    billed: bool,
    /// The dedicated subaccount: the one already made for the app, or the
    /// name the new one will have.
    subaccount: Subaccount,
    /// Where the browser goes after the decision (the redirect URL's host).
    redirect_host: String,
    /// This page's own path, to come back to after upgrading or switching
    /// account.
    here: String,
    here_encoded: String,
    /// The customer just upgraded their account to authorize.
    upgraded: bool,
    /// The permissions shown, sent back with the decision (`get-all,post-all`):
    /// the grant holds exactly these, or nothing if the app changed meanwhile.
    shown: String,
    /// Why the page is shown again instead of the approval going through.
    notice: Option<&'static str>,
    account_name: String,
    account_sid: String,
    email: String,
    csrf_token: String,
    state: Option<String>,
    cb: Option<String>,
    /// `response_type`, `code_challenge` and `code_challenge_method` as the
    /// link gave them (hidden fields of the form), when it did.
    code_params: Vec<(&'static str, String)>,
    trial: bool,
}

/// The dedicated subaccount an approval uses.
pub enum Subaccount {
    Existing(String),
    New(String),
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
    (
        StatusCode::BAD_REQUEST,
        "The state parameter is too long: it must be at most 2048 characters.",
    )
        .into_response()
}

/// The consent URL with its `state`, `cb` and code parameters, to come back to
/// after signing in (or up).
fn consent_path(sid: &str, back: &Carried) -> String {
    let query: Vec<String> = [("state", back.state.as_deref()), ("cb", back.cb.as_deref())]
        .into_iter()
        .chain(back.code_params.iter().map(|(k, v)| (*k, Some(v.as_str()))))
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC))))
        .collect();
    match query.is_empty() {
        true => format!("/authorize/{sid}"),
        false => format!("/authorize/{sid}?{}", query.join("&")),
    }
}

/// The consent page a form says to come back to (after upgrading, or
/// switching account): only `/authorize/{ConnectAppSid}` with its `state`,
/// `cb` and code parameters (`response_type`, PKCE), rebuilt from what it parses to, so that nothing else can be named:
/// neither another site nor another page of this one.
pub fn consent_return(raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    let (path, query) = raw.split_once('?').unwrap_or((raw, ""));
    let sid = ConnectAppSid::parse(path.strip_prefix("/authorize/")?).ok()?;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (state, cb) = (get("state").map(str::to_owned), get("cb"));
    if state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
        return None;
    }
    let back = Carried {
        state: state.filter(|s| !s.is_empty()),
        cb: usable_cb(cb).map(str::to_owned),
        code_params: code_params(|k| get(k).filter(|v| v.len() <= MAX_STATE)),
        upgraded: false,
    };
    Some(consent_path(sid.as_str(), &back))
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
    if let Err(problem) = ResponseType::from_link(
        query.response_type.as_deref(),
        query.code_challenge.as_deref(),
        query.code_challenge_method.as_deref(),
    ) {
        return link_problem(problem, viewer.as_ref());
    }
    let back = Carried {
        state: query.state.clone(),
        cb,
        code_params: code_params(|k| query.code_param(k)),
        upgraded: false,
    };
    let Some(session) = viewer else {
        return see_other(&signin_url(&consent_path(sid.as_str(), &back)), Vec::new());
    };
    let upgraded = query.upgraded.is_some() && session.account_type == AccountType::Full;
    let earlier = earlier_grant(&app, &session, &sid).await;
    let back = Carried { upgraded, ..back };
    consent_page(&session, record, earlier, back, None)
}

/// The customer's active grant of the app, if they authorized it before.
async fn earlier_grant(
    app: &App,
    session: &ConsoleSession,
    sid: &ConnectAppSid,
) -> Option<AuthorizationRecord> {
    let reading = app
        .sb
        .console_access(
            session,
            None,
            RequestTarget::Account(&session.account_sid),
            Action::Read,
            Resource::AuthorizedConnectApps,
        )
        .await
        .ok()?;
    let grants = app.sb.grants();
    grants
        .get((&reading).into(), sid)
        .await
        .ok()
        .map(|a| a.grant)
}

/// What the consent form carries back: the app's `state`, the link's `cb`
/// and its code parameters.
struct Carried {
    state: Option<String>,
    cb: Option<String>,
    code_params: Vec<(&'static str, String)>,
    upgraded: bool,
}

impl Carried {
    fn of(state: Option<&str>, cb: Option<&str>, form: &crate::twilio::Params) -> Self {
        Carried {
            state: state.map(str::to_owned),
            cb: cb.map(str::to_owned),
            code_params: code_params(|k| form.get(k)),
            upgraded: false,
        }
    }
}

/// The consent page for `record` as it is now; `notice` says why it is shown
/// again after an Authorize that did not go through.
fn consent_page(
    session: &ConsoleSession,
    record: ConnectAppRecord,
    earlier: Option<AuthorizationRecord>,
    back: Carried,
    notice: Option<Notice>,
) -> Response {
    let granted = earlier.as_ref().map(|g| g.permissions);
    let new = granted.map_or(Permissions::NONE, |g| record.permissions.minus(g));
    let here = consent_path(record.sid.as_str(), &back);
    let redirect_host = record
        .authorize_redirect_url
        .as_deref()
        .and_then(|r| grants::return_base(r, back.cb.as_deref()).ok())
        .map(|u| match (u.host_str(), u.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            _ => String::new(),
        })
        .unwrap_or_default();
    let page = ConsentPage {
        // Only what the decision needs: no console navigation above it.
        chrome: Chrome::anonymous(),
        authorized_before: earlier.as_ref().map(|g| when(g.authorized_at)),
        asks_for_more: !new.is_empty(),
        billed: record.permissions.contains(Permission::PostAll),
        subaccount: match &earlier {
            Some(g) => Subaccount::Existing(g.subaccount_sid.to_string()),
            None => Subaccount::New(grants::dedicated_subaccount_name(&record)),
        },
        redirect_host,
        here_encoded: utf8_percent_encode(&here, NON_ALPHANUMERIC).to_string(),
        here,
        upgraded: back.upgraded,
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
            .map(|p| Asked {
                name: p.as_str(),
                words: p.describe(),
                new: new.contains(p),
            })
            .collect(),
        shown: record.permissions.to_string(),
        notice: notice.map(Notice::text),
        account_name: session.account_name.clone(),
        account_sid: session.account_sid.to_string(),
        email: session.email.clone(),
        csrf_token: session.csrf_token.clone(),
        state: back.state,
        cb: back.cb,
        code_params: back.code_params,
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
    let response = match ResponseType::from_link(
        form.get("response_type"),
        form.get("code_challenge"),
        form.get("code_challenge_method"),
    ) {
        Ok(response) => response,
        Err(problem) => return link_problem(problem, Some(&session)),
    };
    let back = grants::Return {
        state,
        cb,
        response,
    };
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
                let earlier = earlier_grant(&app, &session, &sid).await;
                return consent_page(
                    &session,
                    record,
                    earlier,
                    Carried::of(state, cb, &form),
                    Some(Notice::PermissionsUnknown),
                );
            };
            match app.sb.grants().approve(&customer, &sid, shown, back).await {
                Ok(Approval::Granted(location)) => Ok(location),
                Ok(Approval::PermissionsChanged(now)) => {
                    let earlier = earlier_grant(&app, &session, &sid).await;
                    return consent_page(
                        &session,
                        *now,
                        earlier,
                        Carried::of(state, cb, &form),
                        Some(Notice::PermissionsChanged),
                    );
                }
                Err(e) => Err(e),
            }
        }
        Some("deny") => app.sb.grants().deny(&customer, &sid, back).await,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "The form did not say what you chose: choose Authorize or Deny.",
            )
                .into_response();
        }
    };
    match outcome {
        // Only ever the app's registered authorize URL, its query aside
        // (built by the domain).
        Ok(location) => found(&location),
        Err(DomainError::Forbidden(reason)) => message(
            StatusCode::FORBIDDEN,
            Chrome::for_session(Some(&session), "").narrow(),
            "You cannot authorize this app yet",
            &super::invalid::sentence_end(reason),
            Some((
                upgrade_url(&consent_path(sid.as_str(), &Carried::of(state, cb, &form))).as_str(),
                "Upgrade your account",
            )),
        )
        .into_response(),
        Err(DomainError::NotFound) => no_such_app(Some(&session)),
        Err(e) => PageError::Internal(e).into_response(),
    }
}

/// The upgrade page, coming back to the consent page `here` afterwards.
fn upgrade_url(here: &str) -> String {
    format!(
        "/console/upgrade?return_to={}",
        utf8_percent_encode(here, NON_ALPHANUMERIC)
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    const SID: &str = "CN0123456789abcdef0123456789abcdef";

    #[test]
    fn only_a_consent_page_of_this_site_is_returned_to() {
        let here = format!("/authorize/{SID}");
        assert_eq!(consent_return(Some(&here)), Some(here.clone()));
        // Its state and cb are kept (encoded again), anything else dropped.
        assert_eq!(
            consent_return(Some(&format!(
                "{here}?state=a%20b&next=https://evil.example/&cb=https%3A%2F%2Fapp.example%2Fback"
            ))),
            Some(format!(
                "{here}?state=a%20b&cb=https%3A%2F%2Fapp%2Eexample%2Fback"
            ))
        );
        // So are the link's code parameters: a code flow stays one.
        assert_eq!(
            consent_return(Some(&format!(
                "{here}?response_type=code&code_challenge=abc&code_challenge_method=S256&x=1"
            ))),
            Some(format!(
                "{here}?response_type=code&code_challenge=abc&code_challenge_method=S256"
            ))
        );
        for evil in [
            "https://evil.example/".to_owned(),
            format!("https://evil.example/authorize/{SID}"),
            format!("//evil.example/authorize/{SID}"),
            format!("/\\evil.example/authorize/{SID}"),
            format!("/authorize/{SID}/../../console"),
            format!("/authorize/{SID}@evil.example"),
            "/authorize/CNnot-a-sid".to_owned(),
            "/console/apps".to_owned(),
            "javascript:alert(1)".to_owned(),
            format!("/authorize/{SID}?state={}", "x".repeat(MAX_STATE + 1)),
            String::new(),
        ] {
            assert_eq!(consent_return(Some(&evil)), None, "{evil:?}");
        }
        assert_eq!(consent_return(None), None);
    }
}
