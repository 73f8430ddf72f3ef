//! Recording a live call through the API (issue 27): starting, pausing,
//! resuming and stopping a call's recording, its duration on the call's
//! clock, its status callbacks through the delivery pipeline, a recording
//! ended by its call, and the refusals.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_types::AccountType;

use crate::openapi::{self, assert_answer};
use crate::receiver::Receiver;
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base, item_under, list_under};
use crate::telephony::buy;
use crate::voice_calls::{duration, ended, place, requests_to, ten_times_faster};
use crate::voice_record::recordings_of;

const CALL_RECORDINGS: &str = "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json";
const CALL_RECORDING: &str =
    "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings/{Sid}.json";

/// Ten simulated minutes of pause: a minute of real time at ten times.
pub(crate) const HOLD: &str = "<Response><Pause length=\"600\"/></Response>";

/// A call of `c`'s from a number it buys, answered and holding ([`HOLD`]):
/// in progress, for live changes to be made to it.
pub(crate) async fn call_on_hold(s: &TestServer, c: &Creds) -> Value {
    let from = buy(s, c, "415").await;
    let call = place(s, c, &from, &[("Twiml", HOLD)]).await;
    in_progress(s, c, &call).await;
    call
}

/// Posts each form to `path` and checks that it is refused with its code
/// (`400`).
pub(crate) async fn refused(
    s: &TestServer,
    c: &Creds,
    path: &str,
    cases: &[(&[(&str, &str)], u64)],
) {
    for (form, code) in cases {
        let (status, body) = s.post(c, path, form).await;
        assert_twilio_error(status, &body, 400, *code);
    }
}

