//! Outgoing webhooks: one mechanism for every callback Switchboard sends
//! (deauthorize callbacks, call and message status callbacks).
//!
//! A webhook is *enqueued* inside the transaction of the change that causes it,
//! into a durable outbox; workers (see `worker`) claim due rows, sign and send
//! them, and retry with back-off. A crash between commit and delivery loses
//! nothing: the row is still there when a worker next looks.

use switchboard_store::Tx;
pub mod guard;
pub mod overrides;
pub mod signature;
pub mod worker;

pub use switchboard_store::console::DeliveryFilter;
use switchboard_store::deliveries::{self, DeliveryRecord};
use switchboard_store::page::{Page, PageAt};
use switchboard_store::{accounts, authorizations};
use switchboard_types::{
    AccountSid, ConnectAppSid, DeliverySid, HookMethod, MessageSid, Timestamp,
};

use crate::Switchboard;
use crate::access::{Access, Action, Reader, Resource};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::secrets::random_id;

/// What a webhook is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookKind {
    Deauthorize,
    /// A customer authorized a Connect App (its `AuthorizeCallbackUrl`).
    Authorize,
    CallStatus,
    MessageStatus,
    /// A message arrived: the number's (or its service's) messaging URL, whose
    /// answer is TwiML to execute.
    IncomingMessage,
    /// The same request to the fallback URL, once the first one failed.
    IncomingMessageFallback,
    /// The next document a `<Redirect>` named.
    MessageRedirect,
    /// A `<Message action>` URL, whose answer continues the conversation.
    MessageAction,
    /// A call was answered: its `Url` (or its application's voice URL),
    /// whose answer is the TwiML the call executes.
    VoiceAnswer,
    /// The same request to the call's fallback URL, once the first failed.
    VoiceFallback,
    /// The next document of a call, named by a `<Redirect>`.
    VoiceRedirect,
    /// A verb's `action` (`<Gather>`'s): the caller's input, whose answer
    /// continues the call.
    VoiceAction,
    /// A call's `AsyncAmdStatusCallback`: what answering machine detection
    /// found (acknowledged, not read).
    AmdStatus,
    /// A recording's `recordingStatusCallback` (`<Record>`, `<Dial
    /// record>`): acknowledged, not read.
    RecordingStatus,
    /// A usage trigger fired: its callback, whose answer is only
    /// acknowledged.
    UsageTrigger,
    /// A caller ID's verification call ended: the validation request's
    /// `StatusCallback` (`VerificationStatus`), only acknowledged.
    CallerIdVerification,
    /// An `<Enqueue waitUrl>`: the document a call runs while it waits in a
    /// queue (`QueuePosition`, `QueueTime`…).
    QueueWait,
    /// A `<Dial><Queue url>`: the whisper the dequeued caller hears before
    /// the two calls are connected (`DequeingCallSid`…).
    QueueWhisper,
    /// An `<Enqueue action>` the call no longer runs (it hung up, or was
    /// given a new document): `QueueResult` `hangup` or `redirected`, only
    /// acknowledged.
    QueueResult,
    /// A recording was transcribed: `<Record transcribeCallback>`, only
    /// acknowledged.
    Transcription,
    /// A conference's `statusCallback` (`StatusCallbackEvent`), only
    /// acknowledged.
    ConferenceStatus,
    /// A real-time transcription's `StatusCallbackUrl`: started, content
    /// and stopped events, only acknowledged.
    RealtimeTranscription,
    /// A `<Conference waitUrl>` (or a participant's `WaitUrl`): the
    /// document a participant runs while the conference has not started.
    ConferenceWait,
    /// A participant's `HoldUrl`: the document it runs while held.
    ConferenceHold,
    /// A conference's or participant's `AnnounceUrl`: the document played
    /// into the conference (its `<Say>` and `<Play>` noted, not run by a
    /// call).
    ConferenceAnnounce,
}

