//! A filled form as a printable PDF (feature `pdf`, docs/decisions.md D144): A4 portrait pages,
//! each a greyscale raster at [`DPI`] holding the title, then per field its label (Vietnamese /
//! English) and its value on a ruled line; a field without a value keeps an empty line to fill
//! by hand. Text is DejaVu Sans (every precomposed Vietnamese letter), as on the printable card
//! (D52): a raster prints the same from every viewer and needs no font embedding.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};

use crate::fill::FilledForm;

/// Resolution of the page raster.
pub const DPI: u32 = 150;
/// Page width, millimetres (A4).
pub const PAGE_WIDTH_MM: f32 = 210.0;
/// Page height, millimetres (A4).
pub const PAGE_HEIGHT_MM: f32 = 297.0;

const MM_PER_INCH: f32 = 25.4;

/// Why a page could not be made.
#[non_exhaustive]
#[derive(Debug)]
pub enum PdfError {
    /// The embedded font could not be read (a broken build).
    Font,
    /// Compressing a page raster failed.
    Compress(std::io::Error),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::Font => write!(f, "the embedded font cannot be read"),
            PdfError::Compress(e) => write!(f, "compressing the page failed: {e}"),
        }
    }
}

impl std::error::Error for PdfError {}

fn px(mm: f32) -> f32 {
    mm / MM_PER_INCH * DPI as f32
}

/// A greyscale page: row-major bytes, 255 white.
struct Page {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Page {
    fn new() -> Page {
        let (width, height) = (px(PAGE_WIDTH_MM) as u32, px(PAGE_HEIGHT_MM) as u32);
        Page {
            width,
            height,
            pixels: vec![255; width as usize * height as usize],
        }
    }

    fn ink(&mut self, x: i64, y: i64, level: u8) {
        if x >= 0 && y >= 0 && x < i64::from(self.width) && y < i64::from(self.height) {
            let i = y as usize * self.width as usize + x as usize;
            if let Some(p) = self.pixels.get_mut(i) {
                *p = (*p).min(255 - level);
            }
        }
    }

    fn rule(&mut self, x0: f32, x1: f32, y: f32) {
        for x in x0 as i64..x1 as i64 {
            self.ink(x, y as i64, 160);
        }
    }

    /// Draw `text` with its baseline at `y`, starting at `x`.
    fn text(&mut self, font: &FontRef<'_>, size: f32, x: f32, y: f32, text: &str) {
        let scaled = font.as_scaled(PxScale::from(size));
        let mut cx = x;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                cx += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(size, point(cx, y));
            cx += scaled.h_advance(id);
            prev = Some(id);
            if let Some(outlined) = font.outline_glyph(glyph) {
                let b = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    let level = (coverage.clamp(0.0, 1.0) * 255.0) as u8;
                    self.ink(
                        b.min.x as i64 + i64::from(gx),
                        b.min.y as i64 + i64::from(gy),
                        level,
                    );
                });
            }
        }
    }
}

fn width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut w = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            w += scaled.kern(p, id);
        }
        w += scaled.h_advance(id);
        prev = Some(id);
    }
    w
}

/// Break `text` into lines no wider than `max` at spaces (a word wider than a line is cut).
fn wrap(font: &FontRef<'_>, size: f32, text: &str, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if width(font, size, &candidate) <= max || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_owned();
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| {
            let mut l = l;
            while width(font, size, &l) > max && l.pop().is_some() {}
            l
        })
        .collect()
}

/// Draw the filled form on as many A4 pages as it needs.
fn pages(form: &FilledForm, footer: &str) -> Result<Vec<Page>, PdfError> {
    let regular = FontRef::try_from_slice(dejavu::sans::regular()).map_err(|_| PdfError::Font)?;
    let bold = FontRef::try_from_slice(dejavu::sans::bold()).map_err(|_| PdfError::Font)?;
    let (left, right) = (px(18.0), px(PAGE_WIDTH_MM - 18.0));
    let line_width = right - left;
    let bottom = px(PAGE_HEIGHT_MM - 22.0);
    let (title_size, sub_size, label_size, value_size) = (px(6.0), px(3.8), px(3.0), px(4.4));
    let mut pages = vec![Page::new()];
    let mut y = px(20.0);
    for line in wrap(&bold, title_size, &form.title.vi, line_width) {
        y += title_size;
        if let Some(p) = pages.last_mut() {
            p.text(&bold, title_size, left, y, &line);
        }
    }
    y += sub_size * 1.4;
    if let Some(p) = pages.last_mut() {
        p.text(&regular, sub_size, left, y, &form.title.en);
    }
    y += px(8.0);
    for field in &form.fields {
        let label = format!("{} / {}", field.label.vi, field.label.en);
        let labels = wrap(&regular, label_size, &label, line_width);
        let values = match &field.value {
            Some(v) => wrap(&bold, value_size, v, line_width),
            None => vec![String::new()],
        };
        let height = labels.len() as f32 * label_size * 1.3
            + values.len() as f32 * value_size * 1.5
            + px(4.0);
        if y + height > bottom {
            pages.push(Page::new());
            y = px(20.0);
        }
        let Some(page) = pages.last_mut() else {
            break;
        };
        for l in &labels {
            y += label_size * 1.3;
            page.text(&regular, label_size, left, y, l);
        }
        for v in &values {
            y += value_size * 1.5;
            page.text(&bold, value_size, left + px(2.0), y, v);
            page.rule(left, right, y + px(1.2));
        }
        y += px(4.0);
    }
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let size = px(2.6);
        let base = px(PAGE_HEIGHT_MM - 12.0);
        for (k, l) in wrap(&regular, size, footer, line_width - px(20.0))
            .iter()
            .take(2)
            .enumerate()
        {
            page.text(&regular, size, left, base + k as f32 * size * 1.3, l);
        }
        let n = format!("{}/{}", i + 1, total);
        page.text(&regular, size, right - width(&regular, size, &n), base, &n);
    }
    Ok(pages)
}

