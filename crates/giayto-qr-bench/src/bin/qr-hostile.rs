//! Decodes the adversarial images of `giayto_qr_bench::hostile` with the default passes and
//! prints, per image, the CPU time spent (user + system, from `/proc/self/stat`, 10 ms
//! resolution), the passes run and the scanner's work counter. `--per-pass` times every
//! default pass alone instead. The figures of docs/qr-robustness.md come from this tool.
//!
//! `cargo run --release -p giayto-qr-bench --bin qr-hostile -- [--per-pass] [NAME...]`

use std::time::Instant;

use giayto_qr::{scan_with, DEFAULT_PASSES};
use giayto_qr_bench::hostile;

/// CPU time of this process so far, in seconds (Linux only; `None` elsewhere).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn cases() -> Vec<(String, image::GrayImage)> {
    let code = {
        let png = giayto_qr::render_png(
            "VN1:HOSTILE SHEET",
            &giayto_qr::RenderOptions {
                module_px: 2,
                ..giayto_qr::RenderOptions::default()
            },
        )
        .expect("render a small code");
        image::load_from_memory(&png).expect("own PNG").to_luma8()
    };
    vec![
        ("finder-tiles-240".into(), hostile::finder_tiles(240)),
        ("finder-tiles-600".into(), hostile::finder_tiles(600)),
        ("finder-tiles-1200".into(), hostile::finder_tiles(1200)),
        ("finder-tiles-4000".into(), hostile::finder_tiles(4000)),
        (
            "finder-tiles-8000x5000".into(),
            hostile::finder_tiles_sized(8000, 5000, 3),
        ),
        (
            "finder-tiles-m1-2000".into(),
            hostile::finder_tiles_sized(2000, 2000, 1),
        ),
        (
            "finder-tiles-m8-4000".into(),
            hostile::finder_tiles_sized(4000, 4000, 8),
        ),
        (
            "checkerboard-2000".into(),
            hostile::checkerboard(2000, 2000, 3),
        ),
        (
            "checkerboard-8000x5000".into(),
            hostile::checkerboard(8000, 5000, 2),
        ),
        ("noise-2000".into(), hostile::noise(2000, 2000, 2, 1)),
        ("noise-8000x5000".into(), hostile::noise(8000, 5000, 2, 1)),
        (
            "many-codes-10x10".into(),
            hostile::many_codes(&code, 10, 10),
        ),
        (
            "many-codes-40x25".into(),
            hostile::many_codes(&code, 40, 25),
        ),
    ]
}

fn main() {
    let mut per_pass = false;
    let mut only = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--per-pass" {
            per_pass = true;
        } else {
            only.push(a);
        }
    }
    for (name, img) in cases() {
        if !only.is_empty() && !only.iter().any(|o| name.contains(o.as_str())) {
            continue;
        }
        let bytes = hostile::png(&img);
        let (w, h) = img.dimensions();
        drop(img);
        if per_pass {
            let dynimg = image::load_from_memory(&bytes).expect("own PNG");
            for pass in DEFAULT_PASSES {
                let (c0, t0) = (cpu_seconds(), Instant::now());
                let report = scan_with(&dynimg, &[*pass]);
                let cpu = c0.and_then(|c0| Some(cpu_seconds()? - c0));
                println!(
                    "{name}\t{}\tcpu {}\twall {:.2} s\tcodes {}",
                    pass.name(),
                    cpu.map_or("-".into(), |c| format!("{c:.2} s")),
                    t0.elapsed().as_secs_f64(),
                    report.texts.len()
                );
            }
            continue;
        }
        // What `decode_image_bytes` does (its size checks aside), keeping the scan's report.
        let (c0, t0) = (cpu_seconds(), Instant::now());
        let report = image::load_from_memory(&bytes).map(|img| scan_with(&img, DEFAULT_PASSES));
        let cpu = c0.and_then(|c0| Some(cpu_seconds()? - c0));
        let outcome = match report {
            Ok(r) => format!(
                "{} codes\tpasses {}\tpixel work {} M\tfinder candidates {}\tgrids {}\tgave up {}",
                r.texts.len(),
                r.work.passes,
                r.work.pixels / 1_000_000,
                r.work.finder_candidates,
                r.work.grid_attempts,
                r.work.gave_up
            ),
            Err(e) => format!("error: {e}"),
        };
        println!(
            "{name}\t{w}x{h}\t{} KiB\tcpu {}\twall {:.2} s\t{outcome}",
            bytes.len() / 1024,
            cpu.map_or("-".into(), |c| format!("{c:.2} s")),
            t0.elapsed().as_secs_f64(),
        );
    }
}
