//! The holder's wallet: credentials of the holder and their dependents, in one encrypted file,
//! and the holder-bound presentations (`VP1:`) made from them.
//!
//! * The file is encrypted with XChaCha20-Poly1305 under a random data key. The data key is
//!   wrapped twice: under an Argon2id key from the password (8–20 characters, digit, upper,
//!   lower, special), and under an Argon2id key from the 6-digit passcode keyed with a device
//!   secret kept in a separate file, so the wallet file alone gives no way to try passcodes.
//! * Wrong passcodes are counted in the file; each one makes the next try wait longer, and the
//!   fifth erases the passcode's key slot, after which only the password opens the wallet.
//! * `lock` erases the passcode slot and sets a flag: a locked wallet shows and presents
//!   nothing until `unlock` with the password puts the slot back (its copy lives inside the
//!   encrypted body).
//! * Each person (the holder, each dependent) has an Ed25519 key made inside the wallet; a
//!   credential is stored under the person whose key its `cnf` names, and presented by signing
//!   `{1: credential, 2: iat, 3: nonce}` with that key.
//!
//! See `docs/wallet.md` for what an attacker with the file can and cannot do.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod envelope;
pub mod password;
pub mod storage;

use std::path::{Path, PathBuf};

use ciborium::value::Value;
use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::{SigningKey, VerifyingKey};
use giayto_cose::claims::CredentialClaims;
use giayto_cose::presentation::{PresentationPayload, MAX_NONCE};
use giayto_cose::sign1::Sign1;
use giayto_cose::{sign1, CREDENTIAL_TYP, PRESENTATION_TYP};
use zeroize::Zeroizing;

pub use envelope::{KdfParams, MAX_WALLET_BYTES};
pub use password::{check_password, passcode_ok, PasswordProblem};

use envelope::{Envelope, Slot};
use storage::LockGuard;

/// Wrong passcodes in a row after which the passcode stops working until the password is used.
pub const MAX_PASSCODE_ATTEMPTS: u32 = 5;
/// Longest name or relationship, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Most dependents in one wallet.
pub const MAX_DEPENDENTS: usize = 32;
/// Most credentials in one wallet.
pub const MAX_CREDENTIALS: usize = 512;

/// Seconds to wait before the next passcode try after `failures` wrong ones in a row.
pub fn passcode_delay(failures: u32) -> i64 {
    match failures {
        0 | 1 => 0,
        n => 30 * (1i64 << (n - 2).min(10)),
    }
}

/// Why a wallet operation failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum WalletError {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A wallet already exists there.
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a giayto wallet (or is damaged).
    Format {
        /// What part is wrong.
        what: &'static str,
    },
    /// The password does not open the wallet.
    WrongPassword,
    /// The passcode does not open the wallet; `remaining` more tries before it stops working.
    WrongPasscode {
        /// Tries left.
        remaining: u32,
    },
    /// Too soon after wrong passcodes: try again in this many seconds.
    PasscodeWait {
        /// Seconds to wait.
        seconds: i64,
    },
    /// The passcode cannot open this wallet now (locked, too many wrong tries, or the device
    /// secret is missing): use the password.
    PasscodeUnavailable,
    /// The wallet is locked: unlock it with the password first.
    Locked,
    /// This operation needs the password, not the passcode.
    PasswordRequired,
    /// A new password breaks these rules.
    WeakPassword(Vec<PasswordProblem>),
    /// A passcode is not six digits.
    BadPasscodeFormat,
    /// The system random number generator failed.
    Random,
    /// A name or relationship is empty or too long.
    BadName,
    /// A person of that name is already in the wallet.
    PersonExists,
    /// No person of that name.
    NoSuchPerson(String),
    /// Too many dependents or credentials.
    Full,
    /// The credential cannot be parsed.
    Credential,
    /// The credential is bound to no holder key.
    NotBound,
    /// The credential is bound to a key of no one in this wallet.
    OtherHolder,
    /// The credential is already in the wallet.
    Duplicate,
    /// No stored credential matches.
    NoSuchCredential,
    /// Several stored credentials match; say which.
    Ambiguous,
    /// A nonce of more than 64 bytes, or empty.
    BadNonce,
}

