//! Sizes of selective-disclosure presentations (docs/qr-size.md, "Selective disclosure";
//! docs/decisions.md D90, D91, D107, D108): the designs measured on the same documents, and
//! both layouts of the format on every document type for the disclosure sets that matter —
//! `age_over_18` alone, name and portrait, name and ID number, everything, and the largest of
//! every set a holder can choose.
//!
//! *Merkle* is layout 1 of docs/format.md §14 (a 32-leaf tree, a salt per disclosed leaf, an
//! inclusion multiproof), *seed tree* layout 2 (§14.5: salts from a seed tree, unused
//! positions empty); both 16-byte variants are made by the real code (`giayto_issuer::sd`,
//! `giayto_cose::sd`). *Flat* is the SD-CWT / ISO mdoc design: the credential carries the
//! salted digest of every one of the 32 leaves and the presentation only values and salts.
//! The other variants are built with the same structure and pseudo-random bytes of the right
//! length in place of the hashes: a compressor cannot tell them apart from real ones.

use ed25519_dalek::SigningKey;
use giayto_cose::ciborium::Value;
use giayto_cose::presentation::PresentationPayload;
use giayto_cose::sd::{self, Disclosure, Disclosures, HolderCopy, LEAVES};
use giayto_cose::text::{self, Kind};
use giayto_cose::{cbor, sign1, CREDENTIAL_TYP, PRESENTATION_TYP};
use giayto_issuer::sd::{sign_sd_credential, sign_sd_credential_salted};
use giayto_model::{DocType, Document};
use giayto_qr::EccLevel;
use sha2::{Digest, Sha256};

use crate::sd_largest::{holder_sets, largest, portrait_budget};
use crate::size::typical_request;
use crate::{seeds, AT};

/// Goal for a presentation of `age_over_18` alone, characters.
pub const AGE_GOAL: usize = 600;
/// Goal for full name and ID number, characters (QR version ≤ 20 at ECC Q).
pub const NAME_ID_GOAL: usize = 750;
/// Goal for any disclosure set, characters.
pub const ANY_GOAL: usize = 1200;
/// Bytes of the synthetic portrait of the "name + portrait" rows.
pub const PORTRAIT_BYTES: usize = 400;

/// A design measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Salted digests of all leaves in the credential (SD-CWT, ISO mdoc).
    Flat,
    /// Layout 1: a Merkle root in the credential, a salt per disclosed leaf and an inclusion
    /// multiproof in the presentation.
    Merkle,
    /// Layout 2: the Merkle root of layout 1 over salts from a seed tree; the presentation
    /// carries a seed per disclosed subtree.
    Seeded,
}

impl Design {
    fn label(self) -> &'static str {
        match self {
            Design::Flat => "flat",
            Design::Merkle => "Merkle (layout 1)",
            Design::Seeded => "seed tree (layout 2)",
        }
    }
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

/// A synthetic portrait of `len` bytes: the JPEG signature, then pseudo-random bytes (a
/// compressed image is as incompressible as they are).
pub fn synthetic_portrait(len: usize) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0];
    out.extend(Stream::new("portrait").bytes(len.saturating_sub(4)));
    out
}

/// The sample CCCD with the synthetic portrait (field 13) of `len` bytes.
pub fn cccd_with_portrait(len: usize) -> Document {
    let sample = Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd))
        .expect("the sample input validates");
    let Value::Map(mut fields) = sample.to_cbor() else {
        unreachable!("a document's CBOR is a map")
    };
    fields.push((13.into(), Value::Bytes(synthetic_portrait(len))));
    Document::from_cbor(DocType::Cccd, &cbor::map(fields)).expect("a portrait validates")
}

/// The selective-disclosure copy of the typical credential of a document (docs/qr-size.md),
/// in the layout of `design` (layout 1 for every design but [`Design::Seeded`]), salts from
/// a deterministic stream.
pub fn typical_sd_copy(document: &Document, seed: &str, design: Design) -> HolderCopy {
    let (key, issuer, request) = typical_request(document);
    let mut stream = Stream::new(seed);
    let sign = if design == Design::Seeded {
        sign_sd_credential
    } else {
        sign_sd_credential_salted
    };
    sign(&key, issuer, &request, &mut |b| stream.fill(b))
        .expect("an in-memory key signs a holder-bound credential")
}

