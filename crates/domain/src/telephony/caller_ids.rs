//! Outgoing caller IDs (`…/OutgoingCallerIds`), reached by
//! [`Switchboard::caller_ids`]: numbers an account does not own but has
//! verified, which its calls may be placed from (`From` of `Calls.json`).
//!
//! A number is verified as Twilio verifies it: a validation request
//! (`POST …/OutgoingCallerIds.json`) answers with a six-digit code and the
//! SID of a verification call, which Switchboard places to the number from
//! [`VERIFIER`]. The call is a real call of the account (listed, fetched,
//! played by the simulator on the account's world's clock, after
//! `CallDelay` seconds), and free. The person who answers enters the code;
//! when the call ends, in the transaction that ends it
//! ([`Switchboard::verification_ended`]), the number becomes a caller ID
//! and the request's `StatusCallback` is put in the outbox with
//! `VerificationStatus=success` and the `OutgoingCallerIdSid`, or
//! `VerificationStatus=failed` when the call was not answered (numbers
//! ending `0486`, `0487`, `0488`, as any call), was hung up before the code
//! was entered, or reached a number ending [`WRONG_CODE_ENDING`], where the
//! wrong code is entered.

use rand::Rng;
use switchboard_store::Tx;
use switchboard_store::calls::{self, CallRecord};
use switchboard_store::outgoing_caller_ids::{self as store, CallerIdRecord, ValidationRecord};
use switchboard_store::page::{Page, PageAt};
use switchboard_store::phone_numbers;
use switchboard_telephony::outcome::{self, DEFAULT_TIMEOUT_SECS};
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{
    AccountSid, CallDirection, CallEvent, CallEvents, CallSid, CallStatus, HookMethod,
    OutgoingCallerIdSid, Timestamp,
};

use super::simulator::{self, main_of};
use super::{callback_signer, method_param, url_param};
use crate::Switchboard;
use crate::access::{Access, Reader, Resource};
use crate::audit::{self, Change, Event};
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::{CallerIdField as F, DomainError, DomainResult, Problem, invalid};
use crate::validate;

pub use switchboard_store::outgoing_caller_ids::CallerIdRecord as OutgoingCallerId;

/// The number verification calls come from: in Twilio's test range
/// (`+1500555…`), which no account can buy, so no other call is mistaken
/// for one.
pub const VERIFIER: &str = "+15005550010";
/// A number ending so answers its verification call, but the wrong code is
/// entered: the verification fails (docs/telephony.md).
pub const WRONG_CODE_ENDING: &str = "0489";
/// Simulated seconds the person called takes to hear the prompt and enter
/// the six digits.
pub const ENTRY_SECS: i64 = 12;
/// The longest `CallDelay`, in seconds (Twilio's).
const MAX_CALL_DELAY: i64 = 60;
/// The most keys an `Extension` may dial.
const MAX_EXTENSION: usize = 32;

/// What a validation request names (`None`: not given).
#[derive(Debug, Default, Clone)]
pub struct NewValidation {
    pub phone_number: Option<String>,
    pub friendly_name: Option<String>,
    pub call_delay: Option<String>,
    pub extension: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<String>,
}

/// The answer to a validation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationRequest {
    pub account_sid: AccountSid,
    pub call_sid: CallSid,
    pub friendly_name: String,
    pub phone_number: String,
    pub validation_code: String,
}

impl Switchboard {
    /// Outgoing caller IDs, in the account an access names.
    pub fn caller_ids(&self) -> CallerIds<'_> {
        CallerIds { sb: self }
    }
}

/// The outgoing caller IDs of the account an access names
/// (`Resource::OutgoingCallerIds`).
pub struct CallerIds<'a> {
    sb: &'a Switchboard,
}

/// Whether a call is a verification call: placed from [`VERIFIER`], which
/// no account owns or can verify, so from no number of an account.
pub(crate) fn is_verification_call(call: &CallRecord) -> bool {
    call.from_number == VERIFIER
        && call.direction == CallDirection::OutboundApi
        && call.phone_number_sid.is_none()
}

