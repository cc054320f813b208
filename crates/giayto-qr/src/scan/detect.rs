//! Running the two engines on a prepared image, with their work bounded ahead (see
//! [`super::budget`]) and contained so that no input can make them panic outward.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::GrayImage;
use rqrr::{BitGrid, Grid, PreparedImage};

use super::budget::{
    rqrr_max_tries, Work, MAX_RQRR_CAPSTONES, MAX_ZX_GRIDS_PER_PASS, MAX_ZX_ROW_HITS,
};
use super::filters::Bitmap;
use super::finders::{rqrr_capstones, zx_row_hits, Bits};

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

thread_local! {
    /// Set while this thread runs an engine inside [`guarded`]: its panics are caught there
    /// and must not be reported.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the process's panic hook, once, so that panics raised inside [`guarded`] on this
/// thread print nothing; every other panic goes to the previous hook as before. Only built
/// where panics unwind: with `panic = "abort"` (and in WebAssembly) nothing can be caught, and
/// the message is the only clue left.
#[cfg(panic = "unwind")]
fn quiet_hook() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

#[cfg(not(panic = "unwind"))]
fn quiet_hook() {}

/// rqrr asserts on degenerate geometry (a perspective mapping a point to infinity, which a
/// grouping of unrelated finder look-alikes produces), and a scanner fed arbitrary photos must
/// not panic. A panic inside an engine counts as "nothing found" for that pass and prints
/// nothing. (With `panic = "abort"` this guard cannot help; the workspace keeps `unwind`.)
fn guarded(f: impl FnOnce() -> Vec<Found>) -> Vec<Found> {
    quiet_hook();
    let was = QUIET.with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.unwrap_or_default()
}

/// Runs rqrr's grouping and decoding (`run`) if the capstones counted on `bits` (the pixels
/// rqrr works on) keep the work within the budget; gives up otherwise.
fn rqrr_bounded(bits: &Bits<'_>, work: &mut Work, run: impl FnOnce() -> Vec<Found>) -> Vec<Found> {
    let k = rqrr_capstones(bits);
    if k < 3 {
        // No grouping to try: rqrr would find nothing.
        return Vec::new();
    }
    let tries = rqrr_max_tries(k);
    // Each try copies the whole image (a byte a pixel, cheaper than a filter's pixel) and
    // follows the timing patterns between the capstones, flood-filling what it finds.
    let pixels = (bits.width * bits.height) as u64;
    let cost = tries.saturating_mul(pixels / 4 + 2_000);
    if !work.affords(cost, tries) {
        work.gave_up += 1;
        return Vec::new();
    }
    if !work.take_candidates(k, MAX_RQRR_CAPSTONES) {
        return Vec::new();
    }
    work.pixels += cost;
    work.grid_attempts += tries;
    guarded(run)
}

/// Detects and decodes codes in a greyscale image, binarised by rqrr's own row-wise moving
/// average.
pub(crate) fn detect_grey(img: &GrayImage, work: &mut Work) -> Vec<Found> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let px = img.as_raw();
    let mut prepared = PreparedImage::prepare_from_greyscale(w, h, |x, y| px[y * w + x]);
    // rqrr's binarised pixels: 1 is dark.
    let mut dark = Vec::with_capacity(w * h);
    for y in 0..h {
        dark.extend((0..w).map(|x| u8::from(u8::from(prepared.get_pixel_at(x, y)) == 1)));
    }
    let bits = Bits {
        width: w,
        height: h,
        dark: &dark,
    };
    rqrr_bounded(&bits, work, || collect(prepared.detect_grids()))
}

/// Detects and decodes codes in an image this crate has already binarised.
pub(crate) fn detect_bitmap(bm: &Bitmap, work: &mut Work) -> Vec<Found> {
    let (w, h) = (bm.width, bm.height);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let mut prepared = PreparedImage::prepare_from_bitmap(w, h, |x, y| bm.dark[y * w + x] != 0);
    let bits = Bits {
        width: w,
        height: h,
        dark: &bm.dark,
    };
    rqrr_bounded(&bits, work, || collect(prepared.detect_grids()))
}

