//! The permission policy: who may do what to which account. Pure, small, and the
//! only place access is decided; every domain operation's [`super::Access`]
//! comes from [`decide`], whoever the actor.
//!
//! The rules are the contract's ("Authenticating API requests", "What a Connect
//! App may do"):
//! - an account's own credentials reach it and, for a main account, its
//!   subaccounts; a parent's credentials with a subaccount's SID reach that
//!   subaccount;
//! - a Connect App reads the customer's accounts with `get-all` (its dedicated
//!   subaccount alone with `post-all`), writes only in its dedicated subaccount and
//!   only with `post-all`, and never creates accounts, changes them, manages
//!   Connect Apps or sees tokens;
//! - anything outside the caller's reach is "not found", so nothing leaks about
//!   other customers;
//! - a console user acts as their main account's owner on its tree, and may
//!   upgrade it from Trial only where the installation allows it;
//! - the operator's command line may do anything it offers; the server's own
//!   workers only the simulated traffic and deliveries they are built for.

use switchboard_store::access::AccountFacts;
use switchboard_store::accounts::AccountScope;
use switchboard_types::{AccountSid, Permission, SandboxSid};

use super::actor::{Actor, ConsoleUser, SandboxCustomer};
use super::principal::{ConnectPrincipal, KeyPrincipal, Principal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// GET.
    Read,
    /// POST or DELETE.
    Write,
}

/// What the request's path names, as the policy sees it.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// `/Accounts.json`: listing accounts, or creating a subaccount.
    AccountList,
    /// An account named in the path, which exists.
    Account(&'a AccountFacts),
    /// An account named in the path that does not exist.
    Missing,
    /// The caller's own account, implied by the path (`/v1/AuthTokens/…`).
    Own,
    /// `/switchboard/v1/Sandboxes.json`: creating a sandbox (sandbox mode).
    Sandboxes,
    /// A sandbox named in the path, which exists.
    Sandbox(&'a SandboxSid),
}

/// The kind of resource a request reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The account itself: fetch, rename.
    Account,
    /// Changing an account's status (suspend, reactivate, close).
    AccountStatus,
    /// Upgrading a main account (and its subaccounts) from Trial to Full.
    AccountType,
    /// `/Accounts.json`: the list of accounts, and creating subaccounts.
    AccountList,
    /// Auth tokens: the secondary token, promotion.
    AuthTokens,
    ConnectApps,
    AuthorizedConnectApps,
    /// Outgoing webhooks of an app owner (an extension).
    Deliveries,
    /// Every callback a main account's Connect App caused, across its
    /// customers' dedicated subaccounts (an extension): its owner's alone.
    ConnectAppDeliveries,
    /// The grants of a main account's Connect App, customer by customer (an
    /// extension): its owner's alone, as [`Resource::ConnectAppDeliveries`].
    ConnectAppAuthorizations,
    /// What happened to an account, and who did it (the console's audit log).
    AuditLog,
    Calls,
    Messages,
    PhoneNumbers,
    AvailablePhoneNumbers,
    Recordings,
    /// The debugger's log of errors and warnings (Twilio's `Notifications`).
    Notifications,
    Usage,
    Balance,
    /// Messaging Services and their sender pools (`/v1/Services` on the
    /// messaging host), in the account the credentials name.
    MessagingServices,
    /// Who the credentials stand for (an extension: `/switchboard/v1/Principal.json`).
    /// Reached only through [`Target::Own`]; it shows the caller nothing beyond
    /// what its own credentials already say, so every principal may read it.
    Identity,
    /// TwiML Applications (`…/Applications`): a set of voice and messaging
    /// URLs that calls and numbers use instead of their own. Managed in a
    /// Connect App's dedicated subaccount with `post-all`, as the numbers
    /// that point to them.
    Applications,
    /// Usage triggers (`…/Usage/Triggers`): webhooks sent when the account's
    /// usage crosses a value. Managed in a Connect App's dedicated subaccount
    /// with `post-all`, as the billable activity they watch.
    UsageTriggers,
    /// Addresses (`…/Addresses`, and the numbers that use one): where a
    /// number's user is, which some countries require before a number is
    /// bought. Managed in a Connect App's dedicated subaccount with
    /// `post-all`, as the numbers bought with them.
    Addresses,
    /// Outgoing caller IDs (`…/OutgoingCallerIds`): numbers the account
    /// verified, by a validation request whose verification call is
    /// simulated, and may call from. Managed in a Connect App's dedicated
    /// subaccount with `post-all`, as the calls placed from them.
    OutgoingCallerIds,
    /// Short codes (`…/SMS/ShortCodes`): read, and their messaging URLs
    /// set, as phone numbers' are (a Connect App with `post-all` in its
    /// dedicated subaccount). Which account has which short code is the
    /// operator's ([`Resource::ShortCodeProvisioning`]).
    ShortCodes,
    /// Giving an account a short code, or taking it back: the operator's
    /// command line alone (Twilio's API has no such operation either: short
    /// codes are leased through Twilio, not bought through the API).
    ShortCodeProvisioning,
    /// A call's events (`…/Calls/{CallSid}/Events`): the requests sent to the
    /// application about the call and its answers. Read as the call is (a
    /// Connect App with `get-all`, or `post-all` in its dedicated
    /// subaccount); made only by the delivery pipeline, so never written.
    CallEvents,
    /// Network Traversal tokens (`…/Tokens.json`): STUN/TURN credentials,
    /// made and never stored; billable in Twilio, so a Connect App makes
    /// them in its dedicated subaccount with `post-all`.
    Tokens,
    /// API keys (`…/Keys`, `…/SigningKeys`): managed by the account's owner
    /// (its auth token, or the console); never by a Connect App, which
    /// Twilio does not let create or use keys on a customer's subaccount,
    /// nor by another key.
    ApiKeys,
    /// Conferences (`…/Conferences`), their participants and recordings:
    /// calls joined together, managed as the calls in them are.
    Conferences,
    /// Call queues (`…/Queues`) and their members: calls waiting to be
    /// dequeued, managed as the calls in them are.
    Queues,
    /// Transcriptions of recordings (`…/Transcriptions`): billable text made
    /// from a recording, read and deleted as recordings are.
    Transcriptions,
    /// A sandbox (sandbox mode): creating, reading, resetting and deleting it,
    /// and what it recorded. Reached only through [`Target::Sandboxes`] and
    /// [`Target::Sandbox`], and those targets reach nothing else.
    Sandbox,
}

