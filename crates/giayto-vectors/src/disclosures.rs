//! Selective-disclosure vectors, `test-vectors/disclosures.json` (docs/format.md §14): `VP1:`
//! presentations of a selective-disclosure CCCD, positive and negative — first those of
//! layout 1 (the first release's, `sd_*`, unchanged), then those of layout 2 (`sd2_*`, §14.5).

use giayto_cose::ciborium::Value;
use giayto_cose::presentation::PresentationPayload;
use giayto_cose::sd::{self, Disclosures, HolderCopy, SaltedDisclosures, SeededDisclosures};
use giayto_cose::text;
use giayto_issuer::sd::{sign_sd_credential, sign_sd_credential_salted};
use giayto_model::DocType;
use serde_json::{json, Value as Json};

use crate::sd_size::{present, Stream};
use crate::{document, key, request, seeds, AT};

/// One vector.
pub struct DisclosureVector {
    /// Name.
    pub name: &'static str,
    /// What it shows.
    pub description: &'static str,
    /// The `VP1:` (or `VN1:`) text.
    pub text: String,
    /// Expected verdict.
    pub verdict: &'static str,
    /// Expected reason code, when rejected.
    pub reason: Option<&'static str>,
    /// Disclosed field names, when valid.
    pub disclosed: Vec<&'static str>,
}

impl DisclosureVector {
    /// A vector with nothing disclosed yet (set `disclosed` for a valid one).
    fn new(
        name: &'static str,
        description: &'static str,
        text: String,
        verdict: &'static str,
        reason: Option<&'static str>,
    ) -> DisclosureVector {
        DisclosureVector {
            name,
            description,
            text,
            verdict,
            reason,
            disclosed: Vec::new(),
        }
    }
}

/// A layout-1 copy, as the first release issued it.
fn copy(n: u8, seed: &str) -> HolderCopy {
    let cccd = document(DocType::Cccd);
    let mut stream = Stream::new(seed);
    sign_sd_credential_salted(
        &key(seeds::POLICE),
        "VN.BCA.C06",
        &request(&cccd, n),
        &mut |b| stream.fill(b),
    )
    .expect("a holder-bound request signs")
}

/// A layout-2 copy, as issuers make it now.
fn copy2(n: u8, seed: &str) -> HolderCopy {
    let cccd = document(DocType::Cccd);
    let mut stream = Stream::new(seed);
    sign_sd_credential(
        &key(seeds::POLICE),
        "VN.BCA.C06",
        &request(&cccd, n),
        &mut |b| stream.fill(b),
    )
    .expect("a holder-bound request signs")
}

/// The layout-1 disclosures of these leaves of a layout-1 copy.
fn salted(c: &HolderCopy, leaves: &[u64]) -> SaltedDisclosures {
    match c.disclose(leaves) {
        Some(Disclosures::Salted(d)) => d,
        _ => panic!("layout-1 copy, real leaves"),
    }
}

/// The layout-2 disclosures of these leaves of a layout-2 copy.
fn seeded(c: &HolderCopy, leaves: &[u64]) -> SeededDisclosures {
    match c.disclose(leaves) {
        Some(Disclosures::Seeded(d)) => d,
        _ => panic!("layout-2 copy, real leaves"),
    }
}

fn vp(credential: &[u8], d: Option<Disclosures>) -> String {
    let cose = present(&PresentationPayload {
        credential: credential.to_vec(),
        issued_at: AT,
        nonce: None,
        disclosures: d,
        request: None,
    });
    text::encode(text::Kind::Presentation, &cose, Some(&text::DICTIONARY_V1))
}

