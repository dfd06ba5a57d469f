//! Integration tests: archives generated in memory (or in temporary
//! directories), visited the way the scan engine does, including its
//! recursion into nested archives.

use std::io::{self, Cursor, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use oversight_archive::{
    Budget, Format, Input, Issue, Limits, Member, Visitor, issue_of, sniff, visit,
};

/// Every test that fights a bomb must end well within this.
const FAST: Duration = Duration::from_secs(10);

const MIB: u64 = 1024 * 1024;

/// One member as the visitor saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Got {
    /// The name, prefixed by the names of enclosing archives (`a.zip!/b`).
    name: String,
    size: Option<u64>,
    content: Vec<u8>,
}

/// What a visit produced. Issues from read errors (through `issue_of`) and
/// issues given to the visitor are gathered together, as the engine reports
/// both.
#[derive(Debug, Default)]
struct Collect {
    members: Vec<Got>,
    issues: Vec<Issue>,
    /// Read errors that carry no issue (there should be none).
    read_errors: Vec<String>,
}

impl Collect {
    fn names(&self) -> Vec<&str> {
        self.members.iter().map(|m| m.name.as_str()).collect()
    }

    fn ids(&self) -> Vec<&'static str> {
        self.issues.iter().map(|i| i.rule.id).collect()
    }

    fn count(&self, id: &str) -> usize {
        self.issues.iter().filter(|i| i.rule.id == id).count()
    }

    fn content(&self, name: &str) -> &[u8] {
        &self
            .members
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no member {name} in {:?}", self.names()))
            .content
    }

    fn issue(&self, id: &str) -> &Issue {
        self.issues
            .iter()
            .find(|i| i.rule.id == id)
            .unwrap_or_else(|| panic!("no {id} in {:#?}", self.issues))
    }

    fn read(&mut self, name: String, size: Option<u64>, reader: &mut dyn Read) {
        let mut content = Vec::new();
        if let Err(error) = reader.read_to_end(&mut content) {
            match issue_of(&error) {
                Some(issue) => self.issues.push(issue),
                None => self.read_errors.push(error.to_string()),
            }
        }
        self.members.push(Got {
            name,
            size,
            content,
        });
    }
}

impl Visitor for Collect {
    fn member(&mut self, member: Member<'_>) {
        self.read(member.name, member.size, member.reader);
    }

    fn issue(&mut self, issue: Issue) {
        self.issues.push(issue);
    }
}

/// The engine's recursion: a member whose first bytes sniff as an archive is
/// visited again as a stream, with the same limits and budget.
struct Recursive<'a> {
    out: &'a mut Collect,
    prefix: String,
    limits: &'a Limits,
    budget: &'a Budget,
}

impl Visitor for Recursive<'_> {
    fn member(&mut self, member: Member<'_>) {
        let name = format!("{}{}", self.prefix, member.name);
        let mut head = Vec::new();
        if let Err(error) = (&mut *member.reader).take(512).read_to_end(&mut head) {
            self.out.issues.extend(issue_of(&error));
            return;
        }
        match sniff(&head) {
            Some(format) => {
                let mut rest = Cursor::new(head).chain(&mut *member.reader);
                let mut inner = Recursive {
                    out: &mut *self.out,
                    prefix: format!("{name}!/"),
                    limits: self.limits,
                    budget: self.budget,
                };
                visit(
                    format,
                    Input::Stream(&mut rest),
                    self.limits,
                    self.budget,
                    &mut inner,
                );
            }
            None => {
                let mut rest = Cursor::new(head).chain(&mut *member.reader);
                self.out.read(name, member.size, &mut rest);
            }
        }
    }

    fn issue(&mut self, issue: Issue) {
        self.out.issues.push(issue);
    }
}

fn visit_bytes(format: Format, bytes: &[u8], limits: &Limits) -> Collect {
    let budget = Budget::new(limits.max_total_bytes);
    let mut out = Collect::default();
    visit(
        format,
        Input::Stream(&mut &bytes[..]),
        limits,
        &budget,
        &mut out,
    );
    out
}

fn visit_path(format: Format, path: &Path, limits: &Limits) -> Collect {
    let budget = Budget::new(limits.max_total_bytes);
    let mut out = Collect::default();
    let file = std::fs::File::open(path).expect("open archive");
    visit(format, Input::File(file), limits, &budget, &mut out);
    out
}

/// Sniffs `bytes` and visits them recursively, as the engine does with a
/// file named `name`.
fn visit_recursive(name: &str, bytes: &[u8], limits: &Limits, budget: &Budget) -> Collect {
    let mut out = Collect::default();
    let format = sniff(bytes).expect("an archive");
    let mut visitor = Recursive {
        out: &mut out,
        prefix: format!("{name}!/"),
        limits,
        budget,
    };
    visit(
        format,
        Input::Stream(&mut &bytes[..]),
        limits,
        budget,
        &mut visitor,
    );
    out
}

/// Writers for the archives the tests read.
mod build {
    use super::*;
    use zip::write::SimpleFileOptions;

    pub use zip::CompressionMethod;

    pub fn zip(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content, method) in entries {
            let options = SimpleFileOptions::default().compression_method(*method);
            writer.start_file(*name, options).expect("start file");
            writer.write_all(content).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    pub fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = ::tar::Builder::new(Vec::new());
        for (name, content) in entries {
            let mut header = ::tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            builder
                .append_data(&mut header, name, *content)
                .expect("append");
        }
        builder.into_inner().expect("finish")
    }

    /// A tar header for `name` (written raw: any bytes, `..` included).
    pub fn tar_header(name: &str, kind: ::tar::EntryType, size: u64) -> ::tar::Header {
        let mut header = ::tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_entry_type(kind);
        header.set_size(size);
        header.set_mode(0o644);
        header.set_cksum();
        header
    }

    pub fn tar_raw(entries: Vec<(::tar::Header, Vec<u8>)>) -> Vec<u8> {
        let mut builder = ::tar::Builder::new(Vec::new());
        for (header, content) in entries {
            builder.append(&header, &content[..]).expect("append");
        }
        builder.into_inner().expect("finish")
    }

