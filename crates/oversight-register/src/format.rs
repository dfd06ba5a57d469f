//! Register as code: the TOML file format of engagements and suppliers.
//!
//! This is an edge format, so its types derive serde and the domain types in
//! [`crate::engagement`] do not. Reading is two steps: serde parses into
//! private raw types (unknown keys rejected with their line), then
//! [`parse_engagement`] validates into an [`Engagement`] and collects every
//! problem (invalid dates, unknown catalogue ids, bad names) with its line.
//! [`render_engagement`] writes the canonical form that
//! `oversight engagement show --format toml` prints; the store keeps that same
//! text, so applying a shown file is a no-op.

use std::fmt;
use std::ops::Range;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::catalogue::Catalogue;
use crate::engagement::{
    Acceptance, AgreedPolicy, AgreedRequirement, Assurance, DevelopmentEnvironment, Engagement,
    Escrow, EvidenceRequirement, Legislation, Licensing, RightToAudit, SecurityRequirements, Terms,
    Testing, ThreatModel,
};
use crate::supplier::{Contact, SubSupplier, Supplier};

/// One problem in a file, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The dotted key, e.g. `escrow.last_verified_deposit`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// A file that is not a valid engagement or supplier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin} is not a valid {what} file:\n{}", problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
pub struct FormatError {
    /// The file name (or another description of where the text came from).
    pub origin: String,
    /// `engagement` or `supplier`.
    pub what: &'static str,
    /// Every problem found, in file order.
    pub problems: Vec<Problem>,
}

fn line_of(text: &str, span: &Range<usize>) -> usize {
    text[..span.start.min(text.len())].matches('\n').count() + 1
}

fn syntax_error(text: &str, origin: &str, what: &'static str, e: &toml::de::Error) -> FormatError {
    FormatError {
        origin: origin.to_owned(),
        what,
        problems: vec![Problem {
            line: e.span().map(|s| line_of(text, &s)),
            key: String::new(),
            message: e.message().trim().to_owned(),
        }],
    }
}

// ---------------------------------------------------------------------------
// Raw (serde) types.

