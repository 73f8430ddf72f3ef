//! Auth token rotation: create a secondary token, promote it (the old primary stops
//! working with that commit), or delete it.

use switchboard_store::accounts;
use switchboard_types::{AccountSid, Timestamp};

use crate::Switchboard;
use crate::access::Access;
use crate::error::{DomainError, DomainResult};
use crate::secrets::new_auth_token;

/// A token and when its account changed, for the API's answers.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub account_sid: AccountSid,
    pub token: String,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl Switchboard {
    /// The account the v1 token API acts on: the one named by the username.
    fn token_account(access: &Access) -> AccountSid {
        access.principal().username().clone()
    }

    pub async fn api_create_secondary_token(&self, access: &Access) -> DomainResult<TokenInfo> {
        let info = self
            .create_secondary_token(&Self::token_account(access))
            .await?;
        self.audit_rotation(access, "token.secondary_created")
            .await?;
        Ok(info)
    }

    pub async fn api_promote_secondary_token(&self, access: &Access) -> DomainResult<TokenInfo> {
        let info = self
            .promote_secondary_token(&Self::token_account(access))
            .await?;
        self.audit_rotation(access, "token.promoted").await?;
        Ok(info)
    }

    pub async fn api_delete_secondary_token(&self, access: &Access) -> DomainResult<()> {
        self.delete_secondary_token(&Self::token_account(access))
            .await?;
        self.audit_rotation(access, "token.secondary_deleted").await
    }

    /// Token rotations are audited: a rotation nobody expected is how a stolen
    /// token shows itself.
    async fn audit_rotation(&self, access: &Access, action: &'static str) -> DomainResult<()> {
        let account = Self::token_account(access);
        self.audit_rotation_by(&account, &crate::connect_apps::api_actor(access), action)
            .await
    }

    /// A rotation made by the operator's command line, audited like the others.
    pub async fn audit_operator_rotation(
        &self,
        account: &AccountSid,
        action: &'static str,
    ) -> DomainResult<()> {
        self.audit_rotation_by(account, "cli", action).await
    }

    async fn audit_rotation_by(
        &self,
        account: &AccountSid,
        actor: &str,
        action: &'static str,
    ) -> DomainResult<()> {
        self.record_event(crate::audit::Event {
            account,
            actor,
            action,
            app: None,
            subject: Some(account.as_str()),
            permissions: None,
            detail: None,
            ip: None,
        })
        .await
    }

    /// Creates (or replaces) the secondary token.
    pub async fn create_secondary_token(&self, sid: &AccountSid) -> DomainResult<TokenInfo> {
        let token = new_auth_token();
        let now = Timestamp::now();
        let changed = self
            .store()
            .run(accounts::set_secondary_token(
                sid,
                &self.keys().token_mac(&token),
                &self.keys().seal(&token),
                now,
            ))
            .await?;
        if changed == 0 {
            return Err(DomainError::NotFound);
        }
        tracing::info!(account = %sid, "secondary auth token created");
        Ok(TokenInfo {
            account_sid: sid.clone(),
            token,
            date_created: now,
            date_updated: now,
        })
    }

    /// Makes the secondary token primary; the old primary stops working at once.
    pub async fn promote_secondary_token(&self, sid: &AccountSid) -> DomainResult<TokenInfo> {
        let now = Timestamp::now();
        let mut tx = self.store().begin().await?;
        let changed = tx.run(accounts::promote_secondary_token(sid, now)).await?;
        if changed == 0 {
            tx.opt(accounts::by_sid(sid))
                .await?
                .ok_or(DomainError::NotFound)?;
            return Err(DomainError::invalid(
                "AuthToken",
                "There is no secondary auth token to promote; create one first",
            ));
        }
        let account = tx.one(accounts::by_sid(sid)).await?;
        tx.commit().await?;
        tracing::info!(account = %sid, "secondary auth token promoted");
        Ok(TokenInfo {
            account_sid: sid.clone(),
            token: self.reveal_token(&account)?,
            date_created: account.date_created,
            date_updated: account.date_updated,
        })
    }

    pub async fn delete_secondary_token(&self, sid: &AccountSid) -> DomainResult<()> {
        let account = self
            .store()
            .opt(accounts::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if account.secondary_token_sealed.is_none() {
            return Err(DomainError::NotFound);
        }
        self.store()
            .run(accounts::clear_secondary_token(sid, Timestamp::now()))
            .await?;
        tracing::info!(account = %sid, "secondary auth token deleted");
        Ok(())
    }

    /// The secondary token, if any, decrypted.
    pub fn reveal_secondary_token(
        &self,
        account: &accounts::AccountRecord,
    ) -> DomainResult<Option<String>> {
        account
            .secondary_token_sealed
            .as_deref()
            .map(|sealed| self.keys().unseal(sealed))
            .transpose()
    }
}
