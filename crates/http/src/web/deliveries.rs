//! Every callback sent for the signed-in account's apps, with its attempts, and
//! replaying one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_domain::access::{Action, Resource};
use switchboard_domain::console::ConsoleSession;
use switchboard_domain::delivery::{
    DeliveryFilter, DeliveryScope, DeliveryView, GrantActiveAgain, Replay, ReplayConfirmation,
    WebhookKind, decode_params, request_headers, response_headers,
};
use switchboard_store::calls::Range;
use switchboard_store::deliveries::DeliveryRecord;
use switchboard_store::page::PageAt;
use switchboard_types::{ConnectAppSid, DeliverySid};

use super::chrome::Chrome;
use super::csrf::CsrfForm;
use super::error::{PageError, PageResult};
use super::kit::{Pager, encode, error_summary, own_access, page_at, when, when_opt};
use super::logs::day_filter;
use super::page::{Page, see_other};
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/deliveries";

pub struct Row {
    pub sid: String,
    pub account: String,
    pub resource: String,
    pub kind: String,
    pub app: String,
    pub method: String,
    pub url: String,
    pub state: String,
    pub state_class: &'static str,
    pub attempts: i64,
    pub last_status: String,
    pub last_error: String,
    /// The last error in a few words; the whole text is on the delivery's page.
    pub error_summary: String,
    pub created: String,
    pub next_attempt: String,
    pub completed: String,
    pub idempotency_token: String,
    pub params: Vec<(String, String)>,
}

