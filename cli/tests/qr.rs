//! `giayto verify` on codes that are not giayto credentials, and `giayto qr …` (issue 5).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{json, run_bare};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

fn verify(lang: &str, json: bool, text: &str) -> Output {
    let root = vectors().join("root.pub");
    let trust = vectors().join("trust.cwt");
    let mut args = vec!["--lang", lang];
    if json {
        args.push("--json");
    }
    let (root, trust) = (root.to_str().unwrap(), trust.to_str().unwrap());
    // --no-state: a test must not write device state into the user's own state folder.
    args.extend([
        "verify",
        "--no-state",
        "--root",
        root,
        "--trust",
        trust,
        text,
    ]);
    run_bare(&args)
}

/// `giayto {global} qr card {text} --out {out}`.
fn card(global: &[&str], text: &str, out: &Path) -> Output {
    run_bare(
        &[
            global,
            &["qr", "card", text, "--out", out.to_str().unwrap()],
        ]
        .concat(),
    )
}

fn vector_text(name: &str) -> String {
    let all: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vectors().join("credentials.json")).unwrap())
            .unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn foreign_codes_are_named_never_bad_signature() {
    let emvco = vector_text("vietqr").replace("A000000727", "A000000999");
    let cases = [
        (vector_text("vietqr"), "foreign_vietqr", "VietQR", "VietQR"),
        (emvco, "foreign_emvco_payment", "EMVCo", "EMVCo"),
        (vector_text("eu_dcc"), "foreign_eu_dcc", "HC1:", "HC1:"),
        (
            "https://example.invalid/a".to_owned(),
            "foreign_web_link",
            "link web",
            "web link",
        ),
        ("xin chào".to_owned(), "foreign_unknown", "VN1:", "VN1:"),
    ];
    for (text, reason, vi, en) in cases {
        let out = verify("en", true, &text);
        assert_eq!(out.status.code(), Some(1), "{reason}");
        let v = json(&out);
        assert_eq!(v["verdict"], "not_a_credential", "{reason}");
        assert_eq!(v["valid"], false);
        assert_eq!(v["reason"], reason);
        for (lang, word) in [("vi", vi), ("en", en)] {
            let out = verify(lang, false, &text);
            assert_eq!(out.status.code(), Some(1));
            let human = String::from_utf8_lossy(&out.stdout);
            assert!(human.contains(word), "{lang} {reason}: {human}");
            assert!(!human.to_lowercase().contains("signature"), "{human}");
            assert!(!human.contains("chữ ký"), "{human}");
        }
    }
}

#[test]
fn printable_card_png_and_pdf() {
    let tmp = tempfile::tempdir().unwrap();
    let text = vector_text("valid_cccd");
    let png = tmp.path().join("card.png");
    let out = card(&["--lang", "en"], &text, &png);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("A6"));
    let bytes = std::fs::read(&png).unwrap();
    let img = giayto_qr::image::load_from_memory(&bytes).unwrap();
    // A6 at 300 dpi.
    assert_eq!((img.width(), img.height()), (1240, 1748));
    // The code on the card reads back to the very text.
    assert_eq!(giayto_qr::decode_image(&img), std::slice::from_ref(&text));

    let pdf = tmp.path().join("card.pdf");
    let out = card(&["--json"], &text, &pdf);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&out);
    assert_eq!(v["doc_type"], "cccd");
    assert_eq!(v["name"], "Trần Thị Mẫu");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.ends_with(b"%%EOF") || bytes.ends_with(b"%%EOF\n"));
    let s = String::from_utf8_lossy(&bytes);
    assert!(s.contains("/MediaBox [0 0 297.6"), "A6 page");
    assert!(s.contains("/Width 1240") && s.contains("/Height 1748"));
}

#[test]
fn card_refuses_what_it_cannot_make() {
    let tmp = tempfile::tempdir().unwrap();
    let text = vector_text("valid_cccd");
    let bad = tmp.path().join("card.svg");
    for (lang, word) in [("en", ".pdf"), ("vi", ".pdf")] {
        let out = card(&["--lang", lang], &text, &bad);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(word));
    }
    let png = tmp.path().join("card.png");
    let out = card(&["--lang", "en"], "https://example.invalid", &png);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a readable giayto credential"));
    assert!(!png.exists());
}
