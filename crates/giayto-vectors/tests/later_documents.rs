//! What came after the first release (test-vectors/later-documents.json): this verifier gives
//! each vector its `verdict`, and a verifier that follows the first release's rule for
//! document types and schemas (docs/format.md §3.7, §7.2 checks 19–20) gives its
//! `previous_release_verdict` — `unsupported_document` for a new type or schema, never
//! `malformed` and never `valid`.

use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;
use giayto_cose::text;
use giayto_verify::{Report, Verdict, Verifier};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors")
        .join(name);
    serde_json::from_slice(&std::fs::read(&path).expect("vector file")).expect("valid JSON")
}

fn verifier(file: &Value) -> Verifier {
    let root: [u8; 32] = hex::decode(file["root_public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let trust = hex::decode(file["trust_list"].as_str().unwrap()).unwrap();
    Verifier::new(VerifyingKey::from_bytes(&root).unwrap(), &trust).unwrap()
}

/// The document types and the schema version a verifier of the first release knows.
const PREVIOUS_TYPES: std::ops::RangeInclusive<u64> = 1..=4;
const PREVIOUS_SCHEMA: u64 = 1;

/// The verdict of a verifier of the first release, from this verifier's report. Checks 1–18
/// (text, dictionary v1, CBOR, COSE, signature, claims, issuer, key validity, doc type in the
/// trust list) are the same in both; the first release then answers `unsupported_document`
/// for a doc type outside 1–4 or a schema other than 1 (checks 19–20), before it reads the
/// fields. Every other verdict — and every field rule of types 1–4 at schema 1 — is the same.
fn previous_release(report: &Report) -> Verdict {
    if let Some(c) = report.credential() {
        let passed_issuer_checks = report.verdict() != Verdict::IssuerNotAuthorized;
        let d = &c.claims.document;
        if passed_issuer_checks
            && (!PREVIOUS_TYPES.contains(&d.doc_type) || d.schema_version != PREVIOUS_SCHEMA)
        {
            return Verdict::UnsupportedDocument;
        }
    }
    report.verdict()
}

#[test]
fn later_documents_get_both_verdicts() {
    let file = load("later-documents.json");
    let verifier = verifier(&file);
    let vectors = file["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 8);
    let mut previous_seen = std::collections::BTreeSet::new();
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let text = v["text"].as_str().unwrap();
        // An earlier verifier inflates every text: dictionary v1 is built in, no other.
        assert!(text::decode(text, &[]).is_ok(), "{name}: not decodable");
        let report = verifier.check(text, v["at"].as_i64().unwrap());
        let want = Verdict::from_name(v["verdict"].as_str().unwrap()).unwrap();
        assert_eq!(report.verdict(), want, "{name}: {:?}", report.reason());
        let previous = Verdict::from_name(v["previous_release_verdict"].as_str().unwrap()).unwrap();
        assert_eq!(previous_release(&report), previous, "{name}");
        previous_seen.insert(previous.as_str());
        if let Ok(c) = report.result() {
            let doc = c.document().unwrap();
            assert_eq!(Some(doc.to_json()), Some(v["fields"].clone()), "{name}");
            assert_eq!(doc.doc_type().as_str(), v["doc_type"].as_str().unwrap());
            // The schema written is the lowest that holds the document, except where the
            // vector says otherwise.
            if name != "vehicle_person_as_schema_2" {
                assert_eq!(
                    c.claims().document.schema_version,
                    doc.schema_version(),
                    "{name}"
                );
            }
        }
        // A new type or schema is never valid and never malformed to an earlier verifier.
        let claims = report.credential().map(|c| c.claims.document.clone());
        if let Some(d) = claims {
            let new = d.doc_type == 5 || d.schema_version > 1;
            if new && d.schema_version <= 2 {
                assert_eq!(previous, Verdict::UnsupportedDocument, "{name}");
            }
        }
    }
    assert!(previous_seen.contains("unsupported_document"));
    assert!(previous_seen.contains("valid"));
}

#[test]
fn the_new_vectors_of_the_first_trust_list() {
    let file = load("credentials.json");
    let verifier = verifier(&file);
    let by_name = |n: &str| {
        file["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == n)
            .unwrap_or_else(|| panic!("no vector {n}"))
            .clone()
    };
    // The 2024 card is valid for every release (type 1, schema 1).
    let v = by_name("valid_cccd_2024");
    let report = verifier.check(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
    assert_eq!(report.verdict(), Verdict::Valid);
    assert_eq!(previous_release(&report), Verdict::Valid);
    let fields = &v["fields"];
    assert_eq!(fields["card_generation"], "can_cuoc_2024");
    assert!(fields.get("place_of_birth_registration").is_some());
    assert!(fields.get("place_of_origin").is_none());
    assert!(fields.get("old_id_number").is_none());
    // A book under a trust list that does not authorise doc_type 5 for VN.BHXH: refused at
    // check 18 by every release, before the doc type is looked at.
    let v = by_name("bhxh_not_in_trust_list");
    let report = verifier.check(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
    assert_eq!(report.verdict(), Verdict::IssuerNotAuthorized);
    assert_eq!(previous_release(&report), Verdict::IssuerNotAuthorized);
    assert_eq!(
        report.reason().map(|r| r.code().into_owned()).as_deref(),
        Some("doc_type_not_allowed")
    );
}

#[test]
fn the_rule_of_the_first_release_is_the_one_for_unknown_types_today() {
    // This verifier follows the same rule for a type it does not know (doc_type 9 in the
    // first trust list): the simulation above is that rule, applied to types 5 and schema 2.
    let file = load("credentials.json");
    let verifier = verifier(&file);
    for name in ["unknown_doc_type", "newer_schema"] {
        let v = file["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap();
        let report = verifier.check(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
        assert_eq!(report.verdict(), Verdict::UnsupportedDocument, "{name}");
        assert_eq!(
            previous_release(&report),
            Verdict::UnsupportedDocument,
            "{name}"
        );
    }
}

#[test]
fn a_book_and_a_company_car_disclose_their_new_fields() {
    use giayto_cose::presentation::PresentationPayload;
    use giayto_model::{DocType, Document};
    use giayto_vectors::{later, sd_size, seeds, AT};
    let root = ed25519_dalek::SigningKey::from_bytes(&seeds::ROOT);
    let trust = later::trust_list_2().sign(&root).unwrap();
    let verifier = Verifier::new(root.verifying_key(), &trust)
        .unwrap()
        .accept_missing_status(true);
    let book =
        Document::from_json(DocType::Bhxh, &giayto_model::sample_input(DocType::Bhxh)).unwrap();
    let car = Document::from_json(
        DocType::Vehicle,
        &giayto_model::sample_organisation_vehicle(),
    )
    .unwrap();
    let age_18 = giayto_cose::sd::age_leaf(18).unwrap();
    for (doc, indices, want) in [
        (
            &book,
            vec![10, 11, 12, age_18],
            vec![
                ("months_paid", "88"),
                ("participation_status", "contributing"),
                ("summary_date", "31/12/2025"),
                ("age_over_18", "true"),
            ],
        ),
        (
            &car,
            vec![3, 4],
            vec![
                ("owner_name", "Công ty TNHH Vận tải Mẫu"),
                ("owner_enterprise_code", "0123456787"),
            ],
        ),
    ] {
        let copy = sd_size::typical_sd_copy(doc, "later-documents");
        let payload = PresentationPayload {
            credential: copy.credential.clone(),
            issued_at: AT,
            nonce: None,
            request: None,
            disclosures: Some(copy.disclose(&indices).unwrap()),
        };
        let text = text::encode(text::Kind::Presentation, &sd_size::present(&payload), None);
        let report = verifier.check(&text, AT);
        assert_eq!(report.verdict(), Verdict::Valid, "{:?}", report.reason());
        let disclosed = report.verified().and_then(|c| c.disclosed()).unwrap();
        let got: Vec<(&str, &str)> = disclosed
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.display[0].as_str()))
            .collect();
        assert_eq!(got, want);
    }
}
