//! The parameters of a call's requests for TwiML, as Twilio's voice
//! webhooks send them.

use switchboard_store::calls::CallRecord;

use crate::telephony::inbound::Place;

/// Twilio's voice request parameters for `call`, with `CallStatus` as
/// given: who calls whom, where they are (as inbound messages' webhooks say
/// it), the direction, and the parent call of a dialled leg.
pub(crate) fn voice_params(call: &CallRecord, status: &str) -> Vec<(String, String)> {
    let (from, to) = (Place::of(&call.from_number), Place::of(&call.to_number));
    let mut params: Vec<(String, String)> = vec![
        ("AccountSid".into(), call.account_sid.to_string()),
        ("ApiVersion".into(), "2010-04-01".into()),
        ("CallSid".into(), call.sid.to_string()),
        ("CallStatus".into(), status.to_owned()),
        ("Called".into(), call.to_number.clone()),
        ("CalledCity".into(), to.city.clone()),
        ("CalledCountry".into(), to.country.clone()),
        ("CalledState".into(), to.state.clone()),
        ("CalledZip".into(), to.zip.clone()),
        ("Caller".into(), call.from_number.clone()),
        ("CallerCity".into(), from.city.clone()),
        ("CallerCountry".into(), from.country.clone()),
        ("CallerState".into(), from.state.clone()),
        ("CallerZip".into(), from.zip.clone()),
        ("Direction".into(), call.direction.as_str().to_owned()),
        ("From".into(), call.from_number.clone()),
        ("FromCity".into(), from.city),
        ("FromCountry".into(), from.country),
        ("FromState".into(), from.state),
        ("FromZip".into(), from.zip),
        ("To".into(), call.to_number.clone()),
        ("ToCity".into(), to.city),
        ("ToCountry".into(), to.country),
        ("ToState".into(), to.state),
        ("ToZip".into(), to.zip),
    ];
    if let Some(parent) = &call.parent_call_sid {
        params.push(("ParentCallSid".into(), parent.to_string()));
    }
    params
}
