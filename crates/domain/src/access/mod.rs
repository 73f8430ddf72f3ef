//! Authorising every caller: identify the actor (API credentials from facts the
//! store read, a console session, the operator, a worker), then ask the policy.
//! The only way to obtain an [`Access`], which every domain operation requires.

pub mod actor;
pub mod policy;
pub mod principal;

use std::fmt;

use switchboard_store::Query;
use switchboard_store::access::{self as facts, AccountFacts, CallerFacts};
use switchboard_store::accounts::{self, AccountScope};
use switchboard_store::page::{Page, PageShape};
use switchboard_types::{AccountSid, ConnectAppSid, Permission, SandboxSid, Username};

pub use actor::{Actor, ConsoleUser, SandboxCustomer};
pub use policy::{Action, Resource};
pub use principal::{ConnectPrincipal, KeyPrincipal, Principal};

use crate::Switchboard;
use crate::console::ConsoleSession;
use crate::error::{DomainError, DomainResult};

/// HTTP Basic credentials as presented. The password never appears in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    /// An Account SID (with an auth token) or an API key's SID (with its
    /// secret).
    pub username: Username,
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
    /// `/switchboard/v1/Sandboxes.json` (sandbox mode).
    Sandboxes,
    /// `/switchboard/v1/Sandboxes/{Sid}…`, once the sandbox is known to exist.
    Sandbox(&'a SandboxSid),
}

