//! Checks JSON answers against one of Twilio's OpenAPI documents in `spec/`,
//! strictly: every property the schema declares is present (null only where
//! it is nullable), none it does not declare is sent, and types, enums, SID
//! patterns, lengths and formats (`date-time`, `date-time-rfc-2822`, `date`,
//! `uri`, `uri-map`, `currency`) are what the schema says. This is the Rust
//! suite's one validator: the 2010 document (Notifications…) and the
//! messaging host's v1 document (Messaging Services) alike. (The SDK suites
//! check every response their SDKs see with their own, Python validator.)
//!
//! [`assert_exchange`] judges a whole answer as received: the path is one of
//! the document's templates, the method and status are documented for it,
//! the body is JSON of `application/json` without duplicate keys (an empty
//! body for 204), and errors are Twilio's `{code, message, more_info,
//! status}`.

use std::sync::OnceLock;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Creds, TestServer};

fn load(name: &str) -> Value {
    let path = format!("{}/../../spec/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the vendored spec"))
        .expect("the spec is JSON")
}

/// The messaging host's document (`spec/twilio_messaging_v1.json`).
pub fn messaging() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load("twilio_messaging_v1.json"))
}

/// The 2010 API's document (`spec/twilio_api_v2010.json`).
pub fn api_2010() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load("twilio_api_v2010.json"))
}

/// The 2010 document's URIs are "relative to `https://api.twilio.com`"
/// (`uri`, `first_page_uri`…, and an empty `request_url` in its own
/// examples); the v1 documents' are absolute.
fn relative_uris_allowed(spec: &Value) -> bool {
    spec["servers"][0]["url"] == "https://api.twilio.com"
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            &spec["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// The schema of the answer `method path` gives with `status`.
pub fn response_schema<'a>(spec: &'a Value, path: &str, method: &str, status: u16) -> &'a Value {
    let schema = &spec["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]
        ["schema"];
    assert!(
        !schema.is_null(),
        "the spec documents no {status} JSON answer to {method} {path}"
    );
    resolve(spec, schema)
}

/// Sends `method path` as `c` and checks a successful answer's JSON against
/// `spec`'s operation at `template` (a `204` has no body to check).
pub async fn checked_call(
    spec: &Value,
    s: &TestServer,
    c: &Creds,
    method: Method,
    path: &str,
    template: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (status, body) = s.call(Some(c), method.clone(), path, form).await;
    if status.is_success() && status != StatusCode::NO_CONTENT {
        let m = method.as_str().to_ascii_lowercase();
        assert_answer(spec, template, &m, status.as_u16(), &body);
    }
    (status, body)
}

/// [`checked_call`] against Twilio's 2010 document.
pub async fn call(
    s: &TestServer,
    c: &Creds,
    method: Method,
    path: &str,
    template: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    checked_call(api_2010(), s, c, method, path, template, form).await
}

/// [`checked_call`] against the messaging host's v1 document.
pub async fn call_messaging(
    s: &TestServer,
    c: &Creds,
    method: Method,
    path: &str,
    template: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    checked_call(messaging(), s, c, method, path, template, form).await
}

/// Asserts `body` is what the spec says `method path` answers with `status`.
#[track_caller]
pub fn assert_answer(spec: &Value, path: &str, method: &str, status: u16, body: &Value) {
    let schema = response_schema(spec, path, method, status);
    let mut errors = Vec::new();
    check(spec, schema, body, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match the spec:\n  {}\nbody: {body}",
        errors.join("\n  ")
    );
}

/// Twilio's error body, on every path: `{code, message, more_info, status}`
/// with `status` the HTTP status and `more_info` the code's page.
fn error_problems(status: u16, body: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(obj) = body.as_object() else {
        return vec![format!("an error body that is not an object: {body}")];
    };
    for name in ["code", "message", "more_info", "status"] {
        if !obj.contains_key(name) {
            errors.push(format!("$.{name}: missing from the error"));
        }
    }
    for name in obj.keys() {
        if !["code", "message", "more_info", "status"].contains(&name.as_str()) {
            errors.push(format!("$.{name}: not in Twilio's error"));
        }
    }
    if body["status"].as_u64() != Some(u64::from(status)) {
        errors.push(format!(
            "$.status: {} is not the HTTP status {status}",
            body["status"]
        ));
    }
    if !body["message"].is_string() {
        errors.push("$.message: not a string".into());
    }
    match body["code"].as_u64() {
        Some(code) => {
            let want = format!("https://www.twilio.com/docs/errors/{code}");
            if body["more_info"] != want.as_str() {
                errors.push(format!(
                    "$.more_info: {}, expected {want}",
                    body["more_info"]
                ));
            }
        }
        None => errors.push(format!("$.code: {} is not an integer", body["code"])),
    }
    errors
}

/// The template of `spec` a request path matches (`{Sid}.json` matches
/// `NO….json`); where several do, the one with the most literal text, so
/// `/v1/Services/Usecases` is not taken for `/v1/Services/{Sid}`.
pub fn template_of<'a>(spec: &'a Value, path: &str) -> Option<&'a str> {
    let wanted: Vec<&str> = path.split('/').collect();
    let mut best: Option<(&str, usize)> = None;
    for template in spec["paths"].as_object()?.keys() {
        let parts: Vec<&str> = template.split('/').collect();
        if parts.len() != wanted.len() {
            continue;
        }
        let mut literal = 0;
        let fits = parts
            .iter()
            .zip(&wanted)
            .all(|(t, p)| match t.split_once('{') {
                None => {
                    literal += t.len();
                    t == p
                }
                Some((before, rest)) => {
                    let after = rest.split_once('}').map_or("", |(_, a)| a);
                    literal += before.len() + after.len();
                    p.len() > before.len() + after.len()
                        && p.starts_with(before)
                        && p.ends_with(after)
                }
            });
        if fits && best.is_none_or(|(_, n)| literal > n) {
            best = Some((template, literal));
        }
    }
    best.map(|(t, _)| t)
}

