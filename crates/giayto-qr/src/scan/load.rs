//! Reading an image file's bytes with every size bounded before pixels are decoded.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::error::{ImageKind, ScanError};

/// Largest image file accepted, in bytes (32 MiB).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// Largest image side accepted, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 16_384;
/// Largest image accepted, in pixels (40 megapixels).
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;
/// Largest decoded buffer accepted, in bytes: 40 MP of RGBA with 16-bit channels.
const MAX_DECODED_BYTES: u64 = MAX_IMAGE_PIXELS * 8;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_SIGNATURE: &[u8] = b"\xff\xd8\xff";

/// The image format announced by the first bytes, if it is one the scanner reads.
pub fn sniff(bytes: &[u8]) -> Option<ImageKind> {
    if bytes.starts_with(PNG_SIGNATURE) {
        Some(ImageKind::Png)
    } else if bytes.starts_with(JPEG_SIGNATURE) {
        Some(ImageKind::Jpeg)
    } else {
        None
    }
}

/// True if `bytes` start with a PNG or JPEG signature.
///
/// The CLI uses this to tell an image file from a text file; it reads nothing past the
/// signature, so a `true` does not promise the rest of the file is sound.
///
/// ```
/// assert!(giayto_qr::is_image(b"\x89PNG\r\n\x1a\n...."));
/// assert!(!giayto_qr::is_image(b"VN1:6BFOXN*TS0BI$ZD"));
/// ```
pub fn is_image(bytes: &[u8]) -> bool {
    sniff(bytes).is_some()
}

/// Width and height from a PNG's IHDR chunk, read before any decoder runs.
fn png_header_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    // signature (8) | length (4) | "IHDR" (4) | width (4) | height (4)
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

fn check_dimensions(width: u32, height: u32) -> Result<(), ScanError> {
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(ScanError::ImageTooLarge {
            width,
            height,
            max_side: MAX_IMAGE_SIDE,
            max_pixels: MAX_IMAGE_PIXELS,
        });
    }
    Ok(())
}

fn map_image_error(format: ImageKind, e: ImageError) -> ScanError {
    match e {
        ImageError::Limits(_) => ScanError::LimitExceeded { format },
        source => ScanError::Malformed { format, source },
    }
}

/// Decodes a PNG or JPEG file into pixels, refusing oversized input before decoding pixels.
pub fn load(bytes: &[u8]) -> Result<DynamicImage, ScanError> {
    if bytes.is_empty() {
        return Err(ScanError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ScanError::FileTooLarge {
            len: bytes.len(),
            max: MAX_FILE_BYTES,
        });
    }
    let kind = sniff(bytes).ok_or(ScanError::UnsupportedFormat)?;
    if kind == ImageKind::Png {
        if let Some((w, h)) = png_header_dimensions(bytes) {
            check_dimensions(w, h)?;
        }
    }
    let format = match kind {
        ImageKind::Png => ImageFormat::Png,
        ImageKind::Jpeg => ImageFormat::Jpeg,
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES + 64 * 1024 * 1024);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    // Reads the header only; the decoder has checked width/height against the limits.
    let decoder = reader
        .into_decoder()
        .map_err(|e| map_image_error(kind, e))?;
    let (w, h) = decoder.dimensions();
    check_dimensions(w, h)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(ScanError::ImageTooLarge {
            width: w,
            height: h,
            max_side: MAX_IMAGE_SIDE,
            max_pixels: MAX_IMAGE_PIXELS,
        });
    }
    DynamicImage::from_decoder(decoder).map_err(|e| map_image_error(kind, e))
}
