//! JSON shapes of the API's resources, in Twilio's field names.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use switchboard_domain::accounts::AccountView;
use switchboard_types::{AccountSid, ConnectAppSid, Permissions};

pub const API_PREFIX: &str = "/2010-04-01";

/// Subresources Switchboard serves under every account.
const ACCOUNT_SUBRESOURCES: &[(&str, &str)] = &[
    ("applications", "Applications"),
    ("authorized_connect_apps", "AuthorizedConnectApps"),
    ("available_phone_numbers", "AvailablePhoneNumbers"),
    ("balance", "Balance"),
    ("calls", "Calls"),
    ("connect_apps", "ConnectApps"),
    ("incoming_phone_numbers", "IncomingPhoneNumbers"),
    ("messages", "Messages"),
    ("notifications", "Notifications"),
    ("recordings", "Recordings"),
    ("usage", "Usage"),
];

/// A resource's `subresource_uris`: `{key: "{base}/{Path}.json"}` for each entry,
/// written straight into the response. Building a map of strings per item cost
/// a list page of calls 400 allocations (see docs/benchmarks.md).
pub struct SubresourceUris {
    base: String,
    entries: &'static [(&'static str, &'static str)],
}

impl SubresourceUris {
    /// `base` is the resource's URI without `.json`.
    pub fn new(base: String, entries: &'static [(&'static str, &'static str)]) -> Self {
        SubresourceUris { base, entries }
    }

    /// The resource's own URI.
    pub fn uri(&self) -> String {
        [self.base.as_str(), ".json"].concat()
    }
}

impl Serialize for SubresourceUris {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // One buffer, refilled per entry and written as a whole string: going
        // through `format_args!` had the serializer escape each of the pieces of
        // every URI separately (docs/benchmarks.md, finding 10).
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        let mut uri = String::with_capacity(self.base.len() + 48);
        for (key, path) in self.entries {
            uri.clear();
            uri.push_str(&self.base);
            uri.push('/');
            uri.push_str(path);
            uri.push_str(".json");
            map.serialize_entry(key, uri.as_str())?;
        }
        map.end()
    }
}

#[derive(Serialize)]
pub struct AccountJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<String>,
    pub date_created: String,
    pub date_updated: String,
    pub friendly_name: String,
    pub owner_account_sid: String,
    pub sid: String,
    pub status: &'static str,
    pub subresource_uris: SubresourceUris,
    #[serde(rename = "type")]
    pub account_type: &'static str,
    pub uri: String,
}

impl From<AccountView> for AccountJson {
    fn from(view: AccountView) -> Self {
        let r = view.record;
        let subresource_uris = SubresourceUris::new(
            format!("{API_PREFIX}/Accounts/{}", r.sid),
            ACCOUNT_SUBRESOURCES,
        );
        AccountJson {
            auth_token: view.auth_token,
            date_created: r.date_created.rfc2822(),
            date_updated: r.date_updated.rfc2822(),
            friendly_name: r.friendly_name,
            owner_account_sid: r.owner_account_sid.to_string(),
            uri: subresource_uris.uri(),
            subresource_uris,
            sid: r.sid.to_string(),
            status: r.status.as_str(),
            account_type: r.account_type.as_str(),
        }
    }
}

use switchboard_store::authorizations::{AuthorizationRecord, AuthorizedApp};
use switchboard_store::connect_apps::ConnectAppRecord;

#[derive(Serialize)]
pub struct ConnectAppJson {
    pub account_sid: String,
    pub authorize_redirect_url: Option<String>,
    pub company_name: Option<String>,
    pub deauthorize_callback_method: String,
    pub deauthorize_callback_url: Option<String>,
    pub description: Option<String>,
    pub friendly_name: String,
    pub homepage_url: Option<String>,
    pub permissions: Permissions,
    pub sid: String,
    pub uri: String,
}

impl From<ConnectAppRecord> for ConnectAppJson {
    fn from(a: ConnectAppRecord) -> Self {
        ConnectAppJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{}/ConnectApps/{}.json",
                a.account_sid, a.sid
            ),
            account_sid: a.account_sid.to_string(),
            authorize_redirect_url: a.authorize_redirect_url,
            company_name: a.company_name,
            deauthorize_callback_method: a.deauthorize_callback_method,
            deauthorize_callback_url: a.deauthorize_callback_url,
            description: a.description,
            friendly_name: a.friendly_name,
            homepage_url: a.homepage_url,
            permissions: a.permissions,
            sid: a.sid.to_string(),
        }
    }
}

