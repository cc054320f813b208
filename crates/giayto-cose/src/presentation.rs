//! The payload of a holder's presentation (docs/format.md §11): a COSE_Sign1 of `typ`
//! [`PRESENTATION_TYP`](crate::PRESENTATION_TYP), signed by the holder key named in the
//! credential's `cnf`, whose payload is the deterministic CBOR map
//! `{1: credential COSE bytes, 2: iat, 3: verifier nonce (optional), 4: disclosures (optional)}`.
//!
//! Key 4 carries selective disclosures (docs/format.md §14): the credential inside is then a
//! selective-disclosure credential and the payload says which of its leaves the holder shows.
//! Verifiers before this version refuse key 4 as malformed, so none of them ever shows a
//! full credential while the holder meant to show a part of it.

use ciborium::value::Value;

use crate::cbor::{self, as_i64, get_int, CborError};
use crate::sd::{DisclosureError, Disclosures};

/// Payload labels.
pub mod label {
    /// The embedded credential's COSE_Sign1 bytes.
    pub const CREDENTIAL: i64 = 1;
    /// When the holder signed, seconds since the epoch.
    pub const IAT: i64 = 2;
    /// The verifier's challenge, when it gave one.
    pub const NONCE: i64 = 3;
    /// Selective disclosures (docs/format.md §14).
    pub const DISCLOSURES: i64 = 4;
}

/// Longest verifier nonce accepted, in bytes.
pub const MAX_NONCE: usize = 64;

/// What a holder signs when presenting a credential.
#[derive(Debug, Clone, PartialEq)]
pub struct PresentationPayload {
    /// The credential's COSE_Sign1 bytes, exactly as the issuer signed them.
    pub credential: Vec<u8>,
    /// When the holder signed, seconds since the epoch.
    pub issued_at: i64,
    /// The verifier's nonce, 1 to [`MAX_NONCE`] bytes.
    pub nonce: Option<Vec<u8>>,
    /// What the holder discloses of a selective-disclosure credential (key 4); `None` for a
    /// full credential.
    pub disclosures: Option<Disclosures>,
}

/// Why a presentation payload is not acceptable.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// Not strict deterministic CBOR.
    Cbor(CborError),
    /// Not a map, or a member is missing, of the wrong type, or out of range.
    Invalid {
        /// Which member (`credential`, `iat`, `nonce`, `map`).
        member: &'static str,
    },
    /// A key this version does not know.
    UnknownKey,
    /// The disclosures (key 4) are not acceptable.
    Disclosures(DisclosureError),
}

impl std::fmt::Display for PayloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PayloadError::Cbor(e) => write!(f, "presentation: {e}"),
            PayloadError::Invalid { member } => write!(f, "presentation: invalid {member}"),
            PayloadError::UnknownKey => write!(f, "presentation: unknown or unsupported key"),
            PayloadError::Disclosures(e) => write!(f, "presentation: {e}"),
        }
    }
}

impl std::error::Error for PayloadError {}

impl PresentationPayload {
    /// The payload as deterministic CBOR bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut entries = vec![
            (
                label::CREDENTIAL.into(),
                Value::Bytes(self.credential.clone()),
            ),
            (label::IAT.into(), self.issued_at.into()),
        ];
        if let Some(n) = &self.nonce {
            entries.push((label::NONCE.into(), Value::Bytes(n.clone())));
        }
        if let Some(d) = &self.disclosures {
            entries.push((label::DISCLOSURES.into(), d.to_value()));
        }
        cbor::encode(&cbor::map(entries))
    }

    /// Parse a payload from strict CBOR bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<PresentationPayload, PayloadError> {
        let value = cbor::decode(bytes).map_err(PayloadError::Cbor)?;
        let map = value
            .as_map()
            .ok_or(PayloadError::Invalid { member: "map" })?;
        if map.iter().any(|(k, _)| {
            !as_i64(k).is_some_and(|k| {
                [
                    label::CREDENTIAL,
                    label::IAT,
                    label::NONCE,
                    label::DISCLOSURES,
                ]
                .contains(&k)
            })
        }) {
            return Err(PayloadError::UnknownKey);
        }
        let credential = get_int(map, label::CREDENTIAL)
            .and_then(Value::as_bytes)
            .filter(|b| !b.is_empty())
            .ok_or(PayloadError::Invalid {
                member: "credential",
            })?
            .clone();
        let issued_at = get_int(map, label::IAT)
            .and_then(cbor::as_time)
            .ok_or(PayloadError::Invalid { member: "iat" })?;
        let nonce = get_int(map, label::NONCE)
            .map(|v| {
                v.as_bytes()
                    .filter(|n| (1..=MAX_NONCE).contains(&n.len()))
                    .cloned()
                    .ok_or(PayloadError::Invalid { member: "nonce" })
            })
            .transpose()?;
        let disclosures = get_int(map, label::DISCLOSURES)
            .map(|v| Disclosures::from_value(v).map_err(PayloadError::Disclosures))
            .transpose()?;
        Ok(PresentationPayload {
            credential,
            issued_at,
            nonce,
            disclosures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PresentationPayload {
        PresentationPayload {
            credential: vec![0xD2, 1, 2, 3],
            issued_at: 1_795_392_000,
            nonce: Some(vec![9; 16]),
            disclosures: None,
        }
    }

    #[test]
    fn round_trip_with_and_without_nonce() {
        let mut p = sample();
        assert_eq!(
            PresentationPayload::from_bytes(&p.to_bytes()),
            Ok(p.clone())
        );
        p.nonce = None;
        assert_eq!(PresentationPayload::from_bytes(&p.to_bytes()), Ok(p));
    }

    #[test]
    fn refuses_disclosures_unknown_keys_and_bad_members() {
        let with = |extra: (i64, Value)| {
            let Value::Map(mut entries) = cbor::decode(&sample().to_bytes()).unwrap() else {
                unreachable!()
            };
            entries.retain(|(k, _)| as_i64(k) != Some(extra.0));
            entries.push((extra.0.into(), extra.1));
            PresentationPayload::from_bytes(&cbor::encode(&cbor::map(entries)))
        };
        assert_eq!(
            with((4, Value::Array(vec![]))),
            Err(PayloadError::Disclosures(DisclosureError::Shape))
        );
        assert_eq!(with((9, 1.into())), Err(PayloadError::UnknownKey));
        assert_eq!(
            with((3, Value::Bytes(vec![]))),
            Err(PayloadError::Invalid { member: "nonce" })
        );
        assert_eq!(
            with((3, Value::Bytes(vec![1; MAX_NONCE + 1]))),
            Err(PayloadError::Invalid { member: "nonce" })
        );
        assert_eq!(
            with((2, (-1).into())),
            Err(PayloadError::Invalid { member: "iat" })
        );
        assert_eq!(
            with((1, Value::Text("x".into()))),
            Err(PayloadError::Invalid {
                member: "credential"
            })
        );
        assert!(matches!(
            PresentationPayload::from_bytes(&[0x01]),
            Err(PayloadError::Invalid { member: "map" })
        ));
    }
}
