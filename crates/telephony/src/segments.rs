//! How many SMS segments a body costs, counted as carriers count (GSM 03.38).

use std::fmt;

#[cfg(test)]
mod tests;

/// The alphabet a message travels in: GSM-7 when every character is in the GSM
/// 03.38 tables, UCS-2 (UTF-16 on the wire) otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(&self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }

    /// Units a single-segment message may hold.
    fn single(&self) -> u32 {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units each part of a multipart message may hold: the rest of the 140 bytes
    /// goes to the concatenation header.
    fn per_part(&self) -> u32 {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The cost of a body: its encoding, its segments and its size in units (septets
/// for GSM-7, extension characters counting 2; UTF-16 code units for UCS-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    pub count: u32,
    pub units: u32,
}

/// The GSM 03.38 basic table, minus the escape slot.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: each is sent as ESC plus a septet, so it costs 2.
const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// Septets a character costs in GSM-7, or `None` if GSM-7 cannot carry it.
fn gsm_septets(c: char) -> Option<u32> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts segments. An empty body is one segment, as Twilio bills media-only
/// messages. A character's units never straddle two parts: an escape pair or a
/// surrogate pair split across parts would be garbled by the handset.
pub fn count_segments(body: &str) -> Segments {
    let gsm: Option<Vec<u32>> = body.chars().map(gsm_septets).collect();
    let (encoding, weights) = match gsm {
        Some(septets) => (Encoding::Gsm7, septets),
        None => (
            Encoding::Ucs2,
            body.chars().map(|c| c.len_utf16() as u32).collect(),
        ),
    };
    let units: u32 = weights.iter().sum();
    let count = if units <= encoding.single() {
        1
    } else {
        pack(&weights, encoding.per_part())
    };
    Segments {
        encoding,
        count,
        units,
    }
}

/// Parts needed when each character's weight must fit whole in one part.
fn pack(weights: &[u32], capacity: u32) -> u32 {
    let mut parts = 1;
    let mut used = 0;
    for &w in weights {
        if used + w > capacity {
            parts += 1;
            used = 0;
        }
        used += w;
    }
    parts
}
