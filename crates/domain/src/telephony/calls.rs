//! Calls: placing (`POST …/Calls.json`), listing, fetching, ending or
//! redirecting, deleting; and their recordings.

use switchboard_store::calls::{self, CallRecord};
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_store::phone_numbers;
use switchboard_store::recordings::{self, RecordingRecord};
use switchboard_telephony::magic::{self, Channel};
use switchboard_telephony::outcome::{self, DEFAULT_TIMEOUT_SECS};
use switchboard_telephony::phone::PhoneNumber;
use switchboard_types::{
    AccountSid, ApplicationSid, CallDirection, CallEvent, CallEvents, CallSid, CallStage,
    CallStatus, HookMethod, PhoneNumberSid, RecordingSid, RecordingStatus, Timestamp,
};

use super::simulator;
use super::{callback_signer, method_param, url_param};
use crate::Switchboard;
use crate::access::{Access, ApiRequest, Reader, Resource};
use crate::error::{DomainError, DomainResult};

pub use switchboard_store::calls::CallFilter;

/// A call as the API shows it: what was asked and what came of it, without
/// the simulator's plan for it (how it will end, when it moves on, who signs
/// its callbacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub sid: CallSid,
    pub account_sid: AccountSid,
    pub parent_call_sid: Option<CallSid>,
    pub to: String,
    pub from: String,
    /// The bought number it was placed from (none for Twilio's magic From).
    pub phone_number_sid: Option<PhoneNumberSid>,
    pub status: CallStatus,
    pub direction: CallDirection,
    pub start_time: Option<Timestamp>,
    pub end_time: Option<Timestamp>,
    /// Seconds talked, once it has ended.
    pub duration: Option<i64>,
    pub price_micros: Option<i64>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl From<CallRecord> for Call {
    fn from(c: CallRecord) -> Self {
        Call {
            sid: c.sid,
            account_sid: c.account_sid,
            parent_call_sid: c.parent_call_sid,
            to: c.to_number,
            from: c.from_number,
            phone_number_sid: c.phone_number_sid,
            status: c.status,
            direction: c.direction,
            start_time: c.start_time,
            end_time: c.end_time,
            duration: c.duration,
            price_micros: c.price_micros,
            date_created: c.date_created,
            date_updated: c.date_updated,
        }
    }
}

/// Calls are listed newest first by creation, as their rows are.
impl Keyed for Call {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

/// A recording of a call (its metadata: Switchboard records no audio).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    pub sid: RecordingSid,
    pub account_sid: AccountSid,
    pub call_sid: CallSid,
    /// Seconds.
    pub duration: i64,
    pub status: RecordingStatus,
    pub start_time: Timestamp,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl From<RecordingRecord> for Recording {
    fn from(r: RecordingRecord) -> Self {
        Recording {
            sid: r.sid,
            account_sid: r.account_sid,
            call_sid: r.call_sid,
            duration: r.duration,
            status: r.status,
            start_time: r.start_time,
            date_created: r.date_created,
            date_updated: r.date_updated,
        }
    }
}

impl Keyed for Recording {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.date_created.micros(),
            sid: self.sid.to_string(),
        }
    }
}

/// Twilio's codes for the Calls resource.
mod codes {
    pub const TO_REQUIRED: u32 = 21201;
    pub const INVALID_URL: u32 = 21205;
    pub const INVALID_METHOD: u32 = 21209;
    pub const FROM_NOT_VERIFIED: u32 = 21210;
    pub const INVALID_TO: u32 = 21211;
    pub const INVALID_FROM: u32 = 21212;
    pub const FROM_REQUIRED: u32 = 21213;
    pub const NOT_IN_PROGRESS: u32 = 21220;
    pub const INVALID_CALLBACK: u32 = 21609;
}

/// The parameters of `POST …/Calls.json`, as received.
#[derive(Debug, Clone, Default)]
pub struct NewCall {
    pub to: Option<String>,
    pub from: Option<String>,
    pub url: Option<String>,
    pub twiml: Option<String>,
    pub application_sid: Option<String>,
    pub method: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<String>,
    pub status_callback_events: Vec<String>,
    pub timeout: Option<String>,
    pub record: Option<String>,
}

