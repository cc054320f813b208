//! Image filters used by the scan passes. All work on 8-bit greyscale and never panic for any
//! size, including empty images.

use image::imageops::{self, FilterType};
use image::{DynamicImage, GrayImage};

/// A binarised image: `1` = dark, `0` = light, row-major.
pub(crate) struct Bitmap {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) dark: Vec<u8>,
}

/// Greyscale view of `img`. Transparent pixels are composited over white, so a code drawn on a
/// transparent background reads as dark on light.
pub(crate) fn to_grey(img: &DynamicImage) -> GrayImage {
    if !img.color().has_alpha() {
        return img.to_luma8();
    }
    let la = img.to_luma_alpha8();
    let (w, h) = la.dimensions();
    let px = la
        .as_raw()
        .chunks_exact(2)
        .map(|p| {
            let (l, a) = (u32::from(p[0]), u32::from(p[1]));
            ((l * a + 255 * (255 - a) + 127) / 255) as u8
        })
        .collect::<Vec<u8>>();
    GrayImage::from_raw(w, h, px).unwrap_or_else(|| GrayImage::new(0, 0))
}

/// Light modules on dark become dark on light.
pub(crate) fn invert(img: &GrayImage) -> GrayImage {
    let mut out = img.clone();
    for p in out.iter_mut() {
        *p = 255 - *p;
    }
    out
}

/// Shrinks by an integer factor, averaging each `k`×`k` block (an area filter: it also averages
/// away noise and moiré).
pub(crate) fn downscale(img: &GrayImage, k: u32) -> GrayImage {
    let k = k.max(1);
    let (w, h) = img.dimensions();
    let (ow, oh) = (w / k, h / k);
    let src = img.as_raw();
    let (w, k_us) = (w as usize, k as usize);
    let mut acc = vec![0u32; ow as usize];
    let mut out = Vec::with_capacity(ow as usize * oh as usize);
    let div = k * k;
    for oy in 0..oh as usize {
        acc.iter_mut().for_each(|a| *a = 0);
        for y in oy * k_us..(oy + 1) * k_us {
            let row = &src[y * w..y * w + w];
            for (ox, a) in acc.iter_mut().enumerate() {
                *a += row[ox * k_us..(ox + 1) * k_us]
                    .iter()
                    .map(|&p| u32::from(p))
                    .sum::<u32>();
            }
        }
        out.extend(acc.iter().map(|&a| ((a + div / 2) / div) as u8));
    }
    GrayImage::from_raw(ow, oh, out).unwrap_or_else(|| GrayImage::new(0, 0))
}

/// Enlarges by an integer factor with bilinear interpolation.
pub(crate) fn upscale(img: &GrayImage, k: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return img.clone();
    }
    imageops::resize(
        img,
        w.saturating_mul(k),
        h.saturating_mul(k),
        FilterType::Triangle,
    )
}

/// Resamples to `w`×`h` with bilinear interpolation (an area-aware triangle filter when
/// shrinking).
pub(crate) fn resize(img: &GrayImage, w: u32, h: u32) -> GrayImage {
    if img.width() == 0 || img.height() == 0 {
        return img.clone();
    }
    imageops::resize(img, w, h, FilterType::Triangle)
}

/// Sliding sums over `2r + 1` samples along one axis of a row-major buffer (edges clamped to
/// the part of the window inside the image), written back as means.
fn box_mean_rows(src: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        let row = &src[y * w..y * w + w];
        let dst = &mut out[y * w..y * w + w];
        let mut sum: u32 = row[..(r + 1).min(w)].iter().map(|&p| u32::from(p)).sum();
        let mut lo = 0usize; // first index in the window
        let mut hi = r.min(w.saturating_sub(1)); // last index in the window
        for (x, d) in dst.iter_mut().enumerate() {
            let n = (hi - lo + 1) as u32;
            *d = ((sum + n / 2) / n) as u8;
            // Slide to x + 1.
            if x + r + 1 < w {
                hi = x + r + 1;
                sum += u32::from(row[hi]);
            }
            if x >= r {
                sum -= u32::from(row[lo]);
                lo += 1;
            }
        }
    }
    out
}

