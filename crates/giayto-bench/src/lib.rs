//! Fixtures shared by the benchmarks (`cargo bench -p giayto-bench`) and their tests: the
//! test-vector root and issuer keys, a signed trust list, the issuer's signed status list, and
//! a typical CCCD credential bound to a holder key with an entry in that list.
//!
//! Also [`paired_ratio`], the same-run comparison every ratio in docs/performance.md comes
//! from: the two operations alternate in short batches so that both see the same machine load,
//! and the ratio is that of their medians.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod people;

use std::hint::black_box;
use std::time::{Duration, Instant};

use ciborium::value::Value;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use giayto_cose::claims::StatusRef;
use giayto_cose::{cbor, sign1, text};
use giayto_issuer::credential::{credential_expiry, credential_text, sign_credential};
use giayto_issuer::CredentialRequest;
use giayto_model::{DocType, Document};
use giayto_status::{Status, StatusList, StatusListToken};
use giayto_vectors::{seeds, AT};
use giayto_verify::Verifier;

pub mod encode;

/// Everything a verify or issue benchmark needs.
pub struct Fixture {
    /// The issuer's key (`VN.BCA.C06`).
    pub issuer: SigningKey,
    /// The issuer id.
    pub issuer_id: &'static str,
    /// The signed trust list.
    pub trust_list: Vec<u8>,
    /// A verifier with the test-vector root pinned.
    pub verifier: Verifier,
    /// A typical CCCD document.
    pub document: Document,
    /// The credential's COSE bytes.
    pub cose: Vec<u8>,
    /// Its `VN1:` text.
    pub text: String,
    /// The bytes the signature covers (the COSE Sig_structure).
    pub signed_message: Vec<u8>,
    /// The signature.
    pub signature: Signature,
    /// The verification time.
    pub at: i64,
}

impl Fixture {
    /// Build the fixture.
    pub fn new() -> Fixture {
        let root = SigningKey::from_bytes(&seeds::ROOT);
        let issuer = SigningKey::from_bytes(&seeds::POLICE);
        let trust_list = giayto_vectors::trust_list()
            .sign(&root)
            .expect("trust list signs");
        let mut verifier = Verifier::new(root.verifying_key(), &trust_list).expect("trust list");
        verifier
            .add_status_list(&status_list(&issuer))
            .expect("status list loads");
        let document =
            Document::from_json(DocType::Cccd, &giayto_model::sample_input(DocType::Cccd))
                .expect("sample CCCD");
        let cose = sign_credential(&issuer, "VN.BCA.C06", &request(&document, AT - 86_400))
            .expect("signs");
        let text = credential_text(&cose);
        let (signed_message, signature) = sig_structure(&cose);
        Fixture {
            issuer,
            issuer_id: "VN.BCA.C06",
            trust_list,
            verifier,
            document,
            cose,
            text,
            signed_message,
            signature,
            at: AT,
        }
    }

