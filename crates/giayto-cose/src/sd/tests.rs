//! Unit tests of `sd`.
use super::*;

fn copy() -> HolderCopy {
    let mut entries = Vec::new();
    let mut leaves = [[0u8; HASH_LEN]; LEAVES];
    for (i, leaf) in leaves.iter_mut().enumerate() {
        let i = i as u64;
        if (1..=13).contains(&i) || (16..=22).contains(&i) {
            let e = Disclosure {
                index: i,
                salt: [i as u8; SALT_LEN],
                value: Value::Text(format!("v{i}")),
            };
            *leaf = e.leaf_hash();
            entries.push(e);
        } else {
            *leaf = [0xA0 | i as u8; HASH_LEN];
        }
    }
    HolderCopy {
        credential: vec![0xD2],
        entries,
        leaves,
        seed: None,
    }
}

/// Layout 1 disclosures of a layout-1 copy.
fn salted(d: Option<Disclosures>) -> Option<SaltedDisclosures> {
    match d? {
        Disclosures::Salted(d) => Some(d),
        Disclosures::Seeded(_) => None,
    }
}

#[test]
fn every_subset_shape_proves_the_root() {
    let c = copy();
    let r = c.root();
    for set in [
        vec![18],
        vec![2, 3],
        vec![1, 13],
        (1..=13).collect::<Vec<_>>(),
        vec![3, 16, 22],
    ] {
        let d = c.disclose(&set).unwrap();
        assert_eq!(d.root(u32::MAX), Some(r), "{set:?}");
        let back = Disclosures::from_value(&d.to_value()).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.layout(), Layout::Salted);
    }
    // One leaf: one sibling per level.
    assert_eq!(salted(c.disclose(&[18])).unwrap().proof.len(), DEPTH);
    // A decoy cannot be disclosed, nor nothing.
    assert_eq!(c.disclose(&[0]), None);
    assert_eq!(c.disclose(&[]), None);
}

#[test]
fn wrong_salt_value_or_proof_changes_the_root() {
    let c = copy();
    let r = c.root();
    let two = || salted(c.disclose(&[2, 3])).unwrap();
    let mut d = two();
    d.items[0].salt[0] ^= 1;
    assert_ne!(d.root(), Some(r));
    let mut d = two();
    d.items[1].value = Value::Text("other".into());
    assert_ne!(d.root(), Some(r));
    let mut d = two();
    d.proof.pop();
    assert_eq!(d.root(), None);
    let mut d = two();
    d.proof.push([0; HASH_LEN]);
    assert_eq!(d.root(), None);
    // The leaf moved to another index.
    let mut d = salted(c.disclose(&[18])).unwrap();
    d.items[0].index = 19;
    assert_ne!(d.root(), Some(r));
}

#[test]
fn order_and_shape_are_checked() {
    let c = copy();
    let d = c.disclose(&[2, 3]).unwrap();
    let Value::Array(mut items) = d.to_value() else {
        unreachable!()
    };
    items.swap(0, 1);
    assert_eq!(
        Disclosures::from_value(&Value::Array(items.clone())),
        Err(DisclosureError::Order)
    );
    items[1] = items[0].clone();
    assert_eq!(
        Disclosures::from_value(&Value::Array(items)),
        Err(DisclosureError::Order)
    );
    assert_eq!(
        Disclosures::from_value(&Value::Array(vec![Value::Bytes(vec![])])),
        Err(DisclosureError::Shape)
    );
    let short_salt = Value::Array(vec![
        Value::Array(vec![2.into(), Value::Bytes(vec![1; 15]), 1.into()]),
        Value::Bytes(vec![]),
    ]);
    assert_eq!(
        Disclosures::from_value(&short_salt),
        Err(DisclosureError::Shape)
    );
    let past = Value::Array(vec![
        Value::Array(vec![32.into(), Value::Bytes(vec![1; 16]), 1.into()]),
        Value::Bytes(vec![]),
    ]);
    assert_eq!(Disclosures::from_value(&past), Err(DisclosureError::Shape));
    let ragged = Value::Array(vec![
        Value::Array(vec![2.into(), Value::Bytes(vec![1; 16]), 1.into()]),
        Value::Bytes(vec![0; 17]),
    ]);
    assert_eq!(
        Disclosures::from_value(&ragged),
        Err(DisclosureError::Shape)
    );
}

#[test]
fn holder_copy_round_trips_and_checks_its_leaves() {
    let c = copy();
    assert_eq!(HolderCopy::from_bytes(&c.to_bytes()), Ok(c.clone()));
    let mut bad = c.clone();
    bad.leaves[3] = [0; HASH_LEN];
    assert_eq!(
        HolderCopy::from_bytes(&bad.to_bytes()),
        Err(HolderCopyError::Invalid)
    );
}

#[test]
fn the_commitment_says_its_layout_by_the_key_of_its_root() {
    let mut c = Commitment {
        doc_type: 1,
        schema_version: 1,
        assurance_level: 2,
        root: [7; HASH_LEN],
        layout: Layout::Salted,
    };
    for layout in [Layout::Salted, Layout::Seeded] {
        c.layout = layout;
        let v = c.to_value();
        assert!(cbor::get_int(v.as_map().unwrap(), layout.root_key()).is_some());
        assert_eq!(Commitment::from_value(&v), Ok(c.clone()));
    }
    let invalid = Err(ClaimsError::Invalid {
        claim: "commitment",
    });
    let with = |extra: Vec<(Value, Value)>| {
        let mut e = vec![
            (1.into(), 1.into()),
            (2.into(), 1.into()),
            (3.into(), 2.into()),
        ];
        e.extend(extra);
        Commitment::from_value(&cbor::map(e))
    };
    let root = || Value::Bytes(vec![7; HASH_LEN]);
    // Both roots (five entries), neither, another key, a short root.
    assert_eq!(with(vec![(4.into(), root()), (5.into(), root())]), invalid);
    assert_eq!(with(vec![(6.into(), root())]), invalid);
    assert_eq!(with(vec![]), invalid);
    assert_eq!(with(vec![(5.into(), Value::Bytes(vec![7; 15]))]), invalid);
}

#[test]
fn age_leaves() {
    assert_eq!(age_leaf(18), Some(18));
    assert_eq!(age_leaf(17), None);
    assert_eq!(leaf_age(22), Some(65));
    assert_eq!(leaf_age(23), None);
    assert_eq!(leaf_age(3), None);
}

#[test]
fn the_leaf_hash_is_that_of_the_whole_cbor_array() {
    for (index, value) in [
        (3u64, Value::Text("Trần Thị Mai".into())),
        (18, Value::Bool(true)),
        (24, Value::Bytes(vec![0xFF; 300])),
        (7, Value::Array(vec![Value::Text("B".into()), 1.into()])),
    ] {
        let salt = [index as u8; SALT_LEN];
        let data = cbor::encode(&Value::Array(vec![
            Value::Bytes(salt.to_vec()),
            index.into(),
            value.clone(),
        ]));
        let mut h = Sha256::new();
        h.update([0x00]);
        h.update(&data);
        assert_eq!(leaf_hash(index, &salt, &value), truncated(h), "{index}");
    }
}
