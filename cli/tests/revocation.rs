//! Revocation as the people who use it see it: an issuing office revokes, suspends and
//! reinstates; an officer with no signal checks codes against an offline bundle.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{code, json, ok, remove_issuer_args, sample, stderr, stdout, World, CHECKED};
use giayto_issuer::registry::{RegistryBackend, SqliteRegistry};

fn audit_len(w: &World, serial: &str) -> usize {
    let mut reg = SqliteRegistry::open(&w.path().join("iss/registry.sqlite")).unwrap();
    reg.audit(&hex::decode(serial).unwrap()).unwrap().len()
}

/// `verify --bundle {bundle}`: the exit code is `code` and the verdict `verdict`.
fn expect_in_bundle(w: &World, bundle: &str, text: &str, code: i32, verdict: &str) {
    w.expect_verdict(&["--bundle", bundle], text, code, verdict);
}

/// `{global} suspend --dir iss --holder {holder} --reason {reason}`: all of one person's papers.
fn suspend_holder<'a>(global: &[&'a str], holder: &'a str, reason: &'a str) -> Vec<&'a str> {
    let suspend = [
        "suspend", "--dir", "iss", "--holder", holder, "--reason", reason,
    ];
    [global, &suspend].concat()
}

#[test]
fn revoke_suspend_reinstate_seen_offline_through_a_bundle() {
    let w = World::new();
    let (gplx, gplx_serial) = w.issue("gplx", &sample("gplx"));
    let (cccd, cccd_serial) = w.issue("cccd", &sample("cccd"));
    w.publish("st");
    w.bundle("st", "day1.bundle");
    expect_in_bundle(&w, "day1.bundle", &gplx, 0, "valid");

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
    expect_in_bundle(&w, "day1.bundle", &gplx, 0, "valid");
    w.publish("st");
    w.bundle("st", "day2.bundle");
    expect_in_bundle(&w, "day2.bundle", &gplx, 1, "revoked");
    expect_in_bundle(&w, "day2.bundle", &cccd, 0, "valid");
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
    expect_in_bundle(&w, "day3.bundle", &cccd, 1, "suspended");
    ok(&w.run(&[
        "reinstate",
        "--dir",
        "iss",
        &cccd_serial,
        "--reason",
        "Đã tìm thấy",
    ]));
    // Reinstated in the registry, but verifiers learn it only from a newer list.
    expect_in_bundle(&w, "day3.bundle", &cccd, 1, "suspended");
    w.publish("st");
    w.bundle("st", "day4.bundle");
    expect_in_bundle(&w, "day4.bundle", &cccd, 0, "valid");
    expect_in_bundle(&w, "day4.bundle", &gplx, 1, "revoked");
    // The same from the loose files.
    let v = w.expect_verdict(CHECKED, &cccd, 0, "valid");
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
            suspend_holder(&[], "079099000001", "x"),
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
    let out = w.run(&suspend_holder(&["--json"], &holder, "Mất điện thoại"));
    let v = json(&out);
    assert_eq!(code(&out), Some(0));
    assert_eq!(v["changed"].as_array().unwrap().len(), 2);
    assert_eq!(v["skipped"][0]["serial"], serials[2].1.as_str());
    assert_eq!(v["skipped"][0]["status"], "revoked");
    w.publish("st");
    for (i, (text, _)) in serials.iter().enumerate() {
        let (_, v) = w.verify(CHECKED, text);
        let expected = if i == 2 { "revoked" } else { "suspended" };
        assert_eq!(v["verdict"], expected);
    }
}

