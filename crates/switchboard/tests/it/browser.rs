//! A minimal browser for the HTML pages: keeps cookies, follows nothing by itself,
//! and finds form tokens in pages.

use std::collections::BTreeMap;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};

use crate::support::TestServer;

pub struct Browser<'s> {
    server: &'s TestServer,
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
    forwarded_for: Option<String>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first hidden `csrf_token` field.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no csrf_token in:\n{}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }

    /// The value of the first hidden field called `name`, unescaped, if any.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("type=\"hidden\" name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(
            self.body[start..end]
                .replace("&#34;", "\"")
                .replace("&#39;", "'")
                .replace("&#60;", "<")
                .replace("&lt;", "<")
                .replace("&#62;", ">")
                .replace("&gt;", ">")
                .replace("&#38;", "&")
                .replace("&amp;", "&"),
        )
    }
}

impl<'s> Browser<'s> {
    pub fn new(server: &'s TestServer) -> Self {
        Browser {
            server,
            client: server.http.clone(),
            cookies: BTreeMap::new(),
            forwarded_for: None,
        }
    }

    /// A browser whose connections come from another loopback address
    /// (`127.0.0.2`…): a different client as far as the server can tell.
    pub fn from_address(server: &'s TestServer, ip: &str) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(ip.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap();
        Browser {
            client,
            ..Browser::new(server)
        }
    }

    /// A browser that sends `X-Forwarded-For: value` with every request, as a
    /// reverse proxy (or someone pretending to be one) would.
    pub fn forwarded_for(server: &'s TestServer, value: &str) -> Self {
        Browser {
            forwarded_for: Some(value.to_owned()),
            ..Browser::new(server)
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub fn forget_cookies(&mut self) {
        self.cookies.clear();
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            self.server.url(path)
        };
        let mut req = self.client.request(method, url);
        if let Some(value) = &self.forwarded_for {
            req = req.header("X-Forwarded-For", value);
        }
        if !self.cookies.is_empty() {
            let header = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header("Cookie", header);
        }
        if let Some(form) = form {
            req = req.form(form);
        }
        let resp = req.send().await.expect("request sent");
        for value in resp.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let (pair, attrs) = text.split_once(';').unwrap_or((text, ""));
            let (name, val) = pair.split_once('=').unwrap();
            if val.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), val.to_owned());
            }
        }
        Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            body: resp.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send(Method::POST, path, Some(form)).await
    }

    /// Signs up through the form; returns the answer to the POST.
    pub async fn sign_up(&mut self, name: &str, email: &str, password: &str) -> Answer {
        let page = self.get("/signup").await;
        assert_eq!(page.status, StatusCode::OK);
        let csrf = page.csrf();
        self.post(
            "/signup",
            &[
                ("csrf_token", &csrf),
                ("friendly_name", name),
                ("email", email),
                ("password", password),
                ("next", "/console"),
            ],
        )
        .await
    }

    /// Signs in through the form, continuing to `next`.
    pub async fn sign_in(&mut self, email: &str, password: &str, next: &str) -> Answer {
        let page = self.get("/signin").await;
        let csrf = page.csrf();
        self.post(
            "/signin",
            &[
                ("csrf_token", &csrf),
                ("email", email),
                ("password", password),
                ("next", next),
            ],
        )
        .await
    }
}
