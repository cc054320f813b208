//! The selective-disclosure copy of a stored credential (docs/format.md §14): checking it
//! against the full credential before it is stored, and choosing what a presentation shows.
//!
//! The copy ([`HolderCopy`]: the signed commitment credential, every opening — value and
//! salt — and the leaf hashes) lives in the encrypted wallet body next to the full credential
//! it was issued with; its salts never leave the wallet except for the leaves a holder
//! chooses to disclose.

use ed25519_dalek::VerifyingKey;
use giayto_cose::ciborium::Value;
use giayto_cose::claims::CredentialClaims;
use giayto_cose::sd::{self, HolderCopy, AGE_THRESHOLDS, PREDICATE_BASE};
use giayto_cose::sign1::Sign1;
use giayto_cose::CREDENTIAL_TYP;
use giayto_model::DocType;

use crate::WalletError;

/// One leaf a holder chose to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// Its leaf index: a field key (docs/format.md §4), or `16 + i` for `age_over_NN`.
    pub index: u64,
    /// The field's JSON name, or `age_over_NN`.
    pub name: String,
    /// The value as signed (CBOR).
    pub value: Value,
}

/// The value of field `key` in a document claim's `fields` map.
fn field_value(fields: &Value, key: u64) -> Option<&Value> {
    fields.as_map()?.iter().find_map(|(k, v)| {
        (k.as_integer().and_then(|i| u64::try_from(i).ok()) == Some(key)).then_some(v)
    })
}

/// Check that `copy` is the selective-disclosure form of the full credential `full_cose`
/// (whose claims are `full`): signed by `issuer_key` with the same key id, the same claims
/// apart from the commitment, a root over its leaves, and openings that agree with the full
/// credential field for field (and boolean predicates). Anything else is
/// [`WalletError::SdMismatch`].
pub(crate) fn check_copy(
    copy: &HolderCopy,
    full_cose: &[u8],
    full: &CredentialClaims,
    issuer_key: &[u8; 32],
) -> Result<(), WalletError> {
    let mismatch = || WalletError::SdMismatch;
    let signed = Sign1::parse(&copy.credential, CREDENTIAL_TYP).map_err(|_| mismatch())?;
    let full_signed = Sign1::parse(full_cose, CREDENTIAL_TYP).map_err(|_| mismatch())?;
    let key = VerifyingKey::from_bytes(issuer_key).map_err(|_| mismatch())?;
    if signed.kid() != full_signed.kid() || signed.verify(&key).is_err() {
        return Err(mismatch());
    }
    let (claims, root) = sd::parse_sd_claims(signed.payload()).map_err(|_| mismatch())?;
    let same = claims.issuer == full.issuer
        && claims.serial == full.serial
        && claims.issued_at == full.issued_at
        && claims.not_before == full.not_before
        && claims.expires_at == full.expires_at
        && claims.holder_key == full.holder_key
        && claims.status == full.status
        && claims.document.doc_type == full.document.doc_type
        && claims.document.schema_version == full.document.schema_version
        && claims.document.assurance_level == full.document.assurance_level
        && root == copy.root();
    if !same {
        return Err(mismatch());
    }
    check_openings(copy, full)
}

/// Check that the openings of `copy` agree with the full credential's claims `full` field for
/// field, that every field of the card is there, and that predicates are booleans
/// ([`WalletError::SdMismatch`] otherwise).
pub(crate) fn check_openings(
    copy: &HolderCopy,
    full: &CredentialClaims,
) -> Result<(), WalletError> {
    let mismatch = || WalletError::SdMismatch;
    let fields = &full.document.fields;
    let field_count = fields.as_map().map_or(0, Vec::len);
    let mut fields_seen = 0;
    for e in &copy.entries {
        if e.index < PREDICATE_BASE {
            if field_value(fields, e.index) != Some(&e.value) {
                return Err(mismatch());
            }
            fields_seen += 1;
        } else if sd::leaf_age(e.index).is_none() || !matches!(e.value, Value::Bool(_)) {
            return Err(mismatch());
        }
    }
    // Every field of the card can be shown.
    if fields_seen != field_count {
        return Err(mismatch());
    }
    Ok(())
}

