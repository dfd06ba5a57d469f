//! The git posture of deliveries end to end, on the embedded SQLite and on
//! PostgreSQL: an engagement registers the supplier's SSH signing key and
//! e-mail domains, a policy requires signed commits, known authors and no
//! rewrites; a repository made with the real `git` and `ssh-keygen` is
//! accepted, then a commit signed by an unregistered key, an outsider's
//! commit and a force-pushed history are each blocked with their rule.

use std::path::Path;
use std::process::Command;

use oversight_app::record::{PostureSection, RewriteCheck};

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

/// The review id in `oversight review`'s first line.
fn review_id(out: &str) -> String {
    out.split("(review ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("no review id in:\n{out}"))
        .to_owned()
}

/// The posture section of every `delivery.reviewed` ledger event, in order,
/// read from the register itself.
fn ledger_postures(home: &Path, database: Option<&str>) -> Vec<PostureSection> {
    let url = database.map_or_else(
        || {
            format!(
                "sqlite://{}",
                home.join("data/oversight/oversight.db").display()
            )
        },
        str::to_owned,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = oversight_store::DatabaseUrl::parse(&url, "the test's register").unwrap();
        let store = oversight_register::store::open(&url).await.unwrap();
        store
            .events()
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.kind == "delivery.reviewed")
            .map(|e| {
                let payload: serde_json::Value = serde_json::from_str(&e.event.payload).unwrap();
                serde_json::from_value(payload["summary"]["posture"].clone()).unwrap_or_default()
            })
            .collect()
    })
}

