//! Selective disclosure from the command line (docs/format.md §14): `issue --sd-out`, `wallet
//! add --sd`, `wallet present --disclose / --age-over / --dry-run`, and what `verify` shows.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::process::Output;

use common::{fails, json, ok, ok_json, sample, stderr, wallet_command, World};

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
    /// Issue a holder-bound credential of type `t` with its selective-disclosure copy: (QR
    /// text file, copy file, serial).
    fn issue_sd(&self, t: &str) -> (String, String, String) {
        let data = self.write_json(&format!("{t}.json"), &sample(t));
        let (text, sd) = (format!("{t}.txt"), format!("{t}.sd"));
        let v = ok_json(&self.run(&[
            "--json",
            "issue",
            "--dir",
            "iss",
            "--type",
            t,
            "--data",
            &data,
            "--holder-pub",
            "holder.pub",
            "--out",
            &text,
            "--sd-out",
            &sd,
        ]));
        assert_eq!(v["sd_out"], sd.as_str());
        (text, sd, v["serial"].as_str().unwrap().to_owned())
    }
    fn publish(&self) {
        let _ = std::fs::remove_dir_all(self.path().join("status"));
        self.w.publish("status");
    }
    fn add(&self, text_file: &str, sd: Option<&str>) -> Output {
        self.publish();
        let input = format!("@{text_file}");
        let mut args = vec![
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
        ];
        if let Some(sd) = sd {
            args.extend(["--sd", sd]);
        }
        self.run(&args)
    }
    fn present(&self, extra: &[&str]) -> Output {
        let args = [&["--json", "wallet", "present", "--passcode"][..], extra].concat();
        self.run(&args)
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
}

fn setup() -> Setup {
    let s = Setup {
        w: World::empty(wallet_command).set_up("Cục C06", &[]),
    };
    ok(&s.run(&["wallet", "init", "--name", "Nguyễn Văn An"]));
    ok(&s.run(&["wallet", "pubkey", "--out", "holder.pub"]));
    s
}

fn field_names(v: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = v["fields"].as_object().unwrap().keys().cloned().collect();
    names.sort();
    names
}

#[test]
fn issued_with_a_copy_stored_and_presented_showing_only_the_chosen_fields() {
    let s = setup();
    let (text, sd, serial) = s.issue_sd("cccd");
    // The copy is owner-only and is no QR text.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.path().join(&sd))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    assert!(!std::fs::read(s.path().join(&sd))
        .unwrap()
        .starts_with(b"VN1:"));
    let added = ok_json(&s.add(&text, Some(&sd)));
    assert_eq!(added["selective_disclosure"], true);
    let list = ok_json(&s.run(&["--json", "wallet", "list"]));
    assert_eq!(
        list["persons"][0]["documents"][0]["selective_disclosure"],
        true
    );
    let show = ok_json(&s.run(&["--json", "wallet", "show", "--doc", "cccd"]));
    assert_eq!(show["selective_disclosure"], true);

    // Name and ID number only.
    let shown = ok_json(&s.present(&["--doc", "cccd", "--disclose", "full_name,id_number"]));
    let names: Vec<&str> = shown["disclosed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["id_number", "full_name"]);
    let text_vp = shown["text"].as_str().unwrap();
    assert!(text_vp.starts_with("VP1:"));
    // The issuer made layout 2 (docs/format.md §14.5): one seed opens both neighbours.
    let (_, cose) =
        giayto_cose::text::decode(text_vp, &[giayto_cose::text::DICTIONARY_V1]).unwrap();
    let signed = giayto_cose::sign1::Sign1::parse(&cose, giayto_cose::PRESENTATION_TYP).unwrap();
    let payload =
        giayto_cose::presentation::PresentationPayload::from_bytes(signed.payload()).unwrap();
    match payload.disclosures.unwrap() {
        giayto_cose::sd::Disclosures::Seeded(d) => assert_eq!(d.groups.len(), 1),
        other => panic!("layout 1: {other:?}"),
    }
    let (code, v) = s.verify(text_vp);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["verdict"], "valid");
    assert_eq!(v["disclosed"], true);
    assert_eq!(field_names(&v), ["full_name", "id_number"]);
    assert_eq!(v["fields"]["full_name"], sample("cccd")["full_name"]);
    assert_eq!(v["withheld"], shown["withheld"]);
    assert_eq!(v["withheld"], 13 + 7 - 2);
    assert_eq!(v["serial"], serial.as_str());

    // An age: only the predicate, answered by the nearest true threshold.
    for (asked, answered) in [("18", "age_over_18"), ("17", "age_over_18")] {
        let shown = ok_json(&s.present(&["--doc", "cccd", "--age-over", asked]));
        let (code, v) = s.verify(shown["text"].as_str().unwrap());
        assert_eq!(code, Some(0), "{v}");
        assert_eq!(field_names(&v), [answered]);
        assert_eq!(v["fields"][answered], true);
        assert!(v["fields"].get("date_of_birth").is_none());
    }

    // The full credential still verifies as a whole card.
    let full = std::fs::read_to_string(s.path().join(&text)).unwrap();
    let (code, v) = s.verify(full.trim());
    assert_eq!(code, Some(0), "{v}");
    assert!(v.get("disclosed").is_none(), "{v}");

    // One status entry: revoking the document revokes the selective presentations too.
    let before = s.present(&["--doc", "cccd", "--age-over", "18"]);
    let vp = ok_json(&before)["text"].as_str().unwrap().to_owned();
    ok(&s.run(&["revoke", "--dir", "iss", &serial, "--reason", "mất thẻ"]));
    let (code, v) = s.verify(&vp);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["verdict"], "revoked");
    let (code, v) = s.verify(full.trim());
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["verdict"], "revoked");
}

