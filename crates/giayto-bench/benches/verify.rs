//! Verify one QR text against a bare `verify_strict` of the same message, in the same run
//! (docs/performance.md: goal at most 1.3x). `cargo bench -p giayto-bench --bench verify`.
//!
//! The full path: prefix + base45 + inflate (if zlib) + strict CBOR + COSE_Sign1 + trust-list
//! lookup + Ed25519 `verify_strict` + claims + issuer authority + document fields + validity +
//! status-list look-up (a 131,072-entry list held by the verifier) + policy.

use criterion::{criterion_group, Criterion};
use giayto_bench::{bare_verify, decode_text, keep, paired, Fixture};
use giayto_cose::claims::CredentialClaims;
use giayto_cose::sign1::Sign1;
use giayto_cose::CREDENTIAL_TYP;

fn benches(c: &mut Criterion) {
    let f = Fixture::new();
    let mut g = c.benchmark_group("verify");
    g.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| keep(bare_verify(&f)))
    });
    g.bench_function("giayto_verify_text", |b| {
        b.iter(|| keep(f.verifier.verify(keep(&f.text), f.at).is_ok()))
    });
    g.bench_function("part_text_decode", |b| b.iter(|| keep(decode_text(&f))));
    g.bench_function("part_sign1_parse", |b| {
        b.iter(|| keep(Sign1::parse(keep(&f.cose), CREDENTIAL_TYP).is_ok()))
    });
    let payload = Sign1::parse(&f.cose, CREDENTIAL_TYP)
        .expect("parses")
        .payload()
        .to_vec();
    g.bench_function("part_claims_parse", |b| {
        b.iter(|| keep(CredentialClaims::from_bytes(keep(&payload)).is_ok()))
    });
    let claims = CredentialClaims::from_bytes(&payload).expect("claims");
    g.bench_function("part_document_fields", |b| {
        b.iter(|| {
            keep(
                giayto_model::Document::from_cbor(
                    giayto_model::DocType::Cccd,
                    keep(&claims.document.fields),
                )
                .is_ok(),
            )
        })
    });
    g.finish();
}

fn ratio() {
    let f = Fixture::new();
    assert!(f.verifier.verify(&f.text, f.at).is_ok());
    let p = paired(
        301,
        100,
        || {
            keep(f.verifier.verify(keep(&f.text), f.at).is_ok());
        },
        || {
            keep(bare_verify(&f));
        },
    );
    println!(
        "RATIO verify: giayto_verify_text / ed25519_verify_strict: fastest rounds {:.2} us / {:.2} us = {:.3}x, \
         medians {:.2} us / {:.2} us = {:.3}x (goal <= 1.30x; text {} chars, COSE {} bytes)",
        p.min_a.as_secs_f64() * 1e6,
        p.min_b.as_secs_f64() * 1e6,
        p.min_ratio(),
        p.median_a.as_secs_f64() * 1e6,
        p.median_b.as_secs_f64() * 1e6,
        p.median_ratio(),
        f.text.len(),
        f.cose.len()
    );
}

criterion_group!(group, benches);

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    ratio();
}
