//! `giayto issue-batch`: many credentials from a CSV or JSON-lines file.
//!
//! Resumable by construction. Each chunk of rows is recorded in the registry in one
//! transaction together with the input line each credential came from, under a batch id
//! derived from the input's bytes and the options. Run the same command again after a crash
//! (even `kill -9`) and every line already recorded is signed again from its registry record
//! — Ed25519 is deterministic, so the text is byte for byte the one issued the first time —
//! while only the remaining lines get new credentials. The output file is written under a
//! temporary name and renamed when complete, so a finished output is always whole.
//!
//! One run at a time per output folder: a run holds an exclusive lock on `OUT_DIR/.batch.lock`
//! (an advisory `flock`, which the system releases when the process ends, killed or not), and
//! a second run into the same folder is refused at once instead of writing over the first
//! one's temporary files.
//!
//! Pipelined (docs/decisions.md D167, [`Stages`]): one thread reads and validates the rows, this
//! one records each chunk in the registry, persistent signing threads (one per core) sign the
//! chunk recorded before while the next one is recorded and fsynced, and a writer thread writes
//! the output in input order. A credential is signed only after its row is committed.
//!
//! Input lines are read with a bounded reader: a line longer than 256 KiB is never held in
//! memory whole, only skipped to its end, and is reported as a bad row by its line number.
//!
//! Over 600 lines on purpose: reading rows, recovering an interrupted batch, signing, recording
//! and writing share one invariant (nothing lost, nothing issued twice) that is easier to check
//! in one file. Its tests are in `batch/tests.rs`.

use std::collections::HashMap;
use std::io::{BufRead, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

use clap::Args;
use giayto_issuer::registry::CredentialRecord;
use giayto_issuer::{BatchItem, IssueOptions, Issuer};
use giayto_model::{DocType, Document, FieldError};
use giayto_qr::{EccLevel, RenderOptions};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::issue::field_failure;
use super::issuer::issuer_failure;
use super::{doc_type, print_json, write_atomic};
use crate::failure::{io_failure, CmdResult, Failure, EXIT_ERROR, EXIT_OK};
use crate::i18n::{tr, tr_args};
use crate::input::now;
use crate::secrets;
use crate::Out;

/// Output file of QR texts, one per issued line, in input order.
pub const TEXTS_FILE: &str = "credentials.txt";
/// With `--also claim169`: one Claim 169 code per line, line for line with [`TEXTS_FILE`].
pub const CLAIM169_FILE: &str = "claim169.txt";
/// Per-line report: line, serial, outcome.
pub const INDEX_FILE: &str = "index.csv";
const MANIFEST_FILE: &str = "batch.json";
/// The lock file a run holds in its output folder.
pub const LOCK_FILE: &str = ".batch.lock";
/// Longest input line accepted.
const MAX_LINE: usize = 256 * 1024;

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// The issuer folder.
    #[arg(long)]
    pub dir: PathBuf,
    /// Document type: cccd, gplx, vehicle, bhyt or bhxh.
    #[arg(long = "type")]
    pub doc_type: String,
    /// Input: .csv (a header row of field names) or .jsonl (one JSON object per line), with
    /// the field names of `issue`; optional column `holder_key`: the holder's public key in hex;
    /// with --copies, column `holder_keys`: the one-time keys in hex (a JSON list, or separated
    /// by spaces).
    #[arg(long)]
    pub input: PathBuf,
    /// Output folder: credentials.txt (one QR text per line), index.csv, summary.json.
    #[arg(long)]
    pub out_dir: PathBuf,
    /// Also write one PNG per credential into OUT_DIR/png/.
    #[arg(long)]
    pub png: bool,
    /// Also make the selective-disclosure copy of each holder-bound credential, one
    /// owner-only file per credential in OUT_DIR/sd/ (LINE-SERIAL.sd), for `giayto wallet
    /// add --sd`.
    #[arg(long)]
    pub sd: bool,
    /// With --sd: N one-time copies per holder-bound credential instead of one, each for one of
    /// the row's N `holder_keys`, so that its holder's presentations cannot be linked.
    #[arg(long, value_name = "N")]
    pub copies: Option<u32>,
    /// Stop at the first bad row, before issuing anything.
    #[arg(long)]
    pub strict: bool,
    /// Days of validity (capped by each document's own expiry).
    #[arg(long, default_value_t = 1825)]
    pub valid_days: u32,
    /// Assurance level of the holders' identity accounts: 1 or 2.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: u8,
    /// Rows per registry transaction: a larger chunk writes fewer bytes to the registry per
    /// credential and holds more rows in memory (decisions.md D205).
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub chunk: u32,
    /// Also make each person's code in another format, signed by the same key: `claim169`
    /// (MOSIP ID Claim 169; identity cards only) into OUT_DIR/claim169.txt, line for line
    /// with credentials.txt, and with --png one LINE-SERIAL.claim169.png each.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub also: Vec<super::Also>,
}

