//! SIDs in paths. axum cannot match `{Sid}.json`, so routes capture the whole
//! segment and the `.json` is checked here.

use super::error::ApiError;

/// The SID part of a `XX….json` segment, or "not found" for this path.
pub fn json_segment<'a>(segment: &'a str, path: &str) -> Result<&'a str, ApiError> {
    segment
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::not_found(path))
}
