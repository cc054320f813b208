//! The seeded corpus: camera-like degraded images of credential-sized QR codes, in classes and
//! three strengths. The same seed always gives the same images.

use image::codecs::jpeg::JpegEncoder;
use image::ImageEncoder;

use giayto_qr::{render_png, EccLevel, RenderOptions};

use crate::ops::{self, Img};
use crate::rng::Rng;

/// The base45 alphabet (RFC 9285).
const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// What was done to the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Rotated in the image plane.
    Rotation,
    /// Photographed at an angle (projective distortion).
    Perspective,
    /// Out of focus (Gaussian blur).
    Blur,
    /// Camera shake (linear motion blur).
    MotionBlur,
    /// Strong JPEG compression.
    Jpeg,
    /// Sensor noise.
    Noise,
    /// Little difference between dark and light.
    LowContrast,
    /// A light gradient and shadow across the code.
    UnevenLight,
    /// Light modules on dark (a dark-mode screen), with glow and low contrast.
    Inverted,
    /// A small code somewhere in a large cluttered picture.
    SmallInClutter,
    /// A photographed screen: the pixel grid aliased by the camera.
    Moire,
    /// Several codes in one picture; all must be found.
    Several,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 12] = [
        Class::Rotation,
        Class::Perspective,
        Class::Blur,
        Class::MotionBlur,
        Class::Jpeg,
        Class::Noise,
        Class::LowContrast,
        Class::UnevenLight,
        Class::Inverted,
        Class::SmallInClutter,
        Class::Moire,
        Class::Several,
    ];

    /// A short stable name.
    pub fn name(self) -> &'static str {
        match self {
            Class::Rotation => "rotation",
            Class::Perspective => "perspective",
            Class::Blur => "blur",
            Class::MotionBlur => "motion-blur",
            Class::Jpeg => "jpeg",
            Class::Noise => "noise",
            Class::LowContrast => "low-contrast",
            Class::UnevenLight => "uneven-light",
            Class::Inverted => "inverted",
            Class::SmallInClutter => "small-in-clutter",
            Class::Moire => "moire",
            Class::Several => "several-codes",
        }
    }

    /// What each strength (1, 2, 3) means, for the report.
    pub fn strengths(self) -> &'static str {
        match self {
            Class::Rotation => "angle 5–25° / 25–65° / 65–180° (module 4 / 3.5 / 3 px)",
            Class::Perspective => {
                "far edge shortened 15 / 30 / 45 %, corners moved ±5 / 9 / 13 % of the side"
            }
            Class::Blur => "Gaussian σ = 0.35 / 0.5 / 0.65 module",
            Class::MotionBlur => "streak of 0.8 / 1.2 / 1.6 modules, any direction",
            Class::Jpeg => "quality 30 / 15 / 8, module 3 px",
            Class::Noise => "Gaussian noise σ = 30 / 50 / 75 grey levels",
            Class::LowContrast => "dark to light 60 / 35 / 22 grey levels, noise σ = 3",
            Class::UnevenLight => "light falls to 35 / 20 / 10 % across the code, plus a shadow",
            Class::Inverted => {
                "light-on-dark, background 20 / 45 / 70, modules 230 / 170 / 130, glow"
            }
            Class::SmallInClutter => {
                "canvas 1600×1200 / 2400×1800 / 3200×2400, module 3 / 2.5 / 2 px"
            }
            Class::Moire => {
                "screen grid depth 30 / 45 / 60 %, camera scale 0.62 / 0.55 / 0.48, point-sampled"
            }
            Class::Several => "2 / 3 / 4 codes, module 3 px, each slightly rotated",
        }
    }
}

/// One corpus image.
#[derive(Clone, Debug)]
pub struct Sample {
    /// A stable id, also the file stem: `class-s<strength>-<index>`.
    pub id: String,
    /// Its class.
    pub class: Class,
    /// 1 (mild) to 3 (strong).
    pub strength: u8,
    /// The texts of every code in the image.
    pub expected: Vec<String>,
    /// The image file (PNG, or JPEG for [`Class::Jpeg`]).
    pub bytes: Vec<u8>,
    /// `"png"` or `"jpg"`.
    pub ext: &'static str,
}

