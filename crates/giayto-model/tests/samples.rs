//! The sample inputs validate and survive JSON → Document → CBOR → Document → JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::keys;
use giayto_model::{sample_input, Date, DocType, Document, SAMPLE_ID_NUMBER, SAMPLE_NAME};
use time::macros::date;

#[test]
fn samples_validate_and_round_trip() {
    for t in DocType::ALL {
        let input = sample_input(t);
        let doc = Document::from_json(t, &input).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(doc.doc_type(), t);
        doc.validate().unwrap();
        let cbor = doc.to_cbor();
        let back = Document::from_cbor(t, &cbor).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(back, doc, "{t}");
        let json = back.to_json();
        // The output JSON is again valid input and gives the same document.
        assert_eq!(Document::from_json(t, &json).unwrap(), doc, "{t}");
        // Same names as the input; the sample spells everything canonically.
        for (k, v) in input.as_object().unwrap() {
            assert_eq!(json.get(k), Some(v), "{t}: {k}");
        }
        // CBOR bytes survive an encode/decode through ciborium.
        let mut bytes = Vec::new();
        ciborium::into_writer(&cbor, &mut bytes).unwrap();
        let decoded: ciborium::Value = ciborium::from_reader(bytes.as_slice()).unwrap();
        assert_eq!(Document::from_cbor(t, &decoded).unwrap(), doc);
    }
}

#[test]
fn one_person_across_documents() {
    for t in DocType::ALL {
        let doc = Document::from_json(t, &sample_input(t)).unwrap();
        assert_eq!(doc.holder_name(), SAMPLE_NAME);
        assert_eq!(doc.holder_id_number(), Some(SAMPLE_ID_NUMBER));
        if let Some(dob) = doc.holder_date_of_birth() {
            assert_eq!(dob, date!(1996 - 05 - 17));
        }
        // Valid from 2026-01-01 through 2035-12-31 at least.
        if let Some(exp) = doc.expiry_date() {
            assert!(exp >= date!(2035 - 12 - 31), "{t} expires {exp}");
        }
        let starts: Date = match &doc {
            Document::Cccd(d) => d.issue_date,
            Document::Gplx(d) => d.issue_date,
            Document::Vehicle(d) => d.registration_date,
            Document::Bhyt(d) => d.valid_from,
            Document::Bhxh(d) => d.summary_date,
            #[allow(unreachable_patterns)]
            _ => unreachable!(),
        };
        assert!(starts <= date!(2026 - 01 - 01), "{t} starts {starts}");
    }
}

#[test]
fn cbor_keys_ascending_and_known() {
    for t in DocType::ALL {
        let doc = Document::from_json(t, &sample_input(t)).unwrap();
        let k = keys(&doc.to_cbor());
        assert!(k.windows(2).all(|w| w[0] < w[1]), "{t}: {k:?}");
        let known: Vec<u64> = t.field_keys().iter().map(|(k, _)| *k).collect();
        assert!(k.iter().all(|x| known.contains(x)), "{t}");
        // Keys are 1.. and fit in one CBOR byte.
        assert!(
            known.iter().enumerate().all(|(i, k)| *k == i as u64 + 1),
            "{t}"
        );
        assert!(known.len() <= 23);
    }
}

#[test]
fn nationality_vnm_is_omitted_from_cbor() {
    let doc = Document::from_json(DocType::Cccd, &sample_input(DocType::Cccd)).unwrap();
    assert!(!keys(&doc.to_cbor()).contains(&6));
    let other = common::with(DocType::Cccd, &[("nationality", Some("lao".into()))]);
    let doc = Document::from_json(DocType::Cccd, &other).unwrap();
    assert!(keys(&doc.to_cbor()).contains(&6));
    assert_eq!(doc.to_json()["nationality"], "LAO");
    // Absent nationality defaults to VNM.
    let none = common::with(DocType::Cccd, &[("nationality", None)]);
    assert_eq!(
        Document::from_json(DocType::Cccd, &none).unwrap().to_json()["nationality"],
        "VNM"
    );
}

#[test]
fn doc_type_codes_and_names() {
    for (t, code, name) in [
        (DocType::Cccd, 1, "cccd"),
        (DocType::Gplx, 2, "gplx"),
        (DocType::Vehicle, 3, "vehicle"),
        (DocType::Bhyt, 4, "bhyt"),
        (DocType::Bhxh, 5, "bhxh"),
    ] {
        assert_eq!(t.code(), code);
        assert_eq!(DocType::from_code(code), Some(t));
        assert_eq!(t.as_str(), name);
        assert_eq!(t.to_string(), name);
        assert_eq!(DocType::from_name(name), Some(t));
        assert_eq!(DocType::from_name(&name.to_uppercase()), Some(t));
    }
    assert_eq!(DocType::from_code(0), None);
    assert_eq!(DocType::from_code(6), None);
    assert_eq!(DocType::from_name("passport"), None);
    assert_eq!(giayto_model::SCHEMA_VERSION, 1);
    // Only the vehicle registration has a second schema (an organisation as owner).
    for t in DocType::ALL {
        let latest = if t == DocType::Vehicle { 2 } else { 1 };
        assert_eq!(t.latest_schema(), latest, "{t}");
    }
}

#[test]
fn the_2024_card_sample() {
    let doc = Document::from_json(DocType::Cccd, &giayto_model::sample_can_cuoc_2024()).unwrap();
    let Document::Cccd(card) = &doc else { panic!() };
    assert_eq!(
        card.card_generation,
        giayto_model::CardGeneration::CanCuoc2024
    );
    assert_eq!(card.old_id_number, None);
    assert_eq!(doc.holder_id_number(), Some(SAMPLE_ID_NUMBER));
    // Key 8 (place of birth registration), neither key 7 (place of origin) nor 12 (old ID).
    let k = keys(&doc.to_cbor());
    assert!(
        k.contains(&8) && !k.contains(&7) && !k.contains(&12),
        "{k:?}"
    );
    let names: Vec<String> = doc.display_fields().into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"place_of_birth_registration".to_owned()));
    assert!(!names.contains(&"place_of_origin".to_owned()));
    assert!(!names.contains(&"old_id_number".to_owned()));
    assert_eq!(doc.to_json()["card_generation"], "can_cuoc_2024");
}

#[test]
fn display_fields_in_card_order() {
    let doc = Document::from_json(DocType::Cccd, &sample_input(DocType::Cccd)).unwrap();
    let f = doc.display_fields();
    let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "card_generation",
            "id_number",
            "full_name",
            "date_of_birth",
            "sex",
            "nationality",
            "place_of_origin",
            "place_of_residence",
            "expiry_date",
            "issue_date",
            "old_id_number"
        ]
    );
    assert_eq!(f[3].1, "17/05/1996");
    assert_eq!(f[4].1, "female");
    assert_eq!(f[8].1, "17/05/2036");

    let doc = Document::from_json(DocType::Gplx, &sample_input(DocType::Gplx)).unwrap();
    let owned: Vec<String> = doc
        .display_fields()
        .into_iter()
        .filter(|(n, _)| n == "classes")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(
        owned,
        [
            "A1 (05/08/2015 → no_expiry, legacy)",
            "B (22/12/2025 → 22/12/2035)"
        ]
    );
    // A class without a term: the licence as a whole does not expire.
    assert_eq!(doc.expiry_date(), None);
}
