//! OSCAL (1.0.6 JSON) documents of Oversight's assessment.
//!
//! Typed serde documents, never `json!`: [`assessment_plan`], [`assessment_results`]
//! (one result per review, its findings as observations and its
//! requirements as findings), [`poam`] (open findings, waivers with expiry)
//! and [`catalog`], which writes the requirement
//! catalogue as an OSCAL catalog (one group per A.8.30 factor, one control
//! per requirement, with its text, verification method, the NIST SSDF tasks
//! it supports and its ISO/IEC 27001:2022 control). Every object's UUID is a
//! version-5 UUID of a stable id ([`stable_uuid`]), so two exports of the
//! same register name the same objects with the same UUIDs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod assessment;
mod catalog;
mod common;

pub use assessment::{
    AssessmentPlanDocument, AssessmentResultsDocument, EngagementInput, FindingInput, PoamDocument,
    ReviewInput, WaiverInput, assessment_plan, assessment_results, poam,
};
pub use catalog::{Catalog, CatalogDocument, Control, Group, catalog};
pub use common::{Metadata, OSCAL_VERSION, Part, Property, stable_uuid};
