//! Connect Apps: created by Full main accounts, with the settings of Twilio's
//! "Connect App configuration options" and a logo ([`ConnectApps`], reached by
//! [`Switchboard::connect_apps`]).

use switchboard_store::authorizations::{self, AuthorizationRecord};
use switchboard_store::connect_apps::{self, ConnectAppRecord};
use switchboard_store::page::{Page, PageAt};
use switchboard_types::{AccountSid, AccountType, ConnectAppSid, Permissions, Timestamp};

use crate::access::{Access, Action, Reader, Resource};
use crate::audit::{self, Change};
use crate::error::{AppField, DomainError, DomainResult, Problem, invalid};
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
    /// Applies the fields to `app`, validating each.
    fn apply(&self, app: &mut ConnectAppRecord) -> DomainResult<()> {
        if let Some(v) = &self.friendly_name {
            app.friendly_name = validate::friendly_name(AppField::Name, v)?;
        }
        if let Some(v) = &self.company_name {
            app.company_name = optional_text(AppField::CompanyName, v, MAX_COMPANY_NAME)?;
        }
        if let Some(v) = &self.description {
            app.description = optional_text(AppField::Description, v, MAX_DESCRIPTION)?;
        }
        if let Some(v) = &self.homepage_url {
            app.homepage_url = optional_url(AppField::HomepageUrl, v)?;
        }
        if let Some(v) = &self.terms_of_service_url {
            app.terms_of_service_url = optional_url(AppField::TermsOfServiceUrl, v)?;
        }
        if let Some(v) = &self.authorize_redirect_url {
            app.authorize_redirect_url = optional_url(AppField::AuthorizeRedirectUrl, v)?;
        }
        if let Some(v) = &self.deauthorize_callback_url {
            app.deauthorize_callback_url = optional_url(AppField::DeauthorizeCallbackUrl, v)?;
        }
        if let Some(v) = &self.deauthorize_callback_method {
            app.deauthorize_callback_method =
                validate::http_method(AppField::DeauthorizeCallbackMethod, v)?;
        }
        if let Some(p) = self.permissions {
            app.permissions = p;
        }
        if let Some(sign) = self.sign_redirects {
            app.sign_redirects = sign;
        }
        Ok(())
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
        if fields
            .friendly_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            return Err(invalid(AppField::Name, Problem::Missing));
        }
        if fields
            .company_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            return Err(invalid(AppField::CompanyName, Problem::Missing));
        }
        let now = self.sb.now_for(access).await?;
        let mut app = ConnectAppRecord {
            sid: ConnectAppSid::generate(),
            account_sid: account.clone(),
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
            has_logo: false,
            date_created: now,
            date_updated: now,
        };
        fields.apply(&mut app)?;
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
        fields.apply(&mut app)?;
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
