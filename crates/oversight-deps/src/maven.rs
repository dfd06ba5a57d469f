//! `pom.xml`: the dependencies a Maven project declares, with the versions
//! the pom itself can resolve.
//!
//! `${property}` references are substituted from `<properties>` and the
//! built-in project properties (`project.version`, `project.groupId`, …,
//! falling back to the parent's). A dependency without a version takes the
//! one of `<dependencyManagement>` in the same pom. What the pom cannot
//! resolve (a property defined in a parent pom, a version managed by a BOM)
//! is listed with an empty version and a finding: parent poms and
//! repositories are never fetched. Entries of `<dependencyManagement>` are
//! components too (they pin what a build gets), of unknown directness.
//! Plugins and their dependencies are build tools and are not read.
//!
//! A pom inside a jar (`META-INF/maven/<group>/<artifact>/pom.xml`) describes
//! the jar itself: the project becomes a component too, with the licences of
//! `<licenses>` (several are alternatives, as Maven documents; names and URLs
//! are mapped to SPDX identifiers where unambiguous).

use std::collections::HashMap;

use oversight_model::{DependencyScope, Directness};
use roxmltree::{Document, Node, ParsingOptions};

use crate::Problem;
use crate::collect::{Entry, Out};

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

struct Props {
    map: HashMap<String, String>,
}

impl Props {
    /// Substitutes `${…}`; the result and the first unresolved property.
    fn resolve(&self, s: &str) -> (String, Option<String>) {
        let mut unresolved = None;
        let out = self.expand(s, 0, &mut unresolved);
        (out, unresolved)
    }

