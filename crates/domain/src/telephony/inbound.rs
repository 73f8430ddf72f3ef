//! Messages that arrive: from a simulated handset (`POST
//! /switchboard/v1/Accounts/{Sid}/InboundMessages.json`, the console, the CLI)
//! or from another number on this Switchboard. Each is stored and charged in
//! the receiving number's account, answers Twilio's opt-out keywords, and
//! posts the number's messaging webhook, whose TwiML answer
//! [`conversation`](super::conversation) executes.

use switchboard_store::Tx;
use switchboard_store::messages::{self, MessageRecord};
use switchboard_store::phone_numbers::{self, PhoneNumberRecord};
use switchboard_store::{authorizations, connect_apps, opt_outs};
use switchboard_telephony::inventory;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_telephony::segments::count_segments;
use switchboard_types::{
    AccountSid, MessageDirection, MessageSid, MessageStatus, NotificationLevel, SandboxSid,
    Timestamp, UsageCategory,
};

use super::billing::{self, Cost};
use super::media::{MediaFetchError, MediaItem, content_url, guess_content_type, record_media_at};
use super::messages::{Message, MessageBody};
use super::simulator::main_of;
use crate::Switchboard;
use crate::access::{Access, Action, Actor, Resource};
use crate::applications::Applications;
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::{Checks, DomainError, DomainResult, MessageField, Problem, invalid};
use crate::messaging_services::MessagingServices;
use crate::notifications::{self, NewNotification};

/// A message a simulated handset sends to one of the account's numbers.
#[derive(Debug, Clone, Default)]
pub struct IncomingMessage {
    /// The handset's number (E.164).
    pub from: Option<String>,
    /// A number of the account.
    pub to: Option<String>,
    pub body: Option<String>,
    pub media_urls: Vec<String>,
}

/// Twilio's default handling of the keywords a recipient answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    Stop,
    Start,
    Help,
}

impl Keyword {
    /// The keyword a whole body is, if any (case and surrounding space
    /// ignored; "STOP PLEASE" is not one).
    pub fn of(body: &str) -> Option<Keyword> {
        let word = body.trim().to_ascii_uppercase();
        Some(match word.as_str() {
            "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" => Keyword::Stop,
            "START" | "YES" | "UNSTOP" => Keyword::Start,
            "HELP" | "INFO" => Keyword::Help,
            _ => return None,
        })
    }

    /// Twilio's `OptOutType` webhook parameter.
    pub fn opt_out_type(self) -> &'static str {
        match self {
            Keyword::Stop => "STOP",
            Keyword::Start => "START",
            Keyword::Help => "HELP",
        }
    }

    /// Twilio's default answer.
    pub fn reply(self) -> &'static str {
        match self {
            Keyword::Stop => {
                "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe."
            }
            Keyword::Start => {
                "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."
            }
            Keyword::Help => "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
        }
    }
}

/// Whose auth token signs the webhooks of `account`'s numbers: the Connect
/// App owner's when `account` is a customer's dedicated subaccount (the app
/// knows no other token), the account's own otherwise.
pub(crate) async fn webhook_signer(tx: &mut Tx, account: &AccountSid) -> DomainResult<AccountSid> {
    let Some(grant) = tx.opt(authorizations::by_subaccount(account)).await? else {
        return Ok(account.clone());
    };
    Ok(tx
        .opt(connect_apps::by_sid(&grant.connect_app_sid))
        .await?
        .map_or_else(|| account.clone(), |app| app.account_sid))
}

