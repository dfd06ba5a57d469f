//! Git posture on real repositories made with the real `git` and
//! `ssh-keygen`: SSH-signed commits (`gpg.format=ssh`), unsigned ones, a
//! commit by an unregistered key, an outsider's commit, an altered signed
//! commit and a rewritten (amended, force-pushed) history.

use std::path::Path;
use std::process::Command;

use oversight_git::{PostureRequirements, PostureTerms, Repo, SignatureState, SigningKey};
use oversight_model::Severity;

fn run(dir: &Path, program: &str, args: &[&str], stdin: Option<&[u8]>) -> String {
    run_as(dir, program, args, stdin, "dev@supplier.example")
}

fn run_as(dir: &Path, program: &str, args: &[&str], stdin: Option<&[u8]>, email: &str) -> String {
    use std::io::Write as _;
    let mut command = Command::new(program);
    command
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@supplier.example")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{program}: {e}"));
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn git(dir: &Path, args: &[&str]) -> String {
    run(dir, "git", args, None)
}

fn keygen(dir: &Path, name: &str) -> SigningKey {
    run(
        dir,
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name],
        None,
    );
    let text = std::fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap();
    SigningKey::from_openssh(text.trim()).unwrap()
}

fn commit(dir: &Path, file: &str, key: Option<&str>, author: Option<&str>) -> String {
    std::fs::write(dir.join(file), file).unwrap();
    git(dir, &["add", file]);
    let mut args = vec!["commit".to_owned()];
    match key {
        Some(key) => {
            args.push(format!("--gpg-sign={}", dir.join(key).display()));
        }
        None => args.push("--no-gpg-sign".to_owned()),
    }
    args.extend(["-q".to_owned(), "-m".to_owned(), format!("add {file}")]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_as(
        dir,
        "git",
        &args,
        None,
        author.unwrap_or("dev@supplier.example"),
    );
    git(dir, &["rev-parse", "HEAD"])
}

struct Fixture {
    _keys: tempfile::TempDir,
    dir: tempfile::TempDir,
    registered: SigningKey,
    signed: String,
    unsigned: String,
    stranger_key: String,
    outsider: String,
}

fn fixture() -> Fixture {
    let keys = tempfile::tempdir().unwrap();
    let registered = keygen(keys.path(), "supplier");
    keygen(keys.path(), "stranger");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "gpg.format", "ssh"]);
    for key in ["supplier", "stranger"] {
        std::fs::copy(keys.path().join(key), d.join(key)).unwrap();
        std::fs::copy(
            keys.path().join(format!("{key}.pub")),
            d.join(format!("{key}.pub")),
        )
        .unwrap();
    }
    // The private keys must not be committed: keep them out of the index.
    std::fs::write(d.join(".git/info/exclude"), "supplier*\nstranger*\n").unwrap();
    let signed = commit(d, "a", Some("supplier"), None);
    let unsigned = commit(d, "b", None, None);
    let stranger_key = commit(d, "c", Some("stranger"), None);
    let outsider = commit(
        d,
        "d",
        Some("supplier"),
        Some("ghost@cheap-outsourcing.example"),
    );
    Fixture {
        _keys: keys,
        dir,
        registered,
        signed,
        unsigned,
        stranger_key,
        outsider,
    }
}

fn terms(f: &Fixture) -> PostureTerms {
    PostureTerms {
        signing_keys: vec![f.registered.clone()],
        domains: vec!["supplier.example".to_owned()],
        previous_commit: None,
    }
}

#[test]
fn ssh_signatures_are_verified_against_registered_keys() {
    let f = fixture();
    let repo = Repo::open(f.dir.path()).unwrap().unwrap();
    let posture = repo.posture("HEAD", &terms(&f)).unwrap();
    assert_eq!(posture.commits.len(), 4);
    let state = |id: &str| {
        posture
            .commits
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .signature
            .clone()
    };
    let fingerprint = f.registered.fingerprint(Default::default()).to_string();
    assert_eq!(
        state(&f.signed),
        SignatureState::Verified {
            key: format!("{fingerprint} (supplier)")
        }
    );
    assert_eq!(state(&f.unsigned), SignatureState::Unsigned);
    assert!(
        matches!(state(&f.stranger_key), SignatureState::UnregisteredKey { fingerprint: ref fp } if fp.starts_with("SHA256:") && *fp != fingerprint),
        "{:?}",
        state(&f.stranger_key)
    );
    assert!(matches!(
        state(&f.outsider),
        SignatureState::Verified { .. }
    ));
    assert_eq!(posture.verified(), 2);
    assert!((posture.signed_ratio() - 0.5).abs() < 1e-9);

    // Nothing required: the gaps are information only.
    let relaxed = posture.issues(&PostureRequirements::default());
    assert!(
        relaxed.iter().all(|i| i.severity == Severity::Info),
        "{relaxed:#?}"
    );
    let ids: Vec<&str> = relaxed.iter().map(|i| i.rule.id).collect();
    assert_eq!(
        ids,
        [
            "policy.git-unsigned-commit",
            "policy.git-unsigned-commit",
            "policy.git-unknown-author"
        ]
    );
    assert!(
        relaxed[2]
            .message
            .contains("ghost@cheap-outsourcing.example"),
        "{}",
        relaxed[2].message
    );
    assert!(relaxed.iter().any(|i| i.message.contains("not registered")));

    // All commits signed, unknown authors forbidden: each gap blocks.
    let strict = posture.issues(&PostureRequirements {
        min_signed_ratio: Some(1.0),
        forbid_unknown_authors: true,
        forbid_rewrites: true,
    });
    assert!(
        strict.iter().all(|i| i.severity == Severity::High),
        "{strict:#?}"
    );
    assert!(
        strict
            .iter()
            .any(|i| i.message.contains("2 of 4 commits (50.0 %)")),
        "{strict:#?}"
    );
    // A ratio the history meets keeps unsigned commits informational.
    let half = posture.issues(&PostureRequirements {
        min_signed_ratio: Some(0.5),
        ..PostureRequirements::default()
    });
    assert!(half.iter().all(|i| i.severity == Severity::Info));
}

