//! `giayto`: the giayto verifier for Python, over the shared core of
//! `crates/giayto-verify-ffi` (the same code as the C ABI). See `docs/bindings/python.md`.
//!
//! Verification runs with the GIL released; a `Verifier` is safe to share across threads
//! (the core takes a read lock per verification, a write lock to add a status list).
#![deny(missing_docs)]

use std::sync::Arc;

use giayto_verify_ffi::core::{self, Engine, Error, VerifyOptions};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyList, PyString};
use serde_json::Value;

create_exception!(
    giayto,
    GiaytoError,
    PyValueError,
    "Unusable input (never a verdict); `code` is the stable snake_case code."
);
create_exception!(
    giayto,
    RootKeyError,
    GiaytoError,
    "The root key is not an Ed25519 public key."
);
create_exception!(
    giayto,
    TrustListError,
    GiaytoError,
    "The trust list did not verify."
);
create_exception!(
    giayto,
    BundleError,
    GiaytoError,
    "The bundle could not be read or did not verify."
);
create_exception!(
    giayto,
    StatusListError,
    GiaytoError,
    "A status list could not be read or did not verify."
);
create_exception!(
    giayto,
    OptionsError,
    GiaytoError,
    "An option is not usable (policy, time)."
);
create_exception!(
    giayto,
    NonceError,
    GiaytoError,
    "The nonce is not hex or bytes (at most 64 bytes)."
);
create_exception!(
    giayto,
    NotTextError,
    GiaytoError,
    "The input is neither a PNG/JPEG image nor UTF-8 text."
);
create_exception!(
    giayto,
    ImageError,
    GiaytoError,
    "The image could not be decoded."
);
create_exception!(
    giayto,
    NoCodeError,
    GiaytoError,
    "The image holds no QR code."
);
create_exception!(
    giayto,
    RequestError,
    GiaytoError,
    "A verifier's request that cannot be read or made; `reason` is its refusal code (`bad_item`, `lifetime`, ...)."
);

fn to_py_err(e: Error) -> PyErr {
    let msg = e.to_string();
    let code = e.code();
    if let Error::Request { code: reason, .. } = &e {
        return request_err(msg, &serde_json::json!({ "code": reason }));
    }
    let err = match e {
        Error::RootKey => RootKeyError::new_err(msg),
        Error::TrustList(_) => TrustListError::new_err(msg),
        Error::Bundle(_) => BundleError::new_err(msg),
        Error::StatusList(_) => StatusListError::new_err(msg),
        Error::Options(_) => OptionsError::new_err(msg),
        Error::Nonce => NonceError::new_err(msg),
        Error::NotText => NotTextError::new_err(msg),
        Error::Image(_) => ImageError::new_err(msg),
        Error::NoCode => NoCodeError::new_err(msg),
        _ => GiaytoError::new_err(msg),
    };
    // The stable code as an attribute, the same string C and Java report.
    Python::attach(|py| {
        let _ = err.value(py).setattr("code", code);
    });
    err
}

/// A `RequestError` (`code` `"request"`) from a refusal `{code, item?, member?}`: its code as
/// `reason`, and the item or member it names as `item` / `member` (else `None`).
fn request_err(msg: String, error: &Value) -> PyErr {
    let err = RequestError::new_err(msg);
    Python::attach(|py| {
        let value = err.value(py);
        let _ = value.setattr("code", "request");
        for (attr, key) in [("reason", "code"), ("item", "item"), ("member", "member")] {
            let _ = value.setattr(attr, error.get(key).and_then(Value::as_str));
        }
    });
    err
}

/// `{error: {...}}` from the request JSON contract as a `RequestError`; anything else as is.
fn refusal_or(value: Value) -> PyResult<Value> {
    match value.get("error") {
        Some(error) => {
            let code = error.get("code").and_then(Value::as_str).unwrap_or("?");
            let msg = match (error.get("message"), error.get("item")) {
                (Some(Value::String(m)), _) => format!("request: {code}: {m}"),
                (_, Some(Value::String(i))) => format!("request: {code}: {i}"),
                _ => format!("request: {code}"),
            };
            Err(request_err(msg, error))
        }
        None => Ok(value),
    }
}

/// Request items: a `str` (names separated by commas or spaces) or an iterable of `str`.
fn items(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(obj) = obj else {
        return Ok(Vec::new());
    };
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(core::split_items(&s.to_cow()?));
    }
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        out.push(
            item?
                .extract::<String>()
                .map_err(|_| PyTypeError::new_err("items: str or an iterable of str"))?,
        );
    }
    Ok(out)
}

