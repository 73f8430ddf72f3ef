//! `…/Addresses.json`, `…/Addresses/{Sid}.json` and
//! `…/Addresses/{Sid}/DependentPhoneNumbers.json` in Twilio's 2010 shape.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::IncomingPhoneNumber;
use switchboard_domain::telephony::addresses::{Address, AddressChanges, ListFilter, NewAddress};
use switchboard_types::{
    AccountSid, AddressRequirement, AddressSid, ApplicationSid, HookMethod, PhoneNumberSid,
};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json};

const API_VERSION: &str = "2010-04-01";

/// An address as Twilio writes it: every field of the spec's
/// `api.v2010.account.address`, dates in RFC 2822, URIs relative.
#[derive(Serialize)]
pub struct AddressJson {
    account_sid: AccountSid,
    city: String,
    customer_name: String,
    date_created: String,
    date_updated: String,
    friendly_name: Option<String>,
    iso_country: String,
    postal_code: String,
    region: String,
    sid: AddressSid,
    street: String,
    uri: String,
    emergency_enabled: bool,
    validated: bool,
    verified: bool,
    street_secondary: Option<String>,
}

impl From<Address> for AddressJson {
    fn from(a: Address) -> Self {
        AddressJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/Addresses/{}.json",
                a.account_sid, a.sid
            ),
            account_sid: a.account_sid,
            city: a.city,
            customer_name: a.customer_name,
            date_created: a.date_created.rfc2822(),
            date_updated: a.date_updated.rfc2822(),
            friendly_name: a.friendly_name,
            iso_country: a.iso_country,
            postal_code: a.postal_code,
            region: a.region,
            sid: a.sid,
            street: a.street,
            emergency_enabled: a.emergency_enabled,
            validated: a.validated,
            verified: a.verified,
            street_secondary: a.street_secondary,
        }
    }
}

/// A number that uses an address, as Twilio's `DependentPhoneNumbers` show
/// it: every field of the spec's `…address.dependent_phone_number`.
#[derive(Serialize)]
pub struct DependentNumberJson {
    sid: PhoneNumberSid,
    account_sid: AccountSid,
    friendly_name: String,
    phone_number: String,
    voice_url: Option<String>,
    voice_method: HookMethod,
    voice_fallback_method: HookMethod,
    voice_fallback_url: Option<String>,
    voice_caller_id_lookup: bool,
    date_created: String,
    date_updated: String,
    sms_fallback_method: HookMethod,
    sms_fallback_url: Option<String>,
    sms_method: HookMethod,
    sms_url: Option<String>,
    address_requirements: AddressRequirement,
    capabilities: Value,
    status_callback: Option<String>,
    status_callback_method: HookMethod,
    api_version: &'static str,
    sms_application_sid: Option<ApplicationSid>,
    voice_application_sid: Option<ApplicationSid>,
    trunk_sid: Option<String>,
    emergency_status: &'static str,
    emergency_address_sid: Option<String>,
    uri: String,
}