impl WebhookKind {
    pub const ALL: [WebhookKind; 25] = [
        WebhookKind::Deauthorize,
        WebhookKind::Authorize,
        WebhookKind::CallStatus,
        WebhookKind::MessageStatus,
        WebhookKind::IncomingMessage,
        WebhookKind::IncomingMessageFallback,
        WebhookKind::MessageRedirect,
        WebhookKind::MessageAction,
        WebhookKind::VoiceAnswer,
        WebhookKind::VoiceFallback,
        WebhookKind::VoiceRedirect,
        WebhookKind::VoiceAction,
        WebhookKind::AmdStatus,
        WebhookKind::RecordingStatus,
        WebhookKind::UsageTrigger,
        WebhookKind::CallerIdVerification,
        WebhookKind::QueueWait,
        WebhookKind::QueueWhisper,
        WebhookKind::QueueResult,
        WebhookKind::Transcription,
        WebhookKind::ConferenceStatus,
        WebhookKind::RealtimeTranscription,
        WebhookKind::ConferenceWait,
        WebhookKind::ConferenceHold,
        WebhookKind::ConferenceAnnounce,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookKind::Deauthorize => "deauthorize",
            WebhookKind::Authorize => "authorize",
            WebhookKind::CallStatus => "call-status",
            WebhookKind::MessageStatus => "message-status",
            WebhookKind::IncomingMessage => "incoming-message",
            WebhookKind::IncomingMessageFallback => "incoming-message-fallback",
            WebhookKind::MessageRedirect => "message-redirect",
            WebhookKind::MessageAction => "message-action",
            WebhookKind::VoiceAnswer => "voice-answer",
            WebhookKind::VoiceFallback => "voice-fallback",
            WebhookKind::VoiceRedirect => "voice-redirect",
            WebhookKind::VoiceAction => "voice-action",
            WebhookKind::AmdStatus => "amd-status",
            WebhookKind::RecordingStatus => "recording-status",
            WebhookKind::UsageTrigger => "usage-trigger",
            WebhookKind::CallerIdVerification => "caller-id-verification",
            WebhookKind::QueueWait => "queue-wait",
            WebhookKind::QueueWhisper => "queue-whisper",
            WebhookKind::QueueResult => "queue-result",
            WebhookKind::Transcription => "transcription",
            WebhookKind::ConferenceStatus => "conference-status",
            WebhookKind::RealtimeTranscription => "realtime-transcription",
            WebhookKind::ConferenceWait => "conference-wait",
            WebhookKind::ConferenceHold => "conference-hold",
            WebhookKind::ConferenceAnnounce => "conference-announce",
        }
    }

    pub fn parse(s: &str) -> Option<WebhookKind> {
        WebhookKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the receiver's answer is a TwiML document Switchboard executes
    /// (and so is read, and failures follow Twilio's webhook rules: a retry
    /// on a failed connection, then the fallback URL).
    pub fn asks_for_twiml(self) -> bool {
        matches!(
            self,
            WebhookKind::IncomingMessage
                | WebhookKind::IncomingMessageFallback
                | WebhookKind::MessageRedirect
                | WebhookKind::MessageAction
                | WebhookKind::ConferenceAnnounce
        ) || self.is_call_document()
    }

    /// Whether it asks for the TwiML document a call runs (the call's `Url`,
    /// its fallback, a `<Gather>`, `<Dial>` or `<Record>` action, a
    /// `<Redirect>`). A call's status callback (`CallStatus`) does not: it
    /// only tells the app what happened and its answer is ignored.
    pub fn is_call_document(self) -> bool {
        matches!(
            self,
            WebhookKind::VoiceAnswer
                | WebhookKind::VoiceFallback
                | WebhookKind::VoiceRedirect
                | WebhookKind::VoiceAction
                | WebhookKind::QueueWait
                | WebhookKind::QueueWhisper
                | WebhookKind::ConferenceWait
                | WebhookKind::ConferenceHold
        )
    }

    /// Whether its requests are listed among a call's events
    /// (`…/Calls/{Sid}/Events.json`, built from the attempts of the call's
    /// deliveries): the TwiML requests ([`Self::is_call_document`]) and,
    /// as Twilio's call events show every request sent to the application
    /// about the call, its status callbacks.
    pub fn is_call_event(self) -> bool {
        self.is_call_document()
            || matches!(
                self,
                WebhookKind::CallStatus
                    | WebhookKind::AmdStatus
                    | WebhookKind::RecordingStatus
                    | WebhookKind::QueueResult
            )
    }
}

