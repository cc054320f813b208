//! `--help` in the user's language (docs/decisions.md D96).
//!
//! English is the source: the clap doc comments in `main.rs` and `cmd/*.rs`. For Vietnamese the
//! command tree from `Cli::command()` is built (so clap's own `--help`, `--version` and `help`
//! exist and the global options are copied into every subcommand) and then walked: each command's
//! `about` and each argument's `help` are replaced by messages from `cli/i18n/vi/giayto.ftl`.
//!
//! Message ids come from the command path and the argument id (`_` written `-`):
//! - a command: `help-{path}-about`, e.g. `help-root-add-issuer-about` (the top: `help-about`);
//! - an argument: `help-{path}-arg-{id}`, else the same id under each parent path in turn, then
//!   `help-arg-{id}`: e.g. `wallet list --wallet` is `help-wallet-list-arg-wallet`, else
//!   `help-wallet-arg-wallet`, else `help-arg-wallet`. One shared translation serves every
//!   command whose English text is the same; a test checks that one id never stands for two
//!   different English texts, and that every command and argument has its Vietnamese text;
//! - a global option (`--json`, `--lang`) and clap's `--help`/`--version`: `help-arg-{id}`;
//!   clap's `help` subcommand: `help-help-about`.
//!
//! clap's own words around the texts (the usage heading, the section headings, `[default: …]`,
//! `[possible values: …]`, `[env: …]`) are replaced too; clap's parse errors stay English.

use clap::{Arg, Command, CommandFactory};

use crate::i18n::{tr_in, Lang};
use crate::Cli;

/// The language for help, read from the arguments before clap parses them: `--lang X` or
/// `--lang=X` (before a `--`), else the environment as [`Lang::detect`] reads it. An unknown
/// `--lang` value falls back to the environment; the command itself then refuses it.
pub fn lang_from_args<I, S>(args: I) -> Lang
where
    I: IntoIterator<Item = S>,
    S: Into<std::ffi::OsString>,
{
    let mut flag: Option<String> = None;
    let mut next_is_lang = false;
    for arg in args.into_iter().skip(1) {
        let arg = arg.into();
        let arg = arg.to_string_lossy();
        if next_is_lang {
            flag = Some(arg.into_owned());
            next_is_lang = false;
        } else if arg == "--" {
            break;
        } else if arg == "--lang" {
            next_is_lang = true;
        } else if let Some(v) = arg.strip_prefix("--lang=") {
            flag = Some(v.to_owned());
        }
    }
    match flag.as_deref().and_then(Lang::parse) {
        Some(lang) => lang,
        None => Lang::detect(None),
    }
}

/// The whole command tree, its help in `lang`.
pub fn command(lang: Lang) -> Command {
    let mut cmd = Cli::command();
    if lang == Lang::Vi {
        cmd.build();
        cmd = localize(cmd, &[], lang);
    }
    cmd
}

/// The message id of a command's `about`.
fn about_id(path: &[String]) -> String {
    if path.is_empty() {
        "help-about".to_owned()
    } else {
        format!("help-{}-about", path.join("-"))
    }
}

/// The message ids tried, in order, for argument `id` in the command at `path`.
fn arg_ids(path: &[String], arg: &Arg) -> Vec<String> {
    let id = arg.get_id().as_str().replace('_', "-");
    if arg.is_global_set() || id == "help" || id == "version" {
        return vec![format!("help-arg-{id}")];
    }
    let mut ids: Vec<String> = (1..=path.len())
        .rev()
        .map(|n| format!("help-{}-arg-{id}", path[..n].join("-")))
        .collect();
    ids.push(format!("help-arg-{id}"));
    ids
}

/// The id of clap's `--help` text: short and long forms differ when a long help exists.
fn builtin_help_ids(arg: &Arg) -> Option<(&'static str, Option<&'static str>)> {
    match arg.get_id().as_str() {
        "help" if arg.get_long_help().is_some() => {
            Some(("help-arg-help-more", Some("help-arg-help-summary")))
        }
        "help" => Some(("help-arg-help", None)),
        _ => None,
    }
}

/// The first of `ids` the Vietnamese file has.
fn find(ids: &[String]) -> Option<&String> {
    ids.iter().find(|id| has_vi(id))
}

fn has_vi(id: &str) -> bool {
    crate::i18n::has_in(Lang::Vi, id)
}

/// The text `[word: values]` clap would have printed, in `lang`.
fn bracket(lang: Lang, id: &str, values: &[String]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    Some(format!("[{}: {}]", tr_in(lang, id, &[]), values.join(", ")))
}

