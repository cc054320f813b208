//! The trust list (docs/format.md §6): a COSE_Sign1 by the root key over a CWT-style claims map that
//! names every issuer key, what it may issue, and when.
//!
//! Payload (deterministic CBOR map):
//!
//! | key      | name     | value |
//! |----------|----------|-------|
//! | 1        | iss      | root id, text |
//! | 4        | exp      | next update due, seconds |
//! | 6        | iat      | seconds |
//! | -70010   | seq      | sequence number, grows with every list the root signs |
//! | -70011   | issuers  | array of issuer entries |
//! | -70012   | withdrawn issuers | optional: issuer ids no certificate may vouch for |
//! | -70013   | withdrawn kids | optional: kids no certificate may vouch for |
//!
//! Issuer entry: `{1: id, 2: name_vi, 3: name_en?, 4: kid (8 bytes), 5: public key (32 bytes),
//! 6: [doc type codes], 7: not_before, 8: not_after, 9: status uri prefix?}`.

use ciborium::value::Value;
use ed25519_dalek::VerifyingKey;
use giayto_cose::cbor::{self, as_i64, as_u64, get_int};
use giayto_cose::sign1::{self, CoseError, Sign1, SignError};
use giayto_cose::{kid_for, Signer, TRUST_LIST_TYP};

const SEQ: i64 = -70010;
const ISSUERS: i64 = -70011;
const WITHDRAWN_IDS: i64 = -70012;
const WITHDRAWN_KIDS: i64 = -70013;
/// Most issuer ids, and most kids, a trust list may withdraw (docs/format.md §6.4).
pub const MAX_WITHDRAWN: usize = 4096;
/// Most issuers a trust list may name.
pub const MAX_ISSUERS: usize = 1024;
/// Largest signed trust list accepted, in bytes: room for [`MAX_ISSUERS`] entries with long
/// names in both languages (a credential's 64 KiB cap would hold only about 400).
pub const MAX_TRUST_LIST_BYTES: usize = 1024 * 1024;

/// Longest issuer or root id giayto's tools write.
pub const MAX_ID_LEN: usize = 64;

/// The id rule of giayto's tools for roots and issuers: 1 to [`MAX_ID_LEN`] characters of
/// `A–Z a–z 0–9 . _ -` (docs/format.md §6.3: a choice of the tools, not a rule of the format,
/// so verifiers do not apply it). The root authority ([`crate::authority`]) and the issuer's
/// folder both check ids with this one function, so an issuer can only be created under an id
/// the root would accept.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// One issuer key the root trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerEntry {
    /// Issuer id, matched against a credential's `iss` (e.g. `VN.BCA.C06`).
    pub id: String,
    /// Display name in Vietnamese.
    pub name_vi: String,
    /// Display name in English, if given.
    pub name_en: Option<String>,
    /// The issuer's Ed25519 public key.
    pub public_key: [u8; 32],
    /// Document type codes this key may issue.
    pub doc_types: Vec<u64>,
    /// Start of the key's validity, seconds.
    pub not_before: i64,
    /// End of the key's validity, seconds.
    pub not_after: i64,
    /// Status list uris of this issuer must start with this prefix, if set.
    pub status_uri_prefix: Option<String>,
}

impl IssuerEntry {
    /// The key id of the entry's key.
    pub fn kid(&self) -> [u8; 8] {
        kid_for(&self.public_key)
    }

    /// Whether this key may issue documents of the given type code.
    pub fn allows(&self, doc_type: u64) -> bool {
        self.doc_types.contains(&doc_type)
    }

    /// The display name in the given language (`"en"` falls back to Vietnamese if absent).
    pub fn name(&self, english: bool) -> &str {
        match (&self.name_en, english) {
            (Some(en), true) => en,
            _ => &self.name_vi,
        }
    }

