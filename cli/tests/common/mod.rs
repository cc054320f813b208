//! Running the `giayto` binary as a user would, in a scratch folder.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const PASS: &str = "mật-khẩu-thử-1234";
/// The wallet tests' passphrase: a wallet password has to follow the password rules.
pub const WALLET_PASS: &str = "Ví-giấy-tờ-2026";
pub const PASSCODE: &str = "246810";

/// How a test builds its commands: the folder, the arguments, and environment variables set
/// on top of the usual ones.
pub type Maker = fn(&Path, &[&str], &[(&str, &str)]) -> Command;

/// The binary with no colours and no language from the environment, and nothing else set.
pub fn bare(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_giayto"));
    c.args(args)
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

/// `bare`, run.
pub fn run_bare(args: &[&str]) -> Output {
    bare(args).output().expect("runs")
}

/// The command in `dir`, with the test passphrase, a cheap key derivation, a private
/// device-state folder, no progress display, no colours, and no registry or language from the
/// environment; then `env` on top.
pub fn command_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = bare(args);
    c.current_dir(dir)
        .env("GIAYTO_PASSPHRASE", PASS)
        .env("GIAYTO_KDF_LOG_N", "10")
        .env("GIAYTO_STATE_DIR", dir.join("device-state"))
        .env("GIAYTO_NO_PROGRESS", "1")
        .env_remove("GIAYTO_REGISTRY_URL");
    c.envs(env.iter().copied());
    c
}

pub fn command(dir: &Path, args: &[&str]) -> Command {
    command_with(dir, args, &[])
}

/// `command_with` for the wallet tests: their own passphrase, a passcode, a cheap wallet key
/// derivation, no wallet settings from the environment and no stdin; then `env` on top.
pub fn wallet_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = command_with(
        dir,
        args,
        &[
            ("GIAYTO_PASSPHRASE", WALLET_PASS),
            ("GIAYTO_PASSCODE", PASSCODE),
            ("GIAYTO_WALLET_KDF_KIB", "64"),
        ],
    );
    c.env_remove("GIAYTO_WALLET")
        .env_remove("GIAYTO_NEW_PASSPHRASE")
        .env_remove("GIAYTO_WALLET_TEST_PAUSE")
        .stdin(Stdio::null());
    c.envs(env.iter().copied());
    c
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("runs")
}

/// `run` with another passphrase.
pub fn run_with_passphrase(dir: &Path, args: &[&str], passphrase: &str) -> Output {
    command_with(dir, args, &[("GIAYTO_PASSPHRASE", passphrase)])
        .output()
        .expect("runs")
}

/// The exit code is 0; stdout.
pub fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The exit code is `code`; stderr.
pub fn fails(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stdout as JSON, whatever the exit code.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(out), stderr(out)))
}

/// The exit code is 0; stdout as JSON.
pub fn ok_json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).expect("JSON on stdout")
}

/// `verify` arguments: the trust list and the status lists published into `st/`.
pub const CHECKED: &[&str] = &["--trust", "trust.cwt", "--status", "st"];

/// `issuer init --dir {dir} --id {id} --name {name}`.
pub fn issuer_init_args<'a>(dir: &'a str, id: &'a str, name: &'a str) -> Vec<&'a str> {
    vec!["issuer", "init", "--dir", dir, "--id", id, "--name", name]
}

/// `root add-issuer --dir root --issuer-pub {issuer_pub} --id {id} --doc-types {doc_types}`.
pub fn add_issuer_args<'a>(issuer_pub: &'a str, id: &'a str, doc_types: &'a str) -> Vec<&'a str> {
    let mut args = vec![
        "root",
        "add-issuer",
        "--dir",
        "root",
        "--issuer-pub",
        issuer_pub,
    ];
    args.extend(["--id", id, "--doc-types", doc_types]);
    args
}

/// `root sign-trust-list --dir root --out {out}`.
pub fn sign_trust_list_args(out: &str) -> Vec<&str> {
    vec!["root", "sign-trust-list", "--dir", "root", "--out", out]
}

/// `root remove-issuer --dir root --id {id}`, and `--kid {kid}` when given: one key only.
pub fn remove_issuer_args<'a>(id: &'a str, kid: Option<&'a str>) -> Vec<&'a str> {
    let mut args = vec!["root", "remove-issuer", "--dir", "root", "--id", id];
    args.extend(kid.map(|k| ["--kid", k]).into_iter().flatten());
    args
}

/// `root rotate-issuer --dir root --id VN.BCA.C06 --issuer-pub {issuer_pub} --old-until {until}`.
pub fn rotate_issuer_args<'a>(issuer_pub: &'a str, until: &'a str) -> Vec<&'a str> {
    let mut args = vec![
        "root",
        "rotate-issuer",
        "--dir",
        "root",
        "--id",
        "VN.BCA.C06",
    ];
    args.extend(["--issuer-pub", issuer_pub, "--old-until", until]);
    args
}

