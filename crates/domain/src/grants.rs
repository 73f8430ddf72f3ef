//! Grants: a customer approving (or denying) a Connect App, the dedicated
//! subaccount made for it, the list of apps a customer has authorized, and
//! revoking ([`Grants`], reached by [`Switchboard::grants`]).

use switchboard_store::access::AccountFacts;
use switchboard_store::accounts;
use switchboard_store::authorizations::{self, AuthorizationRecord, AuthorizedApp};
use switchboard_store::connect_apps::ConnectAppRecord;
use switchboard_store::page::{Page, PageAt};
use switchboard_store::{StoreError, Tx};
use switchboard_types::{
    AccountSid, AccountStatus, AccountType, ConnectAppSid, HookMethod, Permissions, Timestamp,
};

use crate::Switchboard;
use crate::access::{Access, Action, Reader, Resource};
use crate::audit::{self, Change};
use crate::delivery::signature::twilio_signature;
use crate::delivery::{self, Webhook, WebhookKind};
use crate::error::{AppField, CodeField, CodeRefusal, DomainError, DomainResult, Problem, invalid};
use crate::secrets::random_id;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use switchboard_store::connect_codes::{self, ConnectCodeRecord};

/// Why the consent flow cannot start for an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentProblem {
    UnknownApp,
    NoAuthorizeUrl,
}

/// What came of pressing Authorize.
#[derive(Debug)]
pub enum Approval {
    /// Granted: where to send the browser (the app's authorize URL, or the
    /// link's `cb` when it is that URL but for its query).
    Granted(String),
    /// The app asks for other permissions than the page the customer approved
    /// showed, so nothing was granted; here is the app as it is now, to ask again.
    PermissionsChanged(Box<ConnectAppRecord>),
}

/// The name Twilio gives a dedicated subaccount.
pub fn dedicated_subaccount_name(app: &ConnectAppRecord) -> String {
    format!("Subaccount for ConnectApp: {}", app.friendly_name)
}

/// Where the browser goes back to after a decision, as the Connect link asked.
#[derive(Debug, Default, Clone, Copy)]
pub struct Return<'a> {
    /// The app's own value, carried back untouched.
    pub state: Option<&'a str>,
    /// A return URL the link named (`cb`, as python-social-auth's Twilio
    /// backend sends): honoured only when it is the registered authorize URL
    /// but for its query (see [`return_base`]).
    pub cb: Option<&'a str>,
    /// What an approval's redirect carries: `AccountSid`, or a one-time code.
    pub response: ResponseType<'a>,
}

impl<'a> Return<'a> {
    /// Back to the registered URL, with `state`.
    pub fn with_state(state: Option<&'a str>) -> Self {
        Return {
            state,
            ..Return::default()
        }
    }
}

/// How long a code may wait for its exchange, in the world's time.
pub const CODE_LIFETIME_SECONDS: i64 = 60;

/// What the Connect link asked an approval's redirect to carry.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType<'a> {
    /// Twilio's: the dedicated subaccount's `AccountSid`.
    #[default]
    AccountSid,
    /// `response_type=code`: a one-time `code` the app exchanges server to
    /// server, bound (PKCE, S256) to `challenge` when the link had one.
    Code { challenge: Option<&'a str> },
}

/// Why a Connect link's `response_type` and PKCE parameters cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// A `response_type` other than `code`.
    UnsupportedResponseType,
    /// `code_challenge` (or its method) without `response_type=code`.
    ChallengeWithoutCode,
    /// `code_challenge_method=plain`, or a challenge without a method (which
    /// RFC 7636 reads as `plain`): refused, S256 only.
    PlainChallenge,
    /// A method other than `S256` and `plain`.
    UnsupportedChallengeMethod,
    /// A method without a challenge.
    MethodWithoutChallenge,
    /// Not 43 base64url characters, as an S256 challenge is.
    MalformedChallenge,
}

