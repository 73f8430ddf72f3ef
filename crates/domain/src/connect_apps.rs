//! Connect Apps: created by Full main accounts, with the settings of Twilio's
//! "Connect App configuration options" and a logo ([`ConnectApps`], reached by
//! [`Switchboard::connect_apps`]).

use switchboard_store::authorizations::{self, AuthorizationRecord};
use switchboard_store::connect_apps::{self, ConnectAppRecord};
use switchboard_store::page::{Page, PageAt};
use switchboard_types::{AccountSid, AccountType, ConnectAppSid, Permissions, Timestamp};

use crate::access::{Access, Action, Reader, Resource};
use crate::audit::{self, Change};
use crate::error::{AppField, Checks, DomainError, DomainResult, Invalid, Problem, invalid};
use crate::{Switchboard, validate};

pub const MAX_COMPANY_NAME: usize = 128;
pub const MAX_DESCRIPTION: usize = 1024;
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// Settings given for an app; `None` leaves a setting as it is. For optional
/// settings an empty string clears them.
#[derive(Debug, Default, Clone)]
pub struct ConnectAppFields {
    pub friendly_name: Option<String>,
    pub company_name: Option<String>,
    pub description: Option<String>,
    pub homepage_url: Option<String>,
    pub terms_of_service_url: Option<String>,
    pub authorize_redirect_url: Option<String>,
    pub deauthorize_callback_url: Option<String>,
    pub deauthorize_callback_method: Option<String>,
    pub permissions: Option<Permissions>,
    /// Whether authorize redirects carry `Timestamp` and `Signature`.
    pub sign_redirects: Option<bool>,
    /// Called server to server whenever a customer authorizes the app.
    pub authorize_callback_url: Option<String>,
    pub authorize_callback_method: Option<String>,
}

/// An optional URL setting: empty clears it.
fn optional_url(field: AppField, value: &str) -> DomainResult<Option<String>> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        validate::absolute_url(field, value).map(Some)
    }
}

fn optional_text(field: AppField, value: &str, max: usize) -> DomainResult<Option<String>> {
    let text = validate::text(field, value, max)?;
    Ok((!text.is_empty()).then_some(text))
}

impl ConnectAppFields {
    /// Every problem with these fields, in the order the API would name the
    /// first, without changing anything: what a form shows before saving.
    /// `creating` adds what only a new app needs (a name and a company).
    pub fn problems(&self, creating: bool) -> Vec<Invalid> {
        let mut checks = Checks::default();
        if creating {
            self.check_required(&mut checks);
        }
        let mut scratch = new_record(AccountSid::generate(), Timestamp::from_micros(0));
        // Only value problems are noted: `apply` fails on nothing else.
        let _ = self.apply(&mut scratch, &mut checks);
        checks.into_problems()
    }

    /// A new app needs a name and a company.
    fn check_required(&self, checks: &mut Checks) {
        let missing = |v: &Option<String>| v.as_deref().is_none_or(|n| n.trim().is_empty());
        for (value, field) in [
            (&self.friendly_name, AppField::Name),
            (&self.company_name, AppField::CompanyName),
        ] {
            if missing(value) {
                checks.note(Invalid {
                    field: field.into(),
                    problem: Problem::Missing,
                });
            }
        }
    }

