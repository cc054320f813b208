//! Deflate at level 9 for the small inputs of the QR text (docs/format.md §5.5), written to
//! produce the same bytes as the zlib-rs compressor behind `flate2` (its `deflate_slow` with
//! the level-9 parameters and the rolling hash, then one block: stored, fixed or dynamic
//! Huffman codes, whichever is shortest), with a preset dictionary that is inserted into the
//! hash chains once per thread instead of once per credential.
//!
//! Why by hand (decisions.md D170): a zlib stream is reset for every credential, which clears a
//! 128 KiB hash table and two 48 KiB symbol buffers and re-inserts the 3,242 bytes of the
//! dictionary: together most of the cost of encoding a credential. No deflate crate offers a
//! primed state that can be restored for less than it costs to build; here only the table
//! slots a credential changed are put back. The codes already printed and the test vectors
//! fix the exact bytes, so this follows the zlib-rs algorithm step by step (including its
//! chain-skipping search) rather than any other good parse; `tests.rs` compares the two on
//! thousands of inputs, and [`super::encode`] falls back to `flate2` outside the limits below.

/// Window of the header's CINFO 7 (32 KiB).
const W_SIZE: usize = 1 << 15;
const W_MASK: usize = W_SIZE - 1;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// zlib-rs inserts and searches a position only with at least this much lookahead.
const WANT_MIN_MATCH: usize = 4;
const MIN_LOOKAHEAD: usize = MAX_MATCH + MIN_MATCH + 1;
const MAX_DIST: usize = W_SIZE - MIN_LOOKAHEAD;
/// Level 9: `good_length`, `max_lazy`, `nice_length`, `max_chain`.
const GOOD_MATCH: usize = 32;
const MAX_LAZY: usize = 258;
const NICE_MATCH: usize = 258;
const MAX_CHAIN: u16 = 4096;
/// The rolling hash of level 9 uses 15 bits.
const HASH_SIZE: usize = 1 << 15;
const HASH_MASK: u32 = (HASH_SIZE - 1) as u32;

/// Largest input handled here: far below the 16,383 symbols after which zlib-rs would end a
/// block early, and with the dictionary well inside the window (no sliding).
pub(super) const MAX_INPUT: usize = 8 * 1024;
/// Largest dictionary handled here (v1 has 3,242 bytes); at least 3 bytes, as zlib-rs marks a
/// shorter one differently.
pub(super) const MAX_DICTIONARY: usize = 16 * 1024;
/// Bytes kept readable (zero) after the input: the match search compares up to 258 bytes past
/// a position, in 8-byte words.
const PAD: usize = MAX_MATCH + 16;

const LITERALS: usize = 256;
const LENGTH_CODES: usize = 29;
const L_CODES: usize = LITERALS + 1 + LENGTH_CODES;
const D_CODES: usize = 30;
const BL_CODES: usize = 19;
const HEAP_SIZE: usize = 2 * L_CODES + 1;
const MAX_BITS: usize = 15;
const MAX_BL_BITS: usize = 7;
const END_BLOCK: usize = 256;
const REP_3_6: usize = 16;
const REPZ_3_10: usize = 17;
const REPZ_11_138: usize = 18;

mod floor;

const EXTRA_LBITS: [u8; LENGTH_CODES] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const EXTRA_DBITS: [u8; D_CODES] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const EXTRA_BLBITS: [u8; BL_CODES] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
const BL_ORDER: [u8; BL_CODES] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// The fixed tables of RFC 1951 §3.2.5–3.2.6 (zlib's `tr_static_init`).
struct Tables {
    /// Length code (0..29) of `match length - 3`.
    length_code: [u8; 256],
    base_length: [u8; LENGTH_CODES],
    /// Distance code of `distance - 1`: index `d` below 256, else `256 + (d >> 7)`.
    dist_code: [u8; 512],
    base_dist: [u16; D_CODES],
    static_ltree: [Node; L_CODES + 2],
    static_dtree: [Node; D_CODES],
}

const fn tables() -> Tables {
    let mut t = Tables {
        length_code: [0; 256],
        base_length: [0; LENGTH_CODES],
        dist_code: [0; 512],
        base_dist: [0; D_CODES],
        static_ltree: [Node { a: 0, b: 0 }; L_CODES + 2],
        static_dtree: [Node { a: 0, b: 0 }; D_CODES],
    };
    let mut length = 0usize;
    let mut code = 0usize;
    while code < LENGTH_CODES - 1 {
        t.base_length[code] = length as u8;
        let mut n = 0;
        while n < (1 << EXTRA_LBITS[code]) {
            t.length_code[length] = code as u8;
            length += 1;
            n += 1;
        }
        code += 1;
    }
    // Length 258 (255 here) has its own code, 28, overriding the last entry of code 27.
    t.length_code[length - 1] = code as u8;
    let mut dist = 0usize;
    code = 0;
    while code < 16 {
        t.base_dist[code] = dist as u16;
        let mut n = 0;
        while n < (1 << EXTRA_DBITS[code]) {
            t.dist_code[dist] = code as u8;
            dist += 1;
            n += 1;
        }
        code += 1;
    }
    dist >>= 7;
    while code < D_CODES {
        t.base_dist[code] = (dist << 7) as u16;
        let mut n = 0;
        while n < (1 << (EXTRA_DBITS[code] - 7)) {
            t.dist_code[256 + dist] = code as u8;
            dist += 1;
            n += 1;
        }
        code += 1;
    }
    // The fixed literal/length code: 8 bits for 0..=143, 9 to 255, 7 to 279, 8 to 287.
    let mut bl_count = [0u16; MAX_BITS + 1];
    let mut n = 0;
    while n < L_CODES + 2 {
        let len = if n <= 143 {
            8
        } else if n <= 255 {
            9
        } else if n <= 279 {
            7
        } else {
            8
        };
        t.static_ltree[n].b = len;
        bl_count[len as usize] += 1;
        n += 1;
    }
    let mut next_code = [0u16; MAX_BITS + 1];
    let mut c = 0u16;
    let mut bits = 1;
    while bits <= MAX_BITS {
        c = (c + bl_count[bits - 1]) << 1;
        next_code[bits] = c;
        bits += 1;
    }
    n = 0;
    while n < L_CODES + 2 {
        let len = t.static_ltree[n].b;
        t.static_ltree[n].a = next_code[len as usize].reverse_bits() >> (16 - len);
        next_code[len as usize] += 1;
        n += 1;
    }
    n = 0;
    while n < D_CODES {
        t.static_dtree[n] = Node {
            a: (n as u16).reverse_bits() >> 11,
            b: 5,
        };
        n += 1;
    }
    t
}

static TABLES: Tables = tables();

/// A tree node as zlib keeps it: `a` is the frequency, later the code; `b` the parent, later
/// the code length.
#[derive(Clone, Copy, Debug, Default)]
struct Node {
    a: u16,
    b: u16,
}

fn d_code(dist_minus_one: usize) -> usize {
    let index = if dist_minus_one < 256 {
        dist_minus_one
    } else {
        256 + (dist_minus_one >> 7)
    };
    usize::from(TABLES.dist_code[index & 511])
}

/// One Huffman tree under construction: `N` nodes, the first `elems` of them leaves.
struct Tree<const N: usize> {
    nodes: [Node; N],
    max_code: usize,
    elems: usize,
    extra: &'static [u8],
    extra_base: usize,
    max_length: u16,
    stat: Option<&'static [Node]>,
}

