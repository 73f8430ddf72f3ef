//! `…/AvailablePhoneNumbers…` (the inventory) and `…/IncomingPhoneNumbers…`
//! (numbers an account bought).

use crate::twilio::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use switchboard_domain::access::Resource;
use switchboard_domain::error::{self, NumberField, Problem};
use switchboard_domain::telephony::numbers::{NumberFilter, NumberSettings, Purchase};
use switchboard_telephony::inventory::{Country, NumberType, Search};
use switchboard_types::{AddressSid, ApplicationSid, PhoneNumberSid};

use super::json::API_PREFIX;
use super::scope::AccountScope;
use super::telephony_json::{AvailableCountryJson, AvailableNumberJson, IncomingNumberJson};
use crate::App;
use crate::twilio::{ApiError, Envelope, Params, invalid, path};

fn country(segment: &str) -> Result<Country, ApiError> {
    let code = segment.strip_suffix(".json").unwrap_or(segment);
    Country::parse(code).ok_or_else(|| {
        let known: Vec<&str> = Country::all().iter().map(|c| c.iso()).collect();
        ApiError::new(
            StatusCode::NOT_FOUND,
            20404,
            format!(
                "Switchboard's inventory has no numbers in '{}'; it covers {}",
                code.chars().take(8).collect::<String>(),
                known.join(", ")
            ),
        )
    })
}

pub async fn countries(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Value>, ApiError> {
    let account = call
        .authorize(&app, Resource::AvailablePhoneNumbers)
        .await?
        .account;
    let countries: Vec<AvailableCountryJson> = Country::all()
        .into_iter()
        .map(|c| AvailableCountryJson::new(account.as_str(), c))
        .collect();
    Ok(Json(json!({
        "countries": countries,
        "uri": format!("{API_PREFIX}/Accounts/{account}/AvailablePhoneNumbers.json"),
    })))
}

pub async fn country_fetch(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<AvailableCountryJson>, ApiError> {
    let granted = call
        .authorize(&app, Resource::AvailablePhoneNumbers)
        .await?;
    let segment = granted.named(call.get("country").filter(|s| s.ends_with(".json")))?;
    Ok(Json(AvailableCountryJson::new(
        granted.account.as_str(),
        country(segment)?,
    )))
}

pub async fn search(State(app): State<App>, call: AccountScope) -> Result<Json<Value>, ApiError> {
    let read = call.read(&app, Resource::AvailablePhoneNumbers).await?;
    let account = read.account;
    let country = read
        .check(country(call.get("country").unwrap_or_default()))
        .await?;
    let number_type = call
        .get("kind")
        .and_then(path::json_segment)
        .and_then(NumberType::parse_path_segment)
        .ok_or_else(|| super::unimplemented::item_not_served(call.path()));
    let number_type = read.check(number_type).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let text = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let flag = |name: &'static str| params.boolean(name).map(|v| v.unwrap_or(false));
    let search = Search {
        country,
        number_type,
        area_code: text("AreaCode"),
        contains: text("Contains"),
        in_region: text("InRegion"),
        in_locality: text("InLocality"),
        in_postal_code: text("InPostalCode"),
        in_rate_center: text("InRateCenter"),
        in_lata: text("InLata"),
        sms_enabled: params.boolean("SmsEnabled")?,
        voice_enabled: params.boolean("VoiceEnabled")?,
        mms_enabled: params.boolean("MmsEnabled")?,
        fax_enabled: params.boolean("FaxEnabled")?,
        exclude_all_address_required: flag("ExcludeAllAddressRequired")?,
        exclude_local_address_required: flag("ExcludeLocalAddressRequired")?,
        exclude_foreign_address_required: flag("ExcludeForeignAddressRequired")?,
    };
    let numbers = app
        .sb
        .available_numbers(&read.request, &search, paging.size as usize)
        .await?;
    // The inventory answers one page: a search is narrowed, not paged.
    let uri = format!(
        "{API_PREFIX}/Accounts/{account}/AvailablePhoneNumbers/{}/{}.json",
        country.iso(),
        number_type.path_segment()
    );
    let items: Vec<AvailableNumberJson> = numbers.into_iter().map(Into::into).collect();
    Ok(Json(json!({
        "available_phone_numbers": items,
        "end": items.len().saturating_sub(1),
        "first_page_uri": format!("{uri}?PageSize={}&Page=0", paging.size),
        "next_page_uri": null,
        "page": 0,
        "page_size": paging.size,
        "previous_page_uri": null,
        "start": 0,
        "uri": format!("{uri}?PageSize={}&Page=0", paging.size),
    })))
}

/// An application SID a number's settings name: empty stops using one; one
/// that cannot be a SID is refused as an application the account cannot
/// reach (21420, as Twilio answers).
fn application(
    form: &Params,
    field: NumberField,
) -> Result<Option<Option<ApplicationSid>>, ApiError> {
    match form.get(invalid::param(field.into())).map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(v) => ApplicationSid::parse(v)
            .map(|sid| Some(Some(sid)))
            .map_err(|_| error::invalid(field, Problem::NotSid).into()),
    }
}

fn settings(form: &Params) -> Result<NumberSettings, ApiError> {
    let text = |name: &str| form.get(name).map(str::to_owned);
    Ok(NumberSettings {
        friendly_name: text("FriendlyName"),
        voice_url: text("VoiceUrl"),
        voice_method: text("VoiceMethod"),
        voice_fallback_url: text("VoiceFallbackUrl"),
        voice_fallback_method: text("VoiceFallbackMethod"),
        sms_url: text("SmsUrl"),
        sms_method: text("SmsMethod"),
        sms_fallback_url: text("SmsFallbackUrl"),
        sms_fallback_method: text("SmsFallbackMethod"),
        status_callback: text("StatusCallback"),
        status_callback_method: text("StatusCallbackMethod"),
        voice_application_sid: application(form, NumberField::VoiceApplication)?,
        sms_application_sid: application(form, NumberField::SmsApplication)?,
        address_sid: address(form)?,
    })
}

/// The address a number is bought or kept with (`AddressSid`): empty stops
/// using one; one that cannot be a SID is refused as the address a number
/// needs (21631).
fn address(form: &Params) -> Result<Option<Option<AddressSid>>, ApiError> {
    let field = NumberField::Address;
    match form.get(invalid::param(field.into())).map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(v) => AddressSid::parse(v)
            .map(|sid| Some(Some(sid)))
            .map_err(|_| error::invalid(field, Problem::NotSid).into()),
    }
}

