//! The QR text codec (docs/format.md §5): `VN1:` (credential) or `VP1:` (presentation), then base45
//! (RFC 9285) of either the COSE bytes themselves or their zlib (RFC 1950) stream, which may use
//! a preset dictionary named by its Adler-32 in the zlib header.
//!
//! Every step is bounded before it allocates: the text length, the decoded length, and the
//! inflated length ([`MAX_INFLATED`]).
//!
//! The preset dictionaries of the format are built into this crate ([`KNOWN_DICTIONARIES`],
//! today only [`DICTIONARY_V1`]): [`decode`] always knows them, and callers may add others.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

mod deflate9;

/// Longest QR text accepted (a version 40 QR code holds at most 4,296 alphanumeric characters).
pub const MAX_TEXT_LEN: usize = 8 * 1024;
/// Largest inflated payload accepted: 64 KiB.
pub const MAX_INFLATED: usize = 64 * 1024;

/// The two kinds of giayto QR text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `VN1:`: an issued credential.
    Credential,
    /// `VP1:`: a holder's presentation of a credential.
    Presentation,
}

impl Kind {
    /// The text prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Credential => "VN1:",
            Kind::Presentation => "VP1:",
        }
    }
}

/// Which of the three forms an encoded text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// base45 of the COSE bytes.
    Raw,
    /// base45 of a zlib stream without dictionary.
    Zlib,
    /// base45 of a zlib stream with the preset dictionary of this Adler-32.
    ZlibDictionary(u32),
}

/// Why a text is not a giayto QR text.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// Neither `VN1:` nor `VP1:` at the start: not a giayto code at all.
    NoPrefix,
    /// Longer than [`MAX_TEXT_LEN`].
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The body is not valid base45.
    Base45,
    /// The decoded bytes start with neither 0xD2 (COSE_Sign1) nor 0x78 (zlib).
    UnknownForm {
        /// The first byte, if any.
        first: Option<u8>,
    },
    /// The zlib header is invalid.
    ZlibHeader,
    /// The zlib stream asks for a preset dictionary this decoder does not have.
    UnknownDictionary {
        /// The Adler-32 it names.
        id: u32,
    },
    /// The zlib stream is corrupt, truncated, or followed by extra bytes.
    Zlib,
    /// The stream inflates to more than [`MAX_INFLATED`] bytes.
    TooLarge,
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::NoPrefix => write!(f, "no VN1: or VP1: prefix"),
            TextError::TooLong { len } => write!(f, "text of {len} bytes exceeds {MAX_TEXT_LEN}"),
            TextError::Base45 => write!(f, "invalid base45"),
            TextError::UnknownForm { first: Some(b) } => {
                write!(f, "payload starts with 0x{b:02x}, neither COSE nor zlib")
            }
            TextError::UnknownForm { first: None } => write!(f, "empty payload"),
            TextError::ZlibHeader => write!(f, "invalid zlib header"),
            TextError::UnknownDictionary { id } => {
                write!(f, "unknown zlib preset dictionary {id:08x}")
            }
            TextError::Zlib => write!(f, "corrupt or truncated zlib stream"),
            TextError::TooLarge => write!(f, "inflates beyond {MAX_INFLATED} bytes"),
        }
    }
}

impl std::error::Error for TextError {}

/// Adler-32 (RFC 1950 §8.2), the identifier of a preset dictionary.
pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the largest block for which b cannot overflow before the modulo.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// A zlib preset dictionary known to the codec.
#[derive(Debug, Clone, Copy)]
pub struct Dictionary<'a> {
    bytes: &'a [u8],
    id: u32,
}

/// The bytes of preset dictionary version 1 for Vietnamese credential content, as shipped in
/// `test-vectors/zlib-dictionary-v1.bin` (built by `giayto-vectors` from synthetic word lists
/// and the CBOR patterns of a credential; docs/format.md).
pub const DICTIONARY_V1_BYTES: &[u8] = include_bytes!("../data/zlib-dictionary-v1.bin");

/// The Adler-32 of [`DICTIONARY_V1_BYTES`], its id in a zlib header.
pub const DICTIONARY_V1_ID: u32 = 0xE938_4A1D;

