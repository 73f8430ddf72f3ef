//! Transcriptions of `<Record transcribe="true">` (issue 27): the text the
//! simulated caller said, the `transcribeCallback` through the delivery
//! pipeline, the resources (top-level and under the recording), the charge,
//! a recording too long to transcribe, and deleting.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_types::AccountType;

use crate::openapi::{self, assert_answer};
use crate::receiver::Receiver;
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};
use crate::telephony::buy;
use crate::voice_calls::{ended, input_path, place, requests_to};
use crate::voice_record::recordings_of;

/// 30 characters: two seconds of talk.
const MESSAGE: &str = "Call me back at five, please.!";

async fn say(s: &TestServer, c: &Creds, call: &Value, form: &[(&str, &str)]) {
    let (status, body) = s.post(c, &input_path(c, call), form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn get_ok(s: &TestServer, c: &Creds, path: &str) -> Value {
    let (status, body) = s.get(c, path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

server_test!(a_transcribed_record_makes_a_transcription, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml(
        "/leave",
        "<Response><Record transcribe=\"true\" transcribeCallback=\"/text\" \
         action=\"/saved\"/></Response>",
    );
    receiver.answer_twiml("/saved", "<Response><Hangup/></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let leave = receiver.url("/leave");
    receiver.delay_answers(Duration::from_millis(300));
    let call = place(&s, &c, &from, &[("Url", leave.as_str())]).await;
    say(&s, &c, &call, &[("SpeechResult", MESSAGE), ("Digits", "#")]).await;
    ended(&s, &c, &call).await;
    let recording = recordings_of(&s, &c, &call).await.remove(0);
    let rec_sid = recording["sid"].as_str().unwrap().to_owned();

    // The callback: Twilio's parameters, signed, through the pipeline.
    let hooks = requests_to(&receiver, "/text", 1).await;
    let h = &hooks[0];
    assert_eq!(h.method, "POST");
    assert_signed(h, &receiver, &c.token);
    let tr = h.param("TranscriptionSid").unwrap();
    assert!(tr.starts_with("TR") && tr.len() == 34, "{h:?}");
    for (name, want) in [
        ("AccountSid", c.sid.as_str()),
        ("CallSid", call["sid"].as_str().unwrap()),
        ("RecordingSid", rec_sid.as_str()),
        ("TranscriptionText", MESSAGE),
        ("TranscriptionStatus", "completed"),
    ] {
        assert_eq!(h.param(name).as_deref(), Some(want), "{name} in {h:?}");
    }
    assert!(
        h.param("TranscriptionUrl").unwrap().ends_with(&format!(
            "/2010-04-01/Accounts/{}/Transcriptions/{tr}",
            c.sid
        )),
        "{h:?}"
    );
    assert!(
        h.param("RecordingUrl").unwrap().ends_with(&rec_sid),
        "{h:?}"
    );
    let kinds = s.delivery_kinds(&c).await;
    assert!(kinds.iter().any(|k| k == "transcription"), "{kinds:?}");

    // The resource, top-level and under its recording.
    let item = format!("{}/Transcriptions/{tr}.json", base(&c));
    let one = get_ok(&s, &c, &item).await;
    assert_answer(
        openapi::api_2010(),
        "/2010-04-01/Accounts/{AccountSid}/Transcriptions/{Sid}.json",
        "get",
        200,
        &one,
    );
    assert_eq!(one["transcription_text"], MESSAGE);
    assert_eq!(one["status"], "completed");
    assert_eq!(one["recording_sid"], rec_sid.as_str());
    assert_eq!(one["duration"], "2");
    assert_eq!(one["price"], "-0.05000");
    assert_eq!(one["price_unit"], "USD");
    assert_eq!(one["type"], "fulltext");
    assert_eq!(one["uri"], item.as_str());
    let all = get_ok(&s, &c, &format!("{}/Transcriptions.json", base(&c))).await;
    assert_answer(
        openapi::api_2010(),
        "/2010-04-01/Accounts/{AccountSid}/Transcriptions.json",
        "get",
        200,
        &all,
    );
    assert_eq!(all["transcriptions"][0], one);
    let of_recording = format!("{}/Recordings/{rec_sid}/Transcriptions", base(&c));
    let listed = get_ok(&s, &c, &format!("{of_recording}.json")).await;
    assert_answer(
        openapi::api_2010(),
        "/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}/Transcriptions.json",
        "get",
        200,
        &listed,
    );
    assert_eq!(listed["transcriptions"][0], one);
    let under = get_ok(&s, &c, &format!("{of_recording}/{tr}.json")).await;
    assert_answer(
        openapi::api_2010(),
        "/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}/Transcriptions/{Sid}.json",
        "get",
        200,
        &under,
    );
    assert_eq!(under, one);
    // Another recording's path, or another account, finds nothing.
    let elsewhere = format!(
        "{}/Recordings/RE0123456789abcdef0123456789abcdef/Transcriptions/{tr}.json",
        base(&c)
    );
    let (status, body) = s.get(&c, &elsewhere).await;
    assert_twilio_error(status, &body, 404, 20404);
    let stranger = s.main_account(AccountType::Full).await;
    let (status, body) = s
        .get(
            &stranger,
            &item.replace(c.sid.as_str(), stranger.sid.as_str()),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);

    // Charged: a minute of transcriptions at $0.05.
    let usage = get_ok(
        &s,
        &c,
        &format!(
            "{}/Usage/Records/Today.json?Category=transcriptions",
            base(&c)
        ),
    )
    .await;
    let record = &usage["usage_records"][0];
    assert_eq!(record["count"], "1", "{usage}");
    assert_eq!(record["usage"], "1", "{usage}");
    assert_eq!(record["price"], "0.05", "{usage}");

    // Deleting the recording deletes its transcriptions.
    let (status, body) = s
        .call(
            Some(&c),
            Method::DELETE,
            &format!("{}/Recordings/{rec_sid}.json", base(&c)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s.get(&c, &item).await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(silence_and_long_recordings_and_deleting, |s| {
    let receiver = Receiver::start().await;
    // Nothing said, kept whole: the placeholder text. No callback asked.
    receiver.answer_twiml(
        "/quiet",
        "<Response><Record transcribe=\"true\" trim=\"do-not-trim\" timeout=\"3\" \
         action=\"/done\"/></Response>",
    );
    // Two and a half minutes: too long to transcribe.
    receiver.answer_twiml(
        "/long",
        "<Response><Record transcribeCallback=\"/long-text\" trim=\"do-not-trim\" \
         timeout=\"150\" maxLength=\"200\" action=\"/done\"/></Response>",
    );
    receiver.answer_twiml("/done", "<Response><Hangup/></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let quiet = receiver.url("/quiet");
    let call = place(&s, &c, &from, &[("Url", quiet.as_str())]).await;
    ended(&s, &c, &call).await;
    let long = receiver.url("/long");
    receiver.delay_answers(Duration::from_millis(300));
    let long_call = place(&s, &c, &from, &[("Url", long.as_str())]).await;
    say(&s, &c, &long_call, &[("SpeechResult", MESSAGE)]).await;
    ended(&s, &c, &long_call).await;

    let hooks = requests_to(&receiver, "/long-text", 1).await;
    assert_eq!(
        hooks[0].param("TranscriptionStatus").as_deref(),
        Some("failed")
    );
    assert_eq!(hooks[0].param("TranscriptionText").as_deref(), Some(""));
    let all = get_ok(&s, &c, &format!("{}/Transcriptions.json", base(&c))).await;
    let list = all["transcriptions"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{all}");
    let (failed, blank) = (&list[0], &list[1]);
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["transcription_text"], Value::Null, "{failed}");
    assert_eq!(failed["duration"], "152", "{failed}");
    assert_eq!(blank["status"], "completed", "{blank}");
    assert_eq!(blank["transcription_text"], "(blank)", "{blank}");
    assert_eq!(blank["duration"], "3", "{blank}");
    let usage = get_ok(
        &s,
        &c,
        &format!(
            "{}/Usage/Records/Today.json?Category=transcriptions",
            base(&c)
        ),
    )
    .await;
    assert_eq!(usage["usage_records"][0]["count"], "1", "{usage}");

    // A transcription is deleted on its own, by either path.
    let tr = blank["sid"].as_str().unwrap();
    let rec = blank["recording_sid"].as_str().unwrap();
    let path = format!("{}/Recordings/{rec}/Transcriptions/{tr}.json", base(&c));
    let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    let tr = failed["sid"].as_str().unwrap();
    let path = format!("{}/Transcriptions/{tr}.json", base(&c));
    let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let all = get_ok(&s, &c, &format!("{}/Transcriptions.json", base(&c))).await;
    assert_eq!(all["transcriptions"], serde_json::json!([]), "{all}");
    // The recordings stay.
    assert_eq!(recordings_of(&s, &c, &call).await.len(), 1);
});
