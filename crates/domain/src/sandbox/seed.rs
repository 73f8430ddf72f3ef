//! A sandbox's seed document: what a world is made of, by name.
//!
//! The JSON form comes over the API (`POST /switchboard/v1/Sandboxes.json`);
//! `switchboard sandbox --seed FILE` reads the same structure from TOML (or
//! JSON, for a `.json` file). Both become one JSON value, read into the typed
//! structs below with every unknown or mistyped field refused at its path, then
//! checked field by field ([`SeedDocument::check`]), each error naming the
//! path of the bad field as the JSON spells it
//! (`accounts.owner.connect_apps.analytics.permissions[1]`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use switchboard_telephony::inventory::{self, Capabilities, Country, NumberType};
use switchboard_telephony::phone::PhoneNumber;
use switchboard_telephony::{Money, TRIAL_CREDIT};
use switchboard_types::{
    AccountSid, AccountType, ConnectAppSid, HookMethod, Permission, Permissions, PhoneNumberSid,
};

use crate::error::{AccountField, AppField, DomainError, DomainResult, NumberField, Problem};
use crate::{connect_apps, password, validate};

/// The most calls plus messages a seed's history may ask for, per account.
pub const MAX_HISTORY_ROWS: u64 = 100_000;
/// The longest history a seed may ask for, in days.
pub const MAX_HISTORY_DAYS: u32 = 3650;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDocument {
    /// Main accounts, by name.
    #[serde(default)]
    pub accounts: BTreeMap<String, SeedAccount>,
    /// Customers' grants to Connect Apps, as if each had pressed Authorize.
    #[serde(default)]
    pub authorizations: Vec<SeedAuthorization>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// `Full` (the default) or `Trial`.
    #[serde(rename = "type")]
    pub account_type: Option<String>,
    pub sid: Option<String>,
    pub auth_token: Option<String>,
    /// Defaults to the account's name in the seed.
    pub friendly_name: Option<String>,
    /// A console user signing in to the account (both or neither).
    pub email: Option<String>,
    pub password: Option<String>,
    /// What the account has left to spend, in US dollars (a number or a
    /// decimal string; default: the trial credit).
    pub balance: Option<Balance>,
    #[serde(default)]
    pub subaccounts: BTreeMap<String, SeedSubaccount>,
    #[serde(default)]
    pub connect_apps: BTreeMap<String, SeedConnectApp>,
    #[serde(default)]
    pub phone_numbers: Vec<SeedPhoneNumber>,
    pub history: Option<SeedHistory>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Balance {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSubaccount {
    pub sid: Option<String>,
    pub auth_token: Option<String>,
    pub friendly_name: Option<String>,
    #[serde(default)]
    pub phone_numbers: Vec<SeedPhoneNumber>,
    pub history: Option<SeedHistory>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedConnectApp {
    pub sid: Option<String>,
    /// Defaults to the app's name in the seed.
    pub friendly_name: Option<String>,
    /// Defaults to the friendly name.
    pub company_name: Option<String>,
    pub description: Option<String>,
    pub homepage_url: Option<String>,
    pub terms_of_service_url: Option<String>,
    pub authorize_redirect_url: Option<String>,
    pub deauthorize_callback_url: Option<String>,
    pub deauthorize_callback_method: Option<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAuthorization {
    /// The name of a main account of the seed.
    pub customer: String,
    /// The name of a Connect App of the seed.
    pub connect_app: String,
    /// What the customer approved (default: what the app asks for).
    pub permissions: Option<Vec<String>>,
    /// A fixed SID for the dedicated subaccount.
    pub account_sid: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPhoneNumber {
    pub phone_number: String,
    pub sid: Option<String>,
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
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedHistory {
    #[serde(default)]
    pub calls: u64,
    #[serde(default)]
    pub messages: u64,
    /// Spread evenly over this many days before now (default 30).
    pub days: Option<u32>,
}

/// A seed problem at `path`.
pub fn seed_error(path: impl Into<String>, message: impl Into<String>) -> DomainError {
    DomainError::Seed {
        path: path.into(),
        message: message.into(),
    }
}

/// A check of the shared validators, its refusal moved to the seed's path.
/// The validators say what is wrong as typed data; a seed is Switchboard's
/// own document, so the words are the seed's, not an API parameter's.
fn at<T>(path: &str, checked: DomainResult<T>) -> DomainResult<T> {
    checked.map_err(|e| match e.first_problem() {
        DomainError::Invalid(i) => seed_error(path, said(&i.problem)),
        other => other,
    })
}

/// What is wrong with a seed's value, in the seed's words.
fn said(problem: &Problem) -> String {
    match problem {
        Problem::Missing | Problem::Blank => "must not be empty".to_owned(),
        Problem::TooLong { max } => format!("must be at most {max} characters long"),
        Problem::TooShort { min } => format!("must be at least {min} characters long"),
        Problem::ControlCharacters => "must not contain control characters".to_owned(),
        Problem::NotEmail => "is not an email address, like name@example.com".to_owned(),
        Problem::NotUrl(_) => {
            "must be an absolute http or https URL, without a user name or password".to_owned()
        }
        other => format!("is not allowed here ({other:?})"),
    }
}

impl SeedDocument {
    /// A JSON seed (the API's body).
    pub fn from_json(text: &str) -> DomainResult<SeedDocument> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| seed_error("(document)", format!("not valid JSON: {e}")))?;
        Self::from_value(value)
    }

    /// A TOML seed (`switchboard sandbox --seed FILE.toml`).
    pub fn from_toml(text: &str) -> DomainResult<SeedDocument> {
        let value: serde_json::Value = toml::from_str(text)
            .map_err(|e| seed_error("(document)", format!("not valid TOML: {e}")))?;
        Self::from_value(value)
    }

    /// The document as read from either form.
    pub fn from_value(value: serde_json::Value) -> DomainResult<SeedDocument> {
        if !value.is_object() {
            return Err(seed_error("(document)", "a seed is a JSON object"));
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            seed_error(
                if path == "." {
                    "(document)".into()
                } else {
                    path
                },
                e.into_inner().to_string(),
            )
        })
    }
}

/// A seed checked and typed: what a world will be made of, before any SID or
/// token is generated.
#[derive(Debug, Clone)]
pub struct CheckedSeed {
    pub accounts: Vec<CheckedAccount>,
    pub apps: Vec<CheckedApp>,
    pub grants: Vec<CheckedGrant>,
}

#[derive(Debug, Clone)]
pub struct CheckedAccount {
    pub name: String,
    pub account_type: AccountType,
    pub sid: Option<AccountSid>,
    pub auth_token: Option<String>,
    pub friendly_name: String,
    pub console: Option<(String, String)>,
    pub balance_micros: i64,
    pub numbers: Vec<CheckedNumber>,
    pub history: Option<CheckedHistory>,
    pub subaccounts: Vec<CheckedSubaccount>,
}

#[derive(Debug, Clone)]
pub struct CheckedSubaccount {
    pub name: String,
    pub sid: Option<AccountSid>,
    pub auth_token: Option<String>,
    pub friendly_name: String,
    pub numbers: Vec<CheckedNumber>,
    pub history: Option<CheckedHistory>,
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct CheckedHistory {
    pub calls: u64,
    pub messages: u64,
    pub days: u32,
}

#[derive(Debug, Clone)]
pub struct CheckedApp {
    pub name: String,
    /// The owner's name (a main account of the seed).
    pub owner: String,
    pub sid: Option<ConnectAppSid>,
    pub friendly_name: String,
    pub company_name: Option<String>,
    pub description: Option<String>,
    pub homepage_url: Option<String>,
    pub terms_of_service_url: Option<String>,
    pub authorize_redirect_url: Option<String>,
    pub deauthorize_callback_url: Option<String>,
    pub deauthorize_callback_method: String,
    pub permissions: Permissions,
}

#[derive(Debug, Clone)]
pub struct CheckedGrant {
    pub customer: String,
    pub app: String,
    pub permissions: Permissions,
    pub subaccount: Option<AccountSid>,
}

#[derive(Debug, Clone)]
pub struct CheckedNumber {
    pub sid: Option<PhoneNumberSid>,
    pub phone_number: String,
    pub friendly_name: String,
    pub number_type: NumberType,
    pub iso_country: String,
    pub capabilities: Capabilities,
    pub hooks: CheckedHooks,
}

#[derive(Debug, Clone)]
pub struct CheckedHooks {
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
}

fn sid<T>(
    path: &str,
    value: &Option<String>,
    parse: fn(&str) -> Result<T, switchboard_types::SidError>,
) -> DomainResult<Option<T>> {
    value
        .as_deref()
        .map(|v| parse(v).map_err(|e| seed_error(path, e.to_string())))
        .transpose()
}

fn auth_token(path: &str, value: &Option<String>) -> DomainResult<Option<String>> {
    match value.as_deref() {
        None => Ok(None),
        Some(t) if t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(t.to_ascii_lowercase()))
        }
        Some(_) => Err(seed_error(path, "an auth token is 32 hexadecimal digits")),
    }
}

fn name(path: &str, value: &str) -> DomainResult<()> {
    if value.is_empty() || value.len() > 64 || value.chars().any(char::is_control) {
        return Err(seed_error(
            path,
            "a name is 1 to 64 characters, without control characters",
        ));
    }
    Ok(())
}

fn permissions(path: &str, list: &[String]) -> DomainResult<Permissions> {
    let mut all = Permissions::NONE;
    for (i, p) in list.iter().enumerate() {
        let parsed = Permission::parse(p).map_err(|_| {
            seed_error(
                format!("{path}[{i}]"),
                format!("unknown permission {p:?} (get-all or post-all)"),
            )
        })?;
        all = all.with(parsed);
    }
    Ok(all)
}

fn url(path: &str, value: &Option<String>) -> DomainResult<Option<String>> {
    match value.as_deref() {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => at(path, validate::absolute_url(NumberField::SmsUrl, v)).map(Some),
    }
}

fn method(path: &str, value: &Option<String>) -> DomainResult<HookMethod> {
    match value.as_deref() {
        None => Ok(HookMethod::Post),
        Some(v) => HookMethod::parse(&v.trim().to_ascii_uppercase())
            .map_err(|_| seed_error(path, "a method is GET or POST")),
    }
}

fn history(path: &str, h: &Option<SeedHistory>) -> DomainResult<Option<CheckedHistory>> {
    let Some(h) = h else { return Ok(None) };
    if h.calls.saturating_add(h.messages) > MAX_HISTORY_ROWS {
        return Err(seed_error(
            path,
            format!("at most {MAX_HISTORY_ROWS} calls and messages"),
        ));
    }
    let days = h.days.unwrap_or(30);
    if days == 0 || days > MAX_HISTORY_DAYS {
        return Err(seed_error(
            format!("{path}.days"),
            format!("1 to {MAX_HISTORY_DAYS} days"),
        ));
    }
    Ok(Some(CheckedHistory {
        calls: h.calls,
        messages: h.messages,
        days,
    }))
}

fn number(path: &str, n: &SeedPhoneNumber) -> DomainResult<CheckedNumber> {
    let field = |f: &str| format!("{path}.{f}");
    let parsed = PhoneNumber::parse(&n.phone_number)
        .map_err(|e| seed_error(field("phone_number"), e.to_string()))?;
    // A number of the simulated inventory keeps what the inventory says of
    // it; any other number of a simulated country is a local number with
    // voice, SMS and MMS.
    let (number_type, iso_country, capabilities, default_name) = match inventory::lookup(&parsed) {
        Some(a) => (
            a.number_type,
            a.iso_country.iso().to_owned(),
            a.capabilities,
            a.friendly_name,
        ),
        None => {
            let country = parsed.country().ok_or_else(|| {
                let known: Vec<&str> = Country::all().iter().map(|c| c.iso()).collect();
                seed_error(
                    field("phone_number"),
                    format!("not a number of a simulated country ({})", known.join(", ")),
                )
            })?;
            (
                NumberType::Local,
                country.iso().to_owned(),
                Capabilities {
                    voice: true,
                    sms: true,
                    mms: true,
                    fax: false,
                },
                parsed.formatted(),
            )
        }
    };
    let friendly_name = match &n.friendly_name {
        Some(f) => at(
            &field("friendly_name"),
            validate::text(NumberField::Name, f, 64),
        )?,
        None => default_name,
    };
    Ok(CheckedNumber {
        sid: sid(&field("sid"), &n.sid, PhoneNumberSid::parse)?,
        phone_number: parsed.as_str().to_owned(),
        friendly_name,
        number_type,
        iso_country,
        capabilities,
        hooks: CheckedHooks {
            voice_url: url(&field("voice_url"), &n.voice_url)?,
            voice_method: method(&field("voice_method"), &n.voice_method)?,
            voice_fallback_url: url(&field("voice_fallback_url"), &n.voice_fallback_url)?,
            voice_fallback_method: method(
                &field("voice_fallback_method"),
                &n.voice_fallback_method,
            )?,
            sms_url: url(&field("sms_url"), &n.sms_url)?,
            sms_method: method(&field("sms_method"), &n.sms_method)?,
            sms_fallback_url: url(&field("sms_fallback_url"), &n.sms_fallback_url)?,
            sms_fallback_method: method(&field("sms_fallback_method"), &n.sms_fallback_method)?,
            status_callback: url(&field("status_callback"), &n.status_callback)?,
            status_callback_method: method(
                &field("status_callback_method"),
                &n.status_callback_method,
            )?,
        },
    })
}

fn numbers(
    path: &str,
    list: &[SeedPhoneNumber],
    seen: &mut BTreeSet<String>,
) -> DomainResult<Vec<CheckedNumber>> {
    let mut out = Vec::with_capacity(list.len());
    for (i, n) in list.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let checked = number(&at, n)?;
        if !seen.insert(checked.phone_number.clone()) {
            return Err(seed_error(
                format!("{at}.phone_number"),
                format!("{} is already in this seed", checked.phone_number),
            ));
        }
        out.push(checked);
    }
    Ok(out)
}

fn balance(path: &str, b: &Option<Balance>) -> DomainResult<i64> {
    let money = match b {
        None => return Ok(TRIAL_CREDIT.micros()),
        Some(Balance::Number(n)) => {
            if !n.is_finite() || n.abs() > 1e9 {
                return Err(seed_error(path, "a balance is an amount of US dollars"));
            }
            Money::from_micros((n * 1e6).round() as i64)
        }
        Some(Balance::Text(t)) => Money::parse_decimal(t.trim())
            .map_err(|_| seed_error(path, "a balance is an amount of US dollars, like 20.00"))?,
    };
    Ok(money.micros())
}

impl SeedDocument {
    /// Checks every field; the first problem is reported at its path.
    pub fn check(&self) -> DomainResult<CheckedSeed> {
        let mut seen_numbers = BTreeSet::new();
        let mut seen_sids = BTreeSet::new();
        let mut seen_emails = BTreeSet::new();
        let mut fixed = |path: &str, sid: Option<&str>| -> DomainResult<()> {
            if let Some(s) = sid
                && !seen_sids.insert(s.to_owned())
            {
                return Err(seed_error(
                    path,
                    format!("{s} is already used in this seed"),
                ));
            }
            Ok(())
        };
        let mut accounts = Vec::new();
        let mut apps: Vec<CheckedApp> = Vec::new();
        for (account_name, a) in &self.accounts {
            let path = format!("accounts.{account_name}");
            let field = |f: &str| format!("{path}.{f}");
            name(&path, account_name)?;
            let account_type = match a.account_type.as_deref() {
                None | Some("Full") => AccountType::Full,
                Some("Trial") => AccountType::Trial,
                Some(_) => return Err(seed_error(field("type"), "Full or Trial")),
            };
            let account_sid = sid(&field("sid"), &a.sid, AccountSid::parse)?;
            fixed(&field("sid"), account_sid.as_ref().map(AccountSid::as_str))?;
            let friendly_name = at(
                &field("friendly_name"),
                validate::friendly_name(
                    AccountField::Name,
                    a.friendly_name.as_deref().unwrap_or(account_name),
                ),
            )?;
            let console = match (&a.email, &a.password) {
                (None, None) => None,
                (Some(email), Some(pass)) => {
                    let email = at(&field("email"), validate::email(email))?;
                    at(&field("password"), password::validate(pass))?;
                    if !seen_emails.insert(email.clone()) {
                        return Err(seed_error(
                            field("email"),
                            format!("{email} is already in this seed"),
                        ));
                    }
                    Some((email, pass.clone()))
                }
                (Some(_), None) => {
                    return Err(seed_error(field("password"), "an email needs a password"));
                }
                (None, Some(_)) => {
                    return Err(seed_error(field("email"), "a password needs an email"));
                }
            };
            let mut subaccounts = Vec::new();
            for (sub_name, s) in &a.subaccounts {
                let sub_path = format!("{path}.subaccounts.{sub_name}");
                let sub_field = |f: &str| format!("{sub_path}.{f}");
                name(&sub_path, sub_name)?;
                let sub_sid = sid(&sub_field("sid"), &s.sid, AccountSid::parse)?;
                fixed(&sub_field("sid"), sub_sid.as_ref().map(AccountSid::as_str))?;
                subaccounts.push(CheckedSubaccount {
                    name: sub_name.clone(),
                    sid: sub_sid,
                    auth_token: auth_token(&sub_field("auth_token"), &s.auth_token)?,
                    friendly_name: at(
                        &sub_field("friendly_name"),
                        validate::friendly_name(
                            AccountField::Name,
                            s.friendly_name.as_deref().unwrap_or(sub_name),
                        ),
                    )?,
                    numbers: numbers(
                        &sub_field("phone_numbers"),
                        &s.phone_numbers,
                        &mut seen_numbers,
                    )?,
                    history: history(&sub_field("history"), &s.history)?,
                });
            }
            if !a.connect_apps.is_empty() && account_type != AccountType::Full {
                return Err(seed_error(
                    field("connect_apps"),
                    "only Full accounts own Connect Apps",
                ));
            }
            for (app_name, c) in &a.connect_apps {
                let app_path = format!("{path}.connect_apps.{app_name}");
                let app_field = |f: &str| format!("{app_path}.{f}");
                name(&app_path, app_name)?;
                if let Some(other) = apps.iter().find(|x| &x.name == app_name) {
                    return Err(seed_error(
                        app_path,
                        format!(
                            "a Connect App of accounts.{} has this name already: app names are unique in a seed",
                            other.owner
                        ),
                    ));
                }
                let app_sid = sid(&app_field("sid"), &c.sid, ConnectAppSid::parse)?;
                fixed(
                    &app_field("sid"),
                    app_sid.as_ref().map(ConnectAppSid::as_str),
                )?;
                let friendly_name = at(
                    &app_field("friendly_name"),
                    validate::friendly_name(
                        AppField::Name,
                        c.friendly_name.as_deref().unwrap_or(app_name),
                    ),
                )?;
                let text = |f: &str, v: &Option<String>, max| {
                    v.as_deref()
                        .map(|v| at(&app_field(f), validate::text(AppField::Description, v, max)))
                        .transpose()
                        .map(|t| t.filter(|t| !t.is_empty()))
                };
                apps.push(CheckedApp {
                    name: app_name.clone(),
                    owner: account_name.clone(),
                    sid: app_sid,
                    company_name: text(
                        "company_name",
                        &c.company_name,
                        connect_apps::MAX_COMPANY_NAME,
                    )?
                    .or_else(|| Some(friendly_name.clone())),
                    friendly_name,
                    description: text(
                        "description",
                        &c.description,
                        connect_apps::MAX_DESCRIPTION,
                    )?,
                    homepage_url: url(&app_field("homepage_url"), &c.homepage_url)?,
                    terms_of_service_url: url(
                        &app_field("terms_of_service_url"),
                        &c.terms_of_service_url,
                    )?,
                    authorize_redirect_url: url(
                        &app_field("authorize_redirect_url"),
                        &c.authorize_redirect_url,
                    )?,
                    deauthorize_callback_url: url(
                        &app_field("deauthorize_callback_url"),
                        &c.deauthorize_callback_url,
                    )?,
                    deauthorize_callback_method: method(
                        &app_field("deauthorize_callback_method"),
                        &c.deauthorize_callback_method,
                    )?
                    .as_str()
                    .to_owned(),
                    permissions: permissions(&app_field("permissions"), &c.permissions)?,
                });
            }
            accounts.push(CheckedAccount {
                name: account_name.clone(),
                account_type,
                sid: account_sid,
                auth_token: auth_token(&field("auth_token"), &a.auth_token)?,
                friendly_name,
                console,
                balance_micros: balance(&field("balance"), &a.balance)?,
                numbers: numbers(&field("phone_numbers"), &a.phone_numbers, &mut seen_numbers)?,
                history: history(&field("history"), &a.history)?,
                subaccounts,
            });
        }
        let mut grants: Vec<CheckedGrant> = Vec::new();
        for (i, g) in self.authorizations.iter().enumerate() {
            let path = format!("authorizations[{i}]");
            let field = |f: &str| format!("{path}.{f}");
            let customer = accounts
                .iter()
                .find(|a| a.name == g.customer)
                .ok_or_else(|| {
                    seed_error(
                        field("customer"),
                        format!("no account named {:?} in this seed", g.customer),
                    )
                })?;
            // The consent page's rule.
            if customer.account_type != AccountType::Full {
                return Err(seed_error(
                    field("customer"),
                    "only upgraded (Full) accounts can authorize Connect Apps",
                ));
            }
            let app = apps
                .iter()
                .find(|a| a.name == g.connect_app)
                .ok_or_else(|| {
                    seed_error(
                        field("connect_app"),
                        format!("no Connect App named {:?} in this seed", g.connect_app),
                    )
                })?;
            if grants
                .iter()
                .any(|x| x.customer == g.customer && x.app == g.connect_app)
            {
                return Err(seed_error(
                    path,
                    "this customer already authorizes this app in this seed",
                ));
            }
            let granted = match &g.permissions {
                None => app.permissions,
                Some(list) => {
                    let p = permissions(&field("permissions"), list)?;
                    if p.intersect(app.permissions) != p {
                        return Err(seed_error(
                            field("permissions"),
                            "a customer can only approve what the app asks for",
                        ));
                    }
                    p
                }
            };
            let subaccount = sid(&field("account_sid"), &g.account_sid, AccountSid::parse)?;
            fixed(
                &field("account_sid"),
                subaccount.as_ref().map(AccountSid::as_str),
            )?;
            grants.push(CheckedGrant {
                customer: g.customer.clone(),
                app: g.connect_app.clone(),
                permissions: granted,
                subaccount,
            });
        }
        Ok(CheckedSeed {
            accounts,
            apps,
            grants,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(json: &str) -> (String, String) {
        match SeedDocument::from_json(json).and_then(|d| d.check()) {
            Err(DomainError::Seed { path, message }) => (path, message),
            other => panic!("{json}: {other:?}"),
        }
    }

    #[test]
    fn the_issues_example_is_a_seed() {
        let seed = SeedDocument::from_json(
            r#"{"accounts": {
                "owner": {"type": "Full", "sid": "AC0123456789abcdef0123456789abcdef",
                    "auth_token": "0123456789abcdef0123456789abcdef",
                    "email": "owner@example.test", "password": "correct horse",
                    "connect_apps": {"analytics": {"friendly_name": "Call Analytics",
                        "company_name": "Rossum",
                        "authorize_redirect_url": "https://app.example.test/twilio/authorize",
                        "deauthorize_callback_url": "https://app.example.test/twilio/deauthorize",
                        "deauthorize_callback_method": "POST",
                        "permissions": ["get-all", "post-all"]}}},
                "bob": {"type": "Full", "phone_numbers": [{"phone_number": "+14155550100",
                    "sms_url": "https://app.example.test/sms"}]}},
             "authorizations": [{"customer": "bob", "connect_app": "analytics",
                "permissions": ["get-all", "post-all"]}]}"#,
        )
        .unwrap()
        .check()
        .unwrap();
        assert_eq!(seed.accounts.len(), 2);
        assert_eq!(seed.apps[0].owner, "owner");
        assert_eq!(
            seed.grants[0].permissions.bits(),
            seed.apps[0].permissions.bits()
        );
        assert_eq!(seed.accounts[0].numbers[0].phone_number, "+14155550100");
    }

    #[test]
    fn problems_name_the_path_of_the_bad_field() {
        let cases = [
            (
                r#"{"accounts": {"owner": {"connect_apps": {"analytics": {"permissions": ["get-all", "sudo"]}}}}}"#,
                "accounts.owner.connect_apps.analytics.permissions[1]",
            ),
            (
                r#"{"accounts": {"owner": {"sid": "ACnope"}}}"#,
                "accounts.owner.sid",
            ),
            (
                r#"{"accounts": {"owner": {"type": "Gold"}}}"#,
                "accounts.owner.type",
            ),
            (
                r#"{"accounts": {"owner": {"colour": "red"}}}"#,
                "accounts.owner.colour",
            ),
            (
                r#"{"accounts": {"owner": {"phone_numbers": [{"phone_number": "+14155550100"}, {"phone_number": "12"}]}}}"#,
                "accounts.owner.phone_numbers[1].phone_number",
            ),
            (
                r#"{"accounts": {"owner": {"phone_numbers": [{"phone_number": "+14155550100", "sms_url": "ftp://x"}]}}}"#,
                "accounts.owner.phone_numbers[0].sms_url",
            ),
            (
                r#"{"accounts": {"a": {"phone_numbers": [{"phone_number": "+14155550100"}]}, "b": {"phone_numbers": [{"phone_number": "+14155550100"}]}}}"#,
                "accounts.b.phone_numbers[0].phone_number",
            ),
            (
                r#"{"accounts": {"a": {}}, "authorizations": [{"customer": "a", "connect_app": "nope"}]}"#,
                "authorizations[0].connect_app",
            ),
            (
                r#"{"accounts": {"a": {"type": "Trial", "connect_apps": {"x": {}}}}}"#,
                "accounts.a.connect_apps",
            ),
            (
                r#"{"accounts": {"a": {"email": "a@example.test"}}}"#,
                "accounts.a.password",
            ),
            (
                r#"{"accounts": {"a": {"balance": "lots"}}}"#,
                "accounts.a.balance",
            ),
            (
                r#"{"accounts": {"a": {"auth_token": "short"}}}"#,
                "accounts.a.auth_token",
            ),
            (
                r#"{"accounts": {"a": {"subaccounts": {"s": {"history": {"calls": 1, "days": 0}}}}}}"#,
                "accounts.a.subaccounts.s.history.days",
            ),
            (r#"{"accounts": []}"#, "accounts"),
            (r#"[1]"#, "(document)"),
            (r#"{"accounts": "#, "(document)"),
        ];
        for (json, path) in cases {
            assert_eq!(problem(json).0, path, "{json}");
        }
    }

    #[test]
    fn toml_is_the_same_structure() {
        let seed = SeedDocument::from_toml(
            r#"
[accounts.owner]
type = "Full"
email = "owner@example.test"
password = "correct horse"

[accounts.owner.connect_apps.analytics]
friendly_name = "Call Analytics"
permissions = ["get-all"]

[[accounts.bob.phone_numbers]]
phone_number = "+14155550100"
sms_url = "https://app.example.test/sms"

[[authorizations]]
customer = "bob"
connect_app = "analytics"
"#,
        )
        .unwrap()
        .check()
        .unwrap();
        assert_eq!(seed.apps[0].name, "analytics");
        assert_eq!(seed.grants[0].customer, "bob");
        assert_eq!(seed.accounts[0].name, "bob");
    }
}
