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
        let value = cbor::decode(bytes).map_err(CoseError::Cbor)?;
        let inner = match value {
            Value::Tag(COSE_SIGN1_TAG, inner) => *inner,
            _ => return Err(CoseError::NotTagged),
        };
        let sign1 = CoseSign1::from_cbor_value(inner).map_err(|_| CoseError::Structure)?;
        if let Some(original) = &sign1.protected.original_data {
            if !original.is_empty() {
                cbor::decode(original).map_err(CoseError::ProtectedHeaderCbor)?;
            }
        }
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
        let tbs = self.inner.tbs_data(b"");
        key.verify_strict(&tbs, &self.signature)
            .map_err(|_| CoseError::BadSignature)
    }
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
