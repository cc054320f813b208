//! The wallet as a library: secrets, attempts, lock, dependents, presentations, durability.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;
use common::verifier;
use common::{issuer, DAY, NOW};

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use giayto_cose::text::{self, Kind};
use giayto_issuer::credential::{sign_credential, CredentialRequest};
use giayto_model::{DocType, Document};
use giayto_verify::{Reason, Verdict};
use giayto_wallet::{
    passcode_delay, storage, KdfParams, Unlock, Wallet, WalletError, MAX_PASSCODE_ATTEMPTS,
};

const PASSWORD: &str = "Ví-giấy-tờ-2026";
const PASSCODE: &str = "246810";

fn kdf() -> KdfParams {
    KdfParams::for_tests(64)
}

/// A credential of `t` bound to `holder` (or to no key), with serial number `n`.
fn credential(t: DocType, holder: Option<[u8; 32]>, n: u8) -> Vec<u8> {
    let doc = Document::from_json(t, &giayto_model::sample_input(t)).unwrap();
    let request = CredentialRequest {
        document: &doc,
        serial: vec![n; 10],
        issued_at: NOW - DAY,
        not_before: None,
        expires_at: NOW + 365 * DAY,
        holder_key: holder,
        assurance_level: 2,
        status: None,
    };
    sign_credential(&issuer(), "VN.BCA.C06", &request).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.giayto");
    Wallet::create(&path, "Nguyễn Văn An", PASSWORD, PASSCODE, kdf()).unwrap();
    Fixture { _dir: dir, path }
}

fn open(path: &Path, unlock: Unlock<'_>, now: i64) -> Result<Wallet, WalletError> {
    Wallet::open_with_kdf(path, unlock, now, kdf())
}

fn holder_key(path: &Path) -> [u8; 32] {
    open(path, Unlock::Password(PASSWORD), NOW)
        .unwrap()
        .persons()
        .unwrap()[0]
        .public_key()
}

#[test]
fn create_refuses_weak_passwords_bad_passcodes_and_existing_wallets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w");
    for weak in [
        "short1!A",
        "alllowercase1!",
        "NoDigits!!",
        "NoSpecial123",
        "Ab1!",
    ] {
        let r = Wallet::create(&path, "A", weak, PASSCODE, kdf());
        if weak == "short1!A" {
            assert!(r.is_ok(), "8 characters is enough");
            std::fs::remove_file(&path).unwrap();
            continue;
        }
        assert!(matches!(r, Err(WalletError::WeakPassword(_))), "{weak}");
    }
    for bad in ["12345", "1234567", "12a456"] {
        assert!(matches!(
            Wallet::create(&path, "A", PASSWORD, bad, kdf()),
            Err(WalletError::BadPasscodeFormat)
        ));
    }
    assert!(!path.exists(), "nothing written for refused input");
    Wallet::create(&path, "A", PASSWORD, PASSCODE, kdf()).unwrap();
    assert!(matches!(
        Wallet::create(&path, "B", PASSWORD, PASSCODE, kdf()),
        Err(WalletError::Exists { .. })
    ));
}

#[test]
fn files_are_owner_only_and_reveal_no_names_keys_or_documents() {
    let f = fixture();
    let cose = credential(DocType::Gplx, Some(holder_key(&f.path)), 1);
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    w.add_credential(&cose, NOW).unwrap();
    w.save().unwrap();
    let raw = std::fs::read(&f.path).unwrap();
    drop(w);
    for needle in [
        "Nguyễn Văn An".as_bytes(),
        &holder_key(&f.path),
        &cose[20..60],
        giayto_model::sample_input(DocType::Gplx)["full_name"]
            .as_str()
            .unwrap()
            .as_bytes(),
    ] {
        assert!(!raw.windows(needle.len()).any(|w| w == needle));
    }
    #[cfg(unix)]
    for p in [
        f.path.clone(),
        storage::device_path(&f.path),
        storage::lock_path(&f.path),
    ] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
}

