//! The Connect flow over real HTTP: an app owner's app, a customer signing up and
//! authorizing it from its Connect link, and the app using the API as the Connect
//! principal.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::{AccountSid, AccountType};

use crate::browser::{Answer, Browser};
use crate::server_test;
use crate::support::AsOperator;
use crate::support::{Creds, TestServer, assert_twilio_error, rand_id};

pub const REDIRECT: &str = "https://app.example.com/twilio/authorize?tenant=42";
pub const PASSWORD: &str = "correct horse battery";

/// An app owner with one Connect App.
pub struct AppOwner {
    pub creds: Creds,
    pub app: String,
}

pub async fn app_owner(s: &TestServer, permissions: &[&str]) -> AppOwner {
    let creds = s.main_account(AccountType::Full).await;
    let mut form = vec![
        ("FriendlyName", "Call Analytics"),
        ("CompanyName", "Rossum Inc"),
        ("Description", "Charts of your call logs"),
        ("HomepageUrl", "https://app.example.com/"),
        ("AuthorizeRedirectUrl", REDIRECT),
        (
            "DeauthorizeCallbackUrl",
            "https://app.example.com/twilio/deauthorize",
        ),
        ("DeauthorizeCallbackMethod", "POST"),
    ];
    form.extend(permissions.iter().map(|p| ("Permissions", *p)));
    let (status, app) = s
        .post(
            &creds,
            &format!("/2010-04-01/Accounts/{}/ConnectApps.json", creds.sid),
            &form,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    AppOwner {
        app: app["sid"].as_str().unwrap().to_owned(),
        creds,
    }
}

/// A customer who signed up through the console (Trial), optionally upgraded.
pub struct Customer<'s> {
    pub browser: Browser<'s>,
    pub email: String,
    pub account: AccountSid,
}

pub async fn customer(s: &TestServer, full: bool) -> Customer<'_> {
    let mut browser = Browser::new(s);
    let email = format!("customer{}@example.com", rand_id());
    let answer = browser.sign_up("Customer Co", &email, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let dashboard = browser.get("/console").await;
    // The first Account SID on the dashboard is the account's own.
    let start = dashboard
        .body
        .match_indices("AC")
        .map(|(i, _)| i)
        .find(|&i| {
            dashboard
                .body
                .get(i..i + 34)
                .is_some_and(|s| AccountSid::parse(s).is_ok())
        })
        .expect("account SID on the dashboard");
    let account = AccountSid::parse(&dashboard.body[start..start + 34]).unwrap();
    if full {
        s.sb.upgrade_main(&account).await.unwrap();
    }
    Customer {
        browser,
        email,
        account,
    }
}

pub fn enc(v: &str) -> String {
    utf8_percent_encode(v, NON_ALPHANUMERIC).to_string()
}

/// Opens the consent page and presses a button.
pub async fn decide(b: &mut Browser<'_>, app: &str, state: Option<&str>, decision: &str) -> Answer {
    let path = match state {
        Some(st) => format!("/authorize/{app}?state={}", enc(st)),
        None => format!("/authorize/{app}"),
    };
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    let shown = page
        .hidden("permissions")
        .expect("the permissions the page shows");
    let mut form = vec![
        ("csrf_token", csrf.as_str()),
        ("permissions", shown.as_str()),
        ("decision", decision),
    ];
    form.extend(state.map(|st| ("state", st)));
    b.post(&format!("/authorize/{app}"), &form).await
}

