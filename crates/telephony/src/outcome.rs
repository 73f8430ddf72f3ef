//! How a simulated call or message ends: a pure function of its destination, so a
//! test picks the outcome by picking the number.

use std::fmt;

use switchboard_types::{CallStatus, MessageStatus};

use crate::hash::fnv1a;
use crate::phone::PhoneNumber;

#[cfg(test)]
mod tests;

/// The number that Twilio's test credentials cannot route to.
const UNROUTABLE: &str = "+15005550002";

/// Twilio's default `Timeout` for outbound calls, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u32 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallEnd {
    Completed,
    Busy,
    NoAnswer,
    Failed,
}

impl CallEnd {
    /// The call's final `status`.
    pub const fn status(self) -> CallStatus {
        match self {
            CallEnd::Completed => CallStatus::Completed,
            CallEnd::Busy => CallStatus::Busy,
            CallEnd::NoAnswer => CallStatus::NoAnswer,
            CallEnd::Failed => CallStatus::Failed,
        }
    }

    pub const fn as_str(&self) -> &'static str {
        self.status().as_str()
    }
}

impl fmt::Display for CallEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The life of a call after it is placed: it rings for `ring_secs`, then either
/// talks for `talk_secs` (billed duration) or ends as `end` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallPlan {
    pub ring_secs: u32,
    pub talk_secs: u32,
    pub end: CallEnd,
}

fn ending(to: &PhoneNumber) -> &str {
    let s = to.as_str();
    &s[s.len() - 4..]
}

/// Plans a call to `to` that gives up ringing after `timeout_secs`.
///
/// - `+15005550002` fails at once;
/// - numbers ending `0486` are busy, `0487` never answer, `0488` fail;
/// - every other number answers after 2–6 s and talks for 30–299 s, both fixed by
///   a hash of its digits; one whose ringing would outlast the timeout is
///   `no-answer`. A `no-answer` call rings for exactly `timeout_secs`.
pub fn plan_call(to: &PhoneNumber, timeout_secs: u32) -> CallPlan {
    let h = fnv1a(to.digits().as_bytes());
    let ring_secs = 2 + ((h >> 32) % 5) as u32;
    let no_answer = CallPlan {
        ring_secs: timeout_secs,
        talk_secs: 0,
        end: CallEnd::NoAnswer,
    };
    let failed = CallPlan {
        ring_secs: 0,
        talk_secs: 0,
        end: CallEnd::Failed,
    };
    if to.as_str() == UNROUTABLE {
        return failed;
    }
    match ending(to) {
        "0486" => CallPlan {
            ring_secs: ring_secs.min(timeout_secs),
            talk_secs: 0,
            end: CallEnd::Busy,
        },
        "0487" => no_answer,
        "0488" => failed,
        _ if ring_secs >= timeout_secs => no_answer,
        _ => CallPlan {
            ring_secs,
            talk_secs: 30 + (h % 270) as u32,
            end: CallEnd::Completed,
        },
    }
}

/// What answering machine detection finds on a call to `to`, and how many
/// milliseconds it takes (`MachineDetectionDuration`):
///
/// - numbers ending `0490`, `0491` and `0492` are answered by a machine
///   whose greeting ends with a beep, in silence, or otherwise: with
///   `detect_message_end` (`DetectMessageEnd`) that is `machine_end_beep`,
///   `machine_end_silence` or `machine_end_other`, once the greeting is
///   over; without (`Enable`), `machine_start` as soon as it is known;
/// - `0493` by a fax (`fax`); `0494` cannot be told apart (`unknown`, after
///   the whole `timeout_secs`);
/// - every other number by a `human`.
///
/// A human is known in 1.5 s, a machine or a fax in 3 s, the end of a
/// machine's greeting 10 s later.
pub fn answered_by(
    to: &PhoneNumber,
    detect_message_end: bool,
    timeout_secs: u32,
) -> (switchboard_types::AnsweredBy, u32) {
    use switchboard_types::AnsweredBy as A;
    const HUMAN_MS: u32 = 1_500;
    const MACHINE_MS: u32 = 3_000;
    const GREETING_MS: u32 = 10_000;
    let machine_end = |end| {
        if detect_message_end {
            (end, MACHINE_MS + GREETING_MS)
        } else {
            (A::MachineStart, MACHINE_MS)
        }
    };
    match ending(to) {
        "0490" => machine_end(A::MachineEndBeep),
        "0491" => machine_end(A::MachineEndSilence),
        "0492" => machine_end(A::MachineEndOther),
        "0493" => (A::Fax, MACHINE_MS),
        "0494" => (A::Unknown, timeout_secs.saturating_mul(1_000)),
        _ => (A::Human, HUMAN_MS),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageEnd {
    Delivered,
    Undelivered,
    Failed,
}

impl MessageEnd {
    /// The message's final `status`.
    pub const fn status(self) -> MessageStatus {
        match self {
            MessageEnd::Delivered => MessageStatus::Delivered,
            MessageEnd::Undelivered => MessageStatus::Undelivered,
            MessageEnd::Failed => MessageStatus::Failed,
        }
    }

    pub const fn as_str(&self) -> &'static str {
        self.status().as_str()
    }

    /// The ending a final status stands for (`None` for a status no simulated
    /// message ends in).
    pub const fn of(status: MessageStatus) -> Option<MessageEnd> {
        match status {
            MessageStatus::Delivered => Some(MessageEnd::Delivered),
            MessageStatus::Undelivered => Some(MessageEnd::Undelivered),
            MessageStatus::Failed => Some(MessageEnd::Failed),
            _ => None,
        }
    }

    /// Twilio's `error_code` and `error_message` for a message that ended so.
    pub fn error_code(&self) -> Option<(u32, &'static str)> {
        match self {
            MessageEnd::Delivered => None,
            MessageEnd::Undelivered => Some((30003, "Unreachable destination handset")),
            MessageEnd::Failed => Some((30008, "Unknown error")),
        }
    }
}

impl fmt::Display for MessageEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Numbers ending `0486` leave messages undelivered (30003), `0488` fail them
/// (30008); every other message is delivered.
pub fn plan_message(to: &PhoneNumber) -> MessageEnd {
    match ending(to) {
        "0486" => MessageEnd::Undelivered,
        "0488" => MessageEnd::Failed,
        _ => MessageEnd::Delivered,
    }
}