    fn to_value(&self) -> Value {
        let mut entries: Vec<(Value, Value)> = vec![
            (1.into(), Value::Text(self.id.clone())),
            (2.into(), Value::Text(self.name_vi.clone())),
            (4.into(), Value::Bytes(self.kid().to_vec())),
            (5.into(), Value::Bytes(self.public_key.to_vec())),
            (
                6.into(),
                Value::Array(self.doc_types.iter().map(|d| (*d).into()).collect()),
            ),
            (7.into(), self.not_before.into()),
            (8.into(), self.not_after.into()),
        ];
        if let Some(en) = &self.name_en {
            entries.push((3.into(), Value::Text(en.clone())));
        }
        if let Some(prefix) = &self.status_uri_prefix {
            entries.push((9.into(), Value::Text(prefix.clone())));
        }
        cbor::map(entries)
    }

    /// Read an entry, taking its texts out of the decoded value instead of copying them (a
    /// national list has a thousand entries). The checks run in a fixed order, so the same
    /// entry always gives the same error.
    fn from_value(value: Value) -> Result<IssuerEntry, TrustError> {
        let Value::Map(mut map) = value else {
            return Err(TrustError::Payload { what: "issuer" });
        };
        let time = |map: &[(Value, Value)], key: i64, what: &'static str| {
            get_int(map, key)
                .and_then(as_i64)
                .ok_or(TrustError::Payload { what })
        };
        let public_key: [u8; 32] = get_int(&map, 5)
            .and_then(Value::as_bytes)
            .and_then(|b| b.as_slice().try_into().ok())
            .ok_or(TrustError::Payload { what: "issuer key" })?;
        let kid = get_int(&map, 4)
            .and_then(Value::as_bytes)
            .ok_or(TrustError::Payload { what: "issuer kid" })?;
        if kid.as_slice() != kid_for(&public_key) {
            return Err(TrustError::Payload { what: "issuer kid" });
        }
        let doc_types = get_int(&map, 6)
            .and_then(Value::as_array)
            .filter(|a| a.len() <= 64)
            .and_then(|a| a.iter().map(as_u64).collect::<Option<Vec<u64>>>())
            .ok_or(TrustError::Payload {
                what: "issuer doc types",
            })?;
        Ok(IssuerEntry {
            id: take_text(&mut map, 1, "issuer id")?,
            name_vi: take_text(&mut map, 2, "issuer name")?,
            name_en: take_optional_text(&mut map, 3, "issuer English name")?,
            public_key,
            doc_types,
            not_before: time(&map, 7, "issuer not_before")?,
            not_after: time(&map, 8, "issuer not_after")?,
            status_uri_prefix: take_optional_text(&mut map, 9, "status uri prefix")?,
        })
    }
}

/// The value under an integer key of a decoded map, to take from.
fn get_int_mut(map: &mut [(Value, Value)], key: i64) -> Option<&mut Value> {
    map.iter_mut()
        .find(|(k, _)| k.as_integer().and_then(|i| i64::try_from(i).ok()) == Some(key))
        .map(|(_, v)| v)
}

/// Take the text under `key`: present, 1 to 256 bytes (docs/format.md §6.3).
fn take_text(
    map: &mut [(Value, Value)],
    key: i64,
    what: &'static str,
) -> Result<String, TrustError> {
    match get_int_mut(map, key) {
        Some(Value::Text(t)) if !t.is_empty() && t.len() <= 256 => Ok(std::mem::take(t)),
        _ => Err(TrustError::Payload { what }),
    }
}

/// Take the text under `key` if there is one; when present it must be valid as for
/// [`take_text`].
fn take_optional_text(
    map: &mut [(Value, Value)],
    key: i64,
    what: &'static str,
) -> Result<Option<String>, TrustError> {
    if get_int(map, key).is_none() {
        return Ok(None);
    }
    take_text(map, key, what).map(Some)
}

