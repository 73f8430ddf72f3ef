//! The Twilio REST API as this app uses it: the customer's Account SID with the
//! app owner's auth token, following `next_page_uri` through every page.

use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401 or 403: the customer revoked the app, or never granted what it needs.
    #[error("Switchboard refused the request ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("Switchboard answered {status}: {message}")]
    Failed { status: u16, message: String },
    #[error("Switchboard could not be reached: {0}")]
    Unreachable(#[from] reqwest::Error),
}

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    owner_token: String,
}

impl Api {
    pub fn new(base: &str, owner_token: &str) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: base.trim_end_matches('/').to_owned(),
            owner_token: owner_token.to_owned(),
        }
    }

    async fn get(&self, account_sid: &str, uri: &str) -> Result<Value, ApiError> {
        let response = self
            .http
            .get(format!("{}{uri}", self.base))
            .basic_auth(account_sid, Some(&self.owner_token))
            .send()
            .await?;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let message = || body["message"].as_str().unwrap_or("no message").to_owned();
        match status {
            200 => Ok(body),
            401 | 403 => Err(ApiError::Refused {
                status,
                message: message(),
            }),
            _ => Err(ApiError::Failed {
                status,
                message: message(),
            }),
        }
    }

    /// Every item of a list, page after page, as the SDKs' `list()` does.
    pub async fn list_all(
        &self,
        account_sid: &str,
        first: &str,
        key: &str,
    ) -> Result<Vec<Value>, ApiError> {
        let mut items = Vec::new();
        let mut next = Some(first.to_owned());
        while let Some(uri) = next {
            let mut page = self.get(account_sid, &uri).await?;
            if let Some(Value::Array(list)) = page.get_mut(key).map(Value::take) {
                items.extend(list);
            }
            next = page["next_page_uri"].as_str().map(str::to_owned);
        }
        Ok(items)
    }
}
