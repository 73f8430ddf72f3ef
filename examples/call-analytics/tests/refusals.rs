//! The example app, over real HTTP: it keeps a customer's Account SID only for
//! a `state` it issued, and obeys only correctly signed deauthorize callbacks.

#![forbid(unsafe_code)]

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use sha1::Sha1;

const OWNER_TOKEN: &str = "0123456789abcdef0123456789abcdef";
const CUSTOMER: &str = "AC0123456789abcdef0123456789abcdef";

struct App {
    base: String,
    http: reqwest::Client,
    cookie: String,
}

impl App {
    async fn start() -> App {
        call_analytics::install_crypto();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = call_analytics::Config {
            listen: listener.local_addr().unwrap(),
            public_url: None,
            // Nothing listens here: these tests never reach the API.
            switchboard_url: "http://127.0.0.1:9".into(),
            connect_app_sid: "CN0123456789abcdef0123456789abcdef".into(),
            owner_account_sid: "AC00000000000000000000000000000000".into(),
            owner_auth_token: OWNER_TOKEN.into(),
            users: vec!["ada:lovelace".into()],
        };
        tokio::spawn(call_analytics::serve(
            config,
            listener,
            std::future::pending(),
        ));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        App {
            base,
            http,
            cookie: String::new(),
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        let location = r
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (r.status(), location, r.text().await.unwrap())
    }

    /// Signs in; returns the Connect button's `state`.
    async fn sign_in(&mut self) -> String {
        let r = self.http.get(&self.base).send().await.unwrap();
        self.cookie = r.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let page = r.text().await.unwrap();
        let csrf = between(&page, "name=\"csrf_token\" value=\"", "\"");
        let r = self
            .http
            .post(format!("{}/signin", self.base))
            .header(COOKIE, &self.cookie)
            .form(&[
                ("username", "ada"),
                ("password", "lovelace"),
                ("csrf_token", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, _, home) = self.get("/").await;
        between(&home, "?state=", "\"")
    }

    async fn callback(
        &self,
        path_and_query: &str,
        form: &[(&str, &str)],
        signature: &str,
    ) -> StatusCode {
        self.http
            .post(format!("{}{path_and_query}", self.base))
            .header("X-Twilio-Signature", signature)
            .form(form)
            .send()
            .await
            .unwrap()
            .status()
    }
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in {text}"))
        + start.len();
    text[from..][..text[from..].find(end).unwrap()].to_owned()
}

fn sign(url: &str, form: &[(&str, &str)]) -> String {
    let mut sorted = form.to_vec();
    sorted.sort();
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(OWNER_TOKEN.as_bytes()).unwrap();
    mac.update(url.as_bytes());
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn a_redirect_with_a_state_it_did_not_issue_is_refused() {
    let mut app = App::start().await;
    let issued = app.sign_in().await;
    assert_eq!(issued.len(), 48, "the button carries a random state");

    let (status, _, body) = app
        .get(&format!(
            "/twilio/authorize?AccountSid={CUSTOMER}&state=forged"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("did not come from a Connect button"),
        "{body}"
    );
    // Nothing was stored: the analytics page sends the user home.
    assert_eq!(app.get("/analytics").await.1, "/");
    // The refused attempt also used up the issued state: a replay of it fails too.
    let (status, ..) = app
        .get(&format!(
            "/twilio/authorize?AccountSid={CUSTOMER}&state={issued}"
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Without a session, even a real state is refused.
    let issued = app.sign_in().await;
    let r = app
        .http
        .get(format!(
            "{}/twilio/authorize?AccountSid={CUSTOMER}&state={issued}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn only_a_correctly_signed_deauthorize_request_forgets_the_customer() {
    let mut app = App::start().await;
    let issued = app.sign_in().await;
    let (status, location, _) = app
        .get(&format!(
            "/twilio/authorize?AccountSid={CUSTOMER}&state={issued}"
        ))
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/analytics")
    );
    let (_, _, home) = app.get("/").await;
    assert!(home.contains(CUSTOMER), "{home}");

    let path = "/twilio/deauthorize";
    let url = format!("{}{path}", app.base);
    let form = [
        ("AccountSid", CUSTOMER),
        ("ConnectAppSid", "CN0123456789abcdef0123456789abcdef"),
    ];
    let forged = sign(&url, &[("AccountSid", CUSTOMER)]);
    assert_eq!(
        app.callback(path, &form, &forged).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.callback(path, &form, "").await, StatusCode::FORBIDDEN);
    assert!(
        app.get("/").await.2.contains(CUSTOMER),
        "a bad signature changes nothing"
    );

    assert_eq!(
        app.callback(path, &form, &sign(&url, &form)).await,
        StatusCode::OK
    );
    let (_, _, analytics) = app.get("/analytics").await;
    assert!(analytics.contains("Connection revoked"), "{analytics}");
    assert!(!app.get("/").await.2.contains(CUSTOMER));
}
