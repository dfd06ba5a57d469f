//! Integration tests: repositories built with the `git` CLI in temporary
//! directories, and real repositories from the gitleaks test corpus.

use oversight_git::{EntryKind, Error, Repo, RepoKind, TreeEntry, tree_issues};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn corpus() -> PathBuf {
    oversight_test_support::corpus("gitleaks/testdata/repos")
}

const ALICE: (&str, &str) = ("Alice Archer", "alice@supplier.example");
const BOB: (&str, &str) = ("Bob Baker", "bob@supplier.example");
const CAROL: (&str, &str) = ("Carol Cook", "carol@supplier.example");

/// Runs `git` in `dir` with no user or system configuration and a fixed
/// identity and date, and returns its trimmed standard output.
fn git(dir: &Path, args: &[&str]) -> String {
    git_with(dir, args, &[], None)
}

fn git_with(dir: &Path, args: &[&str], env: &[(&str, String)], stdin: Option<&[u8]>) -> String {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Fixture")
        .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
        .env("GIT_COMMITTER_NAME", "Fixture")
        .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
        .env("GIT_AUTHOR_DATE", "1700000000 +0000")
        .env("GIT_COMMITTER_DATE", "1700000000 +0000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("git runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("git reads stdin");
    }
    drop(input);
    let output = child.wait_with_output().expect("git finishes");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("git prints UTF-8")
        .trim()
        .to_owned()
}

/// Commits what is staged, as `author` and `committer`, at `time`.
fn commit(dir: &Path, message: &str, author: (&str, &str), committer: (&str, &str), time: i64) {
    let date = format!("{time} +0000");
    let env = [
        ("GIT_AUTHOR_NAME", author.0.to_owned()),
        ("GIT_AUTHOR_EMAIL", author.1.to_owned()),
        ("GIT_COMMITTER_NAME", committer.0.to_owned()),
        ("GIT_COMMITTER_EMAIL", committer.1.to_owned()),
        ("GIT_AUTHOR_DATE", date.clone()),
        ("GIT_COMMITTER_DATE", date),
    ];
    git_with(dir, &["commit", "-q", "-m", message], &env, None);
}

fn write(dir: &Path, path: &str, content: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("mkdir");
    std::fs::write(path, content).expect("write fixture file");
}

/// Stages a symlink without creating one on disk, so the test runs anywhere.
fn stage_symlink(dir: &Path, path: &str, target: &str) {
    let blob = git_with(
        dir,
        &["hash-object", "-w", "--stdin"],
        &[],
        Some(target.as_bytes()),
    );
    git(
        dir,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("120000,{blob},{path}"),
        ],
    );
}

/// The commit ids of the fixture, oldest first.
struct Fixture {
    _temp: tempfile::TempDir,
    work: PathBuf,
    commits: Vec<String>,
    submodule_commit: String,
}

/// A work tree with five commits on `main`:
///
/// 1. Alice: `README.md`
/// 2. Bob (committed by Alice): `src/lib.rs`; branch `feature` stays here
/// 3. Alice: executable `run.sh`; annotated tag `v1.0`
/// 4. Carol: symlinks and a submodule entry
/// 5. Carol, written by hand with a `gpgsig` header
fn fixture() -> Fixture {
    let temp = tempfile::tempdir().expect("temp dir");
    let work = temp.path().join("delivery");
    std::fs::create_dir(&work).expect("mkdir");
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["config", "core.filemode", "true"]);
    let mut commits = Vec::new();
    let mut head = |work: &Path| commits.push(git(work, &["rev-parse", "HEAD"]));

    write(&work, "README.md", "# Delivery\n\nHello reviewer.\n");
    git(&work, &["add", "README.md"]);
    commit(&work, "Add readme", ALICE, ALICE, 1_700_000_100);
    head(&work);

    write(&work, "src/lib.rs", "pub fn answer() -> u32 { 42 }\n");
    git(&work, &["add", "src/lib.rs"]);
    commit(&work, "Add library", BOB, ALICE, 1_700_000_200);
    head(&work);
    git(&work, &["branch", "feature"]);

    write(&work, "run.sh", "#!/bin/sh\necho run\n");
    git(&work, &["add", "--chmod=+x", "run.sh"]);
    commit(&work, "Add runner", ALICE, ALICE, 1_700_000_300);
    head(&work);
    git(&work, &["tag", "-a", "-m", "Release 1.0", "v1.0"]);

    stage_symlink(&work, "passwd", "/etc/passwd");
    stage_symlink(&work, "docs/outside", "../../outside");
    stage_symlink(&work, "docs/readme", "../README.md");
    let submodule_commit = "1111111111111111111111111111111111111111".to_owned();
    git(
        &work,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{submodule_commit},vendor/sub"),
        ],
    );
    commit(&work, "Add links and vendor", CAROL, CAROL, 1_700_000_400);
    head(&work);

    let tree = git(&work, &["rev-parse", "HEAD^{tree}"]);
    let parent = git(&work, &["rev-parse", "HEAD"]);
    let signed = format!(
        "tree {tree}\n\
         parent {parent}\n\
         author Carol Cook <carol@supplier.example> 1700000500 +0000\n\
         committer Carol Cook <carol@supplier.example> 1700000500 +0000\n\
         gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEZmFrZSBzaWduYXR1cmUgZm9yIHRlc3Rz\n =fake\n -----END PGP SIGNATURE-----\n\
         \n\
         Signed release\n"
    );
    let id = git_with(
        &work,
        &["hash-object", "-t", "commit", "-w", "--stdin"],
        &[],
        Some(signed.as_bytes()),
    );
    git(&work, &["update-ref", "refs/heads/main", &id]);
    commits.push(id);

    Fixture {
        _temp: temp,
        work,
        commits,
        submodule_commit,
    }
}

