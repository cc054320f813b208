//! The strict deterministic CBOR decoder: never panics, builds the value ciborium reads, and
//! accepts exactly what the plain
//! definition accepts (one ciborium item within the depth, size and item-count limits, nothing after it, map keys strictly
//! ascending by their encodings, a re-encoding equal to the input).
#![no_main]

use ciborium::value::Value;
use giayto_cose::cbor::{self, MAX_DEPTH, MAX_ITEM_BYTES};
use libfuzzer_sys::fuzz_target;

fn keys_ascend(v: &Value) -> bool {
    match v {
        Value::Map(entries) => {
            entries
                .windows(2)
                .all(|w| cbor::encode(&w[0].0) < cbor::encode(&w[1].0))
                && entries
                    .iter()
                    .all(|(k, v)| keys_ascend(k) && keys_ascend(v))
        }
        Value::Array(items) => items.iter().all(keys_ascend),
        Value::Tag(_, inner) => keys_ascend(inner),
        _ => true,
    }
}

fn reference_accepts(bytes: &[u8]) -> bool {
    if bytes.len() > MAX_ITEM_BYTES {
        return false;
    }
    let mut rest = bytes;
    let Ok(value) =
        ciborium::de::from_reader_with_recursion_limit::<Value, _>(&mut rest, MAX_DEPTH)
    else {
        return false;
    };
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Map(entries) => entries.iter().map(|(k, v)| count(k) + count(v)).sum(),
            Value::Array(items) => items.iter().map(count).sum(),
            Value::Tag(_, inner) => count(inner),
            _ => 0,
        }
    }
    rest.is_empty()
        && keys_ascend(&value)
        && count(&value) <= cbor::max_items(MAX_ITEM_BYTES)
        && cbor::encode(&value) == bytes
}

/// Structural equality that takes two floats as equal when their bits are (NaN != NaN).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| same(k1, k2) && same(v1, v2))
        }
        (Value::Tag(t, x), Value::Tag(u, y)) => t == u && same(x, y),
        _ => a == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let decoded = cbor::decode(data);
    if let Ok(value) = &decoded {
        assert_eq!(cbor::encode(value), data);
        let theirs: Value = ciborium::de::from_reader(data).expect("ciborium reads it too");
        assert!(same(value, &theirs), "{value:?} != {theirs:?}");
    }
    assert_eq!(decoded.is_ok(), reference_accepts(data), "{decoded:?}");
});
