//! Threat models on every backend: versioned imports of real models,
//! hand-over and acknowledgement as ledger events, the status board's
//! threat-model factor, refused models recording nothing, and tampering
//! with the rows detected by `ledger verify`.

use oversight_register::status::FactorState;
use oversight_register::threats::AcknowledgementFile;
use oversight_register::{Factor, PolicyFiles, Register, RegisterError};

use crate::backend::{Kind, TestDb};
use crate::format::{example_text, examples_dir};

const SUPPLIER: &str = include_str!("../../../../examples/supplier.toml");

fn corpus(rel: &str) -> Vec<u8> {
    let path = oversight_test_support::corpus(&format!("threat-models/{rel}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const TD: &str = "OWASP__threat-dragon/td.vue/src/service/demo/v2-threat-model.json";
const OTM: &str = "iriusrisk__OpenThreatModel/EXAMPLE.yaml";

async fn threat_factor(register: &Register) -> (FactorState, String) {
    let today = jiff::Zoned::now().date();
    let report = register.status(today).await.expect("status");
    let row = report
        .rows
        .iter()
        .find(|r| r.engagement == "acme-portal")
        .expect("row");
    let f = row
        .factors
        .iter()
        .find(|f| f.factor == Factor::ThreatModel)
        .expect("factor");
    (f.state, f.note.clone())
}

async fn events_of(register: &Register, kind: &str) -> Vec<serde_json::Value> {
    register
        .store()
        .events()
        .await
        .expect("events")
        .into_iter()
        .filter(|e| e.event.kind == kind)
        .map(|e| serde_json::from_str(&e.event.payload).expect("payload"))
        .collect()
}

async fn threat_models(kind: Kind) {
    let db = TestDb::new(kind).await;
    let register = Register::init(&db.url, &db.key_path(), "alice")
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

    // Version 1: Threat Dragon's demo model, as the tool wrote it.
    let bytes = corpus(TD);
    let first = register
        .threat_model_import("acme-portal", &bytes, "v2-threat-model.json")
        .await
        .expect("import");
    assert_eq!((first.version, first.unchanged), (1, false));
    assert_eq!(first.model.threats.len(), 14);
    assert_eq!(
        first.requirements.len(),
        first.model.mitigations().count(),
        "each mitigation is a requirement"
    );
    assert!(first.requirements.iter().all(|r| r.id.starts_with("TM-")
        && r.factor == Factor::ThreatModel
        && r.ssdf == ["PW.1.1"]));
    let imported = events_of(&register, "threat-model.imported").await;
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0]["version"], 1);
    assert_eq!(imported[0]["source_sha256"], first.sha256.as_str());
    assert_eq!(
        imported[0]["requirements"].as_array().unwrap().len(),
        first.requirements.len()
    );

    // The same bytes again record nothing.
    let again = register
        .threat_model_import("acme-portal", &bytes, "v2-threat-model.json")
        .await
        .expect("import again");
    assert!(again.unchanged);
    assert_eq!(
        again.requirements, first.requirements,
        "stable requirement ids"
    );
    let before = register.store().events().await.expect("events").len();

    // Refused models and unknown engagements change nothing.
    let mut broken: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    broken["detail"]["diagrams"][0]["cells"][8]["target"]["cell"] = "nowhere".into();
    let err = register
        .threat_model_import(
            "acme-portal",
            &serde_json::to_vec(&broken).unwrap(),
            "broken.json",
        )
        .await
        .expect_err("refused");
    assert!(matches!(err, RegisterError::ThreatModel(_)), "{err}");
    assert!(
        err.to_string().contains("broken.json") && err.to_string().contains("nowhere"),
        "{err}"
    );
    let err = register
        .threat_model_import("no-such-engagement", &bytes, "v2-threat-model.json")
        .await
        .expect_err("refused");
    assert!(
        matches!(err, RegisterError::UnknownEngagement { .. }),
        "{err}"
    );
    assert_eq!(
        register.store().events().await.expect("events").len(),
        before
    );
    assert_eq!(
        register
            .threat_model_versions("acme-portal")
            .await
            .unwrap()
            .len(),
        1
    );

    // Not handed over yet.
    let (state, note) = threat_factor(&register).await;
    assert_eq!(state, FactorState::Attention);
    assert!(note.contains("not handed over"), "{note}");
    register
        .threat_model_handover("acme-portal")
        .await
        .expect("handover");
    let err = register
        .threat_model_handover("acme-portal")
        .await
        .expect_err("twice");
    assert!(err.to_string().contains("already handed over"), "{err}");
    let (_, note) = threat_factor(&register).await;
    assert!(note.contains("not acknowledged"), "{note}");

    // The organisation cannot acknowledge for its supplier, and an attested
    // file must name the exact version.
    let err = register
        .threat_model_acknowledge("acme-portal", None)
        .await
        .expect_err("same actor");
    assert!(err.to_string().contains("supplier's identity"), "{err}");
    let supplier = register.acting_as("bob@acme.example");
    let letter = |text: String| AcknowledgementFile {
        name: "ack.txt".into(),
        sha256: "cd".repeat(32),
        text,
    };
    let err = supplier
        .threat_model_acknowledge("acme-portal", Some(&letter("We read it.".into())))
        .await
        .expect_err("no digest");
    assert!(err.to_string().contains(&first.sha256), "{err}");
    let ack = supplier
        .threat_model_acknowledge(
            "acme-portal",
            Some(&letter(format!(
                "We read threat model sha256 {}.",
                first.sha256
            ))),
        )
        .await
        .expect("acknowledged");
    assert_eq!((ack.version, ack.actor.as_str()), (1, "bob@acme.example"));
    let acknowledged = events_of(&register, "threat-model.acknowledged").await;
    assert_eq!(
        acknowledged[0]["attestation_sha256"],
        "cd".repeat(32).as_str()
    );
    let (state, note) = threat_factor(&register).await;
    assert_eq!(state, FactorState::Ok, "{note}");

    // Version 2 (the OTM example, YAML): changed since the acknowledgement.
    let second = register
        .threat_model_import("acme-portal", &corpus(OTM), "EXAMPLE.yaml")
        .await
        .expect("import v2");
    assert_eq!(second.version, 2);
    let (state, note) = threat_factor(&register).await;
    assert_eq!(state, FactorState::Attention);
    assert!(note.contains("v2 current, v1 handed over"), "{note}");
    let report = register.status(jiff::Zoned::now().date()).await.unwrap();
    assert!(
        report
            .due
            .iter()
            .any(|d| d.engagement == "acme-portal" && d.what.contains("threat model"))
    );
    register
        .threat_model_handover("acme-portal")
        .await
        .expect("handover v2");
    let (_, note) = threat_factor(&register).await;
    assert!(
        note.contains("changed since the last acknowledgement (v1)"),
        "{note}"
    );
    let stored = register
        .threat_model("acme-portal", Some(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.model, first.model);

    // Every row is bound to its event.
    register.ledger_verify().await.expect("verifies");
    db.execute("UPDATE threat_models SET threat_count = 3 WHERE version = 1")
        .await;
    let err = register.ledger_verify().await.expect_err("tampered");
    assert!(err.to_string().contains("threat model"), "{err}");
    db.execute("UPDATE threat_models SET threat_count = 14 WHERE version = 1")
        .await;
    db.execute("UPDATE threat_model_events SET actor = 'mallory' WHERE kind = 'acknowledgement'")
        .await;
    let err = register.ledger_verify().await.expect_err("tampered");
    assert!(err.to_string().contains("hand-over"), "{err}");
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
on_both!(threat_models);
