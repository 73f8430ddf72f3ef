//! `<Gather>`: what the caller's input (queued on the call, form-encoded)
//! gives a gather, with no I/O.

use switchboard_twiml::GatherVerb;

/// Caller input not yet taken: keys pressed, and something said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallInput {
    /// DTMF keys, in order (`0`–`9`, `*`, `#`).
    pub digits: String,
    /// What was said, and how sure the recogniser is (`0.0`–`1.0`).
    pub speech: Option<(String, String)>,
}

/// The confidence a `SpeechResult` is reported with when none is given.
pub const DEFAULT_CONFIDENCE: &str = "0.9";

impl CallInput {
    pub fn is_empty(&self) -> bool {
        self.digits.is_empty() && self.speech.is_none()
    }

    /// As stored on the call.
    pub(crate) fn encode(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if !self.digits.is_empty() {
            s.append_pair("Digits", &self.digits);
        }
        if let Some((text, confidence)) = &self.speech {
            s.append_pair("SpeechResult", text);
            s.append_pair("Confidence", confidence);
        }
        s.finish()
    }

    pub(crate) fn decode(stored: &str) -> CallInput {
        let mut input = CallInput::default();
        let mut text = None;
        let mut confidence = DEFAULT_CONFIDENCE.to_owned();
        for (k, v) in url::form_urlencoded::parse(stored.as_bytes()) {
            match &*k {
                "Digits" => input.digits = v.into_owned(),
                "SpeechResult" => text = Some(v.into_owned()),
                "Confidence" => confidence = v.into_owned(),
                _ => {}
            }
        }
        input.speech = text.map(|t| (t, confidence));
        input
    }

    /// `more` after this input (keys in order; later speech replaces
    /// earlier).
    pub(crate) fn then(mut self, more: CallInput) -> CallInput {
        self.digits.push_str(&more.digits);
        if more.speech.is_some() {
            self.speech = more.speech;
        }
        self
    }
}

/// What a gather makes of the input at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Taken {
    /// Keys that complete it (its `finishOnKey`, not reported in `Digits`,
    /// or `numDigits` of them); `rest` stays queued.
    Digits {
        digits: String,
        finished_on_key: Option<char>,
        rest: CallInput,
    },
    /// Speech, for a gather that listens for it.
    Speech {
        text: String,
        confidence: String,
        rest: CallInput,
    },
    /// Keys that do not complete it yet: sent as they are once `timeout`
    /// passes with no more.
    Partial,
    /// Nothing it takes.
    Nothing,
}

pub(crate) fn take(gather: &GatherVerb, input: &CallInput) -> Taken {
    if gather.speech
        && let Some((text, confidence)) = &input.speech
    {
        return Taken::Speech {
            text: text.clone(),
            confidence: confidence.clone(),
            rest: CallInput {
                digits: input.digits.clone(),
                speech: None,
            },
        };
    }
    if !gather.dtmf || input.digits.is_empty() {
        return Taken::Nothing;
    }
    let mut digits = String::new();
    for (at, key) in input.digits.char_indices() {
        let rest = || CallInput {
            digits: input.digits[at + key.len_utf8()..].to_owned(),
            speech: input.speech.clone(),
        };
        if Some(key) == gather.finish_on_key {
            return Taken::Digits {
                digits,
                finished_on_key: Some(key),
                rest: rest(),
            };
        }
        digits.push(key);
        if gather
            .num_digits
            .is_some_and(|n| digits.chars().count() >= n as usize)
        {
            return Taken::Digits {
                digits,
                finished_on_key: None,
                rest: rest(),
            };
        }
    }
    Taken::Partial
}

/// Every key of the input, once `timeout` passed after the last one.
pub(crate) fn all_keys(input: &CallInput) -> Taken {
    Taken::Digits {
        digits: input.digits.clone(),
        finished_on_key: None,
        rest: CallInput {
            digits: String::new(),
            speech: input.speech.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_twiml::{VoiceVerb, parse_voice};

    fn gather(attributes: &str) -> GatherVerb {
        let doc = parse_voice(
            format!("<Response><Gather {attributes}/></Response>").as_bytes(),
            Some("text/xml"),
        )
        .unwrap();
        match &doc.verbs[0] {
            VoiceVerb::Gather(g) => g.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn keys(digits: &str) -> CallInput {
        CallInput {
            digits: digits.into(),
            speech: None,
        }
    }

    #[test]
    fn keys_end_on_the_finish_key_or_the_number_of_digits() {
        let g = gather("");
        assert_eq!(
            take(&g, &keys("12#34")),
            Taken::Digits {
                digits: "12".into(),
                finished_on_key: Some('#'),
                rest: keys("34"),
            }
        );
        assert_eq!(take(&g, &keys("12")), Taken::Partial);
        assert_eq!(take(&g, &keys("")), Taken::Nothing);
        let g = gather("numDigits=\"2\"");
        assert_eq!(
            take(&g, &keys("1234")),
            Taken::Digits {
                digits: "12".into(),
                finished_on_key: None,
                rest: keys("34"),
            }
        );
        let g = gather("finishOnKey=\"\"");
        assert_eq!(take(&g, &keys("1#")), Taken::Partial);
    }

    #[test]
    fn speech_goes_to_gathers_that_listen_for_it() {
        let said = CallInput {
            digits: "9".into(),
            speech: Some(("sales".into(), "0.8".into())),
        };
        assert_eq!(take(&gather("input=\"dtmf\" numDigits=\"1\""), &said), {
            Taken::Digits {
                digits: "9".into(),
                finished_on_key: None,
                rest: CallInput {
                    digits: String::new(),
                    speech: said.speech.clone(),
                },
            }
        });
        assert_eq!(
            take(&gather("input=\"speech\""), &said),
            Taken::Speech {
                text: "sales".into(),
                confidence: "0.8".into(),
                rest: keys("9"),
            }
        );
        assert_eq!(CallInput::decode(&said.encode()), said);
        assert_eq!(
            CallInput::decode("SpeechResult=hi").speech,
            Some(("hi".into(), DEFAULT_CONFIDENCE.into()))
        );
    }
}
