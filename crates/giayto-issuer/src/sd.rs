//! The selective-disclosure form of a holder-bound credential (docs/format.md §14): every
//! field of the document and the `age_over_NN` predicates as salted leaves of a Merkle tree
//! whose root the issuer signs in place of the fields. The holder receives the signed
//! credential together with the values, salts and leaf hashes ([`HolderCopy`]); no printed
//! code ever carries the salts.
//!
//! Issuers make layout 2 (salts from one seed tree, docs/format.md §14.5; decisions.md D107):
//! [`sign_sd_credential`]. Layout 1 ([`sign_sd_credential_salted`]) is what the first release
//! issued; it stays for the test vectors and the size comparison of docs/qr-size.md.

use giayto_cose::ciborium::Value;
use giayto_cose::sd::{
    self, Disclosure, Hash, HolderCopy, Layout, Salt, AGE_THRESHOLDS, HASH_LEN, LEAVES,
    PREDICATE_BASE, SALT_LEN,
};
use giayto_cose::sign1::{self, SignError};
use giayto_cose::{Signer, CREDENTIAL_TYP};
use giayto_model::Date;

use crate::credential::{CredentialRequest, VIETNAM_UTC_OFFSET};

/// Why the selective-disclosure form cannot be made.
#[non_exhaustive]
#[derive(Debug)]
pub enum SdError {
    /// The credential is not bound to a holder key: only its holder could present it, so
    /// there must be one (docs/format.md §14.1).
    NotHolderBound,
    /// The random generator failed.
    Random,
    /// The signer failed.
    Sign(SignError),
}

impl std::fmt::Display for SdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SdError::NotHolderBound => write!(f, "selective disclosure needs a holder key"),
            SdError::Random => write!(f, "the random generator failed"),
            SdError::Sign(e) => write!(f, "signing failed: {e}"),
        }
    }
}

impl std::error::Error for SdError {}

/// Whole years from `birth` to `on` (a birthday on 29 February is reached on 1 March in a
/// common year).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let before_birthday = (on.month() as u8, on.day()) < (birth.month() as u8, birth.day());
    on.year() - birth.year() - i32::from(before_birthday)
}

/// The calendar date in Vietnam at a time (seconds since the epoch).
pub fn vietnam_date(at: i64) -> Option<Date> {
    time::OffsetDateTime::from_unix_timestamp(at.checked_add(VIETNAM_UTC_OFFSET)?)
        .ok()
        .map(|t| t.date())
}

/// The leaves' values of a request: `(index, value)` for every field of the document and, when
/// it has a date of birth, every `age_over_NN` as of the issue date in Vietnam.
pub fn leaf_values(request: &CredentialRequest<'_>) -> Vec<(u64, Value)> {
    let mut out: Vec<(u64, Value)> = match request.document.to_cbor() {
        Value::Map(entries) => entries
            .into_iter()
            .filter_map(|(k, v)| {
                let k = u64::try_from(k.as_integer()?).ok()?;
                (1..PREDICATE_BASE).contains(&k).then_some((k, v))
            })
            .collect(),
        _ => Vec::new(),
    };
    if let (Some(birth), Some(today)) = (
        request.document.holder_date_of_birth(),
        vietnam_date(request.issued_at),
    ) {
        let age = age_on(birth, today);
        for (i, nn) in AGE_THRESHOLDS.iter().enumerate() {
            out.push((
                PREDICATE_BASE + i as u64,
                Value::Bool(age >= i32::from(*nn)),
            ));
        }
    }
    out
}

