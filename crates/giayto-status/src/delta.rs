//! Status deltas (`docs/format.md` §9.8): the entries of one status list that changed since an
//! earlier list of the same uri, signed by the issuer, small enough for a QR code (`VD1:`).
//!
//! A delta names its base — the list it applies to — by that list's `iat` and a hash of its
//! entries, and carries the `iat`, `exp` and `ttl` of the list it produces. Applied to its base
//! it gives, entry for entry, the list the issuer publishes at the delta's `iat`; a device then
//! treats the result exactly as it would that full list (rollback by `iat`, staleness by `exp`).
//! The signature covers the base, the changes and the new times (not the new list's own
//! token: that token's bytes depend on the zlib encoder, which a device cannot be asked to
//! reproduce byte for byte; docs/decisions.md D124).

use ciborium::value::Value;
use ed25519_dalek::VerifyingKey;
use giayto_cose::cbor::{self, as_time, as_u64, get_int};
use giayto_cose::sign1::{self, CoseError, Sign1};
use giayto_cose::{Signer, STATUS_DELTA_TYP};
use sha2::{Digest, Sha256};

use crate::list::{Status, StatusList, MAX_ENTRIES};
use crate::token::{StatusListToken, MAX_URI_LEN};

/// The text prefix of a status delta QR code.
pub const DELTA_PREFIX: &str = "VD1:";
/// Longest delta text accepted, prefix included (a version 40 QR code holds 4,296 alphanumeric
/// characters; the cap leaves room and matches the credential text's).
pub const MAX_DELTA_TEXT: usize = 8 * 1024;
/// Largest signed delta accepted, in bytes (what [`MAX_DELTA_TEXT`] characters of base45 hold).
pub const MAX_DELTA_BYTES: usize = MAX_DELTA_TEXT / 3 * 2;
/// Bytes of the base list's hash: the first 16 bytes of SHA-256 of its packed entries.
pub const BASE_HASH_LEN: usize = 16;

mod label {
    pub const SUB: i64 = 2;
    pub const EXP: i64 = 4;
    pub const IAT: i64 = 6;
    pub const TTL: i64 = 65534;
    pub const BASE: i64 = -70010;
    pub const CHANGES: i64 = -70011;
}

/// Why a status delta is not acceptable, or cannot be applied.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaError {
    /// The text does not start with `VD1:`.
    NoPrefix,
    /// The text is longer than [`MAX_DELTA_TEXT`].
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The body is not valid base45.
    Base45,
    /// The decoded body is not a COSE_Sign1 (first byte other than 0xD2, or empty).
    NotCose,
    /// The signed delta is larger than [`MAX_DELTA_BYTES`].
    TooLarge {
        /// Its size.
        len: usize,
    },
    /// Not a well-formed status delta COSE_Sign1 (structure, `typ`, algorithm, kid).
    Cose(CoseError),
    /// The signature does not verify.
    BadSignature,
    /// A claim is missing or wrong; `what` names it.
    Claims {
        /// The claim.
        what: &'static str,
    },
    /// The changes are not a valid encoding: a truncated or over-long number, an index past
    /// the largest list, or indices not strictly increasing.
    Changes,
    /// The delta is for another list (another uri) than the one it is applied to.
    WrongList {
        /// The uri of the list held.
        held: String,
        /// The delta's uri.
        delta: String,
    },
    /// The delta produces a list no newer than the one held (a rollback, or a delta already
    /// applied).
    Older {
        /// The `iat` of the list held.
        held: i64,
        /// The `iat` the delta would give.
        offered: i64,
    },
    /// The delta's base is not the list held: another `iat`, or the same `iat` with other
    /// entries.
    WrongBase {
        /// The `iat` of the list held.
        held: i64,
        /// The `iat` of the delta's base.
        base: i64,
    },
    /// The two lists compared have different lengths (a delta never changes a list's length).
    LengthMismatch {
        /// Entries of the base.
        base: u64,
        /// Entries of the target.
        target: u64,
    },
    /// A change is past the end of the list.
    IndexOutOfRange {
        /// The index.
        index: u64,
        /// The list's length.
        len: u64,
    },
    /// The signer failed.
    Sign,
}

