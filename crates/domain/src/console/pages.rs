//! What the console's pages read and change, for the signed-in user's own
//! account tree. The console has no API credentials, so instead of an
//! `Access` every function here takes the signed-in main account and refuses
//! (as `NotFound`, so nothing leaks) anything outside its tree.

use chrono::{Duration, Utc};
use switchboard_store::accounts::{self, AccountRecord};
use switchboard_store::authorizations::{self, AuthorizationRecord};
use switchboard_store::calls::{self, CallFilter, CallRecord};
use switchboard_store::connect_apps::{self, ConnectAppRecord};
use switchboard_store::deliveries::{self, DeliveryRecord};
use switchboard_store::messages::{self, MessageFilter, MessageRecord};
use switchboard_store::page::{Page, PageAt};
use switchboard_store::usage::{self, Period, UsageScope};
use switchboard_types::{
    AccountSid, AccountStatus, ConnectAppSid, DeliverySid, Permissions, Timestamp,
};

use super::ConsoleSession;
use crate::audit::{self, Event};
use crate::delivery::{DeliveryView, Replay, ReplayConfirmation};
use crate::error::{DomainError, DomainResult};
use crate::{Switchboard, validate};

/// The auth tokens of the signed-in account, decrypted for its owner.
pub struct Tokens {
    pub primary: String,
    pub secondary: Option<String>,
    pub secondary_created: Option<Timestamp>,
}

/// A customer of an app, as its owner sees them.
pub struct AppCustomer {
    pub grant: AuthorizationRecord,
    /// The customer's main account's name.
    pub customer_name: String,
    /// What the app asks for now that the customer has not granted: they must
    /// authorize again before the app gets it.
    pub missing: Permissions,
}

/// Spend of one category over a period.
pub struct CategorySpend {
    pub category: String,
    pub count: i64,
    pub usage: i64,
    pub price_micros: i64,
}

/// Spend over a window of days, for the usage page.
pub struct UsageSummary {
    pub first_day: String,
    pub last_day: String,
    /// Every day of the window, oldest first, with what it cost.
    pub days: Vec<(String, i64)>,
    pub categories: Vec<CategorySpend>,
    pub balance_micros: i64,
}

fn default_subaccount_name(now: Timestamp) -> String {
    format!(
        "SubAccount Created at {}",
        now.to_datetime().format("%Y-%m-%d %I:%M %P")
    )
}

/// Where a subaccount's status may go from where it is.
pub fn status_change_allowed(from: AccountStatus, to: AccountStatus) -> bool {
    matches!(
        (from, to),
        (AccountStatus::Active, AccountStatus::Suspended)
            | (AccountStatus::Suspended, AccountStatus::Active)
            | (AccountStatus::Active, AccountStatus::Closed)
            | (AccountStatus::Suspended, AccountStatus::Closed)
    )
}

