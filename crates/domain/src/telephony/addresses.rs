//! Addresses (`/2010-04-01/Accounts/{Sid}/Addresses`), reached by
//! [`Switchboard::addresses`]: where the user of a phone number is. Some
//! countries require one before a number is bought (a number's
//! `address_requirements`: `any` address, a `local` one in the number's
//! country, or a `foreign` one outside it); the number then keeps it
//! (`address_sid`), and the address lists it among its
//! `DependentPhoneNumbers`. An address numbers use is not deleted.
//!
//! Switchboard checks an address's shape (the fields Twilio requires, their
//! lengths, a real ISO country) but no third party's records: `validated`
//! and `verified` stay `false`, and `AutoCorrectAddress` corrects nothing.

use switchboard_store::Tx;
use switchboard_store::addresses::{self as store, AddressFilter};
use switchboard_store::page::{Page, PageAt};
use switchboard_store::phone_numbers;
use switchboard_types::{AccountSid, AddressRequirement, AddressSid};

use crate::access::{Access, Reader, Resource};
use crate::audit;
use crate::error::{AddressField as F, DomainError, DomainResult, Problem, invalid};
use crate::telephony::numbers::IncomingPhoneNumber;
use crate::{Switchboard, validate};

pub use switchboard_store::addresses::AddressRecord as Address;

/// `CustomerName`'s limit: Twilio's "16 4-byte characters, or 21 3-byte
/// characters" is 64 bytes of UTF-8.
pub const MAX_CUSTOMER_NAME_BYTES: usize = 64;
/// Limits of the other fields (Twilio documents none).
pub const MAX_STREET: usize = 255;
pub const MAX_CITY: usize = 128;
pub const MAX_REGION: usize = 128;
pub const MAX_POSTAL_CODE: usize = 32;

/// What a create names (`None`: not given).
#[derive(Debug, Default, Clone)]
pub struct NewAddress {
    pub customer_name: Option<String>,
    pub street: Option<String>,
    pub street_secondary: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub iso_country: Option<String>,
    pub friendly_name: Option<String>,
    pub emergency_enabled: Option<bool>,
}

/// What an update may change; `None` leaves it as it is. The country is
/// fixed, as Twilio's (its update takes no `IsoCountry`).
#[derive(Debug, Default, Clone)]
pub struct AddressChanges {
    pub customer_name: Option<String>,
    pub street: Option<String>,
    pub street_secondary: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub friendly_name: Option<String>,
    pub emergency_enabled: Option<bool>,
}

/// The filters of a list, each an exact match.
#[derive(Debug, Default, Clone, Copy)]
pub struct ListFilter<'a> {
    pub customer_name: Option<&'a str>,
    pub friendly_name: Option<&'a str>,
    pub iso_country: Option<&'a str>,
    pub emergency_enabled: Option<bool>,
}

impl Switchboard {
    /// Addresses, in the account an access names.
    pub fn addresses(&self) -> Addresses<'_> {
        Addresses { sb: self }
    }
}

/// The addresses of the account an access names (`Resource::Addresses`).
pub struct Addresses<'a> {
    sb: &'a Switchboard,
}

fn described(a: &Address) -> String {
    format!(
        "{}, {}, {} {} {}",
        a.customer_name, a.street, a.postal_code, a.city, a.iso_country
    )
}

/// A required field: not blank, at most `max` characters.
fn required(field: F, value: &str, max: usize) -> DomainResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(field, Problem::Blank));
    }
    if v.chars().any(char::is_control) {
        return Err(invalid(field, Problem::ControlCharacters));
    }
    validate::text(field, v, max)
}

/// A required field of a create: given, not blank.
fn given(field: F, value: Option<&str>, max: usize) -> DomainResult<String> {
    match value {
        None => Err(invalid(field, Problem::Missing)),
        Some(v) if v.trim().is_empty() => Err(invalid(field, Problem::Missing)),
        Some(v) => required(field, v, max),
    }
}

fn customer_name(value: &str) -> DomainResult<String> {
    let v = required(F::CustomerName, value, usize::MAX)?;
    if v.len() > MAX_CUSTOMER_NAME_BYTES {
        return Err(invalid(
            F::CustomerName,
            Problem::TooManyBytes {
                max: MAX_CUSTOMER_NAME_BYTES,
            },
        ));
    }
    Ok(v)
}

/// An optional field: empty clears it.
fn optional(field: F, value: &str, max: usize) -> DomainResult<Option<String>> {
    match value.trim() {
        "" => Ok(None),
        v => required(field, v, max).map(Some),
    }
}

fn friendly_name(value: &str) -> DomainResult<Option<String>> {
    match value.trim() {
        "" => Ok(None),
        v => validate::friendly_name(F::Name, v).map(Some),
    }
}

