//! Placeholder until the Notifications resource lands: the interface the
//! conversation records its errors through. Replaced at merge.

use switchboard_store::Tx;
use switchboard_types::{AccountSid, CallSid, Timestamp};

use crate::error::DomainResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationLevel {
    Error,
    Warning,
}

pub struct NewNotification<'a> {
    pub account: &'a AccountSid,
    pub call_sid: Option<&'a CallSid>,
    pub resource_sid: Option<&'a str>,
    pub error_code: u32,
    pub level: NotificationLevel,
    pub message_text: String,
    pub request_url: Option<&'a str>,
    pub request_method: Option<&'a str>,
    pub request_variables: Option<&'a str>,
    pub response_headers: Option<String>,
    pub response_body: Option<String>,
}

pub async fn record(_tx: &mut Tx, n: &NewNotification<'_>, _now: Timestamp) -> DomainResult<()> {
    tracing::warn!(account = %n.account, code = n.error_code, "{}", n.message_text);
    Ok(())
}
