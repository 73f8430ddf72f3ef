//! The debugger: the notifications (errors and warnings about webhooks and
//! TwiML) of the signed-in account and its subaccounts, newest first, and
//! one notification with the request that was sent and the answer it got.
//! Read-only.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use switchboard_domain::access::{Action, Resource};
use switchboard_domain::delivery::decode_params;
use switchboard_domain::notifications::{Notification, NotificationFilter, NotificationScope};
use switchboard_types::{NotificationLevel, NotificationSid};

use super::chrome::Chrome;
use super::error::{PageError, PageResult};
use super::kit::{Pager, own_access, page_at, when};
use super::page::Page;
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/debugger";
const PAGE_SIZE: u32 = 50;

pub struct Row {
    pub sid: String,
    pub account: String,
    pub about: String,
    pub code: i64,
    pub more_info: String,
    pub level: &'static str,
    pub level_class: &'static str,
    pub message: String,
    pub method: String,
    pub url: String,
    pub when: String,
}

impl From<&Notification> for Row {
    fn from(n: &Notification) -> Self {
        let (level, level_class) = match n.level {
            NotificationLevel::Error => ("error", "bad"),
            NotificationLevel::Warning => ("warning", "warn"),
        };
        Row {
            sid: n.sid.to_string(),
            account: n.account_sid.to_string(),
            about: n
                .call_sid
                .as_ref()
                .map(ToString::to_string)
                .or_else(|| n.resource_sid.clone())
                .unwrap_or_default(),
            code: n.error_code,
            more_info: n.more_info(),
            level,
            level_class,
            message: n.message(),
            method: n.request_method.clone().unwrap_or_default(),
            url: n.request_url.clone().unwrap_or_default(),
            when: when(n.message_date),
        }
    }
}

#[derive(Template)]
#[template(path = "debugger.html")]
struct List {
    chrome: Chrome,
    rows: Vec<Row>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
    before: Option<String>,
}

pub async fn list(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let at = page_at(q.after.as_deref(), q.before.as_deref());
    let access = own_access(&app, &session, None, Action::Read, Resource::Notifications).await?;
    let page = app
        .sb
        .notifications()
        .list(
            (&access).into(),
            NotificationScope::Tree,
            &NotificationFilter::default(),
            &at,
            PAGE_SIZE,
        )
        .await?;
    Ok(Page::render(&List {
        chrome: Chrome::for_session(Some(&session), PATH),
        rows: page.items.iter().map(Row::from).collect(),
        pager: Pager::of(&page, PATH),
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "debugger_detail.html")]
struct Detail {
    chrome: Chrome,
    n: Row,
    message_text: String,
    request_variables: Vec<(String, String)>,
    response_headers: Vec<(String, String)>,
    response_body: String,
}

pub async fn detail(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
) -> PageResult {
    let sid = NotificationSid::parse(&sid).map_err(|_| PageError::NotFound)?;
    let access = own_access(&app, &session, None, Action::Read, Resource::Notifications).await?;
    let n = app
        .sb
        .notifications()
        .get((&access).into(), NotificationScope::Tree, &sid)
        .await?;
    let pairs = |v: &Option<String>| v.as_deref().map(decode_params).unwrap_or_default();
    Ok(Page::render(&Detail {
        chrome: Chrome::for_session(Some(&session), PATH),
        n: Row::from(&n),
        request_variables: pairs(&n.request_variables),
        response_headers: pairs(&n.response_headers),
        response_body: n.response_body.clone().unwrap_or_default(),
        message_text: n.message_text,
    })
    .into_response())
}
