//! The console's Phone page, over real HTTP with a real loopback receiver
//! answering TwiML: the page lists the account's numbers, a message sent from
//! a handset arrives (the same as through the API), and the thread shows it
//! with the webhook's request, the app's answer and the reply; another
//! account's number is not found, a form without the token changes nothing,
//! and what the handset and the app wrote comes back escaped. The handset
//! also calls a number (as `InboundCalls.json` does): the page shows the call
//! and its timeline, its keypad's keys reach the app's `<Gather>` action, and
//! it hangs up.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_domain::accounts::NewMainAccount;
use switchboard_types::AccountType;

use crate::browser::{Answer, Browser};
use crate::receiver::Receiver;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, rand_id};
use crate::voice_calls::requests_to;

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

// ---------------------------------------------------------------------------
// Calls from the handset.

/// The app's voice answer: a menu waiting (ten simulated minutes) for one key.
const MENU: &str = "<Response><Gather numDigits=\"1\" timeout=\"600\" action=\"/chosen\"><Say>Press one for sales</Say></Gather><Say>Nothing pressed</Say></Response>";
/// The menu's action: a greeting (with markup in its text), then ten
/// simulated minutes of silence to hang up in.
const CHOSEN: &str = "<Response><Say>Connecting you to &lt;b&gt;sales&lt;/b&gt;</Say><Pause length=\"600\"/></Response>";

/// Buys a number with these settings; returns (SID, number).
async fn number_with(
    s: &TestServer,
    c: &Creds,
    account: &str,
    settings: &[(&str, &str)],
) -> (String, String) {
    let mut form = vec![("AreaCode", "415")];
    form.extend_from_slice(settings);
    let (status, body) = s
        .post(
            c,
            &format!("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json"),
            &form,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["sid"].as_str().unwrap().to_owned(),
        body["phone_number"].as_str().unwrap().to_owned(),
    )
}