impl From<&DeliveryRecord> for Row {
    fn from(d: &DeliveryRecord) -> Self {
        Row {
            sid: d.sid.to_string(),
            account: d.account_sid.to_string(),
            resource: d.resource_sid.clone().unwrap_or_default(),
            kind: d.kind.clone(),
            app: d.connect_app_sid.clone().unwrap_or_default(),
            method: d.method.clone(),
            url: d.url.clone(),
            state_class: match d.state.as_str() {
                "delivered" => "ok",
                "pending" => "warn",
                _ => "bad",
            },
            state: d.state.clone(),
            attempts: d.attempts,
            last_status: d
                .last_status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "—".into()),
            last_error: d.last_error.clone().unwrap_or_default(),
            error_summary: d
                .last_error
                .as_deref()
                .map(error_summary)
                .unwrap_or_default(),
            created: when(d.created_at),
            next_attempt: if d.state == "pending" {
                when(d.next_attempt_at)
            } else {
                "—".into()
            },
            completed: when_opt(d.completed_at),
            idempotency_token: d.idempotency_token.clone(),
            params: decode_params(&d.params),
        }
    }
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct List {
    chrome: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    csrf_token: String,
    /// The filters' choices: (value, label, chosen).
    apps: Vec<(String, String, bool)>,
    states: Vec<(&'static str, bool)>,
    kinds: Vec<(&'static str, bool)>,
    since: String,
    until: String,
    since_error: Option<String>,
    until_error: Option<String>,
    filtered: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
    before: Option<String>,
    app: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    since: Option<String>,
    until: Option<String>,
}

/// What a delivery's state can be.
const STATES: [&str; 4] = ["pending", "delivered", "failed", "refused"];

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The delivery a console path names, with its attempts, as the signed-in
/// owner sees it.
async fn delivery(app: &App, session: &ConsoleSession, sid: &str) -> PageResult<DeliveryView> {
    let sid = DeliverySid::parse(sid).map_err(|_| PageError::NotFound)?;
    let access = own_access(app, session, None, Action::Read, Resource::Deliveries).await?;
    let deliveries = app.sb.deliveries();
    Ok(deliveries.get(&access, DeliveryScope::Tree, &sid).await?)
}

pub async fn list(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let at = page_at(q.after.as_deref(), q.before.as_deref());
    let access = own_access(&app, &session, None, Action::Read, Resource::Deliveries).await?;
    let apps_access = own_access(&app, &session, None, Action::Read, Resource::ConnectApps).await?;
    let own_apps = app
        .sb
        .connect_apps()
        .list((&apps_access).into(), &PageAt::First, 500)
        .await?
        .items;
    // Only the account's own apps can be chosen; anything else is no filter.
    let chosen_app = given(&q.app)
        .and_then(|s| ConnectAppSid::parse(&s).ok())
        .filter(|sid| own_apps.iter().any(|a| &a.sid == sid));
    let state = given(&q.status).filter(|s| STATES.contains(&s.as_str()));
    let kind = given(&q.kind).filter(|k| WebhookKind::parse(k).is_some());
    let (typed_since, typed_until) = (given(&q.since), given(&q.until));
    let since = day_filter(typed_since.as_deref(), false);
    let until = day_filter(typed_until.as_deref(), true);
    let since_error = since.as_ref().err().cloned();
    let mut until_error = until.as_ref().err().cloned();
    let (since, until) = (since.ok().flatten(), until.ok().flatten());
    if let (Some(s), Some(u)) = (since, until)
        && u <= s
        && until_error.is_none()
    {
        until_error = Some("The last day is before the first day.".to_owned());
    }
    let filter = DeliveryFilter {
        connect_app: chosen_app.clone(),
        state: state.clone(),
        kind: kind.clone(),
        created: Range { from: since, until },
    };
    let mut base = format!("{PATH}?");
    for (k, v) in [
        ("app", &chosen_app.as_ref().map(ToString::to_string)),
        ("status", &state),
        ("kind", &kind),
        ("since", &typed_since),
        ("until", &typed_until),
    ] {
        if let Some(v) = v {
            base.push_str(&format!("{k}={}&", encode(v)));
        }
    }
    let base = base.trim_end_matches(['&', '?']).to_owned();
    let invalid = since_error.is_some() || until_error.is_some();
    let (rows, pager) = if invalid {
        (
            Vec::new(),
            Pager {
                previous: None,
                next: None,
            },
        )
    } else {
        let deliveries = app.sb.deliveries();
        let page = deliveries
            .of_tree((&access).into(), &filter, &at, 50)
            .await?;
        (
            page.items.iter().map(Row::from).collect(),
            Pager::of(&page, &base),
        )
    };
    Ok(Page::render(&List {
        chrome: Chrome::for_session(Some(&session), PATH),
        rows,
        pager,
        csrf_token: session.csrf_token.clone(),
        apps: own_apps
            .iter()
            .map(|a| {
                (
                    a.sid.to_string(),
                    format!("{} ({})", a.friendly_name, a.sid),
                    chosen_app.as_ref() == Some(&a.sid),
                )
            })
            .collect(),
        states: STATES
            .iter()
            .map(|s| (*s, state.as_deref() == Some(*s)))
            .collect(),
        kinds: WebhookKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind.as_deref() == Some(k.as_str())))
            .collect(),
        since: typed_since.unwrap_or_default(),
        until: typed_until.unwrap_or_default(),
        since_error,
        until_error,
        filtered: base != PATH,
    })
    .status(if invalid {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    })
    .into_response())
}

pub struct AttemptRow {
    pub number: i64,
    pub at: String,
    pub url: String,
    pub status: String,
    pub ok: bool,
    pub latency: String,
    pub error: String,
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub content_type: String,
    /// The first part of the answer's body, as recorded.
    pub body: String,
    /// Whether more of the body was recorded than is shown.
    pub cut: bool,
    /// Whether any of the body was recorded.
    pub body_read: bool,
}

/// How much of an answer the delivery's page shows.
const SHOWN_BODY: usize = 2_000;

#[derive(Template)]
#[template(path = "delivery.html")]
struct Detail {
    chrome: Chrome,
    d: Row,
    attempts: Vec<AttemptRow>,
    notice: bool,
}

#[derive(Deserialize)]
pub struct DetailQuery {
    replayed: Option<String>,
}

