//! Compiled artifacts recognised by their content.
//!
//! # What it detects
//!
//! Files whose first bytes are the header of a compiled program, whatever
//! their name:
//!
//! * `malicious.compiled-artifact` (high): native code (ELF, PE/COFF including
//!   .NET assemblies, Mach-O and universal Mach-O binaries), static libraries
//!   (`ar` archives), WebAssembly modules, and Python bytecode outside a
//!   `__pycache__` directory (a "sourceless" module, which Python imports as
//!   it is).
//! * `malicious.compiled-bytecode` (medium): Java class files and archives,
//!   Android DEX files, and Python bytecode caches in `__pycache__`.
//!
//! The message names the format, the architecture and the bitness, and the
//! kind of file (executable, shared library, object…). Class files inside a
//! Java archive are not reported one by one: the archive is.
//!
//! Bytecode gets its own, lower default severity because it decompiles to
//! readable source with standard tools (javap, CFR, pycdc) and is the
//! ordinary content of Java deliveries and of accidentally shipped Python
//! caches; native code and WebAssembly cannot be reviewed without reverse
//! engineering, and a sourceless `.pyc` has been used on PyPI precisely to
//! hide a payload from source scanners.
//!
//! # Why it matters
//!
//! A source delivery is reviewed by reading it. A compiled file cannot be read,
//! cannot be tied to the delivered source, and runs with the privileges of
//! whatever loads it: it is the simplest place to hide a backdoor
//! (ISO 27001 A.8.30 asks that outsourced development be verifiable).
//!
//! # Example
//!
//! `tools/helper` starting with `7F 45 4C 46 02 01`: "ELF 64-bit x86-64
//! executable".
//!
//! # How to resolve or accept
//!
//! Ask the supplier to deliver the source and the build instructions instead,
//! or to document the artifact's origin (upstream release, checksum,
//! signature). Accept vendored third-party binaries whose checksum matches
//! the upstream release.
//!
//! # References
//!
//! CWE-506 (Embedded Malicious Code); CWE-829 (Inclusion of Functionality from
//! Untrusted Control Sphere); SLSA source and build requirements.

use oversight_detect::{Detector, Emit, FileInfo, Sink};
use oversight_model::{Category, Rule, Severity};

/// Native code or sourceless bytecode in a delivery.
pub static COMPILED_ARTIFACT: Rule = Rule {
    id: "malicious.compiled-artifact",
    category: Category::Malicious,
    default_severity: Severity::High,
    summary: "Compiled native code, WebAssembly or sourceless Python bytecode",
    help: "A compiled file cannot be reviewed or tied to the delivered source. Ask for the \
           source and build instructions, or accept a vendored binary whose checksum matches \
           its upstream release.",
};

/// Java, Android or cached Python bytecode in a delivery.
pub static COMPILED_BYTECODE: Rule = Rule {
    id: "malicious.compiled-bytecode",
    category: Category::Malicious,
    default_severity: Severity::Medium,
    summary: "Java class file or archive, Android DEX, or Python bytecode cache",
    help: "Bytecode decompiles to readable source but is not the reviewed source. Remove build \
           outputs and caches from the delivery, or accept dependencies whose origin is documented.",
};

static RULES: [&Rule; 2] = [&COMPILED_ARTIFACT, &COMPILED_BYTECODE];

/// How many leading bytes the fingerprint key binds to.
const KEY_LEN: usize = 4096;

/// The detector of [`COMPILED_ARTIFACT`] and [`COMPILED_BYTECODE`].
#[derive(Debug, Default, Clone, Copy)]
pub struct Executables;

impl Detector for Executables {
    fn name(&self) -> &'static str {
        "executables"
    }

    fn rules(&self) -> &'static [&'static Rule] {
        &RULES
    }

    fn check_head(&self, file: &FileInfo<'_>, head: &[u8], sink: &mut dyn Sink) {
        let Some(artifact) = identify(head) else {
            return;
        };
        let path = file.path.innermost();
        let rule = match artifact.kind {
            Kind::Native => &COMPILED_ARTIFACT,
            Kind::Bytecode => &COMPILED_BYTECODE,
            Kind::PythonBytecode if is_pycache(path) => &COMPILED_BYTECODE,
            Kind::PythonBytecode => &COMPILED_ARTIFACT,
            Kind::JavaClass if inside_java_archive(file) => return,
            Kind::JavaClass => &COMPILED_BYTECODE,
        };
        let mut message = format!("Compiled artifact: {}", artifact.description);
        if artifact.kind == Kind::PythonBytecode {
            if rule == &COMPILED_ARTIFACT {
                message.push_str(", outside __pycache__: Python imports it without any source");
            } else {
                message.push_str(", a cache that should not be delivered");
            }
        }
        let key = head[..head.len().min(KEY_LEN)].to_vec();
        sink.emit(Emit::file(rule, message, key));
    }
}