/// The leaves of a named disclosure set: `age18`, `name_portrait`, `name_id`, `all`.
pub fn disclosure_set(copy: &HolderCopy, doc_type: DocType, set: &str) -> Vec<u64> {
    let key_of = |names: &[&str]| {
        doc_type
            .field_keys()
            .into_iter()
            .filter(|(_, n)| names.contains(n))
            .map(|(k, _)| sd::position(copy.layout(), doc_type.code(), k))
            .collect::<Vec<_>>()
    };
    match set {
        "age18" => sd::age_leaf(18).into_iter().collect(),
        "name_id" => key_of(&["full_name", "owner_name", "id_number", "owner_id_number"]),
        "name_portrait" => key_of(&["full_name", "portrait"]),
        _ => copy.entries.iter().map(|e| e.index).collect(),
    }
}

/// Sign a presentation payload with the typical holder key.
pub fn present(payload: &PresentationPayload) -> Vec<u8> {
    let holder = SigningKey::from_bytes(&seeds::HOLDER);
    sign1::sign(&holder, PRESENTATION_TYP, payload.to_bytes()).expect("in-memory key signs")
}

/// The presentation of `indices` of a copy, as the wallet signs it.
pub fn present_copy(copy: &HolderCopy, indices: &[u64]) -> Vec<u8> {
    present(&PresentationPayload {
        credential: copy.credential.clone(),
        issued_at: AT,
        nonce: None,
        disclosures: Some(copy.disclose(indices).expect("the set's leaves are real")),
        request: None,
    })
}

