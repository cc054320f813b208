//! `giayto wallet present --request`: answering a verifier's request (`VR1:`, docs/format.md
//! §15) with the holder's consent (docs/decisions.md D116).
//!
//! The request is read and checked first (malformed, expired or not yet open: refused, exit 2,
//! nothing opened). The wallet then works out what the credential can show for each item; the
//! holder sees who asks (the name as stated, not verified), why, until when, and exactly which
//! values would be shared and which items cannot be answered; a required item that cannot be
//! answered ends it there (the verifier would refuse a partial answer). Consent is asked on the
//! terminal — optional items first, default no, then the whole answer — or given by `--yes` (with
//! `--share-optional` for the optional items); with neither a terminal nor `--yes` nothing is
//! signed (exit 2). Only the confirmed leaves are signed, bound to the request's nonce and hash.

use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;

use giayto_cose::request::{age_item, Request};
use giayto_cose::text::{self, Kind};
use giayto_qr::{EccLevel, RenderOptions};
use giayto_wallet::{AnswerPlan, ItemAnswer, WalletError, REQUEST_SKEW};
use serde_json::{json, Value};

use super::request::{describe, read_request};
use super::wallet::{
    copies_note, doc_name, open, person_at, pick, shared_values, wallet_failure, PresentArgs,
};
use super::{check_parent, print_json, write_atomic};
use crate::failure::{CmdResult, Failure, EXIT_OK};
use crate::i18n::{tr, tr_args};
use crate::input::{human_time, now, rfc3339};
use crate::Out;

/// Test knob: read the consent answers from stdin even when it is not a terminal, so a test can
/// answer the questions (`1`). Never for real use: a script gives `--yes`.
pub const CONSENT_STDIN_ENV: &str = "GIAYTO_TEST_CONSENT_STDIN";

/// How a person answers yes, in either language; anything else is no.
pub fn is_yes(answer: &str) -> bool {
    let a = answer.trim().to_lowercase();
    matches!(a.as_str(), "y" | "yes" | "c" | "có" | "co")
}

/// A field or predicate as people read it.
fn item_label(name: &str) -> String {
    if let Some(nn) = age_item(name) {
        return tr_args("field-age-over", &[("age", nn.to_string())]);
    }
    let id = format!("field-{}", name.replace('_', "-"));
    let label = tr(&id);
    if label == id {
        name.to_owned()
    } else {
        label
    }
}

fn why_not(answer: &ItemAnswer) -> String {
    tr(match answer {
        ItemAnswer::Absent => "request-why-absent",
        ItemAnswer::NoAgePredicate => "request-why-no-age",
        ItemAnswer::AgeNotReached => "request-why-age-not-reached",
        _ => "request-why-not-in-document",
    })
}

fn answer_code(answer: &ItemAnswer) -> &'static str {
    match answer {
        ItemAnswer::Shared(_) => "shared",
        ItemAnswer::Absent => "absent",
        ItemAnswer::NoAgePredicate => "no_age_predicate",
        ItemAnswer::AgeNotReached => "age_not_reached",
        _ => "not_in_document",
    }
}

/// A shown value: text as it is, `true` as yes.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(t) => t.clone(),
        Value::Bool(true) => tr("yes"),
        Value::Bool(false) => tr("no"),
        other => other.to_string(),
    }
}

/// The consent screen: who asks, why, until when, with which document, and for each item what
/// would be shared or why it cannot be.
fn screen(
    request: &Request,
    plan: &AnswerPlan,
    values: &[(String, Value)],
    doc: &str,
    person: &str,
) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(tr_args(
        "request-from",
        &[("verifier", request.verifier.clone())],
    ));
    line(format!("  {}", tr("request-from-unverified")));
    line(tr_args(
        "request-purpose",
        &[("purpose", request.purpose.clone())],
    ));
    line(tr_args(
        "request-open-until",
        &[("time", human_time(request.expires_at))],
    ));
    line(tr_args(
        "request-answer-with",
        &[
            ("doctype", tr(&format!("doc-{doc}"))),
            ("person", person.to_owned()),
        ],
    ));
    for (required, heading) in [(true, "request-required"), (false, "request-optional")] {
        let shared: Vec<_> = plan
            .items
            .iter()
            .filter(|i| i.required == required)
            .filter_map(|i| match &i.answer {
                ItemAnswer::Shared(s) => Some((i, s)),
                _ => None,
            })
            .collect();
        if shared.is_empty() {
            continue;
        }
        line(tr(heading));
        for (item, s) in shared {
            let value = values
                .iter()
                .find(|(n, _)| *n == s.name)
                .map(|(_, v)| value_text(v))
                .unwrap_or_default();
            let label = match (age_item(&s.name), age_item(&item.name)) {
                // age_over_19 answered by age_over_21: both said.
                (Some(shown), Some(asked)) if shown != asked => tr_args(
                    "request-item-age-answered",
                    &[("shown", shown.to_string()), ("asked", asked.to_string())],
                ),
                _ => item_label(&s.name),
            };
            line(format!("  {label}: {value}"));
        }
    }
    let cannot: Vec<_> = plan
        .items
        .iter()
        .filter(|i| !matches!(i.answer, ItemAnswer::Shared(_)))
        .collect();
    if !cannot.is_empty() {
        line(tr("request-cannot"));
        for i in cannot {
            let mark = if i.required {
                format!(" ({})", tr("request-required-mark"))
            } else {
                String::new()
            };
            line(format!(
                "  {}{mark}: {}",
                item_label(&i.name),
                why_not(&i.answer)
            ));
        }
    }
    line(tr("request-rest-withheld"));
    out
}

