use std::collections::HashSet;

use super::*;

fn n(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).unwrap()
}

fn take(s: &Search, k: usize) -> Vec<AvailableNumber> {
    search(s).take(k).collect()
}

fn local(country: Country) -> Search {
    Search::new(country, NumberType::Local)
}

#[test]
fn country_and_type_names() {
    assert_eq!(Country::parse("us"), Some(Country::Us));
    assert_eq!(Country::parse("Ca"), Some(Country::Ca));
    assert_eq!(Country::parse("GB"), Some(Country::Gb));
    assert_eq!(Country::parse("UK"), None);
    assert_eq!(Country::parse(""), None);
    for c in Country::all() {
        assert_eq!(Country::parse(c.iso()), Some(c));
        assert_eq!(c.to_string(), c.iso());
    }
    for t in NumberType::all() {
        assert_eq!(NumberType::parse(t.as_str()), Ok(t));
        assert_eq!(NumberType::parse_path_segment(t.path_segment()), Some(t));
    }
    assert_eq!(NumberType::TollFree.as_str(), "tollfree");
    assert_eq!(NumberType::TollFree.path_segment(), "TollFree");
    assert_eq!(NumberType::parse_path_segment("tollfree"), None);
    assert_eq!(serde_json::to_string(&Country::Gb).unwrap(), "\"GB\"");
    assert_eq!(
        serde_json::from_str::<Country>("\"gb\"").unwrap(),
        Country::Gb
    );
    assert_eq!(Country::parse("fr"), Some(Country::Fr));
    assert!(serde_json::from_str::<Country>("\"CH\"").is_err());
}

#[test]
fn the_country_table_follows_the_enum() {
    let all = Country::all();
    assert_eq!(all.len(), 14);
    for (i, c) in all.into_iter().enumerate() {
        assert_eq!(c as usize, i, "{c}");
        assert_eq!(Country::parse(c.iso()), Some(c));
        assert!(!c.name().is_empty());
        // libphonenumber agrees on the calling code.
        let meta = phonenumber::metadata::DATABASE.by_id(c.iso()).unwrap();
        assert_eq!(meta.country_code().to_string(), c.dial_code(), "{c}");
    }
    let names: HashSet<_> = all.iter().map(|c| c.name()).collect();
    assert_eq!(names.len(), all.len());
}

#[test]
fn same_search_same_numbers() {
    let first = take(&local(Country::Us), 50);
    let again = take(&local(Country::Us), 50);
    assert_eq!(first, again);
    assert_eq!(first.len(), 50);
}

#[test]
fn pins_the_inventory_so_it_cannot_drift_between_releases() {
    // Purchases and users' notes refer to these numbers: a changed generator would
    // silently change what every installation sells.
    let us: Vec<String> = take(&local(Country::Us), 3)
        .into_iter()
        .map(|a| a.phone_number.to_string())
        .collect();
    assert_eq!(us, ["+14156608314", "+12125295081", "+15127356788"]);
    let gb_mobile = take(&Search::new(Country::Gb, NumberType::Mobile), 1).remove(0);
    assert_eq!(gb_mobile.phone_number.as_str(), "+447441294198");
}

#[test]
fn first_page_interleaves_localities() {
    let page = take(&local(Country::Us), 8);
    let localities: HashSet<_> = page.iter().map(|a| a.locality.clone().unwrap()).collect();
    assert_eq!(localities.len(), 8);
}

#[test]
fn numbers_are_distinct_and_well_formed() {
    for c in Country::all() {
        for t in NumberType::all() {
            let all: Vec<_> = search(&Search::new(c, t)).take(20_000).collect();
            let distinct: HashSet<_> = all.iter().map(|a| a.phone_number.clone()).collect();
            assert_eq!(distinct.len(), all.len(), "{c} {t}");
            for a in &all {
                assert_eq!(a.iso_country, c);
                assert_eq!(a.number_type, t);
                assert_eq!(
                    PhoneNumber::parse(a.phone_number.as_str()).unwrap(),
                    a.phone_number
                );
                assert!(
                    a.phone_number
                        .as_str()
                        .starts_with(&format!("+{}", c.dial_code()))
                );
                assert_eq!(a.friendly_name, a.phone_number.formatted());
                let offer = blocks::offer(c, t).unwrap();
                assert_eq!(a.address_requirements, offer.address_requirements);
                assert_eq!(a.capabilities, offer.capabilities);
                // The US and Canada share toll-free codes: by the number
                // alone, such a number is the US's.
                let country = match (c, t) {
                    (Country::Ca, NumberType::TollFree) => Country::Us,
                    _ => c,
                };
                assert_eq!(
                    a.phone_number.country(),
                    Some(country),
                    "{}",
                    a.phone_number
                );
                assert!(!a.phone_number.as_str().starts_with("+1500"));
            }
        }
    }
}

