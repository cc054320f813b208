//! Tests of status deltas.

use super::*;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;

const URI: &str = "https://giayto.example/st/VN.BCA.C06/1";

fn token(issued_at: i64, entries: &[(u64, Status)]) -> StatusListToken {
    let mut list = StatusList::new(crate::MIN_ENTRIES).unwrap();
    for &(i, s) in entries {
        list.set(i, s).unwrap();
    }
    StatusListToken {
        uri: URI.into(),
        issued_at,
        expires_at: issued_at + 7 * 86_400,
        ttl: Some(86_400),
        list,
    }
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&[3; 32])
}

#[test]
fn between_then_apply_gives_the_target_entry_for_entry() {
    let base = token(1_000, &[(17, Status::Revoked), (99, Status::Suspended)]);
    let target = token(
        2_000,
        &[
            (0, Status::Suspended),
            (17, Status::Revoked),
            (99, Status::Valid),
            (100, Status::Revoked),
            (131_071, Status::Revoked),
        ],
    );
    let delta = StatusDelta::between(&base, &target).unwrap();
    assert_eq!(
        delta.changes,
        vec![
            (0, Status::Suspended),
            (99, Status::Valid),
            (100, Status::Revoked),
            (131_071, Status::Revoked)
        ]
    );
    assert_eq!(delta.base, DeltaBase::of(&base));
    let applied = delta.apply(&base).unwrap();
    assert_eq!(applied, target);
    // Through the signature and the text.
    let text = to_text(&delta.sign(&key()).unwrap());
    assert!(text.starts_with("VD1:"));
    let back = SignedStatusDelta::from_text(&format!("  {text}\n"))
        .unwrap()
        .verify(&key().verifying_key())
        .unwrap();
    assert_eq!(back, delta);
    assert_eq!(back.apply(&base).unwrap(), target);
}

#[test]
fn a_delta_without_changes_only_moves_the_times() {
    let base = token(1_000, &[(5, Status::Revoked)]);
    let mut target = token(3_000, &[(5, Status::Revoked)]);
    target.ttl = None;
    let delta = StatusDelta::between(&base, &target).unwrap();
    assert!(delta.changes.is_empty());
    let applied = delta.apply(&base).unwrap();
    assert_eq!(applied, target);
    assert_eq!(applied.expires_at, 3_000 + 7 * 86_400);
}

#[test]
fn apply_refuses_another_list_an_older_result_and_another_base() {
    let base = token(1_000, &[(17, Status::Revoked)]);
    let target = token(2_000, &[(17, Status::Revoked), (18, Status::Revoked)]);
    let delta = StatusDelta::between(&base, &target).unwrap();
    let mut other_uri = base.clone();
    other_uri.uri = "https://giayto.example/st/VN.BCA.C06/2".into();
    assert!(matches!(
        delta.apply(&other_uri),
        Err(DeltaError::WrongList { .. })
    ));
    // Held list already as new as the result: a rollback (or the same delta again).
    assert_eq!(
        delta.apply(&target),
        Err(DeltaError::Older {
            held: 2_000,
            offered: 2_000
        })
    );
    // Another list of the same uri, older than the base.
    let earlier = token(500, &[]);
    assert_eq!(
        delta.apply(&earlier),
        Err(DeltaError::WrongBase {
            held: 500,
            base: 1_000
        })
    );
    // Same iat as the base but other entries: refused too (the hash names the entries).
    let same_time = token(1_000, &[(17, Status::Suspended)]);
    assert_eq!(
        delta.apply(&same_time),
        Err(DeltaError::WrongBase {
            held: 1_000,
            base: 1_000
        })
    );
    // A forged index past the end of the base (the hash matches, the index does not).
    let mut long = delta.clone();
    long.changes.push((crate::MIN_ENTRIES + 8, Status::Revoked));
    assert!(matches!(
        long.apply(&base),
        Err(DeltaError::IndexOutOfRange { .. })
    ));
    // between refuses what no delta can express.
    assert!(matches!(
        StatusDelta::between(&target, &base),
        Err(DeltaError::Older { .. })
    ));
    assert!(matches!(
        StatusDelta::between(&base, &other_uri),
        Err(DeltaError::WrongList { .. })
    ));
    let mut bigger = token(2_000, &[]);
    bigger.list = StatusList::new(crate::MIN_ENTRIES * 2).unwrap();
    assert!(matches!(
        StatusDelta::between(&base, &bigger),
        Err(DeltaError::LengthMismatch { .. })
    ));
}

