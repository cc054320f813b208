//! Issuer certificate vectors (docs/format.md §18): `x509/certificates.json`. Each vector is a credential
//! text, the issuer certificate chain a verifier holds for its key, and the verdict a verifier
//! gets with the standard trust list (trust.cwt) and the test CA root configured.
//!
//! Certificates are made with an Ed25519 CA key from a fixed seed and fixed serial numbers, so
//! the file is the same at every generation (an ECDSA CA signs with a random nonce).

use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use giayto_issuer::credential::{credential_expiry, sign_credential, CredentialRequest};
use giayto_model::DocType;
use giayto_x509::ca::{certify_with_serial, Ca, Subject, Validity};
use giayto_x509::Usage;
use serde_json::{json, Value as Json};

use crate::{document, key, qr, serial, AT, DAY};

/// The file's name under `test-vectors/`.
/// In a folder of its own: the bindings' conformance table reads every top-level file as `VN1:`
/// codes checked by the trust list alone, and these need a CA root beside it.
pub const FILE_NAME: &str = "x509/certificates.json";

/// Test-only seeds of the certificate vectors.
pub mod seeds {
    /// The test national CA.
    pub const CA: [u8; 32] = [0x77; 32];
    /// Another CA, configured nowhere.
    pub const OTHER_CA: [u8; 32] = [0x78; 32];
    /// `VN.SGTVT.HN`, an issuer only a certificate vouches for (in no trust list).
    pub const TRANSPORT: [u8; 32] = [0x79; 32];
}

/// The issuer id only a certificate vouches for.
pub const CERTIFIED_ISSUER: &str = "VN.SGTVT.HN";

fn ca(seed: [u8; 32], name: &str, serial: u8) -> Ca {
    let pkcs8 = key(seed).to_pkcs8_der().expect("PKCS#8 encodes");
    Ca::with_key(
        name,
        Validity {
            not_before: AT - 3650 * DAY,
            not_after: AT + 3650 * DAY,
        },
        &giayto_x509::ca::CaUrls::under(giayto_x509::ca::DEFAULT_CA_URL).expect("CA URL"),
        pkcs8.as_bytes(),
        &[0x40, serial],
    )
    .expect("CA")
}

/// The test national CA the vectors configure as root.
pub fn test_ca() -> Ca {
    ca(seeds::CA, "giayto Test National CA", 1)
}

fn leaf(ca: &Ca, seed: [u8; 32], id: &str, types: &[u64], validity: Validity, n: u8) -> String {
    let spki = key(seed)
        .verifying_key()
        .to_public_key_der()
        .expect("SPKI encodes");
    let subject = Subject {
        issuer_id: id.into(),
        name: Some(format!("Thử nghiệm {id}")),
    };
    let der = certify_with_serial(
        ca,
        &subject,
        spki.as_bytes(),
        Usage::Credential,
        types,
        validity,
        &[0x41, n],
    )
    .expect("certifies");
    giayto_x509::ders_to_pem(&[der]).expect("PEM")
}

fn credential(seed: [u8; 32], iss: &str, t: DocType, n: u8) -> String {
    let doc = document(t);
    let issued_at = AT - DAY;
    let request = CredentialRequest {
        document: &doc,
        serial: serial(n),
        issued_at,
        not_before: None,
        expires_at: credential_expiry(&doc, issued_at, 1825).expect("sample not expired"),
        holder_key: None,
        assurance_level: 2,
        status: None,
    };
    qr(&sign_credential(&key(seed), iss, &request).expect("signs"))
}

/// The vectors' trust list, one sequence number later, withdrawing [`CERTIFIED_ISSUER`] and
/// the key of its certificate: what `giayto root remove-issuer` leaves in every later list.
pub fn withdrawing_list() -> Vec<u8> {
    let mut list = crate::trust_list();
    list.sequence += 1;
    list.withdrawn.issuers.push(CERTIFIED_ISSUER.into());
    list.withdrawn.kids.push(giayto_cose::kid_for(
        &key(seeds::TRANSPORT).verifying_key().to_bytes(),
    ));
    list.sign(&key(crate::seeds::ROOT))
        .expect("the vectors' root signs")
}

