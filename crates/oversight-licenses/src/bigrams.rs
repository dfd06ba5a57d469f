//! The rule store: every SPDX licence and exception text as a multiset of
//! word bigrams, and the scoring of a text, or of a range of its lines,
//! against them.
//!
//! Words come from [`crate::normalise`]. Each distinct word of the rules gets
//! a number, each distinct pair of numbered words a bigram number, and each
//! rule becomes a sorted list of `(bigram, count)`. A posting list per
//! bigram names the rules that hold it, so that a text is scored against
//! every rule in one walk over its own distinct bigrams.
//!
//! Scores, for a text (or range) `T` and a rule `R`, where `shared` is
//! `Σ min(count in T, count in R)` over bigrams:
//!
//! * similarity: the Sørensen–Dice coefficient `2·shared / (|T| + |R|)`;
//! * share of the rule: `shared / |R|` (how much of the rule is there);
//! * share of the region: `shared / |T|` (how much of the region is rule).
//!
//! Where a text holds more than one licence, or a licence amid other text,
//! [`Index::best_range`] finds the range of lines that is most like one rule
//! by coordinate ascent: the best end for the text's first line, then the
//! best start for that end, then the best end again, each a single linear
//! sweep that keeps `shared` up to date as lines are added.
//!
//! Texts come from the `spdx` crate (its `text` feature), so no licence text
//! is copied into this repository.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, PoisonError};

use crate::normalise;

/// No bigram: a pair with a word that no rule has.
const NONE: u32 = u32::MAX;

/// One rule: a licence or exception text, under every identifier whose SPDX
/// text it is.
pub(crate) struct Rule {
    /// The identifiers, sorted; the first is the one reported.
    pub names: Vec<&'static str>,
    /// Whether the text is an exception's (`Classpath-exception-2.0`).
    pub exception: bool,
    /// `(bigram, count)`, sorted by bigram.
    grams: Vec<(u32, u32)>,
    /// Bigrams with multiplicity.
    pub size: u32,
}

/// A rule text given to [`Index::build`].
pub(crate) struct Source {
    /// The identifier.
    pub name: &'static str,
    /// The text.
    pub text: std::borrow::Cow<'static, str>,
    /// Whether it is an exception.
    pub exception: bool,
}

/// Every rule, its bigrams numbered.
pub(crate) struct Index {
    words: HashMap<Box<str>, u32, Fx>,
    grams: HashMap<u64, u32, Fx>,
    rules: Vec<Rule>,
    /// Posting lists: the rules holding bigram `g` and their counts are
    /// `postings[offsets[g]..offsets[g + 1]]`.
    offsets: Vec<u32>,
    postings: Vec<(u32, u32)>,
    /// Zeroed arrays of one value per bigram, for [`Slots`].
    pool: Mutex<Vec<Vec<u32>>>,
}

/// One bigram of a text: its number ([`NONE`] when no rule has it) and the
/// lines of its two words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gram {
    id: u32,
    first: u32,
    last: u32,
}

impl Gram {
    /// The line of its first word.
    pub(crate) fn first(&self) -> u32 {
        self.first
    }

    /// The line of its second word.
    pub(crate) fn last(&self) -> u32 {
        self.last
    }
}

/// A text prepared for scoring: its bigrams in order.
pub(crate) struct Prepared {
    pub grams: Vec<Gram>,
}

/// How well a range of a text matches a rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Score {
    /// The rule, an index into [`Index::rules`].
    pub rule: u32,
    /// Dice similarity, 0 to 1.
    pub similarity: f32,
    /// Share of the rule's bigrams found.
    pub rule_share: f32,
    /// Share of the range's bigrams that are the rule's.
    pub region_share: f32,
    /// The lines, 0-based, end excluded.
    pub lines: (u32, u32),
    /// Bigrams shared by the range and the rule.
    pub shared: u32,
}