/// The query parameters of a redirect.
pub fn query_of(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param<'a>(q: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    q.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Authorizes and returns the dedicated subaccount's SID.
pub async fn authorize(b: &mut Browser<'_>, app: &str) -> AccountSid {
    let answer = decide(b, app, Some("s1"), "authorize").await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    let q = query_of(answer.location());
    AccountSid::parse(param(&q, "AccountSid")[0]).unwrap()
}

pub(crate) fn as_app(owner: &AppOwner, subaccount: &AccountSid) -> Creds {
    Creds {
        sid: subaccount.clone(),
        token: owner.creds.token.clone(),
    }
}

server_test!(the_whole_flow_from_connect_link_to_api, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut c = customer(&s, true).await;
    // A fresh browser session: not signed in yet.
    c.browser.forget_cookies();
    let state = "user-77 & more";
    let consent = format!("/authorize/{}?state={}", owner.app, enc(state));
    let to_signin = c.browser.get(&consent).await;
    assert_eq!(to_signin.status, StatusCode::SEE_OTHER);
    assert!(
        to_signin.location().starts_with("/signin?next="),
        "{}",
        to_signin.location()
    );
    let next = query_of(&s.url(to_signin.location()));
    assert_eq!(
        param(&next, "next"),
        [consent.as_str()],
        "the sign-in detour keeps state"
    );
    let signed_in = c.browser.sign_in(&c.email, PASSWORD, &consent).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), consent);

    let page = c.browser.get(&consent).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert!(
        page.header("content-security-policy")
            .contains("frame-ancestors 'none'")
    );
    for shown in [
        "Call Analytics",
        "Rossum Inc",
        "Charts of your call logs",
        "Read all account data",
        ">Authorize<",
        ">Deny<",
    ] {
        assert!(page.body.contains(shown), "consent page lacks {shown:?}");
    }
    // Only an app that may spend (post-all) is said to bill the customer.
    assert!(
        !page.body.contains("billed to your account"),
        "a get-all app's consent page speaks of billing"
    );
    let answer = c
        .browser
        .post(
            &format!("/authorize/{}", owner.app),
            &[
                ("csrf_token", &page.csrf()),
                ("state", state),
                ("permissions", &page.hidden("permissions").unwrap()),
                ("decision", "authorize"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    let location = answer.location().to_owned();
    assert!(
        location.starts_with("https://app.example.com/twilio/authorize?tenant=42&AccountSid=AC"),
        "{location}"
    );
    let q = query_of(&location);
    assert_eq!(param(&q, "state"), [state]);
    assert_eq!(param(&q, "tenant"), ["42"]);
    let subaccount = AccountSid::parse(param(&q, "AccountSid")[0]).unwrap();

    // The dedicated subaccount belongs to the customer and is named for the app.
    let sub = s.sb.read_account(&subaccount).await.unwrap();
    assert_eq!(sub.owner_account_sid, c.account);
    assert_eq!(
        sub.friendly_name,
        "Subaccount for ConnectApp: Call Analytics"
    );

    // The app, with the customer's subaccount SID and its own token, reads the
    // customer's accounts, without any auth token in them.
    let app = as_app(&owner, &subaccount);
    let (status, list) = s.get(&app, "/2010-04-01/Accounts.json").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let accounts = list["accounts"].as_array().unwrap();
    let sids: Vec<&str> = accounts
        .iter()
        .map(|a| a["sid"].as_str().unwrap())
        .collect();
    assert!(
        sids.contains(&c.account.as_str()) && sids.contains(&subaccount.as_str()),
        "{sids:?}"
    );
    assert!(
        accounts.iter().all(|a| a.get("auth_token").is_none()),
        "a Connect App saw an auth token"
    );
    let (status, main) = s
        .get(&app, &format!("/2010-04-01/Accounts/{}.json", c.account))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(main.get("auth_token").is_none());

    // The customer sees the app among their authorized apps.
    let customer_token =
        s.sb.reveal_token(&s.sb.read_account(&c.account).await.unwrap())
            .unwrap();
    let customer_creds = Creds {
        sid: c.account.clone(),
        token: customer_token,
    };
    let (_, authorized) = s
        .get(
            &customer_creds,
            &format!(
                "/2010-04-01/Accounts/{}/AuthorizedConnectApps.json",
                c.account
            ),
        )
        .await;
    let items = authorized["authorized_connect_apps"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["connect_app_sid"], owner.app);
    assert_eq!(items[0]["permissions"], serde_json::json!(["get-all"]));
    assert_eq!(items[0]["account_sid"], c.account.to_string());
    let (status, one) = s
        .get(
            &customer_creds,
            &format!(
                "/2010-04-01/Accounts/{}/AuthorizedConnectApps/{}.json",
                c.account, owner.app
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["connect_app_friendly_name"], "Call Analytics");

    // Recorded in the customer's audit log.
    let log =
        s.sb.log_of(&c.account, &switchboard_store::page::PageAt::First, 50)
            .await
            .unwrap();
    let approval = log
        .items
        .iter()
        .find(|e| e.action == "connect.authorize")
        .expect("an approval event");
    assert_eq!(approval.actor, c.email);
    assert_eq!(
        approval.connect_app_sid.as_deref(),
        Some(owner.app.as_str())
    );
    assert_eq!(
        approval.permissions.map(|p| p.to_string()),
        Some("get-all".into())
    );
});

server_test!(
    deny_redirects_with_unauthorized_client_and_grants_nothing,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let mut c = customer(&s, true).await;
        let answer = decide(&mut c.browser, &owner.app, Some("abc"), "deny").await;
        assert_eq!(answer.status, StatusCode::FOUND);
        let q = query_of(answer.location());
        assert!(
            answer
                .location()
                .starts_with("https://app.example.com/twilio/authorize?")
        );
        assert_eq!(param(&q, "error"), ["unauthorized_client"]);
        assert_eq!(param(&q, "state"), ["abc"]);
        assert!(param(&q, "AccountSid").is_empty());
        let without_state = decide(&mut c.browser, &owner.app, None, "deny").await;
        assert!(param(&query_of(without_state.location()), "state").is_empty());
        let apps =
            s.sb.grants_of(&c.account, &switchboard_store::page::PageAt::First, 50)
                .await
                .unwrap();
        assert!(apps.items.is_empty());
        let log =
            s.sb.log_of(&c.account, &switchboard_store::page::PageAt::First, 50)
                .await
                .unwrap();
        assert!(log.items.iter().any(|e| e.action == "connect.deny"));
    }
);

server_test!(trial_accounts_cannot_authorize, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut c = customer(&s, false).await;
    let page = c.browser.get(&format!("/authorize/{}", owner.app)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Trial"),
        "the page says the account must be upgraded"
    );
    assert!(
        !page.body.contains("value=\"authorize\""),
        "no Authorize button for a Trial account"
    );
    let forced = c
        .browser
        .post(
            &format!("/authorize/{}", owner.app),
            &[
                ("csrf_token", &page.csrf()),
                ("permissions", &page.hidden("permissions").unwrap()),
                ("decision", "authorize"),
            ],
        )
        .await;
    assert_eq!(forced.status, StatusCode::FORBIDDEN);
    assert!(
        s.sb.grants_of(&c.account, &switchboard_store::page::PageAt::First, 5)
            .await
            .unwrap()
            .items
            .is_empty()
    );
});