/// An ISO 3166-1 alpha-2 code of a country or territory with telephone
/// numbers, as Google's libphonenumber metadata lists them (any case; kept
/// upper case).
pub fn iso_country(value: &str) -> DomainResult<String> {
    let v = value.trim().to_ascii_uppercase();
    if switchboard_telephony::phone::is_region_code(&v) {
        Ok(v)
    } else {
        Err(invalid(
            F::IsoCountry,
            Problem::NotCountry {
                given: value.chars().take(16).collect(),
            },
        ))
    }
}

/// Whether an address in `address_country` meets a number's `requirement`
/// (the number being of `number_country`).
pub fn satisfies(
    requirement: AddressRequirement,
    number_country: &str,
    address_country: &str,
) -> bool {
    match requirement {
        AddressRequirement::None | AddressRequirement::Any => true,
        AddressRequirement::Local => number_country.eq_ignore_ascii_case(address_country),
        AddressRequirement::Foreign => !number_country.eq_ignore_ascii_case(address_country),
    }
}

/// The address a number is bought (or kept) with, checked inside the
/// transaction that writes the number: one of `account`'s that meets the
/// number's requirement. A number that needs one and names none is refused
/// (Twilio's 21631).
pub(crate) async fn for_number(
    tx: &mut Tx,
    account: &AccountSid,
    number: (&str, &str, AddressRequirement),
    address: Option<&AddressSid>,
) -> DomainResult<Option<AddressSid>> {
    let (phone_number, country, requirement) = number;
    let Some(sid) = address else {
        return match requirement {
            AddressRequirement::None => Ok(None),
            _ => Err(invalid(
                crate::error::NumberField::Address,
                Problem::AddressRequired {
                    number: phone_number.to_owned(),
                    requirement,
                    country: country.to_owned(),
                },
            )),
        };
    };
    let unsuitable = || {
        invalid(
            crate::error::NumberField::Address,
            Problem::UnsuitableAddress {
                address: sid.to_string(),
                account: account.clone(),
                requirement,
                country: country.to_owned(),
            },
        )
    };
    let found = tx
        .opt(store::of_account(account, sid))
        .await?
        .ok_or_else(unsuitable)?;
    if !satisfies(requirement, country, &found.iso_country) {
        return Err(unsuitable());
    }
    Ok(Some(found.sid))
}