/// Preset dictionary version 1, the one issuers use today.
pub const DICTIONARY_V1: Dictionary<'static> = Dictionary {
    bytes: DICTIONARY_V1_BYTES,
    id: DICTIONARY_V1_ID,
};

/// Every preset dictionary of the format, oldest first. [`decode`] knows all of them; a new
/// version is added here, never replaces an old one (codes already printed keep decoding).
pub const KNOWN_DICTIONARIES: &[Dictionary<'static>] = &[DICTIONARY_V1];

impl<'a> Dictionary<'a> {
    /// Wrap dictionary bytes; its id is their Adler-32.
    pub fn new(bytes: &'a [u8]) -> Self {
        Dictionary {
            bytes,
            id: adler32(bytes),
        }
    }
    /// The Adler-32 that names it in a zlib header.
    pub fn id(&self) -> u32 {
        self.id
    }
    /// The dictionary bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// How hard a deflate tries: level 1 (static Huffman codes, no tree to build), or level 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effort {
    Quick,
    Best,
}

fn deflate(data: &[u8], dictionary: Option<&Dictionary<'_>>, effort: Effort) -> Option<Vec<u8>> {
    if effort == Effort::Best {
        if let Some(stream) = deflate_best_primed(data, dictionary) {
            return Some(stream);
        }
    }
    deflate_flate2(data, dictionary, effort)
}

/// The same bytes as [`deflate_flate2`] at level 9, from [`deflate9`]'s compressor primed once
/// per thread with the dictionary; `None` outside its limits (then `flate2` does it).
fn deflate_best_primed(data: &[u8], dictionary: Option<&Dictionary<'_>>) -> Option<Vec<u8>> {
    deflate_best_primed_with(data, dictionary, |_, stream| Some(stream))
}

/// [`deflate_best_primed`], then `then(compressor, stream)` with the compressor that made it.
fn deflate_best_primed_with<T>(
    data: &[u8],
    dictionary: Option<&Dictionary<'_>>,
    then: impl FnOnce(&deflate9::Deflater, Vec<u8>) -> Option<T>,
) -> Option<T> {
    let bytes = dictionary.map_or(&[][..], |d| d.bytes);
    PRIMED.with(|cell| {
        let mut slots = cell.try_borrow_mut().ok()?;
        let slot = usize::from(!bytes.is_empty());
        let fresh = match &slots[slot] {
            Some(d) => !d.primed_with(bytes),
            None => true,
        };
        if fresh {
            slots[slot] = Some(deflate9::Deflater::new(bytes)?);
        }
        let deflater = slots[slot].as_mut()?;
        let stream = deflater.deflate(data)?;
        then(deflater, stream)
    })
}

/// The `flate2` (zlib-rs) compressor: level 1 always, level 9 beyond [`deflate9`]'s limits,
/// and in tests the reference [`deflate9`] is compared with.
fn deflate_flate2(
    data: &[u8],
    dictionary: Option<&Dictionary<'_>>,
    effort: Effort,
) -> Option<Vec<u8>> {
    let (state, level) = match effort {
        Effort::Quick => (&DEFLATER_QUICK, Compression::fast()),
        Effort::Best => (&DEFLATER_BEST, Compression::best()),
    };
    state.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let c = slot.get_or_insert_with(|| Compress::new(level, true));
            c.reset();
            deflate_with(c, data, dictionary)
        }
        // Re-entered on this thread (cannot happen today): a fresh state is just as correct.
        Err(_) => deflate_with(&mut Compress::new(level, true), data, dictionary),
    })
}

/// A zlib stream (no dictionary, deflate level 9) of `data`, for the other giayto texts (a
/// verifier's request, docs/format.md §15).
pub(crate) fn deflate_best(data: &[u8]) -> Option<Vec<u8>> {
    deflate(data, None, Effort::Best)
}

thread_local! {
    /// One deflate state per thread and effort, reset for each credential: a new one allocates
    /// and clears hundreds of KiB of tables, a large share of issuing one credential.
    static DEFLATER_BEST: std::cell::RefCell<Option<Compress>> =
        const { std::cell::RefCell::new(None) };
    static DEFLATER_QUICK: std::cell::RefCell<Option<Compress>> =
        const { std::cell::RefCell::new(None) };
    /// The level-9 compressors of [`deflate9`]: without dictionary, and primed with the last
    /// dictionary used on this thread.
    static PRIMED: std::cell::RefCell<[Option<deflate9::Deflater>; 2]> =
        const { std::cell::RefCell::new([None, None]) };
}