impl std::fmt::Display for WalletError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalletError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            WalletError::Exists { path } => write!(f, "{} already exists", path.display()),
            WalletError::Format { what } => write!(f, "not a giayto wallet ({what})"),
            WalletError::WrongPassword => write!(f, "wrong password"),
            WalletError::WrongPasscode { remaining } => {
                write!(f, "wrong passcode, {remaining} tries left")
            }
            WalletError::PasscodeWait { seconds } => write!(f, "try again in {seconds} s"),
            WalletError::PasscodeUnavailable => write!(f, "the passcode cannot open this wallet"),
            WalletError::Locked => write!(f, "the wallet is locked"),
            WalletError::PasswordRequired => write!(f, "this needs the password"),
            WalletError::WeakPassword(p) => write!(
                f,
                "password breaks rules: {}",
                p.iter().map(|p| p.code()).collect::<Vec<_>>().join(", ")
            ),
            WalletError::BadPasscodeFormat => write!(f, "a passcode is 6 digits"),
            WalletError::Random => write!(f, "the random number generator failed"),
            WalletError::BadName => write!(f, "empty or too long name"),
            WalletError::PersonExists => write!(f, "a person of that name exists"),
            WalletError::NoSuchPerson(n) => write!(f, "no person named {n}"),
            WalletError::Full => write!(f, "the wallet is full"),
            WalletError::Credential => write!(f, "not a credential"),
            WalletError::NotBound => write!(f, "the credential is bound to no holder key"),
            WalletError::OtherHolder => write!(f, "the credential belongs to another holder"),
            WalletError::Duplicate => write!(f, "the credential is already in the wallet"),
            WalletError::NoSuchCredential => write!(f, "no such credential"),
            WalletError::Ambiguous => write!(f, "several credentials match"),
            WalletError::BadNonce => write!(f, "a nonce is 1 to 64 bytes"),
        }
    }
}

impl std::error::Error for WalletError {}

/// How to open a wallet.
pub enum Unlock<'a> {
    /// With the password: everything is allowed.
    Password(&'a str),
    /// With the 6-digit passcode: reading and presenting only.
    Passcode(&'a str),
}

/// A person whose credentials the wallet holds: the holder or a dependent.
pub struct Person {
    /// Name as the holder typed it.
    pub name: String,
    /// Relationship to the holder (`None` for the holder).
    pub relationship: Option<String>,
    seed: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("name", &self.name)
            .field("relationship", &self.relationship)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl Person {
    fn new(
        name: &str,
        relationship: Option<&str>,
        seed: Zeroizing<[u8; 32]>,
    ) -> Result<Person, WalletError> {
        let name = clean_name(name)?;
        let relationship = relationship.map(clean_name).transpose()?;
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        Ok(Person {
            name,
            relationship,
            seed,
            public,
        })
    }
    /// The person's raw Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }
    /// The public key as PEM (SubjectPublicKeyInfo), for `giayto issue --holder-pub`.
    pub fn public_key_pem(&self) -> String {
        VerifyingKey::from_bytes(&self.public)
            .ok()
            .and_then(|k| k.to_public_key_pem(Default::default()).ok())
            .unwrap_or_default()
    }
    /// Whether this is the wallet's holder.
    pub fn is_holder(&self) -> bool {
        self.relationship.is_none()
    }
    fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.seed)
    }
}

fn clean_name(s: &str) -> Result<String, WalletError> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 || n > MAX_NAME_CHARS || t.chars().any(char::is_control) {
        return Err(WalletError::BadName);
    }
    Ok(t.to_owned())
}

/// A credential in the wallet.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    /// Index of its person in [`Wallet::persons`].
    pub person: usize,
    /// The COSE_Sign1 bytes as issued.
    pub cose: Vec<u8>,
    /// When it was added.
    pub added_at: i64,
    /// Its claims (verified when it was added).
    pub claims: CredentialClaims,
}

impl StoredCredential {
    /// The credential's QR text (`VN1:`).
    pub fn text(&self) -> String {
        giayto_cose::text::encode(
            giayto_cose::text::Kind::Credential,
            &self.cose,
            Some(&giayto_cose::text::DICTIONARY_V1),
        )
    }
}

