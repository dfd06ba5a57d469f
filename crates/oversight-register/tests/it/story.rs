//! The story of a register, run on every backend.

use std::sync::Arc;

use oversight_ledger::{FailureReason, InstanceKey};
use oversight_register::{
    ApplyOutcome, PolicyFiles, Register, RegisterError, Supplier, SupplierId,
};
use oversight_store::{DatabaseUrl, StoreError};

use crate::backend::{Kind, TestDb};
use crate::format::{example_text, examples_dir};

fn acme() -> Supplier {
    Supplier {
        id: "acme-dev".parse().expect("valid id"),
        name: "Acme Development GmbH".into(),
        contacts: vec![oversight_register::Contact {
            name: "Sam Lee".into(),
            email: Some("security@acme.example".into()),
            role: Some("security contact".into()),
        }],
        sub_suppliers: vec![oversight_register::SubSupplier {
            name: "Mobile Makers".into(),
            service: Some("mobile app".into()),
            country: Some("PT".into()),
        }],
    }
}

async fn ledger_failure(register: &Register) -> oversight_ledger::Failure {
    match register.ledger_verify().await {
        Err(RegisterError::Ledger(failure)) => failure,
        other => panic!("expected a ledger failure, got {other:?}"),
    }
}

async fn story(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = Register::init(&db.url, &db.key_path(), "alice")
        .await
        .expect("init");

    // Suppliers.
    register.supplier_add(&acme()).await.expect("add supplier");
    let again = register.supplier_add(&acme()).await.expect_err("duplicate");
    assert!(
        again.to_string().contains("`acme-dev` already exists"),
        "{again}"
    );
    assert_eq!(register.supplier_list().await.expect("list"), vec![acme()]);
    let id: SupplierId = "acme-dev".parse().expect("valid id");
    assert_eq!(register.supplier_show(&id).await.expect("show"), acme());

    // Apply, apply again, modify and apply.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("acme-portal.toml");
    std::fs::write(&file, example_text()).expect("write");
    let policy = examples_dir().join("policy.toml");
    // The policy is read next to the engagement file, not in the working
    // directory: without it there, applying fails and names the file.
    let err = register
        .engagement_apply(&file)
        .await
        .expect_err("no policy");
    assert!(
        err.to_string()
            .contains(&dir.path().join("policy.toml").display().to_string()),
        "{err}"
    );
    std::fs::copy(&policy, dir.path().join("policy.toml")).expect("copy policy");
    let outcome = register.engagement_apply(&file).await.expect("apply");
    assert!(matches!(outcome, ApplyOutcome::Created(_)), "{outcome:?}");
    let events_after_create = register.store().events().await.expect("events").len();
    assert_eq!(events_after_create, 3, "init, supplier, engagement");
    assert!(matches!(
        register.engagement_apply(&file).await.expect("apply"),
        ApplyOutcome::Unchanged(_)
    ));
    assert_eq!(
        register.store().events().await.expect("events").len(),
        events_after_create
    );

    let changed = example_text().replace(
        "agent = \"Example Escrow Services\"",
        "agent = \"Other Escrow\"",
    );
    std::fs::write(&file, changed).expect("write");
    match register.engagement_apply(&file).await.expect("apply") {
        ApplyOutcome::Updated(id, changes) => {
            assert_eq!(id.as_str(), "acme-portal");
            assert_eq!(changes.len(), 1, "{changes:?}");
            assert_eq!(changes[0].field, "escrow.agent");
            assert_eq!(changes[0].after.as_deref(), Some("\"Other Escrow\""));
        }
        other => panic!("expected an update, got {other:?}"),
    }
    let events = register.store().events().await.expect("events");
    assert_eq!(events.len(), events_after_create + 1);
    let last = events.last().expect("events");
    assert_eq!(
        (last.event.kind.as_str(), last.event.subject.as_str()),
        ("engagement.updated", "acme-portal")
    );
    assert!(
        last.event.payload.contains(r#""field":"escrow.agent""#),
        "{}",
        last.event.payload
    );

    // List and show; show round-trips to "unchanged".
    let list = register.engagement_list().await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(
        (
            list[0].id.as_str(),
            list[0].status.as_str(),
            list[0].revision
        ),
        ("acme-portal", "active", 2)
    );
    let eid = "acme-portal".parse().expect("valid id");
    let shown = register.engagement_show(&eid).await.expect("show");
    assert!(shown.contains("agent = \"Other Escrow\""), "{shown}");
    assert!(matches!(
        register
            .engagement_apply_str(&shown, "shown", &PolicyFiles::Inline)
            .await
            .expect("apply"),
        ApplyOutcome::Unchanged(_)
    ));
    let engagement = register.engagement(&eid).await.expect("engagement");
    assert_eq!(
        engagement.terms.escrow.expect("escrow agreed").agent,
        "Other Escrow"
    );

    // Unknown supplier and unknown engagement: clear errors, no change.
    let orphan = example_text().replace("supplier = \"acme-dev\"", "supplier = \"nobody\"");
    let err = register
        .engagement_apply_str(&orphan, "orphan.toml", &PolicyFiles::Dir(&examples_dir()))
        .await
        .expect_err("unknown supplier");
    assert!(
        err.to_string()
            .contains("supplier `nobody`, which is not in the register"),
        "{err}"
    );
    let err = register
        .engagement_show(&"ghost".parse().expect("valid"))
        .await
        .expect_err("unknown");
    assert_eq!(err.to_string(), "engagement `ghost` does not exist");

    // More events, then verify.
    for i in 0..3 {
        register
            .ledger_append("note", "acme-portal", &serde_json::json!({ "n": i }))
            .await
            .expect("append");
    }
    let report = register
        .ledger_verify()
        .await
        .expect("intact ledger verifies");
    assert_eq!(
        report.events, 7,
        "init, supplier, created, updated, three notes"
    );

    // Tamper: edit a payload directly.
    db.execute("UPDATE ledger_events SET payload = '{\"n\":99}' WHERE seq = 6")
        .await;
    let failure = ledger_failure(&register).await;
    assert_eq!(failure.seq, 6);
    assert!(
        matches!(failure.reason, FailureReason::Hash { .. }),
        "{failure}"
    );
    assert!(
        failure
            .to_string()
            .starts_with("Ledger event #6 (note `acme-portal`)"),
        "{failure}"
    );
    db.execute("UPDATE ledger_events SET payload = '{\"n\":1}' WHERE seq = 6")
        .await;
    register.ledger_verify().await.expect("restored");

    // Tamper: swap two rows' sequence numbers.
    db.execute("UPDATE ledger_events SET seq = -1 WHERE seq = 4")
        .await;
    db.execute("UPDATE ledger_events SET seq = 4 WHERE seq = 5")
        .await;
    db.execute("UPDATE ledger_events SET seq = 5 WHERE seq = -1")
        .await;
    let failure = ledger_failure(&register).await;
    assert_eq!(failure.seq, 4, "{failure}");
    db.execute("UPDATE ledger_events SET seq = -1 WHERE seq = 4")
        .await;
    db.execute("UPDATE ledger_events SET seq = 4 WHERE seq = 5")
        .await;
    db.execute("UPDATE ledger_events SET seq = 5 WHERE seq = -1")
        .await;
    register.ledger_verify().await.expect("restored");

    // Tamper: delete a row in the middle, then the last one.
    db.execute("DELETE FROM ledger_events WHERE seq = 3").await;
    let failure = ledger_failure(&register).await;
    assert_eq!(
        (failure.seq, failure.reason),
        (4, FailureReason::Sequence { expected: 3 })
    );

    let db2 = TestDb::new(kind).await;
    let register2 = Register::init(&db2.url, &db2.key_path(), "bob")
        .await
        .expect("init");
    register2
        .ledger_append("note", "x", &serde_json::json!({}))
        .await
        .expect("append");
    db2.execute("DELETE FROM ledger_events WHERE seq = 2").await;
    let err = register2.ledger_verify().await.expect_err("truncated");
    assert!(
        matches!(err, RegisterError::Truncated { last: 1, head: 2 }),
        "{err}"
    );

    db.drop_db().await;
    db2.drop_db().await;
}

async fn concurrent_appends(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = Arc::new(
        Register::init(&db.url, &db.key_path(), "alice")
            .await
            .expect("init"),
    );
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let register = Arc::clone(&register);
            tokio::spawn(async move {
                for i in 0..10 {
                    register
                        .ledger_append(
                            "note",
                            &format!("task-{task}"),
                            &serde_json::json!({ "i": i }),
                        )
                        .await
                        .expect("append");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let report = register.ledger_verify().await.expect("no fork");
    assert_eq!(report.events, 81);
    db.drop_db().await;
}

async fn wrong_key(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = Register::init(&db.url, &db.key_path(), "alice")
        .await
        .expect("init");
    register.supplier_add(&acme()).await.expect("add");
    let other = InstanceKey::from_seed([42; 32]);
    let failure = oversight_ledger::verify(
        &register.store().events().await.expect("events"),
        &other.public_key(),
    )
    .expect_err("wrong key");
    assert_eq!(failure.seq, 1);
    assert!(
        failure
            .to_string()
            .contains("signature does not verify with public key"),
        "{failure}"
    );
    let err = Register::open(Arc::clone(register.store()), other, "mallory")
        .await
        .expect_err("wrong key");
    assert!(
        err.to_string().contains("is not this instance's key"),
        "{err}"
    );
    // The right key, loaded from its file, opens the register.
    let key = oversight_ledger::keyfile::load(&db.key_path()).expect("key");
    Register::open(Arc::clone(register.store()), key, "alice")
        .await
        .expect("right key");
    db.drop_db().await;
}

async fn newer_schema_is_refused(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = Register::init(&db.url, &db.key_path(), "alice")
        .await
        .expect("init");
    drop(register);
    let checksum = match kind {
        Kind::Sqlite => "X'00'",
        Kind::Postgres => "decode('00', 'hex')",
    };
    db.execute(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', TRUE, {checksum}, 0)"
    ))
    .await;
    let err = oversight_register::store::open(&db.url)
        .await
        .err()
        .expect("newer schema");
    assert!(
        matches!(
            err,
            StoreError::SchemaTooNew {
                found: 99990101000000,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("upgrade Oversight (nothing was changed)"),
        "{err}"
    );
    db.drop_db().await;
}

/// Deleting the latest events together with their rows and rolling
/// `ledger_head` back one step leaves a chain that verifies on its own: the
/// signed checkpoints kept outside the database catch it, and so does an
/// auditor's copy of them, with the public key alone.
async fn tail_truncation(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = Register::init(&db.url, &db.key_path(), "alice")
        .await
        .expect("init");
    for note in ["a", "b", "c"] {
        register
            .ledger_append("note", note, &serde_json::json!({}))
            .await
            .expect("append");
    }
    let log = oversight_register::default_checkpoint_log(&db.key_path());
    let auditor_copy = db.dir.path().join("auditor-checkpoints.log");
    std::fs::copy(&log, &auditor_copy).expect("copy the checkpoints");
    let public = register.public_key();
    register.ledger_verify().await.expect("intact");

    // The attack: the last event goes, and the head is rolled back to #3.
    let events = register.store().events().await.expect("events");
    let third = events
        .iter()
        .find(|e| e.seq == 3)
        .expect("#3")
        .hash
        .to_hex();
    db.execute("DELETE FROM ledger_events WHERE seq = 4").await;
    db.execute(&format!(
        "UPDATE ledger_head SET seq = 3, hash = '{third}' WHERE id = 1"
    ))
    .await;
    let err = register.ledger_verify().await.expect_err("truncated");
    assert!(
        err.to_string()
            .contains("The ledger was truncated: checkpoint #4"),
        "{err}"
    );

    // The attacker also empties the log beside the key: the auditor's copy
    // still tells, verified with the public key alone.
    std::fs::write(&log, "").expect("wipe");
    let store = oversight_register::store::open(&db.url)
        .await
        .expect("open");
    let auditor = Register::open_audit(store, public, "auditor")
        .await
        .expect("audit open");
    auditor
        .ledger_verify()
        .await
        .expect("no checkpoint to contradict it");
    let err = auditor
        .ledger_verify_with(std::slice::from_ref(&auditor_copy))
        .await
        .expect_err("truncated");
    assert!(err.to_string().contains("truncated"), "{err}");
    let err = auditor
        .ledger_append("note", "x", &serde_json::json!({}))
        .await
        .expect_err("read-only");
    assert!(matches!(err, RegisterError::ReadOnly), "{err}");

    // A forged line in a checkpoint log is named.
    let forged = std::fs::read_to_string(&auditor_copy)
        .expect("read")
        .replace("\"seq\":2,", "\"seq\":9,");
    std::fs::write(&auditor_copy, forged).expect("write");
    let err = auditor
        .ledger_verify_with(std::slice::from_ref(&auditor_copy))
        .await
        .expect_err("forged");
    assert!(
        err.to_string().contains("is not the instance key's"),
        "{err}"
    );
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
    story,
    tail_truncation,
    concurrent_appends,
    wrong_key,
    newer_schema_is_refused
);

#[tokio::test]
async fn sqlite_open_never_creates_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("typo.db");
    let err = oversight_register::store::open(&DatabaseUrl::Sqlite(path.clone()))
        .await
        .err()
        .expect("missing");
    assert!(
        err.to_string().contains("create it with `oversight init`"),
        "{err}"
    );
    assert!(!path.exists());
}

#[tokio::test]
async fn init_refuses_an_existing_key_or_database() {
    let db = TestDb::new(Kind::Sqlite).await;
    Register::init(&db.url, &db.key_path(), "alice")
        .await
        .expect("init");
    let err = Register::init(&db.url, &db.key_path(), "alice")
        .await
        .expect_err("key exists");
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = Register::init(&db.url, &db.dir.path().join("other.key"), "alice")
        .await
        .expect_err("db exists");
    assert!(err.to_string().contains("already exists"), "{err}");
    assert!(
        !db.dir.path().join("other.key").exists(),
        "no key is left behind"
    );
}
