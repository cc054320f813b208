//! Counting finder-pattern candidates in a binarised image before an engine sees it.
//!
//! Both engines search the whole image for finder patterns and then try groupings of them;
//! neither bounds that work, and an image tiled with finder-pattern look-alikes makes it grow
//! with the square or the cube of their number (issue 12). These counts, made with the same
//! acceptance tests as the engines (written here from their documented behaviour), let a pass
//! give up before the engine starts when the image holds more candidates than any photo of a
//! few codes does.

/// A binarised image: `dark[y * width + x]` is non-zero for a dark pixel.
pub(crate) struct Bits<'a> {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) dark: &'a [u8],
}

/// The five runs dark, light, dark, light, dark ending at `x` (exclusive) on one row.
type Runs = [usize; 5];

/// Calls `hit(runs, end)` for every window of five runs starting with a dark run on row `y`,
/// `end` being the first pixel after the window (a light pixel or the row's end).
fn scan_row(bits: &Bits<'_>, y: usize, mut hit: impl FnMut(&Runs, usize)) {
    let row = &bits.dark[y * bits.width..(y + 1) * bits.width];
    // Runs so far on this row, newest last; only the last five matter.
    let mut runs: Runs = [0; 5];
    let mut count = 0usize;
    let mut x = 0;
    while x < row.len() {
        let colour = row[x] != 0;
        let start = x;
        while x < row.len() && (row[x] != 0) == colour {
            x += 1;
        }
        runs.rotate_left(1);
        runs[4] = x - start;
        count += 1;
        // A window ends on a dark run, five runs long, starting dark.
        if colour && count >= 5 {
            hit(&runs, x);
        }
    }
}

/// The 1:1:3:1:1 test of rqrr's line scanner: every run within three quarters of the mean
/// outer run of its expected length.
fn rqrr_like(r: &Runs) -> bool {
    let avg = (r[0] + r[1] + r[3] + r[4]) / 4;
    let err = avg * 3 / 4;
    r.iter()
        .zip([1, 1, 3, 1, 1])
        .all(|(&run, k)| run + err >= k * avg && run <= k * avg + err)
}

/// The 1:1:3:1:1 test of rxing's (zxing-cpp's) finder search: its quick plausibility check,
/// then the module sizes of dark and light runs (no more than 4× apart) and every run within
/// ¾ module (dark) or ⅓ module (light) of its expected length, half a pixel added.
fn zx_like(r: &Runs) -> bool {
    if r[2] < 3 || r[2] < 2 * r[0].max(r[4]) || r[2] < r[1].max(r[3]) {
        return false;
    }
    let bar = (r[0] + r[2] + r[4]) as f64 / 5.0;
    let space = (r[1] + r[3]) as f64 / 2.0;
    if bar.max(space) > 4.0 * bar.min(space) {
        return false;
    }
    let limits = [bar * 0.75 + 0.5, space / 3.0 + 0.5];
    r.iter()
        .zip([1.0, 1.0, 3.0, 1.0, 1.0])
        .enumerate()
        .all(|(i, (&run, k))| {
            let module = if i % 2 == 0 { bar } else { space };
            (run as f64 - k * module).abs() <= limits[i % 2]
        })
}

/// How many rows rxing's exhaustive ("try harder") finder search scans: every third, from the
/// third.
const ZX_ROW_STEP: usize = 3;

/// Number of row positions at which rxing's finder search would test a candidate: each costs
/// it a check against every pattern already found, so the search is quadratic in this number.
pub(crate) fn zx_row_hits(bits: &Bits<'_>) -> u64 {
    let mut hits = 0u64;
    let mut y = ZX_ROW_STEP - 1;
    while y < bits.height {
        scan_row(bits, y, |r, _| {
            if zx_like(r) {
                hits += 1;
            }
        });
        y += ZX_ROW_STEP;
    }
    hits
}

