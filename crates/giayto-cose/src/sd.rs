//! Selective disclosure (docs/format.md §14): a credential that commits to each document field
//! and to issuer-computed age predicates through a Merkle root over salted leaves, and the
//! disclosures a holder puts in a presentation (`VP1:` payload key 4) to show some of them.
//!
//! The tree has [`LEAVES`] leaves, always: leaf `k` (1..=15) is the field with key `k` of the
//! document's `fields` map (docs/format.md §4), leaf `16 + i` the predicate
//! `age_over_<AGE_THRESHOLDS[i]>`; every other leaf, and the leaf of a field the document does
//! not have, is a decoy (random bytes), so the tree does not say which optional fields exist.
//!
//! Hashes follow RFC 9162 §2.1.1 (leaf `H(0x00 ‖ data)`, node `H(0x01 ‖ left ‖ right)`) with
//! SHA-256 truncated to [`HASH_LEN`] bytes (docs/decisions.md D91). A leaf's data is the
//! deterministic CBOR array `[salt, index, value]`.
//!
//! Two layouts share the tree ([`Layout`], docs/format.md §14.1): layout 1 (salted, the first
//! release: one random salt per leaf, random decoys) and layout 2 ([`seeded`], what issuers
//! make now: salts from a seed tree, positions a type does not use left empty). The signed
//! commitment says which one a credential follows; this module reads both.

use ciborium::value::Value;
use sha2::{Digest, Sha256};

use crate::cbor::{self, as_i64, as_u64, get_int, CborError};
use crate::claims::{ClaimsError, CredentialClaims};

/// Bytes of every tree hash (SHA-256 truncated).
pub const HASH_LEN: usize = 16;
/// Bytes of every salt (128 bits, from the OS random generator).
pub const SALT_LEN: usize = 16;
/// Leaves of every tree.
pub const LEAVES: usize = 32;
/// Levels of every tree (`2^DEPTH = LEAVES`).
pub const DEPTH: usize = 5;
/// First leaf index of the predicates; indices below it are field keys.
pub const PREDICATE_BASE: u64 = 16;
/// The `age_over_NN` predicates an issuer commits to, in leaf order (leaf `16 + i`).
pub const AGE_THRESHOLDS: [u8; 7] = [14, 16, 18, 21, 25, 60, 65];
/// The claim label of the commitment (instead of the document claim `-70001`).
pub const COMMITMENT_LABEL: i64 = -70002;
/// Most disclosures one presentation may carry (one per leaf).
pub const MAX_DISCLOSURES: usize = LEAVES;

pub mod seeded;

pub use seeded::{Group, SeededDisclosures};

/// A tree hash.
pub type Hash = [u8; HASH_LEN];
/// A salt.
pub type Salt = [u8; SALT_LEN];

/// The leaf index of `age_over_<nn>`, when the issuer commits to that threshold.
pub fn age_leaf(nn: u8) -> Option<u64> {
    AGE_THRESHOLDS
        .iter()
        .position(|t| *t == nn)
        .map(|i| PREDICATE_BASE + i as u64)
}

/// Layout 2 puts the holder's ID number next to the name, so that one seed opens both
/// (docs/format.md §14.5): for each `(doc_type, a, b)` the fields with keys `a` and `b` trade
/// leaves — gplx date of birth and ID number, vehicle plate and owner ID number, bhyt and bhxh
/// date of birth and ID number. A CCCD's ID number (2) and name (3) are neighbours already.
pub const SEEDED_SWAPS: [(u64, u64, u64); 4] = [(2, 3, 4), (3, 2, 4), (4, 3, 5), (5, 3, 5)];

/// The leaf of field key `key` of a document type (its code) in a layout; a predicate leaf is
/// its own. The mapping is its own inverse: it also gives the field key of a leaf.
pub fn position(layout: Layout, doc_type: u64, key: u64) -> u64 {
    if layout == Layout::Salted {
        return key;
    }
    match SEEDED_SWAPS.iter().find(|(t, _, _)| *t == doc_type) {
        Some((_, a, b)) if key == *a => *b,
        Some((_, a, b)) if key == *b => *a,
        _ => key,
    }
}

