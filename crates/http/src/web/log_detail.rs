//! One call's or one message's page, opened from the Logs: what it is, and
//! everything Switchboard did about it. For a call: each request for TwiML
//! with the document returned and the verbs executed from it (with their
//! simulated start times), its status callbacks, notifications, child legs
//! and recordings. For a message: the webhooks and callbacks sent about it,
//! its notifications, and, for an inbound one, the replies.
//! Every read goes through the policy, as the Logs page's do.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use switchboard_domain::access::{Access, Action, RequestTarget, Resource};
use switchboard_domain::console::ConsoleSession;
use switchboard_domain::delivery::WebhookKind;
use switchboard_domain::notifications::{NotificationFilter, NotificationScope};
use switchboard_domain::telephony::call_events::CallRequestEvent;
use switchboard_domain::telephony::calls::{Call, CallFilter, RecordingsOf};
use switchboard_domain::telephony::messages::{Message, MessageFilter};
use switchboard_domain::telephony::voice::timeline::TimelineDocument;
use switchboard_store::calls::Range;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, CallSid, MessageDirection, MessageSid, Timestamp};

use super::chrome::Chrome;
use super::error::{PageError, PageResult};
use super::kit::{self, unit_price, when, when_opt};
use super::logs::{LogRow, PATH, status_class};
use super::page::Page;
use super::phone::{DeliveryRow, NotificationRow};
use super::session::SignedIn;
use crate::App;

/// How much of a document or an answer is shown; the rest is on the
/// delivery's page.
const SHOWN: usize = 2_000;
/// How many requests, legs, recordings and notifications one page shows.
const MOST: u32 = 100;

fn shown(body: &str) -> (String, bool) {
    match body.char_indices().nth(SHOWN) {
        Some((at, _)) => (body[..at].to_owned(), true),
        None => (body.to_owned(), false),
    }
}

async fn granted(
    app: &App,
    session: &ConsoleSession,
    account: &AccountSid,
    resource: Resource,
) -> Result<Access, PageError> {
    kit::access(
        app,
        session,
        None,
        RequestTarget::Account(account),
        (Action::Read, resource),
    )
    .await
}

/// A fact about the call or message: a name and its value.
pub struct Fact {
    pub name: &'static str,
    pub value: String,
    pub mono: bool,
    pub href: Option<String>,
}

fn fact(name: &'static str, value: impl Into<String>) -> Fact {
    Fact {
        name,
        value: value.into(),
        mono: false,
        href: None,
    }
}

fn mono(name: &'static str, value: impl Into<String>) -> Fact {
    Fact {
        mono: true,
        ..fact(name, value)
    }
}

/// One request sent about the call.
pub struct RequestRow {
    pub kind: String,
    pub delivery: String,
    pub method: String,
    pub url: String,
    pub sent: String,
    pub status: String,
    pub ok: bool,
    pub latency: String,
    pub error: String,
    pub content_type: String,
    pub body: String,
    pub cut: bool,
}

pub struct VerbRow {
    /// `+12 s`.
    pub offset: String,
    /// The simulated moment it started, when the call's answer is known.
    pub at: String,
    pub verb: String,
    pub detail: String,
}

/// A document the call ran: where it came from, what it said, what ran.
pub struct DocumentRow {
    pub number: usize,
    pub source: String,
    pub delivery: String,
    pub body: String,
    pub cut: bool,
    pub verbs: Vec<VerbRow>,
}

pub struct RecordingRow {
    pub sid: String,
    pub duration: String,
    pub status: String,
    pub started: String,
}

#[derive(Template)]
#[template(path = "log_call.html")]
struct CallPage {
    chrome: Chrome,
    back: String,
    sid: String,
    status: String,
    status_class: &'static str,
    facts: Vec<Fact>,
    documents: Vec<DocumentRow>,
    requests: Vec<RequestRow>,
    legs: Vec<LogRow>,
    recordings: Vec<RecordingRow>,
    notifications: Vec<NotificationRow>,
}

#[derive(Template)]
#[template(path = "log_message.html")]
struct MessagePage {
    chrome: Chrome,
    back: String,
    sid: String,
    status: String,
    status_class: &'static str,
    facts: Vec<Fact>,
    body: String,
    inbound: bool,
    deliveries: Vec<DeliveryRow>,
    notifications: Vec<NotificationRow>,
    replies: Vec<LogRow>,
}

fn kind_label(kind: WebhookKind) -> &'static str {
    match kind {
        WebhookKind::VoiceAnswer => "Answer: the call's URL",
        WebhookKind::VoiceFallback => "Fallback URL",
        WebhookKind::VoiceRedirect => "<Redirect>",
        WebhookKind::VoiceAction => "Verb action",
        WebhookKind::QueueWait => "<Enqueue> wait URL",
        WebhookKind::QueueWhisper => "<Queue> whisper URL",
        WebhookKind::QueueResult => "<Enqueue> action (not run)",
        WebhookKind::ConferenceWait => "<Conference> wait URL",
        WebhookKind::ConferenceHold => "Participant hold URL",
        WebhookKind::ConferenceAnnounce => "Conference announce URL",
        WebhookKind::CallStatus => "Status callback",
        _ => kind.as_str(),
    }
}

