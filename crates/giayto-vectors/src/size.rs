//! The QR size report, `docs/qr-size.md`: per document type, the size of a typical credential
//! (with a holder key in `cnf` and a status claim) in each text form and the QR version it
//! needs. Written by `cargo run -p giayto-vectors --bin qr-size`; a test checks the file is
//! current.

use std::fmt::Write as _;

use ed25519_dalek::SigningKey;
use giayto_cose::claims::StatusRef;
use giayto_cose::text::{self, Form, Kind};
use giayto_issuer::credential::{credential_text, sign_credential, CredentialRequest};
use giayto_model::{DocType, Document};
use giayto_qr::EccLevel;

use crate::{seeds, AT};

/// The size goal for a typical CCCD credential (docs/performance.md), in characters.
pub const CCCD_GOAL: usize = 450;

/// Status list index of the measured credentials: a random-looking index below 2^20.
pub const STATUS_IDX: u64 = 731_942;

/// Bytes of a credential that no compression can shorten: kid (8), serial (10), holder key
/// (32), signature (64).
pub const RANDOM_BYTES: usize = 8 + 10 + 32 + 64;

/// One measured credential.
#[derive(Debug, Clone)]
pub struct Measure {
    /// What was measured.
    pub label: String,
    /// COSE_Sign1 bytes.
    pub cose: usize,
    /// Characters of `VN1:` + base45 of the raw COSE bytes.
    pub raw: usize,
    /// Characters with plain zlib.
    pub zlib: usize,
    /// Characters with zlib and preset dictionary v1.
    pub dictionary: usize,
    /// Characters of the issuer's text (the shortest form).
    pub chosen: usize,
    /// Which form the issuer chose.
    pub form: Form,
    /// QR version of the issuer's text at ECC M.
    pub version_m: u8,
    /// QR version of the issuer's text at ECC Q.
    pub version_q: u8,
}

fn issuer_for(t: DocType) -> (SigningKey, &'static str) {
    match t {
        DocType::Bhyt | DocType::Bhxh => (SigningKey::from_bytes(&seeds::INSURANCE), "VN.BHXH"),
        _ => (SigningKey::from_bytes(&seeds::POLICE), "VN.BCA.C06"),
    }
}

/// Sign the typical credential of a document: 10-byte serial, five years, holder key, status
/// claim `{idx: 731942, uri: "https://giayto.example/st/<issuer>/1"}`, assurance level 2.
pub fn typical_cose(document: &Document) -> Vec<u8> {
    let (key, issuer, request) = typical_request(document);
    sign_credential(&key, issuer, &request).expect("an in-memory key signs")
}

/// The issuer key, the issuer id and the request of a document's typical credential (the one
/// [`typical_cose`] signs; the selective-disclosure copy of docs/qr-size.md signs the same).
pub fn typical_request(document: &Document) -> (SigningKey, &'static str, CredentialRequest<'_>) {
    let (key, issuer) = issuer_for(document.doc_type());
    let holder = SigningKey::from_bytes(&seeds::HOLDER);
    let request = CredentialRequest {
        document,
        serial: vec![0x3C, 0x91, 0x07, 0xE2, 0x5B, 0xA8, 0x14, 0x6F, 0xD0, 0x29],
        issued_at: AT,
        not_before: None,
        expires_at: AT + 1825 * 86_400,
        holder_key: Some(holder.verifying_key().to_bytes()),
        assurance_level: 2,
        status: Some(StatusRef {
            idx: STATUS_IDX,
            uri: format!("https://giayto.example/st/{issuer}/1"),
        }),
    };
    (key, issuer, request)
}

/// Measure one credential.
pub fn measure(label: &str, cose: &[u8]) -> Measure {
    let raw = 4 + base45::encode(cose).len();
    let zlib = text::encode_with_form(Kind::Credential, cose, None).0;
    let zlib_len = if zlib.len() < raw {
        zlib.len()
    } else {
        // The codec picked raw; measure the zlib form itself.
        let mut c = flate2::Compress::new(flate2::Compression::best(), true);
        let mut out = Vec::with_capacity(cose.len() + 64);
        let _ = c.compress_vec(cose, &mut out, flate2::FlushCompress::Finish);
        4 + base45::encode(&out).len()
    };
    let (dict, dict_form) =
        text::encode_with_form(Kind::Credential, cose, Some(&text::DICTIONARY_V1));
    let dictionary = if matches!(dict_form, Form::ZlibDictionary(_)) {
        dict.len()
    } else {
        let mut c = flate2::Compress::new(flate2::Compression::best(), true);
        c.set_dictionary(text::DICTIONARY_V1_BYTES)
            .expect("zlib-rs takes a dictionary");
        let mut out = Vec::with_capacity(cose.len() + 64);
        let _ = c.compress_vec(cose, &mut out, flate2::FlushCompress::Finish);
        4 + base45::encode(&out).len()
    };
    let chosen = credential_text(cose);
    Measure {
        label: label.to_owned(),
        cose: cose.len(),
        raw,
        zlib: zlib_len,
        dictionary,
        chosen: chosen.len(),
        form: dict_form,
        version_m: giayto_qr::qr_version(&chosen, EccLevel::M).expect("fits a QR code"),
        version_q: giayto_qr::qr_version(&chosen, EccLevel::Q).expect("fits a QR code"),
    }
}

