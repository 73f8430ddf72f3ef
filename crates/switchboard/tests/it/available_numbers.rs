//! The inventory over real HTTP: every country and every one of Twilio's
//! seven `AvailablePhoneNumbers` lists, checked against
//! `twilio_api_v2010.json`, and numbers of the newer types bought.

use reqwest::StatusCode;
use serde_json::Value;
use switchboard_types::AccountType;

use crate::openapi::{self, assert_answer};
use crate::server_test;
use crate::support::{Creds, TestServer, assert_twilio_error, base};

const COUNTRIES: &str = "/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers.json";
const COUNTRY: &str = "/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}.json";

/// Twilio's seven lists, by path segment.
const KINDS: [&str; 7] = [
    "Local",
    "TollFree",
    "Mobile",
    "National",
    "SharedCost",
    "Voip",
    "MachineToMachine",
];

/// One list of one country, checked against the spec.
async fn list(s: &TestServer, c: &Creds, country: &str, kind: &str, query: &str) -> Vec<Value> {
    let path = format!(
        "{}/AvailablePhoneNumbers/{country}/{kind}.json?{query}",
        base(c)
    );
    let (status, body) = s.get(c, &path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    let template = format!(
        "/2010-04-01/Accounts/{{AccountSid}}/AvailablePhoneNumbers/{{CountryCode}}/{kind}.json"
    );
    assert_answer(openapi::api_2010(), &template, "get", 200, &body);
    body["available_phone_numbers"].as_array().unwrap().clone()
}

server_test!(every_country_answers_every_list, |s| {
    let c = s.main_account(AccountType::Full).await;
    let (status, countries) = s
        .get(&c, &format!("{}/AvailablePhoneNumbers.json", base(&c)))
        .await;
    assert_eq!(status, StatusCode::OK, "{countries}");
    let countries = countries["countries"].as_array().unwrap().clone();
    let codes: Vec<&str> = countries
        .iter()
        .map(|c| c["country_code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "US", "CA", "GB", "AU", "DE", "FR", "ES", "IT", "NL", "SE", "IE", "BR", "MX", "JP"
        ]
    );
    let mut sold = 0;
    for country in &countries {
        let code = country["country_code"].as_str().unwrap();
        let (status, fetched) = s
            .get(
                &c,
                &format!("{}/AvailablePhoneNumbers/{code}.json", base(&c)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{fetched}");
        assert_answer(openapi::api_2010(), COUNTRY, "get", 200, &fetched);
        assert_eq!(&fetched, country);
        // The country names the lists of the types it sells; the others
        // answer empty lists, never 404.
        let uris = fetched["subresource_uris"].as_object().unwrap();
        assert!(uris.contains_key("local") && uris.contains_key("toll_free"));
        for kind in KINDS {
            let numbers = list(&s, &c, code, kind, "PageSize=3").await;
            let key = match kind {
                "TollFree" => "toll_free".to_owned(),
                "SharedCost" => "shared_cost".to_owned(),
                "MachineToMachine" => "machine_to_machine".to_owned(),
                other => other.to_ascii_lowercase(),
            };
            match uris.get(&key) {
                Some(uri) => {
                    sold += 1;
                    assert_eq!(
                        uri.as_str().unwrap(),
                        format!("{}/AvailablePhoneNumbers/{code}/{kind}.json", base(&c))
                    );
                    assert_eq!(numbers.len(), 3, "{code} {kind}");
                    for n in &numbers {
                        assert_eq!(n["iso_country"], code, "{n}");
                        assert!(n["phone_number"].as_str().unwrap().starts_with('+'));
                        assert!(
                            ["none", "any", "local", "foreign"]
                                .contains(&n["address_requirements"].as_str().unwrap())
                        );
                    }
                }
                None => assert!(numbers.is_empty(), "{code} {kind}: {numbers:?}"),
            }
        }
    }
    // Every type is sold somewhere: 2 in the US and Canada, 5 in the UK...
    assert_eq!(sold, 49);
    let (status, all) = s
        .get(&c, &format!("{}/AvailablePhoneNumbers.json", base(&c)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_answer(openapi::api_2010(), COUNTRIES, "get", 200, &all);

    // A country outside the inventory is not found, saying which are in it.
    let (status, body) = s
        .get(
            &c,
            &format!("{}/AvailablePhoneNumbers/CH/National.json", base(&c)),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    assert!(body["message"].as_str().unwrap().contains("JP"), "{body}");
});

server_test!(numbers_show_their_countrys_plan, |s| {
    let c = s.main_account(AccountType::Full).await;
    let berlin = list(&s, &c, "DE", "Local", "AreaCode=30&PageSize=5").await;
    assert_eq!(berlin.len(), 5);
    for n in &berlin {
        assert!(n["phone_number"].as_str().unwrap().starts_with("+4930"));
        assert_eq!(n["locality"], "Berlin");
        assert_eq!(n["region"], "BE");
        assert_eq!(n["address_requirements"], "local");
        assert_eq!(n["lata"], Value::Null);
        assert_eq!(n["capabilities"]["voice"], true);
        assert_eq!(n["capabilities"]["sms"], false);
    }
    let lyon = list(&s, &c, "FR", "Local", "InLocality=lyon&PageSize=2").await;
    assert!(lyon.iter().all(|n| n["locality"] == "Lyon"), "{lyon:?}");
    let m2m = list(&s, &c, "NL", "MachineToMachine", "PageSize=2").await;
    assert!(m2m.iter().all(|n| {
        n["phone_number"].as_str().unwrap().starts_with("+31970")
            && n["capabilities"]["voice"] == false
            && n["capabilities"]["sms"] == true
    }));
    // Numbers that need an address are left out on request.
    assert!(
        list(&s, &c, "DE", "Local", "ExcludeLocalAddressRequired=true")
            .await
            .is_empty()
    );
    assert!(
        list(&s, &c, "DE", "Mobile", "ExcludeAllAddressRequired=true")
            .await
            .is_empty()
    );
    assert_eq!(
        list(
            &s,
            &c,
            "DE",
            "Mobile",
            "ExcludeLocalAddressRequired=true&PageSize=2"
        )
        .await
        .len(),
        2
    );
    assert_eq!(
        list(
            &s,
            &c,
            "GB",
            "Voip",
            "ExcludeAllAddressRequired=true&PageSize=2"
        )
        .await
        .len(),
        2
    );
    let (status, body) = s
        .get(
            &c,
            &format!(
                "{}/AvailablePhoneNumbers/GB/Voip.json?ExcludeAllAddressRequired=maybe",
                base(&c)
            ),
        )
        .await;
    assert_twilio_error(status, &body, 400, 20001);
});

server_test!(numbers_of_the_newer_types_are_bought_and_listed, |s| {
    let c = s.main_account(AccountType::Full).await;
    let national = list(&s, &c, "GB", "National", "PageSize=1").await;
    let number = national[0]["phone_number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("+4433"), "{number}");
    let (status, bought) = s
        .post(
            &c,
            &format!("{}/IncomingPhoneNumbers.json", base(&c)),
            &[("PhoneNumber", number.as_str())],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{bought}");
    assert_answer(
        openapi::api_2010(),
        "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
        "post",
        201,
        &bought,
    );
    assert_eq!(bought["type"], "national");
    assert_eq!(bought["address_requirements"], "none");
    assert_eq!(bought["capabilities"]["voice"], true);
    assert!(
        !list(&s, &c, "GB", "National", "PageSize=50")
            .await
            .iter()
            .any(|n| n["phone_number"] == number.as_str())
    );
    // A national number is not a local one.
    let voip = list(&s, &c, "GB", "Voip", "PageSize=1").await;
    let voip = voip[0]["phone_number"].as_str().unwrap();
    let (status, body) = s
        .post(
            &c,
            &format!("{}/IncomingPhoneNumbers/Local.json", base(&c)),
            &[("PhoneNumber", voip)],
        )
        .await;
    assert_twilio_error(status, &body, 400, 21422);
    // Twilio's IncomingPhoneNumbers has three typed lists: no National one.
    let (status, body) = s
        .get(
            &c,
            &format!("{}/IncomingPhoneNumbers/National.json", base(&c)),
        )
        .await;
    assert_twilio_error(status, &body, 404, 20404);
    let (status, listed) = s
        .get(
            &c,
            &format!(
                "{}/IncomingPhoneNumbers.json?PhoneNumber={}",
                base(&c),
                number.replace('+', "%2B")
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["incoming_phone_numbers"][0]["type"], "national");
});
