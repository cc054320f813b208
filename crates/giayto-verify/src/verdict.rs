//! Verdicts and the reasons behind them.

use giayto_cose::claims::ClaimsError;
use giayto_cose::sign1::CoseError;
use giayto_cose::text::TextError;
use giayto_model::FieldError;

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
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 15] = [
        Verdict::Valid,
        Verdict::Expired,
        Verdict::NotYetValid,
        Verdict::Revoked,
        Verdict::Suspended,
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
    ];

    /// The stable snake_case name used in JSON output and test vectors.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Expired => "expired",
            Verdict::NotYetValid => "not_yet_valid",
            Verdict::Revoked => "revoked",
            Verdict::Suspended => "suspended",
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

/// What a scanned text that is not a giayto code looks like, so the verifier can say what it is.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignCode {
    /// A web address.
    WebLink,
    /// An EU Digital COVID Certificate (`HC1:`).
    EuDcc,
    /// A VietQR / EMVCo merchant payment code.
    VietQr,
    /// The printed QR of a chip citizen ID card (unsigned; `giayto cccd parse` reads it).
    CccdCardQr,
    /// Empty input.
    Empty,
    /// Anything else.
    Unknown,
}

impl ForeignCode {
    /// Classify a text that lacks a giayto prefix.
    pub fn classify(text: &str) -> ForeignCode {
        let t = text.trim();
        let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
        if t.is_empty() {
            ForeignCode::Empty
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            ForeignCode::WebLink
        } else if t.starts_with("HC1:") {
            ForeignCode::EuDcc
        } else if t.starts_with("000201") && t.len() > 20 && t.is_ascii() {
            ForeignCode::VietQr
        } else if is_card_qr(t) {
            ForeignCode::CccdCardQr
        } else {
            ForeignCode::Unknown
        }
    }

    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ForeignCode::WebLink => "web_link",
            ForeignCode::EuDcc => "eu_dcc",
            ForeignCode::VietQr => "vietqr",
            ForeignCode::CccdCardQr => "cccd_card_qr",
            ForeignCode::Empty => "empty",
            ForeignCode::Unknown => "unknown",
        }
    }
}

fn is_card_qr(t: &str) -> bool {
    let parts: Vec<&str> = t.split('|').collect();
    parts.len() == 7 && parts[0].len() == 12 && parts[0].bytes().all(|b| b.is_ascii_digit())
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
    /// The policy requires a higher assurance level.
    Level {
        /// Level required.
        required: u8,
        /// Level found.
        found: u8,
    },
}
