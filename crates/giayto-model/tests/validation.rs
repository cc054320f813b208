//! Every validation rule, positive and negative: the error names the right field and code.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{err, ok, with};
use giayto_model::{DocType, Document, FieldErrorKind};
use serde_json::{json, Value};

const C: DocType = DocType::Cccd;
const G: DocType = DocType::Gplx;
const V: DocType = DocType::Vehicle;
const B: DocType = DocType::Bhyt;

fn set(t: DocType, k: &str, v: Value) -> Value {
    with(t, &[(k, Some(v))])
}

fn del(t: DocType, k: &str) -> Value {
    with(t, &[(k, None)])
}

fn is_err(t: DocType, input: Value, field: &str, code: &str) {
    assert_eq!(err(t, &input), (field.to_owned(), code), "{input}");
}

// ---- generic rules -------------------------------------------------------------------------

#[test]
fn not_an_object() {
    is_err(C, json!([1, 2]), "", "wrong-type");
    is_err(C, json!("x"), "", "wrong-type");
}

#[test]
fn unknown_member_refused() {
    is_err(
        C,
        set(C, "fullname", json!("x")),
        "fullname",
        "unknown-field",
    );
    is_err(
        G,
        set(G, "unknown_fields", json!({})),
        "unknown_fields",
        "unknown-field",
    );
    // A name of another document type is unknown too.
    is_err(
        B,
        set(B, "plate", json!("30A-123.45")),
        "plate",
        "unknown-field",
    );
}

#[test]
fn required_fields_missing() {
    for t in DocType::ALL {
        for (_, name) in t.field_keys() {
            let input = del(t, name);
            let optional = matches!(
                (t, name),
                (
                    C,
                    "card_generation"
                        | "nationality"
                        | "old_id_number"
                        | "portrait"
                        | "place_of_birth_registration"
                ) | (G, "nationality")
                    | (V, "seats" | "engine_capacity_cc" | "expiry_date")
                    | (B, "five_year_from" | "benefit_level")
            );
            if optional {
                ok(t, &input);
            } else if (t, name) == (C, "expiry_date") {
                is_err(t, input, name, "expiry-required");
            } else if (t, name) == (V, "owner_id_number") {
                // A person's ID number, or else an organisation's enterprise code.
                is_err(t, input, name, "missing-either");
            } else {
                is_err(t, input, name, "missing");
            }
            // null counts as absent.
            if !optional && (t, name) != (C, "expiry_date") && (t, name) != (V, "owner_id_number") {
                is_err(t, set(t, name, Value::Null), name, "missing");
            }
        }
    }
}

#[test]
fn wrong_types() {
    is_err(C, set(C, "full_name", json!(5)), "full_name", "wrong-type");
    is_err(
        C,
        set(C, "date_of_birth", json!(19960517)),
        "date_of_birth",
        "wrong-type",
    );
    is_err(V, set(V, "seats", json!("5")), "seats", "wrong-type");
    is_err(V, set(V, "seats", json!(5.5)), "seats", "wrong-type");
    is_err(V, set(V, "seats", json!(-1)), "seats", "wrong-type");
    is_err(G, set(G, "classes", json!("B")), "classes", "wrong-type");
    is_err(
        G,
        set(G, "classes", json!(["B"])),
        "classes[0]",
        "wrong-type",
    );
    is_err(C, set(C, "portrait", json!([1])), "portrait", "wrong-type");
}

#[test]
fn texts() {
    is_err(C, set(C, "full_name", json!("   ")), "full_name", "empty");
    is_err(
        C,
        set(C, "full_name", json!("Trần\nMẫu")),
        "full_name",
        "control-character",
    );
    is_err(
        C,
        set(C, "full_name", json!("a\u{7}")),
        "full_name",
        "control-character",
    );
    is_err(
        C,
        set(C, "full_name", json!("ắ".repeat(101))),
        "full_name",
        "too-long",
    );
    ok(C, &set(C, "full_name", json!("ắ".repeat(100))));
    is_err(
        C,
        set(C, "place_of_residence", json!("x".repeat(201))),
        "place_of_residence",
        "too-long",
    );
    ok(C, &set(C, "place_of_residence", json!("x".repeat(200))));
    // Diacritics kept, trimmed.
    let d = ok(C, &set(C, "full_name", json!("  Đặng Thị Ngọc Hưởng ")));
    assert_eq!(d.holder_name(), "Đặng Thị Ngọc Hưởng");
}

