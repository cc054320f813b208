//! The signed status list token (a CWT, `docs/format.md` §9.1–9.2).

use ciborium::value::Value;
use ed25519_dalek::VerifyingKey;
use giayto_cose::cbor::{self, as_i64, as_u64, get_int, get_text};
use giayto_cose::sign1::{self, CoseError, Sign1};
use giayto_cose::{Signer, STATUS_LIST_TYP};

use crate::list::{StatusList, BITS};

/// Largest signed status list token accepted, in bytes. A list of [`crate::MAX_ENTRIES`]
/// entries with every entry different would need 32 MiB before compression; real lists are
/// mostly valid and compress to a small fraction.
pub const MAX_TOKEN_BYTES: usize = 40 * 1024 * 1024;

/// Longest status list uri accepted.
pub const MAX_URI_LEN: usize = 512;

mod label {
    pub const SUB: i64 = 2;
    pub const EXP: i64 = 4;
    pub const IAT: i64 = 6;
    pub const STATUS_LIST: i64 = 65533;
    pub const TTL: i64 = 65534;
}

/// Why a status list or token is not acceptable.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusError {
    /// Not a well-formed status list COSE_Sign1.
    Cose(CoseError),
    /// The signature does not verify.
    BadSignature,
    /// The token is larger than [`MAX_TOKEN_BYTES`].
    TooLarge {
        /// Its size.
        len: usize,
    },
    /// A claim is missing or wrong; `what` names it.
    Claims {
        /// The claim.
        what: &'static str,
    },
    /// The list uses a number of bits per entry other than 2.
    UnsupportedBits {
        /// The number found.
        bits: u64,
    },
    /// The list is shorter than herd privacy needs or longer than the cap.
    BadLength {
        /// Entries it would have.
        entries: u64,
    },
    /// The `lst` is not a valid zlib stream.
    Compression,
    /// Compressing the list into its `lst` failed (when building a token to sign).
    Deflate,
    /// An index past the end of the list.
    IndexOutOfRange {
        /// The index.
        index: u64,
        /// The list's length.
        len: u64,
    },
    /// The signer failed.
    Sign,
}

impl std::fmt::Display for StatusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusError::Cose(e) => write!(f, "status list: {e}"),
            StatusError::BadSignature => write!(f, "status list signature does not verify"),
            StatusError::TooLarge { len } => {
                write!(
                    f,
                    "status list of {len} bytes exceeds {MAX_TOKEN_BYTES} bytes"
                )
            }
            StatusError::Claims { what } => write!(f, "status list: invalid or missing {what}"),
            StatusError::UnsupportedBits { bits } => {
                write!(
                    f,
                    "status list uses {bits} bits per entry; only 2 is supported"
                )
            }
            StatusError::BadLength { entries } => write!(
                f,
                "status list of {entries} entries is outside {}..={}",
                crate::MIN_ENTRIES,
                crate::MAX_ENTRIES
            ),
            StatusError::Compression => write!(f, "status list lst is not a valid zlib stream"),
            StatusError::Deflate => write!(f, "compressing the status list failed"),
            StatusError::IndexOutOfRange { index, len } => {
                write!(f, "status index {index} is past the end of a list of {len}")
            }
            StatusError::Sign => write!(f, "signing the status list failed"),
        }
    }
}

impl std::error::Error for StatusError {}

/// A status list token's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListToken {
    /// `sub`: the list's uri, equal to the `uri` in the credentials that point into it.
    pub uri: String,
    /// `iat`: when the issuer published it, seconds.
    pub issued_at: i64,
    /// `exp`: after this the list is stale, seconds.
    pub expires_at: i64,
    /// `ttl`: how long a verifier may cache it before fetching again, seconds.
    pub ttl: Option<u64>,
    /// The statuses.
    pub list: StatusList,
}

impl StatusListToken {
    /// The CWT claims set, deterministic CBOR. Fails only if compressing the list does
    /// ([`StatusError::Deflate`]).
    pub fn payload(&self) -> Result<Vec<u8>, StatusError> {
        let status_list = cbor::map(vec![
            (Value::Text("bits".into()), u64::from(BITS).into()),
            (
                Value::Text("lst".into()),
                Value::Bytes(self.list.compress()?),
            ),
        ]);
        let mut entries = vec![
            (label::SUB.into(), Value::Text(self.uri.clone())),
            (label::IAT.into(), self.issued_at.into()),
            (label::EXP.into(), self.expires_at.into()),
            (label::STATUS_LIST.into(), status_list),
        ];
        if let Some(ttl) = self.ttl {
            entries.push((label::TTL.into(), ttl.into()));
        }
        Ok(cbor::encode(&cbor::map(entries)))
    }