/// A row's document, holder key and one-time keys (`holder_keys`).
type Parsed = (Document, Option<[u8; 32]>, Vec<[u8; 32]>);

/// One input row, parsed.
struct Row {
    line: u64,
    parsed: Result<Parsed, FieldError>,
}

enum Format {
    Csv,
    Jsonl,
}

fn format_of(path: &Path) -> Result<Format, Failure> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".csv") {
        Ok(Format::Csv)
    } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        Ok(Format::Jsonl)
    } else {
        Err(Failure::new("error-batch-format").arg("path", path.display()))
    }
}

fn bad_row(field: &str, kind: giayto_model::FieldErrorKind) -> FieldError {
    FieldError {
        field: field.to_owned(),
        kind,
    }
}

/// A row that is not a record at all (not a JSON object, a CSV row of the wrong width).
fn malformed_row(expected: &'static str) -> FieldError {
    bad_row("-", giayto_model::FieldErrorKind::WrongType { expected })
}

/// A public key in hex, or the bad row of `field`.
fn hex_key(field: &str, h: &str) -> Result<[u8; 32], FieldError> {
    hex::decode(h.trim())
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
        .filter(|k| ed25519_dalek::VerifyingKey::from_bytes(k).is_ok())
        .ok_or_else(|| bad_row(field, giayto_model::FieldErrorKind::InvalidKey))
}

/// Turn one input object into a document, optional holder key and one-time keys.
fn parse_object(doc_type: DocType, mut obj: Map<String, Value>) -> Result<Parsed, FieldError> {
    let holder_key = match obj.remove("holder_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(h)) if h.is_empty() => None,
        Some(Value::String(h)) => Some(hex_key("holder_key", &h)?),
        Some(_) => {
            return Err(bad_row(
                "holder_key",
                giayto_model::FieldErrorKind::InvalidKey,
            ))
        }
    };
    let one_time = match obj.remove("holder_keys") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(h)) => h
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|k| !k.is_empty())
            .map(|k| hex_key("holder_keys", k))
            .collect::<Result<_, _>>()?,
        Some(Value::Array(keys)) => keys
            .iter()
            .map(|k| match k {
                Value::String(h) => hex_key("holder_keys", h),
                _ => Err(bad_row(
                    "holder_keys",
                    giayto_model::FieldErrorKind::InvalidKey,
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(bad_row(
                "holder_keys",
                giayto_model::FieldErrorKind::InvalidKey,
            ))
        }
    };
    let document = Document::from_json(doc_type, &Value::Object(obj))?;
    // A book's summary may not be dated after today (docs/format.md §4.6): a bad row, not a
    // failed batch.
    if let Some(day) = giayto_model::date::vietnam_date(now()) {
        document.check_signed_on(day)?;
    }
    Ok((document, holder_key, one_time))
}

/// A row's one-time keys against `--copies N`: a holder-bound row gets exactly N distinct keys,
/// none its holder key; a row without a holder key gets none; without `--copies`, no row has
/// any (`holder_keys` is then a mistake, not something to ignore).
fn check_copies(
    parsed: Result<Parsed, FieldError>,
    copies: Option<u32>,
) -> Result<Parsed, FieldError> {
    let (doc, key, one_time) = parsed?;
    let wrong = |kind| Err(bad_row("holder_keys", kind));
    match (copies, key) {
        (Some(n), Some(k)) => {
            if one_time.len() != n as usize {
                return wrong(giayto_model::FieldErrorKind::WrongType {
                    expected: "one holder key per copy (--copies)",
                });
            }
            if super::copies::check_distinct(&one_time, Some(&k)).is_err() {
                return wrong(giayto_model::FieldErrorKind::InvalidKey);
            }
        }
        _ if !one_time.is_empty() => {
            return wrong(giayto_model::FieldErrorKind::WrongType {
                expected: "holder_keys only with holder_key and --copies",
            })
        }
        _ => {}
    }
    Ok((doc, key, one_time))
}

/// A CSV cell as JSON: lists and objects (licence classes) are written as JSON in the cell;
/// the numeric fields (a vehicle's seats and engine capacity, a health insurance card's
/// benefit level, a social insurance book's months paid) as numbers; everything else as text.
/// Empty cells are absent.
fn cell_value(column: &str, cell: &str) -> Option<Value> {
    let t = cell.trim();
    if t.is_empty() {
        return None;
    }
    if t.starts_with('[') || t.starts_with('{') {
        if let Ok(v) = serde_json::from_str(t) {
            return Some(v);
        }
    }
    if matches!(
        column,
        "seats" | "engine_capacity_cc" | "benefit_level" | "months_paid"
    ) {
        if let Ok(n) = t.parse::<u64>() {
            return Some(json!(n));
        }
    }
    Some(Value::String(t.to_owned()))
}

/// How [`read_line_bounded`] found the next line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineRead {
    /// No more input.
    End,
    /// A line of at most the limit, now in the buffer (without its `\n`).
    Line,
    /// A line longer than the limit: read to its end and dropped; the buffer is empty.
    TooLong,
}

