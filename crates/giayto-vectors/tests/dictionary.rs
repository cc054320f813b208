//! The preset dictionary: the shipped bytes are what the builder makes, and it shortens every
//! sample credential compared with plain zlib, without changing a byte of what decodes.

use ed25519_dalek::SigningKey;
use giayto_cose::claims::StatusRef;
use giayto_cose::text::{self, Form, Kind, TextError};
use giayto_issuer::credential::{credential_text, sign_credential, CredentialRequest};
use giayto_model::{DocType, Document};

#[test]
fn embedded_dictionary_is_the_built_one() {
    let built = giayto_vectors::dictionary::build_v1();
    assert!(
        built == text::DICTIONARY_V1_BYTES,
        "crates/giayto-cose/data/zlib-dictionary-v1.bin differs from the builder's output; \
         a dictionary is never edited: add a new version"
    );
    assert_eq!(text::adler32(&built), text::DICTIONARY_V1_ID);
}

fn sample_cose(t: DocType) -> Vec<u8> {
    let doc = Document::from_json(t, &giayto_model::sample_input(t)).unwrap();
    let issuer = SigningKey::from_bytes(&giayto_vectors::seeds::POLICE);
    let holder = SigningKey::from_bytes(&giayto_vectors::seeds::HOLDER);
    let request = CredentialRequest {
        document: &doc,
        serial: vec![0x3C, 0x91, 0x07, 0xE2, 0x5B, 0xA8, 0x14, 0x6F, 0xD0, 0x29],
        issued_at: giayto_vectors::AT,
        not_before: None,
        expires_at: giayto_vectors::AT + 1825 * 86_400,
        holder_key: Some(holder.verifying_key().to_bytes()),
        assurance_level: 2,
        status: Some(StatusRef {
            idx: 731_942,
            uri: "https://giayto.example/st/VN.BCA.C06/1".into(),
        }),
    };
    sign_credential(&issuer, "VN.BCA.C06", &request).unwrap()
}

#[test]
fn dictionary_beats_plain_zlib_on_every_sample_and_round_trips() {
    for t in DocType::ALL {
        let cose = sample_cose(t);
        let (plain, plain_form) = text::encode_with_form(Kind::Credential, &cose, None);
        let (with_dict, form) =
            text::encode_with_form(Kind::Credential, &cose, Some(&text::DICTIONARY_V1));
        assert_eq!(form, Form::ZlibDictionary(text::DICTIONARY_V1_ID), "{t:?}");
        assert!(
            with_dict.len() < plain.len(),
            "{t:?}: dictionary {} vs {plain_form:?} {}",
            with_dict.len(),
            plain.len()
        );
        // The issuer picks it, and it decodes to the very same bytes with no extra setup.
        assert_eq!(credential_text(&cose), with_dict);
        assert_eq!(
            text::decode(&with_dict, &[]).unwrap(),
            (Kind::Credential, cose)
        );
    }
}

#[test]
fn a_stream_naming_another_dictionary_is_a_clear_error() {
    let cose = sample_cose(DocType::Cccd);
    // A dictionary holding the credential itself: certainly the shortest form.
    let other = text::Dictionary::new(&cose);
    let text = text::encode(Kind::Credential, &cose, Some(&other));
    let err = text::decode(&text, &[]).unwrap_err();
    assert_eq!(err, TextError::UnknownDictionary { id: other.id() });
    assert!(err.to_string().contains(&format!("{:08x}", other.id())));
    assert_eq!(text::decode(&text, &[other]).unwrap().1, cose);
}

#[test]
fn qr_size_report_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/qr-size.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == giayto_vectors::size::report(),
        "docs/qr-size.md is out of date: run `cargo run -p giayto-vectors --bin qr-size`"
    );
}

#[test]
fn typical_cccd_meets_the_size_goal() {
    let all = giayto_vectors::size::measurements();
    let cccd = &all[0];
    assert_eq!(cccd.label, "cccd");
    assert!(cccd.chosen <= giayto_vectors::size::CCCD_GOAL, "{cccd:?}");
    for m in &all {
        assert!(m.dictionary < m.zlib.min(m.raw), "{m:?}");
        assert_eq!(m.chosen, m.dictionary, "{m:?}");
    }
}

#[test]
fn typical_bhxh_meets_the_size_goal_with_dictionary_v1() {
    // The book came after dictionary v1 and uses it as it is (docs/decisions.md D130).
    let all = giayto_vectors::size::measurements();
    let book: Vec<_> = all.iter().filter(|m| m.label.starts_with("bhxh")).collect();
    assert_eq!(book.len(), 4, "the sample and three held-out people");
    for m in book {
        assert!(m.chosen <= giayto_vectors::size::CCCD_GOAL, "{m:?}");
        assert_eq!(
            m.form,
            Form::ZlibDictionary(text::DICTIONARY_V1_ID),
            "{m:?}"
        );
    }
}
