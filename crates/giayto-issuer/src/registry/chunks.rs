//! A batch's line → serial map, kept once per recorded chunk (schema 6, docs/decisions.md D192):
//! one row `(batch_id, first_line, lines, serials)` per call of
//! [`RegistryBackend::record`](super::RegistryBackend::record) instead of one row per line.
//!
//! `lines` packs the chunk's input lines, in ascending order, as runs after `first_line`: a
//! sequence of pairs of unsigned LEB128 varints `(skip, count)`, where a run starts `skip` lines
//! after the line following the previous run (after `first_line - 1` for the first run, whose
//! `skip` is then 0) and holds `count` (≥ 1) consecutive lines. A chunk without rejected rows is
//! one pair (two bytes); each gap adds one pair.
//!
//! `serials` packs the serials in the same order. It starts with a varint `L`: when `L > 0`
//! every serial is `L` bytes and the rest is the serials one after another; when `L = 0` each
//! serial is a varint length followed by its bytes (serials of several lengths in one chunk).
//!
//! Unpacking bounds everything by the bytes at hand before allocating, and answers a row it
//! cannot read with [`RegistryError::Corrupt`], never a panic.

use std::collections::BTreeMap;

use super::{NewCredential, RegistryError};

/// One chunk row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackedChunk {
    /// The batch.
    pub batch_id: String,
    /// The chunk's smallest line (the key with `batch_id`).
    pub first_line: i64,
    /// The lines, as runs (module documentation).
    pub lines: Vec<u8>,
    /// The serials, in line order (module documentation).
    pub serials: Vec<u8>,
}

/// Lines per chunk when a schema 5 registry's line rows are packed (the batch command's default
/// chunk; the old rows do not say where a chunk ended).
pub(crate) const MIGRATION_CHUNK: usize = 1000;

fn corrupt() -> RegistryError {
    RegistryError::Corrupt {
        what: "batch chunk",
    }
}

fn put(out: &mut Vec<u8>, n: u64) {
    let mut buf = unsigned_varint::encode::u64_buffer();
    out.extend_from_slice(unsigned_varint::encode::u64(n, &mut buf));
}

fn take(input: &mut &[u8]) -> Result<u64, RegistryError> {
    let (n, rest) = unsigned_varint::decode::u64(input).map_err(|_| corrupt())?;
    *input = rest;
    Ok(n)
}

/// Pack the `(line, serial)` pairs of one batch, in any order. A line given twice is
/// [`RegistryError::DuplicateBatchLine`]; a line beyond what the database's 64-bit signed
/// column holds is [`RegistryError::Database`]. `None` for no pairs.
pub(crate) fn pack(
    batch_id: &str,
    pairs: &mut [(u64, &[u8])],
) -> Result<Option<PackedChunk>, RegistryError> {
    pairs.sort_unstable_by_key(|p| p.0);
    let (Some(&(first, _)), Some(&(last, _))) = (pairs.first(), pairs.last()) else {
        return Ok(None);
    };
    if i64::try_from(last).is_err() {
        return Err(RegistryError::Database(format!(
            "batch line {last} is beyond what the registry stores"
        )));
    }
    let mut lines = Vec::new();
    // The line after the previous run, and the current run's start and length.
    let (mut next, mut start, mut count) = (first, first, 0u64);
    for w in pairs.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(RegistryError::DuplicateBatchLine {
                batch_id: batch_id.to_owned(),
                line: w[0].0,
            });
        }
    }
    for &(line, _) in pairs.iter() {
        if count > 0 && line == start + count {
            count += 1;
            continue;
        }
        if count > 0 {
            put(&mut lines, start - next);
            put(&mut lines, count);
            next = start + count;
        }
        start = line;
        count = 1;
    }
    put(&mut lines, start - next);
    put(&mut lines, count);

    let mut serials = Vec::new();
    let size = pairs[0].1.len();
    if size > 0 && pairs.iter().all(|p| p.1.len() == size) {
        put(&mut serials, size as u64);
        serials.reserve(size * pairs.len());
        for p in pairs.iter() {
            serials.extend_from_slice(p.1);
        }
    } else {
        put(&mut serials, 0);
        for p in pairs.iter() {
            put(&mut serials, p.1.len() as u64);
            serials.extend_from_slice(p.1);
        }
    }
    Ok(Some(PackedChunk {
        batch_id: batch_id.to_owned(),
        first_line: first as i64,
        lines,
        serials,
    }))
}

