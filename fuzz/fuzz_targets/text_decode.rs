//! The QR text codec: prefix, length cap, base45, raw or zlib (with or without a preset
//! dictionary), inflate cap. Arbitrary bytes go both through `text::decode` (as text) and
//! straight into `text::inflate`.
#![no_main]

use giayto_cose::text::{self, Dictionary, MAX_INFLATED, MAX_TEXT_LEN};
use libfuzzer_sys::fuzz_target;

const DICTIONARY: &[u8] =
    b"VN.BCA.C06 VN.BHXH Nguyen Tran Le Pham Thanh pho Ha Noi Ho Chi Minh Phuong Xa";

fuzz_target!(|data: &[u8]| {
    let dictionaries = [Dictionary::new(DICTIONARY)];
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok((kind, bytes)) = text::decode(s, &dictionaries) {
            assert!(s.len() <= MAX_TEXT_LEN + 64);
            assert!(bytes.len() <= MAX_INFLATED);
            // Whatever decodes re-encodes to a text that decodes to the same bytes.
            if bytes.first() == Some(&0xD2) {
                let again = text::encode(kind, &bytes, dictionaries.first());
                assert_eq!(text::decode(&again, &dictionaries), Ok((kind, bytes)));
            }
        }
    }
    if let Ok(inflated) = text::inflate(data, &dictionaries) {
        assert!(inflated.len() <= MAX_INFLATED);
    }
});
