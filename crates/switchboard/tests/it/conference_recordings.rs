//! Recording a conference (issue 27): `<Conference record="record-from-
//! start">` records the room from its start to its end; the recording is
//! listed, read, paused, resumed and stopped under the conference, its
//! callbacks name the conference, its media are a WAV, and a finished one
//! is deleted with its media.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_types::AccountType;

use crate::conferences::{conference_with, end_room};
use crate::openapi::{self, assert_answer};
use crate::receiver::Receiver;
use crate::recording_media::{download, read_wav};
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base, list_under};
use crate::telephony::buy;
use crate::voice_calls::{ended, place, requests_to, ten_times_faster};

const RECORDINGS: &str =
    "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Recordings.json";
const RECORDING: &str =
    "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Recordings/{Sid}.json";

fn recordings_path(c: &Creds, conf: &Value) -> String {
    format!(
        "{}/Conferences/{}/Recordings.json",
        base(c),
        conf["sid"].as_str().unwrap()
    )
}

fn recording_path(c: &Creds, conf: &Value, sid: &str) -> String {
    format!(
        "{}/Conferences/{}/Recordings/{sid}.json",
        base(c),
        conf["sid"].as_str().unwrap()
    )
}

async fn list(s: &TestServer, c: &Creds, conf: &Value, query: &str) -> Vec<Value> {
    let (status, body) = s
        .get(c, &format!("{}{query}", recordings_path(c, conf)))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_answer(openapi::api_2010(), RECORDINGS, "get", 200, &body);
    body["recordings"].as_array().unwrap().clone()
}

