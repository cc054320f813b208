//! Render and scan giayto credential QR codes.
//!
//! A giayto credential travels as a QR code whose text is `VN1:` (or `VP1:` for a holder
//! presentation) followed by base45 — every character in the QR alphanumeric set, so the symbol
//! is encoded in alphanumeric mode at error-correction level Q by default, in the smallest
//! version that fits (docs/format.md §5.7).
//!
//! * Rendering: [`render_png`] (1-bit greyscale, optional `pHYs` DPI), [`render_svg`] (one
//!   `<path>`), [`render_terminal`] (Unicode half blocks, ANSI colours or plain), and
//!   [`qr_version`] to report the size.
//! * Scanning: [`decode_image_bytes`] for PNG/JPEG files from users (every size bounded before
//!   pixels are decoded), [`decode_image`] for an image already in memory, and [`scan_with`] to
//!   run a chosen list of [`Pass`]es and learn which one succeeded. Photos from a phone camera
//!   are handled by retrying with preprocessing (inversion, adaptive threshold, blur, rescaling)
//!   when the plain pass finds nothing.
//!
//! No function of this crate panics on any input.
//!
//! ```
//! use giayto_qr::{decode_image_bytes, qr_version, render_png, EccLevel, RenderOptions};
//!
//! let text = "VN1:6BFOXN*TS0BI$ZDFRH%";
//! let opts = RenderOptions { ecc: EccLevel::Q, ..RenderOptions::default() };
//! let png = render_png(text, &opts)?;
//! assert!(giayto_qr::is_image(&png));
//! assert_eq!(qr_version(text, EccLevel::Q)?, 2);
//!
//! let texts = decode_image_bytes(&png)?;
//! assert_eq!(texts, [text]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "card")]
mod card;
mod encode;
mod error;
mod render;
mod scan;

pub use crate::encode::{
    is_qr_alphanumeric, modules_per_side, qr_version, EccLevel, MAX_VERSION, MIN_VERSION,
};
pub use crate::error::{ImageKind, ParseEccLevelError, QrError, ScanError};
pub use crate::render::{
    render_png, render_svg, render_terminal, RenderOptions, TerminalStyle, DPI_RANGE,
    MAX_RENDER_SIDE, MODULE_PX_RANGE, QUIET_ZONE_RANGE, TERMINAL_QUIET_ZONE,
};
pub use crate::scan::{
    decode_image, decode_image_bytes, is_image, scan_with, Pass, ScanReport, Tone, Work,
    DEFAULT_PASSES, MAX_FILE_BYTES, MAX_FINDER_CANDIDATES, MAX_GRID_ATTEMPTS, MAX_IMAGE_PIXELS,
    MAX_IMAGE_SIDE, MAX_SCAN_PIXEL_WORK, MAX_UPSCALED_PIXELS, MAX_WORK_PIXELS, MIN_WORK_SIDE,
};

#[cfg(feature = "card")]
pub use crate::card::{
    render_card, render_card_pdf, render_card_png, CardContent, CARD_DPI, CARD_HEIGHT_MM,
    CARD_WIDTH_MM, MAX_CARD_LINE,
};

/// The `image` crate this API is built on ([`decode_image`] takes its `DynamicImage`).
pub use image;
