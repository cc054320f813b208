//! The driving licence (GPLX) as an ISO/IEC 18013-5 mobile driving licence: the issuer-signed
//! part of an mdoc (`org.iso.18013.5.1.mDL`), its check, and what a wallet needs to answer a
//! reader (docs/format.md §17, docs/interop.md).
//!
//! * [`issue()`] maps a `Gplx` (giayto-model) to the data elements of namespace
//!   `org.iso.18013.5.1` ([`mapping`]), salts and digests each `IssuerSignedItem`, and signs the
//!   Mobile Security Object with the issuer's P-256 document-signer key (COSE_Sign1, ES256,
//!   the certificate chain in `x5chain`, header 33).
//! * [`verify()`] checks such a document: every item against the MSO's digests, the MSO's
//!   signature with the document-signer certificate's key, the certificate chain up to a given
//!   IACA root (signatures and validity), the MSO's validity and the doc type. Bad input gets a
//!   verdict, never a panic; sizes and nesting are bounded ([`MAX_MDOC_BYTES`], [`MAX_DEPTH`]).
//! * [`IssuedMdoc`] is the file the holder keeps (`.mdoc`): `{"docType", "issuerSigned"}`, a
//!   Document of ISO 18013-5 §8.3.2.1.2.2 without its `deviceSigned` part, which the wallet
//!   adds per session (`giayto_wallet::mdoc`).
//!
//! Device engagement and the BLE/NFC/Wi-Fi Aware transports are out of scope.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cbor;
pub mod cert;
mod error;
pub mod issue;
pub mod mapping;
#[cfg(feature = "testca")]
pub mod testca;
pub mod verify;

pub use error::{MdocError, Reason};
pub use issue::{issue, IssueOptions, IssuedMdoc};
pub use verify::{verify, Verdict, Verified};

/// The mDL document type.
pub const DOC_TYPE: &str = "org.iso.18013.5.1.mDL";
/// The mDL namespace of the data elements.
pub const NAMESPACE: &str = "org.iso.18013.5.1";
/// COSE header label of the certificate chain (RFC 9360).
pub const X5CHAIN: i64 = 33;
/// Largest `.mdoc` file or device response read, in bytes.
pub const MAX_MDOC_BYTES: usize = 64 * 1024;
/// Deepest nesting of arrays, maps and tags accepted in any decoded CBOR.
pub const MAX_DEPTH: usize = 16;
/// Most data elements in one namespace.
pub const MAX_ITEMS: usize = 64;
/// Most certificates in an `x5chain` or a chain file.
pub const MAX_CHAIN: usize = 4;
/// Length of each item's `random` salt.
pub const SALT_BYTES: usize = 16;
/// The extended key usage of an mdoc document-signer certificate (ISO 18013-5 Annex B).
pub const EKU_DOCUMENT_SIGNER: &str = "1.0.18013.5.1.2";

/// The issuer folder's encrypted P-256 document-signer key (`giayto issuer mdoc-key`).
pub const SIGNER_KEY_FILE: &str = "mdoc-signer.key";
/// Its public key, SubjectPublicKeyInfo PEM, for the root authority to certify.
pub const SIGNER_PUB_FILE: &str = "mdoc-signer.pub.pem";
/// The document-signer certificate chain (PEM: the document-signer certificate first, then
/// intermediates, the IACA root excluded), written by `giayto root certify-issuer
/// --mdoc-signer`.
pub const SIGNER_CERT_FILE: &str = "mdoc-signer-cert.pem";
