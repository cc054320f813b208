//! Search for the slowest and the most memory-hungry input under 4 KiB of text:
//! `cargo bench -p giayto-bench --bench worst_case`.
//!
//! Families of crafted codes, each swept over its size parameter and kept only while its text
//! stays within 4,096 characters (more than a QR code holds): zlib bombs just under the 64 KiB
//! inflate cap, with the real issuer's kid so that the signature check runs over the largest
//! message; the widest header maps; the deepest nesting; large protected headers (decoded
//! twice); foreign and malformed texts of maximal length. Each input's median time per verify
//! and the peak heap it allocates are printed, then the worst of each.
//!
//! Not a test: timing is only ever measured here, never asserted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ciborium::value::Value;
use flate2::{write::ZlibEncoder, Compression};
use giayto_bench::{keep, Fixture};
use giayto_cose::{cbor, kid_for, CREDENTIAL_TYP};

/// Counts live heap bytes and their peak. The one `unsafe` of the benchmarks: a global
/// allocator must be declared with `unsafe impl`; it only forwards to the system allocator.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MAX_TEXT: usize = 4096;
const INFLATE_CAP: usize = giayto_cose::text::MAX_INFLATED;

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

fn qr_zlib(cose: &[u8]) -> String {
    format!("VN1:{}", base45::encode(zlib(cose)))
}

fn qr_raw(cose: &[u8]) -> String {
    format!("VN1:{}", base45::encode(cose))
}

fn protected(kid: [u8; 8], extra: Vec<(Value, Value)>) -> Vec<u8> {
    let mut entries = vec![
        (1.into(), (-8).into()),
        (4.into(), Value::Bytes(kid.to_vec())),
        (16.into(), Value::Text(CREDENTIAL_TYP.into())),
    ];
    entries.extend(extra);
    cbor::encode(&cbor::map(entries))
}

fn sign1(protected: Vec<u8>, unprotected: Value, payload: Vec<u8>) -> Vec<u8> {
    cbor::encode(&Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            unprotected,
            Value::Bytes(payload),
            Value::Bytes(vec![0x5A; 64]),
        ])),
    ))
}

/// Integer-keyed map `{base: 0, base+1: 0, ...}` of `n` entries.
fn int_map(base: u64, n: usize) -> Value {
    cbor::map(
        (0..n as u64)
            .map(|i| ((base + i).into(), 0.into()))
            .collect(),
    )
}

fn nested(depth: usize, width: usize) -> Value {
    let mut v = Value::Array(vec![Value::Integer(0.into()); width]);
    for _ in 1..depth {
        v = Value::Array(vec![v; width.min(2)]);
    }
    v
}

struct Case {
    family: &'static str,
    name: String,
    text: String,
}