/// `/console/logs/{account}/{sid}`: a call (`CA…`) or a message (`SM…`,
/// `MM…`) of one of the user's accounts; anything else is not found.
pub async fn page(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path((account, sid)): Path<(String, String)>,
) -> PageResult {
    let account = AccountSid::parse(&account).map_err(|_| PageError::NotFound)?;
    if let Ok(call) = CallSid::parse(&sid) {
        return call_page(&app, &session, &account, &call).await;
    }
    let message = MessageSid::parse(&sid).map_err(|_| PageError::NotFound)?;
    message_page(&app, &session, &account, &message).await
}

async fn call_page(
    app: &App,
    session: &ConsoleSession,
    account: &AccountSid,
    sid: &CallSid,
) -> PageResult {
    let access = granted(app, session, account, Resource::Calls).await?;
    let call = app.sb.fetch_call(&access, account, sid).await?;

    let events_access = granted(app, session, account, Resource::CallEvents).await?;
    let events = app.sb.call_events();
    let requests = events
        .list((&events_access).into(), sid, &PageAt::First, MOST)
        .await?
        .items;
    let timeline = events.timeline((&events_access).into(), sid).await?;

    let legs_filter = CallFilter {
        parent_call_sid: Some(sid.clone()),
        ..CallFilter::default()
    };
    let legs = app
        .sb
        .list_calls(&access, account, &legs_filter, &PageAt::First, MOST)
        .await?
        .items;

    let recordings_access = granted(app, session, account, Resource::Recordings).await?;
    let recordings = app
        .sb
        .list_recordings(
            &recordings_access,
            account,
            (RecordingsOf::Call(sid), Default::default()),
            &PageAt::First,
            MOST,
        )
        .await?
        .items;

    let notices_access = granted(app, session, account, Resource::Notifications).await?;
    let filter = NotificationFilter {
        call_sid: Some(sid.clone()),
        ..NotificationFilter::default()
    };
    let notifications = app
        .sb
        .notifications()
        .list(
            (&notices_access).into(),
            NotificationScope::Account,
            &filter,
            &PageAt::First,
            MOST,
        )
        .await?
        .items;

    let answered = answered_at(&call);
    let documents = documents(&call, &timeline, &requests);

    let mut facts = vec![
        mono("Call SID", call.sid.to_string()),
        mono("Account", account.to_string()),
        mono("From", call.from.clone()),
        mono("To", call.to.clone()),
        fact("Direction", call.direction.as_str()),
        fact("Created", when(call.date_created)),
        fact("Started", when_opt(call.start_time)),
        fact("Answered", answered.map(when).unwrap_or_else(|| "—".into())),
        fact("Ended", when_opt(call.end_time)),
        fact(
            "Duration",
            call.duration
                .map(|d| format!("{d} s"))
                .unwrap_or_else(|| "—".into()),
        ),
        fact(
            "Price",
            call.price_micros
                .map(unit_price)
                .unwrap_or_else(|| "—".into()),
        ),
    ];
    if let Some(parent) = &call.parent_call_sid {
        facts.push(Fact {
            href: Some(format!("{PATH}/{account}/{parent}")),
            ..mono("Parent call", parent.to_string())
        });
    }

    Ok(Page::render(&CallPage {
        chrome: Chrome::for_session(Some(session), PATH),
        back: format!("{PATH}?kind=calls&account={account}"),
        sid: call.sid.to_string(),
        status: call.status.as_str().to_owned(),
        status_class: status_class(call.status.as_str()),
        facts,
        documents,
        requests: requests
            .iter()
            .map(|r| {
                let (body, cut) = shown(r.response_body.as_deref().unwrap_or_default());
                RequestRow {
                    kind: kind_label(r.kind).to_owned(),
                    delivery: r.delivery_sid.to_string(),
                    method: r.method.clone(),
                    url: r.url.clone(),
                    sent: when(r.sent_at),
                    status: r
                        .response_code
                        .map_or_else(|| "no answer".to_owned(), |c| c.to_string()),
                    ok: r.response_code.is_some_and(|c| (200..300).contains(&c)),
                    latency: r
                        .duration_ms
                        .map(|ms| format!("{ms} ms"))
                        .unwrap_or_default(),
                    error: r.error.clone().unwrap_or_default(),
                    content_type: r.content_type.clone().unwrap_or_default(),
                    body,
                    cut,
                }
            })
            .collect(),
        legs: legs.iter().map(|c| LogRow::call(c, account)).collect(),
        recordings: recordings
            .iter()
            .map(|r| RecordingRow {
                sid: r.sid.to_string(),
                duration: format!("{} s", r.duration),
                status: r.status.as_str().to_owned(),
                started: when(r.start_time),
            })
            .collect(),
        notifications: notifications.iter().map(NotificationRow::from).collect(),
    })
    .into_response())
}

/// The inline document a call was placed with, if any.
fn call_twiml(call: &Call) -> String {
    call.twiml.clone().unwrap_or_default()
}