/// Where a number is, as Twilio's webhook parameters say it (`FromCity`,
/// …): from the inventory where the number is in it; otherwise only its
/// country, from its prefix; empty where unknown.
#[derive(Default)]
pub(crate) struct Place {
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

impl Place {
    pub(crate) fn of(number: &str) -> Place {
        let Ok(number) = PhoneNumber::parse(number) else {
            return Place::default();
        };
        match inventory::lookup(&number) {
            Some(e) => Place {
                city: e.locality.unwrap_or_default(),
                state: e.region.unwrap_or_default(),
                zip: e.postal_code.unwrap_or_default(),
                country: e.iso_country.iso().to_owned(),
            },
            None => Place {
                country: number
                    .country()
                    .map(|c| c.iso().to_owned())
                    .unwrap_or_default(),
                ..Place::default()
            },
        }
    }
}

/// An attachment as the webhook names it: where Switchboard serves it, and
/// its type.
pub(crate) struct Attachment {
    pub url: String,
    pub content_type: String,
}

/// The parameters Twilio posts to a number's messaging URL.
pub(crate) fn webhook_params(
    m: &MessageRecord,
    media: &[Attachment],
    keyword: Option<Keyword>,
) -> Vec<(String, String)> {
    let (from, to) = (Place::of(&m.from_number), Place::of(&m.to_number));
    // In Twilio's order.
    let mut params: Vec<(String, String)> = vec![
        ("ToCountry".into(), to.country),
        ("ToState".into(), to.state),
        ("SmsMessageSid".into(), m.sid.to_string()),
        ("NumMedia".into(), media.len().to_string()),
        ("ToCity".into(), to.city),
        ("FromZip".into(), from.zip),
        ("SmsSid".into(), m.sid.to_string()),
        ("FromState".into(), from.state),
        ("SmsStatus".into(), MessageStatus::Received.as_str().into()),
        ("FromCity".into(), from.city),
        ("Body".into(), m.body.clone()),
        ("FromCountry".into(), from.country),
        ("To".into(), m.to_number.clone()),
        ("ToZip".into(), to.zip),
        ("NumSegments".into(), m.num_segments.to_string()),
        ("MessageSid".into(), m.sid.to_string()),
        ("AccountSid".into(), m.account_sid.to_string()),
        ("From".into(), m.from_number.clone()),
        ("ApiVersion".into(), "2010-04-01".into()),
    ];
    for (i, a) in media.iter().enumerate() {
        params.push((format!("MediaContentType{i}"), a.content_type.clone()));
        params.push((format!("MediaUrl{i}"), a.url.clone()));
    }
    if let Some(service) = &m.messaging_service_sid {
        params.push(("MessagingServiceSid".into(), service.to_string()));
    }
    if let Some(k) = keyword {
        params.push(("OptOutType".into(), k.opt_out_type().into()));
    }
    params
}

/// Tells the account that received `message` why its media could not be
/// fetched (error 11200, as Twilio reports a media URL it cannot get).
pub(crate) async fn media_failure(
    tx: &mut Tx,
    message: &MessageRecord,
    e: &MediaFetchError,
    now: Timestamp,
) -> DomainResult<()> {
    let notice = NewNotification {
        account: &message.account_sid,
        call_sid: None,
        resource_sid: Some(message.sid.as_str()),
        error_code: e.error_code(),
        level: NotificationLevel::Error,
        message_text: e.to_string(),
        request_url: None,
        request_method: Some("GET"),
        request_variables: None,
        response_headers: None,
        response_body: None,
    };
    notifications::record(tx, &notice, now).await?;
    Ok(())
}

/// Media named by URL only, not fetched (yet): served as a redirect to it.
pub(crate) fn recorded(urls: &[String]) -> Vec<MediaItem> {
    urls.iter()
        .map(|url| MediaItem::Recorded { url: url.clone() })
        .collect()
}

impl Switchboard {
    /// Which account owns `number` (E.164) in `world` (`None`: the default
    /// world; a sandbox's numbers are its own, the same number may be owned
    /// in several worlds): the operator's look-up across accounts (with its
    /// access to the account list), before it asks the policy for access to
    /// that account like any caller.
    pub async fn number_owner(
        &self,
        access: &Access,
        world: Option<&SandboxSid>,
        number: &str,
    ) -> DomainResult<Option<AccountSid>> {
        access.require(Action::Read, Resource::AccountList)?;
        if access.actor() != &Actor::Operator {
            return Err(DomainError::NotFound);
        }
        let Ok(number) = PhoneNumber::parse(number) else {
            return Ok(None);
        };
        Ok(self
            .store()
            .opt(phone_numbers::by_number(world, number.as_str()))
            .await?
            .map(|n| n.account_sid))
    }