fn parse_credential(cose: &[u8]) -> Result<CredentialClaims, WalletError> {
    let signed = Sign1::parse(cose, CREDENTIAL_TYP).map_err(|_| WalletError::Credential)?;
    CredentialClaims::from_bytes(signed.payload()).map_err(|_| WalletError::Credential)
}

struct Contents {
    persons: Vec<Person>,
    credentials: Vec<StoredCredential>,
    passcode_copy: Option<Slot>,
}

impl Contents {
    fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let persons = self
            .persons
            .iter()
            .map(|p| {
                let mut m = vec![
                    (1.into(), Value::Text(p.name.clone())),
                    (3.into(), Value::Bytes(p.seed.to_vec())),
                ];
                if let Some(r) = &p.relationship {
                    m.push((2.into(), Value::Text(r.clone())));
                }
                Value::Map(m)
            })
            .collect();
        let credentials = self
            .credentials
            .iter()
            .map(|c| {
                Value::Map(vec![
                    (1.into(), (c.person as u64).into()),
                    (2.into(), Value::Bytes(c.cose.clone())),
                    (3.into(), c.added_at.into()),
                ])
            })
            .collect();
        let mut m = vec![
            (1.into(), Value::Array(persons)),
            (2.into(), Value::Array(credentials)),
        ];
        if let Some(s) = &self.passcode_copy {
            m.push((3.into(), s.to_value()));
        }
        let value = Value::Map(m);
        let mut out = Zeroizing::new(Vec::new());
        let _ = ciborium::ser::into_writer(&value, &mut *out);
        zeroize_value(value);
        out
    }

    fn from_bytes(bytes: &[u8]) -> Result<Contents, WalletError> {
        use envelope::{bytes as get_bytes, get, int};
        let format = || WalletError::Format { what: "body" };
        let value: Value =
            ciborium::de::from_reader_with_recursion_limit(bytes, 8).map_err(|_| format())?;
        let result = (|| {
            let m = value.as_map().ok_or_else(format)?;
            let mut persons = Vec::new();
            for p in get(m, 1).and_then(Value::as_array).ok_or_else(format)? {
                let pm = p.as_map().ok_or_else(format)?;
                let name = get(pm, 1).and_then(Value::as_text).ok_or_else(format)?;
                let relationship = match get(pm, 2) {
                    None => None,
                    Some(v) => Some(v.as_text().ok_or_else(format)?),
                };
                let seed: [u8; 32] = get_bytes(pm, 3)
                    .and_then(|s| s.try_into().ok())
                    .ok_or_else(format)?;
                persons.push(Person::new(name, relationship, Zeroizing::new(seed))?);
            }
            if persons.first().is_none_or(|p| !p.is_holder())
                || persons.iter().skip(1).any(Person::is_holder)
            {
                return Err(format());
            }
            let mut credentials = Vec::new();
            for c in get(m, 2).and_then(Value::as_array).ok_or_else(format)? {
                let cm = c.as_map().ok_or_else(format)?;
                let person = int(cm, 1)
                    .and_then(|i| usize::try_from(i).ok())
                    .filter(|i| *i < persons.len())
                    .ok_or_else(format)?;
                let cose = get_bytes(cm, 2).ok_or_else(format)?.to_vec();
                let added_at = int(cm, 3).ok_or_else(format)?;
                let claims = parse_credential(&cose).map_err(|_| format())?;
                credentials.push(StoredCredential {
                    person,
                    cose,
                    added_at,
                    claims,
                });
            }
            let passcode_copy = match get(m, 3) {
                None => None,
                Some(v) => Some(Slot::from_value(v).ok_or_else(format)?),
            };
            Ok(Contents {
                persons,
                credentials,
                passcode_copy,
            })
        })();
        zeroize_value(value);
        result
    }
}

/// Overwrite the byte strings (the seeds) of a decoded value before it is dropped.
fn zeroize_value(mut value: Value) {
    use zeroize::Zeroize;
    fn walk(v: &mut Value) {
        match v {
            Value::Bytes(b) => b.zeroize(),
            Value::Array(a) => a.iter_mut().for_each(walk),
            Value::Map(m) => m.iter_mut().for_each(|(k, v)| {
                walk(k);
                walk(v)
            }),
            _ => {}
        }
    }
    walk(&mut value);
}

