//! Who an API request is: worked out from the caller facts the store read and the
//! MAC of the password presented.

use switchboard_store::access::CallerFacts;
use switchboard_types::{
    AccountSid, AccountStatus, ApiKeySid, ConnectAppSid, Permissions, SandboxSid,
};

use crate::secrets::Keys;

/// An authenticated API caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An account using its own credentials. Reaches itself and, for a main
    /// account, all its subaccounts.
    Account {
        sid: AccountSid,
        main: AccountSid,
        /// The account's world: `None` is the default world, otherwise its
        /// sandbox (whose routes its main accounts' credentials reach).
        world: Option<SandboxSid>,
    },
    /// A subaccount addressed with its parent's credentials. Reaches the
    /// subaccount alone.
    Parent { sub: AccountSid, parent: AccountSid },
    /// A Connect App acting in a customer's account: the username is the
    /// dedicated subaccount, the password the app owner's auth token.
    Connect(ConnectPrincipal),
    /// An API key and its secret: acts as the key's account, as that
    /// account's own credentials do, except where the policy keeps keys out
    /// (other keys, auth tokens, accounts).
    Key(KeyPrincipal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPrincipal {
    pub key: ApiKeySid,
    /// The key's account.
    pub account: AccountSid,
    /// Its main account (itself, for a main account's key).
    pub main: AccountSid,
    pub world: Option<SandboxSid>,
    /// The Connect App the key's main account owns, when the request's
    /// target is a customer's dedicated subaccount made for it: an app uses
    /// its owner's auth token there, never a key, and is told so.
    pub connect_app_on_target: Option<ConnectAppSid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectPrincipal {
    /// The dedicated subaccount S, made for this app when the customer approved.
    pub subaccount: AccountSid,
    /// The customer's main account U.
    pub customer: AccountSid,
    pub app: ConnectAppSid,
    pub app_owner: AccountSid,
    /// What the app may do now: what it requests ∩ what the customer granted.
    pub permissions: Permissions,
}

impl Principal {
    /// The main account whose data this principal acts on (the customer's, for a
    /// Connect App).
    pub fn acting_main(&self) -> &AccountSid {
        match self {
            Principal::Account { main, .. } => main,
            Principal::Parent { parent, .. } => parent,
            Principal::Connect(c) => &c.customer,
            Principal::Key(k) => &k.main,
        }
    }

    /// The account named by the request's username.
    pub fn username(&self) -> &AccountSid {
        match self {
            Principal::Account { sid, .. } => sid,
            Principal::Parent { sub, .. } => sub,
            Principal::Connect(c) => &c.subaccount,
            Principal::Key(k) => &k.account,
        }
    }
}

/// Identifies the caller, or `None` when the credentials identify nobody. Every
/// candidate token is compared, in constant time, whatever matches first.
pub fn identify(facts: &CallerFacts, presented_mac: &[u8; 32]) -> Option<Principal> {
    let user = &facts.username;
    let usable = user.status == AccountStatus::Active
        && (user.is_main() || facts.parent_status == Some(AccountStatus::Active));
    // A key's username names the key: only its secret is compared, never the
    // account's tokens.
    if let Some(key) = &facts.key {
        if !(usable && Keys::matches(presented_mac, &key.secret_mac)) {
            return None;
        }
        let connect_app_on_target = facts
            .grant
            .as_ref()
            .filter(|g| g.app_owner == user.owner_account_sid)
            .map(|g| g.app.clone());
        return Some(Principal::Key(KeyPrincipal {
            key: key.sid.clone(),
            account: user.sid.clone(),
            main: user.owner_account_sid.clone(),
            world: user.sandbox_sid.clone(),
            connect_app_on_target,
        }));
    }
    let own = Keys::matches_any(presented_mac, &facts.username_tokens);
    let parents = !user.is_main() && Keys::matches_any(presented_mac, &facts.parent_tokens);
    let connect = facts.grant.as_ref().and_then(|g| {
        let owner_token = Keys::matches_any(presented_mac, &g.app_owner_tokens);
        (owner_token && g.app_owner_status == AccountStatus::Active).then(|| {
            Principal::Connect(ConnectPrincipal {
                subaccount: user.sid.clone(),
                customer: user.owner_account_sid.clone(),
                app: g.app.clone(),
                app_owner: g.app_owner.clone(),
                permissions: g.app_permissions.intersect(g.granted_permissions),
            })
        })
    });
    if !usable {
        return None;
    }
    if own {
        Some(Principal::Account {
            sid: user.sid.clone(),
            main: user.owner_account_sid.clone(),
            world: user.sandbox_sid.clone(),
        })
    } else if parents {
        Some(Principal::Parent {
            sub: user.sid.clone(),
            parent: user.owner_account_sid.clone(),
        })
    } else {
        connect
    }
}
