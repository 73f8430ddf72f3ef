//! The facts an API request is authorised from, read in the same statement as the
//! resource it asks for.
//!
//! Authentication is not a separate round trip: the caller's credentials, the
//! target account and the resource come back in one row set, so a read costs one
//! query and a revoked token or grant is seen by the very next request on every
//! node, with no cache to invalidate. Facts already read are reused only under
//! the stamp they were read at, which any commit that could change them moves
//! (see the store's `caller_cache`), so that promise holds. The decision itself is made
//! above, by the domain's policy; this module only reads.

use std::sync::Arc;

use switchboard_types::{
    AccountSid, AccountStatus, AccountType, ApiKeySid, ConnectAppSid, Permissions, SandboxSid,
    Username,
};

use crate::{Cols, Query, Result, params};

/// An account as authorisation sees it.
#[derive(Debug, Clone)]
pub struct AccountFacts {
    pub sid: AccountSid,
    pub owner_account_sid: AccountSid,
    pub status: AccountStatus,
    pub account_type: AccountType,
    /// The account's world: `None` is the default world, otherwise its sandbox.
    pub sandbox_sid: Option<SandboxSid>,
}

impl AccountFacts {
    pub fn is_main(&self) -> bool {
        self.sid == self.owner_account_sid
    }
}

/// MACs of an account's primary and secondary auth tokens.
pub type TokenMacs = [Option<Vec<u8>>; 2];

/// An API key named by the Basic username.
#[derive(Debug, Clone)]
pub struct KeyFacts {
    pub sid: ApiKeySid,
    /// The MAC of its secret.
    pub secret_mac: Vec<u8>,
}

/// Everything needed to decide who a request is and what it may reach.
#[derive(Debug, Clone)]
pub struct CallerFacts {
    /// The API key the username names, when it names one; then `username` is
    /// the key's account and `grant` the target's.
    pub key: Option<KeyFacts>,
    /// The account named by the Basic username (an API key's account).
    pub username: AccountFacts,
    pub username_tokens: TokenMacs,
    /// The parent of the username account, when that is a subaccount.
    pub parent_status: Option<AccountStatus>,
    pub parent_tokens: TokenMacs,
    /// The account the request's path names, if it exists.
    pub target: Option<AccountFacts>,
    /// The active Connect grant whose dedicated subaccount is the username
    /// account, with the app and its owner as they are now.
    pub grant: Option<GrantFacts>,
}

#[derive(Debug, Clone)]
pub struct GrantFacts {
    pub app: ConnectAppSid,
    /// What the customer approved (a snapshot taken at approval).
    pub granted_permissions: Permissions,
    /// What the app requests today.
    pub app_permissions: Permissions,
    pub app_owner: AccountSid,
    pub app_owner_status: AccountStatus,
    pub app_owner_tokens: TokenMacs,
}

/// The facts' columns, then the tables they come from up to the target's;
/// `$key` selects the API key's SID and secret MAC (NULL when the username is
/// an account), last: the username account's SID comes first, never NULL,
/// which is how a read tells "no such username" from facts.
macro_rules! facts_columns {
    ($key:literal) => {
        concat!(
            "SELECT u.sid AS f_u_sid, u.owner_account_sid AS f_u_owner, u.status AS f_u_status, \
             u.type AS f_u_type, u.sandbox_sid AS f_u_sandbox, \
             u.auth_token_mac AS f_u_t1, u.secondary_token_mac AS f_u_t2, \
             p.status AS f_p_status, p.auth_token_mac AS f_p_t1, p.secondary_token_mac AS f_p_t2, \
             t.sid AS f_t_sid, t.owner_account_sid AS f_t_owner, t.status AS f_t_status, t.type AS f_t_type, \
             t.sandbox_sid AS f_t_sandbox, \
             g.connect_app_sid AS f_g_app, g.permissions AS f_g_perms, ca.permissions AS f_a_perms, \
             o.sid AS f_o_sid, o.status AS f_o_status, o.auth_token_mac AS f_o_t1, o.secondary_token_mac AS f_o_t2, ",
            $key,
            " "
        )
    };
}

