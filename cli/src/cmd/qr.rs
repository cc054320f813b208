//! `giayto qr …`: render and read QR codes.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use giayto_qr::{EccLevel, RenderOptions, TerminalStyle};
use serde_json::json;

use super::{check_parent, print_json, write_atomic};
use crate::failure::{CmdResult, Failure, EXIT_OK};
use crate::input::{codes_from_input, read_file, MAX_INPUT};
use crate::Out;

#[derive(Subcommand, Debug)]
pub enum QrCommand {
    /// Render a text as a QR code: PNG, SVG or in the terminal.
    Render(RenderArgs),
    /// Read the QR code(s) in an image and print their text.
    Decode(DecodeArgs),
    /// Make a printable A6 card (PNG or PDF) with the code, document type and holder's name.
    Card(CardArgs),
}

#[derive(Args, Debug)]
pub struct CardArgs {
    /// The credential: QR text, @file, an image of the code, or - for stdin.
    pub input: String,
    /// Output file: .png (300 dpi) or .pdf (one A6 page).
    #[arg(long)]
    pub out: PathBuf,
    /// Error correction: M, Q or H (L also accepted).
    #[arg(long, default_value = "Q")]
    pub ecc: String,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// The text, @file, or - for stdin.
    pub input: String,
    /// Output file: .png or .svg.
    #[arg(long, required_unless_present = "terminal")]
    pub out: Option<PathBuf>,
    /// Draw in the terminal.
    #[arg(long)]
    pub terminal: bool,
    /// Error correction: M, Q or H (L also accepted).
    #[arg(long, default_value = "Q")]
    pub ecc: String,
    /// Pixels per module (PNG).
    #[arg(long, default_value_t = 8)]
    pub module_px: u32,
    /// Resolution to record in the PNG, for printing.
    #[arg(long)]
    pub dpi: Option<u32>,
}

#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// The image file (PNG or JPEG), or - for stdin.
    pub image: String,
}

/// ANSI colours (dark-on-light forced) when stdout is a terminal, plain blocks otherwise.
pub fn terminal_style() -> TerminalStyle {
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        TerminalStyle::Ansi
    } else {
        TerminalStyle::Plain
    }
}

pub fn run(cmd: QrCommand, out: Out) -> CmdResult {
    match cmd {
        QrCommand::Render(a) => render(&a, out),
        QrCommand::Decode(a) => decode(&a, out),
        QrCommand::Card(a) => card(&a, out),
    }
}

fn render(a: &RenderArgs, out: Out) -> CmdResult {
    let ecc: EccLevel = a
        .ecc
        .parse()
        .map_err(|_| Failure::new("error-bad-ecc").arg("value", &a.ecc))?;
    let text = codes_from_input(&a.input)?.join("\n");
    let opts = RenderOptions {
        ecc,
        module_px: a.module_px.clamp(1, 64),
        dpi: a.dpi,
        ..RenderOptions::default()
    };
    let fail = |e: giayto_qr::QrError| Failure::new("error-qr-render").arg("detail", e);
    let version = giayto_qr::qr_version(&text, ecc).map_err(fail)?;
    if a.terminal {
        let style = terminal_style();
        crate::out!(
            "{}",
            giayto_qr::render_terminal(&text, ecc, style).map_err(fail)?
        );
    }
    if let Some(path) = &a.out {
        check_parent(path)?;
        let name = path.to_string_lossy().to_ascii_lowercase();
        let bytes = if name.ends_with(".svg") {
            giayto_qr::render_svg(&text, &opts)
                .map_err(fail)?
                .into_bytes()
        } else if name.ends_with(".png") {
            giayto_qr::render_png(&text, &opts).map_err(fail)?
        } else {
            return Err(Failure::new("error-bad-image-ext").arg("path", path.display()));
        };
        write_atomic(path, &bytes)?;
    }
    if out.json {
        print_json(
            &json!({ "version": version, "ecc": a.ecc.to_ascii_uppercase(), "chars": text.len(), "out": a.out }),
        );
    }
    Ok(EXIT_OK)
}

fn decode(a: &DecodeArgs, out: Out) -> CmdResult {
    let bytes = if a.image == "-" {
        crate::input::read_stdin(MAX_INPUT)?
    } else {
        read_file(std::path::Path::new(&a.image), MAX_INPUT)?
    };
    if !giayto_qr::is_image(&bytes) {
        return Err(Failure::new("error-not-image").arg("path", &a.image));
    }
    let codes = giayto_qr::decode_image_bytes(&bytes).map_err(|e| {
        Failure::new("error-image")
            .arg("path", &a.image)
            .arg("detail", e)
    })?;
    if codes.is_empty() {
        return Err(Failure::new("error-no-qr-found").arg("path", &a.image));
    }
    if out.json {
        print_json(&json!({ "codes": codes }));
    } else {
        for c in codes {
            crate::outln!("{c}");
        }
    }
    Ok(EXIT_OK)
}

