//! An exact and much cheaper equivalent of askalono's `Store::analyze`.
//!
//! askalono compares a text with every entry of the store (about 650 SPDX
//! texts, alternates and headers) by the Sørensen–Dice coefficient of their
//! word-bigram multisets, each a `HashMap<String, u32>`: some 700,000 SipHash
//! lookups of heap strings per text, 40 ms for one licence file, repeated for
//! every pass of the scanner. Here every bigram of the store is numbered once
//! ([`Vocabulary`]), each entry becomes a list of `(number, count)` pairs, and
//! a text's counts sit in a flat array indexed by number, so that scoring an
//! entry is a walk over its pairs with one array read each.
//!
//! The result is the same, bit for bit: the same integer numerator
//! (`Σ min(count_a, count_b)`), the same `f32` formula. Only ties differ:
//! askalono's winner among equal scores depends on its store's `HashMap`
//! order, which changes from process to process; here the first by name wins,
//! so a replayed review finds what the review found. `tests` and the crate's
//! integration tests compare both on the SPDX texts.
//!
//! The `spdx` crate keeps the bigram multiset of a `TextData` private; its
//! derived `Debug` output is the only public view of it, and that is what
//! [`bigrams`] reads, stopping as soon as the multiset has been printed.
//! Anything unexpected in that output makes [`Index::build`] or [`Query::new`]
//! return `None`, and the caller uses askalono's own `analyze` instead.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, PoisonError};

use spdx::detection::{LicenseType, Store, TextData};

/// Every bigram that occurs in a store, numbered from 0.
#[derive(Default)]
pub(crate) struct Vocabulary {
    /// Keyed by the bigram as `Debug` prints it (quotes removed, escapes
    /// kept): escaping is injective, so equal keys are equal bigrams.
    ids: HashMap<Box<str>, u32, BuildHasherDefault<FxHasher>>,
    /// Zeroed arrays of vocabulary size for [`Slots`].
    pool: Mutex<Vec<Vec<u32>>>,
}

/// A zeroed array of one `u32` per vocabulary bigram, taken from the
/// vocabulary's pool and handed back zeroed when dropped: a fresh array per
/// text would be a fresh mapping of several hundred kilobytes, page faults
/// and all, for every text matched.
pub(crate) struct Slots<'v> {
    values: Vec<u32>,
    /// Indices that may be non-zero.
    touched: Vec<u32>,
    pool: &'v Mutex<Vec<Vec<u32>>>,
}

impl Slots<'_> {
    /// The value of bigram `id` (0 outside the vocabulary).
    pub(crate) fn get(&self, id: u32) -> u32 {
        self.values.get(id as usize).copied().unwrap_or(0)
    }

    /// Adds `by` to the value of bigram `id`.
    pub(crate) fn add(&mut self, id: u32, by: u32) {
        if let Some(slot) = self.values.get_mut(id as usize) {
            if *slot == 0 {
                self.touched.push(id);
            }
            *slot += by;
        }
    }

    /// The bigrams with a non-zero value (and perhaps a few zero ones).
    pub(crate) fn touched(&self) -> &[u32] {
        &self.touched
    }

    /// Sets every value back to 0.
    pub(crate) fn clear(&mut self) {
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
        // One per worker thread and text in flight is plenty.
        if pool.len() < 16 {
            pool.push(std::mem::take(&mut self.values));
        }
    }
}

impl Vocabulary {
    fn id_or_insert(&mut self, gram: &str) -> u32 {
        if let Some(&id) = self.ids.get(gram) {
            return id;
        }
        self.insert(gram.into())
    }

    fn id_or_insert_owned(&mut self, gram: Box<str>) -> u32 {
        if let Some(&id) = self.ids.get(&gram) {
            return id;
        }
        self.insert(gram)
    }

    fn insert(&mut self, gram: Box<str>) -> u32 {
        let id = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.ids.insert(gram, id);
        id
    }

    /// The number of a bigram, given as `Debug` prints it without quotes.
    pub(crate) fn id(&self, gram: &str) -> Option<u32> {
        self.ids.get(gram).copied()
    }

    /// How many bigrams are numbered.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// A zeroed array of one value per bigram.
    pub(crate) fn slots(&self) -> Slots<'_> {
        let reused = self
            .pool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .filter(|values| values.len() == self.len());
        Slots {
            values: reused.unwrap_or_else(|| vec![0; self.len()]),
            touched: Vec::new(),
            pool: &self.pool,
        }
    }
}

