//! A small number for the current thread, the same on every call from it.
//!
//! State that every request touches (a reader connection, the caller cache) is
//! split into slots, and each thread goes to its own slot first. With one slot
//! shared by all, the two cores of a small machine took turns owning its cache
//! lines: each request waited for the line the other core had just written
//! (docs/benchmarks.md, finding 13). Runtime worker threads live as long as the
//! server, so a thread keeps its slot, and what it last used stays in its
//! core's cache.

use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static SLOT: usize = NEXT.fetch_add(1, Ordering::Relaxed);
}

/// This thread's slot among `n` (n > 0). Threads beyond `n` share slots.
pub(crate) fn of(n: usize) -> usize {
    SLOT.with(|slot| *slot) % n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_keeps_its_slot_and_threads_spread_over_slots() {
        let mine = of(1_000_000);
        assert_eq!(of(1_000_000), mine);
        let others: Vec<usize> = (0..4)
            .map(|_| std::thread::spawn(|| of(1_000_000)).join().unwrap())
            .collect();
        let mut all = others.clone();
        all.push(mine);
        all.sort_unstable();
        all.dedup();
        assert_eq!(
            all.len(),
            5,
            "every thread has a slot of its own: {others:?} and {mine}"
        );
    }
}
