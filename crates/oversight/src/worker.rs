//! `oversight worker`: a pool of review workers on the register's job
//! table, beside or instead of the server's own. Everything else is
//! `oversight-jobs`.

use std::time::Duration;

use anyhow::Context;
use oversight_jobs::{PoolOptions, Queue, ReviewContext, WorkerPool};
use oversight_server::ServerConfig;
use oversight_store::DatabaseUrl;

use crate::args::{WorkerArgs, WorkerRoleArgs};
use crate::register::{database, open};
use crate::term::out;

pub(crate) fn worker(mut args: WorkerArgs) -> anyhow::Result<u8> {
    let config = ServerConfig::load(args.config.as_deref())?;
    if args.register.database.is_none() {
        args.register.database = config.database.clone();
    }
    oversight_server::init_logging(config.json_logs);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("Cannot start the async runtime")?;
    runtime.block_on(async move {
        let url = database(&args.register)?;
        let register = open(&args.register).await?;
        let url_text = match &url {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        let queue = Queue::connect(&url_text, config.jobs.settings())
            .await
            .with_context(|| format!("Cannot open the job table in {}", url.redacted()))?;
        let evidence = oversight_app::paths::evidence_location(
            args.evidence.as_deref().or(config.evidence.as_deref()),
        )?;
        let scratch = match &config.staging {
            Some(dir) => dir.join(".fetched"),
            None => oversight_app::paths::data_dir()?.join("worker"),
        };
        let workers = args
            .jobs
            .unwrap_or_else(oversight_jobs::default_concurrency);
        let name = args.name.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_owned())
                .unwrap_or_else(|_| "worker".to_owned());
            format!("{host}-{}", std::process::id())
        });
        let webhooks =
            oversight_server::webhooks::Webhooks::new(&config.webhooks, |v| std::env::var(v).ok())?;
        let metrics = oversight_server::metrics::Metrics::new();
        if let Some(addr) = args.metrics_listen {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("Cannot listen on {addr} for the metrics"))?;
            out!(
                "Worker metrics at http://{}/metrics",
                listener.local_addr()?
            );
            let (metrics, queue) = (metrics.clone(), queue.clone());
            tokio::spawn(async move {
                if let Err(e) =
                    oversight_server::metrics::serve_for_worker(listener, metrics, queue).await
                {
                    eprintln!("oversight worker: the metrics listener stopped: {e}");
                }
            });
        }
        let pool = WorkerPool::start(
            queue,
            &PoolOptions {
                workers,
                name: name.clone(),
                poll: Duration::from_secs(1),
            },
            ReviewContext {
                register: register.acting_as("oversight-worker"),
                evidence,
                advisories: config.advisories.clone(),
                scratch,
            },
            std::sync::Arc::new(oversight_server::metrics::Fanout(vec![
                oversight_server::jobs::webhook_events(webhooks),
                std::sync::Arc::new(metrics),
            ])),
        );
        out!(
            "Worker `{name}` is reviewing deliveries from {} with {workers} at a time",
            url.redacted()
        );
        stopped().await;
        let stopped = pool.stop(Duration::from_secs(args.grace)).await;
        out!(
            "Worker `{name}` stopped; {} unfinished review(s) went back to the queue",
            stopped.released
        );
        Ok(0)
    })
}

/// `oversight worker-role`: a worker's own login role, least privilege.
pub(crate) fn worker_role(args: WorkerRoleArgs) -> anyhow::Result<u8> {
    let url = database(&args.register)?;
    let DatabaseUrl::Postgres(url_text) = &url else {
        return Err(oversight_jobs::role::RoleError::NotPostgres.into());
    };
    let password = match &args.password_env {
        Some(var) => Some(std::env::var(var).with_context(|| {
            format!("--password-env {var}: the variable is not set (or not UTF-8)")
        })?),
        None => None,
    };
    crate::register::block_on(oversight_jobs::role::grant_worker_role(
        url_text,
        &args.role,
        password.as_deref(),
    ))??;
    out!(
        "Role `{}` may now run `oversight worker` on {}: it reads the register, appends reviews and ledger events, and claims and ends jobs; it cannot read accounts, sessions, tokens or the access log, nor change or delete what is recorded",
        args.role,
        url.redacted()
    );
    Ok(0)
}

/// SIGINT or SIGTERM.
async fn stopped() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
