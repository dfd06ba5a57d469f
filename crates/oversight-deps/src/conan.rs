//! `conan.lock`: Conan 1 graph locks (versions 0.1 to 0.4, `graph_lock.nodes`
//! with `ref` or `pref`) and Conan 2 locks (version 0.5, flat `requires`,
//! `build_requires`, `python_requires` lists).
//!
//! In a graph lock the node with a `path` (or without a reference) is the
//! consumer, the project itself: what it requires is direct, what it
//! build-requires is a development dependency. References are
//! `name/version[@user/channel][#revision][:package_id[#prev]]`.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use oversight_model::{DependencyScope, Directness};
use serde::Deserialize;
use serde_json::Value;

use crate::collect::{Entry, Out, dep_key};
use crate::lines;

#[derive(Deserialize)]
struct Lock {
    version: Option<String>,
    graph_lock: Option<GraphLock>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    build_requires: Vec<String>,
    #[serde(default)]
    python_requires: Vec<String>,
}

#[derive(Deserialize)]
struct GraphLock {
    #[serde(default)]
    nodes: BTreeMap<String, Node>,
}

#[derive(Deserialize)]
struct Node {
    #[serde(rename = "ref")]
    reference: Option<String>,
    pref: Option<String>,
    path: Option<String>,
    requires: Option<Value>,
    build_requires: Option<Value>,
    context: Option<String>,
}

/// Node ids a `requires` value names: a list of ids (0.2+) or a map of
/// reference to id (0.1 and earlier).
fn ids(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        Some(Value::Object(o)) => o
            .values()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

struct Reference {
    name: String,
    version: String,
    user: Option<String>,
    channel: Option<String>,
    revision: Option<String>,
}

fn parse_ref(r: &str) -> Option<Reference> {
    let r = r.split(':').next().unwrap_or(r);
    let (r, revision) = match r.split_once('#') {
        Some((r, rev)) => (r, Some(rev.split('%').next().unwrap_or(rev).to_owned())),
        None => (r, None),
    };
    let (nv, uc) = match r.split_once('@') {
        Some((nv, uc)) => (nv, Some(uc)),
        None => (r, None),
    };
    let (name, version) = nv.split_once('/')?;
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let (user, channel) = match uc.and_then(|uc| uc.split_once('/')) {
        Some((u, c)) => (Some(u.to_owned()), Some(c.to_owned())),
        None => (uc.map(str::to_owned), None),
    };
    Some(Reference {
        name: name.to_owned(),
        version: version.to_owned(),
        user,
        channel,
        revision,
    })
}

fn entry_of(r: &Reference) -> Entry {
    let mut e = Entry::new(&r.name, &r.version);
    for (k, v) in [
        ("user", &r.user),
        ("channel", &r.channel),
        ("rrev", &r.revision),
    ] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty() && *v != "_") {
            e.qualifiers.push((k, v.clone()));
        }
    }
    e
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let lock: Lock = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.malformed(Some(e.line() as u32), lines::first_line(&e.to_string()));
            return;
        }
    };
    let version = lock.version.clone().unwrap_or_default();
    if !matches!(version.as_str(), "0.1" | "0.2" | "0.3" | "0.4" | "0.5" | "") {
        out.unknown_version(version.clone());
    }
    if let Some(graph) = &lock.graph_lock {
        parse_graph(graph, out);
        return;
    }
    let lists = [
        (&lock.requires, DependencyScope::Runtime),
        (&lock.build_requires, DependencyScope::Development),
        (&lock.python_requires, DependencyScope::Development),
    ];
    for (list, scope) in lists {
        for r in list {
            match parse_ref(r) {
                Some(reference) => out.add(entry_of(&reference).scope(scope)),
                None => out.bad_entry(None, r.clone(), "not a `name/version` reference"),
            }
        }
    }
}

fn parse_graph(graph: &GraphLock, out: &mut Out) {
    let reference = |n: &Node| n.reference.clone().or_else(|| n.pref.clone());
    // The consumer: a node with a path, or without a reference.
    let roots: Vec<&String> = graph
        .nodes
        .iter()
        .filter(|(_, n)| n.path.is_some() || reference(n).is_none())
        .map(|(id, _)| id)
        .collect();
    let root_set: HashSet<&String> = roots.iter().copied().collect();
    let mut direct = HashSet::new();
    let mut scope: HashMap<String, DependencyScope> = HashMap::new();
    for (s, build) in [
        (DependencyScope::Runtime, false),
        (DependencyScope::Development, true),
    ] {
        let mut queue: VecDeque<String> = VecDeque::new();
        for r in &roots {
            let node = &graph.nodes[*r];
            let first = if build {
                &node.build_requires
            } else {
                &node.requires
            };
            for id in ids(first.as_ref()) {
                direct.insert(id.clone());
                queue.push_back(id);
            }
        }
        while let Some(id) = queue.pop_front() {
            if scope.contains_key(&id) {
                continue;
            }
            if let Some(n) = graph.nodes.get(&id) {
                queue.extend(ids(n.requires.as_ref()));
                queue.extend(ids(n.build_requires.as_ref()));
            }
            scope.insert(id, s);
        }
    }
    let key_of = |id: &str| {
        graph
            .nodes
            .get(id)
            .and_then(reference)
            .and_then(|r| parse_ref(&r))
            .map(|r| dep_key(&r.name, &r.version))
    };
    for (id, n) in &graph.nodes {
        if root_set.contains(id) {
            continue;
        }
        let Some(raw) = reference(n) else { continue };
        let Some(r) = parse_ref(&raw) else {
            out.bad_entry(None, raw, "not a `name/version` reference");
            continue;
        };
        let node_scope = if n.context.as_deref() == Some("build") {
            DependencyScope::Development
        } else {
            scope.get(id).copied().unwrap_or(DependencyScope::Unknown)
        };
        let depends_on = ids(n.requires.as_ref())
            .iter()
            .chain(&ids(n.build_requires.as_ref()))
            .filter_map(|d| key_of(d))
            .collect();
        out.add(
            entry_of(&r)
                .directness(if roots.is_empty() {
                    Directness::Unknown
                } else if direct.contains(id) {
                    Directness::Direct
                } else {
                    Directness::Transitive
                })
                .scope(node_scope)
                .depends_on(depends_on),
        );
    }
}
