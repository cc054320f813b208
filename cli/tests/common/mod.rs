//! Running the `giayto` binary as a user would, in a scratch folder.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const PASS: &str = "mật-khẩu-thử-1234";

/// The command, with the test passphrase, a cheap key derivation, a private device-state
/// folder, no colours and no language from the environment.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_giayto"));
    c.args(args)
        .current_dir(dir)
        .env("GIAYTO_PASSPHRASE", PASS)
        .env("GIAYTO_KDF_LOG_N", "10")
        .env("GIAYTO_STATE_DIR", dir.join("device-state"))
        .env("GIAYTO_NO_PROGRESS", "1")
        .env("NO_COLOR", "1")
        .env_remove("GIAYTO_REGISTRY_URL")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("runs")
}

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

pub fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(out), stderr(out)))
}

pub fn sample(t: &str) -> serde_json::Value {
    giayto_model::sample_input(giayto_model::DocType::from_name(t).unwrap())
}

/// A scratch folder with a root, an issuer `iss` allowed all four types, and `trust.cwt`.
pub struct World {
    pub tmp: tempfile::TempDir,
}

impl World {
    pub fn new() -> World {
        let w = World {
            tmp: tempfile::tempdir().unwrap(),
        };
        ok(&w.run(&["root", "init", "--dir", "root"]));
        ok(&w.run(&[
            "issuer",
            "init",
            "--dir",
            "iss",
            "--id",
            "VN.BCA.C06",
            "--name",
            "Cục Cảnh sát QLHC về TTXH",
        ]));
        ok(&w.run(&[
            "root",
            "add-issuer",
            "--dir",
            "root",
            "--issuer-pub",
            "iss/issuer.pub",
            "--id",
            "VN.BCA.C06",
            "--doc-types",
            "cccd,gplx,vehicle,bhyt",
        ]));
        ok(&w.run(&[
            "root",
            "sign-trust-list",
            "--dir",
            "root",
            "--out",
            "trust.cwt",
        ]));
        w
    }
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }
    pub fn run(&self, args: &[&str]) -> Output {
        run(self.path(), args)
    }
    pub fn write(&self, name: &str, bytes: &[u8]) -> String {
        std::fs::write(self.path().join(name), bytes).unwrap();
        name.to_owned()
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
    /// `verify --json` with extra arguments; returns (exit code, JSON).
    pub fn verify(&self, extra: &[&str], text: &str) -> (Option<i32>, serde_json::Value) {
        let mut args = vec!["--json", "verify", "--root", "root/root.pub"];
        args.extend_from_slice(extra);
        args.push(text);
        let out = self.run(&args);
        (code(&out), json(&out))
    }
}