/// The bigrams of one store entry.
struct Entry {
    /// `(bigram number, count)`.
    grams: Vec<(u32, u32)>,
    /// Number of bigrams counted with multiplicity (askalono's `len()`).
    size: usize,
    /// The n of the n-grams (always 2 in practice; kept because askalono
    /// scores sets of different n as 0).
    n: u8,
}

/// The entries of one [`Store`], in the order in which `Store::analyze`
/// visits them: licences in the map's iteration order, for each its
/// original text, then alternates, then headers.
pub(crate) struct Index {
    entries: Vec<Entry>,
}

/// A text prepared for scoring against an [`Index`].
pub(crate) struct Query<'v> {
    /// Count of each vocabulary bigram in the text (0 when absent).
    counts: Slots<'v>,
    size: usize,
    n: u8,
}

/// The bigram counts of one store text in a flat array, for scoring many
/// views of a text against that one licence.
pub(crate) struct Counts<'v> {
    /// Count of each vocabulary bigram (0 when absent).
    pub counts: Slots<'v>,
    /// Number of bigrams with multiplicity.
    pub size: usize,
    /// The n of the n-grams.
    pub n: u8,
}

/// The best entry for a text, as askalono's `Match`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Best<'a> {
    /// Dice coefficient, 0 to 1.
    pub score: f32,
    /// The licence's name in the store.
    pub name: &'a str,
    /// Which of the licence's texts matched (askalono's callers do not
    /// need it; the tests compare it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub license_type: LicenseType,
    /// That text.
    pub data: &'a TextData,
}

/// The [`Entry`] of each text, in order, numbered into `vocabulary`.
fn entries(texts: &[&TextData], vocabulary: &mut Vocabulary) -> Option<Vec<Entry>> {
    let mut entries = Vec::with_capacity(texts.len());
    let mut buffer = String::new();
    for data in texts {
        let parsed = bigrams(data, &mut buffer)?;
        let mut grams: Vec<(u32, u32)> = parsed
            .grams
            .iter()
            .map(|&(gram, count)| (vocabulary.id_or_insert(gram), count))
            .collect();
        // Ascending numbers: neighbouring reads of the query's array.
        grams.sort_unstable();
        entries.push(Entry {
            grams,
            size: parsed.size,
            n: parsed.n,
        });
    }
    Some(entries)
}

/// One scored entry.
struct Candidate<'a> {
    name: &'a str,
    score: f32,
    license_type: LicenseType,
    data: &'a TextData,
}

/// Whether `ours` is askalono's `theirs` or, on a tie, the first of the tied
/// by name: askalono's choice among equal scores varies from run to run.
#[cfg(test)]
pub(crate) fn same_winner(
    ours: &Best<'_>,
    (score, name, kind, data): (f32, &str, LicenseType, &TextData),
) -> bool {
    ours.score.to_bits() == score.to_bits()
        && (std::ptr::eq(ours.data, data)
            || (ours.name, kind_rank(ours.license_type)) <= (name, kind_rank(kind)))
}

/// Originals before alternates before headers, for ties.
fn kind_rank(kind: LicenseType) -> u8 {
    match kind {
        LicenseType::Original => 0,
        LicenseType::Alternate => 1,
        LicenseType::Header => 2,
    }
}

/// Each text of a store, in `Store::analyze` order.
fn texts(store: &Store) -> impl Iterator<Item = (&String, LicenseType, &TextData)> {
    store.iter().flat_map(|(name, entry)| {
        std::iter::once((name, LicenseType::Original, &entry.original))
            .chain(
                entry
                    .alternates
                    .iter()
                    .map(move |alt| (name, LicenseType::Alternate, alt)),
            )
            .chain(
                entry
                    .headers
                    .iter()
                    .map(move |head| (name, LicenseType::Header, head)),
            )
    })
}

impl Index {
    /// Numbers the bigrams of every text of `store` into `vocabulary`.
    /// `None` when a text's bigrams cannot be read.
    ///
    /// The index is only valid for `store` as it is now: adding or
    /// replacing licences afterwards changes the iteration order.
    pub(crate) fn build(store: &Store, vocabulary: &mut Vocabulary) -> Option<Index> {
        let all: Vec<&TextData> = texts(store).map(|(_, _, data)| data).collect();
        Some(Index {
            entries: entries(&all, vocabulary)?,
        })
    }