/// What compiled artifact `head` (a file's first bytes) begins, as the
/// detector names it (`ELF 64-bit x86-64 executable`), or `None` for
/// anything else. For checks outside a scan (an escrow deposit's
/// completeness) that must recognise binaries exactly as reviews do.
pub fn describe_compiled(head: &[u8]) -> Option<String> {
    identify(head).map(|artifact| artifact.description)
}

/// How a recognised artifact is rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Native,
    Bytecode,
    PythonBytecode,
    JavaClass,
}

/// A recognised artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Artifact {
    kind: Kind,
    description: String,
}

impl Artifact {
    fn new(kind: Kind, description: impl Into<String>) -> Self {
        Artifact {
            kind,
            description: description.into(),
        }
    }
}

fn is_pycache(path: &str) -> bool {
    path.split(['/', '\\'])
        .any(|segment| segment == "__pycache__")
}

fn inside_java_archive(file: &FileInfo<'_>) -> bool {
    let segments = file.path.segments();
    segments.len() >= 2 && {
        let container = segments[segments.len() - 2].to_ascii_lowercase();
        [".jar", ".war", ".ear", ".aar", ".jmod"]
            .iter()
            .any(|ext| container.ends_with(ext))
    }
}

fn u16_at(bytes: &[u8], at: usize, big_endian: bool) -> Option<u16> {
    let b: [u8; 2] = bytes.get(at..at + 2)?.try_into().ok()?;
    Some(if big_endian {
        u16::from_be_bytes(b)
    } else {
        u16::from_le_bytes(b)
    })
}

