//! The checks of docs/format.md §7.2 after the issuer's signature (checks 16–26), each returning
//! the verdict and reason of its first failure; `Verifier::verify_cose` runs them in order.

use giayto_cose::claims::CredentialClaims;
use giayto_model::DocType;
use giayto_trust::IssuerEntry;

use crate::{CredentialInfo, Reason, Rejection, Verdict, Verifier, Warning, STALE_WARNING};

impl Verifier {
    /// The issuer's authority for this credential, then the document type and schema.
    pub(crate) fn check_issuer(
        &self,
        entry: &IssuerEntry,
        claims: &CredentialClaims,
    ) -> Result<DocType, (Verdict, Reason)> {
        if claims.issuer != entry.id {
            return Err((
                Verdict::IssuerNotAuthorized,
                Reason::IssuerMismatch {
                    claimed: claims.issuer.clone(),
                    key_owner: entry.id.clone(),
                },
            ));
        }
        if claims.issued_at < entry.not_before || claims.issued_at > entry.not_after {
            return Err((
                Verdict::IssuerNotAuthorized,
                Reason::KeyNotValidAt {
                    issued_at: claims.issued_at,
                    not_before: entry.not_before,
                    not_after: entry.not_after,
                },
            ));
        }
        let doc_code = claims.document.doc_type;
        if !entry.allows(doc_code) {
            return Err((
                Verdict::IssuerNotAuthorized,
                Reason::DocTypeNotAllowed { doc_type: doc_code },
            ));
        }
        let Some(doc_type) = DocType::from_code(doc_code) else {
            return Err((
                Verdict::UnsupportedDocument,
                Reason::UnsupportedDocType { doc_type: doc_code },
            ));
        };
        // Each type has its own latest schema (docs/format.md §3.7): a verifier reads every
        // version up to it and refuses a later one rather than misread it.
        let version = claims.document.schema_version;
        let known = doc_type.latest_schema();
        if version > known || version == 0 {
            return Err((
                Verdict::UnsupportedDocument,
                Reason::UnsupportedSchema { version, known },
            ));
        }
        Ok(doc_type)
    }

    /// The validity period: from nbf (or iat when later or absent), with the clock skew, to exp.
    pub(crate) fn check_time(
        &self,
        claims: &CredentialClaims,
        now: i64,
    ) -> Result<(), (Verdict, Reason)> {
        let valid_from = claims
            .not_before
            .unwrap_or(claims.issued_at)
            .max(claims.issued_at);
        if now.saturating_add(self.clock_skew) < valid_from {
            return Err((Verdict::NotYetValid, Reason::NotYetValid { valid_from }));
        }
        if now >= claims.expires_at {
            return Err((
                Verdict::Expired,
                Reason::Expired {
                    expires_at: claims.expires_at,
                },
            ));
        }
        Ok(())
    }

    /// The policy's assurance level, then — last, since a rejection never needs fresh data but
    /// acceptance does — the freshness of the trust list.
    pub(crate) fn check_level_and_trust(
        &self,
        claims: &CredentialClaims,
        now: i64,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), (Verdict, Reason)> {
        let level = claims.document.assurance_level;
        let required = self.policy.required_level();
        if level < required {
            return Err((
                Verdict::InsufficientLevel,
                Reason::Level {
                    required,
                    found: level,
                },
            ));
        }
        if now > self.trust.expires_at.saturating_add(self.trust_grace) {
            return Err((
                Verdict::StaleTrust,
                Reason::TrustListExpired {
                    expired_at: self.trust.expires_at,
                },
            ));
        }
        if now > self.trust.expires_at.saturating_sub(STALE_WARNING) {
            warnings.push(Warning::TrustListAging {
                expires_at: self.trust.expires_at,
            });
        }
        Ok(())
    }
}

impl CredentialInfo {
    /// A rejection that shows what this credential says.
    pub(crate) fn reject(self, verdict: Verdict, reason: Reason) -> Rejection {
        Rejection {
            verdict,
            reason,
            credential: Some(Box::new(self)),
        }
    }
}
