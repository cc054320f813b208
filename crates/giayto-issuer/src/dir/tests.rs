//! Unit tests of `dir`.
use super::*;
use giayto_model::DocType;

pub(super) fn issuer_dir() -> (tempfile::TempDir, PathBuf, SecretString) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("iss");
    let pass = SecretString::from("test-passphrase".to_owned());
    let meta = IssuerMeta {
        id: "VN.BCA.C06".into(),
        name_vi: "Cục C06".into(),
        name_en: None,
        status_uri_prefix: None,
        list_size: Some(giayto_status::MIN_ENTRIES),
        registry_url: None,
    };
    init(&dir, &meta, &pass, KdfCost::new(10)).unwrap();
    (tmp, dir, pass)
}

pub(super) fn document() -> Document {
    Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd)).unwrap()
}

pub(super) const NOW: i64 = 1_795_392_000;

/// Regression: deleting or truncating the registry and issuing again used to start a new
/// registry silently, undoing every revocation at the next status list.
#[test]
fn a_missing_or_empty_registry_is_refused_not_recreated() {
    let (_tmp, dir, pass) = issuer_dir();
    let registry = dir.join(REGISTRY_FILE);
    {
        let mut issuer = Issuer::open(&dir, &pass).unwrap();
        let issued = issuer
            .issue(&document(), &IssueOptions::default(), NOW)
            .unwrap();
        issuer
            .change_status(&Target::Serial(issued.serial), Action::Revoke, "lost", NOW)
            .unwrap();
        assert_eq!(issuer.publish(NOW, 86_400, None).unwrap()[0].revoked, 1);
    }

    std::fs::remove_file(&registry).unwrap();
    let err = Issuer::open(&dir, &pass).unwrap_err();
    assert!(
        matches!(&err, IssuerError::Registry(RegistryError::Missing { location })
            if location.ends_with(REGISTRY_FILE)),
        "{err:?}"
    );
    assert!(!registry.exists(), "a registry was created");
    assert!(matches!(
        open_registry(&dir, &read_meta(&dir).unwrap()),
        Err(IssuerError::Registry(RegistryError::Missing { .. }))
    ));
    assert!(!registry.exists());

    std::fs::write(&registry, b"").unwrap();
    let err = Issuer::open(&dir, &pass).unwrap_err();
    assert!(
        matches!(&err, IssuerError::Registry(RegistryError::Empty { .. })),
        "{err:?}"
    );
    assert_eq!(std::fs::metadata(&registry).unwrap().len(), 0);

    // And init does not take over a folder whose registry went missing.
    std::fs::remove_file(&registry).unwrap();
    let meta = read_meta(&dir).unwrap();
    assert!(matches!(
        init(&dir, &meta, &pass, KdfCost::new(10)),
        Err(IssuerError::AlreadyInitialised { .. })
    ));
    assert!(!registry.exists());
}

#[test]
fn init_creates_an_owner_only_registry_that_open_accepts() {
    let (_tmp, dir, pass) = issuer_dir();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(REGISTRY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "registry mode {mode:o}");
    }
    let mut issuer = Issuer::open(&dir, &pass).unwrap();
    assert_eq!(issuer.registry().count().unwrap(), 0);
}

