//! Finding and decoding QR codes in images.
//!
//! The scanner runs a list of named [`Pass`]es over the greyscale image and stops at the first
//! pass that decodes at least one code. The first pass is rqrr on the image as given, so a
//! clean render costs one detection; the others undo what cameras and screens do to a code
//! (dark-mode inversion, uneven light, noise, moiré, extreme scale). Each pass is measurable on
//! its own through [`scan_with`], which reports the pass that succeeded.

mod detect;
mod filters;
mod load;

use image::{DynamicImage, GrayImage};

pub use self::load::{is_image, MAX_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};

use self::detect::{detect_bitmap, detect_grey, Found};
use self::filters::{adaptive_threshold, box_blur, downscale, invert, rotate90, to_grey, upscale};
use crate::error::ScanError;

/// Images larger than this many pixels are shrunk (by an integer factor, area-averaged) before
/// any pass runs, to bound the time a pass takes. A phone photo of 12 MP is scanned as is.
pub const MAX_WORK_PIXELS: u64 = 16_000_000;

/// Bias of the adaptive threshold: a pixel is dark when below this share of its local mean.
const ADAPTIVE_BIAS_PCT: u32 = 8;

/// One named preprocessing step of the scan pipeline.
///
/// Every pass starts from the same greyscale working image; a pass that does not apply to the
/// image's size (e.g. [`Pass::Upscale2`] on a large photo) is skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pass {
    /// The greyscale image as given; rqrr binarises it with its own row-wise moving average.
    Grey,
    /// Inverted greyscale: light modules on a dark background (dark-mode screens).
    Inverted,
    /// Local mean threshold with a window of about 1/8 of the image's shorter side (uneven
    /// light, shadows, low contrast).
    Adaptive,
    /// Light box blur, then [`Pass::Adaptive`] (sensor noise, moiré, JPEG blocking).
    BlurAdaptive,
    /// Local mean threshold with a small window (about 1/24 of the shorter side), for codes
    /// that fill only part of a large, unevenly lit picture.
    AdaptiveFine,
    /// Shrunk to 1/2 with an area filter (large photos, noise, moiré), then as [`Pass::Grey`].
    Downscale2,
    /// Shrunk to 1/4 with an area filter (very large photos with big modules).
    Downscale4,
    /// Enlarged ×2 with bilinear interpolation (tiny images with modules of 1–2 pixels).
    Upscale2,
    /// Local threshold with inverted polarity (dark-mode screens photographed in uneven light).
    AdaptiveInverted,
    /// Turned a quarter turn; rqrr's detection scans rows, so this occasionally helps codes
    /// seen at an angle.
    Rotate90,
}

/// The passes [`decode_image`] and [`decode_image_bytes`] run, in order.
pub const DEFAULT_PASSES: &[Pass] = &[
    Pass::Grey,
    Pass::Inverted,
    Pass::Adaptive,
    Pass::BlurAdaptive,
    Pass::Downscale2,
    Pass::AdaptiveFine,
    Pass::Upscale2,
    Pass::Downscale4,
    Pass::AdaptiveInverted,
    Pass::Rotate90,
];

impl Pass {
    /// Every pass, in the default order.
    pub const ALL: &'static [Pass] = DEFAULT_PASSES;

    /// A short stable name, for reports and benchmarks.
    pub fn name(self) -> &'static str {
        match self {
            Pass::Grey => "grey",
            Pass::Inverted => "inverted",
            Pass::Adaptive => "adaptive",
            Pass::BlurAdaptive => "blur-adaptive",
            Pass::AdaptiveFine => "adaptive-fine",
            Pass::Downscale2 => "downscale-2",
            Pass::Downscale4 => "downscale-4",
            Pass::Upscale2 => "upscale-2",
            Pass::AdaptiveInverted => "adaptive-inverted",
            Pass::Rotate90 => "rotate-90",
        }
    }

    /// Runs the pass; `None` if it does not apply to an image of this size.
    fn run(self, img: &GrayImage) -> Option<Vec<Found>> {
        let (w, h) = img.dimensions();
        let short = w.min(h);
        let long = w.max(h);
        let coarse = (short / 16).max(4);
        let fine = (short / 48).max(3);
        Some(match self {
            Pass::Grey => detect_grey(img),
            Pass::Inverted => detect_grey(&invert(img)),
            Pass::Adaptive => detect_bitmap(&adaptive_threshold(img, coarse, ADAPTIVE_BIAS_PCT, false)),
            Pass::BlurAdaptive => {
                let blurred = box_blur(img, (short / 800).clamp(1, 3));
                detect_bitmap(&adaptive_threshold(&blurred, coarse, ADAPTIVE_BIAS_PCT, false))
            }
            Pass::AdaptiveFine => {
                if short < 200 {
                    return None;
                }
                detect_bitmap(&adaptive_threshold(img, fine, ADAPTIVE_BIAS_PCT, false))
            }
            Pass::Downscale2 => {
                if short < 400 {
                    return None;
                }
                detect_grey(&downscale(img, 2))
            }
            Pass::Downscale4 => {
                if short < 1200 {
                    return None;
                }
                detect_grey(&downscale(img, 4))
            }
            Pass::Upscale2 => {
                if long > 1200 {
                    return None;
                }
                detect_grey(&upscale(img, 2))
            }
            Pass::AdaptiveInverted => {
                detect_bitmap(&adaptive_threshold(img, coarse, ADAPTIVE_BIAS_PCT, true))
            }
            Pass::Rotate90 => detect_grey(&rotate90(img)),
        })
    }
}

