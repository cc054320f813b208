//! The card QR parser's length cap, at the limit and just over; and a long address within it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use giayto_model::{parse_card_qr, CardQrError, MAX_CARD_QR_LEN};

const CARD: &str = "001196012345|123456789|Trần Thị Mẫu|17051996|Nữ|Số 1 phố Mẫu, Hà Nội|10042021";

/// The sample card text padded with trailing spaces (trimmed by the parser) to `len` bytes.
fn padded(len: usize) -> String {
    let mut s = CARD.to_owned();
    s.extend(std::iter::repeat_n(' ', len - CARD.len()));
    s
}

#[test]
fn card_qr_length_cap_at_and_over() {
    let at = padded(MAX_CARD_QR_LEN);
    assert_eq!(at.len(), MAX_CARD_QR_LEN);
    let parsed = parse_card_qr(&at).expect("a card text at the cap parses");
    assert_eq!(parsed["id_number"], "001196012345");
    let over = padded(MAX_CARD_QR_LEN + 1);
    assert_eq!(
        parse_card_qr(&over),
        Err(CardQrError::TooLong {
            max: MAX_CARD_QR_LEN
        })
    );
    // Far over: refused by length alone, not split first.
    let huge = "|".repeat(10 * 1024 * 1024);
    assert_eq!(
        parse_card_qr(&huge),
        Err(CardQrError::TooLong {
            max: MAX_CARD_QR_LEN
        })
    );
}
