//! The zlib preset dictionary for credential QR texts (docs/format.md §5), version 1.
//!
//! Built here, deterministically, from synthetic material only: word lists of common
//! Vietnamese family, middle and given names (words, never a real person's full name), the
//! names of provinces and of the urban districts of the two largest cities, administrative and
//! street words, vocabulary of the four documents, and the CBOR byte patterns every credential
//! repeats (the COSE protected header and `typ`, the claim keys, the `cnf` key skeleton, the
//! status claim skeleton, the document claim header and the field keys of each type).
//!
//! zlib can only reach back 32 KiB and a match costs fewer bits the nearer it is, so the
//! dictionary is short (a few KiB) and ordered from the least to the most frequent material:
//! the CBOR skeleton that every credential carries comes last, right before the data.
//!
//! The result is written to `test-vectors/zlib-dictionary-v1.bin` and embedded in
//! `giayto-cose` (`text::DICTIONARY_V1`); a test checks that both equal this build. The bytes
//! are part of the format: a change is a new version with a new Adler-32, never an edit.

use ciborium::value::Value;
use giayto_cose::{cbor, CREDENTIAL_TYP};
use giayto_model::{DocType, Document};

/// The file name under `test-vectors/`.
pub const FILE_NAME: &str = "zlib-dictionary-v1.bin";

/// Common family names (họ).
const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Lương", "Mai", "Cao", "Tạ", "Lâm",
];

/// Common middle names (chữ đệm).
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quang", "Thanh", "Xuân", "Thu", "Kim", "Bảo",
    "Gia", "Hoài", "Công", "Đình", "Quốc", "Tuấn", "Thùy", "Phương", "Hồng", "Anh", "Khánh",
];

/// Common given names (tên).
const GIVEN: &[&str] = &[
    "An", "Anh", "Bình", "Chi", "Cường", "Dũng", "Dung", "Duy", "Giang", "Hà", "Hải", "Hạnh",
    "Hằng", "Hiếu", "Hoa", "Hòa", "Hùng", "Hương", "Huy", "Hưng", "Khoa", "Lan", "Linh", "Long",
    "Loan", "Mai", "Minh", "My", "Nam", "Nga", "Ngân", "Ngọc", "Nhung", "Phong", "Phúc", "Phương",
    "Quân", "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Thành", "Thủy", "Trang", "Trung", "Tú",
    "Tuấn", "Tùng", "Uyên", "Việt", "Vy", "Yến",
];

/// Provinces and centrally governed cities (the 63 of 2008–2025; the 34 of 2025 are among them).
const PROVINCES: &[&str] = &[
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cần Thơ",
    "Cao Bằng",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
    "Hồ Chí Minh",
    "Hà Nội",
];

/// Urban districts of Hà Nội and of Hồ Chí Minh City, the most frequent addresses.
const CITY_DISTRICTS: &[&str] = &[
    "Ba Đình",
    "Hoàn Kiếm",
    "Đống Đa",
    "Hai Bà Trưng",
    "Cầu Giấy",
    "Tây Hồ",
    "Thanh Xuân",
    "Hoàng Mai",
    "Long Biên",
    "Nam Từ Liêm",
    "Bắc Từ Liêm",
    "Hà Đông",
    "Gia Lâm",
    "Đông Anh",
    "Bình Thạnh",
    "Gò Vấp",
    "Tân Bình",
    "Tân Phú",
    "Phú Nhuận",
    "Thủ Đức",
    "Bình Tân",
    "Bình Chánh",
    "Hóc Môn",
    "Củ Chi",
    "Nhà Bè",
];

/// Administrative and street words, each as it appears inside an address.
const ADDRESS_WORDS: &[&str] = &[
    "Thôn ",
    "thôn ",
    "Xóm ",
    "xóm ",
    "Ấp ",
    "ấp ",
    "Bản ",
    "Tổ dân phố ",
    "tổ dân phố ",
    "Khu phố ",
    "khu phố ",
    "Tổ ",
    "tổ ",
    "Ngách ",
    "ngách ",
    "Hẻm ",
    "hẻm ",
    "Kiệt ",
    "kiệt ",
    "Đường ",
    "đường ",
    "Phố ",
    "phố ",
    "Ngõ ",
    "ngõ ",
    "Số ",
    "số ",
    "Thị trấn ",
    "thị trấn ",
    "Thị xã ",
    "thị xã ",
    "Tỉnh ",
    "tỉnh ",
    "Thành phố ",
    "thành phố ",
    "TP. ",
    "Huyện ",
    ", huyện ",
    "Quận ",
    ", quận ",
    "Xã ",
    ", xã ",
    "Phường ",
    ", phường ",
    "Đặc khu ",
];

