//! The steps every account-scoped handler shares: read the account from the
//! path, authorise, and answer "not found" for a path that cannot name anything
//! only once the caller is known to be someone (so strangers always get 401).

use switchboard_domain::access::{Access, ApiRequest, RequestTarget, Resource};
use switchboard_types::AccountSid;

use crate::App;
use crate::twilio::{ApiCall, ApiError, path};

pub fn account(segment: &str) -> Option<AccountSid> {
    AccountSid::parse(segment).ok()
}

pub fn target(account: &Option<AccountSid>) -> RequestTarget<'_> {
    account
        .as_ref()
        .map_or(RequestTarget::Missing, RequestTarget::Account)
}

/// Authorises a write (or a read that reads nothing yet) on the path's account.
pub async fn authorized(
    app: &App,
    call: &ApiCall,
    account_segment: &str,
    resource: Resource,
) -> Result<(Access, AccountSid), ApiError> {
    let account = account(account_segment);
    let access = app
        .sb
        .authorize(&call.request(target(&account), resource)?)
        .await
        .map_err(|e| call.fail(e))?;
    let account = account.ok_or_else(|| ApiError::not_found(call.path()))?;
    Ok((access, account))
}

/// "Not found" for a request whose path names nothing, after authenticating.
pub async fn not_found(app: &App, call: &ApiCall, request: &ApiRequest<'_>) -> ApiError {
    match app.sb.authorize(request).await {
        Ok(_) => ApiError::not_found(call.path()),
        Err(e) => call.fail(e),
    }
}

/// The SID in a `{Sid}.json` segment, parsed.
pub fn sid<T, E>(
    segment: &str,
    call: &ApiCall,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    path::json_segment(segment, call.path())
        .ok()
        .and_then(|s| parse(s).ok())
}

/// Authorises a write on one item, `…/{Resource}/{Sid}.json`, and parses its SID.
pub async fn authorized_item<T, E>(
    app: &App,
    call: &ApiCall,
    (account_segment, segment): (&str, &str),
    resource: Resource,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<(Access, T), ApiError> {
    let (access, _) = authorized(app, call, account_segment, resource).await?;
    let sid = self::sid(segment, call, parse).ok_or_else(|| ApiError::not_found(call.path()))?;
    Ok((access, sid))
}

/// Reads one item, `…/{Resource}/{Sid}.json`: authorisation and the read share
/// one round trip in `read`; a path that cannot name an item is "not found"
/// once the caller is known.
pub async fn read_item<S, E, R>(
    app: &App,
    call: &ApiCall,
    (account_segment, segment): (&str, &str),
    resource: Resource,
    parse: impl FnOnce(&str) -> Result<S, E>,
    read: impl AsyncFnOnce(&ApiRequest<'_>, &AccountSid, &S) -> switchboard_domain::DomainResult<R>,
) -> Result<R, ApiError> {
    let account = account(account_segment);
    let request = call.request(target(&account), resource)?;
    let (Some(account), Some(sid)) = (account.as_ref(), self::sid(segment, call, parse)) else {
        return Err(not_found(app, call, &request).await);
    };
    read(&request, account, &sid)
        .await
        .map_err(|e| call.fail(e))
}

/// Deletes one item, `DELETE …/{Resource}/{Sid}.json`: 204 once `delete` did.
pub async fn delete_item<S, E>(
    app: &App,
    call: &ApiCall,
    segments: (&str, &str),
    resource: Resource,
    parse: impl FnOnce(&str) -> Result<S, E>,
    delete: impl AsyncFnOnce(&Access, &S) -> switchboard_domain::DomainResult<()>,
) -> Result<axum::http::StatusCode, ApiError> {
    let (access, sid) = authorized_item(app, call, segments, resource, parse).await?;
    delete(&access, &sid).await.map_err(|e| call.fail(e))?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