/// Another account posting to `c`'s `path` under its own SID finds
/// nothing there (`404`).
pub(crate) async fn hidden_from_others(s: &TestServer, c: &Creds, path: &str) {
    let stranger = s.main_account(AccountType::Full).await;
    let theirs = path.replace(c.sid.as_str(), stranger.sid.as_str());
    let (status, body) = s.post(&stranger, &theirs, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
}

/// Hangs `call` up through the API and waits until it has ended.
pub(crate) async fn hang_up(s: &TestServer, c: &Creds, call: &Value) -> Value {
    let (status, body) = s
        .post(c, call["uri"].as_str().unwrap(), &[("Status", "completed")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ended(s, c, call).await
}

/// Fetches the call until it is in progress.
pub(crate) async fn in_progress(s: &TestServer, c: &Creds, call: &Value) {
    for _ in 0..400 {
        let (status, body) = s.get(c, call["uri"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if body["status"] == "in-progress" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{call} never answered");
}

fn secs(recording: &Value) -> i64 {
    recording["duration"].as_str().unwrap().parse().unwrap()
}

async fn set(s: &TestServer, c: &Creds, path: &str, form: &[(&str, &str)]) -> Value {
    let (status, body) = s.post(c, path, form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_answer(openapi::api_2010(), CALL_RECORDING, "post", 200, &body);
    body
}

server_test!(
    a_live_calls_recording_is_paused_resumed_and_stopped,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let call = call_on_hold(&s, &c).await;

        let rec_status = receiver.url("/rec");
        let (status, started) = s
            .post(
                &c,
                &list_under(&call, "Recordings"),
                &[
                    ("RecordingChannels", "dual"),
                    ("RecordingStatusCallback", rec_status.as_str()),
                    ("RecordingStatusCallbackEvent", "in-progress completed"),
                    ("Trim", "do-not-trim"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        assert_answer(openapi::api_2010(), CALL_RECORDINGS, "post", 201, &started);
        assert_eq!(started["status"], "in-progress");
        assert_eq!(started["source"], "StartCallRecordingAPI");
        assert_eq!(started["channels"], 2);
        assert_eq!(started["track"], "both");
        assert_eq!(started["call_sid"], call["sid"]);
        let sid = started["sid"].as_str().unwrap().to_owned();
        assert_eq!(
            started["uri"],
            item_under(&call, "Recordings", &sid).as_str()
        );
        // Its `in-progress` callback, signed, with no duration yet.
        let hooks = requests_to(&receiver, "/rec", 1).await;
        assert_signed(&hooks[0], &receiver, &c.token);
        assert_eq!(
            hooks[0].param("RecordingStatus").as_deref(),
            Some("in-progress")
        );
        assert_eq!(hooks[0].param("RecordingDuration"), None);
        assert_eq!(
            hooks[0].param("RecordingSource").as_deref(),
            Some("StartCallRecordingAPI")
        );

        // About ten simulated seconds recorded, ten skipped, ten more.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let current = item_under(&call, "Recordings", "Twilio.CURRENT");
        let paused = set(
            &s,
            &c,
            &current,
            &[("Status", "paused"), ("PauseBehavior", "skip")],
        )
        .await;
        assert_eq!(paused["status"], "paused");
        assert_eq!(paused["sid"], sid.as_str());
        // Pausing again changes nothing.
        let again = set(&s, &c, &current, &[("Status", "paused")]).await;
        assert_eq!(again["status"], "paused");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let resumed = set(
            &s,
            &c,
            &item_under(&call, "Recordings", &sid),
            &[("Status", "in-progress")],
        )
        .await;
        assert_eq!(resumed["status"], "in-progress");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let stopped = set(
            &s,
            &c,
            &item_under(&call, "Recordings", &sid),
            &[("Status", "stopped")],
        )
        .await;
        assert_eq!(stopped["status"], "completed", "{stopped}");
        let recorded = secs(&stopped);
        assert!((17..=28).contains(&recorded), "{stopped}");

        // Its `completed` callback, with the duration and channels.
        let hooks = requests_to(&receiver, "/rec", 2).await;
        let h = &hooks[1];
        assert_signed(h, &receiver, &c.token);
        for (name, want) in [
            ("AccountSid", c.sid.as_str()),
            ("CallSid", call["sid"].as_str().unwrap()),
            ("RecordingSid", sid.as_str()),
            ("RecordingStatus", "completed"),
            ("RecordingDuration", recorded.to_string().as_str()),
            ("RecordingChannels", "2"),
            ("RecordingSource", "StartCallRecordingAPI"),
            ("ErrorCode", "0"),
        ] {
            assert_eq!(h.param(name).as_deref(), Some(want), "{name} in {h:?}");
        }
        assert!(h.param("RecordingUrl").unwrap().ends_with(&sid), "{h:?}");

        // An ended recording changes no more: 21220; Twilio.CURRENT names
        // none now: 20404.
        let (status, body) = s
            .post(
                &c,
                &item_under(&call, "Recordings", &sid),
                &[("Status", "paused")],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21220);
        let (status, body) = s.post(&c, &current, &[("Status", "paused")]).await;
        assert_twilio_error(status, &body, 404, 20404);

        // A second recording, paused with silence, ends with its call: the
        // silence counts.
        let (status, second) = s.post(&c, &list_under(&call, "Recordings"), &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{second}");
        let second_sid = second["sid"].as_str().unwrap().to_owned();
        set(
            &s,
            &c,
            &item_under(&call, "Recordings", &second_sid),
            &[("Status", "paused"), ("PauseBehavior", "silence")],
        )
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let done = hang_up(&s, &c, &call).await;
        let (status, second) = s
            .get(&c, &item_under(&call, "Recordings", &second_sid))
            .await;
        assert_eq!(status, StatusCode::OK, "{second}");
        assert_eq!(second["status"], "completed", "{second}");
        assert_eq!(second["channels"], 1);
        let second_secs = secs(&second);
        assert!((8..=16).contains(&second_secs), "{second}");
        assert!(duration(&done) >= recorded + second_secs, "{done}");
        // No callback was asked for the second.
        assert_eq!(
            receiver
                .received()
                .iter()
                .filter(|r| r.path_and_query == "/rec")
                .count(),
            2
        );

        // Both are charged as recordings, in started minutes.
        let (_, usage) = s
            .get(
                &c,
                &format!("{}/Usage/Records/Today.json?Category=recordings", base(&c)),
            )
            .await;
        assert_eq!(usage["usage_records"][0]["count"], "2", "{usage}");
        assert_eq!(usage["usage_records"][0]["usage"], "2", "{usage}");
        // Through the delivery pipeline, as `recording-status`.
        let kinds = s.delivery_kinds(&c).await;
        let n = kinds.iter().filter(|k| *k == "recording-status").count();
        assert_eq!(n, 2, "{kinds:?}");

        // The call has ended: no recording can start.
        let (status, body) = s.post(&c, &list_under(&call, "Recordings"), &[]).await;
        assert_twilio_error(status, &body, 400, 21220);
        let found = recordings_of(&s, &c, &call).await;
        assert_eq!(found.len(), 2, "{found:?}");
    }
);

server_test!(
    bad_recording_requests_are_refused,
    settings = ten_times_faster,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let call = call_on_hold(&s, &c).await;
        let list = list_under(&call, "Recordings");
        refused(
            &s,
            &c,
            &list,
            &[
                (&[("RecordingChannels", "stereo")], 20001),
                (&[("RecordingTrack", "sideways")], 20001),
                (&[("Trim", "some")], 20001),
                (&[("RecordingStatusCallbackEvent", "paused")], 20001),
                (&[("RecordingStatusCallback", "not a url")], 21609),
                (&[("RecordingStatusCallbackMethod", "PUT")], 21209),
            ],
        )
        .await;
        let (status, started) = s.post(&c, &list, &[("RecordingTrack", "inbound")]).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        assert_eq!(started["track"], "inbound");
        let item = item_under(&call, "Recordings", started["sid"].as_str().unwrap());
        refused(
            &s,
            &c,
            &item,
            &[
                (&[], 20001),
                (&[("Status", "completed")], 20001),
                (&[("Status", "paused"), ("PauseBehavior", "later")], 20001),
            ],
        )
        .await;
        // Another call's path, or another account, finds nothing.
        let other = item.replace(
            call["sid"].as_str().unwrap(),
            "CA0123456789abcdef0123456789abcdef",
        );
        let (status, body) = s.post(&c, &other, &[("Status", "paused")]).await;
        assert_twilio_error(status, &body, 404, 20404);
        hidden_from_others(&s, &c, &list).await;
        // A recording being made is not deleted until it ends.
        let (status, body) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        hang_up(&s, &c, &call).await;
        let (status, body) = s.call(Some(&c), Method::DELETE, &item, &[]).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
);

server_test!(record_true_records_the_whole_call_in_one_channel, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let call = place(
        &s,
        &c,
        &from,
        &[
            ("Twiml", "<Response><Pause length=\"7\"/></Response>"),
            ("Record", "true"),
        ],
    )
    .await;
    let done = ended(&s, &c, &call).await;
    let found = recordings_of(&s, &c, &call).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(secs(&found[0]), duration(&done), "{found:?} {done}");
    assert_eq!(found[0]["channels"], 1);
    assert_eq!(found[0]["source"], "OutboundAPI");
    assert_eq!(found[0]["status"], "completed");
});
