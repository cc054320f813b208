//! Layout 2 of selective disclosure (docs/format.md §14.5, §14.6; docs/decisions.md D107):
//! the salts of the leaves come from a tree of seeds, so one 16-byte seed opens every leaf of
//! a subtree, and the positions a document type does not define are empty (an all-zero leaf
//! hash) instead of random, so no proof ever carries a hash of a subtree made only of them.
//! The leaf of a field the card does not carry (a decoy) is derived from its salt and looks
//! like any other leaf.
//!
//! Nodes are numbered `32 × height + first leaf` (a leaf is its own index, the root is 160).

use ciborium::value::Value;
use sha2::{Digest, Sha256};

use super::{
    leaf_hash, levels, node_hash, read_proof, read_salt, truncated, CoverError, Disclosure,
    DisclosureError, Hash, Salt, DEPTH, HASH_LEN, LEAVES,
};
use crate::cbor::as_u64;

/// The leaf hash of a position the document type does not define.
pub const EMPTY: Hash = [0; HASH_LEN];
/// Most subtrees one presentation may disclose (one per leaf).
pub const MAX_GROUPS: usize = LEAVES;
/// The tree's height, as a shift.
const TOP: u32 = DEPTH as u32;

/// Whether bit `index` of `mask` is set (bit `k` stands for leaf `k`).
pub fn is_set(mask: u32, index: u64) -> bool {
    index < LEAVES as u64 && mask & (1u32 << index) != 0
}

/// The seed of a child node: `SHA-256(0x02 ‖ seed ‖ side)[0..16]`, side 0 left, 1 right.
pub fn child_seed(seed: &Salt, right: bool) -> Salt {
    let mut h = Sha256::new();
    h.update([0x02]);
    h.update(seed);
    h.update([u8::from(right)]);
    truncated(h)
}

/// The leaf hash of a decoy (a defined position without a value): `SHA-256(0x03 ‖ salt)[0..16]`.
pub fn decoy(salt: &Salt) -> Hash {
    let mut h = Sha256::new();
    h.update([0x03]);
    h.update(salt);
    truncated(h)
}

/// The salts of the `2^height` leaves under a node whose seed is `seed`, in leaf order.
pub fn leaf_salts(seed: &Salt, height: u32) -> Vec<Salt> {
    let mut level = vec![*seed];
    for _ in 0..height {
        level = level
            .iter()
            .flat_map(|s| [child_seed(s, false), child_seed(s, true)])
            .collect();
    }
    level
}

/// The seed of node (`height`, `first`) below the root seed.
pub fn node_seed(root_seed: &Salt, height: u32, first: u64) -> Salt {
    let mut seed = *root_seed;
    for level in (height..TOP).rev() {
        seed = child_seed(&seed, (first >> level) & 1 == 1);
    }
    seed
}

/// The number of node (`height`, `first`).
pub fn node_id(height: u32, first: u64) -> u64 {
    32 * u64::from(height) + first
}

/// The (height, first leaf) of a node number, when it names a node of the tree.
pub fn node_of(id: u64) -> Option<(u32, u64)> {
    let height = u32::try_from(id / 32).ok().filter(|h| *h <= TOP)?;
    let first = id % 32;
    (first % (1u64 << height) == 0).then_some((height, first))
}

/// The bits of `mask` under node (`height`, `first`).
fn under(mask: u32, height: u32, first: u64) -> u32 {
    let span = 1u64 << height;
    let bits = if span >= LEAVES as u64 {
        u32::MAX
    } else {
        ((1u32 << span) - 1) << first
    };
    mask & bits
}

/// The hashes of all-empty subtrees, by height: `EMPTY(0)` = [`EMPTY`], `EMPTY(h)` the node
/// hash of two `EMPTY(h − 1)`.
fn empty_hashes() -> &'static [Hash; DEPTH + 1] {
    static TABLE: std::sync::OnceLock<[Hash; DEPTH + 1]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [EMPTY; DEPTH + 1];
        for h in 1..=DEPTH {
            t[h] = node_hash(&t[h - 1], &t[h - 1]);
        }
        t
    })
}

