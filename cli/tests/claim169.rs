//! `issue --also claim169` and `issue-batch --also claim169` (docs/format.md §16): the same
//! person's MOSIP ID Claim 169 code beside the VN1: credential, its twin files, and
//! `giayto verify` showing it as the issuer's identity data in both languages — never as a
//! giayto credential; other types refused with exit 2 and nothing recorded; a tampered code
//! `bad_signature`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{code, json, ok, sample, stderr, World};

const TRUST: &[&str] = &["--trust", "trust.cwt"];

#[test]
fn issue_also_claim169_writes_twins_and_verify_shows_identity_data() {
    let w = World::new();
    let data = w.write_json("cccd.json", &sample("cccd"));
    let out = w.run(&[
        "--json", "issue", "--dir", "iss", "--type", "cccd", "--data", &data, "--also", "claim169",
        "--out", "code.txt", "--png", "code.png",
    ]);
    let v = json(&out);
    assert_eq!(code(&out), Some(0), "{v}");
    let vn1 = v["text"].as_str().unwrap().to_owned();
    let c169 = v["claim169"]["text"].as_str().unwrap().to_owned();
    assert!(vn1.starts_with("VN1:"));
    assert!(!c169.starts_with("VN1:") && c169.len() > 100, "{c169}");
    assert_eq!(v["claim169"]["chars"], c169.len());
    // The twin files beside the VN1: files.
    let read = |n: &str| std::fs::read(w.path().join(n)).unwrap();
    assert_eq!(read("code.txt"), format!("{vn1}\n").into_bytes());
    assert_eq!(read("code.claim169.txt"), format!("{c169}\n").into_bytes());
    assert!(read("code.png").starts_with(b"\x89PNG"));
    assert!(read("code.claim169.png").starts_with(b"\x89PNG"));
    assert_ne!(read("code.png"), read("code.claim169.png"));
    // One registry row: the Claim 169 code belongs to the credential's.
    assert_eq!(w.registry_count(), 1);

    // verify: valid, shown as identity data with its own format, never as a credential.
    let j = w.expect_verdict(TRUST, &c169, 0, "valid");
    assert_eq!(j["format"], "claim169");
    assert_eq!(j["issuer"], "VN.BCA.C06");
    assert!(j.get("doc_type").is_none() && j.get("fields").is_none() && j.get("serial").is_none());
    let s = sample("cccd");
    let a = &j["claim169"]["attributes"];
    assert_eq!(a["id"], s["id_number"]);
    assert_eq!(a["fullName"], s["full_name"]);
    assert_eq!(a["address"], s["place_of_residence"]);
    assert_eq!(
        a["dateOfBirth"],
        s["date_of_birth"].as_str().unwrap().replace('-', "")
    );
    assert_eq!(a["gender"], 2);
    assert_eq!(j["warnings"][0]["code"], "no_status_reference");

    let vi = ok(&w.run_verify(&["--lang", "vi"], TRUST, &c169));
    for want in [
        "HỢP LỆ",
        "Dữ liệu nhân thân Claim 169 (MOSIP), không phải giấy tờ giayto",
        "DỮ LIỆU NHÂN THÂN (MOSIP ID CLAIM 169)",
        "Số định danh",
        s["full_name"].as_str().unwrap(),
        "Giới tính",
        "Nữ",
        "CHƯA kiểm tra thu hồi",
    ] {
        assert!(vi.contains(want), "{want}\n{vi}");
    }
    let en = ok(&w.run_verify(&["--lang", "en"], TRUST, &c169));
    for want in [
        "VALID",
        "Claim 169 identity data (MOSIP), not a giayto credential",
        "IDENTITY DATA (MOSIP ID CLAIM 169)",
        "ID number",
        "Date of birth",
        "Revocation NOT checked",
    ] {
        assert!(en.contains(want), "{want}\n{en}");
    }

    // One base45 character changed inside the compressed data: no longer verifies, or no
    // longer inflates; either way not valid, exit 1.
    let mut chars: Vec<char> = c169.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let out = w.run_verify(&["--json"], TRUST, &tampered);
    assert_eq!(code(&out), Some(1));
    let verdict = json(&out)["verdict"].as_str().unwrap().to_owned();
    assert!(
        ["bad_signature", "malformed"].contains(&verdict.as_str()),
        "{verdict}"
    );
}

