//! Bad input gets a Twilio-shaped 4xx, and the server keeps serving.

use reqwest::{Method, StatusCode};
use switchboard_types::AccountType;

use crate::server_test;
use crate::support::{Creds, assert_twilio_error, basic};

server_test!(malformed_or_missing_authorization_is_401, |s| {
    let main = s.main_account(AccountType::Full).await;
    let url = s.url("/2010-04-01/Accounts.json");
    let headers = [
        None,
        Some("Basic".to_owned()),
        Some("Basic ###".to_owned()),
        Some("Bearer abc".to_owned()),
        Some(basic("not-a-sid", &main.token)),
        Some(basic(
            &main.sid.to_string().replacen("AC", "CN", 1),
            &main.token,
        )),
        Some(basic(main.sid.as_str(), "")),
        Some(basic(main.sid.as_str(), &"x".repeat(1000))),
    ];
    for header in headers {
        let mut req = s.http.get(&url);
        if let Some(h) = &header {
            req = req.header("Authorization", h);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        assert!(
            resp.headers().get("www-authenticate").is_some(),
            "{header:?}"
        );
        let body = resp.json().await.unwrap();
        assert_twilio_error(status, &body, 401, 20003);
    }
    s.assert_alive(&main).await;
});

server_test!(sids_of_the_wrong_shape_or_prefix_are_404, |s| {
    let main = s.main_account(AccountType::Full).await;
    for path in [
        "/2010-04-01/Accounts/ACnot-a-sid.json".to_owned(),
        format!(
            "/2010-04-01/Accounts/{}.json",
            main.sid.to_string().replacen("AC", "CN", 1)
        ),
        format!("/2010-04-01/Accounts/{}", main.sid),
        format!("/2010-04-01/Accounts/{}.xml", main.sid),
        "/2010-04-01/Nothing.json".to_owned(),
    ] {
        let (status, body) = s.get(&main, &path).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
    // Authentication comes first, even for a path that cannot exist.
    let (status, body) = s
        .call(
            None,
            Method::GET,
            "/2010-04-01/Accounts/ACnot-a-sid.json",
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 401, 20003);
    s.assert_alive(&main).await;
});

server_test!(unknown_status_and_bad_parameters_are_400, |s| {
    let main = s.main_account(AccountType::Full).await;
    let (_, sub) = s.post(&main, "/2010-04-01/Accounts.json", &[]).await;
    let path = format!("/2010-04-01/Accounts/{}.json", sub["sid"].as_str().unwrap());
    for form in [
        [("Status", "frozen")],
        [("Status", "")],
        [("FriendlyName", "")],
    ] {
        let (status, body) = s.post(&main, &path, &form).await;
        assert_twilio_error(status, &body, 400, 20001);
    }
    let (status, body) = s
        .post(&main, &path, &[("FriendlyName", &"x".repeat(65))])
        .await;
    assert_twilio_error(status, &body, 400, 20001);
    let (status, body) = s
        .get(&main, "/2010-04-01/Accounts.json?Status=frozen")
        .await;
    assert_twilio_error(status, &body, 400, 20001);
    let (_, unchanged) = s.get(&main, &path).await;
    assert_eq!(unchanged["status"], "active");
    s.assert_alive(&main).await;
});

server_test!(huge_bodies_are_refused_with_413, |s| {
    let main = s.main_account(AccountType::Full).await;
    let body = format!("FriendlyName={}", "x".repeat(10 * 1024 * 1024));
    let resp = s
        .http
        .post(s.url("/2010-04-01/Accounts.json"))
        .header("Authorization", basic(main.sid.as_str(), &main.token))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body = resp.json().await.unwrap();
    assert_twilio_error(status, &body, 413, 20001);
    let (_, list) = s.get(&main, "/2010-04-01/Accounts.json").await;
    assert_eq!(
        list["accounts"].as_array().unwrap().len(),
        1,
        "nothing was created"
    );
    s.assert_alive(&main).await;
});

server_test!(non_utf8_form_data_is_400_and_writes_nothing, |s| {
    let main = s.main_account(AccountType::Full).await;
    let resp = s
        .http
        .post(s.url("/2010-04-01/Accounts.json"))
        .header("Authorization", basic(main.sid.as_str(), &main.token))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("FriendlyName=%FF%FEbad")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body = resp.json().await.unwrap();
    assert_twilio_error(status, &body, 400, 20001);
    assert!(body["message"].as_str().unwrap().contains("FriendlyName"));
    let (_, list) = s.get(&main, "/2010-04-01/Accounts.json").await;
    assert_eq!(list["accounts"].as_array().unwrap().len(), 1);
});

server_test!(
    forged_page_tokens_and_page_sizes_out_of_range_are_400,
    |s| {
        let main = s.main_account(AccountType::Full).await;
        for _ in 0..3 {
            s.post(&main, "/2010-04-01/Accounts.json", &[]).await;
        }
        let (_, first) = s.get(&main, "/2010-04-01/Accounts.json?PageSize=2").await;
        let next = first["next_page_uri"].as_str().unwrap().to_owned();
        let token = next.split("PageToken=").nth(1).unwrap();
        let forged = format!("PA{}", &token[2..].chars().rev().collect::<String>());
        for path in [
            format!("/2010-04-01/Accounts.json?PageSize=2&PageToken={forged}"),
            "/2010-04-01/Accounts.json?PageToken=PAACffffffffffffffffffffffffffffffff".to_owned(),
            "/2010-04-01/Accounts.json?PageToken=%FF".to_owned(),
            "/2010-04-01/Accounts.json?PageSize=0".to_owned(),
            "/2010-04-01/Accounts.json?PageSize=100000".to_owned(),
            "/2010-04-01/Accounts.json?PageSize=ten".to_owned(),
            "/2010-04-01/Accounts.json?Page=-1".to_owned(),
        ] {
            let (status, body) = s.get(&main, &path).await;
            assert_twilio_error(status, &body, 400, 20001);
        }
        // A genuine token still works, and a token from another account's list is
        // refused rather than read there.
        assert_eq!(s.get(&main, &next).await.0, StatusCode::OK);
        let other = s.main_account(AccountType::Full).await;
        let (status, body) = s.get(&other, &next).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let seen: Vec<&str> = body["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["sid"].as_str().unwrap())
            .collect();
        assert!(
            !seen.iter().any(|sid| *sid != other.sid.as_str()),
            "another account's list leaked: {seen:?}"
        );
        s.assert_alive(&main).await;
    }
);

// A list checks its page and its filters in one order: a bad page before a
// bad filter, except Accounts.json, which checks its Status filter first.
server_test!(a_bad_page_and_a_bad_filter_answer_in_a_fixed_order, |s| {
    let main = s.main_account(AccountType::Full).await;
    let account = format!("/2010-04-01/Accounts/{}", main.sid);
    for (list, filter, page_wins) in [
        (
            "/2010-04-01/Accounts.json".to_owned(),
            "Status=bogus",
            false,
        ),
        (format!("{account}/Calls.json"), "Status=bogus", true),
        (
            format!("{account}/Addresses.json"),
            "EmergencyEnabled=maybe",
            true,
        ),
        (format!("{account}/Notifications.json"), "Log=bogus", true),
        (
            format!("{account}/Usage/Triggers.json"),
            "Recurring=hourly-ish",
            true,
        ),
        (
            format!("{account}/Usage/Records.json"),
            "IncludeSubaccounts=maybe",
            true,
        ),
    ] {
        let (status, body) = s.get(&main, &format!("{list}?{filter}")).await;
        assert_twilio_error(status, &body, 400, 20001);
        let (status, body) = s.get(&main, &format!("{list}?PageSize=0&{filter}")).await;
        assert_twilio_error(status, &body, 400, 20001);
        let message = body["message"].as_str().unwrap();
        assert_eq!(
            message.starts_with("PageSize"),
            page_wins,
            "{list}?PageSize=0&{filter}: {message}"
        );
    }
});

server_test!(wrong_methods_are_405_in_twilio_shape, |s| {
    let main = s.main_account(AccountType::Full).await;
    let (status, body) = s
        .call(
            Some(&main),
            Method::DELETE,
            "/2010-04-01/Accounts.json",
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 405, 20004);
    let (status, body) = s
        .call(
            Some(&main),
            Method::PUT,
            &format!("/2010-04-01/Accounts/{}.json", main.sid),
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 405, 20004);
});

#[allow(dead_code)]
fn _uses(_: Creds) {}

server_test!(
    nul_characters_are_refused_before_any_database_sees_them,
    |s| {
        let main = s.main_account(AccountType::Full).await;
        let base = format!("/2010-04-01/Accounts/{}", main.sid);
        for (path, form) in [
            (format!("{base}.json"), vec![("FriendlyName", "a\0b")]),
            (
                format!("{base}/Messages.json"),
                vec![
                    ("To", "+14155550100"),
                    ("From", "+15005550006"),
                    ("Body", "hi\0"),
                ],
            ),
            (
                format!("{base}/IncomingPhoneNumbers.json"),
                vec![("AreaCode", "415"), ("FriendlyName", "\0")],
            ),
        ] {
            let (status, body) = s.post(&main, &path, &form).await;
            assert_twilio_error(status, &body, 400, 20001);
        }
        let (_, messages) = s.get(&main, &format!("{base}/Messages.json")).await;
        assert_eq!(messages["messages"].as_array().unwrap().len(), 0);
        s.assert_alive(&main).await;
    }
);

server_test!(every_answer_forbids_content_sniffing, |s| {
    // Browsers must take every body for what its Content-Type says: API JSON,
    // API errors, console pages, assets and pages that do not exist alike.
    let main = s.main_account(AccountType::Full).await;
    let auth = basic(main.sid.as_str(), &main.token);
    let answers = [
        ("/switchboard/v1/Principal.json", Some(&auth), 200),
        ("/2010-04-01/Accounts.json", Some(&auth), 200),
        ("/2010-04-01/Accounts.json", None, 401),
        ("/2010-04-01/Nothing.json", Some(&auth), 404),
        ("/signin", None, 200),
        ("/assets/switchboard.css", None, 200),
        ("/no/such/page", None, 404),
    ];
    for (path, auth, want) in answers {
        let mut req = s.http.get(s.url(path));
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), want, "{path}");
        assert_eq!(
            resp.headers()
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{path}"
        );
    }
});

server_test!(not_found_names_the_request_path_byte_for_byte, |s| {
    // Twilio's 404 names the path asked for (at most 200 characters of it),
    // whichever step found nothing: the router, a path that cannot name
    // anything, the policy, or the store.
    let main = s.main_account(AccountType::Full).await;
    let other = s.main_account(AccountType::Full).await;
    let a = format!("/2010-04-01/Accounts/{}", main.sid);
    let x = format!("/switchboard/v1/Accounts/{}", main.sid);
    let zeros = "0".repeat(32);
    let long = format!("{a}/Calls/{}.json", "x".repeat(300));
    let requests = [
        (Method::GET, "/2010-04-01/Nothing.json".to_owned()),
        (Method::GET, "/switchboard/v1/Nothing".to_owned()),
        (Method::GET, format!("/2010-04-01/Accounts/AC{zeros}.json")),
        (
            Method::GET,
            format!("/2010-04-01/Accounts/{}.json", other.sid),
        ),
        (Method::GET, a.clone()),
        (
            Method::GET,
            "/2010-04-01/Accounts/ACnot-a-sid/Calls.json".to_owned(),
        ),
        (
            Method::GET,
            format!("/2010-04-01/Accounts/{}/Calls.json", other.sid),
        ),
        (Method::GET, format!("{a}/Calls/CA{zeros}.json")),
        (Method::GET, format!("{a}/Calls/CA{zeros}")),
        (Method::GET, format!("{a}/Calls/%E2%9C%93.json")),
        (Method::GET, long),
        (Method::POST, format!("{a}/Calls/CA{zeros}.json")),
        (Method::POST, format!("{a}/Calls/nonsense.json")),
        (Method::DELETE, format!("{a}/Messages/SM{zeros}.json")),
        (Method::GET, format!("{a}/Messages/SM{zeros}.json")),
        (
            Method::GET,
            format!("{a}/IncomingPhoneNumbers/PN{zeros}.json"),
        ),
        (Method::GET, format!("{a}/Recordings/RE{zeros}.json")),
        (Method::GET, format!("{a}/Calls/nonsense/Recordings.json")),
        (Method::GET, format!("{a}/Usage/Records/Nonsense.json")),
        (
            Method::GET,
            format!("{a}/AvailablePhoneNumbers/US/Nonsense.json"),
        ),
        (Method::GET, format!("{a}/ConnectApps/CN{zeros}.json")),
        (Method::GET, format!("{a}/ConnectApps/CN{zeros}")),
        (Method::POST, format!("{a}/ConnectApps/CN{zeros}.json")),
        (Method::DELETE, format!("{a}/ConnectApps/nonsense.json")),
        (
            Method::GET,
            format!("{a}/AuthorizedConnectApps/CN{zeros}.json"),
        ),
        (
            Method::DELETE,
            format!("{a}/AuthorizedConnectApps/CN{zeros}.json"),
        ),
        (Method::GET, format!("{x}/ConnectApps/CN{zeros}")),
        (Method::PUT, format!("{x}/ConnectApps/nonsense/Logo")),
        (
            Method::DELETE,
            format!("{x}/ConnectApps/CN{zeros}/Authorizations/nonsense"),
        ),
        (Method::GET, format!("{x}/Deliveries/DV{zeros}.json")),
        (Method::POST, format!("{x}/Deliveries/nonsense/Replay")),
    ];
    for (method, path) in requests {
        let resp = s
            .http
            .request(method.clone(), s.url(&path))
            .header("Authorization", basic(main.sid.as_str(), &main.token))
            .body(if method == Method::PUT { "image" } else { "" })
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404, "{method} {path}");
        assert_eq!(
            resp.headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap()),
            Some("application/json"),
            "{method} {path}"
        );
        let shown: String = resp.url().path().chars().take(200).collect();
        assert_eq!(
            resp.text().await.unwrap(),
            format!(
                "{{\"code\":20404,\"message\":\"The requested resource {shown} was not found\",\
                 \"more_info\":\"https://www.twilio.com/docs/errors/20404\",\"status\":404}}"
            ),
            "{method} {path}"
        );
    }
});

