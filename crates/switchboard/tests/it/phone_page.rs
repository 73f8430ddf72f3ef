//! The console's Phone page, over real HTTP with a real loopback receiver
//! answering TwiML: the page lists the account's numbers, a message sent from
//! a handset arrives (the same as through the API), and the thread shows it
//! with the webhook's request, the app's answer and the reply; another
//! account's number is not found, a form without the token changes nothing,
//! and what the handset and the app wrote comes back escaped.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_domain::accounts::NewMainAccount;
use switchboard_types::AccountType;

use crate::browser::{Answer, Browser};
use crate::receiver::Receiver;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, rand_id};

const HANDSET: &str = "+14155550123";
const PASSWORD: &str = "phone page password";
/// The receiver's answer: one reply.
const REPLY: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>Thanks, see you at 3</Message></Response>";

/// A Full main account with its API credentials and a signed-in console.
struct Owner<'s> {
    creds: Creds,
    browser: Browser<'s>,
}

async fn owner(s: &TestServer) -> Owner<'_> {
    let email = format!("phone{}@example.com", rand_id());
    let created =
        s.sb.new_main_account(NewMainAccount {
            email: email.clone(),
            password: PASSWORD.into(),
            friendly_name: "Phone Co".into(),
            account_type: AccountType::Full,
        })
        .await
        .unwrap();
    let mut browser = Browser::new(s);
    let answer = browser.sign_in(&email, PASSWORD, "/console").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    Owner {
        creds: Creds {
            sid: created.account.sid,
            token: created.auth_token,
        },
        browser,
    }
}

