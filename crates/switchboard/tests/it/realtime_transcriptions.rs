//! Real-time transcription of a live call (issue 27): starting it,
//! stopping it by SID or by name, its events through the delivery pipeline
//! (started, content for a `<Say>` and for the caller's speech, filtered by
//! track, stopped), the call's end stopping it, and the refusals.

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::call_recordings::{HOLD, call_on_hold, hang_up, hidden_from_others, refused};
use crate::connect::{app_owner, as_app, authorize, customer};
use crate::openapi::{self, assert_answer};
use crate::receiver::{Received, Receiver};
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base, item_under, list_under};
use crate::voice_calls::{input_path, requests_to, ten_times_faster};

const CREATE: &str = "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Transcriptions.json";
const UPDATE: &str = "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Transcriptions/{Sid}.json";

async fn start(s: &TestServer, c: &Creds, call: &Value, form: &[(&str, &str)]) -> Value {
    let (status, body) = s.post(c, &list_under(call, "Transcriptions"), form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_answer(openapi::api_2010(), CREATE, "post", 200, &body);
    assert_eq!(body["status"], "in-progress", "{body}");
    assert_eq!(body["call_sid"], call["sid"]);
    assert_eq!(body["account_sid"], c.sid.as_str());
    assert!(body["sid"].as_str().unwrap().starts_with("GT"), "{body}");
    assert_eq!(
        body["uri"],
        item_under(call, "Transcriptions", body["sid"].as_str().unwrap()).as_str()
    );
    body
}

async fn stop(s: &TestServer, c: &Creds, call: &Value, which: &str) -> Value {
    let (status, body) = s
        .post(
            c,
            &item_under(call, "Transcriptions", which),
            &[("Status", "stopped")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_answer(openapi::api_2010(), UPDATE, "post", 200, &body);
    assert_eq!(body["status"], "stopped", "{body}");
    body
}

/// A receiver path's events, in `SequenceId` order.
async fn events(receiver: &Receiver, path: &str, n: usize) -> Vec<Received> {
    let mut got = requests_to(receiver, path, n).await;
    assert_eq!(got.len(), n, "{got:?}");
    got.sort_by_key(|r| r.param("SequenceId").unwrap().parse::<i64>().unwrap());
    got
}

fn event(r: &Received) -> String {
    r.param("TranscriptionEvent").unwrap()
}

fn content(r: &Received) -> (String, Value) {
    let data: Value = serde_json::from_str(&r.param("TranscriptionData").unwrap()).unwrap();
    (r.param("Track").unwrap(), data)
}

server_test!(
    a_live_call_is_transcribed_until_it_ends,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let call = call_on_hold(&s, &c).await;

        let both_url = receiver.url("/both");
        let both = start(
            &s,
            &c,
            &call,
            &[
                ("StatusCallbackUrl", both_url.as_str()),
                ("LanguageCode", "en-GB"),
                ("PartialResults", "true"),
                ("SpeechModel", "telephony"),
                ("Hints", "sales"),
            ],
        )
        .await;
        assert_eq!(both["name"], Value::Null);
        let caller_url = receiver.url("/caller");
        let caller = start(
            &s,
            &c,
            &call,
            &[
                ("Name", "caller only"),
                ("Track", "inbound_track"),
                ("StatusCallbackUrl", caller_url.as_str()),
                ("StatusCallbackMethod", "GET"),
            ],
        )
        .await;
        assert_eq!(caller["name"], "caller only");

        // The app says something, then listens; the caller answers.
        let chosen = receiver.url("/chosen");
        receiver.answer_twiml("/chosen", HOLD);
        let twiml = format!(
            "<Response><Say>Hello from the app</Say>\
             <Gather input=\"speech\" action=\"{chosen}\"/>{}</Response>",
            "<Pause length=\"600\"/>"
        );
        let (status, body) = s
            .post(
                &c,
                &input_path(&c, &call),
                &[("SpeechResult", "talk to sales"), ("Confidence", "0.75")],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = s
            .post(&c, call["uri"].as_str().unwrap(), &[("Twiml", &twiml)])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        requests_to(&receiver, "/chosen", 1).await;
        hang_up(&s, &c, &call).await;

        // Both tracks: started, the <Say>, the caller, stopped by the end.
        let got = events(&receiver, "/both", 4).await;
        let kinds: Vec<String> = got.iter().map(event).collect();
        assert_eq!(
            kinds,
            [
                "transcription-started",
                "transcription-content",
                "transcription-content",
                "transcription-stopped"
            ]
        );
        for (i, h) in got.iter().enumerate() {
            assert_signed(h, &receiver, &c.token);
            assert_eq!(h.method, "POST");
            for (name, want) in [
                ("AccountSid", c.sid.as_str()),
                ("CallSid", call["sid"].as_str().unwrap()),
                ("TranscriptionSid", both["sid"].as_str().unwrap()),
                ("SequenceId", (i + 1).to_string().as_str()),
            ] {
                assert_eq!(h.param(name).as_deref(), Some(want), "{name} in {h:?}");
            }
            assert!(h.param("Timestamp").unwrap().ends_with('Z'), "{h:?}");
        }
        assert_eq!(got[0].param("Track").as_deref(), Some("both_tracks"));
        assert_eq!(got[0].param("LanguageCode").as_deref(), Some("en-GB"));
        assert_eq!(got[0].param("PartialResults").as_deref(), Some("true"));
        let (track, data) = content(&got[1]);
        assert_eq!(track, "outbound_track");
        assert_eq!(data["transcript"], "Hello from the app");
        assert_eq!(data["confidence"], 1.0);
        assert_eq!(got[1].param("Final").as_deref(), Some("true"));
        assert_eq!(got[1].param("LanguageCode").as_deref(), Some("en-GB"));
        let (track, data) = content(&got[2]);
        assert_eq!(track, "inbound_track");
        assert_eq!(data["transcript"], "talk to sales");
        assert_eq!(data["confidence"], 0.75);

        // The caller's track only, by GET, named.
        let got = events(&receiver, "/caller", 3).await;
        let kinds: Vec<String> = got.iter().map(event).collect();
        assert_eq!(
            kinds,
            [
                "transcription-started",
                "transcription-content",
                "transcription-stopped"
            ]
        );
        assert!(got.iter().all(|h| h.method == "GET"), "{got:?}");
        assert_eq!(got[0].param("Name").as_deref(), Some("caller only"));
        assert_eq!(content(&got[1]).0, "inbound_track");

        // Through the delivery pipeline, as `realtime-transcription`.
        let kinds = s.delivery_kinds(&c).await;
        let n = kinds
            .iter()
            .filter(|k| *k == "realtime-transcription")
            .count();
        assert_eq!(n, 7, "{kinds:?}");

        // Both were stopped by the call's end; stopping again changes nothing.
        let again = stop(&s, &c, &call, both["sid"].as_str().unwrap()).await;
        assert_eq!(again["sid"], both["sid"]);
        // The call has ended: no transcription can start.
        let (status, body) = s.post(&c, &list_under(&call, "Transcriptions"), &[]).await;
        assert_twilio_error(status, &body, 400, 21220);
    }
);

server_test!(
    a_transcription_is_stopped_by_sid_or_by_name,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        let c = s.main_account(AccountType::Full).await;
        let call = call_on_hold(&s, &c).await;
        let hook = receiver.url("/t");

        let first = start(&s, &c, &call, &[("StatusCallbackUrl", hook.as_str())]).await;
        let sid = first["sid"].as_str().unwrap();
        let stopped = stop(&s, &c, &call, sid).await;
        assert_eq!(stopped["sid"], sid);
        let got = events(&receiver, "/t", 2).await;
        assert_eq!(event(&got[1]), "transcription-stopped");
        assert_eq!(got[1].param("TranscriptionSid").as_deref(), Some(sid));
        // Stopping it again changes nothing and sends nothing.
        stop(&s, &c, &call, sid).await;

        let second = start(&s, &c, &call, &[("Name", "support")]).await;
        let by_name = stop(&s, &c, &call, "support").await;
        assert_eq!(by_name["sid"], second["sid"]);
        assert_eq!(by_name["name"], "support");

        // The bad ones.
        let item = item_under(&call, "Transcriptions", sid);
        refused(
            &s,
            &c,
            &item,
            &[(&[], 20001), (&[("Status", "paused")], 20001)],
        )
        .await;
        let (status, body) = s
            .post(
                &c,
                &item_under(&call, "Transcriptions", "nobody"),
                &[("Status", "stopped")],
            )
            .await;
        assert_twilio_error(status, &body, 404, 20404);
        let list = list_under(&call, "Transcriptions");
        refused(
            &s,
            &c,
            &list,
            &[
                (&[("Track", "sideways")], 20001),
                (&[("PartialResults", "maybe")], 20001),
                (&[("StatusCallbackUrl", "not a url")], 21609),
                (&[("StatusCallbackMethod", "PUT")], 21209),
            ],
        )
        .await;
        // Another account finds nothing.
        hidden_from_others(&s, &c, &list).await;
        let unknown = format!(
            "{}/Calls/CA0123456789abcdef0123456789abcdef/Transcriptions.json",
            base(&c)
        );
        let (status, body) = s.post(&c, &unknown, &[]).await;
        assert_twilio_error(status, &body, 404, 20404);

        hang_up(&s, &c, &call).await;
        assert_eq!(receiver.received().len(), 2, "{:?}", receiver.received());
    }
);

// A Connect App's credentials on its customer's dedicated subaccount: with
// post-all it transcribes a call there, signed with its owner's token; with
// get-all alone it may read that call but not start one (403, as for every
// write it lacks post-all for).
server_test!(
    a_connect_app_transcribes_with_post_all_only,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        let owner = app_owner(&s, &["post-all"]).await;
        let mut cust = customer(&s, true).await;
        let sub = authorize(&mut cust.browser, &owner.app).await;
        let app = as_app(&owner, &sub);
        let call = call_on_hold(&s, &app).await;
        let hook = receiver.url("/app");
        let started = start(&s, &app, &call, &[("StatusCallbackUrl", hook.as_str())]).await;
        assert_eq!(started["account_sid"], sub.as_str());
        let got = events(&receiver, "/app", 1).await;
        assert_eq!(event(&got[0]), "transcription-started");
        assert_eq!(got[0].param("AccountSid").as_deref(), Some(sub.as_str()));
        assert_signed(&got[0], &receiver, &owner.creds.token);

        // get-all reads the call, and starts and stops nothing.
        let reader = app_owner(&s, &["get-all"]).await;
        let reader_sub = authorize(&mut cust.browser, &reader.app).await;
        let as_reader = as_app(&reader, &reader_sub);
        let (status, body) = s.get(&as_reader, call["uri"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = s
            .post(
                &as_reader,
                &list_under(&call, "Transcriptions"),
                &[("StatusCallbackUrl", hook.as_str())],
            )
            .await;
        assert_twilio_error(status, &body, 403, 20403);
        let (status, body) = s
            .post(
                &as_reader,
                &item_under(&call, "Transcriptions", started["sid"].as_str().unwrap()),
                &[("Status", "stopped")],
            )
            .await;
        assert_twilio_error(status, &body, 403, 20403);
        // Nor in its own dedicated subaccount, where it may read everything.
        let own = format!(
            "{}/Calls/{}/Transcriptions.json",
            base(&as_reader),
            call["sid"].as_str().unwrap()
        );
        let (status, body) = s.post(&as_reader, &own, &[]).await;
        assert_twilio_error(status, &body, 403, 20403);

        // The post-all app stops its own; the stop is the only event since.
        stop(&s, &app, &call, started["sid"].as_str().unwrap()).await;
        let got = events(&receiver, "/app", 2).await;
        assert_eq!(event(&got[1]), "transcription-stopped");
        hang_up(&s, &app, &call).await;
        assert_eq!(receiver.received().len(), 2, "{:?}", receiver.received());
    }
);