fn cases(f: &Fixture) -> Vec<Case> {
    let kid = kid_for(&f.issuer_public().to_bytes());
    let mut out = vec![Case {
        family: "reference",
        name: "valid CCCD credential".into(),
        text: f.text.clone(),
    }];
    let mut push = |family: &'static str, name: String, text: String| {
        if text.len() <= MAX_TEXT {
            out.push(Case { family, name, text });
        }
    };
    // Signature over the largest message: payload just under the inflate cap, real kid.
    for n in [1_024, 8_192, 32_768, INFLATE_CAP - 200, INFLATE_CAP - 120] {
        let cose = sign1(protected(kid, vec![]), Value::Map(vec![]), vec![0; n]);
        if cose.len() <= INFLATE_CAP {
            push(
                "bomb: largest signed message",
                format!("payload {n} B, real kid"),
                qr_zlib(&cose),
            );
        }
    }
    // The same with an unknown kid: refused before the signature.
    let cose = sign1(
        protected([9; 8], vec![]),
        Value::Map(vec![]),
        vec![0; INFLATE_CAP - 200],
    );
    push(
        "bomb: unknown kid",
        "payload 65,336 B".into(),
        qr_zlib(&cose),
    );
    // Just over the cap.
    let mut over = sign1(
        protected(kid, vec![]),
        Value::Map(vec![]),
        vec![0; INFLATE_CAP - 70],
    );
    over.resize(INFLATE_CAP + 1, 0);
    push(
        "bomb: one byte over the cap",
        "65,537 B".into(),
        qr_zlib(&over),
    );
    // Widest unprotected header map.
    for n in [256, 1_024, 4_096, 8_192, 16_000, 21_000] {
        let cose = sign1(protected(kid, vec![]), int_map(1_000, n), vec![0xa0]);
        if cose.len() <= INFLATE_CAP {
            push(
                "widest unprotected map",
                format!("{n} entries"),
                qr_zlib(&cose),
            );
        }
    }
    // Widest protected header map (decoded by the outer parse, by coset and by the strict check).
    for n in [256, 1_024, 4_096, 8_192, 16_000] {
        let cose = sign1(
            protected(kid, int_map(1_000, n).into_map().unwrap_or_default()),
            Value::Map(vec![]),
            vec![0xa0],
        );
        if cose.len() <= INFLATE_CAP {
            push(
                "widest protected map",
                format!("{n} entries"),
                qr_zlib(&cose),
            );
        }
    }
    // Deepest nesting, as wide as fits.
    for (depth, width) in [(15, 2), (14, 2), (12, 4), (8, 16), (3, 4_000), (2, 20_000)] {
        let unprotected = cbor::map(vec![(1_000.into(), nested(depth, width))]);
        let cose = sign1(protected(kid, vec![]), unprotected, vec![0xa0]);
        if cose.len() <= INFLATE_CAP {
            push(
                "deepest nesting",
                format!("depth {depth}, width {width}"),
                qr_zlib(&cose),
            );
        }
    }
    // As many items as the item cap allows (4,096), in the unprotected header (decoded once)
    // and in the protected header (decoded by the outer check, by coset and by the strict
    // check), as repetitive as possible so that the text stays short.
    for n in [1_000, 2_000, 4_000, 4_085, 4_090] {
        let unprotected = cbor::map(vec![(1_000.into(), Value::Array(vec![0.into(); n]))]);
        let cose = sign1(protected(kid, vec![]), unprotected, vec![0xa0]);
        push(
            "item cap: unprotected array",
            format!("{n} integers"),
            qr_zlib(&cose),
        );
        let extra = vec![(1_000.into(), Value::Array(vec![0.into(); n]))];
        let cose = sign1(protected(kid, extra), Value::Map(vec![]), vec![0xa0]);
        push(
            "item cap: protected array",
            format!("{n} integers"),
            qr_zlib(&cose),
        );
    }
    for n in [1_000, 2_000, 2_040] {
        let unprotected = cbor::map(vec![(
            1_000.into(),
            Value::Array(vec![Value::Map(vec![]); n]),
        )]);
        let cose = sign1(protected(kid, vec![]), unprotected, vec![0xa0]);
        push("item cap: empty maps", format!("{n} maps"), qr_zlib(&cose));
        let unprotected = cbor::map(vec![(
            1_000.into(),
            Value::Array(vec![Value::Text("Nguyễn Văn An".into()); n]),
        )]);
        let cose = sign1(protected(kid, vec![]), unprotected, vec![0xa0]);
        push("item cap: texts", format!("{n} texts"), qr_zlib(&cose));
    }
    // Over the depth limit.
    let unprotected = cbor::map(vec![(1_000.into(), nested(20, 1))]);
    push(
        "over the depth limit",
        "depth 21".into(),
        qr_zlib(&sign1(protected(kid, vec![]), unprotected, vec![0xa0])),
    );
    // Raw (uncompressed) form filling the text: a map of as many entries as fit.
    for n in [400, 700, 800] {
        let cose = sign1(protected(kid, vec![]), int_map(1_000, n), vec![0xa0]);
        push(
            "raw form, full text",
            format!("{n}-entry map"),
            qr_raw(&cose),
        );
    }
    // Texts of maximal length that are not codes at all, or not valid base45.
    push(
        "foreign text",
        "4,096 x 'A', no prefix".into(),
        "A".repeat(MAX_TEXT),
    );
    push(
        "foreign text",
        "web link of 4,096".into(),
        format!("https://example.invalid/{}", "a".repeat(MAX_TEXT - 24)),
    );
    push(
        "bad base45",
        "4,092 x 'a'".into(),
        format!("VN1:{}", "a".repeat(MAX_TEXT - 4)),
    );
    push(
        "base45 of zeros",
        "4,092 chars".into(),
        format!("VN1:{}", "0".repeat(MAX_TEXT - 5)),
    );
    // A zlib stream of many empty stored blocks.
    let mut blocks = vec![0x78, 0x01];
    for _ in 0..540 {
        blocks.extend_from_slice(&[0x00, 0x00, 0x00, 0xff, 0xff]);
    }
    blocks.extend_from_slice(&[0x01, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01]);
    push(
        "zlib: many empty blocks",
        "540 stored blocks".into(),
        format!("VN1:{}", base45::encode(&blocks)),
    );
    out
}

/// Median time per verify over at least 15 runs and 20 ms, and the peak heap of one run.
fn measure(f: &Fixture, text: &str) -> (Duration, usize, String) {
    let verdict = match f.verifier.verify(text, f.at) {
        Ok(_) => "valid".to_owned(),
        Err(r) => r.verdict.as_str().to_owned(),
    };
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    keep(f.verifier.verify(keep(text), f.at).is_ok());
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 15 || start.elapsed() < Duration::from_millis(20) {
        let t = Instant::now();
        keep(f.verifier.verify(keep(text), f.at).is_ok());
        times.push(t.elapsed());
    }
    times.sort();
    (times[times.len() / 2], peak, verdict)
}

fn main() {
    // `cargo test --benches` passes no `--bench`: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let f = Fixture::new();
    let all = cases(&f);
    println!(
        "{:<32} {:<24} {:>6} {:>10} {:>10}  verdict",
        "family", "input", "chars", "median us", "peak KiB"
    );
    let mut results = Vec::new();
    for case in &all {
        let (time, peak, verdict) = measure(&f, &case.text);
        println!(
            "{:<32} {:<24} {:>6} {:>10.1} {:>10.1}  {verdict}",
            case.family,
            case.name,
            case.text.len(),
            time.as_secs_f64() * 1e6,
            peak as f64 / 1024.0
        );
        if verdict == "valid" && case.family != "reference" {
            println!("FINDING: a crafted input verified as valid: {}", case.name);
        }
        results.push((case, time, peak, verdict));
    }
    let reference = results[0].1;
    if let Some((case, time, _, verdict)) = results.iter().max_by_key(|r| r.1) {
        println!(
            "WORST TIME: {} / {}: {:.1} us per verify ({:.1}x the valid credential), verdict {verdict}",
            case.family,
            case.name,
            time.as_secs_f64() * 1e6,
            time.as_secs_f64() / reference.as_secs_f64()
        );
    }
    if let Some((case, _, peak, _)) = results.iter().max_by_key(|r| r.2) {
        println!(
            "WORST MEMORY: {} / {}: {:.1} KiB peak heap in one verify",
            case.family,
            case.name,
            *peak as f64 / 1024.0
        );
    }
}
