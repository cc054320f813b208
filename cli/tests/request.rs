//! Verifier requests from the command line (docs/format.md §15): `giayto request`, `wallet
//! present --request` with consent, `verify --request`, and every vector of
//! test-vectors/requests.json through the CLI.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::io::Write;
use std::process::{Output, Stdio};

use common::{fails, json, ok, ok_json, sample, stderr, wallet_command, World};

struct Setup {
    w: World,
}

impl std::ops::Deref for Setup {
    type Target = World;
    fn deref(&self) -> &World {
        &self.w
    }
}

impl Setup {
    fn wallet_bytes(&self) -> Vec<u8> {
        std::fs::read(self.path().join("wallet.giayto")).unwrap()
    }
    fn exists(&self, name: &str) -> bool {
        self.path().join(name).exists()
    }
    /// `giayto --json request …` with `extra`; the JSON.
    fn request(&self, extra: &[&str]) -> serde_json::Value {
        let args = [
            &[
                "--json",
                "request",
                "--purpose",
                "Đăng ký lưu trú",
                "--verifier-name",
                "Khách sạn Hoa Sen",
            ][..],
            extra,
        ]
        .concat();
        ok_json(&self.run(&args))
    }
    fn answer(&self, extra: &[&str]) -> Output {
        let args = [&["--json", "wallet", "present", "--passcode"][..], extra].concat();
        self.run(&args)
    }
    /// `answer` with `input` on stdin and the consent test knob.
    fn answer_typed(&self, extra: &[&str], input: &str) -> Output {
        let args = [&["wallet", "present", "--passcode"][..], extra].concat();
        let mut c = self.command_with(&args, &[("GIAYTO_TEST_CONSENT_STDIN", "1")]);
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
    fn verify(&self, extra: &[&str], text: &str) -> (Option<i32>, serde_json::Value) {
        let out = self.run_verify(
            &["--json"],
            &[&["--trust", "trust.cwt", "--status", "status"][..], extra].concat(),
            text,
        );
        (out.status.code(), json(&out))
    }
}

/// A wallet holding a CCCD with its selective-disclosure copy, status lists published.
fn setup() -> Setup {
    let s = Setup {
        w: World::empty(wallet_command).set_up("Cục C06", &[]),
    };
    ok(&s.run(&["wallet", "init", "--name", "Nguyễn Văn An"]));
    ok(&s.run(&["wallet", "pubkey", "--out", "holder.pub"]));
    let data = s.write_json("cccd.json", &sample("cccd"));
    ok(&s.run(&[
        "issue",
        "--dir",
        "iss",
        "--type",
        "cccd",
        "--data",
        &data,
        "--holder-pub",
        "holder.pub",
        "--out",
        "cccd.txt",
        "--sd-out",
        "cccd.sd",
    ]));
    s.publish("status");
    ok(&s.run(&[
        "wallet",
        "add",
        "--root",
        "root/root.pub",
        "--trust",
        "trust.cwt",
        "--status",
        "status",
        "@cccd.txt",
        "--sd",
        "cccd.sd",
    ]));
    s
}

fn names(v: &serde_json::Value) -> Vec<String> {
    let mut n: Vec<String> = v["fields"].as_object().unwrap().keys().cloned().collect();
    n.sort();
    n
}

#[test]
fn request_answer_and_verify_share_only_what_was_asked_and_confirmed() {
    let s = setup();
    let r = s.request(&[
        "--fields",
        "full_name,age_over_18",
        "--optional",
        "id_number",
        "--doc",
        "cccd",
        "--out",
        "req.txt",
        "--out",
        "req.png",
    ]);
    let text = r["text"].as_str().unwrap();
    assert!(text.starts_with("VR1:"));
    assert_eq!(
        r["required"],
        serde_json::json!(["full_name", "age_over_18"])
    );
    assert_eq!(r["nonce"].as_str().unwrap().len(), 32);
    assert_eq!(
        std::fs::read_to_string(s.path().join("req.txt")).unwrap(),
        format!("{text}\n")
    );
    // The verifier keeps either file; the PNG holds the same request.
    assert!(std::fs::read(s.path().join("req.png"))
        .unwrap()
        .starts_with(b"\x89PNG"));

    // Required only (no --share-optional): full name and the age, nothing else.
    let a = ok_json(&s.answer(&["--request", "req.png", "--yes", "--out", "ans.txt"]));
    let shared: Vec<&str> = a["disclosed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(shared, ["full_name", "age_over_18"]);
    assert_eq!(a["nonce"], r["nonce"]);
    assert_eq!(a["request"]["verifier"], "Khách sạn Hoa Sen");
    let (code, v) = s.verify(&["--request", "@req.txt"], "@ans.txt");
    assert_eq!(
        (code, v["verdict"].as_str()),
        (Some(0), Some("valid")),
        "{v}"
    );
    assert_eq!(names(&v), ["age_over_18", "full_name"]);
    assert_eq!(v["withheld"], 18);
    assert_eq!(v["nonce"], r["nonce"]);
    // Without the request the same answer is a presentation like any other.
    let (code, _) = s.verify(&[], "@ans.txt");
    assert_eq!(code, Some(0));

    // With the optional item.
    let a = ok_json(&s.answer(&[
        "--request",
        "@req.txt",
        "--yes",
        "--share-optional",
        "--out",
        "ans2.txt",
    ]));
    assert_eq!(a["disclosed"].as_array().unwrap().len(), 3);
    let (_, v) = s.verify(&["--request", "req.txt"], "@ans2.txt");
    assert_eq!(names(&v), ["age_over_18", "full_name", "id_number"]);

    // Against another request (another verifier's nonce): its own verdict, exit 1.
    s.request(&["--fields", "full_name,age_over_18", "--out", "other.txt"]);
    let (code, v) = s.verify(&["--request", "@other.txt"], "@ans.txt");
    assert_eq!(
        (code, v["verdict"].as_str(), v["reason"].as_str()),
        (Some(1), Some("wrong_request"), Some("request_mismatch")),
        "{v}"
    );
    // The static card is no answer.
    let (code, v) = s.verify(&["--request", "@req.txt"], "@cccd.txt");
    assert_eq!(
        (code, v["reason"].as_str()),
        (Some(1), Some("request_missing"))
    );
    // Human output says which request it was checked against.
    let out = s.run_verify(
        &["--lang", "en"],
        &[
            "--trust",
            "trust.cwt",
            "--status",
            "status",
            "--request",
            "@req.txt",
        ],
        "@ans.txt",
    );
    let shown = ok(&out);
    assert!(
        shown.contains("Checked against the request of “Khách sạn Hoa Sen” (Đăng ký lưu trú)"),
        "{shown}"
    );
    assert!(shown.contains("18 are withheld"), "{shown}");
}

#[test]
fn consent_is_asked_on_the_terminal_and_never_assumed() {
    let s = setup();
    s.request(&[
        "--fields",
        "full_name",
        "--optional",
        "id_number,age_over_18",
        "--out",
        "req.txt",
    ]);
    let before = s.wallet_bytes();
    // No terminal and no --yes: refused, nothing written.
    let out = s.answer(&["--request", "@req.txt", "--out", "ans.txt"]);
    fails(&out, 2);
    assert_eq!(
        json(&out)["error"]["code"],
        "wallet-error-consent-needs-terminal"
    );
    assert!(!s.exists("ans.txt"));
    // The screen came first: who asks (stated, not verified), why, what.
    let err = stderr(&out);
    for piece in [
        "Khách sạn Hoa Sen",
        "chưa được ai xác minh",
        "Đăng ký lưu trú",
        "Nguyễn Văn An",
        "Không bắt buộc",
    ] {
        assert!(err.contains(piece), "{piece}: {err}");
    }
    // Optional declined, answer agreed: only the required field.
    let out = s.answer_typed(&["--request", "@req.txt", "--out", "ans.txt"], "n\nc\n");
    ok(&out);
    let (_, v) = s.verify(&["--request", "@req.txt"], "@ans.txt");
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(names(&v), ["full_name"]);
    // Optional agreed, answer declined: nothing.
    let out = s.answer_typed(
        &["--request", "@req.txt", "--out", "ans2.txt"],
        "y\nkhông\n",
    );
    fails(&out, 2);
    assert!(stderr(&out).contains("bạn đã từ chối"), "{}", stderr(&out));
    assert!(!s.exists("ans2.txt"));
    // Both agreed (English): every optional item too.
    let out = s.answer_typed(
        &["--lang", "en", "--request", "@req.txt", "--out", "ans3.txt"],
        "yes\nyes\n",
    );
    ok(&out);
    assert!(stderr(&out).contains("Also share the optional details? [y/N]"));
    let (_, v) = s.verify(&["--request", "@req.txt"], "@ans3.txt");
    assert_eq!(names(&v), ["age_over_18", "full_name", "id_number"]);
    // Answering reads the wallet and changes nothing in it.
    assert_eq!(s.wallet_bytes(), before);
}

#[test]
fn requests_that_cannot_or_must_not_be_answered_change_nothing() {
    let s = setup();
    let before = s.wallet_bytes();
    let refused = |extra: &[&str], code: &str| {
        let args = [extra, &["--yes", "--out", "ans.txt"][..]].concat();
        let out = s.answer(&args);
        fails(&out, 2);
        assert_eq!(json(&out)["error"]["code"], code, "{}", stderr(&out));
        assert!(!s.exists("ans.txt"));
        assert_eq!(s.wallet_bytes(), before);
    };
    // A required item the card cannot prove (born 1996: not over 65).
    s.request(&["--fields", "full_name,age_over_65", "--out", "old.txt"]);
    refused(
        &["--request", "@old.txt"],
        "wallet-error-request-unanswerable",
    );
    // A request for another document than chosen.
    s.request(&[
        "--fields",
        "full_name",
        "--doc",
        "gplx",
        "--out",
        "gplx.txt",
    ]);
    refused(
        &["--request", "@gplx.txt", "--doc", "cccd"],
        "wallet-error-request-doc-type",
    );
    // --request says what is asked: no --disclose beside it.
    s.request(&["--fields", "full_name", "--out", "req.txt"]);
    refused(
        &["--request", "@req.txt", "--disclose", "id_number"],
        "wallet-error-request-conflict",
    );
    // A vector's request: made on 23/11/2026, long expired.
    let vectors: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../test-vectors/requests.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let old = vectors["answers"][0]["request"].as_str().unwrap();
    refused(&["--request", old], "request-error-expired");
    // Made for an hour from now: ahead of this clock.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let future = giayto_cose::request::Request {
        nonce: vec![9; 16],
        issued_at: now + 3600,
        expires_at: now + 4200,
        verifier: "Tương lai".into(),
        purpose: "Thử".into(),
        required: vec!["full_name".into()],
        optional: vec![],
        doc_type: None,
    }
    .to_text()
    .unwrap();
    refused(&["--request", &future], "request-error-not-yet");
    // Every malformed vector request.
    for b in vectors["bad_requests"].as_array().unwrap() {
        let text = b["text"].as_str().unwrap();
        let code = if b["error"] == "not_a_request" {
            "request-error-not-a-request"
        } else {
            ""
        };
        let args = ["--request", text, "--yes", "--out", "ans.txt"];
        let out = s.answer(&args);
        fails(&out, 2);
        let got = json(&out)["error"]["code"].as_str().unwrap().to_owned();
        assert!(got.starts_with("request-error-"), "{}: {got}", b["name"]);
        if !code.is_empty() {
            assert_eq!(got, code);
        }
        assert!(!s.exists("ans.txt"));
    }
    assert_eq!(s.wallet_bytes(), before);
    // A dry run shows the plan and signs nothing.
    s.request(&[
        "--fields",
        "full_name,age_over_19",
        "--optional",
        "plate",
        "--out",
        "dry.txt",
    ]);
    let v = ok_json(&s.answer(&["--request", "@dry.txt", "--dry-run"]));
    let items: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_owned(),
                i["answer"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("full_name".to_owned(), "shared".to_owned()),
            ("age_over_19".to_owned(), "shared".to_owned()),
            ("plate".to_owned(), "not_in_document".to_owned()),
        ]
    );
    assert_eq!(v["items"][1]["shared_as"], "age_over_21");
    assert_eq!(v["items"][1]["value"], true);
    assert_eq!(s.wallet_bytes(), before);
}

