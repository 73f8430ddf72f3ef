//! The channel-independent part: an answer's body read into a tree of
//! elements, once, before any channel's schema looks at it.

use quick_xml::XmlVersion;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::MAX_DOCUMENT_BYTES;
use crate::error::{TwimlError, bounded};

/// Elements nested deeper than this are refused (12100). TwiML itself needs
/// a handful of levels (`Response > Gather > Say > prosody > …`); the limit
/// keeps a hostile document from costing more than its size.
pub(crate) const MAX_DEPTH: usize = 32;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// An element of a document, with what it holds in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    /// Attributes as written (names are case-sensitive, as in XML), values
    /// with entities resolved.
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// 1-based line of the start tag.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Element(Element),
    /// Character data: text, CDATA sections and references, joined across
    /// comments and processing instructions.
    Text(String),
}

impl Element {
    pub fn child_elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(element) => Some(element),
            Node::Text(_) => None,
        })
    }

    /// The element's own text (not its children's), joined.
    pub fn own_text(&self) -> String {
        self.children
            .iter()
            .filter_map(|node| match node {
                Node::Text(text) => Some(text.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }
}

/// What an answer's body is, once its size and `Content-Type` are checked.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Body<'a> {
    /// Nothing but whitespace (or nothing at all): there is nothing to do,
    /// whatever the `Content-Type` says.
    Empty,
    /// A TwiML document (`text/xml`, `application/xml`, `text/html`).
    Xml(&'a str),
    /// `text/plain`, as sent (not trimmed).
    PlainText(&'a str),
    /// An audio file (`audio/*`), whatever its size: played as it is.
    Audio,
}

/// What a channel takes besides TwiML.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Accepts {
    /// `text/plain`: messaging takes it as the text of one reply.
    pub plain_text: bool,
    /// `audio/*`: voice plays it, as Twilio plays an answer that is an MP3
    /// or a WAV file.
    pub audio: bool,
}

/// Checks an answer's size, emptiness and `Content-Type`, in that order, and
/// decodes it as UTF-8 (after a byte order mark, which is dropped). Audio,
/// where the channel takes it, is recognised by its type alone, before the
/// size: a recording is larger than any document.
pub(crate) fn classify<'a>(
    body: &'a [u8],
    content_type: Option<&str>,
    accepts: Accepts,
) -> Result<Body<'a>, TwimlError> {
    let media_type = content_type.map(|value| {
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    if accepts.audio
        && media_type
            .as_deref()
            .is_some_and(|media| media.starts_with("audio/"))
    {
        return Ok(Body::Audio);
    }
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(TwimlError::TooLarge { size: body.len() });
    }
    let body = body.strip_prefix(BOM).unwrap_or(body);
    if body.iter().all(|b| is_xml_space(*b)) {
        return Ok(Body::Empty);
    }
    let plain = match media_type.as_deref() {
        Some("text/xml" | "application/xml" | "text/html") => false,
        Some("text/plain") if accepts.plain_text => true,
        _ => {
            return Err(TwimlError::ContentType {
                content_type: content_type.map(bounded),
            });
        }
    };
    let text = std::str::from_utf8(body).map_err(|error| {
        let (line, column) = Lines::new(body).locate(error.valid_up_to());
        TwimlError::Parse {
            line,
            column,
            detail: "the document is not valid UTF-8".to_owned(),
        }
    })?;
    Ok(if plain {
        Body::PlainText(text)
    } else {
        Body::Xml(text)
    })
}

/// XML's whitespace: space, tab, carriage return, line feed.
pub(crate) fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Trims XML's whitespace (not Unicode's: a non-breaking space is content).
pub(crate) fn trim_xml_space(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii() && is_xml_space(c as u8))
}

/// Reads a TwiML document: [`parse`], then the root must be `<Response>`
/// (12102).
pub(crate) fn parse_response(text: &str) -> Result<Element, TwimlError> {
    let root = parse(text)?;
    if root.name != "Response" {
        return Err(TwimlError::Root {
            found: bounded(&root.name),
            line: root.line,
        });
    }
    Ok(root)
}

