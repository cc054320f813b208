//! The strict deterministic CBOR decoder: never panics, builds the value ciborium reads, and
//! accepts exactly what the plain
//! definition accepts (one ciborium item within the depth, size and item-count limits, nothing after it, map keys strictly
//! ascending by their encodings, a re-encoding equal to the input).
#![no_main]

use ciborium::value::Value;
use giayto_cose::cbor;
use libfuzzer_sys::fuzz_target;

// The plain definition of what the strict decoder accepts, shared with the property tests.
#[path = "../../crates/giayto-cose/tests/reference/mod.rs"]
mod reference;
use reference::{reference_accepts, same};

fuzz_target!(|data: &[u8]| {
    let decoded = cbor::decode(data);
    if let Ok(value) = &decoded {
        assert_eq!(cbor::encode(value), data);
        let theirs: Value = ciborium::de::from_reader(data).expect("ciborium reads it too");
        assert!(same(value, &theirs), "{value:?} != {theirs:?}");
    }
    assert_eq!(decoded.is_ok(), reference_accepts(data), "{decoded:?}");
});