impl std::fmt::Display for DeltaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeltaError::NoPrefix => write!(f, "no {DELTA_PREFIX} prefix"),
            DeltaError::TooLong { len } => {
                write!(f, "text of {len} bytes exceeds {MAX_DELTA_TEXT}")
            }
            DeltaError::Base45 => write!(f, "invalid base45"),
            DeltaError::NotCose => write!(f, "the body is not a COSE_Sign1"),
            DeltaError::TooLarge { len } => {
                write!(f, "status delta of {len} bytes exceeds {MAX_DELTA_BYTES}")
            }
            DeltaError::Cose(e) => write!(f, "status delta: {e}"),
            DeltaError::BadSignature => write!(f, "status delta signature does not verify"),
            DeltaError::Claims { what } => write!(f, "status delta: invalid or missing {what}"),
            DeltaError::Changes => write!(f, "status delta: invalid encoding of the changes"),
            DeltaError::WrongList { held, delta } => {
                write!(f, "status delta for {delta} applied to the list {held}")
            }
            DeltaError::Older { held, offered } => write!(
                f,
                "status delta gives a list issued at {offered}, not newer than the one held (issued at {held})"
            ),
            DeltaError::WrongBase { held, base } => write!(
                f,
                "status delta applies to the list issued at {base}, not to the one held (issued at {held})"
            ),
            DeltaError::LengthMismatch { base, target } => write!(
                f,
                "lists of {base} and {target} entries: a delta cannot change a list's length"
            ),
            DeltaError::IndexOutOfRange { index, len } => {
                write!(f, "status index {index} is past the end of a list of {len}")
            }
            DeltaError::Sign => write!(f, "signing the status delta failed"),
        }
    }
}

impl std::error::Error for DeltaError {}

/// The list a delta applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeltaBase {
    /// Its `iat`.
    pub issued_at: i64,
    /// [`list_hash`] of its entries.
    pub hash: [u8; BASE_HASH_LEN],
}

impl DeltaBase {
    /// The base that names this list.
    pub fn of(token: &StatusListToken) -> DeltaBase {
        DeltaBase {
            issued_at: token.issued_at,
            hash: list_hash(&token.list),
        }
    }
}

/// The hash that names a list's entries in a delta: the first [`BASE_HASH_LEN`] bytes of
/// SHA-256 of the packed status array (docs/format.md §9.3), uncompressed, so that it does not
/// depend on how the list was compressed.
pub fn list_hash(list: &StatusList) -> [u8; BASE_HASH_LEN] {
    let digest = Sha256::digest(list.as_bytes());
    let mut hash = [0u8; BASE_HASH_LEN];
    hash.copy_from_slice(&digest[..BASE_HASH_LEN]);
    hash
}

/// A status delta's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDelta {
    /// `sub`: the uri of the list it changes.
    pub uri: String,
    /// The list it applies to.
    pub base: DeltaBase,
    /// `iat` of the list it produces (later than the base's).
    pub issued_at: i64,
    /// `exp` of the list it produces.
    pub expires_at: i64,
    /// `ttl` of the list it produces.
    pub ttl: Option<u64>,
    /// The entries that change, with their new status, by strictly increasing index.
    pub changes: Vec<(u64, Status)>,
}

impl StatusDelta {
    /// The delta that turns `base` into `target`: every entry whose status differs, and the
    /// target's uri and times. Both must be the same list (uri, length), the target newer.
    pub fn between(
        base: &StatusListToken,
        target: &StatusListToken,
    ) -> Result<StatusDelta, DeltaError> {
        if base.uri != target.uri {
            return Err(DeltaError::WrongList {
                held: base.uri.clone(),
                delta: target.uri.clone(),
            });
        }
        if base.list.len() != target.list.len() {
            return Err(DeltaError::LengthMismatch {
                base: base.list.len(),
                target: target.list.len(),
            });
        }
        if target.issued_at <= base.issued_at {
            return Err(DeltaError::Older {
                held: base.issued_at,
                offered: target.issued_at,
            });
        }
        if target.expires_at <= target.issued_at {
            return Err(DeltaError::Claims { what: "exp" });
        }
        let mut changes = Vec::new();
        let pairs = base.list.as_bytes().iter().zip(target.list.as_bytes());
        for (byte, (a, b)) in pairs.enumerate() {
            if a == b {
                continue;
            }
            for k in 0..4u64 {
                let index = byte as u64 * 4 + k;
                let new = target.list.get(index);
                if let Some(new) = new.filter(|s| Some(*s) != base.list.get(index)) {
                    changes.push((index, new));
                }
            }
        }
        Ok(StatusDelta {
            uri: target.uri.clone(),
            base: DeltaBase::of(base),
            issued_at: target.issued_at,
            expires_at: target.expires_at,
            ttl: target.ttl,
            changes,
        })
    }

