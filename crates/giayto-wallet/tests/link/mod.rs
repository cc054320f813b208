//! The unlinkability check of issue 13, shared by the wallet's and the CLI's tests of one-time
//! copies (`#[path]`-included by cli/tests/copies.rs): which bytes of a presentation are the
//! format's CBOR skeleton, masking the skeleton and the disclosed values, and the 8-byte strings
//! two masked presentations still share.

/// Which bytes of a CBOR item are its skeleton — item heads (type and length), map keys,
/// simple values and integers small enough to sit in their head — rather than data: integer
/// values and string contents. Byte strings that hold one CBOR structure (COSE headers and
/// payloads, the embedded credential) are walked into. Not CBOR at all: all data.
pub fn skeleton(bytes: &[u8]) -> Vec<bool> {
    let mut mask = vec![false; bytes.len()];
    if walk(bytes, 0, bytes.len(), &mut mask, false) != Some(bytes.len()) {
        mask.fill(false);
    }
    mask
}

/// Walk the item at `pos` (ending by `limit`), marking its skeleton (all of it when it is a
/// map key); its end.
fn walk(b: &[u8], pos: usize, limit: usize, mask: &mut [bool], key: bool) -> Option<usize> {
    let first = *b.get(pos).filter(|_| pos < limit)?;
    let (major, info) = (first >> 5, first & 31);
    let arg_len = match info {
        0..=23 => 0,
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        _ => return None,
    };
    let head_end = pos + 1 + arg_len;
    if head_end > limit {
        return None;
    }
    let arg = if arg_len == 0 {
        u64::from(info)
    } else {
        b[pos + 1..head_end]
            .iter()
            .fold(0u64, |a, x| (a << 8) | u64::from(*x))
    };
    let mark = |mask: &mut [bool], from: usize, to: usize| mask[from..to].fill(true);
    match major {
        0 | 1 => {
            mark(mask, pos, if key { head_end } else { pos + 1 });
            Some(head_end)
        }
        2 | 3 => {
            let end = head_end.checked_add(usize::try_from(arg).ok()?)?;
            if end > limit {
                return None;
            }
            mark(mask, pos, head_end);
            if key {
                mark(mask, head_end, end);
            } else if major == 2 && end > head_end && matches!(b[head_end] >> 5, 4..=6) {
                let mut inner = mask.to_vec();
                if walk(b, head_end, end, &mut inner, false) == Some(end) {
                    mask.copy_from_slice(&inner);
                }
            }
            Some(end)
        }
        4 | 5 => {
            mark(mask, pos, head_end);
            let mut p = head_end;
            for _ in 0..arg {
                if major == 5 {
                    p = walk(b, p, limit, mask, true)?;
                }
                p = walk(b, p, limit, mask, key)?;
            }
            Some(p)
        }
        6 => {
            mark(mask, pos, head_end);
            walk(b, head_end, limit, mask, key)
        }
        _ => {
            mark(mask, pos, head_end);
            Some(head_end)
        }
    }
}

/// `bytes` with its skeleton and every occurrence of each of `values` overwritten by `fill`.
pub fn masked(mut bytes: Vec<u8>, values: &[&[u8]], fill: u8) -> Vec<u8> {
    let skeleton = skeleton(&bytes);
    for (byte, is_skeleton) in bytes.iter_mut().zip(skeleton) {
        if is_skeleton {
            *byte = fill;
        }
    }
    for v in values.iter().filter(|v| !v.is_empty()) {
        let mut i = 0;
        while i + v.len() <= bytes.len() {
            if bytes[i..i + v.len()] == v[..] {
                bytes[i..i + v.len()].fill(fill);
                i += v.len();
            } else {
                i += 1;
            }
        }
    }
    bytes
}

/// The 8-byte strings `a` and `b` share that `baseline` does not have. With `a` and `b` masked
/// by different fillers, a shared string is 8 bytes of data in a row.
pub fn linking_strings(a: &[u8], b: &[u8], baseline: &[u8]) -> Vec<String> {
    use std::collections::HashSet;
    let windows = |x: &[u8]| -> HashSet<Vec<u8>> { x.windows(8).map(<[u8]>::to_vec).collect() };
    let (in_b, in_baseline) = (windows(b), windows(baseline));
    let mut found: Vec<String> = a
        .windows(8)
        .filter(|w| in_b.contains(*w) && !in_baseline.contains(*w))
        .map(|w| w.iter().map(|x| format!("{x:02x}")).collect())
        .collect();
    found.sort();
    found.dedup();
    found
}