    /// The issuer's public key.
    pub fn issuer_public(&self) -> VerifyingKey {
        self.issuer.verifying_key()
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

/// Status list uri and index of the typical credential.
pub const STATUS_URI: &str = "https://giayto.example/st/VN.BCA.C06/1";
/// Its index in the list.
pub const STATUS_INDEX: u64 = 73_214;

/// The issuer's signed status list: the minimum (herd-privacy) size of 131,072 entries, a
/// few of them revoked or suspended, the fixture's own entry valid.
pub fn status_list(issuer: &SigningKey) -> Vec<u8> {
    let mut list = StatusList::new(giayto_status::MIN_ENTRIES).expect("minimum size");
    for (i, index) in [7u64, 1_337, 99_999, 120_001].into_iter().enumerate() {
        let status = if i % 2 == 0 {
            Status::Revoked
        } else {
            Status::Suspended
        };
        list.set(index, status).expect("in range");
    }
    StatusListToken {
        uri: STATUS_URI.into(),
        issued_at: AT - 86_400,
        expires_at: AT + 6 * 86_400,
        ttl: Some(86_400),
        list,
    }
    .sign(issuer)
    .expect("signs")
}

/// The request of the typical credential: CCCD, holder key, status list entry, level 2,
/// 10-byte serial.
pub fn request(document: &Document, issued_at: i64) -> CredentialRequest<'_> {
    // The holder's public key arrives as bytes (`issue --holder-pub`); deriving it from the
    // seed is a scalar multiplication, as costly as the signature itself, so it is done once.
    static HOLDER_PUBLIC: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    let holder_key = *HOLDER_PUBLIC.get_or_init(|| {
        SigningKey::from_bytes(&seeds::HOLDER)
            .verifying_key()
            .to_bytes()
    });
    CredentialRequest {
        document,
        serial: vec![0x5A; 10],
        issued_at,
        not_before: None,
        expires_at: credential_expiry(document, issued_at, 1825).expect("not expired"),
        holder_key: Some(holder_key),
        assurance_level: 2,
        status: Some(StatusRef {
            idx: STATUS_INDEX,
            uri: STATUS_URI.into(),
        }),
    }
}

/// The Sig_structure `["Signature1", protected, h'', payload]` and the signature of a COSE_Sign1,
/// rebuilt here from the wire bytes (independently of the library's own code path).
pub fn sig_structure(cose: &[u8]) -> (Vec<u8>, Signature) {
    let Ok(Value::Tag(18, inner)) = cbor::decode(cose) else {
        panic!("not a tagged COSE_Sign1");
    };
    let Value::Array(parts) = *inner else {
        panic!("not an array");
    };
    let (Some(Value::Bytes(protected)), Some(Value::Bytes(payload)), Some(Value::Bytes(sig))) =
        (parts.first(), parts.get(2), parts.get(3))
    else {
        panic!("not a COSE_Sign1");
    };
    let tbs = cbor::encode(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.clone()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.clone()),
    ]));
    let sig: [u8; 64] = sig.as_slice().try_into().expect("64 bytes");
    (tbs, Signature::from_bytes(&sig))
}

/// Time per call of `a` and of `b`, measured alternately in `rounds` rounds of `batch` calls
/// each: the fastest round of each (the least disturbed by other work on a shared machine),
/// and the ratio of the two. [`Paired`] also keeps the medians.
pub fn paired_ratio(
    rounds: usize,
    batch: usize,
    a: impl FnMut(),
    b: impl FnMut(),
) -> (Duration, Duration, f64) {
    let p = paired(rounds, batch, a, b);
    (
        p.min_a,
        p.min_b,
        p.min_a.as_secs_f64() / p.min_b.as_secs_f64(),
    )
}

/// Both statistics of a paired measurement.
#[derive(Debug, Clone, Copy)]
pub struct Paired {
    /// Fastest round of `a`, per call.
    pub min_a: Duration,
    /// Fastest round of `b`, per call.
    pub min_b: Duration,
    /// Median round of `a`, per call.
    pub median_a: Duration,
    /// Median round of `b`, per call.
    pub median_b: Duration,
}

impl Paired {
    /// min(a) / min(b).
    pub fn min_ratio(&self) -> f64 {
        self.min_a.as_secs_f64() / self.min_b.as_secs_f64()
    }
    /// median(a) / median(b).
    pub fn median_ratio(&self) -> f64 {
        self.median_a.as_secs_f64() / self.median_b.as_secs_f64()
    }
}

