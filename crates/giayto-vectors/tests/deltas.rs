//! The status delta vectors: each update is taken or refused as `status-deltas.json` says, by a
//! verifier and by a bundle alike; a taken one leads to the listed entries, times and verdicts;
//! a refused one changes nothing; and a device that has used an update refuses the bundle as it
//! was before (no rollback).

use std::collections::BTreeMap;
use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;
use giayto_verify::{Bundle, DeltaLoadError, Rollback, SeenState, Status, Verdict, Verifier};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("test-vectors/{name}: {e}"))
}

fn root() -> VerifyingKey {
    let creds: Value = serde_json::from_slice(&read("credentials.json")).unwrap();
    let root: [u8; 32] = hex::decode(creds["root_public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    VerifyingKey::from_bytes(&root).unwrap()
}

fn vectors() -> Vec<Value> {
    let all: Value = serde_json::from_slice(&read("status-deltas.json")).unwrap();
    assert_eq!(all["base_list"], "VN.BCA.C06-1.statuslist.cwt");
    all["deltas"].as_array().unwrap().clone()
}

fn bytes(text: &str) -> Vec<u8> {
    giayto_status::delta_from_text(text).unwrap_or_else(|_| text.as_bytes().to_vec())
}

fn kind(e: &DeltaLoadError) -> &'static str {
    match e {
        DeltaLoadError::Invalid(_) => "invalid",
        DeltaLoadError::WrongBase { .. } => "wrong_base",
        DeltaLoadError::Older { .. } => "older",
        DeltaLoadError::UriOutsidePrefix { .. } => "uri_outside_prefix",
        DeltaLoadError::UnknownSigner { .. } => "unknown_signer",
        DeltaLoadError::NoBase { .. } => "no_base",
        _ => "other",
    }
}

/// The bundle with the deltas named in `after` taken, and its verifier.
fn prepared(v: &Value, by_name: &BTreeMap<String, Value>) -> (Bundle, Verifier) {
    let mut bundle = Bundle::from_bytes(&read("bundle.cbor")).unwrap();
    let mut verifier = Verifier::from_bundle(root(), &bundle).unwrap();
    for name in v["after"].as_array().unwrap() {
        let earlier = &by_name[name.as_str().unwrap()];
        bundle
            .apply_delta(&mut verifier, &bytes(earlier["text"].as_str().unwrap()))
            .unwrap();
    }
    (bundle, verifier)
}

fn held(v: &Verifier, uri: &str) -> giayto_verify::StatusListToken {
    v.status_lists()
        .find(|l| l.token.uri == uri)
        .unwrap()
        .token
        .clone()
}

fn check_list(v: &Verifier, vector: &Value) {
    let name = vector["name"].as_str().unwrap();
    let list = &vector["list"];
    if list.is_null() {
        return;
    }
    let token = held(v, list["uri"].as_str().unwrap());
    assert_eq!(
        token.issued_at,
        list["issued_at"].as_i64().unwrap(),
        "{name}"
    );
    assert_eq!(
        token.expires_at,
        list["expires_at"].as_i64().unwrap(),
        "{name}"
    );
    assert_eq!(token.ttl, list["ttl"].as_u64(), "{name}");
    for (index, status) in list["entries"].as_object().unwrap() {
        let got = token.list.get(index.parse().unwrap()).unwrap();
        assert_eq!(got.as_str(), status.as_str().unwrap(), "{name} {index}");
    }
    for c in vector["checks"].as_array().into_iter().flatten() {
        let verdict = match v.verify(c["text"].as_str().unwrap(), c["at"].as_i64().unwrap()) {
            Ok(_) => Verdict::Valid,
            Err(r) => r.verdict,
        };
        assert_eq!(verdict.as_str(), c["verdict"].as_str().unwrap(), "{name}");
    }
}

#[test]
fn every_delta_vector_is_taken_or_refused_as_it_says() {
    let all = vectors();
    let by_name: BTreeMap<String, Value> = all
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_owned(), v.clone()))
        .collect();
    let mut results = std::collections::BTreeSet::new();
    for vector in &all {
        let name = vector["name"].as_str().unwrap();
        let expected = vector["result"].as_str().unwrap();
        results.insert(expected);
        let delta = bytes(vector["text"].as_str().unwrap());
        assert!(
            vector["text"].as_str().unwrap().starts_with("VD1:"),
            "{name}"
        );
        // A bundle.
        let (mut bundle, mut verifier) = prepared(vector, &by_name);
        let (bundle_before, lists_before) = (bundle.clone(), bundle.to_bytes());
        match bundle.apply_delta(&mut verifier, &delta) {
            Ok(applied) => {
                assert!(expected.starts_with("applied"), "{name}: taken");
                check_list(&verifier, vector);
                // The bundle file gives the same verifier.
                let again = Verifier::from_bundle(root(), &bundle).unwrap();
                check_list(&again, vector);
                if expected == "applied_to_bundle" {
                    assert_eq!(applied.replaced, 1, "{name}");
                    assert_eq!(bundle.status_deltas, vec![delta.clone()], "{name}");
                }
            }
            Err(e) => {
                assert_eq!(kind(&e), expected, "{name}: {e}");
                assert_eq!(bundle, bundle_before, "{name}");
                assert_eq!(bundle.to_bytes(), lists_before, "{name}");
            }
        }
        // A verifier on its own takes only deltas whose base is the list it holds.
        let (_, mut verifier) = prepared(vector, &by_name);
        let before: Vec<_> = verifier.status_lists().map(|l| l.token.clone()).collect();
        match verifier.apply_status_delta(&delta) {
            Ok(_) => {
                assert_eq!(expected, "applied", "{name}");
                check_list(&verifier, vector);
            }
            Err(e) => {
                let expected = if expected == "applied_to_bundle" {
                    "wrong_base"
                } else {
                    expected
                };
                assert_eq!(kind(&e), expected, "{name}: {e}");
                let after: Vec<_> = verifier.status_lists().map(|l| l.token.clone()).collect();
                assert_eq!(after, before, "{name}");
            }
        }
    }
    for r in [
        "applied",
        "applied_to_bundle",
        "invalid",
        "wrong_base",
        "older",
        "uri_outside_prefix",
        "unknown_signer",
        "no_base",
    ] {
        assert!(results.contains(r), "no vector for {r}");
    }
}