/// Words of the documents themselves: vehicle types and colours, brands, authorities,
/// health facilities.
const DOCUMENT_WORDS: &[&str] = &[
    "Toyota",
    "Honda",
    "Hyundai",
    "Kia",
    "Mazda",
    "Ford",
    "VinFast",
    "Mitsubishi",
    "Suzuki",
    "Yamaha",
    "Piaggio",
    "SYM",
    "Mercedes-Benz",
    "Nissan",
    "Chevrolet",
    "Isuzu",
    "Thaco",
    "Xe mô tô",
    "Xe gắn máy",
    "Ô tô tải",
    "Ô tô khách",
    "Ô tô con",
    "Xe máy điện",
    "Trắng",
    "Đen",
    "Đỏ",
    "Xanh",
    "Bạc",
    "Xám",
    "Vàng",
    "Nâu",
    "Cam",
    "Phòng khám đa khoa ",
    "Bệnh viện Đa khoa ",
    "Bệnh viện ",
    "Trung tâm Y tế ",
    "Trạm y tế ",
    "Trạm Y tế ",
    "Cục Cảnh sát giao thông",
    "Cục Đường bộ Việt Nam",
    "Sở Giao thông vận tải ",
    "Sở Xây dựng ",
    "Công an ",
];

/// Issuer ids of the national issuers.
const ISSUERS: &[&str] = &["VN.BHXH", "VN.BCA.C06"];

/// Placeholder status-list uri prefix of the test deployment (docs/format.md §9: issuer's prefix +
/// list number). A production dictionary version would carry the production prefixes.
const STATUS_URI_PREFIX: &str = "https://giayto.example/st/";

fn text_head(len: usize) -> Vec<u8> {
    let s = "x".repeat(len);
    let enc = cbor::encode(&Value::Text(s));
    enc[..enc.len() - len].to_vec()
}

/// A text with its CBOR head, as it appears in a credential.
fn cbor_text(s: &str) -> Vec<u8> {
    cbor::encode(&Value::Text(s.to_owned()))
}

/// The field skeleton of a document: each key followed by the head of its value, with text
/// contents and date/number values left out. Synthetic: built from the structure of the type,
/// whose sample only supplies which fields exist.
fn field_skeleton(fields: &Value, out: &mut Vec<u8>) {
    let Value::Map(entries) = fields else { return };
    for (k, v) in entries {
        out.extend(cbor::encode(k));
        match v {
            Value::Text(s) => out.extend(text_head(s.len())),
            Value::Tag(tag, _) => {
                let enc = cbor::encode(&Value::Tag(*tag, Box::new(Value::Integer(20_000.into()))));
                out.extend(&enc[..enc.len() - 2]);
            }
            Value::Array(items) => {
                out.push(0x80 | items.len().min(23) as u8);
                for item in items {
                    field_skeleton(item, out);
                }
            }
            Value::Map(_) => {
                out.push(0xA0);
                field_skeleton(v, out);
            }
            Value::Integer(_) => out.extend(cbor::encode(v)),
            _ => {}
        }
    }
}

