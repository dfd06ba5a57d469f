//! Read latency of the API under load: a register of `BENCH_ENGAGEMENTS`
//! engagements (1,000), `BENCH_DELIVERIES` reviewed deliveries (10,000) and
//! `BENCH_FINDINGS` findings each (100: 1,000,000 in all), written through
//! the register's own write path, then `wrk` with 100 connections against
//! the reads a supplier portal and an auditor make, each after a 3 s
//! warm-up run that is not counted. Prints p50/p99 and requests per second
//! per endpoint, against the target p99 < 50 ms.
//!
//! `cargo bench -p oversight-server --bench load` (SQLite); with
//! `BENCH_POSTGRES=postgres://…/db` (an empty database) on PostgreSQL.
//! Needs `wrk` (Debian package `wrk`).

#[path = "common/wrk.rs"]
mod wrk_report;

use std::process::Command;
use std::time::Instant;

use oversight_access::{Action, Grant, Role, Scope};
use oversight_app::record::{DecisionDocument, PolicyRef, canonical};
use oversight_register::{PolicyFiles, Register};
use oversight_server::{Server, ServerConfig};
use oversight_store::{DatabaseUrl, DecisionRecord, DeliveryRecord, FindingRecord, ReviewRecord};
use wrk_report::{grab, to_ms};

const SUPPLIER: &str = include_str!("../../../examples/supplier.toml");
const ENGAGEMENT: &str = include_str!("../../../examples/engagement.toml");
const POLICY: &str = include_str!("../../../examples/policy.toml");

