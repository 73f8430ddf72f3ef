//! Issue 25: the code exchange (`response_type=code` on the Connect link, then
//! `POST /switchboard/v1/ConnectApps/{Sid}/Tokens.json`), with PKCE, and the
//! attacks on it: a replayed, expired or other app's code, a wrong verifier,
//! a caller who is not the app's owner.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use switchboard_domain::Settings;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, ConnectAppSid};

use crate::browser::{Answer, Browser};
use crate::connect::{AppOwner, app_owner, customer, param, query_of};
use crate::revocation::customer_creds;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error};

const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Opens the consent link with `query` and presses a button, sending back
/// every hidden field the page holds, as a browser does.
async fn consent(b: &mut Browser<'_>, app: &str, query: &str, decision: &str) -> Answer {
    let page = b.get(&format!("/authorize/{app}?{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut form: Vec<(&str, String)> = vec![("csrf_token", page.csrf())];
    for name in [
        "permissions",
        "state",
        "cb",
        "response_type",
        "code_challenge",
        "code_challenge_method",
    ] {
        if let Some(v) = page.hidden(name) {
            form.push((name, v));
        }
    }
    form.push(("decision", decision.to_owned()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(&format!("/authorize/{app}"), &form).await
}

/// Authorizes with `query` and returns the redirect's code.
async fn code_of(b: &mut Browser<'_>, app: &str, query: &str) -> String {
    let answer = consent(b, app, query, "authorize").await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    let q = query_of(answer.location());
    assert!(
        param(&q, "AccountSid").is_empty(),
        "a code instead of the AccountSid: {}",
        answer.location()
    );
    let codes = param(&q, "code");
    assert_eq!(codes.len(), 1, "{}", answer.location());
    codes[0].to_owned()
}

fn tokens_path(app: &str) -> String {
    format!("/switchboard/v1/ConnectApps/{app}/Tokens.json")
}

async fn exchange(
    s: &TestServer,
    who: &Creds,
    app: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    s.post(who, &tokens_path(app), form).await
}

async fn refused_codes(s: &TestServer, owner: &AccountSid) -> Vec<String> {
    let log = s.sb.log_of(owner, &PageAt::First, 50).await.unwrap();
    log.items
        .iter()
        .filter(|e| e.action == "connect.code_refused")
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect()
}

server_test!(a_code_is_exchanged_once_for_the_grant, |s| {
    let owner = app_owner(&s, &["get-all", "post-all"]).await;
    let mut c = customer(&s, true).await;
    let answer = consent(
        &mut c.browser,
        &owner.app,
        "state=s-1&response_type=code",
        "authorize",
    )
    .await;
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
    let q = query_of(answer.location());
    assert_eq!(param(&q, "state"), ["s-1"], "state is kept");
    assert_eq!(
        param(&q, "tenant"),
        ["42"],
        "the registered URL's query too"
    );
    assert!(param(&q, "AccountSid").is_empty());
    let code = param(&q, "code")[0].to_owned();

    let (status, body) = exchange(&s, &owner.creds, &owner.app, &[("Code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["customer_account_sid"], c.account.as_str());
    assert_eq!(body["permissions"], json!(["get-all", "post-all"]));
    let sub = AccountSid::parse(body["account_sid"].as_str().unwrap()).unwrap();
    assert_eq!(
        s.sb.read_account(&sub).await.unwrap().owner_account_sid,
        c.account
    );
    // The app is in: the dedicated subaccount with the owner's token.
    s.assert_alive(&Creds {
        sid: sub,
        token: owner.creds.token.clone(),
    })
    .await;

    // A replay is refused, and audited.
    let (status, body) = exchange(&s, &owner.creds, &owner.app, &[("Code", &code)]).await;
    assert_twilio_error(status, &body, 400, 97002);
    let log =
        s.sb.log_of(&owner.creds.sid, &PageAt::First, 50)
            .await
            .unwrap();
    assert!(
        log.items
            .iter()
            .any(|e| e.action == "connect.code_exchange")
    );
    assert_eq!(refused_codes(&s, &owner.creds.sid).await.len(), 1);
    assert!(refused_codes(&s, &owner.creds.sid).await[0].contains("Used"));

    // A code that was never issued, and none at all.
    let (status, body) = exchange(&s, &owner.creds, &owner.app, &[("Code", "0123abcd")]).await;
    assert_twilio_error(status, &body, 400, 97001);
    let (status, body) = exchange(&s, &owner.creds, &owner.app, &[]).await;
    assert_twilio_error(status, &body, 400, 20001);
    assert!(body["message"].as_str().unwrap().contains("Code"), "{body}");

    // Without response_type the redirect is Twilio's, as before.
    let answer = consent(&mut c.browser, &owner.app, "state=s-2", "authorize").await;
    let q = query_of(answer.location());
    assert!(param(&q, "code").is_empty());
    assert_eq!(param(&q, "AccountSid").len(), 1);
});

server_test!(only_the_apps_owner_exchanges_its_own_apps_code, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let other: AppOwner = app_owner(&s, &["get-all"]).await;
    let mut c = customer(&s, true).await;
    let code = code_of(&mut c.browser, &owner.app, "response_type=code").await;

    // Another owner, at its own app: the code is another app's.
    let (status, body) = exchange(&s, &other.creds, &other.app, &[("Code", &code)]).await;
    assert_twilio_error(status, &body, 400, 97004);
    assert!(refused_codes(&s, &other.creds.sid).await[0].contains("OtherApp"));
    // At this app's path: not theirs to know.
    let (status, body) = exchange(&s, &other.creds, &owner.app, &[("Code", &code)]).await;
    assert_twilio_error(status, &body, 404, 20404);
    // The customer, and strangers.
    let customer = customer_creds(&s, &c.account).await;
    let (status, body) = exchange(&s, &customer, &owner.app, &[("Code", &code)]).await;
    assert_twilio_error(status, &body, 404, 20404);
    let nobody = Creds {
        sid: owner.creds.sid.clone(),
        token: "0".repeat(32),
    };
    let (status, body) = exchange(&s, &nobody, &owner.app, &[("Code", &code)]).await;
    assert_twilio_error(status, &body, 401, 20003);
    let (status, body) = exchange(
        &s,
        &other.creds,
        "CN0123456789abcdef0123456789abcdef",
        &[("Code", &code)],
    )
    .await;
    assert_twilio_error(status, &body, 404, 20404);
    // None of that spent the code: its owner still exchanges it.
    let (status, body) = exchange(&s, &owner.creds, &owner.app, &[("Code", &code)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The app itself (the Connect principal) cannot exchange codes.
    let sub = AccountSid::parse(body["account_sid"].as_str().unwrap()).unwrap();
    let as_app = Creds {
        sid: sub,
        token: owner.creds.token.clone(),
    };
    let code = code_of(&mut c.browser, &owner.app, "response_type=code").await;
    let (status, body) = exchange(&s, &as_app, &owner.app, &[("Code", &code)]).await;
    assert_twilio_error(status, &body, 404, 20404);

    // A code whose grant was revoked before the exchange is refused.
    let app_sid = ConnectAppSid::parse(&owner.app).unwrap();
    s.sb.revoke_as_customer(&c.account, &app_sid).await.unwrap();
    let (status, body) = exchange(&s, &owner.creds, &owner.app, &[("Code", &code)]).await;
    assert_twilio_error(status, &body, 400, 97005);
});

server_test!(pkce_binds_the_code_to_its_verifier, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut c = customer(&s, true).await;
    let link = format!(
        "response_type=code&code_challenge={}&code_challenge_method=S256&state=p",
        challenge(VERIFIER)
    );
    // The right verifier.
    let code = code_of(&mut c.browser, &owner.app, &link).await;
    let (status, body) = exchange(
        &s,
        &owner.creds,
        &owner.app,
        &[("Code", &code), ("CodeVerifier", VERIFIER)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A wrong verifier is refused, and spends the code.
    let code = code_of(&mut c.browser, &owner.app, &link).await;
    let wrong = format!("{VERIFIER}x");
    let (status, body) = exchange(
        &s,
        &owner.creds,
        &owner.app,
        &[("Code", &code), ("CodeVerifier", &wrong)],
    )
    .await;
    assert_twilio_error(status, &body, 400, 97006);
    let (status, body) = exchange(
        &s,
        &owner.creds,
        &owner.app,
        &[("Code", &code), ("CodeVerifier", VERIFIER)],
    )
    .await;
    assert_twilio_error(status, &body, 400, 97002);

    // No verifier for a challenged code.
    let code = code_of(&mut c.browser, &owner.app, &link).await;
    let (status, body) = exchange(&s, &owner.creds, &owner.app, &[("Code", &code)]).await;
    assert_twilio_error(status, &body, 400, 97007);

    // A verifier for a code whose link had no challenge.
    let code = code_of(&mut c.browser, &owner.app, "response_type=code").await;
    let (status, body) = exchange(
        &s,
        &owner.creds,
        &owner.app,
        &[("Code", &code), ("CodeVerifier", VERIFIER)],
    )
    .await;
    assert_twilio_error(status, &body, 400, 97008);
    assert_eq!(refused_codes(&s, &owner.creds.sid).await.len(), 4);
});

server_test!(
    links_asking_for_what_is_not_offered_are_refused_at_the_consent_page,
    |s| {
        let owner = app_owner(&s, &["get-all"]).await;
        let mut c = customer(&s, true).await;
        let good = challenge(VERIFIER);
        for (query, words) in [
            (
                format!("response_type=code&code_challenge={good}&code_challenge_method=plain"),
                "S256",
            ),
            (format!("response_type=code&code_challenge={good}"), "plain"),
            (
                format!("response_type=code&code_challenge={good}&code_challenge_method=S512"),
                "S256",
            ),
            (
                "response_type=code&code_challenge=short&code_challenge_method=S256".to_owned(),
                "43",
            ),
            (
                "response_type=code&code_challenge_method=S256".to_owned(),
                "no code_challenge",
            ),
            ("response_type=token".to_owned(), "response_type"),
            (
                format!("code_challenge={good}&code_challenge_method=S256"),
                "response_type=code",
            ),
        ] {
            let page = c
                .browser
                .get(&format!("/authorize/{}?{query}", owner.app))
                .await;
            assert_eq!(
                page.status,
                StatusCode::BAD_REQUEST,
                "{query}: {}",
                page.body
            );
            assert!(page.body.contains(words), "{query}: {}", page.body);
            assert!(
                !page.body.contains("name=\"decision\""),
                "no consent form for {query}"
            );
        }
        // A hand-made form is judged the same way: nothing is granted.
        let page = c.browser.get(&format!("/authorize/{}", owner.app)).await;
        let answer = c
            .browser
            .post(
                &format!("/authorize/{}", owner.app),
                &[
                    ("csrf_token", page.csrf().as_str()),
                    ("permissions", "get-all"),
                    ("response_type", "code"),
                    ("code_challenge", good.as_str()),
                    ("code_challenge_method", "plain"),
                    ("decision", "authorize"),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        let grants =
            s.sb.grants_of(&c.account, &PageAt::First, 10)
                .await
                .unwrap();
        assert!(grants.items.is_empty());
    }
);

server_test!(the_sign_in_detour_keeps_the_code_parameters, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut b = Browser::new(&s);
    let good = challenge(VERIFIER);
    let link = format!(
        "/authorize/{}?state=st&response_type=code&code_challenge={good}&code_challenge_method=S256",
        owner.app
    );
    let answer = b.get(&link).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let signin = answer.location().to_owned();
    let next = url::Url::parse(&format!("http://x{signin}"))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{signin}"));
    let back = url::Url::parse(&format!("http://x{next}")).unwrap();
    let q: Vec<(String, String)> = back
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(param(&q, "response_type"), ["code"]);
    assert_eq!(param(&q, "code_challenge"), [good.as_str()]);
    assert_eq!(param(&q, "code_challenge_method"), ["S256"]);
    assert_eq!(param(&q, "state"), ["st"]);

    // After signing in there, the page's form carries them to the decision.
    let mut c = customer(&s, true).await;
    let page = c.browser.get(&next).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.hidden("response_type").as_deref(), Some("code"));
    assert_eq!(
        page.hidden("code_challenge").as_deref(),
        Some(good.as_str())
    );
    let code = code_of(&mut c.browser, &owner.app, next.split_once('?').unwrap().1).await;
    let (status, body) = exchange(
        &s,
        &owner.creds,
        &owner.app,
        &[("Code", &code), ("CodeVerifier", VERIFIER)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
});

fn sandbox_mode(s: &mut Settings) {
    s.sandbox = true;
}

server_test!(
    a_code_expires_after_a_minute_of_the_worlds_clock,
    settings = sandbox_mode,
    |s| {
        let seed = json!({"accounts": {
        "owner": {"type": "Full", "connect_apps": {"analytics": {
            "permissions": ["get-all"],
            "authorize_redirect_url": "https://app.example.test/twilio/authorize"}}},
        "bob": {"type": "Full"}}});
        let resp = s
            .http
            .post(s.url("/switchboard/v1/Sandboxes.json"))
            .header("Content-Type", "application/json")
            .body(seed.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let sandbox: Value = resp.json().await.unwrap();
        let creds = |name: &str| Creds {
            sid: AccountSid::parse(sandbox["accounts"][name]["sid"].as_str().unwrap()).unwrap(),
            token: sandbox["accounts"][name]["auth_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        };
        let (owner, bob) = (creds("owner"), creds("bob"));
        let app = sandbox["connect_apps"]["analytics"]["sid"]
            .as_str()
            .unwrap()
            .to_owned();
        let sb = sandbox["sid"].as_str().unwrap();
        let consent_path = format!("/switchboard/v1/Sandboxes/{sb}/Authorizations.json");
        let authorize = |response_type: &'static str| {
            let (s, bob, app, consent_path) = (&s, &bob, &app, &consent_path);
            async move {
                let (status, body) = s
                    .post(
                        bob,
                        consent_path,
                        &[
                            ("ConnectAppSid", app.as_str()),
                            ("Customer", bob.sid.as_str()),
                            ("Decision", "authorize"),
                            ("ResponseType", response_type),
                        ],
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{body}");
                body
            }
        };
        let advance = |by: &'static str| {
            let (s, owner) = (&s, &owner);
            async move {
                let (status, clock) = s
                    .post(
                        owner,
                        &format!("/switchboard/v1/Sandboxes/{sb}/Clock.json"),
                        &[("Advance", by)],
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{clock}");
            }
        };

        // Within the minute (of the sandbox's time): good.
        let body = authorize("code").await;
        assert!(body["account_sid"].is_null(), "{body}");
        let code = body["code"].as_str().unwrap().to_owned();
        assert!(
            body["redirect_url"]
                .as_str()
                .unwrap()
                .contains(&format!("code={code}"))
        );
        advance("50s").await;
        let (status, body) = exchange(&s, &owner, &app, &[("Code", &code)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // A minute later: expired, although no real time passed.
        let code = authorize("code").await["code"].as_str().unwrap().to_owned();
        advance("61s").await;
        let (status, body) = exchange(&s, &owner, &app, &[("Code", &code)]).await;
        assert_twilio_error(status, &body, 400, 97003);
        assert!(refused_codes(&s, &owner.sid).await[0].contains("Expired"));

        // The headless consent refuses what the consent page refuses.
        let (status, body) = s
            .post(
                &bob,
                &consent_path,
                &[
                    ("ConnectAppSid", app.as_str()),
                    ("Customer", bob.sid.as_str()),
                    ("Decision", "authorize"),
                    ("ResponseType", "code"),
                    ("CodeChallenge", &challenge(VERIFIER)),
                    ("CodeChallengeMethod", "plain"),
                ],
            )
            .await;
        assert_twilio_error(status, &body, 400, 20001);
    }
);
