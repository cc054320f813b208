//! Signed status list tokens (DESIGN §3.4), as a device receives them: the signed token under
//! the issuer's key, and the claims payload directly (the parser behind the signature). An
//! accepted payload encodes back to a token that reads the same, and every index looks up.
#![no_main]

use ed25519_dalek::SigningKey;
use giayto_status::{SignedStatusList, StatusListToken};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(signed) = SignedStatusList::parse(data) {
        let key = SigningKey::from_bytes(&giayto_vectors::seeds::POLICE).verifying_key();
        let _ = signed.verify(&key);
    }
    if let Ok(token) = StatusListToken::from_payload(data) {
        let payload = token.payload().expect("an accepted list compresses again");
        let again = StatusListToken::from_payload(&payload);
        assert_eq!(again.as_ref(), Ok(&token));
        let len = token.list.len();
        for index in [0, 1, len / 2, len.saturating_sub(1), len, u64::MAX] {
            assert_eq!(token.list.get(index).is_some(), index < len);
        }
    }
});
