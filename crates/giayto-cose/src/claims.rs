//! The CWT claims set of a giayto credential (docs/format.md §3).

use ciborium::value::Value;

use crate::cbor::{self, as_i64, as_u64, get_int, get_text, CborError};

/// Claim labels used by giayto credentials.
pub mod label {
    /// `iss`: issuer id, text.
    pub const ISS: i64 = 1;
    /// `exp`: expiry, seconds since the epoch.
    pub const EXP: i64 = 4;
    /// `nbf`: not before, seconds since the epoch (optional).
    pub const NBF: i64 = 5;
    /// `iat`: issued at, seconds since the epoch.
    pub const IAT: i64 = 6;
    /// `cti`: the credential serial, 8 to 16 bytes.
    pub const CTI: i64 = 7;
    /// `cnf`: proof-of-possession key of the holder (RFC 8747).
    pub const CNF: i64 = 8;
    /// `status`: IETF Token Status List reference.
    pub const STATUS: i64 = 65535;
    /// Private-use claim carrying the document.
    pub const DOCUMENT: i64 = -70001;
}

/// Shortest and longest serial (`cti`) allowed.
pub const SERIAL_LEN: std::ops::RangeInclusive<usize> = 8..=16;

/// Where a credential's revocation status lives: index `idx` in the status list at `uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    /// Index of the credential's entry in the list.
    pub idx: u64,
    /// The list's uri.
    pub uri: String,
}

/// The private-use document claim: `{1: doc_type, 2: schema_version, 3: assurance_level, 4: fields}`.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentClaim {
    /// Document type code (1 CCCD, 2 driving licence, 3 vehicle registration, 4 health insurance).
    pub doc_type: u64,
    /// Version of the `fields` schema.
    pub schema_version: u64,
    /// Identity assurance level of the holder's account, 1 or 2.
    pub assurance_level: u8,
    /// The document fields, a map with small unsigned integer keys (see giayto-model).
    pub fields: Value,
}

/// A giayto credential's claims.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialClaims {
    /// `iss`.
    pub issuer: String,
    /// `iat`.
    pub issued_at: i64,
    /// `nbf`, if present.
    pub not_before: Option<i64>,
    /// `exp`.
    pub expires_at: i64,
    /// `cti`.
    pub serial: Vec<u8>,
    /// The Ed25519 public key in `cnf`, if the credential is bound to a holder key.
    pub holder_key: Option<[u8; 32]>,
    /// The status list reference, if the credential can be revoked.
    pub status: Option<StatusRef>,
    /// The document.
    pub document: DocumentClaim,
    /// Claims this version does not know, carried as they came (key, value).
    pub unknown: Vec<(Value, Value)>,
}

/// Why a claims set is not acceptable.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimsError {
    /// The claims bytes are not strict deterministic CBOR.
    Cbor(CborError),
    /// The claims set is not a map.
    NotAMap,
    /// A required claim is missing.
    Missing {
        /// Its name (`iss`, `iat`, `exp`, `cti`, `document`, ...).
        claim: &'static str,
    },
    /// A claim has the wrong type or an out-of-range value.
    Invalid {
        /// Its name.
        claim: &'static str,
    },
    /// `cti` is not 8 to 16 bytes long.
    SerialLength {
        /// Its length.
        len: usize,
    },
}

impl std::fmt::Display for ClaimsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClaimsError::Cbor(e) => write!(f, "claims: {e}"),
            ClaimsError::NotAMap => write!(f, "claims set is not a map"),
            ClaimsError::Missing { claim } => write!(f, "missing claim {claim}"),
            ClaimsError::Invalid { claim } => write!(f, "invalid claim {claim}"),
            ClaimsError::SerialLength { len } => write!(f, "serial of {len} bytes, not 8 to 16"),
        }
    }
}

impl std::error::Error for ClaimsError {}

const KNOWN: [i64; 8] = [
    label::ISS,
    label::EXP,
    label::NBF,
    label::IAT,
    label::CTI,
    label::CNF,
    label::STATUS,
    label::DOCUMENT,
];

/// COSE_Key labels and values for an Ed25519 public key (RFC 9053 §7.2).
mod cose_key {
    pub const KTY: i64 = 1;
    pub const KTY_OKP: i64 = 1;
    pub const CRV: i64 = -1;
    pub const CRV_ED25519: i64 = 6;
    pub const X: i64 = -2;
    pub const CNF_COSE_KEY: i64 = 1;
}

/// Encode an Ed25519 public key as the `cnf` claim value `{1: {1: 1, -1: 6, -2: x}}`.
pub fn cnf_value(key: &[u8; 32]) -> Value {
    let cose_key = cbor::map(vec![
        (cose_key::KTY.into(), cose_key::KTY_OKP.into()),
        (cose_key::CRV.into(), cose_key::CRV_ED25519.into()),
        (cose_key::X.into(), Value::Bytes(key.to_vec())),
    ]);
    cbor::map(vec![(cose_key::CNF_COSE_KEY.into(), cose_key)])
}