/// A trust list: which issuer keys the root vouches for, from when to when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    /// The root's id (`iss`).
    pub root_id: String,
    /// Sequence number; a device never replaces a list by one with a lower number.
    pub sequence: u64,
    /// When the root signed it, seconds.
    pub issued_at: i64,
    /// When the next update is due, seconds.
    pub expires_at: i64,
    /// The trusted issuer keys.
    pub issuers: Vec<IssuerEntry>,
    /// What the root has withdrawn (docs/format.md §6.4): no X.509 certificate makes these
    /// trusted again.
    pub withdrawn: Withdrawn,
}

/// Issuers and keys the root has withdrawn: on the X.509 path (docs/format.md §18.4) a
/// certificate naming one of these ids, or certifying one of these kids, counts for nothing.
/// The trust list path needs no such list (what it does not list, it does not trust).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Withdrawn {
    /// Issuer ids no entry names any more.
    pub issuers: Vec<String>,
    /// Kids of keys removed from the list.
    pub kids: Vec<[u8; 8]>,
}

impl Withdrawn {
    /// Whether nothing is withdrawn (then the payload has neither key).
    pub fn is_empty(&self) -> bool {
        self.issuers.is_empty() && self.kids.is_empty()
    }

    /// Whether this issuer id is withdrawn.
    pub fn issuer(&self, id: &str) -> bool {
        self.issuers.iter().any(|i| i == id)
    }

    /// Whether this kid is withdrawn.
    pub fn kid(&self, kid: &[u8; 8]) -> bool {
        self.kids.contains(kid)
    }
}

/// Why a trust list is not acceptable.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustError {
    /// Not a well-formed trust list COSE_Sign1.
    Cose(CoseError),
    /// Signed by a key other than the pinned root key.
    WrongRoot,
    /// The signature does not verify under the root key.
    BadSignature,
    /// The payload is not a valid trust list; `what` names the part.
    Payload {
        /// The part that is wrong.
        what: &'static str,
    },
}

impl std::fmt::Display for TrustError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrustError::Cose(e) => write!(f, "trust list: {e}"),
            TrustError::WrongRoot => write!(f, "trust list not signed by the pinned root key"),
            TrustError::BadSignature => write!(f, "trust list signature does not verify"),
            TrustError::Payload { what } => write!(f, "trust list: invalid {what}"),
        }
    }
}

impl std::error::Error for TrustError {}

impl TrustList {
    /// The entry for a credential's kid, if the list has it.
    pub fn find(&self, kid: &[u8; 8]) -> Option<&IssuerEntry> {
        self.issuers.iter().find(|e| &e.kid() == kid)
    }

    /// The payload as a deterministic CBOR value.
    pub fn to_value(&self) -> Value {
        let mut entries = vec![
            (1.into(), Value::Text(self.root_id.clone())),
            (4.into(), self.expires_at.into()),
            (6.into(), self.issued_at.into()),
            (SEQ.into(), self.sequence.into()),
            (
                ISSUERS.into(),
                Value::Array(self.issuers.iter().map(IssuerEntry::to_value).collect()),
            ),
        ];
        // Written only when something is withdrawn: a list without them is byte for byte
        // what earlier releases signed.
        if !self.withdrawn.issuers.is_empty() {
            entries.push((
                WITHDRAWN_IDS.into(),
                Value::Array(
                    self.withdrawn
                        .issuers
                        .iter()
                        .map(|i| Value::Text(i.clone()))
                        .collect(),
                ),
            ));
        }
        if !self.withdrawn.kids.is_empty() {
            entries.push((
                WITHDRAWN_KIDS.into(),
                Value::Array(
                    self.withdrawn
                        .kids
                        .iter()
                        .map(|k| Value::Bytes(k.to_vec()))
                        .collect(),
                ),
            ));
        }
        cbor::map(entries)
    }

    /// Sign the list with the root key.
    pub fn sign(&self, root: &dyn Signer) -> Result<Vec<u8>, SignError> {
        sign1::sign(root, TRUST_LIST_TYP, cbor::encode(&self.to_value()))
    }

