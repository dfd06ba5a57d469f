//! OSV records (JSON or YAML) converted to the internal model.
//!
//! The wire types are lenient where real databases are: `null` for empty
//! lists, numbers where strings are expected, unknown fields. What the
//! schema requires and matching needs (an `id`, a package name and
//! ecosystem) is an error.

use std::str::FromStr;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::model::{Advisory, AdvisorySeverity, Affected, Event, Range, RangeKind, Rating};

/// Accepts a list, `null` or a missing field.
fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Accepts a string or a number (unquoted YAML versions such as `2`).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(other) => Some(other.to_string()),
    })
}

fn text_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let values: Vec<Value> = list(d)?;
    Ok(values
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect())
}

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default, deserialize_with = "text_list")]
    aliases: Vec<String>,
    #[serde(default, deserialize_with = "text")]
    summary: Option<String>,
    #[serde(default, deserialize_with = "text")]
    details: Option<String>,
    #[serde(default, deserialize_with = "text")]
    withdrawn: Option<String>,
    #[serde(default, deserialize_with = "text")]
    modified: Option<String>,
    #[serde(default, deserialize_with = "list")]
    severity: Vec<Severity>,
    #[serde(default, deserialize_with = "list")]
    affected: Vec<WireAffected>,
    #[serde(default, deserialize_with = "list")]
    references: Vec<Reference>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct Severity {
    #[serde(rename = "type", default, deserialize_with = "text")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "text")]
    score: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "type", default, deserialize_with = "text")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "text")]
    url: Option<String>,
}

#[derive(Deserialize)]
struct Package {
    #[serde(default, deserialize_with = "text")]
    ecosystem: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
}

#[derive(Deserialize)]
struct WireAffected {
    #[serde(default)]
    package: Option<Package>,
    #[serde(default, deserialize_with = "list")]
    severity: Vec<Severity>,
    #[serde(default, deserialize_with = "list")]
    ranges: Vec<WireRange>,
    #[serde(default, deserialize_with = "text_list")]
    versions: Vec<String>,
    #[serde(default)]
    ecosystem_specific: Option<Value>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct WireRange {
    #[serde(rename = "type", default, deserialize_with = "text")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "list")]
    events: Vec<WireEvent>,
}

#[derive(Deserialize)]
struct WireEvent {
    #[serde(default, deserialize_with = "text")]
    introduced: Option<String>,
    #[serde(default, deserialize_with = "text")]
    fixed: Option<String>,
    #[serde(default, deserialize_with = "text")]
    last_affected: Option<String>,
    #[serde(default, deserialize_with = "text")]
    limit: Option<String>,
}

/// Why a record could not be converted.
pub(crate) type Reason = String;

/// Parses an OSV JSON record.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Advisory, Reason> {
    let record: Record =
        serde_json::from_slice(bytes).map_err(|e| format!("Invalid OSV JSON: {e}"))?;
    convert(record)
}

/// Parses an OSV YAML record.
pub(crate) fn parse_yaml(bytes: &[u8]) -> Result<Advisory, Reason> {
    let record: Record =
        serde_yaml_ng::from_slice(bytes).map_err(|e| format!("Invalid OSV YAML: {e}"))?;
    convert(record)
}

fn str_field<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a str> {
    v?.get(key)?.as_str()
}

/// The highest base score among the parseable CVSS v3/v4 vectors.
pub(crate) fn rate_vectors<'a>(vectors: impl IntoIterator<Item = &'a str>) -> Option<Rating> {
    let mut best: Option<Rating> = None;
    for vector in vectors {
        let Ok(cvss) = cvss::Cvss::from_str(vector.trim()) else {
            continue;
        };
        let score = cvss.score();
        if best
            .as_ref()
            .is_none_or(|b| b.score.is_some_and(|s| score > s))
        {
            best = Some(Rating {
                level: AdvisorySeverity::from_score(score),
                score: Some(score),
                vector: Some(vector.trim().to_owned()),
            });
        }
    }
    best
}

