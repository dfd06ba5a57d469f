//! The scan use case: one pass over a delivery with every detector, then
//! advisory matching, component licences, the baseline and the grouping of
//! identical findings. `oversight scan`, the review and the server's review
//! job all run exactly this.

use std::path::{Path, PathBuf};

use oversight_advisories::Database;
use oversight_advisories::findings::Suppression;
use oversight_model::{Finding, ScanReport, Severity};
use oversight_sbom::{Vex, VexStatement, VexStatus};
pub use oversight_scan::NoProgress;
use oversight_scan::ScanOptions;

use crate::detectors;
use crate::error::{AppError, Result};

/// How a delivery is read: the reviewer's configuration and the revision.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// A scan configuration file; else the user's default one, if any.
    pub config: Option<PathBuf>,
    /// The git revision to scan.
    pub rev: Option<String>,
    /// Also scan the git history.
    pub history: bool,
    /// Worker threads.
    pub threads: Option<usize>,
    /// The advisory index; else the data directory's.
    pub advisories: Option<PathBuf>,
    /// The reviewer's VEX documents (never read from the delivery).
    pub vex: Vec<PathBuf>,
}

/// What to scan, and with which detectors.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// A directory, a file, an archive or a git repository.
    pub target: PathBuf,
    /// How it is read.
    pub read: ReadOptions,
    /// Overrides the configuration's failure threshold.
    pub fail_on: Option<Severity>,
    /// A gitleaks-format rule file instead of the built-in secret rules.
    pub secrets_config: Option<PathBuf>,
    /// No secret detection.
    pub no_secrets: bool,
    /// No licence or copyright detection.
    pub no_licenses: bool,
    /// No dependency inventory or advisory matching.
    pub no_deps: bool,
    /// Findings accepted earlier, left out of the report.
    pub baseline: Option<PathBuf>,
    /// A licence policy file (a review takes it from the acceptance policy).
    pub license_policy: Option<PathBuf>,
    /// The copyright holders the delivery is expected to name.
    pub expected_holders: Vec<String>,
}

impl ScanRequest {
    /// Every detector on `target`, the default configuration.
    pub fn new(target: PathBuf) -> ScanRequest {
        ScanRequest {
            target,
            read: ReadOptions::default(),
            fail_on: None,
            secrets_config: None,
            no_secrets: false,
            no_licenses: false,
            no_deps: false,
            baseline: None,
            license_policy: None,
            expected_holders: Vec::new(),
        }
    }
}

/// A finished scan with what the reports need besides the findings.
pub struct Scanned {
    /// Findings, components, manifest.
    pub report: ScanReport,
    /// The advisory index matched against, unless `no_deps`.
    pub advisories: Option<Database>,
    /// The reviewer's VEX statements.
    pub vex: Option<Vex>,
}

/// Loads the reviewer's configuration, then overrides it with `request`.
pub fn scan_options(request: &ScanRequest) -> Result<ScanOptions> {
    let mut options = match &request.read.config {
        Some(path) => oversight_scan::config::load(path)?,
        None => match oversight_scan::config::default_path().filter(|p| p.is_file()) {
            Some(path) => oversight_scan::config::load(&path)?,
            None => ScanOptions::default(),
        },
    };
    if let Some(fail_on) = request.fail_on {
        options.fail_on = fail_on;
    }
    if request.read.rev.is_some() {
        options.rev = request.read.rev.clone();
    }
    if request.read.history {
        options.history = true;
    }
    if request.read.threads.is_some() {
        options.threads = request.read.threads;
    }
    Ok(options)
}