/// Read the next line of `reader` (without its `\n`) into `buf`, holding at most `max`
/// bytes of it: a longer line is consumed to its end a buffer at a time and dropped, so the
/// memory used stays bounded by `max` plus the reader's buffer whatever the input.
fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<LineRead> {
    buf.clear();
    let (mut seen, mut too_long) = (false, false);
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (seen, too_long) {
                (false, _) => LineRead::End,
                (true, false) => LineRead::Line,
                (true, true) => LineRead::TooLong,
            });
        }
        seen = true;
        let (take, end_of_line) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (available.len(), false),
        };
        if !too_long {
            if buf.len() + take > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(&available[..take]);
            }
        }
        reader.consume(take + usize::from(end_of_line));
        if end_of_line {
            return Ok(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}

/// The input as the CSV parser reads it: line by line through [`read_line_bounded`], each
/// line of at most [`MAX_LINE`] bytes as it is and a longer one as [`CUT_LINE`], its number
/// noted in `cut` (the record the parser makes of it is then reported as too long). Line
/// numbers stay those of the file.
const CUT_LINE: &[u8] = b",";

struct BoundedLines<R> {
    inner: R,
    line: Vec<u8>,
    pos: usize,
    line_no: u64,
    ended: bool,
    cut: std::collections::VecDeque<u64>,
}

impl<R: BufRead> BoundedLines<R> {
    fn new(inner: R) -> Self {
        BoundedLines {
            inner,
            line: Vec::new(),
            pos: 0,
            line_no: 0,
            ended: false,
            cut: std::collections::VecDeque::new(),
        }
    }
}

impl<R: BufRead> Read for BoundedLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.line.len() {
            if self.ended {
                return Ok(0);
            }
            match read_line_bounded(&mut self.inner, &mut self.line, MAX_LINE)? {
                LineRead::End => {
                    self.ended = true;
                    return Ok(0);
                }
                LineRead::Line => self.line_no += 1,
                LineRead::TooLong => {
                    self.line_no += 1;
                    self.cut.push_back(self.line_no);
                    // Not an empty line: the parser would skip it without counting its line.
                    self.line.extend_from_slice(CUT_LINE);
                }
            }
            self.line.push(b'\n');
            self.pos = 0;
        }
        let n = out.len().min(self.line.len() - self.pos);
        out[..n].copy_from_slice(&self.line[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The line a CSV record starts on. The parser's own record position is where it started
/// looking, before any blank lines it skipped; counting back from where the record ended (the
/// line after its terminator, which [`BoundedLines`] always supplies) is right either way,
/// for records spanning lines (newlines in quoted cells) too.
fn record_line<R: Read>(csv: &csv::Reader<R>, record: &csv::StringRecord) -> u64 {
    let inner: u64 = record
        .iter()
        .map(|cell| cell.bytes().filter(|&b| b == b'\n').count() as u64)
        .sum();
    csv.position().line().saturating_sub(1 + inner)
}

/// The bad row of a line longer than [`MAX_LINE`].
fn too_long_row(line: u64) -> Row {
    Row {
        line,
        parsed: Err(bad_row(
            "-",
            giayto_model::FieldErrorKind::TooLong { max: MAX_LINE },
        )),
    }
}

/// Read every row of the input, calling `f` on each (in order). Unreadable files fail;
/// unreadable rows, and lines longer than [`MAX_LINE`], become row errors.
fn for_each_row(
    path: &Path,
    doc_type: DocType,
    mut f: impl FnMut(Row) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let file = std::fs::File::open(path).map_err(|e| io_failure(path, &e))?;
    let mut reader = std::io::BufReader::new(file);
    match format_of(path)? {
        Format::Jsonl => {
            let mut bytes = Vec::new();
            let mut line_no = 0u64;
            loop {
                let read = read_line_bounded(&mut reader, &mut bytes, MAX_LINE)
                    .map_err(|e| io_failure(path, &e))?;
                line_no += 1;
                let parsed = match read {
                    LineRead::End => break,
                    LineRead::TooLong => {
                        f(too_long_row(line_no))?;
                        continue;
                    }
                    LineRead::Line => {
                        let text = String::from_utf8_lossy(&bytes);
                        if text.trim().is_empty() {
                            continue;
                        }
                        match serde_json::from_str::<Value>(text.trim()) {
                            Ok(Value::Object(obj)) => parse_object(doc_type, obj),
                            _ => Err(malformed_row("object")),
                        }
                    }
                };
                f(Row {
                    line: line_no,
                    parsed,
                })?;
            }
        }
        Format::Csv => {
            let mut csv = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(BoundedLines::new(reader));
            let header_failure = || Failure::new("error-batch-header").arg("path", path.display());
            let header = csv.headers().map_err(|_| header_failure())?;
            // A header line too long to read is no header (the parser skipped it and took the
            // next line instead).
            let header_line = header.position().map_or(1, |p| p.line());
            let headers: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
            if csv
                .get_ref()
                .cut
                .front()
                .is_some_and(|&cut| cut <= header_line)
            {
                return Err(header_failure());
            }
            let mut record = csv::StringRecord::new();
            'records: loop {
                let read = csv.read_record(&mut record);
                let (line_no, parsed) = match read {
                    Ok(false) => break,
                    Ok(true) => {
                        let line_no = record_line(&csv, &record);
                        let parsed = if record.len() != headers.len() {
                            Err(malformed_row("row with one cell per column"))
                        } else {
                            let obj: Map<String, Value> = headers
                                .iter()
                                .zip(record.iter())
                                .filter_map(|(h, c)| cell_value(h, c).map(|v| (h.clone(), v)))
                                .collect();
                            parse_object(doc_type, obj)
                        };
                        (line_no, parsed)
                    }
                    Err(e) => {
                        if let csv::ErrorKind::Io(io) = e.kind() {
                            return Err(io_failure(path, io));
                        }
                        (
                            e.position().map_or(0, |p| p.line()),
                            Err(malformed_row("CSV row")),
                        )
                    }
                };
                // Over-long lines up to this record, in line order; a record that stands for
                // one is reported as that line, too long.
                while let Some(cut) = csv.get_ref().cut.front().copied() {
                    if cut > line_no {
                        break;
                    }
                    csv.get_mut().cut.pop_front();
                    f(too_long_row(cut))?;
                    if cut == line_no {
                        continue 'records;
                    }
                }
                f(Row {
                    line: line_no,
                    parsed,
                })?;
            }
            while let Some(cut) = csv.get_mut().cut.pop_front() {
                f(too_long_row(cut))?;
            }
        }
    }
    Ok(())
}

fn batch_id(
    path: &Path,
    a: &BatchArgs,
    doc_type: DocType,
    issuer: &str,
) -> Result<String, Failure> {
    let mut h = Sha256::new();
    let mut file = std::fs::File::open(path).map_err(|e| io_failure(path, &e))?;
    std::io::copy(&mut file, &mut h).map_err(|e| io_failure(path, &e))?;
    h.update(
        format!(
            "|{}|{}|{}|{}",
            issuer,
            doc_type.as_str(),
            a.valid_days,
            a.level
        )
        .as_bytes(),
    );
    // Added only with copies, so the id of a batch without them is what it always was.
    if let Some(n) = a.copies {
        h.update(format!("|copies={n}").as_bytes());
    }
    Ok(giayto_verify::hex_lower(&h.finalize()[..16]))
}

/// Lines that are not blank (for the progress bar), counted without holding any line whole.
fn count_lines(path: &Path) -> Result<u64, Failure> {
    let file = std::fs::File::open(path).map_err(|e| io_failure(path, &e))?;
    let mut reader = std::io::BufReader::new(file);
    let (mut n, mut blank) = (0u64, true);
    loop {
        let chunk = match reader.fill_buf() {
            Ok([]) => break,
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_failure(path, &e)),
        };
        for &b in chunk {
            if b == b'\n' {
                n += u64::from(!blank);
                blank = true;
            } else if !b.is_ascii_whitespace() {
                blank = false;
            }
        }
        let len = chunk.len();
        reader.consume(len);
    }
    Ok(n + u64::from(!blank))
}

fn progress_bar(total: u64, out: Out) -> indicatif::ProgressBar {
    let visible = !out.json
        && std::io::stderr().is_terminal()
        && std::env::var_os("GIAYTO_NO_PROGRESS").is_none();
    if !visible {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{wide_bar}] {pos}/{len} · {rate} · ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        ),
    );
    bar
}