/// The file: the CA root (PEM), the vectors.
pub fn file() -> Json {
    let other = ca(seeds::OTHER_CA, "giayto Other CA", 2);
    let ca = test_ca();
    let year = Validity {
        not_before: AT - 30 * DAY,
        not_after: AT + 335 * DAY,
    };
    let lapsed = Validity {
        not_before: AT - 400 * DAY,
        not_after: AT - 35 * DAY,
    };
    let gplx = DocType::Gplx.code();
    let cccd = DocType::Cccd.code();
    let transport_gplx = credential(seeds::TRANSPORT, CERTIFIED_ISSUER, DocType::Gplx, 201);
    let vectors = vec![
        json!({
            "name": "x509-valid",
            "description": "A driving licence signed by an issuer in no trust list, whose key the configured CA certifies for gplx: valid by the x509 path.",
            "text": transport_gplx,
            "issuer_cert": leaf(&ca, seeds::TRANSPORT, CERTIFIED_ISSUER, &[gplx], year, 1),
            "at": AT,
            "verdict": "valid",
            "trust_path": "x509",
        }),
        json!({
            "name": "x509-expired-certificate",
            "description": "The same credential; the issuer's certificate expired before the time of checking (the credential itself is in force). It was signed while the certificate was valid.",
            "text": credential(seeds::TRANSPORT, CERTIFIED_ISSUER, DocType::Gplx, 202),
            "issuer_cert": leaf(&ca, seeds::TRANSPORT, CERTIFIED_ISSUER, &[gplx], Validity { not_before: AT - 400 * DAY, not_after: AT - DAY / 2 }, 2),
            "at": AT,
            "verdict": "issuer_not_authorized",
            "reason": "certificate_not_valid",
        }),
        json!({
            "name": "x509-other-root",
            "description": "The certificate chains to another CA than the one configured.",
            "text": transport_gplx,
            "issuer_cert": leaf(&other, seeds::TRANSPORT, CERTIFIED_ISSUER, &[gplx], year, 3),
            "at": AT,
            "verdict": "unknown_issuer",
            "reason": "certificate_untrusted",
        }),
        json!({
            "name": "x509-doc-type-not-certified",
            "description": "The certificate lists cccd only; the credential is a driving licence.",
            "text": transport_gplx,
            "issuer_cert": leaf(&ca, seeds::TRANSPORT, CERTIFIED_ISSUER, &[cccd], year, 4),
            "at": AT,
            "verdict": "issuer_not_authorized",
            "reason": "doc_type_not_allowed",
        }),
        json!({
            "name": "x509-trust-list-removed",
            "description": "A key of VN.BCA.C06 that the trust list does not list (removed from it), with a valid certificate: the trust list names VN.BCA.C06, so it alone decides and the certificate does not rescue the key.",
            "text": credential(crate::seeds::ROGUE, "VN.BCA.C06", DocType::Cccd, 203),
            "issuer_cert": leaf(&ca, crate::seeds::ROGUE, "VN.BCA.C06", &[cccd], year, 5),
            "at": AT,
            "verdict": "unknown_issuer",
            "reason": "certificate_overruled",
        }),
        json!({
            "name": "x509-issuer-withdrawn",
            "description": "The valid certificate of the first vector, but the verifier holds the next trust list (`trust_list`, hex, signed by the same root, sequence one higher), which withdraws VN.SGTVT.HN (docs/format.md §6.4): the root has removed the issuer, so its certificate counts for nothing. A verifier of an earlier release reads that list too and ignores the withdrawal.",
            "text": transport_gplx,
            "issuer_cert": leaf(&ca, seeds::TRANSPORT, CERTIFIED_ISSUER, &[gplx], year, 1),
            "trust_list": hex::encode(withdrawing_list()),
            "at": AT,
            "verdict": "unknown_issuer",
            "reason": "issuer_withdrawn",
        }),
        json!({
            "name": "x509-certificate-lapsed-at-signing",
            "description": "The credential was signed after its certificate had ended (and the certificate is out of date now too).",
            "text": transport_gplx,
            "issuer_cert": leaf(&ca, seeds::TRANSPORT, CERTIFIED_ISSUER, &[gplx], lapsed, 6),
            "at": AT,
            "verdict": "issuer_not_authorized",
            "reason": "certificate_not_valid",
        }),
    ];
    json!({
        "description": "giayto issuer certificate vectors (docs/format.md §18). Build a verifier from root.pub and trust.cwt, configure `ca_root` (PEM) as the national CA root, add the vector's `issuer_cert` (PEM chain, leaf first), verify `text` at time `at` (seconds), third-party policy (with the vector's `trust_list`, hex, in place of trust.cwt when it has one); the verdict must be `verdict` (and the reason code `reason`, the trust path `trust_path`, when given). The CA key is Ed25519 from a public seed: TEST ONLY.",
        "ca_root": giayto_x509::ders_to_pem(&[ca.cert_der().to_vec()]).expect("PEM"),
        "vectors": vectors,
    })
}
