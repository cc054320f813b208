//! One-time selective-disclosure copies in the wallet (docs/decisions.md D112): keys made in
//! the wallet, copies checked and stored with them, each shown once, and wallets written before
//! copies existed; and the unlinkability test of issue 13 at a fixed clock.
//!
//! Over 600 lines on purpose: the unlinkability test needs an issuer folder, two wallets and its
//! own small CBOR walker (to tell skeleton from data) beside the wallet's own copy tests.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;
mod link;
use common::{issuer, DAY, NOW};

use link::{linking_strings, masked};

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

fn kdf() -> KdfParams {
    KdfParams::for_tests(64)
}

fn verifier() -> Verifier {
    common::verifier().accept_missing_status(true)
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

// ---------------------------------------------------------------------------------------------
// Unlinkability, measured (issue 13, item 5): an issuer folder and wallets at a fixed clock.

/// A 256-aligned second: copies issued at it get `iat` in `T..=T + 240`, one 256-second block,
/// as every credential issued in those minutes does.
const T: i64 = 1_795_392_000;

struct Office {
    _dir: tempfile::TempDir,
    issuer: giayto_issuer::Issuer,
    key: [u8; 32],
}

fn office() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("iss");
    let pass = giayto_trust::SecretString::from("mật-khẩu-thử-1234".to_owned());
    let meta = giayto_issuer::IssuerMeta {
        id: "VN.BCA.C06".into(),
        name_vi: "Cục C06".into(),
        name_en: None,
        status_uri_prefix: None,
        list_size: None,
        registry_url: None,
    };
    giayto_issuer::init(&path, &meta, &pass, giayto_trust::keys::KdfCost::new(10)).unwrap();
    let key = giayto_trust::keys::read_public_key(&path.join("issuer.pub"))
        .unwrap()
        .to_bytes();
    let issuer = giayto_issuer::Issuer::open(&path, &pass).unwrap();
    Office {
        _dir: dir,
        issuer,
        key,
    }
}

fn office_verifier(o: &mut Office, at: i64) -> Verifier {
    let root = SigningKey::from_bytes(&[0x11; 32]);
    let list = TrustList {
        root_id: "VN.ROOT.TEST".into(),
        sequence: 1,
        issued_at: at - DAY,
        expires_at: at + 30 * DAY,
        issuers: vec![IssuerEntry {
            id: "VN.BCA.C06".into(),
            name_vi: "Cục C06".into(),
            name_en: None,
            public_key: o.key,
            doc_types: vec![1, 2, 3, 4],
            not_before: T,
            not_after: T + 365 * DAY,
            status_uri_prefix: None,
        }],
        withdrawn: Default::default(),
    }
    .sign(&root)
    .unwrap();
    let mut v = Verifier::new(root.verifying_key(), &list).unwrap();
    for l in o.issuer.publish(at, DAY, None).unwrap() {
        v.add_status_list(&l.token).unwrap();
    }
    v
}

/// Verify a presentation at `at` against the office's status lists as of then.
fn check(
    o: &mut Office,
    presentation: &[u8],
    at: i64,
) -> Result<giayto_verify::VerifiedPresentation, giayto_verify::Rejection> {
    office_verifier(o, at).verify_presentation_cose(presentation, at)
}

/// A wallet of `name` holding `card` issued at `T` with `n` one-time copies: (wallet folder,
/// path, the document's serial).
fn holder_with_copies(
    o: &mut Office,
    name: &str,
    card: &Document,
    n: usize,
) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.giayto");
    let mut w = Wallet::create(&path, name, PASSWORD, PASSCODE, kdf()).unwrap();
    let holder = w.persons().unwrap()[0].public_key();
    let keys = w.make_one_time_keys(0, n).unwrap();
    let options = giayto_issuer::IssueOptions {
        holder_key: Some(holder),
        one_time_keys: keys,
        ..giayto_issuer::IssueOptions::default()
    };
    let issued = o.issuer.issue(card, &options, T).unwrap();
    w.add_credential(&issued.cose, T).unwrap();
    let copies = issued.copies.into_iter().map(|c| c.copy).collect();
    w.attach_copies(0, copies, &o.key).unwrap();
    w.save().unwrap();
    (dir, path, issued.serial)
}

/// A selective presentation of `fields` at `at` with `nonce`, from the next one-time copy.
fn present_copy(path: &Path, fields: &[&str], at: i64, nonce: &[u8]) -> Vec<u8> {
    let mut w = Wallet::open_with_kdf(path, Unlock::Passcode(PASSCODE), at, kdf()).unwrap();
    let fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    let (p, chosen, _) = w.take_copy(0, &fields, None, at).unwrap();
    p.sign_selected(&chosen, at, Some(nonce)).unwrap()
}

