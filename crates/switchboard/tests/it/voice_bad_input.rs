//! What an application can get wrong in a call's TwiML, over real HTTP: each
//! is a notification on the call and a call that ends, never a panic or a
//! call left waiting. (Also in voice_calls.rs: a body that is not TwiML,
//! `<Record>`/`<Enqueue>` skipped, a `<Redirect>` loop stopped at 11215, a
//! `<Gather>` with no input, with and without `actionOnEmptyResult`.)

use std::time::Duration;

use reqwest::StatusCode;
use switchboard_types::AccountType;

use crate::receiver::Receiver;
use crate::server_test;
use crate::support::base;
use crate::telephony::buy;
use crate::voice_calls::{codes, duration, ended, notifications_of, place, requests_to};

server_test!(malformed_documents_end_the_call_with_their_error, |s| {
    let receiver = Receiver::start().await;
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    for (path, body, code) in [
        ("/garbage", "this is < not XML", "12100"),
        (
            "/mismatched",
            "<Response><Say>Hi</Gather></Response>",
            "12100",
        ),
        (
            "/doctype",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Response><Say>&x;</Say></Response>",
            "12100",
        ),
        ("/root", "<Say>No Response around me</Say>", "12102"),
    ] {
        receiver.answer_twiml(path, body);
        let url = receiver.url(path);
        let call = place(&s, &c, &from, &[("Url", url.as_str())]).await;
        let done = ended(&s, &c, &call).await;
        // Answered, then hung up at once: nothing of the document ran.
        assert_eq!(done["status"], "completed", "{path}: {done}");
        assert_eq!(duration(&done), 1, "{path}: {done}");
        let found = notifications_of(&s, &c, &call).await;
        assert_eq!(codes(&found), [code], "{path}: {found:?}");
        assert_eq!(found[0].1, "0", "{path}: an error, not a warning");
    }
});

server_test!(an_unknown_verb_is_a_warning_and_skipped, |s| {
    let receiver = Receiver::start().await;
    // 15 characters a second: "After the dance" is 1 s, "Goodbye" 1 s.
    receiver.answer_twiml(
        "/dance",
        "<Response><Dance steps=\"3\"/><Say>After the dance</Say><Moonwalk>far</Moonwalk><Say>Goodbye</Say></Response>",
    );
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "212").await;
    let url = receiver.url("/dance");
    let call = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(duration(&done), 2, "the verbs around them ran: {done}");
    let found = notifications_of(&s, &c, &call).await;
    assert_eq!(codes(&found), ["12200", "12200"], "{found:?}");
    assert!(found.iter().all(|(_, log, _)| log == "1"), "{found:?}");
    // Written in one transaction at one instant: in either order.
    for verb in ["Dance", "Moonwalk"] {
        assert!(
            found.iter().any(|(_, _, m)| m.contains(verb)),
            "{verb}: {found:?}"
        );
    }
});

server_test!(a_ten_megabyte_document_is_refused_and_the_call_ends, |s| {
    let receiver = Receiver::start().await;
    let huge = format!(
        "<Response><Say>{}</Say></Response>",
        "word ".repeat(2 << 20)
    );
    assert!(huge.len() > 10 << 20);
    receiver.answer_twiml("/huge", &huge);
    receiver.answer_twiml("/fallback", "<Response><Pause length=\"4\"/></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "303").await;

    let url = receiver.url("/huge");
    let call = place(&s, &c, &from, &[("Url", url.as_str())]).await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(duration(&done), 1, "{done}");
    let found = notifications_of(&s, &c, &call).await;
    assert_eq!(codes(&found), ["11750"], "{found:?}");

    // The call's events keep at most 64 kB of what was answered.
    let (status, events) = s
        .get(
            &c,
            &format!(
                "{}/Calls/{}/Events.json",
                base(&c),
                call["sid"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let kept = events["events"][0]["response"]["response_body"]
        .as_str()
        .unwrap_or_default()
        .len();
    assert!(kept <= 64 * 1024, "{kept} bytes of the answer kept");

    // With a fallback, the fallback's document runs instead.
    let fallback = receiver.url("/fallback");
    let call = place(
        &s,
        &c,
        &from,
        &[("Url", url.as_str()), ("FallbackUrl", fallback.as_str())],
    )
    .await;
    let done = ended(&s, &c, &call).await;
    assert_eq!(duration(&done), 4, "{done}");
    assert_eq!(codes(&notifications_of(&s, &c, &call).await), ["11750"]);
});

server_test!(a_hanging_webhook_times_out_and_the_call_still_ends, |s| {
    // The tests' callbacks give up after 2 s (tests/it/support.rs).
    let hanging = Receiver::start().await;
    hanging.delay_answers(Duration::from_secs(60));
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/sorry", "<Response><Say>Sorry</Say></Response>");
    let later = hanging.url("/later");
    receiver.answer_twiml(
        "/redirect",
        &format!("<Response><Say>One</Say><Redirect>{later}</Redirect><Say>never</Say></Response>"),
    );
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "512").await;
    let answer = hanging.url("/answer");
    let sorry = receiver.url("/sorry");
    let redirect = receiver.url("/redirect");

    // Placed together: each waits out its own timeout.
    let with_fallback = place(
        &s,
        &c,
        &from,
        &[("Url", answer.as_str()), ("FallbackUrl", sorry.as_str())],
    )
    .await;
    let alone = place(&s, &c, &from, &[("Url", answer.as_str())]).await;
    let midway = place(&s, &c, &from, &[("Url", redirect.as_str())]).await;

    // The first request timed out: its fallback answered ("Sorry", 1 s).
    let done = ended(&s, &c, &with_fallback).await;
    assert_eq!(
        (done["status"].as_str(), duration(&done)),
        (Some("completed"), 1),
        "{done}"
    );
    let asked = requests_to(&receiver, "/sorry", 1).await;
    assert_eq!(
        asked[0].param("CallSid").as_deref(),
        with_fallback["sid"].as_str()
    );
    let found = notifications_of(&s, &c, &with_fallback).await;
    assert_eq!(codes(&found), ["11200"], "{found:?}");
    // `message_text` is form-encoded, as Twilio's is.
    assert!(found[0].2.contains("timed+out"), "{found:?}");

    // No fallback: the call hangs up, answered for a second.
    let done = ended(&s, &c, &alone).await;
    assert_eq!(
        (done["status"].as_str(), duration(&done)),
        (Some("completed"), 1),
        "{done}"
    );
    assert_eq!(codes(&notifications_of(&s, &c, &alone).await), ["11200"]);

    // A later request has no fallback: the call hangs up with what it
    // executed ("One", 1 s) and the rest of the document never runs.
    let done = ended(&s, &c, &midway).await;
    assert_eq!(
        (done["status"].as_str(), duration(&done)),
        (Some("completed"), 1),
        "{done}"
    );
    assert_eq!(codes(&notifications_of(&s, &c, &midway).await), ["11200"]);
    let (status, events) = s
        .get(
            &c,
            &format!(
                "{}/Calls/{}/Events.json",
                base(&c),
                midway["sid"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let events = events["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    // The redirected request timed out: no answer recorded.
    let later = events
        .iter()
        .find(|e| {
            e["request"]["url"]
                .as_str()
                .unwrap_or("")
                .ends_with("/later")
        })
        .unwrap_or_else(|| panic!("no request to /later: {events:?}"));
    assert!(later["response"]["response_code"].is_null(), "{events:?}");
    assert_eq!(hanging.received().len(), 3);
});
