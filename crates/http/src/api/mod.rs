//! The Twilio REST API: handlers by resource, and their JSON shapes.

pub mod accounts;
pub mod addresses;
pub mod applications;
pub mod authorized_apps;
pub mod call_events;
pub mod caller_ids;
pub mod calls;
mod conference_recordings;
pub mod conferences;
pub mod connect_apps;
pub mod deliveries;
pub mod faults;
pub mod json;
pub mod keys;
mod list;
pub mod media;
pub mod messages;
pub mod messaging_services;
pub mod network_traversal;
pub mod notifications;
pub mod numbers;
pub mod outcomes;
pub mod principal;
pub mod queues;
mod realtime_transcriptions;
mod recording_media;
pub mod sandbox_controls;
pub mod sandboxes;
mod scope;
pub mod short_codes;
pub mod telephony_json;
pub mod tokens;
mod transcriptions;
pub mod unimplemented;
pub mod usage;
pub mod usage_triggers;

use axum::routing::{MethodRouter, get, post, put};

use crate::App;
use crate::routes::Routes;
use crate::twilio::ApiError;

/// Wrong methods on an API path get Twilio's JSON, not axum's empty 405
/// (saying so when Twilio has the operation and Switchboard does not).
fn api_route(route: MethodRouter<App>) -> MethodRouter<App> {
    route.fallback(
        |method: axum::http::Method, uri: axum::http::Uri| async move {
            unimplemented::method_not_served(method.as_str(), uri.path())
        },
    )
}

