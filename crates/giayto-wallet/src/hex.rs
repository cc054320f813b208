//! The hex helper: serials are shown and matched in lower-case hex.

/// Lower-case hex.
pub fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn lower_case_two_digits_a_byte() {
        assert_eq!(super::hex_lower(&[0x00, 0x0a, 0xff, 0x5A]), "000aff5a");
        assert_eq!(super::hex_lower(&[]), "");
    }
}
