//! A call's events (`GET …/Calls/{CallSid}/Events.json`, reached by
//! [`Switchboard::call_events`]): every request Switchboard sent the
//! application about the call, and what came back, oldest first.
//!
//! They are not stored apart: each is an attempt of one of the call's
//! deliveries (the one delivery pipeline records every attempt), of a kind
//! [`WebhookKind::is_call_event`] lists — the TwiML requests and the status
//! callbacks. A retried request is one event per attempt, as each was a
//! request the application saw.

use switchboard_store::calls;
use switchboard_store::deliveries::{self, CallEventRecord};
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_types::{CallSid, DeliverySid, Timestamp};

use crate::Switchboard;
use crate::access::{Reader, Resource};
use crate::delivery::overrides::Overrides;
use crate::delivery::{WebhookKind, decode_params};
use crate::error::DomainResult;
use crate::telephony::voice::timeline::{self, TimelineDocument};

/// One request sent about a call, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRequestEvent {
    /// The delivery it is an attempt of.
    pub delivery_sid: DeliverySid,
    pub kind: WebhookKind,
    /// `GET` or `POST`.
    pub method: String,
    /// Where it went: without Twilio's connection overrides (`#rc=…`), which
    /// are Switchboard's instructions rather than part of the address, and
    /// without a password the URL carried.
    pub url: String,
    /// As sent (also in the query string of a `GET`), in order.
    pub parameters: Vec<(String, String)>,
    /// When the request was sent.
    pub sent_at: Timestamp,
    /// How long the answer took, in milliseconds.
    pub duration_ms: Option<i64>,
    /// The answer's HTTP status; `None` when none came (refused address,
    /// connection failure, timeout: see `error`).
    pub response_code: Option<i64>,
    /// What was answered, when Switchboard reads the answer (a TwiML
    /// request's; a status callback's only in sandbox mode).
    pub content_type: Option<String>,
    pub response_body: Option<String>,
    /// Why no answer came, or why the answer counted as a failure.
    pub error: Option<String>,
    cursor: Cursor,
}

impl CallRequestEvent {
    /// When the answer (or the failure) came.
    pub fn answered_at(&self) -> Timestamp {
        self.sent_at
            .plus_micros(self.duration_ms.unwrap_or(0).saturating_mul(1000))
    }
}

impl Keyed for CallRequestEvent {
    fn cursor(&self) -> Cursor {
        self.cursor.clone()
    }
}

/// The address as shown: no connection overrides, no password.
fn shown_url(url: &str) -> String {
    let (bare, _) = Overrides::split(url);
    match url::Url::parse(bare) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => bare.to_owned(),
    }
}

impl CallRequestEvent {
    fn from_record(r: CallEventRecord) -> Option<Self> {
        let cursor = r.cursor();
        let kind = WebhookKind::parse(&r.kind)?;
        Some(CallRequestEvent {
            delivery_sid: r.delivery_sid.clone(),
            kind,
            url: shown_url(&r.url),
            method: r.method,
            parameters: decode_params(&r.params),
            sent_at: r.attempt.at,
            duration_ms: r.attempt.latency_ms,
            response_code: r.attempt.status_code,
            content_type: r.attempt.response_content_type,
            response_body: r.attempt.response_body,
            error: r.attempt.error,
            cursor,
        })
    }
}

impl Switchboard {
    /// A call's events: the requests sent about it.
    pub fn call_events(&self) -> CallEvents<'_> {
        CallEvents { sb: self }
    }
}

/// The events of the calls of the account a reader names
/// (`Resource::CallEvents`).
pub struct CallEvents<'a> {
    sb: &'a Switchboard,
}

impl CallEvents<'_> {
    /// Oldest first (`GET …/Calls/{CallSid}/Events.json`). A call the account
    /// does not have (or no longer has) is not found.
    pub async fn list(
        &self,
        reader: Reader<'_>,
        call: &CallSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<CallRequestEvent>> {
        let found = self
            .sb
            .read_one(reader, Resource::CallEvents, |account| {
                calls::of_account(account, call)
            })
            .await?;
        let kinds: Vec<&str> = WebhookKind::ALL
            .into_iter()
            .filter(|k| k.is_call_event())
            .map(WebhookKind::as_str)
            .collect();
        let page = self
            .sb
            .read_page(reader, Resource::CallEvents, |account| {
                deliveries::call_events(account, call, found.date_created, &kinds, at, size)
            })
            .await?;
        // Every kind read is one this build knows.
        Ok(Page {
            items: page
                .items
                .into_iter()
                .filter_map(CallRequestEvent::from_record)
                .collect(),
            has_next: page.has_next,
            has_previous: page.has_previous,
        })
    }
}

impl CallEvents<'_> {
    /// The documents the call ran and the verbs it executed from each, with
    /// their simulated start times (empty for a call that ran none). The
    /// requests are [`Self::list`]'s.
    pub async fn timeline(
        &self,
        reader: Reader<'_>,
        call: &CallSid,
    ) -> DomainResult<Vec<TimelineDocument>> {
        let account = self.sb.reader_account(reader).await?;
        let query = switchboard_store::call_voice::timeline_of(account, call);
        let rows = self.sb.read_as(reader, Resource::CallEvents, query).await?;
        Ok(rows.first().map(|t| timeline::read(t)).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_urls_drop_overrides_and_passwords() {
        assert_eq!(
            shown_url("https://example.com/voice?x=1#rc=2&ct=500"),
            "https://example.com/voice?x=1"
        );
        assert_eq!(
            shown_url("https://user:secret@example.com/voice"),
            "https://user@example.com/voice"
        );
        assert_eq!(shown_url("https://example.com/a"), "https://example.com/a");
    }

    #[test]
    fn status_callbacks_are_events_but_not_documents() {
        assert!(WebhookKind::CallStatus.is_call_event());
        assert!(!WebhookKind::CallStatus.is_call_document());
        // Messaging's and Connect's webhooks are about no call.
        for kind in [
            WebhookKind::Deauthorize,
            WebhookKind::MessageStatus,
            WebhookKind::IncomingMessage,
            WebhookKind::IncomingMessageFallback,
            WebhookKind::MessageRedirect,
            WebhookKind::MessageAction,
        ] {
            assert!(!kind.is_call_event(), "{kind:?}");
        }
        // A call's document is TwiML, read as such.
        for kind in WebhookKind::ALL {
            assert!(
                !kind.is_call_document() || kind.asks_for_twiml(),
                "{kind:?}"
            );
        }
    }
}
