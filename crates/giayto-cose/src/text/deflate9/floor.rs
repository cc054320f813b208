//! The block's size with the fixed codes, exactly as zlib-rs accumulates it, and a floor under
//! its size with dynamic codes computed without building the dynamic trees (decisions.md
//! D204; the stream is the one docs/format.md §5.5 asks for, at the highest level). When the
//! floor is not below the fixed size, zlib-rs's `flush_block` cannot choose the
//! dynamic block (it takes the fixed one on equal sizes), so the block is fixed or stored and
//! the trees, whose construction is most of the encoder's time, are not needed.
//!
//! The dynamic size zlib-rs compares is: the code bits of the literal/length and distance
//! symbols with its trees' lengths, the symbols' extra bits, the 14 header bits (HLIT, HDIST,
//! HCLEN), three bits per transmitted bit-length code length, and the code lengths of both
//! trees sent with the bit-length code. Each part is bounded from below by
//! something that does not depend on which of several equal-keyed nodes zlib's heap merges
//! first (D203):
//!
//! - the code bits of a tree: at least the cost of an optimal (Huffman) code of its symbol
//!   counts, the same for every optimal tree; computed from the counts in runs of equal counts,
//!   without a heap ([`huffman_cost`]);
//! - the header: HCLEN covers the last transmitted position of `BL_ORDER` used; a code length
//!   of at most `u` occurs in each tree, where `u` bounds the depth of the tree's most frequent
//!   symbol — in a Huffman tree of total weight `F`, a leaf of weight `w` at depth `l` has
//!   `F ≥ w·Fib(l + 1)` (each ancestor on the path weighs at least the two nodes below it on
//!   the path together) — so the earliest position in `BL_ORDER` of a length up to `u` is a
//!   floor;
//! - the code lengths sent: which symbols are absent is known, so every run of zero lengths is
//!   sent exactly as zlib-rs's `scan_tree` will send it (explicit zeros, repeat-zero codes and
//!   their 3 and 7 extra bits); a run of `r` nonzero lengths takes exactly `r` codes when
//!   `r ≤ 3` and at least `k = max(2, ⌈r/6⌉)` otherwise (a repeat code covers at most 6). The
//!   bit-length code's cost is at least an optimal code of these counts with all length codes
//!   merged into one symbol (merging symbols and lowering counts never raise an optimal cost);
//!   and since `k'` codes cover `r` lengths only with `(r − k')/5` repeat codes of 2 extra bits,
//!   while each code past `k` adds at least one bit, such a run adds `⌊2(r − k)/5⌋` bits more.
//!
//! The depths are the code lengths only when no leaf is deeper than 15 (no length-limit
//! overflow), which `F < Fib(17)` guarantees; above that no floor is given.

use super::{Node, BL_ORDER, D_CODES, EXTRA_DBITS, EXTRA_LBITS, LITERALS, L_CODES, TABLES};

/// Fib(n) for n = 0..=17.
const FIB: [usize; 18] = {
    let mut f = [0usize; 18];
    f[1] = 1;
    let mut n = 2;
    while n < 18 {
        f[n] = f[n - 1] + f[n - 2];
        n += 1;
    }
    f
};

/// Below this total weight no leaf of a Huffman tree is deeper than 15 (`F ≥ Fib(l + 1)` for a
/// leaf of weight at least 1 at depth `l`).
const NO_OVERFLOW_BELOW: usize = FIB[17];

/// For `u` in 1..=15, the first position in `BL_ORDER` of a code length `1..=u`.
const FIRST_POSITION_UP_TO: [usize; 16] = {
    let mut t = [0usize; 16];
    let mut u = 1;
    while u < 16 {
        let mut best = BL_ORDER.len();
        let mut i = 0;
        while i < BL_ORDER.len() {
            let v = BL_ORDER[i] as usize;
            if v >= 1 && v <= u && i < best {
                best = i;
            }
            i += 1;
        }
        t[u] = best;
        u += 1;
    }
    t
};

