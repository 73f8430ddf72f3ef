//! The pages people see: sign-up, sign-in, the consent flow, and the console.
//! Server-rendered HTML that works without JavaScript.

pub mod apps;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod chrome;
pub mod client_addr;
pub mod consent;
pub mod console;
pub mod cookies;
pub mod csrf;
pub mod customer_apps;
pub mod debugger;
pub mod deliveries;
pub mod error;
pub mod forms;
pub mod invalid;
pub mod kit;
pub mod log_detail;
pub mod logs;
pub mod multipart;
pub mod page;
pub mod phone;
pub mod session;
pub mod subaccounts;
pub mod usage;

use axum::Router;
use axum::routing::{get, post};

use crate::App;
use crate::routes::Routes;

/// The pages, every route behind [`csrf::guard`]: no state-changing request
/// reaches a page handler without the form's token checked.
pub fn router(app: &App) -> Router<App> {
    let (router, _) = routes().into_parts();
    router.route_layer(axum::middleware::from_fn_with_state(
        app.clone(),
        csrf::guard,
    ))
}

pub fn routes() -> Routes {
    Routes::new()
        .route("/", get(console::home))
        .route("/signin", get(auth::signin_page).post(auth::signin))
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/signout", post(auth::signout))
        .route("/console", get(console::dashboard))
        .route("/console/tokens/reveal", post(console::reveal))
        .route(
            "/console/tokens/create-secondary",
            get(console::create_secondary_page).post(console::create_secondary),
        )
        .route(
            "/console/tokens/promote",
            get(console::promote_page).post(console::promote),
        )
        .route(
            "/console/tokens/delete-secondary",
            get(console::delete_secondary_page).post(console::delete_secondary),
        )
        .route(
            "/console/upgrade",
            get(console::upgrade_page).post(console::upgrade),
        )
        .route(
            subaccounts::PATH,
            get(subaccounts::list).post(subaccounts::create),
        )
        .route("/console/subaccounts/{sid}", get(subaccounts::detail))
        .route(
            "/console/subaccounts/{sid}/reveal",
            post(subaccounts::reveal),
        )
        .route(
            "/console/subaccounts/{sid}/rename",
            post(subaccounts::rename),
        )
        .route(
            "/console/subaccounts/{sid}/suspend",
            get(subaccounts::suspend_page).post(subaccounts::suspend),
        )
        .route(
            "/console/subaccounts/{sid}/reactivate",
            get(subaccounts::reactivate_page).post(subaccounts::reactivate),
        )
        .route(
            "/console/subaccounts/{sid}/close",
            get(subaccounts::close_page).post(subaccounts::close),
        )
        .route(apps::PATH, get(apps::list))
        .route("/console/apps/new", get(apps::new_page).post(apps::create))
        .route("/console/apps/{sid}", get(apps::detail).post(apps::update))
        .route("/console/apps/{sid}/logo", post(apps::upload_logo))
        .route(
            "/console/apps/{sid}/logo/remove",
            get(apps::remove_logo_page).post(apps::remove_logo),
        )
        .route(
            "/console/apps/{sid}/delete",
            get(apps::delete_page).post(apps::delete),
        )
        .route("/console/apps/{sid}/customers", get(apps::customers))
        .route(
            "/console/apps/{sid}/customers/{subaccount}/revoke",
            get(apps::revoke_page).post(apps::revoke),
        )
        .route(deliveries::PATH, get(deliveries::list))
        .route("/console/deliveries/{sid}", get(deliveries::detail))
        .route(
            "/console/deliveries/{sid}/replay",
            get(deliveries::replay_page).post(deliveries::replay),
        )
        .route(logs::PATH, get(logs::page))
        .route("/console/logs/{account}/{sid}", get(log_detail::page))
        .route(phone::PATH, get(phone::numbers))
        .route(
            "/console/phone/{account}/{sid}",
            get(phone::phone).post(phone::send),
        )
        .route(
            "/console/phone/{account}/{sid}/thread",
            get(phone::thread_fragment),
        )
        .route(
            "/console/phone/{account}/{sid}/call",
            get(phone::call_fragment),
        )
        .route(
            "/console/phone/{account}/{sid}/calls",
            post(phone::place_call),
        )
        .route(
            "/console/phone/{account}/{sid}/calls/{call}/input",
            post(phone::press_keys),
        )
        .route(
            "/console/phone/{account}/{sid}/calls/{call}/hangup",
            post(phone::hang_up),
        )
        .route(debugger::PATH, get(debugger::list))
        .route("/console/debugger/{sid}", get(debugger::detail))
        .route(usage::PATH, get(usage::page))
        .route(audit::PATH, get(audit::list))
        .route("/authorize/{sid}", get(consent::page).post(consent::decide))
        .route(customer_apps::PATH, get(customer_apps::list))
        .route(
            "/console/authorized-apps/{sid}/revoke",
            get(customer_apps::confirm).post(customer_apps::revoke),
        )
        .route("/connect-apps/{sid}/logo", get(assets::logo))
        .route("/assets/switchboard.css", get(assets::stylesheet))
        .route("/assets/console.js", get(assets::script))
        .route("/assets/phone.js", get(assets::phone_script))
        .route("/assets/connect-button.svg", get(assets::connect_button))
}
