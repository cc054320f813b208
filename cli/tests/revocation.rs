//! Revocation as the people who use it see it: an issuing office revokes, suspends and
//! reinstates; an officer with no signal checks codes against an offline bundle.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{code, json, ok, sample, stderr, stdout, World};
use giayto_issuer::registry::{RegistryBackend, SqliteRegistry};

fn audit_len(w: &World, serial: &str) -> usize {
    let mut reg = SqliteRegistry::open(&w.path().join("iss/registry.sqlite")).unwrap();
    reg.audit(&hex::decode(serial).unwrap()).unwrap().len()
}

fn bundle_verdict(w: &World, bundle: &str, text: &str) -> (Option<i32>, String) {
    let (c, v) = w.verify(&["--bundle", bundle], text);
    (c, v["verdict"].as_str().unwrap().to_owned())
}

#[test]
fn revoke_suspend_reinstate_seen_offline_through_a_bundle() {
    let w = World::new();
    let (gplx, gplx_serial) = w.issue("gplx", &sample("gplx"));
    let (cccd, cccd_serial) = w.issue("cccd", &sample("cccd"));
    w.publish("st");
    w.bundle("st", "day1.bundle");
    assert_eq!(
        bundle_verdict(&w, "day1.bundle", &gplx),
        (Some(0), "valid".into())
    );

    // The licence is withdrawn.
    let out = w.run(&[
        "revoke",
        "--dir",
        "iss",
        &gplx_serial,
        "--reason",
        "Tước giấy phép lái xe",
    ]);
    assert!(ok(&out).contains(&gplx_serial));
    // Until the lists are published again, the old bundle does not know.
    assert_eq!(
        bundle_verdict(&w, "day1.bundle", &gplx),
        (Some(0), "valid".into())
    );
    w.publish("st");
    w.bundle("st", "day2.bundle");
    assert_eq!(
        bundle_verdict(&w, "day2.bundle", &gplx),
        (Some(1), "revoked".into())
    );
    assert_eq!(
        bundle_verdict(&w, "day2.bundle", &cccd),
        (Some(0), "valid".into())
    );
    // People read it in both languages, with the holder's name still shown.
    let vi = w.run_verify(&[], &["--bundle", "day2.bundle"], &gplx);
    assert_eq!(code(&vi), Some(1));
    assert!(stdout(&vi).contains("ĐÃ BỊ THU HỒI"), "{}", stdout(&vi));
    assert!(stdout(&vi).contains("Trần Thị Mẫu"));
    assert!(stdout(&vi).contains("Gói dữ liệu ngoại tuyến lập lúc"));
    let en = w.run_verify(&["--lang", "en"], &["--bundle", "day2.bundle"], &gplx);
    assert!(stdout(&en).contains("REVOKED"), "{}", stdout(&en));
    assert!(stdout(&en).contains("Offline bundle made"));

    // The phone is lost: the ID card is suspended, then reinstated.
    ok(&w.run(&[
        "suspend",
        "--dir",
        "iss",
        &cccd_serial,
        "--reason",
        "Mất điện thoại",
    ]));
    w.publish("st");
    w.bundle("st", "day3.bundle");
    assert_eq!(
        bundle_verdict(&w, "day3.bundle", &cccd),
        (Some(1), "suspended".into())
    );
    ok(&w.run(&[
        "reinstate",
        "--dir",
        "iss",
        &cccd_serial,
        "--reason",
        "Đã tìm thấy",
    ]));
    // Reinstated in the registry, but verifiers learn it only from a newer list.
    assert_eq!(
        bundle_verdict(&w, "day3.bundle", &cccd),
        (Some(1), "suspended".into())
    );
    w.publish("st");
    w.bundle("st", "day4.bundle");
    assert_eq!(
        bundle_verdict(&w, "day4.bundle", &cccd),
        (Some(0), "valid".into())
    );
    assert_eq!(
        bundle_verdict(&w, "day4.bundle", &gplx),
        (Some(1), "revoked".into())
    );
    // The same from the loose files.
    let (c, v) = w.verify(&["--trust", "trust.cwt", "--status", "st"], &cccd);
    assert_eq!((c, v["verdict"].as_str()), (Some(0), Some("valid")));
    assert!(v["status_list"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("/VN.BCA.C06/1"));

    // Every change is in the audit trail with its reason.
    let mut reg = SqliteRegistry::open(&w.path().join("iss/registry.sqlite")).unwrap();
    let trail = reg.audit(&hex::decode(&cccd_serial).unwrap()).unwrap();
    let reasons: Vec<&str> = trail.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, ["Mất điện thoại", "Đã tìm thấy"]);
}

