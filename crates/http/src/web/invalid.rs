//! The console's words for a refused value: its pages call fields by their
//! own labels ("The app name", not `FriendlyName`), in the API's sentences.
//! A field without a console label keeps the API's words.

use switchboard_domain::error::{AccountField, AppField, Field, Invalid, MessageField, Problem};

use crate::twilio::invalid as api;

/// What the console's forms call a field.
pub fn label(field: Field) -> Option<&'static str> {
    Some(match field {
        Field::ConnectApp(f) => match f {
            AppField::Name => "The app name",
            AppField::CompanyName => "The company name",
            AppField::Description => "The description",
            AppField::HomepageUrl => "The homepage URL",
            AppField::TermsOfServiceUrl => "The terms of service URL",
            AppField::AuthorizeRedirectUrl => "The authorize redirect URL",
            AppField::DeauthorizeCallbackUrl => "The deauthorize callback URL",
            AppField::DeauthorizeCallbackMethod => "The method",
            AppField::Logo => "The logo",
        },
        Field::Account(AccountField::Name) => "The name",
        Field::Account(AccountField::Email) => "Email",
        Field::Account(AccountField::Password) => "Password",
        // The phone page's handset writes the messages a number receives.
        Field::Message(MessageField::From) => "handset",
        Field::Message(MessageField::Body) => "A message",
        _ => return None,
    })
}

/// The sentence for a refused value, with the field by its console label.
pub fn say(invalid: &Invalid) -> String {
    match label(invalid.field) {
        Some(label) => say_as(invalid, label),
        None => api::message(invalid),
    }
}

/// The sentence for a refused value, with the field called `label`.
pub fn say_as(invalid: &Invalid, label: &str) -> String {
    match (invalid.field, &invalid.problem) {
        (Field::Message(MessageField::To | MessageField::From), Problem::Missing) => {
            format!("A {label} phone number is required")
        }
        (Field::Message(MessageField::Body), Problem::Missing) => format!("{label} is required"),
        _ => api::sentence(invalid, label),
    }
}

#[cfg(test)]
mod tests {
    use switchboard_domain::error::CallField;

    use super::*;

    fn invalid(field: impl Into<Field>, problem: Problem) -> Invalid {
        Invalid {
            field: field.into(),
            problem,
        }
    }

    #[test]
    fn fields_are_called_by_the_console_labels() {
        let name = invalid(AppField::Name, Problem::TooLong { max: 64 });
        assert_eq!(
            say(&name),
            "The app name must be at most 64 characters long"
        );
        assert_eq!(
            api::message(&name),
            "FriendlyName must be at most 64 characters long"
        );
        let subaccount = invalid(AccountField::Name, Problem::Blank);
        assert_eq!(say(&subaccount), "The name must not be empty");
        assert_eq!(
            say_as(&subaccount, "The account name"),
            "The account name must not be empty"
        );
        assert_eq!(
            say(&invalid(MessageField::From, Problem::Missing)),
            "A handset phone number is required"
        );
        assert_eq!(
            say(&invalid(MessageField::Body, Problem::Missing)),
            "A message is required"
        );
    }

    #[test]
    fn fields_without_a_label_keep_the_api_words() {
        let to = invalid(CallField::To, Problem::Missing);
        assert_eq!(say(&to), api::message(&to));
        assert_eq!(say(&to), "No 'To' number is specified");
    }
}
