//! The Phone page: one of the account's numbers as a simulated handset sees
//! it. The user writes a message from a handset number and watches the
//! thread: the inbound message, the webhook it caused (request, the app's
//! answer, latency), the replies and their statuses. `/assets/phone.js`
//! refreshes the thread from `…/thread` without a reload; without it a
//! reload shows the same thing.
//!
//! The handset also calls the number (as `POST …/InboundCalls.json` would),
//! and the page shows its latest call: the status, the timeline of the
//! TwiML run (the call page's, `log_detail::documents`), a keypad that sends
//! the caller's keys and speech (as `…/Calls/{Sid}/Input.json`) and a way to
//! hang up (as `Status=completed`). The script refreshes that part from
//! `…/call`.

use super::invalid::{say, say_as, sentence_end};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use switchboard_domain::DomainError;
use switchboard_domain::access::{Access, Action, RequestTarget, Resource};
use switchboard_domain::console::ConsoleSession;
use switchboard_domain::delivery::{DeliveryView, WebhookKind};
use switchboard_domain::error::{CallField, Field, MessageField};
use switchboard_domain::notifications::Notification;
use switchboard_domain::telephony::call_events::CallRequestEvent;
use switchboard_domain::telephony::calls::{Call, CallFilter, CallUpdate};
use switchboard_domain::telephony::inbound::IncomingMessage;
use switchboard_domain::telephony::messages::{Message, MessageFilter};
use switchboard_domain::telephony::numbers::{IncomingPhoneNumber, NumberFilter};
use switchboard_domain::telephony::voice::{IncomingCall, check_input};
use switchboard_store::page::PageAt;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{
    AccountSid, CallDirection, CallSid, CallStage, MessageDirection, NotificationLevel,
    PhoneNumberSid,
};

use super::chrome::Chrome;
use super::client_addr::ClientAddr;
use super::csrf::CsrfForm;
use super::error::{PageError, PageResult};
use super::kit::{self, AccountOption, Pager, encode, page_at, when};
use super::log_detail::{self, DocumentRow};
use super::logs;
use super::page::{Page, see_other};
use super::session::SignedIn;
use crate::App;

pub const PATH: &str = "/console/phone";
const NUMBERS_PAGE_SIZE: u32 = 50;
/// How many messages of a thread the page shows (the newest); older ones are
/// in the Logs.
const THREAD_SIZE: u32 = 30;
/// The handset a number's page starts with when no one has texted it yet.
pub const DEFAULT_HANDSET: &str = "+14155550100";
/// How much of an answer's body the thread shows; the rest is cut.
const SHOWN_BODY: usize = 2_000;
/// How many requests about a call are read to say where its documents came
/// from (the call page reads as many).
const CALL_REQUESTS: u32 = 100;

/// The account a path or picker names: one of the user's, or (for anything
/// unreadable) not found.
fn account_of(value: &str) -> Result<AccountSid, PageError> {
    AccountSid::parse(value).map_err(|_| PageError::NotFound)
}

async fn granted(
    app: &App,
    session: &ConsoleSession,
    client: Option<&ClientAddr>,
    account: &AccountSid,
    wanted: (Action, Resource),
) -> Result<Access, PageError> {
    kit::access(
        app,
        session,
        client,
        RequestTarget::Account(account),
        wanted,
    )
    .await
}

// ---------------------------------------------------------------------------
// The numbers of an account.

pub struct NumberRow {
    pub href: String,
    pub number: String,
    pub name: String,
    pub webhook: String,
}

