//! No code: `tests/header.rs` checks the committed C header of `giayto-verify-ffi`.
//! `GIAYTO_BLESS=1 cargo test -p giayto-ffi-header` rewrites it.
