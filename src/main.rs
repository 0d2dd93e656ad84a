//! The `recall` binary: parse, run, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = recall::cli::Cli::parse();
    match recall::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let code = error.exit_code();
            if code != recall::error::EXIT_OK {
                eprintln!("recall: {error}");
            }
            ExitCode::from(code)
        }
    }
}
