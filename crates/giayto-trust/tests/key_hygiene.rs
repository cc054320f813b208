//! Secret material is wiped when dropped: checked by the types (a compile-time fact, so this
//! test cannot regress silently when a type changes) and by the key file round trip.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use ed25519_dalek::SigningKey;
use giayto_trust::keys::{self, KdfCost};
use giayto_trust::SecretString;
use zeroize::{ZeroizeOnDrop, Zeroizing};

fn wiped_on_drop<T: ZeroizeOnDrop + ?Sized>() {}

#[test]
fn secret_types_zeroize_on_drop() {
    // The signing key of a root or an issuer (ed25519-dalek with its `zeroize` feature).
    wiped_on_drop::<SigningKey>();
    // Passphrases.
    wiped_on_drop::<SecretString>();
    // The buffers key files are decrypted into (keys.rs reads the PKCS#8 DER into one).
    wiped_on_drop::<Zeroizing<Vec<u8>>>();
}

#[test]
fn a_key_file_is_owner_only_and_does_not_hold_the_key_in_the_clear() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("issuer.key");
    let key = SigningKey::from_bytes(&[0x5c; 32]);
    let pass = SecretString::from("mật khẩu đủ dài".to_owned());
    keys::write_secret_key(&path, &key, &pass, KdfCost::new(10)).unwrap();
    let raw = std::fs::read(&path).unwrap();
    assert!(!raw.windows(32).any(|w| w == key.to_bytes()));
    assert!(!raw.windows(32).any(|w| w == key.verifying_key().to_bytes()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(
        keys::read_secret_key(&path, &pass).unwrap().to_bytes(),
        key.to_bytes()
    );
}