#[test]
fn no_registered_key_means_no_commit_verifies() {
    let f = fixture();
    let repo = Repo::open(f.dir.path()).unwrap().unwrap();
    let posture = repo.posture("HEAD", &PostureTerms::default()).unwrap();
    assert_eq!(posture.verified(), 0);
    // Without declared domains, authors are not checked; without keys or
    // a policy requiring signatures, signatures are not reported.
    assert!(posture.unknown_identities().is_empty());
    assert!(posture.issues(&PostureRequirements::default()).is_empty());
    let required = posture.issues(&PostureRequirements {
        min_signed_ratio: Some(1.0),
        ..PostureRequirements::default()
    });
    // Four commits lack a signature by a registered key, plus the ratio.
    assert_eq!(required.len(), 5, "{required:#?}");
    assert!(required.iter().all(|i| i.severity == Severity::High));
}

#[test]
fn an_altered_signed_commit_does_not_verify() {
    let f = fixture();
    let d = f.dir.path();
    let raw = git(d, &["cat-file", "commit", &f.signed]);
    let forged = raw.replace("add a", "add A") + "\n";
    let id = run(
        d,
        "git",
        &["hash-object", "-t", "commit", "-w", "--stdin"],
        Some(forged.as_bytes()),
    );
    let repo = Repo::open(d).unwrap().unwrap();
    let posture = repo.posture(&id, &terms(&f)).unwrap();
    match &posture.commits[0].signature {
        SignatureState::Invalid { reason } => {
            assert!(reason.contains("does not match the commit"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    let issues = posture.issues(&PostureRequirements::default());
    assert_eq!(issues[0].rule.id, "integrity.git-signature-invalid");
    assert_eq!(issues[0].severity, Severity::High);
}

#[test]
fn a_rewritten_history_is_detected() {
    let f = fixture();
    let d = f.dir.path();
    let repo = Repo::open(d).unwrap().unwrap();
    // The previous delivery was the outsider's commit; a later delivery
    // that builds on it is not a rewrite.
    let next = commit(d, "e", Some("supplier"), None);
    let mut t = terms(&f);
    t.previous_commit = Some(f.outsider.clone());
    let posture = repo.posture(&next, &t).unwrap();
    assert_eq!(posture.previous_is_ancestor, Some(true));
    assert!(
        posture
            .issues(&PostureRequirements::default())
            .iter()
            .all(|i| i.rule.id != "policy.git-history-rewritten")
    );

    // Force-push: drop the last two commits and commit something else.
    git(d, &["reset", "-q", "--hard", &f.stranger_key]);
    let rewritten = commit(d, "f", Some("supplier"), None);
    git(d, &["reflog", "expire", "--expire=now", "--all"]);
    git(d, &["gc", "-q", "--prune=now"]);
    let repo = Repo::open(d).unwrap().unwrap();
    let posture = repo.posture(&rewritten, &t).unwrap();
    assert_eq!(posture.previous_is_ancestor, Some(false));
    let issues = posture.issues(&PostureRequirements {
        forbid_rewrites: true,
        ..PostureRequirements::default()
    });
    let rewrite = issues
        .iter()
        .find(|i| i.rule.id == "policy.git-history-rewritten")
        .expect("the rewrite is reported");
    assert_eq!(rewrite.severity, Severity::High);
    assert!(rewrite.message.contains(&f.outsider), "{}", rewrite.message);
}

#[test]
fn posture_rules_are_prefixed_by_category_and_documented() {
    for rule in oversight_git::POSTURE_RULES {
        assert!(rule.id.starts_with(&format!("{}.", rule.category.as_str())));
        assert!(
            rule.summary.len() > 20 && rule.help.len() > 100,
            "{}",
            rule.id
        );
    }
}