/// Parses JSON, refusing an object that names a key twice (which
/// `serde_json::Value` would silently keep the last of).
pub fn parse_strict(text: &str) -> Result<Value, String> {
    use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

    struct Strict;
    impl<'de> DeserializeSeed<'de> for Strict {
        type Value = Value;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(Strict)
        }
    }
    impl<'de> Visitor<'de> for Strict {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(v) = seq.next_element_seed(Strict)? {
                items.push(v);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut obj = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value_seed(Strict)?;
                if obj.insert(key.clone(), value).is_some() {
                    return Err(de::Error::custom(format!("the key '{key}' appears twice")));
                }
            }
            Ok(Value::Object(obj))
        }
    }
    let mut d = serde_json::Deserializer::from_str(text);
    let value = Strict.deserialize(&mut d).map_err(|e| e.to_string())?;
    d.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// What is wrong with one answer as received, judged by `spec` (empty when
/// nothing is). `url` may be a full URL or a path, with a query or not.
pub fn exchange_problems(
    spec: &Value,
    method: &str,
    url: &str,
    status: u16,
    content_type: Option<&str>,
    text: &str,
) -> Vec<String> {
    let path = url.find("://").map_or(url, |i| {
        url[i + 3..].find('/').map_or("/", |p| &url[i + 3 + p..])
    });
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut errors = Vec::new();
    if status == 204 {
        if !text.trim().is_empty() {
            errors.push("204 with a body".to_owned());
        }
    } else {
        let ctype = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase());
        if ctype.as_deref() != Some("application/json") {
            errors.push(format!(
                "Content-Type {content_type:?}, expected application/json"
            ));
        }
    }
    let body = if status == 204 {
        Value::Null
    } else {
        match parse_strict(text) {
            Ok(body) => body,
            Err(e) => {
                errors.push(format!("the body is not JSON: {e}"));
                return errors;
            }
        }
    };
    if status >= 400 {
        errors.extend(error_problems(status, &body));
        return errors;
    }
    let Some(template) = template_of(spec, path) else {
        errors.push(format!("{path} is not a path of the document"));
        return errors;
    };
    let method = method.to_ascii_lowercase();
    let Some(answer) = spec["paths"][template][&method]["responses"].get(status.to_string()) else {
        errors.push(format!(
            "{method} {template} does not document status {status}"
        ));
        return errors;
    };
    match answer["content"]["application/json"].get("schema") {
        Some(schema) => check(spec, resolve(spec, schema), &body, "$", &mut errors),
        None if status == 204 => {}
        None => errors.push(format!("{method} {template} {status} documents no body")),
    }
    errors
}