/// The selective-disclosure copy shares the full credential's serial, times, holder key
/// and status entry (docs/decisions.md D98), so revoking the document revokes both; it is
/// refused for a credential without a holder key.
#[test]
fn the_sd_copy_shares_the_status_entry_and_needs_a_holder_key() {
    let (_tmp, dir, pass) = issuer_dir();
    let mut issuer = Issuer::open(&dir, &pass).unwrap();
    let doc = document();
    let options = IssueOptions {
        holder_key: Some([7u8; 32]),
        ..IssueOptions::default()
    };
    let issued = issuer.issue(&doc, &options, NOW).unwrap();
    let copy = issuer.sign_sd(&doc, &issued).unwrap();
    let full = giayto_cose::sign1::Sign1::parse(&issued.cose, giayto_cose::CREDENTIAL_TYP).unwrap();
    let full = giayto_cose::claims::CredentialClaims::from_bytes(full.payload()).unwrap();
    let sd =
        giayto_cose::sign1::Sign1::parse(&copy.credential, giayto_cose::CREDENTIAL_TYP).unwrap();
    let (sd_claims, root) = giayto_cose::sd::parse_sd_claims(sd.payload()).unwrap();
    assert_eq!(root, copy.root());
    assert_eq!(sd_claims.serial, full.serial);
    assert_eq!(sd_claims.status, full.status);
    assert_eq!(sd_claims.holder_key, full.holder_key);
    assert_eq!(sd_claims.issued_at, full.issued_at);
    assert_eq!(sd_claims.expires_at, full.expires_at);
    // Every field of the card is an opening, and the seven predicates.
    assert!(copy.entry(2).is_some());
    assert_eq!(copy.entries.iter().filter(|e| e.index >= 16).count(), 7);
    // Two copies of the same credential have different salts.
    let again = issuer.sign_sd(&doc, &issued).unwrap();
    assert_ne!(again.entry(2).unwrap().salt, copy.entry(2).unwrap().salt);
    // One status entry: revoking the serial revokes the slot both carry.
    let report = issuer
        .change_status(
            &Target::Serial(issued.serial.clone()),
            Action::Revoke,
            "test",
            NOW + 1,
        )
        .unwrap();
    assert_eq!(report.changed.len(), 1);
    // Without a holder key there is no selective-disclosure form.
    let plain = issuer.issue(&doc, &IssueOptions::default(), NOW).unwrap();
    assert!(matches!(
        issuer.sign_sd(&doc, &plain),
        Err(IssuerError::NotHolderBound)
    ));
}

/// A held credential is published as 3 until its end; the first publish at or after the end
/// releases it (audited) and publishes it as it was before the hold.
#[test]
fn publish_shows_holds_and_releases_them_when_their_end_has_come() {
    let (_tmp, dir, pass) = issuer_dir();
    let mut issuer = Issuer::open(&dir, &pass).unwrap();
    let issued = issuer
        .issue(&document(), &IssueOptions::default(), NOW)
        .unwrap();
    let target = Target::Serial(issued.serial.clone());
    assert!(matches!(
        issuer.hold(&target, "x", NOW, Some(NOW - 1)),
        Err(IssuerError::Registry(RegistryError::HoldEndsInPast { .. }))
    ));
    issuer
        .hold(&target, "biên bản 0012", NOW, Some(NOW + 3600))
        .unwrap();
    let read = |token: &[u8]| {
        let signed = giayto_status::SignedStatusList::parse(token).unwrap();
        let list = signed.verify(&issuer_key(&dir, &pass)).unwrap().list;
        list.get(issued.slot.index).unwrap()
    };
    let lists = issuer.publish(NOW + 10, 86_400, None).unwrap();
    assert_eq!((lists[0].held, lists[0].suspended), (1, 0));
    assert_eq!(read(&lists[0].token), giayto_status::Status::Held);
    // At the end: released before the list is signed.
    let lists = issuer.publish(NOW + 3600, 86_400, None).unwrap();
    assert_eq!(lists[0].held, 0);
    assert_eq!(read(&lists[0].token), giayto_status::Status::Valid);
    let trail = issuer.registry().audit(&issued.serial).unwrap();
    assert_eq!(trail.last().unwrap().action, Action::Release);
    assert_eq!(trail.last().unwrap().at, NOW + 3600);
    assert_eq!(
        trail.last().unwrap().reason,
        crate::registry::HOLD_ENDED_REASON
    );
}

fn issuer_key(dir: &Path, pass: &SecretString) -> ed25519_dalek::VerifyingKey {
    keys::read_secret_key(&dir.join(KEY_FILE), pass)
        .unwrap()
        .verifying_key()
}