#[test]
fn every_block_is_finite() {
    let per_locality = search(&{
        let mut s = local(Country::Us);
        s.area_code = Some("415".into());
        s
    })
    .count();
    assert_eq!(per_locality, PER_BLOCK as usize);
}

#[test]
fn each_country_sells_the_types_it_offers() {
    use NumberType::{Local, MachineToMachine, Mobile, National, SharedCost, TollFree, Voip};
    let types = |c| types_in(c);
    assert_eq!(types(Country::Us), [Local, TollFree]);
    assert_eq!(types(Country::Ca), [Local, TollFree]);
    assert_eq!(
        types(Country::Gb),
        [Local, TollFree, Mobile, National, Voip]
    );
    assert_eq!(types(Country::Au), [Local, TollFree, Mobile, SharedCost]);
    assert_eq!(types(Country::De), [Local, TollFree, Mobile, National]);
    assert_eq!(
        types(Country::Fr),
        [Local, TollFree, Mobile, National, SharedCost, Voip]
    );
    assert_eq!(
        types(Country::Nl),
        [Local, TollFree, Mobile, National, Voip, MachineToMachine]
    );
    assert_eq!(types(Country::Br), [Local, TollFree]);
    assert_eq!(types(Country::Jp), [Local, TollFree, National]);
    // Every country sells local and toll-free numbers; every type is sold
    // somewhere; a type a country lacks finds nothing.
    for c in Country::all() {
        assert_eq!(types(c)[..2], [Local, TollFree], "{c}");
        for t in NumberType::all() {
            let found = search(&Search::new(c, t)).next().is_some();
            assert_eq!(found, types(c).contains(&t), "{c} {t}");
        }
    }
    for t in NumberType::all() {
        assert!(
            Country::all().into_iter().any(|c| types(c).contains(&t)),
            "{t}"
        );
    }
    assert_eq!(
        search(&Search::new(Country::Us, NumberType::Mobile)).count(),
        0
    );
    let gb = take(&Search::new(Country::Gb, NumberType::Mobile), 5);
    assert_eq!(gb.len(), 5);
    assert!(
        gb.iter()
            .all(|a| a.phone_number.as_str().starts_with("+447"))
    );
}

/// The libphonenumber type of every number a country's block of a type
/// offers: what Google's metadata says such numbers are.
fn libphonenumber_types(c: Country, t: NumberType) -> &'static [phonenumber::Type] {
    use phonenumber::Type as P;
    match (c, t) {
        // The North American plan cannot tell landlines from mobiles, nor
        // can Mexico's.
        (_, NumberType::Local) => &[P::FixedLine, P::FixedLineOrMobile],
        (_, NumberType::TollFree) => &[P::TollFree],
        (_, NumberType::Mobile) => &[P::Mobile],
        (_, NumberType::SharedCost) => &[P::SharedCost],
        (_, NumberType::Voip) => &[P::Voip],
        // Germany's 032 is a landline range of no place; Japan's 050 is
        // over IP; the others are "universal access" numbers.
        (Country::De, NumberType::National) => &[P::FixedLine],
        (Country::Jp, NumberType::National) => &[P::Voip],
        (_, NumberType::National) => &[P::Uan],
        // The Netherlands' 097 is part of its mobile plan.
        (_, NumberType::MachineToMachine) => &[P::Mobile],
    }
}

/// libphonenumber's type of a parsed number of `country`, from the
/// country's metadata, its patterns tried in libphonenumber's order. (The
/// crate's own `number_type` and `metadata` drop the leading zero Italian
/// numbers keep, and so find neither their region nor their type.)
fn kind_of(parsed: &phonenumber::PhoneNumber, country: Country) -> phonenumber::Type {
    use phonenumber::Type as P;
    use phonenumber::metadata::Descriptor;
    let Some(meta) = phonenumber::metadata::DATABASE.by_id(country.iso()) else {
        return P::Unknown;
    };
    let national = parsed.national().to_string();
    let d = meta.descriptors();
    let is = |desc: Option<&Descriptor>| desc.is_some_and(|x| x.is_match(&national));
    if !d.general().is_match(&national) {
        return P::Unknown;
    }
    let special = [
        (d.premium_rate(), P::PremiumRate),
        (d.toll_free(), P::TollFree),
        (d.shared_cost(), P::SharedCost),
        (d.voip(), P::Voip),
        (d.personal_number(), P::PersonalNumber),
        (d.pager(), P::Pager),
        (d.uan(), P::Uan),
        (d.voicemail(), P::Voicemail),
    ];
    if let Some((_, kind)) = special.into_iter().find(|(desc, _)| is(*desc)) {
        return kind;
    }
    match (is(d.fixed_line()), is(d.mobile())) {
        (true, true) => P::FixedLineOrMobile,
        (true, false) => P::FixedLine,
        (false, true) => P::Mobile,
        (false, false) => P::Unknown,
    }
}

