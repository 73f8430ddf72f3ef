//! Conferences over real HTTP: simulated callers `<Dial><Conference>` into
//! rooms, the API reads, mutes, holds, kicks and ends, and the status
//! callbacks arrive in order, signed, from the outbox.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_types::AccountType;

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::{self, assert_answer};
use crate::receiver::Receiver;
use crate::revocation::assert_signed;
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};
use crate::telephony::buy;
use crate::voice_calls::{codes, ended, ended_sid, notifications_of, place, requests_to};

const CONFERENCE: &str = "/2010-04-01/Accounts/{AccountSid}/Conferences/{Sid}.json";
const CONFERENCES: &str = "/2010-04-01/Accounts/{AccountSid}/Conferences.json";
const PARTICIPANT: &str =
    "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json";
const PARTICIPANTS: &str =
    "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json";

/// Checks a successful answer against the spec.
fn spec(template: &str, method: &str, body: &Value) {
    assert_answer(openapi::api_2010(), template, method, 200, body);
}

/// A call that runs `twiml`.
async fn caller(s: &TestServer, c: &Creds, from: &str, twiml: &str) -> Value {
    place(s, c, from, &[("Twiml", twiml)]).await
}

/// The account's conference called `name` once it holds `n` participants
/// (the newest of that name).
pub(crate) async fn conference_with(s: &TestServer, c: &Creds, name: &str, n: usize) -> Value {
    let path = format!(
        "{}/Conferences.json?FriendlyName={}",
        base(c),
        urlencoding(name)
    );
    for _ in 0..400 {
        let (status, list) = s.get(c, &path).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        spec(CONFERENCES, "get", &list);
        if let Some(conf) = list["conferences"].as_array().unwrap().first()
            && participants(s, c, conf, "").await.len() == n
        {
            return fetch(s, c, conf).await;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("conference {name} never had {n} participants");
}

fn urlencoding(v: &str) -> String {
    v.replace(' ', "%20")
}

async fn participants(s: &TestServer, c: &Creds, conf: &Value, query: &str) -> Vec<Value> {
    let path = format!(
        "{}/Conferences/{}/Participants.json{query}",
        base(c),
        conf["sid"].as_str().unwrap()
    );
    let (status, list) = s.get(c, &path).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    spec(PARTICIPANTS, "get", &list);
    list["participants"].as_array().unwrap().clone()
}

/// Ends the conference `sid` through the API (`Status=completed`).
pub(crate) async fn end_room(s: &TestServer, c: &Creds, sid: &str) {
    let path = format!("{}/Conferences/{sid}.json", base(c));
    let (status, body) = s.post(c, &path, &[("Status", "completed")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn participant_path(c: &Creds, conf: &Value, who: &str) -> String {
    format!(
        "{}/Conferences/{}/Participants/{who}.json",
        base(c),
        conf["sid"].as_str().unwrap()
    )
}

async fn fetch(s: &TestServer, c: &Creds, conf: &Value) -> Value {
    let (status, got) = s
        .get(
            c,
            &format!(
                "{}/Conferences/{}.json",
                base(c),
                conf["sid"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    spec(CONFERENCE, "get", &got);
    got
}

server_test!(callers_meet_are_muted_held_and_the_api_ends_the_room, |s| {
    let receiver = Receiver::start().await;
    receiver.answer_twiml("/after", "<Response><Say>Bye</Say></Response>");
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "415").await;
    let events = receiver.url("/events");
    let after = receiver.url("/after");
    let first = caller(
        &s,
        &c,
        &from,
        &format!(
            "<Response><Dial action=\"{after}\"><Conference statusCallback=\"{events}\" \
             statusCallbackEvent=\"start end join leave mute hold\" \
             startConferenceOnEnter=\"false\" participantLabel=\"first\">Room 1</Conference>\
             </Dial></Response>"
        ),
    )
    .await;
    let conf = conference_with(&s, &c, "Room 1", 1).await;
    // One participant, not a moderator: the room waits.
    assert_eq!(conf["status"], "init", "{conf}");
    let sid = conf["sid"].as_str().unwrap();
    assert!(sid.starts_with("CF"), "{conf}");
    for (field, want) in [
        ("account_sid", Value::from(c.sid.as_str())),
        ("friendly_name", "Room 1".into()),
        ("region", "us1".into()),
        ("api_version", "2010-04-01".into()),
        ("reason_conference_ended", Value::Null),
        ("call_sid_ending_conference", Value::Null),
        (
            "uri",
            format!("/2010-04-01/Accounts/{}/Conferences/{sid}.json", c.sid).into(),
        ),
    ] {
        assert_eq!(conf[field], want, "{field}: {conf}");
    }
    assert_eq!(
        conf["subresource_uris"]["participants"],
        format!(
            "/2010-04-01/Accounts/{}/Conferences/{sid}/Participants.json",
            c.sid
        )
    );

    let second = caller(
        &s,
        &c,
        &from,
        "<Response><Dial><Conference>Room 1</Conference></Dial></Response>",
    )
    .await;
    let conf = conference_with(&s, &c, "Room 1", 2).await;
    assert_eq!(conf["status"], "in-progress", "{conf}");
    let (status, in_progress) = s
        .get(
            &c,
            &format!("{}/Conferences.json?Status=in-progress", base(&c)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(in_progress["conferences"].as_array().unwrap().len(), 1);

    // By label and by call.
    let (status, host) = s.get(&c, &participant_path(&c, &conf, "first")).await;
    assert_eq!(status, StatusCode::OK, "{host}");
    spec(PARTICIPANT, "get", &host);
    assert_eq!(host["call_sid"], first["sid"]);
    assert_eq!(host["label"], "first");
    assert_eq!(host["status"], "connected");
    assert_eq!(host["start_conference_on_enter"], false);
    assert_eq!(host["muted"], false);
    let second_sid = second["sid"].as_str().unwrap();
    let (status, other) = s.get(&c, &participant_path(&c, &conf, second_sid)).await;
    assert_eq!(status, StatusCode::OK, "{other}");
    assert_eq!(other["start_conference_on_enter"], true);

    let (status, muted) = s
        .post(
            &c,
            &participant_path(&c, &conf, "first"),
            &[("Muted", "true")],
        )
        .await;
    assert_eq!(
        (status, &muted["muted"]),
        (StatusCode::OK, &Value::Bool(true))
    );
    spec(PARTICIPANT, "post", &muted);
    let (status, held) = s
        .post(
            &c,
            &participant_path(&c, &conf, second_sid),
            &[("Hold", "true")],
        )
        .await;
    assert_eq!(
        (status, &held["hold"]),
        (StatusCode::OK, &Value::Bool(true))
    );
    let muted = participants(&s, &c, &conf, "?Muted=true").await;
    assert_eq!(muted.len(), 1);
    assert_eq!(muted[0]["call_sid"], first["sid"]);
    assert_eq!(participants(&s, &c, &conf, "?Hold=false").await.len(), 1);
    let (status, bad) = s
        .post(
            &c,
            &participant_path(&c, &conf, "first"),
            &[("Muted", "maybe")],
        )
        .await;
    assert_twilio_error(status, &bad, 400, 20001);

    // The API ends it: both calls' <Dial>s end.
    let conf_path = format!("{}/Conferences/{sid}.json", base(&c));
    let (status, bad) = s.post(&c, &conf_path, &[("Status", "paused")]).await;
    assert_twilio_error(status, &bad, 400, 20001);
    let (status, done) = s.post(&c, &conf_path, &[("Status", "completed")]).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    spec(CONFERENCE, "post", &done);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["reason_conference_ended"], "conference-ended-via-api");
    assert!(participants(&s, &c, &conf, "").await.is_empty());
    let first_done = ended(&s, &c, &first).await;
    let second_done = ended(&s, &c, &second).await;
    assert_eq!(first_done["status"], "completed");
    assert_eq!(second_done["status"], "completed");
    let action = requests_to(&receiver, "/after", 1).await;
    assert_eq!(
        action[0].param("DialCallStatus").as_deref(),
        Some("completed")
    );
    assert_eq!(
        action[0].param("CallSid"),
        first["sid"].as_str().map(str::to_owned)
    );

    // Every event it asked for, in order, numbered, signed.
    let mut got = requests_to(&receiver, "/events", 8).await;
    // Deliveries run side by side: SequenceNumber orders them.
    got.sort_by_key(|r| {
        r.param("SequenceNumber")
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or_default()
    });
    let seen: Vec<(String, String, String)> = got
        .iter()
        .map(|r| {
            assert_signed(r, &receiver, &c.token);
            assert_eq!(r.param("ConferenceSid").as_deref(), Some(sid));
            assert_eq!(r.param("FriendlyName").as_deref(), Some("Room 1"));
            assert!(r.param("Timestamp").is_some());
            (
                r.param("SequenceNumber").unwrap(),
                r.param("StatusCallbackEvent").unwrap(),
                r.param("CallSid").unwrap_or_default(),
            )
        })
        .collect();
    let first_sid = first["sid"].as_str().unwrap().to_owned();
    let second_sid = second_sid.to_owned();
    let mut leaves: Vec<String> = seen[5..7].iter().map(|e| e.2.clone()).collect();
    leaves.sort();
    let mut both = vec![first_sid.clone(), second_sid.clone()];
    both.sort();
    assert_eq!(leaves, both);
    let names: Vec<(&str, &str)> = seen
        .iter()
        .map(|(n, e, _)| (n.as_str(), e.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("1", "participant-join"),
            ("2", "participant-join"),
            ("3", "conference-start"),
            ("4", "participant-mute"),
            ("5", "participant-hold"),
            ("6", "participant-leave"),
            ("7", "participant-leave"),
            ("8", "conference-end"),
        ]
    );
    assert_eq!(seen[0].2, first_sid);
    assert_eq!(seen[1].2, second_sid);
    assert_eq!(got[0].param("ParticipantLabel").as_deref(), Some("first"));
    assert_eq!(
        got[0].param("StartConferenceOnEnter").as_deref(),
        Some("false")
    );
    assert_eq!(got[3].param("Muted").as_deref(), Some("true"));
    assert_eq!(
        got[7].param("ReasonConferenceEnded").as_deref(),
        Some("conference-ended-via-api")
    );

    // Ended rooms stay listed; a name is free again once its room ended.
    let (_, completed) = s
        .get(
            &c,
            &format!("{}/Conferences.json?Status=completed", base(&c)),
        )
        .await;
    assert_eq!(completed["conferences"].as_array().unwrap().len(), 1);
    let (status, missing) = s.get(&c, &participant_path(&c, &conf, "first")).await;
    assert_twilio_error(status, &missing, 404, 20404);
});

server_test!(end_on_exit_kicks_and_full_rooms, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "212").await;
    let host = caller(
        &s,
        &c,
        &from,
        "<Response><Dial><Conference endConferenceOnExit=\"true\" participantLabel=\"host\">\
         board</Conference></Dial></Response>",
    )
    .await;
    let guest = caller(
        &s,
        &c,
        &from,
        "<Response><Dial><Conference>board</Conference></Dial><Say>Left</Say></Response>",
    )
    .await;
    let kicked = caller(
        &s,
        &c,
        &from,
        "<Response><Dial><Conference>board</Conference></Dial><Say>Kicked</Say></Response>",
    )
    .await;
    let conf = conference_with(&s, &c, "board", 3).await;
    assert_eq!(conf["status"], "in-progress");

    // Kicked: its <Dial> goes on, the room stays.
    let kicked_sid = kicked["sid"].as_str().unwrap();
    let (status, _) = s
        .call(
            Some(&c),
            Method::DELETE,
            &participant_path(&c, &conf, kicked_sid),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let kicked_done = ended(&s, &c, &kicked).await;
    assert_eq!(kicked_done["status"], "completed");
    assert_eq!(participants(&s, &c, &conf, "").await.len(), 2);
    assert_eq!(fetch(&s, &c, &conf).await["status"], "in-progress");
    let (status, again) = s
        .call(
            Some(&c),
            Method::DELETE,
            &participant_path(&c, &conf, kicked_sid),
            &[],
        )
        .await;
    assert_twilio_error(status, &again, 404, 20404);

    // The host hangs up: the room ends, and the guest's <Dial> with it.
    let host_sid = host["sid"].as_str().unwrap();
    let (status, hung) = s
        .post(
            &c,
            &format!("{}/Calls/{host_sid}.json", base(&c)),
            &[("Status", "completed")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{hung}");
    let guest_done = ended(&s, &c, &guest).await;
    assert_eq!(guest_done["status"], "completed");
    let done = fetch(&s, &c, &conf).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["reason_conference_ended"],
        "participant-with-end-conference-on-exit-left"
    );
    assert_eq!(done["call_sid_ending_conference"], host_sid);

    // A full room: the <Dial> fails at once (16020) and the document goes on.
    let alone = caller(
        &s,
        &c,
        &from,
        "<Response><Dial><Conference maxParticipants=\"1\">tiny</Conference></Dial></Response>",
    )
    .await;
    let tiny = conference_with(&s, &c, "tiny", 1).await;
    let refused = caller(
        &s,
        &c,
        &from,
        "<Response><Dial><Conference>tiny</Conference></Dial><Say>Full</Say></Response>",
    )
    .await;
    let refused_done = ended(&s, &c, &refused).await;
    assert_eq!(refused_done["status"], "completed");
    assert_eq!(
        codes(&notifications_of(&s, &c, &refused).await),
        vec!["16020"]
    );
    // The last one leaves: the room ends.
    let alone_sid = alone["sid"].as_str().unwrap();
    s.post(
        &c,
        &format!("{}/Calls/{alone_sid}.json", base(&c)),
        &[("Status", "completed")],
    )
    .await;
    ended_sid(&s, &c, alone_sid).await;
    let tiny = fetch(&s, &c, &tiny).await;
    assert_eq!(tiny["status"], "completed");
    assert_eq!(tiny["reason_conference_ended"], "last-participant-left");

    // Another account's room is not found.
    let other = s.main_account(AccountType::Full).await;
    let (status, body) = s
        .get(
            &other,
            &format!(
                "{}/Conferences/{}.json",
                base(&other),
                tiny["sid"].as_str().unwrap()
            ),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(participants_are_dialled_in_by_name_or_sid, |s| {
    let c = s.main_account(AccountType::Full).await;
    let from = buy(&s, &c, "303").await;
    let by_name = format!("{}/Conferences/panel%20one/Participants.json", base(&c));
    let (status, added) = s
        .post(
            &c,
            &by_name,
            &[
                ("From", from.as_str()),
                ("To", crate::voice_calls::ANSWERS),
                ("Label", "guest"),
                ("Muted", "true"),
                ("StartConferenceOnEnter", "false"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_answer(openapi::api_2010(), PARTICIPANTS, "post", 201, &added);
    assert_eq!(added["status"], "queued");
    assert_eq!(added["label"], "guest");
    assert_eq!(added["muted"], true);
    let conf_sid = added["conference_sid"].as_str().unwrap().to_owned();
    assert!(conf_sid.starts_with("CF"), "{added}");
    let conf = conference_with(&s, &c, "panel one", 1).await;
    assert_eq!(conf["sid"], conf_sid.as_str());
    assert_eq!(conf["status"], "init");
    let (status, guest) = s.get(&c, &participant_path(&c, &conf, "guest")).await;
    assert_eq!(status, StatusCode::OK, "{guest}");
    assert_eq!(guest["call_sid"], added["call_sid"]);
    assert_eq!(
        (&guest["muted"], &guest["status"]),
        (&Value::Bool(true), &Value::from("connected"))
    );

    // By SID: the second one starts it.
    let by_sid = format!("{}/Conferences/{conf_sid}/Participants.json", base(&c));
    let (status, second) = s
        .post(
            &c,
            &by_sid,
            &[("From", from.as_str()), ("To", crate::voice_calls::ANSWERS)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let conf = conference_with(&s, &c, "panel one", 2).await;
    assert_eq!(conf["status"], "in-progress");

    // Bad input, and conferences that are not there.
    let (status, body) = s
        .post(
            &c,
            &by_sid,
            &[
                ("From", from.as_str()),
                ("To", crate::voice_calls::ANSWERS),
                ("Muted", "x"),
            ],
        )
        .await;
    assert_twilio_error(status, &body, 400, 20001);
    let (status, body) = s.post(&c, &by_sid, &[("From", from.as_str())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let missing = format!(
        "{}/Conferences/CF{}/Participants.json",
        base(&c),
        "0".repeat(32)
    );
    let (status, body) = s
        .post(
            &c,
            &missing,
            &[("From", from.as_str()), ("To", crate::voice_calls::ANSWERS)],
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);

    end_room(&s, &c, &conf_sid).await;
    ended_sid(&s, &c, added["call_sid"].as_str().unwrap()).await;
    ended_sid(&s, &c, second["call_sid"].as_str().unwrap()).await;
});

server_test!(connect_apps_run_rooms_in_their_subaccount, |s| {
    let owner = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = Creds {
        sid: sub.clone(),
        token: owner.creds.token.clone(),
    };
    let from = buy(&s, &app, "415").await;
    let (status, added) = s
        .post(
            &app,
            &format!("{}/Conferences/app%20room/Participants.json", base(&app)),
            &[("From", from.as_str()), ("To", crate::voice_calls::ANSWERS)],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let conf = conference_with(&s, &app, "app room", 1).await;
    let item = format!(
        "{}/Conferences/{}.json",
        base(&app),
        conf["sid"].as_str().unwrap()
    );

    // get-all reads it and changes nothing.
    let reader = app_owner(&s, &["get-all"]).await;
    let reader_sub = authorize(&mut cust.browser, &reader.app).await;
    let as_reader = Creds {
        sid: reader_sub,
        token: reader.creds.token.clone(),
    };
    let (status, body) = s.get(&as_reader, &item).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sid"], conf["sid"]);
    let (status, body) = s.post(&as_reader, &item, &[("Status", "completed")]).await;
    assert_twilio_error(status, &body, 403, 20403);

    // A stranger finds nothing; the app ends its room.
    let stranger = s.main_account(AccountType::Full).await;
    let (status, body) = s
        .get(
            &stranger,
            &format!(
                "{}/Conferences/{}.json",
                base(&stranger),
                conf["sid"].as_str().unwrap()
            ),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, done) = s.post(&app, &item, &[("Status", "completed")]).await;
    assert_eq!(
        (status, done["status"].as_str()),
        (StatusCode::OK, Some("completed"))
    );
    ended_sid(&s, &app, added["call_sid"].as_str().unwrap()).await;
});

fn ten_times_faster(settings: &mut switchboard_domain::Settings) {
    settings.telephony.speed = switchboard_domain::telephony::SimSpeed::Factor(10.0);
}

server_test!(
    a_timed_clock_ends_a_stay_at_the_dial_time_limit,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml("/after", "<Response><Hangup/></Response>");
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "303").await;
        let after = receiver.url("/after");
        let short = caller(
            &s,
            &c,
            &from,
            &format!(
                "<Response><Dial timeLimit=\"20\" action=\"{after}\"><Conference>timed</Conference>\
                 </Dial></Response>"
            ),
        )
        .await;
        let long = caller(
            &s,
            &c,
            &from,
            "<Response><Dial><Conference>timed</Conference></Dial></Response>",
        )
        .await;
        // 20 simulated seconds in the room: two real ones.
        let done = ended(&s, &c, &short).await;
        assert_eq!(done["status"], "completed");
        let talked = crate::voice_calls::duration(&done);
        assert!((20..=22).contains(&talked), "{done}");
        let action = requests_to(&receiver, "/after", 1).await;
        assert_eq!(
            action[0].param("DialCallStatus").as_deref(),
            Some("completed")
        );
        // The other stays; the room goes on with it.
        let conf = conference_with(&s, &c, "timed", 1).await;
        assert_eq!(conf["status"], "in-progress");
        end_room(&s, &c, conf["sid"].as_str().unwrap()).await;
        ended(&s, &c, &long).await;
    }
);

/// How many requests `path` got so far.
fn count_to(receiver: &Receiver, path: &str) -> usize {
    receiver
        .received()
        .iter()
        .filter(|r| r.path_and_query.split('?').next() == Some(path))
        .count()
}

/// The conference once its status is `status`.
async fn conference_in(s: &TestServer, c: &Creds, conf: &Value, status: &str) -> Value {
    for _ in 0..400 {
        let got = fetch(s, c, conf).await;
        if got["status"] == status {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{conf} never went {status}");
}

server_test!(
    a_waiter_runs_the_wait_url_until_the_conference_starts,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        // <Dial> is not allowed in a conference's wait document.
        receiver.answer_twiml(
            "/wait",
            "<Response><Say>Please wait</Say><Dial>+15005550006</Dial>\
             <Pause length=\"1\"/></Response>",
        );
        receiver.answer_twiml("/after", "<Response><Hangup/></Response>");
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "617").await;
        let (wait, after) = (receiver.url("/wait"), receiver.url("/after"));
        let waiter = caller(
            &s,
            &c,
            &from,
            &format!(
                "<Response><Dial action=\"{after}\"><Conference startConferenceOnEnter=\"false\" \
                 waitUrl=\"{wait}\" waitMethod=\"GET\">lobby</Conference></Dial></Response>"
            ),
        )
        .await;
        let waiter_sid = waiter["sid"].as_str().unwrap();
        let conf = conference_with(&s, &c, "lobby", 1).await;
        assert_eq!(conf["status"], "init", "{conf}");
        // Requested, with the conference's parameters, and again while it
        // waits (each pass takes simulated time).
        let asked = requests_to(&receiver, "/wait", 3).await;
        for r in &asked {
            assert_eq!(r.method, "GET", "{r:?}");
            for (name, want) in [
                ("CallSid", waiter_sid),
                ("AccountSid", c.sid.as_str()),
                ("CallStatus", "in-progress"),
                ("ConferenceSid", conf["sid"].as_str().unwrap()),
                ("FriendlyName", "lobby"),
            ] {
                assert_eq!(r.param(name).as_deref(), Some(want), "{name}: {r:?}");
            }
        }
        let warned = notifications_of(&s, &c, &waiter).await;
        assert!(codes(&warned).contains(&"12200"), "{warned:?}");
        assert!(
            warned.iter().any(|(_, _, text)| text.contains("Dial")),
            "{warned:?}"
        );
        // It is listed while it waits; the room has not started.
        assert_eq!(fetch(&s, &c, &conf).await["status"], "init");

        // A moderator joins: the conference starts, and the wait stops.
        let moderator = caller(
            &s,
            &c,
            &from,
            "<Response><Dial><Conference>lobby</Conference></Dial></Response>",
        )
        .await;
        conference_with(&s, &c, "lobby", 2).await;
        conference_in(&s, &c, &conf, "in-progress").await;
        // A request already in the outbox may still go out.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let settled = count_to(&receiver, "/wait");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(count_to(&receiver, "/wait"), settled, "the wait went on");
        // The waiter is in the conference, at its <Dial>: ending the room
        // ends that <Dial>, completed.
        end_room(&s, &c, conf["sid"].as_str().unwrap()).await;
        let action = requests_to(&receiver, "/after", 1).await;
        assert_eq!(action[0].param("CallSid").as_deref(), Some(waiter_sid));
        assert_eq!(
            action[0].param("DialCallStatus").as_deref(),
            Some("completed")
        );
        ended(&s, &c, &waiter).await;
        ended(&s, &c, &moderator).await;
    }
);

server_test!(
    a_held_participant_runs_the_hold_url_and_announcements_are_requested,
    settings = ten_times_faster,
    |s| {
        let receiver = Receiver::start().await;
        receiver.answer_twiml("/hold", "<Response><Say>You are on hold</Say></Response>");
        // <Hangup> is not played into a conference.
        receiver.answer_twiml(
            "/announce",
            "<Response><Say>Attention please</Say><Hangup/></Response>",
        );
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "212").await;
        let twiml = "<Response><Dial><Conference>desk</Conference></Dial></Response>";
        let first = caller(&s, &c, &from, twiml).await;
        let second = caller(&s, &c, &from, twiml).await;
        let first_sid = first["sid"].as_str().unwrap();
        let conf = conference_with(&s, &c, "desk", 2).await;
        conference_in(&s, &c, &conf, "in-progress").await;
        let path = participant_path(&c, &conf, first_sid);

        // Held with a HoldUrl: the document is requested (GET unless
        // said), and again while the participant is held.
        let hold = receiver.url("/hold");
        let (status, held) = s
            .post(&c, &path, &[("Hold", "true"), ("HoldUrl", hold.as_str())])
            .await;
        assert_eq!(status, StatusCode::OK, "{held}");
        spec(PARTICIPANT, "post", &held);
        assert_eq!(held["hold"], true, "{held}");
        let asked = requests_to(&receiver, "/hold", 2).await;
        for r in &asked {
            assert_eq!(r.method, "GET", "{r:?}");
            assert_eq!(r.param("CallSid").as_deref(), Some(first_sid), "{r:?}");
            assert_eq!(
                r.param("ConferenceSid").as_deref(),
                conf["sid"].as_str(),
                "{r:?}"
            );
        }
        // Unheld: the hold document is not requested any more.
        let (status, unheld) = s.post(&c, &path, &[("Hold", "false")]).await;
        assert_eq!(status, StatusCode::OK, "{unheld}");
        spec(PARTICIPANT, "post", &unheld);
        assert_eq!(unheld["hold"], false, "{unheld}");
        tokio::time::sleep(Duration::from_millis(400)).await;
        let settled = count_to(&receiver, "/hold");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(count_to(&receiver, "/hold"), settled, "the hold went on");
        assert_eq!(participants(&s, &c, &conf, "").await.len(), 2);

        // An announcement to the participant, then to the whole room.
        let announce = receiver.url("/announce");
        let (status, body) = s
            .post(&c, &path, &[("AnnounceUrl", announce.as_str())])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        spec(PARTICIPANT, "post", &body);
        let told = requests_to(&receiver, "/announce", 1).await;
        assert_eq!(told[0].method, "POST", "{:?}", told[0]);
        assert_eq!(told[0].param("CallSid").as_deref(), Some(first_sid));
        assert_eq!(
            told[0].param("ConferenceSid").as_deref(),
            conf["sid"].as_str()
        );
        assert_eq!(told[0].param("FriendlyName").as_deref(), Some("desk"));
        // Its answer is read: the <Hangup> in it is skipped, with a warning.
        let mut warned = Vec::new();
        for _ in 0..200 {
            warned = notifications_of(&s, &c, &first).await;
            if !warned.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(codes(&warned), vec!["12200"], "{warned:?}");
        let item = format!(
            "{}/Conferences/{}.json",
            base(&c),
            conf["sid"].as_str().unwrap()
        );
        let (status, body) = s
            .post(
                &c,
                &item,
                &[
                    ("AnnounceUrl", announce.as_str()),
                    ("AnnounceMethod", "GET"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        spec(CONFERENCE, "post", &body);
        let told = requests_to(&receiver, "/announce", 2).await;
        assert_eq!(told[1].method, "GET", "{:?}", told[1]);
        assert_eq!(told[1].param("CallSid"), None, "{:?}", told[1]);
        assert_eq!(
            told[1].param("ConferenceSid").as_deref(),
            conf["sid"].as_str()
        );
        // Both calls are still in the room, which the API ends.
        assert_eq!(participants(&s, &c, &conf, "").await.len(), 2);
        let (status, _) = s.post(&c, &item, &[("Status", "completed")]).await;
        assert_eq!(status, StatusCode::OK);
        ended(&s, &c, &first).await;
        ended(&s, &c, &second).await;
    }
);

// Ending a conference locks it and then its participants' calls; a call
// hanging up is locked and then leaves its conference. Both at once must
// not wait for each other (on PostgreSQL they deadlocked, and one failed).
server_test!(
    ending_a_room_while_a_caller_hangs_up_does_not_deadlock,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let from = buy(&s, &c, "415").await;
        for round in 0..8 {
            let name = format!("race{round}");
            let twiml =
                format!("<Response><Dial><Conference>{name}</Conference></Dial></Response>");
            let a = caller(&s, &c, &from, &twiml).await;
            let b = caller(&s, &c, &from, &twiml).await;
            let conf = conference_with(&s, &c, &name, 2).await;
            let ((hung, hung_body), (ended_status, end_body)) =
                crate::engine_races::hang_up_and_end(&s, &c, a["sid"].as_str().unwrap(), &conf)
                    .await;
            // The call may have ended with the room first: then it is over.
            let over = hung == StatusCode::BAD_REQUEST && hung_body["code"] == 21220;
            assert!(
                hung == StatusCode::OK || over,
                "round {round}: {hung} {hung_body}"
            );
            assert_eq!(ended_status, StatusCode::OK, "round {round}: {end_body}");
            ended(&s, &c, &a).await;
            ended(&s, &c, &b).await;
            assert_eq!(fetch(&s, &c, &conf).await["status"], "completed");
        }
    }
);