impl<'a> ResponseType<'a> {
    /// Reads the link's `response_type`, `code_challenge` and
    /// `code_challenge_method` (empty counts as absent).
    pub fn from_link(
        response_type: Option<&'a str>,
        challenge: Option<&'a str>,
        method: Option<&'a str>,
    ) -> Result<ResponseType<'a>, LinkProblem> {
        let given = |v: Option<&'a str>| v.filter(|v| !v.is_empty());
        let (response_type, challenge, method) =
            (given(response_type), given(challenge), given(method));
        let code = match response_type {
            None => false,
            Some("code") => true,
            Some(_) => return Err(LinkProblem::UnsupportedResponseType),
        };
        if !code {
            return match challenge.or(method) {
                Some(_) => Err(LinkProblem::ChallengeWithoutCode),
                None => Ok(ResponseType::AccountSid),
            };
        }
        match (challenge, method) {
            (None, None) => Ok(ResponseType::Code { challenge: None }),
            (None, Some(_)) => Err(LinkProblem::MethodWithoutChallenge),
            (Some(_), None | Some("plain")) => Err(LinkProblem::PlainChallenge),
            (Some(c), Some("S256")) if is_s256_challenge(c) => {
                Ok(ResponseType::Code { challenge: Some(c) })
            }
            (Some(_), Some("S256")) => Err(LinkProblem::MalformedChallenge),
            (Some(_), Some(_)) => Err(LinkProblem::UnsupportedChallengeMethod),
        }
    }
}

/// Base64url (no padding) of a SHA-256: 43 characters of `[A-Za-z0-9_-]`.
fn is_s256_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// PKCE's S256: base64url (no padding) of the SHA-256 of the verifier.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// How a code is stored: hex SHA-256 (a code is 256 random bits, so a plain
/// hash is enough; nothing to stretch).
fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// What exchanging a code tells the app: the grant it stands for.
#[derive(Debug, Clone)]
pub struct Exchanged {
    /// The dedicated subaccount: what the app authenticates as.
    pub account_sid: AccountSid,
    /// What the customer granted with this approval.
    pub permissions: Permissions,
    pub customer_account_sid: AccountSid,
}

/// The URL a decision is sent to: `cb` when its scheme, user, host, port,
/// path and fragment are the `registered` URL's (only its query may differ,
/// and it is kept), otherwise the registered URL. So `cb` can carry the app's
/// own parameters but never send the customer anywhere the app's owner did
/// not register: it cannot become an open redirect.
pub fn return_base(registered: &str, cb: Option<&str>) -> DomainResult<url::Url> {
    let registered = url::Url::parse(registered)
        .map_err(|_| DomainError::Internal("stored authorize URL does not parse".into()))?;
    let without_query = |u: &url::Url| {
        let mut u = u.clone();
        u.set_query(None);
        u
    };
    Ok(cb
        .and_then(|cb| url::Url::parse(cb).ok())
        .filter(|cb| without_query(cb) == without_query(&registered))
        .unwrap_or(registered))
}

/// `base` with `pairs` appended to its query (existing parameters kept, every
/// value percent-encoded, so `state` can never add parameters of its own).
pub fn redirect_with(base: &str, pairs: &[(&str, &str)]) -> DomainResult<String> {
    let url = url::Url::parse(base)
        .map_err(|_| DomainError::Internal("stored authorize URL does not parse".into()))?;
    Ok(appended(url, pairs).into())
}

fn appended(mut url: url::Url, pairs: &[(&str, &str)]) -> url::Url {
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
    }
    url
}

/// The redirect of a decision on `app`: `pairs` (the outcome) and `state`
/// appended to the URL [`return_base`] picks; when the app signs its
/// redirects, then `Timestamp` (Unix seconds) and last `Signature`: Twilio's
/// request signature of the URL so far (a GET: no parameters besides the
/// URL's), keyed with the owner's auth token, which the official validators
/// check.
fn decision_redirect(
    app: &ConnectAppRecord,
    signing_key: Option<&str>,
    back: Return<'_>,
    pairs: &[(&str, &str)],
    now: Timestamp,
) -> DomainResult<String> {
    let registered = app
        .authorize_redirect_url
        .as_deref()
        .ok_or_else(|| invalid(AppField::AuthorizeRedirectUrl, Problem::Missing))?;
    let mut all = pairs.to_vec();
    all.extend(back.state.map(|s| ("state", s)));
    let url = appended(return_base(registered, back.cb)?, &all);
    let Some(key) = signing_key.filter(|_| app.sign_redirects) else {
        return Ok(url.into());
    };
    let url = appended(url, &[("Timestamp", &now.seconds().to_string())]);
    let signature = twilio_signature(key, url.as_str(), &[]);
    Ok(appended(url, &[("Signature", &signature)]).into())
}

