//! Addresses (`…/Addresses`, `…/Addresses/{Sid}/DependentPhoneNumbers`) over
//! real HTTP: the resource checked against `twilio_api_v2010.json`, Twilio's
//! codes for bad input, numbers that need an address bought with one (21631
//! without), and who may do what.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use switchboard_domain::access::{Action, RequestTarget, Resource};
use switchboard_domain::telephony::addresses::NewAddress;
use switchboard_store::page::PageAt;
use switchboard_types::{AccountSid, AccountType};

use crate::connect::{app_owner, authorize, customer};
use crate::openapi::call;
use crate::server_test;
use crate::support::{AsOperator, Creds, TestServer, assert_twilio_error, base};

const LIST: &str = "/2010-04-01/Accounts/{AccountSid}/Addresses.json";
const ITEM: &str = "/2010-04-01/Accounts/{AccountSid}/Addresses/{Sid}.json";
const DEPENDENTS: &str =
    "/2010-04-01/Accounts/{AccountSid}/Addresses/{AddressSid}/DependentPhoneNumbers.json";
const NUMBERS: &str = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json";
const NUMBER: &str = "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json";

const BERLIN: [(&str, &str); 6] = [
    ("CustomerName", "Ada Lovelace GmbH"),
    ("Street", "Unter den Linden 1"),
    ("City", "Berlin"),
    ("Region", "BE"),
    ("PostalCode", "10117"),
    ("IsoCountry", "DE"),
];

const NEW_YORK: [(&str, &str); 6] = [
    ("CustomerName", "Ada Lovelace Inc"),
    ("Street", "1 Broadway"),
    ("City", "New York"),
    ("Region", "NY"),
    ("PostalCode", "10004"),
    ("IsoCountry", "US"),
];