#[test]
fn the_changes_encoding_is_compact_and_strict() {
    let changes = vec![
        (0, Status::Revoked),
        (1, Status::Suspended),
        (5_000, Status::Valid),
        (MAX_ENTRIES - 1, Status::Held),
    ];
    let bytes = encode_changes(&changes).unwrap();
    // 0·4+1 and 0·4+2 in one byte each, 4998·4 in three, the last gap (2^27 − 5002) in five.
    assert_eq!(&bytes[..2], &[0x01, 0x02]);
    assert_eq!(bytes.len(), 1 + 1 + 3 + 5);
    assert_eq!(decode_changes(&bytes).unwrap(), changes);
    assert_eq!(decode_changes(&[]).unwrap(), vec![]);
    // Not increasing, repeated, or past the largest list: never encoded.
    for bad in [
        vec![(5, Status::Revoked), (5, Status::Valid)],
        vec![(5, Status::Revoked), (4, Status::Valid)],
        vec![(MAX_ENTRIES, Status::Revoked)],
    ] {
        assert_eq!(encode_changes(&bad), Err(DeltaError::Changes));
    }
    // Cut off, not shortest, too long, past the largest list: never decoded.
    for bad in [
        &[0x81][..],
        &[0x81, 0x00],
        &[0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        &[0xff, 0xff, 0xff, 0xff, 0x0f],
        &[0x01, 0xfc, 0xff, 0xff, 0xff, 0x01],
    ] {
        assert_eq!(decode_changes(bad), Err(DeltaError::Changes), "{bad:02x?}");
    }
}

/// The example of docs/format.md §9.8.
#[test]
fn the_format_example_encodes_as_written() {
    let changes = [
        (0, Status::Revoked),
        (1, Status::Suspended),
        (5_000, Status::Valid),
    ];
    assert_eq!(
        encode_changes(&changes).unwrap(),
        vec![0x01, 0x02, 0x98, 0x9C, 0x01]
    );
}

#[test]
fn fifty_changes_in_a_national_list_fit_a_mid_size_code() {
    let mut base = token(1_000, &[]);
    base.list = StatusList::new(1 << 20).unwrap();
    let mut target = base.clone();
    target.issued_at = 90_000;
    target.expires_at = 90_000 + 7 * 86_400;
    let mut x = 12_345u64;
    for _ in 0..50 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        target
            .list
            .set((x >> 20) % (1 << 20), Status::Revoked)
            .unwrap();
    }
    let delta = StatusDelta::between(&base, &target).unwrap();
    assert_eq!(delta.changes.len(), 50);
    let text = to_text(&delta.sign(&key()).unwrap());
    // About 3 bytes per change plus a fixed part (docs/qr-size.md has the measured table).
    assert!(text.len() < 600, "{} characters", text.len());
}

#[test]
fn every_bit_flip_and_truncation_is_rejected() {
    let base = token(1_000, &[]);
    let target = token(2_000, &[(7, Status::Revoked), (70_000, Status::Suspended)]);
    let bytes = StatusDelta::between(&base, &target)
        .unwrap()
        .sign(&key())
        .unwrap();
    let check =
        |b: &[u8]| SignedStatusDelta::parse(b).and_then(|s| s.verify(&key().verifying_key()));
    assert!(check(&bytes).is_ok());
    for bit in 0..bytes.len() * 8 {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(check(&flipped).is_err(), "bit {bit} flipped still verifies");
    }
    for len in 0..bytes.len() {
        assert!(check(&bytes[..len]).is_err(), "truncated to {len} verifies");
    }
    let other = SigningKey::from_bytes(&[4; 32]);
    assert_eq!(
        SignedStatusDelta::parse(&bytes)
            .unwrap()
            .verify(&other.verifying_key()),
        Err(DeltaError::BadSignature)
    );
    // A status list is not a delta, nor a delta a status list.
    let list = target.sign(&key()).unwrap();
    assert!(matches!(
        SignedStatusDelta::parse(&list),
        Err(DeltaError::Cose(CoseError::WrongType { .. }))
    ));
    assert!(crate::SignedStatusList::parse(&bytes).is_err());
}

