//! The installation's keys, and what they protect.
//!
//! One random master key is generated on first start and kept in the database, so
//! every node of one installation shares it. Separate keys are derived from it for
//! each purpose, so a MAC made for one purpose is never valid for another.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use switchboard_store::{Store, instance};

use crate::error::DomainError;

type HmacSha256 = Hmac<Sha256>;

const MASTER_KEY: &str = "master-key-v1";
const NONCE_LEN: usize = 12;

/// Keys derived from the master key, one per purpose. The two MAC keys are kept
/// as HMAC states already keyed: keying hashes two blocks, as many as a short
/// message's whole MAC, and the token MAC runs on every API request.
#[derive(Clone)]
pub struct Keys {
    token_mac: HmacSha256,
    token_seal: [u8; 32],
    signing: HmacSha256,
}

fn derive(master: &[u8], purpose: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

fn keyed(key: &[u8; 32]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length")
}

fn hmac(keyed: &HmacSha256, parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed.clone();
    for part in parts {
        // Length-prefixed so that ("ab", "c") and ("a", "bc") differ.
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Two MACs compared in constant time. The difference is folded into one word
/// before the single comparison `subtle` guards; `ct_eq` on slices guards each
/// byte separately, which cost more than the rest of identifying the caller.
fn equal_macs(a: &[u8; 32], b: &[u8; 32]) -> subtle::Choice {
    let word = |bytes: &[u8]| u64::from_ne_bytes(bytes.try_into().expect("chunks of 8"));
    let diff = a
        .chunks_exact(8)
        .zip(b.chunks_exact(8))
        .fold(0u64, |diff, (x, y)| diff | (word(x) ^ word(y)));
    diff.ct_eq(&0)
}

impl Keys {
    /// Loads the installation's master key, creating it on first start.
    pub async fn load(store: &Store) -> Result<Keys, DomainError> {
        let master = instance::secret_or_insert(store, MASTER_KEY, || {
            let mut key = vec![0u8; 32];
            rand::rng().fill_bytes(&mut key);
            key
        })
        .await?;
        Ok(Keys::from_master(&master))
    }

    pub fn from_master(master: &[u8]) -> Keys {
        Keys {
            token_mac: keyed(&derive(master, "auth-token-mac")),
            token_seal: derive(master, "auth-token-seal"),
            signing: keyed(&derive(master, "signed-values")),
        }
    }

    /// The keyed hash an auth token is checked against. Cheap (well under a
    /// microsecond), unlike a password hash, because it runs on every API request;
    /// safe because tokens are 128 random bits, not guessable passwords.
    pub fn token_mac(&self, token: &str) -> [u8; 32] {
        hmac(&self.token_mac, &[token.as_bytes()])
    }

    /// Whether `presented` (a token MAC) equals any stored MAC, in constant time
    /// over all candidates.
    pub fn matches_any(presented: &[u8; 32], stored: &[Option<Vec<u8>>]) -> bool {
        let mut found = subtle::Choice::from(0);
        for candidate in stored.iter().flatten() {
            if let Ok(candidate) = <&[u8; 32]>::try_from(candidate.as_slice()) {
                found |= equal_macs(presented, candidate);
            }
        }
        found.into()
    }

    /// Whether `presented` equals one stored MAC, in constant time.
    pub fn matches(presented: &[u8; 32], stored: &[u8]) -> bool {
        <&[u8; 32]>::try_from(stored).is_ok_and(|stored| equal_macs(presented, stored).into())
    }

    /// Encrypts a token so the owner can be shown it again.
    pub fn seal(&self, token: &str) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.token_seal));
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        out.extend(
            cipher
                .encrypt(Nonce::from_slice(&nonce), token.as_bytes())
                .expect("encrypting a short token cannot fail"),
        );
        out
    }

    pub fn unseal(&self, sealed: &[u8]) -> Result<String, DomainError> {
        if sealed.len() <= NONCE_LEN {
            return Err(DomainError::Internal("sealed token too short".into()));
        }
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.token_seal));
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| {
                DomainError::Internal(
                    "a stored token does not decrypt with this installation's key".into(),
                )
            })?;
        String::from_utf8(plain)
            .map_err(|_| DomainError::Internal("a stored token is not text".into()))
    }

    /// A MAC binding `value` to `purpose`, for values Switchboard hands out and
    /// must recognise unaltered later (page tokens, CSRF tokens).
    pub fn sign(&self, purpose: &str, value: &[u8]) -> [u8; 32] {
        hmac(&self.signing, &[purpose.as_bytes(), value])
    }

    /// Compares a truncated MAC with the start of the expected one, in constant
    /// time. Truncation (to at least 16 bytes) keeps tokens short.
    pub fn verify_prefix(&self, expected: &[u8; 32], presented: &[u8]) -> bool {
        presented.len() >= 16
            && presented.len() <= expected.len()
            && bool::from(expected[..presented.len()].ct_eq(presented))
    }

    pub fn verify(&self, purpose: &str, value: &[u8], mac: &[u8]) -> bool {
        let expected = self.sign(purpose, value);
        mac.len() == expected.len() && bool::from(expected.as_slice().ct_eq(mac))
    }
}