#[test]
fn a_missing_list_fails_closed_unless_told_otherwise() {
    let w = World::new();
    let (text, _) = w.issue("cccd", &sample("cccd"));
    let v = w.expect_verdict(&["--trust", "trust.cwt"], &text, 1, "stale_status");
    assert_eq!(v["reason"], "status_unavailable");
    let unchecked = ["--trust", "trust.cwt", "--allow-missing-status"];
    let v = w.expect_verdict(&unchecked, &text, 0, "valid");
    assert_eq!(v["warnings"][0]["code"], "status_not_checked");
    let out = w.run_verify(&[], &unchecked, &text);
    assert!(
        stdout(&out).contains("CHƯA kiểm tra thu hồi"),
        "{}",
        stdout(&out)
    );
    // A week and two days later the published list is out of date.
    w.publish("st");
    let at = later(9);
    let nine_days_on = [CHECKED, &["--at", &at]].concat();
    let v = w.expect_verdict(&nine_days_on, &text, 1, "stale_status");
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
    expect_in_bundle(&w, "new.bundle", &text, 1, "revoked");
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
    let (c, _) = w.verify(CHECKED, &text);
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
    let (c, _) = w.verify(CHECKED, &text);
    assert_eq!(c, Some(0));
    // Unknown issuer or key: exit 2, the root's list unchanged.
    let out = w.run(&remove_issuer_args("VN.NONE", None));
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("VN.NONE"));
    let out = w.run(&remove_issuer_args("VN.BCA.C06", Some("0011223344556677")));
    assert_eq!(code(&out), Some(2));
    ok(&w.run(&remove_issuer_args("VN.BCA.C06", None)));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    w.sign_trust_list("trust.cwt");
    w.expect_verdict(CHECKED, &text, 1, "unknown_issuer");
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
    let out = w.run(&suspend_holder(&["--lang", "en"], &holder, "lost phone"));
    let text = ok(&out);
    assert!(text.contains(&serial), "{text}");
    assert!(
        text.contains(&format!("{legacy}: unchanged, issued before status lists")),
        "{text}"
    );
    assert_eq!(audit_len(&w, &serial), 1);
}

