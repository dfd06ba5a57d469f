//! The evaluator: walks a syntax tree the way a reader does and records
//! what the code calls, with what, and which strings it builds.
//!
//! Values are abstract: a folded text (unknown pieces kept as a hole, so
//! `os.path.join(home, ".ssh")` is still `…/.ssh`), a canonical name for
//! references (`subprocess.Popen`, `child_process.exec`, after aliases and
//! imports), a constant list, and taint bits with the lines that
//! introduced them. Scopes are per function; a local function's return
//! value is remembered for its callers in the same file; callbacks and
//! blocks receive the taint of the call that invokes them. Nothing is ever
//! executed: decoders are applied to constants only, to read them.

use std::collections::HashMap;
use std::time::Instant;

use base64::Engine as _;
use tree_sitter::Node;

use crate::lang::Lang;
use crate::rules::{Apis, DECODED, OBFUSCATED, context};

mod powershell;

/// The character that stands for an unknown piece of a folded string.
pub(crate) const HOLE: char = '\u{FFFC}';

/// How long a folded text may grow.
const MAX_TEXT: usize = 64 * 1024;
/// How many elements a constant list keeps.
const MAX_LIST: usize = 8192;
/// How deep the evaluator recurses into the tree.
pub(crate) const MAX_DEPTH: usize = 200;
/// How many string facts one file records.
const MAX_STRINGS: usize = 50_000;
/// How many call facts one file records.
const MAX_CALLS: usize = 50_000;

/// How many lines of a flow one value remembers.
const MAX_ORIGINS: usize = 24;

/// An abstract value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Value {
    pub(crate) text: Option<String>,
    pub(crate) num: Option<i64>,
    pub(crate) name: Option<String>,
    pub(crate) list: Option<Vec<Value>>,
    pub(crate) taint: u32,
    /// Lines where the taint came in.
    pub(crate) origins: Vec<u32>,
    /// The return value of a local function this value names.
    ret: Option<Box<Value>>,
    /// The value is a module or global reference (its taint comes from its name).
    reference: bool,
    /// The line of the assignment that bound this value to a name.
    def_line: Option<u32>,
    /// The byte range of the local function this value names, to evaluate
    /// its body again with the arguments of a call.
    func: Option<(usize, usize)>,
}

impl Value {
    fn text(s: impl Into<String>) -> Value {
        Value {
            text: Some(s.into()),
            ..Value::default()
        }
    }

    fn named(name: impl Into<String>) -> Value {
        Value {
            name: Some(name.into()),
            reference: true,
            ..Value::default()
        }
    }

    fn absorb(&mut self, other: &Value) {
        self.taint |= other.taint;
        for o in &other.origins {
            if self.origins.len() < MAX_ORIGINS && !self.origins.contains(o) {
                self.origins.push(*o);
            }
        }
    }

    /// The text, with a hole when unknown.
    fn add_origin(&mut self, line: u32) {
        if self.origins.len() < MAX_ORIGINS && !self.origins.contains(&line) {
            self.origins.push(line);
        }
    }

    fn piece(&self) -> String {
        match (&self.text, self.num) {
            (Some(t), _) => t.clone(),
            (None, Some(n)) => n.to_string(),
            _ => HOLE.to_string(),
        }
    }

    /// The text an argument is matched by: its folded text, its number, or a
    /// constant list's pieces joined by spaces (`["sh", "-c", "…"]`).
    pub(crate) fn flat_text(&self) -> Option<String> {
        self.text
            .clone()
            .or_else(|| self.num.map(|n| n.to_string()))
            .or_else(|| {
                self.list.as_ref().map(|l| {
                    l.iter()
                        .map(|v| {
                            v.text
                                .clone()
                                .or_else(|| v.num.map(|n| n.to_string()))
                                .unwrap_or_else(|| HOLE.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            })
    }

    fn exact(&self) -> Option<&str> {
        self.text.as_deref().filter(|t| !t.contains(HOLE))
    }
}

/// One call the code makes.
#[derive(Debug, Clone)]
pub(crate) struct CallFact {
    pub(crate) name: String,
    pub(crate) args: Vec<Value>,
    pub(crate) line: u32,
    pub(crate) col: u32,
    pub(crate) ctx: u32,
}

/// One string the code holds or builds.
#[derive(Debug, Clone)]
pub(crate) struct StringFact {
    pub(crate) text: String,
    pub(crate) line: u32,
    pub(crate) col: u32,
    /// Built at run time (folded, decoded), not a plain literal.
    pub(crate) derived: bool,
    /// Decoded or assembled from character codes or reversed pieces: text
    /// the source does not show.
    pub(crate) hidden: bool,
}

/// What an evaluation found, and whether it was cut short.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub(crate) calls: Vec<CallFact>,
    pub(crate) strings: Vec<StringFact>,
    /// Why the analysis is incomplete, and from which line.
    pub(crate) incomplete: Option<(u32, String)>,
}

/// Evaluates a parsed file.
pub(crate) fn evaluate<'a>(
    lang: Lang,
    src: &'a [u8],
    root: Node<'a>,
    apis: &Apis,
    file_ctx: u32,
    deadline: Instant,
) -> Facts {
    let mut ev = Evaluator {
        lang,
        src,
        apis,
        scopes: vec![HashMap::new()],
        facts: Facts::default(),
        // Module-level code runs on import only in languages whose imports
        // run code; a shell script or a Go file has no such moment.
        ctx: if matches!(
            lang,
            Lang::Python | Lang::JavaScript | Lang::TypeScript | Lang::Ruby
        ) {
            context::IMPORT | file_ctx
        } else {
            file_ctx
        },
        root,
        inlining: 0,
        inlined: 0,
        downloaded_files: Vec::new(),
        depth: 0,
        returns: Vec::new(),
        deadline,
        steps: 0,
        out_of_time: false,
    };
    ev.eval(root);
    ev.facts
}

struct Evaluator<'a> {
    lang: Lang,
    src: &'a [u8],
    root: Node<'a>,
    /// How deep calls of local functions are being evaluated again.
    inlining: usize,
    /// How many times local functions were evaluated again in this file.
    inlined: usize,
    /// Paths that a shell downloader wrote (`curl … -o FILE`).
    downloaded_files: Vec<String>,
    apis: &'a Apis,
    scopes: Vec<HashMap<String, Value>>,
    facts: Facts,
    ctx: u32,
    depth: usize,
    returns: Vec<Value>,
    deadline: Instant,
    steps: u64,
    out_of_time: bool,
}

fn line_of(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().row + 1).unwrap_or(u32::MAX)
}

fn col_of(node: Node<'_>) -> u32 {
    u32::try_from(node.start_position().column + 1).unwrap_or(u32::MAX)
}

fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

fn field_children<'t>(node: Node<'t>, field: &str) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children_by_field_name(field, &mut cursor).collect()
}

