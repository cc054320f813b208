//! Every selective-disclosure vector (test-vectors/disclosures.json) gets its verdict and
//! reason from giayto-verify, and a valid one shows exactly the disclosed fields.

use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;
use giayto_verify::Verifier;
use serde_json::Value;

fn load() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/disclosures.json");
    serde_json::from_slice(&std::fs::read(path).expect("disclosures.json")).expect("JSON")
}

#[test]
fn every_disclosure_vector_gets_its_verdict_reason_and_fields() {
    let file = load();
    let root: [u8; 32] = hex::decode(file["root_public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let trust = hex::decode(file["trust_list"].as_str().unwrap()).unwrap();
    let verifier = Verifier::new(VerifyingKey::from_bytes(&root).unwrap(), &trust).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 10);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        let report = verifier.check(v["text"].as_str().unwrap(), v["at"].as_i64().unwrap());
        assert_eq!(
            report.verdict().as_str(),
            v["verdict"].as_str().unwrap(),
            "{name}: {:?}",
            report.reason()
        );
        assert_eq!(
            report.reason().map(|r| r.code().into_owned()),
            v["reason"].as_str().map(str::to_owned),
            "{name}"
        );
        if report.is_valid() {
            let c = report.credential().unwrap();
            assert!(c.document.is_none(), "{name}: no whole document");
            let d = c.disclosed.unwrap();
            let names: Vec<&str> = d.fields.iter().map(|f| f.name.as_str()).collect();
            let want: Vec<&str> = v["disclosed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
                .collect();
            assert_eq!(names, want, "{name}");
            // A CCCD defines 13 fields and 7 predicates.
            assert_eq!(d.withheld, 20 - names.len(), "{name}");
            // The JSON contract carries only the disclosed fields.
            let j = giayto_verify::json::report_json(&report, &Default::default());
            assert_eq!(j["disclosed"], true);
            assert_eq!(j["withheld"], 20 - names.len());
            let fields = j["fields"].as_object().unwrap();
            let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            let mut keys_sorted = keys.clone();
            keys_sorted.sort_unstable();
            assert_eq!(keys_sorted, sorted, "{name}");
            if !names.contains(&"date_of_birth") {
                assert!(fields.get("date_of_birth").is_none(), "{name}");
            }
        } else if let Some(c) = report.credential() {
            assert!(c.disclosed.is_none() && c.document.is_none(), "{name}");
        }
    }
    let age = vectors
        .iter()
        .find(|v| v["name"] == "sd_age_over_18")
        .unwrap();
    let report = verifier.check(age["text"].as_str().unwrap(), age["at"].as_i64().unwrap());
    let j = giayto_verify::json::report_json(&report, &Default::default());
    assert_eq!(j["fields"], serde_json::json!({"age_over_18": true}));
    assert!(age["text"].as_str().unwrap().len() <= 620);
    // Layout 2 meets the goal of issue 13 (docs/qr-size.md: at most 600 characters).
    let age2 = vectors
        .iter()
        .find(|v| v["name"] == "sd2_age_over_18")
        .unwrap();
    assert!(age2["text"].as_str().unwrap().len() <= 600);
    // Every layout-1 vector comes before the layout-2 ones and keeps its name.
    let names: Vec<&str> = vectors
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    let first2 = names.iter().position(|n| n.starts_with("sd2_")).unwrap();
    assert!(names[..first2].iter().all(|n| n.starts_with("sd_")));
    assert!(names[first2..].iter().all(|n| n.starts_with("sd2_")));
}
