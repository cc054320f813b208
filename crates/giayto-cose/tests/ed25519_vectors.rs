//! Signature strictness: the Wycheproof Ed25519 vectors and the RFC 8032 §7.1 vectors, run
//! through `sign1::verify_ed25519`, the one function every giayto signature check (credential,
//! trust list, status list) goes through, with the public key read the way the verifier reads
//! a trust-list key (`VerifyingKey::from_bytes`).
//!
//! Where Wycheproof's expectation and ours differ, the case is listed in [`DIVERGENCES`] with
//! the reason (and in docs/security.md); any other difference fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use giayto_cose::sign1::{self, verify_ed25519, CoseError};
use giayto_cose::CREDENTIAL_TYP;
use wycheproof::eddsa::{TestName, TestSet};
use wycheproof::TestResult;

/// Wycheproof cases (tcId) where `verify_strict` decides otherwise than the vector file
/// expects, and why. Empty means: every "valid" vector verifies and every "invalid" one is
/// rejected.
const DIVERGENCES: &[(usize, &str)] = &[];

/// The giayto signature path: key bytes as the verifier parses them, then `verify_ed25519`.
fn giayto_accepts(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(key_bytes) = <[u8; 32]>::try_from(public_key) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&key_bytes) else {
        return false;
    };
    verify_ed25519(&key, message, signature).is_ok()
}

#[test]
fn wycheproof_ed25519() {
    let set = TestSet::load(TestName::Ed25519).expect("embedded Wycheproof data");
    let mut total = 0;
    let mut valid = 0;
    let mut divergences = Vec::new();
    let mut acceptable = Vec::new();
    for group in &set.test_groups {
        for test in &group.tests {
            total += 1;
            let got = giayto_accepts(&group.key.pk, &test.msg, &test.sig);
            match test.result {
                TestResult::Valid => {
                    valid += 1;
                    if !got {
                        divergences.push((test.tc_id, "valid", test.comment.clone()));
                    }
                }
                TestResult::Invalid => {
                    if got {
                        divergences.push((test.tc_id, "invalid", test.comment.clone()));
                    }
                }
                TestResult::Acceptable => acceptable.push((test.tc_id, got, test.comment.clone())),
            }
        }
    }
    eprintln!(
        "Wycheproof Ed25519: {total} cases, {valid} valid, {} acceptable, {} divergences",
        acceptable.len(),
        divergences.len()
    );
    assert_eq!(total, set.number_of_tests);
    assert!(total >= 100 && valid >= 20, "{total} tests, {valid} valid");
    let found: Vec<usize> = divergences.iter().map(|d| d.0).collect();
    let listed: Vec<usize> = DIVERGENCES.iter().map(|d| d.0).collect();
    assert_eq!(
        found, listed,
        "Wycheproof cases decided otherwise than expected: {divergences:#?}; acceptable: {acceptable:#?}"
    );
}

struct Rfc8032 {
    name: &'static str,
    secret: &'static str,
    public: &'static str,
    message: &'static str,
    signature: &'static str,
}

/// RFC 8032 §7.1, tests 1, 2, 3 and SHA(abc).
const RFC8032: &[Rfc8032] = &[
    Rfc8032 {
        name: "TEST 1",
        secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: "",
        signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    },
    Rfc8032 {
        name: "TEST 2",
        secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: "72",
        signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    },
    Rfc8032 {
        name: "TEST 3",
        secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        public: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        message: "af82",
        signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    },
    Rfc8032 {
        name: "TEST SHA(abc)",
        secret: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        public: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        message: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    },
];

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

