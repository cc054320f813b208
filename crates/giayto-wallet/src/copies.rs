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

use crate::{envelope, Presenter, Wallet, WalletError};

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

/// One-time keys and copies of an open wallet; each checks that the wallet is readable (not
/// locked), and the passcode is enough, as for `add`.
impl Wallet {
    /// Make `count` one-time keys (1 to [`giayto_cose::copies::MAX_COPIES`]) for person
    /// `person`, kept in the wallet until the issuer's copies for them arrive
    /// ([`Wallet::attach_copies`]); returns their public keys, for the issuer. Call
    /// [`Wallet::save`] before handing them out.
    pub fn make_one_time_keys(
        &mut self,
        person: usize,
        count: usize,
    ) -> Result<Vec<[u8; 32]>, WalletError> {
        self.readable()?;
        let max = giayto_cose::copies::MAX_COPIES;
        if !(1..=max).contains(&count) {
            return Err(WalletError::CopyCount { max });
        }
        if person >= self.contents.persons.len() {
            return Err(WalletError::NoSuchPerson(person.to_string()));
        }
        if self.contents.pending.len() + count > MAX_PENDING_KEYS {
            return Err(WalletError::Full);
        }
        let mut made = Vec::with_capacity(count);
        for _ in 0..count {
            let key = PendingKey::new(person, Zeroizing::new(envelope::random::<32>()?));
            made.push(key.public);
            self.contents.pending.push(key);
        }
        Ok(made)
    }

    /// How many one-time keys of `person` wait for their copies.
    pub fn pending_keys(&self, person: usize) -> Result<usize, WalletError> {
        self.readable()?;
        Ok(self
            .contents
            .pending
            .iter()
            .filter(|k| k.person == person)
            .count())
    }

    /// Store one-time copies of credential `index` (docs/decisions.md D112), after checking
    /// each: issued with it by `issuer_key` (the key the caller verified the full credential
    /// with), openings that agree with the card ([`WalletError::SdMismatch`]), and bound to a
    /// one-time key this wallet made for the credential's person and holds no copy for
    /// ([`WalletError::CopyKeyUnknown`]). All or none. The keys move from waiting to their
    /// copies; a shared copy (D98) the credential had is dropped, since its presentations are
    /// linkable. Returns how many were stored.
    pub fn attach_copies(
        &mut self,
        index: usize,
        copies: Vec<giayto_cose::sd::HolderCopy>,
        issuer_key: &[u8; 32],
    ) -> Result<usize, WalletError> {
        self.readable()?;
        let c = self
            .contents
            .credentials
            .get(index)
            .ok_or(WalletError::NoSuchCredential)?;
        if c.copies.len() + copies.len() > MAX_HELD_COPIES {
            return Err(WalletError::Full);
        }
        let mut positions = Vec::with_capacity(copies.len());
        let mut checked = Vec::with_capacity(copies.len());
        for copy in copies {
            let claims = check_one_time_copy(&copy, &c.cose, &c.claims, issuer_key)?;
            let position = self
                .contents
                .pending
                .iter()
                .position(|k| k.person == c.person && Some(k.public) == claims.holder_key)
                .filter(|p| !positions.contains(p))
                .ok_or(WalletError::CopyKeyUnknown)?;
            positions.push(position);
            checked.push(copy);
        }
        let n = checked.len();
        let mut held = Vec::with_capacity(n);
        for (copy, position) in checked.into_iter().zip(&positions) {
            let seed = self
                .contents
                .pending
                .get(*position)
                .map(|k| k.seed.clone())
                .ok_or(WalletError::CopyKeyUnknown)?;
            held.push(HeldCopy::new(seed, copy).ok_or(WalletError::SdMismatch)?);
        }
        positions.sort_unstable();
        for p in positions.into_iter().rev() {
            self.contents.pending.remove(p);
        }
        let c = self
            .contents
            .credentials
            .get_mut(index)
            .ok_or(WalletError::NoSuchCredential)?;
        c.copies.extend(held);
        c.sd = None;
        Ok(n)
    }

