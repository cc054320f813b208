//! The scanner's work on every image of a seeded corpus, against its budget: the largest
//! counts seen and the images on which some pass gave up on a limit. Shows how much headroom
//! the limits of `giayto_qr` (MAX_SCAN_PIXEL_WORK, MAX_FINDER_CANDIDATES, MAX_GRID_ATTEMPTS)
//! leave to real-looking photos.
//! With `ZX_ONLY=1`, only the default passes of the rxing engine run (what a build where
//! panics cannot be caught, such as WebAssembly, scans with).
//! `cargo run --release -p giayto-qr-bench --example corpus-work -- [PER_CELL] [SEED]`

use giayto_qr::{scan_with, Pass, Tone, DEFAULT_PASSES};
use giayto_qr_bench::{corpus, peers};

fn main() {
    let mut args = std::env::args().skip(1);
    let per_cell = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let seed = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(giayto_qr_bench::SEED);
    let (mut pixels, mut candidates, mut grids, mut most_passes) = (0u64, 0u64, 0u64, 0u64);
    let mut gave_up = Vec::new();
    let mut decoded = 0;
    let zx = [
        Tone::Zx,
        Tone::ZxInverted,
        Tone::ZxSmooth,
        Tone::ZxStretch,
        Tone::ZxSharpen,
    ];
    let passes: Vec<Pass> = DEFAULT_PASSES
        .iter()
        .filter(|p| std::env::var_os("ZX_ONLY").is_none() || zx.contains(&p.tone))
        .copied()
        .collect();
    let samples = corpus::generate(seed, per_cell);
    for s in &samples {
        let img = image::load_from_memory(&s.bytes).expect("own image");
        let r = scan_with(&img, &passes);
        if peers::decoded(&s.expected, &r.texts) {
            decoded += 1;
        }
        pixels = pixels.max(r.work.pixels);
        candidates = candidates.max(r.work.finder_candidates);
        grids = grids.max(r.work.grid_attempts);
        most_passes = most_passes.max(r.work.passes);
        if r.work.gave_up > 0 {
            gave_up.push(format!("{} ({})", s.id, r.work.gave_up));
        }
    }
    println!("{decoded}/{} decoded", samples.len());
    println!(
        "largest: pixel work {} M of {} M, finder candidates {pixels_c} of {}, grids {grids} of {}, passes {most_passes}",
        pixels / 1_000_000,
        giayto_qr::MAX_SCAN_PIXEL_WORK / 1_000_000,
        giayto_qr::MAX_FINDER_CANDIDATES,
        giayto_qr::MAX_GRID_ATTEMPTS,
        pixels_c = candidates,
    );
    println!(
        "images with a pass that gave up: {} {gave_up:?}",
        gave_up.len()
    );
}
