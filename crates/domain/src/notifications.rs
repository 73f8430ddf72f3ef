//! Notifications: the debugger's log of what went wrong with an account's
//! webhooks and TwiML, as Twilio's 2010 `Notifications` resource keeps it
//! ([`Notifications`], reached by [`Switchboard::notifications`]).
//!
//! The workers that meet a problem (a webhook that fails, a TwiML document
//! that cannot be parsed) write one with [`record`], inside the transaction
//! of the attempt it describes, so the two commit together or not at all.

use switchboard_store::Tx;
use switchboard_store::notifications::{self, NotificationRecord};
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_types::{
    AccountSid, CallSid, MessageSid, NotificationLevel, NotificationSid, Timestamp,
};

use crate::Switchboard;
use crate::access::{Access, Action, Reader, Resource};
use crate::delivery::overrides::Overrides;
use crate::delivery::worker::Finished;
use crate::error::{DomainError, DomainResult};

pub use switchboard_store::notifications::NotificationFilter;

/// Twilio's codes for the problems Switchboard records.
pub mod codes {
    /// HTTP retrieval failure: a non-2xx answer, a timeout, a refused address.
    pub const HTTP_RETRIEVAL_FAILURE: u32 = 11200;
    /// The response was larger than Twilio reads.
    pub const RESPONSE_TOO_LARGE: u32 = 11750;
    /// The TwiML document could not be parsed.
    pub const DOCUMENT_PARSE_FAILURE: u32 = 12100;
    /// The TwiML document is not valid TwiML (an unknown verb). Twilio logs
    /// this one as a warning ("Schema validation warning"); the others here
    /// are errors.
    pub const SCHEMA_VALIDATION: u32 = 12200;
    /// The response's content type is not one TwiML may have.
    pub const INVALID_CONTENT_TYPE: u32 = 12300;
}

/// How much of a webhook's response body a notification keeps, in bytes. A
/// longer body is cut (on a character boundary) and ends with
/// [`TRUNCATED_MARK`], so a 10 MB answer costs 64 KB of log.
pub const MAX_RESPONSE_BODY: usize = 64 * 1024;
/// The same cap for the response headers, form-encoded.
pub const MAX_RESPONSE_HEADERS: usize = 16 * 1024;
/// What ends a cut body or header list.
pub const TRUNCATED_MARK: &str = "\n[truncated by Switchboard]";

/// A problem to record. `message_text` is the human sentence; the stored
/// `message_text` is Twilio's form-encoded line built from it
/// (`Msg=…&ErrorCode=…&LogLevel=ERROR&url=…`).
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub account: &'a AccountSid,
    pub call_sid: Option<&'a CallSid>,
    /// What the notification is about when it is not a call (e.g. a message SID).
    pub resource_sid: Option<&'a str>,
    pub error_code: u32,
    pub level: NotificationLevel,
    pub message_text: String,
    pub request_url: Option<&'a str>,
    pub request_method: Option<&'a str>,
    /// Form-encoded, as sent.
    pub request_variables: Option<&'a str>,
    /// Form-encoded (`Content-Type=text%2Fhtml&Content-Length=466`).
    pub response_headers: Option<String>,
    pub response_body: Option<String>,
}

impl<'a> NewNotification<'a> {
    /// The same notification, with the request it is about as Twilio's
    /// debugger shows it: the URL as requested (without the connection
    /// overrides), its method and parameters, and the answer.
    pub(crate) fn about(self, finished: &'a Finished) -> Self {
        let d = &finished.delivery;
        let answer = finished.answer.as_ref();
        NewNotification {
            request_url: Some(Overrides::split(&d.url).0),
            request_method: Some(&d.method),
            request_variables: Some(&d.params),
            response_headers: answer
                .and_then(|a| a.content_type.as_ref())
                .map(|t| format!("Content-Type={t}")),
            response_body: answer.map(|a| String::from_utf8_lossy(&a.body).into_owned()),
            ..self
        }
    }
}

/// A notification as the API and the console show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub sid: NotificationSid,
    pub account_sid: AccountSid,
    pub call_sid: Option<CallSid>,
    pub resource_sid: Option<String>,
    pub error_code: i64,
    pub level: NotificationLevel,
    /// Twilio's form-encoded line; [`Notification::message`] is its `Msg`.
    pub message_text: String,
    pub message_date: Timestamp,
    pub request_url: Option<String>,
    pub request_method: Option<String>,
    pub request_variables: Option<String>,
    pub response_headers: Option<String>,
    pub response_body: Option<String>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Notification {
    /// The human sentence (`Msg`) of the form-encoded `message_text`, or the
    /// whole text when it has none.
    pub fn message(&self) -> String {
        url::form_urlencoded::parse(self.message_text.as_bytes())
            .find(|(k, _)| k == "Msg")
            .map_or_else(|| self.message_text.clone(), |(_, v)| v.into_owned())
    }

    /// Twilio's page about the error code.
    pub fn more_info(&self) -> String {
        more_info(self.error_code)
    }
}