    pub fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).expect("gzip");
        encoder.finish().expect("gzip")
    }

    pub fn xz(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = liblzma::write::XzEncoder::new(Vec::new(), 1);
        encoder.write_all(bytes).expect("xz");
        encoder.finish().expect("xz")
    }

    pub fn zstd(bytes: &[u8]) -> Vec<u8> {
        zstd::encode_all(bytes, 1).expect("zstd")
    }

    pub fn bzip2(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(bytes).expect("bzip2");
        encoder.finish().expect("bzip2")
    }

    pub fn compress(format: Format, bytes: &[u8]) -> Vec<u8> {
        match format {
            Format::Gzip => gzip(bytes),
            Format::Xz => xz(bytes),
            Format::Zstd => zstd(bytes),
            Format::Bzip2 => bzip2(bytes),
            Format::Zip | Format::Tar => unreachable!("not a compression format"),
        }
    }

    /// Raw deflate of `data`, ending with a full flush so that segments can
    /// be concatenated (each is byte-aligned and refers to nothing before).
    pub fn deflate_segment(data: &[u8]) -> Vec<u8> {
        let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
        let mut out = Vec::with_capacity(data.len() / 100 + 1024);
        loop {
            let consumed = compress.total_in() as usize;
            out.reserve(64 * 1024);
            compress
                .compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Full)
                .expect("deflate");
            if compress.total_in() as usize == data.len() && out.capacity() > out.len() {
                return out;
            }
        }
    }

    /// Raw deflate of `prefix`, then `zero_mib` MiB of zeros, then
    /// `suffix`, built from repeated segments in milliseconds.
    pub fn deflate_with_zeros(prefix: &[u8], zero_mib: u64, suffix: &[u8]) -> Vec<u8> {
        let zeros = deflate_segment(&vec![0u8; MIB as usize]);
        let mut out = deflate_segment(prefix);
        for _ in 0..zero_mib {
            out.extend_from_slice(&zeros);
        }
        out.extend_from_slice(&deflate_segment(suffix));
        // A final, empty block with fixed codes.
        out.extend_from_slice(&[0x03, 0x00]);
        out
    }

    /// A gzip member around raw deflate data (trailer CRC not computed:
    /// bombs are never read that far).
    pub fn gzip_around(deflate: &[u8], size: u64) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff];
        out.extend_from_slice(deflate);
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(size as u32).to_le_bytes());
        out
    }

    /// A zip entry written byte by byte, for what no zip writer produces.
    #[derive(Debug, Clone)]
    pub struct RawEntry {
        pub name: Vec<u8>,
        pub method: u16,
        pub flags: u16,
        /// Stored as is: already compressed (or encrypted).
        pub data: Vec<u8>,
        pub crc: u32,
        pub size: u32,
        pub made_by: u16,
        pub external: u32,
    }

    impl RawEntry {
        pub fn stored(name: &str, content: &[u8]) -> Self {
            RawEntry {
                name: name.as_bytes().to_vec(),
                method: 0,
                flags: 0,
                data: content.to_vec(),
                crc: crc32fast::hash(content),
                size: content.len() as u32,
                made_by: 3 << 8 | 20,
                external: 0o100_644 << 16,
            }
        }
    }

    pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for entry in entries {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&entry.flags.to_le_bytes());
            out.extend_from_slice(&entry.method.to_le_bytes());
            out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
            out.extend_from_slice(&entry.crc.to_le_bytes());
            out.extend_from_slice(&(entry.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&entry.size.to_le_bytes());
            out.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&entry.name);
            out.extend_from_slice(&entry.data);

            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&entry.made_by.to_le_bytes());
            central.extend_from_slice(&20u16.to_le_bytes());
            central.extend_from_slice(&entry.flags.to_le_bytes());
            central.extend_from_slice(&entry.method.to_le_bytes());
            central.extend_from_slice(&[0, 0, 0x21, 0]);
            central.extend_from_slice(&entry.crc.to_le_bytes());
            central.extend_from_slice(&(entry.data.len() as u32).to_le_bytes());
            central.extend_from_slice(&entry.size.to_le_bytes());
            central.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 8]); // extra, comment, disk, internal
            central.extend_from_slice(&entry.external.to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(&entry.name);
        }
        let central_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&central_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }
}

use build::CompressionMethod;

/// Text that compresses, but not absurdly.
fn text(seed: u32, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let words = ["alpha ", "beta ", "gamma\n", "delta ", "token=", "x", "42 "];
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        out.extend_from_slice(words[state as usize % words.len()].as_bytes());
    }
    out.truncate(len);
    out
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

fn sample() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("README.md", b"# Hello\n".to_vec()),
        ("src/lib.rs", text(1, 20_000)),
        ("empty.txt", Vec::new()),
        (
            "deep/er/still/data.bin",
            (0..=255u8).cycle().take(70_000).collect(),
        ),
    ]
}

fn assert_sample(out: &Collect, prefix: &str) {
    assert!(out.issues.is_empty(), "{:#?}", out.issues);
    assert!(out.read_errors.is_empty(), "{:?}", out.read_errors);
    let expected: Vec<String> = sample()
        .iter()
        .map(|(name, _)| format!("{prefix}{name}"))
        .collect();
    assert_eq!(out.names(), expected);
    for ((name, content), got) in sample().iter().zip(&out.members) {
        assert_eq!(&got.content, content, "{name}");
        assert_eq!(got.size, Some(content.len() as u64), "{name}");
    }
}

#[test]
fn zip_round_trip_every_method_from_stream_and_file() {
    let methods = [
        CompressionMethod::Stored,
        CompressionMethod::Deflated,
        CompressionMethod::Bzip2,
        CompressionMethod::Zstd,
    ];
    for method in methods {
        let entries = sample();
        let refs: Vec<_> = entries.iter().map(|(n, c)| (*n, &c[..], method)).collect();
        let bytes = build::zip(&refs);
        assert_eq!(sniff(&bytes), Some(Format::Zip));
        assert_sample(&visit_bytes(Format::Zip, &bytes, &Limits::default()), "");

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("delivery.jar");
        std::fs::write(&path, &bytes).expect("write");
        assert_sample(&visit_path(Format::Zip, &path, &Limits::default()), "");
    }
}

