//! Accounts and subaccounts: creating, listing, changing, upgrading
//! ([`Accounts`], reached by [`Switchboard::accounts`]).

use switchboard_store::StoreError;
use switchboard_store::accounts::{self, AccountFilter, AccountRecord, NewAccount};
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_store::users::{self, UserRecord};
use switchboard_types::{AccountSid, AccountStatus, AccountType, Timestamp};

use crate::access::{Access, Action, Actor, ApiRequest, Resource};
use crate::audit::{self, Change};
use crate::error::{AccountField, Checks, DomainError, DomainResult, Problem, invalid};
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

    /// Inserts a main account with its console user, inside `tx` (sign-up
    /// records its own event in the same transaction).
    pub(crate) async fn insert_main_account(
        &self,
        tx: &mut switchboard_store::Tx,
        new: NewMainAccount,
    ) -> DomainResult<CreatedAccount> {
        // Every field is checked before refusing, so sign-up flags each mistake.
        let mut checks = Checks::default();
        let email = checks.check(validate::email(&new.email))?;
        let friendly_name = checks.check(validate::friendly_name(
            AccountField::Name,
            &new.friendly_name,
        ))?;
        checks.check(password::validate(&new.password))?;
        checks.done()?;
        let (Some(email), Some(friendly_name)) = (email, friendly_name) else {
            return Err(DomainError::Internal("checked values missing".into()));
        };
        let password_hash = password::hash(new.password).await?;
        let now = Timestamp::now();
        let (sid, auth_token) = self
            .insert_account(tx, None, &friendly_name, new.account_type, now)
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
        tracing::info!(account = %sid, "created main account");
        Ok(CreatedAccount {
            account,
            user,
            auth_token,
        })
    }

    /// One account, for the server's own work (signing a delivery).
    pub(crate) async fn account_record(&self, sid: &AccountSid) -> DomainResult<AccountRecord> {
        self.store()
            .opt(accounts::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Accounts and subaccounts.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { sb: self }
    }
}

/// Accounts and subaccounts: the front door for every caller.
pub struct Accounts<'a> {
    sb: &'a Switchboard,
}

/// The audit action of a status change.
fn status_action(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Active => "subaccount.reactivate",
        AccountStatus::Suspended => "subaccount.suspend",
        AccountStatus::Closed => "subaccount.close",
    }
}

