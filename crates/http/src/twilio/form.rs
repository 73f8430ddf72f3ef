//! Twilio's request parameters: `application/x-www-form-urlencoded` bodies and
//! query strings, with PascalCase keys and lists as repeated keys.
//!
//! Parsed strictly: a parameter that does not decode to UTF-8 is an error naming
//! the parameter, never silently replaced characters.

use percent_encoding::percent_decode;

use super::error::ApiError;

/// The parameters of one request, in the order they arrived.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

fn decode_component(raw: &[u8]) -> Result<String, Vec<u8>> {
    let plus_as_space: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&plus_as_space).collect();
    String::from_utf8(bytes).map_err(|e| e.into_bytes())
}

impl Params {
    /// Parses `a=1&b=2&b=3`.
    pub fn parse(raw: &[u8]) -> Result<Params, ApiError> {
        let mut pairs = Vec::new();
        for part in raw.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (key, value) = match part.iter().position(|&b| b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            let key = decode_component(key)
                .map_err(|_| ApiError::bad_request(None, "A parameter name is not valid UTF-8"))?;
            let value = decode_component(value).map_err(|_| {
                ApiError::bad_request(
                    Some(&key),
                    format!("The value of {} is not valid UTF-8", printable(&key)),
                )
            })?;
            // PostgreSQL cannot store NUL in text, and no Twilio parameter
            // needs one: refused here, for every resource, on both databases.
            if key.contains('\0') || value.contains('\0') {
                return Err(ApiError::bad_request(
                    Some(&key),
                    format!("The value of {} contains a NUL character", printable(&key)),
                ));
            }
            pairs.push((key, value));
        }
        Ok(Params { pairs })
    }

    /// The first value of `name`, owned (for a domain type's field).
    pub fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// A required, non-empty value.
    pub fn require(&self, name: &'static str) -> Result<&str, ApiError> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ApiError::bad_request(
                Some(name),
                format!("Required parameter {name} is missing"),
            )),
        }
    }

    /// An optional value read with `parse` (an enum's or a SID's); absent or
    /// empty is `None`, and what `parse` refuses is Twilio's 400 naming `name`.
    pub fn optional<T, E: std::fmt::Display>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(value) => parse(value)
                .map(Some)
                .map_err(|e| ApiError::bad_request(Some(name), e.to_string())),
        }
    }

    /// An optional Twilio boolean: `true` or `false` in any case; absent or
    /// empty is `None`.
    pub fn boolean(&self, name: &'static str) -> Result<Option<bool>, ApiError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::bad_request(
                Some(name),
                format!("{name} must be true or false"),
            )),
        }
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
}

/// A parameter name safe to echo in a message.
fn printable(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_plus_and_percent() {
        let p = Params::parse(
            b"Permissions=get-all&Permissions=post-all&FriendlyName=A+b%26c&Empty=&Flag",
        )
        .unwrap();
        assert_eq!(
            p.get_all("Permissions").collect::<Vec<_>>(),
            ["get-all", "post-all"]
        );
        assert_eq!(p.get("FriendlyName"), Some("A b&c"));
        assert_eq!(p.get("Empty"), Some(""));
        assert_eq!(p.get("Flag"), Some(""));
        assert_eq!(p.get("Missing"), None);
        assert!(p.require("Empty").is_err());
    }

    #[test]
    fn booleans_are_true_or_false_in_any_case() {
        let p = Params::parse(b"A=true&B=FALSE&C=&D=yes").unwrap();
        assert_eq!(p.boolean("A").unwrap(), Some(true));
        assert_eq!(p.boolean("B").unwrap(), Some(false));
        assert_eq!(p.boolean("C").unwrap(), None);
        assert_eq!(p.boolean("Missing").unwrap(), None);
        let err = p.boolean("D").unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        assert!(err.message.contains("D must be true or false"));
    }

    #[test]
    fn utf8_is_decoded_and_invalid_utf8_refused() {
        assert_eq!(
            Params::parse(b"Body=%C3%A9%F0%9F%98%80")
                .unwrap()
                .get("Body"),
            Some("é😀")
        );
        let err = Params::parse(b"Body=%FF%FE").unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
        assert!(err.message.contains("Body"));
        assert!(Params::parse(b"%FF=1").is_err());
    }

    #[test]
    fn keys_with_operators_survive() {
        let p = Params::parse(b"StartTime%3E=2024-01-01&StartTime%3C=2024-02-01").unwrap();
        assert_eq!(p.get("StartTime>"), Some("2024-01-01"));
        assert_eq!(p.get("StartTime<"), Some("2024-02-01"));
    }
}
