//! Key hygiene as a user meets it: key files and the registry are owner-only, the passphrase
//! never appears in any output and cannot be given as an argument, and the secret key bytes
//! appear in no output and in no file but (encrypted) their own.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use std::path::Path;

use common::run_with_passphrase;

const PASS: &str = "khóa-bí-mật-đừng-in-ra-9317";

fn all_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keys_and_registry_are_owner_only_and_secrets_never_leak() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let data = dir.join("person.json");
    std::fs::write(
        &data,
        serde_json::to_vec(&giayto_model::sample_input(giayto_model::DocType::Cccd)).unwrap(),
    )
    .unwrap();
    let data = data.display().to_string();
    let steps: Vec<Vec<&str>> = vec![
        vec!["root", "init", "--dir", "root"],
        vec![
            "issuer",
            "init",
            "--dir",
            "iss",
            "--id",
            "VN.BCA.C06",
            "--name",
            "C06",
        ],
        vec![
            "root",
            "add-issuer",
            "--dir",
            "root",
            "--issuer-pub",
            "iss/issuer.pub",
            "--id",
            "VN.BCA.C06",
            "--doc-types",
            "cccd",
        ],
        vec![
            "root",
            "sign-trust-list",
            "--dir",
            "root",
            "--out",
            "trust.cwt",
        ],
        vec![
            "--json", "issue", "--dir", "iss", "--type", "cccd", "--data", &data, "--out", "c.txt",
        ],
        vec![
            "--json",
            "verify",
            "--root",
            "root/root.pub",
            "--trust",
            "trust.cwt",
            "--allow-missing-status",
            "@c.txt",
        ],
    ];
    let mut outputs = Vec::new();
    for args in &steps {
        let out = run_with_passphrase(dir, args, PASS);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(out);
    }
    // A wrong passphrase: refused (exit 2), and neither passphrase is echoed.
    let wrong = "sai-mật-khẩu-5521";
    let out = run_with_passphrase(
        dir,
        &[
            "root",
            "sign-trust-list",
            "--dir",
            "root",
            "--out",
            "t2.cwt",
        ],
        wrong,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("root.key"));
    outputs.push(out);

    let root_key = giayto_trust::keys::read_secret_key(
        &dir.join("root/root.key"),
        &giayto_trust::SecretString::from(PASS.to_owned()),
    )
    .unwrap();
    let issuer_key = giayto_trust::keys::read_secret_key(
        &dir.join("iss/issuer.key"),
        &giayto_trust::SecretString::from(PASS.to_owned()),
    )
    .unwrap();
    let secrets: Vec<[u8; 32]> = vec![root_key.to_bytes(), issuer_key.to_bytes()];

    for out in &outputs {
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(
                !text.contains(PASS) && !text.contains(wrong),
                "passphrase in output: {text}"
            );
            for s in &secrets {
                assert!(
                    !text.to_lowercase().contains(&hex::encode(s)),
                    "secret key hex in output"
                );
                assert!(
                    !stream.windows(32).any(|w| w == s),
                    "secret key bytes in output"
                );
            }
        }
    }
    // No file holds the secret key bytes or the passphrase in the clear.
    let mut files = Vec::new();
    all_files(dir, &mut files);
    assert!(files.len() >= 8, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !bytes.windows(PASS.len()).any(|w| w == PASS.as_bytes()),
            "{}",
            f.display()
        );
        for s in &secrets {
            assert!(
                !bytes.windows(32).any(|w| w == s),
                "{} holds a secret key",
                f.display()
            );
            let hex = hex::encode(s);
            assert!(
                !bytes.windows(64).any(|w| w == hex.as_bytes()),
                "{}",
                f.display()
            );
        }
    }

    #[cfg(unix)]
    {
        for f in ["root/root.key", "iss/issuer.key", "iss/registry.sqlite"] {
            assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
        }
        for f in ["iss/registry.sqlite-wal", "iss/registry.sqlite-shm"] {
            if dir.join(f).exists() {
                assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
            }
        }
    }
}

#[test]
fn a_passphrase_cannot_be_given_as_an_argument() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        vec!["root", "init", "--dir", "r", "--passphrase", PASS],
        vec![
            "issuer",
            "init",
            "--dir",
            "i",
            "--id",
            "VN.X",
            "--name",
            "X",
            "--password",
            PASS,
        ],
    ] {
        let out = run_with_passphrase(tmp.path(), &args, PASS);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!tmp.path().join("r/root.key").exists());
        assert!(!tmp.path().join("i/issuer.key").exists());
    }
}
