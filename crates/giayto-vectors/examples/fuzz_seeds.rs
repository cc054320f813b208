//! Write seed corpora for the fuzz targets in `fuzz/` from the test vectors:
//! `cargo run -p giayto-vectors --example fuzz_seeds -- fuzz/corpus`.
//!
//! Seeds are small (the vectors plus the pieces inside them) and regenerated on every run, so
//! none is committed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ciborium::value::Value;
use giayto_cose::sign1::Sign1;
use giayto_cose::{cbor, text, CREDENTIAL_TYP};
use giayto_model::DocType;

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let d = dir.join(target);
    std::fs::create_dir_all(&d)?;
    std::fs::write(d.join(name), bytes)
}

fn run(dir: &Path) -> std::io::Result<usize> {
    let mut count = 0;
    let mut put = |target: &str, name: &str, bytes: &[u8]| {
        count += 1;
        write(dir, target, name, bytes)
    };
    let files = giayto_vectors::generate();
    let mut vectors = Vec::new();
    for file in ["credentials.json", giayto_vectors::later::FILE_NAME] {
        let json = files
            .iter()
            .find(|f| f.name == file)
            .map(|f| f.bytes.clone())
            .unwrap_or_default();
        let all: serde_json::Value = serde_json::from_slice(&json).unwrap_or_default();
        vectors.extend(all["vectors"].as_array().cloned().unwrap_or_default());
    }
    for v in &vectors {
        let (Some(name), Some(qr)) = (v["name"].as_str(), v["text"].as_str()) else {
            continue;
        };
        put("verify_text", name, qr.as_bytes())?;
        put("text_decode", name, qr.as_bytes())?;
        let Ok((_, cose)) = text::decode(qr, &[]) else {
            continue;
        };
        put("cose_sign1", name, &cose)?;
        put("cbor_strict", name, &cose)?;
        let Ok(signed) = Sign1::parse(&cose, CREDENTIAL_TYP) else {
            continue;
        };
        let payload = signed.payload();
        put("claims", name, payload)?;
        put("verify_signed_payload", name, payload)?;
        put("cbor_strict", &format!("{name}.payload"), payload)?;
        if let Ok(Value::Map(claims)) = cbor::decode(payload) {
            let fields = cbor::get_int(&claims, -70001)
                .and_then(Value::as_map)
                .and_then(|d| cbor::get_int(d, 4));
            if let Some(fields) = fields {
                put("document_fields", name, &cbor::encode(fields))?;
            }
        }
    }
    if let Some(trust) = files.iter().find(|f| f.name == "trust.cwt") {
        put("trust_list", "trust.cwt", &trust.bytes)?;
        put("cose_sign1", "trust.cwt", &trust.bytes)?;
        if let Ok(signed) = Sign1::parse(&trust.bytes, giayto_cose::TRUST_LIST_TYP) {
            put("trust_list", "trust.payload", signed.payload())?;
        }
    }
    // Status lists and the bundle (signed tokens, their payloads, the envelope).
    for file in &files {
        if file.name.ends_with(".statuslist.cwt") {
            put("status_list", file.name, &file.bytes)?;
            if let Ok(signed) = Sign1::parse_bounded(
                &file.bytes,
                giayto_cose::STATUS_LIST_TYP,
                giayto_status::MAX_TOKEN_BYTES,
            ) {
                put(
                    "status_list",
                    &format!("{}.payload", file.name),
                    signed.payload(),
                )?;
            }
        } else if file.name.ends_with(".cbor") {
            put("bundle", file.name, &file.bytes)?;
        }
    }
    // Presentations: the texts, and the payloads behind the holder's signature.
    let presentations = files
        .iter()
        .find(|f| f.name == "presentations.json")
        .map(|f| f.bytes.clone())
        .unwrap_or_default();
    let all: serde_json::Value = serde_json::from_slice(&presentations).unwrap_or_default();
    for v in all["vectors"].as_array().cloned().unwrap_or_default() {
        let (Some(name), Some(qr)) = (v["name"].as_str(), v["text"].as_str()) else {
            continue;
        };
        put("presentation", name, qr.as_bytes())?;
        if let Ok((_, cose)) = text::decode(qr, &[]) {
            if let Ok(signed) = Sign1::parse(&cose, giayto_cose::PRESENTATION_TYP) {
                put("presentation", &format!("{name}.payload"), signed.payload())?;
            }
        }
    }
    for (name, card) in [
        (
            "cccd_2021",
            "001196012345|123456789|Trần Thị Mẫu|17051996|Nữ|Số 1 phố Mẫu, Hà Nội|10042021",
        ),
        (
            "can_cuoc_2024",
            "079203001234||Nguyễn Văn An|02032003|Nam|Phường Bến Nghé, Quận 1, TP Hồ Chí Minh|15082024",
        ),
    ] {
        put("card_qr", name, card.as_bytes())?;
    }
    // later_documents: [which sample, key, day (2 bytes), CBOR value]; the sample's own value
    // at each key, on day 20,000 (2024-10-04).
    let samples = [
        (DocType::Bhxh, giayto_model::sample_input(DocType::Bhxh)),
        (
            DocType::Vehicle,
            giayto_model::sample_organisation_vehicle(),
        ),
        (DocType::Cccd, giayto_model::sample_can_cuoc_2024()),
    ];
    for (which, (t, input)) in samples.iter().enumerate() {
        let Ok(doc) = giayto_model::Document::from_json(*t, input) else {
            continue;
        };
        let Value::Map(entries) = doc.to_cbor() else {
            continue;
        };
        for (k, v) in entries {
            let Some(key) = k.as_integer().and_then(|i| u8::try_from(i).ok()) else {
                continue;
            };
            let mut seed = vec![which as u8, key];
            seed.extend(20_000i16.to_le_bytes());
            seed.extend(cbor::encode(&v));
            put("later_documents", &format!("{t}-{key}"), &seed)?;
        }
    }
    Ok(count)
}

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("fuzz/corpus"));
    match run(&dir) {
        Ok(n) => {
            println!("wrote {n} seeds under {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}
