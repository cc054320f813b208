//! Verifier requests (`VR1:`, docs/format.md §15) for the page and Node: make a request from
//! chosen items (the nonce comes from the caller's random generator, `crypto.getRandomValues`
//! in a page: this crate reads no randomness and no clock), read one back, draw it as a QR code,
//! and check a holder's answer against it with [`giayto_verify::Verifier::check_answer`]. The
//! JSON of each is `giayto_verify::json`'s (`make_request_value`, `read_request_value`,
//! `check_answer_value`), the one the C ABI, Python and Java give too (docs/decisions.md D201).

use giayto_cose::sd::AGE_THRESHOLDS;
use giayto_model::DocType;
use giayto_verify::json::{check_answer_value, JsonContext};
#[cfg(feature = "full")]
pub use giayto_verify::json::{make_request_value, read_request_value, request_json, RequestInput};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::{js_err, WebVerifier};
#[cfg(feature = "full")]
use crate::{seconds, to_js};

/// The items a request may name for a document type (`None`: any type): its fields in card
/// order, then `age_over_NN` for each committed threshold (not for a vehicle) (Rust API).
pub fn request_items_for(doc_type: Option<&str>) -> Result<Vec<String>, String> {
    let types: Vec<DocType> = match doc_type.map(str::trim).filter(|d| !d.is_empty()) {
        None => DocType::ALL.to_vec(),
        Some(d) => vec![DocType::from_name(d).ok_or_else(|| format!("doc type: {d}"))?],
    };
    let mut out: Vec<String> = Vec::new();
    for t in &types {
        for (_, name) in t.field_keys() {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_owned());
            }
        }
    }
    if types.iter().any(|t| *t != DocType::Vehicle) {
        out.extend(AGE_THRESHOLDS.iter().map(|nn| format!("age_over_{nn}")));
    }
    Ok(out)
}

impl WebVerifier {
    /// Check an answer against a request text at `now` (Rust API): the contract of
    /// [`crate::result_json`]; an error for a request that cannot be read.
    pub fn check_answer_value(&self, text: &str, request: &str, now: i64) -> Result<Value, String> {
        let context = JsonContext {
            bundle_created_at: self.bundle_created_at,
            message: None,
        };
        check_answer_value(self.verifier()?, text, request, now, &context)
            .map_err(|e| format!("request: {}: {e}", e.code()))
    }
}

#[cfg(feature = "full")]
#[wasm_bindgen]
impl WebVerifier {
    /// Check a holder's answer (`text`) against the request this verifier showed
    /// (`requestText`, `VR1:`) at `nowSeconds`: the same result object as `verify`, with the
    /// verdicts `wrong_request`, `request_expired` and `incomplete_answer` besides the others
    /// (docs/format.md §15.4). Throws only for a request text that cannot be read (`request:
    /// CODE: …`).
    #[wasm_bindgen(js_name = checkAnswer, unchecked_return_type = "VerifyResult")]
    pub fn check_answer(
        &self,
        text: &str,
        #[wasm_bindgen(js_name = requestText)] request: &str,
        #[wasm_bindgen(js_name = nowSeconds)] now: f64,
    ) -> Result<JsValue, JsError> {
        let value = self
            .check_answer_value(text, request, seconds(now)?)
            .map_err(js_err)?;
        to_js(&value)
    }
}

#[cfg(feature = "full")]
/// Read a verifier's request (`VR1:`): `{ request }` with its parts, or `{ error: { code,
/// message } }` when it is malformed (never throws).
#[wasm_bindgen(js_name = readRequest, unchecked_return_type = "{ request: RequestInfo } | { error: RequestError }")]
pub fn read_request(text: &str) -> Result<JsValue, JsError> {
    to_js(&read_request_value(text))
}

