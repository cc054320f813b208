//! Verifier-request vectors, `test-vectors/requests.json` (docs/format.md §15): answers
//! (`VP1:`) checked against the request (`VR1:`) they answer, or another, with their verdicts;
//! and malformed requests with the code of their refusal.
//!
//! The answers are in `answers`, not `vectors`: each needs its request as a second input, which
//! only the front ends with a request API take (the crate's `Verifier::check_answer`, `giayto
//! verify --request`, the WASM build's `checkAnswer`); the binding runners of
//! `bindings/conformance`, which read `vectors`, pass them by (docs/decisions.md D118).

use ciborium::value::Value;
use giayto_cose::presentation::PresentationPayload;
use giayto_cose::request::{label, Request};
use giayto_cose::sd::{self, HolderCopy};
use giayto_cose::{cbor, text};
use giayto_issuer::sd::sign_sd_credential;
use giayto_model::DocType;
use serde_json::{json, Value as Json};

use crate::sd_size::{present, Stream};
use crate::{document, key, request, seeds, AT};

/// An answer checked against a request.
pub struct AnswerVector {
    /// Name.
    pub name: &'static str,
    /// What it shows.
    pub description: &'static str,
    /// The request the verifier showed (`VR1:`).
    pub request: String,
    /// The answer (`VP1:`, or any text).
    pub text: String,
    /// When it is checked.
    pub at: i64,
    /// Expected verdict.
    pub verdict: &'static str,
    /// Expected reason code, when rejected.
    pub reason: Option<&'static str>,
    /// Disclosed field names, when valid.
    pub disclosed: Vec<&'static str>,
}

/// A request every reader refuses.
pub struct BadRequest {
    /// Name.
    pub name: &'static str,
    /// What is wrong.
    pub description: &'static str,
    /// The text.
    pub text: String,
    /// The code of the refusal (`giayto_cose::request::RequestError::code`).
    pub error: &'static str,
}

/// The hotel's request: full name and age over 18 required, ID number optional, a CCCD.
fn hotel() -> Request {
    Request {
        nonce: (0..16u8)
            .map(|i| i.wrapping_mul(29).wrapping_add(3))
            .collect(),
        issued_at: AT - 60,
        expires_at: AT + 600,
        verifier: "Khách sạn Hoa Sen".into(),
        purpose: "Đăng ký lưu trú".into(),
        required: vec!["full_name".into(), "age_over_18".into()],
        optional: vec!["id_number".into()],
        doc_type: Some(DocType::Cccd.code()),
    }
}

fn copy() -> HolderCopy {
    let cccd = document(DocType::Cccd);
    let mut stream = Stream::new("requests");
    sign_sd_credential(
        &key(seeds::POLICE),
        "VN.BCA.C06",
        &request(&cccd, 63),
        &mut |b| stream.fill(b),
    )
    .expect("a holder-bound request signs")
}

/// A selective answer: `names` disclosed, signed at `iat`, with `nonce` and request hash `hash`.
fn answer(
    c: &HolderCopy,
    names: &[&str],
    iat: i64,
    nonce: Option<&[u8]>,
    hash: Option<[u8; 16]>,
) -> String {
    let cccd = DocType::Cccd.field_keys();
    let mut indices: Vec<u64> = names
        .iter()
        .map(|n| match n.strip_prefix("age_over_") {
            Some(nn) => sd::age_leaf(nn.parse().expect("a number")).expect("a committed age"),
            None => cccd
                .iter()
                .find(|(_, name)| name == n)
                .map(|(k, _)| *k)
                .expect("a CCCD field"),
        })
        .collect();
    indices.sort_unstable();
    let cose = present(&PresentationPayload {
        credential: c.credential.clone(),
        issued_at: iat,
        nonce: nonce.map(<[u8]>::to_vec),
        disclosures: Some(c.disclose(&indices).expect("real leaves")),
        request: hash,
    });
    text::encode(text::Kind::Presentation, &cose, Some(&text::DICTIONARY_V1))
}

