//! The root authority: its folder, the issuer keys it vouches for, key rotation, and the
//! signing of trust lists (docs/format.md §6).
//!
//! A root folder holds `root.key` (encrypted), `root.pub` (pinned by verifiers) and `root.json`,
//! the state: the root's id, the sequence number of the last trust list signed, and every issuer
//! key with its id, names, document types and signing validity. The state is plain data
//! ([`RootState`]) whose changes check every rule ([`RootState::add_issuer`],
//! [`RootState::remove_issuer`], [`RootState::rotate_issuer`], [`RootState::sign_next`]); the
//! functions that read and write the folder ([`RootState::load`], [`RootState::save`], [`init`],
//! [`sign_trust_list`]) never start afresh over a damaged state file: a missing, empty or corrupt
//! `root.json` is an error naming the file.
//!
//! ```
//! use giayto_model::DocType;
//! use giayto_trust::authority::{NewIssuer, RootState};
//! use ed25519_dalek::SigningKey;
//!
//! let root = SigningKey::from_bytes(&[1; 32]);
//! let (old, new) = (SigningKey::from_bytes(&[2; 32]), SigningKey::from_bytes(&[3; 32]));
//! let now = 1_790_000_000;
//! let mut state = RootState::new("VN.ROOT")?;
//! state.add_issuer(NewIssuer {
//!     id: "VN.BHXH".into(),
//!     name_vi: "Bảo hiểm xã hội Việt Nam".into(),
//!     name_en: None,
//!     public_key: old.verifying_key().to_bytes(),
//!     doc_types: vec![DocType::Bhyt],
//!     valid_days: 1825,
//!     status_uri_prefix: None,
//! }, now)?;
//! // A new key, trusted alongside the old one; the old one signs for ten more days.
//! state.rotate_issuer("VN.BHXH", new.verifying_key().to_bytes(), now + 10 * 86_400, 1825, now)?;
//! let (_signed, list) = state.sign_next(&root, 30, now)?;
//! assert_eq!(list.sequence, 1);
//! assert_eq!(list.issuers.len(), 2);
//! assert_eq!(list.issuers[0].not_after, now + 10 * 86_400);
//! # Ok::<(), giayto_trust::authority::AuthorityError>(())
//! ```

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};
use giayto_cose::{kid_for, Signer};
use giayto_model::DocType;
use serde::{Deserialize, Serialize};

use crate::keys::{self, KdfCost, KeyError};
use crate::list::{is_valid_id, IssuerEntry, TrustList, MAX_ISSUERS};
use crate::SecretString;

/// The root's secret key file.
pub const KEY_FILE: &str = "root.key";
/// The root's public key file.
pub const PUB_FILE: &str = "root.pub";
/// The root's state file.
pub const STATE_FILE: &str = "root.json";
/// Largest state file read: [`MAX_ISSUERS`] entries with long names fit with room to spare.
pub const MAX_STATE_BYTES: u64 = 4 * 1024 * 1024;
/// Longest name or status uri prefix, in bytes: what a trust list entry may carry
/// (docs/format.md §6.3).
pub const MAX_TEXT_BYTES: usize = 256;

const DAY: i64 = 86_400;

