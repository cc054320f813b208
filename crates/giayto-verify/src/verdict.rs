//! Verdicts and the reasons behind them.

use giayto_cose::claims::ClaimsError;
use giayto_cose::presentation::PayloadError;
use giayto_cose::sign1::CoseError;
use giayto_cose::text::TextError;
use giayto_model::FieldError;

use crate::ForeignCode;

/// The outcome class of a verification, as shown to the officer and printed by
/// `giayto verify --json` (`verdict`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Every check passed.
    Valid,
    /// Past the credential's `exp`.
    Expired,
    /// Before the credential's `nbf` (or issued in the future).
    NotYetValid,
    /// Its status list entry says revoked.
    Revoked,
    /// Its status list entry says suspended (the holder's temporary lock).
    Suspended,
    /// Its status list entry says held (tạm giữ, docs/format.md §9.3): the document exists but
    /// may not be used until its issuer releases it.
    Held,
    /// The signing key is not in the trust list, or the text names no known issuer.
    UnknownIssuer,
    /// The key is trusted, but not for this issuer id, this document type or at this time.
    IssuerNotAuthorized,
    /// The signature does not verify: the code was altered or forged.
    BadSignature,
    /// A giayto code, but not well-formed.
    Malformed,
    /// The status list needed is missing or out of date.
    StaleStatus,
    /// The trust list is past its next-update date beyond the grace period.
    StaleTrust,
    /// A presentation outside the freshness window.
    StalePresentation,
    /// Valid, but the account's assurance level is below what the policy requires.
    InsufficientLevel,
    /// Not a giayto code at all (a web link, another kind of QR code, plain text).
    NotACredential,
    /// A document type or schema version newer than this verifier knows.
    UnsupportedDocument,
    /// Checked against a verifier's request (docs/format.md §15.4): the code answers another
    /// request, or none.
    WrongRequest,
    /// Checked against a verifier's request: the request had closed (its `exp`).
    RequestExpired,
    /// Checked against a verifier's request: a valid answer that does not disclose everything
    /// the request requires, or of another document type than it asks for.
    IncompleteAnswer,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 19] = [
        Verdict::Valid,
        Verdict::Expired,
        Verdict::NotYetValid,
        Verdict::Revoked,
        Verdict::Suspended,
        Verdict::Held,
        Verdict::UnknownIssuer,
        Verdict::IssuerNotAuthorized,
        Verdict::BadSignature,
        Verdict::Malformed,
        Verdict::StaleStatus,
        Verdict::StaleTrust,
        Verdict::StalePresentation,
        Verdict::InsufficientLevel,
        Verdict::NotACredential,
        Verdict::UnsupportedDocument,
        Verdict::WrongRequest,
        Verdict::RequestExpired,
        Verdict::IncompleteAnswer,
    ];

    /// The stable snake_case name used in JSON output and test vectors.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Expired => "expired",
            Verdict::NotYetValid => "not_yet_valid",
            Verdict::Revoked => "revoked",
            Verdict::Suspended => "suspended",
            Verdict::Held => "held",
            Verdict::UnknownIssuer => "unknown_issuer",
            Verdict::IssuerNotAuthorized => "issuer_not_authorized",
            Verdict::BadSignature => "bad_signature",
            Verdict::Malformed => "malformed",
            Verdict::StaleStatus => "stale_status",
            Verdict::StaleTrust => "stale_trust",
            Verdict::StalePresentation => "stale_presentation",
            Verdict::InsufficientLevel => "insufficient_level",
            Verdict::NotACredential => "not_a_credential",
            Verdict::UnsupportedDocument => "unsupported_document",
            Verdict::WrongRequest => "wrong_request",
            Verdict::RequestExpired => "request_expired",
            Verdict::IncompleteAnswer => "incomplete_answer",
        }
    }

    /// Parse a snake_case name.
    pub fn from_name(name: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a credential was not accepted, in detail. The [`Verdict`] is the summary.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The text has no giayto prefix; it looks like this.
    NotGiayto(ForeignCode),
    /// The QR text could not be decoded.
    Text(TextError),
    /// The COSE structure is not acceptable.
    Cose(CoseError),
    /// The claims are not acceptable.
    Claims(ClaimsError),
    /// The document fields are not acceptable.
    Fields(FieldError),
    /// A presentation (`VP1:`) was given where this verifier reads credentials only.
    PresentationNotSupported,
    /// No trusted key has this kid.
    UnknownKid {
        /// The kid.
        kid: [u8; 8],
    },
    /// The signature does not verify.
    Signature,
    /// The key belongs to another issuer than the credential's `iss` names.
    IssuerMismatch {
        /// The credential's `iss`.
        claimed: String,
        /// The id the trust list gives the key.
        key_owner: String,
    },
    /// The issuer may not issue this document type.
    DocTypeNotAllowed {
        /// The document type code.
        doc_type: u64,
    },
    /// The credential was signed outside the key's validity.
    KeyNotValidAt {
        /// The credential's `iat`.
        issued_at: i64,
        /// Key validity start.
        not_before: i64,
        /// Key validity end.
        not_after: i64,
    },
    /// The key is certified by an X.509 chain (docs/format.md §18), but the trust list names
    /// the issuer: only its keys count, and this one is not among them (removed, say).
    CertificateOverruled {
        /// The issuer id the trust list names.
        issuer: String,
    },
    /// The key is certified by an X.509 chain (docs/format.md §18), but the trust list
    /// withdraws its issuer id or its kid (§6.4): the root has removed them, and no
    /// certificate brings them back.
    IssuerWithdrawn {
        /// The issuer id (the credential's `iss`).
        issuer: String,
    },
    /// The key's certificate chain does not lead to a configured CA root (another root, a
    /// broken signature, the wrong extended key usage), or no root is configured.
    CertificateUntrusted,
    /// The key's certificate (or its root) is outside its validity at the time of checking.
    CertificateNotValid {
        /// Validity start.
        not_before: i64,
        /// Validity end.
        not_after: i64,
    },
    /// The trust list is past its next-update date plus grace.
    TrustListExpired {
        /// Its `exp`.
        expired_at: i64,
    },
    /// Unknown document type code.
    UnsupportedDocType {
        /// The code.
        doc_type: u64,
    },
    /// Schema version newer than this verifier knows.
    UnsupportedSchema {
        /// The version found.
        version: u64,
        /// The newest known.
        known: u64,
    },
    /// Past `exp`.
    Expired {
        /// The credential's `exp`.
        expires_at: i64,
    },
    /// Before `nbf`, or `iat` in the future beyond the allowed clock skew.
    NotYetValid {
        /// When it becomes valid.
        valid_from: i64,
    },
    /// The credential names a status list this verifier does not have.
    StatusUnavailable {
        /// The list's uri.
        uri: String,
    },
    /// The status list marks the credential revoked, suspended or held.
    Status {
        /// The list's uri.
        uri: String,
        /// The credential's index.
        index: u64,
        /// The status found.
        status: giayto_status::Status,
    },
    /// The credential's index is past the end of its status list.
    StatusIndexOutOfRange {
        /// The list's uri.
        uri: String,
        /// The index.
        index: u64,
        /// The list's length.
        len: u64,
    },
    /// The status list is past its `exp` plus grace.
    StatusListExpired {
        /// The list's uri.
        uri: String,
        /// Its `exp`.
        expired_at: i64,
    },
    /// The policy requires a higher assurance level.
    Level {
        /// Level required.
        required: u8,
        /// Level found.
        found: u8,
    },
    /// The presentation's payload is not acceptable.
    Presentation(PayloadError),
    /// A presentation carries a credential bound to no holder key (`cnf`), so nothing ties it
    /// to the person showing it.
    NoHolderKey,
    /// The presentation is not signed by the holder key in the credential's `cnf`.
    HolderSignature,
    /// The verifier expected a nonce and the presentation carries another one, or none.
    NonceMismatch {
        /// Whether the presentation carried a nonce at all.
        present: bool,
    },
    /// A disclosure names a leaf the credential's document type does not define (docs/format.md
    /// §14.4).
    DisclosureNotCovered {
        /// The leaf index.
        index: u64,
    },
    /// The disclosures and their proof do not lead to the root the issuer signed: a wrong
    /// salt or value, or a proof taken from another credential (docs/format.md §14.4).
    DisclosureMismatch,
    /// A layout-2 disclosure gives the seed of a subtree without the value of every leaf the
    /// seed opens, or with values no leaf takes (docs/format.md §14.4).
    DisclosureGroup {
        /// The subtree's node number (`32 × height + first leaf`).
        node: u64,
    },
    /// The presentation was signed outside the freshness window.
    PresentationTime {
        /// Its `iat`.
        issued_at: i64,
        /// The window, seconds either way.
        window: i64,
    },
    /// Checked against a request: the answer is bound to another request (its request hash or
    /// nonce is not this request's; docs/format.md §15.4).
    RequestMismatch,
    /// Checked against a request: the code answers no request (a static `VN1:` code, or a
    /// presentation without a request hash).
    RequestMissing,
    /// Checked against a request: the request closed at `expires_at` (it is past `exp` plus
    /// the presentation window, or the answer was made after `exp`).
    RequestExpired {
        /// The request's `exp`.
        expires_at: i64,
    },
    /// Checked against a request: the answer does not disclose these required items.
    FieldsMissing {
        /// The required items not disclosed, in the request's order.
        fields: Vec<String>,
    },
    /// Checked against a request: the answer's document is not of the type the request asks
    /// for.
    RequestDocType {
        /// The document type code the request asks for.
        doc_type: u64,
    },
    /// A Claim 169 code (docs/format.md §16) was refused for a reason of its own.
    Claim169(crate::Claim169Error),
}