fn transpose(src: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            out[x * h + y] = src[y * w + x];
        }
    }
    out
}

/// Box blur of radius `r` (window `2r + 1`), separable.
pub(crate) fn box_blur(img: &GrayImage, r: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (wu, hu, r) = (w as usize, h as usize, r as usize);
    if wu == 0 || hu == 0 || r == 0 {
        return img.clone();
    }
    let horizontal = box_mean_rows(img.as_raw(), wu, hu, r);
    let t = transpose(&horizontal, wu, hu);
    let vertical = box_mean_rows(&t, hu, wu, r);
    let px = transpose(&vertical, hu, wu);
    GrayImage::from_raw(w, h, px).unwrap_or_else(|| GrayImage::new(0, 0))
}

/// Local mean threshold: a pixel is dark when it is darker than `(100 - bias_pct)` % of the
/// mean of the `(2r + 1)`² window around it. Copes with uneven light and low contrast.
///
/// Runs in O(w·h) time with O(w) extra memory: column sums over the rows in the window are
/// kept up to date while a running sum slides along each row.
pub(crate) fn adaptive_threshold(img: &GrayImage, r: u32, bias_pct: u32, invert: bool) -> Bitmap {
    let (w, h) = img.dimensions();
    let (w, h, r) = (w as usize, h as usize, r as usize);
    let src = img.as_raw();
    let mut dark = vec![0u8; w * h];
    if w == 0 || h == 0 {
        return Bitmap {
            width: w,
            height: h,
            dark,
        };
    }
    let keep = u64::from(100u32.saturating_sub(bias_pct));
    let mut col = vec![0u64; w];
    // Rows 0..=r are in the window of row 0.
    for y in 0..=r.min(h - 1) {
        for (c, &p) in col.iter_mut().zip(&src[y * w..y * w + w]) {
            *c += u64::from(p);
        }
    }
    for y in 0..h {
        let y_lo = y.saturating_sub(r);
        let y_hi = (y + r).min(h - 1);
        let rows = (y_hi - y_lo + 1) as u64;
        let row = &src[y * w..y * w + w];
        let out = &mut dark[y * w..y * w + w];

        let mut sum: u64 = col[..(r + 1).min(w)].iter().sum();
        let mut lo = 0usize;
        let mut hi = r.min(w - 1);
        for x in 0..w {
            let count = (hi - lo + 1) as u64 * rows;
            // p < keep% of mean  <=>  100 * p * count < keep * sum
            let is_dark = 100 * u64::from(row[x]) * count < keep * sum;
            let light_on_dark = 100 * u64::from(row[x]) * count > (200 - keep) * sum;
            out[x] = u8::from(if invert { light_on_dark } else { is_dark });
            if x + r + 1 < w {
                hi = x + r + 1;
                sum += col[hi];
            }
            if x >= r {
                sum -= col[lo];
                lo += 1;
            }
        }

        // Slide the row window to y + 1.
        if y + r + 1 < h {
            let add = &src[(y + r + 1) * w..(y + r + 2) * w];
            for (c, &p) in col.iter_mut().zip(add) {
                *c += u64::from(p);
            }
        }
        if y >= r {
            let sub = &src[(y - r) * w..(y - r + 1) * w];
            for (c, &p) in col.iter_mut().zip(sub) {
                *c -= u64::from(p);
            }
        }
    }
    Bitmap {
        width: w,
        height: h,
        dark,
    }
}