/// The account's calls, newest first.
async fn calls(s: &TestServer, c: &Creds) -> Vec<Value> {
    let path = format!("/2010-04-01/Accounts/{}/Calls.json?PageSize=100", c.sid);
    let (status, body) = s.get(c, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["calls"].as_array().unwrap().clone()
}

server_test!(
    a_handset_calls_a_number_presses_a_key_and_hangs_up,
    settings = crate::voice_calls::ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml("/voice", MENU);
        receiver.answer_twiml("/chosen", CHOSEN);
        let mut o = owner(&s).await;
        let account = o.creds.sid.to_string();
        let voice = receiver.url("/voice");
        let (sid, number) =
            number_with(&s, &o.creds, &account, &[("VoiceUrl", voice.as_str())]).await;
        let path = phone_path(&account, &sid);

        let page = o.browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains(&format!("POST {voice}")),
            "the voice URL"
        );
        assert!(page.body.contains("Call this number from a handset"));
        assert!(page.body.contains("No call from"), "{}", page.body);
        let csrf = page.csrf();

        let placed = o
            .browser
            .post(
                &format!("{path}/calls"),
                &[("csrf_token", csrf.as_str()), ("from", HANDSET)],
            )
            .await;
        assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
        let here = format!("{path}?handset={}", encoded(HANDSET));
        assert_eq!(placed.location(), format!("{here}#call"));

        // Placed as through the API: an inbound call from the handset, whose
        // answer the app was asked for.
        let all = calls(&s, &o.creds).await;
        assert_eq!(all.len(), 1, "{all:?}");
        let call = &all[0];
        assert_eq!(call["direction"], "inbound");
        assert_eq!(call["from"], HANDSET);
        assert_eq!(call["to"], number.as_str());
        let call_sid = call["sid"].as_str().unwrap().to_owned();
        let asked = requests_to(&receiver, "/voice", 1).await;
        assert_eq!(
            asked[0].param("CallSid").as_deref(),
            Some(call_sid.as_str())
        );
        assert_eq!(asked[0].param("From").as_deref(), Some(HANDSET));

        // The call part, as the script reads it: the call, live, its
        // timeline reaching the <Gather>, a keypad and a way to hang up.
        let fragment = format!("{path}/call?handset={}", encoded(HANDSET));
        let part = thread_until(&mut o.browser, &fragment, |b| {
            b.contains("&#60;Gather&#62;")
        })
        .await;
        let body = &part.body;
        assert!(!body.contains("<html"), "a fragment, not a page");
        assert!(body.contains(&call_sid), "{body}");
        assert!(body.contains(">in-progress</span>"), "{body}");
        assert!(body.contains("data-live=\"true\""), "{body}");
        assert!(body.contains("&#60;Say&#62;"), "{body}");
        assert!(body.contains("Press one for sales"), "{body}");
        assert!(
            body.contains(&format!("POST {voice}")),
            "where it came from: {body}"
        );
        let input = format!("{path}/calls/{call_sid}/input");
        let hangup = format!("{path}/calls/{call_sid}/hangup");
        assert!(body.contains(&format!("action=\"{input}\"")), "{body}");
        assert!(body.contains(&format!("action=\"{hangup}\"")), "{body}");
        assert!(body.contains("name=\"key\" value=\"#\""), "{body}");
        // Without the script, the page shows the same call.
        let page = o.browser.get(&here).await;
        assert!(page.body.contains(&call_sid) && page.body.contains("&#60;Gather&#62;"));
        assert!(
            page.body
                .contains(&format!("data-poll=\"{}\"", fragment.replace('&', "&#38;")))
                || page.body.contains(&format!("data-poll=\"{fragment}\"")),
            "{}",
            page.body
        );

        // Keys that are not keys are refused next to the field, kept as typed.
        let wrong = o
            .browser
            .post(
                &input,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("digits", "9x"),
                    ("speech", ""),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.body);
        assert!(wrong.body.contains("id=\"keys-error\""), "{}", wrong.body);
        assert!(
            wrong.body.contains("Keys must be one of 0-9, *, #"),
            "{}",
            wrong.body
        );
        assert!(wrong.body.contains("value=\"9x\""), "{}", wrong.body);

        // The caller presses 1 on the keypad: the app's action gets it.
        let pressed = o
            .browser
            .post(
                &input,
                &[("csrf_token", csrf.as_str()), ("digits", ""), ("key", "1")],
            )
            .await;
        assert_eq!(pressed.status, StatusCode::SEE_OTHER, "{}", pressed.body);
        assert_eq!(pressed.location(), format!("{here}#call"));
        let chosen = requests_to(&receiver, "/chosen", 1).await;
        assert_eq!(chosen[0].param("Digits").as_deref(), Some("1"));
        assert_eq!(
            chosen[0].param("CallSid").as_deref(),
            Some(call_sid.as_str())
        );
        let part = thread_until(&mut o.browser, &fragment, |b| b.contains("&#60;Pause&#62;")).await;
        // The action's document, its text escaped.
        assert!(
            part.body.contains("Connecting you to &#60;b&#62;sales"),
            "{}",
            part.body
        );
        assert!(!part.body.contains("<b>sales"), "{}", part.body);
        assert!(part.body.contains("Document 2"), "{}", part.body);

        // Hanging up ends the call, as Status=completed does.
        let hung = o
            .browser
            .post(&hangup, &[("csrf_token", csrf.as_str())])
            .await;
        assert_eq!(hung.status, StatusCode::SEE_OTHER, "{}", hung.body);
        assert_eq!(hung.location(), format!("{here}#call"));
        let done = crate::voice_calls::ended_sid(&s, &o.creds, &call_sid).await;
        assert_eq!(done["status"], "completed", "{done}");
        let part = o.browser.get(&fragment).await;
        assert!(part.body.contains(">completed</span>"), "{}", part.body);
        assert!(part.body.contains("data-live=\"false\""), "{}", part.body);
        assert!(
            !part.body.contains("id=\"keys\""),
            "no keypad for an ended call"
        );
        assert!(!part.body.contains("id=\"hangup\""));
        assert!(part.body.contains("&#60;Pause&#62;"), "the timeline stays");

        // Too late: said next to the field, with what was typed kept.
        let late = o
            .browser
            .post(
                &input,
                &[
                    ("csrf_token", csrf.as_str()),
                    ("digits", "2"),
                    ("speech", "<i>hello</i>"),
                ],
            )
            .await;
        assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.body);
        assert!(late.body.contains("id=\"keys-error\""), "{}", late.body);
        assert!(late.body.contains("The call has ended"), "{}", late.body);
        assert!(late.body.contains("value=\"2\""), "{}", late.body);
        assert!(
            late.body.contains("value=\"&#60;i&#62;hello&#60;/i&#62;\""),
            "{}",
            late.body
        );
        assert!(!late.body.contains("<i>hello"));
        let again = o
            .browser
            .post(&hangup, &[("csrf_token", csrf.as_str())])
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
        assert!(again.body.contains("id=\"hangup-error\""), "{}", again.body);
        assert!(
            again.body.contains("The call has already ended."),
            "{}",
            again.body
        );
    }
);

