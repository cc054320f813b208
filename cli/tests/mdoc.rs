//! The ISO 18013-5 mobile driving licence as a user makes and checks it: `issuer mdoc-key`,
//! certificates in the agreed file names (made here with the test IACA, as `root certify-issuer
//! --mdoc-signer` would), `issue --format mdoc`, `verify-mdoc`; refusals with exit 2 that name
//! what is missing, in both languages; foreign input gets a verdict (exit 1), never a crash.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{command_with, fails, issuer_init_args, json, ok, ok_json, sample, World};
use giayto_mdoc::testca::{pem, TestCa};
use p256::pkcs8::DecodePublicKey;

const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// An issuer `iss` with its mdoc key; `iaca.pem` and `other.pem` roots; `device.pem`.
fn setup() -> (World, TestCa) {
    let w = World::empty(command_with);
    ok(&w.run(&issuer_init_args(
        "iss",
        "VN.BCA.CSGT",
        "Cục Cảnh sát giao thông",
    )));
    let created = ok_json(&w.run(&["--json", "issuer", "mdoc-key", "--issuer", "iss"]));
    assert!(created["public_key_file"]
        .as_str()
        .unwrap()
        .ends_with("mdoc-signer.pub.pem"));
    let t = now();
    let ca = TestCa::new(b"cli iaca", "Test IACA VN", t - 30 * DAY, t + 3650 * DAY);
    let other = TestCa::new(
        b"cli other iaca",
        "Test IACA VN",
        t - 30 * DAY,
        t + 3650 * DAY,
    );
    w.write("iaca.pem", ca.pem().as_bytes());
    w.write("other.pem", other.pem().as_bytes());
    let device = giayto_mdoc::testca::key_from_seed(b"cli device");
    use p256::pkcs8::EncodePublicKey;
    let device_pem = device
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    w.write("device.pem", device_pem.as_bytes());
    (w, ca)
}

/// Certify the issuer's mdoc key under `ca` into iss/mdoc-signer-cert.pem.
fn certify(w: &World, ca: &TestCa, not_after: i64) {
    let pub_pem = std::fs::read_to_string(w.path().join("iss/mdoc-signer.pub.pem")).unwrap();
    let key = p256::ecdsa::VerifyingKey::from_public_key_pem(&pub_pem).unwrap();
    let cert = ca.document_signer_for(&key, "Test DS CSGT", now() - DAY, not_after);
    w.write("iss/mdoc-signer-cert.pem", pem(cert.der()).as_bytes());
}

fn issue_args(data: &str) -> Vec<&str> {
    vec![
        "issue",
        "--dir",
        "iss",
        "--type",
        "gplx",
        "--data",
        data,
        "--format",
        "mdoc",
        "--device-pub",
        "device.pem",
        "--out",
        "licence.mdoc",
        "--valid-days",
        "30",
    ]
}

