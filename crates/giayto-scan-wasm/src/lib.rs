//! The giayto QR scanner for web pages and Node, through wasm-bindgen: a module of its own,
//! apart from the verifier (`giayto-verify-wasm`), so that a page's first load carries no image
//! decoder (docs/decisions.md D175). [`decode_image`] and [`decode_rgba`] run the `giayto-qr`
//! scanner (rqrr and rxing) inside WASM, so a camera frame or a picked file never leaves the
//! page. The web page loads this module the first time a photo or the camera is used, and only
//! where the browser has no `BarcodeDetector` for QR codes or that detector found nothing.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use wasm_bindgen::prelude::*;

/// Every QR text found in an image file's bytes (PNG or JPEG), decoded in WASM.
#[wasm_bindgen(js_name = decodeImage)]
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, JsError> {
    giayto_qr::decode_image_bytes(bytes).map_err(|e| JsError::new(&e.to_string()))
}

/// Every QR text found in RGBA pixels (a canvas `ImageData`: `data`, `width`, `height`).
#[wasm_bindgen(js_name = decodeRgba)]
pub fn decode_rgba(data: &[u8], width: u32, height: u32) -> Result<Vec<String>, JsError> {
    decode_rgba_pixels(data, width, height).map_err(|e| JsError::new(&e))
}

/// [`decode_rgba`] for Rust callers: dimensions checked against the scanner's caps before any
/// copy.
pub fn decode_rgba_pixels(data: &[u8], width: u32, height: u32) -> Result<Vec<String>, String> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0
        || height == 0
        || width > giayto_qr::MAX_IMAGE_SIDE
        || height > giayto_qr::MAX_IMAGE_SIDE
        || pixels > giayto_qr::MAX_IMAGE_PIXELS
    {
        return Err("image: size out of range".into());
    }
    if data.len() as u64 != pixels * 4 {
        return Err("image: data is not width × height RGBA".into());
    }
    let img = giayto_qr::image::RgbaImage::from_raw(width, height, data.to_vec())
        .ok_or_else(|| "image: data is not width × height RGBA".to_owned())?;
    Ok(giayto_qr::decode_image(
        &giayto_qr::image::DynamicImage::ImageRgba8(img),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_dimensions_are_checked_before_copying() {
        assert!(decode_rgba_pixels(&[0; 16], 2, 2).unwrap().is_empty());
        assert!(decode_rgba_pixels(&[0; 15], 2, 2).is_err());
        assert!(decode_rgba_pixels(&[], 0, 0).is_err());
        assert!(decode_rgba_pixels(&[0; 16], u32::MAX, u32::MAX).is_err());
    }

    #[test]
    fn a_rendered_code_is_read_back_from_rgba_pixels() {
        let text = "VN1:GIAYTO-SCAN-WASM-TEST";
        let png = giayto_qr::render_png(text, &giayto_qr::RenderOptions::default()).unwrap();
        let rgba = giayto_qr::image::load_from_memory(&png).unwrap().to_rgba8();
        let (w, h) = rgba.dimensions();
        let found = decode_rgba_pixels(rgba.as_raw(), w, h).unwrap();
        assert_eq!(found, vec![text.to_owned()]);
        assert_eq!(decode_image(&png).ok(), Some(vec![text.to_owned()]));
    }
}
