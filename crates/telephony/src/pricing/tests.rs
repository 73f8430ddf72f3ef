use super::*;

fn n(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).unwrap()
}

fn m(s: &str) -> Money {
    Money::parse_decimal(s).unwrap()
}

#[test]
fn parses_decimals_exactly() {
    assert_eq!(m("1.15"), Money(1_150_000));
    assert_eq!(m("0.0079"), Money(7_900));
    assert_eq!(m("20"), Money(20_000_000));
    assert_eq!(m("-0.0140"), Money(-14_000));
    assert_eq!(m("0.000001"), Money(1));
    assert_eq!(m("007.5"), Money(7_500_000));
    for bad in [
        "",
        "-",
        ".5",
        "1.",
        "1.0000001",
        "1,15",
        "+1",
        "1e3",
        " 1",
        "NaN",
        "99999999999999999",
    ] {
        assert!(Money::parse_decimal(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn formats_decimals() {
    assert_eq!(Money(1_150_000).decimal(2), "1.15");
    assert_eq!(Money(1_150_000).decimal(5), "1.15000");
    assert_eq!(Money(7_900).decimal(4), "0.0079");
    assert_eq!(Money(-14_000).decimal(5), "-0.01400");
    assert_eq!(Money(5).decimal(5), "0.00001");
    assert_eq!(Money(4).decimal(5), "0.00000");
    assert_eq!(Money(-4).decimal(5), "0.00000");
    assert_eq!(Money(2_500_000).decimal(0), "3");
    assert_eq!(Money(123).decimal(9), "0.000123");
}

#[test]
fn twilio_price_is_a_negative_charge() {
    assert_eq!(Money(14_000).twilio_price(), "-0.01400");
    assert_eq!(Money(7_900).twilio_price(), "-0.00790");
    assert_eq!(Money::ZERO.twilio_price(), "0.00000");
    assert_eq!(Money(1_150_000).twilio_price(), "-1.15000");
}

#[test]
fn display_is_short_and_exact() {
    assert_eq!(TRIAL_CREDIT.to_string(), "15.50");
    assert_eq!(Money(7_900).to_string(), "0.0079");
    assert_eq!(Money(-14_000).to_string(), "-0.014");
    assert_eq!(Money::ZERO.to_string(), "0.00");
    assert_eq!(Money(1).to_string(), "0.000001");
}

#[test]
fn arithmetic() {
    assert_eq!(Money(10) + Money(5) - Money(3), Money(12));
    assert_eq!(-Money(3), Money(-3));
    assert_eq!(Money(3).negated().micros(), -3);
    assert_eq!([Money(1), Money(2)].into_iter().sum::<Money>(), Money(3));
    assert_eq!(Money(i64::MAX).times(2), Money(i64::MAX));
    assert_eq!(Money(i64::MAX).checked_add(Money(1)), None);
}

#[test]
fn defaults() {
    let p = PriceList::default();
    assert_eq!(p.currency(), "USD");
    assert_eq!(p.voice_per_minute(Country::Us), m("0.0140"));
    assert_eq!(p.voice_per_minute(Country::Ca), m("0.0140"));
    assert_eq!(p.voice_per_minute(Country::Gb), m("0.0200"));
    assert_eq!(p.sms_per_segment(Country::Us), m("0.0079"));
    assert_eq!(p.sms_per_segment(Country::Ca), m("0.0079"));
    assert_eq!(p.sms_per_segment(Country::Gb), m("0.0400"));
    assert_eq!(p.number(NumberType::Local), m("1.15"));
    assert_eq!(p.number(NumberType::TollFree), m("2.15"));
    assert_eq!(p.number(NumberType::Mobile), m("1.00"));
    assert_eq!(p.number(NumberType::National), m("1.50"));
    assert_eq!(p.number(NumberType::SharedCost), m("2.00"));
    assert_eq!(p.number(NumberType::Voip), m("1.00"));
    assert_eq!(p.number(NumberType::MachineToMachine), m("0.50"));
    assert_eq!(TRIAL_CREDIT, m("15.50"));
}

#[test]
fn calls_bill_each_started_minute() {
    let p = PriceList::default();
    let us = n("+14155550100");
    assert_eq!(p.call(&us, 0), Money::ZERO);
    assert_eq!(p.call(&us, 1), m("0.014"));
    assert_eq!(p.call(&us, 60), m("0.014"));
    assert_eq!(p.call(&us, 61), m("0.028"));
    assert_eq!(p.call(&us, 299), m("0.07"));
    assert_eq!(p.call(&n("+442079460018"), 90), m("0.04"));
    assert_eq!(p.call(&n("+14165550100"), 60), m("0.014"));
    assert_eq!(
        p.call(&us, u32::MAX),
        m("0.014").times(u32::MAX.div_ceil(60))
    );
}

#[test]
fn messages_bill_per_segment() {
    let p = PriceList::default();
    assert_eq!(p.message(&n("+14155550100"), 1), m("0.0079"));
    assert_eq!(p.message(&n("+14155550100"), 3), m("0.0237"));
    assert_eq!(p.message(&n("+447441294198"), 2), m("0.08"));
    assert_eq!(p.message(&n("+14155550100"), 0), Money::ZERO);
}

#[test]
fn other_destinations_pay_the_us_rate() {
    let p = PriceList::from_json(r#"{"voice_per_minute": {"US": "0.05"}}"#).unwrap();
    assert_eq!(p.call(&n("+33142685300"), 60), m("0.05"));
    assert_eq!(p.message(&n("+33142685300"), 1), m("0.0079"));
    // A country of the inventory may be given its own rate.
    let p = PriceList::from_json(r#"{"voice_per_minute": {"DE": "0.03"}}"#).unwrap();
    assert_eq!(p.call(&n("+493012345678"), 60), m("0.03"));
    assert_eq!(p.call(&n("+33142685300"), 60), m("0.014"));
}

#[test]
fn json_overrides_only_what_it_names() {
    let p = PriceList::from_json(
        r#"{"currency": "EUR",
            "voice_per_minute": {"GB": "0.0300"},
            "sms_per_segment": {"ca": "0.0100"},
            "number_monthly": {"tollfree": "3"}}"#,
    )
    .unwrap();
    assert_eq!(p.currency(), "EUR");
    assert_eq!(p.voice_per_minute(Country::Gb), m("0.03"));
    assert_eq!(p.voice_per_minute(Country::Us), m("0.014"));
    assert_eq!(p.sms_per_segment(Country::Ca), m("0.01"));
    assert_eq!(p.sms_per_segment(Country::Us), m("0.0079"));
    assert_eq!(p.number(NumberType::TollFree), m("3"));
    assert_eq!(p.number(NumberType::Local), m("1.15"));
    assert_eq!(PriceList::from_json("{}").unwrap(), PriceList::default());
}

#[test]
fn json_errors() {
    for bad in [
        r#"{"voice_per_minute": {"US": 0.014}}"#,
        r#"{"voice_per_minute": {"CH": "0.014"}}"#,
        r#"{"number_monthly": {"shortcode": "1000"}}"#,
        r#"{"sms_per_segment": {"US": "-0.01"}}"#,
        r#"{"sms_per_segment": {"US": "0.0000001"}}"#,
        r#"{"currency": "usd"}"#,
        r#"{"currency": "DOLLARS"}"#,
        r#"{"fax_per_page": {}}"#,
        "null",
        "[1]",
        "",
    ] {
        let err = PriceList::from_json(bad).expect_err(bad);
        assert!(err.to_string().starts_with("invalid price list: "), "{err}");
    }
}
