//! Finding and decoding QR codes in images.
//!
//! The scanner runs a list of named [`Pass`]es over the greyscale image and stops at the first
//! pass that decodes at least one code. The first pass is rqrr on the image as given, so a
//! clean render costs one detection; the others undo what cameras and screens do to a code
//! (dark-mode inversion, uneven light, noise, moiré, extreme scale). Each pass is measurable on
//! its own through [`scan_with`], which reports the pass that succeeded.

mod budget;
mod detect;
mod filters;
mod finders;
mod load;

use image::{DynamicImage, GrayImage};

pub use self::budget::{Work, MAX_FINDER_CANDIDATES, MAX_GRID_ATTEMPTS, MAX_SCAN_PIXEL_WORK};
pub use self::load::{is_image, MAX_FILE_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};

use self::detect::{detect_bitmap, detect_grey, detect_zx, Found};
use self::filters::{
    adaptive_threshold, box_blur, deblur, downscale, invert, resize, sharpen, stretch, to_grey,
    upscale,
};
use crate::error::ScanError;

/// Images larger than this many pixels are shrunk (by an integer factor, area-averaged) before
/// any pass runs, to bound the time a pass takes. A phone photo of 12 MP is scanned as is.
pub const MAX_WORK_PIXELS: u64 = 16_000_000;

/// Pixel work of bilinear resampling, per output pixel (measured: about twelve times a
/// simple per-pixel operation).
const RESAMPLE_PIXEL_COST: u64 = 12;

/// Rounds of deconvolution of [`Tone::ZxDeblur`].
const DEBLUR_ROUNDS: usize = 20;

/// Bias of the adaptive threshold: a pixel is dark when below this share of its local mean.
const ADAPTIVE_BIAS_PCT: u32 = 8;

/// How a pass turns the greyscale working image into what rqrr sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tone {
    /// The greyscale image as it is; rqrr binarises it with its own row-wise moving average.
    Grey,
    /// Inverted greyscale: light modules on a dark background (dark-mode screens).
    Inverted,
    /// Local mean threshold in a square window of about 1/8 of the image's shorter side
    /// (uneven light, shadows, low contrast).
    Adaptive,
    /// Local mean threshold with inverted polarity (dark-mode screens in uneven light).
    AdaptiveInverted,
    /// A light box blur, then [`Tone::Adaptive`] (sensor noise, moiré, JPEG blocking).
    BlurAdaptive,
    /// Local mean threshold with a small window (about 1/24 of the shorter side), for a code
    /// filling only part of a large, unevenly lit picture.
    AdaptiveFine,
    /// The second engine: rxing's port of the zxing-cpp QR reader with its hybrid binariser
    /// (block-wise local thresholds), on the greyscale image.
    Zx,
    /// [`Tone::Zx`] on the inverted image, grey levels stretched first (dark-mode screens,
    /// often dim).
    ZxInverted,
    /// [`Tone::Zx`] after a light box blur (sensor noise, JPEG blocking, moiré).
    ZxSmooth,
    /// [`Tone::Zx`] after stretching the grey levels (low contrast).
    ZxStretch,
    /// [`Tone::Zx`] after an unsharp mask (soft focus, motion streaks).
    ZxSharpen,
    /// rqrr (as [`Tone::Grey`]) after an unsharp mask of radius 3 px (the soft far side of a
    /// code seen at a steep angle).
    Sharpen,
    /// [`Tone::Zx`] after Richardson–Lucy deconvolution (20 rounds, Gaussian of σ ≈ 2 px):
    /// strong out-of-focus blur, and the soft far side of a code seen at an angle.
    ZxDeblur,
}

impl Tone {
    /// Every tone, in declaration order (for measuring passes one by one).
    pub const ALL: [Tone; 13] = [
        Tone::Grey,
        Tone::Inverted,
        Tone::Adaptive,
        Tone::AdaptiveInverted,
        Tone::BlurAdaptive,
        Tone::AdaptiveFine,
        Tone::Zx,
        Tone::ZxInverted,
        Tone::ZxSmooth,
        Tone::ZxStretch,
        Tone::ZxSharpen,
        Tone::Sharpen,
        Tone::ZxDeblur,
    ];

