//! The console's pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_domain::DomainError;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::console::ConsoleSession;
use switchboard_domain::telephony::calls::CallFilter;
use switchboard_domain::telephony::messages::MessageFilter;
use switchboard_domain::telephony::usage::{UsageList, UsageRequest};
use switchboard_domain::tokens::TokenSet as Tokens;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountType, Timestamp};

use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::consent::consent_return;
use super::csrf::CsrfForm;
use super::customer_apps::Confirm;
use super::error::PageResult;
use super::kit::{LOW_BALANCE_MICROS, access, money, own, own_access, when, when_opt};
use super::logs;
use super::page::{Page, message, see_other};
use super::session::{SignedIn, Viewer};
use crate::App;

pub async fn home(Viewer(viewer): Viewer) -> Response {
    see_other(
        if viewer.is_some() {
            "/console"
        } else {
            "/signin"
        },
        Vec::new(),
    )
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    account_name: String,
    account_sid: String,
    account_type: &'static str,
    account_status: &'static str,
    trial: bool,
    balance: String,
    low_balance: bool,
    low_balance_threshold: String,
    /// The tokens, only after the user asked to see them.
    tokens: Option<Tokens>,
    /// A secondary token just created: shown once, on the answer to the
    /// form that made it.
    fresh_secondary: Option<String>,
    month_spend: String,
    month_name: String,
    recent: Vec<Recent>,
    has_secondary: bool,
    secondary_created: String,
    notice: Option<&'static str>,
    csrf_token: String,
}

/// A recent call or message, for the dashboard.
pub struct Recent {
    pub kind: &'static str,
    pub when: String,
    pub sid: String,
    pub href: String,
    pub summary: String,
    pub status: String,
    pub status_class: &'static str,
    at: Timestamp,
}

/// The newest calls and messages of the main account, newest first.
async fn recent_activity(app: &App, session: &ConsoleSession) -> PageResult<Vec<Recent>> {
    const SHOWN: usize = 6;
    let account = &session.account_sid;
    let calls = own_access(app, session, None, Action::Read, Resource::Calls).await?;
    let calls = app
        .sb
        .list_calls(
            &calls,
            account,
            &CallFilter::default(),
            &PageAt::First,
            SHOWN as u32,
        )
        .await?
        .items;
    let messages = own_access(app, session, None, Action::Read, Resource::Messages).await?;
    let messages = app
        .sb
        .list_messages(
            &messages,
            account,
            &MessageFilter::default(),
            &PageAt::First,
            SHOWN as u32,
        )
        .await?
        .items;
    let mut recent: Vec<Recent> = calls
        .iter()
        .map(|c| Recent {
            kind: "Call",
            when: when(c.date_created),
            sid: c.sid.to_string(),
            href: format!("{}/{account}/{}", logs::PATH, c.sid),
            summary: format!("{} → {}", c.from, c.to),
            status: c.status.as_str().to_owned(),
            status_class: logs::status_class(c.status.as_str()),
            at: c.date_created,
        })
        .chain(messages.iter().map(|m| Recent {
            kind: "Message",
            when: when(m.date_created),
            sid: m.sid.to_string(),
            href: format!("{}/{account}/{}", logs::PATH, m.sid),
            summary: format!("{} → {}", m.from, m.to),
            status: m.status.as_str().to_owned(),
            status_class: logs::status_class(m.status.as_str()),
            at: m.date_created,
        }))
        .collect();
    recent.sort_by_key(|r| std::cmp::Reverse((r.at, r.sid.clone())));
    recent.truncate(SHOWN);
    Ok(recent)
}

/// What the account tree spent since the first of this month (the
/// account's world's month), with the month's name.
async fn month_spend(app: &App, session: &ConsoleSession) -> PageResult<(i64, String)> {
    let reading = own_access(app, session, None, Action::Read, Resource::Usage).await?;
    let today = app.sb.now_for(&reading).await?.to_datetime().date_naive();
    let report = UsageRequest {
        list: UsageList::ThisMonth,
        category: Some("totalprice".to_owned()),
        start_date: None,
        end_date: None,
        include_subaccounts: true,
    };
    let records = app
        .sb
        .usage_records(&reading, &session.account_sid, &report, &PageAt::First, 10)
        .await?
        .items;
    let spent = records.iter().map(|r| r.price_micros).sum();
    Ok((spent, today.format("%B %Y").to_string()))
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    done: Option<String>,
}

