//! Hostile input: the scanner returns errors, never panics, never allocates for a lying header.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{opts, png_bytes, vn1_text, Rng};
use giayto_qr::image::{GrayImage, Luma};
use giayto_qr::{
    decode_image_bytes, render_png, scan_with, EccLevel, ImageKind, ScanError, DEFAULT_PASSES,
    MAX_FINDER_CANDIDATES, MAX_GRID_ATTEMPTS, MAX_SCAN_PIXEL_WORK,
};
use proptest::prelude::*;

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A PNG with a valid IHDR (correct CRC) claiming `w`×`h`, one empty IDAT, and IEND.
fn lying_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A baseline JPEG header (SOI, SOF0) claiming `w`×`h`, then nothing.
fn lying_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08];
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&[0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9]);
    out
}

#[test]
fn garbage_and_empty_input() {
    assert!(matches!(decode_image_bytes(b""), Err(ScanError::Empty)));
    assert!(matches!(
        decode_image_bytes(b"VN1:6BFOXN*TS0BI$ZD"),
        Err(ScanError::UnsupportedFormat)
    ));
    let mut rng = Rng::new(3);
    let noise: Vec<u8> = (0..4096).map(|_| rng.next_u64() as u8).collect();
    assert!(matches!(
        decode_image_bytes(&noise),
        Err(ScanError::UnsupportedFormat)
    ));
    // Signatures alone are not images.
    assert!(matches!(
        decode_image_bytes(b"\x89PNG\r\n\x1a\n"),
        Err(ScanError::Malformed {
            format: ImageKind::Png,
            ..
        })
    ));
    assert!(matches!(
        decode_image_bytes(b"\xff\xd8\xff"),
        Err(ScanError::Malformed {
            format: ImageKind::Jpeg,
            ..
        })
    ));
}

#[test]
fn truncated_png_is_malformed() {
    let png = render_png(&vn1_text(1, 300), &opts(EccLevel::Q, 4)).unwrap();
    for cut in [9, 20, 33, 40, png.len() / 2, png.len() - 13] {
        let r = decode_image_bytes(&png[..cut]);
        assert!(
            matches!(
                r,
                Err(ScanError::Malformed {
                    format: ImageKind::Png,
                    ..
                })
            ),
            "cut at {cut}: {r:?}"
        );
    }
}

#[test]
fn huge_png_header_is_refused_before_decoding() {
    for (w, h) in [
        (100_000, 100_000),
        (16_385, 10),
        (16_000, 16_000),
        (10_000, 4_001),
    ] {
        let r = decode_image_bytes(&lying_png(w, h));
        assert!(
            matches!(r, Err(ScanError::ImageTooLarge { width, height, .. }) if (width, height) == (w, h)),
            "{w}x{h}: {r:?}"
        );
    }
    // Within bounds but with no pixel data: an error, not a panic.
    assert!(decode_image_bytes(&lying_png(4_000, 4_000)).is_err());
}

#[test]
fn huge_jpeg_header_is_refused() {
    for (w, h) in [(65_000u16, 65_000u16), (20_000, 100), (8_000, 8_000)] {
        let r = decode_image_bytes(&lying_jpeg(w, h));
        assert!(
            matches!(
                r,
                Err(ScanError::ImageTooLarge { .. })
                    | Err(ScanError::LimitExceeded {
                        format: ImageKind::Jpeg
                    })
                    | Err(ScanError::Malformed {
                        format: ImageKind::Jpeg,
                        ..
                    })
            ),
            "{w}x{h}: {r:?}"
        );
    }
}

#[test]
fn oversized_file_is_refused_unread() {
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(giayto_qr::MAX_FILE_BYTES + 1, 0);
    assert!(matches!(
        decode_image_bytes(&big),
        Err(ScanError::FileTooLarge { len, max }) if len == big.len() && max == giayto_qr::MAX_FILE_BYTES
    ));
}

#[test]
fn is_image_tells_images_from_text() {
    let png = png_bytes(&GrayImage::from_pixel(4, 4, Luma([255])));
    assert!(giayto_qr::is_image(&png));
    assert!(giayto_qr::is_image(&[0xFF, 0xD8, 0xFF, 0xE0]));
    assert!(!giayto_qr::is_image(b"VN1:ABC"));
    assert!(!giayto_qr::is_image(b""));
    assert!(!giayto_qr::is_image(b"\x89PN"));
}

/// The image of issue 12: 24 px tiles each holding a finder-pattern look-alike (nested
/// squares of 21, 15 and 9 px). Before the work budget it took 2 s at 240 px and 25 s at
/// 600 px, growing with the cube of the number of tiles.
fn finder_tiles(side: u32) -> GrayImage {
    GrayImage::from_fn(side, side, |x, y| {
        let (tx, ty) = ((x % 24) / 3, (y % 24) / 3);
        let dark = tx < 7 && ty < 7 && tx.min(ty).min(6 - tx).min(6 - ty) != 1;
        Luma([if dark { 0 } else { 255 }])
    })
}

#[test]
fn finder_lattice_gives_up_within_the_budget() {
    for side in [240, 600] {
        let png = png_bytes(&finder_tiles(side));
        assert_eq!(decode_image_bytes(&png).unwrap(), Vec::<String>::new());
        let img = giayto_qr::image::DynamicImage::ImageLuma8(finder_tiles(side));
        let work = scan_with(&img, DEFAULT_PASSES).work;
        assert!(work.pixels <= MAX_SCAN_PIXEL_WORK, "{work:?}");
        assert!(work.finder_candidates <= MAX_FINDER_CANDIDATES, "{work:?}");
        assert!(work.grid_attempts <= MAX_GRID_ATTEMPTS, "{work:?}");
        assert!(work.gave_up > 0, "a limit stopped it: {work:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Fuzz-style: arbitrary bytes after a PNG or JPEG signature never panic.
    #[test]
    fn arbitrary_bytes_never_panic(jpeg in any::<bool>(), tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = if jpeg { vec![0xFF, 0xD8, 0xFF] } else { b"\x89PNG\r\n\x1a\n".to_vec() };
        bytes.extend_from_slice(&tail);
        let _ = decode_image_bytes(&bytes);
    }

    /// Fuzz-style: a valid PNG with bytes flipped never panics.
    #[test]
    fn mutated_png_never_panics(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let png = render_png("VN1:MUTATE ME", &opts(EccLevel::Q, 2)).unwrap();
        let mut bytes = png.clone();
        for (i, x) in flips {
            let i = i % bytes.len();
            bytes[i] ^= x | 1;
        }
        let _ = decode_image_bytes(&bytes);
    }
}
