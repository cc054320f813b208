//! Claim 169 codes from the other side (docs/format.md §16.7): the test vectors published with
//! `claim169-core` (tests/data/claim169-upstream, copied unchanged) through giayto's verifier,
//! with their Ed25519 test key in a test trust list; and every report on a Claim 169 code,
//! ours and theirs, against docs/verify-result.schema.json.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use std::path::PathBuf;

use ed25519_dalek::SigningKey;
use giayto_trust::{IssuerEntry, TrustList};
use giayto_verify::json::{report_json, JsonContext};
use giayto_verify::{CodeKind, ForeignCode, Policy, Verdict, Verifier};
use serde_json::Value;

/// Between the published codes' `iat` (1,700,000,000) and `exp` (1,800,000,000).
const AT: i64 = 1_750_000_000;
/// The issuer the published codes name.
const MOSIP_ISS: &str = "https://mosip.example.org";

fn upstream(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/claim169-upstream")
        .join(format!("{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A test trust list holding the published Ed25519 test key under the issuer id the codes
/// name (`iss`), allowed identity cards; `with_mosip` false leaves it out.
fn verifier(with_mosip: bool) -> Verifier {
    let root = SigningKey::from_bytes(&[0x5A; 32]);
    let published = upstream("valid/ed25519-signed");
    let key: [u8; 32] = unhex(published["signing_key"]["public_key_hex"].as_str().unwrap())
        .try_into()
        .unwrap();
    let entry = |id: &str, public_key, doc_types| IssuerEntry {
        id: id.into(),
        name_vi: "Cơ quan thử nghiệm".into(),
        name_en: Some("Test issuer".into()),
        public_key,
        doc_types,
        not_before: 1_600_000_000,
        not_after: 1_900_000_000,
        status_uri_prefix: None,
    };
    let mut issuers = vec![entry(
        "VN.TEST.OTHER",
        SigningKey::from_bytes(&[0x5B; 32])
            .verifying_key()
            .to_bytes(),
        vec![1],
    )];
    if with_mosip {
        issuers.push(entry(MOSIP_ISS, key, vec![1]));
    }
    let list = TrustList {
        root_id: "TEST.ROOT".into(),
        sequence: 1,
        issued_at: AT - 86_400,
        expires_at: AT + 30 * 86_400,
        issuers,
        withdrawn: Default::default(),
    }
    .sign(&root)
    .unwrap();
    Verifier::new(root.verifying_key(), &list).unwrap()
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/verify-result.schema.json"),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_slice(&text).unwrap()).unwrap()
}

fn assert_schema(validator: &jsonschema::Validator, value: &Value, name: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{value:#}");
}

#[test]
fn the_published_ed25519_code_is_that_issuers_identity_data() {
    let validator = schema();
    let v = upstream("valid/ed25519-signed");
    let text = v["qr_data"].as_str().unwrap();
    let report = verifier(true).check(text, AT);
    // The page's first-load module leaves a Claim 169 code to check() (D189).
    assert!(verifier(true).check_static(text, AT).is_none());
    assert_eq!(report.kind(), CodeKind::Claim169);
    assert_eq!(report.verdict(), Verdict::Valid, "{:?}", report.reason());
    let identity = report.claim169().unwrap();
    assert_eq!(identity.issuer.id, MOSIP_ISS);
    let out = report_json(&report, &JsonContext::default());
    assert_schema(&validator, &out, "ed25519-signed");
    assert_eq!(out["format"], "claim169");
    // Every attribute and CWT time the publisher expects, and nothing else.
    let expected = v["expected_claim169"].as_object().unwrap();
    let attributes = out["claim169"]["attributes"].as_object().unwrap();
    assert_eq!(attributes, expected);
    let meta = &v["expected_cwt_meta"];
    assert_eq!(out["claim169"]["iss"], meta["issuer"]);
    assert_eq!(
        identity.expires_at,
        meta["expiresAt"].as_i64(),
        "exp as published"
    );
    assert_eq!(identity.issued_at, meta["issuedAt"].as_i64());

    // The same code, its key not in the trust list: unknown issuer, nothing shown.
    let report = verifier(false).check(text, AT);
    assert_eq!(report.verdict(), Verdict::UnknownIssuer);
    assert_eq!(report.reason().unwrap().code(), "claim169_unknown_issuer");
    assert!(report.claim169().is_none());
    assert_schema(
        &validator,
        &report_json(&report, &JsonContext::default()),
        "unknown",
    );
    // After its exp: expired, still showing whose it is.
    let report = verifier(true).check(text, 1_800_000_000);
    assert_eq!(report.verdict(), Verdict::Expired);
    assert!(report.claim169().is_some());
    // A checkpoint wants assurance level 2; a Claim 169 code counts as level 1.
    let report = verifier(true)
        .with_policy(Policy::Checkpoint)
        .check(text, AT);
    assert_eq!(report.verdict(), Verdict::InsufficientLevel);
}

/// Every other published vector: unsigned, signed with P-256, encrypted, or broken. The
/// verdict each gets, and why.
#[test]
fn every_other_published_vector_gets_a_clear_verdict() {
    let validator = schema();
    let verifier = verifier(true);
    let cases: &[(&str, &str, &str)] = &[
        // Unsigned (an empty signature under an EdDSA header): no 64-byte signature.
        ("valid/minimal", "malformed", "bad_structure"),
        ("valid/demographics-full", "malformed", "bad_structure"),
        ("valid/claim169-example", "malformed", "bad_structure"),
        ("valid/refugee-identity", "malformed", "bad_structure"),
        ("valid/with-face", "malformed", "bad_structure"),
        ("valid/with-fingerprints", "malformed", "bad_structure"),
        ("valid/with-all-biometrics", "malformed", "bad_structure"),
        ("edge/expired", "malformed", "bad_structure"),
        ("edge/not-yet-valid", "malformed", "bad_structure"),
        ("edge/unknown-fields", "malformed", "bad_structure"),
        // giayto verifies EdDSA only (docs/format.md §16.4).
        ("valid/ecdsa-p256-signed", "malformed", "wrong_algorithm"),
        ("valid/encrypted-aes256", "malformed", "claim169_encrypted"),
        ("valid/encrypted-signed", "malformed", "claim169_encrypted"),
        ("invalid/missing-169", "malformed", "bad_structure"),
        // Well-formed CBOR, but no COSE_Sign1.
        ("invalid/not-cose", "malformed", "bad_structure"),
        // Not base45, or no zlib header: nothing marks these as Claim 169 codes.
        ("invalid/bad-base45", "not_a_credential", "foreign_unknown"),
        ("invalid/bad-zlib", "not_a_credential", "foreign_unknown"),
    ];
    for (name, verdict, reason) in cases {
        let v = upstream(name);
        let report = verifier.check(v["qr_data"].as_str().unwrap(), AT);
        assert_eq!(
            report.verdict().as_str(),
            *verdict,
            "{name}: {:?}",
            report.reason()
        );
        assert_eq!(report.reason().unwrap().code(), *reason, "{name}");
        assert!(report.claim169().is_none(), "{name}");
        let out = report_json(&report, &JsonContext::default());
        assert_schema(&validator, &out, name);
        if *verdict == "not_a_credential" {
            assert!(matches!(report.kind(), CodeKind::Foreign(_)), "{name}");
        } else {
            assert_eq!(out["format"], "claim169", "{name}");
        }
    }
}

#[test]
fn own_vectors_follow_the_schema() {
    let validator = schema();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/claim169.json");
    let file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let root = unhex(file["root_public_key"].as_str().unwrap());
    let verifier = Verifier::new(
        giayto_verify::VerifyingKey::from_bytes(&root.try_into().unwrap()).unwrap(),
        &unhex(file["trust_list"].as_str().unwrap()),
    )
    .unwrap();
    for v in file["vectors"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let report = verifier.check(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
        assert_eq!(report.verdict().as_str(), v["verdict"], "{name}");
        let out = report_json(&report, &JsonContext::default());
        assert_schema(&validator, &out, name);
    }
    // A text that only looks like a Claim 169 code without a verifier to check it is
    // classified as one.
    let valid = file["vectors"][0]["text"].as_str().unwrap();
    assert_eq!(ForeignCode::classify(valid), ForeignCode::Claim169);
}
