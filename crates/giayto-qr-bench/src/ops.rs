//! Image operations that imitate what cameras, screens, paper and light do to a QR code.
//! Greyscale, `f32` in 0–255, hand-written so the corpus depends only on the seed: a change in
//! an image library's resampler would otherwise silently change the corpus.

use image::GrayImage;

use crate::rng::Rng;

/// A greyscale image with `f32` pixels, row-major.
#[derive(Clone, Debug)]
pub struct Img {
    /// Width in pixels.
    pub w: usize,
    /// Height in pixels.
    pub h: usize,
    /// Pixels, 0 (black) to 255 (white).
    pub px: Vec<f32>,
}

impl Img {
    /// A uniform image.
    pub fn filled(w: usize, h: usize, v: f32) -> Img {
        Img {
            w,
            h,
            px: vec![v; w * h],
        }
    }
    /// From 8-bit greyscale.
    pub fn from_gray(g: &GrayImage) -> Img {
        Img {
            w: g.width() as usize,
            h: g.height() as usize,
            px: g.as_raw().iter().map(|&p| f32::from(p)).collect(),
        }
    }
    /// To 8-bit greyscale, rounded and clamped.
    pub fn to_gray(&self) -> GrayImage {
        let px = self
            .px
            .iter()
            .map(|&v| v.round().clamp(0.0, 255.0) as u8)
            .collect();
        GrayImage::from_raw(self.w as u32, self.h as u32, px).expect("sizes agree")
    }
    /// Pixel at integer coordinates, `fill` outside.
    fn at(&self, x: isize, y: isize, fill: f32) -> f32 {
        if x < 0 || y < 0 || x as usize >= self.w || y as usize >= self.h {
            fill
        } else {
            self.px[y as usize * self.w + x as usize]
        }
    }
    /// Bilinear sample at pixel-centre coordinates.
    pub fn sample(&self, x: f64, y: f64, fill: f32) -> f32 {
        let (fx, fy) = (x - 0.5, y - 0.5);
        let (x0, y0) = (fx.floor(), fy.floor());
        let (tx, ty) = ((fx - x0) as f32, (fy - y0) as f32);
        let (x0, y0) = (x0 as isize, y0 as isize);
        let a = self.at(x0, y0, fill);
        let b = self.at(x0 + 1, y0, fill);
        let c = self.at(x0, y0 + 1, fill);
        let d = self.at(x0 + 1, y0 + 1, fill);
        (a * (1.0 - tx) + b * tx) * (1.0 - ty) + (c * (1.0 - tx) + d * tx) * ty
    }
    /// Apply `f(x, y, v)` to every pixel.
    pub fn map(&mut self, mut f: impl FnMut(usize, usize, f32) -> f32) {
        for y in 0..self.h {
            for x in 0..self.w {
                let i = y * self.w + x;
                self.px[i] = f(x, y, self.px[i]);
            }
        }
    }
}

/// A 3×3 projective transform, row-major.
pub type Homography = [f64; 9];

/// The homography taking the four points `from` to the four points `to`.
pub fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Homography {
    // Solve A h = b for h = (h0..h7), h8 = 1.
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let pivot = (col..8)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-12 {
            continue;
        }
        for v in a[col].iter_mut().skip(col) {
            *v /= p;
        }
        let pivot_row = a[col];
        for (row, r) in a.iter_mut().enumerate() {
            if row != col {
                let f = r[col];
                for (v, pv) in r.iter_mut().zip(pivot_row).skip(col) {
                    *v -= f * pv;
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8];
    }
    h[8] = 1.0;
    h
}

fn apply(h: &Homography, x: f64, y: f64) -> (f64, f64) {
    let w = h[6] * x + h[7] * y + h[8];
    let w = if w.abs() < 1e-12 { 1e-12 } else { w };
    (
        (h[0] * x + h[1] * y + h[2]) / w,
        (h[3] * x + h[4] * y + h[5]) / w,
    )
}

/// Draws `src` into `dst` so that its corners (top-left, top-right, bottom-right,
/// bottom-left) land on `corners`. `src` is sampled at the nearest pixel (a printed module has
/// sharp edges); with `supersample` > 1 each output pixel averages that many samples a side (a
/// camera pixel integrating light over its area); 1 gives point sampling (aliasing).
pub fn draw_quad(dst: &mut Img, src: &Img, corners: [(f64, f64); 4], supersample: usize) {
    let (sw, sh) = (src.w as f64, src.h as f64);
    let inv = homography(corners, [(0.0, 0.0), (sw, 0.0), (sw, sh), (0.0, sh)]);
    let xs = corners.iter().map(|c| c.0);
    let ys = corners.iter().map(|c| c.1);
    let x0 = xs.clone().fold(f64::MAX, f64::min).floor().max(0.0) as usize;
    let x1 = (xs.fold(f64::MIN, f64::max).ceil() as usize + 1).min(dst.w);
    let y0 = ys.clone().fold(f64::MAX, f64::min).floor().max(0.0) as usize;
    let y1 = (ys.fold(f64::MIN, f64::max).ceil() as usize + 1).min(dst.h);
    let n = supersample.max(1);
    for y in y0..y1 {
        for x in x0..x1 {
            let (mut sum, mut inside) = (0f32, 0usize);
            for j in 0..n {
                for i in 0..n {
                    let px = x as f64 + (i as f64 + 0.5) / n as f64;
                    let py = y as f64 + (j as f64 + 0.5) / n as f64;
                    let (u, v) = apply(&inv, px, py);
                    if u >= 0.0 && v >= 0.0 && u < sw && v < sh {
                        sum += src.at(u as isize, v as isize, 255.0);
                        inside += 1;
                    }
                }
            }
            if inside > 0 {
                let i = y * dst.w + x;
                let cover = inside as f32 / (n * n) as f32;
                dst.px[i] = dst.px[i] * (1.0 - cover) + sum / inside as f32 * cover;
            }
        }
    }
}

/// The corners of a `side`-pixel square centred at (cx, cy), rotated by `deg` degrees.
pub fn square(cx: f64, cy: f64, side: f64, deg: f64) -> [(f64, f64); 4] {
    let (s, c) = deg.to_radians().sin_cos();
    let r = side / 2.0;
    [(-r, -r), (r, -r), (r, r), (-r, r)].map(|(x, y)| (cx + x * c - y * s, cy + x * s + y * c))
}

/// Separable Gaussian blur with standard deviation `sigma` pixels.
pub fn gaussian_blur(img: &Img, sigma: f64) -> Img {
    if sigma <= 0.05 {
        return img.clone();
    }
    let r = (sigma * 3.0).ceil() as isize;
    let k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp() as f32)
        .collect();
    let sum: f32 = k.iter().sum();
    let k: Vec<f32> = k.iter().map(|v| v / sum).collect();
    let pass = |src: &Img, horizontal: bool| -> Img {
        let mut out = src.clone();
        for y in 0..src.h {
            for x in 0..src.w {
                let mut acc = 0f32;
                for (j, w) in k.iter().enumerate() {
                    let d = j as isize - r;
                    let (sx, sy) = if horizontal {
                        ((x as isize + d).clamp(0, src.w as isize - 1), y as isize)
                    } else {
                        (x as isize, (y as isize + d).clamp(0, src.h as isize - 1))
                    };
                    acc += w * src.px[sy as usize * src.w + sx as usize];
                }
                out.px[y * src.w + x] = acc;
            }
        }
        out
    };
    pass(&pass(img, true), false)
}

