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
    pub(crate) sd: Option<giayto_cose::sd::HolderCopy>,
    /// A one-time copy's presenter: its key is the copy's, so it shows only the copy.
    pub(crate) one_time: bool,
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
        if self.one_time {
            // The copy's key is not the one the full credential names.
            return Err(WalletError::OtherHolder);
        }
        if nonce.is_some_and(|n| n.is_empty() || n.len() > MAX_NONCE) {
            return Err(WalletError::BadNonce);
        }
        let payload = PresentationPayload {
            credential: self.credential.clone(),
            issued_at: now,
            nonce: nonce.map(<[u8]>::to_vec),
            disclosures: None,
            request: None,
        };
        sign1::sign(&self.key, PRESENTATION_TYP, payload.to_bytes()).map_err(|_| WalletError::Sign)
    }

    /// Whether this presents a one-time copy ([`crate::Wallet::take_copy`]).
    pub fn is_one_time(&self) -> bool {
        self.one_time
    }

    /// Whether the credential's selective-disclosure copy is in the wallet.
    pub fn has_sd(&self) -> bool {
        self.sd.is_some()
    }

    /// What a selective presentation of `fields` (JSON names, docs/format.md §4) and, with
    /// `age_over` = NN, of the nearest true `age_over_*` attestation ≥ NN would show (ISO
    /// 18013-5: never the birth date, never a false attestation). Errors:
    /// [`WalletError::NoSdCopy`], [`WalletError::UnknownField`], [`WalletError::FieldAbsent`],
    /// [`WalletError::NoAgePredicate`], [`WalletError::AgeNotReached`],
    /// [`WalletError::NothingToDisclose`].
    pub fn select(
        &self,
        fields: &[String],
        age_over: Option<u8>,
    ) -> Result<Vec<crate::Selected>, WalletError> {
        let copy = self.sd.as_ref().ok_or(WalletError::NoSdCopy)?;
        crate::sd::select(copy, self.doc_type, fields, age_over)
    }

    /// Sign a selective presentation (docs/format.md §14.3) of the leaves `selected` (from
    /// [`Presenter::select`]) at `now`, with the verifier's `nonce` if any: the
    /// selective-disclosure credential, the chosen openings and their proof.
    pub fn sign_selected(
        &self,
        selected: &[crate::Selected],
        now: i64,
        nonce: Option<&[u8]>,
    ) -> Result<Vec<u8>, WalletError> {
        if nonce.is_some_and(|n| n.is_empty() || n.len() > MAX_NONCE) {
            return Err(WalletError::BadNonce);
        }
        let copy = self.sd.as_ref().ok_or(WalletError::NoSdCopy)?;
        let indices: Vec<u64> = selected.iter().map(|s| s.index).collect();
        let disclosures = copy
            .disclose(&indices)
            .ok_or(WalletError::NothingToDisclose)?;
        let payload = PresentationPayload {
            credential: copy.credential.clone(),
            issued_at: now,
            nonce: nonce.map(<[u8]>::to_vec),
            disclosures: Some(disclosures),
            request: None,
        };
        sign1::sign(&self.key, PRESENTATION_TYP, payload.to_bytes()).map_err(|_| WalletError::Sign)
    }
}
