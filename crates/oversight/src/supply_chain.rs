//! Dependencies of a delivery: the advisory database (`db`), known
//! vulnerabilities of a scan's components, SBOMs and VEX (`sbom`,
//! `--vex`, `--format openvex`).

use crate::term::{err, out};
use std::path::{Path, PathBuf};

use anyhow::Context;
use oversight_advisories::Database;
use oversight_model::ScanReport;

use oversight_sbom::{Vex, VexStatement, VexStatus};

use crate::args::{DbCommand, SbomArgs, SbomCommand, SbomFormat};

/// Where the advisory index lives: `--advisories`, `OVERSIGHT_ADVISORIES`,
/// else `$XDG_DATA_HOME/oversight/advisories` (or `~/.local/share/…`).
pub(crate) fn advisories_dir(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    Ok(oversight_app::paths::advisories_dir(flag)?)
}

/// `oversight db …`.
pub(crate) fn db(command: DbCommand) -> anyhow::Result<u8> {
    match command {
        DbCommand::Import { path, advisories } => {
            let dir = advisories_dir(advisories.as_deref())?;
            let mut db = Database::open(&dir).with_context(|| {
                format!("Cannot open the advisory index in `{}`", dir.display())
            })?;
            let report = db
                .import(&path)
                .with_context(|| format!("Cannot import `{}`", path.display()))?;
            for d in &report.failed {
                err!("oversight: failed: {}: {}", d.path, d.reason);
            }
            for d in &report.skipped {
                err!("oversight: skipped: {}: {}", d.path, d.reason);
            }
            for note in &report.notes {
                err!("oversight: note: {note}");
            }
            let s = &report.snapshot;
            out!(
                "Imported {} advisories ({} withdrawn, {} informational) from {} ({:?}), sha256:{}; {} failed, {} skipped. Index: {}",
                report.imported,
                report.withdrawn,
                report.informational,
                s.source,
                s.kind,
                s.digest,
                report.failed.len(),
                report.skipped.len(),
                dir.display()
            );
            Ok(if report.failed.is_empty() { 0 } else { 1 })
        }
        DbCommand::Update {
            ecosystems,
            advisories,
            mirror,
        } => {
            let dir = advisories_dir(advisories.as_deref())?;
            update(&dir, &ecosystems, &mirror)
        }
        DbCommand::Status { advisories } => {
            let dir = advisories_dir(advisories.as_deref())?;
            let db = Database::open(&dir).with_context(|| {
                format!("Cannot open the advisory index in `{}`", dir.display())
            })?;
            out!("Index: {}", dir.display());
            if db.snapshots().is_empty() {
                out!("No advisories imported yet: run `oversight db import PATH`.");
            }
            for s in db.snapshots() {
                let at = jiff::Timestamp::from_second(s.imported_at as i64)
                    .map_or_else(|_| s.imported_at.to_string(), |t| t.to_string());
                out!(
                    "{:>6} advisories  {:?}  sha256:{}  imported {at}  {}",
                    s.advisories,
                    s.kind,
                    s.digest,
                    s.source
                );
            }
            Ok(0)
        }
    }
}