/// Runs the whole scan pipeline of `request` with `options`. `policy`,
/// when given, replaces `license_policy` (the review takes it from the
/// acceptance policy).
pub fn run_scan(
    request: &ScanRequest,
    options: ScanOptions,
    policy: Option<oversight_licenses::LicensePolicy>,
    progress: &dyn oversight_scan::Progress,
) -> Result<Scanned> {
    let baseline = match &request.baseline {
        Some(path) => Some(oversight_report::baseline::Baseline::load(path)?),
        None => None,
    };
    let secrets = match (&request.secrets_config, request.no_secrets) {
        (_, true) => detectors::Secrets::Off,
        (Some(path), false) => detectors::Secrets::Gitleaks(path),
        (None, false) => detectors::Secrets::Builtin,
    };
    let licenses = oversight_licenses::LicenseOptions {
        policy: match (policy, &request.license_policy) {
            (Some(policy), _) => Some(policy),
            (None, Some(path)) => Some(oversight_licenses::LicensePolicy::load(path)?),
            (None, None) => None,
        },
        expected_holders: request
            .expected_holders
            .iter()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .collect(),
    };
    let license_policy = licenses.policy.clone();
    let scanner = oversight_scan::ScannerBuilder::new()
        .detectors(detectors::all(
            secrets,
            (!request.no_licenses).then_some(licenses),
            !request.no_deps,
        )?)
        .options(options)
        .build()?;
    let mut report = scanner.scan(&request.target, progress)?;
    let vex = load_vex(&request.read.vex)?;
    let advisories = if request.no_deps {
        None
    } else {
        let dir = crate::paths::advisories_dir(request.read.advisories.as_deref())?;
        let db = Database::open(&dir).map_err(|source| AppError::Advisories {
            dir: dir.clone(),
            source,
        })?;
        add_vulnerabilities(&mut report, &db, vex.as_ref(), scanner.options());
        Some(db)
    };
    if !request.no_licenses {
        add_component_licences(&mut report, license_policy.as_ref(), scanner.options());
    }
    if let Some(baseline) = &baseline {
        baseline.apply(&mut report);
    }
    // Ten thousand findings of one cause (an archive bomb) are one finding
    // with a count, in every output format and in the review record.
    report.group_identical();
    Ok(Scanned {
        report,
        advisories,
        vex,
    })
}

/// Loads the reviewer's VEX documents (never from inside the delivery).
pub fn load_vex(paths: &[PathBuf]) -> Result<Option<Vex>> {
    let mut all: Option<Vex> = None;
    for path in paths {
        let bytes = fs_err::read(path).map_err(|source| AppError::Read {
            path: path.clone(),
            source,
        })?;
        let vex = Vex::load(&path.display().to_string(), &bytes)?;
        match &mut all {
            Some(all) => all.extend(vex),
            None => all = Some(vex),
        }
    }
    Ok(all)
}

/// Adds the vulnerability findings of the report's components: matches in
/// the advisory index, minus what the reviewer's VEX says does not apply.
pub fn add_vulnerabilities(
    report: &mut ScanReport,
    db: &Database,
    vex: Option<&Vex>,
    options: &ScanOptions,
) {
    if report.components.is_empty() {
        return;
    }
    let suppress = |ids: &[String], purl: &str| -> Option<Suppression> {
        let statement = vex?.status_for(ids, purl)?;
        matches!(statement.status, VexStatus::NotAffected | VexStatus::Fixed).then(|| Suppression {
            status: statement.status.openvex_name().to_owned(),
            justification: justification_text(statement),
        })
    };
    let severity = |rule: &str| options.severity.get(rule).copied();
    let findings =
        oversight_advisories::findings::findings(db, &report.components, &suppress, &severity);
    add_findings(report, findings);
    for rule in oversight_advisories::findings::RULES {
        if !report.rules.iter().any(|r| r.id == rule.id) {
            report.rules.push(rule);
        }
    }
}

/// Adds the licence findings that need the whole inventory: components
/// whose declared licence the reviewer's policy denies or that cannot be
/// mapped to SPDX; and drops `license.foreign-copyright` findings in files
/// of declared vendored components (their holders are the components'
/// authors, not copied code).
pub fn add_component_licences(
    report: &mut ScanReport,
    policy: Option<&oversight_licenses::LicensePolicy>,
    options: &ScanOptions,
) {
    use oversight_licenses::components;
    components::exempt_third_party(&mut report.findings, &report.components);
    let severity = |rule: &str| options.severity.get(rule).copied();
    let findings = components::component_findings(&report.components, policy, &severity);
    add_findings(report, findings);
}

fn justification_text(s: &VexStatement) -> String {
    let mut parts = Vec::new();
    if let Some(j) = s.justification {
        parts.push(j.openvex_name().to_owned());
    }
    if let Some(text) = &s.impact_statement {
        parts.push(text.clone());
    }
    if parts.is_empty() {
        parts.push("no justification given".to_owned());
    }
    format!("{} ({})", parts.join(": "), s.source)
}

fn add_findings(report: &mut ScanReport, findings: Vec<Finding>) {
    report.findings.extend(findings);
    report.findings.sort_by(|a, b| {
        (&a.location, a.rule.id, &a.fingerprint).cmp(&(&b.location, b.rule.id, &b.fingerprint))
    });
}

/// The bytes of a delivered file under `root` (a directory on disk: the
/// delivery scanned in place, or the files a replay restored), a member of
/// a delivered archive read back out of it.
pub fn read_from_tree(root: &Path, path: &str) -> Option<Vec<u8>> {
    match path.split_once("!/") {
        None => std::fs::read(root.join(path)).ok(),
        Some((outer, inner)) => {
            oversight_archive::read_member(&std::fs::read(root.join(outer)).ok()?, inner)
        }
    }
}
