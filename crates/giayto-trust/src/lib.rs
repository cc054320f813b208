//! Trust for giayto: the root authority's trust list of issuer keys, and the key files of roots,
//! issuers and holders.
//!
//! A verifier pins one root public key. The root signs a [`TrustList`] naming each issuer key,
//! the document types it may issue and its validity; the verifier checks a credential's kid
//! against that list.
//!
//! ```
//! use giayto_trust::{IssuerEntry, TrustList};
//! use ed25519_dalek::SigningKey;
//!
//! let root = SigningKey::from_bytes(&[1; 32]);
//! let issuer = SigningKey::from_bytes(&[2; 32]);
//! let list = TrustList {
//!     root_id: "VN.ROOT".into(),
//!     sequence: 1,
//!     issued_at: 1_790_000_000,
//!     expires_at: 1_792_592_000,
//!     issuers: vec![IssuerEntry {
//!         id: "VN.BHXH".into(),
//!         name_vi: "Bảo hiểm xã hội Việt Nam".into(),
//!         name_en: Some("Vietnam Social Security".into()),
//!         public_key: issuer.verifying_key().to_bytes(),
//!         doc_types: vec![4],
//!         not_before: 1_700_000_000,
//!         not_after: 2_000_000_000,
//!         status_uri_prefix: None,
//!     }],
//!     withdrawn: Default::default(),
//! };
//! let signed = list.sign(&root)?;
//! let checked = TrustList::verify(&signed, &root.verifying_key())?;
//! assert_eq!(checked.issuers[0].id, "VN.BHXH");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "keyfiles")]
pub mod authority;
#[cfg(feature = "keyfiles")]
pub mod keys;
mod list;

#[cfg(feature = "keyfiles")]
pub use age::secrecy::{ExposeSecret, SecretString};
pub use list::{
    is_valid_id, IssuerEntry, TrustError, TrustList, Withdrawn, MAX_ID_LEN, MAX_ISSUERS,
    MAX_TRUST_LIST_BYTES, MAX_WITHDRAWN,
};
