//! Unit tests of `authority`.
use super::*;

const NOW: i64 = 1_790_000_000;

fn key(n: u8) -> [u8; 32] {
    SigningKey::from_bytes(&[n; 32]).verifying_key().to_bytes()
}

fn new_issuer(id: &str, k: u8, types: &[DocType]) -> NewIssuer {
    NewIssuer {
        id: id.into(),
        name_vi: " Bảo hiểm xã hội Việt Nam ".into(),
        name_en: Some("Vietnam Social Security".into()),
        public_key: key(k),
        doc_types: types.to_vec(),
        valid_days: 1825,
        status_uri_prefix: Some(format!("https://giayto.example/st/{id}/")),
    }
}

fn state() -> RootState {
    let mut s = RootState::new("VN.ROOT").unwrap();
    s.add_issuer(new_issuer("VN.BHXH", 2, &[DocType::Bhyt]), NOW)
        .unwrap();
    s
}

#[test]
fn new_state_checks_the_root_id() {
    assert!(RootState::new("VN.ROOT").is_ok());
    for bad in ["", "VN ROOT", "VN/ROOT", &"R".repeat(65)] {
        assert!(matches!(
            RootState::new(bad),
            Err(AuthorityError::BadId { id }) if id == bad
        ));
    }
}

#[test]
fn add_issuer_rules() {
    let mut s = state();
    let k = &s.issuers()[0];
    assert_eq!(k.name_vi, "Bảo hiểm xã hội Việt Nam", "trimmed");
    assert_eq!((k.not_before, k.not_after), (NOW, NOW + 1825 * DAY));
    assert_eq!(k.doc_types, vec![DocType::Bhyt]);

    // Bad id, names, prefix, no types: refused, nothing changed.
    let before = s.clone();
    let mut bad_id = new_issuer("VN BHXH", 3, &[DocType::Bhyt]);
    assert!(matches!(
        s.add_issuer(bad_id.clone(), NOW),
        Err(AuthorityError::BadId { .. })
    ));
    bad_id.id = "VN.X".into();
    let mut blank = bad_id.clone();
    blank.name_vi = "  ".into();
    assert!(matches!(
        s.add_issuer(blank, NOW),
        Err(AuthorityError::BadName { .. })
    ));
    let mut long = bad_id.clone();
    long.name_en = Some("x".repeat(257));
    assert!(matches!(
        s.add_issuer(long, NOW),
        Err(AuthorityError::BadName { .. })
    ));
    let mut prefix = bad_id.clone();
    prefix.status_uri_prefix = Some(String::new());
    assert!(matches!(
        s.add_issuer(prefix, NOW),
        Err(AuthorityError::BadStatusPrefix { .. })
    ));
    let mut none = bad_id.clone();
    none.doc_types.clear();
    assert!(matches!(
        s.add_issuer(none, NOW),
        Err(AuthorityError::NoDocTypes { .. })
    ));
    // The same key under another id: refused.
    assert!(matches!(
        s.add_issuer(new_issuer("VN.BCA.C06", 2, &[DocType::Cccd]), NOW),
        Err(AuthorityError::KeyPresent { id, .. }) if id == "VN.BHXH"
    ));
    assert_eq!(s, before);

    // The same key under the same id: updated, not_before kept, duplicates dropped.
    let mut again = new_issuer("VN.BHXH", 2, &[DocType::Bhyt, DocType::Bhyt]);
    again.valid_days = 10;
    let added = s.add_issuer(again, NOW + 5).unwrap();
    assert!(added.updated);
    assert_eq!(s.issuers().len(), 1);
    assert_eq!(s.issuers()[0].not_before, NOW);
    assert_eq!(s.issuers()[0].not_after, NOW + 5 + 10 * DAY);
    assert_eq!(s.issuers()[0].doc_types, vec![DocType::Bhyt]);

    // Another key: added.
    let added = s
        .add_issuer(new_issuer("VN.BCA.C06", 3, &[DocType::Cccd]), NOW)
        .unwrap();
    assert!(!added.updated);
    assert_eq!(s.issuers().len(), 2);
}

