//! The acceptance gate end to end: review, waive (four eyes), review again,
//! change the waived file, diff, replay, status, tampered evidence; on the
//! embedded SQLite and on PostgreSQL. And `kill -9` at random points of a
//! review never leaves a half-recorded delivery.

use std::path::{Path, PathBuf};

use crate::util::oversight;

/// A register in a temporary home, run as one actor or another.
struct Home {
    dir: tempfile::TempDir,
    database: Option<String>,
    /// More environment for every command (an S3 evidence store's).
    env: Vec<(String, String)>,
}

impl Home {
    fn new(database: Option<String>) -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
            database,
            env: Vec::new(),
        }
    }

    fn command(&self, actor: &str, args: &[&str]) -> std::process::Command {
        let mut cmd = oversight();
        cmd.args(args)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("OVERSIGHT_ACTOR", actor);
        if let Some(url) = &self.database {
            cmd.env("OVERSIGHT_DATABASE", url);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    fn run_as(&self, actor: &str, args: &[&str]) -> (i32, String) {
        let out = self.command(actor, args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        self.run_as("alice@example.org", args)
    }

    /// `oversight review TARGET` for the example engagement under `policy`.
    fn review(&self, target: &Path, policy: &Path, extra: &[&str]) -> (i32, String) {
        let mut args = vec![
            "review",
            target.to_str().unwrap(),
            "--engagement",
            "acme-portal",
            "--policy",
            policy.to_str().unwrap(),
            "--no-progress",
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `oversight export` of the example engagement into `dir`.
    fn export(&self, dir: &Path) -> (i32, String) {
        self.run(&[
            "export",
            "--engagement",
            "acme-portal",
            "-o",
            dir.to_str().unwrap(),
        ])
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A register with the example engagement, the test policy and the
    /// test delivery; returns the policy's and the delivery's paths.
    fn prepare(&self) -> (PathBuf, PathBuf) {
        let (code, out) = self.run(&["init", "--example"]);
        assert_eq!(code, 0, "{out}");
        let policy = self.path("policy.toml");
        fs_err::write(&policy, POLICY).unwrap();
        let target = self.path("delivery");
        delivery(&target);
        (policy, target)
    }
}

/// A policy that blocks any secret and wants a LICENSE file.
const POLICY: &str = r#"
schema = 1
name = "test-gate"
version = "7"
[thresholds]
default = "high"
secret = "low"
[[deliverables]]
kind = "license"
"#;

/// A GitHub token of the documented shape (not a real one, not a placeholder).
const TOKEN: &str = "ghp_R8kQz3VxW1mN7pL2sT9yB4cF6hJ0dG5aE3uK";

fn delivery(dir: &Path) {
    let mit = crate::util::corpora().join("spdx-license-list/license-list-data/text/MIT.txt");
    fs_err::create_dir_all(dir.join("src")).unwrap();
    fs_err::copy(&mit, dir.join("LICENSE")).unwrap();
    fs_err::write(
        dir.join("src/main.rs"),
        "fn main() {\n    println!(\"hello\");\n}\n",
    )
    .unwrap();
    fs_err::write(
        dir.join("src/config.py"),
        format!("GITHUB_TOKEN = \"{TOKEN}\"\n"),
    )
    .unwrap();
}

/// The fingerprint in `[…]` at the end of the first blocking reason naming `rule`.
fn fingerprint(out: &str, rule: &str) -> String {
    let line = out
        .lines()
        .find(|l| l.contains("BLOCKS") && l.contains(rule))
        .unwrap_or_else(|| panic!("no blocking {rule} in\n{out}"));
    let start = line.rfind('[').unwrap() + 1;
    line[start..line.len() - 1].to_owned()
}

fn review_id(out: &str) -> String {
    let start = out.find("(review ").expect("a review id") + "(review ".len();
    out[start..].split(',').next().unwrap().to_owned()
}

fn gate_story(database: Option<String>) {
    let home = Home::new(database);
    let (policy, target) = home.prepare();
    let review = |extra: &[&str]| home.review(&target, &policy, extra);

    // 1. A live-looking token blocks acceptance.
    let (code, out) = review(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Decision: REJECTED"), "{out}");
    assert!(!out.contains(TOKEN), "the secret is never printed:\n{out}");
    let first = review_id(&out);
    let secret = fingerprint(&out, "secret.");

    // 2. Waivers need a second person, and the agreed policy's rules hold
    // when the waiver is granted (the example allows at most 60 days).
    let in_30_days = (jiff::Zoned::now().date() + jiff::Span::new().days(30)).to_string();
    let expires = std::cell::RefCell::new(String::from("2099-12-31"));
    let keys = tempfile::tempdir().unwrap();
    let bob = oversight_test_support::ssh::SshApprover::new(keys.path(), "bob");
    let waive = |actor: &str, approver: &str| {
        let run = |args: &[&str]| home.run_as(actor, args);
        crate::util::signed_waive(
            &run,
            &bob,
            approver,
            &[
                "waive",
                &secret,
                "--engagement",
                "acme-portal",
                "--reason",
                "token of the supplier's sandbox, revoked on 2026-11-20",
                "--expires",
                expires.borrow().as_str(),
                "--approver",
                approver,
            ],
        )
    };
    let (code, out) = waive("alice@example.org", "bob@example.org");
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("allows at most 60 (waivers.max_days)"),
        "{out}"
    );
    *expires.borrow_mut() = in_30_days;
    let (code, out) = waive("alice@example.org", "alice@example.org");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("four eyes"), "{out}");
    let (code, out) = waive("alice@example.org", "bob@example.org");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("bound to content sha256:"), "{out}");

    // 3. The same delivery is now accepted with the waiver.
    let (code, out) = review(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Decision: ACCEPTED-WITH-WAIVERS"), "{out}");
    assert!(out.contains("waived by wvr-"), "{out}");

    // 4. Changing the waived file voids the waiver.
    fs_err::write(
        target.join("src/config.py"),
        format!("GITHUB_TOKEN = \"{TOKEN}\"\nDEBUG = True\n"),
    )
    .unwrap();
    let (code, out) = review(&["--diff"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("and the file is now sha256:"), "{out}");
    assert!(
        out.contains("Files changed (1):\n  ~ src/config.py"),
        "{out}"
    );

    // 5. JSON decision, a missing deliverable named.
    fs_err::remove_file(target.join("LICENSE")).unwrap();
    let (code, out) = review(&["--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).expect(&out);
    assert_eq!(json["decision"], "rejected");
    assert!(
        json["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "missing-deliverable"),
        "{out}"
    );

    // 6. The first review replays identically from the evidence store.
    let (code, out) = home.run(&["review", "--replay", &first, "--no-progress"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Result: IDENTICAL"), "{out}");
    assert!(out.contains("3 delivered files restored"), "{out}");

    // 7. Monitoring and the ledger.
    let (code, out) = home.run(&["status"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("acme-portal") && out.contains("rejected"),
        "{out}"
    );
    let (code, out) = home.run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("10 events"),
        "init, supplier, engagement, 5 reviews, approver, waiver: {out}"
    );

    // 8. An assurance document kept as evidence lifts the expired
    //    certificate from the status view's due list.
    let due = |home: &Home| {
        let (code, out) = home.run(&["status", "--format", "json"]);
        assert_eq!(code, 0, "{out}");
        let json: serde_json::Value = serde_json::from_str(&out).expect(&out);
        json["due"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["what"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(
        due(&home)
            .iter()
            .any(|w| w == "iso27001-certificate expires"),
        "{:?}",
        due(&home)
    );
    let certificate = home.path("iso27001-certificate-2026.pdf");
    fs_err::write(&certificate, b"%PDF-1.4 certificate of registration").unwrap();
    let (code, out) = home.run(&[
        "evidence",
        "add",
        certificate.to_str().unwrap(),
        "--engagement",
        "acme-portal",
        "--kind",
        "iso27001-certificate",
        "--expires",
        "2099-06-30",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        !due(&home).iter().any(|w| w.contains("iso27001")),
        "{:?}",
        due(&home)
    );
    let (code, out) = home.run(&["evidence", "list", "--engagement", "acme-portal"]);
    assert!(
        code == 0 && out.contains("iso27001-certificate-2026.pdf"),
        "{out}"
    );

    // 9. The evidence pack: every file listed in SHA256SUMS with its hash,
    //    the reviews' blobs, the ledger verified, a readable summary.
    let pack = home.path("pack");
    let (code, out) = home.export(&pack);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("4 reviews, 1 waivers"), "{out}");
    let sums = fs_err::read_to_string(pack.join("SHA256SUMS")).unwrap();
    let mut listed = 0;
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        let bytes = fs_err::read(pack.join(name)).unwrap();
        assert_eq!(hash, sha256_hex(&bytes), "{name}");
        listed += 1;
    }
    assert!(listed >= 4 * 6 + 6, "{sums}");
    let sbom: serde_json::Value = serde_json::from_slice(
        &fs_err::read(pack.join(format!("reviews/{first}/sbom.cdx.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(sbom["bomFormat"], "CycloneDX");
    // What the review was held to is on record: policy, rule sets, tool.
    let recorded: serde_json::Value = serde_json::from_slice(
        &fs_err::read(pack.join(format!("reviews/{first}/review.json"))).unwrap(),
    )
    .unwrap();
    let delivery = &recorded["delivery"];
    assert_eq!(delivery["policy"]["name"], "test-gate");
    assert_eq!(delivery["policy"]["version"], "7");
    assert_eq!(
        delivery["rule_sets"]["secrets"]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert!(
        delivery["rule_sets"]["licences"]["spdx_license_list"]
            .as_str()
            .unwrap()
            .starts_with('3'),
        "{delivery}"
    );
    assert_eq!(recorded["decision"]["outcome"], "rejected");
    assert_eq!(recorded["decision"]["reviewer"], "alice@example.org");
    let html = fs_err::read_to_string(pack.join("index.html")).unwrap();
    assert!(html.contains("Ledger verified: 11 events"), "{html}");
    assert!(
        html.contains(&first) && html.contains("accepted-with-waivers"),
        "{html}"
    );
    assert!(!html.contains(TOKEN));
    // Rendered by the web pages' templates: the A.8.30 factor table with
    // each factor's state, every review with its real reviewer, reasons
    // and findings, the waiver applied, the certificate with its validity,
    // the trend charts; no script (it is read with no server).
    assert!(!html.to_lowercase().contains("<script"), "{html}");
    let factors = &html[html
        .find("<table id=\"factor-table\"")
        .expect("the factor table")..];
    let factors = &factors[..factors.find("</table>").unwrap()];
    for factor in ["licensing-ip", "acceptance-testing"] {
        assert!(factors.contains(factor), "no {factor} in {factors}");
    }
    assert!(
        ["ok", "attention", "failing", "not agreed"]
            .iter()
            .any(|s| factors.contains(&format!("<strong>{s}</strong>"))),
        "{factors}"
    );
    let reviews: Vec<&str> = html
        .match_indices("<article class=\"review\" id=\"review-")
        .map(|(at, _)| &html[at..])
        .collect();
    assert_eq!(reviews.len(), 4, "{html}");
    assert!(html.contains(&format!("id=\"review-{first}\"")), "{html}");
    assert_eq!(
        html.matches("<dd class=\"reviewer\">alice@example.org</dd>")
            .count(),
        4,
        "{html}"
    );
    assert!(!html.contains(">unknown<"), "{html}");
    assert!(html.contains("Blocks acceptance:"), "the reasons: {html}");
    let waiver = &recorded_waiver(&pack);
    assert!(
        html.contains(&format!("<td>waived</td><td>{waiver}</td>")),
        "the waiver applied: {html}"
    );
    assert!(
        html.contains("iso27001-certificate-2026.pdf") && html.contains("valid (until 2099-06-30)"),
        "{html}"
    );
    assert!(
        html.contains("<desc id=\"pack-findings-desc\">")
            && html.contains("id=\"pack-findings-data\""),
        "{html}"
    );
    let ledger: serde_json::Value =
        serde_json::from_slice(&fs_err::read(pack.join("ledger.json")).unwrap()).unwrap();
    assert_eq!(ledger["events"].as_array().unwrap().len(), 11);

    // Unknown engagement: one clear error, nothing recorded.
    let (code, out) = home.run(&[
        "review",
        target.to_str().unwrap(),
        "--engagement",
        "no-such-engagement",
        "--no-progress",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no-such-engagement"), "{out}");

    // 10. An evidence blob altered on disk is caught when it is read back.
    //     Small delivered files are kept in packs: alter one byte of
    //     `src/main.rs` inside the pack that holds it.
    let packs = home.path("data/oversight/evidence/packs");
    let mut altered = 0;
    for pack in fs_err::read_dir(&packs).unwrap() {
        let pack = pack.unwrap().path();
        if pack.extension().is_none_or(|e| e != "pack") {
            continue;
        }
        let mut bytes = fs_err::read(&pack).unwrap();
        let needle = b"println!(\"hello\")";
        if let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) {
            bytes[at + 10] = b'j';
            fs_err::write(&pack, &bytes).unwrap();
            altered += 1;
        }
    }
    assert_eq!(altered, 1);
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("was altered"), "{out}");
    let (code, out) = home.run(&["review", "--replay", &first, "--no-progress"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("was altered"), "{out}");
    // The evidence pack re-reads every delivered file and names this one.
    let second_pack = home.path("pack-after-tampering");
    let (code, out) = home.export(&second_pack);
    assert_eq!(code, 1, "{out}");
    let html = fs_err::read_to_string(second_pack.join("index.html")).unwrap();
    assert!(
        html.contains(&format!("{first}: delivered file src/main.rs: sha256:"))
            && html.contains("was altered"),
        "{html}"
    );
    // A pack is never written over an earlier one.
    let (code, out) = home.export(&pack);
    assert_eq!(code, 2, "a non-empty directory is refused: {out}");
}

#[test]
fn gate_story_on_embedded_sqlite() {
    gate_story(None);
}

#[test]
fn gate_story_on_postgres() {
    let db = oversight_test_support::postgres::TempDatabase::new("oversight_gate");
    gate_story(Some(db.url()));
}

/// `kill -9` at random moments of reviews: afterwards the ledger verifies
/// (every delivery row matches the event that recorded it, nothing half
/// written) and the next review records normally.
#[cfg(unix)]
#[test]
fn killing_a_review_at_any_point_leaves_the_register_consistent() {
    let home = Home::new(None);
    let (policy, target) = home.prepare();
    // Enough content that a review takes a while: 1,500 files, ~12 MB.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..1_500 {
        let dir = target.join(format!("pkg{}", i % 30));
        fs_err::create_dir_all(&dir).unwrap();
        let mut text = String::with_capacity(8_000);
        while text.len() < 8_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(&format!("let v{} = {};\n", seed % 1000, seed));
        }
        fs_err::write(dir.join(format!("f{i}.rs")), text).unwrap();
    }
    let args = [
        "review",
        target.to_str().unwrap(),
        "--engagement",
        "acme-portal",
        "--policy",
        policy.to_str().unwrap(),
        "--no-progress",
    ];
    // One undisturbed review, to know how long one takes.
    let started = std::time::Instant::now();
    let (code, out) = home.run(&args);
    assert_eq!(code, 1, "{out}");
    let full = started.elapsed();
    let evidence = home.path("data/oversight/evidence");
    let leftovers = || {
        fs_err::read_dir(&evidence)
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with(".oversight-staging-")
            })
            .count()
    };
    let mut left_behind = false;
    let mut killed = 0;
    for round in 0..12u64 {
        // Spread the kills over the whole review, end included.
        let at = full.mul_f64((round as f64 + 0.5) / 12.0 * 1.1);
        let mut child = home.command("alice@example.org", &args).spawn().unwrap();
        std::thread::sleep(at);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        let (code, out) = home.run(&["ledger", "verify"]);
        assert_eq!(code, 0, "after a kill at {at:?}:\n{out}");
        // Each review first removes what earlier killed ones left.
        let left = leftovers();
        assert!(
            left <= 2,
            "{left} staging directories after a kill at {at:?}"
        );
        left_behind |= left > 0;
    }
    assert!(killed >= 6, "only {killed} reviews were killed mid-way");
    assert!(left_behind, "no killed review left a staging directory");
    let (code, out) = home.run(&args);
    assert_eq!(code, 1, "the register still records reviews:\n{out}");
    assert_eq!(
        leftovers(),
        0,
        "the next review removes what killed ones left"
    );
    let (code, out) = home.run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
    // Every blob the register refers to is there and intact; no pack was
    // left without its index.
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Evidence verified"), "{out}");
}

/// `oversight evidence verify` names a delivered file whose blob was
/// altered in the store, and one that was deleted.
#[test]
fn evidence_verify_names_altered_and_missing_delivered_files() {
    let home = Home::new(None);
    let (policy, target) = home.prepare();
    // One file large enough to be stored loose (beyond the pack's limit).
    let big: String = (0..40_000).map(|i| format!("line {i}\n")).collect();
    fs_err::write(target.join("src/big.txt"), &big).unwrap();
    let (code, out) = home.review(&target, &policy, &[]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("referred to by 1 reviews"), "{out}");
    assert!(!out.contains("referred to by no review"), "{out}");

    // A blob no record names (as an interrupted review leaves) is counted,
    // not a problem.
    let stray = b"left by an interrupted review\n";
    let hex = sha256_hex(stray);
    let path = home.path(&format!(
        "data/oversight/evidence/sha256/{}/{}",
        &hex[..2],
        &hex[2..]
    ));
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    fs_err::write(&path, stray).unwrap();
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 blob(s) are referred to by no review or document"),
        "{out}"
    );

    // A review whose evidence went to another store is verified there.
    let other = home.path("other-evidence");
    let (code, out) = home.review(&target, &policy, &["--evidence", other.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Not checked here: 1 review(s) whose evidence went to local directory"),
        "{out}"
    );
    let (code, out) = home.run(&["evidence", "verify", "--evidence", other.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("referred to by 1 reviews"), "{out}");

    let hex = sha256_hex(big.as_bytes());
    let blob = home.path(&format!(
        "data/oversight/evidence/sha256/{}/{}",
        &hex[..2],
        &hex[2..]
    ));
    let mut altered = fs_err::read(&blob).unwrap();
    altered[0] ^= 1;
    fs_err::write(&blob, &altered).unwrap();
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("sha256:{hex} was altered")), "{out}");

    fs_err::remove_file(&blob).unwrap();
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("sha256:{hex}, referred to by review "))
            && out.contains(": src/big.txt, is missing"),
        "{out}"
    );
}

/// The gate with its evidence in S3-compatible storage (the s3s-fs server
/// `scripts/test` starts): review, `evidence verify` (which finds a blob
/// altered on the server's disk), `review --replay`, export, and
/// `evidence gc`,
/// which removes an old blob no record names, keeps a young one and the
/// review's, and records what it removed in the ledger.
#[test]
fn the_gate_keeps_verifies_replays_and_collects_its_evidence_on_s3() {
    let bucket = oversight_test_support::s3::TempBucket::new("cli-gate");
    let location = bucket.url("/oversight");
    let mut home = Home::new(None);
    home.env = oversight_test_support::s3::env();
    home.env
        .push(("OVERSIGHT_EVIDENCE".to_owned(), location.clone()));
    let (policy, target) = home.prepare();
    // One file large enough to be stored loose (beyond the pack's limit).
    let big: String = (0..40_000).map(|i| format!("line {i}\n")).collect();
    fs_err::write(target.join("src/big.txt"), &big).unwrap();
    let (code, out) = home.review(&target, &policy, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&location), "{out}");
    let first = review_id(&out);
    let object =
        |hex: &str| bucket.object_file(&format!("oversight/sha256/{}/{}", &hex[..2], &hex[2..]));
    let big_hex = sha256_hex(big.as_bytes());
    assert!(
        object(&big_hex).is_file(),
        "the blob is on the server's disk"
    );
    assert!(
        !home.path("data/oversight/evidence/sha256").exists(),
        "nothing went to the local store"
    );

    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("referred to by 1 reviews"), "{out}");
    assert!(out.contains("Evidence verified"), "{out}");
    let (code, out) = home.run(&["review", "--replay", &first, "--no-progress"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Result: IDENTICAL"), "{out}");
    // The auditor's pack, its blobs read back from S3 and verified.
    let pack = home.path("audit-pack");
    let (code, out) = home.export(&pack);
    assert_eq!(code, 0, "{out}");
    let sums = fs_err::read_to_string(pack.join("SHA256SUMS")).unwrap();
    assert!(sums.contains(&format!("reviews/{first}/")), "{sums}");

    // Altered behind the store's back, on the server's disk.
    let original = fs_err::read(object(&big_hex)).unwrap();
    let mut altered = original.clone();
    altered[0] ^= 1;
    fs_err::write(object(&big_hex), &altered).unwrap();
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("sha256:{big_hex} was altered")),
        "{out}"
    );
    let (code, out) = home.run(&["review", "--replay", &first, "--no-progress"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains(&big_hex),
        "the replay names the altered blob: {out}"
    );
    fs_err::write(object(&big_hex), &original).unwrap();

    // Garbage: a blob an interrupted review left two days ago, and one
    // another review stored a minute ago and has not recorded yet.
    let old = b"left by a review interrupted two days ago\n";
    let young = b"stored by a review still running\n";
    for bytes in [&old[..], &young[..]] {
        let path = object(&sha256_hex(bytes));
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(&path, bytes).unwrap();
    }
    std::fs::File::options()
        .write(true)
        .open(object(&sha256_hex(old)))
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(48 * 3600))
        .unwrap();
    let (code, out) = home.run(&["evidence", "gc", "--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("would remove 1 loose blob(s) and 0 pack(s)")
            && out.contains(&format!("would remove sha256:{}", sha256_hex(old))),
        "{out}"
    );
    assert!(
        object(&sha256_hex(old)).is_file(),
        "a dry run removes nothing"
    );
    let (code, out) = home.run(&["evidence", "gc", "--grace", "24h"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("removed 1 loose blob(s) and 0 pack(s)"),
        "{out}"
    );
    assert!(out.contains("1 unreferenced younger than 24h"), "{out}");
    assert!(out.contains("(evidence.collected)"), "{out}");
    assert!(!object(&sha256_hex(old)).exists());
    assert!(object(&sha256_hex(young)).is_file());
    assert!(object(&big_hex).is_file());
    let (code, out) = home.run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = home.run(&["review", "--replay", &first, "--no-progress"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Result: IDENTICAL"), "{out}");
    let (code, out) = home.run(&["evidence", "gc", "--grace", "a while"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("is not a duration"), "{out}");
}

/// `oversight evidence gc` on a local store refuses to guess: a review
/// whose manifest cannot be read names files gc cannot know, so nothing is
/// removed; once the review's blobs are whole, only the unreferenced go.
#[test]
fn evidence_gc_on_a_local_store_refuses_while_a_manifest_is_missing() {
    let home = Home::new(None);
    let (policy, target) = home.prepare();
    let (code, out) = home.review(&target, &policy, &["--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let stray = b"left by an interrupted review\n";
    let hex = sha256_hex(stray);
    let path = home.path(&format!(
        "data/oversight/evidence/sha256/{}/{}",
        &hex[..2],
        &hex[2..]
    ));
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    fs_err::write(&path, stray).unwrap();
    let (code, out) = home.run(&["evidence", "gc", "--grace", "0s"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("removed 1 loose blob(s)"), "{out}");
    assert!(!path.exists());
    let (code, out) = home.run(&["evidence", "verify"]);
    assert_eq!(code, 0, "{out}");

    // With the review's blobs gone, its manifest among them, gc cannot
    // know which files the review names.
    for dir in ["packs", "sha256"] {
        fs_err::remove_dir_all(home.path(&format!("data/oversight/evidence/{dir}"))).unwrap();
    }
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    fs_err::write(&path, stray).unwrap();
    let (code, out) = home.run(&["evidence", "gc", "--grace", "0s"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("nothing removed") && out.contains("its manifest"),
        "{out}"
    );
    assert!(path.exists());
}

/// A review that also scanned the git history replays its delivered tree
/// from the evidence store; the secret it found in a past commit came from
/// the supplier's repository, which the store does not keep, and the replay
/// says so instead of calling the whole review identical or different.
#[test]
fn a_history_review_replays_its_tree_and_names_what_it_could_not_replay() {
    let home = Home::new(None);
    let (policy, _) = home.prepare();
    let repo = home.path("repo");
    fs_err::create_dir_all(repo.join("src")).unwrap();
    let git = |args: &[&str]| crate::util::git(&repo, args);
    git(&["init", "-q", "-b", "main"]);
    let mit = crate::util::corpora().join("spdx-license-list/license-list-data/text/MIT.txt");
    fs_err::copy(&mit, repo.join("LICENSE")).unwrap();
    fs_err::write(
        repo.join("src/config.py"),
        format!("GITHUB_TOKEN = \"{TOKEN}\"\n"),
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "config"]);
    fs_err::write(
        repo.join("src/config.py"),
        "import os\nGITHUB_TOKEN = os.environ[\"GITHUB_TOKEN\"]\n",
    )
    .unwrap();
    git(&["commit", "-q", "-am", "token from the environment"]);

    let (code, out) = home.review(&repo, &policy, &["--history"]);
    assert_eq!(code, 1, "the token in history blocks:\n{out}");
    let review = review_id(&out);

    let (code, out) = home.run(&["review", "--replay", &review, "--no-progress"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Result: IDENTICAL for the delivered tree")
            && out.contains("decision rejected recorded, not compared"),
        "{out}"
    );
    assert!(
        out.contains("the 1 finding(s) in past commits were not replayed and, as some of them blocked acceptance"),
        "{out}"
    );
}

/// The id of the one waiver in the pack's `waivers.json`.
fn recorded_waiver(pack: &Path) -> String {
    let waivers: serde_json::Value =
        serde_json::from_slice(&fs_err::read(pack.join("waivers.json")).unwrap()).unwrap();
    waivers[0]["id"].as_str().expect("a waiver").to_owned()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The evidence pack's summary is a page an auditor opens in a browser: it
/// is rendered by headless Chromium (Debian's `chromium`, installed by
/// `.ci/run`) and the rendered document holds the review, the decision and
/// the ledger's verification.
#[test]
fn evidence_pack_summary_renders_in_headless_chromium() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("headless Chromium is needed (Debian package `chromium`; .ci/run installs it)");
    let home = Home::new(None);
    let (policy, target) = home.prepare();
    let (code, out) = home.review(&target, &policy, &[]);
    assert_eq!(code, 1, "{out}");
    let review = review_id(&out);
    let pack = home.path("pack");
    let (code, out) = home.export(&pack);
    assert_eq!(code, 0, "{out}");
    let page = format!("file://{}", pack.join("index.html").display());
    let rendered = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            &format!("--user-data-dir={}", home.path("chromium").display()),
            "--dump-dom",
            &page,
        ])
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(
        dom.contains("Evidence pack: engagement <code>acme-portal</code>"),
        "{dom}"
    );
    assert!(dom.contains(&format!("{review}</a>")), "{dom}");
    assert!(
        dom.contains("<span class=\"outcome outcome-rejected\">rejected</span>"),
        "{dom}"
    );
    assert!(dom.contains("Ledger verified: 4 events"), "{dom}");
    // The browser parsed the page: the SVG chart is in the DOM.
    assert!(
        dom.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""),
        "{dom}"
    );
    assert!(!dom.contains(TOKEN), "the secret is never in the pack");
}
