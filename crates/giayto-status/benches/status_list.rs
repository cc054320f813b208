//! Status list benchmarks: build and publish (set entries, compress, sign) for 1 million and
//! 100 million entries, and single look-ups, each against a baseline measured in the same run.
//!
//! Run: `cargo bench -p giayto-status` (add `-- --quick` to skip the 100 million list).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first failure

use std::hint::black_box;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use giayto_status::{Status, StatusList, StatusListToken};

/// Peak resident memory of this process so far (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A deterministic spread of indices (a 64-bit LCG), for revocations and look-ups.
fn indices(n: usize, range: u64, seed: u64) -> Vec<u64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) % range
        })
        .collect()
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = f();
        best = best.min(t.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

fn publish(entries: u64, not_valid: &[u64], key: &SigningKey) -> Vec<u8> {
    let mut list = StatusList::new(entries).expect("size");
    for (i, idx) in not_valid.iter().enumerate() {
        let s = if i % 4 == 0 {
            Status::Suspended
        } else {
            Status::Revoked
        };
        list.set(*idx, s).expect("in range");
    }
    StatusListToken {
        uri: "https://giayto.example/st/VN.BCA.C06/1".into(),
        issued_at: 1_795_392_000,
        expires_at: 1_795_392_000 + 7 * 86_400,
        ttl: Some(86_400),
        list,
    }
    .sign(key)
    .expect("signs")
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let key = SigningKey::from_bytes(&[3; 32]);
    println!("# giayto-status benchmarks");
    println!(
        "machine: {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let mut sizes = vec![1u64 << 20, 1_000_000 / 4 * 4];
    if !quick {
        sizes.push(100_000_000);
    }
    sizes.dedup();
    println!("\n## build and publish (1% not valid: revoked or suspended)");
    println!("| entries | not valid | publish | baseline: write the array once | ratio | token bytes | peak RSS |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for entries in sizes {
        let not_valid = indices((entries / 100) as usize, entries, 7);
        let runs = if entries > 10_000_000 { 2 } else { 5 };
        // Baseline: writing every byte of the packed array once, the least any builder does.
        let (base, _) = best_of(runs, || {
            let mut v = vec![0u8; (entries / 4) as usize];
            v.fill(0x55);
            black_box(v.iter().step_by(4096).map(|b| u64::from(*b)).sum::<u64>())
        });
        let (t, token) = best_of(runs, || publish(entries, &not_valid, &key));
        println!(
            "| {entries} | {} | {:.1} ms | {:.3} ms | {:.0}x | {} | {:.0} MiB |",
            not_valid.len(),
            t.as_secs_f64() * 1e3,
            base.as_secs_f64() * 1e3,
            t.as_secs_f64() / base.as_secs_f64().max(1e-9),
            token.len(),
            peak_rss_mib().unwrap_or(f64::NAN)
        );
    }

    println!("\n## single look-up (2^20 entries, random indices)");
    let mut list = StatusList::new(1 << 20).expect("size");
    for i in indices(10_000, 1 << 20, 9) {
        list.set(i, Status::Revoked).expect("in range");
    }
    let raw: Vec<u8> = list.as_bytes().to_vec();
    let probes = indices(1_000_000, 1 << 20, 11);
    let (t, hits) = best_of(5, || {
        probes
            .iter()
            .filter(|i| list.get(**i) == Some(Status::Revoked))
            .count()
    });
    // Baseline: the same memory reads without the bit arithmetic or bounds handling.
    let (base, _) = best_of(5, || {
        probes
            .iter()
            .map(|i| u64::from(raw[(*i / 4) as usize]))
            .sum::<u64>()
    });
    black_box(hits);
    let per = t.as_secs_f64() / probes.len() as f64 * 1e9;
    let base_per = base.as_secs_f64() / probes.len() as f64 * 1e9;
    println!("| look-up | baseline: byte read | ratio |");
    println!("|---:|---:|---:|");
    println!(
        "| {per:.2} ns | {base_per:.2} ns | {:.2}x |",
        per / base_per.max(1e-9)
    );
}
