//! The Connect Apps API and its extension endpoints.

use reqwest::{Method, StatusCode};
use serde_json::json;
use switchboard_types::AccountType;

use crate::server_test;
use crate::support::{Creds, assert_twilio_error, basic};

fn apps_path(c: &Creds) -> String {
    format!("/2010-04-01/Accounts/{}/ConnectApps.json", c.sid)
}

server_test!(apps_are_created_listed_fetched_updated_and_deleted, |s| {
    let owner = s.main_account(AccountType::Full).await;
    let (status, app) = s
        .post(
            &owner,
            &apps_path(&owner),
            &[
                ("FriendlyName", "Analytics"),
                ("CompanyName", "Rossum"),
                ("AuthorizeRedirectUrl", "https://a.example.com/auth"),
                ("DeauthorizeCallbackUrl", "https://a.example.com/deauth"),
                ("DeauthorizeCallbackMethod", "get"),
                ("Permissions", "get-all"),
                ("Permissions", "post-all"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{app}");
    assert_eq!(app["permissions"], json!(["get-all", "post-all"]));
    assert_eq!(app["deauthorize_callback_method"], "GET");
    assert_eq!(app["account_sid"], owner.sid.to_string());
    let sid = app["sid"].as_str().unwrap().to_owned();
    assert!(sid.starts_with("CN") && sid.len() == 34);
    let path = format!("/2010-04-01/Accounts/{}/ConnectApps/{sid}.json", owner.sid);
    assert_eq!(app["uri"], path);

    let (_, fetched) = s.get(&owner, &path).await;
    assert_eq!(fetched["friendly_name"], "Analytics");
    assert_eq!(fetched["description"], serde_json::Value::Null);

    let (status, updated) = s
        .post(
            &owner,
            &path,
            &[
                ("Permissions", "get-all"),
                ("Description", "Charts"),
                ("HomepageUrl", "https://a.example.com/"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["permissions"], json!(["get-all"]));
    assert_eq!(updated["description"], "Charts");
    assert_eq!(
        updated["friendly_name"], "Analytics",
        "untouched settings stay"
    );

    let (_, list) = s.get(&owner, &apps_path(&owner)).await;
    assert_eq!(list["connect_apps"].as_array().unwrap().len(), 1);

    let (status, _) = s.call(Some(&owner), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&owner, &path).await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(invalid_settings_are_refused_and_nothing_is_written, |s| {
    let owner = s.main_account(AccountType::Full).await;
    let base = [("CompanyName", "Rossum")];
    let long_name = "x".repeat(65);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![("FriendlyName", "")],
        vec![("FriendlyName", &long_name)],
        vec![
            ("FriendlyName", "Ok"),
            ("AuthorizeRedirectUrl", "not a url"),
        ],
        vec![
            ("FriendlyName", "Ok"),
            ("AuthorizeRedirectUrl", "ftp://x.example.com/"),
        ],
        vec![
            ("FriendlyName", "Ok"),
            ("AuthorizeRedirectUrl", "/relative"),
        ],
        vec![
            ("FriendlyName", "Ok"),
            ("HomepageUrl", "javascript:alert(1)"),
        ],
        vec![("FriendlyName", "Ok"), ("DeauthorizeCallbackMethod", "PUT")],
        vec![("FriendlyName", "Ok"), ("Permissions", "delete-all")],
        vec![
            ("FriendlyName", "Ok"),
            ("Permissions", "get-all,everything"),
        ],
    ];
    for case in cases {
        let mut form = base.to_vec();
        form.extend(case.iter().copied());
        let (status, body) = s.post(&owner, &apps_path(&owner), &form).await;
        assert_twilio_error(status, &body, 400, 20001);
    }
    let (status, body) = s
        .post(
            &owner,
            &apps_path(&owner),
            &[("FriendlyName", "No company")],
        )
        .await;
    assert_twilio_error(status, &body, 400, 20001);
    let (_, list) = s.get(&owner, &apps_path(&owner)).await;
    assert!(list["connect_apps"].as_array().unwrap().is_empty());
});

server_test!(only_full_main_accounts_create_apps, |s| {
    let trial = s.main_account(AccountType::Trial).await;
    let (status, body) = s
        .post(
            &trial,
            &apps_path(&trial),
            &[("FriendlyName", "A"), ("CompanyName", "B")],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    assert!(body["message"].as_str().unwrap().contains("Full"), "{body}");
    let full = s.main_account(AccountType::Full).await;
    let (_, sub) = s.post(&full, "/2010-04-01/Accounts.json", &[]).await;
    let (status, body) = s
        .post(
            &full,
            &format!(
                "/2010-04-01/Accounts/{}/ConnectApps.json",
                sub["sid"].as_str().unwrap()
            ),
            &[("FriendlyName", "A"), ("CompanyName", "B")],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
});

server_test!(other_accounts_apps_are_not_found, |s| {
    let alice = s.main_account(AccountType::Full).await;
    let bob = s.main_account(AccountType::Full).await;
    let (_, app) = s
        .post(
            &bob,
            &apps_path(&bob),
            &[("FriendlyName", "Bob's"), ("CompanyName", "B")],
        )
        .await;
    let bobs = format!(
        "/2010-04-01/Accounts/{}/ConnectApps/{}.json",
        bob.sid,
        app["sid"].as_str().unwrap()
    );
    let (status, body) = s.get(&alice, &bobs).await;
    assert_twilio_error(status, &body, 404, 20404);
    let via_alice = format!(
        "/2010-04-01/Accounts/{}/ConnectApps/{}.json",
        alice.sid,
        app["sid"].as_str().unwrap()
    );
    let (status, body) = s.get(&alice, &via_alice).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s
        .post(&alice, &via_alice, &[("FriendlyName", "mine")])
        .await;
    assert_twilio_error(status, &body, 404, 20404);
});

fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(size, 0);
    bytes
}

server_test!(logos_and_terms_through_the_extension_endpoints, |s| {
    let owner = s.main_account(AccountType::Full).await;
    let (_, app) = s
        .post(
            &owner,
            &apps_path(&owner),
            &[("FriendlyName", "Logo"), ("CompanyName", "L")],
        )
        .await;
    let sid = app["sid"].as_str().unwrap();
    let ext = format!("/switchboard/v1/Accounts/{}/ConnectApps/{sid}", owner.sid);
    let put = |body: Vec<u8>| {
        s.http
            .put(s.url(&format!("{ext}/Logo.json")))
            .header("Authorization", basic(owner.sid.as_str(), &owner.token))
            .body(body)
            .send()
    };
    let resp = put(png(2048)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: serde_json::Value = resp.json().await.unwrap();
    let logo_url = body["logo_url"].as_str().unwrap().to_owned();
    let served = s.http.get(&logo_url).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().len(), 2048);

    let svg = put(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec())
        .await
        .unwrap();
    let status = svg.status();
    assert_twilio_error(status, &svg.json().await.unwrap(), 400, 20001);
    let big = put(png(512 * 1024 + 1)).await.unwrap();
    let status = big.status();
    assert_twilio_error(status, &big.json().await.unwrap(), 400, 20001);

    let (status, updated) = s
        .post(
            &owner,
            &format!("{ext}.json"),
            &[("TermsOfServiceUrl", "https://l.example.com/terms")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        updated["terms_of_service_url"],
        "https://l.example.com/terms"
    );
    let (_, fetched) = s.get(&owner, &format!("{ext}.json")).await;
    assert_eq!(
        fetched["terms_of_service_url"],
        "https://l.example.com/terms"
    );
    assert!(
        fetched["authorize_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/authorize/{sid}"))
    );

    let resp = s
        .http
        .delete(s.url(&format!("{ext}/Logo.json")))
        .header("Authorization", basic(owner.sid.as_str(), &owner.token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        s.http.get(&logo_url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
});
