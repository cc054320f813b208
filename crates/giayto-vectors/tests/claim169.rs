//! Claim 169 codes (docs/format.md §16) against both sides:
//!
//! - every vector of test-vectors/claim169.json gets its verdict and reason from giayto's
//!   verifier, a valid one shows its identity data under its own label and never as a giayto
//!   credential;
//! - every code giayto exports (the valid vectors, made by the issuer library exactly as
//!   `giayto issue --also claim169` makes them) is decoded and its signature verified by the
//!   published decoder, `claim169-core`, which must read every mapped attribute as §16.2 maps
//!   the identity card it came from; a code signed by another key fails there too.

use std::path::PathBuf;

use base64::Engine as _;
use claim169_core::{CryptoError, CryptoResult, Decoder, SignatureVerifier, VerificationStatus};
use ed25519_dalek::VerifyingKey;
use giayto_verify::json::{report_json, JsonContext};
use giayto_verify::{CodeKind, Verdict, Verifier};
use serde_json::{json, Value};

fn load() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/claim169.json");
    serde_json::from_slice(&std::fs::read(path).expect("claim169.json")).expect("JSON")
}

fn verifier(file: &Value) -> Verifier {
    let root: [u8; 32] = hex::decode(file["root_public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let trust = hex::decode(file["trust_list"].as_str().unwrap()).unwrap();
    Verifier::new(VerifyingKey::from_bytes(&root).unwrap(), &trust).unwrap()
}

/// The attributes docs/format.md §16.2 maps an identity card's issuance input to, computed
/// here from the input JSON (not from the issuer's code).
fn mapped(source: &Value) -> Value {
    let dob = source["date_of_birth"].as_str().unwrap().replace('-', "");
    let mut m = json!({
        "id": source["id_number"],
        "language": "vie",
        "fullName": source["full_name"],
        "dateOfBirth": dob,
        "gender": if source["sex"] == "male" { 1 } else { 2 },
        "address": source["place_of_residence"],
        "nationality": source.get("nationality").cloned().unwrap_or(json!("VNM")),
        "countryOfIssuance": "VN",
    });
    if let Some(p) = source.get("portrait") {
        m["photo"] = p.clone();
        m["photoFormat"] = json!(1);
    }
    m
}

#[test]
fn every_vector_gets_its_verdict() {
    let file = load();
    let verifier = verifier(&file);
    let vectors = file["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 14, "{}", vectors.len());
    let mut verdicts = std::collections::BTreeSet::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let text = v["text"].as_str().unwrap();
        let at = v["at"].as_i64().unwrap();
        let report = verifier.check(text, at);
        assert_eq!(report.kind(), CodeKind::Claim169, "{name}");
        assert_eq!(
            report.verdict().as_str(),
            v["verdict"].as_str().unwrap(),
            "{name}: {:?}",
            report.reason()
        );
        verdicts.insert(report.verdict().as_str());
        let j = report_json(&report, &JsonContext::default());
        assert_eq!(j["format"], "claim169", "{name}");
        // Never shown as a giayto credential.
        for key in ["doc_type", "serial", "fields", "foreign"] {
            assert!(j.get(key).is_none(), "{name}: {key}");
        }
        assert!(report.credential().is_none(), "{name}");
        match v.get("reason") {
            Some(r) => assert_eq!(
                report.reason().unwrap().code(),
                r.as_str().unwrap(),
                "{name}"
            ),
            None => assert!(report.reason().is_none(), "{name}"),
        }
        if report.is_valid() {
            let source = &v["source"];
            assert_eq!(j["claim169"]["attributes"], mapped(source), "{name}");
            assert_eq!(j["issuer"], "VN.BCA.C06");
            assert_eq!(j["claim169"]["iss"], "VN.BCA.C06");
            assert_eq!(
                j["warnings"][0]["code"], "no_status_reference",
                "{name}: revocation cannot be checked"
            );
            // `verify` is the proof of a giayto credential: a Claim 169 code is none.
            let rejection = verifier.verify(text, at).unwrap_err();
            assert_eq!(rejection.verdict, Verdict::NotACredential);
            assert_eq!(rejection.reason.code(), "foreign_claim169");
        } else {
            // A rejection from `verify` is the same as the report's.
            let rejection = verifier.verify(text, at).unwrap_err();
            assert_eq!(rejection.verdict, report.verdict(), "{name}");
        }
    }
    for needed in [
        Verdict::Valid,
        Verdict::UnknownIssuer,
        Verdict::BadSignature,
        Verdict::Malformed,
        Verdict::IssuerNotAuthorized,
        Verdict::Expired,
    ] {
        assert!(verdicts.contains(needed.as_str()), "no vector for {needed}");
    }
}

/// Ed25519 for `claim169-core` (its own software crypto is a default feature we leave off).
struct Ed25519(VerifyingKey);

impl SignatureVerifier for Ed25519 {
    fn verify(
        &self,
        algorithm: coset::iana::Algorithm,
        _key_id: Option<&[u8]>,
        data: &[u8],
        signature: &[u8],
    ) -> CryptoResult<()> {
        if algorithm != coset::iana::Algorithm::EdDSA {
            return Err(CryptoError::UnsupportedAlgorithm(format!("{algorithm:?}")));
        }
        let signature = ed25519_dalek::Signature::from_slice(signature)
            .map_err(|_| CryptoError::VerificationFailed)?;
        self.0
            .verify_strict(data, &signature)
            .map_err(|_| CryptoError::VerificationFailed)
    }
}

fn police_key(file: &Value) -> VerifyingKey {
    let trust = hex::decode(file["trust_list"].as_str().unwrap()).unwrap();
    let root: [u8; 32] = hex::decode(file["root_public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let list =
        giayto_trust::TrustList::verify(&trust, &VerifyingKey::from_bytes(&root).unwrap()).unwrap();
    let entry = list.issuers.iter().find(|e| e.id == "VN.BCA.C06").unwrap();
    VerifyingKey::from_bytes(&entry.public_key).unwrap()
}

#[test]
fn claim169_core_reads_every_exported_code() {
    let file = load();
    let key = police_key(&file);
    let valid: Vec<&Value> = file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["verdict"] == "valid")
        .collect();
    assert_eq!(valid.len(), 3);
    for v in valid {
        let name = v["name"].as_str().unwrap();
        let source = &v["source"];
        let decoded = Decoder::new(v["text"].as_str().unwrap())
            .verify_with(Ed25519(key))
            // The vectors' times are fixed; the decoder's clock is not. Checked below instead.
            .without_timestamp_validation()
            .strict_compression()
            .decode()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.verification_status, VerificationStatus::Verified);
        let c = &decoded.claim169;
        let want = mapped(source);
        assert_eq!(c.id.as_deref(), want["id"].as_str(), "{name}");
        assert_eq!(c.language.as_deref(), Some("vie"));
        assert_eq!(c.full_name.as_deref(), want["fullName"].as_str(), "{name}");
        assert_eq!(c.date_of_birth.as_deref(), want["dateOfBirth"].as_str());
        assert_eq!(c.gender.map(i64::from), want["gender"].as_i64(), "{name}");
        assert_eq!(c.address.as_deref(), want["address"].as_str());
        assert_eq!(c.nationality.as_deref(), want["nationality"].as_str());
        assert_eq!(c.country_of_issuance.as_deref(), Some("VN"));
        match want.get("photo") {
            Some(p) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(p.as_str().unwrap())
                    .unwrap();
                assert_eq!(c.photo.as_deref(), Some(&bytes[..]), "{name}");
                assert_eq!(c.photo_format.map(|f| f as i64), Some(1));
            }
            None => assert!(c.photo.is_none() && c.photo_format.is_none(), "{name}"),
        }
        // Nothing else: no attribute giayto does not map, no biometrics, no unknown keys.
        for absent in [
            &c.version,
            &c.first_name,
            &c.middle_name,
            &c.last_name,
            &c.email,
            &c.phone,
            &c.guardian,
            &c.secondary_full_name,
            &c.secondary_language,
            &c.location_code,
            &c.legal_status,
        ] {
            assert!(absent.is_none(), "{name}: {absent:?}");
        }
        assert!(!c.has_biometrics() && c.unknown_fields.is_empty(), "{name}");
        let meta = &decoded.cwt_meta;
        assert_eq!(meta.issuer.as_deref(), Some("VN.BCA.C06"));
        assert_eq!(meta.issued_at, Some(giayto_vectors::claim169::ISSUED_AT));
        assert_eq!(meta.expires_at, Some(giayto_vectors::claim169::EXPIRES_AT));

        // Another key: the published decoder refuses the signature too.
        let other = ed25519_dalek::SigningKey::from_bytes(&[0x77; 32]).verifying_key();
        let refused = Decoder::new(v["text"].as_str().unwrap())
            .verify_with(Ed25519(other))
            .without_timestamp_validation()
            .decode();
        assert!(refused.is_err(), "{name}");
    }
}

#[test]
fn claim169_core_refuses_the_tampered_vector() {
    let file = load();
    let key = police_key(&file);
    let tampered = file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "tampered")
        .unwrap();
    let result = Decoder::new(tampered["text"].as_str().unwrap())
        .verify_with(Ed25519(key))
        .without_timestamp_validation()
        .decode();
    assert!(result.is_err());
}
