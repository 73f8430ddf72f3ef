//! The console's pages: every new state-changing form refuses a request without
//! the session's CSRF token, another account's subaccounts, apps and deliveries
//! answer 404 (reading and changing), and what users typed comes back escaped.

use reqwest::{Method, StatusCode};
use switchboard_domain::accounts::NewMainAccount;
use switchboard_domain::connect_apps::ConnectAppFields;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountStatus, AccountType, Permissions};

use crate::browser::Browser;
use crate::connect::{PASSWORD, authorize, customer};
use crate::server_test;
use crate::support::AsOperator;
use crate::support::{TestServer, rand_id};

/// A Full main account with a console user, signed in.
struct Owner<'s> {
    browser: Browser<'s>,
    account: AccountSid,
}

async fn owner(s: &TestServer) -> Owner<'_> {
    let email = format!("owner{}@example.com", rand_id());
    let created =
        s.sb.new_main_account(NewMainAccount {
            email: email.clone(),
            password: PASSWORD.into(),
            friendly_name: "Owner Co".into(),
            account_type: AccountType::Full,
        })
        .await
        .unwrap();
    let mut browser = Browser::new(s);
    let answer = browser.sign_in(&email, PASSWORD, "/console").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    Owner {
        browser,
        account: created.account.sid,
    }
}

fn app_fields(name: &str) -> ConnectAppFields {
    ConnectAppFields {
        friendly_name: Some(name.into()),
        company_name: Some("Rossum Inc".into()),
        description: Some("Charts".into()),
        authorize_redirect_url: Some("https://app.example.com/authorize".into()),
        deauthorize_callback_url: Some("https://app.example.com/deauthorize".into()),
        deauthorize_callback_method: Some("POST".into()),
        permissions: Some(Permissions::parse_all(["get-all"]).unwrap()),
        ..ConnectAppFields::default()
    }
}

/// An owner with a subaccount, an app a customer authorized, and the
/// deauthorize delivery of a revoked grant; returns (owner, subaccount, app,
/// customer's dedicated subaccount of a second, active grant, delivery).
struct World<'s> {
    owner: Owner<'s>,
    customer: crate::connect::Customer<'s>,
    subaccount: String,
    app: String,
    grant: String,
    delivery: String,
}

