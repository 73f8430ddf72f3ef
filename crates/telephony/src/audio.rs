//! A recording's audio. Switchboard connects no real calls, so a recording
//! has a length and a number of channels but no sound; its media URL serves
//! a WAV file of exactly that length and those channels, in the format
//! Twilio's `.wav` recordings use (16-bit linear PCM, 8,000 samples a
//! second), holding a quiet tone: 440 Hz on the first channel, 550 Hz on the
//! second of a dual-channel recording, so each channel can be told apart.
//!
//! The file is made as it is sent: a 44-byte header, then one second of
//! samples repeated (both tones are whole numbers of cycles a second, so
//! the seconds join without a click).

/// Samples a second, per channel.
pub const SAMPLE_RATE: u32 = 8_000;
/// Bits a sample.
pub const BITS_PER_SAMPLE: u16 = 16;
/// The bytes of a WAV header as written here (RIFF, `fmt ` and `data`).
pub const HEADER_LEN: usize = 44;
/// The tone of each channel, in Hz.
const TONES: [u32; 2] = [440, 550];
/// A tenth of full scale (-20 dBFS): audible, never loud.
const AMPLITUDE: f64 = 3_276.0;

/// The WAV file of a recording: `seconds` long, with 1 or 2 channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wav {
    seconds: u32,
    channels: u16,
}

impl Wav {
    /// The longest file a WAV header can describe at this rate (its data
    /// length is 32 bits): about 37 hours of two channels. Longer
    /// recordings are cut to it.
    pub const MAX_SECONDS: u32 = u32::MAX / (SAMPLE_RATE * 2 * 2);

    /// A recording `seconds` long (negative reads as 0) with `channels`
    /// (2 for dual-channel recordings, otherwise 1).
    pub fn new(seconds: i64, channels: i64) -> Wav {
        Wav {
            seconds: u32::try_from(seconds.max(0))
                .unwrap_or(u32::MAX)
                .min(Self::MAX_SECONDS),
            channels: if channels == 2 { 2 } else { 1 },
        }
    }

    pub fn seconds(&self) -> u32 {
        self.seconds
    }

    pub fn channels(&self) -> u16 {
        self.channels
    }

    fn block_align(&self) -> u16 {
        self.channels * (BITS_PER_SAMPLE / 8)
    }

    fn bytes_per_second(&self) -> u32 {
        SAMPLE_RATE * u32::from(self.block_align())
    }

    fn data_len(&self) -> u32 {
        self.seconds * self.bytes_per_second()
    }

    /// The whole file's length in bytes (its `Content-Length`).
    pub fn len(&self) -> u64 {
        HEADER_LEN as u64 + u64::from(self.data_len())
    }

    /// Whether the file holds no samples (a recording of 0 seconds).
    pub fn is_empty(&self) -> bool {
        self.seconds == 0
    }

    /// The file's header: RIFF, its `fmt ` chunk (PCM) and the `data`
    /// chunk's heading.
    pub fn header(&self) -> [u8; HEADER_LEN] {
        let data = self.data_len();
        let mut h = [0u8; HEADER_LEN];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            h[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(b"RIFF");
        put(&(36 + data).to_le_bytes());
        put(b"WAVE");
        put(b"fmt ");
        put(&16u32.to_le_bytes());
        put(&1u16.to_le_bytes()); // PCM
        put(&self.channels.to_le_bytes());
        put(&SAMPLE_RATE.to_le_bytes());
        put(&self.bytes_per_second().to_le_bytes());
        put(&self.block_align().to_le_bytes());
        put(&BITS_PER_SAMPLE.to_le_bytes());
        put(b"data");
        put(&data.to_le_bytes());
        h
    }

    /// One second of samples, channels interleaved, little-endian: the
    /// file's data is this, `seconds` times.
    pub fn second(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes_per_second() as usize);
        for n in 0..SAMPLE_RATE {
            for tone in &TONES[..usize::from(self.channels)] {
                let phase = std::f64::consts::TAU * f64::from(*tone) * f64::from(n)
                    / f64::from(SAMPLE_RATE);
                // |sin| ≤ 1, so the product fits an i16.
                let sample = (AMPLITUDE * phase.sin()).round() as i16;
                out.extend_from_slice(&sample.to_le_bytes());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole file, as a client downloads it.
    fn file(wav: Wav) -> Vec<u8> {
        let mut out = wav.header().to_vec();
        let second = wav.second();
        for _ in 0..wav.seconds() {
            out.extend_from_slice(&second);
        }
        out
    }

    #[test]
    fn a_wav_reader_reads_the_length_channels_and_format() {
        for (seconds, channels) in [(3, 1), (2, 2), (0, 1)] {
            let wav = Wav::new(seconds, channels);
            let bytes = file(wav);
            assert_eq!(bytes.len() as u64, wav.len());
            let reader = hound::WavReader::new(std::io::Cursor::new(bytes)).unwrap();
            let spec = reader.spec();
            assert_eq!(spec.channels, channels as u16);
            assert_eq!(spec.sample_rate, 8_000);
            assert_eq!(spec.bits_per_sample, 16);
            assert_eq!(spec.sample_format, hound::SampleFormat::Int);
            assert_eq!(reader.duration(), seconds as u32 * 8_000);
            let samples: Vec<i16> = reader.into_samples().map(Result::unwrap).collect();
            assert_eq!(samples.len(), (seconds * channels * 8_000) as usize);
            if seconds > 0 {
                // A tone, not silence, within -20 dBFS.
                let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
                assert!((3_000..=3_277).contains(&peak), "peak {peak}");
            }
        }
    }

    #[test]
    fn the_seconds_join_without_a_jump() {
        let wav = Wav::new(2, 1);
        let second = wav.second();
        let sample = |i: usize| i16::from_le_bytes([second[2 * i], second[2 * i + 1]]);
        // The last sample of a second and the first of the next are as close
        // as two neighbours inside a second.
        let step = (i32::from(sample(1)) - i32::from(sample(0))).abs();
        let join = (i32::from(sample(0)) - i32::from(sample(7_999))).abs();
        assert!(join <= step + 1, "join {join}, step {step}");
    }

    #[test]
    fn odd_inputs_are_clamped() {
        assert_eq!(Wav::new(-5, 1).seconds(), 0);
        assert_eq!(Wav::new(10, 3).channels(), 1);
        assert_eq!(Wav::new(i64::MAX, 2).seconds(), Wav::MAX_SECONDS);
        assert!(Wav::new(i64::MAX, 2).len() <= u64::from(u32::MAX) + 8);
    }
}
