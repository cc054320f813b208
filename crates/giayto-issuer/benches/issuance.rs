//! Issuance throughput including the registry: sign, encode as QR text, record in SQLite (one
//! transaction per chunk of 1,000), against a bare Ed25519 signature of the same payload
//! measured in the same run.
//!
//! Run: `cargo bench -p giayto-issuer`.

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

    let run = |issuer: &mut Issuer, threads: usize| {
        issuer.set_signing_threads(threads);
        let t = Instant::now();
        let mut chars = 0;
        for _ in 0..N / CHUNK {
            let issued = issuer.issue_items(&warm, None, now).expect("issues");
            chars += issued.iter().map(|i| i.text.len()).sum::<usize>();
        }
        black_box(chars);
        t.elapsed().as_secs_f64()
    };
    let full = run(&mut issuer, 1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all_cores = run(&mut issuer, cores);

    // Baseline: a bare signature over a message of the same size.
    let key = SigningKey::from_bytes(&[5; 32]);
    let message = vec![0xA5u8; payload_len];
    let t = Instant::now();
    for i in 0..N {
        let mut m = message.clone();
        m[0] = i as u8;
        black_box(key.sign(&m));
    }
    let bare = t.elapsed().as_secs_f64();

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
    println!("| issue (sign + QR text + registry) | baseline: bare Ed25519 sign | ratio |");
    println!("|---:|---:|---:|");
    println!(
        "| {:.0} /s ({:.1} µs each) | {:.0} /s ({:.1} µs each) | {:.2}x |",
        N as f64 / full,
        full / N as f64 * 1e6,
        N as f64 / bare,
        bare / N as f64 * 1e6,
        full / bare
    );
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
