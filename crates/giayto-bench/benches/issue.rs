//! Issue one credential (build claims + sign + encode as `VN1:` text in its shortest form)
//! against a bare Ed25519 sign of the same payload, in the same run.
//! `cargo bench -p giayto-bench --bench issue`.
//!
//! Then the QR text alone (docs/performance.md, "End to end: encoding the QR text"; goal of
//! issue 18: at most 0.5x a bare sign): for the typical credential of every document type and
//! for a selective-disclosure credential, `credential_text` against a bare Ed25519 sign of that
//! credential's own Sig_structure, and the encoder it replaced (`reference_credential_text`,
//! the same bytes) against the same sign, measured alternately in the same run. The lines
//! starting `RATIO` are the result (`-- nomatch` skips criterion and prints only the ratios).

use criterion::{criterion_group, Criterion};
use ed25519_dalek::Signer as _;
use giayto_bench::encode::reference_credential_text;
use giayto_bench::{keep, paired, request, sig_structure, Fixture};
use giayto_issuer::credential::{credential_text, sign_credential};
use giayto_model::{DocType, Document};

fn issue(f: &Fixture) -> String {
    let cose = sign_credential(&f.issuer, f.issuer_id, &request(&f.document, f.at)).expect("signs");
    credential_text(&cose)
}

fn benches(c: &mut Criterion) {
    let f = Fixture::new();
    let mut g = c.benchmark_group("issue");
    g.bench_function("ed25519_sign", |b| {
        b.iter(|| keep(f.issuer.sign(keep(&f.signed_message))))
    });
    g.bench_function("giayto_issue_text", |b| b.iter(|| keep(issue(&f))));
    g.bench_function("part_sign_credential", |b| {
        b.iter(|| {
            keep(sign_credential(
                &f.issuer,
                f.issuer_id,
                &request(&f.document, f.at),
            ))
        })
    });
    g.bench_function("part_text_encode", |b| {
        b.iter(|| keep(credential_text(keep(&f.cose))))
    });
    g.finish();
}

fn ratio() {
    let f = Fixture::new();
    let p = paired(
        151,
        50,
        || {
            keep(issue(&f));
        },
        || {
            keep(f.issuer.sign(keep(&f.signed_message)));
        },
    );
    println!(
        "RATIO issue: giayto_issue_text / ed25519_sign: fastest rounds {:.2} us / {:.2} us = {:.3}x, \
         medians {:.2} us / {:.2} us = {:.3}x ({:.0} credentials per second per core at the fastest)",
        p.min_a.as_secs_f64() * 1e6,
        p.min_b.as_secs_f64() * 1e6,
        p.min_ratio(),
        p.median_a.as_secs_f64() * 1e6,
        p.median_b.as_secs_f64() * 1e6,
        p.median_ratio(),
        1.0 / p.min_a.as_secs_f64()
    );
}

/// The credentials whose QR text is measured: the typical one of every document type
/// (docs/qr-size.md) and the fixture's CCCD as a selective-disclosure credential (layout 2).
fn encode_cases(f: &Fixture) -> Vec<(String, Vec<u8>)> {
    let mut cases: Vec<(String, Vec<u8>)> = DocType::ALL
        .into_iter()
        .map(|t| {
            let document = Document::from_json(t, &giayto_model::sample_input(t)).expect("sample");
            (
                t.as_str().to_string(),
                giayto_vectors::size::typical_cose(&document),
            )
        })
        .collect();
    let mut stream = giayto_vectors::sd_size::Stream::new("bench-encode");
    let copy = giayto_issuer::sd::sign_sd_credential(
        &f.issuer,
        f.issuer_id,
        &request(&f.document, f.at - 86_400),
        &mut |b| stream.fill(b),
    )
    .expect("signs");
    cases.push(("cccd_selective_disclosure".into(), copy.credential));
    cases
}

fn encode_ratios() {
    let f = Fixture::new();
    for (label, cose) in encode_cases(&f) {
        assert_eq!(credential_text(&cose), reference_credential_text(&cose));
        let (message, _) = sig_structure(&cose);
        let sign = || {
            keep(f.issuer.sign(keep(&message)));
        };
        let new = paired(
            151,
            50,
            || {
                keep(credential_text(keep(&cose)));
            },
            sign,
        );
        let old = paired(
            151,
            50,
            || {
                keep(reference_credential_text(keep(&cose)));
            },
            sign,
        );
        println!(
            "RATIO encode {label} ({} COSE bytes, {} characters): credential_text / ed25519_sign: \
             fastest {:.2} us / {:.2} us = {:.3}x, medians {:.3}x; before (reference encoder): \
             fastest {:.2} us / {:.2} us = {:.3}x, medians {:.3}x",
            cose.len(),
            credential_text(&cose).len(),
            new.min_a.as_secs_f64() * 1e6,
            new.min_b.as_secs_f64() * 1e6,
            new.min_ratio(),
            new.median_ratio(),
            old.min_a.as_secs_f64() * 1e6,
            old.min_b.as_secs_f64() * 1e6,
            old.min_ratio(),
            old.median_ratio(),
        );
    }
}

criterion_group!(group, benches);

/// For instruction counts (giayto-cose's example `encode_instructions`, docs/performance.md):
/// the credentials `encode_ratios` measures and their Sig_structures as files, nothing timed.
fn write_encode_cases(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("makes the folder");
    for (label, cose) in encode_cases(&Fixture::new()) {
        std::fs::write(dir.join(format!("{label}.cose")), &cose).expect("writes");
        std::fs::write(dir.join(format!("{label}.tbs")), sig_structure(&cose).0).expect("writes");
    }
}

fn main() {
    if let Some(dir) = std::env::var_os("GIAYTO_ENCODE_CASES") {
        write_encode_cases(std::path::Path::new(&dir));
        return;
    }
    group();
    Criterion::default().configure_from_args().final_summary();
    ratio();
    encode_ratios();
}