/// Why a root authority operation failed. Every variant leaves the state as it was.
#[non_exhaustive]
#[derive(Debug)]
pub enum AuthorityError {
    /// The folder has no state file: it is not a root authority folder.
    NotARoot {
        /// The folder.
        dir: PathBuf,
    },
    /// The folder already holds a root key or state.
    AlreadyInitialised {
        /// The folder.
        dir: PathBuf,
    },
    /// The state file is empty, not JSON of the expected shape, or breaks a rule.
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What is wrong, in English.
        what: String,
    },
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A key file problem (including a wrong passphrase).
    Key(KeyError),
    /// The id breaks the id rule ([`crate::is_valid_id`]).
    BadId {
        /// The id.
        id: String,
    },
    /// The Vietnamese name is empty, or a name is longer than [`MAX_TEXT_BYTES`].
    BadName {
        /// The issuer.
        id: String,
    },
    /// The status uri prefix is empty or longer than [`MAX_TEXT_BYTES`].
    BadStatusPrefix {
        /// The issuer.
        id: String,
    },
    /// No document types were given.
    NoDocTypes {
        /// The issuer.
        id: String,
    },
    /// The key is already in the state (under `id`); a key belongs to one issuer entry.
    KeyPresent {
        /// The key's kid.
        kid: [u8; 8],
        /// The issuer it is listed under.
        id: String,
    },
    /// No key of this issuer (with this kid, if one was given) is in the state.
    UnknownIssuer {
        /// The issuer.
        id: String,
        /// The kid asked for.
        kid: Option<[u8; 8]>,
    },
    /// A rotation needs a key of the issuer valid now, to be replaced.
    NoCurrentKey {
        /// The issuer.
        id: String,
    },
    /// The overlap would end now or in the past.
    OverlapInPast {
        /// The end asked for.
        until: i64,
        /// Now.
        now: i64,
    },
    /// The overlap would end after the old key's own validity: a rotation never extends it.
    OverlapBeyondKey {
        /// The end asked for.
        until: i64,
        /// The old key's kid.
        kid: [u8; 8],
        /// The old key's `not_after`.
        not_after: i64,
    },
    /// The new key's validity would end before the overlap does.
    NewKeyEndsFirst {
        /// When the new key would stop being valid.
        not_after: i64,
        /// The end of the overlap.
        until: i64,
    },
    /// The trust list would name more than [`MAX_ISSUERS`] keys.
    TooManyIssuers,
    /// The sequence number cannot grow any more.
    SequenceExhausted,
    /// Signing the trust list failed.
    Sign,
}

impl std::fmt::Display for AuthorityError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex = |k: &[u8; 8]| hex::encode(k);
        match self {
            AuthorityError::NotARoot { dir } => {
                write!(f, "{} is not a root authority folder", dir.display())
            }
            AuthorityError::AlreadyInitialised { dir } => {
                write!(f, "{} already holds a root authority", dir.display())
            }
            AuthorityError::Corrupt { path, what } => {
                write!(f, "{} is damaged: {what}", path.display())
            }
            AuthorityError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            AuthorityError::Key(e) => e.fmt(f),
            AuthorityError::BadId { id } => write!(f, "invalid id {id:?}"),
            AuthorityError::BadName { id } => write!(f, "invalid name for issuer {id}"),
            AuthorityError::BadStatusPrefix { id } => {
                write!(f, "invalid status uri prefix for issuer {id}")
            }
            AuthorityError::NoDocTypes { id } => write!(f, "no document types for issuer {id}"),
            AuthorityError::KeyPresent { kid, id } => {
                write!(f, "key {} is already listed for issuer {id}", hex(kid))
            }
            AuthorityError::UnknownIssuer { id, kid: None } => write!(f, "no issuer {id}"),
            AuthorityError::UnknownIssuer { id, kid: Some(k) } => {
                write!(f, "no key {} of issuer {id}", hex(k))
            }
            AuthorityError::NoCurrentKey { id } => {
                write!(f, "issuer {id} has no key valid now to rotate")
            }
            AuthorityError::OverlapInPast { until, now } => {
                write!(f, "overlap end {until} is not after now ({now})")
            }
            AuthorityError::OverlapBeyondKey {
                until,
                kid,
                not_after,
            } => write!(
                f,
                "overlap end {until} is after the end of key {} ({not_after})",
                hex(kid)
            ),
            AuthorityError::NewKeyEndsFirst { not_after, until } => write!(
                f,
                "the new key would end ({not_after}) before the overlap does ({until})"
            ),
            AuthorityError::TooManyIssuers => {
                write!(f, "a trust list names at most {MAX_ISSUERS} keys")
            }
            AuthorityError::SequenceExhausted => write!(f, "the sequence number is exhausted"),
            AuthorityError::Sign => write!(f, "signing the trust list failed"),
        }
    }
}

impl std::error::Error for AuthorityError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthorityError::Io { source, .. } => Some(source),
            AuthorityError::Key(e) => Some(e),
            _ => None,
        }
    }
}

impl From<KeyError> for AuthorityError {
    fn from(e: KeyError) -> Self {
        AuthorityError::Key(e)
    }
}

