//! A printable card (ISO A6, 105 × 148 mm, portrait) with the QR code, a heading and the
//! holder's name, as a PNG at 300 dpi or as a one-page PDF holding that raster.
//!
//! Text is drawn with DejaVu Sans (from the `dejavu` crate; Bitstream Vera licence with DejaVu
//! changes in the public domain), which has every precomposed Vietnamese letter, rasterised by
//! `ab_glyph`. The PDF is written with `pdf-writer`: a raster page is exactly what the PNG
//! shows, prints the same from any viewer, and needs no font embedding or subsetting.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use image::{GrayImage, Luma};

use crate::encode::encode;
use crate::error::QrError;
use crate::EccLevel;

/// Card width in millimetres (ISO A6).
pub const CARD_WIDTH_MM: f32 = 105.0;
/// Card height in millimetres (ISO A6).
pub const CARD_HEIGHT_MM: f32 = 148.0;
/// Resolution of the card raster.
pub const CARD_DPI: u32 = 300;
/// Longest heading, name or footer line accepted, in characters.
pub const MAX_CARD_LINE: usize = 200;

const MM_PER_INCH: f32 = 25.4;

/// What a card shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardContent<'a> {
    /// The QR text.
    pub qr_text: &'a str,
    /// Error-correction level of the code.
    pub ecc: EccLevel,
    /// The heading above the code (the document type).
    pub heading: &'a str,
    /// A smaller second heading line (e.g. the document type in English); may be empty.
    pub subheading: &'a str,
    /// The holder's name, large, below the code.
    pub name: &'a str,
    /// Small print at the bottom; may be empty.
    pub footer: &'a str,
}

fn px(mm: f32) -> u32 {
    (mm / MM_PER_INCH * CARD_DPI as f32).round() as u32
}

fn font() -> Result<FontRef<'static>, QrError> {
    FontRef::try_from_slice(dejavu::sans::regular()).map_err(|_| QrError::Font)
}

fn bold_font() -> Result<FontRef<'static>, QrError> {
    FontRef::try_from_slice(dejavu::sans::bold()).map_err(|_| QrError::Font)
}

/// Width of `text` at `size` px, with kerning.
fn text_width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    width
}

/// Draws `text` centred on `cx` with its baseline at `baseline`, shrinking it from `size` until
/// it fits `max_width`. Returns the size used.
fn draw_centred(
    img: &mut GrayImage,
    font: &FontRef<'_>,
    text: &str,
    size: f32,
    max_width: f32,
    cx: f32,
    baseline: f32,
) -> f32 {
    let mut size = size;
    while size > 8.0 && text_width(font, size, text) > max_width {
        size *= 0.95;
    }
    let scaled = font.as_scaled(PxScale::from(size));
    let mut x = cx - text_width(font, size, text) / 2.0;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(size, point(x, baseline));
        x += scaled.h_advance(id);
        prev = Some(id);
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                let (x, y) = (
                    bounds.min.x as i64 + i64::from(gx),
                    bounds.min.y as i64 + i64::from(gy),
                );
                if x >= 0 && y >= 0 && x < i64::from(img.width()) && y < i64::from(img.height()) {
                    let p = img.get_pixel_mut(x as u32, y as u32);
                    let ink = (coverage.clamp(0.0, 1.0) * 255.0) as u8;
                    p.0[0] = p.0[0].min(255 - ink);
                }
            });
        }
    }
    size
}

fn check_line(field: &'static str, s: &str) -> Result<(), QrError> {
    let len = s.chars().count();
    if len > MAX_CARD_LINE {
        return Err(QrError::CardTextTooLong {
            field,
            len,
            max: MAX_CARD_LINE,
        });
    }
    Ok(())
}

