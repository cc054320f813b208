//! Helpers shared by the integration tests: a tiny seeded generator and image degradations.
#![allow(dead_code)]

use giayto_qr::image::{self, DynamicImage, GrayImage, Luma};
use giayto_qr::{render_png, EccLevel, RenderOptions};

/// The base45 alphabet (RFC 9285).
pub const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// SplitMix64: small, seeded, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Approximately standard normal (Irwin–Hall with 12 terms).
    pub fn gaussian(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }
}

/// `"VN1:"` followed by `n` pseudo-random base45 characters.
pub fn vn1_text(seed: u64, n: usize) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::from("VN1:");
    s.extend((0..n).map(|_| BASE45[rng.below(45) as usize] as char));
    s
}

pub fn opts(ecc: EccLevel, module_px: u32) -> RenderOptions {
    RenderOptions {
        ecc,
        module_px,
        ..RenderOptions::default()
    }
}

/// Renders through the public PNG path and decodes the PNG back to greyscale pixels.
pub fn render_grey(text: &str, ecc: EccLevel, module_px: u32) -> GrayImage {
    let png = render_png(text, &opts(ecc, module_px)).expect("render");
    image::load_from_memory(&png)
        .expect("own PNG decodes")
        .to_luma8()
}

pub fn png_bytes(img: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageLuma8(img.clone())
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode png");
    out
}

pub fn jpeg_bytes(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    DynamicImage::ImageLuma8(img.clone())
        .write_with_encoder(enc)
        .expect("encode jpeg");
    out
}

pub fn invert(img: &GrayImage) -> GrayImage {
    let mut out = img.clone();
    image::imageops::invert(&mut out);
    out
}

pub fn scale(img: &GrayImage, factor: f64) -> GrayImage {
    let w = ((img.width() as f64) * factor).round() as u32;
    let h = ((img.height() as f64) * factor).round() as u32;
    image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle)
}

pub fn add_noise(img: &GrayImage, sigma: f64, seed: u64) -> GrayImage {
    let mut rng = Rng::new(seed);
    let mut out = img.clone();
    for p in out.iter_mut() {
        *p = (f64::from(*p) + sigma * rng.gaussian())
            .round()
            .clamp(0.0, 255.0) as u8;
    }
    out
}

/// Maps the full 0..=255 range into `lo..=hi` (low contrast).
pub fn squash(img: &GrayImage, lo: u8, hi: u8) -> GrayImage {
    let mut out = img.clone();
    for p in out.iter_mut() {
        *p = lo + ((u32::from(*p) * u32::from(hi - lo)) / 255) as u8;
    }
    out
}

/// A `w`×`h` canvas with a diagonal light gradient, noise, and `code` pasted at (`x`, `y`)
/// with its pixels darkened by the local background (as a shadow would).
pub fn gradient_canvas(w: u32, h: u32, code: &GrayImage, x: u32, y: u32, seed: u64) -> GrayImage {
    let mut rng = Rng::new(seed);
    let bg = |cx: u32, cy: u32| -> f64 { 70.0 + 170.0 * (cx + cy) as f64 / (w + h) as f64 };
    GrayImage::from_fn(w, h, |cx, cy| {
        let base = bg(cx, cy);
        let v = if cx >= x && cy >= y && cx - x < code.width() && cy - y < code.height() {
            let c = f64::from(code.get_pixel(cx - x, cy - y)[0]) / 255.0;
            base * (0.25 + 0.75 * c)
        } else {
            base
        };
        Luma([(v + 6.0 * rng.gaussian()).round().clamp(0.0, 255.0) as u8])
    })
}
