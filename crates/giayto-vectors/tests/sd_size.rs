//! Selective-disclosure sizes (docs/qr-size.md; docs/decisions.md D107, D108): layout 2 meets
//! the goals of issue 13 on every document type, and the largest-set search of the report
//! finds what measuring every set finds.

use giayto_model::DocType;
use giayto_vectors::sd_largest::{largest, largest_exhaustive};
use giayto_vectors::sd_size::{sd_by_type, Design, SdMeasure, AGE_GOAL, ANY_GOAL, NAME_ID_GOAL};

fn row<'a>(
    rows: &'a [(SdMeasure, SdMeasure)],
    t: DocType,
    set: &str,
) -> &'a (SdMeasure, SdMeasure) {
    rows.iter()
        .find(|(_, n)| n.doc_type == t && n.set == set)
        .unwrap_or_else(|| panic!("{t:?} {set}"))
}

#[test]
fn layout_2_meets_the_goals_and_is_never_larger_by_more_than_noise() {
    let rows = sd_by_type();
    for t in DocType::ALL {
        if t != DocType::Vehicle {
            let (old, new) = row(&rows, t, "age18");
            assert!(new.chosen <= AGE_GOAL, "{new:?}");
            assert!(new.chosen < old.chosen, "{new:?} {old:?}");
        }
        let (old, new) = row(&rows, t, "name_id");
        assert!(new.chosen <= NAME_ID_GOAL, "{new:?}");
        assert!(new.version_q.is_some_and(|v| v <= 20), "{new:?}");
        assert!(new.chosen < old.chosen, "{new:?} {old:?}");
        let (old, new) = row(&rows, t, "all");
        assert!(new.chosen <= ANY_GOAL, "{new:?}");
        assert!(new.chosen < old.chosen, "{new:?} {old:?}");
    }
    // Only the CCCD has a portrait.
    assert_eq!(
        rows.iter()
            .filter(|(_, n)| n.set == "name_portrait")
            .count(),
        1
    );
}

/// Slow in a debug build (every set of every card presented twice): run with
/// `cargo test --release -p giayto-vectors --test sd_size -- --ignored`.
#[test]
#[ignore]
fn the_largest_set_search_finds_what_measuring_every_set_finds() {
    for t in DocType::ALL {
        let doc = giayto_model::Document::from_json(t, &giayto_model::sample_input(t)).unwrap();
        for design in [Design::Merkle, Design::Seeded] {
            let (_, found) = largest(&doc, design);
            let (set, every) = largest_exhaustive(&doc, design);
            assert_eq!(found.chosen, every.chosen, "{t:?} {design:?}: {set:?}");
            if design == Design::Seeded {
                assert!(every.chosen <= ANY_GOAL, "{t:?}: {set:?} {every:?}");
            }
        }
    }
}
