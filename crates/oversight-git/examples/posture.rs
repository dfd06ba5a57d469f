//! Prints the git posture of a repository: `cargo run -p oversight-git
//! --example posture -- REPO [REV] [KEYS_FILE]` (KEYS_FILE: OpenSSH public
//! keys, one a line, as in `allowed_signers` without principals).

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: posture REPO [REV] [KEYS_FILE]")?;
    let rev = args.next().unwrap_or_else(|| "HEAD".to_owned());
    let signing_keys = match args.next() {
        Some(file) => std::fs::read_to_string(file)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| oversight_git::SigningKey::from_openssh(l.trim()))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let repo = oversight_git::Repo::open(path.as_ref())?.ok_or("not a git repository")?;
    let started = Instant::now();
    let posture = repo.posture(
        &rev,
        &oversight_git::PostureTerms {
            signing_keys,
            ..Default::default()
        },
    )?;
    let elapsed = started.elapsed();
    let signed = posture
        .commits
        .iter()
        .filter(|c| c.signature != oversight_git::SignatureState::Unsigned)
        .count();
    println!(
        "{} commits, {signed} signed, {} verified by a registered key ({:.1} %), read in {elapsed:.2?}",
        posture.commits.len(),
        posture.verified(),
        posture.signed_ratio() * 100.0
    );
    Ok(())
}