    /// Sign as a COSE_Sign1 with `typ` `application/statuslist+cwt`.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>, StatusError> {
        sign1::sign(signer, STATUS_LIST_TYP, self.payload()?).map_err(|_| StatusError::Sign)
    }

    /// Parse a claims set (already authenticated by the caller).
    pub fn from_payload(bytes: &[u8]) -> Result<StatusListToken, StatusError> {
        let (header, list) = read_claims(bytes, StatusList::decompress)?;
        Ok(StatusListToken {
            uri: header.uri,
            issued_at: header.issued_at,
            expires_at: header.expires_at,
            ttl: header.ttl,
            list,
        })
    }
}

/// A status list's claims without its statuses: what a verifier files a list under before it
/// has checked the signature or inflated the list (docs/format.md §9.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListHeader {
    /// `sub`: the list's uri.
    pub uri: String,
    /// `iat`, seconds.
    pub issued_at: i64,
    /// `exp`, seconds.
    pub expires_at: i64,
    /// `ttl`, seconds.
    pub ttl: Option<u64>,
}

/// The claims of a status list token: everything but the statuses, and what `lst` gives to
/// `read_list` (the compressed statuses).
fn read_claims<T>(
    bytes: &[u8],
    read_list: impl FnOnce(&[u8]) -> Result<T, StatusError>,
) -> Result<(ListHeader, T), StatusError> {
    let value = cbor::decode_bounded(bytes, MAX_TOKEN_BYTES)
        .map_err(|_| StatusError::Claims { what: "encoding" })?;
    let map = value
        .as_map()
        .ok_or(StatusError::Claims { what: "claims map" })?;
    let claim = |key, what| get_int(map, key).ok_or(StatusError::Claims { what });
    let uri = claim(label::SUB, "sub")?
        .as_text()
        .filter(|t| !t.is_empty() && t.len() <= MAX_URI_LEN)
        .ok_or(StatusError::Claims { what: "sub" })?
        .to_owned();
    let issued_at = as_i64(claim(label::IAT, "iat")?).ok_or(StatusError::Claims { what: "iat" })?;
    let expires_at =
        as_i64(claim(label::EXP, "exp")?).ok_or(StatusError::Claims { what: "exp" })?;
    if expires_at <= issued_at {
        return Err(StatusError::Claims { what: "exp" });
    }
    let ttl = get_int(map, label::TTL)
        .map(|v| as_u64(v).ok_or(StatusError::Claims { what: "ttl" }))
        .transpose()?;
    let sl = claim(label::STATUS_LIST, "status_list")?
        .as_map()
        .ok_or(StatusError::Claims {
            what: "status_list",
        })?;
    let bits = get_text(sl, "bits")
        .and_then(as_u64)
        .ok_or(StatusError::Claims { what: "bits" })?;
    if bits != u64::from(BITS) {
        return Err(StatusError::UnsupportedBits { bits });
    }
    let lst = get_text(sl, "lst")
        .and_then(Value::as_bytes)
        .ok_or(StatusError::Claims { what: "lst" })?;
    let header = ListHeader {
        uri,
        issued_at,
        expires_at,
        ttl,
    };
    Ok((header, read_list(lst)?))
}

/// A structurally valid signed status list whose signature has not been checked yet.
#[derive(Debug, Clone)]
pub struct SignedStatusList {
    signed: Sign1,
}

impl SignedStatusList {
    /// Parse the COSE_Sign1 of a status list token (size, structure, `typ`).
    pub fn parse(bytes: &[u8]) -> Result<SignedStatusList, StatusError> {
        if bytes.len() > MAX_TOKEN_BYTES {
            return Err(StatusError::TooLarge { len: bytes.len() });
        }
        let signed = Sign1::parse_bounded(bytes, STATUS_LIST_TYP, MAX_TOKEN_BYTES)
            .map_err(StatusError::Cose)?;
        Ok(SignedStatusList { signed })
    }

    /// The signer's key id.
    pub fn kid(&self) -> [u8; 8] {
        self.signed.kid()
    }

