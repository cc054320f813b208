//! `giayto wallet` as a user runs it: exit codes, messages in both languages, the file on disk,
//! crashes (kill -9) mid-write, and several processes at once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};

use common::{fails, json, ok, ok_json, sample, wallet_command, World, PASSCODE, WALLET_PASS};

/// A `World` whose commands carry the wallet settings, with the wallet's own helpers.
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
    fn wallet(&self) -> PathBuf {
        self.path().join("wallet.giayto")
    }
    fn wallet_bytes(&self) -> Vec<u8> {
        std::fs::read(self.wallet()).unwrap()
    }
    /// Issue a credential of type `t`, bound to the key in `holder_pub` if given; its QR text.
    fn issue(&self, t: &str, holder_pub: Option<&str>) -> String {
        let data = self.write_json(&format!("{t}.json"), &sample(t));
        let mut args = vec!["issue", "--dir", "iss", "--type", t, "--data", &data];
        if let Some(p) = holder_pub {
            args.extend(["--holder-pub", p]);
        }
        ok(&self.run(&args)).trim().to_owned()
    }
    /// `wallet add`, checked against the trust list and the issuer's current status lists.
    fn add(&self, text: &str) -> Output {
        self.publish();
        self.run(&[
            "wallet",
            "add",
            "--root",
            "root/root.pub",
            "--trust",
            "trust.cwt",
            "--status",
            "status",
            text,
        ])
    }
    /// Publish the issuer's status lists (as a checkpoint would sync them) into `status/`.
    fn publish(&self) {
        let _ = std::fs::remove_dir_all(self.path().join("status"));
        self.w.publish("status");
    }
    /// `verify --json` with the trust list and the issuer's current status lists.
    fn verify(&self, text: &str, extra: &[&str]) -> Output {
        self.publish();
        let extra = [&["--trust", "trust.cwt", "--status", "status"][..], extra].concat();
        self.run_verify(&["--json"], &extra, text)
    }
    fn present(&self, extra: &[&str]) -> String {
        let mut args = vec!["--json", "wallet", "present"];
        args.extend_from_slice(extra);
        let v = ok_json(&self.run(&args));
        v["text"].as_str().unwrap().to_owned()
    }
}

/// A root, an issuer, a trust list, and a wallet for Nguyễn Văn An with one dependent.
fn setup() -> Setup {
    let s = Setup {
        w: World::empty(wallet_command).set_up("Cục C06", &[]),
    };
    ok(&s.run(&["wallet", "init", "--name", "Nguyễn Văn An"]));
    ok(&s.run(&["wallet", "pubkey", "--out", "holder.pub"]));
    ok(&s.run(&[
        "wallet",
        "dependent",
        "add",
        "--name",
        "Nguyễn Thị Bình",
        "--relationship",
        "con",
    ]));
    ok(&s.run(&[
        "wallet",
        "pubkey",
        "--person",
        "Nguyễn Thị Bình",
        "--out",
        "child.pub",
    ]));
    s
}

