//! PNG output: 1-bit greyscale, black modules on white, optional `pHYs`.

use super::{RenderOptions, MAX_RENDER_SIDE};
use crate::encode::encode;
use crate::error::QrError;

/// Renders `text` as a PNG image: 1-bit greyscale, black modules on white, with the quiet zone.
///
/// The image is `(17 + 4·version + 2·quiet_zone) · module_px` pixels a side. When
/// [`RenderOptions::dpi`] is set it is written into the `pHYs` chunk so print layouts get the
/// intended physical size.
///
/// # Errors
///
/// [`QrError::TooLong`] if the text does not fit, [`QrError::InvalidOption`] for an option out
/// of range, [`QrError::ImageTooLarge`] if the image would exceed
/// [`MAX_RENDER_SIDE`](crate::MAX_RENDER_SIDE) pixels a side.
pub fn render_png(text: &str, opts: &RenderOptions) -> Result<Vec<u8>, QrError> {
    opts.validate()?;
    let matrix = encode(text, opts.ecc)?;
    let side = opts.total_modules(matrix.width) * u64::from(opts.module_px);
    if side > u64::from(MAX_RENDER_SIDE) {
        return Err(QrError::ImageTooLarge {
            side,
            max_side: MAX_RENDER_SIDE,
        });
    }
    // Both fit in u32/usize: side <= MAX_RENDER_SIDE.
    let side_px = side as u32;
    let side_usize = side as usize;
    let row_bytes = side_usize.div_ceil(8);
    let quiet = opts.quiet_zone as usize;
    let module_px = opts.module_px as usize;

    // 1-bit greyscale: bit 1 = white, 0 = black, most significant bit first.
    let mut data = vec![0xFFu8; row_bytes * side_usize];
    for my in 0..matrix.width {
        let py0 = (my + quiet) * module_px;
        let first_row = py0 * row_bytes;
        {
            let row = &mut data[first_row..first_row + row_bytes];
            for mx in 0..matrix.width {
                if matrix.is_dark(mx, my) {
                    let px0 = (mx + quiet) * module_px;
                    for px in px0..px0 + module_px {
                        row[px / 8] &= !(0x80u8 >> (px % 8));
                    }
                }
            }
        }
        for k in 1..module_px {
            let dst = first_row + k * row_bytes;
            data.copy_within(first_row..first_row + row_bytes, dst);
        }
    }

    let mut out = Vec::with_capacity(data.len() / 8 + 256);
    {
        let mut encoder = png::Encoder::new(&mut out, side_px, side_px);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        encoder.set_compression(png::Compression::Balanced);
        if let Some(dpi) = opts.dpi {
            // pixels per metre = dpi / 0.0254, rounded.
            let ppm = ((u64::from(dpi) * 10_000 + 127) / 254) as u32;
            encoder.set_pixel_dims(Some(png::PixelDimensions {
                xppu: ppm,
                yppu: ppm,
                unit: png::Unit::Meter,
            }));
        }
        let png_err = |e: png::EncodingError| QrError::PngEncode { source: e.into() };
        let mut writer = encoder.write_header().map_err(png_err)?;
        writer.write_image_data(&data).map_err(png_err)?;
        writer.finish().map_err(png_err)?;
    }
    Ok(out)
}
