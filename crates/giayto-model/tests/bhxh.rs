//! The social insurance book (doc_type 5, docs/format.md §4.6): every rule, positive and
//! negative, names its field and code; JSON and CBOR agree.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{cbor_set, err, keys, ok, with};
use giayto_model::{
    sample_input, Bhxh, DocType, Document, FieldErrorKind, ParticipationStatus, SAMPLE_ID_NUMBER,
};
use serde_json::{json, Value};
use time::macros::date;

const X: DocType = DocType::Bhxh;

fn set(k: &str, v: Value) -> Value {
    with(X, &[(k, Some(v))])
}

fn is_err(input: Value, field: &str, code: &str) {
    assert_eq!(err(X, &input), (field.to_owned(), code), "{input}");
}

fn book(input: &Value) -> Bhxh {
    match ok(X, input) {
        Document::Bhxh(b) => b,
        other => panic!("not a book: {other:?}"),
    }
}

#[test]
fn the_sample_reads_as_a_book() {
    let b = book(&sample_input(X));
    assert_eq!(b.social_insurance_number, "0123456789");
    assert_eq!(b.id_number, SAMPLE_ID_NUMBER);
    assert_eq!(b.office_code, "01-001");
    assert_eq!(b.months_paid, 88);
    assert_eq!(b.participation_status, ParticipationStatus::Contributing);
    assert_eq!(b.summary_date, date!(2025 - 12 - 31));
    let doc = Document::Bhxh(b);
    assert_eq!(doc.doc_type().code(), 5);
    assert_eq!(doc.schema_version(), 1);
    assert_eq!(doc.expiry_date(), None, "a book does not expire");
    assert_eq!(doc.holder_date_of_birth(), Some(date!(1996 - 05 - 17)));
    assert_eq!(keys(&doc.to_cbor()), (1..=12).collect::<Vec<u64>>());
}

#[test]
fn every_field_is_required() {
    for (_, name) in X.field_keys() {
        is_err(with(X, &[(name, None)]), name, "missing");
        is_err(set(name, Value::Null), name, "missing");
    }
}

#[test]
fn social_insurance_number() {
    // White space around it is trimmed; the stored form is the 10 digits.
    assert_eq!(
        book(&set("social_insurance_number", json!(" 7912345678 "))).social_insurance_number,
        "7912345678"
    );
    for bad in [
        "012345678",
        "01234567890",
        "01234 56789",
        "DN4790123456789",
        "012345678a",
    ] {
        is_err(
            set("social_insurance_number", json!(bad)),
            "social_insurance_number",
            "social-insurance-number-format",
        );
    }
    is_err(
        set("social_insurance_number", json!(123)),
        "social_insurance_number",
        "wrong-type",
    );
}

#[test]
fn id_number_is_checked_against_birth_and_sex() {
    is_err(
        set("id_number", json!("001096012345")),
        "id_number",
        "id-number-sex-mismatch",
    );
    is_err(
        set("id_number", json!("001197012345")),
        "id_number",
        "id-number-year-mismatch",
    );
    is_err(
        set("id_number", json!("000196012345")),
        "id_number",
        "unknown-province-code",
    );
    ok(X, &set("id_number", json!("079196999999")));
}

#[test]
fn office_code() {
    assert_eq!(
        book(&set("office_code", json!("79024"))).office_code,
        "79-024"
    );
    for bad in ["03-001", "1-001", "01-0011", "ab-cde", "01_001"] {
        is_err(
            set("office_code", json!(bad)),
            "office_code",
            "office-code-format",
        );
    }
    is_err(set("office_name", json!("  ")), "office_name", "empty");
    is_err(
        set("office_name", json!("x".repeat(201))),
        "office_name",
        "too-long",
    );
}

#[test]
fn participation_status() {
    for (token, want) in [
        ("contributing", ParticipationStatus::Contributing),
        ("PAUSED", ParticipationStatus::Paused),
        ("receiving_pension", ParticipationStatus::ReceivingPension),
    ] {
        assert_eq!(
            book(&set("participation_status", json!(token))).participation_status,
            want
        );
    }
    for bad in ["retired", "", "1"] {
        is_err(
            set("participation_status", json!(bad)),
            "participation_status",
            "invalid-participation-status",
        );
    }
}

