//! Rendering: sizes, formats, version choice, limits.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

mod common;

use common::{opts, vn1_text, BASE45};
use giayto_qr::image::{self, GenericImageView};
use giayto_qr::{
    qr_version, render_png, render_svg, render_terminal, EccLevel, QrError, RenderOptions,
    TerminalStyle,
};

/// Data codewords per version (1..=40) and level, ISO/IEC 18004:2015 Table 7.
const DATA_CODEWORDS: [[usize; 40]; 4] = [
    [
        19, 34, 55, 80, 108, 136, 156, 194, 232, 274, 324, 370, 428, 461, 523, 589, 647, 721, 795,
        861, 932, 1006, 1094, 1174, 1276, 1370, 1468, 1531, 1631, 1735, 1843, 1955, 2071, 2191,
        2306, 2434, 2566, 2702, 2812, 2956,
    ],
    [
        16, 28, 44, 64, 86, 108, 124, 154, 182, 216, 254, 290, 334, 365, 415, 453, 507, 563, 627,
        669, 714, 782, 860, 914, 1000, 1062, 1128, 1193, 1267, 1373, 1455, 1541, 1631, 1725, 1812,
        1914, 1992, 2102, 2216, 2334,
    ],
    [
        13, 22, 34, 48, 62, 76, 88, 110, 132, 154, 180, 206, 244, 261, 295, 325, 367, 397, 445,
        485, 512, 568, 614, 664, 718, 754, 808, 871, 911, 985, 1033, 1115, 1171, 1231, 1286, 1354,
        1426, 1502, 1582, 1666,
    ],
    [
        9, 16, 26, 36, 46, 60, 66, 86, 100, 122, 140, 158, 180, 197, 223, 253, 283, 313, 341, 385,
        406, 442, 464, 514, 538, 596, 628, 661, 701, 745, 793, 845, 901, 961, 986, 1054, 1096,
        1142, 1222, 1276,
    ],
];

fn level_index(ecc: EccLevel) -> usize {
    match ecc {
        EccLevel::L => 0,
        EccLevel::M => 1,
        EccLevel::Q => 2,
        EccLevel::H => 3,
    }
}

/// Alphanumeric capacity in characters, computed from the codeword table.
fn alnum_capacity(version: u8, ecc: EccLevel) -> usize {
    let bits = DATA_CODEWORDS[level_index(ecc)][version as usize - 1] * 8;
    let count_bits = match version {
        1..=9 => 9,
        10..=26 => 11,
        _ => 13,
    };
    let avail = bits - 4 - count_bits;
    2 * (avail / 11) + usize::from(avail % 11 >= 6)
}

#[test]
fn capacity_table_known_points() {
    // Published alphanumeric capacities (ISO/IEC 18004 Table 7). Note 10-Q is 221, not 251.
    let known = [
        (1, EccLevel::L, 25),
        (1, EccLevel::M, 20),
        (1, EccLevel::Q, 16),
        (1, EccLevel::H, 10),
        (10, EccLevel::L, 395),
        (10, EccLevel::M, 311),
        (10, EccLevel::Q, 221),
        (10, EccLevel::H, 174),
        (27, EccLevel::Q, 1172),
        (40, EccLevel::L, 4296),
        (40, EccLevel::Q, 2420),
        (40, EccLevel::H, 1852),
    ];
    for (v, ecc, cap) in known {
        assert_eq!(alnum_capacity(v, ecc), cap, "{v}-{ecc}");
        let fits = "A".repeat(cap);
        assert_eq!(qr_version(&fits, ecc).unwrap(), v, "{v}-{ecc} full");
        let over = "A".repeat(cap + 1);
        if v < 40 {
            assert_eq!(qr_version(&over, ecc).unwrap(), v + 1, "{v}-{ecc} one over");
        } else {
            assert!(matches!(
                qr_version(&over, ecc),
                Err(QrError::TooLong { .. })
            ));
        }
    }
}

#[test]
fn qr_version_is_the_smallest_that_fits() {
    for ecc in [EccLevel::L, EccLevel::M, EccLevel::Q, EccLevel::H] {
        for (i, n) in (0..1800).step_by(37).enumerate() {
            let text = vn1_text(i as u64, n);
            let len = text.len();
            match qr_version(&text, ecc) {
                Ok(v) => {
                    assert!(len <= alnum_capacity(v, ecc), "{ecc} len {len} in v{v}");
                    if v > 1 {
                        assert!(
                            len > alnum_capacity(v - 1, ecc),
                            "{ecc} len {len} fits v{}",
                            v - 1
                        );
                    }
                }
                Err(QrError::TooLong { .. }) => assert!(len > alnum_capacity(40, ecc)),
                Err(e) => panic!("{e}"),
            }
        }
    }
}