    /// [`Index::build`] with half of the texts read on a second thread: the
    /// first licence file of a scan waits for the store, so its load is on
    /// the scan's critical path.
    pub(crate) fn build_in_two(store: &Store, vocabulary: &mut Vocabulary) -> Option<Index> {
        let all: Vec<&TextData> = texts(store).map(|(_, _, data)| data).collect();
        let (first, second) = all.split_at(all.len() / 2);
        let (mut first, second) = std::thread::scope(|scope| {
            let helper = std::thread::Builder::new().spawn_scoped(scope, || {
                let mut own = Vocabulary::default();
                entries(second, &mut own).map(|e| (e, own))
            });
            let first = entries(first, vocabulary);
            let second = match helper {
                Ok(handle) => handle.join().ok().flatten(),
                Err(_) => {
                    let mut own = Vocabulary::default();
                    entries(second, &mut own).map(|e| (e, own))
                }
            };
            (first, second)
        });
        let (second, own) = second?;
        let entries = first.as_mut()?;
        // Renumber the second half's bigrams into `vocabulary`.
        let mut renumbered = vec![0u32; own.len()];
        for (gram, id) in own.ids {
            *renumbered.get_mut(id as usize)? = vocabulary.id_or_insert_owned(gram);
        }
        for mut entry in second {
            for gram in &mut entry.grams {
                gram.0 = *renumbered.get(gram.0 as usize)?;
            }
            entry.grams.sort_unstable();
            entries.push(entry);
        }
        Some(Index { entries: first? })
    }

    /// The entry of `store` that `store.analyze(text)` returns, with the
    /// same score, except that ties go to the first by name (see
    /// [`same_winner`]); `store` must be the store the index was built from.
    /// `None` when the store is empty or has changed since.
    pub(crate) fn analyze<'a>(&self, store: &'a Store, query: &Query<'_>) -> Option<Best<'a>> {
        let texts: Vec<(&'a String, LicenseType, &'a TextData)> = texts(store).collect();
        if texts.len() != self.entries.len() {
            return None;
        }
        // Entries of about the text's size first: a good score found early
        // rules out every entry whose size alone bounds its score below it
        // (a Dice coefficient is at most 2·min(a, b) / (a + b)), so a text
        // that is one licence is scored against a few dozen entries, not
        // against all of them. The winner is the same: an entry is skipped
        // only when it cannot reach the best score.
        let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
        order.sort_unstable_by_key(|&i| (self.entries[i as usize].size.abs_diff(query.size), i));
        let mut best: Option<(Candidate<'a>, u32)> = None;
        for i in order {
            let entry = &self.entries[i as usize];
            if let Some((b, _)) = &best
                && bound(entry, query) < b.score
            {
                continue;
            }
            let (name, license_type, data) = texts[i as usize];
            let candidate = Candidate {
                name,
                score: dice(entry, query),
                license_type,
                data,
            };
            // The highest score wins, as in askalono; among equal scores the
            // first by name and kind of text, then in the store's order.
            // askalono leaves ties to its store's `HashMap` order, which
            // changes from process to process, and a replayed review must
            // find what the review found.
            let wins = match &best {
                None => true,
                Some((b, at)) => candidate
                    .score
                    .total_cmp(&b.score)
                    .reverse()
                    .then_with(|| candidate.name.cmp(b.name))
                    .then_with(|| kind_rank(candidate.license_type).cmp(&kind_rank(b.license_type)))
                    .then_with(|| i.cmp(at))
                    .is_lt(),
            };
            if wins {
                best = Some((candidate, i));
            }
        }
        let (best, _) = best?;
        Some(Best {
            score: best.score,
            name: best.name,
            license_type: best.license_type,
            data: best.data,
        })
    }
}

impl Index {
    /// The counts of `data`, which must be one of the texts of `store` (the
    /// store the index was built from).
    pub(crate) fn counts<'v>(
        &self,
        store: &Store,
        data: &TextData,
        vocabulary: &'v Vocabulary,
    ) -> Option<Counts<'v>> {
        let position = texts(store).position(|(_, _, d)| std::ptr::eq(d, data))?;
        let entry = self.entries.get(position)?;
        let mut counts = vocabulary.slots();
        for &(id, count) in &entry.grams {
            counts.add(id, count);
        }
        Some(Counts {
            counts,
            size: entry.size,
            n: entry.n,
        })
    }
}