pub fn routes() -> Routes {
    Routes::new()
        .route(
            "/2010-04-01/Accounts.json",
            api_route(get(accounts::list).post(accounts::create)),
        )
        .route(
            "/2010-04-01/Accounts/{sid}",
            api_route(get(accounts::fetch).post(accounts::update)),
        )
        .route(
            "/v1/AuthTokens/Secondary",
            api_route(post(tokens::create_secondary).delete(tokens::delete_secondary)),
        )
        .route("/v1/AuthTokens/Promote", api_route(post(tokens::promote)))
        .route(
            "/2010-04-01/Accounts/{account}/ConnectApps.json",
            api_route(get(connect_apps::list).post(connect_apps::create)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/ConnectApps/{sid}",
            api_route(
                get(connect_apps::fetch)
                    .post(connect_apps::update)
                    .delete(connect_apps::delete),
            ),
        )
        .route(
            "/2010-04-01/Accounts/{account}/AuthorizedConnectApps.json",
            api_route(get(authorized_apps::list)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/AuthorizedConnectApps/{sid}",
            api_route(get(authorized_apps::fetch).delete(authorized_apps::revoke)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Keys.json",
            api_route(get(keys::list).post(keys::create)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Keys/{sid}",
            api_route(get(keys::fetch).post(keys::update).delete(keys::delete)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/SigningKeys.json",
            api_route(get(keys::list).post(keys::create)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/SigningKeys/{sid}",
            api_route(get(keys::fetch).post(keys::update).delete(keys::delete)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Tokens.json",
            api_route(post(network_traversal::create)),
        )
        .merge(telephony_routes())
        .merge(messaging_routes())
        .merge(extension_routes())
}

/// Twilio's messaging host (`messaging.twilio.com`), whose `/v1/…` paths are
/// served here beside the Accounts host's: the SDKs' `client.messaging`
/// pointed at Switchboard reaches them.
fn messaging_routes() -> Routes {
    use messaging_services as ms;
    Routes::new()
        .route("/v1/Services", api_route(get(ms::list).post(ms::create)))
        .route(
            "/v1/Services/{sid}",
            api_route(get(ms::fetch).post(ms::update).delete(ms::delete)),
        )
        .route(
            "/v1/Services/{sid}/PhoneNumbers",
            api_route(get(ms::list_numbers).post(ms::add_number)),
        )
        .route(
            "/v1/Services/{sid}/PhoneNumbers/{number}",
            api_route(get(ms::fetch_number).delete(ms::remove_number)),
        )
}

/// Switchboard's own paths. They answer JSON only, so each answers with and
/// without `.json`: written here without it, a path ending in a name is routed
/// both ways, and one ending in a SID strips it (`path::extension_segment`).
fn extension_routes() -> Routes {
    const A: &str = "/switchboard/v1/Accounts/{account}";
    const S: &str = sandboxes::PREFIX;
    const SB: &str = "/switchboard/v1/Sandboxes/{sandbox}";
    let routes = [
        (principal::PATH.to_owned(), api_route(get(principal::fetch))),
        (S.to_owned(), api_route(post(sandboxes::create))),
        (
            format!("{S}/{{sandbox}}"),
            api_route(get(sandboxes::fetch).delete(sandboxes::delete)),
        ),
        (
            format!("{S}/{{sandbox}}/Reset"),
            api_route(post(sandboxes::reset)),
        ),
        (
            format!("{S}/{{sandbox}}/Webhooks"),
            api_route(get(sandboxes::webhooks)),
        ),
        (
            format!("{S}/{{sandbox}}/Clock"),
            api_route(get(sandboxes::clock).post(sandboxes::advance_clock)),
        ),
        (
            format!("{A}/ConnectApps/{{sid}}"),
            api_route(get(connect_apps::fetch_extended).post(connect_apps::update_extended)),
        ),
        (
            format!("{A}/ConnectApps/{{sid}}/Logo"),
            api_route(put(connect_apps::put_logo).delete(connect_apps::delete_logo)),
        ),
        (
            format!("{A}/ConnectApps/{{sid}}/Deliveries"),
            api_route(get(deliveries::of_connect_app)),
        ),
        (
            format!("{A}/ConnectApps/{{sid}}/Authorizations"),
            api_route(get(connect_apps::authorizations)),
        ),
        (
            format!("{A}/ConnectApps/{{sid}}/Authorizations/{{subaccount}}"),
            api_route(get(connect_apps::authorization).delete(connect_apps::owner_revoke)),
        ),
        (
            "/switchboard/v1/ConnectApps/{sid}/Tokens".to_owned(),
            api_route(post(connect_apps::exchange_code)),
        ),
        (
            format!("{A}/InboundMessages"),
            api_route(post(messages::receive)),
        ),
        (format!("{A}/InboundCalls"), api_route(post(calls::receive))),
        (
            format!("{A}/Calls/{{call}}/Input"),
            api_route(post(calls::input)),
        ),
        (
            format!("{A}/Calls/{{call}}/Outcome"),
            api_route(post(outcomes::call)),
        ),
        (
            format!("{A}/Messages/{{message}}/Outcome"),
            api_route(post(outcomes::message)),
        ),
        (
            format!("{SB}/Authorizations"),
            api_route(post(sandbox_controls::consent)),
        ),
        (
            format!("{SB}/Faults"),
            api_route(
                get(sandbox_controls::list_faults)
                    .post(sandbox_controls::add_fault)
                    .delete(sandbox_controls::clear_faults),
            ),
        ),
        (format!("{A}/Deliveries"), api_route(get(deliveries::list))),
        (
            format!("{A}/Deliveries/{{sid}}"),
            api_route(get(deliveries::fetch)),
        ),
        (
            format!("{A}/Deliveries/{{sid}}/Replay"),
            api_route(post(deliveries::replay)),
        ),
    ];
    routes
        .into_iter()
        .fold(Routes::new(), |router, (path, route)| {
            let bare = path.strip_suffix(".json").unwrap_or(&path);
            if bare.ends_with('}') {
                router.route(bare, route)
            } else {
                router
                    .route(&format!("{bare}.json"), route.clone())
                    .route(bare, route)
            }
        })
}

fn telephony_routes() -> Routes {
    const A: &str = "/2010-04-01/Accounts/{account}";
    let at = |p: &str| format!("{A}{p}");
    Routes::new()
        .route(
            &at("/AvailablePhoneNumbers.json"),
            api_route(get(numbers::countries)),
        )
        .route(
            &at("/AvailablePhoneNumbers/{country}"),
            api_route(get(numbers::country_fetch)),
        )
        .route(
            &at("/AvailablePhoneNumbers/{country}/{kind}"),
            api_route(get(numbers::search)),
        )
        .route(
            &at("/Applications.json"),
            api_route(get(applications::list).post(applications::create)),
        )
        .route(
            &at("/Applications/{sid}"),
            api_route(
                get(applications::fetch)
                    .post(applications::update)
                    .delete(applications::delete),
            ),
        )
        .route(
            &at("/Addresses.json"),
            api_route(get(addresses::list).post(addresses::create)),
        )
        .route(
            &at("/Addresses/{sid}"),
            api_route(
                get(addresses::fetch)
                    .post(addresses::update)
                    .delete(addresses::delete),
            ),
        )
        .route(
            &at("/Addresses/{address}/DependentPhoneNumbers.json"),
            api_route(get(addresses::dependents)),
        )
        .route(
            &at("/Queues.json"),
            api_route(get(queues::list).post(queues::create)),
        )
        .route(
            &at("/Queues/{sid}"),
            api_route(
                get(queues::fetch)
                    .post(queues::update)
                    .delete(queues::delete),
            ),
        )
        .route(
            &at("/Queues/{queue}/Members.json"),
            api_route(get(queues::members)),
        )
        .route(
            &at("/Queues/{queue}/Members/{member}"),
            api_route(get(queues::member).post(queues::dequeue)),
        )
        .route(
            &at("/IncomingPhoneNumbers.json"),
            api_route(get(numbers::list).post(numbers::buy)),
        )
        .route(
            &at("/IncomingPhoneNumbers/{sid}"),
            api_route(
                get(numbers::fetch)
                    .post(numbers::update)
                    .delete(numbers::release),
            ),
        )
        .route(
            &at("/Calls.json"),
            api_route(get(calls::list).post(calls::create)),
        )
        .route(
            &at("/Calls/{sid}"),
            api_route(get(calls::fetch).post(calls::update).delete(calls::delete)),
        )
        .route(
            &at("/Calls/{call}/Events.json"),
            api_route(get(call_events::list)),
        )
        .route(
            &at("/Calls/{call}/Recordings.json"),
            api_route(get(calls::recordings).post(calls::start_recording)),
        )
        .route(
            &at("/Calls/{call}/Recordings/{sid}"),
            api_route(
                get(calls::recording)
                    .post(calls::update_recording)
                    .delete(calls::delete_recording),
            ),
        )
        .route(
            &at("/Calls/{call}/Transcriptions.json"),
            api_route(post(realtime_transcriptions::create)),
        )
        .route(
            &at("/Calls/{call}/Transcriptions/{sid}"),
            api_route(post(realtime_transcriptions::update)),
        )
        .route(&at("/Recordings.json"), api_route(get(calls::recordings)))
        .route(
            &at("/Recordings/{recording}/Transcriptions.json"),
            api_route(get(transcriptions::list)),
        )
        .route(
            &at("/Recordings/{recording}/Transcriptions/{sid}"),
            api_route(get(transcriptions::fetch).delete(transcriptions::delete)),
        )
        .route(
            &at("/Transcriptions.json"),
            api_route(get(transcriptions::list)),
        )
        .route(
            &at("/Transcriptions/{sid}"),
            api_route(get(transcriptions::fetch).delete(transcriptions::delete)),
        )
        .route(
            &at("/Recordings/{sid}"),
            api_route(get(calls::recording).delete(calls::delete_recording)),
        )
        .route(
            &at("/Messages.json"),
            api_route(get(messages::list).post(messages::create)),
        )
        .route(
            &at("/Messages/{sid}"),
            api_route(
                get(messages::fetch)
                    .post(messages::update)
                    .delete(messages::delete),
            ),
        )
        .route(
            &at("/Messages/{message}/Feedback.json"),
            api_route(post(messages::feedback)),
        )
        .route(
            &at("/Messages/{message}/Media.json"),
            api_route(get(media::list)),
        )
        .route(
            &at("/Messages/{message}/Media/{sid}"),
            api_route(get(media::fetch).delete(media::delete)),
        )
        .route(
            &at("/Notifications.json"),
            api_route(get(notifications::list)),
        )
        .route(
            &at("/Notifications/{sid}"),
            api_route(get(notifications::fetch).delete(notifications::delete)),
        )
        .route(
            &at("/Calls/{call}/Notifications.json"),
            api_route(get(notifications::list)),
        )
        .route(
            &at("/Calls/{call}/Notifications/{sid}"),
            api_route(get(notifications::fetch)),
        )
        .route(&at("/Usage/Records.json"), api_route(get(usage::records)))
        .route(&at("/Usage/Records/{list}"), api_route(get(usage::records)))
        .route(
            &at("/Usage/Triggers.json"),
            api_route(get(usage_triggers::list).post(usage_triggers::create)),
        )
        .route(
            &at("/Usage/Triggers/{sid}"),
            api_route(
                get(usage_triggers::fetch)
                    .post(usage_triggers::update)
                    .delete(usage_triggers::delete),
            ),
        )
        .route(
            &at("/OutgoingCallerIds.json"),
            api_route(get(caller_ids::list).post(caller_ids::validate)),
        )
        .route(
            &at("/OutgoingCallerIds/{sid}"),
            api_route(
                get(caller_ids::fetch)
                    .post(caller_ids::update)
                    .delete(caller_ids::delete),
            ),
        )
        .route(&at("/Conferences.json"), api_route(get(conferences::list)))
        .route(
            &at("/Conferences/{sid}"),
            api_route(get(conferences::fetch).post(conferences::update)),
        )
        .route(
            &at("/Conferences/{conference}/Participants.json"),
            api_route(get(conferences::participants).post(conferences::create_participant)),
        )
        .route(
            &at("/Conferences/{conference}/Participants/{sid}"),
            api_route(
                get(conferences::participant)
                    .post(conferences::update_participant)
                    .delete(conferences::remove_participant),
            ),
        )
        .route(
            &at("/Conferences/{conference}/Recordings.json"),
            api_route(get(conference_recordings::list)),
        )
        .route(
            &at("/Conferences/{conference}/Recordings/{sid}"),
            api_route(
                get(conference_recordings::fetch)
                    .post(conference_recordings::update)
                    .delete(conference_recordings::delete),
            ),
        )
        .route(
            &at("/SMS/ShortCodes.json"),
            api_route(get(short_codes::list)),
        )
        .route(
            &at("/SMS/ShortCodes/{sid}"),
            api_route(get(short_codes::fetch).post(short_codes::update)),
        )
        .route(&at("/Balance.json"), api_route(get(usage::balance)))
}

/// Any other path under the API's prefixes: "not implemented" for one of
/// Twilio's (`unimplemented`), else "not found".
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    unimplemented::not_served(uri.path())
}
