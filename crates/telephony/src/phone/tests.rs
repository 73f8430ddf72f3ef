use super::*;

fn n(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).unwrap()
}

#[test]
fn parses_e164() {
    assert_eq!(n("+15005550006").as_str(), "+15005550006");
    assert_eq!(n("+15005550006").digits(), "15005550006");
}

#[test]
fn strips_punctuation_people_type() {
    assert_eq!(n("+1 (500) 555-0006").as_str(), "+15005550006");
    assert_eq!(n("+44.20.7946.0018").as_str(), "+442079460018");
    assert_eq!(n(" +1-500-555-0006 ").as_str(), "+15005550006");
}

#[test]
fn length_bounds_are_8_to_15_digits() {
    assert!(PhoneNumber::parse("+1234567").is_err());
    assert!(PhoneNumber::parse("+12345678").is_ok());
    assert!(PhoneNumber::parse("+123456789012345").is_ok());
    assert!(PhoneNumber::parse("+1234567890123456").is_err());
}

#[test]
fn rejects_non_e164() {
    for bad in [
        "",
        "+",
        "15005550006",
        "+05005550006",
        "+1500555000a",
        "++15005550006",
        "+1500 555 0006 ext 1",
        "+1/5005550006",
        "+１５００５５５０００６",
    ] {
        assert!(PhoneNumber::parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn error_names_the_input_cut_to_32_chars() {
    let err = PhoneNumber::parse("5005550006").unwrap_err();
    assert_eq!(
        err.to_string(),
        "'5005550006' is not a valid phone number in E.164 format (for example +15005550006)"
    );
    let long = "é".repeat(40);
    let err = PhoneNumber::parse(&long).unwrap_err();
    assert_eq!(err.input(), "é".repeat(32));
}

#[test]
fn formats_nanp_like_twilio() {
    assert_eq!(n("+15005550006").formatted(), "(500) 555-0006");
    assert_eq!(n("+14165550123").formatted(), "(416) 555-0123");
    assert_eq!(n("+442079460018").formatted(), "+442079460018");
    // +1 followed by fewer than ten digits is not a NANP number.
    assert_eq!(n("+123456789").formatted(), "+123456789");
}

#[test]
fn country_from_prefix_and_canadian_area_codes() {
    assert_eq!(n("+14155550100").country(), Some(Country::Us));
    assert_eq!(n("+15005550006").country(), Some(Country::Us));
    assert_eq!(n("+14165550100").country(), Some(Country::Ca));
    assert_eq!(n("+16045550100").country(), Some(Country::Ca));
    assert_eq!(n("+442079460018").country(), Some(Country::Gb));
    assert_eq!(n("+33142685300").country(), Some(Country::Fr));
    assert_eq!(n("+4930123456").country(), Some(Country::De));
    assert_eq!(n("+35312345678").country(), Some(Country::Ie));
    assert_eq!(n("+81312345678").country(), Some(Country::Jp));
    // Not simulated: Switzerland, Portugal (+351, not Ireland's +353).
    assert_eq!(n("+41212345678").country(), None);
    assert_eq!(n("+351212345678").country(), None);
    assert_eq!(n("+123456789").country(), None);
}

#[test]
fn canadian_area_codes_come_from_libphonenumber() {
    // Every area code of the inventory's Canadian localities, and more.
    for npa in [
        "204", "403", "416", "514", "604", "613", "780", "902", "905", "867",
    ] {
        assert_eq!(
            n(&format!("+1{npa}5550100")).country(),
            Some(Country::Ca),
            "{npa}"
        );
    }
    // US area codes, toll-free codes and Twilio's test range stay US.
    for npa in ["212", "415", "512", "800", "888", "500", "999"] {
        assert_eq!(
            n(&format!("+1{npa}5550100")).country(),
            Some(Country::Us),
            "{npa}"
        );
    }
}

#[test]
fn serde_as_a_string() {
    let json = serde_json::to_string(&n("+15005550006")).unwrap();
    assert_eq!(json, "\"+15005550006\"");
    let back: PhoneNumber = serde_json::from_str("\"+1 500 555 0006\"").unwrap();
    assert_eq!(back, n("+15005550006"));
    assert!(serde_json::from_str::<PhoneNumber>("\"nope\"").is_err());
}

#[test]
fn display_and_debug() {
    assert_eq!(n("+15005550006").to_string(), "+15005550006");
    assert_eq!(
        format!("{:?}", n("+15005550006")),
        "PhoneNumber(+15005550006)"
    );
    assert_eq!(
        "+15005550006".parse::<PhoneNumber>().unwrap(),
        n("+15005550006")
    );
}

#[test]
fn typed_numbers_are_read_as_people_type_them() {
    let typed = |s: &str| PhoneNumber::parse_typed(s).map(|n| n.as_str().to_owned());
    for (input, want) in [
        ("+1 415 555 1181", "+14155551181"),
        ("(415) 555-1181", "+14155551181"),
        ("415.555.1181", "+14155551181"),
        ("4155551181", "+14155551181"),
        ("1 415 555 1181", "+14155551181"),
        (" +15005550006 ", "+15005550006"),
        ("+44 20 7946 0018", "+442079460018"),
    ] {
        assert_eq!(typed(input).as_deref(), Ok(want), "{input}");
    }
    for bad in [
        "",
        "hello",
        "12",
        "+1",
        "555-CALL",
        "+0 415 555 1181",
        "(((",
    ] {
        assert!(typed(bad).is_err(), "{bad}");
    }
}

#[test]
fn region_codes_are_libphonenumbers() {
    for code in ["US", "CA", "GB", "DE", "JP", "CH", "PT", "NZ"] {
        assert!(is_region_code(code), "{code}");
    }
    for code in ["", "us", "UK", "ZZ", "001", "DEU", "U1"] {
        assert!(!is_region_code(code), "{code}");
    }
}
