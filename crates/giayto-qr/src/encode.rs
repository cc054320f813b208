//! Choosing the QR version and building the module matrix.
//!
//! Text made only of QR alphanumeric characters (all giayto texts: `VN1:`/`VP1:` + base45) is
//! encoded as one alphanumeric segment, as docs/format.md §5.7 requires. Any other text falls back to
//! the encoder's optimal mixed segmentation (numeric/alphanumeric/byte), so arbitrary strings
//! still render.

use std::fmt;
use std::str::FromStr;

use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};

use crate::error::{ParseEccLevelError, QrError};

/// QR error-correction level.
///
/// giayto uses `Q` by default (about 25 % of codewords recoverable) and `M` as an option
/// (docs/format.md §5.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum EccLevel {
    /// Low: about 7 % of codewords recoverable.
    L,
    /// Medium: about 15 %.
    M,
    /// Quartile: about 25 % (the giayto default).
    #[default]
    Q,
    /// High: about 30 %.
    H,
}

impl EccLevel {
    fn to_qrcode(self) -> EcLevel {
        match self {
            EccLevel::L => EcLevel::L,
            EccLevel::M => EcLevel::M,
            EccLevel::Q => EcLevel::Q,
            EccLevel::H => EcLevel::H,
        }
    }

    /// The level's letter, `"L"`, `"M"`, `"Q"` or `"H"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EccLevel::L => "L",
            EccLevel::M => "M",
            EccLevel::Q => "Q",
            EccLevel::H => "H",
        }
    }
}

impl fmt::Display for EccLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EccLevel {
    type Err = ParseEccLevelError;

    /// Parses `"L"`, `"M"`, `"Q"` or `"H"`, in either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "L" | "l" => Ok(EccLevel::L),
            "M" | "m" => Ok(EccLevel::M),
            "Q" | "q" => Ok(EccLevel::Q),
            "H" | "h" => Ok(EccLevel::H),
            _ => Err(ParseEccLevelError),
        }
    }
}

/// Smallest and largest QR (not Micro QR) versions.
pub const MIN_VERSION: u8 = 1;
/// Largest QR version.
pub const MAX_VERSION: u8 = 40;

/// Side of a version `v` symbol in modules, without quiet zone: `17 + 4v`.
pub fn modules_per_side(version: u8) -> u32 {
    17 + 4 * u32::from(version)
}

/// True if `b` is in the QR alphanumeric set `0-9 A-Z space $ % * + - . / :`.
pub fn is_qr_alphanumeric(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'A'..=b'Z' | b' ' | b'$' | b'%' | b'*' | b'+' | b'-' | b'.' | b'/' | b':')
}

/// Data bits one version/level holds (the data codewords, times 8).
fn capacity_bits(version: u8, ecc: EccLevel) -> Result<usize, QrError> {
    Bits::new(Version::Normal(i16::from(version)))
        .max_len(ecc.to_qrcode())
        .map_err(|_| QrError::Encoder {
            step: "looking up the data capacity",
        })
}

/// Bits a single alphanumeric segment of `n` characters takes in `version`: mode indicator,
/// character count, then 11 bits per pair and 6 for a last odd character (ISO/IEC 18004 7.4.4).
fn alphanumeric_bits(n: usize, version: u8) -> usize {
    let count_bits = match version {
        1..=9 => 9,
        10..=26 => 11,
        _ => 13,
    };
    4 + count_bits + 11 * (n / 2) + 6 * (n % 2)
}

/// Largest number of characters in the alphanumeric count field of `version`.
fn alphanumeric_count_max(version: u8) -> usize {
    match version {
        1..=9 => (1 << 9) - 1,
        10..=26 => (1 << 11) - 1,
        _ => (1 << 13) - 1,
    }
}

/// A rendered symbol: square grid of modules, `true` = dark, row-major, no quiet zone.
#[derive(Clone, Debug)]
pub(crate) struct Matrix {
    pub(crate) width: usize,
    pub(crate) dark: Vec<bool>,
}

impl Matrix {
    pub(crate) fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }
}

/// Smallest QR version (1..=40) that holds `text` at `ecc`.
///
/// A text entirely in the QR alphanumeric set (every giayto `VN1:`/`VP1:` text) is measured as
/// one alphanumeric segment, exactly as [`render_png`](crate::render_png) and friends encode it.
/// Other text is measured with the encoder's optimal mixed segmentation.
///
/// # Errors
///
/// [`QrError::TooLong`] if the text does not fit in version 40 at `ecc`.
///
/// ```
/// use giayto_qr::{qr_version, EccLevel};
/// assert_eq!(qr_version("HELLO WORLD", EccLevel::Q).unwrap(), 1);
/// ```
pub fn qr_version(text: &str, ecc: EccLevel) -> Result<u8, QrError> {
    plan(text, ecc).map(|p| p.version)
}

