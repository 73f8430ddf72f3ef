//! Issue 25: where the consent page sends the browser. A Connect link's `cb`
//! (python-social-auth's Twilio backend sends one) is honoured only when it is
//! the registered authorize URL but for its query; anything else is ignored.
//! And an app that signs its redirects gets `Timestamp` and `Signature`.

use reqwest::StatusCode;
use switchboard_domain::delivery::signature::twilio_signature;
use switchboard_types::{AccountSid, ConnectAppSid};

use crate::browser::{Answer, Browser};
use crate::connect::{AppOwner, PASSWORD, REDIRECT, app_owner, customer, enc, param, query_of};
use crate::server_test;
use crate::support::{AsOperator, TestServer, rand_id};

/// The registered URL without its query, as an app's completion URL is.
const COMPLETE: &str = "https://app.example.com/twilio/authorize";

/// The consent link with `state` and `cb`, opened; then a button pressed with
/// the hidden fields the page holds, as a browser sends them.
async fn decide_with_cb(
    b: &mut Browser<'_>,
    app: &str,
    state: &str,
    cb: &str,
    decision: &str,
) -> Answer {
    let page = b
        .get(&format!(
            "/authorize/{app}?state={}&cb={}",
            enc(state),
            enc(cb)
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    submit(b, app, &page, decision).await
}

/// Presses a button of a consent page, sending back every hidden field.
async fn submit(b: &mut Browser<'_>, app: &str, page: &Answer, decision: &str) -> Answer {
    let mut form: Vec<(&str, String)> = vec![("csrf_token", page.csrf())];
    for name in ["permissions", "state", "cb"] {
        if let Some(v) = page.hidden(name) {
            form.push((name, v));
        }
    }
    form.push(("decision", decision.to_owned()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(&format!("/authorize/{app}"), &form).await
}

/// `location` up to its query.
fn base_of(location: &str) -> String {
    let mut url = url::Url::parse(location).unwrap();
    url.set_query(None);
    url.into()
}

server_test!(
    a_cb_that_is_the_registered_url_but_for_its_query_is_honoured,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let mut c = customer(&s, true).await;
        let cb = format!("{COMPLETE}?redirect_state=Zx9&next=%2Fhome");
        let answer = decide_with_cb(&mut c.browser, &owner.app, "s-1", &cb, "authorize").await;
        assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
        let location = answer.location();
        assert!(
            location.starts_with(&format!("{cb}&AccountSid=AC")),
            "the cb, its query kept, then AccountSid: {location}"
        );
        let q = query_of(location);
        assert_eq!(param(&q, "redirect_state"), ["Zx9"]);
        assert_eq!(param(&q, "next"), ["/home"]);
        assert_eq!(param(&q, "state"), ["s-1"]);
        assert!(
            param(&q, "tenant").is_empty(),
            "the registered query is not merged in"
        );
        let sid = AccountSid::parse(param(&q, "AccountSid")[0]).unwrap();
        let sub = s.sb.read_account(&sid).await.unwrap();
        assert_eq!(sub.owner_account_sid, c.account);

        // Deny goes there too, with the error.
        let answer = decide_with_cb(&mut c.browser, &owner.app, "s-2", &cb, "deny").await;
        assert_eq!(answer.status, StatusCode::FOUND);
        assert_eq!(
            answer.location(),
            format!("{cb}&error=unauthorized_client&state=s-2")
        );

        // Without a cb, the registered URL as before.
        let answer = decide_with_cb(&mut c.browser, &owner.app, "s-3", "", "authorize").await;
        assert!(
            answer
                .location()
                .starts_with(&format!("{REDIRECT}&AccountSid=AC")),
            "{}",
            answer.location()
        );
    }
);

server_test!(a_cb_anywhere_else_is_ignored, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut c = customer(&s, true).await;
    for evil in [
        "https://evil.example.com/twilio/authorize?tenant=42",
        "http://app.example.com/twilio/authorize?tenant=42",
        "https://app.example.com:8443/twilio/authorize?tenant=42",
        "https://app.example.com/twilio/authorizeX?tenant=42",
        "https://app.example.com/twilio/other?tenant=42",
        "https://app.example.com/twilio/authorize/../../evil",
        "https://app.example.com.evil.example/twilio/authorize",
        "https://evil.example.com@app.example.com/twilio/authorize",
        "https://app.example.com\\@evil.example.com/twilio/authorize",
        "https://app.example.com/twilio/authorize#https://evil.example.com",
        "//evil.example.com/twilio/authorize",
        "/twilio/authorize",
        "javascript:alert(document.domain)//app.example.com/twilio/authorize",
    ] {
        for decision in ["authorize", "deny"] {
            let answer = decide_with_cb(&mut c.browser, &owner.app, "st", evil, decision).await;
            assert_eq!(answer.status, StatusCode::FOUND, "{evil}: {}", answer.body);
            let location = answer.location();
            assert_eq!(
                base_of(location),
                COMPLETE,
                "{evil:?} ({decision}) sent the browser to {location}"
            );
            let q = query_of(location);
            assert_eq!(param(&q, "tenant"), ["42"], "the registered URL, whole");
            assert_eq!(param(&q, "state"), ["st"]);
        }
    }
    // A cb the consent form is sent directly (not from the page) is judged
    // the same way.
    let page = c.browser.get(&format!("/authorize/{}", owner.app)).await;
    let answer = c
        .browser
        .post(
            &format!("/authorize/{}", owner.app),
            &[
                ("csrf_token", &page.csrf()),
                ("permissions", &page.hidden("permissions").unwrap()),
                ("cb", "https://evil.example.com/twilio/authorize"),
                ("decision", "authorize"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert!(
        answer.location().starts_with(REDIRECT),
        "{}",
        answer.location()
    );
});

server_test!(the_sign_in_and_sign_up_detours_keep_cb, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let cb = format!("{COMPLETE}?redirect_state=abc");
    let consent = format!("/authorize/{}?state=s%201&cb={}", owner.app, enc(&cb));

    // Sign in.
    let mut c = customer(&s, true).await;
    c.browser.forget_cookies();
    let to_signin = c.browser.get(&consent).await;
    assert_eq!(to_signin.status, StatusCode::SEE_OTHER);
    let next = query_of(&s.url(to_signin.location()));
    let next = param(&next, "next")[0].to_owned();
    let back = query_of(&s.url(&next));
    assert_eq!(param(&back, "cb"), [cb.as_str()], "{next}");
    assert_eq!(param(&back, "state"), ["s 1"], "{next}");
    let signed_in = c.browser.sign_in(&c.email, PASSWORD, &next).await;
    assert_eq!(signed_in.location(), next);
    let page = c.browser.get(&next).await;
    assert_eq!(page.hidden("cb").as_deref(), Some(cb.as_str()));
    let answer = submit(&mut c.browser, &owner.app, &page, "authorize").await;
    assert!(
        answer
            .location()
            .starts_with(&format!("{cb}&AccountSid=AC")),
        "{}",
        answer.location()
    );

    // A form sent after the session ended goes to sign in and back with both.
    c.browser.forget_cookies();
    let answer = c
        .browser
        .post(
            &format!("/authorize/{}", owner.app),
            &[
                ("csrf_token", "stale"),
                ("state", "s 1"),
                ("cb", &cb),
                ("decision", "authorize"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let next = query_of(&s.url(answer.location()));
    let back = query_of(&s.url(param(&next, "next")[0]));
    assert_eq!(param(&back, "cb"), [cb.as_str()]);
    assert_eq!(param(&back, "state"), ["s 1"]);

    // Sign up: from the sign-in page's link, a new customer comes back too.
    let mut b = Browser::new(&s);
    let to_signin = b.get(&consent).await;
    let signin = b.get(to_signin.location()).await;
    let link_start = signin.body.find("/signup?next=").expect("a sign-up link");
    let link = &signin.body[link_start..];
    let link = html_unescape(&link[..link.find('"').unwrap()]);
    let signup = b.get(&link).await;
    assert_eq!(signup.status, StatusCode::OK);
    let next = signup.hidden("next").unwrap();
    let email = format!("new{}@example.com", rand_id());
    let answer = b
        .post(
            "/signup",
            &[
                ("csrf_token", &signup.csrf()),
                ("friendly_name", "New Co"),
                ("email", &email),
                ("password", PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let back = query_of(&s.url(answer.location()));
    assert_eq!(param(&back, "cb"), [cb.as_str()]);
    assert_eq!(param(&back, "state"), ["s 1"]);
    let page = b.get(answer.location()).await;
    assert_eq!(page.hidden("cb").as_deref(), Some(cb.as_str()));
    // A new account is a Trial one: it can only deny, and the denial goes
    // to the cb.
    let answer = submit(&mut b, &owner.app, &page, "deny").await;
    assert_eq!(
        answer.location(),
        format!("{cb}&error=unauthorized_client&state=s+1")
    );
});

fn html_unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
}

/// The signed redirect's parts: the URL before `&Signature=`, the signature,
/// the timestamp.
fn signed_parts(location: &str) -> (String, String, i64) {
    let (unsigned, _) = location
        .rsplit_once("&Signature=")
        .expect("Signature is the last parameter");
    let q = query_of(location);
    let signature = param(&q, "Signature");
    assert_eq!(signature.len(), 1, "{location}");
    let timestamp = param(&q, "Timestamp");
    assert_eq!(timestamp.len(), 1, "{location}");
    (
        unsigned.to_owned(),
        signature[0].to_owned(),
        timestamp[0].parse().unwrap(),
    )
}

async fn sign_redirects(s: &TestServer, owner: &AppOwner, on: bool) {
    let (status, app) = s
        .post(
            &owner.creds,
            &format!(
                "/switchboard/v1/Accounts/{}/ConnectApps/{}.json",
                owner.creds.sid, owner.app
            ),
            &[("SignRedirects", if on { "true" } else { "false" })],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{app}");
    assert_eq!(app["sign_redirects"], on);
}

server_test!(signed_redirects_carry_twilios_signature, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let (status, app) = s
        .get(
            &owner.creds,
            &format!(
                "/switchboard/v1/Accounts/{}/ConnectApps/{}.json",
                owner.creds.sid, owner.app
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app["sign_redirects"], false, "off unless asked for");
    let (status, bad) = s
        .post(
            &owner.creds,
            &format!(
                "/switchboard/v1/Accounts/{}/ConnectApps/{}.json",
                owner.creds.sid, owner.app
            ),
            &[("SignRedirects", "maybe")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    sign_redirects(&s, &owner, true).await;

    let mut c = customer(&s, true).await;
    let cb = format!("{COMPLETE}?redirect_state=abc");
    for (decision, outcome) in [("authorize", "AccountSid"), ("deny", "error")] {
        let before = switchboard_types::Timestamp::now().seconds();
        let answer = decide_with_cb(&mut c.browser, &owner.app, "st 1", &cb, decision).await;
        let location = answer.location();
        let (unsigned, signature, timestamp) = signed_parts(location);
        assert!(
            unsigned.starts_with(&format!("{cb}&{outcome}=")),
            "{location}"
        );
        assert!(
            unsigned.ends_with(&format!("&state=st+1&Timestamp={timestamp}")),
            "{location}"
        );
        let after = switchboard_types::Timestamp::now().seconds();
        assert!((before..=after).contains(&timestamp), "{timestamp}");
        assert_eq!(
            signature,
            twilio_signature(&owner.creds.token, &unsigned, &[]),
            "keyed with the owner's auth token, over the URL before it"
        );
        // One character changed anywhere is refused.
        let forged = unsigned.replacen("st+1", "st+2", 1);
        assert_ne!(
            signature,
            twilio_signature(&owner.creds.token, &forged, &[])
        );
        let customer_token =
            s.sb.reveal_token(&s.sb.read_account(&c.account).await.unwrap())
                .unwrap();
        assert_ne!(
            signature,
            twilio_signature(&customer_token, &unsigned, &[]),
            "not the customer's token"
        );
    }

    // Turned off again: plain redirects.
    sign_redirects(&s, &owner, false).await;
    let answer = decide_with_cb(&mut c.browser, &owner.app, "x", &cb, "authorize").await;
    let q = query_of(answer.location());
    assert!(param(&q, "Signature").is_empty() && param(&q, "Timestamp").is_empty());
});

server_test!(the_console_form_sets_signed_redirects, |s| {
    let mut c = customer(&s, true).await;
    let new = c.browser.get("/console/apps/new").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains("name=\"sign_redirects\""), "{}", new.body);
    let answer = c
        .browser
        .post(
            "/console/apps/new",
            &[
                ("csrf_token", &new.csrf()),
                ("friendly_name", "Signed"),
                ("company_name", "Rossum"),
                ("authorize_redirect_url", COMPLETE),
                ("deauthorize_callback_method", "POST"),
                ("permissions", "get-all"),
                ("sign_redirects", "true"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let path = answer.location().split('?').next().unwrap().to_owned();
    let detail = c.browser.get(&path).await;
    assert!(
        detail
            .body
            .contains("name=\"sign_redirects\" value=\"true\" checked"),
        "the edit form shows it on"
    );
    let sid = ConnectAppSid::parse(path.rsplit('/').next().unwrap()).unwrap();
    assert!(s.sb.connect_app(&sid).await.unwrap().sign_redirects);
    // Saved without the box: off.
    let mut form: Vec<(&str, String)> = vec![("csrf_token", detail.csrf())];
    for name in [
        "friendly_name",
        "company_name",
        "authorize_redirect_url",
        "deauthorize_callback_method",
    ] {
        let v = match name {
            "friendly_name" => "Signed",
            "company_name" => "Rossum",
            "authorize_redirect_url" => COMPLETE,
            _ => "POST",
        };
        form.push((name, v.to_owned()));
    }
    form.push(("permissions", "get-all".into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = c.browser.post(&path, &form).await;
    assert!(answer.status.is_redirection(), "{}", answer.body);
    assert!(!s.sb.connect_app(&sid).await.unwrap().sign_redirects);
});
