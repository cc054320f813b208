//! Sizes of selective-disclosure presentations (docs/qr-size.md, "Selective disclosure";
//! docs/decisions.md D90, D91): two designs on the same documents, each with full and
//! truncated hashes, for the disclosure sets that matter — `age_over_18` alone, full name and
//! ID number, everything.
//!
//! *Merkle* is the format of docs/format.md §14 (a 32-leaf tree, inclusion multiproof in the
//! presentation); its 16-byte variant is made by the real code (`giayto_issuer::sd`,
//! `giayto_cose::sd`). *Flat* is the SD-CWT / ISO mdoc design: the credential carries the
//! salted digest of every one of the 32 leaves and the presentation only values and salts.
//! The other variants are built with the same structure and pseudo-random bytes of the right
//! length in place of the hashes: a compressor cannot tell them apart from real ones.

use ed25519_dalek::SigningKey;
use giayto_cose::ciborium::Value;
use giayto_cose::presentation::PresentationPayload;
use giayto_cose::sd::{self, Disclosure, HolderCopy, LEAVES};
use giayto_cose::text::{self, Kind};
use giayto_cose::{cbor, sign1, CREDENTIAL_TYP, PRESENTATION_TYP};
use giayto_issuer::sd::sign_sd_credential;
use giayto_model::{DocType, Document};
use giayto_qr::EccLevel;
use sha2::{Digest, Sha256};

use crate::size::typical_request;
use crate::{seeds, AT};

/// Goal for a presentation of `age_over_18` alone, characters.
pub const AGE_GOAL: usize = 600;
/// Goal for full name and ID number, characters (QR version ≤ 20 at ECC Q).
pub const NAME_ID_GOAL: usize = 750;
/// Goal for any disclosure set, characters.
pub const ANY_GOAL: usize = 1200;

/// A design measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Salted digests of all leaves in the credential (SD-CWT, ISO mdoc).
    Flat,
    /// A Merkle root in the credential, an inclusion multiproof in the presentation.
    Merkle,
}

/// Deterministic pseudo-random bytes: SHA-256 of a label and a counter.
pub struct Stream {
    label: Vec<u8>,
    counter: u64,
}

impl Stream {
    /// A stream for this label.
    pub fn new(label: &str) -> Stream {
        Stream {
            label: label.as_bytes().to_vec(),
            counter: 0,
        }
    }
    /// Fill `buf`.
    pub fn fill(&mut self, buf: &mut [u8]) -> bool {
        for chunk in buf.chunks_mut(32) {
            let mut h = Sha256::new();
            h.update(&self.label);
            h.update(self.counter.to_be_bytes());
            self.counter += 1;
            let d = h.finalize();
            chunk.copy_from_slice(&d[..chunk.len()]);
        }
        true
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = vec![0; n];
        self.fill(&mut v);
        v
    }
}

/// The selective-disclosure copy of the typical credential of a document (docs/qr-size.md),
/// salts from a deterministic stream.
pub fn typical_sd_copy(document: &Document, seed: &str) -> HolderCopy {
    let (key, issuer, request) = typical_request(document);
    let mut stream = Stream::new(seed);
    sign_sd_credential(&key, issuer, &request, &mut |b| stream.fill(b))
        .expect("an in-memory key signs a holder-bound credential")
}

/// The leaves of a named disclosure set: `age18`, `name_id`, `all`.
pub fn disclosure_set(copy: &HolderCopy, doc_type: DocType, set: &str) -> Vec<u64> {
    let key_of = |names: &[&str]| {
        doc_type
            .field_keys()
            .into_iter()
            .filter(|(_, n)| names.contains(n))
            .map(|(k, _)| k)
            .collect::<Vec<_>>()
    };
    match set {
        "age18" => sd::age_leaf(18).into_iter().collect(),
        "name_id" => key_of(&["full_name", "owner_name", "id_number", "owner_id_number"]),
        _ => copy.entries.iter().map(|e| e.index).collect(),
    }
}

/// Sign a presentation payload with the typical holder key.
pub fn present(payload: &PresentationPayload) -> Vec<u8> {
    let holder = SigningKey::from_bytes(&seeds::HOLDER);
    sign1::sign(&holder, PRESENTATION_TYP, payload.to_bytes()).expect("in-memory key signs")
}