/// Every code [`Reason::code`] can return, except the `foreign_<kind>` codes (one per
/// [`ForeignCode::ALL`]). Front ends keep one message per code; a test in the CLI checks both
/// languages have each.
pub const REASON_CODES: &[&str] = &[
    "bad_base45",
    "inflate_limit",
    "text_too_long",
    "unknown_dictionary",
    "bad_compression",
    "wrong_algorithm",
    "missing_kid",
    "wrong_typ",
    "truncated",
    "trailing_bytes",
    "duplicate_map_key",
    "not_deterministic",
    "too_deep",
    "bad_cbor",
    "bad_structure",
    "bad_claims",
    "bad_fields",
    "presentation_not_supported",
    "unknown_kid",
    "signature",
    "issuer_mismatch",
    "doc_type_not_allowed",
    "key_not_valid",
    "trust_list_expired",
    "unsupported_doc_type",
    "unsupported_schema",
    "expired",
    "not_yet_valid",
    "status_unavailable",
    "revoked",
    "suspended",
    "held",
    "status_index",
    "status_list_expired",
    "level",
    "bad_presentation",
    "presentation_unbound",
    "holder_signature",
    "nonce_mismatch",
    "nonce_missing",
    "presentation_time",
    "disclosure_order",
    "disclosure_not_covered",
    "disclosure_mismatch",
    "request_mismatch",
    "request_missing",
    "request_expired",
    "fields_missing",
    "request_doc_type",
    "disclosure_group",
    "certificate_overruled",
    "issuer_withdrawn",
    "certificate_untrusted",
    "certificate_not_valid",
    "claim169_encrypted",
    "claim169_missing",
    "claim169_attribute",
    "claim169_unknown_issuer",
    "other",
];

