//! One-time selective-disclosure copies from the command line (docs/decisions.md D110–D113):
//! `wallet keys`, `issue --copies N --holder-pubs`, `issue --copies-for`, `issue-batch --sd
//! --copies N`, `wallet add --sd` of the copies, `wallet present` using each copy once, and
//! revocation reaching every copy. The test issue 13 asks for: two presentations of one document
//! share no byte string of 8 bytes or more beyond the issuer's, the format's and the disclosed.
//!
//! Over 600 lines on purpose: every flow needs the same issuer, wallet and verifier set-up, and
//! the unlinkability check carries its own small CBOR walker (to tell skeleton from data).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;
#[path = "../../crates/giayto-wallet/tests/link/mod.rs"]
mod link;

use std::collections::HashSet;
use std::process::{Output, Stdio};

use common::{fails, json, ok, ok_json, sample, stderr, wallet_command, World};
use link::{linking_strings, masked};

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
    fn wallet_bytes(&self) -> Vec<u8> {
        std::fs::read(self.path().join("wallet.giayto")).unwrap()
    }
    /// `wallet keys --count n --out FILE`; the file.
    fn keys(&self, n: u32, file: &str) -> String {
        ok(&self.run(&[
            "wallet",
            "keys",
            "--passcode",
            "--count",
            &n.to_string(),
            "--out",
            file,
        ]));
        file.to_owned()
    }
    /// Issue `data` as type `t` with `n` one-time copies for fresh wallet keys: (QR text file,
    /// copies file, serial).
    fn issue_copies(&self, t: &str, data: &serde_json::Value, n: u32) -> (String, String, String) {
        let input = self.write_json(&format!("{t}.json"), data);
        let keys = self.keys(n, &format!("{t}-keys.pub"));
        let (text, sd) = (format!("{t}.txt"), format!("{t}.sd"));
        let v = ok_json(&self.run(&[
            "--json",
            "issue",
            "--dir",
            "iss",
            "--type",
            t,
            "--data",
            &input,
            "--holder-pub",
            "holder.pub",
            "--holder-pubs",
            &keys,
            "--copies",
            &n.to_string(),
            "--out",
            &text,
            "--sd-out",
            &sd,
        ]));
        assert_eq!(v["copies"], n);
        (text, sd, v["serial"].as_str().unwrap().to_owned())
    }
    fn publish(&self) {
        let _ = std::fs::remove_dir_all(self.path().join("status"));
        self.w.publish("status");
    }
    fn add(&self, text_file: &str, sd: &str) -> Output {
        self.publish();
        let input = format!("@{text_file}");
        self.run(&[
            "--json",
            "wallet",
            "add",
            "--root",
            "root/root.pub",
            "--trust",
            "trust.cwt",
            "--status",
            "status",
            &input,
            "--sd",
            sd,
        ])
    }
    fn present(&self, extra: &[&str]) -> Output {
        let args = [&["--json", "wallet", "present", "--passcode"][..], extra].concat();
        self.run(&args)
    }
    /// A selective presentation's text.
    fn present_text(&self, extra: &[&str]) -> String {
        ok_json(&self.present(extra))["text"]
            .as_str()
            .unwrap()
            .to_owned()
    }
    fn verify(&self, text: &str) -> (Option<i32>, serde_json::Value) {
        self.publish();
        let out = self.run_verify(
            &["--json"],
            &["--trust", "trust.cwt", "--status", "status"],
            text,
        );
        (out.status.code(), json(&out))
    }
    fn show(&self) -> serde_json::Value {
        ok_json(&self.run(&["--json", "wallet", "show", "--passcode", "--doc", "cccd"]))
    }
}

fn setup() -> Setup {
    let s = Setup {
        w: World::empty(wallet_command).set_up("Cục C06", &[]),
    };
    ok(&s.run(&["wallet", "init", "--name", "Nguyễn Văn An"]));
    ok(&s.run(&["wallet", "pubkey", "--out", "holder.pub"]));
    s
}

/// The COSE bytes of a `VP1:` text.
fn decoded(text: &str) -> Vec<u8> {
    giayto_cose::text::decode(text, &[]).unwrap().1
}