#[test]
fn the_request_command_refuses_bad_input_and_writes_nothing() {
    let s = setup();
    let refused = |extra: &[&str], code: &str| {
        let args = [
            &[
                "--json",
                "request",
                "--purpose",
                "Mở tài khoản",
                "--verifier-name",
                "Ngân hàng Sông Hồng",
                "--out",
                "r.txt",
            ][..],
            extra,
        ]
        .concat();
        let out = s.run(&args);
        fails(&out, 2);
        if !code.is_empty() {
            assert_eq!(json(&out)["error"]["code"], code, "{}", stderr(&out));
        }
        assert!(!s.exists("r.txt"));
    };
    refused(
        &["--fields", "full_name,shoe_size"],
        "request-error-bad-item",
    );
    refused(&["--fields", " , "], "request-error-no-items");
    refused(
        &["--fields", "full_name,full_name"],
        "request-error-duplicate-item",
    );
    refused(&["--fields", "age_over_0"], "request-error-bad-item");
    refused(
        &["--fields", "full_name", "--doc", "passport"],
        "error-bad-doc-type",
    );
    refused(&["--fields", "full_name", "--expires-in", "0"], "");
    refused(&["--fields", "full_name", "--expires-in", "1441"], "");
    let out = s.run(&[
        "--json",
        "request",
        "--fields",
        "full_name",
        "--purpose",
        "a\u{202E}b",
        "--verifier-name",
        "X",
    ]);
    fails(&out, 2);
    assert_eq!(json(&out)["error"]["code"], "request-error-purpose");
    let out = s.run(&[
        "--json",
        "request",
        "--fields",
        "full_name",
        "--purpose",
        "x",
        "--verifier-name",
        &"N".repeat(101),
    ]);
    assert_eq!(json(&out)["error"]["code"], "request-error-verifier-name");
    // A folder that does not exist: nothing made.
    let out = s.run(&[
        "request",
        "--fields",
        "full_name",
        "--purpose",
        "x",
        "--verifier-name",
        "X",
        "--out",
        "missing/r.txt",
    ]);
    fails(&out, 2);
    // The English message names the known fields.
    let out = s.run(&[
        "--lang",
        "en",
        "request",
        "--fields",
        "shoe_size",
        "--purpose",
        "x",
        "--verifier-name",
        "X",
    ]);
    let err = fails(&out, 2);
    assert!(err.contains("“shoe_size” is not a field"), "{err}");
    assert!(
        err.contains("full_name") && err.contains("age_over_NN"),
        "{err}"
    );
}