/// `CallDelay` as given: whole seconds from 0 to 60 (Twilio's default 0).
fn call_delay(value: Option<&str>) -> DomainResult<i64> {
    match value.map(str::trim) {
        None | Some("") => Ok(0),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=MAX_CALL_DELAY).contains(d))
            .ok_or_else(|| {
                invalid(
                    F::CallDelay,
                    Problem::OutOfRange {
                        min: 0,
                        max: MAX_CALL_DELAY,
                    },
                )
            }),
    }
}

/// `Extension` as given: keys dialled once the call connects.
fn extension(value: Option<&str>) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v)
            if v.len() <= MAX_EXTENSION
                && v.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'w' | 'W')) =>
        {
            Ok(Some(v.to_owned()))
        }
        Some(_) => Err(invalid(
            F::Extension,
            Problem::NotKeys { max: MAX_EXTENSION },
        )),
    }
}

impl CallerIds<'_> {
    /// `POST …/OutgoingCallerIds.json`: a validation request. Places the
    /// verification call (after `CallDelay` simulated seconds) and answers
    /// with its SID and the code the person called enters.
    pub async fn request_validation(
        &self,
        access: &Access,
        new: &NewValidation,
    ) -> DomainResult<ValidationRequest> {
        let (account, log) = access.write_target(Resource::OutgoingCallerIds)?;
        let number = match new.phone_number.as_deref().map(str::trim) {
            None | Some("") => return Err(invalid(F::Number, Problem::Missing)),
            Some(v) => {
                PhoneNumber::parse(v).map_err(|e| invalid(F::Number, Problem::NotPhoneNumber(e)))?
            }
        };
        let friendly_name = match new.friendly_name.as_deref().map(str::trim) {
            None | Some("") => number.formatted(),
            Some(v) => validate::friendly_name(F::Name, v)?,
        };
        let delay = call_delay(new.call_delay.as_deref())?;
        let extension = extension(new.extension.as_deref())?;
        let status_callback = url_param(F::StatusCallback, new.status_callback.as_deref())?;
        let status_callback_method = method_param(
            F::StatusCallbackMethod,
            new.status_callback_method.as_deref(),
            HookMethod::Post,
        )?;
        if number.as_str() == VERIFIER {
            // The verifier cannot verify itself.
            return Err(invalid(
                F::Number,
                Problem::OwnNumber {
                    number: number.to_string(),
                },
            ));
        }
        let db = self.sb.store();
        if db
            .opt(store::of_account_by_number(account, number.as_str()))
            .await?
            .is_some()
        {
            return Err(invalid(
                F::Number,
                Problem::AlreadyVerified {
                    number: number.to_string(),
                },
            ));
        }
        if db
            .opt(phone_numbers::of_account_by_number(
                account,
                number.as_str(),
            ))
            .await?
            .is_some()
        {
            return Err(invalid(
                F::Number,
                Problem::OwnNumber {
                    number: number.to_string(),
                },
            ));
        }
        let now = self.sb.now_for(access).await?;
        let speed = self.sb.settings().telephony.speed;
        let plan = outcome::plan_call(&number, DEFAULT_TIMEOUT_SECS);
        let signer = callback_signer(access)?;
        let call = CallRecord {
            sid: CallSid::generate(),
            account_sid: account.clone(),
            parent_call_sid: None,
            to_number: number.as_str().to_owned(),
            from_number: VERIFIER.to_owned(),
            phone_number_sid: None,
            status: CallStatus::Queued,
            direction: CallDirection::OutboundApi,
            url: None,
            twiml: None,
            application_sid: None,
            method: HookMethod::Post,
            status_callback: None,
            status_callback_method: HookMethod::Post,
            status_callback_events: CallEvents::empty().with(CallEvent::Completed),
            callback_signer_sid: signer.clone(),
            timeout_secs: i64::from(DEFAULT_TIMEOUT_SECS),
            record: false,
            end_status: plan.end.status(),
            ring_secs: i64::from(plan.ring_secs),
            // Hearing the prompt and entering the code, after any extension.
            talk_secs: ENTRY_SECS + extension.as_ref().map_or(0, |e| e.len() as i64 / 2),
            next_transition_at: Some(
                speed.due_after(now, simulator::QUEUE_SECS.saturating_add(delay)),
            ),
            start_time: None,
            end_time: None,
            duration: None,
            price_micros: None,
            date_created: now,
            date_updated: now,
            machine_detection: None,
            answered_by: None,
            peer_call_sid: None,
        };
        let validation = ValidationRecord {
            call_sid: call.sid.clone(),
            account_sid: account.clone(),
            phone_number: number.as_str().to_owned(),
            friendly_name: friendly_name.clone(),
            validation_code: format!("{:06}", rand::rng().random_range(0..1_000_000u32)),
            status_callback,
            status_callback_method,
            callback_signer_sid: signer,
            date_created: now,
        };
        let mut tx = db.begin().await?;
        tx.run(calls::insert_many(std::slice::from_ref(&call)))
            .await?;
        tx.run(store::insert_validation(&validation)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "outgoing-caller-id.validate",
            call.sid.as_str(),
            format!("{} ({friendly_name})", validation.phone_number),
        )
        .await?;
        tx.commit().await?;
        self.sb.wake_simulator();
        tracing::info!(account = %account, call = %call.sid, "requested a caller ID validation");
        Ok(ValidationRequest {
            account_sid: account.clone(),
            call_sid: call.sid,
            friendly_name,
            phone_number: validation.phone_number,
            validation_code: validation.validation_code,
        })
    }

    /// The account's caller IDs, oldest first, optionally only those of one
    /// number or name (authorised and read in one round trip for an API
    /// request).
    pub async fn list<'a>(
        &self,
        reader: Reader<'a>,
        (phone_number, friendly_name): (Option<&'a str>, Option<&'a str>),
        at: &'a PageAt,
        size: u32,
    ) -> DomainResult<Page<OutgoingCallerId>> {
        self.sb
            .read_page(reader, Resource::OutgoingCallerIds, |account| {
                store::list(account, phone_number, friendly_name, at, size)
            })
            .await
    }

    /// One caller ID of the account; anyone else's is not found.
    pub async fn get<'a>(
        &self,
        reader: Reader<'a>,
        sid: &'a OutgoingCallerIdSid,
    ) -> DomainResult<OutgoingCallerId> {
        self.sb
            .read_one(reader, Resource::OutgoingCallerIds, |account| {
                store::of_account(account, sid)
            })
            .await
    }

    /// Renames a caller ID (`FriendlyName`; absent leaves it as it is).
    pub async fn update(
        &self,
        access: &Access,
        sid: &OutgoingCallerIdSid,
        friendly_name: Option<&str>,
    ) -> DomainResult<OutgoingCallerId> {
        let (account, log) = access.write_target(Resource::OutgoingCallerIds)?;
        let name = friendly_name
            .map(|v| validate::friendly_name(F::Name, v))
            .transpose()?;
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let mut caller_id = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if let Some(name) = name {
            caller_id.friendly_name = name;
            caller_id.date_updated = now;
            tx.run(store::rename(&caller_id)).await?;
            audit::record_resource_change(
                &mut tx,
                access,
                log,
                "outgoing-caller-id.rename",
                sid.as_str(),
                format!("{} ({})", caller_id.phone_number, caller_id.friendly_name),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(caller_id)
    }

    /// Deletes a caller ID: calls can no longer be placed from it.
    pub async fn delete(&self, access: &Access, sid: &OutgoingCallerIdSid) -> DomainResult<()> {
        let (account, log) = access.write_target(Resource::OutgoingCallerIds)?;
        let mut tx = self.sb.store().begin().await?;
        let caller_id = tx
            .opt(store::of_account(account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        tx.run(store::delete(account, sid)).await?;
        audit::record_resource_change(
            &mut tx,
            access,
            log,
            "outgoing-caller-id.delete",
            sid.as_str(),
            caller_id.phone_number.clone(),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(caller_id = %sid, "deleted an outgoing caller ID");
        Ok(())
    }
}

impl Switchboard {
    /// A verification call ended (`call`, in `tx`, the transaction that ends
    /// it): decides its validation, makes the caller ID of a verified
    /// number, and puts the status callback in the outbox. `true` when a
    /// callback was queued.
    pub(crate) async fn verification_ended(
        &self,
        tx: &mut Tx,
        call: &CallRecord,
        now: Timestamp,
    ) -> DomainResult<bool> {
        let Some(validation) = tx.opt(store::validation_of_call(&call.sid)).await? else {
            return Ok(false);
        };
        if tx.run(store::delete_validation(&call.sid)).await? == 0 {
            // Another transaction decided it.
            return Ok(false);
        }
        let entered = call.status == CallStatus::Completed
            && call.duration.unwrap_or(0) >= call.talk_secs
            && !validation.phone_number.ends_with(WRONG_CODE_ENDING);
        let account = &validation.account_sid;
        let main = main_of(tx, account).await?;
        let verified = if entered {
            let existing = tx
                .opt(store::of_account_by_number(
                    account,
                    &validation.phone_number,
                ))
                .await?;
            let caller_id = match existing {
                Some(c) => c,
                None => {
                    let made = CallerIdRecord {
                        sid: OutgoingCallerIdSid::generate(),
                        account_sid: account.clone(),
                        phone_number: validation.phone_number.clone(),
                        friendly_name: validation.friendly_name.clone(),
                        date_created: now,
                        date_updated: now,
                    };
                    tx.run(store::insert(&made)).await?;
                    made
                }
            };
            Some(caller_id.sid)
        } else {
            None
        };
        // The simulated person's doing, so no access: the simulator's entry.
        audit::record(
            tx,
            Event {
                change: Change {
                    account: &main,
                    action: if verified.is_some() {
                        "outgoing-caller-id.verify"
                    } else {
                        "outgoing-caller-id.verify-failed"
                    },
                    app: None,
                    subject: Some(
                        verified
                            .as_ref()
                            .map_or(call.sid.as_str(), OutgoingCallerIdSid::as_str),
                    ),
                    permissions: None,
                    detail: Some(format!("{} by call {}", validation.phone_number, call.sid)),
                },
                actor: "simulator",
                ip: None,
            },
        )
        .await?;
        tracing::info!(
            call = %call.sid,
            verified = verified.is_some(),
            "a caller ID verification ended"
        );
        let Some(url) = validation.status_callback.clone() else {
            return Ok(false);
        };
        let mut params = vec![
            ("AccountSid", account.to_string()),
            ("ApiVersion", "2010-04-01".to_owned()),
            ("CallSid", call.sid.to_string()),
            ("CallStatus", call.status.as_str().to_owned()),
            ("Called", call.to_number.clone()),
            ("Caller", call.from_number.clone()),
            ("Direction", call.direction.as_str().to_owned()),
            ("From", call.from_number.clone()),
            ("To", call.to_number.clone()),
            ("CallDuration", call.duration.unwrap_or(0).to_string()),
            (
                "VerificationStatus",
                if verified.is_some() {
                    "success"
                } else {
                    "failed"
                }
                .to_owned(),
            ),
        ];
        if let Some(sid) = &verified {
            params.push(("OutgoingCallerIdSid", sid.to_string()));
        }
        let hook = Webhook::notice(
            WebhookKind::CallerIdVerification,
            (account.clone(), validation.callback_signer_sid.clone()),
            Some(call.sid.to_string()),
            (validation.status_callback_method, url),
            params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        );
        delivery::enqueue(tx, &hook, now).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_and_extensions_are_checked() {
        assert_eq!(call_delay(None).unwrap(), 0);
        assert_eq!(call_delay(Some("60")).unwrap(), 60);
        for bad in ["-1", "61", "1.5", "soon"] {
            assert!(call_delay(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(extension(Some("12w#*")).unwrap().as_deref(), Some("12w#*"));
        assert_eq!(extension(Some("")).unwrap(), None);
        for bad in ["12a", "1 2", &"1".repeat(33)] {
            assert!(extension(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_verifier_cannot_be_bought() {
        let verifier = PhoneNumber::parse(VERIFIER).unwrap();
        assert!(verifier.as_str().starts_with("+1500555"));
        assert!(!switchboard_telephony::magic::is_magic_valid_from(
            &verifier
        ));
    }
}
