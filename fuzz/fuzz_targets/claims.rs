//! CWT claims of a credential: never panics, and parsing is a fixed point of encoding
//! (encode(parse(encode(parse(x)))) == encode(parse(x))). Compared as bytes: claims may carry
//! NaN in unknown fields, which is never equal to itself as a value.
#![no_main]

use giayto_cose::claims::CredentialClaims;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(claims) = CredentialClaims::from_bytes(data) {
        let bytes = claims.to_bytes();
        let again = CredentialClaims::from_bytes(&bytes).map(|c| c.to_bytes());
        assert_eq!(again.as_ref(), Ok(&bytes));
    }
});
