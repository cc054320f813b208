//! The one error type of the wallet.

use std::path::PathBuf;

use crate::password::PasswordProblem;

/// Why a wallet operation failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum WalletError {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A wallet already exists there.
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a giayto wallet (or is damaged).
    Format {
        /// What part is wrong.
        what: &'static str,
    },
    /// The password does not open the wallet.
    WrongPassword,
    /// The passcode does not open the wallet; `remaining` more tries before it stops working.
    WrongPasscode {
        /// Tries left.
        remaining: u32,
    },
    /// Too soon after wrong passcodes: try again in this many seconds.
    PasscodeWait {
        /// Seconds to wait.
        seconds: i64,
    },
    /// The passcode cannot open this wallet now (locked, too many wrong tries, or the device
    /// secret is missing): use the password.
    PasscodeUnavailable,
    /// The wallet is locked: unlock it with the password first.
    Locked,
    /// This operation needs the password, not the passcode.
    PasswordRequired,
    /// A new password breaks these rules.
    WeakPassword(Vec<PasswordProblem>),
    /// A passcode is not six digits. When opening a wallet this is not counted as a wrong try
    /// and changes nothing on disk.
    BadPasscodeFormat,
    /// The system random number generator failed.
    Random,
    /// Encrypting (XChaCha20-Poly1305) failed; nothing was written.
    Seal,
    /// A value could not be encoded (CBOR or PEM); nothing was written.
    Encode {
        /// What was being encoded.
        what: &'static str,
    },
    /// Signing a presentation failed.
    Sign,
    /// A name or relationship is empty or too long.
    BadName,
    /// A person of that name is already in the wallet.
    PersonExists,
    /// No person of that name.
    NoSuchPerson(String),
    /// Too many dependents or credentials.
    Full,
    /// The credential cannot be parsed.
    Credential,
    /// The credential is bound to no holder key.
    NotBound,
    /// The credential is bound to a key of no one in this wallet.
    OtherHolder,
    /// The credential is already in the wallet.
    Duplicate,
    /// No stored credential matches.
    NoSuchCredential,
    /// Several stored credentials match; say which.
    Ambiguous,
    /// A nonce of more than 64 bytes, or empty.
    BadNonce,
    /// The selective-disclosure copy is not the one issued with this credential (another
    /// credential's, another issuer's signature, or openings that disagree with the card).
    SdMismatch,
    /// The credential has no selective-disclosure copy in the wallet: only the whole card
    /// can be shown.
    NoSdCopy,
    /// Not the name of a field of this document type (docs/format.md §4).
    UnknownField(String),
    /// A field of the document type that this card does not have.
    FieldAbsent(String),
    /// The credential carries no `age_over_NN` attestation at or above this age.
    NoAgePredicate(u8),
    /// The attestation that would answer this age is false: the holder cannot prove it.
    AgeNotReached(u8),
    /// Nothing was chosen to share.
    NothingToDisclose,
    /// Every one-time copy of the credential has been shown (or has expired): a selective
    /// presentation would have to show one again, which links the two. The issuer can sign
    /// new copies for new one-time keys (docs/wallet.md, "When copies run low").
    NoCopiesLeft,
    /// A one-time copy is bound to a key this wallet did not make for the credential's person
    /// (`wallet keys`), or whose copy it already holds.
    CopyKeyUnknown,
    /// One-time keys are made 1 to `max` at a time.
    CopyCount {
        /// The most at once.
        max: usize,
    },
    /// A verifier's request (docs/format.md §15) breaks the bounds of the format.
    Request(giayto_cose::request::RequestError),
    /// A verifier's request is not open now: it has expired, or its time lies ahead of this
    /// device's clock by more than the allowed skew. Nothing is signed.
    RequestClosed,
    /// A verifier's request requires items this credential cannot answer (the items named);
    /// nothing is signed: the verifier would refuse a partial answer.
    RequestUnanswerable(Vec<String>),
    /// An issued mdoc (ISO 18013-5, docs/format.md §17) cannot be presented: it is not one, its
    /// device key is not the one given, or an element asked for is not in it.
    Mdoc(String),
}

impl std::fmt::Display for WalletError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalletError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            WalletError::Exists { path } => write!(f, "{} already exists", path.display()),
            WalletError::Format { what } => write!(f, "not a giayto wallet ({what})"),
            WalletError::WrongPassword => write!(f, "wrong password"),
            WalletError::WrongPasscode { remaining } => {
                write!(f, "wrong passcode, {remaining} tries left")
            }
            WalletError::PasscodeWait { seconds } => write!(f, "try again in {seconds} s"),
            WalletError::PasscodeUnavailable => write!(f, "the passcode cannot open this wallet"),
            WalletError::Locked => write!(f, "the wallet is locked"),
            WalletError::PasswordRequired => write!(f, "this needs the password"),
            WalletError::WeakPassword(p) => write!(
                f,
                "password breaks rules: {}",
                p.iter().map(|p| p.code()).collect::<Vec<_>>().join(", ")
            ),
            WalletError::BadPasscodeFormat => write!(f, "a passcode is 6 digits"),
            WalletError::Random => write!(f, "the random number generator failed"),
            WalletError::Seal => write!(f, "encryption failed"),
            WalletError::Encode { what } => write!(f, "could not encode the {what}"),
            WalletError::Sign => write!(f, "signing failed"),
            WalletError::BadName => write!(f, "empty or too long name"),
            WalletError::PersonExists => write!(f, "a person of that name exists"),
            WalletError::NoSuchPerson(n) => write!(f, "no person named {n}"),
            WalletError::Full => write!(f, "the wallet is full"),
            WalletError::Credential => write!(f, "not a credential"),
            WalletError::NotBound => write!(f, "the credential is bound to no holder key"),
            WalletError::OtherHolder => write!(f, "the credential belongs to another holder"),
            WalletError::Duplicate => write!(f, "the credential is already in the wallet"),
            WalletError::NoSuchCredential => write!(f, "no such credential"),
            WalletError::Ambiguous => write!(f, "several credentials match"),
            WalletError::BadNonce => write!(f, "a nonce is 1 to 64 bytes"),
            WalletError::SdMismatch => {
                write!(
                    f,
                    "the selective-disclosure copy does not match the credential"
                )
            }
            WalletError::NoSdCopy => write!(f, "the credential has no selective-disclosure copy"),
            WalletError::UnknownField(n) => write!(f, "no field named {n}"),
            WalletError::FieldAbsent(n) => write!(f, "the document has no {n}"),
            WalletError::NoAgePredicate(nn) => write!(f, "no age attestation at or above {nn}"),
            WalletError::AgeNotReached(nn) => write!(f, "age {nn} cannot be proven"),
            WalletError::NothingToDisclose => write!(f, "nothing chosen to share"),
            WalletError::NoCopiesLeft => write!(f, "no one-time copy left"),
            WalletError::CopyKeyUnknown => {
                write!(
                    f,
                    "a one-time copy is bound to a key this wallet did not make"
                )
            }
            WalletError::CopyCount { max } => {
                write!(f, "one-time keys are made 1 to {max} at a time")
            }
            WalletError::Request(e) => write!(f, "{e}"),
            WalletError::RequestClosed => write!(f, "the request is not open now"),
            WalletError::RequestUnanswerable(items) => {
                write!(
                    f,
                    "the request requires {}, which cannot be answered",
                    items.join(", ")
                )
            }
            WalletError::Mdoc(d) => write!(f, "mdoc: {d}"),
        }
    }
}

impl std::error::Error for WalletError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WalletError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
