//! Ed25519 key files.
//!
//! Public keys are PEM `PUBLIC KEY` (SubjectPublicKeyInfo, RFC 8410), readable by OpenSSL.
//! Secret keys are PKCS#8 DER encrypted with a passphrase in the age format (scrypt), written
//! with owner-only permissions and never kept in memory longer than needed (zeroized on drop).

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use zeroize::Zeroizing;

/// Largest key file read (a key file is a few hundred bytes).
const MAX_KEY_FILE: u64 = 16 * 1024;

/// scrypt cost for new secret key files: `N = 2^log_n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfCost(u8);

impl KdfCost {
    /// The default, about a second on a laptop: log2 N = 18.
    pub const DEFAULT: KdfCost = KdfCost(18);
    /// A chosen cost, clamped to 10..=22. Low values are for tests only.
    pub fn new(log_n: u8) -> KdfCost {
        KdfCost(log_n.clamp(10, 22))
    }
    /// log2 N.
    pub fn log_n(self) -> u8 {
        self.0
    }
}

impl Default for KdfCost {
    fn default() -> Self {
        KdfCost::DEFAULT
    }
}

/// Why a key file could not be written or read.
#[non_exhaustive]
#[derive(Debug)]
pub enum KeyError {
    /// Reading or writing the file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file already exists; key files are never overwritten.
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The passphrase does not open the key file.
    WrongPassphrase {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a giayto key file of the expected kind.
    Format {
        /// The file.
        path: PathBuf,
    },
    /// The system random number generator failed.
    Random,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            KeyError::Exists { path } => write!(f, "{} already exists", path.display()),
            KeyError::WrongPassphrase { path } => {
                write!(f, "{}: wrong passphrase", path.display())
            }
            KeyError::Format { path } => write!(f, "{}: not a giayto key file", path.display()),
            KeyError::Random => write!(f, "the system random number generator failed"),
        }
    }
}

impl std::error::Error for KeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            KeyError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A new random signing key from the operating system's generator.
pub fn generate() -> Result<SigningKey, KeyError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(seed.as_mut()).map_err(|_| KeyError::Random)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Create `path` with owner-only permissions (0600 on Unix), failing if it exists.
pub fn create_private_file(path: &Path) -> Result<fs::File, KeyError> {
    create_new(path, true)
}

/// Create `path`, failing with [`KeyError::Exists`] if it exists; owner-only if `private`.
fn create_new(path: &Path, private: bool) -> Result<fs::File, KeyError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists {
                path: path.to_owned(),
            }
        } else {
            io(path)(e)
        }
    })
}

/// Write `key` to `path`, encrypted under `passphrase`. Refuses to overwrite.
pub fn write_secret_key(
    path: &Path,
    key: &SigningKey,
    passphrase: &SecretString,
    cost: KdfCost,
) -> Result<(), KeyError> {
    let der = key.to_pkcs8_der().map_err(|_| KeyError::Format {
        path: path.to_owned(),
    })?;
    write_secret_der(path, der.as_bytes(), passphrase, cost)
}

/// Write secret bytes (a PKCS#8 DER key of any kind, e.g. a CA's P-256 key) to `path`,
/// encrypted under `passphrase` as [`write_secret_key`] does. Refuses to overwrite.
pub fn write_secret_der(
    path: &Path,
    der: &[u8],
    passphrase: &SecretString,
    cost: KdfCost,
) -> Result<(), KeyError> {
    let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
    recipient.set_work_factor(cost.log_n());
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|_| KeyError::Format {
                path: path.to_owned(),
            })?;
    let mut sealed = Vec::new();
    let mut writer = encryptor.wrap_output(&mut sealed).map_err(io(path))?;
    writer.write_all(der).map_err(io(path))?;
    writer.finish().map_err(io(path))?;

    let mut file = create_private_file(path)?;
    let written = file.write_all(&sealed).and_then(|_| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(path);
        return Err(io(path)(e));
    }
    Ok(())
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, KeyError> {
    let file = fs::File::open(path).map_err(io(path))?;
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(KeyError::Format {
            path: path.to_owned(),
        });
    }
    Ok(bytes)
}

/// Read and decrypt a secret key file.
pub fn read_secret_key(path: &Path, passphrase: &SecretString) -> Result<SigningKey, KeyError> {
    let der = read_secret_der(path, passphrase)?;
    SigningKey::from_pkcs8_der(&der).map_err(|_| KeyError::Format {
        path: path.to_owned(),
    })
}