/// `POST …/Calls/{Sid}.json`.
#[derive(Debug, Clone, Default)]
pub struct CallUpdate {
    pub status: Option<String>,
    pub url: Option<String>,
    pub twiml: Option<String>,
}

fn required<'a>(
    value: &'a Option<String>,
    param: &'static str,
    code: u32,
    what: &str,
) -> DomainResult<&'a str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| DomainError::invalid_with(param, code, what.to_owned()))
}

fn number(param: &'static str, value: &str, code: u32) -> DomainResult<PhoneNumber> {
    PhoneNumber::parse(value).map_err(|e| DomainError::invalid_with(param, code, e.to_string()))
}

fn boolean(param: &'static str, value: Option<&str>) -> DomainResult<bool> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(DomainError::invalid(
            param,
            format!("{param} must be true or false"),
        )),
    }
}

impl Switchboard {
    /// Checks that `from` may place calls or send messages for `account`: a
    /// number it owns with the capability, or Twilio's magic valid From. Returns
    /// the owned number's SID.
    pub(crate) async fn owned_sender(
        &self,
        account: &AccountSid,
        from: &PhoneNumber,
        channel: Channel,
        refusal: impl FnOnce() -> DomainError,
    ) -> DomainResult<Option<PhoneNumberSid>> {
        if magic::is_magic_valid_from(from) {
            return Ok(None);
        }
        let owned = self
            .store()
            .opt(phone_numbers::of_account_by_number(account, from.as_str()))
            .await?
            .filter(|n| match channel {
                Channel::Voice => n.voice_capable,
                Channel::Sms => n.sms_capable,
            });
        match owned {
            Some(n) => Ok(Some(n.sid)),
            None => Err(refusal()),
        }
    }

