//! Attacks on the verdict (issue: a verdict that cannot be forged, bypassed
//! or quietly weakened), each performed against the real binary and a real
//! register, asserting that the verdict is unchanged or the tampering named.

use std::path::Path;

use crate::util::oversight;

/// A policy that blocks nothing and requires nothing.
const LAX: &str = r#"
schema = 1
name = "lax"
version = "1"
[thresholds]
default = "never"
"#;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// A register (embedded SQLite, or a PostgreSQL database of its own)
/// initialised with the example engagement, in a temporary home.
struct Home {
    dir: tempfile::TempDir,
    database: Option<oversight_test_support::postgres::TempDatabase>,
}

impl Home {
    fn new() -> Home {
        Home::on(None)
    }

    fn on_postgres() -> Home {
        Home::on(Some(oversight_test_support::postgres::TempDatabase::new(
            "oversight_verdict",
        )))
    }

    fn on(database: Option<oversight_test_support::postgres::TempDatabase>) -> Home {
        let home = Home {
            dir: tempfile::tempdir().unwrap(),
            database,
        };
        let (code, out) = home.run_in(home.dir.path(), &["init", "--example"]);
        assert_eq!(code, 0, "{out}");
        home
    }

    fn run_in(&self, cwd: &Path, args: &[&str]) -> (i32, String) {
        let mut cmd = oversight();
        cmd.args(args)
            .current_dir(cwd)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("OVERSIGHT_ACTOR", "alice@example.org");
        if let Some(db) = &self.database {
            cmd.env("OVERSIGHT_DATABASE", db.url());
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn review_in(&self, cwd: &Path, target: &Path, extra: &[&str]) -> (i32, String) {
        let mut args = vec![
            "review",
            target.to_str().unwrap(),
            "--engagement",
            "acme-portal",
            "--no-progress",
        ];
        args.extend_from_slice(extra);
        self.run_in(cwd, &args)
    }
}

/// A lax `examples/policy.toml` in the reviewer's working directory used to
/// replace the agreed policy and accept the malicious sample. The agreed
/// policy is held in the register by content: the verdict is the same from
/// any directory, and the review says which policy it used.
#[test]
fn a_lax_policy_in_the_working_directory_does_not_replace_the_agreed_one_on_sqlite() {
    a_lax_policy_in_the_working_directory_does_not_replace_the_agreed_one(&Home::new());
}

#[test]
fn a_lax_policy_in_the_working_directory_does_not_replace_the_agreed_one_on_postgres() {
    a_lax_policy_in_the_working_directory_does_not_replace_the_agreed_one(&Home::on_postgres());
}

fn a_lax_policy_in_the_working_directory_does_not_replace_the_agreed_one(home: &Home) {
    let sample = repo().join("examples/sample-delivery");
    let trap = home.dir.path().join("trap");
    fs_err::create_dir_all(trap.join("examples")).unwrap();
    fs_err::write(trap.join("examples/policy.toml"), LAX).unwrap();
    fs_err::write(trap.join("policy.toml"), LAX).unwrap();

    let (code, out) = home.review_in(&trap, &sample, &[]);
    assert_eq!(code, 1, "the sample stays rejected: {out}");
    assert!(out.contains("Decision: REJECTED"), "{out}");
    assert!(
        out.contains("portal-acceptance") && out.contains("the policy the engagement agreed"),
        "{out}"
    );

    // From a directory with no policy file at all, the same verdict.
    let elsewhere = home.dir.path().join("elsewhere");
    fs_err::create_dir_all(&elsewhere).unwrap();
    let (code, out) = home.review_in(&elsewhere, &sample, &[]);
    assert_eq!(code, 1, "{out}");

    // An explicit --policy is obeyed, and the review says it is not the
    // agreed one, on the terminal and in the record.
    let (code, out) = home.review_in(
        &elsewhere,
        &sample,
        &["--policy", trap.join("policy.toml").to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("NOT the policy the engagement agreed"),
        "{out}"
    );
    let (code, json) = home.review_in(
        &elsewhere,
        &sample,
        &[
            "--policy",
            trap.join("policy.toml").to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{json}");
    let value: serde_json::Value = serde_json::from_str(&json).expect(&json);
    assert_eq!(value["policy"]["source"], "explicit", "{json}");
    assert_eq!(value["policy"]["differs_from_agreed"], true, "{json}");
    assert_eq!(value["policy"]["name"], "lax", "{json}");
}

/// Applying an engagement reads its policy next to the engagement file, and
/// a changed policy is an `engagement.updated` event naming the digests.
#[test]
fn the_agreed_policy_is_read_beside_the_engagement_file_and_changes_are_recorded() {
    let home = Home::new();
    let dir = home.dir.path().join("terms");
    fs_err::create_dir_all(&dir).unwrap();
    let engagement = fs_err::read_to_string(repo().join("examples/engagement.toml")).unwrap();
    fs_err::write(dir.join("engagement.toml"), &engagement).unwrap();
    let strict = fs_err::read_to_string(repo().join("examples/policy.toml")).unwrap();
    fs_err::write(dir.join("policy.toml"), &strict).unwrap();
    let cwd = home.dir.path();
    let file = dir.join("engagement.toml");
    let (code, out) = home.run_in(cwd, &["engagement", "apply", file.to_str().unwrap()]);
    assert_eq!(
        code, 0,
        "unchanged: the example already agreed this policy: {out}"
    );

    fs_err::write(
        dir.join("policy.toml"),
        strict.replace("secret = \"low\"", "secret = \"high\""),
    )
    .unwrap();
    let (code, out) = home.run_in(cwd, &["engagement", "apply", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("acceptance.policy_sha256"), "{out}");

    // A policy that does not parse is refused at apply time, naming it.
    fs_err::write(dir.join("policy.toml"), "schema = 1\nname = \n").unwrap();
    let (code, out) = home.run_in(cwd, &["engagement", "apply", file.to_str().unwrap()]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("policy.toml"), "{out}");
    let (code, out) = home.run_in(cwd, &["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
}

/// File names that carry carriage returns and escape sequences used to make
/// the terminal show `Decision: ACCEPTED` for a rejected delivery. No
/// control character reaches the terminal from review, diff or status.
#[cfg(unix)]
#[test]
fn hostile_file_names_never_reach_the_terminal_raw() {
    use std::os::unix::ffi::OsStrExt as _;
    let home = Home::new();
    let target = home.dir.path().join("delivery");
    fs_err::create_dir_all(&target).unwrap();
    let hostile = b"x\r\x1b[2K\x1b[1;32mDecision: ACCEPTED\x1b[0m\x07\x1b]0;pwned\x07.py";
    let name = std::ffi::OsStr::from_bytes(hostile);
    // A secret in the hostile file, so its name appears in the reasons.
    fs_err::write(
        target.join(name),
        "GITHUB_TOKEN = \"ghp_R8kQz3VxW1mN7pL2sT9yB4cF6hJ0dG5aE3uK\"\n",
    )
    .unwrap();
    let cwd = home.dir.path();
    for extra in [&[][..], &["--diff"][..]] {
        let (code, out) = home.review_in(cwd, &target, extra);
        assert_eq!(code, 1, "{out}");
        assert_no_control_characters(&out);
        assert!(out.contains("Decision: REJECTED"), "{out}");
    }
    let (_, out) = home.run_in(cwd, &["status"]);
    assert_no_control_characters(&out);
    let (_, out) = home.run_in(cwd, &["review", "--engagement", "acme-portal"]);
    assert_no_control_characters(&out);
    let (_, out) = home.run_in(cwd, &["review", "list", "--engagement", "acme-portal"]);
    assert_no_control_characters(&out);
    let id = out
        .split_whitespace()
        .find(|w| w.starts_with("rev-"))
        .expect(&out)
        .to_owned();
    let (_, out) = home.run_in(cwd, &["review", "show", &id]);
    assert_no_control_characters(&out);
    assert!(
        out.contains("Decision") || out.contains("REJECTED"),
        "{out}"
    );
    let pack = cwd.join("pack");
    let (_, out) = home.run_in(
        cwd,
        &[
            "export",
            "--engagement",
            "acme-portal",
            "-o",
            pack.to_str().unwrap(),
        ],
    );
    assert_no_control_characters(&out);
    // An error naming the hostile file (it is not a directory of a pack).
    let (_, out) = home.run_in(
        cwd,
        &[
            "pack",
            "verify",
            target.join(name).to_str().unwrap(),
            "--public-key",
            &"1".repeat(64),
        ],
    );
    assert_no_control_characters(&out);
}

fn assert_no_control_characters(out: &str) {
    let bad: Vec<char> = out
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(
        bad.is_empty(),
        "control characters {bad:?} reached the terminal:\n{out:?}"
    );
}

/// A delivery of 0-byte deliverables named as the strict example policy
/// wants them, plus a one-test JUnit report, used to be accepted on names
/// alone. Each empty file is now a blocking reason that names it.
#[test]
fn empty_deliverables_are_named_and_block() {
    let home = Home::new();
    let target = home.dir.path().join("delivery");
    for name in [
        "LICENSE",
        "NOTICE",
        "SECURITY.md",
        "BUILD.md",
        "sbom.cdx.json",
        "docs/threat-model-acknowledgement.pdf",
    ] {
        let path = target.join(name);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(&path, b"").unwrap();
    }
    fs_err::write(
        target.join("junit.xml"),
        r#"<testsuite name="s" tests="1"><testcase name="t"/></testsuite>"#,
    )
    .unwrap();
    let (code, out) = home.review_in(home.dir.path(), &target, &[]);
    assert_eq!(code, 1, "{out}");
    for name in [
        "LICENSE",
        "NOTICE",
        "SECURITY.md",
        "BUILD.md",
        "sbom.cdx.json",
        "docs/threat-model-acknowledgement.pdf",
    ] {
        assert!(
            out.lines()
                .any(|l| l.contains("BLOCKS") && l.contains(&format!("{name} is empty (0 bytes)"))),
            "{name} is named as empty:\n{out}"
        );
    }
    // A JUnit report with one test is not the test run the policy asks for.
    assert!(
        out.lines().any(|l| l.contains("BLOCKS")
            && l.contains("junit.xml")
            && l.contains("1 ran, and the policy requires at least 20 (min_tests)")),
        "what the report held is said:\n{out}"
    );
}

/// An auditor verifies an exported pack, and the ledger, with the public
/// key alone; an altered file, a re-written list or another key is named.
#[test]
fn an_auditor_verifies_a_pack_and_the_ledger_with_the_public_key_alone() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], with_key: bool| {
        let mut cmd = oversight();
        cmd.args(args)
            .current_dir(dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("OVERSIGHT_ACTOR", "alice@example.org");
        if !with_key {
            cmd.env("OVERSIGHT_KEY", dir.path().join("no-such.key"));
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run(&["init", "--example"], true);
    assert_eq!(code, 0, "{out}");
    let public = out
        .lines()
        .find_map(|l| l.strip_prefix("Public key: "))
        .and_then(|l| l.split_whitespace().next())
        .expect(&out)
        .to_owned();
    let sample = repo().join("examples/sample-delivery");
    let (code, out) = run(
        &[
            "review",
            sample.to_str().unwrap(),
            "--engagement",
            "acme-portal",
            "--no-progress",
        ],
        true,
    );
    assert_eq!(code, 1, "{out}");
    let pack = dir.path().join("pack");
    let (code, out) = run(
        &[
            "export",
            "--engagement",
            "acme-portal",
            "-o",
            pack.to_str().unwrap(),
        ],
        true,
    );
    assert_eq!(code, 0, "{out}");

    // The ledger, with the public key and no private key.
    let (code, out) = run(&["ledger", "verify"], false);
    assert_ne!(code, 0, "the private key is missing: {out}");
    let (code, out) = run(&["ledger", "verify", "--public-key", &public], false);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Ledger verified"), "{out}");

    let verify = |args: &[&str]| run(&[&["pack", "verify"], args].concat(), false);
    let (code, out) = verify(&[pack.to_str().unwrap(), "--public-key", &public]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Pack verified"), "{out}");

    // Another instance's key.
    let other = "0".repeat(63) + "1";
    let (code, out) = verify(&[pack.to_str().unwrap(), "--public-key", &other]);
    assert_ne!(code, 0, "{out}");

    // An altered review record is named.
    let review = fs_err::read_dir(pack.join("reviews"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("review.json");
    let text = fs_err::read_to_string(&review).unwrap();
    fs_err::write(&review, text.replace("\"rejected\"", "\"accepted\"")).unwrap();
    let (code, out) = verify(&[pack.to_str().unwrap(), "--public-key", &public]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("review.json does not match SHA256SUMS (altered)"),
        "{out}"
    );

    // Re-writing SHA256SUMS to match breaks its signature.
    let sums = fs_err::read_to_string(pack.join("SHA256SUMS")).unwrap();
    let name = review
        .strip_prefix(&pack)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let new_hex: String = {
        use sha2::Digest as _;
        sha2::Sha256::digest(fs_err::read(&review).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let rewritten: String = sums
        .lines()
        .map(|l| {
            if l.ends_with(&format!("  {name}")) {
                format!("{new_hex}  {name}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    fs_err::write(pack.join("SHA256SUMS"), rewritten).unwrap();
    let (code, out) = verify(&[pack.to_str().unwrap(), "--public-key", &public]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("SHA256SUMS.sig is not the instance key's signature"),
        "{out}"
    );
}

/// `evidence verify` of a store that does not exist says so and fails; it
/// never creates the directory and calls nothing "verified".
#[test]
fn verifying_a_store_that_does_not_exist_fails() {
    let home = Home::new();
    let typo = home.dir.path().join("typo");
    let (code, out) = home.run_in(
        home.dir.path(),
        &["evidence", "verify", "--evidence", typo.to_str().unwrap()],
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("does not exist"), "{out}");
    assert!(!typo.exists(), "the typo was not created");
    let url = format!("file://{}", typo.display());
    let (code, out) = home.run_in(home.dir.path(), &["evidence", "verify", "--evidence", &url]);
    assert_ne!(code, 0, "{out}");
    assert!(!typo.exists(), "nor through a file:// URL");
}

/// Without `--actor`, `OVERSIGHT_ACTOR`, `USER` or `LOGNAME`, the actor is
/// the operating-system account (as `id -un` names it), never "unknown".
#[test]
fn the_actor_is_never_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        oversight()
            .args(args)
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env_remove("OVERSIGHT_ACTOR")
            .env_remove("USER")
            .env_remove("LOGNAME")
            .output()
            .unwrap()
    };
    let out = run(&["init", "--example"]);
    assert!(out.status.success(), "{out:?}");
    let pack = dir.path().join("pack");
    let out = run(&[
        "export",
        "--engagement",
        "acme-portal",
        "-o",
        pack.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let ledger: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(pack.join("ledger.json")).unwrap()).unwrap();
    let account = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let account = String::from_utf8_lossy(&account.stdout).trim().to_owned();
    assert!(!account.is_empty());
    for event in ledger["events"].as_array().unwrap() {
        assert_eq!(event["actor"], account.as_str(), "{event}");
    }
}

/// A database holding one irrelevant PyPI advisory used to let a
/// known-vulnerable `requests==2.30.0` through with no coverage finding:
/// one advisory is not a complete PyPI source. With the whole PyPA
/// database, the vulnerability itself is found. An import in which every
/// file fails records nothing.
#[test]
fn one_advisory_is_not_a_complete_source() {
    let dir = tempfile::tempdir().unwrap();
    let pypa = crate::util::corpora().join("pypa-advisory-db/vulns");
    let one = dir.path().join("one");
    fs_err::create_dir_all(&one).unwrap();
    let first = fs_err::read_dir(pypa.join("admesh"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    fs_err::copy(&first, one.join(first.file_name().unwrap())).unwrap();
    let delivery = dir.path().join("delivery");
    fs_err::create_dir_all(&delivery).unwrap();
    fs_err::write(delivery.join("requirements.txt"), "requests==2.30.0\n").unwrap();

    let scan = |db: &Path| {
        let out = oversight()
            .args([
                "scan",
                delivery.to_str().unwrap(),
                "--format",
                "json",
                "--no-progress",
                "--advisories",
                db.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    let import = |db: &Path, source: &Path| {
        oversight()
            .args([
                "db",
                "import",
                source.to_str().unwrap(),
                "--advisories",
                db.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let small = dir.path().join("small-db");
    assert!(import(&small, &one).status.success());
    let report = scan(&small);
    let coverage: Vec<&str> = crate::util::findings(&report)
        .filter(|f| f["rule"] == "coverage.advisories-missing")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        coverage
            .iter()
            .any(|m| m.contains("no imported source is a complete PyPI advisory database")),
        "{report:#}"
    );

    let full = dir.path().join("full-db");
    assert!(import(&full, &pypa).status.success());
    let report = scan(&full);
    assert!(
        crate::util::findings(&report).any(|f| f["rule"] == "vulnerability.known"
            && f["message"]
                .as_str()
                .unwrap_or("")
                .contains("requests@2.30.0")),
        "{report:#}"
    );
    assert!(
        !crate::util::findings(&report).any(|f| f["rule"] == "coverage.advisories-missing"),
        "{report:#}"
    );

    // Every file fails: nothing is recorded.
    let broken = dir.path().join("broken");
    fs_err::create_dir_all(&broken).unwrap();
    fs_err::write(broken.join("PYSEC-0000-1.json"), "{ not json").unwrap();
    let empty = dir.path().join("empty-db");
    let out = import(&empty, &broken);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing was recorded"),
        "{out:?}"
    );
    let status = oversight()
        .args(["db", "status", "--advisories", empty.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("No advisories imported yet"),
        "{status:?}"
    );
}

/// Looking back from the CLI: `review list|show`, `waiver list|revoke`
/// (a revoked waiver no longer applies), and `scan --policy` giving the
/// supplier the same verdict the organisation's review gives.
#[test]
fn reviews_and_waivers_are_listed_shown_and_revoked_on_sqlite() {
    reviews_and_waivers_are_listed_shown_and_revoked(&Home::new());
}

#[test]
fn reviews_and_waivers_are_listed_shown_and_revoked_on_postgres() {
    reviews_and_waivers_are_listed_shown_and_revoked(&Home::on_postgres());
}

fn reviews_and_waivers_are_listed_shown_and_revoked(home: &Home) {
    let cwd = home.dir.path();
    let policy = cwd.join("gate.toml");
    fs_err::write(
        &policy,
        "schema = 1\nname = \"gate\"\nversion = \"1\"\n[thresholds]\ndefault = \"high\"\nsecret = \"low\"\n[[deliverables]]\nkind = \"license\"\n",
    )
    .unwrap();
    let target = cwd.join("delivery");
    fs_err::create_dir_all(target.join("src")).unwrap();
    fs_err::copy(
        crate::util::corpora().join("spdx-license-list/license-list-data/text/MIT.txt"),
        target.join("LICENSE"),
    )
    .unwrap();
    fs_err::write(
        target.join("src/config.py"),
        "GITHUB_TOKEN = \"ghp_R8kQz3VxW1mN7pL2sT9yB4cF6hJ0dG5aE3uK\"\n",
    )
    .unwrap();
    let review = |extra: &[&str]| {
        let mut args = vec!["--policy", policy.to_str().unwrap()];
        args.extend_from_slice(extra);
        home.review_in(cwd, &target, &args)
    };

    // The supplier's CI: the same verdict, before anything is recorded.
    let (code, out) = home.run_in(
        cwd,
        &[
            "scan",
            target.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--no-progress",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Acceptance policy: rejected (policy gate, version 1)"),
        "{out}"
    );
    assert!(
        out.contains("LICENSE: holds MIT"),
        "the deliverable was read: {out}"
    );

    let (code, out) = review(&[]);
    assert_eq!(code, 1, "{out}");
    let fingerprint = out
        .lines()
        .find(|l| l.contains("secret.github-pat"))
        .and_then(|l| {
            l.rsplit_once('[')
                .map(|(_, f)| f.trim_end_matches(']').to_owned())
        })
        .expect(&out);
    let soon = (jiff::Zoned::now().date() + jiff::Span::new().days(20)).to_string();
    let keys = tempfile::tempdir().unwrap();
    let bob = oversight_test_support::ssh::SshApprover::new(keys.path(), "bob");
    let run = |args: &[&str]| home.run_in(cwd, args);
    let (code, out) = crate::util::signed_waive(
        &run,
        &bob,
        "bob@example.org",
        &[
            "waive",
            &fingerprint,
            "--engagement",
            "acme-portal",
            "--reason",
            "sandbox token, revoked at the supplier",
            "--expires",
            &soon,
            "--approver",
            "bob@example.org",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let waiver = out.split_whitespace().nth(1).expect(&out).to_owned();
    let (code, out) = review(&[]);
    assert_eq!(code, 0, "{out}");
    let accepted = out
        .split_whitespace()
        .find(|w| w.starts_with("rev-"))
        .map(|w| w.trim_end_matches(',').to_owned())
        .expect(&out);

    let (code, out) = home.run_in(cwd, &["waiver", "list", "--engagement", "acme-portal"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&waiver) && out.contains("in force"), "{out}");
    let (code, out) = home.run_in(
        cwd,
        &[
            "waiver",
            "revoke",
            &waiver,
            "--engagement",
            "acme-portal",
            "--reason",
            "token reused in production",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = home.run_in(
        cwd,
        &[
            "waiver",
            "revoke",
            &waiver,
            "--engagement",
            "acme-portal",
            "--reason",
            "again",
        ],
    );
    assert_eq!(code, 2, "revoked once: {out}");
    let (code, out) = home.run_in(cwd, &["waiver", "list", "--engagement", "acme-portal"]);
    assert!(
        code == 0 && out.contains("revoked") && out.contains("token reused in production"),
        "{out}"
    );
    let (code, out) = review(&[]);
    assert_eq!(code, 1, "the revoked waiver no longer applies: {out}");

    let (code, out) = home.run_in(cwd, &["review", "list", "--engagement", "acme-portal"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("rev-")).count(),
        3,
        "{out}"
    );
    assert!(
        out.contains("accepted-with-waivers") && out.contains("rejected"),
        "{out}"
    );
    let (code, out) = home.run_in(cwd, &["review", "show", &accepted]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ACCEPTED-WITH-WAIVERS"), "{out}");
    assert!(out.contains(&format!("waived by {waiver}")), "{out}");
    assert!(out.contains("Waivers applied:"), "{out}");
    assert!(out.contains("NOT the agreed policy"), "{out}");
    // The replay of the accepted review still applies the waiver in force
    // then, though it has been revoked since.
    let (code, out) = home.run_in(cwd, &["review", "--replay", &accepted, "--no-progress"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = home.run_in(cwd, &["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
}

/// A NOTICE must name every licence the delivered components declare: ruff's
/// real playground lockfile declares a dozen; a NOTICE naming only MIT is
/// refused with the ones it misses, one naming them all passes.
#[test]
fn a_notice_covers_the_licences_of_the_delivered_components() {
    let dir = tempfile::tempdir().unwrap();
    let delivery = dir.path().join("delivery");
    fs_err::create_dir_all(&delivery).unwrap();
    fs_err::copy(
        crate::util::corpora().join("real-lockfiles/astral-sh__ruff/playground/package-lock.json"),
        delivery.join("package-lock.json"),
    )
    .unwrap();
    fs_err::copy(
        crate::util::corpora().join("real-lockfiles/astral-sh__ruff/playground/package.json"),
        delivery.join("package.json"),
    )
    .unwrap();
    fs_err::write(
        delivery.join("NOTICE"),
        "This product bundles third-party software under the MIT License.\n",
    )
    .unwrap();
    let policy = dir.path().join("policy.toml");
    fs_err::write(
        &policy,
        "schema = 1\nname = \"notice\"\nversion = \"1\"\n[thresholds]\ndefault = \"never\"\n[[deliverables]]\nkind = \"notice\"\n",
    )
    .unwrap();
    let scan = || {
        let out = oversight()
            .args([
                "scan",
                delivery.to_str().unwrap(),
                "--policy",
                policy.to_str().unwrap(),
                "--no-progress",
            ])
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = scan();
    assert_eq!(code, 1, "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("does not cover the licences of the delivered components"))
        .expect(&out)
        .to_owned();
    for id in ["Apache-2.0", "ISC", "BSD-3-Clause", "MPL-2.0"] {
        assert!(line.contains(id), "{id} is named: {line}");
    }
    assert!(!line.contains("MIT ("), "MIT is covered: {line}");
    let missing: Vec<&str> = line
        .split_once("components: ")
        .map(|(_, list)| list)
        .unwrap_or("")
        .split(", ")
        .filter_map(|item| item.split(' ').next())
        .collect();
    let mut notice =
        String::from("This product bundles third-party software under the MIT License.\n");
    for id in missing {
        notice.push_str(&format!("Some components are licensed under {id}.\n"));
    }
    fs_err::write(delivery.join("NOTICE"), notice).unwrap();
    let (code, out) = scan();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("naming every licence the delivered components declare"),
        "{out}"
    );
}

/// Replay is faithful for every delivery: a link out of the tree, a FIFO
/// and two files whose names differ only in invalid UTF-8 bytes are kept as
/// manifest records and rebuilt; the rejected delivery replays as
/// identical, not as "now accepted".
#[cfg(unix)]
#[test]
fn links_special_files_and_byte_names_replay_identically() {
    use std::os::unix::ffi::OsStrExt as _;
    let home = Home::new();
    let cwd = home.dir.path();
    let target = cwd.join("delivery");
    fs_err::create_dir_all(&target).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", target.join("passwd")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(target.join("pipe"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let a = std::ffi::OsStr::from_bytes(b"data-\xff.txt");
    let b = std::ffi::OsStr::from_bytes(b"data-\xfe.txt");
    fs_err::write(target.join(a), "first file\n").unwrap();
    fs_err::write(target.join(b), "second file, other content\n").unwrap();
    let policy = cwd.join("links.toml");
    fs_err::write(
        &policy,
        "schema = 1\nname = \"links\"\nversion = \"1\"\n[thresholds]\ndefault = \"never\"\nintegrity = \"medium\"\n",
    )
    .unwrap();
    let (code, out) = home.review_in(
        cwd,
        &target,
        &["--policy", policy.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(code, 1, "the link out of the tree blocks: {out}");
    let value: serde_json::Value = serde_json::from_str(&out).expect(&out);
    let id = value["review"].as_str().unwrap().to_owned();
    assert_eq!(
        value["files"], 2,
        "the two byte names stay two files: {out}"
    );

    let (code, out) = home.run_in(cwd, &["review", "--replay", &id, "--no-progress"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("IDENTICAL"), "{out}");
    assert!(!out.contains("DIFFERENT"), "{out}");
    // The shown names are escaped, and distinct.
    let (code, out) = home.run_in(cwd, &["review", "show", &id]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("passwd"), "{out}");
}