/// Read the Ed25519 public key out of a `cnf` claim value.
pub fn parse_cnf(value: &Value) -> Option<[u8; 32]> {
    let outer = value.as_map()?;
    if outer.len() != 1 {
        return None;
    }
    let key = get_int(outer, cose_key::CNF_COSE_KEY)?.as_map()?;
    if key.len() != 3
        || get_int(key, cose_key::KTY).and_then(as_i64) != Some(cose_key::KTY_OKP)
        || get_int(key, cose_key::CRV).and_then(as_i64) != Some(cose_key::CRV_ED25519)
    {
        return None;
    }
    get_int(key, cose_key::X)?
        .as_bytes()?
        .as_slice()
        .try_into()
        .ok()
}

impl CredentialClaims {
    /// The claims as a deterministic CBOR map.
    pub fn to_value(&self) -> Value {
        let mut entries: Vec<(Value, Value)> = vec![
            (label::ISS.into(), Value::Text(self.issuer.clone())),
            (label::IAT.into(), self.issued_at.into()),
            (label::EXP.into(), self.expires_at.into()),
            (label::CTI.into(), Value::Bytes(self.serial.clone())),
            (
                label::DOCUMENT.into(),
                cbor::map(vec![
                    (1.into(), self.document.doc_type.into()),
                    (2.into(), self.document.schema_version.into()),
                    (3.into(), self.document.assurance_level.into()),
                    (4.into(), self.document.fields.clone()),
                ]),
            ),
        ];
        if let Some(nbf) = self.not_before {
            entries.push((label::NBF.into(), nbf.into()));
        }
        if let Some(key) = &self.holder_key {
            entries.push((label::CNF.into(), cnf_value(key)));
        }
        if let Some(status) = &self.status {
            let reference = cbor::map(vec![
                ("idx".into(), status.idx.into()),
                ("uri".into(), Value::Text(status.uri.clone())),
            ]);
            entries.push((
                label::STATUS.into(),
                cbor::map(vec![("status_list".into(), reference)]),
            ));
        }
        entries.extend(self.unknown.iter().cloned());
        cbor::map(entries)
    }

    /// The claims as deterministic CBOR bytes (the COSE payload).
    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::encode(&self.to_value())
    }

    /// Parse claims from strict CBOR bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<CredentialClaims, ClaimsError> {
        let mut value = cbor::decode(bytes).map_err(ClaimsError::Cbor)?;
        // Move the document fields (most of the claims) out instead of copying them; an empty
        // map stands in for them, which `from_value` checks the same way (a map).
        let fields = take_document_fields(&mut value);
        let mut claims = Self::from_value(&value)?;
        if let Some(fields) = fields {
            claims.document.fields = fields;
        }
        Ok(claims)
    }

    /// Parse claims from a decoded CBOR value.
    pub fn from_value(value: &Value) -> Result<CredentialClaims, ClaimsError> {
        let map = value.as_map().ok_or(ClaimsError::NotAMap)?;
        let required = |label: i64, claim: &'static str| {
            get_int(map, label).ok_or(ClaimsError::Missing { claim })
        };
        let time =
            |v: &Value, claim: &'static str| cbor::as_time(v).ok_or(ClaimsError::Invalid { claim });
        let issuer = required(label::ISS, "iss")?
            .as_text()
            .filter(|t| !t.is_empty() && t.len() <= 64)
            .ok_or(ClaimsError::Invalid { claim: "iss" })?
            .to_owned();
        let issued_at = time(required(label::IAT, "iat")?, "iat")?;
        let expires_at = time(required(label::EXP, "exp")?, "exp")?;
        let not_before = get_int(map, label::NBF)
            .map(|v| time(v, "nbf"))
            .transpose()?;
        let serial = required(label::CTI, "cti")?
            .as_bytes()
            .ok_or(ClaimsError::Invalid { claim: "cti" })?
            .clone();
        if !SERIAL_LEN.contains(&serial.len()) {
            return Err(ClaimsError::SerialLength { len: serial.len() });
        }
        let holder_key = get_int(map, label::CNF)
            .map(|v| parse_cnf(v).ok_or(ClaimsError::Invalid { claim: "cnf" }))
            .transpose()?;
        let status = get_int(map, label::STATUS).map(parse_status).transpose()?;
        let document = parse_document(required(label::DOCUMENT, "document")?)?;
        let unknown = map
            .iter()
            .filter(|(k, _)| !as_i64(k).is_some_and(|k| KNOWN.contains(&k)))
            .cloned()
            .collect();
        Ok(CredentialClaims {
            issuer,
            issued_at,
            not_before,
            expires_at,
            serial,
            holder_key,
            status,
            document,
            unknown,
        })
    }
}

/// The `fields` map of the document claim, replaced by an empty map; `None` (nothing moved)
/// when the claims have no document map with a map under key 4.
fn take_document_fields(value: &mut Value) -> Option<Value> {
    let document = value
        .as_map_mut()?
        .iter_mut()
        .find(|(k, _)| as_i64(k) == Some(label::DOCUMENT))?
        .1
        .as_map_mut()?;
    let (_, fields) = document.iter_mut().find(|(k, _)| as_i64(k) == Some(4))?;
    if !fields.is_map() {
        return None;
    }
    Some(std::mem::replace(fields, Value::Map(Vec::new())))
}

