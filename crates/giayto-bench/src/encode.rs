//! What the QR text encoder is measured and checked against (docs/performance.md, "End to
//! end: encoding the QR text"; decisions.md D170–D171): the encoder as it was before the
//! primed compressor, and credentials of every document type with varied synthetic people.

use std::cell::RefCell;

use ed25519_dalek::SigningKey;
use flate2::{Compress, Compression, FlushCompress, Status};
use giayto_cose::claims::StatusRef;
use giayto_cose::text;
use giayto_issuer::credential::{credential_expiry, sign_credential};
use giayto_issuer::CredentialRequest;
use giayto_model::{DocType, Document};
use giayto_vectors::AT;
use serde_json::{json, Value as Json};

thread_local! {
    static BEST: RefCell<Compress> = RefCell::new(Compress::new(Compression::best(), true));
    static QUICK: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), true));
}

fn zlib(
    state: &'static std::thread::LocalKey<RefCell<Compress>>,
    data: &[u8],
    dictionary: Option<&[u8]>,
) -> Vec<u8> {
    state.with(|cell| {
        let mut c = cell.borrow_mut();
        c.reset();
        if let Some(d) = dictionary {
            c.set_dictionary(d)
                .expect("a fresh stream takes a dictionary");
        }
        let mut out = Vec::with_capacity(data.len() + 64);
        loop {
            let consumed = usize::try_from(c.total_in()).expect("small");
            match c.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return out,
                Ok(_) => out.reserve(out.capacity().max(64)),
                Err(e) => panic!("deflate: {e}"),
            }
        }
    })
}

/// The `VN1:` text of a credential as the encoder made it before decisions.md D170 and D171,
/// kept here as the reference the new one must equal byte for byte (docs/format.md §5.5):
/// level-9 zlib with dictionary v1 and a level-1 plain attempt, then level-9 plain when that
/// came within a quarter; every stream from a `flate2` (zlib-rs) state reset for each call;
/// the shortest kept, the raw form winning ties, then plain zlib.
pub fn reference_credential_text(cose: &[u8]) -> String {
    let dictionary = text::DICTIONARY_V1_BYTES;
    let with_dictionary = zlib(&BEST, cose, Some(dictionary));
    let quick = zlib(&QUICK, cose, None);
    let plain_may_win = quick.len() <= with_dictionary.len() + with_dictionary.len() / 4;
    let mut best = cose.to_vec();
    if quick.len() < best.len() {
        best = quick;
    }
    if plain_may_win {
        let plain = zlib(&BEST, cose, None);
        if plain.len() < best.len() {
            best = plain;
        }
    }
    if with_dictionary.len() < best.len() {
        best = with_dictionary;
    }
    format!("VN1:{}", base45::encode(&best))
}

/// The kinds of credential measured and compared: the five document types, the 2024 identity
/// card and the company-owned vehicle (schema 2).
pub const KINDS: [&str; 7] = [
    "cccd",
    "gplx",
    "vehicle",
    "bhyt",
    "bhxh",
    "can_cuoc_2024",
    "vehicle_company",
];

/// splitmix64, so that a seed names one credential.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[(self.next() % words.len() as u64) as usize]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        for x in b.iter_mut() {
            *x = self.next() as u8;
        }
        b
    }
}

// Synthetic word lists: common Vietnamese name parts and place words, no real person.
const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Gia", "Kim", "Thu", "Xuân",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Khánh", "Lan",
    "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn",
    "Vy", "Yến",
];
const STREET: &[&str] = &[
    "ngõ 12 phố Mẫu",
    "đường Lê Lợi",
    "phố Hàng Bạc",
    "đường Trần Phú",
    "hẻm 45 đường Nguyễn Trãi",
    "thôn Đông",
    "xóm 3",
    "ấp Phú Hòa",
    "tổ dân phố 7",
];
const WARD: &[&str] = &[
    "phường Điện Biên",
    "phường Bến Nghé",
    "xã Mẫu Sơn",
    "phường 3",
    "xã Tân Lập",
    "thị trấn Lộc Bình",
    "phường Hàng Bạc",
    "xã Phú Hòa",
];
const DISTRICT: &[&str] = &[
    "quận Ba Đình",
    "quận 1",
    "huyện Lộc Bình",
    "quận Hoàn Kiếm",
    "huyện Củ Chi",
    "thị xã Sơn Tây",
    "quận Hải Châu",
    "huyện Phú Vang",
];
const PROVINCE: &[&str] = &[
    "Hà Nội",
    "Hồ Chí Minh",
    "Lạng Sơn",
    "Đà Nẵng",
    "Thừa Thiên Huế",
    "Cần Thơ",
    "Nghệ An",
    "Quảng Ninh",
    "Đồng Nai",
];