/// One issuer key the root vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorisedKey {
    /// Issuer id (a credential's `iss`).
    pub id: String,
    /// Name in Vietnamese.
    pub name_vi: String,
    /// Name in English.
    pub name_en: Option<String>,
    /// The Ed25519 public key.
    pub public_key: [u8; 32],
    /// Document types it may sign.
    pub doc_types: Vec<DocType>,
    /// Start of its signing validity, seconds.
    pub not_before: i64,
    /// End of its signing validity, seconds.
    pub not_after: i64,
    /// Status list uris of this issuer start with this, if set.
    pub status_uri_prefix: Option<String>,
}

impl AuthorisedKey {
    /// The key's kid.
    pub fn kid(&self) -> [u8; 8] {
        kid_for(&self.public_key)
    }

    /// The trust list entry for this key.
    pub fn entry(&self) -> IssuerEntry {
        IssuerEntry {
            id: self.id.clone(),
            name_vi: self.name_vi.clone(),
            name_en: self.name_en.clone(),
            public_key: self.public_key,
            doc_types: self.doc_types.iter().map(|t| t.code()).collect(),
            not_before: self.not_before,
            not_after: self.not_after,
            status_uri_prefix: self.status_uri_prefix.clone(),
        }
    }
}

/// An issuer key to add (or, for a key already listed under the same id, to update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIssuer {
    /// Issuer id; must pass [`crate::is_valid_id`].
    pub id: String,
    /// Name in Vietnamese (trimmed; 1 to [`MAX_TEXT_BYTES`] bytes).
    pub name_vi: String,
    /// Name in English (trimmed; at most [`MAX_TEXT_BYTES`] bytes; empty means none).
    pub name_en: Option<String>,
    /// The public key.
    pub public_key: [u8; 32],
    /// Document types it may sign; at least one (duplicates are dropped).
    pub doc_types: Vec<DocType>,
    /// Days from now the key stays valid for signing.
    pub valid_days: u32,
    /// Status list uri prefix (1 to [`MAX_TEXT_BYTES`] bytes), if any.
    pub status_uri_prefix: Option<String>,
}

/// What [`RootState::add_issuer`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The entry as it now stands.
    pub key: AuthorisedKey,
    /// The key was already listed under the id, and was updated (its `not_before` kept).
    pub updated: bool,
}

/// What [`RootState::rotate_issuer`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The new key's entry.
    pub new_key: AuthorisedKey,
    /// The issuer's older keys whose validity now ends at the overlap end: kid and former
    /// `not_after`.
    pub shortened: Vec<([u8; 8], i64)>,
}

/// The root's state: its id, the last trust list sequence number, the issuer keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootState {
    id: String,
    sequence: u64,
    issuers: Vec<AuthorisedKey>,
}

/// The state file as JSON: keys in hex, document types by name (docs/format.md §4).
#[derive(Serialize, Deserialize)]
struct StateFile {
    id: String,
    sequence: u64,
    issuers: Vec<StateFileIssuer>,
}

#[derive(Serialize, Deserialize)]
struct StateFileIssuer {
    id: String,
    name_vi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name_en: Option<String>,
    public_key: String,
    doc_types: Vec<String>,
    not_before: i64,
    not_after: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status_uri_prefix: Option<String>,
}

fn days(n: u32) -> i64 {
    i64::from(n).saturating_mul(DAY)
}

fn text_ok(t: &str) -> bool {
    !t.is_empty() && t.len() <= MAX_TEXT_BYTES
}

/// The id rule ([`crate::is_valid_id`]) with a typed error.
pub fn check_id(id: &str) -> Result<(), AuthorityError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(AuthorityError::BadId { id: id.to_owned() })
    }
}

impl RootState {
    /// A new state with no issuers and no trust list signed yet.
    pub fn new(id: &str) -> Result<RootState, AuthorityError> {
        check_id(id)?;
        Ok(RootState {
            id: id.to_owned(),
            sequence: 0,
            issuers: Vec::new(),
        })
    }

    /// The root's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The sequence number of the last trust list signed (0: none yet).
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// Every issuer key, in the order they were added.
    pub fn issuers(&self) -> &[AuthorisedKey] {
        &self.issuers
    }

    fn holder_of(&self, public_key: &[u8; 32]) -> Option<&AuthorisedKey> {
        self.issuers.iter().find(|k| &k.public_key == public_key)
    }

