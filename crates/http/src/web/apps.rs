//! Connect Apps of the signed-in (Full) account: create, edit, delete, logo,
//! the Connect button snippet, and who authorized each app.

use std::collections::BTreeMap;

use super::invalid::say;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_domain::DomainError;
use switchboard_domain::access::{Action, Resource};
use switchboard_domain::connect_apps::{ConnectAppFields, MAX_LOGO_BYTES};
use switchboard_domain::console::ConsoleSession;
use switchboard_domain::error::{AppField, Field, Invalid, Problem};
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_types::{AccountSid, AccountType, ConnectAppSid, Permission, Permissions};

use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::csrf::{CsrfForm, CsrfMultipart};
use super::customer_apps::Confirm;
use super::error::{PageError, PageResult};
use super::kit::{Pager, encode, initial, own_access, page_at, when};
use super::page::{Page, message, see_other};
use super::session::SignedIn;
use crate::App;
use crate::twilio::Params;

pub const PATH: &str = "/console/apps";

/// The form's fields, as typed, and an error per field.
#[derive(Default)]
pub struct AppForm {
    pub friendly_name: String,
    pub company_name: String,
    pub description: String,
    pub homepage_url: String,
    pub terms_of_service_url: String,
    pub authorize_redirect_url: String,
    pub deauthorize_callback_url: String,
    pub deauthorize_callback_method: String,
    pub get_all: bool,
    pub post_all: bool,
    pub sign_redirects: bool,
    pub authorize_callback_url: String,
    pub authorize_callback_method: String,
    pub errors: BTreeMap<&'static str, String>,
}

impl AppForm {
    fn of(app: &ConnectAppRecord) -> AppForm {
        AppForm {
            friendly_name: app.friendly_name.clone(),
            company_name: app.company_name.clone().unwrap_or_default(),
            description: app.description.clone().unwrap_or_default(),
            homepage_url: app.homepage_url.clone().unwrap_or_default(),
            terms_of_service_url: app.terms_of_service_url.clone().unwrap_or_default(),
            authorize_redirect_url: app.authorize_redirect_url.clone().unwrap_or_default(),
            deauthorize_callback_url: app.deauthorize_callback_url.clone().unwrap_or_default(),
            deauthorize_callback_method: app.deauthorize_callback_method.clone(),
            get_all: app.permissions.contains(Permission::GetAll),
            post_all: app.permissions.contains(Permission::PostAll),
            sign_redirects: app.sign_redirects,
            authorize_callback_url: app.authorize_callback_url.clone().unwrap_or_default(),
            authorize_callback_method: app.authorize_callback_method.clone(),
            errors: BTreeMap::new(),
        }
    }

    fn read(form: &Params) -> AppForm {
        let text = |k: &str| form.get(k).unwrap_or_default().to_owned();
        let permissions: Vec<&str> = form.get_all("permissions").collect();
        AppForm {
            friendly_name: text("friendly_name"),
            company_name: text("company_name"),
            description: text("description"),
            homepage_url: text("homepage_url"),
            terms_of_service_url: text("terms_of_service_url"),
            authorize_redirect_url: text("authorize_redirect_url"),
            deauthorize_callback_url: text("deauthorize_callback_url"),
            deauthorize_callback_method: text("deauthorize_callback_method"),
            get_all: permissions.contains(&"get-all"),
            post_all: permissions.contains(&"post-all"),
            sign_redirects: form.get("sign_redirects") == Some("true"),
            authorize_callback_url: text("authorize_callback_url"),
            // A form from before the field was there keeps the default.
            authorize_callback_method: form
                .get("authorize_callback_method")
                .unwrap_or("POST")
                .to_owned(),
            errors: BTreeMap::new(),
        }
    }

    fn permissions(&self) -> Permissions {
        let mut p = Permissions::NONE;
        if self.get_all {
            p = p.with(Permission::GetAll);
        }
        if self.post_all {
            p = p.with(Permission::PostAll);
        }
        p
    }

    /// What the console requires on top of the domain's checks: a company
    /// (customers see it) and an authorize redirect URL (the Connect button
    /// cannot work without one), on every save.
    fn check_required(&mut self) {
        for (field, value) in [
            ("company_name", &self.company_name),
            ("authorize_redirect_url", &self.authorize_redirect_url),
        ] {
            if value.trim().is_empty() {
                self.errors.insert(field, required(field));
            }
        }
    }

