//! Accounts and subaccounts: creating, listing, changing, upgrading.

use switchboard_store::StoreError;
use switchboard_store::accounts::{self, AccountFilter, AccountRecord, NewAccount};
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_store::users::{self, UserRecord};
use switchboard_types::{AccountSid, AccountStatus, AccountType, Timestamp};

use crate::access::{Access, ApiRequest};
use crate::error::{DomainError, DomainResult};
use crate::secrets::{new_auth_token, random_id};
use crate::{Switchboard, password, validate};

/// An account as a caller may see it: the auth token only when they may.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub record: AccountRecord,
    pub auth_token: Option<String>,
}

impl Keyed for AccountView {
    fn cursor(&self) -> Cursor {
        self.record.cursor()
    }
}

/// What signing up (or `switchboard accounts create`) asks for.
pub struct NewMainAccount {
    pub email: String,
    pub password: String,
    pub friendly_name: String,
    pub account_type: AccountType,
}

/// A new main account, its console user, and its auth token (shown once here and
/// again only to its owner).
pub struct CreatedAccount {
    pub account: AccountRecord,
    pub user: UserRecord,
    pub auth_token: String,
}

/// Changes asked of an account.
#[derive(Debug, Default, Clone)]
pub struct AccountChanges {
    pub friendly_name: Option<String>,
    pub status: Option<AccountStatus>,
}

fn default_subaccount_name(now: Timestamp) -> String {
    format!(
        "SubAccount Created at {}",
        now.to_datetime().format("%Y-%m-%d %I:%M %P")
    )
}

impl Switchboard {
    /// The auth token of an account, decrypted.
    pub fn reveal_token(&self, account: &AccountRecord) -> DomainResult<String> {
        self.keys().unseal(&account.auth_token_sealed)
    }

    fn view(&self, record: AccountRecord, shows_token: bool) -> DomainResult<AccountView> {
        let auth_token = if shows_token {
            Some(self.reveal_token(&record)?)
        } else {
            None
        };
        Ok(AccountView { record, auth_token })
    }

    /// Inserts an account row with a fresh token, inside `tx`.
    pub(crate) async fn insert_account(
        &self,
        tx: &mut switchboard_store::Tx,
        owner: Option<&AccountSid>,
        friendly_name: &str,
        account_type: AccountType,
        now: Timestamp,
    ) -> DomainResult<(AccountSid, String)> {
        let sid = AccountSid::generate();
        let token = new_auth_token();
        let owner = owner.unwrap_or(&sid);
        tx.run(accounts::insert(&NewAccount {
            sid: &sid,
            owner_account_sid: owner,
            friendly_name,
            account_type,
            auth_token_mac: &self.keys().token_mac(&token),
            auth_token_sealed: &self.keys().seal(&token),
            now,
        }))
        .await?;
        Ok((sid, token))
    }

    /// Creates a main account with its console user.
    pub async fn create_main_account(&self, new: NewMainAccount) -> DomainResult<CreatedAccount> {
        let email = validate::email(&new.email)?;
        let friendly_name = validate::friendly_name("FriendlyName", &new.friendly_name)?;
        password::validate(&new.password)?;
        let password_hash = password::hash(new.password).await?;
        let now = Timestamp::now();
        let mut tx = self.store().begin().await?;
        let (sid, auth_token) = self
            .insert_account(&mut tx, None, &friendly_name, new.account_type, now)
            .await?;
        let user = UserRecord {
            id: random_id(),
            email,
            password_hash,
            account_sid: sid.clone(),
            date_created: now,
        };
        tx.run(users::insert(&user)).await.map_err(|e| match e {
            StoreError::Conflict => {
                DomainError::Conflict(format!("An account for {} already exists", user.email))
            }
            other => other.into(),
        })?;
        let account = tx.one(accounts::by_sid(&sid)).await?;
        tx.commit().await?;
        tracing::info!(account = %sid, "created main account");
        Ok(CreatedAccount {
            account,
            user,
            auth_token,
        })
    }

