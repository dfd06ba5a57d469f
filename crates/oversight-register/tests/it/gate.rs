//! The acceptance gate's records on every backend: reviews, waivers (four
//! eyes, content binding), evidence documents, status inputs, and tampering
//! with their rows detected by `ledger verify`.

use std::sync::Arc;

use oversight_register::{EvidenceRequest, PolicyFiles, Register, RegisterError, WaiverRequest};
use oversight_store::{DecisionRecord, DeliveryRecord, FindingRecord, ReviewRecord};

use crate::backend::{Kind, TestDb};
use crate::format::{example_text, examples_dir};
use oversight_test_support::ssh::SshApprover;

const SUPPLIER: &str = include_str!("../../../../examples/supplier.toml");

async fn register_with_example(db: &TestDb, actor: &str) -> Register {
    let register = Register::init(&db.url, &db.key_path(), actor)
        .await
        .expect("init");
    let supplier =
        oversight_register::format::parse_supplier(SUPPLIER, "supplier.toml").expect("supplier");
    register.supplier_add(&supplier).await.expect("supplier");
    register
        .engagement_apply_str(
            &example_text(),
            "engagement.toml",
            &PolicyFiles::Dir(&examples_dir()),
        )
        .await
        .expect("engagement");
    register
}

fn finding(
    ordinal: i64,
    fingerprint: &str,
    category: &str,
    file_hash: &str,
    disposition: &str,
) -> FindingRecord {
    FindingRecord {
        ordinal,
        fingerprint: fingerprint.into(),
        rule: format!("{category}.example"),
        category: category.into(),
        severity: "high".into(),
        path: format!("src/file{ordinal}.rs"),
        line: Some(ordinal + 1),
        message: "AKIA…[sha256:1f2e3d4c5b6a] found".into(),
        content_sha256: Some(file_hash.repeat(64 / file_hash.len())),
        disposition: disposition.into(),
        waiver_id: None,
    }
}

fn review(id: &str, outcome: &str, at: &str, findings: Vec<FindingRecord>) -> ReviewRecord {
    ReviewRecord {
        delivery: DeliveryRecord {
            id: id.into(),
            engagement_id: "acme-portal".into(),
            recorded_at: at.into(),
            content_digest: "ab".repeat(32),
            file_count: 3,
            total_bytes: 1234,
            document: r#"{"target":"delivery.zip"}"#.into(),
        },
        findings,
        decision: DecisionRecord {
            outcome: outcome.into(),
            reviewer: "alice".into(),
            decided_at: at.into(),
            document: r#"{"reasons":[]}"#.into(),
        },
    }
}

async fn row_failure(register: &Register) -> String {
    match register.ledger_verify().await {
        Err(e @ (RegisterError::RowTampered { .. } | RegisterError::Invalid(_))) => e.to_string(),
        other => panic!("expected a tampered row, got {other:?}"),
    }
}