/// Every vector.
pub fn vectors() -> Vec<DisclosureVector> {
    let a = copy(60, "disclosures-a");
    let b = copy(61, "disclosures-b");
    let full = crate::sign_credential(
        &key(seeds::POLICE),
        "VN.BCA.C06",
        &request(&document(DocType::Cccd), 62),
    )
    .expect("signs");
    let age = sd::age_leaf(18).unwrap_or(18);
    let d = |c: &HolderCopy, leaves: &[u64]| Disclosures::Salted(salted(c, leaves));
    let v = DisclosureVector::new;
    let mut out = Vec::new();
    let mut ok = v(
        "sd_age_over_18",
        "Only age_over_18 (true) is disclosed.",
        vp(&a.credential, Some(d(&a, &[age]))),
        "valid",
        None,
    );
    ok.disclosed = vec!["age_over_18"];
    out.push(ok);
    let mut ok = v(
        "sd_full_name_and_id_number",
        "Only full_name and id_number are disclosed.",
        vp(&a.credential, Some(d(&a, &[2, 3]))),
        "valid",
        None,
    );
    ok.disclosed = vec!["id_number", "full_name"];
    out.push(ok);
    let mut wrong_salt = salted(&a, &[3]);
    wrong_salt.items[0].salt[0] ^= 0x01;
    out.push(v(
        "sd_wrong_salt",
        "full_name with one bit of its salt flipped: the leaf no longer leads to the root.",
        vp(&a.credential, Some(Disclosures::Salted(wrong_salt))),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    let mut changed = salted(&a, &[3]);
    changed.items[0].value = Value::Text("Nguyễn Văn Khác".into());
    out.push(v(
        "sd_value_changed",
        "full_name replaced by another name with the original salt and proof.",
        vp(&a.credential, Some(Disclosures::Salted(changed))),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    let mut not_covered = salted(&a, &[3]);
    not_covered.items.push(giayto_cose::sd::Disclosure {
        index: 14,
        salt: [7; sd::SALT_LEN],
        value: Value::Text("x".into()),
    });
    out.push(v(
        "sd_not_covered",
        "A disclosure at leaf 14, which the CCCD does not define.",
        vp(&a.credential, Some(Disclosures::Salted(not_covered))),
        "malformed",
        Some("disclosure_not_covered"),
    ));
    let mut duplicated = salted(&a, &[3]);
    duplicated.items.push(duplicated.items[0].clone());
    out.push(v(
        "sd_duplicated",
        "full_name disclosed twice.",
        vp(&a.credential, Some(Disclosures::Salted(duplicated))),
        "malformed",
        Some("disclosure_order"),
    ));
    let mut reordered = salted(&a, &[2, 3]);
    reordered.items.swap(0, 1);
    out.push(v(
        "sd_reordered",
        "full_name before id_number: disclosures must be in ascending leaf order.",
        vp(&a.credential, Some(Disclosures::Salted(reordered))),
        "malformed",
        Some("disclosure_order"),
    ));
    out.push(v(
        "sd_proof_from_another_credential",
        "The disclosure and proof of full_name from another credential of the same person.",
        vp(&a.credential, Some(d(&b, &[3]))),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    out.push(v(
        "sd_full_credential_with_disclosures",
        "Disclosures attached to a full credential (it has no commitment).",
        vp(&full, Some(d(&a, &[3]))),
        "malformed",
        Some("bad_claims"),
    ));
    out.push(v(
        "sd_credential_without_disclosures",
        "A selective-disclosure credential presented without disclosures.",
        vp(&a.credential, None),
        "malformed",
        Some("bad_claims"),
    ));
    out.push(v(
        "sd_credential_static",
        "A selective-disclosure credential shown as a static VN1: code.",
        text::encode(text::Kind::Credential, &a.credential, None),
        "malformed",
        Some("bad_claims"),
    ));
    out.extend(layout_2(&a));
    out
}

/// The layout-2 vectors (docs/format.md §14.5–14.6); `a` is a layout-1 copy of the same
/// person, for the vectors that mix layouts.
fn layout_2(a: &HolderCopy) -> Vec<DisclosureVector> {
    let c = copy2(63, "disclosures-c");
    let other = copy2(64, "disclosures-d");
    let age = sd::age_leaf(18).unwrap_or(18);
    let all: Vec<u64> = c.entries.iter().map(|e| e.index).collect();
    let s = |d: SeededDisclosures| Some(Disclosures::Seeded(d));
    let v = DisclosureVector::new;
    let mut out = Vec::new();
    let mut ok = v(
        "sd2_age_over_18",
        "Layout 2: only age_over_18 (true), its leaf seed and four proof hashes.",
        vp(&c.credential, s(seeded(&c, &[age]))),
        "valid",
        None,
    );
    ok.disclosed = vec!["age_over_18"];
    out.push(ok);
    let mut ok = v(
        "sd2_full_name_and_id_number",
        "Layout 2: id_number and full_name (leaves 2 and 3) opened by the one seed of their parent.",
        vp(&c.credential, s(seeded(&c, &[2, 3]))),
        "valid",
        None,
    );
    ok.disclosed = vec!["id_number", "full_name"];
    out.push(ok);
    let mut ok = v(
        "sd2_scattered_fields",
        "Layout 2: card_generation, sex, place_of_residence, old_id_number and age_over_21: a seed per field, hashes for the withheld ones between them.",
        vp(&c.credential, s(seeded(&c, &[1, 5, 9, 12, 19]))),
        "valid",
        None,
    );
    ok.disclosed = vec![
        "card_generation",
        "sex",
        "place_of_residence",
        "old_id_number",
        "age_over_21",
    ];
    out.push(ok);
    let mut ok = v(
        "sd2_every_field_and_predicate",
        "Layout 2: every field of the card and every predicate; seven seeds, hashes only for the three absent fields.",
        vp(&c.credential, s(seeded(&c, &all))),
        "valid",
        None,
    );
    ok.disclosed = vec![
        "card_generation",
        "id_number",
        "full_name",
        "date_of_birth",
        "sex",
        "place_of_origin",
        "place_of_residence",
        "expiry_date",
        "issue_date",
        "old_id_number",
        "age_over_14",
        "age_over_16",
        "age_over_18",
        "age_over_21",
        "age_over_25",
        "age_over_60",
        "age_over_65",
    ];
    out.push(ok);
    let mut wrong_seed = seeded(&c, &[2, 3]);
    wrong_seed.groups[0].seed[0] ^= 0x01;
    out.push(v(
        "sd2_wrong_seed",
        "Layout 2: the seed of id_number and full_name with one bit flipped: both salts change and the root is missed.",
        vp(&c.credential, s(wrong_seed)),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    let mut changed = seeded(&c, &[2, 3]);
    changed.groups[0].values[1] = Value::Text("Nguyễn Văn Khác".into());
    out.push(v(
        "sd2_value_changed",
        "Layout 2: full_name replaced by another name under the original seed and proof.",
        vp(&c.credential, s(changed)),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    let mut open_more = seeded(&c, &[2, 3]);
    open_more.groups[0].values.pop();
    out.push(v(
        "sd2_seed_covers_undisclosed_leaf",
        "Layout 2: the seed of leaves 2-3 with only id_number's value: the seed would open full_name without showing it.",
        vp(&c.credential, s(open_more)),
        "malformed",
        Some("disclosure_group"),
    ));
    let mut absent = seeded(&c, &[7]);
    // Leaves 6-7: nationality (absent on this card, a decoy) and place_of_origin.
    absent.groups[0] = giayto_cose::sd::Group {
        node: sd::seeded::node_id(1, 6),
        seed: sd::seeded::node_seed(c.seed.as_ref().expect("layout 2"), 1, 6),
        values: vec![
            Value::Text("KOR".into()),
            c.entry(7).expect("place_of_origin").value.clone(),
        ],
    };
    absent.proof.remove(0);
    out.push(v(
        "sd2_absent_field_claimed",
        "Layout 2: the holder's own seed of leaves 6-7 with a made-up nationality for the decoy at 6: no value hashes to a decoy.",
        vp(&c.credential, s(absent)),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    let mut not_covered = seeded(&c, &[3]);
    not_covered.groups.push(giayto_cose::sd::Group {
        node: 14,
        seed: [7; sd::SALT_LEN],
        values: vec![Value::Text("x".into())],
    });
    out.push(v(
        "sd2_not_covered",
        "Layout 2: a seed and value at leaf 14, which the CCCD does not define.",
        vp(&c.credential, s(not_covered)),
        "malformed",
        Some("disclosure_not_covered"),
    ));
    let mut duplicated = seeded(&c, &[3, age]);
    duplicated.groups.push(duplicated.groups[1].clone());
    out.push(v(
        "sd2_duplicated",
        "Layout 2: the group of age_over_18 given twice.",
        vp(&c.credential, s(duplicated)),
        "malformed",
        Some("disclosure_order"),
    ));
    let mut reordered = seeded(&c, &[3, age]);
    reordered.groups.swap(0, 1);
    out.push(v(
        "sd2_reordered",
        "Layout 2: age_over_18's group before full_name's: groups must be in ascending leaf order.",
        vp(&c.credential, s(reordered)),
        "malformed",
        Some("disclosure_order"),
    ));
    let mut overlapping = seeded(&c, &[2, 3]);
    overlapping.groups.push(giayto_cose::sd::Group {
        node: 3,
        seed: c.entry(3).expect("full_name").salt,
        values: vec![c.entry(3).expect("full_name").value.clone()],
    });
    out.push(v(
        "sd2_overlapping",
        "Layout 2: full_name opened by the seed of leaves 2-3 and again by its own leaf seed.",
        vp(&c.credential, s(overlapping)),
        "malformed",
        Some("disclosure_order"),
    ));
    out.push(v(
        "sd2_proof_from_another_credential",
        "Layout 2: the seed and proof of id_number and full_name from another credential of the same person.",
        vp(&c.credential, s(seeded(&other, &[2, 3]))),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    out.push(v(
        "sd2_layout_1_disclosures",
        "Layout-1 disclosures (a salt per leaf) on a layout-2 credential.",
        vp(&c.credential, Some(Disclosures::Salted(salted(a, &[2, 3])))),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    out.push(v(
        "sd2_layout_2_disclosures_on_layout_1",
        "Layout-2 disclosures (a seed per subtree) on a layout-1 credential.",
        vp(&a.credential, s(seeded(&c, &[2, 3]))),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    out.push(v(
        "sd2_credential_without_disclosures",
        "A layout-2 selective-disclosure credential presented without disclosures.",
        vp(&c.credential, None),
        "malformed",
        Some("bad_claims"),
    ));
    out.push(v(
        "sd2_credential_static",
        "A layout-2 selective-disclosure credential shown as a static VN1: code.",
        text::encode(text::Kind::Credential, &c.credential, None),
        "malformed",
        Some("bad_claims"),
    ));
    out
}

/// `test-vectors/disclosures.json`.
pub fn file(root_public_key: &[u8], trust: &[u8]) -> Json {
    json!({
        "description": "giayto selective-disclosure vectors (docs/format.md §14). Verify each `text` at time `at` (seconds), third-party policy, default window, against root.pub and trust.cwt: the verdict must be `verdict`, the reason `reason`; a valid one discloses exactly the fields `disclosed`.",
        "root_public_key": hex::encode(root_public_key),
        "trust_list": hex::encode(trust),
        "vectors": vectors().into_iter().map(|v| {
            let mut j = json!({
                "name": v.name,
                "description": v.description,
                "text": v.text,
                "at": AT,
                "verdict": v.verdict,
            });
            if let Some(r) = v.reason {
                j["reason"] = json!(r);
            }
            if !v.disclosed.is_empty() {
                j["disclosed"] = json!(v.disclosed);
            }
            j
        }).collect::<Vec<_>>(),
    })
}
