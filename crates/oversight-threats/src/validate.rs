//! Checks every format's model gets once normalised: ids unique, every
//! reference defined, no containment loop, no data flow from an element to
//! itself.
//!
//! A data flow graph with cycles is normal (a request and its response are
//! a cycle; Threat Dragon's own demo has them), so only a flow whose two
//! ends are the same element is refused, and cycles are looked for where
//! they are errors: an element (or trust zone) that ends up inside itself.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::Problem;
use crate::model::ThreatModel;

/// Every problem of `model`, in a stable order.
pub fn problems(model: &ThreatModel) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut elements = BTreeSet::new();
    for e in &model.elements {
        if !elements.insert(e.id.as_str()) {
            out.push(Problem::DuplicateId {
                kind: "element",
                id: e.id.clone(),
            });
        }
    }
    for e in &model.elements {
        if let Some(parent) = &e.parent
            && !elements.contains(parent.as_str())
        {
            out.push(Problem::UnknownReference {
                from: format!("element `{}` parent", e.id),
                kind: "element",
                id: parent.clone(),
            });
        }
    }
    out.extend(parent_cycles(model));
    for f in &model.flows {
        for (end, id) in [("source", &f.source), ("target", &f.target)] {
            if let Some(id) = id
                && !elements.contains(id.as_str())
            {
                out.push(Problem::UnknownReference {
                    from: format!("data flow `{}` {end}", f.id),
                    kind: "element",
                    id: id.clone(),
                });
            }
        }
        if let (Some(s), Some(t)) = (&f.source, &f.target)
            && s == t
        {
            out.push(Problem::Cycle(format!(
                "data flow `{}` goes from element `{s}` to itself",
                f.id
            )));
        }
    }
    let mut threats = BTreeSet::new();
    let mut requirements = BTreeMap::new();
    for t in &model.threats {
        if !threats.insert(t.id.as_str()) {
            out.push(Problem::DuplicateId {
                kind: "threat",
                id: t.id.clone(),
            });
        }
        if let Some(e) = &t.element
            && !elements.contains(e.as_str())
        {
            out.push(Problem::UnknownReference {
                from: format!("threat `{}`", t.id),
                kind: "element",
                id: e.clone(),
            });
        }
        let mut mitigations = BTreeSet::new();
        for m in &t.mitigations {
            if !mitigations.insert(m.id.as_str()) {
                out.push(Problem::DuplicateId {
                    kind: "mitigation",
                    id: format!("{} of threat {}", m.id, t.id),
                });
            }
            let requirement = m.requirement_id(t);
            if let Some(other) = requirements.insert(requirement.clone(), (&t.id, &m.id))
                && other != (&t.id, &m.id)
            {
                out.push(Problem::DuplicateId {
                    kind: "requirement",
                    id: requirement,
                });
            }
        }
    }
    out
}

/// Elements whose parent chain comes back to them, each loop named once.
fn parent_cycles(model: &ThreatModel) -> Vec<Problem> {
    let parent: BTreeMap<&str, &str> = model
        .elements
        .iter()
        .filter_map(|e| Some((e.id.as_str(), e.parent.as_deref()?)))
        .collect();
    let mut reported = BTreeSet::new();
    let mut out = Vec::new();
    for start in parent.keys() {
        let mut path = vec![*start];
        let mut at = *start;
        while let Some(next) = parent.get(at) {
            if let Some(pos) = path.iter().position(|p| p == next) {
                let mut cycle: Vec<&str> = path[pos..].to_vec();
                let min = cycle.iter().min().copied().unwrap_or_default();
                if reported.insert(min) {
                    cycle.push(next);
                    out.push(Problem::Cycle(format!(
                        "element `{min}` is inside itself: {}",
                        cycle.join(" in ")
                    )));
                }
                break;
            }
            path.push(next);
            at = next;
        }
    }
    out
}
