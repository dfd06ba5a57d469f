//! Escrow end to end: an accepted review deposited twice (byte-identical),
//! verified by Oversight (levels 1 and 2) and by OpenSSH's `ssh-keygen -Y
//! verify`, recorded in the ledger and seen by `status`; then deposits
//! that fail: a changed file, an unpinned dependency, a missing build
//! file, a binary without source, a truncated or corrupt file, another
//! key. On the embedded SQLite and on PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{corpora, oversight};

struct Home {
    dir: tempfile::TempDir,
    database: Option<String>,
}

impl Home {
    fn new(database: Option<String>) -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
            database,
        }
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        let mut cmd = oversight();
        cmd.args(args)
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("OVERSIGHT_ACTOR", "alice@example.org");
        if let Some(url) = &self.database {
            cmd.env("OVERSIGHT_DATABASE", url);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Reviews `target` under a policy that blocks nothing; returns the review id.
    fn accept(&self, target: &Path) -> String {
        let policy = self.path("policy.toml");
        fs_err::write(
            &policy,
            "schema = 1\nname = \"escrow-test\"\nversion = \"1\"\n[thresholds]\ndefault = \"never\"\n",
        )
        .unwrap();
        let (code, out) = self.run(&[
            "review",
            target.to_str().unwrap(),
            "--engagement",
            "acme-portal",
            "--policy",
            policy.to_str().unwrap(),
            "--no-progress",
        ]);
        assert_eq!(code, 0, "{out}");
        let start = out.find("(review ").expect("a review id") + "(review ".len();
        out[start..].split(',').next().unwrap().to_owned()
    }

    fn deposit(&self, review: &str, dir: &Path) -> (i32, String) {
        self.run(&[
            "escrow",
            "deposit",
            "--engagement",
            "acme-portal",
            "--review",
            review,
            "-o",
            dir.to_str().unwrap(),
        ])
    }

    /// The escrow factor's state and note, and the due items about escrow.
    fn escrow_state(&self) -> String {
        let (code, out) = self.run(&["status", "--format", "json"]);
        assert_eq!(code, 0, "{out}");
        let status: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut lines = Vec::new();
        for e in status["engagements"].as_array().unwrap() {
            for f in e["factors"].as_array().unwrap() {
                if f["factor"] == "escrow" {
                    lines.push(format!("{} {}", f["state"], f["note"]));
                }
            }
        }
        for d in status["due"].as_array().unwrap() {
            let what = d["what"].as_str().unwrap();
            if what.contains("escrow") {
                lines.push(what.to_owned());
            }
        }
        lines.join("\n")
    }

    /// The ledger's events, from an exported pack.
    fn ledger_kinds(&self) -> Vec<String> {
        let pack = self.path(&format!("pack-{}", rand_suffix()));
        let (code, out) = self.run(&[
            "export",
            "--engagement",
            "acme-portal",
            "-o",
            pack.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{out}");
        let ledger: serde_json::Value =
            serde_json::from_slice(&fs_err::read(pack.join("ledger.json")).unwrap()).unwrap();
        let events = ledger["events"].as_array().or(ledger.as_array()).unwrap();
        events
            .iter()
            .map(|e| {
                e["kind"]
                    .as_str()
                    .or(e["event"]["kind"].as_str())
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// A real Go project's build files (prometheus' go.mod and go.sum), its
/// licence, and a Dockerfile whose base images are pinned.
fn delivery(dir: &Path) {
    let prometheus = corpora().join("real-lockfiles/prometheus__prometheus");
    fs_err::create_dir_all(dir).unwrap();
    for name in ["go.mod", "go.sum", "LICENSE"] {
        fs_err::copy(prometheus.join(name), dir.join(name)).unwrap();
    }
    fs_err::write(
        dir.join("Dockerfile"),
        "FROM golang:1.23.4-bookworm AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\n\
         FROM gcr.io/distroless/static@sha256:3f2b64ef97bd285e36132c684e6b2ae8f2723293d09aae046196cca64251acac\n\
         COPY --from=build /src/app /app\n",
    )
    .unwrap();
}

fn sig_hex_key(deposit: &Path) -> String {
    let sig: serde_json::Value =
        serde_json::from_slice(&fs_err::read(sibling(deposit, "sig")).unwrap()).unwrap();
    sig["public_key"].as_str().unwrap().to_owned()
}

fn sibling(path: &Path, ext: &str) -> PathBuf {
    PathBuf::from(format!("{}.{ext}", path.display()))
}

fn verify(home: &Home, deposit: &Path, key: &str) -> (i32, String) {
    home.run(&[
        "escrow",
        "verify",
        deposit.to_str().unwrap(),
        "--public-key",
        key,
    ])
}

fn escrow_story(database: Option<String>) {
    let home = Home::new(database);
    let (code, out) = home.run(&["init", "--example"]);
    assert_eq!(code, 0, "{out}");
    // Before any deposit, the ledger records none: the date the example
    // file states is named, not trusted.
    let before = home.escrow_state();
    assert!(before.contains("no deposit in the ledger"), "{before}");

    let target = home.path("delivery");
    delivery(&target);
    let review = home.accept(&target);

    // A rejected or foreign review is refused.
    let (code, out) = home.run(&[
        "escrow",
        "deposit",
        "--engagement",
        "acme-portal",
        "--review",
        "rev-0000000000000000",
        "-o",
        home.path("none").to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "{out}");

    let one = home.path("deposit-1");
    let two = home.path("deposit-2");
    let (code, out) = home.deposit(&review, &one);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Build instructions: Dockerfile, go.mod"),
        "{out}"
    );
    let (code, out) = home.deposit(&review, &two);
    assert_eq!(code, 0, "{out}");
    let name = format!("{review}.tar.zst");
    let deposit = one.join(&name);
    for file in [
        name.clone(),
        format!("{name}.sig"),
        format!("{name}.sshsig"),
    ] {
        assert_eq!(
            fs_err::read(one.join(&file)).unwrap(),
            fs_err::read(two.join(&file)).unwrap(),
            "{file} differs between two deposits of the same review"
        );
    }
    // Each deposit is a ledger event, and the ledger still verifies.
    let kinds = home.ledger_kinds();
    assert_eq!(
        kinds.iter().filter(|k| *k == "escrow.deposited").count(),
        2,
        "{kinds:?}"
    );
    let (code, out) = home.run(&["ledger", "verify"]);
    assert_eq!(code, 0, "{out}");
    let after = home.escrow_state();
    assert!(!after.contains("no deposit in the ledger"), "{after}");

    // Oversight's own verification, with the key given as hex and as the
    // allowed_signers line.
    let key = sig_hex_key(&deposit);
    let (code, out) = verify(&home, &deposit, &key);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Level 1: passed.") && out.contains("Level 2: passed."),
        "{out}"
    );
    let allowed = one.join(format!("{review}.allowed_signers"));
    let (code, out) = verify(&home, &deposit, allowed.to_str().unwrap());
    assert_eq!(code, 0, "{out}");
    let (code, out) = home.run(&[
        "escrow",
        "verify",
        deposit.to_str().unwrap(),
        "--with-register",
    ]);
    assert_eq!(code, 0, "{out}");
    // Without a trusted key, the signer is not authenticated: level 1 says so.
    let (code, out) = home.run(&["escrow", "verify", deposit.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no trusted public key given"), "{out}");

    // OpenSSH verifies the deposit without Oversight.
    let ssh = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&allowed)
        .args(["-I", "oversight-instance", "-n", "oversight-escrow", "-s"])
        .arg(sibling(&deposit, "sshsig"))
        .stdin(std::fs::File::open(&deposit).unwrap())
        .output()
        .expect("ssh-keygen runs (the test command installs OpenSSH's client)");
    assert!(
        ssh.status.success(),
        "ssh-keygen -Y verify: {}{}",
        String::from_utf8_lossy(&ssh.stdout),
        String::from_utf8_lossy(&ssh.stderr)
    );
    // ... and refuses it under another namespace or for another file.
    let wrong = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&allowed)
        .args(["-I", "oversight-instance", "-n", "file", "-s"])
        .arg(sibling(&deposit, "sshsig"))
        .stdin(std::fs::File::open(&deposit).unwrap())
        .output()
        .unwrap();
    assert!(!wrong.status.success());

    // The archive is a plain tar.zst: GNU tar lists it, manifest first,
    // with fixed owner, mode and time.
    let listing = Command::new("tar")
        .args(["--zstd", "-tvf"])
        .arg(&deposit)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    let first = listing.lines().next().unwrap();
    assert!(
        first.ends_with("oversight-escrow/manifest.json"),
        "{listing}"
    );
    assert!(
        listing.lines().all(|l| l.starts_with("-rw-r--r-- 0/0")),
        "{listing}"
    );
    assert!(
        listing.contains("1970-01-01 00:00 source/go.sum"),
        "{listing}"
    );

    // A truncated deposit, a corrupt one, another key.
    let truncated = home.path("truncated.tar.zst");
    let bytes = fs_err::read(&deposit).unwrap();
    fs_err::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let (code, out) = verify(&home, &truncated, &key);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("truncated or corrupt"), "{out}");
    let corrupt = home.path("corrupt").join(&name);
    fs_err::create_dir_all(corrupt.parent().unwrap()).unwrap();
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    fs_err::write(&corrupt, &flipped).unwrap();
    fs_err::copy(sibling(&deposit, "sig"), sibling(&corrupt, "sig")).unwrap();
    fs_err::copy(sibling(&deposit, "sshsig"), sibling(&corrupt, "sshsig")).unwrap();
    let (code, out) = verify(&home, &corrupt, &key);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("SHA-256"), "{out}");
    let other = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let (code, out) = verify(&home, &deposit, other);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("not by the trusted key d75a980182b10ab7"),
        "{out}"
    );

    // One file changed inside a re-packed deposit: level 1 names it.
    let repacked = repack_with_change(&home.path("repack"), &deposit, "source/go.mod");
    let (code, out) = verify(&home, &repacked, &key);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("source/go.mod: content differs from the manifest"),
        "{out}"
    );

    // A later delivery with an unpinned dependency, a build file naming a
    // missing directory, and a binary without source: accepted under this
    // policy, deposited, and level 2 names each.
    let second = home.path("delivery-2");
    delivery(&second);
    fs_err::create_dir_all(second.join("web")).unwrap();
    fs_err::write(
        second.join("web/package.json"),
        "{\"name\": \"web\", \"dependencies\": {\"left-pad\": \"^1.3.0\"}}\n",
    )
    .unwrap();
    fs_err::write(second.join("web/requirements.txt"), "requests>=2.31\n").unwrap();
    let mut dockerfile = fs_err::read_to_string(second.join("Dockerfile")).unwrap();
    dockerfile.push_str("COPY cmd/ /src/cmd/\n");
    fs_err::write(second.join("Dockerfile"), dockerfile).unwrap();
    fs_err::create_dir_all(second.join("tools")).unwrap();
    fs_err::copy("/usr/bin/true", second.join("tools/helper")).unwrap();
    // Status: the deposit is no longer of the latest accepted delivery.
    let review_2 = home.accept(&second);
    let state = home.escrow_state();
    assert!(
        state.contains("not of the latest accepted delivery"),
        "{state}"
    );
    let (code, out) = home.deposit(&review_2, &home.path("deposit-3"));
    assert_eq!(code, 0, "{out}");
    let deposit_2 = home.path("deposit-3").join(format!("{review_2}.tar.zst"));
    let (code, out) = verify(&home, &deposit_2, &key);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Level 1: passed."), "{out}");
    for expected in [
        "component pkg:pypi/requests",
        "web/requirements.txt: needs the python toolchain",
        "web/package.json: needs the node toolchain",
        "Dockerfile: COPY `cmd/`, which is not in the deposit",
        "tools/helper: binary without source: ELF",
    ] {
        assert!(out.contains(expected), "`{expected}` missing from\n{out}");
    }
    let state = home.escrow_state();
    assert!(
        !state.contains("not of the latest accepted delivery"),
        "{state}"
    );
}

/// Unpacks `deposit` with GNU tar, changes `member`, packs it again in the
/// same order with the signatures copied: the manifest no longer matches.
fn repack_with_change(dir: &Path, deposit: &Path, member: &str) -> PathBuf {
    let tree = dir.join("tree");
    fs_err::create_dir_all(&tree).unwrap();
    let list = Command::new("tar")
        .args(["--zstd", "-tf"])
        .arg(deposit)
        .output()
        .unwrap();
    let members: Vec<String> = String::from_utf8(list.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(
        Command::new("tar")
            .args(["--zstd", "-xf"])
            .arg(deposit)
            .arg("-C")
            .arg(&tree)
            .status()
            .unwrap()
            .success()
    );
    let changed = tree.join(member);
    let mut text = fs_err::read_to_string(&changed).unwrap();
    text.push_str("\n// changed after acceptance\n");
    fs_err::write(&changed, text).unwrap();
    let out = dir.join(deposit.file_name().unwrap());
    assert!(
        Command::new("tar")
            .args(["--zstd", "-cf"])
            .arg(&out)
            .arg("-C")
            .arg(&tree)
            .args(&members)
            .status()
            .unwrap()
            .success()
    );
    fs_err::copy(sibling(deposit, "sig"), sibling(&out, "sig")).unwrap();
    fs_err::copy(sibling(deposit, "sshsig"), sibling(&out, "sshsig")).unwrap();
    out
}

#[test]
fn escrow_story_on_embedded_sqlite() {
    escrow_story(None);
}

#[test]
fn escrow_story_on_postgres() {
    let db = oversight_test_support::postgres::TempDatabase::new("oversight_escrow");
    escrow_story(Some(db.url()));
}
