//! `oversight status` over 1,000 engagements and 100,000 recorded findings,
//! on SQLite and on PostgreSQL (target: under 200 ms each).
//!
//! Generates the register through the use cases (so every row has its
//! ledger event), then times `Register::status` (best and median of 7).
//! PostgreSQL: `OVERSIGHT_TEST_POSTGRES` (admin URL, default
//! `postgres://postgres@127.0.0.1:5432/test`); a fresh database is created
//! and dropped. Run: `cargo bench -p oversight-register --bench status`.

use std::time::{Duration, Instant};

use oversight_register::{PolicyFiles, Register};
use oversight_store::{DatabaseUrl, DecisionRecord, DeliveryRecord, FindingRecord, ReviewRecord};
use sqlx::Connection;

const ENGAGEMENTS: usize = 1_000;
const FINDINGS_PER_REVIEW: usize = 100;
const EXAMPLE_SUPPLIER: &str = include_str!("../../../examples/supplier.toml");
const EXAMPLE_ENGAGEMENT: &str = include_str!("../../../examples/engagement.toml");
const EXAMPLE_POLICY: &str = include_str!("../../../examples/policy.toml");
const CATEGORIES: [&str; 5] = [
    "secret",
    "vulnerability",
    "license",
    "malicious",
    "coverage",
];

fn review(engagement: &str, n: usize) -> ReviewRecord {
    let id = format!("rev-{n:016x}");
    let findings = (0..FINDINGS_PER_REVIEW)
        .map(|i| FindingRecord {
            ordinal: i as i64,
            fingerprint: format!("{:064x}", n * 1_000 + i),
            rule: format!("{}.generated", CATEGORIES[i % 5]),
            category: CATEGORIES[i % 5].to_owned(),
            severity: if i.is_multiple_of(3) { "high" } else { "low" }.to_owned(),
            path: format!("src/module{}/file{i}.rs", i % 7),
            line: Some(i as i64 + 1),
            message: "generated finding".to_owned(),
            content_sha256: Some(format!("{:064x}", i)),
            disposition: if i.is_multiple_of(3) {
                "blocking"
            } else {
                "noted"
            }
            .to_owned(),
            waiver_id: None,
        })
        .collect();
    let at = format!("2026-03-{:02}T{:02}:00:00Z", 1 + n % 28, n % 24);
    ReviewRecord {
        delivery: DeliveryRecord {
            id,
            engagement_id: engagement.to_owned(),
            recorded_at: at.clone(),
            content_digest: format!("{n:064x}"),
            file_count: 2_000,
            total_bytes: 200_000_000,
            document: "{}".to_owned(),
        },
        findings,
        decision: DecisionRecord {
            outcome: if n.is_multiple_of(4) {
                "rejected"
            } else {
                "accepted"
            }
            .to_owned(),
            reviewer: "bench".to_owned(),
            decided_at: at,
            document: "{}".to_owned(),
        },
    }
}

async fn run(name: &str, url: DatabaseUrl, key: &std::path::Path) {
    let started = Instant::now();
    let register = Register::init(&url, key, "bench").await.expect("init");
    let supplier = oversight_register::format::parse_supplier(EXAMPLE_SUPPLIER, "supplier.toml")
        .expect("supplier");
    register.supplier_add(&supplier).await.expect("supplier");
    for e in 0..ENGAGEMENTS {
        let id = format!("eng-{e:04}");
        let text = EXAMPLE_ENGAGEMENT.replace("id = \"acme-portal\"", &format!("id = \"{id}\""));
        register
            .engagement_apply_str(
                &text,
                &id,
                &PolicyFiles::Given(&[("policy.toml", EXAMPLE_POLICY)]),
            )
            .await
            .expect("engagement");
        register
            .record_review(review(&id, e), serde_json::json!({}))
            .await
            .expect("review");
    }
    let generated = started.elapsed();
    let today = "2026-03-15".parse().expect("date");
    let mut times: Vec<Duration> = Vec::new();
    let mut rows = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let report = register.status(today).await.expect("status");
        times.push(t.elapsed());
        rows = report.rows.len();
        assert_eq!(report.rows.len(), ENGAGEMENTS);
    }
    times.sort();
    let t = Instant::now();
    register.store().engagements().await.expect("engagements");
    let engagements = t.elapsed();
    let t = Instant::now();
    register.store().latest_reviews().await.expect("latest");
    let latest = t.elapsed();
    println!(
        "{name:<10} of which: reading engagements {:.1} ms, latest reviews and blocking counts {:.1} ms",
        engagements.as_secs_f64() * 1e3,
        latest.as_secs_f64() * 1e3
    );
    println!(
        "{name:<10} {ENGAGEMENTS} engagements, {} findings (generated in {:.1} s): status best {:.1} ms, median {:.1} ms ({rows} rows; target < 200 ms)",
        ENGAGEMENTS * FINDINGS_PER_REVIEW,
        generated.as_secs_f64(),
        times[0].as_secs_f64() * 1e3,
        times[3].as_secs_f64() * 1e3,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    run(
        "sqlite",
        DatabaseUrl::Sqlite(dir.path().join("bench.db")),
        &dir.path().join("sqlite.key"),
    )
    .await;

    let admin = std::env::var("OVERSIGHT_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let name = format!("oversight_bench_{}", std::process::id());
    let base = admin
        .rsplit_once('/')
        .expect("admin URL has a database")
        .0
        .to_owned();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is up");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create");
    run(
        "postgresql",
        DatabaseUrl::Postgres(format!("{base}/{name}")),
        &dir.path().join("pg.key"),
    )
    .await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop");
}