    /// Every mistake in the form at once: the console's own rules, then every
    /// value the domain refuses (`creating` adds what a new app needs), each
    /// next to its field.
    fn check(&mut self, creating: bool) {
        self.check_required();
        for problem in self.fields().problems(creating) {
            self.put(&problem);
        }
        if self.authorize_callback_method != "GET" && self.authorize_callback_method != "POST" {
            self.errors
                .insert("authorize_callback_method", "Choose GET or POST.".into());
        }
    }

    fn fields(&self) -> ConnectAppFields {
        ConnectAppFields {
            friendly_name: Some(self.friendly_name.clone()),
            company_name: Some(self.company_name.clone()),
            description: Some(self.description.clone()),
            homepage_url: Some(self.homepage_url.clone()),
            terms_of_service_url: Some(self.terms_of_service_url.clone()),
            authorize_redirect_url: Some(self.authorize_redirect_url.clone()),
            deauthorize_callback_url: Some(self.deauthorize_callback_url.clone()),
            deauthorize_callback_method: Some(self.deauthorize_callback_method.clone()),
            permissions: Some(self.permissions()),
            sign_redirects: Some(self.sign_redirects),
            authorize_callback_url: Some(self.authorize_callback_url.clone()),
            authorize_callback_method: Some(self.authorize_callback_method.clone()),
        }
    }

    /// Puts each problem of a domain error next to the field it is about;
    /// `false` when it is not about values.
    fn place(&mut self, e: &DomainError) -> bool {
        for problem in e.problems() {
            self.put(problem);
        }
        !e.problems().is_empty()
    }