#[test]
fn dates_in_order() {
    is_err(
        set("issue_date", json!("1996-05-16")),
        "issue_date",
        "date-order",
    );
    is_err(
        set("first_insured_date", json!("1996-05-17")),
        "first_insured_date",
        "date-order",
    );
    is_err(
        set("summary_date", json!("2018-06-30")),
        "summary_date",
        "date-order",
    );
    is_err(
        set("summary_date", json!("2025-02-29")),
        "summary_date",
        "invalid-date",
    );
    // The summary may be dated the day of first insurance (nothing paid yet).
    ok(
        X,
        &with(
            X,
            &[
                ("summary_date", Some(json!("2018-07-01"))),
                ("months_paid", Some(json!(0))),
            ],
        ),
    );
}

#[test]
fn months_paid_fit_the_period() {
    // July 2018 to December 2025: 90 months, both ends counted.
    ok(X, &set("months_paid", json!(90)));
    let e = Document::from_json(X, &set("months_paid", json!(91))).unwrap_err();
    assert_eq!(e.field, "months_paid");
    assert_eq!(e.kind, FieldErrorKind::MonthsPaidExceedPeriod { max: 90 });
    assert!(e.to_string().contains("90 months"), "{e}");
    is_err(
        set("months_paid", json!(1201)),
        "months_paid",
        "out-of-range",
    );
    is_err(set("months_paid", json!(-1)), "months_paid", "wrong-type");
    is_err(set("months_paid", json!("88")), "months_paid", "wrong-type");
}

#[test]
fn summary_no_later_than_the_signing_day() {
    let doc = ok(X, &sample_input(X));
    assert_eq!(doc.check_signed_on(date!(2025 - 12 - 31)), Ok(()));
    let e = doc.check_signed_on(date!(2025 - 12 - 30)).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.kind.code()),
        ("summary_date", "after-issuance")
    );
    // Other types have no such rule.
    let cccd = ok(DocType::Cccd, &sample_input(DocType::Cccd));
    assert_eq!(cccd.check_signed_on(date!(1990 - 01 - 01)), Ok(()));
}

#[test]
fn cbor_codes_and_canonical_form() {
    let doc = ok(X, &set("participation_status", json!("receiving_pension")));
    let cbor = doc.to_cbor();
    let ciborium::Value::Map(m) = &cbor else {
        panic!()
    };
    assert_eq!(m[10].1, ciborium::Value::Integer(3.into()));
    assert_eq!(Document::from_cbor(X, &cbor).unwrap(), doc);
    // Status code 4 does not exist.
    let bad = cbor_set(&cbor, 11, Some(ciborium::Value::Integer(4.into())));
    let e = Document::from_cbor(X, &bad).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.kind.code()),
        ("participation_status", "invalid-participation-status")
    );
    // The office code must be stored canonically.
    let loose = cbor_set(&cbor, 6, Some(ciborium::Value::Text("01001".into())));
    let e = Document::from_cbor(X, &loose).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.kind.code()),
        ("office_code", "not-canonical")
    );
    // A key of a later schema is carried, not refused.
    let later = cbor_set(&cbor, 13, Some(ciborium::Value::Text("later".into())));
    let carried = Document::from_cbor(X, &later).unwrap();
    assert_eq!(carried.unknown_fields().len(), 1);
    assert_eq!(carried.to_cbor(), later);
}

#[test]
fn display_in_book_order() {
    let doc = ok(X, &sample_input(X));
    let rows = doc.display_fields();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    let keys: Vec<&str> = X.field_keys().into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, keys);
    assert!(rows.contains(&("summary_date".into(), "31/12/2025".into())));
    assert!(rows.contains(&("participation_status".into(), "contributing".into())));
    assert!(rows.contains(&("months_paid".into(), "88".into())));
}