/// The `(line, serial)` pairs of a stored chunk, in line order; anything that does not read
/// back exactly (a bad varint, a count that does not match the serials, a line past `u64`,
/// bytes left over) is [`RegistryError::Corrupt`].
pub(crate) fn unpack(
    first_line: i64,
    lines: &[u8],
    serials: &[u8],
) -> Result<Vec<(u64, Vec<u8>)>, RegistryError> {
    let first = u64::try_from(first_line).map_err(|_| corrupt())?;
    let serials = unpack_serials(serials)?;
    let mut out = Vec::with_capacity(serials.len());
    let mut serials = serials.into_iter();
    let mut input = lines;
    let mut next = first;
    while !input.is_empty() {
        let skip = take(&mut input)?;
        let count = take(&mut input)?;
        // Every run holds a line; the first one starts at `first_line`.
        if count == 0 || (out.is_empty() && skip != 0) || (!out.is_empty() && skip == 0) {
            return Err(corrupt());
        }
        let start = next.checked_add(skip).ok_or_else(corrupt)?;
        next = start.checked_add(count).ok_or_else(corrupt)?;
        if count > serials.len() as u64 {
            return Err(corrupt());
        }
        for line in start..next {
            out.push((line, serials.next().ok_or_else(corrupt)?));
        }
    }
    if out.is_empty() || serials.next().is_some() || next - 1 > i64::MAX as u64 {
        return Err(corrupt());
    }
    Ok(out)
}

/// The serials of a chunk (module documentation), each bounded by the bytes left.
fn unpack_serials(packed: &[u8]) -> Result<Vec<Vec<u8>>, RegistryError> {
    let mut input = packed;
    let size = take(&mut input)?;
    if size > 0 {
        let size = usize::try_from(size).map_err(|_| corrupt())?;
        if input.is_empty() || input.len() % size != 0 {
            return Err(corrupt());
        }
        return Ok(input.chunks_exact(size).map(<[u8]>::to_vec).collect());
    }
    let mut out = Vec::new();
    while !input.is_empty() {
        let len = usize::try_from(take(&mut input)?).map_err(|_| corrupt())?;
        if len > input.len() {
            return Err(corrupt());
        }
        let (serial, rest) = input.split_at(len);
        out.push(serial.to_vec());
        input = rest;
    }
    Ok(out)
}

/// Pack the line rows of a schema 5 registry, `(batch_id, line, serial)` sorted by batch and
/// line, into chunks of at most [`MIGRATION_CHUNK`] lines.
pub(crate) fn pack_rows(
    rows: &[(String, u64, Vec<u8>)],
) -> Result<Vec<PackedChunk>, RegistryError> {
    let mut out = Vec::new();
    for batch in rows.chunk_by(|a, b| a.0 == b.0) {
        for part in batch.chunks(MIGRATION_CHUNK) {
            let mut pairs: Vec<(u64, &[u8])> = part.iter().map(|r| (r.1, r.2.as_slice())).collect();
            out.extend(pack(&part[0].0, &mut pairs)?);
        }
    }
    Ok(out)
}

/// Pack the batch lines of the rows of one call of
/// [`RegistryBackend::record`](super::RegistryBackend::record): one chunk per batch named
/// (in practice one).
pub(crate) fn pack_record(rows: &[NewCredential]) -> Result<Vec<PackedChunk>, RegistryError> {
    let mut batches: BTreeMap<&str, Vec<(u64, &[u8])>> = BTreeMap::new();
    for r in rows {
        if let Some(b) = &r.batch {
            batches
                .entry(b.batch_id.as_str())
                .or_default()
                .push((b.line, r.serial.as_slice()));
        }
    }
    let mut out = Vec::with_capacity(batches.len());
    for (batch_id, mut pairs) in batches {
        out.extend(pack(batch_id, &mut pairs)?);
    }
    Ok(out)
}

