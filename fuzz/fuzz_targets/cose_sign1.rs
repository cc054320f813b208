//! COSE_Sign1 parsing with the giayto profile, for each typ, then the signature check under a
//! fixed key (almost always a rejection, which must not panic).
#![no_main]

use ed25519_dalek::SigningKey;
use giayto_cose::sign1::Sign1;
use giayto_cose::{CREDENTIAL_TYP, STATUS_LIST_TYP, TRUST_LIST_TYP};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::from_bytes(&giayto_vectors::seeds::POLICE).verifying_key();
    for typ in [CREDENTIAL_TYP, TRUST_LIST_TYP, STATUS_LIST_TYP] {
        if let Ok(signed) = Sign1::parse(data, typ) {
            assert!(signed.payload().len() < data.len());
            let _ = signed.verify(&key);
        }
    }
});
