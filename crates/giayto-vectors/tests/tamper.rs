//! Re-signing attacks on a valid credential: the claims of `valid_cccd` (iss `VN.BCA.C06`)
//! signed again by a key that is not C06's, with C06's kid or the signer's own. None verifies;
//! each gets the verdict that names what is wrong.

use ed25519_dalek::{SigningKey, VerifyingKey};
use giayto_cose::sign1::{self, Sign1, SignError};
use giayto_cose::{text, Signer, CREDENTIAL_TYP};
use giayto_vectors::{seeds, AT};
use giayto_verify::{Reason, Verdict, Verifier};

/// Signs with one key while naming another key's kid in the protected header.
struct WrongKid {
    signs: SigningKey,
    claims_to_be: VerifyingKey,
}

impl Signer for WrongKid {
    fn public_key(&self) -> [u8; 32] {
        self.claims_to_be.to_bytes()
    }
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignError> {
        Signer::sign(&self.signs, message)
    }
}

fn verifier() -> Verifier {
    let root = SigningKey::from_bytes(&seeds::ROOT);
    let list = giayto_vectors::trust_list().sign(&root).unwrap();
    Verifier::new(root.verifying_key(), &list).unwrap()
}

fn vector_text(name: &str) -> String {
    let json: serde_json::Value = serde_json::from_slice(
        &giayto_vectors::generate()
            .into_iter()
            .find(|f| f.name == "credentials.json")
            .unwrap()
            .bytes,
    )
    .unwrap();
    json["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn payload_of(name: &str) -> Vec<u8> {
    let (_, cose) = text::decode(&vector_text(name), &[]).unwrap();
    Sign1::parse(&cose, CREDENTIAL_TYP)
        .unwrap()
        .payload()
        .to_vec()
}

fn key(seed: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&seed)
}

#[test]
fn the_original_verifies() {
    assert!(verifier().verify(&vector_text("valid_cccd"), AT).is_ok());
    assert!(verifier().verify(&vector_text("valid_bhyt"), AT).is_ok());
}

#[test]
fn re_signed_by_another_trusted_issuer_with_the_same_iss_is_rejected() {
    let v = verifier();
    // VN.BHXH's key signs C06's claims (iss still VN.BCA.C06), under its own kid.
    let cose = sign1::sign(
        &key(seeds::INSURANCE),
        CREDENTIAL_TYP,
        payload_of("valid_cccd"),
    )
    .unwrap();
    let r = v.verify_cose(&cose, AT).unwrap_err();
    assert_eq!(r.verdict, Verdict::IssuerNotAuthorized);
    assert!(
        matches!(&r.reason, Reason::IssuerMismatch { claimed, key_owner } if claimed == "VN.BCA.C06" && key_owner == "VN.BHXH"),
        "{:?}",
        r.reason
    );

    // The other way round: C06's key signs VN.BHXH's health insurance claims.
    let cose = sign1::sign(
        &key(seeds::POLICE),
        CREDENTIAL_TYP,
        payload_of("valid_bhyt"),
    )
    .unwrap();
    let r = v.verify_cose(&cose, AT).unwrap_err();
    assert_eq!(r.verdict, Verdict::IssuerNotAuthorized);
    assert!(
        matches!(r.reason, Reason::IssuerMismatch { .. }),
        "{:?}",
        r.reason
    );
}

#[test]
fn re_signed_under_the_real_issuers_kid_is_a_bad_signature() {
    let v = verifier();
    let c06 = key(seeds::POLICE).verifying_key();
    for signer_seed in [seeds::INSURANCE, seeds::ROGUE, seeds::HOLDER, seeds::ROOT] {
        let forger = WrongKid {
            signs: key(signer_seed),
            claims_to_be: c06,
        };
        let cose = sign1::sign(&forger, CREDENTIAL_TYP, payload_of("valid_cccd")).unwrap();
        let r = v.verify_cose(&cose, AT).unwrap_err();
        assert_eq!(r.verdict, Verdict::BadSignature);
        assert!(
            r.credential.is_none(),
            "a forged credential shows no fields"
        );
    }
}

#[test]
fn re_signed_by_an_untrusted_key_is_an_unknown_issuer() {
    let v = verifier();
    for seed in [seeds::ROGUE, seeds::HOLDER, seeds::ROOT] {
        let cose = sign1::sign(&key(seed), CREDENTIAL_TYP, payload_of("valid_cccd")).unwrap();
        let r = v.verify_cose(&cose, AT).unwrap_err();
        assert_eq!(r.verdict, Verdict::UnknownIssuer, "{:?}", r.reason);
        assert!(r.credential.is_none());
    }
}

#[test]
fn a_stolen_issuer_key_removed_from_the_next_trust_list_stops_verifying() {
    let root = SigningKey::from_bytes(&seeds::ROOT);
    let text = vector_text("valid_cccd");
    // Today's list trusts C06's key.
    assert!(verifier().verify(&text, AT).is_ok());
    // The key is reported stolen: the root signs a new list without it.
    let mut list = giayto_vectors::trust_list();
    list.sequence += 1;
    let c06 = key(seeds::POLICE).verifying_key().to_bytes();
    list.issuers.retain(|e| e.public_key != c06);
    assert_eq!(
        list.issuers.len(),
        giayto_vectors::trust_list().issuers.len() - 1
    );
    let v = Verifier::new(root.verifying_key(), &list.sign(&root).unwrap()).unwrap();
    let r = v.verify(&text, AT).unwrap_err();
    assert_eq!(r.verdict, Verdict::UnknownIssuer);
    // And a credential the thief back-dates changes nothing: the kid is simply not trusted.
    let cose = sign1::sign(
        &key(seeds::POLICE),
        CREDENTIAL_TYP,
        payload_of("valid_cccd"),
    )
    .unwrap();
    assert_eq!(
        v.verify_cose(&cose, AT).unwrap_err().verdict,
        Verdict::UnknownIssuer
    );
    // The other issuer is unaffected.
    assert!(v.verify(&vector_text("valid_bhyt"), AT).is_ok());
}

#[test]
fn a_credential_relabelled_as_a_presentation_is_refused() {
    // A credential's bytes behind `VP1:` prove nothing about the holder: the outer typ must be
    // a presentation's, so it fails closed as malformed.
    let (_, cose) = text::decode(&vector_text("valid_cccd"), &[]).unwrap();
    let vp = text::encode(text::Kind::Presentation, &cose, None);
    assert!(vp.starts_with("VP1:"));
    let r = verifier().verify(&vp, AT).unwrap_err();
    assert_eq!(r.verdict, Verdict::Malformed);
    assert!(
        matches!(
            r.reason,
            Reason::Cose(giayto_cose::sign1::CoseError::WrongType { .. })
        ),
        "{:?}",
        r.reason
    );
    assert!(r.credential.is_none());
}
