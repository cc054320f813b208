//! Running rqrr on a prepared image, contained so that no input can make it panic outward.

use std::panic::{catch_unwind, AssertUnwindSafe};

use image::GrayImage;
use rqrr::{BitGrid, Grid, PreparedImage};

use super::filters::Bitmap;

/// A code decoded in one pass: its text and where it sat in the pass's working image.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub(crate) text: String,
    pub(crate) cx: i64,
    pub(crate) cy: i64,
    pub(crate) size: i64,
}

fn collect<G: BitGrid>(grids: Vec<Grid<G>>) -> Vec<Found> {
    let mut found = Vec::new();
    for grid in grids {
        if let Ok((_meta, text)) = grid.decode() {
            let xs = grid.bounds.iter().map(|p| i64::from(p.x));
            let ys = grid.bounds.iter().map(|p| i64::from(p.y));
            let (min_x, max_x) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
            let (min_y, max_y) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
            found.push(Found {
                text,
                cx: (min_x + max_x) / 2,
                cy: (min_y + max_y) / 2,
                size: (max_x - min_x).max(max_y - min_y).max(1),
            });
        }
    }
    found
}

/// rqrr has panicked on malformed geometry in past releases; a scanner fed arbitrary photos
/// must not. A panic inside rqrr counts as "nothing found" for that pass. (With
/// `panic = "abort"` this guard cannot help; the workspace keeps the default `unwind`.)
fn guarded(f: impl FnOnce() -> Vec<Found>) -> Vec<Found> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_default()
}

/// Detects and decodes codes in a greyscale image, binarised by rqrr's own row-wise moving
/// average.
pub(crate) fn detect_grey(img: &GrayImage) -> Vec<Found> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let px = img.as_raw();
    guarded(|| {
        let mut prepared = PreparedImage::prepare_from_greyscale(w, h, |x, y| px[y * w + x]);
        collect(prepared.detect_grids())
    })
}

/// Detects and decodes codes in an image this crate has already binarised.
pub(crate) fn detect_bitmap(bm: &Bitmap) -> Vec<Found> {
    let (w, h) = (bm.width, bm.height);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    guarded(|| {
        let mut prepared = PreparedImage::prepare_from_bitmap(w, h, |x, y| bm.dark[y * w + x] != 0);
        collect(prepared.detect_grids())
    })
}

/// Detects and decodes codes with rxing's port of the zxing-cpp QR reader (finder-pattern sets
/// checked by geometry, sampling by local grids), after rxing's hybrid binariser (local
/// thresholds in 8×8 blocks averaged over 5×5 neighbourhoods).
pub(crate) fn detect_zx(img: &GrayImage) -> Vec<Found> {
    use rxing::common::HybridBinarizer;
    use rxing::multi::MultipleBarcodeReader;
    use rxing::qrcode::cpp_port::QrReader;
    use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source};

    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return Vec::new();
    }
    guarded(|| {
        let Ok(source) = Luma8Source::new_with_slice(img.as_raw(), w, h) else {
            return Vec::new();
        };
        let mut bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
        let hints = DecodeHints {
            PossibleFormats: Some(std::iter::once(BarcodeFormat::QR_CODE).collect()),
            TryHarder: Some(true),
            ..DecodeHints::default()
        };
        let Ok(results) = QrReader.decode_multiple_with_hints(&mut bitmap, &hints) else {
            return Vec::new();
        };
        results
            .iter()
            .map(|r| {
                let pts = r.getPoints();
                let xs = pts.iter().map(|p| p.x as i64);
                let ys = pts.iter().map(|p| p.y as i64);
                let (min_x, max_x) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
                let (min_y, max_y) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
                // rxing guesses the character set of byte segments without an ECI (and may
                // guess Shift_JIS for UTF-8); its result also carries the content bytes, which
                // are read as UTF-8 like rqrr does, falling back to rxing's text otherwise.
                let text = std::str::from_utf8(r.getRawBytes())
                    .map(str::to_owned)
                    .unwrap_or_else(|_| r.getText().to_owned());
                Found {
                    text,
                    cx: (min_x + max_x) / 2,
                    cy: (min_y + max_y) / 2,
                    size: (max_x - min_x).max(max_y - min_y).max(1),
                }
            })
            .collect()
    })
}