fn u32_at(bytes: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

/// Recognises the artifact whose first bytes are `head`.
fn identify(head: &[u8]) -> Option<Artifact> {
    if head.starts_with(b"\x7fELF") {
        return elf(head).map(|d| Artifact::new(Kind::Native, d));
    }
    if head.starts_with(b"MZ") {
        return pe(head).map(|d| Artifact::new(Kind::Native, d));
    }
    if head.starts_with(b"!<arch>\n") {
        return Some(Artifact::new(Kind::Native, ar(head)));
    }
    if head.starts_with(b"\0asm") {
        return wasm(head).map(|d| Artifact::new(Kind::Native, d));
    }
    if head.starts_with(b"dex\n")
        && head.len() >= 8
        && head[4..7].iter().all(u8::is_ascii_digit)
        && head[7] == 0
    {
        let version = String::from_utf8_lossy(&head[4..7]).into_owned();
        return Some(Artifact::new(
            Kind::Bytecode,
            format!("Android DEX bytecode, version {version}"),
        ));
    }
    if let Some(artifact) = cafebabe(head) {
        return Some(artifact);
    }
    if let Some(description) = macho(head) {
        return Some(Artifact::new(Kind::Native, description));
    }
    if let Some(description) = pyc(head) {
        return Some(Artifact::new(Kind::PythonBytecode, description));
    }
    java_archive(head).map(|d| Artifact::new(Kind::Bytecode, d))
}

/// ELF: class, data encoding, type and machine from the identification and
/// file header.
fn elf(head: &[u8]) -> Option<String> {
    let bits = match *head.get(4)? {
        1 => "32-bit",
        2 => "64-bit",
        _ => return None,
    };
    let big_endian = match *head.get(5)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let file_type = match u16_at(head, 16, big_endian)? {
        1 => "relocatable object",
        2 => "executable",
        3 => "shared object or position-independent executable",
        4 => "core dump",
        _ => "file",
    };
    let machine = elf_machine(u16_at(head, 18, big_endian)?);
    let endian = if big_endian { ", big-endian" } else { "" };
    Some(format!("ELF {bits} {machine} {file_type}{endian}"))
}

fn elf_machine(machine: u16) -> String {
    let name = match machine {
        2 => "SPARC",
        3 => "i386",
        8 => "MIPS",
        20 => "PowerPC",
        21 => "PowerPC64",
        22 => "s390",
        40 => "arm",
        42 => "SuperH",
        43 => "SPARC V9",
        50 => "IA-64",
        62 => "x86-64",
        183 => "aarch64",
        243 => "RISC-V",
        247 => "BPF",
        258 => "LoongArch",
        other => return format!("machine {other}"),
    };
    name.to_owned()
}

/// PE: the COFF header named by the DOS stub, then the optional header for
/// bitness and the CLR directory that marks a .NET assembly.
fn pe(head: &[u8]) -> Option<String> {
    let pe_offset = u32_at(head, 0x3C, false)? as usize;
    if head.get(pe_offset..pe_offset + 4)? != b"PE\0\0" {
        return None;
    }
    let coff = pe_offset + 4;
    let machine = match u16_at(head, coff, false)? {
        0x014C => "i386".to_owned(),
        0x8664 => "x86-64".to_owned(),
        0x01C0 => "arm".to_owned(),
        0x01C4 => "arm (Thumb-2)".to_owned(),
        0xAA64 => "aarch64".to_owned(),
        0xA641 => "arm64ec".to_owned(),
        0x0200 => "IA-64".to_owned(),
        0x5064 => "RISC-V 64".to_owned(),
        0x0000 => "any machine".to_owned(),
        other => format!("machine 0x{other:04X}"),
    };
    let characteristics = u16_at(head, coff + 18, false)?;
    let optional = coff + 20;
    let (bits, directories) = match u16_at(head, optional, false) {
        Some(0x10B) => ("32-bit", Some(optional + 96)),
        Some(0x20B) => ("64-bit", Some(optional + 112)),
        _ => ("", None),
    };
    let clr = directories
        .and_then(|d| u32_at(head, d + 14 * 8, false))
        .is_some_and(|rva| rva != 0);
    let file_type = if characteristics & 0x2000 != 0 {
        "DLL"
    } else {
        "executable"
    };
    let dotnet = if clr { " (.NET assembly)" } else { "" };
    let bits = if bits.is_empty() {
        String::new()
    } else {
        format!("{bits} ")
    };
    Some(format!("PE {bits}{machine} {file_type}{dotnet}"))
}

/// Mach-O: magic (bitness and byte order), CPU type and file type.
fn macho(head: &[u8]) -> Option<String> {
    let magic = u32_at(head, 0, true)?;
    let (bits, big_endian) = match magic {
        0xFEEDFACE => ("32-bit", true),
        0xCEFAEDFE => ("32-bit", false),
        0xFEEDFACF => ("64-bit", true),
        0xCFFAEDFE => ("64-bit", false),
        _ => return None,
    };
    let cpu = macho_cpu(u32_at(head, 4, big_endian)?);
    let file_type = match u32_at(head, 12, big_endian)? {
        1 => "object",
        2 => "executable",
        6 => "dynamic library",
        7 => "dynamic linker",
        8 => "bundle",
        9 => "dynamic library stub",
        10 => "debug symbols",
        11 => "kernel extension",
        _ => "file",
    };
    Some(format!("Mach-O {bits} {cpu} {file_type}"))
}

fn macho_cpu(cpu: u32) -> String {
    let name = match cpu {
        7 => "i386",
        0x0100_0007 => "x86-64",
        12 => "arm",
        0x0100_000C => "arm64",
        0x0200_000C => "arm64_32",
        18 => "PowerPC",
        0x0100_0012 => "PowerPC64",
        other => return format!("cpu 0x{other:X}"),
    };
    name.to_owned()
}

/// `CA FE BA BE` starts both Java class files and universal Mach-O binaries.
/// The next word tells them apart: a universal binary counts its
/// architectures (a handful), a class file has its minor and major version
/// there (major 45 or more).
fn cafebabe(head: &[u8]) -> Option<Artifact> {
    let magic = u32_at(head, 0, true)?;
    if magic != 0xCAFEBABE && magic != 0xCAFEBABF {
        return None;
    }
    let second = u32_at(head, 4, true)?;
    if magic == 0xCAFEBABE && second >= 45 {
        let major = u16_at(head, 6, true)?;
        let minor = u16_at(head, 4, true)?;
        let java = if major >= 49 {
            format!("Java {}", major - 44)
        } else {
            format!("Java 1.{}", major.saturating_sub(44))
        };
        return Some(Artifact::new(
            Kind::JavaClass,
            format!("Java class file, version {major}.{minor} ({java})"),
        ));
    }
    if second == 0 || second > 32 {
        return None;
    }
    let entry_len = if magic == 0xCAFEBABF { 32 } else { 20 };
    let cpus: Vec<String> = (0..second as usize)
        .filter_map(|i| u32_at(head, 8 + i * entry_len, true))
        .map(macho_cpu)
        .collect();
    if cpus.is_empty() {
        return None;
    }
    Some(Artifact::new(
        Kind::Native,
        format!("universal Mach-O binary ({})", cpus.join(", ")),
    ))
}

/// Python bytecode: a two-byte version magic followed by `\r\n`, with the
/// magic in the ranges CPython has used.
fn pyc(head: &[u8]) -> Option<String> {
    if head.len() < 16 || head.get(2..4)? != b"\r\n" {
        return None;
    }
    let magic = u16_at(head, 0, false)?;
    let version = match magic {
        20121 => "1.5",
        50823 => "2.0",
        60202 => "2.1",
        60717 => "2.2",
        62011..=62021 => "2.3",
        62041..=62061 => "2.4",
        62071..=62131 => "2.5",
        62151..=62161 => "2.6",
        62171..=62211 => "2.7",
        3000..=3131 => "3.0",
        3141..=3151 => "3.1",
        3160..=3180 => "3.2",
        3190..=3230 => "3.3",
        3250..=3310 => "3.4",
        3320..=3351 => "3.5",
        3360..=3379 => "3.6",
        3390..=3399 => "3.7",
        3400..=3419 => "3.8",
        3420..=3429 => "3.9",
        3430..=3449 => "3.10",
        3450..=3499 => "3.11",
        3500..=3549 => "3.12",
        3550..=3599 => "3.13",
        3600..=3649 => "3.14",
        3650..=4095 => "3.15 or later",
        _ => return None,
    };
    Some(format!("Python {version} bytecode (magic {magic})"))
}

/// WebAssembly: a binary module (version 1) or a component (layer 1).
fn wasm(head: &[u8]) -> Option<String> {
    let version = u16_at(head, 4, false)?;
    let layer = u16_at(head, 6, false)?;
    match layer {
        0 => Some(format!("WebAssembly module, version {version}")),
        1 => Some("WebAssembly component".to_owned()),
        _ => None,
    }
}

/// `ar` archives: static libraries, or Debian packages. The architecture
/// comes from the first object member that lies within the head.
fn ar(head: &[u8]) -> String {
    let mut at = 8;
    let mut first_member = true;
    while at + 60 <= head.len() {
        let header = &head[at..at + 60];
        if &header[58..60] != b"`\n" {
            break;
        }
        let name = String::from_utf8_lossy(&header[..16]).trim_end().to_owned();
        let size: usize = String::from_utf8_lossy(&header[48..58])
            .trim()
            .parse()
            .unwrap_or(usize::MAX);
        if first_member && name == "debian-binary" {
            return "Debian binary package (ar archive)".to_owned();
        }
        first_member = false;
        let data = at + 60;
        if let Some(member) = head.get(data..) {
            let described = if member.starts_with(b"\x7fELF") {
                elf(member)
            } else {
                macho(member)
            };
            if let Some(described) = described {
                return format!("static library (ar archive) of {described}s");
            }
        }
        let Some(next) = data.checked_add(size).and_then(|n| n.checked_add(size % 2)) else {
            break;
        };
        at = next;
    }
    "static library (ar archive), architecture not visible in the first 64 KiB".to_owned()
}

/// A ZIP file whose first entry is `META-INF/`: a Java archive (JAR, WAR…).
fn java_archive(head: &[u8]) -> Option<String> {
    if !head.starts_with(b"PK\x03\x04") {
        return None;
    }
    let name_len = u16_at(head, 26, false)? as usize;
    let name = head.get(30..30 + name_len)?;
    (name.starts_with(b"META-INF/") || name.eq_ignore_ascii_case(b"meta-inf/manifest.mf"))
        .then(|| "Java archive (ZIP with a META-INF manifest)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_class_and_universal_binary_are_told_apart() {
        let class = [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 61, 0, 0];
        let artifact = identify(&class).expect("class");
        assert_eq!(artifact.kind, Kind::JavaClass);
        assert!(
            artifact.description.contains("Java 17"),
            "{}",
            artifact.description
        );
        let mut fat = vec![0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 2];
        fat.extend_from_slice(&[
            1, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0x40, 0, 0, 0, 0x10, 0, 0, 0, 0, 14,
        ]);
        fat.extend_from_slice(&[
            1, 0, 0, 12, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 14,
        ]);
        let artifact = identify(&fat).expect("fat");
        assert_eq!(artifact.kind, Kind::Native);
        assert_eq!(
            artifact.description,
            "universal Mach-O binary (x86-64, arm64)"
        );
    }

    #[test]
    fn truncated_headers_do_not_panic() {
        for magic in [
            &b"\x7fELF"[..],
            b"MZ",
            b"!<arch>\n",
            b"\0asm",
            b"\xca\xfe\xba\xbe",
            b"\xcf\xfa\xed\xfe",
            b"PK\x03\x04",
            b"dex\n",
        ] {
            for len in 0..=magic.len() + 70 {
                let mut head = magic.to_vec();
                head.resize(len.max(magic.len()), 0xFF);
                let _ = identify(&head[..len.min(head.len())]);
            }
        }
    }

    #[test]
    fn text_is_not_bytecode() {
        assert_eq!(identify(b"ab\r\nsome text here, long enough"), None);
        assert_eq!(identify(b"MZ is a word\n"), None);
    }
}
