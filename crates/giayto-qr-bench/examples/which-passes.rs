//! Which scan passes, alone, decode each given image: for looking into a failure in the
//! corpus (`target/qr-corpus/results.tsv` lists them).
//! `cargo run --release -p giayto-qr-bench --example which-passes -- IMAGE...`

use giayto_qr::{scan_with, Pass, Tone};

fn main() {
    let tones = [
        Tone::Grey,
        Tone::Inverted,
        Tone::Adaptive,
        Tone::AdaptiveInverted,
        Tone::BlurAdaptive,
        Tone::AdaptiveFine,
        Tone::Zx,
        Tone::ZxInverted,
        Tone::ZxSmooth,
        Tone::ZxStretch,
        Tone::ZxSharpen,
    ];
    for file in std::env::args().skip(1) {
        let img = match image::open(&file) {
            Ok(img) => img,
            Err(e) => {
                eprintln!("{file}: {e}");
                continue;
            }
        };
        let mut ok = Vec::new();
        for tone in tones {
            for scale in [33u16, 50, 66, 80, 100, 125, 150, 200] {
                let pass = Pass::new(tone, scale);
                if !scan_with(&img, &[pass]).texts.is_empty() {
                    ok.push(pass.name());
                }
            }
        }
        println!("{file}: {ok:?}");
    }
}
