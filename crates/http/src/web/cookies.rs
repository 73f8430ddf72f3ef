//! The two cookies: the session, and the anonymous-form cookie that CSRF tokens of
//! sign-in and sign-up forms are bound to.

use axum::http::{HeaderMap, header};

pub const SESSION: &str = "sb_session";
pub const FORM: &str = "sb_form";

pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `HttpOnly` and `SameSite=Lax` always; `Secure` when Switchboard is served over
/// https.
pub fn set(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", 0, secure)
}
