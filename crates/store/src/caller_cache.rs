//! Caller facts already read, reused while the facts cannot have changed.
//!
//! Every entry belongs to one stamp: a value the database gives out that changes
//! with every commit that could change the facts. On SQLite it is the WAL-index
//! header (`sqlite::commit_watch`), which changes with any commit at all, by any
//! process; on PostgreSQL it is the facts epoch, which triggers bump in the same
//! transaction as any change to an account, grant or app (`postgres::facts`).
//! An entry is handed out only under the stamp it was read at, so a revocation,
//! a rotated token or a suspended account makes every entry unusable before its
//! commit returns. Nothing is ever invalidated by hand, and there is nothing to
//! forget to invalidate.
//!
//! Stamps are taken in the same read as the facts (PostgreSQL) or before it
//! (SQLite): had a commit slipped in between, the facts would be filed under the
//! older stamp and simply never used.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use switchboard_types::{AccountSid, Username};

use crate::access::CallerFacts;
use crate::lock::lock;
use crate::thread_slot;

/// Enough for every Connect App and account active at once on one node; past
/// it, a thread's entries start again rather than grow.
const CAPACITY: usize = 10_000;

/// One set of entries per thread slot (`thread_slot`): a thread finds what it
/// filed itself, and the lock it takes on every request stays in its core's
/// cache instead of moving between cores. A caller seen by several threads is
/// read once by each.
pub(crate) struct CallerCache<S> {
    shards: Box<[Shard<S>]>,
}

/// Aligned so that no two shards' locks share a cache line.
#[repr(align(128))]
struct Shard<S>(Mutex<Entries<S>>);

impl<S> Default for CallerCache<S> {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        CallerCache {
            shards: (0..threads)
                .map(|_| Shard(Mutex::new(Entries::default())))
                .collect(),
        }
    }
}

struct Entries<S> {
    stamp: Option<S>,
    len: usize,
    /// By username, then by the account the path names (few per username).
    by_username: HashMap<Username, ByTarget>,
}

impl<S> Default for Entries<S> {
    fn default() -> Self {
        Entries {
            stamp: None,
            len: 0,
            by_username: HashMap::new(),
        }
    }
}

type ByTarget = Vec<(Option<AccountSid>, Arc<CallerFacts>)>;

impl<S: Copy + Eq> CallerCache<S> {
    pub(crate) fn get(
        &self,
        stamp: S,
        username: &Username,
        target: Option<&AccountSid>,
    ) -> Option<Arc<CallerFacts>> {
        let entries = self.lock();
        if entries.stamp != Some(stamp) {
            return None;
        }
        entries.find(username, target)
    }

    /// The newest facts filed for this caller, with the stamp they were read at,
    /// for a store that learns the current stamp only from its next read.
    pub(crate) fn latest(
        &self,
        username: &Username,
        target: Option<&AccountSid>,
    ) -> Option<(S, Arc<CallerFacts>)> {
        let entries = self.lock();
        Some((entries.stamp?, entries.find(username, target)?))
    }

    /// Files facts read at `stamp`.
    pub(crate) fn put(
        &self,
        stamp: S,
        username: &Username,
        target: Option<&AccountSid>,
        facts: Arc<CallerFacts>,
    ) {
        let mut entries = self.lock();
        let mut stale = None;
        if entries.stamp != Some(stamp) || entries.len >= CAPACITY {
            // Entries of any other stamp can never be handed out again.
            let fresh = Entries {
                stamp: Some(stamp),
                ..Entries::default()
            };
            stale = Some(std::mem::replace(&mut *entries, fresh));
        }
        let targets = entries.by_username.entry(username.clone()).or_default();
        if !targets.iter().any(|(t, _)| t.as_ref() == target) {
            targets.push((target.cloned(), facts));
            entries.len += 1;
        }
        // Freeing up to CAPACITY entries takes a while: not while holding the
        // lock every other request needs.
        drop(entries);
        drop(stale);
    }

    fn lock(&self) -> MutexGuard<'_, Entries<S>> {
        // The entries are consistent after any panic (each change is one push or
        // one replacement), so a poisoned lock is still usable.
        lock(&self.shards[thread_slot::of(self.shards.len())].0)
    }
}

impl<S> Entries<S> {
    fn find(&self, username: &Username, target: Option<&AccountSid>) -> Option<Arc<CallerFacts>> {
        self.by_username
            .get(username)?
            .iter()
            .find(|(t, _)| t.as_ref() == target)
            .map(|(_, facts)| facts.clone())
    }
}

#[cfg(test)]
mod tests {
    use switchboard_types::{AccountStatus, AccountType};

    use super::*;
    use crate::access::AccountFacts;

    fn user() -> Username {
        Username::Account(AccountSid::generate())
    }

    fn facts(username: &Username, status: AccountStatus) -> Arc<CallerFacts> {
        let sid = username.account().expect("an account");
        Arc::new(CallerFacts {
            key: None,
            username: AccountFacts {
                sid: sid.clone(),
                owner_account_sid: sid.clone(),
                status,
                account_type: AccountType::Full,
                sandbox_sid: None,
            },
            username_tokens: [Some(vec![1; 32]), None],
            parent_status: None,
            parent_tokens: [None, None],
            target: None,
            grant: None,
        })
    }

    #[test]
    fn facts_are_handed_out_only_under_the_stamp_they_were_read_at() {
        let cache = CallerCache::default();
        let (one, two) = (1_u64, 2_u64);
        let sid = user();
        assert!(cache.get(one, &sid, None).is_none());

        cache.put(one, &sid, None, facts(&sid, AccountStatus::Active));
        let hit = cache.get(one, &sid, None).expect("same stamp, same caller");
        assert_eq!(hit.username.status, AccountStatus::Active);
        // Another target, another username, another stamp: none of them.
        assert!(
            cache
                .get(one, &sid, Some(&AccountSid::generate()))
                .is_none()
        );
        assert!(cache.get(one, &user(), None).is_none());
        assert!(cache.get(two, &sid, None).is_none());

        let (stamp, latest) = cache.latest(&sid, None).expect("filed");
        assert_eq!(
            (stamp, latest.username.status),
            (one, AccountStatus::Active)
        );

        // Facts read after a commit replace everything filed before it.
        cache.put(two, &sid, None, facts(&sid, AccountStatus::Suspended));
        assert!(cache.get(one, &sid, None).is_none());
        assert_eq!(cache.latest(&sid, None).unwrap().0, two);
        assert_eq!(
            cache.get(two, &sid, None).unwrap().username.status,
            AccountStatus::Suspended
        );
    }

    #[test]
    fn targets_are_kept_apart_and_the_size_is_bounded() {
        let cache = CallerCache::default();
        let stamp = 7_u64;
        let sid = user();
        let other = AccountSid::generate();
        cache.put(stamp, &sid, None, facts(&sid, AccountStatus::Active));
        cache.put(
            stamp,
            &sid,
            Some(&other),
            facts(&sid, AccountStatus::Closed),
        );
        assert_eq!(
            cache.get(stamp, &sid, None).unwrap().username.status,
            AccountStatus::Active
        );
        assert_eq!(
            cache
                .get(stamp, &sid, Some(&other))
                .unwrap()
                .username
                .status,
            AccountStatus::Closed
        );

        for _ in 0..CAPACITY {
            let sid = user();
            cache.put(stamp, &sid, None, facts(&sid, AccountStatus::Active));
        }
        let entries = cache.lock();
        assert!(entries.len <= CAPACITY);
        assert_eq!(
            entries.len,
            entries.by_username.values().map(Vec::len).sum::<usize>()
        );
    }
}
