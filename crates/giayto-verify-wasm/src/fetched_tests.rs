//! Lists the page fetched, taken into its bundle or refused: signed here with the test vectors'
//! deterministic keys (test-vectors/keys.json), checked against test-vectors/bundle.cbor.
use super::*;
use ed25519_dalek::SigningKey;
use giayto_status::{Status, StatusList, StatusListToken, MIN_ENTRIES};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/");
const POLICE: &str = "VN.BCA.C06";
const POLICE_URI: &str = "https://giayto.example/st/VN.BCA.C06/1";
/// The vectors' verification time (every vector's `at`).
const AT: i64 = 1_795_392_000;
const DAY: i64 = 86_400;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap()
}

fn seed(name: &str) -> SigningKey {
    let keys: Value = serde_json::from_slice(&read("keys.json")).unwrap();
    let hex = keys["seeds"][name].as_str().unwrap();
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    SigningKey::from_bytes(&bytes.try_into().unwrap())
}

fn list(uri: &str, issued_at: i64, revoked: &[u64], key: &SigningKey) -> Vec<u8> {
    let mut list = StatusList::new(MIN_ENTRIES).unwrap();
    for &i in revoked {
        list.set(i, Status::Revoked).unwrap();
    }
    StatusListToken {
        uri: uri.into(),
        issued_at,
        expires_at: issued_at + 7 * DAY,
        ttl: Some(DAY as u64),
        list,
    }
    .sign(key)
    .unwrap()
}

fn kind(t: &Taken) -> String {
    match t {
        Taken::Updated { .. } => "updated".into(),
        Taken::Same(_) => "same".into(),
        Taken::Refused(r) => r["kind"].as_str().unwrap().into(),
    }
}

/// A valid credential of the vectors whose status list is the police list: (text, idx).
fn police_credential(root: &[u8], bundle: &[u8]) -> (String, u64) {
    let v = crate::WebVerifier::with_bundle(root, bundle).unwrap();
    let all: Value = serde_json::from_slice(&read("status.json")).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["accept_missing_status"].as_bool() != Some(true))
        .find_map(|c| {
            let r = v.verify_value(c["text"].as_str()?, AT).ok()?;
            (r["verdict"] == "valid" && r["status"]["uri"] == POLICE_URI).then(|| {
                (
                    c["text"].as_str().unwrap().to_owned(),
                    r["status"]["idx"].as_u64().unwrap(),
                )
            })
        })
        .unwrap()
}

#[test]
fn a_newer_fetched_list_replaces_the_bundles_and_others_are_refused() {
    let (root, bundle) = (read("root.pub"), read("bundle.cbor"));
    let police = seed(POLICE);
    let (text, idx) = police_credential(&root, &bundle);
    let newer = list(POLICE_URI, AT - DAY / 4, &[idx], &police);

    let taken = take_status_list(&root, &bundle, POLICE, POLICE_URI, &newer, None, AT).unwrap();
    let Taken::Updated {
        bundle: updated,
        state,
        list: info,
    } = taken
    else {
        panic!("refused: {taken:?}");
    };
    assert_eq!(info["uri"], POLICE_URI);
    assert_eq!(info["issued_at_seconds"], AT - DAY / 4);
    let v = crate::WebVerifier::with_bundle(&root, &updated).unwrap();
    assert_eq!(v.verify_value(&text, AT).unwrap()["verdict"], "revoked");
    let before = crate::WebVerifier::with_bundle(&root, &bundle).unwrap();
    assert_eq!(before.verify_value(&text, AT).unwrap()["verdict"], "valid");
    // One list per uri: replaced, not added beside the old one.
    let old = Bundle::from_bytes(&bundle).unwrap();
    let new = Bundle::from_bytes(&updated).unwrap();
    assert_eq!(new.status_lists.len(), old.status_lists.len());
    assert_eq!(new.created_at, old.created_at);
    assert!(new.status_lists.contains(&newer));

    // The same list again: nothing to store.
    let same = take_status_list(
        &root,
        &updated,
        POLICE,
        POLICE_URI,
        &newer,
        Some(&state),
        AT,
    );
    assert_eq!(kind(&same.unwrap()), "same");
    // An older list than the one held: a rollback, naming both times.
    let older = list(POLICE_URI, AT - 2 * DAY, &[], &police);
    let r = take_status_list(
        &root,
        &updated,
        POLICE,
        POLICE_URI,
        &older,
        Some(&state),
        AT,
    );
    let Taken::Refused(r) = r.unwrap() else {
        panic!("older list taken")
    };
    assert_eq!(r["kind"], "rollback");
    assert_eq!(r["rollback"]["kind"], "status_list");
    assert_eq!(r["rollback"]["offered_seconds"], AT - 2 * DAY);
    // Newer than the bundle given, older than what this device has used: the device's memory
    // refuses it.
    let between = list(POLICE_URI, AT - DAY / 2, &[], &police);
    let r = take_status_list(
        &root,
        &bundle,
        POLICE,
        POLICE_URI,
        &between,
        Some(&state),
        AT,
    );
    assert_eq!(kind(&r.unwrap()), "rollback");
    let fresh = take_status_list(&root, &bundle, POLICE, POLICE_URI, &between, None, AT);
    assert_eq!(kind(&fresh.unwrap()), "updated");
    // Dated far ahead of the device's clock.
    let future = list(POLICE_URI, AT + 3 * 3600, &[], &police);
    let r = take_status_list(&root, &bundle, POLICE, POLICE_URI, &future, None, AT);
    assert_eq!(kind(&r.unwrap()), "rollback");

    // Another issuer's list at this uri, a list of another uri, a uri outside the prefix, a
    // signer the trust list does not name, and bytes that are no list.
    let insurance = read("VN.BHXH-1.statuslist.cwt");
    let r = take_status_list(&root, &bundle, POLICE, POLICE_URI, &insurance, None, AT);
    assert_eq!(kind(&r.unwrap()), "wrong_issuer");
    let second = list(
        "https://giayto.example/st/VN.BCA.C06/2",
        AT - DAY / 4,
        &[],
        &police,
    );
    let r = take_status_list(&root, &bundle, POLICE, POLICE_URI, &second, None, AT);
    assert_eq!(kind(&r.unwrap()), "wrong_list");
    for uri in [
        "https://elsewhere.example/st/VN.BCA.C06/1",
        "https://giayto.example/st/VN.BHXH/1",
    ] {
        let r = take_status_list(&root, &bundle, POLICE, uri, &newer, None, AT);
        assert_eq!(kind(&r.unwrap()), "outside_prefix", "{uri}");
    }
    let rogue = list(POLICE_URI, AT - DAY / 4, &[], &seed("rogue"));
    let r = take_status_list(&root, &bundle, POLICE, POLICE_URI, &rogue, None, AT);
    assert_eq!(kind(&r.unwrap()), "invalid");
    let r = take_status_list(&root, &bundle, POLICE, POLICE_URI, b"<html>", None, AT);
    assert_eq!(kind(&r.unwrap()), "invalid");
    // Unreadable inputs are errors, not refusals.
    assert!(take_status_list(&root, &bundle[..9], POLICE, POLICE_URI, &newer, None, AT).is_err());
    assert!(take_status_list(
        &root,
        &bundle,
        POLICE,
        POLICE_URI,
        &newer,
        Some(b"junk"),
        AT
    )
    .is_err());
}

