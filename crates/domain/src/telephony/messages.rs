//! Messages: sending (`POST …/Messages.json`), listing, fetching, redacting,
//! deleting.

use switchboard_store::Tx;
use switchboard_store::message_feedback::{self, FeedbackRecord};
use switchboard_store::messages::{self, MessageRecord};
use switchboard_store::opt_outs;
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_telephony::magic::{self, Channel};
use switchboard_telephony::outcome;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_telephony::segments::count_segments;
use switchboard_types::{
    AccountSid, FeedbackOutcome, MessageDirection, MessageSid, MessageStatus, MessagingServiceSid,
    Timestamp,
};

use super::media::{MediaItem, record_media_at};
use super::short_codes::looks_like_short_code;
use super::simulator::MESSAGE_STEP_SECS;
use super::{callback_signer, url_param};
use crate::Switchboard;
use crate::access::{Access, Reader, Resource};
use crate::error::{DomainError, DomainResult, MessageField, Problem, invalid};

pub use switchboard_store::messages::MessageFilter;

/// A message as the API shows it, without the simulator's plan for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub sid: MessageSid,
    pub account_sid: AccountSid,
    pub to: String,
    pub from: String,
    /// Empty once redacted.
    pub body: String,
    pub num_segments: i64,
    pub media_urls: Vec<String>,
    pub status: MessageStatus,
    pub direction: MessageDirection,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub date_sent: Option<Timestamp>,
    pub price_micros: Option<i64>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    /// The Messaging Service it was sent through, if any.
    pub messaging_service_sid: Option<MessagingServiceSid>,
}

impl From<MessageRecord> for Message {
    fn from(m: MessageRecord) -> Self {
        Message {
            media_urls: m
                .media_urls
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            sid: m.sid,
            account_sid: m.account_sid,
            to: m.to_number,
            from: m.from_number,
            body: m.body,
            num_segments: m.num_segments,
            status: m.status,
            direction: m.direction,
            error_code: m.error_code,
            error_message: m.error_message,
            date_sent: m.date_sent,
            price_micros: m.price_micros,
            date_created: m.date_created,
            date_updated: m.date_updated,
            messaging_service_sid: m.messaging_service_sid,
        }
    }
}

/// Messages are listed newest first by creation, as their rows are.
impl Keyed for Message {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

/// Twilio's codes for the Messages resource.
/// The longest body Twilio accepts, in characters.
pub const MAX_BODY: usize = 1600;
const MAX_MEDIA: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub to: Option<String>,
    pub from: Option<String>,
    pub body: Option<String>,
    pub media_urls: Vec<String>,
    pub status_callback: Option<String>,
    /// Send through this Messaging Service: without `from`, a sender is
    /// picked from its pool; with it, `from` must be in the pool.
    pub messaging_service_sid: Option<MessagingServiceSid>,
    /// `ProvideFeedback`: `true` gives the message a Feedback resource
    /// (`unconfirmed` until one is posted; [`super::feedback`]).
    pub provide_feedback: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A message's text and media, checked as Twilio checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageBody {
    pub text: String,
    pub media: Vec<String>,
}

impl MessageBody {
    /// A body or at least one media URL; at most [`MAX_BODY`] characters and
    /// [`MAX_MEDIA`] absolute http(s) media URLs.
    pub fn check(body: Option<&str>, media_urls: &[String]) -> DomainResult<MessageBody> {
        let text = body.unwrap_or_default().to_owned();
        if text.is_empty() && media_urls.is_empty() {
            return Err(invalid(MessageField::Body, Problem::Missing));
        }
        if text.chars().count() > MAX_BODY {
            return Err(invalid(
                MessageField::Body,
                Problem::TooLong { max: MAX_BODY },
            ));
        }
        if media_urls.len() > MAX_MEDIA {
            return Err(invalid(
                MessageField::Media,
                Problem::TooMany { max: MAX_MEDIA },
            ));
        }
        let mut media = Vec::with_capacity(media_urls.len());
        for m in media_urls {
            media.extend(url_param(MessageField::Media, Some(m))?);
        }
        Ok(MessageBody { text, media })
    }
}

/// A required phone number parameter, parsed.
pub(crate) fn required_number(
    value: &Option<String>,
    field: MessageField,
) -> DomainResult<PhoneNumber> {
    let value = present(value).ok_or_else(|| invalid(field, Problem::Missing))?;
    PhoneNumber::parse(value).map_err(|e| invalid(field, Problem::NotPhoneNumber(e)))
}

/// A message sent in answer to one that arrived (a TwiML `<Message>`, or
/// Twilio's answer to an opt-out keyword).
pub(crate) struct Reply<'a> {
    pub account: &'a AccountSid,
    pub from: &'a str,
    pub to: &'a str,
    pub body: MessageBody,
    pub status_callback: Option<String>,
    /// Whose token signs its status callbacks.
    pub signer: &'a AccountSid,
    /// The Messaging Service of the number it answers from, if any: it is
    /// sent through it, and a recipient opted out of it is not sent to.
    pub service: Option<&'a MessagingServiceSid>,
    /// Twilio's own answer to a keyword: free, and sent to a recipient who
    /// just opted out (it confirms that).
    pub automatic: bool,
}