#[test]
fn too_long_for_version_40() {
    let text = vn1_text(1, 2420); // 2424 chars > 2420 at Q
    let err = render_png(&text, &RenderOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            QrError::TooLong {
                len: 2424,
                ecc: EccLevel::Q,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(render_svg(&text, &RenderOptions::default()).is_err());
    assert!(render_terminal(&text, EccLevel::Q, TerminalStyle::Plain).is_err());
    // Fits at L: 29-L holds 2369 characters, 30-L 2520.
    assert_eq!(qr_version(&text, EccLevel::L).unwrap(), 30);
}

#[test]
fn png_size_colours_and_dpi() {
    let text = vn1_text(2, 450);
    let v = qr_version(&text, EccLevel::Q).unwrap();
    let o = RenderOptions {
        module_px: 3,
        quiet_zone: 4,
        dpi: Some(300),
        ..RenderOptions::default()
    };
    let png = render_png(&text, &o).unwrap();
    let img = image::load_from_memory(&png).unwrap();
    let side = (17 + 4 * u32::from(v) + 8) * 3;
    assert_eq!(img.dimensions(), (side, side));
    let grey = img.to_luma8();
    assert_eq!(grey.get_pixel(0, 0)[0], 255, "quiet zone is white");
    assert_eq!(grey.get_pixel(12, 12)[0], 0, "finder corner is black");
    assert!(grey.iter().all(|&p| p == 0 || p == 255));
    // pHYs: 300 dpi = 11811 px/m, unit metre.
    let phys = png
        .windows(4)
        .position(|w| w == b"pHYs")
        .expect("pHYs chunk");
    assert_eq!(
        &png[phys + 4..phys + 13],
        &[0, 0, 0x2E, 0x23, 0, 0, 0x2E, 0x23, 1]
    );
    let no_dpi = render_png(&text, &opts(EccLevel::Q, 3)).unwrap();
    assert!(!no_dpi.windows(4).any(|w| w == b"pHYs"));
}

#[test]
fn invalid_options_and_oversized_images() {
    let bad = [
        RenderOptions {
            module_px: 0,
            ..RenderOptions::default()
        },
        RenderOptions {
            quiet_zone: 101,
            ..RenderOptions::default()
        },
        RenderOptions {
            dpi: Some(0),
            ..RenderOptions::default()
        },
    ];
    for o in bad {
        assert!(
            matches!(render_png("VN1:A", &o), Err(QrError::InvalidOption { .. })),
            "{o:?}"
        );
        assert!(
            matches!(render_svg("VN1:A", &o), Err(QrError::InvalidOption { .. })),
            "{o:?}"
        );
    }
    let o = RenderOptions {
        module_px: 1024,
        ..RenderOptions::default()
    };
    assert!(matches!(
        render_png("VN1:A", &o),
        Err(QrError::ImageTooLarge { .. })
    ));
}

#[test]
fn svg_is_compact_and_sized_by_version() {
    for (n, quiet) in [(300usize, 4u32), (1200, 2)] {
        let text = vn1_text(n as u64, n);
        let o = RenderOptions {
            quiet_zone: quiet,
            module_px: 5,
            ..RenderOptions::default()
        };
        let svg = render_svg(&text, &o).unwrap();
        let v = u32::from(qr_version(&text, EccLevel::Q).unwrap());
        let size = 17 + 4 * v + 2 * quiet;
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(
            svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")),
            "{size}"
        );
        assert!(svg.contains(&format!("width=\"{}\"", size * 5)));
        assert!(svg.contains("fill=\"#fff\""));
        assert!(svg.contains("crispEdges"));
        assert_eq!(svg.matches("<path").count(), 1);
        assert_eq!(svg.matches('<').count(), svg.matches('>').count());
        // The first run starts at the top-left finder pattern: 7 modules from (quiet, quiet).
        assert!(
            svg.contains(&format!("d=\"M{quiet} {quiet}h7v1h-7z")),
            "{}",
            &svg[..300]
        );
    }
}

#[test]
fn terminal_output_shape() {
    let text = vn1_text(5, 300);
    let v = qr_version(&text, EccLevel::M).unwrap() as usize;
    let n = 17 + 4 * v + 2 * giayto_qr::TERMINAL_QUIET_ZONE;

    let plain = render_terminal(&text, EccLevel::M, TerminalStyle::Plain).unwrap();
    assert!(!plain.contains('\x1b'));
    let lines: Vec<&str> = plain.lines().collect();
    assert_eq!(lines.len(), n.div_ceil(2));
    assert!(lines.iter().all(|l| l.chars().count() == n));
    assert!(plain
        .chars()
        .all(|c| matches!(c, '▀' | '▄' | '█' | ' ' | '\n')));
    assert!(lines[0].chars().all(|c| c == ' '), "quiet zone on top");
    // Line 2 holds module rows 4 and 5: the finder pattern's top edge, then its ring; its left
    // edge is dark in both rows, the next column only in the top one.
    assert_eq!(lines[2].chars().nth(4), Some('█'));
    assert_eq!(lines[2].chars().nth(5), Some('▀'));

    let ansi = render_terminal(&text, EccLevel::M, TerminalStyle::Ansi).unwrap();
    assert!(ansi.contains('\x1b'));
    assert_eq!(ansi.lines().count(), lines.len());
    let stripped: String = ansi.replace("\x1b[30;107m", "").replace("\x1b[0m", "");
    assert_eq!(stripped, plain);
}

#[test]
fn non_alphanumeric_text_renders_and_reads_back() {
    let text = "https://example.invalid/đăng-ký?x=1";
    let png = render_png(text, &opts(EccLevel::M, 4)).unwrap();
    assert_eq!(giayto_qr::decode_image_bytes(&png).unwrap(), [text]);
    // Lowercase base45 lookalikes are not alphanumeric and need a larger symbol.
    let upper: String = (0..200).map(|i| BASE45[i % 36] as char).collect();
    let lower = upper.to_ascii_lowercase();
    assert!(qr_version(&lower, EccLevel::Q).unwrap() > qr_version(&upper, EccLevel::Q).unwrap());
}