fn deflate_with(
    c: &mut Compress,
    data: &[u8],
    dictionary: Option<&Dictionary<'_>>,
) -> Option<Vec<u8>> {
    if let Some(d) = dictionary {
        c.set_dictionary(d.bytes).ok()?;
    }
    let mut out = Vec::with_capacity(data.len() + 64);
    loop {
        let consumed = usize::try_from(c.total_in()).ok()?;
        match c.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return Some(out),
            Ok(_) => out.reserve(out.capacity().max(64)),
            Err(_) => return None,
        }
    }
}

/// A length no zlib stream of `data` without dictionary can be shorter than, as this crate's
/// compressors make them (docs/format.md §5.5; decisions.md D171); `None` for inputs longer
/// than [`deflate9::MAX_INPUT`], where it is not claimed.
///
/// A byte is a literal in every deflate parse when none of the three 3-byte strings that
/// contain it occurred earlier in `data` (a match of length at least 3 covering it would repeat
/// one of them; without a dictionary there is nothing before `data`). The level-1 stream uses
/// only fixed Huffman codes (8 or 9 bits a literal); the level-9 stream is one block, as
/// [`deflate9`] builds it, whose literal codes are part of one prefix code, so by Kraft's
/// inequality these literals cost at least their empirical entropy, at most 8 bits each, in
/// both. Add the 3-bit block header, the 2-byte zlib header and the 4-byte Adler-32.
fn plain_zlib_lower_bound(data: &[u8]) -> Option<usize> {
    if data.len() > deflate9::MAX_INPUT {
        return None;
    }
    let mut repeated = vec![false; data.len()];
    BOUND_SEEN.with(|cell| match cell.try_borrow_mut() {
        Ok(mut seen) => seen.mark(data, &mut repeated),
        // Re-entered on this thread (cannot happen today): a fresh table is just as correct.
        Err(_) => SeenStrings::new().mark(data, &mut repeated),
    });
    Some(literal_entropy_bound(data, |start| repeated[start]))
}

/// The bound of [`plain_zlib_lower_bound`] given which 3-byte strings of `data` may repeat an
/// earlier one (`repeated(start)`; saying so of one that does not only weakens the bound): the
/// bytes no such string covers are literals in every parse, and cost at least their entropy.
/// `data` is at most [`deflate9::MAX_INPUT`] bytes.
fn literal_entropy_bound(data: &[u8], repeated: impl Fn(usize) -> bool) -> usize {
    let mut counts = [0u32; 256];
    let mut covered_until = 0;
    for (i, &byte) in data.iter().enumerate() {
        if i + 3 <= data.len() && repeated(i) {
            covered_until = i + 3;
        }
        if i >= covered_until {
            counts[usize::from(byte)] += 1;
        }
    }
    literal_counts_bound(&counts)
}

/// The bound of [`literal_entropy_bound`] from the counts of the bytes that are literals in
/// every parse (at most [`deflate9::MAX_INPUT`] in all): their entropy, the 3-bit block header,
/// the 2-byte zlib header and the 4-byte Adler-32.
fn literal_counts_bound(counts: &[u32; 256]) -> usize {
    // Σ c·log2(total/c) = total·log2(total) − Σ c·log2(c).
    let literals: u32 = counts.iter().sum();
    let x_log_x = x_log2_x_table();
    let at = |c: u32| x_log_x.get(c as usize).copied().unwrap_or(0.0);
    // Four sums of every 4th count, not one chain of 256 dependent additions (D195); counts 0
    // and 1 read 0.0 from the table. The order of the additions moves the sum by rounding
    // only, far inside the bit the bound gives up below.
    let mut sums = [0.0f64; 4];
    for group in counts.chunks_exact(4) {
        for (sum, &c) in sums.iter_mut().zip(group) {
            *sum += at(c);
        }
    }
    let entropy = at(literals) - ((sums[0] + sums[1]) + (sums[2] + sums[3]));
    // A bit below the computed entropy, against rounding.
    let bits = 3.0 + (entropy - 1.0).max(0.0);
    2 + (bits / 8.0).ceil() as usize + 4
}

