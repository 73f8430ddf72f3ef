//! Every principal × action × target × resource, against the contract's tables.
//!
//! The expectations below are written from the contract's wording, row by row, and
//! deliberately not from the structure of `decide`, so the two can disagree.

use switchboard_store::access::AccountFacts;
use switchboard_store::accounts::AccountScope;
use switchboard_types::{
    AccountSid, AccountStatus, AccountType, ConnectAppSid, Permission, Permissions, SandboxSid,
};

use super::*;
use crate::access::actor::{Actor, ConsoleUser, SandboxCustomer};
use crate::access::principal::{ConnectPrincipal, KeyPrincipal, Principal};

struct World {
    customer: AccountFacts,    // U, a main account
    dedicated: AccountFacts,   // S, U's subaccount made for the app
    other_sub: AccountFacts,   // O, another subaccount of U
    foreign: AccountFacts,     // F, someone else's main account
    foreign_sub: AccountFacts, // F's subaccount
}

fn facts(sid: &AccountSid, owner: &AccountSid) -> AccountFacts {
    AccountFacts {
        sid: sid.clone(),
        owner_account_sid: owner.clone(),
        status: AccountStatus::Active,
        account_type: AccountType::Full,
        sandbox_sid: None,
    }
}

fn world() -> World {
    let u = AccountSid::generate();
    let f = AccountSid::generate();
    World {
        customer: facts(&u, &u),
        dedicated: facts(&AccountSid::generate(), &u),
        other_sub: facts(&AccountSid::generate(), &u),
        foreign: facts(&f, &f),
        foreign_sub: facts(&AccountSid::generate(), &f),
    }
}

fn connect_app(w: &World, permissions: &[Permission]) -> Actor {
    Actor::Credential(Principal::Connect(ConnectPrincipal {
        subaccount: w.dedicated.sid.clone(),
        customer: w.customer.sid.clone(),
        app: ConnectAppSid::generate(),
        app_owner: w.foreign.sid.clone(),
        permissions: Permissions::of(permissions),
    }))
}

const PERMISSION_SETS: [&[Permission]; 4] = [
    &[],
    &[Permission::GetAll],
    &[Permission::PostAll],
    &[Permission::GetAll, Permission::PostAll],
];

/// The contract's "What a Connect App may do", as an oracle.
fn connect_expectation(
    w: &World,
    perms: &[Permission],
    action: Action,
    target: Option<&AccountFacts>,
    resource: Resource,
) -> Decision {
    // Sandboxes are reached only through their own paths.
    if resource == Resource::Sandbox {
        return Err(Refusal::NotFound);
    }
    let get_all = perms.contains(&Permission::GetAll);
    let post_all = perms.contains(&Permission::PostAll);
    let hidden = |scope| {
        Ok(Allowed {
            shows_auth_tokens: false,
            account_scope: scope,
        })
    };
    let Some(t) = target else {
        // /Accounts.json is only the account list.
        if resource != Resource::AccountList {
            return Err(Refusal::NotFound);
        }
        return match action {
            Action::Read if get_all => hidden(Some(AccountScope::Tree(w.customer.sid.clone()))),
            Action::Read if post_all => hidden(Some(AccountScope::Single(w.dedicated.sid.clone()))),
            Action::Read => Err(Refusal::MissingPermission(Permission::GetAll)),
            Action::Write => Err(Refusal::Forbidden(CONNECT_NO_ACCOUNTS)),
        };
    };
    // Outside the customer's accounts: not found, whatever was asked.
    if t.owner_account_sid != w.customer.sid {
        return Err(Refusal::NotFound);
    }
    // "Who am I" names no account; a path naming one does not lead to it.
    if resource == Resource::Identity {
        return Err(Refusal::NotFound);
    }
    // API keys: Twilio Connect neither makes nor uses them on a customer's
    // accounts (issue 26), to read or to write.
    if resource == Resource::ApiKeys {
        return Err(Refusal::Forbidden(CONNECT_NO_KEYS));
    }
    // Tokens (and the app owner's deliveries, those its apps caused, and the
    // audit log) are never a Connect App's.
    if matches!(
        resource,
        Resource::AuthTokens
            | Resource::Deliveries
            | Resource::ConnectAppDeliveries
            | Resource::ConnectAppAuthorizations
            | Resource::AuditLog
    ) {
        return Err(Refusal::Forbidden(CONNECT_NO_CREDENTIALS));
    }
    let is_s = t.sid == w.dedicated.sid;
    match action {
        // GET on X = U or a subaccount of U: get-all; or X = S with post-all.
        Action::Read => {
            if get_all || (is_s && post_all) {
                hidden(None)
            } else {
                Err(Refusal::MissingPermission(Permission::GetAll))
            }
        }
        Action::Write => match resource {
            // POST /Accounts/{X}.json: never.
            Resource::Account
            | Resource::AccountStatus
            | Resource::AccountType
            | Resource::AccountList => Err(Refusal::Forbidden(CONNECT_NO_ACCOUNTS)),
            // Managing U's Connect Apps: never.
            Resource::ConnectApps | Resource::AuthorizedConnectApps => {
                Err(Refusal::Forbidden(CONNECT_NO_APPS))
            }
            // A call's events are the delivery pipeline's record: read only.
            // Which account has a short code is the operator's business.
            Resource::AvailablePhoneNumbers
            | Resource::ShortCodeProvisioning
            | Resource::Usage
            | Resource::Balance
            | Resource::CallEvents => Err(Refusal::Forbidden(NOT_WRITABLE)),
            // Answered above: only through a sandbox's own paths.
            Resource::Sandbox => Err(Refusal::NotFound),
            // Calls, messages, numbers, recordings under S: post-all. Elsewhere: never.
            // Notifications (the debugger's log) are deleted as messages are;
            // Messaging Services (issue 21) are managed in S with post-all, as
            // the numbers they send from.
            Resource::Calls
            | Resource::Messages
            | Resource::PhoneNumbers
            | Resource::Recordings
            | Resource::Notifications
            | Resource::MessagingServices
            // Conferences, queues and transcriptions (issue 27): as the
            // calls and recordings they are made of.
            | Resource::Conferences
            | Resource::Queues
            | Resource::Transcriptions
            // TwiML Applications (issue 23): in S with post-all, as the
            // numbers and calls that use them.
            | Resource::Applications
            // Network Traversal tokens (issue 26): billable, as calls.
            | Resource::Tokens
            // Usage triggers (issue 26): in S with post-all, as the
            // billable activity they watch.
            | Resource::UsageTriggers
            // Addresses (issue 26): in S with post-all, as the numbers
            // bought with them.
            | Resource::Addresses
            // Outgoing caller IDs (issue 26): in S with post-all, as the
            // calls placed from them; short codes' settings, as numbers'.
            | Resource::OutgoingCallerIds
            | Resource::ShortCodes => {
                if !is_s {
                    Err(Refusal::Forbidden(CONNECT_OWN_SUBACCOUNT))
                } else if post_all {
                    hidden(None)
                } else {
                    Err(Refusal::MissingPermission(Permission::PostAll))
                }
            }
            Resource::AuthTokens
            | Resource::Deliveries
            | Resource::ConnectAppDeliveries
            | Resource::ConnectAppAuthorizations
            | Resource::AuditLog
            | Resource::ApiKeys
            | Resource::Identity => unreachable!(),
        },
    }
}

