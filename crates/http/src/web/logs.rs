//! Calls and messages of the signed-in account and its subaccounts, filtered
//! and paged by key with the store's list queries.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::telephony::calls::{Call, CallFilter};
use switchboard_domain::telephony::messages::{Message, MessageFilter};
use switchboard_types::{AccountSid, CallStatus, MessageStatus};

use super::chrome::Chrome;
use super::error::{PageError, PageResult};
use super::kit::{self, AccountOption, Pager, encode, page_at, unit_price, when, when_opt};
use super::page::Page;
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/logs";
const PAGE_SIZE: u32 = 25;

/// The statuses a simulated message goes through or ends in: the filter
/// offers these rather than all of Twilio's.
const MESSAGE_STATUSES: [MessageStatus; 6] = [
    MessageStatus::Queued,
    MessageStatus::Sending,
    MessageStatus::Sent,
    MessageStatus::Delivered,
    MessageStatus::Undelivered,
    MessageStatus::Failed,
];

pub struct LogRow {
    pub sid: String,
    pub when: String,
    pub from: String,
    pub to: String,
    pub status: String,
    pub status_class: &'static str,
    pub detail: String,
    pub price: String,
}

#[derive(Template)]
#[template(path = "logs.html")]
struct Logs {
    chrome: Chrome,
    accounts: Vec<AccountOption>,
    messages: bool,
    to: String,
    from: String,
    statuses: Vec<(&'static str, bool)>,
    rows: Vec<LogRow>,
    pager: Pager,
    account_sid: String,
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    kind: Option<String>,
    account: Option<String>,
    to: Option<String>,
    from: Option<String>,
    status: Option<String>,
    after: Option<String>,
    before: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl From<&Message> for LogRow {
    fn from(m: &Message) -> Self {
        let mut detail: String = m.body.chars().take(80).collect();
        if m.body.chars().count() > 80 {
            detail.push('…');
        }
        LogRow {
            sid: m.sid.to_string(),
            when: when(m.date_created),
            from: m.from.clone(),
            to: m.to.clone(),
            status_class: status_class(m.status.as_str()),
            status: m.status.as_str().to_owned(),
            detail,
            price: m.price_micros.map(unit_price).unwrap_or_default(),
        }
    }
}

impl From<&Call> for LogRow {
    fn from(c: &Call) -> Self {
        LogRow {
            sid: c.sid.to_string(),
            when: when_opt(c.start_time.or(Some(c.date_created))),
            from: c.from.clone(),
            to: c.to.clone(),
            status_class: status_class(c.status.as_str()),
            status: c.status.as_str().to_owned(),
            detail: match c.duration {
                Some(d) => format!("{} · {d} s", c.direction),
                None => c.direction.as_str().to_owned(),
            },
            price: c.price_micros.map(unit_price).unwrap_or_default(),
        }
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "completed" | "delivered" | "sent" | "received" => "ok",
        "queued" | "ringing" | "in-progress" | "sending" | "accepted" | "scheduled" => "warn",
        _ => "bad",
    }
}

pub async fn page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<LogQuery>,
) -> PageResult {
    let account = match non_empty(&q.account) {
        None => session.account_sid.clone(),
        Some(s) => AccountSid::parse(&s).map_err(|_| PageError::NotFound)?,
    };
    let messages = q.kind.as_deref() == Some("messages");
    let resource = match messages {
        true => Resource::Messages,
        false => Resource::Calls,
    };
    let target = RequestTarget::Account(&account);
    let reading = (Action::Read, resource);
    let access = kit::access(&app, &session, None, target, reading).await?;
    let to = non_empty(&q.to);
    let from = non_empty(&q.from);
    let statuses: Vec<&'static str> = if messages {
        MESSAGE_STATUSES.iter().map(|s| s.as_str()).collect()
    } else {
        CallStatus::ALL.iter().map(|s| s.as_str()).collect()
    };
    let status = non_empty(&q.status).filter(|s| statuses.contains(&s.as_str()));
    let at = page_at(q.after.as_deref(), q.before.as_deref());

    let mut base = format!(
        "{PATH}?kind={}&account={account}",
        if messages { "messages" } else { "calls" }
    );
    for (k, v) in [("to", &to), ("from", &from)] {
        if let Some(v) = v {
            base.push_str(&format!("&{k}={}", encode(v)));
        }
    }
    if let Some(s) = &status {
        base.push_str(&format!("&status={}", encode(s)));
    }

    let (rows, pager) = if messages {
        let filter = MessageFilter {
            to: to.clone(),
            from: from.clone(),
            status: status.as_deref().and_then(|s| MessageStatus::parse(s).ok()),
            ..MessageFilter::default()
        };
        let sb = &app.sb;
        let p = sb.list_messages(&access, &account, &filter, &at, PAGE_SIZE);
        let p = p.await?;
        (
            p.items.iter().map(LogRow::from).collect::<Vec<_>>(),
            Pager::of(&p, &base),
        )
    } else {
        let filter = CallFilter {
            to: to.clone(),
            from: from.clone(),
            status: status.as_deref().and_then(|s| CallStatus::parse(s).ok()),
            ..CallFilter::default()
        };
        let sb = &app.sb;
        let p = sb.list_calls(&access, &account, &filter, &at, PAGE_SIZE);
        let p = p.await?;
        (
            p.items.iter().map(LogRow::from).collect::<Vec<_>>(),
            Pager::of(&p, &base),
        )
    };

    let accounts = kit::account_options(&app, &session, &account).await?;

    Ok(Page::render(&Logs {
        chrome: Chrome::for_session(Some(&session), PATH),
        accounts,
        messages,
        statuses: statuses
            .iter()
            .map(|s| (*s, status.as_deref() == Some(*s)))
            .collect(),
        to: to.unwrap_or_default(),
        from: from.unwrap_or_default(),
        rows,
        pager,
        account_sid: account.to_string(),
    })
    .into_response())
}