impl Index {
    /// Numbers the bigrams of every source; sources whose words are the
    /// same become one rule under all their names.
    pub(crate) fn build(sources: Vec<Source>) -> Index {
        let mut words: HashMap<Box<str>, u32, Fx> = HashMap::default();
        let mut grams: HashMap<u64, u32, Fx> = HashMap::default();
        let mut rules: Vec<Rule> = Vec::new();
        let mut by_words: HashMap<Vec<u32>, usize, Fx> = HashMap::default();
        for source in sources {
            let mut ids: Vec<u32> = Vec::new();
            normalise::words(&source.text, |w| {
                let next = u32::try_from(words.len()).unwrap_or(NONE - 1);
                let id = match words.get(w.text.as_ref()) {
                    Some(&id) => id,
                    None => {
                        words.insert(w.text.as_ref().into(), next);
                        next
                    }
                };
                ids.push(id);
            });
            if ids.len() < 2 {
                continue;
            }
            if let Some(&at) = by_words.get(&ids) {
                let rule: &mut Rule = &mut rules[at];
                rule.names.push(source.name);
                rule.exception |= source.exception;
                continue;
            }
            let mut counts: HashMap<u32, u32, Fx> = HashMap::default();
            for pair in ids.windows(2) {
                let next = u32::try_from(grams.len()).unwrap_or(NONE - 1);
                let id = *grams.entry(key(pair[0], pair[1])).or_insert(next);
                *counts.entry(id).or_insert(0) += 1;
            }
            let mut list: Vec<(u32, u32)> = counts.into_iter().collect();
            list.sort_unstable();
            by_words.insert(ids, rules.len());
            rules.push(Rule {
                names: vec![source.name],
                exception: source.exception,
                size: list.iter().map(|&(_, c)| c).sum(),
                grams: list,
            });
        }
        for rule in &mut rules {
            rule.names.sort_unstable();
            rule.names.dedup();
        }
        let mut lengths = vec![0u32; grams.len() + 1];
        for rule in &rules {
            for &(g, _) in &rule.grams {
                lengths[g as usize + 1] += 1;
            }
        }
        let mut offsets = lengths;
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut postings = vec![(0u32, 0u32); offsets.last().copied().unwrap_or(0) as usize];
        let mut filled = offsets.clone();
        for (r, rule) in rules.iter().enumerate() {
            for &(g, c) in &rule.grams {
                let at = &mut filled[g as usize];
                postings[*at as usize] = (r as u32, c);
                *at += 1;
            }
        }
        Index {
            words,
            grams,
            rules,
            offsets,
            postings,
            pool: Mutex::new(Vec::new()),
        }
    }

    /// Every rule.
    pub(crate) fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The bigrams of `text`.
    #[cfg(test)]
    pub(crate) fn prepare(&self, text: &str) -> Prepared {
        let mut words = Vec::new();
        normalise::words(text, |w| words.push(w));
        self.prepare_words(&words)
    }

