//! MOSIP ID Claim 169 codes (docs/format.md §16): the transport both sides share.
//!
//! A Claim 169 QR text is `base45(zlib(COSE_Sign1))` with no prefix; the COSE payload is a CWT
//! whose claim 169 (IANA CWT registry) is a map of identity attributes under small integer
//! keys ([`ATTRIBUTES`]). This module writes and reads that envelope: [`sign`] and [`to_text`]
//! for the issuer, [`looks_like`], [`from_text`] and [`Envelope::parse`] for the verifier. It
//! knows nothing of trust lists or of giayto documents (`giayto-issuer` maps a document to the
//! attributes, `giayto-verify` checks the signer and shows them).
//!
//! Claim 169 codes come from other issuers' software too, so the reader does not hold them to
//! giayto's deterministic CBOR (§2): it reads any well-formed CBOR, but within the limits of
//! §13 — the text length, the inflated size, the nesting depth and the protected header size.

use ciborium::Value;
use coset::{
    iana, AsCborValue, CoseSign1, CoseSign1Builder, HeaderBuilder, RegisteredLabelWithPrivate,
};

use crate::cbor::{self, CborError, MAX_DEPTH};
use crate::sign1::{CoseError, SignError, COSE_SIGN1_TAG, MAX_PROTECTED_HEADER_BYTES};
use crate::text::{self, TextError, MAX_INFLATED, MAX_TEXT_LEN};
use crate::{kid_for, Signer};

/// The CWT claim that holds the identity data (IANA "CWT Claims" registry).
pub const CLAIM_169: i64 = 169;
/// COSE_Encrypt0's tag: an encrypted Claim 169 code, which only the key holder can read.
pub const COSE_ENCRYPT0_TAG: u64 = 16;

/// The demographic attributes of claim 169 (MOSIP specification 1.2.0, §3.1): key and the
/// name `claim169-core` gives it in JSON. Keys 50–65 (biometrics) and unassigned keys are
/// not listed: a reader keeps only their key numbers.
pub const ATTRIBUTES: [(u8, &str, AttributeType); 23] = [
    (1, "id", AttributeType::Text),
    (2, "version", AttributeType::Text),
    (3, "language", AttributeType::Text),
    (4, "fullName", AttributeType::Text),
    (5, "firstName", AttributeType::Text),
    (6, "middleName", AttributeType::Text),
    (7, "lastName", AttributeType::Text),
    (8, "dateOfBirth", AttributeType::Text),
    (9, "gender", AttributeType::Int),
    (10, "address", AttributeType::Text),
    (11, "email", AttributeType::Text),
    (12, "phone", AttributeType::Text),
    (13, "nationality", AttributeType::Text),
    (14, "maritalStatus", AttributeType::Int),
    (15, "guardian", AttributeType::Text),
    (16, "photo", AttributeType::Bytes),
    (17, "photoFormat", AttributeType::Int),
    (18, "bestQualityFingers", AttributeType::IntList),
    (19, "secondaryFullName", AttributeType::Text),
    (20, "secondaryLanguage", AttributeType::Text),
    (21, "locationCode", AttributeType::Text),
    (22, "legalStatus", AttributeType::Text),
    (23, "countryOfIssuance", AttributeType::Text),
];

/// Attribute keys used by giayto's own mapping (docs/format.md §16.2).
pub mod key {
    /// ID number.
    pub const ID: i64 = 1;
    /// Language of the other attributes (ISO 639-3).
    pub const LANGUAGE: i64 = 3;
    /// Full name.
    pub const FULL_NAME: i64 = 4;
    /// Date of birth, `YYYYMMDD`.
    pub const DATE_OF_BIRTH: i64 = 8;
    /// Gender: 1 male, 2 female, 3 other.
    pub const GENDER: i64 = 9;
    /// Address, lines separated by `\n`.
    pub const ADDRESS: i64 = 10;
    /// Nationality (ISO 3166-1 alpha-3 or alpha-2).
    pub const NATIONALITY: i64 = 13;
    /// Photograph.
    pub const PHOTO: i64 = 16;
    /// Photograph format: 1 JPEG, 2 JPEG 2000, 3 AVIF, 4 WebP.
    pub const PHOTO_FORMAT: i64 = 17;
    /// Country of issuance.
    pub const COUNTRY_OF_ISSUANCE: i64 = 23;
}

/// The CBOR type the specification gives an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeType {
    /// A text string.
    Text,
    /// An integer.
    Int,
    /// A byte string (the photograph; a text of hex digits is also read, as `claim169-core`
    /// does).
    Bytes,
    /// An array of integers.
    IntList,
}