/// Linear motion blur: the average along a segment of `length` pixels at `deg` degrees.
pub fn motion_blur(img: &Img, length: f64, deg: f64) -> Img {
    let n = (length.ceil() as usize).max(2) * 2;
    let (s, c) = deg.to_radians().sin_cos();
    let mut out = img.clone();
    for y in 0..img.h {
        for x in 0..img.w {
            let mut acc = 0f32;
            for i in 0..n {
                let t = (i as f64 / (n - 1) as f64 - 0.5) * length;
                acc += img.sample(x as f64 + 0.5 + t * c, y as f64 + 0.5 + t * s, 255.0);
            }
            out.px[y * img.w + x] = acc / n as f32;
        }
    }
    out
}

/// Additive Gaussian noise of standard deviation `sigma` (sensor noise).
pub fn noise(img: &mut Img, sigma: f64, rng: &mut Rng) {
    for p in img.px.iter_mut() {
        *p += (rng.gaussian() * sigma) as f32;
    }
}

/// Maps black to `dark` and white to `light`, linearly.
pub fn levels(img: &mut Img, dark: f32, light: f32) {
    for p in img.px.iter_mut() {
        *p = dark + (light - dark) * (*p / 255.0);
    }
}

/// Light modules on a dark background.
pub fn invert(img: &mut Img) {
    for p in img.px.iter_mut() {
        *p = 255.0 - *p;
    }
}

/// Paper-like background with a soft gradient and clutter: rectangles, lines, text-like
/// dot rows, of random greys.
pub fn cluttered_canvas(w: usize, h: usize, rng: &mut Rng) -> Img {
    let (g0, g1) = (
        rng.range(150.0, 235.0) as f32,
        rng.range(120.0, 235.0) as f32,
    );
    let mut img = Img::filled(w, h, 0.0);
    img.map(|x, y, _| g0 + (g1 - g0) * ((x + y) as f32 / (w + h) as f32));
    let items = 20 + (w * h / 40_000);
    for _ in 0..items {
        let kind = rng.below(3);
        let (x, y) = (rng.below(w as u64) as usize, rng.below(h as u64) as usize);
        let v = rng.range(0.0, 255.0) as f32;
        match kind {
            0 => {
                let (rw, rh) = (
                    rng.range(10.0, w as f64 / 5.0) as usize,
                    rng.range(10.0, h as f64 / 5.0) as usize,
                );
                for yy in y..(y + rh).min(h) {
                    for xx in x..(x + rw).min(w) {
                        img.px[yy * w + xx] = v;
                    }
                }
            }
            1 => {
                let (len, deg) = (rng.range(30.0, w as f64 / 2.0), rng.range(0.0, 180.0));
                let (s, c) = deg.to_radians().sin_cos();
                let thick = rng.range(1.0, 5.0) as isize;
                for t in 0..len as isize {
                    for d in 0..thick {
                        let xx = x as isize + (t as f64 * c) as isize + d;
                        let yy = y as isize + (t as f64 * s) as isize;
                        if xx >= 0 && yy >= 0 && (xx as usize) < w && (yy as usize) < h {
                            img.px[yy as usize * w + xx as usize] = v;
                        }
                    }
                }
            }
            _ => {
                // A few rows of "text": small dark blobs.
                let size = rng.range(3.0, 9.0) as usize;
                for row in 0..rng.below(6) as usize + 1 {
                    let mut xx = x;
                    let yy = y + row * size * 2;
                    for _ in 0..rng.below(30) + 5 {
                        let bw = size + rng.below(size as u64) as usize;
                        for by in yy..(yy + size).min(h) {
                            for bx in xx..(xx + bw).min(w) {
                                img.px[by * w + bx] = 30.0;
                            }
                        }
                        xx += bw + size / 2 + 1;
                    }
                }
            }
        }
    }
    img
}
