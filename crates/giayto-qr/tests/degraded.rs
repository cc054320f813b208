//! Camera-like degradations the scanner must survive.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::*;
use giayto_qr::image::{self, imageops, DynamicImage, GrayImage};
use giayto_qr::{decode_image, decode_image_bytes, scan_with, EccLevel, DEFAULT_PASSES};

fn text() -> String {
    vn1_text(42, 450)
}

fn clean() -> GrayImage {
    render_grey(&text(), EccLevel::Q, 6)
}

/// Decodes and, for the record, prints which pass succeeded.
fn decode_report(name: &str, img: &GrayImage) -> Vec<String> {
    let report = scan_with(&DynamicImage::ImageLuma8(img.clone()), DEFAULT_PASSES);
    eprintln!(
        "{name}: {}x{} -> pass {:?} after {} passes",
        img.width(),
        img.height(),
        report.pass.map(|p| p.name()),
        report.tried.len()
    );
    report.texts
}

#[test]
fn inverted() {
    assert_eq!(decode_report("inverted", &invert(&clean())), [text()]);
}

#[test]
fn scaled_half_bilinear() {
    assert_eq!(decode_report("x0.5", &scale(&clean(), 0.5)), [text()]);
}

#[test]
fn scaled_triple_bilinear() {
    assert_eq!(decode_report("x3", &scale(&clean(), 3.0)), [text()]);
}

#[test]
fn small_code_in_large_noisy_gradient_canvas() {
    let code = scale(&clean(), 0.75);
    let canvas = gradient_canvas(2400, 1800, &code, 1300, 700, 5);
    assert_eq!(decode_report("canvas", &canvas), [text()]);
}

#[test]
fn gaussian_noise() {
    let noisy = add_noise(&clean(), 40.0, 11);
    assert_eq!(decode_report("noise", &noisy), [text()]);
}

#[test]
fn low_contrast_with_noise() {
    let img = add_noise(&squash(&clean(), 90, 150), 8.0, 12);
    assert_eq!(decode_report("low-contrast", &img), [text()]);
}

#[test]
fn jpeg_quality_30() {
    let jpeg = jpeg_bytes(&scale(&clean(), 0.8), 30);
    assert!(giayto_qr::is_image(&jpeg));
    assert_eq!(decode_image_bytes(&jpeg).unwrap(), [text()]);
}

#[test]
fn rotated_90() {
    let rotated = imageops::rotate90(&clean());
    assert_eq!(decode_report("rot90", &rotated), [text()]);
    let rotated = imageops::rotate270(&add_noise(&clean(), 20.0, 3));
    assert_eq!(decode_report("rot270-noise", &rotated), [text()]);
}

#[test]
fn two_codes_in_one_image() {
    let (a, b) = (vn1_text(100, 320), vn1_text(101, 500));
    let ia = render_grey(&a, EccLevel::Q, 4);
    let ib = render_grey(&b, EccLevel::M, 4);
    let mut canvas = GrayImage::from_pixel(
        ia.width() + ib.width() + 40,
        ia.height().max(ib.height()) + 40,
        image::Luma([255]),
    );
    imageops::replace(&mut canvas, &ia, 10, 20);
    imageops::replace(&mut canvas, &ib, i64::from(ia.width()) + 30, 10);
    let texts = decode_image(&DynamicImage::ImageLuma8(canvas));
    assert_eq!(texts, [a.clone(), b.clone()]);

    // The same code twice is reported once.
    let mut twice =
        GrayImage::from_pixel(ia.width() * 2 + 20, ia.height() + 20, image::Luma([255]));
    imageops::replace(&mut twice, &ia, 0, 10);
    imageops::replace(&mut twice, &ia, i64::from(ia.width()) + 20, 10);
    assert_eq!(decode_image(&DynamicImage::ImageLuma8(twice)), [a]);
}

#[test]
fn blank_and_noise_images_hold_no_code() {
    let blank = GrayImage::from_pixel(300, 200, image::Luma([255]));
    assert!(decode_image(&DynamicImage::ImageLuma8(blank.clone())).is_empty());
    let noise = add_noise(
        &GrayImage::from_pixel(400, 300, image::Luma([128])),
        60.0,
        9,
    );
    assert!(decode_image_bytes(&png_bytes(&noise)).unwrap().is_empty());
    let tiny = GrayImage::from_pixel(1, 1, image::Luma([0]));
    assert!(decode_image(&DynamicImage::ImageLuma8(tiny)).is_empty());
}

/// Large versions at awkward scales: rqrr alone misses many of these (whole-pixel finder
/// corners skew its geometry); the rescale passes must recover every one.
#[test]
fn sweep_versions_and_scales() {
    let mut misses = Vec::new();
    let mut by_pass = std::collections::BTreeMap::<String, usize>::new();
    for (i, n) in [300usize, 450, 900].into_iter().enumerate() {
        let text = vn1_text(500 + i as u64, n);
        let clean = render_grey(&text, EccLevel::Q, 6);
        for f in [0.5, 0.6, 0.75, 0.9, 1.1, 1.3] {
            for dark_mode in [false, true] {
                let mut img = scale(&clean, f);
                if dark_mode {
                    img = invert(&img);
                }
                let report = scan_with(&DynamicImage::ImageLuma8(img), DEFAULT_PASSES);
                *by_pass
                    .entry(report.pass.map_or("none".into(), |p| p.name()))
                    .or_default() += 1;
                if report.texts != std::slice::from_ref(&text) {
                    misses.push((n, f, dark_mode));
                }
            }
        }
    }
    eprintln!("passes that succeeded: {by_pass:?}");
    assert!(
        misses.is_empty(),
        "missed (len, scale, dark mode): {misses:?}"
    );
}
