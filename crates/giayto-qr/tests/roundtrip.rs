//! Render → decode round trips at realistic sizes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{opts, vn1_text};
use giayto_qr::image;
use giayto_qr::{
    decode_image, decode_image_bytes, render_png, scan_with, EccLevel, Tone, DEFAULT_PASSES,
};
use proptest::prelude::*;

const LENGTHS: [usize; 4] = [300, 555, 870, 1200];

#[test]
fn png_bytes_round_trip_at_m_and_q() {
    for ecc in [EccLevel::M, EccLevel::Q] {
        for (i, n) in LENGTHS.into_iter().enumerate() {
            let text = vn1_text(1000 + i as u64, n);
            let png = render_png(&text, &opts(ecc, 4)).unwrap();
            assert_eq!(
                decode_image_bytes(&png).unwrap(),
                std::slice::from_ref(&text),
                "{ecc} n={n}"
            );
        }
    }
}

#[test]
fn dynamic_image_round_trip_at_m_and_q() {
    for ecc in [EccLevel::M, EccLevel::Q] {
        for (i, n) in LENGTHS.into_iter().enumerate() {
            let text = vn1_text(2000 + i as u64, n);
            let png = render_png(&text, &opts(ecc, 3)).unwrap();
            let img = image::load_from_memory(&png).unwrap();
            // Also as RGBA: colour images take the same path.
            let rgba = image::DynamicImage::ImageRgba8(img.to_rgba8());
            assert_eq!(
                decode_image(&img),
                std::slice::from_ref(&text),
                "{ecc} n={n}"
            );
            assert_eq!(
                decode_image(&rgba),
                std::slice::from_ref(&text),
                "{ecc} n={n} rgba"
            );
        }
    }
}

#[test]
fn clean_render_is_read_by_the_first_pass() {
    let text = vn1_text(7, 600);
    let png = render_png(&text, &opts(EccLevel::Q, 4)).unwrap();
    let report = scan_with(&image::load_from_memory(&png).unwrap(), DEFAULT_PASSES);
    assert_eq!(report.texts, [text]);
    assert_eq!(report.pass, Some(DEFAULT_PASSES[0]));
    // The first pass works on a shrunk image, so its tone also runs at full size once.
    assert!(report.tried.len() <= 2, "{:?}", report.tried);
    assert_eq!(report.tried[0], DEFAULT_PASSES[0]);
}

/// Plumbing check for each pass (scale, polarity, binarisation): a small symbol, where rqrr's
/// geometry is reliable, must be read by every pass that applies.
#[test]
fn every_pass_reads_a_clean_small_symbol() {
    let text = vn1_text(8, 60);
    let grey = common::render_grey(&text, EccLevel::Q, 6);
    let normal = image::DynamicImage::ImageLuma8(grey.clone());
    let inverted = image::DynamicImage::ImageLuma8(common::invert(&grey));
    let mut ran = 0;
    for &pass in DEFAULT_PASSES {
        let img = if matches!(
            pass.tone,
            Tone::Inverted | Tone::AdaptiveInverted | Tone::ZxInverted
        ) {
            &inverted
        } else {
            &normal
        };
        let report = scan_with(img, &[pass]);
        if report.tried.is_empty() {
            continue; // Not applicable at this size.
        }
        ran += 1;
        assert_eq!(report.texts, std::slice::from_ref(&text), "pass {pass}");
    }
    assert!(ran >= 12, "only {ran} passes applied");
}

#[test]
fn transparent_background_reads_as_white() {
    let text = vn1_text(9, 300);
    let grey = common::render_grey(&text, EccLevel::Q, 4);
    // Dark modules opaque black, light ones fully transparent black.
    let rgba = image::RgbaImage::from_fn(grey.width(), grey.height(), |x, y| {
        let dark = grey.get_pixel(x, y)[0] < 128;
        image::Rgba([0, 0, 0, if dark { 255 } else { 0 }])
    });
    assert_eq!(decode_image(&image::DynamicImage::ImageRgba8(rgba)), [text]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_alphanumeric_text_round_trips(
        body in "[0-9A-Z $%*+./:-]{0,200}",
        q in any::<bool>(),
    ) {
        let text = format!("VN1:{body}");
        let ecc = if q { EccLevel::Q } else { EccLevel::M };
        let png = render_png(&text, &opts(ecc, 2)).unwrap();
        prop_assert_eq!(decode_image_bytes(&png).unwrap(), vec![text]);
    }

    #[test]
    fn any_unicode_text_round_trips(text in "\\PC{1,60}") {
        let png = render_png(&text, &opts(EccLevel::M, 2)).unwrap();
        prop_assert_eq!(decode_image_bytes(&png).unwrap(), vec![text]);
    }
}