/// Bytes from `bytes`, `bytearray` or `memoryview`; `None` for anything else.
fn as_bytes(obj: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Some(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Some(b.to_vec());
    }
    if obj.hasattr("tobytes").unwrap_or(false) && !obj.is_instance_of::<PyString>() {
        return obj.call_method0("tobytes").ok()?.extract::<Vec<u8>>().ok();
    }
    None
}

/// Bytes from a bytes-like object, or the content of a file named by a `str`/`os.PathLike`.
fn data_or_file(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Some(b) = as_bytes(obj) {
        return Ok(b);
    }
    let path: std::path::PathBuf = obj
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("{what}: bytes or a path (str, os.PathLike)")))?;
    std::fs::read(&path).map_err(|e| {
        pyo3::exceptions::PyOSError::new_err(format!("{what}: {}: {e}", path.display()))
    })
}

/// The root key: bytes, its PEM or hex text, or a path to a file holding it.
fn root_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_cow()?;
        if core::parse_root(s.as_bytes()).is_ok() {
            return Ok(s.as_bytes().to_vec());
        }
    }
    data_or_file(obj, "root_pub")
}

/// serde_json value to Python objects (dict, list, str, int, float, bool, None).
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let list = PyList::empty(py);
            for item in a {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(o) => {
            let dict = PyDict::new(py);
            for (k, item) in o {
                dict.set_item(k, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// One verification. The attributes are the members of `giayto verify --json` most callers
/// need; `to_dict()` gives all of them (the JSON contract, `docs/verify-result.schema.json`).
#[pyclass(frozen, module = "giayto")]
pub struct VerifyResult {
    value: Value,
}

impl VerifyResult {
    fn str_of(&self, key: &str) -> Option<String> {
        self.value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
    fn member<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, self.value.get(key).unwrap_or(&Value::Null))
    }
}

#[pymethods]
impl VerifyResult {
    /// `"valid"`, `"expired"`, `"revoked"`, ... (a stable snake_case verdict).
    #[getter]
    fn verdict(&self) -> String {
        self.str_of("verdict").unwrap_or_default()
    }
    /// Whether the verdict is `valid`.
    #[getter]
    fn valid(&self) -> bool {
        self.value
            .get("valid")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
    /// Why it was rejected (a snake_case code), or `None` when valid.
    #[getter]
    fn reason(&self) -> Option<String> {
        self.str_of("reason")
    }
    /// `"cccd"`, `"gplx"`, `"vehicle"`, `"bhyt"`, `"bhxh"` once the signature verified, else `None`.
    #[getter]
    fn doc_type(&self) -> Option<String> {
        self.str_of("doc_type")
    }
    /// The document's fields (dates YYYY-MM-DD) once the signature verified, else `None`.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.member(py, "fields")
    }
    /// The issuer's id (`"VN.BCA.C06"`), once the signature verified.
    #[getter]
    fn issuer(&self) -> Option<String> {
        self.str_of("issuer")
    }
    /// The issuer's names `{"vi": ..., "en": ...}`, once the signature verified.
    #[getter]
    fn issuer_name<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.member(py, "issuer_name")
    }
    /// The credential's serial number (hex), once the signature verified.
    #[getter]
    fn serial(&self) -> Option<String> {
        self.str_of("serial")
    }
    /// Warnings on an accepted credential (`[{"code": ...}, ...]`); empty otherwise.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.value.get("warnings") {
            Some(w) => to_py(py, w),
            None => Ok(PyList::empty(py).into_any()),
        }
    }
    /// Whether the code was a holder-signed presentation (`VP1:`).
    #[getter]
    fn presentation(&self) -> bool {
        self.value
            .get("presentation")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
    /// Every member, as `giayto verify --json` prints it.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.value)
    }
    /// The same as a JSON text.
    fn to_json(&self) -> String {
        self.value.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "VerifyResult(verdict={:?}, doc_type={:?}, serial={:?})",
            self.verdict(),
            self.doc_type(),
            self.serial()
        )
    }
    fn __bool__(&self) -> bool {
        self.valid()
    }
}

/// A verifier: pinned root key, trust list (or bundle), status lists. Safe to share across
/// threads; `verify` releases the GIL.
#[pyclass(frozen, module = "giayto")]
pub struct Verifier {
    engine: Arc<Engine>,
}

fn seconds(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(OptionsError::new_err("at: seconds (int) or a datetime"));
    }
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(i);
    }
    if obj.hasattr("timestamp")? {
        // A naive datetime is taken as this machine's local time (Python's own rule).
        let ts: f64 = obj.call_method0("timestamp")?.extract()?;
        if ts.is_finite() && ts.abs() < 1e15 {
            return Ok(ts.floor() as i64);
        }
    }
    Err(OptionsError::new_err("at: seconds (int) or a datetime"))
}

