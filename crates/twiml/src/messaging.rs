//! Messaging's schema: what a message webhook's answer may say.

use switchboard_types::HookMethod;

use crate::document::{self, Body, Element, trim_xml_space};
use crate::error::{TwimlError, TwimlWarning, bounded, codes};
use crate::schema::Checker;
use crate::voice::VOICE_VERBS;

/// A messaging answer, checked: the verbs to execute in order, and the
/// warnings to record (each about something skipped or defaulted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessagingResponse {
    /// The verbs to execute, in document order. Nothing follows a
    /// [`MessagingVerb::Redirect`]: Twilio never reaches verbs after one.
    pub verbs: Vec<MessagingVerb>,
    /// Warnings about the document, in document order.
    pub warnings: Vec<TwimlWarning>,
}

/// One verb of a messaging answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessagingVerb {
    /// `<Message>` (or the older `<Sms>`): send a message.
    Message(MessageVerb),
    /// `<Redirect>`: fetch the next document and execute it instead.
    Redirect(RedirectVerb),
}

/// `<Message>`: send a message, by default a reply from the number that
/// received the message to its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageVerb {
    /// `to`, trimmed; `None` (absent or blank) replies to the sender.
    pub to: Option<String>,
    /// `from`, trimmed; `None` sends from the number that received the message.
    pub from: Option<String>,
    /// `action`, trimmed, as written: relative URLs are resolved against the
    /// document's URL with [`resolve_url`](crate::resolve_url).
    pub action: Option<String>,
    /// `method` for `action`; `POST` unless `GET` is given.
    pub method: HookMethod,
    /// `statusCallback`, trimmed, as written (relative or absolute).
    pub status_callback: Option<String>,
    /// The text: `<Body>`'s, or else the text directly inside `<Message>`;
    /// whitespace at both ends trimmed, any length (the sender enforces
    /// Twilio's limits).
    pub body: String,
    /// `<Media>` URLs in document order, trimmed, as written; any number
    /// (the sender enforces Twilio's limit).
    pub media: Vec<String>,
}

/// `<Redirect>`: request `url` with `method` and execute what it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectVerb {
    /// The URL, trimmed, as written (relative or absolute).
    pub url: String,
    /// `POST` unless `GET` is given.
    pub method: HookMethod,
}

const MESSAGE_ATTRIBUTES: &[&str] = &["to", "from", "action", "method", "statusCallback"];

const MESSAGING_VERBS: &[&str] = &["Message", "Redirect", "Sms"];

/// Reads the answer to a message webhook (`SmsUrl`, a Messaging Service's
/// inbound URL, a `<Redirect>`'s or a `<Message action>`'s URL).
///
/// - An empty or whitespace-only body does nothing, whatever its type.
/// - `text/xml`, `application/xml` and `text/html` are TwiML.
/// - `text/plain` is a reply: its text, trimmed, is sent to the sender, as
///   one `<Message>` would be.
/// - Anything else, or a body without a `Content-Type`, is refused (12300).
///
/// See `docs/twiml.md` for every rule.
pub fn parse_messaging(
    body: &[u8],
    content_type: Option<&str>,
) -> Result<MessagingResponse, TwimlError> {
    let accepts = document::Accepts {
        plain_text: true,
        audio: false,
    };
    match document::classify(body, content_type, accepts)? {
        Body::Empty => Ok(MessagingResponse::default()),
        Body::PlainText(text) => Ok(MessagingResponse {
            verbs: vec![MessagingVerb::Message(MessageVerb {
                to: None,
                from: None,
                action: None,
                method: HookMethod::Post,
                status_callback: None,
                body: trim_xml_space(text).to_owned(),
                media: Vec::new(),
            })],
            warnings: Vec::new(),
        }),
        Body::Xml(text) => Ok(check(&document::parse_response(text)?)),
        // Not accepted above, so never returned.
        Body::Audio => Ok(MessagingResponse::default()),
    }
}