/// Counts of equal weights below this go to a table; heavier weights are listed.
const SMALL: usize = 64;
/// Room for the heavier weights: while the total is below [`NO_OVERFLOW_BELOW`] (the only case
/// with a floor) there are at most 24 of them.
const HEAVY: usize = 32;
const _: () = assert!(HEAVY * SMALL >= NO_OVERFLOW_BELOW);

/// The extra bits of each literal/length symbol.
const LIT_EXTRA: [u8; L_CODES] = {
    let mut t = [0u8; L_CODES];
    let mut code = 0;
    while code < EXTRA_LBITS.len() {
        t[LITERALS + 1 + code] = EXTRA_LBITS[code];
        code += 1;
    }
    t
};

/// What the floor needs of one tree's symbol counts.
struct Counts {
    /// Symbols of each weight below [`SMALL`] (index 0, the absent ones, is not used).
    small: [u16; SMALL],
    /// The heavier weights, the first `heavy_len` (only as many as fit: the total is then past
    /// [`NO_OVERFLOW_BELOW`] and no floor is given).
    heavy: [u16; HEAVY],
    heavy_len: usize,
    total: usize,
    heaviest: usize,
    leaves: usize,
    /// zlib-rs's placeholders (weight 1) when the tree has fewer than two symbols.
    forced: usize,
    /// Bit `n % 64` of word `n / 64`: symbol `n` present (placeholders included).
    present: [u64; 5],
}

impl Counts {
    /// The counts of the symbols `0..nodes.len()` and, as `[fixed size, extra bits]`, their
    /// bits with the fixed code of `fixed(n)` bits and `extra(n)` extra bits. No branch
    /// depends on a count: which symbols are absent is the input's pattern and would be
    /// mispredicted.
    fn of(
        nodes: &[Node],
        fixed: impl Fn(usize) -> usize,
        extra: impl Fn(usize) -> usize,
    ) -> (Self, [usize; 2]) {
        // Four tables filled in turn and the bit set built in a register: an increment of the
        // same table entry or word waits for the previous one to be stored, and most symbols
        // are absent or appear once.
        let mut tables = [[0u16; SMALL]; 4];
        let mut heavy = [0u16; HEAVY];
        let mut heavy_len = 0;
        let mut present = [0u64; 5];
        let (mut stat, mut extra_bits, mut total, mut heaviest, mut leaves) = (0, 0, 0, 0, 0);
        for (word, chunk) in nodes.chunks(64).enumerate() {
            let mut bits = 0u64;
            for (i, node) in chunk.iter().enumerate() {
                let n = 64 * word + i;
                let f = usize::from(node.a);
                let x = extra(n);
                stat += f * (fixed(n) + x);
                extra_bits += f * x;
                total += f;
                heaviest = heaviest.max(f);
                leaves += usize::from(f > 0);
                bits |= u64::from(f > 0) << i;
                if f < SMALL {
                    tables[i % 4][f] += 1;
                } else if let Some(slot) = heavy.get_mut(heavy_len) {
                    *slot = f as u16;
                    heavy_len += 1;
                }
            }
            present[word % 5] = bits;
        }
        let mut small = [0u16; SMALL];
        for (w, s) in small.iter_mut().enumerate().skip(1) {
            *s = tables[0][w] + tables[1][w] + tables[2][w] + tables[3][w];
        }
        let c = Counts {
            small,
            heavy,
            heavy_len,
            total,
            heaviest,
            leaves,
            forced: 0,
            present,
        };
        (c, [stat, extra_bits])
    }