#[test]
fn every_number_offered_is_valid_for_libphonenumber() {
    let mut checked = 0;
    for block in BLOCKS.iter() {
        let want = libphonenumber_types(block.country, block.number_type);
        // A sample of each block (all of them would take long unoptimised).
        for i in (0..PER_BLOCK).step_by(97) {
            let number = format!("+{}", block.digits(i));
            let parsed = phonenumber::parse(None, &number).unwrap();
            assert!(parsed.is_valid(), "{number} ({})", block.country);
            // Of the block's type in the block's country's own plan.
            let kind = kind_of(&parsed, block.country);
            assert!(
                want.contains(&kind),
                "{number}: {kind:?}, not {want:?} ({} {})",
                block.country,
                block.number_type
            );
            checked += 1;
        }
    }
    assert!(checked > 10_000, "{checked}");
}

#[test]
fn new_countries_pin_their_first_numbers() {
    let first = |c, t| take(&Search::new(c, t), 1).remove(0);
    let de = first(Country::De, NumberType::Local);
    assert!(de.phone_number.as_str().starts_with("+4930"), "{de:?}");
    assert_eq!(de.locality.as_deref(), Some("Berlin"));
    assert_eq!(de.region.as_deref(), Some("BE"));
    assert_eq!(de.address_requirements, AddressRequirement::Local);
    assert_eq!(de.friendly_name, de.phone_number.as_str());
    let m2m = first(Country::Nl, NumberType::MachineToMachine);
    assert!(m2m.phone_number.as_str().starts_with("+31970"));
    assert_eq!(m2m.phone_number.digits().len(), 13);
    assert_eq!(
        m2m.capabilities,
        Capabilities {
            voice: false,
            sms: true,
            mms: false,
            fax: false
        }
    );
    let jp = first(Country::Jp, NumberType::National);
    assert!(jp.phone_number.as_str().starts_with("+8150"));
    assert_eq!(jp.locality, None);
    let it = first(Country::It, NumberType::Local);
    // Italy keeps the trunk 0 after its calling code.
    assert!(it.phone_number.as_str().starts_with("+3902"), "{it:?}");
}

#[test]
fn address_exclusions_leave_out_what_they_name() {
    let mut s = local(Country::De);
    assert!(search(&s).next().is_some());
    s.exclude_local_address_required = true;
    assert_eq!(search(&s).count(), 0);
    // German mobiles need an address anywhere: not a local one.
    let mut s = Search::new(Country::De, NumberType::Mobile);
    s.exclude_local_address_required = true;
    s.exclude_foreign_address_required = true;
    assert!(search(&s).next().is_some());
    s.exclude_all_address_required = true;
    assert_eq!(search(&s).count(), 0);
    // Numbers that need none stay.
    let mut s = local(Country::Us);
    s.exclude_all_address_required = true;
    assert!(search(&s).next().is_some());
}

#[test]
fn locality_filters_compare_without_case() {
    let mut s = local(Country::Fr);
    s.in_locality = Some("lyon".into());
    let page = take(&s, 5);
    assert_eq!(page.len(), 5);
    assert!(page.iter().all(|a| a.locality.as_deref() == Some("Lyon")));
    let mut s = local(Country::Us);
    s.in_postal_code = Some("10007".into());
    assert!(
        take(&s, 3)
            .iter()
            .all(|a| a.locality.as_deref() == Some("New York"))
    );
    s.in_postal_code = None;
    s.in_lata = Some("722".into());
    assert!(
        take(&s, 3)
            .iter()
            .all(|a| a.region.as_deref() == Some("CA"))
    );
    s.in_lata = None;
    s.in_rate_center = Some("Austin".into());
    assert_eq!(take(&s, 1)[0].locality.as_deref(), Some("Austin"));
    // Toll-free numbers have no locality, and nothing has fax.
    let mut tf = Search::new(Country::Us, NumberType::TollFree);
    tf.in_locality = Some("Austin".into());
    assert_eq!(search(&tf).count(), 0);
    let mut s = local(Country::Us);
    s.fax_enabled = Some(true);
    assert_eq!(search(&s).count(), 0);
    s.fax_enabled = Some(false);
    assert!(search(&s).next().is_some());
}

