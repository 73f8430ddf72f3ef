//! A count of things in progress that stays right when a future is cancelled.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Holds one unit of `count` for as long as it lives: taken on creation, given
/// back on drop, which also happens when the future holding it is dropped
/// mid-await.
pub(crate) struct Counted<'a>(&'a AtomicUsize);

impl<'a> Counted<'a> {
    pub(crate) fn enter(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Counted(count)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