/// Read and decrypt the secret bytes of a file [`write_secret_der`] wrote.
pub fn read_secret_der(
    path: &Path,
    passphrase: &SecretString,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let sealed = read_bounded(path)?;
    let format = || KeyError::Format {
        path: path.to_owned(),
    };
    let decryptor = age::Decryptor::new_buffered(&sealed[..]).map_err(|_| format())?;
    if !decryptor.is_scrypt() {
        return Err(format());
    }
    let mut identity = age::scrypt::Identity::new(passphrase.clone());
    identity.set_max_work_factor(22);
    let reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                KeyError::WrongPassphrase {
                    path: path.to_owned(),
                }
            }
            _ => format(),
        })?;
    let mut der = Zeroizing::new(Vec::new());
    // Bounded: the sealed file is at most MAX_KEY_FILE bytes.
    reader
        .take(MAX_KEY_FILE)
        .read_to_end(&mut der)
        .map_err(|_| format())?;
    Ok(der)
}

/// Write a public key as PEM. Refuses to overwrite.
pub fn write_public_key(path: &Path, key: &VerifyingKey) -> Result<(), KeyError> {
    let pem = key
        .to_public_key_pem(Default::default())
        .map_err(|_| KeyError::Format {
            path: path.to_owned(),
        })?;
    let mut file = create_new(path, false)?;
    file.write_all(pem.as_bytes()).map_err(io(path))
}

/// Parse a PEM public key.
pub fn parse_public_key(pem: &str) -> Option<VerifyingKey> {
    VerifyingKey::from_public_key_pem(pem.trim()).ok()
}

/// Read a PEM public key file.
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let bytes = read_bounded(path)?;
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(parse_public_key)
        .ok_or_else(|| KeyError::Format {
            path: path.to_owned(),
        })
}

/// Replace a key pair by a new one, keeping the old one: the present secret and public key
/// files are first copied to `retired_key` and `retired_pub` (which must not exist), then a new
/// key, encrypted under the same `passphrase`, takes the place of `key_path` and `pub_path`.
/// No key file is ever overwritten: the old key's bytes stay in the retired copies.
///
/// The passphrase must open the present key, and the present public key file must belong to
/// it; otherwise nothing is changed. On any failure the files this call created are removed.
/// Returns the old and the new key.
pub fn rotate_key_pair(
    key_path: &Path,
    pub_path: &Path,
    retired_key: &Path,
    retired_pub: &Path,
    passphrase: &SecretString,
    cost: KdfCost,
) -> Result<(SigningKey, SigningKey), KeyError> {
    let old = read_secret_key(key_path, passphrase)?;
    if read_public_key(pub_path)? != old.verifying_key() {
        return Err(KeyError::Format {
            path: pub_path.to_owned(),
        });
    }
    let new = generate()?;
    let staged_key = staged(key_path);
    let staged_pub = staged(pub_path);
    let mut created: Vec<PathBuf> = Vec::new();
    let result = (|| {
        copy_new(key_path, retired_key, true)?;
        created.push(retired_key.to_owned());
        copy_new(pub_path, retired_pub, false)?;
        created.push(retired_pub.to_owned());
        write_secret_key(&staged_key, &new, passphrase, cost)?;
        created.push(staged_key.clone());
        write_public_key(&staged_pub, &new.verifying_key())?;
        created.push(staged_pub.clone());
        // The old key survives in the retired copies, so replacing the names loses nothing.
        fs::rename(&staged_key, key_path).map_err(io(key_path))?;
        if let Err(e) = fs::rename(&staged_pub, pub_path) {
            // Put the old key back under its name: the pair stays consistent.
            let _ = copy_back(retired_key, key_path);
            return Err(io(pub_path)(e));
        }
        Ok(())
    })();
    if let Err(e) = result {
        for path in created {
            let _ = fs::remove_file(path);
        }
        return Err(e);
    }
    Ok((old, new))
}

/// `.NAME.new` beside `path`: where a new key file is written before it takes the name.
fn staged(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.new"))
}

/// Copy `from` to the new file `to` (owner-only if `private`), synced.
fn copy_new(from: &Path, to: &Path, private: bool) -> Result<(), KeyError> {
    let bytes = read_bounded(from)?;
    let mut file = create_new(to, private)?;
    let written = file.write_all(&bytes).and_then(|_| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(to);
        return Err(io(to)(e));
    }
    Ok(())
}

/// Restore `to` from the copy `from` after a failed rotation (through a staged file, renamed).
fn copy_back(from: &Path, to: &Path) -> Result<(), KeyError> {
    let staged = staged(to);
    let _ = fs::remove_file(&staged);
    copy_new(from, &staged, true)?;
    fs::rename(&staged, to).map_err(io(to))
}

/// Write a public key file (PEM text) that must not exist yet.
pub fn write_public_pem(path: &Path, pem: &str) -> Result<(), KeyError> {
    let mut file = create_new(path, false)?;
    file.write_all(pem.as_bytes()).map_err(io(path))
}

