//! The national CA beside the root authority (docs/format.md §18.2): `giayto root init --x509`
//! makes a CA in the root folder, `giayto root certify-issuer` certifies an issuer's key.
//! Certificates are made and read by [`giayto_x509`]; this module keeps the files.

use std::path::{Path, PathBuf};

use clap::Args;
use giayto_trust::authority::RootState;
use giayto_trust::keys;
use giayto_x509::ca::{self, Ca, Subject, Validity};
use giayto_x509::{IssuerCertificate, Usage, X509Error};
use serde_json::json;

use super::root::authority_failure;
use super::{doc_type, print_json, write_atomic};
use crate::failure::{CmdResult, Failure, EXIT_OK};
use crate::i18n::tr_args;
use crate::input::{now, read_file, rfc3339};
use crate::secrets::{self, key_failure};
use crate::Out;

/// The CA's secret key in the root folder (P-256 PKCS#8, encrypted like `root.key`).
pub const CA_KEY_FILE: &str = "ca.key";
/// The CA's certificate in the root folder: what verifiers configure with `--ca-root`.
pub const CA_CERT_FILE: &str = "ca.pem";
/// The issuer's certificate chain in its folder (PEM, leaf first, root excluded).
pub const ISSUER_CERT_FILE: &str = "issuer-cert.pem";
/// An mdoc document signer's public key in the issuer folder (SPKI PEM, P-256).
pub const MDOC_PUB_FILE: &str = "mdoc-signer.pub.pem";
/// The mdoc document signer's certificate chain in the issuer folder.
pub const MDOC_CERT_FILE: &str = "mdoc-signer-cert.pem";
/// Default common name of a CA made by `root init --x509`.
pub const DEFAULT_CA_NAME: &str = "giayto Test National CA";
/// Largest PEM file read.
const MAX_PEM_FILE: u64 = giayto_x509::MAX_PEM_BYTES as u64;

const DAY: i64 = 86_400;

#[derive(Args, Debug)]
pub struct CertifyIssuerArgs {
    /// The root folder (holding ca.key and ca.pem from `root init --x509`).
    #[arg(long)]
    pub dir: PathBuf,
    /// The issuer folder: its issuer.json and issuer.pub, and where the certificate is written
    /// (issuer-cert.pem).
    #[arg(long)]
    pub issuer: PathBuf,
    /// Certify the mdoc document signer key (ISSUER/mdoc-signer.pub.pem, P-256) instead,
    /// writing ISSUER/mdoc-signer-cert.pem.
    #[arg(long)]
    pub mdoc_signer: bool,
    /// Document types the key may sign: cccd,gplx,vehicle,bhyt,bhxh (default: those the
    /// root's list gives the issuer's key; gplx for an mdoc signer).
    #[arg(long, value_delimiter = ',')]
    pub doc_types: Vec<String>,
    /// Days the certificate stays valid.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub valid_days: u32,
}

/// A certificate error as the user sees it.
pub fn x509_failure(path: &Path, e: &X509Error) -> Failure {
    Failure::new("error-certificate")
        .arg("path", path.display())
        .arg("detail", e)
}

/// Make the CA of a root folder: a P-256 key encrypted under `passphrase` (`ca.key`) and its
/// self-signed certificate (`ca.pem`). Refuses a folder that already has either.
pub fn create_ca(
    dir: &Path,
    name: &str,
    days: u32,
    urls: &ca::CaUrls,
    passphrase: &giayto_trust::SecretString,
    cost: keys::KdfCost,
    now: i64,
) -> Result<Ca, Failure> {
    for f in [CA_KEY_FILE, CA_CERT_FILE] {
        if dir.join(f).exists() {
            return Err(
                Failure::new("error-already-initialised").arg("path", dir.join(f).display())
            );
        }
    }
    let validity = Validity {
        not_before: now - 60,
        not_after: now + i64::from(days) * DAY,
    };
    let ca = Ca::generate(name, validity, urls).map_err(|e| x509_failure(dir, &e))?;
    keys::write_secret_der(&dir.join(CA_KEY_FILE), &ca.key_pkcs8(), passphrase, cost)
        .map_err(|e| key_failure(&e))?;
    let pem =
        giayto_x509::ders_to_pem(&[ca.cert_der().to_vec()]).map_err(|e| x509_failure(dir, &e))?;
    if let Err(f) = write_atomic(&dir.join(CA_CERT_FILE), pem.as_bytes()) {
        let _ = std::fs::remove_file(dir.join(CA_KEY_FILE));
        return Err(f);
    }
    Ok(ca)
}

