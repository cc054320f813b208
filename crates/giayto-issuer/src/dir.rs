//! The issuer's directory: `issuer.key` (encrypted), `issuer.pub`, `issuer.json` and
//! `registry.sqlite`.

use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use giayto_model::Document;
use giayto_trust::keys::{self, KdfCost, KeyError};
use giayto_trust::SecretString;
use serde::{Deserialize, Serialize};

use crate::credential::{credential_expiry, credential_text, sign_credential, CredentialRequest};
use crate::registry::{CredentialRecord, Registry, RegistryError};

/// Secret key file name.
pub const KEY_FILE: &str = "issuer.key";
/// Public key file name.
pub const PUB_FILE: &str = "issuer.pub";
/// Metadata file name.
pub const META_FILE: &str = "issuer.json";
/// Registry file name.
pub const REGISTRY_FILE: &str = "registry.sqlite";
/// Serial length in bytes: 80 random bits, unique per issuer (checked by the registry).
pub const SERIAL_BYTES: usize = 10;

/// The issuer's public metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerMeta {
    /// Issuer id (`iss`).
    pub id: String,
    /// Name in Vietnamese.
    pub name_vi: String,
    /// Name in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
}

/// Why an issuer operation failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum IssuerError {
    /// A key file problem (including a wrong passphrase).
    Key(KeyError),
    /// The registry failed.
    Registry(RegistryError),
    /// A file in the directory could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The directory already holds an issuer.
    AlreadyInitialised {
        /// The directory.
        dir: PathBuf,
    },
    /// The directory is not an issuer directory (or its metadata is damaged).
    NotAnIssuer {
        /// The directory.
        dir: PathBuf,
    },
    /// The document has already expired, so no credential can be valid.
    DocumentExpired,
    /// The signing key failed.
    Sign,
    /// The system random number generator failed.
    Random,
}

impl std::fmt::Display for IssuerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IssuerError::Key(e) => e.fmt(f),
            IssuerError::Registry(e) => e.fmt(f),
            IssuerError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            IssuerError::AlreadyInitialised { dir } => {
                write!(f, "{} already holds an issuer", dir.display())
            }
            IssuerError::NotAnIssuer { dir } => {
                write!(f, "{} is not an issuer directory", dir.display())
            }
            IssuerError::DocumentExpired => write!(f, "the document has already expired"),
            IssuerError::Sign => write!(f, "signing failed"),
            IssuerError::Random => write!(f, "the system random number generator failed"),
        }
    }
}

impl std::error::Error for IssuerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IssuerError::Key(e) => Some(e),
            IssuerError::Registry(e) => Some(e),
            IssuerError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<KeyError> for IssuerError {
    fn from(e: KeyError) -> Self {
        IssuerError::Key(e)
    }
}

impl From<RegistryError> for IssuerError {
    fn from(e: RegistryError) -> Self {
        IssuerError::Registry(e)
    }
}

/// Options of one issuance.
#[derive(Debug, Clone)]
pub struct IssueOptions {
    /// Days of validity from now (capped by the document's own expiry). Default 1825.
    pub valid_days: u32,
    /// Holder key for `cnf`.
    pub holder_key: Option<[u8; 32]>,
    /// Assurance level of the holder's account (default 2).
    pub assurance_level: u8,
}

impl Default for IssueOptions {
    fn default() -> Self {
        IssueOptions {
            valid_days: 1825,
            holder_key: None,
            assurance_level: 2,
        }
    }
}

/// One issued credential.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Its serial.
    pub serial: Vec<u8>,
    /// COSE_Sign1 bytes.
    pub cose: Vec<u8>,
    /// The `VN1:` QR text.
    pub text: String,
    /// `exp`.
    pub expires_at: i64,
}

