//! `bench-load`: load for the scenarios wrk cannot drive (several requests per
//! operation, state carried between them). Prints one JSON object on stdout.
//!
//! - `bench-load consent --base URL --world world.json --seconds 10 --workers 32`:
//!   each worker signs in as one customer (once, outside the timing) and then
//!   completes consents back to back: GET the consent page, read its CSRF token,
//!   POST Authorize, expect the 302 to the app. Apps are taken in turn, so the
//!   first pass over them is first-time approvals (a new subaccount each) and
//!   later passes are approvals again (the subaccount reused).
//! - `bench-load revoke --base URL --world world.json --workers 32`: every
//!   customer revokes every app it authorized, with
//!   `DELETE /2010-04-01/Accounts/{U}/AuthorizedConnectApps/{CN}.json`.
//! - `bench-load inbound --base URL --world world.json --messages 10000 --workers 32`:
//!   simulated handsets send `--messages` messages to the world's numbers (in
//!   turn) with `POST /switchboard/v1/Accounts/{AC}/InboundMessages.json`, as
//!   the numbers' owner; each must answer 201. Waiting for the replies is the
//!   harness's part.
//! - `bench-load calls --base URL --world world.json --calls 10000 --workers 32 --url URL`:
//!   the world's owner places `--calls` calls from its numbers (in turn) to
//!   simulated handsets with `POST /2010-04-01/Accounts/{AC}/Calls.json` and
//!   `Url` (which must answer 201), then at once queues the caller's key
//!   press for the call's `<Gather>` with
//!   `POST /switchboard/v1/Accounts/{AC}/Calls/{CA}/Input.json` `Digits=1`
//!   (200). Waiting for the calls to end is the harness's part.
//! - `bench-load conferences --base URL --world world.json --calls 1000 --conferences 100 --events URL --workers 32`:
//!   the world's owner places `--calls` calls to simulated handsets whose
//!   inline `Twiml` joins conference `room-{i % conferences}` with
//!   `<Dial><Conference>`, its status callback (`start end join leave`) sent
//!   to `--events`. Waiting for the joins is the harness's part.
//! - `bench-load end-conferences --base URL --world world.json --workers 32`:
//!   ends every conference in progress of the world's owner
//!   (`GET Conferences.json?Status=in-progress`, then `POST
//!   Conferences/{CF}.json` `Status=completed`), which makes every
//!   participant leave.

#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde::Deserialize;
use serde_json::json;

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Consent {
        #[arg(long)]
        base: String,
        #[arg(long)]
        world: std::path::PathBuf,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long, default_value_t = 32)]
        workers: usize,
    },
    Revoke {
        #[arg(long)]
        base: String,
        #[arg(long)]
        world: std::path::PathBuf,
        #[arg(long, default_value_t = 32)]
        workers: usize,
    },
    Inbound {
        #[arg(long)]
        base: String,
        #[arg(long)]
        world: std::path::PathBuf,
        #[arg(long, default_value_t = 10_000)]
        messages: usize,
        #[arg(long, default_value_t = 32)]
        workers: usize,
    },
    Calls {
        #[arg(long)]
        base: String,
        #[arg(long)]
        world: std::path::PathBuf,
        #[arg(long, default_value_t = 10_000)]
        calls: usize,
        #[arg(long, default_value_t = 32)]
        workers: usize,
        /// The calls' `Url`: the application answering them.
        #[arg(long)]
        url: String,
    },
    Conferences {
        #[arg(long)]
        base: String,
        #[arg(long)]
        world: std::path::PathBuf,
        #[arg(long, default_value_t = 1_000)]
        calls: usize,
        #[arg(long, default_value_t = 100)]
        conferences: usize,
        /// The conferences' `statusCallback`.
        #[arg(long)]
        events: String,
        #[arg(long, default_value_t = 32)]
        workers: usize,
    },
    EndConferences {
        #[arg(long)]
        base: String,
        #[arg(long)]
        world: std::path::PathBuf,
        #[arg(long, default_value_t = 32)]
        workers: usize,
    },
}

