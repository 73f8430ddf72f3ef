//! Attacks on the consent flow and the console's sign-in, each of which must fail.

use reqwest::StatusCode;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountType, Permissions};

use crate::browser::{Answer, Browser};
use crate::connect::{
    AppOwner, Customer, PASSWORD, app_owner, customer, decide, enc, param, query_of,
};
use crate::server_test;
use crate::support::AsOperator;
use crate::support::{TestServer, rand_id};

async fn grants(s: &TestServer, account: &switchboard_types::AccountSid) -> usize {
    s.sb.grants_of(account, &PageAt::First, 50)
        .await
        .unwrap()
        .items
        .len()
}

server_test!(
    approving_without_or_with_another_sessions_csrf_token_fails,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let mut victim = customer(&s, true).await;
        let mut attacker = customer(&s, true).await;
        let attackers_page = attacker
            .browser
            .get(&format!("/authorize/{}", owner.app))
            .await;
        let attackers_token = attackers_page.csrf();
        let path = format!("/authorize/{}", owner.app);
        for form in [
            vec![("decision", "authorize")],
            vec![("decision", "authorize"), ("csrf_token", "")],
            vec![
                ("decision", "authorize"),
                ("csrf_token", attackers_token.as_str()),
            ],
            vec![
                ("decision", "authorize"),
                (
                    "csrf_token",
                    "0000000000000000000000000000000000000000000000000000000000000000",
                ),
            ],
        ] {
            let answer = victim.browser.post(&path, &form).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{form:?}");
            assert!(
                answer.location().is_empty(),
                "no redirect without a valid token"
            );
        }
        assert_eq!(grants(&s, &victim.account).await, 0);
    }
);

server_test!(the_consent_page_cannot_be_framed, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut c = customer(&s, true).await;
    let page = c.browser.get(&format!("/authorize/{}", owner.app)).await;
    assert_eq!(page.header("x-frame-options"), "DENY");
    let csp = page.header("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.header("cache-control"), "no-store");
});

server_test!(state_with_markup_or_a_second_account_sid_stays_inert, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut c = customer(&s, true).await;
    let state = "\"><script>alert(1)</script>&AccountSid=AC00000000000000000000000000000000#x";
    let page = c
        .browser
        .get(&format!("/authorize/{}?state={}", owner.app, enc(state)))
        .await;
    assert!(
        !page.body.contains("<script>alert(1)</script>"),
        "state was not escaped on the page"
    );
    let answer = decide(&mut c.browser, &owner.app, Some(state), "authorize").await;
    assert_eq!(answer.status, StatusCode::FOUND);
    let location = answer.location();
    assert!(
        location.starts_with("https://app.example.com/twilio/authorize?"),
        "{location}"
    );
    let q = query_of(location);
    let sids = param(&q, "AccountSid");
    assert_eq!(sids.len(), 1, "exactly one AccountSid: {location}");
    assert_ne!(sids[0], "AC00000000000000000000000000000000");
    assert_eq!(
        param(&q, "state"),
        [state],
        "state comes back exactly as given"
    );
    assert!(
        !location.contains('<') && !location.contains('"') && !location.contains('#'),
        "{location}"
    );
});