#[test]
fn a_device_that_took_an_update_refuses_the_bundle_as_it_was() {
    let all = vectors();
    let first = all.iter().find(|v| v["name"] == "delta_revokes").unwrap();
    let original = Bundle::from_bytes(&read("bundle.cbor")).unwrap();
    let mut bundle = original.clone();
    let mut verifier = Verifier::from_bundle(root(), &bundle).unwrap();
    bundle
        .apply_delta(&mut verifier, &bytes(first["text"].as_str().unwrap()))
        .unwrap();
    let now = giayto_vectors::AT;
    let mut seen = SeenState::default();
    seen.accept(&verifier, now).unwrap();
    let old = Verifier::from_bundle(root(), &original).unwrap();
    assert!(matches!(
        seen.accept(&old, now),
        Err(Rollback::StatusList { .. })
    ));
    // The revocation the update carried stays: the held entry is revoked.
    assert_eq!(
        held(&verifier, "https://giayto.example/st/VN.BCA.C06/1")
            .list
            .get(73_214),
        Some(Status::Revoked)
    );
}

#[test]
fn every_bit_flip_of_a_delta_is_refused_and_changes_nothing() {
    let all = vectors();
    let first = all.iter().find(|v| v["name"] == "delta_revokes").unwrap();
    let good = bytes(first["text"].as_str().unwrap());
    let bundle = Bundle::from_bytes(&read("bundle.cbor")).unwrap();
    let verifier = Verifier::from_bundle(root(), &bundle).unwrap();
    for bit in 0..good.len() * 8 {
        let mut flipped = good.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let (mut b, mut v) = (bundle.clone(), verifier.clone());
        assert!(b.apply_delta(&mut v, &flipped).is_err(), "bit {bit}");
        assert_eq!(b, bundle, "bit {bit}");
    }
}
