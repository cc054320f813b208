//! The wallet file's outer layout and its cryptography: Argon2id key derivation, key slots
//! that wrap the data key, XChaCha20-Poly1305 for the slots and the body.
//!
//! ```text
//! { 0: "giayto-wallet", 1: 1 (version), 2: [m_kib, t, p] (Argon2id cost),
//!   3: password slot {1: salt(16), 2: nonce(24), 3: wrapped data key(48)},
//!   4: passcode slot (same shape; absent when locked or after too many wrong passcodes),
//!   5: locked (bool), 6: consecutive wrong passcodes (uint), 7: time of the last one (int),
//!   8: body nonce(24), 9: body ciphertext }
//! ```
//! Everything outside the ciphertexts is plain: the cost, the salts, the lock flag and the
//! attempt counter. Nothing in it names the holder or a document.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use ciborium::value::Value;
use zeroize::Zeroizing;

use crate::WalletError;

/// Largest wallet file read: 16 MiB (a few hundred credentials with portraits).
pub const MAX_WALLET_BYTES: u64 = 16 * 1024 * 1024;
const MAGIC: &str = "giayto-wallet";
const VERSION: u64 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;
const AAD_PASSWORD: &[u8] = b"giayto-wallet/1/password-slot";
const AAD_PASSCODE: &[u8] = b"giayto-wallet/1/passcode-slot";
const AAD_BODY: &[u8] = b"giayto-wallet/1/body";

/// Argon2id cost of the wallet's key derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The default: 64 MiB, 3 passes, 1 lane (RFC 9106 §4, second recommended option, with one
    /// lane because a phone or laptop unlocks on one core); about 0.1 s on one laptop core.
    pub const DEFAULT: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };
    /// The largest cost a wallet file may ask for (1 GiB, 16 passes, 8 lanes): a crafted file
    /// cannot make the reader allocate more.
    pub const MAX: KdfParams = KdfParams {
        m_kib: 1024 * 1024,
        t: 16,
        p: 8,
    };

    /// A cheap cost for tests: `m_kib` KiB (at least 8), 1 pass, 1 lane. Never for real wallets.
    pub fn for_tests(m_kib: u32) -> KdfParams {
        KdfParams {
            m_kib: m_kib.max(8),
            t: 1,
            p: 1,
        }
    }

    fn in_bounds(self) -> bool {
        (1..=Self::MAX.p).contains(&self.p)
            && (1..=Self::MAX.t).contains(&self.t)
            && self.m_kib >= 8 * self.p
            && self.m_kib <= Self::MAX.m_kib
    }

    fn to_value(self) -> Value {
        Value::Array(vec![self.m_kib.into(), self.t.into(), self.p.into()])
    }

    fn from_value(v: &Value) -> Option<KdfParams> {
        let a = v.as_array()?;
        let n = |i: usize| -> Option<u32> {
            a.get(i)?.as_integer().and_then(|x| u32::try_from(x).ok())
        };
        if a.len() != 3 {
            return None;
        }
        let k = KdfParams {
            m_kib: n(0)?,
            t: n(1)?,
            p: n(2)?,
        };
        k.in_bounds().then_some(k)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::DEFAULT
    }
}

/// Fill a buffer from the operating system's generator.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], WalletError> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).map_err(|_| WalletError::Random)?;
    Ok(b)
}

/// Argon2id of `secret` with `salt`, keyed with `pepper` (Argon2's secret input) when given.
pub(crate) fn derive(
    secret: &[u8],
    salt: &[u8],
    kdf: KdfParams,
    pepper: Option<&[u8]>,
) -> Result<Zeroizing<[u8; KEY_LEN]>, WalletError> {
    let params = Params::new(kdf.m_kib, kdf.t, kdf.p, Some(KEY_LEN))
        .map_err(|_| WalletError::Format { what: "kdf" })?;
    let argon = match pepper {
        Some(p) => Argon2::new_with_secret(p, Algorithm::Argon2id, Version::V0x13, params)
            .map_err(|_| WalletError::Format { what: "kdf" })?,
        None => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
    };
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    argon
        .hash_password_into(secret, salt, out.as_mut())
        .map_err(|_| WalletError::Format { what: "kdf" })?;
    Ok(out)
}

/// Encrypt `plain`. XChaCha20-Poly1305 with a 32-byte key and a 24-byte nonce fails only for
/// inputs beyond its limit (256 GiB); should it fail, or return anything but the plaintext's
/// length plus the tag, the error stops the write, so no empty or short ciphertext reaches disk.
fn seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plain: &[u8],
) -> Result<Vec<u8>, WalletError> {
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let sealed = cipher
        .encrypt(XNonce::from_slice(nonce), Payload { msg: plain, aad })
        .map_err(|_| WalletError::Seal)?;
    checked_ciphertext(plain.len(), sealed)
}