    /// The bigrams of a text's words.
    pub(crate) fn prepare_words(&self, words: &[normalise::Word<'_>]) -> Prepared {
        let mut grams = Vec::with_capacity(words.len());
        let mut previous: Option<(u32, u32)> = None;
        for w in words {
            let id = self.words.get(w.text.as_ref()).copied().unwrap_or(NONE);
            if let Some((before, line)) = previous {
                let gram = if before == NONE || id == NONE {
                    NONE
                } else {
                    self.grams.get(&key(before, id)).copied().unwrap_or(NONE)
                };
                grams.push(Gram {
                    id: gram,
                    first: line,
                    last: w.line,
                });
            }
            previous = Some((id, w.line));
        }
        Prepared { grams }
    }

    /// `shared` of `grams` with every rule, by rule.
    fn shared(&self, grams: &[Gram]) -> Vec<u32> {
        let mut counts = self.slots();
        for g in grams {
            if g.id != NONE {
                counts.add(g.id, 1);
            }
        }
        let mut shared = vec![0u32; self.rules.len()];
        for &id in counts.touched() {
            let ours = counts.get(id);
            let (from, to) = (self.offsets[id as usize], self.offsets[id as usize + 1]);
            for &(rule, count) in &self.postings[from as usize..to as usize] {
                shared[rule as usize] += ours.min(count);
            }
        }
        shared
    }

    /// Every rule's score against the whole of `grams` (`lines` is what
    /// the scores name as their region), best similarity first; rules that
    /// share nothing are left out. Ties go to the rule with the first name,
    /// so that the same text always gets the same verdict.
    pub(crate) fn rank(&self, grams: &[Gram], lines: (u32, u32)) -> Vec<Score> {
        let size = grams.len() as u32;
        let shared = self.shared(grams);
        let mut scores: Vec<Score> = shared
            .iter()
            .enumerate()
            .filter(|&(_, &s)| s > 0)
            .map(|(r, &s)| score(r as u32, s, size, self.rules[r].size, lines))
            .collect();
        scores.sort_by(|a, b| {
            b.similarity.total_cmp(&a.similarity).then_with(|| {
                self.rules[a.rule as usize]
                    .names
                    .cmp(&self.rules[b.rule as usize].names)
            })
        });
        scores
    }

    /// The range of lines of `grams` (which must be in text order) that is
    /// most like rule `rule`, with its score.
    pub(crate) fn best_range(&self, grams: &[Gram], rule: u32) -> Option<Score> {
        let first = grams.first()?.first;
        let target = &self.rules[rule as usize];
        let mut wanted = self.slots();
        for &(g, c) in &target.grams {
            wanted.add(g, c);
        }
        let mut have = self.slots();
        let (end, _) = self.sweep_ends(grams, first, &wanted, &mut have, target.size);
        let (start, _) = self.sweep_starts(grams, end, &wanted, &mut have, target.size);
        let (end, _) = self.sweep_ends(grams, start, &wanted, &mut have, target.size);
        // The range's own counts, for its shares.
        let inside: Vec<Gram> = grams
            .iter()
            .filter(|g| g.first >= start && g.last < end)
            .copied()
            .collect();
        let shared: u32 = {
            let mut counts = self.slots();
            let mut shared = 0;
            for g in &inside {
                if g.id != NONE {
                    if counts.get(g.id) < wanted.get(g.id) {
                        shared += 1;
                    }
                    counts.add(g.id, 1);
                }
            }
            shared
        };
        Some(score(
            rule,
            shared,
            inside.len() as u32,
            target.size,
            (start, end),
        ))
    }

    /// For ranges that start at line `start`: the end (excluded) with the
    /// best similarity, the earliest among equals.
    fn sweep_ends(
        &self,
        grams: &[Gram],
        start: u32,
        wanted: &Slots<'_>,
        have: &mut Slots<'_>,
        rule_size: u32,
    ) -> (u32, f32) {
        have.clear();
        let (mut shared, mut size) = (0u32, 0u32);
        let mut best = (start + 1, 0.0f32);
        let mut i = grams.partition_point(|g| g.first < start);
        while i < grams.len() {
            let line = grams[i].last;
            while i < grams.len() && grams[i].last == line {
                let g = grams[i];
                i += 1;
                if g.first < start {
                    continue;
                }
                size += 1;
                if g.id != NONE {
                    if have.get(g.id) < wanted.get(g.id) {
                        shared += 1;
                    }
                    have.add(g.id, 1);
                }
            }
            let similarity = dice(shared, size, rule_size);
            if similarity > best.1 {
                best = (line + 1, similarity);
            }
        }
        have.clear();
        best
    }

    /// For ranges that end before line `end`: the start with the best
    /// similarity, the latest among equals.
    fn sweep_starts(
        &self,
        grams: &[Gram],
        end: u32,
        wanted: &Slots<'_>,
        have: &mut Slots<'_>,
        rule_size: u32,
    ) -> (u32, f32) {
        have.clear();
        let (mut shared, mut size) = (0u32, 0u32);
        let mut best = (end.saturating_sub(1), 0.0f32);
        // Bigrams that end before `end`, from the last back, grouped by the
        // line of their first word.
        let mut order: Vec<Gram> = grams.iter().filter(|g| g.last < end).copied().collect();
        order.sort_by_key(|g| std::cmp::Reverse(g.first));
        let mut i = 0;
        while i < order.len() {
            let line = order[i].first;
            while i < order.len() && order[i].first == line {
                let g = order[i];
                i += 1;
                size += 1;
                if g.id != NONE {
                    if have.get(g.id) < wanted.get(g.id) {
                        shared += 1;
                    }
                    have.add(g.id, 1);
                }
            }
            let similarity = dice(shared, size, rule_size);
            if similarity > best.1 {
                best = (line, similarity);
            }
        }
        have.clear();
        best
    }

    /// A zeroed array of one value per bigram.
    fn slots(&self) -> Slots<'_> {
        let reused = self
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .filter(|values| values.len() == self.grams.len());
        Slots {
            values: reused.unwrap_or_else(|| vec![0; self.grams.len()]),
            touched: Vec::new(),
            pool: &self.pool,
        }
    }
}

