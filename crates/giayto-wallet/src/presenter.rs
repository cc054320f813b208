//! Holder-bound presentations (`VP1:`, format.md §11): a credential and its person's key,
//! signing `{1: credential, 2: iat, 3: nonce}`.

use ed25519_dalek::SigningKey;
use giayto_cose::presentation::{PresentationPayload, MAX_NONCE};
use giayto_cose::{sign1, PRESENTATION_TYP};

use crate::WalletError;

/// A credential and the key that presents it. The key is wiped when this is dropped.
pub struct Presenter {
    pub(crate) key: SigningKey,
    pub(crate) person: usize,
    pub(crate) doc_type: u64,
    pub(crate) credential: Vec<u8>,
}

impl Presenter {
    /// Index of the credential's person.
    pub fn person(&self) -> usize {
        self.person
    }
    /// The credential's document type code.
    pub fn doc_type(&self) -> u64 {
        self.doc_type
    }
    /// Sign a presentation at `now`, with the verifier's `nonce` (1 to 64 bytes) if any.
    pub fn sign(&self, now: i64, nonce: Option<&[u8]>) -> Result<Vec<u8>, WalletError> {
        if nonce.is_some_and(|n| n.is_empty() || n.len() > MAX_NONCE) {
            return Err(WalletError::BadNonce);
        }
        let payload = PresentationPayload {
            credential: self.credential.clone(),
            issued_at: now,
            nonce: nonce.map(<[u8]>::to_vec),
            disclosures: None,
        };
        sign1::sign(&self.key, PRESENTATION_TYP, payload.to_bytes()).map_err(|_| WalletError::Sign)
    }
}
