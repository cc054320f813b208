//! Selective-disclosure vectors, `test-vectors/disclosures.json` (docs/format.md §14): `VP1:`
//! presentations of a selective-disclosure CCCD, positive and negative.

use giayto_cose::ciborium::Value;
use giayto_cose::presentation::PresentationPayload;
use giayto_cose::sd::{self, Disclosures, HolderCopy};
use giayto_cose::text;
use giayto_issuer::sd::sign_sd_credential;
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

fn copy(n: u8, seed: &str) -> HolderCopy {
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
    let d = |c: &HolderCopy, leaves: &[u64]| c.disclose(leaves).expect("real leaves");
    let v = |name, description, text, verdict, reason: Option<&'static str>| DisclosureVector {
        name,
        description,
        text,
        verdict,
        reason,
        disclosed: Vec::new(),
    };
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
    let mut wrong_salt = d(&a, &[3]);
    wrong_salt.items[0].salt[0] ^= 0x01;
    out.push(v(
        "sd_wrong_salt",
        "full_name with one bit of its salt flipped: the leaf no longer leads to the root.",
        vp(&a.credential, Some(wrong_salt)),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    let mut changed = d(&a, &[3]);
    changed.items[0].value = Value::Text("Nguyễn Văn Khác".into());
    out.push(v(
        "sd_value_changed",
        "full_name replaced by another name with the original salt and proof.",
        vp(&a.credential, Some(changed)),
        "malformed",
        Some("disclosure_mismatch"),
    ));
    let mut not_covered = d(&a, &[3]);
    not_covered.items.push(giayto_cose::sd::Disclosure {
        index: 14,
        salt: [7; sd::SALT_LEN],
        value: Value::Text("x".into()),
    });
    out.push(v(
        "sd_not_covered",
        "A disclosure at leaf 14, which the CCCD does not define.",
        vp(&a.credential, Some(not_covered)),
        "malformed",
        Some("disclosure_not_covered"),
    ));
    let mut duplicated = d(&a, &[3]);
    duplicated.items.push(duplicated.items[0].clone());
    out.push(v(
        "sd_duplicated",
        "full_name disclosed twice.",
        vp(&a.credential, Some(duplicated)),
        "malformed",
        Some("disclosure_order"),
    ));
    let mut reordered = d(&a, &[2, 3]);
    reordered.items.swap(0, 1);
    out.push(v(
        "sd_reordered",
        "full_name before id_number: disclosures must be in ascending leaf order.",
        vp(&a.credential, Some(reordered)),
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