/// Asserts one answer as received is what `spec` says (see
/// [`exchange_problems`]).
#[track_caller]
pub fn assert_exchange(
    spec: &Value,
    method: &str,
    url: &str,
    status: u16,
    content_type: Option<&str>,
    text: &str,
) {
    let errors = exchange_problems(spec, method, url, status, content_type, text);
    assert!(
        errors.is_empty(),
        "{method} {url} {status} does not match Twilio's OpenAPI document:\n  {}\nbody: {text}",
        errors.join("\n  ")
    );
}

/// Properties Twilio sends as null though the document does not say
/// `nullable`: a conference's `reason_conference_ended` ("When a
/// conference is in progress, will be `null`", its description says).
const NULL_DESPITE_SPEC: &[&str] = &["reason_conference_ended"];

fn check(spec: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    if value.is_null() {
        if schema["nullable"] != Value::Bool(true) {
            errors.push(format!("{at}: null, but not nullable"));
        }
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    let kind = schema["type"]
        .as_str()
        .unwrap_or(if schema.get("properties").is_some() {
            "object"
        } else {
            ""
        });
    match kind {
        "object" => {
            let Some(obj) = value.as_object() else {
                errors.push(format!("{at}: {value} is not an object"));
                return;
            };
            // A "uri-map" object (links, subresource URIs) is any map of URLs.
            if schema["format"] == "uri-map" {
                for (k, v) in obj {
                    if !v.as_str().is_some_and(|s| is_uri(spec, s)) {
                        errors.push(format!("{at}.{k}: {v} is not a URL"));
                    }
                }
                return;
            }
            let Some(props) = schema["properties"].as_object() else {
                return;
            };
            for (name, prop) in props {
                match obj.get(name) {
                    Some(Value::Null) if NULL_DESPITE_SPEC.contains(&name.as_str()) => {}
                    Some(v) => check(spec, prop, v, &format!("{at}.{name}"), errors),
                    None => errors.push(format!("{at}.{name}: missing")),
                }
            }
            for name in obj.keys() {
                if !props.contains_key(name) {
                    errors.push(format!("{at}.{name}: not in the spec"));
                }
            }
        }
        "array" => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check(spec, &schema["items"], item, &format!("{at}[{i}]"), errors);
                }
            }
            None => errors.push(format!("{at}: {value} is not an array")),
        },
        "string" => {
            let Some(s) = value.as_str() else {
                errors.push(format!("{at}: {value} is not a string"));
                return;
            };
            let chars = s.chars().count() as u64;
            if schema["minLength"].as_u64().is_some_and(|min| chars < min) {
                errors.push(format!(
                    "{at}: '{s}' is shorter than {}",
                    schema["minLength"]
                ));
            }
            if schema["maxLength"].as_u64().is_some_and(|max| chars > max) {
                errors.push(format!(
                    "{at}: '{s}' is longer than {}",
                    schema["maxLength"]
                ));
            }
            if let Some(p) = schema["pattern"].as_str()
                && !sid_pattern_matches(p, s)
            {
                errors.push(format!("{at}: '{s}' does not match {p}"));
            }
            let wrong = match schema["format"].as_str() {
                Some("date-time") => !is_iso8601_utc(s),
                Some("date-time-rfc-2822") => !is_rfc2822_gmt(s),
                Some("date") => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err(),
                Some("uri") => !is_uri(spec, s),
                Some("currency") => !(s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic())),
                _ => false,
            };
            if wrong {
                errors.push(format!("{at}: '{s}' is not a {}", schema["format"]));
            }
        }
        "boolean" if !value.is_boolean() => errors.push(format!("{at}: {value} is not a boolean")),
        "integer" if !(value.is_i64() || value.is_u64()) => {
            errors.push(format!("{at}: {value} is not an integer"))
        }
        // Twilio writes prices and the like as decimal strings.
        "number"
            if !(value.is_number() || value.as_str().is_some_and(|s| s.parse::<f64>().is_ok())) =>
        {
            errors.push(format!("{at}: {value} is not a number"))
        }
        _ => {}
    }
}

