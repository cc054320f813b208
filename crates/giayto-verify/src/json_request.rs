//! The JSON contract of a verifier's request (`VR1:`, docs/format.md §15), the one every front
//! end gives: the WASM/npm package (`makeRequest`, `readRequest`, `checkAnswer`), the C ABI
//! (`giayto_request_make`, `giayto_request_read`, `giayto_verifier_check_answer`), and through
//! it Python and Java. Making a request takes the caller's nonce: this module reads no
//! randomness and no clock.

use giayto_cose::request::{Request, RequestError, MAX_LIFETIME};
use giayto_model::DocType;
use serde_json::{json, Value};

use super::{report_json, rfc3339, JsonContext};
use crate::Verifier;

/// Longest request or answer text read, in bytes: longer texts are cut one byte past it, so
/// the decoder refuses them by their length (`text_too_long`) without reading them whole.
pub const MAX_REQUEST_TEXT: usize = 8192;

fn bounded(text: &str) -> &str {
    text.get(..MAX_REQUEST_TEXT + 1).unwrap_or(text)
}

/// A request as every front end shows it: `verifier`, `purpose`, `required`, `optional`,
/// `doc_type` (a name, or `null` for any type), `nonce` (hex), `issued_at` and `expires_at`
/// (RFC 3339, Vietnam time) and `expires_at_seconds`.
pub fn request_json(r: &Request) -> Value {
    json!({
        "verifier": r.verifier,
        "purpose": r.purpose,
        "required": r.required,
        "optional": r.optional,
        "doc_type": r.doc_type.map(|t| DocType::from_code(t).map_or_else(|| t.to_string(), |d| d.as_str().to_owned())),
        "nonce": crate::hex_lower(&r.nonce),
        "issued_at": rfc3339(r.issued_at),
        "expires_at": rfc3339(r.expires_at),
        "expires_at_seconds": r.expires_at,
    })
}

/// A refused request as `{error: {code, message, item?, member?}}`: the codes of
/// [`RequestError::code`], the item or the member (`verifier`, `purpose`, `nonce`, …) it names.
pub fn request_error_json(e: &RequestError) -> Value {
    let mut error = match e {
        RequestError::Invalid { member } => json!({ "member": member }),
        RequestError::BadItem { name } | RequestError::DuplicateItem { name } => {
            json!({ "item": name })
        }
        _ => json!({}),
    };
    error["code"] = json!(e.code());
    error["message"] = json!(e.to_string());
    json!({ "error": error })
}

fn refused(code: &str, item: Option<&str>) -> Value {
    let mut error = json!({ "code": code });
    if let Some(i) = item {
        error["item"] = json!(i);
    }
    json!({ "error": error })
}

/// Read a request text: `{request: {...}}` ([`request_json`]), or `{error: {code, message}}`
/// ([`request_error_json`]).
pub fn read_request_value(text: &str) -> Value {
    match Request::from_text(bounded(text)) {
        Ok(r) => json!({ "request": request_json(&r) }),
        Err(e) => request_error_json(&e),
    }
}

/// What [`make_request_value`] is given.
#[derive(Debug, Clone)]
pub struct RequestInput<'a> {
    /// Items the answer must disclose.
    pub required: Vec<String>,
    /// Items the holder may add.
    pub optional: Vec<String>,
    /// Why they are asked.
    pub purpose: &'a str,
    /// The name the wallet shows (stated, not verified).
    pub verifier: &'a str,
    /// `cccd`, `gplx`, `vehicle`, `bhyt`, or `None` for any type.
    pub doc_type: Option<&'a str>,
    /// Minutes it stays open (1 to 1440).
    pub minutes: u32,
}

