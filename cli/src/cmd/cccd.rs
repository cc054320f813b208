//! `giayto cccd parse`: the chip ID card's own (unsigned) QR text.

use super::print_json;
use crate::failure::{CmdResult, Failure, EXIT_OK};
use crate::Out;

pub fn parse(text: &str, _out: Out) -> CmdResult {
    let value = giayto_model::parse_card_qr(text)
        .map_err(|e| Failure::new("error-card-qr").arg("detail", e))?;
    print_json(&value);
    Ok(EXIT_OK)
}
