//! Issuer-side defects found when the toolkit was attacked, each pinned by a test: a missing
//! or empty registry is refused instead of silently re-created; two batches into one output
//! folder cannot interleave; an over-long batch line is refused without being read whole;
//! `issue` never records a credential whose files could not be written; a secret key file
//! open to other users is flagged.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{fails, json, ok, sample, stderr, World};

fn batch<'a>(input: &'a str, out_dir: &'a str) -> Vec<&'a str> {
    vec![
        "issue-batch",
        "--dir",
        "iss",
        "--type",
        "cccd",
        "--input",
        input,
        "--out-dir",
        out_dir,
    ]
}

/// `n` CCCD rows as JSON lines, each with its own (synthetic) name.
fn jsonl_rows(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let mut row = sample("cccd");
            row["full_name"] = format!("Trần Thị Mẫu {}", i + 1).into();
            serde_json::to_string(&row).unwrap()
        })
        .collect()
}

/// Regression: deleting or truncating ISS/registry.sqlite and issuing again used to create
/// a fresh registry, so the next `status publish` undid every revocation.
#[test]
fn every_command_refuses_a_missing_or_empty_registry_and_creates_nothing() {
    let w = World::new();
    let (_, serial) = w.issue("cccd", &sample("cccd"));
    ok(&w.run(&["revoke", "--dir", "iss", &serial, "--reason", "Mất thẻ"]));
    let registry = w.path().join("iss/registry.sqlite");
    let data = w.write_json("cccd.json", &sample("cccd"));
    w.write("rows.jsonl", jsonl_rows(2).join("\n").as_bytes());

    let commands: Vec<Vec<&str>> = vec![
        vec!["issue", "--dir", "iss", "--type", "cccd", "--data", &data],
        vec![
            "issue", "--dir", "iss", "--type", "cccd", "--data", &data, "--out", "c.txt",
        ],
        batch("rows.jsonl", "batch-out"),
        vec!["revoke", "--dir", "iss", &serial, "--reason", "x"],
        vec!["suspend", "--dir", "iss", &serial, "--reason", "x"],
        vec!["reinstate", "--dir", "iss", &serial, "--reason", "x"],
        vec!["status", "publish", "--dir", "iss", "--out", "st"],
    ];
    for (state, contents) in [("missing", None), ("empty", Some(&b""[..]))] {
        let _ = std::fs::remove_file(&registry);
        if let Some(bytes) = contents {
            std::fs::write(&registry, bytes).unwrap();
        }
        for args in &commands {
            let err = fails(&w.run(args), 2);
            assert!(err.contains("registry.sqlite"), "{state} {args:?}: {err}");
            assert!(err.contains("sao lưu"), "{state} {args:?}: {err}");
            assert!(
                err.contains("giayto issuer init"),
                "{state} {args:?}: {err}"
            );
            match contents {
                None => assert!(!registry.exists(), "{args:?} created a registry"),
                Some(b) => assert_eq!(std::fs::read(&registry).unwrap(), b, "{args:?}"),
            }
            for made in ["c.txt", "batch-out", "st"] {
                assert!(!w.path().join(made).exists(), "{args:?} made {made}");
            }
        }
    }
    // In English, with how it can happen.
    let out = w.run(&[
        "--lang", "en", "status", "publish", "--dir", "iss", "--out", "st",
    ]);
    let err = fails(&out, 2);
    assert!(
        err.contains("is empty or is not a giayto registry"),
        "{err}"
    );
    assert!(err.contains("backup"), "{err}");
    std::fs::remove_file(&registry).unwrap();
    let out = w.run(&[
        "--lang", "en", "--json", "revoke", "--dir", "iss", &serial, "--reason", "x",
    ]);
    assert_eq!(json(&out)["error"]["code"], "error-registry-missing");
    assert!(stderr(&out).contains("does not exist"));
    // Init does not take over the folder either.
    let init = w.run(&[
        "issuer",
        "init",
        "--dir",
        "iss",
        "--id",
        "VN.BCA.C06",
        "--name",
        "X",
    ]);
    fails(&init, 2);
    assert!(!registry.exists());
}

