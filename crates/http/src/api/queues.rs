//! `…/Queues.json`, `…/Queues/{Sid}.json`, `…/Queues/{Sid}/Members.json`
//! and `…/Queues/{Sid}/Members/{CallSid|Front}.json` in Twilio's 2010 shape.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::queues::{
    MemberRef, NewQueue, Queue, QueueChanges, QueueMember,
};
use switchboard_types::{AccountSid, CallSid, QueueSid};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json};

/// A queue as Twilio writes it: every field of the spec's
/// `api.v2010.account.queue` (which lists no `subresource_uris`).
#[derive(Serialize)]
pub struct QueueJson {
    date_updated: String,
    current_size: i64,
    friendly_name: String,
    uri: String,
    account_sid: AccountSid,
    average_wait_time: i64,
    sid: QueueSid,
    date_created: String,
    max_size: i64,
}

impl From<Queue> for QueueJson {
    fn from(q: Queue) -> Self {
        QueueJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Queues/{}.json",
                q.account_sid, q.sid
            ),
            date_updated: q.date_updated.rfc2822(),
            current_size: q.current_size,
            friendly_name: q.friendly_name,
            account_sid: q.account_sid,
            average_wait_time: q.average_wait_time,
            sid: q.sid,
            date_created: q.date_created.rfc2822(),
            max_size: q.max_size,
        }
    }
}

/// A call waiting in a queue: every field of the spec's
/// `api.v2010.account.queue.member`.
#[derive(Serialize)]
pub struct MemberJson {
    call_sid: CallSid,
    date_enqueued: String,
    position: i64,
    uri: String,
    wait_time: i64,
    queue_sid: QueueSid,
}

impl From<QueueMember> for MemberJson {
    fn from(m: QueueMember) -> Self {
        MemberJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Queues/{}/Members/{}.json",
                m.account_sid, m.queue_sid, m.call_sid
            ),
            call_sid: m.call_sid,
            date_enqueued: m.date_enqueued.rfc2822(),
            position: m.position,
            wait_time: m.wait_time,
            queue_sid: m.queue_sid,
        }
    }
}

/// The member a path names: `Front`, or a call's SID.
fn member_ref(segment: &str) -> Result<MemberRef, ()> {
    if segment == "Front" {
        return Ok(MemberRef::Front);
    }
    CallSid::parse(segment).map(MemberRef::Call).map_err(|_| ())
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<QueueJson>>, ApiError> {
    let read = call.read(&app, Resource::Queues).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .queues()
        .list((&read.request).into(), &paging.at, paging.size)
        .await?;
    read.envelope("queues", &paging, page, QueueJson::from)
}

pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<QueueJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Queues).await?;
    let form = call.form()?;
    let new = NewQueue {
        friendly_name: form.owned("FriendlyName"),
        max_size: form.owned("MaxSize"),
    };
    let created = app.sb.queues().create(&granted.access, &new).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<QueueJson>, ApiError> {
    let read = call.read(&app, Resource::Queues).await?;
    let sid = read.item("sid", QueueSid::parse).await?;
    let found = app.sb.queues().get((&read.request).into(), &sid).await?;
    Ok(Json(found.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<QueueJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Queues).await?;
    let sid = granted.item("sid", QueueSid::parse)?;
    let form = call.form()?;
    let changes = QueueChanges {
        friendly_name: form.owned("FriendlyName"),
        max_size: form.owned("MaxSize"),
    };
    let updated = app
        .sb
        .queues()
        .update(&granted.access, &sid, &changes)
        .await?;
    Ok(Json(updated.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Queues).await?;
    let sid = granted.item("sid", QueueSid::parse)?;
    app.sb.queues().delete(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `…/Queues/{QueueSid}/Members.json`: the calls waiting, front first.
pub async fn members(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<MemberJson>>, ApiError> {
    let read = call.read(&app, Resource::Queues).await?;
    let queue = read.within("queue", QueueSid::parse).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .queues()
        .members((&read.request).into(), &queue, &paging.at, paging.size)
        .await?;
    read.envelope("queue_members", &paging, page, MemberJson::from)
}

/// `…/Members/{CallSid}.json` or `…/Members/Front.json`.
pub async fn member(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<MemberJson>, ApiError> {
    let read = call.read(&app, Resource::Queues).await?;
    let queue = read.within("queue", QueueSid::parse).await?;
    let which = read.item("member", member_ref).await?;
    let found = app
        .sb
        .queues()
        .member((&read.request).into(), &queue, &which)
        .await?;
    Ok(Json(found.into()))
}

/// `POST …/Members/{CallSid|Front}.json` with `Url` (and `Method`): the
/// member leaves the queue and runs that document.
pub async fn dequeue(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<MemberJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Queues).await?;
    let queue = granted.within("queue", QueueSid::parse)?;
    let which = granted.item("member", member_ref)?;
    let form = call.form()?;
    let left = app
        .sb
        .queues()
        .dequeue(
            &granted.access,
            &queue,
            &which,
            form.get("Url"),
            form.get("Method"),
        )
        .await?;
    Ok(Json(left.into()))
}