#[test]
fn remove_all_keys_or_one_by_kid() {
    let mut s = state();
    s.rotate_issuer("VN.BHXH", key(3), NOW + DAY, 1825, NOW)
        .unwrap();
    s.add_issuer(new_issuer("VN.BCA.C06", 4, &[DocType::Cccd]), NOW)
        .unwrap();
    let before = s.clone();
    assert!(matches!(
        s.remove_issuer("VN.NONE", None),
        Err(AuthorityError::UnknownIssuer { kid: None, .. })
    ));
    // A kid of another issuer does not match.
    assert!(matches!(
        s.remove_issuer("VN.BHXH", Some(kid_for(&key(4)))),
        Err(AuthorityError::UnknownIssuer { kid: Some(_), .. })
    ));
    assert_eq!(s, before);
    assert_eq!(
        s.remove_issuer("VN.BHXH", Some(kid_for(&key(2)))).unwrap(),
        vec![kid_for(&key(2))]
    );
    assert_eq!(s.issuers().len(), 2);
    s.rotate_issuer("VN.BHXH", key(5), NOW + DAY, 1825, NOW)
        .unwrap();
    assert_eq!(
        s.remove_issuer("VN.BHXH", None).unwrap(),
        vec![kid_for(&key(3)), kid_for(&key(5))]
    );
    assert_eq!(s.issuers().len(), 1);
    assert_eq!(s.issuers()[0].id, "VN.BCA.C06");
}

#[test]
fn rotation_overlaps_and_never_extends_the_old_key() {
    let mut s = state();
    let until = NOW + 30 * DAY;
    let r = s
        .rotate_issuer("VN.BHXH", key(3), until, 1825, NOW + 100)
        .unwrap();
    assert_eq!(r.shortened, vec![(kid_for(&key(2)), NOW + 1825 * DAY)]);
    assert_eq!(r.new_key.not_before, NOW + 100);
    assert_eq!(r.new_key.not_after, NOW + 100 + 1825 * DAY);
    assert_eq!(r.new_key.doc_types, vec![DocType::Bhyt]);
    assert_eq!(r.new_key.name_vi, "Bảo hiểm xã hội Việt Nam");
    assert_eq!(
        r.new_key.status_uri_prefix.as_deref(),
        Some("https://giayto.example/st/VN.BHXH/")
    );
    assert_eq!(s.issuers()[0].not_after, until);
    assert_eq!(s.issuers()[1], r.new_key);

    // Both keys verify in the overlap, only the new one after it (as a verifier sees it).
    let (_, list) = s
        .sign_next(&SigningKey::from_bytes(&[1; 32]), 30, NOW)
        .unwrap();
    let allowed = |k: u8, iat: i64| {
        list.find(&kid_for(&key(k)))
            .is_some_and(|e| e.not_before <= iat && iat <= e.not_after)
    };
    assert!(allowed(2, until) && allowed(3, until));
    assert!(!allowed(2, until + 1) && allowed(3, until + 1));
}

