//! Verify a selective-disclosure presentation (`VP1:` with disclosures in layout 2,
//! docs/format.md §14) against a bare `verify_strict`, per signature checked: a `VP1:` carries
//! two, the issuer's over the commitment credential and the holder's over the presentation, so
//! the ratio is time(verify) / (2 × time(verify_strict)). Goal (issue 13): at most 1.5x.
//! `cargo bench -p giayto-bench --bench selective`; the lines starting `RATIO` are the result
//! (`-- nomatch` skips criterion and prints only the ratios).
//!
//! The full path of each: prefix + base45 + inflate with the dictionary + strict CBOR of the
//! presentation and of the credential inside + trust-list lookup + both `verify_strict` +
//! claims and commitment + seed derivation, leaf and node hashes up to the signed root + the
//! disclosed values' forms + validity + status-list look-up (a 131,072-entry list) + policy.

use criterion::{criterion_group, Criterion};
use ed25519_dalek::SigningKey;
use giayto_bench::{bare_verify, keep, paired, request, Fixture};
use giayto_cose::presentation::PresentationPayload;
use giayto_cose::sd::HolderCopy;
use giayto_cose::{sign1, text, PRESENTATION_TYP};
use giayto_issuer::sd::sign_sd_credential;
use giayto_vectors::sd_size::Stream;
use giayto_vectors::{seeds, AT};

/// The presentations measured: (label, leaves disclosed).
const SETS: [(&str, &[u64]); 3] = [
    ("age_over_18", &[18]),
    ("full_name+id_number", &[2, 3]),
    (
        "every_field_and_predicate",
        &[1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 22],
    ),
];

/// The fixture's CCCD in its layout-2 selective-disclosure form.
fn copy(f: &Fixture) -> HolderCopy {
    let mut stream = Stream::new("bench-selective");
    sign_sd_credential(
        &f.issuer,
        f.issuer_id,
        &request(&f.document, AT - 86_400),
        &mut |b| stream.fill(b),
    )
    .expect("signs")
}

/// The `VP1:` text of these leaves, as the wallet makes it.
fn presentation(copy: &HolderCopy, leaves: &[u64]) -> String {
    let holder = SigningKey::from_bytes(&seeds::HOLDER);
    let payload = PresentationPayload {
        credential: copy.credential.clone(),
        issued_at: AT,
        nonce: None,
        disclosures: Some(copy.disclose(leaves).expect("real leaves")),
        request: None,
    };
    let cose = sign1::sign(&holder, PRESENTATION_TYP, payload.to_bytes()).expect("signs");
    text::encode(text::Kind::Presentation, &cose, Some(&text::DICTIONARY_V1))
}

fn benches(c: &mut Criterion) {
    let f = Fixture::new();
    let copy = copy(&f);
    let mut g = c.benchmark_group("selective");
    g.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| keep(bare_verify(&f)))
    });
    for (label, leaves) in SETS {
        let vp = presentation(&copy, leaves);
        g.bench_function(format!("giayto_verify_vp_{label}"), |b| {
            b.iter(|| keep(f.verifier.check(keep(&vp), f.at).is_valid()))
        });
    }
    // The parts of the name + ID number presentation, for the breakdown.
    let vp = presentation(&copy, SETS[1].1);
    let cose = text::decode(&vp, &[text::DICTIONARY_V1])
        .expect("decodes")
        .1;
    g.bench_function("part_text_decode", |b| {
        b.iter(|| keep(text::decode(keep(&vp), &[text::DICTIONARY_V1]).is_ok()))
    });
    g.bench_function("part_presentation_parse", |b| {
        b.iter(|| {
            let signed = sign1::Sign1::parse(keep(&cose), PRESENTATION_TYP).expect("parses");
            keep(PresentationPayload::from_bytes(signed.payload()).is_ok())
        })
    });
    let signed = sign1::Sign1::parse(&cose, PRESENTATION_TYP).expect("parses");
    let payload = PresentationPayload::from_bytes(signed.payload()).expect("payload");
    let disclosures = payload.disclosures.clone().expect("disclosures");
    let credential =
        sign1::Sign1::parse(&payload.credential, giayto_cose::CREDENTIAL_TYP).expect("credential");
    g.bench_function("part_credential_parse_and_commitment", |b| {
        b.iter(|| {
            let c = sign1::Sign1::parse(keep(&payload.credential), giayto_cose::CREDENTIAL_TYP)
                .expect("parses");
            keep(giayto_cose::sd::parse_sd_commitment(c.payload()).is_ok())
        })
    });
    let defined = giayto_verify::sd_positions(giayto_model::DocType::Cccd);
    g.bench_function("part_disclosures_root", |b| {
        b.iter(|| keep(keep(&disclosures).open_with_root(defined).is_ok()))
    });
    let everything = copy.disclose(SETS[2].1).expect("real leaves");
    g.bench_function("part_disclosures_root_every_field", |b| {
        b.iter(|| keep(keep(&everything).open_with_root(defined).is_ok()))
    });
    let holder = copy_holder_key(&credential);
    g.bench_function("part_holder_key_decompress", |b| {
        b.iter(|| keep(ed25519_dalek::VerifyingKey::from_bytes(keep(&holder)).is_ok()))
    });
    g.finish();
}

/// The `cnf` key of a selective-disclosure credential.
fn copy_holder_key(credential: &sign1::Sign1) -> [u8; 32] {
    giayto_cose::sd::parse_sd_commitment(credential.payload())
        .expect("claims")
        .0
        .holder_key
        .expect("holder-bound")
}

fn ratio() {
    let f = Fixture::new();
    let copy = copy(&f);
    for (label, leaves) in SETS {
        let vp = presentation(&copy, leaves);
        let report = f.verifier.check(&vp, f.at);
        assert!(report.is_valid(), "{label}: {:?}", report.reason());
        assert!(report
            .credential()
            .and_then(|c| c.disclosed)
            .is_some_and(|d| d.fields.len() == leaves.len()));
        // Short rounds, many of them: on a loaded machine a round of 20 calls is more often
        // undisturbed than one of 100.
        let p = paired(
            1501,
            20,
            || {
                keep(f.verifier.check(keep(&vp), f.at).is_valid());
            },
            || {
                keep(bare_verify(&f));
            },
        );
        println!(
            "RATIO selective {label}: giayto_verify_vp / (2 x ed25519_verify_strict): fastest \
             rounds {:.2} us / (2 x {:.2} us) = {:.3}x per signature, medians {:.2} us / (2 x \
             {:.2} us) = {:.3}x (goal <= 1.50x; text {} chars)",
            p.min_a.as_secs_f64() * 1e6,
            p.min_b.as_secs_f64() * 1e6,
            p.min_ratio() / 2.0,
            p.median_a.as_secs_f64() * 1e6,
            p.median_b.as_secs_f64() * 1e6,
            p.median_ratio() / 2.0,
            vp.len()
        );
    }
}

criterion_group!(group, benches);

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    ratio();
}
