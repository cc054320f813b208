//! Every verifier-request vector (test-vectors/requests.json) through giayto-verify: each answer
//! gets its verdict and reason from `Verifier::check_answer` against its request, a valid one
//! shows exactly the disclosed fields, and each malformed request is refused with its code.

use std::path::PathBuf;

use ed25519_dalek::VerifyingKey;
use giayto_verify::{Request, Verifier};
use serde_json::Value;

fn load() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/requests.json");
    serde_json::from_slice(&std::fs::read(path).expect("requests.json")).expect("JSON")
}

fn verifier(file: &Value) -> Verifier {
    let root: [u8; 32] = hex::decode(file["root_public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let trust = hex::decode(file["trust_list"].as_str().unwrap()).unwrap();
    Verifier::new(VerifyingKey::from_bytes(&root).unwrap(), &trust).unwrap()
}

#[test]
fn every_answer_gets_its_verdict_against_its_request() {
    let file = load();
    let verifier = verifier(&file);
    let answers = file["answers"].as_array().unwrap();
    assert!(answers.len() >= 12);
    let mut verdicts = std::collections::BTreeSet::new();
    for v in answers {
        let name = v["name"].as_str().unwrap();
        let request = Request::from_text(v["request"].as_str().unwrap()).unwrap();
        let text = v["text"].as_str().unwrap();
        let at = v["at"].as_i64().unwrap();
        let report = verifier.check_answer(text, &request, at).unwrap();
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
        verdicts.insert(report.verdict().as_str());
        let j = giayto_verify::json::report_json(&report, &Default::default());
        if report.is_valid() {
            let d = report.credential().unwrap().disclosed.unwrap();
            let names: Vec<&str> = d.fields.iter().map(|f| f.name.as_str()).collect();
            let mut want: Vec<&str> = v["disclosed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap())
                .collect();
            // The JSON contract lists fields by name; leaf order is card order.
            let mut sorted = names.clone();
            sorted.sort_unstable();
            want.sort_unstable();
            assert_eq!(sorted, want, "{name}");
            assert_eq!(j["nonce"], hex::encode(&request.nonce), "{name}");
            assert_eq!(j["withheld"], 20 - names.len(), "{name}");
        }
        // A valid answer that is not what was asked still shows what it disclosed.
        if report.verdict().as_str() == "incomplete_answer" {
            assert_eq!(j["disclosed"], true, "{name}");
            assert!(j["fields"].as_object().is_some(), "{name}");
            assert!(j["reason_args"].is_object(), "{name}");
        }
        // Without its request the same text is checked as any code: an answer is a presentation
        // like another, never refused for carrying a request hash.
        let plain = verifier.check(text, at);
        if name == "answer_valid" {
            assert!(plain.is_valid(), "{name}");
        }
    }
    for want in [
        "valid",
        "wrong_request",
        "request_expired",
        "incomplete_answer",
        "not_a_credential",
        "stale_presentation",
    ] {
        assert!(verdicts.contains(want), "no answer vector for {want}");
    }
    // The missing fields are named.
    let incomplete = answers
        .iter()
        .find(|v| v["name"] == "answer_incomplete")
        .unwrap();
    let report = verifier
        .check_answer(
            incomplete["text"].as_str().unwrap(),
            &Request::from_text(incomplete["request"].as_str().unwrap()).unwrap(),
            incomplete["at"].as_i64().unwrap(),
        )
        .unwrap();
    let j = giayto_verify::json::report_json(&report, &Default::default());
    assert_eq!(j["reason_args"]["fields"], "full_name");
    assert_eq!(j["fields"], serde_json::json!({"age_over_18": true}));
}

#[test]
fn every_bad_request_is_refused_with_its_code() {
    let file = load();
    let bad = file["bad_requests"].as_array().unwrap();
    assert!(bad.len() >= 10);
    for b in bad {
        let name = b["name"].as_str().unwrap();
        let e = Request::from_text(b["text"].as_str().unwrap()).unwrap_err();
        assert_eq!(e.code(), b["error"].as_str().unwrap(), "{name}: {e}");
    }
}

#[test]
fn a_request_built_out_of_bounds_is_an_error_not_a_verdict() {
    let file = load();
    let verifier = verifier(&file);
    let answer = &file["answers"][0];
    let mut request = Request::from_text(answer["request"].as_str().unwrap()).unwrap();
    request.nonce.truncate(4);
    assert!(verifier
        .check_answer(answer["text"].as_str().unwrap(), &request, 0)
        .is_err());
}