/// Twilio's page about an error code.
pub fn more_info(code: i64) -> String {
    format!("https://www.twilio.com/docs/errors/{code}")
}

impl From<NotificationRecord> for Notification {
    fn from(n: NotificationRecord) -> Self {
        Notification {
            sid: n.sid,
            account_sid: n.account_sid,
            call_sid: n.call_sid,
            resource_sid: n.resource_sid,
            error_code: n.error_code,
            level: n.level,
            message_text: n.message_text,
            message_date: n.message_date,
            request_url: n.request_url,
            request_method: n.request_method,
            request_variables: n.request_variables,
            response_headers: n.response_headers,
            response_body: n.response_body,
            date_created: n.date_created,
            date_updated: n.date_updated,
        }
    }
}

/// Listed newest first by creation, as their rows are.
impl Keyed for Notification {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the cut.
fn capped(mut text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max.saturating_sub(TRUNCATED_MARK.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(TRUNCATED_MARK);
    text
}

fn level_word(level: NotificationLevel) -> &'static str {
    match level {
        NotificationLevel::Error => "ERROR",
        NotificationLevel::Warning => "WARN",
    }
}

/// Twilio's `message_text`: the sentence and what it is about, form-encoded.
fn twilio_message_text(n: &NewNotification<'_>) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("Msg", &n.message_text);
    s.append_pair("ErrorCode", &n.error_code.to_string());
    s.append_pair("LogLevel", level_word(n.level));
    if let Some(url) = n.request_url {
        s.append_pair("url", url);
    }
    s.finish()
}

/// Where a request went, for the log: no credentials, no query string (they
/// may hold secrets).
fn loggable_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            format!(
                "{}://{}{}",
                u.scheme(),
                u.host_str().unwrap_or(""),
                u.port().map(|p| format!(":{p}")).unwrap_or_default()
            ) + u.path()
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

/// Records a notification inside `tx` (the worker's transaction for the
/// attempt it describes) and logs it at `warn`, without bodies or secrets.
pub async fn record(
    tx: &mut Tx,
    n: &NewNotification<'_>,
    now: Timestamp,
) -> DomainResult<NotificationSid> {
    let record = NotificationRecord {
        sid: NotificationSid::generate(),
        account_sid: n.account.clone(),
        call_sid: n.call_sid.cloned(),
        resource_sid: n.resource_sid.map(str::to_owned),
        error_code: i64::from(n.error_code),
        level: n.level,
        message_text: twilio_message_text(n),
        message_date: now,
        request_url: n.request_url.map(str::to_owned),
        // Twilio writes methods in capitals (its document allows GET and POST).
        request_method: n.request_method.map(str::to_ascii_uppercase),
        request_variables: n.request_variables.map(str::to_owned),
        response_headers: n
            .response_headers
            .clone()
            .map(|h| capped(h, MAX_RESPONSE_HEADERS)),
        response_body: n
            .response_body
            .clone()
            .map(|b| capped(b, MAX_RESPONSE_BODY)),
        date_created: now,
        date_updated: now,
    };
    tx.run(notifications::insert(&record)).await?;
    tracing::warn!(
        account = %record.account_sid,
        notification = %record.sid,
        error_code = n.error_code,
        log = record.level.as_str(),
        call = ?record.call_sid,
        resource = record.resource_sid.as_deref().unwrap_or(""),
        url = %n.request_url.map(loggable_url).unwrap_or_default(),
        "{}",
        n.message_text.chars().take(200).collect::<String>()
    );
    Ok(record.sid)
}

/// Which notifications a read reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationScope {
    /// Those of the account the access names (the API's).
    Account,
    /// Those of every account of the main account the access names (the
    /// console's debugger).
    Tree,
}

impl Switchboard {
    /// The debugger's log: listing, reading and deleting notifications.
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications { sb: self }
    }
}

/// The notifications of the account an access names (`Resource::Notifications`).
pub struct Notifications<'a> {
    sb: &'a Switchboard,
}

