//! Forms filled from a scan: a form description (JSON, docs/forms.md) says what each field of
//! a paper form asks for, which credential field or predicate feeds it and how it is written;
//! [`fill`] writes the values of credentials that verified valid into it, and says which fields
//! no credential could fill and why.
//!
//! Only a [`giayto_verify::VerifiedCredential`] can fill a form — a type only `giayto-verify`
//! builds, after every check — so an invalid credential fills nothing; a selective-disclosure
//! presentation fills only what the holder disclosed. With the feature `pdf`, [`pdf::render`]
//! draws the filled form as a printable A4 page.
//!
//! ```
//! use giayto_forms::{Form, Unfilled};
//!
//! let form = Form::from_slice(r#"{
//!   "giayto_form": 1, "id": "demo",
//!   "title": {"vi": "Phiếu mẫu", "en": "Sample form"},
//!   "fields": [
//!     {"id": "name", "label": {"vi": "Họ và tên", "en": "Full name"},
//!      "source": ["cccd.full_name", "gplx.full_name"], "format": "upper"},
//!     {"id": "room", "label": {"vi": "Số phòng", "en": "Room"}}
//!   ]}"#.as_bytes())?;
//! // Without a verified credential nothing is filled, and each field says why.
//! let filled = giayto_forms::fill(&form, &[], 1_790_000_000)?;
//! assert_eq!(filled.fields[0].unfilled, Some(Unfilled::NoCredential));
//! assert_eq!(filled.fields[1].unfilled, Some(Unfilled::Manual));
//!
//! // A form file that names a field no document has is refused, with where and why.
//! let bad = br#"{"giayto_form": 1, "id": "x", "title": {"vi": "X", "en": "X"},
//!   "fields": [{"id": "a", "label": {"vi": "A", "en": "A"}, "source": "cccd.fullname"}]}"#;
//! let err = Form::from_slice(bad).unwrap_err();
//! assert_eq!(err.code(), "unknown_source");
//! assert_eq!(err.to_string(), "fields[0].source: unknown source cccd.fullname");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod address;
mod fill;
#[cfg(feature = "pdf")]
pub mod pdf;
mod spec;

pub use address::{split_address, SplitAddress};
pub use fill::{fill, FillError, FilledField, FilledForm, Unfilled};
pub use spec::{
    AddressPart, Bilingual, Form, FormError, FormField, Format, Source, FORM_VERSION, MAX_FIELDS,
    MAX_FORM_BYTES, MAX_SOURCES,
};