struct Plan {
    version: u8,
    /// Bits already encoded by the mixed-mode optimiser; `None` for a pure alphanumeric text.
    mixed: Option<Bits>,
}

fn plan(text: &str, ecc: EccLevel) -> Result<Plan, QrError> {
    let data = text.as_bytes();
    if data.iter().all(|&b| is_qr_alphanumeric(b)) {
        let n = data.len();
        for version in MIN_VERSION..=MAX_VERSION {
            if n <= alphanumeric_count_max(version)
                && alphanumeric_bits(n, version) <= capacity_bits(version, ecc)?
            {
                return Ok(Plan {
                    version,
                    mixed: None,
                });
            }
        }
        return Err(QrError::TooLong {
            len: n,
            ecc,
            needed_bits: alphanumeric_bits(n, MAX_VERSION),
            capacity_bits: capacity_bits(MAX_VERSION, ecc)?,
        });
    }
    match qrcode::bits::encode_auto(data, ecc.to_qrcode()) {
        Ok(bits) => match bits.version() {
            Version::Normal(v) => Ok(Plan {
                version: u8::try_from(v).map_err(|_| QrError::Encoder {
                    step: "choosing the version",
                })?,
                mixed: Some(bits),
            }),
            Version::Micro(_) => Err(QrError::Encoder {
                step: "choosing the version",
            }),
        },
        Err(_) => Err(QrError::TooLong {
            len: data.len(),
            ecc,
            // A lower bound: one byte-mode segment would need at least this many bits.
            needed_bits: data.len().saturating_mul(8),
            capacity_bits: capacity_bits(MAX_VERSION, ecc)?,
        }),
    }
}

/// Encodes `text` at `ecc` into the smallest symbol that holds it.
pub(crate) fn encode(text: &str, ecc: EccLevel) -> Result<Matrix, QrError> {
    let plan = plan(text, ecc)?;
    let version = Version::Normal(i16::from(plan.version));
    let level = ecc.to_qrcode();
    let bits = match plan.mixed {
        Some(bits) => bits,
        None => {
            let mut bits = Bits::new(version);
            bits.push_alphanumeric_data(text.as_bytes())
                .map_err(|_| QrError::Encoder {
                    step: "writing alphanumeric data",
                })?;
            bits.push_terminator(level).map_err(|_| QrError::Encoder {
                step: "writing the terminator",
            })?;
            bits
        }
    };
    let code = QrCode::with_bits(bits, level).map_err(|_| QrError::Encoder {
        step: "building the symbol",
    })?;
    let width = code.width();
    let dark = code
        .into_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect::<Vec<_>>();
    if dark.len() != width * width || width != modules_per_side(plan.version) as usize {
        return Err(QrError::Encoder {
            step: "checking the symbol size",
        });
    }
    Ok(Matrix { width, dark })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_bit_lengths_match_the_encoder() {
        for n in [0usize, 1, 2, 15, 16, 17, 300, 1201] {
            for v in [1u8, 9, 10, 26, 27, 40] {
                let text = "A".repeat(n);
                let mut bits = Bits::new(Version::Normal(i16::from(v)));
                if bits.push_alphanumeric_data(text.as_bytes()).is_ok() {
                    assert_eq!(bits.len(), alphanumeric_bits(n, v), "n={n} v={v}");
                }
            }
        }
    }

    #[test]
    fn ecc_parses_both_cases() {
        for (s, e) in [
            ("l", EccLevel::L),
            ("M", EccLevel::M),
            ("q", EccLevel::Q),
            ("H", EccLevel::H),
        ] {
            assert_eq!(s.parse::<EccLevel>().unwrap(), e);
            assert_eq!(e.as_str().parse::<EccLevel>().unwrap(), e);
        }
        assert!("X".parse::<EccLevel>().is_err());
        assert!("".parse::<EccLevel>().is_err());
        assert!("QQ".parse::<EccLevel>().is_err());
    }

    #[test]
    fn non_alphanumeric_text_still_encodes() {
        let text = "https://example.invalid/a?b=c";
        let m = encode(text, EccLevel::M).unwrap();
        let v = qr_version(text, EccLevel::M).unwrap();
        assert_eq!(m.width, modules_per_side(v) as usize);
    }
}
