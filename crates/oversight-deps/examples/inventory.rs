//! Prints the components and problems of the lockfiles given as arguments:
//! `cargo run -p oversight-deps --example inventory -- path/to/Cargo.lock`.
//! With `REPEAT=n` in the environment, each file is parsed n times and the
//! fastest run is reported (for timing on a busy machine).

use oversight_model::DeliveryPath;

fn main() {
    for arg in std::env::args().skip(1) {
        let content = match std::fs::read(&arg) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{arg}: {e}");
                continue;
            }
        };
        let path = DeliveryPath::root(arg.clone());
        let repeat: u32 = std::env::var("REPEAT")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(1);
        let mut elapsed = std::time::Duration::MAX;
        let mut parsed = None;
        for _ in 0..repeat.max(1) {
            let start = std::time::Instant::now();
            parsed = oversight_deps::parse(&path, &content);
            elapsed = elapsed.min(start.elapsed());
        }
        let Some(parsed) = parsed else {
            eprintln!("{arg}: not a recognised lockfile name");
            continue;
        };
        for c in &parsed.components {
            println!(
                "{}\t{}\t{:?}\t{:?}\t{:?}\t{}\t{}h\t{:?}\t{}",
                c.purl,
                c.name,
                c.directness,
                c.scope,
                c.line,
                c.license.as_deref().unwrap_or("-"),
                c.hashes.len(),
                c.version,
                c.depends_on.join(",")
            );
        }
        for p in &parsed.problems {
            println!("PROBLEM {}: {p}", p.rule().id);
        }
        eprintln!(
            "{arg}: {} components, {} problems in {elapsed:?}",
            parsed.components.len(),
            parsed.problems.len()
        );
    }
}
