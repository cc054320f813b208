//! The giayto credential format: strict deterministic CBOR, COSE_Sign1 with EdDSA, the CWT
//! claims of a credential, the `VN1:` / `VP1:` QR text codec (docs/format.md §3, §5), and a
//! verifier's request, `VR1:` (§15).
//!
//! This crate knows bytes, not documents or trust: the document fields live in
//! `giayto-model`, issuer keys and the trust list in `giayto-trust`, and the whole check in
//! `giayto-verify`. Signing goes through the [`Signer`] trait so a hardware key can sign too.
//!
//! ```
//! use giayto_cose::{claims::*, sign1, text, CREDENTIAL_TYP};
//! use ed25519_dalek::SigningKey;
//!
//! let key = SigningKey::from_bytes(&[7u8; 32]);
//! let claims = CredentialClaims {
//!     issuer: "VN.BCA.C06".into(),
//!     issued_at: 1_790_000_000,
//!     not_before: None,
//!     expires_at: 1_900_000_000,
//!     serial: vec![1; 10],
//!     holder_key: None,
//!     status: None,
//!     document: DocumentClaim {
//!         doc_type: 1,
//!         schema_version: 1,
//!         assurance_level: 2,
//!         fields: ciborium::Value::Map(vec![]),
//!     },
//!     unknown: vec![],
//! };
//! let cose = sign1::sign(&key, CREDENTIAL_TYP, claims.to_bytes())?;
//! let qr = text::encode(text::Kind::Credential, &cose, None);
//! assert!(qr.starts_with("VN1:"));
//!
//! let (_, bytes) = text::decode(&qr, &[])?;
//! let parsed = sign1::Sign1::parse(&bytes, CREDENTIAL_TYP)?;
//! parsed.verify(&key.verifying_key())?;
//! assert_eq!(CredentialClaims::from_bytes(parsed.payload())?, claims);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cbor;
pub mod claim169;
pub mod claims;
pub mod copies;
pub mod presentation;
pub mod request;
pub mod sd;
pub mod sign1;
pub mod text;

pub use ciborium;
pub use ed25519_dalek;

use sha2::{Digest, Sha256};

/// `typ` of a credential.
pub const CREDENTIAL_TYP: &str = "application/vn-doc+cwt";
/// `typ` of a holder's presentation (`VP1:`, docs/format.md §11).
pub const PRESENTATION_TYP: &str = "application/vn-vp+cwt";
/// `typ` of a trust list.
pub const TRUST_LIST_TYP: &str = "application/vn-trust+cwt";
/// `typ` of a status list token.
pub const STATUS_LIST_TYP: &str = "application/statuslist+cwt";
/// `typ` of a status delta: the changes of one status list since an earlier one, carried in a
/// `VD1:` QR code (docs/format.md §9.8).
pub const STATUS_DELTA_TYP: &str = "application/vn-status-delta+cwt";

/// The key id of an Ed25519 public key: the first 8 bytes of SHA-256 of its 32 raw bytes.
pub fn kid_for(public_key: &[u8; 32]) -> [u8; 8] {
    let digest = Sha256::digest(public_key);
    let mut kid = [0u8; 8];
    kid.copy_from_slice(&digest[..8]);
    kid
}

/// Something that signs with an Ed25519 key: a key in memory, or a hardware token.
pub trait Signer {
    /// The raw 32-byte public key.
    fn public_key(&self) -> [u8; 32];
    /// An Ed25519 signature of `message`.
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], sign1::SignError>;
}

impl Signer for ed25519_dalek::SigningKey {
    fn public_key(&self) -> [u8; 32] {
        self.verifying_key().to_bytes()
    }
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], sign1::SignError> {
        use ed25519_dalek::Signer as _;
        Ok(self
            .try_sign(message)
            .map_err(|_| sign1::SignError)?
            .to_bytes())
    }
}