#[test]
fn nfc_normalisation() {
    // "Nguyễn Thị Mẫu" fully decomposed (NFD).
    let nfd = "Nguye\u{302}\u{303}n Thi\u{323} Ma\u{302}\u{303}u";
    assert_ne!(nfd, "Nguyễn Thị Mẫu");
    let d = ok(C, &set(C, "full_name", json!(nfd)));
    assert_eq!(d.holder_name(), "Nguyễn Thị Mẫu");
    assert_eq!(d.to_json()["full_name"], "Nguyễn Thị Mẫu");
    let cbor = d.to_cbor();
    assert!(format!("{cbor:?}").contains("Nguyễn Thị Mẫu"));
    // Address too.
    let d = ok(B, &set(B, "address", json!("Ha\u{300} No\u{323}\u{302}i")));
    assert_eq!(d.to_json()["address"], "Hà Nội");
}

#[test]
fn dates() {
    is_err(
        C,
        set(C, "date_of_birth", json!("2023-02-29")),
        "date_of_birth",
        "invalid-date",
    );
    is_err(
        C,
        set(C, "date_of_birth", json!("1996-5-17")),
        "date_of_birth",
        "invalid-date",
    );
    is_err(
        C,
        set(C, "date_of_birth", json!("17/05/1996")),
        "date_of_birth",
        "invalid-date",
    );
    is_err(
        C,
        set(C, "date_of_birth", json!("1996-04-31")),
        "date_of_birth",
        "invalid-date",
    );
    is_err(
        V,
        set(V, "registration_date", json!("1899-12-31")),
        "registration_date",
        "date-out-of-range",
    );
    is_err(
        B,
        set(B, "valid_to", json!("2200-01-01")),
        "valid_to",
        "date-out-of-range",
    );
    ok(B, &set(B, "valid_to", json!("2199-12-31")));
    // Leap day exists in 2024.
    ok(V, &set(V, "registration_date", json!("2024-02-29")));
}

#[test]
fn date_order() {
    // CCCD: issue not before birth, expiry after issue.
    is_err(
        C,
        set(C, "issue_date", json!("1996-05-16")),
        "issue_date",
        "date-order",
    );
    is_err(
        C,
        set(C, "expiry_date", json!("2021-04-10")),
        "expiry_date",
        "date-order",
    );
    ok(C, &set(C, "expiry_date", json!("2021-04-11")));
    // GPLX.
    is_err(
        G,
        set(G, "issue_date", json!("1990-01-01")),
        "issue_date",
        "date-order",
    );
    is_err(
        G,
        set(
            G,
            "classes",
            json!([{"class": "B", "issue_date": "2025-01-02", "expiry_date": "2025-01-02"}]),
        ),
        "classes[0].expiry_date",
        "date-order",
    );
    is_err(
        G,
        set(
            G,
            "classes",
            json!([{"class": "B", "issue_date": "1990-01-02"}]),
        ),
        "classes[0].issue_date",
        "date-order",
    );
    // Vehicle expiry after registration.
    is_err(
        V,
        set(V, "expiry_date", json!("2024-09-10")),
        "expiry_date",
        "date-order",
    );
    ok(V, &set(V, "expiry_date", json!("2024-09-11")));
    // BHYT.
    is_err(
        B,
        set(B, "valid_to", json!("2025-01-01")),
        "valid_to",
        "date-order",
    );
    is_err(
        B,
        set(B, "valid_from", json!("1990-01-01")),
        "valid_from",
        "date-order",
    );
    is_err(
        B,
        set(B, "five_year_from", json!("1990-01-01")),
        "five_year_from",
        "date-order",
    );
    let e = Document::from_json(C, &set(C, "issue_date", json!("1996-05-16"))).unwrap_err();
    assert_eq!(
        e.kind,
        FieldErrorKind::DateOrder {
            other: "date_of_birth",
            strict: false
        }
    );
}