#[derive(Template)]
#[template(path = "phone_numbers.html")]
struct Numbers {
    chrome: Chrome,
    accounts: Vec<AccountOption>,
    rows: Vec<NumberRow>,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct NumbersQuery {
    account: Option<String>,
    after: Option<String>,
    before: Option<String>,
}

/// The link to a number's phone, with a handset's thread open.
pub fn number_href(account: &AccountSid, number: &PhoneNumberSid, handset: Option<&str>) -> String {
    match handset {
        Some(h) => format!("{PATH}/{account}/{number}?handset={}", encode(h)),
        None => format!("{PATH}/{account}/{number}"),
    }
}

fn webhook_of(n: &IncomingPhoneNumber) -> String {
    match &n.hooks.sms_url {
        Some(url) => format!("{} {url}", n.hooks.sms_method.as_str()),
        None => String::new(),
    }
}

/// Where the number's calls are answered: its voice application, or its
/// voice URL; empty for neither (nothing answers them).
fn voice_webhook_of(n: &IncomingPhoneNumber) -> String {
    match (&n.hooks.voice_application_sid, &n.hooks.voice_url) {
        (Some(app), _) => format!("TwiML App {app}"),
        (None, Some(url)) => format!("{} {url}", n.hooks.voice_method.as_str()),
        (None, None) => String::new(),
    }
}

pub async fn numbers(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Query(q): Query<NumbersQuery>,
) -> PageResult {
    let account = match q
        .account
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => account_of(s)?,
        None => session.account_sid.clone(),
    };
    let reading = (Action::Read, Resource::PhoneNumbers);
    let access = granted(&app, &session, None, &account, reading).await?;
    let at = page_at(q.after.as_deref(), q.before.as_deref());
    let filter = NumberFilter::default();
    let page = app
        .sb
        .list_numbers(&access, &account, &filter, &at, NUMBERS_PAGE_SIZE)
        .await?;
    let base = format!("{PATH}?account={account}");
    Ok(Page::render(&Numbers {
        chrome: Chrome::for_session(Some(&session), PATH),
        accounts: kit::account_options(&app, &session, &account).await?,
        rows: page
            .items
            .iter()
            .map(|n| NumberRow {
                href: number_href(&account, &n.sid, None),
                number: n.phone_number.clone(),
                name: n.friendly_name.clone(),
                webhook: webhook_of(n),
            })
            .collect(),
        pager: Pager::of(&page, &base),
    })
    .into_response())
}

// ---------------------------------------------------------------------------
// The thread between a number and a handset.

pub struct AttemptRow {
    pub number: i64,
    pub at: String,
    pub url: String,
    pub status: String,
    pub ok: bool,
    pub latency: String,
    pub error: String,
    /// The error in a few words, for the attempt's one-line summary.
    pub error_summary: String,
    pub content_type: String,
    pub body: String,
    /// The body was longer than shown.
    pub cut: bool,
}

pub struct DeliveryRow {
    pub sid: String,
    pub kind: String,
    pub method: String,
    pub url: String,
    pub state: String,
    pub state_class: &'static str,
    pub attempts: Vec<AttemptRow>,
}

pub struct NotificationRow {
    pub sid: String,
    pub level: &'static str,
    pub level_class: &'static str,
    pub code: i64,
    pub more_info: String,
    pub message: String,
}

pub struct ThreadMessage {
    pub sid: String,
    pub when: String,
    /// Sent by the handset (the page's user), rather than to it.
    pub from_handset: bool,
    pub who: String,
    pub body: String,
    pub media: usize,
    pub status: String,
    pub status_class: &'static str,
    pub error: String,
    pub deliveries: Vec<DeliveryRow>,
    pub notifications: Vec<NotificationRow>,
}

pub struct Thread {
    pub handset: String,
    pub number: String,
    pub messages: Vec<ThreadMessage>,
    /// Older messages than those shown exist: where to find them.
    pub older: Option<(String, String)>,
}

fn status_class(status: &str) -> &'static str {
    match status {
        "delivered" | "sent" | "received" | "read" | "succeeded" => "ok",
        "queued" | "sending" | "accepted" | "scheduled" | "receiving" | "pending" => "warn",
        _ => "bad",
    }
}

/// The first `SHOWN_BODY` characters of an answer; whether more was cut.
fn shown(body: &str) -> (String, bool) {
    match body.char_indices().nth(SHOWN_BODY) {
        Some((at, _)) => (body[..at].to_owned(), true),
        None => (body.to_owned(), false),
    }
}

/// What a delivery about a message is, in words.
fn kind_label(kind: &str) -> String {
    match WebhookKind::parse(kind) {
        Some(WebhookKind::IncomingMessage) => "Webhook".to_owned(),
        Some(WebhookKind::IncomingMessageFallback) => "Fallback webhook".to_owned(),
        Some(WebhookKind::MessageRedirect) => "<Redirect>".to_owned(),
        Some(WebhookKind::MessageAction) => "<Message action>".to_owned(),
        Some(WebhookKind::MessageStatus) => "Status callback".to_owned(),
        _ => kind.to_owned(),
    }
}

