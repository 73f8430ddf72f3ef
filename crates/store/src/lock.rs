//! Locking a mutex whose data stays usable after a panic.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`, taking a poisoned lock as it is. Only for data that every
/// critical section leaves consistent; each caller says why its data is.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
