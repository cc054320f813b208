//! Measures every candidate scan pass on its own over a tuning corpus (a different seed from
//! the published one), then orders passes greedily: each next pass is the one that decodes the
//! most images not yet decoded, per second spent. This is how `DEFAULT_PASSES` was chosen.
//! `cargo run --release -p giayto-qr-bench --bin qr-passes -- [PER_CELL] [SEED]`

use std::time::Instant;

use giayto_qr::{scan_with, Pass, Tone};
use giayto_qr_bench::{corpus, peers};

fn main() {
    let mut args = std::env::args().skip(1);
    let per_cell = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    let samples = corpus::generate(seed, per_cell);
    let images: Vec<_> = samples
        .iter()
        .map(|s| image::load_from_memory(&s.bytes).expect("own image"))
        .collect();
    let tones = Tone::ALL;
    let scales: Vec<u16> = std::env::var("SCALES")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| giayto_qr_bench::CANDIDATE_SCALES.to_vec());
    let mut table = Vec::new();
    let only: Option<String> = std::env::var("TONES").ok();
    for tone in tones {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|t| t == tone.name()))
        {
            continue;
        }
        for &scale in &scales {
            let pass = Pass::new(tone, scale);
            let start = Instant::now();
            let ok: Vec<bool> = samples
                .iter()
                .zip(&images)
                .map(|(s, img)| peers::decoded(&s.expected, &scan_with(img, &[pass]).texts))
                .collect();
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "{:<24} {:>3}/{} {:>7.1} ms/image",
                pass.name(),
                ok.iter().filter(|b| **b).count(),
                samples.len(),
                secs * 1e3 / samples.len() as f64
            );
            table.push((pass, ok, secs));
        }
    }
    let mut covered = vec![false; samples.len()];
    println!("greedy order (new images per second):");
    loop {
        let best = table
            .iter()
            .map(|(p, ok, secs)| {
                let new = ok.iter().zip(&covered).filter(|(o, c)| **o && !**c).count();
                (p, ok, new, new as f64 / secs.max(1e-6))
            })
            .filter(|t| t.2 > 0)
            .max_by(|a, b| a.3.total_cmp(&b.3));
        let Some((pass, ok, new, _)) = best else {
            break;
        };
        for (c, o) in covered.iter_mut().zip(ok) {
            *c |= *o;
        }
        println!(
            "  {:<24} +{new:>3} -> {}/{}",
            pass.name(),
            covered.iter().filter(|c| **c).count(),
            samples.len()
        );
    }
    let missed: Vec<&str> = samples
        .iter()
        .zip(&covered)
        .filter(|(_, c)| !**c)
        .map(|(s, _)| s.id.as_str())
        .collect();
    println!("never decoded: {missed:?}");
}
