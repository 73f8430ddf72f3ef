//! Authorising API requests: identify the caller from facts the store read, then
//! ask the policy. The only way to obtain an [`Access`], which every domain
//! operation on API resources requires.

pub mod policy;
pub mod principal;

use std::fmt;

use switchboard_store::Query;
use switchboard_store::access::{self as facts, AccountFacts, CallerFacts};
use switchboard_store::accounts::AccountScope;
use switchboard_types::{AccountSid, Permission};

pub use policy::{Action, Resource};
pub use principal::{ConnectPrincipal, Principal};

use crate::Switchboard;
use crate::error::{DomainError, DomainResult};

/// HTTP Basic credentials as presented. The password never appears in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    pub username: AccountSid,
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// What a request's path names.
#[derive(Debug, Clone, Copy)]
pub enum RequestTarget<'a> {
    AccountList,
    Account(&'a AccountSid),
    /// The path names an account by something that cannot be an Account SID: it
    /// is answered "not found", once the caller is known to be someone.
    Missing,
    Own,
}

impl<'a> RequestTarget<'a> {
    fn account(self) -> Option<&'a AccountSid> {
        match self {
            RequestTarget::Account(sid) => Some(sid),
            RequestTarget::AccountList | RequestTarget::Missing | RequestTarget::Own => None,
        }
    }
}

/// One API request, as the policy needs to see it.
#[derive(Debug, Clone, Copy)]
pub struct ApiRequest<'a> {
    pub credentials: &'a Credentials,
    pub action: Action,
    pub target: RequestTarget<'a>,
    pub resource: Resource,
}

/// Proof that a request was authorised, with what it may see. Only this module
/// makes one.
#[derive(Debug, Clone)]
pub struct Access {
    principal: Principal,
    target: Option<AccountFacts>,
    shows_auth_tokens: bool,
    account_scope: Option<AccountScope>,
}

impl Access {
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The account the path names (present whenever the request named one).
    pub fn target(&self) -> Option<&AccountFacts> {
        self.target.as_ref()
    }

    /// The target account, for operations that need one.
    pub fn target_account(&self) -> DomainResult<&AccountFacts> {
        self.target.as_ref().ok_or(DomainError::NotFound)
    }

    pub fn shows_auth_tokens(&self) -> bool {
        self.shows_auth_tokens
    }

    /// For listing accounts: which ones.
    pub fn account_scope(&self) -> DomainResult<&AccountScope> {
        self.account_scope.as_ref().ok_or(DomainError::NotFound)
    }
}

impl From<policy::Refusal> for DomainError {
    fn from(refusal: policy::Refusal) -> Self {
        match refusal {
            policy::Refusal::NotFound => DomainError::NotFound,
            policy::Refusal::MissingPermission(p) => {
                DomainError::Forbidden(missing_permission_message(p))
            }
            policy::Refusal::Forbidden(why) => DomainError::Forbidden(why.to_owned()),
        }
    }
}

fn missing_permission_message(p: Permission) -> String {
    let what = match p {
        Permission::GetAll => "Read all account data",
        Permission::PostAll => "Charge account for usage",
    };
    format!(
        "This Connect App does not have the '{}' permission ({what}) for this account; \
         the customer must authorize the app with it",
        p.as_str()
    )
}

impl Switchboard {
    /// Authorises a request that reads nothing yet (writes, and reads whose query
    /// depends on who asks).
    pub async fn authorize(&self, request: &ApiRequest<'_>) -> DomainResult<Access> {
        let facts = self
            .store()
            .read_caller(&request.credentials.username, request.target.account())
            .await?
            .ok_or(DomainError::Unauthenticated)?;
        self.decide(request, &facts)
    }

    /// Authorises a read and performs it in the same round trip. The rows are
    /// only returned when the policy allows the request.
    pub async fn authorize_read<T>(
        &self,
        request: &ApiRequest<'_>,
        resource: Query<'_, T>,
    ) -> DomainResult<(Access, Vec<T>)> {
        let (facts, rows) = self
            .store()
            .read_folded(facts::caller_with(
                &request.credentials.username,
                request.target.account(),
                resource,
            ))
            .await?
            .ok_or(DomainError::Unauthenticated)?;
        let access = self.decide(request, &facts)?;
        Ok((access, rows))
    }

    fn decide(&self, request: &ApiRequest<'_>, facts: &CallerFacts) -> DomainResult<Access> {
        let mac = self.keys().token_mac(&request.credentials.password);
        let principal = principal::identify(facts, &mac).ok_or(DomainError::Unauthenticated)?;
        let target = match request.target {
            RequestTarget::AccountList => policy::Target::AccountList,
            RequestTarget::Own => policy::Target::Own,
            RequestTarget::Missing => policy::Target::Missing,
            RequestTarget::Account(_) => facts
                .target
                .as_ref()
                .map_or(policy::Target::Missing, policy::Target::Account),
        };
        let allowed = policy::decide(&principal, request.action, target, request.resource)?;
        Ok(Access {
            principal,
            target: facts.target.clone(),
            shows_auth_tokens: allowed.shows_auth_tokens,
            account_scope: allowed.account_scope,
        })
    }
}