/// Regression: two `issue-batch` runs into one --out-dir raced on
/// `.credentials.txt.partial`; one exited 0 with lines lost.
#[test]
fn a_second_batch_into_a_busy_output_folder_is_refused_and_a_later_run_works() {
    use fs4::fs_std::FileExt;
    let w = World::new();
    w.write("rows.jsonl", jsonl_rows(3).join("\n").as_bytes());
    std::fs::create_dir(w.path().join("out")).unwrap();
    // Another run holds the folder (the lock another process takes).
    let lock = std::fs::File::create(w.path().join("out/.batch.lock")).unwrap();
    assert!(lock.try_lock_exclusive().unwrap());
    let err = fails(&w.run(&batch("rows.jsonl", "out")), 2);
    assert!(err.contains("issue-batch"), "{err}");
    assert!(err.contains("out"), "{err}");
    let out = w.run(
        &["--lang", "en", "--json"]
            .iter()
            .copied()
            .chain(batch("rows.jsonl", "out"))
            .collect::<Vec<_>>(),
    );
    assert_eq!(json(&out)["error"]["code"], "error-batch-busy");
    assert!(stderr(&out).contains("in use by another issue-batch run"));
    // Nothing was issued or written meanwhile.
    assert_eq!(w.registry_count(), 0);
    let names: Vec<String> = std::fs::read_dir(w.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [".batch.lock"]);

    // Once the other run is over, a run goes through, and runs again resume as before.
    drop(lock);
    ok(&w.run(&batch("rows.jsonl", "out")));
    assert_eq!(w.registry_count(), 3);
    let first = std::fs::read_to_string(w.path().join("out/credentials.txt")).unwrap();
    assert_eq!(first.lines().count(), 3);
    let again = ok(&w.run(&batch("rows.jsonl", "out")));
    assert!(again.contains("khôi phục 3"), "{again}");
    assert_eq!(w.registry_count(), 3);
    assert_eq!(
        std::fs::read_to_string(w.path().join("out/credentials.txt")).unwrap(),
        first
    );
}

