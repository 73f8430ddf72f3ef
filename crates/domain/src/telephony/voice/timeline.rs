//! What a call executed, for people to read (the console's call page): each
//! document the call ran, where it came from, and each verb with the
//! simulated second of the call it started at.
//!
//! It is kept in the engine's row (`call_voice.timeline`, migration 0025),
//! one line per entry, appended in the transaction that takes the document
//! or executes the verb, so it is exactly what ran:
//!
//! - `D\t{delivery}`: a document taken; `{delivery}` is the SID of the
//!   request whose answer it is, empty for inline TwiML;
//! - `V\t{seconds}\t{verb}\t{detail}`: a verb started `{seconds}` after the
//!   call was answered.

use switchboard_store::call_voice::CallVoiceRecord;
use switchboard_twiml::{Audio, RejectReason, VoiceVerb};
use switchboard_types::DeliverySid;

/// How long a verb's detail may be (a `<Say>`'s text is cut).
const DETAIL: usize = 80;

/// A call's timeline may not grow without bound (a loop of `<Redirect>`s is
/// stopped at 50 documents, but each may hold many verbs): past this many
/// bytes nothing more is kept.
const MOST: usize = 32 * 1024;

/// One document a call ran, with the verbs it executed from it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimelineDocument {
    /// The request whose answer it was; `None` for the call's inline TwiML
    /// (or a live update's).
    pub delivery: Option<DeliverySid>,
    pub verbs: Vec<ExecutedVerb>,
}

/// A verb as it was executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutedVerb {
    /// Simulated seconds since the call was answered when it started.
    pub at_secs: i64,
    /// Its TwiML name (`Say`, `Gather`…).
    pub verb: String,
    /// What it said or did, in a few words.
    pub detail: String,
}

fn clean(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    match flat.char_indices().nth(DETAIL) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat.to_owned(),
    }
}

fn push(v: &mut CallVoiceRecord, line: String) {
    if v.timeline.len() + line.len() < MOST {
        v.timeline.push_str(&line);
        v.timeline.push('\n');
    }
}

/// The call takes a document: the answer of `delivery`, or inline TwiML.
pub(crate) fn document(v: &mut CallVoiceRecord, delivery: Option<&DeliverySid>) {
    push(
        v,
        format!("D\t{}", delivery.map(DeliverySid::as_str).unwrap_or("")),
    );
}

/// The call starts executing `verb`, `v.elapsed_secs` into the call.
pub(crate) fn verb(v: &mut CallVoiceRecord, verb: &VoiceVerb) {
    let (name, detail) = describe(verb);
    let line = format!("V\t{}\t{name}\t{}", v.elapsed_secs, clean(&detail));
    push(v, line);
}

/// A verb's TwiML name (`Say`, `Dial`…).
pub(crate) fn name(verb: &VoiceVerb) -> &'static str {
    describe(verb).0
}