fn text_of(r: &Request) -> String {
    r.to_text().expect("a valid request")
}

fn hash_of(r: &Request) -> Option<[u8; 16]> {
    Some(r.hash().expect("a valid request"))
}

/// Every answer vector.
pub fn answers() -> Vec<AnswerVector> {
    let c = copy();
    let a = hotel();
    let a_text = text_of(&a);
    let a_nonce = Some(a.nonce.as_slice());
    let bank = Request {
        nonce: vec![0xB7; 16],
        verifier: "Ngân hàng Sông Hồng".into(),
        purpose: "Mở tài khoản".into(),
        ..hotel()
    };
    // The hotel's request as a relay would show it: its nonce kept, another name.
    let relayed = Request {
        verifier: "Cửa hàng Điện thoại Minh An".into(),
        ..hotel()
    };
    let with = |required: &[&str], doc_type: Option<DocType>| Request {
        required: required.iter().map(|s| (*s).to_owned()).collect(),
        optional: vec![],
        doc_type: doc_type.map(DocType::code),
        ..hotel()
    };
    let av = |name, description, request: &str, text, verdict, reason| AnswerVector {
        name,
        description,
        request: request.to_owned(),
        text,
        at: AT,
        verdict,
        reason,
        disclosed: Vec::new(),
    };
    let good = answer(&c, &["full_name", "age_over_18"], AT, a_nonce, hash_of(&a));
    let mut out = Vec::new();
    let mut v = av(
        "answer_valid",
        "The hotel's request answered with full_name and age_over_18, bound to it.",
        &a_text,
        good.clone(),
        "valid",
        None,
    );
    v.disclosed = vec!["full_name", "age_over_18"];
    out.push(v);
    let mut v = av(
        "answer_with_optional",
        "The same, the optional id_number added by the holder.",
        &a_text,
        answer(
            &c,
            &["id_number", "full_name", "age_over_18"],
            AT,
            a_nonce,
            hash_of(&a),
        ),
        "valid",
        None,
    );
    v.disclosed = vec!["id_number", "full_name", "age_over_18"];
    out.push(v);
    let nineteen = with(&["age_over_19"], None);
    let mut v = av(
        "answer_age_nearest_above",
        "A request for age_over_19 (no doc type) answered with age_over_21, the nearest committed threshold above.",
        &text_of(&nineteen),
        answer(&c, &["age_over_21"], AT, Some(&nineteen.nonce), hash_of(&nineteen)),
        "valid",
        None,
    );
    v.disclosed = vec!["age_over_21"];
    out.push(v);
    out.push(av(
        "answer_to_another_request",
        "An answer made for the bank's request, checked against the hotel's.",
        &a_text,
        answer(
            &c,
            &["full_name", "age_over_18"],
            AT,
            Some(&bank.nonce),
            hash_of(&bank),
        ),
        "wrong_request",
        Some("request_mismatch"),
    ));
    out.push(av(
        "answer_to_a_relayed_request",
        "The hotel's nonce, but the hash of its request as a relay showed it (another verifier name).",
        &a_text,
        answer(&c, &["full_name", "age_over_18"], AT, a_nonce, hash_of(&relayed)),
        "wrong_request",
        Some("request_mismatch"),
    ));
    out.push(av(
        "answer_without_request_hash",
        "A presentation with the hotel's nonce but no request hash (key 5).",
        &a_text,
        answer(&c, &["full_name", "age_over_18"], AT, a_nonce, None),
        "wrong_request",
        Some("request_missing"),
    ));
    let full = crate::sign_credential(
        &key(seeds::POLICE),
        "VN.BCA.C06",
        &request(&document(DocType::Cccd), 64),
    )
    .expect("signs");
    out.push(av(
        "answer_static_credential",
        "A static VN1: credential instead of an answer.",
        &a_text,
        text::encode(text::Kind::Credential, &full, None),
        "wrong_request",
        Some("request_missing"),
    ));
    out.push(av(
        "answer_is_the_request",
        "The request itself scanned as the answer: not a credential.",
        &a_text,
        a_text.clone(),
        "not_a_credential",
        Some("foreign_verifier_request"),
    ));
    let mut v = av(
        "request_expired",
        "A good answer checked when the request has closed: its exp plus the 120 s window.",
        &a_text,
        good.clone(),
        "request_expired",
        Some("request_expired"),
    );
    v.at = a.expires_at + giayto_verify::DEFAULT_PRESENTATION_WINDOW;
    out.push(v);
    let mut v = av(
        "answer_after_request_expiry",
        "An answer signed at the request's exp, checked at once.",
        &a_text,
        answer(
            &c,
            &["full_name", "age_over_18"],
            a.expires_at,
            a_nonce,
            hash_of(&a),
        ),
        "request_expired",
        Some("request_expired"),
    );
    v.at = a.expires_at;
    out.push(v);
    out.push(av(
        "answer_incomplete",
        "The hotel's request answered with age_over_18 only: full_name is required.",
        &a_text,
        answer(&c, &["age_over_18"], AT, a_nonce, hash_of(&a)),
        "incomplete_answer",
        Some("fields_missing"),
    ));
    let sixty = with(&["full_name", "age_over_60"], Some(DocType::Cccd));
    out.push(av(
        "answer_age_below_required",
        "A request requiring age_over_60 answered with age_over_25 (true): not enough.",
        &text_of(&sixty),
        answer(
            &c,
            &["full_name", "age_over_25"],
            AT,
            Some(&sixty.nonce),
            hash_of(&sixty),
        ),
        "incomplete_answer",
        Some("fields_missing"),
    ));
    let licence = with(&["full_name"], Some(DocType::Gplx));
    out.push(av(
        "answer_wrong_document_type",
        "A request for a driving licence answered with a CCCD.",
        &text_of(&licence),
        answer(
            &c,
            &["full_name"],
            AT,
            Some(&licence.nonce),
            hash_of(&licence),
        ),
        "incomplete_answer",
        Some("request_doc_type"),
    ));
    let mut v = av(
        "answer_stale",
        "An answer to the open request signed 10 minutes before it is checked: outside the window.",
        &a_text,
        answer(
            &c,
            &["full_name", "age_over_18"],
            AT - 60,
            a_nonce,
            hash_of(&a),
        ),
        "stale_presentation",
        Some("presentation_time"),
    );
    v.at = AT + 540;
    out.push(v);
    out
}