/// Push `(leaf, salt)` for each defined leaf under node (`height`, `first`) whose seed is
/// `seed`, ascending; a subtree without a defined leaf is not derived.
fn defined_salts(seed: &Salt, height: u32, first: u64, defined: u32, out: &mut Vec<(u64, Salt)>) {
    if under(defined, height, first) == 0 {
        return;
    }
    if height == 0 {
        out.push((first, *seed));
        return;
    }
    let half = 1u64 << (height - 1);
    defined_salts(&child_seed(seed, false), height - 1, first, defined, out);
    defined_salts(
        &child_seed(seed, true),
        height - 1,
        first + half,
        defined,
        out,
    );
}

/// The hash of node (`height`, `first`), taking the leaf hashes of its defined leaves from
/// `leaves` in order and `EMPTY(h)` for every subtree without one.
fn subtree_hash(
    height: u32,
    first: u64,
    defined: u32,
    leaves: &mut impl Iterator<Item = Hash>,
) -> Option<Hash> {
    if under(defined, height, first) == 0 {
        return empty_hashes().get(height as usize).copied();
    }
    if height == 0 {
        return leaves.next();
    }
    let half = 1u64 << (height - 1);
    let left = subtree_hash(height - 1, first, defined, leaves)?;
    let right = subtree_hash(height - 1, first + half, defined, leaves)?;
    Some(node_hash(&left, &right))
}

/// One disclosed subtree: its node, its seed, and the value of every position under it that
/// the document type defines, in leaf order.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Node number, `32 × height + first leaf`.
    pub node: u64,
    /// The node's seed.
    pub seed: Salt,
    /// The values, one per defined position under the node, ascending.
    pub values: Vec<Value>,
}

/// Disclosures in layout 2 (docs/format.md §14.6): `[proof, [node, seed, value…]…]`, the
/// subtrees in ascending order without overlap.
#[derive(Debug, Clone, PartialEq)]
pub struct SeededDisclosures {
    /// The sibling hashes, in the order of the walk of §14.6.
    pub proof: Vec<Hash>,
    /// The disclosed subtrees.
    pub groups: Vec<Group>,
}

impl SeededDisclosures {
    /// The CBOR value of payload key 4.
    pub fn to_value(&self) -> Value {
        let mut out = vec![Value::Bytes(self.proof.concat())];
        out.extend(self.groups.iter().map(|g| {
            let mut item = vec![g.node.into(), Value::Bytes(g.seed.to_vec())];
            item.extend(g.values.iter().cloned());
            Value::Array(item)
        }));
        Value::Array(out)
    }

    /// Read payload key 4 in layout 2.
    pub fn from_value(value: &Value) -> Result<SeededDisclosures, DisclosureError> {
        let arr = value.as_array().ok_or(DisclosureError::Shape)?;
        let (proof, items) = arr.split_first().ok_or(DisclosureError::Shape)?;
        if items.is_empty() || items.len() > MAX_GROUPS {
            return Err(DisclosureError::Shape);
        }
        let proof = read_proof(proof)?;
        let mut groups = Vec::with_capacity(items.len());
        let mut next_free = 0u64;
        for item in items {
            let [node, seed, values @ ..] = item.as_array().map(Vec::as_slice).unwrap_or(&[])
            else {
                return Err(DisclosureError::Shape);
            };
            if values.is_empty() || values.len() > LEAVES {
                return Err(DisclosureError::Shape);
            }
            let node = as_u64(node).ok_or(DisclosureError::Shape)?;
            let (height, first) = node_of(node).ok_or(DisclosureError::Shape)?;
            if first < next_free {
                return Err(DisclosureError::Order);
            }
            next_free = first + (1u64 << height);
            groups.push(Group {
                node,
                seed: read_salt(seed)?,
                values: values.to_vec(),
            });
        }
        Ok(SeededDisclosures { proof, groups })
    }