    /// A simulated handset sends a message to one of the target account's
    /// numbers.
    pub async fn receive_message(
        &self,
        access: &Access,
        new: &IncomingMessage,
    ) -> DomainResult<Message> {
        access.require(Action::Write, Resource::Messages)?;
        let account = access.target_account()?.sid.clone();
        // Every value is checked before refusing (the Phone page flags each).
        let mut checks = Checks::default();
        let from = checks.check(super::messages::required_number(
            &new.from,
            MessageField::From,
        ))?;
        let to = checks.check(super::messages::required_number(&new.to, MessageField::To))?;
        let body = checks.check(MessageBody::check(new.body.as_deref(), &new.media_urls))?;
        checks.done()?;
        let (Some(from), Some(to), Some(body)) = (from, to, body) else {
            return Err(DomainError::Internal("checked values missing".into()));
        };
        let number = self
            .store()
            .opt(phone_numbers::of_account_by_number(&account, to.as_str()))
            .await?
            .ok_or_else(|| {
                invalid(
                    MessageField::To,
                    Problem::NotOwned {
                        number: to.to_string(),
                        account: account.clone(),
                    },
                )
            })?;
        // A handset's pictures are fetched once, behind the address guard
        // and the size limit. If that fails the message still arrives, with
        // the URLs as sent, and the account gets a notification saying why.
        let (media, fetch_error) = if body.media.is_empty() {
            (Vec::new(), None)
        } else {
            match self.fetch_message_media(&body.media).await {
                Ok(fetched) => (fetched.into_iter().map(MediaItem::Fetched).collect(), None),
                Err(e) => (recorded(&body.media), Some(e)),
            }
        };
        let now = self.now_for(access).await?;
        let mut tx = self.store().begin().await?;
        let message = self
            .arrive(&mut tx, &number, from.as_str(), (&body, &media), now)
            .await?;
        if let Some(e) = fetch_error {
            media_failure(&mut tx, &message, &e, now).await?;
        }
        tx.commit().await?;
        self.wake_simulator();
        self.wake_deliveries();
        tracing::info!(account = %account, message = %message.sid, "received a message");
        Ok(message.into())
    }

    /// A message reaches `number`, one of this Switchboard's, inside `tx`:
    /// stored and charged, its keyword answered, its webhook queued. The
    /// caller wakes the simulator and the delivery workers after committing.
    pub(crate) async fn arrive(
        &self,
        tx: &mut Tx,
        number: &PhoneNumberRecord,
        from: &str,
        (body, media): (&MessageBody, &[MediaItem]),
        now: Timestamp,
    ) -> DomainResult<MessageRecord> {
        let account = &number.account_sid;
        let segments = i64::from(count_segments(&body.text).count);
        let price = PhoneNumber::parse(&number.phone_number)
            .map(|at| {
                self.settings()
                    .telephony
                    .prices
                    .inbound_message(&at, u32::try_from(segments).unwrap_or(1))
                    .micros()
            })
            .unwrap_or(0);
        let signer = webhook_signer(tx, account).await?;
        let service = MessagingServices::service_of_number_in(tx, &number.sid).await?;
        let message = MessageRecord {
            sid: MessageSid::generate(),
            account_sid: account.clone(),
            to_number: number.phone_number.clone(),
            from_number: from.to_owned(),
            body: body.text.clone(),
            num_segments: segments,
            media_urls: body.media.join("\n"),
            status: MessageStatus::Received,
            direction: MessageDirection::Inbound,
            status_callback: None,
            callback_signer_sid: signer.clone(),
            end_status: MessageStatus::Received,
            next_transition_at: None,
            error_code: None,
            error_message: None,
            date_sent: Some(now),
            price_micros: Some(price),
            date_created: now,
            date_updated: now,
            messaging_service_sid: service.as_ref().map(|s| s.sid.clone()),
        };
        tx.run(messages::insert_many(std::slice::from_ref(&message)))
            .await?;
        let media_sids = record_media_at(tx, account, &message.sid, media, now).await?;
        let attachments: Vec<Attachment> = media
            .iter()
            .zip(&media_sids)
            .map(|(item, sid)| Attachment {
                url: content_url(&self.settings().public_url, account, &message.sid, sid),
                content_type: match item {
                    MediaItem::Fetched(f) => f.content_type.clone(),
                    MediaItem::Recorded { url } => guess_content_type(url).to_owned(),
                },
            })
            .collect();
        let main = main_of(tx, account).await?;
        billing::charge(
            tx,
            account,
            &main,
            Cost {
                category: UsageCategory::SmsInbound,
                count: 1,
                usage: segments,
                price_micros: price,
            },
            now,
        )
        .await?;
        let keyword = Keyword::of(&message.body);
        if let Some(keyword) = keyword {
            self.answer_keyword(tx, &message, keyword, now).await?;
        }
        // A number in a Messaging Service that does not defer to its numbers
        // is answered at the service's URL; otherwise at its SMS
        // application's, if it has one, instead of its own.
        let application = match &service {
            Some(s) if !s.use_inbound_webhook_on_number => None,
            _ => Applications::sms_of_number_in(tx, &number.sid).await?,
        };
        let (url, fallback) = match (&service, &application) {
            (Some(s), _) if !s.use_inbound_webhook_on_number => (
                s.inbound_request_url.clone().map(|u| (s.inbound_method, u)),
                s.fallback_url.clone().map(|u| (u, s.fallback_method)),
            ),
            (_, Some(a)) => (
                a.sms_url.clone().map(|u| (a.sms_method, u)),
                a.sms_fallback_url
                    .clone()
                    .map(|u| (u, a.sms_fallback_method)),
            ),
            _ => (
                number
                    .hooks
                    .sms_url
                    .clone()
                    .map(|u| (number.hooks.sms_method, u)),
                number
                    .hooks
                    .sms_fallback_url
                    .clone()
                    .map(|u| (u, number.hooks.sms_fallback_method)),
            ),
        };
        if let Some(target) = url {
            let hook = Webhook {
                fallback,
                ..Webhook::notice(
                    WebhookKind::IncomingMessage,
                    (account.clone(), signer),
                    Some(message.sid.to_string()),
                    target,
                    webhook_params(&message, &attachments, keyword),
                )
            };
            delivery::enqueue(tx, &hook, now).await?;
        }
        Ok(message)
    }