#[test]
fn zip64_archive_with_more_than_65535_entries() {
    let started = Instant::now();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);
    for i in 0..66_000u32 {
        writer.start_file(format!("d/{i}"), options).expect("start");
        writer.write_all(&i.to_le_bytes()).expect("write");
    }
    let bytes = writer.finish().expect("finish").into_inner();
    assert!(
        !find_all(&bytes[bytes.len() - 200..], b"PK\x06\x06").is_empty(),
        "zip64 end record"
    );
    let out = visit_bytes(Format::Zip, &bytes, &Limits::default());
    assert!(
        out.issues.is_empty(),
        "{:?}",
        &out.issues[..out.issues.len().min(3)]
    );
    assert_eq!(out.members.len(), 66_000);
    assert_eq!(out.members[65_999].name, "d/65999");
    assert_eq!(out.members[65_999].content, 65_999u32.to_le_bytes());
    assert!(started.elapsed() < FAST, "{:?}", started.elapsed());
}

#[test]
fn zip_with_prepended_stub_is_read() {
    let entries = sample();
    let refs: Vec<_> = entries
        .iter()
        .map(|(n, c)| (*n, &c[..], CompressionMethod::Deflated))
        .collect();
    let mut bytes = b"#!/usr/bin/env python3\n".to_vec();
    bytes.extend_from_slice(&build::zip(&refs));
    assert_sample(&visit_bytes(Format::Zip, &bytes, &Limits::default()), "");
}

#[test]
fn tar_round_trip_from_stream_and_file() {
    let entries = sample();
    let refs: Vec<_> = entries.iter().map(|(n, c)| (*n, &c[..])).collect();
    let bytes = build::tar(&refs);
    assert_eq!(sniff(&bytes), Some(Format::Tar));
    assert_sample(&visit_bytes(Format::Tar, &bytes, &Limits::default()), "");

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("delivery.tar");
    std::fs::write(&path, &bytes).expect("write");
    assert_sample(&visit_path(Format::Tar, &path, &Limits::default()), "");
}

#[test]
fn compressed_tars_are_visited_as_tars() {
    let entries = sample();
    let refs: Vec<_> = entries.iter().map(|(n, c)| (*n, &c[..])).collect();
    let tar = build::tar(&refs);
    for format in [Format::Gzip, Format::Xz, Format::Zstd, Format::Bzip2] {
        let bytes = build::compress(format, &tar);
        assert_eq!(sniff(&bytes), Some(format));
        assert_sample(&visit_bytes(format, &bytes, &Limits::default()), "");

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("delivery.tgz");
        std::fs::write(&path, &bytes).expect("write");
        assert_sample(&visit_path(format, &path, &Limits::default()), "");
    }
}

#[test]
fn compressed_single_files_are_one_member_named_empty() {
    let content = text(7, 100_000);
    for format in [Format::Gzip, Format::Xz, Format::Zstd, Format::Bzip2] {
        let bytes = build::compress(format, &content);
        let out = visit_bytes(format, &bytes, &Limits::default());
        assert!(out.issues.is_empty(), "{format}: {:#?}", out.issues);
        assert_eq!(out.names(), [""], "{format}");
        assert_eq!(out.members[0].size, None);
        assert_eq!(out.members[0].content, content, "{format}");

        // Tiny and empty contents too (shorter than the tar peek).
        let tiny = visit_bytes(format, &build::compress(format, b"hi"), &Limits::default());
        assert_eq!(tiny.members[0].content, b"hi", "{format}");
        let empty = visit_bytes(format, &build::compress(format, b""), &Limits::default());
        assert_eq!(empty.names(), [""], "{format}");
        assert!(empty.members[0].content.is_empty());
    }
}

#[test]
fn concatenated_gzip_members_are_one_stream() {
    let mut bytes = build::gzip(b"first half, ");
    bytes.extend_from_slice(&build::gzip(b"second half"));
    let out = visit_bytes(Format::Gzip, &bytes, &Limits::default());
    assert_eq!(out.members[0].content, b"first half, second half");
}

#[test]
fn nested_archive_is_a_member_that_sniffs_as_an_archive() {
    let inner_zip = build::zip(&[(
        "secret/config.yml",
        b"password: hunter2\n",
        CompressionMethod::Deflated,
    )]);
    let tar = build::tar(&[("lib/inner.zip", &inner_zip), ("notes.txt", b"plain")]);
    let tgz = build::gzip(&tar);
    let outer = build::zip(&[
        ("vendor/pkg.tgz", &tgz, CompressionMethod::Stored),
        ("top.txt", b"top", CompressionMethod::Deflated),
    ]);

    // Without recursion, the nested archive is a member like any other.
    let flat = visit_bytes(Format::Zip, &outer, &Limits::default());
    assert_eq!(flat.names(), ["vendor/pkg.tgz", "top.txt"]);
    assert_eq!(sniff(flat.content("vendor/pkg.tgz")), Some(Format::Gzip));
    assert_eq!(flat.content("vendor/pkg.tgz"), &tgz[..]);

    // With the engine's recursion, all the way down.
    let limits = Limits::default();
    let budget = Budget::new(limits.max_total_bytes);
    let deep = visit_recursive("delivery.zip", &outer, &limits, &budget);
    assert!(deep.issues.is_empty(), "{:#?}", deep.issues);
    assert_eq!(
        deep.names(),
        [
            "delivery.zip!/vendor/pkg.tgz!/lib/inner.zip!/secret/config.yml",
            "delivery.zip!/vendor/pkg.tgz!/notes.txt",
            "delivery.zip!/top.txt",
        ]
    );
    assert_eq!(
        deep.content("delivery.zip!/vendor/pkg.tgz!/lib/inner.zip!/secret/config.yml"),
        b"password: hunter2\n"
    );
    // Each layer counts what it produced: the outer zip the .tgz and
    // top.txt, the gzip stream the tar (up to its end marker), the inner zip
    // its member.
    let (tgz, tar) = (tgz.len() as u64, tar.len() as u64);
    let used = budget.used();
    assert!(used >= tgz + tar - 1024 + 18 + 3, "{used}");
    assert!(used <= tgz + tar + 18 + 3, "{used}");
}