impl Notifications<'_> {
    /// Newest first (`GET …/Notifications.json`: authorised and read in one
    /// round trip), with Twilio's filters; those of one call (`GET
    /// …/Calls/{CallSid}/Notifications.json`) once the call is found.
    pub async fn list(
        &self,
        reader: Reader<'_>,
        scope: NotificationScope,
        filter: &NotificationFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<Notification>> {
        // `…/Calls/{CallSid}/Notifications.json`: a call the account does
        // not have is not found, rather than an empty list.
        if let (NotificationScope::Account, Some(call)) = (scope, &filter.call_sid) {
            self.sb
                .read_one(reader, Resource::Notifications, |account| {
                    switchboard_store::calls::of_account(account, call)
                })
                .await?;
        }
        let page = self
            .sb
            .read_page(reader, Resource::Notifications, |account| match scope {
                NotificationScope::Account => notifications::list(account, filter, at, size),
                NotificationScope::Tree => notifications::list_of_tree(account, filter, at, size),
            })
            .await?;
        Ok(page.map(Notification::from))
    }

    /// The notifications about `messages` of the account the access names,
    /// oldest first. `since`: when the oldest of the messages was created.
    pub async fn of_messages(
        &self,
        access: &Access,
        messages: &[MessageSid],
        since: Timestamp,
    ) -> DomainResult<Vec<Notification>> {
        access.require(Action::Read, Resource::Notifications)?;
        let account = &access.target_account()?.sid;
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let query = notifications::about(account, messages, since);
        let rows = self.sb.store().all(query).await?;
        Ok(rows.into_iter().map(Notification::from).collect())
    }

    /// One notification (`GET …/Notifications/{Sid}.json`); anyone else's is
    /// not found.
    pub async fn get(
        &self,
        reader: Reader<'_>,
        scope: NotificationScope,
        sid: &NotificationSid,
    ) -> DomainResult<Notification> {
        self.sb
            .read_one(reader, Resource::Notifications, |account| match scope {
                NotificationScope::Account => notifications::of_account(account, sid),
                NotificationScope::Tree => notifications::of_tree(account, sid),
            })
            .await
            .map(Notification::from)
    }

    /// `DELETE …/Notifications/{Sid}.json`.
    pub async fn delete(&self, access: &Access, sid: &NotificationSid) -> DomainResult<()> {
        access.require(Action::Write, Resource::Notifications)?;
        let account = &access.target_account()?.sid;
        let deleted = self
            .sb
            .store()
            .run(notifications::delete(account, sid))
            .await?;
        if deleted == 0 {
            return Err(DomainError::NotFound);
        }
        tracing::info!(account = %account, notification = %sid, "deleted a notification");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary_and_marked() {
        assert_eq!(capped("short".into(), 64), "short");
        let body = "é".repeat(MAX_RESPONSE_BODY);
        let cut = capped(body, MAX_RESPONSE_BODY);
        assert!(cut.len() <= MAX_RESPONSE_BODY, "{}", cut.len());
        assert!(cut.ends_with(TRUNCATED_MARK));
        assert!(
            cut.trim_end_matches(TRUNCATED_MARK)
                .chars()
                .all(|c| c == 'é')
        );
    }

    #[test]
    fn message_text_is_twilios_form_encoded_line() {
        let account = AccountSid::generate();
        let n = NewNotification {
            account: &account,
            call_sid: None,
            resource_sid: None,
            error_code: codes::HTTP_RETRIEVAL_FAILURE,
            level: NotificationLevel::Error,
            message_text: "Got HTTP 500 & gave up".into(),
            request_url: Some("https://example.com/sms?x=1"),
            request_method: Some("POST"),
            request_variables: None,
            response_headers: None,
            response_body: None,
        };
        let text = twilio_message_text(&n);
        assert_eq!(
            text,
            "Msg=Got+HTTP+500+%26+gave+up&ErrorCode=11200&LogLevel=ERROR&url=https%3A%2F%2Fexample.com%2Fsms%3Fx%3D1"
        );
        let shown = Notification {
            sid: NotificationSid::generate(),
            account_sid: account,
            call_sid: None,
            resource_sid: None,
            error_code: 11200,
            level: NotificationLevel::Error,
            message_text: text,
            message_date: Timestamp::from_seconds(1),
            request_url: None,
            request_method: None,
            request_variables: None,
            response_headers: None,
            response_body: None,
            date_created: Timestamp::from_seconds(1),
            date_updated: Timestamp::from_seconds(1),
        };
        assert_eq!(shown.message(), "Got HTTP 500 & gave up");
        assert_eq!(
            shown.more_info(),
            "https://www.twilio.com/docs/errors/11200"
        );
    }

    #[test]
    fn logged_urls_drop_credentials_and_queries() {
        assert_eq!(
            loggable_url("https://user:secret@example.com:8443/hook?token=abc"),
            "https://example.com:8443/hook"
        );
        assert_eq!(loggable_url("not a url"), "(not a URL)");
    }
}
