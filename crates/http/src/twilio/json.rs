//! JSON response bodies.
//!
//! Written with `sonic-rs` rather than `serde_json`: a call is about 1.9 kB of
//! JSON, most of it SIDs and URIs, and `serde_json` checks every byte of every
//! string for characters to escape one at a time, which was the largest single
//! cost of a call fetch (docs/benchmarks.md, finding 10). `sonic-rs` serializes
//! the same `Serialize` types to the same bytes and checks strings a vector at a
//! time; the tests below hold it to `serde_json`'s output.

use std::cell::RefCell;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;

/// A response whose body is `T` as JSON (`application/json`).
pub struct Json<T>(pub T);

/// What is sent if a value cannot be written as JSON. None of the API's types
/// can fail (their maps have string keys), so this is a guard, not a path.
const UNWRITABLE: &str = r#"{"code":20500,"message":"The response could not be written","more_info":"https://www.twilio.com/docs/errors/20500","status":500}"#;

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let content_type = [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )];
        match write(&self.0) {
            Ok(body) => (content_type, body).into_response(),
            Err(err) => {
                tracing::error!(%err, "a response could not be written as JSON");
                (StatusCode::INTERNAL_SERVER_ERROR, content_type, UNWRITABLE).into_response()
            }
        }
    }
}

thread_local! {
    /// Where each thread writes its responses before copying them out.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Larger scratch buffers (left by a long list) are not kept.
const SCRATCH_KEPT: usize = 64 * 1024;

/// `value` as JSON, in a buffer of exactly its size.
///
/// Written in a scratch buffer the thread keeps, then copied: `sonic-rs` reserves
/// six times a string's length before writing it (room to escape every byte), so
/// a fresh buffer was reallocated and copied several times for one call, and a
/// buffer sized in advance was a large allocation plus a separate one for the
/// body to own it. Copying a few kilobytes costs less than either.
fn write<T: Serialize>(value: &T) -> sonic_rs::Result<Bytes> {
    SCRATCH.with(|scratch| {
        let mut taken = scratch.take();
        taken.clear();
        let written =
            sonic_rs::to_writer(&mut taken, value).map(|()| Bytes::copy_from_slice(&taken));
        if taken.capacity() <= SCRATCH_KEPT {
            scratch.replace(taken);
        }
        written
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn same_as_serde_json<T: Serialize>(value: &T) {
        let ours = sonic_rs::to_string(value).unwrap();
        let reference = serde_json::to_string(value).unwrap();
        assert_eq!(ours, reference);
    }

    #[test]
    fn each_body_is_written_alone() {
        // The scratch buffer is reused: a short body after a long one must not
        // carry the long one's tail, and a body past what is kept is still whole.
        let long = "x".repeat(SCRATCH_KEPT * 2);
        let medium = "y".repeat(1000);
        for value in [&medium, &long, &"short".to_owned(), &medium] {
            assert_eq!(write(value).unwrap(), serde_json::to_vec(value).unwrap());
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        // Every ASCII control character, the two that JSON must escape, the one it
        // may (`/`, which neither escapes), non-ASCII text, and runs long enough
        // to cross every vector width.
        let mut every_char: String = (0u8..0x80).map(char::from).collect();
        every_char.push_str("é日本語🙂\u{2028}\u{2029}\u{7f}");
        let cases = [
            String::new(),
            every_char.clone(),
            every_char.repeat(5),
            "\"quoted\" and \\backslashed\\".to_owned(),
            "x".repeat(31) + "\"" + &"y".repeat(33),
            "/2010-04-01/Accounts/AC0123/Calls/CA0123.json".to_owned(),
            "<script>alert(1)</script>".to_owned(),
        ];
        for case in &cases {
            same_as_serde_json(case);
        }
        same_as_serde_json(&cases);
    }

    #[test]
    fn numbers_nulls_and_nesting_are_written_as_serde_json_does() {
        #[derive(Serialize)]
        struct Resource {
            sid: &'static str,
            price: Option<String>,
            duration: Option<u32>,
            count: i64,
            beta: bool,
            latitude: f64,
            longitude: serde_json::Value,
            permissions: Vec<&'static str>,
            subresource_uris: BTreeMap<&'static str, String>,
        }
        same_as_serde_json(&Resource {
            sid: "CA0123456789abcdef0123456789abcdef",
            price: None,
            duration: Some(125),
            count: i64::MIN,
            beta: false,
            latitude: 37.7749,
            longitude: json!(-122.4194),
            permissions: vec!["get-all", "post-all"],
            subresource_uris: BTreeMap::from([("calls", "/Calls.json".to_owned())]),
        });
        same_as_serde_json(&json!({
            "floats": [0.1, 1e21, 1.5e-7, -0.0, 12345.678, f64::MAX],
            "ints": [0, u64::MAX, i64::MIN],
            "empty": {}, "list": [], "null": null,
        }));
    }

    #[test]
    fn a_response_is_json_with_its_content_type() {
        let response = Json(json!({"ok": true})).into_response();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    }
}