impl<'v> Query<'v> {
    /// Reads the bigrams of `text`; `None` when they cannot be read.
    pub(crate) fn new(vocabulary: &'v Vocabulary, text: &TextData) -> Option<Query<'v>> {
        let mut buffer = String::new();
        let parsed = bigrams(text, &mut buffer)?;
        let mut counts = vocabulary.slots();
        for &(gram, count) in &parsed.grams {
            // Bigrams that no licence has cannot add to any score.
            if let Some(id) = vocabulary.id(gram) {
                counts.add(id, count);
            }
        }
        Some(Query {
            counts,
            size: parsed.size,
            n: parsed.n,
        })
    }
}

/// An upper bound of [`dice`] from the sizes alone: the shared bigrams are at
/// most the smaller multiset. Computed as `dice` is, so that in `f32` too
/// `dice(entry, query) <= bound(entry, query)`.
fn bound(entry: &Entry, query: &Query<'_>) -> f32 {
    if entry.n != query.n || entry.size == 0 || query.size == 0 {
        return 0.0;
    }
    let most = u32::try_from(entry.size.min(query.size)).unwrap_or(u32::MAX);
    (2.0 * most as f32) / ((entry.size + query.size) as f32)
}

/// askalono's `NgramSet::dice`, on numbered bigrams.
fn dice(entry: &Entry, query: &Query<'_>) -> f32 {
    if entry.n != query.n || entry.size == 0 || query.size == 0 {
        return 0.0;
    }
    let mut matches: u32 = 0;
    for &(id, count) in &entry.grams {
        let other = query.counts.get(id);
        matches = matches.wrapping_add(count.min(other));
    }
    (2.0 * matches as f32) / ((entry.size + query.size) as f32)
}

/// The bigram multiset of a `TextData`, borrowed from its `Debug` text.
struct Bigrams<'b> {
    grams: Vec<(&'b str, u32)>,
    size: usize,
    n: u8,
}

/// Reads the bigram multiset of `data` from its derived `Debug` output,
/// `TextData { match_data: NgramSet { map: {"a b": 1, …}, n: 2, size: 7 }, …`,
/// into `buffer`. `None` when the output is not of that form or its counts do
/// not add up to its size.
fn bigrams<'b>(data: &TextData, buffer: &'b mut String) -> Option<Bigrams<'b>> {
    buffer.clear();
    let mut collector = UntilNgramSet {
        out: buffer,
        depth: 0,
        in_string: false,
        escaped: false,
        done: false,
    };
    // The collector stops the formatting with an error once the n-gram set
    // is complete, so the lines and processed text are never printed.
    let _ = write!(collector, "{data:?}");
    if !collector.done {
        return None;
    }
    parse_ngram_set(buffer)
}

/// Parses `TextData { match_data: NgramSet { map: {…}, n: N, size: S }`.
fn parse_ngram_set(text: &str) -> Option<Bigrams<'_>> {
    let mut rest = text.strip_prefix("TextData { match_data: NgramSet { map: {")?;
    let mut grams = Vec::new();
    if let Some(after) = rest.strip_prefix('}') {
        rest = after;
    } else {
        loop {
            let (gram, after) = quoted(rest)?;
            let after = after.strip_prefix(": ")?;
            let digits = after.find(|c: char| !c.is_ascii_digit())?;
            let count: u32 = after[..digits].parse().ok()?;
            grams.push((gram, count));
            let after = &after[digits..];
            if let Some(after) = after.strip_prefix(", ") {
                rest = after;
            } else {
                rest = after.strip_prefix('}')?;
                break;
            }
        }
    }
    let rest = rest.strip_prefix(", n: ")?;
    let (n, rest) = rest.split_once(", size: ")?;
    let size = rest.strip_suffix(" }")?;
    let n: u8 = n.parse().ok()?;
    let size: usize = size.parse().ok()?;
    let total: u64 = grams.iter().map(|&(_, c)| u64::from(c)).sum();
    (total == size as u64).then_some(Bigrams { grams, size, n })
}

/// Splits `"…"…` into the quoted text (escapes kept) and what follows.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_prefix('"')?;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some((&body[..i], &body[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

