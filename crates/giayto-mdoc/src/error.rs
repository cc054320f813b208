//! What can be wrong with an mdoc, and what can stop one being issued.

use std::fmt;

use crate::verify::Verdict;

/// Why an mdoc did not verify: a reason with a stable snake_case code ([`Reason::code`]) and
/// the verdict it gives ([`Reason::verdict`], docs/format.md §17.6).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Larger than [`crate::MAX_MDOC_BYTES`].
    TooLarge {
        /// Its size in bytes.
        size: usize,
    },
    /// Not one CBOR item (or nested deeper than [`crate::MAX_DEPTH`]).
    NotCbor,
    /// CBOR, but not an mdoc document or device response.
    NotAnMdoc,
    /// An mdoc of another document type than the mDL.
    WrongDocType(String),
    /// An mdoc, but a part of it is not as ISO 18013-5 defines it.
    Malformed(&'static str),
    /// An item's digest differs from the one the MSO signs: the data was altered.
    DigestMismatch {
        /// The element.
        element: String,
    },
    /// An item has no digest in the MSO.
    MissingDigest {
        /// The element.
        element: String,
    },
    /// The MSO's signature does not verify with the document-signer certificate's key.
    BadSignature,
    /// A signature algorithm other than ES256 (P-256 with SHA-256).
    UnsupportedAlgorithm,
    /// No `x5chain` in the issuer's signature.
    NoChain,
    /// A certificate that cannot be parsed or uses an unsupported key.
    BadCertificate,
    /// The chain does not end at any of the trusted IACA roots (or a certificate in it is not
    /// signed by the next one).
    UnknownRoot,
    /// A certificate of the chain (or the root) is past its `notAfter`.
    CertificateExpired {
        /// Its subject.
        subject: String,
    },
    /// A certificate of the chain (or the root) is before its `notBefore`.
    CertificateNotYetValid {
        /// Its subject.
        subject: String,
    },
    /// The first certificate lacks the document-signer extended key usage (1.0.18013.5.1.2).
    NotDocumentSigner,
    /// Past the MSO's `validUntil`.
    Expired {
        /// `validUntil`, RFC 3339.
        valid_until: String,
    },
    /// Before the MSO's `validFrom`.
    NotYetValid {
        /// `validFrom`, RFC 3339.
        valid_from: String,
    },
    /// A device response whose device signature does not verify with the MSO's device key over
    /// the given session transcript.
    BadDeviceSignature,
}

