//! CSRF tokens for forms filled in before signing in (sign-in, sign-up), which
//! have no session to bind a token to: their token is a MAC of a random cookie,
//! so another site can neither read nor forge it (checked by `csrf::guard`).

use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use switchboard_domain::secrets::{Keys, random_id};

use super::cookies;

const PURPOSE: &str = "anonymous-form";
const FORM_COOKIE_SECONDS: i64 = 2 * 60 * 60;

fn token_for(keys: &Keys, cookie_value: &str) -> String {
    URL_SAFE_NO_PAD.encode(keys.sign(PURPOSE, cookie_value.as_bytes()))
}

/// The token to put in an anonymous form, and the cookie to set if the browser
/// has none yet.
pub fn anonymous_token(keys: &Keys, headers: &HeaderMap, secure: bool) -> (String, Option<String>) {
    match cookies::get(headers, cookies::FORM).filter(|v| v.len() >= 32) {
        Some(existing) => (token_for(keys, existing), None),
        None => {
            let fresh = random_id();
            (
                token_for(keys, &fresh),
                Some(cookies::set(
                    cookies::FORM,
                    &fresh,
                    FORM_COOKIE_SECONDS,
                    secure,
                )),
            )
        }
    }
}

/// Whether an anonymous form's token matches the browser's cookie.
pub fn anonymous_token_valid(keys: &Keys, headers: &HeaderMap, presented: Option<&str>) -> bool {
    let (Some(cookie), Some(presented)) = (cookies::get(headers, cookies::FORM), presented) else {
        return false;
    };
    let Ok(mac) = URL_SAFE_NO_PAD.decode(presented) else {
        return false;
    };
    keys.verify(PURPOSE, cookie.as_bytes(), &mac)
}

/// Where to go after signing in: only ever a path on this site, so the parameter
/// cannot send anyone elsewhere.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && p.len() <= 2048
                && !p.chars().any(|c| c.is_control() || c == '\\') =>
        {
            p.to_owned()
        }
        _ => "/console".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_survive() {
        assert_eq!(
            local_path(Some("/authorize/CN1?state=x")),
            "/authorize/CN1?state=x"
        );
        for evil in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "evil",
            "/ok\r\nSet-Cookie: x=1",
            "",
        ] {
            assert_eq!(local_path(Some(evil)), "/console", "{evil:?}");
        }
        assert_eq!(local_path(None), "/console");
    }

    #[test]
    fn anonymous_tokens_bind_to_their_cookie() {
        let keys = Keys::from_master(b"k");
        let (token, set) = anonymous_token(&keys, &HeaderMap::new(), false);
        let cookie = set.unwrap();
        let value = cookie
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(
            "cookie",
            format!("{}={value}", cookies::FORM).parse().unwrap(),
        );
        assert!(anonymous_token_valid(&keys, &headers, Some(&token)));
        assert!(!anonymous_token_valid(&keys, &headers, Some("forged")));
        assert!(!anonymous_token_valid(&keys, &headers, None));
        assert!(!anonymous_token_valid(
            &keys,
            &HeaderMap::new(),
            Some(&token)
        ));
    }
}
