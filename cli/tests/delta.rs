//! Revocation updates by QR code (docs/format.md §9.7): an issuing office makes a `VD1:` code
//! of the changes since the list a checkpoint device holds; the device scans it into its
//! offline bundle, with the checks of a full list, and refuses a code that is not for it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{code, fails, json, ok, ok_json, sample, stderr, World};

const LIST: &str = "st/VN.BCA.C06-1.statuslist.cwt";

/// Status lists carry their `iat` in whole seconds, and an update must lead to a newer list.
fn next_second() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

fn apply<'a>(global: &[&'a str], bundle: &'a str, input: &'a str) -> Vec<&'a str> {
    let args = [
        "bundle",
        "apply",
        "--root",
        "root/root.pub",
        "--bundle",
        bundle,
        input,
    ];
    [global, &args].concat()
}

fn delta<'a>(since: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "--json", "status", "delta", "--dir", "iss", "--since", since, "--out", out,
    ]
}

fn read(w: &World, name: &str) -> Vec<u8> {
    std::fs::read(w.path().join(name)).unwrap()
}

/// A world with a gplx and a cccd issued, lists published into `st/`, and a device bundle
/// `device.bundle` that has been used once (so the device remembers its lists).
fn checkpoint() -> (World, String, String, String) {
    let w = World::new();
    let (gplx, gplx_serial) = w.issue("gplx", &sample("gplx"));
    let (cccd, _) = w.issue("cccd", &sample("cccd"));
    w.publish("st");
    w.bundle("st", "device.bundle");
    w.expect_verdict(&["--bundle", "device.bundle"], &gplx, 0, "valid");
    (w, gplx, gplx_serial, cccd)
}

#[test]
fn a_scanned_update_brings_the_revocation_to_an_offline_device() {
    let (w, gplx, gplx_serial, cccd) = checkpoint();
    // Not in the second the list was published (see `same_second_changes`).
    next_second();
    ok(&w.run(&[
        "revoke",
        "--dir",
        "iss",
        &gplx_serial,
        "--reason",
        "Tước giấy phép lái xe",
    ]));
    next_second();
    let made = ok_json(&w.run(&delta(LIST, "update.png")));
    assert_eq!(made["changes"], 1);
    assert_eq!(made["ecc"], "Q");
    assert!(made["qr_version"].as_u64().unwrap() <= 15, "{made}");
    assert!(made["uri"].as_str().unwrap().ends_with("/VN.BCA.C06/1"));
    // The device scans the picture.
    let out = w.run(&apply(&["--lang", "en"], "device.bundle", "update.png"));
    let text = ok(&out);
    assert!(text.contains("(1 change(s))"), "{text}");
    assert!(text.contains("carries 1 status update(s)"), "{text}");
    w.expect_verdict(&["--bundle", "device.bundle"], &gplx, 1, "revoked");
    // The list the device now checks against carries the update's times.
    let v = w.expect_verdict(&["--bundle", "device.bundle"], &cccd, 0, "valid");
    assert_eq!(v["status_list"]["issued_at"], made["issued_at"]);
    assert_eq!(v["status_list"]["expires_at"], made["expires_at"]);
    // The update leads to exactly the list the office publishes at that moment: a device with
    // the published list gives the same verdicts (checked entry by entry in giayto-issuer).
    w.publish("st2");
    w.expect_verdict(
        &["--trust", "trust.cwt", "--status", "st2"],
        &gplx,
        1,
        "revoked",
    );

    // The same update from the publication time instead of the file, as text.
    let since = made["base_issued_at"].as_str().unwrap().to_owned();
    next_second();
    let out = w.run(&delta(&since, "again.txt"));
    assert!(!stderr(&out).contains("second"), "{}", stderr(&out));
    let from_time = ok_json(&out);
    assert_eq!(from_time["changes"], 1);
    assert!(String::from_utf8(read(&w, "again.txt"))
        .unwrap()
        .starts_with("VD1:"));
    // Made from the bundle's own full list, it replaces the first update.
    let out = w.run(&apply(&["--json"], "device.bundle", "@again.txt"));
    let v = ok_json(&out);
    assert_eq!(v["applied"][0]["replaced"], 1);
    assert_eq!(v["status_deltas"], 1);
}

