//! Tests of status deltas on a device: checks, chains, cumulative deltas, refusals.

use super::*;
use crate::{BundleError, SeenState, Verdict};
use ed25519_dalek::SigningKey;
use giayto_cose::claims::{CredentialClaims, DocumentClaim, StatusRef};
use giayto_cose::{sign1, text, CREDENTIAL_TYP};
use giayto_model::{DocType, Document};
use giayto_status::{Status, StatusList, StatusListToken, MIN_ENTRIES};
use giayto_trust::IssuerEntry;

const NOW: i64 = 1_790_000_000;
const DAY: i64 = 86_400;
const URI: &str = "https://giayto.example/st/VN.BCA.C06/1";
const INSURANCE_URI: &str = "https://giayto.example/st/VN.BHXH/1";

fn root() -> SigningKey {
    SigningKey::from_bytes(&[1; 32])
}
fn police() -> SigningKey {
    SigningKey::from_bytes(&[2; 32])
}
fn insurance() -> SigningKey {
    SigningKey::from_bytes(&[5; 32])
}

fn trust_list() -> Vec<u8> {
    let entry = |key: &SigningKey, id: &str, doc_types: Vec<u64>| IssuerEntry {
        id: id.into(),
        name_vi: id.into(),
        name_en: None,
        public_key: key.verifying_key().to_bytes(),
        doc_types,
        not_before: 0,
        not_after: NOW + 3650 * DAY,
        status_uri_prefix: Some(format!("https://giayto.example/st/{id}/")),
    };
    giayto_trust::TrustList {
        root_id: "VN.ROOT".into(),
        sequence: 1,
        issued_at: NOW - 10 * DAY,
        expires_at: NOW + 30 * DAY,
        issuers: vec![
            entry(&police(), "VN.BCA.C06", vec![1, 2, 3]),
            entry(&insurance(), "VN.BHXH", vec![4]),
        ],
        withdrawn: Default::default(),
    }
    .sign(&root())
    .unwrap()
}

fn list(uri: &str, issued_at: i64, entries: &[(u64, Status)]) -> StatusListToken {
    let mut list = StatusList::new(MIN_ENTRIES).unwrap();
    for &(i, s) in entries {
        list.set(i, s).unwrap();
    }
    StatusListToken {
        uri: uri.into(),
        issued_at,
        expires_at: issued_at + 7 * DAY,
        ttl: Some(DAY as u64),
        list,
    }
}

fn delta(base: &StatusListToken, target: &StatusListToken, key: &SigningKey) -> Vec<u8> {
    StatusDelta::between(base, target)
        .unwrap()
        .sign(key)
        .unwrap()
}

/// A CCCD credential of the police pointing at `idx` of the police list.
fn credential(idx: u64) -> String {
    let document =
        Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd)).unwrap();
    let claims = CredentialClaims {
        issuer: "VN.BCA.C06".into(),
        issued_at: NOW - DAY,
        not_before: None,
        expires_at: NOW + 365 * DAY,
        serial: vec![9; 10],
        holder_key: None,
        status: Some(StatusRef {
            idx,
            uri: URI.into(),
        }),
        document: DocumentClaim {
            doc_type: 1,
            schema_version: 1,
            assurance_level: 2,
            fields: document.to_cbor(),
        },
        unknown: vec![],
    };
    let cose = sign1::sign(&police(), CREDENTIAL_TYP, claims.to_bytes()).unwrap();
    text::encode(text::Kind::Credential, &cose, None)
}

fn bundle(lists: Vec<Vec<u8>>) -> (Bundle, Verifier) {
    let bundle = Bundle {
        created_at: NOW - DAY,
        trust_list: trust_list(),
        status_lists: lists,
        status_deltas: vec![],
    };
    let verifier = Verifier::from_bundle(root().verifying_key(), &bundle).unwrap();
    (bundle, verifier)
}

fn held(v: &Verifier, issuer: &str, uri: &str) -> StatusListToken {
    v.status.get(issuer, uri).unwrap().token.clone()
}