    /// Add an issuer key valid from `now` for `valid_days`. A key already listed under the
    /// same id is updated instead (names, document types, prefix; `not_after` from now, its
    /// `not_before` kept); a key listed under another id is refused.
    pub fn add_issuer(&mut self, new: NewIssuer, now: i64) -> Result<Added, AuthorityError> {
        check_id(&new.id)?;
        let name_vi = new.name_vi.trim().to_owned();
        let name_en = new
            .name_en
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if !text_ok(&name_vi) || name_en.as_deref().is_some_and(|n| !text_ok(n)) {
            return Err(AuthorityError::BadName { id: new.id });
        }
        if new
            .status_uri_prefix
            .as_deref()
            .is_some_and(|p| !text_ok(p))
        {
            return Err(AuthorityError::BadStatusPrefix { id: new.id });
        }
        let mut doc_types = Vec::new();
        for t in new.doc_types {
            if !doc_types.contains(&t) {
                doc_types.push(t);
            }
        }
        if doc_types.is_empty() {
            return Err(AuthorityError::NoDocTypes { id: new.id });
        }
        let mut key = AuthorisedKey {
            id: new.id,
            name_vi,
            name_en,
            public_key: new.public_key,
            doc_types,
            not_before: now,
            not_after: now.saturating_add(days(new.valid_days)),
            status_uri_prefix: new.status_uri_prefix,
        };
        match self.holder_of(&key.public_key) {
            Some(other) if other.id != key.id => Err(AuthorityError::KeyPresent {
                kid: key.kid(),
                id: other.id.clone(),
            }),
            Some(_) => {
                let existing = self
                    .issuers
                    .iter_mut()
                    .find(|k| k.public_key == key.public_key)
                    .ok_or(AuthorityError::UnknownIssuer {
                        id: key.id.clone(),
                        kid: None,
                    })?;
                key.not_before = existing.not_before;
                *existing = key.clone();
                Ok(Added { key, updated: true })
            }
            None => {
                if self.issuers.len() >= MAX_ISSUERS {
                    return Err(AuthorityError::TooManyIssuers);
                }
                self.issuers.push(key.clone());
                Ok(Added {
                    key,
                    updated: false,
                })
            }
        }
    }

    /// Remove every key of issuer `id`, or only the one with `kid`. After the next trust list
    /// the credentials those keys signed are `unknown_issuer` (docs/format.md §6.3). Returns the
    /// kids removed.
    pub fn remove_issuer(
        &mut self,
        id: &str,
        kid: Option<[u8; 8]>,
    ) -> Result<Vec<[u8; 8]>, AuthorityError> {
        let hit = |k: &AuthorisedKey| k.id == id && kid.is_none_or(|want| k.kid() == want);
        let removed: Vec<[u8; 8]> = self
            .issuers
            .iter()
            .filter(|k| hit(k))
            .map(AuthorisedKey::kid)
            .collect();
        if removed.is_empty() {
            return Err(AuthorityError::UnknownIssuer {
                id: id.to_owned(),
                kid,
            });
        }
        self.issuers.retain(|k| !hit(k));
        Ok(removed)
    }

    /// Rotate issuer `id` to `new_key` with an overlap: the new key is valid from `now` for
    /// `valid_days`, with the document types, names and status prefix of the issuer's current
    /// key (its key valid now that was added last); every older key of the issuer still valid
    /// after `old_until` now ends there. During the overlap both keys verify; a credential the
    /// old key signs after `old_until` is `issuer_not_authorized`, while what it signed before
    /// stays valid to its own `exp` (docs/format.md §6.3).
    ///
    /// Refused: an unknown issuer, no key of it valid now, a new key already listed (under any
    /// id), `old_until` not after `now` or after the current key's own `not_after`, and a new
    /// key that would end before the overlap.
    pub fn rotate_issuer(
        &mut self,
        id: &str,
        new_key: [u8; 32],
        old_until: i64,
        valid_days: u32,
        now: i64,
    ) -> Result<Rotation, AuthorityError> {
        if !self.issuers.iter().any(|k| k.id == id) {
            return Err(AuthorityError::UnknownIssuer {
                id: id.to_owned(),
                kid: None,
            });
        }
        if let Some(other) = self.holder_of(&new_key) {
            return Err(AuthorityError::KeyPresent {
                kid: kid_for(&new_key),
                id: other.id.clone(),
            });
        }
        let current = self
            .issuers
            .iter()
            .filter(|k| k.id == id && k.not_before <= now && now <= k.not_after)
            .max_by_key(|k| (k.not_before, k.not_after))
            .ok_or_else(|| AuthorityError::NoCurrentKey { id: id.to_owned() })?
            .clone();
        if old_until <= now {
            return Err(AuthorityError::OverlapInPast {
                until: old_until,
                now,
            });
        }
        if old_until > current.not_after {
            return Err(AuthorityError::OverlapBeyondKey {
                until: old_until,
                kid: current.kid(),
                not_after: current.not_after,
            });
        }
        let not_after = now.saturating_add(days(valid_days));
        if not_after <= old_until {
            return Err(AuthorityError::NewKeyEndsFirst {
                not_after,
                until: old_until,
            });
        }
        if self.issuers.len() >= MAX_ISSUERS {
            return Err(AuthorityError::TooManyIssuers);
        }
        let mut shortened = Vec::new();
        for k in self.issuers.iter_mut().filter(|k| k.id == id) {
            if k.not_after > old_until {
                shortened.push((k.kid(), k.not_after));
                k.not_after = old_until;
            }
        }
        let new_key = AuthorisedKey {
            public_key: new_key,
            not_before: now,
            not_after,
            ..current
        };
        self.issuers.push(new_key.clone());
        Ok(Rotation { new_key, shortened })
    }

