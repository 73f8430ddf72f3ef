//! The app's pages: sign-in, the Connect button, the authorize and deauthorize
//! URLs Switchboard sends customers and callbacks to, and the analytics page.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Form;
use axum::extract::{Query, RawForm, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rand::RngCore;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::analytics::Report;
use crate::api::{Api, ApiError};
use crate::signature;

const COOKIE_NAME: &str = "call_analytics";

#[derive(Default)]
struct Session {
    user: Option<String>,
    csrf: String,
    /// The `state` put on the Connect button, checked when the customer comes back.
    issued_state: Option<String>,
}

/// What the app remembers about one of its users' Switchboard connection.
#[derive(Clone)]
enum Connection {
    Connected { account_sid: String },
    Revoked,
}

pub struct AppState {
    pub public_url: String,
    pub switchboard_url: String,
    pub connect_app_sid: String,
    pub owner_auth_token: String,
    users: Vec<(String, String)>,
    api: Api,
    sessions: Mutex<HashMap<String, Session>>,
    connections: Mutex<HashMap<String, Connection>>,
}

impl AppState {
    pub fn new(
        public_url: String,
        switchboard_url: String,
        connect_app_sid: String,
        owner_auth_token: String,
        users: Vec<(String, String)>,
    ) -> Arc<AppState> {
        Arc::new(AppState {
            api: Api::new(&switchboard_url, &owner_auth_token),
            public_url,
            switchboard_url: switchboard_url.trim_end_matches('/').to_owned(),
            connect_app_sid,
            owner_auth_token,
            users,
            sessions: Mutex::default(),
            connections: Mutex::default(),
        })
    }
}

type Shared = Arc<AppState>;

pub fn router(state: Shared) -> axum::Router {
    axum::Router::new()
        .route("/", get(home))
        .route("/signin", post(sign_in))
        .route("/signout", post(sign_out))
        .route("/twilio/authorize", get(authorize))
        .route("/twilio/deauthorize", get(deauthorize).post(deauthorize))
        .route("/analytics", get(analytics))
        .with_state(state)
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_owned())
}

/// The caller's session id, making a new session (and its cookie) if needed.
fn session(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    let mut sessions = state.sessions.lock().unwrap();
    if let Some(id) = session_id(headers).filter(|id| sessions.contains_key(id)) {
        return (id, None);
    }
    let id = random_token();
    sessions.insert(
        id.clone(),
        Session {
            csrf: random_token(),
            ..Session::default()
        },
    );
    let cookie = format!("{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Lax");
    (id, HeaderValue::from_str(&cookie).ok())
}

fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(c) = cookie {
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_owned())]).into_response()
}

fn page(status: StatusCode, template: impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response(),
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    user: Option<String>,
    csrf: String,
    error: Option<String>,
    connect_url: String,
    button_url: String,
    connected: Option<String>,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    title: &'a str,
    text: &'a str,
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    user: String,
    csrf: String,
    account_sid: String,
    report: Report,
    chart: String,
}

async fn home(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let (id, cookie) = session(&state, &headers);
    render_home(&state, &id, None, cookie)
}

fn render_home(
    state: &AppState,
    id: &str,
    error: Option<String>,
    cookie: Option<HeaderValue>,
) -> Response {
    let mut sessions = state.sessions.lock().unwrap();
    let session = sessions.get_mut(id).expect("session exists");
    let user = session.user.clone();
    let mut connected = None;
    let mut revoked = false;
    let mut connect_url = String::new();
    if let Some(name) = &user {
        match state.connections.lock().unwrap().get(name) {
            Some(Connection::Connected { account_sid }) => connected = Some(account_sid.clone()),
            Some(Connection::Revoked) => revoked = true,
            None => {}
        }
        // A fresh state for every button shown; only the latest is accepted.
        let issued = random_token();
        connect_url = format!(
            "{}/authorize/{}?state={issued}",
            state.switchboard_url, state.connect_app_sid
        );
        session.issued_state = Some(issued);
    }
    let template = HomePage {
        user,
        csrf: session.csrf.clone(),
        error,
        connect_url,
        button_url: format!("{}/assets/connect-button.svg", state.switchboard_url),
        connected,
        revoked,
    };
    drop(sessions);
    with_cookie(page(StatusCode::OK, template), cookie)
}

#[derive(Deserialize)]
struct SignInForm {
    username: String,
    password: String,
    csrf_token: String,
}

async fn sign_in(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let (id, cookie) = session(&state, &headers);
    let known = {
        let sessions = state.sessions.lock().unwrap();
        let session = &sessions[&id];
        if !same(&session.csrf, &form.csrf_token) {
            return with_cookie(
                page(
                    StatusCode::FORBIDDEN,
                    MessagePage {
                        title: "Form expired",
                        text: "Reload the page and sign in again.",
                    },
                ),
                cookie,
            );
        }
        state
            .users
            .iter()
            .any(|(name, password)| same(name, &form.username) & same(password, &form.password))
    };
    if !known {
        return render_home(
            &state,
            &id,
            Some("Unknown user name or password.".into()),
            cookie,
        );
    }
    if let Some(s) = state.sessions.lock().unwrap().get_mut(&id) {
        s.user = Some(form.username);
    }
    with_cookie(redirect("/"), cookie)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf_token: String,
}

