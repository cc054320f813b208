//! Issuer certificates through the CLI (docs/format.md §18): a root with a national CA
//! (`root init --x509`), `root certify-issuer` for a credential key and an mdoc signer key,
//! and `verify --ca-root --issuer-cert` taking the x509 trust path, with the trust list
//! authoritative where it knows the issuer.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::*;
use giayto_x509::{CaRoot, IssuerCertificate, Usage};

/// A root with a CA, issuer `iss` (VN.BCA.C06, in the trust list) and issuer `tx`
/// (VN.SGTVT.HN, in no trust list).
fn world() -> World {
    let w = World::empty(command_with);
    let v = ok_json(&w.run(&["--json", "root", "init", "--dir", "root", "--x509"]));
    assert_eq!(v["ca"]["ca_name"], "giayto Test National CA");
    assert!(w.path().join("root/ca.pem").exists());
    assert!(w.path().join("root/ca.key").exists());
    ok(&w.run(&issuer_init_args("iss", "VN.BCA.C06", "Cục C06")));
    ok(&w.run(&add_issuer_args(
        "iss/issuer.pub",
        "VN.BCA.C06",
        "cccd,gplx",
    )));
    w.sign_trust_list("trust.cwt");
    ok(&w.run(&issuer_init_args(
        "tx",
        "VN.SGTVT.HN",
        "Sở Giao thông vận tải Hà Nội",
    )));
    w
}

fn issue(w: &World, dir: &str, t: &str) -> String {
    let file = w.write(
        &format!("{dir}-{t}.json"),
        &serde_json::to_vec(&sample(t)).unwrap(),
    );
    let v = ok_json(&w.run(&[
        "--json", "issue", "--dir", dir, "--type", t, "--data", &file,
    ]));
    v["text"].as_str().unwrap().to_owned()
}

fn verify(w: &World, extra: &[&str], text: &str) -> std::process::Output {
    w.run(&verify_args(
        &["--json"],
        &[
            &["--trust", "trust.cwt", "--status", "st", "--no-state"][..],
            extra,
        ]
        .concat(),
        text,
    ))
}

#[test]
fn certified_issuer_verifies_by_the_x509_path() {
    let w = world();
    // Not in the root's list: the document types must be named.
    let out = w.run(&["root", "certify-issuer", "--dir", "root", "--issuer", "tx"]);
    assert!(fails(&out, 2).contains("VN.SGTVT.HN"));
    assert!(!w.path().join("tx/issuer-cert.pem").exists());
    let v = ok_json(&w.run(&[
        "--json",
        "root",
        "certify-issuer",
        "--dir",
        "root",
        "--issuer",
        "tx",
        "--doc-types",
        "gplx",
    ]));
    assert_eq!(v["doc_types"], serde_json::json!(["gplx"]));
    assert_eq!(v["usage"], "credential");
    let pem = std::fs::read(w.path().join("tx/issuer-cert.pem")).unwrap();
    let cert = IssuerCertificate::from_pem(&pem).unwrap();
    assert_eq!(cert.issuer_id(), "VN.SGTVT.HN");
    assert_eq!(cert.name(), Some("Sở Giao thông vận tải Hà Nội"));
    let issuer_pub = giayto_trust::keys::read_public_key(&w.path().join("tx/issuer.pub")).unwrap();
    assert_eq!(cert.ed25519_key(), Some(issuer_pub.to_bytes()));

    let gplx = issue(&w, "tx", "gplx");
    ok(&w.run(&["status", "publish", "--dir", "tx", "--out", "st"]));
    let certs = [
        "--ca-root",
        "root/ca.pem",
        "--issuer-cert",
        "tx/issuer-cert.pem",
    ];
    let v = ok_json(&verify(&w, &certs, &gplx));
    assert_eq!(v["verdict"], "valid");
    assert_eq!(v["trust_path"], "x509");
    assert_eq!(v["ca_root"], "giayto Test National CA");
    assert_eq!(v["issuer"], "VN.SGTVT.HN");

    // Without the CA root configured, the same code names no trusted issuer.
    let v = json(&verify(&w, &[], &gplx));
    assert_eq!(v["verdict"], "unknown_issuer");
    // A certificate for a type the code is not: issuer_not_authorized.
    ok(&w.run(&[
        "root",
        "certify-issuer",
        "--dir",
        "root",
        "--issuer",
        "tx",
        "--doc-types",
        "cccd",
    ]));
    let out = verify(&w, &certs, &gplx);
    assert_eq!(code(&out), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "issuer_not_authorized");
    assert_eq!(v["reason"], "doc_type_not_allowed");

    // A credential of the trust list's own issuer keeps the trust list path.
    let cccd = issue(&w, "iss", "cccd");
    ok(&w.run(&["status", "publish", "--dir", "iss", "--out", "st"]));
    let v = ok_json(&verify(&w, &certs, &cccd));
    assert_eq!(v["trust_path"], "trust_list");
}

