//! The pages people see: sign-up, sign-in, the consent flow, and the console.
//! Server-rendered HTML that works without JavaScript.

pub mod assets;
pub mod auth;
pub mod chrome;
pub mod consent;
pub mod console;
pub mod cookies;
pub mod customer_apps;
pub mod forms;
pub mod page;
pub mod session;

use axum::Router;
use axum::routing::{get, post};

use crate::App;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(console::home))
        .route("/signin", get(auth::signin_page).post(auth::signin))
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/signout", post(auth::signout))
        .route("/console", get(console::dashboard))
        .route(
            "/console/upgrade",
            get(console::upgrade_page).post(console::upgrade),
        )
        .route("/authorize/{sid}", get(consent::page).post(consent::decide))
        .route(customer_apps::PATH, get(customer_apps::list))
        .route(
            "/console/authorized-apps/{sid}/revoke",
            get(customer_apps::confirm).post(customer_apps::revoke),
        )
        .route("/connect-apps/{sid}/logo", get(assets::logo))
        .route("/assets/switchboard.css", get(assets::stylesheet))
        .route("/assets/connect-button.svg", get(assets::connect_button))
}