#[pymethods]
impl Verifier {
    /// `Verifier(root_pub, bundle=None, trust=None, status=(), accept_missing_status=False)`:
    /// exactly one of `bundle` (an offline bundle) and `trust` (a signed trust list), each
    /// bytes or a path; `status`: signed status lists (bytes or paths) to add.
    #[new]
    #[pyo3(signature = (root_pub, *, bundle=None, trust=None, status=None, accept_missing_status=false))]
    fn new(
        py: Python<'_>,
        root_pub: &Bound<'_, PyAny>,
        bundle: Option<&Bound<'_, PyAny>>,
        trust: Option<&Bound<'_, PyAny>>,
        status: Option<&Bound<'_, PyAny>>,
        accept_missing_status: bool,
    ) -> PyResult<Verifier> {
        let root = root_bytes(root_pub)?;
        let engine = match (bundle, trust) {
            (Some(b), None) => {
                let b = data_or_file(b, "bundle")?;
                py.detach(|| Engine::from_bundle(&root, &b))
            }
            (None, Some(t)) => {
                let t = data_or_file(t, "trust")?;
                py.detach(|| Engine::from_trust_list(&root, &t))
            }
            _ => {
                return Err(PyTypeError::new_err(
                    "Verifier: give exactly one of bundle= and trust=",
                ))
            }
        }
        .map_err(to_py_err)?;
        if let Some(lists) = status {
            for item in lists.try_iter()? {
                let token = data_or_file(&item?, "status")?;
                engine.add_status_list(&token).map_err(to_py_err)?;
            }
        }
        if accept_missing_status {
            engine.set_accept_missing_status(true).map_err(to_py_err)?;
        }
        Ok(Verifier {
            engine: Arc::new(engine),
        })
    }

    /// Verify a QR text (`str`), or bytes: a PNG/JPEG photo of the code or UTF-8 text.
    /// `at`: seconds since the epoch or a datetime (default: now); `policy`: `"third-party"`
    /// or `"checkpoint"`; `nonce`: the challenge shown (bytes or hex), for presentations.
    /// Every text gets a verdict; only unusable input raises (a `GiaytoError`).
    #[pyo3(signature = (data, at=None, policy="third-party", nonce=None))]
    fn verify(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        at: Option<&Bound<'_, PyAny>>,
        policy: &str,
        nonce: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<VerifyResult> {
        let opts = VerifyOptions {
            at: at.map(seconds).transpose()?,
            policy: core::parse_policy(policy).map_err(to_py_err)?,
            nonce: match nonce {
                None => None,
                Some(n) => Some(match as_bytes(n) {
                    Some(b) if b.len() <= 64 => b,
                    Some(_) => return Err(to_py_err(Error::Nonce)),
                    None => {
                        let hex: String = n
                            .extract()
                            .map_err(|_| NonceError::new_err("nonce: bytes or hex str"))?;
                        core::parse_nonce(&hex).map_err(to_py_err)?
                    }
                }),
            },
        };
        let engine = &self.engine;
        let value = if let Ok(s) = data.cast::<PyString>() {
            let text = s.to_cow()?.into_owned();
            py.detach(|| engine.verify_text(&text, &opts))
        } else if let Some(bytes) = as_bytes(data) {
            py.detach(|| engine.verify_bytes(&bytes, &opts))
        } else {
            return Err(PyTypeError::new_err("verify: str (QR text) or bytes"));
        }
        .map_err(to_py_err)?;
        Ok(VerifyResult { value })
    }

    /// Check a holder's answer (`str`, or bytes: a PNG/JPEG photo of it or UTF-8 text) against
    /// `request`, the `VR1:` text this verifier showed, at `at` (seconds or a datetime;
    /// default: now), third-party policy (docs/format.md §15.4). The same result as `verify`,
    /// with the verdicts `wrong_request`, `request_expired` and `incomplete_answer` besides
    /// the others. Raises `RequestError` for a request text that cannot be read.
    #[pyo3(signature = (answer, request, at=None))]
    fn check_answer(
        &self,
        py: Python<'_>,
        answer: &Bound<'_, PyAny>,
        request: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<VerifyResult> {
        let at = at.map(seconds).transpose()?;
        let engine = &self.engine;
        let request = request.to_owned();
        let value = if let Ok(s) = answer.cast::<PyString>() {
            let text = s.to_cow()?.into_owned();
            py.detach(|| engine.check_answer_text(&text, &request, at))
        } else if let Some(bytes) = as_bytes(answer) {
            py.detach(|| engine.check_answer(&bytes, &request, at))
        } else {
            return Err(PyTypeError::new_err("check_answer: str (QR text) or bytes"));
        }
        .map_err(to_py_err)?;
        Ok(VerifyResult { value })
    }

    /// Add a signed status list (bytes or a path): `"added"`, `"replaced"` or `"kept_newer"`.
    fn add_status_list(&self, py: Python<'_>, token: &Bound<'_, PyAny>) -> PyResult<&'static str> {
        let token = data_or_file(token, "status")?;
        let engine = &self.engine;
        py.detach(|| engine.add_status_list(&token))
            .map_err(to_py_err)
    }

    /// The trust list in use: `{"sequence", "issued_at", "expires_at"}`.
    #[getter]
    fn trust_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.engine.trust_list_json().map_err(to_py_err)?)
    }

    /// When the bundle was made (seconds since the epoch), or `None` without a bundle.
    #[getter]
    fn bundle_created_at(&self) -> Option<i64> {
        self.engine.bundle_created_at()
    }
}

