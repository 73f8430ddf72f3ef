//! Answering machine detection (`MachineDetection` on `POST …/Calls.json`):
//! when the call is answered, what picked up is decided by the number called
//! (`switchboard_telephony::outcome::answered_by`, docs/telephony.md) and
//! reported as Twilio does: `AnsweredBy` on the request for the call's TwiML
//! (synchronous detection, which holds the call for the detection's time)
//! or on the `AsyncAmdStatusCallback` (asynchronous, through the delivery
//! pipeline), and as the call's `answered_by`.

use switchboard_store::Tx;
use switchboard_store::calls::CallRecord;
use switchboard_telephony::outcome;
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{HookMethod, MachineDetection, NotificationLevel, Timestamp};

use super::calls::NewCall;
use super::{method_param, url_param};
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::{CallField, DomainResult, Problem, invalid};
use crate::notifications::{self, NewNotification};

/// Twilio's warning for asynchronous detection without a callback URL.
pub const NO_AMD_CALLBACK: u32 = 21262;
/// `MachineDetectionTimeout` unless given, and its bounds.
pub const DEFAULT_TIMEOUT_SECS: u32 = 30;
const TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 3..=59;

/// The detection a call asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AmdRequest {
    pub detection: MachineDetection,
    pub timeout_secs: u32,
    pub async_amd: bool,
    pub callback: Option<String>,
    pub callback_method: HookMethod,
}

impl AmdRequest {
    /// Reads the request's parameters; `None` without `MachineDetection`
    /// (the other parameters then do nothing, as on Twilio).
    pub(crate) fn from_new(new: &NewCall) -> DomainResult<Option<AmdRequest>> {
        let detection = match new.machine_detection.as_deref().map(str::trim) {
            None | Some("") | Some("none") => return Ok(None),
            Some(d) => MachineDetection::parse(d).map_err(|_| {
                invalid(
                    CallField::MachineDetection,
                    Problem::NotOneOf {
                        allowed: vec!["Enable", "DetectMessageEnd"],
                        given: d.to_owned(),
                    },
                )
            })?,
        };
        let timeout_secs = match new.machine_detection_timeout.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_TIMEOUT_SECS,
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|t| TIMEOUT_RANGE.contains(t))
                .ok_or_else(|| {
                    invalid(
                        CallField::MachineDetectionTimeout,
                        Problem::OutOfRange {
                            min: i64::from(*TIMEOUT_RANGE.start()),
                            max: i64::from(*TIMEOUT_RANGE.end()),
                        },
                    )
                })?,
        };
        let async_amd = match new
            .async_amd
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("") | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(invalid(CallField::AsyncAmd, Problem::NotBoolean)),
        };
        let callback = url_param(
            CallField::AsyncAmdStatusCallback,
            new.async_amd_status_callback.as_deref(),
        )?;
        let callback_method = method_param(
            CallField::AsyncAmdStatusCallbackMethod,
            new.async_amd_status_callback_method.as_deref(),
            HookMethod::Post,
        )?;
        Ok(Some(AmdRequest {
            detection,
            timeout_secs,
            async_amd,
            callback,
            callback_method,
        }))
    }

    /// As stored on the call (`calls.machine_detection`).
    pub(crate) fn encode(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("MachineDetection", self.detection.as_str());
        s.append_pair("MachineDetectionTimeout", &self.timeout_secs.to_string());
        s.append_pair("AsyncAmd", if self.async_amd { "true" } else { "false" });
        if let Some(callback) = &self.callback {
            s.append_pair("AsyncAmdStatusCallback", callback);
        }
        s.append_pair(
            "AsyncAmdStatusCallbackMethod",
            self.callback_method.as_str(),
        );
        s.finish()
    }

    pub(crate) fn decode(stored: &str) -> Option<AmdRequest> {
        let mut request = AmdRequest {
            detection: MachineDetection::Enable,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            async_amd: false,
            callback: None,
            callback_method: HookMethod::Post,
        };
        let mut found = false;
        for (k, v) in url::form_urlencoded::parse(stored.as_bytes()) {
            match &*k {
                "MachineDetection" => {
                    request.detection = MachineDetection::parse(&v).ok()?;
                    found = true;
                }
                "MachineDetectionTimeout" => request.timeout_secs = v.parse().ok()?,
                "AsyncAmd" => request.async_amd = v == "true",
                "AsyncAmdStatusCallback" => request.callback = Some(v.into_owned()),
                "AsyncAmdStatusCallbackMethod" => {
                    request.callback_method = HookMethod::parse(&v).ok()?;
                }
                _ => {}
            }
        }
        found.then_some(request)
    }
}