impl Reason {
    /// A stable snake_case code for this reason, as printed by `giayto verify --json`
    /// (`reason`) and by the WASM verifier; a foreign code gives `foreign_<kind>`.
    pub fn code(&self) -> std::borrow::Cow<'static, str> {
        use giayto_cose::cbor::CborError;
        fn cbor_code(e: &CborError) -> &'static str {
            match e {
                CborError::Truncated => "truncated",
                CborError::TrailingBytes { .. } => "trailing_bytes",
                CborError::DuplicateMapKey => "duplicate_map_key",
                CborError::MapKeysOutOfOrder | CborError::NotDeterministic => "not_deterministic",
                CborError::TooDeep => "too_deep",
                _ => "bad_cbor",
            }
        }
        let s = match self {
            Reason::NotGiayto(kind) => return format!("foreign_{}", kind.as_str()).into(),
            Reason::Text(TextError::Base45) => "bad_base45",
            Reason::Text(TextError::TooLarge) => "inflate_limit",
            Reason::Text(TextError::TooLong { .. }) => "text_too_long",
            Reason::Text(TextError::UnknownDictionary { .. }) => "unknown_dictionary",
            Reason::Text(_) => "bad_compression",
            Reason::Cose(CoseError::WrongAlgorithm) => "wrong_algorithm",
            Reason::Cose(CoseError::MissingKid) => "missing_kid",
            Reason::Cose(CoseError::WrongType { .. }) => "wrong_typ",
            Reason::Cose(CoseError::Cbor(e) | CoseError::ProtectedHeaderCbor(e))
            | Reason::Claims(ClaimsError::Cbor(e)) => cbor_code(e),
            Reason::Cose(_) => "bad_structure",
            Reason::Claims(_) => "bad_claims",
            Reason::Fields(_) => "bad_fields",
            Reason::PresentationNotSupported => "presentation_not_supported",
            Reason::UnknownKid { .. } => "unknown_kid",
            Reason::Signature => "signature",
            Reason::IssuerMismatch { .. } => "issuer_mismatch",
            Reason::DocTypeNotAllowed { .. } => "doc_type_not_allowed",
            Reason::KeyNotValidAt { .. } => "key_not_valid",
            Reason::TrustListExpired { .. } => "trust_list_expired",
            Reason::UnsupportedDocType { .. } => "unsupported_doc_type",
            Reason::UnsupportedSchema { .. } => "unsupported_schema",
            Reason::Expired { .. } => "expired",
            Reason::NotYetValid { .. } => "not_yet_valid",
            Reason::StatusUnavailable { .. } => "status_unavailable",
            Reason::Status { status, .. } => match status {
                giayto_status::Status::Revoked => "revoked",
                giayto_status::Status::Suspended => "suspended",
                giayto_status::Status::Held => "held",
                // Never given: a status found not valid is one of the three above.
                giayto_status::Status::Valid => "other",
            },
            Reason::StatusIndexOutOfRange { .. } => "status_index",
            Reason::StatusListExpired { .. } => "status_list_expired",
            Reason::Level { .. } => "level",
            Reason::Presentation(PayloadError::Disclosures(
                giayto_cose::sd::DisclosureError::Order,
            )) => "disclosure_order",
            Reason::Presentation(_) => "bad_presentation",
            Reason::DisclosureNotCovered { .. } => "disclosure_not_covered",
            Reason::DisclosureMismatch => "disclosure_mismatch",
            Reason::DisclosureGroup { .. } => "disclosure_group",
            Reason::NoHolderKey => "presentation_unbound",
            Reason::HolderSignature => "holder_signature",
            Reason::NonceMismatch { present: true } => "nonce_mismatch",
            Reason::NonceMismatch { present: false } => "nonce_missing",
            Reason::PresentationTime { .. } => "presentation_time",
            Reason::RequestMismatch => "request_mismatch",
            Reason::RequestMissing => "request_missing",
            Reason::RequestExpired { .. } => "request_expired",
            Reason::FieldsMissing { .. } => "fields_missing",
            Reason::RequestDocType { .. } => "request_doc_type",
            Reason::CertificateOverruled { .. } => "certificate_overruled",
            Reason::IssuerWithdrawn { .. } => "issuer_withdrawn",
            Reason::CertificateUntrusted => "certificate_untrusted",
            Reason::CertificateNotValid { .. } => "certificate_not_valid",
            Reason::Claim169(e) => {
                use crate::Claim169Error as C;
                use giayto_cose::claim169::EnvelopeError as E;
                match e {
                    C::Envelope(E::Cbor(e)) => cbor_code(e),
                    C::Envelope(E::Encrypted) => "claim169_encrypted",
                    C::Envelope(E::Cose(CoseError::WrongAlgorithm)) => "wrong_algorithm",
                    C::Envelope(E::Cose(CoseError::ProtectedHeaderCbor(e))) => cbor_code(e),
                    C::Envelope(E::Cose(_)) => "bad_structure",
                    C::Envelope(E::Claims(_)) => "bad_claims",
                    C::Envelope(E::NoClaim169) => "claim169_missing",
                    C::Attribute { .. } => "claim169_attribute",
                    C::UnknownIssuer { .. } => "claim169_unknown_issuer",
                    #[allow(unreachable_patterns)]
                    _ => "other",
                }
            }
            #[allow(unreachable_patterns)]
            _ => "other",
        };
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use giayto_cose::cbor::CborError;

    /// One value of every variant (and of every inner error that has a code of its own): each
    /// code is in REASON_CODES, so a front end that covers the list covers every reason.
    #[test]
    fn every_reason_code_is_listed() {
        let text = "uri".to_owned();
        let reasons = vec![
            Reason::Text(TextError::Base45),
            Reason::Text(TextError::TooLarge),
            Reason::Text(TextError::TooLong { len: 9000 }),
            Reason::Text(TextError::UnknownDictionary { id: 9 }),
            Reason::Cose(CoseError::WrongAlgorithm),
            Reason::Cose(CoseError::MissingKid),
            Reason::Cose(CoseError::Cbor(CborError::Truncated)),
            Reason::Cose(CoseError::Cbor(CborError::DuplicateMapKey)),
            Reason::Cose(CoseError::Cbor(CborError::NotDeterministic)),
            Reason::Cose(CoseError::Cbor(CborError::TooDeep)),
            Reason::Cose(CoseError::BadSignature),
            Reason::Claims(ClaimsError::Missing { claim: "iat" }),
            Reason::PresentationNotSupported,
            Reason::UnknownKid { kid: [0; 8] },
            Reason::Signature,
            Reason::IssuerMismatch {
                claimed: text.clone(),
                key_owner: text.clone(),
            },
            Reason::DocTypeNotAllowed { doc_type: 1 },
            Reason::KeyNotValidAt {
                issued_at: 0,
                not_before: 1,
                not_after: 2,
            },
            Reason::TrustListExpired { expired_at: 0 },
            Reason::UnsupportedDocType { doc_type: 99 },
            Reason::UnsupportedSchema {
                version: 9,
                known: 1,
            },
            Reason::Expired { expires_at: 0 },
            Reason::NotYetValid { valid_from: 0 },
            Reason::StatusUnavailable { uri: text.clone() },
            Reason::Status {
                uri: text.clone(),
                index: 1,
                status: giayto_status::Status::Revoked,
            },
            Reason::Status {
                uri: text.clone(),
                index: 1,
                status: giayto_status::Status::Suspended,
            },
            Reason::Status {
                uri: text.clone(),
                index: 1,
                status: giayto_status::Status::Held,
            },
            Reason::StatusIndexOutOfRange {
                uri: text.clone(),
                index: 9,
                len: 1,
            },
            Reason::StatusListExpired {
                uri: text,
                expired_at: 0,
            },
            Reason::Level {
                required: 2,
                found: 1,
            },
            Reason::NoHolderKey,
            Reason::HolderSignature,
            Reason::NonceMismatch { present: true },
            Reason::NonceMismatch { present: false },
            Reason::PresentationTime {
                issued_at: 0,
                window: 120,
            },
            Reason::Presentation(PayloadError::Disclosures(
                giayto_cose::sd::DisclosureError::Order,
            )),
            Reason::DisclosureNotCovered { index: 14 },
            Reason::DisclosureMismatch,
            Reason::RequestMismatch,
            Reason::RequestMissing,
            Reason::RequestExpired { expires_at: 0 },
            Reason::FieldsMissing {
                fields: vec!["full_name".into()],
            },
            Reason::RequestDocType { doc_type: 1 },
            Reason::DisclosureGroup { node: 34 },
            Reason::CertificateOverruled {
                issuer: "VN.X".into(),
            },
            Reason::IssuerWithdrawn {
                issuer: "VN.X".into(),
            },
            Reason::CertificateUntrusted,
            Reason::CertificateNotValid {
                not_before: 0,
                not_after: 1,
            },
            Reason::Claim169(crate::Claim169Error::Envelope(
                giayto_cose::claim169::EnvelopeError::Encrypted,
            )),
            Reason::Claim169(crate::Claim169Error::Envelope(
                giayto_cose::claim169::EnvelopeError::NoClaim169,
            )),
            Reason::Claim169(crate::Claim169Error::Envelope(
                giayto_cose::claim169::EnvelopeError::Claims("x"),
            )),
            Reason::Claim169(crate::Claim169Error::Attribute { key: 9 }),
            Reason::Claim169(crate::Claim169Error::UnknownIssuer { iss: None }),
        ];
        for r in &reasons {
            assert!(
                REASON_CODES.contains(&r.code().as_ref()),
                "{r:?}: {}",
                r.code()
            );
        }
        for kind in crate::ForeignCode::ALL {
            assert_eq!(
                Reason::NotGiayto(kind).code(),
                format!("foreign_{}", kind.as_str())
            );
        }
    }
}
