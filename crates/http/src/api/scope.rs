//! The step every account-scoped handler shares: from the account a path names
//! to an authorised request.
//!
//! A handler takes an [`AccountScope`] (for `…/Accounts/{account}/…`) or a
//! [`TheAccount`] (for `/2010-04-01/Accounts/{Sid}.json`) and asks it for one of
//! two things:
//!
//! - [`AccountScope::authorize`] for a write, or a read that reads nothing yet:
//!   the policy's [`Access`] and the account ([`Granted`]);
//! - [`AccountScope::read`] for a read that authorises in the same round trip as
//!   the read itself (the store's `authorize_read`): the [`ApiRequest`] to hand
//!   to the domain and the account ([`Read`]).
//!
//! Either way a path that cannot name anything (an account or item segment
//! that is no SID, a list or country that does not exist) is answered "not
//! found" only once the caller is known to be someone: strangers always get
//! 401. The SIDs the path names come parsed only from a [`Granted`] or a
//! [`Read`] (`item`, `within`), and other segments are checked through them
//! (`named`, `check`), which answer "not found" only after authorising.

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use switchboard_domain::access::{Access, ApiRequest, RequestTarget, Resource};
use switchboard_store::page::{Keyed, Page};
use switchboard_types::AccountSid;

use super::{list, unimplemented};
use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, Json, PageRequest, path};

/// An API request on a path under `…/Accounts/{account}/`.
pub struct AccountScope {
    call: ApiCall,
    /// `None` when a segment is not UTF-8: then the path names nothing.
    params: Option<RawPathParams>,
    account: Option<AccountSid>,
}

/// An API request on `/2010-04-01/Accounts/{Sid}.json`, the account itself.
pub struct TheAccount(pub AccountScope);

impl<S: Send + Sync> FromRequest<S> for AccountScope {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        AccountScope::extract(req, state, |p| AccountSid::parse(p.get("account")?).ok()).await
    }
}

impl<S: Send + Sync> FromRequest<S> for TheAccount {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let account =
            |p: &AccountScope| AccountSid::parse(p.get("sid")?.strip_suffix(".json")?).ok();
        Ok(TheAccount(
            AccountScope::extract(req, state, account).await?,
        ))
    }
}

impl std::ops::Deref for AccountScope {
    type Target = ApiCall;

    fn deref(&self) -> &ApiCall {
        &self.call
    }
}

impl AccountScope {
    async fn extract<S: Send + Sync>(
        req: Request,
        state: &S,
        account: impl FnOnce(&AccountScope) -> Option<AccountSid>,
    ) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let params = RawPathParams::from_request_parts(&mut parts, state)
            .await
            .ok();
        let mut scope = AccountScope {
            call: ApiCall::read(parts, body).await?,
            params,
            account: None,
        };
        scope.account = account(&scope);
        Ok(scope)
    }

    /// A segment of the path, by its name in the route, as sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .as_ref()?
            .iter()
            .find_map(|(n, v)| (n == name).then_some(v))
    }

    /// The SID in the segment `name` in the middle of the path (`{Sid}/…`).
    fn within<T, E>(&self, name: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        parse(self.get(name)?).ok()
    }

    /// The SID in the segment `name` that ends the path: `{Sid}.json` on
    /// Twilio's paths, with or without `.json` on Switchboard's own.
    fn item<T, E>(&self, name: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        let segment = self.get(name)?;
        let sid = if self.path().starts_with("/switchboard/") {
            path::extension_segment(segment)
        } else {
            path::json_segment(segment)?
        };
        parse(sid).ok()
    }

    /// The request as the policy sees it.
    fn request(&self, resource: Resource) -> Result<ApiRequest<'_>, ApiError> {
        let target = self
            .account
            .as_ref()
            .map_or(RequestTarget::Missing, RequestTarget::Account);
        self.call.request(target, resource)
    }

    /// Authorises a write, or a read that reads nothing yet, on the path's
    /// account.
    pub async fn authorize<'a>(
        &'a self,
        app: &'a App,
        resource: Resource,
    ) -> Result<Granted<'a>, ApiError> {
        let access = app.sb.authorize(&self.request(resource)?).await?;
        let account = self.account.as_ref().ok_or_else(ApiError::not_found)?;
        Ok(Granted {
            access,
            account,
            app,
            scope: self,
        })
    }

    /// Prepares a read that the domain authorises in its own round trip.
    pub async fn read<'a>(
        &'a self,
        app: &'a App,
        resource: Resource,
    ) -> Result<Read<'a>, ApiError> {
        let request = self.request(resource)?;
        match &self.account {
            Some(account) => Ok(Read {
                request,
                account,
                app,
                scope: self,
            }),
            None => Err(refuse(app, &request, ApiError::not_found()).await),
        }
    }
}