fn targets(w: &World) -> Vec<Option<&AccountFacts>> {
    vec![
        None,
        Some(&w.customer),
        Some(&w.dedicated),
        Some(&w.other_sub),
        Some(&w.foreign),
        Some(&w.foreign_sub),
    ]
}

fn as_target(t: Option<&AccountFacts>) -> Target<'_> {
    t.map_or(Target::AccountList, Target::Account)
}

#[test]
fn connect_apps_follow_the_contract_table_everywhere() {
    let w = world();
    let mut checked = 0;
    for perms in PERMISSION_SETS {
        let principal = connect_app(&w, perms);
        for target in targets(&w) {
            for action in [Action::Read, Action::Write] {
                for resource in Resource::ALL {
                    let got = decide(&principal, action, as_target(target), resource);
                    let want = connect_expectation(&w, perms, action, target, resource);
                    assert_eq!(
                        got,
                        want,
                        "perms={perms:?} action={action:?} target={:?} resource={resource:?}",
                        target.map(|t| &t.sid)
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 4 * 6 * 2 * Resource::ALL.len());
}

#[test]
fn connect_apps_never_see_tokens_never_reach_other_customers_never_write_outside_s() {
    let w = world();
    for perms in PERMISSION_SETS {
        let principal = connect_app(&w, perms);
        for target in targets(&w) {
            for action in [Action::Read, Action::Write] {
                for resource in Resource::ALL {
                    let decision = decide(&principal, action, as_target(target), resource);
                    if let Ok(allowed) = &decision {
                        assert!(!allowed.shows_auth_tokens);
                        assert_ne!(resource, Resource::AuthTokens);
                        if action == Action::Write {
                            assert_eq!(target.map(|t| &t.sid), Some(&w.dedicated.sid));
                            assert!(perms.contains(&Permission::PostAll));
                        }
                    }
                    if let Some(t) = target
                        && t.owner_account_sid != w.customer.sid
                    {
                        assert_eq!(decision, Err(Refusal::NotFound));
                    }
                }
            }
        }
        assert_eq!(
            decide(&principal, Action::Read, Target::Own, Resource::AuthTokens),
            Err(Refusal::Forbidden(CONNECT_NO_CREDENTIALS))
        );
        assert_eq!(
            decide(&principal, Action::Read, Target::Missing, Resource::Calls),
            Err(Refusal::NotFound)
        );
    }
}

#[test]
fn contract_rows_spelled_out() {
    let w = world();
    let get = connect_app(&w, &[Permission::GetAll]);
    let post = connect_app(&w, &[Permission::PostAll]);
    // GET /Accounts.json
    assert_eq!(
        decide(
            &get,
            Action::Read,
            Target::AccountList,
            Resource::AccountList
        )
        .unwrap()
        .account_scope,
        Some(AccountScope::Tree(w.customer.sid.clone()))
    );
    assert_eq!(
        decide(
            &post,
            Action::Read,
            Target::AccountList,
            Resource::AccountList
        )
        .unwrap()
        .account_scope,
        Some(AccountScope::Single(w.dedicated.sid.clone()))
    );
    // GET under U's other subaccount needs get-all.
    assert!(
        decide(
            &get,
            Action::Read,
            Target::Account(&w.other_sub),
            Resource::Calls
        )
        .is_ok()
    );
    assert_eq!(
        decide(
            &post,
            Action::Read,
            Target::Account(&w.other_sub),
            Resource::Calls
        ),
        Err(Refusal::MissingPermission(Permission::GetAll))
    );
    // post-all alone reads S.
    assert!(
        decide(
            &post,
            Action::Read,
            Target::Account(&w.dedicated),
            Resource::Messages
        )
        .is_ok()
    );
    // POST under S needs post-all.
    assert!(
        decide(
            &post,
            Action::Write,
            Target::Account(&w.dedicated),
            Resource::Calls
        )
        .is_ok()
    );
    assert_eq!(
        decide(
            &get,
            Action::Write,
            Target::Account(&w.dedicated),
            Resource::Calls
        ),
        Err(Refusal::MissingPermission(Permission::PostAll))
    );
    // Never: subaccounts, account changes, other accounts.
    let both = connect_app(&w, &[Permission::GetAll, Permission::PostAll]);
    assert!(
        decide(
            &both,
            Action::Write,
            Target::AccountList,
            Resource::AccountList
        )
        .is_err()
    );
    assert!(
        decide(
            &both,
            Action::Write,
            Target::Account(&w.dedicated),
            Resource::AccountStatus
        )
        .is_err()
    );
    assert!(
        decide(
            &both,
            Action::Write,
            Target::Account(&w.dedicated),
            Resource::Account
        )
        .is_err()
    );
    assert!(
        decide(
            &both,
            Action::Write,
            Target::Account(&w.customer),
            Resource::Calls
        )
        .is_err()
    );
    assert!(
        decide(
            &both,
            Action::Write,
            Target::Account(&w.customer),
            Resource::ConnectApps
        )
        .is_err()
    );
    assert_eq!(
        decide(
            &both,
            Action::Read,
            Target::Account(&w.foreign),
            Resource::Calls
        ),
        Err(Refusal::NotFound)
    );
}

/// Messaging Services (issue 21): the credentials' own account is the target
/// (the messaging host's paths name no account); a Connect App manages them in
/// its dedicated subaccount with post-all and reads them with get-all.
#[test]
fn messaging_services_rows_spelled_out() {
    let w = world();
    let get = connect_app(&w, &[Permission::GetAll]);
    let post = connect_app(&w, &[Permission::PostAll]);
    let none = connect_app(&w, &[]);
    let r = Resource::MessagingServices;
    let s = Target::Account(&w.dedicated);
    assert!(decide(&post, Action::Write, s, r).is_ok());
    assert!(decide(&post, Action::Read, s, r).is_ok());
    assert!(decide(&get, Action::Read, s, r).is_ok());
    assert_eq!(
        decide(&get, Action::Write, s, r),
        Err(Refusal::MissingPermission(Permission::PostAll))
    );
    assert_eq!(
        decide(&none, Action::Read, s, r),
        Err(Refusal::MissingPermission(Permission::GetAll))
    );
    assert_eq!(
        decide(&post, Action::Write, Target::Account(&w.customer), r),
        Err(Refusal::Forbidden(CONNECT_OWN_SUBACCOUNT))
    );
    assert_eq!(
        decide(&post, Action::Read, Target::Account(&w.foreign), r),
        Err(Refusal::NotFound)
    );
    let owner = Actor::Credential(Principal::Account {
        sid: w.customer.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    });
    assert!(decide(&owner, Action::Write, Target::Account(&w.customer), r).is_ok());
    assert_eq!(
        decide(&owner, Action::Write, Target::Account(&w.foreign), r),
        Err(Refusal::NotFound)
    );
    assert_eq!(
        decide(&Actor::Worker("simulator"), Action::Read, s, r),
        Err(Refusal::Forbidden(WORKER_ONLY_TRAFFIC))
    );
}

/// TwiML Applications (issue 23), as phone numbers: a Connect App with
/// post-all manages them in its dedicated subaccount and reads them there;
/// get-all reads them anywhere in the customer's tree; owners manage their
/// own and their subaccounts'; a subaccount only its own.
#[test]
fn applications_rows_spelled_out() {
    account_resource_rows_spelled_out(Resource::Applications);
}

/// Usage triggers (issue 26): the same rows as TwiML Applications.
#[test]
fn usage_triggers_rows_spelled_out() {
    account_resource_rows_spelled_out(Resource::UsageTriggers);
}

/// Addresses (issue 26): the same rows as TwiML Applications.
#[test]
fn addresses_rows_spelled_out() {
    account_resource_rows_spelled_out(Resource::Addresses);
}

/// Outgoing caller IDs (issue 26): the same rows as TwiML Applications.
#[test]
fn outgoing_caller_ids_rows_spelled_out() {
    account_resource_rows_spelled_out(Resource::OutgoingCallerIds);
}

/// Conferences, queues and transcriptions (issue 27): the same rows as
/// TwiML Applications, as the calls and recordings they are made of.
#[test]
fn conferences_queues_transcriptions_rows_spelled_out() {
    account_resource_rows_spelled_out(Resource::Conferences);
    account_resource_rows_spelled_out(Resource::Queues);
    account_resource_rows_spelled_out(Resource::Transcriptions);
}

/// Short codes (issue 26): read and configured as TwiML Applications are;
/// given to an account by the operator alone.
#[test]
fn short_codes_rows_spelled_out() {
    account_resource_rows_spelled_out(Resource::ShortCodes);
    let w = world();
    let r = Resource::ShortCodeProvisioning;
    let s = Target::Account(&w.dedicated);
    let both = connect_app(&w, &[Permission::GetAll, Permission::PostAll]);
    assert_eq!(
        decide(&both, Action::Write, s, r),
        Err(Refusal::Forbidden(NOT_WRITABLE))
    );
    let main = Actor::Credential(Principal::Account {
        sid: w.customer.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    });
    assert_eq!(
        decide(&main, Action::Write, Target::Account(&w.customer), r),
        Err(Refusal::Forbidden(SHORT_CODES_BY_OPERATOR))
    );
    let console = Actor::Console(ConsoleUser {
        account: w.customer.sid.clone(),
        email: "owner@example.com".into(),
        ip: None,
        may_upgrade_self: true,
    });
    assert_eq!(
        decide(&console, Action::Write, Target::Account(&w.customer), r),
        Err(Refusal::Forbidden(SHORT_CODES_BY_OPERATOR))
    );
    assert_eq!(
        decide(&Actor::Worker("simulator"), Action::Write, s, r),
        Err(Refusal::Forbidden(WORKER_ONLY_TRAFFIC))
    );
    assert!(decide(&Actor::Operator, Action::Write, s, r).is_ok());
}

fn account_resource_rows_spelled_out(r: Resource) {
    let w = world();
    let get = connect_app(&w, &[Permission::GetAll]);
    let post = connect_app(&w, &[Permission::PostAll]);
    let none = connect_app(&w, &[]);
    let s = Target::Account(&w.dedicated);
    let other = Target::Account(&w.other_sub);
    assert!(decide(&post, Action::Write, s, r).is_ok());
    assert!(decide(&post, Action::Read, s, r).is_ok());
    assert_eq!(
        decide(&post, Action::Read, other, r),
        Err(Refusal::MissingPermission(Permission::GetAll))
    );
    assert!(decide(&get, Action::Read, s, r).is_ok());
    assert!(decide(&get, Action::Read, other, r).is_ok());
    assert_eq!(
        decide(&get, Action::Write, s, r),
        Err(Refusal::MissingPermission(Permission::PostAll))
    );
    assert_eq!(
        decide(&none, Action::Read, s, r),
        Err(Refusal::MissingPermission(Permission::GetAll))
    );
    assert_eq!(
        decide(&post, Action::Write, Target::Account(&w.customer), r),
        Err(Refusal::Forbidden(CONNECT_OWN_SUBACCOUNT))
    );
    assert_eq!(
        decide(&post, Action::Write, other, r),
        Err(Refusal::Forbidden(CONNECT_OWN_SUBACCOUNT))
    );
    assert_eq!(
        decide(&post, Action::Read, Target::Account(&w.foreign), r),
        Err(Refusal::NotFound)
    );
    let main = Actor::Credential(Principal::Account {
        sid: w.customer.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    });
    assert!(decide(&main, Action::Write, Target::Account(&w.customer), r).is_ok());
    assert!(decide(&main, Action::Write, other, r).is_ok());
    assert_eq!(
        decide(&main, Action::Write, Target::Account(&w.foreign), r),
        Err(Refusal::NotFound)
    );
    let sub = Actor::Credential(Principal::Account {
        sid: w.other_sub.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    });
    assert!(decide(&sub, Action::Write, other, r).is_ok());
    assert_eq!(
        decide(&sub, Action::Read, Target::Account(&w.customer), r),
        Err(Refusal::NotFound)
    );
    assert_eq!(decide(&sub, Action::Write, s, r), Err(Refusal::NotFound));
    assert_eq!(
        decide(&Actor::Worker("simulator"), Action::Read, s, r),
        Err(Refusal::Forbidden(WORKER_ONLY_TRAFFIC))
    );
    assert_eq!(
        decide(&Actor::Operator, Action::Write, s, r).map(|a| a.shows_auth_tokens),
        Ok(true)
    );
}

/// Owners, as an oracle from "Authenticating API requests".
fn owner_expectation(
    w: &World,
    who: &str,
    action: Action,
    target: Option<&AccountFacts>,
    resource: Resource,
) -> Decision {
    let shown = |scope| {
        Ok(Allowed {
            shows_auth_tokens: true,
            account_scope: scope,
        })
    };
    // Sandboxes are reached only through their own paths.
    if resource == Resource::Sandbox {
        return Err(Refusal::NotFound);
    }
    let (me, is_main, via_parent) = match who {
        "main" => (&w.customer, true, false),
        "sub" => (&w.other_sub, false, false),
        "parent" => (&w.dedicated, false, true),
        _ => unreachable!(),
    };
    let Some(t) = target else {
        if resource != Resource::AccountList {
            return Err(Refusal::NotFound);
        }
        return match (action, is_main) {
            (Action::Read, true) => shown(Some(AccountScope::Tree(me.sid.clone()))),
            (Action::Read, false) => shown(Some(AccountScope::Single(me.sid.clone()))),
            (Action::Write, true) => shown(None),
            (Action::Write, false) => Err(Refusal::Forbidden(SUBACCOUNTS_CANNOT_CREATE)),
        };
    };
    if resource == Resource::Identity {
        return Err(Refusal::NotFound);
    }
    // Owner of X reaches X and X's subaccounts; via parent reaches S alone.
    let reaches = t.sid == me.sid || (is_main && t.owner_account_sid == me.sid);
    if !reaches {
        return Err(Refusal::NotFound);
    }
    let target_is_main = t.sid == t.owner_account_sid;
    // The callbacks a main account's apps caused: read by that main account,
    // never written.
    if matches!(
        resource,
        Resource::ConnectAppDeliveries | Resource::ConnectAppAuthorizations
    ) {
        return match action {
            Action::Write => Err(Refusal::Forbidden(NOT_WRITABLE)),
            Action::Read if target_is_main => shown(None),
            Action::Read => Err(Refusal::Forbidden(APPS_BELONG_TO_MAIN)),
        };
    }
    if action == Action::Read {
        return shown(None);
    }
    match resource {
        // Upgrades are the operator's (or the console's), never the API's.
        Resource::AccountType => Err(Refusal::Forbidden(UPGRADE_NOT_API)),
        // So is giving an account a short code (issue 26).
        Resource::ShortCodeProvisioning => Err(Refusal::Forbidden(SHORT_CODES_BY_OPERATOR)),
        Resource::AccountStatus if target_is_main => Err(Refusal::Forbidden(MAIN_STATUS_FIXED)),
        Resource::AccountStatus if !(is_main || via_parent) => {
            Err(Refusal::Forbidden(OWN_STATUS_FIXED))
        }
        Resource::ConnectApps | Resource::AuthorizedConnectApps if !target_is_main => {
            Err(Refusal::Forbidden(APPS_BELONG_TO_MAIN))
        }
        // The audit log is written by changes, never by a request; a call's
        // events by the delivery pipeline.
        Resource::AccountList
        | Resource::AuditLog
        | Resource::AvailablePhoneNumbers
        | Resource::Usage
        | Resource::Balance
        | Resource::CallEvents => Err(Refusal::Forbidden(NOT_WRITABLE)),
        _ => shown(None),
    }
}

#[test]
fn owners_follow_the_contract_everywhere() {
    let w = world();
    let principals = [
        (
            "main",
            Actor::Credential(Principal::Account {
                sid: w.customer.sid.clone(),
                main: w.customer.sid.clone(),
                world: None,
            }),
        ),
        (
            "sub",
            Actor::Credential(Principal::Account {
                sid: w.other_sub.sid.clone(),
                main: w.customer.sid.clone(),
                world: None,
            }),
        ),
        (
            "parent",
            Actor::Credential(Principal::Parent {
                sub: w.dedicated.sid.clone(),
                parent: w.customer.sid.clone(),
            }),
        ),
    ];
    for (who, principal) in &principals {
        for target in targets(&w) {
            for action in [Action::Read, Action::Write] {
                for resource in Resource::ALL {
                    assert_eq!(
                        decide(principal, action, as_target(target), resource),
                        owner_expectation(&w, who, action, target, resource),
                        "who={who} action={action:?} target={:?} resource={resource:?}",
                        target.map(|t| &t.sid)
                    );
                }
            }
        }
        assert!(decide(principal, Action::Write, Target::Own, Resource::AuthTokens).is_ok());
        assert_eq!(
            decide(principal, Action::Read, Target::Missing, Resource::Account),
            Err(Refusal::NotFound)
        );
    }
}

/// `Target::Own` (paths that name no account): every principal may read who it
/// is and nothing else changes: owners still reach only their auth tokens, and a
/// Connect App still nothing but its identity.
#[test]
fn own_target_reads_identity_and_nothing_more() {
    let w = world();
    let mut principals: Vec<(&str, Actor)> = vec![
        (
            "main",
            Actor::Credential(Principal::Account {
                sid: w.customer.sid.clone(),
                main: w.customer.sid.clone(),
                world: None,
            }),
        ),
        (
            "sub",
            Actor::Credential(Principal::Account {
                sid: w.other_sub.sid.clone(),
                main: w.customer.sid.clone(),
                world: None,
            }),
        ),
        (
            "parent",
            Actor::Credential(Principal::Parent {
                sub: w.dedicated.sid.clone(),
                parent: w.customer.sid.clone(),
            }),
        ),
    ];
    for perms in PERMISSION_SETS {
        principals.push(("connect", connect_app(&w, perms)));
    }
    let mut checked = 0;
    for (who, principal) in &principals {
        let is_connect = *who == "connect";
        for action in [Action::Read, Action::Write] {
            for resource in Resource::ALL {
                let want = match (resource, action) {
                    (Resource::Sandbox, _) => Err(Refusal::NotFound),
                    (Resource::Identity, Action::Read) => Ok(Allowed {
                        shows_auth_tokens: !is_connect,
                        account_scope: None,
                    }),
                    (Resource::Identity, Action::Write) => Err(Refusal::Forbidden(NOT_WRITABLE)),
                    _ if is_connect => Err(Refusal::Forbidden(CONNECT_NO_CREDENTIALS)),
                    (Resource::AuthTokens, _) => Ok(Allowed {
                        shows_auth_tokens: true,
                        account_scope: None,
                    }),
                    _ => Err(Refusal::NotFound),
                };
                assert_eq!(
                    decide(principal, action, Target::Own, resource),
                    want,
                    "who={who} action={action:?} resource={resource:?}"
                );
                checked += 1;
            }
        }
        // Identity is never reached through a path that names an account.
        for target in [Target::AccountList, Target::Missing] {
            for action in [Action::Read, Action::Write] {
                assert_eq!(
                    decide(principal, action, target, Resource::Identity),
                    Err(Refusal::NotFound)
                );
            }
        }
    }
    assert_eq!(checked, 7 * 2 * Resource::ALL.len());
}

fn console_user(w: &World, may_upgrade_self: bool) -> Actor {
    Actor::Console(ConsoleUser {
        email: "owner@example.com".into(),
        account: w.customer.sid.clone(),
        ip: None,
        may_upgrade_self,
    })
}

/// A console user is their main account's owner, as its own credentials are,
/// and upgrades it from Trial only where the installation allows it.
#[test]
fn console_users_act_as_their_main_accounts_owner() {
    let w = world();
    let mut checked = 0;
    for may_upgrade_self in [false, true] {
        let user = console_user(&w, may_upgrade_self);
        for target in targets(&w) {
            for action in [Action::Read, Action::Write] {
                for resource in Resource::ALL {
                    let want = match (resource, action, target) {
                        (Resource::AccountType, Action::Write, Some(t))
                            if t.sid == w.customer.sid =>
                        {
                            if may_upgrade_self {
                                Ok(Allowed {
                                    shows_auth_tokens: true,
                                    account_scope: None,
                                })
                            } else {
                                Err(Refusal::Forbidden(SELF_UPGRADE_OFF))
                            }
                        }
                        // Not even a subaccount of theirs is upgraded alone.
                        (Resource::AccountType, Action::Write, _) => Err(Refusal::NotFound),
                        _ => owner_expectation(&w, "main", action, target, resource),
                    };
                    assert_eq!(
                        decide(&user, action, as_target(target), resource),
                        want,
                        "upgrade={may_upgrade_self} action={action:?} target={:?} resource={resource:?}",
                        target.map(|t| &t.sid)
                    );
                    checked += 1;
                }
            }
        }
        assert!(decide(&user, Action::Write, Target::Own, Resource::AuthTokens).is_ok());
        assert_eq!(
            decide(&user, Action::Write, Target::Missing, Resource::Account),
            Err(Refusal::NotFound)
        );
    }
    assert_eq!(checked, 2 * 6 * 2 * Resource::ALL.len());
}

/// The command line may do anything to anything that exists; a worker only
/// touches simulated traffic and deliveries, and never sees a token.
#[test]
fn operators_reach_everything_and_workers_only_their_work() {
    let w = world();
    for target in targets(&w) {
        for action in [Action::Read, Action::Write] {
            for resource in Resource::ALL {
                let target = as_target(target);
                let operator = decide(&Actor::Operator, action, target, resource);
                let worker = decide(&Actor::Worker("simulator"), action, target, resource);
                if resource == Resource::Sandbox {
                    // Only through a sandbox's own paths.
                    assert_eq!(operator, Err(Refusal::NotFound));
                    assert_eq!(worker, Err(Refusal::NotFound));
                    continue;
                }
                assert_eq!(
                    operator,
                    Ok(Allowed {
                        shows_auth_tokens: true,
                        account_scope: None,
                    }),
                    "operator {action:?} {resource:?}"
                );
                let built_for = matches!(
                    resource,
                    Resource::Calls
                        | Resource::Messages
                        | Resource::Recordings
                        | Resource::Deliveries
                ) && matches!(target, Target::Account(_));
                if built_for {
                    assert!(!worker.unwrap().shows_auth_tokens);
                } else {
                    assert_eq!(worker, Err(Refusal::Forbidden(WORKER_ONLY_TRAFFIC)));
                }
            }
        }
    }
    for actor in [Actor::Operator, Actor::Worker("simulator")] {
        assert_eq!(
            decide(&actor, Action::Read, Target::Missing, Resource::Account),
            Err(Refusal::NotFound)
        );
    }
}

/// No API credential upgrades an account, whoever holds it.
#[test]
fn no_credential_upgrades_an_account() {
    let w = world();
    let mut actors = vec![Actor::Credential(Principal::Account {
        sid: w.customer.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    })];
    for perms in PERMISSION_SETS {
        actors.push(connect_app(&w, perms));
    }
    for actor in &actors {
        for target in [&w.customer, &w.dedicated] {
            assert!(
                decide(
                    actor,
                    Action::Write,
                    Target::Account(target),
                    Resource::AccountType
                )
                .is_err()
            );
        }
    }
}

/// The debugger's log, row by row: the owner reads and deletes; a Connect
/// App reads with get-all (or its dedicated subaccount's with post-all) and
/// deletes with post-all in its dedicated subaccount only.
#[test]
fn notifications_rows_spelled_out() {
    let w = world();
    let n = Resource::Notifications;
    let get = connect_app(&w, &[Permission::GetAll]);
    let post = connect_app(&w, &[Permission::PostAll]);
    let both = connect_app(&w, &[Permission::GetAll, Permission::PostAll]);
    let owner = Actor::Credential(Principal::Account {
        sid: w.customer.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    });
    for target in [&w.customer, &w.dedicated, &w.other_sub] {
        for action in [Action::Read, Action::Write] {
            assert!(decide(&owner, action, Target::Account(target), n).is_ok());
        }
        assert!(decide(&get, Action::Read, Target::Account(target), n).is_ok());
    }
    assert!(decide(&post, Action::Read, Target::Account(&w.dedicated), n).is_ok());
    assert_eq!(
        decide(&post, Action::Read, Target::Account(&w.other_sub), n),
        Err(Refusal::MissingPermission(Permission::GetAll))
    );
    assert!(decide(&post, Action::Write, Target::Account(&w.dedicated), n).is_ok());
    assert_eq!(
        decide(&get, Action::Write, Target::Account(&w.dedicated), n),
        Err(Refusal::MissingPermission(Permission::PostAll))
    );
    assert_eq!(
        decide(&both, Action::Write, Target::Account(&w.customer), n),
        Err(Refusal::Forbidden(CONNECT_OWN_SUBACCOUNT))
    );
    assert_eq!(
        decide(&both, Action::Read, Target::Account(&w.foreign), n),
        Err(Refusal::NotFound)
    );
    assert_eq!(
        decide(&owner, Action::Read, Target::Account(&w.foreign_sub), n),
        Err(Refusal::NotFound)
    );
}

/// A call's events, row by row: read as calls are (the owner; a Connect App
/// with get-all, or with post-all in its dedicated subaccount), written by no
/// one, reached by no worker.
#[test]
fn call_events_rows_spelled_out() {
    let w = world();
    let r = Resource::CallEvents;
    let none = connect_app(&w, &[]);
    let get = connect_app(&w, &[Permission::GetAll]);
    let post = connect_app(&w, &[Permission::PostAll]);
    let both = connect_app(&w, &[Permission::GetAll, Permission::PostAll]);
    let owner = Actor::Credential(Principal::Account {
        sid: w.customer.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    });
    for target in [&w.customer, &w.dedicated, &w.other_sub] {
        let t = Target::Account(target);
        assert!(decide(&owner, Action::Read, t, r).is_ok());
        assert_eq!(
            decide(&owner, Action::Read, t, r),
            decide(&owner, Action::Read, t, Resource::Calls)
        );
        assert!(decide(&get, Action::Read, t, r).is_ok());
        assert_eq!(
            decide(&none, Action::Read, t, r),
            Err(Refusal::MissingPermission(Permission::GetAll))
        );
        for actor in [&owner, &get, &post, &both] {
            assert_eq!(
                decide(actor, Action::Write, t, r),
                Err(Refusal::Forbidden(NOT_WRITABLE))
            );
        }
    }
    assert!(decide(&post, Action::Read, Target::Account(&w.dedicated), r).is_ok());
    assert_eq!(
        decide(&post, Action::Read, Target::Account(&w.other_sub), r),
        Err(Refusal::MissingPermission(Permission::GetAll))
    );
    assert_eq!(
        decide(&both, Action::Read, Target::Account(&w.foreign), r),
        Err(Refusal::NotFound)
    );
    assert_eq!(
        decide(&owner, Action::Read, Target::Account(&w.foreign_sub), r),
        Err(Refusal::NotFound)
    );
}

/// The callbacks an app caused in its customers' accounts, row by row: its
/// owner's main account reads them; nobody writes them; a subaccount, the
/// parent acting as a subaccount, a stranger and every Connect App (even with
/// both permissions, even on its own customer) do not see them.
#[test]
fn connect_app_deliveries_rows_spelled_out() {
    let w = world();
    let r = Resource::ConnectAppDeliveries;
    let main = Actor::Credential(Principal::Account {
        sid: w.customer.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    });
    let sub = Actor::Credential(Principal::Account {
        sid: w.other_sub.sid.clone(),
        main: w.customer.sid.clone(),
        world: None,
    });
    let parent = Actor::Credential(Principal::Parent {
        sub: w.dedicated.sid.clone(),
        parent: w.customer.sid.clone(),
    });
    let stranger = Actor::Credential(Principal::Account {
        sid: w.foreign.sid.clone(),
        main: w.foreign.sid.clone(),
        world: None,
    });
    let customer = Target::Account(&w.customer);
    assert!(decide(&main, Action::Read, customer, r).is_ok());
    assert!(decide(&console_user(&w, false), Action::Read, customer, r).is_ok());
    assert!(decide(&Actor::Operator, Action::Read, customer, r).is_ok());
    for actor in [&main, &console_user(&w, true)] {
        assert_eq!(
            decide(actor, Action::Write, customer, r),
            Err(Refusal::Forbidden(NOT_WRITABLE))
        );
        assert_eq!(
            decide(actor, Action::Read, Target::Account(&w.other_sub), r),
            Err(Refusal::Forbidden(APPS_BELONG_TO_MAIN))
        );
    }
    assert_eq!(
        decide(&sub, Action::Read, Target::Account(&w.other_sub), r),
        Err(Refusal::Forbidden(APPS_BELONG_TO_MAIN))
    );
    for actor in [&sub, &parent, &stranger] {
        assert_eq!(
            decide(actor, Action::Read, customer, r),
            Err(Refusal::NotFound)
        );
    }
    for perms in PERMISSION_SETS {
        let app = connect_app(&w, perms);
        for target in [&w.customer, &w.dedicated] {
            assert_eq!(
                decide(&app, Action::Read, Target::Account(target), r),
                Err(Refusal::Forbidden(CONNECT_NO_CREDENTIALS))
            );
        }
        // The app's own owner's account is not its to read through this.
        assert_eq!(
            decide(&app, Action::Read, Target::Account(&w.foreign), r),
            Err(Refusal::NotFound)
        );
    }
    assert_eq!(
        decide(&Actor::Worker("deliveries"), Action::Read, customer, r),
        Err(Refusal::Forbidden(WORKER_ONLY_TRAFFIC))
    );
}

/// Sandboxes, every actor × target × action × resource: anyone but a worker
/// creates one (a caller without credentials included); only the operator and
/// the credentials of one of the sandbox's own main accounts reach it; its
/// subaccounts, parents acting on them, Connect Apps, console users and other
/// worlds' accounts find nothing; a sandbox's paths reach nothing else, and a
/// caller without credentials reaches nothing but the creation.
#[test]
fn sandboxes_are_created_by_anyone_and_reached_by_their_own_main_accounts() {
    let w = world();
    let mine = SandboxSid::generate();
    let other = SandboxSid::generate();
    let in_world = |sid: &AccountSid, main: &AccountSid, world: Option<&SandboxSid>| {
        Actor::Credential(Principal::Account {
            sid: sid.clone(),
            main: main.clone(),
            world: world.cloned(),
        })
    };
    let actors: Vec<(&str, Actor)> = vec![
        (
            "main",
            in_world(&w.customer.sid, &w.customer.sid, Some(&mine)),
        ),
        (
            "sub",
            in_world(&w.other_sub.sid, &w.customer.sid, Some(&mine)),
        ),
        (
            "other world",
            in_world(&w.customer.sid, &w.customer.sid, Some(&other)),
        ),
        (
            "default world",
            in_world(&w.customer.sid, &w.customer.sid, None),
        ),
        (
            "parent",
            Actor::Credential(Principal::Parent {
                sub: w.dedicated.sid.clone(),
                parent: w.customer.sid.clone(),
            }),
        ),
        (
            "connect",
            connect_app(&w, &[Permission::GetAll, Permission::PostAll]),
        ),
        ("console", console_user(&w, true)),
        ("operator", Actor::Operator),
        ("worker", Actor::Worker("simulator")),
        ("anonymous", Actor::Anonymous),
    ];
    let allowed = Ok(Allowed {
        shows_auth_tokens: true,
        account_scope: None,
    });
    let mut checked = 0;
    for (who, actor) in &actors {
        let targets = [
            ("create", Target::Sandboxes),
            ("mine", Target::Sandbox(&mine)),
            ("other", Target::Sandbox(&other)),
            ("account", Target::Account(&w.customer)),
            ("list", Target::AccountList),
            ("own", Target::Own),
            ("missing", Target::Missing),
        ];
        for (target_name, target) in targets {
            for action in [Action::Read, Action::Write] {
                for resource in Resource::ALL {
                    let want = match (target_name, resource, action, *who) {
                        (_, Resource::Sandbox, _, _)
                            if !matches!(target_name, "create" | "mine" | "other") =>
                        {
                            Err(Refusal::NotFound)
                        }
                        ("create" | "mine" | "other", r, _, _) if r != Resource::Sandbox => {
                            Err(Refusal::NotFound)
                        }
                        ("create", _, Action::Read, _) => Err(Refusal::NotFound),
                        ("create", _, Action::Write, "worker") => {
                            Err(Refusal::Forbidden(WORKER_ONLY_TRAFFIC))
                        }
                        ("create", _, Action::Write, _) => allowed.clone(),
                        ("mine", _, _, "main" | "operator") => allowed.clone(),
                        ("other", _, _, "operator" | "other world") => allowed.clone(),
                        ("mine" | "other", _, _, _) => Err(Refusal::NotFound),
                        (_, _, _, "anonymous") => {
                            Err(Refusal::Forbidden(ANONYMOUS_ONLY_CREATES_SANDBOXES))
                        }
                        // Everything else is the other tests' business; the
                        // world changes nothing there.
                        _ => {
                            checked += 1;
                            continue;
                        }
                    };
                    assert_eq!(
                        decide(actor, action, target, resource),
                        want,
                        "who={who} target={target_name} action={action:?} resource={resource:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 10 * 7 * 2 * Resource::ALL.len());
}

/// The world a main account is in changes nothing about what its credentials
/// reach outside the sandbox routes: the same decisions as the default world's.
#[test]
fn a_sandbox_world_changes_no_other_decision() {
    let w = world();
    let world_sid = SandboxSid::generate();
    for (sid, main) in [
        (&w.customer.sid, &w.customer.sid),
        (&w.other_sub.sid, &w.customer.sid),
    ] {
        let plain = Actor::Credential(Principal::Account {
            sid: sid.clone(),
            main: main.clone(),
            world: None,
        });
        let sandboxed = Actor::Credential(Principal::Account {
            sid: sid.clone(),
            main: main.clone(),
            world: Some(world_sid.clone()),
        });
        for target in targets(&w) {
            for action in [Action::Read, Action::Write] {
                for resource in Resource::ALL {
                    assert_eq!(
                        decide(&plain, action, as_target(target), resource),
                        decide(&sandboxed, action, as_target(target), resource)
                    );
                }
            }
        }
    }
}

/// A sandbox's control plane acting for a customer (headless consent):
/// every target × action × resource. It authorizes or denies Connect Apps
/// for that customer, a main account of that sandbox, and does nothing else
/// anywhere; the same customer in another world, its subaccounts and other
/// accounts are not found.
#[test]
fn a_sandbox_customer_only_decides_on_connect_apps_for_itself() {
    let w = world();
    let mine = SandboxSid::generate();
    let placed = |f: &AccountFacts, world: Option<&SandboxSid>| AccountFacts {
        sandbox_sid: world.cloned(),
        ..f.clone()
    };
    let customer = placed(&w.customer, Some(&mine));
    let actor = Actor::SandboxCustomer(SandboxCustomer {
        sandbox: mine.clone(),
        customer: w.customer.sid.clone(),
        by: format!("api:{}", w.customer.sid),
    });
    let elsewhere = [
        placed(&w.customer, None),
        placed(&w.customer, Some(&SandboxSid::generate())),
        placed(&w.dedicated, Some(&mine)),
        placed(&w.other_sub, Some(&mine)),
        placed(&w.foreign, Some(&mine)),
        placed(&w.foreign_sub, Some(&mine)),
    ];
    let mut checked = 0;
    for action in [Action::Read, Action::Write] {
        for resource in Resource::ALL {
            let want = match (action, resource) {
                (Action::Write, Resource::AuthorizedConnectApps) => Ok(Allowed {
                    shows_auth_tokens: true,
                    account_scope: None,
                }),
                _ => Err(Refusal::Forbidden(SANDBOX_CUSTOMER_ONLY_CONSENTS)),
            };
            assert_eq!(
                decide(&actor, action, Target::Account(&customer), resource),
                want,
                "{action:?} {resource:?}"
            );
            for t in &elsewhere {
                assert_eq!(
                    decide(&actor, action, Target::Account(t), resource),
                    Err(Refusal::NotFound),
                    "{action:?} {resource:?} {:?}",
                    t.sid
                );
            }
            for target in [
                Target::AccountList,
                Target::Missing,
                Target::Own,
                Target::Sandboxes,
                Target::Sandbox(&mine),
            ] {
                assert!(decide(&actor, action, target, resource).is_err());
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * Resource::ALL.len());
}

/// An API key of `account` (of the main account `main`), in a request whose
/// target is, or is not, a dedicated subaccount of an app `main` owns.
fn key_of(account: &AccountFacts, on_connect_target: bool) -> Actor {
    Actor::Credential(Principal::Key(KeyPrincipal {
        key: switchboard_types::ApiKeySid::generate(),
        account: account.sid.clone(),
        main: account.owner_account_sid.clone(),
        world: None,
        connect_app_on_target: on_connect_target.then(ConnectAppSid::generate),
    }))
}

/// Issue 26: a key acts as its account's own credentials, except that it
/// manages no keys, auth tokens or accounts; used by a Connect App's owner on
/// a customer's dedicated subaccount it is refused, saying why.
#[test]
fn api_keys_act_as_their_account_and_administer_nothing() {
    let w = world();
    let mut checked = 0;
    for (holder, who) in [(&w.customer, "main"), (&w.other_sub, "sub")] {
        for action in [Action::Read, Action::Write] {
            for target in targets(&w) {
                for resource in Resource::ALL {
                    let key = key_of(holder, false);
                    let got = decide(&key, action, as_target(target), resource);
                    let mut want = owner_expectation(&w, who, action, target, resource);
                    let administers = match resource {
                        Resource::ApiKeys | Resource::AuthTokens => true,
                        Resource::Account
                        | Resource::AccountStatus
                        | Resource::AccountType
                        | Resource::AccountList => action == Action::Write,
                        _ => false,
                    };
                    if want.is_ok() && administers {
                        want = Err(Refusal::Forbidden(KEYS_NOT_ADMIN));
                    }
                    assert_eq!(
                        got, want,
                        "{who}'s key, {action:?} {resource:?} on {target:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 2 * 2 * targets(&w).len() * Resource::ALL.len());

    // The app owner's key on its customer's dedicated subaccount: refused
    // with the reason, whatever the resource. On its own accounts, the flag
    // changes nothing.
    let owner = key_of(&w.foreign, true);
    for resource in Resource::ALL
        .into_iter()
        .filter(|r| *r != Resource::Sandbox)
    {
        for action in [Action::Read, Action::Write] {
            assert_eq!(
                decide(&owner, action, Target::Account(&w.dedicated), resource),
                Err(Refusal::Forbidden(KEYS_NOT_FOR_CONNECT)),
                "{action:?} {resource:?}"
            );
        }
    }
    assert!(
        decide(
            &owner,
            Action::Read,
            Target::Account(&w.foreign_sub),
            Resource::Calls
        )
        .is_ok()
    );
    // Without a grant, another account's tree is simply not found.
    let stranger = key_of(&w.foreign, false);
    assert_eq!(
        decide(
            &stranger,
            Action::Read,
            Target::Account(&w.dedicated),
            Resource::Calls
        ),
        Err(Refusal::NotFound)
    );
    // Who am I: a key may ask.
    assert!(decide(&stranger, Action::Read, Target::Own, Resource::Identity).is_ok());
}