/// Downloads each ecosystem's `all.zip` next to the index and imports it.
/// One failed download is reported and the others go on (exit 1).
fn update(dir: &Path, ecosystems: &[String], mirror: &str) -> anyhow::Result<u8> {
    let names: Vec<String> = if ecosystems.is_empty() {
        oversight_model::Ecosystem::ALL
            .iter()
            .map(|e| e.osv_name().to_owned())
            .collect()
    } else {
        ecosystems.to_vec()
    };
    let downloads = dir.join("downloads");
    fs_err::create_dir_all(&downloads)?;
    let mut db = Database::open(dir)
        .with_context(|| format!("Cannot open the advisory index in `{}`", dir.display()))?;
    let mut failed = 0;
    for name in names {
        let url = format!("{}/{name}/all.zip", mirror.trim_end_matches('/'));
        let path = downloads.join(format!("{name}-all.zip"));
        match download(&url, &path).and_then(|()| {
            db.import(&path)
                .with_context(|| format!("Cannot import `{}`", path.display()))
        }) {
            Ok(report) => out!(
                "{name}: {} advisories, sha256:{}",
                report.imported,
                report.snapshot.digest
            ),
            Err(err) => {
                failed += 1;
                err!("oversight: {name}: {err:#}");
            }
        }
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

/// Fetches `url` into `path` through a temporary file, so an interrupted
/// download never replaces a good zip.
fn download(url: &str, path: &Path) -> anyhow::Result<()> {
    let response = ureq::get(url)
        .call()
        .with_context(|| format!("Cannot download `{url}`"))?;
    let parent = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
    std::io::copy(&mut response.into_body().into_reader(), &mut tmp)
        .with_context(|| format!("Download of `{url}` broke off"))?;
    tmp.persist(path)
        .with_context(|| format!("Cannot write `{}`", path.display()))?;
    Ok(())
}

/// The OpenVEX document a reviewer starts from: one statement per advisory
/// and component of the report, `under_investigation` unless the reviewer's
/// VEX already decided it.
pub(crate) fn openvex(report: &ScanReport, db: &Database, vex: Option<&Vex>) -> String {
    let now = jiff::Timestamp::now().to_string();
    let mut statements: Vec<VexStatement> = Vec::new();
    let outcomes = db.match_components(&report.components);
    for (component, outcomes) in report.components.iter().zip(outcomes) {
        for outcome in outcomes {
            let oversight_advisories::Outcome::Affected(m) = outcome else {
                continue;
            };
            let decided = vex
                .and_then(|v| v.status_for(&m.ids, &component.purl))
                .cloned();
            let statement = decided.unwrap_or_else(|| VexStatement {
                vulnerabilities: m.ids.clone(),
                products: vec![component.purl.clone()],
                status: VexStatus::UnderInvestigation,
                justification: None,
                impact_statement: None,
                action_statement: None,
                timestamp: Some(now.clone()),
                source: report.target.clone(),
            });
            if !statements.contains(&statement) {
                statements.push(statement);
            }
        }
    }
    let id = format!(
        "urn:oversight:vex:{}",
        oversight_model::Fingerprint::compute(
            "openvex",
            &oversight_model::DeliveryPath::root(report.target.clone()),
            now.as_bytes(),
            0
        )
        .as_str()
    );
    oversight_sbom::openvex_json(&statements, "oversight", &now, &id)
}

/// `oversight sbom TARGET` and `oversight sbom diff SUPPLIED TARGET`.
pub(crate) fn sbom(args: SbomArgs) -> anyhow::Result<u8> {
    match args.command {
        Some(SbomCommand::Diff {
            supplied,
            target,
            output,
        }) => sbom_diff(&supplied, &target, output.as_deref()),
        None => {
            let target = args
                .target
                .context("Name the delivery: `oversight sbom TARGET`")?;
            sbom_write(&target, args.format, args.output.as_deref())
        }
    }
}

/// Reads the delivery's inventory, reporting what could not be read.
fn inventory(target: &Path) -> anyhow::Result<ScanReport> {
    let scanner = oversight_scan::ScannerBuilder::new()
        .detectors(vec![Box::new(oversight_deps::DependencyDetector::new())
            as Box<dyn oversight_detect::Detector>])
        .build()?;
    let report = scanner.scan(target, &oversight_scan::NoProgress)?;
    for f in report
        .findings
        .iter()
        .filter(|f| f.severity >= oversight_model::Severity::Medium)
    {
        err!(
            "oversight: {}: {}: {}",
            f.rule.id,
            f.location.path,
            f.message
        );
    }
    Ok(report)
}

fn sbom_diff(supplied: &Path, target: &Path, output: Option<&Path>) -> anyhow::Result<u8> {
    let report = inventory(target)?;
    {
        let bytes = fs_err::read(supplied)?;
        let sbom = oversight_sbom::read_sbom(&supplied.display().to_string(), &bytes)?;
        for problem in &sbom.problems {
            err!("oversight: {problem}");
        }
        let diff = oversight_sbom::diff(&sbom.entries, &report.components);
        let mut out = String::new();
        for p in &diff.missing {
            out.push_str(&format!(
                "missing from the supplied SBOM: {} {}\n",
                p.purl.as_deref().unwrap_or(&p.name),
                p.versions.join(", ")
            ));
        }
        for p in &diff.extra {
            out.push_str(&format!(
                "only in the supplied SBOM: {} {}\n",
                p.purl.as_deref().unwrap_or(&p.name),
                p.versions.join(", ")
            ));
        }
        for m in &diff.version_mismatches {
            out.push_str(&format!(
                "version mismatch: {}: supplied {}, delivered {}\n",
                m.name,
                m.supplied.join(", "),
                m.derived.join(", ")
            ));
        }
        out.push_str(&format!(
            "{} missing, {} extra, {} version mismatches ({} components delivered, {} in the supplied SBOM)\n",
            diff.missing.len(),
            diff.extra.len(),
            diff.version_mismatches.len(),
            report.components.len(),
            sbom.entries.len()
        ));
        write_out(output, &out)?;
        Ok(if diff.is_empty() { 0 } else { 1 })
    }
}

fn sbom_write(target: &Path, format: SbomFormat, output: Option<&Path>) -> anyhow::Result<u8> {
    let report = inventory(target)?;
    let name = target.file_name().map_or_else(
        || target.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let input = oversight_sbom::SbomInput {
        delivery: oversight_sbom::Delivery {
            name,
            version: None,
        },
        tool: oversight_sbom::Tool {
            name: "oversight".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        timestamp: jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        seed: report.target.clone(),
        components: &report.components,
        vulnerabilities: &[],
    };
    let text = match format {
        SbomFormat::Cyclonedx => oversight_sbom::cyclonedx_json(&input),
        SbomFormat::Spdx => oversight_sbom::spdx_json(&input),
    };
    write_out(output, &text)?;
    Ok(0)
}

fn write_out(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(path) => fs_err::write(path, text)?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}
