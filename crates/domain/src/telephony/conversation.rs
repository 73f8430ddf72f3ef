//! What follows a request for TwiML about a message that arrived: its answer
//! executed (replies sent, the next document fetched), or its failure
//! recorded and the fallback URL tried. It runs in the transaction that
//! records the request's last attempt, so an answer is executed exactly once
//! and nothing it causes is lost.
//!
//! Everything that goes wrong here is the app's to see, as Twilio shows it:
//! a notification on the receiving account (11200 the request failed, 11750
//! the answer is too large, 12100/12102/12300 it is not TwiML, 12200/14xxx
//! a verb could not be executed), never an error of the worker.

use switchboard_store::Tx;
use switchboard_store::messages::{self, MessageRecord};
use switchboard_store::phone_numbers;
use switchboard_twiml::{MessageVerb, MessagingVerb, RedirectVerb, parse_messaging, resolve_url};
use switchboard_types::{HookMethod, MessageSid, NotificationLevel, Timestamp};

use super::messages::{MessageBody, Reply};
use crate::Switchboard;
use crate::delivery::worker::{ANSWER_LIMIT, Finished};
use crate::delivery::{self, Webhook, WebhookKind, decode_params};
use crate::error::{DomainError, DomainResult, Invalid, MessageField, Problem, UrlFault};
use crate::notifications::{self, NewNotification};

/// How many documents one message's conversation may fetch (the first
/// answer, each `<Redirect>` and `<Message action>`): a redirect loop stops
/// here with error 14106.
pub const MAX_DOCUMENTS: i64 = 10;

/// How many `<Message>` replies one document may send; more are error 14109.
pub const MAX_REPLIES: usize = 10;

/// Twilio's codes for what goes wrong in a conversation.
pub mod codes {
    pub use crate::notifications::codes::{HTTP_RETRIEVAL_FAILURE, RESPONSE_TOO_LARGE};
    /// `<Message to>` is not a phone number.
    pub const INVALID_TO: u32 = 14101;
    /// `<Message from>` is not a number of the account.
    pub const INVALID_FROM: u32 = 14102;
    /// `<Message>` has no body and no media, or they break Twilio's limits.
    pub const INVALID_BODY: u32 = 14103;
    /// A `statusCallback`, `action` or `<Redirect>` URL is not a URL.
    pub const INVALID_URL: u32 = 14105;
    /// Too many documents fetched for one message (a redirect loop).
    pub const DOCUMENT_LIMIT: u32 = 14106;
    /// Too many replies in one document.
    pub const REPLY_LIMIT: u32 = 14109;
    /// The recipient of a `<Message>` answered STOP.
    pub const UNSUBSCRIBED: u32 = 21610;
}

/// The debugger's words for a reply the domain refused. Notifications are
/// Twilio's log, so they keep Twilio's wording (the API's words for the same
/// problems are in the wire layer's `twilio/invalid.rs`).
fn said(e: &DomainError) -> String {
    let DomainError::Invalid(Invalid { problem, .. }) = e else {
        return e.to_string();
    };
    match problem {
        Problem::Missing => "Message body is required".to_owned(),
        Problem::TooLong { max } => {
            format!("The concatenated message body exceeds the {max} character limit")
        }
        Problem::TooMany { max } => format!("At most {max} MediaUrl values may be sent"),
        Problem::NotUrl(fault) => {
            let why = match fault {
                UrlFault::NotHttp => String::new(),
                UrlFault::TooLong { max } => format!(" of at most {max} characters"),
                UrlFault::Credentials => " without a user name or password in it".to_owned(),
            };
            format!("MediaUrl must be an absolute http or https URL{why}")
        }
        Problem::NotPhoneNumber(e) => e.to_string(),
        Problem::OptedOut { to, from } => {
            format!("Attempt to send to unsubscribed recipient: {to} replied STOP to {from}")
        }
        other => format!("{other:?}"),
    }
}

/// One request of a conversation and the message it is about.
struct Step<'a> {
    finished: &'a Finished,
    inbound: &'a MessageRecord,
    now: Timestamp,
}

