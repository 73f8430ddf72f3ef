//! Sandboxes (sandbox mode only): isolated worlds of accounts, Connect Apps,
//! grants and numbers made from a seed document, reset to it in one call,
//! deleted with all their data ([`Sandboxes`], reached by
//! [`Switchboard::sandboxes`]). See docs/sandbox.md.
//!
//! A seed is checked ([`seed::SeedDocument::check`]), then *resolved* once:
//! every SID and token it leaves open is generated and every console password
//! hashed. The resolved seed is kept, sealed like auth tokens, beside the seed
//! as given; making the world, at creation and at every reset, only writes
//! what it says, in one transaction of a few bulk statements, so a reset gives
//! back the very same SIDs and tokens without generating or hashing anything.

pub mod clock;
pub mod seed;

use serde::{Deserialize, Serialize};
use switchboard_store::StoreError;
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_store::page::{Page, PageAt};
use switchboard_store::phone_numbers::{NumberHooks, PhoneNumberRecord};
use switchboard_store::sandboxes::{
    self, RecordedWebhook, SandboxRecord, WebhookFilter, WorldAccount, WorldGrant, WorldUser,
};
use switchboard_store::{Store, Tx};
use switchboard_telephony::inventory;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{
    AccountSid, AccountType, AddressRequirement, ConnectAppSid, HookMethod, NumberType,
    Permissions, PhoneNumberSid, SandboxSid, Timestamp,
};

use crate::access::{Access, Action, Resource};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult};
use crate::grants::dedicated_subaccount_name;
use crate::secrets::{new_auth_token, random_id};
use crate::telephony::seed::SeedPlan;
use crate::{Switchboard, password};
use seed::{CheckedHistory, CheckedNumber, SeedDocument};

pub use switchboard_store::sandboxes::WebhookFilter as RecordedWebhookFilter;

