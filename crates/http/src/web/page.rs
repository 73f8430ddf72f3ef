//! HTML answers, with the headers every page carries.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::chrome::Chrome;

/// Pages are never framed (clickjacking), never cached (they carry CSRF tokens
/// and account data), and run no script but Switchboard's own.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub struct Page {
    status: StatusCode,
    body: String,
    cookies: Vec<String>,
}

impl Page {
    pub fn render(template: &impl Template) -> Page {
        match template.render() {
            Ok(body) => Page {
                status: StatusCode::OK,
                body,
                cookies: Vec::new(),
            },
            Err(e) => {
                tracing::error!(error = %e, "a page failed to render");
                Page {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    body: "Something went wrong; it has been logged.".to_owned(),
                    cookies: Vec::new(),
                }
            }
        }
    }

    pub fn status(mut self, status: StatusCode) -> Page {
        self.status = status;
        self
    }

    pub fn cookie(mut self, set_cookie: Option<String>) -> Page {
        self.cookies.extend(set_cookie);
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        for cookie in self.cookies {
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                h.append(header::SET_COOKIE, v);
            }
        }
        response
    }
}

/// A redirect after a form (`303`, so the browser follows with GET).
pub fn see_other(location: &str, cookies: Vec<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(location) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for cookie in cookies {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    chrome: Chrome,
    heading: &'a str,
    body: &'a str,
    link: Option<(&'a str, &'a str)>,
}

/// A page that only says something (an error, a dead end).
pub fn message(
    status: StatusCode,
    chrome: Chrome,
    heading: &str,
    body: &str,
    link: Option<(&str, &str)>,
) -> Page {
    Page::render(&Message {
        chrome,
        heading,
        body,
        link,
    })
    .status(status)
}

/// Any path nobody serves.
pub async fn not_found() -> Page {
    message(
        StatusCode::NOT_FOUND,
        Chrome::anonymous(),
        "Page not found",
        "There is nothing at this address.",
        Some(("/", "Go to Switchboard")),
    )
}
