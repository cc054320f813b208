//! The whole one-call verifier on arbitrary scanned text, with the test-vector trust list.
//! Nothing but a genuinely signed credential may come out valid, so any acceptance must be
//! one of the issuers' own credentials (signed by a test-vector key).
#![no_main]

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use giayto_verify::Verifier;
use libfuzzer_sys::fuzz_target;

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let root = SigningKey::from_bytes(&giayto_vectors::seeds::ROOT);
        let list = giayto_vectors::trust_list().sign(&root).expect("signs");
        Verifier::new(root.verifying_key(), &list).expect("trust list verifies")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for at in [giayto_vectors::AT, 0, i64::MAX, i64::MIN] {
        if let Ok(credential) = verifier().verify(&text, at) {
            assert!(credential.claims().expires_at > at);
        }
    }
});