/// Reads a well-formed document into its root element. Refuses a DOCTYPE (so
/// no entity is ever defined, let alone expanded), references other than
/// XML's five predefined entities and character references, an XML
/// declaration anywhere but at the very start, text or a second element
/// outside the root, and nesting deeper than [`MAX_DEPTH`].
pub(crate) fn parse(text: &str) -> Result<Element, TwimlError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;
    config.trim_text(false);

    let mut lines = Lines::new(text.as_bytes());
    // Open elements, innermost last; the root is `stack[0]`.
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = to_usize(reader.buffer_position());
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                let at = to_usize(reader.error_position());
                return Err(lines.error(at, error.to_string()));
            }
        };
        match event {
            Event::Decl(_) => {
                if start != 0 {
                    return Err(lines.error(
                        start,
                        "the XML declaration must come first, with nothing (not even a blank line or space) before it",
                    ));
                }
            }
            Event::DocType(_) => {
                return Err(lines.error(start, "a DOCTYPE is not allowed in TwiML"));
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Start(ref tag) | Event::Empty(ref tag) => {
                if root.is_some() {
                    return Err(lines.error(
                        start,
                        format!(
                            "<{}> follows the root element; a document has one root element",
                            bounded(tag.name().as_ref())
                        ),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(lines.error(
                        start,
                        format!("elements are nested more than {MAX_DEPTH} deep"),
                    ));
                }
                let line = lines.line(start);
                let element =
                    element(tag, line).map_err(|(at, detail)| lines.error(start + at, detail))?;
                if matches!(event, Event::Start(_)) {
                    stack.push(element);
                } else {
                    close(&mut stack, &mut root, element);
                }
            }
            Event::End(_) => {
                // quick-xml has checked that the name matches the open element.
                if let Some(element) = stack.pop() {
                    close(&mut stack, &mut root, element);
                }
            }
            Event::Text(chars) => {
                let content = chars.xml10_content();
                push_text(&mut stack, &content).map_err(|detail| lines.error(start, detail))?;
            }
            Event::CData(cdata) => {
                let content = cdata.xml10_content();
                push_text(&mut stack, &content).map_err(|detail| lines.error(start, detail))?;
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = reference.xml10_content();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(value) => value.to_owned(),
                            None => {
                                return Err(lines.error(
                                    start,
                                    format!(
                                        "unknown entity &{};: only &lt; &gt; &amp; &quot; &apos; and character references are allowed",
                                        bounded(&name)
                                    ),
                                ));
                            }
                        }
                    }
                    Err(error) => return Err(lines.error(start, error.to_string())),
                };
                push_text(&mut stack, &resolved).map_err(|detail| lines.error(start, detail))?;
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(lines.error(
                        text.len(),
                        format!("the document ends inside <{}>", bounded(&open.name)),
                    ));
                }
                return root.ok_or_else(|| {
                    lines.error(
                        text.len(),
                        "the document has no root element (expected <Response>)",
                    )
                });
            }
        }
    }
}

/// Reads a start tag. A fault is given with its byte offset in the tag.
fn element(tag: &BytesStart<'_>, line: usize) -> Result<Element, (usize, String)> {
    let name = tag.name().as_ref().to_owned();
    let mut attributes = Vec::new();
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(|error| attribute_error(&name, error))?;
        let key = attribute.key.as_ref().to_owned();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|error| {
                (
                    0,
                    format!("<{}> attribute {}: {error}", bounded(&name), bounded(&key)),
                )
            })?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
        line,
    })
}

/// quick-xml's attribute errors, with the offset (counted from the byte
/// after `<`) made an offset in the tag and the message in plain words.
fn attribute_error(name: &str, error: AttrError) -> (usize, String) {
    let (at, what) = match error {
        AttrError::ExpectedEq(at) => (at, "an attribute name must be followed by ="),
        AttrError::ExpectedValue(at) => (at, "= must be followed by a quoted value"),
        AttrError::UnquotedValue(at) => (at, "attribute values must be in quotes"),
        AttrError::ExpectedQuote(at, _) => (at, "an attribute value has no closing quote"),
        AttrError::Duplicated(at, _) => (at, "an attribute is given twice"),
    };
    (at + 1, format!("in <{}>: {what}", bounded(name)))
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

/// Adds character data to the open element; outside the root only
/// whitespace is allowed.
fn push_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => {
            match parent.children.last_mut() {
                Some(Node::Text(previous)) => previous.push_str(text),
                _ => parent.children.push(Node::Text(text.to_owned())),
            }
            Ok(())
        }
        None if text.bytes().all(is_xml_space) => Ok(()),
        None => Err(format!(
            "text {:?} outside the root element <Response>",
            bounded(trim_xml_space(text))
        )),
    }
}

fn to_usize(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

/// Turns byte offsets into lines and columns. Offsets asked for mostly grow,
/// so it counts on from the last one instead of from the start each time.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Lines {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// 1-based line of a byte offset.
    pub fn line(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            *self = Lines::new(self.text);
        }
        for (i, b) in self.text[self.offset..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
        self.line
    }

    /// 1-based line and column (in characters) of a byte offset. Counting
    /// the column costs the line's length, so it is done for errors only.
    pub fn locate(&mut self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let before = &self.text[self.line_start..self.offset];
        let column = 1 + String::from_utf8_lossy(before).chars().count();
        (line, column)
    }

    fn error(&mut self, offset: usize, detail: impl Into<String>) -> TwimlError {
        let (line, column) = self.locate(offset);
        TwimlError::Parse {
            line,
            column,
            detail: detail.into(),
        }
    }
}
