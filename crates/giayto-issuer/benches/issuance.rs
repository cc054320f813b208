//! Issuance throughput including the registry: sign, encode as QR text, record in SQLite (one
//! transaction per chunk of 1,000), against a bare Ed25519 signature of the same payload
//! measured in the same run: chunks of the two alternate, and the ratio comes from the fastest
//! rounds and from the medians.
//!
//! Run: `cargo bench -p giayto-issuer`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the first failure

use std::hint::black_box;
use std::time::Instant;

use ed25519_dalek::{Signer, SigningKey};
use giayto_issuer::{BatchItem, IssueOptions, Issuer, IssuerMeta};
use giayto_model::{DocType, Document};
use giayto_trust::keys::KdfCost;
use giayto_trust::SecretString;

const N: usize = 20_000;
const CHUNK: usize = 1_000;

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("iss");
    let pass = SecretString::from("bench-pass".to_owned());
    let meta = IssuerMeta {
        id: "VN.BCA.C06".into(),
        name_vi: "Cục C06".into(),
        name_en: None,
        status_uri_prefix: None,
        list_size: None,
        registry_url: None,
    };
    giayto_issuer::init(&dir, &meta, &pass, KdfCost::new(10)).expect("init");
    let mut issuer = Issuer::open(&dir, &pass).expect("open");
    let document = Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd))
        .expect("sample");
    let options = IssueOptions {
        holder_key: Some([9; 32]),
        ..IssueOptions::default()
    };
    let now = 1_795_392_000;

    // Warm up (creates the first status list).
    let warm: Vec<BatchItem<'_>> = (0..CHUNK)
        .map(|i| BatchItem {
            document: &document,
            options: options.clone(),
            line: i as u64,
        })
        .collect();
    let sample = issuer.issue_items(&warm, None, now).expect("issues");
    let payload_len = sample[0].cose.len();

    // Paired rounds: a chunk of issuance, then a chunk of bare signatures over a message of
    // the credential's size, alternating, so that both see the same machine load; the ratio
    // is taken from the fastest rounds and from the medians.
    let key = SigningKey::from_bytes(&[5; 32]);
    let mut message = vec![0xA5u8; payload_len];
    let mut issue_rounds = Vec::with_capacity(N / CHUNK);
    let mut bare_rounds = Vec::with_capacity(N / CHUNK);
    issuer.set_signing_threads(1);
    for _ in 0..N / CHUNK {
        let t = Instant::now();
        let issued = issuer.issue_items(&warm, None, now).expect("issues");
        issue_rounds.push(t.elapsed().as_secs_f64() / CHUNK as f64);
        black_box(issued);
        let t = Instant::now();
        for i in 0..CHUNK {
            message[0] = i as u8;
            black_box(key.sign(&message));
        }
        bare_rounds.push(t.elapsed().as_secs_f64() / CHUNK as f64);
    }
    let fastest = |v: &[f64]| v.iter().copied().fold(f64::MAX, f64::min);
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (issue_min, bare_min) = (fastest(&issue_rounds), fastest(&bare_rounds));
    let (issue_med, bare_med) = (median(&mut issue_rounds), median(&mut bare_rounds));

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    issuer.set_signing_threads(cores);
    let t = Instant::now();
    for _ in 0..N / CHUNK {
        black_box(issuer.issue_items(&warm, None, now).expect("issues"));
    }
    let all_cores = t.elapsed().as_secs_f64();

    // Publishing from the registry: every credential of the (one, synthetic) holder revoked in
    // one transaction, then the list built from the registry rows, compressed and signed.
    let holder = document
        .holder_id_number()
        .expect("cccd has one")
        .to_owned();
    let t = Instant::now();
    let report = issuer
        .change_status(
            &giayto_issuer::registry::Target::Holder(holder),
            giayto_issuer::registry::Action::Revoke,
            "benchmark",
            now,
        )
        .expect("revokes");
    let revoke_all = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let lists = issuer
        .publish(now, 7 * 86_400, Some(86_400))
        .expect("publishes");
    let publish = t.elapsed().as_secs_f64();

    println!("# giayto-issuer benchmarks");
    println!(
        "machine: {} cores; one thread; {N} credentials in chunks of {CHUNK}; SQLite WAL, synchronous=FULL",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "| rounds | issue (sign + QR text + registry) | baseline: bare Ed25519 sign | ratio |"
    );
    println!("|---|---:|---:|---:|");
    for (name, issue, bare) in [
        ("fastest", issue_min, bare_min),
        ("median", issue_med, bare_med),
    ] {
        println!(
            "| {name} | {:.0} /s ({:.1} µs each) | {:.0} /s ({:.1} µs each) | {:.2}x |",
            1.0 / issue,
            issue * 1e6,
            1.0 / bare,
            bare * 1e6,
            issue / bare
        );
    }
    println!(
        "all {cores} cores signing (registry still one writer): {:.0} /s",
        N as f64 / all_cores
    );
    println!(
        "\nrevoke {} credentials of one holder in one transaction: {:.0} ms",
        report.changed.len(),
        revoke_all * 1e3
    );
    println!(
        "publish {} list(s) of {} entries from the registry ({} revoked): {:.1} ms, {} bytes",
        lists.len(),
        lists[0].size,
        lists[0].revoked,
        publish * 1e3,
        lists[0].token.len()
    );
}
