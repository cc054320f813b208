//! Status lists for giayto credentials (`docs/format.md` §9), following the IETF OAuth Token Status
//! List draft: a compact array of 2-bit statuses — `0` valid, `1` revoked, `2` suspended, `3`
//! held — one per credential, compressed with zlib and signed by the issuer as a CWT.
//!
//! * [`StatusList`]: the array itself, O(1) look-up and update, the draft's bit order (entry
//!   `i` in bits `2·(i mod 4)` and up of byte `i / 4`, least significant first).
//! * [`StatusListToken`]: the signed CWT (`typ` `application/statuslist+cwt`, claims `2` sub =
//!   the list's uri, `6` iat, `4` exp, `65534` ttl, `65533` `{"bits": 2, "lst": zlib bytes}`).
//! * [`StatusDelta`]: the entries of one list that changed since an earlier one, signed by the
//!   issuer and carried in a `VD1:` QR code, so that a device without a data connection can
//!   bring its list up to date by scanning (`docs/format.md` §9.8).
//! * [`IndexPermutation`]: how an issuer hands out indices at random within a list, so that an
//!   index says nothing about when or in what order credentials were issued.
//!
//! ```
//! use giayto_status::{Status, StatusList, StatusListToken};
//! use ed25519_dalek::SigningKey;
//!
//! let issuer = SigningKey::from_bytes(&[3; 32]);
//! let mut list = StatusList::new(131_072)?;
//! list.set(73_001, Status::Revoked)?;
//! let token = StatusListToken {
//!     uri: "https://giayto.example/st/VN.BCA.C06/1".into(),
//!     issued_at: 1_790_000_000,
//!     expires_at: 1_790_086_400,
//!     ttl: Some(43_200),
//!     list,
//! };
//! let bytes = token.sign(&issuer)?;
//! let back = giayto_status::SignedStatusList::parse(&bytes)?.verify(&issuer.verifying_key())?;
//! assert_eq!(back.list.get(73_001), Some(Status::Revoked));
//! assert_eq!(back.list.get(73_002), Some(Status::Valid));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod delta;
mod list;
mod permutation;
mod token;

pub use delta::{
    decode_changes, encode_changes, from_text as delta_from_text, list_hash,
    to_text as delta_to_text, DeltaBase, DeltaError, SignedStatusDelta, StatusDelta, BASE_HASH_LEN,
    DELTA_PREFIX, MAX_DELTA_BYTES, MAX_DELTA_TEXT,
};
pub use list::{Status, StatusList, BITS, MAX_ENTRIES, MIN_ENTRIES};
pub use permutation::IndexPermutation;
pub use token::{
    ListHeader, SignedStatusList, StatusError, StatusListToken, MAX_TOKEN_BYTES, MAX_URI_LEN,
};