#[test]
fn a_chain_of_deltas_brings_the_list_up_to_date_and_survives_the_bundle_file() {
    let l0 = list(URI, NOW - 3 * DAY, &[(5, Status::Revoked)]);
    let l1 = list(
        URI,
        NOW - 2 * DAY,
        &[(5, Status::Revoked), (77, Status::Revoked)],
    );
    let l2 = list(
        URI,
        NOW - DAY,
        &[
            (5, Status::Revoked),
            (77, Status::Revoked),
            (78, Status::Suspended),
        ],
    );
    let (mut b, mut v) = bundle(vec![l0.sign(&police()).unwrap()]);
    let cred = credential(77);
    assert!(v.verify(&cred, NOW).is_ok(), "valid before the delta");
    let applied = b.apply_delta(&mut v, &delta(&l0, &l1, &police())).unwrap();
    assert_eq!(
        applied,
        DeltaApplied {
            issuer_id: "VN.BCA.C06".into(),
            uri: URI.into(),
            from_issued_at: l0.issued_at,
            issued_at: l1.issued_at,
            expires_at: l1.expires_at,
            changes: 1,
            replaced: 0,
        }
    );
    assert_eq!(held(&v, "VN.BCA.C06", URI), l1);
    assert_eq!(v.verify(&cred, NOW).unwrap_err().verdict, Verdict::Revoked);
    b.apply_delta(&mut v, &delta(&l1, &l2, &police())).unwrap();
    assert_eq!(held(&v, "VN.BCA.C06", URI), l2);
    assert_eq!(b.status_deltas.len(), 2);
    // The file: version 2 with the deltas; read back, it gives the same list.
    let bytes = b.to_bytes();
    assert_eq!(&bytes[1..3], &[0x01, 0x02]);
    let back = Bundle::from_bytes(&bytes).unwrap();
    assert_eq!(back, b);
    let again = Verifier::from_bundle(root().verifying_key(), &back).unwrap();
    assert_eq!(held(&again, "VN.BCA.C06", URI), l2);
    // With the lists' checks deferred (a national bundle's start-up), the same.
    let deferred = Verifier::from_bundle_deferred(root().verifying_key(), &back).unwrap();
    assert_eq!(held(&deferred, "VN.BCA.C06", URI), l2);
    assert_eq!(
        deferred.verify(&cred, NOW).unwrap_err().verdict,
        Verdict::Revoked
    );
    // The device remembers the delta's iat: the bundle as it was before is a rollback.
    let mut seen = SeenState::default();
    seen.accept(&again, NOW).unwrap();
    let (_, old) = bundle(vec![l0.sign(&police()).unwrap()]);
    assert!(matches!(
        seen.accept(&old, NOW),
        Err(crate::Rollback::StatusList { .. })
    ));
    // A delta dated more than an hour ahead of the device's clock is refused like a list.
    let far = list(URI, NOW + 2 * DAY, &[]);
    let mut ahead = again.clone();
    ahead
        .apply_status_delta(&delta(&l2, &far, &police()))
        .unwrap();
    assert!(matches!(
        seen.clone().accept(&ahead, NOW),
        Err(crate::Rollback::FromFuture { .. })
    ));
}

#[test]
fn a_delta_from_the_bundles_full_list_replaces_the_earlier_ones() {
    let l0 = list(URI, NOW - 3 * DAY, &[]);
    let l1 = list(URI, NOW - 2 * DAY, &[(1, Status::Suspended)]);
    let l2 = list(URI, NOW - DAY, &[(2, Status::Revoked)]);
    let (mut b, mut v) = bundle(vec![l0.sign(&police()).unwrap()]);
    b.apply_delta(&mut v, &delta(&l0, &l1, &police())).unwrap();
    let cumulative = delta(&l0, &l2, &police());
    let applied = b.apply_delta(&mut v, &cumulative).unwrap();
    assert_eq!(applied.replaced, 1);
    assert_eq!(applied.from_issued_at, l1.issued_at);
    assert_eq!(b.status_deltas, vec![cumulative.clone()]);
    assert_eq!(held(&v, "VN.BCA.C06", URI), l2);
    let again = Verifier::from_bundle(root().verifying_key(), &b).unwrap();
    assert_eq!(held(&again, "VN.BCA.C06", URI), l2);
    // The same cumulative delta again: no newer than what is held.
    let before = b.clone();
    assert!(matches!(
        b.apply_delta(&mut v, &cumulative),
        Err(DeltaLoadError::Older { .. })
    ));
    assert_eq!(b, before);
}

