//! The `giayto` binary as a user runs it: exit codes, messages in both languages, files made.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::path::PathBuf;

use common::{
    add_issuer_args, command, command_with, issuer_init_args, json, ok, ok_json, run,
    run_with_passphrase, sample, sign_trust_list_args, stderr, verify_args, World, CHECKED,
};

/// A root, an issuer allowed all four types, a signed trust list, and an empty `st/` for the
/// issuer's status lists.
fn setup() -> World {
    let w = World::empty(command_with).set_up(
        "Cục Cảnh sát QLHC về TTXH",
        &["--name-en", "Police Department C06"],
    );
    std::fs::create_dir(w.path().join("st")).unwrap();
    w
}

#[test]
fn issue_and_verify_every_document_type_from_text_file_and_image() {
    let s = setup();
    for t in ["cccd", "gplx", "vehicle", "bhyt"] {
        let data = s.write_json(&format!("{t}.json"), &sample(t));
        let png = format!("{t}.png");
        let svg = format!("{t}.svg");
        let txt = format!("{t}.txt");
        let text = ok(&s.run(&[
            "issue", "--dir", "iss", "--type", t, "--data", &data, "--png", &png, "--svg", &svg,
            "--out", &txt,
        ]));
        let text = text.trim();
        assert!(text.starts_with("VN1:"), "{text}");
        s.publish("st");
        assert!(std::fs::read_to_string(s.path().join(&svg))
            .unwrap()
            .starts_with("<svg"));
        for input in [text.to_owned(), format!("@{txt}"), png.clone()] {
            let (c, v) = s.verify(CHECKED, &input);
            assert_eq!(c, Some(0), "{t} {input}: {v}");
            assert_eq!(v["valid"], true, "{t} {input}");
            assert_eq!(v["verdict"], "valid");
            assert_eq!(v["doc_type"], t);
            assert_eq!(v["issuer"], "VN.BCA.C06");
            let name_field = if t == "vehicle" {
                "owner_name"
            } else {
                "full_name"
            };
            assert_eq!(v["fields"][name_field], sample(t)[name_field], "{t}");
            assert_eq!(v["serial"].as_str().unwrap().len(), 20);
        }
        // Human output, both languages.
        let vi = ok(&s.run_verify(&[], CHECKED, &png));
        assert!(vi.contains("HỢP LỆ"), "{vi}");
        let en = ok(&s.run_verify(&["--lang", "en"], CHECKED, &png));
        assert!(en.contains("VALID"), "{en}");
    }
    assert_eq!(s.registry_count(), 4);
}

