//! The `recall` binary: parse, run, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match recall::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version go to stdout with status 0; mistakes to stderr with status 2,
            // always with the usage line (clap leaves it out for some errors).
            let text = error.render().to_string();
            if !error.use_stderr() {
                print!("{text}");
                return ExitCode::SUCCESS;
            }
            // clap opens with its own `error:`; recall's errors all open with `recall:`, so
            // a script (or a person) finds every one the same way. Tips and the usage line
            // follow as clap writes them.
            eprint!("{}", recall::cli::recall_prefixed(&text));
            if !text.contains("Usage:") {
                let args: Vec<String> = std::env::args().skip(1).collect();
                eprint!("{}", recall::cli::usage_for(&args));
            }
            return ExitCode::from(recall::error::EXIT_BAD_INPUT);
        }
    };
    match recall::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let code = error.exit_code();
            if code != recall::error::EXIT_OK {
                // Messages can quote deck text (an unknown field's name, say): keep it inert.
                eprintln!("recall: {}", recall::display::inert(&error.to_string()));
            }
            ExitCode::from(code)
        }
    }
}