#[derive(Deserialize)]
struct World {
    password: String,
    apps: Vec<String>,
    customers: Vec<WorldCustomer>,
    owner: WorldOwner,
    #[serde(default)]
    numbers: Vec<String>,
}

#[derive(Deserialize)]
struct WorldOwner {
    sid: String,
    token: String,
}

#[derive(Deserialize, Clone)]
struct WorldCustomer {
    sid: String,
    token: String,
    email: String,
}

type Fail = Box<dyn std::error::Error + Send + Sync>;

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1024)
        .build()
        .expect("HTTP client")
}

fn cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value of the first hidden field `name` on `page`.
fn hidden(page: &str, name: &str) -> Result<String, Fail> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .ok_or_else(|| format!("no {name} on the page"))?
        + marker.len();
    let end = page[start..]
        .find('"')
        .ok_or_else(|| format!("unterminated {name}"))?;
    Ok(page[start..start + end].to_owned())
}

fn csrf(page: &str) -> Result<String, Fail> {
    hidden(page, "csrf_token")
}

async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> Result<String, Fail> {
    let page = http.get(format!("{base}/signin")).send().await?;
    let form_cookie = cookie(&page, "sb_form").ok_or("no form cookie")?;
    let token = csrf(&page.text().await?)?;
    let answer = http
        .post(format!("{base}/signin"))
        .header(COOKIE, &form_cookie)
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
            ("next", "/console"),
        ])
        .send()
        .await?;
    if answer.status() != StatusCode::SEE_OTHER {
        return Err(format!("sign-in answered {}", answer.status()).into());
    }
    cookie(&answer, "sb_session").ok_or_else(|| "no session cookie".into())
}

async fn one_consent(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    app: &str,
) -> Result<(), Fail> {
    let page = http
        .get(format!("{base}/authorize/{app}?state=bench"))
        .header(COOKIE, session)
        .send()
        .await?;
    if page.status() != StatusCode::OK {
        return Err(format!("consent page answered {}", page.status()).into());
    }
    let page = page.text().await?;
    let token = csrf(&page)?;
    // The permissions the page showed, which the grant then holds.
    let shown = hidden(&page, "permissions")?;
    let answer = http
        .post(format!("{base}/authorize/{app}"))
        .header(COOKIE, session)
        .form(&[
            ("csrf_token", token.as_str()),
            ("permissions", shown.as_str()),
            ("decision", "authorize"),
            ("state", "bench"),
        ])
        .send()
        .await?;
    let to_app = answer
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|l| l.contains("AccountSid=AC"));
    if answer.status() != StatusCode::FOUND || !to_app {
        return Err(format!("Authorize answered {}", answer.status()).into());
    }
    Ok(())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

