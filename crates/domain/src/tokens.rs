//! Auth token rotation: create a secondary token, promote it (the old primary
//! stops working with that commit), or delete it ([`AuthTokens`], reached by
//! [`Switchboard::auth_tokens`]). Every rotation is audited in its own
//! transaction: a rotation nobody expected is how a stolen token shows itself.

use switchboard_store::Tx;
use switchboard_store::accounts::{self, AccountRecord};
use switchboard_types::{AccountSid, Timestamp};

use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult, Field, Problem, invalid};
use crate::secrets::new_auth_token;

/// A token and when its account changed, for the API's answers.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub account_sid: AccountSid,
    pub token: String,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

/// An account's auth tokens, decrypted for its owner.
pub struct TokenSet {
    pub primary: String,
    pub secondary: Option<String>,
    pub secondary_created: Option<Timestamp>,
}

impl Switchboard {
    /// Auth tokens: showing and rotating them.
    pub fn auth_tokens(&self) -> AuthTokens<'_> {
        AuthTokens { sb: self }
    }

    /// The secondary token, if any, decrypted.
    pub fn reveal_secondary_token(&self, account: &AccountRecord) -> DomainResult<Option<String>> {
        account
            .secondary_token_sealed
            .as_deref()
            .map(|sealed| self.keys().unseal(sealed))
            .transpose()
    }
}

/// Auth tokens of the account an access names (`RequestTarget::Own`: the
/// caller's own; the operator names one).
pub struct AuthTokens<'a> {
    sb: &'a Switchboard,
}

impl AuthTokens<'_> {
    async fn account(&self, tx: &mut Tx, access: &Access) -> DomainResult<AccountRecord> {
        access.require(Action::Write, Resource::AuthTokens)?;
        tx.opt(accounts::by_sid(access.subject_account()?))
            .await?
            .ok_or(DomainError::NotFound)
    }

    async fn audit(
        tx: &mut Tx,
        access: &Access,
        account: &AccountRecord,
        action: &'static str,
        detail: Option<String>,
    ) -> DomainResult<()> {
        audit::record_change(
            tx,
            access,
            Change {
                account: &account.owner_account_sid,
                action,
                app: None,
                subject: Some(account.sid.as_str()),
                permissions: None,
                detail,
            },
        )
        .await
    }

    /// The primary and secondary tokens, decrypted.
    pub async fn show(&self, access: &Access) -> DomainResult<TokenSet> {
        access.require(Action::Read, Resource::AuthTokens)?;
        let account = self
            .sb
            .store()
            .opt(accounts::by_sid(access.subject_account()?))
            .await?
            .ok_or(DomainError::NotFound)?;
        Ok(TokenSet {
            primary: self.sb.reveal_token(&account)?,
            secondary: self.sb.reveal_secondary_token(&account)?,
            secondary_created: account.secondary_token_created,
        })
    }

    /// Creates (or replaces) the secondary token.
    pub async fn create_secondary(&self, access: &Access) -> DomainResult<TokenInfo> {
        let token = new_auth_token();
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let account = self.account(&mut tx, access).await?;
        let sid = &account.sid;
        tx.run(accounts::set_secondary_token(
            sid,
            &self.sb.keys().token_mac(&token),
            &self.sb.keys().seal(&token),
            now,
        ))
        .await?;
        Self::audit(&mut tx, access, &account, "token.secondary_created", None).await?;
        tx.commit().await?;
        tracing::info!(account = %sid, "secondary auth token created");
        Ok(TokenInfo {
            account_sid: sid.clone(),
            token,
            date_created: now,
            date_updated: now,
        })
    }

    /// Makes the secondary token primary; the old primary stops working at once.
    pub async fn promote(&self, access: &Access) -> DomainResult<TokenInfo> {
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let account = self.account(&mut tx, access).await?;
        let sid = &account.sid;
        if tx.run(accounts::promote_secondary_token(sid, now)).await? == 0 {
            // No secondary token to promote.
            return Err(invalid(Field::AuthToken, Problem::Missing));
        }
        let detail = "the secondary auth token became primary; the old primary stopped working";
        Self::audit(
            &mut tx,
            access,
            &account,
            "token.promoted",
            Some(detail.into()),
        )
        .await?;
        let account = tx.one(accounts::by_sid(sid)).await?;
        tx.commit().await?;
        tracing::info!(account = %sid, "secondary auth token promoted");
        Ok(TokenInfo {
            account_sid: sid.clone(),
            token: self.sb.reveal_token(&account)?,
            date_created: account.date_created,
            date_updated: account.date_updated,
        })
    }

    pub async fn delete_secondary(&self, access: &Access) -> DomainResult<()> {
        let mut tx = self.sb.store().begin().await?;
        let account = self.account(&mut tx, access).await?;
        if account.secondary_token_sealed.is_none() {
            return Err(DomainError::NotFound);
        }
        tx.run(accounts::clear_secondary_token(
            &account.sid,
            Timestamp::now(),
        ))
        .await?;
        Self::audit(&mut tx, access, &account, "token.secondary_deleted", None).await?;
        tx.commit().await?;
        tracing::info!(account = %account.sid, "secondary auth token deleted");
        Ok(())
    }
}
