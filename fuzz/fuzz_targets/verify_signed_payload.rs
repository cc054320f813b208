//! Arbitrary bytes as the claims of a credential that a trusted issuer really signed: this
//! reaches everything behind the signature check (claims, issuer authority, document fields,
//! validity, policy) which random text almost never does.
#![no_main]

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use giayto_cose::{sign1, CREDENTIAL_TYP};
use giayto_verify::{Policy, Verifier};
use libfuzzer_sys::fuzz_target;

struct Setup {
    issuer: SigningKey,
    third_party: Verifier,
    checkpoint: Verifier,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let root = SigningKey::from_bytes(&giayto_vectors::seeds::ROOT);
        let list = giayto_vectors::trust_list().sign(&root).expect("signs");
        let verifier = Verifier::new(root.verifying_key(), &list).expect("trust list verifies");
        Setup {
            issuer: SigningKey::from_bytes(&giayto_vectors::seeds::POLICE),
            checkpoint: verifier.clone().with_policy(Policy::Checkpoint),
            third_party: verifier,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    let Ok(cose) = sign1::sign(&s.issuer, CREDENTIAL_TYP, data.to_vec()) else {
        return;
    };
    for verifier in [&s.third_party, &s.checkpoint] {
        match verifier.verify_cose(&cose, giayto_vectors::AT) {
            Ok(credential) => {
                // Valid only with a document that reads back the same, from this issuer.
                assert_eq!(credential.issuer().id, credential.claims().issuer);
                // A credential (not a presentation) always has its whole document.
                let doc = credential.document();
                assert!(doc.is_some());
                if let Some(doc) = doc {
                    assert_eq!(
                        giayto_model::Document::from_cbor(doc.doc_type(), &doc.to_cbor()).as_ref(),
                        Ok(doc)
                    );
                }
            }
            Err(rejection) => {
                let _ = rejection.to_string();
            }
        }
    }
});