impl Resource {
    pub const ALL: [Resource; 34] = [
        Resource::Account,
        Resource::AccountStatus,
        Resource::AccountType,
        Resource::AccountList,
        Resource::AuthTokens,
        Resource::ConnectApps,
        Resource::AuthorizedConnectApps,
        Resource::Deliveries,
        Resource::ConnectAppDeliveries,
        Resource::ConnectAppAuthorizations,
        Resource::AuditLog,
        Resource::Calls,
        Resource::Messages,
        Resource::PhoneNumbers,
        Resource::AvailablePhoneNumbers,
        Resource::Recordings,
        Resource::Notifications,
        Resource::Usage,
        Resource::Balance,
        Resource::MessagingServices,
        Resource::Identity,
        Resource::Applications,
        Resource::UsageTriggers,
        Resource::Addresses,
        Resource::OutgoingCallerIds,
        Resource::ShortCodes,
        Resource::ShortCodeProvisioning,
        Resource::CallEvents,
        Resource::ApiKeys,
        Resource::Tokens,
        Resource::Conferences,
        Resource::Queues,
        Resource::Transcriptions,
        Resource::Sandbox,
    ];

    /// What `post-all` ("Charge account for usage") lets a Connect App create and
    /// delete in its dedicated subaccount: its billable activity, the
    /// notifications that activity left (deleted as messages are), the
    /// Messaging Services it is sent through, and the TwiML Applications its
    /// calls and numbers use, the usage triggers that watch its cost, the
    /// addresses its numbers are bought with, the caller IDs its calls are
    /// placed from and its short codes' settings.
    fn is_billable_activity(self) -> bool {
        matches!(
            self,
            Resource::Calls
                | Resource::Messages
                | Resource::PhoneNumbers
                | Resource::Recordings
                | Resource::Conferences
                | Resource::Queues
                | Resource::Transcriptions
                | Resource::Notifications
                | Resource::MessagingServices
                | Resource::Applications
                | Resource::Tokens
                | Resource::UsageTriggers
                | Resource::Addresses
                | Resource::OutgoingCallerIds
                | Resource::ShortCodes
        )
    }