#[test]
fn another_root_and_bad_files_are_refused() {
    let w = world();
    ok(&w.run(&[
        "root",
        "certify-issuer",
        "--dir",
        "root",
        "--issuer",
        "tx",
        "--doc-types",
        "gplx",
    ]));
    let gplx = issue(&w, "tx", "gplx");
    ok(&w.run(&["status", "publish", "--dir", "tx", "--out", "st"]));
    // A second root with its own CA: its certificate is not the configured root.
    ok(&w.run(&[
        "root",
        "init",
        "--dir",
        "other",
        "--x509",
        "--ca-name",
        "Other CA",
    ]));
    let out = verify(
        &w,
        &[
            "--ca-root",
            "other/ca.pem",
            "--issuer-cert",
            "tx/issuer-cert.pem",
        ],
        &gplx,
    );
    assert_eq!(code(&out), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "unknown_issuer");
    assert_eq!(v["reason"], "certificate_untrusted");
    // Not a certificate: a usage error naming the file, nothing verified.
    let junk = w.write(
        "junk.pem",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    let err = fails(
        &w.run(&verify_args(
            &[],
            &["--trust", "trust.cwt", "--ca-root", &junk],
            &gplx,
        )),
        2,
    );
    assert!(err.contains("junk.pem"), "{err}");
    // A leaf is no CA root.
    let err = fails(
        &w.run(&verify_args(
            &[],
            &["--trust", "trust.cwt", "--ca-root", "tx/issuer-cert.pem"],
            &gplx,
        )),
        2,
    );
    assert!(err.contains("issuer-cert.pem"), "{err}");
    // A second init --x509 keeps the first CA.
    let before = std::fs::read(w.path().join("root/ca.pem")).unwrap();
    fails(&w.run(&["root", "init", "--dir", "root", "--x509"]), 2);
    assert_eq!(std::fs::read(w.path().join("root/ca.pem")).unwrap(), before);
    // certify-issuer on a root without a CA.
    let err = fails(
        &w.run(&[
            "root",
            "certify-issuer",
            "--dir",
            "other2",
            "--issuer",
            "tx",
        ]),
        2,
    );
    assert!(!err.is_empty());
}

#[test]
fn a_removed_key_is_not_rescued_by_its_certificate() {
    let w = world();
    // Certified with the types the root's list gives the key.
    let v = ok_json(&w.run(&[
        "--json",
        "root",
        "certify-issuer",
        "--dir",
        "root",
        "--issuer",
        "iss",
    ]));
    assert_eq!(v["doc_types"], serde_json::json!(["cccd", "gplx"]));
    let old = issue(&w, "iss", "cccd");
    ok(&w.run(&["status", "publish", "--dir", "iss", "--out", "st"]));
    let certs = [
        "--ca-root",
        "root/ca.pem",
        "--issuer-cert",
        "iss/issuer-cert.pem",
    ];
    assert_eq!(
        ok_json(&verify(&w, &certs, &old))["trust_path"],
        "trust_list"
    );
    // The issuer moves to a new key, and the root removes the old one (a stolen key).
    let v = ok_json(&w.run(&["--json", "issuer", "rotate-key", "--dir", "iss"]));
    let old_kid = v["old_kid"].as_str().unwrap().to_owned();
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(2);
    let until = until
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    ok(&w.run(&rotate_issuer_args("iss/issuer.pub", &until)));
    ok(&w.run(&remove_issuer_args("VN.BCA.C06", Some(&old_kid))));
    w.sign_trust_list("trust.cwt");
    // The old key's certificate is still valid, but the trust list names VN.BCA.C06.
    let out = verify(&w, &certs, &old);
    assert_eq!(code(&out), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "unknown_issuer");
    assert_eq!(v["reason"], "certificate_overruled");
}

#[test]
fn mdoc_signer_key_is_certified_for_its_usage() {
    let w = world();
    let signer = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    w.write("tx/mdoc-signer.pub.pem", signer.public_key_pem().as_bytes());
    let v = ok_json(&w.run(&[
        "--json",
        "root",
        "certify-issuer",
        "--dir",
        "root",
        "--issuer",
        "tx",
        "--mdoc-signer",
    ]));
    assert_eq!(v["usage"], "mdoc_signer");
    assert_eq!(v["doc_types"], serde_json::json!(["gplx"]));
    let pem = std::fs::read(w.path().join("tx/mdoc-signer-cert.pem")).unwrap();
    let cert = IssuerCertificate::from_pem(&pem).unwrap();
    let roots = CaRoot::from_pem(&std::fs::read(w.path().join("root/ca.pem")).unwrap()).unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // The ISO 18013-5 document signer usage, and not the credential one.
    cert.validate(&roots, Usage::MdocSigner, now).unwrap();
    assert!(cert.validate(&roots, Usage::Credential, now).is_err());
    assert_eq!(cert.public_key(), signer.public_key_raw());
    assert!(!w.path().join("tx/issuer-cert.pem").exists());
    // An Ed25519 key where a P-256 one is wanted: refused, nothing written.
    std::fs::remove_file(w.path().join("tx/mdoc-signer-cert.pem")).unwrap();
    std::fs::copy(
        w.path().join("tx/issuer.pub"),
        w.path().join("tx/mdoc-signer.pub.pem"),
    )
    .unwrap();
    fails(
        &w.run(&[
            "root",
            "certify-issuer",
            "--dir",
            "root",
            "--issuer",
            "tx",
            "--mdoc-signer",
        ]),
        2,
    );
    assert!(!w.path().join("tx/mdoc-signer-cert.pem").exists());
}

#[test]
fn an_issuer_the_root_removed_is_withdrawn_and_its_certificate_no_longer_counts() {
    let w = world();
    // VN.BCA.C06 certified and listed; the code verifies by the trust list.
    ok(&w.run(&["root", "certify-issuer", "--dir", "root", "--issuer", "iss"]));
    let cccd = issue(&w, "iss", "cccd");
    ok(&w.run(&["status", "publish", "--dir", "iss", "--out", "st"]));
    let certs = [
        "--ca-root",
        "root/ca.pem",
        "--issuer-cert",
        "iss/issuer-cert.pem",
    ];
    assert_eq!(
        ok_json(&verify(&w, &certs, &cccd))["trust_path"],
        "trust_list"
    );
    // The root removes the issuer entirely: the next list names it nowhere, but withdraws it,
    // so its still valid certificate does not take over.
    ok(&w.run(&remove_issuer_args("VN.BCA.C06", None)));
    w.sign_trust_list("trust.cwt");
    let out = verify(&w, &certs, &cccd);
    assert_eq!(code(&out), Some(1));
    let v = json(&out);
    assert_eq!(v["verdict"], "unknown_issuer");
    assert_eq!(v["reason"], "issuer_withdrawn");
    let human = w.run(&verify_args(
        &["--lang", "vi"],
        &[
            &["--trust", "trust.cwt", "--status", "st", "--no-state"][..],
            &certs[..],
        ]
        .concat(),
        &cccd,
    ));
    assert!(
        common::stdout(&human).contains("thu hồi"),
        "{}",
        common::stdout(&human)
    );
    // Listed again (a new entry, valid from now: the older code may predate it): the trust
    // list judges it again, and nothing is withdrawn.
    ok(&w.run(&add_issuer_args(
        "iss/issuer.pub",
        "VN.BCA.C06",
        "cccd,gplx",
    )));
    w.sign_trust_list("trust.cwt");
    assert_ne!(
        json(&verify(&w, &certs, &cccd))["reason"],
        "issuer_withdrawn"
    );
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.path().join("root/root.json")).unwrap()).unwrap();
    assert!(state.get("withdrawn_issuers").is_none(), "{state}");
}
