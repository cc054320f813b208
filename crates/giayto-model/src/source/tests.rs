//! Unit tests of `source`.
use super::*;

#[test]
fn diag_notation() {
    let v = Cbor::Array(vec![
        Cbor::Integer((-3).into()),
        Cbor::Bytes(vec![1, 0xab]),
        Cbor::Text("ă".into()),
        Cbor::Tag(100, Box::new(Cbor::Integer(5.into()))),
        Cbor::Map(vec![(Cbor::Integer(1.into()), Cbor::Null)]),
    ]);
    assert_eq!(diag(&v), "[-3, h'01ab', \"ă\", 100(5), {1: null}]");
    let long = Cbor::Bytes(vec![0; 1000]);
    assert!(diag(&long).chars().count() <= MAX_DIAG_CHARS + 1);
}

#[test]
fn deep_values_do_not_overflow() {
    let mut v = Cbor::Null;
    for _ in 0..1_000 {
        v = Cbor::Array(vec![v]);
    }
    assert!(diag(&v).contains('…'));
    let j = unknown_to_json(&v, 0);
    assert!(j.is_array());
}

#[test]
fn unknown_json_mapping() {
    assert_eq!(unknown_to_json(&Cbor::Integer(7.into()), 0), Json::from(7));
    assert_eq!(
        unknown_to_json(&Cbor::Bytes(vec![0xff]), 0),
        Json::String("h'ff'".into())
    );
    assert_eq!(
        unknown_to_json(&Cbor::Float(f64::NAN), 0),
        Json::String("NaN".into())
    );
}