impl Accounts<'_> {
    /// Creates a main account with its console user: the operator's (sign-up
    /// is the console's own way in).
    pub async fn create_main(
        &self,
        access: &Access,
        new: NewMainAccount,
    ) -> DomainResult<CreatedAccount> {
        access.require(Action::Write, Resource::AccountList)?;
        if access.actor() != &Actor::Operator {
            return Err(DomainError::Forbidden(
                "Only the operator creates main accounts".into(),
            ));
        }
        let mut tx = self.sb.store().begin().await?;
        let created = self.sb.insert_main_account(&mut tx, new).await?;
        audit::record_change(
            &mut tx,
            access,
            Change {
                account: &created.account.sid,
                action: "account.create",
                app: None,
                subject: Some(created.account.sid.as_str()),
                permissions: None,
                detail: Some(created.account.friendly_name.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// A subaccount of the actor's main account (`POST /Accounts.json`, the
    /// console's subaccounts page).
    pub async fn create_subaccount(
        &self,
        access: &Access,
        friendly_name: Option<&str>,
    ) -> DomainResult<AccountView> {
        access.require(Action::Write, Resource::AccountList)?;
        let main = access.acting_main()?.clone();
        let now = self.sb.now_for(access).await?;
        let name = match friendly_name {
            Some(name) => validate::friendly_name(AccountField::Name, name)?,
            None => default_subaccount_name(now),
        };
        let mut tx = self.sb.store().begin().await?;
        let parent = tx
            .opt(accounts::by_sid(&main))
            .await?
            .ok_or(DomainError::NotFound)?;
        let (sid, _) = self
            .sb
            .insert_account(&mut tx, Some(&main), &name, parent.account_type, now)
            .await?;
        let record = tx.one(accounts::by_sid(&sid)).await?;
        audit::record_change(
            &mut tx,
            access,
            Change {
                account: &main,
                action: "subaccount.create",
                app: None,
                subject: Some(sid.as_str()),
                permissions: None,
                detail: Some(name),
            },
        )
        .await?;
        tx.commit().await?;
        self.sb.view(record, access.shows_auth_tokens())
    }

    /// `GET /Accounts.json`.
    pub async fn list(
        &self,
        access: &Access,
        filter: &AccountFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AccountView>> {
        access.require(Action::Read, Resource::AccountList)?;
        let scope = access.account_scope()?.clone();
        let (query, shape) = accounts::list(&scope, filter, at, size);
        let page = shape.assemble(self.sb.store().all(query).await?);
        let items = page
            .items
            .into_iter()
            .map(|r| self.sb.view(r, access.shows_auth_tokens()))
            .collect::<DomainResult<Vec<_>>>()?;
        Ok(Page {
            items,
            has_next: page.has_next,
            has_previous: page.has_previous,
        })
    }

    /// The subaccounts of the main account the access lists, oldest first.
    pub async fn subaccounts(
        &self,
        access: &Access,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AccountRecord>> {
        access.require(Action::Read, Resource::AccountList)?;
        let main = match access.account_scope()? {
            accounts::AccountScope::Tree(main) => main,
            accounts::AccountScope::Single(_) => return Err(DomainError::NotFound),
        };
        let (query, shape) = switchboard_store::console::subaccounts_of(main, at, size);
        Ok(shape.assemble(self.sb.store().all(query).await?))
    }

    /// Main accounts, oldest first: the operator's listing.
    pub async fn list_main(
        &self,
        access: &Access,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AccountRecord>> {
        access.require(Action::Read, Resource::AccountList)?;
        if access.actor() != &Actor::Operator {
            return Err(DomainError::NotFound);
        }
        let (query, shape) = accounts::main_accounts(at, size);
        Ok(shape.assemble(self.sb.store().all(query).await?))
    }

    /// `GET /Accounts/{Sid}.json`: authorised and read in one round trip.
    pub async fn fetch(
        &self,
        request: &ApiRequest<'_>,
        sid: &AccountSid,
    ) -> DomainResult<AccountView> {
        let (access, mut rows) = self
            .sb
            .authorize_read(request, accounts::by_sid(sid))
            .await?;
        let record = rows.pop().ok_or(DomainError::NotFound)?;
        self.sb.view(record, access.shows_auth_tokens())
    }

    /// The account the access names.
    pub async fn get(&self, access: &Access) -> DomainResult<AccountRecord> {
        access.require(Action::Read, Resource::Account)?;
        let sid = &access.target_account()?.sid;
        self.sb
            .store()
            .opt(accounts::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Renames the account the access names, or changes its status (the policy
    /// decided who may: `Resource::AccountStatus`). A closed account cannot be
    /// changed; asking for the status it has changes nothing.
    pub async fn update(
        &self,
        access: &Access,
        changes: &AccountChanges,
    ) -> DomainResult<AccountView> {
        match changes.status {
            Some(_) => access.require(Action::Write, Resource::AccountStatus)?,
            None if access
                .require(Action::Write, Resource::AccountStatus)
                .is_ok() => {}
            None => access.require(Action::Write, Resource::Account)?,
        }
        let target = access.target_account()?;
        let sid = &target.sid;
        let name = changes
            .friendly_name
            .as_deref()
            .map(|n| validate::friendly_name(AccountField::Name, n))
            .transpose()?;
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let current = tx
            .opt(accounts::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if current.status == AccountStatus::Closed && (name.is_some() || changes.status.is_some()) {
            return Err(invalid(AccountField::Status, Problem::Closed));
        }
        let mut revoked = 0;
        let change = |action, detail| Change {
            account: &current.owner_account_sid,
            action,
            app: None,
            subject: Some(sid.as_str()),
            permissions: None,
            detail: Some(detail),
        };
        if let Some(name) = &name {
            tx.run(accounts::set_friendly_name(sid, name, now)).await?;
            let action = match current.is_main() {
                true => "account.rename",
                false => "subaccount.rename",
            };
            let detail = format!("from \"{}\" to \"{name}\"", current.friendly_name);
            audit::record_change(&mut tx, access, change(action, detail)).await?;
        }
        if let Some(status) = changes.status
            && status != current.status
        {
            tx.run(accounts::set_status(sid, status, now)).await?;
            let detail = current.friendly_name.clone();
            audit::record_change(&mut tx, access, change(status_action(status), detail)).await?;
            if status != AccountStatus::Active {
                revoked = self
                    .sb
                    .revoke_grants_for_status(&mut tx, access, sid, status, now)
                    .await?;
            }
            tracing::info!(account = %sid, from = %current.status, to = %status, "account status changed");
        }
        let record = tx.one(accounts::by_sid(sid)).await?;
        tx.commit().await?;
        if revoked > 0 {
            self.sb.wake_deliveries();
        }
        self.sb.view(record, access.shows_auth_tokens())
    }

    /// Makes the Trial main account the access names Full, with its
    /// subaccounts (the policy decided who may: `Resource::AccountType`).
    pub async fn upgrade(&self, access: &Access) -> DomainResult<AccountRecord> {
        access.require(Action::Write, Resource::AccountType)?;
        let sid = &access.target_account()?.sid;
        let mut tx = self.sb.store().begin().await?;
        let account = tx
            .opt(accounts::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if !account.is_main() {
            return Err(invalid(
                AccountField::Account,
                Problem::Subaccount {
                    account: sid.clone(),
                    main: account.owner_account_sid.clone(),
                },
            ));
        }
        tx.run(accounts::set_type_of_tree(
            sid,
            AccountType::Full,
            Timestamp::now(),
        ))
        .await?;
        audit::record_change(
            &mut tx,
            access,
            Change {
                account: sid,
                action: "account.upgrade",
                app: None,
                subject: None,
                permissions: None,
                detail: None,
            },
        )
        .await?;
        let account = tx.one(accounts::by_sid(sid)).await?;
        tx.commit().await?;
        tracing::info!(account = %sid, "account upgraded to Full");
        Ok(account)
    }
}