    /// `POST /Accounts.json`: a subaccount of the caller's main account.
    pub async fn create_subaccount(
        &self,
        access: &Access,
        friendly_name: Option<&str>,
    ) -> DomainResult<AccountView> {
        let main = access.principal().acting_main().clone();
        let now = Timestamp::now();
        let name = match friendly_name {
            Some(name) => validate::friendly_name("FriendlyName", name)?,
            None => default_subaccount_name(now),
        };
        let mut tx = self.store().begin().await?;
        let parent = tx
            .opt(accounts::by_sid(&main))
            .await?
            .ok_or(DomainError::NotFound)?;
        let (sid, _) = self
            .insert_account(&mut tx, Some(&main), &name, parent.account_type, now)
            .await?;
        let record = tx.one(accounts::by_sid(&sid)).await?;
        tx.commit().await?;
        self.view(record, access.shows_auth_tokens())
    }

    /// `GET /Accounts.json`.
    pub async fn list_accounts(
        &self,
        access: &Access,
        filter: &AccountFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AccountView>> {
        let scope = access.account_scope()?.clone();
        let (query, shape) = accounts::list(&scope, filter, at, size);
        let page = shape.assemble(self.store().all(query).await?);
        let items = page
            .items
            .into_iter()
            .map(|r| self.view(r, access.shows_auth_tokens()))
            .collect::<DomainResult<Vec<_>>>()?;
        Ok(Page {
            items,
            has_next: page.has_next,
            has_previous: page.has_previous,
        })
    }

    /// `GET /Accounts/{Sid}.json`: authorised and read in one round trip.
    pub async fn fetch_account(
        &self,
        request: &ApiRequest<'_>,
        sid: &AccountSid,
    ) -> DomainResult<AccountView> {
        let (access, mut rows) = self.authorize_read(request, accounts::by_sid(sid)).await?;
        let record = rows.pop().ok_or(DomainError::NotFound)?;
        self.view(record, access.shows_auth_tokens())
    }

    /// `POST /Accounts/{Sid}.json`.
    pub async fn update_account(
        &self,
        access: &Access,
        changes: &AccountChanges,
    ) -> DomainResult<AccountView> {
        let sid = access.target_account()?.sid.clone();
        let name = changes
            .friendly_name
            .as_deref()
            .map(|n| validate::friendly_name("FriendlyName", n))
            .transpose()?;
        let now = Timestamp::now();
        let mut tx = self.store().begin().await?;
        let current = tx
            .opt(accounts::by_sid(&sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if current.status == AccountStatus::Closed && (name.is_some() || changes.status.is_some()) {
            return Err(DomainError::invalid(
                "Status",
                "A closed account cannot be changed",
            ));
        }
        if let Some(name) = &name {
            tx.run(accounts::set_friendly_name(&sid, name, now)).await?;
        }
        if let Some(status) = changes.status
            && status != current.status
        {
            tx.run(accounts::set_status(&sid, status, now)).await?;
            tracing::info!(account = %sid, from = %current.status, to = %status, "account status changed");
        }
        let record = tx.one(accounts::by_sid(&sid)).await?;
        tx.commit().await?;
        self.view(record, access.shows_auth_tokens())
    }

    /// Operator: one account by SID, with no access check (the CLI runs with the
    /// database's own authority).
    pub async fn operator_account(&self, sid: &AccountSid) -> DomainResult<AccountRecord> {
        self.store()
            .opt(accounts::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Operator: main accounts, oldest first.
    pub async fn operator_main_accounts(
        &self,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AccountRecord>> {
        let (query, shape) = accounts::main_accounts(at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }

    /// Operator (and, where allowed, the account's own user): makes a Trial main
    /// account Full, with its subaccounts.
    pub async fn upgrade_account(&self, sid: &AccountSid) -> DomainResult<AccountRecord> {
        let mut tx = self.store().begin().await?;
        let account = tx
            .opt(accounts::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if !account.is_main() {
            return Err(DomainError::invalid(
                "AccountSid",
                format!(
                    "{sid} is a subaccount; upgrade its main account {}",
                    account.owner_account_sid
                ),
            ));
        }
        tx.run(accounts::set_type_of_tree(
            sid,
            AccountType::Full,
            Timestamp::now(),
        ))
        .await?;
        let account = tx.one(accounts::by_sid(sid)).await?;
        tx.commit().await?;
        tracing::info!(account = %sid, "account upgraded to Full");
        Ok(account)
    }
}
