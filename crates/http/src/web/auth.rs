//! Sign-up, sign-in and sign-out.

use super::invalid::{say, say_as};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use switchboard_domain::DomainError;
use switchboard_domain::error::AccountField;
use switchboard_types::ConnectAppSid;

use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::consent::consent_return;
use super::cookies;
use super::csrf::{AnonymousForm, CsrfForm};
use super::error::{PageError, PageResult};
use super::forms::{anonymous_token, local_path};
use super::page::{Page, see_other};
use super::session::{Viewer, signin_url};
use crate::App;

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage {
    chrome: Chrome,
    csrf_token: String,
    next: String,
    next_encoded: String,
    email: String,
    error: Option<String>,
    continuing: bool,
    /// The Connect App whose consent page sent the user here, by name.
    for_app: Option<String>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    csrf_token: String,
    next: String,
    next_encoded: String,
    email: String,
    friendly_name: String,
    form_error: Option<String>,
    email_error: Option<String>,
    password_error: Option<String>,
    name_error: Option<String>,
}

fn secure(app: &App) -> bool {
    app.sb.settings().public_url.starts_with("https://")
}

fn encoded(next: &str) -> String {
    utf8_percent_encode(next, NON_ALPHANUMERIC).to_string()
}

/// The name of the Connect App whose consent page `next` is, if it is one
/// (`/authorize/CN…?state=…`). The consent page shows the app to anyone it
/// asks, so naming it here reveals nothing more.
async fn consent_app_name(app: &App, next: &str) -> Option<String> {
    let rest = next.strip_prefix("/authorize/")?;
    let sid = rest.split(['?', '/', '#']).next()?;
    let sid = ConnectAppSid::parse(sid).ok()?;
    app.sb.connect_app(&sid).await.ok().map(|a| a.friendly_name)
}

async fn signin_page_with(
    app: &App,
    headers: &HeaderMap,
    next: String,
    email: String,
    error: Option<String>,
) -> Page {
    let (csrf_token, cookie) = anonymous_token(app.sb.keys(), headers, secure(app));
    let continuing = next != "/console";
    let for_app = consent_app_name(app, &next).await;
    Page::render(&SigninPage {
        for_app,
        chrome: Chrome::anonymous(),
        csrf_token,
        next_encoded: encoded(&next),
        next,
        email,
        error,
        continuing,
    })
    .cookie(cookie)
}

pub async fn signin_page(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = local_path(q.next.as_deref());
    if viewer.is_some() {
        return see_other(&next, Vec::new());
    }
    signin_page_with(&app, &headers, next, String::new(), None)
        .await
        .into_response()
}

pub async fn signin(
    State(app): State<App>,
    client: ClientAddr,
    headers: HeaderMap,
    AnonymousForm(form): AnonymousForm,
) -> Response {
    let next = local_path(form.get("next"));
    let email = form.get("email").unwrap_or_default().to_owned();
    let password = form.get("password").unwrap_or_default();
    match app.sb.sign_in(&email, password, client.0).await {
        Ok((_, session)) => see_other(
            &next,
            vec![cookies::set(
                cookies::SESSION,
                &session.cookie_value,
                session.expires_in_seconds,
                secure(&app),
            )],
        ),
        Err(DomainError::Unauthenticated) => signin_page_with(
            &app,
            &headers,
            next,
            email,
            Some("The email or password is incorrect.".into()),
        )
        .await
        .status(StatusCode::UNAUTHORIZED)
        .into_response(),
        Err(DomainError::TooManyAttempts {
            retry_after_seconds,
        }) => {
            let minutes = retry_after_seconds.div_ceil(60);
            let mut response = signin_page_with(
                &app,
                &headers,
                next,
                email,
                Some(format!(
                    "Too many failed sign-ins. For your security, try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                )),
            )
            .await
            .status(StatusCode::TOO_MANY_REQUESTS)
            .into_response();
            if let Ok(v) = retry_after_seconds.to_string().parse() {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
            response
        }
        Err(e) => PageError::Internal(e).into_response(),
    }
}

pub async fn signup_page(
    State(app): State<App>,
    Viewer(viewer): Viewer,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = local_path(q.next.as_deref());
    if viewer.is_some() {
        return see_other(&next, Vec::new());
    }
    let (csrf_token, cookie) = anonymous_token(app.sb.keys(), &headers, secure(&app));
    Page::render(&SignupPage {
        chrome: Chrome::anonymous(),
        csrf_token,
        next_encoded: encoded(&next),
        next,
        email: String::new(),
        friendly_name: String::new(),
        form_error: None,
        email_error: None,
        password_error: None,
        name_error: None,
    })
    .cookie(cookie)
    .into_response()
}

pub async fn signup(
    State(app): State<App>,
    client: ClientAddr,
    headers: HeaderMap,
    AnonymousForm(form): AnonymousForm,
) -> Response {
    let next = local_path(form.get("next"));
    let email = form.get("email").unwrap_or_default().to_owned();
    let friendly_name = form.get("friendly_name").unwrap_or_default().to_owned();
    let password = form.get("password").unwrap_or_default();
    let ip = client.to_string();
    let failure = match app
        .sb
        .sign_up(&email, password, &friendly_name, Some(&ip))
        .await
    {
        Ok((_, session)) => {
            return see_other(
                &next,
                vec![cookies::set(
                    cookies::SESSION,
                    &session.cookie_value,
                    session.expires_in_seconds,
                    secure(&app),
                )],
            );
        }
        Err(e) => e,
    };
    let (mut email_error, mut password_error, mut name_error, mut form_error) =
        (None, None, None, None);
    match failure {
        // Every mistake at once, each next to its field.
        DomainError::Invalid(_) | DomainError::Invalids(_) => {
            for i in failure.problems() {
                let slot = match i.field {
                    f if f == AccountField::Email.into() => &mut email_error,
                    f if f == AccountField::Password.into() => &mut password_error,
                    f if f == AccountField::Name.into() => &mut name_error,
                    _ => &mut form_error,
                };
                let said = match i.field {
                    f if f == AccountField::Name.into() => say_as(i, "The account name"),
                    _ => say(i),
                };
                slot.get_or_insert(said);
            }
        }
        DomainError::Conflict(_) => {
            email_error = Some(
                "An account with this email already exists. Sign in instead, or use another email."
                    .into(),
            )
        }
        other => return PageError::from(other).into_response(),
    }
    let (csrf_token, cookie) = anonymous_token(app.sb.keys(), &headers, secure(&app));
    Page::render(&SignupPage {
        chrome: Chrome::anonymous(),
        csrf_token,
        next_encoded: encoded(&next),
        next,
        email,
        friendly_name,
        form_error,
        email_error,
        password_error,
        name_error,
    })
    .cookie(cookie)
    .status(StatusCode::BAD_REQUEST)
    .into_response()
}

/// Signing out is a form too, so that another site cannot sign anyone out.
/// The consent page's "Switch account" says which consent page to sign in to
/// again (`next`); nothing but a consent page is taken from it.
pub async fn signout(
    State(app): State<App>,
    CsrfForm(_, form): CsrfForm,
    headers: HeaderMap,
) -> PageResult {
    if let Some(value) = cookies::get(&headers, cookies::SESSION) {
        app.sb.sign_out(value).await?;
    }
    let to = match consent_return(form.get("next")) {
        Some(consent) => signin_url(&consent),
        None => "/signin".to_owned(),
    };
    Ok(see_other(
        &to,
        vec![cookies::clear(cookies::SESSION, secure(&app))],
    ))
}
