//! `…/Messages/{Sid}/Media…`: a message's media as JSON, and each item's
//! content at `…/Media/{Sid}` (no extension), served as Twilio serves it:
//! to anyone with the URL unless the operator asks for credentials
//! (`serve --media-requires-auth`; see docs/messaging.md, "Media").

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::media::{DEFAULT_CONTENT_TYPE, Media, MediaContent};
use switchboard_types::{AccountSid, MediaSid, MessageSid};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json, dates};

#[derive(Serialize)]
pub struct MediaJson {
    pub account_sid: AccountSid,
    pub content_type: String,
    pub date_created: String,
    pub date_updated: String,
    pub parent_sid: MessageSid,
    pub sid: MediaSid,
    pub uri: String,
}

impl From<Media> for MediaJson {
    fn from(m: Media) -> Self {
        MediaJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Messages/{}/Media/{}.json",
                m.account_sid, m.parent_sid, m.sid
            ),
            account_sid: m.account_sid,
            content_type: m.content_type,
            date_created: m.date_created.rfc2822(),
            date_updated: m.date_updated.rfc2822(),
            parent_sid: m.parent_sid,
            sid: m.sid,
        }
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<MediaJson>>, ApiError> {
    let read = call.read(&app, Resource::Messages).await?;
    let message = read.within("message", MessageSid::parse).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let created = dates::range(params, "DateCreated")?;
    let page = app
        .sb
        .media()
        .list(
            (&read.request).into(),
            &message,
            &created,
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope("media_list", &paging, page, MediaJson::from)
}

/// `…/Media/{Sid}.json` is the item; `…/Media/{Sid}` its content.
pub async fn fetch(State(app): State<App>, call: AccountScope) -> Result<Response, ApiError> {
    if !call.get("sid").is_some_and(|s| s.ends_with(".json")) {
        return content(app, call).await;
    }
    let read = call.read(&app, Resource::Messages).await?;
    let message = read.within("message", MessageSid::parse).await?;
    let sid = read.item("sid", MediaSid::parse).await?;
    let item = app
        .sb
        .media()
        .fetch((&read.request).into(), &message, &sid)
        .await?;
    Ok(Json(MediaJson::from(item)).into_response())
}

async fn content(app: App, call: AccountScope) -> Result<Response, ApiError> {
    let found = if app.sb.settings().telephony.media_requires_auth {
        let read = call.read(&app, Resource::Messages).await?;
        let message = read.within("message", MessageSid::parse).await?;
        let sid = read
            .named(call.get("sid").and_then(|s| MediaSid::parse(s).ok()))
            .await?;
        app.sb
            .media()
            .fetch_content((&read.request).into(), &message, &sid)
            .await?
    } else {
        let parsed = |name: &str| call.get(name).map(str::to_owned);
        let account = parsed("account").and_then(|s| AccountSid::parse(&s).ok());
        let message = parsed("message").and_then(|s| MessageSid::parse(&s).ok());
        let sid = parsed("sid").and_then(|s| MediaSid::parse(&s).ok());
        let (Some(account), Some(message), Some(sid)) = (account, message, sid) else {
            return Err(ApiError::not_found());
        };
        app.sb
            .media()
            .public_content(&account, &message, &sid)
            .await?
    };
    Ok(media_response(found))
}

/// The content with its type. Content came from elsewhere (a handset's
/// message, any URL): the browser may not sniff it, and a document among it
/// runs sandboxed, never as this origin (where the console lives). An item
/// recorded by URL only is where its message named it.
fn media_response(media: MediaContent) -> Response {
    let mut response = match (media.content, media.source_url) {
        (Some(bytes), _) => {
            let mut response = bytes.into_response();
            let content_type = HeaderValue::from_str(&media.content_type)
                .unwrap_or(HeaderValue::from_static(DEFAULT_CONTENT_TYPE));
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, content_type);
            response
        }
        (None, Some(url)) => match HeaderValue::from_str(&url) {
            Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
            Err(_) => ApiError::not_found().into_response(),
        },
        (None, None) => ApiError::not_found().into_response(),
    };
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    response
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Messages).await?;
    let message = granted.within("message", MessageSid::parse)?;
    let sid = granted.item("sid", MediaSid::parse)?;
    app.sb
        .media()
        .delete(&granted.access, &message, &sid)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
