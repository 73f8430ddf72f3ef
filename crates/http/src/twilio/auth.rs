//! HTTP Basic credentials: the username is an Account SID (the password an
//! auth token) or an API key's SID (the password its secret). Anything
//! malformed is simply "not authenticated".

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use switchboard_domain::access::Credentials;
use switchboard_types::Username;
#[cfg(test)]
use switchboard_types::{AccountSid, ApiKeySid};

use super::error::ApiError;

/// The longest header worth decoding: an Account SID, a colon and a token are far
/// shorter.
const MAX_AUTHORIZATION_LEN: usize = 512;

pub fn credentials(headers: &HeaderMap) -> Result<Credentials, ApiError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(ApiError::unauthenticated)?
        .to_str()
        .map_err(|_| ApiError::unauthenticated())?;
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(ApiError::unauthenticated());
    }
    let (scheme, encoded) = value
        .split_once(' ')
        .ok_or_else(ApiError::unauthenticated)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ApiError::unauthenticated());
    }
    // Decoded on the stack: base64 never decodes to more bytes than it has.
    let mut decoded = [0u8; MAX_AUTHORIZATION_LEN];
    let len = STANDARD
        .decode_slice(encoded.trim(), &mut decoded)
        .map_err(|_| ApiError::unauthenticated())?;
    let text = std::str::from_utf8(&decoded[..len]).map_err(|_| ApiError::unauthenticated())?;
    let (username, password) = text.split_once(':').ok_or_else(ApiError::unauthenticated)?;
    let username = Username::parse(username).map_err(|_| ApiError::unauthenticated())?;
    Ok(Credentials {
        username,
        password: password.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("authorization", HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn accepts_basic_with_an_account_sid() {
        let sid = AccountSid::generate();
        let header = format!(
            "Basic {}",
            STANDARD.encode(format!("{sid}:secret:with:colons"))
        );
        let c = credentials(&with(&header)).unwrap();
        assert_eq!(c.username, Username::Account(sid));
        assert_eq!(c.password, "secret:with:colons");
    }

    #[test]
    fn accepts_basic_with_an_api_key() {
        let sid = ApiKeySid::generate();
        let header = format!("Basic {}", STANDARD.encode(format!("{sid}:secret")));
        let c = credentials(&with(&header)).unwrap();
        assert_eq!(c.username, Username::Key(sid));
        assert_eq!(c.password, "secret");
    }

    #[test]
    fn refuses_everything_else() {
        let sid = AccountSid::generate();
        for bad in [
            "".to_owned(),
            "Bearer abc".to_owned(),
            "Basic".to_owned(),
            "Basic !!!".to_owned(),
            format!("Basic {}", STANDARD.encode("nocolon")),
            format!(
                "Basic {}",
                STANDARD.encode("CN0123456789abcdef0123456789abcdef:x")
            ),
            format!("Basic {}", STANDARD.encode([0xff, 0xfe, b':', b'x'])),
            format!(
                "Basic {}",
                STANDARD.encode(format!("{sid}:{}", "x".repeat(600)))
            ),
        ] {
            let r = if bad.is_empty() {
                credentials(&HeaderMap::new())
            } else {
                credentials(&with(&bad))
            };
            assert_eq!(r.unwrap_err().status.as_u16(), 401, "{bad}");
        }
    }
}
