//! Vectors of what came after the first release: the social insurance book (doc_type 5),
//! vehicles owned by organisations (schema version 2 of the vehicle type) and the 2024
//! identity card. Each says what this verifier answers and what a verifier of the first
//! release answers (docs/format.md §3.7): a new type or schema is `unsupported_document`
//! there, never `malformed` and never `valid`.
//!
//! Two places, so that the files of the first release stay as they were: two credentials
//! appended to `credentials.json` (its trust list, which lets `VN.BHXH` sign health insurance
//! cards only), and `later-documents.json`, checked against the root's next trust list
//! ([`trust_list_2`]), which also authorises `VN.BHXH` for the book.

use ciborium::value::Value;
use giayto_cose::claims::CredentialClaims;
use giayto_cose::CREDENTIAL_TYP;
use giayto_issuer::credential::sign_credential;
use giayto_model::{DocType, Document};
use serde_json::{json, Value as Json};

use crate::{document, issuer_for, qr, request, trust_list, vector, Vector, AT};

/// The name of the file of [`file()`].
pub const FILE_NAME: &str = "later-documents.json";

/// The root's next trust list: the first one ([`trust_list`]) with sequence 2, in which
/// `VN.BHXH` may also sign social insurance books (doc_type 5).
pub fn trust_list_2() -> giayto_trust::TrustList {
    let mut list = trust_list();
    list.sequence = 2;
    for entry in &mut list.issuers {
        if entry.id == "VN.BHXH" {
            entry.doc_types = vec![4, 5];
        }
    }
    list
}

fn parse(t: DocType, input: &Json) -> Document {
    Document::from_json(t, input).expect("vector input validates")
}

/// The 2024 identity card and the book under the first trust list: appended to
/// `credentials.json`.
pub(crate) fn first_list(out: &mut Vec<Vector>) {
    let card = parse(DocType::Cccd, &giayto_model::sample_can_cuoc_2024());
    let (k, iss) = issuer_for(DocType::Cccd);
    let cose = sign_credential(&k, iss, &request(&card, 80)).expect("signs");
    let mut v = vector(
        "valid_cccd_2024",
        "A valid 2024 identity card (thẻ căn cước): place of birth registration (key 8) instead of place of origin, no old ID number. Verifiers of every release read it.",
        qr(&cose),
        "valid",
    );
    v.doc_type = Some(DocType::Cccd);
    v.fields = Some(card.to_json());
    out.push(v);

    let book = document(DocType::Bhxh);
    let (k, iss) = issuer_for(DocType::Bhxh);
    let cose = sign_credential(&k, iss, &request(&book, 81)).expect("signs");
    out.push(vector(
        "bhxh_not_in_trust_list",
        "VN.BHXH signs a social insurance book (doc_type 5), but this trust list lets it sign health insurance cards (4) only: check 18 comes before check 19.",
        qr(&cose),
        "issuer_not_authorized",
    ));
}

/// One vector of `later-documents.json`.
struct Later {
    name: &'static str,
    description: &'static str,
    text: String,
    verdict: &'static str,
    previous_release_verdict: &'static str,
    document: Option<Document>,
}

/// Sign `claims` as they are (a schema version or a fields map the issuer would not write).
fn sign_claims(t: DocType, claims: &CredentialClaims) -> String {
    let (k, _) = issuer_for(t);
    qr(&giayto_cose::sign1::sign(&k, CREDENTIAL_TYP, claims.to_bytes()).expect("signs"))
}