fn open(path: &Path) -> Repo {
    Repo::open(path)
        .expect("opens without error")
        .expect("is a repository")
}

fn person(name: &str, email: &str, commits: u64) -> oversight_model::Person {
    oversight_model::Person {
        name: name.to_owned(),
        email: email.to_owned(),
        commits,
    }
}

fn entry<'a>(entries: &'a [TreeEntry], path: &str) -> &'a TreeEntry {
    entries
        .iter()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("{path} is listed"))
}

#[test]
fn work_tree_facts() {
    let fixture = fixture();
    let repo = open(&fixture.work);
    assert_eq!(
        repo.kind(),
        &RepoKind::WorkTree {
            workdir: fixture.work.clone()
        }
    );

    let facts = repo.facts("HEAD").expect("facts");
    assert_eq!(facts.rev, "HEAD");
    assert_eq!(facts.commit, fixture.commits[4]);
    assert_eq!(facts.commit_count, 5);
    assert_eq!(
        facts.authors,
        vec![
            person(ALICE.0, ALICE.1, 2),
            person(CAROL.0, CAROL.1, 2),
            person(BOB.0, BOB.1, 1),
        ]
    );
    assert_eq!(
        facts.committers,
        vec![person(ALICE.0, ALICE.1, 3), person(CAROL.0, CAROL.1, 2)]
    );
    assert_eq!(facts.signed_commits, 1);
    // Newest first, the signed commit left out.
    let unsigned: Vec<&String> = fixture.commits[..4].iter().rev().collect();
    assert_eq!(
        facts.unsigned_commit_ids.iter().collect::<Vec<_>>(),
        unsigned
    );
}

