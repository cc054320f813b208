//! COSE_Sign1 (RFC 9052 §4.2) with the giayto profile: tag 18, EdDSA over Ed25519, an 8-byte kid
//! and a `typ` in the protected header, an attached payload, strict deterministic CBOR.

use ciborium::value::Value;
use coset::{iana, AsCborValue, CoseSign1, CoseSign1Builder, HeaderBuilder, Label};
use ed25519_dalek::{Signature, VerifyingKey};

use crate::cbor::{self, CborError};
use crate::{kid_for, Signer};

/// CBOR tag of a COSE_Sign1 structure.
pub const COSE_SIGN1_TAG: u64 = 18;
/// Header label of `typ` (RFC 9596).
pub const TYP_LABEL: i64 = 16;
/// Largest protected header accepted, in bytes. giayto's is `{1: -8, 4: kid, 16: typ}`, under
/// 50 bytes; the cap leaves room for more parameters and keeps a crafted header from costing
/// more than the rest of the parse (it is read twice: checked here, then parsed by coset).
pub const MAX_PROTECTED_HEADER_BYTES: usize = 1024;

/// Why bytes are not an acceptable COSE_Sign1 of the expected type.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoseError {
    /// The outer bytes are not strict deterministic CBOR.
    Cbor(CborError),
    /// The protected header bytes are not strict deterministic CBOR.
    ProtectedHeaderCbor(CborError),
    /// The item is not wrapped in CBOR tag 18.
    NotTagged,
    /// The tagged item is not a COSE_Sign1 array of four members of the right types.
    Structure,
    /// The protected header names an algorithm other than EdDSA (-8), or none.
    WrongAlgorithm,
    /// The protected header has no 8-byte `kid` (a kid only in the unprotected header does not count).
    MissingKid,
    /// The protected header's `typ` is absent or not the expected one.
    WrongType {
        /// The typ found, if it was text.
        found: Option<String>,
    },
    /// The protected header lists critical parameters, none of which this profile defines.
    CriticalHeader,
    /// The payload is detached (nil) rather than carried.
    MissingPayload,
    /// The signature is not 64 bytes.
    SignatureLength {
        /// Its length.
        len: usize,
    },
    /// The signature does not verify under the key (strict Ed25519 rules).
    BadSignature,
}

impl std::fmt::Display for CoseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CoseError::Cbor(e) => write!(f, "COSE_Sign1: {e}"),
            CoseError::ProtectedHeaderCbor(e) => write!(f, "COSE protected header: {e}"),
            CoseError::NotTagged => write!(f, "not a tagged COSE_Sign1 (tag 18)"),
            CoseError::Structure => write!(f, "not a COSE_Sign1 structure"),
            CoseError::WrongAlgorithm => write!(f, "algorithm is not EdDSA (-8)"),
            CoseError::MissingKid => write!(f, "no 8-byte kid in the protected header"),
            CoseError::WrongType { found: Some(t) } => write!(f, "unexpected typ {t:?}"),
            CoseError::WrongType { found: None } => write!(f, "missing typ"),
            CoseError::CriticalHeader => write!(f, "unsupported critical header parameters"),
            CoseError::MissingPayload => write!(f, "detached payload"),
            CoseError::SignatureLength { len } => write!(f, "signature of {len} bytes, not 64"),
            CoseError::BadSignature => write!(f, "signature does not verify"),
        }
    }
}

impl std::error::Error for CoseError {}

/// Error from a [`Signer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignError;

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the signing key refused to sign")
    }
}

impl std::error::Error for SignError {}

/// A structurally valid COSE_Sign1 whose signature has **not** been checked yet.
#[derive(Debug, Clone)]
pub struct Sign1 {
    inner: CoseSign1,
    kid: [u8; 8],
    signature: Signature,
}

impl Sign1 {
    /// Parse bytes as a giayto COSE_Sign1 whose protected `typ` must equal `expected_typ`.
    pub fn parse(bytes: &[u8], expected_typ: &str) -> Result<Sign1, CoseError> {
        Self::parse_bounded(bytes, expected_typ, cbor::MAX_ITEM_BYTES)
    }