/// Stretches the grey levels so that the darkest 1 % become black and the lightest 1 % white
/// (low-contrast codes: a faded print, a dim screen).
pub(crate) fn stretch(img: &GrayImage) -> GrayImage {
    let mut hist = [0u64; 256];
    for &p in img.as_raw() {
        hist[usize::from(p)] += 1;
    }
    let total: u64 = hist.iter().sum();
    let cut = total / 100;
    let (mut lo, mut acc) = (0usize, 0u64);
    while lo < 255 && acc + hist[lo] <= cut {
        acc += hist[lo];
        lo += 1;
    }
    let (mut hi, mut acc) = (255usize, 0u64);
    while hi > 0 && acc + hist[hi] <= cut {
        acc += hist[hi];
        hi -= 1;
    }
    if hi <= lo {
        return img.clone();
    }
    let span = (hi - lo) as u32;
    let lut: Vec<u8> = (0..256usize)
        .map(|v| {
            let v = v.clamp(lo, hi) - lo;
            ((v as u32 * 255 + span / 2) / span) as u8
        })
        .collect();
    let mut out = img.clone();
    for p in out.iter_mut() {
        *p = lut[usize::from(*p)];
    }
    out
}

/// Unsharp mask: the image plus its difference from a box blur of radius `r` (soft focus,
/// motion streaks). Values are clamped to 0–255.
pub(crate) fn sharpen(img: &GrayImage, r: u32) -> GrayImage {
    let blurred = box_blur(img, r);
    let mut out = img.clone();
    for (p, &b) in out.iter_mut().zip(blurred.as_raw()) {
        let v = 2 * i32::from(*p) - i32::from(b);
        *p = v.clamp(0, 255) as u8;
    }
    out
}

/// Mean over a sliding window of `2r + 1` along each row of a `w`×`h` float image, the
/// window clipped at the edges (divided by the pixels it covers).
fn box_rows_f32(src: &[f32], dst: &mut [f32], w: usize, r: usize) {
    for (row, out) in src.chunks_exact(w).zip(dst.chunks_exact_mut(w)) {
        let mut sum: f32 = row[..r.min(w - 1) + 1].iter().sum();
        let mut count = r.min(w - 1) + 1;
        for x in 0..w {
            out[x] = sum / count as f32;
            if x + r + 1 < w {
                sum += row[x + r + 1];
                count += 1;
            }
            if x >= r {
                sum -= row[x - r];
                count -= 1;
            }
        }
    }
}

/// An approximate Gaussian blur of σ ≈ 2.2 px (box means of radius 2, 1 and 2, along rows then
/// columns), in place; `tmp` is scratch space of the same size.
fn gauss_f32(img: &mut Vec<f32>, tmp: &mut Vec<f32>, w: usize, h: usize) {
    for pass in 0..2 {
        let (pw, ph) = if pass == 0 { (w, h) } else { (h, w) };
        for r in [2, 1, 2] {
            box_rows_f32(img, tmp, pw, r);
            std::mem::swap(img, tmp);
        }
        // Transpose so the next pass runs along the other axis.
        for y in 0..ph {
            for x in 0..pw {
                tmp[x * ph + y] = img[y * pw + x];
            }
        }
        std::mem::swap(img, tmp);
    }
}

