//! How long each verb takes on the call's simulated clock. Audio is never
//! produced: these rules stand in for it, and are documented in
//! docs/telephony.md ("The call engine").

use switchboard_twiml::{GatherVerb, LOOP_FOREVER, PauseVerb, PlayVerb, Prompt, SayVerb};

/// Characters `<Say>` speaks per simulated second (about 150 words a
/// minute).
pub const SPEAKING_RATE: usize = 15;
/// Simulated seconds one `<Play>` of an audio file lasts.
pub const PLAY_SECS: i64 = 5;
/// Simulated half-seconds one DTMF tone of `<Play digits>` lasts, as does
/// each `w` (a half-second wait).
pub const TONE_HALF_SECS: i64 = 1;

fn loops(n: u32) -> i64 {
    i64::from(if n == 0 { LOOP_FOREVER } else { n })
}

/// `<Say>`: the text at [`SPEAKING_RATE`], at least a second, `loop` times.
pub fn say_secs(say: &SayVerb) -> i64 {
    let chars = say.text.chars().count();
    let once = chars.div_ceil(SPEAKING_RATE).max(1) as i64;
    once * loops(say.loops)
}

/// `<Play>`: [`PLAY_SECS`] for the audio, half a second per tone or `w` of
/// `digits` (rounded up), `loop` times.
pub fn play_secs(play: &PlayVerb) -> i64 {
    let audio = if play.audio.is_some() { PLAY_SECS } else { 0 };
    let tones = play
        .digits
        .as_deref()
        .map_or(0, |d| d.chars().count() as i64 * TONE_HALF_SECS);
    let once = audio + (tones + 1) / 2;
    once * loops(play.loops)
}

/// `<Pause length>`.
pub fn pause_secs(pause: &PauseVerb) -> i64 {
    i64::from(pause.length_secs)
}

/// What a `<Gather>` says and plays before it listens.
pub fn prompts_secs(gather: &GatherVerb) -> i64 {
    gather
        .prompts
        .iter()
        .map(|p| match p {
            Prompt::Say(s) => say_secs(s),
            Prompt::Play(p) => play_secs(p),
            Prompt::Pause(p) => pause_secs(p),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_twiml::{Audio, parse_voice};

    fn say(text: &str, loops: u32) -> SayVerb {
        SayVerb {
            text: text.to_owned(),
            voice: None,
            language: None,
            loops,
        }
    }

    #[test]
    fn say_takes_its_text_at_the_speaking_rate() {
        assert_eq!(say_secs(&say("Hi", 1)), 1);
        assert_eq!(say_secs(&say(&"a".repeat(15), 1)), 1);
        assert_eq!(say_secs(&say(&"a".repeat(16), 1)), 2);
        assert_eq!(say_secs(&say(&"a".repeat(30), 3)), 6);
        assert_eq!(say_secs(&say("Hi", 0)), 1000);
    }

    #[test]
    fn play_takes_a_fixed_time_and_half_a_second_per_tone() {
        let play = |audio: bool, digits: Option<&str>, loops| PlayVerb {
            audio: audio.then(|| Audio::Url("a.mp3".into())),
            digits: digits.map(str::to_owned),
            loops,
        };
        assert_eq!(play_secs(&play(true, None, 1)), 5);
        assert_eq!(play_secs(&play(true, None, 2)), 10);
        assert_eq!(play_secs(&play(false, Some("1234"), 1)), 2);
        assert_eq!(play_secs(&play(false, Some("ww1"), 1)), 2);
    }

    #[test]
    fn a_gather_lasts_as_long_as_its_prompts() {
        let doc = parse_voice(
            b"<Response><Gather><Say>Press one</Say><Pause length=\"2\"/><Play>a.mp3</Play></Gather></Response>",
            Some("text/xml"),
        )
        .unwrap();
        let switchboard_twiml::VoiceVerb::Gather(g) = &doc.verbs[0] else {
            panic!("{doc:?}");
        };
        assert_eq!(prompts_secs(g), 1 + 2 + 5);
    }
}