    /// Resources that are never a Connect App's business, even to read.
    fn is_credential(self) -> bool {
        matches!(
            self,
            Resource::AuthTokens
                | Resource::Deliveries
                | Resource::ConnectAppDeliveries
                | Resource::ConnectAppAuthorizations
                | Resource::AuditLog
        )
    }
}

/// What an allowed request may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// Whether `auth_token` fields are shown (never to a Connect App).
    pub shows_auth_tokens: bool,
    /// For reading the account list: which accounts it shows.
    pub account_scope: Option<AccountScope>,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Outside the caller's reach, or nonexistent: the same answer for both.
    NotFound,
    /// A Connect App lacks a permission the customer could grant.
    MissingPermission(Permission),
    /// Not something this kind of caller may ever do.
    Forbidden(&'static str),
}

pub type Decision = Result<Allowed, Refusal>;

fn owner(scope: Option<AccountScope>) -> Decision {
    Ok(Allowed {
        shows_auth_tokens: true,
        account_scope: scope,
    })
}

fn connect(scope: Option<AccountScope>) -> Decision {
    Ok(Allowed {
        shows_auth_tokens: false,
        account_scope: scope,
    })
}

pub const SUBACCOUNTS_CANNOT_CREATE: &str =
    "Subaccounts cannot create subaccounts; use the main account's credentials";
pub const MAIN_STATUS_FIXED: &str =
    "The status of a main account cannot be changed through the API";
pub const OWN_STATUS_FIXED: &str =
    "A subaccount cannot change its own status; use the main account's credentials";
pub const APPS_BELONG_TO_MAIN: &str =
    "Connect Apps belong to main accounts; use the main account's SID";
pub const CONNECT_NO_ACCOUNTS: &str =
    "A Connect App cannot create, change, suspend or close accounts";
pub const CONNECT_NO_CREDENTIALS: &str =
    "A Connect App cannot see or manage auth tokens or deliveries";
pub const CONNECT_NO_APPS: &str =
    "A Connect App cannot manage the customer's Connect Apps or authorizations";
pub const CONNECT_OWN_SUBACCOUNT: &str =
    "A Connect App can only create or delete resources in its own dedicated subaccount";
pub const CONNECT_NO_KEYS: &str = "Twilio Connect cannot create or use API keys on customer subaccounts: \
     a Connect App authenticates with the dedicated subaccount's SID and its owner's auth token";
pub const KEYS_NOT_FOR_CONNECT: &str = "An API key cannot be used on a customer's subaccount made for your \
     Connect App: Twilio Connect authenticates with that subaccount's SID and the app owner's auth token";
pub const KEYS_NOT_ADMIN: &str = "An API key cannot manage API keys, auth tokens or accounts; \
     use the account's auth token";
pub const NOT_WRITABLE: &str = "This resource cannot be changed";
pub const SHORT_CODES_BY_OPERATOR: &str = "Short codes are provisioned by the operator (switchboard short-codes add), not through the API";
pub const UPGRADE_NOT_API: &str =
    "Accounts are upgraded by the operator (or in the console, where allowed), not through the API";
pub const SELF_UPGRADE_OFF: &str =
    "Upgrading is not available here; ask the operator to upgrade your account";
pub const WORKER_ONLY_TRAFFIC: &str =
    "A worker only advances simulated traffic and sends deliveries";
pub const SANDBOX_CUSTOMER_ONLY_CONSENTS: &str =
    "Through a sandbox's control plane a customer only authorizes or denies Connect Apps";
pub const ANONYMOUS_ONLY_CREATES_SANDBOXES: &str =
    "Without credentials, the only thing to do is to create a sandbox";

