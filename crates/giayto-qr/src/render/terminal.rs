//! Terminal output with Unicode half blocks.

use crate::encode::{encode, EccLevel};
use crate::error::QrError;

/// Quiet zone drawn around a terminal QR code, in modules (the QR minimum).
pub const TERMINAL_QUIET_ZONE: usize = 4;

/// How [`render_terminal`] colours its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TerminalStyle {
    /// Forces black modules on a white background with ANSI colour codes, so the code also
    /// scans in a terminal with a dark theme.
    #[default]
    Ansi,
    /// No escape codes (for logs and tests): a dark module is a block glyph, a light one a
    /// space. Scans only where the terminal draws glyphs dark on a light background.
    Plain,
}

/// Black foreground (30) on bright white background (107).
const ANSI_START: &str = "\x1b[30;107m";
const ANSI_RESET: &str = "\x1b[0m";

/// Renders `text` for a terminal: each text line shows two module rows with the half blocks
/// `▀ ▄ █` and space, quiet zone of [`TERMINAL_QUIET_ZONE`] modules included.
///
/// The output has `ceil(N / 2)` lines of `N` glyphs each (`N = 17 + 4·version + 8`), every line
/// ending in `\n`; with [`TerminalStyle::Ansi`] each line is wrapped in colour codes.
///
/// # Errors
///
/// [`QrError::TooLong`] if the text does not fit.
pub fn render_terminal(text: &str, ecc: EccLevel, style: TerminalStyle) -> Result<String, QrError> {
    let matrix = encode(text, ecc)?;
    let q = TERMINAL_QUIET_ZONE;
    let n = matrix.width + 2 * q;
    let dark = |x: usize, y: usize| -> bool {
        x >= q
            && y >= q
            && x - q < matrix.width
            && y - q < matrix.width
            && matrix.is_dark(x - q, y - q)
    };
    let lines = n.div_ceil(2);
    let per_line = n * 3 + ANSI_START.len() + ANSI_RESET.len() + 1;
    let mut out = String::with_capacity(lines * per_line);
    for line in 0..lines {
        if style == TerminalStyle::Ansi {
            out.push_str(ANSI_START);
        }
        let (top, bottom) = (2 * line, 2 * line + 1);
        for x in 0..n {
            out.push(match (dark(x, top), dark(x, bottom)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if style == TerminalStyle::Ansi {
            out.push_str(ANSI_RESET);
        }
        out.push('\n');
    }
    Ok(out)
}