#[test]
fn also_claim169_is_for_identity_cards_only() {
    let w = World::new();
    let data = w.write_json("gplx.json", &sample("gplx"));
    for lang in ["vi", "en"] {
        let out = w.run(&[
            "--lang", lang, "issue", "--dir", "iss", "--type", "gplx", "--data", &data, "--also",
            "claim169",
        ]);
        assert_eq!(code(&out), Some(2));
        let err = stderr(&out);
        assert!(err.contains("--type cccd") && err.contains("gplx"), "{err}");
    }
    assert_eq!(w.registry_count(), 0, "nothing issued");
    // A twin that would overwrite another output of the same run is refused before issuing.
    let cccd = w.write_json("cccd.json", &sample("cccd"));
    let out = w.run(&[
        "issue",
        "--dir",
        "iss",
        "--type",
        "cccd",
        "--data",
        &cccd,
        "--also",
        "claim169",
        "--out",
        "a.txt",
        "--svg",
        "a.claim169.txt",
    ]);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert_eq!(w.registry_count(), 0);
}

#[test]
fn issue_batch_also_claim169_writes_one_code_per_credential() {
    let w = World::new();
    let mut rows = String::new();
    for i in 0..3 {
        let mut row = sample("cccd");
        row["full_name"] = format!("Nguyễn Văn Thử Số {}", i + 1).into();
        rows.push_str(&serde_json::to_string(&row).unwrap());
        rows.push('\n');
    }
    w.write("in.jsonl", rows.as_bytes());
    ok(&w.run(&[
        "issue-batch",
        "--dir",
        "iss",
        "--type",
        "cccd",
        "--input",
        "in.jsonl",
        "--out-dir",
        "out",
        "--png",
        "--also",
        "claim169",
    ]));
    let read = |n: &str| std::fs::read_to_string(w.path().join("out").join(n)).unwrap();
    let credentials: Vec<String> = read("credentials.txt").lines().map(str::to_owned).collect();
    let codes: Vec<String> = read("claim169.txt").lines().map(str::to_owned).collect();
    assert_eq!(credentials.len(), 3);
    assert_eq!(codes.len(), 3);
    for (i, (vn1, c169)) in credentials.iter().zip(&codes).enumerate() {
        // issue-batch gives each credential a status slot; no list is published here.
        let a = w.expect_verdict(
            &["--trust", "trust.cwt", "--allow-missing-status"],
            vn1,
            0,
            "valid",
        );
        let b = w.expect_verdict(TRUST, c169, 0, "valid");
        // Line for line the same person.
        assert_eq!(
            b["claim169"]["attributes"]["fullName"],
            a["fields"]["full_name"]
        );
        assert_eq!(
            b["claim169"]["attributes"]["fullName"],
            format!("Nguyễn Văn Thử Số {}", i + 1)
        );
        let png = format!("{}-{}.claim169.png", i + 1, a["serial"].as_str().unwrap());
        assert!(w.path().join("out/png").join(&png).exists(), "{png}");
    }
    let summary: serde_json::Value = serde_json::from_str(&read("summary.json")).unwrap();
    assert!(summary["claim169"]
        .as_str()
        .unwrap()
        .ends_with("claim169.txt"));
    // Another type with --also claim169: refused before anything is issued.
    w.write("bhyt.jsonl", format!("{}\n", sample("bhyt")).as_bytes());
    let out = w.run(&[
        "issue-batch",
        "--dir",
        "iss",
        "--type",
        "bhyt",
        "--input",
        "bhyt.jsonl",
        "--out-dir",
        "out2",
        "--also",
        "claim169",
    ]);
    assert_eq!(code(&out), Some(2));
    assert!(!w.path().join("out2").exists());
}