/// The document's name for the card: Vietnamese heading, English subheading. An identity
/// card says which generation it is: the 2024 card is the thẻ căn cước.
fn card_titles(document: &giayto_model::Document) -> (&'static str, &'static str) {
    use giayto_model::{CardGeneration, Document};
    match document {
        Document::Cccd(c) if c.card_generation == CardGeneration::CanCuoc2024 => {
            ("CĂN CƯỚC", "Identity card")
        }
        Document::Cccd(_) => ("CĂN CƯỚC CÔNG DÂN", "Citizen identity card"),
        Document::Gplx(_) => ("GIẤY PHÉP LÁI XE", "Driving licence"),
        Document::Vehicle(_) => (
            "GIẤY CHỨNG NHẬN ĐĂNG KÝ XE",
            "Vehicle registration certificate",
        ),
        Document::Bhyt(_) => ("THẺ BẢO HIỂM Y TẾ", "Health insurance card"),
        Document::Bhxh(_) => ("SỔ BẢO HIỂM XÃ HỘI", "Social insurance book"),
    }
}

/// Small print of every card: what the code is for, and nothing the card cannot know (the
/// card is made without checking the signature, so it does not say the credential is valid).
pub const CARD_FOOTER: &str =
    "Quét mã QR để kiểm tra chữ ký số · Scan the QR code to check the signature";

/// The document a credential text says, read without verifying it: a card shows what the
/// code carries; only a verifier can say whether it is genuine.
fn read_unverified(text: &str) -> Result<giayto_model::Document, String> {
    use giayto_cose::claims::CredentialClaims;
    use giayto_cose::sign1::Sign1;
    use giayto_cose::text::{decode, Kind};
    let (kind, cose) = decode(text, &[]).map_err(|e| e.to_string())?;
    if kind != Kind::Credential {
        return Err("a presentation (VP1:), not a credential (VN1:)".into());
    }
    let signed = Sign1::parse(&cose, giayto_cose::CREDENTIAL_TYP).map_err(|e| e.to_string())?;
    let claims = CredentialClaims::from_bytes(signed.payload()).map_err(|e| e.to_string())?;
    let doc_type = giayto_model::DocType::from_code(claims.document.doc_type)
        .ok_or_else(|| format!("unknown document type {}", claims.document.doc_type))?;
    giayto_model::Document::from_cbor_schema(
        doc_type,
        claims.document.schema_version,
        &claims.document.fields,
    )
    .map_err(|e| e.to_string())
}

fn card(a: &CardArgs, out: Out) -> CmdResult {
    let ecc: EccLevel = a
        .ecc
        .parse()
        .map_err(|_| Failure::new("error-bad-ecc").arg("value", &a.ecc))?;
    let name = a.out.to_string_lossy().to_ascii_lowercase();
    let pdf = if name.ends_with(".pdf") {
        true
    } else if name.ends_with(".png") {
        false
    } else {
        return Err(Failure::new("error-card-ext").arg("path", a.out.display()));
    };
    let codes = codes_from_input(&a.input)?;
    let text = codes.first().map(String::as_str).unwrap_or_default();
    let document = read_unverified(text)
        .map_err(|detail| Failure::new("error-card-not-credential").arg("detail", detail))?;
    let (doc_type, holder) = (document.doc_type(), document.holder_name().to_owned());
    let (heading, subheading) = card_titles(&document);
    let content = giayto_qr::CardContent {
        qr_text: text,
        ecc,
        heading,
        subheading,
        name: &holder,
        footer: CARD_FOOTER,
    };
    let fail = |e: giayto_qr::QrError| Failure::new("error-qr-render").arg("detail", e);
    check_parent(&a.out)?;
    let bytes = if pdf {
        giayto_qr::render_card_pdf(&content, &format!("{heading} — {holder}")).map_err(fail)?
    } else {
        giayto_qr::render_card_png(&content).map_err(fail)?
    };
    write_atomic(&a.out, &bytes)?;
    if out.json {
        print_json(&json!({
            "out": a.out,
            "doc_type": doc_type.as_str(),
            "name": holder,
            "format": if pdf { "pdf" } else { "png" },
            "width_mm": giayto_qr::CARD_WIDTH_MM,
            "height_mm": giayto_qr::CARD_HEIGHT_MM,
        }));
    } else {
        crate::outln!(
            "{}",
            crate::i18n::tr_args("card-done", &[("path", a.out.display().to_string())])
        );
    }
    Ok(EXIT_OK)
}
