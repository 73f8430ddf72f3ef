//! The console's pages.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use switchboard_domain::audit::Event;
use switchboard_types::AccountType;

use super::auth::internal;
use super::chrome::Chrome;
use super::forms::WebForm;
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
}

pub async fn dashboard(SignedIn(session): SignedIn) -> Response {
    Page::render(&Dashboard {
        chrome: Chrome::for_session(Some(&session), "/console"),
        account_name: session.account_name.clone(),
        account_sid: session.account_sid.to_string(),
        account_type: session.account_type.as_str(),
        account_status: session.account_status.as_str(),
    })
    .into_response()
}

#[derive(Template)]
#[template(path = "upgrade.html")]
struct Upgrade {
    chrome: Chrome,
    account_name: String,
    account_sid: String,
    full: bool,
    allowed: bool,
    csrf_token: String,
}

pub async fn upgrade_page(State(app): State<App>, SignedIn(session): SignedIn) -> Response {
    Page::render(&Upgrade {
        chrome: Chrome::for_session(Some(&session), "/console/upgrade"),
        account_name: session.account_name.clone(),
        account_sid: session.account_sid.to_string(),
        full: session.account_type == AccountType::Full,
        allowed: app.sb.settings().allow_self_upgrade,
        csrf_token: session.csrf_token.clone(),
    })
    .into_response()
}

pub async fn upgrade(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    WebForm(form): WebForm,
) -> Response {
    if !session.csrf_matches(form.get("csrf_token").unwrap_or_default()) {
        return message(
            StatusCode::FORBIDDEN,
            Chrome::for_session(Some(&session), ""),
            "This form has expired",
            "The form was not sent from your Switchboard session. Nothing was changed.",
            Some(("/console/upgrade", "Back")),
        )
        .into_response();
    }
    if !app.sb.settings().allow_self_upgrade {
        return message(
            StatusCode::FORBIDDEN,
            Chrome::for_session(Some(&session), ""),
            "Upgrades are done by the operator",
            "This Switchboard does not let accounts upgrade themselves.",
            Some(("/console/upgrade", "Back")),
        )
        .into_response();
    }
    if let Err(e) = app.sb.upgrade_account(&session.account_sid).await {
        return internal(e);
    }
    let recorded = app
        .sb
        .record_event(Event {
            account: &session.account_sid,
            actor: &session.email,
            action: "account.upgrade",
            app: None,
            subject: None,
            permissions: None,
            detail: None,
            ip: None,
        })
        .await;
    if let Err(e) = recorded {
        return internal(e);
    }
    see_other("/console", Vec::new())
}
