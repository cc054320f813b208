//! The documents added after the first release — the social insurance book, a company's car
//! (schema 2 of the vehicle type), the 2024 identity card — with one field replaced by any
//! strict CBOR value: never panics; an accepted document encodes to fields that decode to the
//! same document under its own schema and under the latest, and to JSON that parses back to
//! it; whatever schema 1 accepts, schema 2 accepts the same; the signing-day rule never panics.
#![no_main]

use giayto_cose::cbor;
use giayto_model::{DocType, Document};
use libfuzzer_sys::fuzz_target;

fn base(which: u8) -> (DocType, ciborium::Value) {
    let (t, input) = match which % 3 {
        0 => (DocType::Bhxh, giayto_model::sample_input(DocType::Bhxh)),
        1 => (
            DocType::Vehicle,
            giayto_model::sample_organisation_vehicle(),
        ),
        _ => (DocType::Cccd, giayto_model::sample_can_cuoc_2024()),
    };
    let doc = Document::from_json(t, &input).expect("the samples validate");
    (t, doc.to_cbor())
}

fn set(map: ciborium::Value, key: u64, value: ciborium::Value) -> ciborium::Value {
    let ciborium::Value::Map(mut entries) = map else {
        return map;
    };
    entries.retain(|(k, _)| k.as_integer().and_then(|i| u64::try_from(i).ok()) != Some(key));
    entries.push((ciborium::Value::Integer(key.into()), value));
    entries.sort_by_key(|(k, _)| k.as_integer().and_then(|i| u64::try_from(i).ok()));
    ciborium::Value::Map(entries)
}

fuzz_target!(|data: &[u8]| {
    let [which, key, day_lo, day_hi, rest @ ..] = data else {
        return;
    };
    let Ok(value) = cbor::decode(rest) else {
        return;
    };
    let (t, fields) = base(*which);
    let fields = set(fields, u64::from(key % 20), value);
    let day = giayto_model::date::from_days_since_epoch(i128::from(i16::from_le_bytes([
        *day_lo, *day_hi,
    ])));
    let v1 = Document::from_cbor_schema(t, 1, &fields);
    let latest = Document::from_cbor(t, &fields);
    if let Ok(doc) = &v1 {
        // Schema 2 of the vehicle type only adds: it reads every schema-1 map the same.
        assert_eq!(
            latest.as_ref().map(|d| cbor::encode(&d.to_cbor())),
            Ok(cbor::encode(&doc.to_cbor()))
        );
    }
    let Ok(doc) = latest else {
        return;
    };
    assert!(doc.schema_version() <= t.latest_schema());
    // Compared as bytes: unknown fields may hold NaN, never equal to itself as a value.
    let encoded = cbor::encode(&doc.to_cbor());
    let again = Document::from_cbor_schema(t, doc.schema_version(), &doc.to_cbor())
        .map(|d| cbor::encode(&d.to_cbor()));
    assert_eq!(again.as_ref(), Ok(&encoded));
    if doc.unknown_fields().is_empty() {
        let json = doc.to_json();
        let back = Document::from_json(t, &json).map(|d| cbor::encode(&d.to_cbor()));
        assert_eq!(back.as_ref(), Ok(&encoded));
    }
    let _ = doc.display_fields();
    if let Ok(day) = day {
        let _ = doc.check_signed_on(day);
    }
});