/// Richardson–Lucy deconvolution with a Gaussian of σ ≈ 2.2 px, `iterations` rounds: undoes
/// much of an out-of-focus blur of about half a module (at 4 px modules), which thresholding
/// alone cannot (an isolated module keeps only a third of its contrast).
pub(crate) fn deblur(img: &GrayImage, iterations: usize) -> GrayImage {
    let (w, h) = img.dimensions();
    let (wu, hu) = (w as usize, h as usize);
    if wu < 2 || hu < 2 {
        return img.clone();
    }
    // Strictly positive intensities: the method divides by the blurred estimate.
    const FLOOR: f32 = 2.0;
    let observed: Vec<f32> = img.as_raw().iter().map(|&p| f32::from(p) + FLOOR).collect();
    let mut estimate = observed.clone();
    let mut buf = vec![0f32; wu * hu];
    let mut tmp = vec![0f32; wu * hu];
    for _ in 0..iterations {
        buf.copy_from_slice(&estimate);
        gauss_f32(&mut buf, &mut tmp, wu, hu);
        for (b, &o) in buf.iter_mut().zip(&observed) {
            *b = o / b.max(0.5);
        }
        gauss_f32(&mut buf, &mut tmp, wu, hu);
        for (e, &b) in estimate.iter_mut().zip(&buf) {
            *e = (*e * b).min(1024.0);
        }
    }
    let px = estimate
        .iter()
        .map(|&e| (e - FLOOR).round().clamp(0.0, 255.0) as u8)
        .collect();
    GrayImage::from_raw(w, h, px).unwrap_or_else(|| GrayImage::new(0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(w: u32, h: u32, f: impl Fn(u32, u32) -> u8) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| image::Luma([f(x, y)]))
    }

    #[test]
    fn blur_keeps_flat_images_flat_and_sizes() {
        for (w, h, r) in [(1, 1, 1), (5, 3, 2), (3, 7, 5), (64, 48, 3)] {
            let out = box_blur(&img(w, h, |_, _| 77), r);
            assert_eq!(out.dimensions(), (w, h));
            assert!(out.iter().all(|&p| p == 77));
        }
    }

    #[test]
    fn blur_matches_naive_mean() {
        let src = img(9, 7, |x, y| ((x * 37 + y * 91) % 256) as u8);
        let out = box_blur(&src, 1);
        // Centre pixel: mean of 3 row-means, each rounded, matches the naive mean within 1.
        let (x, y) = (4u32, 3u32);
        let mut s = 0u32;
        for dy in 0..3 {
            for dx in 0..3 {
                s += u32::from(src.get_pixel(x + dx - 1, y + dy - 1)[0]);
            }
        }
        let naive = (s as f64 / 9.0).round() as i32;
        assert!((i32::from(out.get_pixel(x, y)[0]) - naive).abs() <= 1);
    }

    #[test]
    fn adaptive_threshold_follows_a_gradient() {
        // A dark square on a left-to-right gradient (80..200): a global threshold fails, the local
        // one finds the square and nothing else.
        let src = img(120, 60, |x, y| {
            let bg = 80 + x as u8;
            if (50..70).contains(&x) && (20..40).contains(&y) {
                bg / 2
            } else {
                bg
            }
        });
        let bm = adaptive_threshold(&src, 15, 10, false);
        for y in 0..60usize {
            for x in 0..120usize {
                let inside = (50..70).contains(&x) && (20..40).contains(&y);
                assert_eq!(bm.dark[y * 120 + x] == 1, inside, "at {x},{y}");
            }
        }
    }

    #[test]
    fn adaptive_threshold_handles_degenerate_sizes() {
        for (w, h) in [(0, 0), (0, 5), (1, 1), (2, 1), (1, 9)] {
            let bm = adaptive_threshold(&img(w, h, |_, _| 3), 4, 10, false);
            assert_eq!(bm.dark.len(), (w * h) as usize);
        }
    }

    #[test]
    fn downscale_averages_blocks() {
        let src = img(5, 4, |x, _| if x % 2 == 0 { 0 } else { 200 });
        let out = downscale(&src, 2);
        assert_eq!(out.dimensions(), (2, 2));
        assert!(out.iter().all(|&p| p == 100));
        assert_eq!(downscale(&src, 9).dimensions(), (0, 0));
    }

    #[test]
    fn deblur_keeps_flat_images_and_restores_contrast() {
        let flat = img(20, 10, |_, _| 120);
        assert!(deblur(&flat, 10).iter().all(|&p| p.abs_diff(120) <= 1));
        assert_eq!(deblur(&img(1, 1, |_, _| 9), 5).as_raw(), &[9]);
        // A blurred dark bar of 4 px on light: deconvolution darkens its centre again.
        let bar = img(40, 8, |x, _| if (18..22).contains(&x) { 20 } else { 220 });
        let soft = box_blur(&box_blur(&bar, 2), 1);
        let sharp = deblur(&soft, 20);
        let (before, after) = (soft.get_pixel(20, 4)[0], sharp.get_pixel(20, 4)[0]);
        assert!(after + 30 < before, "centre {before} -> {after}");
        assert!(sharp.get_pixel(2, 4)[0] >= 200, "background stays light");
    }
}
