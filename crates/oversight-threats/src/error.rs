//! Why a threat model was refused: the file and every problem found in it.

/// A threat model that cannot be imported, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Threat model {file} cannot be imported: {}", join(.problems))]
pub struct ThreatModelError {
    /// The file, as the caller named it.
    pub file: String,
    /// What is wrong, at least one.
    pub problems: Vec<Problem>,
}

impl ThreatModelError {
    /// An error of one problem.
    pub fn one(file: &str, problem: Problem) -> ThreatModelError {
        ThreatModelError {
            file: file.to_owned(),
            problems: vec![problem],
        }
    }
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// One problem of a threat model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Neither JSON nor YAML.
    #[error("not JSON or YAML: {0}")]
    Syntax(String),
    /// JSON or YAML, but none of the formats Oversight reads.
    #[error(
        "not a threat model Oversight reads (expected Threat Dragon v2 JSON with `summary` and `detail`, OTM with `otmVersion`, or Threagile YAML with `threagile_version`)"
    )]
    UnknownFormat,
    /// A format version Oversight does not read.
    #[error("{0}")]
    UnsupportedVersion(String),
    /// The document does not have the format's shape.
    #[error("at `{path}`: {message}")]
    Schema {
        /// Where, as a path into the document (`detail.diagrams[0]…`).
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// Two things of one kind share an id.
    #[error("duplicate {kind} id `{id}`")]
    DuplicateId {
        /// `element`, `threat`, `mitigation`, `requirement`…
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A reference to an id the model does not define.
    #[error("{from} names {kind} `{id}`, which the model does not define")]
    UnknownReference {
        /// What holds the reference (`data flow \`f1\` source`).
        from: String,
        /// The kind of thing named.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// Containment that loops, or a data flow from an element to itself.
    #[error("cycle: {0}")]
    Cycle(String),
    /// A verification tag that cannot be read.
    #[error("{from}: {message}")]
    Verification {
        /// The threat and mitigation.
        from: String,
        /// What is wrong.
        message: String,
    },
    /// A model with nothing to import.
    #[error("{0}")]
    Empty(String),
}