    fn expand(&self, s: &str, depth: usize, unresolved: &mut Option<String>) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = &after[..end];
            match self.map.get(name) {
                Some(v) if depth < 10 => out.push_str(&self.expand(v, depth + 1, unresolved)),
                _ => {
                    if unresolved.is_none() {
                        *unresolved = Some(name.to_owned());
                    }
                    out.push_str(&rest[start..start + 2 + end + 1]);
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

struct Dep {
    line: u32,
    group: String,
    artifact: String,
    version: Option<String>,
    scope: Option<String>,
    optional: bool,
    kind: Option<String>,
    classifier: Option<String>,
    managed: bool,
}

fn read_deps(doc: &Document<'_>, list: Option<Node<'_, '_>>, managed: bool, into: &mut Vec<Dep>) {
    let Some(list) = list else { return };
    for d in children(list, "dependency") {
        into.push(Dep {
            line: doc.text_pos_at(d.range().start).row,
            group: text_of(d, "groupId").unwrap_or_default(),
            artifact: text_of(d, "artifactId").unwrap_or_default(),
            version: text_of(d, "version"),
            scope: text_of(d, "scope"),
            optional: text_of(d, "optional").as_deref() == Some("true"),
            kind: text_of(d, "type"),
            classifier: text_of(d, "classifier"),
            managed,
        });
    }
}

/// The jar's own artefact, from the pom embedded in it.
fn embedded_project(doc: &Document<'_>, project: Node<'_, '_>, props: &Props, out: &mut Out) {
    let group = props
        .map
        .get("project.groupId")
        .cloned()
        .unwrap_or_default();
    let artifact = props
        .map
        .get("project.artifactId")
        .cloned()
        .unwrap_or_default();
    if group.is_empty() || artifact.is_empty() {
        return;
    }
    let version = props
        .map
        .get("project.version")
        .map(|v| props.resolve(v).0)
        .filter(|v| !v.contains("${"))
        .unwrap_or_default();
    let licenses: Vec<String> = child(project, "licenses")
        .map(|list| {
            children(list, "license")
                .filter_map(|l| {
                    let name = text_of(l, "name");
                    let url = text_of(l, "url");
                    // The name when it maps, else the URL when it maps, else
                    // the name as written (reported as unknown).
                    let mapped = |v: &Option<String>| {
                        v.as_deref()
                            .map(oversight_licenses::declared::normalise)
                            .filter(|n| {
                                matches!(
                                    oversight_licenses::declared::classify(n),
                                    oversight_licenses::declared::Declared::Expression(..)
                                )
                            })
                    };
                    mapped(&name).or_else(|| mapped(&url)).or(name).or(url)
                })
                .collect()
        })
        .unwrap_or_default();
    let license = match licenses.len() {
        0 => None,
        1 => licenses.into_iter().next(),
        _ => Some(
            licenses
                .iter()
                .map(|l| {
                    if l.contains(' ') {
                        format!("({l})")
                    } else {
                        l.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
    };
    let line = child(project, "artifactId").map(|n| doc.text_pos_at(n.range().start).row);
    out.add(
        Entry::new(format!("{group}:{artifact}"), version)
            .line(line)
            .license(license),
    );
}

pub(crate) fn parse(text: &str, out: &mut Out) {
    let options = ParsingOptions {
        allow_dtd: true,
        // Bounds entity expansion: no more nodes than a pom of this size
        // could plausibly hold.
        nodes_limit: u32::try_from(text.len().saturating_mul(2).saturating_add(1024))
            .unwrap_or(u32::MAX),
        // External entities are never resolved: nothing is read or fetched.
        entity_resolver: None,
    };
    let doc = match Document::parse_with_options(text, options) {
        Ok(d) => d,
        Err(e) => {
            out.malformed(Some(e.pos().row), e.to_string());
            return;
        }
    };
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        out.malformed(
            Some(doc.text_pos_at(project.range().start).row),
            format!(
                "The root element is `<{}>`, not `<project>`",
                project.tag_name().name()
            ),
        );
        return;
    }
    let parent = child(project, "parent");
    let mut map = HashMap::new();
    if let Some(props) = child(project, "properties") {
        for p in props.children().filter(Node::is_element) {
            map.insert(
                p.tag_name().name().to_owned(),
                p.text().unwrap_or("").trim().to_owned(),
            );
        }
    }
    let own_or_parent =
        |name: &str| text_of(project, name).or_else(|| parent.and_then(|p| text_of(p, name)));
    for (key, value) in [
        ("version", own_or_parent("version")),
        ("groupId", own_or_parent("groupId")),
        ("artifactId", text_of(project, "artifactId")),
    ] {
        if let Some(v) = value {
            map.insert(format!("project.{key}"), v.clone());
            map.insert(format!("pom.{key}"), v);
        }
    }
    if let Some(p) = parent {
        for key in ["version", "groupId", "artifactId"] {
            if let Some(v) = text_of(p, key) {
                map.insert(format!("project.parent.{key}"), v.clone());
                map.insert(format!("parent.{key}"), v);
            }
        }
    }
    let props = Props { map };
    if out.source.innermost().contains("META-INF/maven/") {
        embedded_project(&doc, project, &props, out);
    }

    let mut deps = Vec::new();
    read_deps(&doc, child(project, "dependencies"), false, &mut deps);
    read_deps(
        &doc,
        child(project, "dependencyManagement").and_then(|m| child(m, "dependencies")),
        true,
        &mut deps,
    );
    if let Some(profiles) = child(project, "profiles") {
        for profile in children(profiles, "profile") {
            read_deps(&doc, child(profile, "dependencies"), false, &mut deps);
            read_deps(
                &doc,
                child(profile, "dependencyManagement").and_then(|m| child(m, "dependencies")),
                true,
                &mut deps,
            );
        }
    }

    // Versions that dependencyManagement fixes, by group:artifact.
    let mut managed: HashMap<String, String> = HashMap::new();
    for d in deps.iter().filter(|d| d.managed) {
        if let Some(v) = &d.version {
            let (g, _) = props.resolve(&d.group);
            let (a, _) = props.resolve(&d.artifact);
            managed
                .entry(format!("{g}:{a}"))
                .or_insert_with(|| v.clone());
        }
    }

    for d in &deps {
        if d.group.is_empty() || d.artifact.is_empty() {
            out.bad_entry(
                Some(d.line),
                format!("{}:{}", d.group, d.artifact),
                "a dependency needs a groupId and an artifactId",
            );
            continue;
        }
        let (group, g_unresolved) = props.resolve(&d.group);
        let (artifact, a_unresolved) = props.resolve(&d.artifact);
        let name = format!("{group}:{artifact}");
        if let Some(property) = g_unresolved.or(a_unresolved) {
            out.problem(Problem::UnresolvedProperty {
                file: out.file.clone(),
                line: Some(d.line),
                name: name.clone(),
                property,
            });
        }
        let declared = d.version.clone().or_else(|| managed.get(&name).cloned());
        let version = match declared {
            None => {
                out.unversioned(
                    Some(d.line),
                    &name,
                    "no version in this pom (managed by a parent pom or an imported BOM)",
                );
                String::new()
            }
            Some(raw) => match props.resolve(&raw) {
                (_, Some(property)) => {
                    out.problem(Problem::UnresolvedProperty {
                        file: out.file.clone(),
                        line: Some(d.line),
                        name: name.clone(),
                        property,
                    });
                    String::new()
                }
                (v, None) if v.starts_with(['[', '(']) || v.contains(',') => {
                    out.unversioned(Some(d.line), &name, format!("version range `{v}`"));
                    String::new()
                }
                (v, None) => v,
            },
        };
        let scope = match (d.optional, d.scope.as_deref()) {
            (_, Some("test")) => DependencyScope::Development,
            (true, _) => DependencyScope::Optional,
            (_, Some("import")) => DependencyScope::Unknown,
            _ if d.managed => DependencyScope::Unknown,
            _ => DependencyScope::Runtime,
        };
        let mut entry = Entry::new(name, version)
            .directness(if d.managed {
                Directness::Unknown
            } else {
                Directness::Direct
            })
            .scope(scope)
            .line(Some(d.line));
        if let Some(c) = &d.classifier {
            entry.qualifiers.push(("classifier", props.resolve(c).0));
        }
        if let Some(t) = d.kind.as_deref().filter(|t| *t != "jar") {
            entry.qualifiers.push(("type", props.resolve(t).0));
        }
        out.add(entry);
    }
}