#[test]
fn two_presentations_of_one_document_share_nothing_beyond_issuer_format_and_disclosed_values() {
    let s = setup();
    let (text, sd, serial) = s.issue_copies("cccd", &sample("cccd"), 3);
    ok(&s.add(&text, &sd));
    let disclose = ["--doc", "cccd", "--disclose", "full_name,id_number"];
    let first = s.present_text(&[&disclose[..], &["--nonce", "a1a1a1a1a1a1a1a1"]].concat());
    let second = s.present_text(&[&disclose[..], &["--nonce", "b2b2b2b2b2b2b2b2"]].concat());

    // Both verify, as two different credentials of the same card.
    let (c1, v1) = s.verify(&first);
    let (c2, v2) = s.verify(&second);
    assert_eq!((c1, c2), (Some(0), Some(0)), "{v1}\n{v2}");
    assert_eq!(v1["fields"], v2["fields"]);
    for key in ["serial", "holder_key"] {
        assert_ne!(v1[key], v2[key], "{key}");
        assert_ne!(v1[key].as_str(), Some(serial.as_str()), "{key}");
    }
    assert_ne!(v1["status"]["idx"], v2["status"]["idx"]);

    // An unrelated holder (another wallet, another name) of the same issuer shows the same
    // fields: what the two share with it is the issuer's and the format's, not the holder's.
    let other = Setup {
        w: World::empty(wallet_command),
    };
    for f in ["root", "iss"] {
        copy_dir(&s.path().join(f), &other.path().join(f));
    }
    std::fs::copy(s.path().join("trust.cwt"), other.path().join("trust.cwt")).unwrap();
    // Another name of the same length in bytes: the CBOR lengths around it are the format's.
    let name = sample("cccd")["full_name"].as_str().unwrap().to_owned();
    let other_name = name.split(' ').rev().collect::<Vec<_>>().join(" ");
    assert_ne!(other_name, name);
    ok(&other.run(&["wallet", "init", "--name", &other_name]));
    ok(&other.run(&["wallet", "pubkey", "--out", "holder.pub"]));
    let mut card = sample("cccd");
    card["full_name"] = other_name.into();
    let (otext, osd, _) = other.issue_copies("cccd", &card, 1);
    ok(&other.add(&otext, &osd));
    let baseline =
        decoded(&other.present_text(&[&disclose[..], &["--nonce", "c3c3c3c3c3c3c3c3"]].concat()));

    // The skeleton and the disclosed values masked, differently in the two.
    let values: Vec<Vec<u8>> = ["full_name", "id_number"]
        .iter()
        .map(|f| sample("cccd")[f].as_str().unwrap().as_bytes().to_vec())
        .collect();
    let value_refs: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
    let (a, b) = (
        masked(decoded(&first), &value_refs, 0x00),
        masked(decoded(&second), &value_refs, 0xFF),
    );
    let links = linking_strings(&a, &b, &baseline);
    assert!(
        links.is_empty(),
        "shared by the two presentations only: {links:?}"
    );
    // What they do share is the issuer's (kid, name, typ, status list uri).
    assert!(!linking_strings(&a, &b, &[]).is_empty());

    // The control: a shared copy (D98) shown twice links at once.
    let input = s.write_json("gplx.json", &sample("gplx"));
    ok(&s.run(&[
        "issue",
        "--dir",
        "iss",
        "--type",
        "gplx",
        "--data",
        &input,
        "--holder-pub",
        "holder.pub",
        "--out",
        "gplx.txt",
        "--sd-out",
        "gplx.sd",
    ]));
    ok(&s.add("gplx.txt", "gplx.sd"));
    let shared_copy = ["--doc", "gplx", "--disclose", "full_name"];
    let x =
        decoded(&s.present_text(&[&shared_copy[..], &["--nonce", "a1a1a1a1a1a1a1a1"]].concat()));
    let y =
        decoded(&s.present_text(&[&shared_copy[..], &["--nonce", "b2b2b2b2b2b2b2b2"]].concat()));
    let name = sample("gplx")["full_name"]
        .as_str()
        .unwrap()
        .as_bytes()
        .to_vec();
    let links = linking_strings(
        &masked(x, &[name.as_slice()], 0x00),
        &masked(y, &[name.as_slice()], 0xFF),
        &baseline,
    );
    assert!(
        links.len() > 10,
        "the shared copy's serial, key, root and signature: {links:?}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Suspending, reinstating, holding, releasing and revoking the document — by its serial, by
/// any copy's serial, or by the holder's ID number — changes every copy; presentations made
/// before and after verify accordingly.
#[test]
fn a_status_change_of_the_document_reaches_every_copy() {
    let s = setup();
    let (text, sd, serial) = s.issue_copies("cccd", &sample("cccd"), 4);
    ok(&s.add(&text, &sd));
    let age = ["--doc", "cccd", "--age-over", "18"];
    let before = [s.present_text(&age), s.present_text(&age)];
    let copy_serial = s.verify(&before[0]).1["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    let full = std::fs::read_to_string(s.path().join(&text)).unwrap();
    let full = full.trim();

    let r = ok_json(&s.run(&[
        "--json",
        "suspend",
        "--dir",
        "iss",
        &serial,
        "--reason",
        "mất điện thoại",
    ]));
    assert_eq!(r["changed"].as_array().unwrap().len(), 1);
    assert_eq!(r["copies"].as_array().unwrap().len(), 4);
    for t in before.iter().map(String::as_str).chain([full]) {
        let (code, v) = s.verify(t);
        assert_eq!(
            (code, v["verdict"].as_str()),
            (Some(1), Some("suspended")),
            "{v}"
        );
    }
    let human = ok(&s.run(&[
        "--lang",
        "en",
        "reinstate",
        "--dir",
        "iss",
        &serial,
        "--reason",
        "tìm thấy",
    ]));
    assert!(human.contains("4 one-time copies"), "{human}");
    for t in &before {
        assert_eq!(s.verify(t).0, Some(0));
    }
    // Held through one copy's serial (docs/format.md §9.3): the document and every copy are
    // held, each with its own hold; the release returns them all to valid.
    let r = ok_json(&s.run(&[
        "--json",
        "hold",
        "--dir",
        "iss",
        &copy_serial,
        "--reason",
        "tạm giữ, biên bản 0012",
        "--until",
        "2100-01-01",
    ]));
    assert_eq!(r["changed"].as_array().unwrap().len(), 1);
    let copies = r["copies"].as_array().unwrap();
    assert_eq!(copies.len(), 4);
    assert!(
        copies
            .iter()
            .all(|c| c["to"] == "held" && c["after_release"] == "valid"),
        "{r}"
    );
    for t in before.iter().map(String::as_str).chain([full]) {
        let (code, v) = s.verify(t);
        assert_eq!(
            (code, v["verdict"].as_str()),
            (Some(1), Some("held")),
            "{v}"
        );
    }
    let human = ok(&s.run(&[
        "--lang",
        "en",
        "release",
        "--dir",
        "iss",
        &serial,
        "--reason",
        "trả giấy tờ",
    ]));
    assert!(human.contains("4 one-time copies"), "{human}");
    for t in before.iter().map(String::as_str).chain([full]) {
        assert_eq!(s.verify(t).0, Some(0));
    }
    // Revoked through one copy's serial: the document and its other copies too.
    ok(&s.run(&[
        "revoke",
        "--dir",
        "iss",
        &copy_serial,
        "--reason",
        "mất thẻ",
    ]));
    let after = s.present_text(&age);
    for t in before
        .iter()
        .chain([&after])
        .map(String::as_str)
        .chain([full])
    {
        let (code, v) = s.verify(t);
        assert_eq!(
            (code, v["verdict"].as_str()),
            (Some(1), Some("revoked")),
            "{v}"
        );
    }

    // By holder: every document of the person, and their copies.
    let (gtext, gsd, _) = s.issue_copies("gplx", &sample("gplx"), 2);
    ok(&s.add(&gtext, &gsd));
    let shown = s.present_text(&["--doc", "gplx", "--disclose", "full_name"]);
    assert_eq!(s.verify(&shown).0, Some(0));
    let id = sample("gplx")["id_number"].as_str().unwrap().to_owned();
    let r = ok_json(&s.run(&[
        "--json",
        "revoke",
        "--dir",
        "iss",
        "--holder",
        &id,
        "--reason",
        "qua đời",
    ]));
    assert_eq!(r["copies"].as_array().unwrap().len(), 2);
    let (code, v) = s.verify(&shown);
    assert_eq!(
        (code, v["verdict"].as_str()),
        (Some(1), Some("revoked")),
        "{v}"
    );
}

#[test]
fn copies_run_low_run_out_clearly_and_the_issuer_refreshes_them() {
    let s = setup();
    let (text, sd, serial) = s.issue_copies("cccd", &sample("cccd"), 4);
    let added = ok_json(&s.add(&text, &sd));
    assert_eq!(added["one_time_copies"], 4);
    assert_eq!(s.show()["one_time_copies"]["left"], 4);
    // A dry run uses nothing.
    let before = s.wallet_bytes();
    let dry = ok_json(&s.present(&["--doc", "cccd", "--disclose", "full_name", "--dry-run"]));
    assert_eq!(dry["copies_left"], 3);
    assert_eq!(s.wallet_bytes(), before);

    let present = |lang: &str| {
        s.run(&[
            "--lang",
            lang,
            "wallet",
            "present",
            "--passcode",
            "--doc",
            "cccd",
            "--age-over",
            "18",
            "--out",
            "vp.txt",
        ])
    };
    let out = present("en");
    ok(&out);
    assert!(!stderr(&out).contains("left"), "{}", stderr(&out));
    let out = present("en");
    assert!(
        stderr(&out).contains("Only 2 one-time copies"),
        "{}",
        stderr(&out)
    );
    let out = present("vi");
    assert!(
        stderr(&out).contains("Chỉ còn 1 bản dùng một lần"),
        "{}",
        stderr(&out)
    );
    let out = present("en");
    assert!(
        stderr(&out).contains("the last one-time copy"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        s.show()["one_time_copies"],
        serde_json::json!({"left": 0, "used": 4})
    );
    let human = ok(&s.run(&[
        "--lang",
        "en",
        "wallet",
        "show",
        "--passcode",
        "--doc",
        "cccd",
    ]));
    assert!(
        human.contains("One-time copies: 0 left, 4 used."),
        "{human}"
    );

    // None left: refused in the user's language, nothing shared, nothing written.
    std::fs::remove_file(s.path().join("vp.txt")).unwrap();
    let before = s.wallet_bytes();
    for (lang, words) in [("en", "has been used"), ("vi", "đã dùng hết")] {
        let out = present(lang);
        let err = fails(&out, 2);
        assert!(err.contains(words) && err.contains(&serial), "{err}");
        assert!(err.contains("--copies-for"), "{err}");
        assert!(out.stdout.is_empty());
    }
    assert!(!s.path().join("vp.txt").exists());
    assert_eq!(s.wallet_bytes(), before);
    // The whole card can still be shown.
    ok(&s.present(&["--doc", "cccd"]));

    // The issuer signs new copies of the same document for new keys.
    let data = s.write_json("cccd.json", &sample("cccd"));
    let more = s.keys(2, "more.pub");
    let refresh = |extra: &[&str]| {
        let args = [
            &[
                "--json", "issue", "--dir", "iss", "--type", "cccd", "--data", &data,
            ][..],
            extra,
        ]
        .concat();
        s.run(&args)
    };
    let count = s.registry_count();
    let v = ok_json(&refresh(&[
        "--copies-for",
        &serial,
        "--holder-pubs",
        &more,
        "--copies",
        "2",
        "--sd-out",
        "more.sd",
    ]));
    assert_eq!(v["copies"], 2);
    assert_eq!(s.registry_count(), count + 2);
    assert_eq!(ok_json(&s.add(&text, "more.sd"))["one_time_copies"], 2);
    // The same copies again: their keys no longer wait; nothing changes.
    let before = s.wallet_bytes();
    let err = fails(&s.add(&text, "more.sd"), 2);
    assert!(err.contains("giayto wallet keys"), "{err}");
    assert_eq!(s.wallet_bytes(), before);
    let fresh = s.present_text(&["--doc", "cccd", "--disclose", "full_name"]);
    assert_eq!(s.verify(&fresh).0, Some(0));
    ok(&s.run(&["revoke", "--dir", "iss", &serial, "--reason", "mất thẻ"]));
    assert_eq!(s.verify(&fresh).1["verdict"], "revoked");
    // No new copies of a revoked document.
    let last = s.keys(1, "last.pub");
    let err = fails(
        &refresh(&[
            "--copies-for",
            &serial,
            "--holder-pubs",
            &last,
            "--copies",
            "1",
            "--sd-out",
            "x.sd",
        ]),
        2,
    );
    assert!(err.contains(&serial), "{err}");
    assert!(!s.path().join("x.sd").exists());
}

/// Bad one-time copy options: exit 2, a message naming the problem, nothing issued or written.
#[test]
fn bad_copy_options_issue_nothing() {
    let s = setup();
    let data = s.write_json("cccd.json", &sample("cccd"));
    let three = s.keys(3, "three.pub");
    let pem = std::fs::read_to_string(s.path().join(&three)).unwrap();
    let twice = s.write("twice.pub", format!("{pem}{pem}").as_bytes());
    let junk = s.write("junk.pub", b"not a key\n");
    let (_, _, serial) = s.issue_copies("gplx", &sample("gplx"), 1);
    let count = s.registry_count();
    let base = [
        "--lang", "en", "issue", "--dir", "iss", "--type", "cccd", "--data", &data,
    ];
    let cases: [(&[&str], &str); 9] = [
        (
            &[
                "--holder-pub",
                "holder.pub",
                "--holder-pubs",
                &three,
                "--copies",
                "2",
                "--sd-out",
                "x.sd",
            ],
            "holds 3 public keys",
        ),
        (
            &[
                "--holder-pub",
                "holder.pub",
                "--copies",
                "3",
                "--sd-out",
                "x.sd",
            ],
            "--copies needs --holder-pubs",
        ),
        (
            &[
                "--holder-pub",
                "holder.pub",
                "--holder-pubs",
                &three,
                "--copies",
                "3",
            ],
            "--copies needs --sd-out",
        ),
        (
            &[
                "--holder-pub",
                "holder.pub",
                "--holder-pubs",
                &three,
                "--sd-out",
                "x.sd",
            ],
            "go with --copies",
        ),
        (
            &[
                "--holder-pub",
                "holder.pub",
                "--holder-pubs",
                &three,
                "--copies",
                "0",
                "--sd-out",
                "x.sd",
            ],
            "1 to 100",
        ),
        (
            &[
                "--holder-pub",
                "holder.pub",
                "--holder-pubs",
                &twice,
                "--copies",
                "6",
                "--sd-out",
                "x.sd",
            ],
            "given twice",
        ),
        (
            &[
                "--holder-pub",
                "holder.pub",
                "--holder-pubs",
                &junk,
                "--copies",
                "3",
                "--sd-out",
                "x.sd",
            ],
            "not a file of PEM",
        ),
        (
            &["--holder-pubs", &three, "--copies", "3", "--sd-out", "x.sd"],
            "--sd-out needs --holder-pub",
        ),
        (
            &[
                "--copies-for",
                &serial,
                "--holder-pubs",
                &three,
                "--copies",
                "3",
                "--sd-out",
                "x.sd",
            ],
            "not that of the recorded document",
        ),
    ];
    for (extra, words) in cases {
        let err = fails(&s.run(&[&base[..], extra].concat()), 2);
        assert!(err.contains(words), "{extra:?}: {err}");
    }
    // --copies-for takes only copies' options, and only a document's serial.
    let err = fails(
        &s.run(
            &[
                &base[..],
                &[
                    "--copies-for",
                    &serial,
                    "--holder-pubs",
                    &three,
                    "--copies",
                    "3",
                    "--sd-out",
                    "x.sd",
                    "--out",
                    "x.txt",
                ],
            ]
            .concat(),
        ),
        2,
    );
    assert!(err.contains("makes only new one-time copies"), "{err}");
    assert_eq!(s.registry_count(), count);
    assert!(!s.path().join("x.sd").exists());
    assert!(!s.path().join("x.txt").exists());
    // Vietnamese too.
    let err = fails(
        &s.run(&[
            "--lang",
            "vi",
            "issue",
            "--dir",
            "iss",
            "--type",
            "cccd",
            "--data",
            &data,
            "--holder-pub",
            "holder.pub",
            "--copies",
            "3",
            "--sd-out",
            "x.sd",
        ]),
        2,
    );
    assert!(err.contains("--copies cần --holder-pubs"), "{err}");
    // wallet keys: 1 to 100, never over a file.
    for n in ["0", "101"] {
        let err = fails(
            &s.run(&[
                "--lang", "en", "wallet", "keys", "--count", n, "--out", "k.pub",
            ]),
            2,
        );
        assert!(err.contains("1 to 100"), "{err}");
    }
    let before = s.wallet_bytes();
    fails(
        &s.run(&["wallet", "keys", "--count", "2", "--out", &three]),
        2,
    );
    assert_eq!(s.wallet_bytes(), before);
}

/// A presentation exists only once its copy is written away: killed anywhere while the wallet
/// is written, `present` has shown nothing, and no copy is ever shown twice.
#[test]
fn a_copy_is_never_shown_twice_even_when_the_process_is_killed() {
    let s = setup();
    let (text, sd, _) = s.issue_copies("cccd", &sample("cccd"), 4);
    ok(&s.add(&text, &sd));
    let marker = s.path().join("wallet.giayto.paused");
    for (point, used_up) in [
        ("tmp-partial", false),
        ("tmp-synced", false),
        ("renamed", true),
    ] {
        let _ = std::fs::remove_file(&marker);
        let left_before = s.show()["one_time_copies"]["left"].as_u64().unwrap();
        let mut child = s
            .command_with(
                &[
                    "wallet",
                    "present",
                    "--passcode",
                    "--doc",
                    "cccd",
                    "--disclose",
                    "full_name",
                    "--out",
                    "vp.txt",
                ],
                &[("GIAYTO_WALLET_TEST_PAUSE", point)],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(&marker, &mut child);
        child.kill().unwrap(); // SIGKILL
        assert!(!child.wait().unwrap().success());
        assert!(
            !s.path().join("vp.txt").exists(),
            "{point}: a presentation was made"
        );
        let left = s.show()["one_time_copies"]["left"].as_u64().unwrap();
        assert_eq!(left, left_before - u64::from(used_up), "{point}");
    }
    // The three left are shown once each; then none.
    let mut serials = HashSet::new();
    for _ in 0..3 {
        let t = s.present_text(&["--doc", "cccd", "--disclose", "full_name"]);
        assert!(serials.insert(s.verify(&t).1["serial"].as_str().unwrap().to_owned()));
    }
    fails(&s.present(&["--doc", "cccd", "--disclose", "full_name"]), 2);
}

fn wait_for(path: &std::path::Path, child: &mut std::process::Child) {
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
fn a_batch_writes_each_holders_one_time_copies() {
    let s = setup();
    let key = ok_json(&s.run(&["--json", "wallet", "pubkey"]))["public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let keys =
        ok_json(&s.run(&["--json", "wallet", "keys", "--count", "2"]))["public_keys"].clone();
    let mut with_copies = sample("gplx");
    with_copies["holder_key"] = key.clone().into();
    with_copies["holder_keys"] = keys.clone();
    let mut one_short = with_copies.clone();
    one_short["holder_keys"] = serde_json::json!([keys[0]]);
    let lines = format!("{with_copies}\n{}\n{one_short}\n", sample("gplx"));
    s.write("in.jsonl", lines.as_bytes());
    let batch = |extra: &[&str]| {
        let args = [
            &[
                "--json",
                "issue-batch",
                "--dir",
                "iss",
                "--type",
                "gplx",
                "--input",
                "in.jsonl",
                "--out-dir",
                "out",
            ][..],
            extra,
        ]
        .concat();
        s.run(&args)
    };
    let err = fails(&batch(&["--copies", "2"]), 2);
    assert!(err.contains("--sd"), "{err}");
    let out = batch(&["--sd", "--copies", "2"]);
    // A bad row: exit 2, the good rows issued.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let summary = json(&out);
    assert_eq!(
        (summary["issued"].as_u64(), summary["bad_rows"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(summary["errors"][0]["line"], 3);
    assert_eq!(summary["errors"][0]["field"], "holder_keys");
    let files: Vec<String> = std::fs::read_dir(s.path().join("out/sd"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let texts = std::fs::read_to_string(s.path().join("out/credentials.txt")).unwrap();
    s.write("first.txt", texts.lines().next().unwrap().as_bytes());
    let sd = format!("out/sd/{}", files[0]);
    assert_eq!(ok_json(&s.add("first.txt", &sd))["one_time_copies"], 2);
    let a = s.present_text(&["--doc", "gplx", "--age-over", "21"]);
    let b = s.present_text(&["--doc", "gplx", "--age-over", "21"]);
    assert_ne!(s.verify(&a).1["serial"], s.verify(&b).1["serial"]);
    fails(&s.present(&["--doc", "gplx", "--age-over", "21"]), 2);
    // Run again: the recorded copies are signed again (same serials), nothing new issued.
    let before = std::fs::read(s.path().join(&sd)).unwrap();
    let again = json(&batch(&["--sd", "--copies", "2"]));
    assert_eq!(
        (again["issued"].as_u64(), again["recovered"].as_u64()),
        (Some(0), Some(2))
    );
    let after = std::fs::read(s.path().join(&sd)).unwrap();
    assert_ne!(before, after, "fresh salts");
    match (
        giayto_cose::copies::decode(&before).unwrap(),
        giayto_cose::copies::decode(&after).unwrap(),
    ) {
        (giayto_cose::copies::CopyFile::OneTime(x), giayto_cose::copies::CopyFile::OneTime(y)) => {
            assert_eq!(x.len(), 2);
            assert_eq!(y.len(), 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn answers_to_verifier_requests_use_one_copy_each() {
    let s = setup();
    let (text, sd, _) = s.issue_copies("cccd", &sample("cccd"), 2);
    ok(&s.add(&text, &sd));
    let mut serials = HashSet::new();
    for (i, left) in [(1, 1), (2, 0)] {
        let req = format!("req{i}.txt");
        let ans = format!("ans{i}.txt");
        ok(&s.run(&[
            "request",
            "--fields",
            "full_name,age_over_18",
            "--doc",
            "cccd",
            "--purpose",
            "Đăng ký lưu trú",
            "--verifier-name",
            "Khách sạn Hoa Sen",
            "--out",
            &req,
        ]));
        let a = ok_json(&s.present(&["--request", &req, "--yes", "--out", &ans]));
        assert_eq!(a["copies_left"], left, "{a}");
        s.publish();
        let out = s.run_verify(
            &["--json"],
            &[
                "--trust",
                "trust.cwt",
                "--status",
                "status",
                "--request",
                &format!("@{req}"),
            ],
            &format!("@{ans}"),
        );
        let v = json(&out);
        assert_eq!(v["verdict"], "valid", "{v}");
        assert!(serials.insert(v["serial"].as_str().unwrap().to_owned()));
    }
    assert_eq!(
        s.show()["one_time_copies"],
        serde_json::json!({"left": 0, "used": 2})
    );
    // No copy left: refused before anything is signed or written.
    ok(&s.run(&[
        "request",
        "--fields",
        "full_name",
        "--doc",
        "cccd",
        "--purpose",
        "Mở tài khoản",
        "--verifier-name",
        "Ngân hàng Mẫu",
        "--out",
        "req3.txt",
    ]));
    let before = s.wallet_bytes();
    let out = s.present(&["--request", "req3.txt", "--yes", "--out", "ans3.txt"]);
    let err = fails(&out, 2);
    assert!(
        err.contains("one-time") || err.contains("dùng một lần"),
        "{err}"
    );
    assert!(!s.path().join("ans3.txt").exists());
    assert_eq!(s.wallet_bytes(), before);
}
