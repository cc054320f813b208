//! The Rust figure for bindings/python/bench/bench_verify.py: `Verifier::verify` on the test
//! vector `valid_cccd`, and the credential's COSE bytes and issuer key so the Python side can
//! time python-cwt's `decode` on the very same bytes. Prints one JSON object.
//!
//! `cargo run --release -p giayto-verify-ffi --example bench_verify -- test-vectors [ITERATIONS]`

use std::time::Instant;

use giayto_verify::{hex_lower, Verifier};
use giayto_verify_ffi::core::{parse_hex, parse_root};
use serde_json::{json, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .ok_or("usage: bench_verify TEST-VECTORS-DIR [N]")?,
    );
    let n: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(5000);
    let suite: Value = serde_json::from_slice(&std::fs::read(dir.join("credentials.json"))?)?;
    let vector = suite["vectors"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["name"] == "valid_cccd"))
        .ok_or("valid_cccd vector")?;
    let root =
        parse_root(&parse_hex(suite["root_public_key"].as_str().ok_or("root")?, 64).ok_or("hex")?)?;
    let trust = parse_hex(suite["trust_list"].as_str().ok_or("trust")?, 1 << 20).ok_or("hex")?;
    let verifier = Verifier::new(root, &trust)?;
    let text = vector["text"].as_str().ok_or("text")?;
    let at = vector["at"].as_i64().ok_or("at")?;
    let ok = verifier
        .verify(text, at)
        .map_err(|r| r.verdict.to_string())?;
    for _ in 0..n / 10 {
        std::hint::black_box(verifier.verify(std::hint::black_box(text), at).is_ok());
    }
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(verifier.verify(std::hint::black_box(text), at).is_ok());
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(n);
    let (_, cose) = giayto_cose::text::decode(text, &[])?;
    println!(
        "{}",
        json!({
            "vector": "valid_cccd",
            "iterations": n,
            "rust_ns_per_verify": ns,
            "text": text,
            "at": at,
            "cose_hex": hex_lower(&cose),
            "issuer_public_key": hex_lower(&ok.issuer().public_key),
            "root_public_key": suite["root_public_key"],
            "trust_list": suite["trust_list"],
        })
    );
    Ok(())
}
