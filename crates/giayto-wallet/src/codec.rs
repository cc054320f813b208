//! The encrypted body's CBOR codec: the persons (names, relationships, key seeds), the stored
//! credentials, and the copy of the passcode slot (`docs/wallet.md`, "What is stored").
//!
//! ```text
//! { 1: [ {1: name, 2: relationship (absent for the holder), 3: seed(32)}, ... ] (holder first),
//!   2: [ {1: person index, 2: COSE_Sign1 bytes, 3: added at,
//!         4: selective-disclosure copy (HolderCopy CBOR bytes, docs/format.md §14; optional),
//!         5: one-time copies not shown yet: [ {1: seed(32), 2: HolderCopy bytes}, ... ]
//!            (optional, D112),
//!         6: one-time copies shown so far (optional, absent for 0)},
//!        ... ],
//!   3: passcode slot copy (absent in a backup),
//!   4: one-time keys waiting for their copies: [ {1: person index, 2: seed(32)}, ... ]
//!      (optional, D112) }
//! ```
//!
//! Keys 5 and 6 of a credential and key 4 of the body came with one-time copies: a body
//! without them (every wallet written before) reads as having none.

use ciborium::value::Value;
use giayto_cose::claims::CredentialClaims;
use giayto_cose::sd::HolderCopy;
use giayto_cose::sign1::Sign1;
use giayto_cose::CREDENTIAL_TYP;
use zeroize::Zeroizing;

use crate::copies::{HeldCopy, PendingKey};
use crate::envelope::{bytes as get_bytes, get, int, Slot};
use crate::{Person, StoredCredential, WalletError};

/// The claims of a credential (COSE_Sign1 of type `CREDENTIAL_TYP`, format.md §5), unverified:
/// the caller verified it before it was stored.
pub(crate) fn parse_credential(cose: &[u8]) -> Result<CredentialClaims, WalletError> {
    let signed = Sign1::parse(cose, CREDENTIAL_TYP).map_err(|_| WalletError::Credential)?;
    CredentialClaims::from_bytes(signed.payload()).map_err(|_| WalletError::Credential)
}

/// What the encrypted body holds.
pub(crate) struct Contents {
    pub(crate) persons: Vec<Person>,
    pub(crate) credentials: Vec<StoredCredential>,
    pub(crate) passcode_copy: Option<Slot>,
    pub(crate) pending: Vec<PendingKey>,
}