/// The group order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// S + L: the same scalar mod L, in a non-canonical encoding (still below 2^256).
fn add_l(s: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(s[i]) + u16::from(L[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    out
}

#[test]
fn rfc8032_vectors_sign_and_verify() {
    for v in RFC8032 {
        let secret: [u8; 32] = unhex(v.secret).try_into().unwrap();
        let key = SigningKey::from_bytes(&secret);
        assert_eq!(
            key.verifying_key().to_bytes().to_vec(),
            unhex(v.public),
            "{}",
            v.name
        );
        let message = unhex(v.message);
        let signature = unhex(v.signature);
        assert_eq!(
            key.sign(&message).to_bytes().to_vec(),
            signature,
            "{}",
            v.name
        );
        assert!(
            giayto_accepts(&unhex(v.public), &message, &signature),
            "{}",
            v.name
        );

        // Every single-bit flip of the signature, and of the message, is rejected.
        for bit in 0..512 {
            let mut s = signature.clone();
            s[bit / 8] ^= 1 << (bit % 8);
            assert!(
                !giayto_accepts(&unhex(v.public), &message, &s),
                "{} sig bit {bit}",
                v.name
            );
        }
        for bit in 0..message.len() * 8 {
            let mut m = message.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            assert!(
                !giayto_accepts(&unhex(v.public), &m, &signature),
                "{} msg bit {bit}",
                v.name
            );
        }
        // Wrong lengths are refused before any arithmetic.
        let key = VerifyingKey::from_bytes(&unhex(v.public).try_into().unwrap()).unwrap();
        for len in [0, 63, 65] {
            let mut s = signature.clone();
            s.resize(len, 0);
            assert_eq!(
                verify_ed25519(&key, &message, &s),
                Err(CoseError::SignatureLength { len })
            );
        }
    }
}

#[test]
fn non_canonical_s_is_rejected() {
    for v in RFC8032 {
        let signature = unhex(v.signature);
        let mut malleated = signature.clone();
        malleated[32..].copy_from_slice(&add_l(&signature[32..]));
        assert_ne!(malleated, signature);
        assert!(
            !giayto_accepts(&unhex(v.public), &unhex(v.message), &malleated),
            "{}: S + L accepted",
            v.name
        );
    }
}

/// The eight points of small order, in their canonical encodings (and the two non-canonical
/// sign-bit variants of the order-4 points' x = 0 neighbours are covered by Wycheproof).
const SMALL_ORDER: [&str; 8] = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
];

#[test]
fn small_order_public_keys_are_rejected() {
    let message = b"giayto small-order key test";
    for hex_key in SMALL_ORDER {
        let bytes: [u8; 32] = unhex(hex_key).try_into().unwrap();
        let key = VerifyingKey::from_bytes(&bytes).expect("a point on the curve");
        assert!(key.is_weak(), "{hex_key} is not of small order");
        // R = the identity, S = 0: for the identity key this satisfies the cofactorless
        // equation [S]B = R + [k]A for every message.
        let mut forged = [0u8; 64];
        forged[0] = 1;
        assert!(!giayto_accepts(&bytes, message, &forged), "{hex_key}");
        // R = the key itself, S = 0.
        let mut forged = [0u8; 64];
        forged[..32].copy_from_slice(&bytes);
        assert!(!giayto_accepts(&bytes, message, &forged), "{hex_key}");
    }
    // The permissive check would have taken the identity-key forgery for any message: this
    // is what `verify_strict` is there for.
    let identity = VerifyingKey::from_bytes(&unhex(SMALL_ORDER[0]).try_into().unwrap()).unwrap();
    let mut forged = [0u8; 64];
    forged[0] = 1;
    let forged = ed25519_dalek::Signature::from_bytes(&forged);
    assert!(identity.verify(message, &forged).is_ok());
    assert!(identity.verify_strict(message, &forged).is_err());
}

#[test]
fn a_cose_credential_signed_with_a_small_order_key_is_rejected() {
    // A COSE_Sign1 whose kid names the identity key and whose signature is (identity, 0): the
    // full parse + verify path refuses it.
    struct Forger;
    impl giayto_cose::Signer for Forger {
        fn public_key(&self) -> [u8; 32] {
            let mut k = [0u8; 32];
            k[0] = 1;
            k
        }
        fn sign(&self, _: &[u8]) -> Result<[u8; 64], sign1::SignError> {
            let mut s = [0u8; 64];
            s[0] = 1;
            Ok(s)
        }
    }
    let cose = sign1::sign(&Forger, CREDENTIAL_TYP, vec![0xa0]).unwrap();
    let parsed = sign1::Sign1::parse(&cose, CREDENTIAL_TYP).unwrap();
    let key = VerifyingKey::from_bytes(&giayto_cose::Signer::public_key(&Forger)).unwrap();
    assert_eq!(parsed.verify(&key), Err(CoseError::BadSignature));
}
