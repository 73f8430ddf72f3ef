//! TwiML Applications (`/2010-04-01/Accounts/{Sid}/Applications`), reached
//! by [`Switchboard::applications`]: a set of voice and messaging URLs that a
//! call (`ApplicationSid`) or a number (`VoiceApplicationSid`,
//! `SmsApplicationSid`) uses instead of its own. An inbound message to a
//! number with an SMS application is answered at the application's
//! `SmsUrl` ([`Applications::sms_of_number_in`]); a call placed with an
//! `ApplicationSid` and no `Url` takes the application's `VoiceUrl`
//! ([`Applications::for_call`]).

use switchboard_store::Tx;
use switchboard_store::applications as store;
use switchboard_store::page::{Page, PageAt};
use switchboard_types::{AccountSid, ApplicationSid, HookMethod, PhoneNumberSid};

use crate::access::{Access, Reader, Resource};
use crate::audit;
use crate::error::{ApplicationField as F, DomainError, DomainResult, Field, Problem, invalid};
use crate::telephony::{method_param, url_param};
use crate::{Switchboard, validate};

pub use switchboard_store::applications::ApplicationRecord as Application;

/// Twilio's limit on an account's applications.
pub const MAX_APPLICATIONS: i64 = 1_000;
/// The API versions an application may start TwiML sessions with.
pub const API_VERSIONS: [&str; 2] = ["2010-04-01", "2008-08-01"];

/// Settings given for an application; `None` leaves a setting as it is (on
/// creation: Twilio's default). An empty URL clears it.
#[derive(Debug, Default, Clone)]
pub struct ApplicationFields {
    pub friendly_name: Option<String>,
    pub api_version: Option<String>,
    pub voice_url: Option<String>,
    pub voice_method: Option<String>,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<String>,
    pub voice_caller_id_lookup: Option<bool>,
    pub sms_url: Option<String>,
    pub sms_method: Option<String>,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: Option<String>,
    pub sms_status_callback: Option<String>,
    pub message_status_callback: Option<String>,
    pub public_application_connect_enabled: Option<bool>,
}

impl ApplicationFields {
    fn apply(&self, a: &mut Application) -> DomainResult<()> {
        if let Some(v) = &self.friendly_name {
            a.friendly_name = match v.trim() {
                "" => None,
                _ => Some(validate::friendly_name(F::Name, v)?),
            };
        }
        if let Some(v) = &self.api_version {
            let v = v.trim();
            if !v.is_empty() {
                if !API_VERSIONS.contains(&v) {
                    return Err(invalid(
                        F::ApiVersion,
                        Problem::NotOneOf {
                            allowed: API_VERSIONS.to_vec(),
                            given: v.to_owned(),
                        },
                    ));
                }
                a.api_version = v.to_owned();
            }
        }
        let urls = [
            (F::VoiceUrl, &self.voice_url, &mut a.voice_url),
            (
                F::VoiceFallbackUrl,
                &self.voice_fallback_url,
                &mut a.voice_fallback_url,
            ),
            (
                F::StatusCallback,
                &self.status_callback,
                &mut a.status_callback,
            ),
            (F::SmsUrl, &self.sms_url, &mut a.sms_url),
            (
                F::SmsFallbackUrl,
                &self.sms_fallback_url,
                &mut a.sms_fallback_url,
            ),
            (
                F::SmsStatusCallback,
                &self.sms_status_callback,
                &mut a.sms_status_callback,
            ),
            (
                F::MessageStatusCallback,
                &self.message_status_callback,
                &mut a.message_status_callback,
            ),
        ];
        for (setting, value, field) in urls {
            if let Some(v) = value {
                *field = url_param(setting, Some(v))?;
            }
        }
        let methods = [
            (F::VoiceMethod, &self.voice_method, &mut a.voice_method),
            (
                F::VoiceFallbackMethod,
                &self.voice_fallback_method,
                &mut a.voice_fallback_method,
            ),
            (
                F::StatusCallbackMethod,
                &self.status_callback_method,
                &mut a.status_callback_method,
            ),
            (F::SmsMethod, &self.sms_method, &mut a.sms_method),
            (
                F::SmsFallbackMethod,
                &self.sms_fallback_method,
                &mut a.sms_fallback_method,
            ),
        ];
        for (setting, value, field) in methods {
            if value.is_some() {
                *field = method_param(setting, value.as_deref(), *field)?;
            }
        }
        if let Some(v) = self.voice_caller_id_lookup {
            a.voice_caller_id_lookup = v;
        }
        if let Some(v) = self.public_application_connect_enabled {
            a.public_application_connect_enabled = v;
        }
        Ok(())
    }
}

impl Switchboard {
    /// TwiML Applications, in the account an access names.
    pub fn applications(&self) -> Applications<'_> {
        Applications { sb: self }
    }
}

/// The TwiML Applications of the account an access names
/// (`Resource::Applications`).
pub struct Applications<'a> {
    sb: &'a Switchboard,
}

/// What an audit entry says about an application.
fn described(a: &Application) -> String {
    a.friendly_name.clone().unwrap_or_default()
}