/// A webhook to send.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub kind: WebhookKind,
    /// The account whose console lists the delivery.
    pub account: AccountSid,
    /// The account whose auth token (current at each attempt) signs the request.
    pub signing_account: AccountSid,
    pub connect_app: Option<ConnectAppSid>,
    /// The resource it is about (a call, a message, a dedicated subaccount).
    pub resource_sid: Option<String>,
    /// `GET` (parameters in the query string) or `POST` (a form body).
    pub method: HookMethod,
    pub url: String,
    /// Parameters in the order they are sent.
    pub params: Vec<(String, String)>,
    /// Where a TwiML request turns once it failed.
    pub fallback: Option<(String, HookMethod)>,
    /// How many TwiML documents the conversation fetched before this one.
    pub documents: i64,
}

impl Webhook {
    /// A webhook whose answer is only acknowledged (a status or deauthorize
    /// callback).
    pub fn notice(
        kind: WebhookKind,
        (account, signing_account): (AccountSid, AccountSid),
        resource_sid: Option<String>,
        (method, url): (HookMethod, String),
        params: Vec<(String, String)>,
    ) -> Webhook {
        Webhook {
            kind,
            account,
            signing_account,
            connect_app: None,
            resource_sid,
            method,
            url,
            params,
            fallback: None,
            documents: 0,
        }
    }
}

/// Form-encodes parameters (also how they are stored).
pub fn encode_params(params: &[(String, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

pub fn decode_params(encoded: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(encoded.as_bytes())
        .into_owned()
        .collect()
}

/// The headers an attempt of `delivery` was sent with, as the worker sends
/// them (the signature is the one recorded for that attempt: none when the
/// request was refused before it was made).
pub fn request_headers(
    delivery: &DeliveryRecord,
    attempt: &deliveries::AttemptRecord,
) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if delivery.method == "POST" {
        headers.push((
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
    }
    headers.push(("User-Agent".to_owned(), worker::USER_AGENT.to_owned()));
    if let Some(signature) = &attempt.signature {
        headers.push(("X-Twilio-Signature".to_owned(), signature.clone()));
    }
    headers.push((
        "I-Twilio-Idempotency-Token".to_owned(),
        delivery.idempotency_token.clone(),
    ));
    headers
}

/// An answer's recorded headers (`Name: value` lines), as pairs.
pub fn response_headers(recorded: Option<&str>) -> Vec<(String, String)> {
    recorded
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Writes a webhook to the outbox inside `tx`. Call
/// [`Switchboard::wake_deliveries`] after committing so it goes out at once.
pub async fn enqueue(tx: &mut Tx, hook: &Webhook, now: Timestamp) -> DomainResult<DeliverySid> {
    let sid = DeliverySid::generate();
    // The same on every retry of this delivery, so receivers can drop repeats.
    let token = format!("{sid}-{}", &random_id()[..16]);
    enqueue_as(tx, hook, now, sid, token).await
}

/// [`enqueue`] with the idempotency token the caller chose (one that names
/// the event, such as a usage trigger's firing, so the same event always
/// carries the same token).
pub async fn enqueue_with_token(
    tx: &mut Tx,
    hook: &Webhook,
    now: Timestamp,
    token: String,
) -> DomainResult<DeliverySid> {
    enqueue_as(tx, hook, now, DeliverySid::generate(), token).await
}

async fn enqueue_as(
    tx: &mut Tx,
    hook: &Webhook,
    now: Timestamp,
    sid: DeliverySid,
    idempotency_token: String,
) -> DomainResult<DeliverySid> {
    let record = DeliveryRecord {
        sid: sid.clone(),
        account_sid: hook.account.clone(),
        kind: hook.kind.as_str().to_owned(),
        connect_app_sid: hook.connect_app.as_ref().map(ToString::to_string),
        resource_sid: hook.resource_sid.clone(),
        signing_account_sid: hook.signing_account.clone(),
        method: hook.method.as_str().to_owned(),
        url: hook.url.clone(),
        params: encode_params(&hook.params),
        idempotency_token,
        state: "pending".to_owned(),
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        completed_at: None,
        last_status: None,
        last_error: None,
        fallback_url: hook.fallback.as_ref().map(|(url, _)| url.clone()),
        fallback_method: hook.fallback.as_ref().map(|(_, m)| m.as_str().to_owned()),
        documents: hook.documents,
    };
    tx.run(deliveries::insert(&record)).await?;
    Ok(sid)
}

impl Switchboard {
    /// Tells this node's delivery workers that new deliveries were committed.
    /// Other nodes find them by polling.
    pub fn wake_deliveries(&self) {
        self.delivery_signal().notify_one();
    }
}

/// A customer's grant that is active again after the revoke a deauthorize
/// callback announced.
#[derive(Debug, Clone)]
pub struct GrantActiveAgain {
    pub customer: AccountSid,
    /// The dedicated subaccount: the `AccountSid` the callback carries.
    pub subaccount: AccountSid,
    /// When the customer approved the app again.
    pub authorized_at: Timestamp,
}

/// What the owner confirmed when asking for a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayConfirmation {
    /// Nothing beyond the replay itself.
    Plain,
    /// That a deauthorize callback goes out although its grant is active again.
    GrantActiveAgain,
}

/// What came of asking for a replay.
#[derive(Debug)]
pub enum Replay {
    /// Queued again; the delivery as it is now.
    Queued(Box<DeliveryView>),
    /// Not queued: a deauthorize callback whose grant is active again, and the
    /// owner did not confirm sending it anyway.
    GrantActiveAgain(GrantActiveAgain),
}

/// A delivery with its attempts, for its owner.
#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub delivery: DeliveryRecord,
    pub attempts: Vec<deliveries::AttemptRecord>,
}

/// Which deliveries an access reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryScope {
    /// Those sent for the account the access names (the API's).
    Account,
    /// Those of the main account's whole tree, and those of its apps (signed
    /// with its token) sent from customers' dedicated subaccounts (the
    /// console's deliveries page).
    Tree,
}

impl Switchboard {
    /// Outgoing webhooks: listing, inspecting and replaying them.
    pub fn deliveries(&self) -> Deliveries<'_> {
        Deliveries { sb: self }
    }

    /// The grant a deauthorize delivery announced the end of, if the customer
    /// has approved the app again since: replaying the delivery would tell the
    /// app the grant is gone while it works.
    pub async fn grant_active_again(
        &self,
        delivery: &DeliveryRecord,
    ) -> DomainResult<Option<GrantActiveAgain>> {
        if delivery.kind != WebhookKind::Deauthorize.as_str() {
            return Ok(None);
        }
        let app = delivery
            .connect_app_sid
            .as_deref()
            .and_then(|s| ConnectAppSid::parse(s).ok());
        let subaccount = delivery
            .resource_sid
            .as_deref()
            .and_then(|s| AccountSid::parse(s).ok());
        let (Some(app), Some(subaccount)) = (app, subaccount) else {
            return Ok(None);
        };
        Ok(self
            .store()
            .opt(authorizations::by_subaccount(&subaccount))
            .await?
            .filter(|g| g.connect_app_sid == app && g.is_active())
            .map(|g| GrantActiveAgain {
                customer: g.customer_account_sid,
                subaccount: g.subaccount_sid,
                authorized_at: g.authorized_at,
            }))
    }
}

/// The deliveries an access reaches (`Resource::Deliveries`).
pub struct Deliveries<'a> {
    sb: &'a Switchboard,
}