impl<const N: usize> Tree<N> {
    fn new(
        elems: usize,
        extra: &'static [u8],
        extra_base: usize,
        max_length: u16,
        stat: Option<&'static [Node]>,
    ) -> Self {
        Tree {
            nodes: [Node::default(); N],
            max_code: 0,
            elems,
            extra,
            extra_base,
            max_length,
            stat,
        }
    }
}

/// The heap of zlib's `build_tree`. An entry is a node's key (frequency, then depth, as zlib
/// orders them) in the high 32 bits and the node in the low ones, so that sifting compares
/// entries without looking the nodes up; only the key is compared, as in zlib.
struct Heap {
    /// `HEAP_SIZE` entries used, in an array of a power of two so that masked indices need no
    /// bounds check.
    heap: [u64; HEAP_CAP],
    /// The leaves of the tree being built, in increasing order (for `gen_codes`).
    leaves: [u16; LEAVES_CAP],
    len: usize,
    max: usize,
    /// In tests, sift as zlib's `pqdownheap` is written, to compare [`Heap::sift`] with.
    #[cfg(test)]
    zlib_sift: bool,
}

const HEAP_CAP: usize = 1024;
const LEAVES_CAP: usize = 512;
const LEAVES_MASK: usize = LEAVES_CAP - 1;
const _: () = assert!(LEAVES_CAP >= L_CODES);
const HEAP_MASK: usize = HEAP_CAP - 1;
/// The node bits of an entry: `a <= b | NODE_BITS` says key(a) <= key(b).
const NODE_BITS: u64 = 0xFFFF_FFFF;

fn entry(freq: u16, depth: u8, node: usize) -> u64 {
    ((u64::from(freq) << 8 | u64::from(depth)) << 32) | node as u64
}

fn node_of(entry: u64) -> usize {
    (entry & NODE_BITS) as usize
}

fn freq_of(entry: u64) -> u16 {
    (entry >> 40) as u16
}

fn depth_of(entry: u64) -> u8 {
    (entry >> 32) as u8
}

impl Heap {
    /// [`Heap::sift`] at the heap's own length (tests).
    #[cfg(test)]
    fn down(&mut self, k: usize) {
        self.sift(self.len, k);
    }

    /// zlib's `pqdownheap(k)` on a heap of `len` entries, with the same result in another order
    /// of work (decisions.md D184; `build_tree` keeps `len` in a register). zlib walks down from `k`, at each level taking the smaller child (the right one
    /// when its key is not larger) and moving it up while that child's key is smaller than
    /// the sifted entry's `v`; it stops at the first child whose key is not smaller. The
    /// children it takes do not depend on `v`, and their keys never decrease down the path
    /// (both subtrees are heaps), so zlib moves up exactly the path's entries with a smaller
    /// key than `v`, a prefix of the path. Here the whole path is moved up first (one
    /// comparison a level instead of two), then `v` climbs back over the entries of that path
    /// whose key is not smaller — the same entries end in the same places.
    fn sift(&mut self, len: usize, mut k: usize) {
        #[cfg(test)]
        if self.zlib_sift {
            self.len = len;
            return self.down_zlib(k);
        }
        let heap = &mut self.heap;
        let top = k;
        let v = heap[k & HEAP_MASK];
        let mut j = k << 1;
        while j < len {
            // Two levels a round: the four grandchildren are read with the children (they
            // are adjacent), so the second choice waits for no load. Entries past `len` may
            // be read, never used.
            let left = heap[j & HEAP_MASK];
            let right = heap[(j + 1) & HEAP_MASK];
            let g = 2 * j;
            let grand = [
                heap[g & HEAP_MASK],
                heap[(g + 1) & HEAP_MASK],
                heap[(g + 2) & HEAP_MASK],
                heap[(g + 3) & HEAP_MASK],
            ];
            let pick = usize::from(right <= left | NODE_BITS);
            heap[k & HEAP_MASK] = if pick == 1 { right } else { left };
            k = j + pick;
            j = k << 1;
            if j >= len {
                break;
            }
            let left = grand[2 * pick];
            let right = grand[2 * pick + 1];
            let pick = usize::from(right <= left | NODE_BITS);
            heap[k & HEAP_MASK] = if pick == 1 { right } else { left };
            k = j + pick;
            j = k << 1;
        }
        if j == len {
            heap[k & HEAP_MASK] = heap[j & HEAP_MASK];
            k = j;
        }
        // key(parent) < key(v) exactly when parent < v's key with zero node bits.
        let v_floor = v & !NODE_BITS;
        while k > top {
            let parent = heap[(k >> 1) & HEAP_MASK];
            if parent < v_floor {
                break;
            }
            heap[k & HEAP_MASK] = parent;
            k >>= 1;
        }
        heap[k & HEAP_MASK] = v;
    }

    /// zlib's `pqdownheap` as written: the reference [`Heap::sift`] is tested against.
    #[cfg(test)]
    fn down_zlib(&mut self, mut k: usize) {
        let v = self.heap[k];
        let v_key = v >> 32;
        let mut j = k << 1;
        while j <= self.len {
            let mut jv = self.heap[j];
            if j < self.len {
                let j1 = self.heap[j + 1];
                if j1 >> 32 <= jv >> 32 {
                    j += 1;
                    jv = j1;
                }
            }
            if v_key <= jv >> 32 {
                break;
            }
            self.heap[k] = jv;
            k = j;
            j <<= 1;
        }
        self.heap[k] = v;
    }
}

/// Sizes in bits of the block as dynamic and as fixed codes, as zlib accumulates them.
#[derive(Default)]
struct Lens {
    opt: usize,
    stat: usize,
}

/// `heap` is scratch space: every entry is written before it is read, so it is not cleared.
fn build_tree<const N: usize>(lens: &mut Lens, heap: &mut Heap, tree: &mut Tree<N>) {
    // zlib's `heap_len` and `heap_max`, kept in locals; entries are indexed through the mask
    // (both stay below HEAP_SIZE).
    let mut len = 0;
    let mut max = HEAP_SIZE;
    let mut max_code: isize = -1;
    for n in 0..tree.elems {
        if tree.nodes[n].a > 0 {
            heap.leaves[len & LEAVES_MASK] = n as u16;
            len += 1;
            heap.heap[len & HEAP_MASK] = entry(tree.nodes[n].a, 0, n);
            max_code = n as isize;
        } else {
            tree.nodes[n].b = 0;
        }
    }
    while len < 2 {
        let node = if max_code < 2 {
            max_code += 1;
            heap.leaves[len & LEAVES_MASK] = max_code as u16;
            max_code as usize
        } else {
            // Only with one leaf (n >= 2) so far: node 0 goes before it.
            heap.leaves[1] = heap.leaves[0];
            heap.leaves[0] = 0;
            0
        };
        len += 1;
        tree.nodes[node].a = 1;
        heap.heap[len & HEAP_MASK] = entry(1, 0, node);
        lens.opt = lens.opt.wrapping_sub(1);
        if let Some(stat) = tree.stat {
            lens.stat = lens.stat.wrapping_sub(usize::from(stat[node].b));
        }
    }
    let max_code = max_code as usize;
    tree.max_code = max_code;
    let leaves = len;
    let mut n = len / 2;
    while n >= 1 {
        heap.sift(len, n);
        n -= 1;
    }
    // Combine the two least frequent nodes until one is left.
    let mut node = tree.elems;
    loop {
        let first = heap.heap[1];
        heap.heap[1] = heap.heap[len & HEAP_MASK];
        len -= 1;
        heap.sift(len, 1);
        let second = heap.heap[1];
        let (n, m) = (node_of(first), node_of(second));
        max -= 1;
        heap.heap[max & HEAP_MASK] = first;
        max -= 1;
        heap.heap[max & HEAP_MASK] = second;
        // An entry's key holds its node's frequency (both written together).
        let freq = freq_of(first).wrapping_add(freq_of(second));
        tree.nodes[node].a = freq;
        let depth = depth_of(first).max(depth_of(second)) + 1;
        tree.nodes[n].b = node as u16;
        tree.nodes[m].b = node as u16;
        heap.heap[1] = entry(freq, depth, node);
        node += 1;
        heap.sift(len, 1);
        if len < 2 {
            break;
        }
    }
    max -= 1;
    heap.heap[max & HEAP_MASK] = heap.heap[1];
    heap.len = len;
    heap.max = max;
    let bl_count = gen_bitlen(lens, heap, tree);
    gen_codes(&mut tree.nodes, &heap.leaves[..leaves], &bl_count);
}