    /// Like [`Sign1::parse`], with another size cap for the whole structure (see
    /// [`cbor::decode_bounded`]).
    pub fn parse_bounded(
        bytes: &[u8],
        expected_typ: &str,
        max_len: usize,
    ) -> Result<Sign1, CoseError> {
        let value = cbor::decode_bounded(bytes, max_len).map_err(CoseError::Cbor)?;
        let inner = match value {
            Value::Tag(COSE_SIGN1_TAG, inner) => *inner,
            _ => return Err(CoseError::NotTagged),
        };
        // The protected header's strict encoding and limits are checked before coset parses it.
        if let Some(Value::Bytes(protected)) = inner.as_array().and_then(|a| a.first()) {
            if !protected.is_empty() {
                cbor::check_bounded(protected, MAX_PROTECTED_HEADER_BYTES)
                    .map_err(CoseError::ProtectedHeaderCbor)?;
            }
        }
        let sign1 = CoseSign1::from_cbor_value(inner).map_err(|_| CoseError::Structure)?;
        let header = &sign1.protected.header;
        if header.alg
            != Some(coset::RegisteredLabelWithPrivate::Assigned(
                iana::Algorithm::EdDSA,
            ))
        {
            return Err(CoseError::WrongAlgorithm);
        }
        if !header.crit.is_empty() {
            return Err(CoseError::CriticalHeader);
        }
        let kid: [u8; 8] = header
            .key_id
            .as_slice()
            .try_into()
            .map_err(|_| CoseError::MissingKid)?;
        let typ = header
            .rest
            .iter()
            .find(|(l, _)| *l == Label::Int(TYP_LABEL))
            .map(|(_, v)| v);
        match typ {
            Some(Value::Text(t)) if t == expected_typ => {}
            Some(Value::Text(t)) => {
                return Err(CoseError::WrongType {
                    found: Some(t.clone()),
                })
            }
            _ => return Err(CoseError::WrongType { found: None }),
        }
        if sign1.payload.is_none() {
            return Err(CoseError::MissingPayload);
        }
        let signature_bytes: [u8; 64] =
            sign1
                .signature
                .as_slice()
                .try_into()
                .map_err(|_| CoseError::SignatureLength {
                    len: sign1.signature.len(),
                })?;
        Ok(Sign1 {
            kid,
            signature: Signature::from_bytes(&signature_bytes),
            inner: sign1,
        })
    }

    /// The key id from the protected header.
    pub fn kid(&self) -> [u8; 8] {
        self.kid
    }

    /// The payload bytes. Unauthenticated until [`Sign1::verify`] succeeds.
    pub fn payload(&self) -> &[u8] {
        self.inner.payload.as_deref().unwrap_or_default()
    }

    /// Check the signature with `verify_strict` semantics (canonical S, no small-order keys)
    /// over the Sig_structure built from the protected header bytes as received.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), CoseError> {
        verify_ed25519(key, &self.sig_structure(), &self.signature.to_bytes())
    }

    /// The bytes signed: `["Signature1", protected, h'', payload]` (RFC 9052 §4.4), written
    /// straight from the protected header bytes as received and the payload.
    fn sig_structure(&self) -> Vec<u8> {
        let Some(protected) = &self.inner.protected.original_data else {
            return self.inner.tbs_data(b"");
        };
        let payload = self.payload();
        let mut out = Vec::with_capacity(24 + protected.len() + payload.len());
        out.push(0x84);
        out.push(0x6a);
        out.extend_from_slice(b"Signature1");
        bstr_head(&mut out, protected.len());
        out.extend_from_slice(protected);
        out.push(0x40);
        bstr_head(&mut out, payload.len());
        out.extend_from_slice(payload);
        out
    }
}

/// The shortest CBOR head of a byte string of `len` bytes.
fn bstr_head(out: &mut Vec<u8>, len: usize) {
    let len = len as u64;
    match len {
        0..=23 => out.push(0x40 | len as u8),
        24..=0xff => out.extend_from_slice(&[0x58, len as u8]),
        0x100..=0xffff => {
            out.push(0x59);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0x5a);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
        _ => {
            out.push(0x5b);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
}

/// The one Ed25519 check every giayto signature goes through: exactly 64 bytes, then
/// `verify_strict` (S canonical, below the group order; neither the public key nor R of small
/// order). [`Sign1::verify`] calls it; it is public so the Wycheproof and RFC 8032 vectors run
/// through exactly this path.
pub fn verify_ed25519(
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CoseError> {
    let bytes: [u8; 64] = signature
        .try_into()
        .map_err(|_| CoseError::SignatureLength {
            len: signature.len(),
        })?;
    key.verify_strict(message, &Signature::from_bytes(&bytes))
        .map_err(|_| CoseError::BadSignature)
}

/// Sign `payload` as a tagged COSE_Sign1 with the giayto protected header
/// `{1: -8, 4: kid(signer), 16: typ}` and an empty unprotected header.
pub fn sign(signer: &dyn Signer, typ: &str, payload: Vec<u8>) -> Result<Vec<u8>, SignError> {
    let kid = kid_for(&signer.public_key());
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(kid.to_vec())
        .value(TYP_LABEL, Value::Text(typ.to_owned()))
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .try_create_signature(b"", |tbs| signer.sign(tbs).map(|s| s.to_vec()))?
        .build();
    let value = sign1.to_cbor_value().map_err(|_| SignError)?;
    Ok(cbor::encode(&Value::Tag(COSE_SIGN1_TAG, Box::new(value))))
}