    /// Adds zlib-rs's placeholders when the tree has fewer than two symbols (`build_tree`): the
    /// code after the last one while that is below 2, else code 0, each of weight 1 (their
    /// fixed bits are taken back, so the fixed size is unchanged: codes 0–2 have no extra bits;
    /// so is one bit of their dynamic cost, counted in `forced`). Returns the last symbol.
    fn with_placeholders(&mut self) -> usize {
        let mut top: isize = self.max_code().map_or(-1, |n| n as isize);
        while self.leaves < 2 {
            let node = if top < 2 {
                top += 1;
                top as usize
            } else {
                0
            };
            self.force(node);
        }
        top as usize
    }

    /// A placeholder of weight 1 at `node`.
    fn force(&mut self, node: usize) {
        self.small[1] += 1;
        self.total += 1;
        self.heaviest = self.heaviest.max(1);
        self.leaves += 1;
        self.forced += 1;
        self.present[(node / 64) % 5] |= 1 << (node % 64);
    }

    /// The last present symbol.
    fn max_code(&self) -> Option<usize> {
        (0..self.present.len())
            .rev()
            .find(|&i| self.present[i] != 0)
            .map(|i| 64 * i + 63 - self.present[i].leading_zeros() as usize)
    }
}

/// The code lengths `scan_tree` will send, as far as they are known without the lengths.
#[derive(Default)]
struct Sent {
    /// Explicit zero lengths (runs of one or two absent symbols).
    zeros: usize,
    /// Repeat-zero codes: 3–10 (3 extra bits) and 11–138 (7 extra bits).
    repz_short: usize,
    repz_long: usize,
    /// At least this many codes for the nonzero lengths (explicit or repeat).
    lengths: usize,
    /// At least this many extra bits of repeat codes beyond what `lengths` costs (below).
    repeat_extra: usize,
}

impl Sent {
    /// A run of `r` present (`state` 1) or absent (`state` 0) symbols, counted without a branch
    /// on either but for runs past 138 absent symbols (split as `scan_tree` does).
    fn run(&mut self, state: usize, r: usize) {
        let absent = 1 - state;
        let mut r = r;
        while absent == 1 && r > 138 {
            self.repz_long += 1;
            r -= 138;
        }
        let codes = if r <= 3 { r } else { r.div_ceil(6).max(2) };
        self.lengths += state * codes;
        // `k` codes send `r` lengths only with at least `(r − k)/5` repeat codes (an explicit
        // code covers one, a repeat code at most six), each with 2 extra bits; every code
        // beyond the `codes` counted costs at least one more bit of the bit-length code. So
        // `r` lengths cost at least `(r − codes)·2/5` bits beyond `codes` codes.
        self.repeat_extra += state * (2 * (r - codes) / 5);
        self.zeros += absent * usize::from(r < 3) * r;
        self.repz_short += absent * usize::from((3..=10).contains(&r));
        self.repz_long += absent * usize::from(r >= 11);
    }

    /// The runs of present and absent symbols in `0..end` (`end` at least 1, the symbols from
    /// `end` on absent), a run at a time: from the bit set's transitions.
    fn runs(&mut self, present: &[u64; 5], end: usize) {
        let mut start = 0;
        let mut state = (present[0] & 1) as usize;
        let mut carry = present[0] & 1;
        for (word, &p) in present.iter().enumerate().take(end.div_ceil(64)) {
            // Bit i set where symbol 64·word + i differs from the one before it.
            let mut changes = p ^ (p << 1 | carry);
            carry = p >> 63;
            let left = end - 64 * word;
            if left < 64 {
                changes &= (1 << left) - 1;
            }
            while changes != 0 {
                let n = 64 * word + changes.trailing_zeros() as usize;
                self.run(state, n - start);
                start = n;
                state ^= 1;
                changes &= changes - 1;
            }
        }
        self.run(state, end - start);
    }
}