/// The 3-byte strings seen so far in one input of [`plain_zlib_lower_bound`]: an open-addressing
/// table kept per thread and stamped per input, so that it is never cleared.
struct SeenStrings {
    /// (stamp, 3-byte string + 1) per slot; a slot of an older stamp is empty.
    slots: Vec<(u32, u32)>,
    stamp: u32,
}

impl SeenStrings {
    const fn new() -> Self {
        SeenStrings {
            slots: Vec::new(),
            stamp: 0,
        }
    }

    /// Set `repeated[i]` when the 3-byte string at i occurred earlier in `data`.
    fn mark(&mut self, data: &[u8], repeated: &mut [bool]) {
        let cap = (2 * data.len()).next_power_of_two().max(16);
        if self.slots.len() < cap || self.stamp == u32::MAX {
            self.slots = vec![(0, 0); cap.max(self.slots.len())];
            self.stamp = 0;
        }
        self.stamp += 1;
        let stamp = self.stamp;
        // Probing within the first `cap` slots keeps the table at most half full.
        let mask = cap - 1;
        let shift = 32 - cap.trailing_zeros();
        let slots = &mut self.slots[..cap];
        for (i, s) in data.windows(3).enumerate() {
            let key = ((u32::from(s[0]) << 16) | (u32::from(s[1]) << 8) | u32::from(s[2])) + 1;
            let mut slot = ((key - 1).wrapping_mul(0x9E37_79B1) >> shift) as usize & mask;
            loop {
                let (at, entry) = slots[slot];
                if at != stamp {
                    slots[slot] = (stamp, key);
                    break;
                }
                if entry == key {
                    repeated[i] = true;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
    }
}

thread_local! {
    static BOUND_SEEN: std::cell::RefCell<SeenStrings> =
        const { std::cell::RefCell::new(SeenStrings::new()) };
}

/// c·log2(c) for every count an input of at most [`deflate9::MAX_INPUT`] bytes can have,
/// computed once (the same values the bound computed call by call before).
fn x_log2_x_table() -> &'static [f64] {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=deflate9::MAX_INPUT)
            .map(|c| {
                let c = c as f64;
                if c > 0.0 {
                    c * c.log2()
                } else {
                    0.0
                }
            })
            .collect()
    })
}

/// Encode COSE bytes as QR text, choosing the shortest of the raw form, zlib, and zlib with
/// the given preset dictionary (the raw form wins ties, then zlib without dictionary).
///
/// Every form is built at deflate level 9, except that with a dictionary the plain zlib form
/// is first tried at level 1: it costs a fraction of level 9, and only when it comes within a
/// quarter of the dictionary form (the dictionary helps little) is level 9 tried as well
/// (docs/format.md §5.5). Neither plain attempt is made when a lower bound on any plain zlib
/// stream of these bytes already exceeds the dictionary form's length: they could not be
/// chosen, so the result is the same bytes (decisions.md D171). A credential of the document
/// types pays for one level-9 deflate, from a compressor primed with the dictionary once per
/// thread (decisions.md D170).
pub fn encode(kind: Kind, cose: &[u8], dictionary: Option<&Dictionary<'_>>) -> String {
    encode_with_form(kind, cose, dictionary).0
}

