//! Varied synthetic people for end-to-end benchmarks (`issue-batch` on a million rows): every
//! row a different, valid, unexpired CCCD — name, personal ID number, dates, sex, place of
//! origin and residence drawn from a seeded generator — so that compression, validation and
//! the registry's holder index see what a real batch gives them, not copies of one document.
//! Names and places are assembled from common words; no row is a real person's.

use giayto_model::{cccd_expiry, CardExpiry, CardGeneration, Date};
use serde_json::{json, Value};

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Mai", "Trịnh", "Lương", "Tạ", "Hà", "Lâm",
];
const MIDDLE_M: &[&str] = &[
    "Văn", "Hữu", "Đức", "Minh", "Quang", "Thành", "Công", "Xuân", "Ngọc",
];
const MIDDLE_F: &[&str] = &[
    "Thị", "Ngọc", "Thu", "Thanh", "Mai", "Kim", "Bích", "Diệu", "Hồng",
];
const GIVEN_M: &[&str] = &[
    "An", "Bảo", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Khang", "Khoa",
    "Long", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Tiến", "Toàn",
    "Trung", "Tuấn", "Việt", "Vinh",
];
const GIVEN_F: &[&str] = &[
    "Anh", "Ánh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh",
    "Loan", "Mai", "My", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Tuyết",
    "Uyên", "Vân", "Yến",
];
const PLACE: &[&str] = &[
    "An Bình",
    "Bình Minh",
    "Cẩm Phú",
    "Đông Hòa",
    "Hòa Lợi",
    "Hưng Thịnh",
    "Kim Sơn",
    "Long Hưng",
    "Mỹ Lộc",
    "Nam Phong",
    "Phú Lâm",
    "Quảng Tân",
    "Tân Lập",
    "Thạch Bàn",
    "Thanh Xuân",
    "Tiên Lữ",
    "Trung Sơn",
    "Vĩnh Phúc",
    "Xuân Đỉnh",
    "Yên Hòa",
];
const STREET: &[&str] = &[
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Quang Trung",
    "Phan Chu Trinh",
    "Nguyễn Du",
    "Bà Triệu",
    "Điện Biên Phủ",
    "Hùng Vương",
    "Lê Duẩn",
];

/// A small seeded generator (SplitMix64): the same seed gives the same people on every machine.
#[derive(Debug, Clone)]
pub struct People {
    state: u64,
}

impl People {
    /// People from `seed`.
    pub fn new(seed: u64) -> People {
        People { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }

    fn date(&mut self, from_year: i32, years: u64) -> Date {
        let year = from_year + self.below(years) as i32;
        let day = 1 + self.below(365) as u16;
        Date::from_ordinal_date(year, day).expect("day 1..=365 exists every year")
    }

    /// The next person's CCCD (2021 card) as `issue-batch` input: valid, and unexpired until at
    /// least 2028. Row `n` has a personal ID number no other row below 10^6 has.
    pub fn cccd(&mut self, n: u64) -> Value {
        let female = self.below(2) == 1;
        let (middle, given) = if female {
            (MIDDLE_F, GIVEN_F)
        } else {
            (MIDDLE_M, GIVEN_M)
        };
        let name = format!(
            "{} {} {}",
            self.pick(FAMILY),
            self.pick(middle),
            self.pick(given)
        );
        let provinces = giayto_model::personal_id::PROVINCES;
        let (province, province_name) = provinces[self.below(provinces.len() as u64) as usize];
        let cutoff = Date::from_calendar_date(2028, time_month(1), 1).expect("a date");
        let (dob, issue, expiry) = loop {
            // Ages at issue where the card runs past 2028: 26–37 (renewed at 40), 40–55 (at 60)
            // or 58 and over (no expiry).
            let dob = match self.below(3) {
                0 => self.date(1950, 14),
                1 => self.date(1970, 11),
                _ => self.date(1988, 8),
            };
            let issue = self.date(2021, 5);
            match cccd_expiry(CardGeneration::Cccd2021, dob, issue) {
                CardExpiry::NoExpiry => break (dob, issue, None),
                CardExpiry::Until(d) if d >= cutoff => break (dob, issue, Some(d)),
                CardExpiry::Until(_) => continue,
            }
        };
        let century = if dob.year() < 2000 { 0 } else { 2 };
        let id_number = format!(
            "{province:03}{}{:02}{:06}",
            century + u8::from(female),
            dob.year() % 100,
            n % 1_000_000
        );
        let origin = format!(
            "Xã {}, huyện {}, {province_name}",
            self.pick(PLACE),
            self.pick(PLACE)
        );
        let residence = format!(
            "Số {} đường {}, phường {}, {}",
            1 + self.below(300),
            self.pick(STREET),
            self.pick(PLACE),
            provinces[self.below(provinces.len() as u64) as usize].1
        );
        let mut row = json!({
            "card_generation": "cccd_2021",
            "id_number": id_number,
            "full_name": name,
            "date_of_birth": dob.to_string(),
            "sex": if female { "female" } else { "male" },
            "nationality": "VNM",
            "place_of_origin": origin,
            "place_of_residence": residence,
            "issue_date": issue.to_string(),
            "expiry_date": expiry.map_or(Value::Null, |d| Value::String(d.to_string())),
        });
        if let (None, Some(fields)) = (expiry, row.as_object_mut()) {
            fields.remove("expiry_date");
        }
        row
    }

    /// `rows` CCCD rows as JSON lines, from row 0.
    pub fn cccd_jsonl(&mut self, rows: u64, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for n in 0..rows {
            serde_json::to_writer(&mut *out, &self.cccd(n))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

fn time_month(m: u8) -> time::Month {
    time::Month::try_from(m).expect("1..=12")
}

#[cfg(test)]
mod tests {
    use super::*;
    use giayto_model::{DocType, Document};

    /// Every generated row is a valid CCCD, the rows differ, and one seed gives one sequence.
    #[test]
    fn rows_are_valid_varied_and_reproducible() {
        let mut people = People::new(7);
        let rows: Vec<Value> = (0..2000).map(|n| people.cccd(n)).collect();
        for row in &rows {
            Document::from_json(DocType::Cccd, row).unwrap_or_else(|e| panic!("{row}: {e}"));
        }
        let names: std::collections::HashSet<&str> = rows
            .iter()
            .filter_map(|r| r["full_name"].as_str())
            .collect();
        assert!(names.len() > 500, "{} names", names.len());
        let ids: std::collections::HashSet<&str> = rows
            .iter()
            .filter_map(|r| r["id_number"].as_str())
            .collect();
        assert_eq!(ids.len(), rows.len());
        assert_eq!(People::new(7).cccd(0), rows[0]);
        assert_ne!(People::new(8).cccd(0), rows[0]);
    }
}