async fn list_of(
    app: App,
    number_type: Option<NumberType>,
    call: AccountScope,
) -> Result<Json<Envelope<IncomingNumberJson>>, ApiError> {
    let read = call.read(&app, Resource::PhoneNumbers).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let filter = NumberFilter {
        phone_number: params.get("PhoneNumber").map(str::to_owned),
        friendly_name: params.get("FriendlyName").map(str::to_owned),
        number_type,
    };
    let page = app
        .sb
        .list_numbers(
            &read.request,
            read.account,
            &filter,
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope(
        "incoming_phone_numbers",
        &paging,
        page,
        IncomingNumberJson::from,
    )
}

async fn buy_of(
    app: App,
    number_type: Option<NumberType>,
    call: AccountScope,
) -> Result<(StatusCode, Json<IncomingNumberJson>), ApiError> {
    let granted = call.authorize(&app, Resource::PhoneNumbers).await?;
    let form = call.form()?;
    let purchase = Purchase {
        phone_number: form.get("PhoneNumber").map(str::to_owned),
        area_code: form.get("AreaCode").map(str::to_owned),
        number_type,
        settings: settings(form)?,
    };
    let record = app.sb.buy_number(&granted.access, &purchase).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<IncomingNumberJson>>, ApiError> {
    list_of(app, None, call).await
}

pub async fn buy(
    State(app): State<App>,
    call: AccountScope,
) -> Result<(StatusCode, Json<IncomingNumberJson>), ApiError> {
    buy_of(app, None, call).await
}

/// `…/IncomingPhoneNumbers/{Sid}.json`, and the typed sub-lists
/// (`Local.json`, `TollFree.json`, `Mobile.json`), which share the segment.
pub async fn fetch(State(app): State<App>, call: AccountScope) -> Result<Response, ApiError> {
    if let Some(t) = typed_list(&call) {
        return Ok(list_of(app, Some(t), call).await?.into_response());
    }
    let read = call.read(&app, Resource::PhoneNumbers).await?;
    let sid = read.item("sid", PhoneNumberSid::parse).await?;
    let record = app
        .sb
        .fetch_number(&read.request, read.account, &sid)
        .await?;
    Ok(Json(IncomingNumberJson::from(record)).into_response())
}

fn typed_list(call: &AccountScope) -> Option<NumberType> {
    call.get("sid")?
        .strip_suffix(".json")
        .and_then(NumberType::parse_incoming_segment)
}

/// `POST …/IncomingPhoneNumbers/{Sid}.json` updates a number; `POST
/// …/IncomingPhoneNumbers/Local.json` (and friends) buys one of that type.
pub async fn update(State(app): State<App>, call: AccountScope) -> Result<Response, ApiError> {
    if let Some(t) = typed_list(&call) {
        return Ok(buy_of(app, Some(t), call).await?.into_response());
    }
    let granted = call.authorize(&app, Resource::PhoneNumbers).await?;
    let sid = granted.item("sid", PhoneNumberSid::parse)?;
    let record = app
        .sb
        .update_number(&granted.access, &sid, &settings(call.form()?)?)
        .await?;
    Ok(Json(IncomingNumberJson::from(record)).into_response())
}

pub async fn release(State(app): State<App>, call: AccountScope) -> Result<StatusCode, ApiError> {
    let granted = call.authorize(&app, Resource::PhoneNumbers).await?;
    let sid = granted.item("sid", PhoneNumberSid::parse)?;
    app.sb.release_number(&granted.access, &sid).await?;
    Ok(StatusCode::NO_CONTENT)
}
