use super::*;

fn n(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).unwrap()
}

fn code(r: Option<Refusal>) -> Option<u32> {
    r.map(|r| r.code)
}

const ORDINARY: &str = "+14155550100";

#[test]
fn valid_from_is_only_0006() {
    assert!(is_magic_valid_from(&n("+15005550006")));
    assert!(!is_magic_valid_from(&n("+15005550007")));
    assert!(!is_magic_valid_from(&n("+14155550006")));
    for ch in [Channel::Voice, Channel::Sms] {
        assert_eq!(check_from(&n("+15005550006"), ch), None);
    }
}

#[test]
fn from_refusals() {
    let f = |s, ch| code(check_from(&n(s), ch));
    assert_eq!(f("+15005550001", Channel::Sms), Some(21212));
    assert_eq!(f("+15005550001", Channel::Voice), Some(21212));
    assert_eq!(f("+15005550007", Channel::Sms), Some(21606));
    assert_eq!(f("+15005550007", Channel::Voice), Some(21210));
    assert_eq!(f("+15005550008", Channel::Sms), Some(21611));
    assert_eq!(f("+15005550008", Channel::Voice), None);
    for other in ["+15005550002", "+15005550009", ORDINARY, "+442079460018"] {
        assert_eq!(f(other, Channel::Sms), None, "{other}");
        assert_eq!(f(other, Channel::Voice), None, "{other}");
    }
}

#[test]
fn to_refusals_for_messages() {
    let t = |s| code(check_to(&n(s), Channel::Sms));
    assert_eq!(t("+15005550001"), Some(21211));
    assert_eq!(t("+15005550002"), Some(21612));
    assert_eq!(t("+15005550003"), Some(21408));
    assert_eq!(t("+15005550004"), Some(21610));
    assert_eq!(t("+15005550009"), Some(21614));
    for other in ["+15005550006", "+15005550000", ORDINARY] {
        assert_eq!(t(other), None, "{other}");
    }
}

#[test]
fn to_refusals_for_calls() {
    let t = |s| code(check_to(&n(s), Channel::Voice));
    assert_eq!(t("+15005550001"), Some(21217));
    assert_eq!(t("+15005550002"), Some(21214));
    assert_eq!(t("+15005550003"), Some(21215));
    assert_eq!(t("+15005550004"), Some(21216));
    assert_eq!(t("+15005550009"), None);
    assert_eq!(t(ORDINARY), None);
}

#[test]
fn magic_needs_the_whole_number() {
    // Same ending, different prefix: an ordinary number.
    assert_eq!(check_to(&n("+14155550001"), Channel::Sms), None);
    assert_eq!(check_from(&n("+15015550001"), Channel::Sms), None);
    assert_eq!(check_purchase(&n("+150055500001")), None);
}

#[test]
fn purchase_refusals() {
    assert_eq!(code(check_purchase(&n("+15005550000"))), Some(21422));
    assert_eq!(code(check_purchase(&n("+15005550001"))), Some(21421));
    assert_eq!(check_purchase(&n("+15005550006")), None);
    assert_eq!(check_purchase(&n(ORDINARY)), None);
}

#[test]
fn messages_name_the_number() {
    let all = [
        check_from(&n("+15005550001"), Channel::Sms),
        check_from(&n("+15005550007"), Channel::Sms),
        check_from(&n("+15005550007"), Channel::Voice),
        check_from(&n("+15005550008"), Channel::Sms),
        check_purchase(&n("+15005550000")),
        check_purchase(&n("+15005550001")),
    ];
    for r in all {
        let r = r.unwrap();
        assert!(r.message.contains("+1500555000"), "{r:?}");
    }
    for last in ["1", "2", "3", "4", "9"] {
        let s = format!("+1500555000{last}");
        for ch in [Channel::Sms, Channel::Voice] {
            if let Some(r) = check_to(&n(&s), ch) {
                assert!(r.message.contains(&s), "{r:?}");
            }
        }
    }
}