/// Sign the selective-disclosure form of a credential in layout 2 (docs/format.md §14.5):
/// one 16-byte root seed from `random` (the OS random generator), every salt and decoy
/// derived from it, the positions the type does not define empty, the ID number next to the
/// name ([`sd::position`]). `random` fills a buffer; it
/// returns `false` when it cannot.
pub fn sign_sd_credential(
    signer: &dyn Signer,
    issuer_id: &str,
    request: &CredentialRequest<'_>,
    random: &mut dyn FnMut(&mut [u8]) -> bool,
) -> Result<HolderCopy, SdError> {
    if request.holder_key.is_none() {
        return Err(SdError::NotHolderBound);
    }
    let mut seed: Salt = [0; SALT_LEN];
    if !random(&mut seed) {
        return Err(SdError::Random);
    }
    // The type's positions: its field keys, and the predicates when it has a date of birth
    // (as `leaf_values` computes them).
    let defined = sd::positions(
        request
            .document
            .doc_type()
            .field_keys()
            .into_iter()
            .map(|(k, _)| k),
        request.document.holder_date_of_birth().is_some(),
    );
    let code = request.document.doc_type().code();
    let values: Vec<(u64, Value)> = leaf_values(request)
        .into_iter()
        .map(|(k, v)| (sd::position(Layout::Seeded, code, k), v))
        .collect();
    let (leaves, entries) = sd::seeded::build(&seed, defined, &values);
    let root = sd::root(&leaves);
    let claims = sd::sd_claims_bytes(&request.claims(issuer_id), &root, Layout::Seeded);
    let credential = sign1::sign(signer, CREDENTIAL_TYP, claims).map_err(SdError::Sign)?;
    Ok(HolderCopy {
        credential,
        entries,
        leaves,
        seed: Some(seed),
    })
}

/// Sign the selective-disclosure form of a credential in layout 1 (docs/format.md §14.1),
/// as the first release did: a random salt per leaf and a random decoy in every other
/// position, all from `random`. Kept for the test vectors and the size comparison; issuers
/// use [`sign_sd_credential`].
pub fn sign_sd_credential_salted(
    signer: &dyn Signer,
    issuer_id: &str,
    request: &CredentialRequest<'_>,
    random: &mut dyn FnMut(&mut [u8]) -> bool,
) -> Result<HolderCopy, SdError> {
    if request.holder_key.is_none() {
        return Err(SdError::NotHolderBound);
    }
    let mut leaves: [Hash; LEAVES] = [[0; HASH_LEN]; LEAVES];
    for leaf in leaves.iter_mut() {
        if !random(leaf) {
            return Err(SdError::Random);
        }
    }
    let mut entries = Vec::new();
    for (index, value) in leaf_values(request) {
        let mut salt: Salt = [0; SALT_LEN];
        if !random(&mut salt) {
            return Err(SdError::Random);
        }
        let entry = Disclosure { index, salt, value };
        if let Some(leaf) = usize::try_from(index).ok().and_then(|i| leaves.get_mut(i)) {
            *leaf = entry.leaf_hash();
        }
        entries.push(entry);
    }
    let root = sd::root(&leaves);
    let claims = sd::sd_claims_bytes(&request.claims(issuer_id), &root, Layout::Salted);
    let credential = sign1::sign(signer, CREDENTIAL_TYP, claims).map_err(SdError::Sign)?;
    Ok(HolderCopy {
        credential,
        entries,
        leaves,
        seed: None,
    })
}

/// Fill a buffer from the operating system's random generator.
#[cfg(feature = "registry")]
pub fn os_random(buf: &mut [u8]) -> bool {
    getrandom::getrandom(buf).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn age_counts_whole_years_and_leap_birthdays() {
        assert_eq!(age_on(date!(2000 - 05 - 17), date!(2018 - 05 - 16)), 17);
        assert_eq!(age_on(date!(2000 - 05 - 17), date!(2018 - 05 - 17)), 18);
        assert_eq!(age_on(date!(2004 - 02 - 29), date!(2022 - 02 - 28)), 17);
        assert_eq!(age_on(date!(2004 - 02 - 29), date!(2022 - 03 - 01)), 18);
        assert_eq!(vietnam_date(0), Some(date!(1970 - 01 - 01)));
        // 17:00 UTC is already the next day in Vietnam.
        assert_eq!(vietnam_date(17 * 3600), Some(date!(1970 - 01 - 02)));
    }
}
