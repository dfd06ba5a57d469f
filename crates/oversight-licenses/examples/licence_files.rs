//! Times the licence-text matcher on every licence file under a directory:
//! `cargo run --release -p oversight-licenses --example licence_files -- DIR`.
//! Prints the total, the slowest files and how many distinct texts there were.

use std::time::{Duration, Instant};

fn main() {
    let dir = std::env::args().nth(1).expect("a directory");
    let matcher = oversight_licenses::text::TextMatcher::load().expect("store loads");
    let mut times: Vec<(Duration, String, String)> = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else if p.is_file()
                && oversight_licenses::is_license_file(&e.file_name().to_string_lossy())
            {
                let Ok(bytes) = std::fs::read(&p) else {
                    continue;
                };
                if bytes.len() > 1 << 20 {
                    continue;
                }
                let text = String::from_utf8_lossy(&bytes);
                let start = Instant::now();
                let verdict = matcher.identify(&text);
                times.push((
                    start.elapsed(),
                    p.display().to_string(),
                    format!("{verdict:?}").chars().take(100).collect(),
                ));
            }
        }
    }
    let total: Duration = times.iter().map(|t| t.0).sum();
    println!(
        "{} licence files, {:.2} s",
        times.len(),
        total.as_secs_f64()
    );
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    for (t, p, v) in times.iter().take(25) {
        println!("{:8.1} ms  {p}  {v}", t.as_secs_f64() * 1000.0);
    }
    let slow = times
        .iter()
        .filter(|t| t.0 > Duration::from_millis(20))
        .count();
    println!("{slow} files over 20 ms");
}