#[test]
fn revisions() {
    let fixture = fixture();
    let repo = open(&fixture.work);
    assert_eq!(repo.resolve("HEAD").expect("HEAD"), fixture.commits[4]);
    assert_eq!(repo.resolve("main").expect("branch"), fixture.commits[4]);
    // An annotated tag is peeled to its commit.
    assert_eq!(repo.resolve("v1.0").expect("tag"), fixture.commits[2]);
    assert_eq!(repo.resolve("feature").expect("branch"), fixture.commits[1]);
    assert_eq!(
        repo.resolve("HEAD~3").expect("ancestor"),
        fixture.commits[1]
    );
    assert_eq!(
        repo.resolve(&fixture.commits[0][..12]).expect("short id"),
        fixture.commits[0]
    );
    assert_eq!(
        repo.resolve("HEAD^{tree}").ok(),
        None,
        "a tree is no commit"
    );

    assert_eq!(repo.facts("v1.0").expect("tag").commit_count, 3);
    let feature = repo.facts("feature").expect("branch");
    assert_eq!(feature.commit_count, 2);
    assert_eq!(feature.rev, "feature");
    assert_eq!(feature.signed_commits, 0);

    let error = repo.resolve("no-such-branch").expect_err("unknown");
    assert!(matches!(error, Error::Resolve { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("`no-such-branch`"), "{message}");
    assert!(
        message.contains(&fixture.work.display().to_string()),
        "{message}"
    );
    assert!(repo.facts("no-such-branch").is_err());
    assert!(repo.tree_entries("no-such-branch").is_err());
}

#[test]
fn tree_blobs_and_issues() {
    let fixture = fixture();
    let repo = open(&fixture.work);
    let entries = repo.tree_entries("HEAD").expect("entries");
    let listed: Vec<(&str, EntryKind)> =
        entries.iter().map(|e| (e.path.as_str(), e.kind)).collect();
    assert_eq!(
        listed,
        vec![
            ("README.md", EntryKind::File),
            ("docs/outside", EntryKind::Symlink),
            ("docs/readme", EntryKind::Symlink),
            ("passwd", EntryKind::Symlink),
            ("run.sh", EntryKind::Executable),
            ("src/lib.rs", EntryKind::File),
            ("vendor/sub", EntryKind::Submodule),
        ]
    );
    let readme = entry(&entries, "README.md");
    assert_eq!(
        readme.oid,
        git(&fixture.work, &["rev-parse", "HEAD:README.md"])
    );
    assert_eq!(readme.size, Some(28));
    assert_eq!(entry(&entries, "passwd").size, Some(11));
    let submodule = entry(&entries, "vendor/sub");
    assert_eq!(submodule.oid, fixture.submodule_commit);
    assert_eq!(submodule.size, None);

    let mut reader = repo.blob_reader();
    assert_eq!(
        reader.read(&readme.oid, 1024).expect("readme"),
        b"# Delivery\n\nHello reviewer.\n"
    );
    assert_eq!(
        reader.read(&readme.oid, 28).expect("exactly at the limit"),
        b"# Delivery\n\nHello reviewer.\n"
    );
    assert_eq!(
        reader
            .read(&entry(&entries, "passwd").oid, 100)
            .expect("link"),
        b"/etc/passwd"
    );
    let too_large = reader.read(&readme.oid, 10).expect_err("over the limit");
    assert!(
        matches!(
            too_large,
            Error::TooLarge {
                size: 28,
                max_bytes: 10,
                ..
            }
        ),
        "{too_large:?}"
    );
    assert!(too_large.to_string().contains(&readme.oid));
    let invalid = reader.read("not-an-id", 10).expect_err("invalid");
    assert!(matches!(invalid, Error::InvalidOid { .. }), "{invalid:?}");
    let commit = reader
        .read(&fixture.commits[0], 1 << 20)
        .expect_err("a commit");
    assert!(matches!(commit, Error::NotABlob { .. }), "{commit:?}");
    let missing = reader
        .read("2222222222222222222222222222222222222222", 10)
        .expect_err("missing");
    assert!(
        matches!(missing, Error::MissingObject { .. }),
        "{missing:?}"
    );

    // The tree of an older revision.
    let old: Vec<String> = repo
        .tree_entries("feature")
        .expect("entries")
        .into_iter()
        .map(|e| e.path)
        .collect();
    assert_eq!(old, ["README.md", "src/lib.rs"]);

    let issues = tree_issues(&repo, &entries);
    let found: Vec<(&str, Option<&str>)> = issues
        .iter()
        .map(|i| (i.rule.id, i.path.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("integrity.git-symlink-outside", Some("docs/outside")),
            ("integrity.git-symlink-outside", Some("passwd")),
            ("coverage.git-submodule", Some("vendor/sub")),
        ]
    );
    assert!(
        issues[0].message.contains("../../outside"),
        "{}",
        issues[0].message
    );
    assert!(
        issues[1].message.contains("/etc/passwd"),
        "{}",
        issues[1].message
    );
    assert!(issues[2].message.contains(&fixture.submodule_commit));
}

#[test]
fn bare_clone_reads_the_same() {
    let fixture = fixture();
    let bare = fixture
        .work
        .parent()
        .expect("temp dir")
        .join("delivery.git");
    git(
        fixture.work.parent().expect("temp dir"),
        &["clone", "-q", "--bare", "delivery", "delivery.git"],
    );
    let repo = open(&bare);
    assert_eq!(repo.kind(), &RepoKind::Bare);
    let work = open(&fixture.work);
    assert_eq!(
        repo.facts("HEAD").expect("facts"),
        work.facts("HEAD").expect("facts")
    );
    assert_eq!(repo.resolve("v1.0").expect("tag"), fixture.commits[2]);
    assert_eq!(
        repo.tree_entries("HEAD").expect("entries"),
        work.tree_entries("HEAD").expect("entries")
    );

    // The `.git` directory of a work tree, opened directly, is a git directory too.
    let dot_git = open(&fixture.work.join(".git"));
    assert_eq!(dot_git.kind(), &RepoKind::Bare);
    assert_eq!(dot_git.facts("HEAD").expect("facts").commit_count, 5);
}

/// A replace ref makes `git` show another object in place of a delivered
/// one; the review reads what was delivered.
#[test]
fn replace_refs_are_ignored() {
    let fixture = fixture();
    git(&fixture.work, &["config", "core.useReplaceRefs", "true"]);
    git(
        &fixture.work,
        &["replace", &fixture.commits[3], &fixture.commits[1]],
    );
    assert_eq!(
        git(&fixture.work, &["rev-list", "--count", "HEAD"]),
        "3",
        "git itself follows the replacement"
    );
    let repo = open(&fixture.work);
    assert_eq!(repo.facts("HEAD").expect("facts").commit_count, 5);
    assert_eq!(repo.tree_entries("HEAD").expect("entries").len(), 7);
}

#[test]
fn not_repositories() {
    let fixture = fixture();
    assert!(
        Repo::open(&fixture.work.join("src"))
            .expect("a directory")
            .is_none()
    );
    let plain = tempfile::tempdir().expect("temp dir");
    std::fs::write(plain.path().join("file.txt"), "text").expect("write");
    assert!(Repo::open(plain.path()).expect("a directory").is_none());
    assert!(
        Repo::open(&plain.path().join("file.txt"))
            .expect("a file")
            .is_none()
    );
    let error = Repo::open(&plain.path().join("missing")).expect_err("missing path");
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("missing"));
}

#[test]
fn shallow_clone_and_missing_blob() {
    let fixture = fixture();
    let parent = fixture.work.parent().expect("temp dir");
    let url = format!("file://{}", fixture.work.display());
    git(parent, &["clone", "-q", "--depth", "2", &url, "shallow"]);
    let shallow = open(&parent.join("shallow"));
    let facts = shallow.facts("HEAD").expect("a shallow history is walked");
    assert_eq!(facts.commit_count, 2);
    assert_eq!(facts.signed_commits, 1);

    // Remove the loose object of one blob, as a partial clone would lack it.
    let gapped = parent.join("gapped");
    git(parent, &["clone", "-q", "--no-local", "delivery", "gapped"]);
    git(&gapped, &["config", "gc.auto", "0"]);
    write(&gapped, "data.bin", "only here\n");
    git(&gapped, &["add", "data.bin"]);
    commit(&gapped, "Add data", BOB, BOB, 1_700_000_600);
    let blob = git(&gapped, &["rev-parse", "HEAD:data.bin"]);
    let loose = gapped
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(loose).expect("the new blob is loose");

    let repo = open(&gapped);
    let entries = repo.tree_entries("HEAD").expect("the trees are all there");
    let data = entry(&entries, "data.bin");
    assert_eq!(data.size, None);
    let issues = tree_issues(&repo, &entries);
    let missing: Vec<_> = issues
        .iter()
        .filter(|i| i.rule.id == "coverage.git-object-missing")
        .collect();
    assert_eq!(missing.len(), 1, "{issues:?}");
    assert_eq!(missing[0].path.as_deref(), Some("data.bin"));
    assert!(missing[0].message.contains(&blob));
    let error = repo.blob_reader().read(&blob, 1024).expect_err("missing");
    assert!(matches!(error, Error::MissingObject { .. }), "{error:?}");
    assert!(error.to_string().contains(&gapped.display().to_string()));
}

#[test]
fn rules_are_documented() {
    let ids: Vec<&str> = oversight_git::RULES.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [
            "coverage.git-submodule",
            "coverage.git-object-missing",
            "coverage.git-blob-too-large",
            "integrity.git-symlink-outside",
        ]
    );
    for rule in oversight_git::RULES {
        assert_eq!(rule.default_severity, oversight_model::Severity::High);
        assert!(rule.id.starts_with(rule.category.as_str()));
        assert!(
            rule.summary.len() > 20 && rule.help.len() > 100,
            "{}",
            rule.id
        );
    }
}

