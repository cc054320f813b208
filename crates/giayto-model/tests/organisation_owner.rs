//! Vehicles owned by organisations (docs/format.md §4.4, schema version 2): the enterprise
//! code, the JSON names, key 4 in CBOR, and what schema 1 still requires.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{cbor_set, keys};
use giayto_model::{
    canon_enterprise_code, sample_input, sample_organisation_vehicle, DocType, Document,
    FieldErrorKind, VehicleOwner, SAMPLE_ENTERPRISE_CODE,
};
use serde_json::{json, Value};

const V: DocType = DocType::Vehicle;

fn org(changes: &[(&str, Option<Value>)]) -> Value {
    let mut v = sample_organisation_vehicle();
    let obj = v.as_object_mut().unwrap();
    for (k, val) in changes {
        match val {
            Some(x) => obj.insert((*k).to_owned(), x.clone()),
            None => obj.remove(*k),
        };
    }
    v
}

fn err(input: &Value) -> (String, &'static str) {
    let e = Document::from_json(V, input).unwrap_err();
    (e.field, e.kind.code())
}

fn text(s: &str) -> ciborium::Value {
    ciborium::Value::Text(s.into())
}

#[test]
fn enterprise_codes() {
    for (input, want) in [
        ("0123456787", "0123456787"),
        (" 0123456787 ", "0123456787"),
        ("0123456787-001", "0123456787-001"),
        ("0123456787001", "0123456787-001"),
        ("0123456787-999", "0123456787-999"),
        // Published codes of well-known enterprises check out (the algorithm, not a list).
        ("0100109106", "0100109106"),
        ("0300588569", "0300588569"),
    ] {
        assert_eq!(canon_enterprise_code(input).as_deref(), Ok(want), "{input}");
        // The canonical form is a fixed point.
        assert_eq!(canon_enterprise_code(want).as_deref(), Ok(want));
    }
    for bad in [
        "0123456788",     // check digit
        "0109876540",     // weighted sum ≡ 0 (mod 11): no check digit exists
        "012345678",      // 9 digits
        "01234567870",    // 11 digits
        "0123456787-000", // branch 000
        "0123456787-01",  // 2-digit branch
        "0123456787_001",
        "0123456787 001",
        "012345678A",
        "001196012345", // a personal ID number is not an enterprise code
    ] {
        assert_eq!(
            canon_enterprise_code(bad),
            Err(FieldErrorKind::EnterpriseCodeFormat),
            "{bad}"
        );
    }
    assert_eq!(canon_enterprise_code(" "), Err(FieldErrorKind::Empty));
}

#[test]
fn an_organisation_owner_needs_schema_2() {
    let doc = Document::from_json(V, &sample_organisation_vehicle()).unwrap();
    let Document::Vehicle(v) = &doc else { panic!() };
    assert_eq!(
        v.owner,
        VehicleOwner::Organisation {
            enterprise_code: SAMPLE_ENTERPRISE_CODE.into()
        }
    );
    assert_eq!(v.owner.field_name(), "owner_enterprise_code");
    assert_eq!(doc.schema_version(), 2);
    assert_eq!(doc.holder_id_number(), None);
    assert_eq!(doc.holder_name(), "Công ty TNHH Vận tải Mẫu");
    // Key 4 holds the enterprise code; no new key.
    let cbor = doc.to_cbor();
    assert_eq!(keys(&cbor), (1..=14).collect::<Vec<u64>>());
    let ciborium::Value::Map(m) = &cbor else {
        panic!()
    };
    assert_eq!(
        m[3],
        (ciborium::Value::Integer(4.into()), text("0123456787"))
    );
    // Schema 2 reads it back; so does the latest schema; JSON names it as it was given.
    assert_eq!(Document::from_cbor_schema(V, 2, &cbor).unwrap(), doc);
    assert_eq!(Document::from_cbor(V, &cbor).unwrap(), doc);
    let json = doc.to_json();
    assert_eq!(json["owner_enterprise_code"], "0123456787");
    assert!(json.get("owner_id_number").is_none());
    assert_eq!(Document::from_json(V, &json).unwrap(), doc);
    // Schema 1 is what verifiers of the first release read: key 4 is a personal ID number.
    let e = Document::from_cbor_schema(V, 1, &cbor).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.kind.code()),
        ("owner_id_number", "id-number-format")
    );
    // The display names the organisation's code as such.
    let rows = doc.display_fields();
    assert!(rows.contains(&("owner_enterprise_code".into(), "0123456787".into())));
    assert_eq!(
        V.field_name_of(4, &text("0123456787-001")),
        Some("owner_enterprise_code")
    );
    assert_eq!(
        V.field_name_of(4, &text("001196012345")),
        Some("owner_id_number")
    );
    assert_eq!(
        DocType::Cccd.field_name_of(2, &text("x")),
        Some("id_number")
    );
    assert_eq!(V.field_name_of(16, &text("x")), None);
}