    /// Every disclosed leaf, ascending, for a type defining the positions of `defined`: each
    /// subtree must contain a defined position and carry one value for each.
    pub fn open(&self, defined: u32) -> Result<Vec<Disclosure>, CoverError> {
        // First every group must cover a defined leaf (check 21a), then carry one value for
        // each (21a′).
        for g in &self.groups {
            let (height, first) = node_of(g.node).ok_or(CoverError::Group { node: g.node })?;
            if under(defined, height, first) == 0 {
                return Err(CoverError::NotCovered { index: first });
            }
        }
        let mut out = Vec::new();
        for g in &self.groups {
            let (height, first) = node_of(g.node).ok_or(CoverError::Group { node: g.node })?;
            let mask = under(defined, height, first);
            if g.values.len() != mask.count_ones() as usize {
                return Err(CoverError::Group { node: g.node });
            }
            let mut salts = Vec::with_capacity(g.values.len());
            defined_salts(&g.seed, height, first, defined, &mut salts);
            out.extend(
                salts
                    .into_iter()
                    .zip(&g.values)
                    .map(|((index, salt), value)| Disclosure {
                        index,
                        salt,
                        value: value.clone(),
                    }),
            );
        }
        Ok(out)
    }

    /// The root these disclosures and their proof lead to for a type defining `defined`;
    /// `None` when they do not fit it ([`SeededDisclosures::open`]) or the proof is too short
    /// or too long.
    pub fn root(&self, defined: u32) -> Option<Hash> {
        self.root_of(defined, &self.open(defined).ok()?)
    }

    /// [`SeededDisclosures::root`] from what [`SeededDisclosures::open`] gave.
    pub fn root_of(&self, defined: u32, opened: &[Disclosure]) -> Option<Hash> {
        let mut known = Vec::with_capacity(self.groups.len());
        let mut leaves = opened.iter().map(Disclosure::leaf_hash);
        for g in &self.groups {
            let (height, first) = node_of(g.node)?;
            let hash = subtree_hash(height, first, defined, &mut leaves)?;
            known.push((height, first >> height, hash));
        }
        let mut rest = self.proof.iter();
        let root = walk(&known, defined, |_, _| rest.next().copied())?;
        rest.next().is_none().then_some(root)
    }
}

/// Walk from the known nodes `(height, position, hash)` (ascending leaf order, no overlap) up
/// to the root: at each height, a known node whose sibling is the next known node is combined
/// with it; otherwise its sibling is the empty hash when no defined position is under it, else
/// the next hash `sibling` gives.
fn walk(
    known: &[(u32, u64, Hash)],
    defined: u32,
    sibling: impl FnMut(u32, u64) -> Option<Hash>,
) -> Option<Hash> {
    walk_with(known, defined, node_hash, sibling)
}

/// [`walk`] with `combine` in place of the node hash (a dry walk only counts).
fn walk_with(
    known: &[(u32, u64, Hash)],
    defined: u32,
    combine: impl Fn(&Hash, &Hash) -> Hash,
    mut sibling: impl FnMut(u32, u64) -> Option<Hash>,
) -> Option<Hash> {
    let empty = empty_hashes();
    let mut level: Vec<(u64, Hash)> = Vec::new();
    for height in 0..=TOP {
        level.extend(
            known
                .iter()
                .filter(|(h, _, _)| *h == height)
                .map(|(_, pos, hash)| (*pos, *hash)),
        );
        level.sort_by_key(|(pos, _)| *pos);
        if level.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        if height == TOP {
            return match level.as_slice() {
                [(0, root)] => Some(*root),
                _ => None,
            };
        }
        let mut next = Vec::with_capacity(level.len());
        let mut i = 0;
        while let Some(&(pos, h)) = level.get(i) {
            let pair = level
                .get(i + 1)
                .filter(|(j, _)| pos % 2 == 0 && *j == pos + 1);
            let parent = match pair {
                Some((_, right)) => {
                    i += 2;
                    combine(&h, right)
                }
                None => {
                    i += 1;
                    let sib = pos ^ 1;
                    let s = if under(defined, height, sib << height) == 0 {
                        *empty.get(height as usize)?
                    } else {
                        sibling(height, sib)?
                    };
                    if pos % 2 == 0 {
                        combine(&h, &s)
                    } else {
                        combine(&s, &h)
                    }
                }
            };
            next.push((pos / 2, parent));
        }
        level = next;
    }
    None
}

/// The positions a layout-2 tree defines: those whose leaf is not [`EMPTY`].
pub fn defined_of(leaves: &[Hash; LEAVES]) -> u32 {
    leaves
        .iter()
        .enumerate()
        .filter(|(_, l)| **l != EMPTY)
        .fold(0, |m, (i, _)| m | (1u32 << i))
}

