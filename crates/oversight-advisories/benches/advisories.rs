//! Import and matching throughput on the real corpora.
//!
//! `cargo bench -p oversight-advisories` (release profile). Measures: the
//! import of the RustSec advisory-db and the PyPA advisory-database (target
//! < 10 s together), opening the index, and matching 10,000 components
//! (target < 1 s after open), both on all cores and on one thread.

use std::path::Path;
use std::time::Instant;

use oversight_advisories::{Database, Outcome};
use oversight_model::{Component, DeliveryPath, DependencyScope, Directness, Ecosystem};

fn corpus(rel: &str) -> std::path::PathBuf {
    oversight_test_support::corpora().join(rel)
}

fn component(ecosystem: Ecosystem, name: &str, version: &str) -> Component {
    Component {
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: String::new(),
        directness: Directness::Unknown,
        scope: DependencyScope::Unknown,
        source: DeliveryPath::root("bench"),
        line: None,
        hashes: Vec::new(),
        license: None,
        depends_on: Vec::new(),
    }
}

/// 10,000 components: every package the corpora have advisories for, at
/// several versions, topped up with names no advisory mentions.
fn components() -> Vec<Component> {
    let dirs = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let crates = dirs(&corpus("rustsec-advisory-db/crates"));
    let pypi = dirs(&corpus("pypa-advisory-db/vulns"));
    let mut out = Vec::new();
    let versions = ["0.1.0", "0.9.3", "1.0.0", "1.6.0", "2.2.17", "3.1.4"];
    'fill: loop {
        for v in versions {
            for name in &crates {
                out.push(component(Ecosystem::CratesIo, name, v));
            }
            for name in &pypi {
                out.push(component(Ecosystem::PyPI, name, v));
            }
            for i in 0..500 {
                out.push(component(Ecosystem::Npm, &format!("no-advisory-{i}"), v));
            }
            if out.len() >= 10_000 {
                break 'fill;
            }
        }
    }
    out.truncate(10_000);
    out
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");

    let t = Instant::now();
    let mut db = Database::open(&index).unwrap();
    let rustsec = db.import(&corpus("rustsec-advisory-db")).unwrap();
    let t_rustsec = t.elapsed();
    let t2 = Instant::now();
    let pypa = db.import(&corpus("pypa-advisory-db/vulns")).unwrap();
    let t_pypa = t2.elapsed();
    let total = t.elapsed();
    let files = rustsec.imported + pypa.imported;
    println!(
        "import: RustSec {} advisories in {:.2?}, PyPA {} in {:.2?}; total {:.2?} ({:.0} files/s)",
        rustsec.imported,
        t_rustsec,
        pypa.imported,
        t_pypa,
        total,
        files as f64 / total.as_secs_f64()
    );
    drop(db);

    let t = Instant::now();
    let db = Database::open(&index).unwrap();
    println!(
        "open: {} advisories in {:.2?}",
        db.advisory_count(),
        t.elapsed()
    );

    let components = components();
    let t = Instant::now();
    let results = db.match_components(&components);
    let parallel = t.elapsed();
    let (mut affected, mut undecidable) = (0, 0);
    for o in results.iter().flatten() {
        match o {
            Outcome::Affected(_) => affected += 1,
            Outcome::Undecidable(u) => {
                undecidable += 1;
                if undecidable <= 5 {
                    println!(
                        "  undecidable: {} {}@{}: {}",
                        u.id, u.package, u.installed, u.reason
                    );
                }
            }
        }
    }
    println!(
        "match (rayon): {} components in {:.2?} ({:.0} components/s); {affected} matches, {undecidable} undecidable",
        components.len(),
        parallel,
        components.len() as f64 / parallel.as_secs_f64()
    );
    let t = Instant::now();
    let mut n = 0;
    for c in &components {
        n += db.match_component(c.ecosystem, &c.name, &c.version).len();
    }
    let single = t.elapsed();
    println!(
        "match (one thread): {} components in {:.2?} ({:.0} components/s); {n} outcomes",
        components.len(),
        single,
        components.len() as f64 / single.as_secs_f64()
    );
}