/// What a world is made of, every SID and token fixed: kept sealed with the
/// sandbox, so a reset makes the same world again.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Resolved {
    accounts: Vec<ResolvedAccount>,
    apps: Vec<ResolvedApp>,
    grants: Vec<ResolvedGrant>,
    numbers: Vec<ResolvedNumber>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ResolvedAccount {
    /// The name in the seed (empty for a dedicated subaccount).
    name: String,
    /// For a subaccount named in the seed: its main account's name.
    parent: Option<String>,
    sid: String,
    owner: String,
    friendly_name: String,
    account_type: String,
    auth_token: String,
    balance_micros: i64,
    email: Option<String>,
    password: Option<String>,
    password_hash: Option<String>,
    history: Option<CheckedHistory>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ResolvedApp {
    name: String,
    owner: String,
    sid: String,
    account_sid: String,
    friendly_name: String,
    company_name: Option<String>,
    description: Option<String>,
    homepage_url: Option<String>,
    terms_of_service_url: Option<String>,
    authorize_redirect_url: Option<String>,
    deauthorize_callback_url: Option<String>,
    deauthorize_callback_method: String,
    permissions: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ResolvedGrant {
    customer: String,
    app: String,
    customer_sid: String,
    app_sid: String,
    subaccount_sid: String,
    permissions: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ResolvedNumber {
    sid: String,
    account_sid: String,
    phone_number: String,
    friendly_name: String,
    number_type: String,
    iso_country: String,
    capabilities: [bool; 4],
    voice_url: Option<String>,
    voice_method: String,
    voice_fallback_url: Option<String>,
    voice_fallback_method: String,
    sms_url: Option<String>,
    sms_method: String,
    sms_fallback_url: Option<String>,
    sms_fallback_method: String,
    status_callback: Option<String>,
    status_callback_method: String,
}

/// A sandbox as its creator sees it: everything the seed named, by name, with
/// its SIDs and credentials.
#[derive(Debug, Clone)]
pub struct SandboxView {
    pub sid: SandboxSid,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
    pub accounts: Vec<SandboxAccount>,
    pub connect_apps: Vec<SandboxApp>,
    pub authorizations: Vec<SandboxGrant>,
    pub phone_numbers: Vec<SandboxNumber>,
}

#[derive(Debug, Clone)]
pub struct SandboxAccount {
    pub name: String,
    pub sid: AccountSid,
    pub auth_token: String,
    pub account_type: AccountType,
    pub email: Option<String>,
    pub password: Option<String>,
    pub subaccounts: Vec<SandboxSubaccount>,
}

#[derive(Debug, Clone)]
pub struct SandboxSubaccount {
    pub name: String,
    pub sid: AccountSid,
    pub auth_token: String,
}

#[derive(Debug, Clone)]
pub struct SandboxApp {
    pub name: String,
    pub owner: String,
    pub sid: ConnectAppSid,
    /// Where a customer is sent to authorize the app.
    pub connect_url: String,
}

#[derive(Debug, Clone)]
pub struct SandboxGrant {
    pub customer: String,
    pub connect_app: String,
    pub connect_app_sid: ConnectAppSid,
    /// The dedicated subaccount.
    pub account_sid: AccountSid,
}

#[derive(Debug, Clone)]
pub struct SandboxNumber {
    pub phone_number: String,
    pub sid: PhoneNumberSid,
    pub account_sid: AccountSid,
}

fn corrupt(what: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("a sandbox's resolved seed does not read: {what}"))
}

fn parse<T, E: std::fmt::Display>(value: &str, f: fn(&str) -> Result<T, E>) -> DomainResult<T> {
    f(value).map_err(corrupt)
}

/// Audit actions of a sandbox's own lifecycle. They all begin `sandbox.`,
/// which is what keeps them through a reset and a delete
/// (`sandboxes::clear_world`).
pub mod actions {
    pub const CREATE: &str = "sandbox.create";
    pub const RESET: &str = "sandbox.reset";
    pub const DELETE: &str = "sandbox.delete";
    pub const FAULT_ADD: &str = "sandbox.fault.add";
    pub const FAULTS_CLEAR: &str = "sandbox.faults.clear";
}

/// A change to a sandbox itself, recorded inside `tx` (the change's own
/// transaction) in the log of each of the sandbox's main accounts (a
/// sandbox belongs to all of them alike), naming the access's actor.
pub(crate) async fn record_lifecycle(
    tx: &mut Tx,
    access: &Access,
    sandbox: &SandboxSid,
    action: &'static str,
    detail: Option<String>,
) -> DomainResult<()> {
    let mains = tx.all(sandboxes::main_accounts(sandbox)).await?;
    for main in &mains {
        audit::record_change(
            tx,
            access,
            Change {
                account: main,
                action,
                app: None,
                subject: Some(sandbox.as_str()),
                permissions: None,
                detail: detail.clone(),
            },
        )
        .await?;
    }
    Ok(())
}

impl Switchboard {
    /// Sandboxes (sandbox mode only).
    pub fn sandboxes(&self) -> Sandboxes<'_> {
        Sandboxes { sb: self }
    }
}

/// Sandboxes: create, read, reset, delete, and what they recorded.
pub struct Sandboxes<'a> {
    sb: &'a Switchboard,
}