/// Like [`encode`], also saying which form was chosen.
pub fn encode_with_form(
    kind: Kind,
    cose: &[u8],
    dictionary: Option<&Dictionary<'_>>,
) -> (String, Form) {
    // The raw form is borrowed, not copied: it is rarely the shortest (D195).
    let mut best = (std::borrow::Cow::Borrowed(cose), Form::Raw);
    let mut consider = |bytes: Option<Vec<u8>>, form: Form| {
        if let Some(bytes) = bytes {
            if bytes.len() < best.0.len() {
                best = (std::borrow::Cow::Owned(bytes), form);
            }
        }
    };
    match dictionary {
        None => consider(deflate(cose, None, Effort::Best), Form::Zlib),
        Some(d) => {
            // The primed compressor also bounds the plain streams from its own hash insertions
            // (no second pass over the bytes); flate2's stream gets the bound of its own pass.
            let (with_dictionary, bound) = match deflate_best_primed_with(cose, Some(d), |c, w| {
                Some((w, c.plain_bound(cose)))
            }) {
                Some((w, bound)) => (Some(w), bound),
                None => (
                    deflate_flate2(cose, Some(d), Effort::Best),
                    plain_zlib_lower_bound(cose),
                ),
            };
            let plain_cannot_win = match &with_dictionary {
                Some(w) => bound.is_some_and(|bound| bound > w.len()),
                None => false,
            };
            if !plain_cannot_win {
                let quick = deflate(cose, None, Effort::Quick);
                let plain_may_win = match (&quick, &with_dictionary) {
                    (Some(q), Some(w)) => q.len() <= w.len() + w.len() / 4,
                    _ => true,
                };
                consider(quick, Form::Zlib);
                if plain_may_win {
                    consider(deflate(cose, None, Effort::Best), Form::Zlib);
                }
            }
            consider(with_dictionary, Form::ZlibDictionary(d.id));
        }
    }
    let text = String::from_utf8(prefixed_base45(kind.prefix(), &best.0))
        // Not reached: the alphabet is ASCII. The crate's encoder gives the same text.
        .unwrap_or_else(|_| format!("{}{}", kind.prefix(), base45::encode(&best.0)));
    (text, best.1)
}

/// The base45 alphabet (RFC 9285 §4).
const BASE45_ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// `prefix` then the base45 (RFC 9285, docs/format.md §5) of `bytes`, written in place into
/// one buffer of the final size: the `base45` crate's `encode` returns a `String` of its own
/// (to copy into the text) and pushes each group with a capacity check, which together cost
/// as much again as the arithmetic (decisions.md D191). Decoding stays with the crate.
fn prefixed_base45(prefix: &str, bytes: &[u8]) -> Vec<u8> {
    let pairs = bytes.chunks_exact(2);
    let tail = pairs.remainder();
    let mut out = vec![0u8; prefix.len() + bytes.len() / 2 * 3 + tail.len() * 2];
    let (head, body) = out.split_at_mut(prefix.len());
    head.copy_from_slice(prefix.as_bytes());
    let mut groups = body.chunks_exact_mut(3);
    for (pair, group) in pairs.zip(&mut groups) {
        // v = c + 45·d + 2025·e: the first two characters from one table (D195).
        let v = u32::from(pair[0]) << 8 | u32::from(pair[1]);
        let e = v / (45 * 45);
        let [c, d] = BASE45_PAIRS[(v % (45 * 45)) as usize];
        group[0] = c;
        group[1] = d;
        group[2] = BASE45_ALPHABET[e as usize % 45];
    }
    if let ([byte], [c, d]) = (tail, groups.into_remainder()) {
        *c = BASE45_ALPHABET[usize::from(*byte) % 45];
        *d = BASE45_ALPHABET[usize::from(*byte) / 45];
    }
    out
}

/// The two base45 characters of every value below 45·45, low digit first.
const BASE45_PAIRS: [[u8; 2]; 45 * 45] = {
    let mut t = [[0u8; 2]; 45 * 45];
    let mut i = 0;
    while i < 45 * 45 {
        t[i] = [BASE45_ALPHABET[i % 45], BASE45_ALPHABET[i / 45]];
        i += 1;
    }
    t
};

/// Decode a QR text into its kind and COSE bytes. Surrounding ASCII whitespace is ignored.
///
/// A zlib stream may name a preset dictionary from `dictionaries` or from
/// [`KNOWN_DICTIONARIES`]; any other is [`TextError::UnknownDictionary`].
pub fn decode(text: &str, dictionaries: &[Dictionary<'_>]) -> Result<(Kind, Vec<u8>), TextError> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (kind, body) = if let Some(b) = text.strip_prefix(Kind::Credential.prefix()) {
        (Kind::Credential, b)
    } else if let Some(b) = text.strip_prefix(Kind::Presentation.prefix()) {
        (Kind::Presentation, b)
    } else {
        return Err(TextError::NoPrefix);
    };
    if text.len() > MAX_TEXT_LEN {
        return Err(TextError::TooLong { len: text.len() });
    }
    let bytes = base45::decode(body).map_err(|_| TextError::Base45)?;
    match bytes.first() {
        Some(0xD2) => Ok((kind, bytes)),
        Some(0x78) => {
            if dictionaries.is_empty() {
                Ok((kind, inflate(&bytes, KNOWN_DICTIONARIES)?))
            } else {
                let mut all = Vec::with_capacity(dictionaries.len() + KNOWN_DICTIONARIES.len());
                all.extend_from_slice(dictionaries);
                all.extend_from_slice(KNOWN_DICTIONARIES);
                Ok((kind, inflate(&bytes, &all)?))
            }
        }
        first => Err(TextError::UnknownForm {
            first: first.copied(),
        }),
    }
}

