//! The decode rate on a fixed, seeded subset of the robustness corpus must not fall below the
//! level recorded here. Generated at test time (no image files in the repository); one image
//! per class at strengths 2 and 3. Raise `RECORDED` when the decoder gets better.

use giayto_qr_bench::{corpus, peers};

/// Seed of the subset: neither the published corpus's nor the tuning corpus's.
const SEED: u64 = 424_242;

/// Images of the subset giayto decoded when this level was recorded (of 24).
const RECORDED: usize = 23;

#[test]
fn decode_rate_does_not_regress() {
    let mut decoded = Vec::new();
    let mut missed = Vec::new();
    for class in corpus::Class::ALL {
        for strength in [2u8, 3] {
            let sample = corpus::sample(SEED, class, strength, 0);
            let found = peers::giayto(&sample.bytes);
            assert!(
                found.texts.iter().all(|t| sample.expected.contains(t)),
                "{}: a wrong text was reported: {:?}",
                sample.id,
                found.texts
            );
            if peers::decoded(&sample.expected, &found.texts) {
                decoded.push(sample.id);
            } else {
                missed.push(sample.id);
            }
        }
    }
    eprintln!("decoded {}: {decoded:?}\nmissed: {missed:?}", decoded.len());
    assert!(
        decoded.len() >= RECORDED,
        "decode rate regressed: {} of 24, recorded {RECORDED}; missed {missed:?}",
        decoded.len()
    );
}

#[test]
fn corpus_is_deterministic() {
    for class in [corpus::Class::Moire, corpus::Class::Several] {
        let a = corpus::sample(SEED, class, 1, 3);
        let b = corpus::sample(SEED, class, 1, 3);
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(a.expected, b.expected);
        let other = corpus::sample(SEED + 1, class, 1, 3);
        assert_ne!(a.bytes, other.bytes);
    }
}
