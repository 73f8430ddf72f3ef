//! The customer's list of authorized Connect Apps, and revoking one.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use switchboard_domain::DomainError;
use switchboard_domain::access::{Action, Resource};
use switchboard_store::page::PageAt;
use switchboard_types::ConnectAppSid;

use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::csrf::CsrfForm;
use super::error::PageResult;
use super::kit::{encode, own_access, when};
use super::page::{Page, message, see_other};
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/authorized-apps";

pub struct AppRow {
    pub sid: String,
    pub name: String,
    pub company: Option<String>,
    pub homepage: Option<String>,
    pub terms: Option<String>,
    pub has_logo: bool,
    pub initial: String,
    pub permissions: Vec<&'static str>,
    pub authorized_at: String,
    pub subaccount: String,
    /// What the app asks for now that the customer has not granted: it waits
    /// for them to approve it again (it keeps what was granted meanwhile).
    pub asks_for: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "authorized_apps.html")]
struct AuthorizedApps {
    chrome: Chrome,
    apps: Vec<AppRow>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct Confirm {
    pub chrome: Chrome,
    pub heading: String,
    pub body: String,
    pub action: String,
    pub button: &'static str,
    pub cancel: String,
    pub csrf_token: String,
}

#[derive(Deserialize)]
pub struct Notice {
    revoked: Option<String>,
}

/// What this page reads and changes: the grants the signed-in user gave.
const GRANTS: Resource = Resource::AuthorizedConnectApps;

pub async fn list(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<Notice>,
) -> PageResult {
    let access = own_access(&app, &session, None, Action::Read, GRANTS).await?;
    let mut rows = Vec::new();
    let mut at = PageAt::First;
    loop {
        let page = app.sb.grants().list((&access).into(), &at, 200).await?;
        let next = page.next_cursor();
        rows.extend(page.items.into_iter().map(|item| {
            AppRow {
                sid: item.app.sid.to_string(),
                initial: item
                    .app
                    .friendly_name
                    .chars()
                    .next()
                    .unwrap_or('?')
                    .to_uppercase()
                    .to_string(),
                name: item.app.friendly_name,
                company: item.app.company_name,
                homepage: item.app.homepage_url,
                terms: item.app.terms_of_service_url,
                has_logo: item.app.has_logo,
                permissions: item.grant.permissions.to_strings(),
                asks_for: item
                    .app
                    .permissions
                    .minus(item.grant.permissions)
                    .to_strings(),
                authorized_at: when(item.grant.authorized_at),
                subaccount: item.grant.subaccount_sid.to_string(),
            }
        }));
        match next {
            Some(c) => at = PageAt::After(c),
            None => break,
        }
    }
    Ok(Page::render(&AuthorizedApps {
        chrome: Chrome::for_session(Some(&session), PATH),
        notice: q
            .revoked
            .map(|name| format!("{name} was revoked. It can no longer use your account.")),
        apps: rows,
    })
    .into_response())
}

/// The confirmation before revoking (a page, so it works without JavaScript).
pub async fn confirm(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
) -> PageResult {
    let not_found = || {
        Ok(message(
            StatusCode::NOT_FOUND,
            Chrome::for_session(Some(&session), PATH),
            "No such authorized app",
            "You have not authorized this app, or it was already revoked.",
            Some((PATH, "Back to authorized apps")),
        )
        .into_response())
    };
    let Ok(sid) = ConnectAppSid::parse(&sid) else {
        return not_found();
    };
    let access = own_access(&app, &session, None, Action::Read, GRANTS).await?;
    let grants = app.sb.grants();
    let apps = grants.list((&access).into(), &PageAt::First, 1000).await?;
    let Some(item) = apps.items.into_iter().find(|a| a.app.sid == sid) else {
        return not_found();
    };
    Ok(Page::render(&Confirm {
        chrome: Chrome::for_session(Some(&session), PATH),
        heading: format!("Revoke {}?", item.app.friendly_name),
        body: format!(
            "{} will immediately lose access to your account and will be told it was revoked. \
             The subaccount {} and its data stay with you. You can authorize the app again later.",
            item.app.friendly_name, item.grant.subaccount_sid
        ),
        action: format!("{PATH}/{sid}/revoke"),
        button: "Revoke access",
        cancel: PATH.to_owned(),
        csrf_token: session.csrf_token.clone(),
    })
    .into_response())
}

pub async fn revoke(
    State(app): State<App>,
    Path(sid): Path<String>,
    client: ClientAddr,
    CsrfForm(session, _): CsrfForm,
) -> PageResult {
    let Ok(sid) = ConnectAppSid::parse(&sid) else {
        return Ok(see_other(PATH, Vec::new()));
    };
    let name = app
        .sb
        .connect_app(&sid)
        .await
        .map(|a| a.friendly_name)
        .unwrap_or_default();
    let access = own_access(&app, &session, Some(&client), Action::Write, GRANTS).await?;
    match app.sb.grants().revoke(&access, &sid).await {
        Ok(()) | Err(DomainError::NotFound) => Ok(see_other(
            &format!("{PATH}?revoked={}", encode(&name)),
            Vec::new(),
        )),
        Err(e) => Err(e.into()),
    }
}