async fn world(s: &TestServer) -> World<'_> {
    let mut owner = owner(s).await;
    let sub =
        s.sb.new_connect_app(&owner.account, &app_fields("Call Analytics"))
            .await
            .unwrap();
    let app = sub.sid.to_string();
    // One customer authorizes and revokes (a delivery), another stays.
    let mut gone = customer(s, true).await;
    authorize(&mut gone.browser, &app).await;
    s.sb.revoke_as_customer(&gone.account, &sub.sid)
        .await
        .unwrap();
    let mut stays = customer(s, true).await;
    let grant = authorize(&mut stays.browser, &app).await.to_string();

    let page = owner.browser.get("/console/subaccounts").await;
    let csrf = page.csrf();
    let created = owner
        .browser
        .post(
            "/console/subaccounts",
            &[("csrf_token", &csrf), ("friendly_name", "Staging")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let subaccount = sid_in(created.location(), "AC");
    let deliveries = owner.browser.get("/console/deliveries").await;
    let delivery = sid_in(&deliveries.body, "WD");
    World {
        owner,
        customer: stays,
        subaccount,
        app,
        grant,
        delivery,
    }
}

/// The first SID with `prefix` in `text`.
fn sid_in(text: &str, prefix: &str) -> String {
    for (i, _) in text.match_indices(prefix) {
        let candidate = &text[i..(i + 34).min(text.len())];
        if candidate.len() == 34 && candidate[2..].bytes().all(|b| b.is_ascii_hexdigit()) {
            return candidate.to_owned();
        }
    }
    panic!("no {prefix} SID in {text}");
}

server_test!(
    every_console_form_refuses_a_missing_or_foreign_csrf_token,
    |s| {
        let mut w = world(&s).await;
        let mut other = owner(&s).await;
        let foreign = other.browser.get("/console").await.csrf();
        let (sub, app, grant, delivery) = (&w.subaccount, &w.app, &w.grant, &w.delivery);
        let posts = [
            "/console/tokens/reveal".to_owned(),
            "/console/tokens/create-secondary".to_owned(),
            "/console/tokens/promote".to_owned(),
            "/console/tokens/delete-secondary".to_owned(),
            "/console/subaccounts".to_owned(),
            format!("/console/subaccounts/{sub}/rename"),
            format!("/console/subaccounts/{sub}/suspend"),
            format!("/console/subaccounts/{sub}/reactivate"),
            format!("/console/subaccounts/{sub}/close"),
            "/console/apps/new".to_owned(),
            format!("/console/apps/{app}"),
            format!("/console/apps/{app}/logo/remove"),
            format!("/console/apps/{app}/delete"),
            format!("/console/apps/{app}/customers/{grant}/revoke"),
            format!("/console/deliveries/{delivery}/replay"),
        ];
        for path in &posts {
            for token in [None, Some(""), Some(foreign.as_str())] {
                let mut form = vec![
                    ("friendly_name", "Changed by an attacker"),
                    ("company_name", "Evil"),
                    ("authorize_redirect_url", "https://evil.example/"),
                    ("deauthorize_callback_method", "POST"),
                ];
                form.extend(token.map(|t| ("csrf_token", t)));
                let answer = w.owner.browser.post(path, &form).await;
                assert_eq!(
                    answer.status,
                    StatusCode::FORBIDDEN,
                    "{path} {token:?}: {}",
                    answer.body
                );
                assert!(answer.location().is_empty(), "{path}");
                assert!(answer.body.contains("Nothing was changed"), "{path}");
            }
        }
        // The reveal refused shows no token.
        let account = s.sb.read_account(&w.owner.account).await.unwrap();
        let token = s.sb.reveal_token(&account).unwrap();
        let refused = w.owner.browser.post("/console/tokens/reveal", &[]).await;
        assert!(!refused.body.contains(&token));
        assert!(
            account.secondary_token_sealed.is_none(),
            "a secondary token was created"
        );

        // The logo upload is multipart; without the token nothing is stored.
        let cookie = format!(
            "sb_session={}",
            w.owner.browser.cookie("sb_session").unwrap()
        );
        let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
        for token in ["", foreign.as_str()] {
            assert_eq!(
                upload(&s, &cookie, app, token, &png).await,
                StatusCode::FORBIDDEN
            );
        }

        nothing_changed(&s, &w).await;
        let grant_of =
            s.sb.store()
                .opt(switchboard_store::authorizations::by_subaccount(
                    &AccountSid::parse(grant).unwrap(),
                ))
                .await
                .unwrap()
                .unwrap();
        assert!(grant_of.is_active(), "the grant was revoked");
        let subs = s
            .sb
            .store()
            .all(switchboard_store::console::subaccounts_of(&w.owner.account, &PageAt::First, 10).0)
            .await
            .unwrap();
        assert_eq!(subs.len(), 1, "a subaccount was created");

        // And with the session's own token the same forms work (the test can fail).
        let csrf = w.owner.browser.get("/console").await.csrf();
        let ok = w
            .owner
            .browser
            .post(
                &format!("/console/subaccounts/{sub}/rename"),
                &[("csrf_token", &csrf), ("friendly_name", "Renamed")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(
            upload(&s, &cookie, app, &csrf, &png).await,
            StatusCode::SEE_OTHER
        );
        let app_sid = switchboard_types::ConnectAppSid::parse(app).unwrap();
        assert!(s.sb.connect_app(&app_sid).await.unwrap().has_logo);
    }
);

/// Posts the logo form as a browser does (multipart), with `token`.
async fn upload(s: &TestServer, cookie: &str, app: &str, token: &str, image: &[u8]) -> StatusCode {
    let path = format!("/console/apps/{app}/logo");
    upload_to(s, Method::POST, &path, cookie, token, image).await
}

/// Sends a multipart form with `token` and an image to any page.
async fn upload_to(
    s: &TestServer,
    method: Method,
    path: &str,
    cookie: &str,
    token: &str,
    image: &[u8],
) -> StatusCode {
    let mut body = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"l.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(image);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    s.http
        .request(method, s.url(path))
        .header("Cookie", cookie)
        .header("Content-Type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

/// Nothing changed `w`'s subaccount and app from what `world` made.
async fn nothing_changed(s: &TestServer, w: &World<'_>) {
    let subaccount =
        s.sb.read_account(&AccountSid::parse(&w.subaccount).unwrap())
            .await
            .unwrap();
    assert_eq!(subaccount.friendly_name, "Staging");
    assert_eq!(subaccount.status, AccountStatus::Active);
    let apps =
        s.sb.apps_of(&w.owner.account, &PageAt::First, 10)
            .await
            .unwrap()
            .items;
    assert_eq!(apps.len(), 1, "an app was created or deleted");
    assert_eq!(apps[0].friendly_name, "Call Analytics");
    assert!(!apps[0].has_logo);
}

/// A route template with its parameters filled in with `w`'s own things, so a
/// handler that skipped the check would find something to change.
fn filled(template: &str, w: &World<'_>) -> String {
    let sid = if template.starts_with("/console/subaccounts/") {
        &w.subaccount
    } else if template.starts_with("/console/deliveries/") {
        &w.delivery
    } else {
        &w.app
    };
    template
        .replace("{subaccount}", &w.grant)
        .replace("{account}", w.owner.account.as_str())
        .replace("{sid}", sid)
}

// Driven by the route table, not a list: every route of the pages, including
// ones added later, answers every state-changing method without the session's
// token (none, empty, another session's; as a form or multipart) with 403 and
// changes nothing. `csrf::guard` does this before routing reaches a handler.
server_test!(every_state_changing_page_route_needs_the_token, |s| {
    let mut w = world(&s).await;
    let foreign = owner(&s).await.browser.get("/console").await.csrf();
    let (_, templates) = switchboard_http::web::routes().into_parts();
    assert!(templates.len() > 30, "{templates:?}");
    let cookie = format!(
        "sb_session={}",
        w.owner.browser.cookie("sb_session").unwrap()
    );
    let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
    for template in &templates {
        let path = filled(template, &w);
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            for token in [None, Some(""), Some(foreign.as_str())] {
                let mut form = vec![
                    ("friendly_name", "Changed by an attacker"),
                    ("decision", "authorize"),
                    ("confirmed", "1"),
                ];
                form.extend(token.map(|t| ("csrf_token", t)));
                let answer = w
                    .owner
                    .browser
                    .send(method.clone(), &path, Some(&form))
                    .await;
                assert_eq!(
                    answer.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} {token:?}: {}",
                    answer.body
                );
                assert!(answer.location().is_empty(), "{method} {path}");
                assert!(
                    answer.body.contains("Nothing was changed"),
                    "{method} {path}: {}",
                    answer.body
                );
            }
            let multipart = upload_to(&s, method.clone(), &path, &cookie, &foreign, &png);
            assert_eq!(
                multipart.await,
                StatusCode::FORBIDDEN,
                "{method} {path} multipart"
            );
        }
    }
    nothing_changed(&s, &w).await;
    let account = s.sb.read_account(&w.owner.account).await.unwrap();
    assert!(account.secondary_token_sealed.is_none());
    assert_eq!(account.account_type, AccountType::Full);
    // Still signed in: sign-out was refused too.
    assert_eq!(w.owner.browser.get("/console").await.status, StatusCode::OK);
});

server_test!(
    another_accounts_subaccounts_apps_and_deliveries_answer_404,
    |s| {
        let w = world(&s).await;
        let mut other = owner(&s).await;
        let csrf = other.browser.get("/console").await.csrf();
        let (sub, app, grant, delivery) = (&w.subaccount, &w.app, &w.grant, &w.delivery);
        let owner_sid = w.owner.account.to_string();
        let gets = [
            format!("/console/subaccounts/{sub}"),
            format!("/console/subaccounts/{sub}/suspend"),
            format!("/console/subaccounts/{sub}/close"),
            format!("/console/subaccounts/{owner_sid}"),
            format!("/console/apps/{app}"),
            format!("/console/apps/{app}/customers"),
            format!("/console/apps/{app}/delete"),
            format!("/console/apps/{app}/logo/remove"),
            format!("/console/apps/{app}/customers/{grant}/revoke"),
            format!("/console/deliveries/{delivery}"),
            format!("/console/deliveries/{delivery}/replay"),
            format!("/console/logs?account={sub}"),
            format!("/console/logs?account={owner_sid}&kind=messages"),
            "/console/apps/not-a-sid".to_owned(),
            "/console/subaccounts/AC00000000000000000000000000000000".to_owned(),
            "/console/deliveries/WD00000000000000000000000000000000".to_owned(),
        ];
        for path in &gets {
            let answer = other.browser.get(path).await;
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{path}: {}",
                answer.body
            );
            assert!(
                !answer.body.contains("Call Analytics"),
                "{path} leaks the app"
            );
            assert!(
                !answer.body.contains("Staging"),
                "{path} leaks the subaccount"
            );
        }
        let posts = [
            format!("/console/subaccounts/{sub}/rename"),
            format!("/console/subaccounts/{sub}/suspend"),
            format!("/console/subaccounts/{sub}/close"),
            format!("/console/apps/{app}"),
            format!("/console/apps/{app}/delete"),
            format!("/console/apps/{app}/logo/remove"),
            format!("/console/apps/{app}/customers/{grant}/revoke"),
            format!("/console/deliveries/{delivery}/replay"),
        ];
        for path in &posts {
            let answer = other
                .browser
                .post(
                    path,
                    &[
                        ("csrf_token", csrf.as_str()),
                        ("friendly_name", "Taken over"),
                        ("company_name", "Evil"),
                        ("authorize_redirect_url", "https://evil.example/"),
                        ("deauthorize_callback_method", "POST"),
                    ],
                )
                .await;
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{path}: {}",
                answer.body
            );
        }
        // Nothing of the owner's changed.
        let subaccount =
            s.sb.read_account(&AccountSid::parse(sub).unwrap())
                .await
                .unwrap();
        assert_eq!(
            (subaccount.friendly_name.as_str(), subaccount.status),
            ("Staging", AccountStatus::Active)
        );
        let apps =
            s.sb.apps_of(&w.owner.account, &PageAt::First, 10)
                .await
                .unwrap()
                .items;
        assert_eq!(apps[0].friendly_name, "Call Analytics");
        // The owner's own pages answer (so the 404s above are about ownership).
        let mut mine = w.owner;
        for path in gets[..10].iter().filter(|p| !p.ends_with(&owner_sid)) {
            let answer = mine.browser.get(path).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}");
        }
        // A customer sees nothing of the app they authorized from the owner's side.
        let other_lists = other.browser.get("/console/deliveries").await;
        assert!(!other_lists.body.contains(delivery.as_str()));
        let other_apps = other.browser.get("/console/apps").await;
        assert!(!other_apps.body.contains(app.as_str()));
    }
);

