//! Snapshot tests of the `giayto` binary (trycmd): every command's output in Vietnamese and
//! English, pinned in the case files under `cli/tests/cmd/` (docs/decisions.md D95).
//!
//! Regenerate every snapshot after a wording change with one command:
//!
//! ```sh
//! TRYCMD=overwrite cargo test -p giayto-cli --test snapshots
//! ```
//!
//! then review the diff. Wildcards that still match are kept: `[..]` (any text on one line)
//! and `...` (any lines) stand for what differs from run to run (keys, serials, QR texts,
//! signing times, paths); everything else, the verification card's layout above all, is pinned.
//!
//! - `cmd/verify/*.toml`: one `verify` each, against the fixed inputs of `test-vectors/` (copied
//!   into a sandbox) at a fixed `--at`, so the whole card is pinned;
//! - `cmd/*.md`: sequences run in one sandbox folder copied from `NAME.in/` (files expected
//!   afterwards are in `NAME.out/`), e.g. root, issuer, issue, revoke, publish, bundle, verify.
//!
//! Every case runs with no language from the environment (so Vietnamese unless `--lang en`),
//! no colours, the test passphrase and passcode, cheap key derivations, and a device-state
//! folder inside this test's temporary folder, never the user's home.

#[test]
fn snapshots() {
    let state = tempfile::tempdir().expect("temporary folder");
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("giayto", std::path::Path::new(env!("CARGO_BIN_EXE_giayto")))
        .default_bin_name("giayto")
        .env("NO_COLOR", "1")
        .env("LANG", "")
        .env("LC_ALL", "")
        .env("LC_MESSAGES", "")
        .env("GIAYTO_PASSPHRASE", "Ví-giấy-tờ-2026")
        .env("GIAYTO_KDF_LOG_N", "10")
        .env("GIAYTO_PASSCODE", "246810")
        .env("GIAYTO_WALLET_KDF_KIB", "64")
        .env("GIAYTO_NEW_PASSPHRASE", "")
        .env("GIAYTO_REGISTRY_URL", "")
        .env("GIAYTO_NO_PROGRESS", "1")
        .env("GIAYTO_STATE_DIR", state.path().display().to_string())
        .case("tests/cmd/*.md")
        .case("tests/cmd/verify/*.toml");
    cases.run();
}
