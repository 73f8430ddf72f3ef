//! What a node clears up in the background: expired console sessions, and
//! sign-in failures too old to throttle anyone (`console.rs`). Both tables grow
//! with every sign-in and every failed one, so without this they grow for ever.
//! Deleting what is expired is idempotent, so every node may run it.

use std::future::Future;
use std::time::Duration;

use crate::Switchboard;

/// How often `serve` clears up.
pub const HOUSEKEEPING_INTERVAL: Duration = Duration::from_secs(10 * 60);

impl Switchboard {
    /// Clears up at once, then every `interval`, until `stop` resolves.
    pub async fn run_housekeeping(self, interval: Duration, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            if let Err(e) = self.forget_expired_sessions().await {
                tracing::warn!(error = %e, "clearing expired sessions and sign-in failures failed");
            }
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(interval) => {}
            }
        }
    }
}