/// The leaf positions of a document type, bit `k` for leaf `k` (docs/format.md §14.1): its
/// field keys (below [`PREDICATE_BASE`]) and, for a type with a date of birth (`predicates`),
/// the predicate leaves. Every other position is unused (empty in layout 2). The swaps of
/// [`position`] exchange two field keys of the type, so the set is the same in both layouts.
pub fn positions(field_keys: impl IntoIterator<Item = u64>, predicates: bool) -> u32 {
    let fields = field_keys
        .into_iter()
        .filter(|k| *k < PREDICATE_BASE)
        .fold(0u32, |m, k| m | (1u32 << k));
    let predicates = if predicates {
        (0..AGE_THRESHOLDS.len() as u64).fold(0u32, |m, i| m | (1u32 << (PREDICATE_BASE + i)))
    } else {
        0
    };
    fields | predicates
}

/// The age threshold of a predicate leaf.
pub fn leaf_age(index: u64) -> Option<u8> {
    let i = usize::try_from(index.checked_sub(PREDICATE_BASE)?).ok()?;
    AGE_THRESHOLDS.get(i).copied()
}

fn truncated(h: Sha256) -> Hash {
    let digest = h.finalize();
    let mut out = [0u8; HASH_LEN];
    out.copy_from_slice(&digest[..HASH_LEN]);
    out
}

/// The hash of a leaf: `SHA-256(0x00 ‖ CBOR([salt, index, value]))`, truncated.
pub fn leaf_hash(index: u64, salt: &Salt, value: &Value) -> Hash {
    let mut h = Sha256::new();
    // 0x00, then the deterministic CBOR of the array written piece by piece: array of 3
    // (0x83), a byte string of 16 (0x50) and the salt, the index, the value.
    h.update([0x00, 0x83, 0x40 | SALT_LEN as u8]);
    h.update(salt);
    h.update(cbor::encode(&index.into()));
    h.update(cbor::encode(value));
    truncated(h)
}

/// The hash of an inner node: `SHA-256(0x01 ‖ left ‖ right)`, truncated.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    truncated(h)
}

/// Every level of the tree, leaves first, root last (a one-element level).
fn levels(leaves: &[Hash; LEAVES]) -> Vec<Vec<Hash>> {
    let mut out = vec![leaves.to_vec()];
    for _ in 0..DEPTH {
        let below = out.last().map(Vec::as_slice).unwrap_or(&[]);
        let next = below.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
        out.push(next);
    }
    out
}

/// The root over all leaves.
pub fn root(leaves: &[Hash; LEAVES]) -> Hash {
    levels(leaves)
        .last()
        .and_then(|l| l.first().copied())
        .unwrap_or([0; HASH_LEN])
}

/// Walk the tree from the known leaves up, taking a sibling from `sibling` whenever it is not
/// known itself. `known` is sorted by index, without repeats.
fn walk(
    known: &[(u64, Hash)],
    mut sibling: impl FnMut(usize, u64) -> Option<Hash>,
) -> Option<Hash> {
    let mut level: Vec<(u64, Hash)> = known.to_vec();
    for depth in 0..DEPTH {
        let mut next = Vec::with_capacity(level.len());
        let mut i = 0;
        while let Some(&(idx, h)) = level.get(i) {
            let pair = level
                .get(i + 1)
                .filter(|(j, _)| idx % 2 == 0 && *j == idx + 1);
            let parent = match pair {
                Some((_, right)) => {
                    i += 2;
                    node_hash(&h, right)
                }
                None => {
                    i += 1;
                    let s = sibling(depth, idx ^ 1)?;
                    if idx % 2 == 0 {
                        node_hash(&h, &s)
                    } else {
                        node_hash(&s, &h)
                    }
                }
            };
            next.push((idx / 2, parent));
        }
        level = next;
    }
    match level.as_slice() {
        [(0, root)] => Some(*root),
        _ => None,
    }
}

/// The proof for the leaves at `indices` (ascending, no repeats, each `< LEAVES`): the sibling
/// hashes the verifier cannot compute, in the order [`root_from_proof`] takes them.
pub fn multiproof(leaves: &[Hash; LEAVES], indices: &[u64]) -> Vec<Hash> {
    let all = levels(leaves);
    let known: Vec<(u64, Hash)> = indices
        .iter()
        .filter_map(|i| Some((*i, *leaves.get(usize::try_from(*i).ok()?)?)))
        .collect();
    let mut proof = Vec::new();
    let _ = walk(&known, |depth, idx| {
        let h = *all.get(depth)?.get(usize::try_from(idx).ok()?)?;
        proof.push(h);
        Some(h)
    });
    proof
}

/// The root that disclosed leaves and a proof lead to, or `None` when the proof is too short
/// or too long for them. `known` must be sorted by index without repeats, indices `< LEAVES`.
pub fn root_from_proof(known: &[(u64, Hash)], proof: &[Hash]) -> Option<Hash> {
    if known.is_empty() || known.iter().any(|(i, _)| *i >= LEAVES as u64) {
        return None;
    }
    let mut rest = proof.iter();
    let root = walk(known, |_, _| rest.next().copied())?;
    rest.next().is_none().then_some(root)
}