/// Whether a wallet is locked, and whether its passcode works; readable without a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Locked by `lock`.
    pub locked: bool,
    /// The passcode can open it now (not locked, not disabled by wrong tries, device secret there).
    pub passcode_available: bool,
    /// Wrong passcodes in a row.
    pub failures: u32,
}

/// Read a wallet's status without unlocking it.
pub fn status(path: &Path) -> Result<Status, WalletError> {
    let _guard = storage::lock(path)?;
    let env = Envelope::from_bytes(&storage::read(path)?)?;
    Ok(Status {
        locked: env.locked,
        passcode_available: env.passcode.is_some() && storage::device_secret(path).is_some(),
        failures: env.failures,
    })
}

/// An open wallet. It holds the wallet's lock until dropped; changes are written by
/// [`Wallet::save`].
pub struct Wallet {
    path: PathBuf,
    _guard: LockGuard,
    env: Envelope,
    dek: Zeroizing<[u8; 32]>,
    contents: Contents,
    by_password: bool,
    kdf: KdfParams,
}

fn check_new_password(password: &str) -> Result<(), WalletError> {
    let problems = check_password(password);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(WalletError::WeakPassword(problems))
    }
}

impl Wallet {
    /// Create a new wallet at `path` for `holder_name`, with a new holder key.
    pub fn create(
        path: &Path,
        holder_name: &str,
        password: &str,
        passcode: &str,
        kdf: KdfParams,
    ) -> Result<Wallet, WalletError> {
        let holder = Person::new(holder_name, None, Zeroizing::new(envelope::random::<32>()?))?;
        Self::create_with(path, vec![holder], Vec::new(), password, passcode, kdf)
    }

    fn create_with(
        path: &Path,
        persons: Vec<Person>,
        credentials: Vec<StoredCredential>,
        password: &str,
        passcode: &str,
        kdf: KdfParams,
    ) -> Result<Wallet, WalletError> {
        check_new_password(password)?;
        if !passcode_ok(passcode) {
            return Err(WalletError::BadPasscodeFormat);
        }
        let guard = storage::lock(path)?;
        if path.exists() {
            return Err(WalletError::Exists {
                path: path.to_owned(),
            });
        }
        let device = storage::new_device_secret(path)?;
        let dek = Zeroizing::new(envelope::random::<32>()?);
        let passcode_slot = Slot::wrap(&dek, passcode.as_bytes(), kdf, Some(device.as_ref()))?;
        let env = Envelope {
            kdf,
            password: Slot::wrap(&dek, password.as_bytes(), kdf, None)?,
            passcode: Some(passcode_slot.clone()),
            locked: false,
            failures: 0,
            last_failure: 0,
            body_nonce: [0; 24],
            body: Vec::new(),
        };
        let mut wallet = Wallet {
            path: path.to_owned(),
            _guard: guard,
            env,
            dek,
            contents: Contents {
                persons,
                credentials,
                passcode_copy: Some(passcode_slot),
            },
            by_password: true,
            kdf,
        };
        wallet.save()?;
        Ok(wallet)
    }

    /// Open the wallet at `path` at time `now` (seconds; the passcode delay uses it).
    ///
    /// A wrong password changes nothing. A wrong passcode is counted in the file (the only
    /// change), and the fifth in a row erases the passcode slot.
    pub fn open(path: &Path, unlock: Unlock<'_>, now: i64) -> Result<Wallet, WalletError> {
        Self::open_with_kdf(path, unlock, now, KdfParams::DEFAULT)
    }