#[test]
fn capabilities_by_country_and_type() {
    let caps = |c, t| take(&Search::new(c, t), 1)[0].capabilities;
    let of = |voice, sms, mms| Capabilities {
        voice,
        sms,
        mms,
        fax: false,
    };
    let (all3, voice_sms, voice) = (
        of(true, true, true),
        of(true, true, false),
        of(true, false, false),
    );
    assert_eq!(caps(Country::Us, NumberType::Local), all3);
    assert_eq!(caps(Country::Ca, NumberType::Local), all3);
    assert_eq!(caps(Country::Us, NumberType::TollFree), voice_sms);
    assert_eq!(caps(Country::Ca, NumberType::TollFree), voice_sms);
    assert_eq!(caps(Country::Gb, NumberType::TollFree), voice_sms);
    assert_eq!(caps(Country::Gb, NumberType::Local), voice);
    assert_eq!(caps(Country::Gb, NumberType::Mobile), voice_sms);
    assert_eq!(caps(Country::De, NumberType::Local), voice);
    assert_eq!(caps(Country::De, NumberType::Mobile), voice_sms);
    assert_eq!(caps(Country::Mx, NumberType::Local), voice_sms);
    assert_eq!(caps(Country::Fr, NumberType::Voip), voice);
    assert_eq!(
        caps(Country::Nl, NumberType::MachineToMachine),
        of(false, true, false)
    );
}

#[test]
fn capability_filters_require_equality() {
    let mut s = local(Country::Gb);
    s.sms_enabled = Some(true);
    assert_eq!(search(&s).count(), 0);
    s.sms_enabled = Some(false);
    s.voice_enabled = Some(true);
    assert!(search(&s).next().is_some());
    let mut s = local(Country::Us);
    s.mms_enabled = Some(true);
    assert!(search(&s).next().is_some());
    s.mms_enabled = Some(false);
    assert_eq!(search(&s).count(), 0);
}

#[test]
fn area_code_filter() {
    let mut s = local(Country::Us);
    s.area_code = Some("212".into());
    let page = take(&s, 30);
    assert_eq!(page.len(), 30);
    for a in &page {
        assert!(a.phone_number.as_str().starts_with("+1212"));
        assert_eq!(a.locality.as_deref(), Some("New York"));
        assert_eq!(a.region.as_deref(), Some("NY"));
        assert_eq!(a.lata.as_deref(), Some("132"));
        assert_eq!(a.rate_center.as_deref(), Some("NWYRCYZN01"));
        assert_eq!(a.postal_code.as_deref(), Some("10007"));
        assert_eq!(a.latitude.as_deref(), Some("40.712800"));
        assert_eq!(a.longitude.as_deref(), Some("-74.006000"));
    }
    // A Canadian area code in a US search, or one nobody sells, finds nothing.
    s.area_code = Some("416".into());
    assert_eq!(search(&s).count(), 0);
    s.area_code = Some("999".into());
    assert_eq!(search(&s).count(), 0);

    let mut tf = Search::new(Country::Us, NumberType::TollFree);
    tf.area_code = Some("888".into());
    let a = take(&tf, 1).remove(0);
    assert!(a.phone_number.as_str().starts_with("+1888"));
    assert_eq!(a.locality, None);
    assert_eq!(a.region, None);
    assert_eq!(a.lata, None);
}

#[test]
fn in_region_filter_ignores_case() {
    let mut s = local(Country::Ca);
    s.in_region = Some("on".into());
    let page = take(&s, 10);
    assert_eq!(page.len(), 10);
    let places: HashSet<_> = page.iter().map(|a| a.locality.clone().unwrap()).collect();
    assert_eq!(
        places,
        HashSet::from(["Toronto".to_owned(), "Ottawa".to_owned()])
    );
    assert!(page.iter().all(|a| a.region.as_deref() == Some("ON")));
    s.in_region = Some("NY".into());
    assert_eq!(search(&s).count(), 0);
    // Toll-free numbers have no region.
    let mut tf = Search::new(Country::Us, NumberType::TollFree);
    tf.in_region = Some("CA".into());
    assert_eq!(search(&tf).count(), 0);
}