fn gen_bitlen<const N: usize>(lens: &mut Lens, heap: &Heap, tree: &mut Tree<N>) -> [u16; 16] {
    let max_code = tree.max_code;
    let max_length = tree.max_length;
    let mut bl_count = [0u16; MAX_BITS + 1];
    tree.nodes[node_of(heap.heap[heap.max])].b = 0;
    let mut overflow: i32 = 0;
    for &e in &heap.heap[heap.max + 1..HEAP_SIZE] {
        let n = node_of(e);
        let mut bits = tree.nodes[usize::from(tree.nodes[n].b)].b + 1;
        if bits > max_length {
            bits = max_length;
            overflow += 1;
        }
        tree.nodes[n].b = bits;
        if n > max_code {
            continue;
        }
        bl_count[usize::from(bits)] += 1;
        let xbits = if n >= tree.extra_base {
            usize::from(tree.extra[n - tree.extra_base])
        } else {
            0
        };
        let f = usize::from(tree.nodes[n].a);
        lens.opt = lens.opt.wrapping_add(f * (usize::from(bits) + xbits));
        if let Some(stat) = tree.stat {
            lens.stat = lens.stat.wrapping_add(f * (usize::from(stat[n].b) + xbits));
        }
    }
    if overflow == 0 {
        return bl_count;
    }
    loop {
        let mut bits = usize::from(max_length) - 1;
        while bl_count[bits] == 0 {
            bits -= 1;
        }
        bl_count[bits] -= 1;
        bl_count[bits + 1] += 2;
        bl_count[usize::from(max_length)] -= 1;
        overflow -= 2;
        if overflow <= 0 {
            break;
        }
    }
    let mut h = HEAP_SIZE;
    for bits in (1..=max_length).rev() {
        let mut n = bl_count[usize::from(bits)];
        while n != 0 {
            h -= 1;
            let m = node_of(heap.heap[h]);
            if m > max_code {
                continue;
            }
            let node = tree.nodes[m];
            if node.b != bits {
                lens.opt = lens
                    .opt
                    .wrapping_add(usize::from(bits) * usize::from(node.a))
                    .wrapping_sub(usize::from(node.b) * usize::from(node.a));
                tree.nodes[m].b = bits;
            }
            n -= 1;
        }
    }
    bl_count
}

/// The bits of each byte, reversed.
const REVERSED: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).reverse_bits();
        i += 1;
    }
    t
};

/// `u16::reverse_bits` by table: the instruction set has none, and the generic code costs
/// about twenty instructions a code.
fn reverse16(x: u16) -> u16 {
    u16::from(REVERSED[usize::from(x & 0xFF)]) << 8 | u16::from(REVERSED[usize::from(x >> 8)])
}

/// zlib's `gen_codes` for the tree's `leaves` (its symbols of nonzero frequency, in increasing
/// order: the symbols it skips have code length 0 and keep code 0, D191).
fn gen_codes(nodes: &mut [Node], leaves: &[u16], bl_count: &[u16; 16]) {
    let mut next_code = [0u16; MAX_BITS + 1];
    let mut code = 0u16;
    for bits in 1..=MAX_BITS {
        code = code.wrapping_add(bl_count[bits - 1]) << 1;
        next_code[bits] = code;
    }
    for &leaf in leaves {
        let Some(node) = nodes.get_mut(usize::from(leaf)) else {
            continue;
        };
        let len = node.b & 15;
        node.a = reverse16(next_code[usize::from(len)]) >> (16 - len);
        next_code[usize::from(len)] = next_code[usize::from(len)].wrapping_add(1);
    }
}

fn scan_tree<const N: usize>(bl: &mut Tree<{ 2 * BL_CODES + 1 }>, tree: &mut Tree<N>) {
    let max_code = tree.max_code;
    let mut prevlen: isize = -1;
    let mut nextlen = tree.nodes[0].b;
    let mut count = 0u16;
    let (mut max_count, mut min_count) = if nextlen == 0 { (138, 3) } else { (7, 4) };
    tree.nodes[max_code + 1].b = 0xffff;
    for n in 0..=max_code {
        let curlen = nextlen;
        nextlen = tree.nodes[n + 1].b;
        count += 1;
        if count < max_count && curlen == nextlen {
            continue;
        } else if count < min_count {
            bl.nodes[usize::from(curlen)].a += count;
        } else if curlen != 0 {
            if curlen as isize != prevlen {
                bl.nodes[usize::from(curlen)].a += 1;
            }
            bl.nodes[REP_3_6].a += 1;
        } else if count <= 10 {
            bl.nodes[REPZ_3_10].a += 1;
        } else {
            bl.nodes[REPZ_11_138].a += 1;
        }
        count = 0;
        prevlen = curlen as isize;
        (max_count, min_count) = if nextlen == 0 {
            (138, 3)
        } else if curlen == nextlen {
            (6, 3)
        } else {
            (7, 4)
        };
    }
}

/// Bits out, least significant first (RFC 1951 §3.1.1).
struct Bits {
    out: Vec<u8>,
    buf: u64,
    n: u32,
}

impl Bits {
    fn send(&mut self, value: u64, len: u32) {
        let mut w = Local::new(self);
        w.put(value, len);
        w.finish();
    }

