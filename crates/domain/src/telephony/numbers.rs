//! Phone numbers: searching the inventory (`AvailablePhoneNumbers`) and buying,
//! configuring and releasing numbers (`IncomingPhoneNumbers`).

use switchboard_store::StoreError;
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_store::phone_numbers::{self, NumberHooks, PhoneNumberRecord};
use switchboard_telephony::inventory::{
    self, AvailableNumber, Capabilities, Country, NumberType, Search,
};
use switchboard_telephony::magic;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{
    AccountSid, AddressRequirement, AddressSid, ApplicationSid, HookMethod, PhoneNumberSid,
    SandboxSid, Timestamp, UsageCategory,
};

use super::addresses;
use super::billing::{self, Cost};
use super::{method_param, url_param};
use crate::Switchboard;
use crate::access::{Access, ApiRequest, Reader, Resource};
use crate::applications::Applications;
use crate::error::{DomainError, DomainResult, NumberField, Problem, invalid};

pub use switchboard_store::phone_numbers::NumberFilter;

/// A number an account bought (Twilio's `IncomingPhoneNumber`), as the API
/// shows it: without its renewal schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingPhoneNumber {
    pub sid: PhoneNumberSid,
    pub account_sid: AccountSid,
    /// E.164.
    pub phone_number: String,
    pub friendly_name: String,
    pub number_type: NumberType,
    pub iso_country: String,
    pub capabilities: Capabilities,
    pub hooks: Webhooks,
    /// Whether the number's country requires an address on file.
    pub address_requirements: AddressRequirement,
    /// The address it was bought (or updated) with.
    pub address_sid: Option<AddressSid>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

/// Where a number sends its webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhooks {
    pub voice_url: Option<String>,
    pub voice_method: HookMethod,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: HookMethod,
    pub sms_url: Option<String>,
    pub sms_method: HookMethod,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: HookMethod,
    pub status_callback: Option<String>,
    pub status_callback_method: HookMethod,
    /// The application whose voice URLs the number uses instead of its own.
    pub voice_application_sid: Option<ApplicationSid>,
    /// The application whose messaging URLs the number uses instead of its
    /// own.
    pub sms_application_sid: Option<ApplicationSid>,
}

impl From<PhoneNumberRecord> for IncomingPhoneNumber {
    fn from(n: PhoneNumberRecord) -> Self {
        let h = n.hooks;
        IncomingPhoneNumber {
            sid: n.sid,
            account_sid: n.account_sid,
            phone_number: n.phone_number,
            friendly_name: n.friendly_name,
            number_type: n.number_type,
            iso_country: n.iso_country,
            capabilities: Capabilities {
                voice: n.voice_capable,
                sms: n.sms_capable,
                mms: n.mms_capable,
                fax: n.fax_capable,
            },
            hooks: Webhooks {
                voice_url: h.voice_url,
                voice_method: h.voice_method,
                voice_fallback_url: h.voice_fallback_url,
                voice_fallback_method: h.voice_fallback_method,
                sms_url: h.sms_url,
                sms_method: h.sms_method,
                sms_fallback_url: h.sms_fallback_url,
                sms_fallback_method: h.sms_fallback_method,
                status_callback: h.status_callback,
                status_callback_method: h.status_callback_method,
                voice_application_sid: h.voice_application_sid,
                sms_application_sid: h.sms_application_sid,
            },
            address_requirements: n.address_requirements,
            address_sid: n.address_sid,
            date_created: n.date_created,
            date_updated: n.date_updated,
        }
    }
}

/// Numbers are listed oldest first by purchase, as their rows are.
impl Keyed for IncomingPhoneNumber {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

/// Twilio's codes for buying numbers.
/// How many inventory numbers are checked against the store per round trip.
const CANDIDATE_BATCH: usize = 200;

/// What a buy or an update may set. `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct NumberSettings {
    pub friendly_name: Option<String>,
    pub voice_url: Option<String>,
    pub voice_method: Option<String>,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: Option<String>,
    pub sms_url: Option<String>,
    pub sms_method: Option<String>,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<String>,
    /// `Some(None)` stops using an application.
    pub voice_application_sid: Option<Option<ApplicationSid>>,
    pub sms_application_sid: Option<Option<ApplicationSid>>,
    /// The address the number is bought or kept with (`AddressSid`): one of
    /// the account's, meeting the number's `address_requirements`;
    /// `Some(None)` stops using one, which a number that requires one may
    /// not.
    pub address_sid: Option<Option<AddressSid>>,
}

