//! `giayto demo`: the whole flow in a fresh folder.

use std::path::{Path, PathBuf};

use clap::Args;
use giayto_issuer::registry::{Action, Target};
use giayto_issuer::{IssueOptions, Issuer, IssuerMeta};
use giayto_model::DocType;
use giayto_qr::{EccLevel, RenderOptions};
use giayto_trust::keys::KdfCost;
use giayto_trust::SecretString;
use giayto_verify::{Bundle, Verdict, Verifier};
use serde_json::json;

use super::issue::document_from_json;
use super::issuer::issuer_failure;
use super::{print_json, write_atomic};
use crate::failure::{io_failure, CmdResult, Failure, EXIT_INVALID, EXIT_OK};
use crate::i18n::{tr, tr_args};
use crate::input::now;
use crate::render::{to_human, to_json};
use crate::Out;

/// The demo's passphrase (printed: the demo folder is for trying things out, not for real keys).
pub const DEMO_PASSPHRASE: &str = "giayto-demo-2026";

/// The demo's issuing authorities: folder, id, names, and the only document types the root
/// authorises each for.
const DEMO_ISSUERS: &[(&str, &str, &str, &str, &[DocType])] = &[
    (
        "issuer-c06",
        "VN.BCA.C06",
        "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        "Police Department for Administrative Management of Social Order",
        &[DocType::Cccd],
    ),
    (
        "issuer-csgt",
        "VN.BCA.CSGT",
        "Cục Cảnh sát giao thông",
        "Traffic Police Department",
        &[DocType::Gplx, DocType::Vehicle],
    ),
    (
        "issuer-bhxh",
        "VN.BHXH",
        "Bảo hiểm xã hội Việt Nam",
        "Vietnam Social Security",
        &[DocType::Bhyt, DocType::Bhxh],
    ),
];

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Folder to create (default: ./giayto-demo, or the next free ./giayto-demo-N).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Do not draw the QR codes in the terminal.
    #[arg(long)]
    pub no_terminal_qr: bool,
}

fn pick_dir(requested: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(d) = requested {
        let empty = std::fs::read_dir(d)
            .map(|mut r| r.next().is_none())
            .unwrap_or(true);
        if !empty {
            return Err(Failure::new("error-demo-dir-not-empty").arg("path", d.display()));
        }
        return Ok(d.to_owned());
    }
    let base = PathBuf::from("giayto-demo");
    if !base.exists() {
        return Ok(base);
    }
    (2..1000)
        .map(|n| PathBuf::from(format!("giayto-demo-{n}")))
        .find(|p| !p.exists())
        .ok_or_else(|| Failure::new("error-demo-dir-not-empty").arg("path", base.display()))
}

