//! The payload of a holder's presentation (docs/format.md §11): a COSE_Sign1 of `typ`
//! [`PRESENTATION_TYP`](crate::PRESENTATION_TYP), signed by the holder key named in the
//! credential's `cnf`, whose payload is the deterministic CBOR map
//! `{1: credential COSE bytes, 2: iat, 3: verifier nonce (optional), 4: disclosures (optional),
//! 5: request hash (optional)}`.
//!
//! Key 4 carries selective disclosures (docs/format.md §14): the credential inside is then a
//! selective-disclosure credential and the payload says which of its leaves the holder shows.
//! Verifiers before this version refuse key 4 as malformed, so none of them ever shows a
//! full credential while the holder meant to show a part of it.
//!
//! Key 5 makes the presentation an answer to a verifier's request (`VR1:`, docs/format.md §15):
//! the request's hash ([`crate::request::Request::hash`]), with key 3 its nonce.

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
    /// The hash of the verifier's request this presentation answers (docs/format.md §15).
    pub const REQUEST: i64 = 5;
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
    /// The hash of the verifier's request this answers (key 5, docs/format.md §15.3); only
    /// with a nonce (the request's).
    pub request: Option<crate::request::RequestHash>,
}

/// Why a presentation payload is not acceptable.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// Not strict deterministic CBOR.
    Cbor(CborError),
    /// Not a map, or a member is missing, of the wrong type, or out of range.
    Invalid {
        /// Which member (`credential`, `iat`, `nonce`, `request`, `map`).
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
        if let Some(r) = &self.request {
            entries.push((label::REQUEST.into(), Value::Bytes(r.to_vec())));
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
                    label::REQUEST,
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
        // An answer to a request carries the request's nonce too.
        let request = get_int(map, label::REQUEST)
            .map(|v| {
                v.as_bytes()
                    .and_then(|b| <crate::request::RequestHash>::try_from(b.as_slice()).ok())
                    .filter(|_| nonce.is_some())
                    .ok_or(PayloadError::Invalid { member: "request" })
            })
            .transpose()?;
        Ok(PresentationPayload {
            credential,
            issued_at,
            nonce,
            disclosures,
            request,
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
            request: None,
        }
    }

    #[test]
    fn round_trip_with_and_without_nonce() {
        let mut p = sample();
        assert_eq!(
            PresentationPayload::from_bytes(&p.to_bytes()),
            Ok(p.clone())
        );
        p.request = Some([7; 16]);
        assert_eq!(
            PresentationPayload::from_bytes(&p.to_bytes()),
            Ok(p.clone())
        );
        p.request = None;
        p.nonce = None;
        assert_eq!(PresentationPayload::from_bytes(&p.to_bytes()), Ok(p));
    }

    #[test]
    fn a_request_hash_is_16_bytes_and_comes_with_a_nonce() {
        let mut p = sample();
        p.request = Some([7; 16]);
        let Value::Map(entries) = cbor::decode(&p.to_bytes()).unwrap() else {
            unreachable!()
        };
        let with = |key: i64, value: Option<Value>| {
            let mut e = entries.clone();
            e.retain(|(k, _)| as_i64(k) != Some(key));
            if let Some(v) = value {
                e.push((key.into(), v));
            }
            PresentationPayload::from_bytes(&cbor::encode(&cbor::map(e)))
        };
        let bad = Err(PayloadError::Invalid { member: "request" });
        assert_eq!(with(5, Some(Value::Bytes(vec![7; 15]))), bad);
        assert_eq!(with(5, Some(Value::Bytes(vec![7; 32]))), bad);
        assert_eq!(with(5, Some(Value::Text("x".into()))), bad);
        // Key 5 without key 3.
        assert_eq!(with(3, None), bad);
        assert!(with(5, Some(Value::Bytes(vec![1; 16]))).is_ok());
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
