//! One-time selective-disclosure copies in the wallet (docs/decisions.md D112): keys made in
//! the wallet, copies checked and stored with them, each shown once, and wallets written before
//! copies existed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use giayto_cose::claims::StatusRef;
use giayto_cose::sd::HolderCopy;
use giayto_issuer::credential::{sign_credential, CredentialRequest};
use giayto_model::{DocType, Document};
use giayto_trust::{IssuerEntry, TrustList};
use giayto_verify::Verifier;
use giayto_wallet::{KdfParams, Unlock, Wallet, WalletError};

const PASSWORD: &str = "Ví-giấy-tờ-2026";
const PASSCODE: &str = "246810";
const NOW: i64 = 1_795_392_000;
const DAY: i64 = 86_400;

fn kdf() -> KdfParams {
    KdfParams::for_tests(64)
}

fn issuer() -> SigningKey {
    SigningKey::from_bytes(&[0x22; 32])
}

fn verifier() -> Verifier {
    let root = SigningKey::from_bytes(&[0x11; 32]);
    let list = TrustList {
        root_id: "VN.ROOT.TEST".into(),
        sequence: 1,
        issued_at: NOW - DAY,
        expires_at: NOW + 30 * DAY,
        issuers: vec![IssuerEntry {
            id: "VN.BCA.C06".into(),
            name_vi: "Cục C06".into(),
            name_en: None,
            public_key: issuer().verifying_key().to_bytes(),
            doc_types: vec![1, 2, 3, 4],
            not_before: NOW - 365 * DAY,
            not_after: NOW + 365 * DAY,
            status_uri_prefix: None,
        }],
    }
    .sign(&root)
    .unwrap();
    Verifier::new(root.verifying_key(), &list)
        .unwrap()
        .accept_missing_status(true)
}

fn request(doc: &Document, serial: Vec<u8>, key: [u8; 32], exp: i64) -> CredentialRequest<'_> {
    let idx = u64::from(serial[0]);
    CredentialRequest {
        document: doc,
        serial,
        issued_at: NOW - DAY,
        not_before: None,
        expires_at: exp,
        holder_key: Some(key),
        assurance_level: 2,
        status: Some(StatusRef {
            idx,
            uri: "https://giayto.example/st/VN.BCA.C06/1".into(),
        }),
    }
}

fn cccd() -> Document {
    Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd)).unwrap()
}

/// The full credential bound to `holder`.
fn full(doc: &Document, holder: [u8; 32]) -> Vec<u8> {
    sign_credential(
        &issuer(),
        "VN.BCA.C06",
        &request(doc, vec![1; 10], holder, NOW + 365 * DAY),
    )
    .unwrap()
}

/// One-time copies of `doc`, one per key, serials `[first + i; 10]`, expiring at `exp`.
fn copies(doc: &Document, keys: &[[u8; 32]], first: u8, exp: i64) -> Vec<HolderCopy> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            giayto_issuer::sd::sign_sd_credential(
                &issuer(),
                "VN.BCA.C06",
                &request(doc, vec![first + i as u8; 10], *key, exp),
                &mut |b: &mut [u8]| getrandom::getrandom(b).is_ok(),
            )
            .unwrap()
        })
        .collect()
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

/// A wallet with the CCCD stored (index 0) and `n` one-time keys made for the holder.
fn wallet_with_keys(n: usize) -> (Fixture, Vec<[u8; 32]>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.giayto");
    let mut w = Wallet::create(&path, "Nguyễn Văn An", PASSWORD, PASSCODE, kdf()).unwrap();
    let holder = w.persons().unwrap()[0].public_key();
    w.add_credential(&full(&cccd(), holder), NOW).unwrap();
    let keys = w.make_one_time_keys(0, n).unwrap();
    w.save().unwrap();
    (Fixture { _dir: dir, path }, keys)
}

fn open(path: &Path) -> Wallet {
    Wallet::open_with_kdf(path, Unlock::Passcode(PASSCODE), NOW, kdf()).unwrap()
}

fn serial_of(presentation: &[u8]) -> Vec<u8> {
    let shown = verifier()
        .verify_presentation_cose(presentation, NOW)
        .unwrap();
    shown.credential().claims().serial.clone()
}

