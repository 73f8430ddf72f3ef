//! URLs in a document, resolved against the document's own.

use url::Url;

use crate::error::{UrlError, bounded};

/// Resolves a URL written in a document (`<Redirect>`'s, `action`,
/// `statusCallback`, `<Media>`) against the URL the document was fetched
/// from, as a browser resolves a link: `/next` keeps the scheme and host,
/// `next` replaces the last path segment, `?a=b` keeps the path. Whitespace
/// at both ends is ignored. The result must be an `http` or `https` URL
/// with a host; anything else is refused with 11100. The fragment is kept
/// (Twilio's connection overrides live there; the fetcher strips them).
pub fn resolve_url(document_url: &str, reference: &str) -> Result<Url, UrlError> {
    let base = Url::parse(document_url.trim()).map_err(|error| UrlError {
        reference: bounded(document_url),
        reason: format!("the document's URL is not absolute: {error}"),
    })?;
    let reference_trimmed = reference.trim();
    if reference_trimmed.is_empty() {
        return Err(UrlError {
            reference: String::new(),
            reason: "it is empty".to_owned(),
        });
    }
    let refused = |reason: String| UrlError {
        reference: bounded(reference_trimmed),
        reason,
    };
    let url = base
        .join(reference_trimmed)
        .map_err(|error| refused(error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refused(format!(
            "its scheme is {:?}; only http and https are requested",
            bounded(url.scheme())
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refused("it has no host".to_owned()));
    }
    Ok(url)
}
