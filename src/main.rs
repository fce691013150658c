//! The `aftermath` binary: parse arguments, set up logging, dispatch, report errors.

use clap::Parser;
use std::process::ExitCode;

/// mimalloc rather than the system allocator: a page answered from the cache
/// allocates and frees its response and the request's parts, and glibc's malloc
/// (with its consolidation of freed chunks) was a tenth of that CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = aftermath::cli::Cli::parse();
    let serving = matches!(cli.command, aftermath::cli::Command::Serve(_));
    let logs = aftermath::cli::init_tracing(cli.verbose, serving, cli.log_format);
    let result = aftermath::cli::run(cli);
    // Writes the log lines still gathered, before the last word.
    drop(logs);
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