/// The joins after the username's account `u`: its parent, the target, and
/// the active grant on `$grant_of` (the username's account when it is an
/// account's credentials, the target for an API key's), its app and the
/// app's owner.
macro_rules! facts_joins {
    ($grant_of:literal) => {
        concat!(
            "LEFT JOIN accounts p ON p.sid = u.owner_account_sid AND p.sid <> u.sid \
             LEFT JOIN accounts t ON t.sid = $2 \
             LEFT JOIN authorizations g ON g.subaccount_sid = ",
            $grant_of,
            " AND g.revoked_at IS NULL \
             LEFT JOIN connect_apps ca ON ca.sid = g.connect_app_sid \
             LEFT JOIN accounts o ON o.sid = ca.account_sid "
        )
    };
}

/// The facts of an account's credentials (the username is an Account SID).
macro_rules! facts_select {
    () => {
        concat!(
            facts_columns!("CAST(NULL AS TEXT) AS f_k_sid, CAST(NULL AS BYTEA) AS f_k_mac"),
            "FROM accounts u ",
            facts_joins!("u.sid"),
            "WHERE u.sid = $1"
        )
    };
}

/// The facts of an API key's credentials (the username is the key's SID):
/// the key and its account, which stands where an account's credentials'
/// username does. The grant read is the target's: a Connect App's owner
/// using its key on a customer's dedicated subaccount is refused with a
/// reason, not "not found".
macro_rules! key_facts_select {
    () => {
        concat!(
            facts_columns!("k.sid AS f_k_sid, k.secret_mac AS f_k_mac"),
            "FROM api_keys k JOIN accounts u ON u.sid = k.account_sid ",
            facts_joins!("t.sid"),
            "WHERE k.sid = $1"
        )
    };
}

/// The facts' SQL for a username.
fn facts_sql(username: &Username) -> &'static str {
    match username {
        Username::Account(_) => facts_select!(),
        Username::Key(_) => key_facts_select!(),
    }
}

/// How many placeholders the facts use; a folded resource query's own start after.
const FACTS_PARAMS: usize = crate::value::placeholder_count(facts_select!());
const _: () = assert!(crate::value::placeholder_count(key_facts_select!()) == FACTS_PARAMS);
const _: () = assert!(
    crate::value::column_count(key_facts_select!()) == crate::value::column_count(facts_select!())
);

/// The facts' SQL and how many columns it selects (checked against the
/// databases in the store's tests).
#[cfg(test)]
pub(crate) const FACTS: (&str, usize) =
    (facts_select!(), crate::value::column_count(facts_select!()));

/// The same for an API key's credentials.
#[cfg(test)]
pub(crate) const KEY_FACTS: (&str, usize) = (
    key_facts_select!(),
    crate::value::column_count(key_facts_select!()),
);

fn decode_facts(c: &mut Cols<'_>) -> Result<CallerFacts> {
    let username = AccountFacts {
        sid: c.parsed(AccountSid::parse)?,
        owner_account_sid: c.parsed(AccountSid::parse)?,
        status: c.parsed(AccountStatus::parse)?,
        account_type: c.parsed(AccountType::parse)?,
        sandbox_sid: c.opt_parsed(SandboxSid::parse)?,
    };
    let username_tokens = [c.opt_bytes()?, c.opt_bytes()?];
    let parent_status = c.opt_parsed(AccountStatus::parse)?;
    let parent_tokens = [c.opt_bytes()?, c.opt_bytes()?];
    let target = match (
        c.opt_parsed(AccountSid::parse)?,
        c.opt_parsed(AccountSid::parse)?,
        c.opt_parsed(AccountStatus::parse)?,
        c.opt_parsed(AccountType::parse)?,
        c.opt_parsed(SandboxSid::parse)?,
    ) {
        (Some(sid), Some(owner_account_sid), Some(status), Some(account_type), sandbox_sid) => {
            Some(AccountFacts {
                sid,
                owner_account_sid,
                status,
                account_type,
                sandbox_sid,
            })
        }
        _ => None,
    };
    let grant = match (
        c.opt_parsed(ConnectAppSid::parse)?,
        c.opt_int()?,
        c.opt_int()?,
        c.opt_parsed(AccountSid::parse)?,
        c.opt_parsed(AccountStatus::parse)?,
        [c.opt_bytes()?, c.opt_bytes()?],
    ) {
        (
            Some(app),
            Some(granted),
            Some(requested),
            Some(app_owner),
            Some(app_owner_status),
            app_owner_tokens,
        ) => Some(GrantFacts {
            app,
            granted_permissions: Permissions::from_bits(granted),
            app_permissions: Permissions::from_bits(requested),
            app_owner,
            app_owner_status,
            app_owner_tokens,
        }),
        _ => None,
    };
    let key = match (c.opt_parsed(ApiKeySid::parse)?, c.opt_bytes()?) {
        (Some(sid), Some(secret_mac)) => Some(KeyFacts { sid, secret_mac }),
        _ => None,
    };
    Ok(CallerFacts {
        key,
        username,
        username_tokens,
        parent_status,
        parent_tokens,
        target,
        grant,
    })
}