#[test]
fn rotation_refusals_change_nothing() {
    let mut s = state();
    s.add_issuer(new_issuer("VN.BCA.C06", 4, &[DocType::Cccd]), NOW)
        .unwrap();
    let before = s.clone();
    let end = NOW + 1825 * DAY;
    let cases: Vec<(Result<Rotation, AuthorityError>, &str)> = vec![
        (
            s.clone()
                .rotate_issuer("VN.NONE", key(3), NOW + DAY, 1825, NOW),
            "unknown",
        ),
        (
            s.clone()
                .rotate_issuer("VN.BHXH", key(2), NOW + DAY, 1825, NOW),
            "same key",
        ),
        (
            s.clone()
                .rotate_issuer("VN.BHXH", key(4), NOW + DAY, 1825, NOW),
            "another issuer's key",
        ),
        (
            s.clone().rotate_issuer("VN.BHXH", key(3), NOW, 1825, NOW),
            "now",
        ),
        (
            s.clone()
                .rotate_issuer("VN.BHXH", key(3), NOW - 1, 1825, NOW),
            "past",
        ),
        (
            s.clone()
                .rotate_issuer("VN.BHXH", key(3), end + 1, 3650, NOW),
            "beyond",
        ),
        (
            s.clone()
                .rotate_issuer("VN.BHXH", key(3), NOW + 10 * DAY, 5, NOW),
            "new ends first",
        ),
        (
            s.clone()
                .rotate_issuer("VN.BHXH", key(3), end + 10, 1825, end + 5),
            "no key valid now",
        ),
    ];
    let kinds: Vec<String> = cases
        .iter()
        .map(|(r, what)| match r {
            Err(AuthorityError::UnknownIssuer { .. }) => format!("{what}: unknown"),
            Err(AuthorityError::KeyPresent { .. }) => format!("{what}: present"),
            Err(AuthorityError::OverlapInPast { .. }) => format!("{what}: past"),
            Err(AuthorityError::OverlapBeyondKey { not_after, .. }) => {
                assert_eq!(*not_after, end);
                format!("{what}: beyond")
            }
            Err(AuthorityError::NewKeyEndsFirst { .. }) => format!("{what}: ends first"),
            Err(AuthorityError::NoCurrentKey { .. }) => format!("{what}: no current"),
            other => panic!("{what}: {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "unknown: unknown",
            "same key: present",
            "another issuer's key: present",
            "now: past",
            "past: past",
            "beyond: beyond",
            "new ends first: ends first",
            "no key valid now: no current"
        ]
    );
    // The checks ran on copies; a refusal on the state itself leaves it equal.
    assert!(s
        .rotate_issuer("VN.BHXH", key(3), NOW - 1, 1825, NOW)
        .is_err());
    assert_eq!(s, before);
    // The overlap may end exactly at the old key's end.
    assert!(s.rotate_issuer("VN.BHXH", key(3), end, 3650, NOW).is_ok());
}

#[test]
fn a_second_rotation_replaces_the_newest_key() {
    let mut s = state();
    s.rotate_issuer("VN.BHXH", key(3), NOW + 10 * DAY, 1825, NOW)
        .unwrap();
    // The first old key still overlaps; the second rotation ends it no later than the new
    // overlap, and is measured against the current (newest) key.
    let r = s
        .rotate_issuer("VN.BHXH", key(4), NOW + 5 * DAY, 1825, NOW + DAY)
        .unwrap();
    assert_eq!(
        r.shortened,
        vec![
            (kid_for(&key(2)), NOW + 10 * DAY),
            (kid_for(&key(3)), NOW + 1825 * DAY)
        ]
    );
    let ends: Vec<i64> = s.issuers().iter().map(|k| k.not_after).collect();
    assert_eq!(ends, [NOW + 5 * DAY, NOW + 5 * DAY, NOW + DAY + 1825 * DAY]);
}

#[test]
fn sequence_strictly_increases_and_the_list_verifies() {
    let root = SigningKey::from_bytes(&[1; 32]);
    let mut s = state();
    let (b1, l1) = s.sign_next(&root, 30, NOW).unwrap();
    let (b2, l2) = s.sign_next(&root, 0, NOW).unwrap();
    assert_eq!((l1.sequence, l2.sequence, s.sequence()), (1, 2, 2));
    assert_eq!(l2.expires_at, NOW + DAY, "at least one day");
    assert_eq!(TrustList::verify(&b1, &root.verifying_key()).unwrap(), l1);
    let back = TrustList::verify(&b2, &root.verifying_key()).unwrap();
    assert_eq!(back.issuers[0].doc_types, vec![4]);
    assert_eq!(back.root_id, "VN.ROOT");
    s.sequence = u64::MAX;
    assert!(matches!(
        s.sign_next(&root, 30, NOW),
        Err(AuthorityError::SequenceExhausted)
    ));
    assert_eq!(s.sequence(), u64::MAX);
}

#[test]
fn state_file_round_trip_and_old_files_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = state();
    s.rotate_issuer("VN.BHXH", key(3), NOW + DAY, 1825, NOW)
        .unwrap();
    s.save(dir.path()).unwrap();
    assert_eq!(RootState::load(dir.path()).unwrap(), s);
    // No temporary file is left beside it.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    // A state file as the CLI wrote it before this module (name_en null).
    let old = format!(
        r#"{{"id":"VN.ROOT","sequence":4,"issuers":[{{"id":"VN.BCA.C06","name_vi":"C06",
        "name_en":null,"public_key":"{}","doc_types":["cccd","gplx"],"not_before":1,
        "not_after":2,"status_uri_prefix":"https://giayto.example/st/VN.BCA.C06/"}}]}}"#,
        hex::encode(key(7))
    );
    fs::write(dir.path().join(STATE_FILE), old).unwrap();
    let back = RootState::load(dir.path()).unwrap();
    assert_eq!(back.sequence(), 4);
    assert_eq!(back.issuers()[0].doc_types, [DocType::Cccd, DocType::Gplx]);
    assert_eq!(back.issuers()[0].name_en, None);
}