impl Sandboxes<'_> {
    /// Outside sandbox mode there are no sandboxes to reach.
    fn enabled(&self, access: &Access, action: Action) -> DomainResult<()> {
        if !self.sb.settings().sandbox {
            return Err(DomainError::NotFound);
        }
        access.require(action, Resource::Sandbox)
    }

    /// Makes a sandbox from a seed document; `given` is the document as it
    /// came (kept with the sandbox). A bad seed creates nothing.
    pub async fn create(
        &self,
        access: &Access,
        document: &SeedDocument,
        given: &str,
    ) -> DomainResult<SandboxView> {
        self.enabled(access, Action::Write)?;
        let checked = document.check()?;
        let resolved = resolve(checked).await?;
        let sid = SandboxSid::generate();
        let now = Timestamp::now();
        let record = SandboxRecord {
            sid: sid.clone(),
            seed: given.to_owned(),
            resolved_sealed: self.seal(&resolved)?,
            date_created: now,
            date_updated: now,
        };
        let mut tx = self.sb.store().begin().await?;
        fixed_sids_free(&mut tx, &resolved).await?;
        tx.run(sandboxes::insert(&record)).await?;
        self.materialize(&mut tx, access, &sid, &resolved, now)
            .await?;
        let detail = format!("{} accounts", resolved.accounts.len());
        record_lifecycle(&mut tx, access, &sid, actions::CREATE, Some(detail)).await?;
        tx.commit().await.map_err(taken)?;
        self.seed_histories(&resolved).await?;
        tracing::info!(sandbox = %sid, accounts = resolved.accounts.len(), "created sandbox");
        self.view(&record, &resolved)
    }

    /// The sandbox the access names.
    pub async fn get(&self, access: &Access) -> DomainResult<SandboxView> {
        self.enabled(access, Action::Read)?;
        let record = self.record(self.sb.store(), access.sandbox()?).await?;
        let resolved = self.unseal(&record)?;
        self.view(&record, &resolved)
    }

    /// Puts the sandbox back as its seed made it, with the same SIDs and
    /// tokens: everything made since, and every webhook recorded, is gone.
    pub async fn reset(&self, access: &Access) -> DomainResult<SandboxView> {
        self.enabled(access, Action::Write)?;
        let sid = access.sandbox()?;
        let mut record = self.record(self.sb.store(), sid).await?;
        let resolved = self.unseal(&record)?;
        let now = Timestamp::now();
        let mut tx = self.sb.store().begin().await?;
        sandboxes::clear_world(&mut tx, sid).await?;
        self.materialize(&mut tx, access, sid, &resolved, now)
            .await?;
        if tx.run(sandboxes::touch(sid, now)).await? == 0 {
            return Err(DomainError::NotFound);
        }
        record_lifecycle(&mut tx, access, sid, actions::RESET, None).await?;
        tx.commit().await?;
        // The world's clock is real time again (`touch`).
        self.sb.clock_moved(sid, 0);
        self.seed_histories(&resolved).await?;
        record.date_updated = now;
        tracing::info!(sandbox = %sid, "reset sandbox");
        self.view(&record, &resolved)
    }

    /// Deletes the sandbox and every row of its world; its credentials stop
    /// working with this commit.
    pub async fn delete(&self, access: &Access) -> DomainResult<()> {
        self.enabled(access, Action::Write)?;
        let sid = access.sandbox()?;
        let mut tx = self.sb.store().begin().await?;
        // Recorded while the world's main accounts are there to be found;
        // the entries outlive them (no foreign key, and clearing the world
        // keeps `sandbox.*` entries).
        record_lifecycle(&mut tx, access, sid, actions::DELETE, None).await?;
        sandboxes::clear_world(&mut tx, sid).await?;
        if tx.run(sandboxes::delete(sid)).await? == 0 {
            return Err(DomainError::NotFound);
        }
        tx.commit().await?;
        tracing::info!(sandbox = %sid, "deleted sandbox");
        Ok(())
    }

    /// Every request Switchboard made for the sandbox's accounts, oldest first.
    pub async fn webhooks(
        &self,
        access: &Access,
        filter: &WebhookFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<RecordedWebhook>> {
        self.enabled(access, Action::Read)?;
        let sid = access.sandbox()?;
        self.record(self.sb.store(), sid).await?;
        let (query, shape) = sandboxes::webhooks(sid, filter, at, size);
        Ok(shape.assemble(self.sb.store().all(query).await?))
    }

    async fn record(&self, store: &Store, sid: &SandboxSid) -> DomainResult<SandboxRecord> {
        store
            .opt(sandboxes::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)
    }

    fn seal(&self, resolved: &Resolved) -> DomainResult<Vec<u8>> {
        let json = serde_json::to_string(resolved)
            .map_err(|e| DomainError::Internal(format!("resolved seed: {e}")))?;
        Ok(self.sb.keys().seal(&json))
    }

    fn unseal(&self, record: &SandboxRecord) -> DomainResult<Resolved> {
        let json = self.sb.keys().unseal(&record.resolved_sealed)?;
        serde_json::from_str(&json).map_err(corrupt)
    }

    /// Writes the world `resolved` describes, inside `tx`.
    async fn materialize(
        &self,
        tx: &mut Tx,
        access: &Access,
        world: &SandboxSid,
        resolved: &Resolved,
        now: Timestamp,
    ) -> DomainResult<()> {
        let keys = self.sb.keys();
        let mut sids = Vec::with_capacity(resolved.accounts.len());
        let mut protected = Vec::with_capacity(resolved.accounts.len());
        for a in &resolved.accounts {
            sids.push((
                parse(&a.sid, AccountSid::parse)?,
                parse(&a.owner, AccountSid::parse)?,
                parse(&a.account_type, AccountType::parse)?,
            ));
            protected.push((keys.token_mac(&a.auth_token), keys.seal(&a.auth_token)));
        }
        let accounts: Vec<WorldAccount<'_>> = resolved
            .accounts
            .iter()
            .zip(&sids)
            .zip(&protected)
            .map(
                |((a, (sid, owner, account_type)), (mac, sealed))| WorldAccount {
                    sid,
                    owner_account_sid: owner,
                    friendly_name: &a.friendly_name,
                    account_type: *account_type,
                    auth_token_mac: mac,
                    auth_token_sealed: sealed,
                    balance_micros: a.balance_micros,
                },
            )
            .collect();
        if !accounts.is_empty() {
            tx.run(sandboxes::insert_accounts(world, &accounts, now))
                .await?;
        }
        let ids: Vec<String> = resolved
            .accounts
            .iter()
            .map(|_| random_id()[..32].to_owned())
            .collect();
        let users: Vec<WorldUser<'_>> = resolved
            .accounts
            .iter()
            .zip(&sids)
            .zip(&ids)
            .filter_map(|((a, (sid, _, _)), id)| {
                Some(WorldUser {
                    id,
                    email: a.email.as_deref()?,
                    password_hash: a.password_hash.as_deref()?,
                    account_sid: sid,
                })
            })
            .collect();
        if !users.is_empty() {
            tx.run(sandboxes::insert_users(world, &users, now)).await?;
        }
        let apps = resolved
            .apps
            .iter()
            .map(|a| {
                Ok(ConnectAppRecord {
                    sid: parse(&a.sid, ConnectAppSid::parse)?,
                    account_sid: parse(&a.account_sid, AccountSid::parse)?,
                    friendly_name: a.friendly_name.clone(),
                    company_name: a.company_name.clone(),
                    description: a.description.clone(),
                    homepage_url: a.homepage_url.clone(),
                    terms_of_service_url: a.terms_of_service_url.clone(),
                    authorize_redirect_url: a.authorize_redirect_url.clone(),
                    deauthorize_callback_url: a.deauthorize_callback_url.clone(),
                    deauthorize_callback_method: a.deauthorize_callback_method.clone(),
                    permissions: Permissions::from_bits(a.permissions),
                    sign_redirects: false,
                    authorize_callback_url: None,
                    authorize_callback_method: "POST".to_owned(),
                    has_logo: false,
                    date_created: now,
                    date_updated: now,
                })
            })
            .collect::<DomainResult<Vec<_>>>()?;
        if !apps.is_empty() {
            tx.run(sandboxes::insert_connect_apps(&apps)).await?;
        }
        let grant_sids = resolved
            .grants
            .iter()
            .map(|g| {
                Ok((
                    parse(&g.customer_sid, AccountSid::parse)?,
                    parse(&g.app_sid, ConnectAppSid::parse)?,
                    parse(&g.subaccount_sid, AccountSid::parse)?,
                ))
            })
            .collect::<DomainResult<Vec<_>>>()?;
        let grants: Vec<WorldGrant<'_>> = resolved
            .grants
            .iter()
            .zip(&grant_sids)
            .map(|(g, (customer, app, subaccount))| WorldGrant {
                customer,
                app,
                subaccount,
                permissions: g.permissions,
            })
            .collect();
        if !grants.is_empty() {
            tx.run(sandboxes::insert_grants(&grants, now)).await?;
        }
        let renews_at = self.sb.settings().telephony.speed.month_after(now);
        let numbers = resolved
            .numbers
            .iter()
            .map(|n| number_record(n, renews_at, now))
            .collect::<DomainResult<Vec<_>>>()?;
        if !numbers.is_empty() {
            tx.run(sandboxes::insert_numbers(world, &numbers)).await?;
        }
        // Each grant as a consent records it, in the customer's log.
        for (g, (customer, app, subaccount)) in resolved.grants.iter().zip(&grant_sids) {
            let detail = resolved
                .apps
                .iter()
                .find(|a| a.sid == g.app_sid)
                .map(|a| a.friendly_name.clone());
            audit::record_change(
                tx,
                access,
                Change {
                    account: customer,
                    action: "connect.authorize",
                    app: Some(app),
                    subject: Some(subaccount.as_str()),
                    permissions: Some(Permissions::from_bits(g.permissions)),
                    detail,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// The calls and messages a seed's history asks for, written after the
    /// world (`seed_history` batches its own transactions).
    async fn seed_histories(&self, resolved: &Resolved) -> DomainResult<()> {
        for a in &resolved.accounts {
            if let Some(h) = a.history
                && h.calls + h.messages > 0
            {
                let plan = SeedPlan {
                    account: parse(&a.sid, AccountSid::parse)?,
                    calls: h.calls,
                    messages: h.messages,
                    days: h.days,
                };
                self.sb.seed_history(&plan, |_| {}).await?;
            }
        }
        Ok(())
    }

    fn view(&self, record: &SandboxRecord, resolved: &Resolved) -> DomainResult<SandboxView> {
        let public = self.sb.settings().public_url.trim_end_matches('/');
        let mut accounts: Vec<SandboxAccount> = Vec::new();
        for a in resolved.accounts.iter().filter(|a| !a.name.is_empty()) {
            let sid = parse(&a.sid, AccountSid::parse)?;
            match &a.parent {
                None => accounts.push(SandboxAccount {
                    name: a.name.clone(),
                    sid,
                    auth_token: a.auth_token.clone(),
                    account_type: parse(&a.account_type, AccountType::parse)?,
                    email: a.email.clone(),
                    password: a.password.clone(),
                    subaccounts: Vec::new(),
                }),
                Some(parent) => {
                    let main = accounts
                        .iter_mut()
                        .find(|m| &m.name == parent)
                        .ok_or_else(|| corrupt("a subaccount before its main account"))?;
                    main.subaccounts.push(SandboxSubaccount {
                        name: a.name.clone(),
                        sid,
                        auth_token: a.auth_token.clone(),
                    });
                }
            }
        }
        let connect_apps = resolved
            .apps
            .iter()
            .map(|a| {
                Ok(SandboxApp {
                    name: a.name.clone(),
                    owner: a.owner.clone(),
                    sid: parse(&a.sid, ConnectAppSid::parse)?,
                    connect_url: format!("{public}/authorize/{}", a.sid),
                })
            })
            .collect::<DomainResult<_>>()?;
        let authorizations = resolved
            .grants
            .iter()
            .map(|g| {
                Ok(SandboxGrant {
                    customer: g.customer.clone(),
                    connect_app: g.app.clone(),
                    connect_app_sid: parse(&g.app_sid, ConnectAppSid::parse)?,
                    account_sid: parse(&g.subaccount_sid, AccountSid::parse)?,
                })
            })
            .collect::<DomainResult<_>>()?;
        let phone_numbers = resolved
            .numbers
            .iter()
            .map(|n| {
                Ok(SandboxNumber {
                    phone_number: n.phone_number.clone(),
                    sid: parse(&n.sid, PhoneNumberSid::parse)?,
                    account_sid: parse(&n.account_sid, AccountSid::parse)?,
                })
            })
            .collect::<DomainResult<_>>()?;
        Ok(SandboxView {
            sid: record.sid.clone(),
            date_created: record.date_created,
            date_updated: record.date_updated,
            accounts,
            connect_apps,
            authorizations,
            phone_numbers,
        })
    }
}

/// A unique key lost to a concurrent creation: a fixed SID is taken.
fn taken(e: StoreError) -> DomainError {
    match e {
        StoreError::Conflict => {
            DomainError::Conflict("A SID fixed in the seed is already in use".into())
        }
        other => other.into(),
    }
}

/// Refuses a seed whose fixed SIDs some row already has, naming the first.
async fn fixed_sids_free(tx: &mut Tx, resolved: &Resolved) -> DomainResult<()> {
    let accounts = resolved
        .accounts
        .iter()
        .map(|a| parse(&a.sid, AccountSid::parse))
        .collect::<DomainResult<Vec<_>>>()?;
    let apps = resolved
        .apps
        .iter()
        .map(|a| parse(&a.sid, ConnectAppSid::parse))
        .collect::<DomainResult<Vec<_>>>()?;
    let numbers = resolved
        .numbers
        .iter()
        .map(|n| parse(&n.sid, PhoneNumberSid::parse))
        .collect::<DomainResult<Vec<_>>>()?;
    let used = tx
        .all(sandboxes::sids_in_use(&accounts, &apps, &numbers))
        .await?;
    match used.first() {
        None => Ok(()),
        Some(sid) => Err(DomainError::Conflict(format!(
            "{sid} is already in use (by another sandbox or the default world); \
             a fixed SID exists once on a server"
        ))),
    }
}

fn number_record(
    n: &ResolvedNumber,
    renews_at: Timestamp,
    now: Timestamp,
) -> DomainResult<PhoneNumberRecord> {
    let method = |m: &str| parse(m, HookMethod::parse);
    Ok(PhoneNumberRecord {
        sid: parse(&n.sid, PhoneNumberSid::parse)?,
        account_sid: parse(&n.account_sid, AccountSid::parse)?,
        phone_number: n.phone_number.clone(),
        friendly_name: n.friendly_name.clone(),
        number_type: parse(&n.number_type, NumberType::parse)?,
        iso_country: n.iso_country.clone(),
        voice_capable: n.capabilities[0],
        sms_capable: n.capabilities[1],
        mms_capable: n.capabilities[2],
        fax_capable: n.capabilities[3],
        hooks: NumberHooks {
            voice_url: n.voice_url.clone(),
            voice_method: method(&n.voice_method)?,
            voice_fallback_url: n.voice_fallback_url.clone(),
            voice_fallback_method: method(&n.voice_fallback_method)?,
            sms_url: n.sms_url.clone(),
            sms_method: method(&n.sms_method)?,
            sms_fallback_url: n.sms_fallback_url.clone(),
            sms_fallback_method: method(&n.sms_fallback_method)?,
            status_callback: n.status_callback.clone(),
            status_callback_method: method(&n.status_callback_method)?,
            voice_application_sid: None,
            sms_application_sid: None,
        },
        // What the inventory says the number's country requires; a seeded
        // number needs no address to exist.
        address_requirements: PhoneNumber::parse(&n.phone_number)
            .ok()
            .and_then(|p| inventory::lookup(&p))
            .map_or(AddressRequirement::None, |a| a.address_requirements),
        address_sid: None,
        renews_at,
        date_created: now,
        date_updated: now,
    })
}

fn resolve_number(n: CheckedNumber, account: &AccountSid) -> ResolvedNumber {
    let h = n.hooks;
    ResolvedNumber {
        sid: n
            .sid
            .unwrap_or_else(PhoneNumberSid::generate)
            .as_str()
            .to_owned(),
        account_sid: account.as_str().to_owned(),
        phone_number: n.phone_number,
        friendly_name: n.friendly_name,
        number_type: n.number_type.as_str().to_owned(),
        iso_country: n.iso_country,
        capabilities: [
            n.capabilities.voice,
            n.capabilities.sms,
            n.capabilities.mms,
            n.capabilities.fax,
        ],
        voice_url: h.voice_url,
        voice_method: h.voice_method.as_str().to_owned(),
        voice_fallback_url: h.voice_fallback_url,
        voice_fallback_method: h.voice_fallback_method.as_str().to_owned(),
        sms_url: h.sms_url,
        sms_method: h.sms_method.as_str().to_owned(),
        sms_fallback_url: h.sms_fallback_url,
        sms_fallback_method: h.sms_fallback_method.as_str().to_owned(),
        status_callback: h.status_callback,
        status_callback_method: h.status_callback_method.as_str().to_owned(),
    }
}

/// Fixes every SID and token the seed leaves open and hashes its console
/// passwords (the only argon2 work a sandbox ever does).
async fn resolve(checked: seed::CheckedSeed) -> DomainResult<Resolved> {
    let mut accounts = Vec::new();
    let mut numbers = Vec::new();
    let mut subs = Vec::new();
    for a in checked.accounts {
        let sid = a.sid.unwrap_or_else(AccountSid::generate);
        let (email, password, password_hash) = match a.console {
            Some((email, pass)) => {
                let hash = password::hash(pass.clone()).await?;
                (Some(email), Some(pass), Some(hash))
            }
            None => (None, None, None),
        };
        numbers.extend(a.numbers.into_iter().map(|n| resolve_number(n, &sid)));
        for s in a.subaccounts {
            let sub_sid = s.sid.unwrap_or_else(AccountSid::generate);
            numbers.extend(s.numbers.into_iter().map(|n| resolve_number(n, &sub_sid)));
            subs.push(ResolvedAccount {
                name: s.name,
                parent: Some(a.name.clone()),
                sid: sub_sid.as_str().to_owned(),
                owner: sid.as_str().to_owned(),
                friendly_name: s.friendly_name,
                account_type: a.account_type.as_str().to_owned(),
                auth_token: s.auth_token.unwrap_or_else(new_auth_token),
                balance_micros: a.balance_micros,
                email: None,
                password: None,
                password_hash: None,
                history: s.history,
            });
        }
        accounts.push(ResolvedAccount {
            name: a.name,
            parent: None,
            sid: sid.as_str().to_owned(),
            owner: sid.as_str().to_owned(),
            friendly_name: a.friendly_name,
            account_type: a.account_type.as_str().to_owned(),
            auth_token: a.auth_token.unwrap_or_else(new_auth_token),
            balance_micros: a.balance_micros,
            email,
            password,
            password_hash,
            history: a.history,
        });
    }
    accounts.extend(subs);
    let mut apps = Vec::new();
    for app in checked.apps {
        let owner_sid = accounts
            .iter()
            .find(|a| a.parent.is_none() && a.name == app.owner)
            .map(|a| a.sid.clone())
            .ok_or_else(|| corrupt("an app without its owner"))?;
        apps.push(ResolvedApp {
            name: app.name,
            owner: app.owner,
            sid: app
                .sid
                .unwrap_or_else(ConnectAppSid::generate)
                .as_str()
                .to_owned(),
            account_sid: owner_sid,
            friendly_name: app.friendly_name,
            company_name: app.company_name,
            description: app.description,
            homepage_url: app.homepage_url,
            terms_of_service_url: app.terms_of_service_url,
            authorize_redirect_url: app.authorize_redirect_url,
            deauthorize_callback_url: app.deauthorize_callback_url,
            deauthorize_callback_method: app.deauthorize_callback_method,
            permissions: app.permissions.bits(),
        });
    }
    let mut grants = Vec::new();
    let mut dedicated = Vec::new();
    for g in checked.grants {
        let customer = accounts
            .iter()
            .find(|a| a.parent.is_none() && a.name == g.customer)
            .ok_or_else(|| corrupt("a grant without its customer"))?;
        let app = apps
            .iter()
            .find(|a| a.name == g.app)
            .ok_or_else(|| corrupt("a grant without its app"))?;
        let subaccount = g.subaccount.unwrap_or_else(AccountSid::generate);
        // The dedicated subaccount a consent makes: named for the app, of the
        // customer's type, in the customer's tree.
        let record_for_name = ConnectAppRecord {
            sid: parse(&app.sid, ConnectAppSid::parse)?,
            account_sid: parse(&app.account_sid, AccountSid::parse)?,
            friendly_name: app.friendly_name.clone(),
            company_name: None,
            description: None,
            homepage_url: None,
            terms_of_service_url: None,
            authorize_redirect_url: None,
            deauthorize_callback_url: None,
            deauthorize_callback_method: String::new(),
            permissions: Permissions::NONE,
            sign_redirects: false,
            authorize_callback_url: None,
            authorize_callback_method: "POST".to_owned(),
            has_logo: false,
            date_created: Timestamp::from_micros(0),
            date_updated: Timestamp::from_micros(0),
        };
        dedicated.push(ResolvedAccount {
            name: String::new(),
            parent: None,
            sid: subaccount.as_str().to_owned(),
            owner: customer.sid.clone(),
            friendly_name: dedicated_subaccount_name(&record_for_name),
            account_type: customer.account_type.clone(),
            auth_token: new_auth_token(),
            balance_micros: customer.balance_micros,
            email: None,
            password: None,
            password_hash: None,
            history: None,
        });
        grants.push(ResolvedGrant {
            customer: g.customer,
            app: g.app,
            customer_sid: customer.sid.clone(),
            app_sid: app.sid.clone(),
            subaccount_sid: subaccount.as_str().to_owned(),
            permissions: g.permissions.bits(),
        });
    }
    accounts.extend(dedicated);
    Ok(Resolved {
        accounts,
        apps,
        grants,
        numbers,
    })
}