    fn align(&mut self) {
        let bytes = self.n.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.buf.to_le_bytes()[..bytes]);
        self.buf = 0;
        self.n = 0;
    }

    fn send_tree<const N: usize>(&mut self, tree: &Tree<N>, bl: &[Node]) {
        // The buffer in locals, as in `symbols`; a repeat code and its extra bits in one push.
        let mut w = Local::new(self);
        let code = |node: Node, extra: u16, bits: u16| {
            (
                u64::from(node.a) | u64::from(extra) << node.b,
                u32::from(node.b + bits),
            )
        };
        let max_code = tree.max_code;
        let mut prevlen: isize = -1;
        let mut nextlen = tree.nodes[0].b;
        let mut count = 0u16;
        let (mut max_count, mut min_count) = if nextlen == 0 { (138, 3) } else { (7, 4) };
        for n in 0..=max_code {
            let curlen = nextlen;
            nextlen = tree.nodes[n + 1].b;
            count += 1;
            if count < max_count && curlen == nextlen {
                continue;
            } else if count < min_count {
                let node = bl[usize::from(curlen)];
                while count > 0 {
                    w.put(u64::from(node.a), u32::from(node.b));
                    count -= 1;
                }
            } else if curlen != 0 {
                if curlen as isize != prevlen {
                    let node = bl[usize::from(curlen)];
                    w.put(u64::from(node.a), u32::from(node.b));
                    count -= 1;
                }
                let (value, len) = code(bl[REP_3_6], count - 3, 2);
                w.put(value, len);
            } else if count <= 10 {
                let (value, len) = code(bl[REPZ_3_10], count - 3, 3);
                w.put(value, len);
            } else {
                let (value, len) = code(bl[REPZ_11_138], count - 11, 7);
                w.put(value, len);
            }
            count = 0;
            prevlen = curlen as isize;
            (max_count, min_count) = if nextlen == 0 {
                (138, 3)
            } else if curlen == nextlen {
                (6, 3)
            } else {
                (7, 4)
            };
        }
        w.finish();
    }

    /// The symbols of a block (`dist` 0: a literal `lc`; else a match of length `lc + 3`).
    fn symbols(&mut self, syms: &[(u16, u8)], ltree: &[Node], dtree: &[Node]) {
        // The buffer in locals (D191): as fields they were reloaded after every write out. A
        // match's code and its extra bits go in one push (at most 15 + 5 and 15 + 13 bits).
        // No reserve: `deflate` made the output large enough for any block chosen (see there).
        let mut w = Local::new(self);
        for &(dist, lc) in syms {
            if dist == 0 {
                let node = ltree[usize::from(lc)];
                w.put(u64::from(node.a), u32::from(node.b));
                continue;
            }
            let code = usize::from(TABLES.length_code[usize::from(lc)]);
            let node = ltree[code + LITERALS + 1];
            // Masked: length 258 (code 28) has no extra bits and no base in the table.
            let bits = EXTRA_LBITS[code];
            let extra =
                (usize::from(lc) - usize::from(TABLES.base_length[code])) & ((1 << bits) - 1);
            w.put(
                u64::from(node.a) | (extra as u64) << node.b,
                u32::from(node.b) + u32::from(bits),
            );
            let d = usize::from(dist) - 1;
            let code = d_code(d);
            let node = dtree[code];
            let extra = d - usize::from(TABLES.base_dist[code]);
            w.put(
                u64::from(node.a) | (extra as u64) << node.b,
                u32::from(node.b) + u32::from(EXTRA_DBITS[code]),
            );
        }
        let node = ltree[END_BLOCK];
        w.put(u64::from(node.a), u32::from(node.b));
        w.finish();
    }
}

/// The bit buffer of a [`Bits`] copied into a local for a loop of writes, and put back by
/// [`Local::finish`] (D191, D195): as fields of `Bits` behind a reference, the buffer and its
/// count were reloaded and stored around every write out; a local keeps them in registers.
struct Local<'a> {
    bits: &'a mut Bits,
    buf: u64,
    n: u32,
}

impl<'a> Local<'a> {
    fn new(bits: &'a mut Bits) -> Self {
        let (buf, n) = (bits.buf, bits.n);
        Local { bits, buf, n }
    }

    /// `value`'s low `len` bits, onto fewer than 32 held: a code and its extra bits at once
    /// (at most 15 + 13 bits), so the sum fits the 64-bit buffer; 32 bits are written out at a
    /// time.
    #[inline(always)]
    fn put(&mut self, value: u64, len: u32) {
        debug_assert!(len <= 32 && self.n < 32);
        self.buf |= value << self.n;
        self.n += len;
        if self.n >= 32 {
            self.bits
                .out
                .extend_from_slice(&(self.buf as u32).to_le_bytes());
            self.buf >>= 32;
            self.n -= 32;
        }
    }

    fn finish(self) {
        self.bits.buf = self.buf;
        self.bits.n = self.n;
    }
}

/// The compressor of one preset dictionary (or none), primed once and restored after each use.
pub(super) struct Deflater {
    dict_len: usize,
    /// Primed with the bytes of [`super::DICTIONARY_V1_BYTES`] (compared once, when made).
    is_v1: bool,
    dict_adler: u32,
    /// The dictionary, then the input, then [`PAD`] zero bytes.
    window: Vec<u8>,
    /// Hash heads and chains in arrays of their exact power-of-two sizes, indexed through masks
    /// (no bounds checks on the hot path).
    head: Box<[u16; HASH_SIZE]>,
    prev: Box<[u16; W_SIZE]>,
    /// `head` as the dictionary left it, to put back the slots an input moved.
    primed_head: Box<[u16; HASH_SIZE]>,
    /// The block's symbols: the first `syms_len` (at most one per input byte).
    syms: Box<[(u16, u8); MAX_INPUT]>,
    syms_len: usize,
    /// `build_tree`'s heap, kept to be reused rather than cleared for every tree.
    heap: Box<Heap>,
    st: Search,
}

/// The search state of `deflate_slow`.
#[derive(Default, Clone, Copy)]
struct Search {
    strstart: usize,
    lookahead: usize,
    insert: usize,
    ins_h: u32,
    match_start: usize,
    prev_match: usize,
    prev_length: usize,
    match_available: bool,
}

impl Deflater {
    /// A compressor primed with `dictionary` (empty: none), as zlib's `deflateSetDictionary`
    /// leaves it. `None` if the dictionary is outside the limits handled here.
    pub(super) fn new(dictionary: &[u8]) -> Option<Deflater> {
        let n = dictionary.len();
        if n > MAX_DICTIONARY || (1..MIN_MATCH).contains(&n) {
            return None;
        }
        let mut window = vec![0u8; n + MAX_INPUT + PAD];
        window[..n].copy_from_slice(dictionary);
        let mut d = Deflater {
            dict_len: n,
            is_v1: dictionary == super::DICTIONARY_V1_BYTES,
            dict_adler: super::adler32(dictionary),
            window,
            head: boxed_array(0)?,
            prev: boxed_array(0)?,
            primed_head: boxed_array(0)?,
            syms: boxed_array((0, 0))?,
            syms_len: 0,
            heap: Box::new(Heap {
                heap: [0; HEAP_CAP],
                leaves: [0; LEAVES_CAP],
                len: 0,
                max: HEAP_SIZE,
                #[cfg(test)]
                zlib_sift: false,
            }),
            st: Search::default(),
        };
        if n >= MIN_MATCH {
            d.st.ins_h = roll(u32::from(d.window[0]), d.window[1]);
            d.insert_string(0, n - (MIN_MATCH - 1));
            d.primed_head.copy_from_slice(&d.head[..]);
        }
        Some(d)
    }

    /// Whether this compressor was primed with exactly `dictionary`.
    /// The dictionary v1 itself (the slice of the constant, compared by address: read-only
    /// data at the same address and length is the same bytes) is recognised without
    /// comparing its 3,242 bytes each time (D195).
    pub(super) fn primed_with(&self, dictionary: &[u8]) -> bool {
        (self.is_v1 && std::ptr::eq(dictionary, super::DICTIONARY_V1_BYTES))
            || self.window[..self.dict_len] == *dictionary
    }

