//! `/2010-04-01/Accounts/{AccountSid}/ConnectApps…`, and Switchboard's extension
//! endpoints for what Twilio keeps in its console (terms of service URL, logo,
//! creating an app).

use crate::twilio::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use switchboard_domain::access::{RequestTarget, Resource};
use switchboard_domain::connect_apps::ConnectAppFields;
use switchboard_types::{AccountSid, ConnectAppSid, Permissions};

use super::json::{ConnectAppExtendedJson, ConnectAppJson};
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, PageRequest, Params, path};

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
    })
}

fn account(segment: &str) -> Option<AccountSid> {
    AccountSid::parse(segment).ok()
}

fn target(sid: &Option<AccountSid>) -> RequestTarget<'_> {
    sid.as_ref()
        .map_or(RequestTarget::Missing, RequestTarget::Account)
}

/// Authorises first, then reports a path that cannot name anything as not found.
async fn authorized_parts(
    app: &App,
    call: &ApiCall,
    account_segment: &str,
    app_segment: Option<&str>,
    resource: Resource,
) -> Result<
    (
        switchboard_domain::access::Access,
        AccountSid,
        Option<ConnectAppSid>,
    ),
    ApiError,
> {
    let account = account(account_segment);
    let access = app
        .sb
        .authorize(&call.request(target(&account), resource)?)
        .await
        .map_err(|e| call.fail(e))?;
    let account = account.ok_or_else(|| ApiError::not_found(call.path()))?;
    let app_sid = match app_segment {
        Some(seg) => Some(ConnectAppSid::parse(seg).map_err(|_| ApiError::not_found(call.path()))?),
        None => None,
    };
    Ok((access, account, app_sid))
}

pub async fn list(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<Json<Envelope<ConnectAppJson>>, ApiError> {
    let account = account(&account_segment);
    let request = call.request(target(&account), Resource::ConnectApps)?;
    let Some(_) = &account else {
        app.sb.authorize(&request).await.map_err(|e| call.fail(e))?;
        return Err(ApiError::not_found(call.path()));
    };
    let params = call.query()?;
    let paging = PageRequest::parse(params, call.path(), app.sb.keys())?;
    let page = app
        .sb
        .connect_apps()
        .list((&request).into(), &paging.at, paging.size)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(Envelope::new(
        "connect_apps",
        call.path(),
        params,
        &paging,
        page,
        app.sb.keys(),
        ConnectAppJson::from,
    )))
}