/// Sign a CWT payload as a tagged COSE_Sign1 with the protected header `{1: -8, 4: kid}`
/// (EdDSA, the signer's 8-byte kid as in a `VN1:` credential) and an empty unprotected header.
/// No `typ`: the Claim 169 specification defines none.
pub fn sign(signer: &dyn Signer, cwt: Vec<u8>) -> Result<Vec<u8>, SignError> {
    let kid = kid_for(&signer.public_key());
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(kid.to_vec())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(cwt)
        .try_create_signature(b"", |tbs| signer.sign(tbs).map(|s| s.to_vec()))?
        .build();
    let value = sign1.to_cbor_value().map_err(|_| SignError)?;
    Ok(cbor::encode(&Value::Tag(COSE_SIGN1_TAG, Box::new(value))))
}

/// The QR text of a signed code: zlib (deflate level 9, no preset dictionary) then base45, as
/// the specification requires; no prefix.
pub fn to_text(cose: &[u8]) -> Option<String> {
    text::deflate_best(cose).map(|z| base45::encode(&z))
}

/// The base45 alphabet (RFC 9285).
const BASE45: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn base45_value(c: u8) -> Option<u32> {
    BASE45
        .iter()
        .position(|&b| b == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// Whether a scanned text (surrounding ASCII white space ignored) looks like a Claim 169 code:
/// only base45 characters, and its first three decode to a valid zlib header (deflate, window
/// at most 32 KiB, header check bits right). Nothing else about it is read; a text that passes
/// and then fails to decode is a damaged Claim 169 code.
pub fn looks_like(scanned: &str) -> bool {
    let t = scanned.trim_matches(|c: char| c.is_ascii_whitespace());
    let bytes = t.as_bytes();
    if bytes.len() < 3 || !bytes.iter().all(|&b| base45_value(b).is_some()) {
        return false;
    }
    let digit = |i: usize| bytes.get(i).and_then(|&b| base45_value(b)).unwrap_or(0);
    let n = digit(0) + digit(1) * 45 + digit(2) * 45 * 45;
    let Ok(header) = u16::try_from(n) else {
        return false;
    };
    let [cmf, flg] = header.to_be_bytes();
    cmf & 0x0F == 8 && cmf >> 4 <= 7 && header % 31 == 0 && flg & 0x20 == 0
}

/// Decode a Claim 169 text to its COSE bytes: at most [`MAX_TEXT_LEN`] bytes of text, base45,
/// then a zlib stream (no preset dictionary) of at most [`MAX_INFLATED`] bytes.
pub fn from_text(scanned: &str) -> Result<Vec<u8>, TextError> {
    let t = scanned.trim_matches(|c: char| c.is_ascii_whitespace());
    if t.len() > MAX_TEXT_LEN {
        return Err(TextError::TooLong { len: t.len() });
    }
    let bytes = base45::decode(t).map_err(|_| TextError::Base45)?;
    text::inflate_bounded(&bytes, &[], MAX_INFLATED)
}

/// Why a Claim 169 envelope was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Not well-formed CBOR, or deeper than [`MAX_DEPTH`], or bytes after the item.
    Cbor(CborError),
    /// A COSE_Encrypt0 (tag 16): encrypted identity data, readable only with its key.
    Encrypted,
    /// Not a COSE_Sign1, or its protected header is larger than
    /// [`MAX_PROTECTED_HEADER_BYTES`], or it has critical headers, or no payload.
    Cose(CoseError),
    /// The payload is not a CWT claims map: `reason` says what is wrong.
    Claims(&'static str),
    /// The CWT has no claim 169.
    NoClaim169,
}

impl std::fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvelopeError::Cbor(e) => write!(f, "Claim 169 code: {e}"),
            EnvelopeError::Encrypted => write!(f, "encrypted Claim 169 code (COSE_Encrypt0)"),
            EnvelopeError::Cose(e) => write!(f, "Claim 169 code: {e}"),
            EnvelopeError::Claims(reason) => write!(f, "Claim 169 CWT: {reason}"),
            EnvelopeError::NoClaim169 => write!(f, "CWT without claim 169"),
        }
    }
}

impl std::error::Error for EnvelopeError {}

