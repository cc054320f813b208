//! One-time selective-disclosure copies (docs/decisions.md D110, D111): for one document, N
//! selective-disclosure credentials (docs/format.md §14.2), each with its own serial, holder key
//! (one the holder's wallet made for this copy alone), salts and status entry, recorded as rows
//! linked to the document's row, so that a status change of the document reaches every copy.
//! A wallet shows each copy once; verifiers who pool what they saw find no common serial, key,
//! signature, root or status index.

use giayto_cose::copies::MAX_COPIES;
use giayto_model::Document;

use super::{IssueOptions, Issuer, IssuerError, OneTimeCopy};
use crate::credential::VIETNAM_UTC_OFFSET;
use crate::registry::{CredentialRecord, NewCredential, RegistryError};

/// The copies of one issuance are signed `iat` up to this many seconds after the issuance
/// time, each at a different second: no two copies of a document share their `iat`, which
/// verifiers see (docs/decisions.md D110). It stays below the verifiers' default clock skew
/// (300 s, D15), so a copy is never "not yet valid" to a verifier whose clock is right. The
/// time cannot go back instead: a key's `not_before` bounds `iat` (D14), and the issuer does not
/// know it.
pub const COPY_IAT_SPREAD: i64 = 240;

/// The times of `n` copies issued at `now` for a document whose credential expires at `exp`:
/// each its own `iat` in `now..=now + COPY_IAT_SPREAD` (distinct, in random order), and `exp`
/// brought down to midnight in Vietnam (so that it is shared with every credential expiring
/// that day, not with the document's exact second), unless that leaves no validity.
pub(super) fn copy_times(now: i64, exp: i64, n: usize) -> Result<Vec<(i64, i64)>, IssuerError> {
    // A random sample of distinct offsets: a partial Fisher–Yates shuffle of 0..=SPREAD.
    let mut offsets: Vec<i64> = (0..=COPY_IAT_SPREAD).collect();
    let mut times = Vec::with_capacity(n);
    for i in 0..n.min(offsets.len()) {
        let mut r = [0u8; 4];
        getrandom::getrandom(&mut r).map_err(|_| IssuerError::Random)?;
        let span = offsets.len() - i;
        let j = i + (u32::from_le_bytes(r) as usize) % span;
        offsets.swap(i, j);
        let iat = now.saturating_add(offsets[i]);
        let midnight = exp - (exp + VIETNAM_UTC_OFFSET).rem_euclid(86_400);
        times.push((iat, if midnight > iat { midnight } else { exp }));
    }
    if times.len() < n {
        return Err(IssuerError::TooManyCopies { asked: n });
    }
    Ok(times)
}

/// Check the one-time keys of an issuance before anything is recorded: at most
/// [`MAX_COPIES`], a holder-bound full credential, and every key used once (`taken` are keys
/// already bound to the document: its own and its earlier copies').
pub(super) fn check_copy_keys(keys: &[[u8; 32]], taken: &[[u8; 32]]) -> Result<(), IssuerError> {
    if keys.len() > MAX_COPIES {
        return Err(IssuerError::TooManyCopies { asked: keys.len() });
    }
    for (i, key) in keys.iter().enumerate() {
        if taken.contains(key) || keys[..i].contains(key) {
            return Err(IssuerError::RepeatedHolderKey);
        }
    }
    Ok(())
}

/// [`check_copy_keys`] for a new document's options.
pub(super) fn check_keys(options: &IssueOptions) -> Result<(), IssuerError> {
    if options.one_time_keys.is_empty() {
        return Ok(());
    }
    let holder = options.holder_key.ok_or(IssuerError::NotHolderBound)?;
    check_copy_keys(&options.one_time_keys, &[holder])
}

