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

/// Under this balance ($5.00) the dashboard and the usage page say it is low.
pub const LOW_BALANCE_MICROS: i64 = 5_000_000;

/// A day as people read it, in UTC: the date part of [`when`].
pub fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Micro-dollars rounded to `decimals` (2 or 4), with the currency's symbol,
/// trailing zeros beyond the second decimal dropped.
fn money_to(micros: i64, decimals: u32) -> String {
    let unit = 10i64.pow(6 - decimals);
    let abs = micros.unsigned_abs();
    let units = (abs + unit.unsigned_abs() / 2) / unit.unsigned_abs();
    let scale = 10u64.pow(decimals);
    let mut frac = format!("{:0width$}", units % scale, width = decimals as usize);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    let sign = if micros < 0 && units > 0 { "-" } else { "" };
    format!("{sign}${}.{frac}", units / scale)
}

/// Money as the console shows a balance, a total or a spend: the currency's
/// symbol and two decimals (`$1.23`, `-$0.50`), as Twilio's console does.
pub fn money(micros: i64) -> String {
    money_to(micros, 2)
}

/// The price of one call or message: two decimals, up to four when they
/// matter (`$0.0079`, `$0.01`), as Twilio's console shows unit prices.
pub fn unit_price(micros: i64) -> String {
    money_to(micros, 4)
}

/// A delivery attempt's error in a few words, for lists: the HTTP client's
/// full text names the URL and every cause (`error sending request for url
/// (…): client error (Connect): dns error: …`), which is on the delivery's
/// own page.
pub fn error_summary(error: &str) -> String {
    const LONGEST: usize = 100;
    let lower = error.to_ascii_lowercase();
    let known = [
        (
            "dns error",
            "DNS lookup failed: the host name could not be resolved",
        ),
        ("connection refused", "Connection refused by the host"),
        ("timed out", "Timed out waiting for the host"),
        (
            "certificate",
            "TLS failed: the host's certificate was not accepted",
        ),
        ("tls", "TLS handshake with the host failed"),
        ("connection reset", "The host reset the connection"),
        (
            "non-public address",
            "Refused: the URL is a private or loopback address",
        ),
    ];
    if let Some((_, said)) = known.iter().find(|(k, _)| lower.contains(k)) {
        return (*said).to_owned();
    }
    // The URL is on the page already; what follows it is the reason.
    let reason = match error.split_once("): ") {
        Some((head, rest)) if head.starts_with("error sending request for url (") => rest,
        _ => error,
    };
    if reason.chars().count() <= LONGEST {
        return reason.to_owned();
    }
    let mut short: String = reason.chars().take(LONGEST - 1).collect();
    short.push('…');
    short
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
    fn long_errors_are_summarised() {
        let dns = "error sending request for url (http://x.invalid/a?b=c): client error (Connect): \
                   dns error: failed to lookup address information: Name or service not known";
        assert_eq!(
            error_summary(dns),
            "DNS lookup failed: the host name could not be resolved"
        );
        assert_eq!(error_summary("HTTP 500"), "HTTP 500");
        let odd = format!(
            "error sending request for url (http://x/): {}",
            "y".repeat(300)
        );
        let summary = error_summary(&odd);
        assert_eq!(summary.chars().count(), 100);
        assert!(summary.starts_with("yyy") && summary.ends_with('…'));
    }

    #[test]
    fn money_has_two_decimals_and_unit_prices_up_to_four() {
        assert_eq!(money(1_230_000), "$1.23");
        assert_eq!(money(-500_000), "-$0.50");
        assert_eq!(money(0), "$0.00");
        assert_eq!(money(7_900), "$0.01");
        assert_eq!(money(1_234_999), "$1.23");
        assert_eq!(money(-4_000), "$0.00");
        assert_eq!(money(20_000_000), "$20.00");
        assert_eq!(unit_price(7_900), "$0.0079");
        assert_eq!(unit_price(10_000), "$0.01");
        assert_eq!(unit_price(14_000), "$0.014");
        assert_eq!(unit_price(-7_950), "-$0.008");
        assert_eq!(unit_price(1_000_000), "$1.00");
    }
}