impl Contents {
    /// The body's plaintext; the intermediate copies of the seeds are wiped.
    pub(crate) fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, WalletError> {
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
                let mut m = vec![
                    (1.into(), (c.person as u64).into()),
                    (2.into(), Value::Bytes(c.cose.clone())),
                    (3.into(), c.added_at.into()),
                ];
                // Key 4 is new: a body without it (every wallet written before) reads as
                // credentials without a copy, and older readers ignore it.
                if let Some(sd) = &c.sd {
                    m.push((4.into(), Value::Bytes(sd.to_bytes())));
                }
                if !c.copies.is_empty() {
                    let held = c
                        .copies
                        .iter()
                        .map(|h| {
                            Value::Map(vec![
                                (1.into(), Value::Bytes(h.seed.to_vec())),
                                (2.into(), Value::Bytes(h.copy.to_bytes())),
                            ])
                        })
                        .collect();
                    m.push((5.into(), Value::Array(held)));
                }
                if c.copies_used > 0 {
                    m.push((6.into(), c.copies_used.into()));
                }
                Value::Map(m)
            })
            .collect();
        let mut m = vec![
            (1.into(), Value::Array(persons)),
            (2.into(), Value::Array(credentials)),
        ];
        if let Some(s) = &self.passcode_copy {
            m.push((3.into(), s.to_value()));
        }
        if !self.pending.is_empty() {
            let pending = self
                .pending
                .iter()
                .map(|k| {
                    Value::Map(vec![
                        (1.into(), (k.person as u64).into()),
                        (2.into(), Value::Bytes(k.seed.to_vec())),
                    ])
                })
                .collect();
            m.push((4.into(), Value::Array(pending)));
        }
        let value = Value::Map(m);
        let mut out = Zeroizing::new(Vec::new());
        let written = ciborium::ser::into_writer(&value, &mut *out);
        zeroize_value(value);
        written.map_err(|_| WalletError::Encode { what: "body" })?;
        Ok(out)
    }

    /// Parse a body's plaintext; anything out of shape is `Format { what: "body" }`.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Contents, WalletError> {
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
                let sd = match get_bytes(cm, 4) {
                    None => None,
                    Some(b) => Some(HolderCopy::from_bytes(b).map_err(|_| format())?),
                };
                let mut copies = Vec::new();
                if let Some(held) = get(cm, 5) {
                    for h in held.as_array().ok_or_else(format)? {
                        let hm = h.as_map().ok_or_else(format)?;
                        let copy = get_bytes(hm, 2)
                            .and_then(|b| HolderCopy::from_bytes(b).ok())
                            .ok_or_else(format)?;
                        copies.push(HeldCopy::new(seed(hm, 1)?, copy).ok_or_else(format)?);
                    }
                }
                let copies_used = match get(cm, 6) {
                    None => 0,
                    Some(_) => int(cm, 6)
                        .and_then(|n| u64::try_from(n).ok())
                        .ok_or_else(format)?,
                };
                credentials.push(StoredCredential {
                    person,
                    cose,
                    added_at,
                    claims,
                    sd,
                    copies,
                    copies_used,
                });
            }
            let passcode_copy = match get(m, 3) {
                None => None,
                Some(v) => Some(Slot::from_value(v).ok_or_else(format)?),
            };
            let mut pending = Vec::new();
            if let Some(keys) = get(m, 4) {
                for k in keys.as_array().ok_or_else(format)? {
                    let km = k.as_map().ok_or_else(format)?;
                    let person = int(km, 1)
                        .and_then(|i| usize::try_from(i).ok())
                        .filter(|i| *i < persons.len())
                        .ok_or_else(format)?;
                    pending.push(PendingKey::new(person, seed(km, 2)?));
                }
            }
            Ok(Contents {
                persons,
                credentials,
                passcode_copy,
                pending,
            })
        })();
        zeroize_value(value);
        result
    }
}

/// A 32-byte key seed at `key` of a map.
fn seed(m: &[(Value, Value)], key: i64) -> Result<Zeroizing<[u8; 32]>, WalletError> {
    get_bytes(m, key)
        .and_then(|s| <[u8; 32]>::try_from(s).ok())
        .map(Zeroizing::new)
        .ok_or(WalletError::Format { what: "body" })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> Person {
        Person::new("Phạm Văn Long", None, Zeroizing::new([3u8; 32])).unwrap()
    }

    #[test]
    fn a_body_round_trips() {
        let c = Contents {
            persons: vec![
                holder(),
                Person::new("Phạm Thị Hoa", Some("con"), Zeroizing::new([4u8; 32])).unwrap(),
            ],
            credentials: Vec::new(),
            passcode_copy: None,
            pending: Vec::new(),
        };
        let bytes = c.to_bytes().unwrap();
        let back = Contents::from_bytes(&bytes).unwrap();
        assert_eq!(back.persons.len(), 2);
        assert_eq!(back.persons[1].relationship.as_deref(), Some("con"));
        assert_eq!(back.persons[1].public_key(), c.persons[1].public_key());
        assert!(back.passcode_copy.is_none());
    }

    #[test]
    fn a_body_without_the_holder_first_is_refused() {
        let dependent_only = Contents {
            persons: vec![Person::new("Hoa", Some("con"), Zeroizing::new([4u8; 32])).unwrap()],
            credentials: Vec::new(),
            passcode_copy: None,
            pending: Vec::new(),
        };
        let two_holders = Contents {
            persons: vec![holder(), holder()],
            credentials: Vec::new(),
            passcode_copy: None,
            pending: Vec::new(),
        };
        for c in [dependent_only, two_holders] {
            assert!(matches!(
                Contents::from_bytes(&c.to_bytes().unwrap()),
                Err(WalletError::Format { what: "body" })
            ));
        }
        assert!(matches!(
            Contents::from_bytes(&[0xff, 0x00]),
            Err(WalletError::Format { .. })
        ));
    }
}