/// The key of the bigram of words `a` and `b`.
fn key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The Sørensen–Dice coefficient from the shared count and both sizes.
fn dice(shared: u32, size: u32, rule_size: u32) -> f32 {
    let total = size + rule_size;
    if total == 0 {
        return 0.0;
    }
    (2.0 * shared as f64 / f64::from(total)) as f32
}

fn score(rule: u32, shared: u32, size: u32, rule_size: u32, lines: (u32, u32)) -> Score {
    Score {
        rule,
        similarity: dice(shared, size, rule_size),
        rule_share: if rule_size == 0 {
            0.0
        } else {
            shared as f32 / rule_size as f32
        },
        region_share: if size == 0 {
            0.0
        } else {
            shared as f32 / size as f32
        },
        lines,
        shared,
    }
}

/// A zeroed array of one `u32` per bigram, taken from the index's pool and
/// handed back zeroed when dropped: a fresh array per text would be a fresh
/// mapping of several hundred kilobytes, page faults and all.
struct Slots<'v> {
    values: Vec<u32>,
    /// Indices that may be non-zero.
    touched: Vec<u32>,
    pool: &'v Mutex<Vec<Vec<u32>>>,
}

impl Slots<'_> {
    fn get(&self, id: u32) -> u32 {
        self.values.get(id as usize).copied().unwrap_or(0)
    }

    fn add(&mut self, id: u32, by: u32) {
        if let Some(slot) = self.values.get_mut(id as usize) {
            if *slot == 0 {
                self.touched.push(id);
            }
            *slot += by;
        }
    }

    fn touched(&self) -> &[u32] {
        &self.touched
    }

    fn clear(&mut self) {
        for &id in &self.touched {
            if let Some(slot) = self.values.get_mut(id as usize) {
                *slot = 0;
            }
        }
        self.touched.clear();
    }
}

impl Drop for Slots<'_> {
    fn drop(&mut self) {
        self.clear();
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < 32 {
            pool.push(std::mem::take(&mut self.values));
        }
    }
}

/// rustc's Fx hash: the index hashes some 300,000 words and bigrams when it
/// is built, and SipHash's resistance to flooding buys nothing for keys
/// from the `spdx` crate's own texts (query texts only look keys up).
type Fx = BuildHasherDefault<FxHasher>;

#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let source = |name: &'static str, text: &str| Source {
            name,
            text: text.to_owned().into(),
            exception: false,
        };
        Index::build(vec![
            source("one", "alpha beta gamma delta epsilon zeta eta theta"),
            source("two", "one two three four five six seven eight nine ten"),
            source(
                "also-one",
                "Alpha, beta; GAMMA delta epsilon zeta eta theta.",
            ),
            source("tiny", "x"),
        ])
    }

    #[test]
    fn identical_words_are_one_rule_under_both_names() {
        let index = index();
        assert_eq!(index.rules().len(), 2, "`tiny` has no bigram");
        assert_eq!(index.rules()[0].names, ["also-one", "one"]);
        assert_eq!(index.rules()[0].size, 7);
    }

    #[test]
    fn a_whole_text_scores_one() {
        let index = index();
        let text = index.prepare("alpha beta gamma\ndelta epsilon zeta eta theta");
        let best = &index.rank(&text.grams, (0, 2))[0];
        assert_eq!(index.rules()[best.rule as usize].names[0], "also-one");
        assert_eq!(
            (best.similarity, best.rule_share, best.region_share),
            (1.0, 1.0, 1.0)
        );
    }

    #[test]
    fn the_best_range_is_the_rule_amid_other_lines() {
        let index = index();
        let text = index.prepare(
            "preface words here\nand more preface\none two three four five\nsix seven eight nine ten\nappendix text\nlast line\n",
        );
        let best = index.best_range(&text.grams, 1).expect("range");
        assert_eq!(best.lines, (2, 4));
        assert_eq!(best.rule_share, 1.0);
        assert!(best.similarity > 0.9, "{best:?}");
        let whole = index.rank(&text.grams, (0, 7));
        assert!(whole[0].similarity < 0.8);
        assert_eq!(whole[0].rule_share, 1.0);
    }
}