    /// Check a signed trust list against the pinned root key and parse it. Time is not checked
    /// here: freshness is the verifier's call, with the clock it is given.
    pub fn verify(bytes: &[u8], root: &VerifyingKey) -> Result<TrustList, TrustError> {
        let signed = Sign1::parse_bounded(bytes, TRUST_LIST_TYP, MAX_TRUST_LIST_BYTES)
            .map_err(TrustError::Cose)?;
        if signed.kid() != kid_for(root.as_bytes()) {
            return Err(TrustError::WrongRoot);
        }
        signed.verify(root).map_err(|_| TrustError::BadSignature)?;
        let payload = cbor::decode_bounded(signed.payload(), MAX_TRUST_LIST_BYTES)
            .map_err(|_| TrustError::Payload { what: "encoding" })?;
        Self::from_value(payload)
    }

    /// Read the payload, taking the issuer entries out of the decoded value.
    fn from_value(value: Value) -> Result<TrustList, TrustError> {
        let Value::Map(mut entries) = value else {
            return Err(TrustError::Payload { what: "map" });
        };
        let issuers = match get_int_mut(&mut entries, ISSUERS) {
            Some(Value::Array(a)) if a.len() <= MAX_ISSUERS => std::mem::take(a),
            _ => return Err(TrustError::Payload { what: "issuers" }),
        }
        .into_iter()
        .map(IssuerEntry::from_value)
        .collect::<Result<Vec<_>, _>>()?;
        let map = entries.as_slice();
        let field =
            |key: i64, what: &'static str| get_int(map, key).ok_or(TrustError::Payload { what });
        let withdrawn = Withdrawn {
            issuers: withdrawn_array(map, WITHDRAWN_IDS, "withdrawn issuers", |v| {
                v.as_text()
                    .filter(|t| !t.is_empty() && t.len() <= 256)
                    .map(str::to_owned)
            })?,
            kids: withdrawn_array(map, WITHDRAWN_KIDS, "withdrawn kids", |v| {
                v.as_bytes()
                    .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            })?,
        };
        // A list that both trusts and withdraws an issuer or a key says two things at once.
        // (Nothing withdrawn, nothing to compare: no kid is hashed again.)
        if !withdrawn.is_empty()
            && issuers
                .iter()
                .any(|e| withdrawn.issuer(&e.id) || withdrawn.kid(&e.kid()))
        {
            return Err(TrustError::Payload {
                what: "withdrawn issuer still listed",
            });
        }
        Ok(TrustList {
            root_id: field(1, "iss")?
                .as_text()
                .ok_or(TrustError::Payload { what: "iss" })?
                .to_owned(),
            sequence: as_u64(field(SEQ, "seq")?).ok_or(TrustError::Payload { what: "seq" })?,
            issued_at: as_i64(field(6, "iat")?).ok_or(TrustError::Payload { what: "iat" })?,
            expires_at: as_i64(field(4, "exp")?).ok_or(TrustError::Payload { what: "exp" })?,
            issuers,
            withdrawn,
        })
    }
}