/// A request map with `key` replaced by `value` (or removed), written as text.
fn altered(key: i64, value: Option<Value>) -> String {
    let bytes = hotel().to_bytes().expect("valid");
    let Ok(Value::Map(mut entries)) = cbor::decode(&bytes) else {
        return String::new();
    };
    entries.retain(|(k, _)| cbor::as_i64(k) != Some(key));
    if let Some(v) = value {
        entries.push((key.into(), v));
    }
    format!("VR1:{}", base45::encode(cbor::encode(&cbor::map(entries))))
}

/// Every malformed request.
pub fn bad_requests() -> Vec<BadRequest> {
    let good = text_of(&hotel());
    let bytes = hotel().to_bytes().expect("valid");
    // The same map with its first two keys swapped: not deterministic.
    let unordered = {
        let Ok(Value::Map(mut entries)) = cbor::decode(&bytes) else {
            return Vec::new();
        };
        entries.swap(0, 1);
        format!("VR1:{}", base45::encode(cbor::encode(&Value::Map(entries))))
    };
    let b = |name, description, text, error| BadRequest {
        name,
        description,
        text,
        error,
    };
    vec![
        b(
            "request_bad_item",
            "An item that is no field name (upper case and a space).",
            altered(
                label::REQUIRED,
                Some(Value::Array(vec![Value::Text("Full Name".into())])),
            ),
            "bad_item",
        ),
        b(
            "request_duplicate_item",
            "full_name required and optional at once.",
            altered(
                label::OPTIONAL,
                Some(Value::Array(vec![Value::Text("full_name".into())])),
            ),
            "duplicate_item",
        ),
        b(
            "request_short_nonce",
            "A nonce of 8 bytes (at least 16).",
            altered(label::NONCE, Some(Value::Bytes(vec![1; 8]))),
            "bad_member",
        ),
        b(
            "request_hidden_text",
            "A verifier name holding a right-to-left override.",
            altered(
                label::VERIFIER,
                Some(Value::Text("Ngân hàng\u{202E}gnôS".into())),
            ),
            "bad_member",
        ),
        b(
            "request_expiry_before_time",
            "exp before iat.",
            altered(label::EXP, Some((AT - 120).into())),
            "lifetime",
        ),
        b(
            "request_open_too_long",
            "Open for more than a day.",
            altered(label::EXP, Some((AT - 60 + 86_401).into())),
            "lifetime",
        ),
        b(
            "request_unknown_key",
            "A key 9 this version does not know.",
            altered(9, Some(1.into())),
            "unknown_key",
        ),
        b(
            "request_nothing_asked",
            "Neither required nor optional items.",
            {
                let without = altered(label::REQUIRED, None);
                let Ok(r) = giayto_cose::request::text_bytes(&without) else {
                    return Vec::new();
                };
                let Ok(Value::Map(mut entries)) = cbor::decode(&r) else {
                    return Vec::new();
                };
                entries.retain(|(k, _)| cbor::as_i64(k) != Some(label::OPTIONAL));
                format!("VR1:{}", base45::encode(cbor::encode(&cbor::map(entries))))
            },
            "bad_member",
        ),
        b(
            "request_not_deterministic",
            "The map's first two keys out of order.",
            unordered,
            "not_deterministic",
        ),
        b(
            "request_truncated",
            "The text cut short, leaving a base45 body of a length no encoding has.",
            {
                let mut cut = good.clone();
                cut.pop();
                while (cut.len() - 4) % 3 != 1 {
                    cut.pop();
                }
                cut
            },
            "bad_base45",
        ),
        b(
            "request_wrong_prefix",
            "A presentation prefix on a request body.",
            good.replacen("VR1:", "VP1:", 1),
            "not_a_request",
        ),
    ]
}