/// Read one CBOR item of at most `max` bytes, nested at most [`MAX_DEPTH`] deep, with nothing
/// after it. Not held to deterministic encoding (other issuers' encoders differ).
pub fn decode_lenient(bytes: &[u8], max: usize) -> Result<Value, CborError> {
    if bytes.len() > max {
        return Err(CborError::TooLarge { len: bytes.len() });
    }
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_DEPTH)
        .map_err(|e| match e {
            ciborium::de::Error::Io(_) => CborError::Truncated,
            ciborium::de::Error::Syntax(o) => CborError::Syntax { offset: Some(o) },
            ciborium::de::Error::Semantic(o, _) => CborError::Syntax { offset: o },
            ciborium::de::Error::RecursionLimitExceeded => CborError::TooDeep,
        })?;
    if !rest.is_empty() {
        return Err(CborError::TrailingBytes { count: rest.len() });
    }
    Ok(value)
}

/// A COSE_Sign1 around a CWT with claim 169, read but **not** verified.
#[derive(Debug, Clone)]
pub struct Envelope {
    sign1: CoseSign1,
    /// The key id, from the protected header or else the unprotected one (any length).
    pub kid: Option<Vec<u8>>,
    /// `iss` (1), unauthenticated until the signature is checked.
    pub issuer: Option<String>,
    /// `sub` (2).
    pub subject: Option<String>,
    /// `exp` (4).
    pub expires_at: Option<i64>,
    /// `nbf` (5).
    pub not_before: Option<i64>,
    /// `iat` (6).
    pub issued_at: Option<i64>,
    /// Claim 169 itself: a map (checked), its attributes not yet read.
    pub claim169: Vec<(Value, Value)>,
}

fn time_claim(value: &Value, what: &'static str) -> Result<i64, EnvelopeError> {
    value
        .as_integer()
        .and_then(|i| i64::try_from(i).ok())
        .ok_or(EnvelopeError::Claims(what))
}

impl Envelope {
    /// Read inflated COSE bytes: a COSE_Sign1 (tagged 18 or untagged) whose algorithm is
    /// EdDSA, with a 64-byte signature and a payload that is a CWT claims map with integer
    /// keys, each once, `iss`/`sub` texts, `exp`/`nbf`/`iat` integers, and claim 169 a map.
    pub fn parse(cose: &[u8]) -> Result<Envelope, EnvelopeError> {
        let value = decode_lenient(cose, MAX_INFLATED).map_err(EnvelopeError::Cbor)?;
        let inner = match value {
            Value::Tag(COSE_SIGN1_TAG, inner) => *inner,
            Value::Tag(COSE_ENCRYPT0_TAG, _) => return Err(EnvelopeError::Encrypted),
            Value::Tag(..) => return Err(EnvelopeError::Cose(CoseError::Structure)),
            other => other,
        };
        if let Some(Value::Bytes(protected)) = inner.as_array().and_then(|a| a.first()) {
            if protected.len() > MAX_PROTECTED_HEADER_BYTES {
                return Err(EnvelopeError::Cose(CoseError::ProtectedHeaderCbor(
                    CborError::TooLarge {
                        len: protected.len(),
                    },
                )));
            }
        }
        let sign1 = CoseSign1::from_cbor_value(inner)
            .map_err(|_| EnvelopeError::Cose(CoseError::Structure))?;
        let header = &sign1.protected.header;
        if header.alg != Some(RegisteredLabelWithPrivate::Assigned(iana::Algorithm::EdDSA)) {
            return Err(EnvelopeError::Cose(CoseError::WrongAlgorithm));
        }
        if !header.crit.is_empty() {
            return Err(EnvelopeError::Cose(CoseError::CriticalHeader));
        }
        if sign1.signature.len() != 64 {
            return Err(EnvelopeError::Cose(CoseError::SignatureLength {
                len: sign1.signature.len(),
            }));
        }
        let kid = [&sign1.protected.header.key_id, &sign1.unprotected.key_id]
            .into_iter()
            .find(|k| !k.is_empty())
            .map(|k| (*k).clone());
        let payload = sign1
            .payload
            .as_deref()
            .ok_or(EnvelopeError::Cose(CoseError::MissingPayload))?;
        let claims = decode_lenient(payload, MAX_INFLATED).map_err(EnvelopeError::Cbor)?;
        let Value::Map(entries) = claims else {
            return Err(EnvelopeError::Claims("the payload is not a map"));
        };
        let mut envelope = Envelope {
            kid,
            issuer: None,
            subject: None,
            expires_at: None,
            not_before: None,
            issued_at: None,
            claim169: Vec::new(),
            sign1: CoseSign1::default(),
        };
        let mut seen = std::collections::BTreeSet::new();
        let mut found = false;
        for (k, v) in entries {
            let Some(k) = k.as_integer().and_then(|i| i64::try_from(i).ok()) else {
                return Err(EnvelopeError::Claims("a claim key is not an integer"));
            };
            if !seen.insert(k) {
                return Err(EnvelopeError::Claims("a claim key is repeated"));
            }
            match (k, v) {
                (1, Value::Text(t)) => envelope.issuer = Some(t),
                (1, _) => return Err(EnvelopeError::Claims("iss is not a text")),
                (2, Value::Text(t)) => envelope.subject = Some(t),
                (2, _) => return Err(EnvelopeError::Claims("sub is not a text")),
                (4, v) => envelope.expires_at = Some(time_claim(&v, "exp is not an integer")?),
                (5, v) => envelope.not_before = Some(time_claim(&v, "nbf is not an integer")?),
                (6, v) => envelope.issued_at = Some(time_claim(&v, "iat is not an integer")?),
                (CLAIM_169, Value::Map(m)) => {
                    envelope.claim169 = m;
                    found = true;
                }
                (CLAIM_169, _) => return Err(EnvelopeError::Claims("claim 169 is not a map")),
                _ => {}
            }
        }
        if !found {
            return Err(EnvelopeError::NoClaim169);
        }
        envelope.sign1 = sign1;
        Ok(envelope)
    }

