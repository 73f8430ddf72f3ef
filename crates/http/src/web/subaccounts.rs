//! Subaccounts of the signed-in main account: list, create, rename, suspend,
//! reactivate, close.

use super::invalid::say;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_domain::DomainError;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::accounts::AccountChanges;
use switchboard_domain::console::ConsoleSession;
use switchboard_store::accounts::AccountRecord;
use switchboard_types::{AccountSid, AccountStatus};

use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::csrf::CsrfForm;
use super::customer_apps::Confirm;
use super::error::{PageError, PageResult};
use super::kit::{Pager, access, page_at, when};
use super::page::{Page, see_other};
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/subaccounts";

const PAGE_SIZE: u32 = 50;

pub struct Row {
    pub sid: String,
    pub name: String,
    pub status: &'static str,
    pub created: String,
}

impl From<&AccountRecord> for Row {
    fn from(a: &AccountRecord) -> Self {
        Row {
            sid: a.sid.to_string(),
            name: a.friendly_name.clone(),
            status: a.status.as_str(),
            created: when(a.date_created),
        }
    }
}

#[derive(Template)]
#[template(path = "subaccounts.html")]
struct List {
    chrome: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    csrf_token: String,
    name: String,
    name_error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
    before: Option<String>,
    created: Option<String>,
}

async fn render_list(
    app: &App,
    session: &ConsoleSession,
    q: &ListQuery,
    name: String,
    name_error: Option<String>,
) -> PageResult {
    let at = page_at(q.after.as_deref(), q.before.as_deref());
    let listing = (Action::Read, Resource::AccountList);
    let target = RequestTarget::AccountList;
    let access = access(app, session, None, target, listing).await?;
    let page = app
        .sb
        .accounts()
        .subaccounts(&access, &at, PAGE_SIZE)
        .await?;
    let status = if name_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(Page::render(&List {
        chrome: Chrome::for_session(Some(session), PATH),
        rows: page.items.iter().map(Row::from).collect(),
        pager: Pager::of(&page, PATH),
        csrf_token: session.csrf_token.clone(),
        name,
        name_error,
        notice: q
            .created
            .as_deref()
            .filter(|sid| AccountSid::parse(sid).is_ok())
            .map(|sid| format!("Subaccount {sid} was created.")),
    })
    .status(status)
    .into_response())
}

pub async fn list(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    render_list(&app, &session, &q, String::new(), None).await
}

pub async fn create(
    State(app): State<App>,
    client: ClientAddr,
    CsrfForm(session, form): CsrfForm,
) -> PageResult {
    let name = form.get("friendly_name").unwrap_or_default().to_owned();
    let creating = (Action::Write, Resource::AccountList);
    let target = RequestTarget::AccountList;
    let access = access(&app, &session, Some(&client), target, creating).await?;
    // A blank name is the default one, as through the API with none.
    let given = Some(name.as_str()).filter(|n| !n.trim().is_empty());
    match app.sb.accounts().create_subaccount(&access, given).await {
        Ok(a) => Ok(see_other(
            &format!("{PATH}/{}?done=created", a.record.sid),
            Vec::new(),
        )),
        Err(DomainError::Invalid(invalid)) => {
            let q = ListQuery {
                after: None,
                before: None,
                created: None,
            };
            render_list(&app, &session, &q, name, Some(say(&invalid))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "subaccount.html")]
struct Detail {
    chrome: Chrome,
    account: Row,
    closed: bool,
    suspended: bool,
    active: bool,
    csrf_token: String,
    name: String,
    name_error: Option<String>,
    notice: Option<&'static str>,
    /// The subaccount's auth token, once its owner asked to see it.
    token: Option<String>,
}

#[derive(Deserialize)]
pub struct DetailQuery {
    done: Option<String>,
}

fn render_detail(
    session: &ConsoleSession,
    account: &AccountRecord,
    name: String,
    name_error: Option<String>,
    done: Option<&str>,
) -> Response {
    render_detail_with(session, account, (name, name_error), done, None)
}

fn render_detail_with(
    session: &ConsoleSession,
    account: &AccountRecord,
    (name, name_error): (String, Option<String>),
    done: Option<&str>,
    token: Option<String>,
) -> Response {
    let status = if name_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Page::render(&Detail {
        chrome: Chrome::for_session(Some(session), PATH),
        account: Row::from(account),
        closed: account.status == AccountStatus::Closed,
        suspended: account.status == AccountStatus::Suspended,
        active: account.status == AccountStatus::Active,
        csrf_token: session.csrf_token.clone(),
        name,
        name_error,
        notice: match done {
            Some("created") => Some("The subaccount was created."),
            Some("renamed") => Some("The subaccount was renamed."),
            Some("suspended") => Some(
                "The subaccount is suspended: its credentials and Connect grants stop working until you reactivate it.",
            ),
            Some("reactivated") => Some("The subaccount is active again."),
            Some("closed") => Some("The subaccount is closed for good."),
            _ => None,
        },
        token,
    })
    .status(status)
    .into_response()
}

/// A subaccount of the signed-in main account; anything else (the main
/// account itself included) is not found.
async fn owned(app: &App, session: &ConsoleSession, sid: &str) -> PageResult<AccountRecord> {
    let sid = AccountSid::parse(sid).map_err(|_| PageError::NotFound)?;
    let reading = (Action::Read, Resource::Account);
    let target = RequestTarget::Account(&sid);
    let access = access(app, session, None, target, reading).await?;
    Some(app.sb.accounts().get(&access).await?)
        .filter(|a| !a.is_main())
        .ok_or(PageError::NotFound)
}

/// Changes a subaccount of the signed-in main account.
async fn change(
    app: &App,
    session: &ConsoleSession,
    client: &ClientAddr,
    account: &AccountRecord,
    changes: AccountChanges,
) -> Result<AccountRecord, DomainError> {
    let resource = match changes.status {
        Some(_) => Resource::AccountStatus,
        None => Resource::Account,
    };
    let access = app
        .sb
        .console_access(
            session,
            Some(&client.to_string()),
            RequestTarget::Account(&account.sid),
            Action::Write,
            resource,
        )
        .await?;
    Ok(app.sb.accounts().update(&access, &changes).await?.record)
}

pub async fn detail(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    let account = owned(&app, &session, &sid).await?;
    let name = account.friendly_name.clone();
    Ok(render_detail(
        &session,
        &account,
        name,
        None,
        q.done.as_deref(),
    ))
}

/// Shows the subaccount's auth token to its owner: a POST, as on the
/// dashboard, so it is never in a URL or the browser's history.
pub async fn reveal(
    State(app): State<App>,
    Path(sid): Path<String>,
    CsrfForm(session, _): CsrfForm,
) -> PageResult {
    let account = owned(&app, &session, &sid).await?;
    let reading = (Action::Read, Resource::AuthTokens);
    let target = RequestTarget::Account(&account.sid);
    let tokens = access(&app, &session, None, target, reading).await?;
    let tokens = app.sb.auth_tokens().show(&tokens).await?;
    let name = account.friendly_name.clone();
    Ok(render_detail_with(
        &session,
        &account,
        (name, None),
        None,
        Some(tokens.primary),
    ))
}

pub async fn rename(
    State(app): State<App>,
    client: ClientAddr,
    Path(sid): Path<String>,
    CsrfForm(session, form): CsrfForm,
) -> PageResult {
    let account = owned(&app, &session, &sid).await?;
    let name = form.get("friendly_name").unwrap_or_default().to_owned();
    let renaming = AccountChanges {
        friendly_name: Some(name.clone()),
        status: None,
    };
    match change(&app, &session, &client, &account, renaming).await {
        Ok(a) => Ok(see_other(
            &format!("{PATH}/{}?done=renamed", a.sid),
            Vec::new(),
        )),
        Err(DomainError::Invalid(invalid)) => Ok(render_detail(
            &session,
            &account,
            name,
            Some(say(&invalid)),
            None,
        )),
        Err(e) => Err(e.into()),
    }
}

/// A status change, confirmed on a page of its own when it takes something away.
#[derive(Clone, Copy)]
pub enum Change {
    Suspend,
    Reactivate,
    Close,
}

impl Change {
    fn slug(self) -> &'static str {
        match self {
            Change::Suspend => "suspend",
            Change::Reactivate => "reactivate",
            Change::Close => "close",
        }
    }

    fn status(self) -> AccountStatus {
        match self {
            Change::Suspend => AccountStatus::Suspended,
            Change::Reactivate => AccountStatus::Active,
            Change::Close => AccountStatus::Closed,
        }
    }

    fn done(self) -> &'static str {
        match self {
            Change::Suspend => "suspended",
            Change::Reactivate => "reactivated",
            Change::Close => "closed",
        }
    }
}

