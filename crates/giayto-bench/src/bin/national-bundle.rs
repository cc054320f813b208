//! Writes the national bundle of `giayto_bench::national_bundle` (1,000 issuers, 512 status
//! lists of 131,072 entries) and a one-issuer, one-list bundle, with the test-vector root key
//! and the fixture's CCCD code, for measuring start-up outside Rust: the web page's bundle
//! load in WASM (`node npm/bench/bundle-load.cjs`, docs/performance.md "End to end: the web
//! page"). `cargo run --release -p giayto-bench --bin national-bundle -- DIR` (a binary, not an
//! example, so that it builds without the benchmarks' dev-dependencies).

use std::path::PathBuf;

use giayto_bench::{national_bundle, Fixture};

fn main() {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: national_bundle DIR");
        std::process::exit(2);
    };
    std::fs::create_dir_all(&dir).unwrap();
    let root = ed25519_dalek::SigningKey::from_bytes(&giayto_vectors::seeds::ROOT).verifying_key();
    let f = Fixture::new();
    std::fs::write(dir.join("root.key"), root.to_bytes()).unwrap();
    std::fs::write(dir.join("code.txt"), &f.text).unwrap();
    std::fs::write(dir.join("at.txt"), f.at.to_string()).unwrap();
    std::fs::write(dir.join("small.bundle"), national_bundle(1, 1)).unwrap();
    std::fs::write(dir.join("national.bundle"), national_bundle(1_000, 512)).unwrap();
    println!("{}", dir.display());
}