/// A credential-sized text: `VN1:` and 400–460 base45 characters (a typical credential with
/// the preset dictionary, docs/qr-size.md), version 15–17 at ECC Q.
pub fn credential_text(rng: &mut Rng) -> String {
    let n = 400 + rng.below(61) as usize;
    let mut s = String::from("VN1:");
    s.extend((0..n).map(|_| BASE45[rng.below(45) as usize] as char));
    s
}

/// The clean code, one pixel per module, quiet zone 4 modules.
fn clean_code(text: &str) -> Img {
    let opts = RenderOptions {
        ecc: EccLevel::Q,
        module_px: 1,
        quiet_zone: 4,
        dpi: None,
    };
    let png = render_png(text, &opts).expect("a credential-sized text fits");
    Img::from_gray(&image::load_from_memory(&png).expect("own PNG").to_luma8())
}

/// Paper background with the code drawn on it: module `module` px, rotated `deg`, canvas
/// margin of `margin` × code side on every side.
fn on_paper(code: &Img, module: f64, deg: f64, margin: f64, rng: &mut Rng) -> (Img, f64) {
    let side = code.w as f64 * module;
    let canvas = (side * (1.0 + 2.0 * margin) * 1.42) as usize;
    let paper = rng.range(200.0, 240.0) as f32;
    let mut img = Img::filled(canvas, canvas, paper);
    let c = canvas as f64 / 2.0;
    let ink = rng.range(10.0, 40.0) as f32;
    let mut tinted = code.clone();
    ops::levels(&mut tinted, ink, paper);
    ops::draw_quad(&mut img, &tinted, ops::square(c, c, side, deg), 3);
    (img, side)
}

fn encode_png(img: &Img) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageLuma8(img.to_gray())
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("PNG encodes");
    out
}

fn encode_jpeg(img: &Img, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let g = img.to_gray();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            g.as_raw(),
            g.width(),
            g.height(),
            image::ExtendedColorType::L8,
        )
        .expect("JPEG encodes");
    out
}

fn pick(strength: u8, values: [f64; 3]) -> f64 {
    values[usize::from(strength.clamp(1, 3)) - 1]
}

