//! Adversarial images for the scanner: pictures made to maximise a QR detector's work rather
//! than to look like a photo of a code. Each is drawn from its parameters (and a seed, for the
//! random ones) alone, so a test and the measuring tool (`qr-hostile`) see the same pixels.
//!
//! * [`finder_tiles`]: the image of issue 12, a lattice of finder-pattern look-alikes (a dark
//!   square of 21 px, a light one of 15 px, a dark one of 9 px, in tiles of 24 px). Every tile
//!   is a plausible finder pattern and every three of them in an L a plausible code, so a
//!   detector that tries all groupings does work growing with the cube of their number.
//! * [`checkerboard`]: squares of alternating colour (countless 1:1 runs, no 1:1:3:1:1).
//! * [`noise`]: independent random blocks (every run length, no structure).
//! * [`many_codes`]: a sheet of small real codes, each decodable, many finder patterns.

use image::{GrayImage, Luma};

use crate::rng::Rng;

/// Side of one tile of [`finder_tiles`], in pixels.
pub const TILE: u32 = 24;

/// A `side`×`side` image tiled with finder-pattern look-alikes: in each 24 px tile, nested
/// squares of 21 (dark), 15 (light) and 9 px (dark), as a finder pattern of 3 px modules.
pub fn finder_tiles(side: u32) -> GrayImage {
    finder_tiles_sized(side, side, 3)
}

/// [`finder_tiles`] with any size and module: tiles of `8 × module` px holding squares of 7, 5
/// and 3 modules.
pub fn finder_tiles_sized(width: u32, height: u32, module: u32) -> GrayImage {
    let module = module.max(1);
    let tile = 8 * module;
    GrayImage::from_fn(width, height, |x, y| {
        let (tx, ty) = (x % tile, y % tile);
        // Distance from the edge of the 7-module square, in modules (0 = outer ring).
        if tx >= 7 * module || ty >= 7 * module {
            return Luma([255]);
        }
        let ring = (tx / module)
            .min(ty / module)
            .min(6 - tx / module)
            .min(6 - ty / module);
        Luma([if ring == 1 { 255 } else { 0 }])
    })
}

/// A `width`×`height` checkerboard of `cell` px squares.
pub fn checkerboard(width: u32, height: u32, cell: u32) -> GrayImage {
    let cell = cell.max(1);
    GrayImage::from_fn(width, height, |x, y| {
        Luma([if (x / cell + y / cell) % 2 == 0 {
            0
        } else {
            255
        }])
    })
}

/// A `width`×`height` image of independent random `block`×`block` squares, black or white
/// (two levels, so that even the largest accepted size compresses below the file cap as PNG).
pub fn noise(width: u32, height: u32, block: u32, seed: u64) -> GrayImage {
    let block = block.max(1);
    let cols = width.div_ceil(block) as usize;
    let rows = height.div_ceil(block) as usize;
    let mut rng = Rng::new(seed);
    let cells: Vec<u8> = (0..cols * rows)
        .map(|_| if rng.next_u64() & 1 == 0 { 0 } else { 255 })
        .collect();
    GrayImage::from_fn(width, height, |x, y| {
        Luma([cells[(y / block) as usize * cols + (x / block) as usize]])
    })
}

/// A sheet of `cols`×`rows` copies of `code` (a rendered code, quiet zone included), each
/// pasted on white at its own cell.
pub fn many_codes(code: &GrayImage, cols: u32, rows: u32) -> GrayImage {
    let (cw, ch) = code.dimensions();
    GrayImage::from_fn(cw * cols, ch * rows, |x, y| *code.get_pixel(x % cw, y % ch))
}

/// Encodes a greyscale image as PNG.
pub fn png(img: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to memory fails only if the image is inconsistent, which `GrayImage` prevents.
    let _ = image::DynamicImage::ImageLuma8(img.clone())
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finder_tile_is_a_finder_pattern() {
        let img = finder_tiles(48);
        // Along the middle row of a tile: 3 dark, 3 light, 9 dark, 3 light, 3 dark, 3 light.
        let row: Vec<u8> = (0..24).map(|x| img.get_pixel(x, 10)[0]).collect();
        let expect: Vec<u8> = [0u8; 3]
            .iter()
            .chain(&[255; 3])
            .chain(&[0; 9])
            .chain(&[255; 3])
            .chain(&[0; 3])
            .chain(&[255; 3])
            .copied()
            .collect();
        assert_eq!(row, expect);
        assert_eq!(img.get_pixel(30, 34), img.get_pixel(6, 10), "tiles repeat");
    }

    #[test]
    fn noise_depends_on_seed() {
        assert_eq!(noise(32, 32, 2, 1), noise(32, 32, 2, 1));
        assert_ne!(noise(32, 32, 2, 1), noise(32, 32, 2, 2));
    }
}