// ---- ID numbers ------------------------------------------------------------------------------

#[test]
fn id_number_rules() {
    for t in [C, G, B] {
        is_err(
            t,
            set(t, "id_number", json!("00119601234")),
            "id_number",
            "id-number-format",
        );
        is_err(
            t,
            set(t, "id_number", json!("0011960123456")),
            "id_number",
            "id-number-format",
        );
        is_err(
            t,
            set(t, "id_number", json!("00119601234X")),
            "id_number",
            "id-number-format",
        );
        is_err(
            t,
            set(t, "id_number", json!("003196012345")),
            "id_number",
            "unknown-province-code",
        );
        is_err(
            t,
            set(t, "id_number", json!("097196012345")),
            "id_number",
            "unknown-province-code",
        );
        // Born 1996 but the 4th digit says 2000s.
        is_err(
            t,
            set(t, "id_number", json!("001396012345")),
            "id_number",
            "id-number-century-mismatch",
        );
        // Digits 5-6 say 1997.
        is_err(
            t,
            set(t, "id_number", json!("001197012345")),
            "id_number",
            "id-number-year-mismatch",
        );
        // Other province, same structure: fine.
        ok(t, &set(t, "id_number", json!("079196999999")));
    }
    // Where sex is known, 4th digit 0 (male) contradicts "female".
    for t in [C, B] {
        is_err(
            t,
            set(t, "id_number", json!("001096012345")),
            "id_number",
            "id-number-sex-mismatch",
        );
    }
    // GPLX has no sex field: only the year is checked.
    ok(G, &set(G, "id_number", json!("001096012345")));
    // Vehicle owner: structure only.
    ok(V, &set(V, "owner_id_number", json!("079305000001")));
    is_err(
        V,
        set(V, "owner_id_number", json!("079x05000001")),
        "owner_id_number",
        "id-number-format",
    );
    is_err(
        V,
        set(V, "owner_id_number", json!("000305000001")),
        "owner_id_number",
        "unknown-province-code",
    );
    let e = Document::from_json(C, &set(C, "id_number", json!("001197012345"))).unwrap_err();
    assert_eq!(
        e.kind,
        FieldErrorKind::IdNumberYearMismatch {
            digits: 97,
            birth_year: 1996
        }
    );
}

#[test]
fn id_number_born_2000s() {
    let input = with(
        C,
        &[
            ("id_number", Some(json!("079305000001"))),
            ("date_of_birth", Some(json!("2005-01-02"))),
            ("issue_date", Some(json!("2021-04-10"))),
            ("expiry_date", Some(json!("2030-01-02"))),
        ],
    );
    ok(C, &input);
    let male = with(C, &[("sex", Some(json!("male")))]);
    is_err(C, male, "id_number", "id-number-sex-mismatch");
}

// ---- CCCD --------------------------------------------------------------------------------------

#[test]
fn cccd_sex_nationality_old_id() {
    is_err(C, set(C, "sex", json!("f")), "sex", "invalid-sex");
    is_err(C, set(C, "sex", json!(2)), "sex", "wrong-type");
    ok(C, &set(C, "sex", json!("FEMALE")));
    is_err(
        C,
        set(C, "nationality", json!("VN")),
        "nationality",
        "invalid-nationality",
    );
    is_err(
        C,
        set(C, "nationality", json!("V1N")),
        "nationality",
        "invalid-nationality",
    );
    ok(C, &set(C, "old_id_number", json!("012345678901")));
    is_err(
        C,
        set(C, "old_id_number", json!("0123456789")),
        "old_id_number",
        "old-id-number-format",
    );
    is_err(
        C,
        set(C, "old_id_number", json!("01234567a")),
        "old_id_number",
        "old-id-number-format",
    );
}