fn localize_arg(path: &[String], arg: Arg, lang: Lang) -> Arg {
    let mut arg = arg;
    let mut extra: Vec<String> = vec![];
    if !arg.is_hide_default_value_set() && arg.get_num_args().is_none_or(|n| n.takes_values()) {
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        extra.extend(bracket(lang, "help-word-default", &defaults));
        arg = arg.hide_default_value(true);
    }
    if !arg.is_hide_possible_values_set() && arg.get_action().takes_values() {
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_owned())
            .collect();
        extra.extend(bracket(lang, "help-word-values", &values));
        arg = arg.hide_possible_values(true);
    }
    if let Some(var) = arg.get_env() {
        if !arg.is_hide_env_set() {
            let var = var.to_string_lossy().into_owned();
            extra.extend(bracket(lang, "help-word-env", &[var]));
            arg = arg.hide_env(true);
        }
    }
    let (text, long) = match builtin_help_ids(&arg) {
        Some((short, long)) => (
            Some(tr_in(lang, short, &[])),
            long.map(|l| tr_in(lang, l, &[])),
        ),
        None => (
            find(&arg_ids(path, &arg)).map(|id| tr_in(lang, id, &[])),
            None,
        ),
    };
    if let Some(text) = text {
        let text = if extra.is_empty() {
            text
        } else {
            format!("{text} {}", extra.join(" "))
        };
        arg = arg.help(text);
        arg = match long {
            Some(long) => arg.long_help(long),
            None => arg.long_help(None::<&str>),
        };
    }
    let heading = if arg.is_positional() {
        "help-heading-arguments"
    } else {
        "help-heading-options"
    };
    arg.help_heading(tr_in(lang, heading, &[]))
}

fn localize(cmd: Command, path: &[String], lang: Lang) -> Command {
    let mut cmd = cmd;
    if let Some(id) = find(&[about_id(path)]) {
        cmd = cmd.about(tr_in(lang, id, &[])).long_about(None);
    }
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{}: {{usage}}\n\n{{all-args}}{{after-help}}",
        tr_in(lang, "help-heading-usage", &[])
    );
    cmd = cmd.help_template(template).subcommand_help_heading(tr_in(
        lang,
        "help-heading-commands",
        &[],
    ));
    let ids: Vec<clap::Id> = cmd.get_arguments().map(|a| a.get_id().clone()).collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |a| localize_arg(path, a, lang));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        if name == "help" {
            // clap's own: one text wherever it appears; its copies of the tree are for shell
            // completion and never printed.
            let about = tr_in(lang, "help-help-about", &[]);
            cmd = cmd.mut_subcommand("help", |s| s.about(about));
            continue;
        }
        let mut sub_path = path.to_vec();
        sub_path.push(name.clone());
        cmd = cmd.mut_subcommand(name, |s| localize(s, &sub_path, lang));
    }
    cmd
}

