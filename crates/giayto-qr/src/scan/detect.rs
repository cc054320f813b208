//! Running rqrr on a prepared image, contained so that no input can make it panic outward.

use std::panic::{catch_unwind, AssertUnwindSafe};

use image::GrayImage;
use rqrr::PreparedImage;

use super::filters::Bitmap;

/// A code decoded in one pass: its text and where it sat in the pass's working image.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub(crate) text: String,
    pub(crate) cx: i64,
    pub(crate) cy: i64,
    pub(crate) size: i64,
}

fn collect<S>(mut prepared: PreparedImage<S>) -> Vec<Found>
where
    S: rqrr_image::ImageBuffer + Clone,
{
    let mut found = Vec::new();
    for grid in prepared.detect_grids() {
        if let Ok((_meta, text)) = grid.decode() {
            let xs = grid.bounds.iter().map(|p| i64::from(p.x));
            let ys = grid.bounds.iter().map(|p| i64::from(p.y));
            let (min_x, max_x) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
            let (min_y, max_y) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
            found.push(Found {
                text,
                cx: (min_x + max_x) / 2,
                cy: (min_y + max_y) / 2,
                size: (max_x - min_x).max(max_y - min_y).max(1),
            });
        }
    }
    found
}

/// The rqrr trait bound, named through its public re-export path.
mod rqrr_image {
    pub(crate) use rqrr_image_buffer::ImageBuffer;
    mod rqrr_image_buffer {
        pub(crate) trait ImageBuffer {}
    }
}
