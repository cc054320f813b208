//! The trust list: arbitrary bytes as a signed list (rejected before its payload unless the
//! root signed them), and arbitrary bytes as a payload the root signed, which reaches the
//! payload parser behind the signature.
#![no_main]

use ed25519_dalek::SigningKey;
use giayto_cose::{sign1, TRUST_LIST_TYP};
use giayto_trust::TrustList;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let root = SigningKey::from_bytes(&giayto_vectors::seeds::ROOT);
    let _ = TrustList::verify(data, &root.verifying_key());
    let Ok(signed) = sign1::sign(&root, TRUST_LIST_TYP, data.to_vec()) else {
        return;
    };
    if let Ok(list) = TrustList::verify(&signed, &root.verifying_key()) {
        // An accepted list signs again into a list that reads the same.
        let again = list.sign(&root).expect("signs");
        assert_eq!(TrustList::verify(&again, &root.verifying_key()), Ok(list));
    }
});