#[test]
fn refusals_change_nothing() {
    let l0 = list(URI, NOW - 3 * DAY, &[]);
    let l1 = list(URI, NOW - 2 * DAY, &[(1, Status::Revoked)]);
    let l2 = list(
        URI,
        NOW - DAY,
        &[(1, Status::Revoked), (2, Status::Revoked)],
    );
    let other = list(URI, NOW - 4 * DAY, &[(9, Status::Revoked)]);
    let i0 = list(INSURANCE_URI, NOW - 3 * DAY, &[]);
    let i1 = list(INSURANCE_URI, NOW - 2 * DAY, &[(3, Status::Revoked)]);
    let (mut b, mut v) = bundle(vec![
        l0.sign(&police()).unwrap(),
        i0.sign(&insurance()).unwrap(),
    ]);
    b.apply_delta(&mut v, &delta(&l0, &l1, &police())).unwrap();
    b.apply_delta(&mut v, &delta(&l1, &l2, &police())).unwrap();
    let (bundle_before, held_before) = (b.clone(), held(&v, "VN.BCA.C06", URI));
    let mut forged = delta(&l2, &list(URI, NOW, &[]), &police());
    let n = forged.len();
    forged[n - 1] ^= 1;
    type Expected = fn(&DeltaLoadError) -> bool;
    let cases: Vec<(Vec<u8>, Expected)> = vec![
        // An older delta: a rollback.
        (delta(&l0, &l1, &police()), |e| {
            matches!(e, DeltaLoadError::Older { .. })
        }),
        // A base the device never held.
        (delta(&other, &list(URI, NOW, &[]), &police()), |e| {
            matches!(e, DeltaLoadError::WrongBase { .. })
        }),
        (forged, |e| {
            matches!(e, DeltaLoadError::Invalid(DeltaError::BadSignature))
        }),
        (
            delta(&l2, &list(URI, NOW, &[]), &SigningKey::from_bytes(&[9; 32])),
            |e| matches!(e, DeltaLoadError::UnknownSigner { .. }),
        ),
        // The insurance fund signing a delta for the police's list: outside its uris.
        (delta(&l2, &list(URI, NOW, &[]), &insurance()), |e| {
            matches!(e, DeltaLoadError::UriOutsidePrefix { .. })
        }),
        // A list the device does not hold: a full list is needed.
        (
            delta(
                &list("https://giayto.example/st/VN.BCA.C06/2", NOW - DAY, &[]),
                &list("https://giayto.example/st/VN.BCA.C06/2", NOW, &[]),
                &police(),
            ),
            |e| matches!(e, DeltaLoadError::NoBase { .. }),
        ),
        (b"not a delta".to_vec(), |e| {
            matches!(e, DeltaLoadError::Invalid(DeltaError::Cose(_)))
        }),
    ];
    for (i, (bytes, expected)) in cases.into_iter().enumerate() {
        let err = b.apply_delta(&mut v, &bytes).unwrap_err();
        assert!(expected(&err), "case {i}: {err:?}");
        assert!(!err.to_string().is_empty());
        assert_eq!(b, bundle_before, "case {i} changed the bundle");
        assert_eq!(held(&v, "VN.BCA.C06", URI), held_before, "case {i}");
    }
    // The insurance fund's own delta for its own list is fine beside the police's.
    b.apply_delta(&mut v, &delta(&i0, &i1, &insurance()))
        .unwrap();
    assert_eq!(held(&v, "VN.BHXH", INSURANCE_URI), i1);
    // A full chain refuses one more delta.
    let full = vec![vec![0u8]; MAX_BUNDLE_DELTAS];
    b.status_deltas = full.clone();
    assert_eq!(
        b.apply_delta(&mut v, &delta(&l2, &list(URI, NOW, &[]), &police())),
        Err(DeltaLoadError::ChainFull)
    );
    assert_eq!(b.status_deltas, full);
}

#[test]
fn a_bundle_whose_deltas_do_not_chain_is_refused() {
    let l0 = list(URI, NOW - 3 * DAY, &[]);
    let l1 = list(URI, NOW - 2 * DAY, &[(1, Status::Revoked)]);
    let l2 = list(URI, NOW - DAY, &[(2, Status::Revoked)]);
    let (mut b, _) = bundle(vec![l0.sign(&police()).unwrap()]);
    // Out of order: the second delta's base is l0, but l1 is held after the first.
    b.status_deltas = vec![delta(&l0, &l1, &police()), delta(&l0, &l2, &police())];
    assert!(matches!(
        Verifier::from_bundle(root().verifying_key(), &b),
        Err(BundleError::StatusDelta {
            index: 1,
            error: DeltaLoadError::WrongBase { .. }
        })
    ));
}

#[test]
fn bundle_versions_and_deltas_go_together() {
    let l0 = list(URI, NOW - 3 * DAY, &[]);
    let l1 = list(URI, NOW - 2 * DAY, &[(1, Status::Revoked)]);
    let (mut b, mut v) = bundle(vec![l0.sign(&police()).unwrap()]);
    let v1 = b.to_bytes();
    assert_eq!(&v1[1..3], &[0x01, 0x01]);
    assert_eq!(Bundle::from_bytes(&v1).unwrap(), b);
    b.apply_delta(&mut v, &delta(&l0, &l1, &police())).unwrap();
    let v2 = b.to_bytes();
    assert_eq!(Bundle::from_bytes(&v2).unwrap(), b);
    // Version 1 with a key 5, version 2 without deltas: refused.
    let mut lying_v1 = v2.clone();
    lying_v1[2] = 0x01;
    assert_eq!(
        Bundle::from_bytes(&lying_v1),
        Err(BundleError::Format {
            what: "status deltas"
        })
    );
    let mut empty_v2 = v1.clone();
    empty_v2[2] = 0x02;
    assert_eq!(
        Bundle::from_bytes(&empty_v2),
        Err(BundleError::Format {
            what: "status deltas"
        })
    );
}