/// Reading who one is (`Resource::Identity` on `Target::Own`), the same for every
/// principal.
fn identity(action: Action, allowed: Decision) -> Decision {
    match action {
        Action::Read => allowed,
        Action::Write => Err(Refusal::Forbidden(NOT_WRITABLE)),
    }
}

/// Decides one request.
pub fn decide(actor: &Actor, action: Action, target: Target<'_>, resource: Resource) -> Decision {
    // Made only to decide on Connect Apps: not even a sandbox is its to make.
    if let Actor::SandboxCustomer(c) = actor {
        return decide_sandbox_customer(c, action, target, resource);
    }
    if resource == Resource::Sandbox || matches!(target, Target::Sandboxes | Target::Sandbox(_)) {
        return decide_sandbox(actor, action, target, resource);
    }
    match actor {
        Actor::Credential(Principal::Account { sid, main, .. }) => {
            decide_owner(sid, sid == main, false, action, target, resource)
        }
        Actor::Credential(Principal::Parent { sub, .. }) => {
            decide_owner(sub, false, true, action, target, resource)
        }
        Actor::Credential(Principal::Connect(app)) => decide_connect(app, action, target, resource),
        Actor::Credential(Principal::Key(key)) => decide_key(key, action, target, resource),
        Actor::Console(user) => decide_console(user, action, target, resource),
        Actor::Operator => decide_operator(target),
        Actor::Worker(_) => decide_worker(target, resource),
        Actor::Anonymous => Err(Refusal::Forbidden(ANONYMOUS_ONLY_CREATES_SANDBOXES)),
        Actor::SandboxCustomer(c) => decide_sandbox_customer(c, action, target, resource),
    }
}

/// A sandbox's control plane acting for one of its customers (headless
/// consent) does what the customer does on the consent page, and nothing
/// else: authorize or deny a Connect App for that main account of that
/// sandbox.
fn decide_sandbox_customer(
    c: &SandboxCustomer,
    action: Action,
    target: Target<'_>,
    resource: Resource,
) -> Decision {
    match target {
        Target::Account(t)
            if t.sid == c.customer && t.is_main() && t.sandbox_sid.as_ref() == Some(&c.sandbox) =>
        {
            match (action, resource) {
                (Action::Write, Resource::AuthorizedConnectApps) => owner(None),
                _ => Err(Refusal::Forbidden(SANDBOX_CUSTOMER_ONLY_CONSENTS)),
            }
        }
        _ => Err(Refusal::NotFound),
    }
}

/// Sandboxes (the routes only exist in sandbox mode, which is not the
/// policy's business): anyone may create one, a caller without credentials
/// included; a sandbox is reached, read, reset and deleted only with the
/// credentials of one of its own main accounts (or by the operator). A
/// sandbox's accounts, subaccounts, Connect Apps and console users reach it no
/// other way, and no one reaches anything else through a sandbox's path.
fn decide_sandbox(
    actor: &Actor,
    action: Action,
    target: Target<'_>,
    resource: Resource,
) -> Decision {
    if resource != Resource::Sandbox {
        return Err(Refusal::NotFound);
    }
    match target {
        Target::Sandboxes => match (action, actor) {
            (Action::Read, _) => Err(Refusal::NotFound),
            (Action::Write, Actor::Worker(_)) => Err(Refusal::Forbidden(WORKER_ONLY_TRAFFIC)),
            (Action::Write, _) => owner(None),
        },
        Target::Sandbox(sandbox) => match actor {
            Actor::Operator => owner(None),
            Actor::Credential(Principal::Account { sid, main, world })
                if sid == main && world.as_ref() == Some(sandbox) =>
            {
                owner(None)
            }
            _ => Err(Refusal::NotFound),
        },
        Target::AccountList | Target::Account(_) | Target::Missing | Target::Own => {
            Err(Refusal::NotFound)
        }
    }
}

