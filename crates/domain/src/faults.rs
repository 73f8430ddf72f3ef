//! Fault rules (sandbox mode): a test makes the next matching API requests
//! made with its sandbox's credentials fail as it says (Twilio's error shape
//! with a status, code and message), or wait, or both; nothing they would
//! have done is done. [`Faults`], reached by [`Switchboard::faults`].
//!
//! Rules live in the store, counted down one statement per request, so every
//! node agrees how many failures a rule has left. Each node remembers for a
//! moment which sandboxes have no rules ([`FaultCache`]), so a request in a
//! sandbox without rules costs a map lookup, not a query; outside sandbox
//! mode nothing is looked at.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use switchboard_store::faults::{self, FaultRecord};
use switchboard_types::Timestamp;

use crate::Switchboard;
use crate::access::{Access, Action, Credentials, Resource};
use crate::error::{DomainError, DomainResult};
use crate::sandbox::{actions, record_lifecycle};

/// How long a node trusts that a sandbox has no rules: a rule made on another
/// node is applied here within this time (at once on the node that made it).
const NO_RULES_FOR: Duration = Duration::from_millis(250);

/// The most rules a sandbox may hold at once.
pub const MAX_RULES: usize = 100;

/// The methods a rule may name (`*`: any).
pub const METHODS: [&str; 7] = ["*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];

/// A path pattern: segments matched one for one, `*` standing for any run of
/// characters within a segment (`/2010-04-01/Accounts/*/Messages/*.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern(String);

impl PathPattern {
    /// At most 512 characters, starting with `/`, without a query or
    /// fragment.
    pub fn parse(value: &str) -> Result<PathPattern, &'static str> {
        if !value.starts_with('/') {
            return Err("Path must start with /");
        }
        if value.len() > 512 {
            return Err("Path must be at most 512 characters long");
        }
        if value.contains(['?', '#']) || value.chars().any(char::is_control) {
            return Err("Path must be a path alone, without a query string or fragment");
        }
        Ok(PathPattern(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `path` (a request's, as sent) matches.
    pub fn matches(&self, path: &str) -> bool {
        let mut want = self.0.split('/');
        let mut got = path.split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if glob(w, g) => {}
                _ => return false,
            }
        }
    }
}

/// `*` in `pattern` matches any run of characters of `text`.
fn glob(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut text) = text.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = rest.split('*').collect();
    let last = parts.pop().unwrap_or("");
    for part in parts {
        match text.find(part) {
            Some(i) => text = &text[i + part.len()..],
            None => return false,
        }
    }
    text.len() >= last.len() && text.ends_with(last)
}

/// The error a rule answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultError {
    /// An HTTP status from 400 to 599.
    pub status: u16,
    /// A Twilio error code.
    pub code: u32,
    pub message: Option<String>,
}

/// A rule to add, as the wire layer parsed it.
#[derive(Debug, Clone)]
pub struct NewFault {
    /// One of [`METHODS`].
    pub method: &'static str,
    pub path: PathPattern,
    /// `None`: the request only waits, then goes through.
    pub error: Option<FaultError>,
    /// How many matching requests it applies to (at least 1).
    pub count: u32,
    pub delay: Duration,
}

/// A rule, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub sid: String,
    pub sandbox_sid: String,
    pub method: String,
    pub path: String,
    pub error: Option<FaultError>,
    pub count: u32,
    pub remaining: u32,
    pub delay: Duration,
    pub date_created: Timestamp,
}

impl From<FaultRecord> for FaultRule {
    fn from(r: FaultRecord) -> Self {
        let error = match (r.status, r.code) {
            (Some(status), Some(code)) => Some(FaultError {
                status: u16::try_from(status).unwrap_or(500),
                code: u32::try_from(code).unwrap_or(0),
                message: r.message,
            }),
            _ => None,
        };
        FaultRule {
            sid: r.sid,
            sandbox_sid: r.sandbox_sid,
            method: r.method,
            path: r.path,
            error,
            count: u32::try_from(r.count).unwrap_or(0),
            remaining: u32::try_from(r.remaining).unwrap_or(0),
            delay: Duration::from_millis(u64::try_from(r.delay_ms).unwrap_or(0)),
            date_created: r.date_created,
        }
    }
}