/// `(static_len, floor)`: the fixed-code size in bits of the block of these symbol counts,
/// as zlib-rs's `static_len` ends, and a floor under its `opt_len` (the dynamic size), or
/// `None` when the counts are too large for the floor to hold (see the module's text).
/// `lit` and `dist` hold the counts of the literal/length and distance symbols; `scratch`
/// is work space of at least 512 entries.
pub(super) fn sizes(lit: &[Node], dist: &[Node], scratch: &mut [u64]) -> (usize, Option<usize>) {
    let lit = &lit[..L_CODES];
    let (mut lc, [lit_stat, lit_extra]) = Counts::of(
        lit,
        |n| usize::from(TABLES.static_ltree[n].b),
        |n| usize::from(LIT_EXTRA[n]),
    );
    // Every fixed distance code has 5 bits.
    let (mut dc, [dist_stat, dist_extra]) =
        Counts::of(&dist[..D_CODES], |_| 5, |n| usize::from(EXTRA_DBITS[n]));
    let stat = lit_stat + dist_stat;
    let lit_max = match lc.max_code() {
        Some(n) if lc.total < NO_OVERFLOW_BELOW && lc.leaves >= 2 => n,
        _ => return (stat, None),
    };
    let dist_max = dc.with_placeholders();
    let mut sent = Sent::default();
    sent.runs(&lc.present, lit_max + 1);
    sent.runs(&dc.present, dist_max + 1);
    // HCLEN sends at least four code lengths (positions 0–3 of BL_ORDER: 16, 17, 18 and 0),
    // and as far as the earliest position of a length each tree must have.
    let mut position = 3;
    for c in [&lc, &dc] {
        position = position.max(FIRST_POSITION_UP_TO[depth_bound(c.heaviest, c.total)]);
    }
    let lengths_code =
        optimal_cost_small([sent.zeros, sent.repz_short, sent.repz_long, sent.lengths]);
    let floor = huffman_cost(&mut lc, scratch) + huffman_cost(&mut dc, scratch) - dc.forced
        + lit_extra
        + dist_extra
        + 5
        + 5
        + 4
        + 3 * (position + 1)
        + lengths_code
        + 3 * sent.repz_short
        + 7 * sent.repz_long
        + sent.repeat_extra;
    (stat, Some(floor))
}

/// The largest depth `l` (at most 15) with `weight·Fib(l + 1) ≤ total`: no leaf of that weight
/// in a Huffman tree of that total weight is deeper.
fn depth_bound(weight: usize, total: usize) -> usize {
    let q = total / weight.max(1);
    let mut l = 1;
    while l < 15 && FIB[l + 2] <= q {
        l += 1;
    }
    l
}

/// The cost of an optimal prefix code of up to four counts (zeros ignored; a lone symbol
/// costs one bit per occurrence, as zlib-rs gives it a one-bit code).
fn optimal_cost_small(mut w: [usize; 4]) -> usize {
    w.sort_unstable();
    let first = w.iter().position(|&x| x > 0).unwrap_or(w.len());
    let mut items = &mut w[first..];
    if items.len() < 2 {
        return items.iter().sum();
    }
    // Merge the two smallest, keep sorted.
    let mut cost = 0;
    while items.len() > 1 {
        let s = items[0] + items[1];
        cost += s;
        items[1] = s;
        items = &mut items[1..];
        items.sort_unstable();
    }
    cost
}

/// A queue of runs of equal weights in `runs[front..back]`, each `weight << 32 | count`.
struct Runs<'a> {
    runs: &'a mut [u64],
    front: usize,
    back: usize,
}

impl Runs<'_> {
    fn weight(&self) -> usize {
        if self.front < self.back {
            (self.runs[self.front] >> 32) as usize
        } else {
            usize::MAX
        }
    }

    fn count(&self) -> usize {
        (self.runs[self.front] & 0xFFFF_FFFF) as usize
    }

    /// Takes up to `n` items of weight `w` from the front; returns how many are still owed.
    fn take(&mut self, w: usize, n: usize) -> usize {
        if n == 0 || self.weight() != w {
            return n;
        }
        let k = self.count().min(n);
        self.runs[self.front] -= k as u64;
        if self.count() == 0 {
            self.front += 1;
        }
        n - k
    }

    /// Adds `k` items of weight `w`, no lighter than any held.
    fn push(&mut self, w: usize, k: usize) {
        if self.back > self.front && (self.runs[self.back - 1] >> 32) as usize == w {
            self.runs[self.back - 1] += k as u64;
        } else {
            self.runs[self.back] = (w as u64) << 32 | k as u64;
            self.back += 1;
        }
    }
}