impl From<IncomingPhoneNumber> for DependentNumberJson {
    fn from(n: IncomingPhoneNumber) -> Self {
        let h = n.hooks;
        DependentNumberJson {
            // The number's own resource.
            uri: format!(
                "{API_PREFIX}/Accounts/{}/IncomingPhoneNumbers/{}.json",
                n.account_sid, n.sid
            ),
            sid: n.sid,
            account_sid: n.account_sid,
            friendly_name: n.friendly_name,
            phone_number: n.phone_number,
            voice_url: h.voice_url,
            voice_method: h.voice_method,
            voice_fallback_method: h.voice_fallback_method,
            voice_fallback_url: h.voice_fallback_url,
            voice_caller_id_lookup: false,
            date_created: n.date_created.rfc2822(),
            date_updated: n.date_updated.rfc2822(),
            sms_fallback_method: h.sms_fallback_method,
            sms_fallback_url: h.sms_fallback_url,
            sms_method: h.sms_method,
            sms_url: h.sms_url,
            address_requirements: n.address_requirements,
            capabilities: json!({
                "voice": n.capabilities.voice,
                "sms": n.capabilities.sms,
                "mms": n.capabilities.mms,
                "fax": n.capabilities.fax,
            }),
            status_callback: h.status_callback,
            status_callback_method: h.status_callback_method,
            api_version: API_VERSION,
            sms_application_sid: h.sms_application_sid,
            voice_application_sid: h.voice_application_sid,
            trunk_sid: None,
            emergency_status: "Inactive",
            emergency_address_sid: None,
        }
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<AddressJson>>, ApiError> {
    let read = call.read(&app, Resource::Addresses).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let given = |name: &str| params.get(name).filter(|v| !v.is_empty());
    let iso_country = given("IsoCountry").map(str::to_ascii_uppercase);
    let filter = ListFilter {
        customer_name: given("CustomerName"),
        friendly_name: given("FriendlyName"),
        iso_country: iso_country.as_deref(),
        emergency_enabled: params.boolean("EmergencyEnabled")?,
    };
    let page = app
        .sb
        .addresses()
        .list((&read.request).into(), filter, &paging.at, paging.size)
        .await?;
    read.envelope("addresses", &paging, page, AddressJson::from)
}

pub async fn create(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<AddressJson>), ApiError> {
    let granted = call.authorize(&app, Resource::Addresses).await?;
    let form = call.form()?;
    // `AutoCorrectAddress` is read (a value that is no boolean is refused)
    // but changes nothing: Switchboard corrects no address.
    form.boolean("AutoCorrectAddress")?;
    let new = NewAddress {
        customer_name: form.owned("CustomerName"),
        street: form.owned("Street"),
        street_secondary: form.owned("StreetSecondary"),
        city: form.owned("City"),
        region: form.owned("Region"),
        postal_code: form.owned("PostalCode"),
        iso_country: form.owned("IsoCountry"),
        friendly_name: form.owned("FriendlyName"),
        emergency_enabled: form.boolean("EmergencyEnabled")?,
    };
    let created = app.sb.addresses().create(&granted.access, &new).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

pub async fn fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<AddressJson>, ApiError> {
    let read = call.read(&app, Resource::Addresses).await?;
    let sid = read.item("sid", AddressSid::parse).await?;
    let found = app.sb.addresses().get((&read.request).into(), &sid).await?;
    Ok(Json(found.into()))
}

pub async fn update(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<AddressJson>, ApiError> {
    let granted = call.authorize(&app, Resource::Addresses).await?;
    let sid = granted.item("sid", AddressSid::parse)?;
    let form = call.form()?;
    form.boolean("AutoCorrectAddress")?;
    let changes = AddressChanges {
        customer_name: form.owned("CustomerName"),
        street: form.owned("Street"),
        street_secondary: form.owned("StreetSecondary"),
        city: form.owned("City"),
        region: form.owned("Region"),
        postal_code: form.owned("PostalCode"),
        friendly_name: form.owned("FriendlyName"),
        emergency_enabled: form.boolean("EmergencyEnabled")?,
    };
    let updated = app
        .sb
        .addresses()
        .update(&granted.access, &sid, &changes)
        .await?;
    Ok(Json(updated.into()))
}

pub async fn delete(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::Addresses).await?;
    let sid = granted.item("sid", AddressSid::parse)?;
    app.sb.addresses().delete(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `…/Addresses/{AddressSid}/DependentPhoneNumbers.json`: the numbers that
/// use an address (none for an address the account does not have).
pub async fn dependents(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<DependentNumberJson>>, ApiError> {
    let read = call.read(&app, Resource::Addresses).await?;
    let address = read.within("address", AddressSid::parse).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .addresses()
        .dependent_numbers((&read.request).into(), &address, &paging.at, paging.size)
        .await?;
    read.envelope(
        "dependent_phone_numbers",
        &paging,
        page,
        DependentNumberJson::from,
    )
}