/// Make a request at `now` with the caller's fresh `nonce` (16 to 64 random bytes):
/// `{text, request}` or `{error: {code, item?}}`; the codes are those of
/// [`read_request_value`] and `no_items`, `bad_doc_type`, `lifetime`. Items are trimmed and
/// empty ones dropped.
pub fn make_request_value(input: &RequestInput<'_>, nonce: &[u8], now: i64) -> Value {
    let clean = |list: &[String]| -> Vec<String> {
        list.iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let required = clean(&input.required);
    let optional = clean(&input.optional);
    if required.is_empty() && optional.is_empty() {
        return refused("no_items", None);
    }
    if let Some(unknown) = required
        .iter()
        .chain(&optional)
        .find(|n| !crate::item_known(n))
    {
        return refused("bad_item", Some(unknown));
    }
    let doc_type = match input.doc_type.map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match DocType::from_name(d) {
            Some(t) => Some(t.code()),
            None => return refused("bad_doc_type", None),
        },
    };
    let minutes = i64::from(input.minutes);
    if !(1..=MAX_LIFETIME / 60).contains(&minutes) {
        return refused("lifetime", None);
    }
    let request = Request {
        nonce: nonce.to_vec(),
        issued_at: now,
        expires_at: now.saturating_add(minutes * 60),
        verifier: input.verifier.trim().to_owned(),
        purpose: input.purpose.trim().to_owned(),
        required,
        optional,
        doc_type,
    };
    match request.to_text() {
        Ok(text) => json!({ "text": text, "request": request_json(&request) }),
        Err(e) => request_error_json(&e),
    }
}

/// Check a holder's answer (`answer`, a `VP1:` text) against the request text this verifier
/// showed, at `now`: the JSON of [`report_json`] (with the verdicts `wrong_request`,
/// `request_expired` and `incomplete_answer` besides the others, docs/format.md §15.4). An
/// error only for a request text that cannot be read (its [`RequestError::code`] says why).
pub fn check_answer_value(
    verifier: &Verifier,
    answer: &str,
    request: &str,
    now: i64,
    context: &JsonContext,
) -> Result<Value, RequestError> {
    let request = Request::from_text(bounded(request))?;
    let report = verifier.check_answer(bounded(answer), &request, now)?;
    Ok(report_json(&report, context))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RequestInput<'static> {
        RequestInput {
            required: vec!["full_name".into(), " age_over_18".into()],
            optional: vec![],
            purpose: "Đăng ký lưu trú",
            verifier: "Khách sạn Hoa Sen",
            doc_type: Some("cccd"),
            minutes: 10,
        }
    }

    #[test]
    fn made_requests_read_back_and_bad_input_is_an_error_object() {
        let made = make_request_value(&input(), &[7; 16], 1_795_392_000);
        let text = made["text"].as_str().unwrap();
        let back = read_request_value(text);
        assert_eq!(back["request"], made["request"]);
        assert_eq!(back["request"]["required"][1], "age_over_18");
        assert_eq!(back["request"]["doc_type"], "cccd");
        assert_eq!(back["request"]["nonce"], "07".repeat(16));
        assert_eq!(
            back["request"]["expires_at_seconds"],
            1_795_392_000 + 10 * 60
        );
        let code = |v: Value| v["error"]["code"].as_str().unwrap_or_default().to_owned();
        let with = |f: fn(&mut RequestInput<'static>)| {
            let mut i = input();
            f(&mut i);
            code(make_request_value(&i, &[7; 16], 1_795_392_000))
        };
        assert_eq!(with(|i| i.required = vec![" ".into()]), "no_items");
        assert_eq!(with(|i| i.required.push("shoe_size".into())), "bad_item");
        assert_eq!(with(|i| i.doc_type = Some("passport")), "bad_doc_type");
        assert_eq!(with(|i| i.minutes = 0), "lifetime");
        assert_eq!(with(|i| i.minutes = 1441), "lifetime");
        assert_eq!(with(|i| i.verifier = ""), "bad_member");
        let mut i = input();
        i.purpose = "a\u{202E}b";
        let e = make_request_value(&i, &[7; 16], 1_795_392_000);
        assert_eq!(e["error"]["member"], "purpose");
        assert_eq!(
            with(|i| i.optional = vec!["full_name".into()]),
            "duplicate_item"
        );
        assert_eq!(
            code(make_request_value(&input(), &[7; 8], 1_795_392_000)),
            "bad_member"
        );
        assert_eq!(code(read_request_value("VP1:ABC")), "not_a_request");
        assert_eq!(
            code(read_request_value(&"VR1:".repeat(5000))),
            "text_too_long"
        );
    }
}
