//! The `oversight` command: a thin shell over the library crates.
//!
//! It parses arguments, loads the reviewer's configuration, builds the scanner
//! with every detector, renders the report and maps the outcome to the
//! documented exit codes: 0 when no finding reaches `--fail-on`, 1 when one
//! does, 2 on a usage error or a target that cannot be read.

mod args;
mod escrow;
mod export;
mod gate;
mod history;
mod notice;
mod pack;
mod progress;
mod register;
mod review;
mod serve;
mod submit;
mod supply_chain;
mod term;
mod threats;
mod worker;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use args::{Cli, Command, ConfigCommand, ScanArgs};

/// No finding at or above the threshold.
const EXIT_PASS: u8 = 0;
/// At least one finding at or above the threshold.
const EXIT_FINDINGS: u8 = 1;
/// Usage error, unreadable target or runtime failure.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_PASS
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            term::err!("oversight: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules(args) => {
            load_rule_dir(args.rules.as_deref())?;
            let scanner = oversight_scan::ScannerBuilder::new()
                .detectors(oversight_app::detectors::all(
                    oversight_app::detectors::Secrets::Builtin,
                    Some(oversight_licenses::LicenseOptions::default()),
                    true,
                )?)
                .build()?;
            // Behaviour rules carry their class and the attack they describe.
            let behaviour: std::collections::HashMap<&str, &oversight_malicious::BehaviourRule> =
                oversight_app::detectors::behaviour()
                    .rule_set()
                    .rules()
                    .iter()
                    .map(|r| (r.rule.id, r))
                    .collect();
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:<46} {:<8} {:<20} reference (or summary)",
                "id", "severity", "class (or category)"
            )?;
            // Then what a review raises beyond the scan: the git posture,
            // the delivered provenance, the threat model.
            for rule in scanner
                .rules()
                .iter()
                .copied()
                .chain(oversight_advisories::findings::RULES.iter().copied())
                .chain(oversight_app::review::review_rules())
            {
                let (class, reference) = match behaviour.get(rule.id) {
                    Some(b) => (b.class.clone(), b.reference.as_str()),
                    None => (rule.category.to_string(), rule.summary),
                };
                writeln!(
                    out,
                    "{:<46} {:<8} {:<20} {}",
                    rule.id,
                    rule.default_severity.as_str(),
                    class,
                    reference
                )?;
            }
            // A reviewer's rules are checked against their own samples.
            if let Some(dir) = &args.rules {
                let failures = oversight_app::detectors::behaviour().check_samples(Some(dir));
                for failure in &failures {
                    term::err!("oversight: {failure}");
                }
                if !failures.is_empty() {
                    return Ok(EXIT_FINDINGS);
                }
            }
            Ok(EXIT_PASS)
        }
        Command::Init(args) => register::init(args),
        Command::Supplier { command } => register::supplier(command),
        Command::Engagement { command } => register::engagement(command),
        Command::Ledger { command } => register::ledger(command),
        Command::Review(args) => match args.command {
            Some(command) => history::review(command, &args.register),
            None => review::review(args),
        },
        Command::Export(args) => export::export(args),
        Command::Escrow { command } => escrow::escrow(command),
        Command::Pack {
            command: args::PackCommand::Verify { dir, public_key },
        } => pack::verify(&dir, &public_key),
        Command::Evidence { command } => gate::evidence(command),
        Command::Threats { command } => threats::threats(command),
        Command::Waive(args) => gate::waive(args),
        Command::Waiver { command } => history::waiver(command),
        Command::Approver { command } => gate::approver(command),
        Command::Status(args) => gate::status(args),
        Command::Db { command } => supply_chain::db(command),
        Command::Sbom(args) => supply_chain::sbom(args),
        Command::Notice(args) => notice::notice(args),
        Command::Serve(args) => serve::serve(args),
        Command::Worker(args) => worker::worker(args),
        Command::WorkerRole(args) => worker::worker_role(args),
        Command::Submit(args) => submit::submit(args),
        Command::Config { command } => match command {
            ConfigCommand::Template => {
                print!("{}", oversight_scan::config::TEMPLATE);
                Ok(EXIT_PASS)
            }
            ConfigCommand::Path => {
                match oversight_scan::config::default_path() {
                    Some(p) => println!("{}", p.display()),
                    None => println!("(no configuration directory: set HOME or XDG_CONFIG_HOME)"),
                }
                Ok(EXIT_PASS)
            }
        },
    }
}

pub(crate) use oversight_app::scan::Scanned;