// ---------------------------------------------------------------------------
// Bombs and limits
// ---------------------------------------------------------------------------

#[test]
fn recursive_zip_bomb_is_stopped_by_the_ratio() {
    let started = Instant::now();
    // 200 MiB of zeros deflates to about 200 KiB.
    let zeros = build::deflate_with_zeros(b"", 200, b"");
    assert!(zeros.len() < 2 * MIB as usize);
    let bomb_member = |name: &str| build::RawEntry {
        name: name.as_bytes().to_vec(),
        method: 8,
        flags: 0,
        data: zeros.clone(),
        crc: 0,
        size: (200 * MIB) as u32,
        made_by: 20,
        external: 0,
    };
    // 42.zip: every level holds several copies of the level below.
    let level1 = build::raw_zip(&[
        bomb_member("0.bin"),
        bomb_member("1.bin"),
        bomb_member("2.bin"),
    ]);
    let level2 = build::zip(&[
        ("a.zip", &level1, CompressionMethod::Deflated),
        ("b.zip", &level1, CompressionMethod::Deflated),
    ]);
    let level3 = build::zip(&[
        ("x.zip", &level2, CompressionMethod::Deflated),
        ("y.zip", &level2, CompressionMethod::Deflated),
    ]);
    let limits = Limits::default();
    let budget = Budget::new(limits.max_total_bytes);
    let out = visit_recursive("42.zip", &level3, &limits, &budget);
    assert!(
        out.members.is_empty(),
        "no bomb content is delivered: {:?}",
        out.names()
    );
    assert_eq!(out.count("coverage.limit-ratio"), 12, "{:#?}", out.issues);
    let issue = out.issue("coverage.limit-ratio");
    assert_eq!(issue.member.as_deref(), Some("0.bin"));
    assert!(issue.message.contains("209715200"), "{}", issue.message);
    assert!(
        budget.used() < 20 * MIB,
        "bomb data was not decompressed: {}",
        budget.used()
    );
    assert!(started.elapsed() < FAST, "{:?}", started.elapsed());
}

