//! `giayto`: issue, carry and verify Vietnamese document credentials offline.

mod cmd;
mod failure;
mod fetch;
mod help;
mod i18n;
mod input;
mod load;
#[macro_use]
mod output;
mod render;
mod secrets;
mod serve;

use std::process::ExitCode;

use clap::{Args, FromArgMatches, Parser, Subcommand};

use failure::Failure;
use giayto_issuer::registry::Action;

#[derive(Parser, Debug)]
#[command(
    name = "giayto",
    version,
    about = "Verifiable Vietnamese document credentials: issue, carry and verify offline."
)]
struct Cli {
    /// Machine-readable output on stdout (stable field names).
    #[arg(long, global = true)]
    json: bool,
    /// Language of messages: vi or en (default from LANG, else vi).
    #[arg(long, global = true, value_name = "vi|en")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the whole flow in a fresh folder: root, issuers, five documents, QR codes, verdicts.
    Demo(cmd::demo::DemoArgs),
    /// The root authority: create it, add issuers, sign the trust list.
    #[command(subcommand)]
    Root(cmd::root::RootCommand),
    /// An issuing authority: create its key and registry.
    #[command(subcommand)]
    Issuer(cmd::issuer::IssuerCommand),
    /// Issue one credential from a JSON file.
    Issue(cmd::issue::IssueArgs),
    /// Issue many credentials from a CSV or JSON-lines file: resumable, with a progress bar.
    IssueBatch(cmd::batch::BatchArgs),
    /// Revoke credentials for good (by serial, or all of a holder's with --holder).
    Revoke(cmd::status::ChangeArgs),
    /// Suspend credentials (the temporary lock, e.g. a lost phone).
    Suspend(cmd::status::ChangeArgs),
    /// Lift a suspension.
    Reinstate(cmd::status::ChangeArgs),
    /// Hold a credential (the traffic police's electronic hold): it may not be used until released.
    Hold(cmd::status::HoldArgs),
    /// End a hold: the credential returns to its status before the hold (valid or suspended).
    Release(cmd::status::ReleaseArgs),
    /// Status lists: publish the signed lists verifiers check revocation against, and make
    /// status update codes.
    #[command(subcommand)]
    Status(cmd::status::StatusCommand),
    /// Write one offline bundle file (trust list and status lists, each still signed), or
    /// update one from a status update code (`bundle apply`).
    Bundle(cmd::delta::BundleCmd),
    /// Verify a credential: QR text, @file, an image of the code, or - for stdin.
    // --trust is not needed when --fetch gets the trust list from --trust-url.
    #[command(mut_arg("trust", |a| a.required_unless_present_any(["bundle", "trust_url"])))]
    Verify(cmd::verify::VerifyArgs),
    /// Verify an ISO 18013-5 mobile driving licence (an .mdoc file or a device response) against
    /// trusted IACA root certificates.
    VerifyMdoc(cmd::mdoc::VerifyMdocArgs),
    /// Fill a form (docs/forms.md) from credentials that verify valid: JSON, or a printable PDF.
    Prefill(cmd::prefill::PrefillArgs),
    /// Make a verifier's request (VR1:) for chosen fields, for the holder's wallet to answer.
    Request(cmd::request::RequestArgs),
    /// Run a service: the verification service for third-party back ends (--verify), or a published
    /// status list folder (--publish).
    #[command(mut_arg("fetch", |a| a.conflicts_with("publish")))]
    Serve(serve::ServeArgs),
    /// Render or read QR codes.
    #[command(subcommand)]
    Qr(cmd::qr::QrCommand),
    /// The holder's wallet: documents, dependents, lock, holder-bound QR codes.
    #[command(subcommand)]
    Wallet(cmd::wallet::WalletCommand),
    /// The chip citizen ID card's own QR code.
    #[command(subcommand)]
    Cccd(CccdCommand),
}

#[derive(Subcommand, Debug)]
enum CccdCommand {
    /// Read the chip card's QR text (id|old id|name|ddmmyyyy|sex|address|ddmmyyyy) as cccd JSON.
    Parse(CccdParseArgs),
}

#[derive(Args, Debug)]
struct CccdParseArgs {
    /// The text scanned from the card.
    text: String,
}

/// Common output settings passed to every command.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// `--json`.
    pub json: bool,
}

fn main() -> ExitCode {
    // Help in the user's language: `--lang` is read before clap builds the help (help.rs).
    let help_lang = help::lang_from_args(std::env::args_os());
    let parsed = help::command(help_lang)
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(flag) = &cli.lang {
        if i18n::Lang::parse(flag).is_none() {
            i18n::set_lang(i18n::Lang::detect(None));
            let f = Failure::new("error-bad-lang").arg("value", flag);
            return f.report(cli.json);
        }
    }
    i18n::set_lang(i18n::Lang::detect(cli.lang.as_deref()));
    let out = Out { json: cli.json };
    let json = cli.json;
    // Last line of defence: a bug that panics still ends with exit code 2 and a message in
    // the user's language, never 101 and a Rust backtrace.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        crate::errln!("{}", i18n::tr_args("error-internal", &[("place", place)]));
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli.command, out)))
        .unwrap_or(Ok(failure::EXIT_ERROR));
    let code = match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => f.report(json),
    };
    if output::stdout_failed() {
        // Output was lost (not a closed pipe: that ends quietly): say so and fail.
        return Failure::new("error-stdout").report(false);
    }
    code
}

fn run(command: Command, out: Out) -> failure::CmdResult {
    match command {
        Command::Demo(a) => cmd::demo::run(a, out),
        Command::Root(c) => cmd::root::run(c, out),
        Command::Issuer(c) => cmd::issuer::run(c, out),
        Command::Issue(a) => cmd::issue::run(a, out),
        Command::IssueBatch(a) => cmd::batch::run(a, out),
        Command::Revoke(a) => cmd::status::change(a, Action::Revoke, out),
        Command::Suspend(a) => cmd::status::change(a, Action::Suspend, out),
        Command::Reinstate(a) => cmd::status::change(a, Action::Reinstate, out),
        Command::Hold(a) => cmd::status::hold(a, out),
        Command::Release(a) => cmd::status::release(a, out),
        Command::Status(c) => cmd::status::run(c, out),
        Command::Bundle(a) => cmd::delta::bundle(a, out),
        Command::Verify(a) => cmd::verify::run(a, out),
        Command::VerifyMdoc(a) => cmd::mdoc::verify(&a, out),
        Command::Prefill(a) => cmd::prefill::run(a, out),
        Command::Request(a) => cmd::request::run(a, out),
        Command::Serve(a) => serve::run(a, out),
        Command::Qr(c) => cmd::qr::run(c, out),
        Command::Wallet(c) => cmd::wallet::run(c, out),
        Command::Cccd(CccdCommand::Parse(a)) => cmd::cccd::parse(&a.text, out),
    }
}