/// The leaves of a layout-2 tree: for each position of `defined`, the leaf of its value in
/// `values` (index, value) or a decoy; every other position [`EMPTY`]. Also the openings
/// (index, salt, value) of the values, ascending. Values at positions outside `defined` are
/// left out.
pub fn build(
    root_seed: &Salt,
    defined: u32,
    values: &[(u64, Value)],
) -> ([Hash; LEAVES], Vec<Disclosure>) {
    let salts = leaf_salts(root_seed, TOP);
    let mut leaves = [EMPTY; LEAVES];
    let mut entries = Vec::new();
    for (index, (leaf, salt)) in leaves.iter_mut().zip(&salts).enumerate() {
        let index = index as u64;
        if !is_set(defined, index) {
            continue;
        }
        *leaf = match values.iter().find(|(i, _)| *i == index) {
            Some((_, value)) => {
                entries.push(Disclosure {
                    index,
                    salt: *salt,
                    value: value.clone(),
                });
                leaf_hash(index, salt, value)
            }
            None => decoy(salt),
        };
    }
    (leaves, entries)
}

/// The subtrees, as (height, first leaf) in ascending leaf order, that disclose the leaves
/// `wanted` (a bit mask) of a tree defining `defined`: the largest subtrees all of whose
/// defined positions are wanted (docs/format.md §14.6). Wanted bits outside `defined` are
/// ignored.
pub fn groups_for(defined: u32, wanted: u32) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    // Top-down, left to right.
    let mut stack = vec![(TOP, 0u64)];
    while let Some((height, first)) = stack.pop() {
        let d = under(defined, height, first);
        if d & wanted == 0 {
            continue;
        }
        if d & wanted == d {
            out.push((height, first));
            continue;
        }
        // Here `d` has a wanted and an unwanted bit, so the node is not a leaf.
        let half = 1u64 << (height - 1);
        // Right child pushed first so the left one is taken first.
        stack.push((height - 1, first + half));
        stack.push((height - 1, first));
    }
    out
}

/// How many proof hashes the subtrees `groups` ([`groups_for`]) need in a tree defining
/// `defined`.
pub fn proof_len(defined: u32, groups: &[(u32, u64)]) -> usize {
    let known: Vec<(u32, u64, Hash)> = groups
        .iter()
        .map(|(h, first)| (*h, first >> h, EMPTY))
        .collect();
    let mut n = 0;
    let _ = walk_with(
        &known,
        defined,
        |_, _| EMPTY,
        |_, _| {
            n += 1;
            Some(EMPTY)
        },
    );
    n
}

/// The disclosures of the leaves `wanted` (a bit mask; each must have an entry) of a layout-2
/// tree: the subtrees of [`groups_for`] with their seeds and values, and the proof.
pub fn disclose(
    root_seed: &Salt,
    leaves: &[Hash; LEAVES],
    entries: &[Disclosure],
    wanted: u32,
) -> Option<SeededDisclosures> {
    let defined = defined_of(leaves);
    if wanted == 0 || wanted & !defined != 0 {
        return None;
    }
    let all = levels(leaves);
    let mut groups = Vec::new();
    let mut known = Vec::new();
    for (height, first) in groups_for(defined, wanted) {
        let values = (first..first + (1u64 << height))
            .filter(|p| is_set(defined, *p))
            .map(|p| {
                entries
                    .iter()
                    .find(|e| e.index == p)
                    .map(|e| e.value.clone())
            })
            .collect::<Option<Vec<_>>>()?;
        groups.push(Group {
            node: node_id(height, first),
            seed: node_seed(root_seed, height, first),
            values,
        });
        let hash = *all
            .get(height as usize)?
            .get(usize::try_from(first >> height).ok()?)?;
        known.push((height, first >> height, hash));
    }
    let mut proof = Vec::new();
    walk(&known, defined, |height, pos| {
        let h = *all.get(height as usize)?.get(usize::try_from(pos).ok()?)?;
        proof.push(h);
        Some(h)
    })?;
    Some(SeededDisclosures { proof, groups })
}

#[cfg(test)]
mod tests;
