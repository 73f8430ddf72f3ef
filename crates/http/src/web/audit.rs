//! The signed-in account's audit log.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use switchboard_domain::access::{Action, Resource};

use super::chrome::Chrome;
use super::error::PageResult;
use super::kit::{Pager, own_access, page_at, when};
use super::page::Page;
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/audit";

pub struct Row {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub describe: &'static str,
    pub app: String,
    pub subject: String,
    pub permissions: Vec<&'static str>,
    pub detail: String,
    pub ip: String,
}

/// Each kind of event in words.
fn describe(action: &str) -> &'static str {
    match action {
        "console.sign_in" => "Signed in to the console",
        "console.sign_in_failed" => "Failed to sign in to the console",
        "console.sign_in_throttled" => "Sign-ins slowed down after failures",
        "account.sign_up" => "Created the account",
        "account.upgrade" => "Upgraded the account to Full",
        "connect.authorize" => "Authorized a Connect App",
        "connect.deny" => "Denied a Connect App",
        "connect.revoke" => "Revoked a Connect App's access",
        "connect.code_exchange" => "Exchanged a Connect App's authorization code",
        "connect.code_refused" => "Refused a Connect App's authorization code",
        "connect_app.create" => "Created a Connect App",
        "connect_app.delete" => "Deleted a Connect App",
        "connect_app.permissions_changed" => "Changed a Connect App's permissions",
        "token.secondary_created" => "Created a secondary auth token",
        "token.promoted" => "Promoted the secondary auth token to primary",
        "token.secondary_deleted" => "Deleted the secondary auth token",
        "subaccount.create" => "Created a subaccount",
        "subaccount.rename" => "Renamed a subaccount",
        "subaccount.suspend" => "Suspended a subaccount",
        "subaccount.reactivate" => "Reactivated a subaccount",
        "subaccount.close" => "Closed a subaccount",
        "sandbox.create" => "Created the sandbox",
        "sandbox.reset" => "Reset the sandbox",
        "sandbox.delete" => "Deleted the sandbox",
        "sandbox.fault.add" => "Added a fault rule to the sandbox",
        "sandbox.faults.clear" => "Cleared the sandbox's fault rules",
        _ => "",
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
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
    let access = own_access(&app, &session, None, Action::Read, Resource::AuditLog).await?;
    let page = app.sb.audit_log(&access, &at, 50).await?;
    Ok(Page::render(&List {
        chrome: Chrome::for_session(Some(&session), PATH),
        rows: page
            .items
            .iter()
            .map(|e| Row {
                at: when(e.at),
                actor: e.actor.clone(),
                describe: describe(&e.action),
                action: e.action.clone(),
                app: e.connect_app_sid.clone().unwrap_or_default(),
                subject: e.subject_sid.clone().unwrap_or_default(),
                permissions: e.permissions.map(|p| p.to_strings()).unwrap_or_default(),
                detail: e.detail.clone().unwrap_or_default(),
                ip: e.ip.clone().unwrap_or_default(),
            })
            .collect(),
        pager: Pager::of(&page, PATH),
    })
    .into_response())
}