#[test]
fn zip_member_lying_about_its_size_is_cut_off() {
    let started = Instant::now();
    let zeros = build::deflate_with_zeros(b"", 200, b"");
    let liar = build::RawEntry {
        name: b"small.txt".to_vec(),
        method: 8,
        flags: 0,
        data: zeros,
        crc: 0,
        size: 1000,
        made_by: 20,
        external: 0,
    };
    let bytes = build::raw_zip(&[liar, build::RawEntry::stored("after.txt", b"still here")]);
    let out = visit_bytes(Format::Zip, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-corrupt"]);
    assert!(out.issues[0].message.contains("more than the 1000 bytes"));
    assert!(out.members[0].content.len() <= 1000);
    assert_eq!(out.content("after.txt"), b"still here");
    assert!(started.elapsed() < FAST);
}

#[test]
fn gzip_bomb_is_stopped_while_reading() {
    let started = Instant::now();
    let bytes = build::gzip_around(&build::deflate_with_zeros(b"", 200, b""), 200 * MIB);
    let out = visit_bytes(Format::Gzip, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["coverage.limit-ratio"], "{:#?}", out.issues);
    assert!(out.issues[0].message.contains("gzip stream"));
    assert!(out.members[0].content.len() < 3 * MIB as usize);
    assert!(started.elapsed() < FAST);
}

#[test]
fn tar_gz_bomb_is_stopped_once() {
    let started = Instant::now();
    let header = build::tar_header("zeros.img", tar::EntryType::Regular, 200 * MIB);
    let mut after = vec![0u8; 0];
    let next = build::tar_header("after.txt", tar::EntryType::Regular, 0);
    after.extend_from_slice(next.as_bytes());
    after.extend_from_slice(&[0u8; 1024]);
    let deflate = build::deflate_with_zeros(header.as_bytes(), 200, &after);
    let bytes = build::gzip_around(&deflate, 0);
    let out = visit_bytes(Format::Gzip, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["coverage.limit-ratio"], "{:#?}", out.issues);
    assert_eq!(out.names(), ["zeros.img"], "the archive ends at the breach");
    assert!(started.elapsed() < FAST);
}

#[test]
fn member_over_the_entry_limit_is_skipped_and_others_go_on() {
    let big = text(3, 3 * MIB as usize);
    let limits = Limits {
        max_entry_bytes: MIB,
        ..Limits::default()
    };
    let tar = build::tar(&[("big.log", &big), ("small.txt", b"ok")]);
    let out = visit_bytes(Format::Tar, &tar, &limits);
    assert_eq!(out.ids(), ["coverage.limit-entry-size"]);
    assert_eq!(out.issues[0].member.as_deref(), Some("big.log"));
    assert_eq!(out.names(), ["small.txt"]);

    let zip = build::zip(&[
        ("big.log", &big, CompressionMethod::Deflated),
        ("small.txt", b"ok", CompressionMethod::Deflated),
    ]);
    let out = visit_bytes(Format::Zip, &zip, &limits);
    assert_eq!(out.ids(), ["coverage.limit-entry-size"]);
    assert_eq!(out.names(), ["small.txt"]);

    // A single compressed file is held to it while reading.
    let out = visit_bytes(Format::Xz, &build::xz(&big), &limits);
    assert_eq!(out.ids(), ["coverage.limit-entry-size"]);
    assert!(out.members[0].content.len() as u64 <= MIB);

    // A zip read from a stream larger than the limit is not spooled.
    let out = visit_bytes(
        Format::Zip,
        &build::zip(&[("big.log", &big, CompressionMethod::Stored)]),
        &limits,
    );
    assert_eq!(out.ids(), ["coverage.limit-entry-size"]);
    assert!(out.members.is_empty());
}

#[test]
fn total_budget_is_shared_and_stops_archives() {
    let chunk = text(5, 3 * MIB as usize);
    let tar = build::tar(&[("one", &chunk), ("two", &chunk), ("three", &chunk)]);
    let limits = Limits::default();
    let budget = Budget::new(5 * MIB);
    let mut out = Collect::default();
    visit(
        Format::Tar,
        Input::Stream(&mut &tar[..]),
        &limits,
        &budget,
        &mut out,
    );
    assert_eq!(
        out.names(),
        ["one", "two"],
        "the archive stops at the breach"
    );
    assert_eq!(out.ids(), ["coverage.limit-total-bytes"], "reported once");
    assert_eq!(out.issues[0].member.as_deref(), Some("two"));
    assert!(budget.is_exhausted());

    // Another archive, on another thread, sharing the budget: not opened.
    let clone = budget.clone();
    let zip = build::zip(&[("a", b"a", CompressionMethod::Stored)]);
    let other = std::thread::spawn(move || {
        let mut out = Collect::default();
        visit(
            Format::Zip,
            Input::Stream(&mut &zip[..]),
            &limits,
            &clone,
            &mut out,
        );
        out
    })
    .join()
    .expect("thread");
    assert_eq!(other.ids(), ["coverage.limit-total-bytes"]);
    assert!(other.members.is_empty());
}

#[test]
fn budget_breach_in_a_nested_archive_is_reported_once() {
    let chunk = text(6, 3 * MIB as usize);
    let tar = build::tar(&[("one", &chunk), ("two", &chunk), ("three", &chunk)]);
    let outer = build::zip(&[
        ("inner.tar", &tar, CompressionMethod::Stored),
        ("later.txt", b"later", CompressionMethod::Stored),
    ]);
    let limits = Limits::default();
    let budget = Budget::new(5 * MIB);
    let out = visit_recursive("outer.zip", &outer, &limits, &budget);
    assert_eq!(
        out.ids(),
        ["coverage.limit-total-bytes"],
        "{:#?}",
        out.issues
    );
    assert!(out.names().len() <= 1, "{:?}", out.names());
}

/// A tar of `total` empty files, generated as it is read.
struct ManyEmptyFiles {
    next: u64,
    total: u64,
    block: [u8; 512],
    pos: usize,
    base: tar::Header,
    base_sum: u32,
    ended: usize,
}

impl ManyEmptyFiles {
    fn new(total: u64) -> Self {
        let mut base = tar::Header::new_ustar();
        base.set_size(0);
        base.set_mode(0o644);
        base.set_entry_type(tar::EntryType::Regular);
        let mut bytes = *base.as_bytes();
        bytes[148..156].copy_from_slice(b"        ");
        let base_sum = bytes.iter().map(|&b| u32::from(b)).sum();
        ManyEmptyFiles {
            next: 0,
            total,
            block: [0; 512],
            pos: 512,
            base,
            base_sum,
            ended: 0,
        }
    }

    fn refill(&mut self) -> bool {
        if self.next < self.total {
            let name = format!("f{:07}", self.next);
            self.next += 1;
            let mut block = *self.base.as_bytes();
            block[..name.len()].copy_from_slice(name.as_bytes());
            let sum = self.base_sum + name.bytes().map(u32::from).sum::<u32>();
            block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
            self.block = block;
        } else if self.ended < 2 {
            self.ended += 1;
            self.block = [0; 512];
        } else {
            return false;
        }
        self.pos = 0;
        true
    }
}

impl Read for ManyEmptyFiles {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == 512 && !self.refill() {
            return Ok(0);
        }
        let n = buf.len().min(512 - self.pos);
        buf[..n].copy_from_slice(&self.block[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn million_entry_tar_stops_at_the_entry_limit() {
    let started = Instant::now();
    let mut stream = ManyEmptyFiles::new(1_000_000);
    let limits = Limits::default();
    let budget = Budget::new(limits.max_total_bytes);
    let mut out = Collect::default();
    visit(
        Format::Tar,
        Input::Stream(&mut stream),
        &limits,
        &budget,
        &mut out,
    );
    assert_eq!(out.ids(), ["coverage.limit-entries"]);
    assert!(
        out.issues[0].message.contains("100000"),
        "{}",
        out.issues[0].message
    );
    assert_eq!(out.members.len(), 100_000);
    assert_eq!(out.members[99_999].name, "f0099999");
    assert!(stream.next < 200_000, "stopped reading: {}", stream.next);
    assert!(started.elapsed() < FAST, "{:?}", started.elapsed());

    // The generator is a valid tar: with a higher limit it is read through.
    let mut small = ManyEmptyFiles::new(50);
    let out = {
        let mut out = Collect::default();
        visit(
            Format::Tar,
            Input::Stream(&mut small),
            &limits,
            &budget,
            &mut out,
        );
        out
    };
    assert!(out.issues.is_empty());
    assert_eq!(out.members.len(), 50);
}

#[test]
fn huge_tar_long_name_is_not_read_into_memory() {
    let started = Instant::now();
    let long = 64 * MIB;
    let tar = build::tar_raw(vec![
        (
            build::tar_header("ok.txt", tar::EntryType::Regular, 2),
            b"ok".to_vec(),
        ),
        (
            build::tar_header("././@LongLink", tar::EntryType::GNULongName, long),
            vec![b'a'; long as usize],
        ),
        (
            build::tar_header("x", tar::EntryType::Regular, 1),
            b"x".to_vec(),
        ),
    ]);
    let out = visit_bytes(Format::Tar, &tar, &Limits::default());
    assert_eq!(
        out.ids(),
        ["coverage.limit-entry-size"],
        "{:#?}",
        out.issues
    );
    assert!(out.issues[0].message.contains("Tar headers"));
    assert_eq!(out.names(), ["ok.txt"]);
    assert!(started.elapsed() < FAST);
}

#[test]
fn zip_with_more_entries_than_the_limit_visits_the_first() {
    let entries: Vec<(String, Vec<u8>)> = (0..25)
        .map(|i| (format!("f{i:02}"), vec![b'x'; i]))
        .collect();
    let refs: Vec<_> = entries
        .iter()
        .map(|(n, c)| (n.as_str(), &c[..], CompressionMethod::Stored))
        .collect();
    let bytes = build::zip(&refs);
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let out = visit_bytes(Format::Zip, &bytes, &limits);
    assert_eq!(out.ids(), ["coverage.limit-entries"]);
    assert!(out.issues[0].message.contains("declares 25 entries"));
    assert_eq!(out.members.len(), 10);
    assert_eq!(out.members[9].name, "f09");
}

// ---------------------------------------------------------------------------
// Integrity
// ---------------------------------------------------------------------------

#[test]
fn zip_slip_is_reported_and_the_member_still_visited() {
    let bytes = build::zip(&[
        ("../../etc/x", b"evil", CompressionMethod::Deflated),
        ("/abs/path", b"abs", CompressionMethod::Stored),
        ("C:\\Windows\\x.dll", b"dll", CompressionMethod::Stored),
        ("ok/../fine.txt", b"fine", CompressionMethod::Stored),
    ]);
    let out = visit_bytes(Format::Zip, &bytes, &Limits::default());
    assert_eq!(
        out.ids(),
        [
            "integrity.archive-path-traversal",
            "integrity.archive-absolute-path",
            "integrity.archive-absolute-path",
        ]
    );
    assert_eq!(out.issues[0].member.as_deref(), Some("../../etc/x"));
    assert_eq!(out.content("../../etc/x"), b"evil");
    assert_eq!(out.content("/abs/path"), b"abs");
    assert_eq!(out.names().len(), 4);
}

#[test]
fn tar_traversal_and_absolute_names() {
    let bytes = build::tar_raw(vec![
        (
            build::tar_header("../../etc/cron.d/x", tar::EntryType::Regular, 4),
            b"evil".to_vec(),
        ),
        (
            build::tar_header("./ok.txt", tar::EntryType::Regular, 2),
            b"ok".to_vec(),
        ),
    ]);
    let out = visit_bytes(Format::Tar, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["integrity.archive-path-traversal"]);
    assert_eq!(
        out.names(),
        ["../../etc/cron.d/x", "ok.txt"],
        "leading ./ stripped"
    );
    assert_eq!(out.content("../../etc/cron.d/x"), b"evil");
}

#[test]
fn tar_links_outside_the_archive() {
    let mut symlink = build::tar_header("etc/passwd-link", tar::EntryType::Symlink, 0);
    symlink.set_link_name("/etc/passwd").expect("link name");
    symlink.set_cksum();
    let mut hard = build::tar_header("hard", tar::EntryType::Link, 0);
    hard.set_link_name("../x").expect("link name");
    hard.set_cksum();
    let mut inside = build::tar_header("dir/inside", tar::EntryType::Symlink, 0);
    inside.set_link_name("../other").expect("link name");
    inside.set_cksum();
    let bytes = build::tar_raw(vec![
        (symlink, Vec::new()),
        (hard, Vec::new()),
        (inside, Vec::new()),
        (
            build::tar_header("file", tar::EntryType::Regular, 1),
            b"f".to_vec(),
        ),
    ]);
    let out = visit_bytes(Format::Tar, &bytes, &Limits::default());
    assert_eq!(
        out.ids(),
        [
            "integrity.archive-link-outside",
            "integrity.archive-link-outside"
        ]
    );
    assert_eq!(out.issues[0].member.as_deref(), Some("etc/passwd-link"));
    assert!(out.issues[0].message.contains("/etc/passwd"));
    assert_eq!(out.issues[1].member.as_deref(), Some("hard"));
    assert_eq!(out.names(), ["file"], "links are not members");
}

#[test]
fn zip_unix_symlink_outside() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    writer
        .add_symlink("lib/passwd", "../../etc/passwd", options)
        .expect("symlink");
    writer
        .add_symlink("lib/ok", "other.so", options)
        .expect("symlink");
    writer.start_file("lib/other.so", options).expect("file");
    writer.write_all(b"ELF").expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    let out = visit_bytes(Format::Zip, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["integrity.archive-link-outside"]);
    assert_eq!(out.issues[0].member.as_deref(), Some("lib/passwd"));
    assert_eq!(out.names(), ["lib/other.so"]);
}

#[test]
fn device_files_in_tar_and_zip() {
    let mut device = build::tar_header("dev/sda", tar::EntryType::Block, 0);
    device.set_device_major(8).expect("major");
    device.set_cksum();
    let bytes = build::tar_raw(vec![
        (
            build::tar_header("dev/null", tar::EntryType::Char, 0),
            Vec::new(),
        ),
        (device, Vec::new()),
        (
            build::tar_header("pipe", tar::EntryType::Fifo, 0),
            Vec::new(),
        ),
    ]);
    let out = visit_bytes(Format::Tar, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["integrity.archive-special-file"; 3]);
    assert!(out.issues[0].message.contains("character device"));
    assert!(out.issues[1].message.contains("block device"));
    assert!(out.members.is_empty());

    let mut fifo = build::RawEntry::stored("fifo", b"");
    fifo.external = 0o010_644 << 16;
    let out = visit_bytes(Format::Zip, &build::raw_zip(&[fifo]), &Limits::default());
    assert_eq!(out.ids(), ["integrity.archive-special-file"]);
}

#[test]
fn duplicate_entries_are_reported_and_both_visited() {
    // No zip writer writes duplicates; the zip crate's reader would even keep
    // only one of them.
    let bytes = build::raw_zip(&[
        build::RawEntry::stored("AndroidManifest.xml", b"benign"),
        build::RawEntry::stored("./AndroidManifest.xml", b"malicious"),
    ]);
    let out = visit_bytes(Format::Zip, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["integrity.archive-duplicate-entry"]);
    let contents: Vec<_> = out.members.iter().map(|m| m.content.as_slice()).collect();
    assert_eq!(contents, [&b"benign"[..], &b"malicious"[..]]);

    let tar = build::tar(&[("a/x", b"1"), ("a//x", b"2"), ("a/y", b"3")]);
    let out = visit_bytes(Format::Tar, &tar, &Limits::default());
    assert_eq!(out.ids(), ["integrity.archive-duplicate-entry"]);
    assert_eq!(out.members.len(), 3);
}

// ---------------------------------------------------------------------------
// Coverage: encryption, corruption, unsupported methods
// ---------------------------------------------------------------------------

#[test]
fn encrypted_zip_members_are_reported_and_others_visited() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let aes = zip::write::SimpleFileOptions::default()
        .with_aes_encryption(zip::AesMode::Aes256, "correct horse");
    writer.start_file("secret.txt", aes).expect("aes");
    writer.write_all(b"top secret").expect("write");
    writer
        .start_file("public.txt", zip::write::SimpleFileOptions::default())
        .expect("plain");
    writer.write_all(b"public").expect("write");
    let bytes = writer.finish().expect("finish").into_inner();
    let out = visit_bytes(Format::Zip, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-encrypted"]);
    assert!(out.issues[0].message.contains("AES"));
    assert_eq!(out.names(), ["public.txt"]);

    // ZipCrypto: the zip writer does not offer it, so set the flag by hand.
    let mut zipcrypto = build::RawEntry::stored("legacy.txt", &[0x5a; 40]);
    zipcrypto.flags = 1;
    let bytes = build::raw_zip(&[zipcrypto, build::RawEntry::stored("b.txt", b"b")]);
    let out = visit_bytes(Format::Zip, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-encrypted"]);
    assert!(out.issues[0].message.contains("ZipCrypto"));
    assert_eq!(out.names(), ["b.txt"]);
}

#[test]
fn truncated_gzip_is_corrupt() {
    let content = text(9, 200_000);
    let bytes = build::gzip(&content);
    let out = visit_bytes(Format::Gzip, &bytes[..bytes.len() / 2], &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-corrupt"], "{:#?}", out.issues);
    assert!(out.read_errors.is_empty());
    assert!(
        out.issues[0]
            .message
            .starts_with("Gzip stream is corrupt or truncated")
    );

    // Cut inside the trailer: the data is complete, the checksum is not.
    let out = visit_bytes(Format::Gzip, &bytes[..bytes.len() - 4], &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-corrupt"], "{:#?}", out.issues);

    // Cut so early that not even the first block decompresses.
    let tiny = build::gzip(b"short");
    let out = visit_bytes(Format::Gzip, &tiny[..12], &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-corrupt"]);
    assert!(out.members.is_empty());

    // The same for the other formats.
    for format in [Format::Xz, Format::Zstd, Format::Bzip2] {
        let bytes = build::compress(format, &content);
        let out = visit_bytes(format, &bytes[..bytes.len() / 2], &Limits::default());
        assert_eq!(
            out.ids(),
            ["coverage.archive-corrupt"],
            "{format}: {:#?}",
            out.issues
        );
    }
}

#[test]
fn truncated_tar_gz_is_corrupt() {
    let entries = sample();
    let refs: Vec<_> = entries.iter().map(|(n, c)| (*n, &c[..])).collect();
    let tar = build::tar(&refs);
    let out = visit_bytes(Format::Tar, &tar[..tar.len() - 3000], &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-corrupt"], "{:#?}", out.issues);
    assert!(
        out.issues[0].message.contains("truncated"),
        "{}",
        out.issues[0].message
    );
    assert_eq!(out.names()[..3], ["README.md", "src/lib.rs", "empty.txt"]);

    let tgz = build::gzip(&tar);
    let out = visit_bytes(Format::Gzip, &tgz[..tgz.len() * 2 / 3], &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-corrupt"], "{:#?}", out.issues);
    assert_eq!(out.names()[0], "README.md");
}

#[test]
fn corrupt_zips() {
    let entries = sample();
    let refs: Vec<_> = entries
        .iter()
        .map(|(n, c)| (*n, &c[..], CompressionMethod::Deflated))
        .collect();
    let good = build::zip(&refs);

    // A broken central directory entry: the entries before it are visited.
    let mut bad_directory = good.clone();
    let second = find_all(&good, b"PK\x01\x02")[1];
    bad_directory[second + 2] = b'X';
    let out = visit_bytes(Format::Zip, &bad_directory, &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-corrupt"]);
    assert!(
        out.issues[0].message.contains("central directory entry 1"),
        "{}",
        out.issues[0].message
    );
    assert_eq!(out.names(), ["README.md"]);

    // No end record at all (a truncated download): recovered from local headers.
    let directory_start = find_all(&good, b"PK\x01\x02")[0];
    let out = visit_bytes(
        Format::Zip,
        &good[..directory_start + 10],
        &Limits::default(),
    );
    assert_eq!(out.ids(), ["coverage.archive-corrupt"]);
    assert!(
        out.issues[0]
            .message
            .contains("no readable central directory")
    );
    assert_eq!(
        out.names(),
        [
            "README.md",
            "src/lib.rs",
            "empty.txt",
            "deep/er/still/data.bin"
        ]
    );
    assert_eq!(out.content("src/lib.rs"), &entries[1].1[..]);

    // Damaged member data: that member fails, the others are read.
    let mut bad_data = good.clone();
    let local = find_all(&good, b"PK\x03\x04")[1];
    for byte in &mut bad_data[local + 60..local + 200] {
        *byte ^= 0x55;
    }
    let out = visit_bytes(Format::Zip, &bad_data, &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-corrupt"], "{:#?}", out.issues);
    assert_eq!(out.issues[0].member.as_deref(), Some("src/lib.rs"));
    assert_eq!(out.content("deep/er/still/data.bin"), &entries[3].1[..]);
    assert!(out.read_errors.is_empty());

    // Garbage.
    let out = visit_bytes(
        Format::Zip,
        b"PK\x03\x04 not really a zip",
        &Limits::default(),
    );
    assert_eq!(out.ids(), ["coverage.archive-corrupt"]);
    assert!(out.members.is_empty());
}

#[test]
fn unsupported_zip_method() {
    let mut ppmd = build::RawEntry::stored("model.ppmd", b"whatever");
    ppmd.method = 98;
    let bytes = build::raw_zip(&[ppmd, build::RawEntry::stored("ok", b"ok")]);
    let out = visit_bytes(Format::Zip, &bytes, &Limits::default());
    assert_eq!(out.ids(), ["coverage.archive-unsupported"]);
    assert!(out.issues[0].message.contains("PPMd"));
    assert_eq!(out.names(), ["ok"]);
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn mutated_archives_never_panic() {
    let entries = sample();
    let refs: Vec<_> = entries
        .iter()
        .map(|(n, c)| (*n, &c[..100.min(c.len())]))
        .collect();
    let tar = build::tar(&refs);
    let zip_refs: Vec<_> = refs
        .iter()
        .map(|(n, c)| (*n, *c, CompressionMethod::Deflated))
        .collect();
    let seeds: Vec<(Format, Vec<u8>)> = vec![
        (Format::Zip, build::zip(&zip_refs)),
        (Format::Tar, tar.clone()),
        (Format::Gzip, build::gzip(&tar)),
        (Format::Xz, build::xz(&tar)),
        (Format::Zstd, build::zstd(&tar)),
        (Format::Bzip2, build::bzip2(&tar)),
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let limits = Limits::default();
    for (format, seed) in &seeds {
        for _ in 0..150 {
            let mut bytes = seed.clone();
            for _ in 0..1 + random() % 8 {
                let at = (random() % bytes.len() as u64) as usize;
                bytes[at] = random() as u8;
            }
            if random() % 4 == 0 {
                bytes.truncate((random() % bytes.len() as u64) as usize);
            }
            let out = visit_bytes(*format, &bytes, &limits);
            assert!(
                out.read_errors.is_empty(),
                "{format}: {:?}",
                out.read_errors
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Real archives
// ---------------------------------------------------------------------------

/// A file of gitleaks' archive test data; a missing corpus fails the test.
fn corpus(name: &str) -> std::path::PathBuf {
    oversight_test_support::corpus(&format!("gitleaks/testdata/archives/{name}"))
}

const GITLEAKS_FILES: [&str; 4] = [
    "files/.env.prod",
    "files/.gitleaksignore",
    "files/api.go",
    "files/main.go",
];

#[test]
fn gitleaks_archives() {
    let dir = corpus("files");
    let main_go = std::fs::read(dir.join("main.go")).expect("main.go");
    for (name, format) in [
        ("files.zip", Format::Zip),
        ("files.tar", Format::Tar),
        ("files.tar.xz", Format::Xz),
        ("files.tar.zst", Format::Zstd),
    ] {
        let path = dir.with_file_name(name);
        let head = std::fs::read(&path).expect("read");
        assert_eq!(sniff(&head), Some(format), "{name}");
        let out = visit_path(format, &path, &Limits::default());
        assert!(out.issues.is_empty(), "{name}: {:#?}", out.issues);
        for expected in GITLEAKS_FILES {
            assert!(out.names().contains(&expected), "{name}: {:?}", out.names());
        }
        assert_eq!(out.content("files/main.go"), &main_go[..], "{name}");
    }

    let seven = std::fs::read(dir.with_file_name("files.7z")).expect("7z");
    assert_eq!(sniff(&seven), None, "7z is not supported");

    for (name, format) in [
        ("main.go.gz", Format::Gzip),
        ("main.go.xz", Format::Xz),
        ("main.go.zst", Format::Zstd),
    ] {
        let path = dir.join(name);
        let out = visit_path(format, &path, &Limits::default());
        assert_eq!(out.names(), [""], "{name}");
        assert_eq!(out.members[0].content, main_go, "{name}");
    }
}

#[test]
fn gitleaks_nested_archive() {
    let path = corpus("nested.tar.gz");
    let bytes = std::fs::read(path).expect("read");
    let limits = Limits::default();
    let budget = Budget::new(limits.max_total_bytes);
    let out = visit_recursive("nested.tar.gz", &bytes, &limits, &budget);
    assert!(out.issues.is_empty(), "{:#?}", out.issues);
    let names = out.names();
    for expected in [
        "nested.tar.gz!/archives/files.tar!/files/api.go",
        "nested.tar.gz!/archives/files.zip!/files/.env.prod",
        "nested.tar.gz!/archives/files.tar.zst!/files/main.go",
        "nested.tar.gz!/archives/files.tar.xz!/files/.gitleaksignore",
        "nested.tar.gz!/archives/files/main.go.gz!/",
        "nested.tar.gz!/archives/files/main.go.xz!/",
        "nested.tar.gz!/archives/files/main.go.zst!/",
        "nested.tar.gz!/archives/files.7z",
        "nested.tar.gz!/archives/files/api.go",
    ] {
        assert!(names.contains(&expected), "{expected} not in {names:#?}");
    }
    assert_eq!(
        out.content("nested.tar.gz!/archives/files/main.go.gz!/"),
        out.content("nested.tar.gz!/archives/files/main.go")
    );
}

/// A review reads a deliverable back out of the delivered archive by its
/// delivery path, in every format of gitleaks' archive test data, and
/// through a nested archive.
#[test]
fn a_member_is_read_back_by_its_path() {
    let main_go = std::fs::read(corpus("files").join("main.go")).expect("main.go");
    for name in ["files.zip", "files.tar", "files.tar.xz", "files.tar.zst"] {
        let bytes = std::fs::read(corpus(name)).expect(name);
        let found = oversight_archive::read_member(&bytes, "files/main.go");
        assert_eq!(found.as_deref(), Some(&main_go[..]), "{name}");
        assert_eq!(
            oversight_archive::read_member(&bytes, "files/absent.go"),
            None,
            "{name}"
        );
    }
    let nested = std::fs::read(corpus("nested.tar.gz")).expect("nested");
    let found = oversight_archive::read_member(&nested, "archives/files.zip!/files/main.go");
    assert_eq!(found.as_deref(), Some(&main_go[..]), "nested");
}

/// Two tar members whose names differ only in bytes that are not UTF-8
/// stay two names (`\xNN`), never one name read twice.
#[test]
fn tar_names_that_are_not_utf8_keep_their_bytes() {
    let header = |name: &[u8], size: u64| {
        let mut header = ::tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.set_entry_type(::tar::EntryType::Regular);
        header.set_size(size);
        header.set_mode(0o644);
        header.set_cksum();
        header
    };
    let bytes = build::tar_raw(vec![
        (header(b"data-\xff.txt", 5), b"first".to_vec()),
        (header(b"data-\xfe.txt", 6), b"second".to_vec()),
    ]);
    let got = visit_bytes(Format::Tar, &bytes, &Limits::default());
    assert_eq!(got.names(), ["data-\\xff.txt", "data-\\xfe.txt"]);
    assert_eq!(got.content("data-\\xfe.txt"), b"second");
}
