//! The localities local numbers come from. Coordinates and postal codes are each
//! city's centre; LATAs exist only in the US, as in Twilio's answers.

use super::Country;

pub(super) struct Place {
    pub country: Country,
    pub area_code: &'static str,
    pub locality: &'static str,
    pub region: &'static str,
    pub lata: Option<&'static str>,
    pub rate_center: &'static str,
    pub latitude: &'static str,
    pub longitude: &'static str,
    pub postal_code: &'static str,
}

const fn place(
    country: Country,
    area_code: &'static str,
    (locality, region): (&'static str, &'static str),
    lata: Option<&'static str>,
    rate_center: &'static str,
    (latitude, longitude): (&'static str, &'static str),
    postal_code: &'static str,
) -> Place {
    Place {
        country,
        area_code,
        locality,
        region,
        lata,
        rate_center,
        latitude,
        longitude,
        postal_code,
    }
}

use Country::{Ca, Gb, Us};

#[rustfmt::skip]
pub(super) static PLACES: &[Place] = &[
    place(Us, "415", ("San Francisco", "CA"), Some("722"), "SNFC CNTL", ("37.774900", "-122.419400"), "94103"),
    place(Us, "212", ("New York", "NY"), Some("132"), "NWYRCYZN01", ("40.712800", "-74.006000"), "10007"),
    place(Us, "512", ("Austin", "TX"), Some("558"), "AUSTIN", ("30.267200", "-97.743100"), "78701"),
    place(Us, "312", ("Chicago", "IL"), Some("358"), "CHICAGO", ("41.878100", "-87.629800"), "60601"),
    place(Us, "206", ("Seattle", "WA"), Some("674"), "SEATTLE", ("47.606200", "-122.332100"), "98101"),
    place(Us, "617", ("Boston", "MA"), Some("128"), "BOSTON", ("42.360100", "-71.058900"), "02108"),
    place(Us, "303", ("Denver", "CO"), Some("656"), "DENVER", ("39.739200", "-104.990300"), "80202"),
    place(Us, "305", ("Miami", "FL"), Some("460"), "MIAMI", ("25.761700", "-80.191800"), "33130"),
    place(Ca, "416", ("Toronto", "ON"), None, "TORONTO", ("43.653200", "-79.383200"), "M5H 2N2"),
    place(Ca, "604", ("Vancouver", "BC"), None, "VANCOUVER", ("49.282700", "-123.120700"), "V6B 1A1"),
    place(Ca, "514", ("Montreal", "QC"), None, "MONTREAL", ("45.501700", "-73.567300"), "H2Y 1C6"),
    place(Ca, "403", ("Calgary", "AB"), None, "CALGARY", ("51.044700", "-114.071900"), "T2P 2M5"),
    place(Ca, "613", ("Ottawa", "ON"), None, "OTTAWA", ("45.421500", "-75.697200"), "K1P 1J1"),
    place(Ca, "902", ("Halifax", "NS"), None, "HALIFAX", ("44.648800", "-63.575200"), "B3H 1A1"),
    place(Ca, "780", ("Edmonton", "AB"), None, "EDMONTON", ("53.546100", "-113.493800"), "T5J 0N3"),
    place(Ca, "204", ("Winnipeg", "MB"), None, "WINNIPEG", ("49.895100", "-97.138400"), "R3C 0A1"),
    place(Gb, "20", ("London", "ENG"), None, "LONDON", ("51.507400", "-0.127800"), "EC1A 1BB"),
    place(Gb, "161", ("Manchester", "ENG"), None, "MANCHESTER", ("53.480800", "-2.242600"), "M1 1AE"),
    place(Gb, "121", ("Birmingham", "ENG"), None, "BIRMINGHAM", ("52.486200", "-1.890400"), "B1 1BB"),
    place(Gb, "131", ("Edinburgh", "SCT"), None, "EDINBURGH", ("55.953300", "-3.188300"), "EH1 1YZ"),
    place(Gb, "141", ("Glasgow", "SCT"), None, "GLASGOW", ("55.864200", "-4.251800"), "G1 1XQ"),
    place(Gb, "113", ("Leeds", "ENG"), None, "LEEDS", ("53.800800", "-1.549100"), "LS1 1UR"),
    place(Gb, "117", ("Bristol", "ENG"), None, "BRISTOL", ("51.454500", "-2.587900"), "BS1 4DJ"),
    place(Gb, "151", ("Liverpool", "ENG"), None, "LIVERPOOL", ("53.408400", "-2.991600"), "L1 8JQ"),
];