/// Buys a number whose messaging webhook is `sms_url`; returns (SID, number).
async fn number(s: &TestServer, c: &Creds, account: &str, sms_url: &str) -> (String, String) {
    let (status, body) = s
        .post(
            c,
            &format!("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json"),
            &[("AreaCode", "415"), ("SmsUrl", sms_url)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["sid"].as_str().unwrap().to_owned(),
        body["phone_number"].as_str().unwrap().to_owned(),
    )
}

fn phone_path(account: &str, sid: &str) -> String {
    format!("/console/phone/{account}/{sid}")
}

fn encoded(number: &str) -> String {
    number.replace('+', "%2B")
}

async fn messages(s: &TestServer, c: &Creds) -> Vec<Value> {
    let path = format!("/2010-04-01/Accounts/{}/Messages.json?PageSize=100", c.sid);
    let (status, body) = s.get(c, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["messages"].as_array().unwrap().clone()
}

/// Reads the thread (as the page's script does) until `done` holds.
async fn thread_until(
    browser: &mut Browser<'_>,
    path: &str,
    done: impl Fn(&str) -> bool,
) -> Answer {
    for _ in 0..400 {
        let answer = browser.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        if done(&answer.body) {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{path} never showed what was awaited");
}

server_test!(
    a_handset_texts_a_number_and_the_thread_shows_the_webhook_and_the_reply,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml("/sms", REPLY);
        let mut o = owner(&s).await;
        let account = o.creds.sid.to_string();
        let (sid, number) = number(&s, &o.creds, &account, &receiver.url("/sms")).await;

        let list = o.browser.get("/console/phone").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(list.body.contains(&number), "{}", list.body);
        let path = phone_path(&account, &sid);
        assert!(
            list.body.contains(&format!("href=\"{path}\"")),
            "{}",
            list.body
        );
        assert!(
            list.body
                .contains("href=\"/console/phone\" aria-current=\"page\"")
        );

        let page = o.browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains(&receiver.url("/sms")),
            "the webhook is shown"
        );
        assert!(page.body.contains("No messages between"));
        assert!(
            page.body
                .contains("<script src=\"/assets/phone.js\"></script>")
        );

        let sent = o
            .browser
            .post(
                &path,
                &[
                    ("csrf_token", page.csrf().as_str()),
                    ("from", HANDSET),
                    ("body", "Is 3pm free?"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let here = format!("{path}?handset={}", encoded(HANDSET));
        assert_eq!(sent.location(), here);

        // The message arrived as through the API: stored, and posted to the app.
        let all = messages(&s, &o.creds).await;
        let inbound: Vec<&Value> = all.iter().filter(|m| m["direction"] == "inbound").collect();
        assert_eq!(inbound.len(), 1, "{all:?}");
        assert_eq!(inbound[0]["direction"], "inbound");
        assert_eq!(inbound[0]["from"], HANDSET);
        assert_eq!(inbound[0]["to"], number.as_str());
        assert_eq!(inbound[0]["body"], "Is 3pm free?");
        let message_sid = inbound[0]["sid"].as_str().unwrap().to_owned();
        let hooks = receiver.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(hooks[0].param("Body").as_deref(), Some("Is 3pm free?"));
        assert_eq!(
            hooks[0].param("MessageSid").as_deref(),
            Some(message_sid.as_str())
        );

        // The thread, as the script reads it: the message, the webhook's
        // attempt with the app's answer (escaped), and the reply. (The
        // answer's text shows in the attempt too, so wait for the reply's
        // SID: the page reads messages before their deliveries.)
        let reply = loop {
            let all = messages(&s, &o.creds).await;
            if let Some(reply) = all.into_iter().find(|m| m["direction"] == "outbound-reply") {
                break reply;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        let reply_sid = reply["sid"].as_str().unwrap().to_owned();
        let fragment = format!("{path}/thread?handset={}", encoded(HANDSET));
        let thread = thread_until(&mut o.browser, &fragment, |body| {
            body.contains(&reply_sid) && body.contains(" ms</span>")
        })
        .await;
        let body = &thread.body;
        assert!(!body.contains("<html"), "a fragment, not a page");
        assert!(body.contains("Is 3pm free?"));
        assert!(body.contains(&message_sid));
        assert!(
            body.contains(&format!("POST {}", receiver.url("/sms"))),
            "{body}"
        );
        assert!(body.contains(">200</span>"), "{body}");
        assert!(body.contains("text/xml"), "{body}");
        assert!(
            body.contains("&#60;Message&#62;Thanks, see you at 3&#60;/Message&#62;"),
            "the app's answer, escaped: {body}"
        );
        // The handset's message comes first, the reply after it.
        let asked = body.find("Is 3pm free?").unwrap();
        let answered = body.rfind("Thanks, see you at 3").unwrap();
        assert!(asked < answered);
        assert_eq!(reply["to"], HANDSET);
        assert_eq!(reply["from"], number.as_str());
        assert!(body.contains(reply["sid"].as_str().unwrap()));

        // Without the script, the page itself shows the same thread.
        let page = o.browser.get(&here).await;
        assert_eq!(page.status, StatusCode::OK);
        for part in [
            "Is 3pm free?",
            "Thanks, see you at 3",
            &message_sid,
            ">200</span>",
        ] {
            assert!(page.body.contains(part), "{part}: {}", page.body);
        }
        assert!(
            page.body
                .contains(&format!("data-poll=\"{}\"", fragment.replace('&', "&#38;")))
                || page.body.contains(&format!("data-poll=\"{fragment}\"")),
            "{}",
            page.body
        );
        // The handset that texted is offered again, and is the default.
        assert!(page.body.contains(&format!("value=\"{HANDSET}\"")));
        let default = o.browser.get(&path).await;
        assert!(default.body.contains("Thanks, see you at 3"));
    }
);

server_test!(a_subaccounts_number_has_its_phone_too, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/sub", REPLY);
    let mut o = owner(&s).await;
    let (status, sub) = s
        .post(
            &o.creds,
            "/2010-04-01/Accounts.json",
            &[("FriendlyName", "Shop")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    let sub = sub["sid"].as_str().unwrap().to_owned();
    let (sid, number) = number(&s, &o.creds, &sub, &receiver.url("/sub")).await;

    let main = o.browser.get("/console/phone").await;
    assert!(
        !main.body.contains(&number),
        "the main account's list has the subaccount's number"
    );
    let list = o
        .browser
        .get(&format!("/console/phone?account={sub}"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&number));
    let path = phone_path(&sub, &sid);
    let page = o.browser.get(&path).await;
    let sent = o
        .browser
        .post(
            &path,
            &[
                ("csrf_token", page.csrf().as_str()),
                ("from", HANDSET),
                ("body", "Hello shop"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let fragment = format!("{path}/thread?handset={}", encoded(HANDSET));
    thread_until(&mut o.browser, &fragment, |b| {
        b.contains("Hello shop") && b.contains("Thanks, see you at 3")
    })
    .await;
    // The number is the subaccount's, not the main account's.
    let wrong = o.browser.get(&phone_path(o.creds.sid.as_str(), &sid)).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
});

server_test!(
    another_accounts_number_is_not_found_and_the_form_needs_its_token,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml("/sms", REPLY);
        let mut o = owner(&s).await;
        let account = o.creds.sid.to_string();
        let (sid, number) = number(&s, &o.creds, &account, &receiver.url("/sms")).await;
        let path = phone_path(&account, &sid);

        let mut other = owner(&s).await;
        let theirs = other.creds.sid.to_string();
        let csrf = other.browser.get("/console/phone").await.csrf();
        for p in [
            path.clone(),
            format!("{path}/thread?handset={}", encoded(HANDSET)),
            format!("/console/phone?account={account}"),
            phone_path(&theirs, &sid),
            phone_path(&account, "PN00000000000000000000000000000000"),
            phone_path("junk", "junk"),
        ] {
            let answer = other.browser.get(&p).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{p}");
            assert!(!answer.body.contains(&number), "{p}");
        }
        for p in [path.clone(), phone_path(&theirs, &sid)] {
            let answer = other
                .browser
                .post(
                    &p,
                    &[("csrf_token", &csrf), ("from", HANDSET), ("body", "Hi")],
                )
                .await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{p}");
        }

        // The owner's own form, without its token or with another session's.
        for token in [None, Some(""), Some(csrf.as_str())] {
            let mut form = vec![("from", HANDSET), ("body", "Hi")];
            form.extend(token.map(|t| ("csrf_token", t)));
            let answer = o.browser.post(&path, &form).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{token:?}");
            assert!(answer.body.contains("Nothing was changed"));
        }
        assert!(messages(&s, &o.creds).await.is_empty(), "a message arrived");
        assert!(messages(&s, &other.creds).await.is_empty());
        assert!(receiver.received().is_empty(), "a webhook was sent");
    }
);

server_test!(what_the_handset_and_the_app_wrote_comes_back_escaped, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/sms",
        "<Response><Message>&lt;script&gt;alert(2)&lt;/script&gt;</Message></Response>",
    );
    let mut o = owner(&s).await;
    let account = o.creds.sid.to_string();
    let (sid, _) = number(&s, &o.creds, &account, &receiver.url("/sms")).await;
    let path = phone_path(&account, &sid);
    let evil = "<script>alert(1)</script>";
    let csrf = o.browser.get(&path).await.csrf();

    // A mistake is shown next to its field, with what was typed kept.
    let refused = o
        .browser
        .post(
            &path,
            &[
                ("csrf_token", csrf.as_str()),
                ("from", "not a number"),
                ("body", evil),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("id=\"from-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"not a number\""));
    assert!(
        refused
            .body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;</textarea>")
    );
    assert!(!refused.body.contains("<script>alert(1)"));
    let empty = o
        .browser
        .post(
            &path,
            &[
                ("csrf_token", csrf.as_str()),
                ("from", HANDSET),
                ("body", ""),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("id=\"body-error\""), "{}", empty.body);
    assert!(messages(&s, &o.creds).await.is_empty());

    let sent = o
        .browser
        .post(
            &path,
            &[
                ("csrf_token", csrf.as_str()),
                ("from", HANDSET),
                ("body", evil),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let fragment = format!("{path}/thread?handset={}", encoded(HANDSET));
    let thread = thread_until(&mut o.browser, &fragment, |b| {
        b.contains("&#60;script&#62;alert(2)&#60;/script&#62;") && b.contains(" ms</span>")
    })
    .await;
    for body in [thread.body, o.browser.get(sent.location()).await.body] {
        assert!(!body.contains("<script>alert"), "{body}");
        assert!(
            body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{body}"
        );
        // The app's answer as it came, escaped once more for the page.
        assert!(body.contains("&#38;lt;script&#38;gt;alert(2)"), "{body}");
    }
});

server_test!(
    a_failing_webhook_shows_its_attempt_and_notification_in_the_thread,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_with(&[500]);
        let mut o = owner(&s).await;
        let account = o.creds.sid.to_string();
        let (sid, _) = number(&s, &o.creds, &account, &receiver.url("/down")).await;
        let path = phone_path(&account, &sid);
        let csrf = o.browser.get(&path).await.csrf();
        // The handset written loosely is the same handset.
        let sent = o
            .browser
            .post(
                &path,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("from", "+1 415 555 0123"),
                    ("body", "Anyone there?"),
                ],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        assert_eq!(
            sent.location(),
            format!("{path}?handset={}", encoded(HANDSET))
        );
        let loose = format!("{path}/thread?handset=%2B1%20415%20555%200123");
        let thread = thread_until(&mut o.browser, &loose, |b| b.contains("11200")).await;
        let body = &thread.body;
        assert!(body.contains("Anyone there?"));
        assert!(body.contains(">500</span>"), "{body}");
        assert!(body.contains("href=\"/console/debugger/NO"), "{body}");
        assert!(body.contains("https://www.twilio.com/docs/errors/11200"));
    }
);
