//! A message's media over real HTTP on both databases: outbound `MediaUrl`s
//! recorded and listed, each item fetched, its content served, deleted; the
//! JSON held to Twilio's OpenAPI schema; and who may do what, as for messages.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::telephony::media::{FetchedMedia, MediaItem, record_media};
use switchboard_domain::telephony::messages::NewMessage;
use switchboard_store::media;
use switchboard_types::{AccountSid, AccountType, MessageSid};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::{self, assert_answer};
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, basic};

const PICTURE: &str = "https://cdn.example.com/pictures/cat.JPG?size=large";
const CARD: &str = "https://cdn.example.com/cards/contact";

fn messages(c: &Creds) -> String {
    format!("/2010-04-01/Accounts/{}/Messages", c.sid)
}

/// Sends an outbound message with two media URLs; returns its JSON.
async fn send_with_media(s: &TestServer, c: &Creds) -> Value {
    let (status, message) = s
        .post(
            c,
            &format!("{}.json", messages(c)),
            &[
                ("To", "+14155550100"),
                ("From", "+15005550006"),
                ("Body", "look"),
                ("MediaUrl", PICTURE),
                ("MediaUrl", CARD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    message
}

const MEDIA_LIST: &str = "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json";
const MEDIA_ITEM: &str = "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json";

server_test!(an_outbound_message_lists_its_media_urls, |s| {
    let c = s.main_account(AccountType::Full).await;
    let message = send_with_media(&s, &c).await;
    assert_eq!(message["num_media"], "2", "{message}");
    let sm = message["sid"].as_str().unwrap();
    let list_uri = format!("{}/{sm}/Media.json", messages(&c));
    assert_eq!(message["subresource_uris"]["media"], list_uri.as_str());

    let (status, list) = s.get(&c, &list_uri).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_answer(openapi::api_2010(), MEDIA_LIST, "get", 200, &list);
    let items = list["media_list"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    for item in items {
        assert_eq!(item["parent_sid"], sm);
        assert_eq!(item["account_sid"], c.sid.as_str());
    }
    // In the order the URLs were given, typed from their extensions.
    assert_eq!(items[0]["content_type"], "image/jpeg");
    assert_eq!(items[1]["content_type"], "application/octet-stream");
    assert_eq!(
        list["uri"].as_str().unwrap().split('?').next(),
        Some(list_uri.as_str())
    );
    assert!(list["next_page_uri"].is_null(), "{list}");

    // One at a time, the second page names the first.
    let (_, first) = s.get(&c, &format!("{list_uri}?PageSize=1")).await;
    assert_eq!(first["media_list"][0]["sid"], items[0]["sid"]);
    let next = first["next_page_uri"].as_str().expect("a next page");
    let (status, second) = s.get(&c, next).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["media_list"][0]["sid"], items[1]["sid"]);
    assert!(second["next_page_uri"].is_null(), "{second}");

    // Each item, fetched by its URI.
    let uri = items[0]["uri"].as_str().unwrap();
    let (status, item) = s.get(&c, uri).await;
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_answer(openapi::api_2010(), MEDIA_ITEM, "get", 200, &item);
    assert_eq!(item, items[0]);

    // Its content is where the message named it: Switchboard has not fetched it.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let content = no_redirects
        .get(s.url(uri.strip_suffix(".json").unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(content.status(), StatusCode::FOUND);
    assert_eq!(content.headers()["location"], PICTURE);

    // Twilio's DateCreated filters.
    let (status, later) = s
        .get(&c, &format!("{list_uri}?DateCreated%3E=2999-01-01"))
        .await;
    assert_eq!(status, StatusCode::OK, "{later}");
    assert_eq!(later["media_list"], Value::Array(vec![]), "{later}");
    let (status, earlier) = s
        .get(&c, &format!("{list_uri}?DateCreated%3E=2000-01-01"))
        .await;
    assert_eq!(status, StatusCode::OK, "{earlier}");
    assert_eq!(earlier["media_list"].as_array().unwrap().len(), 2);
    let (status, body) = s
        .get(&c, &format!("{list_uri}?DateCreated=yesterday"))
        .await;
    assert_twilio_error(status, &body, 400, 20001);

    // A message without media lists none.
    let (_, plain) = s
        .post(
            &c,
            &format!("{}.json", messages(&c)),
            &[
                ("To", "+14155550100"),
                ("From", "+15005550006"),
                ("Body", "hi"),
            ],
        )
        .await;
    assert_eq!(plain["num_media"], "0");
    let (status, none) = s
        .get(
            &c,
            &format!(
                "{}/{}/Media.json",
                messages(&c),
                plain["sid"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{none}");
    assert_eq!(none["media_list"], Value::Array(vec![]));
});

/// Records fetched content beside a message, as an inbound MMS does.
async fn record_fetched(s: &TestServer, account: &AccountSid, message: &MessageSid) -> String {
    let mut tx = s.sb.store().begin().await.unwrap();
    let sids = record_media(
        &mut tx,
        account,
        message,
        &[MediaItem::Fetched(FetchedMedia {
            url: "https://handset.example.com/photo".into(),
            content_type: "text/html".into(),
            content: b"<script>alert(1)</script>".to_vec(),
        })],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sids[0].to_string()
}

server_test!(media_content_is_served_with_its_type_and_deleted, |s| {
    let c = s.main_account(AccountType::Full).await;
    let message = send_with_media(&s, &c).await;
    let sm = MessageSid::parse(message["sid"].as_str().unwrap()).unwrap();
    let me = record_fetched(&s, &c.sid, &sm).await;
    let item_uri = format!("{}/{sm}/Media/{me}", messages(&c));

    // No credentials needed, as with Twilio's default; the document cannot
    // run as this origin.
    let content = s.http.get(s.url(&item_uri)).send().await.unwrap();
    assert_eq!(content.status(), StatusCode::OK);
    assert_eq!(content.headers()["content-type"], "text/html");
    let csp = content.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("sandbox"), "{csp}");
    assert_eq!(content.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        content.bytes().await.unwrap().as_ref(),
        b"<script>alert(1)</script>"
    );

    // The wrong message, or a SID of another kind, finds nothing.
    let other = MessageSid::generate();
    let (status, body) = s
        .call(
            None,
            Method::GET,
            &format!("{}/{other}/Media/{me}", messages(&c)),
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s
        .call(
            None,
            Method::GET,
            &format!("{}/{sm}/Media/{sm}", messages(&c)),
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);

    let (status, body) = s
        .call(Some(&c), Method::DELETE, &format!("{item_uri}.json"), &[])
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s.call(None, Method::GET, &item_uri, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.get(&c, &format!("{item_uri}.json")).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s
        .call(Some(&c), Method::DELETE, &format!("{item_uri}.json"), &[])
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    let (_, list) = s
        .get(&c, &format!("{}/{sm}/Media.json", messages(&c)))
        .await;
    assert_eq!(list["media_list"].as_array().unwrap().len(), 2);

    // Deleting the message deletes its media (once it has finished sending:
    // the simulator runs beside the test).
    let message_uri = format!("{}/{sm}.json", messages(&c));
    let mut deleted = StatusCode::CONFLICT;
    for _ in 0..200 {
        let (status, body) = s.call(Some(&c), Method::DELETE, &message_uri, &[]).await;
        deleted = status;
        if status != StatusCode::CONFLICT {
            assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        deleted,
        StatusCode::NO_CONTENT,
        "the message never finished"
    );
    let (_, list) = s
        .get(&c, &format!("{}/{sm}/Media.json", messages(&c)))
        .await;
    assert_eq!(list["media_list"], Value::Array(vec![]), "{list}");
});

server_test!(
    media_content_asks_for_credentials_when_the_operator_says_so,
    settings = |s| s.telephony.media_requires_auth = true,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let stranger = s.main_account(AccountType::Full).await;
        let message = send_with_media(&s, &c).await;
        let sm = MessageSid::parse(message["sid"].as_str().unwrap()).unwrap();
        let me = record_fetched(&s, &c.sid, &sm).await;
        let item_uri = format!("{}/{sm}/Media/{me}", messages(&c));

        let (status, body) = s.call(None, Method::GET, &item_uri, &[]).await;
        assert_twilio_error(status, &body, 401, 20003);
        let (status, body) = s.call(Some(&stranger), Method::GET, &item_uri, &[]).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{status} {body}"
        );
        let content = s
            .http
            .get(s.url(&item_uri))
            .header("Authorization", basic(c.sid.as_str(), &c.token))
            .send()
            .await
            .unwrap();
        assert_eq!(content.status(), StatusCode::OK);
        assert_eq!(
            content.bytes().await.unwrap().as_ref(),
            b"<script>alert(1)</script>"
        );
    }
);

/// The statuses a principal gets for reading a message, listing, fetching
/// and deleting its media.
async fn statuses(s: &TestServer, who: &Creds, account: &AccountSid, sm: &str) -> [u16; 4] {
    let base = format!("/2010-04-01/Accounts/{account}/Messages/{sm}");
    let (message, _) = s.get(who, &format!("{base}.json")).await;
    let (list, _) = s.get(who, &format!("{base}/Media.json")).await;
    // The first item, whoever asks (the database is the test's to read).
    let me =
        s.sb.store()
            .all(media::all_of_message(
                account,
                &MessageSid::parse(sm).unwrap(),
            ))
            .await
            .unwrap()
            .first()
            .map(|m| m.sid.to_string())
            .unwrap_or_default();
    let (fetch, _) = s.get(who, &format!("{base}/Media/{me}.json")).await;
    let (delete, _) = s
        .call(
            Some(who),
            Method::DELETE,
            &format!("{base}/Media/{me}.json"),
            &[],
        )
        .await;
    [message, list, fetch, delete].map(|s| s.as_u16())
}

server_test!(media_are_read_and_deleted_as_messages_are, |s| {
    // The customer's main account has a message with media (sent by the
    // operator: the customer's own token is not the test's to know).
    let reader = app_owner(&s, &["get-all"]).await;
    let spender = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let reader_sub = authorize(&mut cust.browser, &reader.app).await;
    let spender_sub = authorize(&mut cust.browser, &spender.app).await;
    let access =
        s.sb.operator_access(
            RequestTarget::Account(&cust.account),
            Action::Write,
            Resource::Messages,
        )
        .await
        .unwrap();
    let sent =
        s.sb.create_message(
            &access,
            &NewMessage {
                to: Some("+14155550100".into()),
                from: Some("+15005550006".into()),
                body: Some("hello".into()),
                media_urls: vec![PICTURE.into(), CARD.into()],
                ..NewMessage::default()
            },
        )
        .await
        .unwrap();
    let sm = sent.sid.to_string();

    // get-all reads the customer's messages and their media, deletes neither.
    let get_all = Creds {
        sid: reader_sub,
        token: reader.creds.token.clone(),
    };
    let got = statuses(&s, &get_all, &cust.account, &sm).await;
    assert_eq!(got, [200, 200, 200, 403], "get-all");

    // post-all spends in its own subaccount only: nothing of the main
    // account's is its to read or delete.
    let post_all = Creds {
        sid: spender_sub.clone(),
        token: spender.creds.token.clone(),
    };
    let got = statuses(&s, &post_all, &cust.account, &sm).await;
    assert_eq!(got[0], got[1], "post-all reads media as it reads messages");
    assert_eq!(got[1], got[2]);
    assert!(matches!(got[1], 403 | 404), "post-all: {got:?}");
    assert!(matches!(got[3], 403 | 404), "post-all: {got:?}");

    // …and in its own subaccount it sends with media and deletes them.
    let sent = send_with_media(&s, &post_all).await;
    let own = sent["sid"].as_str().unwrap();
    let got = statuses(&s, &post_all, &spender_sub, own).await;
    assert_eq!(got[0], got[1], "post-all in its subaccount: {got:?}");
    assert_eq!(got[3], 204, "post-all deletes in its subaccount: {got:?}");

    // A stranger's credentials reach nothing; no credentials are refused.
    let stranger = s.main_account(AccountType::Full).await;
    let got = statuses(&s, &stranger, &cust.account, &sm).await;
    assert!(
        got.iter().all(|s| matches!(s, 403 | 404)),
        "stranger: {got:?}"
    );
    let (status, body) = s
        .call(
            None,
            Method::GET,
            &format!(
                "/2010-04-01/Accounts/{}/Messages/{sm}/Media.json",
                cust.account
            ),
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 401, 20003);

    // Nobody above was let delete anything of the customer's.
    let rows =
        s.sb.store()
            .all(media::all_of_message(
                &cust.account,
                &MessageSid::parse(&sm).unwrap(),
            ))
            .await
            .unwrap();
    assert_eq!(rows.len(), 2);
});

server_test!(the_owner_deletes_media_and_bad_paths_are_not_found, |s| {
    let c = s.main_account(AccountType::Full).await;
    let message = send_with_media(&s, &c).await;
    let sm = message["sid"].as_str().unwrap();
    let got = statuses(&s, &c, &c.sid, sm).await;
    assert_eq!(got, [200, 200, 200, 204], "owner");
    let (_, list) = s
        .get(&c, &format!("{}/{sm}/Media.json", messages(&c)))
        .await;
    assert_eq!(list["media_list"].as_array().unwrap().len(), 1);

    for bad in [
        format!("{}/{sm}/Media/nonsense.json", messages(&c)),
        format!("{}/nonsense/Media.json", messages(&c)),
        format!(
            "{}/nonsense/Media/ME00000000000000000000000000000000.json",
            messages(&c)
        ),
        format!("/2010-04-01/Accounts/nonsense/Messages/{sm}/Media.json"),
    ] {
        let (status, body) = s.get(&c, &bad).await;
        assert_twilio_error(status, &body, 404, 20404);
        // Strangers learn nothing from a bad path: they are not let in.
        let (status, body) = s.call(None, Method::GET, &bad, &[]).await;
        assert_twilio_error(status, &body, 401, 20003);
    }
    let (status, body) = s
        .call(
            Some(&c),
            Method::POST,
            &format!("{}/{sm}/Media.json", messages(&c)),
            &[],
        )
        .await;
    assert_twilio_error(status, &body, 405, 20004);
});