    /// Apply to `held`, the list a device holds for the delta's uri, giving the new list.
    /// Refused, in this order: another uri ([`DeltaError::WrongList`]), a result no newer than
    /// `held` ([`DeltaError::Older`]), a base other than `held` ([`DeltaError::WrongBase`]),
    /// an index past its end ([`DeltaError::IndexOutOfRange`]). `held` is never changed.
    pub fn apply(&self, held: &StatusListToken) -> Result<StatusListToken, DeltaError> {
        if held.uri != self.uri {
            return Err(DeltaError::WrongList {
                held: held.uri.clone(),
                delta: self.uri.clone(),
            });
        }
        if self.issued_at <= held.issued_at {
            return Err(DeltaError::Older {
                held: held.issued_at,
                offered: self.issued_at,
            });
        }
        if DeltaBase::of(held) != self.base {
            return Err(DeltaError::WrongBase {
                held: held.issued_at,
                base: self.base.issued_at,
            });
        }
        let mut list = held.list.clone();
        for &(index, status) in &self.changes {
            list.set(index, status)
                .map_err(|_| DeltaError::IndexOutOfRange {
                    index,
                    len: held.list.len(),
                })?;
        }
        Ok(StatusListToken {
            uri: self.uri.clone(),
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            ttl: self.ttl,
            list,
        })
    }

    /// The CWT claims set, deterministic CBOR. Fails when the changes are not by strictly
    /// increasing index ([`DeltaError::Changes`]).
    pub fn payload(&self) -> Result<Vec<u8>, DeltaError> {
        let mut entries = vec![
            (label::SUB.into(), Value::Text(self.uri.clone())),
            (label::IAT.into(), self.issued_at.into()),
            (label::EXP.into(), self.expires_at.into()),
            (
                label::BASE.into(),
                Value::Array(vec![
                    self.base.issued_at.into(),
                    Value::Bytes(self.base.hash.to_vec()),
                ]),
            ),
            (
                label::CHANGES.into(),
                Value::Bytes(encode_changes(&self.changes)?),
            ),
        ];
        if let Some(ttl) = self.ttl {
            entries.push((label::TTL.into(), ttl.into()));
        }
        Ok(cbor::encode(&cbor::map(entries)))
    }

    /// Sign as a COSE_Sign1 with `typ` `application/vn-status-delta+cwt`.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>, DeltaError> {
        sign1::sign(signer, STATUS_DELTA_TYP, self.payload()?).map_err(|_| DeltaError::Sign)
    }

    /// Parse a claims set (already authenticated by the caller).
    pub fn from_payload(bytes: &[u8]) -> Result<StatusDelta, DeltaError> {
        let value = cbor::decode_bounded(bytes, MAX_DELTA_BYTES)
            .map_err(|_| DeltaError::Claims { what: "encoding" })?;
        let map = value
            .as_map()
            .ok_or(DeltaError::Claims { what: "claims map" })?;
        let claim = |key, what| get_int(map, key).ok_or(DeltaError::Claims { what });
        let uri = claim(label::SUB, "sub")?
            .as_text()
            .filter(|t| !t.is_empty() && t.len() <= MAX_URI_LEN)
            .ok_or(DeltaError::Claims { what: "sub" })?
            .to_owned();
        let issued_at =
            as_time(claim(label::IAT, "iat")?).ok_or(DeltaError::Claims { what: "iat" })?;
        let expires_at =
            as_time(claim(label::EXP, "exp")?).ok_or(DeltaError::Claims { what: "exp" })?;
        if expires_at <= issued_at {
            return Err(DeltaError::Claims { what: "exp" });
        }
        let ttl = get_int(map, label::TTL)
            .map(|v| as_u64(v).ok_or(DeltaError::Claims { what: "ttl" }))
            .transpose()?;
        let base = match claim(label::BASE, "base")?.as_array().map(Vec::as_slice) {
            Some([iat, Value::Bytes(hash)]) => DeltaBase {
                issued_at: as_time(iat).ok_or(DeltaError::Claims { what: "base" })?,
                hash: hash
                    .as_slice()
                    .try_into()
                    .map_err(|_| DeltaError::Claims { what: "base" })?,
            },
            _ => return Err(DeltaError::Claims { what: "base" }),
        };
        if base.issued_at >= issued_at {
            return Err(DeltaError::Claims { what: "iat" });
        }
        let changes = claim(label::CHANGES, "changes")?
            .as_bytes()
            .ok_or(DeltaError::Claims { what: "changes" })?;
        Ok(StatusDelta {
            uri,
            base,
            issued_at,
            expires_at,
            ttl,
            changes: decode_changes(changes)?,
        })
    }
}