fn parse_status(value: &Value) -> Result<StatusRef, ClaimsError> {
    let invalid = ClaimsError::Invalid { claim: "status" };
    let outer = value.as_map().ok_or(invalid.clone())?;
    let reference = get_text(outer, "status_list")
        .and_then(Value::as_map)
        .ok_or(invalid.clone())?;
    let idx = get_text(reference, "idx")
        .and_then(as_u64)
        .ok_or(invalid.clone())?;
    let uri = get_text(reference, "uri")
        .and_then(Value::as_text)
        .filter(|u| !u.is_empty() && u.len() <= 256)
        .ok_or(invalid)?
        .to_owned();
    Ok(StatusRef { idx, uri })
}

/// Keys 1–3 shared by the document claim and the selective-disclosure commitment
/// (docs/format.md §3.7, §14.2): document type, schema version, assurance level (1 or 2).
pub(crate) fn document_header(
    map: &[(Value, Value)],
    invalid: &ClaimsError,
) -> Result<(u64, u64, u8), ClaimsError> {
    let doc_type = get_int(map, 1).and_then(as_u64).ok_or(invalid.clone())?;
    let schema_version = get_int(map, 2).and_then(as_u64).ok_or(invalid.clone())?;
    let assurance_level = get_int(map, 3)
        .and_then(as_u64)
        .filter(|l| *l == 1 || *l == 2)
        .ok_or(ClaimsError::Invalid {
            claim: "assurance_level",
        })? as u8;
    Ok((doc_type, schema_version, assurance_level))
}

fn parse_document(value: &Value) -> Result<DocumentClaim, ClaimsError> {
    let invalid = ClaimsError::Invalid { claim: "document" };
    let map = value.as_map().ok_or(invalid.clone())?;
    if map.len() != 4 {
        return Err(invalid);
    }
    let (doc_type, schema_version, assurance_level) = document_header(map, &invalid)?;
    let fields = get_int(map, 4)
        .filter(|f| f.is_map())
        .ok_or(invalid)?
        .clone();
    Ok(DocumentClaim {
        doc_type,
        schema_version,
        assurance_level,
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> CredentialClaims {
        CredentialClaims {
            issuer: "VN.BCA.C06".into(),
            issued_at: 1_790_000_000,
            not_before: None,
            expires_at: 1_900_000_000,
            serial: vec![7; 10],
            holder_key: Some([9; 32]),
            status: Some(StatusRef {
                idx: 4242,
                uri: "https://status.example.invalid/c06/1".into(),
            }),
            document: DocumentClaim {
                doc_type: 1,
                schema_version: 1,
                assurance_level: 2,
                fields: cbor::map(vec![(1.into(), "001099012345".into())]),
            },
            unknown: vec![],
        }
    }

    #[test]
    fn round_trip() {
        let c = sample();
        let bytes = c.to_bytes();
        assert_eq!(CredentialClaims::from_bytes(&bytes).unwrap(), c);
    }

    #[test]
    fn unknown_claims_are_carried() {
        let mut c = sample();
        c.unknown = vec![(Value::from(-70099), Value::from("x"))];
        let bytes = c.to_bytes();
        let back = CredentialClaims::from_bytes(&bytes).unwrap();
        assert_eq!(back.unknown, c.unknown);
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn serial_length_enforced() {
        for len in [0usize, 7, 17] {
            let mut c = sample();
            c.serial = vec![1; len];
            assert_eq!(
                CredentialClaims::from_bytes(&c.to_bytes()),
                Err(ClaimsError::SerialLength { len })
            );
        }
    }

    #[test]
    fn missing_claims_named() {
        for (label, name) in [
            (1, "iss"),
            (6, "iat"),
            (4, "exp"),
            (7, "cti"),
            (-70001, "document"),
        ] {
            let Value::Map(entries) = sample().to_value() else {
                unreachable!()
            };
            let kept = entries
                .into_iter()
                .filter(|(k, _)| as_i64(k) != Some(label))
                .collect();
            let bytes = cbor::encode(&Value::Map(kept));
            assert_eq!(
                CredentialClaims::from_bytes(&bytes),
                Err(ClaimsError::Missing { claim: name })
            );
        }
    }

    #[test]
    fn bad_assurance_level_refused() {
        let mut c = sample();
        c.document.assurance_level = 3;
        assert!(matches!(
            CredentialClaims::from_bytes(&c.to_bytes()),
            Err(ClaimsError::Invalid {
                claim: "assurance_level"
            })
        ));
    }

    #[test]
    fn cnf_round_trip_and_rejects_other_curves() {
        let key = [5u8; 32];
        assert_eq!(parse_cnf(&cnf_value(&key)), Some(key));
        let other = cbor::map(vec![(
            1.into(),
            cbor::map(vec![
                (1.into(), 1.into()),
                ((-1).into(), 4.into()),
                ((-2).into(), Value::Bytes(vec![0; 32])),
            ]),
        )]);
        assert_eq!(parse_cnf(&other), None);
    }
}
