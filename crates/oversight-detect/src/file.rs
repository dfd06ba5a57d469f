//! What a detector knows about the file it is looking at.

use oversight_model::{DeliveryPath, FileClass};

/// Metadata of the file being scanned.
#[derive(Debug, Clone, Copy)]
pub struct FileInfo<'a> {
    /// Where the file sits in the delivery.
    pub path: &'a DeliveryPath,
    /// Text or binary, decided from the content.
    pub class: FileClass,
    /// Size in bytes, when known before reading (archive members may not say).
    pub size: Option<u64>,
}

impl FileInfo<'_> {
    /// What kind of text the file holds, from its name.
    pub fn text_kind(&self) -> TextKind {
        TextKind::from_path(self.path)
    }

    /// The file name of the innermost path segment.
    pub fn file_name(&self) -> &str {
        self.path.file_name()
    }
}

/// A coarse classification of text files by name, for detectors whose meaning
/// depends on whether text is executed (a bidi override in code is an attack; in
/// an Arabic README it is just Arabic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Prose and translations: Markdown, plain text, gettext catalogues.
    Prose,
    /// Anything else, including files without an extension. Unknown files are
    /// treated as code so that an unusual extension does not hide an attack.
    Code,
}

impl TextKind {
    /// Classifies a path by its extension.
    pub fn from_path(path: &DeliveryPath) -> Self {
        const PROSE: &[&str] = &[
            "md", "markdown", "mdown", "txt", "text", "rst", "adoc", "asciidoc", "org", "tex",
            "po", "pot", "xlf", "xliff", "strings", "resx", "srt", "vtt",
        ];
        match path.extension() {
            Some(ext) if PROSE.contains(&ext.as_str()) => TextKind::Prose,
            _ => TextKind::Code,
        }
    }
}