#[test]
fn cccd_generations() {
    is_err(
        C,
        set(C, "card_generation", json!("cccd_2016")),
        "card_generation",
        "invalid-card-generation",
    );
    // A 2021 card has no place of birth registration.
    is_err(
        C,
        set(C, "place_of_birth_registration", json!("Hà Nội")),
        "place_of_birth_registration",
        "not-for-card-generation",
    );
    // A 2024 card: place_of_birth_registration instead of place_of_origin.
    let gen24 = with(
        C,
        &[
            ("card_generation", Some(json!("can_cuoc_2024"))),
            ("place_of_origin", None),
            (
                "place_of_birth_registration",
                Some(json!("UBND phường Mẫu, Hà Nội")),
            ),
            ("issue_date", Some(json!("2024-08-01"))),
        ],
    );
    let d = ok(C, &gen24);
    let j = d.to_json();
    assert_eq!(j["card_generation"], "can_cuoc_2024");
    assert_eq!(j["place_of_birth_registration"], "UBND phường Mẫu, Hà Nội");
    assert!(j.get("place_of_origin").is_none());
    assert!(common::keys(&d.to_cbor()).contains(&8));
    assert!(!common::keys(&d.to_cbor()).contains(&7));
    assert_eq!(Document::from_cbor(C, &d.to_cbor()).unwrap(), d);
    let mut both = gen24.clone();
    both["place_of_origin"] = json!("Lạng Sơn");
    is_err(C, both, "place_of_origin", "not-for-card-generation");
    let mut none = gen24.clone();
    none.as_object_mut()
        .unwrap()
        .remove("place_of_birth_registration");
    is_err(C, none, "place_of_birth_registration", "missing");
}

#[test]
fn cccd_no_expiry() {
    // Born 1960-03-01: 58 on 2018-03-01.
    let base = |issue: &str| {
        with(
            C,
            &[
                ("id_number", Some(json!("001160012345"))),
                ("date_of_birth", Some(json!("1960-03-01"))),
                ("issue_date", Some(json!(issue))),
                ("expiry_date", None),
            ],
        )
    };
    let d = ok(C, &base("2018-03-01"));
    assert_eq!(d.expiry_date(), None);
    assert_eq!(d.to_json()["expiry_date"], Value::Null);
    assert!(d
        .display_fields()
        .contains(&("expiry_date".to_owned(), "no_expiry".to_owned())));
    assert!(!common::keys(&d.to_cbor()).contains(&10));
    assert_eq!(Document::from_cbor(C, &d.to_cbor()).unwrap(), d);
    // Explicit null is "no expiry" as well.
    let mut null = base("2021-01-01");
    null["expiry_date"] = Value::Null;
    ok(C, &null);
    // A day before the 58th birthday: an expiry is required.
    is_err(C, base("2018-02-28"), "expiry_date", "expiry-required");
}

#[test]
fn cccd_portrait() {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.resize(1500, 0x11);
    let d = ok(C, &set(C, "portrait", json!(b64(&jpeg))));
    let Document::Cccd(c) = &d else { panic!() };
    assert_eq!(c.portrait.as_deref(), Some(jpeg.as_slice()));
    assert_eq!(d.to_json()["portrait"], json!(b64(&jpeg)));
    assert!(matches!(
        c.to_owned_cbor_portrait(),
        Some(ciborium::Value::Bytes(b)) if b == jpeg
    ));
    assert!(d
        .display_fields()
        .contains(&("portrait".to_owned(), "image/jpeg, 1500 bytes".to_owned())));
    // WebP.
    let mut webp = b"RIFF\x10\x00\x00\x00WEBPVP8 ".to_vec();
    webp.extend_from_slice(&[0; 20]);
    ok(C, &set(C, "portrait", json!(b64(&webp))));
    // Unpadded base64 accepted.
    ok(
        C,
        &set(C, "portrait", json!(b64(&webp).trim_end_matches('='))),
    );
    // Too large, not base64, not an image.
    jpeg.push(0);
    is_err(
        C,
        set(C, "portrait", json!(b64(&jpeg))),
        "portrait",
        "image-too-large",
    );
    is_err(
        C,
        set(C, "portrait", json!(b64(&[0u8; 4000]))),
        "portrait",
        "image-too-large",
    );
    is_err(
        C,
        set(C, "portrait", json!("not base64!")),
        "portrait",
        "not-base64",
    );
    is_err(
        C,
        set(C, "portrait", json!(b64(b"\x89PNG\r\n\x1a\n"))),
        "portrait",
        "unsupported-image-format",
    );
}