    /// Check the signature under the issuer's key, then read the claims.
    pub fn verify(&self, key: &VerifyingKey) -> Result<StatusListToken, StatusError> {
        self.signed.verify(key).map_err(|e| match e {
            CoseError::BadSignature => StatusError::BadSignature,
            e => StatusError::Cose(e),
        })?;
        StatusListToken::from_payload(self.signed.payload())
    }

    /// The list's claims (uri, `iat`, `exp`, `ttl`) read **before** the signature is checked
    /// and without inflating the statuses: for filing a list whose check is deferred until a
    /// credential needs it. Nothing read here may be trusted until [`SignedStatusList::verify`]
    /// succeeds.
    pub fn unverified_header(&self) -> Result<ListHeader, StatusError> {
        read_claims(self.signed.payload(), |_| Ok(())).map(|(header, ())| header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;
    use ed25519_dalek::SigningKey;

    fn token() -> StatusListToken {
        let mut list = StatusList::new(crate::MIN_ENTRIES).unwrap();
        list.set(17, Status::Revoked).unwrap();
        list.set(100_000, Status::Suspended).unwrap();
        StatusListToken {
            uri: "https://giayto.example/st/VN.BCA.C06/1".into(),
            issued_at: 1_790_000_000,
            expires_at: 1_790_086_400,
            ttl: Some(43_200),
            list,
        }
    }

    #[test]
    fn sign_verify_round_trip() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let bytes = token().sign(&key).unwrap();
        let signed = SignedStatusList::parse(&bytes).unwrap();
        assert_eq!(
            signed.kid(),
            giayto_cose::kid_for(&key.verifying_key().to_bytes())
        );
        let back = signed.verify(&key.verifying_key()).unwrap();
        assert_eq!(back, token());
        assert_eq!(back.list.get(17), Some(Status::Revoked));
        assert_eq!(back.list.get(100_000), Some(Status::Suspended));
        let other = SigningKey::from_bytes(&[4; 32]);
        assert_eq!(
            signed.verify(&other.verifying_key()),
            Err(StatusError::BadSignature)
        );
    }

    #[test]
    fn every_bit_flip_and_truncation_is_rejected() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let bytes = token().sign(&key).unwrap();
        let check =
            |b: &[u8]| SignedStatusList::parse(b).and_then(|s| s.verify(&key.verifying_key()));
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(check(&flipped).is_err(), "bit {bit} flipped still verifies");
        }
        for len in 0..bytes.len() {
            assert!(check(&bytes[..len]).is_err(), "truncated to {len} verifies");
        }
    }

    #[test]
    fn claims_are_checked() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let lst = token().list.compress().unwrap();
        let payload = |entries: Vec<(Value, Value)>| cbor::encode(&cbor::map(entries));
        let sl = |bits: u64, lst: Vec<u8>| {
            cbor::map(vec![
                (Value::Text("bits".into()), bits.into()),
                (Value::Text("lst".into()), Value::Bytes(lst)),
            ])
        };
        let base = |sl_value: Value, exp: i64| {
            vec![
                (2.into(), Value::Text("https://x.example/1".into())),
                (6.into(), 100.into()),
                (4.into(), exp.into()),
                (65533.into(), sl_value),
            ]
        };
        assert!(StatusListToken::from_payload(&payload(base(sl(2, lst.clone()), 200))).is_ok());
        assert_eq!(
            StatusListToken::from_payload(&payload(base(sl(1, lst.clone()), 200))),
            Err(StatusError::UnsupportedBits { bits: 1 })
        );
        assert_eq!(
            StatusListToken::from_payload(&payload(base(sl(2, lst.clone()), 100))),
            Err(StatusError::Claims { what: "exp" })
        );
        assert_eq!(
            StatusListToken::from_payload(&payload(base(sl(2, b"junk".to_vec()), 200))),
            Err(StatusError::Compression)
        );
        let mut no_sub = base(sl(2, lst), 200);
        no_sub.remove(0);
        assert_eq!(
            StatusListToken::from_payload(&payload(no_sub)),
            Err(StatusError::Claims { what: "sub" })
        );
        // A credential's typ is not a status list.
        let cred = sign1::sign(&key, giayto_cose::CREDENTIAL_TYP, vec![0xa0]).unwrap();
        assert!(matches!(
            SignedStatusList::parse(&cred),
            Err(StatusError::Cose(CoseError::WrongType { .. }))
        ));
    }
}