server_test!(
    approving_again_reuses_the_subaccount_and_racing_approvals_make_one,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let mut c = customer(&s, true).await;
        let page = c.browser.get(&format!("/authorize/{}", owner.app)).await;
        let csrf = page.csrf();
        let shown = page.hidden("permissions").unwrap();
        let cookie = format!("sb_session={}", c.browser.cookie("sb_session").unwrap());
        let post = |csrf: String, cookie: String| {
            let url = s.url(&format!("/authorize/{}", owner.app));
            let http = s.http.clone();
            let shown = shown.clone();
            async move {
                http.post(url)
                    .header("Cookie", cookie)
                    .form(&[
                        ("csrf_token", csrf.as_str()),
                        ("permissions", shown.as_str()),
                        ("decision", "authorize"),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let answers = futures_join(
            post(csrf.clone(), cookie.clone()),
            post(csrf.clone(), cookie.clone()),
        )
        .await;
        let mut subaccounts = Vec::new();
        for a in answers {
            assert_eq!(a.status(), StatusCode::FOUND);
            let location = a
                .headers()
                .get("location")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            subaccounts.push(param(&query_of(&location), "AccountSid")[0].to_owned());
        }
        assert_eq!(
            subaccounts[0], subaccounts[1],
            "racing approvals made two subaccounts"
        );
        let again = authorize(&mut c.browser, &owner.app).await;
        assert_eq!(
            again.as_str(),
            subaccounts[0],
            "approving again reuses the subaccount"
        );
        let customer_token =
            s.sb.reveal_token(&s.sb.read_account(&c.account).await.unwrap())
                .unwrap();
        let (_, list) = s
            .get(
                &Creds {
                    sid: c.account.clone(),
                    token: customer_token,
                },
                "/2010-04-01/Accounts.json",
            )
            .await;
        assert_eq!(
            list["accounts"].as_array().unwrap().len(),
            2,
            "one main account and one dedicated subaccount: {list}"
        );
    }
);

async fn futures_join<A, B>(a: A, b: B) -> Vec<A::Output>
where
    A: std::future::Future,
    B: std::future::Future<Output = A::Output>,
{
    let (x, y) = tokio::join!(a, b);
    vec![x, y]
}

server_test!(
    permissions_are_what_the_app_requests_and_the_customer_granted,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let mut c = customer(&s, true).await;
        let sub = authorize(&mut c.browser, &owner.app).await;
        let app = as_app(&owner, &sub);
        let customer_path = format!("/2010-04-01/Accounts/{}.json", c.account);
        assert_eq!(s.get(&app, &customer_path).await.0, StatusCode::OK);

        // The app adds post-all: unusable until the customer approves again.
        let app_path = format!(
            "/2010-04-01/Accounts/{}/ConnectApps/{}.json",
            owner.creds.sid, owner.app
        );
        let (status, _) = s
            .post(
                &owner.creds,
                &app_path,
                &[("Permissions", "get-all,post-all")],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, list) = s.get(&app, "/2010-04-01/Accounts.json").await;
        assert_eq!(
            list["accounts"].as_array().unwrap().len(),
            2,
            "still get-all"
        );

        // The app drops get-all: gone at once, the refusal names it.
        s.post(&owner.creds, &app_path, &[("Permissions", "post-all")])
            .await;
        let (status, body) = s.get(&app, &customer_path).await;
        assert_twilio_error(status, &body, 403, 20403);
        assert!(
            body["message"].as_str().unwrap().contains("get-all"),
            "{body}"
        );
        // With post-all granted only after approving again, S alone is visible.
        let (status, body) = s.get(&app, "/2010-04-01/Accounts.json").await;
        assert_twilio_error(status, &body, 403, 20403);
        let again = authorize(&mut c.browser, &owner.app).await;
        assert_eq!(again, sub);
        let (status, list) = s.get(&app, "/2010-04-01/Accounts.json").await;
        assert_eq!(status, StatusCode::OK);
        let only: Vec<&str> = list["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["sid"].as_str().unwrap())
            .collect();
        assert_eq!(
            only,
            [sub.as_str()],
            "post-all alone lists the dedicated subaccount"
        );
        let log =
            s.sb.log_of(
                &owner.creds.sid,
                &switchboard_store::page::PageAt::First,
                50,
            )
            .await
            .unwrap();
        assert!(
            log.items
                .iter()
                .any(|e| e.action == "connect_app.permissions_changed")
        );
    }
);

server_test!(
    connect_principals_never_manage_accounts_tokens_or_apps,
    |s| {
        let owner = app_owner(&s, &["get-all", "post-all"]).await;
        let mut c = customer(&s, true).await;
        let sub = authorize(&mut c.browser, &owner.app).await;
        let app = as_app(&owner, &sub);
        let (status, body) = s
            .post(
                &app,
                "/2010-04-01/Accounts.json",
                &[("FriendlyName", "sneaky")],
            )
            .await;
        assert_twilio_error(status, &body, 403, 20403);
        for target in [&sub, &c.account] {
            let path = format!("/2010-04-01/Accounts/{target}.json");
            let (status, body) = s.post(&app, &path, &[("Status", "suspended")]).await;
            assert_twilio_error(status, &body, 403, 20403);
            let (status, body) = s.post(&app, &path, &[("FriendlyName", "renamed")]).await;
            assert_twilio_error(status, &body, 403, 20403);
        }
        for path in ["/v1/AuthTokens/Secondary", "/v1/AuthTokens/Promote"] {
            let (status, body) = s.post(&app, path, &[]).await;
            assert_twilio_error(status, &body, 403, 20403);
        }
        let (status, body) = s
            .post(
                &app,
                &format!("/2010-04-01/Accounts/{}/ConnectApps.json", c.account),
                &[("FriendlyName", "x"), ("CompanyName", "x")],
            )
            .await;
        assert_twilio_error(status, &body, 403, 20403);
        let (_, me) = s
            .get(&app, &format!("/2010-04-01/Accounts/{sub}.json"))
            .await;
        assert!(me.get("auth_token").is_none());
        // Nothing changed.
        let customer = s.sb.read_account(&c.account).await.unwrap();
        assert_eq!(customer.friendly_name, "Customer Co");
    }
);

server_test!(
    another_owners_token_with_this_customers_subaccount_is_refused,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let stranger = s.main_account(AccountType::Full).await;
        let mut c = customer(&s, true).await;
        let sub = authorize(&mut c.browser, &owner.app).await;
        let forged = Creds {
            sid: sub.clone(),
            token: stranger.token.clone(),
        };
        let (status, body) = s.get(&forged, "/2010-04-01/Accounts.json").await;
        assert_twilio_error(status, &body, 401, 20003);
        // And the app reaches nothing of other customers.
        let app = as_app(&owner, &sub);
        let (status, body) = s
            .get(&app, &format!("/2010-04-01/Accounts/{}.json", stranger.sid))
            .await;
        assert_twilio_error(status, &body, 404, 20404);
    }
);

server_test!(
    a_suspended_customer_or_deleted_app_stops_the_grant_at_once,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let mut c = customer(&s, true).await;
        let sub = authorize(&mut c.browser, &owner.app).await;
        let app = as_app(&owner, &sub);
        s.assert_alive(&app).await;
        s.sb.store()
            .run(switchboard_store::accounts::set_status(
                &c.account,
                switchboard_types::AccountStatus::Suspended,
                switchboard_types::Timestamp::now(),
            ))
            .await
            .unwrap();
        let (status, body) = s.get(&app, "/2010-04-01/Accounts.json").await;
        assert_twilio_error(status, &body, 401, 20003);
        s.sb.store()
            .run(switchboard_store::accounts::set_status(
                &c.account,
                switchboard_types::AccountStatus::Active,
                switchboard_types::Timestamp::now(),
            ))
            .await
            .unwrap();
        s.assert_alive(&app).await;
        let (status, _) = s
            .call(
                Some(&owner.creds),
                reqwest::Method::DELETE,
                &format!(
                    "/2010-04-01/Accounts/{}/ConnectApps/{}.json",
                    owner.creds.sid, owner.app
                ),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body) = s.get(&app, "/2010-04-01/Accounts.json").await;
        assert_twilio_error(status, &body, 401, 20003);
        // The subaccount and its data stay with the customer.
        assert_eq!(
            s.sb.read_account(&sub).await.unwrap().owner_account_sid,
            c.account
        );
    }
);

#[allow(dead_code)]
fn _unused(_: Value) {}