    /// Places a call from a number the target account owns. The call starts
    /// `queued`; the simulator plays out the rest.
    pub async fn create_call(&self, access: &Access, new: &NewCall) -> DomainResult<Call> {
        let account = access.target_account()?.clone();
        let to = required(
            &new.to,
            "To",
            codes::TO_REQUIRED,
            "No 'To' number is specified",
        )?;
        let to = number("To", to, codes::INVALID_TO)?;
        if let Some(r) = magic::check_to(&to, Channel::Voice) {
            return Err(DomainError::invalid_with("To", r.code, r.message));
        }
        let from = required(
            &new.from,
            "From",
            codes::FROM_REQUIRED,
            "No 'From' number is specified",
        )?;
        let from = number("From", from, codes::INVALID_FROM)?;
        if let Some(r) = magic::check_from(&from, Channel::Voice) {
            return Err(DomainError::invalid_with("From", r.code, r.message));
        }
        let url = url_param("Url", new.url.as_deref(), codes::INVALID_URL)?;
        let twiml = new.twiml.clone().filter(|t| !t.trim().is_empty());
        if twiml.as_ref().is_some_and(|t| t.chars().count() > 4000) {
            return Err(DomainError::invalid_with(
                "Twiml",
                codes::INVALID_URL,
                "Twiml must be at most 4000 characters long",
            ));
        }
        let application_sid = new
            .application_sid
            .as_deref()
            .filter(|a| !a.is_empty())
            .map(ApplicationSid::parse)
            .transpose()
            .map_err(|_| {
                DomainError::invalid_with(
                    "ApplicationSid",
                    codes::INVALID_URL,
                    "ApplicationSid must be an Application SID (AP followed by 32 hex digits)",
                )
            })?;
        if url.is_none() && twiml.is_none() && application_sid.is_none() {
            return Err(DomainError::invalid_with(
                "Url",
                codes::INVALID_URL,
                "One of Url, Twiml or ApplicationSid is required to tell the call what to do",
            ));
        }
        let method = method_param(
            "Method",
            new.method.as_deref(),
            HookMethod::Post,
            codes::INVALID_METHOD,
        )?;
        let status_callback = url_param(
            "StatusCallback",
            new.status_callback.as_deref(),
            codes::INVALID_CALLBACK,
        )?;
        let status_callback_method = method_param(
            "StatusCallbackMethod",
            new.status_callback_method.as_deref(),
            HookMethod::Post,
            codes::INVALID_METHOD,
        )?;
        let mut events = CallEvents::empty();
        for event in new
            .status_callback_events
            .iter()
            .flat_map(|e| e.split([' ', ',']))
        {
            let event = event.trim().to_ascii_lowercase();
            if event.is_empty() {
                continue;
            }
            let event = CallEvent::parse(&event).map_err(|_| {
                DomainError::invalid(
                    "StatusCallbackEvent",
                    format!(
                        "StatusCallbackEvent must be one of initiated, ringing, answered, completed; not '{}'",
                        event.chars().take(16).collect::<String>()
                    ),
                )
            })?;
            events = events.with(event);
        }
        if events.is_empty() {
            events = events.with(CallEvent::Completed);
        }
        let timeout = match new.timeout.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_TIMEOUT_SECS,
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|t| (1..=600).contains(t))
                .ok_or_else(|| {
                    DomainError::invalid(
                        "Timeout",
                        "Timeout must be a whole number of seconds from 1 to 600",
                    )
                })?,
        };
        let record = boolean("Record", new.record.as_deref())?;
        let phone_number_sid = self
            .owned_sender(&account.sid, &from, Channel::Voice, || {
                DomainError::invalid_with(
                    "From",
                    codes::FROM_NOT_VERIFIED,
                    format!(
                        "The source phone number provided, {from}, is not yet verified for your account. \
                         You may only make calls from phone numbers that you've verified or purchased."
                    ),
                )
            })
            .await?;
        let plan = outcome::plan_call(&to, timeout);
        let now = Timestamp::now();
        let speed = self.settings().telephony.speed;
        let call = CallRecord {
            sid: CallSid::generate(),
            account_sid: account.sid.clone(),
            parent_call_sid: None,
            to_number: to.as_str().to_owned(),
            from_number: from.as_str().to_owned(),
            phone_number_sid,
            status: CallStatus::Queued,
            direction: CallDirection::OutboundApi,
            url,
            twiml,
            application_sid,
            method,
            status_callback,
            status_callback_method,
            status_callback_events: events,
            callback_signer_sid: callback_signer(access)?,
            timeout_secs: i64::from(timeout),
            record,
            end_status: plan.end.status(),
            ring_secs: i64::from(plan.ring_secs),
            talk_secs: i64::from(plan.talk_secs),
            next_transition_at: Some(speed.due_after(now, simulator::QUEUE_SECS)),
            start_time: None,
            end_time: None,
            duration: None,
            price_micros: None,
            date_created: now,
            date_updated: now,
        };
        let mut tx = self.store().begin().await?;
        tx.run(calls::insert_many(std::slice::from_ref(&call)))
            .await?;
        let hooked = simulator::call_event(&mut tx, &call, CallEvent::Initiated, now).await?;
        tx.commit().await?;
        if hooked {
            self.wake_deliveries();
        }
        self.wake_simulator();
        tracing::info!(account = %account.sid, call = %call.sid, "placed a call");
        Ok(call.into())
    }

    /// Calls of `account`, for an API request (authorised in the same round
    /// trip as the read) or an access already granted (the console's).
    pub async fn list_calls<'r>(
        &self,
        reader: impl Into<Reader<'r>>,
        account: &AccountSid,
        filter: &CallFilter,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<Call>> {
        let reader = reader.into();
        Switchboard::reads(reader, account)?;
        let (query, shape) = calls::list(account, filter, at, size);
        let rows = self.read_as(reader, Resource::Calls, query).await?;
        Ok(shape.assemble(rows).map(Call::from))
    }

    pub async fn fetch_call(
        &self,
        request: &ApiRequest<'_>,
        account: &AccountSid,
        sid: &CallSid,
    ) -> DomainResult<Call> {
        let (_, mut rows) = self
            .authorize_read(request, calls::of_account(account, sid))
            .await?;
        rows.pop().map(Call::from).ok_or(DomainError::NotFound)
    }

    /// `POST …/Calls/{Sid}.json`: `Status=canceled` hangs up a queued or ringing
    /// call, `Status=completed` any live call; a new `Url` or `Twiml` redirects a
    /// call in progress.
    pub async fn update_call(
        &self,
        access: &Access,
        sid: &CallSid,
        update: &CallUpdate,
    ) -> DomainResult<Call> {
        let account = access.target_account()?.sid.clone();
        let status = match update.status.as_deref().map(str::to_ascii_lowercase) {
            None => None,
            Some(s) => match CallStatus::parse(&s) {
                Ok(s @ (CallStatus::Canceled | CallStatus::Completed)) => Some(s),
                _ => {
                    return Err(DomainError::invalid(
                        "Status",
                        "Status can only be set to canceled or completed",
                    ));
                }
            },
        };
        let url = url_param("Url", update.url.as_deref(), codes::INVALID_URL)?;
        // Two nodes may race the simulator for the call: the guarded update
        // tells the loser, which reads the call again.
        for _ in 0..3 {
            let mut tx = self.store().begin().await?;
            let mut call = tx
                .opt(calls::of_account(&account, sid))
                .await?
                .ok_or(DomainError::NotFound)?;
            let now = Timestamp::now();
            let expected = call.status;
            match (status, call.status.stage()) {
                (_, CallStage::Ended) => {
                    if status.is_none() && url.is_none() && update.twiml.is_none() {
                        return Ok(call.into());
                    }
                    return Err(DomainError::invalid_with(
                        "Status",
                        codes::NOT_IN_PROGRESS,
                        "Call is not in-progress. Cannot redirect.",
                    ));
                }
                // Twilio cancels a call that was never answered, whichever
                // status was asked for.
                (Some(_), CallStage::Queued | CallStage::Ringing) => {
                    self.end_call(&mut call, CallStatus::Canceled, now, 0);
                }
                (Some(s), CallStage::InProgress) => {
                    if s == CallStatus::Canceled {
                        return Err(DomainError::invalid_with(
                            "Status",
                            codes::NOT_IN_PROGRESS,
                            "A call in progress cannot be canceled; set Status=completed to hang up",
                        ));
                    }
                    let talked = simulator::elapsed_sim_secs(
                        self.settings().telephony.speed,
                        call.start_time.unwrap_or(now),
                        now,
                    )
                    .clamp(1, call.talk_secs.max(1));
                    self.end_call(&mut call, CallStatus::Completed, now, talked);
                }
                (None, CallStage::InProgress) => {
                    call.url = url.clone().or(call.url);
                    call.date_updated = now;
                }
                (None, _) => {
                    return Err(DomainError::invalid_with(
                        "Url",
                        codes::NOT_IN_PROGRESS,
                        "Call is not in-progress. Cannot redirect.",
                    ));
                }
            }
            if tx.run(calls::advance(&call, expected)).await? == 0 {
                continue;
            }
            let hooked = if call.status.is_final() {
                self.finish_call(&mut tx, &call, now).await?
            } else {
                false
            };
            tx.commit().await?;
            if hooked {
                self.wake_deliveries();
            }
            return Ok(call.into());
        }
        Err(DomainError::Conflict(
            "The call changed while it was being updated; try again".into(),
        ))
    }

    /// `DELETE …/Calls/{Sid}.json`: only a call that has ended.
    pub async fn delete_call(&self, access: &Access, sid: &CallSid) -> DomainResult<()> {
        let account = access.target_account()?.sid.clone();
        let mut tx = self.store().begin().await?;
        let call = tx
            .opt(calls::of_account(&account, sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if !call.status.is_final() {
            return Err(DomainError::Conflict(
                "A call that has not ended cannot be deleted; end it with Status=completed first"
                    .into(),
            ));
        }
        tx.run(calls::delete(&account, sid)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_recordings(
        &self,
        request: &ApiRequest<'_>,
        account: &AccountSid,
        call: Option<&CallSid>,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<Recording>> {
        let (query, shape) = recordings::list(account, call, at, size);
        let (_, rows) = self.authorize_read(request, query).await?;
        Ok(shape.assemble(rows).map(Recording::from))
    }

    pub async fn fetch_recording(
        &self,
        request: &ApiRequest<'_>,
        account: &AccountSid,
        sid: &RecordingSid,
    ) -> DomainResult<Recording> {
        let (_, mut rows) = self
            .authorize_read(request, recordings::of_account(account, sid))
            .await?;
        rows.pop().map(Recording::from).ok_or(DomainError::NotFound)
    }
}