/// `git --git-dir=small/dotGit log` and `ls-tree -r -l HEAD`, recorded when
/// this test was written.
#[test]
fn gitleaks_small_corpus() {
    let path = corpus().join("small/dotGit");
    let repo = open(&path);
    assert_eq!(repo.kind(), &RepoKind::Bare);
    assert_eq!(
        repo.resolve("HEAD").expect("HEAD"),
        "53cd7a3c6eb4937f413e3c25e4a9f39289afa69e"
    );
    assert_eq!(
        repo.resolve("foo").expect("branch"),
        "f1b58b97808f8e744f6a23c693859df5b5968901"
    );
    assert_eq!(repo.facts("foo").expect("facts").commit_count, 8);
    assert_eq!(repo.facts("origin/main").expect("facts").commit_count, 6);

    let facts = repo.facts("HEAD").expect("facts");
    assert_eq!(facts.commit_count, 7);
    assert_eq!(facts.signed_commits, 4, "GitHub signs web commits");
    assert_eq!(
        facts.unsigned_commit_ids,
        [
            "53cd7a3c6eb4937f413e3c25e4a9f39289afa69e",
            "a122b33c6bad3ee54724f52f2caad385ab1982ab",
            "906335481df9a4b48906c90318b4fac76b67fe73",
        ]
    );
    assert_eq!(
        facts.authors,
        [
            person("Zachary Rice", "zricer@protonmail.com", 3),
            person("Zach Rice", "zricer@protonmail.com", 2),
            person("Richard Gomez", "rmgomez368@gmail.com", 1),
            person("Zachary Rice", "zricezrice@gmail.com", 1),
        ]
    );
    assert_eq!(
        facts.committers,
        [
            person("GitHub", "noreply@github.com", 4),
            person("Zach Rice", "zricer@protonmail.com", 2),
            person("Richard Gomez", "rmgomez368@gmail.com", 1),
        ]
    );

    let entries = repo.tree_entries("HEAD").expect("entries");
    let listed: Vec<(&str, &str, Option<u64>)> = entries
        .iter()
        .map(|e| (e.path.as_str(), e.oid.as_str(), e.size))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "README.md",
                "5cc9baf4d90fed00ceab55c8430c28df3e4167b5",
                Some(48)
            ),
            (
                "api/api.go",
                "d832479114dc6be7207edc7c37ce91dd11b93161",
                Some(71)
            ),
            (
                "api/ignoreCommit.go",
                "acbef43fdb053ec01e8e16697536d47853460cbc",
                Some(285)
            ),
            (
                "api/ignoreGlobal.go",
                "acbef43fdb053ec01e8e16697536d47853460cbc",
                Some(285)
            ),
            (
                "main.go",
                "9a932e37eaa9fb64b09e47e5e859c9b2c8cb47ad",
                Some(283)
            ),
        ]
    );
    assert!(entries.iter().all(|e| e.kind == EntryKind::File));
    let readme = repo
        .blob_reader()
        .read("5cc9baf4d90fed00ceab55c8430c28df3e4167b5", 1024)
        .expect("readme");
    assert_eq!(
        readme,
        b"# test\nThis is a repo used for testing gitleaks\n"
    );
    assert!(tree_issues(&repo, &entries).is_empty());
}