fn rfc3339_in(seconds: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::seconds(seconds))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn issued_to_the_wallet_presented_verified_fresh_and_rejected_when_replayed() {
    let s = setup();
    let pem = std::fs::read_to_string(s.path().join("holder.pub")).unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(ok(&s.run(&["wallet", "pubkey"])), pem);

    let licence = s.issue("gplx", Some("holder.pub"));
    let card = s.issue("bhyt", Some("child.pub"));
    ok(&s.add(&licence));
    ok(&s.add(&card));

    // Listed by person.
    let list = ok_json(&s.run(&["--json", "wallet", "list", "--passcode"]));
    let persons = list["persons"].as_array().unwrap();
    assert_eq!(persons.len(), 2);
    assert_eq!(persons[0]["name"], "Nguyễn Văn An");
    assert_eq!(persons[0]["holder"], true);
    assert_eq!(persons[0]["documents"][0]["doc_type"], "gplx");
    assert_eq!(persons[1]["relationship"], "con");
    assert_eq!(persons[1]["documents"][0]["doc_type"], "bhyt");
    let human = ok(&s.run(&["wallet", "list"]));
    assert!(human.contains("Nguyễn Văn An (chủ ví)"), "{human}");
    assert!(human.contains("Nguyễn Thị Bình (con)"), "{human}");
    let en = ok(&s.run(&["--lang", "en", "wallet", "list"]));
    assert!(
        en.contains("(holder)") && en.contains("Health insurance card"),
        "{en}"
    );

    for (args, doc) in [
        (vec!["--doc", "gplx", "--passcode"], "gplx"),
        (vec!["--doc", "bhyt", "--person", "Nguyễn Thị Bình"], "bhyt"),
    ] {
        let vp = s.present(&args);
        assert!(vp.starts_with("VP1:"), "{vp}");
        let fresh = ok_json(&s.verify(&vp, &[]));
        assert_eq!(fresh["verdict"], "valid");
        assert_eq!(fresh["presentation"], true);
        assert_eq!(fresh["doc_type"], doc);
        // The same code an hour later: a screenshot replayed.
        let later = rfc3339_in(3600);
        let out = s.verify(&vp, &["--at", &later]);
        assert_eq!(out.status.code(), Some(1));
        let v = json(&out);
        assert_eq!(v["verdict"], "stale_presentation");
        assert_eq!(v["reason"], "presentation_time");
    }
    // A verifier may widen the window (a slow queue at a counter): 50 minutes later is stale
    // by default, fresh with --presentation-window 3600; a zero window is a usage error.
    let vp = s.present(&["--doc", "gplx"]);
    let later = rfc3339_in(3000);
    let out = s.verify(&vp, &["--at", &later]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "stale_presentation");
    let wide = ok_json(&s.verify(&vp, &["--at", &later, "--presentation-window", "3600"]));
    assert_eq!(wide["verdict"], "valid", "{wide}");
    fails(&s.verify(&vp, &["--presentation-window", "0"]), 2);

    // The dependent's document is not the holder's.
    fails(&s.run(&["wallet", "present", "--doc", "bhyt"]), 2);

    // Human verdicts in both languages.
    let vp = s.present(&["--doc", "gplx"]);
    s.publish();
    let now_vi = ok(&s.run_verify(&[], &["--trust", "trust.cwt", "--status", "status"], &vp));
    assert!(now_vi.contains("Do chính người giữ xuất trình"), "{now_vi}");
    let now_en = ok(&s.run_verify(
        &["--lang", "en"],
        &["--trust", "trust.cwt", "--status", "status"],
        &vp,
    ));
    assert!(now_en.contains("Shown by its holder"), "{now_en}");
    assert_eq!(ok_json(&s.verify(&licence, &[]))["presentation"], false);
    let later = rfc3339_in(3600);
    let vi = s.run_verify(&[], &["--trust", "trust.cwt", "--at", &later], &vp);
    assert!(String::from_utf8_lossy(&vi.stdout).contains("MÃ TRÌNH DIỆN ĐÃ CŨ"));
    let en = s.run_verify(
        &["--lang", "en"],
        &["--trust", "trust.cwt", "--at", &later],
        &vp,
    );
    assert!(String::from_utf8_lossy(&en.stdout).contains("screenshot or a replay"));

    // PNG and text file outputs carry a presentation that verifies.
    ok(&s.run(&[
        "wallet", "present", "--doc", "gplx", "--png", "vp.png", "--out", "vp.txt",
    ]));
    assert_eq!(ok_json(&s.verify("vp.png", &[]))["verdict"], "valid");
    assert_eq!(ok_json(&s.verify("@vp.txt", &[]))["verdict"], "valid");

    // Show: the card and the issued text.
    let shown = ok_json(&s.run(&["--json", "wallet", "show", "--doc", "gplx", "--passcode"]));
    assert_eq!(shown["text"], licence);
    assert_eq!(
        shown["fields"]["full_name"],
        giayto_model::sample_input(giayto_model::DocType::Gplx)["full_name"]
    );
}

