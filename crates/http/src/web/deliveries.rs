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
    DeliveryScope, DeliveryView, GrantActiveAgain, Replay, ReplayConfirmation, decode_params,
};
use switchboard_store::deliveries::DeliveryRecord;
use switchboard_types::DeliverySid;

use super::chrome::Chrome;
use super::csrf::CsrfForm;
use super::error::{PageError, PageResult};
use super::kit::{Pager, error_summary, own_access, page_at, when, when_opt};
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
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
    before: Option<String>,
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
    let deliveries = app.sb.deliveries();
    let page = deliveries
        .list((&access).into(), DeliveryScope::Tree, &at, 50)
        .await?;
    Ok(Page::render(&List {
        chrome: Chrome::for_session(Some(&session), PATH),
        rows: page.items.iter().map(Row::from).collect(),
        pager: Pager::of(&page, PATH),
        csrf_token: session.csrf_token.clone(),
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
}

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