/// A fresh auth token: 32 lower-case hex digits, as Twilio's.
pub fn new_auth_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A fresh API key secret: 32 letters and digits, as Twilio's (190 bits).
pub fn new_key_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..32)
        .map(|_| ALPHABET[rand::Rng::random_range(&mut rng, 0..ALPHABET.len())] as char)
        .collect()
}

/// A random identifier with 256 bits of entropy, hex encoded.
pub fn random_id() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_seal_and_unseal() {
        let keys = Keys::from_master(b"master");
        let token = new_auth_token();
        let sealed = keys.seal(&token);
        assert_ne!(sealed, token.as_bytes());
        assert_eq!(keys.unseal(&sealed).unwrap(), token);
        let other = Keys::from_master(b"another");
        assert!(other.unseal(&sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(keys.unseal(&tampered).is_err());
    }

    #[test]
    fn token_macs_match_only_their_token() {
        let keys = Keys::from_master(b"master");
        let mac = keys.token_mac("abc");
        assert!(Keys::matches_any(&mac, &[None, Some(mac.to_vec())]));
        assert!(!Keys::matches_any(
            &keys.token_mac("abd"),
            &[Some(mac.to_vec())]
        ));
        assert!(!Keys::matches_any(&mac, &[None, None]));
        // A difference in any byte is seen.
        for i in 0..32 {
            let mut other = mac;
            other[i] ^= 0x80;
            assert!(
                !Keys::matches_any(&other, &[Some(mac.to_vec())]),
                "byte {i}"
            );
        }
        assert!(!Keys::matches_any(&mac, &[Some(mac[..31].to_vec())]));
        assert!(!Keys::matches_any(&mac, &[Some(vec![])]));
    }

    #[test]
    fn macs_are_unchanged_by_keeping_keyed_states() {
        // Stored token MACs and signatures handed out must stay valid across
        // releases: these are HMAC-SHA256 as specified, computed independently
        // (Python's hmac) from the master key b"master".
        let keys = Keys::from_master(b"master");
        assert_eq!(
            hex::encode(keys.token_mac("abc")),
            "3b30e4db10cf7461fc82833d82353a5a5fbb36fcf131ecdec9aaca249559c2f2"
        );
        assert_eq!(
            hex::encode(keys.sign("page", b"cursor")),
            "cd7546fc9a05bc036861e80cec5ddccaf76c95dfee90c761612d9f365b435061"
        );
        // And a keyed state is not used up by one MAC.
        assert_eq!(keys.token_mac("abc"), keys.token_mac("abc"));
    }

    #[test]
    fn signatures_are_bound_to_their_purpose() {
        let keys = Keys::from_master(b"master");
        let sig = keys.sign("page", b"cursor");
        assert!(keys.verify("page", b"cursor", &sig));
        assert!(!keys.verify("csrf", b"cursor", &sig));
        assert!(!keys.verify("page", b"cursos", &sig));
        assert!(!keys.verify("page", b"cursor", &sig[..31]));
    }
}