#[test]
fn updates_not_for_this_device_are_refused_in_both_languages_and_change_nothing() {
    let (w, gplx, gplx_serial, _) = checkpoint();
    ok(&w.run(&["revoke", "--dir", "iss", &gplx_serial, "--reason", "x"]));
    next_second();
    ok(&w.run(&delta(LIST, "first.txt")));
    // A second device took the first update; this one will be offered updates for others.
    std::fs::copy(
        w.path().join("device.bundle"),
        w.path().join("updated.bundle"),
    )
    .unwrap();
    ok(&w.run(&apply(&[], "updated.bundle", "@first.txt")));
    next_second();
    w.publish("st-later");
    next_second();
    ok(&w.run(&delta(
        "st-later/VN.BCA.C06-1.statuslist.cwt",
        "from-later.txt",
    )));
    let text = String::from_utf8(read(&w, "first.txt")).unwrap();
    {
        // Change one character of the base45 body near its end (inside the signature).
        let mut t = text.trim().to_owned().into_bytes();
        let i = t.len() - 3;
        t[i] = if t[i] == b'A' { b'B' } else { b'A' };
        w.write("forged.txt", &t);
    }
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        // Its base is a list the device never held.
        (
            "device.bundle",
            "@from-later.txt",
            "thiết bị này đang giữ danh sách công bố lúc",
            "this device holds the one published",
        ),
        // The update already taken, again: an old update.
        (
            "updated.bundle",
            "@first.txt",
            "không mới hơn bản thiết bị đang giữ",
            "not newer than the one this device holds",
        ),
        (
            "device.bundle",
            "@forged.txt",
            "Mã cập nhật trạng thái không hợp lệ",
            "Not a valid status update code",
        ),
        // A credential is not an update.
        (
            "device.bundle",
            &gplx,
            "Mã cập nhật trạng thái không hợp lệ: no VD1: prefix",
            "Not a valid status update code: no VD1: prefix",
        ),
    ];
    for (bundle, input, vi, en) in cases {
        let before = read(&w, bundle);
        let err = fails(&w.run(&apply(&[], bundle, input)), 2);
        assert!(err.contains(vi), "{input}: {err}");
        let err = fails(&w.run(&apply(&["--lang", "en"], bundle, input)), 2);
        assert!(err.contains(en), "{input}: {err}");
        assert_eq!(read(&w, bundle), before, "{input} changed {bundle}");
    }
    // The wrong-base refusal says what to do instead.
    let err = stderr(&w.run(&apply(
        &["--lang", "en"],
        "device.bundle",
        "@from-later.txt",
    )));
    assert!(err.contains("sync a full bundle"), "{err}");
    let out = w.run(&apply(&["--json"], "device.bundle", "@from-later.txt"));
    assert_eq!(code(&out), Some(2));
    assert_eq!(json(&out)["error"]["code"], "error-delta-wrong-base");
}

#[test]
fn the_device_memory_refuses_an_update_older_than_what_it_has_used() {
    let (w, _, gplx_serial, _) = checkpoint();
    ok(&w.run(&["revoke", "--dir", "iss", &gplx_serial, "--reason", "x"]));
    next_second();
    ok(&w.run(&delta(LIST, "first.txt")));
    std::fs::copy(
        w.path().join("device.bundle"),
        w.path().join("old-copy.bundle"),
    )
    .unwrap();
    next_second();
    // The device takes an update whose list is newer than the first one's.
    ok(&w.run(&delta(LIST, "second.txt")));
    ok(&w.run(&apply(&[], "device.bundle", "@second.txt")));
    // An old copy of its bundle offered the first update: newer than that copy's list, but
    // older than what this device has used.
    let before = read(&w, "old-copy.bundle");
    let err = fails(
        &w.run(&apply(&["--lang", "en"], "old-copy.bundle", "@first.txt")),
        2,
    );
    assert!(err.contains("older than one already used"), "{err}");
    assert_eq!(read(&w, "old-copy.bundle"), before);
    // Without the device memory the same update is taken.
    let mut args = apply(&[], "old-copy.bundle", "@first.txt");
    args.push("--no-state");
    ok(&w.run(&args));
}

#[test]
fn the_office_refuses_what_cannot_become_an_update() {
    let (w, _, _, _) = checkpoint();
    let other = World::new();
    other.issue("cccd", &sample("cccd"));
    other.publish("st");
    let foreign = other.path().join(LIST).display().to_string();
    next_second();
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            delta(LIST, "update.pdf"),
            "hãy dùng tên .png",
            "use a .png (QR code) or .txt",
        ),
        (
            delta("yesterday", "u.txt"),
            "không phải tệp danh sách trạng thái",
            "neither a status list file nor a time",
        ),
        (
            delta(&foreign, "u.txt"),
            "không phải danh sách trạng thái của cơ quan cấp này",
            "is not a status list of this issuer",
        ),
        (
            [&delta("1700000000", "u.txt")[..], &["--list", "7"]].concat(),
            "không có danh sách trạng thái",
            "has no status list https://giayto.example/st/VN.BCA.C06/7",
        ),
        (
            delta("9999999999", "u.txt"),
            "không sớm hơn bây giờ",
            "not before now",
        ),
    ];
    for (args, vi, en) in cases {
        let args: Vec<&str> = args.into_iter().filter(|a| *a != "--json").collect();
        let err = fails(&w.run(&args), 2);
        assert!(err.contains(vi), "{args:?}: {err}");
        let en_args = [&["--lang", "en"][..], &args].concat();
        let err = fails(&w.run(&en_args), 2);
        assert!(err.contains(en), "{args:?}: {err}");
        assert!(!w.path().join("u.txt").exists());
    }
    // `bundle apply` and the options of `bundle` do not mix.
    let out = w.run(&[
        "bundle",
        "--out",
        "x.bundle",
        "apply",
        "--root",
        "root/root.pub",
        "--bundle",
        "device.bundle",
        "@u.txt",
    ]);
    assert_eq!(code(&out), Some(2));
}
