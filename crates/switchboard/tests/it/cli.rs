//! The command line as a newcomer meets it: the real binary, its messages and
//! exit codes, passwords kept off the command line, and the demo's ports and
//! temporary directory.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_switchboard");
const NO_ACCOUNT: &str = "AC00000000000000000000000000000000";
const NO_APP: &str = "CN00000000000000000000000000000000";
const NO_SHORT_CODE: &str = "SC00000000000000000000000000000000";

/// The binary with nothing inherited that would change what it does: no
/// standard input, the machine's `SWITCHBOARD_*` settings removed, and
/// backtraces on, so that a panic could not hide.
fn switchboard() -> Command {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("SWITCHBOARD_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("SWITCHBOARD_LOG", "warn")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().expect("switchboard runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("sb.db").display())
}

/// A Full account created through the command line; returns its SID.
fn full_account(database_url: &str) -> String {
    let (out, stdout, stderr) = run(switchboard()
        .args(["accounts", "create", "--database-url", database_url])
        .args(["--email", "owner@example.com", "--friendly-name", "Owner"])
        .args(["--full", "--json"])
        .env("SWITCHBOARD_ACCOUNT_PASSWORD", "a long password"));
    assert!(out.status.success(), "accounts create failed: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    json["sid"].as_str().unwrap().to_owned()
}

#[test]
fn accounts_create_without_a_password_or_a_terminal_says_how_to_give_one() {
    let dir = tempfile::tempdir().unwrap();
    let (out, stdout, stderr) = run(switchboard()
        .args([
            "accounts",
            "create",
            "--database-url",
            &sqlite_url(dir.path()),
        ])
        .args(["--email", "you@example.com", "--friendly-name", "Me"]));
    assert!(
        !out.status.success(),
        "created without a password: {stdout}"
    );
    assert!(
        stderr.contains("SWITCHBOARD_ACCOUNT_PASSWORD") && stderr.contains("--password"),
        "the error names neither way to give the password: {stderr}"
    );
    assert!(stderr.contains("not a terminal"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Reads `from` until `text` has appeared; returns everything read.
fn read_until(from: &mut impl Read, text: &str, so_far: &mut String) {
    let mut byte = [0u8; 1];
    while !so_far.contains(text) {
        let n = from.read(&mut byte).unwrap();
        assert!(n > 0, "ended before {text:?}: {so_far}");
        so_far.push(byte[0] as char);
    }
}

/// `accounts create` on a terminal (util-linux `script` makes one), typing
/// `first` and `second` at its two prompts; returns the terminal's output.
fn create_on_a_terminal(database_url: &str, first: &str, second: &str) -> (bool, String) {
    use std::io::Write;
    let command = format!(
        "'{BIN}' accounts create --database-url '{database_url}' \
         --email typed@example.com --friendly-name Typed"
    );
    let mut script = Command::new("script");
    for (name, value) in switchboard().get_envs() {
        match value {
            Some(value) => script.env(name, value),
            None => script.env_remove(name),
        };
    }
    let mut child = script
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("util-linux script runs");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    for (prompt, typed) in [
        ("Console password for", first),
        ("The same password again", second),
    ] {
        read_until(&mut stdout, prompt, &mut seen);
        // The prompt is printed just before echo is turned off.
        std::thread::sleep(std::time::Duration::from_millis(500));
        writeln!(stdin, "{typed}").unwrap();
    }
    stdout.read_to_string(&mut seen).unwrap();
    (child.wait().unwrap().success(), seen)
}

#[test]
fn accounts_create_asks_for_the_password_on_a_terminal_without_echo() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let typed = "typed without echo";
    let (ok, seen) = create_on_a_terminal(&db, typed, typed);
    assert!(ok, "{seen}");
    assert!(seen.contains("sign-in: typed@example.com"), "{seen}");
    assert!(!seen.contains(typed), "the password was echoed: {seen}");

    let (ok, seen) = create_on_a_terminal(&db, "one password", "another one");
    assert!(!ok, "{seen}");
    assert!(seen.contains("the two passwords differ"), "{seen}");
}

#[test]
fn accounts_create_takes_the_password_from_the_environment_and_never_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    let password = "a password from the environment";
    let (out, stdout, stderr) = run(switchboard()
        .args([
            "accounts",
            "create",
            "--database-url",
            &sqlite_url(dir.path()),
        ])
        .args(["--email", "you@example.com", "--friendly-name", "Me"])
        .env("SWITCHBOARD_ACCOUNT_PASSWORD", password));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("sign-in: you@example.com"), "{stdout}");
    assert!(!stdout.contains(password) && !stderr.contains(password));
}

#[test]
fn apps_print_connect_links_on_the_public_url_given_or_as_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let account = full_account(&db);
    let create = |extra: &[&str], env: Option<&str>| {
        let mut cmd = switchboard();
        cmd.args([
            "apps",
            "create",
            "--database-url",
            &db,
            "--account",
            &account,
        ])
        .args(["--friendly-name", "App", "--company-name", "Acme"])
        .args(["--authorize-redirect-url", "https://app.example.com/auth"])
        .args(["--permissions", "get-all", "--json"])
        .args(extra);
        if let Some(url) = env {
            cmd.env("SWITCHBOARD_PUBLIC_URL", url);
        }
        let (out, stdout, stderr) = run(&mut cmd);
        assert!(out.status.success(), "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let sid = json["sid"].as_str().unwrap().to_owned();
        (json["connect_url"].as_str().unwrap().to_owned(), sid)
    };

    let (link, sid) = create(&["--public-url", "https://sb.example.com:8443/"], None);
    assert_eq!(link, format!("https://sb.example.com:8443/authorize/{sid}"));
    let (link, sid) = create(&[], Some("http://10.0.0.5:9000"));
    assert_eq!(link, format!("http://10.0.0.5:9000/authorize/{sid}"));
    // Without one, nothing claims the server is on the default port.
    let (link, sid) = create(&[], None);
    assert_eq!(link, format!("/authorize/{sid}"));

    let (out, stdout, _) = run(switchboard().args(["apps", "show", "--database-url", &db, &sid]));
    assert!(out.status.success());
    assert!(
        stdout.contains(&format!("Connect link: /authorize/{sid}"))
            && stdout.contains("SWITCHBOARD_PUBLIC_URL"),
        "{stdout}"
    );
    let (_, help, _) = run(switchboard().args(["apps", "create", "--help"]));
    assert!(
        help.contains("Connect links start with --public-url"),
        "{help}"
    );
}

/// Every command, given a missing or wrong argument or a database it cannot
/// use, says what is wrong and how to fix it, exits non-zero, and does not
/// panic (backtraces are on).
#[test]
fn every_command_explains_its_errors_without_a_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    let good_db = sqlite_url(dir.path());
    // Port 1 on loopback: nothing listens there, so the connection is refused.
    let unreachable_postgres = "postgres://postgres@127.0.0.1:1/test";
    // Fails even for root: no directory can be made under /proc.
    let unwritable_sqlite = "sqlite:///proc/no-such-directory/switchboard.db";

    // Each command that opens the database, with what it needs besides.
    let commands: Vec<Vec<&str>> = vec![
        vec!["serve", "--listen", "127.0.0.1:0"],
        vec![
            "accounts",
            "create",
            "--email",
            "a@example.com",
            "--friendly-name",
            "A",
        ],
        vec!["accounts", "list"],
        vec!["accounts", "show", NO_ACCOUNT],
        vec!["accounts", "upgrade", NO_ACCOUNT],
        vec!["accounts", "tokens", "create-secondary", NO_ACCOUNT],
        vec!["accounts", "tokens", "promote", NO_ACCOUNT],
        vec!["accounts", "tokens", "delete-secondary", NO_ACCOUNT],
        vec![
            "apps",
            "create",
            "--account",
            NO_ACCOUNT,
            "--friendly-name",
            "A",
            "--company-name",
            "B",
            "--authorize-redirect-url",
            "https://app.example.com/",
            "--permissions",
            "get-all",
        ],
        vec!["apps", "list", "--account", NO_ACCOUNT],
        vec!["apps", "show", NO_APP],
        vec!["seed", "--account", NO_ACCOUNT, "--calls", "1"],
        vec![
            "messages",
            "receive",
            "--to",
            "+14155550100",
            "--from",
            "+14155550123",
        ],
        vec![
            "calls",
            "receive",
            "--to",
            "+14155550100",
            "--from",
            "+14155550123",
        ],
        vec![
            "short-codes",
            "add",
            "--account",
            NO_ACCOUNT,
            "--short-code",
            "12345",
        ],
        vec!["short-codes", "list", "--account", NO_ACCOUNT],
        vec!["short-codes", "remove", NO_SHORT_CODE],
    ];

    // (arguments, database URL, what the message must name: the problem, the fix)
    let mut cases: Vec<(Vec<&str>, &str, Vec<&str>)> = Vec::new();
    for command in &commands {
        cases.push((
            command.clone(),
            unreachable_postgres,
            vec![unreachable_postgres, "Connection refused", "--database-url"],
        ));
        cases.push((
            command.clone(),
            unwritable_sqlite,
            vec!["/proc/no-such-directory does not exist", "--database-url"],
        ));
        cases.push((
            command.clone(),
            "mysql://localhost/x",
            vec!["unsupported database URL", "--database-url"],
        ));
    }
    cases.extend([
        (
            vec!["accounts", "show"],
            good_db.as_str(),
            vec!["<SID>", "--help"],
        ),
        (
            vec!["accounts", "create", "--email", "a@example.com"],
            &good_db,
            vec!["--friendly-name", "--help"],
        ),
        (vec!["apps", "list"], &good_db, vec!["--account", "--help"]),
        (vec!["seed"], &good_db, vec!["--account", "--help"]),
        (
            vec!["short-codes", "add", "--short-code", "12345"],
            &good_db,
            vec!["--account", "--help"],
        ),
        (
            vec![
                "short-codes",
                "add",
                "--account",
                NO_ACCOUNT,
                "--short-code",
                "12345",
            ],
            &good_db,
            vec!["no account", "accounts list"],
        ),
        (
            vec!["short-codes", "remove", NO_SHORT_CODE],
            &good_db,
            vec!["no short code", "short-codes list"],
        ),
        (
            vec!["short-codes", "remove", "SC1"],
            &good_db,
            vec!["'SC1' is not a valid ShortCode SID"],
        ),
        (
            vec!["messages", "receive", "--from", "+14155550123"],
            &good_db,
            vec!["--to", "--help"],
        ),
        (
            vec![
                "messages",
                "receive",
                "--to",
                "+14155550100",
                "--from",
                "+14155550123",
            ],
            &good_db,
            vec!["no account owns +14155550100"],
        ),
        (
            vec!["calls", "receive", "--from", "+14155550123"],
            &good_db,
            vec!["--to", "--help"],
        ),
        (
            vec![
                "calls",
                "receive",
                "--to",
                "+14155550100",
                "--from",
                "+14155550123",
            ],
            &good_db,
            vec!["no account owns +14155550100"],
        ),
        (
            vec!["bogus"],
            &good_db,
            vec!["unrecognized subcommand 'bogus'", "--help"],
        ),
        (
            vec!["serve", "--listen", "everywhere"],
            &good_db,
            vec!["invalid value 'everywhere'", "--help"],
        ),
        (
            vec!["serve", "--sim-speed", "fast", "--listen", "127.0.0.1:0"],
            &good_db,
            vec!["'fast'", "instant"],
        ),
        (
            vec!["seed", "--account", NO_ACCOUNT, "--calls", "many"],
            &good_db,
            vec!["invalid value 'many'", "--help"],
        ),
        (
            vec!["accounts", "show", "AC123"],
            &good_db,
            vec![
                "'AC123' is not a valid Account SID",
                "32 hexadecimal digits",
            ],
        ),
        (
            vec!["apps", "show", "XY1"],
            &good_db,
            vec!["'XY1' is not a valid", "CN"],
        ),
        (
            vec!["accounts", "show", NO_ACCOUNT],
            &good_db,
            vec!["no account", "accounts list"],
        ),
        (
            vec![
                "demo",
                "--dir",
                "/proc/no-such-directory",
                "--listen",
                "127.0.0.1:0",
                "--app-listen",
                "127.0.0.1:0",
            ],
            &good_db,
            vec!["cannot create the demo's directory", "--dir"],
        ),
        (
            vec![
                "demo",
                "--listen",
                "127.0.0.1:0",
                "--app-listen",
                "256.0.0.1:80",
            ],
            &good_db,
            vec!["invalid value '256.0.0.1:80'", "--help"],
        ),
    ]);

    let mut failures = Vec::new();
    for (args, database_url, needed) in &cases {
        let (out, _, stderr) = run(switchboard()
            .args(args)
            .env("SWITCHBOARD_DATABASE_URL", database_url));
        let line = format!("switchboard {} (database {database_url})", args.join(" "));
        if out.status.success() {
            failures.push(format!("{line}: succeeded"));
        }
        if out.status.code().is_none() {
            failures.push(format!("{line}: killed by a signal"));
        }
        for bad in ["panicked", "stack backtrace", "RUST_BACKTRACE"] {
            if stderr.contains(bad) {
                failures.push(format!("{line}: {bad}:\n{stderr}"));
            }
        }
        for needed in needed {
            if !stderr.contains(needed) {
                failures.push(format!("{line}: does not say {needed:?}:\n{stderr}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// A running `switchboard demo`, read up to the line that says it is ready.
struct Demo {
    child: Child,
    shown: String,
}

impl Demo {
    /// `switchboard demo` with `args`, and a short history.
    fn start(args: &[&str], adjust: impl FnOnce(&mut Command)) -> Demo {
        let mut cmd = switchboard();
        cmd.arg("demo").args(args);
        adjust(&mut cmd);
        let mut child = cmd
            .args(["--history", "2"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the demo starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut shown = String::new();
        loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                let mut stderr = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
                panic!("the demo stopped before it was ready:\n{shown}\n{stderr}");
            }
            shown.push_str(&line);
            if line.contains("Press Ctrl-C to stop.") {
                break;
            }
        }
        child.stdout = Some(stdout.into_inner());
        Demo { child, shown }
    }

    /// Ctrl-C, then everything it wrote after being ready, on both outputs.
    fn interrupt(mut self) -> (String, String) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let mut stdout = String::new();
        let mut stderr = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let exit = self.child.wait().unwrap();
        assert!(
            exit.success(),
            "the demo did not stop cleanly ({exit}):\n{stderr}"
        );
        (stdout, stderr)
    }

    fn url(&self) -> &str {
        let line = self
            .shown
            .lines()
            .find(|l| l.starts_with("Switchboard listening on "))
            .unwrap();
        line.trim_start_matches("Switchboard listening on ")
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_demo_removes_its_temporary_directory_when_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = Demo::start(
        &["--listen", "127.0.0.1:0", "--app-listen", "127.0.0.1:0"],
        |cmd| {
            cmd.env("TMPDIR", tmp.path());
        },
    );
    let made = entries(tmp.path());
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(made[0].starts_with("switchboard-demo-"), "{made:?}");
    let (stdout, _) = demo.interrupt();
    assert!(stdout.contains("Removed the demo's data in"), "{stdout}");
    assert_eq!(entries(tmp.path()), Vec::<String>::new(), "left behind");
}

#[test]
fn the_demo_keeps_the_directory_it_was_given_and_says_where() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mine");
    let demo = Demo::start(
        &["--listen", "127.0.0.1:0", "--app-listen", "127.0.0.1:0"],
        |cmd| {
            cmd.arg("--dir").arg(&dir);
        },
    );
    let (stdout, _) = demo.interrupt();
    assert!(
        stdout.contains(&format!("kept in {}", dir.display())),
        "{stdout}"
    );
    assert!(dir.join("switchboard-demo.db").is_file());
}

#[test]
fn the_demo_moves_to_the_next_free_port_when_8080_is_taken() {
    // Hold 8080, unless something else already does: either way it is taken.
    let _held = std::net::TcpListener::bind("127.0.0.1:8080");
    let demo = Demo::start(&["--app-listen", "127.0.0.1:0"], |_| {});
    let url = demo.url().to_owned();
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!((8081..8100).contains(&port), "{url}");
    let (_, stderr) = demo.interrupt();
    assert!(
        stderr.contains("127.0.0.1:8080 is taken") && stderr.contains(&url[7..]),
        "the demo did not say it moved: {stderr}"
    );
}

/// `messages receive`: a handset texts a number some account owns, found by
/// the number alone; the message is stored in that account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_receive_finds_the_numbers_account_and_stores_the_message() {
    use switchboard_domain::access::{Action, RequestTarget, Resource};
    use switchboard_domain::telephony::numbers::Purchase;

    crate::support::install_crypto();
    let dir = tempfile::tempdir().unwrap();
    let database_url = sqlite_url(dir.path());
    let account = full_account(&database_url);
    let sid = switchboard_types::AccountSid::parse(&account).unwrap();
    let number = {
        let url = switchboard_store::DatabaseUrl::parse(&database_url).unwrap();
        let store = switchboard_store::Store::open(&url, switchboard_store::PoolSize::default())
            .await
            .unwrap();
        let sb = switchboard_domain::Switchboard::open(store, Default::default())
            .await
            .unwrap();
        let target = RequestTarget::Account(&sid);
        let access = sb
            .operator_access(target, Action::Write, Resource::PhoneNumbers)
            .await
            .unwrap();
        let purchase = Purchase {
            phone_number: None,
            area_code: Some("415".into()),
            number_type: None,
            settings: Default::default(),
        };
        sb.buy_number(&access, &purchase)
            .await
            .unwrap()
            .phone_number
    };
    let (out, stdout, stderr) = run(switchboard()
        .args(["messages", "receive", "--database-url", &database_url])
        .args([
            "--to",
            &number,
            "--from",
            "+14155550123",
            "--body",
            "hi",
            "--json",
        ]));
    assert!(out.status.success(), "messages receive failed: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["account_sid"], account.as_str());
    assert_eq!(json["to"], number.as_str());
    assert_eq!(json["status"], "received");
    assert!(json["sid"].as_str().unwrap().starts_with("SM"), "{json}");
}

/// `calls receive`: a handset calls a number some account owns, found by the
/// number alone; the inbound call rings in that account, with the keys
/// queued for its first `<Gather>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_receive_rings_the_numbers_account() {
    use switchboard_domain::access::{Action, RequestTarget, Resource};
    use switchboard_domain::telephony::numbers::Purchase;

    crate::support::install_crypto();
    let dir = tempfile::tempdir().unwrap();
    let database_url = sqlite_url(dir.path());
    let account = full_account(&database_url);
    let sid = switchboard_types::AccountSid::parse(&account).unwrap();
    let number = {
        let url = switchboard_store::DatabaseUrl::parse(&database_url).unwrap();
        let store = switchboard_store::Store::open(&url, switchboard_store::PoolSize::default())
            .await
            .unwrap();
        let sb = switchboard_domain::Switchboard::open(store, Default::default())
            .await
            .unwrap();
        let target = RequestTarget::Account(&sid);
        let access = sb
            .operator_access(target, Action::Write, Resource::PhoneNumbers)
            .await
            .unwrap();
        let purchase = Purchase {
            phone_number: None,
            area_code: Some("415".into()),
            number_type: None,
            settings: Default::default(),
        };
        sb.buy_number(&access, &purchase)
            .await
            .unwrap()
            .phone_number
    };
    let receive = |extra: &[&str]| {
        run(switchboard()
            .args(["calls", "receive", "--database-url", &database_url])
            .args(["--from", "+14155550123"])
            .args(extra))
    };
    let (out, stdout, stderr) = receive(&["--to", &number, "--digits", "12#", "--json"]);
    assert!(out.status.success(), "calls receive failed: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["account_sid"], account.as_str(), "{json}");
    assert_eq!(json["to"], number.as_str());
    assert_eq!(json["from"], "+14155550123");
    assert_eq!(json["direction"], "inbound");
    assert_eq!(json["status"], "ringing");
    assert!(json["sid"].as_str().unwrap().starts_with("CA"), "{json}");

    // Without --json, a sentence naming the call.
    let (out, stdout, stderr) = receive(&["--to", &number]);
    assert!(out.status.success(), "calls receive failed: {stderr}");
    assert!(
        stdout.contains(&number) && stdout.contains("is ringing with CA"),
        "{stdout}"
    );
    // Keys that are not keys are refused before anything rings.
    let (out, _, stderr) = receive(&["--to", &number, "--digits", "1x"]);
    assert!(!out.status.success());
    assert!(
        !stderr.is_empty() && !stderr.contains("panicked"),
        "{stderr}"
    );
}

/// `messages receive --sandbox SB…`: a sandbox's numbers are its own, so the
/// handset names the sandbox whose number it texts; the default world does
/// not find it, and a SID that is not a sandbox's is explained.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_receive_reaches_a_sandboxs_number_when_named() {
    use switchboard_domain::access::{Action, RequestTarget, Resource};
    use switchboard_domain::sandbox::seed::SeedDocument;

    crate::support::install_crypto();
    let dir = tempfile::tempdir().unwrap();
    let database_url = sqlite_url(dir.path());
    let (sandbox, bob) = {
        let url = switchboard_store::DatabaseUrl::parse(&database_url).unwrap();
        let store = switchboard_store::Store::open(&url, switchboard_store::PoolSize::default())
            .await
            .unwrap();
        let settings = switchboard_domain::Settings {
            sandbox: true,
            ..Default::default()
        };
        let sb = switchboard_domain::Switchboard::open(store, settings)
            .await
            .unwrap();
        let access = sb
            .operator_access(RequestTarget::Sandboxes, Action::Write, Resource::Sandbox)
            .await
            .unwrap();
        let given = serde_json::json!({"accounts": {"bob": {"type": "Full",
            "phone_numbers": [{"phone_number": "+14155550100"}]}}})
        .to_string();
        let document = SeedDocument::from_json(&given).unwrap();
        let view = sb
            .sandboxes()
            .create(&access, &document, &given)
            .await
            .unwrap();
        (view.sid.to_string(), view.accounts[0].sid.to_string())
    };
    let receive = |extra: &[&str]| {
        run(switchboard()
            .args(["messages", "receive", "--database-url", &database_url])
            .args(["--to", "+14155550100", "--from", "+14155550123"])
            .args(["--body", "hi", "--json"])
            .args(extra))
    };

    let (out, stdout, stderr) = receive(&["--sandbox", &sandbox]);
    assert!(out.status.success(), "messages receive failed: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["account_sid"], bob.as_str(), "{json}");
    assert_eq!(json["status"], "received");

    // The default world has no such number, and says how to name a sandbox.
    let (out, _, stderr) = receive(&[]);
    assert!(!out.status.success());
    assert!(
        stderr.contains("no account owns +14155550100") && stderr.contains("--sandbox"),
        "{stderr}"
    );
    // Another sandbox, and something that is not a sandbox SID.
    let other = switchboard_types::SandboxSid::generate().to_string();
    let (out, _, stderr) = receive(&["--sandbox", &other]);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("no account of sandbox {other}")),
        "{stderr}"
    );
    let (out, _, stderr) = receive(&["--sandbox", "SBnope"]);
    assert!(!out.status.success());
    assert!(stderr.contains("not a sandbox SID"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
