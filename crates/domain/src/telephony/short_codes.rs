//! Short codes (`…/SMS/ShortCodes`), reached by [`Switchboard::short_codes`].
//!
//! Twilio leases short codes through an application process, not the API,
//! so the API lists, fetches and configures them only; here the operator
//! provisions them to accounts with the command line
//! (`switchboard short-codes add`, [`ShortCodes::provision`]), and takes
//! them back (`remove`). An account sends messages from its short code
//! (`From` = the digits); a short code is one account's in its world.
//! Messages to a short code (its `SmsUrl`) are not simulated yet: the
//! settings are stored and shown.

use switchboard_store::StoreError;
use switchboard_store::Tx;
use switchboard_store::page::{Page, PageAt};
use switchboard_store::short_codes::{self as store, ShortCodeRecord};
use switchboard_types::{AccountSid, HookMethod, ShortCodeSid};

use super::{method_param, url_param};
use crate::Switchboard;
use crate::access::{Access, Action, Actor, Reader, Resource};
use crate::audit::{self, Change};
use crate::error::{DomainError, DomainResult, Problem, ShortCodeField as F, invalid};
use crate::validate;

pub use switchboard_store::short_codes::ShortCodeRecord as ShortCode;

/// The API version a short code's messages are requested with.
const API_VERSION: &str = "2010-04-01";
const API_VERSIONS: [&str; 2] = ["2010-04-01", "2008-08-01"];

/// What the operator provisions (`None`: Twilio's default).
#[derive(Debug, Default, Clone)]
pub struct NewShortCode {
    pub short_code: String,
    pub friendly_name: Option<String>,
    pub sms_url: Option<String>,
    pub sms_method: Option<String>,
}

/// What an update may change; `None` leaves it as it is, an empty URL
/// clears it.
#[derive(Debug, Default, Clone)]
pub struct ShortCodeChanges {
    pub friendly_name: Option<String>,
    pub api_version: Option<String>,
    pub sms_url: Option<String>,
    pub sms_method: Option<String>,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: Option<String>,
}

impl Switchboard {
    /// Short codes, in the account an access names.
    pub fn short_codes(&self) -> ShortCodes<'_> {
        ShortCodes { sb: self }
    }
}

/// The short codes of the account an access names (`Resource::ShortCodes`;
/// provisioning is `Resource::ShortCodeProvisioning`, the operator's).
pub struct ShortCodes<'a> {
    sb: &'a Switchboard,
}