/// Ask a yes/no question on stderr and read the answer from stdin (no answer: no).
fn ask(question: String) -> Result<bool, Failure> {
    crate::err!("{question} ");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(256)
        .read_line(&mut line)
        .map_err(|e| crate::failure::io_failure(Path::new("-"), &e))?;
    Ok(is_yes(&line))
}

fn interactive() -> bool {
    std::io::stdin().is_terminal() || std::env::var_os(CONSENT_STDIN_ENV).is_some_and(|v| v == "1")
}

/// `wallet present --request SRC`.
pub fn present_answer(mut a: PresentArgs, src: &str, out: Out) -> CmdResult {
    if a.disclose.is_some() || a.age_over.is_some() || a.nonce.is_some() || a.watch {
        return Err(Failure::new("wallet-error-request-conflict"));
    }
    let request = read_request(src)?;
    let at = now();
    if at >= request.expires_at {
        return Err(
            Failure::new("request-error-expired").arg("time", human_time(request.expires_at))
        );
    }
    if at < request.issued_at.saturating_sub(REQUEST_SKEW) {
        return Err(
            Failure::new("request-error-not-yet").arg("time", human_time(request.issued_at))
        );
    }
    for p in [&a.png, &a.out].into_iter().flatten() {
        check_parent(p)?;
    }
    // The document type asked for, unless the holder chose one; never another than asked.
    if let Some(asked) = request.doc_type {
        let name = doc_name(asked);
        match &a.pick.doc {
            None => a.pick.doc = Some(name),
            Some(d) if super::doc_type(d)?.code() != asked => {
                return Err(Failure::new("wallet-error-request-doc-type")
                    .arg("doctype", tr(&format!("doc-{name}"))));
            }
            Some(_) => {}
        }
    }
    let path = a.pick.read.path.wallet.clone();
    let wallet = open(&a.pick.read)?;
    let index = pick(&wallet, &a.pick)?;
    // A credential with one-time copies answers with its next copy (docs/decisions.md D112),
    // taken out of the wallet only once the holder has agreed, just before signing.
    let uses_copies = wallet
        .credentials()
        .map_err(|e| wallet_failure(&e, &path))?
        .get(index)
        .is_some_and(|c| c.uses_one_time_copies());
    let (presenter, copies_left) = if uses_copies {
        let (p, left) = wallet.peek_next_copy(index, now()).map_err(|e| match e {
            WalletError::NoCopiesLeft => Failure::new("wallet-error-no-copies-left")
                .arg("serial", hex::encode(stored_serial(&wallet, index))),
            e => wallet_failure(&e, &path),
        })?;
        (p, Some(left))
    } else {
        (
            wallet
                .presenter(index)
                .map_err(|e| wallet_failure(&e, &path))?,
            None,
        )
    };
    let person = person_at(&wallet, presenter.person(), &path)?.name.clone();
    let plan = presenter
        .plan(&request)
        .map_err(|e| wallet_failure(&e, &path))?;
    let stored = wallet
        .credentials()
        .map_err(|e| wallet_failure(&e, &path))?
        .get(index)
        .cloned()
        .ok_or_else(|| wallet_failure(&WalletError::NoSuchCredential, &path))?;
    // The lock is released while the holder decides, unless a one-time copy is to be taken
    // after the decision (then no other run may take the same copy meanwhile).
    let mut wallet = if uses_copies {
        Some(wallet)
    } else {
        drop(wallet);
        None
    };
    let doc = doc_name(presenter.doc_type());
    let everything = plan.selection(true);
    let (_, shown_all, _) = shared_values(&everything, &stored, presenter.doc_type());
    let values: Vec<(String, Value)> = shown_all
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or_default().to_owned(),
                v["value"].clone(),
            )
        })
        .collect();
    let text_screen = screen(&request, &plan, &values, &doc, &person);
    let missing = plan.unanswerable_required();
    if a.dry_run {
        if out.json {
            let items: Vec<Value> = plan
                .items
                .iter()
                .map(|i| {
                    let mut v = json!({"name": i.name, "required": i.required,
                                       "answer": answer_code(&i.answer)});
                    if let ItemAnswer::Shared(s) = &i.answer {
                        v["shared_as"] = json!(s.name);
                        if let Some((_, value)) = values.iter().find(|(n, _)| *n == s.name) {
                            v["value"] = value.clone();
                        }
                    }
                    v
                })
                .collect();
            print_json(
                &json!({"dry_run": true, "request": describe(&request), "doc_type": doc,
                               "person": person, "items": items, "answerable": missing.is_empty()}),
            );
        } else {
            crate::out!("{text_screen}");
            crate::outln!("{}", tr("request-dry-run"));
        }
        return Ok(EXIT_OK);
    }
    crate::err!("{text_screen}");
    if !missing.is_empty() {
        let labels: Vec<String> = missing.iter().map(|n| item_label(n)).collect();
        return Err(wallet_failure(
            &WalletError::RequestUnanswerable(labels),
            &path,
        ));
    }
    let with_optional = if a.yes {
        a.share_optional
    } else if interactive() {
        let optional =
            plan.has_optional() && (a.share_optional || ask(tr("request-ask-optional"))?);
        let names: Vec<String> = plan
            .selection(optional)
            .iter()
            .map(|s| item_label(&s.name))
            .collect();
        let question = tr_args(
            "request-ask-consent",
            &[
                ("verifier", request.verifier.clone()),
                ("items", names.join(", ")),
            ],
        );
        if !ask(question)? {
            return Err(Failure::new("wallet-declined"));
        }
        optional
    } else {
        return Err(Failure::new("wallet-error-consent-needs-terminal"));
    };
    let chosen = plan.selection(with_optional);
    let (chosen, shown, withheld) = shared_values(&chosen, &stored, presenter.doc_type());
    let at = now();
    if let Some(w) = wallet.as_mut() {
        w.take_copy_of(index, &presenter, at)
            .map_err(|e| wallet_failure(&e, &path))?;
    }
    drop(wallet);
    let cose = presenter
        .sign_answer(&chosen, &request, at)
        .map_err(|e| wallet_failure(&e, &path))?;
    let qr_text = text::encode(Kind::Presentation, &cose, Some(&text::DICTIONARY_V1));
    let render = RenderOptions {
        ecc: EccLevel::Q,
        ..RenderOptions::default()
    };
    let png = match &a.png {
        Some(_) => Some(
            giayto_qr::render_png(&qr_text, &render)
                .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?,
        ),
        None => None,
    };
    if let Some(p) = &a.out {
        write_atomic(p, format!("{qr_text}\n").as_bytes())?;
    }
    if let (Some(p), Some(bytes)) = (&a.png, &png) {
        write_atomic(p, bytes)?;
    }
    let names: Vec<String> = chosen.iter().map(|c| item_label(&c.name)).collect();
    if out.json {
        let hash = request.hash().map(hex::encode).unwrap_or_default();
        crate::outln!(
            "{}",
            json!({"text": qr_text, "issued_at": rfc3339(at), "doc_type": doc, "person": person,
                   "nonce": hex::encode(&request.nonce), "request": describe(&request),
                   "request_hash": hash, "disclosed": shown, "withheld": withheld,
                   "copies_left": copies_left})
        );
    } else {
        let qr = giayto_qr::render_terminal(&qr_text, EccLevel::Q, super::qr::terminal_style())
            .map_err(|e| Failure::new("error-qr-render").arg("detail", e))?;
        crate::out!("{qr}");
        crate::outln!("{qr_text}");
    }
    crate::errln!(
        "{}",
        tr_args(
            "wallet-answered",
            &[
                ("verifier", request.verifier.clone()),
                ("fields", names.join(", ")),
                ("withheld", withheld.to_string()),
            ]
        )
    );
    copies_note(copies_left);
    Ok(EXIT_OK)
}

/// The serial of credential `index`, for messages.
fn stored_serial(wallet: &giayto_wallet::Wallet, index: usize) -> Vec<u8> {
    wallet
        .credentials()
        .ok()
        .and_then(|c| c.get(index).map(|c| c.claims.serial.clone()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_in_either_language_and_nothing_else() {
        for y in ["y", "Yes", " c\n", "có", "CÓ", "co"] {
            assert!(is_yes(y), "{y:?}");
        }
        for n in ["", "n", "no", "không", "k", "yess", "y y"] {
            assert!(!is_yes(n), "{n:?}");
        }
    }
}