    /// A short stable name, for reports and benchmarks.
    pub fn name(self) -> &'static str {
        match self {
            Tone::Grey => "grey",
            Tone::Inverted => "inverted",
            Tone::Adaptive => "adaptive",
            Tone::AdaptiveInverted => "adaptive-inverted",
            Tone::BlurAdaptive => "blur-adaptive",
            Tone::AdaptiveFine => "adaptive-fine",
            Tone::Zx => "zx",
            Tone::ZxInverted => "zx-inverted",
            Tone::ZxSmooth => "zx-smooth",
            Tone::ZxStretch => "zx-stretch",
            Tone::ZxSharpen => "zx-sharpen",
            Tone::Sharpen => "sharpen",
            Tone::ZxDeblur => "zx-deblur",
        }
    }

    /// Full-image operations this tone costs a pixel (its filters, the binarising, the
    /// candidate count and the engine's search), for the pixel budget of a scan.
    fn pixel_passes(self) -> u64 {
        match self {
            Tone::Grey => 3,
            Tone::Inverted | Tone::Zx => 4,
            Tone::Adaptive | Tone::AdaptiveInverted | Tone::AdaptiveFine => 5,
            Tone::ZxSmooth | Tone::ZxStretch => 5,
            Tone::BlurAdaptive | Tone::ZxInverted | Tone::ZxSharpen | Tone::Sharpen => 6,
            // 20 rounds of two blurs (six box means each) and two products, in floats: about
            // 880 float operations a pixel, measured as some 120 simple operations.
            Tone::ZxDeblur => 120,
        }
    }

    fn detect(self, img: &GrayImage, work: &mut Work) -> Vec<Found> {
        let short = img.width().min(img.height());
        let coarse = (short / 16).max(4);
        let fine = (short / 48).max(3);
        match self {
            Tone::Grey => detect_grey(img, work),
            Tone::Inverted => detect_grey(&invert(img), work),
            Tone::Adaptive => detect_bitmap(
                &adaptive_threshold(img, coarse, ADAPTIVE_BIAS_PCT, false),
                work,
            ),
            Tone::AdaptiveInverted => detect_bitmap(
                &adaptive_threshold(img, coarse, ADAPTIVE_BIAS_PCT, true),
                work,
            ),
            Tone::BlurAdaptive => {
                let blurred = box_blur(img, (short / 800).clamp(1, 3));
                detect_bitmap(
                    &adaptive_threshold(&blurred, coarse, ADAPTIVE_BIAS_PCT, false),
                    work,
                )
            }
            Tone::AdaptiveFine => detect_bitmap(
                &adaptive_threshold(img, fine, ADAPTIVE_BIAS_PCT, false),
                work,
            ),
            Tone::Zx => detect_zx(img, work),
            Tone::ZxInverted => detect_zx(&invert(&stretch(img)), work),
            Tone::ZxSmooth => detect_zx(&box_blur(img, 1), work),
            Tone::ZxStretch => detect_zx(&stretch(img), work),
            Tone::ZxSharpen => detect_zx(&sharpen(img, 2), work),
            Tone::Sharpen => detect_grey(&sharpen(img, 3), work),
            Tone::ZxDeblur => detect_zx(&deblur(img, DEBLUR_ROUNDS), work),
        }
    }
}

/// One named step of the scan pipeline: resample the working image to `scale_percent` %, then
/// apply a [`Tone`] and run rqrr.
///
/// Why rescaling is more than a fix for tiny or huge images: rqrr places finder-pattern
/// corners on whole pixels and judges whether three finder patterns belong together through
/// each pattern's own perspective, so for large versions (the 300–1200 character giayto texts)
/// a one-pixel rounding often makes it reject a perfectly readable code. Resampling moves the
/// rounding; 150 % and 80 % recover most such misses (see `tests/degraded.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Pass {
    /// How the pixels are prepared.
    pub tone: Tone,
    /// Resampling applied first, in percent (100 = as is). Bilinear; shrinking averages areas,
    /// which also evens out noise and moiré.
    pub scale_percent: u16,
}