async fn set(s: &TestServer, c: &Creds, path: &str, form: &[(&str, &str)]) -> Value {
    let (status, body) = s.post(c, path, form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_answer(openapi::api_2010(), RECORDING, "post", 200, &body);
    body
}

fn secs(recording: &Value) -> i64 {
    recording["duration"].as_str().unwrap().parse().unwrap()
}

/// Two callers meet in `room`, the first asking for it to be recorded;
/// returns the calls and the conference, in progress.
async fn recorded_room(
    s: &TestServer,
    c: &Creds,
    room: &str,
    attributes: &str,
) -> (Value, Value, Value) {
    let from = buy(s, c, "415").await;
    let first = place(
        s,
        c,
        &from,
        &[(
            "Twiml",
            format!(
                "<Response><Dial><Conference record=\"record-from-start\" {attributes}>{room}\
                 </Conference></Dial></Response>"
            )
            .as_str(),
        )],
    )
    .await;
    conference_with(s, c, room, 1).await;
    let second = place(
        s,
        c,
        &from,
        &[(
            "Twiml",
            format!("<Response><Dial><Conference>{room}</Conference></Dial></Response>").as_str(),
        )],
    )
    .await;
    let conf = conference_with(s, c, room, 2).await;
    assert_eq!(conf["status"], "in-progress", "{conf}");
    (first, second, conf)
}

server_test!(
    a_recorded_conference_is_paused_resumed_and_completes_when_it_ends,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let rec = receiver.url("/rec");
        let (first, second, conf) = recorded_room(
            &s,
            &c,
            "taped",
            &format!(
                "recordingStatusCallback=\"{rec}\" \
                 recordingStatusCallbackEvent=\"in-progress completed\""
            ),
        )
        .await;
        let conf_sid = conf["sid"].as_str().unwrap();

        // Recording since the room started.
        let found = list(&s, &c, &conf, "").await;
        assert_eq!(found.len(), 1, "{found:?}");
        let r = &found[0];
        let sid = r["sid"].as_str().unwrap().to_owned();
        for (field, want) in [
            ("status", Value::from("in-progress")),
            ("source", "Conference".into()),
            ("channels", 1.into()),
            ("call_sid", Value::Null),
            ("conference_sid", conf_sid.into()),
            ("account_sid", c.sid.as_str().into()),
            ("duration", "-1".into()),
            ("uri", recording_path(&c, &conf, &sid).into()),
        ] {
            assert_eq!(r[field], want, "{field}: {r}");
        }
        // The in-progress callback names the conference, not a call.
        let hooks = requests_to(&receiver, "/rec", 1).await;
        assert_signed(&hooks[0], &receiver, &c.token);
        assert_eq!(hooks[0].param("ConferenceSid").as_deref(), Some(conf_sid));
        assert_eq!(hooks[0].param("CallSid"), None);
        assert_eq!(
            hooks[0].param("RecordingStatus").as_deref(),
            Some("in-progress")
        );
        assert_eq!(
            hooks[0].param("RecordingSource").as_deref(),
            Some("Conference")
        );

        // About ten simulated seconds recorded, ten skipped, ten more.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let current = recording_path(&c, &conf, "Twilio.CURRENT");
        let paused = set(
            &s,
            &c,
            &current,
            &[("Status", "paused"), ("PauseBehavior", "skip")],
        )
        .await;
        assert_eq!(
            (paused["status"].as_str(), paused["sid"].as_str()),
            (Some("paused"), Some(sid.as_str()))
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        let resumed = set(
            &s,
            &c,
            &recording_path(&c, &conf, &sid),
            &[("Status", "in-progress")],
        )
        .await;
        assert_eq!(resumed["status"], "in-progress");
        // Still being made: it cannot be deleted.
        let (status, _) = s
            .call(
                Some(&c),
                Method::DELETE,
                &recording_path(&c, &conf, &sid),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        tokio::time::sleep(Duration::from_secs(1)).await;

        // The conference ends: so does its recording.
        end_room(&s, &c, conf_sid).await;
        ended(&s, &c, &first).await;
        ended(&s, &c, &second).await;
        let (status, done) = s.get(&c, &recording_path(&c, &conf, &sid)).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_answer(openapi::api_2010(), RECORDING, "get", 200, &done);
        assert_eq!(done["status"], "completed", "{done}");
        let recorded = secs(&done);
        assert!((17..=28).contains(&recorded), "{done}");
        let hooks = requests_to(&receiver, "/rec", 2).await;
        let h = &hooks[1];
        for (name, want) in [
            ("AccountSid", c.sid.as_str()),
            ("ConferenceSid", conf_sid),
            ("RecordingSid", sid.as_str()),
            ("RecordingStatus", "completed"),
            ("RecordingDuration", recorded.to_string().as_str()),
            ("RecordingChannels", "1"),
            ("RecordingSource", "Conference"),
        ] {
            assert_eq!(h.param(name).as_deref(), Some(want), "{name} in {h:?}");
        }
        // Ended: it changes no more, and Twilio.CURRENT names nothing.
        let (status, body) = s
            .post(
                &c,
                &recording_path(&c, &conf, &sid),
                &[("Status", "paused")],
            )
            .await;
        assert_twilio_error(status, &body, 400, 21220);
        let (status, body) = s.post(&c, &current, &[("Status", "paused")]).await;
        assert_twilio_error(status, &body, 404, 20404);

        // The account's list has it, naming the conference; its media are
        // a WAV of its duration.
        let (status, all) = s.get(&c, &format!("{}/Recordings.json", base(&c))).await;
        assert_eq!(status, StatusCode::OK, "{all}");
        let mine = all["recordings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["sid"] == sid.as_str())
            .cloned()
            .unwrap_or_else(|| panic!("{all}"));
        assert_eq!(mine["conference_sid"], conf_sid);
        let media = format!("{}/Recordings/{sid}.wav", base(&c));
        let (status, kind, wav) = download(&s, Some(&c), &media).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "audio/x-wav"));
        assert_eq!(read_wav(&wav), (1, 8_000, 16, recorded as u32 * 8_000));
        // Charged as a recording.
        let (_, usage) = s
            .get(
                &c,
                &format!("{}/Usage/Records/Today.json?Category=recordings", base(&c)),
            )
            .await;
        assert_eq!(usage["usage_records"][0]["count"], "1", "{usage}");

        // Filtered by its creation date; deleted, with its media.
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(
            list(&s, &c, &conf, &format!("?DateCreated>={today}"))
                .await
                .len(),
            1
        );
        assert_eq!(
            list(&s, &c, &conf, "?DateCreated<=2020-01-01").await.len(),
            0
        );
        let (status, _) = s
            .call(
                Some(&c),
                Method::DELETE,
                &recording_path(&c, &conf, &sid),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = s.get(&c, &recording_path(&c, &conf, &sid)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = download(&s, Some(&c), &media).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(list(&s, &c, &conf, "").await.is_empty());
    }
);

server_test!(
    a_conference_recording_stopped_through_the_api_completes_at_once,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let (first, _, conf) = recorded_room(&s, &c, "stopped", "").await;
        let found = list(&s, &c, &conf, "").await;
        let sid = found[0]["sid"].as_str().unwrap().to_owned();
        let stopped = set(
            &s,
            &c,
            &recording_path(&c, &conf, &sid),
            &[("Status", "stopped")],
        )
        .await;
        assert!(
            matches!(stopped["status"].as_str(), Some("completed" | "absent")),
            "{stopped}"
        );
        // Nothing is live now; a bad status is refused; another conference's
        // path does not reach it.
        let (status, body) = s
            .post(
                &c,
                &recording_path(&c, &conf, "Twilio.CURRENT"),
                &[("Status", "paused")],
            )
            .await;
        assert_twilio_error(status, &body, 404, 20404);
        let (status, body) = s
            .post(
                &c,
                &recording_path(&c, &conf, &sid),
                &[("Status", "rewound")],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let other = format!(
            "{}/Conferences/CF00000000000000000000000000000000/Recordings/{sid}.json",
            base(&c)
        );
        let (status, _) = s.get(&c, &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // A call's recordings path does not show it.
        let (status, body) = s.get(&c, &list_under(&first, "Recordings")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["recordings"].as_array().unwrap().len(), 0, "{body}");
        end_room(&s, &c, conf["sid"].as_str().unwrap()).await;
        ended(&s, &c, &first).await;
    }
);