/// A stored chunk without `serial`: `None` when it does not hold it; `Some(None)` when it held
/// only that line (the row goes); else the chunk repacked (its `first_line` may change).
pub(crate) fn without_serial(
    batch_id: &str,
    first_line: i64,
    lines: &[u8],
    serials: &[u8],
    serial: &[u8],
) -> Result<Option<Option<PackedChunk>>, RegistryError> {
    let pairs = unpack(first_line, lines, serials)?;
    if !pairs.iter().any(|p| p.1 == serial) {
        return Ok(None);
    }
    let mut rest: Vec<(u64, &[u8])> = pairs
        .iter()
        .filter(|p| p.1 != serial)
        .map(|p| (p.0, p.1.as_slice()))
        .collect();
    Ok(Some(pack(batch_id, &mut rest)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(pairs: &[(u64, Vec<u8>)]) -> PackedChunk {
        let mut refs: Vec<(u64, &[u8])> = pairs.iter().map(|p| (p.0, p.1.as_slice())).collect();
        let packed = pack("b", &mut refs).unwrap().unwrap();
        let mut want = pairs.to_vec();
        want.sort();
        assert_eq!(
            unpack(packed.first_line, &packed.lines, &packed.serials).unwrap(),
            want
        );
        packed
    }

    #[test]
    fn a_chunk_of_consecutive_lines_packs_into_one_run_and_back() {
        let pairs: Vec<(u64, Vec<u8>)> = (1..=1000u64)
            .map(|l| (l, (l as u32).to_be_bytes().repeat(3)[..10].to_vec()))
            .collect();
        let packed = round_trip(&pairs);
        assert_eq!(packed.first_line, 1);
        // One run: skip 0, count 1000 (two bytes as a varint).
        assert_eq!(packed.lines, vec![0, 0xE8, 0x07]);
        // Uniform length 10, then 1000 serials.
        assert_eq!(packed.serials.len(), 1 + 10_000);
    }

    #[test]
    fn gaps_unordered_input_and_serials_of_several_lengths_round_trip() {
        let pairs = vec![
            (9, vec![9; 3]),
            (2, vec![2; 10]),
            (3, vec![3; 10]),
            (7, vec![]),
            (100, vec![100; 200]),
            (u64::MAX >> 1, vec![1; 10]),
        ];
        let packed = round_trip(&pairs);
        assert_eq!(packed.first_line, 2);
        assert_eq!(
            packed.serials[0], 0,
            "several lengths: one length per serial"
        );
        round_trip(&[(5, vec![1; 10])]);
    }

    #[test]
    fn a_line_given_twice_or_out_of_range_is_refused() {
        let a = [1u8; 10];
        let mut pairs: Vec<(u64, &[u8])> = vec![(4, &a), (5, &a), (4, &a)];
        assert!(matches!(
            pack("b", &mut pairs),
            Err(RegistryError::DuplicateBatchLine { line: 4, .. })
        ));
        let mut pairs: Vec<(u64, &[u8])> = vec![(1 << 63, &a)];
        assert!(matches!(
            pack("b", &mut pairs),
            Err(RegistryError::Database(_))
        ));
        assert!(pack("b", &mut []).unwrap().is_none());
    }

    #[test]
    fn damaged_chunks_are_errors_not_panics() {
        let serials10 = {
            let mut s = vec![10];
            s.extend([7u8; 20]);
            s
        };
        let cases: Vec<(i64, Vec<u8>, Vec<u8>)> = vec![
            (-1, vec![0, 2], serials10.clone()),
            (1, vec![0, 3], serials10.clone()), // more lines than serials
            (1, vec![0, 1], serials10.clone()), // fewer
            (1, vec![0, 0, 0, 2], serials10.clone()), // an empty run
            (1, vec![1, 2], serials10.clone()), // first run not at first_line
            (1, vec![0, 1, 0, 1], serials10.clone()), // two runs not apart
            (1, vec![0, 0x80], serials10.clone()), // truncated varint
            (1, vec![], serials10.clone()),     // no lines
            (1, vec![0, 2], vec![10, 1, 2, 3]), // serial bytes cut
            (1, vec![0, 2], vec![]),            // no serials at all
            (1, vec![0, 2], vec![0, 10, 1, 2]), // a length past the end
            (1, vec![0, 2], vec![0xFF; 11]),    // an overlong varint
            (i64::MAX, vec![0, 2], serials10.clone()), // a line past i64
            (
                1,
                vec![
                    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 1,
                ],
                serials10,
            ),
        ];
        for (first, lines, serials) in cases {
            assert!(
                matches!(
                    unpack(first, &lines, &serials),
                    Err(RegistryError::Corrupt { .. })
                ),
                "{first} {lines:?} {serials:?}"
            );
        }
    }

    #[test]
    fn withdrawing_a_line_repacks_its_chunk_or_empties_it() {
        let pairs: Vec<(u64, Vec<u8>)> = (1..=4u64).map(|l| (l, vec![l as u8; 10])).collect();
        let c = round_trip(&pairs);
        let new = without_serial("b", c.first_line, &c.lines, &c.serials, &[1; 10])
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(new.first_line, 2);
        assert_eq!(
            unpack(new.first_line, &new.lines, &new.serials).unwrap(),
            pairs[1..].to_vec()
        );
        let none = without_serial("b", c.first_line, &c.lines, &c.serials, &[9; 10]).unwrap();
        assert!(none.is_none());
        let one = round_trip(&[(3, vec![3; 10])]);
        let gone = without_serial("b", one.first_line, &one.lines, &one.serials, &[3; 10]);
        assert_eq!(gone.unwrap(), Some(None));
    }

    #[test]
    fn old_rows_pack_per_batch_in_chunks_of_a_thousand() {
        let mut rows = Vec::new();
        for l in 1..=2500u64 {
            rows.push(("a".to_owned(), l, vec![1; 10]));
        }
        rows.push(("b".to_owned(), 7, vec![2; 10]));
        let chunks = pack_rows(&rows).unwrap();
        let firsts: Vec<(&str, i64)> = chunks
            .iter()
            .map(|c| (c.batch_id.as_str(), c.first_line))
            .collect();
        assert_eq!(firsts, vec![("a", 1), ("a", 1001), ("a", 2001), ("b", 7)]);
    }
}