impl NumberSettings {
    /// Validates and applies the settings given; an empty URL clears one.
    fn apply(&self, n: &mut PhoneNumberRecord) -> DomainResult<()> {
        if let Some(name) = &self.friendly_name {
            n.friendly_name = crate::validate::text(NumberField::Name, name, 64)?;
        }
        let h = &mut n.hooks;
        let url = |field: NumberField, value: &Option<String>, current: &mut Option<String>| {
            if value.is_some() {
                *current = url_param(field, value.as_deref())?;
            }
            Ok::<_, DomainError>(())
        };
        url(NumberField::VoiceUrl, &self.voice_url, &mut h.voice_url)?;
        url(
            NumberField::VoiceFallbackUrl,
            &self.voice_fallback_url,
            &mut h.voice_fallback_url,
        )?;
        url(NumberField::SmsUrl, &self.sms_url, &mut h.sms_url)?;
        url(
            NumberField::SmsFallbackUrl,
            &self.sms_fallback_url,
            &mut h.sms_fallback_url,
        )?;
        url(
            NumberField::StatusCallback,
            &self.status_callback,
            &mut h.status_callback,
        )?;
        let method = |field: NumberField, value: &Option<String>, current: &mut HookMethod| {
            if value.is_some() {
                *current = method_param(field, value.as_deref(), *current)?;
            }
            Ok::<_, DomainError>(())
        };
        method(
            NumberField::VoiceMethod,
            &self.voice_method,
            &mut h.voice_method,
        )?;
        method(
            NumberField::VoiceFallbackMethod,
            &self.voice_fallback_method,
            &mut h.voice_fallback_method,
        )?;
        method(NumberField::SmsMethod, &self.sms_method, &mut h.sms_method)?;
        method(
            NumberField::SmsFallbackMethod,
            &self.sms_fallback_method,
            &mut h.sms_fallback_method,
        )?;
        method(
            NumberField::StatusCallbackMethod,
            &self.status_callback_method,
            &mut h.status_callback_method,
        )?;
        if let Some(v) = &self.voice_application_sid {
            h.voice_application_sid = v.clone();
        }
        if let Some(v) = &self.sms_application_sid {
            h.sms_application_sid = v.clone();
        }
        Ok(())
    }

    /// The applications the settings name must be the number's account's;
    /// checked inside the transaction that writes the number, so a deleted
    /// one cannot slip in.
    async fn check_applications(
        &self,
        tx: &mut switchboard_store::Tx,
        account: &AccountSid,
    ) -> DomainResult<()> {
        let named = [
            (NumberField::VoiceApplication, &self.voice_application_sid),
            (NumberField::SmsApplication, &self.sms_application_sid),
        ];
        for (field, sid) in named {
            if let Some(Some(sid)) = sid {
                Applications::for_number_in(tx, account, sid, field).await?;
            }
        }
        Ok(())
    }
}

/// A purchase: one of `PhoneNumber` or `AreaCode`.
#[derive(Debug, Clone, Default)]
pub struct Purchase {
    pub phone_number: Option<String>,
    pub area_code: Option<String>,
    /// Set when bought through `…/IncomingPhoneNumbers/Local.json` and friends.
    pub number_type: Option<NumberType>,
    pub settings: NumberSettings,
}

