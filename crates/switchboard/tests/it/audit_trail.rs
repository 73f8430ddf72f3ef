//! Every state change writes its audit entry, naming who made it, whichever
//! door it came in by: the API, the console or the command line.

use reqwest::StatusCode;
use switchboard_store::audit::AuditEvent;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use reqwest::Method;
use switchboard_domain::accounts::NewMainAccount;
use switchboard_domain::connect_apps::ConnectAppFields;

use crate::browser::Browser;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, rand_id};

/// The main account's audit log, oldest first, as (actor, action).
async fn actions(s: &TestServer, main: &AccountSid) -> Vec<(String, String)> {
    let log: Vec<AuditEvent> = s.sb.log_of(main, &PageAt::First, 200).await.unwrap().items;
    log.into_iter().rev().map(|e| (e.actor, e.action)).collect()
}

const PASSWORD: &str = "correct horse battery";

/// A Trial main account made by the operator, and its user signed in.
async fn signed_in(s: &TestServer) -> (AccountSid, String, Browser<'_>) {
    let email = format!("user{}@example.com", rand_id());
    let created =
        s.sb.new_main_account(NewMainAccount {
            email: email.clone(),
            password: PASSWORD.into(),
            friendly_name: "Acme".into(),
            account_type: AccountType::Trial,
        })
        .await
        .unwrap();
    let mut browser = Browser::new(s);
    let answer = browser.sign_in(&email, PASSWORD, "/console").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    (created.account.sid, email, browser)
}

/// The main account's audit log, oldest first, as (actor, action, subject).
async fn trail(s: &TestServer, main: &AccountSid) -> Vec<(String, String, Option<String>)> {
    let log: Vec<AuditEvent> = s.sb.log_of(main, &PageAt::First, 200).await.unwrap().items;
    log.into_iter()
        .rev()
        .map(|e| (e.actor, e.action, e.subject_sid))
        .collect()
}

