//! Recording audit events.

use switchboard_store::Tx;
use switchboard_store::audit::{self, AuditEvent};
use switchboard_store::page::{Page, PageAt};
use switchboard_types::{AccountSid, ConnectAppSid, Permissions, Timestamp};

use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::DomainResult;
use crate::secrets::random_id;

/// An event about to be recorded: a change and who made it. Services record
/// changes through [`record_change`], which takes the actor from the access;
/// an event is built by hand only where no access exists (signing up and in).
pub struct Event<'a> {
    pub change: Change<'a>,
    pub actor: &'a str,
    pub ip: Option<&'a str>,
}

impl Event<'_> {
    fn record(self, now: Timestamp) -> AuditEvent {
        let change = self.change;
        AuditEvent {
            id: random_id()[..32].to_owned(),
            account_sid: change.account.clone(),
            actor: self.actor.to_owned(),
            action: change.action.to_owned(),
            connect_app_sid: change.app.map(ToString::to_string),
            subject_sid: change.subject.map(str::to_owned),
            permissions: change.permissions,
            detail: change.detail,
            ip: self.ip.map(str::to_owned),
            at: now,
        }
    }
}

/// A change about to be recorded. Who made it, and from where, come from the
/// [`Access`] it was made with.
pub struct Change<'a> {
    /// The main account whose log it goes to.
    pub account: &'a AccountSid,
    pub action: &'static str,
    pub app: Option<&'a ConnectAppSid>,
    pub subject: Option<&'a str>,
    pub permissions: Option<Permissions>,
    pub detail: Option<String>,
}

impl<'a> Change<'a> {
    /// Something that happened to an account, with nothing else to name.
    pub fn of_account(account: &'a AccountSid, action: &'static str) -> Self {
        Change {
            account,
            action,
            app: None,
            subject: None,
            permissions: None,
            detail: None,
        }
    }
}

/// Records a change to one of an account's resources (`subject`, described
/// by `detail`) in `log`'s audit log, with the Connect App that made it.
pub async fn record_resource_change(
    tx: &mut Tx,
    access: &Access,
    log: &AccountSid,
    action: &'static str,
    subject: impl AsRef<str>,
    detail: String,
) -> DomainResult<()> {
    let change = Change {
        account: log,
        action,
        app: access.app(),
        subject: Some(subject.as_ref()),
        permissions: None,
        detail: Some(detail),
    };
    record_change(tx, access, change).await
}

/// Records a change in the same transaction as the change itself, naming the
/// actor the access was granted to: every service that changes state calls
/// this, so nothing changes without its audit entry.
pub async fn record_change(tx: &mut Tx, access: &Access, change: Change<'_>) -> DomainResult<()> {
    let actor = access.actor();
    let event = Event {
        change,
        actor: &actor.audit_name(),
        ip: actor.ip(),
    };
    record(tx, event).await
}

/// Records an event in the same transaction as the change it describes.
pub async fn record(tx: &mut Tx, event: Event<'_>) -> DomainResult<()> {
    tx.run(audit::insert(&event.record(Timestamp::now())))
        .await?;
    Ok(())
}

impl Switchboard {
    /// Records an event on its own (sign-ins, which change nothing else).
    pub(crate) async fn record_event(&self, event: Event<'_>) -> DomainResult<()> {
        self.store()
            .run(audit::insert(&event.record(Timestamp::now())))
            .await?;
        Ok(())
    }

    /// The audit log of the main account the access names, newest first.
    pub async fn audit_log(
        &self,
        access: &Access,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AuditEvent>> {
        access.require(Action::Read, Resource::AuditLog)?;
        let account = &access.target_account()?.sid;
        let (query, shape) = audit::of_account(account, at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }
}
