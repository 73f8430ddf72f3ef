//! How the example is configured: flags, or `CALL_ANALYTICS_*` environment variables.

use std::net::SocketAddr;

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "CALL_ANALYTICS_LISTEN", default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,

    /// The base URL Switchboard reaches this app at. Deauthorize callbacks are
    /// signed over the URL Switchboard called, so it must be exact. Default:
    /// http://<listen address>.
    #[arg(long, env = "CALL_ANALYTICS_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Switchboard's base URL, for the Connect button and the REST API.
    #[arg(
        long,
        env = "CALL_ANALYTICS_SWITCHBOARD_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub switchboard_url: String,

    /// This app's Connect App SID (CN…), from Switchboard's console.
    #[arg(long, env = "CALL_ANALYTICS_CONNECT_APP_SID")]
    pub connect_app_sid: String,

    /// The Account SID of the account that owns the Connect App.
    #[arg(long, env = "CALL_ANALYTICS_OWNER_ACCOUNT_SID")]
    pub owner_account_sid: String,

    /// That account's auth token: used with a customer's Account SID to call
    /// the API, and to check callback signatures.
    #[arg(long, env = "CALL_ANALYTICS_OWNER_AUTH_TOKEN", hide_env_values = true)]
    pub owner_auth_token: String,

    /// A user of this app, as NAME:PASSWORD (repeat the flag, or separate with
    /// commas in the environment variable).
    #[arg(
        long = "user",
        env = "CALL_ANALYTICS_USERS",
        value_delimiter = ',',
        required = true,
        hide_env_values = true
    )]
    pub users: Vec<String>,
}

impl Config {
    pub fn public_url(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
            .trim_end_matches('/')
            .to_owned()
    }

    /// NAME → PASSWORD.
    pub fn user_list(&self) -> Vec<(String, String)> {
        self.users
            .iter()
            .filter_map(|u| u.split_once(':'))
            .map(|(n, p)| (n.to_owned(), p.to_owned()))
            .collect()
    }
}
