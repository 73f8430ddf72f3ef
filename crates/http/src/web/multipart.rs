//! Just enough `multipart/form-data` for the logo upload form: text fields and
//! one file, read into memory with a size limit.

use axum::http::{HeaderMap, header};

#[derive(Clone)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub data: Vec<u8>,
}

#[derive(Clone)]
pub struct Multipart {
    pub parts: Vec<Part>,
}

impl Multipart {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.parts
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
            .and_then(|p| std::str::from_utf8(&p.data).ok())
    }

    /// The first file field called `name` that holds something.
    pub fn file(&self, name: &str) -> Option<&Part> {
        self.parts
            .iter()
            .find(|p| p.name == name && p.filename.is_some() && !p.data.is_empty())
    }
}

fn boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (mime, rest) = ct.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    rest.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| &haystack[i..i + needle.len()] == needle)
}

/// A parameter of a `Content-Disposition` header, e.g. `name="logo"`.
fn disposition_param(line: &str, key: &str) -> Option<String> {
    line.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Parses a body; `None` when it is not well-formed multipart.
pub fn parse(headers: &HeaderMap, body: &[u8]) -> Option<Multipart> {
    let boundary = boundary(headers)?;
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos = find(body, delimiter.as_bytes(), 0)? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(Multipart { parts });
        }
        if body.get(pos..pos + 2) != Some(b"\r\n") {
            return None;
        }
        pos += 2;
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = std::str::from_utf8(&body[pos..head_end]).ok()?;
        let disposition = head
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?
            .to_owned();
        let data_start = head_end + 4;
        let data_end = find(body, next_delimiter.as_bytes(), data_start)?;
        parts.push(Part {
            name: disposition_param(&disposition, "name")?,
            filename: disposition_param(&disposition, "filename"),
            data: body[data_start..data_end].to_vec(),
        });
        pos = data_end + next_delimiter.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_a_file() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=XyZ".parse().unwrap(),
        );
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n--XyZ--\r\n";
        let m = parse(&headers, body).unwrap();
        assert_eq!(m.text("csrf_token"), Some("abc"));
        assert_eq!(m.file("logo").unwrap().data, b"\x89PNG\r\n\x1a\n");
        assert!(parse(&headers, b"garbage").is_none());
        assert!(parse(&HeaderMap::new(), body).is_none());
    }
}
