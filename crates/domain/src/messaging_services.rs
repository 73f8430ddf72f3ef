//! Messaging Services: a pool of an account's numbers with shared settings
//! (`/v1/Services` on Twilio's messaging host), reached by
//! [`Switchboard::messaging_services`]. Sending through one picks a sender
//! from its pool ([`MessagingServices::pick_sender`]); an inbound message to a
//! pooled number goes to the service's webhook unless it defers to the
//! number's ([`MessagingServices::service_of_number`]).

use rand::seq::IndexedRandom;
use switchboard_store::messaging_services::{self as store, PoolNumberRecord};
use switchboard_store::page::{Page, PageAt};
use switchboard_store::{StoreError, phone_numbers};
use switchboard_types::{AccountSid, HookMethod, MessagingServiceSid, PhoneNumberSid, Timestamp};

use crate::access::{Access, Reader, Resource};
use crate::audit;
use crate::error::{DomainError, DomainResult, MessageField, Problem, ServiceField, invalid};
use crate::telephony::{method_param, url_param};
use crate::{Switchboard, validate};

pub use switchboard_store::messaging_services::MessagingServiceRecord as MessagingService;

/// A number of a service's sender pool, as the API shows it.
pub type ServicePhoneNumber = PoolNumberRecord;

/// Twilio's codes for Messaging Services.
/// Twilio's limit on a pool's size.
pub const MAX_POOL: usize = 400;
/// Twilio's bounds on `ValidityPeriod`, in seconds.
pub const VALIDITY_PERIOD: std::ops::RangeInclusive<i64> = 1..=36_000;
pub const USECASES: [&str; 6] = [
    "notifications",
    "marketing",
    "verification",
    "discussion",
    "poll",
    "undeclared",
];
pub const SCAN_MESSAGE_CONTENT: [&str; 3] = ["inherit", "enable", "disable"];

/// Settings given for a service; `None` leaves a setting as it is (on
/// creation: Twilio's default). An empty URL clears it.
#[derive(Debug, Default, Clone)]
pub struct ServiceFields {
    pub friendly_name: Option<String>,
    pub inbound_request_url: Option<String>,
    pub inbound_method: Option<String>,
    pub fallback_url: Option<String>,
    pub fallback_method: Option<String>,
    pub status_callback: Option<String>,
    pub sticky_sender: Option<bool>,
    pub mms_converter: Option<bool>,
    pub smart_encoding: Option<bool>,
    pub scan_message_content: Option<String>,
    pub fallback_to_long_code: Option<bool>,
    pub area_code_geomatch: Option<bool>,
    pub validity_period: Option<i64>,
    pub synchronous_validation: Option<bool>,
    pub usecase: Option<String>,
    pub use_inbound_webhook_on_number: Option<bool>,
}

fn one_of(field: ServiceField, value: &str, allowed: &[&'static str]) -> DomainResult<String> {
    let lower = value.trim().to_ascii_lowercase();
    if allowed.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(invalid(
            field,
            Problem::NotOneOf {
                allowed: allowed.to_vec(),
                given: value.to_owned(),
            },
        ))
    }
}

fn method(field: ServiceField, value: &str) -> DomainResult<HookMethod> {
    method_param(field, Some(value), HookMethod::Post)
}

impl ServiceFields {
    fn apply(&self, s: &mut MessagingService) -> DomainResult<()> {
        if let Some(v) = &self.friendly_name {
            s.friendly_name = validate::friendly_name(ServiceField::Name, v)?;
        }
        if let Some(v) = &self.inbound_request_url {
            s.inbound_request_url = url_param(ServiceField::InboundRequestUrl, Some(v))?;
        }
        if let Some(v) = &self.inbound_method {
            s.inbound_method = method(ServiceField::InboundMethod, v)?;
        }
        if let Some(v) = &self.fallback_url {
            s.fallback_url = url_param(ServiceField::FallbackUrl, Some(v))?;
        }
        if let Some(v) = &self.fallback_method {
            s.fallback_method = method(ServiceField::FallbackMethod, v)?;
        }
        if let Some(v) = &self.status_callback {
            s.status_callback = url_param(ServiceField::StatusCallback, Some(v))?;
        }
        if let Some(v) = &self.scan_message_content {
            s.scan_message_content =
                one_of(ServiceField::ScanMessageContent, v, &SCAN_MESSAGE_CONTENT)?;
        }
        if let Some(v) = &self.usecase {
            s.usecase = one_of(ServiceField::Usecase, v, &USECASES)?;
        }
        if let Some(v) = self.validity_period {
            if !VALIDITY_PERIOD.contains(&v) {
                return Err(invalid(
                    ServiceField::ValidityPeriod,
                    Problem::OutOfRange {
                        min: *VALIDITY_PERIOD.start(),
                        max: *VALIDITY_PERIOD.end(),
                    },
                ));
            }
            s.validity_period = v;
        }
        let flags = [
            (self.sticky_sender, &mut s.sticky_sender),
            (self.mms_converter, &mut s.mms_converter),
            (self.smart_encoding, &mut s.smart_encoding),
            (self.fallback_to_long_code, &mut s.fallback_to_long_code),
            (self.area_code_geomatch, &mut s.area_code_geomatch),
            (self.synchronous_validation, &mut s.synchronous_validation),
            (
                self.use_inbound_webhook_on_number,
                &mut s.use_inbound_webhook_on_number,
            ),
        ];
        for (value, field) in flags {
            if let Some(v) = value {
                *field = v;
            }
        }
        Ok(())
    }
}