impl Pass {
    /// A pass with `tone` at `scale_percent` %.
    pub const fn new(tone: Tone, scale_percent: u16) -> Pass {
        Pass {
            tone,
            scale_percent,
        }
    }

    /// A stable name such as `"grey"` or `"inverted@150%"`, for reports and benchmarks.
    pub fn name(&self) -> String {
        if self.scale_percent == 100 {
            self.tone.name().to_owned()
        } else {
            format!("{}@{}%", self.tone.name(), self.scale_percent)
        }
    }

    /// Runs the pass; `None` if it does not apply to an image of this size (the resampled
    /// image would exceed [`MAX_WORK_PIXELS`] ([`MAX_UPSCALED_PIXELS`] when enlarging), or fall
    /// below [`MIN_WORK_SIDE`] pixels a side) or if its pixel work no longer fits the scan's
    /// budget (counted in `work.gave_up`).
    fn run(&self, img: &GrayImage, work: &mut Work) -> Option<Vec<Found>> {
        let source = u64::from(img.width()) * u64::from(img.height());
        if self.scale_percent == 100 {
            let cost = source * self.tone.pixel_passes();
            if !work.affords(cost, 0) {
                work.gave_up += 1;
                return None;
            }
            work.pixels += cost;
            work.passes += 1;
            return Some(self.tone.detect(img, work));
        }
        let pct = u64::from(self.scale_percent);
        let w = u64::from(img.width()) * pct / 100;
        let h = u64::from(img.height()) * pct / 100;
        let max = if pct > 100 {
            MAX_UPSCALED_PIXELS
        } else {
            MAX_WORK_PIXELS
        };
        if pct == 0 || w * h > max || w.min(h) < u64::from(MIN_WORK_SIDE) {
            return None;
        }
        // Shrinking by an integer factor reads every source pixel once; bilinear resampling
        // costs about a dozen simple operations per output pixel.
        let resample = if 100 % pct == 0 {
            source
        } else {
            w * h * RESAMPLE_PIXEL_COST
        };
        let cost = resample + w * h * self.tone.pixel_passes();
        if !work.affords(cost, 0) {
            work.gave_up += 1;
            return None;
        }
        work.pixels += cost;
        work.passes += 1;
        let scaled = if 100 % pct == 0 {
            downscale(img, (100 / pct) as u32)
        } else if pct % 100 == 0 {
            upscale(img, (pct / 100) as u32)
        } else {
            resize(img, w as u32, h as u32)
        };
        // Positions back in the working image's pixels, so codes of several passes sort
        // together.
        let back = |v: i64| v * 100 / pct as i64;
        Some(
            self.tone
                .detect(&scaled, work)
                .into_iter()
                .map(|f| Found {
                    cx: back(f.cx),
                    cy: back(f.cy),
                    size: back(f.size).max(1),
                    ..f
                })
                .collect(),
        )
    }
}

impl std::fmt::Display for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// Smallest side a resampled working image may have, in pixels.
pub const MIN_WORK_SIDE: u32 = 64;

