//! The one verification core every binding calls: bytes in (a QR text, or a PNG/JPEG photo of
//! the code), the JSON of `giayto verify --json` out.

use std::fmt;
use std::sync::{OnceLock, RwLock};

use ed25519_dalek::pkcs8::DecodePublicKey;
use ed25519_dalek::VerifyingKey;
/// What a request is made from (`giayto_verify::json::RequestInput`), for the Python extension.
pub use giayto_verify::json::RequestInput;
use giayto_verify::json::{report_json, JsonContext};
use giayto_verify::{Added, Bundle, Policy, Verifier};
use serde_json::Value;

/// Largest input accepted, in bytes: the CLI's limit for a file or stdin.
pub const MAX_INPUT: usize = 32 * 1024 * 1024;

/// Why a binding refused its input. Each is unusable input, never a verdict: anything that
/// reaches the verifier gets a verdict (`malformed`, `not_a_credential`, ...) instead.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A required argument was missing (in C: a null pointer); names the argument.
    NullArgument(&'static str),
    /// The root key is not an Ed25519 public key (PEM, 64 hex digits or 32 raw bytes).
    RootKey,
    /// The trust list did not verify against the root key (detail given).
    TrustList(String),
    /// The bundle could not be read or did not verify (detail given).
    Bundle(String),
    /// A status list could not be read or did not verify (detail given).
    StatusList(String),
    /// The options are not usable (unknown policy, bad time, options not JSON); detail given.
    Options(String),
    /// The nonce is not hex (at most 64 bytes).
    Nonce,
    /// The input is neither an image nor UTF-8 text.
    NotText,
    /// The input looks like an image but could not be decoded (detail given).
    Image(String),
    /// The image holds no QR code.
    NoCode,
    /// The input is larger than [`MAX_INPUT`].
    TooLarge,
    /// The verifier's request could not be read: `code` is its refusal code
    /// (`not_a_request`, `bad_item`, `lifetime`, ..., test-vectors/requests.json).
    Request {
        /// The refusal code of `giayto_cose::request::RequestError::code`.
        code: &'static str,
        /// What is wrong, in words.
        message: String,
    },
    /// The operating system gave no random bytes for a request's nonce.
    Random,
    /// A defect inside the library (a panic caught at the boundary, a poisoned lock).
    Internal,
}

impl Error {
    /// A stable snake_case code, the same in every binding (Python `e.code`, C
    /// `giayto_status_name`, Java `GiaytoException.code()`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NullArgument(_) => "null_argument",
            Error::RootKey => "root_key",
            Error::TrustList(_) => "trust_list",
            Error::Bundle(_) => "bundle",
            Error::StatusList(_) => "status_list",
            Error::Options(_) => "options",
            Error::Nonce => "nonce",
            Error::NotText => "not_text",
            Error::Image(_) => "image",
            Error::NoCode => "no_code",
            Error::TooLarge => "too_large",
            Error::Request { .. } => "request",
            Error::Random => "random",
            Error::Internal => "internal",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NullArgument(name) => write!(f, "{name}: missing (null)"),
            Error::RootKey => {
                f.write_str("root key: not an Ed25519 public key (PEM, hex or 32 bytes)")
            }
            Error::TrustList(d) => write!(f, "trust list: {d}"),
            Error::Bundle(d) => write!(f, "bundle: {d}"),
            Error::StatusList(d) => write!(f, "status list: {d}"),
            Error::Options(d) => write!(f, "options: {d}"),
            Error::Nonce => f.write_str("nonce: not hex (at most 64 bytes)"),
            Error::NotText => f.write_str("input: neither a PNG/JPEG image nor UTF-8 text"),
            Error::Image(d) => write!(f, "image: {d}"),
            Error::NoCode => f.write_str("image: no QR code found"),
            Error::TooLarge => write!(f, "input: larger than {MAX_INPUT} bytes"),
            Error::Request { code, message } => write!(f, "request: {code}: {message}"),
            Error::Random => f.write_str("random: the system gave no random bytes for the nonce"),
            Error::Internal => f.write_str("internal error in the giayto library"),
        }
    }
}

impl std::error::Error for Error {}