fn convert(record: Record) -> Result<Advisory, Reason> {
    if record.id.trim().is_empty() {
        return Err("The record has an empty `id`".into());
    }
    let mut vectors: Vec<&str> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let mut informational: Option<String> = None;
    for s in &record.severity {
        if s.kind
            .as_deref()
            .is_some_and(|k| k.starts_with("CVSS_V3") || k.starts_with("CVSS_V4"))
            && let Some(score) = &s.score
        {
            vectors.push(score);
        }
    }
    if let Some(w) = str_field(record.database_specific.as_ref(), "severity") {
        words.push(w);
    }
    let mut affected = Vec::new();
    for (i, a) in record.affected.iter().enumerate() {
        let package = a
            .package
            .as_ref()
            .ok_or_else(|| format!("affected[{i}] has no `package`"))?;
        let ecosystem = package
            .ecosystem
            .clone()
            .ok_or_else(|| format!("affected[{i}] has no package ecosystem"))?;
        let name = package
            .name
            .clone()
            .ok_or_else(|| format!("affected[{i}] has no package name"))?;
        for s in &a.severity {
            if s.kind
                .as_deref()
                .is_some_and(|k| k.starts_with("CVSS_V3") || k.starts_with("CVSS_V4"))
                && let Some(score) = &s.score
            {
                vectors.push(score);
            }
        }
        let db = a.database_specific.as_ref();
        if let Some(v) = str_field(db, "cvss") {
            vectors.push(v);
        }
        if let Some(w) = str_field(db, "severity") {
            words.push(w);
        }
        if let Some(kind) = str_field(db, "informational") {
            informational = Some(kind.to_owned());
        }
        let functions = a
            .ecosystem_specific
            .as_ref()
            .and_then(|e| e.get("affects"))
            .and_then(|e| e.get("functions"))
            .and_then(Value::as_array)
            .map(|f| {
                f.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let ranges = a
            .ranges
            .iter()
            .map(|r| Range {
                kind: match r.kind.as_deref() {
                    Some("SEMVER") => RangeKind::Semver,
                    Some("ECOSYSTEM") => RangeKind::Ecosystem,
                    Some("GIT") => RangeKind::Git,
                    other => RangeKind::Other(other.unwrap_or("").to_owned()),
                },
                events: r
                    .events
                    .iter()
                    .flat_map(|e| {
                        [
                            e.introduced.clone().map(Event::Introduced),
                            e.fixed.clone().map(Event::Fixed),
                            e.last_affected.clone().map(Event::LastAffected),
                            e.limit.clone().map(Event::Limit),
                        ]
                    })
                    .flatten()
                    .collect(),
            })
            .collect();
        affected.push(Affected {
            ecosystem,
            name,
            ranges,
            versions: a.versions.clone(),
            requirements: None,
            functions,
        });
    }
    let rating = rate_vectors(vectors.iter().copied())
        .or_else(|| {
            words
                .iter()
                .find_map(|w| AdvisorySeverity::from_word(w))
                .map(|level| Rating {
                    level,
                    score: None,
                    vector: None,
                })
        })
        .unwrap_or(Rating {
            level: AdvisorySeverity::Unknown,
            score: None,
            vector: None,
        });
    let rating = if informational.is_some() && rating.score.is_none() {
        Rating {
            level: AdvisorySeverity::Informational,
            ..rating
        }
    } else {
        rating
    };
    let url = record
        .references
        .iter()
        .find(|r| r.kind.as_deref() == Some("ADVISORY"))
        .or_else(|| record.references.first())
        .and_then(|r| r.url.clone());
    let summary = record
        .summary
        .filter(|s| !s.trim().is_empty())
        .or_else(|| record.details.as_deref().map(first_sentence))
        .unwrap_or_default();
    Ok(Advisory {
        id: record.id,
        aliases: record.aliases,
        summary,
        withdrawn: record.withdrawn.is_some_and(|w| !w.trim().is_empty()),
        informational,
        rating,
        url,
        affected,
        modified: record.modified,
    })
}

/// A one-line summary from `details` when `summary` is absent (PyPA
/// records have only `details`).
fn first_sentence(details: &str) -> String {
    let line = details
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let cut = line.find(". ").map_or(line.len(), |i| i + 1);
    let mut s: String = line[..cut].chars().take(200).collect();
    if s.len() < line[..cut].len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_numbers_and_nulls_are_accepted() {
        let yaml = b"id: X-1\naliases: null\naffected:\n- package: {ecosystem: PyPI, name: foo}\n  versions: [2, '1.0']\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: '1.1'\n";
        let adv = parse_yaml(yaml).unwrap();
        assert_eq!(adv.affected[0].versions, ["2", "1.0"]);
        assert_eq!(
            adv.affected[0].ranges[0].events,
            [Event::Introduced("0".into()), Event::Fixed("1.1".into())]
        );
        assert_eq!(adv.rating.level, AdvisorySeverity::Unknown);
    }

    #[test]
    fn missing_package_is_an_error() {
        let err = parse_json(br#"{"id":"X-1","affected":[{"ranges":[]}]}"#).unwrap_err();
        assert!(err.contains("package"), "{err}");
        assert!(parse_json(b"{not json").is_err());
    }

    #[test]
    fn severity_prefers_cvss_over_words() {
        let json = br#"{"id":"GHSA-x","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "database_specific":{"severity":"LOW"},"affected":[{"package":{"ecosystem":"npm","name":"a"}}]}"#;
        let adv = parse_json(json).unwrap();
        assert_eq!(adv.rating.level, AdvisorySeverity::Critical);
        assert_eq!(adv.rating.score, Some(9.8));
        let json = br#"{"id":"GHSA-y","database_specific":{"severity":"MODERATE"},"affected":[{"package":{"ecosystem":"npm","name":"a"}}]}"#;
        assert_eq!(
            parse_json(json).unwrap().rating.level,
            AdvisorySeverity::Medium
        );
        let json = br#"{"id":"X","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}],"affected":[]}"#;
        let adv = parse_json(json).unwrap();
        assert_eq!(
            adv.rating.level,
            AdvisorySeverity::Critical,
            "{:?}",
            adv.rating
        );
    }
}
