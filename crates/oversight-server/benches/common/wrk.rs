//! Reading `wrk`'s report, shared by the benchmarks that use it.

/// The value after `prefix` on the report's line that starts with it
/// (`Requests/sec:`, `99%`), or `?`.
pub fn grab(text: &str, prefix: &str) -> String {
    text.lines()
        .find(|l| l.trim_start().starts_with(prefix))
        .and_then(|l| l.split_whitespace().nth(1))
        .map(str::to_owned)
        .unwrap_or_else(|| "?".into())
}

/// `1.23ms`, `456.00us`, `1.02s` in milliseconds.
pub fn to_ms(text: &str) -> f64 {
    let (number, unit) =
        text.split_at(text.find(|c: char| c.is_alphabetic()).unwrap_or(text.len()));
    let n: f64 = number.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        _ => f64::NAN,
    }
}
