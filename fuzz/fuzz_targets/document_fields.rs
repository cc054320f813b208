//! Document fields of each type from strict CBOR: never panics, and an accepted document
//! encodes to fields that decode to the same document, and to JSON that parses back to it.
#![no_main]

use giayto_cose::cbor;
use giayto_model::{DocType, Document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(fields) = cbor::decode(data) else {
        return;
    };
    for doc_type in DocType::ALL {
        if let Ok(document) = Document::from_cbor(doc_type, &fields) {
            // Compared as bytes: unknown fields may hold NaN, never equal to itself as a value.
            let encoded = cbor::encode(&document.to_cbor());
            let again = Document::from_cbor(doc_type, &document.to_cbor())
                .map(|d| cbor::encode(&d.to_cbor()));
            assert_eq!(again.as_ref(), Ok(&encoded));
            let _ = document.display_fields();
            let _ = document.to_json();
        }
    }
});
