//! The localities local numbers come from. Coordinates and postal codes are each
//! city's centre; LATAs exist only in the US, as in Twilio's answers. Regions
//! are ISO 3166-2 subdivision codes without the country (`CA`, `ON`, `ENG`,
//! `NSW`, `BY`, `IDF`, `13` for Tokyo).

use super::Country;

/// Subscriber numbers of a block: `low..low + span`, zero-padded to `width`
/// digits after the block's prefix.
pub(super) type Subscribers = (u64, u64, usize);

pub(super) struct Place {
    pub country: Country,
    /// The national prefix of the locality's numbers (after the calling
    /// code): what the `AreaCode` filter matches.
    pub area_code: &'static str,
    pub locality: &'static str,
    pub region: &'static str,
    pub lata: Option<&'static str>,
    pub rate_center: &'static str,
    pub latitude: &'static str,
    pub longitude: &'static str,
    pub postal_code: &'static str,
    /// Which subscriber numbers follow the area code: ranges of the
    /// country's numbering plan (libphonenumber's metadata takes every one;
    /// the inventory's tests check it).
    pub subscribers: Subscribers,
}

#[allow(clippy::too_many_arguments)]
const fn place(
    country: Country,
    area_code: &'static str,
    (locality, region): (&'static str, &'static str),
    lata: Option<&'static str>,
    rate_center: &'static str,
    (latitude, longitude): (&'static str, &'static str),
    postal_code: &'static str,
    subscribers: Subscribers,
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
        subscribers,
    }
}

/// NANP exchanges and most subscriber numbers do not start with 0 or 1.
const SEVEN: Subscribers = (2_000_000, 8_000_000, 7);
const EIGHT: Subscribers = (20_000_000, 80_000_000, 8);
const SIX: Subscribers = (100_000, 900_000, 6);

use Country::{Au, Br, Ca, De, Es, Fr, Gb, Ie, It, Jp, Mx, Nl, Se, Us};

