//! Verify the shipped test vectors with the offline bundle, as a third-party app would.
//!
//! ```sh
//! cargo run -p giayto-verify --example verify_vectors
//! ```
//!
//! Builds a verifier from the pinned root key and `test-vectors/bundle.cbor`, verifies every
//! `text` of `test-vectors/status.json` at its `at` time, prints the verdict and, for a signed
//! document, the holder and the typed fields, and exits non-zero if any verdict differs from
//! the one the vector expects.

use std::path::Path;
use std::process::ExitCode;

use giayto_verify::{Bundle, Document, Verifier, VerifyingKey};

fn main() -> ExitCode {
    match run() {
        Ok(0) => ExitCode::SUCCESS,
        Ok(n) => {
            eprintln!("{n} verdict(s) differ from the vectors");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<usize, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors");
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let json = |name: &str| -> Result<serde_json::Value, String> {
        serde_json::from_slice(&read(name)?).map_err(|e| format!("{name}: {e}"))
    };

    // The pinned root key: 32 raw bytes, here from the vectors (an app ships its own copy).
    let root_hex = json("credentials.json")?["root_public_key"]
        .as_str()
        .ok_or("no root_public_key")?
        .to_owned();
    let root = VerifyingKey::from_bytes(&hex32(&root_hex).ok_or("root key: bad hex")?)
        .map_err(|e| format!("root key: {e}"))?;

    // The five lines a third-party app needs:
    let bundle = Bundle::from_bytes(&read("bundle.cbor")?).map_err(|e| e.to_string())?;
    let verifier = Verifier::from_bundle(root, &bundle).map_err(|e| e.to_string())?;
    let vectors = json("status.json")?;
    let mut differ = 0;
    for v in vectors["vectors"].as_array().ok_or("no vectors")? {
        let (Some(text), Some(at), Some(expected)) =
            (v["text"].as_str(), v["at"].as_i64(), v["verdict"].as_str())
        else {
            return Err("vector without text, at or verdict".into());
        };
        let verifier = verifier
            .clone()
            .accept_missing_status(v["accept_missing_status"].as_bool().unwrap_or(false));
        let (verdict, document) = match verifier.verify(text, at) {
            Ok(credential) => ("valid".to_owned(), credential.document().cloned()),
            Err(rejection) => (
                rejection.verdict.to_string(),
                rejection.credential.and_then(|c| c.document),
            ),
        };
        let mark = if verdict == expected { "ok " } else { "BAD" };
        differ += usize::from(verdict != expected);
        let who = document.as_ref().map(describe).unwrap_or_default();
        println!(
            "{mark} {:<28} {verdict:<14} {who}",
            v["name"].as_str().unwrap_or("?")
        );
    }
    Ok(differ)
}

/// Typed fields: match on the document type to reach each type's own struct.
fn describe(document: &Document) -> String {
    let typed = match document {
        Document::Cccd(card) => format!("CCCD {}", card.id_number),
        Document::Gplx(licence) => format!("GPLX {}", licence.licence_number),
        Document::Vehicle(vehicle) => format!("plate {}", vehicle.plate),
        Document::Bhyt(card) => format!("BHYT {}", card.card_number),
        Document::Bhxh(book) => format!("BHXH {}", book.social_insurance_number),
        #[allow(unreachable_patterns)]
        _ => document.doc_type().as_str().to_owned(),
    };
    format!("{} · {typed}", document.holder_name())
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