/// What one chunk of rows turned into, in line order.
enum Outcome {
    Issued(
        u64,
        giayto_issuer::Issued,
        bool,
        Option<Vec<u8>>,
        Option<String>,
    ),
    Bad(u64, FieldError),
}

struct Writer {
    texts: BufWriter<std::fs::File>,
    index: BufWriter<std::fs::File>,
    /// OUT_DIR/claim169.txt while it is written, with `--also claim169`.
    claim169: Option<BufWriter<std::fs::File>>,
    png_dir: Option<PathBuf>,
    sd_dir: Option<PathBuf>,
    new: u64,
    recovered: u64,
    bad: Vec<(u64, FieldError)>,
}

impl Writer {
    fn write(&mut self, outcome: Outcome, texts_path: &Path) -> Result<(), Failure> {
        let io = |e: std::io::Error| io_failure(texts_path, &e);
        match outcome {
            Outcome::Issued(line, issued, recovered, sd, claim169) => {
                let serial = giayto_verify::hex_lower(&issued.serial);
                writeln!(self.texts, "{}", issued.text).map_err(io)?;
                if let (Some(w), Some(c)) = (&mut self.claim169, &claim169) {
                    writeln!(w, "{c}").map_err(io)?;
                }
                writeln!(
                    self.index,
                    "{line},{serial},{}",
                    if recovered { "recovered" } else { "issued" }
                )
                .map_err(io)?;
                if let Some(dir) = &self.png_dir {
                    let png = giayto_qr::render_png(
                        &issued.text,
                        &RenderOptions {
                            ecc: EccLevel::Q,
                            ..RenderOptions::default()
                        },
                    )
                    .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
                    write_atomic(&dir.join(format!("{line}-{serial}.png")), &png)?;
                    if let Some(c) = &claim169 {
                        let png = giayto_qr::render_png(
                            c,
                            &RenderOptions {
                                ecc: EccLevel::Q,
                                ..RenderOptions::default()
                            },
                        )
                        .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
                        write_atomic(&dir.join(format!("{line}-{serial}.claim169.png")), &png)?;
                    }
                }
                if let (Some(dir), Some(sd)) = (&self.sd_dir, sd) {
                    // The folder is owner-only: these files hold every value and salt.
                    write_atomic(&dir.join(format!("{line}-{serial}.sd")), &sd)?;
                }
                if recovered {
                    self.recovered += 1;
                } else {
                    self.new += 1;
                }
            }
            Outcome::Bad(line, e) => {
                writeln!(self.index, "{line},,error:{}:{}", e.field, e.kind.code()).map_err(io)?;
                self.bad.push((line, e));
            }
        }
        Ok(())
    }
}