/// The scan request of `oversight scan`'s arguments.
pub(crate) fn scan_request(args: &ScanArgs) -> oversight_app::scan::ScanRequest {
    oversight_app::scan::ScanRequest {
        target: args.target.clone(),
        read: args.read.options(),
        fail_on: args.fail_on,
        secrets_config: args.secrets_config.clone(),
        no_secrets: args.no_secrets,
        no_licenses: args.no_licenses,
        no_deps: args.no_deps,
        baseline: args.baseline.clone(),
        license_policy: args.license_policy.clone(),
        expected_holders: args.expected_holders.clone(),
    }
}

/// Runs the scan pipeline with a progress bar when standard error is a
/// terminal and `--no-progress` was not given.
pub(crate) fn run_scan(
    request: &oversight_app::scan::ScanRequest,
    read: &args::ReadArgs,
    options: oversight_scan::ScanOptions,
    policy: Option<oversight_licenses::LicensePolicy>,
) -> anyhow::Result<Scanned> {
    let show_progress = !read.no_progress && std::io::stderr().is_terminal();
    let progress = progress::Bar::new(show_progress);
    Ok(oversight_app::scan::run_scan(
        request, options, policy, &progress,
    )?)
}

/// `--rules DIR`: the reviewer's behaviour rules, loaded whole before
/// anything is scanned (an invalid file stops the command).
pub(crate) fn load_rule_dir(dir: Option<&std::path::Path>) -> anyhow::Result<()> {
    if let Some(dir) = dir {
        oversight_app::detectors::use_rule_dir(dir).with_context(|| {
            format!(
                "The behaviour rules of `{}` were not loaded; nothing was scanned",
                dir.display()
            )
        })?;
    }
    Ok(())
}

fn scan(mut args: ScanArgs) -> anyhow::Result<u8> {
    load_rule_dir(args.read.rules.as_deref())?;
    // `--policy`: the organisation's acceptance check, run by the supplier.
    let policy = match &args.policy {
        Some(path) => {
            let text = fs_err::read_to_string(path).with_context(|| {
                format!("Cannot read the acceptance policy `{}`", path.display())
            })?;
            Some(oversight_policy::Policy::parse(
                &text,
                &path.display().to_string(),
            )?)
        }
        None => None,
    };
    let mut request = scan_request(&args);
    let mut options = oversight_app::scan::scan_options(&request)?;
    if let Some(policy) = &policy {
        options.record_manifest = true;
        if args.expected_holders.is_empty()
            && let Some(holders) = policy.expected_holders()
        {
            args.expected_holders = holders.to_vec();
            request.expected_holders = holders.to_vec();
        }
    }
    let scanned = run_scan(
        &request,
        &args.read,
        options,
        policy.as_ref().and_then(|p| p.license().cloned()),
    )?;
    let decision = policy.as_ref().map(|policy| {
        let root = if args.target.is_dir() {
            args.target.clone()
        } else {
            args.target
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default()
        };
        let read = |path: &str| oversight_app::scan::read_from_tree(&root, path);
        let manifest = oversight_gate::Manifest::of_report(&scanned.report);
        oversight_app::review::evaluate(
            policy,
            &scanned,
            &manifest,
            &read,
            &[],
            jiff::Timestamp::now(),
        )
    });
    let Scanned {
        report,
        advisories,
        vex,
    } = scanned;

    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let human = oversight_report::HumanOptions {
        color,
        max_findings: None,
        min_severity: if args.verbose {
            oversight_model::Severity::Info
        } else {
            oversight_model::Severity::Low
        },
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            fs_err::File::create(path).context("Cannot create the output file")?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    match (args.format.report(), &advisories) {
        (Some(format), _) => oversight_report::write(&report, format, &human, &mut out)?,
        (None, Some(db)) => {
            writeln!(out, "{}", supply_chain::openvex(&report, db, vex.as_ref()))?;
        }
        (None, None) => {
            anyhow::bail!("--format openvex needs the dependency scan (drop --no-deps)")
        }
    }
    out.flush().with_context(|| match &args.output {
        Some(path) => format!("Cannot write `{}`", path.display()),
        None => "Cannot write to standard output".to_owned(),
    })?;
    if let Some(decision) = decision {
        let lines = oversight_policy::render_lines(&decision).join("\n");
        if args.output.is_none() && matches!(args.format, args::ScanFormat::Human) {
            term::out!("\nAcceptance policy: {lines}");
        } else {
            term::err!("Acceptance policy: {lines}");
        }
        return Ok(match decision.outcome {
            oversight_policy::Outcome::Rejected => EXIT_FINDINGS,
            _ => EXIT_PASS,
        });
    }
    Ok(if report.passed() {
        EXIT_PASS
    } else {
        EXIT_FINDINGS
    })
}
