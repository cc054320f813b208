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
    with_list(&std::fs::read(dir().join("trust.cwt")).unwrap())
}

fn with_list(trust: &[u8]) -> Verifier {
    let root = std::fs::read_to_string(dir().join("root.pub")).unwrap();
    Verifier::new(VerifyingKey::from_public_key_pem(&root).unwrap(), trust).unwrap()
}

/// The vector's verifier: its own trust list (hex) when it gives one, else trust.cwt.
fn base_for(v: &Value) -> Verifier {
    match v["trust_list"].as_str() {
        Some(h) => with_list(&hex::decode(h).unwrap()),
        None => base(),
    }
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
        let mut verifier = base_for(v).with_ca_roots(roots.clone());
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
        let mut bare = base_for(v);
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

#[test]
fn the_withdrawal_alone_turns_the_valid_certificate_away() {
    // The withdrawn vector's certificate and credential are the valid vector's: with trust.cwt
    // they verify by the x509 path, with the withdrawing list they do not.
    let all = load();
    let roots = CaRoot::from_pem(all["ca_root"].as_str().unwrap().as_bytes()).unwrap();
    let vectors = all["vectors"].as_array().unwrap();
    let find = |n: &str| vectors.iter().find(|v| v["name"] == n).unwrap();
    let (valid, withdrawn) = (find("x509-valid"), find("x509-issuer-withdrawn"));
    assert_eq!(valid["text"], withdrawn["text"]);
    assert_eq!(valid["issuer_cert"], withdrawn["issuer_cert"]);
    let cert =
        IssuerCertificate::from_pem(valid["issuer_cert"].as_str().unwrap().as_bytes()).unwrap();
    let list = hex::decode(withdrawn["trust_list"].as_str().unwrap()).unwrap();
    let mut before = base().with_ca_roots(roots.clone());
    before.add_issuer_certificate(cert.clone()).unwrap();
    let mut after = with_list(&list).with_ca_roots(roots);
    after.add_issuer_certificate(cert).unwrap();
    let (text, at) = (
        valid["text"].as_str().unwrap(),
        valid["at"].as_i64().unwrap(),
    );
    assert_eq!(before.check(text, at).verdict(), Verdict::Valid);
    let report = after.check(text, at);
    assert_eq!(report.verdict(), Verdict::UnknownIssuer);
    assert_eq!(report.reason().unwrap().code(), "issuer_withdrawn");
    // The withdrawing list still trusts every issuer it lists: the standard vectors' issuers
    // verify as before.
    let listed = giayto_trust::TrustList::verify(
        &list,
        &VerifyingKey::from_public_key_pem(
            &std::fs::read_to_string(dir().join("root.pub")).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(listed.issuers, giayto_vectors::trust_list().issuers);
    assert!(listed.withdrawn.issuer("VN.SGTVT.HN"));
}