/// A `fmt::Write` that keeps a `TextData`'s `Debug` text up to the closing
/// brace of its `NgramSet`, then fails the formatting to stop it.
struct UntilNgramSet<'b> {
    out: &'b mut String,
    /// Brace depth outside string literals: 1 inside `TextData {`, 2 inside
    /// `NgramSet {`, 3 inside `map: {`.
    depth: u32,
    in_string: bool,
    escaped: bool,
    done: bool,
}

impl fmt::Write for UntilNgramSet<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.done {
            return Err(fmt::Error);
        }
        for (i, &b) in s.as_bytes().iter().enumerate() {
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' => self.depth += 1,
                b'}' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 1 {
                        // `i` is the index of an ASCII byte: a char boundary.
                        self.out.push_str(&s[..=i]);
                        self.done = true;
                        return Err(fmt::Error);
                    }
                }
                _ => {}
            }
        }
        self.out.push_str(s);
        Ok(())
    }
}

/// The Fx hash (rustc's): the vocabulary hashes some 700,000 short strings
/// when it is built, and SipHash's resistance to flooding buys nothing for
/// keys that come from the `spdx` crate's own data.
#[derive(Default, Clone, Copy)]
struct FxHasher {
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

    fn store() -> Store {
        let mut store = Store::new();
        store.add_license("one".into(), TextData::new("aaa bbb ccc ddd eee\nfff ggg"));
        store.add_license(
            "two".into(),
            TextData::new("1234 5678 1234\n0000 \"quoted\" \\ back"),
        );
        store.add_license(
            "three".into(),
            TextData::new("aaa bbb ccc ddd eee\nfff ggg"),
        );
        store.add_license("empty".into(), TextData::new(""));
        store
            .add_variant(
                "two",
                LicenseType::Header,
                TextData::new("1234 5678 {braces}"),
            )
            .expect("known licence");
        store
    }

    #[test]
    fn debug_output_is_read() {
        let data =
            TextData::new("Permission is granted, \"as is\" — {x} é\nand Permission is granted");
        let mut buffer = String::new();
        let parsed = bigrams(&data, &mut buffer).expect("readable");
        assert_eq!(parsed.n, 2);
        assert_eq!(
            parsed.grams.iter().map(|g| g.1 as usize).sum::<usize>(),
            parsed.size
        );
        assert!(
            parsed
                .grams
                .iter()
                .any(|&(g, c)| g == "permission is" && c == 2)
        );
        let empty = TextData::new("");
        let parsed = bigrams(&empty, &mut buffer).expect("readable");
        assert_eq!((parsed.size, parsed.grams.len()), (0, 0));
    }

    #[test]
    fn unexpected_output_is_refused() {
        assert!(parse_ngram_set("NgramSet { map: {}, n: 2, size: 0 }").is_none());
        assert!(
            parse_ngram_set("TextData { match_data: NgramSet { map: {\"a b\": 2}, n: 2, size: 3 }")
                .is_none(),
            "counts must add up to the size"
        );
        assert!(
            parse_ngram_set("TextData { match_data: NgramSet { map: {\"a b\": 2}, n: 2, size: 2 }")
                .is_some()
        );
    }

    #[test]
    fn same_result_as_askalono_with_ties() {
        let store = store();
        let builds: [fn(&Store, &mut Vocabulary) -> Option<Index>; 2] =
            [Index::build, Index::build_in_two];
        for build in builds {
            let mut vocabulary = Vocabulary::default();
            let index = build(&store, &mut vocabulary).expect("index");
            for text in [
                "aaa bbb ccc ddd eee fff ggg",
                "aaa bbb ccc",
                "1234 5678 braces",
                "1234 5678 1234 0000 quoted back",
                "nothing in common",
                "",
            ] {
                let data = TextData::new(text);
                let query = Query::new(&vocabulary, &data).expect("query");
                let ours = index.analyze(&store, &query).expect("best");
                let theirs = store.analyze(&data);
                assert_eq!(ours.score.to_bits(), theirs.score.to_bits(), "{text}");
                assert!(
                    same_winner(
                        &ours,
                        (theirs.score, theirs.name, theirs.license_type, theirs.data)
                    ),
                    "{text}: {} vs {}",
                    ours.name,
                    theirs.name
                );
            }
        }
    }
}