/// `{global} verify --root root/root.pub {extra} {text}`.
pub fn verify_args<'a>(global: &[&'a str], extra: &[&'a str], text: &'a str) -> Vec<&'a str> {
    [
        global,
        &["verify", "--root", "root/root.pub"],
        extra,
        &[text],
    ]
    .concat()
}

/// The secret key in `path`, opened with `passphrase`.
pub fn secret_key(path: &Path, passphrase: &str) -> ed25519_dalek::SigningKey {
    let passphrase = giayto_trust::SecretString::from(passphrase.to_owned());
    giayto_trust::keys::read_secret_key(path, &passphrase).unwrap()
}

pub fn sample(t: &str) -> serde_json::Value {
    giayto_model::sample_input(giayto_model::DocType::from_name(t).unwrap())
}

/// A scratch folder whose commands one `Maker` builds; `new` adds a root, an issuer `iss`
/// allowed all four types, and `trust.cwt`.
pub struct World {
    pub tmp: tempfile::TempDir,
    make: Maker,
}

impl World {
    pub fn new() -> World {
        World::empty(command_with).set_up("Cục Cảnh sát QLHC về TTXH", &[])
    }
    /// An empty scratch folder.
    pub fn empty(make: Maker) -> World {
        World {
            tmp: tempfile::tempdir().unwrap(),
            make,
        }
    }
    /// A root, an issuer `iss` (VN.BCA.C06) named `name` (with `extra` arguments to
    /// `issuer init`) allowed all four types, and `trust.cwt`.
    pub fn set_up(self, name: &str, extra: &[&str]) -> World {
        ok(&self.run(&["root", "init", "--dir", "root"]));
        ok(&self.run(&[&issuer_init_args("iss", "VN.BCA.C06", name)[..], extra].concat()));
        ok(&self.run(&add_issuer_args(
            "iss/issuer.pub",
            "VN.BCA.C06",
            "cccd,gplx,vehicle,bhyt",
        )));
        self.sign_trust_list("trust.cwt");
        self
    }
    /// `root sign-trust-list` into `out`.
    pub fn sign_trust_list(&self, out: &str) {
        ok(&self.run(&sign_trust_list_args(out)));
    }
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }
    pub fn command_with(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        (self.make)(self.path(), args, env)
    }
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command_with(args, env).output().expect("runs")
    }
    pub fn write(&self, name: &str, bytes: &[u8]) -> String {
        std::fs::write(self.path().join(name), bytes).unwrap();
        name.to_owned()
    }
    /// Write JSON to `name`; its full path.
    pub fn write_json(&self, name: &str, v: &serde_json::Value) -> String {
        let p = self.path().join(name);
        std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
        p.display().to_string()
    }
    /// Issue a document from JSON; returns (QR text, serial).
    pub fn issue(&self, t: &str, data: &serde_json::Value) -> (String, String) {
        let file = self.write(&format!("{t}-in.json"), &serde_json::to_vec(data).unwrap());
        let out = self.run(&[
            "--json", "issue", "--dir", "iss", "--type", t, "--data", &file,
        ]);
        let v = json(&out);
        (
            v["text"].as_str().unwrap().to_owned(),
            v["serial"].as_str().unwrap().to_owned(),
        )
    }
    pub fn publish(&self, out_dir: &str) {
        ok(&self.run(&["status", "publish", "--dir", "iss", "--out", out_dir]));
    }
    pub fn bundle(&self, status_dir: &str, out: &str) {
        ok(&self.run(&[
            "bundle",
            "--root",
            "root/root.pub",
            "--trust",
            "trust.cwt",
            "--status",
            status_dir,
            "--out",
            out,
        ]));
    }
    /// `giayto {global} verify --root root/root.pub {extra} {text}`.
    pub fn run_verify(&self, global: &[&str], extra: &[&str], text: &str) -> Output {
        self.run(&verify_args(global, extra, text))
    }
    /// `verify --json` with extra arguments; returns (exit code, JSON).
    pub fn verify(&self, extra: &[&str], text: &str) -> (Option<i32>, serde_json::Value) {
        let out = self.run_verify(&["--json"], extra, text);
        (code(&out), json(&out))
    }
    /// `verify --json` with extra arguments: the exit code is `code` and the verdict
    /// `verdict` (the whole JSON shown if not); the JSON.
    pub fn expect_verdict(
        &self,
        extra: &[&str],
        text: &str,
        code: i32,
        verdict: &str,
    ) -> serde_json::Value {
        let (c, v) = self.verify(extra, text);
        assert_eq!(
            (c, v["verdict"].as_str()),
            (Some(code), Some(verdict)),
            "{v}"
        );
        v
    }
    /// How many credentials the issuer's registry holds.
    pub fn registry_count(&self) -> u64 {
        use giayto_issuer::registry::RegistryBackend;
        giayto_issuer::registry::SqliteRegistry::open(&self.path().join("iss/registry.sqlite"))
            .unwrap()
            .count()
            .unwrap()
    }
}
