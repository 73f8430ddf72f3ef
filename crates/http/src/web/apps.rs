//! Connect Apps of the signed-in (Full) account: create, edit, delete, logo,
//! the Connect button snippet, and who authorized each app.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_domain::DomainError;
use switchboard_domain::access::{Action, Resource};
use switchboard_domain::connect_apps::{ConnectAppFields, MAX_LOGO_BYTES};
use switchboard_domain::console::ConsoleSession;
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_types::{AccountSid, AccountType, ConnectAppSid, Permission, Permissions};

use super::auth::internal;
use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::customer_apps::Confirm;
use super::forms::WebForm;
use super::kit::{
    Pager, confirmed, csrf_ok, encode, expired, failed, initial, not_found, own_access, page_at,
    when,
};
use super::multipart;
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

    /// What the console requires before asking the domain, so that every empty
    /// required field is flagged at once.
    fn check_required(&mut self) {
        for (field, value, label) in [
            ("friendly_name", &self.friendly_name, "Give the app a name."),
            (
                "company_name",
                &self.company_name,
                "Say which company makes the app; customers see it.",
            ),
            (
                "authorize_redirect_url",
                &self.authorize_redirect_url,
                "Customers are sent here after they decide; it is needed for the Connect button to work.",
            ),
        ] {
            if value.trim().is_empty() {
                self.errors.insert(field, label.to_owned());
            }
        }
        if self.deauthorize_callback_method != "GET" && self.deauthorize_callback_method != "POST" {
            self.errors
                .insert("deauthorize_callback_method", "Choose GET or POST.".into());
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
        }
    }

    /// Puts a domain error next to the field it is about; `false` when it is not
    /// about a field.
    fn place(&mut self, e: &DomainError) -> bool {
        let DomainError::Invalid { param, message, .. } = e else {
            return false;
        };
        let (field, label) = match *param {
            "FriendlyName" => ("friendly_name", "The app name"),
            "CompanyName" => ("company_name", "The company name"),
            "Description" => ("description", "The description"),
            "HomepageUrl" => ("homepage_url", "The homepage URL"),
            "TermsOfServiceUrl" => ("terms_of_service_url", "The terms of service URL"),
            "AuthorizeRedirectUrl" => ("authorize_redirect_url", "The authorize redirect URL"),
            "DeauthorizeCallbackUrl" => {
                ("deauthorize_callback_url", "The deauthorize callback URL")
            }
            "DeauthorizeCallbackMethod" => ("deauthorize_callback_method", "The method"),
            _ => ("friendly_name", *param),
        };
        // The domain names API parameters; the page names its own fields.
        self.errors.insert(field, message.replace(*param, label));
        true
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    pub fn is_get(&self) -> bool {
        self.deauthorize_callback_method == "GET"
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
) -> Response {
    let at = page_at(q.after.as_deref(), q.before.as_deref());
    let listed = match own_access(&app, &session, None, Action::Read, Resource::ConnectApps).await {
        Ok(access) => app.sb.connect_apps().list((&access).into(), &at, 50).await,
        Err(e) => Err(e),
    };
    let page = match listed {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    Page::render(&List {
        chrome: Chrome::for_session(Some(&session), PATH),
        full: full(&session),
        apps: page.items.iter().map(AppRow::from).collect(),
        pager: Pager::of(&page, PATH),
        notice: q
            .deleted
            .map(|n| format!("{n} was deleted. Every customer's grant of it was revoked.")),
    })
    .into_response()
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

pub async fn create(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    WebForm(params): WebForm,
) -> Response {
    if !csrf_ok(&session, &params) {
        return expired(&session, PATH);
    }
    if !full(&session) {
        return trial_only(&session);
    }
    let mut form = AppForm::read(&params);
    form.check_required();
    let mut form_error = None;
    if form.errors.is_empty() {
        let created =
            match own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await {
                Ok(access) => app.sb.connect_apps().create(&access, &form.fields()).await,
                Err(e) => Err(e),
            };
        match created {
            Ok(created) => {
                return see_other(&format!("{PATH}/{}?done=created", created.sid), Vec::new());
            }
            Err(e) => {
                if !form.place(&e) {
                    match e {
                        DomainError::Forbidden(m) => form_error = Some(m),
                        other => return internal(other),
                    }
                }
            }
        }
    }
    Page::render(&NewApp {
        chrome: Chrome::for_session(Some(&session), PATH),
        form,
        csrf_token: session.csrf_token.clone(),
        form_error,
    })
    .status(StatusCode::BAD_REQUEST)
    .into_response()
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

async fn owned(
    app: &App,
    session: &ConsoleSession,
    sid: &str,
) -> Result<ConnectAppRecord, Response> {
    let Ok(sid) = ConnectAppSid::parse(sid) else {
        return Err(not_found(session, PATH));
    };
    let found = match own_access(app, session, None, Action::Read, Resource::ConnectApps).await {
        Ok(access) => app.sb.connect_apps().get((&access).into(), &sid).await,
        Err(e) => Err(e),
    };
    found.map_err(|e| failed(session, PATH, e))
}

pub async fn detail(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Response {
    match owned(&app, &session, &sid).await {
        Ok(record) => render_detail(
            &app,
            &session,
            &record,
            AppForm::of(&record),
            None,
            q.done.as_deref(),
        ),
        Err(r) => r,
    }
}

pub async fn update(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    WebForm(params): WebForm,
) -> Response {
    let record = match owned(&app, &session, &sid).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !csrf_ok(&session, &params) {
        return expired(&session, PATH);
    }
    let mut form = AppForm::read(&params);
    form.check_required();
    if form.errors.is_empty() {
        let updated =
            match own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await {
                Ok(access) => {
                    let apps = app.sb.connect_apps();
                    apps.update(&access, &record.sid, &form.fields()).await
                }
                Err(e) => Err(e),
            };
        match updated {
            Ok(updated) => {
                return see_other(&format!("{PATH}/{}?done=saved", updated.sid), Vec::new());
            }
            Err(e) => {
                if !form.place(&e) {
                    return failed(&session, PATH, e);
                }
            }
        }
    }
    render_detail(&app, &session, &record, form, None, None)
}

/// The logo upload: a multipart form with the CSRF token and the image.
pub async fn upload_logo(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    request: Request,
) -> Response {
    let record = match owned(&app, &session, &sid).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (parts, body) = request.into_parts();
    let too_big = || {
        render_detail(
            &app,
            &session,
            &record,
            AppForm::of(&record),
            Some(format!(
                "The logo must be at most {} KB.",
                MAX_LOGO_BYTES / 1024
            )),
            None,
        )
    };
    // Room for the image, the token and the form's own framing.
    let Ok(bytes) = axum::body::to_bytes(body, MAX_LOGO_BYTES + 16 * 1024).await else {
        return too_big();
    };
    let Some(form) = multipart::parse(&parts.headers, &bytes) else {
        return expired(&session, PATH);
    };
    if !session.csrf_matches(form.text("csrf_token").unwrap_or_default()) {
        return expired(&session, PATH);
    }
    let Some(file) = form.file("logo") else {
        return render_detail(
            &app,
            &session,
            &record,
            AppForm::of(&record),
            Some("Choose an image file to upload.".into()),
            None,
        );
    };
    let set = match own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await {
        Ok(access) => {
            let apps = app.sb.connect_apps();
            apps.set_logo(&access, &record.sid, Some(&file.data)).await
        }
        Err(e) => Err(e),
    };
    match set {
        Ok(_) => see_other(&format!("{PATH}/{}?done=logo", record.sid), Vec::new()),
        Err(DomainError::Invalid { message, .. }) => render_detail(
            &app,
            &session,
            &record,
            AppForm::of(&record),
            Some(message),
            None,
        ),
        Err(e) => failed(&session, PATH, e),
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
) -> Response {
    match owned(&app, &session, &sid).await {
        Ok(r) => confirm(
            &session,
            format!("Remove the logo of {}?", r.friendly_name),
            "Customers will see the app's initial instead of its logo.".into(),
            format!("{PATH}/{}/logo/remove", r.sid),
            "Remove logo",
            format!("{PATH}/{}", r.sid),
        ),
        Err(r) => r,
    }
}

pub async fn remove_logo(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    WebForm(form): WebForm,
) -> Response {
    let record = match owned(&app, &session, &sid).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    confirmed(
        &session,
        &form,
        PATH,
        async {
            let access =
                own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await?;
            app.sb
                .connect_apps()
                .set_logo(&access, &record.sid, None)
                .await
        },
        |_| format!("{PATH}/{}?done=logo-removed", record.sid),
    )
    .await
}

pub async fn delete_page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
) -> Response {
    match owned(&app, &session, &sid).await {
        Ok(r) => confirm(
            &session,
            format!("Delete {}?", r.friendly_name),
            format!(
                "{} is deleted for good. Every customer who authorized it loses the grant at once, and its deauthorize callback is sent for each of them. Customers keep their subaccounts and data.",
                r.friendly_name
            ),
            format!("{PATH}/{}/delete", r.sid),
            "Delete app",
            format!("{PATH}/{}", r.sid),
        ),
        Err(r) => r,
    }
}

pub async fn delete(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path(sid): Path<String>,
    WebForm(form): WebForm,
) -> Response {
    let record = match owned(&app, &session, &sid).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    confirmed(
        &session,
        &form,
        PATH,
        async {
            let access =
                own_access(&app, &session, None, Action::Write, Resource::ConnectApps).await?;
            app.sb.connect_apps().delete(&access, &record.sid).await
        },
        |()| format!("{PATH}?deleted={}", encode(&record.friendly_name)),
    )
    .await
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
) -> Response {
    let Ok(sid) = ConnectAppSid::parse(&sid) else {
        return not_found(&session, PATH);
    };
    let at = page_at(q.after.as_deref(), q.before.as_deref());
    let customers =
        match own_access(&app, &session, None, Action::Read, Resource::ConnectApps).await {
            Ok(access) => {
                app.sb
                    .connect_apps()
                    .customers(&access, &sid, &at, 50)
                    .await
            }
            Err(e) => Err(e),
        };
    let (record, page) = match customers {
        Ok(r) => r,
        Err(e) => return failed(&session, PATH, e),
    };
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
    Page::render(&Customers {
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
    .into_response()
}

pub async fn revoke_page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path((sid, subaccount)): Path<(String, String)>,
) -> Response {
    let (Ok(sid), Ok(subaccount)) = (ConnectAppSid::parse(&sid), AccountSid::parse(&subaccount))
    else {
        return not_found(&session, PATH);
    };
    let access = match own_access(&app, &session, None, Action::Read, Resource::ConnectApps).await {
        Ok(a) => a,
        Err(e) => return failed(&session, PATH, e),
    };
    let apps = app.sb.connect_apps();
    let record = match apps.get((&access).into(), &sid).await {
        Ok(r) => r,
        Err(e) => return failed(&session, PATH, e),
    };
    if let Err(e) = apps.customer_grant(&access, &sid, &subaccount).await {
        return failed(&session, PATH, e);
    }
    confirm(
        &session,
        format!("Revoke this customer's grant of {}?", record.friendly_name),
        format!(
            "{} can no longer use the customer's subaccount {subaccount}, and its deauthorize callback is sent. The customer keeps the subaccount and its data, and can authorize the app again.",
            record.friendly_name
        ),
        format!("{PATH}/{sid}/customers/{subaccount}/revoke"),
        "Revoke grant",
        format!("{PATH}/{sid}/customers"),
    )
}

pub async fn revoke(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    client: ClientAddr,
    Path((sid, subaccount)): Path<(String, String)>,
    WebForm(form): WebForm,
) -> Response {
    let (Ok(sid), Ok(subaccount)) = (ConnectAppSid::parse(&sid), AccountSid::parse(&subaccount))
    else {
        return not_found(&session, PATH);
    };
    let access = match own_access(
        &app,
        &session,
        Some(&client),
        Action::Write,
        Resource::ConnectApps,
    )
    .await
    {
        Ok(a) => a,
        Err(e) => return failed(&session, PATH, e),
    };
    let apps = app.sb.connect_apps();
    if let Err(e) = apps.customer_grant(&access, &sid, &subaccount).await {
        return failed(&session, PATH, e);
    }
    confirmed(
        &session,
        &form,
        PATH,
        app.sb.grants().revoke_as_owner(&access, &sid, &subaccount),
        |()| format!("{PATH}/{sid}/customers?revoked={subaccount}"),
    )
    .await
}