/// Inflate a zlib stream (RFC 1950) to at most [`MAX_INFLATED`] bytes, supplying a preset
/// dictionary from `dictionaries` when the header names one (only those given are searched).
pub fn inflate(stream: &[u8], dictionaries: &[Dictionary<'_>]) -> Result<Vec<u8>, TextError> {
    inflate_bounded(stream, dictionaries, MAX_INFLATED)
}

/// [`inflate`] with another cap than [`MAX_INFLATED`]: output beyond `max` bytes is refused
/// before it is produced, and the whole input must be one complete zlib stream.
pub fn inflate_bounded(
    stream: &[u8],
    dictionaries: &[Dictionary<'_>],
    max: usize,
) -> Result<Vec<u8>, TextError> {
    let [cmf, flg, ..] = *stream else {
        return Err(TextError::ZlibHeader);
    };
    if cmf & 0x0F != 8 || cmf >> 4 > 7 || (u16::from(cmf) << 8 | u16::from(flg)) % 31 != 0 {
        return Err(TextError::ZlibHeader);
    }
    let dictionary = if flg & 0x20 != 0 {
        let id_bytes: [u8; 4] = stream
            .get(2..6)
            .and_then(|s| s.try_into().ok())
            .ok_or(TextError::ZlibHeader)?;
        let id = u32::from_be_bytes(id_bytes);
        Some(
            dictionaries
                .iter()
                .find(|d| d.id == id)
                .ok_or(TextError::UnknownDictionary { id })?,
        )
    } else {
        None
    };
    INFLATER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let d = slot.get_or_insert_with(|| Decompress::new(true));
            d.reset(true);
            inflate_with(d, stream, dictionary, max)
        }
        // Re-entered on this thread (cannot happen today): a fresh state is just as correct.
        Err(_) => inflate_with(&mut Decompress::new(true), stream, dictionary, max),
    })
}

thread_local! {
    /// One inflate state per thread, reset for each stream: a new one costs an allocation and
    /// initialisation of its tables that was a tenth of the non-cryptographic verify time.
    static INFLATER: std::cell::RefCell<Option<Decompress>> = const { std::cell::RefCell::new(None) };
}

fn inflate_with(
    d: &mut Decompress,
    stream: &[u8],
    dictionary: Option<&Dictionary<'_>>,
    max: usize,
) -> Result<Vec<u8>, TextError> {
    let mut out: Vec<u8> = Vec::with_capacity((stream.len() * 4).max(256).min(max));
    loop {
        let consumed = usize::try_from(d.total_in()).map_err(|_| TextError::Zlib)?;
        let input = stream.get(consumed..).ok_or(TextError::Zlib)?;
        let before = (d.total_in(), d.total_out());
        match d.decompress_vec(input, &mut out, FlushDecompress::Finish) {
            Ok(Status::StreamEnd) => break,
            Ok(_) => {
                if out.len() == out.capacity() {
                    if out.len() >= max {
                        return Err(TextError::TooLarge);
                    }
                    let grow = out.len().min(max - out.len()).max(1);
                    out.reserve_exact(grow);
                } else if before == (d.total_in(), d.total_out()) {
                    return Err(TextError::Zlib);
                }
            }
            Err(e) => match (e.needs_dictionary(), dictionary) {
                (Some(_), Some(dict)) => {
                    d.set_dictionary(dict.bytes).map_err(|_| TextError::Zlib)?;
                }
                _ => return Err(TextError::Zlib),
            },
        }
        if out.len() > max {
            return Err(TextError::TooLarge);
        }
    }
    if out.len() > max {
        return Err(TextError::TooLarge);
    }
    if usize::try_from(d.total_in()).ok() != Some(stream.len()) {
        return Err(TextError::Zlib);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