/// The electronic hold (docs/format.md §9.3): `hold` and `release`, seen offline; a hold on a
/// suspended paper returns it to suspended; a hold whose end has come is released by the next
/// `status publish`, audited.
#[test]
fn hold_and_release_seen_offline_and_ended_by_publish() {
    use giayto_issuer::registry::{Target, HOLD_ENDED_REASON};
    let w = World::new();
    let (gplx, gplx_serial) = w.issue("gplx", &sample("gplx"));
    let (cccd, cccd_serial) = w.issue("cccd", &sample("cccd"));
    w.publish("st");
    w.bundle("st", "day1.bundle");
    expect_in_bundle(&w, "day1.bundle", &gplx, 0, "valid");

    // The traffic police hold the licence through 31/12/2099.
    let out = w.run(&[
        "--json",
        "hold",
        "--dir",
        "iss",
        &gplx_serial,
        "--reason",
        "Vi phạm nồng độ cồn, biên bản 0012",
        "--until",
        "2099-12-31",
    ]);
    let v = json(&out);
    assert_eq!(code(&out), Some(0), "{v}");
    assert_eq!(v["action"], "hold");
    assert_eq!(v["changed"][0]["from"], "valid");
    assert_eq!(v["changed"][0]["to"], "held");
    assert_eq!(v["changed"][0]["after_release"], "valid");
    // Held through that day: it ends at the first moment of the next, Vietnam time.
    assert_eq!(v["until"], "2100-01-01T00:00:00+07:00");
    w.publish("st");
    w.bundle("st", "day2.bundle");
    let v = w.expect_verdict(&["--bundle", "day2.bundle"], &gplx, 1, "held");
    assert_eq!(v["reason"], "held");
    assert_eq!(v["fields"]["full_name"], "Trần Thị Mẫu");
    expect_in_bundle(&w, "day2.bundle", &cccd, 0, "valid");
    let vi = w.run_verify(&[], &["--bundle", "day2.bundle"], &gplx);
    assert!(stdout(&vi).contains("ĐANG BỊ TẠM GIỮ"), "{}", stdout(&vi));
    let en = w.run_verify(&["--lang", "en"], &["--bundle", "day2.bundle"], &gplx);
    assert!(stdout(&en).contains("HELD"), "{}", stdout(&en));

    // Holding twice, releasing what is not held, and an end in the past change nothing.
    let before = audit_len(&w, &gplx_serial);
    for (args, en) in [
        (
            vec!["hold", "--dir", "iss", &gplx_serial, "--reason", "again"],
            "it is held",
        ),
        (
            vec!["release", "--dir", "iss", &cccd_serial, "--reason", "x"],
            "it is valid",
        ),
        (
            vec![
                "hold",
                "--dir",
                "iss",
                &cccd_serial,
                "--reason",
                "x",
                "--until",
                "2020-01-01",
            ],
            "must be later than now",
        ),
        (
            vec![
                "hold",
                "--dir",
                "iss",
                &cccd_serial,
                "--reason",
                "x",
                "--until",
                "31/12/2099",
            ],
            "“31/12/2099” is not a date or time for the end of a hold",
        ),
    ] {
        let mut en_args = vec!["--lang", "en"];
        en_args.extend(&args);
        let out = w.run(&en_args);
        assert_eq!(code(&out), Some(2), "{args:?}");
        assert!(stderr(&out).contains(en), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(audit_len(&w, &gplx_serial), before);
    assert_eq!(audit_len(&w, &cccd_serial), 0);

    // Released: valid again once published.
    let out = w.run(&[
        "release",
        "--dir",
        "iss",
        &gplx_serial,
        "--reason",
        "Đã chấp hành quyết định xử phạt",
    ]);
    assert!(
        ok(&out).contains("đang tạm giữ → còn hiệu lực"),
        "{}",
        stdout(&out)
    );
    w.publish("st");
    w.bundle("st", "day3.bundle");
    expect_in_bundle(&w, "day3.bundle", &gplx, 0, "valid");

    // A citizen's lock (suspension) and a hold at once: the release returns it to suspended.
    ok(&w.run(&[
        "suspend",
        "--dir",
        "iss",
        &cccd_serial,
        "--reason",
        "Khóa tài khoản định danh",
    ]));
    ok(&w.run(&["hold", "--dir", "iss", &cccd_serial, "--reason", "Tạm giữ"]));
    let v = json(&w.run(&[
        "--json",
        "release",
        "--dir",
        "iss",
        &cccd_serial,
        "--reason",
        "Trả",
    ]));
    assert_eq!(v["changed"][0]["to"], "suspended");

    // A hold whose end has passed (recorded through the library, whose time is an argument)
    // is released by the next publish, which says so.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    {
        let mut reg = SqliteRegistry::open(&w.path().join("iss/registry.sqlite")).unwrap();
        reg.hold(
            &Target::Serial(hex::decode(&gplx_serial).unwrap()),
            "tạm giữ 7 ngày",
            now - 8 * 86_400,
            Some(now - 86_400),
        )
        .unwrap();
    }
    let v = json(&w.run(&["--json", "status", "publish", "--dir", "iss", "--out", "st"]));
    assert_eq!(v["released"][0]["serial"], gplx_serial.as_str());
    assert_eq!(v["released"][0]["to"], "valid");
    assert_eq!(v["lists"][0]["held"], 0);
    w.bundle("st", "day4.bundle");
    expect_in_bundle(&w, "day4.bundle", &gplx, 0, "valid");
    let mut reg = SqliteRegistry::open(&w.path().join("iss/registry.sqlite")).unwrap();
    let trail = reg.audit(&hex::decode(&gplx_serial).unwrap()).unwrap();
    assert_eq!(trail.last().unwrap().reason, HOLD_ENDED_REASON);
    // Nothing more is due: the next publish releases nothing.
    let v = json(&w.run(&["--json", "status", "publish", "--dir", "iss", "--out", "st"]));
    assert_eq!(v["released"].as_array().unwrap().len(), 0);
}
