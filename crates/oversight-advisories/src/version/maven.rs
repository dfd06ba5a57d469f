//! Maven's `ComparableVersion` ordering (`org.apache.maven.artifact.versioning`).
//!
//! A version is split at `.` and `-` and at every digit/letter transition
//! into a tree of items: numbers, qualifiers and sub-lists (each `-` and
//! each digit-to-letter transition opens a sub-list). Known qualifiers order
//! `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release
//! < sp`, unknown ones after `sp` in lexical order; `a1`, `b1`, `m1` are
//! `alpha1`, `beta1`, `milestone1`. Trailing zeros and release qualifiers
//! are dropped, so `1.0.0 == 1` and `1.0-ga == 1`. This is the classic
//! algorithm of Maven 3.9 (with the MNG-7644 change: a qualifier after a
//! dot reads as after a dash, `2.0.RC1 == 2-RC1`).

use std::cmp::Ordering;

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    /// Digits without leading zeros (arbitrary size).
    Int(String),
    /// A qualifier, lowercase, after aliasing.
    Str(String),
    List(Vec<Item>),
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(d) => d.is_empty(),
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
/// `comparableQualifier("")`: the release position.
const RELEASE_INDEX: &str = "5";

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let mut value = value;
    if followed_by_digit && value.len() == 1 {
        value = match value {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let value = match value {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(value.to_owned())
}

fn parse_item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        Item::Int(text.trim_start_matches('0').to_owned())
    } else {
        string_item(text, false)
    }
}

fn cmp_int(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `item.compareTo(null)`: how an item compares with a missing one.
fn cmp_with_null(item: &Item) -> Ordering {
    match item {
        Item::Int(d) => {
            if d.is_empty() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(s) => comparable_qualifier(s).as_str().cmp(RELEASE_INDEX),
        Item::List(l) => l.first().map_or(Ordering::Equal, cmp_with_null),
    }
}

fn cmp_item(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Int(x), Item::Int(y)) => cmp_int(x, y),
        (Item::Int(_), _) => Ordering::Greater,
        (Item::Str(_), Item::Int(_)) => Ordering::Less,
        (Item::Str(x), Item::Str(y)) => comparable_qualifier(x).cmp(&comparable_qualifier(y)),
        (Item::Str(_), Item::List(_)) => Ordering::Less,
        (Item::List(_), Item::Int(_)) => Ordering::Less,
        (Item::List(_), Item::Str(_)) => Ordering::Greater,
        (Item::List(x), Item::List(y)) => cmp_list(x, y),
    }
}

fn cmp_list(a: &[Item], b: &[Item]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let r = match (a.get(i), b.get(i)) {
            (Some(l), Some(r)) => cmp_item(l, r),
            (Some(l), None) => cmp_with_null(l),
            (None, Some(r)) => cmp_with_null(r).reverse(),
            (None, None) => Ordering::Equal,
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

/// `ListItem.normalize()`: drop null items from the end, looking through
/// trailing sub-lists.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

impl MavenVersion {
    /// Parses any string: Maven orders every string, so this never fails.
    pub fn parse(text: &str) -> MavenVersion {
        let version = text.to_lowercase();
        let chars: Vec<char> = version.chars().collect();
        // A stack of open lists; each new list is pushed as the last item of
        // its parent when it is closed.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0usize;
        let slice = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
        for (i, &c) in chars.iter().enumerate() {
            let top = stack.len() - 1;
            if c == '.' {
                if i == start {
                    stack[top].push(Item::Int(String::new()));
                } else {
                    stack[top].push(parse_item(is_digit, &slice(start, i)));
                }
                start = i + 1;
            } else if c == '-' {
                if i == start {
                    stack[top].push(Item::Int(String::new()));
                } else {
                    stack[top].push(parse_item(is_digit, &slice(start, i)));
                }
                start = i + 1;
                stack.push(Vec::new());
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // MNG-7644: `.X1` reads as `-X1` (1.0.0.RC1 < 1.0.0-RC2).
                    if !stack[top].is_empty() {
                        stack.push(Vec::new());
                    }
                    let top = stack.len() - 1;
                    stack[top].push(string_item(&slice(start, i), true));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    stack[top].push(parse_item(true, &slice(start, i)));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if chars.len() > start {
            // MNG-7644: a trailing `.X` reads as `-X` (2.0.X == 2-X).
            if !is_digit && stack.last().is_some_and(|l| !l.is_empty()) {
                stack.push(Vec::new());
            }
            let top = stack.len() - 1;
            stack[top].push(parse_item(is_digit, &slice(start, chars.len())));
        }
        // Close the lists innermost first, normalising each (Maven
        // normalises every list on the stack at the end).
        while stack.len() > 1 {
            let mut list = stack.pop().unwrap_or_default();
            normalize(&mut list);
            if let Some(parent) = stack.last_mut() {
                parent.push(Item::List(list));
            }
        }
        let mut items = stack.pop().unwrap_or_default();
        normalize(&mut items);
        MavenVersion { items }
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for MavenVersion {}
impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_list(&self.items, &other.items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> MavenVersion {
        MavenVersion::parse(s)
    }

    fn chain(versions: &[&str]) {
        for pair in versions.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
            assert!(v(pair[1]) > v(pair[0]), "{} > {}", pair[1], pair[0]);
        }
    }

    #[test]
    fn qualifier_order() {
        chain(&[
            "1.0-alpha",
            "1.0-beta",
            "1.0-milestone",
            "1.0-rc",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp",
            "1.0-whatever",
            "1.0.1",
        ]);
        chain(&["1.0-alpha1", "1.0-alpha2", "1.0-beta1", "1.0-rc1", "1.0"]);
    }

    #[test]
    fn equalities_from_the_maven_spec() {
        for (a, b) in [
            ("1", "1.0.0"),
            ("1.0.0", "1"),
            ("1-ga", "1"),
            ("1-final", "1"),
            ("1.0-release", "1"),
            ("1-cr1", "1-rc1"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1.0.0-SNAPSHOT", "1-snapshot"),
            ("1x", "1-x"),
            ("1.0RC1", "1.0-rc-1"),
        ] {
            assert_eq!(v(a), v(b), "{a} == {b}");
        }
    }

    #[test]
    fn orderings_from_the_maven_test_suite() {
        // From ComparableVersionTest.VERSIONS_QUALIFIER and VERSIONS_NUMBER.
        chain(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
        chain(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
        for x in [
            "abc",
            "alpha",
            "a",
            "beta",
            "b",
            "def",
            "milestone",
            "m",
            "RC",
        ] {
            assert!(v(&format!("1.0.0.{x}1")) < v(&format!("1.0.0-{x}2")), "{x}");
            assert_eq!(v(&format!("2-{x}")), v(&format!("2.0.{x}")), "{x}");
            assert_eq!(v(&format!("2.0.{x}")), v(&format!("2.0.0.{x}")), "{x}");
        }
        assert!(v("1.10") > v("1.9"));
        assert!(v("1.0.0.0.0.1") > v("1"));
        assert!(v("123456789012345678901234567890") > v("9"));
    }
}
