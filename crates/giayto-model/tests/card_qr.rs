//! The chip card's printed QR.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use giayto_model::{
    cccd_expiry, parse_card_qr, CardExpiry, CardGeneration, CardQrError, CardQrPart, DocType,
    Document, FieldErrorKind,
};
use serde_json::{json, Value};
use time::macros::date;

const GOOD: &str = "001196012345|123456789|Trần Thị Mẫu|17051996|Nữ|Số 12 phố Mẫu, Hà Nội|10042021";

#[test]
fn valid_line() {
    let j = parse_card_qr(GOOD).unwrap();
    assert_eq!(
        j,
        json!({
            "card_generation": "cccd_2021",
            "id_number": "001196012345",
            "old_id_number": "123456789",
            "full_name": "Trần Thị Mẫu",
            "date_of_birth": "1996-05-17",
            "sex": "female",
            "nationality": "VNM",
            "place_of_residence": "Số 12 phố Mẫu, Hà Nội",
            "issue_date": "2021-04-10",
            "expiry_date": "2036-05-17"
        })
    );
    // With the place of origin added, it is valid issuance input.
    let mut input = j.clone();
    input["place_of_origin"] = json!("Lạng Sơn");
    Document::from_json(DocType::Cccd, &input).unwrap();
}

#[test]
fn empty_old_id_and_trailing_newline() {
    let line = "079205000001||Lê Văn Mẫu|02012005|Nam|Quận 1, TP Hồ Chí Minh|15032021\r\n";
    let j = parse_card_qr(line).unwrap();
    assert!(j.get("old_id_number").is_none());
    assert_eq!(j["sex"], "male");
    // Issued at 16: valid until 25.
    assert_eq!(j["expiry_date"], "2030-01-02");
}

#[test]
fn decomposed_text_is_normalised() {
    let line = "001196012345||Tra\u{302}\u{300}n Thi\u{323} Ma\u{302}\u{303}u|17051996|Nu\u{31b}\u{303}|Hà Nội|10042021";
    let j = parse_card_qr(line).unwrap();
    assert_eq!(j["full_name"], "Trần Thị Mẫu");
    assert_eq!(j["sex"], "female");
}

#[test]
fn malformed_lines() {
    let part =
        |p: CardQrPart, k: FieldErrorKind| Err(CardQrError::InvalidPart { part: p, kind: k });
    assert_eq!(parse_card_qr(""), Err(CardQrError::Empty));
    assert_eq!(parse_card_qr("  \n"), Err(CardQrError::Empty));
    assert_eq!(
        parse_card_qr(&"1".repeat(2000)),
        Err(CardQrError::TooLong { max: 1024 })
    );
    assert_eq!(
        parse_card_qr("001196012345|x"),
        Err(CardQrError::PartCount { found: 2 })
    );
    assert_eq!(
        parse_card_qr(&format!("{GOOD}|extra")),
        Err(CardQrError::PartCount { found: 8 })
    );
    let replace = |i: usize, s: &str| {
        let mut p: Vec<&str> = GOOD.split('|').collect();
        p[i] = s;
        p.join("|")
    };
    assert_eq!(
        parse_card_qr(&replace(0, "00119601234")),
        part(CardQrPart::IdNumber, FieldErrorKind::IdNumberFormat)
    );
    assert_eq!(
        parse_card_qr(&replace(0, "003196012345")),
        part(
            CardQrPart::IdNumber,
            FieldErrorKind::UnknownProvinceCode { code: 3 }
        )
    );
    assert_eq!(
        parse_card_qr(&replace(0, "001096012345")),
        part(
            CardQrPart::IdNumber,
            FieldErrorKind::IdNumberSexMismatch { digit: 0 }
        )
    );
    assert_eq!(
        parse_card_qr(&replace(0, "001197012345")),
        part(
            CardQrPart::IdNumber,
            FieldErrorKind::IdNumberYearMismatch {
                digits: 97,
                birth_year: 1996
            }
        )
    );
    assert_eq!(
        parse_card_qr(&replace(1, "1234")),
        part(CardQrPart::OldIdNumber, FieldErrorKind::OldIdNumberFormat)
    );
    assert_eq!(
        parse_card_qr(&replace(2, " ")),
        part(CardQrPart::FullName, FieldErrorKind::Empty)
    );
    assert_eq!(
        parse_card_qr(&replace(3, "31021996")),
        part(CardQrPart::DateOfBirth, FieldErrorKind::InvalidDate)
    );
    assert_eq!(
        parse_card_qr(&replace(3, "1996-05-17")),
        part(CardQrPart::DateOfBirth, FieldErrorKind::InvalidDate)
    );
    assert_eq!(
        parse_card_qr(&replace(4, "F")),
        part(CardQrPart::Sex, FieldErrorKind::InvalidSex)
    );
    assert_eq!(
        parse_card_qr(&replace(5, "")),
        part(CardQrPart::Address, FieldErrorKind::Empty)
    );
    assert_eq!(
        parse_card_qr(&replace(6, "29022021")),
        part(CardQrPart::IssueDate, FieldErrorKind::InvalidDate)
    );
    assert_eq!(
        parse_card_qr(&replace(6, "01011990")),
        part(
            CardQrPart::IssueDate,
            FieldErrorKind::DateOrder {
                other: "date_of_birth",
                strict: false
            }
        )
    );
    let e = parse_card_qr(&replace(4, "F")).unwrap_err();
    assert_eq!(e.code(), "invalid-part");
    assert_eq!(
        e.to_string(),
        "card QR part 5 (sex) must be \"male\" or \"female\""
    );
}

