//! Prints the behaviour findings of each file named on the command line,
//! one per line (`path:line:col severity rule message`), for rule authors.
//! Usage: `cargo run -p oversight-behaviour --example behaviour-scan -- FILE…`
//! (`--rules DIR` first to add a reviewer's rules).

use std::io::Write as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let detector = if args.first().map(String::as_str) == Some("--rules") && args.len() > 1 {
        let dir = args.remove(1);
        args.remove(0);
        oversight_behaviour::Behaviour::with_user_dir(std::path::Path::new(&dir))?
    } else {
        oversight_behaviour::Behaviour::builtin()?
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in args {
        let content = std::fs::read(&path)?;
        for e in oversight_behaviour::analyse(&detector, &path, &content) {
            let (line, col) = e.line_col.unwrap_or((0, 0));
            writeln!(
                out,
                "{path}:{line}:{col} {} {} {}",
                e.rule.default_severity.as_str(),
                e.rule.id,
                e.message
            )?;
        }
    }
    Ok(())
}
