//! Reading what the user hands the CLI: files, stdin, QR images, times.

use std::io::Read;
use std::path::Path;

use crate::failure::{io_failure, Failure};

/// Largest input file read (a photo of a QR code can be several megabytes).
pub const MAX_INPUT: u64 = 32 * 1024 * 1024;
/// Largest JSON document read.
pub const MAX_JSON: u64 = 1024 * 1024;

/// Read a file, refusing more than `max` bytes.
pub fn read_file(path: &Path, max: u64) -> Result<Vec<u8>, Failure> {
    let file = std::fs::File::open(path).map_err(|e| io_failure(path, &e))?;
    // Sized once from the file's length (bounded by `max`): growing by doubling would copy a
    // national bundle several times (docs/decisions.md D199).
    let size = file.metadata().map_or(0, |m| m.len()).min(max + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_failure(path, &e))?;
    if bytes.len() as u64 > max {
        return Err(Failure::new("error-file-too-large")
            .arg("path", path.display())
            .arg("max", max));
    }
    Ok(bytes)
}

/// Read stdin, refusing more than `max` bytes.
pub fn read_stdin(max: u64) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_failure(Path::new("-"), &e))?;
    if bytes.len() as u64 > max {
        return Err(Failure::new("error-file-too-large")
            .arg("path", "-")
            .arg("max", max));
    }
    Ok(bytes)
}

/// Read and parse a JSON file.
pub fn read_json(path: &Path) -> Result<serde_json::Value, Failure> {
    let bytes = read_file(path, MAX_JSON)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure::new("error-bad-json")
            .arg("path", path.display())
            .arg("line", e.line())
            .arg("column", e.column())
    })
}

/// The QR texts an INPUT argument stands for: the text itself, `@file`, an image file, a text
/// file, or `-` for stdin (text or image bytes).
pub fn codes_from_input(input: &str) -> Result<Vec<String>, Failure> {
    let (bytes, origin) = if input == "-" {
        (read_stdin(MAX_INPUT)?, "-".to_owned())
    } else if let Some(path) = input.strip_prefix('@') {
        (read_file(Path::new(path), MAX_INPUT)?, path.to_owned())
    } else if looks_like_path(input) {
        (read_file(Path::new(input), MAX_INPUT)?, input.to_owned())
    } else {
        return Ok(vec![input.trim().to_owned()]);
    };
    codes_from_bytes(&bytes, &origin)
}

fn looks_like_path(input: &str) -> bool {
    let p = Path::new(input);
    p.is_file()
        || (!input.contains(':')
            && [".png", ".jpg", ".jpeg", ".txt", ".PNG", ".JPG", ".JPEG"]
                .iter()
                .any(|ext| input.ends_with(ext)))
}

/// The codes in file bytes: decoded from the image, or the text itself.
pub fn codes_from_bytes(bytes: &[u8], origin: &str) -> Result<Vec<String>, Failure> {
    if giayto_qr::is_image(bytes) {
        let codes = giayto_qr::decode_image_bytes(bytes).map_err(|e| {
            Failure::new("error-image")
                .arg("path", origin)
                .arg("detail", e)
        })?;
        if codes.is_empty() {
            return Err(Failure::new("error-no-qr-found").arg("path", origin));
        }
        return Ok(codes);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Failure::new("error-not-text").arg("path", origin))?;
    Ok(codes_in_text(text))
}

/// The codes in a text file: one per non-empty line (a QR text never holds a line break:
/// base45 has none), as `issue-batch` writes `credentials.txt`; an empty file is one empty
/// code, which verifies as malformed.
fn codes_in_text(text: &str) -> Vec<String> {
    let codes: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if codes.is_empty() {
        vec![String::new()]
    } else {
        codes
    }
}

/// Seconds since the epoch now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Parse `--at` (RFC 3339, e.g. 2027-01-31T08:00:00+07:00).
/// Times outside the wire format's range (docs/format.md §1: 1970 to the end of year 9999) are
/// refused here, so nothing later ever has to show them.
pub fn parse_time(s: &str) -> Result<i64, Failure> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .ok()
        .filter(|t| (0..=giayto_cose::cbor::MAX_TIME).contains(t))
        .ok_or_else(|| Failure::new("error-bad-time").arg("value", s))
}

/// A timestamp as RFC 3339 in Vietnam time (UTC+7).
pub fn rfc3339(ts: i64) -> String {
    giayto_verify::json::rfc3339(ts)
}

/// A timestamp as `dd/mm/yyyy HH:MM` in Vietnam time, for people; the plain number for a time
/// that has no date there (never a panic).
pub fn human_time(ts: i64) -> String {
    let Some(t) = giayto_verify::json::vietnam_time(ts) else {
        return ts.to_string();
    };
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_round_trip() {
        let t = parse_time("2026-11-23T10:00:00+07:00").unwrap();
        assert_eq!(t, 1_795_402_800);
        assert_eq!(rfc3339(t), "2026-11-23T10:00:00+07:00");
        assert_eq!(human_time(t), "23/11/2026 10:00");
        assert!(parse_time("23/11/2026").is_err());
    }

    #[test]
    fn text_input_is_passed_through() {
        assert_eq!(codes_from_input(" VN1:ABC ").unwrap(), vec!["VN1:ABC"]);
        assert!(codes_from_input("@/nonexistent/file.txt").is_err());
    }
}