fn describe(verb: &VoiceVerb) -> (&'static str, String) {
    match verb {
        VoiceVerb::Say(s) => ("Say", s.text.clone()),
        VoiceVerb::Play(p) => (
            "Play",
            match (&p.audio, &p.digits) {
                (_, Some(digits)) => format!("digits {digits}"),
                (Some(Audio::Url(url)), _) => url.clone(),
                (Some(Audio::Answer), _) => "the answer's audio".to_owned(),
                (None, None) => String::new(),
            },
        ),
        VoiceVerb::Pause(p) => ("Pause", format!("{} s", p.length_secs)),
        VoiceVerb::Gather(g) => (
            "Gather",
            format!(
                "{}, timeout {} s",
                match (g.dtmf, g.speech) {
                    (true, true) => "digits or speech",
                    (false, true) => "speech",
                    _ => "digits",
                },
                g.timeout_secs
            ),
        ),
        VoiceVerb::Dial(d) => (
            "Dial",
            match &d.queue {
                Some(q) => format!("queue {}", q.name),
                None => d
                    .numbers
                    .iter()
                    .map(|n| n.number.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
        ),
        VoiceVerb::Enqueue(e) => ("Enqueue", e.name.clone()),
        VoiceVerb::Leave => ("Leave", String::new()),
        VoiceVerb::Record(r) => ("Record", format!("at most {} s", r.max_length_secs)),
        VoiceVerb::Redirect(r) => ("Redirect", format!("{} {}", r.method.as_str(), r.url)),
        VoiceVerb::Hangup => ("Hangup", String::new()),
        VoiceVerb::Reject(reason) => (
            "Reject",
            match reason {
                RejectReason::Busy => "busy",
                RejectReason::Rejected => "rejected",
            }
            .to_owned(),
        ),
    }
}

/// Reads a timeline as the engine wrote it; lines it cannot read are
/// skipped.
pub fn read(text: &str) -> Vec<TimelineDocument> {
    let mut documents: Vec<TimelineDocument> = Vec::new();
    for line in text.lines() {
        let mut parts = line.splitn(4, '\t');
        match parts.next() {
            Some("D") => documents.push(TimelineDocument {
                delivery: parts.next().and_then(|s| DeliverySid::parse(s).ok()),
                verbs: Vec::new(),
            }),
            Some("V") => {
                let (Some(at), Some(verb)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let Ok(at_secs) = at.parse() else { continue };
                if documents.is_empty() {
                    documents.push(TimelineDocument::default());
                }
                if let Some(d) = documents.last_mut() {
                    d.verbs.push(ExecutedVerb {
                        at_secs,
                        verb: verb.to_owned(),
                        detail: parts.next().unwrap_or_default().to_owned(),
                    });
                }
            }
            _ => {}
        }
    }
    documents
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_twiml::parse_voice;
    use switchboard_types::{AccountSid, CallSid, HookMethod, Timestamp};

    fn record() -> CallVoiceRecord {
        CallVoiceRecord {
            call_sid: CallSid::generate(),
            account_sid: AccountSid::generate(),
            fallback_url: None,
            fallback_method: HookMethod::Post,
            phase: "running".to_owned(),
            version: 0,
            awaiting: None,
            document: None,
            document_url: None,
            position: 0,
            elapsed_secs: 0,
            since: None,
            documents: 0,
            input: String::new(),
            date_updated: Timestamp::now(),
            timeline: String::new(),
        }
    }

    #[test]
    fn a_timeline_reads_back_as_written() {
        let doc = parse_voice(
            b"<Response><Say>Hello\tthere\nfriend</Say><Pause length=\"3\"/><Hangup/></Response>",
            Some("text/xml"),
        )
        .unwrap();
        let mut v = record();
        let sid = DeliverySid::generate();
        document(&mut v, Some(&sid));
        for (i, verb_) in doc.verbs.iter().enumerate() {
            v.elapsed_secs = i as i64 * 2;
            verb(&mut v, verb_);
        }
        document(&mut v, None);
        let read = read(&v.timeline);
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].delivery.as_ref(), Some(&sid));
        let names: Vec<_> = read[0].verbs.iter().map(|v| v.verb.as_str()).collect();
        assert_eq!(names, ["Say", "Pause", "Hangup"]);
        assert_eq!(read[0].verbs[0].detail, "Hello there friend");
        assert_eq!(read[0].verbs[1].at_secs, 2);
        assert_eq!(read[0].verbs[1].detail, "3 s");
        assert_eq!(read[1].delivery, None);
        assert!(read[1].verbs.is_empty());
    }

    #[test]
    fn long_details_are_cut_and_the_timeline_is_bounded() {
        let mut v = record();
        let long = format!("<Response><Say>{}</Say></Response>", "a".repeat(500));
        let doc = parse_voice(long.as_bytes(), Some("text/xml")).unwrap();
        for _ in 0..1000 {
            verb(&mut v, &doc.verbs[0]);
        }
        assert!(v.timeline.len() < MOST);
        let read = read(&v.timeline);
        assert_eq!(read[0].verbs[0].detail.chars().count(), DETAIL + 1);
    }
}