#[test]
fn verify_from_stdin_and_exit_codes_for_invalid() {
    let s = setup();
    let data = s.write_json("c.json", &sample("cccd"));
    let text = ok(&s.run(&["issue", "--dir", "iss", "--type", "cccd", "--data", &data]));
    s.publish("st");
    let mut child = command(s.path(), &verify_args(&["--json"], CHECKED, "-"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));

    // Ten years on: expired, exit 1, and the fields are still shown.
    let (c, v) = s.verify(
        &[CHECKED, &["--at", "2040-01-01T00:00:00+07:00"]].concat(),
        text.trim(),
    );
    assert_eq!(c, Some(1));
    assert_eq!(v["verdict"], "expired");
    assert_eq!(v["valid"], false);
    assert_eq!(v["fields"]["id_number"], "001196012345");

    // Not a credential at all.
    let (c, v) = s.verify(CHECKED, "https://example.invalid");
    assert_eq!(c, Some(1));
    assert_eq!(v["verdict"], "not_a_credential");
    assert_eq!(v["reason"], "foreign_web_link");

    // A missing trust list is an I/O error: exit 2.
    let out = s.run_verify(&[], &["--trust", "nope.cwt"], text.trim());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.cwt"));
    // A trust list checked against the wrong root: exit 2.
    ok(&s.run(&["root", "init", "--dir", "root2"]));
    let out = s.run(&[
        "verify",
        "--root",
        "root2/root.pub",
        "--trust",
        "trust.cwt",
        "--status",
        "st",
        text.trim(),
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_test_vectors_verify_through_the_cli() {
    let vectors_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
    let all: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vectors_dir.join("credentials.json")).unwrap())
            .unwrap();
    let root = vectors_dir.join("root.pub").display().to_string();
    let trust = vectors_dir.join("trust.cwt").display().to_string();
    let tmp = tempfile::tempdir().unwrap();
    for v in all["vectors"].as_array().unwrap() {
        let at = v["at"].as_i64().unwrap();
        let at = time::OffsetDateTime::from_unix_timestamp(at)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let out = run(
            tmp.path(),
            &[
                "--json",
                "verify",
                "--root",
                &root,
                "--trust",
                &trust,
                "--at",
                &at,
                "--policy",
                v["policy"].as_str().unwrap(),
                v["text"].as_str().unwrap(),
            ],
        );
        let expected_exit = if v["verdict"] == "valid" { 0 } else { 1 };
        assert_eq!(out.status.code(), Some(expected_exit), "{}", v["name"]);
        let got = json(&out);
        assert_eq!(got["verdict"], v["verdict"], "{}", v["name"]);
    }
}

/// Each malformed input: exit 2, the field named in the chosen language, registry unchanged.
#[test]
fn malformed_issue_input_is_refused_naming_the_field_in_both_languages() {
    let s = setup();
    // Issuing `data` as type `t`: exit 2 and nothing on stdout, `field` and the words in each
    // language on stderr.
    let refused = |t: &str, data: &serde_json::Value, field: &str, vi: &str, en: &str| {
        let path = s.write_json("bad.json", data);
        for (lang, word) in [("vi", vi), ("en", en)] {
            let out = s.run(&[
                "--lang", lang, "issue", "--dir", "iss", "--type", t, "--data", &path,
            ]);
            assert_eq!(out.status.code(), Some(2), "{t} {field}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(
                err.contains(field),
                "{lang}: field {field} not named in: {err}"
            );
            assert!(err.contains(word), "{lang}: {word:?} not in: {err}");
            assert!(out.stdout.is_empty());
        }
    };
    // (type, field, its bad value or None for a missing field, words in vi, words in en)
    let cases: [(&str, &str, Option<&str>, &str, &str); 8] = [
        (
            "cccd",
            "id_number",
            Some("00119601234"),
            "12 chữ số",
            "12 digits",
        ),
        (
            "cccd",
            "id_number",
            Some("003196012345"),
            "mã tỉnh",
            "province code",
        ),
        (
            "cccd",
            "id_number",
            Some("001096012345"),
            "giới tính",
            "sex",
        ),
        (
            "cccd",
            "date_of_birth",
            Some("2023-02-29"),
            "ngày không hợp lệ",
            "not a valid date",
        ),
        ("cccd", "full_name", None, "thiếu trường", "missing"),
        ("vehicle", "plate", Some("ABC-123"), "biển số", "plate"),
        (
            "bhyt",
            "card_number",
            Some("12345"),
            "BHYT",
            "health insurance card number",
        ),
        (
            "cccd",
            "nickname",
            Some("An"),
            "không có trong mẫu",
            "no such field",
        ),
    ];
    for (t, field, value, vi, en) in cases {
        let mut data = sample(t);
        match value {
            Some(value) => data[field] = value.into(),
            None => {
                data.as_object_mut().unwrap().remove(field);
            }
        }
        refused(t, &data, field, vi, en);
    }
    let mut gplx_bad_class = sample("gplx");
    gplx_bad_class["classes"][0]["class"] = "B3".into();
    refused(
        "gplx",
        &gplx_bad_class,
        "classes[0].class",
        "hạng giấy phép",
        "licence class",
    );
    // Bad JSON and an unknown type.
    std::fs::write(s.path().join("broken.json"), "{\"id_number\": ").unwrap();
    let out = s.run(&[
        "issue",
        "--dir",
        "iss",
        "--type",
        "cccd",
        "--data",
        "broken.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("JSON"));
    let good = s.write_json("good.json", &sample("cccd"));
    let out = s.run(&[
        "--lang", "en", "issue", "--dir", "iss", "--type", "passport", "--data", &good,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("passport"));
    assert_eq!(s.registry_count(), 0, "nothing was recorded");
}

#[test]
fn wrong_passphrase_exits_2_and_changes_nothing() {
    let s = setup();
    let data = s.write_json("c.json", &sample("cccd"));
    let out = run_with_passphrase(
        s.path(),
        &[
            "--lang", "en", "issue", "--dir", "iss", "--type", "cccd", "--data", &data,
        ],
        "wrong passphrase",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Wrong passphrase"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.registry_count(), 0);
    let before = std::fs::read(s.path().join("trust.cwt")).unwrap();
    let out = run_with_passphrase(
        s.path(),
        &sign_trust_list_args("trust.cwt"),
        "wrong passphrase",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(s.path().join("trust.cwt")).unwrap(), before);
}

#[test]
fn key_files_are_owner_only_and_never_overwritten() {
    let s = setup();
    #[cfg(unix)]
    for f in ["root/root.key", "iss/issuer.key"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.path().join(f))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    let before = std::fs::read(s.path().join("root/root.key")).unwrap();
    let out = s.run(&["root", "init", "--dir", "root"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(s.path().join("root/root.key")).unwrap(),
        before
    );
    let out = s.run(&issuer_init_args("iss", "VN.X", "X"));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_issuer_outside_its_doc_types_is_not_authorized() {
    let s = setup();
    ok(&s.run(&issuer_init_args(
        "bhxh",
        "VN.BHXH",
        "Bảo hiểm xã hội Việt Nam",
    )));
    ok(&s.run(&add_issuer_args("bhxh/issuer.pub", "VN.BHXH", "bhyt")));
    s.sign_trust_list("trust2.cwt");
    let data = s.write_json("c.json", &sample("cccd"));
    let text = ok(&s.run(&["issue", "--dir", "bhxh", "--type", "cccd", "--data", &data]));
    let (c, v) = s.verify(&["--trust", "trust2.cwt"], text.trim());
    assert_eq!(c, Some(1));
    assert_eq!(v["verdict"], "issuer_not_authorized");
    // The older trust list does not know this issuer at all. (This device has used the
    // newer list, so rollback protection is turned off to show it.)
    let (_, v) = s.verify(&[&["--no-state"][..], CHECKED].concat(), text.trim());
    assert_eq!(v["verdict"], "unknown_issuer");
}

#[test]
fn cccd_card_qr_parses_and_bad_text_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["cccd", "parse", "001196012345|012345678|Trần Thị Mẫu|17051996|Nữ|Số 12 ngõ 34 phố Mẫu, Ba Đình, Hà Nội|10042021"]);
    let v = ok_json(&out);
    assert_eq!(v["id_number"], "001196012345");
    assert_eq!(v["sex"], "female");
    assert_eq!(v["date_of_birth"], "1996-05-17");
    let out = run(tmp.path(), &["cccd", "parse", "not|a|card"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn qr_render_and_decode_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "VN1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2";
    ok(&run(
        tmp.path(),
        &["qr", "render", text, "--out", "c.png", "--ecc", "M"],
    ));
    let decoded = ok(&run(tmp.path(), &["qr", "decode", "c.png"]));
    assert_eq!(decoded.trim(), text);
    let term = ok(&run(tmp.path(), &["qr", "render", text, "--terminal"]));
    assert!(term.contains('█'));
    std::fs::write(tmp.path().join("x.png"), b"\x89PNG\r\n\x1a\nbroken").unwrap();
    assert_eq!(
        run(tmp.path(), &["qr", "decode", "x.png"]).status.code(),
        Some(2)
    );
}

#[test]
fn demo_runs_in_a_fresh_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["demo", "--no-terminal-qr"]);
    let stdout = ok(&out);
    assert_eq!(stdout.matches("✔ HỢP LỆ").count(), 5, "{stdout}");
    for t in ["cccd", "gplx", "vehicle", "bhyt", "bhxh"] {
        assert!(tmp.path().join(format!("giayto-demo/{t}.png")).is_file());
    }
    // A second run picks the next free folder instead of failing.
    ok(&run(tmp.path(), &["demo", "--no-terminal-qr"]));
    assert!(tmp.path().join("giayto-demo-2/cccd.png").is_file());
}

#[test]
fn unknown_language_and_usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        run(tmp.path(), &["--lang", "fr", "demo"]).status.code(),
        Some(2)
    );
    assert_eq!(run(tmp.path(), &["verify"]).status.code(), Some(2));
    assert_eq!(run(tmp.path(), &["--help"]).status.code(), Some(0));
}
