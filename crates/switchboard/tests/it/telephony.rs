//! Numbers, calls, messages, usage and balances over real HTTP, as an owner and
//! as a Connect App, on both databases.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::connect::{app_owner, authorize, customer};
use crate::receiver::Receiver;
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};

async fn search(s: &TestServer, c: &Creds, query: &str) -> Vec<String> {
    let (status, body) = s
        .get(
            c,
            &format!("{}/AvailablePhoneNumbers/US/Local.json?{query}", base(c)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["available_phone_numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["phone_number"].as_str().unwrap().to_owned())
        .collect()
}

/// Buys the first local number in an area code; returns its number.
pub async fn buy(s: &TestServer, c: &Creds, area: &str) -> String {
    let (status, body) = s
        .post(
            c,
            &format!("{}/IncomingPhoneNumbers.json", base(c)),
            &[("AreaCode", area)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["phone_number"].as_str().unwrap().to_owned()
}

/// Fetches a resource until `done` holds (the simulator runs beside the test).
async fn settle(s: &TestServer, c: &Creds, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let (status, body) = s.get(c, path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} never settled");
}

async fn balance(s: &TestServer, c: &Creds) -> f64 {
    let (status, body) = s.get(c, &format!("{}/Balance.json", base(c))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["currency"], "USD");
    body["balance"].as_str().unwrap().parse().unwrap()
}

server_test!(
    the_inventory_is_deterministic_and_bought_numbers_leave_it,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let first = search(&s, &c, "AreaCode=415&PageSize=5").await;
        assert_eq!(first.len(), 5);
        assert!(first.iter().all(|n| n.starts_with("+1415")), "{first:?}");
        assert_eq!(first, search(&s, &c, "AreaCode=415&PageSize=5").await);
        assert!(
            search(&s, &c, "Contains=415*&InRegion=CA&PageSize=3")
                .await
                .iter()
                .all(|n| n.contains("415"))
        );
        assert!(search(&s, &c, "InRegion=ZZ").await.is_empty());

        let (status, bought) = s
            .post(
                &c,
                &format!("{}/IncomingPhoneNumbers.json", base(&c)),
                &[
                    ("PhoneNumber", first[0].as_str()),
                    ("VoiceUrl", "https://app.example.com/voice"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{bought}");
        assert_eq!(bought["voice_url"], "https://app.example.com/voice");
        assert_eq!(bought["capabilities"]["sms"], true);
        assert!(
            !search(&s, &c, "AreaCode=415&PageSize=5")
                .await
                .contains(&first[0])
        );

        // Somebody else cannot buy it; nobody can buy a number outside the inventory.
        let other = s.main_account(AccountType::Full).await;
        let (status, body) = s
            .post(
                &other,
                &format!("{}/IncomingPhoneNumbers.json", base(&other)),
                &[("PhoneNumber", first[0].as_str())],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21422);
        let (status, body) = s
            .post(
                &other,
                &format!("{}/IncomingPhoneNumbers.json", base(&other)),
                &[("PhoneNumber", "+15005550000")],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21422);
        let (status, body) = s
            .post(
                &other,
                &format!("{}/IncomingPhoneNumbers.json", base(&other)),
                &[],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21451);

        // Update: a bad method changes nothing.
        let number_path = format!(
            "{}/IncomingPhoneNumbers/{}.json",
            base(&c),
            bought["sid"].as_str().unwrap()
        );
        let (status, body) = s
            .post(
                &c,
                &number_path,
                &[("VoiceMethod", "PUT"), ("FriendlyName", "Sales")],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21209);
        let (status, body) = s
            .post(
                &c,
                &number_path,
                &[
                    ("FriendlyName", "Sales"),
                    ("SmsUrl", "https://app.example.com/sms"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, fetched) = s.get(&c, &number_path).await;
        assert_eq!(fetched["friendly_name"], "Sales");
        assert_eq!(fetched["sms_url"], "https://app.example.com/sms");
        let (_, listed) = s
            .get(
                &c,
                &format!(
                    "{}/IncomingPhoneNumbers.json?PhoneNumber={}",
                    base(&c),
                    crate::connect::enc(&first[0])
                ),
            )
            .await;
        assert_eq!(
            listed["incoming_phone_numbers"].as_array().unwrap().len(),
            1
        );
        let (_, local) = s
            .get(&c, &format!("{}/IncomingPhoneNumbers/Local.json", base(&c)))
            .await;
        assert_eq!(local["incoming_phone_numbers"].as_array().unwrap().len(), 1);
        let (_, toll_free) = s
            .get(
                &c,
                &format!("{}/IncomingPhoneNumbers/TollFree.json", base(&c)),
            )
            .await;
        assert_eq!(
            toll_free["incoming_phone_numbers"]
                .as_array()
                .unwrap()
                .len(),
            0
        );

        // The first month was charged to the buyer.
        assert!((balance(&s, &c).await - (15.50 - 1.15)).abs() < 1e-9);

        let (status, _) = s
            .call(Some(&c), reqwest::Method::DELETE, &number_path, &[])
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert!(
            search(&s, &c, "AreaCode=415&PageSize=5")
                .await
                .contains(&first[0])
        );
        let (status, _) = s.get(&c, &number_path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

server_test!(
    a_call_plays_out_posts_signed_callbacks_and_is_charged,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "212").await;
        let before = balance(&s, &c).await;
        let callback = receiver.url("/status?call=1");
        let (status, call) = s
            .post(
                &c,
                &format!("{}/Calls.json", base(&c)),
                &[
                    ("To", "+14155550100"),
                    ("From", from.as_str()),
                    ("Url", "https://app.example.com/twiml"),
                    ("StatusCallback", callback.as_str()),
                    ("StatusCallbackEvent", "initiated"),
                    ("StatusCallbackEvent", "ringing"),
                    ("StatusCallbackEvent", "answered"),
                    ("StatusCallbackEvent", "completed"),
                    ("Record", "true"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{call}");
        assert_eq!(call["status"], "queued");
        assert_eq!(call["to_formatted"], "(415) 555-0100");
        let path = call["uri"].as_str().unwrap().to_owned();
        let done = settle(&s, &c, &path, |b| b["status"] == "completed").await;
        let duration: i64 = done["duration"].as_str().unwrap().parse().unwrap();
        assert!((30..300).contains(&duration), "{done}");
        let minutes = (duration + 59) / 60;
        let price: f64 = done["price"].as_str().unwrap().parse().unwrap();
        assert!((price + 0.014 * minutes as f64).abs() < 1e-9, "{done}");

        // Deliveries go out concurrently, so (as with Twilio) SequenceNumber,
        // not arrival, gives the order.
        let mut hooks = receiver.wait_for(4, Duration::from_secs(10)).await;
        hooks.sort_by_key(|h| h.param("SequenceNumber").unwrap().parse::<u32>().unwrap());
        let statuses: Vec<String> = hooks
            .iter()
            .map(|h| h.param("CallStatus").unwrap())
            .collect();
        assert_eq!(
            statuses,
            ["initiated", "ringing", "in-progress", "completed"]
        );
        for h in &hooks {
            assert_signed(h, &receiver, &c.token);
            assert_eq!(h.param("CallSid").as_deref(), call["sid"].as_str());
        }
        assert_eq!(hooks[3].param("CallDuration"), Some(duration.to_string()));

        assert!((balance(&s, &c).await - (before - 0.014 * minutes as f64)).abs() < 1e-9);
        let (_, usage) = s
            .get(
                &c,
                &format!("{}/Usage/Records/Today.json?Category=calls", base(&c)),
            )
            .await;
        let record = &usage["usage_records"][0];
        assert_eq!(record["count"], "1", "{usage}");
        assert_eq!(record["usage"], minutes.to_string());
        let (_, recordings) = s
            .get(&c, &path.to_string().replace(".json", "/Recordings.json"))
            .await;
        assert_eq!(
            recordings["recordings"][0]["duration"],
            duration.to_string(),
            "{recordings}"
        );

        // Ended calls cannot be redirected; they can be deleted.
        let (status, body) = s.post(&c, &path, &[("Status", "canceled")]).await;
        assert_twilio_error(status, &body, 400, 21220);
        let (status, _) = s.call(Some(&c), reqwest::Method::DELETE, &path, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
);

server_test!(numbers_that_do_not_answer_end_as_twilio_says, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "512").await;
    for (to, end) in [
        ("+14155550486", "busy"),
        ("+14155550487", "no-answer"),
        ("+14155550488", "failed"),
    ] {
        let (status, call) = s
            .post(
                &c,
                &format!("{}/Calls.json", base(&c)),
                &[
                    ("To", to),
                    ("From", from.as_str()),
                    ("Twiml", "<Response/>"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{call}");
        let done = settle(&s, &c, call["uri"].as_str().unwrap(), |b| {
            b["status"] == end
        })
        .await;
        assert_eq!(done["price"], "0.00000", "{done}");
    }
    let (_, busy) = s
        .get(&c, &format!("{}/Calls.json?Status=busy", base(&c)))
        .await;
    assert_eq!(busy["calls"].as_array().unwrap().len(), 1);
});

server_test!(
    bad_calls_and_messages_get_twilio_codes_and_write_nothing,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "303").await;
        let calls = format!("{}/Calls.json", base(&c));
        let url = ("Url", "https://app.example.com/twiml");
        let cases: Vec<(Vec<(&str, &str)>, u64)> = vec![
            (vec![("From", from.as_str()), url], 21201),
            (vec![("To", "banana"), ("From", from.as_str()), url], 21211),
            (vec![("To", "+14155550100"), url], 21213),
            (
                vec![("To", "+14155550100"), ("From", "+14155550199"), url],
                21210,
            ),
            (vec![("To", "+14155550100"), ("From", from.as_str())], 21205),
            (
                vec![
                    ("To", "+14155550100"),
                    ("From", from.as_str()),
                    url,
                    ("StatusCallbackMethod", "PATCH"),
                ],
                21209,
            ),
            (
                vec![("To", "+15005550001"), ("From", from.as_str()), url],
                21217,
            ),
            (
                vec![("To", "+14155550100"), ("From", "+15005550001"), url],
                21212,
            ),
        ];
        for (form, code) in cases {
            let (status, body) = s.post(&c, &calls, &form).await;
            assert_twilio_error(status, &body, 400, code);
        }
        let (status, body) = s.get(&c, &format!("{calls}?StartTime%3E=yesterday")).await;
        assert_twilio_error(status, &body, 400, 20001);
        // List filters are parsed into their types: an unknown status, or a
        // malformed SID, is Twilio's 400 rather than an empty list.
        for query in [
            "Status=exploded",
            "Status=Completed",
            "Status=in_progress",
            "ParentCallSid=CAnot-a-sid",
            "ParentCallSid=SM0123456789abcdef0123456789abcdef",
        ] {
            let (status, body) = s.get(&c, &format!("{calls}?{query}")).await;
            assert_twilio_error(status, &body, 400, 20001);
        }
        let (status, body) = s
            .get(
                &c,
                &format!(
                    "{calls}?Status=in-progress&ParentCallSid=CA0123456789ABCDEF0123456789abcdef"
                ),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, listed) = s.get(&c, &calls).await;
        assert_eq!(
            listed["calls"].as_array().unwrap().len(),
            0,
            "nothing was written"
        );

        let messages = format!("{}/Messages.json", base(&c));
        let cases: Vec<(Vec<(&str, &str)>, u64)> = vec![
            (vec![("From", from.as_str()), ("Body", "hi")], 21604),
            (vec![("To", "+14155550100"), ("Body", "hi")], 21603),
            (vec![("To", "+14155550100"), ("From", from.as_str())], 21602),
            (
                vec![
                    ("To", "+14155550100"),
                    ("From", "+14155550199"),
                    ("Body", "hi"),
                ],
                21606,
            ),
            (
                vec![
                    ("To", "+15005550009"),
                    ("From", from.as_str()),
                    ("Body", "hi"),
                ],
                21614,
            ),
            (
                vec![
                    ("To", "+14155550100"),
                    ("From", from.as_str()),
                    ("Body", "hi"),
                    ("StatusCallback", "ftp://x"),
                ],
                21609,
            ),
        ];
        for (form, code) in cases {
            let (status, body) = s.post(&c, &messages, &form).await;
            assert_twilio_error(status, &body, 400, code);
        }
        let long = "x".repeat(1601);
        let (status, body) = s
            .post(
                &c,
                &messages,
                &[
                    ("To", "+14155550100"),
                    ("From", from.as_str()),
                    ("Body", long.as_str()),
                ],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21617);
        let (_, listed) = s.get(&c, &messages).await;
        assert_eq!(
            listed["messages"].as_array().unwrap().len(),
            0,
            "nothing was written"
        );
    }
);

server_test!(messages_count_segments_deliver_and_can_be_redacted, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "617").await;
    let messages = format!("{}/Messages.json", base(&c));
    let callback = receiver.url("/sms");
    let (status, m) = s
        .post(
            &c,
            &messages,
            &[
                ("To", "+14155550100"),
                ("From", from.as_str()),
                ("Body", "Rendez-vous à midi 👋"),
                ("StatusCallback", callback.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(m["num_segments"], "1");
    assert_eq!(m["num_media"], "0");
    assert_eq!(m["status"], "queued");
    assert_eq!(m["direction"], "outbound-api");
    let path = m["uri"].as_str().unwrap().to_owned();
    let done = settle(&s, &c, &path, |b| b["status"] == "delivered").await;
    assert_eq!(done["price"], "-0.00790");
    assert!(done["date_sent"].is_string());
    let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
    let mut statuses: Vec<String> = hooks
        .iter()
        .map(|h| h.param("MessageStatus").unwrap())
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        ["delivered", "sent"],
        "in any order: they go out concurrently"
    );
    for h in &hooks {
        assert_signed(h, &receiver, &c.token);
    }

    let (_, long) = s
        .post(
            &c,
            &messages,
            &[
                ("To", "+14155550488"),
                ("From", from.as_str()),
                ("Body", &"a".repeat(161)),
            ],
        )
        .await;
    assert_eq!(long["num_segments"], "2");
    let failed = settle(&s, &c, long["uri"].as_str().unwrap(), |b| {
        b["status"] == "failed"
    })
    .await;
    assert_eq!(failed["error_code"], 30008);

    let (status, body) = s.post(&c, &path, &[("Body", "rewritten")]).await;
    assert_twilio_error(status, &body, 400, 20001);
    let (status, body) = s.post(&c, &path, &[("Body", "")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, fetched) = s.get(&c, &path).await;
    assert_eq!(fetched["body"], "");
    let (_, sms) = s
        .get(&c, &format!("{}/Usage/Records.json?Category=sms", base(&c)))
        .await;
    assert_eq!(sms["usage_records"][0]["count"], "1", "{sms}");
    assert_eq!(sms["usage_records"][0]["usage"], "1");
});

server_test!(messages_show_their_media_count_and_typed_fields, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "617").await;
    let messages = format!("{}/Messages.json", base(&c));
    let (status, mms) = s
        .post(
            &c,
            &messages,
            &[
                ("To", "+14155550100"),
                ("From", from.as_str()),
                ("MediaUrl", "https://app.example.com/a.png"),
                ("MediaUrl", "https://app.example.com/b.png"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mms}");
    assert_eq!(mms["num_media"], "2");
    assert_eq!(mms["direction"], "outbound-api");
    let (_, fetched) = s.get(&c, mms["uri"].as_str().unwrap()).await;
    assert_eq!(fetched["num_media"], "2", "{fetched}");
    let (_, listed) = s.get(&c, &messages).await;
    assert_eq!(listed["messages"][0]["num_media"], "2", "{listed}");
});

server_test!(calls_page_by_key_newest_first_with_filters, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "206").await;
    for i in 0..23 {
        let to = if i % 2 == 0 {
            "+14155550100"
        } else {
            "+14155550101"
        };
        let (status, body) = s
            .post(
                &c,
                &format!("{}/Calls.json", base(&c)),
                &[
                    ("To", to),
                    ("From", from.as_str()),
                    ("Twiml", "<Response/>"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mut seen = Vec::new();
    let mut next = Some(format!("{}/Calls.json?PageSize=5", base(&c)));
    while let Some(uri) = next {
        let (status, page) = s.get(&c, &uri).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for call in page["calls"].as_array().unwrap() {
            seen.push((
                call["date_created"].as_str().unwrap().to_owned(),
                call["sid"].as_str().unwrap().to_owned(),
            ));
        }
        next = page["next_page_uri"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 23);
    let mut unique = seen.clone();
    unique.dedup_by(|a, b| a.1 == b.1);
    assert_eq!(unique.len(), 23);
    let (_, to_100) = s
        .get(
            &c,
            &format!("{}/Calls.json?To=%2B14155550100&PageSize=100", base(&c)),
        )
        .await;
    assert_eq!(to_100["calls"].as_array().unwrap().len(), 12);
    let (_, today) = s
        .get(
            &c,
            &format!(
                "{}/Calls.json?StartTime%3E={}&PageSize=100",
                base(&c),
                switchboard_types::Timestamp::now()
                    .to_datetime()
                    .format("%Y-%m-%d")
            ),
        )
        .await;
    let started = settle(
        &s,
        &c,
        &format!("{}/Calls.json?Status=completed&PageSize=100", base(&c)),
        |b| b["calls"].as_array().unwrap().len() == 23,
    )
    .await;
    assert_eq!(started["calls"].as_array().unwrap().len(), 23);
    assert!(today["calls"].as_array().unwrap().len() <= 23);
});

server_test!(
    a_connect_app_spends_the_customers_money_in_its_own_subaccount_only,
    |s| {
        let owner = app_owner(&s, &["get-all", "post-all"]).await;
        let mut cust = customer(&s, true).await;
        let sub = authorize(&mut cust.browser, &owner.app).await;
        let app = Creds {
            sid: sub.clone(),
            token: owner.creds.token.clone(),
        };
        let owner_before = balance(&s, &owner.creds).await;

        // The app buys a number and calls from it, in its dedicated subaccount.
        let from = buy(&s, &app, "305").await;
        let receiver = Receiver::start().await;
        let callback = receiver.url("/app-status");
        let (status, call) = s
            .post(
                &app,
                &format!("{}/Calls.json", base(&app)),
                &[
                    ("To", "+14155550100"),
                    ("From", from.as_str()),
                    ("Url", "https://app.example.com/twiml"),
                    ("StatusCallback", callback.as_str()),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{call}");
        settle(&s, &app, call["uri"].as_str().unwrap(), |b| {
            b["status"] == "completed"
        })
        .await;
        // Signed with the app owner's token: the app knows no other.
        let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
        assert_signed(&hooks[0], &receiver, &owner.creds.token);

        // The customer paid; the app owner did not.
        assert_eq!(balance(&s, &owner.creds).await, owner_before);
        let customer_balance = balance(&s, &app).await;
        assert!(customer_balance < 15.50 - 1.15 + 1e-9, "{customer_balance}");
        let (_, usage) = s
            .get(
                &app,
                &format!(
                    "/2010-04-01/Accounts/{}/Usage/Records/AllTime.json?Category=totalprice",
                    cust.account
                ),
            )
            .await;
        let total: f64 = usage["usage_records"][0]["price"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((total - (15.50 - customer_balance)).abs() < 1e-9, "{usage}");

        // It reads the customer's main account, but cannot spend there.
        let main = Creds {
            sid: cust.account.clone(),
            token: owner.creds.token.clone(),
        };
        let (status, _) = s
            .get(
                &app,
                &format!("/2010-04-01/Accounts/{}/Calls.json", cust.account),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = s
            .post(
                &app,
                &format!("/2010-04-01/Accounts/{}/Messages.json", cust.account),
                &[
                    ("To", "+14155550100"),
                    ("From", from.as_str()),
                    ("Body", "hi"),
                ],
            )
            .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{status} {body}"
        );
        let _ = main;
    }
);

server_test!(a_get_all_app_reads_but_cannot_place_calls, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = Creds {
        sid: sub.clone(),
        token: owner.creds.token.clone(),
    };
    let (status, body) = s
        .post(
            &app,
            &format!("{}/Calls.json", base(&app)),
            &[
                ("To", "+14155550100"),
                ("From", "+15005550006"),
                ("Url", "https://app.example.com/twiml"),
            ],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    assert!(
        body["message"].as_str().unwrap().contains("post-all"),
        "{body}"
    );
    let (status, _) = s
        .get(
            &app,
            &format!("/2010-04-01/Accounts/{}/Messages.json", cust.account),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s
        .get(
            &app,
            &format!("/2010-04-01/Accounts/{}/Usage/Records.json", cust.account),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
});

/// Numbers are rented by the month: on a fast clock (a simulated month in a
/// fraction of a second) the rent keeps coming, each month once.
async fn numbers_pay_rent_every_month(s: TestServer) {
    let c = s.main_account(AccountType::Full).await;
    buy(&s, &c, "312").await;
    let months = |usage: &Value| -> i64 {
        usage["usage_records"][0]["count"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let path = format!(
        "{}/Usage/Records/AllTime.json?Category=phonenumbers",
        base(&c)
    );
    let usage = settle(&s, &c, &path, |u| months(u) >= 3).await;
    let charged = months(&usage);
    let balance = balance(&s, &c).await;
    assert!(
        (balance - (15.50 - 1.15 * charged as f64)).abs() < 1.15 * 1.5,
        "{balance} after {charged} months"
    );
}

fn fast_months(settings: &mut switchboard_domain::Settings) {
    // A 30-day month in about 0.3 s.
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(1e7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_pay_rent_every_month_sqlite() {
    let db = switchboard_store::testing::TestDb::sqlite();
    numbers_pay_rent_every_month(TestServer::start_with(db, fast_months).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_pay_rent_every_month_postgres() {
    if let Some(db) = switchboard_store::testing::TestDb::postgres().await {
        numbers_pay_rent_every_month(TestServer::start_with(db, fast_months).await).await;
    }
}