pub async fn confirm_change(
    app: App,
    session: ConsoleSession,
    sid: String,
    change: Change,
) -> PageResult {
    let account = owned(&app, &session, &sid).await?;
    let (heading, body, button) = match change {
        Change::Suspend => (
            format!("Suspend {}?", account.friendly_name),
            format!(
                "{} stops working at once: API requests with its credentials are refused and Connect Apps using it lose access until you reactivate it. Its data is kept.",
                account.sid
            ),
            "Suspend subaccount",
        ),
        Change::Close => (
            format!("Close {}?", account.friendly_name),
            format!(
                "{} is closed for good: it cannot be reactivated, and everything using its credentials stops working. This cannot be undone.",
                account.sid
            ),
            "Close subaccount",
        ),
        Change::Reactivate => (
            format!("Reactivate {}?", account.friendly_name),
            format!("{} works again with its credentials.", account.sid),
            "Reactivate",
        ),
    };
    Ok(Page::render(&Confirm {
        chrome: Chrome::for_session(Some(&session), PATH),
        heading,
        body,
        action: format!("{PATH}/{}/{}", account.sid, change.slug()),
        button,
        cancel: format!("{PATH}/{}", account.sid),
        csrf_token: session.csrf_token.clone(),
    })
    .into_response())
}

pub async fn apply_change(
    app: App,
    session: ConsoleSession,
    client: ClientAddr,
    sid: String,
    change: Change,
) -> PageResult {
    let account = owned(&app, &session, &sid).await?;
    let changing = AccountChanges {
        friendly_name: None,
        status: Some(change.status()),
    };
    let changed = self::change(&app, &session, &client, &account, changing).await?;
    Ok(see_other(
        &format!("{PATH}/{}?done={}", changed.sid, change.done()),
        Vec::new(),
    ))
}

macro_rules! change_handlers {
    ($page:ident, $post:ident, $change:expr) => {
        pub async fn $page(
            State(app): State<App>,
            SignedIn(session): SignedIn,
            Path(sid): Path<String>,
        ) -> PageResult {
            confirm_change(app, session, sid, $change).await
        }
        pub async fn $post(
            State(app): State<App>,
            client: ClientAddr,
            Path(sid): Path<String>,
            CsrfForm(session, _): CsrfForm,
        ) -> PageResult {
            apply_change(app, session, client, sid, $change).await
        }
    };
}

change_handlers!(suspend_page, suspend, Change::Suspend);
change_handlers!(reactivate_page, reactivate, Change::Reactivate);
change_handlers!(close_page, close, Change::Close);
