//! Hostile images (issue 12): the scanner's work stays within its budget, counted rather than
//! timed, and no panic inside an engine is printed. One test function, so that the panic hook
//! it installs sees every scan of this binary.

use std::sync::atomic::{AtomicUsize, Ordering};

use giayto_qr::image::{DynamicImage, GrayImage};
use giayto_qr::{
    decode_image_bytes, scan_with, Pass, ScanReport, Tone, DEFAULT_PASSES, MAX_FINDER_CANDIDATES,
    MAX_GRID_ATTEMPTS, MAX_SCAN_PIXEL_WORK,
};
use giayto_qr_bench::hostile;

/// Panics that reached the process's hook, i.e. would have been printed on stderr.
static PRINTED: AtomicUsize = AtomicUsize::new(0);

fn scan(name: &str, img: GrayImage) -> ScanReport {
    let report = scan_with(&DynamicImage::ImageLuma8(img), DEFAULT_PASSES);
    let w = report.work;
    eprintln!("{name}: {w:?}, {} codes", report.texts.len());
    assert!(w.pixels <= MAX_SCAN_PIXEL_WORK, "{name}: {w:?}");
    assert!(
        w.finder_candidates <= MAX_FINDER_CANDIDATES,
        "{name}: {w:?}"
    );
    assert!(w.grid_attempts <= MAX_GRID_ATTEMPTS, "{name}: {w:?}");
    assert!(
        w.passes as usize <= DEFAULT_PASSES.len() + 1,
        "{name}: {w:?}"
    );
    assert_eq!(
        PRINTED.load(Ordering::SeqCst),
        0,
        "{name}: a panic was printed"
    );
    report
}

#[test]
fn hostile_images_stay_within_the_budget_silently() {
    std::panic::set_hook(Box::new(|_| {
        PRINTED.fetch_add(1, Ordering::SeqCst);
    }));

    // 4×4 look-alikes of 1 px modules: few enough for rqrr to run, which then panics on an
    // assertion (caught, and not printed).
    let tiny = DynamicImage::ImageLuma8(hostile::finder_tiles_sized(32, 32, 1));
    let r = scan_with(&tiny, &[Pass::new(Tone::Grey, 100)]);
    assert!(
        r.work.grid_attempts > 0 && r.work.gave_up == 0,
        "{:?}",
        r.work
    );
    assert_eq!(
        PRINTED.load(Ordering::SeqCst),
        0,
        "rqrr's panic was printed"
    );

    // The image of issue 12 at the sizes reported there (2 s and 25 s before the budget).
    for side in [240, 600] {
        let r = scan(&format!("finder tiles {side}"), hostile::finder_tiles(side));
        assert!(r.texts.is_empty());
        assert!(
            r.work.gave_up > 0,
            "the limits are what stopped it: {:?}",
            r.work
        );
    }
    // Look-alikes of 1-pixel modules (the most per pixel), and at the largest accepted size.
    let r = scan(
        "finder tiles m1",
        hostile::finder_tiles_sized(1200, 1200, 1),
    );
    assert!(r.work.gave_up > 0, "{:?}", r.work);
    let r = scan(
        "finder tiles 8000x5000",
        hostile::finder_tiles_sized(8000, 5000, 3),
    );
    assert!(r.work.gave_up > 0, "{:?}", r.work);
    // No finder look-alike at all: the pixel budget alone bounds the largest image.
    let r = scan("checkerboard", hostile::checkerboard(2000, 2000, 3));
    assert_eq!(r.work.finder_candidates, 0);
    assert!(
        r.work.gave_up > 0,
        "the pixel budget cut the passes: {:?}",
        r.work
    );
    scan("noise 8000x5000", hostile::noise(8000, 5000, 2, 12));

    // Many small codes: a sheet of 10×10 is read, a sheet of 40×25 is given up on.
    let code = {
        let png = giayto_qr::render_png(
            "VN1:HOSTILE SHEET",
            &giayto_qr::RenderOptions {
                module_px: 2,
                ..giayto_qr::RenderOptions::default()
            },
        )
        .expect("render");
        giayto_qr::image::load_from_memory(&png)
            .expect("own PNG")
            .to_luma8()
    };
    let r = scan("10x10 codes", hostile::many_codes(&code, 10, 10));
    assert_eq!(r.texts, ["VN1:HOSTILE SHEET"]);
    let r = scan("40x25 codes", hostile::many_codes(&code, 40, 25));
    assert!(r.work.gave_up > 0, "{:?}", r.work);

    // Through the byte loader, as `giayto qr decode` reads a file: "no code found".
    let png = hostile::png(&hostile::finder_tiles(600));
    assert_eq!(
        decode_image_bytes(&png).expect("a valid PNG"),
        Vec::<String>::new()
    );
    assert_eq!(PRINTED.load(Ordering::SeqCst), 0);

    // The hook does count panics: one outside the scanner is seen.
    let _ = std::panic::catch_unwind(|| panic!("counted"));
    assert_eq!(PRINTED.load(Ordering::SeqCst), 1);
}
