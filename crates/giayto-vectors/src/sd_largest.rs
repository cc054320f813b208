//! The largest selective-disclosure presentation a holder can make of a card (docs/qr-size.md,
//! "The largest set a holder can show"; docs/decisions.md D108), and the largest portrait that
//! keeps a presentation within the size goal.

use giayto_cose::cbor;
use giayto_cose::sd::{self, HolderCopy};
use giayto_cose::text::{self, Kind};
use giayto_model::Document;

use crate::sd_size::{
    cccd_with_portrait, measure_cose, measure_sd, present_copy, typical_sd_copy, Design, SdMeasure,
    ANY_GOAL,
};

/// Every set a holder can show of a copy: any non-empty set of the card's fields with at
/// most one predicate.
pub fn holder_sets(copy: &HolderCopy) -> Vec<Vec<u64>> {
    let fields: Vec<u64> = copy
        .entries
        .iter()
        .map(|e| e.index)
        .filter(|i| *i < sd::PREDICATE_BASE)
        .collect();
    let predicates: Vec<Option<u64>> = std::iter::once(None)
        .chain(
            copy.entries
                .iter()
                .filter(|e| e.index >= sd::PREDICATE_BASE)
                .map(|e| Some(e.index)),
        )
        .collect();
    let mut out = Vec::new();
    for bits in 0u32..(1 << fields.len()) {
        for p in &predicates {
            let mut set: Vec<u64> = fields
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, k)| *k)
                .chain(*p)
                .collect();
            set.sort_unstable();
            if !set.is_empty() {
                out.push(set);
            }
        }
    }
    out
}

/// Bytes of a set's presentation that depend on the set, without building it: the CBOR of
/// the disclosed values, and the bytes no compressor shortens (salts or seeds, proof hashes).
/// Exact for the random part; the values' part leaves out the few bytes of CBOR framing.
fn cost(copy: &HolderCopy, set: &[u64]) -> (usize, usize) {
    let values: usize = set
        .iter()
        .filter_map(|i| copy.entry(*i))
        .map(|e| cbor::encode(&e.value).len())
        .sum();
    let wanted = set.iter().fold(0u32, |m, i| m | (1 << i));
    let (openers, proof) = match copy.layout() {
        sd::Layout::Salted => {
            // Layout 1 has no empty positions: every leaf its own group, every sibling a hash.
            let leaves: Vec<(u32, u64)> = set.iter().map(|i| (0, *i)).collect();
            (leaves.len(), sd::seeded::proof_len(u32::MAX, &leaves))
        }
        _ => {
            let defined = sd::seeded::defined_of(&copy.leaves);
            let groups = sd::seeded::groups_for(defined, wanted);
            (groups.len(), sd::seeded::proof_len(defined, &groups))
        }
    };
    (values, openers * (sd::SALT_LEN + 1) + proof * sd::HASH_LEN)
}

/// How many sets of each ranking [`largest`] measures.
pub const LARGEST_CANDIDATES: usize = 48;

/// The largest presentation, in characters of the wallet's text, over every set a holder can
/// show of a document's typical copy ([`holder_sets`]), with that set. Every set's cost is
/// counted (`cost`); the texts of the [`LARGEST_CANDIDATES`] largest by values and random
/// bytes together, and of as many by random bytes alone, are made and measured.
/// [`largest_exhaustive`] measures every set (an ignored test checks both agree).
pub fn largest(document: &Document, design: Design) -> (Vec<u64>, SdMeasure) {
    let copy = typical_sd_copy(document, "sd-size", design);
    let costed: Vec<(usize, usize, Vec<u64>)> = holder_sets(&copy)
        .into_iter()
        .map(|set| {
            let (values, random) = cost(&copy, &set);
            (values, random, set)
        })
        .collect();
    let mut by_total: Vec<&(usize, usize, Vec<u64>)> = costed.iter().collect();
    by_total.sort_by_key(|(v, r, _)| std::cmp::Reverse(v + r));
    let mut by_random: Vec<&(usize, usize, Vec<u64>)> = costed.iter().collect();
    by_random.sort_by_key(|(v, r, _)| std::cmp::Reverse((*r, *v)));
    let mut candidates: Vec<Vec<u64>> = by_total
        .iter()
        .take(LARGEST_CANDIDATES)
        .chain(by_random.iter().take(LARGEST_CANDIDATES))
        .map(|(_, _, set)| set.clone())
        .collect();
    candidates.sort();
    candidates.dedup();
    measure_largest(document, &copy, design, candidates)
}

/// [`largest`], measuring the text of every set.
pub fn largest_exhaustive(document: &Document, design: Design) -> (Vec<u64>, SdMeasure) {
    let copy = typical_sd_copy(document, "sd-size", design);
    let sets = holder_sets(&copy);
    measure_largest(document, &copy, design, sets)
}

fn measure_largest(
    document: &Document,
    copy: &HolderCopy,
    design: Design,
    sets: Vec<Vec<u64>>,
) -> (Vec<u64>, SdMeasure) {
    let mut best: Option<(usize, Vec<u8>, Vec<u64>)> = None;
    for set in sets {
        let cose = present_copy(copy, &set);
        let len = text::encode(Kind::Presentation, &cose, Some(&text::DICTIONARY_V1)).len();
        // The first of equal lengths (sets in ascending order) wins.
        if best.as_ref().is_none_or(|(b, _, _)| len > *b) {
            best = Some((len, cose, set));
        }
    }
    let (_, cose, set) = best.expect("a copy has a leaf");
    let m = measure_cose(document.doc_type(), design, sd::HASH_LEN, "largest", &cose);
    (set, m)
}

/// The largest portrait (bytes, at most 1,500) for which the layout-2 presentation of `set`
/// of the sample CCCD with that portrait stays within [`ANY_GOAL`] characters; `None` when
/// even a 16-byte one does not.
pub fn portrait_budget(set: &'static str) -> Option<usize> {
    let fits = |len: usize| {
        measure_sd(&cccd_with_portrait(len), Design::Seeded, sd::HASH_LEN, set).chosen <= ANY_GOAL
    };
    let (mut lo, mut hi) = (16usize, 1500usize);
    if !fits(lo) {
        return None;
    }
    if fits(hi) {
        return Some(hi);
    }
    // fits(lo) and not fits(hi): a portrait's bytes are incompressible, so the size grows
    // with it.
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}