    /// Like [`Wallet::open`], with the cost used for any key slot written while open.
    pub fn open_with_kdf(
        path: &Path,
        unlock: Unlock<'_>,
        now: i64,
        kdf: KdfParams,
    ) -> Result<Wallet, WalletError> {
        let guard = storage::lock(path)?;
        let mut env = Envelope::from_bytes(&storage::read(path)?)?;
        let (dek, by_password) = match unlock {
            Unlock::Password(p) => (
                env.password
                    .unwrap(p.as_bytes(), env.kdf, None)?
                    .ok_or(WalletError::WrongPassword)?,
                true,
            ),
            Unlock::Passcode(code) => {
                if env.locked {
                    return Err(WalletError::Locked);
                }
                let (Some(slot), Some(device)) = (&env.passcode, storage::device_secret(path))
                else {
                    return Err(WalletError::PasscodeUnavailable);
                };
                let wait = env
                    .last_failure
                    .saturating_add(passcode_delay(env.failures))
                    .saturating_sub(now);
                if env.failures > 0 && wait > 0 {
                    return Err(WalletError::PasscodeWait { seconds: wait });
                }
                let opened = if passcode_ok(code) {
                    slot.unwrap(code.as_bytes(), env.kdf, Some(device.as_ref()))?
                } else {
                    None
                };
                match opened {
                    Some(dek) => (dek, false),
                    None => {
                        env.failures = env.failures.saturating_add(1);
                        env.last_failure = now;
                        if env.failures >= MAX_PASSCODE_ATTEMPTS {
                            env.passcode = None;
                        }
                        storage::write_atomic(path, &env.to_bytes())?;
                        return Err(WalletError::WrongPasscode {
                            remaining: MAX_PASSCODE_ATTEMPTS.saturating_sub(env.failures),
                        });
                    }
                }
            }
        };
        let plain = env
            .open_body(&dek)
            .ok_or(WalletError::Format { what: "body" })?;
        let contents = Contents::from_bytes(&plain)?;
        let mut wallet = Wallet {
            path: path.to_owned(),
            _guard: guard,
            env,
            dek,
            contents,
            by_password,
            kdf,
        };
        // A right answer clears the count of wrong passcodes; the password also brings back a
        // passcode slot erased by too many of them (not one erased by `lock`).
        let mut changed = false;
        if wallet.env.failures != 0 {
            wallet.env.failures = 0;
            wallet.env.last_failure = 0;
            changed = true;
        }
        if by_password && !wallet.env.locked && wallet.env.passcode.is_none() {
            if let Some(copy) = &wallet.contents.passcode_copy {
                wallet.env.passcode = Some(copy.clone());
                changed = true;
            }
        }
        if changed {
            storage::write_atomic(path, &wallet.env.to_bytes())?;
        }
        Ok(wallet)
    }

    /// Lock the wallet at `path`: erase the passcode slot and set the locked flag. Needs no
    /// secret (anyone holding the phone may lock it; only the password unlocks).
    pub fn lock(path: &Path) -> Result<(), WalletError> {
        let _guard = storage::lock(path)?;
        let mut env = Envelope::from_bytes(&storage::read(path)?)?;
        if env.locked && env.passcode.is_none() {
            return Ok(());
        }
        env.locked = true;
        env.passcode = None;
        storage::write_atomic(path, &env.to_bytes())
    }

    /// Restore a wallet from a backup made by [`Wallet::export`], at a new `path`, with a new
    /// passcode and device secret.
    pub fn import(
        path: &Path,
        backup: &[u8],
        password: &str,
        passcode: &str,
        kdf: KdfParams,
    ) -> Result<Wallet, WalletError> {
        let env = Envelope::from_bytes(backup)?;
        let dek = env
            .password
            .unwrap(password.as_bytes(), env.kdf, None)?
            .ok_or(WalletError::WrongPassword)?;
        let plain = env
            .open_body(&dek)
            .ok_or(WalletError::Format { what: "body" })?;
        let contents = Contents::from_bytes(&plain)?;
        Self::create_with(
            path,
            contents.persons,
            contents.credentials,
            password,
            passcode,
            kdf,
        )
    }

    /// Whether the wallet is locked.
    pub fn is_locked(&self) -> bool {
        self.env.locked
    }

    /// Whether it was opened with the password.
    pub fn opened_with_password(&self) -> bool {
        self.by_password
    }

    fn readable(&self) -> Result<(), WalletError> {
        if self.env.locked {
            Err(WalletError::Locked)
        } else {
            Ok(())
        }
    }

    fn writable(&self) -> Result<(), WalletError> {
        self.readable()?;
        if self.by_password {
            Ok(())
        } else {
            Err(WalletError::PasswordRequired)
        }
    }