/// Synthetic people that share nothing with the sample documents nor with the dictionary's
/// material beyond common words: name, place of origin, residence.
pub const HELD_OUT: &[(&str, &str, &str)] = &[
    (
        "Lê Văn Khải",
        "Thôn Đông, xã Hòa Tiến, huyện Hòa Vang, Đà Nẵng",
        "Số 5 đường Lê Duẩn, phường Tân Lập, thành phố Buôn Ma Thuột, Đắk Lắk",
    ),
    (
        "Phạm Ngọc Ánh",
        "Xã Yên Phong, huyện Ý Yên, Nam Định",
        "Số 88/3 hẻm 41 đường Nguyễn Trãi, phường 7, quận 5, Hồ Chí Minh",
    ),
    (
        "Đào Thị Xuyến",
        "Xã Kỳ Sơn, huyện Tân Kỳ, Nghệ An",
        "Xóm 4, xã Nghi Phú, thành phố Vinh, Nghệ An",
    ),
];

/// The sample document of a type with another person's name and addresses.
pub fn held_out_document(t: DocType, person: &(&str, &str, &str)) -> Document {
    let (name, origin, residence) = *person;
    let mut j = giayto_model::sample_input(t);
    for k in ["full_name", "owner_name"] {
        if j.get(k).is_some() {
            j[k] = name.into();
        }
    }
    for k in [
        "place_of_residence",
        "residence",
        "owner_address",
        "address",
    ] {
        if j.get(k).is_some() {
            j[k] = residence.into();
        }
    }
    if j.get("place_of_origin").is_some() {
        j["place_of_origin"] = origin.into();
    }
    Document::from_json(t, &j).expect("held-out input validates")
}

/// The sample documents measured: one of each type, then the 2024 identity card and the
/// company's car (schema 2 of the vehicle type).
pub fn samples() -> Vec<(String, Document)> {
    let mut out: Vec<(String, Document)> = DocType::ALL
        .into_iter()
        .map(|t| {
            let doc = Document::from_json(t, &giayto_model::sample_input(t))
                .expect("the sample input validates");
            (t.as_str().to_owned(), doc)
        })
        .collect();
    for (label, t, input) in [
        (
            "cccd (2024 card)",
            DocType::Cccd,
            giayto_model::sample_can_cuoc_2024(),
        ),
        (
            "vehicle (organisation)",
            DocType::Vehicle,
            giayto_model::sample_organisation_vehicle(),
        ),
    ] {
        let doc = Document::from_json(t, &input).expect("the sample input validates");
        out.push((label.to_owned(), doc));
    }
    out
}

/// Every measurement of the report: the samples ([`samples`]), then the held-out people.
pub fn measurements() -> Vec<Measure> {
    let mut out = Vec::new();
    for (label, doc) in samples() {
        out.push(measure(&label, &typical_cose(&doc)));
    }
    for person in HELD_OUT {
        for t in DocType::ALL {
            let doc = held_out_document(t, person);
            out.push(measure(
                &format!("{} ({})", t.as_str(), person.0),
                &typical_cose(&doc),
            ));
        }
    }
    out
}

fn row(m: &Measure) -> String {
    let form = match m.form {
        Form::Raw => "raw",
        Form::Zlib => "zlib",
        Form::ZlibDictionary(_) => "zlib+dict v1",
    };
    format!(
        "| {} | {} | {} | {} | **{}** | {} | {} | {} |\n",
        m.label, m.cose, m.raw, m.zlib, m.dictionary, form, m.version_m, m.version_q
    )
}