/// The filled form as a PDF of A4 pages; `footer` is printed at the bottom of each (where the
/// values come from, when they were checked), with the page number.
pub fn render(form: &FilledForm, footer: &str) -> Result<Vec<u8>, PdfError> {
    use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
    use std::io::Write as _;

    let pages = pages(form, footer)?;
    let pt = |mm: f32| mm / MM_PER_INCH * 72.0;
    let (pw, ph) = (pt(PAGE_WIDTH_MM), pt(PAGE_HEIGHT_MM));
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let info = Ref::new(3);
    // Each page: its page object, its image, its content stream.
    let refs: Vec<(Ref, Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| {
            (
                Ref::new(4 + 3 * i),
                Ref::new(5 + 3 * i),
                Ref::new(6 + 3 * i),
            )
        })
        .collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(refs.iter().map(|r| r.0))
        .count(pages.len() as i32);
    let image_name = Name(b"Page");
    for (page, (page_id, image_id, contents)) in pages.iter().zip(&refs) {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&page.pixels).map_err(PdfError::Compress)?;
        let data = z.finish().map_err(PdfError::Compress)?;
        let mut p = pdf.page(*page_id);
        p.media_box(Rect::new(0.0, 0.0, pw, ph))
            .parent(tree)
            .contents(*contents);
        p.resources().x_objects().pair(image_name, *image_id);
        p.finish();
        let mut x = pdf.image_xobject(*image_id, &data);
        x.filter(Filter::FlateDecode);
        x.width(page.width as i32)
            .height(page.height as i32)
            .bits_per_component(8);
        x.color_space().device_gray();
        x.finish();
        let mut c = Content::new();
        c.save_state();
        c.transform([pw, 0.0, 0.0, ph, 0.0, 0.0]);
        c.x_object(image_name);
        c.restore_state();
        pdf.stream(*contents, &c.finish());
    }
    pdf.document_info(info)
        .title(TextStr(&form.title.vi))
        .producer(TextStr("giayto"));
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bilingual, FilledField};

    fn form(n: usize, value: &str) -> FilledForm {
        FilledForm {
            form: "t".into(),
            title: Bilingual {
                vi: "Thông báo lưu trú".into(),
                en: "Guest stay notification".into(),
            },
            fields: (0..n)
                .map(|i| FilledField {
                    id: format!("f{i}"),
                    label: Bilingual {
                        vi: "Họ, chữ đệm và tên".into(),
                        en: "Full name".into(),
                    },
                    value: (i % 2 == 0).then(|| value.to_owned()),
                    source: None,
                    unfilled: None,
                })
                .collect(),
        }
    }

    #[test]
    fn a_form_is_one_page_and_a_long_one_several() {
        let one = pages(&form(12, "TRẦN THỊ MẪU"), "giayto").unwrap();
        assert_eq!(one.len(), 1);
        // Text was drawn: dark pixels exist, and the page is mostly white.
        let dark = one[0].pixels.iter().filter(|p| **p < 128).count();
        assert!(dark > 1000 && dark < one[0].pixels.len() / 10, "{dark}");
        let long = "Số 12 ngõ 34 phố Mẫu, phường Điện Biên, quận Ba Đình, Hà Nội ".repeat(3);
        assert!(pages(&form(40, &long), "giayto").unwrap().len() >= 3);
        let pdf = render(&form(40, &long), "giayto").unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("/Count 3") || text.contains("/Count 4"),
            "pages"
        );
    }

    #[test]
    fn wrapping_keeps_every_word_and_fits_the_line() {
        let font = FontRef::try_from_slice(dejavu::sans::regular()).unwrap();
        let text = "Số 12 ngõ 34 phố Mẫu, phường Điện Biên, quận Ba Đình, Hà Nội";
        let lines = wrap(&font, 30.0, text, 300.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| width(&font, 30.0, l) <= 300.0));
        assert_eq!(wrap(&font, 30.0, "", 300.0), vec![String::new()]);
    }
}