/// Sign the copies recorded for `document` with `key` (fresh salts from the OS random generator).
pub(super) fn sign_copies_with(
    key: &ed25519_dalek::SigningKey,
    meta: &crate::IssuerMeta,
    document: &Document,
    records: &[CredentialRecord],
) -> Result<Vec<OneTimeCopy>, IssuerError> {
    records
        .iter()
        .map(|record| {
            let request = super::record_request(meta, document, record);
            let copy =
                crate::sd::sign_sd_credential(key, &meta.id, &request, &mut crate::sd::os_random)
                    .map_err(super::sd_error)?;
            Ok(OneTimeCopy {
                serial: record.serial.clone(),
                slot: record.slot,
                copy,
            })
        })
        .collect()
}

impl Issuer {
    /// Sign the copies recorded for `document` (fresh salts from the OS random generator).
    pub(super) fn sign_copy_records(
        &self,
        document: &Document,
        records: &[CredentialRecord],
    ) -> Result<Vec<OneTimeCopy>, IssuerError> {
        sign_copies_with(&self.key, &self.meta, document, records)
    }

    /// The one-time copies recorded for a document, oldest first: what
    /// [`Issuer::sign_copies`] signs, for a [`crate::Signer`] on another thread.
    pub fn copy_records(&mut self, document: &[u8]) -> Result<Vec<CredentialRecord>, IssuerError> {
        Ok(self.registry.copies(document)?)
    }

    /// Sign again the one-time copies recorded for a document (an interrupted batch's
    /// recovery): the same serials, keys and status entries, fresh salts.
    pub fn sign_copies(
        &mut self,
        document: &Document,
        record: &CredentialRecord,
    ) -> Result<Vec<OneTimeCopy>, IssuerError> {
        let records = self.registry.copies(&record.serial)?;
        self.sign_copy_records(document, &records)
    }

    /// New one-time copies of a recorded document (the holder's wallet ran low; docs/wallet.md,
    /// "When copies run low"), one per key in `keys`, at time `now`: each with its own serial,
    /// status entry and `iat` (docs/format.md §14.8), linked to the document's row, expiring with the
    /// document's full credential (at the midnight before). `document` must be the recorded one's data (same type and holder ID
    /// number, [`IssuerError::DocumentMismatch`] otherwise); the document must be valid and
    /// not expired; no key may be the document's own or an earlier copy's.
    pub fn issue_copies(
        &mut self,
        document: &Document,
        of: &[u8],
        keys: &[[u8; 32]],
        now: i64,
    ) -> Result<Vec<OneTimeCopy>, IssuerError> {
        let not_a_document = || IssuerError::Registry(RegistryError::NotADocument(of.to_vec()));
        let record = self.registry.get(of)?.ok_or_else(not_a_document)?;
        if record.copy_of.is_some() {
            return Err(not_a_document());
        }
        if record.doc_type != document.doc_type().as_str()
            || record.holder_id.as_deref() != document.holder_id_number()
        {
            return Err(IssuerError::DocumentMismatch);
        }
        if record.status != giayto_status::Status::Valid {
            return Err(IssuerError::Registry(RegistryError::DocumentNotValid {
                serial: of.to_vec(),
                status: record.status,
            }));
        }
        if record.expires_at <= now {
            return Err(IssuerError::DocumentExpired);
        }
        let mut taken: Vec<[u8; 32]> = record.holder_key.into_iter().collect();
        taken.extend(
            self.registry
                .copies(of)?
                .into_iter()
                .filter_map(|c| c.holder_key),
        );
        check_copy_keys(keys, &taken)?;
        let times = copy_times(now, record.expires_at, keys.len())?;
        let rows: Vec<NewCredential> = keys
            .iter()
            .zip(times)
            .map(|(key, (issued_at, expires_at))| NewCredential {
                serial: Vec::new(),
                doc_type: record.doc_type.clone(),
                holder_id: None,
                issued_at,
                expires_at,
                holder_key: Some(*key),
                assurance_level: record.assurance_level,
                batch: None,
                copy_of: Some(of.to_vec()),
            })
            .collect();
        let records = self.record_rows(rows)?;
        self.sign_copy_records(document, &records)
    }
}

#[cfg(test)]
mod tests;
