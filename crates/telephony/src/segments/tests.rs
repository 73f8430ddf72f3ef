use super::*;

fn seg(body: &str) -> (Encoding, u32, u32) {
    let s = count_segments(body);
    (s.encoding, s.count, s.units)
}

use Encoding::{Gsm7, Ucs2};

#[test]
fn empty_is_one_segment() {
    assert_eq!(seg(""), (Gsm7, 1, 0));
}

#[test]
fn gsm_single_and_multipart_boundaries() {
    assert_eq!(seg(&"a".repeat(160)), (Gsm7, 1, 160));
    assert_eq!(seg(&"a".repeat(161)), (Gsm7, 2, 161));
    assert_eq!(seg(&"a".repeat(306)), (Gsm7, 2, 306));
    assert_eq!(seg(&"a".repeat(307)), (Gsm7, 3, 307));
    assert_eq!(seg(&"a".repeat(459)), (Gsm7, 3, 459));
    assert_eq!(seg(&"a".repeat(460)), (Gsm7, 4, 460));
}

#[test]
fn extension_characters_count_two() {
    assert_eq!(seg(&"€".repeat(80)), (Gsm7, 1, 160));
    assert_eq!(seg(&"€".repeat(81)), (Gsm7, 2, 162));
    for c in ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\u{0C}'] {
        assert_eq!(seg(&c.to_string()), (Gsm7, 1, 2), "{c:?}");
    }
}

#[test]
fn escape_pairs_are_not_split() {
    // 152 septets then '€': 154 does not fit the first part's 153, so '€' moves
    // whole to the second part; then 152 more 'a' fit beside it (2 + 151 = 153)
    // and one more needs a third part.
    let body = format!("{}€{}", "a".repeat(152), "a".repeat(151));
    assert_eq!(seg(&body), (Gsm7, 2, 305));
    let body = format!("{}€{}", "a".repeat(152), "a".repeat(152));
    assert_eq!(seg(&body), (Gsm7, 3, 306));
    // Without the split rule 306 septets would fit in two parts.
    assert_eq!(seg(&"a".repeat(306)).1, 2);
}

#[test]
fn accented_letters_in_the_gsm_table_stay_gsm() {
    assert_eq!(seg("café"), (Gsm7, 1, 4));
    assert_eq!(seg("Ça va? ¿Qué? Ñandu àèìòù ÄÖÜß"), (Gsm7, 1, 29));
    assert_eq!(seg("ΔΦΓΛΩΠΨΣΘΞ"), (Gsm7, 1, 10));
    assert_eq!(seg("line\nbreak\r"), (Gsm7, 1, 11));
}

#[test]
fn characters_outside_gsm_switch_to_ucs2() {
    // 'Ç' is in the basic table, 'ç' is not.
    assert_eq!(seg("Ç"), (Gsm7, 1, 1));
    assert_eq!(seg("ç"), (Ucs2, 1, 1));
    assert_eq!(seg("garçon"), (Ucs2, 1, 6));
    assert_eq!(seg("á"), (Ucs2, 1, 1));
    assert_eq!(seg("`"), (Ucs2, 1, 1));
    assert_eq!(seg("\t"), (Ucs2, 1, 1));
}

#[test]
fn ucs2_counts_utf16_units() {
    assert_eq!(seg("👋"), (Ucs2, 1, 2));
    assert_eq!(seg(&"ж".repeat(70)), (Ucs2, 1, 70));
    assert_eq!(seg(&"ж".repeat(71)), (Ucs2, 2, 71));
    assert_eq!(seg(&"ж".repeat(134)), (Ucs2, 2, 134));
    assert_eq!(seg(&"ж".repeat(135)), (Ucs2, 3, 135));
    assert_eq!(seg(&"👋".repeat(35)), (Ucs2, 1, 70));
    assert_eq!(seg(&"👋".repeat(36)), (Ucs2, 2, 72));
}

#[test]
fn extension_characters_in_ucs2_are_one_unit() {
    // Once the message is UCS-2 there is no escape: '€' is one UTF-16 unit.
    assert_eq!(seg("€ç"), (Ucs2, 1, 2));
}

#[test]
fn surrogate_pairs_are_not_split() {
    // 66 units then an emoji: 68 does not fit in 67, the emoji opens part two.
    let body = format!("{}👋{}", "ж".repeat(66), "ж".repeat(65));
    assert_eq!(seg(&body), (Ucs2, 2, 133));
    let body = format!("{}👋{}", "ж".repeat(66), "ж".repeat(66));
    assert_eq!(seg(&body), (Ucs2, 3, 134));
    // 33 emoji fill 66 units of a part; the 34th goes whole to the next part.
    assert_eq!(seg(&"👋".repeat(67)), (Ucs2, 3, 134));
}

#[test]
fn real_texts() {
    let reminder = "Hi Sam, your appointment with Dr. Patel is tomorrow at 9:30am. Reply C to confirm or R to reschedule. Questions? Call us at (415) 555-0100.";
    assert_eq!(seg(reminder).0, Gsm7);
    assert_eq!(seg(reminder).1, 1);
    let code = "Your Switchboard verification code is 482913. It expires in 10 minutes. Don't share it with anyone.";
    assert_eq!(seg(code), (Gsm7, 1, 99));
    assert_eq!(seg("Ñandú").0, Ucs2); // 'ù' is GSM, 'ú' is not
    let curly = "Don’t forget!"; // typographic apostrophe is not GSM
    assert_eq!(seg(curly), (Ucs2, 1, 13));
    let greeting = "Bonjour! Merci pour votre commande 👋 Elle arrive demain.";
    assert_eq!(seg(greeting).0, Ucs2);
    assert_eq!(seg(greeting).2, greeting.encode_utf16().count() as u32);
}

#[test]
fn encoding_display() {
    assert_eq!(Gsm7.to_string(), "GSM-7");
    assert_eq!(Ucs2.to_string(), "UCS-2");
}