/// Every answer of test-vectors/requests.json through `giayto verify --request`, and every
/// malformed request refused with exit 2.
#[test]
fn every_request_vector_through_the_cli() {
    let vectors: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../test-vectors/requests.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/root.pub");
    let trust = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/trust.cwt");
    let run = |request: &str, text: &str, at: i64| {
        let at = giayto_verify::json::rfc3339(at);
        common::command(
            dir.path(),
            &[
                "--json",
                "verify",
                "--no-state",
                "--root",
                root,
                "--trust",
                trust,
                "--at",
                &at,
                "--request",
                request,
                text,
            ],
        )
        .output()
        .unwrap()
    };
    for v in vectors["answers"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let out = run(
            v["request"].as_str().unwrap(),
            v["text"].as_str().unwrap(),
            v["at"].as_i64().unwrap(),
        );
        let j = json(&out);
        assert_eq!(j["verdict"], v["verdict"], "{name}: {j}");
        assert_eq!(j.get("reason"), v.get("reason"), "{name}");
        let want = if v["verdict"] == "valid" { 0 } else { 1 };
        assert_eq!(out.status.code(), Some(want), "{name}");
        if let Some(disclosed) = v["disclosed"].as_array() {
            let mut want: Vec<&str> = disclosed.iter().map(|d| d.as_str().unwrap()).collect();
            want.sort_unstable();
            assert_eq!(names(&j), want, "{name}");
        }
    }
    let good = vectors["answers"][0]["text"].as_str().unwrap();
    for b in vectors["bad_requests"].as_array().unwrap() {
        let out = run(b["text"].as_str().unwrap(), good, 1_795_392_000);
        fails(&out, 2);
        let code = json(&out)["error"]["code"].as_str().unwrap().to_owned();
        assert!(code.starts_with("request-error-"), "{}: {code}", b["name"]);
    }
}
