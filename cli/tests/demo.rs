//! The demo shows the trust model: three issuing authorities, each authorised in the trust
//! list for its own documents only, all in one offline bundle.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::*;
use giayto_issuer::{credential_text, sign_credential, CredentialRequest};
use giayto_model::{DocType, Document};

#[test]
fn the_demo_has_three_authorities_each_for_its_own_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let v = ok_json(&run(
        tmp.path(),
        &["--json", "demo", "--no-terminal-qr", "--dir", "d"],
    ));
    let got: Vec<(String, String, String)> = v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["issuer"].as_str().unwrap().to_owned(),
                c["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("cccd", "VN.BCA.C06", "valid"),
        ("gplx", "VN.BCA.CSGT", "valid"),
        ("vehicle", "VN.BCA.CSGT", "valid"),
        ("bhyt", "VN.BHXH", "valid"),
        ("bhxh", "VN.BHXH", "valid"),
        ("vehicle-sold", "VN.BCA.CSGT", "revoked"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    for f in ["cccd", "gplx", "vehicle", "bhyt", "bhxh", "vehicle-sold"] {
        assert!(tmp.path().join(format!("d/{f}.png")).is_file(), "{f}");
    }

    // The trust list in the bundle authorises each key for its own types only.
    let dir = tmp.path().join("d");
    let root = giayto_trust::keys::read_public_key(&dir.join("root/root.pub")).unwrap();
    let bundle =
        giayto_verify::Bundle::from_bytes(&std::fs::read(dir.join("offline.bundle")).unwrap())
            .unwrap();
    let list = giayto_trust::TrustList::verify(&bundle.trust_list, &root).unwrap();
    let entries: Vec<(&str, Vec<u64>)> = list
        .issuers
        .iter()
        .map(|e| (e.id.as_str(), e.doc_types.clone()))
        .collect();
    assert_eq!(
        entries,
        [
            ("VN.BCA.C06", vec![1]),
            ("VN.BCA.CSGT", vec![2, 3]),
            ("VN.BHXH", vec![4, 5])
        ]
    );
    // Each authority published its own status lists.
    assert_eq!(bundle.status_lists.len(), 3);

    // Social Security signing a citizen ID card with its real key: refused by the same bundle.
    let key = giayto_trust::keys::read_secret_key(
        &dir.join("issuer-bhxh/issuer.key"),
        &giayto_trust::SecretString::from(v["passphrase"].as_str().unwrap().to_owned()),
    )
    .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let document = Document::from_json(DocType::Cccd, &sample("cccd")).unwrap();
    let request = CredentialRequest {
        document: &document,
        serial: vec![9; 10],
        issued_at: now,
        not_before: None,
        expires_at: now + 86_400,
        holder_key: None,
        assurance_level: 2,
        status: None,
    };
    let text = credential_text(&sign_credential(&key, "VN.BHXH", &request).unwrap());
    let out = run(
        tmp.path(),
        &[
            "--json",
            "verify",
            "--root",
            "d/root/root.pub",
            "--bundle",
            "d/offline.bundle",
            "--no-state",
            &text,
        ],
    );
    assert_eq!(code(&out), Some(1));
    assert_eq!(json(&out)["verdict"], "issuer_not_authorized");

    // The human output says what each may issue.
    let out = run(
        tmp.path(),
        &["--lang", "en", "demo", "--no-terminal-qr", "--dir", "e"],
    );
    let text = ok(&out);
    for line in [
        "VN.BCA.C06 may issue: Citizen identity card (",
        "VN.BCA.CSGT may issue: Driving licence, Vehicle registration certificate (",
        "VN.BHXH may issue: Health insurance card, Social insurance book (",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}