/// `sealed` if it is as long as a ciphertext of `plain_len` bytes must be.
fn checked_ciphertext(plain_len: usize, sealed: Vec<u8>) -> Result<Vec<u8>, WalletError> {
    if plain_len.checked_add(TAG_LEN) == Some(sealed.len()) {
        Ok(sealed)
    } else {
        Err(WalletError::Seal)
    }
}

fn open(key: &[u8; KEY_LEN], nonce: &[u8], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if nonce.len() != NONCE_LEN {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
        .ok()
}

/// The data key wrapped under a key derived from a password or passcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
    wrapped: Vec<u8>,
}

impl Slot {
    /// Wrap `dek` under `secret` (with `pepper`, for the passcode).
    pub(crate) fn wrap(
        dek: &[u8; KEY_LEN],
        secret: &[u8],
        kdf: KdfParams,
        pepper: Option<&[u8]>,
    ) -> Result<Slot, WalletError> {
        let salt = random::<SALT_LEN>()?;
        let nonce = random::<NONCE_LEN>()?;
        let kek = derive(secret, &salt, kdf, pepper)?;
        let aad = if pepper.is_some() {
            AAD_PASSCODE
        } else {
            AAD_PASSWORD
        };
        Ok(Slot {
            salt,
            nonce,
            wrapped: seal(&kek, &nonce, aad, dek)?,
        })
    }

    /// The data key, if `secret` (and `pepper`) open the slot.
    pub(crate) fn unwrap(
        &self,
        secret: &[u8],
        kdf: KdfParams,
        pepper: Option<&[u8]>,
    ) -> Result<Option<Zeroizing<[u8; KEY_LEN]>>, WalletError> {
        let kek = derive(secret, &self.salt, kdf, pepper)?;
        let aad = if pepper.is_some() {
            AAD_PASSCODE
        } else {
            AAD_PASSWORD
        };
        Ok(open(&kek, &self.nonce, aad, &self.wrapped).and_then(|k| {
            let k = Zeroizing::new(k);
            let key: [u8; KEY_LEN] = k.as_slice().try_into().ok()?;
            Some(Zeroizing::new(key))
        }))
    }

    pub(crate) fn to_value(&self) -> Value {
        Value::Map(vec![
            (1.into(), Value::Bytes(self.salt.to_vec())),
            (2.into(), Value::Bytes(self.nonce.to_vec())),
            (3.into(), Value::Bytes(self.wrapped.clone())),
        ])
    }

    pub(crate) fn from_value(v: &Value) -> Option<Slot> {
        let m = v.as_map()?;
        if m.len() != 3 {
            return None;
        }
        Some(Slot {
            salt: bytes(m, 1)?.try_into().ok()?,
            nonce: bytes(m, 2)?.try_into().ok()?,
            wrapped: bytes(m, 3)
                .filter(|w| w.len() == KEY_LEN + TAG_LEN)?
                .to_vec(),
        })
    }
}

pub(crate) fn get(m: &[(Value, Value)], key: i64) -> Option<&Value> {
    m.iter()
        .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))
        .map(|(_, v)| v)
}

pub(crate) fn bytes(m: &[(Value, Value)], key: i64) -> Option<&[u8]> {
    get(m, key)?.as_bytes().map(Vec::as_slice)
}

pub(crate) fn int(m: &[(Value, Value)], key: i64) -> Option<i64> {
    get(m, key)?
        .as_integer()
        .and_then(|i| i64::try_from(i).ok())
}

/// The outer layout of a wallet file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Envelope {
    pub kdf: KdfParams,
    pub password: Slot,
    pub passcode: Option<Slot>,
    pub locked: bool,
    pub failures: u32,
    pub last_failure: i64,
    pub body_nonce: [u8; NONCE_LEN],
    pub body: Vec<u8>,
}

impl Envelope {
    /// Seal `plain` as a new body under `dek`.
    pub(crate) fn set_body(
        &mut self,
        dek: &[u8; KEY_LEN],
        plain: &[u8],
    ) -> Result<(), WalletError> {
        self.body_nonce = random::<NONCE_LEN>()?;
        self.body = seal(dek, &self.body_nonce, AAD_BODY, plain)?;
        Ok(())
    }