server_test!(placing_a_call_says_what_is_wrong_next_to_each_field, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/voice", MENU);
    receiver.answer_twiml("/chosen", "<Response><Say>Sales</Say></Response>");
    let mut o = owner(&s).await;
    let account = o.creds.sid.to_string();
    let voice = receiver.url("/voice");
    let (sid, _) = number_with(&s, &o.creds, &account, &[("VoiceUrl", voice.as_str())]).await;
    let path = phone_path(&account, &sid);
    let csrf = o.browser.get(&path).await.csrf();

    let refused = o
        .browser
        .post(
            &format!("{path}/calls"),
            &[
                ("csrf_token", csrf.as_str()),
                ("from", "not a number"),
                ("digits", "12"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("id=\"call-from-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("is not a valid phone number"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"not a number\""));
    assert!(
        refused.body.contains("value=\"12\""),
        "the keys typed are kept"
    );
    let refused = o
        .browser
        .post(
            &format!("{path}/calls"),
            &[
                ("csrf_token", csrf.as_str()),
                ("from", HANDSET),
                ("digits", "1<a>"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("id=\"call-digits-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Keys must be one of 0-9, *, #"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"1&#60;a&#62;\""),
        "{}",
        refused.body
    );
    let empty = o
        .browser
        .post(
            &format!("{path}/calls"),
            &[("csrf_token", csrf.as_str()), ("from", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.body);
    assert!(
        empty.body.contains("A handset phone number is required."),
        "{}",
        empty.body
    );

    // A number nothing answers is refused, saying what to set.
    let (silent, silent_number) = number(&s, &o.creds, &account, &receiver.url("/sms")).await;
    let silent_path = phone_path(&account, &silent);
    let page = o.browser.get(&silent_path).await;
    assert!(
        page.body.contains("none: nothing answers a call"),
        "{}",
        page.body
    );
    let refused = o
        .browser
        .post(
            &format!("{silent_path}/calls"),
            &[("csrf_token", csrf.as_str()), ("from", HANDSET)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("id=\"call-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(&format!(
            "Nothing would answer this call: {silent_number} has no voice URL"
        )),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(&format!("value=\"{HANDSET}\"")));
    assert!(calls(&s, &o.creds).await.is_empty(), "a call was placed");
    assert!(receiver.received().is_empty());

    // Keys queued with the call reach the first <Gather> (on the instant
    // clock they are the only way to).
    let placed = o
        .browser
        .post(
            &format!("{path}/calls"),
            &[
                ("csrf_token", csrf.as_str()),
                ("from", "+1 415 555 0123"),
                ("digits", "1"),
            ],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    assert_eq!(
        placed.location(),
        format!("{path}?handset={}#call", encoded(HANDSET))
    );
    let chosen = requests_to(&receiver, "/chosen", 1).await;
    assert_eq!(chosen[0].param("Digits").as_deref(), Some("1"));
    let fragment = format!("{path}/call?handset={}", encoded(HANDSET));
    let part = thread_until(&mut o.browser, &fragment, |b| {
        b.contains(">completed</span>")
    })
    .await;
    assert!(part.body.contains("Document 2"), "{}", part.body);
});

server_test!(
    another_accounts_calls_are_not_found_and_the_call_forms_need_their_token,
    settings = crate::voice_calls::ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml("/voice", MENU);
        let mut o = owner(&s).await;
        let account = o.creds.sid.to_string();
        let voice = receiver.url("/voice");
        let (sid, number) =
            number_with(&s, &o.creds, &account, &[("VoiceUrl", voice.as_str())]).await;
        let path = phone_path(&account, &sid);
        let (status, call) = s
            .post(
                &o.creds,
                &format!("/switchboard/v1/Accounts/{account}/InboundCalls.json"),
                &[("From", HANDSET), ("To", number.as_str())],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{call}");
        let call_sid = call["sid"].as_str().unwrap().to_owned();
        requests_to(&receiver, "/voice", 1).await;

        let mut other = owner(&s).await;
        let theirs = other.creds.sid.to_string();
        let (their_sid, _) =
            number_with(&s, &other.creds, &theirs, &[("VoiceUrl", voice.as_str())]).await;
        let their_path = phone_path(&theirs, &their_sid);
        let csrf = other.browser.get("/console/phone").await.csrf();
        let fragment = format!("{path}/call?handset={}", encoded(HANDSET));
        let answer = other.browser.get(&fragment).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert!(!answer.body.contains(&call_sid));
        for p in [
            format!("{path}/calls"),
            format!("{path}/calls/{call_sid}/input"),
            format!("{path}/calls/{call_sid}/hangup"),
            // Their own number, with someone else's call.
            format!("{their_path}/calls/{call_sid}/input"),
            format!("{their_path}/calls/{call_sid}/hangup"),
            format!("{their_path}/calls/junk/hangup"),
        ] {
            let answer = other
                .browser
                .post(
                    &p,
                    &[("csrf_token", &csrf), ("from", HANDSET), ("key", "1")],
                )
                .await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{p}: {}", answer.body);
            assert!(!answer.body.contains(&call_sid), "{p}");
        }
        // The owner's own call, under another of their numbers, is not found.
        let (second, _) =
            number_with(&s, &o.creds, &account, &[("VoiceUrl", voice.as_str())]).await;
        let own_csrf = o.browser.get(&path).await.csrf();
        let answer = o
            .browser
            .post(
                &format!("{}/calls/{call_sid}/hangup", phone_path(&account, &second)),
                &[("csrf_token", own_csrf.as_str())],
            )
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);

        // The owner's forms, without their token or with another session's.
        for p in [
            format!("{path}/calls"),
            format!("{path}/calls/{call_sid}/input"),
            format!("{path}/calls/{call_sid}/hangup"),
        ] {
            for token in [None, Some(""), Some(csrf.as_str())] {
                let mut form = vec![("from", HANDSET), ("key", "1")];
                form.extend(token.map(|t| ("csrf_token", t)));
                let answer = o.browser.post(&p, &form).await;
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{p} {token:?}");
                assert!(answer.body.contains("Nothing was changed"));
            }
        }
        assert_eq!(calls(&s, &o.creds).await.len(), 1, "a call was placed");
        assert!(calls(&s, &other.creds).await.is_empty());
        assert!(
            receiver
                .received()
                .iter()
                .all(|r| !r.path_and_query.starts_with("/chosen")),
            "a key reached the app"
        );
        let (status, call) = s
            .get(
                &o.creds,
                &format!("/2010-04-01/Accounts/{account}/Calls/{call_sid}.json"),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // Still live (waiting at the menu): not hung up.
        assert!(call["end_time"].is_null(), "{call}");
    }
);