pub async fn create(
    State(app): State<App>,
    Path(account_segment): Path<String>,
    call: ApiCall,
) -> Result<(StatusCode, Json<ConnectAppJson>), ApiError> {
    let (access, _, _) =
        authorized_parts(&app, &call, &account_segment, None, Resource::ConnectApps).await?;
    let fields = fields(call.form()?)?;
    let created = app
        .sb
        .connect_apps()
        .create(&access, &fields)
        .await
        .map_err(|e| call.fail(e))?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

pub async fn fetch(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<ConnectAppJson>, ApiError> {
    let app_segment = path::json_segment(&app_segment, call.path())?;
    let account = account(&account_segment);
    let app_sid = ConnectAppSid::parse(app_segment).ok();
    let request = call.request(target(&account), Resource::ConnectApps)?;
    let (Some(_), Some(app_sid)) = (&account, &app_sid) else {
        app.sb.authorize(&request).await.map_err(|e| call.fail(e))?;
        return Err(ApiError::not_found(call.path()));
    };
    let record = app
        .sb
        .connect_apps()
        .get((&request).into(), app_sid)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(record.into()))
}

pub async fn update(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<ConnectAppJson>, ApiError> {
    let app_segment = path::json_segment(&app_segment, call.path())?;
    let (access, _, sid) = authorized_parts(
        &app,
        &call,
        &account_segment,
        Some(app_segment),
        Resource::ConnectApps,
    )
    .await?;
    let fields = fields(call.form()?)?;
    let record = app
        .sb
        .connect_apps()
        .update(&access, &sid.expect("app SID parsed"), &fields)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(record.into()))
}

pub async fn delete(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<StatusCode, ApiError> {
    let app_segment = path::json_segment(&app_segment, call.path())?;
    let (access, _, sid) = authorized_parts(
        &app,
        &call,
        &account_segment,
        Some(app_segment),
        Resource::ConnectApps,
    )
    .await?;
    app.sb
        .connect_apps()
        .delete(&access, &sid.expect("app SID parsed"))
        .await
        .map_err(|e| call.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /switchboard/v1/Accounts/{AccountSid}/ConnectApps/{Sid}.json`: the app
/// with Switchboard's additions.
pub async fn fetch_extended(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<ConnectAppExtendedJson>, ApiError> {
    let app_segment = path::extension_segment(&app_segment);
    let account = account(&account_segment);
    let app_sid = ConnectAppSid::parse(app_segment).ok();
    let request = call.request(target(&account), Resource::ConnectApps)?;
    let (Some(_), Some(app_sid)) = (&account, &app_sid) else {
        app.sb.authorize(&request).await.map_err(|e| call.fail(e))?;
        return Err(ApiError::not_found(call.path()));
    };
    let record = app
        .sb
        .connect_apps()
        .get((&request).into(), app_sid)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(ConnectAppExtendedJson::new(
        record,
        &app.sb.settings().public_url,
    )))
}

/// `POST /switchboard/v1/Accounts/{AccountSid}/ConnectApps/{Sid}.json`: every
/// setting, `TermsOfServiceUrl` included.
pub async fn update_extended(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<ConnectAppExtendedJson>, ApiError> {
    let app_segment = path::extension_segment(&app_segment);
    let (access, _, sid) = authorized_parts(
        &app,
        &call,
        &account_segment,
        Some(app_segment),
        Resource::ConnectApps,
    )
    .await?;
    let fields = fields(call.form()?)?;
    let record = app
        .sb
        .connect_apps()
        .update(&access, &sid.expect("app SID parsed"), &fields)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(ConnectAppExtendedJson::new(
        record,
        &app.sb.settings().public_url,
    )))
}

/// `PUT …/ConnectApps/{Sid}/Logo` with the image as the body; `DELETE` removes it.
pub async fn put_logo(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Json<ConnectAppExtendedJson>, ApiError> {
    let (access, _, sid) = authorized_parts(
        &app,
        &call,
        &account_segment,
        Some(&app_segment),
        Resource::ConnectApps,
    )
    .await?;
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
        .set_logo(&access, &sid.expect("app SID parsed"), Some(image))
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Json(ConnectAppExtendedJson::new(
        record,
        &app.sb.settings().public_url,
    )))
}

pub async fn delete_logo(
    State(app): State<App>,
    Path((account_segment, app_segment)): Path<(String, String)>,
    call: ApiCall,
) -> Result<StatusCode, ApiError> {
    let (access, _, sid) = authorized_parts(
        &app,
        &call,
        &account_segment,
        Some(&app_segment),
        Resource::ConnectApps,
    )
    .await?;
    app.sb
        .connect_apps()
        .set_logo(&access, &sid.expect("app SID parsed"), None)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /switchboard/v1/Accounts/{AccountSid}/ConnectApps/{Sid}/Authorizations/{SubaccountSid}.json`
/// (or without `.json`):
/// the app owner ends one customer's grant (in the spirit of OAuth providers'
/// "deauthorize" endpoints), naming the dedicated subaccount SID it was given.
pub async fn owner_revoke(
    State(app): State<App>,
    Path((account_segment, app_segment, sub_segment)): Path<(String, String, String)>,
    call: ApiCall,
) -> Result<StatusCode, ApiError> {
    let sub_segment = path::extension_segment(&sub_segment);
    let (access, _, sid) = authorized_parts(
        &app,
        &call,
        &account_segment,
        Some(&app_segment),
        Resource::ConnectApps,
    )
    .await?;
    let subaccount =
        AccountSid::parse(sub_segment).map_err(|_| ApiError::not_found(call.path()))?;
    app.sb
        .grants()
        .revoke_as_owner(&access, &sid.expect("app SID parsed"), &subaccount)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(StatusCode::NO_CONTENT)
}