impl Switchboard {
    fn console_event<'a>(
        session: &'a ConsoleSession,
        action: &'static str,
        subject: Option<&'a str>,
        detail: Option<String>,
        ip: Option<&'a str>,
    ) -> Event<'a> {
        Event {
            account: &session.account_sid,
            actor: &session.email,
            action,
            app: None,
            subject,
            permissions: None,
            detail,
            ip,
        }
    }

    /// The signed-in main account.
    pub async fn console_account(&self, session: &ConsoleSession) -> DomainResult<AccountRecord> {
        self.store()
            .opt(accounts::by_sid(&session.account_sid))
            .await?
            .ok_or(DomainError::NotFound)
    }

    pub async fn console_tokens(&self, session: &ConsoleSession) -> DomainResult<Tokens> {
        let account = self.console_account(session).await?;
        Ok(Tokens {
            primary: self.reveal_token(&account)?,
            secondary: self.reveal_secondary_token(&account)?,
            secondary_created: account.secondary_token_created,
        })
    }

    pub async fn console_create_secondary_token(
        &self,
        session: &ConsoleSession,
        ip: Option<&str>,
    ) -> DomainResult<()> {
        self.create_secondary_token(&session.account_sid).await?;
        self.record_event(Self::console_event(
            session,
            "token.secondary_created",
            None,
            None,
            ip,
        ))
        .await
    }

    pub async fn console_promote_secondary_token(
        &self,
        session: &ConsoleSession,
        ip: Option<&str>,
    ) -> DomainResult<()> {
        self.promote_secondary_token(&session.account_sid).await?;
        self.record_event(Self::console_event(
            session,
            "token.promoted",
            None,
            Some("the secondary auth token became primary; the old primary stopped working".into()),
            ip,
        ))
        .await
    }

    pub async fn console_delete_secondary_token(
        &self,
        session: &ConsoleSession,
        ip: Option<&str>,
    ) -> DomainResult<()> {
        self.delete_secondary_token(&session.account_sid).await?;
        self.record_event(Self::console_event(
            session,
            "token.secondary_deleted",
            None,
            None,
            ip,
        ))
        .await
    }

    /// The subaccounts of the signed-in main account, oldest first.
    pub async fn console_subaccounts(
        &self,
        session: &ConsoleSession,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AccountRecord>> {
        let (query, shape) =
            switchboard_store::console::subaccounts_of(&session.account_sid, at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }

    /// One subaccount of the signed-in main account; any other account is not found.
    pub async fn console_subaccount(
        &self,
        session: &ConsoleSession,
        sid: &AccountSid,
    ) -> DomainResult<AccountRecord> {
        self.store()
            .opt(accounts::by_sid(sid))
            .await?
            .filter(|a| a.owner_account_sid == session.account_sid && !a.is_main())
            .ok_or(DomainError::NotFound)
    }

    /// The main account or one of its subaccounts (the logs' account picker).
    pub async fn console_tree_account(
        &self,
        session: &ConsoleSession,
        sid: &AccountSid,
    ) -> DomainResult<AccountRecord> {
        self.store()
            .opt(accounts::by_sid(sid))
            .await?
            .filter(|a| a.owner_account_sid == session.account_sid)
            .ok_or(DomainError::NotFound)
    }

    pub async fn console_create_subaccount(
        &self,
        session: &ConsoleSession,
        friendly_name: &str,
        ip: Option<&str>,
    ) -> DomainResult<AccountRecord> {
        let now = Timestamp::now();
        let name = if friendly_name.trim().is_empty() {
            default_subaccount_name(now)
        } else {
            validate::friendly_name("FriendlyName", friendly_name)?
        };
        let mut tx = self.store().begin().await?;
        let parent = tx
            .opt(accounts::by_sid(&session.account_sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        let (sid, _) = self
            .insert_account(
                &mut tx,
                Some(&session.account_sid),
                &name,
                parent.account_type,
                now,
            )
            .await?;
        let record = tx.one(accounts::by_sid(&sid)).await?;
        audit::record(
            &mut tx,
            Self::console_event(
                session,
                "subaccount.create",
                Some(sid.as_str()),
                Some(name.clone()),
                ip,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    pub async fn console_rename_subaccount(
        &self,
        session: &ConsoleSession,
        sid: &AccountSid,
        friendly_name: &str,
        ip: Option<&str>,
    ) -> DomainResult<AccountRecord> {
        let name = validate::friendly_name("FriendlyName", friendly_name)?;
        let current = self.console_subaccount(session, sid).await?;
        if current.status == AccountStatus::Closed {
            return Err(DomainError::invalid(
                "FriendlyName",
                "A closed account cannot be changed",
            ));
        }
        let mut tx = self.store().begin().await?;
        tx.run(accounts::set_friendly_name(sid, &name, Timestamp::now()))
            .await?;
        audit::record(
            &mut tx,
            Self::console_event(
                session,
                "subaccount.rename",
                Some(sid.as_str()),
                Some(format!("from \"{}\" to \"{name}\"", current.friendly_name)),
                ip,
            ),
        )
        .await?;
        let record = tx.one(accounts::by_sid(sid)).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Suspends, reactivates or closes a subaccount (closing is for good).
    pub async fn console_set_subaccount_status(
        &self,
        session: &ConsoleSession,
        sid: &AccountSid,
        status: AccountStatus,
        ip: Option<&str>,
    ) -> DomainResult<AccountRecord> {
        let current = self.console_subaccount(session, sid).await?;
        if !status_change_allowed(current.status, status) {
            return Err(DomainError::invalid(
                "Status",
                format!(
                    "A {} account cannot become {}",
                    current.status.as_str(),
                    status.as_str()
                ),
            ));
        }
        let action = match status {
            AccountStatus::Active => "subaccount.reactivate",
            AccountStatus::Suspended => "subaccount.suspend",
            AccountStatus::Closed => "subaccount.close",
        };
        let mut tx = self.store().begin().await?;
        tx.run(accounts::set_status(sid, status, Timestamp::now()))
            .await?;
        audit::record(
            &mut tx,
            Self::console_event(
                session,
                action,
                Some(sid.as_str()),
                Some(current.friendly_name.clone()),
                ip,
            ),
        )
        .await?;
        let record = tx.one(accounts::by_sid(sid)).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// An app of the signed-in account; anyone else's is not found.
    pub async fn console_connect_app(
        &self,
        session: &ConsoleSession,
        sid: &ConnectAppSid,
    ) -> DomainResult<ConnectAppRecord> {
        self.store()
            .opt(connect_apps::of_account(&session.account_sid, sid))
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// The customers who authorized an app of the signed-in account, newest first,
    /// with revoked grants left out.
    pub async fn console_app_customers(
        &self,
        session: &ConsoleSession,
        app: &ConnectAppSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<(ConnectAppRecord, Page<AppCustomer>)> {
        let record = self.console_connect_app(session, app).await?;
        let (query, shape) = authorizations::of_app(app, at, size);
        let page = shape.assemble(self.store().all(query).await?);
        let mut items = Vec::with_capacity(page.items.len());
        for grant in page.items {
            if !grant.is_active() {
                continue;
            }
            let customer_name = self
                .store()
                .opt(switchboard_store::console::account_name(
                    &grant.customer_account_sid,
                ))
                .await?
                .unwrap_or_default();
            let missing = record.permissions.minus(grant.permissions);
            items.push(AppCustomer {
                grant,
                customer_name,
                missing,
            });
        }
        Ok((
            record,
            Page {
                items,
                has_next: page.has_next,
                has_previous: page.has_previous,
            },
        ))
    }

    /// The owner of an app ends one customer's grant, named by its dedicated
    /// subaccount.
    pub async fn console_owner_revoke(
        &self,
        session: &ConsoleSession,
        app: &ConnectAppSid,
        subaccount: &AccountSid,
        ip: Option<&str>,
    ) -> DomainResult<()> {
        self.console_connect_app(session, app).await?;
        let grant = self.console_app_grant(session, app, subaccount).await?;
        self.revoke_grant(&grant.customer_account_sid, app, &session.email, ip)
            .await
    }

    /// One active grant of an app of the signed-in account.
    pub async fn console_app_grant(
        &self,
        session: &ConsoleSession,
        app: &ConnectAppSid,
        subaccount: &AccountSid,
    ) -> DomainResult<AuthorizationRecord> {
        self.console_connect_app(session, app).await?;
        self.store()
            .opt(authorizations::by_subaccount(subaccount))
            .await?
            .filter(|g| &g.connect_app_sid == app && g.is_active())
            .ok_or(DomainError::NotFound)
    }

    /// Every callback sent for the signed-in account, newest first: those of its
    /// accounts, and those of its apps (signed with its token) sent from
    /// customers' dedicated subaccounts.
    pub async fn console_deliveries(
        &self,
        session: &ConsoleSession,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<DeliveryRecord>> {
        let (query, shape) =
            switchboard_store::console::deliveries_of_tree(&session.account_sid, at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }

    /// One delivery the deliveries page lists, with its attempts.
    pub async fn console_delivery(
        &self,
        session: &ConsoleSession,
        sid: &DeliverySid,
    ) -> DomainResult<DeliveryView> {
        let delivery = self
            .store()
            .opt(deliveries::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        let listed = delivery.signing_account_sid == session.account_sid
            || self
                .store()
                .opt(accounts::by_sid(&delivery.account_sid))
                .await?
                .is_some_and(|a| a.owner_account_sid == session.account_sid);
        if !listed {
            return Err(DomainError::NotFound);
        }
        self.delivery_of(&delivery.account_sid, sid).await
    }

    /// Sends a listed delivery again.
    pub async fn console_replay_delivery(
        &self,
        session: &ConsoleSession,
        sid: &DeliverySid,
        confirmation: ReplayConfirmation,
    ) -> DomainResult<Replay> {
        let view = self.console_delivery(session, sid).await?;
        self.replay_delivery(&view.delivery.account_sid, sid, confirmation)
            .await
    }

    /// Calls of an account of the signed-in tree.
    pub async fn console_calls(
        &self,
        session: &ConsoleSession,
        account: &AccountSid,
        filter: &CallFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<CallRecord>> {
        self.console_tree_account(session, account).await?;
        let (query, shape) = calls::list(account, filter, at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }

    /// Messages of an account of the signed-in tree.
    pub async fn console_messages(
        &self,
        session: &ConsoleSession,
        account: &AccountSid,
        filter: &MessageFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<MessageRecord>> {
        self.console_tree_account(session, account).await?;
        let (query, shape) = messages::list(account, filter, at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }

    /// Spend of the whole tree over the last `days` days (UTC), and the balance.
    pub async fn console_usage(
        &self,
        session: &ConsoleSession,
        days: u32,
    ) -> DomainResult<UsageSummary> {
        let main = &session.account_sid;
        let today = Utc::now().date_naive();
        let first = today - Duration::days(i64::from(days.max(1)) - 1);
        let first_day = first.format("%Y-%m-%d").to_string();
        let last_day = today.format("%Y-%m-%d").to_string();
        let rows = self
            .store()
            .all(usage::summed(
                UsageScope::Tree(main),
                &first_day,
                &last_day,
                Period::Day,
            ))
            .await?;
        let mut per_day: std::collections::BTreeMap<String, i64> =
            std::collections::BTreeMap::new();
        let mut d = first;
        while d <= today {
            per_day.insert(d.format("%Y-%m-%d").to_string(), 0);
            d += Duration::days(1);
        }
        let mut categories: Vec<CategorySpend> = Vec::new();
        for r in rows {
            *per_day.entry(r.period.clone()).or_default() += r.price_micros;
            match categories
                .iter_mut()
                .find(|c| c.category == r.category.as_str())
            {
                Some(c) => {
                    c.count += r.count;
                    c.usage += r.usage;
                    c.price_micros += r.price_micros;
                }
                None => categories.push(CategorySpend {
                    category: r.category.as_str().to_owned(),
                    count: r.count,
                    usage: r.usage,
                    price_micros: r.price_micros,
                }),
            }
        }
        categories.sort_by_key(|c| std::cmp::Reverse(c.price_micros));
        let balance_micros = self.store().one(usage::balance(main)).await?;
        Ok(UsageSummary {
            first_day,
            last_day,
            days: per_day.into_iter().collect(),
            categories,
            balance_micros,
        })
    }
}
