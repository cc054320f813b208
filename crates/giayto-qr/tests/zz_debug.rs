mod common;
use common::*;
use giayto_qr::image::{DynamicImage};
use giayto_qr::{scan_with, EccLevel, Pass};
#[test]
fn dbg() {
    let text = vn1_text(42, 450);
    let clean = render_grey(&text, EccLevel::Q, 6);
    let code = scale(&clean, 0.75);
    let canvas = gradient_canvas(2400, 1800, &code, 1300, 700, 5);
    canvas.save("/tmp/qrdbg/canvas.png").unwrap();
    let crop = giayto_qr::image::imageops::crop_imm(&canvas, 1200, 600, 700, 600).to_image();
    crop.save("/tmp/qrdbg/crop.png").unwrap();
    for (name, img) in [("crop", crop), ("canvas", canvas)] {
        for &p in Pass::ALL {
            let t = std::time::Instant::now();
            let r = scan_with(&DynamicImage::ImageLuma8(img.clone()), &[p]);
            eprintln!("{name} {p}: {} {:?}", r.texts.len(), t.elapsed());
        }
    }
}