#[test]
fn a_person_owner_stays_schema_1_byte_for_byte() {
    let doc = Document::from_json(V, &sample_input(V)).unwrap();
    assert_eq!(doc.schema_version(), 1);
    let cbor = doc.to_cbor();
    // Both schemas read a person's certificate the same.
    assert_eq!(Document::from_cbor_schema(V, 1, &cbor).unwrap(), doc);
    assert_eq!(Document::from_cbor_schema(V, 2, &cbor).unwrap(), doc);
    assert_eq!(doc.to_json()["owner_id_number"], "001196012345");
}

#[test]
fn json_names_one_owner() {
    // Both given.
    let both = org(&[("owner_id_number", Some(json!("001196012345")))]);
    assert_eq!(err(&both), ("owner_enterprise_code".into(), "conflicts"));
    // Neither given.
    let neither = org(&[("owner_enterprise_code", None)]);
    assert_eq!(err(&neither), ("owner_id_number".into(), "missing-either"));
    let e = Document::from_json(V, &neither).unwrap_err();
    assert_eq!(
        e.to_string(),
        "field `owner_id_number` is required (or else owner_enterprise_code)"
    );
    // A bad code is named by its own field.
    let bad = org(&[("owner_enterprise_code", Some(json!("0123456788")))]);
    assert_eq!(
        err(&bad),
        ("owner_enterprise_code".into(), "enterprise-code-format")
    );
    let wrong = org(&[("owner_enterprise_code", Some(json!(123)))]);
    assert_eq!(err(&wrong), ("owner_enterprise_code".into(), "wrong-type"));
    // A branch, written without the hyphen, is stored with it.
    let branch = org(&[("owner_enterprise_code", Some(json!("0123456787002")))]);
    let doc = Document::from_json(V, &branch).unwrap();
    assert_eq!(doc.to_json()["owner_enterprise_code"], "0123456787-002");
    // The name of the enterprise code is not a field of other types.
    let mut cccd = sample_input(DocType::Cccd);
    cccd["owner_enterprise_code"] = json!("0123456787");
    assert_eq!(
        Document::from_json(DocType::Cccd, &cccd).unwrap_err().kind,
        FieldErrorKind::UnknownField
    );
}

#[test]
fn cbor_key_4_under_schema_2() {
    let person = Document::from_json(V, &sample_input(V)).unwrap().to_cbor();
    let with4 = |v: &str| cbor_set(&person, 4, Some(text(v)));
    // A branch code.
    let doc = Document::from_cbor_schema(V, 2, &with4("0123456787-001")).unwrap();
    assert_eq!(doc.schema_version(), 2);
    // Not canonical: the branch without its hyphen.
    let e = Document::from_cbor_schema(V, 2, &with4("0123456787001")).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.kind.code()),
        ("owner_enterprise_code", "not-canonical")
    );
    // Neither form.
    let e = Document::from_cbor_schema(V, 2, &with4("12345")).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.kind.code()),
        ("owner_enterprise_code", "enterprise-code-format")
    );
    // 12 digits are a personal ID number, checked as one.
    let e = Document::from_cbor_schema(V, 2, &with4("000196012345")).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.kind.code()),
        ("owner_id_number", "unknown-province-code")
    );
    // Missing key 4.
    let e = Document::from_cbor_schema(V, 2, &cbor_set(&person, 4, None)).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.kind.code()),
        ("owner_id_number", "missing")
    );
}
