//! Network Traversal tokens (`POST /2010-04-01/Accounts/{Sid}/Tokens.json`),
//! reached by [`Switchboard::network_traversal`]: ephemeral STUN/TURN
//! credentials for WebRTC clients, in Twilio's shape. Switchboard runs no
//! STUN or TURN server: the servers named are placeholders under the
//! reserved `.invalid` domain, so a client on this closed network is never
//! sent to a real one, and nothing is stored (a token is not a resource one
//! can read back, in Twilio either).

use rand::RngCore;
use switchboard_types::{AccountSid, Timestamp};

use crate::Switchboard;
use crate::access::{Access, Action, Resource};
use crate::error::{DomainResult, Field, Problem, invalid};

/// Twilio's default lifetime, a day.
pub const DEFAULT_TTL: u32 = 86_400;
/// The placeholder servers (`.invalid` is reserved: RFC 2606).
pub const SERVERS: [&str; 3] = [
    "stun:global.stun.switchboard.invalid:3478",
    "turn:global.turn.switchboard.invalid:3478?transport=udp",
    "turn:global.turn.switchboard.invalid:443?transport=tcp",
];

/// A token: the credentials every server in `ice_servers` takes.
#[derive(Debug, Clone)]
pub struct TraversalToken {
    pub account_sid: AccountSid,
    pub username: String,
    pub password: String,
    pub ttl: u32,
    pub ice_servers: Vec<&'static str>,
    pub date_created: Timestamp,
}

impl Switchboard {
    /// Network Traversal tokens, for the account an access names.
    pub fn network_traversal(&self) -> NetworkTraversal<'_> {
        NetworkTraversal { sb: self }
    }
}

pub struct NetworkTraversal<'a> {
    sb: &'a Switchboard,
}

impl NetworkTraversal<'_> {
    /// Issues a token valid for `ttl` seconds (Twilio's default a day; at
    /// most two days, as Twilio allows).
    pub async fn create(&self, access: &Access, ttl: Option<i64>) -> DomainResult<TraversalToken> {
        access.require(Action::Write, Resource::Tokens)?;
        let ttl = match ttl {
            None => DEFAULT_TTL,
            Some(t) if (1..=172_800).contains(&t) => t as u32,
            Some(_) => {
                return Err(invalid(
                    Field::Ttl,
                    Problem::OutOfRange {
                        min: 1,
                        max: 172_800,
                    },
                ));
            }
        };
        let account = access.target_account()?.sid.clone();
        let now = self.sb.now_for(access).await?;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let username = hex::encode(bytes);
        rand::rng().fill_bytes(&mut bytes);
        let password = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes);
        Ok(TraversalToken {
            account_sid: account,
            username,
            password,
            ttl,
            ice_servers: SERVERS.to_vec(),
            date_created: now,
        })
    }
}