#[test]
fn keys_are_made_in_the_wallet_and_copies_attach_only_to_them() {
    let (f, keys) = wallet_with_keys(3);
    assert_eq!(keys.len(), 3);
    let mut w = open(&f.path);
    assert_eq!(w.pending_keys(0).unwrap(), 3);
    let holder = w.persons().unwrap()[0].public_key();
    assert!(!keys.contains(&holder));
    for bad in [0, giayto_cose::copies::MAX_COPIES + 1] {
        assert!(matches!(
            w.make_one_time_keys(0, bad),
            Err(WalletError::CopyCount { max: 100 })
        ));
    }
    let issuer_key = issuer().verifying_key().to_bytes();
    let doc = cccd();
    let good = copies(&doc, &keys, 0x10, NOW + 365 * DAY);
    // A copy for a key the wallet never made, or bound to the holder's own key: refused, and
    // none of the batch is stored.
    let mut stranger = good.clone();
    stranger.extend(copies(&doc, &[[0x5A; 32]], 0x20, NOW + 365 * DAY));
    assert!(matches!(
        w.attach_copies(0, stranger, &issuer_key),
        Err(WalletError::CopyKeyUnknown)
    ));
    let own = copies(&doc, &[holder], 0x21, NOW + 365 * DAY);
    assert!(matches!(
        w.attach_copies(0, own, &issuer_key),
        Err(WalletError::SdMismatch)
    ));
    // Another issuer key, or another card's data.
    assert!(matches!(
        w.attach_copies(0, good.clone(), &[0x33; 32]),
        Err(WalletError::SdMismatch)
    ));
    let gplx =
        Document::from_json(DocType::Gplx, &giayto_model::sample_input(DocType::Gplx)).unwrap();
    assert!(matches!(
        w.attach_copies(0, copies(&gplx, &keys[..1], 0x22, NOW + DAY), &issuer_key),
        Err(WalletError::SdMismatch)
    ));
    assert!(!w.credentials().unwrap()[0].uses_one_time_copies());
    assert_eq!(w.pending_keys(0).unwrap(), 3);

    assert_eq!(w.attach_copies(0, good.clone(), &issuer_key).unwrap(), 3);
    assert_eq!(w.pending_keys(0).unwrap(), 0);
    // The same copies again: their keys are no longer waiting.
    assert!(matches!(
        w.attach_copies(0, good, &issuer_key),
        Err(WalletError::CopyKeyUnknown)
    ));
    w.save().unwrap();
    drop(w);
    let w = open(&f.path);
    let c = &w.credentials().unwrap()[0];
    assert!(c.uses_one_time_copies());
    assert_eq!((c.copies_left(NOW), c.copies_used()), (3, 0));
    // Debug output names copies by serial, never by key.
    let debug = format!("{c:?}");
    assert!(debug.contains("1010101010"), "{debug}");
}

#[test]
fn each_copy_is_shown_once_written_away_first_and_none_left_is_a_clear_refusal() {
    let (f, keys) = wallet_with_keys(3);
    let mut w = open(&f.path);
    let issuer_key = issuer().verifying_key().to_bytes();
    w.attach_copies(
        0,
        copies(&cccd(), &keys, 0x10, NOW + 365 * DAY),
        &issuer_key,
    )
    .unwrap();
    w.save().unwrap();
    drop(w);
    let fields = ["full_name".to_owned()];
    let mut serials = Vec::new();
    for expected_left in [2, 1, 0] {
        let before = std::fs::read(&f.path).unwrap();
        let mut w = open(&f.path);
        // A look changes nothing and names the copy that will be taken.
        let (peek, _, left) = w.peek_copy(0, &fields, None, NOW).unwrap();
        assert_eq!(left, expected_left);
        assert_eq!(std::fs::read(&f.path).unwrap(), before);
        let (p, chosen, left) = w.take_copy(0, &fields, None, NOW).unwrap();
        assert_eq!(left, expected_left);
        assert_eq!(
            p.select(&fields, None).unwrap(),
            peek.select(&fields, None).unwrap()
        );
        // Written away before the presentation exists.
        assert_ne!(std::fs::read(&f.path).unwrap(), before);
        drop(w);
        assert_eq!(
            open(&f.path).credentials().unwrap()[0].copies_left(NOW),
            expected_left
        );
        let vp = p.sign_selected(&chosen, NOW, Some(&[7; 8])).unwrap();
        // A copy's presenter never signs the full credential (its key is not the card's).
        assert!(matches!(p.sign(NOW, None), Err(WalletError::OtherHolder)));
        assert!(p.is_one_time());
        serials.push(serial_of(&vp));
    }
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 3, "three presentations, three serials");
    let mut w = open(&f.path);
    let before = std::fs::read(&f.path).unwrap();
    assert!(matches!(
        w.take_copy(0, &fields, None, NOW),
        Err(WalletError::NoCopiesLeft)
    ));
    assert!(matches!(
        w.peek_copy(0, &fields, None, NOW),
        Err(WalletError::NoCopiesLeft)
    ));
    assert_eq!(std::fs::read(&f.path).unwrap(), before);
    let c = &w.credentials().unwrap()[0];
    assert!(c.uses_one_time_copies());
    assert_eq!(c.copies_used(), 3);
    // The shared-copy path does not stand in for used-up copies.
    assert!(matches!(
        w.presenter(0).unwrap().select(&fields, None),
        Err(WalletError::NoSdCopy)
    ));
}

