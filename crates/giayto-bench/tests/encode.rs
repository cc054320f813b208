//! The QR text encoder gives, byte for byte, the text of the encoder it replaced
//! (decisions.md D170, D171) on thousands of credentials of every document type with varied
//! synthetic people, each with its own keys, serial and status entry.

use giayto_bench::encode::{reference_credential_text, varied_credential, KINDS};
use giayto_cose::text;
use giayto_issuer::credential::credential_text;

#[test]
fn encoder_equals_the_reference_on_varied_credentials_of_every_type() {
    const PER_KIND: u64 = 600;
    let mut dictionary_form = 0;
    for (kind, label) in KINDS.iter().enumerate() {
        let mut compared = 0;
        for seed in 0..PER_KIND {
            let Some(cose) = varied_credential(kind, seed) else {
                continue;
            };
            let new = credential_text(&cose);
            assert_eq!(
                new,
                reference_credential_text(&cose),
                "{label} credential {seed} ({} bytes)",
                cose.len()
            );
            let (form_text, form) =
                text::encode_with_form(text::Kind::Credential, &cose, Some(&text::DICTIONARY_V1));
            assert_eq!(form_text, new);
            if matches!(form, text::Form::ZlibDictionary(_)) {
                dictionary_form += 1;
            }
            assert_eq!(text::decode(&new, &[]).expect("decodes").1, cose);
            compared += 1;
        }
        // Nearly every varied document validates (an ID number whose random serial part
        // happens to clash with a rule is skipped, not counted).
        assert!(
            compared * 10 >= PER_KIND * 9,
            "{label}: only {compared} of {PER_KIND} varied documents validate"
        );
    }
    assert!(dictionary_form > 0);
}