    /// Puts a problem next to its field, unless that field has one already.
    fn put(&mut self, invalid: &Invalid) {
        let field = match invalid.field {
            Field::ConnectApp(f) => match f {
                AppField::CompanyName => "company_name",
                AppField::Description => "description",
                AppField::HomepageUrl => "homepage_url",
                AppField::TermsOfServiceUrl => "terms_of_service_url",
                AppField::AuthorizeRedirectUrl => "authorize_redirect_url",
                AppField::DeauthorizeCallbackUrl => "deauthorize_callback_url",
                AppField::DeauthorizeCallbackMethod => "deauthorize_callback_method",
                AppField::AuthorizeCallbackUrl => "authorize_callback_url",
                AppField::AuthorizeCallbackMethod => "authorize_callback_method",
                AppField::Name | AppField::Logo => "friendly_name",
            },
            _ => "friendly_name",
        };
        self.errors.entry(field).or_insert_with(|| say(invalid));
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    pub fn is_get(&self) -> bool {
        self.deauthorize_callback_method == "GET"
    }
}

/// The sentence for an empty field the console requires.
fn required(field: &str) -> String {
    let invalid = |f: AppField| Invalid {
        field: f.into(),
        problem: Problem::Missing,
    };
    match field {
        "company_name" => say(&invalid(AppField::CompanyName)),
        _ => say(&invalid(AppField::AuthorizeRedirectUrl)),
    }
}

pub struct AppRow {
    pub sid: String,
    pub name: String,
    pub company: String,
    pub has_logo: bool,
    pub initial: String,
    pub permissions: Vec<&'static str>,
    pub updated: String,
}

impl From<&ConnectAppRecord> for AppRow {
    fn from(a: &ConnectAppRecord) -> Self {
        AppRow {
            sid: a.sid.to_string(),
            name: a.friendly_name.clone(),
            company: a.company_name.clone().unwrap_or_default(),
            has_logo: a.has_logo,
            initial: initial(&a.friendly_name),
            permissions: a.permissions.to_strings(),
            updated: when(a.date_updated),
        }
    }
}

#[derive(Template)]
#[template(path = "apps.html")]
struct List {
    chrome: Chrome,
    full: bool,
    apps: Vec<AppRow>,
    pager: Pager,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
    before: Option<String>,
    deleted: Option<String>,
}

fn full(session: &ConsoleSession) -> bool {
    session.account_type == AccountType::Full
}

pub async fn list(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let at = page_at(q.after.as_deref(), q.before.as_deref());
    let access = own_access(&app, &session, None, Action::Read, Resource::ConnectApps).await?;
    let page = app
        .sb
        .connect_apps()
        .list((&access).into(), &at, 50)
        .await?;
    Ok(Page::render(&List {
        chrome: Chrome::for_session(Some(&session), PATH),
        full: full(&session),
        apps: page.items.iter().map(AppRow::from).collect(),
        pager: Pager::of(&page, PATH),
        notice: q
            .deleted
            .map(|n| format!("{n} was deleted. Every customer's grant of it was revoked.")),
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "app_form.html")]
struct NewApp {
    chrome: Chrome,
    form: AppForm,
    csrf_token: String,
    form_error: Option<String>,
}

fn trial_only(session: &ConsoleSession) -> Response {
    message(
        StatusCode::FORBIDDEN,
        Chrome::for_session(Some(session), PATH),
        "Connect Apps need a Full account",
        "Only upgraded (Full) accounts can create Connect Apps. Upgrade your account first.",
        Some(("/console/upgrade", "Upgrade")),
    )
    .into_response()
}

pub async fn new_page(SignedIn(session): SignedIn) -> Response {
    if !full(&session) {
        return trial_only(&session);
    }
    Page::render(&NewApp {
        chrome: Chrome::for_session(Some(&session), PATH),
        form: AppForm {
            deauthorize_callback_method: "POST".into(),
            get_all: true,
            ..AppForm::default()
        },
        csrf_token: session.csrf_token.clone(),
        form_error: None,
    })
    .into_response()
}

pub async fn create(State(app): State<App>, CsrfForm(session, params): CsrfForm) -> PageResult {
    if !full(&session) {
        return Ok(trial_only(&session));
    }
    let mut form = AppForm::read(&params);
    form.check(true);
    let mut form_error = None;
    if form.errors.is_empty() {
        let access = own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await?;
        match app.sb.connect_apps().create(&access, &form.fields()).await {
            Ok(created) => {
                let done = format!("{PATH}/{}?done=created", created.sid);
                return Ok(see_other(&done, Vec::new()));
            }
            Err(e) => {
                if !form.place(&e) {
                    match e {
                        DomainError::Forbidden(m) => form_error = Some(m),
                        other => return Err(other.into()),
                    }
                }
            }
        }
    }
    Ok(Page::render(&NewApp {
        chrome: Chrome::for_session(Some(&session), PATH),
        form,
        csrf_token: session.csrf_token.clone(),
        form_error,
    })
    .status(StatusCode::BAD_REQUEST)
    .into_response())
}

#[derive(Template)]
#[template(path = "app.html")]
struct Detail {
    chrome: Chrome,
    app: AppRow,
    form: AppForm,
    csrf_token: String,
    authorize_link: String,
    snippet: String,
    logo_error: Option<String>,
    notice: Option<&'static str>,
    max_logo_kb: usize,
}

#[derive(Deserialize)]
pub struct DetailQuery {
    done: Option<String>,
}

fn authorize_link(app: &App, sid: &ConnectAppSid) -> String {
    format!(
        "{}/authorize/{sid}?state=YOUR_STATE",
        app.sb.settings().public_url
    )
}

/// The HTML an app developer pastes into their site.
fn snippet(app: &App, sid: &ConnectAppSid) -> String {
    format!(
        "<a href=\"{}\">\n  <img src=\"{}/assets/connect-button.svg\" alt=\"Connect with Switchboard\" width=\"256\" height=\"40\">\n</a>",
        authorize_link(app, sid).replace('&', "&amp;"),
        app.sb.settings().public_url
    )
}

fn render_detail(
    app: &App,
    session: &ConsoleSession,
    record: &ConnectAppRecord,
    form: AppForm,
    logo_error: Option<String>,
    done: Option<&str>,
) -> Response {
    let status = if form.errors.is_empty() && logo_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Page::render(&Detail {
        chrome: Chrome::for_session(Some(session), PATH),
        app: AppRow::from(record),
        form,
        csrf_token: session.csrf_token.clone(),
        authorize_link: authorize_link(app, &record.sid),
        snippet: snippet(app, &record.sid),
        logo_error,
        notice: match done {
            Some("created") => {
                Some("The app was created. Add a logo, then put the Connect button on your site.")
            }
            Some("saved") => Some("Your changes were saved."),
            Some("logo") => Some("The logo was updated."),
            Some("logo-removed") => Some("The logo was removed."),
            _ => None,
        },
        max_logo_kb: MAX_LOGO_BYTES / 1024,
    })
    .status(status)
    .into_response()
}

async fn owned(app: &App, session: &ConsoleSession, sid: &str) -> PageResult<ConnectAppRecord> {
    let sid = ConnectAppSid::parse(sid).map_err(|_| PageError::NotFound)?;
    let access = own_access(app, session, None, Action::Read, Resource::ConnectApps).await?;
    Ok(app.sb.connect_apps().get((&access).into(), &sid).await?)
}

pub async fn detail(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    let record = owned(&app, &session, &sid).await?;
    let form = AppForm::of(&record);
    let done = q.done.as_deref();
    Ok(render_detail(&app, &session, &record, form, None, done))
}

pub async fn update(
    State(app): State<App>,
    Path(sid): Path<String>,
    CsrfForm(session, params): CsrfForm,
) -> PageResult {
    let record = owned(&app, &session, &sid).await?;
    let mut form = AppForm::read(&params);
    form.check(false);
    if form.errors.is_empty() {
        let access = own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await?;
        let apps = app.sb.connect_apps();
        match apps.update(&access, &record.sid, &form.fields()).await {
            Ok(updated) => {
                let done = format!("{PATH}/{}?done=saved", updated.sid);
                return Ok(see_other(&done, Vec::new()));
            }
            Err(e) => {
                if !form.place(&e) {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(render_detail(&app, &session, &record, form, None, None))
}

/// The logo upload: a multipart form with the CSRF token and the image.
pub async fn upload_logo(
    State(app): State<App>,
    Path(sid): Path<String>,
    CsrfMultipart(session, form): CsrfMultipart,
) -> PageResult {
    let record = owned(&app, &session, &sid).await?;
    let problem = |why: String| {
        let form = AppForm::of(&record);
        Ok(render_detail(
            &app,
            &session,
            &record,
            form,
            Some(why),
            None,
        ))
    };
    let Some(file) = form.file("logo") else {
        return problem("Choose an image file to upload.".into());
    };
    let access = own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await?;
    let apps = app.sb.connect_apps();
    match apps.set_logo(&access, &record.sid, Some(&file.data)).await {
        Ok(_) => Ok(see_other(
            &format!("{PATH}/{}?done=logo", record.sid),
            Vec::new(),
        )),
        Err(DomainError::Invalid(invalid)) => problem(say(&invalid)),
        Err(e) => Err(e.into()),
    }
}

fn confirm(
    session: &ConsoleSession,
    heading: String,
    body: String,
    action: String,
    button: &'static str,
    cancel: String,
) -> Response {
    Page::render(&Confirm {
        chrome: Chrome::for_session(Some(session), PATH),
        heading,
        body,
        action,
        button,
        cancel,
        csrf_token: session.csrf_token.clone(),
    })
    .into_response()
}

pub async fn remove_logo_page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
) -> PageResult {
    let r = owned(&app, &session, &sid).await?;
    Ok(confirm(
        &session,
        format!("Remove the logo of {}?", r.friendly_name),
        "Customers will see the app's initial instead of its logo.".into(),
        format!("{PATH}/{}/logo/remove", r.sid),
        "Remove logo",
        format!("{PATH}/{}", r.sid),
    ))
}

pub async fn remove_logo(
    State(app): State<App>,
    Path(sid): Path<String>,
    CsrfForm(session, _): CsrfForm,
) -> PageResult {
    let record = owned(&app, &session, &sid).await?;
    let access = own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await?;
    let apps = app.sb.connect_apps();
    apps.set_logo(&access, &record.sid, None).await?;
    let done = format!("{PATH}/{}?done=logo-removed", record.sid);
    Ok(see_other(&done, Vec::new()))
}

pub async fn delete_page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
) -> PageResult {
    let r = owned(&app, &session, &sid).await?;
    Ok(confirm(
        &session,
        format!("Delete {}?", r.friendly_name),
        format!(
            "{} is deleted for good. Every customer who authorized it loses the grant at once, and its deauthorize callback is sent for each of them. Customers keep their subaccounts and data.",
            r.friendly_name
        ),
        format!("{PATH}/{}/delete", r.sid),
        "Delete app",
        format!("{PATH}/{}", r.sid),
    ))
}

pub async fn delete(
    State(app): State<App>,
    Path(sid): Path<String>,
    CsrfForm(session, _): CsrfForm,
) -> PageResult {
    let record = owned(&app, &session, &sid).await?;
    let access = own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await?;
    app.sb.connect_apps().delete(&access, &record.sid).await?;
    let done = format!("{PATH}?deleted={}", encode(&record.friendly_name));
    Ok(see_other(&done, Vec::new()))
}

pub struct CustomerRow {
    pub customer_name: String,
    pub customer_sid: String,
    pub subaccount: String,
    pub authorized_at: String,
    pub granted: Vec<&'static str>,
    pub missing: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "app_customers.html")]
struct Customers {
    chrome: Chrome,
    app: AppRow,
    requested: Vec<&'static str>,
    rows: Vec<CustomerRow>,
    pager: Pager,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct CustomersQuery {
    after: Option<String>,
    before: Option<String>,
    revoked: Option<String>,
}

pub async fn customers(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    Query(q): Query<CustomersQuery>,
) -> PageResult {
    let sid = ConnectAppSid::parse(&sid).map_err(|_| PageError::NotFound)?;
    let at = page_at(q.after.as_deref(), q.before.as_deref());
    let access = own_access(&app, &session, None, Action::Read, Resource::ConnectApps).await?;
    let apps = app.sb.connect_apps();
    let (record, page) = apps.customers(&access, &sid, &at, 50).await?;
    let base = format!("{PATH}/{sid}/customers");
    let pager = Pager {
        previous: page
            .has_previous
            .then(|| page.items.first())
            .flatten()
            .map(|c| {
                format!(
                    "{base}?before={}.{}",
                    c.grant.authorized_at.micros(),
                    c.grant.subaccount_sid
                )
            }),
        next: page.has_next.then(|| page.items.last()).flatten().map(|c| {
            format!(
                "{base}?after={}.{}",
                c.grant.authorized_at.micros(),
                c.grant.subaccount_sid
            )
        }),
    };
    Ok(Page::render(&Customers {
        chrome: Chrome::for_session(Some(&session), PATH),
        app: AppRow::from(&record),
        requested: record.permissions.to_strings(),
        rows: page
            .items
            .iter()
            .map(|c| CustomerRow {
                customer_name: c.customer_name.clone(),
                customer_sid: c.grant.customer_account_sid.to_string(),
                subaccount: c.grant.subaccount_sid.to_string(),
                authorized_at: when(c.grant.authorized_at),
                granted: c.grant.permissions.to_strings(),
                missing: c.missing.to_strings(),
            })
            .collect(),
        pager,
        notice: q
            .revoked
            .as_deref()
            .filter(|s| AccountSid::parse(s).is_ok())
            .map(|s| {
                format!("The grant of {s} was revoked; the app's deauthorize callback was queued.")
            }),
    })
    .into_response())
}

/// The app and the customer's subaccount a revoke path names.
fn grant_path(sid: &str, subaccount: &str) -> PageResult<(ConnectAppSid, AccountSid)> {
    match (ConnectAppSid::parse(sid), AccountSid::parse(subaccount)) {
        (Ok(sid), Ok(subaccount)) => Ok((sid, subaccount)),
        _ => Err(PageError::NotFound),
    }
}

pub async fn revoke_page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path((sid, subaccount)): Path<(String, String)>,
) -> PageResult {
    let (sid, subaccount) = grant_path(&sid, &subaccount)?;
    let access = own_access(&app, &session, None, Action::Read, Resource::ConnectApps).await?;
    let apps = app.sb.connect_apps();
    let record = apps.get((&access).into(), &sid).await?;
    apps.customer_grant(&access, &sid, &subaccount).await?;
    Ok(confirm(
        &session,
        format!("Revoke this customer's grant of {}?", record.friendly_name),
        format!(
            "{} can no longer use the customer's subaccount {subaccount}, and its deauthorize callback is sent. The customer keeps the subaccount and its data, and can authorize the app again.",
            record.friendly_name
        ),
        format!("{PATH}/{sid}/customers/{subaccount}/revoke"),
        "Revoke grant",
        format!("{PATH}/{sid}/customers"),
    ))
}

pub async fn revoke(
    State(app): State<App>,
    client: ClientAddr,
    Path((sid, subaccount)): Path<(String, String)>,
    CsrfForm(session, _): CsrfForm,
) -> PageResult {
    let (sid, subaccount) = grant_path(&sid, &subaccount)?;
    let writing = own_access(
        &app,
        &session,
        Some(&client),
        Action::Write,
        Resource::ConnectApps,
    );
    let access = writing.await?;
    let apps = app.sb.connect_apps();
    apps.customer_grant(&access, &sid, &subaccount).await?;
    let grants = app.sb.grants();
    grants.revoke_as_owner(&access, &sid, &subaccount).await?;
    let done = format!("{PATH}/{sid}/customers?revoked={subaccount}");
    Ok(see_other(&done, Vec::new()))
}
