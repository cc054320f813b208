//! SVG output: a white background rectangle and one `<path>` for all dark modules.

use std::fmt::Write as _;

use super::RenderOptions;
use crate::encode::encode;
use crate::error::QrError;

/// Renders `text` as a compact SVG document.
///
/// The `viewBox` counts modules (`0 0 N N` with `N = 17 + 4·version + 2·quiet_zone`), the
/// `width`/`height` are `N · module_px`, a white `<rect>` fills the background and a single
/// `<path>` draws every horizontal run of dark modules. `shape-rendering="crispEdges"` keeps
/// module edges sharp at any scale. [`RenderOptions::dpi`] is ignored (SVG is scalable).
///
/// # Errors
///
/// [`QrError::TooLong`] if the text does not fit, [`QrError::InvalidOption`] for an option out
/// of range.
pub fn render_svg(text: &str, opts: &RenderOptions) -> Result<String, QrError> {
    opts.validate()?;
    let matrix = encode(text, opts.ecc)?;
    let n = opts.total_modules(matrix.width);
    let px = n * u64::from(opts.module_px);
    let q = opts.quiet_zone as usize;

    let mut d = String::with_capacity(matrix.width * matrix.width * 3);
    for y in 0..matrix.width {
        let mut x = 0;
        while x < matrix.width {
            if !matrix.is_dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < matrix.width && matrix.is_dark(x, y) {
                x += 1;
            }
            let len = x - start;
            // Writing to a String cannot fail.
            let _ = write!(d, "M{} {}h{}v1h-{}z", start + q, y + q, len, len);
        }
    }

    let mut svg = String::with_capacity(d.len() + 320);
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 {n} {n}\" \
         width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{d}\"/></svg>"
    );
    Ok(svg)
}
