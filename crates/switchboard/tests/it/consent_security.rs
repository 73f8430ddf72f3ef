//! Attacks on the consent flow and the console's sign-in, each of which must fail.

use reqwest::StatusCode;
use switchboard_store::page::PageAt;
use switchboard_types::AccountType;

use crate::browser::Browser;
use crate::connect::{PASSWORD, app_owner, customer, decide, enc, param, query_of};
use crate::server_test;
use crate::support::{TestServer, rand_id};

async fn grants(s: &TestServer, account: &switchboard_types::AccountSid) -> usize {
    s.sb.authorized_apps_of(account, &PageAt::First, 50)
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
