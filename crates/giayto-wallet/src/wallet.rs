//! The wallet itself: opening it with the password or the passcode (counting wrong
//! passcodes), the lock, the persons and credentials it holds, backups, and writing it back.

use std::path::{Path, PathBuf};

use giayto_cose::claims::CredentialClaims;
use zeroize::Zeroizing;

use crate::codec::{parse_credential, Contents};
use crate::copies::HeldCopy;
use crate::envelope::{self, Envelope, KdfParams, Slot};
use crate::storage::{self, LockGuard};
use crate::{
    check_password, hex_lower, passcode_delay, passcode_ok, Person, Presenter, WalletError,
    MAX_CREDENTIALS, MAX_DEPENDENTS, MAX_PASSCODE_ATTEMPTS,
};

/// How to open a wallet.
pub enum Unlock<'a> {
    /// With the password: everything is allowed.
    Password(&'a str),
    /// With the 6-digit passcode: reading and presenting only.
    Passcode(&'a str),
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
    /// Its selective-disclosure copy (docs/format.md §14), when the issuer made one.
    pub sd: Option<giayto_cose::sd::HolderCopy>,
    /// One-time copies not shown yet, each with its key (docs/decisions.md D112).
    pub(crate) copies: Vec<HeldCopy>,
    /// One-time copies shown so far.
    pub(crate) copies_used: u64,
}

impl StoredCredential {
    /// Whether selective presentations of it use one-time copies (it has held some): then
    /// each is shown once, and none left is [`WalletError::NoCopiesLeft`].
    pub fn uses_one_time_copies(&self) -> bool {
        !self.copies.is_empty() || self.copies_used > 0
    }

    /// One-time copies left to show at `now` (not expired).
    pub fn copies_left(&self, now: i64) -> usize {
        self.copies.iter().filter(|c| !c.expired(now)).count()
    }

    /// One-time copies shown so far.
    pub fn copies_used(&self) -> u64 {
        self.copies_used
    }

    /// The credential's QR text (`VN1:`).
    pub fn text(&self) -> String {
        giayto_cose::text::encode(
            giayto_cose::text::Kind::Credential,
            &self.cose,
            Some(&giayto_cose::text::DICTIONARY_V1),
        )
    }
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
    pub(crate) contents: Contents,
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
        let contents = Contents {
            persons: vec![holder],
            credentials: Vec::new(),
            passcode_copy: None,
            pending: Vec::new(),
        };
        Self::create_with(path, contents, password, passcode, kdf)
    }

    /// A new wallet file holding `contents` (whose passcode copy is replaced by the new one).
    fn create_with(
        path: &Path,
        mut contents: Contents,
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
            contents: {
                contents.passcode_copy = Some(passcode_slot);
                contents
            },
            by_password: true,
            kdf,
        };
        wallet.save()?;
        Ok(wallet)
    }

    /// Open the wallet at `path` at time `now` (seconds; the passcode delay uses it).
    ///
    /// A wrong password changes nothing. A malformed passcode (not exactly 6 digits) is refused
    /// with [`WalletError::BadPasscodeFormat`] before the file is even read: it is not a try,
    /// and it changes nothing. A wrong passcode is counted in the file (the only change), and
    /// the fifth in a row erases the passcode slot.
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
        if let Unlock::Passcode(code) = unlock {
            if !passcode_ok(code) {
                return Err(WalletError::BadPasscodeFormat);
            }
        }
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
                match slot.unwrap(code.as_bytes(), env.kdf, Some(device.as_ref()))? {
                    Some(dek) => (dek, false),
                    None => {
                        env.failures = env.failures.saturating_add(1);
                        env.last_failure = now;
                        if env.failures >= MAX_PASSCODE_ATTEMPTS {
                            env.passcode = None;
                        }
                        storage::write_atomic(path, &env.to_bytes()?)?;
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
            storage::write_atomic(path, &wallet.env.to_bytes()?)?;
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
        storage::write_atomic(path, &env.to_bytes()?)
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
        Self::create_with(path, contents, password, passcode, kdf)
    }

    /// Whether the wallet is locked.
    pub fn is_locked(&self) -> bool {
        self.env.locked
    }

    /// Whether it was opened with the password.
    pub fn opened_with_password(&self) -> bool {
        self.by_password
    }

    pub(crate) fn readable(&self) -> Result<(), WalletError> {
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
            sd: None,
            copies: Vec::new(),
            copies_used: 0,
        });
        Ok(person)
    }

    /// Store the selective-disclosure copy of credential `index`, after checking it is the
    /// one issued with it: signed by `issuer_key` (the key the caller verified the full
    /// credential with) under the same key id, with the same claims besides the commitment,
    /// and openings that agree with the card ([`WalletError::SdMismatch`] otherwise). A copy
    /// already there is replaced.
    pub fn attach_sd(
        &mut self,
        index: usize,
        copy: giayto_cose::sd::HolderCopy,
        issuer_key: &[u8; 32],
    ) -> Result<(), WalletError> {
        self.readable()?;
        let c = self
            .contents
            .credentials
            .get_mut(index)
            .ok_or(WalletError::NoSuchCredential)?;
        crate::sd::check_copy(&copy, &c.cose, &c.claims, issuer_key)?;
        c.sd = Some(copy);
        Ok(())
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
        let person = self
            .contents
            .persons
            .get(c.person)
            .ok_or(WalletError::Format { what: "body" })?;
        if c.claims.holder_key != Some(person.public) {
            return Err(WalletError::OtherHolder);
        }
        Ok(Presenter {
            key: person.signing_key(),
            person: c.person,
            doc_type: c.claims.document.doc_type,
            credential: c.cose.clone(),
            sd: c.sd.clone(),
            one_time: false,
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
                .map(Person::duplicate)
                .collect(),
            credentials: self.contents.credentials.clone(),
            passcode_copy: None,
            pending: self.contents.pending.clone(),
        };
        env.set_body(&dek, &contents.to_bytes()?)?;
        env.to_bytes()
    }

    /// Write the wallet back (atomically). A wallet that would outgrow
    /// [`crate::MAX_WALLET_BYTES`] (which no reader accepts) is [`WalletError::Full`], and
    /// nothing is written.
    pub fn save(&mut self) -> Result<(), WalletError> {
        let plain = self.contents.to_bytes()?;
        self.env.set_body(&self.dek, &plain)?;
        let bytes = self.env.to_bytes()?;
        if bytes.len() as u64 > crate::MAX_WALLET_BYTES {
            return Err(WalletError::Full);
        }
        storage::write_atomic(&self.path, &bytes)
    }
}