impl std::fmt::Display for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a scan found and how.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanReport {
    /// Texts of the codes found, deduplicated, in reading order (top to bottom, then left to
    /// right, as seen by the successful pass).
    pub texts: Vec<String>,
    /// The pass that found them; `None` if no pass found a code.
    pub pass: Option<Pass>,
    /// Passes that ran (skipped ones left out), in order.
    pub tried: Vec<Pass>,
}

/// Greyscale working image, shrunk if it exceeds [`MAX_WORK_PIXELS`].
fn working_image(img: &DynamicImage) -> GrayImage {
    let grey = to_grey(img);
    let pixels = u64::from(grey.width()) * u64::from(grey.height());
    if pixels <= MAX_WORK_PIXELS {
        return grey;
    }
    let mut k = 2u32;
    while pixels / u64::from(k * k) > MAX_WORK_PIXELS {
        k += 1;
    }
    downscale(&grey, k)
}

fn reading_order(found: Vec<Found>) -> Vec<String> {
    let band = found.iter().map(|f| f.size).max().unwrap_or(1).max(1);
    let mut found = found;
    found.sort_by_key(|f| (f.cy.div_euclid(band), f.cx, f.cy));
    let mut texts: Vec<String> = Vec::with_capacity(found.len());
    for f in found {
        if !texts.contains(&f.text) {
            texts.push(f.text);
        }
    }
    texts
}

/// Scans `img` with the given passes, stopping at the first that decodes a code.
///
/// ```
/// use giayto_qr::{render_png, scan_with, Pass, RenderOptions};
/// let png = render_png("VN1:HELLO", &RenderOptions::default()).unwrap();
/// let img = image::load_from_memory(&png).unwrap();
/// let report = scan_with(&img, &[Pass::Adaptive]);
/// assert_eq!(report.texts, ["VN1:HELLO"]);
/// assert_eq!(report.pass, Some(Pass::Adaptive));
/// ```
pub fn scan_with(img: &DynamicImage, passes: &[Pass]) -> ScanReport {
    let work = working_image(img);
    let mut tried = Vec::new();
    for &pass in passes {
        let Some(found) = pass.run(&work) else {
            continue;
        };
        tried.push(pass);
        if !found.is_empty() {
            return ScanReport {
                texts: reading_order(found),
                pass: Some(pass),
                tried,
            };
        }
    }
    ScanReport {
        texts: Vec::new(),
        pass: None,
        tried,
    }
}

/// Decodes every QR code found in an image with the [`DEFAULT_PASSES`].
///
/// Returns the texts (deduplicated, in reading order); an empty list when no code was found.
/// Images above [`MAX_WORK_PIXELS`] are shrunk first.
pub fn decode_image(img: &DynamicImage) -> Vec<String> {
    scan_with(img, DEFAULT_PASSES).texts
}

/// Decodes every QR code found in an image file's bytes (PNG or JPEG, told apart by their
/// signatures).
///
/// Input is bounded before any pixel is decoded: at most [`MAX_FILE_BYTES`] bytes, at most
/// [`MAX_IMAGE_SIDE`] pixels a side and [`MAX_IMAGE_PIXELS`] pixels in all, as announced by the
/// header.
///
/// # Errors
///
/// A [`ScanError`] if the bytes are not a readable PNG or JPEG image within those bounds.
/// `Ok(vec![])` means the image was read but holds no code the scanner could decode.
pub fn decode_image_bytes(bytes: &[u8]) -> Result<Vec<String>, ScanError> {
    Ok(decode_image(&load::load(bytes)?))
}
