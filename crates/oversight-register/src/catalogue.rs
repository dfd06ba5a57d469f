//! The requirement catalogue: concrete requirements for outsourced
//! development, each serving one A.8.30 factor and mapped to NIST SSDF
//! (SP 800-218) task ids.
//!
//! The built-in catalogue (`catalogue/requirements.toml`) is written by this
//! project. Organisations add their own files with [`Catalogue::load_file`];
//! an id may be defined only once across all files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::engagement::{Factor, VerificationMethod};
use crate::format::{FormatError, Problem};

/// The catalogue shipped with Oversight.
pub const BUILTIN: &str = include_str!("../catalogue/requirements.toml");

/// One requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Stable id, e.g. `OSD-SEC-01`.
    pub id: String,
    /// Short title.
    pub title: String,
    /// What the supplier must do.
    pub text: String,
    /// The A.8.30 factor it serves.
    pub factor: Factor,
    /// NIST SSDF task ids it supports, e.g. `PW.4.1`.
    pub ssdf: Vec<String>,
    /// How it is verified unless an engagement says otherwise.
    pub verification: VerificationMethod,
    /// The file it came from.
    pub source: String,
}

/// Requirements by id.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    requirements: BTreeMap<String, Requirement>,
}

/// Why a catalogue file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The file cannot be read.
    #[error("Cannot read requirement catalogue {path}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid catalogue.
    #[error(transparent)]
    Invalid(#[from] FormatError),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    #[serde(default)]
    requirement: Vec<RawRequirement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    id: toml::Spanned<String>,
    title: String,
    text: String,
    factor: toml::Spanned<String>,
    #[serde(default)]
    ssdf: Vec<String>,
    verification: toml::Spanned<String>,
}

impl Catalogue {
    /// The built-in catalogue.
    pub fn builtin() -> Catalogue {
        let mut catalogue = Catalogue::default();
        catalogue
            .add_text(BUILTIN, "built-in catalogue")
            .expect("the built-in catalogue is valid (tested)");
        catalogue
    }

    /// Adds the requirements of the catalogue file at `path`.
    pub fn load_file(&mut self, path: &Path) -> Result<(), CatalogueError> {
        let text = fs_err::read_to_string(path).map_err(|source| CatalogueError::Read {
            path: path.display().to_string(),
            source,
        })?;
        self.add_text(&text, &path.display().to_string())?;
        Ok(())
    }

    /// Adds the requirements in `text`; `origin` names it in errors. Nothing
    /// is added if any requirement is invalid.
    pub fn add_text(&mut self, text: &str, origin: &str) -> Result<(), FormatError> {
        let line =
            |span: std::ops::Range<usize>| Some(text[..span.start].matches('\n').count() + 1);
        let invalid = |problems| FormatError {
            origin: origin.to_owned(),
            what: "requirement catalogue",
            problems,
        };
        let raw: RawCatalogue = toml::from_str(text).map_err(|e| {
            invalid(vec![Problem {
                line: e.span().and_then(line),
                key: String::new(),
                message: e.message().trim().to_owned(),
            }])
        })?;
        let mut problems = Vec::new();
        let mut added = BTreeMap::new();
        for r in raw.requirement {
            let id = r.id.get_ref().clone();
            let mut problem = |span: std::ops::Range<usize>, key: &str, message: String| {
                problems.push(Problem {
                    line: line(span),
                    key: key.to_owned(),
                    message,
                });
            };
            if id.trim().is_empty()
                || self.requirements.contains_key(&id)
                || added.contains_key(&id)
            {
                problem(
                    r.id.span(),
                    "requirement.id",
                    format!("`{id}` is empty or defined twice"),
                );
                continue;
            }
            let factor = r.factor.get_ref().parse::<Factor>();
            let verification = r.verification.get_ref().parse::<VerificationMethod>();
            match (factor, verification) {
                (Ok(factor), Ok(verification)) => {
                    added.insert(
                        id.clone(),
                        Requirement {
                            id,
                            title: r.title,
                            text: r.text,
                            factor,
                            ssdf: r.ssdf,
                            verification,
                            source: origin.to_owned(),
                        },
                    );
                }
                (factor, verification) => {
                    if let Err(e) = factor {
                        problem(r.factor.span(), "requirement.factor", e.to_string());
                    }
                    if let Err(e) = verification {
                        problem(
                            r.verification.span(),
                            "requirement.verification",
                            e.to_string(),
                        );
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        self.requirements.extend(added);
        Ok(())
    }

    /// The requirement `id`.
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.get(id)
    }

    /// Every requirement, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements.values()
    }

    /// How many requirements there are.
    pub fn len(&self) -> usize {
        self.requirements.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_covers_every_factor() {
        let catalogue = Catalogue::builtin();
        assert!((30..=60).contains(&catalogue.len()), "{}", catalogue.len());
        for factor in Factor::ALL {
            assert!(
                catalogue.iter().any(|r| r.factor == *factor),
                "no requirement for {factor}"
            );
        }
        for r in catalogue.iter() {
            assert!(!r.ssdf.is_empty(), "{} cites no SSDF task", r.id);
            assert!(r.text.len() > 40, "{} has no real text", r.id);
        }
    }

    #[test]
    fn user_catalogue_errors_name_line_and_key() {
        let mut catalogue = Catalogue::builtin();
        let text = "[[requirement]]\nid = \"ORG-01\"\ntitle = \"t\"\ntext = \"x\"\nfactor = \"nope\"\nverification = \"automated-check\"\n";
        let err = catalogue
            .add_text(text, "org.toml")
            .expect_err("bad factor");
        assert!(
            err.to_string()
                .contains("line 5: `requirement.factor`: Unknown A.8.30 factor `nope`"),
            "{err}"
        );
        let dup = "[[requirement]]\nid = \"OSD-LIC-01\"\ntitle = \"t\"\ntext = \"x\"\nfactor = \"escrow\"\nverification = \"automated-check\"\n";
        assert!(catalogue.add_text(dup, "org.toml").is_err());
        let unknown = "[[requirement]]\nid = \"ORG-01\"\ncolour = 1\n";
        let err = catalogue
            .add_text(unknown, "org.toml")
            .expect_err("unknown key");
        assert!(err.to_string().contains("line 3"), "{err}");
    }
}