/// Draws the card: a greyscale raster of A6 at [`CARD_DPI`].
///
/// # Errors
///
/// [`QrError::TooLong`] if the text does not fit a QR code, [`QrError::CardTextTooLong`] for
/// an overlong line.
pub fn render_card(content: &CardContent<'_>) -> Result<GrayImage, QrError> {
    for (field, s) in [
        ("heading", content.heading),
        ("subheading", content.subheading),
        ("name", content.name),
        ("footer", content.footer),
    ] {
        check_line(field, s)?;
    }
    let (w, h) = (px(CARD_WIDTH_MM), px(CARD_HEIGHT_MM));
    let mut img = GrayImage::from_pixel(w, h, Luma([255]));
    let regular = font()?;
    let bold = bold_font()?;
    let margin = px(8.0) as f32;
    let text_width_max = w as f32 - 2.0 * margin;
    let cx = w as f32 / 2.0;

    // Heading block.
    draw_centred(
        &mut img,
        &bold,
        content.heading,
        px(6.0) as f32,
        text_width_max,
        cx,
        px(16.0) as f32,
    );
    if !content.subheading.is_empty() {
        draw_centred(
            &mut img,
            &regular,
            content.subheading,
            px(3.6) as f32,
            text_width_max,
            cx,
            px(22.0) as f32,
        );
    }

    // The code: whole pixels per module, quiet zone of 4 modules, as wide as fits in 90 mm.
    let matrix = encode(content.qr_text, content.ecc)?;
    let modules = matrix.width as u32 + 8;
    let module_px = (px(90.0) / modules).max(1);
    let side = modules * module_px;
    let (x0, y0) = ((w - side.min(w)) / 2, px(27.0));
    for my in 0..matrix.width {
        for mx in 0..matrix.width {
            if matrix.is_dark(mx, my) {
                let (px0, py0) = (
                    x0 + (mx as u32 + 4) * module_px,
                    y0 + (my as u32 + 4) * module_px,
                );
                for y in py0..(py0 + module_px).min(h) {
                    for x in px0..(px0 + module_px).min(w) {
                        img.put_pixel(x, y, Luma([0]));
                    }
                }
            }
        }
    }

    // Name and small print under the code.
    let below = (y0 + side) as f32;
    draw_centred(
        &mut img,
        &bold,
        content.name,
        px(7.0) as f32,
        text_width_max,
        cx,
        below + px(11.0) as f32,
    );
    if !content.footer.is_empty() {
        draw_centred(
            &mut img,
            &regular,
            content.footer,
            px(3.0) as f32,
            text_width_max,
            cx,
            h as f32 - px(7.0) as f32,
        );
    }
    Ok(img)
}

/// The card as a PNG (greyscale, 300 dpi recorded in `pHYs`).
///
/// # Errors
///
/// As [`render_card`]; [`QrError::PngEncode`] if encoding fails.
pub fn render_card_png(content: &CardContent<'_>) -> Result<Vec<u8>, QrError> {
    let img = render_card(content)?;
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, img.width(), img.height());
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let ppm = ((u64::from(CARD_DPI) * 10_000 + 127) / 254) as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let png_err = |e: png::EncodingError| QrError::PngEncode { source: e.into() };
        let mut writer = encoder.write_header().map_err(png_err)?;
        writer.write_image_data(img.as_raw()).map_err(png_err)?;
        writer.finish().map_err(png_err)?;
    }
    Ok(out)
}

/// The card as a one-page A6 PDF whose page is the card raster at 300 dpi.
///
/// # Errors
///
/// As [`render_card`].
pub fn render_card_pdf(content: &CardContent<'_>, title: &str) -> Result<Vec<u8>, QrError> {
    use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
    use std::io::Write as _;

    let img = render_card(content)?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(img.as_raw())
        .map_err(|source| QrError::PngEncode { source })?;
    let data = z.finish().map_err(|source| QrError::PngEncode { source })?;

    let pt = |mm: f32| mm / MM_PER_INCH * 72.0;
    let (pw, ph) = (pt(CARD_WIDTH_MM), pt(CARD_HEIGHT_MM));
    let (catalog, tree, page, image_id, contents, info) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    let image_name = Name(b"Card");
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, pw, ph))
        .parent(tree)
        .contents(contents);
    p.resources().x_objects().pair(image_name, image_id);
    p.finish();
    let mut x = pdf.image_xobject(image_id, &data);
    x.filter(Filter::FlateDecode);
    x.width(img.width() as i32)
        .height(img.height() as i32)
        .bits_per_component(8);
    x.color_space().device_gray();
    x.finish();
    let mut c = Content::new();
    c.save_state();
    c.transform([pw, 0.0, 0.0, ph, 0.0, 0.0]);
    c.x_object(image_name);
    c.restore_state();
    pdf.stream(contents, &c.finish());
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("giayto"));
    Ok(pdf.finish())
}
