//! Which scan passes, alone, decode each given image: for looking into a failure in the
//! corpus (`target/qr-corpus/results.tsv` lists them).
//! `cargo run --release -p giayto-qr-bench --example which-passes -- IMAGE...`

use giayto_qr::{scan_with, Pass, Tone};

fn main() {
    let tones = Tone::ALL;
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
            for scale in giayto_qr_bench::CANDIDATE_SCALES {
                let pass = Pass::new(tone, scale);
                if !scan_with(&img, &[pass]).texts.is_empty() {
                    ok.push(pass.name());
                }
            }
        }
        println!("{file}: {ok:?}");
    }
}