/// The presentation COSE bytes of a design with hashes of `hash_len` bytes.
pub fn presentation(document: &Document, design: Design, hash_len: usize, set: &str) -> Vec<u8> {
    let copy = typical_sd_copy(document, "sd-size", design);
    let indices = disclosure_set(&copy, document.doc_type(), set);
    if design != Design::Flat && hash_len == sd::HASH_LEN {
        return present_copy(&copy, &indices);
    }
    let Some(Disclosures::Salted(real)) = copy.disclose(&indices) else {
        unreachable!("a layout-1 copy discloses in layout 1")
    };
    // Rebuild the credential with a commitment of the design's size.
    let signed = sign1::Sign1::parse(&copy.credential, CREDENTIAL_TYP).expect("own credential");
    let mut claims = cbor::decode(signed.payload()).expect("own claims");
    let mut stream = Stream::new(&format!("{design:?}{hash_len}{set}"));
    let commitment_len = match design {
        Design::Flat => LEAVES * hash_len,
        _ => hash_len,
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
        _ => real.proof.len() * hash_len,
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
    if design != Design::Flat {
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

pub(crate) fn measure_cose(
    doc_type: DocType,
    design: Design,
    hash_len: usize,
    set: &'static str,
    cose: &[u8],
) -> SdMeasure {
    let zlib = text::encode(Kind::Presentation, cose, None).len();
    let chosen = text::encode(Kind::Presentation, cose, Some(&text::DICTIONARY_V1));
    SdMeasure {
        doc_type,
        design,
        hash_len,
        set,
        cose: cose.len(),
        zlib,
        chosen: chosen.len(),
        version_q: giayto_qr::qr_version(&chosen, EccLevel::Q).ok(),
    }
}

/// Measure one presentation.
pub fn measure_sd(
    document: &Document,
    design: Design,
    hash_len: usize,
    set: &'static str,
) -> SdMeasure {
    let cose = presentation(document, design, hash_len, set);
    measure_cose(document.doc_type(), design, hash_len, set, &cose)
}

/// The sets of the design comparison, with their labels.
pub const SETS: [(&str, &str); 3] = [
    ("age18", "`age_over_18`"),
    ("name_id", "full name + ID number"),
    ("all", "every field and predicate"),
];

/// The sets of the per-type table, with their labels.
pub const TYPE_SETS: [(&str, &str); 4] = [
    ("age18", "`age_over_18`"),
    ("name_portrait", "full name + portrait"),
    ("name_id", "full name + ID number"),
    ("all", "every field and predicate"),
];

/// The sample document of a type.
pub(crate) fn sample(t: DocType) -> Document {
    Document::from_json(t, &giayto_model::sample_input(t)).expect("the sample input validates")
}

/// The design comparison on the sample CCCD.
pub fn sd_comparison() -> Vec<SdMeasure> {
    let cccd = sample(DocType::Cccd);
    let mut compare = Vec::new();
    for (design, hash_len) in [
        (Design::Flat, 32),
        (Design::Flat, 16),
        (Design::Merkle, 32),
        (Design::Merkle, 16),
        (Design::Seeded, 16),
    ] {
        for (set, _) in SETS {
            compare.push(measure_sd(&cccd, design, hash_len, set));
        }
    }
    compare
}

/// Both layouts on every document type: `(layout 1, layout 2)` per set of [`TYPE_SETS`] that
/// the type has (`age_over_18` needs a date of birth, a portrait exists on the CCCD only:
/// there the sample card gets a synthetic one of [`PORTRAIT_BYTES`]).
pub fn sd_by_type() -> Vec<(SdMeasure, SdMeasure)> {
    let mut out = Vec::new();
    for t in DocType::ALL {
        for (set, _) in TYPE_SETS {
            let doc = match set {
                "age18" if t == DocType::Vehicle => continue,
                "name_portrait" if t != DocType::Cccd => continue,
                "name_portrait" => cccd_with_portrait(PORTRAIT_BYTES),
                _ => sample(t),
            };
            out.push((
                measure_sd(&doc, Design::Merkle, sd::HASH_LEN, set),
                measure_sd(&doc, Design::Seeded, sd::HASH_LEN, set),
            ));
        }
    }
    out
}

fn set_label(set: &str) -> &'static str {
    TYPE_SETS
        .iter()
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

fn met(chars: usize, goal: usize) -> &'static str {
    if chars <= goal {
        "met"
    } else {
        "not met"
    }
}

/// The field names of a set of leaves of a layout, in card order.
fn names(doc_type: DocType, layout: sd::Layout, set: &[u64]) -> String {
    let keys = doc_type.field_keys();
    let mut set: Vec<u64> = set
        .iter()
        .map(|i| sd::position(layout, doc_type.code(), *i))
        .collect();
    set.sort_unstable();
    set.iter()
        .map(|i| match sd::leaf_age(*i) {
            Some(nn) => format!("`age_over_{nn}`"),
            None => keys
                .iter()
                .find(|(k, _)| k == i)
                .map(|(_, n)| format!("`{n}`"))
                .unwrap_or_default(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Markdown section of docs/qr-size.md.
pub fn sd_report() -> String {
    let compare = sd_comparison();
    let by_type = sd_by_type();
    let mut s = String::new();
    s.push_str("## Selective disclosure (`VP1:` with disclosures)\n\n");
    s.push_str(
        "A holder's presentation of a selective-disclosure credential (docs/format.md §14) for \
         the sample CCCD above: the credential inside commits to 32 leaves (13 field slots, \
         7 `age_over_NN` predicates, the rest unused) and the presentation carries only the \
         disclosed values with what opens them. *Flat* puts the salted digest of every leaf \
         in the credential (the SD-CWT and ISO mdoc design); *Merkle* puts one root there and \
         a 16-byte salt per disclosed value and an inclusion multiproof in the presentation \
         (RFC 9162 tree hashing; layout 1 of the format, the first release's); *seed tree* is \
         layout 2 (§14.5, what issuers make now): the same tree, its salts derived from a tree \
         of 16-byte seeds so that one seed opens a whole disclosed subtree, and the positions \
         the type does not use empty, so that no proof carries a hash for them. *zlib* is the \
         shortest text without the dictionary, *chosen* the wallet's text (with dictionary \
         v1). Goals: `age_over_18` ≤ 600 characters, full name + ID number ≤ 750 (QR version \
         ≤ 20 at ECC Q), any set ≤ 1,200. Generated by `giayto_vectors::sd_size` \
         (docs/decisions.md D90, D91, D107, D108).\n\n",
    );
    s.push_str("| design | hash bytes | disclosed | COSE bytes | zlib | chosen | QR version (ECC Q) | goal |\n|---|---:|---|---:|---:|---:|---:|---|\n");
    for m in &compare {
        let g = goal(m.set);
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | **{}** | {} | ≤ {g}: {} |\n",
            m.design.label(),
            m.hash_len,
            set_label(m.set),
            m.cose,
            m.zlib,
            m.chosen,
            version(m.version_q),
            met(m.chosen, g)
        ));
    }
    s.push_str(&format!(
        "\n### Layout 1 and layout 2 on every document type\n\n\
         Characters of the wallet's text and QR version at ECC Q, the same typical credential \
         in each layout. *Full name + portrait* exists on the CCCD only (the other types have \
         no portrait field); its card is the sample CCCD with a synthetic {PORTRAIT_BYTES}-byte \
         portrait (the JPEG signature, then incompressible bytes: the size of a small \
         greyscale thumbnail; the format allows up to 1,500 bytes). *Every field and \
         predicate* is the sample card (no portrait).\n\n"
    ));
    s.push_str("| document | disclosed | layout 1 | QR (Q) | layout 2 | QR (Q) | goal |\n|---|---|---:|---:|---:|---:|---|\n");
    for (old, new) in &by_type {
        let g = goal(new.set);
        s.push_str(&format!(
            "| {} | {} | {} | {} | **{}** | {} | ≤ {g}: {} |\n",
            new.doc_type.as_str(),
            set_label(new.set),
            old.chosen,
            version(old.version_q),
            new.chosen,
            version(new.version_q),
            met(new.chosen, g)
        ));
    }
    s.push_str(
        "\n### The largest set a holder can show\n\n\
         *Sets* counts every set the wallet can present of each sample card: any non-empty \
         set of its fields with at most one predicate (the wallet answers one `--age-over`). \
         The bytes each of them adds to a presentation are counted (the CBOR of its values; \
         its salts or seeds and proof hashes, which no compressor shortens); the 48 largest by \
         both together and the 48 with the most random bytes are presented and encoded, and \
         the table gives the longest text of each layout and, for layout 2, its set \
         (`cargo test --release -p giayto-vectors --test sd_size -- --ignored` presents and \
         encodes every set and finds the same). In layout 2 the largest is not *everything*: \
         a set that leaves out scattered fields needs a seed per disclosed run and a hash per \
         withheld one.\n\n",
    );
    s.push_str("| document | sets | layout 1: largest | QR (Q) | layout 2: largest | QR (Q) | its set (layout 2) | goal |\n|---|---:|---:|---:|---:|---:|---|---|\n");
    for t in DocType::ALL {
        let doc = sample(t);
        let copy = typical_sd_copy(&doc, "sd-size", Design::Seeded);
        let (_, old) = largest(&doc, Design::Merkle);
        let (set, new) = largest(&doc, Design::Seeded);
        s.push_str(&format!(
            "| {} | {} | {} | {} | **{}** | {} | {} | ≤ {ANY_GOAL}: {} |\n",
            t.as_str(),
            holder_sets(&copy).len(),
            old.chosen,
            version(old.version_q),
            new.chosen,
            version(new.version_q),
            names(t, sd::Layout::Seeded, &set),
            met(new.chosen, ANY_GOAL)
        ));
    }
    let budget = |set| portrait_budget(set).map_or("none".to_owned(), |b| format!("{b} bytes"));
    s.push_str(&format!(
        "\nWith a portrait the goal depends on its size, in any design: a portrait's bytes do \
         not compress, and base45 spends 1.5 characters on each. In layout 2 the sample CCCD \
         with a synthetic portrait stays within {ANY_GOAL} characters up to a portrait of {} \
         for full name + portrait and {} for every field and predicate with the portrait; a \
         holder whose card carries a larger one shows it with the full credential.\n",
        budget("name_portrait"),
        budget("all"),
    ));
    s
}

fn version(v: Option<u8>) -> String {
    v.map(|v| v.to_string())
        .unwrap_or_else(|| "over 40".to_owned())
}
