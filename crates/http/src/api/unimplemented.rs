//! What Twilio's 2010 API has that Switchboard does not serve: such a path is
//! answered "not implemented" (still Twilio's 404 and error shape), so a
//! developer can tell a missing resource from a SID that names nothing.
//!
//! `twilio_operations.txt` lists every operation of Twilio's OpenAPI document
//! (`spec/twilio_api_v2010.json`) as `METHOD template`; `scripts/api-coverage`
//! writes it from the document, and checks it in CI with the coverage table
//! in docs/api.md. Only requests no route answered are matched against it.

use axum::http::StatusCode;

use crate::twilio::ApiError;
use crate::twilio::error::codes;

const OPERATIONS: &str = include_str!("twilio_operations.txt");

/// Where a developer finds what is served.
pub const COVERAGE: &str = "the coverage table in docs/api.md";

/// The operations of Twilio's document: `(method, template)`.
fn operations() -> impl Iterator<Item = (&'static str, &'static str)> {
    OPERATIONS
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
}

/// Whether `path` is an instance of `template`: `{Name}` stands for one
/// segment, `{Name}.json` for one ending in `.json`.
fn matches(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(t), Some(p)) => {
                let fits = if let Some(rest) = t.strip_prefix('{') {
                    match rest.split_once('}') {
                        Some((_, suffix)) => p.len() > suffix.len() && p.ends_with(suffix),
                        None => false,
                    }
                } else {
                    t == p
                };
                if !fits {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The template of Twilio's document `path` is an instance of, if any.
pub fn template_of(path: &str) -> Option<&'static str> {
    operations()
        .map(|(_, template)| template)
        .find(|template| matches(template, path))
}

/// The answer to a path a route serves whose last segment names no item
/// (`…/IncomingPhoneNumbers/{Sid}.json` asked for `…/Local.json`): "not
/// implemented" when Twilio's document has that path with that very
/// segment, else the plain "not found".
pub fn item_not_served(path: &str) -> ApiError {
    let literal = operations().map(|(_, template)| template).find(|template| {
        template
            .rsplit('/')
            .next()
            .is_some_and(|last| !last.contains('{'))
            && matches(template, path)
    });
    match literal {
        Some(_) => not_served(path),
        None => ApiError::not_found(),
    }
}

/// The answer to a path no route serves: "not implemented" when Twilio's
/// document has it, else the plain "not found" (named by `NamePaths`).
pub fn not_served(path: &str) -> ApiError {
    match template_of(path) {
        Some(template) => ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!(
                "Switchboard does not implement {template} of Twilio's API; \
                 what it serves is listed in {COVERAGE}"
            ),
        ),
        None => ApiError::not_found(),
    }
}

/// The answer to a method a served path does not take: Twilio's 405, which
/// says when the operation is Twilio's but not served here.
pub fn method_not_served(method: &str, path: &str) -> ApiError {
    let mut error = ApiError::method_not_allowed(method, path);
    let twilios = operations().find(|(m, t)| *m == method && matches(t, path));
    if let Some((_, template)) = twilios {
        error.message = format!(
            "Switchboard does not implement {method} {template} of Twilio's API; \
             what it serves is listed in {COVERAGE}"
        );
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_their_instances_only() {
        let t = "/2010-04-01/Accounts/{AccountSid}/Queues/{Sid}.json";
        let ac = "AC0123456789abcdef0123456789abcdef";
        assert!(matches(
            t,
            &format!("/2010-04-01/Accounts/{ac}/Queues/QU1.json")
        ));
        assert!(!matches(
            t,
            &format!("/2010-04-01/Accounts/{ac}/Queues/.json")
        ));
        assert!(!matches(
            t,
            &format!("/2010-04-01/Accounts/{ac}/Queues/QU1")
        ));
        assert!(!matches(
            t,
            &format!("/2010-04-01/Accounts/{ac}/Queues.json")
        ));
        assert!(!matches(
            t,
            &format!("/2010-04-01/Accounts/{ac}/Queues/QU1.json/x")
        ));
    }

    #[test]
    fn twilio_paths_say_they_are_not_implemented() {
        let ac = "AC0123456789abcdef0123456789abcdef";
        let e = not_served(&format!("/2010-04-01/Accounts/{ac}/Queues.json"));
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        assert_eq!(e.code, codes::NOT_FOUND);
        assert!(e.message.contains("does not implement"), "{}", e.message);
        assert!(e.message.contains("docs/api.md"), "{}", e.message);
        // A route's item segment naming a resource of Twilio's it does not
        // serve, and one naming no item.
        let codes = format!("/2010-04-01/Accounts/{ac}/SMS/ShortCodes.json");
        assert!(
            item_not_served(&codes)
                .message
                .contains("does not implement")
        );
        let bad = format!("/2010-04-01/Accounts/{ac}/IncomingPhoneNumbers/PNbad.json");
        assert!(!item_not_served(&bad).message.contains("does not implement"));
        // Not Twilio's: the plain "not found".
        let e = not_served(&format!("/2010-04-01/Accounts/{ac}/Nothing.json"));
        assert!(!e.message.contains("does not implement"));
    }
}