#[test]
fn impossible_or_unknown_changes_exit_2_and_change_nothing() {
    let w = World::new();
    let (_, serial) = w.issue("gplx", &sample("gplx"));
    ok(&w.run(&["revoke", "--dir", "iss", &serial, "--reason", "withdrawn"]));
    assert_eq!(audit_len(&w, &serial), 1);
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            vec!["reinstate", "--dir", "iss", &serial, "--reason", "x"],
            "đã thu hồi",
            "it is revoked",
        ),
        (
            vec!["suspend", "--dir", "iss", &serial, "--reason", "x"],
            "đã thu hồi",
            "it is revoked",
        ),
        (
            vec![
                "revoke",
                "--dir",
                "iss",
                "00112233445566778899",
                "--reason",
                "x",
            ],
            "00112233445566778899",
            "No credential with serial 00112233445566778899",
        ),
        (
            vec!["revoke", "--dir", "iss", "zz-not-hex", "--reason", "x"],
            "zz-not-hex",
            "is not a serial",
        ),
        (
            vec!["revoke", "--dir", "iss", &serial, "--reason", "   "],
            "lý do",
            "reason is required",
        ),
        (
            vec![
                "suspend",
                "--dir",
                "iss",
                "--holder",
                "079099000001",
                "--reason",
                "x",
            ],
            "079099000001",
            "No credential for holder 079099000001",
        ),
    ];
    for (args, vi, en) in cases {
        let out = w.run(&args);
        assert_eq!(code(&out), Some(2), "{args:?}");
        assert!(stderr(&out).contains(vi), "{args:?}: {}", stderr(&out));
        let mut en_args = vec!["--lang", "en"];
        en_args.extend(&args);
        let out = w.run(&en_args);
        assert_eq!(code(&out), Some(2));
        assert!(stderr(&out).contains(en), "{args:?}: {}", stderr(&out));
        assert_eq!(
            audit_len(&w, &serial),
            1,
            "{args:?} changed the audit trail"
        );
    }
}

#[test]
fn a_lost_phone_suspends_all_of_a_persons_papers_at_once() {
    let w = World::new();
    let mut serials = Vec::new();
    for t in ["cccd", "gplx", "bhyt"] {
        serials.push(w.issue(t, &sample(t)));
    }
    let holder = sample("cccd")["id_number"].as_str().unwrap().to_owned();
    ok(&w.run(&[
        "revoke",
        "--dir",
        "iss",
        &serials[2].1,
        "--reason",
        "card replaced",
    ]));
    let out = w.run(&[
        "--json",
        "suspend",
        "--dir",
        "iss",
        "--holder",
        &holder,
        "--reason",
        "Mất điện thoại",
    ]);
    let v = json(&out);
    assert_eq!(code(&out), Some(0));
    assert_eq!(v["changed"].as_array().unwrap().len(), 2);
    assert_eq!(v["skipped"][0]["serial"], serials[2].1.as_str());
    assert_eq!(v["skipped"][0]["status"], "revoked");
    w.publish("st");
    for (i, (text, _)) in serials.iter().enumerate() {
        let (_, v) = w.verify(&["--trust", "trust.cwt", "--status", "st"], text);
        let expected = if i == 2 { "revoked" } else { "suspended" };
        assert_eq!(v["verdict"], expected);
    }
}

#[test]
fn a_missing_list_fails_closed_unless_told_otherwise() {
    let w = World::new();
    let (text, _) = w.issue("cccd", &sample("cccd"));
    let (c, v) = w.verify(&["--trust", "trust.cwt"], &text);
    assert_eq!((c, v["verdict"].as_str()), (Some(1), Some("stale_status")));
    assert_eq!(v["reason"], "status_unavailable");
    let (c, v) = w.verify(&["--trust", "trust.cwt", "--allow-missing-status"], &text);
    assert_eq!((c, v["verdict"].as_str()), (Some(0), Some("valid")));
    assert_eq!(v["warnings"][0]["code"], "status_not_checked");
    let out = w.run_verify(
        &[],
        &["--trust", "trust.cwt", "--allow-missing-status"],
        &text,
    );
    assert!(
        stdout(&out).contains("CHƯA kiểm tra thu hồi"),
        "{}",
        stdout(&out)
    );
    // A week and two days later the published list is out of date.
    w.publish("st");
    let (c, v) = w.verify(
        &["--trust", "trust.cwt", "--status", "st", "--at", &later(9)],
        &text,
    );
    assert_eq!((c, v["verdict"].as_str()), (Some(1), Some("stale_status")));
    assert_eq!(v["reason"], "status_list_expired");
}