fn var(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("wrk is not installed (apt-get install wrk); nothing measured");
        std::process::exit(1);
    }
    let engagements = var("BENCH_ENGAGEMENTS", 1000);
    let deliveries = var("BENCH_DELIVERIES", 10_000);
    let findings = var("BENCH_FINDINGS", 100);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_POSTGRES")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("o.db").display()));
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (base, token, sample) = runtime.block_on(async {
        let parsed = DatabaseUrl::parse(&url, "BENCH").unwrap();
        let register = Register::init(&parsed, &dir.path().join("instance.key"), "bench").await.unwrap();
        let supplier = oversight_register::format::parse_supplier(SUPPLIER, "bench").unwrap();
        register.supplier_add(&supplier).await.unwrap();
        let started = Instant::now();
        for e in 0..engagements {
            let text = ENGAGEMENT.replace("acme-portal", &format!("portal-{e:04}"));
            register
                .engagement_apply_str(&text, "bench", &PolicyFiles::Given(&[("policy.toml", POLICY)]))
                .await
                .unwrap();
        }
        let policy = PolicyRef {
            name: "portal-acceptance".into(),
            version: "1".into(),
            sha256: "0".repeat(64),
            source: "agreed".into(),
            agreed_sha256: None,
            differs_from_agreed: false,
        };
        let decision = canonical(&DecisionDocument { reasons: Vec::new(), policy });
        for d in 0..deliveries {
            let engagement = format!("portal-{:04}", d % engagements);
            let id = format!("rev{d:013}");
            let record = ReviewRecord {
                delivery: DeliveryRecord {
                    id: id.clone(),
                    engagement_id: engagement.clone(),
                    recorded_at: jiff::Timestamp::now().to_string(),
                    content_digest: format!("{d:064}"),
                    file_count: 100,
                    total_bytes: 100_000,
                    document: "{}".into(),
                },
                findings: (0..findings)
                    .map(|f| FindingRecord {
                        ordinal: f as i64,
                        fingerprint: format!("{d:016}{f:016}"),
                        rule: "secret.generic-token".into(),
                        category: "secret".into(),
                        severity: "high".into(),
                        path: format!("src/module_{f}.py"),
                        line: Some(f as i64 + 1),
                        message: "Secret matching `generic-token`".into(),
                        content_sha256: Some("0".repeat(64)),
                        disposition: "blocking".into(),
                        waiver_id: None,
                    })
                    .collect(),
                decision: DecisionRecord {
                    outcome: "rejected".into(),
                    reviewer: "bench".into(),
                    decided_at: jiff::Timestamp::now().to_string(),
                    document: decision.clone(),
                },
            };
            register.record_review(record, serde_json::json!({})).await.unwrap();
        }
        eprintln!(
            "{backend}: seeded {engagements} engagements, {deliveries} deliveries, {} findings in {:.0} s",
            deliveries * findings,
            started.elapsed().as_secs_f64()
        );
        let config = ServerConfig { workers: 1, ..ServerConfig::default() };
        let server = Server::open(register, &url, config, dir.path().join("evidence").display().to_string(), dir.path().join("staging"))
            .await
            .unwrap();
        let pool = server.state().access().pool().clone();
        for d in 0..deliveries {
            sqlx::query(
                "INSERT INTO server_jobs (id, engagement, supplier, submitter, file_name, bytes, staged, status, review, outcome, created_at, updated_at)
                 VALUES ($1, $2, 'acme-dev', 'ci', 'delivery.tar.gz', 100000, '-', 'done', $3, 'rejected', $4, $4)",
            )
            .bind(format!("dly{d:012}"))
            .bind(format!("portal-{:04}", d % engagements))
            .bind(format!("rev{d:013}"))
            .bind(jiff::Timestamp::now().to_string())
            .execute(&pool)
            .await
            .unwrap();
        }
        let access = server.state().access();
        let user = access.create_user("supplier-ci").await.unwrap();
        access
            .grant(&user.id, &Grant { role: Role::Supplier, scope: Scope::Supplier("acme-dev".into()) }, "bench")
            .await
            .unwrap();
        let principal = access.principal(&user.id, None).await.unwrap();
        let (_, token) = access
            .create_token(
                &principal,
                "bench",
                Scope::Supplier("acme-dev".into()),
                vec![Action::ReadTerms, Action::ReadDeliveries],
                jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1),
            )
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(server.serve(listener, std::future::pending()));
        (base, token, format!("dly{:012}", deliveries / 2))
    });
    println!(
        "| {backend} endpoint (100 connections, 10 s) | requests/s | p50 ms | p99 ms | target p99 < 50 ms |"
    );
    println!("|---|---|---|---|---|");
    for (name, path) in [
        ("engagements, first page", "/api/v1/engagements".to_owned()),
        (
            "engagement terms",
            "/api/v1/engagements/portal-0500".to_owned(),
        ),
        (
            "an engagement's deliveries",
            "/api/v1/engagements/portal-0500/deliveries".to_owned(),
        ),
        (
            "a delivery and its decision",
            format!("/api/v1/deliveries/{sample}"),
        ),
        (
            "a delivery's findings (100)",
            format!("/api/v1/deliveries/{sample}/findings"),
        ),
    ] {
        // A warm-up run, not counted: the first requests fill the caches
        // (parsed engagements, recorded pages, SQLite's pages) that every
        // later request finds full, as on a server that has been up.
        let _ = Command::new("wrk")
            .args(["-t2", "-c100", "-d3s", "-H"])
            .arg(format!("Authorization: Bearer {token}"))
            .arg(format!("{base}{path}"))
            .output()
            .unwrap();
        let out = Command::new("wrk")
            .args(["-t2", "-c100", "-d10s", "--latency", "-H"])
            .arg(format!("Authorization: Bearer {token}"))
            .arg(format!("{base}{path}"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let grab = |prefix: &str| grab(&text, prefix);
        let non2xx = text.lines().find(|l| l.contains("Non-2xx")).unwrap_or("");
        let p99 = grab("99%");
        let ms = to_ms(&p99);
        println!(
            "| {name} | {} | {:.1} | {:.1} | {} {non2xx}|",
            grab("Requests/sec:"),
            to_ms(&grab("50%")),
            ms,
            if ms < 50.0 { "met" } else { "NOT met" }
        );
    }
}