type SDate = Spanned<Datetime>;
type SStr = Spanned<String>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawEngagement {
    id: SStr,
    supplier: SStr,
    system: String,
    owner: String,
    status: SStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<SDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<SDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    licensing: Option<RawLicensing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    security: Option<RawSecurity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threat_model: Option<RawThreatModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    acceptance: Option<RawAcceptance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assurance: Option<RawAssurance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    testing: Option<RawTesting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    escrow: Option<RawEscrow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audit: Option<RawAudit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    environment: Option<RawEnvironment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legislation: Option<RawLegislation>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawLicensing {
    code_owner: String,
    #[serde(default)]
    expected_copyright_holders: Vec<String>,
    licence_policy: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawSecurity {
    #[serde(default)]
    requirements: Vec<RawRequirement>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    id: SStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verification: Option<SStr>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawThreatModel {
    reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    handed_over: Option<SDate>,
    #[serde(default)]
    acknowledged: bool,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawAcceptance {
    policy: String,
    /// Written by the register: the agreed policy's digest and text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy_text: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawAssurance {
    #[serde(default)]
    evidence: Vec<RawEvidence>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    kind: String,
    frequency: SStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires: Option<SDate>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawTesting {
    #[serde(default)]
    malicious_content_scan: bool,
    #[serde(default)]
    vulnerability_scan: bool,
    #[serde(default)]
    supplier_sast: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    penetration_test: Option<SStr>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawEscrow {
    agent: String,
    deposit_frequency: SStr,
    #[serde(default)]
    release_conditions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_verified_deposit: Option<SDate>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    clause: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_audit: Option<SDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_due: Option<SDate>,
    #[serde(default)]
    findings: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawEnvironment {
    #[serde(default)]
    checklist: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_attestation: Option<SDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    signing_keys: Vec<SStr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    commit_domains: Vec<SStr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    provenance_keys: Vec<SStr>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawLegislation {
    #[serde(default)]
    laws: Vec<String>,
    #[serde(default)]
    dpa_signed: bool,
    #[serde(default)]
    personal_data_categories: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawSupplier {
    id: SStr,
    name: String,
    #[serde(default)]
    contacts: Vec<RawContact>,
    #[serde(default)]
    sub_suppliers: Vec<RawSubSupplier>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawSubSupplier {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
}

// ---------------------------------------------------------------------------
// Validation.

struct Validator<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn problem(&mut self, span: Option<Range<usize>>, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            line: span.map(|s| line_of(self.text, &s)),
            key: key.to_owned(),
            message: message.into(),
        });
    }

    fn parse<T: std::str::FromStr>(&mut self, value: &SStr, key: &str) -> Option<T>
    where
        T::Err: fmt::Display,
    {
        match value.get_ref().parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(Some(value.span()), key, e.to_string());
                None
            }
        }
    }

    fn non_empty(&mut self, value: &str, key: &str) {
        if value.trim().is_empty() {
            self.problem(None, key, "must not be empty");
        }
    }

    /// An OpenSSH public key (`ssh-ed25519 AAAA… comment`) for commit
    /// signatures; the error names the key by its position and its first
    /// characters (a public key is no secret).
    fn signing_key(&mut self, value: &SStr, index: usize) -> Option<String> {
        let text = value.get_ref().trim();
        match ssh_key::PublicKey::from_openssh(text) {
            Ok(_) => Some(text.to_owned()),
            Err(e) => {
                let shown: String = text.chars().take(40).collect();
                let ellipsis = if text.chars().count() > 40 { "…" } else { "" };
                self.problem(
                    Some(value.span()),
                    &format!("environment.signing_keys[{index}]"),
                    format!(
                        "`{shown}{ellipsis}` is not an OpenSSH public key (`ssh-ed25519 AAAA… name`): {e}"
                    ),
                );
                None
            }
        }
    }

    /// A PEM public key (ed25519 or ECDSA P-256) that signs provenance.
    fn provenance_key(&mut self, value: &SStr, index: usize) -> Option<String> {
        let key = format!("environment.provenance_keys[{index}]");
        match oversight_provenance::TrustedKey::from_pem(&key, value.get_ref()) {
            Ok(_) => Some(value.get_ref().trim().to_owned()),
            Err(e) => {
                self.problem(Some(value.span()), &key, e.to_string());
                None
            }
        }
    }

    /// An e-mail domain whose commits count as the supplier's.
    fn domain(&mut self, value: &SStr) -> Option<String> {
        let domain = value.get_ref().trim().to_ascii_lowercase();
        let valid = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if valid {
            Some(domain)
        } else {
            self.problem(
                Some(value.span()),
                "environment.commit_domains",
                format!(
                    "`{}` is not an e-mail domain such as `supplier.example`",
                    value.get_ref()
                ),
            );
            None
        }
    }

    fn date(&mut self, value: &Option<SDate>, key: &str) -> Option<Date> {
        let value = value.as_ref()?;
        let dt = value.get_ref();
        let (Some(d), None, None) = (dt.date, dt.time, dt.offset) else {
            self.problem(
                Some(value.span()),
                key,
                format!("`{dt}` is not a plain date; write YYYY-MM-DD without a time"),
            );
            return None;
        };
        let parts = (
            i16::try_from(d.year),
            i8::try_from(d.month),
            i8::try_from(d.day),
        );
        let result = match parts {
            (Ok(y), Ok(m), Ok(day)) => Date::new(y, m, day).map_err(|e| e.to_string()),
            _ => Err("out of range".to_owned()),
        };
        match result {
            Ok(date) => Some(date),
            Err(e) => {
                self.problem(
                    Some(value.span()),
                    key,
                    format!("`{dt}` is not a valid date: {e}"),
                );
                None
            }
        }
    }
}

/// Parses and validates an engagement file. `origin` names the file in
/// errors; `catalogue` resolves requirement ids and default verification
/// methods.
pub fn parse_engagement(
    text: &str,
    origin: &str,
    catalogue: &Catalogue,
) -> Result<Engagement, FormatError> {
    let raw: RawEngagement =
        toml::from_str(text).map_err(|e| syntax_error(text, origin, "engagement", &e))?;
    let mut v = Validator {
        text,
        problems: Vec::new(),
    };
    let id = v.parse(&raw.id, "id");
    let supplier = v.parse(&raw.supplier, "supplier");
    let status = v.parse(&raw.status, "status");
    v.non_empty(&raw.system, "system");
    v.non_empty(&raw.owner, "owner");
    let start = v.date(&raw.start, "start");
    let end = v.date(&raw.end, "end");
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        v.problem(
            raw.end.as_ref().map(Spanned::span),
            "end",
            format!("ends ({e}) before it starts ({s})"),
        );
    }
    let terms = Terms {
        licensing: raw.licensing.map(|l| {
            v.non_empty(&l.code_owner, "licensing.code_owner");
            v.non_empty(&l.licence_policy, "licensing.licence_policy");
            Licensing {
                code_owner: l.code_owner,
                expected_copyright_holders: l.expected_copyright_holders,
                licence_policy: l.licence_policy,
            }
        }),
        security: raw.security.map(|s| {
            let mut requirements: Vec<AgreedRequirement> = Vec::new();
            for r in s.requirements {
                let key = "security.requirements.id";
                let Some(entry) = catalogue.get(r.id.get_ref()) else {
                    v.problem(
                        Some(r.id.span()),
                        key,
                        format!("`{}` is not in the requirement catalogue", r.id.get_ref()),
                    );
                    continue;
                };
                if requirements.iter().any(|x| x.id == entry.id) {
                    v.problem(
                        Some(r.id.span()),
                        key,
                        format!("`{}` is listed twice", entry.id),
                    );
                    continue;
                }
                let verification = match &r.verification {
                    Some(method) => v.parse(method, "security.requirements.verification"),
                    None => Some(entry.verification),
                };
                if let Some(verification) = verification {
                    requirements.push(AgreedRequirement {
                        id: entry.id.clone(),
                        verification,
                    });
                }
            }
            SecurityRequirements { requirements }
        }),
        threat_model: raw.threat_model.map(|t| {
            v.non_empty(&t.reference, "threat_model.reference");
            ThreatModel {
                handed_over: v.date(&t.handed_over, "threat_model.handed_over"),
                reference: t.reference,
                acknowledged: t.acknowledged,
            }
        }),
        acceptance: raw.acceptance.map(|a| {
            v.non_empty(&a.policy, "acceptance.policy");
            let agreed = match (a.policy_text, a.policy_sha256) {
                (Some(text), digest) => {
                    let agreed = AgreedPolicy::new(text);
                    if let Some(digest) = digest
                        && digest != agreed.sha256
                    {
                        v.problem(
                            None,
                            "acceptance.policy_sha256",
                            format!(
                                "is {digest} but the policy_text's SHA-256 is {}; the text was altered",
                                agreed.sha256
                            ),
                        );
                    }
                    Some(agreed)
                }
                (None, Some(_)) => {
                    v.problem(
                        None,
                        "acceptance.policy_sha256",
                        "is given without acceptance.policy_text".to_owned(),
                    );
                    None
                }
                (None, None) => None,
            };
            Acceptance {
                policy: a.policy,
                agreed,
            }
        }),
        assurance: raw.assurance.map(|a| Assurance {
            evidence: a
                .evidence
                .into_iter()
                .filter_map(|e| {
                    v.non_empty(&e.kind, "assurance.evidence.kind");
                    let frequency = v.parse(&e.frequency, "assurance.evidence.frequency");
                    let expires = v.date(&e.expires, "assurance.evidence.expires");
                    Some(EvidenceRequirement {
                        kind: e.kind,
                        frequency: frequency?,
                        expires,
                    })
                })
                .collect(),
        }),
        testing: raw.testing.map(|t| Testing {
            malicious_content_scan: t.malicious_content_scan,
            vulnerability_scan: t.vulnerability_scan,
            supplier_sast: t.supplier_sast,
            penetration_test: t
                .penetration_test
                .as_ref()
                .and_then(|p| v.parse(p, "testing.penetration_test")),
        }),
        escrow: raw.escrow.and_then(|e| {
            v.non_empty(&e.agent, "escrow.agent");
            let deposit_frequency = v.parse(&e.deposit_frequency, "escrow.deposit_frequency");
            let last_verified_deposit =
                v.date(&e.last_verified_deposit, "escrow.last_verified_deposit");
            Some(Escrow {
                agent: e.agent,
                deposit_frequency: deposit_frequency?,
                release_conditions: e.release_conditions,
                last_verified_deposit,
            })
        }),
        audit: raw.audit.map(|a| {
            v.non_empty(&a.clause, "audit.clause");
            RightToAudit {
                last_audit: v.date(&a.last_audit, "audit.last_audit"),
                next_due: v.date(&a.next_due, "audit.next_due"),
                clause: a.clause,
                findings: a.findings,
            }
        }),
        environment: raw.environment.map(|e| DevelopmentEnvironment {
            last_attestation: v.date(&e.last_attestation, "environment.last_attestation"),
            checklist: e.checklist,
            signing_keys: e
                .signing_keys
                .iter()
                .enumerate()
                .filter_map(|(i, key)| v.signing_key(key, i))
                .collect(),
            commit_domains: e
                .commit_domains
                .iter()
                .filter_map(|domain| v.domain(domain))
                .collect(),
            provenance_keys: e
                .provenance_keys
                .iter()
                .enumerate()
                .filter_map(|(i, key)| v.provenance_key(key, i))
                .collect(),
        }),
        legislation: raw.legislation.map(|l| Legislation {
            laws: l.laws,
            dpa_signed: l.dpa_signed,
            personal_data_categories: l.personal_data_categories,
        }),
    };
    match (id, supplier, status, v.problems.is_empty()) {
        (Some(id), Some(supplier), Some(status), true) => Ok(Engagement {
            id,
            supplier,
            system: raw.system,
            owner: raw.owner,
            status,
            start,
            end,
            terms,
        }),
        _ => Err(FormatError {
            origin: origin.to_owned(),
            what: "engagement",
            problems: v.problems,
        }),
    }
}

/// Parses and validates a supplier file.
pub fn parse_supplier(text: &str, origin: &str) -> Result<Supplier, FormatError> {
    let raw: RawSupplier =
        toml::from_str(text).map_err(|e| syntax_error(text, origin, "supplier", &e))?;
    let mut v = Validator {
        text,
        problems: Vec::new(),
    };
    let id = v.parse(&raw.id, "id");
    v.non_empty(&raw.name, "name");
    match (id, v.problems.is_empty()) {
        (Some(id), true) => Ok(Supplier {
            id,
            name: raw.name,
            contacts: raw
                .contacts
                .into_iter()
                .map(|c| Contact {
                    name: c.name,
                    email: c.email,
                    role: c.role,
                })
                .collect(),
            sub_suppliers: raw
                .sub_suppliers
                .into_iter()
                .map(|s| SubSupplier {
                    name: s.name,
                    service: s.service,
                    country: s.country,
                })
                .collect(),
        }),
        _ => Err(FormatError {
            origin: origin.to_owned(),
            what: "supplier",
            problems: v.problems,
        }),
    }
}

// ---------------------------------------------------------------------------
// Rendering.

fn s(value: &str) -> SStr {
    Spanned::new(0..0, value.to_owned())
}

fn d(date: Option<Date>) -> Option<SDate> {
    date.map(|date| {
        Spanned::new(
            0..0,
            Datetime {
                date: Some(toml::value::Date {
                    year: u16::try_from(date.year())
                        .expect("dates are validated as positive years"),
                    month: u8::try_from(date.month()).expect("months are 1 to 12"),
                    day: u8::try_from(date.day()).expect("days are 1 to 31"),
                }),
                time: None,
                offset: None,
            },
        )
    })
}

/// The canonical TOML text of `engagement`, as `engagement show` prints it
/// and as the store keeps it.
pub fn render_engagement(engagement: &Engagement) -> String {
    let t = &engagement.terms;
    let raw = RawEngagement {
        id: s(engagement.id.as_str()),
        supplier: s(engagement.supplier.as_str()),
        system: engagement.system.clone(),
        owner: engagement.owner.clone(),
        status: s(engagement.status.as_str()),
        start: d(engagement.start),
        end: d(engagement.end),
        licensing: t.licensing.as_ref().map(|l| RawLicensing {
            code_owner: l.code_owner.clone(),
            expected_copyright_holders: l.expected_copyright_holders.clone(),
            licence_policy: l.licence_policy.clone(),
        }),
        security: t.security.as_ref().map(|sec| RawSecurity {
            requirements: sec
                .requirements
                .iter()
                .map(|r| RawRequirement {
                    id: s(&r.id),
                    verification: Some(s(r.verification.as_str())),
                })
                .collect(),
        }),
        threat_model: t.threat_model.as_ref().map(|m| RawThreatModel {
            reference: m.reference.clone(),
            handed_over: d(m.handed_over),
            acknowledged: m.acknowledged,
        }),
        acceptance: t.acceptance.as_ref().map(|a| RawAcceptance {
            policy: a.policy.clone(),
            policy_sha256: a.agreed.as_ref().map(|p| p.sha256.clone()),
            policy_text: a.agreed.as_ref().map(|p| p.text.clone()),
        }),
        assurance: t.assurance.as_ref().map(|a| RawAssurance {
            evidence: a
                .evidence
                .iter()
                .map(|e| RawEvidence {
                    kind: e.kind.clone(),
                    frequency: s(e.frequency.as_str()),
                    expires: d(e.expires),
                })
                .collect(),
        }),
        testing: t.testing.as_ref().map(|x| RawTesting {
            malicious_content_scan: x.malicious_content_scan,
            vulnerability_scan: x.vulnerability_scan,
            supplier_sast: x.supplier_sast,
            penetration_test: x.penetration_test.map(|f| s(f.as_str())),
        }),
        escrow: t.escrow.as_ref().map(|e| RawEscrow {
            agent: e.agent.clone(),
            deposit_frequency: s(e.deposit_frequency.as_str()),
            release_conditions: e.release_conditions.clone(),
            last_verified_deposit: d(e.last_verified_deposit),
        }),
        audit: t.audit.as_ref().map(|a| RawAudit {
            clause: a.clause.clone(),
            last_audit: d(a.last_audit),
            next_due: d(a.next_due),
            findings: a.findings.clone(),
        }),
        environment: t.environment.as_ref().map(|e| RawEnvironment {
            checklist: e.checklist.clone(),
            last_attestation: d(e.last_attestation),
            signing_keys: e
                .signing_keys
                .iter()
                .map(|k| Spanned::new(0..0, k.clone()))
                .collect(),
            commit_domains: e
                .commit_domains
                .iter()
                .map(|k| Spanned::new(0..0, k.clone()))
                .collect(),
            provenance_keys: e
                .provenance_keys
                .iter()
                .map(|k| Spanned::new(0..0, k.clone()))
                .collect(),
        }),
        legislation: t.legislation.as_ref().map(|l| RawLegislation {
            laws: l.laws.clone(),
            dpa_signed: l.dpa_signed,
            personal_data_categories: l.personal_data_categories.clone(),
        }),
    };
    let body = toml::to_string_pretty(&raw).expect("engagement types always serialise to TOML");
    format!(
        "# Engagement `{}`, written by Oversight. Edit and apply with `oversight engagement apply FILE`.\n{body}",
        engagement.id
    )
}

/// The canonical TOML text of `supplier`.
pub fn render_supplier(supplier: &Supplier) -> String {
    let raw = RawSupplier {
        id: s(supplier.id.as_str()),
        name: supplier.name.clone(),
        contacts: supplier
            .contacts
            .iter()
            .map(|c| RawContact {
                name: c.name.clone(),
                email: c.email.clone(),
                role: c.role.clone(),
            })
            .collect(),
        sub_suppliers: supplier
            .sub_suppliers
            .iter()
            .map(|x| RawSubSupplier {
                name: x.name.clone(),
                service: x.service.clone(),
                country: x.country.clone(),
            })
            .collect(),
    };
    toml::to_string_pretty(&raw).expect("supplier types always serialise to TOML")
}

// ---------------------------------------------------------------------------
// JSON for ledger payloads, and differences between two versions.

/// The JSON form of a TOML document (dates become `YYYY-MM-DD` strings), for
/// ledger payloads.
pub fn toml_to_json(text: &str) -> serde_json::Value {
    let table: toml::Table = toml::from_str(text).expect("rendered TOML parses");
    value_to_json(&toml::Value::Table(table))
}

fn value_to_json(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => J::from(*f),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(dt) => J::String(dt.to_string()),
        toml::Value::Array(items) => J::Array(items.iter().map(value_to_json).collect()),
        toml::Value::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), value_to_json(v)))
                .collect(),
        ),
    }
}