    /// What a selective presentation of credential `index` at `now` would show with its next
    /// one-time copy (the first unexpired one that can answer; [`Wallet::take_copy`] takes the
    /// same one): the copy's presenter, the leaves chosen, and the copies that would be left.
    /// Changes nothing.
    pub fn peek_copy(
        &self,
        index: usize,
        fields: &[String],
        age_over: Option<u8>,
        now: i64,
    ) -> Result<(Presenter, Vec<crate::Selected>, usize), WalletError> {
        self.readable()?;
        let c = self
            .contents
            .credentials
            .get(index)
            .ok_or(WalletError::NoSuchCredential)?;
        let (position, selected) =
            choose(&c.copies, c.claims.document.doc_type, fields, age_over, now)?;
        let held = c.copies.get(position).ok_or(WalletError::NoCopiesLeft)?;
        let presenter = Presenter {
            key: ed25519_dalek::SigningKey::from_bytes(&held.seed),
            person: c.person,
            doc_type: c.claims.document.doc_type,
            credential: Vec::new(),
            sd: Some(held.copy.clone()),
            one_time: true,
        };
        Ok((presenter, selected, c.copies_left(now).saturating_sub(1)))
    }

    /// Take credential `index`'s next one-time copy for a selective presentation at `now`
    /// (the one [`Wallet::peek_copy`] shows): the wallet is written without it (and without
    /// expired copies) before this returns, so the copy is never shown twice, even if the
    /// process dies right after. Returns its presenter, the leaves chosen and the copies left.
    pub fn take_copy(
        &mut self,
        index: usize,
        fields: &[String],
        age_over: Option<u8>,
        now: i64,
    ) -> Result<(Presenter, Vec<crate::Selected>, usize), WalletError> {
        let (presenter, selected, left) = self.peek_copy(index, fields, age_over, now)?;
        self.take_copy_of(index, &presenter, now)?;
        Ok((presenter, selected, left))
    }

    /// The presenter of credential `index`'s next unexpired one-time copy, whatever it will be
    /// asked to show (for planning an answer to a verifier's request, docs/format.md §15), and
    /// the copies that would be left after it. Changes nothing; [`Wallet::take_copy_of`] takes it.
    pub fn peek_next_copy(
        &self,
        index: usize,
        now: i64,
    ) -> Result<(Presenter, usize), WalletError> {
        self.readable()?;
        let c = self
            .contents
            .credentials
            .get(index)
            .ok_or(WalletError::NoSuchCredential)?;
        let held = c
            .copies
            .iter()
            .find(|h| !h.expired(now))
            .ok_or(WalletError::NoCopiesLeft)?;
        let presenter = Presenter {
            key: ed25519_dalek::SigningKey::from_bytes(&held.seed),
            person: c.person,
            doc_type: c.claims.document.doc_type,
            credential: Vec::new(),
            sd: Some(held.copy.clone()),
            one_time: true,
        };
        Ok((presenter, c.copies_left(now).saturating_sub(1)))
    }

    /// Take the one-time copy `presenter` presents (from [`Wallet::peek_copy`] or
    /// [`Wallet::peek_next_copy`]) out of credential `index`: the wallet is written without it
    /// (and without expired copies) before this returns, so it is never shown twice. A copy no
    /// longer held (taken by another run meanwhile) is [`WalletError::NoCopiesLeft`].
    pub fn take_copy_of(
        &mut self,
        index: usize,
        presenter: &Presenter,
        now: i64,
    ) -> Result<(), WalletError> {
        self.readable()?;
        let used = presenter
            .sd
            .as_ref()
            .map(|copy| copy.credential.clone())
            .ok_or(WalletError::NoCopiesLeft)?;
        let c = self
            .contents
            .credentials
            .get_mut(index)
            .ok_or(WalletError::NoSuchCredential)?;
        if !c.copies.iter().any(|h| h.copy.credential == used) {
            return Err(WalletError::NoCopiesLeft);
        }
        c.copies
            .retain(|h| h.copy.credential != used && !h.expired(now));
        c.copies_used = c.copies_used.saturating_add(1);
        self.save()
    }
}