/// The pinned root key from a PEM (SPKI) text, 64 hex digits, or the raw 32 bytes.
pub fn parse_root(bytes: &[u8]) -> Result<VerifyingKey, Error> {
    if let Ok(raw) = <[u8; 32]>::try_from(bytes) {
        return VerifyingKey::from_bytes(&raw).map_err(|_| Error::RootKey);
    }
    if bytes.len() > 4096 {
        return Err(Error::RootKey);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::RootKey)?
        .trim();
    if text.len() == 64 {
        let raw: [u8; 32] = parse_hex(text, 32)
            .and_then(|v| v.try_into().ok())
            .ok_or(Error::RootKey)?;
        return VerifyingKey::from_bytes(&raw).map_err(|_| Error::RootKey);
    }
    VerifyingKey::from_public_key_pem(text).map_err(|_| Error::RootKey)
}

/// Hex text to bytes, at most `max` bytes; `None` for anything else.
pub fn parse_hex(text: &str, max: usize) -> Option<Vec<u8>> {
    let t = text.trim();
    if t.len() % 2 != 0 || t.len() > 2 * max || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..t.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(t.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A policy by name: `third-party` (default; also `third_party`) or `checkpoint`.
pub fn parse_policy(name: &str) -> Result<Policy, Error> {
    match name {
        "third-party" | "third_party" => Ok(Policy::ThirdParty),
        "checkpoint" => Ok(Policy::Checkpoint),
        other => Err(Error::Options(format!(
            "policy {other:?}: third-party or checkpoint"
        ))),
    }
}

/// Seconds since the epoch on this machine's clock.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// How one verification runs; the default is the CLI's default (`giayto verify`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// The time to check at, seconds since the epoch; `None` reads the clock (`--at`).
    pub at: Option<i64>,
    /// Who is checking (`--policy`).
    pub policy: Policy,
    /// The challenge this verifier showed (`--nonce`): only a presentation carrying it is valid.
    pub nonce: Option<Vec<u8>>,
}

impl VerifyOptions {
    /// Options from a JSON object `{"at": seconds, "policy": "third-party"|"checkpoint",
    /// "nonce": "hex"}`, every member optional (`null` too); unknown members are refused so a
    /// misspelt option is not silently ignored.
    pub fn from_json(text: &str) -> Result<VerifyOptions, Error> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| Error::Options(format!("not JSON: {e}")))?;
        let obj = value
            .as_object()
            .ok_or_else(|| Error::Options("not a JSON object".into()))?;
        let mut opts = VerifyOptions::default();
        for (key, v) in obj {
            match (key.as_str(), v) {
                (_, Value::Null) => {}
                ("at", v) => {
                    opts.at = Some(v.as_i64().ok_or_else(|| {
                        Error::Options("at: not a whole number of seconds".into())
                    })?)
                }
                ("policy", Value::String(p)) => opts.policy = parse_policy(p)?,
                ("nonce", Value::String(n)) => opts.nonce = Some(parse_nonce(n)?),
                (k, _) => {
                    return Err(Error::Options(format!(
                        "{k:?}: unknown option or wrong type (at, policy, nonce)"
                    )))
                }
            }
        }
        Ok(opts)
    }
}

/// A nonce from hex (the CLI's `--nonce`), at most 64 bytes.
pub fn parse_nonce(hex: &str) -> Result<Vec<u8>, Error> {
    parse_hex(hex, 64).ok_or(Error::Nonce)
}

struct State {
    /// The verifier for the default policy, no nonce.
    base: Verifier,
    /// The same with the checkpoint policy, made at first use.
    checkpoint: OnceLock<Verifier>,
}

impl State {
    fn new(base: Verifier) -> State {
        State {
            base,
            checkpoint: OnceLock::new(),
        }
    }

    fn for_policy(&self, policy: Policy) -> &Verifier {
        match policy {
            Policy::Checkpoint => self
                .checkpoint
                .get_or_init(|| self.base.clone().with_policy(Policy::Checkpoint)),
            _ => &self.base,
        }
    }
}

/// A verifier shared by every binding: pinned root, trust list, status lists.
///
/// Thread safety: every method takes `&self`; verifications run in parallel (a read lock),
/// while [`Engine::add_status_list`] and [`Engine::set_accept_missing_status`] wait for them
/// (a write lock). An `Engine` is `Send + Sync`.
pub struct Engine {
    state: RwLock<State>,
    bundle_created_at: Option<i64>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("bundle_created_at", &self.bundle_created_at)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// From the root key (PEM, hex or raw) and a signed trust list (`trust.cwt`).
    pub fn from_trust_list(root: &[u8], trust_list: &[u8]) -> Result<Engine, Error> {
        let root = parse_root(root)?;
        let verifier =
            Verifier::new(root, trust_list).map_err(|e| Error::TrustList(e.to_string()))?;
        Ok(Engine {
            state: RwLock::new(State::new(verifier)),
            bundle_created_at: None,
        })
    }

