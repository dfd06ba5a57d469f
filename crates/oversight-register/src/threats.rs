//! Threat models of engagements: versioned imports, hand-over to the
//! supplier and the supplier's acknowledgement, each a ledger event.
//!
//! * [`Register::threat_model_import`] reads a model with `oversight-threats`
//!   and records it as the engagement's next version with a
//!   `threat-model.imported` event (version, format, file, SHA-256 of the
//!   file, the requirement ids of its mitigations). Importing the same bytes
//!   as the latest version records nothing.
//! * Each mitigation is a requirement of the engagement ([`requirements`]),
//!   in the requirement catalogue's terms: factor `threat-model`, SSDF
//!   PW.1.1, verified as the mitigation says, with a stable id (`TM-…`).
//! * [`Register::threat_model_handover`] records that the latest version
//!   was handed to the supplier; [`Register::threat_model_acknowledge`]
//!   that the supplier acknowledged the version handed over, by someone
//!   other than who handed it over, optionally with an attested file that
//!   must name the version's SHA-256.
//! * [`ThreatModelState`] is what `status` shows: whether the model
//!   changed since it was last handed over or acknowledged.

use oversight_ledger::Event;
use oversight_store::{
    Change, Entry, ThreatModelEventRecord, ThreatModelRecord, ThreatModelVersion,
};
use oversight_threats::{ThreatModel, Verification};
use serde::Serialize;

use crate::catalogue::Requirement;
use crate::engagement::{Factor, VerificationMethod};
use crate::register::{Register, RegisterError, now};
use crate::review::{digest, new_id};

/// The SSDF task threat-model mitigations support: PW.1.1, "use forms of
/// risk modeling, such as threat modeling, … to help assess the security
/// risk for the software".
pub const THREAT_MODEL_SSDF: &str = "PW.1.1";

/// The kind of evidence document an attested acknowledgement is kept as.
pub const ACKNOWLEDGEMENT_KIND: &str = "threat-model-acknowledgement";

/// One stored version, read back as types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredThreatModel {
    /// The engagement.
    pub engagement: String,
    /// Its version.
    pub version: i64,
    /// The file it came from.
    pub source_name: String,
    /// SHA-256 (hex) of the file.
    pub source_sha256: String,
    /// The file's text.
    pub source: String,
    /// The normalised model.
    pub model: ThreatModel,
    /// When it was imported.
    pub imported_at: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatImport {
    /// The version now current.
    pub version: i64,
    /// The file was the latest version already: nothing was recorded.
    pub unchanged: bool,
    /// The model.
    pub model: ThreatModel,
    /// SHA-256 (hex) of the file.
    pub sha256: String,
    /// Its mitigations as requirements.
    pub requirements: Vec<Requirement>,
}

/// An attested acknowledgement: a file the supplier signed or sent, kept
/// in the evidence store by the caller before it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcknowledgementFile {
    /// The file name.
    pub name: String,
    /// SHA-256 (hex) of its bytes (its name in the evidence store).
    pub sha256: String,
    /// Its text: it must name the acknowledged version's SHA-256.
    pub text: String,
}

/// Where an engagement's threat model stands with its supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatModelState {
    /// The engagement.
    pub engagement: String,
    /// The current version.
    pub current: i64,
    /// The version last handed over.
    pub handed_over: Option<i64>,
    /// The version last acknowledged, and when.
    pub acknowledged: Option<(i64, String)>,
}

impl ThreatModelState {
    /// Whether the model changed since the supplier last acknowledged it
    /// (or was never acknowledged).
    pub fn changed_since_acknowledgement(&self) -> bool {
        self.acknowledged
            .as_ref()
            .is_none_or(|(v, _)| *v < self.current)
    }

    /// A few words for the status board.
    pub fn note(&self) -> String {
        match (&self.acknowledged, self.handed_over) {
            (_, None) => format!("threat model v{} not handed over", self.current),
            (_, Some(h)) if h < self.current => format!(
                "threat model changed: v{} current, v{h} handed over",
                self.current
            ),
            (None, Some(h)) => format!("threat model v{h} not acknowledged by the supplier"),
            (Some((a, _)), Some(_)) if *a < self.current => format!(
                "threat model changed since the last acknowledgement (v{a}); v{} not acknowledged",
                self.current
            ),
            (Some((a, at)), Some(_)) => format!("threat model v{a} acknowledged {}", day(at)),
        }
    }
}