/// The console user is the owner of their main account, as its own
/// credentials would be; upgrading it is theirs only where the installation
/// allows it.
fn decide_console(
    user: &ConsoleUser,
    action: Action,
    target: Target<'_>,
    resource: Resource,
) -> Decision {
    if resource == Resource::AccountType && action == Action::Write {
        return match target {
            Target::Account(t) if t.sid == user.account => match user.may_upgrade_self {
                true => owner(None),
                false => Err(Refusal::Forbidden(SELF_UPGRADE_OFF)),
            },
            _ => Err(Refusal::NotFound),
        };
    }
    decide_owner(&user.account, true, false, action, target, resource)
}

/// The command line runs with the database's own authority: anything that
/// exists.
fn decide_operator(target: Target<'_>) -> Decision {
    match target {
        Target::Missing => Err(Refusal::NotFound),
        _ => owner(None),
    }
}

fn decide_worker(target: Target<'_>, resource: Resource) -> Decision {
    match (target, resource) {
        (Target::Missing, _) => Err(Refusal::NotFound),
        (
            Target::Account(_),
            Resource::Calls | Resource::Messages | Resource::Recordings | Resource::Deliveries,
        ) => connect(None),
        _ => Err(Refusal::Forbidden(WORKER_ONLY_TRAFFIC)),
    }
}

/// `account`: the account the credentials stand for; `is_main`: whether it is a
/// main account (reaching its subaccounts); `via_parent`: a parent acting on its
/// subaccount `account`.
fn decide_owner(
    account: &AccountSid,
    is_main: bool,
    via_parent: bool,
    action: Action,
    target: Target<'_>,
    resource: Resource,
) -> Decision {
    let target = match target {
        // Decided by `decide_sandbox`; a sandbox's path reaches no account.
        Target::Missing | Target::Sandboxes | Target::Sandbox(_) => {
            return Err(Refusal::NotFound);
        }
        Target::Own => {
            return match resource {
                Resource::AuthTokens => owner(None),
                Resource::Identity => identity(action, owner(None)),
                _ => Err(Refusal::NotFound),
            };
        }
        // Identity names no account: a path that does is not found.
        _ if resource == Resource::Identity => return Err(Refusal::NotFound),
        Target::AccountList if resource != Resource::AccountList => return Err(Refusal::NotFound),
        Target::AccountList => {
            return match (action, is_main) {
                (Action::Read, true) => owner(Some(AccountScope::Tree(account.clone()))),
                (Action::Read, false) => owner(Some(AccountScope::Single(account.clone()))),
                (Action::Write, true) => owner(None),
                (Action::Write, false) => Err(Refusal::Forbidden(SUBACCOUNTS_CANNOT_CREATE)),
            };
        }
        Target::Account(t) => t,
    };
    let reaches = if is_main {
        &target.owner_account_sid == account
    } else {
        &target.sid == account
    };
    if !reaches {
        return Err(Refusal::NotFound);
    }
    // What an app caused in its customers' accounts is shown to the main
    // account that owns the app, and only read.
    if matches!(
        resource,
        Resource::ConnectAppDeliveries | Resource::ConnectAppAuthorizations
    ) {
        return match (action, target.is_main()) {
            (Action::Write, _) => Err(Refusal::Forbidden(NOT_WRITABLE)),
            (Action::Read, false) => Err(Refusal::Forbidden(APPS_BELONG_TO_MAIN)),
            (Action::Read, true) => owner(None),
        };
    }
    if action == Action::Read {
        return owner(None);
    }
    match resource {
        Resource::AccountType => Err(Refusal::Forbidden(UPGRADE_NOT_API)),
        Resource::ShortCodeProvisioning => Err(Refusal::Forbidden(SHORT_CODES_BY_OPERATOR)),
        Resource::AccountStatus if target.is_main() => Err(Refusal::Forbidden(MAIN_STATUS_FIXED)),
        // A subaccount's status belongs to whoever holds the parent's credentials.
        Resource::AccountStatus if !(is_main || via_parent) => {
            Err(Refusal::Forbidden(OWN_STATUS_FIXED))
        }
        Resource::ConnectApps | Resource::AuthorizedConnectApps if !target.is_main() => {
            Err(Refusal::Forbidden(APPS_BELONG_TO_MAIN))
        }
        Resource::AccountList
        | Resource::AuditLog
        | Resource::AvailablePhoneNumbers
        | Resource::Usage
        | Resource::Balance
        | Resource::CallEvents => Err(Refusal::Forbidden(NOT_WRITABLE)),
        _ => owner(None),
    }
}

