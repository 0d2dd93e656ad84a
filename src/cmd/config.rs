//! `recall config path` and `recall config show`.

use crate::cli::ConfigCommand;
use crate::error::Error;

pub fn run(ctx: &super::Context, command: &ConfigCommand) -> Result<(), Error> {
    match command {
        ConfigCommand::Path => super::print(&format!("{}\n", crate::config::path()?.display())),
        ConfigCommand::Show => super::print(&ctx.config.show()),
    }
}