trait PortraitCbor {
    fn to_owned_cbor_portrait(&self) -> Option<ciborium::Value>;
}

impl PortraitCbor for giayto_model::Cccd {
    fn to_owned_cbor_portrait(&self) -> Option<ciborium::Value> {
        let ciborium::Value::Map(m) = Document::Cccd(self.clone()).to_cbor() else {
            return None;
        };
        m.into_iter()
            .find(|(k, _)| *k == ciborium::Value::Integer(13.into()))
            .map(|(_, v)| v)
    }
}

// ---- GPLX ------------------------------------------------------------------------------------

#[test]
fn gplx_rules() {
    is_err(
        G,
        set(G, "licence_number", json!("01012345678")),
        "licence_number",
        "licence-number-format",
    );
    is_err(
        G,
        set(G, "licence_number", json!("01012345678a")),
        "licence_number",
        "licence-number-format",
    );
    is_err(G, set(G, "classes", json!([])), "classes", "empty");
    is_err(
        G,
        set(
            G,
            "classes",
            json!([{"class": "B", "issue_date": "2025-01-02"}, {"class": "Z9", "issue_date": "2025-01-02"}]),
        ),
        "classes[1].class",
        "unknown-licence-class",
    );
    is_err(
        G,
        set(
            G,
            "classes",
            json!([{"class": "B2", "issue_date": "2015-01-02"}, {"class": "b2", "issue_date": "2016-01-02"}]),
        ),
        "classes[1].class",
        "duplicate-licence-class",
    );
    is_err(
        G,
        set(
            G,
            "classes",
            json!([{"class": "B", "issue_date": "2025-01-02", "expiry": "2035-01-02"}]),
        ),
        "classes[0].expiry",
        "unknown-field",
    );
    is_err(
        G,
        set(G, "classes", json!([{"issue_date": "2025-01-02"}])),
        "classes[0].class",
        "missing",
    );
    is_err(
        G,
        set(G, "classes", json!([{"class": "B"}])),
        "classes[0].issue_date",
        "missing",
    );
    is_err(
        G,
        set(
            G,
            "classes",
            json!([{"class": "B", "issue_date": "2025-02-30"}]),
        ),
        "classes[0].issue_date",
        "invalid-date",
    );
    let many: Vec<Value> = (0..33)
        .map(|_| json!({"class": "B", "issue_date": "2025-01-02"}))
        .collect();
    is_err(G, set(G, "classes", json!(many)), "classes", "too-many");
}

#[test]
fn gplx_all_classes_and_legacy() {
    use giayto_model::LicenceClass;
    let all: Vec<Value> = LicenceClass::ALL
        .iter()
        .map(|c| json!({"class": c.as_str().to_lowercase(), "issue_date": "2025-03-01", "expiry_date": "2035-03-01"}))
        .collect();
    let d = ok(G, &set(G, "classes", json!(all)));
    let Document::Gplx(g) = &d else { panic!() };
    assert_eq!(g.classes.len(), 24);
    let legacy: Vec<&str> = g
        .classes
        .iter()
        .filter(|c| c.legacy())
        .map(|c| c.class.as_str())
        .collect();
    assert_eq!(
        legacy,
        ["A2", "A3", "A4", "B2", "E", "FB2", "FC", "FD", "FE"]
    );
    // Canonical upper case in the output.
    assert_eq!(d.to_json()["classes"][3]["class"], "B");
    assert_eq!(d.expiry_date(), Some(time::macros::date!(2035 - 03 - 01)));
    // A shared name granted under the 2008 law is legacy; granted from 2025 it is not.
    let d = ok(
        G,
        &set(
            G,
            "classes",
            json!([{"class": "C", "issue_date": "2024-12-31"}]),
        ),
    );
    let Document::Gplx(g) = &d else { panic!() };
    assert!(g.classes[0].legacy());
    let d = ok(
        G,
        &set(
            G,
            "classes",
            json!([{"class": "C", "issue_date": "2025-01-01"}]),
        ),
    );
    let Document::Gplx(g) = &d else { panic!() };
    assert!(!g.classes[0].legacy());
    assert_eq!(g.classes[0].display(), "C (01/01/2025 → no_expiry)");
    for name in [
        "A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE",
    ] {
        assert!(
            LicenceClass::from_name(name).is_some_and(|c| c.in_2024_law()),
            "{name}"
        );
    }
    for name in ["F", "B3", "A0", "", "BE2"] {
        assert_eq!(LicenceClass::from_name(name), None, "{name}");
    }
}