impl From<&DeliveryView> for DeliveryRow {
    fn from(v: &DeliveryView) -> Self {
        let d = &v.delivery;
        DeliveryRow {
            sid: d.sid.to_string(),
            kind: kind_label(&d.kind),
            method: d.method.clone(),
            url: d.url.clone(),
            state: d.state.clone(),
            state_class: status_class(&d.state),
            attempts: v
                .attempts
                .iter()
                .map(|a| {
                    let (body, cut) = shown(a.response_body.as_deref().unwrap_or_default());
                    AttemptRow {
                        number: a.number,
                        at: when(a.at),
                        url: a.url.clone(),
                        status: a
                            .status_code
                            .map_or_else(|| "no answer".to_owned(), |c| c.to_string()),
                        ok: a.status_code.is_some_and(|c| (200..300).contains(&c)),
                        latency: a
                            .latency_ms
                            .map(|ms| format!("{ms} ms"))
                            .unwrap_or_default(),
                        error: a.error.clone().unwrap_or_default(),
                        error_summary: a
                            .error
                            .as_deref()
                            .map(kit::error_summary)
                            .unwrap_or_default(),
                        content_type: a.response_content_type.clone().unwrap_or_default(),
                        body,
                        cut,
                    }
                })
                .collect(),
        }
    }
}

impl From<&Notification> for NotificationRow {
    fn from(n: &Notification) -> Self {
        let (level, level_class) = match n.level {
            NotificationLevel::Error => ("error", "bad"),
            NotificationLevel::Warning => ("warning", "warn"),
        };
        NotificationRow {
            sid: n.sid.to_string(),
            level,
            level_class,
            code: n.error_code,
            more_info: n.more_info(),
            message: n.message(),
        }
    }
}

/// The newest messages between `number` (of `account`) and `handset`, oldest
/// first, with what was sent about each and the notifications they caused.
async fn thread(
    app: &App,
    session: &ConsoleSession,
    account: &AccountSid,
    number: &str,
    handset: &str,
) -> Result<Thread, PageError> {
    let reading = (Action::Read, Resource::Messages);
    let messages_access = granted(app, session, None, account, reading).await?;
    let mut messages: Vec<Message> = Vec::new();
    let mut more = false;
    for (to, from) in [(number, handset), (handset, number)] {
        let filter = MessageFilter {
            to: Some(to.to_owned()),
            from: Some(from.to_owned()),
            ..MessageFilter::default()
        };
        let page = app
            .sb
            .list_messages(
                &messages_access,
                account,
                &filter,
                &PageAt::First,
                THREAD_SIZE,
            )
            .await?;
        more |= page.next_cursor().is_some();
        messages.extend(page.items);
    }
    messages
        .sort_by(|a, b| (a.date_created, a.sid.as_str()).cmp(&(b.date_created, b.sid.as_str())));
    let keep = messages.len().saturating_sub(THREAD_SIZE as usize);
    more |= keep > 0;
    messages.drain(..keep);

    let sids: Vec<_> = messages.iter().map(|m| m.sid.clone()).collect();
    let since = messages.first().map(|m| m.date_created);
    let (deliveries, notifications) = match since {
        None => (Vec::new(), Vec::new()),
        Some(since) => {
            // Notifications first: one commits with the attempt it is about,
            // so reading the deliveries after it always shows that attempt
            // too (the two reads are not one snapshot).
            let reading = (Action::Read, Resource::Notifications);
            let access = granted(app, session, None, account, reading).await?;
            let notifications = app.sb.notifications();
            let notifications = notifications.of_messages(&access, &sids, since).await?;
            let reading = (Action::Read, Resource::Deliveries);
            let access = granted(app, session, None, account, reading).await?;
            let deliveries = app.sb.deliveries();
            let deliveries = deliveries.of_messages(&access, &sids, since).await?;
            (deliveries, notifications)
        }
    };
    let about = |sid: &str, resource: &Option<String>| resource.as_deref() == Some(sid);
    let older = more.then(|| {
        let logs = format!("/console/logs?kind=messages&account={account}");
        (
            format!("{logs}&from={}&to={}", encode(handset), encode(number)),
            format!("{logs}&from={}&to={}", encode(number), encode(handset)),
        )
    });
    Ok(Thread {
        handset: handset.to_owned(),
        number: number.to_owned(),
        older,
        messages: messages
            .iter()
            .map(|m| {
                let sid = m.sid.as_str();
                let from_handset = m.direction == MessageDirection::Inbound;
                ThreadMessage {
                    sid: sid.to_owned(),
                    when: when(m.date_created),
                    from_handset,
                    who: if from_handset { handset } else { number }.to_owned(),
                    body: m.body.clone(),
                    media: m.media_urls.len(),
                    status: m.status.as_str().to_owned(),
                    status_class: status_class(m.status.as_str()),
                    error: match (m.error_code, &m.error_message) {
                        (Some(code), Some(text)) => format!("{code}: {text}"),
                        (Some(code), None) => code.to_string(),
                        _ => String::new(),
                    },
                    deliveries: deliveries
                        .iter()
                        .filter(|d| about(sid, &d.delivery.resource_sid))
                        .map(DeliveryRow::from)
                        .collect(),
                    notifications: notifications
                        .iter()
                        .filter(|n| about(sid, &n.resource_sid))
                        .map(NotificationRow::from)
                        .collect(),
                }
            })
            .collect(),
    })
}