#[test]
fn gitleaks_archives_corpus() {
    let repo = open(&corpus().join("archives/dotGit"));
    let facts = repo.facts("HEAD").expect("facts");
    assert_eq!(facts.commit, "15fa60c13dccec6add267b7baa065977a6cc748a");
    assert_eq!(facts.commit_count, 6);
    assert_eq!(facts.signed_commits, 0);
    assert_eq!(facts.authors, [person("Test User", "user@example.com", 6)]);
    let entries = repo.tree_entries("HEAD").expect("entries");
    let listed: Vec<(&str, Option<u64>)> =
        entries.iter().map(|e| (e.path.as_str(), e.size)).collect();
    assert_eq!(
        listed,
        [
            (".gitleaksignore", Some(0)),
            ("README.md", Some(188)),
            ("main.go.zst", Some(201))
        ]
    );
    assert_eq!(
        repo.blob_reader()
            .read(&entries[0].oid, 0)
            .expect("the empty blob"),
        b""
    );
}

/// A history of 10,000 commits, written with `git fast-import`.
#[test]
fn long_history_is_fast() {
    const COMMITS: u64 = 10_000;
    let temp = tempfile::tempdir().expect("temp dir");
    git(temp.path(), &["init", "-q", "--bare", "-b", "main"]);
    let mut stream = String::new();
    for n in 1..=COMMITS {
        let (name, email) = if n % 3 == 0 { BOB } else { ALICE };
        let content = format!("{n}\n");
        let message = format!("commit {n}\n");
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{n}\ncommitter {name} <{email}> {} +0000\ndata {}\n{message}",
            1_600_000_000 + n,
            message.len(),
        ));
        if n > 1 {
            stream.push_str(&format!("from :{}\n", n - 1));
        }
        stream.push_str(&format!(
            "M 100644 inline counter.txt\ndata {}\n{content}\n",
            content.len()
        ));
    }
    git_with(
        temp.path(),
        &["fast-import", "--quiet"],
        &[],
        Some(stream.as_bytes()),
    );

    let repo = open(temp.path());
    let started = std::time::Instant::now();
    let facts = repo.facts("main").expect("facts");
    let elapsed = started.elapsed();
    eprintln!("walked {COMMITS} commits in {elapsed:?}");
    assert_eq!(facts.commit_count, COMMITS);
    assert_eq!(
        facts.authors,
        [person(ALICE.0, ALICE.1, 6667), person(BOB.0, BOB.1, 3333)]
    );
    assert_eq!(facts.unsigned_commit_ids.len(), 1000);
    assert_eq!(facts.unsigned_commit_ids[0], facts.commit);

    let started = std::time::Instant::now();
    let blobs = repo.history_blobs().expect("history");
    eprintln!("listed the history's blobs in {:?}", started.elapsed());
    // every commit wrote a distinct counter value
    assert_eq!(blobs.len(), COMMITS as usize);
    assert!(
        blobs
            .iter()
            .all(|b| b.introductions.len() == 1 && b.introductions[0].path == "counter.txt")
    );
    // Generous, for unoptimised test builds on a busy machine.
    assert!(elapsed.as_secs() < 10, "walking took {elapsed:?}");
}