    fn insert_string(&mut self, string: usize, count: usize) {
        // The hash in a local: the stores to the tables cannot alias it.
        let mut ins_h = self.st.ins_h;
        for idx in string..string + count {
            ins_h = roll(ins_h, self.window[idx + MIN_MATCH - 1]);
            self.insert_at(ins_h, idx);
        }
        self.st.ins_h = ins_h;
    }

    /// zlib-rs's insertion, which leaves the slot alone when its head is `idx` already. That
    /// never happens here, so it is not tested for (D191): positions are inserted in increasing
    /// order, the dictionary's when priming and then the last two of them and the input's,
    /// and after each input the heads are put back to the primed ones, all below them.
    fn insert_at(&mut self, ins_h: u32, idx: usize) -> usize {
        let h = (ins_h & HASH_MASK) as usize;
        let head = self.head[h];
        debug_assert!(usize::from(head) < idx || idx == 0);
        self.prev[idx & W_MASK] = head;
        self.head[h] = idx as u16;
        usize::from(head)
    }

    fn symbols(&self) -> &[(u16, u8)] {
        &self.syms[..self.syms_len.min(MAX_INPUT)]
    }

    /// The zlib stream (RFC 1950) of `input` at level 9 with this compressor's dictionary;
    /// `None` when the input is empty or longer than [`MAX_INPUT`].
    pub(super) fn deflate(&mut self, input: &[u8]) -> Option<Vec<u8>> {
        if input.is_empty() || input.len() > MAX_INPUT {
            return None;
        }
        let n = self.dict_len;
        self.window[n..n + input.len()].copy_from_slice(input);
        self.window[n + input.len()..n + input.len() + PAD].fill(0);
        self.syms_len = 0;
        self.st = Search {
            strstart: n,
            insert: n.min(MIN_MATCH - 1),
            ..Search::default()
        };
        // Room for the whole stream: the block is stored, or coded in fewer bytes than the
        // stored block's 5 + `input.len()` (zlib's rule in `flush_block`); with the 6-byte
        // header, the 4-byte checksum and up to 4 bytes of the bit buffer written ahead, well
        // under 64 more, so no write grows it (it grew once per credential when `symbols`
        // reserved 6 bytes a symbol, D195).
        let mut bits = Bits {
            out: Vec::with_capacity(input.len() + 64),
            buf: 0,
            n: 0,
        };
        // The zlib header: deflate, 32 KiB window, level flags 3, FDICT with a dictionary.
        let mut header: u16 = (0x78 << 8) | (3 << 6) | if n > 0 { 0x20 } else { 0 };
        header += 31 - header % 31;
        bits.out.extend_from_slice(&header.to_be_bytes());
        if n > 0 {
            bits.out.extend_from_slice(&self.dict_adler.to_be_bytes());
        }
        #[cfg(debug_assertions)]
        let room = bits.out.capacity();
        self.fill(input.len());
        self.deflate_slow();
        self.flush_block(&mut bits, input.len());
        bits.align();
        bits.out
            .extend_from_slice(&super::adler32(input).to_be_bytes());
        #[cfg(debug_assertions)]
        debug_assert_eq!(bits.out.capacity(), room, "the stream outgrew its buffer");
        self.undo_heads(input.len());
        #[cfg(test)]
        assert!(self.head == self.primed_head, "a hash head left moved");
        Some(bits.out)
    }

    /// Back to the primed state after an input of `len` bytes, from the chains the input
    /// wrote (D196): each insertion of a position `p` saved the head it replaced in
    /// `prev[p]`, so undoing the insertions from the last to the first (`head[hash(p)] =
    /// prev[p]`) leaves every slot as before the first insertion into it, its primed value.
    /// That needs the positions inserted exactly: with a dictionary and at least 8 bytes,
    /// `fill` inserts the dictionary's last two, and `deflate_slow` every input position with
    /// at least 4 bytes from the end (one it stands on, or one a match skips) once (D184);
    /// the position 3 from the end only when a match skips it, so its slot is copied from
    /// `primed_head` afterwards, right either way; nothing later is inserted. Unlike
    /// [`Deflater::restore_heads`] it reads the `prev` entries just written, not the 64 KiB
    /// primed copy at random. Other cases go through [`Deflater::restore_heads`]; tests check
    /// after every input that all heads are primed again.
    fn undo_heads(&mut self, len: usize) {
        let n = self.dict_len;
        if n < MIN_MATCH || len < 8 {
            return self.restore_heads(len);
        }
        let end = n + len;
        let first = n - (MIN_MATCH - 1);
        let last = end - WANT_MIN_MATCH;
        // The window and chains stay within 32 KiB (D170's limits), so `prev` is indexed by
        // position without the mask.
        let (Some(strings), Some(prev)) = (
            self.window.get(first..last + MIN_MATCH),
            self.prev.get(first..=last),
        ) else {
            return self.restore_heads(len);
        };
        for (string, &before) in strings.windows(MIN_MATCH).zip(prev).rev() {
            let h = roll(roll(u32::from(string[0]), string[1]), string[2]);
            self.head[h as usize & (HASH_SIZE - 1)] = before;
        }
        let slot = self.hash3(end - MIN_MATCH) as usize & (HASH_SIZE - 1);
        self.head[slot] = self.primed_head[slot];
    }

    /// Back to the primed state after an input of `len` bytes: the hash heads it moved. The
    /// positions inserted are the dictionary's last two and input positions (`fill`,
    /// `deflate_slow`), and a position's slot is the hash of its three bytes alone (the rolling
    /// hash shifts older bytes out of its 15 bits), so re-hashing every one of those positions
    /// and copying each such slot from `primed_head` puts back every moved slot; a slot no
    /// input moved holds its primed value already. Nothing is logged while inserting (D191).
    /// (The input's `prev` entries and window bytes are rewritten before the next input reads
    /// them.)
    fn restore_heads(&mut self, len: usize) {
        let n = self.dict_len;
        let start = n.saturating_sub(MIN_MATCH - 1);
        let Some(bytes) = self.window.get(start..n + len + MIN_MATCH - 1) else {
            return;
        };
        let mut h = roll(u32::from(bytes[0]), bytes[1]);
        for &byte in &bytes[MIN_MATCH - 1..] {
            h = roll(h, byte);
            let slot = h as usize & (HASH_SIZE - 1);
            self.head[slot] = self.primed_head[slot];
        }
    }

    /// After [`Deflater::deflate`] of `input` with a dictionary: a length no zlib stream of
    /// `input` *without* dictionary can be shorter than, from the hash insertions that deflate
    /// made ([`super::literal_entropy_bound`]; docs/decisions.md D171, D184). `None` without
    /// a dictionary.
    pub(super) fn plain_bound(&self, input: &[u8]) -> Option<usize> {
        if self.dict_len == 0 || input.len() > MAX_INPUT {
            return None;
        }
        // `literal_entropy_bound(input, |start| self.may_repeat(input.len(), start))`, in one
        // pass over the `prev` entries of the inserted positions (the last three bytes are
        // covered by a string that may repeat).
        let n = self.dict_len;
        let inserted = input.len().saturating_sub(3);
        let prev = self.prev.get(n..n + inserted)?;
        let mut counts = [0u32; 256];
        let mut covered_until = 0;
        for (i, (&head, &byte)) in prev.iter().zip(input).enumerate() {
            if usize::from(head) >= n {
                covered_until = i + 3;
            }
            counts[usize::from(byte)] += u32::from(i >= covered_until);
        }
        Some(super::literal_counts_bound(&counts))
    }

