//! `oversight export --engagement ID --output DIR`: the evidence pack an
//! auditor reads, written by the application layer
//! ([`oversight_app::export`]) into a new or empty directory.

use std::path::PathBuf;

use oversight_app::pack::DirSink;
use oversight_evidence::EvidenceStore;
use oversight_register::EngagementId;

use crate::args::ExportArgs;
use crate::register::{block_on, data_dir, open};
use crate::term::out;

pub(crate) fn export(args: ExportArgs) -> anyhow::Result<u8> {
    let id: EngagementId = args.engagement.parse()?;
    if args.oscal {
        return oscal(&args, &id);
    }
    let pack: PathBuf = args.output.clone();
    let location = match &args.evidence {
        Some(location) => location.clone(),
        None => data_dir()?.join("evidence").display().to_string(),
    };
    let mut sink = DirSink::create(&pack)?;
    block_on(async {
        let r = open(&args.register).await?;
        let evidence = EvidenceStore::open(&location)?;
        let exported = oversight_app::export::export(&r, &evidence, &id, &mut sink).await?;
        out!(
            "Exported engagement `{}` to {}: {} reviews, {} waivers, {} files (SHA256SUMS); ledger {}",
            id.as_str(),
            pack.display(),
            exported.reviews,
            exported.waivers,
            exported.files,
            if exported.ledger.verified {
                "verified"
            } else {
                "FAILED verification"
            }
        );
        if !exported.evidence_problems.is_empty() {
            out!(
                "Evidence FAILED verification ({} problems); the pack records them in index.html:",
                exported.evidence_problems.len()
            );
            for problem in &exported.evidence_problems {
                out!("  {problem}");
            }
        }
        Ok(u8::from(!exported.verified()))
    })?
}

/// `oversight export --oscal`.
fn oscal(args: &ExportArgs, id: &EngagementId) -> anyhow::Result<u8> {
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    block_on(async {
        let r = open(&args.register).await?;
        let exported = oversight_app::oscal::export(&r, id, &args.output, &now).await?;
        out!(
            "Exported engagement `{}` as OSCAL 1.0.6 to {}: {} review(s) as results, {} POA&M item(s); {}",
            id.as_str(),
            args.output.display(),
            exported.reviews,
            exported.poam_items,
            exported
                .files
                .iter()
                .filter_map(|f| f.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(0)
    })?
}