/// `review show ID` in JSON: the recorded posture section, checked equal to
/// the one `--format json` and the human form print.
fn shown_posture(run: &dyn Fn(&[&str]) -> (i32, String), id: &str) -> (PostureSection, String) {
    let (code, json) = run(&["review", "show", id, "--format", "json"]);
    assert_eq!(code, 0, "{json}");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let posture: PostureSection = serde_json::from_value(value["posture"].clone()).unwrap();
    let (code, human) = run(&["review", "show", id]);
    assert_eq!(code, 0, "{human}");
    (posture, human)
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
    let second = commit(&repo, "b.rs", &supplier, dev);
    let (code, out) = review(&repo);
    assert_eq!(code, 0, "every commit signed by the registered key:\n{out}");
    let accepted = review_id(&out);
    let (posture, human) = shown_posture(&run, &accepted);
    let git = posture
        .git
        .clone()
        .expect("a git delivery records its posture");
    assert_eq!(
        (git.commit.as_str(), git.commits, git.signed, git.verified),
        (second.as_str(), 2, 2, 2),
        "{human}"
    );
    assert_eq!(git.keys_registered, 1);
    assert_eq!(git.domains, ["supplier.example"]);
    assert_eq!(git.unknown_author_commits, 0);
    assert_eq!(git.rewritten, RewriteCheck::NotChecked);
    assert!(posture.provenance.is_empty());
    assert!(
        human.contains(&format!("Git posture of commit {second}: 2 commits examined, 2 signed, 2 verified by a registered key (100.0 %; 1 key(s) registered)")),
        "{human}"
    );
    assert!(
        human.contains("unknown authors: none (declared domains: supplier.example)"),
        "{human}"
    );
    assert!(human.contains("history rewritten: not checked"), "{human}");
    // The review's own output shows the same section.
    assert!(
        out.contains("2 commits examined, 2 signed, 2 verified"),
        "{out}"
    );
    // A replay restores the tree; the posture is recorded, not replayed.
    let (code, replayed) = run(&["review", "--replay", &accepted]);
    assert_eq!(code, 0, "{replayed}");
    assert!(
        replayed.contains("Result: IDENTICAL (same delivery"),
        "{replayed}"
    );
    assert!(
        replayed.contains("it is recorded, not replayed"),
        "{replayed}"
    );

    // A commit signed by a key the supplier did not register.
    commit(&repo, "c.rs", &keys.join("stranger"), dev);
    let (code, out) = review(&repo);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("BLOCKS") && l.contains("policy.git-unsigned-commit")),
        "{out}"
    );
    let stranger = review_id(&out);
    let (posture, human) = shown_posture(&run, &stranger);
    let git = posture.git.clone().unwrap();
    assert_eq!(
        (git.commits, git.signed, git.verified, git.unregistered_key),
        (3, 3, 2, 1),
        "{human}"
    );
    assert_eq!(git.rewritten, RewriteCheck::No);
    assert_eq!(git.previous_commit.as_deref(), Some(second.as_str()));
    assert!(
        human.contains("3 commits examined, 3 signed, 2 verified by a registered key (66.7 %"),
        "{human}"
    );
    assert!(human.contains("1 by an unregistered key"), "{human}");
    assert!(
        human.contains(&format!(
            "history rewritten: no since accepted commit {second}"
        )),
        "{human}"
    );
    // Its blocking posture findings cannot be replayed: said so, the
    // decision is not compared, the rest is identical.
    let (code, replayed) = run(&["review", "--replay", &stranger]);
    assert_eq!(code, 0, "{replayed}");
    assert!(
        replayed.contains("Result: IDENTICAL for the delivered tree"),
        "{replayed}"
    );
    assert!(replayed.contains("(2 finding(s))"), "{replayed}");

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
    let (posture, human) = shown_posture(&run, &review_id(&out));
    let git = posture.git.clone().unwrap();
    assert_eq!(git.unknown_author_commits, 1, "{human}");
    assert_eq!(git.unknown_identities, ["ghost@cheap-outsourcing.example"]);
    assert_eq!(git.rewritten, RewriteCheck::No);
    assert!(
        human.contains(
            "unknown authors: 1 commit(s) outside supplier.example: ghost@cheap-outsourcing.example"
        ),
        "{human}"
    );

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
    let (posture, human) = shown_posture(&run, &review_id(&out));
    let git = posture.git.clone().unwrap();
    assert_eq!(git.rewritten, RewriteCheck::Yes, "{human}");
    assert_eq!(git.commits, 2);
    assert!(
        human.contains(&format!(
            "history rewritten: YES since accepted commit {second}"
        )),
        "{human}"
    );
    let (code, out) = run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
    // The ledger's `delivery.reviewed` events carry the same sections as
    // the recorded documents.
    let events = ledger_postures(home.path(), database.as_deref());
    assert_eq!(events.len(), 4);
    assert_eq!(events[0], shown_posture(&run, &accepted).0);
    assert_eq!(events[1], shown_posture(&run, &stranger).0);
    assert_eq!(events[3], posture);
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
    let digest = hex::encode(sha2::Sha256::digest(&wheel));
    let accepted = review_id(&out);
    let (posture, human) = shown_posture(&run, &accepted);
    assert!(posture.git.is_none(), "a directory has no git posture");
    assert_eq!(posture.provenance.len(), 1, "{human}");
    let p = &posture.provenance[0];
    assert_eq!(
        (p.file.as_str(), p.envelope, p.kind.as_str(), p.verified),
        ("dist/app.intoto.jsonl", 1, "dsse", true)
    );
    assert_eq!(
        p.signed_by.as_deref(),
        Some("environment.provenance_keys[0]")
    );
    assert_eq!(
        p.builder.as_deref(),
        Some("https://github.com/actions/runner/github-hosted")
    );
    assert_eq!(p.subjects.len(), 1);
    assert_eq!(p.subjects[0].name, "app.txt");
    assert_eq!(p.subjects[0].sha256.as_deref(), Some(digest.as_str()));
    assert_eq!(
        p.subjects[0].delivered_sha256.as_deref(),
        Some(digest.as_str())
    );
    assert!(p.subjects[0].matches);
    assert!(
        human.contains("Provenance: 1 document(s), 1 verified"),
        "{human}"
    );
    assert!(
        human.contains(&format!("as stated app.txt sha256:{digest}")),
        "{human}"
    );
    let (code, replayed) = run(&["review", "--replay", &accepted]);
    assert_eq!(code, 0, "{replayed}");
    assert!(
        replayed.contains("Result: IDENTICAL (same delivery"),
        "{replayed}"
    );

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
    let swapped_review = review_id(&out);
    let (posture, human) = shown_posture(&run, &swapped_review);
    let subject = &posture.provenance[0].subjects[0];
    assert!(!subject.matches);
    assert_eq!(subject.sha256.as_deref(), Some(digest.as_str()));
    let delivered = hex::encode(sha2::Sha256::digest(&swapped));
    assert_eq!(
        subject.delivered_sha256.as_deref(),
        Some(delivered.as_str())
    );
    assert!(
        human.contains(&format!(
            "MISMATCH  app.txt sha256:{digest}, delivered sha256:{delivered}"
        )),
        "{human}"
    );
    // The provenance is checked again from the evidence: same findings,
    // same section, same decision.
    let (code, replayed) = run(&["review", "--replay", &swapped_review]);
    assert_eq!(code, 0, "{replayed}");
    assert!(
        replayed.contains("Result: IDENTICAL (same delivery"),
        "{replayed}"
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
    let (posture, human) = shown_posture(&run, &review_id(&out));
    assert_eq!(posture.provenance.len(), 2, "{human}");
    assert_eq!(posture.provenance_verified(), 1);
    let bundle = &posture.provenance[1];
    assert_eq!(
        (bundle.file.as_str(), bundle.kind.as_str(), bundle.verified),
        ("dist/app.txt.sigstore", "sigstore-bundle", false)
    );
    assert!(
        human.contains("dist/app.txt.sigstore #1 (sigstore-bundle): NOT verified"),
        "{human}"
    );
    assert_eq!(
        ledger_postures(home.path(), database.as_deref()).last(),
        Some(&posture)
    );
}