/// Every command and argument of the tree with the id its Vietnamese help comes from (`None`
/// when there is none) and its English text, for the tests.
#[cfg(test)]
pub fn inventory() -> Vec<(String, Option<String>, String)> {
    fn walk(cmd: &Command, path: &[String], out: &mut Vec<(String, Option<String>, String)>) {
        let name = if path.is_empty() {
            "giayto".to_owned()
        } else {
            format!("giayto {}", path.join(" "))
        };
        let about = about_id(path);
        let english = cmd.get_about().map(|s| s.to_string()).unwrap_or_default();
        out.push((
            name.clone(),
            find(std::slice::from_ref(&about)).cloned(),
            english,
        ));
        for arg in cmd.get_arguments() {
            let english = arg.get_help().map(|s| s.to_string()).unwrap_or_default();
            let id = match builtin_help_ids(arg) {
                Some((short, _)) => find(&[short.to_owned()]).cloned(),
                None => find(&arg_ids(path, arg)).cloned(),
            };
            out.push((format!("{name} --{}", arg.get_id()), id, english));
        }
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                let english = sub.get_about().map(|s| s.to_string()).unwrap_or_default();
                out.push((
                    format!("{name} help"),
                    find(&["help-help-about".to_owned()]).cloned(),
                    english,
                ));
                continue;
            }
            let mut p = path.to_vec();
            p.push(sub.get_name().to_owned());
            walk(sub, &p, out);
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = vec![];
    walk(&cmd, &[], &mut out);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn help_text(args: &[&str]) -> String {
        let lang = lang_from_args(args.iter().copied());
        match command(lang).try_get_matches_from(args) {
            Ok(_) => panic!("{args:?} printed no help"),
            // One line: clap wraps long texts.
            Err(e) => e
                .render()
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    #[test]
    fn every_command_and_argument_has_vietnamese_help() {
        let all = inventory();
        assert!(all.len() > 100, "{}", all.len());
        let missing: Vec<(&String, &String)> = all
            .iter()
            .filter(|(_, id, _)| id.is_none())
            .map(|(what, _, english)| (what, english))
            .collect();
        assert!(
            missing.is_empty(),
            "no Vietnamese help (add help-… ids to cli/i18n/vi/giayto.ftl, see cli/src/help.rs) \
             for: {missing:#?}"
        );
    }

    #[test]
    fn one_translation_never_stands_for_two_english_texts() {
        let mut english: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (what, id, text) in inventory() {
            if let Some(id) = id {
                english.entry(id).or_default().insert(text, what);
            }
        }
        let clashes: Vec<_> = english
            .iter()
            .filter(|(_, texts)| texts.len() > 1)
            .collect();
        assert!(
            clashes.is_empty(),
            "give these a command-specific id: {clashes:#?}"
        );
    }

    #[test]
    fn every_vietnamese_help_id_is_used() {
        let used: std::collections::HashSet<String> = inventory()
            .into_iter()
            .filter_map(|(_, id, _)| id)
            .collect();
        let words = [
            "help-word-default",
            "help-word-values",
            "help-word-env",
            "help-heading-usage",
            "help-heading-commands",
            "help-heading-options",
            "help-heading-arguments",
            "help-arg-help-summary",
        ];
        let stale: Vec<String> = crate::i18n::vi_ids()
            .into_iter()
            .filter(|id| id.starts_with("help-"))
            .filter(|id| !used.contains(id) && !words.contains(&id.as_str()))
            .collect();
        assert!(
            stale.is_empty(),
            "help ids for no command or argument: {stale:?}"
        );
    }

    #[test]
    fn vietnamese_help_is_vietnamese_and_english_stays_english() {
        let vi = help_text(&["giayto", "--lang", "vi", "--help"]);
        assert!(vi.contains("Cách dùng: giayto"), "{vi}");
        assert!(vi.contains("Lệnh: demo"), "{vi}");
        assert!(vi.contains("Xác thực"), "{vi}");
        assert!(!vi.contains("Usage:"), "{vi}");
        assert!(!vi.contains("Print help"), "{vi}");

        let vi = help_text(&["giayto", "verify", "--help", "--lang=vi"]);
        assert!(vi.contains("danh sách tin cậy"), "{vi}");
        assert!(vi.contains("[mặc định: third-party]"), "{vi}");
        assert!(vi.contains("[giá trị: third-party, checkpoint]"), "{vi}");
        assert!(vi.contains("Tùy chọn:"), "{vi}");
        assert!(vi.contains("Đối số:"), "{vi}");
        assert!(!vi.contains("The signed trust list"), "{vi}");

        let en = help_text(&["giayto", "--lang", "en", "verify", "--help"]);
        assert!(en.contains("Usage: giayto verify"), "{en}");
        assert!(en.contains("The signed trust list"), "{en}");
        assert!(!en.contains("danh sách tin cậy"), "{en}");
    }

    #[test]
    fn lang_is_read_before_parsing() {
        assert_eq!(
            lang_from_args(["giayto", "--lang", "en", "--help"]),
            Lang::En
        );
        assert_eq!(lang_from_args(["giayto", "verify", "--lang=vi"]), Lang::Vi);
        assert_eq!(lang_from_args(["giayto", "--lang", "EN_us"]), Lang::En);
        // After `--` it is a value, not the option.
        assert_eq!(
            lang_from_args(["giayto", "--lang", "vi", "--", "--lang", "en"]),
            Lang::Vi
        );
    }

    #[test]
    fn parsing_is_unchanged_by_localisation() {
        use clap::FromArgMatches;
        let m = command(Lang::Vi)
            .try_get_matches_from([
                "giayto",
                "--json",
                "verify",
                "--root",
                "r.pub",
                "--bundle",
                "b.cbor",
                "--policy",
                "checkpoint",
                "VN1:X",
            ])
            .unwrap();
        let cli = Cli::from_arg_matches(&m).unwrap();
        assert!(cli.json);
        // A value outside the possible values is still refused.
        assert!(command(Lang::Vi)
            .try_get_matches_from([
                "giayto", "verify", "--root", "r", "--bundle", "b", "--policy", "bank", "x"
            ])
            .is_err());
    }
}