/// The Markdown of `docs/qr-size.md`.
pub fn report() -> String {
    let all = measurements();
    let header = "| credential | COSE bytes | raw | zlib | zlib + dictionary | issuer's form | QR version (ECC M) | QR version (ECC Q) |\n|---|---:|---:|---:|---:|---|---:|---:|\n";
    let mut s = String::new();
    s.push_str("# QR size\n\n");
    s.push_str(
        "Generated by `cargo run -p giayto-vectors --bin qr-size` (do not edit by hand; a test \
         checks this file is current).\n\n",
    );
    s.push_str(
        "Each row is a typical credential as an issuer makes it: the synthetic sample document \
         of `giayto_model::sample_input`, a 10-byte serial, validity of five years, a holder \
         key in `cnf` (Ed25519, 32 bytes), a status claim `{idx: 731942, uri: \
         \"https://giayto.example/st/<issuer>/1\"}` and assurance level 2, signed by the test \
         key of its issuer; the last two sample rows are the same person's 2024 identity card \
         (`sample_can_cuoc_2024`) and a company's car (`sample_organisation_vehicle`, schema \
         2 of the vehicle type). Sizes are characters of the whole QR text, `VN1:` included: \
         *raw* is base45 of the COSE bytes, *zlib* of their zlib stream, *zlib + dictionary* \
         of their zlib stream with preset dictionary v1 (`test-vectors/zlib-dictionary-v1.bin`, \
         Adler-32 `e9384a1d`). The issuer uses the shortest; the QR versions are those of that \
         text in alphanumeric mode.\n\n",
    );
    s.push_str("## The sample documents\n\n");
    s.push_str(header);
    let n_samples = samples().len();
    for m in &all[..n_samples] {
        s.push_str(&row(m));
    }
    let cccd = &all[0];
    let _ = write!(
        s,
        "\nGoal (docs/performance.md): a typical CCCD credential at most {CCCD_GOAL} characters. \
         Measured: **{} characters**, {} ({} characters {}). For scale: EU DCC codes have a \
         median of 555 characters.\n\n",
        cccd.chosen,
        if cccd.chosen <= CCCD_GOAL {
            "goal met"
        } else {
            "goal not met"
        },
        cccd.chosen.abs_diff(CCCD_GOAL),
        if cccd.chosen <= CCCD_GOAL {
            "below it"
        } else {
            "over it"
        },
    );
    if let Some(book) = all.iter().find(|m| m.label == "bhxh") {
        let _ = write!(
            s,
            "The social insurance book has the same goal ({CCCD_GOAL} characters; it carries no \
             portrait and no address, and its dictionary is v1, built before it existed): \
             **{} characters**, {}.\n\n",
            book.chosen,
            if book.chosen <= CCCD_GOAL {
                "goal met"
            } else {
                "goal not met"
            },
        );
    }
    s.push_str("## Held-out synthetic people\n\n");
    s.push_str(
        "The dictionary was built from word lists, not from the samples; these rows check that \
         the gain is not tied to the sample person. Same documents, with another synthetic \
         name, place of origin and residence that appear nowhere in the dictionary as a \
         whole (only their common words, such as family names, `xã`, `phường` and province \
         names, do).\n\n",
    );
    s.push_str(header);
    for m in &all[n_samples..] {
        s.push_str(&row(m));
    }
    let held_cccd: Vec<&Measure> = all[n_samples..]
        .iter()
        .filter(|m| m.label.starts_with("cccd"))
        .collect();
    let worst = held_cccd.iter().map(|m| m.chosen).max().unwrap_or(0);
    let _ = write!(
        s,
        "\nLongest held-out CCCD: {worst} characters ({}).\n\n",
        if worst <= CCCD_GOAL {
            "within the goal"
        } else {
            "over the goal"
        }
    );
    let floor = 4 + (RANDOM_BYTES * 3).div_ceil(2);
    let _ = write!(
        s,
        "## Where the characters go\n\n\
         {RANDOM_BYTES} bytes of every credential are random to a compressor: the kid (8), the \
         serial (10), the holder key (32) and the signature (64). In base45 they alone take \
         {floor} characters with the prefix, so about {} of the {} characters of the sample \
         CCCD carry everything else (header, claims, the document's fields). Plain zlib saves \
         little ({} → {}): a single credential has few repeats of its own. The preset \
         dictionary gives the compressor the repeats in advance — the CBOR skeleton every \
         credential shares (the protected header and `typ`, the claim keys, the `cnf` key \
         skeleton, the status claim with its uri prefix, the document claim header and field \
         keys) and the vocabulary of Vietnamese names and addresses.\n",
        cccd.chosen.saturating_sub(floor),
        cccd.chosen,
        cccd.raw,
        cccd.zlib,
    );
    s.push('\n');
    s.push_str(&crate::sd_size::sd_report());
    s.push('\n');
    s.push_str(&crate::delta_size::delta_report());
    s.push('\n');
    s.push_str(&crate::bridge_size::bridge_report());
    s
}
