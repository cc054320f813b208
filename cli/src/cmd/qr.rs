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
    /// Error correction: M or Q (L and H also accepted).
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
        print!(
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
            println!("{c}");
        }
    }
    Ok(EXIT_OK)
}
