//! Building and signing one credential: no storage, no clock.

use giayto_cose::claims::{CredentialClaims, DocumentClaim, StatusRef};
use giayto_cose::sign1::{self, SignError};
use giayto_cose::{text, Signer, CREDENTIAL_TYP};
use giayto_model::{Date, Document};

/// Seconds east of UTC of Vietnam's time zone (UTC+7, no daylight saving).
pub const VIETNAM_UTC_OFFSET: i64 = 7 * 3600;

/// Everything a credential says besides the issuer.
#[derive(Debug, Clone)]
pub struct CredentialRequest<'a> {
    /// The document.
    pub document: &'a Document,
    /// `cti`, 8 to 16 bytes.
    pub serial: Vec<u8>,
    /// `iat`.
    pub issued_at: i64,
    /// `nbf`, if the credential starts later than it is issued.
    pub not_before: Option<i64>,
    /// `exp`.
    pub expires_at: i64,
    /// Holder key for `cnf`.
    pub holder_key: Option<[u8; 32]>,
    /// Assurance level of the holder's account, 1 or 2.
    pub assurance_level: u8,
    /// Status list reference.
    pub status: Option<StatusRef>,
}

impl CredentialRequest<'_> {
    /// The claims this request signs.
    pub fn claims(&self, issuer_id: &str) -> CredentialClaims {
        CredentialClaims {
            issuer: issuer_id.to_owned(),
            issued_at: self.issued_at,
            not_before: self.not_before,
            expires_at: self.expires_at,
            serial: self.serial.clone(),
            holder_key: self.holder_key,
            status: self.status.clone(),
            document: DocumentClaim {
                doc_type: self.document.doc_type().code(),
                // The lowest version that holds the document, so that verifiers of an
                // earlier release read every document they can (docs/format.md §3.7).
                schema_version: self.document.schema_version(),
                assurance_level: self.assurance_level,
                fields: self.document.to_cbor(),
            },
            unknown: Vec::new(),
        }
    }
}

/// Sign a credential: the COSE_Sign1 bytes.
pub fn sign_credential(
    signer: &dyn Signer,
    issuer_id: &str,
    request: &CredentialRequest<'_>,
) -> Result<Vec<u8>, SignError> {
    sign1::sign(signer, CREDENTIAL_TYP, request.claims(issuer_id).to_bytes())
}

/// The `VN1:` QR text of a credential, in its shortest form: raw, zlib, or zlib with the
/// format's preset dictionary ([`text::DICTIONARY_V1`]).
pub fn credential_text(cose: &[u8]) -> String {
    text::encode(text::Kind::Credential, cose, Some(&text::DICTIONARY_V1))
}

/// The first second after the end of `date` in Vietnam (UTC+7): a document valid "until
/// 2035-05-01" is valid through that whole day at the checkpoint.
pub fn end_of_day_vietnam(date: Date) -> i64 {
    let days = i64::from(date.to_julian_day()) - i64::from(unix_epoch().to_julian_day());
    (days + 1) * 86_400 - VIETNAM_UTC_OFFSET
}

fn unix_epoch() -> Date {
    time::macros::date!(1970 - 01 - 01)
}

/// The credential's `exp`: `valid_days` after `issued_at`, but never past the end of the
/// document's own expiry date. `None` when that leaves no validity at all (the document has
/// already expired).
pub fn credential_expiry(document: &Document, issued_at: i64, valid_days: u32) -> Option<i64> {
    let wanted = issued_at.saturating_add(i64::from(valid_days) * 86_400);
    let exp = match document.expiry_date() {
        Some(date) => wanted.min(end_of_day_vietnam(date)),
        None => wanted,
    };
    (exp > issued_at).then_some(exp)
}
