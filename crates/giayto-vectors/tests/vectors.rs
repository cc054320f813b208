//! The files in test-vectors/ are exactly what the generator makes, and every vector gets its
//! verdict from giayto-verify.

use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;
use giayto_cose::text;
use giayto_verify::{Policy, Verdict, Verifier};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors")
}

fn load() -> Value {
    let bytes =
        std::fs::read(dir().join("credentials.json")).expect("test-vectors/credentials.json");
    serde_json::from_slice(&bytes).expect("valid JSON")
}

fn verifier(v: &Value, policy: &str) -> Verifier {
    let root: [u8; 32] = hex::decode(v["root_public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let trust = hex::decode(v["trust_list"].as_str().unwrap()).unwrap();
    let policy = match policy {
        "checkpoint" => Policy::Checkpoint,
        "third-party" => Policy::ThirdParty,
        other => panic!("unknown policy {other}"),
    };
    Verifier::new(VerifyingKey::from_bytes(&root).unwrap(), &trust)
        .unwrap()
        .with_policy(policy)
}

#[test]
fn files_on_disk_equal_a_fresh_generation() {
    for file in giayto_vectors::generate() {
        let path = dir().join(file.name);
        let on_disk = std::fs::read(&path).unwrap_or_default();
        assert!(
            on_disk == file.bytes,
            "{} differs from the generator's output: run `cargo run -p giayto-vectors` and review the diff",
            path.display()
        );
    }
}

#[test]
fn every_vector_gets_its_verdict() {
    let all = load();
    let vectors = all["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 30, "only {} vectors", vectors.len());
    let mut seen = std::collections::BTreeSet::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let expected = Verdict::from_name(v["verdict"].as_str().unwrap()).unwrap();
        seen.insert(expected.as_str());
        let verifier = verifier(&all, v["policy"].as_str().unwrap());
        let result = verifier.verify(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
        let got = match &result {
            Ok(_) => Verdict::Valid,
            Err(r) => r.verdict,
        };
        assert_eq!(got, expected, "vector {name}: {result:?}");
        if let Ok(credential) = &result {
            assert_eq!(
                credential.document().map(|d| d.to_json()),
                Some(v["fields"].clone()),
                "vector {name}: fields"
            );
            assert_eq!(
                credential.doc_type().as_str(),
                v["doc_type"].as_str().unwrap()
            );
        }
    }
    for verdict in [
        "valid",
        "expired",
        "not_yet_valid",
        "unknown_issuer",
        "issuer_not_authorized",
        "bad_signature",
        "malformed",
        "stale_trust",
        "insufficient_level",
        "not_a_credential",
        "unsupported_document",
    ] {
        assert!(seen.contains(verdict), "no vector for {verdict}");
    }
}

#[test]
fn no_single_bit_flip_or_truncation_of_a_credential_verifies() {
    let all = load();
    let verifier = verifier(&all, "third-party");
    for v in all["vectors"].as_array().unwrap() {
        if v["verdict"] != "valid" || v["policy"] != "third-party" {
            continue;
        }
        let (_, cose) = text::decode(v["text"].as_str().unwrap(), &[]).unwrap();
        let at = v["at"].as_i64().unwrap();
        assert!(verifier.verify_cose(&cose, at).is_ok());
        for bit in 0..cose.len() * 8 {
            let mut flipped = cose.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(
                verifier.verify_cose(&flipped, at).is_err(),
                "{}: flipping bit {bit} still verifies",
                v["name"]
            );
        }
        for len in 0..cose.len() {
            assert!(verifier.verify_cose(&cose[..len], at).is_err());
        }
    }
}

#[test]
fn rejected_credentials_show_fields_only_when_the_signature_verified() {
    let all = load();
    let verifier = verifier(&all, "third-party");
    for v in all["vectors"].as_array().unwrap() {
        let Err(rejection) =
            verifier.verify(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap())
        else {
            continue;
        };
        let signed_ok = matches!(
            rejection.verdict,
            Verdict::Expired
                | Verdict::NotYetValid
                | Verdict::IssuerNotAuthorized
                | Verdict::StaleTrust
                | Verdict::InsufficientLevel
                | Verdict::UnsupportedDocument
        );
        assert_eq!(
            rejection.credential.is_some(),
            signed_ok,
            "{}: {:?}",
            v["name"],
            rejection.verdict
        );
    }
}

#[test]
fn clock_skew_applies_to_nbf() {
    let all = load();
    let verifier = verifier(&all, "third-party");
    let v = all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "not_yet_valid")
        .unwrap();
    let nbf = giayto_vectors::AT + 10 * 86_400;
    let text = v["text"].as_str().unwrap();
    let skew = giayto_verify::DEFAULT_CLOCK_SKEW;
    assert!(verifier.verify(text, nbf - skew).is_ok());
    assert_eq!(
        verifier.verify(text, nbf - skew - 1).unwrap_err().verdict,
        Verdict::NotYetValid
    );
}

#[test]
fn every_presentation_vector_gets_its_verdict() {
    let bytes = std::fs::read(dir().join("presentations.json")).expect("presentations.json");
    let all: Value = serde_json::from_slice(&bytes).expect("valid JSON");
    let vectors = all["vectors"].as_array().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let expected = Verdict::from_name(v["verdict"].as_str().unwrap()).unwrap();
        seen.insert(expected.as_str());
        let nonce = v["nonce"].as_str().map(|n| hex::decode(n).unwrap());
        let verifier = verifier(&all, "third-party").with_expected_nonce(nonce);
        let result = verifier.verify(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
        let got = match &result {
            Ok(_) => Verdict::Valid,
            Err(r) => r.verdict,
        };
        assert_eq!(got, expected, "vector {name}: {result:?}");
        if let Ok(credential) = &result {
            assert_eq!(
                credential.document().map(|d| d.to_json()),
                Some(v["fields"].clone()),
                "{name}"
            );
            assert_eq!(
                hex::encode(credential.claims().holder_key.unwrap()),
                all["holder_public_key"].as_str().unwrap()
            );
        }
    }
    for verdict in [
        "valid",
        "stale_presentation",
        "bad_signature",
        "malformed",
        "expired",
    ] {
        assert!(
            seen.contains(verdict),
            "no presentation vector for {verdict}"
        );
    }
}

#[test]
fn no_single_bit_flip_of_a_presentation_verifies() {
    let bytes = std::fs::read(dir().join("presentations.json")).unwrap();
    let all: Value = serde_json::from_slice(&bytes).unwrap();
    let verifier = verifier(&all, "third-party");
    let v = all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "presentation_fresh")
        .unwrap();
    let (kind, cose) = text::decode(v["text"].as_str().unwrap(), &[]).unwrap();
    assert_eq!(kind, text::Kind::Presentation);
    let at = v["at"].as_i64().unwrap();
    assert!(verifier.verify_presentation_cose(&cose, at).is_ok());
    // Every 7th bit keeps the test quick; the embedded credential's bits are covered too.
    for bit in (0..cose.len() * 8).step_by(7) {
        let mut flipped = cose.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(
            verifier.verify_presentation_cose(&flipped, at).is_err(),
            "flipping bit {bit} still verifies"
        );
    }
}
