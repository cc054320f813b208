//! Running the decoders on corpus files: giayto in-process, zbar and zxing-cpp as external
//! programs (only the `qr-bench` binary uses the latter two).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What one decoder made of one image.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The texts it reported.
    pub texts: Vec<String>,
    /// Time for this image in milliseconds (see the report's method for what it includes).
    pub ms: f64,
}

/// giayto's decoder on the file's bytes (image decoding included in the time).
pub fn giayto(bytes: &[u8]) -> Outcome {
    let start = Instant::now();
    let texts = giayto_qr::decode_image_bytes(bytes).unwrap_or_default();
    Outcome {
        texts,
        ms: start.elapsed().as_secs_f64() * 1e3,
    }
}

/// The version line of zbarimg, or `None` when it is not installed.
pub fn zbar_version() -> Option<String> {
    let out = Command::new("zbarimg").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// zbar on one file: `zbarimg --quiet --raw --nodbus -Sdisable -Sqrcode.enable FILE`, one
/// process per image (the time includes starting it).
pub fn zbar(file: &Path) -> Outcome {
    let start = Instant::now();
    let out = Command::new("zbarimg")
        .args([
            "--quiet",
            "--raw",
            "--nodbus",
            "-Sdisable",
            "-Sqrcode.enable",
        ])
        .arg(file)
        .stderr(Stdio::null())
        .output();
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let texts = match out {
        Ok(o) => String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        Err(_) => Vec::new(),
    };
    Outcome { texts, ms }
}

/// The folder of the node script that runs zxing-wasm.
pub fn zxing_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/zxing")
}

/// The installed zxing-wasm version, or `None` when `npm ci` has not been run there.
pub fn zxing_version() -> Option<String> {
    let pkg = zxing_dir().join("node_modules/zxing-wasm/package.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(pkg).ok()?).ok()?;
    Some(format!("zxing-wasm {}", v["version"].as_str()?))
}

/// zxing-cpp on every file, in one node process; the time is measured inside it per image
/// (decoding the image file included, process start excluded).
pub fn zxing(files: &[PathBuf]) -> std::io::Result<Vec<Outcome>> {
    let mut child = Command::new("node")
        .arg(zxing_dir().join("scan.mjs"))
        .current_dir(zxing_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    {
        let mut stdin = child.stdin.take().expect("piped");
        for f in files {
            writeln!(stdin, "{}", f.display())?;
        }
    }
    let out = child.wait_with_output()?;
    let mut by_file = std::collections::HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let texts = v["texts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        by_file.insert(
            v["file"].as_str().unwrap_or_default().to_owned(),
            Outcome {
                texts,
                ms: v["ms"].as_f64().unwrap_or(0.0),
            },
        );
    }
    Ok(files
        .iter()
        .map(|f| by_file.remove(&f.display().to_string()).unwrap_or_default())
        .collect())
}

/// True when every expected text was found.
pub fn decoded(expected: &[String], found: &[String]) -> bool {
    expected.iter().all(|e| found.contains(e))
}

/// How many of the expected texts were found.
pub fn codes_found(expected: &[String], found: &[String]) -> usize {
    expected.iter().filter(|e| found.contains(e)).count()
}