#[cfg(test)]
mod secret_bytes_tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_with_the_passphrase_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.key");
        let pass = SecretString::from("correct horse".to_owned());
        write_secret_der(&path, b"secret der", &pass, KdfCost::new(10)).unwrap();
        assert_eq!(
            read_secret_der(&path, &pass).unwrap().as_slice(),
            b"secret der"
        );
        let wrong = SecretString::from("wrong horse".to_owned());
        assert!(matches!(
            read_secret_der(&path, &wrong),
            Err(KeyError::WrongPassphrase { .. })
        ));
        assert!(matches!(
            write_secret_der(&path, b"other", &pass, KdfCost::new(10)),
            Err(KeyError::Exists { .. })
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn secret_key_round_trip_wrong_passphrase_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        let key = generate().unwrap();
        write_secret_key(&path, &key, &pass("đúng mật khẩu"), KdfCost::new(10)).unwrap();
        let back = read_secret_key(&path, &pass("đúng mật khẩu")).unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
        assert!(matches!(
            read_secret_key(&path, &pass("sai")),
            Err(KeyError::WrongPassphrase { .. })
        ));
        // The seed does not appear in the file.
        let raw = fs::read(&path).unwrap();
        assert!(!raw.windows(32).any(|w| w == key.to_bytes()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(matches!(
            write_secret_key(&path, &key, &pass("x"), KdfCost::new(10)),
            Err(KeyError::Exists { .. })
        ));
    }

    #[test]
    fn rotating_a_key_pair_keeps_the_old_one_and_overwrites_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (key, public) = (dir.path().join("i.key"), dir.path().join("i.pub"));
        let (old_key, old_pub) = (dir.path().join("old.key"), dir.path().join("old.pub"));
        let first = generate().unwrap();
        write_secret_key(&key, &first, &pass("mật khẩu 1"), KdfCost::new(10)).unwrap();
        write_public_key(&public, &first.verifying_key()).unwrap();
        let (key_bytes, pub_bytes) = (fs::read(&key).unwrap(), fs::read(&public).unwrap());

        // A wrong passphrase changes nothing and leaves no file behind.
        assert!(matches!(
            rotate_key_pair(
                &key,
                &public,
                &old_key,
                &old_pub,
                &pass("sai"),
                KdfCost::new(10)
            ),
            Err(KeyError::WrongPassphrase { .. })
        ));
        // A retired name already taken: refused, nothing changed, the other copy removed.
        fs::write(&old_pub, "taken").unwrap();
        assert!(matches!(
            rotate_key_pair(
                &key,
                &public,
                &old_key,
                &old_pub,
                &pass("mật khẩu 1"),
                KdfCost::new(10)
            ),
            Err(KeyError::Exists { .. })
        ));
        assert!(!old_key.exists());
        assert_eq!(fs::read(&key).unwrap(), key_bytes);
        assert_eq!(fs::read(&public).unwrap(), pub_bytes);
        fs::remove_file(&old_pub).unwrap();

        let (old, new) = rotate_key_pair(
            &key,
            &public,
            &old_key,
            &old_pub,
            &pass("mật khẩu 1"),
            KdfCost::new(10),
        )
        .unwrap();
        assert_eq!(old.to_bytes(), first.to_bytes());
        assert_ne!(new.to_bytes(), first.to_bytes());
        assert_eq!(fs::read(&old_key).unwrap(), key_bytes);
        assert_eq!(fs::read(&old_pub).unwrap(), pub_bytes);
        let back = read_secret_key(&key, &pass("mật khẩu 1")).unwrap();
        assert_eq!(back.to_bytes(), new.to_bytes());
        assert_eq!(read_public_key(&public).unwrap(), new.verifying_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in [&key, &old_key] {
                let mode = fs::metadata(p).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", p.display());
            }
        }
        // No staged file is left.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 4, "{names:?}");

        // A public key file that does not belong to the secret key: refused.
        fs::remove_file(&public).unwrap();
        write_public_key(&public, &first.verifying_key()).unwrap();
        let (k2, p2) = (dir.path().join("k2"), dir.path().join("p2"));
        assert!(matches!(
            rotate_key_pair(&key, &public, &k2, &p2, &pass("mật khẩu 1"), KdfCost::new(10)),
            Err(KeyError::Format { path }) if path == public
        ));
        assert!(!k2.exists() && !p2.exists());
    }

    #[test]
    fn public_key_pem_round_trip_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pub");
        let key = generate().unwrap().verifying_key();
        write_public_key(&path, &key).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(read_public_key(&path).unwrap(), key);
        fs::write(dir.path().join("bad.pub"), "not a key").unwrap();
        assert!(matches!(
            read_public_key(&dir.path().join("bad.pub")),
            Err(KeyError::Format { .. })
        ));
        assert!(matches!(
            read_secret_key(&dir.path().join("bad.pub"), &pass("x")),
            Err(KeyError::Format { .. })
        ));
    }
}
