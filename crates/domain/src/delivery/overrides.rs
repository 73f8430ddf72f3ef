//! Twilio's connection overrides: settings a webhook URL carries in its
//! fragment (`https://app.example.com/sms#ct=2000&rc=3&rp=all`), removed before
//! the URL is requested or signed, as no server ever sees a fragment.
//!
//! | key | what | range | Twilio's default |
//! | --- | --- | --- | --- |
//! | `ct` | connect timeout, ms | 100–10,000 | 5,000 |
//! | `rt` | read timeout, ms | 100–15,000 | 15,000 |
//! | `tt` | total time for every attempt, ms | 100–15,000 | 15,000 |
//! | `rc` | retries | 0–5 | 1 |
//! | `rp` | what is retried: `4xx`, `5xx`, `ct` (no connection), `rt` (no answer in time), `all` | list | `ct` |
//!
//! Unknown keys (`e`, `sni`) and values out of range are ignored, as Twilio
//! ignores them. Switchboard has one HTTP client, so the connect timeout
//! bounds the whole attempt together with the read timeout.

use std::time::Duration;

/// What a failed attempt ran into, in `rp`'s terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// No connection could be made (`ct`).
    Connect,
    /// Connected, but no answer in time (`rt`).
    Timeout,
    /// An answer with a 4xx status.
    ClientError,
    /// An answer with a 5xx (or other non-2xx) status.
    ServerError,
    /// Anything else (a broken connection, a refused address): never retried.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overrides {
    pub connect_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
    pub total_timeout: Option<Duration>,
    pub retries: Option<u32>,
    /// `None`: Twilio's default, retry when no connection could be made.
    retry_on: Option<Vec<FailureKind>>,
}

const DEFAULT_RETRIES: u32 = 1;

impl Overrides {
    /// The overrides in `url`'s fragment, and the URL without it.
    pub fn split(url: &str) -> (&str, Overrides) {
        let (bare, fragment) = match url.split_once('#') {
            Some((bare, fragment)) => (bare, fragment),
            None => (url, ""),
        };
        let mut o = Overrides {
            connect_timeout: None,
            read_timeout: None,
            total_timeout: None,
            retries: None,
            retry_on: None,
        };
        for (key, value) in url::form_urlencoded::parse(fragment.as_bytes()) {
            let millis = |max: u64| {
                value
                    .parse::<u64>()
                    .ok()
                    .filter(|ms| (100..=max).contains(ms))
                    .map(Duration::from_millis)
            };
            match &*key {
                "ct" => o.connect_timeout = millis(10_000),
                "rt" => o.read_timeout = millis(15_000),
                "tt" => o.total_timeout = millis(15_000),
                "rc" => o.retries = value.parse::<u32>().ok().filter(|n| *n <= 5),
                "rp" => {
                    let kinds: Vec<FailureKind> = value
                        .split(',')
                        .flat_map(|p| match p.trim() {
                            "4xx" => vec![FailureKind::ClientError],
                            "5xx" => vec![FailureKind::ServerError],
                            "ct" => vec![FailureKind::Connect],
                            "rt" => vec![FailureKind::Timeout],
                            "all" => vec![
                                FailureKind::ClientError,
                                FailureKind::ServerError,
                                FailureKind::Connect,
                                FailureKind::Timeout,
                            ],
                            _ => vec![],
                        })
                        .collect();
                    if !kinds.is_empty() {
                        o.retry_on = Some(kinds);
                    }
                }
                _ => {}
            }
        }
        (bare, o)
    }

    /// How long one attempt may take, given the operator's limit for any
    /// attempt.
    pub fn attempt_timeout(&self, limit: Duration) -> Duration {
        let per_attempt = match (self.connect_timeout, self.read_timeout) {
            (None, None) => limit,
            (connect, read) => {
                connect.unwrap_or(Duration::from_secs(5)) + read.unwrap_or(Duration::from_secs(15))
            }
        };
        [Some(per_attempt), self.total_timeout]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(limit)
    }

    /// Whether a TwiML request that failed this way, after `made` attempts,
    /// is tried again.
    pub fn retries_after(&self, made: u32, failure: FailureKind) -> bool {
        let retried = match &self.retry_on {
            None => failure == FailureKind::Connect,
            Some(kinds) => kinds.contains(&failure),
        };
        retried && made <= self.retries.unwrap_or(DEFAULT_RETRIES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_is_removed_and_read() {
        let (bare, o) =
            Overrides::split("https://a.example/sms?x=1#ct=2000&rt=3000&rc=3&rp=4xx,5xx");
        assert_eq!(bare, "https://a.example/sms?x=1");
        assert_eq!(o.connect_timeout, Some(Duration::from_millis(2000)));
        assert_eq!(
            o.attempt_timeout(Duration::from_secs(10)),
            Duration::from_secs(5)
        );
        assert!(o.retries_after(3, FailureKind::ClientError));
        assert!(!o.retries_after(4, FailureKind::ClientError));
        assert!(!o.retries_after(1, FailureKind::Connect));
    }

    #[test]
    fn without_a_fragment_twilio_retries_a_failed_connection_once() {
        let (bare, o) = Overrides::split("https://a.example/sms");
        assert_eq!(bare, "https://a.example/sms");
        assert_eq!(
            o.attempt_timeout(Duration::from_secs(10)),
            Duration::from_secs(10)
        );
        assert!(o.retries_after(1, FailureKind::Connect));
        assert!(!o.retries_after(2, FailureKind::Connect));
        assert!(!o.retries_after(1, FailureKind::ServerError));
        assert!(!o.retries_after(1, FailureKind::Timeout));
    }

    #[test]
    fn values_out_of_range_and_unknown_keys_are_ignored() {
        let (_, o) = Overrides::split("https://a.example/#ct=5&rc=9&rp=bogus&e=ashburn&tt=1000");
        assert_eq!(o.connect_timeout, None);
        assert_eq!(o.retries, None);
        assert!(o.retries_after(1, FailureKind::Connect));
        assert_eq!(
            o.attempt_timeout(Duration::from_secs(10)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn all_retries_every_failure_but_a_broken_connection() {
        let (_, o) = Overrides::split("https://a.example/#rp=all&rc=2");
        for kind in [
            FailureKind::ClientError,
            FailureKind::ServerError,
            FailureKind::Connect,
            FailureKind::Timeout,
        ] {
            assert!(o.retries_after(2, kind));
        }
        assert!(!o.retries_after(1, FailureKind::Other));
    }
}