    /// From the root key and an offline bundle (`bundle.cbor`: trust list and status lists).
    pub fn from_bundle(root: &[u8], bundle: &[u8]) -> Result<Engine, Error> {
        let root = parse_root(root)?;
        let bundle = Bundle::from_bytes(bundle).map_err(|e| Error::Bundle(e.to_string()))?;
        let verifier =
            Verifier::from_bundle(root, &bundle).map_err(|e| Error::Bundle(e.to_string()))?;
        Ok(Engine {
            state: RwLock::new(State::new(verifier)),
            bundle_created_at: Some(bundle.created_at),
        })
    }

    fn read(&self) -> Result<std::sync::RwLockReadGuard<'_, State>, Error> {
        self.state.read().map_err(|_| Error::Internal)
    }

    fn update(&self, f: impl FnOnce(Verifier) -> Result<Verifier, Error>) -> Result<(), Error> {
        let mut state = self.state.write().map_err(|_| Error::Internal)?;
        let base = f(state.base.clone())?;
        *state = State::new(base);
        Ok(())
    }

    /// Add a signed status list: `"added"`, `"replaced"` or `"kept_newer"` (a list never
    /// replaces a newer one for the same uri).
    pub fn add_status_list(&self, token: &[u8]) -> Result<&'static str, Error> {
        let mut added = "added";
        self.update(|mut v| {
            added = match v
                .add_status_list(token)
                .map_err(|e| Error::StatusList(e.to_string()))?
            {
                Added::New => "added",
                Added::Replaced => "replaced",
                _ => "kept_newer",
            };
            Ok(v)
        })?;
        Ok(added)
    }

    /// Accept a credential whose status list is not held, with a warning `status_not_checked`
    /// (the CLI's `--allow-missing-status`); default: refuse with `stale_status`.
    pub fn set_accept_missing_status(&self, accept: bool) -> Result<(), Error> {
        self.update(|v| Ok(v.accept_missing_status(accept)))
    }

    /// When the bundle was made (seconds), if this verifier came from one.
    pub fn bundle_created_at(&self) -> Option<i64> {
        self.bundle_created_at
    }

    /// The trust list in use: `{sequence, issued_at, expires_at}` (RFC 3339 times).
    pub fn trust_list_json(&self) -> Result<Value, Error> {
        let state = self.read()?;
        let t = state.base.trust_list();
        Ok(serde_json::json!({
            "sequence": t.sequence,
            "issued_at": giayto_verify::json::rfc3339(t.issued_at),
            "expires_at": giayto_verify::json::rfc3339(t.expires_at),
        }))
    }

    /// Verify input bytes: a PNG or JPEG photo of the code (every QR code in it is decoded;
    /// the first with a giayto prefix is verified, else the first), or UTF-8 text (trimmed, as
    /// the CLI reads a file). Errors only for unusable input; every text gets a verdict.
    pub fn verify_bytes(&self, input: &[u8], opts: &VerifyOptions) -> Result<Value, Error> {
        let text = input_text(input)?;
        self.verify_text(&text, opts)
    }

    /// Verify a QR text; never an error for any text (every outcome is a verdict), only for
    /// unusable options.
    pub fn verify_text(&self, text: &str, opts: &VerifyOptions) -> Result<Value, Error> {
        let text = text.trim();
        let at = opts.at.unwrap_or_else(now);
        let state = self.read()?;
        let verifier = state.for_policy(opts.policy);
        let report = verifier.check_with_nonce(text, at, opts.nonce.as_deref());
        Ok(report_json(
            &report,
            &JsonContext {
                bundle_created_at: self.bundle_created_at,
                message: None,
            },
        ))
    }
}

impl Engine {
    /// Check a holder's answer (a `VP1:` text as UTF-8, or a PNG/JPEG photo of it, as
    /// [`Engine::verify_bytes`] reads input) against the request text this verifier showed,
    /// at `at` (`None`: this machine's clock), third-party policy: the JSON of
    /// [`Engine::verify_text`], with the verdicts `wrong_request`, `request_expired` and
    /// `incomplete_answer` besides the others (docs/format.md §15.4). Every answer gets a
    /// verdict; an error for unusable input or for a request text that cannot be read
    /// ([`Error::Request`] with its refusal code).
    pub fn check_answer(
        &self,
        answer: &[u8],
        request: &str,
        at: Option<i64>,
    ) -> Result<Value, Error> {
        let answer = input_text(answer)?;
        self.check_answer_text(&answer, request, at)
    }