    /// The next trust list, valid for `valid_days` (at least one) from `now`, signed by
    /// `root`: its sequence number is one more than the last, and the state records it only
    /// once the signature is made.
    pub fn sign_next(
        &mut self,
        root: &dyn Signer,
        valid_days: u32,
        now: i64,
    ) -> Result<(Vec<u8>, TrustList), AuthorityError> {
        let sequence = self
            .sequence
            .checked_add(1)
            .ok_or(AuthorityError::SequenceExhausted)?;
        let list = TrustList {
            root_id: self.id.clone(),
            sequence,
            issued_at: now,
            expires_at: now.saturating_add(days(valid_days.max(1))),
            issuers: self.issuers.iter().map(AuthorisedKey::entry).collect(),
        };
        let bytes = list.sign(root).map_err(|_| AuthorityError::Sign)?;
        self.sequence = sequence;
        Ok((bytes, list))
    }

    /// Read `dir/root.json`. A missing file means `dir` is no root folder; an empty, damaged
    /// or rule-breaking one is [`AuthorityError::Corrupt`], never a fresh start.
    pub fn load(dir: &Path) -> Result<RootState, AuthorityError> {
        let path = dir.join(STATE_FILE);
        let file = fs::File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => AuthorityError::NotARoot {
                dir: dir.to_owned(),
            },
            _ => io_error(&path, e),
        })?;
        let mut bytes = Vec::new();
        file.take(MAX_STATE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(&path, e))?;
        Self::from_json(&bytes).map_err(|what| AuthorityError::Corrupt { path, what })
    }

    fn from_json(bytes: &[u8]) -> Result<RootState, String> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err("the file is empty".into());
        }
        if bytes.len() as u64 > MAX_STATE_BYTES {
            return Err(format!("larger than {MAX_STATE_BYTES} bytes"));
        }
        let file: StateFile = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if !is_valid_id(&file.id) {
            return Err(format!("invalid root id {:?}", file.id));
        }
        if file.issuers.len() > MAX_ISSUERS {
            return Err(format!("more than {MAX_ISSUERS} issuer keys"));
        }
        let mut state = RootState {
            id: file.id,
            sequence: file.sequence,
            issuers: Vec::with_capacity(file.issuers.len()),
        };
        for (n, i) in file.issuers.into_iter().enumerate() {
            let at = |what: &str| format!("issuer {} ({}): {what}", n + 1, i.id);
            let public_key: [u8; 32] = hex::decode(&i.public_key)
                .ok()
                .and_then(|k| k.try_into().ok())
                .filter(|k| VerifyingKey::from_bytes(k).is_ok())
                .ok_or_else(|| at("invalid public key"))?;
            let doc_types = i
                .doc_types
                .iter()
                .map(|t| DocType::from_name(t).ok_or_else(|| at("unknown document type")))
                .collect::<Result<Vec<_>, _>>()?;
            let ok = is_valid_id(&i.id)
                && text_ok(&i.name_vi)
                && i.name_en.as_deref().is_none_or(text_ok)
                && i.status_uri_prefix.as_deref().is_none_or(text_ok)
                && !doc_types.is_empty()
                && i.not_before <= i.not_after;
            if !ok {
                return Err(at("invalid entry"));
            }
            if state.holder_of(&public_key).is_some() {
                return Err(at("key listed twice"));
            }
            state.issuers.push(AuthorisedKey {
                id: i.id,
                name_vi: i.name_vi,
                name_en: i.name_en,
                public_key,
                doc_types,
                not_before: i.not_before,
                not_after: i.not_after,
                status_uri_prefix: i.status_uri_prefix,
            });
        }
        Ok(state)
    }

    fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let file = StateFile {
            id: self.id.clone(),
            sequence: self.sequence,
            issuers: self
                .issuers
                .iter()
                .map(|k| StateFileIssuer {
                    id: k.id.clone(),
                    name_vi: k.name_vi.clone(),
                    name_en: k.name_en.clone(),
                    public_key: hex::encode(k.public_key),
                    doc_types: k.doc_types.iter().map(|t| t.as_str().to_owned()).collect(),
                    not_before: k.not_before,
                    not_after: k.not_after,
                    status_uri_prefix: k.status_uri_prefix.clone(),
                })
                .collect(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file)?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Write `dir/root.json` atomically: a new file beside it, synced, renamed over the old
    /// one. A failure leaves the old file as it was.
    pub fn save(&self, dir: &Path) -> Result<(), AuthorityError> {
        let path = dir.join(STATE_FILE);
        let bytes = self.to_json().map_err(|e| io_error(&path, e.into()))?;
        write_atomic(&path, &bytes)
    }
}