/// One field that differs between two versions of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// Dotted path, e.g. `escrow.agent` or `security.requirements`.
    pub field: String,
    /// The value before, as JSON text; `None` if the field was absent.
    pub before: Option<String>,
    /// The value after, as JSON text; `None` if the field was removed.
    pub after: Option<String>,
}

/// The fields that differ between two rendered documents, in path order.
/// Tables are compared key by key; arrays are compared whole.
pub fn diff(before: &str, after: &str) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    diff_json(
        &toml_to_json(before),
        &toml_to_json(after),
        "",
        &mut changes,
    );
    changes
}

fn diff_json(a: &serde_json::Value, b: &serde_json::Value, path: &str, out: &mut Vec<FieldChange>) {
    use serde_json::Value as J;
    if let (J::Object(x), J::Object(y)) = (a, b) {
        let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
        for key in keys {
            let sub = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match (x.get(key), y.get(key)) {
                (Some(p), Some(q)) => diff_json(p, q, &sub, out),
                (p, q) => out.push(FieldChange {
                    field: sub,
                    before: p.map(oversight_ledger::canonical::to_string),
                    after: q.map(oversight_ledger::canonical::to_string),
                }),
            }
        }
    } else if a != b {
        out.push(FieldChange {
            field: path.to_owned(),
            before: Some(oversight_ledger::canonical::to_string(a)),
            after: Some(oversight_ledger::canonical::to_string(b)),
        });
    }
}