    /// Unlock a locked wallet (opened with the password): the passcode works again.
    pub fn unlock(&mut self) -> Result<(), WalletError> {
        if !self.by_password {
            return Err(WalletError::PasswordRequired);
        }
        self.env.locked = false;
        self.env.passcode = self.contents.passcode_copy.clone();
        self.save()
    }

    /// The holder (index 0) and the dependents.
    pub fn persons(&self) -> Result<&[Person], WalletError> {
        self.readable()?;
        Ok(&self.contents.persons)
    }

    /// The index of the person named `name`, or the holder's (0) when `None`.
    pub fn person_index(&self, name: Option<&str>) -> Result<usize, WalletError> {
        self.readable()?;
        match name {
            None => Ok(0),
            Some(n) => self
                .contents
                .persons
                .iter()
                .position(|p| p.name == n.trim())
                .ok_or_else(|| WalletError::NoSuchPerson(n.to_owned())),
        }
    }

    /// The stored credentials.
    pub fn credentials(&self) -> Result<&[StoredCredential], WalletError> {
        self.readable()?;
        Ok(&self.contents.credentials)
    }

    /// Add a dependent with a new key; returns its index.
    pub fn add_dependent(&mut self, name: &str, relationship: &str) -> Result<usize, WalletError> {
        self.writable()?;
        if self.contents.persons.len() > MAX_DEPENDENTS {
            return Err(WalletError::Full);
        }
        let person = Person::new(
            name,
            Some(relationship),
            Zeroizing::new(envelope::random::<32>()?),
        )?;
        if self.contents.persons.iter().any(|p| p.name == person.name) {
            return Err(WalletError::PersonExists);
        }
        self.contents.persons.push(person);
        Ok(self.contents.persons.len() - 1)
    }

    /// Store a credential the caller has verified. It goes to the person whose key its `cnf`
    /// names; a credential without `cnf`, or bound to someone else's key, is refused. Returns
    /// the person's index.
    pub fn add_credential(&mut self, cose: &[u8], now: i64) -> Result<usize, WalletError> {
        self.readable()?;
        let claims = parse_credential(cose)?;
        let key = claims.holder_key.ok_or(WalletError::NotBound)?;
        let person = self
            .contents
            .persons
            .iter()
            .position(|p| p.public == key)
            .ok_or(WalletError::OtherHolder)?;
        if self
            .contents
            .credentials
            .iter()
            .any(|c| c.claims.issuer == claims.issuer && c.claims.serial == claims.serial)
        {
            return Err(WalletError::Duplicate);
        }
        if self.contents.credentials.len() >= MAX_CREDENTIALS {
            return Err(WalletError::Full);
        }
        self.contents.credentials.push(StoredCredential {
            person,
            cose: cose.to_vec(),
            added_at: now,
            claims,
        });
        Ok(person)
    }

    /// The index of the one credential that matches: of `person`, of document type `doc_type`
    /// (code) and/or whose serial (hex) starts with `serial`.
    pub fn find(
        &self,
        person: Option<usize>,
        doc_type: Option<u64>,
        serial: Option<&str>,
    ) -> Result<usize, WalletError> {
        self.readable()?;
        let serial = serial.map(|s| s.trim().to_ascii_lowercase());
        let matches: Vec<usize> = self
            .contents
            .credentials
            .iter()
            .enumerate()
            .filter(|(_, c)| person.is_none_or(|p| c.person == p))
            .filter(|(_, c)| doc_type.is_none_or(|t| c.claims.document.doc_type == t))
            .filter(|(_, c)| {
                serial
                    .as_deref()
                    .is_none_or(|s| !s.is_empty() && hex_lower(&c.claims.serial).starts_with(s))
            })
            .map(|(i, _)| i)
            .collect();
        match matches.as_slice() {
            [] => Err(WalletError::NoSuchCredential),
            [one] => Ok(*one),
            _ => Err(WalletError::Ambiguous),
        }
    }

    /// Remove a stored credential.
    pub fn remove_credential(&mut self, index: usize) -> Result<StoredCredential, WalletError> {
        self.writable()?;
        if index >= self.contents.credentials.len() {
            return Err(WalletError::NoSuchCredential);
        }
        Ok(self.contents.credentials.remove(index))
    }