    /// After [`Deflater::deflate`] of an input of `len` bytes with a dictionary: false only if
    /// the 3-byte string at input offset `start` occurs at no earlier input position.
    ///
    /// Every input position up to `len - 4` is inserted into the hash chains exactly once
    /// (`deflate_slow` inserts each position it stands on while 4 bytes remain, and every
    /// position a match skips up to `len - 3`), and its `prev` entry is the head it replaced:
    /// an earlier input position with the same hash (heads point into the dictionary until
    /// this input moves them, and are put back after it), or a dictionary position or 0. An
    /// earlier equal string has the same hash, so a head below `dict_len` proves there is
    /// none; a collision only says "may repeat". Later positions are not claimed.
    #[cfg(test)]
    fn may_repeat(&self, len: usize, start: usize) -> bool {
        start + 3 >= len
            || usize::from(self.prev[(self.dict_len + start) & W_MASK]) >= self.dict_len
    }

    /// zlib-rs's `fill_window` on the first call: the whole input arrives at once.
    fn fill(&mut self, len: usize) {
        let st = &mut self.st;
        st.lookahead = len;
        if st.lookahead + st.insert >= MIN_MATCH {
            let string = st.strstart - st.insert;
            st.ins_h = roll(u32::from(self.window[string]), self.window[string + 1]);
            let mut count = st.insert;
            if st.lookahead == 1 {
                count -= 1;
            }
            if count > 0 {
                self.insert_string(string, count);
                self.st.insert -= count;
            }
        }
    }

    /// zlib-rs's `deflate_slow` over the whole input. The search state is kept in a local
    /// copy (written back at the end): in `self` the compiler reloads and stores it around
    /// every table write (D191).
    fn deflate_slow(&mut self) {
        let mut st = self.st;
        let mut syms_len = self.syms_len;
        while st.lookahead != 0 {
            let hash_head = if st.lookahead >= WANT_MIN_MATCH {
                st.ins_h = roll(st.ins_h, self.window[st.strstart + MIN_MATCH - 1]);
                self.insert_at(st.ins_h, st.strstart)
            } else {
                0
            };
            st.prev_match = st.match_start;
            let mut match_len = MIN_MATCH - 1;
            let dist = st.strstart as isize - hash_head as isize;
            if (1..=MAX_DIST as isize).contains(&dist)
                && st.prev_length < MAX_LAZY
                && hash_head != 0
            {
                let (len, start) = self.longest_match(hash_head, &st);
                match_len = len;
                st.match_start = start;
            }
            if st.prev_length >= MIN_MATCH && match_len <= st.prev_length {
                let max_insert = st.strstart + st.lookahead - MIN_MATCH;
                let dist = st.strstart - 1 - st.prev_match;
                let lc = st.prev_length - MIN_MATCH;
                self.syms[syms_len & (MAX_INPUT - 1)] = (dist as u16, lc as u8);
                syms_len += 1;
                st.prev_length -= 1;
                st.lookahead -= st.prev_length;
                let mov_fwd = st.prev_length - 1;
                if max_insert > st.strstart {
                    let insert_cnt = mov_fwd.min(max_insert - st.strstart);
                    let from = st.strstart + 1;
                    for idx in from..from + insert_cnt {
                        st.ins_h = roll(st.ins_h, self.window[idx + MIN_MATCH - 1]);
                        self.insert_at(st.ins_h, idx);
                    }
                }
                st.prev_length = 0;
                st.match_available = false;
                st.strstart += mov_fwd + 1;
            } else if st.match_available {
                let lc = self.window[st.strstart - 1];
                self.syms[syms_len & (MAX_INPUT - 1)] = (0, lc);
                syms_len += 1;
                st.prev_length = match_len;
                st.strstart += 1;
                st.lookahead -= 1;
            } else {
                st.prev_length = match_len;
                st.match_available = true;
                st.strstart += 1;
                st.lookahead -= 1;
            }
        }
        if st.match_available {
            let lc = self.window[st.strstart - 1];
            self.syms[syms_len & (MAX_INPUT - 1)] = (0, lc);
            syms_len += 1;
            st.match_available = false;
        }
        self.st = st;
        self.syms_len = syms_len;
    }

    fn hash3(&self, at: usize) -> u32 {
        let h = roll(0, self.window[at]);
        let h = roll(h, self.window[at + 1]);
        roll(h, self.window[at + 2])
    }

