//! A recording's media over real HTTP: its `uri` without `.json` serves a
//! WAV file of the recording's duration and channels (read back with a WAV
//! reader), public by default as at Twilio, behind the account's
//! credentials with `--media-requires-auth`; `.mp3` says why it is not
//! served; a deleted recording's media are gone.

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, basic};
use crate::telephony::buy;
use crate::voice_calls::{ended, place};
use crate::voice_record::recordings_of;

/// A call that records: `Record=true` (the whole call) and a `<Dial
/// record="record-from-answer-dual">` leg. Returns the call and its
/// recordings' JSON, the fewer channels first.
async fn recordings(s: &TestServer, c: &Creds) -> (Value, Vec<Value>) {
    let from = buy(s, c, "415").await;
    let twiml = "<Response><Pause length=\"3\"/>\
                 <Dial record=\"record-from-answer-dual\">+14155550101</Dial></Response>";
    let call = place(s, c, &from, &[("Twiml", twiml), ("Record", "true")]).await;
    ended(s, c, &call).await;
    let mut list = recordings_of(s, c, &call).await;
    assert_eq!(list.len(), 2, "{list:?}");
    list.sort_by_key(|r| r["channels"].as_i64());
    assert_eq!(list[1]["channels"], 2, "{list:?}");
    (call, list)
}

/// GETs `path` with or without credentials: status, content type, body.
pub(crate) async fn download(
    s: &TestServer,
    c: Option<&Creds>,
    path: &str,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = s.http.get(s.url(path));
    if let Some(c) = c {
        request = request.header("Authorization", basic(c.sid.as_str(), &c.token));
    }
    let resp = request.send().await.unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, resp.bytes().await.unwrap().to_vec())
}

/// The media path of a recording: its `uri` without `.json`.
fn media_path(recording: &Value) -> String {
    recording["uri"].as_str().unwrap().replace(".json", "")
}

/// Reads a WAV file: (channels, sample rate, bits, samples per channel).
pub(crate) fn read_wav(bytes: &[u8]) -> (u16, u32, u16, u32) {
    let reader = hound::WavReader::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let spec = reader.spec();
    (
        spec.channels,
        spec.sample_rate,
        spec.bits_per_sample,
        reader.duration(),
    )
}

server_test!(
    a_recordings_media_is_a_wav_of_its_duration_and_channels,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let (call, list) = recordings(&s, &c).await;
        for rec in &list {
            let seconds: u32 = rec["duration"].as_str().unwrap().parse().unwrap();
            let channels = rec["channels"].as_u64().unwrap() as u16;
            assert!(seconds > 0, "{rec}");
            let path = media_path(rec);
            // No credentials: the URL is enough, as at Twilio.
            let (status, content_type, bare) = download(&s, None, &path).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(content_type, "audio/x-wav");
            assert_eq!(read_wav(&bare), (channels, 8_000, 16, seconds * 8_000));
            assert_eq!(
                bare.len(),
                44 + (seconds * 8_000 * 2) as usize * channels as usize
            );
            let (status, _, wav) = download(&s, None, &format!("{path}.wav")).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(wav, bare);
            // Under the call's path too, not under another call's.
            let under_call = format!(
                "{}/Recordings/{}.wav",
                call["uri"].as_str().unwrap().trim_end_matches(".json"),
                rec["sid"].as_str().unwrap()
            );
            let (status, _, same) = download(&s, None, &under_call).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(same, bare);
            let other_call = under_call.replace(
                call["sid"].as_str().unwrap(),
                "CA00000000000000000000000000000000",
            );
            let (status, _, _) = download(&s, None, &other_call).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }

        // MP3 is refused, saying where the WAV is.
        let rec = &list[0];
        let (status, body) = s.get(&c, &format!("{}.mp3", media_path(rec))).await;
        assert_twilio_error(status, &body, 404, 20404);
        assert!(body["message"].as_str().unwrap().contains(".wav"), "{body}");
        // So is another extension, and a SID of another account.
        let (status, _, _) = download(&s, None, &format!("{}.ogg", media_path(rec))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let other = s.main_account(AccountType::Full).await;
        let elsewhere = media_path(rec).replace(c.sid.as_str(), other.sid.as_str());
        let (status, _, _) = download(&s, None, &elsewhere).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Deleting the recording removes its media.
        let (status, _) = s
            .call(
                Some(&c),
                reqwest::Method::DELETE,
                rec["uri"].as_str().unwrap(),
                &[],
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _, _) = download(&s, None, &media_path(rec)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

server_test!(
    with_media_requires_auth_a_recordings_media_asks_for_credentials,
    settings = |s| s.telephony.media_requires_auth = true,
    |s| {
        let c = s.main_account(AccountType::Full).await;
        let (_, list) = recordings(&s, &c).await;
        let path = media_path(&list[0]);
        let (status, _, _) = download(&s, None, &path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let other = s.main_account(AccountType::Full).await;
        let (status, _, _) = download(&s, Some(&other), &path).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{status}"
        );
        let (status, content_type, wav) = download(&s, Some(&c), &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "audio/x-wav");
        let seconds: u32 = list[0]["duration"].as_str().unwrap().parse().unwrap();
        let channels = list[0]["channels"].as_u64().unwrap() as u16;
        assert_eq!(read_wav(&wav), (channels, 8_000, 16, seconds * 8_000));
    }
);