#[test]
fn a_newer_fetched_trust_list_replaces_the_bundles() {
    let (root, bundle) = (read("root.pub"), read("bundle.cbor"));
    let trust = read("trust.cwt");
    let r = take_trust_list(&root, &bundle, &trust, None, AT).unwrap();
    assert_eq!(kind(&r), "same");
    let r = take_trust_list(&root, &bundle, b"not a trust list", None, AT).unwrap();
    assert_eq!(kind(&r), "invalid");

    let root_key = seed_root();
    let parsed = giayto_verify::TrustList::verify(&trust, &root_key.verifying_key()).unwrap();
    let mut next = parsed.clone();
    next.sequence += 1;
    next.issued_at = AT - 3600;
    let next_bytes = next.sign(&root_key).unwrap();
    let taken = take_trust_list(&root, &bundle, &next_bytes, None, AT).unwrap();
    let Taken::Updated {
        bundle: updated,
        state,
        list: info,
    } = taken
    else {
        panic!("refused: {taken:?}");
    };
    assert_eq!(info["sequence"], parsed.sequence + 1);
    let v = crate::WebVerifier::with_bundle(&root, &updated).unwrap();
    assert_eq!(
        v.verifier().unwrap().status_lists().count(),
        2,
        "the lists it still vouches for stay"
    );
    // The older one again: a rollback; signed by another key: invalid.
    let r = take_trust_list(&root, &updated, &trust, Some(&state), AT).unwrap();
    assert_eq!(kind(&r), "rollback");
    let forged = next.sign(&seed(POLICE)).unwrap();
    let r = take_trust_list(&root, &bundle, &forged, None, AT).unwrap();
    assert_eq!(kind(&r), "invalid");

    // A trust list that drops the insurance fund drops its list from the bundle too.
    let mut fewer = next.clone();
    fewer.sequence += 1;
    fewer.issuers.retain(|e| e.id != "VN.BHXH");
    let fewer_bytes = fewer.sign(&root_key).unwrap();
    let taken = take_trust_list(&root, &updated, &fewer_bytes, Some(&state), AT).unwrap();
    let Taken::Updated { bundle: b, .. } = taken else {
        panic!("refused: {taken:?}");
    };
    assert_eq!(Bundle::from_bytes(&b).unwrap().status_lists.len(), 1);
}

fn seed_root() -> SigningKey {
    let keys: Value = serde_json::from_slice(&read("keys.json")).unwrap();
    let hex = keys["root"]["seed"].as_str().unwrap();
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    SigningKey::from_bytes(&bytes.try_into().unwrap())
}
