//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use oversight_model::Severity;
use oversight_report::Format;

/// Direct, monitor and review outsourced development (ISO/IEC 27001 A.8.30).
#[derive(Debug, Parser)]
#[command(name = "oversight", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan a delivery: a directory, a file, an archive or a git repository.
    ///
    /// Exit codes: 0 no finding at or above --fail-on, 1 such findings,
    /// 2 usage error or unreadable target.
    Scan(ScanArgs),
    /// List every rule with its category and default severity.
    Rules,
    /// The reviewer's configuration file.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print a commented configuration file with every default.
    Template,
    /// Print where the configuration file is looked for.
    Path,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// The delivery to scan.
    pub(crate) target: PathBuf,
    /// Output format: human, json or sarif.
    #[arg(long, short = 'f', default_value = "human")]
    pub(crate) format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Fail (exit 1) on findings at or above this severity [default: high].
    #[arg(long, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<Severity>,
    /// Reviewer configuration file (TOML) [default: ~/.config/oversight/config.toml].
    #[arg(long, short = 'c', value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Git revision to scan instead of HEAD and the work tree.
    #[arg(long, value_name = "REV")]
    pub(crate) rev: Option<String>,
    /// Also scan every blob in the git history that is not in the scanned
    /// tree: deleted files, old versions, other branches and tags.
    #[arg(long)]
    pub(crate) history: bool,
    /// Report only findings that are not in this earlier JSON report
    /// (matched by fingerprint). Supplied by the reviewer, never read from the
    /// delivery.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Worker threads [default: all cores].
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Never show a progress bar.
    #[arg(long)]
    pub(crate) no_progress: bool,
}
