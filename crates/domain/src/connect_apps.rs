//! Connect Apps: created by Full main accounts, with the settings of Twilio's
//! "Connect App configuration options" and a logo.

use switchboard_store::connect_apps::{self, ConnectAppRecord};
use switchboard_store::page::{Page, PageAt};
use switchboard_types::{AccountSid, AccountType, ConnectAppSid, Permissions, Timestamp};

use crate::access::{Access, ApiRequest};
use crate::audit::{self, Event};
use crate::error::{DomainError, DomainResult};
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
}

/// An optional URL setting: empty clears it.
fn optional_url(param: &'static str, value: &str) -> DomainResult<Option<String>> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        validate::absolute_url(param, value).map(Some)
    }
}

fn optional_text(param: &'static str, value: &str, max: usize) -> DomainResult<Option<String>> {
    let text = validate::text(param, value, max)?;
    Ok((!text.is_empty()).then_some(text))
}

impl ConnectAppFields {
    /// Applies the fields to `app`, validating each.
    fn apply(&self, app: &mut ConnectAppRecord) -> DomainResult<()> {
        if let Some(v) = &self.friendly_name {
            app.friendly_name = validate::friendly_name("FriendlyName", v)?;
        }
        if let Some(v) = &self.company_name {
            app.company_name = optional_text("CompanyName", v, MAX_COMPANY_NAME)?;
        }
        if let Some(v) = &self.description {
            app.description = optional_text("Description", v, MAX_DESCRIPTION)?;
        }
        if let Some(v) = &self.homepage_url {
            app.homepage_url = optional_url("HomepageUrl", v)?;
        }
        if let Some(v) = &self.terms_of_service_url {
            app.terms_of_service_url = optional_url("TermsOfServiceUrl", v)?;
        }
        if let Some(v) = &self.authorize_redirect_url {
            app.authorize_redirect_url = optional_url("AuthorizeRedirectUrl", v)?;
        }
        if let Some(v) = &self.deauthorize_callback_url {
            app.deauthorize_callback_url = optional_url("DeauthorizeCallbackUrl", v)?;
        }
        if let Some(v) = &self.deauthorize_callback_method {
            app.deauthorize_callback_method =
                validate::http_method("DeauthorizeCallbackMethod", v)?;
        }
        if let Some(p) = self.permissions {
            app.permissions = p;
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
    /// Creates an app owned by `account`, which must be a Full main account. Used
    /// by the API (after authorisation), the console and the CLI.
    pub async fn create_connect_app_for(
        &self,
        account: &AccountSid,
        fields: &ConnectAppFields,
        actor: &str,
    ) -> DomainResult<ConnectAppRecord> {
        if fields
            .friendly_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            return Err(DomainError::invalid(
                "FriendlyName",
                "FriendlyName is required",
            ));
        }
        if fields
            .company_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            return Err(DomainError::invalid(
                "CompanyName",
                "CompanyName is required",
            ));
        }
        let now = Timestamp::now();
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
            has_logo: false,
            date_created: now,
            date_updated: now,
        };
        fields.apply(&mut app)?;
        let mut tx = self.store().begin().await?;
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
        audit::record(
            &mut tx,
            Event {
                account,
                actor,
                action: "connect_app.create",
                app: Some(&app.sid),
                subject: None,
                permissions: Some(app.permissions),
                detail: Some(app.friendly_name.clone()),
                ip: None,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(app = %app.sid, account = %account, "created Connect App");
        Ok(app)
    }

    /// `POST …/ConnectApps.json` (a Switchboard extension: Twilio only creates apps
    /// in its console).
    pub async fn api_create_connect_app(
        &self,
        access: &Access,
        fields: &ConnectAppFields,
    ) -> DomainResult<ConnectAppRecord> {
        let account = access.target_account()?.sid.clone();
        self.create_connect_app_for(&account, fields, &api_actor(access))
            .await
    }

    /// `GET …/ConnectApps.json`, authorised and read in one round trip.
    pub async fn list_connect_apps(
        &self,
        request: &ApiRequest<'_>,
        account: &AccountSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<ConnectAppRecord>> {
        let (query, shape) = connect_apps::list(account, at, size);
        let (_, rows) = self.authorize_read(request, query).await?;
        Ok(shape.assemble(rows))
    }

    /// `GET …/ConnectApps/{Sid}.json`.
    pub async fn fetch_connect_app(
        &self,
        request: &ApiRequest<'_>,
        account: &AccountSid,
        sid: &ConnectAppSid,
    ) -> DomainResult<ConnectAppRecord> {
        let (_, mut rows) = self
            .authorize_read(request, connect_apps::of_account(account, sid))
            .await?;
        rows.pop().ok_or(DomainError::NotFound)
    }

    /// Changes an app of `account`; a change of permissions is audited (customers
    /// keep what they approved until they approve again).
    pub async fn update_connect_app_for(
        &self,
        account: &AccountSid,
        sid: &ConnectAppSid,
        fields: &ConnectAppFields,
        actor: &str,
    ) -> DomainResult<ConnectAppRecord> {
        let mut tx = self.store().begin().await?;
        let mut app = tx
            .opt(connect_apps::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        let before = app.permissions;
        fields.apply(&mut app)?;
        app.date_updated = Timestamp::now();
        tx.run(connect_apps::update(&app)).await?;
        if app.permissions != before {
            audit::record(
                &mut tx,
                Event {
                    account,
                    actor,
                    action: "connect_app.permissions_changed",
                    app: Some(sid),
                    subject: None,
                    permissions: Some(app.permissions),
                    detail: Some(format!("from [{before}] to [{}]", app.permissions)),
                    ip: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(app)
    }

    pub async fn api_update_connect_app(
        &self,
        access: &Access,
        sid: &ConnectAppSid,
        fields: &ConnectAppFields,
    ) -> DomainResult<ConnectAppRecord> {
        let account = access.target_account()?.sid.clone();
        self.update_connect_app_for(&account, sid, fields, &api_actor(access))
            .await
    }

    /// Deletes an app of `account`. Its grants stop working with this commit (the
    /// grant check joins the app).
    pub async fn delete_connect_app_for(
        &self,
        account: &AccountSid,
        sid: &ConnectAppSid,
        actor: &str,
    ) -> DomainResult<()> {
        let mut tx = self.store().begin().await?;
        let app = tx
            .opt(connect_apps::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        self.revoke_all_grants_of(&mut tx, &app, actor).await?;
        tx.run(connect_apps::delete(sid)).await?;
        audit::record(
            &mut tx,
            Event {
                account,
                actor,
                action: "connect_app.delete",
                app: Some(sid),
                subject: None,
                permissions: None,
                detail: Some(app.friendly_name.clone()),
                ip: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.wake_deliveries();
        tracing::info!(app = %sid, "deleted Connect App");
        Ok(())
    }

    pub async fn api_delete_connect_app(
        &self,
        access: &Access,
        sid: &ConnectAppSid,
    ) -> DomainResult<()> {
        let account = access.target_account()?.sid.clone();
        self.delete_connect_app_for(&account, sid, &api_actor(access))
            .await
    }

    /// Sets or (with `None`) removes the logo of an app of `account`.
    pub async fn set_connect_app_logo_for(
        &self,
        account: &AccountSid,
        sid: &ConnectAppSid,
        image: Option<&[u8]>,
    ) -> DomainResult<ConnectAppRecord> {
        let content_type = match image {
            None => None,
            Some(bytes) if bytes.len() > MAX_LOGO_BYTES => {
                return Err(DomainError::invalid(
                    "Logo",
                    format!("The logo must be at most {} KB", MAX_LOGO_BYTES / 1024),
                ));
            }
            Some(bytes) => Some(sniff_image(bytes).ok_or_else(|| {
                DomainError::invalid("Logo", "The logo must be a PNG, JPEG, GIF or WebP image")
            })?),
        };
        let mut tx = self.store().begin().await?;
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
        let app = tx.one(connect_apps::by_sid(sid)).await?;
        tx.commit().await?;
        Ok(app)
    }

    pub async fn api_set_connect_app_logo(
        &self,
        access: &Access,
        sid: &ConnectAppSid,
        image: Option<&[u8]>,
    ) -> DomainResult<ConnectAppRecord> {
        let account = access.target_account()?.sid.clone();
        self.set_connect_app_logo_for(&account, sid, image).await
    }

    /// The logo of any app (it is shown to everyone the app asks for consent).
    pub async fn connect_app_logo(&self, sid: &ConnectAppSid) -> DomainResult<(String, Vec<u8>)> {
        self.store()
            .opt(connect_apps::logo(sid))
            .await?
            .flatten()
            .ok_or(DomainError::NotFound)
    }

    /// An app by SID alone: the consent page's view of it.
    pub async fn connect_app(&self, sid: &ConnectAppSid) -> DomainResult<ConnectAppRecord> {
        self.store()
            .opt(connect_apps::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Operator and console: the apps of `account`.
    pub async fn connect_apps_of(
        &self,
        account: &AccountSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<ConnectAppRecord>> {
        let (query, shape) = connect_apps::list(account, at, size);
        Ok(shape.assemble(self.store().all(query).await?))
    }
}

/// How an API caller appears in the audit log.
pub(crate) fn api_actor(access: &Access) -> String {
    format!("api:{}", access.principal().username())
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