/// What the form to send from the handset holds, and its mistakes.
#[derive(Default)]
pub struct SendForm {
    pub handset: String,
    pub body: String,
    pub media_url: String,
    pub handset_error: Option<String>,
    pub body_error: Option<String>,
    pub media_error: Option<String>,
}

/// What the form to call from the handset holds, and its mistakes.
#[derive(Default)]
pub struct CallForm {
    pub handset: String,
    /// Keys to queue for the call's first `<Gather>`.
    pub digits: String,
    pub handset_error: Option<String>,
    pub digits_error: Option<String>,
    /// Why the number cannot take the call.
    pub number_error: Option<String>,
}

/// What the caller typed for the call (keys, speech), and what was
/// refused: that input, or hanging up.
#[derive(Default)]
pub struct KeysForm {
    pub digits: String,
    pub speech: String,
    pub error: Option<String>,
    pub hangup_error: Option<String>,
}

impl KeysForm {
    pub fn refused(&self) -> bool {
        self.error.is_some() || self.hangup_error.is_some()
    }
}

/// The page's forms as the user left them.
#[derive(Default)]
struct Forms {
    send: SendForm,
    call: CallForm,
    keys: KeysForm,
}

/// The handset's latest call to the number.
pub struct CallView {
    pub sid: String,
    /// Its page in the Logs.
    pub href: String,
    pub status: String,
    pub status_class: &'static str,
    /// Ringing or in progress: it takes keys and can be hung up.
    pub live: bool,
    /// When it started; how long it talked, once it has ended.
    pub detail: String,
    pub input_action: String,
    pub hangup_action: String,
    pub documents: Vec<DocumentRow>,
}

/// The call part of the page (`phone_call.html`), also fetched alone.
pub struct CallPart {
    pub csrf_token: String,
    pub handset: String,
    pub number: String,
    pub call: Option<CallView>,
    pub keys: KeysForm,
}

#[derive(Template)]
#[template(path = "phone.html")]
struct Phone {
    chrome: Chrome,
    csrf_token: String,
    account: String,
    account_label: String,
    sid: String,
    number: String,
    name: String,
    webhook: String,
    voice_webhook: String,
    action: String,
    call_action: String,
    here: String,
    poll: String,
    call_poll: String,
    form: SendForm,
    call_form: CallForm,
    handsets: Vec<(String, String, bool)>,
    thread: Thread,
    part: CallPart,
}

#[derive(Template)]
#[template(path = "phone_thread.html")]
struct ThreadFragment {
    thread: Thread,
}

#[derive(Template)]
#[template(path = "phone_call.html")]
struct CallFragment {
    part: CallPart,
}

#[derive(Deserialize)]
pub struct PhoneQuery {
    handset: Option<String>,
}

/// The number a phone path names, read with the user's access to the
/// account's numbers; anything else is not found.
async fn number_of(
    app: &App,
    session: &ConsoleSession,
    account: &str,
    sid: &str,
) -> Result<(AccountSid, IncomingPhoneNumber), PageError> {
    let account = account_of(account)?;
    let sid = PhoneNumberSid::parse(sid).map_err(|_| PageError::NotFound)?;
    let reading = (Action::Read, Resource::PhoneNumbers);
    let access = granted(app, session, None, &account, reading).await?;
    let number = app.sb.fetch_number(&access, &account, &sid).await?;
    Ok((account, number))
}