impl Step<'_> {
    /// A notification about this request, on the receiving account.
    fn notice(&self, code: u32, level: NotificationLevel, text: String) -> NewNotification<'_> {
        NewNotification {
            account: &self.inbound.account_sid,
            call_sid: None,
            resource_sid: Some(self.inbound.sid.as_str()),
            error_code: code,
            level,
            message_text: text,
            request_url: None,
            request_method: None,
            request_variables: None,
            response_headers: None,
            response_body: None,
        }
        .about(self.finished)
    }

    async fn report(
        &self,
        tx: &mut Tx,
        code: u32,
        level: NotificationLevel,
        text: String,
    ) -> DomainResult<()> {
        notifications::record(tx, &self.notice(code, level, text), self.now).await?;
        Ok(())
    }

    async fn error(&self, tx: &mut Tx, code: u32, text: String) -> DomainResult<()> {
        self.report(tx, code, NotificationLevel::Error, text).await
    }

    /// Whether the conversation may fetch one more document (for `verb`); if
    /// not, records why (14106), so a redirect loop stops.
    async fn may_fetch_another(&self, tx: &mut Tx, verb: &str) -> DomainResult<bool> {
        if self.finished.delivery.documents + 1 < MAX_DOCUMENTS {
            return Ok(true);
        }
        self.error(
            tx,
            codes::DOCUMENT_LIMIT,
            format!(
                "{verb}: this message's conversation already fetched {MAX_DOCUMENTS} documents, the most it may; no more are requested"
            ),
        )
        .await?;
        Ok(false)
    }

    /// Another request of this conversation, with the same parameters.
    fn next_request(
        &self,
        kind: WebhookKind,
        (method, url): (HookMethod, String),
        params: Vec<(String, String)>,
    ) -> Webhook {
        let d = &self.finished.delivery;
        Webhook {
            documents: d.documents + 1,
            ..Webhook::notice(
                kind,
                (d.account_sid.clone(), d.signing_account_sid.clone()),
                d.resource_sid.clone(),
                (method, url),
                params,
            )
        }
    }

    /// A URL of the document, resolved against the document's own URL.
    fn resolve(&self, reference: &str) -> Result<String, String> {
        resolve_url(&self.finished.delivery.url, reference)
            .map(|u| u.to_string())
            .map_err(|e| e.to_string())
    }
}

impl Switchboard {
    /// Follows the last attempt of a request for TwiML (see the module
    /// documentation), inside the transaction that records it.
    pub(crate) async fn follow_answer(&self, tx: &mut Tx, f: &Finished) -> DomainResult<()> {
        let d = &f.delivery;
        let Some(kind) = WebhookKind::parse(&d.kind) else {
            return Ok(());
        };
        if kind.is_call_document() {
            return self.follow_call_document(tx, f, kind).await;
        }
        if kind == WebhookKind::ConferenceAnnounce {
            return self.follow_announcement(tx, f).await;
        }
        let sid = d
            .resource_sid
            .as_deref()
            .and_then(|s| MessageSid::parse(s).ok());
        let inbound = match sid {
            Some(sid) => tx.opt(messages::of_account(&d.account_sid, &sid)).await?,
            None => None,
        };
        // The message was deleted meanwhile: nothing to answer.
        let Some(inbound) = inbound else {
            return Ok(());
        };
        let step = Step {
            finished: f,
            inbound: &inbound,
            now: f.completed_at,
        };
        if f.state != "delivered" {
            let why = f.error.as_deref().unwrap_or("no answer");
            step.error(
                tx,
                codes::HTTP_RETRIEVAL_FAILURE,
                format!("HTTP retrieval failure: {why}"),
            )
            .await?;
            if let (WebhookKind::IncomingMessage, Some(url)) = (kind, &d.fallback_url) {
                let method = d
                    .fallback_method
                    .as_deref()
                    .and_then(|m| HookMethod::parse(m).ok())
                    .unwrap_or(HookMethod::Post);
                let mut hook = step.next_request(
                    WebhookKind::IncomingMessageFallback,
                    (method, url.clone()),
                    decode_params(&d.params),
                );
                // The fallback stands in for the first request.
                hook.documents = d.documents;
                delivery::enqueue(tx, &hook, step.now).await?;
            }
            return Ok(());
        }
        let Some(answer) = &f.answer else {
            return Ok(());
        };
        if answer.too_large {
            return step
                .error(
                    tx,
                    codes::RESPONSE_TOO_LARGE,
                    format!(
                        "The response body is larger than the {ANSWER_LIMIT} bytes (64 kB) a TwiML document may have"
                    ),
                )
                .await;
        }
        let document = match parse_messaging(&answer.body, answer.content_type.as_deref()) {
            Ok(document) => document,
            Err(e) => return step.error(tx, e.code(), e.to_string()).await,
        };
        for warning in &document.warnings {
            step.report(
                tx,
                warning.code,
                NotificationLevel::Warning,
                warning.to_string(),
            )
            .await?;
        }
        self.execute(tx, &step, &document.verbs).await
    }

    /// Executes a document's verbs in order.
    async fn execute(
        &self,
        tx: &mut Tx,
        step: &Step<'_>,
        verbs: &[MessagingVerb],
    ) -> DomainResult<()> {
        let mut replies = 0;
        for verb in verbs {
            match verb {
                MessagingVerb::Message(m) => {
                    if replies == MAX_REPLIES {
                        return step
                            .error(
                                tx,
                                codes::REPLY_LIMIT,
                                format!(
                                    "A document may send at most {MAX_REPLIES} messages; the rest were not sent"
                                ),
                            )
                            .await;
                    }
                    let Some(reply) = self.reply(tx, step, m).await? else {
                        continue;
                    };
                    replies += 1;
                    if let Some(action) = &m.action {
                        // The action's answer continues the conversation:
                        // nothing after this <Message> runs.
                        return self.follow_action(tx, step, &reply, action, m.method).await;
                    }
                }
                MessagingVerb::Redirect(r) => return self.redirect(tx, step, r).await,
            }
        }
        Ok(())
    }