/// An API key acts as its account's own credentials do (reaching the
/// account and, for a main account's key, its subaccounts), except that it
/// manages no keys, auth tokens or accounts (Twilio's standard keys). Used
/// by a Connect App's owner on a customer's dedicated subaccount it is
/// refused with the reason, rather than "not found".
fn decide_key(
    key: &KeyPrincipal,
    action: Action,
    target: Target<'_>,
    resource: Resource,
) -> Decision {
    let is_main = key.account == key.main;
    if let Target::Account(t) = target {
        let reaches = match is_main {
            true => t.owner_account_sid == key.main,
            false => t.sid == key.account,
        };
        if !reaches && key.connect_app_on_target.is_some() {
            return Err(Refusal::Forbidden(KEYS_NOT_FOR_CONNECT));
        }
    }
    let allowed = decide_owner(&key.account, is_main, false, action, target, resource)?;
    let administers = match resource {
        Resource::ApiKeys | Resource::AuthTokens => true,
        Resource::Account
        | Resource::AccountStatus
        | Resource::AccountType
        | Resource::AccountList => action == Action::Write,
        _ => false,
    };
    match administers {
        true => Err(Refusal::Forbidden(KEYS_NOT_ADMIN)),
        false => Ok(allowed),
    }
}

fn decide_connect(
    app: &ConnectPrincipal,
    action: Action,
    target: Target<'_>,
    resource: Resource,
) -> Decision {
    let can_read_all = app.permissions.contains(Permission::GetAll);
    let can_charge = app.permissions.contains(Permission::PostAll);
    let target = match target {
        // Decided by `decide_sandbox`; a sandbox's path reaches no account.
        Target::Missing | Target::Sandboxes | Target::Sandbox(_) => {
            return Err(Refusal::NotFound);
        }
        Target::Own if resource == Resource::Identity => return identity(action, connect(None)),
        Target::Own => return Err(Refusal::Forbidden(CONNECT_NO_CREDENTIALS)),
        _ if resource == Resource::Identity => return Err(Refusal::NotFound),
        Target::AccountList if resource != Resource::AccountList => return Err(Refusal::NotFound),
        Target::AccountList => {
            return match action {
                Action::Write => Err(Refusal::Forbidden(CONNECT_NO_ACCOUNTS)),
                Action::Read if can_read_all => {
                    connect(Some(AccountScope::Tree(app.customer.clone())))
                }
                Action::Read if can_charge => {
                    connect(Some(AccountScope::Single(app.subaccount.clone())))
                }
                Action::Read => Err(Refusal::MissingPermission(Permission::GetAll)),
            };
        }
        Target::Account(t) => t,
    };
    if target.owner_account_sid != app.customer {
        return Err(Refusal::NotFound);
    }
    if resource == Resource::ApiKeys {
        return Err(Refusal::Forbidden(CONNECT_NO_KEYS));
    }
    if resource.is_credential() {
        return Err(Refusal::Forbidden(CONNECT_NO_CREDENTIALS));
    }
    let own_subaccount = target.sid == app.subaccount;
    match action {
        Action::Read if can_read_all || (own_subaccount && can_charge) => connect(None),
        Action::Read => Err(Refusal::MissingPermission(Permission::GetAll)),
        Action::Write => match resource {
            Resource::Account
            | Resource::AccountStatus
            | Resource::AccountType
            | Resource::AccountList => Err(Refusal::Forbidden(CONNECT_NO_ACCOUNTS)),
            Resource::ConnectApps | Resource::AuthorizedConnectApps => {
                Err(Refusal::Forbidden(CONNECT_NO_APPS))
            }
            r if !r.is_billable_activity() => Err(Refusal::Forbidden(NOT_WRITABLE)),
            _ if !own_subaccount => Err(Refusal::Forbidden(CONNECT_OWN_SUBACCOUNT)),
            _ if can_charge => connect(None),
            _ => Err(Refusal::MissingPermission(Permission::PostAll)),
        },
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