/// The changes as bytes (docs/format.md §9.8): for each change by increasing index, the
/// unsigned LEB128 number `gap · 4 + status`, where `gap` is the number of entries skipped
/// since the previous change (since entry 0 for the first).
pub fn encode_changes(changes: &[(u64, Status)]) -> Result<Vec<u8>, DeltaError> {
    let mut out = Vec::with_capacity(changes.len() * 3);
    let mut next = 0u64;
    for &(index, status) in changes {
        if index < next || index >= MAX_ENTRIES {
            return Err(DeltaError::Changes);
        }
        let mut value = ((index - next) << 2) | u64::from(status.code());
        loop {
            let low = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                out.push(low);
                break;
            }
            out.push(low | 0x80);
        }
        next = index + 1;
    }
    Ok(out)
}

/// Read the changes written by [`encode_changes`]. Refused: a number longer than 5 bytes or
/// not in its shortest form, one cut off at the end, and an index at or past
/// [`MAX_ENTRIES`].
pub fn decode_changes(bytes: &[u8]) -> Result<Vec<(u64, Status)>, DeltaError> {
    let mut changes = Vec::new();
    let mut next = 0u64;
    let mut iter = bytes.iter();
    while let Some(&first) = iter.next() {
        let mut value = u64::from(first & 0x7f);
        let mut last = first;
        let mut shift = 7;
        while last & 0x80 != 0 {
            last = *iter.next().ok_or(DeltaError::Changes)?;
            // Five bytes carry 35 bits, more than any index of a list needs.
            if shift > 28 {
                return Err(DeltaError::Changes);
            }
            value |= u64::from(last & 0x7f) << shift;
            shift += 7;
        }
        // Shortest form: a number of several bytes does not end in a zero byte.
        if last == 0 && shift > 7 {
            return Err(DeltaError::Changes);
        }
        let index = next
            .checked_add(value >> 2)
            .filter(|i| *i < MAX_ENTRIES)
            .ok_or(DeltaError::Changes)?;
        changes.push((index, Status::from_code((value & 3) as u8)));
        next = index + 1;
    }
    Ok(changes)
}

/// A structurally valid signed status delta whose signature has not been checked yet.
#[derive(Debug, Clone)]
pub struct SignedStatusDelta {
    signed: Sign1,
}

impl SignedStatusDelta {
    /// Parse the COSE_Sign1 of a status delta (size, structure, `typ`).
    pub fn parse(bytes: &[u8]) -> Result<SignedStatusDelta, DeltaError> {
        if bytes.len() > MAX_DELTA_BYTES {
            return Err(DeltaError::TooLarge { len: bytes.len() });
        }
        let signed = Sign1::parse_bounded(bytes, STATUS_DELTA_TYP, MAX_DELTA_BYTES)
            .map_err(DeltaError::Cose)?;
        Ok(SignedStatusDelta { signed })
    }

    /// Parse a `VD1:` text ([`from_text`], then [`SignedStatusDelta::parse`]).
    pub fn from_text(text: &str) -> Result<SignedStatusDelta, DeltaError> {
        Self::parse(&from_text(text)?)
    }

    /// The signer's key id.
    pub fn kid(&self) -> [u8; 8] {
        self.signed.kid()
    }

    /// Check the signature under the issuer's key, then read the claims.
    pub fn verify(&self, key: &VerifyingKey) -> Result<StatusDelta, DeltaError> {
        self.signed.verify(key).map_err(|e| match e {
            CoseError::BadSignature => DeltaError::BadSignature,
            e => DeltaError::Cose(e),
        })?;
        StatusDelta::from_payload(self.signed.payload())
    }
}

/// The QR text of a signed delta: `VD1:` and base45 (RFC 9285) of the COSE bytes. There is no
/// zlib form: a delta is mostly a signature, a hash and scattered indices, which do not
/// compress.
pub fn to_text(cose: &[u8]) -> String {
    let mut text = String::with_capacity(DELTA_PREFIX.len() + cose.len() * 3 / 2 + 2);
    text.push_str(DELTA_PREFIX);
    text.push_str(&base45::encode(cose));
    text
}

/// The COSE bytes of a `VD1:` text. ASCII white space at both ends is ignored, as in a
/// credential's text (docs/format.md §5.6).
pub fn from_text(text: &str) -> Result<Vec<u8>, DeltaError> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let body = text
        .strip_prefix(DELTA_PREFIX)
        .ok_or(DeltaError::NoPrefix)?;
    if text.len() > MAX_DELTA_TEXT {
        return Err(DeltaError::TooLong { len: text.len() });
    }
    let bytes = base45::decode(body).map_err(|_| DeltaError::Base45)?;
    match bytes.first() {
        Some(0xD2) => Ok(bytes),
        _ => Err(DeltaError::NotCose),
    }
}

#[cfg(test)]
#[path = "delta_tests.rs"]
mod tests;
