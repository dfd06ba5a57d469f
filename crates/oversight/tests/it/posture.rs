//! The git posture of deliveries end to end, on the embedded SQLite and on
//! PostgreSQL: an engagement registers the supplier's SSH signing key and
//! e-mail domains, a policy requires signed commits, known authors and no
//! rewrites; a repository made with the real `git` and `ssh-keygen` is
//! accepted, then a commit signed by an unregistered key, an outsider's
//! commit and a force-pushed history are each blocked with their rule.

use std::path::Path;
use std::process::Command;

use crate::util::oversight;

const POLICY: &str = r#"
schema = 1
name = "posture"
version = "1"
[thresholds]
default = "high"
[git]
require_signed = true
forbid_unknown_authors = true
forbid_rewrites = true
"#;

fn tool(dir: &Path, program: &str, args: &[&str], email: &str) -> String {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", email)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Commits `file` signed with the private key at `key`, as `email`.
fn commit(repo: &Path, file: &str, key: &Path, email: &str) -> String {
    fs_err::write(repo.join(file), format!("// {file}\n")).unwrap();
    tool(repo, "git", &["add", file], email);
    let sign = format!("--gpg-sign={}", key.display());
    tool(repo, "git", &["commit", "-q", &sign, "-m", file], email);
    tool(repo, "git", &["rev-parse", "HEAD"], email)
}

fn posture_story(database: Option<String>) {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = oversight();
        cmd.args(args)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("OVERSIGHT_ACTOR", "reviewer@example.org");
        if let Some(url) = &database {
            cmd.env("OVERSIGHT_DATABASE", url);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let keys = home.path().join("keys");
    fs_err::create_dir_all(&keys).unwrap();
    for name in ["supplier", "stranger"] {
        tool(
            &keys,
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", name],
            "-",
        );
    }
    let public = fs_err::read_to_string(keys.join("supplier.pub")).unwrap();

    let (code, out) = run(&["init", "--example"]);
    assert_eq!(code, 0, "{out}");
    let (code, shown) = run(&["engagement", "show", "acme-portal", "--format", "toml"]);
    assert_eq!(code, 0, "{shown}");
    let edited = home.path().join("edited.toml");
    fs_err::write(
        &edited,
        shown.replacen(
            "[environment]\n",
            &format!(
                "[environment]\nsigning_keys = [\"{}\"]\ncommit_domains = [\"supplier.example\"]\n",
                public.trim()
            ),
            1,
        ),
    )
    .unwrap();
    let (code, out) = run(&["engagement", "apply", edited.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let policy = home.path().join("policy.toml");
    fs_err::write(&policy, POLICY).unwrap();
    let review = |repo: &Path| {
        run(&[
            "review",
            repo.to_str().unwrap(),
            "--engagement",
            "acme-portal",
            "--policy",
            policy.to_str().unwrap(),
            "--no-progress",
        ])
    };

    let repo = home.path().join("delivery");
    fs_err::create_dir_all(&repo).unwrap();
    let dev = "dev@supplier.example";
    tool(&repo, "git", &["init", "-q", "-b", "main"], dev);
    tool(&repo, "git", &["config", "gpg.format", "ssh"], dev);
    let supplier = keys.join("supplier");
    let first = commit(&repo, "a.rs", &supplier, dev);
    commit(&repo, "b.rs", &supplier, dev);
    let (code, out) = review(&repo);
    assert_eq!(code, 0, "every commit signed by the registered key:\n{out}");

    // A commit signed by a key the supplier did not register.
    commit(&repo, "c.rs", &keys.join("stranger"), dev);
    let (code, out) = review(&repo);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("BLOCKS") && l.contains("policy.git-unsigned-commit")),
        "{out}"
    );

    // Back to the accepted tip (a force-push), then an outsider's commit.
    tool(&repo, "git", &["reset", "-q", "--hard", "HEAD~1"], dev);
    commit(&repo, "d.rs", &supplier, "ghost@cheap-outsourcing.example");
    let (code, out) = review(&repo);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("BLOCKS") && l.contains("policy.git-unknown-author")),
        "{out}"
    );
    assert!(!out.contains("policy.git-history-rewritten"), "{out}");

    // The accepted commit dropped from the history: rewritten.
    tool(&repo, "git", &["reset", "-q", "--hard", &first], dev);
    commit(&repo, "e.rs", &supplier, dev);
    let (code, out) = review(&repo);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("BLOCKS") && l.contains("policy.git-history-rewritten")),
        "{out}"
    );
    let (code, out) = run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn git_posture_story_on_embedded_sqlite() {
    posture_story(None);
}