fn io_error(path: &Path, source: std::io::Error) -> AuthorityError {
    AuthorityError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Write `path` through a new temporary file beside it, synced, then renamed over.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AuthorityError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let result = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
        .and_then(|_| fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(path, e));
    }
    // Make the rename itself durable where the platform allows it.
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(d) = fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Create a root authority in `dir`: a new key encrypted under `passphrase` (`root.key`), its
/// public key (`root.pub`) and an empty state (`root.json`). Refuses a folder that already
/// holds any of them; on failure removes what it wrote.
pub fn init(
    dir: &Path,
    id: &str,
    passphrase: &SecretString,
    cost: KdfCost,
) -> Result<SigningKey, AuthorityError> {
    let state = RootState::new(id)?;
    fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    if [KEY_FILE, PUB_FILE, STATE_FILE]
        .iter()
        .any(|f| dir.join(f).exists())
    {
        return Err(AuthorityError::AlreadyInitialised {
            dir: dir.to_owned(),
        });
    }
    let key = keys::generate()?;
    let mut created = Vec::new();
    let result = (|| {
        keys::write_secret_key(&dir.join(KEY_FILE), &key, passphrase, cost)?;
        created.push(KEY_FILE);
        keys::write_public_key(&dir.join(PUB_FILE), &key.verifying_key())?;
        created.push(PUB_FILE);
        created.push(STATE_FILE);
        state.save(dir)
    })();
    if let Err(e) = result {
        for name in created {
            let _ = fs::remove_file(dir.join(name));
        }
        return Err(e);
    }
    Ok(key)
}

/// Unlock the root key of `dir`.
pub fn open_key(dir: &Path, passphrase: &SecretString) -> Result<SigningKey, AuthorityError> {
    Ok(keys::read_secret_key(&dir.join(KEY_FILE), passphrase)?)
}

/// Load the state of `dir`, sign the next trust list with `root` and record its sequence
/// number. The state is saved before the list is returned, so a list that is published never
/// has a sequence number the state has not recorded: the next list always has a higher one.
pub fn sign_trust_list(
    dir: &Path,
    root: &SigningKey,
    valid_days: u32,
    now: i64,
) -> Result<(Vec<u8>, TrustList), AuthorityError> {
    let mut state = RootState::load(dir)?;
    let signed = state.sign_next(root, valid_days, now)?;
    state.save(dir)?;
    Ok(signed)
}

/// Load the state of `dir`, apply `change`, and save it only if the change succeeded.
pub fn update<T>(
    dir: &Path,
    change: impl FnOnce(&mut RootState) -> Result<T, AuthorityError>,
) -> Result<T, AuthorityError> {
    let mut state = RootState::load(dir)?;
    let out = change(&mut state)?;
    state.save(dir)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
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
}