fn record_for(
    account: &AccountSid,
    n: &AvailableNumber,
    now: Timestamp,
    renews_at: Timestamp,
) -> PhoneNumberRecord {
    PhoneNumberRecord {
        sid: PhoneNumberSid::generate(),
        account_sid: account.clone(),
        phone_number: n.phone_number.as_str().to_owned(),
        friendly_name: n.friendly_name.clone(),
        number_type: n.number_type,
        iso_country: n.iso_country.iso().to_owned(),
        voice_capable: n.capabilities.voice,
        sms_capable: n.capabilities.sms,
        mms_capable: n.capabilities.mms,
        fax_capable: n.capabilities.fax,
        hooks: NumberHooks {
            voice_url: None,
            voice_method: HookMethod::Post,
            voice_fallback_url: None,
            voice_fallback_method: HookMethod::Post,
            sms_url: None,
            sms_method: HookMethod::Post,
            sms_fallback_url: None,
            sms_fallback_method: HookMethod::Post,
            status_callback: None,
            status_callback_method: HookMethod::Post,
            voice_application_sid: None,
            sms_application_sid: None,
        },
        address_requirements: n.address_requirements,
        address_sid: None,
        renews_at,
        date_created: now,
        date_updated: now,
    }
}

fn not_available(number: &str) -> DomainError {
    invalid(
        NumberField::Number,
        Problem::Unavailable {
            number: number.to_owned(),
        },
    )
}

impl Switchboard {
    /// Numbers for sale matching `search`, first `limit` of them, skipping those
    /// already bought.
    pub async fn available_numbers(
        &self,
        request: &ApiRequest<'_>,
        search: &Search,
        limit: usize,
    ) -> DomainResult<Vec<AvailableNumber>> {
        let access = self.authorize(request).await?;
        let world = access.target_account()?.sandbox_sid.as_ref();
        self.unsold(world, inventory::search(search), limit).await
    }

    /// Numbers of `candidates` nobody in `world` has bought.
    async fn unsold(
        &self,
        world: Option<&SandboxSid>,
        mut candidates: impl Iterator<Item = AvailableNumber>,
        limit: usize,
    ) -> DomainResult<Vec<AvailableNumber>> {
        let mut found = Vec::new();
        while found.len() < limit {
            let batch: Vec<AvailableNumber> = candidates.by_ref().take(CANDIDATE_BATCH).collect();
            if batch.is_empty() {
                break;
            }
            let numbers: Vec<String> = batch
                .iter()
                .map(|n| n.phone_number.as_str().to_owned())
                .collect();
            let taken = self
                .store()
                .all(phone_numbers::taken(world, &numbers))
                .await?;
            found.extend(
                batch
                    .into_iter()
                    .filter(|n| !taken.iter().any(|t| t == n.phone_number.as_str())),
            );
        }
        found.truncate(limit);
        Ok(found)
    }