    /// Applies the fields to `app`, checking each: every refused value is
    /// noted in `checks` (so a form can flag them all at once) and leaves the
    /// setting as it was.
    fn apply(&self, app: &mut ConnectAppRecord, checks: &mut Checks) -> DomainResult<()> {
        if let Some(v) = &self.friendly_name
            && let Some(name) = checks.check(validate::friendly_name(AppField::Name, v))?
        {
            app.friendly_name = name;
        }
        if let Some(v) = &self.company_name
            && let Some(c) =
                checks.check(optional_text(AppField::CompanyName, v, MAX_COMPANY_NAME))?
        {
            app.company_name = c;
        }
        if let Some(v) = &self.description
            && let Some(d) =
                checks.check(optional_text(AppField::Description, v, MAX_DESCRIPTION))?
        {
            app.description = d;
        }
        let urls = [
            (
                &self.homepage_url,
                AppField::HomepageUrl,
                &mut app.homepage_url,
            ),
            (
                &self.terms_of_service_url,
                AppField::TermsOfServiceUrl,
                &mut app.terms_of_service_url,
            ),
            (
                &self.authorize_redirect_url,
                AppField::AuthorizeRedirectUrl,
                &mut app.authorize_redirect_url,
            ),
            (
                &self.deauthorize_callback_url,
                AppField::DeauthorizeCallbackUrl,
                &mut app.deauthorize_callback_url,
            ),
        ];
        for (given, field, setting) in urls {
            if let Some(v) = given
                && let Some(url) = checks.check(optional_url(field, v))?
            {
                *setting = url;
            }
        }
        if let Some(v) = &self.deauthorize_callback_method
            && let Some(m) = checks.check(validate::http_method(
                AppField::DeauthorizeCallbackMethod,
                v,
            ))?
        {
            app.deauthorize_callback_method = m;
        }
        if let Some(p) = self.permissions {
            app.permissions = p;
        }
        if let Some(sign) = self.sign_redirects {
            app.sign_redirects = sign;
        }
        if let Some(v) = &self.authorize_callback_url
            && let Some(url) = checks.check(optional_url(AppField::AuthorizeCallbackUrl, v))?
        {
            app.authorize_callback_url = url;
        }
        if let Some(v) = &self.authorize_callback_method
            && let Some(m) =
                checks.check(validate::http_method(AppField::AuthorizeCallbackMethod, v))?
        {
            app.authorize_callback_method = m;
        }
        Ok(())
    }
}

/// A new app of `account` with every setting at its default.
fn new_record(account: AccountSid, now: Timestamp) -> ConnectAppRecord {
    ConnectAppRecord {
        sid: ConnectAppSid::generate(),
        account_sid: account,
        friendly_name: String::new(),
        company_name: None,
        description: None,
        homepage_url: None,
        terms_of_service_url: None,
        authorize_redirect_url: None,
        deauthorize_callback_url: None,
        deauthorize_callback_method: "POST".to_owned(),
        permissions: Permissions::NONE,
        sign_redirects: false,
        authorize_callback_url: None,
        authorize_callback_method: "POST".to_owned(),
        has_logo: false,
        date_created: now,
        date_updated: now,
    }
}

/// The image formats a logo may be, recognised by their first bytes (never by a
/// name or a declared type).
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

impl Switchboard {
    /// Connect Apps, as their owner manages them.
    pub fn connect_apps(&self) -> ConnectApps<'_> {
        ConnectApps { sb: self }
    }

    /// The logo of any app: shown to everyone the app asks for consent, so
    /// anyone may read it.
    pub async fn connect_app_logo(&self, sid: &ConnectAppSid) -> DomainResult<(String, Vec<u8>)> {
        self.store()
            .opt(connect_apps::logo(sid))
            .await?
            .flatten()
            .ok_or(DomainError::NotFound)
    }

    /// An app by SID alone: what the consent page shows anyone.
    pub async fn connect_app(&self, sid: &ConnectAppSid) -> DomainResult<ConnectAppRecord> {
        self.store()
            .opt(connect_apps::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)
    }
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

/// Whether a grant holds other permissions than its app asks for now: the
/// customer must authorize again before the app gets what it added (what it
/// dropped is gone at once). Only an active grant needs it; a revoked one needs
/// a new authorization anyway.
pub fn needs_reauthorization(app: &ConnectAppRecord, grant: &AuthorizationRecord) -> bool {
    grant.is_active() && grant.permissions != app.permissions
}

/// The Connect Apps of the account an access names (`Resource::ConnectApps`).
pub struct ConnectApps<'a> {
    sb: &'a Switchboard,
}