async fn render_dashboard(
    app: &App,
    session: &ConsoleSession,
    reveal: bool,
    done: Option<&str>,
) -> PageResult {
    render_dashboard_with(app, session, reveal, done, false).await
}

async fn render_dashboard_with(
    app: &App,
    session: &ConsoleSession,
    reveal: bool,
    done: Option<&str>,
    fresh_secondary: bool,
) -> PageResult {
    let reading = (Action::Read, Resource::AuthTokens);
    let access = access(app, session, None, RequestTarget::Own, reading).await?;
    let tokens = app.sb.auth_tokens().show(&access).await?;
    let balance = own_access(app, session, None, Action::Read, Resource::Balance).await?;
    let (_, balance_micros) = app.sb.balance(&balance).await?;
    let notice = match done {
        Some("created") => Some(
            "A secondary auth token was created. Copy it now: it is shown only on this page. Both tokens work until you promote or delete it.",
        ),
        Some("promoted") => Some(
            "The secondary token is now the primary token. The old primary token no longer works.",
        ),
        Some("deleted") => Some("The secondary auth token was deleted; it no longer works."),
        Some("upgraded") => Some("Your account is now a Full account."),
        _ => None,
    };
    let (spent, month_name) = month_spend(app, session).await?;
    let recent = recent_activity(app, session).await?;
    let fresh_secondary = if fresh_secondary {
        tokens.secondary.clone()
    } else {
        None
    };
    Ok(Page::render(&Dashboard {
        chrome: Chrome::for_session(Some(session), "/console"),
        account_name: session.account_name.clone(),
        account_sid: session.account_sid.to_string(),
        account_type: session.account_type.as_str(),
        account_status: session.account_status.as_str(),
        trial: session.account_type == AccountType::Trial,
        balance: money(balance_micros),
        low_balance: balance_micros < LOW_BALANCE_MICROS,
        low_balance_threshold: money(LOW_BALANCE_MICROS),
        has_secondary: tokens.secondary.is_some(),
        secondary_created: when_opt(tokens.secondary_created),
        tokens: reveal.then_some(tokens),
        fresh_secondary,
        month_spend: money(spent),
        month_name,
        recent,
        notice,
        csrf_token: session.csrf_token.clone(),
    })
    .into_response())
}

pub async fn dashboard(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    render_dashboard(&app, &session, false, q.done.as_deref()).await
}

/// Shows the auth tokens: a POST, so they are never in a page the browser
/// might keep in its history or a link might reveal.
pub async fn reveal(State(app): State<App>, CsrfForm(session, _): CsrfForm) -> PageResult {
    render_dashboard(&app, &session, true, None).await
}

/// The three token rotation steps, each confirmed on a page of its own.
#[derive(Clone, Copy)]
pub enum Rotation {
    Create,
    Promote,
    Delete,
}

impl Rotation {
    fn path(self) -> &'static str {
        match self {
            Rotation::Create => "/console/tokens/create-secondary",
            Rotation::Promote => "/console/tokens/promote",
            Rotation::Delete => "/console/tokens/delete-secondary",
        }
    }
}

fn confirm_rotation(session: &ConsoleSession, step: Rotation) -> Response {
    let (heading, body, button) = match step {
        Rotation::Create => (
            "Create a secondary auth token?",
            "A second auth token is made. Both the primary and the secondary token work until you promote or delete the secondary one. If a secondary token exists already, it is replaced and stops working.",
            "Create secondary token",
        ),
        Rotation::Promote => (
            "Promote the secondary auth token?",
            "The secondary token becomes the primary token and the current primary token stops working at once, for your API calls and for every Connect App signing requests with it. Update everything that uses the old token first.",
            "Promote to primary",
        ),
        Rotation::Delete => (
            "Delete the secondary auth token?",
            "The secondary token stops working at once. The primary token is not affected.",
            "Delete secondary token",
        ),
    };
    Page::render(&Confirm {
        chrome: Chrome::for_session(Some(session), "/console"),
        heading: heading.to_owned(),
        body: body.to_owned(),
        action: step.path().to_owned(),
        button,
        cancel: "/console".to_owned(),
        csrf_token: session.csrf_token.clone(),
    })
    .into_response()
}

pub async fn rotation_page(SignedIn(session): SignedIn, step: Rotation) -> Response {
    confirm_rotation(&session, step)
}

