//! `oversight pack verify PACK --public-key HEX`: an auditor's check of an
//! exported evidence pack (a directory, or the zip the server serves) with
//! nothing but the pack and the instance's public key
//! ([`oversight_app::pack::verify`] says what is checked). Every problem is
//! named; exit 1 if there is any.

use std::path::Path;

use anyhow::Context as _;
use oversight_ledger::PublicKey;

use crate::term::out;

pub(crate) fn verify(pack: &Path, public_key: &str) -> anyhow::Result<u8> {
    let key = PublicKey::from_hex(public_key).with_context(|| {
        format!("--public-key `{public_key}` is not an Ed25519 public key (64 hex digits)")
    })?;
    let files = if pack.is_file() {
        oversight_app::pack::read_zip(pack)?
    } else {
        oversight_app::pack::read_dir(pack)?
    };
    let report = oversight_app::pack::verify(files, &key);
    out!(
        "Pack {}: {} files, ledger of {} events (head #{}), {} reviews, public key {}",
        pack.display(),
        report.files,
        report.events,
        report.head,
        report.reviews,
        report.key_fingerprint
    );
    if report.verified() {
        out!("Pack verified: signed list, every file, ledger, checkpoint and review evidence.");
        Ok(0)
    } else {
        out!(
            "Pack verification FAILED ({} problems):",
            report.problems.len()
        );
        for p in &report.problems {
            out!("  {p}");
        }
        Ok(1)
    }
}