/// When the call was answered: the verbs' start times count from it.
/// On a fast simulated clock (`--sim-speed instant`) a call's seconds pass
/// quicker than real ones, so its end less its duration can fall before it
/// started: then no moment is given, only the offsets. A call not yet ended
/// has none either.
fn answered_at(call: &Call) -> Option<Timestamp> {
    match (call.end_time, call.duration) {
        (Some(end), Some(d)) if d > 0 => Some(end.plus_micros(-d * 1_000_000)),
        _ => None,
    }
    .filter(|a| *a >= call.start_time.unwrap_or(call.date_created))
}

/// The call's timeline as the pages show it (`call_timeline.html`): each
/// document it ran, where it came from (the request among `requests` whose
/// answer it was), and the verbs executed from it. The call's page and the
/// Phone page both show it.
pub fn documents(
    call: &Call,
    timeline: &[TimelineDocument],
    requests: &[CallRequestEvent],
) -> Vec<DocumentRow> {
    let answered = answered_at(call);
    timeline
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let request = d
                .delivery
                .as_ref()
                .and_then(|sid| requests.iter().rfind(|r| &r.delivery_sid == sid));
            let (source, body) = match request {
                Some(r) => (
                    format!("{} {} {}", kind_label(r.kind), r.method, r.url),
                    r.response_body.clone().unwrap_or_default(),
                ),
                None if d.delivery.is_none() && i == 0 => (
                    "Inline TwiML (the call's Twiml parameter)".to_owned(),
                    call_twiml(call),
                ),
                None => ("Inline TwiML".to_owned(), String::new()),
            };
            let (body, cut) = shown(&body);
            DocumentRow {
                number: i + 1,
                source,
                delivery: d
                    .delivery
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                body,
                cut,
                verbs: d
                    .verbs
                    .iter()
                    .map(|v| VerbRow {
                        offset: format!("+{} s", v.at_secs),
                        at: answered
                            .map(|a| when(a.plus_micros(v.at_secs * 1_000_000)))
                            .unwrap_or_default(),
                        verb: format!("<{}>", v.verb),
                        detail: v.detail.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

async fn message_page(
    app: &App,
    session: &ConsoleSession,
    account: &AccountSid,
    sid: &MessageSid,
) -> PageResult {
    let access = granted(app, session, account, Resource::Messages).await?;
    let m: Message = app.sb.fetch_message(&access, account, sid).await?;
    let sids = [m.sid.clone()];
    // Notifications first: one commits with the attempt it is about, so
    // the deliveries read after show that attempt too.
    let notices_access = granted(app, session, account, Resource::Notifications).await?;
    let notifications = app
        .sb
        .notifications()
        .of_messages(&notices_access, &sids, m.date_created)
        .await?;
    let deliveries_access = granted(app, session, account, Resource::Deliveries).await?;
    let deliveries = app
        .sb
        .deliveries()
        .of_messages(&deliveries_access, &sids, m.date_created)
        .await?;
    let inbound = m.direction == MessageDirection::Inbound;
    // Replies are not linked to what they answer: they are the messages the
    // number sent back to the handset in the next five minutes.
    let replies = if inbound {
        let filter = MessageFilter {
            to: Some(m.from.clone()),
            from: Some(m.to.clone()),
            date_sent: Range {
                from: Some(m.date_created),
                until: Some(m.date_created.plus_micros(5 * 60 * 1_000_000)),
            },
            ..MessageFilter::default()
        };
        let mut found = app
            .sb
            .list_messages(&access, account, &filter, &PageAt::First, 25)
            .await?
            .items;
        found.reverse();
        found
    } else {
        Vec::new()
    };

    let facts = vec![
        mono("Message SID", m.sid.to_string()),
        mono("Account", account.to_string()),
        mono("From", m.from.clone()),
        mono("To", m.to.clone()),
        fact("Direction", m.direction.as_str()),
        fact("Created", when(m.date_created)),
        fact("Sent", when_opt(m.date_sent)),
        fact("Segments", m.num_segments.to_string()),
        fact("Media", m.media_urls.len().to_string()),
        fact(
            "Price",
            m.price_micros.map(unit_price).unwrap_or_else(|| "—".into()),
        ),
        fact(
            "Error",
            match (m.error_code, &m.error_message) {
                (Some(code), Some(text)) => format!("{code}: {text}"),
                (Some(code), None) => code.to_string(),
                _ => "—".to_owned(),
            },
        ),
    ];
    Ok(Page::render(&MessagePage {
        chrome: Chrome::for_session(Some(session), PATH),
        back: format!("{PATH}?kind=messages&account={account}"),
        sid: m.sid.to_string(),
        status: m.status.as_str().to_owned(),
        status_class: status_class(m.status.as_str()),
        facts,
        body: m.body.clone(),
        inbound,
        deliveries: deliveries.iter().map(DeliveryRow::from).collect(),
        notifications: notifications.iter().map(NotificationRow::from).collect(),
        replies: replies
            .iter()
            .map(|r| LogRow::message(r, account))
            .collect(),
    })
    .into_response())
}