/// The facts alone: for writes, which decide before touching anything, and for
/// reads whose query depends on who is asking. Run with
/// [`crate::Store::read_caller`].
pub(crate) fn caller<'a>(
    username: &'a Username,
    target: Option<&'a AccountSid>,
) -> Query<'a, CallerFacts> {
    Query::new(
        facts_sql(username),
        params![username.as_str(), target],
        decode_facts,
    )
}

/// The facts and a resource query, to be read together: run with
/// [`crate::Store::read_folded`].
///
/// The resource query's first column must be a TEXT column that is never NULL
/// (its SID), which is how an empty result is told apart in the folded statement.
pub fn caller_with<'a, T>(
    username: &'a Username,
    target: Option<&'a AccountSid>,
    resource: Query<'a, T>,
) -> Folded<'a, T> {
    Folded {
        username,
        target,
        resource,
    }
}

/// A resource query and the caller whose facts come with it.
pub struct Folded<'a, T> {
    pub(crate) username: &'a Username,
    pub(crate) target: Option<&'a AccountSid>,
    pub(crate) resource: Query<'a, T>,
}

impl<'a, T> Folded<'a, T> {
    /// The facts and the resource in one statement. Every row carries the facts;
    /// when the resource has no rows there is still one row, with the resource's
    /// columns NULL. No row at all means the username names no account.
    ///
    /// With `stamp`, the name of a one-row table, every row starts with that
    /// table's column `n`, read in the same snapshot as the facts (PostgreSQL's
    /// facts epoch).
    pub(crate) fn into_query(
        self,
        stamp: Option<&str>,
    ) -> (Query<'a, CallerFacts>, FoldedCollector<T>) {
        let Folded {
            username,
            target,
            resource,
        } = self;
        let inner = shift_placeholders(&resource.sql, FACTS_PARAMS);
        let (columns, from) = match stamp {
            None => ("caller.*".to_owned(), "caller".to_owned()),
            Some(table) => (format!("{table}.n, caller.*"), format!("{table}, caller")),
        };
        let sql = format!(
            "WITH caller AS ({}) {}",
            facts_sql(username),
            beside_resource(&columns, &from, &inner, resource.order.as_deref())
        );
        let mut params = params![username.as_str(), target];
        params.extend(resource.params);
        (
            Query::dynamic(sql, params, decode_facts),
            FoldedCollector {
                resource: resource.decode,
                facts: None,
                items: Vec::new(),
            },
        )
    }
}