#[test]
fn git_posture_story_on_postgres() {
    let db = oversight_test_support::postgres::TempDatabase::new("oversight_posture");
    posture_story(Some(db.url()));
}

/// A delivery with an artefact and its SLSA provenance in a DSSE envelope
/// signed by the key the terms give: accepted; the artefact swapped after
/// the build: blocked; a Sigstore bundle beside it: a coverage gap.
fn provenance_story(database: Option<String>) {
    use base64::Engine as _;
    use ed25519_dalek::Signer as _;
    use ed25519_dalek::pkcs8::EncodePublicKey as _;
    use sha2::Digest as _;

    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = oversight();
        cmd.args(args)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("OVERSIGHT_ACTOR", "reviewer@example.org");
        if let Some(url) = &database {
            cmd.env("OVERSIGHT_DATABASE", url);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let signing = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let pem = signing
        .verifying_key()
        .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap();
    let (code, out) = run(&["init", "--example"]);
    assert_eq!(code, 0, "{out}");
    let (code, shown) = run(&["engagement", "show", "acme-portal", "--format", "toml"]);
    assert_eq!(code, 0, "{shown}");
    let edited = home.path().join("edited.toml");
    fs_err::write(
        &edited,
        shown.replacen(
            "[environment]\n",
            &format!("[environment]\nprovenance_keys = [\"\"\"\n{pem}\"\"\"]\n"),
            1,
        ),
    )
    .unwrap();
    let (code, out) = run(&["engagement", "apply", edited.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let policy = home.path().join("policy.toml");
    fs_err::write(&policy, POLICY).unwrap();

    // A real artefact (a file the Sigstore corpus signs) and its provenance.
    let assets = crate::util::corpora().join("sigstore/sigstore__sigstore-python/test/assets");
    let delivery = home.path().join("delivery");
    fs_err::create_dir_all(delivery.join("dist")).unwrap();
    let wheel = fs_err::read(assets.join("bundle_v3.txt")).unwrap();
    fs_err::write(delivery.join("dist/app.txt"), &wheel).unwrap();
    let statement = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"name":"app.txt","digest":{{"sha256":"{}"}}}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{{"buildDefinition":{{"buildType":"https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1","externalParameters":{{}},"resolvedDependencies":[]}},"runDetails":{{"builder":{{"id":"https://github.com/actions/runner/github-hosted"}}}}}}}}"#,
        hex::encode(sha2::Sha256::digest(&wheel))
    );
    let pae = format!(
        "DSSEv1 28 application/vnd.in-toto+json {} {statement}",
        statement.len()
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    let envelope = format!(
        r#"{{"payloadType":"application/vnd.in-toto+json","payload":"{}","signatures":[{{"keyid":"","sig":"{}"}}]}}"#,
        b64.encode(&statement),
        b64.encode(signing.sign(pae.as_bytes()).to_bytes())
    );
    fs_err::write(delivery.join("dist/app.intoto.jsonl"), envelope + "\n").unwrap();
    let review = || {
        run(&[
            "review",
            delivery.to_str().unwrap(),
            "--engagement",
            "acme-portal",
            "--policy",
            policy.to_str().unwrap(),
            "--no-progress",
        ])
    };
    let (code, out) = review();
    assert_eq!(code, 0, "the artefact is as its provenance states:\n{out}");

    let mut swapped = wheel.clone();
    swapped.extend_from_slice(b"tampered");
    fs_err::write(delivery.join("dist/app.txt"), &swapped).unwrap();
    let (code, out) = review();
    assert_ne!(code, 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("BLOCKS") && l.contains("integrity.provenance-mismatch")),
        "{out}"
    );

    fs_err::write(delivery.join("dist/app.txt"), &wheel).unwrap();
    fs_err::copy(
        assets.join("bundle_v3.txt.sigstore"),
        delivery.join("dist/app.txt.sigstore"),
    )
    .unwrap();
    let (code, out) = review();
    assert_ne!(code, 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("BLOCKS") && l.contains("coverage.provenance-unverified")),
        "{out}"
    );
}

#[test]
fn provenance_story_on_embedded_sqlite() {
    provenance_story(None);
}

#[test]
fn provenance_story_on_postgres() {
    let db = oversight_test_support::postgres::TempDatabase::new("oversight_provenance");
    provenance_story(Some(db.url()));
}
