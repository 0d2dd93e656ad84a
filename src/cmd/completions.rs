//! `recall completions SHELL` and `recall man`: what a shell and `man` need, generated from
//! the command line's own definition ([`crate::cli`]), so they never fall out of step with it.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Error;

/// Prints the completion script for `args.shell`.
pub fn completions(args: &CompletionsArgs) -> Result<(), Error> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "recall", &mut script);
    super::print(&String::from_utf8_lossy(&script))
}

/// Prints the man page: recall's own, then a section per subcommand (their `--help` text).
pub fn man() -> Result<(), Error> {
    super::print(&page().map_err(Error::Output)?)
}

/// The man page as roff: `recall(1)` with every subcommand's description, options and
/// examples as sections of the one page (one file is what `recall man > recall.1` installs).
fn page() -> std::io::Result<String> {
    let mut command = Cli::command();
    command.build();
    let mut out = Vec::new();
    let main = clap_mangen::Man::new(command.clone());
    main.render_title(&mut out)?;
    main.render_name_section(&mut out)?;
    main.render_synopsis_section(&mut out)?;
    main.render_description_section(&mut out)?;
    main.render_options_section(&mut out)?;
    // clap_mangen's own subcommand list names a page per subcommand (`recall-review(1)`),
    // pages that do not exist: every subcommand is a section of this one page instead.
    render_subcommand_list(&mut out, &command)?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        render_subcommand(&mut out, sub, &format!("recall {}", sub.get_name()))?;
        for nested in sub.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("recall {} {}", sub.get_name(), nested.get_name());
            render_subcommand(&mut out, nested, &name)?;
        }
    }
    // The top-level after-help holds the examples, environment and exit status.
    let mut extra = Vec::new();
    main.render_extra_section(&mut extra)?;
    out.extend_from_slice(
        String::from_utf8_lossy(&extra)
            .replace(".SH EXTRA", ".SH \"EXAMPLES, ENVIRONMENT, EXIT STATUS\"")
            .as_bytes(),
    );
    main.render_version_section(&mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `.SH SUBCOMMANDS`: each subcommand in bold with its one-line description, pointing at its
/// section below.
fn render_subcommand_list(out: &mut Vec<u8>, command: &clap::Command) -> std::io::Result<()> {
    use std::io::Write as _;
    writeln!(out, ".SH SUBCOMMANDS")?;
    writeln!(
        out,
        "Each subcommand has a section of its own below, named in capitals (RECALL REVIEW)."
    )?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        writeln!(out, ".TP")?;
        writeln!(out, "\\fBrecall {}\\fR", roff_escape(sub.get_name()))?;
        writeln!(out, "{}", roff_escape(&about))?;
    }
    Ok(())
}

/// Text made safe for roff: backslashes and hyphens escaped, no line starting with a control
/// character.
fn roff_escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// One subcommand as a `.SH` section: its synopsis, description, options and examples.
fn render_subcommand(out: &mut Vec<u8>, sub: &clap::Command, name: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    // `build` has given each subcommand its full name (`recall review`) as its bin name.
    let man = clap_mangen::Man::new(sub.clone());
    writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
    // Each render_* opens with its own .SH heading; demote them to sub-headings.
    let mut section = Vec::new();
    man.render_synopsis_section(&mut section)?;
    man.render_description_section(&mut section)?;
    man.render_options_section(&mut section)?;
    man.render_extra_section(&mut section)?;
    let text = String::from_utf8_lossy(&section).replace(".SH ", ".SS ");
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_man_page_has_a_section_for_every_subcommand() {
        let page = page().unwrap();
        assert!(
            page.starts_with(".ie") || page.contains(".TH recall 1"),
            "{page}"
        );
        for sub in Cli::command().get_subcommands() {
            let heading = format!(".SH \"RECALL {}\"", sub.get_name().to_uppercase());
            assert!(page.contains(&heading), "no {heading}");
        }
        assert!(page.contains(".SH \"RECALL CONFIG SHOW\""));
        assert!(page.contains("recall review \\-\\-deck database \\-\\-limit 10"));
    }

    #[test]
    fn the_man_page_names_only_pages_that_exist() {
        let page = page().unwrap();
        assert!(
            !page.contains("recall\\-review(1)"),
            "a page that does not exist"
        );
        assert!(!page.contains("(1)\n"), "a page that does not exist");
        assert!(page.contains(".SH SUBCOMMANDS\n"));
        assert!(page.contains("\\fBrecall review\\fR\n"));
    }
}