/// A Connect App with Switchboard's additions (the extension API's answer).
#[derive(Serialize)]
pub struct ConnectAppExtendedJson {
    #[serde(flatten)]
    pub app: ConnectAppJson,
    pub terms_of_service_url: Option<String>,
    pub logo_url: Option<String>,
    pub authorize_url: String,
    /// Whether authorize redirects carry `Timestamp` and `Signature`.
    pub sign_redirects: bool,
    /// Called server to server whenever a customer authorizes the app.
    pub authorize_callback_url: Option<String>,
    pub authorize_callback_method: String,
    pub date_created: String,
    pub date_updated: String,
}

impl ConnectAppExtendedJson {
    pub fn new(a: ConnectAppRecord, public_url: &str) -> Self {
        ConnectAppExtendedJson {
            terms_of_service_url: a.terms_of_service_url.clone(),
            logo_url: a
                .has_logo
                .then(|| format!("{public_url}/connect-apps/{}/logo", a.sid)),
            authorize_url: format!("{public_url}/authorize/{}", a.sid),
            sign_redirects: a.sign_redirects,
            authorize_callback_url: a.authorize_callback_url.clone(),
            authorize_callback_method: a.authorize_callback_method.clone(),
            date_created: a.date_created.rfc2822(),
            date_updated: a.date_updated.rfc2822(),
            app: a.into(),
        }
    }
}

#[derive(Serialize)]
pub struct AuthorizedConnectAppJson {
    pub account_sid: String,
    pub connect_app_company_name: Option<String>,
    pub connect_app_description: Option<String>,
    pub connect_app_friendly_name: String,
    pub connect_app_homepage_url: Option<String>,
    pub connect_app_sid: String,
    pub permissions: Permissions,
    pub uri: String,
}

impl AuthorizedConnectAppJson {
    /// `account` is the account the list was read under (the path's).
    pub fn new(item: AuthorizedApp, account: &str) -> Self {
        let AuthorizedApp { grant, app } = item;
        AuthorizedConnectAppJson {
            uri: format!(
                "{API_PREFIX}/Accounts/{account}/AuthorizedConnectApps/{}.json",
                app.sid
            ),
            account_sid: grant.customer_account_sid.to_string(),
            connect_app_company_name: app.company_name,
            connect_app_description: app.description,
            connect_app_friendly_name: app.friendly_name,
            connect_app_homepage_url: app.homepage_url,
            connect_app_sid: app.sid.to_string(),
            permissions: grant.permissions,
        }
    }
}

/// A grant of a Connect App, as its owner reads it (an extension).
#[derive(Serialize)]
pub struct AppAuthorizationJson {
    /// The dedicated subaccount: what the app authenticates as.
    pub account_sid: AccountSid,
    pub connect_app_sid: ConnectAppSid,
    /// The customer's main account.
    pub customer_account_sid: AccountSid,
    /// What the customer granted.
    pub permissions: Permissions,
    /// What the app asks for now.
    pub requested_permissions: Permissions,
    /// The grant is active and holds other permissions than the app asks for
    /// now: the customer must authorize again for the app to get what it added.
    pub needs_reauthorization: bool,
    /// `active` or `revoked`.
    pub status: &'static str,
    /// When the customer last authorized the app.
    pub date_authorized: String,
    pub date_revoked: Option<String>,
    pub uri: String,
}

impl AppAuthorizationJson {
    pub fn new(app: &ConnectAppRecord, grant: AuthorizationRecord) -> Self {
        AppAuthorizationJson {
            uri: format!(
                "/switchboard/v1/Accounts/{}/ConnectApps/{}/Authorizations/{}.json",
                app.account_sid, app.sid, grant.subaccount_sid
            ),
            needs_reauthorization: switchboard_domain::connect_apps::needs_reauthorization(
                app, &grant,
            ),
            status: match grant.is_active() {
                true => "active",
                false => "revoked",
            },
            date_authorized: grant.authorized_at.rfc2822(),
            date_revoked: grant.revoked_at.map(|t| t.rfc2822()),
            account_sid: grant.subaccount_sid,
            connect_app_sid: grant.connect_app_sid,
            customer_account_sid: grant.customer_account_sid,
            permissions: grant.permissions,
            requested_permissions: app.permissions,
        }
    }
}
