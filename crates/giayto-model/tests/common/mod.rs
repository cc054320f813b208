// Shared helpers for the integration tests (each test file includes this module).
#![allow(dead_code)]

use giayto_model::{sample_input, DocType, Document, FieldError};
use serde_json::Value;

/// The sample input with `key` set to `value` (or removed when `value` is `None`).
pub fn with(t: DocType, changes: &[(&str, Option<Value>)]) -> Value {
    let mut v = sample_input(t);
    let obj = v.as_object_mut().expect("sample is an object");
    for (k, val) in changes {
        match val {
            Some(x) => {
                obj.insert((*k).to_owned(), x.clone());
            }
            None => {
                obj.remove(*k);
            }
        }
    }
    v
}

/// Parses and expects an error, returned as (field, code).
pub fn err(t: DocType, input: &Value) -> (String, &'static str) {
    match Document::from_json(t, input) {
        Ok(d) => panic!("expected an error, got {d:?}"),
        Err(FieldError { field, kind }) => (field, kind.code()),
    }
}

/// Parses and expects success.
pub fn ok(t: DocType, input: &Value) -> Document {
    Document::from_json(t, input).unwrap_or_else(|e| panic!("{input}: {e}"))
}

/// Keys of a CBOR map, in order.
pub fn keys(v: &ciborium::Value) -> Vec<u64> {
    match v {
        ciborium::Value::Map(m) => m
            .iter()
            .map(|(k, _)| match k {
                ciborium::Value::Integer(i) => u64::try_from(*i).expect("unsigned key"),
                other => panic!("non-integer key {other:?}"),
            })
            .collect(),
        other => panic!("not a map: {other:?}"),
    }
}

/// Replaces (or inserts, keeping order) `key` in a CBOR map.
pub fn cbor_set(v: &ciborium::Value, key: u64, val: Option<ciborium::Value>) -> ciborium::Value {
    let ciborium::Value::Map(m) = v else {
        panic!("not a map")
    };
    let mut out: Vec<(ciborium::Value, ciborium::Value)> = m
        .iter()
        .filter(|(k, _)| *k != ciborium::Value::Integer(key.into()))
        .cloned()
        .collect();
    if let Some(val) = val {
        out.push((ciborium::Value::Integer(key.into()), val));
    }
    ciborium::Value::Map(out)
}
