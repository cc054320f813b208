//! What the wallet's integration tests share: the test clock, the issuer key and a verifier that
//! trusts it (a root's trust list naming `VN.BCA.C06` for the four original document types).
#![allow(dead_code)] // each test file uses its own part

use ed25519_dalek::SigningKey;
use giayto_trust::{IssuerEntry, TrustList};
use giayto_verify::Verifier;

/// The tests' "now", seconds.
pub const NOW: i64 = 1_795_392_000;
/// A day, seconds.
pub const DAY: i64 = 86_400;

/// The issuer's key.
pub fn issuer() -> SigningKey {
    SigningKey::from_bytes(&[0x22; 32])
}

/// A verifier trusting [`issuer`] as `VN.BCA.C06` (no status lists loaded).
pub fn verifier() -> Verifier {
    let root = SigningKey::from_bytes(&[0x11; 32]);
    let list = TrustList {
        root_id: "VN.ROOT.TEST".into(),
        sequence: 1,
        issued_at: NOW - DAY,
        expires_at: NOW + 30 * DAY,
        issuers: vec![IssuerEntry {
            id: "VN.BCA.C06".into(),
            name_vi: "Cục C06".into(),
            name_en: None,
            public_key: issuer().verifying_key().to_bytes(),
            doc_types: vec![1, 2, 3, 4],
            not_before: NOW - 365 * DAY,
            not_after: NOW + 365 * DAY,
            status_uri_prefix: None,
        }],
        withdrawn: Default::default(),
    }
    .sign(&root)
    .unwrap();
    Verifier::new(root.verifying_key(), &list).unwrap()
}