#[test]
fn expired_copies_are_skipped_and_a_copy_that_can_answer_is_chosen() {
    let (f, keys) = wallet_with_keys(3);
    let mut w = open(&f.path);
    let issuer_key = issuer().verifying_key().to_bytes();
    let doc = cccd();
    let mut all = copies(&doc, &keys[..1], 0x10, NOW + 10);
    all.extend(copies(&doc, &keys[1..], 0x11, NOW + 365 * DAY));
    w.attach_copies(0, all, &issuer_key).unwrap();
    assert_eq!(w.credentials().unwrap()[0].copies_left(NOW + 10), 2);
    // Refusals of the request are the card's, not "none left".
    assert!(matches!(
        w.peek_copy(0, &["shoe_size".into()], None, NOW + 10),
        Err(WalletError::UnknownField(_))
    ));
    let (p, chosen, left) = w
        .take_copy(0, &["id_number".into()], None, NOW + 10)
        .unwrap();
    assert_eq!(left, 1);
    let vp = p.sign_selected(&chosen, NOW, None).unwrap();
    assert_eq!(serial_of(&vp), vec![0x11; 10]);
    // The expired copy went with it.
    drop(w);
    let w = open(&f.path);
    assert_eq!(w.credentials().unwrap()[0].copies_left(0), 1);
}

#[test]
fn copies_and_waiting_keys_survive_export_and_import() {
    let (f, keys) = wallet_with_keys(4);
    let mut w = Wallet::open_with_kdf(&f.path, Unlock::Password(PASSWORD), NOW, kdf()).unwrap();
    w.attach_copies(
        0,
        copies(&cccd(), &keys[..2], 0x10, NOW + 365 * DAY),
        &issuer().verifying_key().to_bytes(),
    )
    .unwrap();
    w.save().unwrap();
    let backup = w.export(PASSWORD).unwrap();
    drop(w);
    let restored = f.path.with_file_name("restored.giayto");
    let w = Wallet::import(&restored, &backup, PASSWORD, "135790", kdf()).unwrap();
    assert_eq!(w.credentials().unwrap()[0].copies_left(NOW), 2);
    assert_eq!(w.pending_keys(0).unwrap(), 2);
}

/// A wallet written by the release before one-time copies (test data committed from that
/// release): it opens with the password and the passcode, its shared copy still presents, and
/// it takes one-time keys and copies and is written back in the new form.
#[test]
fn a_wallet_of_the_previous_release_opens_presents_and_takes_copies() {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let path = dir.path().join("previous-release.giayto");
    for suffix in ["", ".device"] {
        std::fs::copy(
            data.join(format!("previous-release.giayto{suffix}")),
            dir.path().join(format!("previous-release.giayto{suffix}")),
        )
        .unwrap();
    }
    let w = open(&path);
    let names: Vec<&str> = w
        .persons()
        .unwrap()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Nguyễn Văn An", "Nguyễn Thị Bình"]);
    let stored = w.credentials().unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored[0].sd.is_some());
    assert!(stored[1].sd.is_none());
    assert!(!stored[0].uses_one_time_copies());
    let p = w.presenter(0).unwrap();
    let chosen = p.select(&["full_name".into()], None).unwrap();
    let vp = p.sign_selected(&chosen, NOW, None).unwrap();
    assert_eq!(serial_of(&vp), vec![1; 10]);
    drop(w);

    let mut w = Wallet::open_with_kdf(&path, Unlock::Password(PASSWORD), NOW, kdf()).unwrap();
    let keys = w.make_one_time_keys(0, 2).unwrap();
    let doc = cccd();
    w.attach_copies(
        0,
        copies(&doc, &keys, 0x30, NOW + 365 * DAY),
        &issuer().verifying_key().to_bytes(),
    )
    .unwrap();
    w.save().unwrap();
    drop(w);
    let w = open(&path);
    let stored = &w.credentials().unwrap()[0];
    assert_eq!(stored.copies_left(NOW), 2);
    // The linkable shared copy gave way to the one-time copies.
    assert!(stored.sd.is_none());
}
