//! One-time selective-disclosure copies (docs/decisions.md D110, D112): the wallet makes a key
//! for each copy before the issuer signs it ([`PendingKey`], exported by `wallet keys`), keeps
//! each copy it receives with that key ([`HeldCopy`]), and presents each copy once, so that the
//! serial, holder key, signature, root and status index a verifier sees are never shown again.
//!
//! A copy is used up before the presentation made from it exists: the wallet is written
//! without it (atomically) first, then the presentation is signed. A process killed in between
//! loses one copy, and never shows one twice.

use ed25519_dalek::{SigningKey, VerifyingKey};
use giayto_cose::claims::CredentialClaims;
use giayto_cose::sd::{self, HolderCopy};
use giayto_cose::sign1::Sign1;
use giayto_cose::CREDENTIAL_TYP;
use zeroize::Zeroizing;

use crate::WalletError;

/// How many one-time copies left counts as running low: the wallet says so after a
/// presentation that leaves this many or fewer.
pub const COPIES_LOW: usize = 2;
/// Most one-time keys waiting for their copies in one wallet.
pub const MAX_PENDING_KEYS: usize = 2 * giayto_cose::copies::MAX_COPIES;
/// Most unused one-time copies one credential holds.
pub const MAX_HELD_COPIES: usize = 2 * giayto_cose::copies::MAX_COPIES;

/// A one-time key made for a copy the issuer has not signed yet.
#[derive(Clone)]
pub(crate) struct PendingKey {
    /// Index of its person.
    pub(crate) person: usize,
    pub(crate) seed: Zeroizing<[u8; 32]>,
    pub(crate) public: [u8; 32],
}

impl PendingKey {
    pub(crate) fn new(person: usize, seed: Zeroizing<[u8; 32]>) -> PendingKey {
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        PendingKey {
            person,
            seed,
            public,
        }
    }
}

/// A one-time copy not shown yet, with its own key.
#[derive(Clone)]
pub(crate) struct HeldCopy {
    pub(crate) seed: Zeroizing<[u8; 32]>,
    pub(crate) copy: HolderCopy,
    /// The copy's claims (its serial, `exp`, holder key), read when it was stored.
    pub(crate) claims: CredentialClaims,
}

impl std::fmt::Debug for HeldCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldCopy")
            .field("serial", &crate::hex_lower(&self.claims.serial))
            .finish_non_exhaustive()
    }
}

impl HeldCopy {
    /// A copy and its key, as read back from the wallet body: the copy must be a
    /// selective-disclosure credential bound to that key.
    pub(crate) fn new(seed: Zeroizing<[u8; 32]>, copy: HolderCopy) -> Option<HeldCopy> {
        let signed = Sign1::parse(&copy.credential, CREDENTIAL_TYP).ok()?;
        let (claims, _) = sd::parse_sd_claims(signed.payload()).ok()?;
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        (claims.holder_key == Some(public)).then_some(HeldCopy { seed, copy, claims })
    }

    pub(crate) fn expired(&self, now: i64) -> bool {
        self.claims.expires_at <= now
    }
}

/// Check that `copy` is a one-time copy of the full credential `full_cose` (claims `full`):
/// signed by `issuer_key` under the same key id, by the same issuer for the same document type,
/// schema and level, bound to a key other than the full credential's, with a serial of its own,
/// a status entry, a root over its leaves and openings that agree with the card. Returns its
/// claims; anything else is [`WalletError::SdMismatch`].
pub(crate) fn check_one_time_copy(
    copy: &HolderCopy,
    full_cose: &[u8],
    full: &CredentialClaims,
    issuer_key: &[u8; 32],
) -> Result<CredentialClaims, WalletError> {
    let mismatch = || WalletError::SdMismatch;
    let signed = Sign1::parse(&copy.credential, CREDENTIAL_TYP).map_err(|_| mismatch())?;
    let full_signed = Sign1::parse(full_cose, CREDENTIAL_TYP).map_err(|_| mismatch())?;
    let key = VerifyingKey::from_bytes(issuer_key).map_err(|_| mismatch())?;
    if signed.kid() != full_signed.kid() || signed.verify(&key).is_err() {
        return Err(mismatch());
    }
    let (claims, root) = sd::parse_sd_claims(signed.payload()).map_err(|_| mismatch())?;
    let fits = claims.issuer == full.issuer
        && claims.serial != full.serial
        && claims.holder_key.is_some()
        && claims.holder_key != full.holder_key
        && claims.status.is_some()
        && claims.document.doc_type == full.document.doc_type
        && claims.document.schema_version == full.document.schema_version
        && claims.document.assurance_level == full.document.assurance_level
        && root == copy.root();
    if !fits {
        return Err(mismatch());
    }
    crate::sd::check_openings(copy, full)?;
    Ok(claims)
}

/// Which held copy answers a request at `now`: the first unexpired one (oldest first) whose
/// openings answer it, with the leaves chosen. No unexpired copy is
/// [`WalletError::NoCopiesLeft`]; copies that cannot answer give the first one's reason.
pub(crate) fn choose(
    copies: &[HeldCopy],
    doc_type: u64,
    fields: &[String],
    age_over: Option<u8>,
    now: i64,
) -> Result<(usize, Vec<crate::Selected>), WalletError> {
    let mut first_refusal = None;
    for (i, held) in copies.iter().enumerate() {
        if held.expired(now) {
            continue;
        }
        match crate::sd::select(&held.copy, doc_type, fields, age_over) {
            Ok(selected) => return Ok((i, selected)),
            Err(e) => {
                first_refusal.get_or_insert(e);
            }
        }
    }
    Err(first_refusal.unwrap_or(WalletError::NoCopiesLeft))
}
