//! Backup and restore as `deploy/README.md` describes it: `pg_dump` of the
//! database, a copy of the evidence directory and of the instance key,
//! restored into a fresh database and directories; the restored copy
//! passes `ledger verify` and `evidence verify`, and fails the latter when
//! a blob is missing from the restored evidence.

use std::path::{Path, PathBuf};
use std::process::Command;

use oversight_test_support::postgres::TempDatabase;

use crate::util::oversight;

/// A PostgreSQL client tool: on PATH, or in the newest
/// /usr/lib/postgresql/*/bin. Missing is a failure naming it, never a skip.
fn pg_tool(name: &str) -> PathBuf {
    if let Ok(out) = Command::new(name).arg("--version").output()
        && out.status.success()
    {
        return PathBuf::from(name);
    }
    let mut found: Vec<PathBuf> = fs_err::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(Result::ok)
                .map(|d| d.path().join("bin").join(name))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!("`{name}` (the PostgreSQL client tools) is needed to test backups: install postgresql-client")
    })
}

fn tool(path: &Path, args: &[&str]) {
    let out = Command::new(path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run: {e}", path.display()));
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An installation: its data and configuration directories and database.
struct Site {
    root: PathBuf,
    database: String,
    evidence: PathBuf,
}

impl Site {
    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = oversight()
            .args(args)
            .env("XDG_DATA_HOME", self.root.join("data"))
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            .env("OVERSIGHT_DATABASE", &self.database)
            .env("OVERSIGHT_EVIDENCE", &self.evidence)
            .env("OVERSIGHT_ACTOR", "reviewer@example.org")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn key(&self) -> PathBuf {
        self.root.join("config/oversight/instance.key")
    }
}

fn copy_tree(from: &Path, to: &Path) -> usize {
    let mut files = 0;
    fs_err::create_dir_all(to).unwrap();
    for entry in fs_err::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            files += copy_tree(&entry.path(), &target);
        } else {
            fs_err::copy(entry.path(), &target).unwrap();
            files += 1;
        }
    }
    files
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs_err::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn a_postgres_register_restored_from_backup_verifies() {
    let pg_dump = pg_tool("pg_dump");
    let pg_restore = pg_tool("pg_restore");
    let dir = tempfile::tempdir().unwrap();
    let live_db = TempDatabase::new("backup_live");
    let live = Site {
        root: dir.path().join("live"),
        database: live_db.url(),
        evidence: dir.path().join("evidence"),
    };
    let (code, out) = live.run(&["init", "--example"]);
    assert_eq!(code, 0, "{out}");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/sample-delivery"
    );
    for _ in 0..2 {
        let (code, out) = live.run(&[
            "review",
            sample,
            "--engagement",
            "acme-portal",
            "--no-progress",
        ]);
        assert!(code == 0 || code == 1, "a decision: {out}");
    }
    let (code, live_ledger) = live.run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{live_ledger}");
    let (code, live_evidence) = live.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{live_evidence}");
    assert!(
        live_evidence.contains("referred to by 2 reviews"),
        "{live_evidence}"
    );

    // The backup: the database, the evidence directory, the key.
    let backup = dir.path().join("backup");
    fs_err::create_dir_all(&backup).unwrap();
    let dump = backup.join("oversight.dump");
    tool(
        &pg_dump,
        &[
            "--format=custom",
            "--no-owner",
            "--file",
            dump.to_str().unwrap(),
            &live_db.url(),
        ],
    );
    let copied = copy_tree(&live.evidence, &backup.join("evidence"));
    assert!(copied > 0);
    fs_err::copy(live.key(), backup.join("instance.key")).unwrap();
    // The installation is lost: database, evidence, key.
    drop(live_db);
    fs_err::remove_dir_all(&live.evidence).unwrap();
    fs_err::remove_dir_all(&live.root).unwrap();

    // The restore: a fresh database and fresh directories. Reviews record
    // where their evidence went, so the evidence goes back to the same
    // location (path or bucket); elsewhere, `evidence verify` reports
    // those reviews as not checked and fails.
    let restored_db = TempDatabase::new("backup_restored");
    let restored = Site {
        root: dir.path().join("restored"),
        database: restored_db.url(),
        evidence: dir.path().join("evidence"),
    };
    tool(
        &pg_restore,
        &[
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            &restored_db.url(),
            dump.to_str().unwrap(),
        ],
    );
    copy_tree(&backup.join("evidence"), &restored.evidence);
    fs_err::create_dir_all(restored.key().parent().unwrap()).unwrap();
    fs_err::copy(backup.join("instance.key"), restored.key()).unwrap();

    let (code, out) = restored.run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, live_ledger, "the restored ledger is the same chain");
    let (code, out) = restored.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, live_evidence);

    // A backup that lost a blob does not verify.
    let packs: Vec<PathBuf> = files_under(&restored.evidence)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pack"))
        .collect();
    let lost = packs.first().cloned().unwrap_or_else(|| {
        files_under(&restored.evidence.join("sha256"))
            .into_iter()
            .next()
            .expect("a blob")
    });
    fs_err::remove_file(&lost).unwrap();
    let (code, out) = restored.run(&["evidence", "verify"]);
    assert_eq!(code, 1, "{} removed:\n{out}", lost.display());
}