    /// Twilio's default handling of STOP, START and HELP: the opt-out list
    /// changes and the sender gets the default answer (free of charge). A
    /// recipient who opted out gets no HELP answer.
    async fn answer_keyword(
        &self,
        tx: &mut Tx,
        message: &MessageRecord,
        keyword: Keyword,
        now: Timestamp,
    ) -> DomainResult<()> {
        let (number, handset) = (&message.to_number, &message.from_number);
        // A number in a Messaging Service opts the handset out of (or back
        // in to) the whole service as well.
        let service = message.messaging_service_sid.as_ref().map(|s| s.as_str());
        let senders = [Some(number.as_str()), service];
        match keyword {
            Keyword::Stop => {
                for sender in senders.into_iter().flatten() {
                    tx.run(opt_outs::add(sender, handset, &message.account_sid, now))
                        .await?;
                }
            }
            Keyword::Start => {
                for sender in senders.into_iter().flatten() {
                    tx.run(opt_outs::remove(&message.account_sid, sender, handset))
                        .await?;
                }
            }
            Keyword::Help => {
                if tx
                    .one(opt_outs::opted_out(
                        &message.account_sid,
                        number,
                        service,
                        handset,
                    ))
                    .await?
                {
                    return Ok(());
                }
            }
        }
        let reply = super::messages::Reply {
            account: &message.account_sid,
            from: number,
            to: handset,
            body: MessageBody {
                text: keyword.reply().to_owned(),
                media: vec![],
            },
            status_callback: None,
            signer: &message.callback_signer_sid,
            service: message.messaging_service_sid.as_ref(),
            automatic: true,
        };
        self.queue_reply(tx, &reply, now).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_whole_bodies_in_any_case() {
        assert_eq!(Keyword::of(" stop "), Some(Keyword::Stop));
        assert_eq!(Keyword::of("Unsubscribe"), Some(Keyword::Stop));
        assert_eq!(Keyword::of("unstop"), Some(Keyword::Start));
        assert_eq!(Keyword::of("info"), Some(Keyword::Help));
        assert_eq!(Keyword::of("STOP PLEASE"), None);
        assert_eq!(Keyword::of("please cancel"), None);
        assert_eq!(Keyword::of(""), None);
    }
}
