//! Status delta updates (docs/format.md §9.7) as a checkpoint device scans them: the `VD1:`
//! text, the signed delta under the issuer's key, the claims payload behind the signature, and
//! the encoding of the changes. Accepted claims encode back to the same delta; applied to a list
//! it names as its base, a delta gives a list of the same length with the delta's times, or is
//! refused, never a panic.
#![no_main]

use ed25519_dalek::SigningKey;
use giayto_status::{
    decode_changes, encode_changes, list_hash, DeltaBase, SignedStatusDelta, StatusDelta,
    StatusList, StatusListToken, MIN_ENTRIES,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::from_bytes(&giayto_vectors::seeds::POLICE).verifying_key();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(signed) = SignedStatusDelta::from_text(text) {
            let _ = signed.verify(&key);
        }
    }
    if let Ok(signed) = SignedStatusDelta::parse(data) {
        let _ = signed.verify(&key);
    }
    if let Ok(changes) = decode_changes(data) {
        assert_eq!(encode_changes(&changes).as_deref(), Ok(data));
    }
    if let Ok(delta) = StatusDelta::from_payload(data) {
        let payload = delta.payload().expect("accepted changes encode again");
        assert_eq!(StatusDelta::from_payload(&payload).as_ref(), Ok(&delta));
        let list = StatusList::new(MIN_ENTRIES).expect("minimum size");
        let base = StatusListToken {
            uri: delta.uri.clone(),
            issued_at: delta.base.issued_at,
            expires_at: delta.base.issued_at + 1,
            ttl: None,
            list,
        };
        // Only a base that matches gets as far as the changes.
        let mut matching = delta.clone();
        matching.base = DeltaBase {
            issued_at: base.issued_at,
            hash: list_hash(&base.list),
        };
        for d in [&delta, &matching] {
            if let Ok(next) = d.apply(&base) {
                assert_eq!(next.list.len(), base.list.len());
                assert_eq!(next.issued_at, d.issued_at);
                assert_eq!(next.expires_at, d.expires_at);
            }
        }
    }
});