/// A page's `ORDER BY` list as it reads outside the derived table `r`:
/// inside, columns may be qualified (`g.authorized_at`); outside, the
/// derived table knows them by their bare names. Every column of an
/// expression key (`a.at * 1024 + a.attempt ASC`) is renamed, not only
/// the last: an order that named one column of an expression sorted by
/// that column alone (a call's events by attempt number, then by SID).
fn outer_order(order: &str) -> String {
    const WORDS: [&str; 5] = ["ASC", "DESC", "NULLS", "FIRST", "LAST"];
    let mut out = String::with_capacity(order.len() + 8);
    let mut rest = order;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_alphabetic() || c == '_' {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            let name = &rest[..len];
            if WORDS.iter().any(|w| w.eq_ignore_ascii_case(name)) {
                out.push_str(name);
            } else {
                out.push_str("r.");
                out.push_str(name.rsplit_once('.').map_or(name, |(_, bare)| bare));
            }
            rest = &rest[len..];
        } else if c.is_ascii_digit() {
            // A number, whole (a digit never starts a column's name).
            let len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            out.push_str(&rest[..len]);
            rest = &rest[len..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `SELECT {columns}, r.* FROM {from} LEFT JOIN ({resource}) r ON 1 = 1`, in the
/// resource's order: each of `from`'s rows (one, here) comes with every resource
/// row, or once with the resource's columns NULL when it has none.
pub(crate) fn beside_resource(
    columns: &str,
    from: &str,
    resource_sql: &str,
    order: Option<&str>,
) -> String {
    let mut sql =
        format!("SELECT {columns}, r.* FROM {from} LEFT JOIN ({resource_sql}) r ON 1 = 1");
    if let Some(order) = order {
        // The page's rows were ordered inside the subquery; a join does not
        // promise to keep that order, so it is stated again.
        sql.push_str(" ORDER BY ");
        sql.push_str(&outer_order(order));
    }
    sql
}

/// The facts, and the resource rows (empty when there were none). The facts are
/// shared: the SQLite store hands the same ones to every request until something
/// commits.
pub type FoldedRows<T> = (Arc<CallerFacts>, Vec<T>);

/// Gathers the rows of a folded statement: the facts from the first row (every
/// row repeats them), then the resource from each row that has one. Each row is
/// read from where its [`Cols`] stand, so columns before the facts (a stamp) are
/// the caller's to read first.
pub(crate) struct FoldedCollector<T> {
    resource: crate::Decode<T>,
    /// The facts, and the column the resource starts at: where decoding the
    /// facts ended on the first row (every row has the same layout), so no
    /// count of the facts' columns is kept by hand.
    facts: Option<(CallerFacts, usize)>,
    items: Vec<T>,
}

impl<T> FoldedCollector<T> {
    pub(crate) fn take(&mut self, c: &mut Cols<'_>) -> Result<bool> {
        match &self.facts {
            None => self.facts = Some((decode_facts(c)?, c.position())),
            Some((_, resource_at)) => c.skip_to(*resource_at),
        }
        if !c.peek_text_is_null()? {
            self.items.push((self.resource)(c)?);
        }
        Ok(true)
    }

    pub(crate) fn finish(self) -> Option<FoldedRows<T>> {
        self.facts.map(|(f, _)| (Arc::new(f), self.items))
    }
}

/// `$1` → `$3` when `by` is 2: makes room for the facts' own placeholders.
fn shift_placeholders(sql: &str, by: usize) -> String {
    // On every folded read: copy the runs between `$` signs whole.
    let mut out = String::with_capacity(sql.len() + 8);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at + 1]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            let n: usize = rest[..digits].parse().unwrap_or(0);
            out.push_str(&(n + by).to_string());
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_names_the_derived_tables_columns() {
        assert_eq!(
            outer_order("g.authorized_at DESC, g.sid DESC"),
            "r.authorized_at DESC, r.sid DESC"
        );
        assert_eq!(
            outer_order("date_created ASC, sid ASC"),
            "r.date_created ASC, r.sid ASC"
        );
        assert_eq!(
            outer_order("a.at * 1024 + a.attempt ASC, d.sid ASC"),
            "r.at * 1024 + r.attempt ASC, r.sid ASC"
        );
    }

    #[test]
    fn shifts_every_placeholder() {
        assert_eq!(
            shift_placeholders("a = $1 AND b = $10 AND c = $2", 2),
            "a = $3 AND b = $12 AND c = $4"
        );
    }
}
