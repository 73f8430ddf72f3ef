//! The accounts part of the REST API.

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::server_test;
use crate::support::{Creds, assert_twilio_error};

fn sid_of(body: &Value) -> String {
    body["sid"].as_str().expect("a sid").to_owned()
}

server_test!(creates_fetches_lists_and_updates_subaccounts, |s| {
    let main = s.main_account(AccountType::Full).await;
    let (status, sub) = s
        .post(
            &main,
            "/2010-04-01/Accounts.json",
            &[("FriendlyName", "Ops team")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    assert_eq!(sub["friendly_name"], "Ops team");
    assert_eq!(sub["owner_account_sid"], main.sid.to_string());
    assert_eq!(
        sub["type"], "Full",
        "subaccounts share their main account's type"
    );
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["auth_token"].as_str().map(str::len), Some(32));
    let sub_sid = sid_of(&sub);
    assert_eq!(sub["uri"], format!("/2010-04-01/Accounts/{sub_sid}.json"));

    // Default name when none is given.
    let (_, unnamed) = s.post(&main, "/2010-04-01/Accounts.json", &[]).await;
    assert!(
        unnamed["friendly_name"]
            .as_str()
            .unwrap()
            .starts_with("SubAccount Created at ")
    );

    let (status, fetched) = s
        .get(&main, &format!("/2010-04-01/Accounts/{sub_sid}.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched["friendly_name"], "Ops team");

    let (status, list) = s.get(&main, "/2010-04-01/Accounts.json").await;
    assert_eq!(status, StatusCode::OK);
    let sids: Vec<&str> = list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sid"].as_str().unwrap())
        .collect();
    assert_eq!(sids.len(), 3);
    assert_eq!(sids[0], main.sid.as_str(), "main account first");

    let (status, renamed) = s
        .post(
            &main,
            &format!("/2010-04-01/Accounts/{sub_sid}.json"),
            &[("FriendlyName", "Renamed")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["friendly_name"], "Renamed");

    let (_, filtered) = s
        .get(&main, "/2010-04-01/Accounts.json?FriendlyName=Renamed")
        .await;
    assert_eq!(filtered["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(
        filtered["first_page_uri"],
        "/2010-04-01/Accounts.json?FriendlyName=Renamed&PageSize=50&Page=0"
    );
});

server_test!(
    status_moves_between_active_and_suspended_and_closed_is_final,
    |s| {
        let main = s.main_account(AccountType::Full).await;
        let (_, sub) = s
            .post(
                &main,
                "/2010-04-01/Accounts.json",
                &[("FriendlyName", "Temp")],
            )
            .await;
        let sub_sid = sid_of(&sub);
        let path = format!("/2010-04-01/Accounts/{sub_sid}.json");
        let sub_creds = Creds {
            sid: sub_sid.parse().unwrap(),
            token: sub["auth_token"].as_str().unwrap().to_owned(),
        };
        assert_eq!(s.get(&sub_creds, &path).await.0, StatusCode::OK);

        let (status, suspended) = s.post(&main, &path, &[("Status", "suspended")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(suspended["status"], "suspended");
        // A suspended account's own credentials stop working at once.
        let (status, body) = s.get(&sub_creds, &path).await;
        assert_twilio_error(status, &body, 401, 20003);
        let (_, listed) = s
            .get(&main, "/2010-04-01/Accounts.json?Status=suspended")
            .await;
        assert_eq!(listed["accounts"].as_array().unwrap().len(), 1);

        let (_, active) = s.post(&main, &path, &[("Status", "active")]).await;
        assert_eq!(active["status"], "active");
        assert_eq!(s.get(&sub_creds, &path).await.0, StatusCode::OK);

        let (_, closed) = s.post(&main, &path, &[("Status", "closed")]).await;
        assert_eq!(closed["status"], "closed");
        let (status, body) = s.post(&main, &path, &[("Status", "active")]).await;
        assert_twilio_error(status, &body, 400, 20001);
        let (_, still) = s.get(&main, &path).await;
        assert_eq!(still["status"], "closed");
    }
);

server_test!(
    main_account_status_cannot_change_and_subaccounts_cannot_create,
    |s| {
        let main = s.main_account(AccountType::Full).await;
        let (status, body) = s
            .post(
                &main,
                &format!("/2010-04-01/Accounts/{}.json", main.sid),
                &[("Status", "suspended")],
            )
            .await;
        assert_twilio_error(status, &body, 403, 20403);

        let (_, sub) = s.post(&main, "/2010-04-01/Accounts.json", &[]).await;
        let sub_creds = Creds {
            sid: sid_of(&sub).parse().unwrap(),
            token: sub["auth_token"].as_str().unwrap().to_owned(),
        };
        let (status, body) = s.post(&sub_creds, "/2010-04-01/Accounts.json", &[]).await;
        assert_twilio_error(status, &body, 403, 20403);
        // It cannot suspend itself either.
        let (status, body) = s
            .post(
                &sub_creds,
                &format!("/2010-04-01/Accounts/{}.json", sub_creds.sid),
                &[("Status", "suspended")],
            )
            .await;
        assert_twilio_error(status, &body, 403, 20403);
        // A subaccount sees only itself.
        let (_, list) = s.get(&sub_creds, "/2010-04-01/Accounts.json").await;
        let accounts = list["accounts"].as_array().unwrap();
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts[0]["sid"], sub_creds.sid.to_string());
        // The parent's token with the subaccount's SID reaches the subaccount only.
        let via_parent = Creds {
            sid: sub_creds.sid.clone(),
            token: main.token.clone(),
        };
        assert_eq!(
            s.get(
                &via_parent,
                &format!("/2010-04-01/Accounts/{}.json", sub_creds.sid)
            )
            .await
            .0,
            StatusCode::OK
        );
        let (status, body) = s
            .get(
                &via_parent,
                &format!("/2010-04-01/Accounts/{}.json", main.sid),
            )
            .await;
        assert_twilio_error(status, &body, 404, 20404);
    }
);

server_test!(other_customers_are_not_found, |s| {
    let alice = s.main_account(AccountType::Full).await;
    let bob = s.main_account(AccountType::Full).await;
    let (_, bobs_sub) = s.post(&bob, "/2010-04-01/Accounts.json", &[]).await;
    for path in [
        format!("/2010-04-01/Accounts/{}.json", bob.sid),
        format!("/2010-04-01/Accounts/{}.json", sid_of(&bobs_sub)),
    ] {
        let (status, body) = s.get(&alice, &path).await;
        assert_twilio_error(status, &body, 404, 20404);
        let (status, body) = s.post(&alice, &path, &[("FriendlyName", "mine now")]).await;
        assert_twilio_error(status, &body, 404, 20404);
    }
    // Alice's token is not Bob's, even with Bob's SID.
    let forged = Creds {
        sid: bob.sid.clone(),
        token: alice.token.clone(),
    };
    let (status, body) = s.get(&forged, "/2010-04-01/Accounts.json").await;
    assert_twilio_error(status, &body, 401, 20003);
});

server_test!(pages_follow_next_page_uri_through_every_subaccount, |s| {
    let main = s.main_account(AccountType::Full).await;
    let mut created = vec![main.sid.to_string()];
    for i in 0..57 {
        let (_, sub) = s
            .post(
                &main,
                "/2010-04-01/Accounts.json",
                &[("FriendlyName", &format!("sub {i}"))],
            )
            .await;
        created.push(sid_of(&sub));
    }
    let mut seen = Vec::new();
    let mut next = Some("/2010-04-01/Accounts.json?PageSize=20".to_owned());
    let mut pages = 0;
    let mut last = Value::Null;
    while let Some(path) = next {
        let (status, page) = s.get(&main, &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["page"], pages);
        assert_eq!(page["page_size"], 20);
        assert_eq!(page["start"], pages * 20);
        let items = page["accounts"].as_array().unwrap();
        assert_eq!(page["end"], pages * 20 + items.len() as u64 - 1);
        seen.extend(items.iter().map(|a| a["sid"].as_str().unwrap().to_owned()));
        next = page["next_page_uri"].as_str().map(str::to_owned);
        pages += 1;
        last = page;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created, "every account once, oldest first");
    // And back again from the last page.
    let previous = last["previous_page_uri"].as_str().unwrap();
    let (_, page) = s.get(&main, previous).await;
    let items: Vec<String> = page["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sid"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(items, created[20..40]);
    assert_eq!(page["page"], 1);
});

server_test!(
    secondary_tokens_rotate_and_the_old_primary_stops_at_once,
    |s| {
        let main = s.main_account(AccountType::Full).await;
        let (status, secondary) = s.post(&main, "/v1/AuthTokens/Secondary", &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{secondary}");
        assert_eq!(secondary["account_sid"], main.sid.to_string());
        let new_token = secondary["secondary_auth_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            secondary["url"]
                .as_str()
                .unwrap()
                .ends_with("/v1/AuthTokens/Secondary")
        );
        // Both work while the secondary exists.
        let with_secondary = Creds {
            sid: main.sid.clone(),
            token: new_token.clone(),
        };
        s.assert_alive(&with_secondary).await;
        s.assert_alive(&main).await;

        let (status, promoted) = s.post(&main, "/v1/AuthTokens/Promote", &[]).await;
        assert_eq!(status, StatusCode::OK, "{promoted}");
        assert_eq!(promoted["auth_token"], new_token);
        let (status, body) = s.get(&main, "/2010-04-01/Accounts.json").await;
        assert_twilio_error(status, &body, 401, 20003);
        s.assert_alive(&with_secondary).await;
        let (_, me) = s
            .get(
                &with_secondary,
                &format!("/2010-04-01/Accounts/{}.json", main.sid),
            )
            .await;
        assert_eq!(me["auth_token"], new_token);

        // Nothing left to promote; a new secondary can be deleted.
        let (status, body) = s.post(&with_secondary, "/v1/AuthTokens/Promote", &[]).await;
        assert_twilio_error(status, &body, 400, 20001);
        let (_, another) = s
            .post(&with_secondary, "/v1/AuthTokens/Secondary", &[])
            .await;
        let doomed = Creds {
            sid: main.sid.clone(),
            token: another["secondary_auth_token"].as_str().unwrap().to_owned(),
        };
        s.assert_alive(&doomed).await;
        let (status, _) = s
            .call(
                Some(&with_secondary),
                reqwest::Method::DELETE,
                "/v1/AuthTokens/Secondary",
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body) = s.get(&doomed, "/2010-04-01/Accounts.json").await;
        assert_twilio_error(status, &body, 401, 20003);
    }
);