#[test]
fn a_copy_can_be_added_to_a_credential_already_in_the_wallet_and_a_wrong_copy_is_refused() {
    let s = setup();
    let (text, sd, _) = s.issue_sd("gplx");
    let (_, other_sd, _) = s.issue_sd("cccd");
    ok(&s.add(&text, None));
    // Without the copy only the whole card can be shown.
    let before = s.wallet_bytes();
    let err = fails(
        &s.present(&["--lang", "en", "--doc", "gplx", "--disclose", "full_name"]),
        2,
    );
    assert!(err.contains("no selective-disclosure copy"), "{err}");
    // Another credential's copy is refused and nothing is written.
    let out = s.add(&text, Some(&other_sd));
    fails(&out, 2);
    assert!(stderr(&out).contains("does not match") || stderr(&out).contains("không khớp"));
    assert_eq!(s.wallet_bytes(), before);
    // The right copy attaches to the stored credential.
    let added = ok_json(&s.add(&text, Some(&sd)));
    assert_eq!(added["selective_disclosure"], true);
    let shown = ok_json(&s.present(&["--doc", "gplx", "--disclose", "full_name"]));
    let (code, v) = s.verify(shown["text"].as_str().unwrap());
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(field_names(&v), ["full_name"]);
}

#[test]
fn refused_requests_exit_2_share_nothing_and_leave_the_wallet_unchanged() {
    let s = setup();
    let (text, sd, _) = s.issue_sd("cccd");
    ok(&s.add(&text, Some(&sd)));
    let (vtext, vsd, _) = s.issue_sd("vehicle");
    ok(&s.add(&vtext, Some(&vsd)));
    let before = s.wallet_bytes();
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["--doc", "cccd", "--disclose", "shoe_size"],
            "shoe_size",
            "no field named",
        ),
        (
            &["--doc", "cccd", "--disclose", ""],
            "--disclose",
            "Nothing chosen",
        ),
        (
            &["--doc", "cccd", "--dry-run"],
            "--disclose",
            "Nothing chosen",
        ),
        (
            &["--doc", "cccd", "--age-over", "70"],
            "70",
            "no age attestation",
        ),
        (
            &["--doc", "vehicle", "--age-over", "18"],
            "18",
            "no age attestation",
        ),
        (
            &["--doc", "cccd", "--age-over", "60"],
            "60",
            "cannot be proven",
        ),
    ];
    for (args, word, en) in cases {
        for lang in ["en", "vi"] {
            let mut all = vec!["--lang", lang];
            all.extend_from_slice(args);
            all.extend(["--out", "vp.txt"]);
            let out = s.run(&[&["wallet", "present", "--passcode"][..], &all].concat());
            let err = fails(&out, 2);
            assert!(err.contains(word), "{args:?} {lang}: {err}");
            if lang == "en" {
                assert!(err.contains(en), "{args:?}: {err}");
            }
            assert!(stdout_empty(&out), "{args:?}");
        }
    }
    assert!(!s.path().join("vp.txt").exists());
    assert_eq!(s.wallet_bytes(), before);

    // A dry run shows names and values, signs nothing and writes nothing.
    let dry = ok_json(&s.present(&[
        "--doc",
        "cccd",
        "--disclose",
        "full_name",
        "--age-over",
        "16",
        "--dry-run",
        "--out",
        "vp.txt",
        "--png",
        "vp.png",
    ]));
    assert_eq!(dry["dry_run"], true);
    assert!(dry.get("text").is_none());
    assert_eq!(dry["disclosed"][0]["name"], "full_name");
    assert_eq!(dry["disclosed"][0]["value"], sample("cccd")["full_name"]);
    assert_eq!(dry["disclosed"][1]["name"], "age_over_16");
    assert_eq!(dry["disclosed"][1]["value"], true);
    let human = ok(&s.run(&[
        "--lang",
        "vi",
        "wallet",
        "present",
        "--passcode",
        "--doc",
        "cccd",
        "--disclose",
        "id_number",
        "--dry-run",
    ]));
    assert!(human.contains("id_number: "), "{human}");
    assert!(
        human.contains(sample("cccd")["id_number"].as_str().unwrap()),
        "{human}"
    );
    assert!(!human.contains("VP1:"), "{human}");
    assert!(!s.path().join("vp.txt").exists());
    assert!(!s.path().join("vp.png").exists());
    assert_eq!(s.wallet_bytes(), before);

    // --sd-out without a holder key is a usage error, and issues nothing.
    let count = s.registry_count();
    let data = s.write_json("c.json", &sample("cccd"));
    let out = s.run(&[
        "issue", "--dir", "iss", "--type", "cccd", "--data", &data, "--sd-out", "x.sd",
    ]);
    assert!(fails(&out, 2).contains("--holder-pub"));
    assert_eq!(s.registry_count(), count);
    assert!(!s.path().join("x.sd").exists());
}