impl Deliveries<'_> {
    /// What was sent on behalf of an account, newest first (`GET
    /// …/Deliveries.json`: authorised and read in one round trip), or, with
    /// [`DeliveryScope::Tree`], for a main account's tree.
    pub async fn list(
        &self,
        reader: Reader<'_>,
        scope: DeliveryScope,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<DeliveryRecord>> {
        let all = DeliveryFilter::default();
        self.sb
            .read_page(reader, Resource::Deliveries, |account| match scope {
                DeliveryScope::Account => deliveries::of_account(account, at, size),
                DeliveryScope::Tree => {
                    switchboard_store::console::deliveries_of_tree(account, &all, at, size)
                }
            })
            .await
    }

    /// [`Self::list`] of a main account's tree ([`DeliveryScope::Tree`]), as
    /// `filter` narrows it (the console's filters).
    pub async fn of_tree(
        &self,
        reader: Reader<'_>,
        filter: &DeliveryFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<DeliveryRecord>> {
        self.sb
            .read_page(reader, Resource::Deliveries, |account| {
                switchboard_store::console::deliveries_of_tree(account, filter, at, size)
            })
            .await
    }

    /// Every callback a Connect App of the reader's account caused, oldest
    /// first (`GET …/ConnectApps/{Sid}/Deliveries.json`): what was sent for
    /// its customers' dedicated subaccounts, and its deauthorize callbacks.
    /// An app of another account is not found.
    pub async fn of_connect_app(
        &self,
        reader: Reader<'_>,
        app: &ConnectAppSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<DeliveryRecord>> {
        let access = self
            .sb
            .reader_access(reader, Resource::ConnectAppDeliveries)
            .await?;
        let owner = &access.target_account()?.sid;
        self.sb
            .store()
            .opt(switchboard_store::connect_apps::by_sid(app))
            .await?
            .filter(|a| &a.account_sid == owner)
            .ok_or(DomainError::NotFound)?;
        let (query, shape) = deliveries::of_connect_app(owner, app, at, size);
        Ok(shape.assemble(self.sb.store().all(query).await?))
    }

    /// One delivery the access reaches, with every attempt.
    pub async fn get(
        &self,
        access: &Access,
        scope: DeliveryScope,
        sid: &DeliverySid,
    ) -> DomainResult<DeliveryView> {
        access.require(Action::Read, Resource::Deliveries)?;
        let target = &access.target_account()?.sid;
        let delivery = self
            .sb
            .store()
            .opt(deliveries::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        let reached = &delivery.account_sid == target
            || scope == DeliveryScope::Tree
                && (&delivery.signing_account_sid == target
                    || self
                        .sb
                        .store()
                        .opt(accounts::by_sid(&delivery.account_sid))
                        .await?
                        .is_some_and(|a| &a.owner_account_sid == target));
        if !reached {
            return Err(DomainError::NotFound);
        }
        let attempts = self.sb.store().all(deliveries::attempts_of(sid)).await?;
        Ok(DeliveryView { delivery, attempts })
    }

    /// The deliveries about `messages` of the account the access names (the
    /// webhooks of inbound messages, the status callbacks of outgoing ones),
    /// oldest first, each with its attempts. `since`: when the oldest of the
    /// messages was created (nothing about it is older).
    pub async fn of_messages(
        &self,
        access: &Access,
        messages: &[MessageSid],
        since: Timestamp,
    ) -> DomainResult<Vec<DeliveryView>> {
        access.require(Action::Read, Resource::Deliveries)?;
        let account = &access.target_account()?.sid;
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let store = self.sb.store();
        let found = store
            .all(deliveries::about(account, messages, since))
            .await?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let sids: Vec<DeliverySid> = found.iter().map(|d| d.sid.clone()).collect();
        let mut attempts = store.all(deliveries::attempts_of_each(&sids)).await?;
        Ok(found
            .into_iter()
            .map(|delivery| {
                let (mine, others) = std::mem::take(&mut attempts)
                    .into_iter()
                    .partition(|(sid, _)| *sid == delivery.sid);
                attempts = others;
                DeliveryView {
                    delivery,
                    attempts: mine.into_iter().map(|(_, a)| a).collect(),
                }
            })
            .collect())
    }

    /// Sends a delivery again (same parameters and idempotency token), whatever
    /// became of it; its history is kept. A deauthorize callback whose grant is
    /// active again is only sent with [`ReplayConfirmation::GrantActiveAgain`].
    pub async fn replay(
        &self,
        access: &Access,
        scope: DeliveryScope,
        sid: &DeliverySid,
        confirmation: ReplayConfirmation,
    ) -> DomainResult<Replay> {
        access.require(Action::Write, Resource::Deliveries)?;
        let view = self.get(access, scope, sid).await?;
        if let Some(active) = self.sb.grant_active_again(&view.delivery).await? {
            if confirmation != ReplayConfirmation::GrantActiveAgain {
                return Ok(Replay::GrantActiveAgain(active));
            }
            tracing::warn!(delivery = %sid, subaccount = %active.subaccount, "replaying a deauthorize callback of a grant that is active again, as confirmed");
        }
        let main = match self
            .sb
            .store()
            .opt(accounts::by_sid(&view.delivery.account_sid))
            .await?
        {
            Some(account) => account.owner_account_sid,
            None => access.target_account()?.sid.clone(),
        };
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        tx.run(deliveries::requeue(sid, now)).await?;
        audit::record_change(
            &mut tx,
            access,
            Change {
                account: &main,
                action: "delivery.replay",
                app: None,
                subject: Some(sid.as_str()),
                permissions: None,
                detail: Some(view.delivery.kind.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        self.sb.wake_deliveries();
        Ok(Replay::Queued(Box::new(
            self.get(access, scope, sid).await?,
        )))
    }
}