server_test!(app_text_is_escaped_on_the_consent_page, |s| {
    let owner = s.main_account(AccountType::Full).await;
    let (status, app) = s
        .post(
            &owner,
            &format!("/2010-04-01/Accounts/{}/ConnectApps.json", owner.sid),
            &[
                ("FriendlyName", "<script>alert('name')</script>"),
                ("CompanyName", "<img src=x onerror=alert(1)>"),
                ("Description", "</p><script>alert('d')</script>"),
                ("AuthorizeRedirectUrl", "https://app.example.com/cb"),
                ("Permissions", "get-all"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    let mut c = customer(&s, true).await;
    let page = c
        .browser
        .get(&format!("/authorize/{}", app["sid"].as_str().unwrap()))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("<script>alert"),
        "markup from the app ran:\n{}",
        page.body
    );
    assert!(!page.body.contains("<img src=x"));
    assert!(
        page.body.contains("&lt;script&gt;alert(") || page.body.contains("&#60;script&#62;alert("),
        "the text is still shown, escaped"
    );
});

server_test!(
    unknown_apps_and_apps_without_an_authorize_url_get_an_error_page,
    |s| {
        let owner = s.main_account(AccountType::Full).await;
        let (_, bare) = s
            .post(
                &owner,
                &format!("/2010-04-01/Accounts/{}/ConnectApps.json", owner.sid),
                &[("FriendlyName", "Unfinished"), ("CompanyName", "Acme")],
            )
            .await;
        let mut c = customer(&s, true).await;
        for (path, status) in [
            (
                "/authorize/CN00000000000000000000000000000000".to_owned(),
                StatusCode::NOT_FOUND,
            ),
            (
                "/authorize/not-a-sid?state=x".to_owned(),
                StatusCode::NOT_FOUND,
            ),
            (
                format!("/authorize/{}?state=x", bare["sid"].as_str().unwrap()),
                StatusCode::BAD_REQUEST,
            ),
        ] {
            let page = c.browser.get(&path).await;
            assert_eq!(page.status, status, "{path}");
            assert!(page.location().is_empty(), "{path} redirected");
            assert!(page.header("content-type").starts_with("text/html"));
            let posted = c.browser.post(&path, &[("decision", "authorize")]).await;
            assert!(posted.location().is_empty(), "{path} redirected on POST");
        }
    }
);

server_test!(sign_in_never_redirects_off_site, |s| {
    let c = customer(&s, true).await;
    for next in [
        "https://evil.example/steal",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let mut b = Browser::new(&s);
        let answer = b.sign_in(&c.email, PASSWORD, next).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert_eq!(answer.location(), "/console", "next={next}");
        let page = b.get(&format!("/signin?next={}", enc(next))).await;
        assert_eq!(
            page.location(),
            "/console",
            "already signed in, next={next}"
        );
    }
});

server_test!(sign_in_forms_need_their_csrf_token, |s| {
    let c = customer(&s, true).await;
    let mut b = Browser::new(&s);
    b.get("/signin").await;
    let answer = b
        .post(
            "/signin",
            &[
                ("email", &c.email),
                ("password", PASSWORD),
                ("csrf_token", "forged"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(b.cookie("sb_session").is_none());
    // Sign-up too.
    let answer = b
        .post(
            "/signup",
            &[
                ("email", "new@example.com"),
                ("password", PASSWORD),
                ("friendly_name", "x"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    // And sign-out, which must not be triggered by another site.
    let mut signed = customer(&s, true).await;
    let answer = signed
        .browser
        .post("/signout", &[("csrf_token", "forged")])
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        signed.browser.get("/console").await.status,
        StatusCode::OK,
        "still signed in"
    );
    let page = signed.browser.get("/console").await;
    let out = signed
        .browser
        .post("/signout", &[("csrf_token", &page.csrf())])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        signed.browser.get("/console").await.status,
        StatusCode::SEE_OTHER,
        "signed out"
    );
});

server_test!(session_cookies_are_http_only_and_same_site_lax, |s| {
    let mut b = Browser::new(&s);
    let email = format!("c{}@example.com", rand_id());
    let page = b.get("/signup").await;
    let answer = b
        .post(
            "/signup",
            &[
                ("csrf_token", &page.csrf()),
                ("friendly_name", "C"),
                ("email", &email),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookie = answer.header("set-cookie");
    assert!(cookie.starts_with("sb_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http: no Secure flag");
});

mod secure_cookies {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn over_https_public_urls() {
        let s = TestServer::start_with(switchboard_store::testing::TestDb::sqlite(), |settings| {
            settings.public_url = "https://switchboard.example.com".into();
        })
        .await;
        let mut b = Browser::new(&s);
        let page = b.get("/signin").await;
        assert!(
            page.header("set-cookie").contains("; Secure"),
            "{}",
            page.header("set-cookie")
        );
    }
}

server_test!(signing_up_keeps_what_was_typed_and_explains_errors, |s| {
    let mut b = Browser::new(&s);
    let page = b.get("/signup").await;
    let answer = b
        .post(
            "/signup",
            &[
                ("csrf_token", &page.csrf()),
                ("friendly_name", "Keep Me"),
                ("email", "not-an-email"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("value=\"Keep Me\""));
    assert!(answer.body.contains("value=\"not-an-email\""));
    assert!(answer.body.contains("field-error"));
});

/// What the consent page's form sends when `decision` is pressed: its hidden
/// fields as the page wrote them, and the button.
fn consent_form(page: &Answer, decision: &'static str) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> = ["csrf_token", "state", "permissions"]
        .into_iter()
        .filter_map(|name| page.hidden(name).map(|v| (name, v)))
        .collect();
    form.push(("decision", decision.to_owned()));
    form
}

async fn post_consent(c: &mut Customer<'_>, app: &str, page: &Answer) -> Answer {
    let form = consent_form(page, "authorize");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.browser.post(&format!("/authorize/{app}"), &form).await
}

/// The app owner changes the app's permissions through the API.
async fn set_permissions(s: &TestServer, owner: &AppOwner, permissions: &str) {
    let (status, app) = s
        .post(
            &owner.creds,
            &format!(
                "/2010-04-01/Accounts/{}/ConnectApps/{}.json",
                owner.creds.sid, owner.app
            ),
            &[("Permissions", permissions)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{app}");
}

/// The permissions of the customer's grant of the app, if it has one.
async fn granted(s: &TestServer, c: &Customer<'_>) -> Option<Permissions> {
    s.sb.grants_of(&c.account, &PageAt::First, 50)
        .await
        .unwrap()
        .items
        .first()
        .map(|a| a.grant.permissions)
}

const READ: &str = "Read all account data";
const CHARGE: &str = "Charge your account for usage";
const CHANGED: &str = "asks for changed since this page was shown";

#[track_caller]
fn assert_shown_again(answer: &Answer, read: bool, charge: bool) {
    assert_eq!(
        answer.status,
        StatusCode::CONFLICT,
        "the approval of a stale page went through: {} {}",
        answer.location(),
        answer.body
    );
    assert!(answer.location().is_empty(), "no redirect to the app");
    assert!(answer.body.contains(CHANGED), "no line saying they changed");
    assert_eq!(answer.body.contains(READ), read, "{}", answer.body);
    assert_eq!(answer.body.contains(CHARGE), charge, "{}", answer.body);
    assert!(
        answer.body.contains(">Authorize<"),
        "the page offers to approve again"
    );
}

server_test!(
    an_approval_grants_exactly_the_permissions_on_the_page_approved,
    |s| {
        let both = Permissions::parse_all(["get-all,post-all"]).unwrap();
        let read = Permissions::parse_all(["get-all"]).unwrap();
        let owner = app_owner(&s, &["get-all"]).await;
        let mut c = customer(&s, true).await;
        let first = c.browser.get(&format!("/authorize/{}", owner.app)).await;
        assert!(first.body.contains(READ) && !first.body.contains(CHARGE));
        assert!(!first.body.contains(CHANGED));

        // While the page is open, the owner adds post-all.
        set_permissions(&s, &owner, "get-all,post-all").await;
        let answer = post_consent(&mut c, &owner.app, &first).await;
        assert_shown_again(&answer, true, true);
        assert_eq!(
            granted(&s, &c).await,
            None,
            "a grant the customer never saw"
        );

        // Approving the page shown again grants exactly what it showed.
        let again = post_consent(&mut c, &owner.app, &answer).await;
        assert_eq!(again.status, StatusCode::FOUND, "{}", again.body);
        assert_eq!(granted(&s, &c).await, Some(both));

        // The reverse: the page shows both, the owner drops post-all before the
        // customer approves; the existing grant stays as it was.
        let page = c.browser.get(&format!("/authorize/{}", owner.app)).await;
        assert!(page.body.contains(CHARGE));
        set_permissions(&s, &owner, "get-all").await;
        let answer = post_consent(&mut c, &owner.app, &page).await;
        assert_shown_again(&answer, true, false);
        assert_eq!(granted(&s, &c).await, Some(both), "the grant changed");

        // A new customer approving a stale page with more than the app now asks
        // for gets nothing, then exactly the new set.
        set_permissions(&s, &owner, "get-all,post-all").await;
        let mut fresh = customer(&s, true).await;
        let page = fresh
            .browser
            .get(&format!("/authorize/{}", owner.app))
            .await;
        set_permissions(&s, &owner, "get-all").await;
        let answer = post_consent(&mut fresh, &owner.app, &page).await;
        assert_shown_again(&answer, true, false);
        assert_eq!(granted(&s, &fresh).await, None, "the stale set was granted");
        let again = post_consent(&mut fresh, &owner.app, &answer).await;
        assert_eq!(again.status, StatusCode::FOUND, "{}", again.body);
        assert_eq!(granted(&s, &fresh).await, Some(read));

        // A form that does not say what it showed grants nothing.
        let mut other = customer(&s, true).await;
        let page = other
            .browser
            .get(&format!("/authorize/{}", owner.app))
            .await;
        for shown in [None, Some("delete-all")] {
            let mut form = vec![
                ("csrf_token", page.csrf()),
                ("decision", "authorize".into()),
            ];
            form.extend(shown.map(|p| ("permissions", p.to_owned())));
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let answer = other
                .browser
                .post(&format!("/authorize/{}", owner.app), &form)
                .await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{shown:?}");
            assert!(answer.location().is_empty());
            assert!(
                answer
                    .body
                    .contains("did not say which permissions it showed")
            );
            assert_eq!(granted(&s, &other).await, None, "{shown:?}");
        }
    }
);