#[test]
fn nonce_mode_accepts_the_challenge_and_rejects_another() {
    let s = setup();
    // Added from a picture of the code.
    let text = s.issue("cccd", Some("holder.pub"));
    std::fs::write(s.path().join("cccd.txt"), &text).unwrap();
    ok(&s.run(&["qr", "render", "@cccd.txt", "--out", "cccd.png"]));
    ok(&s.add("cccd.png"));
    let vp = s.present(&[
        "--doc",
        "cccd",
        "--nonce",
        "00112233445566778899aabbccddeeff",
    ]);
    let good = ok_json(&s.verify(&vp, &["--nonce", "00112233445566778899AABBCCDDEEFF"]));
    assert_eq!(good["verdict"], "valid");
    let out = s.verify(&vp, &["--nonce", "0badc0de"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "stale_presentation");
    assert_eq!(v["reason"], "nonce_mismatch");
    let plain = s.present(&["--doc", "cccd"]);
    let v = json(&s.verify(&plain, &["--nonce", "0badc0de"]));
    assert_eq!(v["reason"], "nonce_missing");
    // A verifier that asks for a challenge does not accept the static code either.
    let out = s.verify(&text, &["--nonce", "0badc0de"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "stale_presentation");
    assert_eq!(v["presentation"], false);
    for bad in ["xyz", "", &"00".repeat(65)] {
        let e = fails(&s.verify(&vp, &["--nonce", bad]), 2);
        assert!(e.contains("nonce"), "{e}");
        fails(
            &s.run(&["wallet", "present", "--doc", "cccd", "--nonce", bad]),
            2,
        );
    }
}

#[test]
fn add_refuses_unbound_foreign_and_invalid_credentials_and_changes_nothing() {
    let s = setup();
    let before = s.wallet_bytes();
    let unbound = s.issue("cccd", None);
    let vi = fails(&s.add(&unbound), 2);
    assert!(vi.contains("không gắn với khóa"), "{vi}");
    let en = fails(
        &s.run(&[
            "--lang",
            "en",
            "wallet",
            "add",
            "--root",
            "root/root.pub",
            "--trust",
            "trust.cwt",
            &unbound,
        ]),
        2,
    );
    assert!(en.contains("bound to no holder key"), "{en}");

    // Someone else's credential: issued to another wallet's key.
    let other = World::empty(wallet_command);
    ok(&other.run(&["wallet", "init", "--name", "Lê Văn Cường"]));
    ok(&other.run(&["wallet", "pubkey", "--out", "other.pub"]));
    let other_pub = other.path().join("other.pub").display().to_string();
    let foreign = s.issue("gplx", Some(&other_pub));
    let e = fails(&s.add(&foreign), 2);
    assert!(e.contains("người khác"), "{e}");

    // Not valid: the issuer signature is broken.
    let good = s.issue("gplx", Some("holder.pub"));
    let mut chars: Vec<char> = good.chars().collect();
    let i = chars.len() - 3;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let broken: String = chars.into_iter().collect();
    fails(&s.add(&broken), 2);
    // Not a credential at all, and a presentation is not a credential either.
    let e = fails(&s.add("https://example.invalid"), 2);
    assert!(e.contains("VN1:"), "{e}");
    assert_eq!(s.wallet_bytes(), before, "refusals change nothing");
    ok(&s.add(&good));
    let e = fails(&s.add(&good), 2);
    assert!(e.contains("đã có trong ví"), "{e}");
}

#[test]
fn wrong_password_and_passcode_exit_2_and_change_only_the_counter() {
    let s = setup();
    let before = s.wallet_bytes();
    for args in [
        vec!["wallet", "list"],
        vec!["wallet", "unlock"],
        vec!["wallet", "change-password"],
        vec!["wallet", "export", "--out", "b.bak"],
        vec![
            "wallet",
            "dependent",
            "add",
            "--name",
            "X",
            "--relationship",
            "mẹ",
        ],
    ] {
        let e = s.run_with(&args, &[("GIAYTO_PASSPHRASE", "Sai-Mật-Khẩu-1")]);
        assert!(fails(&e, 2).contains("Sai mật khẩu"), "{args:?}");
    }
    assert!(!s.path().join("b.bak").exists());
    assert_eq!(s.wallet_bytes(), before, "a wrong password changes nothing");

    let en = s.run_with(
        &["--lang", "en", "wallet", "list", "--passcode"],
        &[("GIAYTO_PASSCODE", "111111")],
    );
    assert!(fails(&en, 2).contains("Wrong passcode"));
    let after = s.wallet_bytes();
    assert_ne!(after, before, "the wrong passcode is counted");
    assert_eq!(after[after.len() - 64..], before[before.len() - 64..]);
    let vi = s.run_with(
        &["wallet", "list", "--passcode"],
        &[("GIAYTO_PASSCODE", "222222")],
    );
    assert!(fails(&vi, 2).contains("Sai passcode"));
    // Two wrong in a row: the third try has to wait, even with the right passcode.
    let wait = s.run(&["wallet", "list", "--passcode"]);
    assert!(fails(&wait, 2).contains("thử lại sau"));
    // The password still opens it and clears the count.
    ok(&s.run(&["wallet", "list"]));
    ok(&s.run(&["wallet", "list", "--passcode"]));
}

#[test]
fn a_malformed_passcode_is_refused_without_counting_a_try_or_changing_the_file() {
    let s = setup();
    let wrong = |code: &str| {
        let out = s.run_with(
            &["--lang", "en", "wallet", "list", "--passcode"],
            &[("GIAYTO_PASSCODE", code)],
        );
        fails(&out, 2)
    };
    let e = wrong("111111");
    assert!(e.contains("4 tries left"), "{e}");
    let before = s.wallet_bytes();
    for bad in ["abc", "12345", "1234567", "12 345", "١٢٣٤٥٦", ""] {
        let vi = s.run_with(
            &["wallet", "list", "--passcode"],
            &[("GIAYTO_PASSCODE", bad)],
        );
        let e = fails(&vi, 2);
        assert!(vi.stdout.is_empty(), "{bad:?}");
        assert!(e.contains("không phải 6 chữ số"), "{bad:?}: {e}");
        assert!(e.contains("Không tính là một lần nhập sai"), "{bad:?}: {e}");
        assert!(!e.contains("Sai passcode"), "{bad:?}: {e}");
        let en = s.run_with(
            &["--lang", "en", "--json", "wallet", "show", "--passcode"],
            &[("GIAYTO_PASSCODE", bad)],
        );
        assert_eq!(en.status.code(), Some(2));
        assert_eq!(
            json(&en)["error"]["code"],
            "wallet-error-passcode-malformed"
        );
        let e = String::from_utf8_lossy(&en.stderr);
        assert!(
            e.contains("not 6 digits") && e.contains("not counted"),
            "{e}"
        );
    }
    assert_eq!(
        s.wallet_bytes(),
        before,
        "malformed passcodes change nothing"
    );
    // The count of wrong tries did not move: the next wrong one is the second.
    let e = wrong("222222");
    assert!(e.contains("3 tries left"), "{e}");
}

/// `cmd` run with no controlling terminal (a new session, through `setsid`), so that a prompt
/// fails as it does in a script even when the tests run in a terminal. `None` when `setsid`
/// is missing and a terminal is there (the prompt would wait for typing).
fn without_terminal(cmd: &std::process::Command) -> Option<Output> {
    let setsid = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("setsid"))
            .find(|p| p.is_file())
    });
    let mut c = match setsid {
        Some(setsid) => {
            let mut c = std::process::Command::new(setsid);
            c.arg("-w").arg(cmd.get_program()).args(cmd.get_args());
            c
        }
        None if std::fs::File::open("/dev/tty").is_ok() => return None,
        None => {
            let mut c = std::process::Command::new(cmd.get_program());
            c.args(cmd.get_args());
            c
        }
    };
    if let Some(dir) = cmd.get_current_dir() {
        c.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    Some(c.stdin(Stdio::null()).output().unwrap())
}