/// A row with what the registry holds for it: its records (the document's and its one-time
/// copies') and whether an earlier run recorded them (a resumed line).
struct Work {
    line: u64,
    parsed: Result<Parsed, FieldError>,
    recorded: Option<(giayto_issuer::RecordedItem, bool)>,
}

/// A part of a recorded chunk for one signing thread: the chunk's number, its rows, the range.
type Job = (u64, usize, Arc<Vec<Work>>, std::ops::Range<usize>);
/// A signed part: the chunk's number, the part's number, its outcomes in line order.
type Signed = (u64, usize, Result<Vec<Outcome>, Failure>);

/// The batch as a pipeline (docs/decisions.md D167): a thread reads and validates rows in
/// chunks; this thread records each chunk in the registry (one transaction, fsynced) and hands
/// it to persistent signing threads, one per core, cut in one part per thread; a writer thread
/// puts the signed parts back in line order and writes them out. While the signing threads sign
/// chunk k, the registry records chunk k+1, so the fsync waits overlap the signing. Nothing is
/// signed before its row is committed, and the output is still in input order. The channels
/// are bounded, so memory stays at a few chunks whatever the input's size.
struct Stages<'a> {
    input: &'a Path,
    doc_type: DocType,
    copies: Option<u32>,
    sd: bool,
    chunk: usize,
    batch_id: &'a str,
    options: &'a IssueOptions,
    done: &'a HashMap<u64, CredentialRecord>,
    threads: usize,
    texts_path: &'a Path,
    /// `--also claim169`: each identity card's Claim 169 code too.
    claim169: bool,
}