/// Who a message is sent from: a phone number, or one of the account's
/// short codes ([`super::short_codes`]).
enum Sender {
    Number(PhoneNumber),
    ShortCode(String),
}

impl Sender {
    fn as_str(&self) -> &str {
        match self {
            Sender::Number(n) => n.as_str(),
            Sender::ShortCode(c) => c,
        }
    }
}

/// The refusal to send to a recipient who answered STOP.
fn unsubscribed(to: &str, from: &str) -> DomainError {
    invalid(
        MessageField::To,
        Problem::OptedOut {
            to: to.to_owned(),
            from: from.to_owned(),
        },
    )
}

impl Switchboard {
    /// A new outbound message, planned and due for the simulator.
    fn outbound_record(
        &self,
        account: &AccountSid,
        (from, to): (&str, &PhoneNumber),
        body: MessageBody,
        direction: MessageDirection,
        (status_callback, signer): (Option<String>, AccountSid),
        now: Timestamp,
    ) -> MessageRecord {
        let segments = count_segments(&body.text);
        MessageRecord {
            sid: MessageSid::generate(),
            account_sid: account.clone(),
            to_number: to.as_str().to_owned(),
            from_number: from.to_owned(),
            body: body.text,
            num_segments: i64::from(segments.count),
            media_urls: body.media.join("\n"),
            status: MessageStatus::Queued,
            direction,
            status_callback,
            callback_signer_sid: signer,
            end_status: outcome::plan_message(to).status(),
            next_transition_at: Some(
                self.settings()
                    .telephony
                    .speed
                    .due_after(now, MESSAGE_STEP_SECS),
            ),
            error_code: None,
            error_message: None,
            date_sent: None,
            price_micros: None,
            date_created: now,
            date_updated: now,
            messaging_service_sid: None,
        }
    }

    /// Queues a reply inside `tx` (the simulator plays it out once the caller
    /// commits and wakes it). A refused reply is an error for the caller to
    /// report (as a notification).
    pub(crate) async fn queue_reply(
        &self,
        tx: &mut Tx,
        reply: &Reply<'_>,
        now: Timestamp,
    ) -> DomainResult<MessageRecord> {
        let to = PhoneNumber::parse(reply.to)
            .map_err(|e| invalid(MessageField::To, Problem::NotPhoneNumber(e)))?;
        let service = reply.service.map(|s| s.as_str());
        if !reply.automatic
            && tx
                .one(opt_outs::opted_out(
                    reply.account,
                    reply.from,
                    service,
                    to.as_str(),
                ))
                .await?
        {
            return Err(unsubscribed(to.as_str(), reply.from));
        }
        let mut message = self.outbound_record(
            reply.account,
            (reply.from, &to),
            reply.body.clone(),
            MessageDirection::OutboundReply,
            (reply.status_callback.clone(), reply.signer.clone()),
            now,
        );
        if reply.automatic {
            message.price_micros = Some(0);
        }
        message.messaging_service_sid = reply.service.cloned();
        tx.run(messages::insert_many(std::slice::from_ref(&message)))
            .await?;
        let media: Vec<MediaItem> = reply
            .body
            .media
            .iter()
            .map(|url| MediaItem::Recorded { url: url.clone() })
            .collect();
        if !media.is_empty() {
            record_media_at(
                tx,
                reply.account,
                &message.sid,
                &media,
                message.date_created,
            )
            .await?;
        }
        Ok(message)
    }