impl Reason {
    /// The verdict this reason gives.
    pub fn verdict(&self) -> Verdict {
        match self {
            Reason::TooLarge { .. } | Reason::Malformed(_) | Reason::UnsupportedAlgorithm => {
                Verdict::Malformed
            }
            Reason::BadCertificate => Verdict::Malformed,
            Reason::NotCbor | Reason::NotAnMdoc => Verdict::NotACredential,
            Reason::WrongDocType(_) => Verdict::UnsupportedDocument,
            Reason::DigestMismatch { .. }
            | Reason::MissingDigest { .. }
            | Reason::BadSignature
            | Reason::BadDeviceSignature => Verdict::BadSignature,
            Reason::NoChain | Reason::UnknownRoot => Verdict::UnknownIssuer,
            Reason::CertificateExpired { .. }
            | Reason::CertificateNotYetValid { .. }
            | Reason::NotDocumentSigner => Verdict::IssuerNotAuthorized,
            Reason::Expired { .. } => Verdict::Expired,
            Reason::NotYetValid { .. } => Verdict::NotYetValid,
        }
    }

    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::TooLarge { .. } => "too_large",
            Reason::NotCbor => "not_cbor",
            Reason::NotAnMdoc => "not_an_mdoc",
            Reason::WrongDocType(_) => "wrong_doc_type",
            Reason::Malformed(_) => "malformed_part",
            Reason::DigestMismatch { .. } => "digest_mismatch",
            Reason::MissingDigest { .. } => "missing_digest",
            Reason::BadSignature => "bad_issuer_signature",
            Reason::UnsupportedAlgorithm => "unsupported_algorithm",
            Reason::NoChain => "no_x5chain",
            Reason::BadCertificate => "bad_certificate",
            Reason::UnknownRoot => "unknown_root",
            Reason::CertificateExpired { .. } => "certificate_expired",
            Reason::CertificateNotYetValid { .. } => "certificate_not_yet_valid",
            Reason::NotDocumentSigner => "not_document_signer",
            Reason::Expired { .. } => "mso_expired",
            Reason::NotYetValid { .. } => "mso_not_yet_valid",
            Reason::BadDeviceSignature => "bad_device_signature",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::TooLarge { size } => write!(
                f,
                "{size} bytes, more than the {} an mdoc may have",
                crate::MAX_MDOC_BYTES
            ),
            Reason::NotCbor => {
                f.write_str("not a CBOR item (or nested more deeply than an mdoc may be)")
            }
            Reason::NotAnMdoc => f.write_str("CBOR, but not an mdoc document"),
            Reason::WrongDocType(t) => write!(f, "an mdoc of type {t:?}, not {}", crate::DOC_TYPE),
            Reason::Malformed(what) => write!(f, "malformed mdoc: {what}"),
            Reason::DigestMismatch { element } => write!(
                f,
                "the value of {element} does not match the digest the issuer signed"
            ),
            Reason::MissingDigest { element } => {
                write!(f, "{element} has no digest in the signed security object")
            }
            Reason::BadSignature => {
                f.write_str("the issuer's signature over the security object does not verify")
            }
            Reason::UnsupportedAlgorithm => {
                f.write_str("a signature algorithm other than ES256 (ECDSA P-256, SHA-256)")
            }
            Reason::NoChain => f.write_str("the issuer's signature carries no certificate chain"),
            Reason::BadCertificate => f.write_str(
                "a certificate of the chain cannot be read or has a key other than ECDSA P-256",
            ),
            Reason::UnknownRoot => {
                f.write_str("the certificate chain does not lead to a trusted IACA root")
            }
            Reason::CertificateExpired { subject } => {
                write!(f, "the certificate {subject:?} has expired")
            }
            Reason::CertificateNotYetValid { subject } => {
                write!(f, "the certificate {subject:?} is not valid yet")
            }
            Reason::NotDocumentSigner => write!(
                f,
                "the signing certificate lacks the mdoc document-signer key usage {}",
                crate::EKU_DOCUMENT_SIGNER
            ),
            Reason::Expired { valid_until } => {
                write!(f, "the security object expired at {valid_until}")
            }
            Reason::NotYetValid { valid_from } => {
                write!(f, "the security object is valid only from {valid_from}")
            }
            Reason::BadDeviceSignature => f.write_str(
                "the device signature does not verify for this session with the device key",
            ),
        }
    }
}

impl std::error::Error for Reason {}

/// Why an mdoc could not be issued.
#[non_exhaustive]
#[derive(Debug)]
pub enum MdocError {
    /// The document-signer certificate file holds no certificate, too many, or one that
    /// cannot be read.
    Certificate(String),
    /// The document-signer certificate is not for the signing key given.
    KeyMismatch,
    /// The licence or the options cannot make an mdoc (e.g. no validity left).
    Input(String),
    /// The system random number generator failed.
    Random,
    /// Encoding or signing failed.
    Encode(String),
}

impl fmt::Display for MdocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MdocError::Certificate(d) => write!(f, "document-signer certificate: {d}"),
            MdocError::KeyMismatch => f.write_str(
                "the document-signer certificate is for another key than the mdoc signing key",
            ),
            MdocError::Input(d) => f.write_str(d),
            MdocError::Random => f.write_str("the system random number generator failed"),
            MdocError::Encode(d) => write!(f, "encoding failed: {d}"),
        }
    }
}

impl std::error::Error for MdocError {}