    fn word(&self, at: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.window[at..at + 8]);
        u64::from_le_bytes(w)
    }

    /// zlib-rs's `longest_match_slow`: the chain walk with its switches to a rarer chain at an
    /// offset into the string. Returns the length and the start of the match.
    fn longest_match(&self, mut cur_match: usize, st: &Search) -> (usize, usize) {
        let window = &self.window;
        let strstart = st.strstart;
        let lookahead = st.lookahead;
        let mut match_start = st.match_start;
        let mut best_len = if st.prev_length > 0 {
            st.prev_length
        } else {
            MIN_MATCH - 1
        };
        let offset_of = |best_len: usize| {
            let mut offset = best_len - 1;
            if best_len >= 4 {
                offset -= 2;
                if best_len >= 8 {
                    offset -= 4;
                }
            }
            offset
        };
        let mut offset = offset_of(best_len);
        let mut chain_length = MAX_CHAIN;
        if best_len >= GOOD_MATCH {
            chain_length >>= 2;
        }
        let limit_base = strstart.saturating_sub(MAX_DIST);
        let mut limit = limit_base;
        let mut match_offset = 0usize;
        if best_len >= MIN_MATCH {
            // Continuing a lazy search: start from the rarest chain among the string's
            // positions 1..=best_len-2.
            let mut hash = roll(0, window[strstart + 1]);
            hash = roll(hash, window[strstart + 2]);
            for i in 0..best_len - 2 {
                hash = roll(hash, window[strstart + 3 + i]);
                let pos = usize::from(self.head[hash as usize & (HASH_SIZE - 1)]);
                if pos < cur_match {
                    match_offset = i + 1;
                    cur_match = pos;
                }
            }
            limit = limit_base + match_offset;
            if cur_match <= limit {
                return (best_len.min(lookahead), match_start);
            }
        }
        // `base` is where a candidate starts: `cur_match - match_offset`.
        'outer: loop {
            if cur_match >= strstart {
                break;
            }
            let mut len = 0;
            if best_len < 8 {
                let scan_val = self.word(strstart);
                loop {
                    let cmp = scan_val ^ self.word(cur_match - match_offset);
                    if cmp == 0 {
                        break;
                    }
                    let cmp_len = (cmp.trailing_zeros() / 8) as usize;
                    if cmp_len > best_len {
                        len = cmp_len;
                        break;
                    }
                    chain_length -= 1;
                    if chain_length > 0 {
                        cur_match = usize::from(self.prev[cur_match & W_MASK]);
                        if cur_match > limit {
                            continue;
                        }
                    }
                    return (best_len, match_start);
                }
            } else {
                loop {
                    let base = cur_match - match_offset;
                    if self.word(base + offset) == self.word(strstart + offset)
                        && self.word(base) == self.word(strstart)
                    {
                        break;
                    }
                    chain_length -= 1;
                    if chain_length > 0 {
                        cur_match = usize::from(self.prev[cur_match & W_MASK]);
                        if cur_match > limit {
                            continue;
                        }
                    }
                    return (best_len, match_start);
                }
            }
            if len == 0 {
                let a = &window[strstart + 2..strstart + 2 + 256];
                let b = &window[cur_match - match_offset + 2..cur_match - match_offset + 2 + 256];
                len = a.iter().zip(b).take_while(|(x, y)| x == y).count() + 2;
            }
            if len > best_len {
                match_start = cur_match - match_offset;
                if len >= lookahead {
                    return (lookahead, match_start);
                }
                best_len = len;
                if best_len >= NICE_MATCH {
                    return (best_len, match_start);
                }
                offset = offset_of(best_len);
                if len > MIN_MATCH && match_start + len < strstart {
                    // Switch to the rarest chain among the match's positions.
                    cur_match -= match_offset;
                    match_offset = 0;
                    let mut next_pos = cur_match;
                    for i in 0..=len - MIN_MATCH {
                        let pos = usize::from(self.prev[(cur_match + i) & W_MASK]);
                        if pos < next_pos {
                            if pos <= limit_base + i {
                                return (best_len.min(lookahead), match_start);
                            }
                            next_pos = pos;
                            match_offset = i;
                        }
                    }
                    cur_match = next_pos;
                    let at = len - (MIN_MATCH + 1);
                    let pos = usize::from(
                        self.head[self.hash3(strstart + at) as usize & (HASH_SIZE - 1)],
                    );
                    if pos < cur_match {
                        match_offset = at;
                        if pos <= limit_base + match_offset {
                            return (best_len.min(lookahead), match_start);
                        }
                        cur_match = pos;
                    }
                    limit = limit_base + match_offset;
                    continue 'outer;
                }
            }
            chain_length -= 1;
            if chain_length > 0 {
                cur_match = usize::from(self.prev[cur_match & W_MASK]);
                if cur_match > limit {
                    continue;
                }
            }
            return (best_len, match_start);
        }
        (best_len, match_start)
    }

    /// zlib-rs's `zng_tr_flush_block` for the one and last block of `stored_len` input bytes.
    /// The dynamic trees are built only when [`floor::sizes`] cannot rule the dynamic block
    /// out (D204); the choice and the bytes are zlib-rs's either way.
    fn flush_block(&mut self, bits: &mut Bits, stored_len: usize) {
        let t = &TABLES;
        let (mut ltree, mut dtree) = block_trees();
        ltree.nodes[END_BLOCK].a = 1;
        for &(dist, lc) in self.symbols() {
            if dist == 0 {
                ltree.nodes[usize::from(lc)].a += 1;
            } else {
                let code = usize::from(t.length_code[usize::from(lc)]);
                ltree.nodes[code + LITERALS + 1].a += 1;
                dtree.nodes[d_code(usize::from(dist) - 1)].a += 1;
            }
        }
        let (stat, floor) = floor::sizes(&ltree.nodes, &dtree.nodes, &mut self.heap.heap);
        let static_lenb = (stat + 3 + 7) >> 3;
        if floor.is_some_and(|floor| floor >= stat) {
            // In tests, the trees are built anyway, to check the floor and the fixed size.
            #[cfg(test)]
            {
                let (lens, ..) = dynamic_trees(&mut self.heap, &mut ltree, &mut dtree);
                tests::check_sizes(stat, floor, &lens);
                tests::FIXED_BY_FLOOR.with(|n| n.set(n.get() + 1));
            }
            return self.fixed_or_stored(bits, stored_len, static_lenb);
        }
        let (lens, bltree, max_blindex) = dynamic_trees(&mut self.heap, &mut ltree, &mut dtree);
        #[cfg(test)]
        tests::check_sizes(stat, floor, &lens);
        let opt_lenb = ((lens.opt.wrapping_add(3 + 7)) >> 3).min(static_lenb);
        if stored_len + 4 <= opt_lenb || static_lenb == opt_lenb {
            return self.fixed_or_stored(bits, stored_len, opt_lenb);
        }
        bits.send(0b101, 3);
        bits.send((ltree.max_code + 1 - 257) as u64, 5);
        bits.send(dtree.max_code as u64, 5);
        bits.send((max_blindex + 1 - 4) as u64, 4);
        for &rank in BL_ORDER.iter().take(max_blindex + 1) {
            bits.send(u64::from(bltree.nodes[usize::from(rank)].b), 3);
        }
        bits.send_tree(&ltree, &bltree.nodes);
        bits.send_tree(&dtree, &bltree.nodes);
        bits.symbols(self.symbols(), &ltree.nodes, &dtree.nodes);
    }

    /// The block stored when `stored_len + 4` bytes are no more than the coded block's
    /// `lenb` (zlib-rs's rule), else with the fixed codes.
    fn fixed_or_stored(&self, bits: &mut Bits, stored_len: usize, lenb: usize) {
        if stored_len + 4 <= lenb {
            bits.send(0b001, 3);
            bits.align();
            let len = stored_len as u16;
            bits.out.extend_from_slice(&len.to_le_bytes());
            bits.out.extend_from_slice(&(!len).to_le_bytes());
            bits.out
                .extend_from_slice(&self.window[self.dict_len..self.dict_len + stored_len]);
        } else {
            bits.send(0b011, 3);
            bits.symbols(self.symbols(), &TABLES.static_ltree, &TABLES.static_dtree);
        }
    }
}

/// The literal/length and distance trees of a block, every count 0.
fn block_trees() -> (Tree<HEAP_SIZE>, Tree<{ 2 * D_CODES + 1 }>) {
    let t = &TABLES;
    let ltree = Tree::new(
        L_CODES,
        &EXTRA_LBITS,
        LITERALS + 1,
        MAX_BITS as u16,
        Some(&t.static_ltree),
    );
    let dtree = Tree::new(
        D_CODES,
        &EXTRA_DBITS,
        0,
        MAX_BITS as u16,
        Some(&t.static_dtree),
    );
    (ltree, dtree)
}

/// Both trees of the block built, and the bit-length tree holding the counts of the codes that
/// send their code lengths (`scan_tree`), not yet built.
fn code_length_counts(
    heap: &mut Heap,
    ltree: &mut Tree<HEAP_SIZE>,
    dtree: &mut Tree<{ 2 * D_CODES + 1 }>,
) -> (Lens, Tree<{ 2 * BL_CODES + 1 }>) {
    let mut bltree: Tree<{ 2 * BL_CODES + 1 }> =
        Tree::new(BL_CODES, &EXTRA_BLBITS, 0, MAX_BL_BITS as u16, None);
    let mut lens = Lens::default();
    build_tree(&mut lens, heap, ltree);
    build_tree(&mut lens, heap, dtree);
    scan_tree(&mut bltree, ltree);
    scan_tree(&mut bltree, dtree);
    (lens, bltree)
}

/// zlib-rs's dynamic trees of the block whose counts are in `ltree` and `dtree`: both built,
/// the bit-length tree of their code lengths, and `max_blindex`; `Lens` holds the dynamic and
/// fixed sizes in bits.
fn dynamic_trees(
    heap: &mut Heap,
    ltree: &mut Tree<HEAP_SIZE>,
    dtree: &mut Tree<{ 2 * D_CODES + 1 }>,
) -> (Lens, Tree<{ 2 * BL_CODES + 1 }>, usize) {
    let (mut lens, mut bltree) = code_length_counts(heap, ltree, dtree);
    build_tree(&mut lens, heap, &mut bltree);
    let mut max_blindex = BL_CODES - 1;
    while max_blindex >= 3 {
        if bltree.nodes[usize::from(BL_ORDER[max_blindex])].b != 0 {
            break;
        }
        max_blindex -= 1;
    }
    lens.opt = lens.opt.wrapping_add(3 * (max_blindex + 1) + 5 + 5 + 4);
    (lens, bltree, max_blindex)
}

