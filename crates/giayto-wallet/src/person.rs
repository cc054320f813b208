//! A person whose credentials the wallet holds: the holder or a dependent, with the Ed25519 key
//! made for them inside the wallet.

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use crate::{WalletError, MAX_NAME_CHARS};

/// A person whose credentials the wallet holds: the holder or a dependent.
pub struct Person {
    /// Name as the holder typed it.
    pub name: String,
    /// Relationship to the holder (`None` for the holder).
    pub relationship: Option<String>,
    pub(crate) seed: Zeroizing<[u8; 32]>,
    pub(crate) public: [u8; 32],
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("name", &self.name)
            .field("relationship", &self.relationship)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl Person {
    pub(crate) fn new(
        name: &str,
        relationship: Option<&str>,
        seed: Zeroizing<[u8; 32]>,
    ) -> Result<Person, WalletError> {
        let name = clean_name(name)?;
        let relationship = relationship.map(clean_name).transpose()?;
        let public = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        Ok(Person {
            name,
            relationship,
            seed,
            public,
        })
    }

    /// A copy with its own copy of the seed (for a backup).
    pub(crate) fn duplicate(&self) -> Person {
        Person {
            name: self.name.clone(),
            relationship: self.relationship.clone(),
            seed: self.seed.clone(),
            public: self.public,
        }
    }

    /// The person's raw Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }

    /// The public key as PEM (SubjectPublicKeyInfo), for `giayto issue --holder-pub`.
    pub fn public_key_pem(&self) -> Result<String, WalletError> {
        self.signing_key()
            .verifying_key()
            .to_public_key_pem(Default::default())
            .map_err(|_| WalletError::Encode { what: "public key" })
    }

    /// Whether this is the wallet's holder.
    pub fn is_holder(&self) -> bool {
        self.relationship.is_none()
    }

    pub(crate) fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.seed)
    }
}

/// A name or relationship, trimmed: 1 to [`MAX_NAME_CHARS`] characters, no control characters.
fn clean_name(s: &str) -> Result<String, WalletError> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 || n > MAX_NAME_CHARS || t.chars().any(char::is_control) {
        return Err(WalletError::BadName);
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        let seed = || Zeroizing::new([7u8; 32]);
        let p = Person::new("  Trần Thị Mai ", Some(" con "), seed()).unwrap();
        assert_eq!(p.name, "Trần Thị Mai");
        assert_eq!(p.relationship.as_deref(), Some("con"));
        assert!(!p.is_holder());
        for bad in ["", "   ", "a\nb", &"x".repeat(MAX_NAME_CHARS + 1)] {
            assert!(matches!(
                Person::new(bad, None, seed()),
                Err(WalletError::BadName)
            ));
        }
    }

    #[test]
    fn the_pem_is_the_public_key() {
        let p = Person::new("An", None, Zeroizing::new([9u8; 32])).unwrap();
        let pem = p.public_key_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
        assert_eq!(
            p.public_key(),
            SigningKey::from_bytes(&[9u8; 32])
                .verifying_key()
                .to_bytes()
        );
        // Debug shows no seed.
        assert!(!format!("{p:?}").contains("seed"));
    }
}