/// The test issue 13 asks for. One document presented twice, to two verifiers (their own
/// nonces and times), gives two presentations that share no byte string of 8 bytes or more
/// except the issuer's (kid, name, status list uri), the format's fixed CBOR skeleton and the
/// disclosed values. The skeleton (item heads, map keys) and the disclosed values are masked,
/// differently in the two, so a shared string is 8 bytes of data in a row; the issuer's data is
/// what a presentation of another holder's card by the same issuer, showing the same fields,
/// has too. The same check finds the links of one copy shown twice (the shared copy of D98), so
/// it can fail.
#[test]
fn two_presentations_of_one_document_share_only_the_issuers_the_formats_and_the_disclosed() {
    let mut o = office();
    let card = cccd();
    let (_d1, wallet, serial) = holder_with_copies(&mut o, "Nguyễn Văn An", &card, 3);
    let fields = ["full_name", "id_number"];
    let first = present_copy(&wallet, &fields, T + 600, &[0xA1; 16]);
    let second = present_copy(&wallet, &fields, T + 7200, &[0xB2; 16]);

    // Another holder, another name of the same length, the same moment.
    let mut other = giayto_model::sample_input(DocType::Cccd);
    let name = other["full_name"].as_str().unwrap().to_owned();
    let other_name = name.split(' ').rev().collect::<Vec<_>>().join(" ");
    other["full_name"] = other_name.clone().into();
    let other = Document::from_json(DocType::Cccd, &other).unwrap();
    let (_d2, other_wallet, _) = holder_with_copies(&mut o, &other_name, &other, 1);
    let baseline = present_copy(&other_wallet, &fields, T + 600, &[0xC3; 16]);

    let shown: Vec<_> = [(&first, T + 600), (&second, T + 7200)]
        .iter()
        .map(|(p, at)| check(&mut o, p, *at).unwrap_or_else(|r| panic!("{r:?}")))
        .collect();
    let (a_claims, b_claims) = (
        shown[0].credential().claims(),
        shown[1].credential().claims(),
    );
    assert_ne!(a_claims.serial, b_claims.serial);
    assert_ne!(a_claims.serial, serial);
    assert_ne!(a_claims.holder_key, b_claims.holder_key);
    assert_ne!(a_claims.status, b_claims.status);
    assert_ne!(a_claims.issued_at, b_claims.issued_at);

    let id = card.holder_id_number().unwrap().as_bytes().to_vec();
    let values: [&[u8]; 2] = [name.as_bytes(), &id];
    let (a, b) = (masked(first, &values, 0x00), masked(second, &values, 0xFF));
    let links = linking_strings(&a, &b, &baseline);
    assert!(
        links.is_empty(),
        "shared by the two presentations only: {links:?}"
    );
    // What they do share is the issuer's and the format's (measured for docs/privacy.md).
    let shared = linking_strings(&a, &b, &[]).len();
    eprintln!(
        "{} bytes and {} bytes; 8-byte strings in common: {shared}, all also in the other holder's",
        a.len(),
        b.len()
    );
    assert!(shared > 0);

    // The control: one copy shown twice (the shared copy of D98) is linked at once.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.giayto");
    let mut w = Wallet::create(&path, "Nguyễn Văn An", PASSWORD, PASSCODE, kdf()).unwrap();
    let holder = w.persons().unwrap()[0].public_key();
    let options = giayto_issuer::IssueOptions {
        holder_key: Some(holder),
        ..giayto_issuer::IssueOptions::default()
    };
    let issued = o.issuer.issue(&card, &options, T).unwrap();
    let shared_copy = o.issuer.sign_sd(&card, &issued).unwrap();
    w.add_credential(&issued.cose, T).unwrap();
    w.attach_sd(0, shared_copy, &o.key).unwrap();
    let p = w.presenter(0).unwrap();
    let fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    let chosen = p.select(&fields, None).unwrap();
    let x = p
        .sign_selected(&chosen, T + 600, Some(&[0xA1; 16]))
        .unwrap();
    let y = p
        .sign_selected(&chosen, T + 7200, Some(&[0xB2; 16]))
        .unwrap();
    let links = linking_strings(
        &masked(x, &values, 0x00),
        &masked(y, &values, 0xFF),
        &baseline,
    );
    assert!(
        links.len() > 16,
        "serial, holder key, salts, root, signature: {links:?}"
    );
}

/// Revoking the document: every copy's presentation, made before or after, verifies `revoked`.
#[test]
fn revoking_the_document_revokes_every_copys_presentation() {
    let mut o = office();
    let (_d, wallet, serial) = holder_with_copies(&mut o, "Nguyễn Văn An", &cccd(), 3);
    let before = present_copy(&wallet, &["full_name"], T + 700, &[1; 8]);
    assert!(check(&mut o, &before, T + 701).is_ok());
    o.issuer
        .change_status(
            &giayto_issuer::registry::Target::Serial(serial),
            giayto_issuer::registry::Action::Revoke,
            "mất thẻ",
            T + 710,
        )
        .unwrap();
    let after = present_copy(&wallet, &["full_name"], T + 720, &[2; 8]);
    for p in [&before, &after] {
        let r = check(&mut o, p, T + 730).unwrap_err();
        assert_eq!(r.verdict, giayto_verify::Verdict::Revoked, "{r:?}");
    }
}
