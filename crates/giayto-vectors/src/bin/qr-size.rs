//! Write the QR size report: `cargo run -p giayto-vectors --bin qr-size [-- FILE]` (default
//! `docs/qr-size.md`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("docs/qr-size.md"));
    let report = giayto_vectors::size::report();
    if let Err(e) = std::fs::write(&path, report.as_bytes()) {
        eprintln!("{}: {e}", path.display());
        return ExitCode::from(2);
    }
    print!("{report}");
    eprintln!("wrote {}", path.display());
    ExitCode::SUCCESS
}
