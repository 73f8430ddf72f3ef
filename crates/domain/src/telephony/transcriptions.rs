//! Transcriptions of recordings (`…/Transcriptions`, and a recording's
//! `…/Recordings/{Sid}/Transcriptions`), reached by
//! [`Switchboard::transcriptions`]. `<Record transcribe="true">` (or with a
//! `transcribeCallback`) makes one of its recording: the caller is
//! simulated, so its text is what they said (the `SpeechResult` the
//! recording took), or [`NOTHING_SAID`] when they said nothing. Twilio
//! transcribes recordings of up to two minutes: a longer one's
//! transcription is `failed`, with no text and no charge.

use switchboard_store::Tx;
use switchboard_store::page::{Page, PageAt};
use switchboard_store::recordings::RecordingRecord;
use switchboard_store::transcriptions::{self as store, TranscriptionRecord};
use switchboard_types::{RecordingSid, TranscriptionSid, TranscriptionStatus, UsageCategory};

use crate::Switchboard;
use crate::access::{Access, Reader, Resource};
use crate::error::{DomainError, DomainResult};
use crate::telephony::billing::{self, Cost};
use crate::telephony::simulator::main_of;

pub use switchboard_store::transcriptions::TranscriptionRecord as Transcription;

/// Twilio's price of a transcription: $0.05 a started minute.
pub const PRICE_PER_MINUTE_MICROS: i64 = 50_000;
/// The longest recording Twilio transcribes, in seconds.
pub const MAX_SECS: i64 = 120;
/// A transcription's `type`: Twilio's only one.
pub const TYPE: &str = "fulltext";
/// The text of a recording in which the caller said nothing.
pub const NOTHING_SAID: &str = "(blank)";

/// The transcription of `recording`, in whose `<Record>` the caller said
/// `said`: `completed` with its text and charged, or `failed` past
/// [`MAX_SECS`]. Saved in `tx`.
pub(crate) async fn make(
    tx: &mut Tx,
    recording: &RecordingRecord,
    said: Option<&str>,
) -> DomainResult<Transcription> {
    let now = recording.date_created;
    let minutes = (recording.duration + 59) / 60;
    let (status, text, price_micros) = if recording.duration > MAX_SECS {
        (TranscriptionStatus::Failed, None, 0)
    } else {
        let text = said
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(NOTHING_SAID);
        (
            TranscriptionStatus::Completed,
            Some(text.to_owned()),
            minutes * PRICE_PER_MINUTE_MICROS,
        )
    };
    let transcription = TranscriptionRecord {
        sid: TranscriptionSid::generate(),
        account_sid: recording.account_sid.clone(),
        recording_sid: recording.sid.clone(),
        status,
        transcription_text: text,
        duration: recording.duration,
        price_micros,
        date_created: now,
        date_updated: now,
    };
    tx.run(store::insert(&transcription)).await?;
    if status == TranscriptionStatus::Completed {
        let main = main_of(tx, &recording.account_sid).await?;
        billing::charge(
            tx,
            &recording.account_sid,
            &main,
            Cost {
                category: UsageCategory::Transcriptions,
                count: 1,
                usage: minutes,
                price_micros,
            },
            now,
        )
        .await?;
    }
    Ok(transcription)
}

impl Switchboard {
    pub fn transcriptions(&self) -> Transcriptions<'_> {
        Transcriptions { sb: self }
    }
}

/// The transcriptions of the account an access names
/// (`Resource::Transcriptions`).
pub struct Transcriptions<'a> {
    sb: &'a Switchboard,
}

impl Transcriptions<'_> {
    /// The account's transcriptions, newest first; `recording` narrows to
    /// one recording's.
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        recording: Option<&'a RecordingSid>,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<Transcription>> {
        self.sb
            .read_page(reader, Resource::Transcriptions, |account| {
                store::list(account, recording, at, size)
            })
            .await
    }

    /// One transcription of the account (of `recording`, if named).
    pub async fn get<'a>(
        &self,
        reader: Reader<'a>,
        recording: Option<&'a RecordingSid>,
        sid: &'a TranscriptionSid,
    ) -> DomainResult<Transcription> {
        self.sb
            .read_one(reader, Resource::Transcriptions, |account| {
                store::of_account(account, recording, sid)
            })
            .await
    }

    /// Deletes a transcription (of `recording`, if named).
    pub async fn delete(
        &self,
        access: &Access,
        recording: Option<&RecordingSid>,
        sid: &TranscriptionSid,
    ) -> DomainResult<()> {
        access.require(crate::access::Action::Write, Resource::Transcriptions)?;
        let account = access.target_account()?.sid.clone();
        let deleted = self
            .sb
            .store()
            .run(store::delete(&account, recording, sid))
            .await?;
        if deleted == 0 {
            return Err(DomainError::NotFound);
        }
        Ok(())
    }
}
