//! Benchmark of staging and commit (written next).

fn main() {}