/// Makes one image of `class` at `strength` from its own generator.
pub fn make(class: Class, strength: u8, rng: &mut Rng) -> (Vec<String>, Img, Option<u8>) {
    let text = credential_text(rng);
    let code = clean_code(&text);
    let small_tilt = rng.range(-4.0, 4.0);
    let s = strength;
    let mut jpeg = None;
    let mut texts = vec![text];
    let mut img = match class {
        Class::Rotation => {
            let (lo, hi) = match s {
                1 => (5.0, 25.0),
                2 => (25.0, 65.0),
                _ => (65.0, 180.0),
            };
            let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
            let deg = sign * rng.range(lo, hi);
            on_paper(&code, pick(s, [4.0, 3.5, 3.0]), deg, 0.1, rng).0
        }
        Class::Perspective => {
            let module = 4.0;
            let side = code.w as f64 * module;
            let canvas = (side * 1.6) as usize;
            let paper = rng.range(200.0, 240.0) as f32;
            let mut img = Img::filled(canvas, canvas, paper);
            let c = canvas as f64 / 2.0;
            let mut q = ops::square(c, c, side, rng.range(0.0, 360.0));
            // Shorten the far edge (the code leans away), then move every corner a little.
            let shrink = pick(s, [0.15, 0.30, 0.45]);
            let far = rng.below(4) as usize;
            let (a, b) = (far, (far + 1) % 4);
            let mid = ((q[a].0 + q[b].0) / 2.0, (q[a].1 + q[b].1) / 2.0);
            for i in [a, b] {
                q[i].0 += (mid.0 - q[i].0) * shrink;
                q[i].1 += (mid.1 - q[i].1) * shrink;
            }
            let jitter = pick(s, [0.05, 0.09, 0.13]) * side;
            for p in q.iter_mut() {
                p.0 += rng.range(-jitter, jitter);
                p.1 += rng.range(-jitter, jitter);
            }
            let mut tinted = code.clone();
            ops::levels(&mut tinted, 25.0, paper);
            ops::draw_quad(&mut img, &tinted, q, 3);
            img
        }
        Class::Blur => {
            let module = 4.0;
            let (img, _) = on_paper(&code, module, small_tilt, 0.1, rng);
            ops::gaussian_blur(&img, pick(s, [0.35, 0.5, 0.65]) * module)
        }
        Class::MotionBlur => {
            let module = 4.0;
            let (img, _) = on_paper(&code, module, small_tilt, 0.1, rng);
            ops::motion_blur(
                &img,
                pick(s, [0.8, 1.2, 1.6]) * module,
                rng.range(0.0, 180.0),
            )
        }
        Class::Jpeg => {
            jpeg = Some(pick(s, [30.0, 15.0, 8.0]) as u8);
            on_paper(&code, 3.0, small_tilt, 0.1, rng).0
        }
        Class::Noise => {
            let (mut img, _) = on_paper(&code, 4.0, small_tilt, 0.1, rng);
            ops::noise(&mut img, pick(s, [30.0, 50.0, 75.0]), rng);
            img
        }
        Class::LowContrast => {
            let (mut img, _) = on_paper(&code, 4.0, small_tilt, 0.1, rng);
            let range = pick(s, [60.0, 35.0, 22.0]) as f32;
            let mid = rng.range(70.0, 190.0) as f32;
            // The paper is light, the ink dark: remap the whole picture into the narrow band.
            ops::levels(&mut img, mid - range / 2.0, mid + range / 2.0 + range * 0.1);
            ops::noise(&mut img, 3.0, rng);
            img
        }
        Class::UnevenLight => {
            let (mut img, _) = on_paper(&code, 4.0, small_tilt, 0.1, rng);
            let low = pick(s, [0.35, 0.2, 0.1]) as f32;
            let deg = rng.range(0.0, 360.0).to_radians();
            let (dx, dy) = (deg.cos() as f32, deg.sin() as f32);
            let (w, h) = (img.w as f32, img.h as f32);
            // A shadow edge: a straight line across the code, darker on one side.
            let shadow_at = rng.range(0.3, 0.7) as f32;
            let shadow_deg = rng.range(0.0, 180.0).to_radians();
            let (sx, sy) = (shadow_deg.cos() as f32, shadow_deg.sin() as f32);
            img.map(|x, y, v| {
                let (u, t) = (x as f32 / w - 0.5, y as f32 / h - 0.5);
                let g = ((u * dx + t * dy) / 1.42 + 0.5).clamp(0.0, 1.0);
                let light = 1.0 - (1.0 - low) * g;
                let shade = if u * sx + t * sy + 0.5 > shadow_at {
                    0.7
                } else {
                    1.0
                };
                v * light * shade
            });
            ops::noise(&mut img, 3.0, rng);
            img
        }
        Class::Inverted => {
            let (mut img, _) = on_paper(&code, 4.0, small_tilt, 0.1, rng);
            ops::invert(&mut img);
            let (bg, fg) = (
                pick(s, [20.0, 45.0, 70.0]) as f32,
                pick(s, [230.0, 170.0, 130.0]) as f32,
            );
            // After inversion the ink is light and the paper dark: remap to screen levels.
            let (lo, hi) = img
                .px
                .iter()
                .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
            img.map(|_, _, v| bg + (fg - bg) * ((v - lo) / (hi - lo).max(1.0)));
            let mut img = ops::gaussian_blur(&img, 0.8);
            ops::noise(&mut img, 3.0, rng);
            img
        }
        Class::SmallInClutter => {
            let (w, h) = match s {
                1 => (1600, 1200),
                2 => (2400, 1800),
                _ => (3200, 2400),
            };
            let module = pick(s, [3.0, 2.5, 2.0]);
            let mut img = ops::cluttered_canvas(w, h, rng);
            let side = code.w as f64 * module;
            let cx = rng.range(side, w as f64 - side);
            let cy = rng.range(side, h as f64 - side);
            let mut tinted = code.clone();
            ops::levels(&mut tinted, 20.0, 225.0);
            ops::draw_quad(
                &mut img,
                &tinted,
                ops::square(cx, cy, side, rng.range(-15.0, 15.0)),
                3,
            );
            ops::noise(&mut img, 4.0, rng);
            img
        }
        Class::Moire => {
            // The code on a screen at 6 px per module, each screen pixel 3 px with a dark
            // gap; the camera samples it at a non-integer scale without area integration.
            let screen_module = 6.0;
            let (mut screen, _) = on_paper(&code, screen_module, 0.0, 0.06, rng);
            let depth = pick(s, [0.3, 0.45, 0.6]) as f32;
            screen.map(|x, y, v| {
                if x % 3 == 2 || y % 3 == 2 {
                    v * (1.0 - depth)
                } else {
                    v
                }
            });
            let scale = pick(s, [0.62, 0.55, 0.48]);
            let side = screen.w as f64 * scale;
            let canvas = (side * 1.1) as usize;
            let mut img = Img::filled(canvas, canvas, 30.0);
            let c = canvas as f64 / 2.0;
            ops::draw_quad(
                &mut img,
                &screen,
                ops::square(c, c, side, rng.range(-6.0, 6.0)),
                1,
            );
            ops::noise(&mut img, 3.0, rng);
            img
        }
        Class::Several => {
            let n = usize::from(s) + 1;
            let module = 3.0;
            let codes: Vec<(String, Img)> = std::iter::once((texts[0].clone(), code.clone()))
                .chain((1..n).map(|_| {
                    let t = credential_text(rng);
                    let c = clean_code(&t);
                    (t, c)
                }))
                .collect();
            let cell = codes.iter().map(|(_, c)| c.w).max().unwrap_or(1) as f64 * module * 1.25;
            let cols = if n <= 2 { n } else { 2 };
            let rows = n.div_ceil(cols);
            let (w, h) = (
                (cell * cols as f64 + cell * 0.3) as usize,
                (cell * rows as f64 + cell * 0.3) as usize,
            );
            let mut img = ops::cluttered_canvas(w, h, rng);
            for (i, (_, c)) in codes.iter().enumerate() {
                let (col, row) = (i % cols, i / cols);
                let cx = cell * (col as f64 + 0.5) + cell * 0.15;
                let cy = cell * (row as f64 + 0.5) + cell * 0.15;
                let mut tinted = c.clone();
                ops::levels(&mut tinted, 20.0, 225.0);
                let side = c.w as f64 * module;
                ops::draw_quad(
                    &mut img,
                    &tinted,
                    ops::square(cx, cy, side, rng.range(-8.0, 8.0)),
                    3,
                );
            }
            ops::noise(&mut img, 3.0, rng);
            texts = codes.into_iter().map(|(t, _)| t).collect();
            img
        }
    };
    if !matches!(class, Class::Noise | Class::SmallInClutter) {
        ops::noise(&mut img, 2.0, rng);
    }
    (texts, img, jpeg)
}

/// The corpus: `per_cell` images of every class at every strength, from `seed`.
pub fn generate(seed: u64, per_cell: usize) -> Vec<Sample> {
    let mut out = Vec::new();
    for class in Class::ALL {
        for strength in 1..=3u8 {
            for i in 0..per_cell {
                out.push(sample(seed, class, strength, i));
            }
        }
    }
    out
}

/// One corpus image; its content depends only on (seed, class, strength, index).
pub fn sample(seed: u64, class: Class, strength: u8, index: usize) -> Sample {
    let cell = (class as u64) << 32 | u64::from(strength) << 24 | index as u64;
    let mut rng = Rng::new(seed ^ cell.wrapping_mul(0xA24B_AED4_963E_E407));
    let (expected, img, jpeg) = make(class, strength, &mut rng);
    let (bytes, ext) = match jpeg {
        Some(q) => (encode_jpeg(&img, q), "jpg"),
        None => (encode_png(&img), "png"),
    };
    Sample {
        id: format!("{}-s{strength}-{index:02}", class.name()),
        class,
        strength,
        expected,
        bytes,
        ext,
    }
}