impl Addresses<'_> {
    /// Creates an address. Every field Twilio requires must be given:
    /// `CustomerName`, `Street`, `City`, `Region`, `PostalCode`,
    /// `IsoCountry`.
    pub async fn create(&self, access: &Access, new: &NewAddress) -> DomainResult<Address> {
        let (account, log) = access.write_target(Resource::Addresses)?;
        let customer_name = match new.customer_name.as_deref() {
            Some(v) if !v.trim().is_empty() => customer_name(v)?,
            _ => return Err(invalid(F::CustomerName, Problem::Missing)),
        };
        let street = given(F::Street, new.street.as_deref(), MAX_STREET)?;
        let city = given(F::City, new.city.as_deref(), MAX_CITY)?;
        let region = given(F::Region, new.region.as_deref(), MAX_REGION)?;
        let postal_code = given(F::PostalCode, new.postal_code.as_deref(), MAX_POSTAL_CODE)?;
        let iso_country = match new.iso_country.as_deref() {
            Some(v) if !v.trim().is_empty() => iso_country(v)?,
            _ => return Err(invalid(F::IsoCountry, Problem::Missing)),
        };
        let street_secondary = match new.street_secondary.as_deref() {
            Some(v) => optional(F::StreetSecondary, v, MAX_STREET)?,
            None => None,
        };
        let friendly_name = match new.friendly_name.as_deref() {
            Some(v) => friendly_name(v)?,
            None => None,
        };
        let now = self.sb.now_for(access).await?;
        let address = Address {
            sid: AddressSid::generate(),
            account_sid: account.clone(),
            customer_name,
            friendly_name,
            street,
            street_secondary,
            city,
            region,
            postal_code,
            iso_country,
            emergency_enabled: new.emergency_enabled.unwrap_or(false),
            validated: false,
            verified: false,
            date_created: now,
            date_updated: now,
        };
        let mut tx = self.sb.store().begin().await?;
        tx.run(store::insert(&address)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "address.create",
            &address.sid,
            described(&address),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(account = %account, address = %address.sid, "created an address");
        Ok(address)
    }

    /// The addresses of the account, oldest first (authorised and read in
    /// one round trip for an API request).
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        filter: ListFilter<'a>,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<Address>> {
        let filter = AddressFilter {
            customer_name: filter.customer_name,
            friendly_name: filter.friendly_name,
            iso_country: filter.iso_country,
            emergency_enabled: filter.emergency_enabled,
        };
        self.sb
            .read_page(reader, Resource::Addresses, |account| {
                store::list(account, filter, at, size)
            })
            .await
    }

    /// One address of the account; anyone else's is not found.
    pub async fn get<'a>(&self, reader: Reader<'a>, sid: &'a AddressSid) -> DomainResult<Address> {
        self.sb
            .read_one(reader, Resource::Addresses, |account| {
                store::of_account(account, sid)
            })
            .await
    }

    /// The numbers of the account that use an address, oldest first
    /// (`DependentPhoneNumbers`); an address the account does not have has
    /// none.
    pub async fn dependent_numbers<'a>(
        &self,
        reader: Reader<'a>,
        sid: &'a AddressSid,
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<IncomingPhoneNumber>> {
        let page = self
            .sb
            .read_page(reader, Resource::Addresses, |account| {
                phone_numbers::of_address(account, sid, at, size)
            })
            .await?;
        Ok(page.map(IncomingPhoneNumber::from))
    }

    /// Changes an address. A required field given empty is refused; an empty
    /// `StreetSecondary` or `FriendlyName` clears it.
    pub async fn update(
        &self,
        access: &Access,
        sid: &AddressSid,
        changes: &AddressChanges,
    ) -> DomainResult<Address> {
        let (account, log) = access.write_target(Resource::Addresses)?;
        let mut tx = self.sb.store().begin().await?;
        let mut address = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if let Some(v) = &changes.customer_name {
            address.customer_name = customer_name(v)?;
        }
        if let Some(v) = &changes.street {
            address.street = required(F::Street, v, MAX_STREET)?;
        }
        if let Some(v) = &changes.city {
            address.city = required(F::City, v, MAX_CITY)?;
        }
        if let Some(v) = &changes.region {
            address.region = required(F::Region, v, MAX_REGION)?;
        }
        if let Some(v) = &changes.postal_code {
            address.postal_code = required(F::PostalCode, v, MAX_POSTAL_CODE)?;
        }
        if let Some(v) = &changes.street_secondary {
            address.street_secondary = optional(F::StreetSecondary, v, MAX_STREET)?;
        }
        if let Some(v) = &changes.friendly_name {
            address.friendly_name = friendly_name(v)?;
        }
        if let Some(v) = changes.emergency_enabled {
            address.emergency_enabled = v;
        }
        address.date_updated = self.sb.now_for(access).await?;
        tx.run(store::update(&address)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "address.update",
            sid,
            described(&address),
        )
        .await?;
        tx.commit().await?;
        Ok(address)
    }

    /// Deletes an address no number uses; while one does, it is refused
    /// (the numbers are listed by `DependentPhoneNumbers`).
    pub async fn delete(&self, access: &Access, sid: &AddressSid) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::Addresses)?;
        let mut tx = self.sb.store().begin().await?;
        let address = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if tx.run(store::delete_unused(account, sid)).await? == 0 {
            let numbers = tx.one(store::dependents(sid)).await?;
            return Err(invalid(F::Address, Problem::AddressInUse { numbers }));
        }
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "address.delete",
            sid,
            described(&address),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(address = %sid, "deleted an address");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_are_met_by_the_addresses_they_name() {
        use AddressRequirement as R;
        assert!(satisfies(R::None, "DE", "US"));
        assert!(satisfies(R::Any, "DE", "US"));
        assert!(satisfies(R::Local, "DE", "DE"));
        assert!(satisfies(R::Local, "DE", "de"));
        assert!(!satisfies(R::Local, "DE", "FR"));
        assert!(satisfies(R::Foreign, "DE", "FR"));
        assert!(!satisfies(R::Foreign, "DE", "DE"));
    }

    #[test]
    fn countries_are_iso_codes_libphonenumber_knows() {
        assert_eq!(iso_country("de").unwrap(), "DE");
        assert_eq!(iso_country(" US ").unwrap(), "US");
        // Countries the inventory does not sell are still countries.
        assert_eq!(iso_country("CH").unwrap(), "CH");
        for bad in ["", "D", "DEU", "ZZ", "001", "U1", "Germany", "UK"] {
            assert!(iso_country(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn customer_names_are_at_most_64_bytes() {
        assert!(customer_name(&"a".repeat(64)).is_ok());
        assert!(customer_name(&"a".repeat(65)).is_err());
        // 16 four-byte characters fit; 17 do not; 21 three-byte ones fit.
        assert!(customer_name(&"😀".repeat(16)).is_ok());
        assert!(customer_name(&"😀".repeat(17)).is_err());
        assert!(customer_name(&"€".repeat(21)).is_ok());
        assert!(customer_name(&"€".repeat(22)).is_err());
        assert!(customer_name("  ").is_err());
    }
}
