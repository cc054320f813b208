//! The root authority through the CLI: key rotation with an overlap, removing one key, and
//! refusals that change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::path::Path;

use common::*;
use giayto_issuer::{credential_text, sign_credential, CredentialRequest};
use giayto_model::{DocType, Document};

const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A credential for the sample CCCD signed by the key in `key_file` with `iat` = `issued_at`,
/// without status list entry: what a holder of that key can make at any time.
fn signed_by(key_file: &Path, issued_at: i64) -> String {
    let key = giayto_trust::keys::read_secret_key(
        key_file,
        &giayto_trust::SecretString::from(PASS.to_owned()),
    )
    .unwrap();
    let document = Document::from_json(DocType::Cccd, &sample("cccd")).unwrap();
    let request = CredentialRequest {
        document: &document,
        serial: vec![7; 10],
        issued_at,
        not_before: None,
        expires_at: issued_at + 365 * DAY,
        holder_key: None,
        assurance_level: 2,
        status: None,
    };
    credential_text(&sign_credential(&key, "VN.BCA.C06", &request).unwrap())
}

/// The one retired key file (`issuer-retired-….key`) in `iss`.
fn retired_key(w: &World) -> std::path::PathBuf {
    let mut found: Vec<_> = std::fs::read_dir(w.path().join("iss"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("issuer-retired-") && name.ends_with(".key")
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.pop().unwrap()
}

fn rotate(w: &World, until: &str) -> std::process::Output {
    w.run(&[
        "--json",
        "root",
        "rotate-issuer",
        "--dir",
        "root",
        "--id",
        "VN.BCA.C06",
        "--issuer-pub",
        "iss/issuer.pub",
        "--old-until",
        until,
    ])
}

#[test]
fn rotation_with_overlap_end_to_end() {
    let w = World::new();
    let (old_text, _) = w.issue("cccd", &sample("cccd"));
    let old_pub = std::fs::read(w.path().join("iss/issuer.pub")).unwrap();

    // The issuer makes a new key pair; the old one is kept under a dated name.
    let v = ok_json(&w.run(&["--json", "issuer", "rotate-key", "--dir", "iss"]));
    let old_kid = v["old_kid"].as_str().unwrap().to_owned();
    let new_kid = v["kid"].as_str().unwrap().to_owned();
    assert_ne!(old_kid, new_kid);
    let retired = retired_key(&w);
    assert!(retired
        .file_name()
        .unwrap()
        .to_string_lossy()
        .ends_with(&format!("-{old_kid}.key")));
    let retired_pub = retired.with_extension("pub");
    assert_eq!(std::fs::read(&retired_pub).unwrap(), old_pub);
    assert_ne!(
        std::fs::read(w.path().join("iss/issuer.pub")).unwrap(),
        old_pub
    );

    // The root trusts the new key alongside the old one, the old one for two more days.
    let until = now() + 2 * DAY;
    let v = ok_json(&rotate(&w, &rfc3339(until)));
    assert_eq!(v["kid"], new_kid.as_str());
    assert_eq!(v["old_kids"], serde_json::json!([old_kid]));
    assert_eq!(
        v["doc_types"],
        serde_json::json!(["cccd", "gplx", "vehicle", "bhyt"])
    );
    w.sign_trust_list("trust.cwt");

    // During the overlap both keys verify.
    let (new_text, _) = w.issue("gplx", &sample("gplx"));
    w.publish("st");
    for text in [&old_text, &new_text] {
        let (c, v) = w.verify(CHECKED, text);
        assert_eq!((c, v["verdict"].as_str()), (Some(0), Some("valid")), "{v}");
    }
    // Up to the last second of the overlap the old key may sign.
    let during = signed_by(&retired, until);
    let (c, v) = w.verify(
        &[
            "--trust",
            "trust.cwt",
            "--no-state",
            "--at",
            &rfc3339(until),
        ],
        &during,
    );
    assert_eq!((c, v["verdict"].as_str()), (Some(0), Some("valid")), "{v}");

    // After the overlap end: what the old key signed after its end is refused; what it signed
    // before stays valid, and so does the new key's work.
    let at = rfc3339(until + DAY);
    let after = signed_by(&retired, until + 1);
    let new_after = signed_by(&w.path().join("iss/issuer.key"), until + 60);
    let check = |text: &str| {
        w.verify(
            &[
                "--trust",
                "trust.cwt",
                "--status",
                "st",
                "--no-state",
                "--at",
                &at,
            ],
            text,
        )
    };
    let (c, v) = check(&after);
    assert_eq!(c, Some(1));
    assert_eq!(v["verdict"], "issuer_not_authorized", "{v}");
    for text in [&old_text, &new_text, &during, &new_after] {
        let (c, v) = check(text);
        assert_eq!((c, v["verdict"].as_str()), (Some(0), Some("valid")), "{v}");
    }

    // Removing only the old key (by kid): its credentials become unknown_issuer, the new
    // key's stay valid.
    ok(&w.run(&[
        "root",
        "remove-issuer",
        "--dir",
        "root",
        "--id",
        "VN.BCA.C06",
        "--kid",
        &old_kid,
    ]));
    w.sign_trust_list("trust.cwt");
    let (c, v) = w.verify(CHECKED, &old_text);
    assert_eq!(
        (c, v["verdict"].as_str()),
        (Some(1), Some("unknown_issuer"))
    );
    let (c, v) = w.verify(CHECKED, &new_text);
    assert_eq!((c, v["verdict"].as_str()), (Some(0), Some("valid")), "{v}");

    // Removing the issuer: the new key's credentials are unknown_issuer too.
    ok(&w.run(&[
        "root",
        "remove-issuer",
        "--dir",
        "root",
        "--id",
        "VN.BCA.C06",
    ]));
    w.sign_trust_list("trust.cwt");
    let (c, v) = w.verify(CHECKED, &new_text);
    assert_eq!(
        (c, v["verdict"].as_str()),
        (Some(1), Some("unknown_issuer"))
    );
}

#[test]
fn bad_rotations_exit_2_and_change_nothing() {
    let w = World::new();
    let state = w.path().join("root/root.json");
    let before = std::fs::read(&state).unwrap();
    let refused = |args: &[&str], words: &str| {
        let out = w.run(args);
        let err = fails(&out, 2);
        assert!(err.contains(words), "{args:?}: {err}");
        assert_eq!(
            std::fs::read(&state).unwrap(),
            before,
            "{args:?} changed root.json"
        );
    };
    let rotate_args = |pub_file: &'static str, until: &'static str| {
        vec![
            "--lang",
            "en",
            "root",
            "rotate-issuer",
            "--dir",
            "root",
            "--id",
            "VN.BCA.C06",
            "--issuer-pub",
            pub_file,
            "--old-until",
            until,
        ]
    };
    // A new key equal to the present one (the issuer has not made a new pair).
    refused(
        &rotate_args("iss/issuer.pub", "2099-01-01"),
        "already in the root's list",
    );

    ok(&w.run(&["issuer", "rotate-key", "--dir", "iss"]));
    // Overlap end in the past, or now-ish yesterday; beyond the old key's own end; not a date.
    refused(
        &rotate_args("iss/issuer.pub", "2020-01-01"),
        "not in the future",
    );
    refused(
        &rotate_args("iss/issuer.pub", "2020-01-01T00:00:00Z"),
        "not in the future",
    );
    refused(
        &rotate_args("iss/issuer.pub", "2099-01-01"),
        "never extends",
    );
    refused(&rotate_args("iss/issuer.pub", "31/12/2026"), "not a date");
    refused(&rotate_args("iss/issuer.pub", "2026-02-30"), "not a date");
    // A missing or broken public key file.
    refused(&rotate_args("iss/none.pub", "2099-01-01"), "none.pub");
    w.write("bad.pub", b"not a key");
    refused(&rotate_args("bad.pub", "2099-01-01"), "bad.pub");
    // An unknown issuer or a bad id.
    let mut unknown = rotate_args("iss/issuer.pub", "2099-01-01");
    unknown[7] = "VN.NONE";
    refused(&unknown, "no issuer VN.NONE");
    unknown[7] = "VN NONE";
    refused(&unknown, "Invalid id");
    // The same refusal in Vietnamese.
    let mut vi = rotate_args("iss/issuer.pub", "2020-01-01");
    vi[1] = "vi";
    refused(&vi, "không ở tương lai");

    // A valid rotation still works after all that.
    let until = rfc3339(now() + 30 * DAY);
    let out = w.run(&[
        "--lang",
        "vi",
        "root",
        "rotate-issuer",
        "--dir",
        "root",
        "--id",
        "VN.BCA.C06",
        "--issuer-pub",
        "iss/issuer.pub",
        "--old-until",
        &until,
    ]);
    assert!(ok(&out).contains("cả hai khóa"));
    assert_ne!(std::fs::read(&state).unwrap(), before);
    // Rotating to the same new key twice: refused.
    let again = std::fs::read(&state).unwrap();
    let out = w.run(&[
        "root",
        "rotate-issuer",
        "--dir",
        "root",
        "--id",
        "VN.BCA.C06",
        "--issuer-pub",
        "iss/issuer.pub",
        "--old-until",
        &until,
    ]);
    fails(&out, 2);
    assert_eq!(std::fs::read(&state).unwrap(), again);
}

#[test]
fn a_damaged_root_state_is_an_error_naming_the_file_never_a_fresh_start() {
    let w = World::new();
    let state = w.path().join("root/root.json");
    for damaged in [
        &b""[..],
        b"{\"id\":",
        b"{\"id\":\"VN.ROOT\",\"sequence\":1}",
    ] {
        std::fs::write(&state, damaged).unwrap();
        for args in [
            &[
                "root",
                "sign-trust-list",
                "--dir",
                "root",
                "--out",
                "t2.cwt",
            ][..],
            &[
                "root",
                "remove-issuer",
                "--dir",
                "root",
                "--id",
                "VN.BCA.C06",
            ],
            &[
                "root",
                "add-issuer",
                "--dir",
                "root",
                "--issuer-pub",
                "iss/issuer.pub",
                "--id",
                "VN.BCA.C06",
                "--doc-types",
                "cccd",
            ],
        ] {
            let out = w.run(&[&["--lang", "en"], args].concat());
            let err = fails(&out, 2);
            assert!(
                err.contains("root.json") && err.contains("damaged"),
                "{err}"
            );
            assert_eq!(std::fs::read(&state).unwrap(), damaged);
            assert!(!w.path().join("t2.cwt").exists());
        }
    }
}

#[test]
fn issuer_rotate_key_refusals_change_nothing() {
    let w = World::new();
    let listing = || {
        let mut names: Vec<_> = std::fs::read_dir(w.path().join("iss"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        (
            names,
            std::fs::read(w.path().join("iss/issuer.key")).unwrap(),
        )
    };
    let before = listing();
    let out = run_with_passphrase(
        w.path(),
        &["--lang", "en", "issuer", "rotate-key", "--dir", "iss"],
        "sai mật khẩu rồi",
    );
    assert!(fails(&out, 2).contains("passphrase"));
    assert_eq!(listing(), before);
    let out = w.run(&["issuer", "rotate-key", "--dir", "nowhere"]);
    fails(&out, 2);
    assert_eq!(listing(), before);
    // The issuer folder still signs with its key: a credential issued now verifies.
    let (text, _) = w.issue("cccd", &sample("cccd"));
    w.publish("st");
    assert_eq!(w.verify(CHECKED, &text).0, Some(0));
}