    /// Sends a message from a number the target account owns. It starts
    /// `queued`; the simulator plays out the rest.
    pub async fn create_message(&self, access: &Access, new: &NewMessage) -> DomainResult<Message> {
        let account = access.target_account()?.clone();
        let to = required_number(&new.to, MessageField::To)?;
        if let Some(r) = magic::check_to(&to, Channel::Sms) {
            return Err(invalid(MessageField::To, Problem::Magic(r)));
        }
        let short_code = present(&new.from)
            .filter(|f| new.messaging_service_sid.is_none() && looks_like_short_code(f));
        let (service, from) = match (&new.messaging_service_sid, short_code) {
            (Some(sid), _) => {
                let given = match present(&new.from) {
                    Some(from) => Some(
                        PhoneNumber::parse(from)
                            .map_err(|e| invalid(MessageField::From, Problem::NotPhoneNumber(e)))?,
                    ),
                    None => None,
                };
                let (service, sender) = self
                    .messaging_services()
                    .pick_sender(
                        &account.sid,
                        sid,
                        given.as_ref().map(|f| f.as_str()),
                        to.as_str(),
                    )
                    .await?;
                let sender = PhoneNumber::parse(&sender)
                    .map_err(|e| invalid(MessageField::From, Problem::NotPhoneNumber(e)))?;
                (Some(service), Sender::Number(sender))
            }
            (None, Some(code)) => (None, Sender::ShortCode(code.to_owned())),
            (None, None) => (
                None,
                Sender::Number(required_number(&new.from, MessageField::From)?),
            ),
        };
        if let Sender::Number(from) = &from
            && let Some(r) = magic::check_from(from, Channel::Sms)
        {
            return Err(invalid(MessageField::From, Problem::Magic(r)));
        }
        let body = MessageBody::check(new.body.as_deref(), &new.media_urls)?;
        let provide_feedback = super::bool_param(
            MessageField::ProvideFeedback,
            new.provide_feedback.as_deref(),
        )?;
        let status_callback =
            url_param(MessageField::StatusCallback, new.status_callback.as_deref())?
                .or_else(|| service.as_ref().and_then(|s| s.status_callback.clone()));
        match &from {
            Sender::Number(from) => {
                self.owned_sender(&account.sid, from, Channel::Sms, || {
                    invalid(
                        MessageField::From,
                        Problem::NotOwned {
                            number: from.to_string(),
                            account: account.sid.clone(),
                        },
                    )
                })
                .await?;
            }
            // It must be the account's own (Twilio's 21606).
            Sender::ShortCode(code) => {
                if self.sender_short_code(&account.sid, code).await?.is_none() {
                    return Err(invalid(
                        MessageField::From,
                        Problem::NotOwnShortCode {
                            code: code.clone(),
                            account: account.sid.clone(),
                        },
                    ));
                }
            }
        }
        let from = from.as_str();
        if self
            .store()
            .one(opt_outs::opted_out(
                &account.sid,
                from,
                service.as_ref().map(|s| s.sid.as_str()),
                to.as_str(),
            ))
            .await?
        {
            return Err(unsubscribed(to.as_str(), from));
        }
        let mut message = self.outbound_record(
            &account.sid,
            (from, &to),
            body,
            MessageDirection::OutboundApi,
            (status_callback, callback_signer(access)?),
            self.now_for(access).await?,
        );
        message.messaging_service_sid = service.map(|s| s.sid);
        let media: Vec<String> = message.media_urls.lines().map(str::to_owned).collect();
        let feedback = provide_feedback.then(|| FeedbackRecord {
            message_sid: message.sid.clone(),
            account_sid: message.account_sid.clone(),
            outcome: FeedbackOutcome::Unconfirmed,
            date_created: message.date_created,
            date_updated: message.date_created,
        });
        self.insert_message_with_media(&message, &media, feedback.as_ref())
            .await?;
        self.wake_simulator();
        tracing::info!(account = %account.sid, message = %message.sid, "sent a message");
        Ok(message.into())
    }

    /// Messages of `account`, for an API request (authorised in the same
    /// round trip as the read) or an access already granted (the console's).
    pub async fn list_messages<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        filter: &MessageFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<Message>> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let (query, shape) = messages::list(account, filter, at, size);
        let rows = self.read_as(reader, Resource::Messages, query).await?;
        Ok(shape.assemble(rows).map(Message::from))
    }

    /// One message of `account`, for an API request or an access already
    /// granted (the console's message page).
    pub async fn fetch_message<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        sid: &MessageSid,
    ) -> DomainResult<Message> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let query = messages::of_account(account, sid);
        let mut rows = self.read_as(reader, Resource::Messages, query).await?;
        rows.pop().map(Message::from).ok_or(DomainError::NotFound)
    }

    /// `POST …/Messages/{Sid}.json` with `Body=""`: redacts the text of a
    /// message that has finished; the record stays.
    pub async fn redact_message(
        &self,
        access: &Access,
        sid: &MessageSid,
        body: Option<&str>,
    ) -> DomainResult<Message> {
        let account = access.target_account()?.sid.clone();
        if body != Some("") {
            // Only to redact it.
            return Err(invalid(MessageField::Body, Problem::NotSettable));
        }
        let now = self.now_for(access).await?;
        let mut tx = self.store().begin().await?;
        let mut message = tx
            .opt(messages::of_account(&account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if message.next_transition_at.is_some() {
            return Err(DomainError::Conflict(
                "A message can only be redacted once it has finished sending".into(),
            ));
        }
        tx.run(messages::redact(&account, sid, now)).await?;
        tx.commit().await?;
        message.body.clear();
        message.date_updated = now;
        Ok(message.into())
    }

    /// `DELETE …/Messages/{Sid}.json`: only a message that has finished.
    pub async fn delete_message(&self, access: &Access, sid: &MessageSid) -> DomainResult<()> {
        let account = access.target_account()?.sid.clone();
        let mut tx = self.store().begin().await?;
        let message = tx
            .opt(messages::of_account(&account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if message.next_transition_at.is_some() {
            return Err(DomainError::Conflict(
                "A message that is still being sent cannot be deleted".into(),
            ));
        }
        tx.run(message_feedback::delete_of_message(&account, sid))
            .await?;
        tx.run(messages::delete(&account, sid)).await?;
        tx.commit().await?;
        Ok(())
    }
}
