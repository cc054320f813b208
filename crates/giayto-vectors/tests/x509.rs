//! The issuer certificate vectors of `giayto_vectors::x509`: every issuer certificate vector gets its verdict, reason and trust
//! path from giayto-verify, and the same credentials without the CA configured are
//! `unknown_issuer` (a certificate alone is no trust).

use std::path::PathBuf;

use ed25519_dalek::pkcs8::DecodePublicKey;
use giayto_verify::giayto_x509::{CaRoot, IssuerCertificate};
use giayto_verify::{Verdict, Verifier, VerifyingKey};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors")
}

fn base() -> Verifier {
    let root = std::fs::read_to_string(dir().join("root.pub")).unwrap();
    let trust = std::fs::read(dir().join("trust.cwt")).unwrap();
    Verifier::new(VerifyingKey::from_public_key_pem(&root).unwrap(), &trust).unwrap()
}

/// The vectors as the generator makes them (written to test-vectors/x509/certificates.json).
fn load() -> Value {
    giayto_vectors::x509::file()
}

#[test]
fn every_certificate_vector_gets_its_verdict() {
    let all = load();
    let roots = CaRoot::from_pem(all["ca_root"].as_str().unwrap().as_bytes()).unwrap();
    let vectors = all["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 5);
    let mut verdicts = std::collections::BTreeSet::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let cert =
            IssuerCertificate::from_pem(v["issuer_cert"].as_str().unwrap().as_bytes()).unwrap();
        let mut verifier = base().with_ca_roots(roots.clone());
        verifier.add_issuer_certificate(cert.clone()).unwrap();
        let at = v["at"].as_i64().unwrap();
        let text = v["text"].as_str().unwrap();
        let report = verifier.check(text, at);
        let expected = v["verdict"].as_str().unwrap();
        assert_eq!(report.verdict().as_str(), expected, "{name}");
        verdicts.insert(expected.to_owned());
        if let Some(reason) = v["reason"].as_str() {
            assert_eq!(report.reason().unwrap().code(), reason, "{name}");
        }
        if let Some(path) = v["trust_path"].as_str() {
            let verified = report.verified().unwrap();
            assert_eq!(verified.trust_path().as_str(), path, "{name}");
            assert_eq!(verified.issuer().id, cert.issuer_id());
        }
        // Without the CA root the certificate proves nothing.
        let mut bare = base();
        bare.add_issuer_certificate(cert).unwrap();
        assert_eq!(
            bare.check(text, at).verdict(),
            Verdict::UnknownIssuer,
            "{name} without a root"
        );
    }
    for wanted in ["valid", "unknown_issuer", "issuer_not_authorized"] {
        assert!(verdicts.contains(wanted), "no {wanted} vector");
    }
}

#[test]
fn a_tampered_certified_credential_is_a_bad_signature() {
    let all = load();
    let roots = CaRoot::from_pem(all["ca_root"].as_str().unwrap().as_bytes()).unwrap();
    let v = &all["vectors"][0];
    assert_eq!(v["verdict"], "valid");
    let cert = IssuerCertificate::from_pem(v["issuer_cert"].as_str().unwrap().as_bytes()).unwrap();
    let mut verifier = base().with_ca_roots(roots);
    verifier.add_issuer_certificate(cert).unwrap();
    let text = v["text"].as_str().unwrap();
    let (kind, mut cose) = giayto_cose::text::decode(text, &[]).unwrap();
    // The last byte is the signature's.
    let last = cose.len() - 1;
    cose[last] ^= 1;
    let tampered = giayto_cose::text::encode(kind, &cose, None);
    assert_eq!(
        verifier
            .check(&tampered, v["at"].as_i64().unwrap())
            .verdict(),
        Verdict::BadSignature
    );
}
