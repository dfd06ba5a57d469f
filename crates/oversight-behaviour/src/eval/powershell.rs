//! PowerShell, lowered onto the evaluator's values.
//!
//! PowerShell is case-insensitive: variables, commands, types and members
//! are canonical in lower case (`$env:temp`, `invoke-expression`,
//! `convert.frombase64string`, `net.webclient().downloadstring`). Aliases
//! are resolved (`iex`, `iwr`, `irm`, `saps`, `gc`…), `System.` is dropped
//! from type names, and the strings an obfuscator builds are folded:
//! concatenation, `-f` formatting, `-join`, `-replace`, `[char]` casts and
//! character indexing of well-known variables (`$env:ComSpec[4,15,25]`).

use tree_sitter::Node;

use super::{Evaluator, HOLE, OBFUSCATED, Value, cap, line_of, named_children};

/// Aliases and their cmdlets (lower case).
const ALIASES: &[(&str, &str)] = &[
    ("iex", "invoke-expression"),
    ("iwr", "invoke-webrequest"),
    ("wget", "invoke-webrequest"),
    ("curl", "invoke-webrequest"),
    ("irm", "invoke-restmethod"),
    ("saps", "start-process"),
    ("start", "start-process"),
    ("ii", "invoke-item"),
    ("icm", "invoke-command"),
    ("gc", "get-content"),
    ("cat", "get-content"),
    ("type", "get-content"),
    ("sc", "set-content"),
    ("ac", "add-content"),
    ("cp", "copy-item"),
    ("copy", "copy-item"),
    ("gci", "get-childitem"),
    ("ls", "get-childitem"),
    ("dir", "get-childitem"),
    ("sleep", "start-sleep"),
    ("iwmi", "invoke-wmimethod"),
    ("sal", "set-alias"),
];

/// Values of automatic variables that obfuscators index into to spell
/// command names without writing them (`$ShellId[1]+$ShellId[13]+'x'`).
const WELL_KNOWN: &[(&str, &str)] = &[
    ("$shellid", "Microsoft.PowerShell"),
    ("$env:comspec", "C:\\WINDOWS\\system32\\cmd.exe"),
    ("$pshome", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0"),
    ("$verbosepreference", "SilentlyContinue"),
    ("$env:public", "C:\\Users\\Public"),
];

/// The canonical name of a command as written (`IEX` → `invoke-expression`,
/// `C:\Windows\System32\cmd.exe` stays a path in lower case).
fn command_name(written: &str) -> String {
    let lower = written.trim_matches(['"', '\'']).to_ascii_lowercase();
    // Backticks escape nothing in a name: `I`E`X` is `IEX`.
    let lower: String = lower.chars().filter(|c| *c != '`').collect();
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.clone(), |(_, full)| (*full).to_owned())
}

/// A type name as canonical names use it: lower case, without `System.`.
fn type_name(written: &str) -> String {
    let w = written.trim();
    let w = w.strip_prefix('[').unwrap_or(w);
    let w = w.strip_suffix(']').unwrap_or(w);
    let t = w.trim().to_ascii_lowercase().replace(' ', "");
    t.strip_prefix("system.").map(str::to_owned).unwrap_or(t)
}

/// PowerShell's backtick escapes in a double-quoted string.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '`' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

