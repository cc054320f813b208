//! What the holder keeps of a selective-disclosure credential (docs/format.md §14.2; in the
//! wallet, never in a printed code), in either layout.

use ciborium::value::Value;

use super::{
    multiproof, root, seeded, CborError, Disclosure, Disclosures, Hash, Layout, Salt,
    SaltedDisclosures, HASH_LEN, LEAVES,
};
use crate::cbor::{self, get_int};

/// The signed credential, every real leaf with its salt and value, and the hashes of all
/// [`LEAVES`] leaves (decoys and empty positions included) to build proofs from; in layout 2
/// also the root seed every salt derives from.
#[derive(Debug, Clone, PartialEq)]
pub struct HolderCopy {
    /// The selective-disclosure credential's COSE_Sign1 bytes.
    pub credential: Vec<u8>,
    /// The real leaves, ascending by index.
    pub entries: Vec<Disclosure>,
    /// All leaf hashes, by index.
    pub leaves: [Hash; LEAVES],
    /// Layout 2: the root seed of the salts; `None` in layout 1 (a random salt per leaf).
    pub seed: Option<Salt>,
}

/// Why a holder copy cannot be read.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolderCopyError {
    /// Not strict CBOR.
    Cbor(CborError),
    /// Not the structure [`HolderCopy::to_bytes`] writes, or its leaves do not match its
    /// entries (or, in layout 2, its seed).
    Invalid,
}

impl std::fmt::Display for HolderCopyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HolderCopyError::Cbor(e) => write!(f, "selective-disclosure copy: {e}"),
            HolderCopyError::Invalid => write!(f, "selective-disclosure copy: invalid"),
        }
    }
}

impl std::error::Error for HolderCopyError {}

impl HolderCopy {
    /// `{1: credential, 2: [[index, salt, value]…], 3: leaves concatenated}` as strict CBOR,
    /// with `4: root seed` in layout 2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let entries = SaltedDisclosures {
            items: self.entries.clone(),
            proof: Vec::new(),
        }
        .to_value();
        let mut map = vec![
            (1.into(), Value::Bytes(self.credential.clone())),
            (2.into(), entries),
            (3.into(), Value::Bytes(self.leaves.concat())),
        ];
        if let Some(seed) = &self.seed {
            map.push((4.into(), Value::Bytes(seed.to_vec())));
        }
        cbor::encode(&cbor::map(map))
    }

    /// Read what [`HolderCopy::to_bytes`] wrote; every entry must hash to its leaf, and in
    /// layout 2 every salt must come from the seed and every other leaf be a decoy of its salt
    /// or empty.
    pub fn from_bytes(bytes: &[u8]) -> Result<HolderCopy, HolderCopyError> {
        let value = cbor::decode(bytes).map_err(HolderCopyError::Cbor)?;
        let map = value.as_map().ok_or(HolderCopyError::Invalid)?;
        let credential = get_int(map, 1)
            .and_then(Value::as_bytes)
            .ok_or(HolderCopyError::Invalid)?
            .clone();
        let entries = get_int(map, 2)
            .map(SaltedDisclosures::from_value)
            .and_then(Result::ok)
            .ok_or(HolderCopyError::Invalid)?
            .items;
        let raw = get_int(map, 3)
            .and_then(Value::as_bytes)
            .filter(|b| b.len() == LEAVES * HASH_LEN)
            .ok_or(HolderCopyError::Invalid)?;
        let mut leaves = [[0u8; HASH_LEN]; LEAVES];
        for (leaf, chunk) in leaves.iter_mut().zip(raw.chunks(HASH_LEN)) {
            leaf.copy_from_slice(chunk);
        }
        let seed = get_int(map, 4)
            .map(|s| {
                s.as_bytes()
                    .and_then(|b| <Salt>::try_from(b.as_slice()).ok())
                    .ok_or(HolderCopyError::Invalid)
            })
            .transpose()?;
        let copy = HolderCopy {
            credential,
            entries,
            leaves,
            seed,
        };
        if !copy.consistent() {
            return Err(HolderCopyError::Invalid);
        }
        Ok(copy)
    }

    /// Whether the entries hash to their leaves and, in layout 2, the salts and the other
    /// leaves follow from the seed.
    fn consistent(&self) -> bool {
        let hashed = self.entries.iter().all(|e| {
            usize::try_from(e.index)
                .ok()
                .and_then(|i| self.leaves.get(i))
                .is_some_and(|l| *l == e.leaf_hash())
        });
        let Some(seed) = &self.seed else {
            return hashed;
        };
        let salts = seeded::leaf_salts(seed, super::DEPTH as u32);
        hashed
            && self
                .leaves
                .iter()
                .zip(&salts)
                .enumerate()
                .all(
                    |(i, (leaf, salt))| match self.entries.iter().find(|e| e.index == i as u64) {
                        Some(e) => e.salt == *salt,
                        None => *leaf == seeded::EMPTY || *leaf == seeded::decoy(salt),
                    },
                )
    }

    /// The layout of this copy (and of the commitment it was issued with).
    pub fn layout(&self) -> Layout {
        match self.seed {
            Some(_) => Layout::Seeded,
            None => Layout::Salted,
        }
    }

    /// The root of this copy's tree.
    pub fn root(&self) -> Hash {
        root(&self.leaves)
    }

    /// The entry of a leaf, when it is a real one.
    pub fn entry(&self, index: u64) -> Option<&Disclosure> {
        self.entries.iter().find(|e| e.index == index)
    }

    /// The disclosures of these leaves (sorted and de-duplicated here), with their proof, in
    /// the copy's layout; `None` when one of them is not a real leaf of this copy or nothing
    /// is asked.
    pub fn disclose(&self, indices: &[u64]) -> Option<Disclosures> {
        let mut wanted = indices.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return None;
        }
        let items = wanted
            .iter()
            .map(|i| self.entry(*i).cloned())
            .collect::<Option<Vec<_>>>()?;
        match &self.seed {
            None => Some(Disclosures::Salted(SaltedDisclosures {
                items,
                proof: multiproof(&self.leaves, &wanted),
            })),
            Some(seed) => {
                let mask = wanted.iter().try_fold(0u32, |m, i| {
                    Some(m | 1u32.checked_shl(u32::try_from(*i).ok()?)?)
                })?;
                seeded::disclose(seed, &self.leaves, &self.entries, mask).map(Disclosures::Seeded)
            }
        }
    }
}
