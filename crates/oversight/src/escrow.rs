//! `oversight escrow deposit|verify`: a thin layer over
//! `oversight_app::escrow`.

use anyhow::Context as _;

use crate::args::EscrowCommand;
use crate::register::{block_on, open};
use crate::term::out;

pub(crate) fn escrow(command: EscrowCommand) -> anyhow::Result<u8> {
    match command {
        EscrowCommand::Deposit {
            engagement,
            review,
            output,
            evidence,
            register,
        } => {
            let engagement = engagement
                .parse()
                .map_err(|e: oversight_register::IdError| anyhow::anyhow!("{e}"))?;
            let request = oversight_app::escrow::DepositRequest {
                engagement,
                review,
                output,
                evidence: oversight_app::paths::evidence_location(evidence.as_deref())?,
            };
            let deposited = block_on(async {
                let r = open(&register).await?;
                Ok::<_, anyhow::Error>(oversight_app::escrow::deposit(&r, &request).await?)
            })??;
            out!(
                "Deposited review {} as {} ({} bytes, SHA-256 {}): {} delivered files; ledger event #{}.",
                request.review,
                deposited.path.display(),
                deposited.size,
                deposited.sha256,
                deposited.files,
                deposited.event_seq
            );
            out!(
                "Signatures: {} (instance key), {} (OpenSSH; allowed signers in {}).",
                deposited.signature.display(),
                deposited.ssh_signature.display(),
                deposited.allowed_signers.display()
            );
            if deposited.build_instructions.is_empty() {
                out!("Build instructions: none found in the delivery.");
            } else {
                out!(
                    "Build instructions: {}",
                    deposited.build_instructions.join(", ")
                );
            }
            for n in &deposited.not_included {
                out!("Not deposited: {}: {}", n.path, n.reason);
            }
            Ok(0)
        }
        EscrowCommand::Verify {
            deposit,
            public_key,
            with_register,
            format,
            register,
        } => {
            let key = match &public_key {
                None => None,
                Some(text) => {
                    let content = if std::path::Path::new(text).is_file() {
                        fs_err::read_to_string(text)?
                    } else {
                        text.clone()
                    };
                    Some(oversight_escrow::parse_public_key(&content).with_context(|| {
                        format!(
                            "--public-key `{text}` is neither 64 hex digits nor an ssh-ed25519 key (or a file holding one)"
                        )
                    })?)
                }
            };
            let report = block_on(async {
                let r = if with_register {
                    Some(open(&register).await?)
                } else {
                    None
                };
                Ok::<_, anyhow::Error>(
                    oversight_app::escrow::verify(r.as_ref(), &deposit, key).await?,
                )
            })??;
            let passed = report.level1_ok() && report.level2_ok();
            if format == "json" {
                out!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(u8::from(!passed));
            }
            out!(
                "Deposit {}: {} bytes, SHA-256 {}; review {} of engagement {}; {} delivered files, {} SBOM components.",
                deposit.display(),
                report.size,
                report.sha256,
                report.review.as_deref().unwrap_or("?"),
                report.engagement.as_deref().unwrap_or("?"),
                report.source_files,
                report.components
            );
            let level = |n: u8, ok: bool, problems: &[oversight_escrow::Problem]| {
                if ok {
                    out!("Level {n}: passed.");
                } else {
                    out!("Level {n}: FAILED ({} problems):", problems.len());
                    for p in problems {
                        out!("  {}: {}", p.item, p.reason);
                    }
                }
            };
            level(1, report.level1_ok(), &report.level1);
            if report.level2_checked {
                level(2, report.level2_ok(), &report.level2);
            } else {
                out!("Level 2: not checked: the deposit could not be read.");
            }
            out!(
                "Level 3 (build) is the escrow agent's: record their report with `oversight evidence add --kind escrow-deposit-report`."
            );
            Ok(u8::from(!passed))
        }
    }
}