#[test]
fn missing_empty_or_corrupt_state_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        RootState::load(dir.path()),
        Err(AuthorityError::NotARoot { .. })
    ));
    let good = state().to_json().unwrap();
    let good = String::from_utf8(good).unwrap();
    let k = hex::encode(key(2));
    // 32 bytes that are no Ed25519 point.
    let not_a_point = (0..=255u8)
        .map(|n| [n; 32])
        .find(|b| VerifyingKey::from_bytes(b).is_err())
        .unwrap();
    let cases = [
        String::new(),
        "  \n".into(),
        "{".into(),
        "null".into(),
        r#"{"id":"VN.ROOT"}"#.into(),
        good.replace("VN.ROOT", "VN ROOT"),
        good.replace("\"VN.BHXH\"", "\"\""),
        good.replace(&k, "00"),
        good.replace(&k, &hex::encode(not_a_point)),
        good.replace("\"bhyt\"", "\"passport\""),
        good.replace("\"bhyt\"", ""),
        good.replace("Bảo hiểm xã hội Việt Nam", ""),
        good.replace(
            &format!("\"not_before\": {NOW}"),
            "\"not_before\": 9999999999",
        ),
        good.replace("\"sequence\": 0", "\"sequence\": -1"),
    ];
    for (n, text) in cases.iter().enumerate() {
        fs::write(dir.path().join(STATE_FILE), text).unwrap();
        match RootState::load(dir.path()) {
            Err(e @ AuthorityError::Corrupt { .. }) => {
                assert!(e.to_string().contains(STATE_FILE), "{e}");
            }
            other => panic!("case {n} {text:?}: {other:?}"),
        }
    }
    // A key listed twice.
    let mut twice = state();
    twice.issuers.push(twice.issuers[0].clone());
    fs::write(dir.path().join(STATE_FILE), twice.to_json().unwrap()).unwrap();
    assert!(matches!(
        RootState::load(dir.path()),
        Err(AuthorityError::Corrupt { what, .. }) if what.contains("twice")
    ));
    // And the good one reads.
    fs::write(dir.path().join(STATE_FILE), &good).unwrap();
    assert!(RootState::load(dir.path()).is_ok());
}

#[test]
fn update_saves_only_what_succeeded() {
    let dir = tempfile::tempdir().unwrap();
    state().save(dir.path()).unwrap();
    let before = fs::read(dir.path().join(STATE_FILE)).unwrap();
    assert!(update(dir.path(), |s| s.remove_issuer("VN.NONE", None)).is_err());
    assert_eq!(fs::read(dir.path().join(STATE_FILE)).unwrap(), before);
    update(dir.path(), |s| s.remove_issuer("VN.BHXH", None)).unwrap();
    assert!(RootState::load(dir.path()).unwrap().issuers().is_empty());
}

#[test]
fn init_creates_the_folder_once_and_signs() {
    let dir = tempfile::tempdir().unwrap();
    let root_dir = dir.path().join("root");
    let pass = SecretString::from("mật khẩu gốc".to_owned());
    assert!(matches!(
        init(&root_dir, "VN ROOT", &pass, KdfCost::new(10)),
        Err(AuthorityError::BadId { .. })
    ));
    assert!(!root_dir.exists(), "a bad id creates nothing");
    let key = init(&root_dir, "VN.ROOT", &pass, KdfCost::new(10)).unwrap();
    assert_eq!(
        keys::read_public_key(&root_dir.join(PUB_FILE)).unwrap(),
        key.verifying_key()
    );
    assert_eq!(
        open_key(&root_dir, &pass).unwrap().to_bytes(),
        key.to_bytes()
    );
    assert!(matches!(
        init(&root_dir, "VN.ROOT", &pass, KdfCost::new(10)),
        Err(AuthorityError::AlreadyInitialised { .. })
    ));
    update(&root_dir, |s| {
        s.add_issuer(new_issuer("VN.BHXH", 2, &[DocType::Bhyt]), NOW)
    })
    .unwrap();
    let (bytes, list) = sign_trust_list(&root_dir, &key, 30, NOW).unwrap();
    assert_eq!(list.sequence, 1);
    assert_eq!(RootState::load(&root_dir).unwrap().sequence(), 1);
    assert_eq!(
        TrustList::verify(&bytes, &key.verifying_key()).unwrap(),
        list
    );
    // An empty state file stops signing; it is not taken as a fresh root.
    fs::write(root_dir.join(STATE_FILE), "").unwrap();
    assert!(matches!(
        sign_trust_list(&root_dir, &key, 30, NOW),
        Err(AuthorityError::Corrupt { .. })
    ));
    assert_eq!(fs::read(root_dir.join(STATE_FILE)).unwrap(), b"");
}

