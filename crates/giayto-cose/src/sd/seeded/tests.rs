//! Unit tests of layout 2.
use super::*;
use crate::sd::{Disclosures, HolderCopy, Layout};

/// CCCD-like positions: fields 1..=13 and predicates 16..=22.
const DEFINED: u32 = 0b0111_1111_0011_1111_1111_1110;

fn values() -> Vec<(u64, Value)> {
    // Fields 6, 8 and 13 absent (decoys); every predicate.
    (1..=22u64)
        .filter(|i| is_set(DEFINED, *i) && ![6, 8, 13].contains(i))
        .map(|i| {
            let v = if i >= 16 {
                Value::Bool(i <= 18)
            } else {
                Value::Text(format!("v{i}"))
            };
            (i, v)
        })
        .collect()
}

fn copy() -> HolderCopy {
    let seed = [0x5E; 16];
    let (leaves, entries) = build(&seed, DEFINED, &values());
    HolderCopy {
        credential: vec![0xD2],
        entries,
        leaves,
        seed: Some(seed),
    }
}

fn bits_of(set: &[u64]) -> u32 {
    set.iter().fold(0, |m, i| m | 1 << i)
}

fn seeded(d: Option<Disclosures>) -> SeededDisclosures {
    match d {
        Some(Disclosures::Seeded(d)) => d,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_tree_has_empty_unused_positions_and_decoys_for_absent_fields() {
    let c = copy();
    assert_eq!(defined_of(&c.leaves), DEFINED);
    for i in [0, 14, 15, 23, 31] {
        assert_eq!(c.leaves[i], EMPTY);
    }
    let salts = leaf_salts(&[0x5E; 16], 5);
    assert_eq!(c.leaves[6], decoy(&salts[6]));
    assert_eq!(c.entries.len(), values().len());
    assert_eq!(c.layout(), Layout::Seeded);
    // The seeds of a node and of its children agree with the leaves' salts.
    assert_eq!(node_seed(&[0x5E; 16], 0, 9), salts[9]);
    assert_eq!(leaf_salts(&node_seed(&[0x5E; 16], 2, 8), 2), salts[8..12]);
    assert_eq!(node_of(node_id(3, 16)), Some((3, 16)));
    assert_eq!(node_of(160), Some((5, 0)));
    assert_eq!(node_of(161), None);
    assert_eq!(node_of(32 + 3), None);
    assert_eq!(node_of(192), None);
}

/// Every pair and every 13th subset of the real leaves (of 2^17) is proved, opens exactly what
/// was asked (no seed covers a leaf that was not), and survives the CBOR round trip.
#[test]
fn every_subset_is_proved_and_no_seed_opens_an_unasked_leaf() {
    let c = copy();
    let r = c.root();
    let real: Vec<u64> = c.entries.iter().map(|e| e.index).collect();
    let subsets = (1u32..(1 << real.len())).filter(|b| b.count_ones() <= 2 || b % 13 == 0);
    for bits in subsets {
        let set: Vec<u64> = real
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, k)| *k)
            .collect();
        let d = c.disclose(&set).unwrap();
        assert_eq!(d.root(DEFINED), Some(r), "{set:?}");
        let opened: Vec<u64> = d.open(DEFINED).unwrap().iter().map(|e| e.index).collect();
        assert_eq!(opened, set);
        // The dry count agrees with the proof.
        let Disclosures::Seeded(s) = &d else {
            unreachable!()
        };
        assert_eq!(
            proof_len(DEFINED, &groups_for(DEFINED, bits_of(&set))),
            s.proof.len()
        );
        if bits % 97 == 0 {
            assert_eq!(Disclosures::from_value(&d.to_value()), Ok(d));
        }
    }
}

#[test]
fn sizes_of_typical_sets() {
    let c = copy();
    // age_over_18 alone: a leaf seed and four hashes (the sibling of 16..=23's other half is
    // the empty subtree 24..=31).
    let d = seeded(c.disclose(&[18]));
    assert_eq!((d.groups.len(), d.proof.len()), (1, 4));
    // Leaves 2 and 3: one seed (their parent's).
    let d = seeded(c.disclose(&[2, 3]));
    assert_eq!(d.groups.len(), 1);
    assert_eq!(d.groups[0].node, node_id(1, 2));
    // Everything: 1..=5 around the empty 0 → node 0..=3 and 4..=5; 7; 9; 10..=11; 12; all
    // predicates with the empty 23..=31 in one group; hashes of the decoys 6, 8 and 13 only.
    let all: Vec<u64> = c.entries.iter().map(|e| e.index).collect();
    let d = seeded(c.disclose(&all));
    let nodes: Vec<u64> = d.groups.iter().map(|g| g.node).collect();
    assert_eq!(
        nodes,
        [
            node_id(2, 0),
            node_id(1, 4),
            7,
            9,
            node_id(1, 10),
            12,
            node_id(4, 16)
        ]
    );
    assert_eq!(d.proof.len(), 3);
}

