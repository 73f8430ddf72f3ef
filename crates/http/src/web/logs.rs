//! Calls and messages of the signed-in account and its subaccounts, filtered
//! and paged by key with the store's list queries.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::telephony::calls::{Call, CallFilter};
use switchboard_domain::telephony::messages::{Message, MessageFilter};
use switchboard_store::calls::Range;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{AccountSid, CallStatus, MessageStatus, Timestamp};

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
    /// The call's or message's own page.
    pub href: String,
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
    /// The chosen account's whole label, written out under the picker (a
    /// picker's text cannot wrap: on a phone a long name would be cut).
    account_label: String,
    messages: bool,
    to: String,
    from: String,
    statuses: Vec<(&'static str, bool)>,
    since: String,
    until: String,
    errors: FilterErrors,
    rows: Vec<LogRow>,
    pager: Pager,
    account_sid: String,
}

/// What is wrong with the filters, each shown next to its field.
#[derive(Default)]
pub struct FilterErrors {
    pub from: Option<String>,
    pub to: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
}

impl FilterErrors {
    pub fn any(&self) -> bool {
        self.from.is_some() || self.to.is_some() || self.since.is_some() || self.until.is_some()
    }
}

/// A number filter as typed (`+1 415 555 1181`, `(415) 555-1181`): its
/// E.164 form, or what is wrong with it.
pub fn phone_filter(typed: Option<&str>) -> Result<Option<String>, String> {
    match typed {
        None => Ok(None),
        Some(t) => PhoneNumber::parse_typed(t)
            .map(|n| Some(n.as_str().to_owned()))
            .map_err(|_| {
                "Enter a phone number, such as +1 415 555 1181 or (415) 555-1181 (a number \
                 without a country code is read as North American)."
                    .to_owned()
            }),
    }
}

/// A day typed in a date field (`YYYY-MM-DD`), as the instant it starts
/// (UTC); `next` gives the start of the following day (an inclusive end).
pub fn day_filter(typed: Option<&str>, next: bool) -> Result<Option<Timestamp>, String> {
    let Some(t) = typed else { return Ok(None) };
    let day = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map_err(|_| "Enter a date as YYYY-MM-DD, such as 2026-12-06.".to_owned())?;
    let day = if next {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    let start = day
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp_micros());
    start
        .map(|micros| Some(Timestamp::from_micros(micros)))
        .ok_or_else(|| "Enter a date as YYYY-MM-DD, such as 2026-12-06.".to_owned())
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    kind: Option<String>,
    account: Option<String>,
    to: Option<String>,
    from: Option<String>,
    status: Option<String>,
    since: Option<String>,
    until: Option<String>,
    after: Option<String>,
    before: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl LogRow {
    pub fn message(m: &Message, account: &AccountSid) -> Self {
        let mut detail: String = m.body.chars().take(80).collect();
        if m.body.chars().count() > 80 {
            detail.push('…');
        }
        LogRow {
            href: format!("{PATH}/{account}/{}", m.sid),
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

    pub fn call(c: &Call, account: &AccountSid) -> Self {
        LogRow {
            href: format!("{PATH}/{account}/{}", c.sid),
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

pub fn status_class(status: &str) -> &'static str {
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
    let mut errors = FilterErrors::default();
    let typed_to = non_empty(&q.to);
    let typed_from = non_empty(&q.from);
    let typed_since = non_empty(&q.since);
    let typed_until = non_empty(&q.until);
    let to = phone_filter(typed_to.as_deref()).unwrap_or_else(|e| {
        errors.to = Some(e);
        None
    });
    let from = phone_filter(typed_from.as_deref()).unwrap_or_else(|e| {
        errors.from = Some(e);
        None
    });
    let since = day_filter(typed_since.as_deref(), false).unwrap_or_else(|e| {
        errors.since = Some(e);
        None
    });
    let until = day_filter(typed_until.as_deref(), true).unwrap_or_else(|e| {
        errors.until = Some(e);
        None
    });
    if let (Some(s), Some(u)) = (since, until)
        && u <= s
    {
        errors.until = Some("The last day is before the first day.".to_owned());
    }
    let range = Range { from: since, until };
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
    for (k, v) in [
        ("to", &to),
        ("from", &from),
        ("since", &typed_since),
        ("until", &typed_until),
    ] {
        if let Some(v) = v {
            base.push_str(&format!("&{k}={}", encode(v)));
        }
    }
    if let Some(s) = &status {
        base.push_str(&format!("&status={}", encode(s)));
    }

    let (rows, pager) = if errors.any() {
        // Nothing is listed for filters that do not make sense.
        (
            Vec::new(),
            Pager {
                previous: None,
                next: None,
            },
        )
    } else if messages {
        let filter = MessageFilter {
            to: to.clone(),
            from: from.clone(),
            status: status.as_deref().and_then(|s| MessageStatus::parse(s).ok()),
            date_sent: range,
        };
        let sb = &app.sb;
        let p = sb.list_messages(&access, &account, &filter, &at, PAGE_SIZE);
        let p = p.await?;
        (
            p.items
                .iter()
                .map(|m| LogRow::message(m, &account))
                .collect::<Vec<_>>(),
            Pager::of(&p, &base),
        )
    } else {
        let filter = CallFilter {
            to: to.clone(),
            from: from.clone(),
            status: status.as_deref().and_then(|s| CallStatus::parse(s).ok()),
            start_time: range,
            ..CallFilter::default()
        };
        let sb = &app.sb;
        let p = sb.list_calls(&access, &account, &filter, &at, PAGE_SIZE);
        let p = p.await?;
        (
            p.items
                .iter()
                .map(|c| LogRow::call(c, &account))
                .collect::<Vec<_>>(),
            Pager::of(&p, &base),
        )
    };

    let accounts = kit::account_options(&app, &session, &account).await?;
    let errors_any = errors.any();

    let status_code = if errors_any {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let account_label = accounts
        .iter()
        .find(|a| a.selected)
        .map(|a| a.label.clone())
        .unwrap_or_default();
    Ok(Page::render(&Logs {
        chrome: Chrome::for_session(Some(&session), PATH),
        account_label: if account_label.contains(account.as_str()) {
            account_label
        } else {
            format!("{account_label} · {account}")
        },
        accounts,
        messages,
        statuses: statuses
            .iter()
            .map(|s| (*s, status.as_deref() == Some(*s)))
            .collect(),
        // What was typed stays as typed when it is wrong, and is shown in
        // E.164 once it was read.
        to: to.or(typed_to).unwrap_or_default(),
        from: from.or(typed_from).unwrap_or_default(),
        since: typed_since.unwrap_or_default(),
        until: typed_until.unwrap_or_default(),
        errors,
        rows,
        pager,
        account_sid: account.to_string(),
    })
    .status(status_code)
    .into_response())
}