/// The credential skeleton: every CBOR byte run a credential repeats.
fn cbor_patterns() -> Vec<u8> {
    let mut out = Vec::new();
    // COSE_Sign1 start, protected header up to the kid, and after it the typ, the empty
    // unprotected header and the payload's byte-string head (payloads are 256..65535 bytes).
    let header = cbor::encode(&cbor::map(vec![
        (1.into(), (-8).into()),
        (4.into(), Value::Bytes(vec![0; 8])),
        (16.into(), Value::Text(CREDENTIAL_TYP.into())),
    ]));
    let kid_at = header.len() - 8 - 1 - CREDENTIAL_TYP.len() - 1;
    // Tag 18, array of 4, bstr head of the protected header.
    out.extend([0xD2, 0x84, 0x58, header.len() as u8]);
    out.extend(&header[..kid_at]);
    let after_kid = &header[kid_at + 8..];
    // Claims: iss, iat, exp heads; cti of 10..16 bytes; cnf with an Ed25519 OKP key.
    let mut claims = Vec::new();
    claims.extend(after_kid);
    claims.extend([0xA0, 0x59, 0x01]);
    for issuer in ISSUERS {
        for count in [0xA7u8, 0xA6, 0xA8] {
            claims.push(count);
            claims.push(0x01);
            claims.extend(cbor_text(issuer));
            claims.extend([0x04, 0x1A]);
        }
    }
    let cnf = cbor::encode(&cbor::map(vec![(
        1.into(),
        cbor::map(vec![
            (1.into(), 1.into()),
            ((-1).into(), 6.into()),
            ((-2).into(), Value::Bytes(vec![0; 32])),
        ]),
    )]));
    let mut tail = vec![0x06, 0x1A];
    tail.extend([0x07, 0x4A]);
    tail.push(0x08);
    tail.extend(&cnf[..cnf.len() - 32]);
    // Status claim up to the idx value, then the uri.
    let status_head = {
        let mut v = vec![0x19, 0xFF, 0xFF];
        v.extend(
            &cbor::encode(&cbor::map(vec![(
                "status_list".into(),
                cbor::map(vec![
                    ("idx".into(), 1_000_000.into()),
                    ("uri".into(), Value::Text(String::new())),
                ]),
            )]))[..],
        );
        // Drop the empty uri text (1 byte), the "uri" key (4), and the idx value (4).
        v.truncate(v.len() - 1 - 4 - 4);
        v
    };
    let mut status = status_head;
    status.extend([0, 0, 0, 0]);
    status.extend(cbor::encode(&Value::Text("uri".into())));
    for issuer in ISSUERS {
        let uri = format!("{STATUS_URI_PREFIX}{issuer}/");
        status.extend(text_head(uri.len() + 1));
        status.extend(uri.as_bytes());
    }
    claims.extend(tail);
    claims.extend(status);
    out.extend(claims);
    out
}

/// The document types whose samples dictionary v1 was built from: the four of the first
/// release. Types added later (the social insurance book) use v1 as it is: a new dictionary
/// would be a new version, which verifiers of an earlier release cannot inflate, so they would
/// call a credential of the new type `malformed` instead of `unsupported_document`
/// (docs/decisions.md D130).
pub const V1_DOC_TYPES: [DocType; 4] = [
    DocType::Cccd,
    DocType::Gplx,
    DocType::Vehicle,
    DocType::Bhyt,
];

fn document_patterns() -> Vec<u8> {
    let mut out = Vec::new();
    for t in V1_DOC_TYPES {
        let doc = Document::from_json(t, &giayto_model::sample_input(t))
            .expect("the sample input validates");
        // -70001: {1: doc_type, 2: schema, 3: level, 4: fields}
        let head = cbor::encode(&Value::Integer((-70001).into()));
        for level in [2u8, 1] {
            out.extend(&head);
            out.extend([0xA4, 0x01, t.code() as u8, 0x02, 0x01, 0x03, level, 0x04]);
        }
        field_skeleton(&doc.to_cbor(), &mut out);
    }
    out
}

fn words(list: &[&str], sep: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for w in list {
        out.extend(w.as_bytes());
        out.extend(sep.as_bytes());
    }
    out
}

/// The bytes of dictionary version 1.
pub fn build_v1() -> Vec<u8> {
    let mut out = Vec::new();
    // Least frequent first.
    out.extend(words(DOCUMENT_WORDS, " "));
    for d in CITY_DISTRICTS {
        out.extend(format!(", quận {d}, ").as_bytes());
    }
    out.extend(words(PROVINCES, ", "));
    out.extend(words(ADDRESS_WORDS, ""));
    out.extend(words(GIVEN, " "));
    out.extend(words(MIDDLE, " "));
    out.extend(words(FAMILY, " "));
    out.extend(document_patterns());
    out.extend(cbor_patterns());
    out
}