/// What a request that matched a rule gets: a wait, then the error (or, with
/// none, its own answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultHit {
    pub rule: String,
    pub delay: Duration,
    pub error: Option<FaultError>,
}

/// Which sandboxes this node saw without rules, and when.
#[derive(Default)]
pub struct FaultCache {
    none_since: Mutex<HashMap<String, Instant>>,
}

impl FaultCache {
    fn known_empty(&self, sandbox: &str) -> bool {
        let map = self.none_since.lock().unwrap_or_else(|e| e.into_inner());
        map.get(sandbox)
            .is_some_and(|at| at.elapsed() < NO_RULES_FOR)
    }

    fn set_empty(&self, sandbox: &str, empty: bool) {
        let mut map = self.none_since.lock().unwrap_or_else(|e| e.into_inner());
        if empty {
            // Bounded: forget old entries rather than grow with every sandbox.
            if map.len() > 10_000 {
                map.retain(|_, at| at.elapsed() < NO_RULES_FOR);
            }
            map.insert(sandbox.to_owned(), Instant::now());
        } else {
            map.remove(sandbox);
        }
    }
}

/// A rule as its audit entry tells it: `GET /2010-04-01/… → 503 20429, 250 ms, ×3`.
fn describe(r: &FaultRecord) -> String {
    let mut text = format!("{} {}", r.method, r.path);
    if let (Some(status), Some(code)) = (r.status, r.code) {
        text.push_str(&format!(" → {status} {code}"));
    }
    if r.delay_ms > 0 {
        text.push_str(&format!(", {} ms", r.delay_ms));
    }
    text.push_str(&format!(", ×{}", r.count));
    text
}

impl Switchboard {
    /// A sandbox's fault rules.
    pub fn faults(&self) -> Faults<'_> {
        Faults { sb: self }
    }
}

pub struct Faults<'a> {
    sb: &'a Switchboard,
}

fn sandbox_only(sb: &Switchboard) -> DomainResult<()> {
    match sb.settings().sandbox {
        true => Ok(()),
        false => Err(DomainError::NotFound),
    }
}

