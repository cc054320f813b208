//! A fixed amount of work to count instructions of, under valgrind (docs/performance.md, "End to
//! end: encoding the QR text"): `encode_instructions MODE FILE N` runs, N times, either the QR
//! text encoder on the COSE bytes in FILE (`encode`: `text::encode` with dictionary v1, as
//! `credential_text` does) or a bare Ed25519 sign of the bytes in FILE (`sign`: the credential's
//! Sig_structure), after one untimed call of each so that lazily built tables are not counted.
//! The instructions of one call are the difference between two runs with different N, divided
//! by the difference of N (`cargo bench -p giayto-bench --bench issue` with
//! `GIAYTO_ENCODE_CASES=DIR` writes the credentials it measures as FILEs).

use ed25519_dalek::{Signer, SigningKey};
use giayto_cose::text::{encode, Kind, DICTIONARY_V1};
use std::hint::black_box;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, file, n] = args.as_slice() else {
        return Err("usage: encode_instructions encode|sign FILE N".into());
    };
    let bytes = std::fs::read(file)?;
    let n: usize = n.parse()?;
    let key = SigningKey::from_bytes(&[7; 32]);
    black_box(encode(Kind::Credential, &bytes, Some(&DICTIONARY_V1)));
    black_box(key.sign(&bytes));
    match mode.as_str() {
        "encode" => {
            for _ in 0..n {
                black_box(encode(
                    Kind::Credential,
                    black_box(&bytes),
                    Some(&DICTIONARY_V1),
                ));
            }
        }
        "sign" => {
            for _ in 0..n {
                black_box(key.sign(black_box(&bytes)));
            }
        }
        _ => return Err(format!("unknown mode {mode}: encode or sign").into()),
    }
    Ok(())
}