// The masks of the per-input arrays keep every index in bounds; the limits make them no-ops.
const _: () = assert!(MAX_INPUT.is_power_of_two());

/// A zeroed-or-filled array on the heap (not built on the stack first).
fn boxed_array<T: Copy, const N: usize>(value: T) -> Option<Box<[T; N]>> {
    vec![value; N].into_boxed_slice().try_into().ok()
}

/// The rolling hash of level 9: the last three bytes fed, 5 bits apart, in 15 bits.
fn roll(h: u32, byte: u8) -> u32 {
    ((h << 5) ^ u32::from(byte)) & HASH_MASK
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// Blocks written without their dynamic trees because [`floor::sizes`] ruled the
        /// dynamic block out (D204).
        pub(super) static FIXED_BY_FLOOR: Cell<usize> = const { Cell::new(0) };
    }

    /// [`floor::sizes`]'s results against zlib-rs's sizes from the built trees: the same fixed
    /// size, and a floor (when given) not above the dynamic size.
    pub(super) fn check_sizes(stat: usize, floor: Option<usize>, lens: &Lens) {
        assert_eq!(stat, lens.stat, "fixed size");
        assert!(
            floor.is_none_or(|floor| floor <= lens.opt),
            "floor {floor:?} over {}",
            lens.opt
        );
    }

    /// splitmix64, for reproducible random tables.
    pub(super) fn next(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn new_heap(zlib_sift: bool) -> Box<Heap> {
        Box::new(Heap {
            heap: [0; HEAP_CAP],
            leaves: [0; LEAVES_CAP],
            len: 0,
            max: HEAP_SIZE,
            zlib_sift,
        })
    }

    /// A literal/length frequency table with many ties: most counts small, some zero, a few
    /// large, as a block's are; `spread` bounds the small counts.
    pub(super) fn frequencies(state: &mut u64, elems: usize, spread: u64) -> Vec<u16> {
        let used = 1 + (next(state) % elems as u64) as usize;
        (0..elems)
            .map(|i| {
                let r = next(state);
                if i >= used || r % 3 == 0 {
                    0
                } else if r % 17 == 1 {
                    (r >> 20) as u16 % 2_000
                } else {
                    1 + ((r >> 8) % spread) as u16
                }
            })
            .collect()
    }

    #[test]
    fn heap_sift_gives_the_heaps_and_trees_of_zlibs() {
        let mut state = 42;
        let mut compared = 0;
        for round in 0..20_000 {
            let spread = [1, 2, 3, 5, 8, 40, 1_000][round % 7];
            let (elems, max_length) = match round % 3 {
                0 => (L_CODES, MAX_BITS as u16),
                1 => (D_CODES, MAX_BITS as u16),
                _ => (BL_CODES, MAX_BL_BITS as u16),
            };
            let freqs = frequencies(&mut state, elems, spread);
            let mut results = Vec::new();
            for zlib_sift in [true, false] {
                let mut tree: Tree<HEAP_SIZE> =
                    Tree::new(elems, &EXTRA_LBITS, elems, max_length, None);
                for (n, &f) in freqs.iter().enumerate() {
                    tree.nodes[n].a = f;
                }
                let mut heap = new_heap(zlib_sift);
                let mut lens = Lens::default();
                build_tree(&mut lens, &mut heap, &mut tree);
                let nodes: Vec<(u16, u16)> = tree.nodes.iter().map(|n| (n.a, n.b)).collect();
                results.push((nodes, tree.max_code, lens.opt, heap.heap, heap.max));
            }
            assert!(results[0] == results[1], "round {round}: {freqs:?}");
            compared += 1;
        }
        assert_eq!(compared, 20_000);
    }

    #[test]
    fn reverse16_is_reverse_bits() {
        for x in 0..=u16::MAX {
            assert_eq!(reverse16(x), x.reverse_bits(), "{x:#06x}");
        }
    }

    #[test]
    fn a_string_that_repeats_is_never_claimed_new() {
        // The plain-stream bound (D171, D184) may count a byte as a certain literal only if no
        // 3-byte string covering it occurred earlier in the input: check `may_repeat` against
        // a direct search, with two dictionaries, over inputs of many shapes.
        let mut state = 99;
        let dictionaries = [super::super::DICTIONARY_V1_BYTES, b"abcabcxyz".as_slice()];
        let mut claimed_new = 0;
        for round in 0..2_000 {
            let mut d = Deflater::new(dictionaries[round % 2]).expect("within limits");
            let len = 1 + (next(&mut state) % [8, 60, 700, MAX_INPUT as u64][round % 4]) as usize;
            let alphabet = 2 + next(&mut state) % 254;
            let input: Vec<u8> = (0..len)
                .map(|_| (next(&mut state) % alphabet) as u8)
                .collect();
            d.deflate(&input).expect("within limits");
            // The bound's own pass counts exactly the bytes `may_repeat` leaves uncovered.
            assert_eq!(
                d.plain_bound(&input),
                Some(super::super::literal_entropy_bound(&input, |start| {
                    d.may_repeat(len, start)
                })),
                "round {round}"
            );
            let mut earlier = std::collections::HashSet::new();
            for start in 0..len.saturating_sub(2) {
                let string = &input[start..start + 3];
                let repeats = !earlier.insert(string);
                if !d.may_repeat(len, start) {
                    assert!(!repeats, "round {round}, offset {start} of {len}");
                    claimed_new += 1;
                }
            }
        }
        assert!(claimed_new > 10_000, "{claimed_new}");
    }

    #[test]
    fn heap_sift_moves_entries_as_zlib_does() {
        // Arbitrary heaps of up to 286 entries with many equal keys: build, then pop and
        // replace the top as `build_tree` does, comparing the whole array after every sift.
        let mut state = 7;
        for round in 0..3_000 {
            let len = 1 + (next(&mut state) % L_CODES as u64) as usize;
            let keys = 1 + next(&mut state) % 6;
            let mut heaps = [new_heap(true), new_heap(false)];
            for i in 1..=len {
                let r = next(&mut state);
                let e = entry((r % keys) as u16, (r >> 8) as u8 % 3, i);
                for h in heaps.iter_mut() {
                    h.heap[i] = e;
                    h.len = len;
                }
            }
            for k in (1..=len / 2).rev() {
                for h in heaps.iter_mut() {
                    h.down(k);
                }
                assert_eq!(heaps[0].heap, heaps[1].heap, "round {round}, build at {k}");
            }
            while heaps[0].len >= 2 {
                let r = next(&mut state);
                let e = entry((r % (keys + 2)) as u16, (r >> 8) as u8 % 4, 500);
                for h in heaps.iter_mut() {
                    h.heap[1] = h.heap[h.len];
                    h.len -= 1;
                    h.down(1);
                    h.heap[1] = e;
                    h.down(1);
                }
                assert_eq!(
                    heaps[0].heap, heaps[1].heap,
                    "round {round}, len {}",
                    heaps[0].len
                );
            }
        }
    }
}