impl<'a> RequestTarget<'a> {
    fn account(self) -> Option<&'a AccountSid> {
        match self {
            RequestTarget::Account(sid) => Some(sid),
            RequestTarget::AccountList
            | RequestTarget::Missing
            | RequestTarget::Own
            | RequestTarget::Sandboxes
            | RequestTarget::Sandbox(_) => None,
        }
    }

    fn sandbox(self) -> Option<&'a SandboxSid> {
        match self {
            RequestTarget::Sandbox(sid) => Some(sid),
            _ => None,
        }
    }

    /// The policy's view, given the facts of the account the path names.
    fn policy(self, account: Option<&'a AccountFacts>) -> policy::Target<'a> {
        match self {
            RequestTarget::AccountList => policy::Target::AccountList,
            RequestTarget::Own => policy::Target::Own,
            RequestTarget::Missing => policy::Target::Missing,
            RequestTarget::Sandboxes => policy::Target::Sandboxes,
            RequestTarget::Sandbox(sid) => policy::Target::Sandbox(sid),
            RequestTarget::Account(_) => {
                account.map_or(policy::Target::Missing, policy::Target::Account)
            }
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

/// Who reads: an API request, authorised in the same round trip as the read
/// (the hot path), or an actor whose [`Access`] was already granted.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    Request(&'a ApiRequest<'a>),
    Granted(&'a Access),
}

impl<'a> From<&'a ApiRequest<'a>> for Reader<'a> {
    fn from(request: &'a ApiRequest<'a>) -> Self {
        Reader::Request(request)
    }
}

impl<'a> From<&'a Access> for Reader<'a> {
    fn from(access: &'a Access) -> Self {
        Reader::Granted(access)
    }
}

/// Proof that the policy let an actor do an action on a resource of a target
/// account, with what it may see, and who it is for the audit log. Only this
/// module makes one (its fields are private), and every domain operation takes
/// one, so no caller can skip the policy.
#[derive(Debug, Clone)]
pub struct Access {
    actor: Actor,
    action: Action,
    resource: Resource,
    target: Option<AccountFacts>,
    /// The sandbox the path names, for an access to it.
    sandbox: Option<SandboxSid>,
    shows_auth_tokens: bool,
    account_scope: Option<AccountScope>,
}

impl Access {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Refuses to use this access for anything but what the policy allowed:
    /// every service operation names its action and resource.
    pub(crate) fn require(&self, action: Action, resource: Resource) -> DomainResult<()> {
        if self.resource == resource && (self.action == action || action == Action::Read) {
            Ok(())
        } else {
            Err(DomainError::Internal(format!(
                "an access to {:?} {:?} was used to {action:?} {resource:?}",
                self.action, self.resource
            )))
        }
    }

    /// For a change to one of an account's resources: the account the
    /// access may write `resource` in, and the main account whose audit log
    /// records it.
    pub(crate) fn write_target(
        &self,
        resource: Resource,
    ) -> DomainResult<(&AccountSid, &AccountSid)> {
        self.require(Action::Write, resource)?;
        let t = self.target_account()?;
        Ok((&t.sid, &t.owner_account_sid))
    }

    /// The Connect App acting, for an access granted to its credentials.
    pub fn app(&self) -> Option<&ConnectAppSid> {
        match self.principal() {
            Some(Principal::Connect(c)) => Some(&c.app),
            _ => None,
        }
    }

    /// The API principal, for an access granted to API credentials.
    pub fn principal(&self) -> Option<&Principal> {
        match &self.actor {
            Actor::Credential(p) => Some(p),
            _ => None,
        }
    }

    /// The account an operation on "one's own" account acts on (auth
    /// tokens): the target when one is named, else the actor's own.
    pub fn subject_account(&self) -> DomainResult<&AccountSid> {
        match &self.target {
            Some(t) => Ok(&t.sid),
            None => self.actor.own_account().ok_or(DomainError::NotFound),
        }
    }

    /// The main account an operation on the account list (creating a
    /// subaccount) acts under: the actor's tree, or the named target's.
    pub fn acting_main(&self) -> DomainResult<&AccountSid> {
        match (self.actor.acting_main(), &self.target) {
            (Some(main), _) => Ok(main),
            (None, Some(t)) => Ok(&t.owner_account_sid),
            (None, None) => Err(DomainError::NotFound),
        }
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

    /// The sandbox the access was granted on, for operations on one.
    pub fn sandbox(&self) -> DomainResult<&SandboxSid> {
        self.sandbox.as_ref().ok_or(DomainError::NotFound)
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

    /// Authorises a signed-in console user, who acts as their main account's
    /// owner (the client's address `ip` goes to the audit log).
    pub async fn console_access(
        &self,
        session: &ConsoleSession,
        ip: Option<&str>,
        target: RequestTarget<'_>,
        action: Action,
        resource: Resource,
    ) -> DomainResult<Access> {
        let actor = Actor::Console(ConsoleUser {
            email: session.email.clone(),
            account: session.account_sid.clone(),
            ip: ip.map(str::to_owned),
            may_upgrade_self: self.settings().allow_self_upgrade,
        });
        self.grant(actor, target, action, resource).await
    }

    /// Authorises the operator's command line. Only the `switchboard` binary's
    /// CLI calls this (a test keeps it out of the HTTP crate).
    pub async fn operator_access(
        &self,
        target: RequestTarget<'_>,
        action: Action,
        resource: Resource,
    ) -> DomainResult<Access> {
        self.grant(Actor::Operator, target, action, resource).await
    }

    /// Authorises one of the server's own workers.
    pub async fn worker_access(
        &self,
        worker: &'static str,
        target: RequestTarget<'_>,
        action: Action,
        resource: Resource,
    ) -> DomainResult<Access> {
        self.grant(Actor::Worker(worker), target, action, resource)
            .await
    }

    /// Authorises a caller without credentials (in sandbox mode, creating a
    /// sandbox: the policy allows it nothing else).
    pub async fn anonymous_access(
        &self,
        target: RequestTarget<'_>,
        action: Action,
        resource: Resource,
    ) -> DomainResult<Access> {
        self.grant(Actor::Anonymous, target, action, resource).await
    }

    /// Authorises a sandbox's control plane to decide, as `customer`, on the
    /// Connect App `app` (headless consent): `control` is the access granted
    /// to the sandbox's credentials on the sandbox, and the customer (a main
    /// account) and the app's owner must both live in that sandbox, or
    /// neither is found. The access is the customer's on the consent page:
    /// the same grants operations take it, and the policy allows it nothing
    /// else.
    pub async fn sandbox_customer_access(
        &self,
        control: &Access,
        customer: &AccountSid,
        app: &ConnectAppSid,
    ) -> DomainResult<Access> {
        if !self.settings().sandbox {
            return Err(DomainError::NotFound);
        }
        control.require(Action::Write, Resource::Sandbox)?;
        let sandbox = control.sandbox()?;
        let in_world = |a: &switchboard_store::accounts::AccountRecord| {
            a.sandbox_sid.as_ref() == Some(sandbox)
        };
        let app = self
            .store()
            .opt(switchboard_store::connect_apps::by_sid(app))
            .await?
            .ok_or(DomainError::NotFound)?;
        self.store()
            .opt(accounts::by_sid(&app.account_sid))
            .await?
            .filter(in_world)
            .ok_or(DomainError::NotFound)?;
        let actor = Actor::SandboxCustomer(SandboxCustomer {
            sandbox: sandbox.clone(),
            customer: customer.clone(),
            by: control.actor().audit_name().into_owned(),
        });
        let target = RequestTarget::Account(customer);
        self.grant(
            actor,
            target,
            Action::Write,
            Resource::AuthorizedConnectApps,
        )
        .await
    }

    /// Reads the target's facts and asks the policy, for actors that need no
    /// credentials checked.
    async fn grant(
        &self,
        actor: Actor,
        target: RequestTarget<'_>,
        action: Action,
        resource: Resource,
    ) -> DomainResult<Access> {
        let facts = match target.account() {
            Some(sid) => self
                .store()
                .opt(accounts::by_sid(sid))
                .await?
                .map(|a| AccountFacts {
                    sid: a.sid,
                    owner_account_sid: a.owner_account_sid,
                    status: a.status,
                    account_type: a.account_type,
                    sandbox_sid: a.sandbox_sid,
                }),
            None => None,
        };
        let allowed = policy::decide(&actor, action, target.policy(facts.as_ref()), resource)?;
        Ok(Access {
            actor,
            action,
            resource,
            target: facts,
            sandbox: target.sandbox().cloned(),
            shows_auth_tokens: allowed.shows_auth_tokens,
            account_scope: allowed.account_scope,
        })
    }

    /// Reads `query` (about `account`, see [`Self::reader_account`]) for
    /// `reader` reading `resource`: folded into the authorisation for an API
    /// request, on its own for an access already granted.
    pub(crate) async fn read_as<T>(
        &self,
        reader: Reader<'_>,
        resource: Resource,
        query: Query<'_, T>,
    ) -> DomainResult<Vec<T>> {
        match reader {
            Reader::Request(request) => Ok(self.authorize_read(request, query).await?.1),
            Reader::Granted(access) => {
                access.require(Action::Read, resource)?;
                Ok(self.store().all(query).await?)
            }
        }
    }

    /// The one row `query` finds in the account `reader` reads (see
    /// [`Self::read_as`]); none is "not found".
    pub(crate) async fn read_one<'a, T>(
        &self,
        reader: Reader<'a>,
        resource: Resource,
        query: impl FnOnce(&'a AccountSid) -> Query<'a, T>,
    ) -> DomainResult<T> {
        let account = self.reader_account(reader).await?;
        let mut rows = self.read_as(reader, resource, query(account)).await?;
        rows.pop().ok_or(DomainError::NotFound)
    }

    /// The page `list` asks for in the account `reader` reads (see
    /// [`Self::read_as`]).
    pub(crate) async fn read_page<'a, T>(
        &self,
        reader: Reader<'a>,
        resource: Resource,
        list: impl FnOnce(&'a AccountSid) -> (Query<'a, T>, PageShape),
    ) -> DomainResult<Page<T>> {
        let account = self.reader_account(reader).await?;
        let (query, shape) = list(account);
        Ok(shape.assemble(self.read_as(reader, resource, query).await?))
    }

    /// The access a read stands on: the one already granted, or the API
    /// request's, authorised now (for reads whose query depends on it).
    pub(crate) async fn reader_access(
        &self,
        reader: Reader<'_>,
        resource: Resource,
    ) -> DomainResult<Access> {
        match reader {
            Reader::Request(request) => self.authorize(request).await,
            Reader::Granted(access) => {
                access.require(Action::Read, resource)?;
                Ok(access.clone())
            }
        }
    }

    /// The account a read is about: the one the request's path names, or the
    /// access's target. A request naming none is answered as the policy
    /// answers it (unauthenticated, or not found).
    pub(crate) async fn reader_account<'a>(
        &self,
        reader: Reader<'a>,
    ) -> DomainResult<&'a AccountSid> {
        match reader {
            Reader::Request(request) => match request.target {
                RequestTarget::Account(sid) => Ok(sid),
                _ => {
                    self.authorize(request).await?;
                    Err(DomainError::NotFound)
                }
            },
            Reader::Granted(access) => Ok(&access.target_account()?.sid),
        }
    }

    /// Refuses a read of `account` by a reader that does not name it, so an
    /// access granted for one account cannot read another's rows.
    pub(crate) fn reads(reader: Reader<'_>, account: &AccountSid) -> DomainResult<()> {
        let named = match reader {
            Reader::Request(request) => request.target.account(),
            Reader::Granted(access) => access.target().map(|t| &t.sid),
        };
        match named == Some(account) {
            true => Ok(()),
            false => Err(DomainError::NotFound),
        }
    }

    /// The sandbox the account named by `credentials` lives in, when they
    /// identify someone (any principal: a Connect App acting in a dedicated
    /// subaccount belongs to that subaccount's world).
    pub(crate) async fn caller_sandbox(
        &self,
        credentials: &Credentials,
    ) -> DomainResult<Option<SandboxSid>> {
        let Some(facts) = self
            .store()
            .read_caller(&credentials.username, None)
            .await?
        else {
            return Ok(None);
        };
        let mac = self.keys().token_mac(&credentials.password);
        if principal::identify(&facts, &mac).is_none() {
            return Ok(None);
        }
        Ok(facts.username.sandbox_sid.clone())
    }

    fn decide(&self, request: &ApiRequest<'_>, facts: &CallerFacts) -> DomainResult<Access> {
        let mac = self.keys().token_mac(&request.credentials.password);
        let principal = principal::identify(facts, &mac).ok_or(DomainError::Unauthenticated)?;
        let target = request.target.policy(facts.target.as_ref());
        let actor = Actor::Credential(principal);
        let allowed = policy::decide(&actor, request.action, target, request.resource)?;
        Ok(Access {
            actor,
            action: request.action,
            resource: request.resource,
            target: facts.target.clone(),
            sandbox: request.target.sandbox().cloned(),
            shows_auth_tokens: allowed.shows_auth_tokens,
            account_scope: allowed.account_scope,
        })
    }
}
