//! Write the corpus to a folder without scoring it:
//! `cargo run --release -p giayto-qr-bench --bin qr-corpus -- DIR [PER_CELL] [SEED]`.

use giayto_qr_bench::corpus;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/qr-corpus".into()));
    let per_cell = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let seed = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(giayto_qr_bench::SEED);
    std::fs::create_dir_all(&dir).expect("create the folder");
    for s in corpus::generate(seed, per_cell) {
        let path = dir.join(format!("{}.{}", s.id, s.ext));
        std::fs::write(&path, &s.bytes).expect("write");
        let found = giayto_qr_bench::peers::giayto(&s.bytes);
        println!(
            "{} {} {:.0} ms",
            path.display(),
            giayto_qr_bench::peers::codes_found(&s.expected, &found.texts),
            found.ms
        );
    }
}