impl Stages<'_> {
    fn run(
        &self,
        issuer: &mut Issuer,
        writer: Writer,
        bar: &indicatif::ProgressBar,
    ) -> Result<Writer, Failure> {
        let signer = issuer.signer();
        std::thread::scope(|s| {
            let (row_tx, row_rx) = mpsc::sync_channel::<Vec<Row>>(2);
            let reader = s.spawn(move || self.read(row_tx));
            let (job_tx, job_rx) = mpsc::sync_channel::<Job>(2 * self.threads);
            let job_rx = Arc::new(Mutex::new(job_rx));
            let (out_tx, out_rx) = mpsc::sync_channel::<Signed>(4 * self.threads);
            for _ in 0..self.threads {
                let (job_rx, out_tx, signer) = (Arc::clone(&job_rx), out_tx.clone(), &signer);
                s.spawn(move || self.sign(signer, &job_rx, &out_tx));
            }
            // Only the signing threads hold the two ends now: when they stop, the registry
            // stage's sends fail instead of blocking, and the writer sees the end.
            drop(job_rx);
            drop(out_tx);
            let written = s.spawn(move || self.write(writer, out_rx, bar));
            let recorded = self.record(issuer, row_rx, job_tx);
            let written = written
                .join()
                .unwrap_or_else(|_| Err(Failure::new("error-sign")));
            let read = reader
                .join()
                .unwrap_or_else(|_| Err(Failure::new("error-sign")));
            // The first failure in line order of the stages: the reader's (the input), then
            // the registry's, then the writer's; a stage stopped by another's failure reports
            // nothing of its own.
            read?;
            recorded?;
            written
        })
    }

    /// Read and validate every row, sending them in chunks. Stops quietly when the registry
    /// stage has stopped.
    fn read(&self, tx: mpsc::SyncSender<Vec<Row>>) -> Result<(), Failure> {
        let mut chunk = Vec::with_capacity(self.chunk);
        let mut stopped = false;
        let sent = for_each_row(self.input, self.doc_type, |row| {
            chunk.push(Row {
                line: row.line,
                parsed: check_copies(row.parsed, self.copies),
            });
            if chunk.len() >= self.chunk {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(self.chunk));
                if tx.send(full).is_err() {
                    stopped = true;
                    return Err(Failure::new("error-sign"));
                }
            }
            Ok(())
        });
        if stopped {
            // The registry stage stopped: its failure is the one reported.
            return Ok(());
        }
        sent?;
        if !chunk.is_empty() {
            // A failed send means the registry stage stopped; its failure is the one reported.
            let _ = tx.send(chunk);
        }
        Ok(())
    }

    /// Record each chunk (one transaction) and hand it to the signing threads.
    fn record(
        &self,
        issuer: &mut Issuer,
        rows: mpsc::Receiver<Vec<Row>>,
        jobs: mpsc::SyncSender<Job>,
    ) -> Result<(), Failure> {
        for (number, chunk) in rows.into_iter().enumerate() {
            let mut items = Vec::new();
            for row in &chunk {
                if let Ok((doc, key, one_time)) = &row.parsed {
                    if !self.done.contains_key(&row.line) {
                        items.push(BatchItem {
                            document: doc,
                            options: IssueOptions {
                                holder_key: *key,
                                one_time_keys: if self.sd {
                                    one_time.clone()
                                } else {
                                    Vec::new()
                                },
                                ..self.options.clone()
                            },
                            line: row.line,
                        });
                    }
                }
            }
            let mut fresh = issuer
                .record_items(&items, Some(self.batch_id), now())
                .map_err(|e| issuer_failure(&e))?
                .into_iter();
            drop(items);
            let mut work = Vec::with_capacity(chunk.len());
            for row in chunk {
                let recorded = match (&row.parsed, self.done.get(&row.line)) {
                    (Err(_), _) => None,
                    // A resumed line signs its recorded copies again (D110): same serials,
                    // keys and status entries, new salts.
                    (Ok((_, _, one_time)), Some(record)) => {
                        let copies = if self.sd && !one_time.is_empty() {
                            issuer
                                .copy_records(&record.serial)
                                .map_err(|e| issuer_failure(&e))?
                        } else {
                            Vec::new()
                        };
                        let item = giayto_issuer::RecordedItem {
                            record: record.clone(),
                            copies,
                        };
                        Some((item, true))
                    }
                    (Ok(_), None) => Some((
                        fresh.next().ok_or_else(|| Failure::new("error-sign"))?,
                        false,
                    )),
                };
                work.push(Work {
                    line: row.line,
                    parsed: row.parsed,
                    recorded,
                });
            }
            let work = Arc::new(work);
            let per_part = work.len().div_ceil(self.threads);
            for part in 0..self.threads {
                let start = (part * per_part).min(work.len());
                let end = (start + per_part).min(work.len());
                if jobs
                    .send((number as u64, part, Arc::clone(&work), start..end))
                    .is_err()
                {
                    // The writer stopped: its failure is the one reported.
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// A signing thread: sign the parts it is given until there are none.
    fn sign(
        &self,
        signer: &giayto_issuer::Signer,
        jobs: &Mutex<mpsc::Receiver<Job>>,
        out: &mpsc::SyncSender<Signed>,
    ) {
        loop {
            let job = match jobs.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => return,
            };
            let Ok((number, part, work, range)) = job else {
                return;
            };
            let outcomes = work[range]
                .iter()
                .map(|w| self.sign_one(signer, w))
                .collect::<Result<Vec<_>, _>>();
            if out.send((number, part, outcomes)).is_err() {
                return;
            }
        }
    }

    fn sign_one(&self, signer: &giayto_issuer::Signer, w: &Work) -> Result<Outcome, Failure> {
        let ((doc, key, _), (recorded, resumed)) = match (&w.parsed, &w.recorded) {
            (Err(e), _) => return Ok(Outcome::Bad(w.line, e.clone())),
            (Ok(parsed), Some(r)) => (parsed, r),
            (Ok(_), None) => return Err(Failure::new("error-sign")),
        };
        let mut issued = signer
            .sign_record(doc, &recorded.record)
            .map_err(|e| issuer_failure(&e))?;
        if !recorded.copies.is_empty() {
            issued.copies = signer
                .sign_copy_records(doc, &recorded.copies)
                .map_err(|e| issuer_failure(&e))?;
        }
        // The copy shares the credential's serial and status entry (D98); a resumed line gets
        // a fresh copy (new salts) of the same credential.
        let sd = if self.sd && !issued.copies.is_empty() {
            Some(giayto_cose::copies::encode_one_time(
                &issued
                    .copies
                    .iter()
                    .map(|c| c.copy.clone())
                    .collect::<Vec<_>>(),
            ))
        } else if self.sd && key.is_some() {
            Some(
                signer
                    .sign_sd(doc, &issued)
                    .map_err(|e| issuer_failure(&e))?
                    .to_bytes(),
            )
        } else {
            None
        };
        // The same person's Claim 169 code (docs/format.md §16), made again for a resumed line
        // from its re-signed credential.
        let claim169 = if self.claim169 {
            Some(
                signer
                    .sign_claim169(doc, &issued)
                    .map_err(|e| Failure::new("error-claim169-sign").arg("detail", e))?,
            )
        } else {
            None
        };
        Ok(Outcome::Issued(w.line, issued, *resumed, sd, claim169))
    }

    /// Write the signed parts in chunk and part order as they come in.
    fn write(
        &self,
        mut writer: Writer,
        signed: mpsc::Receiver<Signed>,
        bar: &indicatif::ProgressBar,
    ) -> Result<Writer, Failure> {
        let mut waiting: std::collections::BTreeMap<(u64, usize), Vec<Outcome>> =
            std::collections::BTreeMap::new();
        let mut next = (0u64, 0usize);
        for (number, part, outcomes) in signed {
            waiting.insert((number, part), outcomes?);
            while let Some(outcomes) = waiting.remove(&next) {
                bar.inc(outcomes.len() as u64);
                for outcome in outcomes {
                    writer.write(outcome, self.texts_path)?;
                }
                next = if next.1 + 1 == self.threads {
                    (next.0 + 1, 0)
                } else {
                    (next.0, next.1 + 1)
                };
            }
        }
        if !waiting.is_empty() {
            // A part never came: a signing thread stopped.
            return Err(Failure::new("error-sign"));
        }
        Ok(writer)
    }
}

/// Create `dir` (if needed) readable by its owner only.
fn private_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| io_failure(dir, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| io_failure(dir, &e))?;
    }
    Ok(())
}