fn day(timestamp: &str) -> &str {
    timestamp.get(..10).unwrap_or(timestamp)
}

/// The requirements `model`'s mitigations are for its engagement.
pub fn requirements(model: &ThreatModel, source: &str) -> Vec<Requirement> {
    model
        .mitigations()
        .map(|(threat, m)| {
            let verification = match m.verification.first() {
                Some(Verification::Rule(_)) => VerificationMethod::AutomatedCheck,
                Some(Verification::Deliverable(_)) => VerificationMethod::EvidenceDocument,
                Some(Verification::Attestation(_)) | None => {
                    VerificationMethod::SupplierAttestation
                }
            };
            Requirement {
                id: m.requirement_id(threat),
                title: format!("Mitigate: {}", threat.title),
                text: m.text.clone(),
                factor: Factor::ThreatModel,
                ssdf: vec![THREAT_MODEL_SSDF.to_owned()],
                verification,
                source: source.to_owned(),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct ImportedPayload<'a> {
    engagement: &'a str,
    version: i64,
    format: &'a str,
    source_name: &'a str,
    source_sha256: &'a str,
    threats: usize,
    requirements: Vec<String>,
    record_digest: String,
}

#[derive(Serialize)]
struct HandoverPayload<'a> {
    engagement: &'a str,
    record: &'a str,
    version: i64,
    source_sha256: &'a str,
    attestation_name: Option<&'a str>,
    attestation_sha256: Option<&'a str>,
    record_digest: String,
}

/// SHA-256 (hex) of a threat model record's canonical JSON.
pub fn threat_model_digest(m: &ThreatModelRecord) -> String {
    digest(&serde_json::json!([
        m.engagement_id,
        m.version,
        m.format,
        m.source_name,
        m.source_sha256,
        m.source,
        m.document,
        m.threat_count,
        m.imported_by,
        m.imported_at
    ]))
}

/// SHA-256 (hex) of a hand-over or acknowledgement record's canonical JSON.
pub fn threat_model_event_digest(e: &ThreatModelEventRecord) -> String {
    digest(&serde_json::json!([
        e.id,
        e.engagement_id,
        e.version,
        e.kind,
        e.actor,
        e.recorded_at,
        e.attestation_name,
        e.attestation_sha256
    ]))
}

/// The key a threat model row is checked under by `ledger verify`.
pub(crate) fn model_row_id(engagement: &str, version: i64) -> String {
    format!("{engagement}#v{version}")
}

impl Register {
    /// Imports `bytes` (the file `file_name`) as the next version of the
    /// engagement's threat model. Nothing is recorded when the model is
    /// refused or is byte for byte the latest version.
    ///
    /// # Errors
    /// The engagement does not exist; the model is refused (the file and
    /// every problem named); the store fails.
    pub async fn threat_model_import(
        &self,
        engagement: &str,
        bytes: &[u8],
        file_name: &str,
    ) -> Result<ThreatImport, RegisterError> {
        self.require_engagement(engagement).await?;
        let imported = oversight_threats::import(bytes, file_name)?;
        let latest = self.store().threat_model(engagement, None).await?;
        if let Some(latest) = &latest
            && latest.source_sha256 == imported.sha256
        {
            return Ok(ThreatImport {
                version: latest.version,
                unchanged: true,
                requirements: requirements(
                    &imported.model,
                    &format!("threat model v{} ({file_name})", latest.version),
                ),
                model: imported.model,
                sha256: imported.sha256,
            });
        }
        let version = latest.map_or(1, |l| l.version + 1);
        let document = oversight_ledger::canonical::to_string(
            &serde_json::to_value(&imported.model).expect("a model serialises"),
        );
        let record = ThreatModelRecord {
            engagement_id: engagement.to_owned(),
            version,
            format: imported.model.format.as_str().to_owned(),
            source_name: file_name.to_owned(),
            source_sha256: imported.sha256.clone(),
            source: imported.source.clone(),
            document,
            threat_count: i64::try_from(imported.model.threats.len()).unwrap_or(i64::MAX),
            imported_by: self.actor().to_owned(),
            imported_at: now(),
        };
        let requirements = requirements(
            &imported.model,
            &format!("threat model v{version} ({file_name})"),
        );
        let payload = ImportedPayload {
            engagement,
            version,
            format: &record.format,
            source_name: file_name,
            source_sha256: &record.source_sha256,
            threats: imported.model.threats.len(),
            requirements: requirements.iter().map(|r| r.id.clone()).collect(),
            record_digest: threat_model_digest(&record),
        };
        let event = Event::new(
            "threat-model.imported",
            engagement,
            self.actor(),
            now(),
            &serde_json::to_value(&payload).expect("a payload serialises"),
        );
        self.append(vec![Entry {
            change: Some(Change::AddThreatModel(Box::new(record))),
            event,
        }])
        .await?;
        Ok(ThreatImport {
            version,
            unchanged: false,
            model: imported.model,
            sha256: imported.sha256,
            requirements,
        })
    }

    /// Version `version` of the engagement's model (the latest when `None`),
    /// or `None` when it has none.
    ///
    /// # Errors
    /// The store fails, or the stored model no longer parses.
    pub async fn threat_model(
        &self,
        engagement: &str,
        version: Option<i64>,
    ) -> Result<Option<StoredThreatModel>, RegisterError> {
        let Some(record) = self.store().threat_model(engagement, version).await? else {
            return Ok(None);
        };
        let model: ThreatModel =
            serde_json::from_str(&record.document).map_err(|e| RegisterError::Corrupt {
                what: "threat model",
                id: model_row_id(engagement, record.version),
                reason: e.to_string(),
            })?;
        Ok(Some(StoredThreatModel {
            engagement: record.engagement_id,
            version: record.version,
            source_name: record.source_name,
            source_sha256: record.source_sha256,
            source: record.source,
            model,
            imported_at: record.imported_at,
        }))
    }

    /// Every version of the engagement's model, oldest first.
    ///
    /// # Errors
    /// The store fails.
    pub async fn threat_model_versions(
        &self,
        engagement: &str,
    ) -> Result<Vec<ThreatModelVersion>, RegisterError> {
        Ok(self.store().threat_model_versions(Some(engagement)).await?)
    }

    /// Records that the latest version was handed to the supplier.
    ///
    /// # Errors
    /// The engagement has no model, or its latest version was handed over
    /// already; the store fails.
    pub async fn threat_model_handover(
        &self,
        engagement: &str,
    ) -> Result<ThreatModelEventRecord, RegisterError> {
        self.require_engagement(engagement).await?;
        let latest = self.latest_model(engagement).await?;
        let events = self.store().threat_model_events(Some(engagement)).await?;
        if let Some(done) = events
            .iter()
            .rev()
            .find(|e| e.kind == "handover" && e.version == latest.version)
        {
            return Err(RegisterError::Invalid(format!(
                "Version {} of the threat model of `{engagement}` was already handed over on {} by {}",
                latest.version,
                day(&done.recorded_at),
                done.actor
            )));
        }
        let record = ThreatModelEventRecord {
            id: new_id("tmh", &latest.source_sha256),
            engagement_id: engagement.to_owned(),
            version: latest.version,
            kind: "handover".to_owned(),
            actor: self.actor().to_owned(),
            recorded_at: now(),
            attestation_name: None,
            attestation_sha256: None,
        };
        self.record_threat_event(record, &latest.source_sha256, "threat-model.handed-over")
            .await
    }

    /// Records the supplier's acknowledgement of the version last handed
    /// over, by the register's actor (the supplier's identity), with the
    /// attested file when one is given.
    ///
    /// # Errors
    /// Nothing was handed over; that version was acknowledged already; the
    /// actor is who handed it over (the organisation cannot acknowledge for
    /// its supplier); the file does not name the version's SHA-256; the
    /// store fails.
    pub async fn threat_model_acknowledge(
        &self,
        engagement: &str,
        attestation: Option<&AcknowledgementFile>,
    ) -> Result<ThreatModelEventRecord, RegisterError> {
        self.require_engagement(engagement).await?;
        let events = self.store().threat_model_events(Some(engagement)).await?;
        let Some(handover) = events.iter().rev().find(|e| e.kind == "handover") else {
            return Err(RegisterError::Invalid(format!(
                "The threat model of `{engagement}` was never handed over; hand it over first (`oversight threats handover`)"
            )));
        };
        if let Some(done) = events
            .iter()
            .find(|e| e.kind == "acknowledgement" && e.version == handover.version)
        {
            return Err(RegisterError::Invalid(format!(
                "Version {} of the threat model of `{engagement}` was already acknowledged on {} by {}",
                handover.version,
                day(&done.recorded_at),
                done.actor
            )));
        }
        if handover.actor == self.actor() {
            return Err(RegisterError::Invalid(format!(
                "`{}` handed the threat model of `{engagement}` over and cannot also acknowledge it for the supplier; run the acknowledgement with the supplier's identity",
                handover.actor
            )));
        }
        let model = self
            .store()
            .threat_model(engagement, Some(handover.version))
            .await?
            .ok_or_else(|| RegisterError::Corrupt {
                what: "threat model",
                id: model_row_id(engagement, handover.version),
                reason: "a hand-over names a version that is not stored".into(),
            })?;
        if let Some(file) = attestation
            && !file
                .text
                .to_ascii_lowercase()
                .contains(&model.source_sha256)
        {
            return Err(RegisterError::Invalid(format!(
                "The acknowledgement {} does not name the SHA-256 of the threat model version {} it acknowledges ({}); the supplier must acknowledge that exact version",
                file.name, handover.version, model.source_sha256
            )));
        }
        let record = ThreatModelEventRecord {
            id: new_id("tma", &model.source_sha256),
            engagement_id: engagement.to_owned(),
            version: handover.version,
            kind: "acknowledgement".to_owned(),
            actor: self.actor().to_owned(),
            recorded_at: now(),
            attestation_name: attestation.map(|a| a.name.clone()),
            attestation_sha256: attestation.map(|a| a.sha256.clone()),
        };
        self.record_threat_event(record, &model.source_sha256, "threat-model.acknowledged")
            .await
    }

    /// Hand-overs and acknowledgements of the engagement, oldest first.
    ///
    /// # Errors
    /// The store fails.
    pub async fn threat_model_events(
        &self,
        engagement: &str,
    ) -> Result<Vec<ThreatModelEventRecord>, RegisterError> {
        Ok(self.store().threat_model_events(Some(engagement)).await?)
    }

    /// Where every engagement with a model stands with its supplier.
    ///
    /// # Errors
    /// The store fails.
    pub async fn threat_model_states(&self) -> Result<Vec<ThreatModelState>, RegisterError> {
        let versions = self.store().threat_model_versions(None).await?;
        let events = self.store().threat_model_events(None).await?;
        Ok(states(&versions, &events))
    }

    async fn latest_model(&self, engagement: &str) -> Result<ThreatModelRecord, RegisterError> {
        self.store()
            .threat_model(engagement, None)
            .await?
            .ok_or_else(|| {
                RegisterError::Invalid(format!(
                    "Engagement `{engagement}` has no threat model; import one first (`oversight threats import`)"
                ))
            })
    }

    async fn record_threat_event(
        &self,
        record: ThreatModelEventRecord,
        source_sha256: &str,
        kind: &str,
    ) -> Result<ThreatModelEventRecord, RegisterError> {
        let payload = HandoverPayload {
            engagement: &record.engagement_id,
            record: &record.id,
            version: record.version,
            source_sha256,
            attestation_name: record.attestation_name.as_deref(),
            attestation_sha256: record.attestation_sha256.as_deref(),
            record_digest: threat_model_event_digest(&record),
        };
        let event = Event::new(
            kind,
            &record.engagement_id,
            self.actor(),
            now(),
            &serde_json::to_value(&payload).expect("a payload serialises"),
        );
        self.append(vec![Entry {
            change: Some(Change::AddThreatModelEvent(record.clone())),
            event,
        }])
        .await?;
        Ok(record)
    }
}

/// Where each engagement's model stands, from its versions and events.
pub fn states(
    versions: &[ThreatModelVersion],
    events: &[ThreatModelEventRecord],
) -> Vec<ThreatModelState> {
    let mut out: Vec<ThreatModelState> = Vec::new();
    for v in versions {
        match out.last_mut() {
            Some(s) if s.engagement == v.engagement_id => s.current = s.current.max(v.version),
            _ => out.push(ThreatModelState {
                engagement: v.engagement_id.clone(),
                current: v.version,
                handed_over: None,
                acknowledged: None,
            }),
        }
    }
    for e in events {
        let Some(s) = out.iter_mut().find(|s| s.engagement == e.engagement_id) else {
            continue;
        };
        match e.kind.as_str() {
            "handover" => s.handed_over = s.handed_over.max(Some(e.version)),
            "acknowledgement" if s.acknowledged.as_ref().is_none_or(|(v, _)| *v <= e.version) => {
                s.acknowledged = Some((e.version, e.recorded_at.clone()));
            }
            _ => {}
        }
    }
    out
}

/// Sets the threat-model factor of every engagement with an imported model
/// from where the model stands with its supplier (the engagement file's
/// hand-over date and acknowledgement flag say less than the ledger):
/// ok only when the current version was acknowledged; a model changed since
/// the last acknowledgement is due. Closed or ended engagements get the
/// state without a due item.
pub fn apply_states(report: &mut crate::status::StatusReport, states: &[ThreatModelState]) {
    use crate::status::{DueItem, FactorState};
    for state in states {
        let Some(row) = report
            .rows
            .iter_mut()
            .find(|r| r.engagement == state.engagement)
        else {
            continue;
        };
        let finished = row.status == crate::EngagementStatus::Closed;
        let Some(factor) = row
            .factors
            .iter_mut()
            .find(|f| f.factor == Factor::ThreatModel)
        else {
            continue;
        };
        factor.note = state.note();
        if state.changed_since_acknowledgement() {
            factor.state = FactorState::Attention;
            if !finished {
                report.due.push(DueItem {
                    engagement: state.engagement.clone(),
                    what: state.note(),
                    date: None,
                    overdue: true,
                });
            }
        } else {
            factor.state = FactorState::Ok;
        }
    }
    report.due.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.date.cmp(&b.date))
            .then(a.engagement.cmp(&b.engagement))
            .then(a.what.cmp(&b.what))
    });
}

