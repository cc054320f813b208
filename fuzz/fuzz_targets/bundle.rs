//! The offline bundle (docs/format.md §10): an unsigned envelope of a signed trust list, signed
//! status lists and signed status deltas. Any bytes either fail to read or round-trip, and a
//! verifier built from what reads never panics (the parts are checked against the pinned root).
#![no_main]

use ed25519_dalek::SigningKey;
use giayto_verify::{Bundle, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = Bundle::from_bytes(data) else {
        return;
    };
    let again = Bundle::from_bytes(&bundle.to_bytes()).expect("a bundle re-reads");
    assert_eq!(again.trust_list, bundle.trust_list);
    assert_eq!(again.status_lists, bundle.status_lists);
    assert_eq!(again.status_deltas, bundle.status_deltas);
    assert_eq!(again.created_at, bundle.created_at);
    let root = SigningKey::from_bytes(&giayto_vectors::seeds::ROOT).verifying_key();
    if let Ok(verifier) = Verifier::from_bundle(root, &bundle) {
        let _ = verifier.verify("VN1:", giayto_vectors::AT);
    }
});