/// Take the exclusive lock on `out_dir`'s [`LOCK_FILE`], or fail at once if another run
/// holds it. The lock file stays (removing it would let two runs lock two different files).
fn lock_out_dir(out_dir: &Path) -> Result<std::fs::File, Failure> {
    use fs4::fs_std::FileExt;
    let path = out_dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_failure(&path, &e))?;
    match file.try_lock_exclusive() {
        Ok(true) => Ok(file),
        Ok(false) => Err(Failure::new("error-batch-busy").arg("path", out_dir.display())),
        Err(e) => Err(io_failure(&path, &e)),
    }
}

pub fn run(a: BatchArgs, out: Out) -> CmdResult {
    let doc_type = doc_type(&a.doc_type)?;
    let want_claim169 = super::check_also(&a.also, doc_type)?;
    format_of(&a.input)?;
    if let Some(n) = a.copies {
        super::copies::check_count(n)?;
        if !a.sd {
            return Err(Failure::new("error-batch-copies-need-sd"));
        }
    }
    let meta = giayto_issuer::read_meta(&a.dir).map_err(|e| issuer_failure(&e))?;
    let id = batch_id(&a.input, &a, doc_type, &meta.id)?;

    // --strict: every row must be good before anything is issued.
    if a.strict {
        for_each_row(&a.input, doc_type, |row| {
            match check_copies(row.parsed, a.copies) {
                Ok(_) => Ok(()),
                Err(e) => Err(field_failure(&e).arg("line", row.line)),
            }
        })
        .map_err(|f| Failure::new("error-batch-strict").arg("detail", f.message()))?;
    }

    // The issuer first: a wrong passphrase or a missing registry leaves no output folder.
    let pass = secrets::existing_key(&meta.id, &a.dir.join(giayto_issuer::dir::KEY_FILE))?;
    let mut issuer = Issuer::open(&a.dir, &pass).map_err(|e| issuer_failure(&e))?;

    std::fs::create_dir_all(&a.out_dir).map_err(|e| io_failure(&a.out_dir, &e))?;
    // Held until this function returns (or the process dies): one run per output folder.
    let _lock = lock_out_dir(&a.out_dir)?;
    let manifest_path = a.out_dir.join(MANIFEST_FILE);
    match std::fs::read(&manifest_path) {
        Ok(bytes) => {
            let m: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if m.get("batch_id").and_then(Value::as_str) != Some(id.as_str()) {
                return Err(Failure::new("error-batch-other").arg("path", a.out_dir.display()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let m = json!({"batch_id": id, "input": a.input, "type": doc_type.as_str(),
                "issuer": meta.id, "valid_days": a.valid_days, "level": a.level});
            write_atomic(&manifest_path, m.to_string().as_bytes())?;
        }
        Err(e) => return Err(io_failure(&manifest_path, &e)),
    }
    let png_dir = if a.png {
        let d = a.out_dir.join("png");
        std::fs::create_dir_all(&d).map_err(|e| io_failure(&d, &e))?;
        Some(d)
    } else {
        None
    };
    let sd_dir = if a.sd {
        let d = a.out_dir.join("sd");
        private_dir(&d)?;
        Some(d)
    } else {
        None
    };

    let done: HashMap<u64, CredentialRecord> = issuer
        .batch_lines(&id)
        .map_err(|e| issuer_failure(&e))?
        .into_iter()
        .collect();

    let total =
        count_lines(&a.input)?.saturating_sub(matches!(format_of(&a.input)?, Format::Csv) as u64);
    let bar = progress_bar(total, out);
    let started = Instant::now();
    let texts_path = a.out_dir.join(TEXTS_FILE);
    let partial = a.out_dir.join(format!(".{TEXTS_FILE}.partial"));
    let index_partial = a.out_dir.join(format!(".{INDEX_FILE}.partial"));
    let claim169_path = a.out_dir.join(CLAIM169_FILE);
    let claim169_partial = a.out_dir.join(format!(".{CLAIM169_FILE}.partial"));
    let create = |p: &Path| {
        std::fs::File::create(p)
            .map(BufWriter::new)
            .map_err(|e| io_failure(p, &e))
    };
    let mut writer = Writer {
        texts: create(&partial)?,
        index: create(&index_partial)?,
        claim169: if want_claim169 {
            Some(create(&claim169_partial)?)
        } else {
            None
        },
        png_dir,
        sd_dir,
        new: 0,
        recovered: 0,
        bad: Vec::new(),
    };
    writeln!(writer.index, "line,serial,outcome").map_err(|e| io_failure(&index_partial, &e))?;

    let options = IssueOptions {
        valid_days: a.valid_days.max(1),
        holder_key: None,
        assurance_level: a.level,
        one_time_keys: Vec::new(),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let stages = Stages {
        input: &a.input,
        doc_type,
        copies: a.copies,
        sd: a.sd,
        chunk: a.chunk as usize,
        batch_id: &id,
        options: &options,
        done: &done,
        threads,
        texts_path: &texts_path,
        claim169: want_claim169,
    };
    let writer = stages.run(&mut issuer, writer, &bar)?;
    bar.finish_and_clear();

    let finish = |w: BufWriter<std::fs::File>, p: &Path| -> Result<(), Failure> {
        let f = w.into_inner().map_err(|e| io_failure(p, e.error()))?;
        f.sync_all().map_err(|e| io_failure(p, &e))
    };
    finish(writer.texts, &partial)?;
    finish(writer.index, &index_partial)?;
    if let Some(w) = writer.claim169 {
        finish(w, &claim169_partial)?;
        std::fs::rename(&claim169_partial, &claim169_path)
            .map_err(|e| io_failure(&claim169_path, &e))?;
    }
    std::fs::rename(&partial, &texts_path).map_err(|e| io_failure(&texts_path, &e))?;
    let index_path = a.out_dir.join(INDEX_FILE);
    std::fs::rename(&index_partial, &index_path).map_err(|e| io_failure(&index_path, &e))?;

    let secs = started.elapsed().as_secs_f64().max(1e-6);
    let rate = (writer.new + writer.recovered) as f64 / secs;
    let summary = json!({
        "batch_id": id,
        "issued": writer.new,
        "recovered": writer.recovered,
        "bad_rows": writer.bad.len(),
        "errors": writer.bad.iter().map(|(l, e)| json!({
            "line": l, "field": e.field, "problem": e.kind.code(),
        })).collect::<Vec<_>>(),
        "seconds": (secs * 1000.0).round() / 1000.0,
        "per_second": rate.round(),
        "texts": texts_path,
        "index": index_path,
    });
    let mut summary = summary;
    if want_claim169 {
        summary["claim169"] = json!(claim169_path);
    }
    write_atomic(
        &a.out_dir.join("summary.json"),
        serde_json::to_string_pretty(&summary)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    if out.json {
        print_json(&summary);
    } else {
        for (line, e) in writer.bad.iter().take(50) {
            crate::errln!(
                "{}",
                tr_args(
                    "batch-bad-row",
                    &[
                        ("line", line.to_string()),
                        ("detail", field_failure(e).message())
                    ]
                )
            );
        }
        if writer.bad.len() > 50 {
            crate::errln!(
                "{}",
                tr_args(
                    "batch-more-bad-rows",
                    &[("count", (writer.bad.len() - 50).to_string())]
                )
            );
        }
        crate::outln!(
            "{}",
            tr_args(
                "batch-summary",
                &[
                    ("issued", writer.new.to_string()),
                    ("recovered", writer.recovered.to_string()),
                    ("bad", writer.bad.len().to_string()),
                    ("seconds", format!("{secs:.1}")),
                    ("rate", format!("{rate:.0}")),
                    ("path", texts_path.display().to_string()),
                ]
            )
        );
        if writer.recovered > 0 {
            crate::outln!("{}", tr("batch-resumed-note"));
        }
    }
    Ok(if writer.bad.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

#[cfg(test)]
mod tests;
