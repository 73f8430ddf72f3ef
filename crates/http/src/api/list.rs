//! Twilio's paging, for every list handler: the page a request asks for and
//! the envelope that answers it.
//!
//! A list under an account's path reaches these through its `Read` (or
//! `Granted`: `read.paging()?`, `read.envelope(…)`); the lists that name no
//! account in their path (`Accounts.json`, a sandbox's webhooks, the
//! Messaging v1 lists) call them with their [`ApiCall`].

use switchboard_store::page::{Keyed, Page};

use crate::App;
use crate::twilio::{ApiCall, ApiError, Envelope, Json, MetaEnvelope, PageRequest};

/// The page a list request asks for (`PageSize`, `Page`, `PageToken`).
pub fn paging(app: &App, call: &ApiCall) -> Result<PageRequest, ApiError> {
    PageRequest::parse(call.query()?, call.path(), app.sb.keys())
}

/// `page`, read for `paging`, in Twilio's list envelope: the rows under
/// `key`, each written by `render`, and the URIs of the pages around it
/// (which keep the request's filters).
pub fn envelope<R: Keyed, T>(
    app: &App,
    call: &ApiCall,
    key: &'static str,
    paging: &PageRequest,
    page: Page<R>,
    render: impl FnMut(R) -> T,
) -> Result<Json<Envelope<T>>, ApiError> {
    Ok(Json(Envelope::new(
        key,
        call.path(),
        call.query()?,
        paging,
        page,
        app.sb.keys(),
        render,
    )))
}

/// As [`envelope`], in the v1 APIs' form (messaging): a `meta` object whose
/// links are absolute, on the public URL.
pub fn meta_envelope<R: Keyed, T>(
    app: &App,
    call: &ApiCall,
    key: &'static str,
    paging: &PageRequest,
    page: Page<R>,
    render: impl FnMut(R) -> T,
) -> Result<Json<MetaEnvelope<T>>, ApiError> {
    Ok(Json(MetaEnvelope::new(
        key,
        &app.sb.settings().public_url,
        call.path(),
        call.query()?,
        paging,
        page,
        app.sb.keys(),
        render,
    )))
}
