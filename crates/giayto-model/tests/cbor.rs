//! Decoding the credential `fields` map: strict canonical form, unknown keys kept.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use ciborium::Value as Cbor;
use common::{cbor_set, keys};
use giayto_model::{sample_input, DocType, Document};

fn sample_cbor(t: DocType) -> Cbor {
    Document::from_json(t, &sample_input(t)).unwrap().to_cbor()
}

fn decode_err(t: DocType, v: &Cbor) -> (String, &'static str) {
    let e = Document::from_cbor(t, v).unwrap_err();
    (e.field, e.kind.code())
}

fn int(n: i64) -> Cbor {
    Cbor::Integer(n.into())
}

fn text(s: &str) -> Cbor {
    Cbor::Text(s.into())
}

#[test]
fn unknown_keys_are_kept_shown_and_reemitted() {
    for t in DocType::ALL {
        let base = sample_cbor(t);
        let v = cbor_set(&base, 40, Some(text("mới")));
        let v = cbor_set(&v, 1000, Some(Cbor::Bytes(vec![1, 2])));
        let doc = Document::from_cbor(t, &v).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(doc.unknown_fields().len(), 2);
        assert_eq!(doc.unknown_fields().get(&40), Some(&text("mới")));
        // Re-emitted in key order.
        let out = doc.to_cbor();
        let k = keys(&out);
        assert!(k.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            k.iter().rev().take(2).copied().collect::<Vec<_>>(),
            [1000, 40]
        );
        assert_eq!(Document::from_cbor(t, &out).unwrap(), doc);
        // Shown last, in JSON and for display.
        let j = doc.to_json();
        assert_eq!(j["unknown_fields"]["40"], "mới");
        assert_eq!(j["unknown_fields"]["1000"], "h'0102'");
        let d = doc.display_fields();
        assert_eq!(
            d[d.len() - 2],
            ("unknown_40".to_owned(), "\"mới\"".to_owned())
        );
        assert_eq!(
            d[d.len() - 1],
            ("unknown_1000".to_owned(), "h'0102'".to_owned())
        );
        // Issuance JSON may not carry them.
        assert!(Document::from_json(t, &j).is_err());
    }
}

#[test]
fn unknown_field_with_a_known_key_is_not_duplicated() {
    let mut doc = Document::from_json(DocType::Bhyt, &sample_input(DocType::Bhyt)).unwrap();
    if let Document::Bhyt(b) = &mut doc {
        b.unknown_fields.insert(2, text("impostor"));
    }
    let k = keys(&doc.to_cbor());
    assert_eq!(k.iter().filter(|x| **x == 2).count(), 1);
    assert!(doc.validate().is_err());
}

#[test]
fn map_shape_errors() {
    let t = DocType::Cccd;
    assert_eq!(
        decode_err(t, &Cbor::Array(vec![])),
        ("fields".to_owned(), "wrong-type")
    );
    let Cbor::Map(mut m) = sample_cbor(t) else {
        panic!()
    };
    m.push((text("x"), int(1)));
    assert_eq!(
        decode_err(t, &Cbor::Map(m.clone())),
        ("fields".to_owned(), "invalid-key")
    );
    m.pop();
    m.push((int(-1), int(1)));
    assert_eq!(
        decode_err(t, &Cbor::Map(m.clone())),
        ("fields".to_owned(), "invalid-key")
    );
    m.pop();
    m.push((int(3), text("Trần Thị Mẫu")));
    assert_eq!(
        decode_err(t, &Cbor::Map(m)),
        ("fields".to_owned(), "duplicate-key")
    );
}

#[test]
fn wrong_value_types_and_missing() {
    let t = DocType::Cccd;
    let base = sample_cbor(t);
    let cases: Vec<(u64, Option<Cbor>, &str, &str)> = vec![
        (1, None, "card_generation", "missing"),
        (
            1,
            Some(int(3)),
            "card_generation",
            "invalid-card-generation",
        ),
        (1, Some(text("cccd_2021")), "card_generation", "wrong-type"),
        (2, None, "id_number", "missing"),
        (2, Some(int(1196012345)), "id_number", "wrong-type"),
        (3, Some(Cbor::Null), "full_name", "wrong-type"),
        (4, Some(text("1996-05-17")), "date_of_birth", "wrong-type"),
        (
            4,
            Some(Cbor::Tag(1004, Box::new(text("1996-05-17")))),
            "date_of_birth",
            "wrong-type",
        ),
        (
            4,
            Some(Cbor::Tag(100, Box::new(text("x")))),
            "date_of_birth",
            "wrong-type",
        ),
        (
            4,
            Some(Cbor::Tag(100, Box::new(int(-30000)))),
            "date_of_birth",
            "date-out-of-range",
        ),
        (
            4,
            Some(Cbor::Tag(100, Box::new(int(i64::MAX)))),
            "date_of_birth",
            "date-out-of-range",
        ),
        (5, Some(int(0)), "sex", "invalid-sex"),
        (5, Some(text("female")), "sex", "wrong-type"),
        (6, Some(text("vnm")), "nationality", "not-canonical"),
        (13, Some(text("/9j/")), "portrait", "wrong-type"),
        (
            13,
            Some(Cbor::Bytes(vec![0xFF; 1501])),
            "portrait",
            "image-too-large",
        ),
        (
            13,
            Some(Cbor::Bytes(vec![0; 10])),
            "portrait",
            "unsupported-image-format",
        ),
        (10, None, "expiry_date", "expiry-required"),
    ];
    for (key, val, field, code) in cases {
        let v = cbor_set(&base, key, val.clone());
        assert_eq!(
            decode_err(t, &v),
            (field.to_owned(), code),
            "key {key} = {val:?}"
        );
    }
    // Explicit VNM is tolerated (encoders omit it).
    let v = cbor_set(&base, 6, Some(text("VNM")));
    assert!(Document::from_cbor(t, &v).is_ok());
}