/// The leaves that answer a request: each named field, and for `age_over` = NN the smallest
/// committed threshold ≥ NN (ISO 18013-5), which must be true. Never a false predicate, never
/// the birth date in place of a predicate.
pub(crate) fn select(
    copy: &HolderCopy,
    doc_type: u64,
    fields: &[String],
    age_over: Option<u8>,
) -> Result<Vec<Selected>, WalletError> {
    let doc_type = DocType::from_code(doc_type).ok_or(WalletError::Credential)?;
    let mut out: Vec<Selected> = Vec::new();
    for name in fields {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let key = doc_type
            .field_keys()
            .into_iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| k)
            .ok_or_else(|| WalletError::UnknownField(name.to_owned()))?;
        let entry = copy
            .entry(key)
            .ok_or_else(|| WalletError::FieldAbsent(name.to_owned()))?;
        if out.iter().all(|s| s.index != key) {
            out.push(Selected {
                index: key,
                name: name.to_owned(),
                value: entry.value.clone(),
            });
        }
    }
    if let Some(nn) = age_over {
        // The nearest committed threshold at or above NN; the predicates are monotone, so if
        // it is false every higher one is too.
        let answer = AGE_THRESHOLDS
            .iter()
            .filter(|t| **t >= nn)
            .find_map(|t| Some((*t, copy.entry(sd::age_leaf(*t)?)?)))
            .ok_or(WalletError::NoAgePredicate(nn))?;
        let (threshold, entry) = answer;
        if entry.value != Value::Bool(true) {
            return Err(WalletError::AgeNotReached(nn));
        }
        if out.iter().all(|s| s.index != entry.index) {
            out.push(Selected {
                index: entry.index,
                name: format!("age_over_{threshold}"),
                value: entry.value.clone(),
            });
        }
    }
    if out.is_empty() {
        return Err(WalletError::NothingToDisclose);
    }
    out.sort_by_key(|s| s.index);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use giayto_cose::sd::{Disclosure, HASH_LEN, LEAVES, SALT_LEN};

    /// A CCCD-shaped copy: ID number (key 2) and full name (key 3), predicates true up to 18.
    fn copy() -> HolderCopy {
        let mut entries = vec![
            Disclosure {
                index: 2,
                salt: [1; SALT_LEN],
                value: Value::Text("001099012345".into()),
            },
            Disclosure {
                index: 3,
                salt: [2; SALT_LEN],
                value: Value::Text("Trần Thị Mai".into()),
            },
        ];
        for (i, nn) in AGE_THRESHOLDS.iter().enumerate() {
            entries.push(Disclosure {
                index: PREDICATE_BASE + i as u64,
                salt: [9; SALT_LEN],
                value: Value::Bool(*nn <= 18),
            });
        }
        let mut leaves = [[0xAB; HASH_LEN]; LEAVES];
        for e in &entries {
            leaves[e.index as usize] = e.leaf_hash();
        }
        HolderCopy {
            credential: Vec::new(),
            entries,
            leaves,
        }
    }

    const CCCD: u64 = 1;

    #[test]
    fn fields_are_chosen_by_name_in_leaf_order() {
        let names = |s: Vec<Selected>| s.into_iter().map(|s| s.name).collect::<Vec<_>>();
        let s = select(
            &copy(),
            CCCD,
            &["full_name".into(), "id_number".into()],
            None,
        )
        .unwrap();
        assert_eq!(names(s), ["id_number", "full_name"]);
        assert!(matches!(
            select(&copy(), CCCD, &["shoe_size".into()], None),
            Err(WalletError::UnknownField(n)) if n == "shoe_size"
        ));
        // A field of the type that this card does not carry.
        assert!(matches!(
            select(&copy(), CCCD, &["date_of_birth".into()], None),
            Err(WalletError::FieldAbsent(_))
        ));
        assert!(matches!(
            select(&copy(), CCCD, &[], None),
            Err(WalletError::NothingToDisclose)
        ));
    }

    #[test]
    fn an_age_is_answered_by_the_nearest_true_threshold_and_never_by_a_false_one() {
        let one = |nn| select(&copy(), CCCD, &[], Some(nn)).map(|s| s[0].name.clone());
        assert_eq!(one(18).unwrap(), "age_over_18");
        assert_eq!(one(17).unwrap(), "age_over_18");
        assert_eq!(one(0).unwrap(), "age_over_14");
        // age_over_21 is false: refused, not disclosed.
        assert!(matches!(one(21), Err(WalletError::AgeNotReached(21))));
        assert!(matches!(one(19), Err(WalletError::AgeNotReached(19))));
        // No threshold at or above 66.
        assert!(matches!(one(66), Err(WalletError::NoAgePredicate(66))));
        // A copy without predicates (a vehicle registration).
        let mut no_predicates = copy();
        no_predicates.entries.retain(|e| e.index < PREDICATE_BASE);
        assert!(matches!(
            select(&no_predicates, CCCD, &[], Some(18)),
            Err(WalletError::NoAgePredicate(18))
        ));
    }
}