/// The patterns Twilio's documents use are SIDs: `^XX[0-9a-fA-F]{32}$`, or
/// `^(XX|YY)[0-9a-fA-F]{32}$`; any other fails the test rather than passing
/// unchecked.
fn sid_pattern_matches(pattern: &str, s: &str) -> bool {
    let Some(prefixes) = pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix("[0-9a-fA-F]{32}$"))
    else {
        panic!("a pattern this checker does not know: {pattern}")
    };
    let prefixes: Vec<&str> = match prefixes.strip_prefix('(') {
        Some(alts) => alts.trim_end_matches(')').split('|').collect(),
        None => vec![prefixes],
    };
    prefixes.iter().any(|prefix| {
        s.len() == prefix.len() + 32
            && s.starts_with(prefix)
            && s[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

fn is_absolute_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// An absolute http(s) URL; in the 2010 document also a reference relative
/// to Twilio's host (an empty one included), without spaces or controls.
fn is_uri(spec: &Value, s: &str) -> bool {
    if is_absolute_url(s) {
        return true;
    }
    relative_uris_allowed(spec)
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && url::Url::parse("https://api.twilio.com/")
            .and_then(|base| base.join(s))
            .is_ok()
}

/// `2015-07-30T20:12:31Z`, as Twilio's v1 APIs write dates.
fn is_iso8601_utc(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b[19] == b'Z'
        && b[10] == b'T'
        && [4, 7].iter().all(|&i| b[i] == b'-')
        && [13, 16].iter().all(|&i| b[i] == b':')
        && b.iter()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13, 16, 19].contains(&i) || c.is_ascii_digit())
}

/// `Thu, 30 Jul 2015 20:00:00 +0000`, as the 2010 API writes dates: a real
/// date with its right weekday, a two-digit day, in GMT.
fn is_rfc2822_gmt(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc2822(s).is_ok_and(|t| {
        t.offset().local_minus_utc() == 0
            && t.format("%a, %d %b %Y %H:%M:%S +0000").to_string() == s
    })
}

#[test]
fn the_checker_refuses_what_it_should() {
    let spec = messaging();
    let schema = response_schema(spec, "/v1/Services/{Sid}", "get", 200);
    let example = &spec["paths"]["/v1/Services/{Sid}"]["get"]["responses"]["200"]["content"]["application/json"]
        ["examples"]["fetch"]["value"];
    let mut errors = Vec::new();
    check(spec, schema, example, "$", &mut errors);
    assert!(errors.is_empty(), "Twilio's own example: {errors:?}");
    for (field, bad) in [
        ("sid", Value::from("SM00000000000000000000000000000000")),
        ("sticky_sender", Value::from("true")),
        (
            "date_created",
            Value::from("Thu, 30 Jul 2015 20:12:31 +0000"),
        ),
        ("url", Value::from("/v1/Services/MG1")),
        ("inbound_method", Value::from("PUT")),
        ("validity_period", Value::Null),
        ("surprise", Value::from(1)),
    ] {
        let mut body = example.clone();
        body[field] = bad;
        let mut errors = Vec::new();
        check(spec, schema, &body, "$", &mut errors);
        assert!(!errors.is_empty(), "{field} was accepted");
    }
    let mut body = example.clone();
    body.as_object_mut().unwrap().remove("friendly_name");
    let mut errors = Vec::new();
    check(spec, schema, &body, "$", &mut errors);
    assert_eq!(errors, ["$.friendly_name: missing"]);
}

#[test]
fn the_2010_checker_reads_notifications_as_twilio_writes_them() {
    let spec = api_2010();
    let example = |template: &str, name: &str| {
        spec["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]
            ["examples"][name]["value"]
            .clone()
    };
    let one = "/2010-04-01/Accounts/{AccountSid}/Notifications/{Sid}.json";
    let url = "http://127.0.0.1:8080/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Notifications/NOaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json";
    let json = Some("application/json; charset=utf-8");
    let problems = |body: &Value| exchange_problems(spec, "GET", url, 200, json, &body.to_string());

    // Twilio's own examples pass, the list's relative URIs and empty
    // request_url included.
    let fetched = example(one, "fetch");
    assert_eq!(problems(&fetched), Vec::<String>::new());
    let list = example(
        "/2010-04-01/Accounts/{AccountSid}/Notifications.json",
        "readFull",
    );
    let list_url =
        "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Notifications.json?Log=1";
    assert_eq!(
        exchange_problems(spec, "GET", list_url, 200, json, &list.to_string()),
        Vec::<String>::new()
    );
    assert_eq!(
        template_of(
            spec,
            "/2010-04-01/Accounts/AC1/Calls/CA1/Notifications/NO1.json"
        ),
        Some("/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Notifications/{Sid}.json")
    );

    for (field, bad) in [
        ("date_created", Value::from("2010-09-13T20:02:01Z")),
        // The wrong weekday; a one-digit day; not GMT.
        (
            "date_created",
            Value::from("Tue, 13 Sep 2010 20:02:01 +0000"),
        ),
        (
            "date_updated",
            Value::from("Fri, 3 Sep 2010 20:02:01 +0000"),
        ),
        (
            "message_date",
            Value::from("Mon, 13 Sep 2010 21:02:01 +0100"),
        ),
        ("sid", Value::from("NO123")),
        (
            "call_sid",
            Value::from("SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        ),
        ("error_code", Value::from(11200)),
        ("request_method", Value::from("PUT")),
        ("more_info", Value::from("see the docs")),
        ("surprise", Value::from(1)),
    ] {
        let mut body = fetched.clone();
        body[field] = bad.clone();
        assert!(!problems(&body).is_empty(), "{field}={bad} was accepted");
    }
    let mut body = fetched.clone();
    body["date_updated"] = Value::from("Fri, 03 Sep 2010 20:02:01 +0000");
    assert_eq!(problems(&body), Vec::<String>::new());
    body.as_object_mut().unwrap().remove("response_body");
    assert_eq!(problems(&body), ["$.response_body: missing"]);

    // What a body cannot say: a key twice, the wrong type, a status or path
    // the document does not have, a 204 with a body, an error not Twilio's.
    let twice = fetched.to_string().replacen("{", "{\"log\":\"1\",", 1);
    assert!(!exchange_problems(spec, "GET", url, 200, json, &twice).is_empty());
    assert!(
        !exchange_problems(
            spec,
            "GET",
            url,
            200,
            Some("text/html"),
            &fetched.to_string()
        )
        .is_empty()
    );
    assert!(!exchange_problems(spec, "GET", url, 201, json, &fetched.to_string()).is_empty());
    assert!(
        !exchange_problems(spec, "GET", "/2010-04-01/Nowhere.json", 200, json, "{}").is_empty()
    );
    let number = "/2010-04-01/Accounts/AC1/IncomingPhoneNumbers/PN1.json";
    assert_eq!(
        exchange_problems(spec, "DELETE", number, 204, None, ""),
        Vec::<String>::new()
    );
    assert!(!exchange_problems(spec, "DELETE", number, 204, None, "{}").is_empty());
    let error = r#"{"code":20404,"message":"Not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}"#;
    assert_eq!(
        exchange_problems(spec, "GET", url, 404, json, error),
        Vec::<String>::new()
    );
    for wrong in [
        error.replace("\"status\":404", "\"status\":400"),
        error.replace("errors/20404", "errors/20403"),
        error.replace("\"code\":20404,", ""),
        error.replacen("{", "{\"detail\":\"x\",", 1),
    ] {
        assert!(
            !exchange_problems(spec, "GET", url, 404, json, &wrong).is_empty(),
            "{wrong}"
        );
    }
}
