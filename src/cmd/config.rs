//! `recall config path` and `recall config show`.

use crate::cli::ConfigCommand;
use crate::error::Error;

pub fn run(ctx: &super::Context, command: &ConfigCommand) -> Result<(), Error> {
    match command {
        ConfigCommand::Path => super::print(&format!("{}\n", crate::config::path()?.display())),
        ConfigCommand::Show => {
            // The FSRS parameters live in the database (`recall optimize` logs them there);
            // without a database they are the defaults, and `show` creates none.
            let fitted = if ctx.db_path.exists() {
                ctx.open_store()?.fitted_parameters()?
            } else {
                None
            };
            let source = fitted.map_or_else(
                || "default".to_string(),
                |fit| format!("optimized on {}", fit.day),
            );
            super::print(&ctx.config.show_with(vec![vec![
                "fsrs_parameters".to_string(),
                "=".to_string(),
                format!("\"{source}\""),
                format!(" # database {}", ctx.db_path.display()),
            ]]))
        }
    }
}