#[test]
fn wrong_password_changes_nothing() {
    let f = fixture();
    let before = std::fs::read(&f.path).unwrap();
    for wrong in ["Ví-giấy-tờ-2027", "", "x"] {
        assert!(matches!(
            open(&f.path, Unlock::Password(wrong), NOW),
            Err(WalletError::WrongPassword)
        ));
    }
    assert_eq!(std::fs::read(&f.path).unwrap(), before);
}

#[test]
fn wrong_passcode_only_counts_and_delays_grow() {
    let f = fixture();
    let before = std::fs::read(&f.path).unwrap();
    let body_tail = before[before.len() - 64..].to_vec();
    assert!(matches!(
        open(&f.path, Unlock::Passcode("000000"), NOW),
        Err(WalletError::WrongPasscode { remaining }) if remaining == MAX_PASSCODE_ATTEMPTS - 1
    ));
    let after = std::fs::read(&f.path).unwrap();
    assert_ne!(after, before, "the attempt is recorded");
    assert_eq!(
        after[after.len() - 64..],
        body_tail[..],
        "the encrypted body is untouched"
    );
    assert_eq!(giayto_wallet::status(&f.path).unwrap().failures, 1);
    // A second wrong one, at once: one wrong passcode asks for no wait.
    assert!(matches!(
        open(&f.path, Unlock::Passcode("111111"), NOW),
        Err(WalletError::WrongPasscode { remaining }) if remaining == MAX_PASSCODE_ATTEMPTS - 2
    ));
    // Two wrong: the next try must wait, and waiting changes nothing in the file.
    let wait = passcode_delay(2);
    assert!(wait > 0 && passcode_delay(3) > wait && passcode_delay(4) > passcode_delay(3));
    let before_wait = std::fs::read(&f.path).unwrap();
    assert!(matches!(
        open(&f.path, Unlock::Passcode(PASSCODE), NOW + wait - 1),
        Err(WalletError::PasscodeWait { seconds: 1 })
    ));
    assert_eq!(std::fs::read(&f.path).unwrap(), before_wait);
    // After the wait, the right passcode opens and clears the count.
    let w = open(&f.path, Unlock::Passcode(PASSCODE), NOW + wait).unwrap();
    assert!(!w.opened_with_password());
    drop(w);
    assert_eq!(giayto_wallet::status(&f.path).unwrap().failures, 0);
}

