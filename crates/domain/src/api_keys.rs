//! API keys (`/2010-04-01/Accounts/{Sid}/Keys` and `…/SigningKeys`), reached
//! by [`Switchboard::api_keys`]. A key is a SID and a secret that
//! authenticate as the key's account (HTTP Basic, `SK…:secret`; see
//! `access::principal`). The secret is shown once, when the key is made; only
//! its keyed MAC is kept, the same MAC auth tokens are checked with, so a
//! request with a key costs what one with a token does. Deleting a key
//! revokes it: the caller facts are read from the key's row, so the next
//! request on any node is refused (see the store's `caller_cache`).
//! Creating and deleting keys are audited: a key nobody expected is how a
//! leak shows itself.

use switchboard_store::Tx;
use switchboard_store::api_keys as store;
use switchboard_store::page::{Page, PageAt};
use switchboard_types::{AccountSid, ApiKeyKind, ApiKeySid};

use crate::access::{Access, Reader, Resource};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult, Field, Problem, invalid};
use crate::secrets::new_key_secret;
use crate::{Switchboard, validate};

pub use switchboard_store::api_keys::ApiKeyRecord as ApiKey;

/// How many keys (of both kinds) an account may hold.
pub const MAX_KEYS: i64 = 1_000;

/// A key just made, with the secret that will never be shown again.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub secret: String,
}

impl Switchboard {
    /// API keys, in the account an access names.
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys { sb: self }
    }
}

/// The API keys of the account an access names (`Resource::ApiKeys`).
pub struct ApiKeys<'a> {
    sb: &'a Switchboard,
}

/// A friendly name as given: blank leaves none.
fn friendly_name(value: Option<&str>) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => validate::friendly_name(Field::ApiKey, v).map(Some),
    }
}

fn action_of(kind: ApiKeyKind, verb: &'static str) -> &'static str {
    match (kind, verb) {
        (ApiKeyKind::Standard, "create") => "key.create",
        (ApiKeyKind::Standard, "rename") => "key.rename",
        (ApiKeyKind::Standard, _) => "key.delete",
        (ApiKeyKind::Signing, "create") => "signing_key.create",
        (ApiKeyKind::Signing, "rename") => "signing_key.rename",
        (ApiKeyKind::Signing, _) => "signing_key.delete",
    }
}

impl ApiKeys<'_> {
    async fn audit(
        tx: &mut Tx,
        access: &Access,
        log: &AccountSid,
        action: &'static str,
        key: &ApiKey,
    ) -> DomainResult<()> {
        audit::record_change(
            tx,
            access,
            Change {
                account: log,
                action,
                app: None,
                subject: Some(key.sid.as_str()),
                permissions: None,
                detail: key.friendly_name.clone(),
            },
        )
        .await
    }

    /// Makes a key and its secret.
    pub async fn create(
        &self,
        access: &Access,
        kind: ApiKeyKind,
        name: Option<&str>,
    ) -> DomainResult<NewApiKey> {
        let (account, log) = access.write_target(Resource::ApiKeys)?;
        let now = self.sb.now_for(access).await?;
        let key = ApiKey {
            sid: ApiKeySid::generate(),
            account_sid: account.clone(),
            kind,
            friendly_name: friendly_name(name)?,
            date_created: now,
            date_updated: now,
        };
        let secret = new_key_secret();
        let mac = self.sb.keys().token_mac(&secret);
        let mut tx = self.sb.store().begin().await?;
        if tx.one(store::count(account)).await? >= MAX_KEYS {
            return Err(invalid(
                Field::ApiKey,
                Problem::TooMany {
                    max: MAX_KEYS as usize,
                },
            ));
        }
        tx.run(store::insert(&key, &mac)).await?;
        Self::audit(&mut tx, access, log, action_of(kind, "create"), &key).await?;
        tx.commit().await?;
        tracing::info!(account = %account, key = %key.sid, "created an API key");
        Ok(NewApiKey { key, secret })
    }

    /// The keys of one kind, oldest first (authorised and read in one round
    /// trip for an API request).
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        kind: ApiKeyKind,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<ApiKey>> {
        self.sb
            .read_page(reader, Resource::ApiKeys, |account| {
                store::list(account, kind, at, size)
            })
            .await
    }

    /// One key of the account, of this kind; any other is not found.
    pub async fn get<'a>(
        &self,
        reader: Reader<'a>,
        kind: ApiKeyKind,
        sid: &'a ApiKeySid,
    ) -> DomainResult<ApiKey> {
        self.sb
            .read_one(reader, Resource::ApiKeys, |account| {
                store::of_account(account, kind, sid)
            })
            .await
    }

    /// Renames a key (`FriendlyName`; absent leaves it as it is).
    pub async fn update(
        &self,
        access: &Access,
        kind: ApiKeyKind,
        sid: &ApiKeySid,
        name: Option<&str>,
    ) -> DomainResult<ApiKey> {
        let (account, log) = access.write_target(Resource::ApiKeys)?;
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let mut key = tx
            .opt(store::of_account(account, kind, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if name.is_some() {
            key.friendly_name = friendly_name(name)?;
            key.date_updated = now;
            tx.run(store::rename(&key)).await?;
            Self::audit(&mut tx, access, log, action_of(kind, "rename"), &key).await?;
        }
        tx.commit().await?;
        Ok(key)
    }

    /// Deletes (revokes) a key: from this commit on it authenticates nothing,
    /// on any node.
    pub async fn delete(
        &self,
        access: &Access,
        kind: ApiKeyKind,
        sid: &ApiKeySid,
    ) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::ApiKeys)?;
        let mut tx = self.sb.store().begin().await?;
        let key = tx
            .opt(store::of_account(account, kind, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        tx.run(store::delete(account, kind, sid)).await?;
        Self::audit(&mut tx, access, log, action_of(kind, "delete"), &key).await?;
        tx.commit().await?;
        tracing::info!(account = %account, key = %sid, "deleted an API key");
        Ok(())
    }
}