fn stdout_empty(out: &Output) -> bool {
    out.stdout.is_empty()
}

#[test]
fn a_batch_writes_one_private_copy_per_holder_bound_credential() {
    let s = setup();
    let key = ok_json(&s.run(&["--json", "wallet", "pubkey"]))["public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut bound = sample("gplx");
    bound["holder_key"] = serde_json::json!(key);
    let lines = format!("{}\n{}\n", bound, sample("gplx"));
    s.write("in.jsonl", lines.as_bytes());
    ok(&s.run(&[
        "issue-batch",
        "--dir",
        "iss",
        "--type",
        "gplx",
        "--input",
        "in.jsonl",
        "--out-dir",
        "out",
        "--sd",
    ]));
    let sd_dir = s.path().join("out/sd");
    let files: Vec<String> = std::fs::read_dir(&sd_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Only line 1 is bound to a holder.
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].starts_with("1-") && files[0].ends_with(".sd"),
        "{files:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&sd_dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    let texts = std::fs::read_to_string(s.path().join("out/credentials.txt")).unwrap();
    s.write("first.txt", texts.lines().next().unwrap().as_bytes());
    let sd = format!("out/sd/{}", files[0]);
    assert_eq!(
        ok_json(&s.add("first.txt", Some(&sd)))["selective_disclosure"],
        true
    );
    let shown = ok_json(&s.present(&["--doc", "gplx", "--age-over", "21"]));
    let (code, v) = s.verify(shown["text"].as_str().unwrap());
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(field_names(&v), ["age_over_21"]);
}