/// A committed approval: the grant, the app as it was read, and the owner's
/// auth token when the app signs its redirects.
struct Approved {
    grant: AuthorizationRecord,
    app: ConnectAppRecord,
    signing_key: Option<String>,
    /// The one-time code, when the link asked for one.
    code: Option<String>,
}

/// Attempts at an approval that lost a race on the grant's unique key (another
/// approval of the same app by the same customer committed first).
const APPROVAL_ATTEMPTS: usize = 3;

impl Switchboard {
    /// Grants of Connect Apps, from the customer's side (and an owner's
    /// revoking).
    pub fn grants(&self) -> Grants<'_> {
        Grants { sb: self }
    }

    /// Ends every active grant of an app (it is being deleted), inside `tx`.
    pub(crate) async fn revoke_all_grants_of(
        &self,
        tx: &mut Tx,
        access: &Access,
        app: &ConnectAppRecord,
    ) -> DomainResult<()> {
        let now = self.now_for(access).await?;
        let mut at = PageAt::First;
        loop {
            let (query, shape) = authorizations::of_app(&app.sid, &at, 500);
            let page = shape.assemble(tx.all(query).await?);
            for grant in page.items.iter().filter(|g| g.is_active()) {
                tx.run(authorizations::revoke(
                    &grant.customer_account_sid,
                    &app.sid,
                    now,
                ))
                .await?;
                enqueue_deauthorize(tx, app, grant, now).await?;
                audit::record_change(
                    tx,
                    access,
                    Change {
                        account: &grant.customer_account_sid,
                        action: "connect.revoke",
                        app: Some(&app.sid),
                        subject: Some(grant.subaccount_sid.as_str()),
                        permissions: Some(grant.permissions),
                        detail: Some(format!("{} was deleted by its owner", app.friendly_name)),
                    },
                )
                .await?;
            }
            match page.next_cursor() {
                Some(c) => at = PageAt::After(c),
                None => return Ok(()),
            }
        }
    }
}

impl Switchboard {
    /// Ends, inside `tx`, every active grant `account` takes part in, as the
    /// customer's main account or as the dedicated subaccount, because it was
    /// suspended or closed: each app's deauthorize callback is sent once (the
    /// grant is revoked, so a later change sends nothing more), and making the
    /// account active again grants nothing: the customer authorizes again.
    pub(crate) async fn revoke_grants_for_status(
        &self,
        tx: &mut Tx,
        access: &Access,
        account: &AccountSid,
        status: AccountStatus,
        now: Timestamp,
    ) -> DomainResult<usize> {
        let grants = tx.all(authorizations::active_touching(account)).await?;
        for grant in &grants {
            let app = tx
                .opt(switchboard_store::connect_apps::by_sid(
                    &grant.connect_app_sid,
                ))
                .await?;
            tx.run(authorizations::revoke(
                &grant.customer_account_sid,
                &grant.connect_app_sid,
                now,
            ))
            .await?;
            if let Some(app) = &app {
                enqueue_deauthorize(tx, app, grant, now).await?;
            }
            let whose = match &grant.subaccount_sid == account {
                true => "the dedicated subaccount",
                false => "the customer's account",
            };
            audit::record_change(
                tx,
                access,
                Change {
                    account: &grant.customer_account_sid,
                    action: "connect.revoke",
                    app: Some(&grant.connect_app_sid),
                    subject: Some(grant.subaccount_sid.as_str()),
                    permissions: Some(grant.permissions),
                    detail: Some(format!("{whose} was {status}")),
                },
            )
            .await?;
        }
        Ok(grants.len())
    }
}

/// Grants, from the customer's side: the apps they authorized, and ending a
/// grant (also the app owner's, for one customer).
pub struct Grants<'a> {
    sb: &'a Switchboard,
}