#[test]
fn gplx_expiry_is_latest_class_or_none() {
    let d = ok(
        G,
        &set(
            G,
            "classes",
            json!([
                {"class": "B", "issue_date": "2025-01-02", "expiry_date": "2035-01-02"},
                {"class": "C1", "issue_date": "2025-01-02", "expiry_date": "2030-01-02"}
            ]),
        ),
    );
    assert_eq!(d.expiry_date(), Some(time::macros::date!(2035 - 01 - 02)));
}

// ---- Vehicle -----------------------------------------------------------------------------------

#[test]
fn vehicle_rules() {
    let d = ok(V, &set(V, "plate", json!("59x1 23456")));
    assert_eq!(d.to_json()["plate"], "59-X1 234.56");
    let d = ok(V, &set(V, "plate", json!("30a12345")));
    assert_eq!(d.to_json()["plate"], "30A-123.45");
    is_err(
        V,
        set(V, "plate", json!("10A-123.45")),
        "plate",
        "invalid-plate",
    );
    is_err(
        V,
        set(V, "plate", json!("30A-12")),
        "plate",
        "invalid-plate",
    );
    is_err(V, set(V, "seats", json!(0)), "seats", "out-of-range");
    is_err(V, set(V, "seats", json!(101)), "seats", "out-of-range");
    ok(V, &set(V, "seats", json!(100)));
    is_err(
        V,
        set(V, "engine_capacity_cc", json!(0)),
        "engine_capacity_cc",
        "out-of-range",
    );
    is_err(
        V,
        set(V, "chassis_number", json!("ABC12")),
        "chassis_number",
        "too-short",
    );
    is_err(
        V,
        set(V, "chassis_number", json!("A".repeat(18))),
        "chassis_number",
        "too-long",
    );
    is_err(
        V,
        set(V, "chassis_number", json!("RLM5A-123")),
        "chassis_number",
        "invalid-character",
    );
    let d = ok(V, &set(V, "chassis_number", json!("rlm5a123")));
    assert_eq!(d.to_json()["chassis_number"], "RLM5A123");
    is_err(
        V,
        set(V, "engine_number", json!("M15A 1")),
        "engine_number",
        "invalid-character",
    );
    is_err(
        V,
        set(V, "engine_number", json!("M".repeat(26))),
        "engine_number",
        "too-long",
    );
    is_err(
        V,
        set(V, "engine_number", json!("Mười")),
        "engine_number",
        "invalid-character",
    );
    is_err(
        V,
        set(V, "registration_number", json!("AB_1")),
        "registration_number",
        "invalid-character",
    );
    is_err(
        V,
        set(V, "colour", json!("x".repeat(51))),
        "colour",
        "too-long",
    );
    let e = Document::from_json(V, &set(V, "seats", json!(0))).unwrap_err();
    assert_eq!(e.kind, FieldErrorKind::OutOfRange { min: 1, max: 100 });
}

// ---- BHYT --------------------------------------------------------------------------------------

