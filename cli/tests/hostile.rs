//! Inputs that once ended in a panic (exit 101): a closed pipe on stdout, times near the end of
//! year 9999, no folder for the device state. Each now ends with a documented exit code.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::process::Stdio;

use common::*;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

/// A `status.json` vector's text and time.
fn status_vector(name: &str) -> (String, i64) {
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vectors().join("status.json")).unwrap()).unwrap();
    let v = s["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap();
    (
        v["text"].as_str().unwrap().to_owned(),
        v["at"].as_i64().unwrap(),
    )
}

fn at(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// `verify` of `text` at `when` against the vectors' bundle, with `extra` arguments.
fn verify_at(text: &str, when: &str, extra: &[&str]) -> std::process::Output {
    let mut args = verify_args(text, when);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_bare(&args)
}

fn verify_args(text: &str, when: &str) -> Vec<String> {
    let v = vectors();
    vec![
        "verify".into(),
        "--root".into(),
        v.join("root.pub").display().to_string(),
        "--bundle".into(),
        v.join("bundle.cbor").display().to_string(),
        "--no-state".into(),
        "--at".into(),
        when.into(),
        text.into(),
    ]
}

#[test]
fn a_closed_stdout_ends_quietly_with_the_commands_own_exit_code() {
    let (text, ts) = status_vector("status_valid");
    let (revoked, _) = status_vector("status_revoked");
    for (text, expected) in [(&text, 0), (&revoked, 1)] {
        for extra in [&[][..], &["--json"][..]] {
            let mut args = verify_args(text, &at(ts));
            args.extend(extra.iter().map(|s| s.to_string()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut child = bare(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // The reader goes away before the verifier writes a line.
            drop(child.stdout.take());
            let mut err = String::new();
            let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut err));
            let status = child.wait().unwrap();
            assert_eq!(status.code(), Some(expected), "{err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

#[test]
fn times_near_year_9999_never_panic() {
    let (text, _) = status_vector("status_valid");
    // The last second that has a date at +07:00, and the last one of the wire format.
    for when in [
        "9999-12-31T16:59:59Z",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59+07:00",
    ] {
        for as_json in [false, true] {
            let out = verify_at(&text, when, if as_json { &["--json"] } else { &[] });
            // Checked long after every list and the trust list went stale: a verdict, not a crash.
            assert_eq!(code(&out), Some(1), "{when}: {}", stderr(&out));
            assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
            if as_json {
                assert_eq!(json(&out)["valid"], false);
            }
        }
    }
    // Past the wire format's range, or no time at all: a usage error naming the value.
    for when in [
        "10000-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z",
        "not a time",
    ] {
        let out = verify_at(&text, when, &["--lang", "en"]);
        assert_eq!(code(&out), Some(2), "{when}");
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn without_a_state_folder_rollback_protection_says_it_is_off() {
    let (text, ts) = status_vector("status_valid");
    let v = vectors();
    let root = v.join("root.pub").display().to_string();
    let bundle = v.join("bundle.cbor").display().to_string();
    let when = at(ts);
    for (lang, words) in [
        ("en", "rollback protection is off"),
        ("vi", "chống quay lui"),
    ] {
        let out = bare(&[
            "verify", "--root", &root, "--bundle", &bundle, "--at", &when, "--lang", lang, &text,
        ])
        .env_remove("HOME")
        .env_remove("XDG_STATE_HOME")
        .env_remove("GIAYTO_STATE_DIR")
        .output()
        .unwrap();
        assert_eq!(code(&out), Some(0), "{}", stderr(&out));
        assert!(stderr(&out).contains(words), "{lang}: {}", stderr(&out));
    }
}

#[test]
fn a_status_list_from_the_future_is_refused_and_not_remembered() {
    // The vectors' lists were published in November 2026. A device whose clock says 2020
    // sees them as dated years ahead: refused (exit 2), and the state folder stays empty, so
    // the same device with a right clock later accepts them.
    let (text, ts) = status_vector("status_valid");
    let dir = tempfile::tempdir().unwrap();
    let v = vectors();
    let root = v.join("root.pub").display().to_string();
    let bundle = v.join("bundle.cbor").display().to_string();
    let when = at(ts);
    let args = [
        "verify", "--root", &root, "--bundle", &bundle, "--at", &when, "--lang", "en", &text,
    ];
    let out = command_with(dir.path(), &args, &[("GIAYTO_TEST_NOW", "1577836800")])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("after this device's clock"),
        "{}",
        stderr(&out)
    );
    let state = dir.path().join("device-state");
    assert!(
        !state.exists() || std::fs::read_dir(&state).unwrap().next().is_none(),
        "nothing remembered"
    );
    let out = command(dir.path(), &args).output().unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
}
