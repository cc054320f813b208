//! The holder's wallet: credentials of the holder and their dependents, in one encrypted file,
//! and the holder-bound presentations (`VP1:`) made from them.
//!
//! * The file is encrypted with XChaCha20-Poly1305 under a random data key. The data key is
//!   wrapped twice: under an Argon2id key from the password (8–20 characters, digit, upper,
//!   lower, special), and under an Argon2id key from the 6-digit passcode keyed with a device
//!   secret kept in a separate file, so the wallet file alone gives no way to try passcodes.
//! * Wrong passcodes are counted in the file; each one makes the next try wait longer, and the
//!   fifth erases the passcode's key slot, after which only the password opens the wallet.
//! * `lock` erases the passcode slot and sets a flag: a locked wallet shows and presents
//!   nothing until `unlock` with the password puts the slot back (its copy lives inside the
//!   encrypted body).
//! * Each person (the holder, each dependent) has an Ed25519 key made inside the wallet; a
//!   credential is stored under the person whose key its `cnf` names, and presented by signing
//!   `{1: credential, 2: iat, 3: nonce}` with that key.
//! * A credential may carry its selective-disclosure copy (docs/format.md §14): the holder
//!   then shows only chosen fields or an `age_over_NN` attestation (`{…, 4: disclosures}`),
//!   or answers a verifier's request (`VR1:`, §15) with what the holder confirms of it
//!   (`{…, 3: its nonce, 4: disclosures, 5: its hash}`).
//! * Or one-time copies (docs/decisions.md D110, D112): each bound to a key the wallet made for
//!   it alone, each shown once, so that verifiers who pool what they saw cannot link the
//!   holder's presentations.
//!
//! * An ISO 18013-5 mobile driving licence (docs/format.md §17) is answered with a device
//!   response for a reader's session transcript ([`mdoc::device_response`]).
//!
//! See `docs/wallet.md` for what an attacker with the file can and cannot do.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod answer;
mod codec;
mod copies;
mod envelope;
mod error;
mod hex;
pub mod mdoc;
pub mod password;
mod person;
mod presenter;
mod sd;
pub mod storage;
mod wallet;

pub use answer::{AnswerPlan, ItemAnswer, RequestItem, REQUEST_SKEW};
pub use copies::{COPIES_LOW, MAX_HELD_COPIES, MAX_PENDING_KEYS};
pub use envelope::{KdfParams, MAX_WALLET_BYTES};
pub use error::WalletError;
pub use hex::hex_lower;
pub use password::{check_password, passcode_ok, PasswordProblem};
pub use person::Person;
pub use presenter::Presenter;
pub use sd::Selected;
pub use wallet::{status, Status, StoredCredential, Unlock, Wallet};

/// Wrong passcodes in a row after which the passcode stops working until the password is used.
pub const MAX_PASSCODE_ATTEMPTS: u32 = 5;
/// Longest name or relationship, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Most dependents in one wallet.
pub const MAX_DEPENDENTS: usize = 32;
/// Most credentials in one wallet.
pub const MAX_CREDENTIALS: usize = 512;

/// Seconds to wait before the next passcode try after `failures` wrong ones in a row.
pub fn passcode_delay(failures: u32) -> i64 {
    match failures {
        0 | 1 => 0,
        n => 30 * (1i64 << (n - 2).min(10)),
    }
}
