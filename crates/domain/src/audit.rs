//! Recording audit events.

use switchboard_store::Tx;
use switchboard_store::audit::{self, AuditEvent};
use switchboard_store::page::{Page, PageAt};
use switchboard_types::{AccountSid, ConnectAppSid, Permissions, Timestamp};

use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::DomainResult;
use crate::secrets::random_id;

/// An event about to be recorded.
pub struct Event<'a> {
    pub account: &'a AccountSid,
    pub actor: &'a str,
    pub action: &'static str,
    pub app: Option<&'a ConnectAppSid>,
    pub subject: Option<&'a str>,
    pub permissions: Option<Permissions>,
    pub detail: Option<String>,
    pub ip: Option<&'a str>,
}

impl Event<'_> {
    fn record(self, now: Timestamp) -> AuditEvent {
        AuditEvent {
            id: random_id()[..32].to_owned(),
            account_sid: self.account.clone(),
            actor: self.actor.to_owned(),
            action: self.action.to_owned(),
            connect_app_sid: self.app.map(ToString::to_string),
            subject_sid: self.subject.map(str::to_owned),
            permissions: self.permissions,
            detail: self.detail,
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

/// Records a change in the same transaction as the change itself, naming the
/// actor the access was granted to: every service that changes state calls
/// this, so nothing changes without its audit entry.
pub async fn record_change(tx: &mut Tx, access: &Access, change: Change<'_>) -> DomainResult<()> {
    let actor = access.actor();
    record(
        tx,
        Event {
            account: change.account,
            actor: &actor.audit_name(),
            action: change.action,
            app: change.app,
            subject: change.subject,
            permissions: change.permissions,
            detail: change.detail,
            ip: actor.ip(),
        },
    )
    .await
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