/// Every rule id of the git posture and the delivered provenance that the
/// code can raise (found in the sources, not listed by hand) is listed by
/// `oversight rules`, with a severity and a category.
#[test]
fn posture_and_provenance_rules_are_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut ids = std::collections::BTreeSet::new();
    for file in [
        "oversight-git/src/posture.rs",
        "oversight-provenance/src/lib.rs",
        "oversight-app/src/posture.rs",
        "oversight-app/src/provenance.rs",
    ] {
        let text = fs_err::read_to_string(root.join(file)).unwrap();
        for family in ["policy", "integrity", "coverage"] {
            for kind in ["git-", "provenance-"] {
                let start = format!("\"{family}.{kind}");
                for (at, _) in text.match_indices(&start) {
                    let literal = &text[at + 1..];
                    let id = &literal[..literal.find('"').unwrap()];
                    if id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'.')
                    {
                        ids.insert(id.to_owned());
                    }
                }
            }
        }
    }
    // The sources hold at least the five posture and three provenance rules.
    assert!(ids.len() >= 8, "{ids:?}");
    let out = oversight().arg("rules").output().unwrap();
    assert!(out.status.success());
    let listed = String::from_utf8(out.stdout).unwrap();
    for id in &ids {
        let line = listed
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id.as_str()))
            .unwrap_or_else(|| panic!("`oversight rules` does not list {id}:\n{listed}"));
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert!(
            ["info", "low", "medium", "high", "critical"].contains(&columns[1]),
            "{line}"
        );
        assert_eq!(columns[2], id.split('.').next().unwrap(), "{line}");
    }
    // Listed once each, with the threat model's rule.
    for id in ids
        .iter()
        .map(String::as_str)
        .chain(["policy.threat-unmitigated"])
    {
        assert_eq!(
            listed
                .lines()
                .filter(|l| l.split_whitespace().next() == Some(id))
                .count(),
            1,
            "{id}"
        );
    }
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
