//! Messages that arrive, over real HTTP: from a simulated handset and from
//! another number on this Switchboard; the number's webhook (signed, through
//! the outbox) and the app's TwiML answer executed; opt-out keywords.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::connect::{app_owner, authorize, customer};
use crate::receiver::Receiver;
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};
use crate::telephony::buy;

const HANDSET: &str = "+14155550123";

fn inbound_path(c: &Creds) -> String {
    format!("/switchboard/v1/Accounts/{}/InboundMessages.json", c.sid)
}

/// Buys a number in `area` and points its messaging webhook at `sms_url`
/// (and `fallback`); returns the number.
async fn number_with_webhook(
    s: &TestServer,
    c: &Creds,
    area: &str,
    sms_url: &str,
    fallback: Option<&str>,
) -> String {
    let (status, body) = s
        .post(
            c,
            &format!("{}/IncomingPhoneNumbers.json", base(c)),
            &[("AreaCode", area), ("SmsUrl", sms_url)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    if let Some(fallback) = fallback {
        let (status, body) = s
            .post(
                c,
                body["uri"].as_str().unwrap(),
                &[("SmsFallbackUrl", fallback)],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    body["phone_number"].as_str().unwrap().to_owned()
}

async fn receive(s: &TestServer, c: &Creds, to: &str, body: &str) -> Value {
    let (status, m) = s
        .post(
            c,
            &inbound_path(c),
            &[("From", HANDSET), ("To", to), ("Body", body)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    m
}

/// The account's messages, newest first, once `done` holds for the list.
async fn messages_until(s: &TestServer, c: &Creds, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let path = format!("{}/Messages.json?PageSize=100", base(c));
    for _ in 0..200 {
        let (status, body) = s.get(c, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list = body["messages"].as_array().unwrap().clone();
        if done(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the messages of {} never settled", c.sid);
}

fn with_direction<'a>(list: &'a [Value], direction: &str) -> Vec<&'a Value> {
    list.iter()
        .filter(|m| m["direction"] == direction)
        .collect()
}

server_test!(
    a_handset_texts_a_number_and_the_apps_twiml_reply_is_sent,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
        "/sms",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>Thanks, see you at 3</Message></Response>",
    );
        let c = s.main_account(AccountType::Full).await;
        let number = number_with_webhook(&s, &c, "415", &receiver.url("/sms?shop=7"), None).await;

        let m = receive(&s, &c, &number, "Is 3pm free?").await;
        assert_eq!(m["direction"], "inbound");
        assert_eq!(m["status"], "received");
        assert_eq!(m["from"], HANDSET);
        assert_eq!(m["to"], number);
        assert_eq!(m["body"], "Is 3pm free?");
        assert_eq!(m["price"], "-0.00790", "US inbound SMS is charged");

        let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
        let hook = &hooks[0];
        assert_eq!(hook.method, "POST");
        assert_eq!(hook.path_and_query, "/sms?shop=7");
        assert_signed(hook, &receiver, &c.token);
        assert!(hook.header("i-twilio-idempotency-token").len() > 10);
        let sid = m["sid"].as_str().unwrap();
        for (name, want) in [
            ("MessageSid", sid),
            ("SmsSid", sid),
            ("SmsMessageSid", sid),
            ("AccountSid", c.sid.as_str()),
            ("From", HANDSET),
            ("To", number.as_str()),
            ("Body", "Is 3pm free?"),
            ("NumMedia", "0"),
            ("NumSegments", "1"),
            ("SmsStatus", "received"),
            ("ApiVersion", "2010-04-01"),
            ("ToCountry", "US"),
            ("FromCountry", "US"),
        ] {
            assert_eq!(hook.param(name).as_deref(), Some(want), "{name}");
        }
        for name in [
            "FromCity",
            "FromState",
            "FromZip",
            "ToCity",
            "ToState",
            "ToZip",
        ] {
            assert!(
                hook.param(name).is_some(),
                "{name} is sent, empty if unknown"
            );
        }
        assert_eq!(hook.param("OptOutType"), None);

        // The reply goes from the number to the handset, and is delivered.
        let list = messages_until(&s, &c, |l| {
            with_direction(l, "outbound-reply")
                .first()
                .is_some_and(|r| r["status"] == "delivered")
        })
        .await;
        let reply = with_direction(&list, "outbound-reply")[0];
        assert_eq!(reply["from"], number);
        assert_eq!(reply["to"], HANDSET);
        assert_eq!(reply["body"], "Thanks, see you at 3");
        assert_eq!(list.len(), 2, "{list:?}");

        // Usage counts the received message under sms-inbound.
        let (_, usage) = s
            .get(
                &c,
                &format!(
                    "{}/Usage/Records/AllTime.json?Category=sms-inbound",
                    base(&c)
                ),
            )
            .await;
        assert_eq!(usage["usage_records"][0]["count"], "1", "{usage}");
    }
);

server_test!(two_numbers_on_this_switchboard_text_each_other, |s| {
    let receiver = Receiver::start().await;
    let a = s.main_account(AccountType::Full).await;
    let b = s.main_account(AccountType::Full).await;
    let from = buy(&s, &a, "617").await;
    let to = number_with_webhook(&s, &b, "212", &receiver.url("/b-sms"), None).await;
    let (status, sent) = s
        .post(
            &a,
            &format!("{}/Messages.json", base(&a)),
            &[
                ("To", to.as_str()),
                ("From", from.as_str()),
                ("Body", "hello b"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");

    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(hooks[0].param("From").as_deref(), Some(from.as_str()));
    assert_eq!(
        hooks[0].param("AccountSid").as_deref(),
        Some(b.sid.as_str())
    );
    assert_signed(&hooks[0], &receiver, &b.token);
    let got = messages_until(&s, &b, |l| !l.is_empty()).await;
    assert_eq!(got[0]["direction"], "inbound");
    assert_eq!(got[0]["body"], "hello b");
    let mine = messages_until(&s, &a, |l| l[0]["status"] == "delivered").await;
    assert_eq!(
        mine.len(),
        1,
        "the sender's account holds only what it sent"
    );
});

server_test!(
    a_failing_webhook_falls_back_and_a_redirect_loop_stops,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        receiver.answer_document("/broken", "text/html", "<h1>Internal error</h1>");
        receiver.answer_with(&[500]);
        receiver.answer_twiml(
            "/fallback",
            "<Response><Redirect method=\"GET\">/loop</Redirect></Response>",
        );
        receiver.answer_twiml("/loop", "<Response><Redirect>loop</Redirect></Response>");
        let number = number_with_webhook(
            &s,
            &c,
            "415",
            &receiver.url("/broken"),
            Some(&receiver.url("/fallback")),
        )
        .await;
        receive(&s, &c, &number, "hi").await;

        // /broken once (a 500 is not retried by default), /fallback once, then
        // /loop until the conversation has fetched ten documents (the fallback's
        // and nine of /loop).
        let hooks = receiver.wait_for(11, Duration::from_secs(10)).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let hooks_after = receiver.received();
        assert_eq!(hooks_after.len(), 11, "{:?}", paths(&hooks_after));
        let paths = paths(&hooks);
        assert_eq!(paths[0], "/broken");
        assert_eq!(paths[1], "/fallback");
        assert!(
            paths[2].starts_with("/loop?"),
            "GET carries the parameters: {}",
            paths[2]
        );
        assert!(paths[3..].iter().all(|p| p == "/loop"), "{paths:?}");
        for h in &hooks {
            assert_signed(h, &receiver, &c.token);
            assert_eq!(h.param("Body").as_deref(), Some("hi"));
        }
        let list = messages_until(&s, &c, |_| true).await;
        assert_eq!(list.len(), 1, "no reply was sent");
    }
);

fn paths(hooks: &[crate::receiver::Received]) -> Vec<String> {
    hooks.iter().map(|h| h.path_and_query.clone()).collect()
}

server_test!(stop_opts_the_handset_out_until_start, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    let number = number_with_webhook(&s, &c, "415", &receiver.url("/sms"), None).await;
    let send = |body: &'static str| {
        let (s, c, number) = (&s, &c, number.clone());
        async move {
            s.post(
                c,
                &format!("{}/Messages.json", base(c)),
                &[("To", HANDSET), ("From", number.as_str()), ("Body", body)],
            )
            .await
        }
    };

    receive(&s, &c, &number, " Stop ").await;
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(hooks[0].param("OptOutType").as_deref(), Some("STOP"));
    let list = messages_until(&s, &c, |l| !with_direction(l, "outbound-reply").is_empty()).await;
    let confirmation = with_direction(&list, "outbound-reply")[0];
    assert!(
        confirmation["body"]
            .as_str()
            .unwrap()
            .starts_with("You have successfully been unsubscribed"),
        "{confirmation}"
    );
    let (status, body) = send("Sale today!").await;
    assert_twilio_error(status, &body, 400, 21610);

    receive(&s, &c, &number, "START").await;
    let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(hooks[1].param("OptOutType").as_deref(), Some("START"));
    let (status, body) = send("Welcome back").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
});

server_test!(a_connect_apps_test_suite_drives_its_own_subaccount, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/app-sms", "<Response/>");
    let full = app_owner(&s, &["get-all", "post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &full.app).await;
    let app = Creds {
        sid: sub,
        token: full.creds.token.clone(),
    };
    let number = number_with_webhook(&s, &app, "305", &receiver.url("/app-sms"), None).await;
    receive(&s, &app, &number, "book me in").await;
    let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
    // The app knows only its owner's token, which signs it.
    assert_signed(&hooks[0], &receiver, &full.creds.token);

    // With get-all only, an app reads but cannot make messages arrive.
    let reader = app_owner(&s, &["get-all"]).await;
    let mut cust2 = customer(&s, true).await;
    let sub2 = authorize(&mut cust2.browser, &reader.app).await;
    let read_only = Creds {
        sid: sub2,
        token: reader.creds.token.clone(),
    };
    let (status, body) = s
        .post(
            &read_only,
            &inbound_path(&read_only),
            &[("From", HANDSET), ("To", number.as_str()), ("Body", "x")],
        )
        .await;
    assert_twilio_error(status, &body, 403, 20403);
});

server_test!(bad_inbound_messages_are_refused_with_twilios_codes, |s| {
    let c = s.main_account(AccountType::Full).await;
    let other = s.main_account(AccountType::Full).await;
    let number = buy(&s, &c, "415").await;
    let theirs = buy(&s, &other, "212").await;
    for (params, code) in [
        (vec![("To", number.as_str()), ("Body", "x")], 21603),
        (
            vec![("From", "nope"), ("To", number.as_str()), ("Body", "x")],
            21212,
        ),
        (vec![("From", HANDSET), ("Body", "x")], 21604),
        (vec![("From", HANDSET), ("To", number.as_str())], 21602),
        (
            vec![("From", HANDSET), ("To", theirs.as_str()), ("Body", "x")],
            21211,
        ),
    ] {
        let (status, body) = s.post(&c, &inbound_path(&c), &params).await;
        assert_twilio_error(status, &body, 400, code);
    }
    let list = messages_until(&s, &c, |_| true).await;
    assert!(list.is_empty(), "nothing was stored: {list:?}");
});

/// The account's notifications' error codes, once `n` have been recorded.
async fn notification_codes(s: &TestServer, c: &Creds, n: usize) -> Vec<(u64, String)> {
    let path = format!("{}/Notifications.json?PageSize=100", base(c));
    for _ in 0..200 {
        let (status, body) = s.get(c, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list = body["notifications"].as_array().unwrap();
        if list.len() >= n {
            let mut codes: Vec<(u64, String)> = list
                .iter()
                .map(|n| {
                    (
                        n["error_code"].as_str().unwrap().parse().unwrap(),
                        n["request_url"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            codes.sort();
            return codes;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("fewer than {n} notifications were recorded");
}

server_test!(what_goes_wrong_in_a_conversation_is_a_notification, |s| {
    let receiver = Receiver::start().await;
    let hanging = Receiver::start().await;
    hanging.delay_answers(Duration::from_secs(5));
    let c = s.main_account(AccountType::Full).await;
    receiver.answer_twiml("/malformed", "<Response><Message>hi</Respons>");
    receiver.answer_document("/csv", "text/csv", "a,b\n1,2\n");
    receiver.answer_twiml(
        "/unknown-verb",
        "<Response><Dance/><Message>still sent</Message></Response>",
    );
    let huge = format!(
        "<Response><Message>{}</Message></Response>",
        "x".repeat(10 << 20)
    );
    receiver.answer_twiml("/huge", &huge);
    receiver.answer_twiml(
        "/bad-from",
        "<Response><Message from=\"+15005550006\">x</Message></Response>",
    );
    let cases = [
        (receiver.url("/malformed"), 12100),
        (receiver.url("/csv"), 12300),
        (receiver.url("/unknown-verb"), 12200),
        (receiver.url("/huge"), 11750),
        (receiver.url("/bad-from"), 14102),
        // Connection overrides: give up after half a second.
        (format!("{}#tt=500", hanging.url("/hang")), 11200),
    ];
    for (url, _) in &cases {
        let number = number_with_webhook(&s, &c, "415", url, None).await;
        receive(&s, &c, &number, "hello").await;
    }
    let got = notification_codes(&s, &c, cases.len()).await;
    let mut want: Vec<(u64, String)> = cases
        .iter()
        .map(|(url, code)| (*code, url.split('#').next().unwrap().to_owned()))
        .collect();
    want.sort();
    assert_eq!(got, want);

    // A warning skips the unknown verb and runs the rest.
    let list = messages_until(&s, &c, |l| !with_direction(l, "outbound-reply").is_empty()).await;
    let replies = with_direction(&list, "outbound-reply");
    assert_eq!(replies.len(), 1, "{list:?}");
    assert_eq!(replies[0]["body"], "still sent");
    // Nothing the handsets wrote is lost.
    assert_eq!(with_direction(&list, "inbound").len(), cases.len());
});

server_test!(
    a_number_in_a_messaging_service_is_answered_at_the_services_url,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml(
            "/service",
            "<Response><Message>via the service</Message></Response>",
        );
        let c = s.main_account(AccountType::Full).await;
        let (status, bought) = s
            .post(
                &c,
                &format!("{}/IncomingPhoneNumbers.json", base(&c)),
                &[
                    ("AreaCode", "415"),
                    ("SmsUrl", receiver.url("/number").as_str()),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{bought}");
        let number = bought["phone_number"].as_str().unwrap().to_owned();
        let (status, service) = s
            .post(
                &c,
                "/v1/Services",
                &[
                    ("FriendlyName", "Salon"),
                    ("InboundRequestUrl", receiver.url("/service").as_str()),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{service}");
        let mg = service["sid"].as_str().unwrap().to_owned();
        let (status, body) = s
            .post(
                &c,
                &format!("/v1/Services/{mg}/PhoneNumbers"),
                &[("PhoneNumberSid", bought["sid"].as_str().unwrap())],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        let m = receive(&s, &c, &number, "hi").await;
        assert_eq!(m["messaging_service_sid"], mg.as_str());
        let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(
            hooks[0].path_and_query, "/service",
            "not the number's own URL"
        );
        assert_eq!(
            hooks[0].param("MessagingServiceSid").as_deref(),
            Some(mg.as_str())
        );
        let list =
            messages_until(&s, &c, |l| !with_direction(l, "outbound-reply").is_empty()).await;
        let reply = with_direction(&list, "outbound-reply")[0];
        assert_eq!(reply["messaging_service_sid"], mg.as_str());

        // STOP to a service number opts the handset out of the whole service.
        receive(&s, &c, &number, "STOP").await;
        let (status, body) = s
            .post(
                &c,
                &format!("{}/Messages.json", base(&c)),
                &[
                    ("To", HANDSET),
                    ("MessagingServiceSid", mg.as_str()),
                    ("Body", "Sale!"),
                ],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21610);
    }
);

server_test!(
    a_handsets_picture_is_fetched_once_and_served_to_the_app,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_document("/cat.png", "image/png", "PNG-BYTES");
        receiver.answer_document("/huge.jpg", "image/jpeg", &"x".repeat(6 << 20));
        let c = s.main_account(AccountType::Full).await;
        let number = number_with_webhook(&s, &c, "415", &receiver.url("/sms"), None).await;
        let picture = receiver.url("/cat.png");
        let (status, m) = s
            .post(
                &c,
                &inbound_path(&c),
                &[
                    ("From", HANDSET),
                    ("To", number.as_str()),
                    ("MediaUrl", picture.as_str()),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        assert_eq!(m["num_media"], "1");
        let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
        let hook = hooks.iter().find(|h| h.path_and_query == "/sms").unwrap();
        assert_eq!(hook.param("NumMedia").as_deref(), Some("1"));
        assert_eq!(
            hook.param("MediaContentType0").as_deref(),
            Some("image/png")
        );
        let served = hook.param("MediaUrl0").unwrap();
        assert!(
            served.starts_with(&s.url("/2010-04-01/Accounts/")),
            "{served}"
        );
        // The app fetches Switchboard's copy, as it would Twilio's.
        let copy = reqwest::get(&served).await.unwrap();
        assert_eq!(copy.status(), StatusCode::OK);
        assert_eq!(copy.headers()["content-type"], "image/png");
        assert_eq!(copy.text().await.unwrap(), "PNG-BYTES");
        let fetches = receiver
            .received()
            .iter()
            .filter(|h| h.path_and_query == "/cat.png")
            .count();
        assert_eq!(fetches, 1, "fetched once");

        // Too large: the message still arrives, and the account is told why.
        let huge = receiver.url("/huge.jpg");
        let (status, m) = s
            .post(
                &c,
                &inbound_path(&c),
                &[
                    ("From", HANDSET),
                    ("To", number.as_str()),
                    ("Body", "look"),
                    ("MediaUrl", huge.as_str()),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        assert_eq!(m["body"], "look");
        assert_eq!(notification_codes(&s, &c, 1).await[0].0, 11200);
    }
);

/// Where a content URL Switchboard handed out is served in this test.
fn served_at(s: &TestServer, public_url: &str, url: &str) -> String {
    let path = url
        .strip_prefix(public_url)
        .unwrap_or_else(|| panic!("{url} is not Switchboard's"));
    s.url(path)
}

const ELSEWHERE: &str = "http://switchboard.invalid";

server_test!(
    media_sent_to_a_number_here_arrive_as_the_receivers_own_copy,
    // Switchboard's URLs name a host that does not resolve: a copy of
    // content it already holds can only have come from its own store.
    settings = |s| s.public_url = ELSEWHERE.to_owned(),
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_document("/cat.png", "image/png", "PNG-BYTES");
        receiver.answer_document("/huge.jpg", "image/jpeg", &"x".repeat(6 << 20));
        let a = s.main_account(AccountType::Full).await;
        let b = s.main_account(AccountType::Full).await;
        let a_number = buy(&s, &a, "617").await;
        let b_number = number_with_webhook(&s, &b, "212", &receiver.url("/b-sms"), None).await;
        let send = async |c: &Creds, from: &str, to: &str, body: &str, media: &str| {
            let (status, sent) = s
                .post(
                    c,
                    &format!("{}/Messages.json", base(c)),
                    &[
                        ("To", to),
                        ("From", from),
                        ("Body", body),
                        ("MediaUrl", media),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{sent}");
            sent
        };
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let cat_fetches = || {
            receiver
                .received()
                .iter()
                .filter(|h| h.path_and_query == "/cat.png")
                .count()
        };

        // A sends B a picture by the API: B's message has its own copy, and
        // its webhook names it.
        let picture = receiver.url("/cat.png");
        let sent = send(&a, &a_number, &b_number, "look", &picture).await;
        let hooks = receiver.wait_for(2, Duration::from_secs(10)).await;
        let hook = hooks
            .iter()
            .find(|h| h.path_and_query == "/b-sms")
            .expect("B's webhook");
        assert_eq!(hook.param("NumMedia").as_deref(), Some("1"));
        assert_eq!(
            hook.param("MediaContentType0").as_deref(),
            Some("image/png")
        );
        let b_copy = hook.param("MediaUrl0").unwrap();
        let inbound = hook.param("MessageSid").unwrap();
        assert!(
            b_copy.starts_with(&format!(
                "{ELSEWHERE}/2010-04-01/Accounts/{}/Messages/{inbound}/Media/ME",
                b.sid
            )),
            "{b_copy}"
        );
        let copy = no_redirects
            .get(served_at(&s, ELSEWHERE, &b_copy))
            .send()
            .await
            .unwrap();
        assert_eq!(copy.status(), StatusCode::OK, "not a redirect to A's URL");
        assert_eq!(copy.headers()["content-type"], "image/png");
        assert_eq!(copy.text().await.unwrap(), "PNG-BYTES");
        assert_eq!(cat_fetches(), 1, "fetched once");
        // A's own item is served from the same copy now.
        let sm = sent["sid"].as_str().unwrap();
        let (_, list) = s
            .get(&a, &format!("{}/Messages/{sm}/Media.json", base(&a)))
            .await;
        let item = list["media_list"][0]["uri"].as_str().unwrap();
        let own = no_redirects
            .get(s.url(item.strip_suffix(".json").unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), StatusCode::OK);
        assert_eq!(own.headers()["content-type"], "image/png");
        assert_eq!(own.text().await.unwrap(), "PNG-BYTES");

        // B forwards it by naming its copy: A's message gets a copy of what
        // Switchboard holds (its public URL does not even resolve), and
        // nothing is fetched again.
        send(&b, &b_number, &a_number, "fwd", &b_copy).await;
        let got = messages_until(&s, &a, |l| !with_direction(l, "inbound").is_empty()).await;
        let fwd = with_direction(&got, "inbound")[0];
        assert_eq!(fwd["body"], "fwd");
        assert_eq!(fwd["num_media"], "1");
        let (_, list) = s
            .get(
                &a,
                &format!(
                    "{}/Messages/{}/Media.json",
                    base(&a),
                    fwd["sid"].as_str().unwrap()
                ),
            )
            .await;
        assert_eq!(list["media_list"][0]["content_type"], "image/png");
        let item = list["media_list"][0]["uri"].as_str().unwrap();
        let copy = no_redirects
            .get(s.url(item.strip_suffix(".json").unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(copy.status(), StatusCode::OK);
        assert_eq!(copy.text().await.unwrap(), "PNG-BYTES");
        assert_eq!(cat_fetches(), 1, "copied, not fetched");
        let (_, none) = s.get(&a, &format!("{}/Notifications.json", base(&a))).await;
        assert_eq!(none["notifications"], serde_json::json!([]), "{none}");

        // Too large: B's message still arrives, with the URL as sent, and B
        // is told why; A's message is delivered all the same.
        let huge = receiver.url("/huge.jpg");
        let sent = send(&a, &a_number, &b_number, "big", &huge).await;
        let hooks = receiver.wait_for(4, Duration::from_secs(10)).await;
        let hook = hooks
            .iter()
            .rfind(|h| h.path_and_query == "/b-sms")
            .unwrap();
        assert_eq!(hook.param("Body").as_deref(), Some("big"));
        assert_eq!(hook.param("NumMedia").as_deref(), Some("1"));
        let redirect = no_redirects
            .get(served_at(&s, ELSEWHERE, &hook.param("MediaUrl0").unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(redirect.status(), StatusCode::FOUND);
        assert_eq!(redirect.headers()["location"], huge.as_str());
        let codes = notification_codes(&s, &b, 1).await;
        assert_eq!(codes.iter().map(|c| c.0).collect::<Vec<_>>(), [11200]);
        let (_, notes) = s.get(&b, &format!("{}/Notifications.json", base(&b))).await;
        let text = notes["notifications"][0]["message_text"].as_str().unwrap();
        assert!(text.contains("larger+than"), "{text}");
        let mine = messages_until(&s, &a, |l| {
            l.iter()
                .any(|m| m["sid"] == sent["sid"] && m["status"] == "delivered")
        })
        .await;
        assert!(!mine.is_empty());
    }
);

server_test!(
    a_twiml_replys_media_to_a_number_here_arrive_as_a_copy,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_document("/dog.gif", "image/gif", "GIF89a");
        let a = s.main_account(AccountType::Full).await;
        let b = s.main_account(AccountType::Full).await;
        let a_number = number_with_webhook(&s, &a, "617", &receiver.url("/a-sms"), None).await;
        let b_number = number_with_webhook(&s, &b, "212", &receiver.url("/b-sms"), None).await;
        // B's app answers a handset by sending A's number a picture.
        receiver.answer_twiml(
        "/b-sms",
        &format!(
            "<Response><Message to=\"{a_number}\"><Body>Our dog</Body><Media>{}</Media></Message></Response>",
            receiver.url("/dog.gif")
        ),
    );
        receive(&s, &b, &b_number, "Send me the dog").await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let hook = loop {
            if let Some(h) = receiver
                .received()
                .into_iter()
                .find(|h| h.path_and_query == "/a-sms")
            {
                break h;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "A's webhook never came"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(hook.param("From").as_deref(), Some(b_number.as_str()));
        assert_eq!(hook.param("Body").as_deref(), Some("Our dog"));
        assert_eq!(
            hook.param("MediaContentType0").as_deref(),
            Some("image/gif")
        );
        let copy = hook.param("MediaUrl0").unwrap();
        assert!(
            copy.starts_with(&s.url(&format!("/2010-04-01/Accounts/{}/Messages/", a.sid))),
            "{copy}"
        );
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let got = no_redirects.get(&copy).send().await.unwrap();
        assert_eq!(got.status(), StatusCode::OK);
        assert_eq!(got.text().await.unwrap(), "GIF89a");
        let fetches = receiver
            .received()
            .iter()
            .filter(|h| h.path_and_query == "/dog.gif")
            .count();
        assert_eq!(fetches, 1);
    }
);