async fn reviews_waivers_and_tampering(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = register_with_example(&db, "alice").await;

    let rejected = review(
        "rev-0000000000000001",
        "rejected",
        "2026-01-10T09:00:00Z",
        vec![
            finding(0, "f0", "secret", "a1", "blocking"),
            finding(1, "f1", "malicious", "b2", "blocking"),
            finding(2, "f2", "license", "c3", "noted"),
        ],
    );
    register
        .record_review(rejected.clone(), serde_json::json!({"tool": "test"}))
        .await
        .expect("record review");
    // Findings are read a page at a time, with the count of all of them.
    let first = register
        .review_findings("rev-0000000000000001", 0, 2)
        .await
        .expect("page");
    assert_eq!(first.0, rejected.findings[..2].to_vec());
    assert_eq!(first.1, 3);
    let second = register
        .review_findings("rev-0000000000000001", 2, 2)
        .await
        .expect("page");
    assert_eq!(
        (second.0.clone(), second.1),
        (rejected.findings[2..].to_vec(), 3)
    );
    let decided = register
        .review_decision("rev-0000000000000001")
        .await
        .expect("decision");
    assert_eq!(
        *decided,
        (rejected.delivery.clone(), rejected.decision.clone())
    );
    // Read once: the second read is the same record, not a second query's.
    let again = register
        .review_decision("rev-0000000000000001")
        .await
        .expect("decision");
    assert!(std::sync::Arc::ptr_eq(&decided, &again));
    assert_eq!(
        register
            .review("rev-0000000000000001")
            .await
            .expect("read back"),
        rejected
    );
    assert!(
        register
            .last_accepted("acme-portal")
            .await
            .expect("last")
            .is_none()
    );

    // Unknown engagement: one clear error, nothing recorded.
    let events = register.store().events().await.expect("events").len();
    let mut stray = review(
        "rev-0000000000000002",
        "accepted",
        "2026-01-11T09:00:00Z",
        vec![],
    );
    stray.delivery.engagement_id = "no-such".into();
    let err = register
        .record_review(stray, serde_json::json!({}))
        .await
        .expect_err("unknown");
    assert!(
        matches!(err, RegisterError::UnknownEngagement { .. }),
        "{err}"
    );
    assert_eq!(
        register.store().events().await.expect("events").len(),
        events
    );

    // Waivers: four eyes, a date in the future, a fingerprint that was found.
    let request = |approver: &str, expires: &str, fingerprint: &str| WaiverRequest {
        engagement: "acme-portal".into(),
        fingerprint: fingerprint.into(),
        reason: "test credential of the staging tenant, rotated".into(),
        expires: expires.parse().expect("date"),
        approver: approver.into(),
        approval: None,
    };
    let err = register
        .waive(&request("Alice", "2099-01-01", "f0"))
        .await
        .expect_err("four eyes");
    assert!(matches!(err, RegisterError::FourEyes { .. }), "{err}");
    // A Cyrillic `а` does not make another person.
    let err = register
        .waive(&request("\u{430}lice", "2099-01-01", "f0"))
        .await
        .expect_err("four eyes, confusable");
    assert!(matches!(err, RegisterError::FourEyes { .. }), "{err}");
    let err = register
        .waive(&request("bob", "2020-01-01", "f0"))
        .await
        .expect_err("past");
    assert!(err.to_string().contains("is in the past"), "{err}");
    let err = register
        .waive(&request("bob", "2099-01-01", "zz"))
        .await
        .expect_err("unknown fingerprint");
    assert!(err.to_string().contains("fingerprint `zz`"), "{err}");
    // The agreed policy's rules hold at grant time: at most 60 days, and
    // malicious findings are never waivable.
    let err = register
        .waive(&request("bob", "2099-01-01", "f0"))
        .await
        .expect_err("too long");
    assert!(err.to_string().contains("waivers.max_days"), "{err}");
    let soon = (jiff::Zoned::now().date() + jiff::Span::new().days(30)).to_string();
    let err = register
        .waive(&request("bob", &soon, "f1"))
        .await
        .expect_err("not waivable");
    assert!(err.to_string().contains("waivers.not_waivable"), "{err}");

    // The approver must be registered, and must sign.
    let err = register
        .waive(&request("bob", &soon, "f0"))
        .await
        .expect_err("bob is not registered");
    assert!(
        err.to_string().contains("not a registered approver"),
        "{err}"
    );
    let keys = tempfile::tempdir().expect("keys");
    let bob = SshApprover::new(keys.path(), "bob");
    let mallory = SshApprover::new(keys.path(), "mallory");
    register
        .register_approver("bob", &bob.public_key())
        .await
        .expect("register bob");
    let err = register
        .register_approver("b\u{43e}b", &mallory.public_key())
        .await
        .expect_err("a look-alike of bob");
    assert!(
        err.to_string()
            .contains("looks like the registered approver `bob`"),
        "{err}"
    );
    let err = register
        .waive(&request("b\u{43e}b", &soon, "f0"))
        .await
        .expect_err("look-alike approver");
    assert!(err.to_string().contains("look-alike characters"), "{err}");
    let err = register
        .waive(&request("bob", &soon, "f0"))
        .await
        .expect_err("unsigned");
    assert!(err.to_string().contains("must sign the waiver"), "{err}");
    let (text, _, _) = register
        .approval_text(&request("bob", &soon, "f0"))
        .await
        .expect("text");
    let namespace = oversight_register::approval::APPROVAL_NAMESPACE;
    let forged = WaiverRequest {
        approval: Some(mallory.sign(&text.0, namespace)),
        ..request("bob", &soon, "f0")
    };
    let err = register.waive(&forged).await.expect_err("mallory signed");
    assert!(
        err.to_string().contains("is not `bob`'s signature"),
        "{err}"
    );
    let other_terms = WaiverRequest {
        approval: Some(bob.sign(&text.0.replace("rotated", "kept"), namespace)),
        ..request("bob", &soon, "f0")
    };
    let err = register.waive(&other_terms).await.expect_err("other terms");
    assert!(err.to_string().contains("terms differ"), "{err}");
    let waiver = register
        .waive(&WaiverRequest {
            approval: Some(bob.sign(&text.0, namespace)),
            ..request("bob", &soon, "f0")
        })
        .await
        .expect("waive");
    assert_eq!(
        waiver.content_sha256.as_deref(),
        Some("a1".repeat(32).as_str())
    );
    assert_eq!(
        (waiver.requester.as_str(), waiver.approver.as_str()),
        ("alice", "bob")
    );
    assert_eq!(
        register.waivers("acme-portal").await.expect("waivers"),
        vec![waiver.clone()]
    );

    let accepted = review(
        "rev-0000000000000003",
        "accepted-with-waivers",
        "2026-01-12T09:00:00Z",
        vec![finding(0, "f0", "secret", "a1", "waived")],
    );
    register
        .record_review(accepted, serde_json::json!({}))
        .await
        .expect("second review");
    let last = register
        .last_accepted("acme-portal")
        .await
        .expect("last")
        .expect("one");
    assert_eq!(last.delivery.id, "rev-0000000000000003");
    let latest = register.store().latest_reviews().await.expect("latest");
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].delivery_id, "rev-0000000000000003");
    assert_eq!(
        latest[0].last_accepted_at.as_deref(),
        Some("2026-01-12T09:00:00Z")
    );
    assert!(latest[0].blocking.is_empty(), "{latest:?}");

    register
        .add_evidence(&EvidenceRequest {
            engagement: "acme-portal".into(),
            kind: "iso27001-certificate".into(),
            name: "certificate-2026.pdf".into(),
            sha256: "cd".repeat(32),
            size: 52_000,
            expires: Some("2027-01-31".parse().expect("date")),
        })
        .await
        .expect("evidence");
    register
        .ledger_verify()
        .await
        .expect("untouched ledger verifies");

    // An auditor-visible row edited in the database: named.
    db.execute("UPDATE findings SET severity = 'low' WHERE fingerprint = 'f1'")
        .await;
    let failure = row_failure(&register).await;
    assert!(
        failure.contains("delivery `rev-0000000000000001`"),
        "{failure}"
    );
    db.execute("UPDATE findings SET severity = 'high' WHERE fingerprint = 'f1'")
        .await;
    register
        .ledger_verify()
        .await
        .expect("restored row verifies");

    db.execute(
        "UPDATE decisions SET outcome = 'accepted' WHERE delivery_id = 'rev-0000000000000001'",
    )
    .await;
    let failure = row_failure(&register).await;
    assert!(failure.contains("rev-0000000000000001"), "{failure}");
    db.execute(
        "UPDATE decisions SET outcome = 'rejected' WHERE delivery_id = 'rev-0000000000000001'",
    )
    .await;

    db.execute(&format!(
        "UPDATE waivers SET expires = '2199-01-01' WHERE id = '{}'",
        waiver.id
    ))
    .await;
    let failure = row_failure(&register).await;
    assert!(failure.contains(&waiver.id), "{failure}");
    db.execute(&format!(
        "UPDATE waivers SET expires = '{}' WHERE id = '{}'",
        waiver.expires, waiver.id
    ))
    .await;

    db.execute("UPDATE evidence SET expires = '2030-01-01'")
        .await;
    let failure = row_failure(&register).await;
    assert!(failure.contains("evidence document"), "{failure}");
    db.execute("UPDATE evidence SET expires = '2027-01-31'")
        .await;

    db.execute("UPDATE engagements SET owner = 'mallory@example.org'")
        .await;
    let failure = row_failure(&register).await;
    assert!(failure.contains("engagement `acme-portal`"), "{failure}");
    db.execute("UPDATE engagements SET owner = 'jane.doe@example.org'")
        .await;
    register.ledger_verify().await.expect("every row restored");

    db.execute(&format!("DELETE FROM waivers WHERE id = '{}'", waiver.id))
        .await;
    let failure = row_failure(&register).await;
    assert!(failure.contains("the row was deleted"), "{failure}");

    db.drop_db().await;
}