    /// `POST …/IncomingPhoneNumbers.json`: buys a number for the target account
    /// and charges its first month.
    pub async fn buy_number(
        &self,
        access: &Access,
        purchase: &Purchase,
    ) -> DomainResult<IncomingPhoneNumber> {
        let account = access.target_account()?.clone();
        let wanted = match (&purchase.phone_number, &purchase.area_code) {
            (Some(number), _) if !number.is_empty() => {
                let parsed = PhoneNumber::parse(number)
                    .map_err(|e| invalid(NumberField::Number, Problem::NotPhoneNumber(e)))?;
                if let Some(refusal) = magic::check_purchase(&parsed) {
                    return Err(invalid(NumberField::Number, Problem::Magic(refusal)));
                }
                inventory::lookup(&parsed).ok_or_else(|| not_available(parsed.as_str()))?
            }
            (_, Some(area)) if !area.is_empty() => {
                let candidates = [Country::Us, Country::Ca].into_iter().flat_map(|country| {
                    let mut s =
                        Search::new(country, purchase.number_type.unwrap_or(NumberType::Local));
                    s.area_code = Some(area.clone());
                    inventory::search(&s)
                });
                self.unsold(account.sandbox_sid.as_ref(), candidates, 1)
                    .await?
                    .pop()
                    .ok_or_else(|| {
                        invalid(
                            NumberField::AreaCode,
                            Problem::NoneInAreaCode {
                                area_code: area.clone(),
                            },
                        )
                    })?
            }
            _ => {
                // Neither a number nor an area code.
                return Err(invalid(NumberField::Number, Problem::Missing));
            }
        };
        if let Some(t) = purchase.number_type
            && t != wanted.number_type
        {
            return Err(invalid(
                NumberField::Number,
                Problem::WrongType {
                    number: wanted.phone_number.to_string(),
                    kind: t.as_str(),
                },
            ));
        }
        let now = self.now_for(access).await?;
        let renews_at = self.settings().telephony.speed.month_after(now);
        let mut record = record_for(&account.sid, &wanted, now, renews_at);
        purchase.settings.apply(&mut record)?;
        let price = self.settings().telephony.prices.number(wanted.number_type);
        let mut tx = self.store().begin().await?;
        purchase
            .settings
            .check_applications(&mut tx, &account.sid)
            .await?;
        record.address_sid = addresses::for_number(
            &mut tx,
            &account.sid,
            (
                &record.phone_number,
                &record.iso_country,
                record.address_requirements,
            ),
            purchase
                .settings
                .address_sid
                .as_ref()
                .and_then(Option::as_ref),
        )
        .await?;
        match tx.run(phone_numbers::insert(&record)).await {
            Err(StoreError::Conflict) => return Err(not_available(&record.phone_number)),
            other => other?,
        };
        billing::charge(
            &mut tx,
            &account.sid,
            &account.owner_account_sid,
            Cost {
                category: UsageCategory::PhoneNumbers,
                count: 1,
                usage: 1,
                price_micros: price.micros(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(account = %account.sid, number = %record.sid, "bought a phone number");
        Ok(record.into())
    }

    /// Numbers of `account`, for an API request (`GET
    /// …/IncomingPhoneNumbers.json`, authorised in the same round trip as the
    /// read) or an access already granted (the console's).
    pub async fn list_numbers<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        filter: &NumberFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<IncomingPhoneNumber>> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let (query, shape) = phone_numbers::list(account, filter, at, size);
        let rows = self.read_as(reader, Resource::PhoneNumbers, query).await?;
        Ok(shape.assemble(rows).map(IncomingPhoneNumber::from))
    }

    /// One number of `account`, for an API request or an access already
    /// granted; another account's is not found.
    pub async fn fetch_number<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        sid: &PhoneNumberSid,
    ) -> DomainResult<IncomingPhoneNumber> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let query = phone_numbers::of_account(account, sid);
        let mut rows = self.read_as(reader, Resource::PhoneNumbers, query).await?;
        rows.pop()
            .map(IncomingPhoneNumber::from)
            .ok_or(DomainError::NotFound)
    }

    pub async fn update_number(
        &self,
        access: &Access,
        sid: &PhoneNumberSid,
        settings: &NumberSettings,
    ) -> DomainResult<IncomingPhoneNumber> {
        let account = access.target_account()?.sid.clone();
        let now = self.now_for(access).await?;
        let mut tx = self.store().begin().await?;
        let mut record = tx
            .opt(phone_numbers::of_account(&account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        settings.apply(&mut record)?;
        settings.check_applications(&mut tx, &account).await?;
        if let Some(address) = &settings.address_sid {
            record.address_sid = addresses::for_number(
                &mut tx,
                &account,
                (
                    &record.phone_number,
                    &record.iso_country,
                    record.address_requirements,
                ),
                address.as_ref(),
            )
            .await?;
        }
        record.date_updated = now;
        tx.run(phone_numbers::update(&record)).await?;
        tx.commit().await?;
        Ok(record.into())
    }

    /// `DELETE …/IncomingPhoneNumbers/{Sid}.json`: the number goes back on sale.
    pub async fn release_number(&self, access: &Access, sid: &PhoneNumberSid) -> DomainResult<()> {
        let account = access.target_account()?.sid.clone();
        let released = self
            .store()
            .run(phone_numbers::delete(&account, sid))
            .await?;
        if released == 0 {
            return Err(DomainError::NotFound);
        }
        Ok(())
    }
}