impl Switchboard {
    /// Messaging Services, in the account the credentials name.
    pub fn messaging_services(&self) -> MessagingServices<'_> {
        MessagingServices { sb: self }
    }
}

/// The Messaging Services of the account an access names
/// (`Resource::MessagingServices`).
pub struct MessagingServices<'a> {
    sb: &'a Switchboard,
}

impl MessagingServices<'_> {
    /// Creates a service with Twilio's defaults for what `fields` leaves out.
    pub async fn create(
        &self,
        access: &Access,
        fields: &ServiceFields,
    ) -> DomainResult<MessagingService> {
        let (account, log) = access.write_target(Resource::MessagingServices)?;
        if fields
            .friendly_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
        {
            return Err(invalid(ServiceField::Name, Problem::Missing));
        }
        let now = self.sb.now_for(access).await?;
        let mut service = MessagingService {
            sid: MessagingServiceSid::generate(),
            account_sid: account.clone(),
            friendly_name: String::new(),
            inbound_request_url: None,
            inbound_method: HookMethod::Post,
            fallback_url: None,
            fallback_method: HookMethod::Post,
            status_callback: None,
            sticky_sender: true,
            mms_converter: true,
            smart_encoding: true,
            scan_message_content: "inherit".to_owned(),
            fallback_to_long_code: false,
            area_code_geomatch: true,
            validity_period: *VALIDITY_PERIOD.end(),
            synchronous_validation: true,
            usecase: "undeclared".to_owned(),
            use_inbound_webhook_on_number: false,
            date_created: now,
            date_updated: now,
        };
        fields.apply(&mut service)?;
        let mut tx = self.sb.store().begin().await?;
        tx.run(store::insert(&service)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "messaging_service.create",
            service.sid.as_str(),
            service.friendly_name.clone(),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(account = %account, service = %service.sid, "created Messaging Service");
        Ok(service)
    }

    /// The services of the account, oldest first (authorised and read in one
    /// round trip for an API request).
    pub async fn list(
        &self,
        reader: Reader<'_>,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<MessagingService>> {
        self.sb
            .read_page(reader, Resource::MessagingServices, |account| {
                store::list(account, at, size)
            })
            .await
    }

    /// One service of the account; anyone else's is not found.
    pub async fn get(
        &self,
        reader: Reader<'_>,
        sid: &MessagingServiceSid,
    ) -> DomainResult<MessagingService> {
        self.sb
            .read_one(reader, Resource::MessagingServices, |account| {
                store::of_account(account, sid)
            })
            .await
    }

    pub async fn update(
        &self,
        access: &Access,
        sid: &MessagingServiceSid,
        fields: &ServiceFields,
    ) -> DomainResult<MessagingService> {
        let (account, log) = access.write_target(Resource::MessagingServices)?;
        let mut tx = self.sb.store().begin().await?;
        let mut service = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        fields.apply(&mut service)?;
        service.date_updated = self.sb.now_for(access).await?;
        tx.run(store::update(&service)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "messaging_service.update",
            sid.as_str(),
            service.friendly_name.clone(),
        )
        .await?;
        tx.commit().await?;
        Ok(service)
    }

    /// Deletes a service; its numbers leave the pool and stay the account's.
    /// Messages sent through it keep its SID.
    pub async fn delete(&self, access: &Access, sid: &MessagingServiceSid) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::MessagingServices)?;
        let mut tx = self.sb.store().begin().await?;
        let service = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        tx.run(store::delete(account, sid)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "messaging_service.delete",
            sid.as_str(),
            service.friendly_name,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(service = %sid, "deleted Messaging Service");
        Ok(())
    }

    /// Adds one of the account's numbers to a service's pool. A number is in
    /// at most one pool.
    pub async fn add_number(
        &self,
        access: &Access,
        service: &MessagingServiceSid,
        number: &PhoneNumberSid,
    ) -> DomainResult<ServicePhoneNumber> {
        let (account, log) = access.write_target(Resource::MessagingServices)?;
        let mut tx = self.sb.store().begin().await?;
        tx.opt(store::of_account(account, service))
            .await?
            .ok_or(DomainError::NotFound)?;
        let owned = tx
            .opt(phone_numbers::of_account(account, number))
            .await?
            .ok_or_else(|| {
                invalid(
                    ServiceField::Number,
                    Problem::NotOwned {
                        number: number.to_string(),
                        account: account.clone(),
                    },
                )
            })?;
        if !(owned.sms_capable || owned.mms_capable) {
            return Err(invalid(
                ServiceField::Number,
                Problem::NotMessagingCapable {
                    number: owned.phone_number,
                },
            ));
        }
        if let Some(current) = tx.opt(store::pool_of(number)).await? {
            return Err(in_pool_already(&current, service, number));
        }
        let pooled = tx.all(store::senders(service)).await?.len();
        if pooled >= MAX_POOL {
            return Err(invalid(
                ServiceField::Number,
                Problem::PoolFull { max: MAX_POOL },
            ));
        }
        match tx
            .run(store::add_number(service, number, Timestamp::now()))
            .await
        {
            Ok(_) => {}
            // Another request added it between the check and the insert.
            Err(StoreError::Conflict) => {
                return Err(invalid(
                    ServiceField::Number,
                    Problem::TakenMeanwhile {
                        number: number.to_string(),
                    },
                ));
            }
            Err(e) => return Err(e.into()),
        }
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "messaging_service.number_add",
            service.as_str(),
            format!("{} ({number})", owned.phone_number),
        )
        .await?;
        let added = tx.one(store::pool_number(account, service, number)).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// The numbers of a service's pool (a service that is not the account's:
    /// not found).
    pub async fn numbers(
        &self,
        reader: Reader<'_>,
        service: &MessagingServiceSid,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<ServicePhoneNumber>> {
        // The service itself first, so an unknown one is "not found" rather
        // than an empty list (this read is the authorisation).
        self.get(reader, service).await?;
        let account = self.sb.reader_account(reader).await?;
        let (query, shape) = store::pool(account, service, at, size);
        Ok(shape.assemble(self.sb.store().all(query).await?))
    }

    pub async fn number(
        &self,
        reader: Reader<'_>,
        service: &MessagingServiceSid,
        number: &PhoneNumberSid,
    ) -> DomainResult<ServicePhoneNumber> {
        self.sb
            .read_one(reader, Resource::MessagingServices, |account| {
                store::pool_number(account, service, number)
            })
            .await
    }

    /// Takes a number out of a service's pool; it stays the account's.
    pub async fn remove_number(
        &self,
        access: &Access,
        service: &MessagingServiceSid,
        number: &PhoneNumberSid,
    ) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::MessagingServices)?;
        let mut tx = self.sb.store().begin().await?;
        let pooled = tx
            .opt(store::pool_number(account, service, number))
            .await?
            .ok_or(DomainError::NotFound)?;
        tx.run(store::remove_number(service, number)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "messaging_service.number_remove",
            service.as_str(),
            format!("{} ({number})", pooled.phone_number),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The service whose pool holds a receiving number, if any, with its
    /// inbound settings (`inbound_request_url`, `inbound_method`,
    /// `fallback_url`, `fallback_method`, `use_inbound_webhook_on_number`).
    /// For routing an inbound message, which no one's access asks for: the
    /// number was already found by the message's `To`.
    pub async fn service_of_number(
        &self,
        number: &PhoneNumberSid,
    ) -> DomainResult<Option<MessagingService>> {
        Ok(self.sb.store().opt(store::of_number(number)).await?)
    }

    /// The same, inside a transaction the caller holds.
    pub async fn service_of_number_in(
        tx: &mut switchboard_store::Tx,
        number: &PhoneNumberSid,
    ) -> DomainResult<Option<MessagingService>> {
        Ok(tx.opt(store::of_number(number)).await?)
    }

    /// The sender for a message sent through a service to `to`: `from` when
    /// given (it must be in the pool), else the sender of the service's last
    /// message to `to` while it is still pooled (sticky sender), else any
    /// number of the pool. Also returns the service, for its defaults.
    pub(crate) async fn pick_sender(
        &self,
        account: &AccountSid,
        sid: &MessagingServiceSid,
        from: Option<&str>,
        to: &str,
    ) -> DomainResult<(MessagingService, String)> {
        let store = self.sb.store();
        let service = store
            .opt(store::of_account(account, sid))
            .await?
            .ok_or_else(|| {
                invalid(
                    MessageField::Service,
                    Problem::UnknownService {
                        service: sid.clone(),
                    },
                )
            })?;
        let senders = store.all(store::senders(sid)).await?;
        if let Some(from) = from {
            if !senders.iter().any(|s| s == from) {
                return Err(invalid(
                    MessageField::From,
                    Problem::NotInService {
                        number: from.to_owned(),
                        service: sid.clone(),
                    },
                ));
            }
            return Ok((service, from.to_owned()));
        }
        if senders.is_empty() {
            return Err(invalid(
                MessageField::Service,
                Problem::NoSenders {
                    service: sid.clone(),
                },
            ));
        }
        if service.sticky_sender
            && let Some(last) = store.opt(store::last_sender(sid, to)).await?
            && senders.contains(&last)
        {
            return Ok((service, last));
        }
        let pick = senders
            .choose(&mut rand::rng())
            .cloned()
            .unwrap_or_default();
        Ok((service, pick))
    }
}

fn in_pool_already(
    current: &MessagingServiceSid,
    service: &MessagingServiceSid,
    number: &PhoneNumberSid,
) -> DomainError {
    let number = number.to_string();
    let problem = if current == service {
        Problem::AlreadyInService { number }
    } else {
        Problem::InAnotherService { number }
    };
    invalid(ServiceField::Number, problem)
}