impl ConnectApps<'_> {
    fn owner(access: &Access, action: Action) -> DomainResult<&AccountSid> {
        access.require(action, Resource::ConnectApps)?;
        Ok(&access.target_account()?.sid)
    }

    /// Creates an app owned by the target, which must be a Full main account
    /// (`POST …/ConnectApps.json` is a Switchboard extension: Twilio only
    /// creates apps in its console).
    pub async fn create(
        &self,
        access: &Access,
        fields: &ConnectAppFields,
    ) -> DomainResult<ConnectAppRecord> {
        let account = Self::owner(access, Action::Write)?;
        let mut checks = Checks::default();
        fields.check_required(&mut checks);
        let now = self.sb.now_for(access).await?;
        let mut app = new_record(account.clone(), now);
        fields.apply(&mut app, &mut checks)?;
        checks.done()?;
        let mut tx = self.sb.store().begin().await?;
        let owner = tx
            .opt(switchboard_store::accounts::by_sid(account))
            .await?
            .ok_or(DomainError::NotFound)?;
        if !owner.is_main() {
            return Err(DomainError::Forbidden(
                "Connect Apps belong to main accounts; use the main account's SID".into(),
            ));
        }
        if owner.account_type != AccountType::Full {
            return Err(DomainError::Forbidden(
                "Only upgraded (Full) accounts can create Connect Apps; upgrade this account first"
                    .into(),
            ));
        }
        tx.run(connect_apps::insert(&app)).await?;
        audit::record_change(
            &mut tx,
            access,
            Change {
                account,
                action: "connect_app.create",
                app: Some(&app.sid),
                subject: None,
                permissions: Some(app.permissions),
                detail: Some(app.friendly_name.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(app = %app.sid, account = %account, "created Connect App");
        Ok(app)
    }

    /// The apps of an account (`GET …/ConnectApps.json`: authorised and read in
    /// one round trip).
    pub async fn list(
        &self,
        reader: Reader<'_>,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<ConnectAppRecord>> {
        self.sb
            .read_page(reader, Resource::ConnectApps, |account| {
                connect_apps::list(account, at, size)
            })
            .await
    }

    /// One app of an account (`GET …/ConnectApps/{Sid}.json`); anyone else's
    /// is not found.
    pub async fn get(
        &self,
        reader: Reader<'_>,
        sid: &ConnectAppSid,
    ) -> DomainResult<ConnectAppRecord> {
        self.sb
            .read_one(reader, Resource::ConnectApps, |account| {
                connect_apps::of_account(account, sid)
            })
            .await
    }

    /// Changes an app; a change of permissions is audited (customers keep
    /// what they approved until they approve again).
    pub async fn update(
        &self,
        access: &Access,
        sid: &ConnectAppSid,
        fields: &ConnectAppFields,
    ) -> DomainResult<ConnectAppRecord> {
        let account = Self::owner(access, Action::Write)?;
        let mut tx = self.sb.store().begin().await?;
        let mut app = tx
            .opt(connect_apps::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        let before = app.permissions;
        let mut checks = Checks::default();
        fields.apply(&mut app, &mut checks)?;
        checks.done()?;
        app.date_updated = self.sb.now_for(access).await?;
        tx.run(connect_apps::update(&app)).await?;
        if app.permissions != before {
            audit::record_change(
                &mut tx,
                access,
                Change {
                    account,
                    action: "connect_app.permissions_changed",
                    app: Some(sid),
                    subject: None,
                    permissions: Some(app.permissions),
                    detail: Some(format!("from [{before}] to [{}]", app.permissions)),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(app)
    }

    /// Deletes an app. Its grants stop working with this commit (the grant
    /// check joins the app).
    pub async fn delete(&self, access: &Access, sid: &ConnectAppSid) -> DomainResult<()> {
        let account = Self::owner(access, Action::Write)?;
        let mut tx = self.sb.store().begin().await?;
        let app = tx
            .opt(connect_apps::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        self.sb.revoke_all_grants_of(&mut tx, access, &app).await?;
        tx.run(connect_apps::delete(sid)).await?;
        audit::record_change(
            &mut tx,
            access,
            Change {
                account,
                action: "connect_app.delete",
                app: Some(sid),
                subject: None,
                permissions: None,
                detail: Some(app.friendly_name.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        self.sb.wake_deliveries();
        tracing::info!(app = %sid, "deleted Connect App");
        Ok(())
    }

    /// Sets or (with `None`) removes the logo of an app.
    pub async fn set_logo(
        &self,
        access: &Access,
        sid: &ConnectAppSid,
        image: Option<&[u8]>,
    ) -> DomainResult<ConnectAppRecord> {
        let account = Self::owner(access, Action::Write)?;
        let content_type = match image {
            None => None,
            Some(bytes) if bytes.len() > MAX_LOGO_BYTES => {
                return Err(invalid(
                    AppField::Logo,
                    Problem::TooLarge {
                        max_bytes: MAX_LOGO_BYTES,
                    },
                ));
            }
            Some(bytes) => {
                Some(sniff_image(bytes).ok_or_else(|| invalid(AppField::Logo, Problem::NotImage))?)
            }
        };
        let mut tx = self.sb.store().begin().await?;
        tx.opt(connect_apps::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        tx.run(connect_apps::set_logo(
            sid,
            content_type,
            image,
            Timestamp::now(),
        ))
        .await?;
        audit::record_change(
            &mut tx,
            access,
            Change {
                account,
                action: match image {
                    Some(_) => "connect_app.logo_set",
                    None => "connect_app.logo_removed",
                },
                app: Some(sid),
                subject: None,
                permissions: None,
                detail: None,
            },
        )
        .await?;
        let app = tx.one(connect_apps::by_sid(sid)).await?;
        tx.commit().await?;
        Ok(app)
    }

    /// The customers who authorized an app, newest first, with revoked grants
    /// left out.
    pub async fn customers(
        &self,
        access: &Access,
        app: &ConnectAppSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<(ConnectAppRecord, Page<AppCustomer>)> {
        let record = self.get(access.into(), app).await?;
        let (query, shape) = authorizations::of_app(app, at, size);
        let page = shape.assemble(self.sb.store().all(query).await?);
        let mut items = Vec::with_capacity(page.items.len());
        for grant in page.items {
            if !grant.is_active() {
                continue;
            }
            let customer_name = self
                .sb
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

    /// Every grant of an app of the reader's account, active or revoked, newest
    /// authorization first (`GET …/ConnectApps/{Sid}/Authorizations.json`),
    /// with the app as it is now. Read by the owner's main account alone
    /// (`Resource::ConnectAppAuthorizations`); an app of another account is
    /// not found.
    pub async fn authorizations(
        &self,
        reader: Reader<'_>,
        app: &ConnectAppSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<(ConnectAppRecord, Page<AuthorizationRecord>)> {
        let record = self.owned(reader, app).await?;
        let (query, shape) = authorizations::of_app(app, at, size);
        let page = shape.assemble(self.sb.store().all(query).await?);
        Ok((record, page))
    }

    /// One grant of an app of the reader's account, active or revoked, named
    /// by its dedicated subaccount.
    pub async fn authorization(
        &self,
        reader: Reader<'_>,
        app: &ConnectAppSid,
        subaccount: &AccountSid,
    ) -> DomainResult<(ConnectAppRecord, AuthorizationRecord)> {
        let record = self.owned(reader, app).await?;
        let grant = self
            .sb
            .store()
            .opt(authorizations::by_subaccount(subaccount))
            .await?
            .filter(|g| &g.connect_app_sid == app)
            .ok_or(DomainError::NotFound)?;
        Ok((record, grant))
    }

    /// An app of the account a reader of its grants names.
    async fn owned(
        &self,
        reader: Reader<'_>,
        app: &ConnectAppSid,
    ) -> DomainResult<ConnectAppRecord> {
        let access = self
            .sb
            .reader_access(reader, Resource::ConnectAppAuthorizations)
            .await?;
        let owner = &access.target_account()?.sid;
        self.sb
            .store()
            .opt(connect_apps::of_account(owner, app))
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// The owner of an app, to authorise a request that names the app alone
    /// (`POST /switchboard/v1/ConnectApps/{Sid}/Tokens.json`) against the
    /// owner's account. Knowing it is no one's permission: the request is
    /// then refused to anyone but the owner, and a stranger learns nothing
    /// (401 either way).
    pub async fn owner_of(&self, app: &ConnectAppSid) -> DomainResult<Option<AccountSid>> {
        Ok(self
            .sb
            .store()
            .opt(connect_apps::by_sid(app))
            .await?
            .map(|a| a.account_sid))
    }

    /// One active grant of an app, named by its dedicated subaccount.
    pub async fn customer_grant(
        &self,
        access: &Access,
        app: &ConnectAppSid,
        subaccount: &AccountSid,
    ) -> DomainResult<AuthorizationRecord> {
        self.get(access.into(), app).await?;
        self.sb
            .store()
            .opt(authorizations::by_subaccount(subaccount))
            .await?
            .filter(|g| &g.connect_app_sid == app && g.is_active())
            .ok_or(DomainError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logos_are_recognised_by_content() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_image(b"GIF89a..."), Some("image/gif"));
        assert_eq!(
            sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff_image(b"<html>"), None);
        assert_eq!(sniff_image(b""), None);
    }
}