pub async fn detail(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    let view = delivery(&app, &session, &sid).await?;
    Ok(Page::render(&Detail {
        chrome: Chrome::for_session(Some(&session), PATH),
        d: Row::from(&view.delivery),
        attempts: view
            .attempts
            .iter()
            .map(|a| AttemptRow {
                number: a.number,
                at: when(a.at),
                url: a.url.clone(),
                status: a
                    .status_code
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "no answer".into()),
                ok: a.status_code.is_some_and(|s| (200..300).contains(&s)),
                latency: a
                    .latency_ms
                    .map(|l| format!("{l} ms"))
                    .unwrap_or_else(|| "—".into()),
                error: a.error.clone().unwrap_or_default(),
                request_headers: request_headers(&view.delivery, a),
                response_headers: response_headers(a.response_headers.as_deref()),
                content_type: a.response_content_type.clone().unwrap_or_default(),
                body_read: a.response_body.is_some() || a.response_start.is_some(),
                body: a
                    .response_body
                    .as_deref()
                    .or(a.response_start.as_deref())
                    .unwrap_or_default()
                    .chars()
                    .take(SHOWN_BODY)
                    .collect(),
                cut: a
                    .response_body
                    .as_deref()
                    .or(a.response_start.as_deref())
                    .is_some_and(|b| b.chars().nth(SHOWN_BODY).is_some()),
            })
            .collect(),
        notice: q.replayed.is_some(),
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "delivery_replay.html")]
struct ReplayConfirm {
    chrome: Chrome,
    d: Row,
    /// Set for a deauthorize callback whose grant is active again.
    warning: Option<String>,
    /// The replay was asked for without confirming that warning.
    refused: bool,
    csrf_token: String,
}

/// Says plainly what replaying a stale deauthorize callback does.
fn warning(active: &GrantActiveAgain) -> String {
    format!(
        "The customer {} authorized the app again on {} (subaccount {}). This callback says \
         the grant was revoked: the app will be told it is gone while it is active, and may \
         stop serving this customer.",
        active.customer,
        when(active.authorized_at),
        active.subaccount
    )
}

fn replay_confirm(
    session: &ConsoleSession,
    d: &DeliveryRecord,
    active: Option<&GrantActiveAgain>,
    refused: bool,
) -> Response {
    Page::render(&ReplayConfirm {
        chrome: Chrome::for_session(Some(session), PATH),
        d: Row::from(d),
        warning: active.map(warning),
        refused,
        csrf_token: session.csrf_token.clone(),
    })
    .status(if refused {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    })
    .into_response()
}

/// The confirmation every replay goes through: what will be sent, and, for a
/// deauthorize callback whose grant is active again, that the app will be told
/// a live grant is gone.
pub async fn replay_page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
) -> PageResult {
    let view = delivery(&app, &session, &sid).await?;
    let active = app.sb.grant_active_again(&view.delivery).await?;
    Ok(replay_confirm(
        &session,
        &view.delivery,
        active.as_ref(),
        false,
    ))
}

/// The confirmation page's form. A post without `confirmed` (not from that
/// page) is sent to the page; `grant_active` is there only when the page
/// warned that the grant is active again, so a grant approved again after
/// the page was opened is not told it is gone without a new warning.
pub async fn replay(
    State(app): State<App>,
    Path(sid): Path<String>,
    CsrfForm(session, form): CsrfForm,
) -> PageResult {
    let view = delivery(&app, &session, &sid).await?;
    if form.get("confirmed").is_none() {
        return Ok(see_other(&format!("{PATH}/{sid}/replay"), Vec::new()));
    }
    let confirmation = if form.get("grant_active").is_some() {
        ReplayConfirmation::GrantActiveAgain
    } else {
        ReplayConfirmation::Plain
    };
    let access = own_access(&app, &session, None, Action::Write, Resource::Deliveries).await?;
    let deliveries = app.sb.deliveries();
    let (tree, delivery) = (DeliveryScope::Tree, &view.delivery.sid);
    match deliveries
        .replay(&access, tree, delivery, confirmation)
        .await?
    {
        Replay::Queued(_) => Ok(see_other(&format!("{PATH}/{sid}?replayed=1"), Vec::new())),
        Replay::GrantActiveAgain(active) => Ok(replay_confirm(
            &session,
            &view.delivery,
            Some(&active),
            true,
        )),
    }
}