impl Applications<'_> {
    /// Creates an application with Twilio's defaults for what `fields`
    /// leaves out.
    pub async fn create(
        &self,
        access: &Access,
        fields: &ApplicationFields,
    ) -> DomainResult<Application> {
        let (account, log) = access.write_target(Resource::Applications)?;
        let now = self.sb.now_for(access).await?;
        let mut app = Application {
            sid: ApplicationSid::generate(),
            account_sid: account.clone(),
            friendly_name: None,
            api_version: API_VERSIONS[0].to_owned(),
            voice_url: None,
            voice_method: HookMethod::Post,
            voice_fallback_url: None,
            voice_fallback_method: HookMethod::Post,
            status_callback: None,
            status_callback_method: HookMethod::Post,
            voice_caller_id_lookup: false,
            sms_url: None,
            sms_method: HookMethod::Post,
            sms_fallback_url: None,
            sms_fallback_method: HookMethod::Post,
            sms_status_callback: None,
            message_status_callback: None,
            public_application_connect_enabled: true,
            date_created: now,
            date_updated: now,
        };
        fields.apply(&mut app)?;
        let mut tx = self.sb.store().begin().await?;
        if tx.one(store::count(account)).await? >= MAX_APPLICATIONS {
            return Err(invalid(
                F::Name,
                Problem::TooMany {
                    max: MAX_APPLICATIONS as usize,
                },
            ));
        }
        tx.run(store::insert(&app)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "application.create",
            &app.sid,
            described(&app),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(account = %account, application = %app.sid, "created an application");
        Ok(app)
    }

    /// The applications of the account, oldest first, optionally only those
    /// of one friendly name (authorised and read in one round trip for an
    /// API request).
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        friendly_name: Option<&'a str>,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<Application>> {
        self.sb
            .read_page(reader, Resource::Applications, |account| {
                store::list(account, friendly_name, at, size)
            })
            .await
    }

    /// One application of the account; anyone else's is not found.
    pub async fn get<'a>(
        &self,
        reader: Reader<'a>,
        sid: &'a ApplicationSid,
    ) -> DomainResult<Application> {
        self.sb
            .read_one(reader, Resource::Applications, |account| {
                store::of_account(account, sid)
            })
            .await
    }

    pub async fn update(
        &self,
        access: &Access,
        sid: &ApplicationSid,
        fields: &ApplicationFields,
    ) -> DomainResult<Application> {
        let (account, log) = access.write_target(Resource::Applications)?;
        let mut tx = self.sb.store().begin().await?;
        let mut app = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        fields.apply(&mut app)?;
        app.date_updated = self.sb.now_for(access).await?;
        tx.run(store::update(&app)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "application.update",
            sid,
            described(&app),
        )
        .await?;
        tx.commit().await?;
        Ok(app)
    }

    /// Deletes an application. Numbers that used it stop using it (their
    /// `VoiceApplicationSid`/`SmsApplicationSid` become `null`, and they fall
    /// back to their own URLs); calls placed with it keep its SID.
    pub async fn delete(&self, access: &Access, sid: &ApplicationSid) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::Applications)?;
        let mut tx = self.sb.store().begin().await?;
        let app = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        let now = self.sb.now_for(access).await?;
        let released = tx.run(store::release_numbers(sid, now)).await?;
        tx.run(store::delete(account, sid)).await?;
        let mut detail = described(&app);
        if released > 0 {
            detail = format!("{detail} (cleared from {released} number(s))");
        }
        audit::record_resource_change(&mut tx, access, log, "application.delete", sid, detail)
            .await?;
        tx.commit().await?;
        tracing::info!(application = %sid, "deleted an application");
        Ok(())
    }

    /// The application a number's `VoiceApplicationSid` or
    /// `SmsApplicationSid` names, inside the transaction that changes the
    /// number: it must be one of the number's account (`field` is the
    /// setting that named it).
    pub(crate) async fn for_number_in(
        tx: &mut Tx,
        account: &AccountSid,
        sid: &ApplicationSid,
        field: impl Into<Field>,
    ) -> DomainResult<Application> {
        tx.opt(store::of_account(account, sid))
            .await?
            .ok_or_else(|| unknown(field, sid, account))
    }

    /// The application a call's `ApplicationSid` names: one of the calling
    /// account's.
    pub(crate) async fn for_call(
        &self,
        account: &AccountSid,
        sid: &ApplicationSid,
    ) -> DomainResult<Application> {
        self.sb
            .store()
            .opt(store::of_account(account, sid))
            .await?
            .ok_or_else(|| unknown(crate::error::CallField::Application, sid, account))
    }

    /// The SMS application of a receiving number, if it has one: for routing
    /// an inbound message, which no one's access asks for (the number was
    /// already found by the message's `To`).
    pub(crate) async fn sms_of_number_in(
        tx: &mut Tx,
        number: &PhoneNumberSid,
    ) -> DomainResult<Option<Application>> {
        Ok(tx.opt(store::sms_of_number(number)).await?)
    }
}

/// `sid` names no application of `account`.
fn unknown(field: impl Into<Field>, sid: &ApplicationSid, account: &AccountSid) -> DomainError {
    invalid(
        field,
        Problem::UnknownApplication {
            application: sid.clone(),
            account: account.clone(),
        },
    )
}