/// The handset a link names, written as messages store it (E.164), so
/// `?handset=+1 415…` finds the same thread; anything else as given.
fn chosen_handset(q: &PhoneQuery) -> Option<String> {
    let given = q
        .handset
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())?;
    Some(PhoneNumber::parse(given).map_or_else(|_| given.to_owned(), |n| n.as_str().to_owned()))
}

/// The handsets that texted `number` lately, newest first.
async fn recent_handsets(
    app: &App,
    session: &ConsoleSession,
    account: &AccountSid,
    number: &str,
) -> Result<Vec<String>, PageError> {
    let reading = (Action::Read, Resource::Messages);
    let access = granted(app, session, None, account, reading).await?;
    let filter = MessageFilter {
        to: Some(number.to_owned()),
        ..MessageFilter::default()
    };
    let page = app
        .sb
        .list_messages(&access, account, &filter, &PageAt::First, 50)
        .await?;
    let mut handsets: Vec<String> = Vec::new();
    for m in page.items {
        if m.direction == MessageDirection::Inbound && !handsets.contains(&m.from) {
            handsets.push(m.from);
        }
    }
    handsets.truncate(8);
    Ok(handsets)
}

/// Where the handset's call to the number is shown, once placed or changed.
fn call_href(account: &AccountSid, number: &PhoneNumberSid, handset: &str) -> String {
    format!("{}#call", number_href(account, number, Some(handset)))
}

/// The latest call from `handset` to `number`, with its timeline.
async fn call_part(
    app: &App,
    session: &ConsoleSession,
    (account, number): (&AccountSid, &IncomingPhoneNumber),
    handset: &str,
    keys: KeysForm,
) -> Result<CallPart, PageError> {
    let reading = (Action::Read, Resource::Calls);
    let access = granted(app, session, None, account, reading).await?;
    let filter = CallFilter {
        to: Some(number.phone_number.clone()),
        from: Some(handset.to_owned()),
        ..CallFilter::default()
    };
    // A number of this account calling another is an outbound call beside
    // the inbound one; the handset's are inbound.
    let latest = app
        .sb
        .list_calls(&access, account, &filter, &PageAt::First, 5)
        .await?
        .items
        .into_iter()
        .find(|c| c.direction == CallDirection::Inbound);
    let call = match latest {
        Some(c) => Some(call_view(app, session, (account, number), c).await?),
        None => None,
    };
    Ok(CallPart {
        csrf_token: session.csrf_token.clone(),
        handset: handset.to_owned(),
        number: number.phone_number.clone(),
        call,
        keys,
    })
}

async fn call_view(
    app: &App,
    session: &ConsoleSession,
    (account, number): (&AccountSid, &IncomingPhoneNumber),
    call: Call,
) -> Result<CallView, PageError> {
    let reading = (Action::Read, Resource::CallEvents);
    let access = granted(app, session, None, account, reading).await?;
    let events = app.sb.call_events();
    // The timeline first: a document is added to it with the request it
    // answered, so the requests read after it include that one.
    let timeline = events.timeline((&access).into(), &call.sid).await?;
    let requests: Vec<CallRequestEvent> = events
        .list((&access).into(), &call.sid, &PageAt::First, CALL_REQUESTS)
        .await?
        .items;
    let live = call.status.stage() != CallStage::Ended;
    let started = when(call.start_time.unwrap_or(call.date_created));
    let detail = match call.duration {
        Some(d) if !live => format!("started {started}, talked {d} s"),
        _ => format!("started {started}"),
    };
    let base = format!(
        "{}/calls/{}",
        number_href(account, &number.sid, None),
        call.sid
    );
    Ok(CallView {
        sid: call.sid.to_string(),
        href: format!("{}/{account}/{}", logs::PATH, call.sid),
        status: call.status.as_str().to_owned(),
        status_class: logs::status_class(call.status.as_str()),
        live,
        detail,
        input_action: format!("{base}/input"),
        hangup_action: format!("{base}/hangup"),
        documents: log_detail::documents(&call, &timeline, &requests),
    })
}