async fn sign_out(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(id) = session_id(&headers) {
        let mut sessions = state.sessions.lock().unwrap();
        if sessions
            .get(&id)
            .is_some_and(|s| same(&s.csrf, &form.csrf_token))
        {
            sessions.remove(&id);
        }
    }
    redirect("/")
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    #[serde(rename = "AccountSid")]
    account_sid: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn is_account_sid(s: &str) -> bool {
    s.len() == 34 && s.starts_with("AC") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where Switchboard sends the customer back: stores the Account SID against
/// the signed-in user, but only for a `state` this app issued to this session.
async fn authorize(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    let refuse = |text: &'static str| {
        page(
            StatusCode::BAD_REQUEST,
            MessagePage {
                title: "Connection refused",
                text,
            },
        )
    };
    let Some(id) = session_id(&headers) else {
        return refuse("Sign in to Call Analytics first, then press Connect.");
    };
    let user = {
        let mut sessions = state.sessions.lock().unwrap();
        let Some(session) = sessions.get_mut(&id) else {
            return refuse("Sign in to Call Analytics first, then press Connect.");
        };
        let issued = session.issued_state.take();
        let matches = matches!((&issued, &q.state), (Some(i), Some(s)) if same(i, s));
        if !matches {
            tracing::warn!("refused an authorize redirect with a state this session was not given");
            return refuse(
                "This link did not come from a Connect button we showed you. Nothing was connected.",
            );
        }
        match &session.user {
            Some(u) => u.clone(),
            None => return refuse("Sign in to Call Analytics first, then press Connect."),
        }
    };
    if q.error.is_some() {
        return page(
            StatusCode::OK,
            MessagePage {
                title: "Not connected",
                text: "You declined to connect your Switchboard account. You can connect it any time from the home page.",
            },
        );
    }
    match q.account_sid.filter(|s| is_account_sid(s)) {
        Some(account_sid) => {
            state
                .connections
                .lock()
                .unwrap()
                .insert(user, Connection::Connected { account_sid });
            redirect("/analytics")
        }
        None => refuse("Switchboard did not send a valid AccountSid."),
    }
}

/// Switchboard's deauthorize callback: only a correctly signed one is obeyed.
async fn deauthorize(
    State(state): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
    body: RawForm,
) -> Response {
    let url = format!(
        "{}{}",
        state.public_url,
        uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
    );
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body.0).into_owned().collect();
    let signature = headers
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !signature::is_valid(&state.owner_auth_token, &url, &form, signature) {
        tracing::warn!("refused a deauthorize request with a bad signature");
        return (StatusCode::FORBIDDEN, "bad signature").into_response();
    }
    let query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let account_sid = form
        .iter()
        .chain(&query)
        .find(|(k, _)| k == "AccountSid")
        .map(|(_, v)| v.clone());
    if let Some(account_sid) = account_sid {
        let mut connections = state.connections.lock().unwrap();
        for connection in connections.values_mut() {
            if matches!(connection, Connection::Connected { account_sid: a } if *a == account_sid) {
                *connection = Connection::Revoked;
            }
        }
        tracing::info!(%account_sid, "customer revoked the app; forgot their Account SID");
    }
    StatusCode::OK.into_response()
}

async fn analytics(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let Some((user, csrf)) = session_id(&headers).and_then(|id| {
        let sessions = state.sessions.lock().unwrap();
        let s = sessions.get(&id)?;
        Some((s.user.clone()?, s.csrf.clone()))
    }) else {
        return redirect("/");
    };
    let connection = state.connections.lock().unwrap().get(&user).cloned();
    let account_sid = match connection {
        Some(Connection::Connected { account_sid }) => account_sid,
        Some(Connection::Revoked) => {
            return page(
                StatusCode::OK,
                MessagePage {
                    title: "Connection revoked",
                    text: "Your Switchboard account revoked Call Analytics' access, so we forgot it. Connect again from the home page to see your analytics.",
                },
            );
        }
        None => return redirect("/"),
    };
    match report(&state.api, &account_sid).await {
        Ok(report) => {
            let chart = report.chart_svg();
            page(
                StatusCode::OK,
                AnalyticsPage {
                    user,
                    csrf,
                    account_sid,
                    report,
                    chart,
                },
            )
        }
        Err(ApiError::Refused { message, .. }) => {
            tracing::info!(%message, "Switchboard refused the analytics reads");
            page(
                StatusCode::OK,
                MessagePage {
                    title: "No access",
                    text: "Switchboard no longer lets Call Analytics read this account: the connection was revoked or lacks the Read all account data permission.",
                },
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "analytics failed");
            page(
                StatusCode::BAD_GATEWAY,
                MessagePage {
                    title: "Switchboard is unavailable",
                    text: "Try again in a moment.",
                },
            )
        }
    }
}

/// Every account the grant reaches (the customer's main account and its
/// subaccounts, with `get-all`), and their calls and messages.
async fn report(api: &Api, account_sid: &str) -> Result<Report, ApiError> {
    let accounts = api
        .list_all(
            account_sid,
            "/2010-04-01/Accounts.json?PageSize=1000",
            "accounts",
        )
        .await?;
    let mut calls = Vec::new();
    let mut messages = Vec::new();
    for account in &accounts {
        let Some(sid) = account["sid"].as_str() else {
            continue;
        };
        calls.extend(
            api.list_all(
                account_sid,
                &format!("/2010-04-01/Accounts/{sid}/Calls.json?PageSize=1000"),
                "calls",
            )
            .await?,
        );
        messages.extend(
            api.list_all(
                account_sid,
                &format!("/2010-04-01/Accounts/{sid}/Messages.json?PageSize=1000"),
                "messages",
            )
            .await?,
        );
    }
    Ok(Report::new(accounts.len(), &calls, &messages))
}