/// The CA's URLs of `root init --x509`: `--ca-url`, and `--crl-url` or the CA URL + `ca.crl`.
/// Checked before anything is made.
pub fn ca_urls(a: &super::root::InitArgs) -> Result<ca::CaUrls, Failure> {
    let bad = |e: X509Error| {
        Failure::new("error-ca-url").arg(
            "url",
            match e {
                X509Error::BadUrl(u) => u,
                e => e.to_string(),
            },
        )
    };
    let mut urls = ca::CaUrls::under(&a.ca_url).map_err(bad)?;
    if let Some(crl) = &a.crl_url {
        urls.crl = crl.clone();
        urls.check().map_err(bad)?;
    }
    Ok(urls)
}

/// Open the CA of a root folder with the root's passphrase.
pub fn open_ca(dir: &Path, passphrase: &giayto_trust::SecretString) -> Result<Ca, Failure> {
    let cert_path = dir.join(CA_CERT_FILE);
    if !cert_path.exists() {
        return Err(Failure::new("error-no-ca").arg("path", dir.display()));
    }
    let pem = read_file(&cert_path, MAX_PEM_FILE)?;
    let der = giayto_x509::pem_to_ders(&pem)
        .map_err(|e| x509_failure(&cert_path, &e))?
        .into_iter()
        .next()
        .ok_or_else(|| x509_failure(&cert_path, &X509Error::Pem))?;
    let key =
        keys::read_secret_der(&dir.join(CA_KEY_FILE), passphrase).map_err(|e| key_failure(&e))?;
    Ca::from_parts(&der, &key).map_err(|e| x509_failure(&cert_path, &e))
}

/// Print what `root init --x509` made.
pub fn report_ca(dir: &Path, ca: &Ca, out: Out) -> Result<serde_json::Value, Failure> {
    let path = dir.join(CA_CERT_FILE);
    let root = giayto_x509::CaRoot::from_der(ca.cert_der()).map_err(|e| x509_failure(&path, &e))?;
    let (from, until) = root.validity();
    if !out.json {
        crate::outln!(
            "{}",
            tr_args(
                "root-ca-created",
                &[
                    ("name", root.name().to_owned()),
                    ("path", path.display().to_string()),
                    ("until", crate::input::human_time(until)),
                ]
            )
        );
    }
    Ok(json!({
        "ca_name": root.name(),
        "ca_cert_file": path,
        "ca_key_file": dir.join(CA_KEY_FILE),
        "not_before": rfc3339(from),
        "not_after": rfc3339(until),
    }))
}

/// The document types to certify: those given, else the root's list's for this key, else
/// gplx for an mdoc signer.
fn doc_types_for(
    a: &CertifyIssuerArgs,
    issuer_id: &str,
    ed25519_key: Option<[u8; 32]>,
) -> Result<Vec<u64>, Failure> {
    if !a.doc_types.is_empty() {
        return a
            .doc_types
            .iter()
            .map(|t| doc_type(t).map(|d| d.code()))
            .collect();
    }
    if a.mdoc_signer {
        return Ok(vec![giayto_model::DocType::Gplx.code()]);
    }
    let state = RootState::load(&a.dir).map_err(|e| authority_failure(&e))?;
    state
        .issuers()
        .iter()
        .find(|k| k.id == issuer_id && Some(k.public_key) == ed25519_key)
        .map(|k| k.doc_types.iter().map(|t| t.code()).collect())
        .ok_or_else(|| Failure::new("error-certify-doc-types").arg("id", issuer_id))
}