    /// Sends one `<Message>`, or reports why not. `None`: not sent.
    async fn reply(
        &self,
        tx: &mut Tx,
        step: &Step<'_>,
        m: &MessageVerb,
    ) -> DomainResult<Option<MessageRecord>> {
        let inbound = step.inbound;
        let from = m.from.as_deref().unwrap_or(&inbound.to_number);
        let to = m.to.as_deref().unwrap_or(&inbound.from_number);
        let owned = tx
            .opt(phone_numbers::of_account_by_number(
                &inbound.account_sid,
                from,
            ))
            .await?
            .is_some_and(|n| n.sms_capable);
        if !owned {
            step.error(
                tx,
                codes::INVALID_FROM,
                format!("<Message from=\"{from}\">: not an SMS-capable number of this account"),
            )
            .await?;
            return Ok(None);
        }
        let mut media = Vec::with_capacity(m.media.len());
        for url in &m.media {
            match step.resolve(url) {
                Ok(url) => media.push(url),
                Err(e) => {
                    step.error(tx, codes::INVALID_BODY, format!("<Media>: {e}"))
                        .await?;
                    return Ok(None);
                }
            }
        }
        let body = match MessageBody::check(Some(&m.body), &media) {
            Ok(body) => body,
            Err(e) => {
                step.error(tx, codes::INVALID_BODY, format!("<Message>: {}", said(&e)))
                    .await?;
                return Ok(None);
            }
        };
        let status_callback = match m.status_callback.as_deref().map(|u| step.resolve(u)) {
            None => None,
            Some(Ok(url)) => Some(url),
            Some(Err(e)) => {
                step.error(
                    tx,
                    codes::INVALID_URL,
                    format!("<Message statusCallback>: {e}"),
                )
                .await?;
                return Ok(None);
            }
        };
        let reply = Reply {
            account: &inbound.account_sid,
            from,
            to,
            body,
            status_callback,
            signer: &inbound.callback_signer_sid,
            service: inbound.messaging_service_sid.as_ref(),
            automatic: false,
        };
        match self.queue_reply(tx, &reply, step.now).await {
            Ok(message) => Ok(Some(message)),
            Err(DomainError::Invalid(i)) if i.field == MessageField::To.into() => {
                let code = match i.problem {
                    Problem::OptedOut { .. } => codes::UNSUBSCRIBED,
                    _ => codes::INVALID_TO,
                };
                let text = format!("<Message to=\"{to}\">: {}", said(&DomainError::Invalid(i)));
                step.error(tx, code, text).await?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// `<Redirect>`: fetches the next document, unless the conversation
    /// has fetched too many.
    async fn redirect(&self, tx: &mut Tx, step: &Step<'_>, r: &RedirectVerb) -> DomainResult<()> {
        let d = &step.finished.delivery;
        if !step.may_fetch_another(tx, "<Redirect>").await? {
            return Ok(());
        }
        let url = match step.resolve(&r.url) {
            Ok(url) => url,
            Err(e) => {
                return step
                    .error(tx, codes::INVALID_URL, format!("<Redirect>: {e}"))
                    .await;
            }
        };
        let hook = step.next_request(
            WebhookKind::MessageRedirect,
            (r.method, url),
            decode_params(&d.params),
        );
        delivery::enqueue(tx, &hook, step.now).await?;
        Ok(())
    }

    /// `<Message action>`: requests the action URL with the reply's SID and
    /// status; its answer continues the conversation.
    async fn follow_action(
        &self,
        tx: &mut Tx,
        step: &Step<'_>,
        reply: &MessageRecord,
        action: &str,
        method: HookMethod,
    ) -> DomainResult<()> {
        let d = &step.finished.delivery;
        if !step.may_fetch_another(tx, "<Message action>").await? {
            return Ok(());
        }
        let url = match step.resolve(action) {
            Ok(url) => url,
            Err(e) => {
                return step
                    .error(tx, codes::INVALID_URL, format!("<Message action>: {e}"))
                    .await;
            }
        };
        let mut params: Vec<(String, String)> = decode_params(&d.params)
            .into_iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "MessageSid" | "SmsSid" | "SmsMessageSid" | "SmsStatus"
                )
            })
            .collect();
        params.push(("MessageSid".into(), reply.sid.to_string()));
        params.push(("SmsSid".into(), reply.sid.to_string()));
        params.push(("MessageStatus".into(), reply.status.as_str().into()));
        params.push(("SmsStatus".into(), reply.status.as_str().into()));
        let hook = step.next_request(WebhookKind::MessageAction, (method, url), params);
        delivery::enqueue(tx, &hook, step.now).await?;
        Ok(())
    }
}