fn cap(mut s: String) -> String {
    if s.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

impl<'a> Evaluator<'a> {
    fn node_text(&self, node: Node<'_>) -> &'a str {
        std::str::from_utf8(&self.src[node.byte_range()]).unwrap_or("")
    }

    // ------------------------------------------------------------ scopes

    fn lookup(&self, name: &str) -> Option<Value> {
        self.scopes.iter().rev().find_map(|s| s.get(name)).cloned()
    }

    fn bind(&mut self, name: &str, value: Value) {
        for scope in self.scopes.iter_mut().rev() {
            if let Some(slot) = scope.get_mut(name) {
                *slot = value;
                return;
            }
        }
        self.scopes
            .last_mut()
            .expect("there is always a module scope")
            .insert(name.to_owned(), value);
    }

    fn bind_local(&mut self, name: &str, value: Value) {
        self.scopes
            .last_mut()
            .expect("there is always a module scope")
            .insert(name.to_owned(), value);
    }

    /// The value of a free name: a local, else a global of the language.
    fn identifier(&self, name: &str, node: Node<'_>) -> Value {
        if let Some(v) = self.lookup(name) {
            return v;
        }
        let canonical = match (self.lang, name) {
            (Lang::Python, "__builtins__" | "builtins") => "builtins",
            (Lang::JavaScript | Lang::TypeScript, "window" | "global" | "globalThis" | "self") => {
                "global"
            }
            (Lang::Ruby, "Kernel") => "builtins",
            _ => name,
        };
        let mut v = Value::named(canonical);
        self.name_taint(&mut v, node);
        v
    }

    /// Adds the taint that a name carries by itself (`os.environ`, `process.env`).
    fn name_taint(&self, v: &mut Value, node: Node<'_>) {
        let Some(name) = v.name.as_deref() else {
            return;
        };
        for source in &self.apis.sources {
            if source.names.contains(self.lang, name) {
                v.taint |= source.bit;
                if v.origins.len() < 4 {
                    v.origins.push(line_of(node));
                }
            }
        }
    }

    // ------------------------------------------------------------ facts

    fn string_fact(&mut self, text: &str, node: Node<'_>, derived: bool) {
        if text.len() < 4 || self.facts.strings.len() >= MAX_STRINGS {
            return;
        }
        self.facts.strings.push(StringFact {
            text: text.to_owned(),
            line: line_of(node),
            col: col_of(node),
            derived,
            hidden: false,
        });
    }

    /// A string the source does not show: decoded, or assembled from
    /// character codes or reversed pieces.
    fn hidden_fact(&mut self, text: &str, node: Node<'_>) {
        self.string_fact(text, node, true);
        if let Some(last) = self.facts.strings.last_mut()
            && last.text == text
        {
            last.hidden = true;
        }
    }

    fn budget_exceeded(&mut self, node: Node<'_>) -> bool {
        self.steps += 1;
        if self.out_of_time {
            return true;
        }
        if self.depth > MAX_DEPTH {
            self.facts.incomplete.get_or_insert((
                line_of(node),
                format!("the code nests deeper than {MAX_DEPTH} levels"),
            ));
            return true;
        }
        if self.steps.is_multiple_of(4096) && Instant::now() > self.deadline {
            self.out_of_time = true;
            self.facts.incomplete.get_or_insert((
                line_of(node),
                "the analysis ran out of its time budget".to_owned(),
            ));
            return true;
        }
        false
    }

    // ------------------------------------------------------------ evaluation

    pub(crate) fn eval(&mut self, node: Node<'_>) -> Value {
        if self.budget_exceeded(node) {
            return Value::default();
        }
        self.depth += 1;
        let v = stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || self.eval_inner(node));
        self.depth -= 1;
        v
    }

    fn children_join(&mut self, node: Node<'_>) -> Value {
        let children = named_children(node);
        if children.len() == 1 {
            return self.eval(children[0]);
        }
        let mut out = Value::default();
        for c in children {
            let v = self.eval(c);
            out.absorb(&v);
        }
        out
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one match over the node kinds of six grammars reads best in one place"
    )]
    fn eval_inner(&mut self, node: Node<'_>) -> Value {
        let kind = node.kind();
        let lang = self.lang;
        if lang == Lang::PowerShell
            && let Some(v) = self.powershell(node)
        {
            return v;
        }
        match kind {
            // ---- literals
            "string"
            | "template_string"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "raw_string"
            | "string_literal"
            | "translated_string"
            | "heredoc_body" => self.string(node),
            "concatenated_string" => {
                let mut out = Value::text(String::new());
                for c in named_children(node) {
                    let v = self.eval(c);
                    let text = out.text.take().unwrap_or_default() + &v.piece();
                    out.text = Some(cap(text));
                    out.absorb(&v);
                }
                out
            }
            "integer" | "number" | "int_literal" => {
                let t = self.node_text(node).replace('_', "");
                let n = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    i64::from_str_radix(h, 16).ok()
                } else if let Some(o) = t.strip_prefix("0o") {
                    i64::from_str_radix(o, 8).ok()
                } else {
                    t.parse().ok()
                };
                Value {
                    num: n,
                    ..Value::default()
                }
            }
            "rune_literal" => {
                let t = self.node_text(node).trim_matches('\'');
                Value {
                    num: t.chars().next().map(|c| i64::from(u32::from(c))),
                    ..Value::default()
                }
            }
            "list" | "tuple" | "array" | "set" | "expression_list" | "literal_value" => {
                let mut items = Vec::new();
                let mut out = Value::default();
                for c in named_children(node) {
                    let c = if c.kind() == "literal_element" || c.kind() == "keyed_element" {
                        match named_children(c).last() {
                            Some(inner) => *inner,
                            None => continue,
                        }
                    } else {
                        c
                    };
                    let v = self.eval(c);
                    out.absorb(&v);
                    if items.len() < MAX_LIST {
                        items.push(v);
                    }
                }
                out.list = Some(items);
                out
            }
            "composite_literal" => match node.child_by_field_name("body") {
                Some(body) => self.eval(body),
                None => Value::default(),
            },
            // ---- names
            "identifier"
            | "constant"
            | "package_identifier"
            | "shorthand_property_identifier"
            | "this" => {
                let name = self.node_text(node);
                self.identifier(name, node)
            }
            "scope_resolution" => {
                let name = self.node_text(node).trim_start_matches("::").to_owned();
                let mut v = Value::named(name);
                self.name_taint(&mut v, node);
                v
            }
            "attribute" | "member_expression" | "selector_expression" => {
                let (obj, prop) = match lang {
                    Lang::Python => ("object", "attribute"),
                    Lang::Go => ("operand", "field"),
                    _ => ("object", "property"),
                };
                let key = self.node_text(node);
                if key.len() <= 64
                    && let Some(v) = self.lookup(key)
                {
                    return v;
                }
                let base = node
                    .child_by_field_name(obj)
                    .map(|o| self.eval(o))
                    .unwrap_or_default();
                let prop = node
                    .child_by_field_name(prop)
                    .map_or("", |p| self.node_text(p));
                self.member(&base, prop, node)
            }
            "subscript" | "subscript_expression" | "element_reference" | "index_expression" => {
                let (obj_node, index_node) = match kind {
                    "subscript" => (
                        node.child_by_field_name("value"),
                        node.child_by_field_name("subscript"),
                    ),
                    "index_expression" => (
                        node.child_by_field_name("operand"),
                        node.child_by_field_name("index"),
                    ),
                    "element_reference" => {
                        let c = named_children(node);
                        (node.child_by_field_name("object"), c.get(1).copied())
                    }
                    _ => (
                        node.child_by_field_name("object"),
                        node.child_by_field_name("index"),
                    ),
                };
                let base = obj_node.map(|o| self.eval(o)).unwrap_or_default();
                let Some(index_node) = index_node else {
                    return base;
                };
                if index_node.kind() == "slice" {
                    let t: String = self
                        .node_text(index_node)
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    let mut out = base.clone();
                    if t == "::-1" {
                        out.text = base.text.as_ref().map(|s| s.chars().rev().collect());
                        out.list = base
                            .list
                            .as_ref()
                            .map(|l| l.iter().rev().cloned().collect());
                        // Reversing constants hides them; reversing data is ordinary.
                        if is_constant(&base) {
                            out.taint |= OBFUSCATED;
                        }
                        if let Some(text) = out.exact().map(str::to_owned) {
                            self.string_fact(&text, node, true);
                        }
                    } else {
                        out.text = None;
                    }
                    out.name = None;
                    out.reference = false;
                    return out;
                }
                let index = self.eval(index_node);
                if let (Some(list), Some(i)) = (&base.list, index.num) {
                    let i = if i < 0 { list.len() as i64 + i } else { i };
                    if let Some(item) = usize::try_from(i).ok().and_then(|i| list.get(i)) {
                        return item.clone();
                    }
                }
                if let Some(key) = index.exact().map(str::to_owned) {
                    return self.member(&base, &key, node);
                }
                let mut out = base.clone();
                out.absorb(&index);
                out.name = None;
                out.text = None;
                out.reference = false;
                out
            }
            // ---- operators
            "binary_operator" | "binary_expression" | "binary" => {
                let left = node
                    .child_by_field_name("left")
                    .map(|n| self.eval(n))
                    .unwrap_or_default();
                let right = node
                    .child_by_field_name("right")
                    .map(|n| self.eval(n))
                    .unwrap_or_default();
                let op = node
                    .child_by_field_name("operator")
                    .map_or("", |o| self.node_text(o));
                self.binary(op, &left, &right, node)
            }
            "augmented_assignment" | "augmented_assignment_expression" | "operator_assignment" => {
                let Some(left) = node.child_by_field_name("left") else {
                    return Value::default();
                };
                let old = self.eval(left);
                let right = node
                    .child_by_field_name("right")
                    .map(|n| self.eval(n))
                    .unwrap_or_default();
                let op = node
                    .child_by_field_name("operator")
                    .map_or("+=", |o| self.node_text(o));
                let mut v = self.binary(op.trim_end_matches('='), &old, &right, node);
                if right.taint != 0 {
                    v.add_origin(line_of(node));
                }
                self.assign(left, v.clone());
                v
            }
            // ---- calls
            "call" | "call_expression" | "new_expression" | "command" => self.call(node),
            "subshell" if lang == Lang::Ruby => {
                // Backticks run a shell command.
                let v = self.string(node);
                self.record_call("`", vec![v.clone()], node);
                let mut out = Value::default();
                out.absorb(&v);
                out
            }
            "pipeline" if lang == Lang::Shell => self.pipeline(node),
            "command_substitution" | "process_substitution" => {
                let v = self.children_join(node);
                Value {
                    text: None,
                    name: None,
                    list: None,
                    num: None,
                    ..v
                }
            }
            "simple_expansion" | "expansion" => {
                let name = named_children(node)
                    .into_iter()
                    .find(|c| c.kind() == "variable_name")
                    .map(|c| self.node_text(c));
                let Some(n) = name else {
                    return Value::default();
                };
                self.lookup(&format!("${n}")).unwrap_or_else(|| {
                    let mut v = Value::named(format!("${n}"));
                    self.name_taint(&mut v, node);
                    v.name = None;
                    v.reference = false;
                    v
                })
            }
            "word" | "number_literal" if lang == Lang::Shell => {
                let word = self.node_text(node);
                if word.contains(['.', '/', ':', '+']) {
                    self.string_fact(word, node, false);
                }
                Value::text(word)
            }
            "concatenation" if lang == Lang::Shell => {
                let mut out = Value::text(String::new());
                for c in named_children(node) {
                    let v = self.eval(c);
                    let text = out.text.take().unwrap_or_default() + &v.piece();
                    out.text = Some(cap(text));
                    out.absorb(&v);
                }
                out
            }
            // ---- bindings
            "assignment"
            | "assignment_expression"
            | "assignment_statement"
            | "short_var_declaration"
            | "variable_declarator"
            | "var_spec"
            | "const_spec"
            | "variable_assignment" => self.assignment(node),
            "import_statement"
            | "import_from_statement"
            | "future_import_statement"
            | "import_spec" => {
                self.import(node);
                Value::default()
            }
            // ---- functions and classes
            "function_definition"
            | "function_declaration"
            | "method_declaration"
            | "method"
            | "singleton_method"
            | "generator_function_declaration"
            | "method_definition" => {
                self.function(node);
                Value::default()
            }
            "function_expression"
            | "arrow_function"
            | "lambda"
            | "func_literal"
            | "function"
            | "generator_function" => {
                self.function_literal(node, &Value::default());
                Value::default()
            }
            "class_definition" => {
                self.class(node);
                Value::default()
            }
            "return_statement" | "return" => {
                let mut v = self.children_join(node);
                if v.taint != 0 {
                    // The line hands the data on.
                    v.add_origin(line_of(node));
                }
                if let Some(r) = self.returns.last_mut() {
                    if r.text.is_none() && r.name.is_none() {
                        r.text.clone_from(&v.text);
                        r.list.clone_from(&v.list);
                        if v.name.is_some() && !v.reference {
                            r.name.clone_from(&v.name);
                        }
                    }
                    r.absorb(&v);
                }
                v
            }
            "if_statement" if lang == Lang::Python => {
                let cond = node
                    .child_by_field_name("condition")
                    .map_or("", |c| self.node_text(c));
                if cond.contains("__name__") && cond.contains("__main__") {
                    let saved = self.ctx;
                    self.ctx &= !context::IMPORT;
                    self.children_join(node);
                    self.ctx = saved;
                    return Value::default();
                }
                self.children_join(node);
                Value::default()
            }
            "list_comprehension" | "generator_expression" => self.comprehension(node),
            "pair" => {
                let key = node
                    .child_by_field_name("key")
                    .map_or("", |k| self.node_text(k));
                let mut v = node
                    .child_by_field_name("value")
                    .map(|v| self.eval(v))
                    .unwrap_or_default();
                if is_auth_key(key) {
                    v.taint = 0;
                } else if v.taint != 0 {
                    v.add_origin(line_of(node));
                }
                v
            }
            "for_statement" | "for_in_statement" | "for" => {
                // The loop variable stands for every element: their texts
                // joined, their taint merged.
                let iterable = node
                    .child_by_field_name("right")
                    .or_else(|| node.child_by_field_name("value"))
                    .map(|r| self.eval(r))
                    .unwrap_or_default();
                let mut item = Value::default();
                item.absorb(&iterable);
                if let Some(list) = &iterable.list {
                    let texts: Vec<String> = list.iter().map(Value::piece).collect();
                    item.text = Some(cap(texts.join("\n")));
                    for v in list {
                        item.absorb(v);
                    }
                }
                if item.taint != 0 || self.names_credential_store(&item) {
                    // The loop walks the data (or the paths of credential
                    // stores): its header carries it.
                    item.add_origin(line_of(node));
                }
                if let Some(left) = node
                    .child_by_field_name("left")
                    .or_else(|| node.child_by_field_name("pattern"))
                {
                    self.assign(left, item);
                }
                if let Some(body) = node.child_by_field_name("body") {
                    self.eval(body);
                }
                Value::default()
            }
            "as_pattern" if lang == Lang::Python => {
                let children = named_children(node);
                let v = children.first().map(|c| self.eval(*c)).unwrap_or_default();
                if let Some(target) = node
                    .child_by_field_name("alias")
                    .or_else(|| children.get(1).copied())
                {
                    let target = named_children(target).first().copied().unwrap_or(target);
                    self.assign(target, v.clone());
                }
                v
            }
            // `c ? a : b`, `a if c else b`: the condition decides, the
            // branches are the value (corepack picks its registry address
            // by `process.env.COREPACK_NPM_REGISTRY ? … : …`).
            "ternary_expression" | "conditional" | "conditional_expression" => {
                let children = named_children(node);
                let (condition, branches): (Option<Node<'_>>, Vec<Node<'_>>) =
                    if kind == "conditional_expression" && lang == Lang::Python {
                        // Python: consequence, condition, alternative.
                        (
                            children.get(1).copied(),
                            children
                                .iter()
                                .copied()
                                .enumerate()
                                .filter(|(i, _)| *i != 1)
                                .map(|(_, c)| c)
                                .collect(),
                        )
                    } else if let Some(c) = node.child_by_field_name("condition") {
                        (
                            Some(c),
                            children.into_iter().filter(|n| n.id() != c.id()).collect(),
                        )
                    } else {
                        (None, children)
                    };
                if let Some(c) = condition {
                    self.eval(c);
                }
                let mut out = Value::default();
                for b in branches {
                    let v = self.eval(b);
                    out.absorb(&v);
                }
                out
            }
            "comment" | "line_comment" | "block_comment" => Value::default(),
            "ERROR" => {
                self.children_join(node);
                Value::default()
            }
            "program"
            | "module"
            | "source_file"
            | "block"
            | "statement_block"
            | "body_statement"
            | "expression_statement"
            | "lexical_declaration"
            | "variable_declaration"
            | "var_declaration"
            | "const_declaration"
            | "class_body"
            | "do_block"
            | "compound_statement" => {
                for c in named_children(node) {
                    self.eval(c);
                }
                Value::default()
            }
            _ => self.children_join(node),
        }
    }

    /// A string literal: its pieces folded, interpolations as holes.
    fn string(&mut self, node: Node<'_>) -> Value {
        let raw_prefix = node.child(0).map(|c| self.node_text(c)).is_some_and(|p| {
            p.starts_with('r') || p.starts_with('R') || p.starts_with("br") || p.starts_with("rb")
        });
        let mut text = String::new();
        let mut out = Value::default();
        let mut any_piece = false;
        let children = named_children(node);
        for c in &children {
            match c.kind() {
                "string_content"
                | "string_fragment"
                | "interpreted_string_literal_content"
                | "raw_string_literal_content"
                | "heredoc_content" => {
                    text.push_str(self.node_text(*c));
                    any_piece = true;
                }
                "escape_sequence" => {
                    let esc = self.node_text(*c);
                    if raw_prefix {
                        text.push_str(esc);
                    } else {
                        text.push_str(&unescape(esc));
                    }
                    any_piece = true;
                }
                "interpolation"
                | "template_substitution"
                | "expansion"
                | "simple_expansion"
                | "command_substitution" => {
                    let v = self.eval(*c);
                    text.push_str(&v.piece());
                    out.absorb(&v);
                }
                "string_start" | "string_end" | "heredoc_start" | "heredoc_end" => {}
                _ => {}
            }
            if text.len() > MAX_TEXT {
                break;
            }
        }
        if !any_piece
            && children
                .iter()
                .all(|c| matches!(c.kind(), "string_start" | "string_end"))
        {
            // Grammars without content children (bash raw strings, Go raw strings).
            let whole = self.node_text(node);
            let trimmed = whole
                .trim_start_matches(['r', 'b', 'f', 'u', 'R', 'B', 'F', 'U'])
                .trim_matches(|c| c == '\'' || c == '"' || c == '`');
            text.push_str(trimmed);
        }
        let text = cap(text);
        self.string_fact(&text, node, false);
        out.text = Some(text);
        out
    }

    fn member(&mut self, base: &Value, prop: &str, node: Node<'_>) -> Value {
        let mut out = Value::default();
        if let Some(name) = &base.name {
            let full = if name == "global" || name == "builtins" {
                prop.to_owned()
            } else {
                format!("{name}.{prop}")
            };
            out.name = Some(full);
            out.reference = base.reference;
        } else {
            out.name = Some(format!(".{prop}"));
        }
        if !base.reference {
            out.absorb(base);
        }
        if base.reference {
            // `process.env.X`: a name source of its own (the single variable).
            self.name_taint(&mut out, node);
        } else {
            self.name_taint(&mut out, node);
        }
        if prop == "length" || prop == "size" {
            out.taint = 0;
        }
        out
    }

    fn binary(&mut self, op: &str, left: &Value, right: &Value, node: Node<'_>) -> Value {
        let mut out = Value::default();
        out.absorb(left);
        out.absorb(right);
        match op {
            "+" | "." | "<<" if left.num.is_none() || right.num.is_none() => {
                if left.text.is_some() || right.text.is_some() {
                    let t = cap(left.piece() + &right.piece());
                    if left.text.is_some() && right.text.is_some() && !t.contains(HOLE) {
                        self.string_fact(&t, node, true);
                    }
                    out.text = Some(t);
                }
                if let (Some(a), Some(b)) = (&left.list, &right.list) {
                    out.list = Some(a.iter().chain(b).take(MAX_LIST).cloned().collect());
                }
            }
            "/" if left.text.is_some() && right.text.is_some() => {
                // pathlib: `Path.home() / ".ssh"`.
                out.text = Some(cap(format!("{}/{}", left.piece(), right.piece())));
            }
            "+" | "-" | "*" | "^" | "|" | "&" | "%" => {
                if let (Some(a), Some(b)) = (left.num, right.num) {
                    out.num = match op {
                        "+" => a.checked_add(b),
                        "-" => a.checked_sub(b),
                        "*" => a.checked_mul(b),
                        "^" => Some(a ^ b),
                        "|" => Some(a | b),
                        "&" => Some(a & b),
                        _ => (b != 0).then(|| a.rem_euclid(b)),
                    };
                } else if op == "%" && left.text.is_some() {
                    out.text.clone_from(&left.text);
                }
            }
            _ => {}
        }
        out
    }

    // ------------------------------------------------------------ bindings

    fn assign(&mut self, target: Node<'_>, value: Value) {
        match target.kind() {
            "identifier"
            | "variable_name"
            | "constant"
            | "shorthand_property_identifier_pattern" => {
                let name = self.node_text(target);
                let key = if self.lang == Lang::Shell {
                    format!("${name}")
                } else {
                    name.to_owned()
                };
                self.bind(&key, value);
            }
            "attribute"
            | "member_expression"
            | "selector_expression"
            | "subscript"
            | "subscript_expression" => {
                let key = self.node_text(target);
                if key.len() <= 64 {
                    self.bind(key, value);
                }
            }
            "pattern_list"
            | "tuple_pattern"
            | "expression_list"
            | "list_pattern"
            | "array_pattern"
            | "left_assignment_list" => {
                let targets = named_children(target);
                for (i, t) in targets.iter().enumerate() {
                    let item = value
                        .list
                        .as_ref()
                        .and_then(|l| l.get(i).cloned())
                        .unwrap_or_else(|| value.clone());
                    self.assign(*t, item);
                }
            }
            "object_pattern" => {
                for c in named_children(target) {
                    match c.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let name = self.node_text(c);
                            let v = self.member(&value, name, c);
                            self.bind(name, v);
                        }
                        "pair_pattern" => {
                            let key = c
                                .child_by_field_name("key")
                                .map_or("", |k| self.node_text(k));
                            let key = key.trim_matches(|ch| ch == '\'' || ch == '"');
                            let v = self.member(&value, key, c);
                            if let Some(t) = c.child_by_field_name("value") {
                                self.assign(t, v);
                            }
                        }
                        "object_assignment_pattern" => {
                            if let Some(l) = c.child_by_field_name("left") {
                                let name = self.node_text(l);
                                let v = self.member(&value, name, c);
                                self.assign(l, v);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn assignment(&mut self, node: Node<'_>) -> Value {
        let (left, right) = match node.kind() {
            "variable_declarator" => (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ),
            "var_spec" | "const_spec" => (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ),
            "variable_assignment" => (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ),
            _ => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ),
        };
        let value = right.map(|r| self.eval(r)).unwrap_or_default();
        // Go: `a, b := f()` binds the call's value to every name.
        let value = if self.lang == Lang::Go
            && let Some(list) = &value.list
            && list.len() == 1
        {
            let mut v = list[0].clone();
            v.absorb(&value);
            v
        } else {
            value
        };
        let mut value = value;
        value.def_line = Some(line_of(node));
        if value.taint != 0 || self.names_credential_store(&value) {
            // The line carries the data on its way to where it is used.
            value.add_origin(line_of(node));
        }
        if let Some(left) = left {
            if self.lang == Lang::Go && left.kind() == "expression_list" && value.list.is_none() {
                for t in named_children(left) {
                    self.assign(t, value.clone());
                }
            } else {
                self.assign(left, value.clone());
            }
        }
        value
    }

    fn import(&mut self, node: Node<'_>) {
        match (self.lang, node.kind()) {
            (Lang::Python, "import_statement") => {
                for c in field_children(node, "name") {
                    if c.kind() == "aliased_import" {
                        let module = c
                            .child_by_field_name("name")
                            .map_or("", |n| self.node_text(n));
                        let alias = c
                            .child_by_field_name("alias")
                            .map_or("", |n| self.node_text(n));
                        self.bind(alias, Value::named(module));
                    } else {
                        let module = self.node_text(c);
                        let first = module.split('.').next().unwrap_or(module);
                        self.bind(first, Value::named(first));
                    }
                }
            }
            (Lang::Python, "import_from_statement") => {
                let module = node
                    .child_by_field_name("module_name")
                    .map_or("", |n| self.node_text(n));
                for c in field_children(node, "name") {
                    let (name, alias) = if c.kind() == "aliased_import" {
                        (
                            c.child_by_field_name("name")
                                .map_or("", |n| self.node_text(n)),
                            c.child_by_field_name("alias")
                                .map_or("", |n| self.node_text(n)),
                        )
                    } else {
                        let n = self.node_text(c);
                        (n, n)
                    };
                    let mut v = Value::named(format!("{module}.{name}"));
                    self.name_taint(&mut v, c);
                    self.bind(alias, v);
                }
            }
            (Lang::JavaScript | Lang::TypeScript, "import_statement") => {
                let Some(source) = node.child_by_field_name("source") else {
                    return;
                };
                let module = normalise_module(&self.string(source).text.unwrap_or_default());
                for clause in named_children(node)
                    .into_iter()
                    .filter(|c| c.kind() == "import_clause")
                {
                    for c in named_children(clause) {
                        match c.kind() {
                            "identifier" => {
                                self.bind(self.node_text(c), Value::named(module.clone()))
                            }
                            "namespace_import" => {
                                if let Some(id) = named_children(c).first() {
                                    self.bind(self.node_text(*id), Value::named(module.clone()));
                                }
                            }
                            "named_imports" => {
                                for spec in named_children(c) {
                                    let name = spec
                                        .child_by_field_name("name")
                                        .map_or("", |n| self.node_text(n));
                                    let alias = spec
                                        .child_by_field_name("alias")
                                        .map_or(name, |n| self.node_text(n));
                                    self.bind(alias, Value::named(format!("{module}.{name}")));
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            (Lang::Go, "import_spec") => {
                let path = node
                    .child_by_field_name("path")
                    .map(|p| self.node_text(p).trim_matches('"').to_owned())
                    .unwrap_or_default();
                let alias = node
                    .child_by_field_name("name")
                    .map(|n| self.node_text(n).to_owned());
                let local =
                    alias.unwrap_or_else(|| path.rsplit('/').next().unwrap_or(&path).to_owned());
                self.bind(&local, Value::named(path));
            }
            _ => {}
        }
    }

    fn function(&mut self, node: Node<'_>) {
        let name = node
            .child_by_field_name("name")
            .map(|n| self.node_text(n).to_owned());
        let saved = self.ctx;
        self.ctx &= !context::IMPORT;
        if self.lang == Lang::Go
            && name.as_deref() == Some("init")
            && node.kind() == "function_declaration"
        {
            self.ctx |= context::INIT;
        }
        let ret = self.function_body(node, &Value::default());
        self.ctx = saved;
        if let Some(name) = name {
            let v = Value {
                name: Some(name.clone()),
                ret: Some(Box::new(ret)),
                func: Some((node.start_byte(), node.end_byte())),
                ..Value::default()
            };
            self.bind_local(&name, v);
        }
    }

    /// Evaluates a function's body in a new scope whose parameters carry
    /// `param` (the taint a caller hands to a callback); returns what it returns.
    fn function_body(&mut self, node: Node<'_>, param: &Value) -> Value {
        self.function_body_with(node, param, None)
    }

    /// Like [`Self::function_body`], with the parameters bound to a call's
    /// arguments by position when `args` is given.
    fn function_body_with(
        &mut self,
        node: Node<'_>,
        param: &Value,
        args: Option<&[Value]>,
    ) -> Value {
        self.scopes.push(HashMap::new());
        let params = node
            .child_by_field_name("parameters")
            .or_else(|| node.child_by_field_name("parameter"))
            .or_else(|| {
                named_children(node)
                    .into_iter()
                    .find(|c| c.kind() == "block_parameters" || c.kind() == "lambda_parameters")
            });
        if let Some(params) = params {
            let mut names = Vec::new();
            if params.kind() == "identifier" {
                names.push(self.node_text(params).to_owned());
            } else {
                collect_param_names(params, self.src, &mut names);
            }
            for (i, n) in names.iter().enumerate() {
                let mut v = match args {
                    Some(args) => args.get(i).cloned().unwrap_or_default(),
                    None => {
                        let mut v = Value::default();
                        v.absorb(param);
                        v
                    }
                };
                // A parameter named like a credential (`token`,
                // `privateKey`) carries what its name says.
                let key = format!("param:{}", n.to_ascii_lowercase());
                for source in &self.apis.sources {
                    if source.names.contains(self.lang, &key) {
                        v.taint |= source.bit;
                        v.add_origin(line_of(node));
                    }
                }
                self.bind_local(n, v);
            }
        }
        self.returns.push(Value::default());
        if let Some(body) = node.child_by_field_name("body") {
            let v = self.eval(body);
            // Arrow functions with an expression body return it.
            if node.kind() == "arrow_function" || node.kind() == "lambda" {
                let r = self.returns.last_mut().expect("pushed above");
                if r.text.is_none() {
                    r.text.clone_from(&v.text);
                    r.list.clone_from(&v.list);
                    r.num = v.num;
                }
                r.absorb(&v);
            }
        } else {
            for c in named_children(node) {
                if !matches!(
                    c.kind(),
                    "identifier" | "method_parameters" | "parameters" | "block_parameters"
                ) {
                    self.eval(c);
                }
            }
        }
        self.scopes.pop();
        self.returns.pop().unwrap_or_default()
    }

    fn function_literal(&mut self, node: Node<'_>, param: &Value) -> Value {
        let saved = self.ctx;
        self.ctx &= !context::IMPORT;
        let v = self.function_body(node, param);
        self.ctx = saved;
        v
    }

    fn class(&mut self, node: Node<'_>) {
        let mut install = false;
        if let Some(supers) = node.child_by_field_name("superclasses") {
            for s in named_children(supers) {
                let v = self.eval(s);
                let name = v.name.unwrap_or_default();
                let last = name.rsplit('.').next().unwrap_or("");
                if matches!(
                    last,
                    "install"
                        | "develop"
                        | "egg_info"
                        | "build_py"
                        | "sdist"
                        | "bdist_egg"
                        | "bdist_wheel"
                        | "install_lib"
                        | "install_scripts"
                ) {
                    install = true;
                }
            }
        }
        let saved = self.ctx;
        if install {
            self.ctx |= context::INSTALL;
        }
        if let Some(body) = node.child_by_field_name("body") {
            self.eval(body);
        }
        self.ctx = saved;
    }

    fn comprehension(&mut self, node: Node<'_>) -> Value {
        let body = node.child_by_field_name("body");
        let clause = named_children(node)
            .into_iter()
            .find(|c| c.kind() == "for_in_clause");
        let (Some(body), Some(clause)) = (body, clause) else {
            return self.children_join(node);
        };
        let iterable = clause
            .child_by_field_name("right")
            .map(|r| self.eval(r))
            .unwrap_or_default();
        let var = clause.child_by_field_name("left");
        let mut out = Value::default();
        out.absorb(&iterable);
        let items: Option<Vec<Value>> = iterable.list.clone().or_else(|| {
            iterable
                .exact()
                .map(|t| t.chars().map(|c| Value::text(c.to_string())).collect())
        });
        self.scopes.push(HashMap::new());
        if let (Some(items), Some(var)) = (items, var) {
            let mut results = Vec::new();
            for item in items.into_iter().take(MAX_LIST) {
                self.assign(var, item);
                let v = self.eval(body);
                out.taint |= v.taint;
                results.push(v);
                if self.steps > 5_000_000 {
                    break;
                }
            }
            out.list = Some(results);
        } else {
            let v = self.eval(body);
            out.absorb(&v);
        }
        self.scopes.pop();
        out
    }

    // ------------------------------------------------------------ calls

    fn record_call(&mut self, name: &str, args: Vec<Value>, node: Node<'_>) {
        if self.facts.calls.len() >= MAX_CALLS {
            return;
        }
        self.facts.calls.push(CallFact {
            name: name.to_owned(),
            args,
            line: line_of(node),
            col: col_of(node),
            ctx: self.ctx,
        });
    }

    /// Whether a value's text names a credential store, a browser profile
    /// or a wallet (the `sensitive-file` source's `arg-text`): the line that
    /// writes such a path down is part of a flow that reads it.
    fn names_credential_store(&self, v: &Value) -> bool {
        let Some(text) = v.text.as_deref() else {
            return false;
        };
        let Some(bit) = self.apis.taint_bit("sensitive-file") else {
            return false;
        };
        self.apis
            .sources
            .iter()
            .any(|s| s.bit == bit && s.arg_text.as_ref().is_some_and(|re| re.is_match(text)))
    }

    /// The taint a call to `name` produces by itself (a download, a read of a credential file).
    fn source_taint(&self, name: &str, args: &[Value], recv: Option<&Value>) -> u32 {
        let mut taint = 0;
        for source in &self.apis.sources {
            if !source.calls.contains(self.lang, name) {
                continue;
            }
            let ok = match &source.arg_text {
                None => true,
                Some(re) => args
                    .iter()
                    .chain(recv)
                    .any(|a| a.flat_text().is_some_and(|t| re.is_match(&t))),
            };
            if ok {
                taint |= source.bit;
            }
        }
        taint
    }

    fn call(&mut self, node: Node<'_>) -> Value {
        if self.lang == Lang::Shell {
            return self.shell_command(node, &Value::default());
        }
        // The callee, and the receiver of a method call.
        let (callee_node, method_node, recv_node) = match (self.lang, node.kind()) {
            (Lang::Ruby, "call") => (
                None,
                node.child_by_field_name("method"),
                node.child_by_field_name("receiver"),
            ),
            (_, "new_expression") => (node.child_by_field_name("constructor"), None, None),
            _ => (node.child_by_field_name("function"), None, None),
        };
        let args_node = node.child_by_field_name("arguments");
        let block = node.child_by_field_name("block");

        // An immediately invoked function runs where it stands.
        if let Some(c) = callee_node {
            let inner = unwrap_parens(c);
            if matches!(
                inner.kind(),
                "function_expression" | "arrow_function" | "function"
            ) {
                let saved = self.ctx;
                let v = self.function_body(inner, &Value::default());
                self.ctx = saved;
                if let Some(a) = args_node {
                    self.eval(a);
                }
                return v;
            }
        }

        let mut recv: Option<Value> = None;
        let callee = if let Some(m) = method_node {
            let method = self.node_text(m);
            match recv_node {
                Some(r) => {
                    let rv = self.eval(r);
                    let v = self.member(&rv, method, node);
                    recv = Some(rv);
                    v
                }
                None => self.identifier(method, m),
            }
        } else if let Some(c) = callee_node {
            let c = unwrap_parens(c);
            match c.kind() {
                "attribute" | "member_expression" | "selector_expression" => {
                    let (obj, prop) = match self.lang {
                        Lang::Python => ("object", "attribute"),
                        Lang::Go => ("operand", "field"),
                        _ => ("object", "property"),
                    };
                    let key = self.node_text(c);
                    if key.len() <= 64
                        && let Some(v) = self.lookup(key)
                    {
                        v
                    } else {
                        let rv = c
                            .child_by_field_name(obj)
                            .map(|o| self.eval(o))
                            .unwrap_or_default();
                        let prop = c
                            .child_by_field_name(prop)
                            .map_or("", |p| self.node_text(p));
                        let v = self.member(&rv, prop, c);
                        recv = Some(rv);
                        v
                    }
                }
                "subscript_expression" | "subscript" => {
                    let v = self.eval(c);
                    let obj = c
                        .child_by_field_name("object")
                        .or_else(|| c.child_by_field_name("value"));
                    recv = obj.map(|o| self.eval(o));
                    v
                }
                _ => self.eval(c),
            }
        } else {
            Value::default()
        };
        let name = callee.name.clone().unwrap_or_default();
        let method = name.rsplit('.').next().unwrap_or("").to_owned();

        // Arguments. Callbacks get the taint of the call that will invoke them.
        let mut arg_nodes = Vec::new();
        if let Some(a) = args_node {
            if matches!(a.kind(), "arguments" | "argument_list") {
                arg_nodes = named_children(a);
            } else {
                arg_nodes.push(a);
            }
        }
        let mut args = Vec::new();
        let mut callbacks = Vec::new();
        for a in &arg_nodes {
            // Credentials handed to the request as its authentication
            // (`headers=…`, `auth=…`) are used, not exfiltrated.
            if a.kind() == "keyword_argument"
                && a.child_by_field_name("name")
                    .is_some_and(|n| is_auth_key(self.node_text(n)))
            {
                let mut v = a
                    .child_by_field_name("value")
                    .map(|v| self.eval(v))
                    .unwrap_or_default();
                v.taint = 0;
                args.push(v);
                continue;
            }
            let a = if matches!(
                a.kind(),
                "keyword_argument" | "pair" | "spread_element" | "list_splat" | "splat_argument"
            ) {
                match a
                    .child_by_field_name("value")
                    .or_else(|| named_children(*a).last().copied())
                {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                *a
            };
            if matches!(
                a.kind(),
                "function_expression" | "arrow_function" | "lambda" | "func_literal" | "function"
            ) {
                callbacks.push(a);
                continue;
            }
            args.push(self.eval(a));
        }
        if let Some(b) = block {
            callbacks.push(b);
        }

        let mut out = self.fold(&name, &method, recv.as_ref(), &args, &arg_nodes, node);
        if out.taint & (OBFUSCATED | DECODED) != 0 {
            out.add_origin(line_of(node));
            // Where the encoded data was written down is part of the flow.
            for a in args.iter().chain(recv.as_ref()).filter(|a| !a.reference) {
                if let Some(l) = a.def_line {
                    out.add_origin(l);
                }
            }
            if let Some(t) = out.exact().map(str::to_owned) {
                self.hidden_fact(&t, node);
            }
        }
        let source = self.source_taint(&name, &args, recv.as_ref());
        if source != 0 {
            out.taint |= source;
            out.add_origin(line_of(node));
            // Where the URL or path was written down is part of the flow.
            for a in args.iter().chain(recv.as_ref()).filter(|a| !a.reference) {
                if let Some(l) = a.def_line {
                    out.add_origin(l);
                }
            }
        }
        for a in &args {
            out.absorb(a);
        }
        if let Some(r) = &recv
            && !r.reference
        {
            out.absorb(r);
        }
        // A reference's taint comes from its name alone (`os.environ.get`).
        out.absorb(&callee);
        // `self.helper()`, `this.helper()`: a local function of that name.
        let callee = if callee.func.is_none()
            && name.starts_with('.')
            && let Some(local) = self.lookup(&method).filter(|v| v.func.is_some())
        {
            local
        } else {
            callee
        };
        // A local function called with tainted or constant arguments is
        // evaluated again with them, so that what it does with them is seen
        // where it happens (bounded in depth and count).
        let constant_args = !args.is_empty() && args.iter().all(|a| a.exact().is_some());
        let tainted_args = args.iter().any(|a| a.taint != 0);
        if let Some((start, end)) = callee.func
            && (tainted_args || constant_args)
            && self.inlining < 2
            && self.inlined < 400
            && let Some(def) = self.root.descendant_for_byte_range(start, end)
        {
            let mut def = def;
            while (def.start_byte(), def.end_byte()) == (start, end)
                && !def.kind().contains("function")
                && !def.kind().contains("method")
            {
                match def.parent() {
                    Some(p) if (p.start_byte(), p.end_byte()) == (start, end) => def = p,
                    _ => break,
                }
            }
            let call_line = line_of(node);
            let bound: Vec<Value> = args
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    if a.taint != 0 {
                        a.add_origin(call_line);
                    }
                    a
                })
                .collect();
            self.inlining += 1;
            self.inlined += 1;
            let ret = self.function_body_with(def, &Value::default(), Some(&bound));
            self.inlining -= 1;
            out.absorb(&ret);
            if out.text.is_none() {
                out.text.clone_from(&ret.text);
            }
            if ret.taint & (OBFUSCATED | DECODED) != 0
                && let Some(t) = ret.exact().map(str::to_owned)
            {
                self.hidden_fact(&t, node);
            }
        }
        if let Some(ret) = &callee.ret {
            out.absorb(ret);
            if out.text.is_none() {
                out.text.clone_from(&ret.text);
            }
            if out.name.is_none() {
                out.name.clone_from(&ret.name);
            }
        }
        if out.name.is_none() && !name.is_empty() {
            out.name = Some(format!("{name}()"));
        }
        // `info.append(secret)`, `list.push(token)`: the receiver now holds the data.
        if matches!(
            method.as_str(),
            "append"
                | "extend"
                | "push"
                | "add"
                | "update"
                | "insert"
                | "unshift"
                | "concat"
                | "<<"
        ) && args.iter().any(|a| a.taint != 0)
            && let Some(target) = callee_node
                .map(unwrap_parens)
                .and_then(|c| {
                    c.child_by_field_name("object")
                        .or_else(|| c.child_by_field_name("operand"))
                })
                .or(recv_node)
            && matches!(
                target.kind(),
                "identifier" | "attribute" | "member_expression"
            )
        {
            let mut holder = recv.clone().unwrap_or_default();
            for a in &args {
                holder.absorb(a);
            }
            holder.add_origin(line_of(node));
            holder.reference = false;
            self.assign(target, holder);
        }
        // Callbacks and blocks: the downloaded body, the file's content.
        let mut param = Value::default();
        param.absorb(&out);
        if let Some(r) = &recv
            && !r.reference
        {
            param.absorb(r);
        }
        for cb in callbacks {
            let body_ret = self.function_literal(cb, &param);
            if method == "map" {
                out.absorb(&body_ret);
            }
        }
        if !name.is_empty() {
            let mut recorded = args.clone();
            if let Some(r) = &recv
                && !r.reference
            {
                recorded.push(r.clone());
            }
            self.note_downloads(&name, &mut recorded, node);
            self.record_call(&name, recorded, node);
        }
        out
    }

    /// Files written by a download (`urlretrieve(url, path)`, `curl … -o path`
    /// in a command string) are remembered; a later execution of such a path
    /// gets the `downloaded` taint.
    fn note_downloads(&mut self, name: &str, recorded: &mut Vec<Value>, node: Node<'_>) {
        let Some(downloaded_bit) = self.apis.taint_bit("downloaded") else {
            return;
        };
        let shell = self.apis.capabilities.get("shell");
        let exec = self.apis.capabilities.get("exec");
        let is_shell = shell.is_some_and(|s| s.contains(self.lang, name));
        let is_exec = is_shell || exec.is_some_and(|s| s.contains(self.lang, name));
        let method = name.rsplit('.').next().unwrap_or(name);
        if matches!(method, "urlretrieve" | "download" | "downloadfile") && recorded.len() >= 2 {
            if let Some(t) = recorded[1].text.clone() {
                self.downloaded_files.push(t);
            }
            return;
        }
        // `fs.writeFileSync(dest, body)`, `[IO.File]::WriteAllBytes(p, $b)`:
        // downloaded bytes written to a named file make it downloaded code
        // when that file is run later.
        if recorded.len() >= 2
            && recorded[1..].iter().any(|a| a.taint & downloaded_bit != 0)
            && self
                .apis
                .capabilities
                .get("file-write")
                .is_some_and(|w| w.contains(self.lang, name))
            && let Some(t) = recorded[0].text.clone().filter(|t| t.len() >= 3)
        {
            self.downloaded_files.push(t);
            return;
        }
        // An earlier download run now: check before noting this call's own.
        let runs_earlier_download = is_exec
            && !self.downloaded_files.is_empty()
            && recorded.iter().any(|a| {
                a.flat_text().is_some_and(|t| {
                    self.downloaded_files
                        .iter()
                        .any(|f| f.len() >= 3 && runs_file(&t, f))
                })
            });
        if is_shell {
            for a in recorded.iter() {
                let Some(t) = a.flat_text() else { continue };
                let words: Vec<&str> = t.split_whitespace().collect();
                let Some(tool) = words
                    .iter()
                    .find(|w| matches!(**w, "curl" | "wget"))
                    .copied()
                else {
                    continue;
                };
                for pair in words.windows(2) {
                    // curl `-o FILE`; wget `-O FILE` (curl's `-O` takes no value).
                    let takes_file = if tool == "curl" {
                        matches!(pair[0], "-o" | "--output")
                    } else {
                        matches!(pair[0], "-O" | "--output-document")
                    };
                    let file = pair[1].trim_matches(['"', '\'']);
                    if takes_file && !file.contains("://") && file != "-" {
                        self.downloaded_files.push(file.to_owned());
                    }
                }
            }
        }
        if runs_earlier_download {
            let mut v = Value::default();
            v.taint |= downloaded_bit;
            v.add_origin(line_of(node));
            recorded.push(v);
        }
    }

    /// Constant folding of the calls that build or decode strings, and of
    /// the dynamic imports that name modules.
    fn fold(
        &mut self,
        name: &str,
        method: &str,
        recv: Option<&Value>,
        args: &[Value],
        arg_nodes: &[Node<'_>],
        node: Node<'_>,
    ) -> Value {
        let first = args.first();
        let first_text = first.and_then(Value::exact).map(str::to_owned);
        match (name, method) {
            ("__import__" | "importlib.import_module" | "require" | "import", _)
            | (_, "require" | "__import__")
                if first_text.is_some() =>
            {
                let module = normalise_module(first_text.as_deref().unwrap_or_default());
                let mut v = Value::named(module);
                self.name_taint(&mut v, node);
                v
            }
            ("getattr", _) | ("Reflect.get", _) if args.len() >= 2 => {
                let Some(attr) = args[1].exact().map(str::to_owned) else {
                    return Value::default();
                };
                let base = args[0].clone();
                // A name assembled from pieces is reported by the string
                // rules (`api-name-assembled`); dynamic attribute access by
                // itself is ordinary.
                let mut v = self.member(&base, &attr, node);
                v.absorb(&args[1]);
                v
            }
            ("chr" | "unichr" | "String.fromCharCode" | "String.fromCodePoint", _) => {
                let mut codes: Vec<i64> = args.iter().filter_map(|a| a.num).collect();
                if codes.is_empty()
                    && let Some(list) = first.and_then(|a| a.list.as_ref())
                {
                    codes = list.iter().filter_map(|a| a.num).collect();
                }
                let text: String = codes
                    .iter()
                    .filter_map(|c| u32::try_from(*c).ok().and_then(char::from_u32))
                    .collect();
                if text.is_empty() {
                    return Value::default();
                }
                let mut v = Value::text(text);
                v.taint |= OBFUSCATED;
                v
            }
            (_, "fromCharCode" | "fromCodePoint") | ("String.fromCharCode.apply", _) => {
                let list = args.iter().find_map(|a| a.list.clone()).unwrap_or_default();
                let text: String = list
                    .iter()
                    .filter_map(|a| a.num)
                    .filter_map(|c| u32::try_from(c).ok().and_then(char::from_u32))
                    .collect();
                let mut v = Value::text(text);
                v.taint |= OBFUSCATED;
                v
            }
            (_, "join") => {
                let (list, sep) = match (
                    recv.and_then(|r| r.list.clone()),
                    recv.and_then(|r| r.exact().map(str::to_owned)),
                ) {
                    (Some(list), _) => (
                        Some(list),
                        first_text.clone().unwrap_or_else(|| ",".to_owned()),
                    ),
                    (None, Some(sep)) => (first.and_then(|a| a.list.clone()), sep),
                    _ => (None, String::new()),
                };
                if name.starts_with("os.path.") || name.starts_with("path.") {
                    return self.path_join(args, node);
                }
                match list {
                    Some(list) => {
                        let pieces: Vec<String> = list.iter().map(Value::piece).collect();
                        let t = cap(pieces.join(&sep));
                        let mut v = Value::text(t.clone());
                        // Joining words is ordinary; assembling text from
                        // single characters or tiny pieces is not.
                        if tiny_pieces(&list) {
                            v.taint |= OBFUSCATED;
                            v.add_origin(line_of(node));
                            if let Some(l) = recv.and_then(|r| r.def_line) {
                                v.add_origin(l);
                            }
                        }
                        for item in &list {
                            v.absorb(item);
                        }
                        if !t.contains(HOLE) {
                            self.string_fact(&t, node, true);
                        }
                        v
                    }
                    None => Value::default(),
                }
            }
            (_, "resolve") if name.starts_with("path.") => self.path_join(args, node),
            ("path/filepath.Join" | "path.Join", _) => self.path_join(args, node),
            ("strings.Join", _) => {
                let sep = args.get(1).and_then(Value::exact).unwrap_or("").to_owned();
                match first.and_then(|a| a.list.clone()) {
                    Some(list) => {
                        let t = cap(list.iter().map(Value::piece).collect::<Vec<_>>().join(&sep));
                        if !t.contains(HOLE) {
                            self.string_fact(&t, node, true);
                        }
                        let mut v = Value::text(t);
                        if tiny_pieces(&list) {
                            v.taint |= OBFUSCATED;
                            v.add_origin(line_of(node));
                            if let Some(l) = first.and_then(|f| f.def_line) {
                                v.add_origin(l);
                            }
                        }
                        for item in &list {
                            v.absorb(item);
                        }
                        v
                    }
                    None => Value::default(),
                }
            }
            (
                "os.path.expanduser" | "os.path.expandvars" | "os.path.abspath" | "pathlib.Path"
                | "Path" | "File.expand_path" | "os.path.normpath",
                _,
            ) => first
                .cloned()
                .map(|v| Value {
                    name: None,
                    reference: false,
                    ..v
                })
                .unwrap_or_default(),
            (
                "os.homedir"
                | "os.path.expanduser.~"
                | "Path.home"
                | "pathlib.Path.home"
                | "os.UserHomeDir"
                | "Dir.home",
                _,
            ) => Value::text("~"),
            (_, "reverse" | "reversed") | ("reversed", _) => {
                let src = recv
                    .filter(|r| r.text.is_some() || r.list.is_some())
                    .or(first);
                let Some(src) = src else {
                    return Value::default();
                };
                let mut v = Value {
                    text: src.text.as_ref().map(|t| t.chars().rev().collect()),
                    list: src.list.as_ref().map(|l| l.iter().rev().cloned().collect()),
                    ..Value::default()
                };
                if is_constant(src) {
                    v.taint |= OBFUSCATED;
                }
                v.absorb(src);
                v
            }
            (_, "split") if first_text.as_deref() == Some("") => {
                let list = recv.and_then(|r| r.exact()).map(|t| {
                    t.chars()
                        .take(MAX_LIST)
                        .map(|c| Value::text(c.to_string()))
                        .collect()
                });
                Value {
                    list,
                    ..Value::default()
                }
            }
            (_, "map") if recv.is_some_and(|r| r.list.is_some()) => {
                // `[..].map(c => String.fromCharCode(c))`: apply the callback to each constant.
                let Some(cb) = arg_nodes
                    .iter()
                    .find(|a| matches!(a.kind(), "arrow_function" | "function_expression"))
                else {
                    return Value::default();
                };
                let items = recv.and_then(|r| r.list.clone()).unwrap_or_default();
                let mut results = Vec::new();
                for item in items.into_iter().take(MAX_LIST) {
                    // The callback's parameter is bound to the element itself.
                    let saved = self.ctx;
                    self.ctx &= !context::IMPORT;
                    results.push(self.function_body_with(
                        *cb,
                        &Value::default(),
                        Some(std::slice::from_ref(&item)),
                    ));
                    self.ctx = saved;
                }
                Value {
                    list: Some(results),
                    ..Value::default()
                }
            }
            (
                _,
                "decode" | "encode" | "toString" | "strip" | "trim" | "lower" | "upper"
                | "toLowerCase" | "to_s" | "toUpperCase" | "rstrip" | "lstrip" | "str" | "String"
                | "bytes" | "bytearray" | "string" | "format" | "replace" | "concat" | "unpack1"
                | "unpack" | "pack" | "chr",
            ) if recv.is_some_and(|r| r.text.is_some() || r.list.is_some() || r.num.is_some())
                || (recv.is_none() && first.is_some()) =>
            {
                self.convert(name, method, recv, args, node)
            }
            ("str" | "String" | "bytes" | "bytearray" | "string" | "[]byte", _) => {
                self.convert(name, method, recv, args, node)
            }
            _ => self.decode(name, method, recv, args, node),
        }
    }

    fn path_join(&mut self, args: &[Value], node: Node<'_>) -> Value {
        let text = cap(args.iter().map(Value::piece).collect::<Vec<_>>().join("/"));
        if args.iter().any(|a| a.text.is_some()) {
            self.string_fact(&text, node, true);
        }
        let mut v = Value::text(text);
        for a in args {
            v.absorb(a);
        }
        if self.names_credential_store(&v) {
            // The pieces of a credential store's path are part of the flow
            // that reads it (`home = os.UserHomeDir()`).
            for a in args.iter().filter(|a| !a.reference) {
                if let Some(l) = a.def_line {
                    v.add_origin(l);
                }
            }
            v.add_origin(line_of(node));
        }
        v
    }

    /// Conversions that keep the text: `.decode()`, `str()`, `bytes([…])`, `.toString('base64')`.
    fn convert(
        &mut self,
        name: &str,
        method: &str,
        recv: Option<&Value>,
        args: &[Value],
        node: Node<'_>,
    ) -> Value {
        let src = recv.or(args.first());
        let Some(src) = src else {
            return Value::default();
        };
        let arg0 = args
            .first()
            .and_then(Value::exact)
            .unwrap_or("")
            .to_ascii_lowercase();
        // Python 2 `'…'.decode('base64')`, Ruby `'…'.unpack1('m')`.
        if (method == "decode"
            && matches!(
                arg0.as_str(),
                "base64" | "hex" | "rot13" | "rot_13" | "zlib"
            ))
            || (matches!(method, "unpack1" | "unpack") && arg0.starts_with('m'))
        {
            let kind = if arg0.starts_with('m') {
                "base64"
            } else {
                arg0.as_str()
            };
            return self.decoded(src.exact(), kind, node);
        }
        if method == "chr" && recv.is_some_and(|r| r.num.is_some()) {
            let c = recv
                .and_then(|r| r.num)
                .and_then(|n| u32::try_from(n).ok())
                .and_then(char::from_u32);
            let mut v = Value::text(c.map(String::from).unwrap_or_default());
            v.taint |= OBFUSCATED;
            return v;
        }
        if method == "pack"
            && recv.is_some_and(|r| r.list.is_some())
            && arg0.starts_with(['c', 'u'])
        {
            let text: String = recv
                .and_then(|r| r.list.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|a| a.num)
                .filter_map(|c| u32::try_from(c).ok().and_then(char::from_u32))
                .collect();
            let mut v = Value::text(text);
            v.taint |= OBFUSCATED;
            return v;
        }
        let mut v = Value::default();
        v.absorb(src);
        v.text.clone_from(&src.text);
        if v.text.is_none()
            && let Some(list) = &src.list
            && list.iter().all(|i| i.num.is_some())
            && !list.is_empty()
        {
            // `bytes([99, 117, 114, 108])`, `string([]byte{…})`.
            v.text = Some(
                list.iter()
                    .filter_map(|i| i.num)
                    .filter_map(|c| u8::try_from(c).ok())
                    .map(char::from)
                    .collect(),
            );
            v.taint |= OBFUSCATED;
        }
        if matches!(method, "lower" | "toLowerCase") {
            v.text = v.text.map(|t| t.to_lowercase());
        }
        if matches!(name, "str" | "String") && src.num.is_some() {
            v.text = src.num.map(|n| n.to_string());
        }
        v
    }

    /// Decoders: base64, hex, rot13 applied to constants, so that what the
    /// code hides is matched like what it shows.
    fn decode(
        &mut self,
        name: &str,
        method: &str,
        recv: Option<&Value>,
        args: &[Value],
        node: Node<'_>,
    ) -> Value {
        let first = args.first();
        let kind = match (name, method) {
            (
                "base64.b64decode"
                | "base64.decodebytes"
                | "base64.standard_b64decode"
                | "base64.decodestring"
                | "binascii.a2b_base64"
                | "atob"
                | "Base64.decode64"
                | "Base64.strict_decode64"
                | "Base64.urlsafe_decode64",
                _,
            )
            | (_, "DecodeString")
                if !name.contains("hex") =>
            {
                "base64"
            }
            ("base64.urlsafe_b64decode", _) => "base64url",
            (
                "bytes.fromhex"
                | "binascii.unhexlify"
                | "binascii.a2b_hex"
                | "encoding/hex.DecodeString",
                _,
            ) => "hex",
            ("codecs.decode", _) => match args
                .get(1)
                .and_then(Value::exact)
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("rot13" | "rot_13" | "rot-13") => "rot13",
                Some("hex" | "hex_codec") => "hex",
                Some("base64" | "base64_codec") => "base64",
                _ => "",
            },
            ("Buffer.from" | "new Buffer" | "Buffer", _) => {
                match args
                    .get(1)
                    .and_then(Value::exact)
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("base64" | "base64url") => "base64",
                    Some("hex") => "hex",
                    _ => {
                        // `Buffer.from([…])` and `Buffer.from(s)` keep the text.
                        return self.convert(name, method, None, args, node);
                    }
                }
            }
            (
                "zlib.decompress"
                | "gzip.decompress"
                | "bz2.decompress"
                | "lzma.decompress"
                | "marshal.loads"
                | "pickle.loads"
                | "zlib.inflateSync"
                | "zlib.gunzipSync"
                | "Zlib::Inflate.inflate"
                | "Zlib.inflate",
                _,
            ) => {
                let mut v = Value::default();
                v.taint |= DECODED;
                return v;
            }
            _ => "",
        };
        if kind.is_empty() {
            return Value::default();
        }
        let src = first.or(recv);
        self.decoded(src.and_then(Value::exact), kind, node)
    }

    fn decoded(&mut self, input: Option<&str>, kind: &str, node: Node<'_>) -> Value {
        let mut v = Value::default();
        v.taint |= DECODED;
        v.origins.push(line_of(node));
        let Some(input) = input else {
            return v;
        };
        let bytes: Option<Vec<u8>> = match kind {
            "base64" | "base64url" => {
                let cleaned: String = input.chars().filter(|c| !c.is_whitespace()).collect();
                let cleaned = cleaned.replace('-', "+").replace('_', "/");
                let trimmed = cleaned.trim_end_matches('=');
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(trimmed)
                    .ok()
            }
            "hex" => {
                let cleaned: String = input.chars().filter(char::is_ascii_hexdigit).collect();
                (0..cleaned.len() / 2)
                    .map(|i| u8::from_str_radix(&cleaned[2 * i..2 * i + 2], 16).ok())
                    .collect()
            }
            "rot13" => Some(
                input
                    .bytes()
                    .map(|b| match b {
                        b'a'..=b'z' => (b - b'a' + 13) % 26 + b'a',
                        b'A'..=b'Z' => (b - b'A' + 13) % 26 + b'A',
                        _ => b,
                    })
                    .collect(),
            ),
            _ => None,
        };
        if let Some(bytes) = bytes {
            let text = cap(String::from_utf8_lossy(&bytes).into_owned());
            self.hidden_fact(&text, node);
            v.text = Some(text);
        }
        v
    }

    // ------------------------------------------------------------ shell

    fn pipeline(&mut self, node: Node<'_>) -> Value {
        let mut stdin = Value::default();
        for c in named_children(node) {
            let v = if c.kind() == "command" {
                self.shell_command(c, &stdin)
            } else {
                self.eval(c)
            };
            stdin = Value {
                taint: v.taint,
                origins: v.origins.clone(),
                ..Value::default()
            };
        }
        stdin
    }

    fn shell_command(&mut self, node: Node<'_>, stdin: &Value) -> Value {
        let Some(name_node) = node.child_by_field_name("name") else {
            return self.children_join(node);
        };
        for c in named_children(node) {
            if c.kind() == "variable_assignment" {
                self.eval(c);
            }
        }
        let name_value = self.eval(name_node);
        let raw = name_value.text.clone().unwrap_or_default();
        let name = raw.rsplit('/').next().unwrap_or(&raw).to_owned();
        let mut args: Vec<Value> = field_children(node, "argument")
            .into_iter()
            .map(|a| self.eval(a))
            .collect();
        // Redirections of a command are read as arguments (`> /etc/cron.d/x`).
        if let Some(parent) = node.parent()
            && parent.kind() == "redirected_statement"
        {
            for r in field_children(parent, "redirect") {
                let v = self.eval(r);
                args.push(Value::text(self.node_text(r)).with(&v));
            }
        }
        let mut out = Value::default();
        for a in &args {
            out.absorb(a);
        }
        out.absorb(stdin);
        let source = self.source_taint(&name, &args, None);
        if source != 0 {
            out.taint |= source;
            out.origins.push(line_of(node));
        }
        // `curl … -o FILE` then `./FILE`: the file is downloaded code.
        let texts: Vec<&str> = args
            .iter()
            .map(|a| a.text.as_deref().unwrap_or(""))
            .collect();
        if matches!(name.as_str(), "curl" | "wget") {
            for pair in texts.windows(2) {
                // curl `-o FILE`; wget `-O FILE` (curl's `-O` takes no value).
                let takes_file = if name == "curl" {
                    matches!(pair[0], "-o" | "--output")
                } else {
                    matches!(pair[0], "-O" | "--output-document")
                };
                if takes_file && pair[1] != "-" {
                    self.downloaded_files
                        .push(pair[1].trim_start_matches("./").to_owned());
                }
            }
        }
        let program = raw.trim_start_matches("./");
        let runs_download = !program.is_empty()
            && self
                .downloaded_files
                .iter()
                .any(|f| f == program || f.rsplit('/').next() == Some(program))
            || (matches!(
                name.as_str(),
                "sh" | "bash" | "python" | "python3" | "perl" | "node"
            ) && texts.iter().any(|t| {
                self.downloaded_files
                    .iter()
                    .any(|f| f == t.trim_start_matches("./"))
            }));
        let downloaded_bit = self.apis.taint_bit("downloaded").unwrap_or(0);
        // Piped input is executed only by an interpreter that is given no
        // script, module or code of its own (`curl … | sh`, not
        // `curl … | python3 -m json.tool`).
        let reads_program_from_stdin = args.iter().all(|a| {
            let t = a.text.as_deref().unwrap_or("");
            t == "-" || (t.starts_with('-') && !matches!(t, "-m" | "-c" | "-e" | "-f" | "--file"))
        });
        let mut recorded = args;
        if stdin.taint != 0 && reads_program_from_stdin {
            recorded.push(stdin.clone());
        }
        if runs_download && downloaded_bit != 0 {
            let mut v = Value::text(raw.clone());
            v.taint |= downloaded_bit;
            v.add_origin(line_of(node));
            // Running a downloaded file is an execution of its own.
            self.record_call("run-downloaded-file", vec![v.clone()], node);
            recorded.push(v);
        }
        // `sh -c "…"`, `eval "…"`: the string is shell code of its own.
        self.record_call(&name, recorded, node);
        out
    }
}

impl Value {
    fn with(mut self, other: &Value) -> Value {
        self.absorb(other);
        self
    }
}

/// Whether a value is a constant the code wrote down (a literal text, or a
/// list of literal texts or numbers), as opposed to data it computed.
/// Joining words is ordinary; assembling text from single characters or
/// tiny pieces is not.
fn tiny_pieces(list: &[Value]) -> bool {
    list.len() >= 3
        && list
            .iter()
            .all(|i| i.exact().is_some_and(|t| !t.is_empty() && t.len() <= 2))
}

/// Whether the command line `t` runs the file `f`: as the program, or as
/// the script of an interpreter or launcher (`sh f`, `python3 f`,
/// `cmd /c start f`). `tar xf f` or `sha256sum f` reads it, which is not
/// running it.
fn runs_file(t: &str, f: &str) -> bool {
    const LAUNCHERS: &[&str] = &[
        "sh",
        "bash",
        "zsh",
        "dash",
        "ksh",
        "python",
        "python3",
        "python2",
        "pythonw",
        "node",
        "perl",
        "ruby",
        "php",
        "pwsh",
        "powershell",
        "powershell.exe",
        "cmd",
        "cmd.exe",
        "/c",
        "start",
        "open",
        "msiexec",
        "msiexec.exe",
        "wscript",
        "cscript",
        "rundll32",
        "mshta",
        "nohup",
        "setsid",
        "sudo",
        "exec",
        "xdg-open",
        "osascript",
        "-File",
        "-file",
        "/i",
    ];
    for w in t.split_whitespace().map(|w| w.trim_matches(['"', '\''])) {
        if w == f {
            return true;
        }
        let base = w.rsplit(['/', '\\']).next().unwrap_or(w);
        if !(LAUNCHERS.contains(&base) || (w.starts_with('-') && w.len() <= 3)) {
            return false;
        }
    }
    false
}

fn is_constant(v: &Value) -> bool {
    v.exact().is_some_and(|t| !t.is_empty())
        || v.list.as_ref().is_some_and(|l| {
            !l.is_empty() && l.iter().all(|i| i.exact().is_some() || i.num.is_some())
        })
}

fn unwrap_parens(mut node: Node<'_>) -> Node<'_> {
    while node.kind() == "parenthesized_expression" {
        match named_children(node).first() {
            Some(inner) => node = *inner,
            None => break,
        }
    }
    node
}

fn collect_param_names(node: Node<'_>, src: &[u8], out: &mut Vec<String>) {
    if out.len() > 32 {
        return;
    }
    match node.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            if let Ok(t) = std::str::from_utf8(&src[node.byte_range()]) {
                out.push(t.to_owned());
            }
        }
        "type_annotation" | "type" | "default_value" => {}
        _ => {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            for c in children {
                if c.kind() == "type" || c.kind() == "type_annotation" {
                    continue;
                }
                // Python `def f(x=1)`: only the name.
                if c.kind() == "default_parameter"
                    || c.kind() == "typed_parameter"
                    || c.kind() == "typed_default_parameter"
                {
                    if let Some(n) = c.child_by_field_name("name").or_else(|| c.named_child(0)) {
                        collect_param_names(n, src, out);
                    }
                    continue;
                }
                collect_param_names(c, src, out);
            }
        }
    }
}

/// Keys under which credentials authenticate a request rather than leave in it.
fn is_auth_key(key: &str) -> bool {
    let key = key
        .trim_matches(|c| c == '"' || c == '\'' || c == ':')
        .to_ascii_lowercase();
    matches!(
        key.as_str(),
        "headers"
            | "authorization"
            | "auth"
            | "x-api-key"
            | "proxy-authorization"
            | "bearer"
            | "token_auth"
    )
}

fn normalise_module(m: &str) -> String {
    m.trim_start_matches("node:").to_owned()
}

fn unescape(esc: &str) -> String {
    let body = &esc[1.min(esc.len())..];
    let parse = |hex: &str| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
    let c = match body.chars().next() {
        Some('n') => Some('\n'),
        Some('t') => Some('\t'),
        Some('r') => Some('\r'),
        Some('0') if body.len() == 1 => Some('\0'),
        Some('x') => parse(&body[1..]),
        Some('u') => parse(body[1..].trim_matches(['{', '}'])),
        Some('U') => parse(&body[1..]),
        Some(d) if d.is_ascii_digit() => u32::from_str_radix(body, 8).ok().and_then(char::from_u32),
        Some(other) => Some(other),
        None => None,
    };
    c.map_or_else(|| esc.to_owned(), String::from)
}