pub fn run(a: DemoArgs, out: Out) -> CmdResult {
    let dir = pick_dir(a.dir.as_deref())?;
    std::fs::create_dir_all(&dir).map_err(|e| io_failure(&dir, &e))?;
    let pass = SecretString::from(DEMO_PASSPHRASE.to_owned());
    // The passphrase is printed, so a slow key derivation would protect nothing here.
    let cost = KdfCost::new(12);
    let t = now();
    let say = |id: &str, args: &[(&str, String)]| {
        if !out.json {
            crate::outln!("{}", tr_args(id, args));
        }
    };

    say("demo-start", &[("path", dir.display().to_string())]);

    let root_dir = dir.join("root");
    let root_key = super::root::create(&root_dir, "VN.ROOT", &pass, cost)?;
    say(
        "demo-root",
        &[("path", root_dir.join("root.pub").display().to_string())],
    );

    // Three issuing authorities, each authorised in the trust list for its own documents only:
    // a credential of another type signed by one of them is issuer_not_authorized.
    let mut issuers = Vec::new();
    for (folder, id, name_vi, name_en, types) in DEMO_ISSUERS {
        let issuer_dir = dir.join(folder);
        let meta = IssuerMeta {
            id: (*id).into(),
            name_vi: (*name_vi).into(),
            name_en: Some((*name_en).into()),
            status_uri_prefix: None,
            list_size: None,
            registry_url: None,
        };
        giayto_issuer::init(&issuer_dir, &meta, &pass, cost).map_err(|e| issuer_failure(&e))?;
        let type_names: Vec<String> = types.iter().map(|t| t.as_str().to_owned()).collect();
        super::root::add(
            &root_dir,
            &issuer_dir.join(giayto_issuer::dir::PUB_FILE),
            &meta.id,
            &type_names,
            1825,
            None,
            None,
            None,
            t,
        )?;
        say(
            "demo-issuer",
            &[("id", meta.id.clone()), ("name", meta.name_vi.clone())],
        );
        let allowed: Vec<String> = types
            .iter()
            .map(|t| tr(&format!("doc-{}", t.as_str())))
            .collect();
        say(
            "demo-issuer-may",
            &[("id", meta.id.clone()), ("types", allowed.join(", "))],
        );
        issuers.push((types, meta, issuer_dir));
    }

    let trust_path = dir.join("trust.cwt");
    let (trust_bytes, _) = super::root::sign_list(&root_dir, &root_key, 30, t)?;
    write_atomic(&trust_path, &trust_bytes)?;
    say("demo-trust", &[("path", trust_path.display().to_string())]);

    let mut opened = Vec::new();
    for (types, meta, issuer_dir) in &issuers {
        let issuer = Issuer::open(issuer_dir, &pass).map_err(|e| issuer_failure(&e))?;
        opened.push((*types, meta.clone(), issuer));
    }

    // One document of each of the five types, and a sixth — the registration of a vehicle since
    // sold — to revoke.
    let mut issued_all = Vec::new();
    let mut jobs: Vec<(DocType, String)> = DocType::ALL
        .iter()
        .map(|t| (*t, t.as_str().to_owned()))
        .collect();
    jobs.push((DocType::Vehicle, "vehicle-sold".to_owned()));
    for (doc_type, name) in &jobs {
        let document = document_from_json(*doc_type, &giayto_model::sample_input(*doc_type))?;
        // The authority that may issue this type.
        let (_, _, issuer) = opened
            .iter_mut()
            .find(|(types, _, _)| types.contains(doc_type))
            .ok_or(Failure::new("error-sign"))?;
        let issued = issuer
            .issue(&document, &IssueOptions::default(), t)
            .map_err(|e| issuer_failure(&e))?;
        let png_path = dir.join(format!("{name}.png"));
        let png = giayto_qr::render_png(&issued.text, &RenderOptions::default())
            .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
        write_atomic(&png_path, &png)?;
        write_atomic(
            &dir.join(format!("{name}.txt")),
            format!("{}\n", issued.text).as_bytes(),
        )?;
        issued_all.push((*doc_type, name.clone(), issued, png_path, png));
    }
    let revoked_serial = issued_all
        .last()
        .map(|(_, _, i, _, _)| i.serial.clone())
        .ok_or(Failure::new("error-sign"))?;
    // The traffic police revoke the registration of the vehicle since sold.
    let (_, _, traffic_police) = opened
        .iter_mut()
        .find(|(types, _, _)| types.contains(&DocType::Vehicle))
        .ok_or(Failure::new("error-sign"))?;
    traffic_police
        .change_status(
            &Target::Serial(revoked_serial.clone()),
            Action::Revoke,
            "Xe đã bán, chủ mới đăng ký lại",
            t,
        )
        .map_err(|e| issuer_failure(&e))?;
    // Each authority signs and publishes its own status lists.
    let status_dir = dir.join("status");
    std::fs::create_dir_all(&status_dir).map_err(|e| io_failure(&status_dir, &e))?;
    let mut tokens = Vec::new();
    for (_, meta, issuer) in &mut opened {
        for l in issuer
            .publish(t, 7 * 86_400, Some(86_400))
            .map_err(|e| issuer_failure(&e))?
        {
            write_atomic(
                &status_dir.join(super::status::list_file_name(&meta.id, l.list)),
                &l.token,
            )?;
            tokens.push(l.token);
        }
    }
    let bundle_path = dir.join("offline.bundle");
    let bundle = Bundle {
        created_at: t,
        trust_list: trust_bytes.clone(),
        status_lists: tokens,
    };
    write_atomic(&bundle_path, &bundle.to_bytes())?;
    say(
        "demo-revoked",
        &[
            ("serial", giayto_verify::hex_lower(&revoked_serial)),
            ("bundle", bundle_path.display().to_string()),
        ],
    );
    // From here on, only what an offline checkpoint device has: the root key and the bundle.
    let verifier = Verifier::from_bundle(root_key.verifying_key(), &bundle).map_err(|e| {
        Failure::new("error-bundle")
            .arg("path", bundle_path.display())
            .arg("detail", e)
    })?;

    let mut results = Vec::new();
    let mut all_as_expected = true;
    for (doc_type, name, issued, png_path, png) in &issued_all {
        // Verify what a scanner reads back from the PNG, not the text we already have.
        let scanned = giayto_qr::decode_image_bytes(png).map_err(|e| {
            Failure::new("error-image")
                .arg("path", png_path.display())
                .arg("detail", e)
        })?;
        let code = scanned
            .into_iter()
            .next()
            .ok_or_else(|| Failure::new("error-no-qr-found").arg("path", png_path.display()))?;
        let report = verifier.check(&code, now());
        let expected = if issued.serial == revoked_serial {
            Verdict::Revoked
        } else {
            Verdict::Valid
        };
        all_as_expected &= report.verdict() == expected;
        let version = giayto_qr::qr_version(&issued.text, EccLevel::Q).unwrap_or(0);
        if out.json {
            let mut v = to_json(&report, None);
            if let Some(o) = v.as_object_mut() {
                o.insert("name".into(), json!(name));
                o.insert("png".into(), json!(png_path));
                o.insert("chars".into(), json!(issued.text.len()));
                o.insert("qr_version".into(), json!(version));
            }
            results.push(v);
        } else {
            crate::outln!();
            say(
                "demo-issued",
                &[
                    ("doctype", tr(&format!("doc-{}", doc_type.as_str()))),
                    ("chars", issued.text.len().to_string()),
                    ("version", version.to_string()),
                    ("path", png_path.display().to_string()),
                ],
            );
            if !a.no_terminal_qr {
                let style = super::qr::terminal_style();
                if let Ok(qr) = giayto_qr::render_terminal(&issued.text, EccLevel::Q, style) {
                    crate::out!("{qr}");
                }
            }
            crate::out!("{}", to_human(&report));
        }
    }
    if out.json {
        print_json(&json!({
            "dir": dir,
            "root_pub": root_dir.join("root.pub"),
            "trust_list": trust_path,
            "bundle": bundle_path,
            "revoked_serial": giayto_verify::hex_lower(&revoked_serial),
            "passphrase": DEMO_PASSPHRASE,
            "credentials": results,
        }));
    } else {
        crate::outln!();
        say(
            "demo-end",
            &[
                ("path", dir.display().to_string()),
                ("pass", DEMO_PASSPHRASE.to_owned()),
                ("root", root_dir.join("root.pub").display().to_string()),
                ("bundle", bundle_path.display().to_string()),
                ("png", dir.join("gplx.png").display().to_string()),
                (
                    "revoked",
                    dir.join("vehicle-sold.png").display().to_string(),
                ),
            ],
        );
    }
    Ok(if all_as_expected {
        EXIT_OK
    } else {
        EXIT_INVALID
    })
}
