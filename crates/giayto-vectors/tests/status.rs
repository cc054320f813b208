//! The status list vectors: every credential gets its verdict from the bundle and from the
//! loose files alike, every bad list is refused, every bit flip of a list is refused, and an
//! older list is refused by a device that has used a newer one.

use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;
use giayto_verify::{
    Added, Bundle, Rollback, SeenState, StatusLoadError, Verdict, Verifier, Warning,
};
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

fn status() -> Value {
    serde_json::from_slice(&read("status.json")).unwrap()
}

fn from_bundle() -> Verifier {
    let bundle = Bundle::from_bytes(&read("bundle.cbor")).unwrap();
    Verifier::from_bundle(root(), &bundle).unwrap()
}

fn from_files() -> Verifier {
    let mut v = Verifier::new(root(), &read("trust.cwt")).unwrap();
    for l in status()["status_lists"].as_array().unwrap() {
        let added = v
            .add_status_list(&read(l["file"].as_str().unwrap()))
            .unwrap();
        assert_eq!(added, Added::New);
    }
    v
}

#[test]
fn every_status_vector_gets_its_verdict_from_bundle_and_files() {
    let all = status();
    let vectors = all["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 10);
    let mut verdicts = std::collections::BTreeSet::new();
    for make in [from_bundle as fn() -> Verifier, from_files] {
        for v in vectors {
            let name = v["name"].as_str().unwrap();
            let expected = Verdict::from_name(v["verdict"].as_str().unwrap()).unwrap();
            verdicts.insert(expected.as_str());
            let accept = v["accept_missing_status"].as_bool().unwrap();
            let verifier = make().accept_missing_status(accept);
            let result = verifier.verify(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
            let got = match &result {
                Ok(_) => Verdict::Valid,
                Err(r) => r.verdict,
            };
            assert_eq!(got, expected, "{name}: {result:?}");
            if let Ok(c) = &result {
                // A holder-bound credential shown as a static code says possession was not
                // proven; that is the only other warning these fresh lists may give.
                let warnings: Vec<&Warning> = c
                    .warnings()
                    .iter()
                    .filter(|w| {
                        !(c.claims().holder_key.is_some() && **w == Warning::PossessionNotProven)
                    })
                    .collect();
                if accept {
                    assert!(matches!(warnings[..], [Warning::StatusNotChecked { .. }]));
                    assert!(c.status().is_none());
                } else {
                    let s = c.status().expect("status checked");
                    assert!(s.uri.starts_with("https://giayto.example/st/"));
                    assert!(warnings.is_empty(), "{name}: {:?}", c.warnings());
                }
            }
            if let Err(r) = &result {
                if expected != Verdict::Malformed {
                    // Signed and well-formed: whose credential it is stays visible.
                    assert!(r.credential.is_some(), "{name}");
                }
            }
        }
    }
    for needed in [
        "valid",
        "revoked",
        "suspended",
        "held",
        "stale_status",
        "malformed",
    ] {
        assert!(verdicts.contains(needed), "no {needed} vector");
    }
}

#[test]
fn bad_lists_are_refused_and_change_nothing() {
    let all = status();
    for b in all["bad_lists"].as_array().unwrap() {
        let name = b["name"].as_str().unwrap();
        let token = hex::decode(b["token"].as_str().unwrap()).unwrap();
        let mut v = Verifier::new(root(), &read("trust.cwt")).unwrap();
        let err = v.add_status_list(&token).unwrap_err();
        let kind = match err {
            StatusLoadError::UriOutsidePrefix { .. } => "uri_outside_prefix",
            StatusLoadError::UnknownSigner { .. } => "unknown_signer",
            StatusLoadError::Invalid(_) => "invalid",
            _ => "other",
        };
        assert_eq!(kind, b["error"].as_str().unwrap(), "{name}");
        assert_eq!(v.status_lists().count(), 0, "{name}");
        // Inside a bundle, the same list makes the whole bundle unusable.
        let bundle = Bundle {
            created_at: 0,
            trust_list: read("trust.cwt"),
            status_lists: vec![read("VN.BCA.C06-1.statuslist.cwt"), token],
            status_deltas: vec![],
        };
        assert!(Verifier::from_bundle(root(), &bundle).is_err(), "{name}");
    }
}

#[test]
fn every_bit_flip_and_truncation_of_a_list_is_refused() {
    let list = read("VN.BCA.C06-1.statuslist.cwt");
    let mut v = Verifier::new(root(), &read("trust.cwt")).unwrap();
    for bit in 0..list.len() * 8 {
        let mut flipped = list.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(v.add_status_list(&flipped).is_err(), "bit {bit}");
    }
    for len in 0..list.len() {
        assert!(v.add_status_list(&list[..len]).is_err(), "length {len}");
    }
    assert_eq!(v.status_lists().count(), 0);
}

#[test]
fn an_older_list_never_replaces_a_newer_one() {
    let older = hex::decode(status()["older_list"].as_str().unwrap()).unwrap();
    // In one verifier: the newer list stays.
    let mut v = from_files();
    assert_eq!(v.add_status_list(&older).unwrap(), Added::OlderIgnored);
    let revoked = status()["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "status_revoked")
        .unwrap()
        .clone();
    let r = v
        .verify(
            revoked["text"].as_str().unwrap(),
            revoked["at"].as_i64().unwrap(),
        )
        .unwrap_err();
    assert_eq!(r.verdict, Verdict::Revoked);
    // Loaded the other way round, the newer list replaces the older.
    let mut v = Verifier::new(root(), &read("trust.cwt")).unwrap();
    assert_eq!(v.add_status_list(&older).unwrap(), Added::New);
    assert_eq!(
        v.add_status_list(&read("VN.BCA.C06-1.statuslist.cwt"))
            .unwrap(),
        Added::Replaced
    );
    // On a device: after the bundle's data was used, a verifier holding only the older list
    // is refused, and so is an older trust list.
    let mut seen = SeenState::default();
    let newer = from_bundle();
    seen.check(&newer).unwrap();
    seen.update(&newer);
    let back = SeenState::from_bytes(&seen.to_bytes()).unwrap();
    assert_eq!(back, seen);
    let mut old_only = Verifier::new(root(), &read("trust.cwt")).unwrap();
    old_only.add_status_list(&older).unwrap();
    assert!(matches!(
        back.check(&old_only),
        Err(Rollback::StatusList { .. })
    ));
    let mut ahead = back.clone();
    ahead.trust_sequence += 1;
    assert!(matches!(
        ahead.check(&newer),
        Err(Rollback::TrustList { .. })
    ));
}

#[test]
fn bundle_decoding_is_strict() {
    let bytes = read("bundle.cbor");
    let bundle = Bundle::from_bytes(&bytes).unwrap();
    assert_eq!(bundle.to_bytes(), bytes);
    assert_eq!(bundle.status_lists.len(), 2);
    for len in 0..bytes.len() {
        assert!(Bundle::from_bytes(&bytes[..len]).is_err(), "length {len}");
    }
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(Bundle::from_bytes(&trailing).is_err());
    // A future format version is named as such (2 is the version with status deltas).
    let mut v3 = bytes.clone();
    // {1: 1, ...}: the version is the byte after the map head and key 1.
    assert_eq!(&v3[1..3], &[0x01, 0x01]);
    v3[2] = 0x03;
    assert!(matches!(
        Bundle::from_bytes(&v3),
        Err(giayto_verify::BundleError::Version { found: 3 })
    ));
}