#[test]
fn history_lists_deleted_blobs_once_with_their_introductions() {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    write(dir, "app/config.env", "TOKEN=first\n");
    write(dir, "README.md", "hello\n");
    git(dir, &["add", "."]);
    commit(dir, "one", ALICE, ALICE, 1_700_000_000);
    // the same content again under another path, and the config removed
    write(dir, "copy/config.env", "TOKEN=first\n");
    std::fs::remove_file(dir.join("app/config.env")).expect("rm");
    git(dir, &["add", "-A"]);
    commit(dir, "two", BOB, BOB, 1_700_000_100);
    // a side branch with a blob only it holds
    git(dir, &["checkout", "-q", "-b", "side"]);
    write(dir, "side.txt", "only on a branch\n");
    git(dir, &["add", "."]);
    commit(dir, "three", BOB, BOB, 1_700_000_200);
    git(dir, &["checkout", "-q", "main"]);

    let repo = open(dir);
    let blobs = repo.history_blobs().expect("history");
    let paths: Vec<Vec<&str>> = blobs
        .iter()
        .map(|b| b.introductions.iter().map(|i| i.path.as_str()).collect())
        .collect();
    assert_eq!(
        paths,
        [
            vec!["README.md"],
            vec!["app/config.env", "copy/config.env"],
            vec!["side.txt"]
        ]
    );
    let config = &blobs[1];
    assert_eq!(
        config.introductions[0].author,
        format!("{} <{}>", ALICE.0, ALICE.1)
    );
    assert_eq!(
        config.introductions[1].author,
        format!("{} <{}>", BOB.0, BOB.1)
    );
    assert_eq!(config.introductions[0].time, 1_700_000_000);
}

#[test]
fn history_of_the_gitleaks_small_corpus_has_every_blob() {
    let repo = open(&corpus().join("small/dotGit"));
    // `git rev-list --all --objects`, keeping the ids `git cat-file -t` calls blobs: 8
    assert_eq!(repo.history_blobs().expect("history").len(), 8);
}
