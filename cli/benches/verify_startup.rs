#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What an officer's device pays per scan from the command line (docs/performance.md,
//! "Verifier start-up"): `giayto verify --bundle` on one code, as a whole process, with a
//! national bundle of 1,000 issuers and 512 status lists against the same command with a
//! one-issuer, one-list bundle, measured alternately in the same run. Goal: at most 15 ms per
//! verify with the national bundle. `cargo bench -p giayto-cli --bench verify_startup`.

use std::path::Path;
use std::process::Command;

use giayto_bench::{national_bundle, paired, Fixture};

fn verify(dir: &Path, bundle: &str, text: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_giayto"))
        .args(["--lang", "en", "verify", "--root"])
        .arg(dir.join("root.pub"))
        .arg("--bundle")
        .arg(dir.join(bundle))
        .args(["--at", "2026-11-23T00:00:00Z", text])
        .env("GIAYTO_STATE_DIR", dir.join("state"))
        .env("GIAYTO_TEST_NOW", giayto_vectors::AT.to_string())
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    let f = Fixture::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let root = ed25519_dalek::SigningKey::from_bytes(&giayto_vectors::seeds::ROOT);
    giayto_trust::keys::write_public_key(&dir.path().join("root.pub"), &root.verifying_key())
        .expect("root.pub");
    let national = national_bundle(1_000, 512);
    std::fs::write(dir.path().join("national.bundle"), &national).expect("write");
    std::fs::write(dir.path().join("small.bundle"), national_bundle(1, 1)).expect("write");
    // The first runs record the data as used (the device state); later runs find it unchanged.
    verify(dir.path(), "small.bundle", &f.text);
    verify(dir.path(), "national.bundle", &f.text);
    if std::env::var_os("GIAYTO_BENCH_KEEP").is_some() {
        // For profiling one run by hand: keep the folder and say how to run the command.
        let kept = dir.keep();
        println!(
            "kept {}: giayto verify --root root.pub --bundle national.bundle --at 2026-11-23T00:00:00Z {}",
            kept.display(),
            f.text
        );
        return;
    }
    let p = paired(
        21,
        3,
        || verify(dir.path(), "national.bundle", &f.text),
        || verify(dir.path(), "small.bundle", &f.text),
    );
    println!(
        "giayto verify, one code: national bundle (1,000 issuers x 512 lists, {} KiB) {:.2} ms \
         (median {:.2}), small bundle {:.2} ms (median {:.2}): {:.2}x",
        national.len() / 1024,
        p.min_a.as_secs_f64() * 1e3,
        p.median_a.as_secs_f64() * 1e3,
        p.min_b.as_secs_f64() * 1e3,
        p.median_b.as_secs_f64() * 1e3,
        p.min_a.as_secs_f64() / p.min_b.as_secs_f64(),
    );
}
