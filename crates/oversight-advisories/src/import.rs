//! Reading an advisory source (a directory tree or an osv.dev `all.zip`)
//! into advisories, with one diagnostic per file that was skipped or broken.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use oversight_model::Ecosystem;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::model::Advisory;
use crate::{osv, rustsec};

/// Advisory files larger than this are reported, not read (the largest
/// real OSV records are a few hundred KiB).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// What kind of source a snapshot was imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    /// A directory tree of OSV records (`*.json`, `*.yaml`, `*.yml`).
    OsvDirectory,
    /// An osv.dev per-ecosystem `all.zip`.
    OsvZip,
    /// A RustSec advisory-db checkout (`crates/<name>/RUSTSEC-*.md`).
    RustSec,
}

impl SourceKind {
    /// Short name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::OsvDirectory => "osv-directory",
            SourceKind::OsvZip => "osv-zip",
            SourceKind::RustSec => "rustsec",
        }
    }
}

/// One file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiagnostic {
    /// Path relative to the source (a zip member name for zips).
    pub path: String,
    /// Why it was skipped or failed.
    pub reason: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Yaml,
    RustSec,
}

/// The result of reading a source.
pub(crate) struct Collected {
    pub kind: SourceKind,
    pub advisories: Vec<Advisory>,
    pub digest: String,
    pub withdrawn: usize,
    pub informational: usize,
    pub skipped: Vec<FileDiagnostic>,
    pub failed: Vec<FileDiagnostic>,
    pub notes: Vec<String>,
}

struct Parsed {
    path: String,
    sha256: [u8; 32],
    result: Result<Advisory, String>,
}

fn parse_bytes(format: Format, bytes: &[u8]) -> Result<Advisory, String> {
    match format {
        Format::Json => osv::parse_json(bytes),
        Format::Yaml => osv::parse_yaml(bytes),
        Format::RustSec => {
            let text = std::str::from_utf8(bytes).map_err(|e| format!("Not UTF-8: {e}"))?;
            rustsec::parse(text)
        }
    }
}

fn format_of(rel: &str, rustsec_layout: bool) -> Option<Format> {
    let lower = rel.to_ascii_lowercase();
    let file = lower.rsplit('/').next().unwrap_or(&lower);
    if lower.ends_with(".json") {
        Some(Format::Json)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Format::Yaml)
    } else if lower.ends_with(".md")
        && (file.starts_with("rustsec-") || (rustsec_layout && lower.starts_with("crates/")))
    {
        Some(Format::RustSec)
    } else {
        None
    }
}

/// Whether `dir` is the root of a RustSec advisory-db checkout.
fn is_rustsec_root(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir.join("crates")) else {
        return false;
    };
    entries.flatten().take(64).any(|e| {
        std::fs::read_dir(e.path()).is_ok_and(|mut files| {
            files.any(|f| f.is_ok_and(|f| f.file_name().to_string_lossy().starts_with("RUSTSEC-")))
        })
    })
}

pub(crate) fn collect(path: &Path) -> Result<Collected, Error> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_dir() {
        collect_dir(path)
    } else {
        collect_zip(path)
    }
}

fn collect_dir(root: &Path) -> Result<Collected, Error> {
    let rustsec_layout = is_rustsec_root(root);
    let mut notes = Vec::new();
    let mut skipped = Vec::new();
    let mut failed = Vec::new();
    let mut files: Vec<(String, Format, std::path::PathBuf)> = Vec::new();
    let mut walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(|p| p.to_string_lossy().replace('\\', "/"));
                failed.push(FileDiagnostic {
                    path: rel.unwrap_or_default(),
                    reason: format!("Cannot list: {e}"),
                });
                continue;
            }
        };
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if entry.file_type().is_dir() {
            if rustsec_layout && rel == "osv" {
                notes.push("osv/: OSV copies of the native RustSec advisories, not imported twice (import osv/ on its own to use them)".into());
                walker.skip_current_dir();
            } else if entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.') {
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if rustsec_layout && rel.starts_with("rust/") && rel.ends_with(".md") {
            skipped.push(FileDiagnostic {
                path: rel,
                reason: "Rust toolchain advisory (rust/): names no crate, so nothing in a lockfile can match it".into(),
            });
            continue;
        }
        if rustsec_layout && !rel.starts_with("crates/") {
            continue;
        }
        if let Some(format) = format_of(&rel, rustsec_layout) {
            files.push((rel, format, entry.into_path()));
        }
    }
    if rustsec_layout && !skipped.is_empty() {
        notes.push(format!("rust/: {} toolchain advisories skipped (they concern rustc, cargo and std, not crates)", skipped.len()));
    }
    let kind = if files.iter().any(|(_, f, _)| *f == Format::RustSec) {
        SourceKind::RustSec
    } else {
        SourceKind::OsvDirectory
    };
    let parsed: Vec<Parsed> = files
        .par_iter()
        .map(|(rel, format, full)| {
            let bytes = read_bounded(full);
            let sha256 = match &bytes {
                Ok(b) => Sha256::digest(b).into(),
                Err(_) => [0u8; 32],
            };
            Parsed {
                path: rel.clone(),
                sha256,
                result: bytes.and_then(|b| parse_bytes(*format, &b)),
            }
        })
        .collect();
    finish(root, kind, parsed, skipped, failed, notes)
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let file = File::open(path).map_err(|e| format!("Cannot read: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("Cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("Larger than {MAX_FILE_BYTES} bytes"));
    }
    Ok(bytes)
}