impl Evaluator<'_> {
    /// The value of a PowerShell node, or `None` for the kinds the
    /// language-independent evaluation handles (comments, errors, blocks).
    pub(super) fn powershell(&mut self, node: Node<'_>) -> Option<Value> {
        let kind = node.kind();
        Some(match kind {
            "expandable_string_literal" | "expandable_here_string_literal" => {
                self.ps_expandable(node)
            }
            "verbatim_string_characters" | "verbatim_here_string_characters" => {
                let raw = self.node_text(node);
                let inner = if kind == "verbatim_here_string_characters" {
                    raw.trim_start_matches("@'")
                        .trim_end_matches("'@")
                        .trim_matches(['\r', '\n'])
                } else {
                    raw.strip_prefix('\'')
                        .and_then(|r| r.strip_suffix('\''))
                        .unwrap_or(raw)
                };
                let text = inner.replace("''", "'");
                self.string_fact(&text, node, false);
                Value::text(text)
            }
            "decimal_integer_literal" | "hexadecimal_integer_literal" => {
                let t = self.node_text(node).to_ascii_lowercase();
                let n = match t.strip_prefix("0x") {
                    Some(h) => i64::from_str_radix(h, 16).ok(),
                    None => t.trim_end_matches(['l', 'd']).parse().ok(),
                };
                Value {
                    num: n,
                    ..Value::default()
                }
            }
            "variable" | "braced_variable" => self.ps_variable(node),
            "assignment_expression" => self.ps_assignment(node),
            "additive_expression" | "additive_argument_expression" => {
                let children = named_children(node);
                if children.len() < 2 {
                    return Some(self.children_join(node));
                }
                let left = self.eval(children[0]);
                let right = self.eval(children[children.len() - 1]);
                let op = if self.node_text(node)[children[0].end_byte() - node.start_byte()..]
                    .trim_start()
                    .starts_with('-')
                {
                    "-"
                } else {
                    "+"
                };
                self.binary(op, &left, &right, node)
            }
            "array_literal_expression" | "array_expression" => {
                let children = named_children(node);
                if children.len() == 1 && kind == "array_literal_expression" {
                    return Some(self.eval(children[0]));
                }
                let mut out = Value::default();
                let mut items = Vec::new();
                for c in children {
                    let v = self.eval(c);
                    out.absorb(&v);
                    match v.list {
                        // `@(1, 2)` holds one array literal.
                        Some(inner) if kind == "array_expression" => items.extend(inner),
                        _ => items.push(v),
                    }
                }
                out.list = Some(items);
                out
            }
            "format_expression" | "format_argument_expression" => self.ps_format(node),
            "comparison_expression" | "comparison_argument_expression" => self.ps_comparison(node),
            "expression_with_unary_operator" => self.ps_unary(node),
            "cast_expression" => self.ps_cast(node),
            "element_access" => self.ps_index(node),
            "type_literal" => Value::named(type_name(self.node_text(node))),
            "member_access" => {
                let children = named_children(node);
                let base = children.first().map(|c| self.eval(*c)).unwrap_or_default();
                let member = children
                    .iter()
                    .rev()
                    .find(|c| c.kind() == "member_name")
                    .map(|m| self.ps_member_name(*m))
                    .unwrap_or_default();
                self.member(&base, &member, node)
            }
            "invokation_expression" => self.ps_invoke(node),
            "command" => self.ps_command(node, None),
            "pipeline" | "pipeline_chain" => {
                // `a | b`: what `a` gives is `b`'s input.
                let mut input: Option<Value> = None;
                let mut last = Value::default();
                for c in named_children(node) {
                    let v = if c.kind() == "command" {
                        self.ps_command(c, input.as_ref())
                    } else {
                        self.eval(c)
                    };
                    input = Some(v.clone());
                    last = v;
                }
                last
            }
            "function_statement" | "script_block_expression" | "script_block" => {
                self.children_join(node);
                Value::default()
            }
            "hash_literal_expression" | "hash_literal_body" | "hash_entry" => {
                self.children_join(node)
            }
            "comment" | "ERROR" | "program" => return None,
            _ => self.children_join(node),
        })
    }

    /// A double-quoted string: its text with `$var` and `$(…)` folded in.
    fn ps_expandable(&mut self, node: Node<'_>) -> Value {
        let raw = self.node_text(node);
        let start = node.start_byte();
        let mut out = Value::default();
        let mut text = String::new();
        let mut at = start;
        for c in named_children(node) {
            text.push_str(&self.src_str(at, c.start_byte()));
            let v = self.eval(c);
            text.push_str(&v.piece());
            out.absorb(&v);
            at = c.end_byte();
        }
        text.push_str(&self.src_str(at, node.end_byte()));
        let _ = raw;
        let text = text
            .trim_start_matches("@\"")
            .trim_end_matches("\"@")
            .trim_matches('"')
            .to_owned();
        let text = cap(unescape(&text));
        if !text.contains(HOLE) {
            self.string_fact(&text, node, false);
        }
        out.text = Some(text);
        out
    }

    fn src_str(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(&self.src[from.min(to)..to]).into_owned()
    }

    fn ps_variable(&mut self, node: Node<'_>) -> Value {
        let name = self
            .node_text(node)
            .trim_start_matches("${")
            .trim_end_matches('}')
            .to_ascii_lowercase();
        let name = if name.starts_with('$') {
            name
        } else {
            format!("${name}")
        };
        let name = name.replace("$global:", "$").replace("$script:", "$");
        if let Some(v) = self.lookup(&name) {
            return v;
        }
        let mut v = Value::named(name.clone());
        if let Some((_, text)) = WELL_KNOWN.iter().find(|(n, _)| *n == name) {
            v.text = Some((*text).to_owned());
        }
        self.name_taint(&mut v, node);
        v.reference = false;
        v
    }

    fn ps_assignment(&mut self, node: Node<'_>) -> Value {
        let children = named_children(node);
        let Some(right) = children.last().copied() else {
            return Value::default();
        };
        let mut value = self.eval(right);
        let op = children
            .iter()
            .find(|c| c.kind() == "assignement_operator")
            .map_or("=", |o| self.node_text(*o));
        let target = children.first().copied().and_then(|l| {
            let mut n = l;
            // The variable under `left_assignment_expression` and its wrappers.
            loop {
                if n.kind() == "variable" {
                    return Some(n);
                }
                n = *named_children(n).first()?;
            }
        });
        let Some(target) = target else {
            return value;
        };
        let name = self.ps_variable_key(target);
        if op == "+=" {
            let old = self.lookup(&name).unwrap_or_default();
            value = self.binary("+", &old, &value, node);
        }
        value.def_line = Some(line_of(node));
        if value.taint != 0 {
            value.add_origin(line_of(node));
        }
        self.bind(&name, value.clone());
        value
    }

    fn ps_variable_key(&self, node: Node<'_>) -> String {
        let name = self
            .node_text(node)
            .trim_start_matches("${")
            .trim_end_matches('}')
            .to_ascii_lowercase();
        let name = if name.starts_with('$') {
            name
        } else {
            format!("${name}")
        };
        name.replace("$global:", "$").replace("$script:", "$")
    }

    /// `'{1}{0}' -f 'X','IE'`.
    fn ps_format(&mut self, node: Node<'_>) -> Value {
        let children = named_children(node);
        let is_format = children.iter().any(|c| c.kind() == "format_operator");
        if !is_format || children.len() < 3 {
            return self.children_join(node);
        }
        let template = self.eval(children[0]);
        let args = self.eval(children[children.len() - 1]);
        let items: Vec<Value> = args.list.clone().unwrap_or_else(|| vec![args.clone()]);
        let mut out = Value::default();
        out.absorb(&template);
        out.absorb(&args);
        let Some(t) = template.text.clone() else {
            return out;
        };
        let mut text = String::new();
        let mut rest = t.as_str();
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                text.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let spec = &after[..close];
            let index: Option<usize> = spec
                .split([',', ':'])
                .next()
                .and_then(|i| i.trim().parse().ok());
            match index.and_then(|i| items.get(i)) {
                Some(v) => text.push_str(&v.piece()),
                None => {
                    text.push('{');
                    text.push_str(spec);
                    text.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        text.push_str(rest);
        let text = cap(text);
        if items.len() >= 2
            && items
                .iter()
                .all(|i| i.exact().is_some_and(|s| s.len() <= 3))
        {
            out.taint |= OBFUSCATED;
            out.add_origin(line_of(node));
        }
        if !text.contains(HOLE) {
            self.hidden_or_derived(&text, node, out.taint & OBFUSCATED != 0);
        }
        out.text = Some(text);
        out
    }

    fn hidden_or_derived(&mut self, text: &str, node: Node<'_>, hidden: bool) {
        // `IEX` is shorter than the strings worth recording; its cmdlet is not.
        let full;
        let text = if text.len() < 4 && ALIASES.iter().any(|(a, _)| a.eq_ignore_ascii_case(text)) {
            full = command_name(text);
            full.as_str()
        } else {
            text
        };
        if hidden {
            self.hidden_fact(text, node);
        } else {
            self.string_fact(text, node, true);
        }
    }

    /// `-join`, `-replace`, `-split` between two operands.
    fn ps_comparison(&mut self, node: Node<'_>) -> Value {
        let children = named_children(node);
        let op = children
            .iter()
            .find(|c| c.kind() == "comparison_operator")
            .map(|o| self.node_text(*o).to_ascii_lowercase());
        let operands: Vec<Node<'_>> = children
            .iter()
            .copied()
            .filter(|c| c.kind() != "comparison_operator")
            .collect();
        let (Some(op), 2) = (op, operands.len()) else {
            return self.children_join(node);
        };
        let left = self.eval(operands[0]);
        let right = self.eval(operands[1]);
        let mut out = Value::default();
        out.absorb(&left);
        out.absorb(&right);
        match op.trim_start_matches('-').trim_start_matches(['c', 'i']) {
            "join" => {
                let sep = right.exact().unwrap_or("").to_owned();
                if let Some(list) = &left.list {
                    let t = cap(list.iter().map(Value::piece).collect::<Vec<_>>().join(&sep));
                    if super::tiny_pieces(list) {
                        out.taint |= OBFUSCATED;
                        out.add_origin(line_of(node));
                    }
                    if !t.contains(HOLE) {
                        self.hidden_or_derived(&t, node, out.taint & OBFUSCATED != 0);
                    }
                    out.text = Some(t);
                }
            }
            "replace" => {
                let (pattern, replacement) = match &right.list {
                    Some(l) => (
                        l.first().and_then(|v| v.exact().map(str::to_owned)),
                        l.get(1)
                            .and_then(|v| v.exact().map(str::to_owned))
                            .unwrap_or_default(),
                    ),
                    None => (right.exact().map(str::to_owned), String::new()),
                };
                if let (Some(text), Some(pattern)) = (left.exact(), pattern)
                    && let Ok(re) = regex::RegexBuilder::new(&pattern)
                        .case_insensitive(true)
                        .size_limit(1 << 16)
                        .build()
                {
                    let t = cap(re.replace_all(text, replacement.as_str()).into_owned());
                    self.string_fact(&t, node, true);
                    out.text = Some(t);
                }
            }
            _ => {}
        }
        out
    }

    /// `-join (…)`, `-not`, `!`, casts written before an operand.
    fn ps_unary(&mut self, node: Node<'_>) -> Value {
        let text = self.node_text(node).trim_start().to_ascii_lowercase();
        let operand = named_children(node)
            .last()
            .map(|c| self.eval(*c))
            .unwrap_or_default();
        if text.starts_with("-join")
            && let Some(list) = &operand.list
        {
            let t = cap(list.iter().map(Value::piece).collect::<String>());
            let mut out = Value::text(t.clone());
            out.absorb(&operand);
            if super::tiny_pieces(list) || operand.taint & OBFUSCATED != 0 {
                out.taint |= OBFUSCATED;
                out.add_origin(line_of(node));
            }
            if !t.contains(HOLE) {
                self.hidden_or_derived(&t, node, out.taint & OBFUSCATED != 0);
            }
            return out;
        }
        operand
    }

    /// `[char]73`, `[char[]](73, 69, 88)`, `[string]…`, `[scriptblock]…`.
    fn ps_cast(&mut self, node: Node<'_>) -> Value {
        let children = named_children(node);
        let ty = children
            .iter()
            .find(|c| c.kind() == "type_literal")
            .map(|t| type_name(self.node_text(*t)))
            .unwrap_or_default();
        let operand = children
            .iter()
            .rev()
            .find(|c| c.kind() != "type_literal")
            .map(|c| self.eval(*c))
            .unwrap_or_default();
        let to_char = |v: &Value| -> Option<char> {
            v.num
                .or_else(|| v.exact().and_then(|t| t.trim().parse().ok()))
                .and_then(|n| u32::try_from(n).ok())
                .and_then(char::from_u32)
        };
        match ty.as_str() {
            "char" => match to_char(&operand) {
                Some(c) => {
                    let mut v = Value::text(c.to_string());
                    v.absorb(&operand);
                    v.taint |= OBFUSCATED;
                    v
                }
                None => operand,
            },
            "char[]" => match &operand.list {
                Some(list) => {
                    let chars: Vec<Value> = list
                        .iter()
                        .filter_map(|v| to_char(v).map(|c| Value::text(c.to_string())))
                        .collect();
                    let mut v = Value::default();
                    v.absorb(&operand);
                    v.taint |= OBFUSCATED;
                    v.list = Some(chars);
                    v
                }
                None => operand,
            },
            _ => operand,
        }
    }

    /// `$env:ComSpec[4,15,25]`, `$ShellId[1]`: characters of a string.
    fn ps_index(&mut self, node: Node<'_>) -> Value {
        let children = named_children(node);
        let Some(base) = children.first().map(|c| self.eval(*c)) else {
            return Value::default();
        };
        let index = children.get(1).map(|c| self.eval(*c)).unwrap_or_default();
        let mut out = Value::default();
        out.absorb(&base);
        out.absorb(&index);
        let indexes: Vec<i64> = match (&index.list, index.num) {
            (Some(l), _) => l.iter().filter_map(|v| v.num).collect(),
            (None, Some(n)) => vec![n],
            _ => Vec::new(),
        };
        if let Some(text) = base.exact()
            && !indexes.is_empty()
        {
            let chars: Vec<char> = text.chars().collect();
            let pick = |i: i64| -> Option<char> {
                let len = i64::try_from(chars.len()).ok()?;
                let at = if i < 0 { len + i } else { i };
                usize::try_from(at).ok().and_then(|a| chars.get(a).copied())
            };
            let picked: Vec<Value> = indexes
                .iter()
                .filter_map(|i| pick(*i).map(|c| Value::text(c.to_string())))
                .collect();
            out.taint |= OBFUSCATED;
            out.add_origin(line_of(node));
            if picked.len() == 1 {
                out.text.clone_from(&picked[0].text);
            } else {
                out.list = Some(picked);
            }
        } else if let Some(list) = &base.list
            && let [i] = indexes.as_slice()
            && let Some(item) = usize::try_from(*i).ok().and_then(|i| list.get(i))
        {
            let mut v = item.clone();
            v.absorb(&out);
            return v;
        }
        out
    }

    /// The member's name: written, or folded from a variable (`.$m(…)`).
    fn ps_member_name(&mut self, node: Node<'_>) -> String {
        let inner = named_children(node);
        match inner.first() {
            Some(c) if c.kind() == "simple_name" => self.node_text(*c).to_ascii_lowercase(),
            Some(c) => {
                let v = self.eval(*c);
                match v.exact() {
                    Some(t) => {
                        let t = t.trim_matches(['"', '\'']).to_ascii_lowercase();
                        // A method name the source does not show.
                        self.hidden_fact(&t, *c);
                        t
                    }
                    None => String::new(),
                }
            }
            None => self.node_text(node).to_ascii_lowercase(),
        }
    }

    /// `$wc.DownloadString($u)`, `[Convert]::FromBase64String($s)`,
    /// `[Text.Encoding]::Unicode.GetString($b)`.
    fn ps_invoke(&mut self, node: Node<'_>) -> Value {
        let children = named_children(node);
        let Some(receiver) = children.first().copied() else {
            return Value::default();
        };
        let base = self.eval(receiver);
        let method = children
            .iter()
            .find(|c| c.kind() == "member_name")
            .map(|m| self.ps_member_name(*m))
            .unwrap_or_default();
        let mut args: Vec<Value> = Vec::new();
        if let Some(list) = children.iter().find(|c| c.kind() == "argument_list") {
            let mut stack = vec![*list];
            while let Some(n) = stack.pop() {
                if matches!(n.kind(), "argument_list" | "argument_expression_list") {
                    let mut inner = named_children(n);
                    inner.reverse();
                    stack.extend(inner);
                } else {
                    args.push(self.eval(n));
                }
            }
        }
        let callee = self.member(&base, &method, node);
        let name = callee.name.clone().unwrap_or_else(|| format!(".{method}"));
        let mut out = self.ps_fold(&name, &method, &base, &args, node);
        let source = self.source_taint(&name, &args, Some(&base));
        if source != 0 {
            out.taint |= source;
            out.add_origin(line_of(node));
        }
        if out.taint != 0 {
            // Where the address, the object or the encoded text was written
            // down is part of the flow.
            for a in args.iter().chain(Some(&base)).filter(|a| !a.reference) {
                if let Some(l) = a.def_line {
                    out.add_origin(l);
                }
            }
        }
        for a in &args {
            out.absorb(a);
        }
        if !base.reference {
            out.absorb(&base);
        }
        if out.name.is_none() {
            out.name = Some(format!("{name}()"));
        }
        let mut recorded = args;
        if !base.reference {
            recorded.push(base);
        }
        self.note_downloads(&name, &mut recorded, node);
        self.record_call(&name, recorded, node);
        out
    }

    /// What the calls that decode or build strings give.
    fn ps_fold(
        &mut self,
        name: &str,
        method: &str,
        base: &Value,
        args: &[Value],
        node: Node<'_>,
    ) -> Value {
        let first = args.first();
        match method {
            "frombase64string" => {
                let input = first.and_then(|a| a.exact().map(str::to_owned));
                let mut v = self.decoded(input.as_deref(), "base64", node);
                if let Some(a) = first {
                    v.absorb(a);
                }
                v
            }
            "getstring" => {
                let mut v = first.cloned().unwrap_or_default();
                if name.contains("unicode")
                    && let Some(t) = &v.text
                {
                    let t: String = t.chars().filter(|c| *c != '\0').collect();
                    if !t.contains(HOLE) {
                        self.hidden_fact(&t, node);
                    }
                    v.text = Some(t);
                }
                v.name = None;
                v
            }
            "replace" if args.len() >= 2 => {
                let mut v = Value::default();
                v.absorb(base);
                if let (Some(t), Some(from), Some(to)) =
                    (base.exact(), args[0].exact(), args[1].exact())
                {
                    let t = cap(t.replace(from, to));
                    self.string_fact(&t, node, true);
                    v.text = Some(t);
                }
                v
            }
            "tostring" | "trim" | "tolower" | "toupper" => {
                let mut v = base.clone();
                v.name = None;
                v.reference = false;
                if method == "tolower" {
                    v.text = v.text.map(|t| t.to_lowercase());
                } else if method == "toupper" {
                    v.text = v.text.map(|t| t.to_uppercase());
                }
                v
            }
            "create" if name.contains("scriptblock") => {
                let mut v = Value::named("scriptblock".to_owned());
                v.reference = false;
                if let Some(a) = first {
                    v.absorb(a);
                }
                v
            }
            _ => Value::default(),
        }
    }

    /// A command: its canonical name and its arguments (parameters such as
    /// `-OutFile` are arguments of their own, in lower case). `input` is
    /// what a pipeline hands it.
    fn ps_command(&mut self, node: Node<'_>, input: Option<&Value>) -> Value {
        let children = named_children(node);
        let mut name = String::new();
        let mut args: Vec<Value> = Vec::new();
        for c in &children {
            match c.kind() {
                "command_name" | "path_command_name" => {
                    name = command_name(self.node_text(*c));
                }
                "command_name_expr" => {
                    // `& ($c)`, `& ('ie'+'x')`: a name built at run time.
                    let v = self.eval(*c);
                    name = match v.exact() {
                        Some(t) => {
                            let n = command_name(t);
                            self.hidden_fact(&n, *c);
                            n
                        }
                        None => v.name.clone().unwrap_or_default(),
                    };
                }
                "command_elements" => {
                    for e in named_children(*c) {
                        match e.kind() {
                            "command_argument_sep" => {}
                            "command_parameter" => {
                                args.push(Value::text(self.node_text(e).to_ascii_lowercase()));
                            }
                            "generic_token" => {
                                let t = self.node_text(e).to_owned();
                                if t.contains(['.', '/', ':', '\\']) {
                                    self.string_fact(&t, e, false);
                                }
                                args.push(Value::text(t));
                            }
                            _ => args.push(self.eval(e)),
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(i) = input {
            args.push(i.clone());
        }
        let mut out = Value::default();
        if name == "new-object" {
            // `New-Object Net.WebClient`, `New-Object -TypeName System.Net.Sockets.TCPClient(…)`.
            let ty = args
                .iter()
                .filter_map(|a| a.exact())
                .find(|t| !t.starts_with('-'))
                .map(|t| type_name(t.split('(').next().unwrap_or(t)))
                .unwrap_or_default();
            out.name = Some(format!("{ty}()"));
            for a in &args {
                out.absorb(a);
            }
            self.record_call(&format!("new-object {ty}"), args, node);
            return out;
        }
        if name.is_empty() {
            return out;
        }
        let source = self.source_taint(&name, &args, None);
        if source != 0 {
            out.taint |= source;
            out.add_origin(line_of(node));
        }
        for a in &args {
            out.absorb(a);
        }
        out.name = Some(format!("{name}()"));
        // `iwr … -OutFile f`, `Start-BitsTransfer -Source … -Destination f`.
        if matches!(
            name.as_str(),
            "invoke-webrequest" | "invoke-restmethod" | "start-bitstransfer"
        ) {
            let texts: Vec<String> = args
                .iter()
                .map(|a| a.text.clone().unwrap_or_default())
                .collect();
            for pair in texts.windows(2) {
                if matches!(pair[0].as_str(), "-outfile" | "-destination") && pair[1].len() >= 3 {
                    self.downloaded_files.push(pair[1].clone());
                }
            }
        }
        let mut recorded = args;
        self.note_downloads(&name, &mut recorded, node);
        self.record_call(&name, recorded, node);
        out
    }
}
