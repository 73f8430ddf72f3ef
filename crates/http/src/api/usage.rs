//! `…/Usage/Records…` and `…/Balance.json`.

use crate::twilio::Json;
use axum::extract::State;
use chrono::NaiveDate;
use switchboard_domain::access::Resource;
use switchboard_domain::telephony::usage::{UsageList, UsageRequest, format_dollars};

use super::scope::AccountScope;
use super::telephony_json::{BalanceJson, UsageRecordJson};
use crate::App;
use crate::twilio::{ApiError, Envelope, Params, path};

/// `YYYY-MM-DD`, or Twilio's relative `-30days`.
fn date(params: &Params, name: &'static str) -> Result<Option<NaiveDate>, ApiError> {
    let Some(v) = params.get(name).map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(Some(d));
    }
    let relative = v
        .strip_prefix('-')
        .and_then(|r| r.strip_suffix("days"))
        .and_then(|n| n.parse::<u64>().ok());
    match relative {
        Some(days) => Ok(chrono::Utc::now()
            .date_naive()
            .checked_sub_days(chrono::Days::new(days))),
        None => Err(ApiError::bad_request(
            Some(name),
            format!(
                "{name} must be a date (YYYY-MM-DD) or a number of days ago (-30days), not '{}'",
                v.chars().take(32).collect::<String>()
            ),
        )),
    }
}

/// `…/Usage/Records.json`, and `…/Usage/Records/{List}.json` (`Daily.json`,
/// `ThisMonth.json`, …).
pub async fn records(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<Envelope<UsageRecordJson>>, ApiError> {
    let read = call.read(&app, Resource::Usage).await?;
    let list = match call.get("list") {
        None => Some(UsageList::All),
        Some(segment) => path::json_segment(segment).and_then(|s| UsageList::from_segment(Some(s))),
    };
    let list = read.named(list).await?;
    let params = call.query()?;
    let paging = read.paging()?;
    let include_subaccounts = match params
        .get("IncludeSubaccounts")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("") | Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(ApiError::bad_request(
                Some("IncludeSubaccounts"),
                "IncludeSubaccounts must be true or false",
            ));
        }
    };
    let report = UsageRequest {
        list,
        category: params
            .get("Category")
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
        start_date: date(params, "StartDate")?,
        end_date: date(params, "EndDate")?,
        include_subaccounts,
    };
    let page = app
        .sb
        .usage_records(
            &read.request,
            read.account,
            &report,
            &paging.at,
            paging.size,
        )
        .await?;
    read.envelope(list.json_key(), &paging, page, UsageRecordJson::from)
}

pub async fn balance(
    State(app): State<App>,
    call: AccountScope,
) -> Result<Json<BalanceJson>, ApiError> {
    let read = call.read(&app, Resource::Balance).await?;
    let (_, micros) = app.sb.balance(&read.request).await?;
    Ok(Json(BalanceJson {
        account_sid: read.account.to_string(),
        balance: format_dollars(micros),
        currency: app.sb.settings().telephony.prices.currency().to_owned(),
    }))
}