/// The presentation COSE bytes of a design with hashes of `hash_len` bytes.
pub fn presentation(document: &Document, design: Design, hash_len: usize, set: &str) -> Vec<u8> {
    let copy = typical_sd_copy(document, "sd-size");
    let indices = disclosure_set(&copy, document.doc_type(), set);
    let real = copy.disclose(&indices).expect("the set's leaves are real");
    if design == Design::Merkle && hash_len == sd::HASH_LEN {
        return present(&PresentationPayload {
            credential: copy.credential.clone(),
            issued_at: AT,
            nonce: None,
            disclosures: Some(real),
            request: None,
        });
    }
    // Rebuild the credential with a commitment of the design's size.
    let signed = sign1::Sign1::parse(&copy.credential, CREDENTIAL_TYP).expect("own credential");
    let mut claims = cbor::decode(signed.payload()).expect("own claims");
    let mut stream = Stream::new(&format!("{design:?}{hash_len}{set}"));
    let commitment_len = match design {
        Design::Flat => LEAVES * hash_len,
        Design::Merkle => hash_len,
    };
    if let Value::Map(entries) = &mut claims {
        for (k, v) in entries.iter_mut() {
            if cbor::as_i64(k) == Some(sd::COMMITMENT_LABEL) {
                if let Value::Map(c) = v {
                    for (ck, cv) in c.iter_mut() {
                        if cbor::as_i64(ck) == Some(4) {
                            *cv = Value::Bytes(stream.bytes(commitment_len));
                        }
                    }
                }
            }
        }
    }
    let (key, _, _) = typical_request(document);
    let credential =
        sign1::sign(&key, CREDENTIAL_TYP, cbor::encode(&claims)).expect("in-memory key signs");
    let proof_len = match design {
        Design::Flat => 0,
        Design::Merkle => real.proof.len() * hash_len,
    };
    let mut items: Vec<Value> = real
        .items
        .iter()
        .map(|d: &Disclosure| {
            Value::Array(vec![
                d.index.into(),
                Value::Bytes(d.salt.to_vec()),
                d.value.clone(),
            ])
        })
        .collect();
    if design == Design::Merkle {
        items.push(Value::Bytes(stream.bytes(proof_len)));
    }
    let mut payload = cbor::decode(
        &PresentationPayload {
            credential,
            issued_at: AT,
            nonce: None,
            disclosures: None,
            request: None,
        }
        .to_bytes(),
    )
    .expect("own payload");
    if let Value::Map(entries) = &mut payload {
        entries.push((4.into(), Value::Array(items)));
    }
    let holder = SigningKey::from_bytes(&seeds::HOLDER);
    sign1::sign(&holder, PRESENTATION_TYP, cbor::encode(&payload)).expect("in-memory key signs")
}

/// One measured presentation.
#[derive(Debug, Clone)]
pub struct SdMeasure {
    /// Document type.
    pub doc_type: DocType,
    /// Design.
    pub design: Design,
    /// Hash length, bytes.
    pub hash_len: usize,
    /// Disclosure set name.
    pub set: &'static str,
    /// COSE bytes of the presentation.
    pub cose: usize,
    /// Characters, shortest of raw and plain zlib.
    pub zlib: usize,
    /// Characters, shortest form with dictionary v1 (what the wallet shows).
    pub chosen: usize,
    /// QR version of the chosen text at ECC Q (`None`: more than a version-40 symbol holds).
    pub version_q: Option<u8>,
}

/// Measure one presentation.
pub fn measure_sd(
    document: &Document,
    design: Design,
    hash_len: usize,
    set: &'static str,
) -> SdMeasure {
    let cose = presentation(document, design, hash_len, set);
    let zlib = text::encode(Kind::Presentation, &cose, None).len();
    let chosen = text::encode(Kind::Presentation, &cose, Some(&text::DICTIONARY_V1));
    SdMeasure {
        doc_type: document.doc_type(),
        design,
        hash_len,
        set,
        cose: cose.len(),
        zlib,
        chosen: chosen.len(),
        version_q: giayto_qr::qr_version(&chosen, EccLevel::Q).ok(),
    }
}

