//! One-time selective-disclosure copies on the command line (docs/decisions.md D110–D113): the
//! file of one-time public keys a wallet hands the issuer (`wallet keys --out`, `issue
//! --holder-pubs`), and the checks both `issue` and `issue-batch` make of those keys.

use std::path::Path;

use giayto_cose::copies::MAX_COPIES;

use crate::failure::Failure;
use crate::input::read_file;

/// Largest key file read: 100 PEM public keys are about 11 KiB.
const MAX_KEYS_FILE: u64 = 256 * 1024;
const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const END: &str = "-----END PUBLIC KEY-----";

/// The PEM text of public keys, one after another (what `wallet keys --out` writes).
pub fn keys_pem(keys: &[[u8; 32]]) -> Option<String> {
    use ed25519_dalek::pkcs8::EncodePublicKey;
    keys.iter()
        .map(|k| {
            ed25519_dalek::VerifyingKey::from_bytes(k)
                .ok()?
                .to_public_key_pem(Default::default())
                .ok()
        })
        .collect()
}

/// Parse PEM public keys, one after another with only white space around them: `None` when
/// anything else is there, a block is no Ed25519 public key, or there is none.
pub fn parse_keys_pem(text: &str) -> Option<Vec<[u8; 32]>> {
    let mut keys = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        if !rest.starts_with(BEGIN) {
            return None;
        }
        let end = rest.find(END)? + END.len();
        keys.push(giayto_trust::keys::parse_public_key(&rest[..end])?.to_bytes());
        rest = rest[end..].trim_start();
        if keys.len() > MAX_COPIES {
            return None;
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// Read the one-time public keys of `--holder-pubs FILE`: exactly `copies` of them, no key twice
/// and none equal to `holder` (the full credential's key).
pub fn read_holder_pubs(
    path: &Path,
    copies: u32,
    holder: Option<&[u8; 32]>,
) -> Result<Vec<[u8; 32]>, Failure> {
    let bytes = read_file(path, MAX_KEYS_FILE)?;
    let keys = std::str::from_utf8(&bytes)
        .ok()
        .and_then(parse_keys_pem)
        .ok_or_else(|| Failure::new("issue-error-holder-pubs").arg("path", path.display()))?;
    if keys.len() != copies as usize {
        return Err(Failure::new("issue-error-copies-count")
            .arg("path", path.display())
            .arg("count", keys.len())
            .arg("copies", copies));
    }
    check_distinct(&keys, holder)?;
    Ok(keys)
}

/// Every one-time key used once, and none the full credential's own.
pub fn check_distinct(keys: &[[u8; 32]], holder: Option<&[u8; 32]>) -> Result<(), Failure> {
    for (i, key) in keys.iter().enumerate() {
        if keys[..i].contains(key) || holder == Some(key) {
            return Err(Failure::new("error-repeated-holder-key"));
        }
    }
    Ok(())
}

/// Check `--copies N`: 1 to [`MAX_COPIES`].
pub fn check_count(copies: u32) -> Result<u32, Failure> {
    if (1..=MAX_COPIES as u32).contains(&copies) {
        Ok(copies)
    } else {
        Err(Failure::new("issue-error-copies-range")
            .arg("value", copies)
            .arg("max", MAX_COPIES))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> [u8; 32] {
        ed25519_dalek::SigningKey::from_bytes(&[n; 32])
            .verifying_key()
            .to_bytes()
    }

    #[test]
    fn keys_round_trip_through_pem_and_anything_else_is_refused() {
        let keys = vec![key(1), key(2), key(3)];
        let pem = keys_pem(&keys).unwrap();
        assert_eq!(pem.matches(BEGIN).count(), 3);
        assert_eq!(parse_keys_pem(&pem), Some(keys.clone()));
        assert_eq!(parse_keys_pem(&format!("\n  {pem}\n\n")), Some(keys));
        for bad in [
            String::new(),
            "  \n".into(),
            format!("junk\n{pem}"),
            format!("{pem}junk"),
            pem.replace("-----END PUBLIC KEY-----", ""),
            pem.replacen("MC", "XX", 1),
        ] {
            assert_eq!(parse_keys_pem(&bad), None, "{bad}");
        }
        let many = keys_pem(&vec![key(1); MAX_COPIES + 1]).unwrap();
        assert_eq!(parse_keys_pem(&many), None);
    }

    #[test]
    fn a_key_twice_or_the_holders_own_is_refused() {
        assert!(check_distinct(&[key(1), key(2)], Some(&key(3))).is_ok());
        assert!(check_distinct(&[key(1), key(1)], None).is_err());
        assert!(check_distinct(&[key(1), key(2)], Some(&key(2))).is_err());
        assert!(check_count(0).is_err());
        assert!(check_count(101).is_err());
        assert_eq!(check_count(100).unwrap(), 100);
    }
}
