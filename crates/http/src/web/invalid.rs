//! The console's words for a refused value: its pages call fields by their
//! own labels ("The app name", not `FriendlyName`), in the API's sentences.
//! A field without a console label keeps the API's words.
//!
//! One voice for every console error: a full sentence that says what is
//! wrong with the value, by the field's label, and, where it is not plain,
//! how to put it right ("The homepage URL must be an absolute http or https
//! URL, such as https://example.com/."). It ends with a period.

use switchboard_domain::error::{
    AccountField, AppField, CallField, Field, Invalid, MessageField, Problem, UrlFault,
};

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
            AppField::AuthorizeCallbackUrl => "The authorized callback URL",
            AppField::AuthorizeCallbackMethod => "The method",
            AppField::Logo => "The logo",
        },
        Field::Account(AccountField::Name) => "The name",
        Field::Account(AccountField::Email) => "Email",
        Field::Account(AccountField::Password) => "Password",
        // The phone page's handset writes the messages a number receives.
        Field::Message(MessageField::From) => "handset",
        Field::Message(MessageField::Body) => "A message",
        // And the calls it places, and the keys its caller presses.
        Field::Call(CallField::From) => "handset",
        Field::Call(CallField::Input) => "Keys",
        Field::Call(CallField::Status) => "The call's status",
        _ => return None,
    })
}

/// The sentence for a refused value, with the field by its console label.
pub fn say(invalid: &Invalid) -> String {
    match label(invalid.field) {
        Some(label) => say_as(invalid, label),
        None => sentence_end(api::message(invalid)),
    }
}

/// The sentence for a refused value, with the field called `label`.
pub fn say_as(invalid: &Invalid, label: &str) -> String {
    let sentence = match (invalid.field, &invalid.problem) {
        (
            Field::Message(MessageField::To | MessageField::From) | Field::Call(CallField::From),
            Problem::Missing,
        ) => {
            format!("A {label} phone number is required")
        }
        (Field::Call(CallField::To), Problem::NotOwned { number, .. }) => format!(
            "{number} cannot take calls: it is not a voice number of this account, so nothing \
             would ring"
        ),
        (Field::Call(CallField::Input), Problem::Missing) => {
            "Press a key, or type keys or what the caller says, to send them to the call".to_owned()
        }
        (Field::Call(CallField::Input), Problem::TooLong { max }) => {
            format!("Keys and speech are each at most {max} characters long")
        }
        (Field::Call(CallField::Input), Problem::NotInProgress) => {
            "The call has ended, so it takes no more keys or speech".to_owned()
        }
        (Field::Call(CallField::Status), Problem::NotInProgress) => {
            "The call has already ended".to_owned()
        }
        (Field::ConnectApp(AppField::CompanyName), Problem::Missing) => {
            format!("{label} is required: customers see it on the consent page")
        }
        (Field::ConnectApp(AppField::AuthorizeRedirectUrl), Problem::Missing) => format!(
            "{label} is required: customers are sent there after they decide, so the Connect button cannot work without it"
        ),
        (Field::Message(MessageField::Body) | Field::ConnectApp(_), Problem::Missing) => {
            format!("{label} is required")
        }
        (_, Problem::NotUrl(UrlFault::NotHttp)) => {
            format!("{label} must be an absolute http or https URL, such as https://example.com/")
        }
        _ => api::sentence(invalid, label),
    };
    sentence_end(sentence)
}

/// `sentence` ending with a period, as every console message does.
pub fn sentence_end(mut sentence: String) -> String {
    let sentence_trimmed = sentence.trim_end().len();
    sentence.truncate(sentence_trimmed);
    if !sentence.ends_with(['.', '?', '!']) {
        sentence.push('.');
    }
    sentence
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
            "The app name must be at most 64 characters long."
        );
        assert_eq!(
            api::message(&name),
            "FriendlyName must be at most 64 characters long"
        );
        let subaccount = invalid(AccountField::Name, Problem::Blank);
        assert_eq!(say(&subaccount), "The name must not be empty.");
        assert_eq!(
            say_as(&subaccount, "The account name"),
            "The account name must not be empty."
        );
        assert_eq!(
            say(&invalid(MessageField::From, Problem::Missing)),
            "A handset phone number is required."
        );
        assert_eq!(
            say(&invalid(MessageField::Body, Problem::Missing)),
            "A message is required."
        );
        assert_eq!(
            say(&invalid(CallField::From, Problem::Missing)),
            "A handset phone number is required."
        );
        let key = Problem::NotOneOf {
            allowed: vec!["0-9", "*", "#"],
            given: "a".into(),
        };
        assert_eq!(
            say(&invalid(CallField::Input, key)),
            "Keys must be one of 0-9, *, #; not 'a'."
        );
        assert_eq!(
            say(&invalid(CallField::Input, Problem::NotInProgress)),
            "The call has ended, so it takes no more keys or speech."
        );
        assert_eq!(
            say(&invalid(CallField::Status, Problem::NotInProgress)),
            "The call has already ended."
        );
    }

    #[test]
    fn fields_without_a_label_keep_the_api_words() {
        let to = invalid(CallField::To, Problem::Missing);
        assert_eq!(say(&to), format!("{}.", api::message(&to)));
        assert_eq!(say(&to), "No 'To' number is specified.");
    }

    #[test]
    fn every_sentence_says_how_to_put_it_right_and_ends_with_a_period() {
        let url = invalid(AppField::HomepageUrl, Problem::NotUrl(UrlFault::NotHttp));
        assert_eq!(
            say(&url),
            "The homepage URL must be an absolute http or https URL, such as https://example.com/."
        );
        let redirect = invalid(AppField::AuthorizeRedirectUrl, Problem::Missing);
        assert!(say(&redirect).starts_with("The authorize redirect URL is required: "));
        assert!(say(&redirect).ends_with("without it."));
        assert_eq!(sentence_end("Done.".into()), "Done.");
        assert_eq!(sentence_end("Done ".into()), "Done.");
    }
}
