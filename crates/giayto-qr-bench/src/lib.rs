//! The QR robustness corpus and the decoder comparison of `docs/qr-robustness.md`.
//!
//! [`corpus::generate`] makes, from a seed, camera-like degraded images of credential-sized QR
//! codes in twelve classes and three strengths; the `qr-bench` binary scores giayto's decoder,
//! zbar (`zbarimg`) and zxing-cpp (the `zxing-wasm` build, run with node) on them and writes
//! the report. Only that binary needs the peer tools; the library and the tests do not.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod corpus;
pub mod hostile;
pub mod ops;
pub mod peers;
pub mod rng;

/// The image scales, in percent, at which every candidate scan pass is tried when passes are
/// measured one by one (`qr-passes`, the `which-passes` example).
pub const CANDIDATE_SCALES: [u16; 8] = [33, 50, 66, 80, 100, 125, 150, 200];

/// The seed of the published corpus.
pub const SEED: u64 = 20_261_123;
