//! Small types shared by several documents: sex, card generation, portraits.

use std::fmt;

use crate::error::FieldErrorKind;

/// Sex as printed on Vietnamese documents (Nam / Nữ). CBOR: `1` male, `2` female (ISO/IEC 5218).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Nam.
    Male,
    /// Nữ.
    Female,
}

impl Sex {
    /// `"male"` or `"female"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// CBOR code: 1 male, 2 female.
    pub fn code(self) -> u64 {
        match self {
            Sex::Male => 1,
            Sex::Female => 2,
        }
    }

    pub(crate) const TABLE: [(&'static str, u64); 2] = [("male", 1), ("female", 2)];

    pub(crate) fn from_code(code: u64) -> Option<Sex> {
        match code {
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => None,
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which identity card: the 2021 chip CCCD or the 2024 thẻ căn cước (Identity Law 2023).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CardGeneration {
    /// Chip citizen identity card (căn cước công dân gắn chip), issued 2021 – 30 June 2024:
    /// shows place of origin (quê quán) and place of permanent residence.
    #[default]
    Cccd2021,
    /// Identity card (thẻ căn cước) under the Identity Law 2023, issued from 1 July 2024:
    /// shows place of birth registration (nơi đăng ký khai sinh) and place of residence.
    CanCuoc2024,
}

impl CardGeneration {
    /// `"cccd_2021"` or `"can_cuoc_2024"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CardGeneration::Cccd2021 => "cccd_2021",
            CardGeneration::CanCuoc2024 => "can_cuoc_2024",
        }
    }

    /// CBOR code: 1 for 2021, 2 for 2024.
    pub fn code(self) -> u64 {
        match self {
            CardGeneration::Cccd2021 => 1,
            CardGeneration::CanCuoc2024 => 2,
        }
    }

    pub(crate) const TABLE: [(&'static str, u64); 2] = [("cccd_2021", 1), ("can_cuoc_2024", 2)];

    pub(crate) fn from_code(code: u64) -> Option<CardGeneration> {
        match code {
            1 => Some(CardGeneration::Cccd2021),
            2 => Some(CardGeneration::CanCuoc2024),
            _ => None,
        }
    }

    /// The renewal ages of this generation: 25, 40, 60 for 2021 cards (Law on Citizen
    /// Identification 2014, art. 21); 14, 25, 40, 60 for 2024 cards (Identity Law 2023, art. 21).
    pub fn renewal_ages(self) -> &'static [i32] {
        match self {
            CardGeneration::Cccd2021 => &[25, 40, 60],
            CardGeneration::CanCuoc2024 => &[14, 25, 40, 60],
        }
    }
}

impl fmt::Display for CardGeneration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Largest portrait accepted, in bytes.
pub const MAX_PORTRAIT_BYTES: usize = 1500;

/// Image formats accepted for portraits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// WebP (`RIFF....WEBP`).
    Webp,
}

impl ImageFormat {
    /// Recognises JPEG or WebP by magic bytes.
    pub fn detect(bytes: &[u8]) -> Option<ImageFormat> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if bytes.len() >= 12
            && bytes.starts_with(b"RIFF")
            && bytes.get(8..12) == Some(b"WEBP")
        {
            Some(ImageFormat::Webp)
        } else {
            None
        }
    }

    /// MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
        }
    }
}

pub(crate) fn check_portrait(bytes: &[u8]) -> Result<ImageFormat, FieldErrorKind> {
    if bytes.len() > MAX_PORTRAIT_BYTES {
        return Err(FieldErrorKind::ImageTooLarge {
            max: MAX_PORTRAIT_BYTES,
            size: bytes.len(),
        });
    }
    ImageFormat::detect(bytes).ok_or(FieldErrorKind::UnsupportedImageFormat)
}

/// Maximum length of a person's name.
pub const MAX_NAME: usize = 100;
/// Maximum length of an address or place.
pub const MAX_ADDRESS: usize = 200;
/// Maximum length of an authority or facility name.
pub const MAX_AUTHORITY: usize = 200;
/// Maximum length of short descriptive texts (vehicle type, brand, model, colour).
pub const MAX_SHORT: usize = 50;