fn check(response: &Element) -> MessagingResponse {
    let mut checker = Checker::default();
    checker.attributes(response, &[]);
    checker.no_text(response);
    let mut verbs = Vec::new();
    // Verbs after a <Redirect> are still checked, so their warnings show,
    // but never run.
    let mut reachable = true;
    for element in response.child_elements() {
        let verb = match element.name.as_str() {
            "Message" => message(&mut checker, element, true).map(MessagingVerb::Message),
            "Sms" => message(&mut checker, element, false).map(MessagingVerb::Message),
            "Redirect" => redirect(&mut checker, element).map(MessagingVerb::Redirect),
            name if VOICE_VERBS.contains(&name) => {
                checker.warn(
                    codes::INVALID_MESSAGING_VERB,
                    element.line,
                    format!(
                        "<{name}> is a voice verb and is skipped: a message reply takes <Message> and <Redirect>"
                    ),
                );
                None
            }
            name => {
                checker.warn(
                    codes::SCHEMA,
                    element.line,
                    format!(
                        "unknown verb <{}> is skipped{}",
                        bounded(name),
                        case_hint(name)
                    ),
                );
                None
            }
        };
        if let Some(verb) = verb
            && reachable
        {
            reachable = !matches!(verb, MessagingVerb::Redirect(_));
            verbs.push(verb);
        }
    }
    MessagingResponse {
        verbs,
        warnings: checker.warnings,
    }
}

/// Points out a verb written in the wrong case: TwiML is case-sensitive.
pub(crate) fn case_hint(name: &str) -> String {
    MESSAGING_VERBS
        .iter()
        .chain(VOICE_VERBS)
        .find(|verb| verb.eq_ignore_ascii_case(name))
        .map(|verb| format!(" (TwiML is case-sensitive: did you mean <{verb}>?)"))
        .unwrap_or_default()
}

/// `<Message>` (with `<Body>` and `<Media>` nouns) or `<Sms>` (text only).
fn message(checker: &mut Checker, element: &Element, nouns: bool) -> Option<MessageVerb> {
    let attributes = checker.attributes(element, MESSAGE_ATTRIBUTES);
    let method = checker.method(
        element,
        attributes.get("method"),
        codes::MESSAGE_INVALID_METHOD,
    );
    let mut bodies = Vec::new();
    let mut media = Vec::new();
    for child in element.child_elements() {
        match child.name.as_str() {
            "Body" if nouns => {
                checker.attributes(child, &[]);
                checker.no_children(child);
                bodies.push((child.line, child.own_text()));
            }
            "Media" if nouns => {
                checker.attributes(child, &[]);
                checker.no_children(child);
                let url = trim_xml_space(&child.own_text()).to_owned();
                if url.is_empty() {
                    checker.warn(
                        codes::SCHEMA,
                        child.line,
                        "<Media> without a URL is ignored",
                    );
                } else {
                    media.push(url);
                }
            }
            name => {
                let allowed = if nouns {
                    "it holds text, <Body> and <Media>"
                } else {
                    "it holds text only"
                };
                checker.warn(
                    codes::SCHEMA,
                    child.line,
                    format!(
                        "<{}> is not allowed inside <{}> and is ignored; {allowed}",
                        bounded(name),
                        element.name
                    ),
                );
            }
        }
    }
    let direct = element.own_text();
    let direct = trim_xml_space(&direct);
    let body = match bodies.split_first() {
        None => direct.to_owned(),
        Some(((_, first), rest)) => {
            if !direct.is_empty() {
                checker.warn(
                    codes::SCHEMA,
                    element.line,
                    "text directly inside <Message> beside a <Body> is ignored; the <Body> is sent",
                );
            }
            for (line, _) in rest {
                checker.warn(
                    codes::SCHEMA,
                    *line,
                    "a <Message> has one <Body>; this one is ignored",
                );
            }
            trim_xml_space(first).to_owned()
        }
    };
    if body.is_empty() && media.is_empty() {
        checker.warn(
            codes::MESSAGE_INVALID_BODY,
            element.line,
            format!(
                "<{}> has neither a body nor media and is skipped",
                element.name
            ),
        );
        return None;
    }
    Some(MessageVerb {
        to: attributes.get("to").map(str::to_owned),
        from: attributes.get("from").map(str::to_owned),
        action: attributes.get("action").map(str::to_owned),
        method,
        status_callback: attributes.get("statusCallback").map(str::to_owned),
        body,
        media,
    })
}

fn redirect(checker: &mut Checker, element: &Element) -> Option<RedirectVerb> {
    redirect_with(checker, element, codes::SCHEMA)
}

/// `<Redirect>` in any channel; `method_code` is the channel's code for a
/// bad `method`.
pub(crate) fn redirect_with(
    checker: &mut Checker,
    element: &Element,
    method_code: u32,
) -> Option<RedirectVerb> {
    let attributes = checker.attributes(element, &["method"]);
    let method = checker.method(element, attributes.get("method"), method_code);
    checker.no_children(element);
    let url = element.own_text();
    let url = trim_xml_space(&url);
    if url.is_empty() {
        checker.warn(
            codes::SCHEMA,
            element.line,
            "<Redirect> without a URL is skipped",
        );
        return None;
    }
    Some(RedirectVerb {
        url: url.to_owned(),
        method,
    })
}
