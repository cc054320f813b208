//! The issued mdoc as the published `isomdl` crate reads it: its own types parse the document
//! and the MSO, its ISO 18013-5 Annex B rules accept the certificate chain under the test IACA
//! root, and its issuer authentication verifies the MSO's signature. The digests are checked
//! over the item bytes as isomdl holds them, against the MSO as isomdl parsed it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up: a failure is the test failing

mod common;

use common::*;
use isomdl::definitions::helpers::Tag24;
use isomdl::definitions::x509::trust_anchor::{PemTrustAnchor, TrustAnchorRegistry, TrustPurpose};
use isomdl::definitions::x509::validation::ValidationRuleset;
use isomdl::definitions::x509::X5Chain;
use isomdl::definitions::{DigestId, IssuerSigned, Mso};
use isomdl::presentation::authentication::mdoc::issuer_authentication;
use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
struct IssuedDoc {
    #[serde(rename = "docType")]
    doc_type: String,
    #[serde(rename = "issuerSigned")]
    issuer_signed: IssuerSigned,
}

fn parse(bytes: &[u8]) -> IssuedDoc {
    isomdl::cbor::from_slice(bytes).expect("isomdl parses the issued mdoc")
}

fn chain_of(doc: &IssuedDoc) -> X5Chain {
    let value = doc
        .issuer_signed
        .issuer_auth
        .unprotected
        .rest
        .iter()
        .find(|(l, _)| *l == coset_label())
        .map(|(_, v)| v.clone())
        .expect("x5chain");
    X5Chain::from_cbor(value).expect("isomdl reads the x5chain")
}

fn coset_label() -> coset03::Label {
    coset03::Label::Int(33)
}

fn registry(pem: String) -> TrustAnchorRegistry {
    TrustAnchorRegistry::from_pem_certificates(vec![PemTrustAnchor {
        certificate_pem: pem,
        purpose: TrustPurpose::Iaca,
    }])
    .expect("isomdl reads the IACA root")
}

#[test]
fn isomdl_accepts_the_issued_mdoc() {
    let f = fixture();
    let m = issued(&f);
    let doc = parse(&m.bytes);
    assert_eq!(doc.doc_type, "org.iso.18013.5.1.mDL");
    let x5chain = chain_of(&doc);
    // Annex B: the document-signer and IACA extensions, names and validity (isomdl checks
    // validity at the present time; the test certificates run to 2029 and 2036).
    let outcome = ValidationRuleset::Mdl.validate(&x5chain, &registry(f.ca.pem()));
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    issuer_authentication(x5chain, &doc.issuer_signed).expect("isomdl verifies the MSO signature");
    // The MSO and the digests.
    let payload = doc
        .issuer_signed
        .issuer_auth
        .payload
        .as_ref()
        .expect("payload");
    let mso: Tag24<Mso> = isomdl::cbor::from_slice(payload).expect("isomdl parses the MSO");
    let mso = mso.into_inner();
    assert_eq!(mso.doc_type, "org.iso.18013.5.1.mDL");
    let digests = &mso.value_digests["org.iso.18013.5.1"];
    let namespaces = doc.issuer_signed.namespaces.expect("nameSpaces");
    let items = namespaces
        .get("org.iso.18013.5.1")
        .expect("the mDL namespace");
    let mut seen = Vec::new();
    for item in items.iter() {
        let encoded = isomdl::cbor::to_vec(item).expect("re-encode");
        let id = item.as_ref().digest_id;
        assert_eq!(
            digests[&id].as_ref(),
            Sha256::digest(&encoded).as_slice(),
            "{}",
            item.as_ref().element_identifier
        );
        seen.push(item.as_ref().element_identifier.clone());
    }
    assert_eq!(seen, m.elements);
    assert!(digests.contains_key(&DigestId::new(0)));
}

#[test]
fn isomdl_refuses_what_giayto_refuses() {
    let f = fixture();
    let m = issued(&f);
    // A changed signature.
    let mut bad = m.bytes.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    let doc = parse(&bad);
    assert!(issuer_authentication(chain_of(&doc), &doc.issuer_signed).is_err());
    // Another root.
    let other = giayto_mdoc::testca::TestCa::new(
        b"other iaca",
        "Test IACA VN",
        now() - DAY,
        now() + 3650 * DAY,
    );
    let doc = parse(&m.bytes);
    let outcome = ValidationRuleset::Mdl.validate(&chain_of(&doc), &registry(other.pem()));
    assert!(!outcome.errors.is_empty());
}