/// What detection did when the call was answered.
#[derive(Debug, Default)]
pub(crate) struct Detected {
    /// `AnsweredBy` (and `MachineDetectionDuration`) for the request for
    /// the call's TwiML: synchronous detection only.
    pub params: Vec<(String, String)>,
    /// Simulated seconds synchronous detection held the call before its
    /// TwiML was requested.
    pub held_secs: i64,
    /// Whether a webhook was queued.
    pub hooked: bool,
}

/// The call is being answered: if it asked for detection, what answered is
/// set on it, and reported (the asynchronous callback queued, in `tx`).
pub(crate) async fn detect(
    tx: &mut Tx,
    call: &mut CallRecord,
    now: Timestamp,
) -> DomainResult<Detected> {
    let Some(request) = call
        .machine_detection
        .as_deref()
        .and_then(AmdRequest::decode)
    else {
        return Ok(Detected::default());
    };
    let Ok(to) = PhoneNumber::parse(&call.to_number) else {
        return Ok(Detected::default());
    };
    let (answered_by, millis) = outcome::answered_by(
        &to,
        request.detection == MachineDetection::DetectMessageEnd,
        request.timeout_secs,
    );
    call.answered_by = Some(answered_by);
    let params = vec![
        ("AnsweredBy".to_owned(), answered_by.as_str().to_owned()),
        ("MachineDetectionDuration".to_owned(), millis.to_string()),
    ];
    if !request.async_amd {
        return Ok(Detected {
            params,
            held_secs: i64::from(millis.div_ceil(1_000)),
            hooked: false,
        });
    }
    let Some(url) = request.callback else {
        let n = NewNotification {
            account: &call.account_sid,
            call_sid: Some(&call.sid),
            resource_sid: Some(call.sid.as_str()),
            error_code: NO_AMD_CALLBACK,
            level: NotificationLevel::Warning,
            message_text: "Answering Machine Detection ran asynchronously (AsyncAmd=true) but no AsyncAmdStatusCallback was given; the result is only in the call's answered_by".to_owned(),
            request_url: None,
            request_method: None,
            request_variables: None,
            response_headers: None,
            response_body: None,
        };
        notifications::record(tx, &n, now).await?;
        return Ok(Detected::default());
    };
    let mut all = vec![
        ("AccountSid".to_owned(), call.account_sid.to_string()),
        ("CallSid".to_owned(), call.sid.to_string()),
    ];
    all.extend(params);
    let hook = Webhook::notice(
        WebhookKind::AmdStatus,
        (call.account_sid.clone(), call.callback_signer_sid.clone()),
        Some(call.sid.to_string()),
        (request.callback_method, url),
        all,
    );
    delivery::enqueue(tx, &hook, now).await?;
    Ok(Detected {
        hooked: true,
        ..Detected::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_survive_their_stored_form() {
        let request = AmdRequest {
            detection: MachineDetection::DetectMessageEnd,
            timeout_secs: 12,
            async_amd: true,
            callback: Some("https://app.test/amd?x=1&y=2".into()),
            callback_method: HookMethod::Get,
        };
        assert_eq!(AmdRequest::decode(&request.encode()), Some(request));
        assert_eq!(AmdRequest::decode(""), None);
    }
}
