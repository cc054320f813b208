//! Every verdict, reason and warning the verifier can produce, and every document type, field,
//! value and field problem, has its message in both languages, so no user ever sees a raw
//! message id.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop at the first failure

use std::collections::BTreeSet;

use giayto_verify::{ForeignCode, Verdict, Warning, REASON_CODES};

fn ids(lang: &str) -> BTreeSet<String> {
    let path = format!("{}/i18n/{lang}/giayto.ftl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with(['#', ' ']) && l.contains(" = "))
        .filter_map(|l| l.split(" = ").next())
        .map(|id| id.trim().to_owned())
        .collect()
}

fn dashed(code: &str) -> String {
    code.replace('_', "-")
}

#[test]
fn every_verdict_reason_and_warning_has_a_message_in_vi_and_en() {
    let mut wanted: Vec<String> = Verdict::ALL
        .iter()
        .map(|v| format!("verdict-{}", dashed(v.as_str())))
        .collect();
    wanted.extend(REASON_CODES.iter().map(|c| format!("reason-{}", dashed(c))));
    wanted.extend(
        ForeignCode::ALL
            .iter()
            .map(|k| format!("reason-foreign-{}", dashed(k.as_str()))),
    );
    wanted.extend(
        Warning::CODES
            .iter()
            .map(|c| format!("warning-{}", dashed(c))),
    );
    wanted.extend(
        [
            "verdict-heading-nonce-missing",
            "verdict-heading-nonce-mismatch",
            "reason-valid",
        ]
        .map(str::to_owned),
    );
    assert!(wanted.len() > 60, "{}", wanted.len());
    for lang in ["vi", "en-US"] {
        let have = ids(lang);
        let missing: Vec<&String> = wanted.iter().filter(|id| !have.contains(*id)).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
    }
}

#[test]
fn every_document_field_value_and_problem_has_a_message_in_vi_and_en() {
    use giayto_model::{DocType, FieldErrorKind as K, ParticipationStatus};
    let mut wanted = Vec::new();
    for t in DocType::ALL {
        wanted.push(format!("doc-{}", t.as_str()));
        wanted.push(format!("card-title-{}", t.as_str()));
        for (_, name) in t.field_keys() {
            wanted.push(format!("field-{}", dashed(name)));
        }
    }
    wanted.push("field-owner-enterprise-code".to_owned());
    wanted.push("card-title-can-cuoc-2024".to_owned());
    for code in 1..=3 {
        let status = ParticipationStatus::from_code(code).unwrap();
        wanted.push(format!("value-participation-{}", dashed(status.as_str())));
    }
    // The problems of the fields of the social insurance book and of an organisation owner.
    for kind in [
        K::SocialInsuranceNumberFormat,
        K::OfficeCodeFormat,
        K::InvalidParticipationStatus,
        K::MonthsPaidExceedPeriod { max: 1 },
        K::AfterIssuance,
        K::EnterpriseCodeFormat,
        K::Conflicts { other: "x" },
        K::MissingEither { other: "x" },
    ] {
        wanted.push(format!("problem-{}", kind.code()));
    }
    for lang in ["vi", "en-US"] {
        let have = ids(lang);
        let missing: Vec<&String> = wanted.iter().filter(|id| !have.contains(*id)).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
    }
}

#[test]
fn the_check_itself_notices_a_missing_message() {
    // The id parser must see real ids and not invent them.
    let have = ids("en-US");
    assert!(have.contains("verdict-valid"));
    assert!(!have.contains("verdict-no-such-verdict"));
}
