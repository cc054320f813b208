//! Holder presentations (`VP1:`, DESIGN §3.3): the whole text through the verifier with a
//! nonce expected and without, and the payload parser behind the holder's signature. An
//! accepted payload encodes back to the same bytes (compared as bytes: the embedded credential
//! is opaque here).
#![no_main]

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use giayto_cose::presentation::PresentationPayload;
use giayto_verify::Verifier;
use libfuzzer_sys::fuzz_target;

/// The test-vector verifier, plain and expecting a nonce.
fn verifiers() -> &'static [Verifier; 2] {
    static V: OnceLock<[Verifier; 2]> = OnceLock::new();
    V.get_or_init(|| {
        let root = SigningKey::from_bytes(&giayto_vectors::seeds::ROOT);
        let list = giayto_vectors::trust_list().sign(&root).expect("signs");
        let plain = Verifier::new(root.verifying_key(), &list).expect("trust list verifies");
        let nonce = plain.clone().with_expected_nonce(Some(vec![0x5a; 16]));
        [plain, nonce]
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(payload) = PresentationPayload::from_bytes(data) {
        let bytes = payload.to_bytes();
        assert_eq!(
            PresentationPayload::from_bytes(&bytes)
                .map(|p| p.to_bytes())
                .as_ref(),
            Ok(&bytes)
        );
        if let Some(nonce) = &payload.nonce {
            assert!(!nonce.is_empty() && nonce.len() <= giayto_cose::presentation::MAX_NONCE);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for verifier in verifiers() {
            if let Ok(credential) = verifier.verify(text, giayto_vectors::AT) {
                assert!(credential.claims().expires_at > giayto_vectors::AT);
            }
        }
    }
});