#[cfg(feature = "full")]
/// Make a verifier's request at `nowSeconds`: the items required (and optional) — JSON field
/// names of docs/format.md §4 or `age_over_NN` —, the purpose and name the wallet shows, a
/// document type (`cccd`, `gplx`, `vehicle`, `bhyt`, or `undefined` for any), minutes it stays
/// open (1 to 1440), and `nonce`: 16 to 64 fresh random bytes (`crypto.getRandomValues`).
/// Returns `{ text, request }` or `{ error: { code, item? } }` (never throws for bad input).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = makeRequest, unchecked_return_type = "{ text: string; request: RequestInfo } | { error: RequestError }")]
pub fn make_request(
    required: Vec<String>,
    optional: Vec<String>,
    purpose: &str,
    #[wasm_bindgen(js_name = verifierName)] verifier: &str,
    #[wasm_bindgen(js_name = docType)] doc_type: Option<String>,
    #[wasm_bindgen(js_name = expiresInMinutes)] minutes: u32,
    nonce: &[u8],
    #[wasm_bindgen(js_name = nowSeconds)] now: f64,
) -> Result<JsValue, JsError> {
    let input = RequestInput {
        required,
        optional,
        purpose,
        verifier,
        doc_type: doc_type.as_deref(),
        minutes,
    };
    to_js(&make_request_value(&input, nonce, seconds(now)?))
}

/// The items a request may name for a document type (`undefined`: any type): its fields in
/// card order, then `age_over_NN` for the committed thresholds.
#[wasm_bindgen(js_name = requestItems)]
pub fn request_items(
    #[wasm_bindgen(js_name = docType)] doc_type: Option<String>,
) -> Result<Vec<String>, JsError> {
    request_items_for(doc_type.as_deref()).map_err(js_err)
}

#[cfg(feature = "full")]
/// A text as an SVG QR code (error correction Q), for a page to show a request.
#[wasm_bindgen(js_name = renderQrSvg)]
pub fn render_qr_svg(text: &str) -> Result<String, JsError> {
    let opts = giayto_qr::RenderOptions {
        ecc: giayto_qr::EccLevel::Q,
        ..giayto_qr::RenderOptions::default()
    };
    giayto_qr::render_svg(text, &opts).map_err(|e| JsError::new(&e.to_string()))
}

#[cfg(all(test, feature = "full"))]
mod tests {
    use super::*;

    // The request JSON itself (made, read back, refused) is tested where it lives,
    // `giayto_verify::json` (D201); the tests here cover what only this crate adds.

    #[test]
    fn items_per_type() {
        let cccd = request_items_for(Some("cccd")).unwrap();
        assert!(cccd.contains(&"full_name".to_owned()) && cccd.contains(&"age_over_18".to_owned()));
        let vehicle = request_items_for(Some("vehicle")).unwrap();
        assert!(vehicle.contains(&"plate".to_owned()));
        assert!(!vehicle.iter().any(|n| n.starts_with("age_over_")));
        assert!(request_items_for(None).unwrap().len() > cccd.len());
        assert!(request_items_for(Some("x")).is_err());
    }

    #[test]
    fn every_request_vector_checks_as_the_crate_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/");
        let file: Value =
            serde_json::from_slice(&std::fs::read(format!("{dir}requests.json")).unwrap()).unwrap();
        let root = std::fs::read(format!("{dir}root.pub")).unwrap();
        let trust = std::fs::read(format!("{dir}trust.cwt")).unwrap();
        let v = WebVerifier::with_trust_list(&root, &trust).unwrap();
        for a in file["answers"].as_array().unwrap() {
            let r = v
                .check_answer_value(
                    a["text"].as_str().unwrap(),
                    a["request"].as_str().unwrap(),
                    a["at"].as_i64().unwrap(),
                )
                .unwrap();
            assert_eq!(r["verdict"], a["verdict"], "{}", a["name"]);
        }
        for b in file["bad_requests"].as_array().unwrap() {
            assert_eq!(
                read_request_value(b["text"].as_str().unwrap())["error"]["code"],
                b["error"],
                "{}",
                b["name"]
            );
            let good = file["answers"][0]["text"].as_str().unwrap();
            assert!(v
                .check_answer_value(good, b["text"].as_str().unwrap(), 0)
                .is_err());
        }
    }
}
