//! Verifier start-up with a national bundle (docs/performance.md, "Verifier start-up"):
//! decoding a bundle of 1,000 issuers and 512 status lists, building the verifier from it and
//! checking one code, against a bare `verify_strict` measured in the same run, and the same
//! with a small bundle (one issuer, one list) beside it.
//! `cargo bench -p giayto-bench --bench startup`.

use giayto_bench::{bare_verify, keep, national_bundle, paired, Fixture};
use giayto_verify::{Bundle, Verifier};

fn start_and_check(
    root: ed25519_dalek::VerifyingKey,
    bundle: &[u8],
    text: &str,
    at: i64,
    deferred: bool,
) -> bool {
    let Ok(bundle) = Bundle::from_bytes(bundle) else {
        return false;
    };
    let built = if deferred {
        Verifier::from_bundle_deferred(root, &bundle)
    } else {
        Verifier::from_bundle(root, &bundle)
    };
    let Ok(verifier) = built else {
        return false;
    };
    verifier.check(text, at).verdict() == giayto_verify::Verdict::Valid
}

fn main() {
    let f = Fixture::new();
    let root = ed25519_dalek::SigningKey::from_bytes(&giayto_vectors::seeds::ROOT).verifying_key();
    for (issuers, lists, rounds) in [(1usize, 1usize, 41usize), (1_000, 512, 11)] {
        let bundle = national_bundle(issuers, lists);
        for deferred in [false, true] {
            assert!(
                start_and_check(root, &bundle, &f.text, f.at, deferred),
                "the fixture's code verifies valid with the {issuers}x{lists} bundle"
            );
            let p = paired(
                rounds,
                1,
                || {
                    keep(start_and_check(
                        root,
                        keep(&bundle),
                        &f.text,
                        f.at,
                        deferred,
                    ));
                },
                || {
                    keep(bare_verify(&f));
                },
            );
            println!(
            "startup {} {issuers:>5} issuers x {lists:>3} lists ({} KiB): {:>9.3} ms (median {:.3} ms) = {:>7.1}x a bare verify_strict ({:.1} µs)",
            if deferred { "deferred" } else { "eager   " },
            bundle.len() / 1024,
            p.min_a.as_secs_f64() * 1e3,
            p.median_a.as_secs_f64() * 1e3,
            p.min_a.as_secs_f64() / p.min_b.as_secs_f64(),
            p.min_b.as_secs_f64() * 1e6,
        );
        }
    }
}