/// The sets measured, with their labels.
pub const SETS: [(&str, &str); 3] = [
    ("age18", "`age_over_18`"),
    ("name_id", "full name + ID number"),
    ("all", "every field and predicate"),
];

/// The design comparison on the sample CCCD, then the chosen design on every type.
pub fn sd_measurements() -> (Vec<SdMeasure>, Vec<SdMeasure>) {
    let cccd = Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd))
        .expect("the sample input validates");
    let mut compare = Vec::new();
    for (design, hash_len) in [
        (Design::Flat, 32),
        (Design::Flat, 16),
        (Design::Merkle, 32),
        (Design::Merkle, 16),
    ] {
        for (set, _) in SETS {
            compare.push(measure_sd(&cccd, design, hash_len, set));
        }
    }
    let mut chosen = Vec::new();
    for t in DocType::ALL {
        let doc = Document::from_json(t, &giayto_model::sample_input(t))
            .expect("the sample input validates");
        for (set, _) in SETS {
            if set == "age18" && doc.holder_date_of_birth().is_none() {
                continue;
            }
            chosen.push(measure_sd(&doc, Design::Merkle, sd::HASH_LEN, set));
        }
    }
    (compare, chosen)
}

fn set_label(set: &str) -> &'static str {
    SETS.iter()
        .find(|(s, _)| *s == set)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

fn goal(set: &str) -> usize {
    match set {
        "age18" => AGE_GOAL,
        "name_id" => NAME_ID_GOAL,
        _ => ANY_GOAL,
    }
}

/// The Markdown section of docs/qr-size.md.
pub fn sd_report() -> String {
    let (compare, chosen) = sd_measurements();
    let mut s = String::new();
    s.push_str("## Selective disclosure (`VP1:` with disclosures)\n\n");
    s.push_str(
        "A holder's presentation of a selective-disclosure credential (docs/format.md §14) for \
         the sample CCCD above: the credential inside commits to 32 salted leaves (13 field \
         slots used, 7 `age_over_NN` predicates, the rest decoys) and the presentation carries \
         only the disclosed values with their 16-byte salts. *Flat* puts the salted digest of \
         every leaf in the credential (the SD-CWT and ISO mdoc design); *Merkle* puts one root \
         there and an inclusion multiproof in the presentation (RFC 9162 tree hashing). \
         *zlib* is the shortest text without the dictionary, *chosen* the wallet's text (with \
         dictionary v1). Goals: `age_over_18` ≤ 600 characters, full name + ID number ≤ 750 \
         (QR version ≤ 20 at ECC Q), any set ≤ 1,200. Generated by `giayto_vectors::sd_size` \
         (docs/decisions.md D90, D91).\n\n",
    );
    s.push_str("| design | hash bytes | disclosed | COSE bytes | zlib | chosen | QR version (ECC Q) | goal |\n|---|---:|---|---:|---:|---:|---:|---|\n");
    for m in &compare {
        s.push_str(&row(m));
    }
    s.push_str("\nThe format's design (Merkle, 16-byte hashes) on every document type:\n\n");
    s.push_str("| document | disclosed | COSE bytes | zlib | chosen | QR version (ECC Q) | goal |\n|---|---|---:|---:|---:|---:|---|\n");
    for m in &chosen {
        let g = goal(m.set);
        s.push_str(&format!(
            "| {} | {} | {} | {} | **{}** | {} | ≤ {g}: {} |\n",
            m.doc_type.as_str(),
            set_label(m.set),
            m.cose,
            m.zlib,
            m.chosen,
            version(m.version_q),
            if m.chosen <= g { "met" } else { "not met" }
        ));
    }
    s
}

fn row(m: &SdMeasure) -> String {
    let g = goal(m.set);
    format!(
        "| {} | {} | {} | {} | {} | **{}** | {} | ≤ {g}: {} |\n",
        match m.design {
            Design::Flat => "flat",
            Design::Merkle => "Merkle",
        },
        m.hash_len,
        set_label(m.set),
        m.cose,
        m.zlib,
        m.chosen,
        version(m.version_q),
        if m.chosen <= g { "met" } else { "not met" }
    )
}

fn version(v: Option<u8>) -> String {
    v.map(|v| v.to_string())
        .unwrap_or_else(|| "over 40".to_owned())
}