    /// A presentation of credential `index` signed at `now` (COSE bytes; encode with
    /// `giayto_cose::text::encode(Kind::Presentation, ..)`), with the verifier's `nonce`.
    pub fn present(
        &self,
        index: usize,
        now: i64,
        nonce: Option<&[u8]>,
    ) -> Result<Vec<u8>, WalletError> {
        self.presenter(index)?.sign(now, nonce)
    }

    /// What it takes to present credential `index` again and again (`--watch`) without keeping
    /// the wallet open: the credential and its person's key.
    pub fn presenter(&self, index: usize) -> Result<Presenter, WalletError> {
        self.readable()?;
        let c = self
            .contents
            .credentials
            .get(index)
            .ok_or(WalletError::NoSuchCredential)?;
        let person = &self.contents.persons[c.person];
        if c.claims.holder_key != Some(person.public) {
            return Err(WalletError::OtherHolder);
        }
        Ok(Presenter {
            key: person.signing_key(),
            person: c.person,
            doc_type: c.claims.document.doc_type,
            credential: c.cose.clone(),
        })
    }

    /// Change the password (the passcode stays).
    pub fn change_password(&mut self, new_password: &str) -> Result<(), WalletError> {
        self.writable()?;
        check_new_password(new_password)?;
        self.env.password = Slot::wrap(&self.dek, new_password.as_bytes(), self.kdf, None)?;
        self.env.kdf = self.kdf;
        self.save()
    }

    /// An encrypted backup: a wallet file under the same password, with a fresh data key, no
    /// passcode and no device binding. Needs the password.
    pub fn export(&self, password: &str) -> Result<Vec<u8>, WalletError> {
        self.writable()?;
        let dek = Zeroizing::new(envelope::random::<32>()?);
        let mut env = Envelope {
            kdf: self.kdf,
            password: Slot::wrap(&dek, password.as_bytes(), self.kdf, None)?,
            passcode: None,
            locked: false,
            failures: 0,
            last_failure: 0,
            body_nonce: [0; 24],
            body: Vec::new(),
        };
        // The password given must be the wallet's (the backup is for its owner).
        if self
            .env
            .password
            .unwrap(password.as_bytes(), self.env.kdf, None)?
            .is_none()
        {
            return Err(WalletError::WrongPassword);
        }
        let contents = Contents {
            persons: self
                .contents
                .persons
                .iter()
                .map(|p| Person {
                    name: p.name.clone(),
                    relationship: p.relationship.clone(),
                    seed: p.seed.clone(),
                    public: p.public,
                })
                .collect(),
            credentials: self.contents.credentials.clone(),
            passcode_copy: None,
        };
        env.set_body(&dek, &contents.to_bytes())?;
        Ok(env.to_bytes())
    }

    /// Write the wallet back (atomically).
    pub fn save(&mut self) -> Result<(), WalletError> {
        let plain = self.contents.to_bytes();
        self.env.set_body(&self.dek, &plain)?;
        storage::write_atomic(&self.path, &self.env.to_bytes())
    }
}

/// A credential and the key that presents it. The key is wiped when this is dropped.
pub struct Presenter {
    key: SigningKey,
    person: usize,
    doc_type: u64,
    credential: Vec<u8>,
}

impl Presenter {
    /// Index of the credential's person.
    pub fn person(&self) -> usize {
        self.person
    }
    /// The credential's document type code.
    pub fn doc_type(&self) -> u64 {
        self.doc_type
    }
    /// Sign a presentation at `now`, with the verifier's `nonce` (1 to 64 bytes) if any.
    pub fn sign(&self, now: i64, nonce: Option<&[u8]>) -> Result<Vec<u8>, WalletError> {
        if nonce.is_some_and(|n| n.is_empty() || n.len() > MAX_NONCE) {
            return Err(WalletError::BadNonce);
        }
        let payload = PresentationPayload {
            credential: self.credential.clone(),
            issued_at: now,
            nonce: nonce.map(<[u8]>::to_vec),
        };
        sign1::sign(&self.key, PRESENTATION_TYP, payload.to_bytes())
            .map_err(|_| WalletError::Random)
    }
}

/// Lower-case hex.
pub fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