    /// The body's plaintext, if `dek` opens it.
    pub(crate) fn open_body(&self, dek: &[u8; KEY_LEN]) -> Option<Zeroizing<Vec<u8>>> {
        open(dek, &self.body_nonce, AAD_BODY, &self.body).map(Zeroizing::new)
    }

    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, WalletError> {
        let mut m = vec![
            (0.into(), Value::Text(MAGIC.into())),
            (1.into(), VERSION.into()),
            (2.into(), self.kdf.to_value()),
            (3.into(), self.password.to_value()),
        ];
        if let Some(p) = &self.passcode {
            m.push((4.into(), p.to_value()));
        }
        m.extend([
            (5.into(), Value::Bool(self.locked)),
            (6.into(), self.failures.into()),
            (7.into(), self.last_failure.into()),
            (8.into(), Value::Bytes(self.body_nonce.to_vec())),
            (9.into(), Value::Bytes(self.body.clone())),
        ]);
        let mut out = Vec::with_capacity(self.body.len() + 512);
        ciborium::ser::into_writer(&Value::Map(m), &mut out).map_err(|_| WalletError::Encode {
            what: "wallet file",
        })?;
        Ok(out)
    }

    pub(crate) fn from_bytes(input: &[u8]) -> Result<Envelope, WalletError> {
        let format = |what| WalletError::Format { what };
        if input.len() as u64 > MAX_WALLET_BYTES {
            return Err(format("size"));
        }
        let value: Value =
            ciborium::de::from_reader_with_recursion_limit(input, 8).map_err(|_| format("cbor"))?;
        let m = value.as_map().ok_or(format("cbor"))?;
        if get(m, 0).and_then(Value::as_text) != Some(MAGIC) {
            return Err(format("magic"));
        }
        if int(m, 1) != Some(VERSION as i64) {
            return Err(format("version"));
        }
        let kdf = get(m, 2)
            .and_then(KdfParams::from_value)
            .ok_or(format("kdf"))?;
        let password = get(m, 3)
            .and_then(Slot::from_value)
            .ok_or(format("password-slot"))?;
        let passcode = match get(m, 4) {
            None => None,
            Some(v) => Some(Slot::from_value(v).ok_or(format("passcode-slot"))?),
        };
        let locked = match get(m, 5) {
            Some(Value::Bool(b)) => *b,
            _ => return Err(format("state")),
        };
        let failures = int(m, 6)
            .and_then(|f| u32::try_from(f).ok())
            .ok_or(format("state"))?;
        let last_failure = int(m, 7).ok_or(format("state"))?;
        let body_nonce = bytes(m, 8)
            .and_then(|n| n.try_into().ok())
            .ok_or(format("body"))?;
        let body = bytes(m, 9).ok_or(format("body"))?.to_vec();
        Ok(Envelope {
            kdf,
            password,
            passcode,
            locked,
            failures,
            last_failure,
            body_nonce,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ciphertext_of_the_wrong_length_is_an_error_not_an_empty_body() {
        // What a failed seal used to turn into: an empty ciphertext.
        assert!(matches!(
            checked_ciphertext(48, Vec::new()),
            Err(WalletError::Seal)
        ));
        assert!(matches!(
            checked_ciphertext(32, vec![0; 47]),
            Err(WalletError::Seal)
        ));
        assert!(matches!(
            checked_ciphertext(usize::MAX, vec![0; 16]),
            Err(WalletError::Seal)
        ));
        assert_eq!(checked_ciphertext(0, vec![1; 16]).unwrap(), vec![1; 16]);
    }

    #[test]
    fn seal_and_open_round_trip_and_detect_changes() {
        let key = [5u8; KEY_LEN];
        let nonce = [6u8; NONCE_LEN];
        let sealed = seal(&key, &nonce, AAD_BODY, b"giay to").unwrap();
        assert_eq!(sealed.len(), 7 + TAG_LEN);
        assert_eq!(
            open(&key, &nonce, AAD_BODY, &sealed).as_deref(),
            Some(&b"giay to"[..])
        );
        assert!(open(&key, &nonce, AAD_PASSWORD, &sealed).is_none());
        let mut changed = sealed.clone();
        changed[0] ^= 1;
        assert!(open(&key, &nonce, AAD_BODY, &changed).is_none());
    }

    #[test]
    fn an_envelope_round_trips() {
        let dek = [7u8; KEY_LEN];
        let kdf = KdfParams::for_tests(8);
        let mut env = Envelope {
            kdf,
            password: Slot::wrap(&dek, b"Mat-khau-1", kdf, None).unwrap(),
            passcode: None,
            locked: true,
            failures: 2,
            last_failure: 1_795_392_000,
            body_nonce: [0; NONCE_LEN],
            body: Vec::new(),
        };
        env.set_body(&dek, b"body").unwrap();
        let back = Envelope::from_bytes(&env.to_bytes().unwrap()).unwrap();
        assert_eq!(back, env);
        assert_eq!(
            back.open_body(&dek).as_deref().map(Vec::as_slice),
            Some(&b"body"[..])
        );
    }
}