#[test]
fn a_wrong_seed_value_or_proof_misses_the_root() {
    let c = copy();
    let r = c.root();
    let base = || seeded(c.disclose(&[2, 3, 18]));
    assert_eq!(base().root(DEFINED), Some(r));
    let mut d = base();
    d.groups[0].seed[0] ^= 1;
    assert_ne!(d.root(DEFINED), Some(r));
    let mut d = base();
    d.groups[0].values[1] = Value::Text("other".into());
    assert_ne!(d.root(DEFINED), Some(r));
    let mut d = base();
    d.proof.pop();
    assert_eq!(d.root(DEFINED), None);
    let mut d = base();
    d.proof.push(EMPTY);
    assert_eq!(d.root(DEFINED), None);
    // Another tree of the same positions (another seed).
    let (leaves, entries) = build(&[0x11; 16], DEFINED, &values());
    let other = HolderCopy {
        credential: vec![],
        entries,
        leaves,
        seed: Some([0x11; 16]),
    };
    assert_ne!(seeded(other.disclose(&[2, 3, 18])).root(DEFINED), Some(r));
    // The same disclosures read with position 24 defined: 24..=31 is no longer empty.
    assert_ne!(base().root(DEFINED | 1 << 24), Some(r));
}

#[test]
fn a_seed_must_come_with_every_value_under_it() {
    let c = copy();
    let mut d = seeded(c.disclose(&[2, 3]));
    // The holder drops full name but keeps the seed of 2..=3: that seed would open leaf 3.
    d.groups[0].values.pop();
    assert_eq!(
        d.open(DEFINED),
        Err(CoverError::Group {
            node: node_id(1, 2)
        })
    );
    assert_eq!(d.root(DEFINED), None);
    let mut d = seeded(c.disclose(&[2, 3]));
    d.groups[0].values.push(Value::Bool(true));
    assert!(matches!(d.open(DEFINED), Err(CoverError::Group { .. })));
    // A subtree of unused positions only.
    let mut d = seeded(c.disclose(&[2, 3]));
    d.groups.push(Group {
        node: node_id(1, 14),
        seed: [1; 16],
        values: vec![Value::Bool(true)],
    });
    assert_eq!(d.open(DEFINED), Err(CoverError::NotCovered { index: 14 }));
}

#[test]
fn shape_and_order_are_checked() {
    let c = copy();
    let d = seeded(c.disclose(&[2, 3, 18]));
    let Value::Array(items) = d.to_value() else {
        unreachable!()
    };
    let read = |items: Vec<Value>| Disclosures::from_value(&Value::Array(items));
    assert!(matches!(read(items.clone()), Ok(Disclosures::Seeded(_))));
    // Reordered, duplicated, overlapping (a leaf inside the group before it).
    let mut swapped = items.clone();
    swapped.swap(1, 2);
    assert_eq!(read(swapped), Err(DisclosureError::Order));
    let mut dup = items.clone();
    dup.push(items[2].clone());
    assert_eq!(read(dup), Err(DisclosureError::Order));
    let mut inside = items.clone();
    inside.insert(
        2,
        Value::Array(vec![3.into(), Value::Bytes(vec![0; 16]), 1.into()]),
    );
    assert_eq!(read(inside), Err(DisclosureError::Order));
    // Not a node, a short seed, no value, nothing disclosed, a ragged proof.
    for bad in [
        Value::Array(vec![33.into(), Value::Bytes(vec![0; 16]), 1.into()]),
        Value::Array(vec![2.into(), Value::Bytes(vec![0; 15]), 1.into()]),
        Value::Array(vec![2.into(), Value::Bytes(vec![0; 16])]),
        Value::Array(vec![(-1).into(), Value::Bytes(vec![0; 16]), 1.into()]),
    ] {
        let mut v = items.clone();
        v[1] = bad;
        assert_eq!(read(v), Err(DisclosureError::Shape));
    }
    assert_eq!(read(vec![items[0].clone()]), Err(DisclosureError::Shape));
    let mut ragged = items;
    ragged[0] = Value::Bytes(vec![0; 17]);
    assert_eq!(read(ragged), Err(DisclosureError::Shape));
}

#[test]
fn the_copy_round_trips_and_checks_its_seed() {
    let c = copy();
    assert_eq!(HolderCopy::from_bytes(&c.to_bytes()), Ok(c.clone()));
    let mut bad = c.clone();
    bad.seed = Some([0x5F; 16]);
    assert!(HolderCopy::from_bytes(&bad.to_bytes()).is_err());
    // A decoy replaced by a random-looking hash.
    let mut bad = c.clone();
    bad.leaves[6] = [9; 16];
    assert!(HolderCopy::from_bytes(&bad.to_bytes()).is_err());
    // A value at an unused position cannot be disclosed.
    assert_eq!(c.disclose(&[14]), None);
}
