//! What Switchboard does, independent of HTTP: accounts, Connect grants, the
//! permission policy, telephony simulation, billing and deliveries.
//!
//! [`Switchboard`] is the handle every operation hangs off. Operations on API
//! resources take an [`access::Access`], which only the policy hands out, so no
//! caller can skip the permission check.

#![forbid(unsafe_code)]

pub mod access;
pub mod accounts;
pub mod api_keys;
pub mod applications;
pub mod audit;
pub mod clock;
pub mod connect_apps;
pub mod console;
pub mod delivery;
pub mod error;
pub mod faults;
pub mod grants;
pub mod health;
pub mod housekeeping;
pub mod messaging_services;
pub mod network_traversal;
pub mod notifications;
pub mod ops;
pub mod password;
pub mod sandbox;
pub mod secrets;
pub mod telephony;
pub mod tokens;
pub mod usage_triggers;
mod validate;

use switchboard_store::Store;

pub use error::{DomainError, DomainResult};
/// Address blocks, for the trusted proxies in [`Settings`].
pub use ipnet::IpNet;
use secrets::Keys;

/// Settings the domain needs from the operator.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The base URL Switchboard is reached at, without a trailing slash; used in
    /// absolute links and webhook signatures.
    pub public_url: String,
    /// Whether Trial accounts may upgrade themselves from the console.
    pub allow_self_upgrade: bool,
    /// How webhooks are sent and retried.
    pub callbacks: delivery::worker::CallbackSettings,
    /// The simulation clock and the price list.
    pub telephony: telephony::TelephonySettings,
    /// Reverse proxies whose `X-Forwarded-For` names the client; from any other
    /// peer the header is ignored (`serve --trusted-proxy`).
    pub trusted_proxies: Vec<IpNet>,
    /// Sandbox mode (`serve --sandbox`, `switchboard sandbox`, `demo`): the
    /// control plane under `/switchboard/v1/Sandboxes` is on. For tests and
    /// local development, never for a shared deployment.
    pub sandbox: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:8080".to_owned(),
            allow_self_upgrade: false,
            callbacks: delivery::worker::CallbackSettings::default(),
            telephony: telephony::TelephonySettings::default(),
            trusted_proxies: Vec::new(),
            sandbox: false,
        }
    }
}

/// The running system: its store, keys and settings. A clone is one reference
/// count: the web framework clones it for every request, and with one count
/// per part the cores took turns owning each of their cache lines
/// (docs/benchmarks.md, finding 13).
#[derive(Clone)]
pub struct Switchboard {
    shared: std::sync::Arc<Shared>,
}

struct Shared {
    store: Store,
    keys: Keys,
    settings: Settings,
    deliveries_committed: tokio::sync::Notify,
    simulator_work: tokio::sync::Notify,
    workers: health::Workers,
    attempts: ops::AttemptCounters,
    faults: faults::FaultCache,
    clocks: clock::WorldClocks,
    /// When this process opened the store: leases taken before it are a
    /// dead process's (see `run_deliveries`).
    opened: switchboard_types::Timestamp,
}

impl Switchboard {
    /// Loads (or, on first start, creates) the installation's keys.
    pub async fn open(store: Store, settings: Settings) -> DomainResult<Switchboard> {
        let keys = Keys::load(&store).await?;
        Ok(Switchboard {
            shared: std::sync::Arc::new(Shared {
                store,
                keys,
                settings,
                deliveries_committed: tokio::sync::Notify::new(),
                simulator_work: tokio::sync::Notify::new(),
                workers: health::Workers::default(),
                attempts: ops::AttemptCounters::default(),
                faults: faults::FaultCache::default(),
                clocks: clock::WorldClocks::default(),
                opened: switchboard_types::Timestamp::now(),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn keys(&self) -> &Keys {
        &self.shared.keys
    }

    pub fn settings(&self) -> &Settings {
        &self.shared.settings
    }

    /// When this process opened the store.
    pub(crate) fn opened(&self) -> switchboard_types::Timestamp {
        self.shared.opened
    }

    /// Signalled when deliveries are committed on this node.
    pub fn delivery_signal(&self) -> &tokio::sync::Notify {
        &self.shared.deliveries_committed
    }

    /// Which sandboxes this node saw without fault rules.
    fn shared_faults(&self) -> &faults::FaultCache {
        &self.shared.faults
    }

    /// The world clocks this node read lately.
    fn shared_clocks(&self) -> &clock::WorldClocks {
        &self.shared.clocks
    }

    /// Signalled when calls or messages are placed on this node.
    pub fn simulator_signal(&self) -> &tokio::sync::Notify {
        &self.shared.simulator_work
    }
}