#[test]
fn a_missing_secret_names_the_variable_that_supplies_it() {
    let s = setup();
    let before = s.wallet_bytes();
    // (arguments, variable left out, the variable the message must name)
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["wallet", "list", "--passcode"],
            "GIAYTO_PASSCODE",
            "GIAYTO_PASSCODE",
        ),
        (
            &["wallet", "list"],
            "GIAYTO_PASSPHRASE",
            "GIAYTO_PASSPHRASE",
        ),
        (
            &["wallet", "change-password"],
            "GIAYTO_NEW_PASSPHRASE",
            "GIAYTO_NEW_PASSPHRASE",
        ),
    ];
    for (args, unset, named) in cases {
        for lang in ["vi", "en"] {
            let args = [&["--lang", lang][..], args].concat();
            let mut cmd = s.command_with(&args, &[]);
            cmd.env_remove(unset);
            let Some(out) = without_terminal(&cmd) else {
                eprintln!("skipped: a terminal is there and setsid is not");
                return;
            };
            let e = fails(&out, 2);
            let hint = e
                .lines()
                .find(|l| {
                    l.contains(named)
                        && l.contains(if lang == "vi" {
                            "biến môi trường"
                        } else {
                            "environment variable"
                        })
                })
                .unwrap_or_else(|| panic!("{args:?}: no hint naming {named}: {e}"));
            if named != "GIAYTO_PASSPHRASE" {
                assert!(!e.contains("GIAYTO_PASSPHRASE"), "{args:?}: {e}");
            }
            let expected = if lang == "vi" {
                "Chạy lệnh"
            } else {
                "Run the command"
            };
            assert!(hint.contains(expected), "{hint}");
        }
    }
    assert_eq!(s.wallet_bytes(), before, "nothing changed");
}