fn later(days: i64) -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + days * 86_400;
    time::OffsetDateTime::from_unix_timestamp(t)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn a_device_refuses_older_data_than_it_has_used() {
    let w = World::new();
    let (text, serial) = w.issue("gplx", &sample("gplx"));
    w.publish("st");
    w.bundle("st", "old.bundle");
    // Published lists carry their time to the second: make the next one visibly newer.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ok(&w.run(&["revoke", "--dir", "iss", &serial, "--reason", "withdrawn"]));
    w.publish("st");
    w.bundle("st", "new.bundle");
    assert_eq!(
        bundle_verdict(&w, "new.bundle", &text),
        (Some(1), "revoked".into())
    );
    // Replaying yesterday's bundle would hide the revocation: refused, in both languages.
    let out = w.run_verify(&[], &["--bundle", "old.bundle"], &text);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("cũ hơn bản thiết bị đã dùng"),
        "{}",
        stderr(&out)
    );
    let out = w.run_verify(&["--lang", "en"], &["--bundle", "old.bundle"], &text);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("older than one already used"),
        "{}",
        stderr(&out)
    );
    // A newer trust list is remembered too.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::copy(w.path().join("trust.cwt"), w.path().join("trust1.cwt")).unwrap();
    w.sign_trust_list("trust.cwt");
    let (c, _) = w.verify(&["--trust", "trust.cwt", "--status", "st"], &text);
    assert_eq!(c, Some(1));
    let out = w.run_verify(&[], &["--trust", "trust1.cwt", "--status", "st"], &text);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("số 1"), "{}", stderr(&out));
}

#[test]
fn a_stolen_issuer_key_is_cut_off_by_the_next_trust_list() {
    let w = World::new();
    let (text, _) = w.issue("cccd", &sample("cccd"));
    w.publish("st");
    let (c, _) = w.verify(&["--trust", "trust.cwt", "--status", "st"], &text);
    assert_eq!(c, Some(0));
    // Unknown issuer or key: exit 2, the root's list unchanged.
    let out = w.run(&["root", "remove-issuer", "--dir", "root", "--id", "VN.NONE"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("VN.NONE"));
    let out = w.run(&[
        "root",
        "remove-issuer",
        "--dir",
        "root",
        "--id",
        "VN.BCA.C06",
        "--kid",
        "0011223344556677",
    ]);
    assert_eq!(code(&out), Some(2));
    ok(&w.run(&[
        "root",
        "remove-issuer",
        "--dir",
        "root",
        "--id",
        "VN.BCA.C06",
    ]));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    w.sign_trust_list("trust.cwt");
    let (c, v) = w.verify(&["--trust", "trust.cwt", "--status", "st"], &text);
    assert_eq!(c, Some(1));
    assert_eq!(v["verdict"], "unknown_issuer");
}

#[test]
fn a_registry_from_before_status_lists_is_migrated_and_its_credentials_named_not_lost() {
    let w = World::new();
    let data = sample("cccd");
    let holder = data["id_number"].as_str().unwrap().to_owned();
    // The issuer's registry as the first release wrote it: schema 1, one credential of the
    // holder, issued without a status list entry.
    let db = w.path().join("iss/registry.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE credentials (serial BLOB PRIMARY KEY, doc_type TEXT NOT NULL,
             holder_id TEXT, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
             holder_key BLOB) WITHOUT ROWID;
         CREATE INDEX credentials_holder ON credentials(holder_id);
         PRAGMA user_version = 1;",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO credentials VALUES (x'a1a1a1a1a1a1a1a1a1a1', 'gplx', ?1, 1700000000,
             2000000000, NULL)",
        [&holder],
    )
    .unwrap();
    drop(conn);
    let legacy = "a1a1a1a1a1a1a1a1a1a1";

    // Revoking it is refused, in the user's language, and nothing is written.
    for (lang, words) in [
        ("vi", "được cấp trước khi có danh sách trạng thái"),
        ("en", "issued before status lists existed"),
    ] {
        let out = w.run(&[
            "--lang", lang, "revoke", "--dir", "iss", legacy, "--reason", "x",
        ]);
        assert_eq!(code(&out), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(words), "{}", stderr(&out));
    }
    assert_eq!(audit_len(&w, legacy), 0);

    // The migrated registry issues as before; a holder-wide suspension reaches the new
    // credential and names the old one it cannot reach.
    let (_, serial) = w.issue("cccd", &data);
    let out = w.run(&[
        "--lang",
        "en",
        "suspend",
        "--dir",
        "iss",
        "--holder",
        &holder,
        "--reason",
        "lost phone",
    ]);
    let text = ok(&out);
    assert!(text.contains(&serial), "{text}");
    assert!(
        text.contains(&format!("{legacy}: unchanged, issued before status lists")),
        "{text}"
    );
    assert_eq!(audit_len(&w, &serial), 1);
}