async fn consent(base: String, world: World, seconds: f64, workers: usize) -> Result<(), Fail> {
    let http = client();
    let mut sessions = Vec::new();
    for c in world.customers.iter().take(workers) {
        sessions.push(sign_in(&http, &base, &c.email, &world.password).await?);
    }
    let apps = Arc::new(world.apps);
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for (w, session) in sessions.into_iter().enumerate() {
        let (http, base, apps, errors) = (http.clone(), base.clone(), apps.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut k = w;
            while Instant::now() < deadline {
                let app = &apps[k % apps.len()];
                k += 1;
                let t = Instant::now();
                match one_consent(&http, &base, &session, app).await {
                    Ok(()) => latencies.push(t.elapsed().as_micros() as u64),
                    Err(e) => {
                        if errors.fetch_add(1, Ordering::Relaxed) < 3 {
                            eprintln!("consent failed: {e}");
                        }
                    }
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    println!(
        "{}",
        json!({
            "completions": all.len(),
            "errors": errors.load(Ordering::Relaxed),
            "seconds": elapsed,
            "per_second": all.len() as f64 / elapsed,
            "p50_ms": percentile(&all, 0.5),
            "p99_ms": percentile(&all, 0.99),
            "workers": workers,
        })
    );
    Ok(())
}

async fn revoke(base: String, world: World, workers: usize) -> Result<(), Fail> {
    let http = client();
    let jobs: Vec<(WorldCustomer, String)> = world
        .customers
        .iter()
        .flat_map(|c| world.apps.iter().map(move |a| (c.clone(), a.clone())))
        .collect();
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started_ms = now_ms();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (http, base, jobs, next, errors) = (
            http.clone(),
            base.clone(),
            jobs.clone(),
            next.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((c, app)) = jobs.get(i) else { break };
                let url = format!(
                    "{base}/2010-04-01/Accounts/{}/AuthorizedConnectApps/{app}.json",
                    c.sid
                );
                let ok = match http
                    .delete(url)
                    .basic_auth(&c.sid, Some(&c.token))
                    .send()
                    .await
                {
                    Ok(r) => r.status() == StatusCode::NO_CONTENT,
                    Err(_) => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({
            "revoked": jobs.len() - errors.load(Ordering::Relaxed),
            "errors": errors.load(Ordering::Relaxed),
            "seconds": elapsed,
            "per_second": jobs.len() as f64 / elapsed,
            "started_ms": started_ms,
            "finished_ms": now_ms(),
        })
    );
    Ok(())
}

/// Handsets: numbers in the fictional 555-01XX range, which the inventory
/// never sells, so no reply arrives back at a number of this Switchboard.
fn handset(i: usize) -> String {
    format!("+1202555{:04}", 100 + i % 100)
}

async fn inbound(base: String, world: World, messages: usize, workers: usize) -> Result<(), Fail> {
    if world.numbers.is_empty() {
        return Err("the world has no numbers (bench-fixtures --numbers)".into());
    }
    if (0..100).any(|i| world.numbers.contains(&handset(i))) {
        return Err("a handset is one of the world's numbers: replies would loop".into());
    }
    let http = client();
    let url = Arc::new(format!(
        "{base}/switchboard/v1/Accounts/{}/InboundMessages.json",
        world.owner.sid
    ));
    let (owner, token) = (Arc::new(world.owner.sid), Arc::new(world.owner.token));
    let numbers = Arc::new(world.numbers);
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started_ms = now_ms();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (http, url, owner, token, numbers, next, errors) = (
            http.clone(),
            url.clone(),
            owner.clone(),
            token.clone(),
            numbers.clone(),
            next.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= messages {
                    break;
                }
                let to = &numbers[i % numbers.len()];
                let from = handset(i / numbers.len());
                let body = format!("Is 3pm free? ({i})");
                let answer = http
                    .post(url.as_str())
                    .basic_auth(owner.as_str(), Some(token.as_str()))
                    .form(&[("From", from.as_str()), ("To", to), ("Body", &body)])
                    .send()
                    .await;
                let failure = match answer {
                    Ok(r) if r.status() == StatusCode::CREATED => None,
                    Ok(r) => Some(format!(
                        "{}: {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    )),
                    Err(e) => Some(e.to_string()),
                };
                if let Some(why) = failure
                    && errors.fetch_add(1, Ordering::Relaxed) < 3
                {
                    eprintln!("inbound message failed: {why}");
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "{}",
        json!({
            "sent": messages - errors,
            "errors": errors,
            "seconds": elapsed,
            "per_second": messages as f64 / elapsed,
            "started_ms": started_ms,
            "finished_ms": now_ms(),
        })
    );
    Ok(())
}

/// The JSON a request answered with `want`, or why it answered otherwise.
async fn expect(
    answer: reqwest::Result<reqwest::Response>,
    want: StatusCode,
) -> Result<serde_json::Value, String> {
    match answer {
        Ok(r) if r.status() == want => r.json().await.map_err(|e| e.to_string()),
        Ok(r) => Err(format!(
            "{}: {}",
            r.status(),
            r.text().await.unwrap_or_default()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// One call placed from `from` to `to`, running `document` (`Url` or
/// `Twiml`, and its value); the call's SID.
async fn place(
    http: &reqwest::Client,
    base: &str,
    (owner, token): (&str, &str),
    (from, to): (&str, &str),
    document: (&str, &str),
) -> Result<String, String> {
    let placed = http
        .post(format!("{base}/2010-04-01/Accounts/{owner}/Calls.json"))
        .basic_auth(owner, Some(token))
        .form(&[("From", from), ("To", to), document])
        .send()
        .await;
    let call = expect(placed, StatusCode::CREATED).await?;
    let sid = call["sid"].as_str().ok_or("a call without a sid")?;
    Ok(sid.to_owned())
}

/// One call placed and its caller's key queued for its `<Gather>`.
async fn one_call(
    http: &reqwest::Client,
    base: &str,
    (owner, token): (&str, &str),
    (from, to): (&str, &str),
    url: &str,
) -> Result<(), String> {
    let sid = place(http, base, (owner, token), (from, to), ("Url", url)).await?;
    let input = http
        .post(format!(
            "{base}/switchboard/v1/Accounts/{owner}/Calls/{sid}/Input.json"
        ))
        .basic_auth(owner, Some(token))
        .form(&[("Digits", "1")])
        .send()
        .await;
    expect(input, StatusCode::OK).await.map(drop)
}

/// Runs `job(i)` for every `i` below `n` on `workers` tasks, each taking the
/// next `i` as it finishes one; prints the first failures. Returns how many
/// failed, and when it started (Unix ms) and took (s).
async fn pooled<F, Fut>(n: usize, workers: usize, job: F) -> Result<(usize, u128, f64), Fail>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started_ms = now_ms();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (job, next, errors) = (job.clone(), next.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                if let Err(why) = job(i).await
                    && errors.fetch_add(1, Ordering::Relaxed) < 3
                {
                    eprintln!("failed: {why}");
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let errors = errors.load(Ordering::Relaxed);
    Ok((errors, started_ms, started.elapsed().as_secs_f64()))
}

/// Prints what [`pooled`] did with `n` jobs.
fn print_pooled(n: usize, (errors, started_ms, elapsed): (usize, u128, f64)) {
    println!(
        "{}",
        json!({
            "placed": n - errors,
            "errors": errors,
            "seconds": elapsed,
            "per_second": n as f64 / elapsed,
            "started_ms": started_ms,
            "finished_ms": now_ms(),
        })
    );
}

/// The world's numbers to call from, checked to be none of the handsets.
fn callers(world: &World) -> Result<Vec<String>, Fail> {
    if world.numbers.is_empty() {
        return Err("the world has no numbers to call from (bench-fixtures --numbers)".into());
    }
    if (0..100).any(|i| world.numbers.contains(&handset(i))) {
        return Err("a handset is one of the world's numbers".into());
    }
    Ok(world.numbers.clone())
}

async fn calls(
    base: String,
    world: World,
    calls: usize,
    workers: usize,
    url: String,
) -> Result<(), Fail> {
    let numbers = callers(&world)?;
    let http = client();
    let owner = (world.owner.sid, world.owner.token);
    let done = pooled(calls, workers, move |i| {
        let (http, base, owner, url) = (http.clone(), base.clone(), owner.clone(), url.clone());
        let from = numbers[i % numbers.len()].clone();
        let to = handset(i / numbers.len());
        async move { one_call(&http, &base, (&owner.0, &owner.1), (&from, &to), &url).await }
    })
    .await?;
    print_pooled(calls, done);
    Ok(())
}

/// The TwiML of a caller joining conference `room`, its events sent to `events`.
fn conference_twiml(room: usize, events: &str) -> String {
    format!(
        "<Response><Dial><Conference statusCallback=\"{events}\" \
         statusCallbackEvent=\"start end join leave\">room-{room}</Conference></Dial></Response>"
    )
}

async fn conferences(
    base: String,
    world: World,
    (calls, rooms): (usize, usize),
    events: String,
    workers: usize,
) -> Result<(), Fail> {
    let numbers = callers(&world)?;
    let http = client();
    let owner = (world.owner.sid, world.owner.token);
    let done = pooled(calls, workers, move |i| {
        let (http, base, owner) = (http.clone(), base.clone(), owner.clone());
        let from = numbers[i % numbers.len()].clone();
        let to = handset(i / numbers.len());
        let twiml = conference_twiml(i % rooms.max(1), &events);
        async move {
            let document = ("Twiml", twiml.as_str());
            place(&http, &base, (&owner.0, &owner.1), (&from, &to), document)
                .await
                .map(drop)
        }
    })
    .await?;
    print_pooled(calls, done);
    Ok(())
}

/// The SIDs of the owner's conferences in progress, every page.
async fn live_conferences(
    http: &reqwest::Client,
    base: &str,
    (owner, token): (&str, &str),
) -> Result<Vec<String>, Fail> {
    let mut sids = Vec::new();
    let mut next = Some(format!(
        "/2010-04-01/Accounts/{owner}/Conferences.json?Status=in-progress&PageSize=1000"
    ));
    while let Some(path) = next {
        let page = http
            .get(format!("{base}{path}"))
            .basic_auth(owner, Some(token))
            .send()
            .await;
        let page = expect(page, StatusCode::OK).await?;
        for c in page["conferences"].as_array().into_iter().flatten() {
            sids.extend(c["sid"].as_str().map(str::to_owned));
        }
        next = page["next_page_uri"].as_str().map(str::to_owned);
    }
    Ok(sids)
}

async fn end_conferences(base: String, world: World, workers: usize) -> Result<(), Fail> {
    let http = client();
    let owner = (world.owner.sid, world.owner.token);
    let sids = Arc::new(live_conferences(&http, &base, (&owner.0, &owner.1)).await?);
    let n = sids.len();
    let done = pooled(n, workers, move |i| {
        let (http, base, owner, sids) = (http.clone(), base.clone(), owner.clone(), sids.clone());
        async move {
            let ended = http
                .post(format!(
                    "{base}/2010-04-01/Accounts/{}/Conferences/{}.json",
                    owner.0, sids[i]
                ))
                .basic_auth(&owner.0, Some(&owner.1))
                .form(&[("Status", "completed")])
                .send()
                .await;
            expect(ended, StatusCode::OK).await.map(drop)
        }
    })
    .await?;
    print_pooled(n, done);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Fail> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = Args::parse();
    let read = |p: &std::path::Path| -> Result<World, Fail> {
        Ok(serde_json::from_str(&std::fs::read_to_string(p)?)?)
    };
    match args.command {
        Command::Consent {
            base,
            world,
            seconds,
            workers,
        } => consent(base, read(&world)?, seconds, workers).await,
        Command::Revoke {
            base,
            world,
            workers,
        } => revoke(base, read(&world)?, workers).await,
        Command::Inbound {
            base,
            world,
            messages,
            workers,
        } => inbound(base, read(&world)?, messages, workers).await,
        Command::Calls {
            base,
            world,
            calls: n,
            workers,
            url,
        } => calls(base, read(&world)?, n, workers, url).await,
        Command::Conferences {
            base,
            world,
            calls: n,
            conferences: rooms,
            events,
            workers,
        } => conferences(base, read(&world)?, (n, rooms), events, workers).await,
        Command::EndConferences {
            base,
            world,
            workers,
        } => end_conferences(base, read(&world)?, workers).await,
    }
}