impl Faults<'_> {
    /// Adds a rule to the sandbox the access was granted on.
    pub async fn create(&self, access: &Access, new: NewFault) -> DomainResult<FaultRule> {
        sandbox_only(self.sb)?;
        access.require(Action::Write, Resource::Sandbox)?;
        let sandbox = access.sandbox()?.as_str();
        let active = self.sb.store().all(faults::active(sandbox)).await?;
        if active.len() >= MAX_RULES {
            return Err(DomainError::Conflict(format!(
                "A sandbox holds at most {MAX_RULES} fault rules; clear them first"
            )));
        }
        let record = FaultRecord {
            sid: format!("FR{}", &crate::secrets::random_id()[..32]),
            sandbox_sid: sandbox.to_owned(),
            method: new.method.to_owned(),
            path: new.path.as_str().to_owned(),
            status: new.error.as_ref().map(|e| i64::from(e.status)),
            code: new.error.as_ref().map(|e| i64::from(e.code)),
            message: new.error.as_ref().and_then(|e| e.message.clone()),
            delay_ms: i64::try_from(new.delay.as_millis()).unwrap_or(i64::MAX),
            count: i64::from(new.count),
            remaining: i64::from(new.count),
            date_created: Timestamp::now(),
        };
        let sandbox_sid = access.sandbox()?;
        let mut tx = self.sb.store().begin().await?;
        tx.run(faults::insert(&record)).await?;
        record_lifecycle(
            &mut tx,
            access,
            sandbox_sid,
            actions::FAULT_ADD,
            Some(describe(&record)),
        )
        .await?;
        tx.commit().await?;
        self.sb.shared_faults().set_empty(sandbox, false);
        tracing::info!(sandbox, rule = %record.sid, "added a fault rule");
        Ok(record.into())
    }

    /// The rules of the access's sandbox with failures left, oldest first.
    pub async fn list(&self, access: &Access) -> DomainResult<Vec<FaultRule>> {
        sandbox_only(self.sb)?;
        access.require(Action::Read, Resource::Sandbox)?;
        let sandbox = access.sandbox()?.as_str();
        let rules = self.sb.store().all(faults::active(sandbox)).await?;
        Ok(rules.into_iter().map(FaultRule::from).collect())
    }

    /// Clears every rule of the access's sandbox.
    pub async fn clear(&self, access: &Access) -> DomainResult<()> {
        sandbox_only(self.sb)?;
        access.require(Action::Write, Resource::Sandbox)?;
        let sandbox_sid = access.sandbox()?;
        let sandbox = sandbox_sid.as_str();
        let mut tx = self.sb.store().begin().await?;
        let cleared = tx.run(faults::clear(sandbox)).await?;
        record_lifecycle(
            &mut tx,
            access,
            sandbox_sid,
            actions::FAULTS_CLEAR,
            Some(format!("{cleared} rules")),
        )
        .await?;
        tx.commit().await?;
        self.sb.shared_faults().set_empty(sandbox, true);
        Ok(())
    }

    /// The rule an API request made with `credentials` meets, if any, with
    /// one of its failures taken. Credentials that identify nobody, or an
    /// account outside every sandbox, meet none (the request then goes on to
    /// be answered as it would be).
    pub async fn hit(
        &self,
        credentials: &Credentials,
        method: &str,
        path: &str,
    ) -> DomainResult<Option<FaultHit>> {
        if !self.sb.settings().sandbox {
            return Ok(None);
        }
        let Some(sandbox) = self.sb.caller_sandbox(credentials).await? else {
            return Ok(None);
        };
        let sandbox = sandbox.as_str();
        let cache = self.sb.shared_faults();
        if cache.known_empty(sandbox) {
            return Ok(None);
        }
        let rules = self.sb.store().all(faults::active(sandbox)).await?;
        cache.set_empty(sandbox, rules.is_empty());
        for rule in rules {
            let method_matches = rule.method == "*" || rule.method.eq_ignore_ascii_case(method);
            if !method_matches || !PathPattern(rule.path.clone()).matches(path) {
                continue;
            }
            // Another request may have taken its last failure meanwhile.
            if self
                .sb
                .store()
                .run(faults::take(sandbox, &rule.sid))
                .await?
                == 0
            {
                continue;
            }
            let rule = FaultRule::from(rule);
            tracing::info!(sandbox, rule = %rule.sid, method, path, "a fault rule applied");
            return Ok(Some(FaultHit {
                rule: rule.sid,
                delay: rule.delay,
                error: rule.error,
            }));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathPattern {
        PathPattern::parse(s).unwrap()
    }

    #[test]
    fn patterns_match_segment_by_segment() {
        let messages = p("/2010-04-01/Accounts/*/Messages.json");
        assert!(messages.matches("/2010-04-01/Accounts/AC123/Messages.json"));
        assert!(!messages.matches("/2010-04-01/Accounts/AC123/Calls.json"));
        assert!(!messages.matches("/2010-04-01/Accounts/AC1/x/Messages.json"));
        assert!(!messages.matches("/2010-04-01/Accounts/Messages.json"));
        assert!(!messages.matches("/2010-04-01/Accounts/AC1/Messages.json/x"));
        let one = p("/2010-04-01/Accounts/*/Messages/*.json");
        assert!(one.matches("/2010-04-01/Accounts/AC1/Messages/SM2.json"));
        assert!(!one.matches("/2010-04-01/Accounts/AC1/Messages/SM2"));
        assert!(p("/a/b*c*d").matches("/a/bxxcyyd"));
        assert!(p("/a/b*c*d").matches("/a/bcd"));
        assert!(!p("/a/b*c*d").matches("/a/bdc"));
        assert!(!p("/a/ab*ba").matches("/a/aba"));
        assert!(p("/*").matches("/anything"));
        assert!(!p("/*").matches("/a/b"));
        assert!(p("/exact").matches("/exact"));
        assert!(!p("/exact").matches("/exactly"));
    }

    #[test]
    fn patterns_are_paths_alone() {
        for bad in ["", "Accounts/*", "/a?b=1", "/a#b", "/a\nb"] {
            assert!(PathPattern::parse(bad).is_err(), "{bad:?}");
        }
        assert!(PathPattern::parse(&format!("/{}", "a".repeat(600))).is_err());
    }
}
