//! The work budget of one scan: counted in pixels, finder candidates and candidate grids, never
//! in time (the same crate runs in WebAssembly, where there is no clock to read, and counts
//! make the bound testable).
//!
//! Hostile images (issue 12: a picture tiled with finder-pattern look-alikes) make both
//! engines' work grow with the square or the cube of the number of finder candidates. The
//! limits below bound every pass and the whole scan, so that any image the loader accepts is
//! decoded or given up on within about a second of one core (measured figures in
//! docs/qr-robustness.md). A pass that would exceed them gives up ("no code found"); the scan
//! stops when the whole budget is spent.

/// Most pixels one scan may process, summed over its passes: each pass counts the pixels of
/// its resampled image once for every full-image operation it costs (filters, binarising,
/// the engine's search), estimated ahead from its size and its finder candidates.
pub const MAX_SCAN_PIXEL_WORK: u64 = 320_000_000;

/// Most finder-pattern candidates one scan may hand to the engines, summed over its passes:
/// rqrr capstones (each grouping try copies the whole image) and rxing finder-row hits (each
/// checked against every pattern found before). A pass whose candidates would exceed what is
/// left gives up; so does one over the per-pass limits (40 rqrr capstones, 4,000 rxing row
/// hits).
pub const MAX_FINDER_CANDIDATES: u64 = 20_000;

/// Most candidate grids (three finder patterns taken as a code's corners and sampled) one scan
/// may try, summed over its passes.
pub const MAX_GRID_ATTEMPTS: u64 = 3_000;

/// Most rqrr capstones one pass may hand to rqrr: rqrr tries each pair of a capstone's neighbours and
/// copies the whole image for each try, so its work grows with the cube of this number.
pub(crate) const MAX_RQRR_CAPSTONES: u64 = 40;

/// rxing's exhaustive finder search checks each row hit against each pattern found; above
/// this many hits (its square bounds that work) the pass gives up.
pub(crate) const MAX_ZX_ROW_HITS: u64 = 4_000;

/// Grids one rxing pass may sample and decode (its most plausible finder triples first).
pub(crate) const MAX_ZX_GRIDS_PER_PASS: u64 = 400;

/// The work a scan did, as counted against its budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Work {
    /// Passes run (skipped ones not counted).
    pub passes: u64,
    /// Pixel work, in pixels: see [`MAX_SCAN_PIXEL_WORK`].
    pub pixels: u64,
    /// Finder-pattern candidates handed to the engines, summed over passes: see
    /// [`MAX_FINDER_CANDIDATES`].
    pub finder_candidates: u64,
    /// Candidate grids tried (rqrr: the most it may try, bounded ahead; rxing: sampled).
    pub grid_attempts: u64,
    /// Passes that gave up because of a limit.
    pub gave_up: u64,
}

impl Work {
    /// True while another `pixels` of pixel work and `grids` grid attempts fit the budget.
    pub(crate) fn affords(&self, pixels: u64, grids: u64) -> bool {
        self.pixels.saturating_add(pixels) <= MAX_SCAN_PIXEL_WORK
            && self.grid_attempts.saturating_add(grids) <= MAX_GRID_ATTEMPTS
    }

    /// Takes `k` finder candidates for an engine if this pass may have them (at most
    /// `per_pass`, and within what is left of the scan's budget); counts a pass given up
    /// otherwise.
    pub(crate) fn take_candidates(&mut self, k: u64, per_pass: u64) -> bool {
        if k > per_pass || self.finder_candidates.saturating_add(k) > MAX_FINDER_CANDIDATES {
            self.gave_up += 1;
            return false;
        }
        self.finder_candidates += k;
        true
    }

    /// Grid attempts still available to this scan.
    pub(crate) fn grids_left(&self) -> u64 {
        MAX_GRID_ATTEMPTS.saturating_sub(self.grid_attempts)
    }
}

/// The most grouping tries rqrr can make with `k` capstones: for each capstone, each pair of
/// one neighbour along its rows and one along its columns, a neighbour counting for one side
/// only, so at most ⌊(k−1)²/4⌋ pairs per capstone.
pub(crate) fn rqrr_max_tries(k: u64) -> u64 {
    let others = k.saturating_sub(1);
    k.saturating_mul(others.saturating_mul(others) / 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rqrr_tries_bound() {
        assert_eq!(rqrr_max_tries(0), 0);
        assert_eq!(rqrr_max_tries(1), 0);
        assert_eq!(rqrr_max_tries(3), 3);
        assert_eq!(rqrr_max_tries(12), 12 * 30);
        assert!(rqrr_max_tries(u64::MAX) == u64::MAX);
    }

    #[test]
    fn affords_counts_both_limits() {
        let w = Work::default();
        assert!(w.affords(MAX_SCAN_PIXEL_WORK, MAX_GRID_ATTEMPTS));
        assert!(!w.affords(MAX_SCAN_PIXEL_WORK + 1, 0));
        assert!(!w.affords(0, MAX_GRID_ATTEMPTS + 1));
    }
}