#[test]
fn removing_an_issuer_withdraws_it_in_every_later_list_until_it_is_added_again() {
    let root = SigningKey::from_bytes(&[1; 32]);
    let dir = tempfile::tempdir().unwrap();
    let mut s = state();
    s.add_issuer(new_issuer("VN.BCA.C06", 4, &[DocType::Cccd]), NOW)
        .unwrap();
    s.rotate_issuer("VN.BCA.C06", key(5), NOW + DAY, 1825, NOW)
        .unwrap();
    assert!(s.withdrawn().is_empty());
    // One key of two: the kid is withdrawn, the issuer (still listed) is not.
    s.remove_issuer("VN.BCA.C06", Some(kid_for(&key(4))))
        .unwrap();
    assert_eq!(s.withdrawn().kids, vec![kid_for(&key(4))]);
    assert!(s.withdrawn().issuers.is_empty());
    // The last key: the issuer id too.
    s.remove_issuer("VN.BCA.C06", None).unwrap();
    assert_eq!(s.withdrawn().issuers, vec!["VN.BCA.C06".to_owned()]);
    assert_eq!(s.withdrawn().kids, vec![kid_for(&key(4)), kid_for(&key(5))]);
    let (bytes, list) = s.sign_next(&root, 30, NOW).unwrap();
    let back = TrustList::verify(&bytes, &root.verifying_key()).unwrap();
    assert_eq!(back, list);
    assert!(back.withdrawn.issuer("VN.BCA.C06"));
    assert!(back.withdrawn.kid(&kid_for(&key(5))));
    assert!(!back.withdrawn.issuer("VN.BHXH"));
    // Kept in the state file, and in the next list.
    s.save(dir.path()).unwrap();
    let mut s = RootState::load(dir.path()).unwrap();
    assert_eq!(s.withdrawn().issuers, vec!["VN.BCA.C06".to_owned()]);
    let (_, next) = s.sign_next(&root, 30, NOW).unwrap();
    assert_eq!(next.withdrawn, back.withdrawn);
    // Added again (with its old key 5): neither the id nor that kid is withdrawn any more,
    // and the list is consistent (a list that lists and withdraws at once is refused).
    s.add_issuer(new_issuer("VN.BCA.C06", 5, &[DocType::Cccd]), NOW)
        .unwrap();
    assert!(s.withdrawn().issuers.is_empty());
    assert_eq!(s.withdrawn().kids, vec![kid_for(&key(4))]);
    let (bytes, _) = s.sign_next(&root, 30, NOW).unwrap();
    let back = TrustList::verify(&bytes, &root.verifying_key()).unwrap();
    assert!(back.find(&kid_for(&key(5))).is_some());
    // A rotation to a withdrawn key relists it too.
    s.rotate_issuer("VN.BCA.C06", key(4), NOW + DAY, 1825, NOW)
        .unwrap();
    assert!(s.withdrawn().is_empty());
}

#[test]
fn a_state_file_that_lists_and_withdraws_one_issuer_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"{{"id":"VN.ROOT","sequence":4,"issuers":[{{"id":"VN.BCA.C06","name_vi":"C06",
        "public_key":"{}","doc_types":["cccd"],"not_before":1,"not_after":2}}],
        "withdrawn_issuers":["VN.BCA.C06"]}}"#,
        hex::encode(key(7))
    );
    fs::write(dir.path().join(STATE_FILE), text).unwrap();
    assert!(matches!(
        RootState::load(dir.path()),
        Err(AuthorityError::Corrupt { .. })
    ));
    fs::write(
        dir.path().join(STATE_FILE),
        r#"{"id":"VN.ROOT","sequence":4,"issuers":[],"withdrawn_kids":["00ff"]}"#,
    )
    .unwrap();
    assert!(matches!(
        RootState::load(dir.path()),
        Err(AuthorityError::Corrupt { what, .. }) if what.contains("00ff")
    ));
}
