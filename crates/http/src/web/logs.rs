//! Calls and messages of the signed-in account and its subaccounts, filtered
//! and paged by key with the store's list queries.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_store::calls::CallFilter;
use switchboard_store::messages::MessageFilter;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, CallStatus, MessageStatus};

use super::auth::internal;
use super::chrome::Chrome;
use super::kit::{self, Pager, dollars, encode, not_found, page_at, when, when_opt};
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

pub struct AccountOption {
    pub sid: String,
    pub label: String,
    pub selected: bool,
}

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
) -> Response {
    let account = match non_empty(&q.account) {
        None => session.account_sid.clone(),
        Some(s) => match AccountSid::parse(&s) {
            Ok(sid) => sid,
            Err(_) => return not_found(&session, PATH),
        },
    };
    let messages = q.kind.as_deref() == Some("messages");
    let resource = match messages {
        true => Resource::Messages,
        false => Resource::Calls,
    };
    let target = RequestTarget::Account(&account);
    let reading = (Action::Read, resource);
    let access = match kit::access(&app, &session, None, target, reading, PATH).await {
        Ok(a) => a,
        Err(r) => return r,
    };
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
        match app
            .sb
            .console_messages(&access, &filter, &at, PAGE_SIZE)
            .await
        {
            Ok(p) => (
                p.items
                    .iter()
                    .map(|m| LogRow {
                        sid: m.sid.to_string(),
                        when: when(m.date_created),
                        from: m.from_number.clone(),
                        to: m.to_number.clone(),
                        status_class: status_class(m.status.as_str()),
                        status: m.status.as_str().to_owned(),
                        detail: {
                            let mut body: String = m.body.chars().take(80).collect();
                            if m.body.chars().count() > 80 {
                                body.push('…');
                            }
                            body
                        },
                        price: m.price_micros.map(dollars).unwrap_or_default(),
                    })
                    .collect::<Vec<_>>(),
                Pager::of(&p, &base),
            ),
            Err(e) => return internal(e),
        }
    } else {
        let filter = CallFilter {
            to: to.clone(),
            from: from.clone(),
            status: status.as_deref().and_then(|s| CallStatus::parse(s).ok()),
            ..CallFilter::default()
        };
        match app.sb.console_calls(&access, &filter, &at, PAGE_SIZE).await {
            Ok(p) => (
                p.items
                    .iter()
                    .map(|c| LogRow {
                        sid: c.sid.to_string(),
                        when: when_opt(c.start_time.or(Some(c.date_created))),
                        from: c.from_number.clone(),
                        to: c.to_number.clone(),
                        status_class: status_class(c.status.as_str()),
                        status: c.status.as_str().to_owned(),
                        detail: match c.duration {
                            Some(d) => format!("{} · {d} s", c.direction),
                            None => c.direction.as_str().to_owned(),
                        },
                        price: c.price_micros.map(dollars).unwrap_or_default(),
                    })
                    .collect::<Vec<_>>(),
                Pager::of(&p, &base),
            ),
            Err(e) => return internal(e),
        }
    };

    // The picker: the main account and its subaccounts (the first few hundred).
    let mut accounts = vec![AccountOption {
        sid: session.account_sid.to_string(),
        label: format!("{} (main account)", session.account_name),
        selected: account == session.account_sid,
    }];
    let listing = (Action::Read, Resource::AccountList);
    let target = RequestTarget::AccountList;
    let tree = match kit::access(&app, &session, None, target, listing, PATH).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match app
        .sb
        .accounts()
        .subaccounts(&tree, &PageAt::First, 500)
        .await
    {
        Ok(p) => accounts.extend(p.items.iter().map(|a| AccountOption {
            sid: a.sid.to_string(),
            label: format!("{} ({})", a.friendly_name, a.sid),
            selected: a.sid == account,
        })),
        Err(e) => return internal(e),
    }

    Page::render(&Logs {
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
    .into_response()
}