#[test]
fn an_mdoc_is_issued_and_verified_and_refused_under_another_root() {
    let (w, ca) = setup();
    certify(&w, &ca, now() + 900 * DAY);
    let data = w.write_json("gplx.json", &sample("gplx"));
    let mut args = vec!["--json"];
    args.extend(issue_args(&data));
    let issued = ok_json(&w.run(&args));
    assert_eq!(issued["doc_type"], "org.iso.18013.5.1.mDL");
    assert!(issued["elements"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "driving_privileges"));
    let v = ok_json(&w.run(&[
        "--json",
        "verify-mdoc",
        "--iaca",
        "iaca.pem",
        "licence.mdoc",
    ]));
    assert_eq!(v["verdict"], "valid");
    assert_eq!(v["elements"]["document_number"], "010123456789");
    assert_eq!(v["elements"]["family_name"], "Trần");
    let human = ok(&w.run(&[
        "--lang",
        "vi",
        "verify-mdoc",
        "--iaca",
        "iaca.pem",
        "licence.mdoc",
    ]));
    assert!(human.contains("HỢP LỆ"), "{human}");
    assert!(human.contains("driving_privileges"), "{human}");
    // Another root: exit 1, unknown_issuer, said in both languages.
    let out = w.run(&[
        "--json",
        "verify-mdoc",
        "--iaca",
        "other.pem",
        "licence.mdoc",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["verdict"], "unknown_issuer");
    assert_eq!(json(&out)["reason"], "unknown_root");
    let out = w.run(&[
        "--lang",
        "vi",
        "verify-mdoc",
        "--iaca",
        "other.pem",
        "licence.mdoc",
    ]);
    assert!(
        common::stdout(&out).contains("gốc IACA"),
        "{}",
        common::stdout(&out)
    );
    // Later than the 30 days: expired.
    let later = giayto_mdoc::cbor::rfc3339(now() + 40 * DAY);
    let out = w.run(&[
        "--json",
        "verify-mdoc",
        "--iaca",
        "iaca.pem",
        "--at",
        later.as_str(),
        "licence.mdoc",
    ]);
    assert_eq!(json(&out)["verdict"], "expired");
}

#[test]
fn issuing_refuses_clearly_without_key_or_certificate() {
    let (w, ca) = setup();
    let data = w.write_json("gplx.json", &sample("gplx"));
    // No certificate yet.
    let err = fails(&w.run(&issue_args(&data)), 2);
    assert!(
        err.contains("mdoc-signer-cert.pem") && err.contains("certify-issuer"),
        "{err}"
    );
    let err = fails(
        &w.run_with(
            &[&["--lang", "vi"][..], &issue_args(&data)[..]].concat(),
            &[],
        ),
        2,
    );
    assert!(err.contains("chưa được chứng nhận"), "{err}");
    assert!(!w.path().join("licence.mdoc").exists());
    // Another issuer folder without an mdoc key.
    ok(&w.run(&issuer_init_args("iss2", "VN.BCA.C06", "Cục C06")));
    let mut args = issue_args(&data);
    args[2] = "iss2";
    let err = fails(&w.run(&args), 2);
    assert!(
        err.contains("mdoc-signer.key") && err.contains("mdoc-key"),
        "{err}"
    );
    // A certificate for another key.
    let stranger = giayto_mdoc::testca::key_from_seed(b"stranger");
    let cert = ca.document_signer(&stranger, "Stranger", now() - DAY, now() + 9 * DAY);
    w.write("iss/mdoc-signer-cert.pem", pem(cert.der()).as_bytes());
    let err = fails(&w.run(&issue_args(&data)), 2);
    assert!(err.contains("một khóa khác"), "{err}");
    // Not a driving licence; a missing --device-pub; an option of the QR form.
    let cccd = w.write_json("cccd.json", &sample("cccd"));
    let mut args = issue_args(&cccd);
    args[4] = "cccd";
    assert!(fails(&w.run(&args), 2).contains("gplx"));
    let err = fails(
        &w.run(&[
            "issue", "--dir", "iss", "--type", "gplx", "--data", &data, "--format", "mdoc",
            "--out", "x.mdoc",
        ]),
        2,
    );
    assert!(err.contains("--device-pub"), "{err}");
    let mut args = issue_args(&data);
    args.extend(["--png", "x.png"]);
    assert!(fails(&w.run(&args), 2).contains("--png"));
    // mdoc-key twice: no key file is overwritten.
    let err = fails(&w.run(&["issuer", "mdoc-key", "--issuer", "iss"]), 2);
    assert!(err.contains("mdoc-signer.key"), "{err}");
    // A wrong passphrase opens nothing.
    let out = common::run_with_passphrase(
        w.path(),
        &["issuer", "mdoc-key", "--issuer", "iss2"],
        "sai-mật-khẩu-999",
    );
    fails(&out, 2);
    assert!(!w.path().join("iss2/mdoc-signer.key").exists());
}

#[test]
fn foreign_or_broken_files_get_a_verdict() {
    let (w, _ca) = setup();
    let cases: [(&str, &[u8], &str); 4] = [
        ("text.mdoc", b"VN1:ABCDEF", "not_a_credential"),
        ("empty.mdoc", b"", "not_a_credential"),
        ("deep.mdoc", &[0x81; 5000], "not_a_credential"),
        ("map.mdoc", &[0xA1, 0x61, 0x61, 0x01], "not_a_credential"),
    ];
    for (name, bytes, verdict) in cases {
        w.write(name, bytes);
        let out = w.run(&["--json", "verify-mdoc", "--iaca", "iaca.pem", name]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert_eq!(json(&out)["verdict"], verdict, "{name}");
    }
    w.write("big.mdoc", &vec![0u8; 70_000]);
    let out = w.run(&["--json", "verify-mdoc", "--iaca", "iaca.pem", "big.mdoc"]);
    assert!(matches!(out.status.code(), Some(1) | Some(2)));
    // A root file that is not a certificate: exit 2, naming it.
    w.write("bad.pem", b"not a pem");
    let err = fails(
        &w.run(&["verify-mdoc", "--iaca", "bad.pem", "text.mdoc"]),
        2,
    );
    assert!(err.contains("bad.pem"), "{err}");
}

/// The extension `oid` of a PEM certificate file, if present: (critical, DER value).
fn extension(pem_text: &[u8], oid: &str) -> Option<(bool, Vec<u8>)> {
    use x509_cert::der::DecodePem;
    let cert = x509_cert::Certificate::from_pem(pem_text).unwrap();
    let oid = x509_cert::der::asn1::ObjectIdentifier::new(oid).unwrap();
    cert.tbs_certificate
        .extensions
        .unwrap_or_default()
        .into_iter()
        .find(|e| e.extn_id == oid)
        .map(|e| (e.critical, e.extn_value.as_bytes().to_vec()))
}

#[test]
fn giaytos_own_ca_is_the_iaca_of_its_mdoc_signer() {
    use x509_cert::der::Decode;
    use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, SubjectKeyIdentifier};
    let w = World::empty(command_with);
    // A bad CA address: exit 2 naming it, nothing made.
    let err = fails(
        &w.run(&[
            "root",
            "init",
            "--dir",
            "bad",
            "--x509",
            "--ca-url",
            "ftp://ca.example/",
        ]),
        2,
    );
    assert!(err.contains("ftp://ca.example/"), "{err}");
    assert!(!w.path().join("bad/root.key").exists());
    let v = ok_json(&w.run(&[
        "--json",
        "root",
        "init",
        "--dir",
        "root",
        "--x509",
        "--ca-url",
        "https://ca.example.gov.vn/",
    ]));
    assert_eq!(v["ca"]["ca_name"], "giayto Test National CA");
    ok(&w.run(&issuer_init_args(
        "iss",
        "VN.BCA.CSGT",
        "Cục Cảnh sát giao thông",
    )));
    ok(&w.run(&["issuer", "mdoc-key", "--issuer", "iss"]));
    let v = ok_json(&w.run(&[
        "--json",
        "root",
        "certify-issuer",
        "--dir",
        "root",
        "--issuer",
        "iss",
        "--mdoc-signer",
    ]));
    assert_eq!(v["usage"], "mdoc_signer");
    assert_eq!(v["doc_types"], serde_json::json!(["gplx"]));

    // The files carry ISO 18013-5 Annex B's items (isomdl checks them on the same calls in
    // crates/giayto-wallet/tests/mdoc_x509.rs).
    let ca = std::fs::read(w.path().join("root/ca.pem")).unwrap();
    let ds = std::fs::read(w.path().join("iss/mdoc-signer-cert.pem")).unwrap();
    let (critical, bc) = extension(&ca, "2.5.29.19").unwrap();
    let bc = BasicConstraints::from_der(&bc).unwrap();
    assert!(critical && bc.ca && bc.path_len_constraint == Some(0));
    assert!(extension(&ds, "2.5.29.19").is_none());
    let ski = SubjectKeyIdentifier::from_der(&extension(&ca, "2.5.29.14").unwrap().1).unwrap();
    assert_eq!(ski.0.as_bytes().len(), 20, "SHA-1");
    let aki = AuthorityKeyIdentifier::from_der(&extension(&ds, "2.5.29.35").unwrap().1).unwrap();
    assert_eq!(aki.key_identifier.unwrap(), ski.0);
    assert!(extension(&ds, "2.5.29.14").is_some());
    for oid in ["2.5.29.18", "2.5.29.31"] {
        assert_eq!(extension(&ds, oid), extension(&ca, oid), "{oid}");
    }
    let ian = extension(&ca, "2.5.29.18").unwrap().1;
    assert!(ian.windows(26).any(|x| x == b"https://ca.example.gov.vn/"));
    let crl = extension(&ca, "2.5.29.31").unwrap().1;
    assert!(crl
        .windows(32)
        .any(|x| x == b"https://ca.example.gov.vn/ca.crl"));

    // Issued with that certificate, the licence verifies against root/ca.pem.
    let device = giayto_mdoc::testca::key_from_seed(b"cli own ca device");
    use p256::pkcs8::EncodePublicKey;
    let device_pem = device
        .verifying_key()
        .to_public_key_pem(Default::default())
        .unwrap();
    w.write("device.pem", device_pem.as_bytes());
    let data = w.write_json("gplx.json", &sample("gplx"));
    ok(&w.run(&issue_args(&data)));
    let v = ok_json(&w.run(&[
        "--json",
        "verify-mdoc",
        "--iaca",
        "root/ca.pem",
        "licence.mdoc",
    ]));
    assert_eq!(v["verdict"], "valid");

    // Another CA: its root does not accept this licence, and a document signer it certifies
    // is not accepted under root/ca.pem.
    ok(&w.run(&["root", "init", "--dir", "other", "--x509"]));
    let out = w.run(&[
        "--json",
        "verify-mdoc",
        "--iaca",
        "other/ca.pem",
        "licence.mdoc",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["verdict"], "unknown_issuer");
    ok(&w.run(&[
        "root",
        "certify-issuer",
        "--dir",
        "other",
        "--issuer",
        "iss",
        "--mdoc-signer",
    ]));
    std::fs::remove_file(w.path().join("licence.mdoc")).unwrap();
    ok(&w.run(&issue_args(&data)));
    let out = w.run(&[
        "--json",
        "verify-mdoc",
        "--iaca",
        "root/ca.pem",
        "licence.mdoc",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["verdict"], "unknown_issuer");
    assert_eq!(json(&out)["reason"], "unknown_root");
}