/// The cost in bits (sum of weight × depth) of an optimal prefix code of a tree's counts,
/// placeholders included: two queues, the leaves by increasing weight and the merged nodes in
/// the order made (increasing too, as in every Huffman construction), each a list of runs of
/// equal weight, so that `k` pairs of equal smallest weights are merged in one step. Every
/// optimal code has this cost, whichever of equal weights is merged first. `scratch` holds
/// both queues.
fn huffman_cost(c: &mut Counts, scratch: &mut [u64]) -> usize {
    let (leaf_runs, merged_runs) = scratch.split_at_mut(SMALL + HEAVY);
    let mut leaves = Runs {
        runs: leaf_runs,
        front: 0,
        back: 0,
    };
    for (w, &k) in c.small.iter().enumerate().skip(1) {
        if k > 0 {
            leaves.push(w, usize::from(k));
        }
    }
    let heavy = &mut c.heavy[..c.heavy_len];
    heavy.sort_unstable();
    for &w in heavy.iter() {
        leaves.push(usize::from(w), 1);
    }
    let mut merged = Runs {
        runs: merged_runs,
        front: 0,
        back: 0,
    };
    let mut items = c.leaves;
    let mut cost = 0;
    while items > 1 {
        let w = leaves.weight().min(merged.weight());
        let mut count = 0;
        if leaves.weight() == w {
            count += leaves.count();
        }
        if merged.weight() == w {
            count += merged.count();
        }
        let (sum, pairs) = if count >= 2 {
            let owed = leaves.take(w, count / 2 * 2);
            merged.take(w, owed);
            (2 * w, count / 2)
        } else {
            let owed = leaves.take(w, 1);
            merged.take(w, owed);
            let w2 = leaves.weight().min(merged.weight());
            let owed = leaves.take(w2, 1);
            merged.take(w2, owed);
            (w + w2, 1)
        };
        cost += sum * pairs;
        items -= pairs;
        merged.push(sum, pairs);
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_sizes, frequencies, new_heap, next, FIXED_BY_FLOOR};
    use super::super::{
        block_trees, build_tree, code_length_counts, dynamic_trees, Deflater, Heap, Lens, Tree,
        HEAP_SIZE, REPZ_11_138, REPZ_3_10,
    };
    use super::*;
    use std::cell::Cell;

    /// A literal/length table (end of block present) and a distance table with zero, one or
    /// more codes, totals kept under the floor's limit unless `any_total`.
    fn tables(state: &mut u64, round: usize, any_total: bool) -> (Vec<u16>, Vec<u16>) {
        let spread = [1, 2, 3, 5, 8, 40, 300][round % 7];
        loop {
            let mut lit = frequencies(state, L_CODES, spread);
            lit[256] = lit[256].max(1);
            if lit.iter().filter(|&&f| f > 0).count() < 2 {
                lit[0] = 1;
            }
            let mut dist = frequencies(state, D_CODES, spread);
            match round % 5 {
                0 => dist.iter_mut().for_each(|f| *f = 0),
                1 => {
                    let keep = (next(state) % D_CODES as u64) as usize;
                    dist.iter_mut()
                        .enumerate()
                        .for_each(|(n, f)| *f = if n == keep { 1 + (*f % 9) } else { 0 });
                }
                _ => {}
            }
            let total: usize = lit.iter().map(|&f| usize::from(f)).sum();
            if any_total || total < NO_OVERFLOW_BELOW {
                return (lit, dist);
            }
        }
    }

    fn trees(lit: &[u16], dist: &[u16]) -> (Tree<HEAP_SIZE>, Tree<{ 2 * D_CODES + 1 }>) {
        let (mut ltree, mut dtree) = block_trees();
        for (n, &f) in lit.iter().enumerate() {
            ltree.nodes[n].a = f;
        }
        for (n, &f) in dist.iter().enumerate() {
            dtree.nodes[n].a = f;
        }
        (ltree, dtree)
    }

    /// zlib's code lengths of the literal/length counts `lit`.
    fn zlib_lengths(lit: &[u16], heap: &mut Heap) -> Vec<u16> {
        let (mut ltree, _) = trees(lit, &[]);
        build_tree(&mut Lens::default(), heap, &mut ltree);
        ltree.nodes[..lit.len()].iter().map(|n| n.b).collect()
    }

    #[test]
    fn the_floor_is_never_above_the_dynamic_size_and_the_fixed_size_is_zlibs() {
        let mut state = 7;
        let (mut floors, mut ruled_out) = (0, 0);
        let mut heap = new_heap(false);
        for round in 0..20_000 {
            let (lit, dist) = tables(&mut state, round, round % 4 == 3);
            let (mut ltree, mut dtree) = trees(&lit, &dist);
            let (stat, floor) = sizes(&ltree.nodes, &dtree.nodes, &mut heap.heap);
            let (lens, ..) = dynamic_trees(&mut heap, &mut ltree, &mut dtree);
            check_sizes(stat, floor, &lens);
            let total: usize = lit.iter().map(|&f| usize::from(f)).sum();
            assert_eq!(floor.is_some(), total < NO_OVERFLOW_BELOW, "round {round}");
            if let Some(floor) = floor {
                floors += 1;
                ruled_out += usize::from(floor >= stat);
            }
        }
        // Most tables get a floor, and the test reaches both outcomes.
        assert!(floors > 12_000, "{floors}");
        assert!(
            ruled_out > 100 && ruled_out < floors,
            "{ruled_out} of {floors}"
        );
    }

    #[test]
    fn the_optimal_cost_is_that_of_zlibs_tree_whatever_the_ties() {
        let mut state = 11;
        let mut heap = new_heap(false);
        for round in 0..20_000 {
            let (lit, _) = tables(&mut state, round, false);
            let mut scratch = [0u64; 1024];
            let (mut counts, _) = Counts::of(&trees(&lit, &[]).0.nodes[..L_CODES], |_| 0, |_| 0);
            let cost = huffman_cost(&mut counts, &mut scratch);
            // Below the limit no length was cut to 15, so zlib's lengths are its tree's depths.
            let lengths = zlib_lengths(&lit, &mut heap);
            let zlib: usize = lit
                .iter()
                .zip(&lengths)
                .map(|(&f, &l)| usize::from(f) * usize::from(l))
                .sum();
            assert_eq!(cost, zlib, "round {round}: {lit:?}");
        }
    }

    #[test]
    fn zero_runs_of_both_trees_are_counted_as_scan_tree_sends_them() {
        let mut state = 13;
        let mut heap = new_heap(false);
        for round in 0..20_000 {
            let (lit, dist) = tables(&mut state, round, false);
            let (mut ltree, mut dtree) = trees(&lit, &dist);
            let (lc, _) = Counts::of(&ltree.nodes[..L_CODES], |_| 0, |_| 0);
            let (mut dc, _) = Counts::of(&dtree.nodes[..D_CODES], |_| 0, |_| 0);
            let mut sent = Sent::default();
            sent.runs(&lc.present, lc.max_code().expect("two symbols") + 1);
            let dist_max = dc.with_placeholders();
            sent.runs(&dc.present, dist_max + 1);
            let (_, bltree) = code_length_counts(&mut heap, &mut ltree, &mut dtree);
            let bl = |n: usize| usize::from(bltree.nodes[n].a);
            assert_eq!(sent.zeros, bl(0), "round {round}");
            assert_eq!(sent.repz_short, bl(REPZ_3_10), "round {round}");
            assert_eq!(sent.repz_long, bl(REPZ_11_138), "round {round}");
            let length_codes: usize = (1..=16).map(bl).sum();
            assert!(sent.lengths <= length_codes, "round {round}");
        }
    }

    #[test]
    fn the_fibonacci_depth_bound_holds_for_zlibs_trees() {
        let mut state = 17;
        let mut heap = new_heap(false);
        for round in 0..20_000 {
            let (lit, _) = tables(&mut state, round, false);
            let lengths = zlib_lengths(&lit, &mut heap);
            let total: usize = lit.iter().map(|&f| usize::from(f)).sum();
            for (n, &f) in lit.iter().enumerate().filter(|(_, &f)| f > 0) {
                let depth = usize::from(lengths[n]);
                assert!(
                    depth <= depth_bound(usize::from(f), total),
                    "round {round}, symbol {n}"
                );
            }
        }
    }

    /// Bytes shaped like a credential: the dictionary's words and claim names, a synthetic
    /// person, dates and numbers, then a key, a serial and a signature of random bytes.
    fn credential_shaped(state: &mut u64) -> Vec<u8> {
        const FAMILY: [&str; 6] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"];
        const GIVEN: [&str; 6] = [
            "Văn An",
            "Thị Mai",
            "Minh Khoa",
            "Thu Hà",
            "Quốc Bảo",
            "Ngọc Lan",
        ];
        const PLACE: [&str; 4] = [
            "phường Bến Nghé, quận 1",
            "xã Tân Phú",
            "phường Láng Hạ",
            "thị trấn Đông Anh",
        ];
        fn pick(state: &mut u64, list: &[&'static str]) -> &'static str {
            list[(next(state) % list.len() as u64) as usize]
        }
        let text = format!(
            "application/vn-doc+cwt full_name {} {} date_of_birth 19{:02}-0{}-1{} id_number 0010{:08} \
             place_of_residence Số {} {}, Hà Nội status_list https://giayto.example/st/VN.BCA.C06/1",
            pick(state, &FAMILY),
            pick(state, &GIVEN),
            next(state) % 100,
            1 + next(state) % 9,
            next(state) % 10,
            next(state) % 100_000_000,
            1 + next(state) % 300,
            pick(state, &PLACE),
        );
        let mut v = vec![0xD2, 0x84, 0x43, 0xA1, 0x01, 0x27, 0xA1, 0x04, 0x48];
        v.extend((0..8).map(|_| next(state) as u8));
        v.extend(text.as_bytes());
        for len in [32, 10, 64] {
            v.push(0x58);
            v.push(len as u8);
            v.extend((0..len).map(|_| next(state) as u8));
        }
        v
    }

    #[test]
    fn credential_shaped_inputs_skip_the_dynamic_trees_and_keep_zlibs_bytes() {
        let mut state = 19;
        let dictionary = crate::text::DICTIONARY_V1_BYTES;
        let mut deflater = Deflater::new(dictionary).expect("dictionary v1 is within the limits");
        FIXED_BY_FLOOR.with(|n| n.set(0));
        let inputs = 300;
        for _ in 0..inputs {
            let input = credential_shaped(&mut state);
            let ours = deflater.deflate(&input).expect("within the limits");
            let reference = crate::text::deflate_flate2(
                &input,
                Some(&crate::text::DICTIONARY_V1),
                crate::text::Effort::Best,
            )
            .expect("flate2 compresses");
            assert_eq!(ours, reference);
        }
        let skipped = FIXED_BY_FLOOR.with(Cell::get);
        assert_eq!(
            skipped, inputs,
            "{skipped} of {inputs} written without the dynamic trees"
        );
    }
}