/// How a commitment's leaves are salted and how presentations disclose them
/// (docs/format.md §14.1): the key of the root in the commitment claim says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Layout 1 (root under key 4): a random salt per leaf, random decoys in every unused
    /// position; each disclosure carries its own salt (§14.3).
    Salted,
    /// Layout 2 (root under key 5): salts derived from one seed tree, unused positions empty;
    /// a disclosure carries the seed of a subtree and every value under it (§14.5, §14.6).
    Seeded,
}

impl Layout {
    /// The commitment-claim key that holds the root in this layout.
    pub fn root_key(self) -> i64 {
        match self {
            Layout::Salted => 4,
            Layout::Seeded => 5,
        }
    }
}

/// The commitment claim that a selective-disclosure credential carries instead of the
/// document claim `-70001`: `-70002: {1: doc_type, 2: schema_version, 3: assurance_level,
/// 4: root}` in layout 1, the same with the root under key 5 in layout 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// Document type code, as in the document claim.
    pub doc_type: u64,
    /// Version of the `fields` schema the leaves follow.
    pub schema_version: u64,
    /// Identity assurance level, 1 or 2.
    pub assurance_level: u8,
    /// The Merkle root over the [`LEAVES`] leaves.
    pub root: Hash,
    /// The layout of the leaves (the key the root is under).
    pub layout: Layout,
}

impl Commitment {
    /// The claim value.
    pub fn to_value(&self) -> Value {
        cbor::map(vec![
            (1.into(), self.doc_type.into()),
            (2.into(), self.schema_version.into()),
            (3.into(), self.assurance_level.into()),
            (
                self.layout.root_key().into(),
                Value::Bytes(self.root.to_vec()),
            ),
        ])
    }

    /// Read the claim value: exactly four entries, the root of [`HASH_LEN`] bytes under key 4
    /// (layout 1) or key 5 (layout 2).
    pub fn from_value(value: &Value) -> Result<Commitment, ClaimsError> {
        let invalid = ClaimsError::Invalid {
            claim: "commitment",
        };
        let map = value.as_map().ok_or(invalid.clone())?;
        if map.len() != 4 {
            return Err(invalid);
        }
        let (doc_type, schema_version, assurance_level) =
            crate::claims::document_header(map, &invalid)?;
        // Four entries with keys 1 to 3 leave one: the root, under 4 or 5.
        let (layout, root) = [Layout::Salted, Layout::Seeded]
            .into_iter()
            .find_map(|l| Some((l, get_int(map, l.root_key())?)))
            .ok_or(invalid.clone())?;
        let root = root
            .as_bytes()
            .and_then(|b| <Hash>::try_from(b.as_slice()).ok())
            .ok_or(invalid)?;
        Ok(Commitment {
            doc_type,
            schema_version,
            assurance_level,
            root,
            layout,
        })
    }
}

/// The claims of a selective-disclosure credential as bytes: `claims` with the commitment
/// claim of `layout` in place of the document claim (whose `fields` are not written).
pub fn sd_claims_bytes(claims: &CredentialClaims, root: &Hash, layout: Layout) -> Vec<u8> {
    let commitment = Commitment {
        doc_type: claims.document.doc_type,
        schema_version: claims.document.schema_version,
        assurance_level: claims.document.assurance_level,
        root: *root,
        layout,
    };
    let Value::Map(entries) = claims.to_value() else {
        return Vec::new();
    };
    let mut entries: Vec<(Value, Value)> = entries
        .into_iter()
        .filter(|(k, _)| as_i64(k) != Some(crate::claims::label::DOCUMENT))
        .collect();
    entries.push((COMMITMENT_LABEL.into(), commitment.to_value()));
    cbor::encode(&cbor::map(entries))
}

/// Parse the claims of a selective-disclosure credential: the claims of docs/format.md §3.6
/// with the commitment claim and no document claim. The returned claims' document has the
/// commitment's type, version and level and an empty `fields` map; the root comes apart.
pub fn parse_sd_claims(bytes: &[u8]) -> Result<(CredentialClaims, Hash), ClaimsError> {
    parse_sd_commitment(bytes).map(|(claims, c)| (claims, c.root))
}

