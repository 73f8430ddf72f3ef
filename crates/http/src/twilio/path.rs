//! SIDs in paths. axum cannot match `{Sid}.json`, so routes capture the whole
//! segment and the `.json` is checked here: required on Twilio's paths (without
//! it Twilio answers XML, which Switchboard does not offer), optional on
//! Switchboard's own `/switchboard/v1/` paths, which answer JSON only.

use super::error::ApiError;

/// The SID part of a `XX….json` segment, or "not found" for this path.
pub fn json_segment<'a>(segment: &'a str, path: &str) -> Result<&'a str, ApiError> {
    segment
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::not_found(path))
}

/// The SID part of a segment of a `/switchboard/v1/` path, with or without `.json`.
pub fn extension_segment(segment: &str) -> &str {
    segment.strip_suffix(".json").unwrap_or(segment)
}