/// An optional array of at most [`MAX_WITHDRAWN`] items, each read by `item`.
fn withdrawn_array<T>(
    map: &[(Value, Value)],
    key: i64,
    what: &'static str,
    item: impl Fn(&Value) -> Option<T>,
) -> Result<Vec<T>, TrustError> {
    let Some(value) = get_int(map, key) else {
        return Ok(Vec::new());
    };
    value
        .as_array()
        .filter(|a| a.len() <= MAX_WITHDRAWN)
        .and_then(|a| a.iter().map(&item).collect::<Option<Vec<T>>>())
        .ok_or(TrustError::Payload { what })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn list(issuer: &SigningKey) -> TrustList {
        TrustList {
            root_id: "VN.ROOT".into(),
            sequence: 3,
            issued_at: 1_790_000_000,
            expires_at: 1_792_592_000,
            issuers: vec![IssuerEntry {
                id: "VN.BCA.C06".into(),
                name_vi: "Cục Cảnh sát quản lý hành chính về trật tự xã hội".into(),
                name_en: Some("Police Department for Administrative Management".into()),
                public_key: issuer.verifying_key().to_bytes(),
                doc_types: vec![1, 2, 3],
                not_before: 1_700_000_000,
                not_after: 2_000_000_000,
                status_uri_prefix: None,
            }],
            withdrawn: Withdrawn::default(),
        }
    }

    #[test]
    fn id_rule() {
        for good in ["VN.BCA.C06", "VN.BHXH", "a", "x_y-z.0", &"A".repeat(64)] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in [
            "",
            " VN.BHXH",
            "VN BHXH",
            "VN/BHXH",
            "VN.BHXH\n",
            "Bảo.hiểm",
            &"A".repeat(65),
        ] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn sign_verify_round_trip() {
        let root = SigningKey::from_bytes(&[1; 32]);
        let issuer = SigningKey::from_bytes(&[2; 32]);
        let l = list(&issuer);
        let bytes = l.sign(&root).unwrap();
        let back = TrustList::verify(&bytes, &root.verifying_key()).unwrap();
        assert_eq!(back, l);
        assert!(back
            .find(&kid_for(&issuer.verifying_key().to_bytes()))
            .is_some());
        assert!(back.find(&[0; 8]).is_none());
    }

    #[test]
    fn wrong_root_and_every_bit_flip_rejected() {
        let root = SigningKey::from_bytes(&[1; 32]);
        let other = SigningKey::from_bytes(&[3; 32]);
        let bytes = list(&SigningKey::from_bytes(&[2; 32])).sign(&root).unwrap();
        assert_eq!(
            TrustList::verify(&bytes, &other.verifying_key()),
            Err(TrustError::WrongRoot)
        );
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(
                TrustList::verify(&flipped, &root.verifying_key()).is_err(),
                "bit {bit} flipped still verifies"
            );
        }
        for len in 0..bytes.len() {
            assert!(TrustList::verify(&bytes[..len], &root.verifying_key()).is_err());
        }
    }

    #[test]
    fn withdrawn_ids_and_kids_round_trip_and_an_empty_withdrawal_writes_nothing() {
        let root = SigningKey::from_bytes(&[1; 32]);
        let mut l = list(&SigningKey::from_bytes(&[2; 32]));
        let plain = cbor::encode(&l.to_value());
        l.withdrawn = Withdrawn {
            issuers: vec!["VN.SGTVT.HN".into()],
            kids: vec![[9; 8]],
        };
        let with = cbor::encode(&l.to_value());
        // The new keys come after the issuers, in deterministic order; nothing else moves.
        assert_eq!(with[1..plain.len()], plain[1..]);
        assert_eq!(with[0], plain[0] + 2, "two more map entries");
        let back = TrustList::verify(&l.sign(&root).unwrap(), &root.verifying_key()).unwrap();
        assert_eq!(back, l);
        assert!(back.withdrawn.issuer("VN.SGTVT.HN") && back.withdrawn.kid(&[9; 8]));
        assert!(!back.withdrawn.issuer("VN.BCA.C06"));
    }

    /// A payload as the root signs it, with `extra` entries added.
    fn payload_with(extra: Vec<(Value, Value)>) -> Result<TrustList, TrustError> {
        let l = list(&SigningKey::from_bytes(&[2; 32]));
        let Value::Map(mut entries) = l.to_value() else {
            unreachable!()
        };
        entries.extend(extra);
        TrustList::from_value(Value::Map(entries))
    }

    #[test]
    fn malformed_or_contradictory_withdrawals_make_the_list_invalid() {
        let listed_kid = kid_for(&SigningKey::from_bytes(&[2; 32]).verifying_key().to_bytes());
        let bad: Vec<(i64, Value, &str)> = vec![
            (
                WITHDRAWN_IDS,
                Value::Text("VN.X".into()),
                "withdrawn issuers",
            ),
            (
                WITHDRAWN_IDS,
                Value::Array(vec![Value::Text(String::new())]),
                "withdrawn issuers",
            ),
            (
                WITHDRAWN_IDS,
                Value::Array(vec![Value::Bytes(vec![1])]),
                "withdrawn issuers",
            ),
            (
                WITHDRAWN_IDS,
                Value::Array(vec![Value::Text("VN".into()); MAX_WITHDRAWN + 1]),
                "withdrawn issuers",
            ),
            (
                WITHDRAWN_KIDS,
                Value::Array(vec![Value::Bytes(vec![1; 7])]),
                "withdrawn kids",
            ),
            (
                WITHDRAWN_KIDS,
                Value::Array(vec![Value::Text("k".into())]),
                "withdrawn kids",
            ),
            (
                WITHDRAWN_IDS,
                Value::Array(vec![Value::Text("VN.BCA.C06".into())]),
                "withdrawn issuer still listed",
            ),
            (
                WITHDRAWN_KIDS,
                Value::Array(vec![Value::Bytes(listed_kid.to_vec())]),
                "withdrawn issuer still listed",
            ),
        ];
        for (key, value, what) in bad {
            assert_eq!(
                payload_with(vec![(key.into(), value)]),
                Err(TrustError::Payload { what }),
                "{what}"
            );
        }
        // The most there may be is read.
        let ok = payload_with(vec![(
            WITHDRAWN_KIDS.into(),
            Value::Array(vec![Value::Bytes(vec![1; 8]); MAX_WITHDRAWN]),
        )])
        .unwrap();
        assert_eq!(ok.withdrawn.kids.len(), MAX_WITHDRAWN);
    }

    #[test]
    fn an_entry_with_several_faults_names_the_first_in_a_fixed_order() {
        // The entry reader takes its texts out of the decoded value; the checks still run in
        // one order, so an entry with several faults always gives the same error.
        let entry = |drop: &[i64], bad_text: &[i64]| {
            let l = list(&SigningKey::from_bytes(&[2; 32]));
            let Value::Map(mut payload) = l.to_value() else {
                unreachable!()
            };
            let issuers = payload
                .iter_mut()
                .find(|(k, _)| k.as_integer() == Some(ISSUERS.into()))
                .map(|(_, v)| v)
                .unwrap();
            let Value::Array(entries) = issuers else {
                unreachable!()
            };
            let Value::Map(fields) = &mut entries[0] else {
                unreachable!()
            };
            fields.retain(|(k, _)| !drop.iter().any(|d| k.as_integer() == Some((*d).into())));
            for (k, v) in fields.iter_mut() {
                if bad_text.iter().any(|d| k.as_integer() == Some((*d).into())) {
                    *v = Value::Text(String::new());
                }
            }
            TrustList::from_value(Value::Map(payload))
        };
        let what = |what| Err(TrustError::Payload { what });
        assert_eq!(entry(&[5, 1], &[]), what("issuer key"));
        assert_eq!(entry(&[4, 1], &[]), what("issuer kid"));
        assert_eq!(entry(&[6, 2], &[]), what("issuer doc types"));
        assert_eq!(entry(&[], &[1, 2]), what("issuer id"));
        assert_eq!(entry(&[7], &[2, 3]), what("issuer name"));
        assert_eq!(entry(&[7], &[3]), what("issuer English name"));
        assert_eq!(entry(&[7, 8], &[]), what("issuer not_before"));
        assert_eq!(entry(&[8], &[]), what("issuer not_after"));
        // An absent English name is none; an empty one is invalid.
        assert!(entry(&[3], &[]).unwrap().issuers[0].name_en.is_none());
        let full = entry(&[], &[]).unwrap();
        assert_eq!(full, list(&SigningKey::from_bytes(&[2; 32])));
    }

    #[test]
    fn a_credential_typ_is_not_a_trust_list() {
        let root = SigningKey::from_bytes(&[1; 32]);
        let bytes = sign1::sign(&root, giayto_cose::CREDENTIAL_TYP, vec![0xa0]).unwrap();
        assert!(matches!(
            TrustList::verify(&bytes, &root.verifying_key()),
            Err(TrustError::Cose(CoseError::WrongType { .. }))
        ));
    }
}