/// The row a threat-model ledger event recorded, as `ledger verify` keys it.
pub(crate) fn recorded_row(
    kind: &str,
    payload: &serde_json::Value,
) -> Option<(&'static str, String)> {
    match kind {
        "threat-model.imported" => Some((
            "threat model",
            model_row_id(
                payload["engagement"].as_str()?,
                payload["version"].as_i64()?,
            ),
        )),
        "threat-model.handed-over" | "threat-model.acknowledged" => Some((
            "threat model hand-over",
            payload["record"].as_str()?.to_owned(),
        )),
        _ => None,
    }
}

/// Every stored threat-model row with its digest, as `ledger verify` keys it.
pub(crate) async fn stored_rows(
    register: &Register,
    stored: &mut std::collections::BTreeMap<(&'static str, String), String>,
) -> Result<(), RegisterError> {
    let store = register.store();
    for v in store.threat_model_versions(None).await? {
        if let Some(record) = store
            .threat_model(&v.engagement_id, Some(v.version))
            .await?
        {
            stored.insert(
                ("threat model", model_row_id(&v.engagement_id, v.version)),
                threat_model_digest(&record),
            );
        }
    }
    for e in store.threat_model_events(None).await? {
        stored.insert(
            ("threat model hand-over", e.id.clone()),
            threat_model_event_digest(&e),
        );
    }
    Ok(())
}