#[test]
fn a_locked_wallet_shows_and_presents_nothing_until_the_password_unlocks_it() {
    let s = setup();
    ok(&s.add(&s.issue("gplx", Some("holder.pub"))));
    ok(&s.run(&["wallet", "lock"]));
    for args in [
        vec!["wallet", "list"],
        vec!["wallet", "list", "--passcode"],
        vec!["wallet", "show", "--doc", "gplx"],
        vec!["wallet", "present", "--doc", "gplx"],
        vec!["wallet", "present", "--doc", "gplx", "--passcode"],
        vec!["wallet", "pubkey"],
    ] {
        let out = s.run(&args);
        let e = fails(&out, 2);
        assert!(out.stdout.is_empty(), "{args:?} printed something");
        assert!(e.contains("khóa"), "{args:?}: {e}");
    }
    let en = fails(&s.run(&["--lang", "en", "wallet", "list"]), 2);
    assert!(en.contains("locked"), "{en}");
    // The passcode cannot unlock it.
    let e = s.run_with(&["wallet", "unlock"], &[("GIAYTO_PASSPHRASE", PASSCODE)]);
    fails(&e, 2);
    ok(&s.run(&["wallet", "unlock"]));
    ok(&s.run(&["wallet", "list", "--passcode"]));
    assert!(s
        .present(&["--doc", "gplx", "--passcode"])
        .starts_with("VP1:"));
}

#[test]
fn init_enforces_the_password_rules_in_both_languages() {
    let dir = World::empty(wallet_command);
    let out = dir.run_with(
        &["wallet", "init", "--name", "A"],
        &[("GIAYTO_PASSPHRASE", "matkhau")],
    );
    let e = fails(&out, 2);
    for rule in ["8 đến 20", "chữ số", "chữ viết hoa", "ký tự đặc biệt"] {
        assert!(e.contains(rule), "{rule}: {e}");
    }
    let out = dir.run_with(
        &["--lang", "en", "wallet", "init", "--name", "A"],
        &[("GIAYTO_PASSPHRASE", "Password123")],
    );
    let e = fails(&out, 2);
    assert!(
        e.contains("special character") && !e.contains("digit"),
        "{e}"
    );
    let out = dir.run_with(
        &["wallet", "init", "--name", "A"],
        &[("GIAYTO_PASSCODE", "12345")],
    );
    assert!(fails(&out, 2).contains("6 chữ số"));
    assert!(!dir.path().join("wallet.giayto").exists());
    ok(&dir.run(&["wallet", "init", "--name", "A"]));
    fails(&dir.run(&["wallet", "init", "--name", "B"]), 2);
    fails(&dir.run(&["wallet", "list", "--wallet", "none"]), 2);
}

