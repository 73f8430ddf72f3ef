//! TwiML: the documents a webhook answers with, read and checked once, so the
//! workers that execute them hold typed verbs rather than XML.
//!
//! Reading goes in two steps. The channel-independent one checks the body's
//! size (11750), `Content-Type` (12300) and well-formedness (12100), and
//! builds a tree of elements whose root must be `<Response>` (12102); any of
//! these is a [`TwimlError`] and nothing in the document runs. Then a
//! channel's schema (messaging's, [`parse_messaging`], and voice's,
//! [`parse_voice`]) turns the tree into verbs, skipping what it does not
//! know with a [`TwimlWarning`] (12200, 14110, 14103…), as Twilio does.
//!
//! No I/O: the caller fetches the document and records the notifications.
//! `docs/twiml.md` describes what is supported and refused.

#![forbid(unsafe_code)]

mod document;
mod error;
mod messaging;
mod resolve;
mod schema;
mod voice;

pub use error::{TwimlError, TwimlWarning, UrlError, codes};
pub use messaging::{MessageVerb, MessagingResponse, MessagingVerb, RedirectVerb, parse_messaging};
pub use resolve::resolve_url;
pub use voice::{
    Audio, DialConference, DialNumber, DialQueue, DialRecording, DialVerb, EnqueueVerb, GatherVerb,
    LOOP_FOREVER, MAX_CONFERENCE_PARTICIPANTS, PauseVerb, PlayVerb, Prompt, RecordVerb,
    RejectReason, SayVerb, SpeechTimeout, VoiceResponse, VoiceVerb, parse_voice, voice_codes,
};

/// The largest answer read, in bytes (Twilio's 64 kB); a larger one is
/// refused with 11750 before it is parsed.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod voice_tests;
