//! Errors as the user sees them: a localised message, a hint, and an exit code.

use std::process::ExitCode;

use crate::i18n::{has, tr, tr_args};

/// Exit code: success, or the credential is valid.
pub const EXIT_OK: u8 = 0;
/// Exit code: the credential was checked and is not valid.
pub const EXIT_INVALID: u8 = 1;
/// Exit code: usage, input or I/O error.
pub const EXIT_ERROR: u8 = 2;

/// A failure to report: a Fluent message id with arguments. The hint is the message
/// `<id>-hint` when the language file has one.
#[derive(Debug, Clone)]
pub struct Failure {
    id: &'static str,
    args: Vec<(&'static str, String)>,
}

impl Failure {
    /// A failure with message `id` (exit code 2).
    pub fn new(id: &'static str) -> Failure {
        Failure {
            id,
            args: Vec::new(),
        }
    }

    /// Add an argument.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Failure {
        self.args.push((name, value.to_string()));
        self
    }

    /// The localised message.
    pub fn message(&self) -> String {
        tr_args(self.id, &self.args)
    }

    /// Print to stderr (and, with `--json`, a JSON error object to stdout); exit code 2.
    pub fn report(&self, json: bool) -> ExitCode {
        let message = self.message();
        let hint_id = format!("{}-hint", self.id);
        let hint = has(&hint_id).then(|| tr_args(&hint_id, &self.args));
        crate::errln!("{}: {message}", tr("error-prefix"));
        if let Some(h) = &hint {
            crate::errln!("{}: {h}", tr("hint-prefix"));
        }
        if json {
            let v = serde_json::json!({
                "error": { "code": self.id, "message": message, "hint": hint }
            });
            crate::outln!("{v}");
        }
        ExitCode::from(EXIT_ERROR)
    }
}

/// Result of a command: an exit code, or a failure.
pub type CmdResult = Result<u8, Failure>;

/// Map an I/O error on `path` to a failure.
pub fn io_failure(path: &std::path::Path, e: &std::io::Error) -> Failure {
    let id = match e.kind() {
        std::io::ErrorKind::NotFound => "error-file-not-found",
        std::io::ErrorKind::PermissionDenied => "error-file-permission",
        std::io::ErrorKind::AlreadyExists => "error-file-exists",
        _ => "error-file-io",
    };
    Failure::new(id)
        .arg("path", path.display())
        .arg("detail", e)
}