#[test]
fn claims_are_checked() {
    let hash = Value::Bytes(vec![7; BASE_HASH_LEN]);
    let payload = |entries: Vec<(Value, Value)>| cbor::encode(&cbor::map(entries));
    let claims = |base: Value, iat: i64, exp: i64, changes: Value| {
        vec![
            (2.into(), Value::Text(URI.into())),
            (6.into(), iat.into()),
            (4.into(), exp.into()),
            ((-70010).into(), base),
            ((-70011).into(), changes),
        ]
    };
    let base = |iat: i64, hash: Value| Value::Array(vec![iat.into(), hash]);
    let ok = StatusDelta::from_payload(&payload(claims(
        base(100, hash.clone()),
        200,
        300,
        Value::Bytes(vec![0x05]),
    )))
    .unwrap();
    assert_eq!(ok.changes, vec![(1, Status::Revoked)]);
    assert_eq!(ok.ttl, None);
    let bad = |entries: Vec<(Value, Value)>, what: &'static str| {
        assert_eq!(
            StatusDelta::from_payload(&payload(entries)),
            Err(DeltaError::Claims { what })
        );
    };
    bad(
        claims(base(100, hash.clone()), 200, 200, Value::Bytes(vec![])),
        "exp",
    );
    bad(
        claims(base(200, hash.clone()), 200, 300, Value::Bytes(vec![])),
        "iat",
    );
    bad(
        claims(
            base(100, Value::Bytes(vec![7; 32])),
            200,
            300,
            Value::Bytes(vec![]),
        ),
        "base",
    );
    bad(
        claims(Value::Integer(100.into()), 200, 300, Value::Bytes(vec![])),
        "base",
    );
    bad(
        claims(base(100, hash.clone()), 200, 300, Value::Array(vec![])),
        "changes",
    );
    bad(
        claims(base(100, hash.clone()), -5, 300, Value::Bytes(vec![])),
        "iat",
    );
    let mut no_sub = claims(base(100, hash.clone()), 200, 300, Value::Bytes(vec![]));
    no_sub.remove(0);
    bad(no_sub, "sub");
    let mut no_base = claims(base(100, hash.clone()), 200, 300, Value::Bytes(vec![]));
    no_base.remove(3);
    bad(no_base, "base");
    assert_eq!(
        StatusDelta::from_payload(&payload(claims(
            base(100, hash),
            200,
            300,
            Value::Bytes(vec![0x80])
        ))),
        Err(DeltaError::Changes)
    );
}

#[test]
fn text_form_is_checked() {
    assert_eq!(from_text("VN1:ABC"), Err(DeltaError::NoPrefix));
    assert_eq!(from_text("vd1:ABC"), Err(DeltaError::NoPrefix));
    assert_eq!(from_text("VD1:abc"), Err(DeltaError::Base45));
    assert_eq!(from_text("VD1:"), Err(DeltaError::NotCose));
    assert_eq!(
        from_text(&to_text(&[0x78, 0x9c, 0x01])),
        Err(DeltaError::NotCose)
    );
    let long = format!("VD1:{}", "0".repeat(MAX_DELTA_TEXT));
    assert!(matches!(from_text(&long), Err(DeltaError::TooLong { .. })));
    assert_eq!(from_text(&to_text(&[0xD2, 1])).unwrap(), vec![0xD2, 1]);
    let big = vec![0xD2; MAX_DELTA_BYTES + 1];
    assert!(matches!(
        SignedStatusDelta::parse(&big),
        Err(DeltaError::TooLarge { .. })
    ));
}

proptest! {
    #[test]
    fn any_two_lists_round_trip(
        before in proptest::collection::vec((0u64..crate::MIN_ENTRIES, 0u8..4), 0..40),
        after in proptest::collection::vec((0u64..crate::MIN_ENTRIES, 0u8..4), 0..40),
    ) {
        let to = |v: &[(u64, u8)]| v.iter().map(|&(i, s)| (i, Status::from_code(s))).collect::<Vec<_>>();
        let base = token(1_000, &to(&before));
        let target = token(1_001, &to(&after));
        let delta = StatusDelta::between(&base, &target).unwrap();
        let back = StatusDelta::from_payload(&delta.payload().unwrap()).unwrap();
        prop_assert_eq!(&back, &delta);
        prop_assert_eq!(back.apply(&base).unwrap(), target);
    }

    #[test]
    fn decoding_never_panics_and_reencodes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(changes) = decode_changes(&bytes) {
            prop_assert_eq!(encode_changes(&changes).unwrap(), bytes);
        }
    }
}
