//! Writing to stdout and stderr without ever panicking.
//!
//! `println!` panics when stdout is a closed pipe (`giayto wallet list | head -1`), which
//! would end the process with exit code 101. Everything the CLI prints goes through
//! [`out!`](crate::out) / [`outln!`](crate::outln) and [`errln!`](crate::errln) instead: a
//! closed pipe ends output quietly and the command still finishes with its documented exit
//! code; any other write failure on stdout (a full disk behind a redirection) is reported at
//! the end with exit code 2.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

const OPEN: u8 = 0;
const CLOSED: u8 = 1;
const FAILED: u8 = 2;

static STDOUT: AtomicU8 = AtomicU8::new(OPEN);

/// Write to stdout; remember a closed pipe or a failure instead of panicking.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    if STDOUT.load(Ordering::Relaxed) != OPEN {
        return;
    }
    let mut lock = std::io::stdout().lock();
    if let Err(e) = lock.write_fmt(args).and_then(|()| lock.flush()) {
        let state = if e.kind() == std::io::ErrorKind::BrokenPipe {
            CLOSED
        } else {
            FAILED
        };
        STDOUT.store(state, Ordering::Relaxed);
    }
}

/// Write to stderr; a closed stderr is ignored (there is nowhere left to say anything).
pub fn write_stderr(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// Whether stdout was closed by its reader: a command that prints forever (`--watch`) stops.
pub fn stdout_closed() -> bool {
    STDOUT.load(Ordering::Relaxed) != OPEN
}

/// Whether writing to stdout failed for another reason than a closed pipe.
pub fn stdout_failed() -> bool {
    STDOUT.load(Ordering::Relaxed) == FAILED
}

/// `print!` that never panics.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!($($arg)*)) };
}

/// `println!` that never panics.
#[macro_export]
macro_rules! outln {
    () => { $crate::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that never panics (a question on the line the answer is typed on).
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => { $crate::output::write_stderr(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
#[macro_export]
macro_rules! errln {
    () => { $crate::output::write_stderr(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stderr(format_args!("{}\n", format_args!($($arg)*))) };
}
