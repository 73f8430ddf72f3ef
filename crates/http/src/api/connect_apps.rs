//! `/2010-04-01/Accounts/{AccountSid}/ConnectApps…`, and Switchboard's extension
//! endpoints for what Twilio keeps in its console (terms of service URL, logo,
//! creating an app).

use crate::twilio::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::{RequestTarget, Resource};
use switchboard_domain::connect_apps::ConnectAppFields;
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_types::{AccountSid, ConnectAppSid, Permissions};

use super::json::{AppAuthorizationJson, ConnectAppExtendedJson, ConnectAppJson};
use super::scope::{AccountScope, Granted};
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, Params};

/// Reads the settings an app update (or create) may carry.
pub fn fields(form: &Params) -> Result<ConnectAppFields, ApiError> {
    let text = |name: &str| form.get(name).map(str::to_owned);
    let permissions = if form.contains("Permissions") {
        Some(
            Permissions::parse_all(form.get_all("Permissions"))
                .map_err(|e| ApiError::bad_request(Some("Permissions"), e.to_string()))?,
        )
    } else {
        None
    };
    Ok(ConnectAppFields {
        friendly_name: text("FriendlyName"),
        company_name: text("CompanyName"),
        description: text("Description"),
        homepage_url: text("HomepageUrl"),
        terms_of_service_url: text("TermsOfServiceUrl"),
        authorize_redirect_url: text("AuthorizeRedirectUrl"),
        deauthorize_callback_url: text("DeauthorizeCallbackUrl"),
        deauthorize_callback_method: text("DeauthorizeCallbackMethod"),
        permissions,
        sign_redirects: form.boolean("SignRedirects")?,
        authorize_callback_url: text("AuthorizeCallbackUrl"),
        authorize_callback_method: text("AuthorizeCallbackMethod"),
    })
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<ConnectAppJson>>, ApiError> {
    let read = call.read(&app, Resource::ConnectApps).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .connect_apps()
        .list((&read.request).into(), &paging.at, paging.size)
        .await?;
    read.envelope("connect_apps", &paging, page, ConnectAppJson::from)
}

pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<ConnectAppJson>), ApiError> {
    let granted = call.authorize(&app, Resource::ConnectApps).await?;
    let fields = fields(call.form()?)?;
    let created = app
        .sb
        .connect_apps()
        .create(&granted.access, &fields)
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// The app the path names, read in the same round trip as the authorisation.
async fn read(app: &App, call: &AccountScope) -> Result<ConnectAppRecord, ApiError> {
    let read = call.read(app, Resource::ConnectApps).await?;
    let sid = read.item("sid", ConnectAppSid::parse).await?;
    Ok(app
        .sb
        .connect_apps()
        .get((&read.request).into(), &sid)
        .await?)
}

/// Authorises a change to the app the path names: `…/ConnectApps/{Sid}.json`,
/// or `…/ConnectApps/{Sid}/…` when `within` it.
async fn change<'a>(
    app: &'a App,
    call: &'a AccountScope,
    within: bool,
) -> Result<(Granted<'a>, ConnectAppSid), ApiError> {
    let granted = call.authorize(app, Resource::ConnectApps).await?;
    let sid = if within {
        granted.within("sid", ConnectAppSid::parse)?
    } else {
        granted.item("sid", ConnectAppSid::parse)?
    };
    Ok((granted, sid))
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ConnectAppJson>, ApiError> {
    Ok(Json(read(&app, &call).await?.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ConnectAppJson>, ApiError> {
    let (granted, sid) = change(&app, &call, false).await?;
    let fields = fields(call.form()?)?;
    let record = app
        .sb
        .connect_apps()
        .update(&granted.access, &sid, &fields)
        .await?;
    Ok(Json(record.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let (granted, sid) = change(&app, &call, false).await?;
    app.sb.connect_apps().delete(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /switchboard/v1/Accounts/{AccountSid}/ConnectApps/{Sid}.json`: the app
/// with Switchboard's additions.
pub async fn fetch_extended(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ConnectAppExtendedJson>, ApiError> {
    let record = read(&app, &call).await?;
    Ok(Json(ConnectAppExtendedJson::new(
        record,
        &app.sb.settings().public_url,
    )))
}

/// `POST /switchboard/v1/Accounts/{AccountSid}/ConnectApps/{Sid}.json`: every
/// setting, `TermsOfServiceUrl` included.
pub async fn update_extended(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ConnectAppExtendedJson>, ApiError> {
    let (granted, sid) = change(&app, &call, false).await?;
    let fields = fields(call.form()?)?;
    let record = app
        .sb
        .connect_apps()
        .update(&granted.access, &sid, &fields)
        .await?;
    Ok(Json(ConnectAppExtendedJson::new(
        record,
        &app.sb.settings().public_url,
    )))
}

/// `PUT …/ConnectApps/{Sid}/Logo` with the image as the body; `DELETE` removes it.
pub async fn put_logo(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<ConnectAppExtendedJson>, ApiError> {
    let (granted, sid) = change(&app, &call, true).await?;
    let image = call.raw_body();
    if image.is_empty() {
        return Err(ApiError::bad_request(
            Some("Logo"),
            "Send the image as the request body",
        ));
    }
    let record = app
        .sb
        .connect_apps()
        .set_logo(&granted.access, &sid, Some(image))
        .await?;
    Ok(Json(ConnectAppExtendedJson::new(
        record,
        &app.sb.settings().public_url,
    )))
}

pub async fn delete_logo(
    State(app): State<App>,
    call: AccountScope,
) -> Result<StatusCode, ApiError> {
    let (granted, sid) = change(&app, &call, true).await?;
    app.sb
        .connect_apps()
        .set_logo(&granted.access, &sid, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /switchboard/v1/Accounts/{AccountSid}/ConnectApps/{Sid}/Authorizations/{SubaccountSid}.json`
/// (or without `.json`):
/// the app owner ends one customer's grant (in the spirit of OAuth providers'
/// "deauthorize" endpoints), naming the dedicated subaccount SID it was given.
pub async fn owner_revoke(
    State(app): State<App>,
    call: AccountScope,
) -> Result<StatusCode, ApiError> {
    let (granted, sid) = change(&app, &call, true).await?;
    let subaccount = granted.item("subaccount", AccountSid::parse)?;
    app.sb
        .grants()
        .revoke_as_owner(&granted.access, &sid, &subaccount)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a code is exchanged for: the grant it stands for.
#[derive(Serialize)]
pub struct ExchangedJson {
    /// The dedicated subaccount: the username the app authenticates with.
    account_sid: AccountSid,
    permissions: Permissions,
    customer_account_sid: AccountSid,
}

/// `POST /switchboard/v1/ConnectApps/{ConnectAppSid}/Tokens.json` (an
/// extension): the app's owner, with its own account's credentials, exchanges
/// the one-time `Code` of a `response_type=code` redirect (and PKCE's
/// `CodeVerifier`) for the grant. The path names the app alone, so the request
/// is authorised against the app's owner: anyone else is not found (or, with
/// no valid credentials, unauthenticated, as everywhere).
pub async fn exchange_code(
    State(app): State<App>,
    Path(sid): Path<String>,
    call: ApiCall,
) -> Result<Json<ExchangedJson>, ApiError> {
    let sid = ConnectAppSid::parse(&sid).ok();
    let owner = match &sid {
        Some(sid) => app.sb.connect_apps().owner_of(sid).await?,
        None => None,
    };
    let target = owner
        .as_ref()
        .map_or(RequestTarget::Missing, RequestTarget::Account);
    let access = app
        .sb
        .authorize(&call.request(target, Resource::ConnectApps)?)
        .await?;
    let sid = sid.ok_or_else(ApiError::not_found)?;
    let form = call.form()?;
    let exchanged = app
        .sb
        .grants()
        .exchange_code(&access, &sid, form.get("Code"), form.get("CodeVerifier"))
        .await?;
    Ok(Json(ExchangedJson {
        account_sid: exchanged.account_sid,
        permissions: exchanged.permissions,
        customer_account_sid: exchanged.customer_account_sid,
    }))
}

/// `GET /switchboard/v1/Accounts/{AccountSid}/ConnectApps/{Sid}/Authorizations.json`:
/// every grant of the app, active or revoked, newest first.
pub async fn authorizations(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<AppAuthorizationJson>>, ApiError> {
    let granted = call
        .authorize(&app, Resource::ConnectAppAuthorizations)
        .await?;
    let sid = granted.within("sid", ConnectAppSid::parse)?;
    let paging = granted.paging()?;
    let (record, page) = app
        .sb
        .connect_apps()
        .authorizations((&granted.access).into(), &sid, &paging.at, paging.size)
        .await?;
    granted.envelope("authorizations", &paging, page, |grant| {
        AppAuthorizationJson::new(&record, grant)
    })
}

/// `GET …/ConnectApps/{Sid}/Authorizations/{SubaccountSid}.json`: one grant,
/// named by its dedicated subaccount, active or revoked.
pub async fn authorization(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<AppAuthorizationJson>, ApiError> {
    let granted = call
        .authorize(&app, Resource::ConnectAppAuthorizations)
        .await?;
    let sid = granted.within("sid", ConnectAppSid::parse)?;
    let subaccount = granted.item("subaccount", AccountSid::parse)?;
    let (record, grant) = app
        .sb
        .connect_apps()
        .authorization((&granted.access).into(), &sid, &subaccount)
        .await?;
    Ok(Json(AppAuthorizationJson::new(&record, grant)))
}