    /// Check the signature with `key` (`verify_strict`, as every giayto signature) over the
    /// Sig_structure built from the protected header bytes as received.
    pub fn verify(&self, key: &ed25519_dalek::VerifyingKey) -> Result<(), CoseError> {
        self.sign1.verify_signature(b"", |signature, data| {
            crate::sign1::verify_ed25519(key, data, signature)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn cwt(extra: Vec<(Value, Value)>) -> Vec<u8> {
        let mut map = vec![
            (Value::from(1), Value::from("VN.TEST")),
            (Value::from(6), Value::from(1_790_000_000)),
        ];
        map.extend(extra);
        cbor::encode(&Value::Map(map))
    }

    #[test]
    fn signed_text_reads_back_and_verifies() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let claim = Value::Map(vec![(Value::from(1), Value::from("079123456789"))]);
        let cose = sign(&key, cwt(vec![(Value::from(169), claim.clone())])).unwrap();
        let text = to_text(&cose).unwrap();
        assert!(looks_like(&text), "{text}");
        assert!(looks_like(&format!(" {text}\n")));
        let bytes = from_text(&text).unwrap();
        assert_eq!(bytes, cose);
        let e = Envelope::parse(&bytes).unwrap();
        assert_eq!(
            e.kid.as_deref(),
            Some(&kid_for(&key.verifying_key().to_bytes())[..])
        );
        assert_eq!(e.issuer.as_deref(), Some("VN.TEST"));
        assert_eq!(e.issued_at, Some(1_790_000_000));
        assert_eq!(Value::Map(e.claim169.clone()), claim);
        e.verify(&key.verifying_key()).unwrap();
        let other = SigningKey::from_bytes(&[4; 32]);
        assert_eq!(
            e.verify(&other.verifying_key()),
            Err(CoseError::BadSignature)
        );
    }

    #[test]
    fn other_texts_do_not_look_like_claim169() {
        for t in [
            "",
            "VN1:6BF",
            "https://example.invalid",
            "hello",
            "000201010212",
        ] {
            assert!(!looks_like(t), "{t}");
        }
        // base45 of bytes that are not a zlib header
        assert!(!looks_like(&base45::encode([0xD2, 0x84, 0x43])));
    }

    #[test]
    fn envelope_refusals() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let no169 = sign(&key, cwt(vec![])).unwrap();
        assert_eq!(
            Envelope::parse(&no169).unwrap_err(),
            EnvelopeError::NoClaim169
        );
        let not_map = sign(&key, cwt(vec![(Value::from(169), Value::from(1))])).unwrap();
        assert!(matches!(
            Envelope::parse(&not_map).unwrap_err(),
            EnvelopeError::Claims(_)
        ));
        let encrypted = cbor::encode(&Value::Tag(16, Box::new(Value::Array(vec![]))));
        assert_eq!(
            Envelope::parse(&encrypted).unwrap_err(),
            EnvelopeError::Encrypted
        );
        assert!(matches!(
            Envelope::parse(&[0xD2, 0x84]).unwrap_err(),
            EnvelopeError::Cbor(_)
        ));
        // 17 nested arrays: deeper than the limit
        let mut deep = vec![0x81; 17];
        deep.push(0x00);
        assert_eq!(
            Envelope::parse(&deep).unwrap_err(),
            EnvelopeError::Cbor(CborError::TooDeep)
        );
        // too long a text is refused before decoding
        let long = "0".repeat(MAX_TEXT_LEN + 3);
        assert!(matches!(from_text(&long), Err(TextError::TooLong { .. })));
    }
}
