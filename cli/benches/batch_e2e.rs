//! `giayto issue-batch` end to end, as a user runs it: the release binary on a JSON-lines file
//! of varied synthetic people (`giayto_bench::people`), into a fresh issuer's SQLite registry
//! (WAL, `synchronous=FULL`), writing the QR texts and the index. Reported: credentials per
//! second of wall time over the first and the last tenth of the rows (read from the output
//! file as it grows), CPU µs per credential and peak RSS of the process (from /proc), bytes it
//! wrote per credential (`write_bytes` of /proc/PID/io) in all and in the registry alone (all
//! minus the output files), and a bare Ed25519 signature of a credential-sized message timed in
//! this process just before and just after the batch, for the ratio.
//!
//! Run: `cargo bench -p giayto-cli --bench batch_e2e` (1,000,000 rows; `GIAYTO_BATCH_ROWS=N`
//! for another size; `GIAYTO_BATCH_CHUNK=N` for the chunk size). Needs about 1.2 GB of free
//! disk in the temporary folder for a million rows. Linux only (reads /proc).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first failure

use std::io::{BufWriter, Read, Seek, SeekFrom};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer, SigningKey};

const PASS: &str = "bench-pass-1234";

fn giayto(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_giayto"));
    c.current_dir(dir)
        .env("GIAYTO_PASSPHRASE", PASS)
        .env("GIAYTO_KDF_LOG_N", "10")
        .env("GIAYTO_NO_PROGRESS", "1")
        .env("NO_COLOR", "1")
        .env_remove("GIAYTO_REGISTRY_URL");
    c
}

/// Bare signatures per second on one core, over `secs` seconds.
fn bare_sign_us(len: usize, secs: f64) -> f64 {
    let key = SigningKey::from_bytes(&[5; 32]);
    let mut msg = vec![0xA5u8; len];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        for _ in 0..100 {
            msg[0] = msg[0].wrapping_add(1);
            std::hint::black_box(key.sign(&msg));
        }
        n += 100;
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn field(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        l.strip_prefix(name)?
            .trim()
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

/// (state, user+system CPU seconds) of a process from /proc/PID/stat.
fn stat(pid: u32) -> Option<(char, f64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks = 100.0; // USER_HZ on Linux
    let cpu = (f[11].parse::<f64>().ok()? + f[12].parse::<f64>().ok()?) / ticks;
    Some((f[0].chars().next()?, cpu))
}

fn main() {
    let rows: u64 = std::env::var("GIAYTO_BATCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let chunk = std::env::var("GIAYTO_BATCH_CHUNK").unwrap_or_else(|_| "1000".into());
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let init = giayto(dir)
        .args([
            "issuer",
            "init",
            "--dir",
            "iss",
            "--id",
            "VN.BCA.C06",
            "--name",
        ])
        .arg("Cục C06 (bench)")
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let input = dir.join("people.jsonl");
    let t = Instant::now();
    {
        let mut w = BufWriter::new(std::fs::File::create(&input).unwrap());
        giayto_bench::people::People::new(2026)
            .cccd_jsonl(rows, &mut w)
            .unwrap();
    }
    let input_len = std::fs::metadata(&input).unwrap().len();
    eprintln!(
        "{rows} varied CCCD rows generated in {:.1} s ({:.0} bytes a row)",
        t.elapsed().as_secs_f64(),
        input_len as f64 / rows as f64
    );

    let bare_before = bare_sign_us(330, 2.0);

    let started = Instant::now();
    let mut child = giayto(dir)
        .args([
            "--json",
            "issue-batch",
            "--dir",
            "iss",
            "--type",
            "cccd",
            "--input",
        ])
        .arg(&input)
        .args(["--out-dir", "out", "--chunk", &chunk])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let partial = dir.join("out/.credentials.txt.partial");
    // (seconds, lines written) as the output grows.
    let mut samples: Vec<(f64, u64)> = vec![(0.0, 0)];
    let (mut lines, mut offset) = (0u64, 0u64);
    let (mut peak_kib, mut cpu, mut written) = (0u64, 0.0f64, 0u64);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        std::thread::sleep(Duration::from_millis(250));
        if let Ok(mut f) = std::fs::File::open(&partial) {
            f.seek(SeekFrom::Start(offset)).unwrap();
            loop {
                let n = f.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
                offset += n as u64;
            }
            samples.push((started.elapsed().as_secs_f64(), lines));
        }
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            peak_kib = peak_kib.max(field(&s, "VmHWM:").unwrap_or(0));
        }
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/io")) {
            written = written.max(field(&s, "write_bytes:").unwrap_or(0));
        }
        match stat(pid) {
            Some((state, c)) => {
                cpu = c;
                // Exited but not yet reaped: its CPU times are final.
                if state == 'Z' {
                    break;
                }
            }
            None => break,
        }
    }
    let out = child.wait_with_output().unwrap();
    let wall = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["issued"], rows, "{summary}");

    let bare_after = bare_sign_us(330, 2.0);
    let bare = (bare_before + bare_after) / 2.0;

    let texts = std::fs::metadata(dir.join("out/credentials.txt"))
        .unwrap()
        .len();
    let index = std::fs::metadata(dir.join("out/index.csv")).unwrap().len();
    let registry: u64 = ["registry.sqlite", "registry.sqlite-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join("iss").join(f)).ok())
        .map(|m| m.len())
        .sum();
    // Rate over the first and the last tenth of the rows, from the samples.
    let rate_between = |from: u64, to: u64| {
        let a = samples
            .iter()
            .find(|s| s.1 >= from)
            .copied()
            .unwrap_or((0.0, 0));
        let b = samples
            .iter()
            .find(|s| s.1 >= to)
            .copied()
            .unwrap_or(*samples.last().unwrap());
        (b.1 - a.1) as f64 / (b.0 - a.0).max(1e-3)
    };
    let tenth = rows / 10;
    let first = rate_between(0, tenth);
    let last = rate_between(rows - tenth, rows);
    let n = rows as f64;
    let cpu_us = cpu * 1e6 / n;
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let reg_bytes = written.saturating_sub(texts + index) as f64 / n;
    println!("issue-batch, {rows} varied CCCD rows (JSON lines), chunk {chunk}, {cores} cores");
    println!(
        "  wall: {wall:.1} s = {:.0} credentials/s (binary's own figure: {} /s)",
        n / wall,
        summary["per_second"]
    );
    println!("  first tenth: {first:.0} /s; last tenth: {last:.0} /s");
    println!(
        "  CPU: {cpu:.1} s = {cpu_us:.1} µs per credential = {:.0} credentials per CPU-second",
        n / cpu
    );
    println!("  peak RSS: {:.1} MiB", peak_kib as f64 / 1024.0);
    println!(
        "  written: {:.0} bytes per credential in all; output files {:.0}; registry {:.0} \
         (registry files now {:.0} bytes per credential)",
        written as f64 / n,
        (texts + index) as f64 / n,
        reg_bytes,
        registry as f64 / n
    );
    println!(
        "  bare Ed25519 sign of 330 bytes, one core: {bare:.1} µs ({bare_before:.1} before, \
         {bare_after:.1} after); CPU per credential / bare sign = {:.2}x; wall per credential \
         × cores / bare sign = {:.2}x",
        cpu_us / bare,
        wall * 1e6 / n * cores as f64 / bare
    );
}