/// See [`paired_ratio`].
pub fn paired(rounds: usize, batch: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> Paired {
    let mut ta = Vec::with_capacity(rounds);
    let mut tb = Vec::with_capacity(rounds);
    for round in 0..rounds {
        // Alternate which goes first, so neither always runs on a warmer cache.
        let mut run_a = || {
            let start = Instant::now();
            for _ in 0..batch {
                a();
            }
            ta.push(start.elapsed() / batch as u32);
        };
        if round % 2 == 0 {
            run_a();
            let start = Instant::now();
            for _ in 0..batch {
                b();
            }
            tb.push(start.elapsed() / batch as u32);
        } else {
            let start = Instant::now();
            for _ in 0..batch {
                b();
            }
            tb.push(start.elapsed() / batch as u32);
            run_a();
        }
    }
    ta.sort();
    tb.sort();
    let median = |t: &[Duration]| t.get(t.len() / 2).copied().unwrap_or_default();
    Paired {
        min_a: ta.first().copied().unwrap_or_default(),
        min_b: tb.first().copied().unwrap_or_default(),
        median_a: median(&ta),
        median_b: median(&tb),
    }
}

/// Keep a value alive for the optimiser.
pub fn keep<T>(value: T) -> T {
    black_box(value)
}

/// The strict Ed25519 check of the library, on the fixture's message.
pub fn bare_verify(f: &Fixture) -> bool {
    sign1::verify_ed25519(
        &f.issuer_public(),
        &f.signed_message,
        &f.signature.to_bytes(),
    )
    .is_ok()
}

/// Decode the fixture's text, for the benchmark breakdown.
pub fn decode_text(f: &Fixture) -> Vec<u8> {
    text::decode(&f.text, &[]).expect("decodes").1
}

/// A national-scale offline bundle for start-up measurements: a trust list of `issuers` issuer
/// entries (the fixture's `VN.BCA.C06` first, the rest with keys of their own and their own
/// status prefixes) and `lists` status lists of 131,072 entries each, signed by issuers taken
/// in turn, the fixture's own list among them. Returns the encoded bundle.
pub fn national_bundle(issuers: usize, lists: usize) -> Vec<u8> {
    let root = SigningKey::from_bytes(&seeds::ROOT);
    let police = SigningKey::from_bytes(&seeds::POLICE);
    let mut trust = giayto_vectors::trust_list();
    let template = trust
        .issuers
        .iter()
        .find(|e| e.id == "VN.BCA.C06")
        .cloned()
        .expect("the fixture issuer");
    trust.issuers = vec![template.clone()];
    let mut keys = vec![police.clone()];
    for i in 1..issuers {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
        seed[31] = 0x5E;
        let key = SigningKey::from_bytes(&seed);
        let mut entry = template.clone();
        entry.id = format!("VN.X{i:04}");
        entry.name_vi = format!("Cơ quan cấp thử {i}");
        entry.name_en = Some(format!("Test issuing office {i}"));
        entry.public_key = key.verifying_key().to_bytes();
        entry.status_uri_prefix = Some(format!("https://giayto.example/st/VN.X{i:04}/"));
        trust.issuers.push(entry);
        keys.push(key);
    }
    let trust_list = trust.sign(&root).expect("trust list signs");
    let mut status_lists = vec![status_list(&police)];
    for n in 1..lists {
        let i = n % issuers.max(1);
        let (key, id) = if i == 0 {
            (&police, "VN.BCA.C06".to_string())
        } else {
            (&keys[i], format!("VN.X{i:04}"))
        };
        let mut list = StatusList::new(giayto_status::MIN_ENTRIES).expect("minimum size");
        for k in 0..64u64 {
            list.set(
                (k * 2_047 + n as u64) % giayto_status::MIN_ENTRIES,
                Status::Revoked,
            )
            .expect("in range");
        }
        let token = StatusListToken {
            uri: format!("https://giayto.example/st/{id}/{}", 1_000 + n),
            issued_at: AT - 86_400,
            expires_at: AT + 6 * 86_400,
            ttl: Some(86_400),
            list,
        };
        status_lists.push(token.sign(key).expect("signs"));
    }
    giayto_verify::Bundle {
        created_at: AT - 3_600,
        trust_list,
        status_lists,
        status_deltas: Vec::new(),
    }
    .to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Verifier as _;

    #[test]
    fn fixture_is_a_valid_credential_and_the_bare_message_is_what_was_signed() {
        let f = Fixture::new();
        let verified = f.verifier.verify(&f.text, f.at).expect("valid");
        // The status list was consulted.
        assert_eq!(verified.status().map(|s| s.index), Some(STATUS_INDEX));
        assert!(f
            .issuer_public()
            .verify_strict(&f.signed_message, &f.signature)
            .is_ok());
        assert!(f
            .issuer_public()
            .verify(&f.signed_message, &f.signature)
            .is_ok());
        assert!(bare_verify(&f));
        assert_eq!(decode_text(&f), f.cose);
    }

    #[test]
    fn the_national_bundle_names_its_issuers_and_lists_and_the_fixture_verifies_with_it() {
        let f = Fixture::new();
        let bundle = giayto_verify::Bundle::from_bytes(&national_bundle(40, 30)).unwrap();
        assert_eq!(bundle.status_lists.len(), 30);
        let root = SigningKey::from_bytes(&seeds::ROOT).verifying_key();
        let verifier = Verifier::from_bundle(root, &bundle).unwrap();
        assert_eq!(verifier.trust_list().issuers.len(), 40);
        assert_eq!(verifier.status_lists().count(), 30);
        assert!(verifier.check(&f.text, f.at).is_valid());
    }
}
