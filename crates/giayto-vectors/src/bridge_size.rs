//! The sizes of the other formats giayto writes, beside the `VN1:` forms in docs/qr-size.md:
//! the MOSIP Claim 169 code of an identity card (docs/format.md §16.6) and the ISO 18013-5
//! mdoc of a driving licence (§17), which is not a QR code at all.

use std::fmt::Write as _;

use giayto_issuer::claim169::claim169_text;
use giayto_mdoc::testca::key_from_seed;
use giayto_mdoc::{issue, IssueOptions};
use giayto_model::{DocType, Document};
use giayto_qr::EccLevel;

use crate::claim169::{sources, synthetic_portrait, EXPIRES_AT, ISSUED_AT};
use crate::size::{measure, typical_cose};
use crate::{key, seeds};

fn version(text: &str, ecc: EccLevel) -> String {
    giayto_qr::qr_version(text, ecc)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| "over 40".into())
}

/// One row: label, characters, QR versions at M and Q.
fn row(s: &mut String, label: &str, text: &str) {
    let _ = writeln!(
        s,
        "| {label} | {} | {} | {} |",
        text.len(),
        version(text, EccLevel::M),
        version(text, EccLevel::Q)
    );
}

/// The section of docs/qr-size.md on Claim 169 codes and the mdoc.
pub fn bridge_report() -> String {
    let mut s = String::new();
    s.push_str("## Other formats: Claim 169 codes and the ISO 18013-5 mdoc\n\n");
    s.push_str(
        "A MOSIP ID Claim 169 code (docs/format.md §16) is made beside the `VN1:` credential of \
         an identity card (`issue --also claim169`): the same person, signed by the same issuer \
         key (EdDSA), as a CWT compressed with plain zlib and written in base45 with no prefix, \
         as the MOSIP specification requires — giayto's preset dictionary cannot be used, since \
         other readers do not have it. Rows: the `VN1:` text of the typical credential above \
         (holder key and status claim), and the Claim 169 code of the same card as the test \
         vectors make it (`test-vectors/claim169.json`: issuer VN.BCA.C06, one year); the last \
         with a 126-byte synthetic JPEG portrait (the sample cards have none).\n\n",
    );
    s.push_str(
        "| code | characters | QR version (ECC M) | QR version (ECC Q) |\n|---|---:|---:|---:|\n",
    );
    let police = key(seeds::POLICE);
    for (name, input) in sources() {
        let doc = Document::from_json(DocType::Cccd, &input).expect("sample validates");
        let code = claim169_text(&police, "VN.BCA.C06", &doc, ISSUED_AT, EXPIRES_AT)
            .expect("an identity card maps");
        let card = match name {
            "cccd_2021" => "cccd (2021 sample card)",
            "cccd_2024" => "cccd (2024 card)",
            _ => "cccd (2021 card with a portrait)",
        };
        if name != "cccd_portrait" {
            let vn1 = measure(card, &typical_cose(&doc));
            let _ = writeln!(
                s,
                "| `VN1:` {card}, {} | {} | {} | {} |",
                match vn1.form {
                    giayto_cose::text::Form::Raw => "raw",
                    giayto_cose::text::Form::Zlib => "zlib",
                    giayto_cose::text::Form::ZlibDictionary(_) => "zlib + dictionary",
                },
                vn1.chosen,
                vn1.version_m,
                vn1.version_q
            );
        }
        row(&mut s, &format!("Claim 169, {card}"), &code);
    }
    s.push_str(
        "\nThe Claim 169 code carries less (no serial, status, holder key or document claim) but \
         compresses less; a portrait adds about 1.5 characters per byte.\n\n",
    );

    // The mdoc: the vectors' test IACA and document signer, the sample licence.
    let (iaca, _) = crate::mdoc::roots();
    let signer = key_from_seed(b"giayto mdoc vector document signer");
    let ds = iaca.document_signer(
        &signer,
        "giayto test DS CSGT",
        crate::mdoc::AT - 30 * 86_400,
        crate::mdoc::AT + 1000 * 86_400,
    );
    let Ok(Document::Gplx(gplx)) =
        Document::from_json(DocType::Gplx, &giayto_model::sample_input(DocType::Gplx))
    else {
        unreachable!("the gplx sample validates")
    };
    let options = |portrait: Option<Vec<u8>>| IssueOptions {
        device_key: *key_from_seed(b"giayto mdoc vector device").verifying_key(),
        now: crate::mdoc::AT - 86_400,
        valid_days: 365,
        portrait,
        salt_seed: Some([0x5a; 32]),
    };
    let plain = issue(&gplx, &signer, std::slice::from_ref(&ds), &options(None))
        .expect("issues")
        .bytes;
    let with_portrait = issue(
        &gplx,
        &signer,
        std::slice::from_ref(&ds),
        &options(Some(synthetic_portrait())),
    )
    .expect("issues")
    .bytes;
    let _ = write!(
        s,
        "An ISO 18013-5 mdoc (docs/format.md §17) is **not put in a QR code**: the holder's \
         device sends it, or the elements the holder chooses, over BLE, NFC or Wi-Fi Aware \
         after a device engagement (only the engagement is a QR code, and giayto does not make \
         it). Its size is given for comparison, in bytes of the `.mdoc` file (the issuer-signed \
         part of the sample licence: {} data elements, each with a 16-byte salt and its own \
         SHA-256 digest in the signed MSO, and the document signer's certificate in the \
         header), as `giayto issue --format mdoc` writes it, with the vectors' test \
         certificates (`test-vectors/mdoc/`):\n\n",
        giayto_mdoc::verify::verify(&plain, &[iaca.cert()], crate::mdoc::AT,)
            .map(|v| v.elements.len())
            .unwrap_or(0)
    );
    s.push_str("| mdoc | bytes | of which the certificate | as base45 text | QR version (ECC M) |\n|---|---:|---:|---:|---:|\n");
    for (label, bytes) in [
        ("gplx (sample licence)", &plain),
        ("gplx with a 126-byte portrait", &with_portrait),
    ] {
        let text = base45::encode(bytes);
        let _ = writeln!(
            s,
            "| {label} | {} | {} | {} | {} |",
            bytes.len(),
            ds.der().len(),
            text.len(),
            version(&text, EccLevel::M)
        );
    }
    let vn1 = measure("gplx", &typical_cose(&Document::Gplx(gplx)));
    let _ = write!(
        s,
        "\nThe `VN1:` credential of the same licence is {} characters (above). A device response \
         shows only the chosen elements (each with its salt and digest id) beside the whole \
         signed MSO, and adds the device's signature.\n",
        vn1.chosen
    );
    s
}
