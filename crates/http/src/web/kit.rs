//! What every console page shares: asking the policy for the signed-in user,
//! paging links, and small formatting helpers.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use switchboard_domain::access::{Access, Action, RequestTarget, Resource};
use switchboard_domain::console::ConsoleSession;
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_types::{AccountSid, Timestamp};

use super::client_addr::ClientAddr;
use super::error::PageError;
use crate::App;

/// What the policy lets the signed-in user do to `target` (they act as their
/// main account's owner). A change passes the `client`'s address, for the
/// audit log.
pub async fn access(
    app: &App,
    session: &ConsoleSession,
    client: Option<&ClientAddr>,
    target: RequestTarget<'_>,
    (action, resource): (Action, Resource),
) -> Result<Access, PageError> {
    let ip = client.map(ToString::to_string);
    Ok(app
        .sb
        .console_access(session, ip.as_deref(), target, action, resource)
        .await?)
}

/// What the policy lets the signed-in user do to their own main account's
/// `resource`.
pub async fn own_access(
    app: &App,
    session: &ConsoleSession,
    client: Option<&ClientAddr>,
    action: Action,
    resource: Resource,
) -> Result<Access, PageError> {
    access(app, session, client, own(session), (action, resource)).await
}

/// One account of an account picker.
pub struct AccountOption {
    pub sid: String,
    pub label: String,
    pub selected: bool,
}

/// A picker of the signed-in user's accounts: their main account and its
/// subaccounts (the first few hundred), `selected` chosen.
pub async fn account_options(
    app: &App,
    session: &ConsoleSession,
    selected: &AccountSid,
) -> Result<Vec<AccountOption>, PageError> {
    let mut accounts = vec![AccountOption {
        sid: session.account_sid.to_string(),
        label: format!("{} (main account)", session.account_name),
        selected: *selected == session.account_sid,
    }];
    let listing = (Action::Read, Resource::AccountList);
    let tree = access(app, session, None, RequestTarget::AccountList, listing).await?;
    let subaccounts = app.sb.accounts();
    let subaccounts = subaccounts.subaccounts(&tree, &PageAt::First, 500).await?;
    accounts.extend(subaccounts.items.iter().map(|a| AccountOption {
        sid: a.sid.to_string(),
        label: format!("{} ({})", a.friendly_name, a.sid),
        selected: a.sid == *selected,
    }));
    Ok(accounts)
}

/// The signed-in user's own main account.
pub fn own(session: &ConsoleSession) -> RequestTarget<'_> {
    RequestTarget::Account(&session.account_sid)
}

pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

/// A row position in a URL: `KEY.SID`.
pub fn cursor_param(c: &Cursor) -> String {
    format!("{}.{}", c.key, c.sid)
}

fn parse_cursor(value: &str) -> Option<Cursor> {
    let (key, sid) = value.split_once('.')?;
    let key = key.parse().ok()?;
    (!sid.is_empty()
        && sid.len() <= 64
        && sid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    .then(|| Cursor {
        key,
        sid: sid.to_owned(),
    })
}

/// The page a list link asks for (`after=` or `before=`); anything unreadable is
/// the first page.
pub fn page_at(after: Option<&str>, before: Option<&str>) -> PageAt {
    if let Some(c) = after.and_then(parse_cursor) {
        PageAt::After(c)
    } else if let Some(c) = before.and_then(parse_cursor) {
        PageAt::Before(c)
    } else {
        PageAt::First
    }
}

/// Links to the pages around a page of a list. `base` is the path with the
/// list's filters as a query string (possibly empty).
pub struct Pager {
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn of<T: Keyed>(page: &Page<T>, base: &str) -> Pager {
        let join = if base.contains('?') { '&' } else { '?' };
        Pager {
            previous: page
                .previous_cursor()
                .map(|c| format!("{base}{join}before={}", cursor_param(&c))),
            next: page
                .next_cursor()
                .map(|c| format!("{base}{join}after={}", cursor_param(&c))),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.previous.is_none() && self.next.is_none()
    }
}

/// A date as people read it, in UTC.
pub fn when(t: Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub fn when_opt(t: Option<Timestamp>) -> String {
    t.map(when).unwrap_or_else(|| "—".to_owned())
}

/// Micro-dollars as `$1.23` (more digits when they matter).
pub fn dollars(micros: i64) -> String {
    let text = switchboard_domain::telephony::usage::format_dollars(micros);
    match text.strip_prefix('-') {
        Some(rest) => format!("-${rest}"),
        None => format!("${text}"),
    }
}

/// The first letter of a name, for a placeholder logo.
pub fn initial(name: &str) -> String {
    name.chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_the_first_page() {
        let c = Cursor {
            key: 1_700_000_000_000_000,
            sid: "CA0123456789abcdef0123456789abcdef".into(),
        };
        assert_eq!(page_at(Some(&cursor_param(&c)), None), PageAt::After(c));
        for junk in ["", "x", "1.", ".CA1", "1.CA1'--", "1.<b>"] {
            assert_eq!(page_at(Some(junk), None), PageAt::First, "{junk}");
        }
    }

    #[test]
    fn dollars_read_as_money() {
        assert_eq!(dollars(1_230_000), "$1.23");
        assert_eq!(dollars(-500_000), "-$0.50");
        assert_eq!(dollars(0), "$0.00");
    }
}
