//! Checks on values people type, shared by every operation that accepts them.

use crate::error::{AccountField, DomainResult, Field, Problem, UrlFault, invalid};

pub const MAX_FRIENDLY_NAME: usize = 64;

/// A friendly name: 1 to 64 characters, no control characters.
pub fn friendly_name(field: impl Into<Field>, value: &str) -> DomainResult<String> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    let problem = if len == 0 {
        Problem::Blank
    } else if len > MAX_FRIENDLY_NAME {
        Problem::TooLong {
            max: MAX_FRIENDLY_NAME,
        }
    } else if trimmed.chars().any(char::is_control) {
        Problem::ControlCharacters
    } else {
        return Ok(trimmed.to_owned());
    };
    Err(invalid(field, problem))
}

/// An email address for signing in, lower-cased. Deliberately loose: one `@`,
/// something on each side, a dot in the domain, no spaces.
pub fn email(value: &str) -> DomainResult<String> {
    let email = value.trim().to_lowercase();
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if ok {
        Ok(email)
    } else {
        Err(invalid(AccountField::Email, Problem::NotEmail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friendly_names() {
        assert_eq!(
            friendly_name(AccountField::Name, "  Acme  ").unwrap(),
            "Acme"
        );
        assert!(friendly_name(AccountField::Name, "").is_err());
        assert!(friendly_name(AccountField::Name, "   ").is_err());
        assert!(friendly_name(AccountField::Name, &"x".repeat(64)).is_ok());
        assert!(friendly_name(AccountField::Name, &"x".repeat(65)).is_err());
        assert!(friendly_name(AccountField::Name, &"é".repeat(64)).is_ok());
        assert!(friendly_name(AccountField::Name, "a\u{0}b").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Ada@Example.COM ").unwrap(), "ada@example.com");
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
            "ada@.com",
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
    }
}

pub const MAX_URL_LEN: usize = 2048;

/// An absolute `http` or `https` URL with a host and no embedded credentials.
pub fn absolute_url(field: impl Into<Field>, value: &str) -> DomainResult<String> {
    let value = value.trim();
    let field = field.into();
    let bad = |fault| invalid(field, Problem::NotUrl(fault));
    if value.len() > MAX_URL_LEN {
        return Err(bad(UrlFault::TooLong { max: MAX_URL_LEN }));
    }
    let parsed = url::Url::parse(value).map_err(|_| bad(UrlFault::NotHttp))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad(UrlFault::NotHttp));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(UrlFault::Credentials));
    }
    Ok(value.to_owned())
}

/// Free text of bounded length (may be empty).
pub fn text(field: impl Into<Field>, value: &str, max: usize) -> DomainResult<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(invalid(field, Problem::TooLong { max }));
    }
    Ok(value.to_owned())
}

/// `GET` or `POST`, in any case.
pub fn http_method(field: impl Into<Field>, value: &str) -> DomainResult<String> {
    match value.trim().to_ascii_uppercase().as_str() {
        m @ ("GET" | "POST") => Ok(m.to_owned()),
        _ => Err(invalid(
            field,
            Problem::NotMethod {
                given: value.to_owned(),
            },
        )),
    }
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(absolute_url(AccountField::Name, "https://example.com/cb?x=1").is_ok());
        assert!(absolute_url(AccountField::Name, "http://127.0.0.1:8000/").is_ok());
        for bad in [
            "",
            "example.com",
            "/relative",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://user:pw@example.com/",
            "http://",
        ] {
            assert!(absolute_url(AccountField::Name, bad).is_err(), "{bad}");
        }
        assert!(
            absolute_url(
                AccountField::Name,
                &format!("https://example.com/{}", "a".repeat(3000))
            )
            .is_err()
        );
    }

    #[test]
    fn methods() {
        assert_eq!(http_method(AccountField::Name, "post").unwrap(), "POST");
        assert_eq!(http_method(AccountField::Name, "GET").unwrap(), "GET");
        assert!(http_method(AccountField::Name, "PUT").is_err());
    }
}