async fn render_phone(
    app: &App,
    session: &ConsoleSession,
    (account, number): (AccountSid, IncomingPhoneNumber),
    handset: Option<String>,
    forms: Forms,
) -> PageResult<Page> {
    let Forms {
        send: mut form,
        call: mut call_form,
        keys,
    } = forms;
    let recent = recent_handsets(app, session, &account, &number.phone_number).await?;
    let handset = handset
        .or_else(|| recent.first().cloned())
        .unwrap_or_else(|| DEFAULT_HANDSET.to_owned());
    if form.handset.is_empty() {
        form.handset = handset.clone();
    }
    if call_form.handset.is_empty() {
        call_form.handset = handset.clone();
    }
    let thread = thread(app, session, &account, &number.phone_number, &handset).await?;
    let part = call_part(app, session, (&account, &number), &handset, keys).await?;
    let href = number_href(&account, &number.sid, Some(&handset));
    let base = number_href(&account, &number.sid, None);
    let account_label = if account == session.account_sid {
        format!("{} (main account)", session.account_name)
    } else {
        account.to_string()
    };
    Ok(Page::render(&Phone {
        chrome: Chrome::for_session(Some(session), PATH),
        csrf_token: session.csrf_token.clone(),
        account: account.to_string(),
        account_label,
        sid: number.sid.to_string(),
        webhook: webhook_of(&number),
        voice_webhook: voice_webhook_of(&number),
        name: number.friendly_name.clone(),
        number: number.phone_number.clone(),
        action: base.clone(),
        call_action: format!("{base}/calls"),
        poll: href.replacen(&base, &format!("{base}/thread"), 1),
        call_poll: href.replacen(&base, &format!("{base}/call"), 1),
        here: href,
        form,
        call_form,
        handsets: recent
            .iter()
            .map(|h| {
                let link = number_href(&account, &number.sid, Some(h));
                (h.clone(), link, *h == handset)
            })
            .collect(),
        thread,
        part,
    }))
}

pub async fn phone(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path((account, sid)): Path<(String, String)>,
    Query(q): Query<PhoneQuery>,
) -> PageResult {
    let found = number_of(&app, &session, &account, &sid).await?;
    let page = render_phone(&app, &session, found, chosen_handset(&q), Forms::default());
    Ok(page.await?.into_response())
}

/// The thread alone, for the page's script to put in place.
pub async fn thread_fragment(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path((account, sid)): Path<(String, String)>,
    Query(q): Query<PhoneQuery>,
) -> PageResult {
    let (account, number) = number_of(&app, &session, &account, &sid).await?;
    let handset = chosen_handset(&q).unwrap_or_else(|| DEFAULT_HANDSET.to_owned());
    let thread = thread(&app, &session, &account, &number.phone_number, &handset).await?;
    Ok(Page::render(&ThreadFragment { thread }).into_response())
}

/// The call part alone, for the page's script to put in place.
pub async fn call_fragment(
    State(app): State<App>,
    SignedIn(session): SignedIn,
    Path((account, sid)): Path<(String, String)>,
    Query(q): Query<PhoneQuery>,
) -> PageResult {
    let (account, number) = number_of(&app, &session, &account, &sid).await?;
    let handset = chosen_handset(&q).unwrap_or_else(|| DEFAULT_HANDSET.to_owned());
    let keys = KeysForm::default();
    let part = call_part(&app, &session, (&account, &number), &handset, keys).await?;
    Ok(Page::render(&CallFragment { part }).into_response())
}