fn qr(dob: &str, issue: &str) -> Value {
    // Born in the 1900s, female: 4th digit 1.
    let yy = &dob[6..8];
    let line = format!("0011{yy}012345||Trần Thị Mẫu|{dob}|Nữ|Hà Nội|{issue}");
    parse_card_qr(&line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

#[test]
fn expiry_rule_boundaries_2021() {
    // Born 17/05/1980: 23 on 17/05/2003, 25 on 17/05/2005, 38 on 2018, 40 on 2020, 58 on 2038.
    // Cards before 2024-07-01 are 2021 cards. Issued the day before 23: until 25.
    assert_eq!(qr("17051980", "16052003")["expiry_date"], "2005-05-17");
    // Issued on the 23rd birthday: within two years before 25, so until 40.
    assert_eq!(qr("17051980", "17052003")["expiry_date"], "2020-05-17");
    assert_eq!(qr("17051980", "16052018")["expiry_date"], "2020-05-17");
    assert_eq!(qr("17051980", "17052018")["expiry_date"], "2040-05-17");
    // Born 17/05/1960: 58 on 17/05/2018.
    assert_eq!(qr("17051960", "16052018")["expiry_date"], "2020-05-17");
    assert_eq!(qr("17051960", "17052018")["expiry_date"], Value::Null);
    assert_eq!(qr("17051960", "17052018")["card_generation"], "cccd_2021");
}

#[test]
fn expiry_rule_2024_cards() {
    // From 1 July 2024 cards are căn cước cards with renewal at 14 as well.
    let j = qr("01011999", "01072024");
    assert_eq!(j["card_generation"], "can_cuoc_2024");
    assert_eq!(j["expiry_date"], "2039-01-01");
    assert_eq!(qr("01011999", "30062024")["card_generation"], "cccd_2021");
    let g = CardGeneration::CanCuoc2024;
    let dob = date!(2015 - 03 - 10);
    // Issued at 9: until 14. At 12 (two years before 14): until 25.
    assert_eq!(
        cccd_expiry(g, dob, date!(2024 - 08 - 01)),
        CardExpiry::Until(date!(2029 - 03 - 10))
    );
    assert_eq!(
        cccd_expiry(g, dob, date!(2027 - 03 - 09)),
        CardExpiry::Until(date!(2029 - 03 - 10))
    );
    assert_eq!(
        cccd_expiry(g, dob, date!(2027 - 03 - 10)),
        CardExpiry::Until(date!(2040 - 03 - 10))
    );
    // The 2021 card has no renewal at 14.
    assert_eq!(
        cccd_expiry(CardGeneration::Cccd2021, dob, date!(2029 - 03 - 10)),
        CardExpiry::Until(date!(2040 - 03 - 10))
    );
    // 58 and later: no expiry, for both generations.
    let old = date!(1966 - 09 - 02);
    assert_eq!(
        cccd_expiry(g, old, date!(2024 - 09 - 02)),
        CardExpiry::NoExpiry
    );
    assert_eq!(
        cccd_expiry(g, old, date!(2024 - 09 - 01)),
        CardExpiry::Until(date!(2026 - 09 - 02))
    );
    assert_eq!(CardExpiry::NoExpiry.date(), None);
    // 29 February birthdays expire on 28 February in a common year.
    assert_eq!(
        cccd_expiry(
            CardGeneration::Cccd2021,
            date!(2004 - 02 - 29),
            date!(2021 - 01 - 01)
        ),
        CardExpiry::Until(date!(2029 - 02 - 28))
    );
}