#[rustfmt::skip]
pub(super) static PLACES: &[Place] = &[
    place(Us, "415", ("San Francisco", "CA"), Some("722"), "SNFC CNTL", ("37.774900", "-122.419400"), "94103", SEVEN),
    place(Us, "212", ("New York", "NY"), Some("132"), "NWYRCYZN01", ("40.712800", "-74.006000"), "10007", SEVEN),
    place(Us, "512", ("Austin", "TX"), Some("558"), "AUSTIN", ("30.267200", "-97.743100"), "78701", SEVEN),
    place(Us, "312", ("Chicago", "IL"), Some("358"), "CHICAGO", ("41.878100", "-87.629800"), "60601", SEVEN),
    place(Us, "206", ("Seattle", "WA"), Some("674"), "SEATTLE", ("47.606200", "-122.332100"), "98101", SEVEN),
    place(Us, "617", ("Boston", "MA"), Some("128"), "BOSTON", ("42.360100", "-71.058900"), "02108", SEVEN),
    place(Us, "303", ("Denver", "CO"), Some("656"), "DENVER", ("39.739200", "-104.990300"), "80202", SEVEN),
    place(Us, "305", ("Miami", "FL"), Some("460"), "MIAMI", ("25.761700", "-80.191800"), "33130", SEVEN),
    place(Ca, "416", ("Toronto", "ON"), None, "TORONTO", ("43.653200", "-79.383200"), "M5H 2N2", SEVEN),
    place(Ca, "604", ("Vancouver", "BC"), None, "VANCOUVER", ("49.282700", "-123.120700"), "V6B 1A1", SEVEN),
    place(Ca, "514", ("Montreal", "QC"), None, "MONTREAL", ("45.501700", "-73.567300"), "H2Y 1C6", SEVEN),
    place(Ca, "403", ("Calgary", "AB"), None, "CALGARY", ("51.044700", "-114.071900"), "T2P 2M5", SEVEN),
    place(Ca, "613", ("Ottawa", "ON"), None, "OTTAWA", ("45.421500", "-75.697200"), "K1P 1J1", SEVEN),
    place(Ca, "902", ("Halifax", "NS"), None, "HALIFAX", ("44.648800", "-63.575200"), "B3H 1A1", SEVEN),
    place(Ca, "780", ("Edmonton", "AB"), None, "EDMONTON", ("53.546100", "-113.493800"), "T5J 0N3", SEVEN),
    place(Ca, "204", ("Winnipeg", "MB"), None, "WINNIPEG", ("49.895100", "-97.138400"), "R3C 0A1", SEVEN),
    // UK: only the ranges libphonenumber gives as assigned (020 7 and 8 in
    // London, and so on).
    place(Gb, "20", ("London", "ENG"), None, "LONDON", ("51.507400", "-0.127800"), "EC1A 1BB", (70_000_000, 20_000_000, 8)),
    place(Gb, "161", ("Manchester", "ENG"), None, "MANCHESTER", ("53.480800", "-2.242600"), "M1 1AE", SEVEN),
    place(Gb, "121", ("Birmingham", "ENG"), None, "BIRMINGHAM", ("52.486200", "-1.890400"), "B1 1BB", (2_000_000, 6_000_000, 7)),
    place(Gb, "131", ("Edinburgh", "SCT"), None, "EDINBURGH", ("55.953300", "-3.188300"), "EH1 1YZ", (2_000_000, 6_000_000, 7)),
    place(Gb, "141", ("Glasgow", "SCT"), None, "GLASGOW", ("55.864200", "-4.251800"), "G1 1XQ", SEVEN),
    place(Gb, "113", ("Leeds", "ENG"), None, "LEEDS", ("53.800800", "-1.549100"), "LS1 1UR", (2_000_000, 4_000_000, 7)),
    place(Gb, "117", ("Bristol", "ENG"), None, "BRISTOL", ("51.454500", "-2.587900"), "BS1 4DJ", (2_000_000, 3_000_000, 7)),
    place(Gb, "151", ("Liverpool", "ENG"), None, "LIVERPOOL", ("53.408400", "-2.991600"), "L1 8JQ", SEVEN),
    // Australia: 02 9xxx xxxx and friends (nine digits after the trunk 0).
    place(Au, "2", ("Sydney", "NSW"), None, "SYDNEY", ("-33.868800", "151.209300"), "2000", (90_000_000, 10_000_000, 8)),
    place(Au, "3", ("Melbourne", "VIC"), None, "MELBOURNE", ("-37.813600", "144.963100"), "3000", (90_000_000, 10_000_000, 8)),
    place(Au, "7", ("Brisbane", "QLD"), None, "BRISBANE", ("-27.469800", "153.025100"), "4000", (30_000_000, 10_000_000, 8)),
    place(Au, "8", ("Adelaide", "SA"), None, "ADELAIDE", ("-34.928500", "138.600700"), "5000", (80_000_000, 10_000_000, 8)),
    place(De, "30", ("Berlin", "BE"), None, "BERLIN", ("52.520000", "13.405000"), "10117", EIGHT),
    place(De, "89", ("München", "BY"), None, "MUENCHEN", ("48.135100", "11.582000"), "80331", EIGHT),
    place(De, "40", ("Hamburg", "HH"), None, "HAMBURG", ("53.551100", "9.993700"), "20095", EIGHT),
    place(De, "69", ("Frankfurt am Main", "HE"), None, "FRANKFURT", ("50.110900", "8.682100"), "60311", EIGHT),
    place(De, "221", ("Köln", "NW"), None, "KOELN", ("50.937500", "6.960300"), "50667", SEVEN),
    // France: 01 Paris, 04 72 Lyon, 04 91 Marseille, 03 Lille, 05 Bordeaux.
    place(Fr, "1", ("Paris", "IDF"), None, "PARIS", ("48.856600", "2.352200"), "75001", (40_000_000, 50_000_000, 8)),
    place(Fr, "47", ("Lyon", "ARA"), None, "LYON", ("45.764000", "4.835700"), "69001", SEVEN),
    place(Fr, "49", ("Marseille", "PAC"), None, "MARSEILLE", ("43.296500", "5.369800"), "13001", SEVEN),
    place(Fr, "3", ("Lille", "HDF"), None, "LILLE", ("50.629200", "3.057300"), "59000", EIGHT),
    place(Fr, "5", ("Bordeaux", "NAQ"), None, "BORDEAUX", ("44.837800", "-0.579200"), "33000", (50_000_000, 30_000_000, 8)),
    place(Es, "91", ("Madrid", "MD"), None, "MADRID", ("40.416800", "-3.703800"), "28013", SEVEN),
    place(Es, "93", ("Barcelona", "CT"), None, "BARCELONA", ("41.385100", "2.173400"), "08002", SEVEN),
    place(Es, "96", ("Valencia", "VC"), None, "VALENCIA", ("39.469900", "-0.376300"), "46002", (2_000_000, 6_000_000, 7)),
    place(Es, "95", ("Sevilla", "AN"), None, "SEVILLA", ("37.389100", "-5.984500"), "41004", SEVEN),
    // Italy keeps the trunk 0 in international numbers: +39 02 …
    place(It, "02", ("Milano", "MI"), None, "MILANO", ("45.464200", "9.190000"), "20121", (20_000_000, 60_000_000, 8)),
    place(It, "06", ("Roma", "RM"), None, "ROMA", ("41.902800", "12.496400"), "00184", (20_000_000, 40_000_000, 8)),
    place(It, "081", ("Napoli", "NA"), None, "NAPOLI", ("40.851800", "14.268100"), "80133", (2_000_000, 6_000_000, 7)),
    place(It, "011", ("Torino", "TO"), None, "TORINO", ("45.070300", "7.686900"), "10121", (2_000_000, 6_000_000, 7)),
    place(Nl, "20", ("Amsterdam", "NH"), None, "AMSTERDAM", ("52.367600", "4.904100"), "1012 JS", SEVEN),
    place(Nl, "10", ("Rotterdam", "ZH"), None, "ROTTERDAM", ("51.924400", "4.477700"), "3011 AD", SEVEN),
    place(Nl, "70", ("Den Haag", "ZH"), None, "DEN HAAG", ("52.070500", "4.300700"), "2511 BT", SEVEN),
    place(Nl, "30", ("Utrecht", "UT"), None, "UTRECHT", ("52.090700", "5.121400"), "3511 AB", SEVEN),
    place(Se, "8", ("Stockholm", "AB"), None, "STOCKHOLM", ("59.329300", "18.068600"), "111 20", (20_000_000, 60_000_000, 8)),
    place(Se, "31", ("Göteborg", "O"), None, "GOTEBORG", ("57.708900", "11.974600"), "411 01", SIX),
    place(Se, "40", ("Malmö", "M"), None, "MALMO", ("55.605000", "13.003800"), "211 20", SIX),
    place(Se, "18", ("Uppsala", "C"), None, "UPPSALA", ("59.858600", "17.638900"), "753 20", SIX),
    place(Ie, "1", ("Dublin", "D"), None, "DUBLIN", ("53.349800", "-6.260300"), "D01", SEVEN),
    place(Ie, "21", ("Cork", "CO"), None, "CORK", ("51.898500", "-8.475600"), "T12", (4_000_000, 5_000_000, 7)),
    place(Ie, "91", ("Galway", "G"), None, "GALWAY", ("53.270700", "-9.056800"), "H91", SIX),
    place(Ie, "61", ("Limerick", "LK"), None, "LIMERICK", ("52.668000", "-8.630500"), "V94", SIX),
    // Brazil: two-digit area codes, then an eight-digit landline from 2 to 5.
    place(Br, "11", ("São Paulo", "SP"), None, "SAO PAULO", ("-23.550500", "-46.633300"), "01001-000", (20_000_000, 40_000_000, 8)),
    place(Br, "21", ("Rio de Janeiro", "RJ"), None, "RIO DE JANEIRO", ("-22.906800", "-43.172900"), "20010-000", (20_000_000, 40_000_000, 8)),
    place(Br, "61", ("Brasília", "DF"), None, "BRASILIA", ("-15.793900", "-47.882800"), "70040-010", (20_000_000, 40_000_000, 8)),
    place(Br, "31", ("Belo Horizonte", "MG"), None, "BELO HORIZONTE", ("-19.916700", "-43.934500"), "30110-000", (20_000_000, 40_000_000, 8)),
    place(Mx, "55", ("Ciudad de México", "CMX"), None, "CIUDAD DE MEXICO", ("19.432600", "-99.133200"), "06000", (10_000_000, 90_000_000, 8)),
    place(Mx, "33", ("Guadalajara", "JAL"), None, "GUADALAJARA", ("20.659700", "-103.349600"), "44100", (10_000_000, 90_000_000, 8)),
    place(Mx, "81", ("Monterrey", "NLE"), None, "MONTERREY", ("25.686600", "-100.316100"), "64000", (10_000_000, 90_000_000, 8)),
    place(Jp, "3", ("Tokyo", "13"), None, "TOKYO", ("35.676200", "139.650300"), "100-0001", (10_000_000, 90_000_000, 8)),
    place(Jp, "6", ("Osaka", "27"), None, "OSAKA", ("34.693700", "135.502300"), "530-0001", (10_000_000, 90_000_000, 8)),
    place(Jp, "52", ("Nagoya", "23"), None, "NAGOYA", ("35.181500", "136.906600"), "450-0002", SEVEN),
];
