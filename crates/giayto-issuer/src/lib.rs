//! Issuing giayto credentials: build and sign a credential ([`credential`]), and, with the
//! default `registry` feature, run an issuer directory whose SQLite registry records every
//! credential issued.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod claim169;
pub mod credential;
#[cfg(feature = "registry")]
pub mod dir;
#[cfg(feature = "registry")]
pub mod registry;
pub mod sd;

pub use credential::{credential_text, sign_credential, CredentialRequest};
#[cfg(feature = "registry")]
pub use dir::{
    default_status_uri_prefix, init, read_meta, BatchItem, DeltaSince, IssueOptions, Issued,
    IssuedDelta, Issuer, IssuerError, IssuerMeta, OneTimeCopy, PublishedList, RecordedItem, Signer,
};