/// The handset sends a message to the number, as `POST
/// …/InboundMessages.json` would; back to the thread.
pub async fn send(
    State(app): State<App>,
    client: ClientAddr,
    Path((account, sid)): Path<(String, String)>,
    CsrfForm(session, form): CsrfForm,
) -> PageResult {
    let (account, number) = number_of(&app, &session, &account, &sid).await?;
    let text = |name: &str| form.get(name).unwrap_or_default().to_owned();
    let typed = SendForm {
        handset: text("from").trim().to_owned(),
        body: text("body"),
        media_url: text("media_url").trim().to_owned(),
        ..SendForm::default()
    };
    let writing = (Action::Write, Resource::Messages);
    let access = granted(&app, &session, Some(&client), &account, writing).await?;
    let incoming = IncomingMessage {
        from: Some(typed.handset.clone()),
        to: Some(number.phone_number.clone()),
        body: Some(typed.body.clone()),
        media_urls: Some(typed.media_url.clone())
            .filter(|u| !u.is_empty())
            .into_iter()
            .collect(),
    };
    match app.sb.receive_message(&access, &incoming).await {
        Ok(m) => Ok(see_other(
            &number_href(&account, &number.sid, Some(&m.from)),
            Vec::new(),
        )),
        Err(e @ (DomainError::Invalid(_) | DomainError::Invalids(_))) => {
            let mut typed = typed;
            let from = e
                .problems()
                .iter()
                .any(|i| i.field == MessageField::From.into());
            // The thread stays the typed handset's, unless it is no number.
            let handset = Some(typed.handset.clone()).filter(|h| !h.is_empty() && !from);
            // Every mistake at once, each next to its field.
            for invalid in e.problems() {
                let slot = match invalid.field {
                    Field::Message(MessageField::From) => &mut typed.handset_error,
                    Field::Message(MessageField::Media) => &mut typed.media_error,
                    _ => &mut typed.body_error,
                };
                slot.get_or_insert_with(|| say(invalid));
            }
            let forms = Forms {
                send: typed,
                ..Forms::default()
            };
            let page = render_phone(&app, &session, (account, number), handset, forms).await?;
            Ok(page.status(StatusCode::BAD_REQUEST).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The handset calls the number, as `POST …/InboundCalls.json` would; back
/// to the page, which shows the call.
pub async fn place_call(
    State(app): State<App>,
    client: ClientAddr,
    Path((account, sid)): Path<(String, String)>,
    CsrfForm(session, form): CsrfForm,
) -> PageResult {
    let (account, number) = number_of(&app, &session, &account, &sid).await?;
    let text = |name: &str| form.get(name).unwrap_or_default().trim().to_owned();
    let mut typed = CallForm {
        handset: text("from"),
        digits: text("digits"),
        ..CallForm::default()
    };
    let writing = (Action::Write, Resource::Calls);
    let access = granted(&app, &session, Some(&client), &account, writing).await?;
    // Keys that are not keys are refused with the rest; nothing is placed.
    let digits = match Some(typed.digits.as_str()).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match check_input(Some(d), None, None) {
            Ok(input) => Some(input),
            Err(e) => {
                typed.digits_error = e.problems().first().map(say);
                None
            }
        },
    };
    // Through the API such a call rings unanswered for a minute (see
    // docs/telephony.md); here the user is told what to set instead.
    if number.hooks.voice_url.is_none() && number.hooks.voice_application_sid.is_none() {
        typed.number_error = Some(sentence_end(format!(
            "Nothing would answer this call: {} has no voice URL and no voice application. \
             Set its VoiceUrl (POST …/IncomingPhoneNumbers/{}.json) to call it from here",
            number.phone_number, number.sid
        )));
    }
    let handset = typed.handset.clone();
    let result = match (&typed.digits_error, &typed.number_error) {
        (None, None) => {
            let incoming = IncomingCall {
                from: Some(typed.handset.clone()),
                to: Some(number.phone_number.clone()),
                digits,
            };
            app.sb.receive_call(&access, &incoming).await.map(Some)
        }
        _ => Ok(None),
    };
    let from_refused = match result {
        Ok(Some(call)) => {
            let to = call_href(&account, &number.sid, &call.from);
            return Ok(see_other(&to, Vec::new()));
        }
        Ok(None) => false,
        Err(e @ (DomainError::Invalid(_) | DomainError::Invalids(_))) => {
            for invalid in e.problems() {
                let (slot, said) = match invalid.field {
                    Field::Call(CallField::From) => (&mut typed.handset_error, say(invalid)),
                    Field::Call(CallField::Input) => (&mut typed.digits_error, say(invalid)),
                    _ => (&mut typed.number_error, say_as(invalid, "This number")),
                };
                slot.get_or_insert(said);
            }
            typed.handset_error.is_some()
        }
        Err(e) => return Err(e.into()),
    };
    // The page stays the typed handset's, unless it is no number.
    let handset = Some(handset).filter(|h| !h.is_empty() && !from_refused);
    let forms = Forms {
        call: typed,
        ..Forms::default()
    };
    let page = render_phone(&app, &session, (account, number), handset, forms).await?;
    Ok(page.status(StatusCode::BAD_REQUEST).into_response())
}

/// The call a path names: one from a handset to this number (read with the
/// user's access to the account's calls); anything else is not found.
async fn handset_call(
    app: &App,
    session: &ConsoleSession,
    (account, number): (&AccountSid, &IncomingPhoneNumber),
    sid: &str,
) -> Result<Call, PageError> {
    let sid = CallSid::parse(sid).map_err(|_| PageError::NotFound)?;
    let reading = (Action::Read, Resource::Calls);
    let access = granted(app, session, None, account, reading).await?;
    let call = app.sb.fetch_call(&access, account, &sid).await?;
    if call.direction != CallDirection::Inbound || call.to != number.phone_number {
        return Err(PageError::NotFound);
    }
    Ok(call)
}

/// What a refused change to a call says, for the page.
fn refusal(e: &DomainError) -> Option<String> {
    match e {
        DomainError::Invalid(_) | DomainError::Invalids(_) => e.problems().first().map(say),
        DomainError::Conflict(why) | DomainError::Lost(why) => Some(sentence_end(why.clone())),
        _ => None,
    }
}

/// The page again, with the call's forms as the user left them and why
/// the change was refused.
async fn refused_call(
    app: &App,
    session: &ConsoleSession,
    found: (AccountSid, IncomingPhoneNumber),
    call: &Call,
    keys: KeysForm,
) -> PageResult {
    let forms = Forms {
        keys,
        ..Forms::default()
    };
    let handset = Some(call.from.clone());
    let page = render_phone(app, session, found, handset, forms).await?;
    Ok(page.status(StatusCode::BAD_REQUEST).into_response())
}

/// The caller presses keys or speaks, as `POST …/Calls/{Sid}/Input.json`
/// would: what is typed in Keys, then the keypad's key pressed (if any), and
/// the speech.
pub async fn press_keys(
    State(app): State<App>,
    client: ClientAddr,
    Path((account, sid, call)): Path<(String, String, String)>,
    CsrfForm(session, form): CsrfForm,
) -> PageResult {
    let (account, number) = number_of(&app, &session, &account, &sid).await?;
    let call = handset_call(&app, &session, (&account, &number), &call).await?;
    let text = |name: &str| form.get(name).unwrap_or_default().trim().to_owned();
    let mut typed = KeysForm {
        digits: text("digits"),
        speech: text("speech"),
        ..KeysForm::default()
    };
    let writing = (Action::Write, Resource::Calls);
    let access = granted(&app, &session, Some(&client), &account, writing).await?;
    let digits = format!("{}{}", typed.digits, text("key"));
    let given = match check_input(Some(digits.as_str()), Some(typed.speech.as_str()), None) {
        Ok(input) => app.sb.give_call_input(&access, &call.sid, input).await,
        Err(e) => Err(e),
    };
    match given {
        Ok(_) => Ok(see_other(
            &call_href(&account, &number.sid, &call.from),
            Vec::new(),
        )),
        Err(e) => match refusal(&e) {
            Some(why) => {
                typed.error = Some(why);
                refused_call(&app, &session, (account, number), &call, typed).await
            }
            None => Err(e.into()),
        },
    }
}

/// The caller hangs up, as `POST …/Calls/{Sid}.json` with
/// `Status=completed` would (a call not yet answered is canceled).
pub async fn hang_up(
    State(app): State<App>,
    client: ClientAddr,
    Path((account, sid, call)): Path<(String, String, String)>,
    CsrfForm(session, _form): CsrfForm,
) -> PageResult {
    let (account, number) = number_of(&app, &session, &account, &sid).await?;
    let call = handset_call(&app, &session, (&account, &number), &call).await?;
    let writing = (Action::Write, Resource::Calls);
    let access = granted(&app, &session, Some(&client), &account, writing).await?;
    let update = CallUpdate {
        status: Some("completed".to_owned()),
        ..CallUpdate::default()
    };
    match app.sb.update_call(&access, &call.sid, &update).await {
        Ok(_) => Ok(see_other(
            &call_href(&account, &number.sid, &call.from),
            Vec::new(),
        )),
        Err(e) => match refusal(&e) {
            Some(why) => {
                let keys = KeysForm {
                    hangup_error: Some(why),
                    ..KeysForm::default()
                };
                refused_call(&app, &session, (account, number), &call, keys).await
            }
            None => Err(e.into()),
        },
    }
}
