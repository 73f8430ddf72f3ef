//! Twilio's list pages: `PageSize`, `Page` and `PageToken` in, the paging envelope
//! out, with relative URIs the SDKs follow.
//!
//! A `PageToken` names a position in the list (the sort key and SID of a row) and
//! is signed with the installation's key and the list's path, so a token that was
//! altered, forged or taken from another list is refused instead of silently
//! reading somewhere else.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::ser::{Serialize, SerializeMap, Serializer};
use switchboard_domain::secrets::Keys;
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};

use super::error::ApiError;
use super::form::Params;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 1000;
const TOKEN_PURPOSE: &str = "page-token";
const MAC_LEN: usize = 16;

/// The paging a request asked for.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub size: u32,
    pub number: u32,
    pub at: PageAt,
}

fn parse_number(params: &Params, name: &'static str) -> Result<Option<u32>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<u32>().map_err(|_| {
                ApiError::bad_request(
                    Some(name),
                    format!("{name} must be a whole number, not '{}'", shorten(v)),
                )
            })
        })
        .transpose()
}

fn shorten(v: &str) -> String {
    v.chars().take(32).collect()
}

impl PageRequest {
    pub fn parse(params: &Params, path: &str, keys: &Keys) -> Result<PageRequest, ApiError> {
        let size = parse_number(params, "PageSize")?.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(ApiError::bad_request(
                Some("PageSize"),
                format!("PageSize must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        let number = parse_number(params, "Page")?.unwrap_or(0);
        let at = match params.get("PageToken") {
            None | Some("") => PageAt::First,
            Some(token) => decode_token(token, path, keys)
                .ok_or_else(|| ApiError::bad_request(Some("PageToken"), "Invalid PageToken: use the next_page_uri or previous_page_uri of a list answer"))?,
        };
        Ok(PageRequest { size, number, at })
    }
}

fn token_payload(direction: u8, cursor: &Cursor) -> Vec<u8> {
    let mut payload = Vec::with_capacity(9 + cursor.sid.len());
    payload.push(direction);
    payload.extend_from_slice(&cursor.key.to_be_bytes());
    payload.extend_from_slice(cursor.sid.as_bytes());
    payload
}

fn mac_input(path: &str, payload: &[u8]) -> Vec<u8> {
    let mut input = path.as_bytes().to_vec();
    input.push(0);
    input.extend_from_slice(payload);
    input
}

fn encode_token(keys: &Keys, path: &str, direction: u8, cursor: &Cursor) -> String {
    let payload = token_payload(direction, cursor);
    let mac = keys.sign(TOKEN_PURPOSE, &mac_input(path, &payload));
    let mut raw = payload[1..].to_vec();
    raw.extend_from_slice(&mac[..MAC_LEN]);
    format!("P{}{}", direction as char, URL_SAFE_NO_PAD.encode(raw))
}

fn decode_token(token: &str, path: &str, keys: &Keys) -> Option<PageAt> {
    let rest = token.strip_prefix('P')?;
    let direction = *rest.as_bytes().first()?;
    if direction != b'A' && direction != b'B' {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(&rest[1..]).ok()?;
    if raw.len() < 8 + MAC_LEN {
        return None;
    }
    let (body, mac) = raw.split_at(raw.len() - MAC_LEN);
    let mut payload = vec![direction];
    payload.extend_from_slice(body);
    let expected = keys.sign(TOKEN_PURPOSE, &mac_input(path, &payload));
    if !keys.verify_prefix(&expected, mac) {
        return None;
    }
    let key = i64::from_be_bytes(body[..8].try_into().ok()?);
    let sid = String::from_utf8(body[8..].to_vec()).ok()?;
    let cursor = Cursor { key, sid };
    Some(if direction == b'A' {
        PageAt::After(cursor)
    } else {
        PageAt::Before(cursor)
    })
}

/// Characters escaped in the query strings of the URIs we hand out.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One page of a list as Twilio writes it: the list under `key`, then the envelope.
pub struct Envelope<T> {
    key: &'static str,
    items: Vec<T>,
    first_page_uri: String,
    next_page_uri: Option<String>,
    previous_page_uri: Option<String>,
    uri: String,
    page: u32,
    page_size: u32,
    start: u64,
    end: u64,
}

impl<T> Envelope<T> {
    /// `params` are the request's own (its filters are kept in every URI);
    /// `render` turns each row into its JSON form.
    pub fn new<R: Keyed>(
        key: &'static str,
        path: &str,
        params: &Params,
        request: &PageRequest,
        page: Page<R>,
        keys: &Keys,
        render: impl FnMut(R) -> T,
    ) -> Envelope<T> {
        let mut filters = String::new();
        for (k, v) in params.pairs() {
            if matches!(k.as_str(), "Page" | "PageSize" | "PageToken") {
                continue;
            }
            filters.push_str(&format!(
                "{}={}&",
                utf8_percent_encode(k, QUERY),
                utf8_percent_encode(v, QUERY)
            ));
        }
        let size = request.size;
        let link = |number: u32, token: Option<String>| {
            let mut uri = format!("{path}?{filters}PageSize={size}&Page={number}");
            if let Some(t) = token {
                uri.push_str("&PageToken=");
                uri.push_str(&t);
            }
            uri
        };
        let next = page.next_cursor().map(|c| {
            link(
                request.number.saturating_add(1),
                Some(encode_token(keys, path, b'A', &c)),
            )
        });
        let previous = page.previous_cursor().map(|c| {
            link(
                request.number.saturating_sub(1),
                Some(encode_token(keys, path, b'B', &c)),
            )
        });
        let current_token = params
            .get("PageToken")
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let start = u64::from(request.number) * u64::from(size);
        let count = page.items.len() as u64;
        Envelope {
            key,
            first_page_uri: link(0, None),
            uri: link(request.number, current_token),
            next_page_uri: next,
            previous_page_uri: previous,
            page: request.number,
            page_size: size,
            start,
            end: (start + count).saturating_sub(1).max(start),
            items: page.items.into_iter().map(render).collect(),
        }
    }
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(10))?;
        map.serialize_entry(self.key, &self.items)?;
        map.serialize_entry("end", &self.end)?;
        map.serialize_entry("first_page_uri", &self.first_page_uri)?;
        map.serialize_entry("next_page_uri", &self.next_page_uri)?;
        map.serialize_entry("page", &self.page)?;
        map.serialize_entry("page_size", &self.page_size)?;
        map.serialize_entry("previous_page_uri", &self.previous_page_uri)?;
        map.serialize_entry("start", &self.start)?;
        map.serialize_entry("uri", &self.uri)?;
        map.end()
    }
}

/// One page of a list as Twilio's v1 APIs (messaging…) write it: the list
/// under `key`, and a `meta` object with absolute URLs instead of the 2010
/// envelope's relative URIs and counts.
pub struct MetaEnvelope<T> {
    inner: Envelope<T>,
    base_url: String,
}

impl<T> MetaEnvelope<T> {
    /// As [`Envelope::new`]; `base_url` (the public URL) makes the links
    /// absolute.
    #[allow(clippy::too_many_arguments)]
    pub fn new<R: Keyed>(
        key: &'static str,
        base_url: &str,
        path: &str,
        params: &Params,
        request: &PageRequest,
        page: Page<R>,
        keys: &Keys,
        render: impl FnMut(R) -> T,
    ) -> MetaEnvelope<T> {
        MetaEnvelope {
            inner: Envelope::new(key, path, params, request, page, keys, render),
            base_url: base_url.to_owned(),
        }
    }
}

impl<T: Serialize> Serialize for MetaEnvelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Meta<'a, T>(&'a MetaEnvelope<T>);
        impl<T> Serialize for Meta<'_, T> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let e = &self.0.inner;
                let abs = |uri: &str| format!("{}{uri}", self.0.base_url);
                let mut map = serializer.serialize_map(Some(7))?;
                map.serialize_entry("first_page_url", &abs(&e.first_page_uri))?;
                map.serialize_entry("key", e.key)?;
                map.serialize_entry("next_page_url", &e.next_page_uri.as_deref().map(abs))?;
                map.serialize_entry("page", &e.page)?;
                map.serialize_entry("page_size", &e.page_size)?;
                map.serialize_entry(
                    "previous_page_url",
                    &e.previous_page_uri.as_deref().map(abs),
                )?;
                map.serialize_entry("url", &abs(&e.uri))?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(self.inner.key, &self.inner.items)?;
        map.serialize_entry("meta", &Meta(self))?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::from_master(b"test master key")
    }

    #[test]
    fn tokens_round_trip_and_bind_to_their_list() {
        let k = keys();
        let c = Cursor {
            key: 1_700_000_000_123_456,
            sid: "ACabc".into(),
        };
        let t = encode_token(&k, "/2010-04-01/Accounts.json", b'A', &c);
        assert!(t.starts_with("PA"));
        assert_eq!(
            decode_token(&t, "/2010-04-01/Accounts.json", &k),
            Some(PageAt::After(c.clone()))
        );
        assert_eq!(
            decode_token(&t, "/2010-04-01/Accounts/AC1/Calls.json", &k),
            None
        );
        let b = encode_token(&k, "/x", b'B', &c);
        assert_eq!(decode_token(&b, "/x", &k), Some(PageAt::Before(c)));
    }

    #[test]
    fn forged_and_garbled_tokens_are_refused() {
        let k = keys();
        let t = encode_token(
            &k,
            "/x",
            b'A',
            &Cursor {
                key: 5,
                sid: "ACabc".into(),
            },
        );
        let mut chars: Vec<char> = t.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let tampered: String = chars.into_iter().collect();
        for bad in [
            tampered.as_str(),
            "PA",
            "PAAAAA",
            "garbage",
            "PC",
            "P",
            "",
            "PA!!!!",
            &t.replacen("PA", "PB", 1),
        ] {
            assert_eq!(decode_token(bad, "/x", &k), None, "{bad}");
        }
        assert_eq!(decode_token(&t, "/x", &Keys::from_master(b"other")), None);
    }

    #[test]
    fn page_size_bounds() {
        let k = keys();
        for (q, ok) in [
            ("PageSize=0", false),
            ("PageSize=1", true),
            ("PageSize=1000", true),
            ("PageSize=1001", false),
            ("PageSize=100000", false),
            ("PageSize=-1", false),
            ("PageSize=abc", false),
            ("Page=-2", false),
            ("", true),
        ] {
            let params = Params::parse(q.as_bytes()).unwrap();
            assert_eq!(PageRequest::parse(&params, "/x", &k).is_ok(), ok, "{q}");
        }
    }
}
