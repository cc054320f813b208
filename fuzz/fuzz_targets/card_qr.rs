//! The chip ID card's own QR (`id|old id|name|dob|sex|address|issue date`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = giayto_model::parse_card_qr(s);
    }
});