/// Connected components (4-connected, as rqrr's flood fill) of the dark pixels: a label per
/// pixel (`u32::MAX` for light ones) and the pixel count of each label.
fn dark_components(bits: &Bits<'_>) -> (Vec<u32>, Vec<u32>) {
    let (w, h) = (bits.width, bits.height);
    let mut parent: Vec<u32> = Vec::new();
    fn find(parent: &mut [u32], mut a: u32) -> u32 {
        while parent[a as usize] != a {
            let up = parent[parent[a as usize] as usize];
            parent[a as usize] = up;
            a = up;
        }
        a
    }
    let mut label = vec![u32::MAX; w * h];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if bits.dark[i] == 0 {
                continue;
            }
            let left = if x > 0 { label[i - 1] } else { u32::MAX };
            let up = if y > 0 { label[i - w] } else { u32::MAX };
            label[i] = match (left != u32::MAX, up != u32::MAX) {
                (false, false) => {
                    let n = parent.len() as u32;
                    parent.push(n);
                    n
                }
                (true, false) => left,
                (false, true) => up,
                (true, true) => {
                    let (a, b) = (find(&mut parent, left), find(&mut parent, up));
                    let (lo, hi) = (a.min(b), a.max(b));
                    parent[hi as usize] = lo;
                    lo
                }
            };
        }
    }
    // Resolve every label to its root and count pixels per root.
    let mut area = vec![0u32; parent.len()];
    for l in label.iter_mut() {
        if *l != u32::MAX {
            *l = find(&mut parent, *l);
            area[*l as usize] += 1;
        }
    }
    (label, area)
}

/// Number of finder patterns rqrr's capstone search would accept: a 1:1:3:1:1 run on some row
/// whose outer ring and inner stone are distinct dark components, neither claimed by an
/// earlier capstone, the stone holding 10–70 % as many pixels as the ring. rqrr then tries
/// every pair of neighbours of every capstone, copying the whole image for each try.
pub(crate) fn rqrr_capstones(bits: &Bits<'_>) -> u64 {
    let (label, area) = dark_components(bits);
    let mut claimed = vec![false; area.len()];
    let mut count = 0u64;
    for y in 0..bits.height {
        let row = &label[y * bits.width..(y + 1) * bits.width];
        scan_row(bits, y, |r, end| {
            if !rqrr_like(r) {
                return;
            }
            let ring = row[end - 1];
            let stone = row[end - r[4] - r[3] - 1];
            if ring == u32::MAX || stone == u32::MAX || ring == stone {
                return;
            }
            let (ri, si) = (ring as usize, stone as usize);
            if claimed[ri] || claimed[si] {
                return;
            }
            let ratio = u64::from(area[si]) * 100 / u64::from(area[ri]).max(1);
            if 10 < ratio && ratio < 70 {
                claimed[ri] = true;
                claimed[si] = true;
                count += 1;
            }
        });
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n`×`n` finder look-alikes of `m` px modules in tiles of 8 modules.
    fn tiles(n: usize, m: usize) -> (usize, Vec<u8>) {
        let side = n * 8 * m;
        let dark = (0..side * side)
            .map(|i| {
                let (x, y) = ((i % side) % (8 * m) / m, (i / side) % (8 * m) / m);
                u8::from(x < 7 && y < 7 && x.min(y).min(6 - x).min(6 - y) != 1)
            })
            .collect();
        (side, dark)
    }

    #[test]
    fn counts_each_finder_once() {
        for (n, m) in [(1, 3), (3, 3), (5, 2), (4, 5)] {
            let (side, dark) = tiles(n, m);
            let bits = Bits {
                width: side,
                height: side,
                dark: &dark,
            };
            assert_eq!(rqrr_capstones(&bits), (n * n) as u64, "{n}x{n}, module {m}");
            // rxing tests every third row through each stone of 3 modules.
            let hits = zx_row_hits(&bits);
            assert!(
                hits >= (n * n * m) as u64 - 1,
                "{hits} hits, {n}x{n}, module {m}"
            );
        }
    }

    #[test]
    fn plain_squares_and_blank_have_none() {
        let side = 60;
        let blank = vec![0u8; side * side];
        let solid: Vec<u8> = (0..side * side)
            .map(|i| u8::from((i % side) / 10 % 2 == 0 && (i / side) / 10 % 2 == 0))
            .collect();
        for dark in [&blank, &solid] {
            let bits = Bits {
                width: side,
                height: side,
                dark,
            };
            assert_eq!(rqrr_capstones(&bits), 0);
            assert_eq!(zx_row_hits(&bits), 0);
        }
    }

    #[test]
    fn run_tests_accept_the_ratio_and_refuse_others() {
        assert!(rqrr_like(&[3, 3, 9, 3, 3]));
        assert!(zx_like(&[3, 3, 9, 3, 3]));
        assert!(!rqrr_like(&[3, 3, 3, 3, 3]));
        assert!(!zx_like(&[3, 3, 3, 3, 3]));
        assert!(!zx_like(&[1, 1, 2, 1, 1]), "centre below 3 px");
    }
}
