//! `GET …/Calls/{CallSid}/Events.json`: the requests sent to the application
//! about a call and what it answered, oldest first, in the shape of Twilio's
//! Call Event resource (`request`: `method`, `url`, `parameters` with
//! snake_case keys; `response`: `response_code`, `request_duration` in
//! milliseconds, `content_type`, `response_body`, `date_created`).

use axum::extract::State;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::call_events::CallRequestEvent;
use switchboard_types::CallSid;

use super::scope::AccountScope;
use crate::App;
use crate::twilio::{ApiError, Envelope, Json};

/// Twilio writes the parameters' names in snake_case (`CallSid` →
/// `call_sid`, `AddOns` → `add_ons`).
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let starts_word = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                // The last capital of a run that begins a word (`SIPDomain`).
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                // The first letter, or one after `_`.
                _ => false,
            };
            if starts_word {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The parameters as a JSON object, in the order sent (a repeated name
/// keeps its first value).
struct Parameters(Vec<(String, String)>);

impl Serialize for Parameters {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seen = std::collections::HashSet::new();
        let mut map = serializer.serialize_map(None)?;
        for (k, v) in &self.0 {
            let key = snake_case(k);
            if seen.insert(key.clone()) {
                map.serialize_entry(&key, v)?;
            }
        }
        map.end()
    }
}

#[derive(Serialize)]
struct RequestJson {
    method: String,
    url: String,
    parameters: Parameters,
}

#[derive(Serialize)]
struct ResponseJson {
    /// `null` when no answer came (see docs/telephony.md).
    response_code: Option<i64>,
    request_duration: Option<i64>,
    content_type: Option<String>,
    response_body: Option<String>,
    date_created: String,
}

#[derive(Serialize)]
pub struct CallEventJson {
    request: RequestJson,
    response: ResponseJson,
}

impl From<CallRequestEvent> for CallEventJson {
    fn from(e: CallRequestEvent) -> Self {
        let date_created = e.answered_at().rfc2822();
        CallEventJson {
            request: RequestJson {
                method: e.method,
                url: e.url,
                parameters: Parameters(e.parameters),
            },
            response: ResponseJson {
                response_code: e.response_code,
                request_duration: e.duration_ms,
                content_type: e.content_type,
                response_body: e.response_body,
                date_created,
            },
        }
    }
}

pub async fn list(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<CallEventJson>>, ApiError> {
    let read = call.read(&app, Resource::CallEvents).await?;
    let call_sid = read.within("call", CallSid::parse).await?;
    let paging = read.paging()?;
    let page = app
        .sb
        .call_events()
        .list((&read.request).into(), &call_sid, &paging.at, paging.size)
        .await?;
    read.envelope("events", &paging, page, CallEventJson::from)
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn parameter_names_become_snake_case() {
        for (twilio, snake) in [
            ("CallSid", "call_sid"),
            ("AccountSid", "account_sid"),
            ("ApiVersion", "api_version"),
            ("AddOns", "add_ons"),
            ("Digits", "digits"),
            ("DialCallDuration", "dial_call_duration"),
            ("SIPDomain", "sip_domain"),
            ("msg", "msg"),
            ("Called_Via", "called_via"),
            ("Param1Name", "param1_name"),
        ] {
            assert_eq!(snake_case(twilio), snake, "{twilio}");
        }
    }
}
