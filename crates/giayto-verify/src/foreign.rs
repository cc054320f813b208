//! Codes that are not giayto credentials, recognised so the verifier can say what they are
//! (docs/format.md §5.6): a web link, an EU DCC, a VietQR or other EMVCo
//! payment code, the chip card's own QR.

/// What a scanned text that is not a giayto code looks like, so the verifier can say what it is.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignCode {
    /// A web address.
    WebLink,
    /// An EU Digital COVID Certificate (`HC1:`).
    EuDcc,
    /// A VietQR payment code: an EMVCo merchant-presented QR whose merchant account template
    /// (tag 38) carries the NAPAS application id `A000000727`.
    VietQr,
    /// Another EMVCo merchant-presented payment code (same structure, no NAPAS id).
    EmvcoPayment,
    /// The printed QR of a chip citizen ID card (unsigned; `giayto cccd parse` reads it).
    CccdCardQr,
    /// A verifier's request (`VR1:`, docs/format.md §15): for the holder's wallet to answer,
    /// not a credential to check.
    VerifierRequest,
    /// A MOSIP ID Claim 169 identity code (docs/format.md §16): another format, which a
    /// verifier checks against its trust list and shows as that issuer's identity data.
    Claim169,
    /// Empty input.
    Empty,
    /// Anything else.
    Unknown,
}

impl ForeignCode {
    /// Every kind.
    pub const ALL: [ForeignCode; 9] = [
        ForeignCode::WebLink,
        ForeignCode::EuDcc,
        ForeignCode::VietQr,
        ForeignCode::EmvcoPayment,
        ForeignCode::CccdCardQr,
        ForeignCode::VerifierRequest,
        ForeignCode::Claim169,
        ForeignCode::Empty,
        ForeignCode::Unknown,
    ];

    /// Classify a text that lacks a giayto prefix.
    pub fn classify(text: &str) -> ForeignCode {
        let t = text.trim();
        let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
        if t.is_empty() {
            ForeignCode::Empty
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            ForeignCode::WebLink
        } else if t.starts_with("HC1:") {
            ForeignCode::EuDcc
        } else if t.starts_with(giayto_cose::request::PREFIX) {
            ForeignCode::VerifierRequest
        } else if let Some(payment) = classify_emvco(t) {
            payment
        } else if is_card_qr(t) {
            ForeignCode::CccdCardQr
        } else if giayto_cose::claim169::looks_like(t) {
            ForeignCode::Claim169
        } else {
            ForeignCode::Unknown
        }
    }

    /// A stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ForeignCode::WebLink => "web_link",
            ForeignCode::EuDcc => "eu_dcc",
            ForeignCode::VietQr => "vietqr",
            ForeignCode::EmvcoPayment => "emvco_payment",
            ForeignCode::CccdCardQr => "cccd_card_qr",
            ForeignCode::VerifierRequest => "verifier_request",
            ForeignCode::Claim169 => "claim169",
            ForeignCode::Empty => "empty",
            ForeignCode::Unknown => "unknown",
        }
    }
}

/// Longest text read as an EMVCo payload (a version 40 QR code holds 2,953 bytes).
const MAX_EMVCO_LEN: usize = 4096;
/// The NAPAS application id (RID) that marks a VietQR merchant account.
const NAPAS_GUID: &str = "A000000727";

/// One EMVCo data object: two-digit id, two-digit length (in characters), value.
fn emvco_objects(mut rest: &str) -> Option<Vec<(u8, &str)>> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let head = rest.get(..4)?;
        if !head.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id = head[..2].parse::<u8>().ok()?;
        let len = head[2..].parse::<usize>().ok()?;
        let body = &rest[4..];
        // The length counts characters; find the byte offset after `len` of them.
        let end = match body.char_indices().nth(len) {
            Some((i, _)) => i,
            None if body.chars().count() == len => body.len(),
            None => return None,
        };
        out.push((id, &body[..end]));
        rest = &body[end..];
    }
    Some(out)
}

/// An EMVCo merchant-presented payment code (EMV QRCPS): a sequence of data objects starting
/// with the payload format indicator `000201`. VietQR is one when its merchant account
/// information (id 38) names NAPAS.
fn classify_emvco(t: &str) -> Option<ForeignCode> {
    if !t.starts_with("000201") || t.len() > MAX_EMVCO_LEN {
        return None;
    }
    let objects = emvco_objects(t)?;
    // A payment code has at least the format indicator, a merchant account, a currency or
    // country, and the CRC (id 63).
    if objects.len() < 3 || !objects.iter().any(|(id, _)| *id == 63) {
        return None;
    }
    let napas = objects.iter().any(|(id, value)| {
        *id == 38
            && emvco_objects(value)
                .is_some_and(|inner| inner.iter().any(|(sub, v)| *sub == 0 && *v == NAPAS_GUID))
    });
    Some(if napas {
        ForeignCode::VietQr
    } else {
        ForeignCode::EmvcoPayment
    })
}