fn collect_zip(path: &Path) -> Result<Collected, Error> {
    let zip_err = |reason: String| Error::Zip {
        path: path.to_owned(),
        reason,
    };
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| zip_err(e.to_string()))?;
    let mut parsed = Vec::new();
    let mut failed = Vec::new();
    // Members are read one by one (never extracted to disk) and parsed in
    // parallel batches.
    let mut batch: Vec<(String, Format, Vec<u8>)> = Vec::new();
    let flush = |batch: &mut Vec<(String, Format, Vec<u8>)>, parsed: &mut Vec<Parsed>| {
        parsed.par_extend(batch.par_drain(..).map(|(name, format, bytes)| Parsed {
            sha256: Sha256::digest(&bytes).into(),
            result: parse_bytes(format, &bytes),
            path: name,
        }));
    };
    for i in 0..archive.len() {
        let mut member = match archive.by_index(i) {
            Ok(m) => m,
            Err(e) => {
                failed.push(FileDiagnostic {
                    path: format!("#{i}"),
                    reason: format!("Unreadable zip member: {e}"),
                });
                continue;
            }
        };
        if member.is_dir() {
            continue;
        }
        let name = member.name().to_owned();
        let Some(format) = format_of(&name, false) else {
            continue;
        };
        if member.size() > MAX_FILE_BYTES {
            failed.push(FileDiagnostic {
                path: name,
                reason: format!("Larger than {MAX_FILE_BYTES} bytes"),
            });
            continue;
        }
        let mut bytes = Vec::with_capacity(member.size() as usize);
        if let Err(e) = (&mut member)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            failed.push(FileDiagnostic {
                path: name,
                reason: format!("Cannot decompress: {e}"),
            });
            continue;
        }
        batch.push((name, format, bytes));
        if batch.len() >= 1024 {
            flush(&mut batch, &mut parsed);
        }
    }
    flush(&mut batch, &mut parsed);
    parsed.sort_by(|a, b| a.path.cmp(&b.path));
    finish(
        path,
        SourceKind::OsvZip,
        parsed,
        Vec::new(),
        failed,
        Vec::new(),
    )
}

fn finish(
    root: &Path,
    kind: SourceKind,
    parsed: Vec<Parsed>,
    mut skipped: Vec<FileDiagnostic>,
    mut failed: Vec<FileDiagnostic>,
    notes: Vec<String>,
) -> Result<Collected, Error> {
    if parsed.is_empty() {
        return Err(Error::NothingToImport {
            path: root.to_owned(),
        });
    }
    let mut hasher = Sha256::new();
    let mut advisories: Vec<Advisory> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let (mut withdrawn, mut informational) = (0, 0);
    for p in parsed {
        hasher.update(p.path.as_bytes());
        hasher.update([0]);
        hasher.update(hex(&p.sha256).as_bytes());
        hasher.update(b"\n");
        match p.result {
            Err(reason) => failed.push(FileDiagnostic {
                path: p.path,
                reason,
            }),
            Ok(mut adv) => {
                let all = adv.affected.len();
                adv.affected
                    .retain(|a| Ecosystem::from_osv_name(&a.ecosystem).is_some());
                if adv.affected.is_empty() {
                    let reason = if all == 0 {
                        "No affected package".to_owned()
                    } else {
                        "No affected package in a supported ecosystem".to_owned()
                    };
                    skipped.push(FileDiagnostic {
                        path: p.path,
                        reason,
                    });
                    continue;
                }
                if let Some(first) = seen.get(&adv.id) {
                    skipped.push(FileDiagnostic {
                        path: p.path,
                        reason: format!("Duplicate of {} (first read from {first})", adv.id),
                    });
                    continue;
                }
                seen.insert(adv.id.clone(), p.path);
                withdrawn += usize::from(adv.withdrawn);
                informational += usize::from(adv.informational.is_some());
                advisories.push(adv);
            }
        }
    }
    Ok(Collected {
        kind,
        advisories,
        digest: hex(&hasher.finalize()),
        withdrawn,
        informational,
        skipped,
        failed,
        notes,
    })
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}