/// Whether a `From` is written as a short code (3 to 8 digits) rather than
/// a phone number.
pub fn looks_like_short_code(value: &str) -> bool {
    (3..=8).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

async fn record(
    tx: &mut Tx,
    access: &Access,
    log: &AccountSid,
    action: &'static str,
    code: &ShortCode,
) -> DomainResult<()> {
    audit::record_change(
        tx,
        access,
        Change {
            account: log,
            action,
            app: access.app(),
            subject: Some(code.sid.as_str()),
            permissions: None,
            detail: Some(format!("{} ({})", code.short_code, code.friendly_name)),
        },
    )
    .await
}

fn api_version(value: &str) -> DomainResult<String> {
    let v = value.trim();
    match API_VERSIONS.iter().find(|a| **a == v) {
        Some(a) => Ok((*a).to_owned()),
        None => Err(invalid(
            F::ApiVersion,
            Problem::NotOneOf {
                allowed: API_VERSIONS.to_vec(),
                given: v.to_owned(),
            },
        )),
    }
}

impl ShortCodes<'_> {
    /// Gives the target account a short code (the operator's).
    pub async fn provision(&self, access: &Access, new: &NewShortCode) -> DomainResult<ShortCode> {
        access.require(Action::Write, Resource::ShortCodeProvisioning)?;
        let target = access.target_account()?;
        let code = new.short_code.trim();
        if !looks_like_short_code(code) {
            return Err(invalid(F::Code, Problem::NotShortCode));
        }
        let friendly_name = match new.friendly_name.as_deref().map(str::trim) {
            None | Some("") => code.to_owned(),
            Some(v) => validate::friendly_name(F::Name, v)?,
        };
        let now = self.sb.now_for(access).await?;
        let short_code = ShortCodeRecord {
            sid: ShortCodeSid::generate(),
            account_sid: target.sid.clone(),
            sandbox_sid: target.sandbox_sid.clone(),
            short_code: code.to_owned(),
            friendly_name,
            api_version: API_VERSION.to_owned(),
            sms_url: url_param(F::SmsUrl, new.sms_url.as_deref())?,
            sms_method: method_param(F::SmsMethod, new.sms_method.as_deref(), HookMethod::Post)?,
            sms_fallback_url: None,
            sms_fallback_method: HookMethod::Post,
            date_created: now,
            date_updated: now,
        };
        let mut tx = self.sb.store().begin().await?;
        match tx.run(store::insert(&short_code)).await {
            Ok(_) => {}
            Err(StoreError::Conflict) => {
                return Err(invalid(
                    F::Code,
                    Problem::ShortCodeTaken {
                        code: code.to_owned(),
                    },
                ));
            }
            Err(e) => return Err(e.into()),
        }
        record(
            &mut tx,
            access,
            &target.owner_account_sid,
            "short-code.provision",
            &short_code,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(account = %short_code.account_sid, short_code = %short_code.sid, "provisioned a short code");
        Ok(short_code)
    }

    /// Takes a short code back from the target account (the operator's).
    pub async fn remove(&self, access: &Access, sid: &ShortCodeSid) -> DomainResult<ShortCode> {
        access.require(Action::Write, Resource::ShortCodeProvisioning)?;
        let target = access.target_account()?;
        let mut tx = self.sb.store().begin().await?;
        let short_code = tx
            .opt(store::of_account(&target.sid, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        tx.run(store::delete(&target.sid, sid)).await?;
        record(
            &mut tx,
            access,
            &target.owner_account_sid,
            "short-code.remove",
            &short_code,
        )
        .await?;
        tx.commit().await?;
        Ok(short_code)
    }

    /// The account a short code is provisioned to (the operator's look-up,
    /// with the access that lists accounts).
    pub async fn owner(&self, access: &Access, sid: &ShortCodeSid) -> DomainResult<AccountSid> {
        access.require(Action::Read, Resource::AccountList)?;
        if access.actor() != &Actor::Operator {
            return Err(DomainError::NotFound);
        }
        self.sb
            .store()
            .opt(store::by_sid(sid))
            .await?
            .map(|c| c.account_sid)
            .ok_or(DomainError::NotFound)
    }

    /// The account's short codes, oldest first, optionally only those of one
    /// name or code (authorised and read in one round trip for an API
    /// request).
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        (friendly_name, short_code): (Option<&'a str>, Option<&'a str>),
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<ShortCode>> {
        self.sb
            .read_page(reader, Resource::ShortCodes, |account| {
                store::list(account, friendly_name, short_code, at, size)
            })
            .await
    }

    /// One short code of the account; anyone else's is not found.
    pub async fn get<'a>(
        &self,
        reader: Reader<'a>,
        sid: &'a ShortCodeSid,
    ) -> DomainResult<ShortCode> {
        self.sb
            .read_one(reader, Resource::ShortCodes, |account| {
                store::of_account(account, sid)
            })
            .await
    }

    /// Changes a short code's name and messaging settings.
    pub async fn update(
        &self,
        access: &Access,
        sid: &ShortCodeSid,
        changes: &ShortCodeChanges,
    ) -> DomainResult<ShortCode> {
        access.require(Action::Write, Resource::ShortCodes)?;
        let target = access.target_account()?;
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let mut c = tx
            .opt(store::of_account(&target.sid, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if let Some(v) = &changes.friendly_name {
            c.friendly_name = match v.trim() {
                "" => c.short_code.clone(),
                _ => validate::friendly_name(F::Name, v)?,
            };
        }
        if let Some(v) = &changes.api_version {
            c.api_version = api_version(v)?;
        }
        if let Some(v) = &changes.sms_url {
            c.sms_url = url_param(F::SmsUrl, Some(v))?;
        }
        if changes.sms_method.is_some() {
            c.sms_method = method_param(F::SmsMethod, changes.sms_method.as_deref(), c.sms_method)?;
        }
        if let Some(v) = &changes.sms_fallback_url {
            c.sms_fallback_url = url_param(F::SmsFallbackUrl, Some(v))?;
        }
        if changes.sms_fallback_method.is_some() {
            c.sms_fallback_method = method_param(
                F::SmsFallbackMethod,
                changes.sms_fallback_method.as_deref(),
                c.sms_fallback_method,
            )?;
        }
        c.date_updated = now;
        tx.run(store::update(&c)).await?;
        record(
            &mut tx,
            access,
            &target.owner_account_sid,
            "short-code.update",
            &c,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }
}

impl Switchboard {
    /// The account's short code a message is sent from, if it has it.
    pub(crate) async fn sender_short_code(
        &self,
        account: &AccountSid,
        code: &str,
    ) -> DomainResult<Option<ShortCode>> {
        Ok(self
            .store()
            .opt(store::of_account_by_code(account, code))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_are_three_to_eight_digits() {
        for good in ["123", "12345", "894546", "12345678"] {
            assert!(looks_like_short_code(good), "{good}");
        }
        for bad in ["12", "123456789", "+12345", "12a45", ""] {
            assert!(!looks_like_short_code(bad), "{bad}");
        }
    }
}