server_test!(api_subaccount_changes_are_audited, |s| {
    let main = s.main_account(AccountType::Full).await;
    let actor = format!("api:{}", main.sid);
    let (status, sub) = s
        .post(
            &main,
            "/2010-04-01/Accounts.json",
            &[("FriendlyName", "Ops")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    let sub_sid = sub["sid"].as_str().unwrap().to_owned();
    let path = format!("/2010-04-01/Accounts/{sub_sid}.json");
    for form in [
        [("FriendlyName", "Ops team")],
        [("Status", "suspended")],
        [("Status", "active")],
        [("Status", "closed")],
    ] {
        let (status, body) = s.post(&main, &path, &form).await;
        assert_eq!(status, StatusCode::OK, "{form:?}: {body}");
    }
    let (status, _) = s
        .post(
            &main,
            &format!("/2010-04-01/Accounts/{}.json", main.sid),
            &[("FriendlyName", "Main renamed")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let subject = Some(sub_sid.clone());
    assert_eq!(
        trail(&s, &main.sid).await,
        [
            (
                "operator".into(),
                "account.create".into(),
                Some(main.sid.to_string())
            ),
            (actor.clone(), "subaccount.create".into(), subject.clone()),
            (actor.clone(), "subaccount.rename".into(), subject.clone()),
            (actor.clone(), "subaccount.suspend".into(), subject.clone()),
            (
                actor.clone(),
                "subaccount.reactivate".into(),
                subject.clone()
            ),
            (actor.clone(), "subaccount.close".into(), subject.clone()),
            (
                actor.clone(),
                "account.rename".into(),
                Some(main.sid.to_string())
            ),
        ]
    );
    // A subaccount's own credentials renaming it: in the main account's log.
    let (_, unnamed) = s.post(&main, "/2010-04-01/Accounts.json", &[]).await;
    let creds = crate::support::Creds {
        sid: AccountSid::parse(unnamed["sid"].as_str().unwrap()).unwrap(),
        token: unnamed["auth_token"].as_str().unwrap().to_owned(),
    };
    let (status, _) = s
        .post(
            &creds,
            &format!("/2010-04-01/Accounts/{}.json", creds.sid),
            &[("FriendlyName", "Mine")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let last = trail(&s, &main.sid).await.pop().unwrap();
    assert_eq!(
        last,
        (
            format!("api:{}", creds.sid),
            "subaccount.rename".into(),
            Some(creds.sid.to_string())
        )
    );
});

server_test!(
    console_changes_are_audited_as_the_signed_in_user,
    settings = |settings: &mut switchboard_domain::Settings| settings.allow_self_upgrade = true,
    |s| {
        let (main, email, mut browser) = signed_in(&s).await;
        let csrf = browser.get("/console").await.csrf();
        let answer = browser
            .post(
                "/console/subaccounts",
                &[("csrf_token", &csrf), ("friendly_name", "Staging")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let sub = answer.location()["/console/subaccounts/".len()..][..34].to_owned();
        let mut posts = vec![(
            format!("/console/subaccounts/{sub}/rename"),
            vec![
                ("csrf_token", csrf.clone()),
                ("friendly_name", "Renamed".into()),
            ],
        )];
        for step in ["suspend", "reactivate", "close"] {
            posts.push((
                format!("/console/subaccounts/{sub}/{step}"),
                vec![("csrf_token", csrf.clone())],
            ));
        }
        for step in [
            "create-secondary",
            "promote",
            "create-secondary",
            "delete-secondary",
        ] {
            posts.push((
                format!("/console/tokens/{step}"),
                vec![("csrf_token", csrf.clone())],
            ));
        }
        posts.push((
            "/console/upgrade".into(),
            vec![("csrf_token", csrf.clone())],
        ));
        for (path, form) in &posts {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let answer = browser.post(path, &form).await;
            // A new secondary token is shown in the answer itself, once;
            // every other change redirects.
            let expected = if path.ends_with("/create-secondary") {
                assert!(answer.body.contains("id=\"fresh-secondary\""), "{path}");
                StatusCode::OK
            } else {
                StatusCode::SEE_OTHER
            };
            assert_eq!(answer.status, expected, "{path}: {}", answer.body);
        }
        let changes: Vec<(String, String)> = actions(&s, &main)
            .await
            .into_iter()
            .filter(|(_, action)| !action.starts_with("console.") && action != "account.create")
            .collect();
        let by_user = |action: &str| (email.clone(), action.to_owned());
        assert_eq!(
            changes,
            [
                by_user("subaccount.create"),
                by_user("subaccount.rename"),
                by_user("subaccount.suspend"),
                by_user("subaccount.reactivate"),
                by_user("subaccount.close"),
                by_user("token.secondary_created"),
                by_user("token.promoted"),
                by_user("token.secondary_created"),
                by_user("token.secondary_deleted"),
                by_user("account.upgrade"),
            ]
        );
        // Console changes name the client's address.
        let log = s.sb.log_of(&main, &PageAt::First, 1).await.unwrap().items;
        assert_eq!(log[0].action, "account.upgrade");
        assert!(log[0].ip.is_some(), "{:?}", log[0]);
        assert_eq!(
            s.sb.read_account(&main).await.unwrap().account_type,
            AccountType::Full
        );
    }
);

// Where accounts may not upgrade themselves, the policy refuses the console's
// upgrade: nothing changes and nothing is recorded.
server_test!(self_upgrade_is_refused_where_it_is_off, |s| {
    let (main, _, mut browser) = signed_in(&s).await;
    let csrf = browser.get("/console/upgrade").await.csrf();
    let answer = browser
        .post("/console/upgrade", &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert!(answer.body.contains("Upgrades are done by the operator"));
    assert_eq!(
        s.sb.read_account(&main).await.unwrap().account_type,
        AccountType::Trial
    );
    assert!(
        !actions(&s, &main)
            .await
            .iter()
            .any(|(_, action)| action == "account.upgrade")
    );
});

server_test!(api_connect_app_and_token_changes_are_audited, |s| {
    let main = s.main_account(AccountType::Full).await;
    let actor = format!("api:{}", main.sid);
    let apps = format!("/2010-04-01/Accounts/{}/ConnectApps", main.sid);
    let (status, app) = s
        .post(
            &main,
            &format!("{apps}.json"),
            &[
                ("FriendlyName", "Analytics"),
                ("CompanyName", "Rossum"),
                ("Permissions", "get-all"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let app_path = format!("{apps}/{}.json", app["sid"].as_str().unwrap());
    let (status, _) = s
        .post(&main, &app_path, &[("Permissions", "get-all,post-all")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.call(Some(&main), Method::DELETE, &app_path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.post(&main, "/v1/AuthTokens/Secondary", &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, promoted) = s.post(&main, "/v1/AuthTokens/Promote", &[]).await;
    assert_eq!(status, StatusCode::OK, "{promoted}");
    let main = Creds {
        sid: main.sid.clone(),
        token: promoted["auth_token"].as_str().unwrap().to_owned(),
    };
    let by_api = |action: &str| (actor.clone(), action.to_owned());
    assert_eq!(
        actions(&s, &main.sid).await,
        [
            ("operator".to_owned(), "account.create".to_owned()),
            by_api("connect_app.create"),
            by_api("connect_app.permissions_changed"),
            by_api("connect_app.delete"),
            by_api("token.secondary_created"),
            by_api("token.promoted"),
        ]
    );
});

// The operator's changes (the command line's, straight through the domain)
// name the operator.
server_test!(operator_changes_are_audited_as_the_operator, |s| {
    let main = s.main_account(AccountType::Trial).await;
    s.sb.upgrade_main(&main.sid).await.unwrap();
    let fields = ConnectAppFields {
        friendly_name: Some("Analytics".into()),
        company_name: Some("Rossum".into()),
        ..ConnectAppFields::default()
    };
    s.sb.new_connect_app(&main.sid, &fields).await.unwrap();
    let by_operator = |action: &str| ("operator".to_owned(), action.to_owned());
    assert_eq!(
        actions(&s, &main.sid).await,
        [
            by_operator("account.create"),
            by_operator("account.upgrade"),
            by_operator("connect_app.create"),
        ]
    );
});

/// The operator's access is the command line's alone: no handler of the HTTP
/// crate may ask for it (or a worker's), so every web request goes through the
/// policy as the caller it is.
#[test]
fn the_http_crate_never_acts_as_the_operator_or_a_worker() {
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../http/src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 20, "the HTTP crate's sources were not found");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for forbidden in [
            "operator_access",
            "worker_access",
            "Actor::Operator",
            "Actor::Worker",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}",
                file.display()
            );
        }
    }
}

// An access is good for what the policy allowed and nothing else: one
// granted to read an account cannot delete its apps or rotate its tokens.
server_test!(an_access_is_bound_to_its_action_and_resource, |s| {
    let main = s.main_account(AccountType::Full).await;
    let fields = ConnectAppFields {
        friendly_name: Some("Analytics".into()),
        company_name: Some("Rossum".into()),
        ..ConnectAppFields::default()
    };
    let app = s.sb.new_connect_app(&main.sid, &fields).await.unwrap();
    let reading =
        s.sb.operator_access(
            switchboard_domain::access::RequestTarget::Account(&main.sid),
            switchboard_domain::access::Action::Read,
            switchboard_domain::access::Resource::ConnectApps,
        )
        .await
        .unwrap();
    let refused = s.sb.connect_apps().delete(&reading, &app.sid).await;
    assert!(
        matches!(refused, Err(switchboard_domain::DomainError::Internal(_))),
        "{refused:?}"
    );
    let refused = s.sb.auth_tokens().create_secondary(&reading).await;
    assert!(refused.is_err(), "{refused:?}");
    // Reading with it is what it is for.
    assert_eq!(
        s.sb.connect_apps()
            .get((&reading).into(), &app.sid)
            .await
            .unwrap()
            .sid,
        app.sid
    );
    assert_eq!(
        s.sb.apps_of(&main.sid, &PageAt::First, 10)
            .await
            .unwrap()
            .items
            .len(),
        1,
        "the app was not deleted"
    );
});