/// A PNG of a QR code holding `text` (the CLI's rendering: level Q), for tests and demos.
#[pyfunction]
fn qr_png<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyBytes>> {
    let png = core::qr_png(text).map_err(to_py_err)?;
    Ok(PyBytes::new(py, &png))
}

/// Make a verifier's request (`VR1:`, docs/format.md §15): `required` and `optional` items
/// (field names of docs/format.md §4 or `age_over_NN`; a list, or one `str` separated by
/// commas or spaces), the `purpose` and `verifier` name the wallet shows, `doc_type`
/// (`"cccd"`, `"gplx"`, `"vehicle"`, `"bhyt"`, or `None` for any), `minutes` it stays open
/// (1 to 1440), issued at `at` (default: now). The nonce is 16 bytes from the operating
/// system. Returns `{"text": "VR1:...", "request": {...}}`; raises `RequestError` (its
/// `reason`: `no_items`, `bad_item`, `bad_doc_type`, `lifetime`, `bad_member`, ...) for what
/// cannot be asked.
#[pyfunction]
#[pyo3(signature = (required, optional=None, *, purpose, verifier, doc_type=None, minutes=10, at=None))]
#[allow(clippy::too_many_arguments)]
fn make_request<'py>(
    py: Python<'py>,
    required: &Bound<'py, PyAny>,
    optional: Option<&Bound<'py, PyAny>>,
    purpose: &str,
    verifier: &str,
    doc_type: Option<&str>,
    minutes: u32,
    at: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let input = core::RequestInput {
        required: items(Some(required))?,
        optional: items(optional)?,
        purpose,
        verifier,
        doc_type,
        minutes,
    };
    let at = at.map(seconds).transpose()?;
    let value = core::make_request(&input, at).map_err(to_py_err)?;
    to_py(py, &refusal_or(value)?)
}

/// Read a verifier's request (`VR1:`): its parts as a dict (`verifier`, `purpose`,
/// `required`, `optional`, `doc_type`, `nonce`, `issued_at`, `expires_at`,
/// `expires_at_seconds`); raises `RequestError` (its `reason`: `not_a_request`, `bad_item`,
/// `lifetime`, ...) for a malformed one.
#[pyfunction]
fn read_request<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let value = refusal_or(core::read_request(text))?;
    to_py(py, value.get("request").unwrap_or(&Value::Null))
}

/// The giayto verifier (`Verifier`, `VerifyResult`, the `GiaytoError` family, `qr_png`,
/// `make_request`, `read_request`).
#[pymodule]
fn giayto(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<Verifier>()?;
    m.add_class::<VerifyResult>()?;
    m.add_function(wrap_pyfunction!(qr_png, m)?)?;
    m.add_function(wrap_pyfunction!(make_request, m)?)?;
    m.add_function(wrap_pyfunction!(read_request, m)?)?;
    m.add("GiaytoError", py.get_type::<GiaytoError>())?;
    m.add("RootKeyError", py.get_type::<RootKeyError>())?;
    m.add("TrustListError", py.get_type::<TrustListError>())?;
    m.add("BundleError", py.get_type::<BundleError>())?;
    m.add("StatusListError", py.get_type::<StatusListError>())?;
    m.add("OptionsError", py.get_type::<OptionsError>())?;
    m.add("NonceError", py.get_type::<NonceError>())?;
    m.add("NotTextError", py.get_type::<NotTextError>())?;
    m.add("ImageError", py.get_type::<ImageError>())?;
    m.add("NoCodeError", py.get_type::<NoCodeError>())?;
    m.add("RequestError", py.get_type::<RequestError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
