//! Issue one credential (build claims + sign + encode as `VN1:` text in its shortest form)
//! against a bare Ed25519 sign of the same payload, in the same run.
//! `cargo bench -p giayto-bench --bench issue`.

use criterion::{criterion_group, Criterion};
use ed25519_dalek::Signer as _;
use giayto_bench::{keep, paired, request, Fixture};
use giayto_issuer::credential::{credential_text, sign_credential};

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

criterion_group!(group, benches);

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    ratio();
}