/// The passes [`decode_image`] and [`decode_image_bytes`] run, in order: cheap and likely
/// first, so a clean render costs one pass and a typical photo a few.
///
/// The order is measured, not guessed: `qr-passes` (crate `giayto-qr-bench`) runs every
/// candidate pass alone over a tuning corpus and orders them greedily by images newly decoded
/// per second spent; the rqrr passes at the end each still decode images no earlier pass does.
pub const DEFAULT_PASSES: &[Pass] = &[
    // The greedy order measured by `qr-passes 6 7` (tuning corpus, 216 images).
    Pass::new(Tone::ZxStretch, 50),
    Pass::new(Tone::ZxInverted, 50),
    Pass::new(Tone::ZxStretch, 100),
    Pass::new(Tone::ZxSmooth, 100),
    Pass::new(Tone::ZxSharpen, 50),
    Pass::new(Tone::ZxSmooth, 125),
    Pass::new(Tone::ZxStretch, 80),
    Pass::new(Tone::ZxSmooth, 200),
    Pass::new(Tone::ZxStretch, 200),
    Pass::new(Tone::Grey, 200),
    // Strong blur and steep perspective, which no pass above reads (issue 18).
    Pass::new(Tone::ZxDeblur, 100),
    Pass::new(Tone::Zx, 80),
    Pass::new(Tone::Sharpen, 100),
    // Fallbacks for what the corpus does not hold: plain and inverted codes at full size,
    // tiny symbols (enlarged), huge pictures (shrunk), and rqrr as an independent second
    // opinion.
    Pass::new(Tone::Zx, 100),
    Pass::new(Tone::ZxInverted, 100),
    Pass::new(Tone::Grey, 100),
    Pass::new(Tone::Inverted, 100),
    Pass::new(Tone::Adaptive, 100),
    Pass::new(Tone::Grey, 150),
    Pass::new(Tone::Grey, 80),
    Pass::new(Tone::BlurAdaptive, 100),
    Pass::new(Tone::AdaptiveInverted, 100),
    Pass::new(Tone::Adaptive, 300),
    Pass::new(Tone::AdaptiveFine, 100),
    Pass::new(Tone::Zx, 25),
    Pass::new(Tone::Grey, 25),
];

/// Enlarging passes only run while the enlarged image stays below this many pixels: they exist
/// for small modules in small pictures, and their cost grows with the square of the factor.
pub const MAX_UPSCALED_PIXELS: u64 = 6_000_000;

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
    /// The work the scan did, counted against its budget ([`MAX_SCAN_PIXEL_WORK`],
    /// [`MAX_FINDER_CANDIDATES`], [`MAX_GRID_ATTEMPTS`]); `work.gave_up > 0` means some pass
    /// gave up on a limit, so "no code found" may mean "too costly to search".
    pub work: Work,
}

/// Greyscale working image, shrunk if it exceeds [`MAX_WORK_PIXELS`].
fn working_image(img: &DynamicImage) -> GrayImage {
    let grey = to_grey(img);
    let pixels = u64::from(grey.width()) * u64::from(grey.height());
    if pixels <= MAX_WORK_PIXELS {
        return grey;
    }
    let mut k = 2u64;
    while pixels / (k * k) > MAX_WORK_PIXELS {
        k += 1;
    }
    downscale(&grey, u32::try_from(k).unwrap_or(u32::MAX))
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
/// When that pass worked on a shrunk image, the same tone also runs at full size and its codes
/// are added: shrinking is what finds a blurred or noisy code quickly, but it can lose a
/// smaller second code in the same picture.
///
/// ```
/// use giayto_qr::{render_png, scan_with, Pass, RenderOptions, Tone};
/// let png = render_png("VN1:HELLO", &RenderOptions::default()).unwrap();
/// let img = image::load_from_memory(&png).unwrap();
/// let adaptive = Pass::new(Tone::Adaptive, 100);
/// let report = scan_with(&img, &[adaptive]);
/// assert_eq!(report.texts, ["VN1:HELLO"]);
/// assert_eq!(report.pass, Some(adaptive));
/// ```
pub fn scan_with(img: &DynamicImage, passes: &[Pass]) -> ScanReport {
    let image = working_image(img);
    let mut work = Work::default();
    let mut tried = Vec::new();
    for &pass in passes {
        let Some(mut found) = pass.run(&image, &mut work) else {
            continue;
        };
        tried.push(pass);
        if !found.is_empty() {
            if pass.scale_percent < 100 {
                let full = Pass::new(pass.tone, 100);
                if let Some(more) = full.run(&image, &mut work) {
                    tried.push(full);
                    found.extend(more);
                }
            }
            return ScanReport {
                texts: reading_order(found),
                pass: Some(pass),
                tried,
                work,
            };
        }
    }
    ScanReport {
        texts: Vec::new(),
        pass: None,
        tried,
        work,
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