/// An issuer directory with its key unlocked and its registry open.
pub struct Issuer {
    dir: PathBuf,
    meta: IssuerMeta,
    key: SigningKey,
    registry: Registry,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("dir", &self.dir)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IssuerError + '_ {
    move |source| IssuerError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Create a new issuer in `dir`: a fresh key (encrypted under `passphrase`), its public key,
/// the metadata and an empty registry. Refuses a directory that already holds an issuer.
pub fn init(
    dir: &Path,
    meta: &IssuerMeta,
    passphrase: &SecretString,
    cost: KdfCost,
) -> Result<(), IssuerError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    if [KEY_FILE, PUB_FILE, META_FILE, REGISTRY_FILE]
        .iter()
        .any(|f| dir.join(f).exists())
    {
        return Err(IssuerError::AlreadyInitialised {
            dir: dir.to_owned(),
        });
    }
    let result = (|| {
        let key = keys::generate()?;
        keys::write_secret_key(&dir.join(KEY_FILE), &key, passphrase, cost)?;
        keys::write_public_key(&dir.join(PUB_FILE), &key.verifying_key())?;
        let json = serde_json::to_vec_pretty(meta).map_err(|_| IssuerError::NotAnIssuer {
            dir: dir.to_owned(),
        })?;
        let meta_path = dir.join(META_FILE);
        fs::write(&meta_path, json).map_err(io_err(&meta_path))?;
        Registry::open(&dir.join(REGISTRY_FILE))?;
        Ok(())
    })();
    if result.is_err() {
        for f in [KEY_FILE, PUB_FILE, META_FILE, REGISTRY_FILE] {
            let _ = fs::remove_file(dir.join(f));
        }
    }
    result
}

/// Read an issuer directory's metadata without unlocking its key.
pub fn read_meta(dir: &Path) -> Result<IssuerMeta, IssuerError> {
    let path = dir.join(META_FILE);
    let bytes = fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => IssuerError::NotAnIssuer {
            dir: dir.to_owned(),
        },
        _ => io_err(&path)(e),
    })?;
    serde_json::from_slice(&bytes).map_err(|_| IssuerError::NotAnIssuer {
        dir: dir.to_owned(),
    })
}

impl Issuer {
    /// Open an issuer directory, unlocking its key with `passphrase`.
    pub fn open(dir: &Path, passphrase: &SecretString) -> Result<Issuer, IssuerError> {
        let meta = read_meta(dir)?;
        let key = keys::read_secret_key(&dir.join(KEY_FILE), passphrase)?;
        let registry = Registry::open(&dir.join(REGISTRY_FILE))?;
        Ok(Issuer {
            dir: dir.to_owned(),
            meta,
            key,
            registry,
        })
    }

    /// The metadata.
    pub fn meta(&self) -> &IssuerMeta {
        &self.meta
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Issue a credential for `document` at time `now`: sign it, record it, return it. The
    /// credential exists only once its registry row is committed.
    pub fn issue(
        &self,
        document: &Document,
        options: &IssueOptions,
        now: i64,
    ) -> Result<Issued, IssuerError> {
        let expires_at = credential_expiry(document, now, options.valid_days)
            .ok_or(IssuerError::DocumentExpired)?;
        for _ in 0..4 {
            let mut serial = vec![0u8; SERIAL_BYTES];
            getrandom::getrandom(&mut serial).map_err(|_| IssuerError::Random)?;
            let request = CredentialRequest {
                document,
                serial: serial.clone(),
                issued_at: now,
                not_before: None,
                expires_at,
                holder_key: options.holder_key,
                assurance_level: options.assurance_level,
                status: None,
            };
            let cose = sign_credential(&self.key, &self.meta.id, &request)
                .map_err(|_| IssuerError::Sign)?;
            let record = CredentialRecord {
                serial: serial.clone(),
                doc_type: document.doc_type().as_str().to_owned(),
                holder_id: document.holder_id_number().map(str::to_owned),
                issued_at: now,
                expires_at,
                holder_key: options.holder_key,
            };
            match self.registry.record(&record) {
                Ok(()) => {
                    return Ok(Issued {
                        text: credential_text(&cose),
                        serial,
                        cose,
                        expires_at,
                    })
                }
                Err(RegistryError::DuplicateSerial) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(IssuerError::Random)
    }
}
