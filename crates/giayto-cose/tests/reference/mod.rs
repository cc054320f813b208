//! The strict CBOR decoder's rules written as plainly as they can be, to hold the one-pass
//! decoder against: used by the property tests (`tests/properties.rs`) and by the
//! `cbor_strict` fuzz target, which includes this file by path.

use ciborium::value::Value;
use giayto_cose::cbor::{self, MAX_DEPTH};

/// The strict decoder's rules as plainly as they can be written: one ciborium item within the
/// depth, size and item-count limits, nothing after it, map keys strictly ascending by their
/// encodings, and a re-encoding equal to the input.
pub fn reference_accepts(bytes: &[u8]) -> bool {
    if bytes.len() > cbor::MAX_ITEM_BYTES {
        return false;
    }
    let mut rest = bytes;
    let Ok(value) =
        ciborium::de::from_reader_with_recursion_limit::<Value, _>(&mut rest, MAX_DEPTH)
    else {
        return false;
    };
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
        && count(&value) <= cbor::max_items(cbor::MAX_ITEM_BYTES)
        && cbor::encode(&value) == bytes
}

/// Structural equality that takes two floats as equal when their bits are (NaN != NaN).
pub fn same(a: &Value, b: &Value) -> bool {
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