pub async fn rotate(
    app: App,
    session: ConsoleSession,
    client: ClientAddr,
    step: Rotation,
) -> PageResult {
    let writing = (Action::Write, Resource::AuthTokens);
    let target = RequestTarget::Own;
    let access = access(&app, &session, Some(&client), target, writing).await?;
    let tokens = app.sb.auth_tokens();
    let (done, result) = match step {
        Rotation::Create => ("created", tokens.create_secondary(&access).await.map(drop)),
        Rotation::Promote => ("promoted", tokens.promote(&access).await.map(drop)),
        Rotation::Delete => ("deleted", tokens.delete_secondary(&access).await),
    };
    match result {
        // The new token is shown in the answer to this form, once: it is
        // never in a URL, and reloading the dashboard hides it again.
        Ok(()) if matches!(step, Rotation::Create) => {
            render_dashboard_with(&app, &session, false, Some(done), true).await
        }
        Ok(()) => Ok(see_other(&format!("/console?done={done}"), Vec::new())),
        Err(DomainError::NotFound) | Err(DomainError::Invalid(_)) => Ok(message(
            StatusCode::CONFLICT,
            Chrome::for_session(Some(&session), "/console"),
            "There is no secondary auth token",
            "Create a secondary auth token first. Nothing was changed.",
            Some(("/console", "Back to the dashboard")),
        )
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

macro_rules! rotation_handlers {
    ($page:ident, $post:ident, $step:expr) => {
        pub async fn $page(s: SignedIn) -> Response {
            rotation_page(s, $step).await
        }
        pub async fn $post(
            State(app): State<App>,
            client: ClientAddr,
            CsrfForm(session, _): CsrfForm,
        ) -> PageResult {
            rotate(app, session, client, $step).await
        }
    };
}

rotation_handlers!(create_secondary_page, create_secondary, Rotation::Create);
rotation_handlers!(promote_page, promote, Rotation::Promote);
rotation_handlers!(delete_secondary_page, delete_secondary, Rotation::Delete);

#[derive(Template)]
#[template(path = "upgrade.html")]
struct Upgrade {
    chrome: Chrome,
    /// The consent page that sent the user here, to go back to.
    return_to: Option<String>,
    account_name: String,
    account_sid: String,
    full: bool,
    allowed: bool,
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct UpgradeQuery {
    return_to: Option<String>,
}

pub async fn upgrade_page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<UpgradeQuery>,
) -> Response {
    Page::render(&Upgrade {
        chrome: Chrome::for_session(Some(&session), "/console/upgrade"),
        return_to: consent_return(q.return_to.as_deref()),
        account_name: session.account_name.clone(),
        account_sid: session.account_sid.to_string(),
        full: session.account_type == AccountType::Full,
        allowed: app.sb.settings().allow_self_upgrade,
        csrf_token: session.csrf_token.clone(),
    })
    .into_response()
}

/// Upgrades the account; from a consent page (`return_to`), back to it with a
/// message, and only ever to a consent page of this site.
pub async fn upgrade(
    State(app): State<App>,
    client: ClientAddr,
    CsrfForm(session, form): CsrfForm,
) -> PageResult {
    let return_to = consent_return(form.get("return_to"));
    // Whether a user may upgrade their own account is the policy's
    // (`serve --allow-self-upgrade`); the change and its audit entry are one
    // transaction.
    let upgrading = app
        .sb
        .console_access(
            &session,
            Some(&client.to_string()),
            own(&session),
            Action::Write,
            Resource::AccountType,
        )
        .await;
    let result = match upgrading {
        Ok(access) => app.sb.accounts().upgrade(&access).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other(
            &match &return_to {
                Some(consent) => format!(
                    "{consent}{}upgraded=1",
                    if consent.contains('?') { '&' } else { '?' }
                ),
                None => "/console?done=upgraded".to_owned(),
            },
            Vec::new(),
        )),
        Err(DomainError::Forbidden(_)) => Ok(message(
            StatusCode::FORBIDDEN,
            Chrome::for_session(Some(&session), ""),
            "Upgrades are done by the operator",
            "This Switchboard does not let accounts upgrade themselves. Ask its operator to upgrade your account.",
            Some(("/console/upgrade", "Back")),
        )
        .into_response()),
        Err(e) => Err(e.into()),
    }
}
