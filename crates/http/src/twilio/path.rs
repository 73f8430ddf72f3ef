//! SIDs in paths. axum cannot match `{Sid}.json`, so routes capture the whole
//! segment and the `.json` is checked here: required on Twilio's paths (without
//! it Twilio answers XML, which Switchboard does not offer), optional on
//! Switchboard's own `/switchboard/v1/` paths, which answer JSON only.

/// The SID part of a `XX….json` segment.
pub fn json_segment(segment: &str) -> Option<&str> {
    segment.strip_suffix(".json")
}

/// The SID part of a segment of a `/switchboard/v1/` path, with or without `.json`.
pub fn extension_segment(segment: &str) -> &str {
    segment.strip_suffix(".json").unwrap_or(segment)
}
