//! Rendering a QR text to PNG, SVG and terminal text.

mod png;
mod svg;
mod terminal;

pub use self::png::render_png;
pub use self::svg::render_svg;
pub use self::terminal::{render_terminal, TerminalStyle, TERMINAL_QUIET_ZONE};

use crate::encode::EccLevel;
use crate::error::QrError;

/// Largest side of a rendered raster image, in pixels (the scanner accepts the same).
pub const MAX_RENDER_SIDE: u32 = 16_384;
/// Accepted range of [`RenderOptions::module_px`].
pub const MODULE_PX_RANGE: (u32, u32) = (1, 1024);
/// Accepted range of [`RenderOptions::quiet_zone`], in modules. The QR standard asks for at
/// least 4; less is allowed for layouts that keep a margin of their own.
pub const QUIET_ZONE_RANGE: (u32, u32) = (0, 100);
/// Accepted range of [`RenderOptions::dpi`].
pub const DPI_RANGE: (u32, u32) = (1, 100_000);

/// How to draw a QR symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// Error-correction level (default [`EccLevel::Q`], as docs/format.md §5.7 asks).
    pub ecc: EccLevel,
    /// Side of one module in pixels (PNG) or user units (SVG width/height). Default 8.
    pub module_px: u32,
    /// Width of the light margin around the symbol, in modules. Default 4 (the QR minimum).
    pub quiet_zone: u32,
    /// Print resolution written into the PNG `pHYs` chunk when set (as pixels per metre).
    pub dpi: Option<u32>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            ecc: EccLevel::Q,
            module_px: 8,
            quiet_zone: 4,
            dpi: None,
        }
    }
}

fn check_range(field: &'static str, value: u32, (min, max): (u32, u32)) -> Result<(), QrError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(QrError::InvalidOption {
            field,
            value,
            min,
            max,
        })
    }
}

impl RenderOptions {
    /// Checks every field against its accepted range.
    ///
    /// # Errors
    ///
    /// [`QrError::InvalidOption`] naming the first field out of range.
    pub fn validate(&self) -> Result<(), QrError> {
        check_range("module_px", self.module_px, MODULE_PX_RANGE)?;
        check_range("quiet_zone", self.quiet_zone, QUIET_ZONE_RANGE)?;
        if let Some(dpi) = self.dpi {
            check_range("dpi", dpi, DPI_RANGE)?;
        }
        Ok(())
    }

    /// Side of the symbol including the quiet zone, in modules.
    fn total_modules(&self, width: usize) -> u64 {
        width as u64 + 2 * u64::from(self.quiet_zone)
    }
}