#[test]
fn a_malformed_passcode_is_refused_without_counting_a_try_or_writing() {
    let f = fixture();
    // One real wrong try first, so that a wrongly counted one would show in the count.
    assert!(matches!(
        open(&f.path, Unlock::Passcode("000000"), NOW),
        Err(WalletError::WrongPasscode { .. })
    ));
    let before = std::fs::read(&f.path).unwrap();
    for bad in [
        "",
        "12",
        "12345",
        "1234567",
        "12345a",
        "١٢٣٤٥٦",
        " 24681",
        "246810\n",
    ] {
        assert!(
            matches!(
                open(&f.path, Unlock::Passcode(bad), NOW),
                Err(WalletError::BadPasscodeFormat)
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        std::fs::read(&f.path).unwrap(),
        before,
        "the file is unchanged"
    );
    assert_eq!(giayto_wallet::status(&f.path).unwrap().failures, 1);
    // Even during the wait after wrong tries, and on a locked wallet, it is refused the same
    // way and changes nothing.
    assert!(matches!(
        open(&f.path, Unlock::Passcode("111111"), NOW),
        Err(WalletError::WrongPasscode { .. })
    ));
    Wallet::lock(&f.path).unwrap();
    let locked = std::fs::read(&f.path).unwrap();
    assert!(matches!(
        open(&f.path, Unlock::Passcode("99"), NOW),
        Err(WalletError::BadPasscodeFormat)
    ));
    assert_eq!(std::fs::read(&f.path).unwrap(), locked);
    // The password unlocks it and clears the count; the right passcode opens it again.
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    w.unlock().unwrap();
    drop(w);
    assert!(open(&f.path, Unlock::Passcode(PASSCODE), NOW).is_ok());
}

#[test]
fn too_many_wrong_passcodes_disable_it_until_the_password() {
    let f = fixture();
    let mut t = NOW;
    for i in 1..=MAX_PASSCODE_ATTEMPTS {
        let r = open(&f.path, Unlock::Passcode("999999"), t);
        assert!(
            matches!(r, Err(WalletError::WrongPasscode { remaining }) if remaining == MAX_PASSCODE_ATTEMPTS - i)
        );
        t += passcode_delay(i);
    }
    let status = giayto_wallet::status(&f.path).unwrap();
    assert!(!status.passcode_available);
    // Even the right passcode no longer opens it: its key slot is gone from the file.
    assert!(matches!(
        open(&f.path, Unlock::Passcode(PASSCODE), t + DAY),
        Err(WalletError::PasscodeUnavailable)
    ));
    drop(open(&f.path, Unlock::Password(PASSWORD), t + DAY).unwrap());
    assert!(open(&f.path, Unlock::Passcode(PASSCODE), t + DAY).is_ok());
}

#[test]
fn lock_hides_everything_until_the_password_unlocks() {
    let f = fixture();
    let cose = credential(DocType::Gplx, Some(holder_key(&f.path)), 1);
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    w.add_credential(&cose, NOW).unwrap();
    w.save().unwrap();
    drop(w);

    Wallet::lock(&f.path).unwrap();
    assert!(giayto_wallet::status(&f.path).unwrap().locked);
    assert!(matches!(
        open(&f.path, Unlock::Passcode(PASSCODE), NOW),
        Err(WalletError::Locked)
    ));
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    assert!(w.is_locked());
    assert!(matches!(w.persons(), Err(WalletError::Locked)));
    assert!(matches!(w.credentials(), Err(WalletError::Locked)));
    assert!(matches!(w.present(0, NOW, None), Err(WalletError::Locked)));
    assert!(matches!(w.presenter(0), Err(WalletError::Locked)));
    assert!(matches!(
        w.add_credential(&cose, NOW),
        Err(WalletError::Locked)
    ));
    w.unlock().unwrap();
    drop(w);
    let w = open(&f.path, Unlock::Passcode(PASSCODE), NOW).unwrap();
    assert_eq!(w.credentials().unwrap().len(), 1);
    assert!(w.present(0, NOW, None).is_ok());
}

#[test]
fn the_passcode_cannot_change_the_wallet() {
    let f = fixture();
    let mut w = open(&f.path, Unlock::Passcode(PASSCODE), NOW).unwrap();
    assert!(matches!(
        w.add_dependent("Bình", "con"),
        Err(WalletError::PasswordRequired)
    ));
    assert!(matches!(
        w.change_password("Mật-khẩu-Mới-1"),
        Err(WalletError::PasswordRequired)
    ));
    assert!(matches!(
        w.export(PASSWORD),
        Err(WalletError::PasswordRequired)
    ));
    assert!(matches!(w.unlock(), Err(WalletError::PasswordRequired)));
    assert!(matches!(
        w.remove_credential(0),
        Err(WalletError::PasswordRequired)
    ));
}

#[test]
fn credentials_go_to_the_person_their_cnf_names() {
    let f = fixture();
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    let child = w.add_dependent("Nguyễn Thị Bình", "con").unwrap();
    assert!(matches!(
        w.add_dependent(" Nguyễn Thị Bình ", "con"),
        Err(WalletError::PersonExists)
    ));
    assert!(matches!(
        w.add_dependent("", "con"),
        Err(WalletError::BadName)
    ));
    let holder = w.persons().unwrap()[0].public_key();
    let child_key = w.persons().unwrap()[child].public_key();
    assert_ne!(holder, child_key);
    assert_eq!(
        w.add_credential(&credential(DocType::Gplx, Some(holder), 1), NOW)
            .unwrap(),
        0
    );
    assert_eq!(
        w.add_credential(&credential(DocType::Bhyt, Some(child_key), 2), NOW)
            .unwrap(),
        child
    );
    assert!(matches!(
        w.add_credential(&credential(DocType::Gplx, Some(holder), 1), NOW),
        Err(WalletError::Duplicate)
    ));
    assert!(matches!(
        w.add_credential(&credential(DocType::Cccd, None, 3), NOW),
        Err(WalletError::NotBound)
    ));
    let stranger = SigningKey::from_bytes(&[0x66; 32])
        .verifying_key()
        .to_bytes();
    assert!(matches!(
        w.add_credential(&credential(DocType::Cccd, Some(stranger), 4), NOW),
        Err(WalletError::OtherHolder)
    ));
    assert!(matches!(
        w.add_credential(b"not a credential", NOW),
        Err(WalletError::Credential)
    ));
    w.save().unwrap();
    drop(w);

    // Survives a reopen; lookups by person and type.
    let w = open(&f.path, Unlock::Passcode(PASSCODE), NOW).unwrap();
    assert_eq!(w.credentials().unwrap().len(), 2);
    let bhyt = DocType::Bhyt.code();
    assert!(matches!(
        w.find(Some(0), Some(bhyt), None),
        Err(WalletError::NoSuchCredential)
    ));
    let i = w.find(Some(child), Some(bhyt), None).unwrap();
    assert_eq!(w.credentials().unwrap()[i].person, child);
    assert!(matches!(
        w.find(None, None, None),
        Err(WalletError::Ambiguous)
    ));
    assert_eq!(w.find(None, None, Some("0202")).unwrap(), i);
    assert!(matches!(
        w.person_index(Some("Không Có")),
        Err(WalletError::NoSuchPerson(_))
    ));
}

fn present_text(w: &Wallet, index: usize, at: i64, nonce: Option<&[u8]>) -> String {
    text::encode(
        Kind::Presentation,
        &w.present(index, at, nonce).unwrap(),
        None,
    )
}

#[test]
fn presentations_verify_fresh_and_not_when_replayed_for_holder_and_dependent() {
    let f = fixture();
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    let child = w.add_dependent("Nguyễn Thị Bình", "con").unwrap();
    let holder = w.persons().unwrap()[0].public_key();
    let child_key = w.persons().unwrap()[child].public_key();
    w.add_credential(&credential(DocType::Gplx, Some(holder), 1), NOW)
        .unwrap();
    w.add_credential(&credential(DocType::Bhyt, Some(child_key), 2), NOW)
        .unwrap();
    let v = verifier();
    for (index, doc) in [(0, DocType::Gplx), (1, DocType::Bhyt)] {
        let qr = present_text(&w, index, NOW, None);
        assert!(qr.starts_with("VP1:"));
        let ok = v.verify(&qr, NOW + 5).unwrap();
        assert_eq!(ok.doc_type(), doc);
        // The same text shown again after the window: a replay.
        for later in [NOW + 121, NOW + 3600] {
            let r = v.verify(&qr, later).unwrap_err();
            assert_eq!(r.verdict, Verdict::StalePresentation);
            assert!(matches!(r.reason, Reason::PresentationTime { .. }));
        }
        assert!(v.verify(&qr, NOW + 120).is_ok());
        assert!(v.verify(&qr, NOW - 120).is_ok());
        assert_eq!(
            v.verify(&qr, NOW - 121).unwrap_err().verdict,
            Verdict::StalePresentation
        );
        // A narrower window from the builder.
        let strict = verifier().with_presentation_window(10);
        assert_eq!(
            strict.verify(&qr, NOW + 11).unwrap_err().verdict,
            Verdict::StalePresentation
        );
    }
    // Nonce: required and matching, required and different, required and absent.
    let nonce = [0xA5u8; 16];
    let with = present_text(&w, 0, NOW, Some(&nonce));
    let without = present_text(&w, 0, NOW, None);
    let v = verifier().with_expected_nonce(Some(nonce.to_vec()));
    assert!(v.verify(&with, NOW).is_ok());
    assert!(matches!(
        v.verify(&without, NOW).unwrap_err().reason,
        Reason::NonceMismatch { present: false }
    ));
    let other = verifier().with_expected_nonce(Some(vec![1, 2, 3]));
    let r = other.verify(&with, NOW).unwrap_err();
    assert_eq!(r.verdict, Verdict::StalePresentation);
    assert!(matches!(r.reason, Reason::NonceMismatch { present: true }));
    assert!(matches!(
        w.present(0, NOW, Some(&[])),
        Err(WalletError::BadNonce)
    ));
    assert!(matches!(
        w.present(0, NOW, Some(&[0; 65])),
        Err(WalletError::BadNonce)
    ));
}

#[test]
fn a_copied_credential_cannot_be_presented_by_another_wallet() {
    // Someone copies the holder's VN1: text into their own wallet: refused (other holder);
    // and a presentation they sign with their own key does not verify.
    let f = fixture();
    let holder = holder_key(&f.path);
    let cose = credential(DocType::Gplx, Some(holder), 1);
    let thief_dir = tempfile::tempdir().unwrap();
    let thief_path = thief_dir.path().join("t");
    let mut thief = Wallet::create(&thief_path, "Kẻ Gian", PASSWORD, PASSCODE, kdf()).unwrap();
    assert!(matches!(
        thief.add_credential(&cose, NOW),
        Err(WalletError::OtherHolder)
    ));
    let thief_key = SigningKey::from_bytes(&[0x77; 32]);
    let payload = giayto_cose::presentation::PresentationPayload {
        credential: cose,
        issued_at: NOW,
        nonce: None,
        disclosures: None,
        request: None,
    };
    let forged = giayto_cose::sign1::sign(
        &thief_key,
        giayto_cose::PRESENTATION_TYP,
        payload.to_bytes(),
    )
    .unwrap();
    let r = verifier()
        .verify(&text::encode(Kind::Presentation, &forged, None), NOW)
        .unwrap_err();
    assert_eq!(r.verdict, Verdict::BadSignature);
    assert!(matches!(r.reason, Reason::HolderSignature));
}

#[test]
fn change_password_keeps_the_passcode_and_contents() {
    let f = fixture();
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    assert!(matches!(
        w.change_password("weak"),
        Err(WalletError::WeakPassword(_))
    ));
    w.change_password("Mật-khẩu-Mới-9").unwrap();
    drop(w);
    assert!(matches!(
        open(&f.path, Unlock::Password(PASSWORD), NOW),
        Err(WalletError::WrongPassword)
    ));
    assert!(open(&f.path, Unlock::Password("Mật-khẩu-Mới-9"), NOW).is_ok());
    assert!(open(&f.path, Unlock::Passcode(PASSCODE), NOW).is_ok());
}

#[test]
fn export_and_import_restore_everything_with_a_new_passcode() {
    let f = fixture();
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    let child = w.add_dependent("Nguyễn Thị Bình", "con").unwrap();
    let child_key = w.persons().unwrap()[child].public_key();
    w.add_credential(&credential(DocType::Bhyt, Some(child_key), 2), NOW)
        .unwrap();
    w.save().unwrap();
    assert!(matches!(
        w.export("Sai-mật-khẩu-1"),
        Err(WalletError::WrongPassword)
    ));
    let backup = w.export(PASSWORD).unwrap();
    drop(w);

    let dir = tempfile::tempdir().unwrap();
    let restored = dir.path().join("r");
    assert!(matches!(
        Wallet::import(&restored, &backup, "Sai-mật-khẩu-1", "135790", kdf()),
        Err(WalletError::WrongPassword)
    ));
    assert!(!restored.exists());
    assert!(matches!(
        Wallet::import(&restored, b"garbage", PASSWORD, "135790", kdf()),
        Err(WalletError::Format { .. })
    ));
    let w = Wallet::import(&restored, &backup, PASSWORD, "135790", kdf()).unwrap();
    drop(w);
    assert!(matches!(
        open(&restored, Unlock::Passcode(PASSCODE), NOW),
        Err(WalletError::WrongPasscode { .. })
    ));
    let w = open(&restored, Unlock::Passcode("135790"), NOW).unwrap();
    assert_eq!(w.persons().unwrap()[child].public_key(), child_key);
    let qr = present_text(&w, 0, NOW, None);
    assert!(verifier().verify(&qr, NOW).is_ok());
}

#[test]
fn passcode_needs_the_device_secret() {
    let f = fixture();
    std::fs::remove_file(storage::device_path(&f.path)).unwrap();
    let before = std::fs::read(&f.path).unwrap();
    assert!(matches!(
        open(&f.path, Unlock::Passcode(PASSCODE), NOW),
        Err(WalletError::PasscodeUnavailable)
    ));
    assert_eq!(std::fs::read(&f.path).unwrap(), before);
    assert!(open(&f.path, Unlock::Password(PASSWORD), NOW).is_ok());
}

#[test]
fn damaged_or_foreign_files_are_refused_without_panic() {
    let f = fixture();
    let good = std::fs::read(&f.path).unwrap();
    let mut cases: Vec<Vec<u8>> = vec![
        vec![],
        b"hello".to_vec(),
        // Lengths far beyond the input: a byte string, an array, a map.
        vec![0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        vec![0x9B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        vec![0xBB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
    ];
    // Every single-byte change in the body ciphertext region is caught by the AEAD.
    for pos in [good.len() - 1, good.len() - 20, good.len() - 40] {
        let mut b = good.clone();
        b[pos] ^= 0x01;
        cases.push(b);
    }
    // A file asking for a huge Argon2 memory cost is refused before allocating.
    let mut v: ciborium::Value = ciborium::de::from_reader(&good[..]).unwrap();
    if let ciborium::Value::Map(m) = &mut v {
        for (k, val) in m.iter_mut() {
            if k.as_integer() == Some(2.into()) {
                *val = ciborium::Value::Array(vec![u32::MAX.into(), 1.into(), 1.into()]);
            }
        }
    }
    let mut huge = Vec::new();
    ciborium::ser::into_writer(&v, &mut huge).unwrap();
    cases.push(huge);
    // Deleting the attempt counter or the lock flag does not reset them: the file is refused.
    for key in [5, 6, 7] {
        let mut v: ciborium::Value = ciborium::de::from_reader(&good[..]).unwrap();
        if let ciborium::Value::Map(m) = &mut v {
            m.retain(|(k, _)| k.as_integer() != Some(key.into()));
        }
        let mut b = Vec::new();
        ciborium::ser::into_writer(&v, &mut b).unwrap();
        cases.insert(0, b);
    }
    for (i, bytes) in cases.iter().enumerate() {
        std::fs::write(&f.path, bytes).unwrap();
        for unlock in [Unlock::Password(PASSWORD), Unlock::Passcode(PASSCODE)] {
            match open(&f.path, unlock, NOW) {
                Err(WalletError::Format { .. }) => {}
                Err(WalletError::WrongPassword) | Err(WalletError::WrongPasscode { .. })
                    if i >= 10 => {}
                other => panic!("case {i}: {:?}", other.map(|_| ())),
            }
        }
    }
}

#[test]
fn concurrent_writers_serialise_on_the_lock() {
    let f = fixture();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let path = f.path.clone();
            std::thread::spawn(move || {
                let mut w = open(&path, Unlock::Password(PASSWORD), NOW).unwrap();
                w.add_dependent(&format!("Người {i}"), "con").unwrap();
                w.save().unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    let names: Vec<&str> = w
        .persons()
        .unwrap()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    for i in 0..4 {
        assert!(names.contains(&format!("Người {i}").as_str()), "{names:?}");
    }
}

#[test]
fn names_are_bounded_and_the_wallet_has_limits() {
    let f = fixture();
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    let long = "A".repeat(giayto_wallet::MAX_NAME_CHARS + 1);
    for (name, rel) in [
        ("Bì\nnh", "con"),
        (long.as_str(), "con"),
        ("Bình", "  "),
        ("Bình", "c\u{7}"),
    ] {
        assert!(
            matches!(w.add_dependent(name, rel), Err(WalletError::BadName)),
            "{name:?} {rel:?}"
        );
    }
    let mut added = 0;
    loop {
        match w.add_dependent(&format!("Người {added}"), "cháu") {
            Ok(_) => added += 1,
            Err(WalletError::Full) => break,
            Err(e) => panic!("{e}"),
        }
        assert!(added <= giayto_wallet::MAX_DEPENDENTS, "no limit");
    }
    assert_eq!(added, giayto_wallet::MAX_DEPENDENTS);
    assert_eq!(
        w.persons().unwrap().len(),
        giayto_wallet::MAX_DEPENDENTS + 1
    );
}

/// The request a credential of `t` bound to `holder` with serial `n` is signed from.
fn sd_pair(t: DocType, holder: [u8; 32], n: u8) -> (Vec<u8>, giayto_cose::sd::HolderCopy) {
    let doc = Document::from_json(t, &giayto_model::sample_input(t)).unwrap();
    let request = CredentialRequest {
        document: &doc,
        serial: vec![n; 10],
        issued_at: NOW - DAY,
        not_before: None,
        expires_at: NOW + 365 * DAY,
        holder_key: Some(holder),
        assurance_level: 2,
        status: None,
    };
    let full = sign_credential(&issuer(), "VN.BCA.C06", &request).unwrap();
    let copy = giayto_issuer::sd::sign_sd_credential(
        &issuer(),
        "VN.BCA.C06",
        &request,
        &mut |b: &mut [u8]| getrandom::getrandom(b).is_ok(),
    )
    .unwrap();
    (full, copy)
}

#[test]
fn a_selective_copy_is_stored_checked_kept_and_presents_only_the_chosen_fields() {
    let f = fixture();
    let key = holder_key(&f.path);
    let issuer_key = issuer().verifying_key().to_bytes();
    let (full, copy) = sd_pair(DocType::Cccd, key, 1);
    let (_, other_copy) = sd_pair(DocType::Cccd, key, 2);
    let mut w = open(&f.path, Unlock::Password(PASSWORD), NOW).unwrap();
    w.add_credential(&full, NOW).unwrap();
    // Another credential's copy, or a copy checked against another key, is refused.
    assert!(matches!(
        w.attach_sd(0, other_copy, &issuer_key),
        Err(WalletError::SdMismatch)
    ));
    assert!(matches!(
        w.attach_sd(0, copy.clone(), &[0x33; 32]),
        Err(WalletError::SdMismatch)
    ));
    // Openings that disagree with the card are refused even with matching leaves.
    let mut forged = copy.clone();
    forged.entries[0].value = giayto_cose::ciborium::Value::Text("khác".into());
    forged.leaves[forged.entries[0].index as usize] = forged.entries[0].leaf_hash();
    assert!(matches!(
        w.attach_sd(0, forged, &issuer_key),
        Err(WalletError::SdMismatch)
    ));
    // Without a copy only the whole card can be shown.
    assert!(matches!(
        w.presenter(0).unwrap().select(&["full_name".into()], None),
        Err(WalletError::NoSdCopy)
    ));
    w.attach_sd(0, copy.clone(), &issuer_key).unwrap();
    w.save().unwrap();
    drop(w);
    // The copy survives saving and reopening (body key 4).
    let w = open(&f.path, Unlock::Passcode(PASSCODE), NOW).unwrap();
    assert_eq!(w.credentials().unwrap()[0].sd.as_ref(), Some(&copy));
    let p = w.presenter(0).unwrap();
    let chosen = p
        .select(&["full_name".into(), "id_number".into()], Some(17))
        .unwrap();
    let names: Vec<&str> = chosen.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["id_number", "full_name", "age_over_18"]);
    let cose = p.sign_selected(&chosen, NOW, None).unwrap();
    let v = verifier().accept_missing_status(true);
    let shown = v.verify_presentation_cose(&cose, NOW).unwrap();
    let disclosed = shown.credential().disclosed().unwrap();
    let names: Vec<&str> = disclosed.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["id_number", "full_name", "age_over_18"]);
    assert!(shown.credential().document().is_none());
}
