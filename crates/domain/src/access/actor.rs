//! Who is acting: every caller of the domain, whatever door it came in by.

use std::borrow::Cow;

use switchboard_types::{AccountSid, SandboxSid};

use super::principal::Principal;

/// Every caller of a domain operation. The policy decides what each may do
/// ([`super::policy::decide`]); the audit log names it ([`Actor::audit_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An API request, after its credentials were checked.
    Credential(Principal),
    /// A signed-in console user, acting as the owner of their main account.
    Console(ConsoleUser),
    /// The operator's command line, which runs with the database's own
    /// authority.
    Operator,
    /// One of the server's own workers (named), doing what it is built for.
    Worker(&'static str),
    /// A caller without credentials: in sandbox mode, someone creating a
    /// sandbox.
    Anonymous,
    /// A customer of a sandbox deciding on a Connect App through the
    /// sandbox's control plane (headless consent, sandbox mode): the test,
    /// holding the sandbox's credentials, stands in for the customer on the
    /// consent page.
    SandboxCustomer(SandboxCustomer),
}

/// The customer a sandbox's control plane acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCustomer {
    pub sandbox: SandboxSid,
    /// A main account of that sandbox.
    pub customer: AccountSid,
    /// Who drives the control plane, as the audit log names them (the
    /// sandbox's main account whose credentials called it, or the operator).
    pub by: String,
}

/// A console user as the policy and the audit log see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleUser {
    pub email: String,
    /// The user's main account.
    pub account: AccountSid,
    /// The client's address, for the audit log.
    pub ip: Option<String>,
    /// Whether this installation lets console users upgrade their own Trial
    /// account (`serve --allow-self-upgrade`); fixed when the actor is made.
    pub may_upgrade_self: bool,
}

impl Actor {
    /// How the audit log names this actor: `api:{username}` for credentials,
    /// the user's email for the console, `operator` for the command line, the
    /// worker's name for a worker.
    pub fn audit_name(&self) -> Cow<'_, str> {
        match self {
            Actor::Credential(Principal::Key(k)) => Cow::Owned(format!("api:{}", k.key)),
            Actor::Credential(p) => Cow::Owned(format!("api:{}", p.username())),
            Actor::Console(user) => Cow::Borrowed(&user.email),
            Actor::Operator => Cow::Borrowed("operator"),
            Actor::Worker(name) => Cow::Borrowed(name),
            Actor::Anonymous => Cow::Borrowed("anonymous"),
            Actor::SandboxCustomer(c) => Cow::Owned(format!("{} via sandbox:{}", c.by, c.sandbox)),
        }
    }

    /// The client's address, when the actor came over the network and it is
    /// recorded.
    pub fn ip(&self) -> Option<&str> {
        match self {
            Actor::Console(user) => user.ip.as_deref(),
            Actor::Credential(_)
            | Actor::Operator
            | Actor::Worker(_)
            | Actor::Anonymous
            | Actor::SandboxCustomer(_) => None,
        }
    }

    /// The account the actor stands for, when it stands for one: the
    /// credentials' username, the console user's main account.
    pub fn own_account(&self) -> Option<&AccountSid> {
        match self {
            Actor::Credential(p) => Some(p.username()),
            Actor::Console(user) => Some(&user.account),
            Actor::SandboxCustomer(c) => Some(&c.customer),
            Actor::Operator | Actor::Worker(_) | Actor::Anonymous => None,
        }
    }

    /// The main account whose tree the actor works in, when it is bound to one.
    pub fn acting_main(&self) -> Option<&AccountSid> {
        match self {
            Actor::Credential(p) => Some(p.acting_main()),
            Actor::Console(user) => Some(&user.account),
            Actor::SandboxCustomer(c) => Some(&c.customer),
            Actor::Operator | Actor::Worker(_) | Actor::Anonymous => None,
        }
    }
}
