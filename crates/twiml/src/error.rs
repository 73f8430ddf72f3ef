//! What can go wrong with an answer, under Twilio's error and warning codes.

use thiserror::Error;

use crate::MAX_DOCUMENT_BYTES;

/// An answer that cannot be executed at all: nothing in it runs.
///
/// Each is recorded as Twilio's notification with [`TwimlError::code`] at
/// the error level; the message names what was wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TwimlError {
    /// 11750: the body is larger than [`MAX_DOCUMENT_BYTES`]. Checked before
    /// anything else, so a huge error page is never read.
    #[error(
        "the response body is {size} bytes, larger than the {MAX_DOCUMENT_BYTES} bytes (64 kB) a TwiML document may have"
    )]
    TooLarge {
        /// The body's length in bytes.
        size: usize,
    },
    /// 12300: the body is not empty and its `Content-Type` is neither TwiML
    /// (`text/xml`, `application/xml`, `text/html`) nor, where the channel
    /// takes it, `text/plain`.
    #[error("{}", content_type_message(.content_type.as_deref()))]
    ContentType {
        /// The `Content-Type` the answer had, if any (bounded in length).
        content_type: Option<String>,
    },
    /// 12100: the body is not a well-formed XML document (or not UTF-8, or
    /// has a DOCTYPE, or nests too deeply).
    #[error("line {line}, column {column}: {detail}")]
    Parse {
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column (in characters) of the fault.
        column: usize,
        /// What was wrong.
        detail: String,
    },
    /// 12102: the document's root element is not `<Response>`.
    #[error(
        "line {line}: the root element is <{found}>; a TwiML document's root element must be <Response>"
    )]
    Root {
        /// The root element's name (bounded in length).
        found: String,
        /// 1-based line of the root element.
        line: usize,
    },
}

impl TwimlError {
    /// Twilio's error code for this error.
    pub fn code(&self) -> u32 {
        match self {
            TwimlError::TooLarge { .. } => 11750,
            TwimlError::ContentType { .. } => 12300,
            TwimlError::Parse { .. } => 12100,
            TwimlError::Root { .. } => 12102,
        }
    }
}

fn content_type_message(content_type: Option<&str>) -> String {
    match content_type {
        Some(content_type) => format!(
            "the response's Content-Type is {content_type:?}; TwiML must be text/xml, application/xml or text/html (or text/plain for a message reply)"
        ),
        None => "the response has a body but no Content-Type; TwiML must be text/xml, application/xml or text/html (or text/plain for a message reply)".to_owned(),
    }
}

/// Something in a document that Twilio would not execute as written: the
/// element or attribute is skipped (or a default used) and the rest of the
/// document still runs. Recorded as a notification at the warning level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwimlWarning {
    /// Twilio's warning code: see [`codes`](crate::codes).
    pub code: u32,
    /// 1-based line of the element the warning is about.
    pub line: usize,
    /// What was wrong and what was done about it.
    pub message: String,
}

impl std::fmt::Display for TwimlWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Twilio's codes for the warnings this crate gives.
pub mod codes {
    /// Schema validation warning: an unknown verb, attribute or nested
    /// element, or text where none belongs.
    pub const SCHEMA: u32 = 12200;
    /// A TwiML verb that is not a messaging verb (`<Say>` in a message reply).
    pub const INVALID_MESSAGING_VERB: u32 = 14110;
    /// `<Message>` with neither a body nor media.
    pub const MESSAGE_INVALID_BODY: u32 = 14103;
    /// `<Message method>` other than `GET` or `POST`.
    pub const MESSAGE_INVALID_METHOD: u32 = 14104;
}

/// A URL in a document (or the document's own URL) that cannot be requested.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{reference:?} is not a valid URL: {reason}")]
pub struct UrlError {
    /// The URL as written (bounded in length).
    pub reference: String,
    /// Why it was refused.
    pub reason: String,
}

impl UrlError {
    /// Twilio's code for an invalid URL: 11100.
    pub fn code(&self) -> u32 {
        11100
    }
}

/// Cuts a value quoted in a message so a huge one does not fill the log.
pub(crate) fn bounded(value: &str) -> String {
    const MAX_CHARS: usize = 64;
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}
