//! The `aftermath` binary: parse arguments, set up logging, dispatch, report errors.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = aftermath::cli::Cli::parse();
    aftermath::cli::init_tracing(cli.verbose);
    match aftermath::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