    /// [`Engine::check_answer`] for an answer already text.
    pub fn check_answer_text(
        &self,
        answer: &str,
        request: &str,
        at: Option<i64>,
    ) -> Result<Value, Error> {
        let at = at.unwrap_or_else(now);
        let state = self.read()?;
        let context = JsonContext {
            bundle_created_at: self.bundle_created_at,
            message: None,
        };
        giayto_verify::json::check_answer_value(
            &state.base,
            answer.trim(),
            request.trim(),
            at,
            &context,
        )
        .map_err(|e| Error::Request {
            code: e.code(),
            message: e.to_string(),
        })
    }
}

/// Bytes of the nonce of a request made here: 128 bits from the operating system, as the CLI's
/// `giayto request` draws them.
pub const REQUEST_NONCE_LEN: usize = 16;

/// Make a verifier's request at `now` (`None`: this machine's clock) with a fresh nonce from
/// the operating system: `{text, request}`, or `{error: {code, item?, member?}}` for what
/// cannot be asked (the contract of `giayto_verify::json::make_request_value`, the same as the
/// WASM build's `makeRequest`). An error only when the system gives no random bytes.
pub fn make_request(input: &RequestInput<'_>, now_at: Option<i64>) -> Result<Value, Error> {
    let mut nonce = [0u8; REQUEST_NONCE_LEN];
    getrandom::getrandom(&mut nonce).map_err(|_| Error::Random)?;
    Ok(giayto_verify::json::make_request_value(
        input,
        &nonce,
        now_at.unwrap_or_else(now),
    ))
}

/// Read a verifier's request text: `{request}` or `{error: {code, message}}`, never an error
/// (the contract of `giayto_verify::json::read_request_value`).
pub fn read_request(text: &str) -> Value {
    giayto_verify::json::read_request_value(text.trim())
}