async fn create(s: &TestServer, c: &Creds, form: &[(&str, &str)]) -> Value {
    let path = format!("{}/Addresses.json", base(c));
    let (status, body) = call(s, c, Method::POST, &path, LIST, form).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn sid(v: &Value) -> String {
    v["sid"].as_str().unwrap().to_owned()
}

/// The first number for sale of a country and type.
async fn for_sale(s: &TestServer, c: &Creds, country: &str, kind: &str) -> String {
    let (status, body) = s
        .get(
            c,
            &format!(
                "{}/AvailablePhoneNumbers/{country}/{kind}.json?PageSize=1",
                base(c)
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["available_phone_numbers"][0]["phone_number"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn buy(
    s: &TestServer,
    c: &Creds,
    number: &str,
    address: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![("PhoneNumber", number)];
    if let Some(a) = address {
        form.push(("AddressSid", a));
    }
    let path = format!("{}/IncomingPhoneNumbers.json", base(c));
    call(s, c, Method::POST, &path, NUMBERS, &form).await
}

async fn dependents(s: &TestServer, c: &Creds, address: &str) -> Vec<Value> {
    let path = format!("{}/Addresses/{address}/DependentPhoneNumbers.json", base(c));
    let (status, body) = call(s, c, Method::GET, &path, DEPENDENTS, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["dependent_phone_numbers"].as_array().unwrap().clone()
}

server_test!(addresses_are_created_read_updated_and_deleted, |s| {
    let c = s.main_account(AccountType::Full).await;
    let mut form = BERLIN.to_vec();
    form.push(("StreetSecondary", "2. OG"));
    form.push(("AutoCorrectAddress", "false"));
    let created = create(&s, &c, &form).await;
    let ad = sid(&created);
    assert!(ad.starts_with("AD"), "{created}");
    assert_eq!(created["account_sid"], c.sid.as_str());
    assert_eq!(created["customer_name"], "Ada Lovelace GmbH");
    assert_eq!(created["street"], "Unter den Linden 1");
    assert_eq!(created["street_secondary"], "2. OG");
    assert_eq!(created["city"], "Berlin");
    assert_eq!(created["region"], "BE");
    assert_eq!(created["postal_code"], "10117");
    assert_eq!(created["iso_country"], "DE");
    // Twilio's defaults; Switchboard validates with no third party.
    assert_eq!(created["friendly_name"], Value::Null);
    assert_eq!(created["emergency_enabled"], false);
    assert_eq!(created["validated"], false);
    assert_eq!(created["verified"], false);
    let path = format!("{}/Addresses/{ad}.json", base(&c));
    assert_eq!(created["uri"], path.as_str());
    let (status, fetched) = call(&s, &c, Method::GET, &path, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, created);

    let mut us = NEW_YORK.to_vec();
    us.push(("FriendlyName", "HQ"));
    us.push(("EmergencyEnabled", "true"));
    us[5] = ("IsoCountry", "us");
    let other = create(&s, &c, &us).await;
    assert_eq!(other["iso_country"], "US");
    assert_eq!(other["friendly_name"], "HQ");
    assert_eq!(other["emergency_enabled"], true);

    // Lists, oldest first, with Twilio's filters.
    let listed = |query: &'static str| {
        let s = &s;
        let c = &c;
        async move {
            let path = format!("{}/Addresses.json{query}", base(c));
            let (status, body) = call(s, c, Method::GET, &path, LIST, &[]).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["addresses"]
                .as_array()
                .unwrap()
                .iter()
                .map(sid)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("").await, [ad.clone(), sid(&other)]);
    assert_eq!(listed("?IsoCountry=de").await, [ad.as_str()]);
    assert_eq!(listed("?EmergencyEnabled=true").await, [sid(&other)]);
    assert_eq!(listed("?FriendlyName=HQ").await, [sid(&other)]);
    assert_eq!(
        listed("?CustomerName=Ada%20Lovelace%20GmbH").await,
        [ad.as_str()]
    );
    assert!(listed("?IsoCountry=FR").await.is_empty());
    let (status, page) = call(
        &s,
        &c,
        Method::GET,
        &format!("{}/Addresses.json?PageSize=1", base(&c)),
        LIST,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page["next_page_uri"]
            .as_str()
            .unwrap()
            .contains("PageToken")
    );

    // Update: what is given changes; empty clears the optional fields.
    let (status, updated) = call(
        &s,
        &c,
        Method::POST,
        &path,
        ITEM,
        &[
            ("FriendlyName", "Berlin office"),
            ("StreetSecondary", ""),
            ("EmergencyEnabled", "true"),
            ("PostalCode", "10178"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["friendly_name"], "Berlin office");
    assert_eq!(updated["street_secondary"], Value::Null);
    assert_eq!(updated["emergency_enabled"], true);
    assert_eq!(updated["postal_code"], "10178");
    assert_eq!(updated["street"], "Unter den Linden 1");
    assert_eq!(updated["date_created"], created["date_created"]);

    // Another account sees none of it.
    let stranger = s.main_account(AccountType::Full).await;
    let (status, body) = s
        .get(&stranger, &format!("{}/Addresses/{ad}.json", base(&c)))
        .await;
    assert_twilio_error(status, &body, 404, 20404);

    let (status, _) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&c, &path).await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, body) = s.call(Some(&c), Method::DELETE, &path, &[]).await;
    assert_twilio_error(status, &body, 404, 20404);
    assert_eq!(listed("").await, [sid(&other)]);
});

server_test!(addresses_refuse_what_twilio_refuses, |s| {
    let c = s.main_account(AccountType::Full).await;
    let path = format!("{}/Addresses.json", base(&c));
    // Each field the spec requires, missing or blank.
    for missing in [
        "CustomerName",
        "Street",
        "City",
        "Region",
        "PostalCode",
        "IsoCountry",
    ] {
        for blank in [false, true] {
            let form: Vec<(&str, &str)> = BERLIN
                .iter()
                .filter(|(k, _)| *k != missing || blank)
                .map(|&(k, v)| (k, if k == missing { " " } else { v }))
                .collect();
            let (status, body) = s.post(&c, &path, &form).await;
            assert_twilio_error(status, &body, 400, 20001);
            assert!(
                body["message"].as_str().unwrap().contains(missing),
                "{missing}: {body}"
            );
        }
    }
    let with = |name: &'static str, value: &'static str| {
        let mut form = BERLIN.to_vec();
        form.retain(|(k, _)| *k != name);
        form.push((name, value));
        form
    };
    for (name, value, code) in [
        ("IsoCountry", "ZZ", 21238),
        ("IsoCountry", "Germany", 21238),
        (
            "CustomerName",
            "12345678901234567890123456789012345678901234567890123456789012345",
            21238,
        ),
        // 17 four-byte characters: 68 bytes.
        ("CustomerName", "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", 21238),
        (
            "FriendlyName",
            "12345678901234567890123456789012345678901234567890123456789012345",
            21238,
        ),
        ("EmergencyEnabled", "maybe", 20001),
        ("AutoCorrectAddress", "maybe", 20001),
    ] {
        let (status, body) = s.post(&c, &path, &with(name, value)).await;
        assert_twilio_error(status, &body, 400, code);
        assert!(
            body["message"].as_str().unwrap().contains(name),
            "{name}: {body}"
        );
    }
    // 16 four-byte characters fit.
    let fits = create(
        &s,
        &c,
        &with("CustomerName", "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"),
    )
    .await;
    let item = format!("{}/Addresses/{}.json", base(&c), sid(&fits));
    // An update may not blank a required field.
    let (status, body) = s.post(&c, &item, &[("Street", "")]).await;
    assert_twilio_error(status, &body, 400, 21238);
    // The country is fixed: an update's IsoCountry is not Twilio's.
    let (status, body) = s.post(&c, &item, &[("IsoCountry", "FR")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["iso_country"], "DE");
    // SIDs of the wrong shape are not found.
    let (status, body) = s
        .get(&c, &format!("{}/Addresses/ADnope.json", base(&c)))
        .await;
    assert_twilio_error(status, &body, 404, 20404);
});

server_test!(numbers_that_need_an_address_are_bought_with_one, |s| {
    let c = s.main_account(AccountType::Full).await;
    let berlin = sid(&create(&s, &c, &BERLIN).await);
    let new_york = sid(&create(&s, &c, &NEW_YORK).await);
    let number = for_sale(&s, &c, "DE", "Local").await;

    // A German local number needs an address in Germany.
    let (status, body) = buy(&s, &c, &number, None).await;
    assert_twilio_error(status, &body, 400, 21631);
    assert!(body["message"].as_str().unwrap().contains("DE"), "{body}");
    let (status, body) = buy(&s, &c, &number, Some(&new_york)).await;
    assert_twilio_error(status, &body, 400, 21631);
    assert!(
        body["message"].as_str().unwrap().contains(&new_york),
        "{body}"
    );
    let (status, body) = buy(&s, &c, &number, Some("ADnot-a-sid")).await;
    assert_twilio_error(status, &body, 400, 21631);
    // Another account's address is not this account's.
    let stranger = s.main_account(AccountType::Full).await;
    let theirs = sid(&create(&s, &stranger, &BERLIN).await);
    let (status, body) = buy(&s, &c, &number, Some(&theirs)).await;
    assert_twilio_error(status, &body, 400, 21631);
    // Nothing was charged or bought by the refusals.
    let (status, list) = s
        .get(&c, &format!("{}/IncomingPhoneNumbers.json", base(&c)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list["incoming_phone_numbers"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let (status, bought) = buy(&s, &c, &number, Some(&berlin)).await;
    assert_eq!(status, StatusCode::CREATED, "{bought}");
    assert_eq!(bought["address_sid"], berlin.as_str());
    assert_eq!(bought["address_requirements"], "local");
    let pn = sid(&bought);

    // A German mobile needs an address anywhere: New York's will do.
    let mobile = for_sale(&s, &c, "DE", "Mobile").await;
    let (status, body) = buy(&s, &c, &mobile, None).await;
    assert_twilio_error(status, &body, 400, 21631);
    let (status, mobile) = buy(&s, &c, &mobile, Some(&new_york)).await;
    assert_eq!(status, StatusCode::CREATED, "{mobile}");
    assert_eq!(mobile["address_requirements"], "any");
    // A US number needs none, and may still name one.
    let us = for_sale(&s, &c, "US", "Local").await;
    let (status, us) = buy(&s, &c, &us, Some(&new_york)).await;
    assert_eq!(status, StatusCode::CREATED, "{us}");
    assert_eq!(us["address_requirements"], "none");
    assert_eq!(us["address_sid"], new_york.as_str());

    // Each address lists the numbers that use it, in Twilio's shape.
    let deps = dependents(&s, &c, &berlin).await;
    assert_eq!(deps.len(), 1);
    assert_eq!(deps[0]["sid"], pn.as_str());
    assert_eq!(deps[0]["phone_number"], number.as_str());
    assert_eq!(deps[0]["address_requirements"], "local");
    assert_eq!(
        deps[0]["uri"],
        format!("{}/IncomingPhoneNumbers/{pn}.json", base(&c)).as_str()
    );
    let ny: Vec<_> = dependents(&s, &c, &new_york)
        .await
        .iter()
        .map(sid)
        .collect();
    assert_eq!(ny, [sid(&mobile), sid(&us)]);
    // An address nobody has lists nothing.
    assert!(
        dependents(&s, &c, "AD0123456789abcdef0123456789abcdef")
            .await
            .is_empty()
    );
    assert!(dependents(&s, &stranger, &theirs).await.is_empty());

    // An address numbers use is not deleted.
    let berlin_path = format!("{}/Addresses/{berlin}.json", base(&c));
    let (status, body) = s.call(Some(&c), Method::DELETE, &berlin_path, &[]).await;
    assert_twilio_error(status, &body, 400, 21631);
    assert!(body["message"].as_str().unwrap().contains("1 phone number"));

    // A number that needs an address cannot drop it, nor take one that
    // does not meet its requirement; another German address will do.
    let number_path = format!("{}/IncomingPhoneNumbers/{pn}.json", base(&c));
    let (status, body) = s.post(&c, &number_path, &[("AddressSid", "")]).await;
    assert_twilio_error(status, &body, 400, 21631);
    let (status, body) = s
        .post(&c, &number_path, &[("AddressSid", new_york.as_str())])
        .await;
    assert_twilio_error(status, &body, 400, 21631);
    let mut munich = BERLIN.to_vec();
    munich[1] = ("Street", "Marienplatz 8");
    munich[2] = ("City", "München");
    let munich = sid(&create(&s, &c, &munich).await);
    let (status, moved) = call(
        &s,
        &c,
        Method::POST,
        &number_path,
        NUMBER,
        &[("AddressSid", munich.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["address_sid"], munich.as_str());
    assert!(dependents(&s, &c, &berlin).await.is_empty());
    let (status, _) = s.call(Some(&c), Method::DELETE, &berlin_path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // A number that needs none drops its address; released numbers leave
    // their address free.
    let us_path = format!("{}/IncomingPhoneNumbers/{}.json", base(&c), sid(&us));
    let (status, body) = s.post(&c, &us_path, &[("AddressSid", "")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["address_sid"], Value::Null);
    let mobile_path = format!("{}/IncomingPhoneNumbers/{}.json", base(&c), sid(&mobile));
    let (status, _) = s.call(Some(&c), Method::DELETE, &mobile_path, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(dependents(&s, &c, &new_york).await.is_empty());
    let (status, _) = s
        .call(
            Some(&c),
            Method::DELETE,
            &format!("{}/Addresses/{new_york}.json", base(&c)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
});

/// A Connect App's principal: its dedicated subaccount, the owner's token.
fn as_app(sub: &AccountSid, owner_token: &str) -> Creds {
    Creds {
        sid: sub.clone(),
        token: owner_token.to_owned(),
    }
}

server_test!(connect_apps_file_addresses_in_their_subaccount, |s| {
    let owner = app_owner(&s, &["post-all"]).await;
    let mut cust = customer(&s, true).await;
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);

    let created = create(&s, &app, &BERLIN).await;
    let ad = sid(&created);
    assert_eq!(created["account_sid"], sub.as_str());
    // It buys a number that needs the address, in its subaccount.
    let number = for_sale(&s, &app, "DE", "Local").await;
    let (status, bought) = buy(&s, &app, &number, Some(&ad)).await;
    assert_eq!(status, StatusCode::CREATED, "{bought}");
    assert_eq!(dependents(&s, &app, &ad).await.len(), 1);
    // Not in the customer's main account: neither an address nor a number
    // bought with one.
    let main = Creds {
        sid: cust.account.clone(),
        token: owner.creds.token.clone(),
    };
    let (status, body) = s
        .post(&app, &format!("{}/Addresses.json", base(&main)), &BERLIN)
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    // Audited in the customer's log, naming the app.
    let log =
        s.sb.log_of(&cust.account, &PageAt::First, 100)
            .await
            .unwrap()
            .items;
    let entry = log
        .iter()
        .find(|e| e.action == "address.create")
        .expect("the app's create in the customer's log");
    assert_eq!(entry.connect_app_sid.as_deref(), Some(owner.app.as_str()));
    assert_eq!(entry.subject_sid.as_deref(), Some(ad.as_str()));
    // Changed and deleted there too (once its number is gone).
    let item = format!("{}/Addresses/{ad}.json", base(&app));
    let (status, body) = s.post(&app, &item, &[("FriendlyName", "Shop")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.call(Some(&app), Method::DELETE, &item, &[]).await;
    assert_twilio_error(status, &body, 400, 21631);
    let (status, _) = s
        .call(
            Some(&app),
            Method::DELETE,
            &format!("{}/IncomingPhoneNumbers/{}.json", base(&app), sid(&bought)),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.call(Some(&app), Method::DELETE, &item, &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
});

server_test!(a_get_all_app_reads_addresses_but_cannot_change_them, |s| {
    let owner = app_owner(&s, &["get-all"]).await;
    let mut cust = customer(&s, true).await;
    // The customer's own address, filed as the operator would.
    let access =
        s.sb.operator_access(
            RequestTarget::Account(&cust.account),
            Action::Write,
            Resource::Addresses,
        )
        .await
        .unwrap();
    let made =
        s.sb.addresses()
            .create(
                &access,
                &NewAddress {
                    customer_name: Some("Customer Co".into()),
                    street: Some("1 Main St".into()),
                    city: Some("Austin".into()),
                    region: Some("TX".into()),
                    postal_code: Some("78701".into()),
                    iso_country: Some("US".into()),
                    ..NewAddress::default()
                },
            )
            .await
            .unwrap();
    let customer_creds = Creds {
        sid: cust.account.clone(),
        token: String::new(),
    };
    let sub = authorize(&mut cust.browser, &owner.app).await;
    let app = as_app(&sub, &owner.creds.token);
    // get-all reads the customer's addresses anywhere in its tree.
    let customers = format!("{}/Addresses/{}.json", base(&customer_creds), made.sid);
    let (status, fetched) = call(&s, &app, Method::GET, &customers, ITEM, &[]).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    assert_eq!(fetched["sid"], made.sid.as_str());
    let (status, page) = call(
        &s,
        &app,
        Method::GET,
        &format!("{}/Addresses.json", base(&customer_creds)),
        LIST,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["addresses"][0]["sid"], made.sid.as_str());
    let deps = format!(
        "{}/Addresses/{}/DependentPhoneNumbers.json",
        base(&customer_creds),
        made.sid
    );
    let (status, body) = call(&s, &app, Method::GET, &deps, DEPENDENTS, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // But writes nothing, not even in its own subaccount.
    let (status, body) = s
        .post(&app, &format!("{}/Addresses.json", base(&app)), &BERLIN)
        .await;
    assert_twilio_error(status, &body, 403, 20403);
    assert!(
        body["message"].as_str().unwrap().contains("post-all"),
        "{body}"
    );
    let (status, body) = s.call(Some(&app), Method::DELETE, &customers, &[]).await;
    assert_twilio_error(status, &body, 403, 20403);
    let (status, body) = s.post(&app, &customers, &[("FriendlyName", "x")]).await;
    assert_twilio_error(status, &body, 403, 20403);
    // Another account's address is not found, for the app and for strangers.
    let stranger = s.main_account(AccountType::Full).await;
    let (status, body) = s.get(&stranger, &customers).await;
    assert_twilio_error(status, &body, 404, 20404);
});