/// `test-vectors/requests.json`.
pub fn file(root_public_key: &[u8], trust: &[u8]) -> Json {
    json!({
        "description": "giayto verifier-request vectors (docs/format.md §15). Each of `answers`: check the answer `text` against the verifier's request `request` at time `at` (seconds), third-party policy, default window, against root.pub and trust.cwt (Verifier::check_answer, `giayto verify --request`, the WASM build's checkAnswer): the verdict must be `verdict`, the reason `reason`; a valid one discloses exactly the fields `disclosed`. Each of `bad_requests`: reading `text` as a request fails with the code `error`. The answers are not under `vectors`: they need the request as a second input.",
        "root_public_key": hex::encode(root_public_key),
        "trust_list": hex::encode(trust),
        "answers": answers().into_iter().map(|v| {
            let mut j = json!({
                "name": v.name,
                "description": v.description,
                "request": v.request,
                "text": v.text,
                "at": v.at,
                "verdict": v.verdict,
            });
            if let Some(r) = v.reason {
                j["reason"] = json!(r);
            }
            if !v.disclosed.is_empty() {
                j["disclosed"] = json!(v.disclosed);
            }
            j
        }).collect::<Vec<_>>(),
        "bad_requests": bad_requests().into_iter().map(|b| json!({
            "name": b.name,
            "description": b.description,
            "text": b.text,
            "error": b.error,
        })).collect::<Vec<_>>(),
    })
}
