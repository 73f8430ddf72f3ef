//! `serve --metrics-listen`: Prometheus metrics on their own listener.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use switchboard_store::testing::TestDb;

use crate::connect::{authorize, customer};
use crate::receiver::Receiver;
use crate::revocation::{owner_with_callback, wait_for_status};
use crate::support::TestServer;

/// One sample of the exposition: its name and labels.
type Series = (String, BTreeMap<String, String>);

/// Parses Prometheus' text format (what a scraper reads): every sample line
/// `name{label="value",…} value`, comments skipped. Panics on a malformed line.
fn parse(text: &str) -> Vec<(Series, f64)> {
    let mut samples = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line.rsplit_once(' ').expect("a value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value of {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, BTreeMap::new()),
            Some((name, rest)) => {
                let rest = rest.strip_suffix('}').expect("labels end with }");
                let mut labels = BTreeMap::new();
                let mut rest = rest;
                while !rest.is_empty() {
                    let (key, after) = rest.split_once("=\"").expect("label=\"");
                    let end = after.find('"').expect("closing quote");
                    labels.insert(key.to_owned(), after[..end].to_owned());
                    rest = after[end + 1..].trim_start_matches(',');
                }
                (name, labels)
            }
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "metric name {name}"
        );
        samples.push(((name.to_owned(), labels), value));
    }
    samples
}

/// The value of the one sample with this name and these labels (among others).
#[track_caller]
fn value(samples: &[(Series, f64)], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<f64> = samples
        .iter()
        .filter(|((n, l), _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, v)| *v)
        .collect();
    assert_eq!(found.len(), 1, "one {name} {labels:?} in {samples:?}");
    found[0]
}

async fn metrics_are_scraped(s: TestServer) {
    let metrics_addr = s.metrics_addr.expect("metrics on");
    let receiver = Receiver::start().await;
    let (owner, app) = owner_with_callback(&s, &receiver, "POST", "/deauth").await;
    for _ in 0..3 {
        let (status, _) = s.get(&owner, "/2010-04-01/Accounts.json").await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = s
        .get(&owner, &format!("/2010-04-01/Accounts/{}.json", owner.sid))
        .await;
    assert_eq!(status, StatusCode::OK);
    for junk in [
        "/2010-04-01/Nothing/a.json",
        "/no/such/page/1",
        "/no/such/page/2",
    ] {
        let (status, _) = s.get(&owner, junk).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{junk}");
    }
    // A delivery: an owner revokes a grant, and its callback arrives.
    let mut c = customer(&s, true).await;
    let sub = authorize(&mut c.browser, &app).await;
    let revoke = format!(
        "/switchboard/v1/Accounts/{}/ConnectApps/{app}/Authorizations/{sub}.json",
        owner.sid
    );
    let (status, _) = s.call(Some(&owner), Method::DELETE, &revoke, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let deliveries = format!("/switchboard/v1/Accounts/{}/Deliveries.json", owner.sid);
    wait_for_status(&s, &owner, &deliveries, "delivered").await;

    // Not on the API's listener.
    let (status, _) = s.get(&owner, "/metrics").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let scraped = s
        .http
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    assert!(
        scraped.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = scraped.text().await.unwrap();
    let samples = parse(&text);

    let requests = "switchboard_http_requests_total";
    let accounts = [("method", "GET"), ("route", "/2010-04-01/Accounts.json")];
    assert!(
        value(
            &samples,
            requests,
            &[accounts[0], accounts[1], ("status", "200")]
        ) >= 3.0
    );
    let one = [("method", "GET"), ("route", "/2010-04-01/Accounts/{sid}")];
    assert_eq!(
        value(&samples, requests, &[one[0], one[1], ("status", "200")]),
        1.0
    );
    // Paths no route matches share one label, whatever they were: the three
    // above and /metrics on the API's listener.
    assert_eq!(
        value(&samples, requests, &[("route", "other"), ("status", "404")]),
        4.0
    );
    assert!(!text.contains("/no/such/page"), "{text}");
    assert!(
        value(
            &samples,
            requests,
            &[
                ("method", "DELETE"),
                ("status", "204"),
                (
                    "route",
                    "/switchboard/v1/Accounts/{account}/ConnectApps/{sid}/Authorizations/{subaccount}"
                )
            ]
        ) == 1.0
    );

    let latency = "switchboard_http_request_duration_seconds";
    let count = value(&samples, &format!("{latency}_count"), &accounts);
    assert!(count >= 3.0);
    assert_eq!(
        value(
            &samples,
            &format!("{latency}_bucket"),
            &[accounts[0], accounts[1], ("le", "+Inf")]
        ),
        count
    );
    let sum = value(&samples, &format!("{latency}_sum"), &accounts);
    assert!(sum > 0.0 && sum < 60.0, "{sum}");

    assert!(
        value(
            &samples,
            "switchboard_delivery_attempts_total",
            &[("outcome", "delivered")]
        ) >= 1.0
    );
    assert_eq!(
        value(
            &samples,
            "switchboard_delivery_attempts_total",
            &[("outcome", "refused")]
        ),
        0.0
    );
    assert_eq!(
        value(&samples, "switchboard_delivery_failures_total", &[]),
        0.0
    );
    for state in ["due", "sending", "scheduled"] {
        // Delivered: nothing is left in the outbox.
        assert_eq!(
            value(
                &samples,
                "switchboard_outbox_deliveries",
                &[("state", state)]
            ),
            0.0
        );
    }
    for kind in ["call", "message"] {
        assert_eq!(
            value(
                &samples,
                "switchboard_simulated_in_flight",
                &[("kind", kind)]
            ),
            0.0
        );
    }
    assert!(value(&samples, "switchboard_db_pool_connections", &[]) >= 1.0);
    let in_use = value(&samples, "switchboard_db_pool_in_use", &[]);
    assert!((0.0..=value(&samples, "switchboard_db_pool_connections", &[])).contains(&in_use));
    assert!(value(&samples, "switchboard_db_pool_waiting", &[]) >= 0.0);
    assert!(text.contains("# HELP switchboard_outbox_deliveries"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_scraped_sqlite() {
    metrics_are_scraped(TestServer::start_with_metrics(TestDb::sqlite()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_scraped_postgres() {
    if let Some(db) = TestDb::postgres().await {
        metrics_are_scraped(TestServer::start_with_metrics(db).await).await;
    }
}
