//! test-vectors/mdoc/: every vector gets its verdict and reason from giayto's mdoc check, the
//! valid one its licence, and the other-root vector is valid under its own root.

use std::path::PathBuf;

use giayto_mdoc::cert::parse_pem_chain;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/mdoc")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("test-vectors/mdoc/{name}: {e}"))
}

fn roots(name: &str) -> Vec<giayto_mdoc::cert::Cert> {
    parse_pem_chain(&String::from_utf8(read(name)).unwrap()).unwrap()
}

#[test]
fn every_mdoc_vector_gets_its_verdict_and_reason() {
    let manifest: Value = serde_json::from_slice(&read("vectors.json")).unwrap();
    let at = manifest["at"].as_i64().unwrap();
    let iaca = roots(manifest["iaca"].as_str().unwrap());
    let vectors = manifest["vectors"].as_array().unwrap();
    let mut verdicts = std::collections::BTreeSet::new();
    for v in vectors {
        let bytes = read(v["file"].as_str().unwrap());
        let result = giayto_mdoc::verify(&bytes, &iaca, at);
        let (verdict, reason) = match &result {
            Ok(_) => ("valid", None),
            Err(r) => (r.verdict().as_str(), Some(r.code())),
        };
        assert_eq!(verdict, v["verdict"].as_str().unwrap(), "{}", v["name"]);
        assert_eq!(reason, v["reason"].as_str(), "{}", v["name"]);
        verdicts.insert(verdict);
    }
    assert_eq!(
        verdicts.len(),
        4,
        "a valid vector and three kinds of failure"
    );
}

#[test]
fn the_valid_vector_is_the_sample_licence_and_other_root_is_valid_under_its_root() {
    let at = giayto_vectors::mdoc::AT;
    let v = giayto_mdoc::verify(&read("valid.mdoc"), &roots("iaca.pem"), at).unwrap();
    assert_eq!(
        v.get("document_number"),
        Some(&ciborium::Value::Text("010123456789".into()))
    );
    assert_eq!(
        v.get("issuing_country"),
        Some(&ciborium::Value::Text("VN".into()))
    );
    giayto_mdoc::verify(&read("other-root.mdoc"), &roots("other-iaca.pem"), at).unwrap();
    // The wrong-digest vector differs from the valid one in one byte only.
    let (a, b) = (read("valid.mdoc"), read("wrong-digest.mdoc"));
    assert_eq!(a.len(), b.len());
    assert_eq!(a.iter().zip(&b).filter(|(x, y)| x != y).count(), 1);
    // The document signer of the valid vector is in its chain.
    let ds = roots("document-signer.pem");
    assert!(ds[0].is_document_signer());
}