#[test]
fn contains_digits_wildcards_and_letters() {
    let mut s = local(Country::Us);
    s.contains = Some("42".into());
    let page = take(&s, 20);
    assert_eq!(page.len(), 20);
    assert!(page.iter().all(|a| a.phone_number.digits().contains("42")));

    s.contains = Some("+1415*******".into());
    let page = take(&s, 20);
    assert_eq!(page.len(), 20);
    assert!(
        page.iter()
            .all(|a| a.phone_number.as_str().starts_with("+1415"))
    );

    // Keypad: C=2, A=2, T=8.
    s.contains = Some("cat".into());
    let page = take(&s, 5);
    assert_eq!(page.len(), 5);
    assert!(page.iter().all(|a| a.phone_number.digits().contains("228")));
    s.contains = Some("CAT".into());
    assert_eq!(take(&s, 5), page);

    s.contains = Some("4#2".into());
    assert_eq!(search(&s).count(), 0);
    s.contains = Some("".into());
    assert!(search(&s).next().is_some());
}

#[test]
fn a_search_matching_nothing_ends() {
    // No US number has eight zeros in a row, so every one of the 80,000 local
    // numbers is generated and rejected: the slowest search there is. (How
    // fast it is belongs to the benchmark, not to a timed test that a busy
    // machine fails.)
    let mut s = local(Country::Us);
    s.contains = Some("00000000".into());
    assert_eq!(search(&s).count(), 0);

    // Filters that rule out every block end before scanning anything: no
    // block is admitted, or the pattern cannot match any number.
    let mut s = local(Country::Us);
    s.in_region = Some("ZZ".into());
    assert!(BLOCKS.iter().all(|b| !s.admits(b)));
    assert_eq!(search(&s).count(), 0);
    s.in_region = None;
    s.contains = Some("1234567890123456".into());
    assert!(!Pattern::parse(s.contains.as_deref()).can_match());
    assert_eq!(search(&s).count(), 0);
}

#[test]
fn lookup_finds_what_search_offers() {
    for c in Country::all() {
        for t in NumberType::all() {
            for a in search(&Search::new(c, t)).step_by(997).take(40) {
                assert_eq!(lookup(&a.phone_number), Some(a.clone()));
            }
        }
    }
}

#[test]
fn lookup_of_numbers_not_for_sale() {
    assert_eq!(lookup(&n("+14155550100")), None);
    assert_eq!(lookup(&n("+33142685300")), None);
    assert_eq!(lookup(&n("+15005550000")), None);
    assert_eq!(lookup(&n("+15005550001")), None);
    // In a block's range but beyond the numbers it offers.
    let offered: HashSet<_> = search(&{
        let mut s = local(Country::Us);
        s.area_code = Some("415".into());
        s
    })
    .map(|a| a.phone_number)
    .collect();
    let unoffered = (2_000_000..2_100_000)
        .map(|sub| n(&format!("+1415{sub}")))
        .find(|p| !offered.contains(p))
        .unwrap();
    assert_eq!(lookup(&unoffered), None);
}

#[test]
fn lookup_of_the_magic_from() {
    let a = lookup(&n("+15005550006")).unwrap();
    assert_eq!(a.iso_country, Country::Us);
    assert_eq!(a.number_type, NumberType::Local);
    assert_eq!(a.friendly_name, "(500) 555-0006");
    assert_eq!(
        a.capabilities,
        Capabilities {
            voice: true,
            sms: true,
            mms: true,
            fax: true
        }
    );
}

#[test]
fn us_and_canadian_toll_free_do_not_overlap() {
    let us: HashSet<_> = search(&Search::new(Country::Us, NumberType::TollFree))
        .map(|a| a.phone_number)
        .collect();
    let ca: Vec<_> = search(&Search::new(Country::Ca, NumberType::TollFree)).collect();
    assert!(ca.iter().all(|a| !us.contains(&a.phone_number)));
    assert_eq!(
        lookup(&ca[0].phone_number).unwrap().iso_country,
        Country::Ca
    );
}

#[test]
fn first_for_area_code_skips_taken_numbers() {
    let first = first_for_area_code("604", |_| false).unwrap();
    assert_eq!(first.iso_country, Country::Ca);
    assert_eq!(first.locality.as_deref(), Some("Vancouver"));
    let taken = first.phone_number.clone();
    let second = first_for_area_code("604", |p| *p == taken).unwrap();
    assert_ne!(second.phone_number, taken);
    let mut s = local(Country::Ca);
    s.area_code = Some("604".into());
    let order: Vec<_> = take(&s, 2).into_iter().map(|a| a.phone_number).collect();
    assert_eq!(order, vec![first.phone_number, second.phone_number]);

    assert_eq!(
        first_for_area_code("212", |_| false).unwrap().iso_country,
        Country::Us
    );
    assert_eq!(first_for_area_code("999", |_| false), None);
    assert_eq!(first_for_area_code("20", |_| false), None);
    assert_eq!(first_for_area_code("415", |_| true), None);
}