fn name(r: &mut Mix) -> String {
    format!("{} {} {}", r.pick(FAMILY), r.pick(MIDDLE), r.pick(GIVEN))
}

fn address(r: &mut Mix) -> String {
    format!(
        "Số {} {}, {}, {}, {}",
        1 + r.next() % 300,
        r.pick(STREET),
        r.pick(WARD),
        r.pick(DISTRICT),
        r.pick(PROVINCE)
    )
}

/// The sample input of `kind` ([`KINDS`]) with another synthetic person: name, address, the
/// serial part of the ID number and the document's own number.
fn varied_input(kind: usize, r: &mut Mix) -> (DocType, Json) {
    let (doc_type, mut input) = match kind {
        0 => (DocType::Cccd, giayto_model::sample_input(DocType::Cccd)),
        1 => (DocType::Gplx, giayto_model::sample_input(DocType::Gplx)),
        2 => (
            DocType::Vehicle,
            giayto_model::sample_input(DocType::Vehicle),
        ),
        3 => (DocType::Bhyt, giayto_model::sample_input(DocType::Bhyt)),
        4 => (DocType::Bhxh, giayto_model::sample_input(DocType::Bhxh)),
        5 => (DocType::Cccd, giayto_model::sample_can_cuoc_2024()),
        _ => (
            DocType::Vehicle,
            giayto_model::sample_organisation_vehicle(),
        ),
    };
    let id = format!("{}{}", &giayto_model::SAMPLE_ID_NUMBER[..6], r.digits(6));
    let person = name(r);
    if let Some(map) = input.as_object_mut() {
        for (key, value) in map.iter_mut() {
            let new = match key.as_str() {
                "full_name" | "owner_name" if value != "Công ty TNHH Vận tải Mẫu" => {
                    json!(person)
                }
                "id_number" | "owner_id_number" => json!(id),
                "place_of_residence"
                | "residence"
                | "owner_address"
                | "address"
                | "place_of_origin"
                | "place_of_birth_registration" => json!(address(r)),
                "licence_number" => json!(format!("01{}", r.digits(10))),
                "card_number" | "social_insurance_number" => json!(r.digits(10)),
                "registration_number" => json!(r.digits(6)),
                "plate" => json!(format!("29A-{}.{}", r.digits(3), r.digits(2))),
                "facility_name" => json!(format!("Trạm y tế {}", r.pick(WARD))),
                "office_name" => json!(format!("Bảo hiểm xã hội {}", r.pick(DISTRICT))),
                _ => continue,
            };
            *value = new;
        }
    }
    (doc_type, input)
}

/// The COSE bytes of credential number `seed` of `kind` ([`KINDS`]): a varied synthetic person,
/// its own issuer key (so its own signature), serial, holder key, status index and issue time.
/// `None` if the varied document does not validate (the caller counts those).
pub fn varied_credential(kind: usize, seed: u64) -> Option<Vec<u8>> {
    let mut r = Mix(seed.wrapping_mul(31).wrapping_add(kind as u64));
    let (doc_type, input) = varied_input(kind, &mut r);
    let document = Document::from_json(doc_type, &input).ok()?;
    let issuer = SigningKey::from_bytes(&r.bytes::<32>());
    let holder: [u8; 32] = SigningKey::from_bytes(&r.bytes::<32>())
        .verifying_key()
        .to_bytes();
    let issuer_id = if matches!(doc_type, DocType::Bhyt | DocType::Bhxh) {
        "VN.BHXH"
    } else {
        "VN.BCA.C06"
    };
    let issued_at = AT - (r.next() % (400 * 86_400)) as i64;
    let request = CredentialRequest {
        document: &document,
        serial: r.bytes::<10>().to_vec(),
        issued_at,
        not_before: None,
        expires_at: credential_expiry(&document, issued_at, 1825)?,
        holder_key: Some(holder),
        assurance_level: 2,
        status: Some(StatusRef {
            idx: r.next() % (1 << 20),
            uri: format!("https://giayto.example/st/{issuer_id}/{}", 1 + r.next() % 9),
        }),
    };
    sign_credential(&issuer, issuer_id, &request).ok()
}
