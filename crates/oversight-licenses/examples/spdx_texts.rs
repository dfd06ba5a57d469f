//! Scans every distinct text of the SPDX licence list as an ordinary file and
//! prints how many are reported as themselves and how many with another
//! licence (`bench/licences-spdx.sh`):
//! `cargo run --release -p oversight-licenses --example spdx_texts -- [TEXT_DIR] [FILE_NAME]`.

#[path = "../tests/support/spdx_files.rs"]
mod spdx_files;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map_or_else(
        || oversight_test_support::corpus("spdx-license-list/license-list-data/text"),
        std::path::PathBuf::from,
    );
    let name = args.next().unwrap_or_else(|| "notes.txt".to_owned());
    let detector = oversight_licenses::detector(oversight_licenses::LicenseOptions::default())
        .expect("store loads");
    let texts = spdx_files::distinct_texts(&dir);
    let started = std::time::Instant::now();
    let score = spdx_files::score(&detector, &texts, &name);
    spdx_files::print(&score, &name);
    println!("time {:.2} s", started.elapsed().as_secs_f64());
}
