//! Checks JSON answers against one of Twilio's OpenAPI documents in `spec/`,
//! strictly: every property the schema declares is present (null only where
//! it is nullable), none it does not declare is sent, and types, enums, SID
//! patterns, `date-time`s and absolute `uri`s are what the schema says. (The
//! SDK suites check the 2010 API with a full validator; this is its small
//! counterpart for the v1 documents the integration tests reach.)

use std::sync::OnceLock;

use serde_json::Value;

/// The messaging host's document (`spec/twilio_messaging_v1.json`).
pub fn messaging() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/twilio_messaging_v1.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("the vendored spec"))
            .expect("the spec is JSON")
    })
}

/// The 2010 API's document (`spec/twilio_api_v2010.json`).
pub fn api_v2010() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/twilio_api_v2010.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("the vendored spec"))
            .expect("the spec is JSON")
    })
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
            // A "uri-map" object (links) is any map of absolute URLs.
            if schema["format"] == "uri-map" {
                for (k, v) in obj {
                    if !v.as_str().is_some_and(is_absolute_url) {
                        errors.push(format!("{at}.{k}: {v} is not an absolute URL"));
                    }
                }
                return;
            }
            let Some(props) = schema["properties"].as_object() else {
                return;
            };
            for (name, prop) in props {
                match obj.get(name) {
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
            if let Some(p) = schema["pattern"].as_str()
                && !sid_pattern_matches(p, s)
            {
                errors.push(format!("{at}: '{s}' does not match {p}"));
            }
            match schema["format"].as_str() {
                Some("date-time") if !is_iso8601_utc(s) => {
                    errors.push(format!("{at}: '{s}' is not an ISO 8601 date-time"))
                }
                Some("uri") if !is_absolute_url(s) => {
                    errors.push(format!("{at}: '{s}' is not an absolute URL"))
                }
                _ => {}
            }
        }
        "boolean" if !value.is_boolean() => errors.push(format!("{at}: {value} is not a boolean")),
        "integer" if !(value.is_i64() || value.is_u64()) => {
            errors.push(format!("{at}: {value} is not an integer"))
        }
        _ => {}
    }
}

/// The patterns the messaging document uses are SIDs: `^XX[0-9a-fA-F]{32}$`.
fn sid_pattern_matches(pattern: &str, s: &str) -> bool {
    match pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix("[0-9a-fA-F]{32}$"))
    {
        Some(prefix) => {
            s.len() == prefix.len() + 32
                && s.starts_with(prefix)
                && s[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => panic!("a pattern this checker does not know: {pattern}"),
    }
}

fn is_absolute_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
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