fn later_vectors() -> Vec<Later> {
    let mut out = Vec::new();
    let book = document(DocType::Bhxh);
    let (k, iss) = issuer_for(DocType::Bhxh);
    out.push(Later {
        name: "valid_bhxh",
        description: "A valid social insurance book (doc_type 5, schema 1), signed by VN.BHXH, which this trust list allows to sign it. A verifier of the first release knows doc types 1–4 only.",
        text: qr(&sign_credential(&k, iss, &request(&book, 90)).expect("signs")),
        verdict: "valid",
        previous_release_verdict: "unsupported_document",
        document: Some(book.clone()),
    });

    let company = parse(
        DocType::Vehicle,
        &giayto_model::sample_organisation_vehicle(),
    );
    let (police, police_id) = issuer_for(DocType::Vehicle);
    out.push(Later {
        name: "valid_vehicle_organisation",
        description: "A valid registration of a company's car: schema 2 of the vehicle type, key 4 holds the enterprise code 0123456787. A verifier of the first release knows schema 1 only.",
        text: qr(&sign_credential(&police, police_id, &request(&company, 91)).expect("signs")),
        verdict: "valid",
        previous_release_verdict: "unsupported_document",
        document: Some(company.clone()),
    });

    let mut branch_input = giayto_model::sample_organisation_vehicle();
    branch_input["owner_enterprise_code"] = json!("0123456787-001");
    let branch = parse(DocType::Vehicle, &branch_input);
    out.push(Later {
        name: "valid_vehicle_organisation_branch",
        description: "A company branch's car: key 4 holds 0123456787-001 (the enterprise's ten digits, a hyphen, the branch number).",
        text: qr(&sign_credential(&police, police_id, &request(&branch, 92)).expect("signs")),
        verdict: "valid",
        previous_release_verdict: "unsupported_document",
        document: Some(branch),
    });

    let person = document(DocType::Vehicle);
    out.push(Later {
        name: "valid_vehicle_person",
        description:
            "A person's car: issuers still write schema 1, so verifiers of every release read it.",
        text: qr(&sign_credential(&police, police_id, &request(&person, 93)).expect("signs")),
        verdict: "valid",
        previous_release_verdict: "valid",
        document: Some(person.clone()),
    });

    let mut claims = request(&person, 94).claims(police_id);
    claims.document.schema_version = 2;
    out.push(Later {
        name: "vehicle_person_as_schema_2",
        description: "A person's car signed as schema 2, which an issuer would not write (schema 1 holds it): valid here, unsupported by a verifier of the first release.",
        text: sign_claims(DocType::Vehicle, &claims),
        verdict: "valid",
        previous_release_verdict: "unsupported_document",
        document: Some(person),
    });

    let mut claims = request(&company, 95).claims(police_id);
    claims.document.schema_version = 1;
    out.push(Later {
        name: "vehicle_organisation_as_schema_1",
        description: "A company's car signed as schema 1: under schema 1 key 4 is a personal ID number, so the enterprise code is malformed for every release.",
        text: sign_claims(DocType::Vehicle, &claims),
        verdict: "malformed",
        previous_release_verdict: "malformed",
        document: None,
    });

    let mut claims = request(&company, 96).claims(police_id);
    claims.document.schema_version = 3;
    out.push(Later {
        name: "vehicle_schema_3",
        description: "A vehicle registration of schema 3, newer than any verifier knows.",
        text: sign_claims(DocType::Vehicle, &claims),
        verdict: "unsupported_document",
        previous_release_verdict: "unsupported_document",
        document: None,
    });

    let mut late = giayto_model::sample_input(DocType::Bhxh);
    // The day after the signing day (iat is 2026-11-22 in Vietnam).
    late["summary_date"] = json!("2026-11-23");
    let late = parse(DocType::Bhxh, &late);
    let claims = request(&late, 97).claims(iss);
    out.push(Later {
        name: "bhxh_summary_after_signing",
        description: "A book whose participation summary is dated 2026-11-23, the day after it was signed (iat 2026-11-22 in Vietnam).",
        text: sign_claims(DocType::Bhxh, &claims),
        verdict: "malformed",
        previous_release_verdict: "unsupported_document",
        document: None,
    });

    let mut claims = request(&book, 98).claims(iss);
    claims.document.fields = set_key(&claims.document.fields, 10, Value::Integer(91.into()));
    out.push(Later {
        name: "bhxh_months_paid_over_period",
        description:
            "A book with 91 months paid between July 2018 and December 2025, which has 90 months.",
        text: sign_claims(DocType::Bhxh, &claims),
        verdict: "malformed",
        previous_release_verdict: "unsupported_document",
        document: None,
    });
    out
}

/// `map` with the value of `key` replaced.
fn set_key(map: &Value, key: u64, value: Value) -> Value {
    match map {
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    let hit = k.as_integer().and_then(|i| u64::try_from(i).ok()) == Some(key);
                    (k.clone(), if hit { value.clone() } else { v.clone() })
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The contents of `later-documents.json`.
pub fn file(root_public_key: &[u8], trust_2: &[u8]) -> Json {
    json!({
        "description": "giayto vectors of what came after the first release: the social insurance book (doc_type 5), vehicles owned by organisations (schema 2 of the vehicle type). Verify each `text` at time `at` (seconds), third-party policy, against root.pub and `trust_list` (the root's list no. 2: VN.BHXH may also sign doc_type 5); the verdict must be `verdict`. `previous_release_verdict` is what a verifier of the first release answers with the same inputs: it knows doc types 1–4 at schema 1 only (docs/format.md §3.7).",
        "root_public_key": hex::encode(root_public_key),
        "trust_list": hex::encode(trust_2),
        "vectors": later_vectors().into_iter().map(|v| {
            let mut j = json!({
                "name": v.name,
                "description": v.description,
                "text": v.text,
                "at": AT,
                "verdict": v.verdict,
                "previous_release_verdict": v.previous_release_verdict,
            });
            if let Some(d) = v.document {
                j["doc_type"] = json!(d.doc_type().as_str());
                j["fields"] = d.to_json();
            }
            j
        }).collect::<Vec<_>>(),
    })
}