#[test]
fn export_import_change_password_and_remove() {
    let s = setup();
    ok(&s.add(&s.issue("bhyt", Some("child.pub"))));
    ok(&s.run(&["wallet", "export", "--out", "backup.giayto"]));
    fails(&s.run(&["wallet", "export", "--out", "backup.giayto"]), 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["backup.giayto", "wallet.giayto", "wallet.giayto.device"] {
            let mode = std::fs::metadata(s.path().join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }
    ok(&s.run_with(
        &["wallet", "change-password"],
        &[("GIAYTO_NEW_PASSPHRASE", "Mới-Mật-Khẩu-7")],
    ));
    fails(&s.run(&["wallet", "list"]), 2);
    ok(&s.run_with(
        &["wallet", "list"],
        &[("GIAYTO_PASSPHRASE", "Mới-Mật-Khẩu-7")],
    ));
    ok(&s.run(&["wallet", "list", "--passcode"]));
    fails(
        &s.run_with(
            &["wallet", "change-password"],
            &[("GIAYTO_NEW_PASSPHRASE", "weak")],
        ),
        2,
    );

    // The backup keeps the old password and restores into a new wallet with a new passcode.
    let imported = s.run_with(
        &[
            "wallet",
            "import",
            "--wallet",
            "restored.giayto",
            "--from",
            "backup.giayto",
        ],
        &[("GIAYTO_PASSCODE", "975310")],
    );
    ok(&imported);
    let list = ok_json(&s.run_with(
        &[
            "--json",
            "wallet",
            "list",
            "--wallet",
            "restored.giayto",
            "--passcode",
        ],
        &[("GIAYTO_PASSCODE", "975310")],
    ));
    assert_eq!(list["persons"][1]["documents"][0]["doc_type"], "bhyt");
    fails(
        &s.run(&[
            "wallet",
            "import",
            "--wallet",
            "restored.giayto",
            "--from",
            "backup.giayto",
        ]),
        2,
    );
    fails(
        &s.run(&[
            "wallet",
            "import",
            "--wallet",
            "r2.giayto",
            "--from",
            "trust.cwt",
        ]),
        2,
    );

    // Remove needs the password, then the document is gone.
    let e = fails(
        &s.run(&[
            "wallet",
            "remove",
            "--doc",
            "bhyt",
            "--person",
            "Nguyễn Thị Bình",
            "--passcode",
        ]),
        2,
    );
    assert!(e.contains("mật khẩu"), "{e}");
    ok(&s.run_with(
        &[
            "wallet",
            "remove",
            "--doc",
            "bhyt",
            "--person",
            "Nguyễn Thị Bình",
        ],
        &[("GIAYTO_PASSPHRASE", "Mới-Mật-Khẩu-7")],
    ));
    fails(
        &s.run_with(
            &[
                "wallet",
                "show",
                "--doc",
                "bhyt",
                "--person",
                "Nguyễn Thị Bình",
            ],
            &[("GIAYTO_PASSPHRASE", "Mới-Mật-Khẩu-7")],
        ),
        2,
    );
}

fn wait_for(path: &Path, child: &mut Child) {
    for _ in 0..6000 {
        if path.exists() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("child exited before pausing: {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    panic!("child never reached the pause point");
}

#[test]
fn kill_9_mid_write_never_loses_the_wallet() {
    let s = setup();
    for (point, committed) in [
        ("tmp-partial", false),
        ("tmp-synced", false),
        ("renamed", true),
    ] {
        let name = format!("Người {point}");
        let marker = s.path().join("wallet.giayto.paused");
        let _ = std::fs::remove_file(&marker);
        let before = s.wallet_bytes();
        let mut child = s
            .command_with(
                &[
                    "wallet",
                    "dependent",
                    "add",
                    "--name",
                    &name,
                    "--relationship",
                    "mẹ",
                ],
                &[("GIAYTO_WALLET_TEST_PAUSE", point)],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(&marker, &mut child);
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success());
        if !committed {
            assert_eq!(s.wallet_bytes(), before, "{point}: old wallet intact");
        }
        // The lock died with the process; the wallet opens and says what it should.
        let list = ok_json(&s.run(&["--json", "wallet", "list"]));
        let names: Vec<&str> = list["persons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names.contains(&name.as_str()),
            committed,
            "{point}: {names:?}"
        );
    }
    // The next write succeeds and clears leftover temporary files.
    ok(&s.run(&[
        "wallet",
        "dependent",
        "add",
        "--name",
        "Cuối",
        "--relationship",
        "bố",
    ]));
    let leftovers: Vec<_> = std::fs::read_dir(s.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn processes_writing_at_once_do_not_corrupt_the_wallet() {
    let s = setup();
    let children: Vec<Child> = (0..4)
        .map(|i| {
            s.command_with(
                &[
                    "wallet",
                    "dependent",
                    "add",
                    "--name",
                    &format!("Cháu {i}"),
                    "--relationship",
                    "cháu",
                ],
                &[],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = ok_json(&s.run(&["--json", "wallet", "list", "--passcode"]));
    let names: Vec<String> = list["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    for i in 0..4 {
        assert!(names.contains(&format!("Cháu {i}")), "{names:?}");
    }
}

#[test]
fn present_watch_keeps_showing_without_holding_the_wallet() {
    use std::io::BufRead;
    let s = setup();
    ok(&s.add(&s.issue("gplx", Some("holder.pub"))));
    let mut child = s
        .command_with(
            &[
                "--json",
                "wallet",
                "present",
                "--doc",
                "gplx",
                "--passcode",
                "--watch",
            ],
            &[],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // While the code is on screen, other commands can use the wallet.
    let listed = s.run(&["--json", "wallet", "list"]);
    child.kill().unwrap();
    let _ = child.wait();
    ok(&listed);
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    let text = v["text"].as_str().unwrap();
    assert_eq!(ok_json(&s.verify(text, &[]))["verdict"], "valid");
}

/// Wait for `child` to end by itself. `limit` is only a safety net against a hung process (it
/// is killed and the test fails); how fast it ends is not what is tested.
fn wait_or_kill(child: &mut Child, limit: std::time::Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the process did not end by itself");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn present_watch_stops_by_itself_when_the_wallet_is_locked() {
    use std::io::{BufRead, Read};
    let s = setup();
    ok(&s.add(&s.issue("gplx", Some("holder.pub"))));
    let mut child = s
        .command_with(
            &[
                "--json",
                "wallet",
                "present",
                "--doc",
                "gplx",
                "--passcode",
                "--watch",
            ],
            &[("GIAYTO_WALLET_WATCH_MS", "20")],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    // While the wallet is not locked it keeps making new codes.
    let mut codes = Vec::new();
    for _ in 0..3 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        codes.push(v["text"].as_str().unwrap().to_owned());
    }
    assert!(codes.iter().all(|c| c.starts_with("VP1:")), "{codes:?}");
    // The rest of its output is read as it comes, so a full pipe never holds it up.
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        rest
    });
    ok(&s.run(&["wallet", "lock"]));
    let status = wait_or_kill(&mut child, std::time::Duration::from_secs(120));
    assert_eq!(status.code(), Some(2), "documented exit code");
    let rest = rest.join().unwrap();
    let last: serde_json::Value = serde_json::from_str(rest.lines().last().unwrap()).unwrap();
    assert_eq!(
        last["error"]["code"],
        "wallet-error-locked-while-presenting"
    );
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("vừa bị khóa"), "{err}");
    assert!(err.contains("giayto wallet unlock"), "{err}");
    // Nothing is presented afterwards either, and a mistyped interval knob is refused.
    fails(
        &s.run(&["wallet", "present", "--doc", "gplx", "--passcode"]),
        2,
    );
    ok(&s.run(&["wallet", "unlock"]));
    let e = fails(
        &s.run_with(
            &["wallet", "present", "--doc", "gplx", "--watch"],
            &[("GIAYTO_WALLET_WATCH_MS", "soon")],
        ),
        2,
    );
    assert!(e.contains("GIAYTO_WALLET_WATCH_MS"), "{e}");
}

#[test]
fn a_credential_whose_status_cannot_be_checked_here_is_stored_with_a_note() {
    let s = setup();
    let issuer_key = giayto_trust::keys::read_secret_key(
        &s.path().join("iss/issuer.key"),
        &giayto_trust::SecretString::from(WALLET_PASS.to_owned()),
    )
    .unwrap();
    let holder = giayto_trust::keys::read_public_key(&s.path().join("holder.pub")).unwrap();
    let doc = giayto_model::Document::from_json(
        giayto_model::DocType::Cccd,
        &giayto_model::sample_input(giayto_model::DocType::Cccd),
    )
    .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let request = giayto_issuer::credential::CredentialRequest {
        document: &doc,
        serial: vec![0x5A; 10],
        issued_at: now,
        not_before: None,
        expires_at: now + 86_400,
        holder_key: Some(holder.to_bytes()),
        assurance_level: 2,
        status: Some(giayto_cose::claims::StatusRef {
            idx: 7,
            uri: "https://status.example.invalid/c06/1".into(),
        }),
    };
    let cose =
        giayto_issuer::credential::sign_credential(&issuer_key, "VN.BCA.C06", &request).unwrap();
    let text = giayto_cose::text::encode(giayto_cose::text::Kind::Credential, &cose, None);
    let out = s.add(&text);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("trạng thái thu hồi"));
    let list = ok_json(&s.run(&["--json", "wallet", "list"]));
    assert_eq!(list["persons"][0]["documents"][0]["doc_type"], "cccd");
}

#[test]
fn a_presentation_of_a_revoked_or_suspended_credential_is_not_valid() {
    let s = setup();
    ok(&s.add(&s.issue("gplx", Some("holder.pub"))));
    ok(&s.add(&s.issue("bhyt", Some("child.pub"))));
    let list = ok_json(&s.run(&["--json", "wallet", "list"]));
    let serial = |p: usize| {
        list["persons"][p]["documents"][0]["serial"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    ok(&s.run(&[
        "revoke",
        "--dir",
        "iss",
        &serial(0),
        "--reason",
        "withdrawn",
    ]));
    ok(&s.run(&[
        "suspend",
        "--dir",
        "iss",
        &serial(1),
        "--reason",
        "Mất điện thoại",
    ]));
    for (args, verdict) in [
        (vec!["--doc", "gplx"], "revoked"),
        (
            vec!["--doc", "bhyt", "--person", "Nguyễn Thị Bình"],
            "suspended",
        ),
    ] {
        let vp = s.present(&args);
        let out = s.verify(&vp, &[]);
        assert_eq!(out.status.code(), Some(1));
        let v = json(&out);
        assert_eq!(v["verdict"], verdict);
        assert_eq!(v["presentation"], true);
    }
}

#[test]
fn wallet_add_refuses_data_older_than_the_device_has_used() {
    let s = setup();
    let licence = s.issue("gplx", Some("holder.pub"));
    let card = s.issue("bhyt", Some("child.pub"));
    s.publish();
    s.bundle("status", "old.bundle");
    // Published lists carry their time to the second: make the next one visibly newer.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    s.publish();
    s.bundle("status", "new.bundle");
    let add = |bundle: &str, text: &str, extra: &[&str]| {
        let mut args = vec![
            "wallet",
            "add",
            "--root",
            "root/root.pub",
            "--bundle",
            bundle,
        ];
        args.extend_from_slice(extra);
        args.push(text);
        s.run(&args)
    };
    ok(&add("new.bundle", &licence, &[]));
    // Handed yesterday's bundle afterwards: refused, nothing stored.
    let err = fails(&add("old.bundle", &card, &[]), 2);
    assert!(err.contains("cũ hơn bản thiết bị đã dùng"), "{err}");
    let count = |s: &Setup| {
        ok_json(&s.run(&["--json", "wallet", "list", "--passcode"]))["persons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["documents"].as_array().unwrap().len())
            .sum::<usize>()
    };
    assert_eq!(count(&s), 1);
    // --no-state: checked against that bundle alone, as asked.
    ok(&add("old.bundle", &card, &["--no-state"]));
    assert_eq!(count(&s), 2);
}