pub fn certify_issuer(a: &CertifyIssuerArgs, out: Out) -> CmdResult {
    RootState::load(&a.dir).map_err(|e| authority_failure(&e))?;
    if !a.dir.join(CA_CERT_FILE).exists() {
        return Err(Failure::new("error-no-ca").arg("path", a.dir.display()));
    }
    let meta = giayto_issuer::read_meta(&a.issuer)
        .map_err(|_| Failure::new("error-not-issuer").arg("path", a.issuer.display()))?;
    let (usage, key_path, out_path) = if a.mdoc_signer {
        (
            Usage::MdocSigner,
            a.issuer.join(MDOC_PUB_FILE),
            a.issuer.join(MDOC_CERT_FILE),
        )
    } else {
        (
            Usage::Credential,
            a.issuer.join(giayto_issuer::dir::PUB_FILE),
            a.issuer.join(ISSUER_CERT_FILE),
        )
    };
    let (spki, ed25519_key) = match usage {
        Usage::Credential => {
            use ed25519_dalek::pkcs8::EncodePublicKey;
            let key = keys::read_public_key(&key_path).map_err(|e| key_failure(&e))?;
            let der = key
                .to_public_key_der()
                .map_err(|_| x509_failure(&key_path, &X509Error::KeyKind))?;
            (der.as_bytes().to_vec(), Some(key.to_bytes()))
        }
        Usage::MdocSigner => {
            let pem = read_file(&key_path, MAX_PEM_FILE)?;
            let der =
                giayto_x509::spki_pem_to_der(&pem).map_err(|e| x509_failure(&key_path, &e))?;
            (der, None)
        }
    };
    let doc_types = doc_types_for(a, &meta.id, ed25519_key)?;
    super::check_parent(&out_path)?;
    let pass = secrets::existing_key("root", &a.dir.join(CA_KEY_FILE))?;
    let ca = open_ca(&a.dir, &pass)?;
    let t = now();
    let validity = Validity {
        not_before: t - 60,
        not_after: t + i64::from(a.valid_days) * DAY,
    };
    let subject = Subject {
        issuer_id: meta.id.clone(),
        name: Some(meta.name_vi.clone()),
    };
    let leaf = ca::certify(&ca, &subject, &spki, usage, &doc_types, validity)
        .map_err(|e| x509_failure(&key_path, &e))?;
    // Check what was made as a verifier will before writing it.
    let root =
        giayto_x509::CaRoot::from_der(ca.cert_der()).map_err(|e| x509_failure(&out_path, &e))?;
    let cert = IssuerCertificate::from_ders(vec![leaf.clone()])
        .map_err(|e| x509_failure(&out_path, &e))?;
    cert.validate(std::slice::from_ref(&root), usage, t)
        .map_err(|e| x509_failure(&out_path, &e))?;
    let pem = giayto_x509::ders_to_pem(&[leaf]).map_err(|e| x509_failure(&out_path, &e))?;
    write_atomic(&out_path, pem.as_bytes())?;
    let names: Vec<String> = doc_types
        .iter()
        .map(|c| {
            giayto_model::DocType::from_code(*c)
                .map(|d| d.as_str().to_owned())
                .unwrap_or_else(|| c.to_string())
        })
        .collect();
    if out.json {
        print_json(&json!({
            "id": meta.id,
            "certificate_file": out_path,
            "usage": match usage { Usage::Credential => "credential", Usage::MdocSigner => "mdoc_signer" },
            "doc_types": names,
            "ca_name": root.name(),
            "not_before": rfc3339(validity.not_before),
            "not_after": rfc3339(validity.not_after),
        }));
    } else {
        crate::outln!(
            "{}",
            tr_args(
                "root-issuer-certified",
                &[
                    ("id", meta.id.clone()),
                    ("path", out_path.display().to_string()),
                    ("types", names.join(", ")),
                    ("until", crate::input::human_time(validity.not_after)),
                ]
            )
        );
    }
    Ok(EXIT_OK)
}

/// Read CA roots (`--ca-root`) from PEM files.
pub fn read_ca_roots(paths: &[PathBuf]) -> Result<Vec<giayto_x509::CaRoot>, Failure> {
    let mut roots = Vec::new();
    for path in paths {
        let pem = read_file(path, MAX_PEM_FILE)?;
        roots.extend(giayto_x509::CaRoot::from_pem(&pem).map_err(|e| x509_failure(path, &e))?);
    }
    Ok(roots)
}

/// Read an issuer certificate chain (`--issuer-cert`) from a PEM file.
pub fn read_issuer_cert(path: &Path) -> Result<IssuerCertificate, Failure> {
    let pem = read_file(path, MAX_PEM_FILE)?;
    IssuerCertificate::from_pem(&pem).map_err(|e| x509_failure(path, &e))
}
