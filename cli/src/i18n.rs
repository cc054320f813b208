//! User-facing text in Vietnamese and English, from the Fluent files in `cli/i18n/`.

use std::sync::OnceLock;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

/// The language of the user's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Tiếng Việt (the default).
    Vi,
    /// English.
    En,
}

impl Lang {
    /// From `--lang`, else LC_ALL / LC_MESSAGES / LANG, else Vietnamese.
    pub fn detect(flag: Option<&str>) -> Lang {
        if let Some(f) = flag {
            return Lang::parse(f).unwrap_or(Lang::Vi);
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if v.is_empty() {
                    continue;
                }
                return Lang::parse(&v).unwrap_or(Lang::Vi);
            }
        }
        Lang::Vi
    }

    /// "vi…" or "en…".
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        if s.starts_with("vi") {
            Some(Lang::Vi)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

static LANG: OnceLock<Lang> = OnceLock::new();

/// Pick the language once, at start-up.
pub fn set_lang(lang: Lang) {
    let _ = LANG.set(lang);
}

/// The language picked at start-up.
pub fn lang() -> Lang {
    *LANG.get().unwrap_or(&Lang::Vi)
}

const VI: &str = include_str!("../i18n/vi/giayto.ftl");
const EN: &str = include_str!("../i18n/en-US/giayto.ftl");

struct Bundles {
    vi: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

// FluentBundle is not Sync with its default memoizer; the CLI is single-threaded for text.
thread_local! {
    static BUNDLES: Bundles = Bundles { vi: bundle("vi", VI), en: bundle("en-US", EN) };
}

fn bundle(locale: &str, source: &str) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = locale.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![id]);
    bundle.set_use_isolating(false);
    // The files are part of the binary and checked by a test, so errors cannot reach users.
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
    let _ = bundle.add_resource(resource);
    bundle
}

/// The message `id` with arguments, in the current language (English if the Vietnamese file
/// lacks it, the id itself if neither has it).
pub fn tr_args(id: &str, args: &[(&str, String)]) -> String {
    tr_in(lang(), id, args)
}

/// The message `id` in a given language.
pub fn tr_in(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, FluentValue::from(v.clone()));
    }
    BUNDLES.with(|b| {
        let order = match lang {
            Lang::Vi => [&b.vi, &b.en],
            Lang::En => [&b.en, &b.vi],
        };
        for bundle in order {
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = vec![];
                return bundle
                    .format_pattern(pattern, Some(&fargs), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    })
}

/// Whether the message exists in the current language's file.
pub fn has(id: &str) -> bool {
    BUNDLES.with(|b| match lang() {
        Lang::Vi => b.vi.has_message(id),
        Lang::En => b.en.has_message(id),
    })
}

/// Whether the message exists in a given language's file.
pub fn has_in(lang: Lang, id: &str) -> bool {
    BUNDLES.with(|b| match lang {
        Lang::Vi => b.vi.has_message(id),
        Lang::En => b.en.has_message(id),
    })
}

/// The message `id` without arguments.
pub fn tr(id: &str) -> String {
    tr_args(id, &[])
}

/// The Vietnamese file's message ids, for tests.
#[cfg(test)]
pub fn vi_ids() -> Vec<String> {
    ids(VI)
}

/// Message ids in a Fluent source, for tests.
#[cfg(test)]
fn ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_files_parse_and_have_the_same_ids() {
        for (name, src) in [("vi", VI), ("en", EN)] {
            if let Err((_, errors)) = FluentResource::try_new(src.to_owned()) {
                panic!("{name}: {errors:?}");
            }
        }
        // `help-…` ids are only in vi: English help is the clap doc comments (cli/src/help.rs),
        // and help.rs's tests check that every command and argument has its Vietnamese text.
        let not_help = |id: &String| !id.starts_with("help-");
        let mut vi: Vec<String> = ids(VI).into_iter().filter(not_help).collect();
        let mut en: Vec<String> = ids(EN).into_iter().filter(not_help).collect();
        vi.sort();
        en.sort();
        let missing_en: Vec<_> = vi.iter().filter(|i| !en.contains(i)).collect();
        let missing_vi: Vec<_> = en.iter().filter(|i| !vi.contains(i)).collect();
        assert!(missing_en.is_empty(), "missing in en-US: {missing_en:?}");
        assert!(missing_vi.is_empty(), "missing in vi: {missing_vi:?}");
        let mut all = ids(VI);
        all.sort();
        let mut dedup = all.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), all.len(), "duplicate ids");
    }

    #[test]
    fn language_detection() {
        assert_eq!(Lang::parse("vi_VN.UTF-8"), Some(Lang::Vi));
        assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), None);
        assert_eq!(Lang::detect(Some("en")), Lang::En);
        assert_eq!(tr_in(Lang::En, "verdict-valid", &[]), "VALID".to_string());
        assert_eq!(tr_in(Lang::Vi, "verdict-valid", &[]), "HỢP LỆ".to_string());
    }
}