impl Grants<'_> {
    /// The app a consent page is about, if the flow can start for it.
    pub async fn consent_app(
        &self,
        sid: &ConnectAppSid,
    ) -> DomainResult<Result<ConnectAppRecord, ConsentProblem>> {
        Ok(
            match self
                .sb
                .store()
                .opt(switchboard_store::connect_apps::by_sid(sid))
                .await?
            {
                None => Err(ConsentProblem::UnknownApp),
                Some(app) if app.authorize_redirect_url.is_none() => {
                    Err(ConsentProblem::NoAuthorizeUrl)
                }
                Some(app) => Ok(app),
            },
        )
    }

    /// Authorize: creates (or reuses) the dedicated subaccount, stores the grant
    /// with exactly the permissions the customer was `shown`, records it, and
    /// returns where to send the browser. If the app asks for anything else by
    /// now (its owner changed it while the page was open), nothing is granted:
    /// the customer never saw what they would be approving.
    pub async fn approve(
        &self,
        access: &Access,
        app: &ConnectAppSid,
        shown: Permissions,
        back: Return<'_>,
    ) -> DomainResult<Approval> {
        let customer = Self::customer(access)?;
        if customer.account_type != AccountType::Full {
            return Err(DomainError::Forbidden(
                "Only upgraded (Full) accounts can authorize Connect Apps".into(),
            ));
        }
        for attempt in 1..=APPROVAL_ATTEMPTS {
            match self.try_approve(access, app, shown, back.response).await {
                Ok(Err(now)) => {
                    tracing::info!(app = %app, customer = %customer.sid, shown = %shown, asked = %now.permissions, "Connect App approval refused: its permissions changed");
                    return Ok(Approval::PermissionsChanged(now));
                }
                Ok(Ok(approved)) => {
                    let Approved {
                        grant,
                        app: record,
                        signing_key,
                        code,
                    } = approved;
                    self.sb.wake_deliveries();
                    tracing::info!(app = %app, customer = %customer.sid, subaccount = %grant.subaccount_sid, "Connect App authorized");
                    let outcome = match &code {
                        Some(code) => ("code", code.as_str()),
                        None => ("AccountSid", grant.subaccount_sid.as_str()),
                    };
                    return decision_redirect(
                        &record,
                        signing_key.as_deref(),
                        back,
                        &[outcome],
                        grant.authorized_at,
                    )
                    .map(Approval::Granted);
                }
                Err(DomainError::Store(StoreError::Conflict)) if attempt < APPROVAL_ATTEMPTS => {
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        Err(DomainError::Internal("approval kept conflicting".into()))
    }

    /// The grant and where to go, or (nothing written) the app as it is now
    /// when it no longer asks for what was `shown`.
    async fn try_approve(
        &self,
        access: &Access,
        sid: &ConnectAppSid,
        shown: Permissions,
        response: ResponseType<'_>,
    ) -> DomainResult<Result<Approved, Box<ConnectAppRecord>>> {
        let customer = Self::customer(access)?;
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let app = tx
            .opt(switchboard_store::connect_apps::by_sid(sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        // A sandbox is a closed world: its apps are not there for customers
        // of another world (the default one included), nor the other way.
        let owner = tx
            .opt(accounts::by_sid(&app.account_sid))
            .await?
            .ok_or(DomainError::NotFound)?;
        if owner.sandbox_sid != customer.sandbox_sid {
            return Err(DomainError::NotFound);
        }
        if app.permissions != shown {
            return Ok(Err(Box::new(app)));
        }
        if app.authorize_redirect_url.is_none() {
            return Err(invalid(AppField::AuthorizeRedirectUrl, Problem::Missing));
        }
        let signing_key = match app.sign_redirects {
            true => Some(self.sb.reveal_token(&owner)?),
            false => None,
        };
        let existing = tx.opt(authorizations::of(&customer.sid, sid)).await?;
        let reusable = match &existing {
            Some(g) => tx
                .opt(accounts::by_sid(&g.subaccount_sid))
                .await?
                .filter(|s| s.status != AccountStatus::Closed)
                .map(|s| s.sid),
            None => None,
        };
        // The subaccount is kept across revokes, so the app's data stays; only a
        // closed one (closed is final) is replaced.
        let subaccount = match reusable {
            Some(s) => s,
            None => {
                self.sb
                    .insert_account(
                        &mut tx,
                        Some(&customer.sid),
                        &dedicated_subaccount_name(&app),
                        customer.account_type,
                        now,
                    )
                    .await?
                    .0
            }
        };
        let grant = AuthorizationRecord {
            customer_account_sid: customer.sid.clone(),
            connect_app_sid: sid.clone(),
            subaccount_sid: subaccount.clone(),
            // What the customer approved, even if the owner changes the app
            // before this commits: a permission added since is unusable
            // (effective = app ∩ grant) until the customer approves it.
            permissions: shown,
            authorized_at: now,
            revoked_at: None,
        };
        if existing.is_some() {
            tx.run(authorizations::reactivate(
                &customer.sid,
                sid,
                &subaccount,
                shown,
                now,
            ))
            .await?;
        } else {
            tx.run(authorizations::insert(&grant)).await?;
        }
        audit::record_change(
            &mut tx,
            access,
            Change {
                account: &customer.sid,
                action: "connect.authorize",
                app: Some(sid),
                subject: Some(subaccount.as_str()),
                permissions: Some(shown),
                detail: Some(app.friendly_name.clone()),
            },
        )
        .await?;
        let code = match response {
            ResponseType::AccountSid => None,
            ResponseType::Code { challenge } => {
                let code = random_id();
                tx.run(connect_codes::insert(&ConnectCodeRecord {
                    code_hash: code_hash(&code),
                    connect_app_sid: sid.clone(),
                    customer_account_sid: customer.sid.clone(),
                    subaccount_sid: subaccount.clone(),
                    permissions: shown,
                    code_challenge: challenge.map(str::to_owned),
                    created_at: now,
                    expires_at: now.plus_micros(CODE_LIFETIME_SECONDS * 1_000_000),
                    used_at: None,
                }))
                .await?;
                Some(code)
            }
        };
        enqueue_authorized(&mut tx, &app, &grant, now).await?;
        tx.commit().await?;
        Ok(Ok(Approved {
            grant,
            app,
            signing_key,
            code,
        }))
    }

    /// The app owner (the account the access names) exchanges a one-time code
    /// of its app `app` (`POST /switchboard/v1/ConnectApps/{Sid}/Tokens.json`)
    /// for the grant it stands for. A code is good once, for
    /// [`CODE_LIFETIME_SECONDS`] of the world's time, for the app it was
    /// issued to, with the PKCE verifier when the link had a challenge (a
    /// wrong, missing or unexpected verifier uses the code up). Every refusal
    /// is an audit event of the owner's account, as every exchange is.
    pub async fn exchange_code(
        &self,
        access: &Access,
        app: &ConnectAppSid,
        code: Option<&str>,
        verifier: Option<&str>,
    ) -> DomainResult<Exchanged> {
        access.require(Action::Write, Resource::ConnectApps)?;
        let owner = access.target_account()?.sid.clone();
        let record = self
            .sb
            .store()
            .opt(switchboard_store::connect_apps::of_account(&owner, app))
            .await?
            .ok_or(DomainError::NotFound)?;
        let code = code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| invalid(CodeField::Code, Problem::Missing))?;
        let verifier = verifier.filter(|v| !v.is_empty());
        let now = self.sb.now_for(access).await?;
        let hash = code_hash(code);
        let mut tx = self.sb.store().begin().await?;
        let found = tx.opt(connect_codes::by_hash(&hash)).await?;
        let verdict = match &found {
            None => Err(CodeRefusal::Unknown),
            Some(c) if &c.connect_app_sid != app => Err(CodeRefusal::OtherApp),
            Some(c) if c.used_at.is_some() => Err(CodeRefusal::Used),
            Some(c) if now >= c.expires_at => Err(CodeRefusal::Expired),
            Some(c) => {
                // From here on the code is spent, whatever comes of it: a
                // wrong verifier cannot be retried with another.
                let won = tx.run(connect_codes::use_up(&hash, now)).await? == 1;
                let grant = tx
                    .opt(authorizations::of(&c.customer_account_sid, app))
                    .await?;
                let proof = match (&c.code_challenge, verifier) {
                    _ if !won => Err(CodeRefusal::Used),
                    (Some(_), None) => Err(CodeRefusal::VerifierMissing),
                    (Some(challenge), Some(v))
                        if bool::from(s256_challenge(v).as_bytes().ct_eq(challenge.as_bytes())) =>
                    {
                        Ok(())
                    }
                    (Some(_), Some(_)) => Err(CodeRefusal::VerifierMismatch),
                    (None, Some(_)) => Err(CodeRefusal::VerifierUnexpected),
                    (None, None) => Ok(()),
                };
                proof.and_then(|()| match grant {
                    Some(g) if g.is_active() && g.subaccount_sid == c.subaccount_sid => Ok(c),
                    _ => Err(CodeRefusal::Revoked),
                })
            }
        };
        let subject = found.as_ref().map(|c| c.subaccount_sid.to_string());
        audit::record_change(
            &mut tx,
            access,
            Change {
                account: &owner,
                action: match verdict {
                    Ok(_) => "connect.code_exchange",
                    Err(_) => "connect.code_refused",
                },
                app: Some(app),
                subject: subject.as_deref(),
                permissions: found.as_ref().map(|c| c.permissions),
                detail: Some(match verdict {
                    Ok(_) => record.friendly_name.clone(),
                    Err(refusal) => format!("{} ({refusal:?})", record.friendly_name),
                }),
            },
        )
        .await?;
        tx.commit().await?;
        match verdict {
            Ok(c) => Ok(Exchanged {
                account_sid: c.subaccount_sid.clone(),
                permissions: c.permissions,
                customer_account_sid: c.customer_account_sid.clone(),
            }),
            Err(refusal) => {
                tracing::info!(app = %app, ?refusal, "Connect code refused");
                Err(invalid(CodeField::Code, Problem::CodeRefused(refusal)))
            }
        }
    }

    /// Deny: records it and returns where to send the browser.
    pub async fn deny(
        &self,
        access: &Access,
        sid: &ConnectAppSid,
        back: Return<'_>,
    ) -> DomainResult<String> {
        let customer = Self::customer(access)?;
        let app = self.sb.connect_app(sid).await?;
        if app.authorize_redirect_url.is_none() {
            return Err(invalid(AppField::AuthorizeRedirectUrl, Problem::Missing));
        }
        let signing_key = match app.sign_redirects {
            true => {
                let owner = self
                    .sb
                    .store()
                    .opt(accounts::by_sid(&app.account_sid))
                    .await?
                    .ok_or(DomainError::NotFound)?;
                Some(self.sb.reveal_token(&owner)?)
            }
            false => None,
        };
        let mut tx = self.sb.store().begin().await?;
        audit::record_change(
            &mut tx,
            access,
            Change {
                account: &customer.sid,
                action: "connect.deny",
                app: Some(sid),
                subject: None,
                permissions: Some(app.permissions),
                detail: Some(app.friendly_name.clone()),
            },
        )
        .await?;
        tx.commit().await?;
        decision_redirect(
            &app,
            signing_key.as_deref(),
            back,
            &[("error", "unauthorized_client")],
            Timestamp::now(),
        )
    }

    /// The customer deciding, on the consent page: the main account the
    /// access names.
    fn customer(access: &Access) -> DomainResult<&AccountFacts> {
        access.require(Action::Write, Resource::AuthorizedConnectApps)?;
        access.target_account()
    }

    /// The apps a customer has authorized (`GET …/AuthorizedConnectApps.json`).
    pub async fn list(
        &self,
        reader: Reader<'_>,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<AuthorizedApp>> {
        self.sb
            .read_page(reader, Resource::AuthorizedConnectApps, |account| {
                authorizations::active_for(account, at, size)
            })
            .await
    }

    /// `GET …/AuthorizedConnectApps/{ConnectAppSid}.json`.
    pub async fn get(
        &self,
        reader: Reader<'_>,
        app: &ConnectAppSid,
    ) -> DomainResult<AuthorizedApp> {
        self.sb
            .read_one(reader, Resource::AuthorizedConnectApps, |account| {
                authorizations::active_for_app(account, app)
            })
            .await
    }

    /// The customer the access names ends their grant to an app (`DELETE
    /// …/AuthorizedConnectApps/{ConnectAppSid}.json` is an extension: Twilio's
    /// API is read-only here). The grant stops working with this commit (on
    /// every node: each request reads it), the dedicated subaccount and its
    /// data stay with the customer, and the app's deauthorize URL is called.
    pub async fn revoke(&self, access: &Access, app: &ConnectAppSid) -> DomainResult<()> {
        access.require(Action::Write, Resource::AuthorizedConnectApps)?;
        let customer = &access.target_account()?.sid;
        self.end(access, customer, app, None).await
    }

    /// The owner of an app (the account the access names) ends one
    /// customer's grant of it, named by the dedicated subaccount the app was
    /// given.
    pub async fn revoke_as_owner(
        &self,
        access: &Access,
        app: &ConnectAppSid,
        subaccount: &AccountSid,
    ) -> DomainResult<()> {
        let grant = self
            .sb
            .connect_apps()
            .customer_grant(access, app, subaccount)
            .await?;
        access.require(Action::Write, Resource::ConnectApps)?;
        self.end(access, &grant.customer_account_sid, app, None)
            .await
    }

    async fn end(
        &self,
        access: &Access,
        customer: &AccountSid,
        app: &ConnectAppSid,
        detail: Option<String>,
    ) -> DomainResult<()> {
        let now = self.sb.now_for(access).await?;
        let mut tx = self.sb.store().begin().await?;
        let grant = tx
            .opt(authorizations::of(customer, app))
            .await?
            .filter(AuthorizationRecord::is_active)
            .ok_or(DomainError::NotFound)?;
        let record = tx.opt(switchboard_store::connect_apps::by_sid(app)).await?;
        tx.run(authorizations::revoke(customer, app, now)).await?;
        if let Some(record) = &record {
            enqueue_deauthorize(&mut tx, record, &grant, now).await?;
        }
        audit::record_change(
            &mut tx,
            access,
            Change {
                account: customer,
                action: "connect.revoke",
                app: Some(app),
                subject: Some(grant.subaccount_sid.as_str()),
                permissions: Some(grant.permissions),
                detail: detail.or(record.map(|r| r.friendly_name)),
            },
        )
        .await?;
        tx.commit().await?;
        self.sb.wake_deliveries();
        tracing::info!(app = %app, customer = %customer, "Connect App revoked");
        Ok(())
    }
}

/// The deauthorize callback: `AccountSid` (the dedicated subaccount, the SID the
/// app stored) and `ConnectAppSid`, signed with the app owner's token.
async fn enqueue_deauthorize(
    tx: &mut Tx,
    app: &ConnectAppRecord,
    grant: &AuthorizationRecord,
    now: Timestamp,
) -> DomainResult<()> {
    let Some(url) = &app.deauthorize_callback_url else {
        return Ok(());
    };
    let method = HookMethod::parse(&app.deauthorize_callback_method).unwrap_or(HookMethod::Post);
    let hook = Webhook {
        connect_app: Some(app.sid.clone()),
        ..Webhook::notice(
            WebhookKind::Deauthorize,
            (app.account_sid.clone(), app.account_sid.clone()),
            Some(grant.subaccount_sid.to_string()),
            (method, url.clone()),
            vec![
                ("AccountSid".to_owned(), grant.subaccount_sid.to_string()),
                ("ConnectAppSid".to_owned(), app.sid.to_string()),
            ],
        )
    };
    delivery::enqueue(tx, &hook, now).await?;
    Ok(())
}

/// The authorized callback (`AuthorizeCallbackUrl`), on every approval: the
/// dedicated subaccount (`AccountSid`, what the app authenticates as), the
/// app, the customer's main account and what they granted, signed with the
/// app owner's token as every callback.
async fn enqueue_authorized(
    tx: &mut Tx,
    app: &ConnectAppRecord,
    grant: &AuthorizationRecord,
    now: Timestamp,
) -> DomainResult<()> {
    let Some(url) = &app.authorize_callback_url else {
        return Ok(());
    };
    let method = HookMethod::parse(&app.authorize_callback_method).unwrap_or(HookMethod::Post);
    let hook = Webhook {
        connect_app: Some(app.sid.clone()),
        ..Webhook::notice(
            WebhookKind::Authorize,
            (app.account_sid.clone(), app.account_sid.clone()),
            Some(grant.subaccount_sid.to_string()),
            (method, url.clone()),
            vec![
                ("AccountSid".to_owned(), grant.subaccount_sid.to_string()),
                ("ConnectAppSid".to_owned(), app.sid.to_string()),
                (
                    "CustomerAccountSid".to_owned(),
                    grant.customer_account_sid.to_string(),
                ),
                ("Permissions".to_owned(), grant.permissions.to_string()),
            ],
        )
    };
    delivery::enqueue(tx, &hook, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_keep_existing_parameters_and_encode_state() {
        let url = redirect_with(
            "https://app.example.com/connect?tenant=7",
            &[
                ("AccountSid", "AC123"),
                ("state", "a&AccountSid=ACevil <b>\"x\"</b>"),
            ],
        )
        .unwrap();
        assert!(
            url.starts_with("https://app.example.com/connect?tenant=7&AccountSid=AC123&state=")
        );
        let parsed = url::Url::parse(&url).unwrap();
        let sids: Vec<_> = parsed
            .query_pairs()
            .filter(|(k, _)| k == "AccountSid")
            .collect();
        assert_eq!(sids.len(), 1, "state cannot add a second AccountSid: {url}");
        let state = parsed.query_pairs().find(|(k, _)| k == "state").unwrap().1;
        assert_eq!(state, "a&AccountSid=ACevil <b>\"x\"</b>");
        assert!(!url.contains('<') && !url.contains('"'));
    }

    const REGISTERED: &str = "https://app.example.com/twilio/complete?tenant=42";

    fn base(cb: &str) -> String {
        return_base(REGISTERED, Some(cb)).unwrap().into()
    }

    #[test]
    fn a_cb_is_honoured_only_when_it_differs_in_its_query() {
        for same in [
            "https://app.example.com/twilio/complete?redirect_state=abc",
            "https://app.example.com/twilio/complete",
            "https://APP.example.com:443/twilio/complete?x=1&y=2",
        ] {
            assert_eq!(
                url::Url::parse(&base(same)).unwrap().path(),
                "/twilio/complete"
            );
            assert_eq!(
                base(same),
                url::Url::parse(same).unwrap().as_str(),
                "{same}"
            );
        }
        for other in [
            "https://evil.example.com/twilio/complete?tenant=42",
            "http://app.example.com/twilio/complete?tenant=42",
            "https://app.example.com:8443/twilio/complete?tenant=42",
            "https://app.example.com/twilio/completex?tenant=42",
            "https://app.example.com/twilio/complete/../../evil?tenant=42",
            "https://app.example.com/twilio/%63omplete?tenant=42",
            "https://app.example.com.evil.example/twilio/complete",
            "https://user@app.example.com/twilio/complete",
            "https://app.example.com/twilio/complete#frag",
            "//app.example.com/twilio/complete",
            "/twilio/complete?x=1",
            "javascript:alert(1)",
            "https://app.example.com\\@evil.example.com/twilio/complete",
            "",
        ] {
            assert_eq!(base(other), REGISTERED, "{other:?} must be ignored");
        }
        assert_eq!(
            String::from(return_base(REGISTERED, None).unwrap()),
            REGISTERED
        );
    }

    fn app(sign: bool) -> ConnectAppRecord {
        ConnectAppRecord {
            sid: ConnectAppSid::generate(),
            account_sid: AccountSid::generate(),
            friendly_name: "Analytics".into(),
            company_name: None,
            description: None,
            homepage_url: None,
            terms_of_service_url: None,
            authorize_redirect_url: Some(REGISTERED.into()),
            deauthorize_callback_url: None,
            deauthorize_callback_method: "POST".into(),
            permissions: Permissions::NONE,
            sign_redirects: sign,
            authorize_callback_url: None,
            authorize_callback_method: "POST".into(),
            has_logo: false,
            date_created: Timestamp::from_seconds(1),
            date_updated: Timestamp::from_seconds(1),
        }
    }

    #[test]
    fn a_signed_redirect_signs_everything_before_its_signature() {
        let back = Return {
            state: Some("s 1"),
            cb: Some("https://app.example.com/twilio/complete?redirect_state=r"),
            response: ResponseType::AccountSid,
        };
        let now = Timestamp::from_seconds(1_800_000_000);
        let pairs = [("AccountSid", "AC123")];
        let plain = decision_redirect(&app(false), Some("token"), back, &pairs, now).unwrap();
        assert_eq!(
            plain,
            "https://app.example.com/twilio/complete?redirect_state=r&AccountSid=AC123&state=s+1"
        );
        let signed = decision_redirect(&app(true), Some("token"), back, &pairs, now).unwrap();
        let (unsigned, signature) = signed.rsplit_once("&Signature=").unwrap();
        assert_eq!(unsigned, format!("{plain}&Timestamp=1800000000"));
        let signature: String = url::form_urlencoded::parse(format!("s={signature}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        assert_eq!(signature, twilio_signature("token", unsigned, &[]));
        assert_ne!(signature, twilio_signature("other", unsigned, &[]));
    }
}