#[test]
fn bhyt_rules() {
    let legacy = with(
        B,
        &[
            ("card_number", Some(json!("dn4010123456789"))),
            ("benefit_level", Some(json!(4))),
        ],
    );
    let d = ok(B, &legacy);
    assert_eq!(d.to_json()["card_number"], "DN4010123456789");
    let Document::Bhyt(b) = &d else { panic!() };
    assert_eq!(b.effective_benefit_level(), Some(4));
    let mismatch = with(
        B,
        &[
            ("card_number", Some(json!("DN3010123456789"))),
            ("benefit_level", Some(json!(4))),
        ],
    );
    is_err(
        B,
        mismatch.clone(),
        "benefit_level",
        "benefit-level-mismatch",
    );
    assert_eq!(
        Document::from_json(B, &mismatch).unwrap_err().kind,
        FieldErrorKind::BenefitLevelMismatch {
            card_level: 3,
            benefit_level: 4
        }
    );
    // Without benefit_level, the legacy level is used.
    let d = ok(
        B,
        &with(
            B,
            &[
                ("card_number", Some(json!("DN3010123456789"))),
                ("benefit_level", None),
            ],
        ),
    );
    let Document::Bhyt(b) = &d else { panic!() };
    assert_eq!(
        (b.benefit_level, b.effective_benefit_level()),
        (None, Some(3))
    );
    is_err(
        B,
        set(B, "card_number", json!("12345")),
        "card_number",
        "bhyt-card-number-format",
    );
    is_err(
        B,
        set(B, "card_number", json!("DN6010123456789")),
        "card_number",
        "bhyt-card-number-format",
    );
    is_err(
        B,
        set(B, "benefit_level", json!(0)),
        "benefit_level",
        "out-of-range",
    );
    is_err(
        B,
        set(B, "benefit_level", json!(6)),
        "benefit_level",
        "out-of-range",
    );
    let d = ok(B, &set(B, "facility_code", json!("79024")));
    assert_eq!(d.to_json()["facility_code"], "79-024");
    is_err(
        B,
        set(B, "facility_code", json!("1-001")),
        "facility_code",
        "facility-code-format",
    );
    is_err(B, set(B, "sex", json!("other")), "sex", "invalid-sex");
}

#[test]
fn every_error_code_is_distinct_kebab_case() {
    use FieldErrorKind as K;
    let kinds = [
        K::Missing,
        K::WrongType { expected: "text" },
        K::Empty,
        K::TooLong { max: 1 },
        K::TooShort { min: 1 },
        K::TooMany { max: 1 },
        K::ControlCharacter,
        K::InvalidCharacter { ch: '_' },
        K::NotCanonical,
        K::InvalidDate,
        K::DateOutOfRange {
            min_year: 1900,
            max_year: 2199,
        },
        K::DateOrder {
            other: "x",
            strict: true,
        },
        K::UnknownField,
        K::IdNumberFormat,
        K::UnknownProvinceCode { code: 3 },
        K::IdNumberSexMismatch { digit: 0 },
        K::IdNumberCenturyMismatch {
            digit: 0,
            birth_year: 2000,
        },
        K::IdNumberYearMismatch {
            digits: 1,
            birth_year: 2000,
        },
        K::OldIdNumberFormat,
        K::LicenceNumberFormat,
        K::UnknownLicenceClass,
        K::DuplicateLicenceClass,
        K::InvalidPlate,
        K::BhytCardNumberFormat,
        K::BenefitLevelMismatch {
            card_level: 1,
            benefit_level: 2,
        },
        K::FacilityCodeFormat,
        K::SocialInsuranceNumberFormat,
        K::OfficeCodeFormat,
        K::InvalidParticipationStatus,
        K::MonthsPaidExceedPeriod { max: 1 },
        K::AfterIssuance,
        K::EnterpriseCodeFormat,
        K::Conflicts { other: "x" },
        K::MissingEither { other: "x" },
        K::OutOfRange { min: 1, max: 2 },
        K::InvalidSex,
        K::InvalidNationality,
        K::InvalidCardGeneration,
        K::NotForCardGeneration,
        K::ExpiryRequired,
        K::NotBase64,
        K::ImageTooLarge { max: 1, size: 2 },
        K::UnsupportedImageFormat,
        K::InvalidKey,
        K::DuplicateKey { key: 1 },
    ];
    let mut codes: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
    assert!(codes.iter().all(|c| !c.is_empty()
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')));
    codes.sort_unstable();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n);
    let e = giayto_model::FieldError::new("classes[1].class", K::UnknownLicenceClass);
    assert_eq!(
        e.to_string(),
        "field `classes[1].class` is not a known driving licence class"
    );
}
