//! Property test of the trust list's encode/decode pair: any list the root signs verifies under
//! the root key and reads back equal; under another key it is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use ed25519_dalek::SigningKey;
use giayto_trust::{IssuerEntry, TrustError, TrustList};
use proptest::collection::vec;
use proptest::prelude::*;

fn entry() -> impl Strategy<Value = IssuerEntry> {
    (
        "VN\\.[A-Z0-9.]{1,30}",
        "\\PC{1,60}",
        proptest::option::of("[A-Za-z ]{1,60}"),
        any::<[u8; 32]>(),
        vec(1u64..10, 0..5),
        (any::<i64>(), any::<i64>()),
        proptest::option::of("https://[a-z]{1,20}\\.example\\.invalid/[a-z0-9/]{0,30}"),
    )
        .prop_map(
            |(id, name_vi, name_en, seed, doc_types, (not_before, not_after), prefix)| {
                IssuerEntry {
                    id,
                    name_vi,
                    name_en,
                    public_key: SigningKey::from_bytes(&seed).verifying_key().to_bytes(),
                    doc_types,
                    not_before,
                    not_after,
                    status_uri_prefix: prefix,
                }
            },
        )
}

fn list() -> impl Strategy<Value = TrustList> {
    (
        "VN\\.ROOT[A-Z.]{0,10}",
        any::<u64>(),
        any::<i64>(),
        any::<i64>(),
        vec(entry(), 0..6),
    )
        .prop_map(
            |(root_id, sequence, issued_at, expires_at, issuers)| TrustList {
                root_id,
                sequence,
                issued_at,
                expires_at,
                issuers,
                withdrawn: Default::default(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn trust_list_sign_verify_round_trip(l in list(), root_seed in any::<[u8; 32]>()) {
        // Texts are stored as given: this generator makes none empty or over 256 bytes.
        let root = SigningKey::from_bytes(&root_seed);
        let signed = l.sign(&root).unwrap();
        prop_assert_eq!(TrustList::verify(&signed, &root.verifying_key()), Ok(l.clone()));
        for e in &l.issuers {
            prop_assert_eq!(l.find(&e.kid()).map(|f| f.kid()), Some(e.kid()));
        }
        let mut other_seed = root_seed;
        other_seed[0] ^= 1;
        let other = SigningKey::from_bytes(&other_seed);
        prop_assert_eq!(
            TrustList::verify(&signed, &other.verifying_key()),
            Err(TrustError::WrongRoot)
        );
    }
}
