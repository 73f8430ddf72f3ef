//! Helpers every channel's schema check uses: warnings, attributes, methods.

use switchboard_types::HookMethod;

use crate::document::{Element, trim_xml_space};
use crate::error::{TwimlWarning, bounded, codes};

/// Collects the warnings of one document's check.
#[derive(Debug, Default)]
pub(crate) struct Checker {
    pub warnings: Vec<TwimlWarning>,
}

impl Checker {
    pub fn warn(&mut self, code: u32, line: usize, message: impl Into<String>) {
        self.warnings.push(TwimlWarning {
            code,
            line,
            message: message.into(),
        });
    }

    /// The element's attributes, after warning (12200) about each one not in
    /// `known`. Names are compared exactly: XML is case-sensitive, so `To`
    /// is not `to`.
    pub fn attributes<'e>(&mut self, element: &'e Element, known: &[&str]) -> Attributes<'e> {
        for (name, _) in &element.attributes {
            if !known.contains(&name.as_str()) {
                let expected = if known.is_empty() {
                    "it takes no attributes".to_owned()
                } else {
                    format!("it takes {}", known.join(", "))
                };
                self.warn(
                    codes::SCHEMA,
                    element.line,
                    format!(
                        "attribute {:?} is not allowed on <{}> and is ignored; {expected}",
                        bounded(name),
                        element.name
                    ),
                );
            }
        }
        Attributes { element }
    }

    /// Warns (12200) about text directly inside an element that holds none.
    pub fn no_text(&mut self, element: &Element) {
        let text = element.own_text();
        let text = trim_xml_space(&text);
        if !text.is_empty() {
            self.warn(
                codes::SCHEMA,
                element.line,
                format!(
                    "text {:?} is not allowed directly inside <{}> and is ignored",
                    bounded(text),
                    element.name
                ),
            );
        }
    }

    /// Warns (12200) about every child element of one that holds none.
    pub fn no_children(&mut self, element: &Element) {
        for child in element.child_elements() {
            self.warn(
                codes::SCHEMA,
                child.line,
                format!(
                    "<{}> is not allowed inside <{}> and is ignored",
                    bounded(&child.name),
                    element.name
                ),
            );
        }
    }

    /// A `method` attribute: `GET` or `POST` exactly, as Twilio documents
    /// them; absent means `POST`, and anything else is warned about with
    /// `code` and `POST` is used.
    pub fn method(&mut self, element: &Element, value: Option<&str>, code: u32) -> HookMethod {
        match value {
            None => HookMethod::Post,
            Some(value) => HookMethod::parse(value).unwrap_or_else(|_| {
                self.warn(
                    code,
                    element.line,
                    format!(
                        "method {:?} on <{}> is not GET or POST; POST is used",
                        bounded(value),
                        element.name
                    ),
                );
                HookMethod::Post
            }),
        }
    }
}

/// An element's attributes, read after [`Checker::attributes`].
pub(crate) struct Attributes<'e> {
    element: &'e Element,
}

impl Attributes<'_> {
    /// The attribute's value, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.given(name).filter(|value| !value.is_empty())
    }

    /// The attribute's value, trimmed, blank or not: for the attributes
    /// where an empty value means something (`finishOnKey=""`: no key).
    pub fn given(&self, name: &str) -> Option<&str> {
        self.element
            .attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| trim_xml_space(value))
    }
}

/// How a number attribute may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counting {
    /// 1 or more (`timeout`, `length`…).
    Positive,
    /// 0 or more (`loop`, where 0 has a meaning of its own).
    Natural,
}

impl Checker {
    /// The whole-number attribute `name`: absent (or blank) means `default`; a value that is not
    /// a whole number in range is warned about with `code` and `default`
    /// used. Leading zeros and surrounding whitespace are allowed (`05`),
    /// signs and fractions are not.
    pub fn number(
        &mut self,
        attributes: &Attributes<'_>,
        name: &str,
        (counting, default): (Counting, u32),
        code: u32,
    ) -> u32 {
        let element = attributes.element;
        let Some(value) = attributes.get(name) else {
            return default;
        };
        let parsed = if value.bytes().all(|b| b.is_ascii_digit()) {
            value.parse::<u32>().ok()
        } else {
            None
        };
        match parsed {
            Some(n) if counting == Counting::Natural || n > 0 => n,
            _ => {
                let wanted = match counting {
                    Counting::Positive => "a whole number of 1 or more",
                    Counting::Natural => "a whole number of 0 or more",
                };
                self.warn(
                    code,
                    element.line,
                    format!(
                        "{name} {:?} on <{}> is not {wanted}; {default} is used",
                        bounded(value),
                        element.name
                    ),
                );
                default
            }
        }
    }

    /// The `true`/`false` attribute `name` (exactly, as Twilio documents them):
    /// absent means `default`, anything else is warned about with `code`
    /// and `default` used.
    pub fn boolean(
        &mut self,
        attributes: &Attributes<'_>,
        name: &str,
        default: bool,
        code: u32,
    ) -> bool {
        let element = attributes.element;
        match attributes.get(name) {
            None => default,
            Some("true") => true,
            Some("false") => false,
            Some(value) => {
                self.warn(
                    code,
                    element.line,
                    format!(
                        "{name} {:?} on <{}> is not true or false; {default} is used",
                        bounded(value),
                        element.name
                    ),
                );
                default
            }
        }
    }
}