/// Reviews of the same engagement recorded at once all land, and the
/// chain stays whole.
async fn concurrent_reviews(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = Arc::new(register_with_example(&db, "alice").await);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let register = Arc::clone(&register);
        tasks.push(tokio::spawn(async move {
            let findings = (0..50)
                .map(|n| finding(n, &format!("fp-{i}-{n}"), "vulnerability", "e5", "blocking"))
                .collect();
            let at = format!("2026-02-01T10:00:{i:02}Z");
            register
                .record_review(
                    review(&format!("rev-concurrent-{i:02}"), "rejected", &at, findings),
                    serde_json::json!({}),
                )
                .await
                .expect("concurrent review");
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let report = register.ledger_verify().await.expect("chain whole");
    assert_eq!(report.events, 3 + 12);
    let latest = register.store().latest_reviews().await.expect("latest");
    assert_eq!(latest[0].delivery_id, "rev-concurrent-11");
    assert_eq!(latest[0].blocking, vec![("vulnerability".to_owned(), 50)]);
    db.drop_db().await;
}

/// Engagements are kept parsed by revision: a change through a derived
/// register, or through another register on the same database (another
/// server replica), is seen by the next read, never a stale parse.
async fn parsed_engagements_follow_every_change(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = register_with_example(&db, "alice").await;
    let id: oversight_register::EngagementId = "acme-portal".parse().unwrap();
    let first = register.engagement_shared(&id).await.expect("read");
    assert_eq!(first.system, "Customer self-service portal");
    // A second read is the same parse, not another.
    assert!(Arc::ptr_eq(
        &first,
        &register.engagement_shared(&id).await.unwrap()
    ));
    let summary = register.engagement_list().await.unwrap().remove(0);
    assert!(Arc::ptr_eq(
        &first,
        &register.engagement_of(&summary).await.unwrap()
    ));

    let changed = example_text().replace("Customer self-service portal", "Portal, second phase");
    register
        .acting_as("bob")
        .engagement_apply_str(
            &changed,
            "engagement.toml",
            &PolicyFiles::Dir(&examples_dir()),
        )
        .await
        .expect("apply");
    assert_eq!(
        register.engagement(&id).await.unwrap().system,
        "Portal, second phase"
    );
    let summary = register.engagement_list().await.unwrap().remove(0);
    assert_eq!(
        register.engagement_of(&summary).await.unwrap().system,
        "Portal, second phase"
    );

    // Another register on the same database changes it back.
    let key = oversight_ledger::keyfile::load(&db.key_path()).expect("key");
    let other = Register::open(Arc::clone(register.store()), key, "carol")
        .await
        .expect("open");
    other
        .engagement_apply_str(
            &example_text(),
            "engagement.toml",
            &PolicyFiles::Dir(&examples_dir()),
        )
        .await
        .expect("apply");
    assert_eq!(
        register.engagement(&id).await.unwrap().system,
        "Customer self-service portal"
    );
    let summary = register.engagement_list().await.unwrap().remove(0);
    assert_eq!(summary.system, "Customer self-service portal");
    assert_eq!(summary.revision, 3);
    // Without a change the list is the one kept at this ledger head.
    assert!(Arc::ptr_eq(
        &register.engagement_list_shared().await.unwrap(),
        &register.engagement_list_shared().await.unwrap()
    ));
    db.drop_db().await;
}

macro_rules! on_both {
    ($($name:ident),+) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::Kind::Sqlite).await })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::$name(super::Kind::Postgres).await })+
        }
    };
}
on_both!(
    reviews_waivers_and_tampering,
    concurrent_reviews,
    parsed_engagements_follow_every_change
);
