//! Error types of the crate.

use std::fmt;

use crate::EccLevel;

/// Why a QR code could not be rendered.
#[derive(Debug)]
#[non_exhaustive]
pub enum QrError {
    /// The text does not fit in a QR code of version 40 at this error-correction level.
    TooLong {
        /// Length of the text, in bytes.
        len: usize,
        /// Error-correction level that was asked for.
        ecc: EccLevel,
        /// Data bits the text needs in the chosen encoding.
        needed_bits: usize,
        /// Data bits a version 40 symbol holds at `ecc`.
        capacity_bits: usize,
    },
    /// A rendering option is out of range.
    InvalidOption {
        /// Name of the `RenderOptions` field.
        field: &'static str,
        /// The value given.
        value: u32,
        /// Smallest accepted value.
        min: u32,
        /// Largest accepted value.
        max: u32,
    },
    /// The rendered image would be larger than the renderer allows.
    ImageTooLarge {
        /// Side of the square image that was asked for, in pixels.
        side: u64,
        /// Largest side allowed, in pixels.
        max_side: u32,
    },
    /// The QR encoder refused the data (an internal inconsistency, reported instead of a panic).
    Encoder {
        /// What the encoder was doing.
        step: &'static str,
    },
    /// Writing the PNG stream failed.
    PngEncode {
        /// The underlying error of the PNG encoder.
        source: std::io::Error,
    },
    /// The embedded card font could not be read (an internal inconsistency).
    Font,
    /// A line of text for a printed card is too long.
    CardTextTooLong {
        /// Which line.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The longest accepted.
        max: usize,
    },
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QrError::TooLong {
                len,
                ecc,
                needed_bits,
                capacity_bits,
            } => write!(
                f,
                "text of {len} bytes needs {needed_bits} data bits, more than a version 40 QR code \
                 holds at ECC {ecc} ({capacity_bits} bits)"
            ),
            QrError::InvalidOption {
                field,
                value,
                min,
                max,
            } => write!(
                f,
                "render option {field} = {value} is outside {min}..={max}"
            ),
            QrError::ImageTooLarge { side, max_side } => write!(
                f,
                "rendered image would be {side} px a side, more than the {max_side} px allowed"
            ),
            QrError::Encoder { step } => write!(f, "QR encoder failed while {step}"),
            QrError::PngEncode { source } => write!(f, "PNG encoding failed: {source}"),
            QrError::Font => write!(f, "the embedded card font could not be read"),
            QrError::CardTextTooLong { field, len, max } => write!(
                f,
                "card {field} of {len} characters is longer than the {max} allowed"
            ),
        }
    }
}

impl std::error::Error for QrError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            QrError::PngEncode { source } => Some(source),
            _ => None,
        }
    }
}

/// Error returned when parsing an [`EccLevel`] from text fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseEccLevelError;

impl fmt::Display for ParseEccLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown QR error-correction level; expected one of L, M, Q, H")
    }
}

impl std::error::Error for ParseEccLevelError {}

/// The image container formats the scanner reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageKind {
    /// PNG (signature `89 50 4E 47 0D 0A 1A 0A`).
    Png,
    /// JPEG (signature `FF D8 FF`).
    Jpeg,
}

impl fmt::Display for ImageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImageKind::Png => "PNG",
            ImageKind::Jpeg => "JPEG",
        })
    }
}

/// Why an image file could not be scanned.
///
/// "The image was read but holds no QR code" is not an error: the scan functions return an
/// empty list then.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScanError {
    /// The input is empty.
    Empty,
    /// The input is larger than the scanner accepts.
    FileTooLarge {
        /// Size of the input, in bytes.
        len: usize,
        /// Largest accepted size, in bytes.
        max: usize,
    },
    /// The input starts with neither a PNG nor a JPEG signature.
    UnsupportedFormat,
    /// The image header announces more pixels than the scanner accepts; no pixel was decoded.
    ImageTooLarge {
        /// Width announced by the header.
        width: u32,
        /// Height announced by the header.
        height: u32,
        /// Largest accepted side, in pixels.
        max_side: u32,
        /// Largest accepted pixel count.
        max_pixels: u64,
    },
    /// The image decoder stopped at one of its resource limits (dimensions or memory).
    LimitExceeded {
        /// Format of the image.
        format: ImageKind,
    },
    /// The image data is malformed, truncated or uses a feature the decoder does not support.
    Malformed {
        /// Format the signature announced.
        format: ImageKind,
        /// The underlying decoder error.
        source: image::ImageError,
    },
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::Empty => f.write_str("the image file is empty"),
            ScanError::FileTooLarge { len, max } => {
                write!(
                    f,
                    "image file of {len} bytes is larger than the {max} bytes allowed"
                )
            }
            ScanError::UnsupportedFormat => f.write_str("not a PNG or JPEG image"),
            ScanError::ImageTooLarge {
                width,
                height,
                max_side,
                max_pixels,
            } => write!(
                f,
                "image of {width}x{height} px is too large (at most {max_side} px a side and \
                 {max_pixels} pixels)"
            ),
            ScanError::LimitExceeded { format } => {
                write!(
                    f,
                    "{format} image exceeds the decoder's size or memory limits"
                )
            }
            ScanError::Malformed { format, source } => {
                write!(f, "malformed {format} image: {source}")
            }
        }
    }
}

impl std::error::Error for ScanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScanError::Malformed { source, .. } => Some(source),
            _ => None,
        }
    }
}
