//! A recording's media: its `uri` without `.json` (`…/Recordings/{Sid}`,
//! `….wav`, and the same under `…/Calls/{CallSid}/`), as Twilio serves it.
//! The WAV file is made as it is sent (`switchboard_telephony::audio`);
//! `.mp3` is refused with a message that says where the WAV is, since
//! Switchboard has no MP3 encoder. The URL is enough, as at Twilio, unless
//! the operator asks for credentials (`serve --media-requires-auth`).

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use switchboard_domain::access::Resource;
use switchboard_telephony::audio::Wav;
use switchboard_types::{AccountSid, CallSid, RecordingSid};

use super::scope::AccountScope;
use crate::App;
use crate::twilio::ApiError;
use crate::twilio::error::codes;

/// The media types a recording's URL may ask for by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Wav,
    Mp3,
}

/// The recording SID and format a last segment names: `RE…`, `RE….wav`
/// or `RE….mp3`.
fn named(segment: &str) -> Option<(RecordingSid, Format)> {
    let (sid, format) = match segment.rsplit_once('.') {
        None => (segment, Format::Wav),
        Some((sid, "wav")) => (sid, Format::Wav),
        Some((sid, "mp3")) => (sid, Format::Mp3),
        Some(_) => return None,
    };
    RecordingSid::parse(sid).ok().map(|sid| (sid, format))
}

/// `GET …/Recordings/{Sid}` without `.json`: the recording's audio.
pub async fn audio(app: App, call: AccountScope) -> Result<Response, ApiError> {
    let (sid, format) = call
        .get("sid")
        .and_then(named)
        .ok_or_else(ApiError::not_found)?;
    let (recording, wav) = if app.sb.settings().telephony.media_requires_auth {
        let read = call.read(&app, Resource::Recordings).await?;
        app.sb
            .recording_audio(&read.request, read.account, &sid)
            .await?
    } else {
        let account = call
            .get("account")
            .and_then(|a| AccountSid::parse(a).ok())
            .ok_or_else(ApiError::not_found)?;
        app.sb.public_recording_audio(&account, &sid).await?
    };
    if let Some(segment) = call.get("call")
        && CallSid::parse(segment).ok() != recording.call_sid
    {
        return Err(ApiError::not_found());
    }
    match format {
        Format::Wav => Ok(wav_response(wav)),
        Format::Mp3 => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!(
                "Switchboard serves recordings as WAV only (it has no MP3 encoder): this recording is at the same URL with .wav, or with no extension (see docs/telephony.md#recordings); {sid}.mp3 is not served"
            ),
        )),
    }
}

/// The WAV file, streamed a second at a time.
fn wav_response(wav: Wav) -> Response {
    let header = Bytes::copy_from_slice(&wav.header());
    let second = Bytes::from(wav.second());
    let seconds = wav.seconds();
    let chunks = std::iter::once(header).chain((0..seconds).map(move |_| second.clone()));
    let body = Body::from_stream(futures_util::stream::iter(
        chunks.map(Ok::<Bytes, std::convert::Infallible>),
    ));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("audio/x-wav"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(wav.len()));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_names_a_sid_and_a_format() {
        let sid = RecordingSid::generate();
        assert_eq!(named(sid.as_str()), Some((sid.clone(), Format::Wav)));
        assert_eq!(
            named(&format!("{sid}.wav")),
            Some((sid.clone(), Format::Wav))
        );
        assert_eq!(
            named(&format!("{sid}.mp3")),
            Some((sid.clone(), Format::Mp3))
        );
        assert_eq!(named(&format!("{sid}.ogg")), None);
        assert_eq!(named("RE123.wav"), None);
    }
}