server_test!(what_users_typed_comes_back_escaped, |s| {
    let mut o = owner(&s).await;
    let evil = "<script>alert(1)</script>\"'&";
    // Askama writes numeric character references.
    let escaped = "&#60;script&#62;alert(1)&#60;/script&#62;";
    let csrf = o.browser.get("/console/subaccounts").await.csrf();
    let created = o
        .browser
        .post(
            "/console/subaccounts",
            &[("csrf_token", &csrf), ("friendly_name", evil)],
        )
        .await;
    let sub = created.location().to_owned();
    for path in [
        sub.as_str(),
        "/console/subaccounts",
        "/console/logs",
        "/console/audit",
    ] {
        let page = o.browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains("<script>alert(1)"),
            "{path} is not escaped"
        );
        assert!(page.body.contains(escaped), "{path} does not show the name");
    }

    // Odd query strings fall back to the page's defaults, never an error.
    for path in [
        "/console/usage?days=abc",
        "/console/usage?days=-1",
        "/console/logs?after=junk&status=%3Cb%3E&kind=x",
        "/console/audit?before=1.%27--",
        "/console/deliveries?after=99999999999999999999.WD1",
    ] {
        assert_eq!(o.browser.get(path).await.status, StatusCode::OK, "{path}");
    }

    // A form error keeps what was typed, escaped, next to the field.
    let csrf = o.browser.get("/console/apps/new").await.csrf();
    let answer = o
        .browser
        .post(
            "/console/apps/new",
            &[
                ("csrf_token", csrf.as_str()),
                ("friendly_name", evil),
                ("company_name", evil),
                ("description", evil),
                ("homepage_url", "javascript:alert(1)"),
                ("authorize_redirect_url", "https://app.example.com/a"),
                ("deauthorize_callback_method", "POST"),
                ("permissions", "get-all"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(!answer.body.contains("<script>alert(1)"));
    assert!(answer.body.contains(escaped));
    assert!(
        answer.body.contains("id=\"homepage_url-error\""),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("value=\"javascript:alert(1)\""));

    let csrf = o.browser.get("/console/apps/new").await.csrf();
    let created = o
        .browser
        .post(
            "/console/apps/new",
            &[
                ("csrf_token", csrf.as_str()),
                ("friendly_name", evil),
                ("company_name", evil),
                ("description", evil),
                (
                    "authorize_redirect_url",
                    "https://app.example.com/a?x=1&y=\"2\"",
                ),
                ("deauthorize_callback_method", "GET"),
                ("permissions", "get-all"),
                ("permissions", "post-all"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let app_page = created.location().split('?').next().unwrap().to_owned();
    let app = app_page.rsplit('/').next().unwrap().to_owned();
    for path in [
        app_page.clone(),
        "/console/apps".to_owned(),
        format!("{app_page}/customers"),
        format!("{app_page}/delete"),
    ] {
        let page = o.browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains("<script>alert(1)"),
            "{path} is not escaped"
        );
        assert!(page.body.contains(escaped), "{path} does not show the name");
    }
    // The snippet is shown as text: its markup is escaped inside the textarea.
    let page = o.browser.get(&app_page).await;
    assert!(
        page.body.contains(&format!(
            "&#60;a href=&#34;{}/authorize/{app}?state=YOUR_STATE&#34;&#62;",
            s.url("")
        )),
        "{}",
        page.body
    );
    // The customer sees the app's text escaped on the consent page too.
    let mut c = customer(&s, true).await;
    let consent = c.browser.get(&format!("/authorize/{app}")).await;
    assert!(!consent.body.contains("<script>alert(1)"));
});

server_test!(
    status_callbacks_an_app_was_sent_from_a_customers_subaccount_reach_both_and_nobody_else,
    |s| {
        let mut w = world(&s).await;
        let dedicated = AccountSid::parse(&w.grant).unwrap();
        let hook = switchboard_domain::delivery::Webhook::notice(
            switchboard_domain::delivery::WebhookKind::CallStatus,
            (dedicated.clone(), w.owner.account.clone()),
            Some("CA0123456789abcdef0123456789abcdef".into()),
            (
                switchboard_types::HookMethod::Post,
                "https://app.example.com/status".into(),
            ),
            vec![("CallStatus".into(), "completed".into())],
        );
        let mut tx = s.sb.store().begin().await.unwrap();
        let sid = switchboard_domain::delivery::enqueue(
            &mut tx,
            &hook,
            switchboard_types::Timestamp::now(),
        )
        .await
        .unwrap()
        .to_string();
        tx.commit().await.unwrap();

        // The app owner (whose token signs it) and the customer (whose subaccount
        // made the call) both list it and open it.
        let list = w.owner.browser.get("/console/deliveries").await;
        assert!(list.body.contains(&sid), "the owner does not list it");
        let page = w
            .owner
            .browser
            .get(&format!("/console/deliveries/{sid}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let theirs = w.customer.browser.get("/console/deliveries").await;
        assert!(theirs.body.contains(&sid), "the customer does not list it");
        let page = w
            .customer
            .browser
            .get(&format!("/console/deliveries/{sid}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        // Anyone else: not listed, not found, not replayable.
        let mut other = owner(&s).await;
        let csrf = other.browser.get("/console").await.csrf();
        assert!(
            !other
                .browser
                .get("/console/deliveries")
                .await
                .body
                .contains(&sid)
        );
        assert_eq!(
            other
                .browser
                .get(&format!("/console/deliveries/{sid}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let replay = other
            .browser
            .post(
                &format!("/console/deliveries/{sid}/replay"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(replay.status, StatusCode::NOT_FOUND);
    }
);

/// The texts of the status badges in a Logs page, one per row.
fn status_badges(body: &str) -> Vec<&str> {
    body.split("<span class=\"badge ")
        .skip(1)
        .filter_map(|rest| rest.split_once('>'))
        .filter_map(|(_, rest)| rest.split_once("</span>"))
        .map(|(text, _)| text)
        .collect()
}

server_test!(message_logs_filter_by_status_across_pages, |s| {
    let o = owner(&s).await;
    s.sb.seed_history(
        &switchboard_domain::telephony::seed::SeedPlan {
            account: o.account.clone(),
            calls: 0,
            messages: 200,
            days: 3,
        },
        |_| {},
    )
    .await
    .unwrap();
    let mut browser = o.browser;
    let everything = browser.get("/console/logs?kind=messages").await;
    assert_eq!(status_badges(&everything.body).len(), 25);

    let mut seen = 0;
    for status in ["delivered", "undelivered", "failed"] {
        let mut path = format!("/console/logs?kind=messages&status={status}");
        let mut pages = 0;
        loop {
            let page = browser.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(
                page.body
                    .contains(&format!("<option value=\"{status}\" selected>")),
                "{path}: the filter shows what it filters by"
            );
            let badges = status_badges(&page.body);
            assert!(
                badges.iter().all(|b| *b == status),
                "{path} lists {badges:?}"
            );
            seen += badges.len();
            pages += 1;
            // The next page keeps the filter.
            let Some(end) = page.body.find("\">Next page") else {
                break;
            };
            let start = page.body[..end].rfind("href=\"").unwrap() + "href=\"".len();
            let next = page.body[start..end]
                .replace("&#38;", "&")
                .replace("&amp;", "&");
            assert!(next.contains(&format!("status={status}")), "{next}");
            path = next;
            assert!(pages < 20, "paging does not end");
        }
    }
    // Every seeded message ends delivered, undelivered or failed.
    assert_eq!(seen, 200);

    // A status that is not a message status is ignored, not an error.
    let odd = browser
        .get("/console/logs?kind=messages&status=completed")
        .await;
    assert_eq!(odd.status, StatusCode::OK);
    assert_eq!(status_badges(&odd.body).len(), 25);
});

// The upgrade form, on a server that lets accounts upgrade themselves: refused
// without the session's token, done with it.
server_test!(
    upgrade_needs_the_csrf_token,
    settings = |settings: &mut switchboard_domain::Settings| settings.allow_self_upgrade = true,
    |s| {
        let mut trial = customer(&s, false).await;
        let foreign = owner(&s).await.browser.get("/console").await.csrf();
        let account_type =
            async |sid: &AccountSid| s.sb.read_account(sid).await.unwrap().account_type;
        for token in [None, Some(""), Some(foreign.as_str())] {
            let form: Vec<(&str, &str)> = token.map(|t| ("csrf_token", t)).into_iter().collect();
            let answer = trial.browser.post("/console/upgrade", &form).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{token:?}");
            assert!(answer.body.contains("Nothing was changed"));
            assert_eq!(account_type(&trial.account).await, AccountType::Trial);
        }
        let csrf = trial.browser.get("/console/upgrade").await.csrf();
        let answer = trial
            .browser
            .post("/console/upgrade", &[("csrf_token", csrf.as_str())])
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(account_type(&trial.account).await, AccountType::Full);
    }
);

/// Percent-encodes a query value (enough for numbers and dates as typed).
fn query_value(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string()
}

// Issue 24 items 9 and 11 on both databases (the browser suite runs on
// SQLite only): the Logs read numbers as typed and filter by day, a bad
// value is a 400 that lists nothing; a call's page shows its timeline and
// requests, a message's page its text; Deliveries filter by kind, app and
// day; a delivery's page shows the response's headers and the start of its
// body. Another account's call and message pages answer 404.
server_test!(logs_and_deliveries_filter_and_open_details, |s| {
    use crate::receiver::Receiver;
    use crate::support::Creds;
    use crate::telephony::buy;
    use crate::voice_calls::{ANSWERS, ended, place, requests_to};

    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/voice",
        "<Response><Say>Hello from the timeline</Say><Pause length=\"2\"/><Hangup/></Response>",
    );
    receiver.answer_document("/status", "text/plain", "status noted <ok>");
    let mut o = owner(&s).await;
    let account = s.sb.read_account(&o.account).await.unwrap();
    let c = Creds {
        sid: o.account.clone(),
        token: s.sb.reveal_token(&account).unwrap(),
    };
    let from = buy(&s, &c, "415").await;
    let call = place(
        &s,
        &c,
        &from,
        &[
            ("Url", &receiver.url("/voice")),
            ("StatusCallback", &receiver.url("/status")),
        ],
    )
    .await;
    ended(&s, &c, &call).await;
    let call_sid = call["sid"].as_str().unwrap().to_owned();
    let (status, message) = s
        .post(
            &c,
            &format!("/switchboard/v1/Accounts/{}/InboundMessages.json", c.sid),
            &[
                ("From", "+14155551181"),
                ("To", from.as_str()),
                ("Body", "Hello <from> the handset"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    let message_sid = message["sid"].as_str().unwrap().to_owned();

    // Numbers as people type them.
    assert_eq!(ANSWERS, "+14155550100");
    for typed in ["+1 415 555 0100", "(415) 555-0100", "415.555.0100"] {
        let path = format!("/console/logs?kind=calls&to={}", query_value(typed));
        let page = o.browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(
            page.body.contains(&call_sid),
            "{typed} does not find the call"
        );
        assert!(
            page.body.contains("value=\"+14155550100\""),
            "{typed} is not shown as E.164"
        );
    }
    let path = format!(
        "/console/logs?kind=messages&from={}",
        query_value("(415) 555-1181")
    );
    let page = o.browser.get(&path).await;
    assert!(page.body.contains(&message_sid), "{path}");

    // A bad number or date: flagged, kept as typed, nothing listed.
    let bad = o
        .browser
        .get("/console/logs?kind=calls&to=hello&since=yesterday")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("value=\"hello\""));
    assert!(bad.body.contains("value=\"yesterday\""));
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert!(!bad.body.contains(&call_sid));

    // Days, inclusive, UTC.
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let path = format!("/console/logs?kind=calls&since={today}&until={today}");
    assert!(
        o.browser.get(&path).await.body.contains(&call_sid),
        "{path}"
    );
    let path = format!("/console/logs?kind=calls&since={tomorrow}");
    assert!(
        !o.browser.get(&path).await.body.contains(&call_sid),
        "{path}"
    );
    let path = format!("/console/logs?kind=calls&until={today}&since={tomorrow}");
    assert_eq!(o.browser.get(&path).await.status, StatusCode::BAD_REQUEST);

    // The call's page: its timeline (from call_voice) and its requests.
    let call_page = format!("/console/logs/{}/{call_sid}", c.sid);
    let page = o.browser.get(&call_page).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Hello from the timeline"),
        "{}",
        page.body
    );
    for verb in ["&#60;Say&#62;", "&#60;Pause&#62;", "&#60;Hangup&#62;"] {
        assert!(page.body.contains(verb), "the timeline lacks {verb}");
    }
    assert!(page.body.contains("+2 s") || page.body.contains("+1 s"));
    assert!(page.body.contains(&receiver.url("/voice")));
    // The message's page, its text escaped.
    let message_page = format!("/console/logs/{}/{message_sid}", c.sid);
    let page = o.browser.get(&message_page).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Hello &#60;from&#62; the handset"));

    // Another account sees neither, by its own account's path either.
    let mut other = owner(&s).await;
    let theirs = other.account.to_string();
    for path in [
        call_page.clone(),
        message_page.clone(),
        format!("/console/logs/{theirs}/{call_sid}"),
        format!("/console/logs/{theirs}/{message_sid}"),
        format!("/console/logs/{}/CA00000000000000000000000000000000", c.sid),
        format!("/console/logs/{}/not-a-sid", c.sid),
    ] {
        let answer = other.browser.get(&path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!answer.body.contains("Hello from the timeline"), "{path}");
    }

    // Deliveries: the call's status callback, by kind and day; none for an
    // app of the account nobody authorized; a bad date is a 400.
    requests_to(&receiver, "/status", 1).await;
    let listed = o.browser.get("/console/deliveries?kind=call-status").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let delivery = sid_in(&listed.body, "WD");
    let path = format!("/console/deliveries?kind=call-status&since={today}&until={today}");
    assert!(
        o.browser.get(&path).await.body.contains(&delivery),
        "{path}"
    );
    let path = format!("/console/deliveries?since={tomorrow}");
    assert!(
        !o.browser.get(&path).await.body.contains(&delivery),
        "{path}"
    );
    let path = "/console/deliveries?kind=deauthorize";
    assert!(
        !o.browser.get(path).await.body.contains(&delivery),
        "{path}"
    );
    let app =
        s.sb.new_connect_app(&o.account, &app_fields("Nobody's app"))
            .await
            .unwrap();
    let path = format!("/console/deliveries?app={}", app.sid);
    let page = o.browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&delivery), "{path}");
    assert!(
        page.body
            .contains(&format!("value=\"{}\" selected", app.sid))
    );
    let bad = o.browser.get("/console/deliveries?since=soon").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(!bad.body.contains(&delivery));

    // The delivery's page: what was sent, and what came back (recorded by
    // the worker once the answer is in).
    let page_path = format!("/console/deliveries/{delivery}");
    let mut page = o.browser.get(&page_path).await;
    for _ in 0..100 {
        if page.body.contains("response-headers") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = o.browser.get(&page_path).await;
    }
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("X-Twilio-Signature"), "{}", page.body);
    assert!(page.body.contains("I-Twilio-Idempotency-Token"));
    assert!(page.body.contains("response-headers"), "{}", page.body);
    assert!(page.body.contains("text/plain"));
    assert!(
        page.body.contains("status noted &#60;ok&#62;"),
        "{}",
        page.body
    );
});