#[test]
fn signed_but_invalid_content_is_still_an_error() {
    let t = DocType::Cccd;
    let base = sample_cbor(t);
    // Impossible ID structure, year mismatch, sex mismatch.
    for (id, code) in [
        ("00119601234", "id-number-format"),
        ("003196012345", "unknown-province-code"),
        ("001197012345", "id-number-year-mismatch"),
        ("001096012345", "id-number-sex-mismatch"),
    ] {
        let v = cbor_set(&base, 2, Some(text(id)));
        assert_eq!(decode_err(t, &v), ("id_number".to_owned(), code));
    }
    // Expiry before issue.
    let v = cbor_set(&base, 10, Some(Cbor::Tag(100, Box::new(int(0)))));
    assert_eq!(decode_err(t, &v), ("expiry_date".to_owned(), "date-order"));
}

#[test]
fn non_canonical_text_is_refused() {
    let t = DocType::Cccd;
    let base = sample_cbor(t);
    for s in [
        "Nguye\u{302}\u{303}n Thị Mẫu",
        " Trần Thị Mẫu",
        "Trần Thị Mẫu ",
    ] {
        let v = cbor_set(&base, 3, Some(text(s)));
        assert_eq!(
            decode_err(t, &v),
            ("full_name".to_owned(), "not-canonical"),
            "{s:?}"
        );
    }
    let v = cbor_set(&base, 3, Some(text("")));
    assert_eq!(decode_err(t, &v), ("full_name".to_owned(), "empty"));
    // Plates, classes and card numbers must be in canonical spelling.
    let vb = sample_cbor(DocType::Vehicle);
    let v = cbor_set(&vb, 2, Some(text("29a12345")));
    assert_eq!(
        decode_err(DocType::Vehicle, &v),
        ("plate".to_owned(), "not-canonical")
    );
    let v = cbor_set(&vb, 2, Some(text("29A-123.45")));
    assert!(Document::from_cbor(DocType::Vehicle, &v).is_ok());
    let gb = sample_cbor(DocType::Gplx);
    let class = |c: &str| {
        Cbor::Array(vec![Cbor::Array(vec![
            text(c),
            Cbor::Tag(100, Box::new(int(20000))),
        ])])
    };
    let v = cbor_set(&gb, 7, Some(class("b")));
    assert_eq!(
        decode_err(DocType::Gplx, &v),
        ("classes[0].class".to_owned(), "not-canonical")
    );
    let v = cbor_set(&gb, 7, Some(class("Q")));
    assert_eq!(
        decode_err(DocType::Gplx, &v),
        ("classes[0].class".to_owned(), "unknown-licence-class")
    );
    let v = cbor_set(&gb, 7, Some(Cbor::Array(vec![text("B")])));
    assert_eq!(
        decode_err(DocType::Gplx, &v),
        ("classes[0]".to_owned(), "wrong-type")
    );
    let v = cbor_set(&gb, 7, Some(Cbor::Array(vec![])));
    assert_eq!(
        decode_err(DocType::Gplx, &v),
        ("classes".to_owned(), "empty")
    );
}

#[test]
fn dates_are_tag_100_days() {
    let Cbor::Map(m) = sample_cbor(DocType::Cccd) else {
        panic!()
    };
    let dob = m.iter().find(|(k, _)| *k == int(4)).map(|(_, v)| v.clone());
    // 1996-05-17 is day 9633 after 1970-01-01.
    assert_eq!(dob, Some(Cbor::Tag(100, Box::new(int(9633)))));
    let sex = m.iter().find(|(k, _)| *k == int(5)).map(|(_, v)| v.clone());
    assert_eq!(sex, Some(int(2)));
}
