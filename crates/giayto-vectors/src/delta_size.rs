//! The status delta section of `docs/qr-size.md` (docs/format.md §9.8): how many status changes
//! one `VD1:` QR code carries, per QR version, at error correction Q (what credentials use) and
//! M.

use std::fmt::Write as _;

use giayto_cose::Signer;
use giayto_qr::EccLevel;
use giayto_status::{DeltaBase, Status, StatusDelta, StatusList, StatusListToken};

use crate::{key, seeds, AT, DAY};

/// Entries of the measured list: the issuer's default list size.
pub const LIST_SIZE: u64 = 1 << 20;
/// The uri of the measured list (the police's default prefix, list 1).
const URI: &str = "https://giayto.example/st/VN.BCA.C06/1";
/// Most changes measured.
const MAX_CHANGES: usize = 1500;

/// `n` distinct pseudo-random indices below `size` (a fixed sequence: the first `n` of it, so
/// that a longer delta holds every change of a shorter one), every tenth a suspension.
fn changes(n: usize, size: u64) -> Vec<(u64, Status)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    while out.len() < n {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let index = (x >> 24) % size;
        if seen.insert(index) {
            let status = if out.len() % 10 == 9 {
                Status::Suspended
            } else {
                Status::Revoked
            };
            out.push((index, status));
        }
    }
    out
}

/// The `VD1:` text of a delta with the first `n` changes in a list of `size` entries: the list
/// published a day before [`AT`] to the one published at `AT`, valid a week, `ttl` a day, as
/// `giayto status delta` makes it, signed by the police's test key.
pub fn delta_text(n: usize, size: u64) -> String {
    giayto_status::delta_to_text(&signed(n, size, &key(seeds::POLICE)))
}

/// The delta of [`delta_text`], signed by `signer`.
fn signed(n: usize, size: u64, signer: &dyn Signer) -> Vec<u8> {
    let base = StatusListToken {
        uri: URI.into(),
        issued_at: AT - DAY,
        expires_at: AT + 6 * DAY,
        ttl: Some(DAY as u64),
        list: StatusList::new(size).expect("a valid list size"),
    };
    let mut changes = changes(n, size);
    changes.sort_unstable_by_key(|c| c.0);
    let delta = StatusDelta {
        uri: URI.into(),
        base: DeltaBase::of(&base),
        issued_at: AT,
        expires_at: AT + 7 * DAY,
        ttl: Some(DAY as u64),
        changes,
    };
    delta.sign(signer).expect("signs")
}

/// The police's public key with a constant signature: the same bytes but the signature's, so
/// the same length, at a fraction of the cost (for the capacity scan of a thousand deltas).
struct SameLength([u8; 32]);

impl Signer for SameLength {
    fn public_key(&self) -> [u8; 32] {
        self.0
    }
    fn sign(&self, _: &[u8]) -> Result<[u8; 64], giayto_cose::sign1::SignError> {
        Ok([0x5a; 64])
    }
}

fn version(text: &str, ecc: EccLevel) -> Option<u8> {
    giayto_qr::qr_version(text, ecc).ok()
}

/// The most changes whose text fits each QR version, for `size` entries at `ecc` (index `v - 1`).
fn capacity(size: u64, ecc: EccLevel) -> [Option<usize>; 40] {
    let signer = SameLength(key(seeds::POLICE).verifying_key().to_bytes());
    let mut most = [None; 40];
    for n in 0..=MAX_CHANGES {
        let text = giayto_status::delta_to_text(&signed(n, size, &signer));
        let Some(v) = version(&text, ecc) else {
            break;
        };
        for slot in most.iter_mut().skip(usize::from(v) - 1) {
            *slot = Some(n);
        }
    }
    most
}

fn cell(v: Option<usize>) -> String {
    v.map_or_else(|| "—".to_owned(), |n| n.to_string())
}

/// The Markdown section.
pub fn delta_report() -> String {
    let mut s = String::new();
    s.push_str("## Status updates (`VD1:`)\n\n");
    let empty = delta_text(0, LIST_SIZE);
    let _ = write!(
        s,
        "A status update (docs/format.md §9.8) carries the entries of one status list that \
         changed since a list a device holds, signed by the issuer, so that a checkpoint phone \
         without a data connection learns the day's revocations by scanning one code. Measured \
         on list 1 of `VN.BCA.C06` (uri `{URI}`) with the issuer's default size of \
         {LIST_SIZE} entries, changes at scattered pseudo-random indices (every tenth a \
         suspension, the rest revocations), `iat`, `exp` and `ttl` as `giayto status delta` \
         sets them, signed by the test key. Sizes are characters of the whole text, `VD1:` \
         included (base45 of the COSE bytes; a delta has no zlib form). An update without \
         changes, which only moves the list's `iat`, `exp` and `ttl` on (keeping a device's \
         list fresh), takes {} characters: the signature (64 bytes), the protected header with \
         the kid and `typ` (about 50), the uri, the base's `iat` and 16-byte hash, and the new times. \
         Each change then adds about 3 bytes (4½ characters): a LEB128 number of the gap since \
         the previous change and the new status.\n\n",
        empty.len()
    );
    s.push_str("| changes | characters | QR version (ECC Q) | QR version (ECC M) |\n");
    s.push_str("|---:|---:|---:|---:|\n");
    for n in [0, 1, 5, 10, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300] {
        let t = delta_text(n, LIST_SIZE);
        let v = |ecc| version(&t, ecc).map_or_else(|| "over 40".to_owned(), |v| v.to_string());
        let _ = writeln!(
            s,
            "| {n} | {} | {} | {} |",
            t.len(),
            v(EccLevel::Q),
            v(EccLevel::M)
        );
    }
    s.push_str(
        "\nThe most changes one code carries, per QR version. The smallest list a giayto issuer \
         may use (131,072 entries) spreads the same number of changes over shorter gaps, so a \
         few more fit.\n\n",
    );
    s.push_str(
        "| QR version | ECC Q, 1,048,576 entries | ECC M, 1,048,576 entries | ECC Q, 131,072 entries |\n",
    );
    s.push_str("|---:|---:|---:|---:|\n");
    let q = capacity(LIST_SIZE, EccLevel::Q);
    let m = capacity(LIST_SIZE, EccLevel::M);
    let q_small = capacity(giayto_status::MIN_ENTRIES, EccLevel::Q);
    for v in (10..=25).chain([30, 35, 40]) {
        let i = v - 1;
        let _ = writeln!(
            s,
            "| {v} | {} | {} | {} |",
            cell(q[i]),
            cell(m[i]),
            cell(q_small[i])
        );
    }
    let fifty = delta_text(50, LIST_SIZE);
    let _ = write!(
        s,
        "\nGoal (issue 15): about 50 changes in one scannable code. Measured: 50 changes take \
         **{} characters**, QR version {} at ECC Q (version {} at ECC M), a little \
         larger than a credential (versions 15 to 17 at ECC Q above). A full list is needed \
         instead when the device holds no list for the uri, when its list is not the update's \
         base, or when the changes outgrow a code a phone scans comfortably (version 25 at ECC \
         Q holds {}; `giayto status delta` refuses more than version 40 holds).\n",
        fifty.len(),
        version(&fifty, EccLevel::Q).map_or(0, u32::from),
        version(&fifty, EccLevel::M).map_or(0, u32::from),
        cell(q[24]),
    );
    s
}