server_test!(strangers_get_401_whatever_the_path_names, |s| {
    // Whether a path can name anything is only said to someone known: a
    // stranger learns nothing from a malformed path, on every account-scoped
    // resource alike.
    let main = s.main_account(AccountType::Full).await;
    let a = format!("/2010-04-01/Accounts/{}", main.sid);
    let x = format!("/switchboard/v1/Accounts/{}", main.sid);
    let requests = [
        (Method::GET, a.clone()),
        (Method::POST, a.clone()),
        (
            Method::GET,
            "/2010-04-01/Accounts/ACnot-a-sid.json".to_owned(),
        ),
        (
            Method::GET,
            "/2010-04-01/Accounts/ACnot-a-sid/Calls.json".to_owned(),
        ),
        (Method::GET, format!("{a}/Calls/nonsense.json")),
        (Method::GET, format!("{a}/Calls/nonsense/Recordings.json")),
        (Method::GET, format!("{a}/ConnectApps/nonsense")),
        (Method::POST, format!("{a}/ConnectApps/nonsense")),
        (Method::DELETE, format!("{a}/ConnectApps/nonsense")),
        (Method::GET, format!("{a}/AuthorizedConnectApps/nonsense")),
        (
            Method::DELETE,
            format!("{a}/AuthorizedConnectApps/nonsense"),
        ),
        (Method::GET, format!("{a}/AvailablePhoneNumbers/US")),
        (Method::GET, format!("{a}/Usage/Records/Nonsense")),
        (Method::GET, format!("{x}/Deliveries/nonsense")),
    ];
    for (method, path) in requests {
        let (status, body) = s.call(None, method.clone(), &path, &[]).await;
        assert_twilio_error(status, &body, 401, 20003);
    }
    s.assert_alive(&main).await;
});