/// Two real runs at once: exactly one goes through, whole; the other is refused with
/// exit 2, and each line is issued once.
#[test]
fn two_batches_started_together_never_interleave() {
    let w = World::new();
    w.write("rows.jsonl", jsonl_rows(400).join("\n").as_bytes());
    let args = batch("rows.jsonl", "out");
    let children: Vec<_> = (0..2)
        .map(|_| {
            w.command_with(&args, &[])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<i32> = outputs.iter().map(|o| o.status.code().unwrap()).collect();
    for o in outputs.iter().filter(|o| o.status.code() == Some(2)) {
        assert!(stderr(o).contains("issue-batch khác"), "{}", stderr(o));
    }
    // Either the second was refused while the first ran, or (if the first ended before the
    // second started) it resumed: never two writers at once.
    assert!(codes.contains(&0), "{codes:?}");
    assert!(codes.iter().all(|c| *c == 0 || *c == 2), "{codes:?}");
    let text = std::fs::read_to_string(w.path().join("out/credentials.txt")).unwrap();
    assert!(!text.contains('\0'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 400);
    assert!(lines.iter().all(|l| l.starts_with("VN1:")));
    assert_eq!(w.registry_count(), 400);
}

/// Regression: a 200 MB single-line input was read whole before the 256 KiB line check.
/// Now a long line is refused by its line number (as bad rows are) and the rest issued.
#[test]
fn an_over_long_batch_line_is_a_bad_row_by_line_number() {
    let w = World::new();
    let rows = jsonl_rows(3);
    let long = format!("{{\"full_name\": \"{}\"}}", "A".repeat(4 << 20));
    let input = [
        rows[0].as_str(),
        long.as_str(),
        rows[1].as_str(),
        rows[2].as_str(),
    ]
    .join("\n");
    w.write("long.jsonl", input.as_bytes());
    let out = w.run(
        &["--json"]
            .iter()
            .copied()
            .chain(batch("long.jsonl", "out"))
            .collect::<Vec<_>>(),
    );
    let summary = json(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(summary["issued"], 3);
    assert_eq!(summary["bad_rows"], 1);
    assert_eq!(summary["errors"][0]["line"], 2);
    assert_eq!(summary["errors"][0]["problem"], "too-long");

    // The same in CSV, line numbers counting the header, and a too-long header is refused.
    let mut csv = String::from("full_name,id_number\n");
    csv.push_str("Lê Văn Một,001090000001\n");
    csv.push_str(&format!("{},001090000002\n", "B".repeat(3 << 20)));
    csv.push_str("Lê Văn Ba,001090000003\n");
    w.write("long.csv", csv.as_bytes());
    let out = w.run(
        &["--json"]
            .iter()
            .copied()
            .chain(batch("long.csv", "out-csv"))
            .collect::<Vec<_>>(),
    );
    let summary = json(&out);
    let lines: Vec<u64> = summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4], "{summary}");
    assert_eq!(summary["errors"][1]["problem"], "too-long");
    let header = format!("{}\nLê Văn Một\n", "c".repeat(1 << 20));
    w.write("header.csv", header.as_bytes());
    let err = fails(&w.run(&batch("header.csv", "out-h")), 2);
    assert!(err.contains("header.csv"), "{err}");
}

/// Regression: `issue --out` into a place that cannot be written recorded a credential
/// nobody received. (A folder path, which even root cannot write a file over.)
#[test]
fn issue_records_nothing_when_its_output_cannot_be_written() {
    let w = World::new();
    let data = w.write_json("cccd.json", &sample("cccd"));
    std::fs::create_dir(w.path().join("a-folder")).unwrap();
    let issue = |extra: &[&str]| {
        let mut args = vec!["issue", "--dir", "iss", "--type", "cccd", "--data", &data];
        args.extend_from_slice(extra);
        w.run(&args)
    };
    for extra in [
        &["--out", "a-folder"][..],
        &["--png", "a-folder"],
        &["--out", "c.txt", "--png", "a-folder"],
        &["--out", "c.txt", "--svg", "c.svg", "--png", "a-folder"],
    ] {
        let err = fails(&issue(extra), 2);
        assert!(err.contains("a-folder"), "{extra:?}: {err}");
        assert_eq!(w.registry_count(), 0, "{extra:?}");
        for left in ["c.txt", "c.svg"] {
            assert!(!w.path().join(left).exists(), "{extra:?} left {left}");
        }
        let stray: Vec<_> = std::fs::read_dir(w.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(stray.is_empty(), "{stray:?}");
    }
    // Written: recorded, and the files hold the credential.
    let out = ok(&issue(&[
        "--out", "c.txt", "--png", "c.png", "--svg", "c.svg",
    ]));
    assert_eq!(w.registry_count(), 1);
    let text = std::fs::read_to_string(w.path().join("c.txt")).unwrap();
    assert_eq!(text.trim(), out.trim());
    assert!(w.path().join("c.png").exists() && w.path().join("c.svg").exists());
}

/// Regression: an issuer.key readable by group or others was used without a word.
#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others_is_used_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    let data = w.write_json("cccd.json", &sample("cccd"));
    let key = w.path().join("iss/issuer.key");
    let issue = |lang: &str| {
        w.run(&[
            "--lang", lang, "issue", "--dir", "iss", "--type", "cccd", "--data", &data,
        ])
    };
    let out = issue("vi");
    ok(&out);
    assert!(!stderr(&out).contains("chmod"), "{}", stderr(&out));

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = issue("vi");
    ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("Cảnh báo") && err.contains("issuer.key"),
        "{err}"
    );
    assert!(err.contains("chmod 600") && err.contains("644"), "{err}");
    let out = issue("en");
    ok(&out);
    assert!(
        stderr(&out).contains("can be read by other users"),
        "{}",
        stderr(&out)
    );
    // The root key too.
    std::fs::set_permissions(
        w.path().join("root/root.key"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let out = w.run(&[
        "root",
        "sign-trust-list",
        "--dir",
        "root",
        "--out",
        "t2.cwt",
    ]);
    ok(&out);
    assert!(stderr(&out).contains("root.key") && stderr(&out).contains("chmod 600"));
}