/// `error`, about the path, once the caller is known; else why they are not.
async fn refuse(app: &App, request: &ApiRequest<'_>, error: ApiError) -> ApiError {
    match app.sb.authorize(request).await {
        Ok(_) => error,
        Err(e) => e.into(),
    }
}

/// A request the policy allowed on the account its path names.
pub struct Granted<'a> {
    pub access: Access,
    pub account: &'a AccountSid,
    app: &'a App,
    scope: &'a AccountScope,
}

impl Granted<'_> {
    /// The SID of the item the path ends with, or "not found".
    pub fn item<T, E>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ApiError> {
        self.scope
            .item(name, parse)
            .ok_or_else(|| unimplemented::item_not_served(self.scope.path()))
    }

    /// The SID in a segment in the middle of the path (`…/{Sid}/…`), or "not
    /// found".
    pub fn within<T, E>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ApiError> {
        self.named(self.scope.within(name, parse))
    }

    /// As [`Granted::within`], on a route that has the segment `name`;
    /// `None` on one without it (`…/Transcriptions…` beside `…/Recordings/
    /// {RecordingSid}/Transcriptions…`).
    pub fn within_if_routed<T, E>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ApiError> {
        match self.scope.get(name) {
            Some(_) => self.within(name, parse).map(Some),
            None => Ok(None),
        }
    }

    /// Something else the path names (from [`AccountScope::get`]), or "not
    /// found".
    pub fn named<T>(&self, named: Option<T>) -> Result<T, ApiError> {
        named.ok_or_else(ApiError::not_found)
    }

    /// As [`Read::paging`], for a list the policy authorises up front.
    pub fn paging(&self) -> Result<PageRequest, ApiError> {
        list::paging(self.app, self.scope)
    }

    /// As [`Read::envelope`], for a list the policy authorises up front.
    pub fn envelope<R: Keyed, T>(
        &self,
        key: &'static str,
        paging: &PageRequest,
        page: Page<R>,
        render: impl FnMut(R) -> T,
    ) -> Result<Json<Envelope<T>>, ApiError> {
        list::envelope(self.app, self.scope, key, paging, page, render)
    }
}

/// A read, to be authorised with the domain's read, on an account the path
/// names.
pub struct Read<'a> {
    pub request: ApiRequest<'a>,
    pub account: &'a AccountSid,
    app: &'a App,
    scope: &'a AccountScope,
}

impl Read<'_> {
    /// The SID of the item the path ends with; "not found" once the caller is
    /// known when the path cannot name one.
    pub async fn item<T, E>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ApiError> {
        let item = self.scope.item(name, parse);
        self.check(item.ok_or_else(|| unimplemented::item_not_served(self.scope.path())))
            .await
    }

    /// The SID in a segment in the middle of the path (`…/{Sid}/…`); "not
    /// found" once the caller is known when the path cannot name one.
    pub async fn within<T, E>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ApiError> {
        self.named(self.scope.within(name, parse)).await
    }

    /// As [`Read::within`], on a route that has the segment `name`; `None`
    /// on one without it.
    pub async fn within_if_routed<T, E>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ApiError> {
        match self.scope.get(name) {
            Some(_) => self.within(name, parse).await.map(Some),
            None => Ok(None),
        }
    }

    /// Something else the path names (from [`AccountScope::get`]); "not
    /// found" once the caller is known when it names nothing.
    pub async fn named<T>(&self, named: Option<T>) -> Result<T, ApiError> {
        self.check(named.ok_or_else(ApiError::not_found)).await
    }

    /// The page a list request asks for (`PageSize`, `Page`, `PageToken`).
    pub fn paging(&self) -> Result<PageRequest, ApiError> {
        list::paging(self.app, self.scope)
    }

    /// `page`, read for `paging`, in Twilio's list envelope: the rows under
    /// `key`, each written by `render`, and the URIs of the pages around
    /// it (which keep the request's filters).
    pub fn envelope<R: Keyed, T>(
        &self,
        key: &'static str,
        paging: &PageRequest,
        page: Page<R>,
        render: impl FnMut(R) -> T,
    ) -> Result<Json<Envelope<T>>, ApiError> {
        list::envelope(self.app, self.scope, key, paging, page, render)
    }

    /// `checked`, or its error (about the path) once the caller is known.
    pub async fn check<T>(&self, checked: Result<T, ApiError>) -> Result<T, ApiError> {
        match checked {
            Ok(value) => Ok(value),
            Err(e) => Err(refuse(self.app, &self.request, e).await),
        }
    }
}
