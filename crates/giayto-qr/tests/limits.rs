//! Image caps at the limit and just over: side length, pixel count and file size. Headers that
//! claim a size within the caps get past the size check (and then fail on their missing
//! pixels); one pixel more is refused before any decoding.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use giayto_qr::{decode_image_bytes, ScanError, MAX_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// A PNG whose header claims `w`×`h` 8-bit grey pixels and whose image data is empty.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut put = |kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    put(b"IHDR", &ihdr);
    put(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    put(b"IEND", &[]);
    out
}

fn too_large(r: &Result<Vec<String>, ScanError>) -> bool {
    matches!(r, Err(ScanError::ImageTooLarge { .. }))
}

#[test]
fn side_cap_at_and_over() {
    let at = decode_image_bytes(&png_claiming(MAX_IMAGE_SIDE, 16));
    assert!(at.is_err() && !too_large(&at), "{at:?}");
    let over = decode_image_bytes(&png_claiming(MAX_IMAGE_SIDE + 1, 16));
    assert!(too_large(&over), "{over:?}");
    let over = decode_image_bytes(&png_claiming(16, MAX_IMAGE_SIDE + 1));
    assert!(too_large(&over), "{over:?}");
}

#[test]
fn pixel_cap_at_and_over() {
    // 40,000,000 pixels: 8,000 × 5,000 is exactly at the cap.
    let (w, h) = (8_000u32, 5_000u32);
    assert_eq!(u64::from(w) * u64::from(h), MAX_IMAGE_PIXELS);
    let at = decode_image_bytes(&png_claiming(w, h));
    assert!(at.is_err() && !too_large(&at), "{at:?}");
    let over = decode_image_bytes(&png_claiming(w, h + 1));
    assert!(too_large(&over), "{over:?}");
}

#[test]
fn file_size_cap_at_and_over() {
    let mut at = png_claiming(64, 64);
    at.resize(MAX_FILE_BYTES, 0);
    let r = decode_image_bytes(&at);
    assert!(!matches!(r, Err(ScanError::FileTooLarge { .. })), "{r:?}");
    at.push(0);
    assert!(matches!(
        decode_image_bytes(&at),
        Err(ScanError::FileTooLarge { len, max }) if len == MAX_FILE_BYTES + 1 && max == MAX_FILE_BYTES
    ));
}
