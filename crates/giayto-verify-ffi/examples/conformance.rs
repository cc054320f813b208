//! The Rust column of the bindings' conformance table (bindings/conformance/compare.py):
//! every suite of test-vectors/ and bindings/conformance/bad-inputs.json through the
//! `giayto-verify` crate itself, one JSON line per vector on stdout.
//!
//! `cargo run --release -p giayto-verify-ffi --example conformance -- test-vectors bindings/conformance/bad-inputs.json`
//!
//! The suite rule is the same in every runner: a file with a `vectors` array is a suite; its
//! verifier comes from the file's `root_public_key` and `trust_list` (hex) when it has them,
//! else from `root.pub` and `bundle.cbor`; a vector gives `text`, `at`, and optionally
//! `policy`, `nonce` and `accept_missing_status`. A file with `answers` or `bad_requests`
//! (requests.json) is a request suite, its verifier made the same way: each answer is checked
//! against its request (suite: the file's name), each bad request read and its refusal code
//! recorded as the error (suite: the file's name + `.bad`).

use std::path::Path;

use giayto_verify::json::{check_answer_value, read_request_value, report_json, JsonContext};
use giayto_verify::{Bundle, Policy, Verifier};
use giayto_verify_ffi::core::{input_text, parse_hex, parse_root, Error};
use serde_json::{json, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, bad] = args.as_slice() else {
        return Err("usage: conformance TEST-VECTORS-DIR BAD-INPUTS.json".into());
    };
    let dir = Path::new(dir);
    let root = parse_root(&std::fs::read(dir.join("root.pub"))?)?;
    let bundle_bytes = std::fs::read(dir.join("bundle.cbor"))?;
    let bundle = Bundle::from_bytes(&bundle_bytes)?;
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let suite: Value = serde_json::from_slice(&std::fs::read(&path)?)?;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        requests(name, &suite, root, &bundle)?;
        let Some(vectors) = suite["vectors"].as_array() else {
            continue;
        };
        for v in vectors {
            let (verifier, made) = suite_verifier(&suite, root, &bundle)?;
            let policy = match v["policy"].as_str() {
                Some("checkpoint") => Policy::Checkpoint,
                _ => Policy::ThirdParty,
            };
            let nonce = v["nonce"].as_str().and_then(|n| parse_hex(n, 64));
            let verifier = verifier
                .with_policy(policy)
                .with_expected_nonce(nonce)
                .accept_missing_status(v["accept_missing_status"] == Value::Bool(true));
            let text = v["text"].as_str().unwrap_or_default().trim();
            let at = v["at"].as_i64().ok_or("at")?;
            let value = report_json(
                &verifier.check(text, at),
                &JsonContext {
                    bundle_created_at: made,
                    message: None,
                },
            );
            line(name, v["name"].as_str().unwrap_or("?"), Ok(value));
        }
    }
    let bad: Value = serde_json::from_slice(&std::fs::read(bad)?)?;
    let at = bad["at"].as_i64().ok_or("at")?;
    let verifier = Verifier::from_bundle(root, &bundle)?;
    for item in bad["inputs"].as_array().ok_or("inputs")? {
        let bytes = parse_hex(item["hex"].as_str().unwrap_or_default(), 1 << 20).ok_or("hex")?;
        let outcome = input_text(&bytes).map(|text| {
            let text = text.trim();
            report_json(
                &verifier.check(text, at),
                &JsonContext {
                    bundle_created_at: Some(bundle.created_at),
                    message: None,
                },
            )
        });
        line("bad_inputs", item["name"].as_str().unwrap_or("?"), outcome);
    }
    Ok(())
}

/// The verifier a suite names: its own root and trust list when it carries them, else the
/// vectors' bundle (with the bundle's creation time for the JSON context).
fn suite_verifier(
    suite: &Value,
    root: giayto_verify::VerifyingKey,
    bundle: &Bundle,
) -> Result<(Verifier, Option<i64>), Box<dyn std::error::Error>> {
    Ok(
        match (
            suite["root_public_key"].as_str(),
            suite["trust_list"].as_str(),
        ) {
            (Some(r), Some(t)) => {
                let r = parse_root(&parse_hex(r, 64).ok_or("root hex")?)?;
                (
                    Verifier::new(r, &parse_hex(t, 1 << 20).ok_or("trust hex")?)?,
                    None,
                )
            }
            _ => (
                Verifier::from_bundle(root, bundle)?,
                Some(bundle.created_at),
            ),
        },
    )
}

/// The request suite of a file with `answers` or `bad_requests`.
fn requests(
    name: &str,
    suite: &Value,
    root: giayto_verify::VerifyingKey,
    bundle: &Bundle,
) -> Result<(), Box<dyn std::error::Error>> {
    let (answers, bad) = (
        suite["answers"].as_array(),
        suite["bad_requests"].as_array(),
    );
    if answers.is_none() && bad.is_none() {
        return Ok(());
    }
    let (verifier, made) = suite_verifier(suite, root, bundle)?;
    let context = JsonContext {
        bundle_created_at: made,
        message: None,
    };
    for a in answers.into_iter().flatten() {
        let outcome = check_answer_value(
            &verifier,
            a["text"].as_str().unwrap_or_default().trim(),
            a["request"].as_str().unwrap_or_default().trim(),
            a["at"].as_i64().ok_or("at")?,
            &context,
        )
        .map_err(|e| Error::Request {
            code: e.code(),
            message: e.to_string(),
        });
        line(name, a["name"].as_str().unwrap_or("?"), outcome);
    }
    let bad_suite = format!("{name}.bad");
    for b in bad.into_iter().flatten() {
        let read = read_request_value(b["text"].as_str().unwrap_or_default().trim());
        let mut l = json!({"binding": "rust", "suite": bad_suite, "vector": b["name"]});
        match read.get("error") {
            Some(e) => l["error"] = e["code"].clone(),
            None => l["result"] = read["request"].clone(),
        }
        println!("{l}");
    }
    Ok(())
}

fn line(suite: &str, vector: &str, outcome: Result<Value, Error>) {
    let mut l = json!({"binding": "rust", "suite": suite, "vector": vector});
    match outcome {
        Ok(v) => l["result"] = v,
        Err(e) => l["error"] = json!(e.code()),
    }
    println!("{l}");
}
