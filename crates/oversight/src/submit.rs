//! `oversight submit`: a supplier's CI sends a delivery to the server with
//! an API token from `OVERSIGHT_TOKEN` (never a flag: command lines are
//! visible to other users), waits for the review and exits like `review`.

use crate::term::out;
use std::io::Read as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::args::SubmitArgs;

/// The content type and bytes of `target`: an archive as it is, a
/// directory as a tar.gz built in a temporary file.
fn package(target: &Path) -> anyhow::Result<(&'static str, tempfile::NamedTempFile)> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut file = tempfile::NamedTempFile::new()?;
    if target.is_dir() {
        let encoder =
            flate2::write::GzEncoder::new(file.as_file_mut(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(encoder);
        tar.follow_symlinks(false);
        tar.append_dir_all(".", target)
            .with_context(|| format!("Cannot pack `{}`", target.display()))?;
        tar.into_inner()?.finish()?;
        return Ok(("application/gzip", file));
    }
    let kind = if name.ends_with(".zip") {
        "application/zip"
    } else if name.ends_with(".tar") {
        "application/x-tar"
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        "application/gzip"
    } else {
        bail!(
            "`{}` is neither a directory nor a .zip, .tar, .tar.gz or .tgz archive",
            target.display()
        );
    };
    std::io::copy(&mut fs_err::File::open(target)?, file.as_file_mut())?;
    Ok((kind, file))
}

#[derive(serde::Deserialize)]
struct Job {
    id: String,
    status: String,
    outcome: Option<String>,
    review: Option<String>,
    error: Option<String>,
    #[serde(default)]
    reasons: Option<Vec<oversight_app::record::ReasonRecord>>,
}

fn problem(response: ureq::http::Response<ureq::Body>, what: &str) -> anyhow::Error {
    let status = response.status();
    let mut body = String::new();
    let _ = response
        .into_body()
        .into_reader()
        .take(64 * 1024)
        .read_to_string(&mut body);
    let detail = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["detail"].as_str().map(str::to_owned))
        .unwrap_or(body);
    anyhow::anyhow!("{what}: the server answered {status}: {detail}")
}

pub(crate) fn submit(args: SubmitArgs) -> anyhow::Result<u8> {
    let token = std::env::var("OVERSIGHT_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .context("Set OVERSIGHT_TOKEN to an API token of the server")?;
    let base = args.server.trim_end_matches('/');
    let (content_type, file) = package(&args.target)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let size = file.as_file().metadata()?.len();
    let url = format!("{base}/api/v1/engagements/{}/deliveries", args.engagement);
    let mut request = agent
        .post(&url)
        .header("Authorization", &format!("Bearer {}", token.trim()))
        .header("Content-Type", content_type)
        .header("Content-Length", &size.to_string());
    if let Some(key) = &args.idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request
        .send(ureq::SendBody::from_reader(&mut fs_err::File::open(
            file.path(),
        )?))
        .with_context(|| format!("Cannot reach {base}"))?;
    if !response.status().is_success() {
        return Err(problem(
            response,
            "The delivery was not accepted for review",
        ));
    }
    let job: Job = serde_json::from_reader(response.into_body().into_reader())?;
    if args.format == "human" {
        out!(
            "Submitted delivery {} ({size} bytes); waiting for its review",
            job.id
        );
    }
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let job = loop {
        let response = agent
            .get(&format!("{base}/api/v1/deliveries/{}", job.id))
            .header("Authorization", &format!("Bearer {}", token.trim()))
            .call()
            .with_context(|| format!("Cannot reach {base}"))?;
        if !response.status().is_success() {
            return Err(problem(response, "Cannot read the delivery's status"));
        }
        let polled: Job = serde_json::from_reader(response.into_body().into_reader())?;
        if polled.status == "done" || polled.status == "failed" {
            break polled;
        }
        if Instant::now() > deadline {
            bail!(
                "Delivery {} is still {} after {} s",
                polled.id,
                polled.status,
                args.timeout
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    if job.status == "failed" {
        bail!(
            "The review of delivery {} failed: {}",
            job.id,
            job.error.unwrap_or_default()
        );
    }
    let outcome = job.outcome.clone().unwrap_or_default();
    if args.format == "json" {
        out!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "delivery": job.id, "review": job.review, "decision": outcome,
                "reasons": job.reasons,
            }))?
        );
    } else {
        out!(
            "Decision: {} (delivery {}, review {})",
            outcome.to_uppercase(),
            job.id,
            job.review.unwrap_or_default()
        );
        for reason in job.reasons.unwrap_or_default() {
            let mark = if reason.blocks { "BLOCKS" } else { "note" };
            out!("  {mark:<6} {}", reason.message);
        }
    }
    Ok(if outcome == "rejected" { 1 } else { 0 })
}