/// [`parse_sd_claims`], with the whole commitment (root and layout).
pub fn parse_sd_commitment(bytes: &[u8]) -> Result<(CredentialClaims, Commitment), ClaimsError> {
    let value = cbor::decode(bytes).map_err(ClaimsError::Cbor)?;
    let map = value.as_map().ok_or(ClaimsError::NotAMap)?;
    if get_int(map, crate::claims::label::DOCUMENT).is_some() {
        return Err(ClaimsError::Invalid { claim: "document" });
    }
    let commitment =
        Commitment::from_value(get_int(map, COMMITMENT_LABEL).ok_or(ClaimsError::Missing {
            claim: "commitment",
        })?)?;
    // Read the other claims as a credential's, with the commitment standing in as the document.
    let document = cbor::map(vec![
        (1.into(), commitment.doc_type.into()),
        (2.into(), commitment.schema_version.into()),
        (3.into(), commitment.assurance_level.into()),
        (4.into(), Value::Map(Vec::new())),
    ]);
    let entries: Vec<(Value, Value)> = map
        .iter()
        .map(|(k, v)| {
            if as_i64(k) == Some(COMMITMENT_LABEL) {
                (crate::claims::label::DOCUMENT.into(), document.clone())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let claims = CredentialClaims::from_value(&Value::Map(entries))?;
    Ok((claims, commitment))
}

/// One disclosed leaf: its index, its salt and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// Leaf index: a field key (1..=15) or `16 + i` for `age_over_<AGE_THRESHOLDS[i]>`.
    pub index: u64,
    /// The leaf's salt.
    pub salt: Salt,
    /// The value: the field's CBOR value (docs/format.md §4), or `true`/`false` for a predicate.
    pub value: Value,
}

impl Disclosure {
    /// This leaf's hash.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(self.index, &self.salt, &self.value)
    }
}

/// Disclosures in layout 1 (docs/format.md §14.3): `[[index, salt, value]…, proof]`, the
/// disclosures in strictly ascending index order, the proof the concatenated sibling hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltedDisclosures {
    /// The disclosed leaves, ascending by index.
    pub items: Vec<Disclosure>,
    /// The sibling hashes, in the order [`root_from_proof`] takes them.
    pub proof: Vec<Hash>,
}

/// What a presentation discloses (payload key 4), in its commitment's layout. The two forms
/// differ in their first element (a disclosure array in layout 1, the proof's byte string in
/// layout 2), so a payload is read without knowing the credential.
#[derive(Debug, Clone, PartialEq)]
pub enum Disclosures {
    /// Layout 1: one salt per disclosed leaf (§14.3).
    Salted(SaltedDisclosures),
    /// Layout 2: the seeds of whole subtrees (§14.6).
    Seeded(SeededDisclosures),
}

/// Why a disclosure structure is not acceptable.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisclosureError {
    /// Not the array of either layout: a salt or seed that is not [`SALT_LEN`] bytes, a proof
    /// that is not a whole number of hashes, an index past the tree or a node that is not one,
    /// or nothing disclosed.
    Shape,
    /// Two disclosures of the same leaf, or disclosures not in ascending index order (in
    /// layout 2: subtrees that overlap or are not in ascending order).
    Order,
}

impl std::fmt::Display for DisclosureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DisclosureError::Shape => write!(f, "disclosures: wrong shape"),
            DisclosureError::Order => write!(f, "disclosures: repeated or out of order"),
        }
    }
}

impl std::error::Error for DisclosureError {}

/// Why disclosures do not fit a document type's positions (docs/format.md §14.4, 21a).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverError {
    /// A disclosure (layout 1), or a subtree (layout 2), at positions the type does not define.
    NotCovered {
        /// The leaf index (layout 2: the subtree's first leaf).
        index: u64,
    },
    /// A layout-2 subtree whose values are not exactly one per position the type defines under
    /// it: its seed would open leaves whose values are not shown, or values have no leaf.
    Group {
        /// The subtree's node number (`32 × height + first leaf`).
        node: u64,
    },
}

/// Read a proof byte string: whole hashes, at most one per node of the tree.
fn read_proof(value: &Value) -> Result<Vec<Hash>, DisclosureError> {
    let proof = value.as_bytes().ok_or(DisclosureError::Shape)?;
    if proof.len() % HASH_LEN != 0 || proof.len() > LEAVES * DEPTH * HASH_LEN {
        return Err(DisclosureError::Shape);
    }
    proof
        .chunks(HASH_LEN)
        .map(|c| <Hash>::try_from(c).map_err(|_| DisclosureError::Shape))
        .collect()
}

/// A salt or seed: a byte string of [`SALT_LEN`] bytes.
fn read_salt(value: &Value) -> Result<Salt, DisclosureError> {
    value
        .as_bytes()
        .and_then(|s| <Salt>::try_from(s.as_slice()).ok())
        .ok_or(DisclosureError::Shape)
}

