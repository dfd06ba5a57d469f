//! Developer aid (ignored): re-runs the built-in rules on the lines of an
//! earlier scan's findings. `OVERSIGHT_RELIST=file` holds `root<TAB>path<TAB>line`
//! rows; prints the rows still reported at high.

use crate::util::scan;

#[test]
#[ignore = "developer aid: needs OVERSIGHT_RELIST"]
fn relist() {
    let list = std::env::var("OVERSIGHT_RELIST").expect("OVERSIGHT_RELIST");
    let d = oversight_secrets::builtin().expect("the built-in rules load");
    let text = std::fs::read_to_string(list).expect("list");
    let (mut kept, mut total) = (0, 0);
    for row in text.lines() {
        let mut parts = row.split('\t');
        let (Some(root), Some(path), Some(line)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let line: usize = line.parse().unwrap_or(0);
        let Ok(content) = std::fs::read(format!("{root}/{path}")) else {
            continue;
        };
        let content = String::from_utf8_lossy(&content);
        let Some(the_line) = content.lines().nth(line.saturating_sub(1)) else {
            continue;
        };
        total += 1;
        let found = scan(&d, path, format!("{the_line}\n").as_bytes());
        if found
            .iter()
            .any(|e| e.rule.default_severity >= oversight_model::Severity::High)
        {
            kept += 1;
            let rules: Vec<&str> = found.iter().map(|e| e.rule.id).collect();
            println!("KEPT {path}:{line} {rules:?}");
            for e in &found {
                println!("    {}", e.message);
            }
        }
    }
    println!("kept {kept} of {total}");
}