/// Request items from one text: names separated by commas or white space (item names hold
/// neither), the form the C ABI takes them in.
pub fn split_items(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A PNG of a QR code holding `text`, rendered as the CLI renders it (level Q).
pub fn qr_png(text: &str) -> Result<Vec<u8>, Error> {
    giayto_qr::render_png(text, &giayto_qr::RenderOptions::default())
        .map_err(|e| Error::Image(e.to_string()))
}

/// The QR text an input stands for (see [`Engine::verify_bytes`]).
pub fn input_text(input: &[u8]) -> Result<String, Error> {
    if input.len() > MAX_INPUT {
        return Err(Error::TooLarge);
    }
    if giayto_qr::is_image(input) {
        let codes =
            giayto_qr::decode_image_bytes(input).map_err(|e| Error::Image(e.to_string()))?;
        let pick = codes
            .iter()
            .position(|c| {
                let c = c.trim_start();
                c.starts_with("VN1:") || c.starts_with("VP1:")
            })
            .unwrap_or(0);
        return codes.into_iter().nth(pick).ok_or(Error::NoCode);
    }
    std::str::from_utf8(input)
        .map(str::to_owned)
        .map_err(|_| Error::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../test-vectors/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn engine() -> Engine {
        Engine::from_bundle(&vectors("root.pub"), &vectors("bundle.cbor")).unwrap()
    }

    #[test]
    fn options_json() {
        let o = VerifyOptions::from_json(r#"{"at": 5, "policy": "checkpoint", "nonce": "00ff"}"#)
            .unwrap();
        assert_eq!(o.at, Some(5));
        assert_eq!(o.policy, Policy::Checkpoint);
        assert_eq!(o.nonce, Some(vec![0, 255]));
        assert_eq!(
            VerifyOptions::from_json(r#"{"at": null}"#).unwrap(),
            VerifyOptions::default()
        );
        for bad in [
            "",
            "[]",
            r#"{"at": "soon"}"#,
            r#"{"at": 1.5}"#,
            r#"{"policy": "bank"}"#,
            r#"{"nonce": "xyz"}"#,
            r#"{"polcy": "checkpoint"}"#,
        ] {
            assert!(VerifyOptions::from_json(bad).is_err(), "{bad}");
        }
        assert_eq!(
            VerifyOptions::from_json(r#"{"nonce": "0"}"#),
            Err(Error::Nonce)
        );
    }

    #[test]
    fn unusable_input_is_an_error_text_is_a_verdict() {
        let e = engine();
        let o = VerifyOptions {
            at: Some(1_795_392_000),
            ..VerifyOptions::default()
        };
        assert_eq!(e.verify_bytes(&[0xff, 0xfe], &o), Err(Error::NotText));
        let broken_png = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3];
        assert!(matches!(
            e.verify_bytes(&broken_png, &o),
            Err(Error::Image(_))
        ));
        for text in ["", "VN1:", "VP1:%%", "https://example.invalid", "\u{0}"] {
            let r = e.verify_bytes(text.as_bytes(), &o).unwrap();
            assert_eq!(r["valid"], Value::Bool(false), "{text}");
            assert!(r["verdict"].is_string());
        }
    }

    #[test]
    fn image_without_a_code_is_no_code() {
        let img = giayto_qr::image::GrayImage::from_pixel(64, 64, giayto_qr::image::Luma([255]));
        let mut png = Vec::new();
        giayto_qr::image::DynamicImage::ImageLuma8(img)
            .write_to(
                &mut std::io::Cursor::new(&mut png),
                giayto_qr::image::ImageFormat::Png,
            )
            .unwrap();
        assert_eq!(input_text(&png), Err(Error::NoCode));
    }

    #[test]
    fn image_with_two_codes_picks_the_giayto_one() {
        use giayto_qr::image::{GenericImage, GrayImage, Luma};
        let opts = giayto_qr::RenderOptions::default();
        let load = |text: &str| {
            let png = giayto_qr::render_png(text, &opts).unwrap();
            giayto_qr::image::load_from_memory(&png).unwrap().to_luma8()
        };
        let foreign = load("https://example.invalid/pay?x=1");
        let ours = load("VN1:6BFOXN*TS0BI$ZDFRH%");
        let png_of = |img: &GrayImage| {
            let mut png = Vec::new();
            img.write_to(
                &mut std::io::Cursor::new(&mut png),
                giayto_qr::image::ImageFormat::Png,
            )
            .unwrap();
            png
        };
        // Both orders: the foreign code first (left) and last.
        for (left, right) in [(&foreign, &ours), (&ours, &foreign)] {
            let w = left.width() + right.width() + 40;
            let h = left.height().max(right.height());
            let mut both = GrayImage::from_pixel(w, h, Luma([255]));
            both.copy_from(left, 0, 0).unwrap();
            both.copy_from(right, left.width() + 40, 0).unwrap();
            let codes = giayto_qr::decode_image_bytes(&png_of(&both)).unwrap();
            assert_eq!(codes.len(), 2, "the scanner sees both codes");
            assert_eq!(
                input_text(&png_of(&both)).unwrap(),
                "VN1:6BFOXN*TS0BI$ZDFRH%"
            );
        }
        assert_eq!(
            input_text(&png_of(&foreign)).unwrap(),
            "https://example.invalid/pay?x=1"
        );
    }

    #[test]
    fn policy_nonce_and_status_settings_apply() {
        let e = engine();
        let status: Value = serde_json::from_slice(&vectors("status.json")).unwrap();
        let missing = status["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["accept_missing_status"] == Value::Bool(true))
            .unwrap();
        let o = VerifyOptions {
            at: missing["at"].as_i64(),
            ..VerifyOptions::default()
        };
        let text = missing["text"].as_str().unwrap();
        assert_eq!(e.verify_text(text, &o).unwrap()["verdict"], "stale_status");
        e.set_accept_missing_status(true).unwrap();
        assert_eq!(
            e.verify_text(text, &o).unwrap()["verdict"],
            missing["verdict"]
        );
        // A static code is refused once a nonce is expected.
        let with_nonce = VerifyOptions {
            nonce: Some(vec![1; 16]),
            ..o.clone()
        };
        assert_eq!(
            e.verify_text(text, &with_nonce).unwrap()["verdict"],
            "stale_presentation"
        );
        assert!(e.add_status_list(b"not a list").is_err());
        assert!(e.trust_list_json().unwrap()["sequence"].as_u64().is_some());
        assert!(Engine::from_bundle(&vectors("root.pub"), &vectors("trust.cwt")).is_err());
        assert_eq!(
            Engine::from_trust_list(b"nope", &vectors("trust.cwt")).unwrap_err(),
            Error::RootKey
        );
    }
}
