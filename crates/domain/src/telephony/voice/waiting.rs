//! Documents a call runs while it waits somewhere, instead of the document
//! that sent it there: a queue's wait document (queue.rs), a conference's
//! wait document and a held participant's hold document (conference.rs).
//!
//! The mechanism is a saved continuation ([`Place`]): the row that says
//! where the call waits (`queue_members`, `conference_participants`) keeps
//! the document the call was in, its URL and the verb's position, while the
//! call runs the other documents; once the wait is over they are put back,
//! so the verb that made it wait goes on. Such documents may hold only some
//! verbs (a verb Twilio does not allow there is skipped, with warning
//! 12200), are not counted among the call's documents (a long wait is no
//! redirect loop), and are requested again when they end having taken time
//! on a running clock (Twilio loops them).

use switchboard_store::Tx;
use switchboard_store::call_voice::Place;
use switchboard_types::{HookMethod, NotificationLevel};

use super::Run;
use crate::Switchboard;
use crate::delivery::WebhookKind;
use crate::error::DomainResult;
use crate::telephony::SimSpeed;

/// Twilio's code for a verb its wait documents do not allow.
const NOT_IN_WAIT_DOCUMENT: u32 = 12200;

/// Where the call is in its document now, with its executed seconds.
pub(super) fn place_of(run: &Run) -> Place {
    Place {
        document: run.v.document.clone(),
        document_url: run.v.document_url.clone(),
        position: run.v.position,
        wait_elapsed: run.v.elapsed_secs,
    }
}

/// Puts the call back where it was (its wait is over).
pub(super) fn restore(run: &mut Run, place: &Place) {
    run.v.document = place.document.clone();
    run.v.document_url = place.document_url.clone();
    run.v.position = place.position;
}

/// Whether a wait document that ended is requested again: on a running
/// clock, when it took time since it was last requested. On the `instant`
/// clock nothing takes time, so it would loop for ever: it plays once.
pub(super) fn again(run: &Run, place: &Place) -> bool {
    matches!(run.speed, SimSpeed::Factor(_)) && run.v.elapsed_secs > place.wait_elapsed
}

impl Switchboard {
    /// Requests a document the call runs while it waits; it is not counted
    /// among the call's documents.
    pub(super) async fn request_wait_document(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        kind: WebhookKind,
        hook: (HookMethod, String),
        params: Vec<(String, String)>,
    ) -> DomainResult<()> {
        let documents = run.v.documents;
        self.request_document(tx, run, kind, hook, params, None)
            .await?;
        run.v.documents = documents;
        Ok(())
    }

    /// A verb a wait document (`what`) may not hold is skipped, with a
    /// warning naming those it may (`allowed`).
    pub(super) async fn skip_in_wait(
        &self,
        tx: &mut Tx,
        run: &mut Run,
        verb: &str,
        (what, allowed): (&str, &str),
    ) -> DomainResult<()> {
        run.report(
            tx,
            NOT_IN_WAIT_DOCUMENT,
            NotificationLevel::Warning,
            format!("<{verb}> is not allowed in {what} (only {allowed} are); it is skipped"),
        )
        .await?;
        run.v.position += 1;
        Ok(())
    }

    /// The end of a document: a call's wait document is over (it is
    /// requested again, or the call waits on in silence). `false` when the
    /// call waits nowhere.
    pub(super) async fn wait_document_over(
        &self,
        tx: &mut Tx,
        run: &mut Run,
    ) -> DomainResult<bool> {
        if self.queue_document_over(tx, run).await? {
            return Ok(true);
        }
        self.conference_document_over(tx, run).await
    }
}