impl SaltedDisclosures {
    /// The CBOR value of payload key 4.
    pub fn to_value(&self) -> Value {
        let mut items: Vec<Value> = self
            .items
            .iter()
            .map(|d| {
                Value::Array(vec![
                    d.index.into(),
                    Value::Bytes(d.salt.to_vec()),
                    d.value.clone(),
                ])
            })
            .collect();
        items.push(Value::Bytes(self.proof.concat()));
        Value::Array(items)
    }

    /// Read payload key 4 in layout 1.
    pub fn from_value(value: &Value) -> Result<SaltedDisclosures, DisclosureError> {
        let arr = value.as_array().ok_or(DisclosureError::Shape)?;
        let (proof, items) = arr.split_last().ok_or(DisclosureError::Shape)?;
        if items.is_empty() || items.len() > MAX_DISCLOSURES {
            return Err(DisclosureError::Shape);
        }
        let proof = read_proof(proof)?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let [index, salt, value] = item.as_array().map(Vec::as_slice).unwrap_or(&[]) else {
                return Err(DisclosureError::Shape);
            };
            let index = as_u64(index)
                .filter(|i| *i < LEAVES as u64)
                .ok_or(DisclosureError::Shape)?;
            out.push(Disclosure {
                index,
                salt: read_salt(salt)?,
                value: value.clone(),
            });
        }
        if out.windows(2).any(|w| w[0].index >= w[1].index) {
            return Err(DisclosureError::Order);
        }
        Ok(SaltedDisclosures { items: out, proof })
    }

    /// The root these disclosures and their proof lead to (`None`: the proof does not fit).
    pub fn root(&self) -> Option<Hash> {
        let known: Vec<(u64, Hash)> = self
            .items
            .iter()
            .map(|d| (d.index, d.leaf_hash()))
            .collect();
        root_from_proof(&known, &self.proof)
    }
}

impl Disclosures {
    /// The layout these disclosures are written in.
    pub fn layout(&self) -> Layout {
        match self {
            Disclosures::Salted(_) => Layout::Salted,
            Disclosures::Seeded(_) => Layout::Seeded,
        }
    }

    /// The CBOR value of payload key 4.
    pub fn to_value(&self) -> Value {
        match self {
            Disclosures::Salted(d) => d.to_value(),
            Disclosures::Seeded(d) => d.to_value(),
        }
    }

    /// Read payload key 4: layout 2 when its first element is a byte string (the proof),
    /// else layout 1.
    pub fn from_value(value: &Value) -> Result<Disclosures, DisclosureError> {
        let first = value
            .as_array()
            .and_then(|a| a.first())
            .ok_or(DisclosureError::Shape)?;
        if first.is_bytes() {
            SeededDisclosures::from_value(value).map(Disclosures::Seeded)
        } else {
            SaltedDisclosures::from_value(value).map(Disclosures::Salted)
        }
    }

    /// Every disclosed leaf (index, salt, value), ascending, for a document type that defines
    /// the positions of the bit mask `defined` (bit `k` for leaf `k`).
    pub fn open(&self, defined: u32) -> Result<Vec<Disclosure>, CoverError> {
        match self {
            Disclosures::Salted(d) => {
                if let Some(e) = d.items.iter().find(|e| !seeded::is_set(defined, e.index)) {
                    return Err(CoverError::NotCovered { index: e.index });
                }
                Ok(d.items.clone())
            }
            Disclosures::Seeded(d) => d.open(defined),
        }
    }

    /// The root these disclosures and their proof lead to for a type defining `defined`
    /// (`None`: they do not fit the tree; see [`Disclosures::open`] for why).
    pub fn root(&self, defined: u32) -> Option<Hash> {
        match self {
            Disclosures::Salted(d) => d.root(),
            Disclosures::Seeded(d) => d.root(defined),
        }
    }

    /// [`Disclosures::open`] and [`Disclosures::root`] in one pass (each seed derived once).
    pub fn open_with_root(
        &self,
        defined: u32,
    ) -> Result<(Vec<Disclosure>, Option<Hash>), CoverError> {
        let opened = self.open(defined)?;
        let root = match self {
            Disclosures::Salted(d) => d.root(),
            Disclosures::Seeded(d) => d.root_of(defined, &opened),
        };
        Ok((opened, root))
    }
}

mod copy;
pub use copy::{HolderCopy, HolderCopyError};

#[cfg(test)]
mod tests;