/// Detects and decodes codes with rxing's port of the zxing-cpp QR reader (finder-pattern sets
/// checked by geometry, sampling by local grids), after rxing's hybrid binariser (local
/// thresholds in 8×8 blocks averaged over 5×5 neighbourhoods).
///
/// The reader's own loop is replaced by a bounded one built from the same public steps: its
/// finder search runs only when the row hits it would test stay below
/// [`MAX_ZX_ROW_HITS`], and at most [`MAX_ZX_GRIDS_PER_PASS`] finder triples (the most
/// plausible first, as the reader orders them) are sampled and decoded.
pub(crate) fn detect_zx(img: &GrayImage, work: &mut Work) -> Vec<Found> {
    use rxing::common::{DetectorRXingResult, HybridBinarizer};
    use rxing::qrcode::cpp_port::{decoder, detector};
    use rxing::{BarcodeFormat, BinaryBitmap, Luma8Source, RXingResult};

    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let Ok(source) = Luma8Source::new_with_slice(img.as_raw(), w, h) else {
        return Vec::new();
    };
    let bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
    let matrix = bitmap.get_black_matrix();
    let (mw, mh) = (matrix.width() as usize, matrix.height() as usize);
    let mut dark = Vec::with_capacity(mw * mh);
    for y in 0..mh as u32 {
        dark.extend((0..mw as u32).map(|x| u8::from(matrix.get(x, y))));
    }
    let hits = zx_row_hits(&Bits {
        width: mw,
        height: mh,
        dark: &dark,
    });
    if !work.take_candidates(hits, MAX_ZX_ROW_HITS) {
        return Vec::new();
    }
    let allowed = MAX_ZX_GRIDS_PER_PASS.min(work.grids_left());
    let mut tried = 0u64;
    let mut exhausted = false;
    let found = guarded(|| {
        let mut patterns = detector::FindFinderPatterns(matrix, true, 0);
        let sets = detector::GenerateFinderPatternSets(&mut patterns);
        let mut used = Vec::new();
        let mut found = Vec::new();
        for set in sets {
            if [set.bl, set.tl, set.tr].iter().any(|p| used.contains(p)) {
                continue;
            }
            if tried == allowed {
                exhausted = true;
                break;
            }
            tried += 1;
            let Ok(sampled) = detector::SampleQR(matrix, &set) else {
                continue;
            };
            let Ok(decoded) = decoder::Decode(sampled.getBits()) else {
                continue;
            };
            if !decoded.isValid() {
                continue;
            }
            used.extend([set.bl, set.tl, set.tr]);
            let r = RXingResult::with_decoder_result(
                decoded,
                sampled.getPoints(),
                BarcodeFormat::QR_CODE,
            );
            found.push(zx_found(&r));
        }
        found
    });
    work.grid_attempts += tried;
    if exhausted {
        work.gave_up += 1;
    }
    found
}

fn zx_found(r: &rxing::RXingResult) -> Found {
    let pts = r.getPoints();
    let xs = pts.iter().map(|p| p.x as i64);
    let ys = pts.iter().map(|p| p.y as i64);
    let (min_x, max_x) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
    let (min_y, max_y) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
    // rxing guesses the character set of byte segments without an ECI (and may guess
    // Shift_JIS for UTF-8); its result also carries the content bytes, which are read as UTF-8
    // like rqrr does, falling back to rxing's text otherwise.
    let text = std::str::from_utf8(r.getRawBytes())
        .map(str::to_owned)
        .unwrap_or_else(|_| r.getText().to_owned());
    Found {
        text,
        cx: (min_x + max_x) / 2,
        cy: (min_y + max_y) / 2,
        size: (max_x - min_x).max(max_y - min_y).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n`×`n` finder look-alikes of 1 px modules, in tiles of 8 px.
    fn tiles(n: u32) -> GrayImage {
        GrayImage::from_fn(8 * n, 8 * n, |x, y| {
            let (tx, ty) = (x % 8, y % 8);
            let dark = tx < 7 && ty < 7 && tx.min(ty).min(6 - tx).min(6 - ty) != 1;
            image::Luma([if dark { 0 } else { 255 }])
        })
    }

    #[test]
    fn rqrr_assertion_is_caught() {
        let img = tiles(4);
        let (w, h) = (32, 32);
        let px = img.as_raw().clone();
        // rqrr asserts on this image (a timing-pattern scan between look-alikes finds no
        // module). Silenced here too, as the guard does.
        quiet_hook();
        let was = QUIET.with(|q| q.replace(true));
        let raw = catch_unwind(move || {
            let mut p = PreparedImage::prepare_from_greyscale(w, h, |x, y| px[y * w + x]);
            p.detect_grids().len()
        });
        QUIET.with(|q| q.set(was));
        assert!(
            raw.is_err(),
            "rqrr no longer panics here: the guard may be simpler"
        );
        let mut work = Work::default();
        assert!(detect_grey(&img, &mut work).is_empty());
        assert_eq!(work.finder_candidates, 16);
        assert_eq!(work.grid_attempts, rqrr_max_tries(16));
        assert_eq!(work.gave_up, 0, "within the budget, so rqrr ran");
        assert!(
            !QUIET.with(Cell::get),
            "the flag is reset after a caught panic"
        );
    }

    #[test]
    fn too_many_capstones_give_up_before_rqrr() {
        let mut work = Work::default();
        assert!(detect_grey(&tiles(7), &mut work).is_empty());
        assert_eq!((work.grid_attempts, work.gave_up), (0, 1), "{work:?}");
    }
}