fn is_card_qr(t: &str) -> bool {
    let parts: Vec<&str> = t.split('|').collect();
    parts.len() == 7 && parts[0].len() == 12 && parts[0].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-16/CCITT-FALSE, as EMVCo computes it over the payload up to and including `6304`.
    fn crc16(data: &[u8]) -> u16 {
        let mut crc = 0xFFFFu16;
        for &b in data {
            crc ^= u16::from(b) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    fn tlv(id: u8, value: &str) -> String {
        format!("{id:02}{:02}{value}", value.chars().count())
    }

    /// A synthetic payment code; `guid` goes into the merchant account template (id 38).
    fn payment_code(guid: &str) -> String {
        let account = [
            tlv(0, guid),
            tlv(1, &[tlv(0, "970999"), tlv(1, "0123456789")].concat()),
            tlv(2, "QRIBFTTA"),
        ]
        .concat();
        let mut s = [
            tlv(0, "01"),
            tlv(1, "12"),
            tlv(38, &account),
            tlv(53, "704"),
            tlv(54, "150000"),
            tlv(58, "VN"),
            tlv(59, "CUA HANG MAU"),
            tlv(60, "HA NOI"),
            tlv(62, &tlv(8, "Thanh toán đơn 42")),
        ]
        .concat();
        s.push_str("6304");
        let crc = crc16(s.as_bytes());
        s.push_str(&format!("{crc:04X}"));
        s
    }

    #[test]
    fn vietqr_needs_the_napas_guid_in_tag_38() {
        let vietqr = payment_code(NAPAS_GUID);
        assert!(vietqr.starts_with("000201010212"));
        assert_eq!(ForeignCode::classify(&vietqr), ForeignCode::VietQr);
        assert_eq!(
            ForeignCode::classify(&format!(" {vietqr}\n")),
            ForeignCode::VietQr
        );
        let other = payment_code("A000000999");
        assert_eq!(ForeignCode::classify(&other), ForeignCode::EmvcoPayment);
    }

    #[test]
    fn broken_tlv_is_unknown_text() {
        let vietqr = payment_code(NAPAS_GUID);
        // Cut inside a value: the lengths no longer add up.
        let cut = &vietqr[..vietqr.len() - 2];
        assert_eq!(ForeignCode::classify(cut), ForeignCode::Unknown);
        // The right start but not a TLV sequence at all.
        assert_eq!(
            ForeignCode::classify("000201 hello world, not a payment"),
            ForeignCode::Unknown
        );
        assert_eq!(ForeignCode::classify("000201"), ForeignCode::Unknown);
        // A length running past the end, and non-digits where a head belongs.
        assert_eq!(ForeignCode::classify("0002010199x"), ForeignCode::Unknown);
        assert_eq!(
            ForeignCode::classify("000201AB02xx6304ABCD"),
            ForeignCode::Unknown
        );
        // No CRC object.
        let no_crc = [tlv(0, "01"), tlv(1, "11"), tlv(58, "VN")].concat();
        assert_eq!(ForeignCode::classify(&no_crc), ForeignCode::Unknown);
    }

    #[test]
    fn other_foreign_kinds() {
        let cases = [
            ("https://example.invalid/x", ForeignCode::WebLink),
            ("HTTP://EXAMPLE.INVALID", ForeignCode::WebLink),
            ("HC1:6BFOXN%TS3DH0YOJ58S", ForeignCode::EuDcc),
            (
                "001196012345|012345678|Trần Thị Mẫu|17051996|Nữ|Hà Nội|10042021",
                ForeignCode::CccdCardQr,
            ),
            ("   ", ForeignCode::Empty),
            ("hello", ForeignCode::Unknown),
            ("VN2:ABC", ForeignCode::Unknown),
            ("VR1:6BFOXN", ForeignCode::VerifierRequest),
            ("VR2:6BFOXN", ForeignCode::Unknown),
        ];
        for (text, kind) in cases {
            assert_eq!(ForeignCode::classify(text), kind, "{text}");
        }
        for kind in [
            ForeignCode::VietQr,
            ForeignCode::EmvcoPayment,
            ForeignCode::EuDcc,
        ] {
            assert!(kind
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn classify_never_panics_on_multibyte_or_huge_input() {
        for text in [
            "000201ẫẫẫẫ",
            "0002010104ẫẫẫẫ6304ABCD",
            "00020101",
            "0002016304",
        ] {
            let _ = ForeignCode::classify(text);
        }
        let huge = format!("000201{}", "0".repeat(1 << 20));
        assert_eq!(ForeignCode::classify(&huge), ForeignCode::Unknown);
    }
}
